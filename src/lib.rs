//! pprof-lsp: Go profile costs next to the code that caused them.
//!
//! `profile`, `analysis` and `paths` are the pure core; everything that touches files,
//! the network or the editor lives outside them.

pub mod analysis;
pub mod cli;
pub mod gotest;
pub mod lsp;
pub mod mcp;
pub mod paths;
pub mod profile;
pub mod source;
pub mod report;
pub mod web;
