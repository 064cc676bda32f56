//! The `lines --json` contract: one object per node whose flat or cum is
//! nonzero, values as exact integers in the profile's own unit.

use serde::Serialize;

use crate::analysis::{Index, SampleType};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LineRecord {
    /// The file name exactly as the profile spells it ("" without symbols).
    pub file: String,
    pub line: i64,
    /// The function name, or the address in hex without symbols.
    pub function: String,
    pub flat: i64,
    pub cum: i64,
}

/// Every node with a nonzero value, ordered by file, line and function.
pub fn records(index: &Index, t: SampleType) -> Vec<LineRecord> {
    let mut out: Vec<LineRecord> = index
        .node_ids()
        .filter_map(|n| {
            let cost = index.node_cost(n, t);
            if cost.is_zero() {
                return None;
            }
            let node = index.node(n);
            let file = node.file.map(|id| index.file(id).to_string()).unwrap_or_default();
            let function = match node.function {
                Some(f) => index.function(f).name.clone(),
                None => format!("{:#x}", node.address),
            };
            Some(LineRecord { file, line: node.line, function, flat: cost.flat, cum: cost.cum })
        })
        .collect();
    out.sort_by(|a, b| (&a.file, a.line, &a.function).cmp(&(&b.file, b.line, &b.function)));
    out
}

pub fn to_json(records: &[LineRecord]) -> String {
    let mut s = serde_json::to_string_pretty(records).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
