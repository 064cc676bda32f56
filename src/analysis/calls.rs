//! The call graph: caller→callee steps between the nodes of an [`Index`],
//! each weighted by the samples it appears in (once per sample, however
//! often recursion repeats it). Built on demand, since only call
//! hierarchies and caller lists need it.

use rustc_hash::FxHashMap;

use crate::profile::Profile;

use super::index::{Index, NodeId, NONE};
use super::select::SampleType;

/// A caller→callee step seen on some stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub caller: NodeId,
    pub callee: NodeId,
    /// True when every time this step was seen the callee was inlined.
    pub inline: bool,
}

#[derive(Clone, Debug, Default)]
pub struct CallGraph {
    edges: Vec<Edge>,
    weights: Vec<i64>,
    stride: usize,
}

impl CallGraph {
    /// Builds the graph of `index` from the profiles it was built from, in
    /// the same order (for a diff: the profile, then the base).
    pub fn build(index: &Index, profiles: &[&Profile]) -> CallGraph {
        let stride = index.sample_types().len();
        let mut graph = CallGraph { stride, ..Default::default() };
        let mut ids: FxHashMap<u64, u32> = FxHashMap::default();
        let mut seen: Vec<u32> = Vec::new();
        let mut values = vec![0i64; stride];
        let mut stamp = 0u32;
        for (profile, table) in profiles.iter().zip(&index.tables) {
            for sample in profile.iter_samples() {
                if !table.values(sample, &mut values) {
                    continue;
                }
                stamp = stamp.wrapping_add(1).max(1);
                let mut parent = NONE;
                for (r, inline) in table.frames(sample) {
                    if parent != NONE && parent != r.node {
                        let next = graph.edges.len() as u32;
                        let id = *ids.entry(u64::from(parent) << 32 | u64::from(r.node)).or_insert(next) as usize;
                        if id == next as usize {
                            graph.edges.push(Edge { caller: NodeId(parent), callee: NodeId(r.node), inline: true });
                            graph.weights.extend(std::iter::repeat_n(0, stride));
                            seen.push(0);
                        }
                        if seen[id] != stamp {
                            seen[id] = stamp;
                            graph.edges[id].inline &= inline;
                            for (w, v) in graph.weights[id * stride..][..stride].iter_mut().zip(&values) {
                                *w = w.wrapping_add(*v);
                            }
                        }
                    }
                    parent = r.node;
                }
            }
        }
        graph
    }

    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The weight of edge number `i` for sample type `t`.
    pub fn weight(&self, i: usize, t: SampleType) -> i64 {
        self.weights[i * self.stride + t.0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Function, FunctionIdx, Line, Location, LocationIdx, ValueType};

    #[test]
    fn recursion_counts_an_edge_once_per_sample() {
        let f = |name: &str| Function { name: name.into(), filename: "f.go".into(), ..Default::default() };
        let loc = |func: u32, line: i64| Location {
            lines: vec![Line { function: FunctionIdx(func), line, column: 0 }],
            ..Default::default()
        };
        let mut p = Profile {
            sample_types: vec![ValueType::new("v", "count")],
            functions: vec![f("main"), f("rec")],
            locations: vec![loc(0, 1), loc(1, 5), loc(1, 6)],
            ..Default::default()
        };
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
}
