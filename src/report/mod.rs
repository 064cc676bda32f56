//! Presentation of an [`Index`](crate::analysis::Index): pprof-style `top`
//! and `list` for the command line, the stable `lines` JSON, and every label
//! the editor shows. Pure: takes data, returns strings.

pub mod flame;
pub mod growth;
pub mod header;
pub mod labels;
pub mod leaks;
pub mod lines;
pub mod list;
pub mod peek;
pub mod top;
