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

/// Which distinct stacks (the same frames, in any of the indexed profiles)
/// pass through each source line, each stack's total per sample type, and
/// per type the heaviest stacks of all, in rank order. Built in two walks
/// over every frame, once per profile. After that, a line on a large share
/// of the stacks finds its heaviest by walking the ranked stacks and keeping
/// those that pass through it, and any other line visits only the distinct
/// stacks through it, reading one contiguous value per stack.
///
/// Samples are numbered across the indexed profiles: the first profile's,
/// then the base's. A stack is known by one of its samples, so no frames
/// are stored twice.
pub struct StackIndex {
    /// Where each profile's samples start in the numbering; one more entry
    /// than profiles.
    offsets: Vec<usize>,
    /// Each stack's first sample; stacks are numbered in the order of their
    /// first samples.
    stack_sample: Vec<u32>,
    /// The sum over each stack's samples of their values (negated for the
    /// base of a diff), one column per sample type: type `t`'s are
    /// `totals[t * stacks..(t + 1) * stacks]`.
    totals: Vec<i64>,
    /// Each line's stacks, ascending, back to back: line `l`'s are
    /// `line_stacks[line_starts[l]..line_starts[l + 1]]`.
    line_starts: Vec<u32>,
    line_stacks: Vec<u32>,
    /// Per sample type, its heaviest stacks (see [`Ranked`]).
    ranked: Vec<Ranked>,
}

/// How many of each sample type's heaviest stacks the index ranks ahead.
const RANKED: usize = 1024;

/// A line is answered from the ranked stacks when it is on at least this
/// fraction (1 in `WALK_SHARE`) of all stacks: then the heaviest stacks of
/// the profile are likely through it, and a scan of its own would be long.
const WALK_SHARE: usize = 16;

/// One sample type's heaviest stacks: every stack whose total's absolute
/// value is above a threshold, by that value descending, then by stack
/// number. Stacks of equal value are therefore all present or all absent,
/// and are ordered among themselves only when they are offered to [`Best`].
struct Ranked {
    stacks: Vec<u32>,
    /// Whether these are all the stacks with a nonzero total.
    complete: bool,
}

impl Ranked {
    /// Ranks at most `keep` stacks of `totals` (fewer when the value at the
    /// cut is shared by stacks on both sides of it).
    fn new(totals: &[i64], keep: usize) -> Ranked {
        let nonzero = totals.iter().filter(|&&v| v != 0).count();
        let complete = nonzero <= keep;
        let threshold = if complete {
            0
        } else if keep == 0 {
            u64::MAX
        } else {
            let mut values: Vec<u64> = totals.iter().map(|v| v.unsigned_abs()).filter(|&v| v != 0).collect();
            let (_, &mut at_cut, _) = values.select_nth_unstable_by(keep - 1, |a, b| b.cmp(a));
            // Keep only values above the cut, so no value is split.
            at_cut
        };
        let mut stacks: Vec<u32> = (0..totals.len() as u32).filter(|&st| totals[st as usize].unsigned_abs() > threshold).collect();
        stacks.sort_unstable_by_key(|&st| (std::cmp::Reverse(totals[st as usize].unsigned_abs()), st));
        Ranked { stacks, complete }
    }
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
        let ((stack_of, stack_sample, totals), (mut line_starts, mut line_stacks)) = std::thread::scope(|scope| {
            let lines = scope.spawn(|| samples_by_line(profiles, index));
            let stacks = stacks_of_samples(profiles, index, &offsets);
            // Indexing lines cannot panic; if it somehow did, index them here.
            (stacks, lines.join().unwrap_or_else(|_| samples_by_line(profiles, index)))
        });
        // All samples of a stack pass through the same lines, so a line's
        // stacks are those of its samples that are their stack's first;
        // stacks are numbered in that order, so they stay ascending.
        // Keeping only those turns the lists of samples into lists of
        // stacks, in place.
        let mut kept = 0usize;
        for l in 0..line_starts.len().saturating_sub(1) {
            let (start, end) = (line_starts[l] as usize, line_starts[l + 1] as usize);
            line_starts[l] = kept as u32;
            for i in start..end {
                let g = line_stacks[i];
                let st = stack_of[g as usize];
                if stack_sample[st as usize] == g {
                    line_stacks[kept] = st;
                    kept += 1;
                }
            }
        }
        if let Some(last) = line_starts.last_mut() {
            *last = kept as u32;
        }
        line_stacks.truncate(kept);
        line_stacks.shrink_to_fit();
        let mut index = StackIndex { offsets, stack_sample, totals, line_starts, line_stacks, ranked: Vec::new() };
        index.rank(RANKED);
        index
    }

    /// Ranks each sample type's `keep` heaviest stacks.
    fn rank(&mut self, keep: usize) {
        let n = self.stack_sample.len();
        self.ranked = if n == 0 { Vec::new() } else { self.totals.chunks(n).map(|totals| Ranked::new(totals, keep)).collect() };
    }

    /// The memory the index holds, in bytes.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(&self.offsets[..])
            + 4 * (self.stack_sample.len() + self.line_starts.len() + self.line_stacks.len())
            + 8 * self.totals.len()
            + self.ranked.iter().map(|r| 4 * r.stacks.len()).sum::<usize>()
    }

    /// The stacks through one line, ascending.
    fn stacks_through(&self, line: LineId) -> &[u32] {
        let (start, end) = (self.line_starts[line.get()], self.line_starts[line.get() + 1]);
        &self.line_stacks[start as usize..end as usize]
    }

    /// Each stack's total of sample type `t`; `None` when no sample has a
    /// value of that type.
    fn totals_of(&self, t: SampleType) -> Option<&[i64]> {
        let n = self.stack_sample.len();
        self.totals.get(t.0 * n..(t.0 + 1) * n)
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
        let Some(totals) = self.totals_of(t) else {
            return Vec::new();
        };
        let merged: Vec<u32>;
        let stacks: &[u32] = match lines {
            [one] => self.stacks_through(*one),
            _ => {
                let mut all: Vec<u32> = lines.iter().flat_map(|&l| self.stacks_through(l).iter().copied()).collect();
                all.sort_unstable();
                all.dedup();
                merged = all;
                &merged
            }
        };
        let kept = match self.ranked.get(t.0) {
            Some(ranked) if stacks.len() * WALK_SHARE >= self.stack_sample.len() => {
                self.by_rank(profiles, index, totals, ranked, stacks, limit)
            }
            _ => None,
        };
        let kept = kept.unwrap_or_else(|| self.by_scan(profiles, index, totals, stacks, limit));
        kept.into_iter()
            .map(|(st, value)| Stack { frames: self.nodes(profiles, index, st).map(|n| frame(index, NodeId(n))).collect(), value })
            .collect()
    }

    /// The heaviest of `stacks` (ascending), ranked by visiting each.
    fn by_scan(&self, profiles: &[&Profile], index: &Index, totals: &[i64], stacks: &[u32], limit: usize) -> Vec<(u32, i64)> {
        let mut best = Best { limit, kept: Vec::with_capacity(limit + 1) };
        for &st in stacks {
            let value = totals[st as usize];
            if value != 0 {
                best.offer(self, profiles, index, st, value);
            }
        }
        best.kept
    }

    /// The heaviest of `stacks` (ascending), found by walking the type's
    /// ranked stacks a group of equal values at a time and keeping those in
    /// `stacks`; `None` when the ranked stacks run out before `limit` are
    /// found and stacks outside them might rank next.
    fn by_rank(
        &self,
        profiles: &[&Profile],
        index: &Index,
        totals: &[i64],
        ranked: &Ranked,
        stacks: &[u32],
        limit: usize,
    ) -> Option<Vec<(u32, i64)>> {
        let mut best = Best { limit, kept: Vec::with_capacity(limit + 1) };
        let mut group = ranked.stacks.as_slice();
        while let Some(&first) = group.first() {
            let value = totals[first as usize].unsigned_abs();
            let end = group.iter().position(|&st| totals[st as usize].unsigned_abs() != value).unwrap_or(group.len());
            for &st in &group[..end] {
                if stacks.binary_search(&st).is_ok() {
                    best.offer(self, profiles, index, st, totals[st as usize]);
                }
            }
            // Every stack not offered yet has a smaller value than this
            // group's, so a full list is final.
            if best.kept.len() == limit {
                return Some(best.kept);
            }
            group = &group[end..];
        }
        ranked.complete.then_some(best.kept)
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
/// stack's first sample, and each stack's totals (see
/// [`StackIndex::totals`]).
fn stacks_of_samples(profiles: &[&Profile], index: &Index, offsets: &[usize]) -> (Vec<u32>, Vec<u32>, Vec<i64>) {
    let total = offsets.last().copied().unwrap_or(0);
    let mut stack_of = Vec::with_capacity(total);
    let mut stack_sample: Vec<u32> = Vec::with_capacity(total);
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
            let st = found.unwrap_or_else(|| {
                let st = stack_sample.len() as u32;
                stack_sample.push(g);
                next.push(by_hash.insert(key, st).unwrap_or(NONE));
                st
            });
            stack_of.push(st);
        }
    }
    stack_sample.shrink_to_fit();
    let totals = stack_totals(profiles, index, &stack_of, stack_sample.len());
    (stack_of, stack_sample, totals)
}

/// Each stack's totals per sample type, column by column (see
/// [`StackIndex::totals`]); as many columns as the most values any sample
/// has. A sample without a value of a type counts as 0 for it.
fn stack_totals(profiles: &[&Profile], index: &Index, stack_of: &[u32], stacks: usize) -> Vec<i64> {
    let types = profiles.iter().flat_map(|p| p.iter_samples()).map(|s| s.values.len()).max().unwrap_or(0);
    let mut totals = vec![0i64; types * stacks];
    let mut g = 0usize;
    for (profile, table) in profiles.iter().zip(&index.tables) {
        for sample in profile.iter_samples() {
            let st = stack_of[g] as usize;
            for (t, &v) in sample.values.iter().enumerate() {
                let total = &mut totals[t * stacks + st];
                *total = total.wrapping_add(v.wrapping_mul(table.sign));
            }
            g += 1;
        }
    }
    totals
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
                let mut stacks = StackIndex::build(&profiles, index);
                let all: Vec<LineId> = index.line_ids().collect();
                let mut questions: Vec<Vec<LineId>> = all.iter().map(|&l| vec![l]).collect();
                questions.push(all.iter().copied().step_by(2).collect());
                questions.push(all.clone());
                // All stacks ranked ahead, then only the heaviest few, so
                // that the ranked ones run out (or cut a group of equals).
                for keep in [RANKED, 7, 3, 1, 0] {
                    stacks.rank(keep);
                    for lines in &questions {
                        for limit in [1, 3, 100] {
                            let want = by_definition(&profiles, index, lines, SampleType(0), limit);
                            let got = stacks.heaviest(&profiles, index, lines, SampleType(0), limit);
                            assert_eq!(got, want, "seed {seed}, keep {keep}, lines {lines:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn each_sample_type_is_ranked_on_its_own() {
        let mut p = profile();
        p.sample_types.push(ValueType::new("w", "bytes"));
        // The same stacks with a second value each; the first sample's
        // ranks low in the first type and high in the second.
        let seconds = [30, 2, 3, 0];
        let samples = std::mem::take(&mut p.samples);
        let values = std::mem::take(&mut p.sample_values);
        let locations = std::mem::take(&mut p.sample_locations);
        for (i, s) in samples.iter().enumerate() {
            let locs = &locations[s.locations.0 as usize..s.locations.1 as usize];
            p.push_sample(locs, &[values[s.values.0 as usize], seconds[i]], []);
        }
        let index = Index::build(&p);
        let stacks = StackIndex::build(&[&p], &index);
        let all: Vec<LineId> = index.line_ids().collect();
        for t in [SampleType(0), SampleType(1)] {
            for &l in &all {
                assert_eq!(stacks.heaviest(&[&p], &index, &[l], t, 10), by_definition(&[&p], &index, &[l], t, 10), "{t:?}");
            }
        }
        let main = line_of(&index, "m.go", 10);
        assert_eq!(stacks.heaviest(&[&p], &index, &[main], SampleType(1), 10).iter().map(|s| s.value).collect::<Vec<_>>(), vec![32, 3]);
        // No sample has a third value: nothing to rank.
        assert!(stacks.heaviest(&[&p], &index, &all, SampleType(2), 10).is_empty());
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

    /// The stacks through a line as the index answered before it ranked
    /// stacks ahead: every distinct stack through the line, visited.
    fn by_scan_only(stacks: &StackIndex, profiles: &[&Profile], index: &Index, line: LineId, t: SampleType, limit: usize) -> Vec<Stack> {
        let Some(totals) = stacks.totals_of(t) else {
            return Vec::new();
        };
        let kept = stacks.by_scan(profiles, index, totals, stacks.stacks_through(line), limit);
        kept.into_iter()
            .map(|(st, value)| Stack { frames: stacks.nodes(profiles, index, st).map(|n| frame(index, NodeId(n))).collect(), value })
            .collect()
    }

    #[test]
    fn ranked_stacks_answer_as_the_scan_does_on_the_fixtures() {
        let fixtures: [(&str, &[u8]); 5] = [
            ("heap", include_bytes!("../../tests/fixtures/profiles/heap.pb.gz")),
            ("cpu", include_bytes!("../../tests/fixtures/profiles/cpu.pb.gz")),
            ("heap2", include_bytes!("../../tests/fixtures/profiles/heap2.pb.gz")),
            ("goroutine", include_bytes!("../../tests/fixtures/profiles/goroutine.pb.gz")),
            ("mutex", include_bytes!("../../tests/fixtures/profiles/mutex.pb.gz")),
        ];
        for (name, bytes) in fixtures {
            let p = crate::profile::decode(bytes, &Default::default()).unwrap();
            let index = Index::build(&p);
            let mut stacks = StackIndex::build(&[&p], &index);
            let mut walked = 0;
            for keep in [RANKED, 4] {
                stacks.rank(keep);
                for t in (0..p.sample_types.len()).map(SampleType) {
                    for l in index.line_ids() {
                        // 5 is what a hover asks for.
                        for limit in [1, 5] {
                            let want = by_scan_only(&stacks, &[&p], &index, l, t, limit);
                            assert_eq!(stacks.heaviest(&[&p], &index, &[l], t, limit), want, "{name}, keep {keep}, {t:?}, {l:?}");
                        }
                        walked += usize::from(stacks.stacks_through(l).len() * WALK_SHARE >= stacks.stack_sample.len());
                    }
                }
            }
            // The ranked stacks answer some lines of every fixture.
            assert!(walked > 0, "{name}");
        }
    }
}
