//! Analysis of a decoded profile: per-line and per-function costs with
//! pprof's semantics, the ranking of its `top` table, sample-type
//! selection, and value labels. Pure: no I/O, no async, no editor types.

pub mod annotate;
pub mod calls;
pub mod filter;
pub mod flame;
pub mod growth;
mod halves;
pub mod index;
pub mod leaks;
pub mod merge;
pub mod names;
pub mod peek;
pub mod per_op;
pub mod ranking;
pub mod select;
pub mod stacks;
#[cfg(test)]
mod test_profiles;
pub mod top;
pub mod units;

pub use calls::{CallGraph, Direction, Edge, FunctionCall};
pub use filter::{FilterError, Filters};
pub use flame::{FlameError, FlameNode, FlameOptions, FlameTree, Frame};
pub use growth::{Growth, GrowthError, GrowthRow, GrowthThreshold, History, Recorded};
pub use index::{Cost, FileId, FuncId, FunctionFile, FunctionInfo, Index, IndexError, LineId, LineInfo, NodeId, NodeInfo};
pub use merge::{merge, merge_owned, MergeError};
pub use select::{select, select_with_base, SampleType, SelectError};
pub use top::{InlineMark, Top, TopItem, TopOptions, TopRow};
