//! Analysis of a decoded profile: per-line and per-function costs with
//! pprof's semantics, sample-type selection, and value labels. Pure: no
//! I/O, no async, no editor types.

pub mod annotate;
pub mod calls;
pub mod growth;
pub mod index;
pub mod select;
pub mod stacks;
pub mod units;

pub use calls::{CallGraph, Direction, Edge, FunctionCall};
pub use growth::{Growth, GrowthError, GrowthRow, History, Recorded};
pub use index::{Cost, FileId, FuncId, FunctionInfo, Index, IndexError, InlineMark, LineId, LineInfo, NodeId, NodeInfo};
pub use select::{select, SampleType, SelectError};
