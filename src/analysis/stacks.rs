//! The heaviest call stacks through a source line: the samples whose
//! stacks pass through any frame on the line, grouped by identical stack and
//! ranked by absolute value. Frames come out as plain data (function, file,
//! line), innermost first, ready to be shown.

use rustc_hash::FxHashMap;

use crate::profile::Profile;

use super::index::{Index, LineId, NodeId, NodeRef};
use super::select::SampleType;

/// One frame of a stack: a `Line` of a location, or a bare address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// `None` for a location the profile has no symbols for.
    pub function: Option<String>,
    /// The file as the profile spells it ("" when unknown).
    pub file: String,
    pub line: i64,
    pub address: u64,
}

/// A distinct stack and the sum of its samples' values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stack {
    /// Innermost first; inlined frames before the frame they are inlined into.
    pub frames: Vec<Frame>,
    pub value: i64,
}

/// The `limit` heaviest distinct stacks (by absolute value, then by stack
/// for a stable order) among samples with a nonzero value of type `t` whose
/// stack touches one of `lines`. `profiles` are the ones `index` was built
/// from, in the same order (for a diff: the profile, then the base, whose
/// values count negatively), so stacks are told apart by their frames, not
/// by any one profile's locations.
pub fn heaviest_through(profiles: &[&Profile], index: &Index, lines: &[LineId], t: SampleType, limit: usize) -> Vec<Stack> {
    if lines.is_empty() || limit == 0 {
        return Vec::new();
    }
    let touches_line = |r: &NodeRef| index.node(NodeId(r.node)).source_line.is_some_and(|l| lines.contains(&l));
    let mut by_stack: FxHashMap<Vec<u32>, i64> = FxHashMap::default();
    for (profile, table) in profiles.iter().zip(&index.tables) {
        let touches: Vec<bool> = (0..profile.locations.len())
            .map(|loc| table.refs[table.starts[loc] as usize..table.starts[loc + 1] as usize].iter().any(touches_line))
            .collect();
        if !touches.contains(&true) {
            continue;
        }
        for s in profile.iter_samples() {
            let value = s.values.get(t.0).copied().unwrap_or(0).wrapping_mul(table.sign);
            if value == 0 || !s.locations.iter().any(|l| touches[l.get()]) {
                continue;
            }
            // Innermost first, as the sample lists its locations.
            let nodes: Vec<u32> = s
                .locations
                .iter()
                .flat_map(|l| table.refs[table.starts[l.get()] as usize..table.starts[l.get() + 1] as usize].iter().map(|r| r.node))
                .collect();
            let sum = by_stack.entry(nodes).or_default();
            *sum = sum.wrapping_add(value);
        }
    }
    let mut ranked: Vec<(Vec<u32>, i64)> = by_stack.into_iter().filter(|(_, v)| *v != 0).collect();
    ranked.sort_by(|a, b| b.1.unsigned_abs().cmp(&a.1.unsigned_abs()).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(limit);
    ranked.into_iter().map(|(nodes, value)| Stack { frames: nodes.iter().map(|&n| frame(index, NodeId(n))).collect(), value }).collect()
}

fn frame(index: &Index, n: NodeId) -> Frame {
    let node = index.node(n);
    match node.function {
        None => Frame { function: None, file: String::new(), line: 0, address: node.address },
        Some(f) => {
            let info = index.function(f);
            Frame {
                function: Some(info.name.clone()),
                // The node's own file: a function inlined into a caller in
                // another file may be recorded under the caller's.
                file: node.file.map(|id| index.file(id).to_string()).unwrap_or_default(),
                line: node.line,
                address: node.address,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Index;
    use crate::profile::{Function, FunctionIdx, Line, Location, LocationIdx, ValueType};

    fn profile() -> Profile {
        let f = |name: &str, file: &str| Function { name: name.into(), filename: file.into(), ..Default::default() };
        let loc = |lines: &[(u32, i64)]| Location {
            lines: lines.iter().map(|&(func, line)| Line { function: FunctionIdx(func), line, column: 0 }).collect(),
            ..Default::default()
        };
        let mut p = Profile {
            sample_types: vec![ValueType::new("v", "count")],
            functions: vec![f("main", "m.go"), f("hot", "h.go"), f("cold", "c.go")],
            // 0: main:10, 1: hot:5, 2: cold:7 with hot:6 inlined into it
            locations: vec![loc(&[(0, 10)]), loc(&[(1, 5)]), loc(&[(1, 6), (2, 7)])],
            ..Default::default()
        };
        p.push_sample(&[LocationIdx(1), LocationIdx(0)], &[5], []);
        p.push_sample(&[LocationIdx(1), LocationIdx(0)], &[4], []);
        p.push_sample(&[LocationIdx(2), LocationIdx(0)], &[-20], []);
        p.push_sample(&[LocationIdx(0)], &[100], []);
        p
    }

    fn line_of(index: &Index, file: &str, line: i64) -> LineId {
        index.line_ids().find(|&l| index.file(index.line(l).file) == file && index.line(l).line == line).unwrap()
    }

    #[test]
    fn stacks_are_grouped_ranked_and_resolved() {
        let p = profile();
        let index = Index::build(&p);
        let main = line_of(&index, "m.go", 10);
        let stacks = heaviest_through(&[&p], &index, &[main], SampleType(0), 10);
        assert_eq!(stacks.iter().map(|s| s.value).collect::<Vec<_>>(), vec![100, -20, 9]);
        let inlined = &stacks[1].frames;
        let names: Vec<String> =
            inlined.iter().map(|f| format!("{} {}:{}", f.function.as_deref().unwrap(), f.file, f.line)).collect();
        assert_eq!(names, ["hot h.go:6", "cold c.go:7", "main m.go:10"]);
        assert_eq!(heaviest_through(&[&p], &index, &[main], SampleType(0), 1).len(), 1);
    }

    #[test]
    fn only_stacks_through_the_line_count() {
        let p = profile();
        let index = Index::build(&p);
        let hot6 = line_of(&index, "h.go", 6);
        let stacks = heaviest_through(&[&p], &index, &[hot6], SampleType(0), 10);
        assert_eq!(stacks.len(), 1);
        assert_eq!(stacks[0].value, -20);
        assert!(heaviest_through(&[&p], &index, &[], SampleType(0), 10).is_empty());
    }

    #[test]
    fn a_diff_subtracts_the_base_stack_by_stack() {
        let new = profile();
        let mut base = profile();
        // The base has the first stack too, with less; the same frames in a
        // different profile are the same stack.
        base.sample_values[0] = 1;
        let index = Index::build_diff(&new, &base).unwrap();
        let main = line_of(&index, "m.go", 10);
        let stacks = heaviest_through(&[&new, &base], &index, &[main], SampleType(0), 10);
        // hot:5 ← main: (5 + 4) − (1 + 4); the other stacks cancel out.
        assert_eq!(stacks.iter().map(|s| s.value).collect::<Vec<_>>(), vec![4]);
        assert_eq!(stacks[0].frames[0].function.as_deref(), Some("hot"));
    }
}
