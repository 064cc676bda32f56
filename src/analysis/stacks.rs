//! The heaviest call stacks through a source line: the samples whose
//! stacks pass through any frame on the line, grouped by identical stack and
//! ranked by absolute value. Frames come out as plain data (function, file,
//! line), innermost first, ready to be shown.

use rustc_hash::FxHashMap;

use crate::profile::{LocationIdx, Profile};

use super::index::{Index, LineId};
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
/// stack touches one of `lines`. `index` must have been built from
/// `profile` alone (not a diff).
pub fn heaviest_through(profile: &Profile, index: &Index, lines: &[LineId], t: SampleType, limit: usize) -> Vec<Stack> {
    let Some(table) = index.tables.first() else { return Vec::new() };
    if lines.is_empty() || limit == 0 {
        return Vec::new();
    }
    let touches: Vec<bool> = (0..profile.locations.len())
        .map(|loc| {
            table.refs[table.starts[loc] as usize..table.starts[loc + 1] as usize]
                .iter()
                .any(|r| index.node(super::index::NodeId(r.node)).source_line.is_some_and(|l| lines.contains(&l)))
        })
        .collect();
    if !touches.contains(&true) {
        return Vec::new();
    }
    let mut by_stack: FxHashMap<&[LocationIdx], i64> = FxHashMap::default();
    for s in profile.iter_samples() {
        let value = s.values.get(t.0).copied().unwrap_or(0);
        if value != 0 && s.locations.iter().any(|l| touches[l.get()]) {
            let sum = by_stack.entry(s.locations).or_default();
            *sum = sum.wrapping_add(value);
        }
    }
    let mut ranked: Vec<(&[LocationIdx], i64)> = by_stack.into_iter().filter(|(_, v)| *v != 0).collect();
    ranked.sort_by(|a, b| b.1.unsigned_abs().cmp(&a.1.unsigned_abs()).then_with(|| a.0.cmp(b.0)));
    ranked.truncate(limit);
    ranked.into_iter().map(|(locations, value)| Stack { frames: frames(profile, locations), value }).collect()
}

fn frames(profile: &Profile, locations: &[LocationIdx]) -> Vec<Frame> {
    let mut out = Vec::new();
    for &loc in locations {
        let loc = profile.location(loc);
        if loc.lines.is_empty() {
            out.push(Frame { function: None, file: String::new(), line: 0, address: loc.address });
        }
        for l in &loc.lines {
            let f = profile.function(l.function);
            out.push(Frame { function: Some(f.name.clone()), file: f.filename.clone(), line: l.line, address: loc.address });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Index;
    use crate::profile::{Function, FunctionIdx, Line, Location, ValueType};

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
        let stacks = heaviest_through(&p, &index, &[main], SampleType(0), 10);
        assert_eq!(stacks.iter().map(|s| s.value).collect::<Vec<_>>(), vec![100, -20, 9]);
        let inlined = &stacks[1].frames;
        let names: Vec<String> =
            inlined.iter().map(|f| format!("{} {}:{}", f.function.as_deref().unwrap(), f.file, f.line)).collect();
        assert_eq!(names, ["hot h.go:6", "cold c.go:7", "main m.go:10"]);
        assert_eq!(heaviest_through(&p, &index, &[main], SampleType(0), 1).len(), 1);
    }

    #[test]
    fn only_stacks_through_the_line_count() {
        let p = profile();
        let index = Index::build(&p);
        let hot6 = line_of(&index, "h.go", 6);
        let stacks = heaviest_through(&p, &index, &[hot6], SampleType(0), 10);
        assert_eq!(stacks.len(), 1);
        assert_eq!(stacks[0].value, -20);
        assert!(heaviest_through(&p, &index, &[], SampleType(0), 10).is_empty());
    }
}
