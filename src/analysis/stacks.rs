//! The heaviest call stacks through a source line: the samples whose
//! stacks pass through any frame on the line, grouped by identical stack and
//! ranked by absolute value. Frames come out as plain data (function, file,
//! line), innermost first, ready to be shown.

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use crate::profile::{Profile, SampleRef};

use super::index::{Index, LineId, LocationTable, NodeId, NONE};
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
///
/// This builds a [`StackIndex`] for one question; to ask about many lines,
/// build it once.
pub fn heaviest_through(profiles: &[&Profile], index: &Index, lines: &[LineId], t: SampleType, limit: usize) -> Vec<Stack> {
    if lines.is_empty() || limit == 0 {
        return Vec::new();
    }
    StackIndex::build(profiles, index).heaviest(profiles, index, lines, t, limit)
}

/// Which samples pass through each source line, and which samples share a
/// stack (the same frames, in any of the indexed profiles). Built in two
/// walks over every frame, once per profile; after that the stacks through
/// a line visit only the samples through it.
///
/// Samples are numbered across the indexed profiles: the first profile's,
/// then the base's. A stack is known by one of its samples, so no frames
/// are stored twice.
pub struct StackIndex {
    /// Where each profile's samples start in the numbering; one more entry
    /// than profiles.
    offsets: Vec<usize>,
    /// Each sample's stack.
    stack_of: Vec<u32>,
    /// Each stack's first sample.
    stack_sample: Vec<u32>,
    /// Whether more than one sample has the stack.
    stack_shared: Vec<bool>,
    /// Each line's samples, ascending, back to back: line `l`'s are
    /// `line_samples[line_starts[l]..line_starts[l + 1]]`.
    line_starts: Vec<u32>,
    line_samples: Vec<u32>,
}

/// The nodes of one sample's stack, innermost first.
fn sample_nodes<'p>(table: &'p LocationTable, sample: SampleRef<'p>) -> impl Iterator<Item = u32> + 'p {
    sample.locations.iter().flat_map(move |l| table.refs[table.starts[l.get()] as usize..table.starts[l.get() + 1] as usize].iter().map(|r| r.node))
}

impl StackIndex {
    /// Indexes the samples of `profiles`, the profiles `index` was built
    /// from, in its order. Stacks and lines are indexed on two threads.
    pub fn build(profiles: &[&Profile], index: &Index) -> StackIndex {
        let mut offsets = vec![0usize];
        for p in profiles {
            offsets.push(offsets.last().copied().unwrap_or(0) + p.samples.len());
        }
        assert!(offsets.last().copied().unwrap_or(0) < u32::MAX as usize, "too many samples to index");
        let ((stack_of, stack_sample, stack_shared), (line_starts, line_samples)) = std::thread::scope(|scope| {
            let lines = scope.spawn(|| samples_by_line(profiles, index));
            let stacks = stacks_of_samples(profiles, index, &offsets);
            // Indexing lines cannot panic; if it somehow did, index them here.
            (stacks, lines.join().unwrap_or_else(|_| samples_by_line(profiles, index)))
        });
        StackIndex { offsets, stack_of, stack_sample, stack_shared, line_starts, line_samples }
    }

    /// The memory the index holds, in bytes.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(&self.offsets[..])
            + 4 * (self.stack_of.len() + self.stack_sample.len() + self.line_starts.len() + self.line_samples.len())
            + self.stack_shared.len()
    }

    /// The samples through one line, ascending.
    fn samples_through(&self, line: LineId) -> &[u32] {
        let (start, end) = (self.line_starts[line.get()], self.line_starts[line.get() + 1]);
        &self.line_samples[start as usize..end as usize]
    }

    /// The profile of a sample, and the sample's position in it.
    fn locate(&self, g: u32) -> (usize, usize) {
        let p = self.offsets.partition_point(|&o| o <= g as usize) - 1;
        (p, g as usize - self.offsets[p])
    }

    /// The nodes of a stack, innermost first.
    fn nodes<'a>(&self, profiles: &[&'a Profile], index: &'a Index, stack: u32) -> impl Iterator<Item = u32> + 'a {
        let (p, i) = self.locate(self.stack_sample[stack as usize]);
        sample_nodes(&index.tables[p], profiles[p].sample(i))
    }

    /// What [`heaviest_through`] answers, from this index. `profiles` and
    /// `index` must be the ones it was built from.
    pub fn heaviest(&self, profiles: &[&Profile], index: &Index, lines: &[LineId], t: SampleType, limit: usize) -> Vec<Stack> {
        if lines.is_empty() || limit == 0 {
            return Vec::new();
        }
        let merged: Vec<u32>;
        let samples: &[u32] = match lines {
            [one] => self.samples_through(*one),
            _ => {
                let mut all: Vec<u32> = lines.iter().flat_map(|&l| self.samples_through(l).iter().copied()).collect();
                all.sort_unstable();
                all.dedup();
                merged = all;
                &merged
            }
        };
        let mut sums: FxHashMap<u32, i64> = FxHashMap::default();
        let mut best = Best { limit, kept: Vec::with_capacity(limit + 1) };
        let mut profile_end = 0;
        let (mut p, mut values, mut sample_values, mut sign) = (usize::MAX, &[][..], &[][..], 1);
        for &g in samples {
            if g as usize >= profile_end {
                p = self.locate(g).0;
                profile_end = self.offsets[p + 1];
                (values, sample_values, sign) = (&profiles[p].samples[..], &profiles[p].sample_values[..], index.tables[p].sign);
            }
            let s = &values[g as usize - self.offsets[p]];
            let raw = if (t.0 as u32) < s.values.1 - s.values.0 { sample_values[s.values.0 as usize + t.0] } else { 0 };
            let value = raw.wrapping_mul(sign);
            if value == 0 {
                continue;
            }
            let st = self.stack_of[g as usize];
            if self.stack_shared[st as usize] {
                let sum = sums.entry(st).or_default();
                *sum = sum.wrapping_add(value);
            } else {
                best.offer(self, profiles, index, st, value);
            }
        }
        for (st, value) in sums {
            if value != 0 {
                best.offer(self, profiles, index, st, value);
            }
        }
        best.kept
            .into_iter()
            .map(|(st, value)| Stack { frames: self.nodes(profiles, index, st).map(|n| frame(index, NodeId(n))).collect(), value })
            .collect()
    }
}

/// The heaviest stacks offered so far, in their final order.
struct Best {
    limit: usize,
    kept: Vec<(u32, i64)>,
}

impl Best {
    /// Keeps a stack if it ranks among the first `limit`: by |value|
    /// descending, then by its nodes ascending.
    fn offer(&mut self, stacks: &StackIndex, profiles: &[&Profile], index: &Index, stack: u32, value: i64) {
        let before = |other: &(u32, i64)| {
            let (a, b) = (value.unsigned_abs(), other.1.unsigned_abs());
            a > b || (a == b && stacks.nodes(profiles, index, stack).lt(stacks.nodes(profiles, index, other.0)))
        };
        if self.kept.len() == self.limit && !self.kept.last().is_some_and(before) {
            return;
        }
        let at = self.kept.iter().position(before).unwrap_or(self.kept.len());
        self.kept.insert(at, (stack, value));
        self.kept.truncate(self.limit);
    }
}

/// Each sample's stack (samples with the same nodes share one), each
/// stack's first sample, and whether other samples have it too.
fn stacks_of_samples(profiles: &[&Profile], index: &Index, offsets: &[usize]) -> (Vec<u32>, Vec<u32>, Vec<bool>) {
    let total = offsets.last().copied().unwrap_or(0);
    let mut stack_of = Vec::with_capacity(total);
    let mut stack_sample: Vec<u32> = Vec::with_capacity(total);
    let mut stack_shared: Vec<bool> = Vec::with_capacity(total);
    // Stacks by the hash of their nodes; stacks whose hashes collide are
    // chained through `next`.
    let mut by_hash: FxHashMap<u64, u32> = FxHashMap::default();
    by_hash.reserve(total);
    let mut next: Vec<u32> = Vec::with_capacity(total);
    let sample_at = |g: u32| -> (&LocationTable, SampleRef<'_>) {
        let p = offsets.partition_point(|&o| o <= g as usize) - 1;
        (&index.tables[p], profiles[p].sample(g as usize - offsets[p]))
    };
    for (p, (profile, table)) in profiles.iter().zip(&index.tables).enumerate() {
        for (i, sample) in profile.iter_samples().enumerate() {
            let g = (offsets[p] + i) as u32;
            let mut hash = FxHasher::default();
            for n in sample_nodes(table, sample) {
                hash.write_u32(n);
            }
            let key = hash.finish();
            let mut found = by_hash.get(&key).copied();
            while let Some(st) = found {
                let (other_table, other) = sample_at(stack_sample[st as usize]);
                if sample_nodes(table, sample).eq(sample_nodes(other_table, other)) {
                    break;
                }
                found = Some(next[st as usize]).filter(|&n| n != NONE);
            }
            let st = match found {
                Some(st) => {
                    stack_shared[st as usize] = true;
                    st
                }
                None => {
                    let st = stack_sample.len() as u32;
                    stack_sample.push(g);
                    stack_shared.push(false);
                    next.push(by_hash.insert(key, st).unwrap_or(NONE));
                    st
                }
            };
            stack_of.push(st);
        }
    }
    (stack_of, stack_sample, stack_shared)
}

/// Each line's samples in sample order, back to back, and where each
/// line's start (one more entry than lines).
fn samples_by_line(profiles: &[&Profile], index: &Index) -> (Vec<u32>, Vec<u32>) {
    let lines = index.lines().len();
    // Per line: the last sample that reached it, and its count (then its
    // next free slot), side by side so one cache line holds both.
    let mut per_line = vec![(u32::MAX, 0u32); lines];
    let tables: Vec<(Vec<u32>, Vec<u32>)> = index.tables.iter().map(|t| location_lines(index, t)).collect();
    let each = |per_line: &mut Vec<(u32, u32)>, f: &mut dyn FnMut(&mut (u32, u32), u32)| {
        let mut g = 0u32;
        for (profile, (starts, lines)) in profiles.iter().zip(&tables) {
            for sample in profile.iter_samples() {
                for l in sample.locations {
                    for &line in &lines[starts[l.get()] as usize..starts[l.get() + 1] as usize] {
                        let slot = &mut per_line[line as usize];
                        if slot.0 != g {
                            slot.0 = g;
                            f(slot, g);
                        }
                    }
                }
                g += 1;
            }
        }
    };
    each(&mut per_line, &mut |slot, _| slot.1 += 1);
    let mut line_starts = Vec::with_capacity(lines + 1);
    let mut sum = 0u32;
    for slot in &mut per_line {
        line_starts.push(sum);
        sum += slot.1;
        *slot = (u32::MAX, line_starts[line_starts.len() - 1]);
    }
    line_starts.push(sum);
    let mut line_samples = vec![0u32; sum as usize];
    each(&mut per_line, &mut |slot, g| {
        line_samples[slot.1 as usize] = g;
        slot.1 += 1;
    });
    (line_starts, line_samples)
}

/// The distinct source lines of each location of a profile, flattened:
/// location `l`'s are `lines[starts[l]..starts[l + 1]]`.
fn location_lines(index: &Index, table: &LocationTable) -> (Vec<u32>, Vec<u32>) {
    let mut starts = Vec::with_capacity(table.starts.len());
    let mut lines = Vec::with_capacity(table.refs.len());
    for w in table.starts.windows(2) {
        let first = lines.len();
        starts.push(first as u32);
        for r in &table.refs[w[0] as usize..w[1] as usize] {
            if let Some(l) = index.node(NodeId(r.node)).source_line {
                if !lines[first..].contains(&l.0) {
                    lines.push(l.0);
                }
            }
        }
    }
    starts.push(lines.len() as u32);
    (starts, lines)
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
    use crate::analysis::test_profiles::profile as from_stacks;
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

    /// The stacks through a line by the plain definition: every sample,
    /// grouped by its nodes, ranked by |value| then nodes.
    fn by_definition(profiles: &[&Profile], index: &Index, lines: &[LineId], t: SampleType, limit: usize) -> Vec<Stack> {
        let mut by_stack: FxHashMap<Vec<u32>, i64> = FxHashMap::default();
        for (profile, table) in profiles.iter().zip(&index.tables) {
            for s in profile.iter_samples() {
                let nodes: Vec<u32> = sample_nodes(table, s).collect();
                let through = nodes.iter().any(|&n| index.node(NodeId(n)).source_line.is_some_and(|l| lines.contains(&l)));
                let value = s.values[t.0].wrapping_mul(table.sign);
                if through && value != 0 {
                    *by_stack.entry(nodes).or_default() += value;
                }
            }
        }
        let mut ranked: Vec<(Vec<u32>, i64)> = by_stack.into_iter().filter(|(_, v)| *v != 0).collect();
        ranked.sort_by(|a, b| b.1.unsigned_abs().cmp(&a.1.unsigned_abs()).then_with(|| a.0.cmp(&b.0)));
        ranked.truncate(limit);
        ranked.into_iter().map(|(nodes, value)| Stack { frames: nodes.iter().map(|&n| frame(index, NodeId(n))).collect(), value }).collect()
    }

    /// Random stacks over a few frames, with recursion, inlining, repeated
    /// stacks (through different locations of one line) and many ties.
    fn random_profile(seed: u64, samples: usize) -> Profile {
        let frames = ["a:1", "a:2", "b:1", "b:1+c:4", "c:4", "d:9", "d:9+a:1", "e:3", "main:1", "main:2"];
        let mut state = seed;
        let mut next = |n: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let stacks: Vec<(String, i64)> = (0..samples)
            .map(|_| {
                let depth = 1 + next(6) as usize;
                let stack: Vec<&str> = (0..depth).map(|_| frames[next(frames.len() as u64) as usize]).collect();
                (stack.join(" "), next(7) as i64 - 3)
            })
            .collect();
        let refs: Vec<(&str, i64)> = stacks.iter().map(|(s, v)| (s.as_str(), *v)).collect();
        from_stacks(&refs)
    }

    #[test]
    fn the_index_answers_as_the_definition_does() {
        for seed in 0..20 {
            let p = random_profile(seed, 60);
            let base = random_profile(seed + 100, 40);
            let single = Index::build(&p);
            // The base needs the same sample types; `profile` gives both one.
            let diff = Index::build_diff(&p, &base).unwrap();
            for (index, profiles) in [(&single, vec![&p]), (&diff, vec![&p, &base])] {
                let stacks = StackIndex::build(&profiles, index);
                let all: Vec<LineId> = index.line_ids().collect();
                let mut questions: Vec<Vec<LineId>> = all.iter().map(|&l| vec![l]).collect();
                questions.push(all.iter().copied().step_by(2).collect());
                questions.push(all.clone());
                for lines in &questions {
                    for limit in [1, 3, 100] {
                        let want = by_definition(&profiles, index, lines, SampleType(0), limit);
                        assert_eq!(stacks.heaviest(&profiles, index, lines, SampleType(0), limit), want, "seed {seed}, lines {lines:?}");
                    }
                }
            }
        }
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
