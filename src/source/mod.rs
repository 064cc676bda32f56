//! The I/O edge: scanning workspaces, finding and fetching profiles, and
//! reading a git repository at other revisions. The pure core receives
//! what this module reads as plain data.

pub mod buildinfo;
pub mod discover;
pub mod fleet;
pub mod fs;
pub mod git;
pub mod goroutines;
pub mod gotest;
pub mod live;
pub mod load;
pub mod merged;
pub mod project_file;
pub mod replicas;
pub mod revision;
pub mod workspace;
