//! Continuous profilers as sources.
pub mod api;
