//! The I/O edge: reading the workspace and the machine's Go installation.

pub mod workspace;
