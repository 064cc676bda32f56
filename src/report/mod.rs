//! Text and JSON renderings of an [`Index`](crate::analysis::Index) for the
//! command line: pprof-style `top` and `list`, and the stable `lines` JSON.
//! Pure: takes data, returns strings.

pub mod header;
pub mod lines;
pub mod list;
pub mod top;
