//! The call graph: caller→callee steps between the nodes of an [`Index`]
//! and between its functions, each weighted by the samples it appears in
//! (once per sample, however often recursion repeats it). Built on demand,
//! since only call hierarchies and caller lists need it.

use rustc_hash::FxHashMap;

use crate::profile::Profile;

use super::index::{FuncId, Index, NodeId, NONE};
use super::select::SampleType;

/// A caller→callee step seen on some stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub caller: NodeId,
    pub callee: NodeId,
    /// True when every time this step was seen the callee was inlined.
    pub inline: bool,
}

/// Calls from one function into another, summed over their call sites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionCall {
    /// The function at the other end: the caller for incoming calls, the
    /// callee for outgoing ones.
    pub function: FuncId,
    /// The value of the samples in which the call appears, each counted once.
    pub weight: i64,
    /// The lines of the calling function the calls are made from, ascending.
    pub sites: Vec<i64>,
}

/// Which calls of a function to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Incoming,
    Outgoing,
}

#[derive(Clone, Debug, Default)]
pub struct CallGraph {
    edges: Vec<Edge>,
    weights: Vec<i64>,
    /// (caller, callee) between distinct functions.
    function_edges: Vec<(FuncId, FuncId)>,
    function_weights: Vec<i64>,
    /// Per function edge: the caller's lines it is made from.
    function_sites: Vec<Vec<i64>>,
    stride: usize,
}

impl CallGraph {
    /// Builds the graph of `index` from the profiles it was built from, in
    /// the same order (for a diff: the profile, then the base).
    pub fn build(index: &Index, profiles: &[&Profile]) -> CallGraph {
        let stride = index.sample_types().len();
        let mut graph = CallGraph { stride, ..Default::default() };
        let mut node_ids: FxHashMap<u64, u32> = FxHashMap::default();
        let mut function_ids: FxHashMap<u64, u32> = FxHashMap::default();
        let mut node_seen: Vec<u32> = Vec::new();
        let mut function_seen: Vec<u32> = Vec::new();
        let mut values = vec![0i64; stride];
        let mut stamp = 0u32;
        for (profile, table) in profiles.iter().zip(&index.tables) {
            for sample in profile.iter_samples() {
                if !table.values(sample, &mut values) {
                    continue;
                }
                stamp = stamp.wrapping_add(1).max(1);
                let mut parent: Option<super::index::NodeRef> = None;
                for (r, inline) in table.frames(sample) {
                    let Some(p) = parent.replace(r) else { continue };
                    if p.node != r.node {
                        let key = u64::from(p.node) << 32 | u64::from(r.node);
                        let (id, new) = intern(&mut node_ids, key, graph.edges.len());
                        if new {
                            graph.edges.push(Edge { caller: NodeId(p.node), callee: NodeId(r.node), inline: true });
                            graph.weights.extend(std::iter::repeat_n(0, stride));
                            node_seen.push(0);
                        }
                        graph.edges[id].inline &= inline;
                        if node_seen[id] != stamp {
                            node_seen[id] = stamp;
                            add(&mut graph.weights[id * stride..][..stride], &values);
                        }
                    }
                    if p.function != r.function && p.function != NONE && r.function != NONE {
                        let key = u64::from(p.function) << 32 | u64::from(r.function);
                        let (id, new) = intern(&mut function_ids, key, graph.function_edges.len());
                        if new {
                            graph.function_edges.push((FuncId(p.function), FuncId(r.function)));
                            graph.function_weights.extend(std::iter::repeat_n(0, stride));
                            graph.function_sites.push(Vec::new());
                            function_seen.push(0);
                        }
                        let site = index.node(NodeId(p.node)).line;
                        if !graph.function_sites[id].contains(&site) {
                            graph.function_sites[id].push(site);
                        }
                        if function_seen[id] != stamp {
                            function_seen[id] = stamp;
                            add(&mut graph.function_weights[id * stride..][..stride], &values);
                        }
                    }
                }
            }
        }
        for sites in &mut graph.function_sites {
            sites.sort_unstable();
        }
        graph
    }

    /// The functions calling `f` (or called by it), with the value of the
    /// samples each call appears in, heaviest first. Calls of a function
    /// into itself are left out; calls whose weight is zero for `t` too.
    pub fn function_calls(&self, f: FuncId, t: SampleType, direction: Direction) -> Vec<FunctionCall> {
        let mut out: Vec<FunctionCall> = self
            .function_edges
            .iter()
            .enumerate()
            .filter_map(|(i, &(caller, callee))| {
                let other = match direction {
                    Direction::Incoming if callee == f => caller,
                    Direction::Outgoing if caller == f => callee,
                    _ => return None,
                };
                let weight = self.function_weights[i * self.stride + t.0];
                (weight != 0).then(|| FunctionCall { function: other, weight, sites: self.function_sites[i].clone() })
            })
            .collect();
        out.sort_by(|a, b| b.weight.unsigned_abs().cmp(&a.weight.unsigned_abs()).then_with(|| a.function.cmp(&b.function)));
        out
    }

    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The weight of edge number `i` for sample type `t`.
    pub fn weight(&self, i: usize, t: SampleType) -> i64 {
        self.weights[i * self.stride + t.0]
    }
}

/// The id of `key`, adding it as `next` if it is new; says whether it was.
fn intern(ids: &mut FxHashMap<u64, u32>, key: u64, next: usize) -> (usize, bool) {
    let id = *ids.entry(key).or_insert(next as u32) as usize;
    (id, id == next)
}

fn add(into: &mut [i64], values: &[i64]) {
    for (w, v) in into.iter_mut().zip(values) {
        *w = w.wrapping_add(*v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Function, FunctionIdx, Line, Location, LocationIdx, ValueType};

    /// A profile of `functions` in f.go whose locations are each one
    /// (function, line).
    fn profile(functions: &[&str], locations: &[(u32, i64)]) -> Profile {
        Profile {
            sample_types: vec![ValueType::new("v", "count")],
            functions: functions
                .iter()
                .map(|&name| Function { name: name.into(), filename: "f.go".into(), ..Default::default() })
                .collect(),
            locations: locations
                .iter()
                .map(|&(func, line)| Location {
                    lines: vec![Line { function: FunctionIdx(func), line, column: 0 }],
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn recursion_counts_an_edge_once_per_sample() {
        let mut p = profile(&["main", "rec"], &[(0, 1), (1, 5), (1, 6)]);
        // rec:6 ← rec:5 ← rec:6 ← rec:5 ← main:1 (leaf first)
        let stack: Vec<LocationIdx> = [2, 1, 2, 1, 0].iter().map(|&i| LocationIdx(i)).collect();
        p.push_sample(&stack, &[3], []);
        let index = Index::build(&p);
        let graph = CallGraph::build(&index, &[&p]);
        let weights: Vec<(String, String, i64)> = graph
            .edges()
            .iter()
            .enumerate()
            .map(|(i, e)| (index.node_name(e.caller), index.node_name(e.callee), graph.weight(i, SampleType(0))))
            .collect();
        assert_eq!(
            weights,
            vec![
                ("main f.go:1".into(), "rec f.go:5".into(), 3),
                ("rec f.go:5".into(), "rec f.go:6".into(), 3),
                ("rec f.go:6".into(), "rec f.go:5".into(), 3),
            ]
        );
    }

    #[test]
    fn function_calls_count_each_sample_once_and_list_sites() {
        // main:1, main:2, work:10, leaf:20
        let mut p = profile(&["main", "work", "leaf"], &[(0, 1), (0, 2), (1, 10), (2, 20)]);
        let stack = |ids: &[u32]| ids.iter().map(|&i| LocationIdx(i)).collect::<Vec<_>>();
        // leaf ← work ← main:2 ← work ← main:1: main calls work twice in one sample.
        p.push_sample(&stack(&[3, 2, 1, 2, 0]), &[7], []);
        p.push_sample(&stack(&[2, 0]), &[5], []);
        let index = Index::build(&p);
        let graph = CallGraph::build(&index, &[&p]);
        let id = |name: &str| index.function_ids().find(|&f| index.function(f).name == name).unwrap();
        let callers = graph.function_calls(id("work"), SampleType(0), Direction::Incoming);
        assert_eq!(callers, vec![FunctionCall { function: id("main"), weight: 12, sites: vec![1, 2] }]);
        let callees = graph.function_calls(id("work"), SampleType(0), Direction::Outgoing);
        assert_eq!(
            callees,
            vec![
                FunctionCall { function: id("main"), weight: 7, sites: vec![10] },
                FunctionCall { function: id("leaf"), weight: 7, sites: vec![10] },
            ]
        );
    }
}
