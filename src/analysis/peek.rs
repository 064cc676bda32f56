//! pprof's `-peek`: for each function whose name matches, its flat and cum
//! and the functions that call it and that it calls, each call weighted by
//! the samples it appears in. The "sandwich" of a function, at function
//! granularity, as `go tool pprof -peek REGEX` computes it.
//!
//! pprof builds its untrimmed call graph for this (`-peek` turns trimming
//! off), and these are its rules:
//!
//! - Functions are listed in the order of the `top` table with every row
//!   kept ([`super::top`] with no cutoffs), and only those whose printed
//!   name the regex finds.
//! - A call edge joins a sample's frame to the next frame of another
//!   function towards the leaf, once per sample for each pair, only for
//!   samples whose value for the sample type is not zero.
//! - An edge is inline when every time it was first met in a sample, its
//!   callee frame was inlined into the next frame of its location.
//! - Edges are sorted by |weight|, then by the other function's name.
//!
//! **Deliberately absent:** frames without a function (unsymbolized
//! addresses) take part in no edge here; pprof gives them address nodes.
//! Go profiles are symbolized, so this only matters for other profiles.

use rustc_hash::FxHashMap;

use crate::profile::Profile;

use super::index::{Cost, FuncId, Index, NONE};
use super::select::SampleType;
use super::top::{self, TopItem, TopOptions};

/// One call into or out of a peeked function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeekCall {
    /// The caller (for a caller) or the callee (for a callee).
    pub function: FuncId,
    /// The value of the samples the call appears in, each counted once.
    pub weight: i64,
    /// Every time the call was first met in a sample, the callee was
    /// inlined into its caller.
    pub inline: bool,
    /// The lines of the calling function the call is made from, ascending.
    pub sites: Vec<i64>,
}

/// A function that matched, with its callers and callees in pprof's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeekEntry {
    pub function: FuncId,
    pub cost: Cost,
    pub callers: Vec<PeekCall>,
    pub callees: Vec<PeekCall>,
}

/// The entries of `go tool pprof -peek` for the functions whose name
/// `matches`, for sample type `t` of `index` (built from `profiles`, in its
/// order). Empty when nothing matches.
pub fn peek(index: &Index, profiles: &[&Profile], t: SampleType, matches: &dyn Fn(&str) -> bool) -> Vec<PeekEntry> {
    let options = TopOptions { lines: false, by_cum: false, node_count: None, node_fraction: 0.0, edge_fraction: 0.0 };
    let ranked = top::top(index, profiles, t, &options);
    let chosen: Vec<(FuncId, Cost)> = ranked
        .rows
        .iter()
        .filter_map(|row| match row.item {
            TopItem::Function(f) if matches(&index.function(f).name) => Some((f, row.cost)),
            _ => None,
        })
        .collect();
    if chosen.is_empty() {
        return Vec::new();
    }
    let edges = Edges::build(index, profiles, t);
    let name = |f: FuncId| index.function(f).name.as_str();
    let sort = |calls: &mut Vec<PeekCall>| {
        calls.sort_by(|a, b| {
            b.weight.unsigned_abs().cmp(&a.weight.unsigned_abs()).then_with(|| name(a.function).cmp(name(b.function)))
        })
    };
    chosen
        .into_iter()
        .map(|(function, cost)| {
            let mut callers = Vec::new();
            let mut callees = Vec::new();
            for (&(caller, callee), edge) in &edges.map {
                let call = |other: u32| PeekCall {
                    function: FuncId(other),
                    weight: edge.weight,
                    inline: edge.inline,
                    sites: edge.sites.clone(),
                };
                if callee == function.0 {
                    callers.push(call(caller));
                }
                if caller == function.0 {
                    callees.push(call(callee));
                }
            }
            sort(&mut callers);
            sort(&mut callees);
            PeekEntry { function, cost, callers, callees }
        })
        .collect()
}

#[derive(Default)]
struct EdgeData {
    weight: i64,
    inline: bool,
    sites: Vec<i64>,
    /// The last sample that counted this edge.
    stamp: u32,
}

/// Function-to-function edges for one sample type, as pprof's graph has
/// them.
struct Edges {
    map: FxHashMap<(u32, u32), EdgeData>,
}

impl Edges {
    fn build(index: &Index, profiles: &[&Profile], t: SampleType) -> Edges {
        let mut map: FxHashMap<(u32, u32), EdgeData> = FxHashMap::default();
        let mut values = vec![0i64; index.sample_types().len()];
        let mut stamp = 0u32;
        for (profile, table) in profiles.iter().zip(&index.tables) {
            for sample in profile.iter_samples() {
                if !table.values(sample, &mut values) || values[t.0] == 0 {
                    continue;
                }
                stamp = stamp.wrapping_add(1).max(1);
                let mut parent: Option<(u32, u32)> = None;
                for (r, inline) in table.frames(sample) {
                    if r.function == NONE {
                        parent = None;
                        continue;
                    }
                    if let Some((p_function, p_node)) = parent.filter(|&(p, _)| p != r.function) {
                        let edge = map.entry((p_function, r.function)).or_insert_with(|| EdgeData { inline: true, ..Default::default() });
                        if edge.stamp != stamp {
                            edge.stamp = stamp;
                            edge.weight = edge.weight.wrapping_add(values[t.0]);
                            edge.inline &= inline;
                        }
                        let site = index.node(super::index::NodeId(p_node)).line;
                        if let Err(at) = edge.sites.binary_search(&site) {
                            edge.sites.insert(at, site);
                        }
                    }
                    parent = Some((r.function, r.node));
                }
            }
        }
        Edges { map }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_profiles::profile;

    /// `(function, weight, inline, sites)` of each call, in order.
    fn calls(index: &Index, calls: &[PeekCall]) -> Vec<(String, i64, bool, Vec<i64>)> {
        calls.iter().map(|c| (index.function(c.function).name.clone(), c.weight, c.inline, c.sites.clone())).collect()
    }

    #[test]
    fn callers_and_callees_once_per_sample_heaviest_first() {
        // Leaf first: c is called by b (5 + 2, inlined once and not once) and
        // by a (3); b recurses, which counts once per sample.
        let p = profile(&[("c:1 b:2 a:3", 5), ("c:1+b:4 b:2 a:3", 2), ("c:1 a:7", 3), ("b:9 b:2 a:3", 4)]);
        let index = Index::build(&p);
        let entries = peek(&index, &[&p], SampleType(0), &|name| name == "b");
        assert_eq!(entries.len(), 1);
        let b = &entries[0];
        assert_eq!((b.cost.flat, b.cost.cum), (4, 11));
        assert_eq!(calls(&index, &b.callers), [("a".to_string(), 11, false, vec![3])]);
        assert_eq!(calls(&index, &b.callees), [("c".to_string(), 7, false, vec![2, 4])]);
        let c = &peek(&index, &[&p], SampleType(0), &|name| name == "c")[0];
        assert_eq!(calls(&index, &c.callers), [("b".to_string(), 7, false, vec![2, 4]), ("a".to_string(), 3, false, vec![7])]);
    }

    #[test]
    fn a_call_always_inlined_is_inline_and_functions_come_in_top_order() {
        let p = profile(&[("c:1+b:4 a:3", 2), ("a:3", 5)]);
        let index = Index::build(&p);
        let entries = peek(&index, &[&p], SampleType(0), &|_| true);
        let names: Vec<&str> = entries.iter().map(|e| index.function(e.function).name.as_str()).collect();
        assert_eq!(names, ["a", "c", "b"]);
        assert_eq!(calls(&index, &entries[2].callees), [("c".to_string(), 2, true, vec![4])]);
        assert!(peek(&index, &[&p], SampleType(0), &|_| false).is_empty());
    }
}
