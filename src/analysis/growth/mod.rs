//! Growth per source line: a bounded history of per-line values taken from
//! successive profiles of one program, and the least-squares slope of each
//! line's flat and cum over it, per minute.
//!
//! Only sample types that describe the program's state at one moment have a
//! meaningful growth: `inuse_space`, `inuse_objects` and `goroutine` (and the
//! legacy spellings `space` and `objects`). Totals since start (`alloc_*`,
//! CPU, delays) only ever rise; their slope is their rate, not a leak.
//!
//! **What a snapshot keeps.** The time, and for every source line (file as
//! the profile spells it, 1-based line) with a nonzero value: flat and cum
//! for each tracked type, from [`Index::line_cost`]. Whole profiles are never
//! kept. Lines are interned once per history, and each snapshot stores its
//! values as a varint stream sorted by line id, so a snapshot of a large
//! profile costs about ten bytes per line (measured in `tests/growth_memory.rs`).
//!
//! **The function of a line** is the function of the node on that line with
//! the largest |flat|, then the largest |cum|, then the smallest name, in the
//! latest snapshot where the line has a nonzero value of the type asked for.
//! Several functions share a line only through inlining, so this is almost
//! always the one function there.
//!
//! **The slope** is the ordinary least-squares slope of value against time
//! over every kept snapshot, a line missing from a snapshot counting as 0
//! there. It is computed exactly in integers (times in microseconds since
//! the oldest kept snapshot), so a line whose value never changes has a
//! growth of exactly 0, whatever the float rounding would have said.
//!
//! - `codec`: the interned names and the snapshots' varint streams;
//! - `attribution`: which function a line goes to in one snapshot;
//! - `slope`: the least-squares slope in integers.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use crate::profile::ValueType;

use super::index::{Cost, Index};
use super::select::SampleType;

mod attribution;
mod codec;
mod slope;

use codec::{Interner, Snapshot, SnapshotWriter};
use slope::Slope;

/// The sample types growth applies to.
pub const STATE_TYPES: &[&str] = &["inuse_space", "inuse_objects", "goroutine", "goroutineleak", "space", "objects"];

/// Fewer snapshots than this give no growth: two points always fit a line.
pub const MIN_SNAPSHOTS: usize = 3;

/// Whether values of this sample type describe the current state.
pub fn is_state_type(name: &str) -> bool {
    STATE_TYPES.contains(&name)
}

/// Whether `asked` names the type `name`, allowing pprof's legacy spellings
/// (`inuse_space` for `space`, `inuse_objects` for `objects`, and back).
fn same_type(asked: &str, name: &str) -> bool {
    let bare = |n: &str| n.strip_prefix("inuse_").unwrap_or(n).to_string();
    asked == name || bare(asked) == bare(name)
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum GrowthError {
    #[error("no snapshot has the sample type {asked:?}; the history tracks: {}", tracked.join(", "))]
    UnknownType { asked: String, tracked: Vec<String> },
    #[error("growth needs at least {MIN_SNAPSHOTS} snapshots, there {} {have}", if *have == 1 { "is" } else { "are" })]
    TooFewSnapshots { have: usize },
    #[error("all {snapshots} snapshots have the same time")]
    NoTimeSpan { snapshots: usize },
}

/// What [`History::record`] did with a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// Kept as the newest snapshot (the oldest dropped if the history was full).
    Added,
    /// Kept, but the profile's state types differ from the history's (it is
    /// another kind of profile), so the older snapshots were dropped first.
    Restarted,
    /// The profile has none of [`STATE_TYPES`]: nothing was kept.
    NoStateTypes,
    /// The time was not a finite number: nothing was kept.
    InvalidTime,
}

/// One line's growth for one sample type.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrowthRow {
    /// The file as the profile spells it.
    pub file: String,
    /// 1-based.
    pub line: i64,
    /// See the module docs for which function a shared line gets.
    pub function: String,
    /// Values in the latest snapshot (0 if the line is not in it), in the
    /// profile's unit.
    pub flat: i64,
    pub cum: i64,
    /// Least-squares slopes, in the profile's unit per minute.
    pub flat_per_minute: f64,
    pub cum_per_minute: f64,
}

/// The growth of every line seen in the kept snapshots, for one sample type.
#[derive(Clone, Debug, PartialEq)]
pub struct Growth {
    pub sample_type: ValueType,
    /// How many snapshots the slopes are over.
    pub snapshots: usize,
    /// The time they span, newest minus oldest.
    pub seconds: f64,
    /// By `flat_per_minute` descending, then `cum_per_minute` descending,
    /// then file and line.
    pub rows: Vec<GrowthRow>,
    /// Positions in `rows`, ordered by (file, line), for [`Growth::line`].
    by_place: Vec<u32>,
}

impl Growth {
    /// The row of one (file, line), by binary search: cheap enough for every
    /// hover and hint.
    pub fn line(&self, file: &str, line: i64) -> Option<&GrowthRow> {
        let key = |&i: &u32| {
            let r = &self.rows[i as usize];
            (r.file.as_str(), r.line)
        };
        self.by_place
            .binary_search_by(|i| key(i).cmp(&(file, line)))
            .ok()
            .map(|p| &self.rows[self.by_place[p] as usize])
    }
}

impl Growth {
    /// The growth of several programs taken together (the replicas of one
    /// service, each with a history of its own): per line, the sum of the
    /// values and of the slopes. A replica that restarts or stops
    /// answering then never reads as a drop on every line, as one history
    /// of merged snapshots would. The function of a line is that of the
    /// part where the line's flat, then cum, is largest; `snapshots` is the
    /// fewest any part has, `seconds` the longest span. `None` for no parts.
    pub fn sum(parts: &[&Growth]) -> Option<Growth> {
        let first = parts.first()?;
        // Per line: the sum so far, and the largest (|flat|, |cum|) of a part.
        type Sums<'a> = FxHashMap<(&'a str, i64), (GrowthRow, (i64, i64))>;
        let mut by_line: Sums = FxHashMap::default();
        for part in parts {
            for row in &part.rows {
                let weight = (row.flat.abs(), row.cum.abs());
                match by_line.get_mut(&(row.file.as_str(), row.line)) {
                    None => {
                        by_line.insert((row.file.as_str(), row.line), (row.clone(), weight));
                    }
                    Some((sum, best)) => {
                        if weight > *best {
                            *best = weight;
                            sum.function.clone_from(&row.function);
                        }
                        sum.flat += row.flat;
                        sum.cum += row.cum;
                        sum.flat_per_minute += row.flat_per_minute;
                        sum.cum_per_minute += row.cum_per_minute;
                    }
                }
            }
        }
        let mut rows: Vec<GrowthRow> = by_line.into_values().map(|(row, _)| row).collect();
        rows.sort_unstable_by(|a, b| {
            b.flat_per_minute
                .total_cmp(&a.flat_per_minute)
                .then_with(|| b.cum_per_minute.total_cmp(&a.cum_per_minute))
                .then_with(|| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)))
        });
        let mut by_place: Vec<u32> = (0..rows.len() as u32).collect();
        by_place.sort_unstable_by(|&a, &b| {
            let (a, b) = (&rows[a as usize], &rows[b as usize]);
            (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line))
        });
        Some(Growth {
            sample_type: first.sample_type.clone(),
            snapshots: parts.iter().map(|p| p.snapshots).min().unwrap_or(0),
            seconds: parts.iter().map(|p| p.seconds).fold(0.0, f64::max),
            rows,
            by_place,
        })
    }
}

/// When a line counts as growing: its flat grows by at least
/// `min_percent_per_minute` percent of the sample type's total per minute,
/// and by more than nothing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GrowthThreshold {
    pub min_percent_per_minute: f64,
}

impl Default for GrowthThreshold {
    fn default() -> Self {
        GrowthThreshold { min_percent_per_minute: 1.0 }
    }
}

impl GrowthThreshold {
    /// Whether a flat growth of `per_minute` (the profile's unit per
    /// minute, [`GrowthRow::flat_per_minute`]) passes, given the sample
    /// type's total (its size, for a diff's).
    pub fn passes(&self, per_minute: f64, total: i64) -> bool {
        per_minute > 0.0 && per_minute >= total.unsigned_abs() as f64 * self.min_percent_per_minute / 100.0
    }
}

/// No function recorded for a (line, type) yet.
const NO_FUNCTION: u32 = u32::MAX;

/// An interned source line.
#[derive(Clone, Debug)]
struct LineEntry {
    file: u32,
    line: i64,
}

/// The last `capacity` snapshots of one program's profiles.
#[derive(Clone, Debug)]
pub struct History {
    capacity: usize,
    types: Vec<ValueType>,
    snapshots: VecDeque<Snapshot>,
    lines: Vec<LineEntry>,
    line_ids: FxHashMap<(u32, i64), u32>,
    /// Per line and tracked type: the interned function name, or NO_FUNCTION.
    functions: Vec<u32>,
    files: Interner,
    function_names: Interner,
    /// How many lines were interned after the last compaction.
    compacted_lines: usize,
}

impl Default for History {
    fn default() -> Self {
        History::new(20)
    }
}

impl History {
    /// A history keeping at most `capacity` snapshots (at least one).
    pub fn new(capacity: usize) -> History {
        History {
            capacity: capacity.max(1),
            types: Vec::new(),
            snapshots: VecDeque::new(),
            lines: Vec::new(),
            line_ids: FxHashMap::default(),
            functions: Vec::new(),
            files: Interner::default(),
            function_names: Interner::default(),
            compacted_lines: 0,
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Kept snapshots.
    pub fn len(&self) -> usize {
        self.snapshots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.snapshots.is_empty()
    }

    /// The state types the kept snapshots have, in the profile's order.
    pub fn sample_types(&self) -> &[ValueType] {
        &self.types
    }

    /// Newest minus oldest snapshot time, in seconds (0 with fewer than two).
    pub fn seconds(&self) -> f64 {
        let times = self.snapshots.iter().map(|s| s.seconds);
        let (lo, hi) = times.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| (lo.min(t), hi.max(t)));
        if self.snapshots.len() < 2 {
            0.0
        } else {
            hi - lo
        }
    }

    /// The time of the newest snapshot.
    pub fn latest_seconds(&self) -> Option<f64> {
        self.snapshots.back().map(|s| s.seconds)
    }

    /// Keeps at most `capacity` snapshots from now on (at least one),
    /// dropping the oldest if there are more.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        while self.snapshots.len() > self.capacity {
            self.snapshots.pop_front();
        }
    }

    /// Forgets every snapshot and interned name.
    pub fn clear(&mut self) {
        *self = History::new(self.capacity);
    }

    /// Adds the per-line values of an indexed profile taken at `seconds`
    /// (any clock, as long as it is the same for the whole history).
    pub fn record(&mut self, seconds: f64, index: &Index) -> Recorded {
        if !seconds.is_finite() {
            return Recorded::InvalidTime;
        }
        let tracked: Vec<(SampleType, &ValueType)> = index
            .sample_types()
            .iter()
            .enumerate()
            .filter(|(_, t)| is_state_type(&t.name))
            .map(|(i, t)| (SampleType(i), t))
            .collect();
        if tracked.is_empty() {
            return Recorded::NoStateTypes;
        }
        let restarted = !self.types.iter().eq(tracked.iter().map(|(_, t)| *t));
        let outcome = if restarted && !self.snapshots.is_empty() { Recorded::Restarted } else { Recorded::Added };
        if restarted {
            self.clear();
            self.types = tracked.iter().map(|(_, t)| (*t).clone()).collect();
        }
        let k = tracked.len();

        // The function of each indexed line, per tracked type (module docs).
        let types: Vec<SampleType> = tracked.iter().map(|&(t, _)| t).collect();
        let best = attribution::line_functions(index, &types);

        // (line id, position of its costs in `costs`), k costs per line.
        let mut entries: Vec<(u32, u32)> = Vec::new();
        let mut costs: Vec<Cost> = Vec::new();
        // Each of the index's files and functions is looked up by name once.
        const UNSEEN: u32 = u32::MAX;
        let mut file_ids: Vec<u32> = vec![UNSEEN; index.files().len()];
        let mut function_ids: Vec<u32> = vec![UNSEEN; index.functions().len()];
        for line in index.line_ids() {
            let start = costs.len();
            costs.extend(tracked.iter().map(|&(t, _)| index.line_cost(line, t)));
            if costs[start..].iter().all(Cost::is_zero) {
                costs.truncate(start);
                continue;
            }
            let info = index.line(line);
            let file = &mut file_ids[info.file.get()];
            if *file == UNSEEN {
                *file = self.files.intern(index.file(info.file));
            }
            let id = self.intern_line_in(*file, info.line);
            for j in 0..k {
                if let Some(f) = best[line.get() * k + j] {
                    let function = &mut function_ids[f.get()];
                    if *function == UNSEEN {
                        *function = self.function_names.intern(&index.function(f).name);
                    }
                    self.functions[id as usize * k + j] = *function;
                }
            }
            entries.push((id, (start / k) as u32));
        }
        entries.sort_unstable_by_key(|(id, _)| *id);
        let mut writer = SnapshotWriter::with_capacity(entries.len() * (1 + 4 * k));
        for &(id, at) in &entries {
            writer.push(id, &costs[at as usize * k..(at as usize + 1) * k]);
        }
        if self.snapshots.len() == self.capacity {
            self.snapshots.pop_front();
        }
        self.snapshots.push_back(writer.finish(seconds));
        if self.lines.len() >= 2 * self.compacted_lines.max(1024) {
            self.compact();
        }
        outcome
    }

    /// The id of a line in an interned file.
    fn intern_line_in(&mut self, file: u32, line: i64) -> u32 {
        let next = self.lines.len() as u32;
        let id = *self.line_ids.entry((file, line)).or_insert(next);
        if id == next {
            self.lines.push(LineEntry { file, line });
            self.functions.extend(std::iter::repeat_n(NO_FUNCTION, self.types.len()));
        }
        id
    }

    /// Drops interned lines, files and functions that no kept snapshot
    /// refers to any more, so a program whose lines keep changing cannot
    /// grow the history without bound. Ids keep their order, so the
    /// snapshots' streams stay sorted.
    fn compact(&mut self) {
        let mut live = vec![false; self.lines.len()];
        let k = self.types.len();
        for s in &self.snapshots {
            s.each_entry(k, |id, _| live[id as usize] = true);
        }
        let mut remap = vec![u32::MAX; self.lines.len()];
        let mut lines = Vec::new();
        let mut functions = Vec::new();
        let mut files = Interner::default();
        let mut names = Interner::default();
        let mut line_ids = FxHashMap::default();
        for (old, entry) in self.lines.iter().enumerate() {
            if !live[old] {
                continue;
            }
            remap[old] = lines.len() as u32;
            let file = files.intern(self.files.get(entry.file));
            line_ids.insert((file, entry.line), lines.len() as u32);
            lines.push(LineEntry { file, line: entry.line });
            for j in 0..k {
                let f = self.functions[old * k + j];
                functions.push(if f == NO_FUNCTION { f } else { names.intern(self.function_names.get(f)) });
            }
        }
        let snapshots: VecDeque<Snapshot> = self
            .snapshots
            .iter()
            .map(|s| {
                let mut writer = SnapshotWriter::with_capacity(s.heap_bytes());
                s.each_entry(k, |id, costs| writer.push(remap[id as usize], costs));
                writer.finish(s.seconds)
            })
            .collect();
        self.compacted_lines = lines.len();
        self.lines = lines;
        self.functions = functions;
        self.files = files;
        self.function_names = names;
        self.line_ids = line_ids;
        self.snapshots = snapshots;
    }

    /// Interned lines (after the last compaction, lines no snapshot has any
    /// more are gone).
    pub fn interned_lines(&self) -> usize {
        self.lines.len()
    }

    /// An estimate of the heap memory the history holds, in bytes.
    pub fn heap_bytes(&self) -> usize {
        let snapshots: usize = self.snapshots.iter().map(Snapshot::heap_bytes).sum::<usize>()
            + self.snapshots.capacity() * std::mem::size_of::<Snapshot>();
        snapshots
            + self.lines.capacity() * std::mem::size_of::<LineEntry>()
            + self.line_ids.capacity() * (std::mem::size_of::<((u32, i64), u32)>() + 1)
            + self.functions.capacity() * 4
            + self.files.heap_bytes()
            + self.function_names.heap_bytes()
    }

    /// The growth of every line for one sample type, by name (legacy
    /// spellings accepted). Costs one pass over the kept snapshots.
    pub fn growth(&self, sample_type: &str) -> Result<Growth, GrowthError> {
        if self.snapshots.is_empty() {
            return Err(GrowthError::TooFewSnapshots { have: 0 });
        }
        let Some(t) = self.types.iter().position(|v| same_type(sample_type, &v.name)) else {
            return Err(GrowthError::UnknownType {
                asked: sample_type.to_string(),
                tracked: self.types.iter().map(|v| v.name.clone()).collect(),
            });
        };
        let n = self.snapshots.len();
        if n < MIN_SNAPSHOTS {
            return Err(GrowthError::TooFewSnapshots { have: n });
        }
        let times: Vec<f64> = self.snapshots.iter().map(|s| s.seconds).collect();
        let Some(slope) = Slope::new(&times) else {
            return Err(GrowthError::NoTimeSpan { snapshots: n });
        };

        #[derive(Clone, Copy, Default)]
        struct Sums {
            seen: bool,
            flat: i128,
            cum: i128,
            latest: Cost,
        }
        let k = self.types.len();
        let mut sums = vec![Sums::default(); self.lines.len()];
        for (i, snapshot) in self.snapshots.iter().enumerate() {
            let newest = i + 1 == n;
            snapshot.each_entry(k, |id, costs| {
                let cost = costs[t];
                if cost.is_zero() {
                    return;
                }
                let s = &mut sums[id as usize];
                s.seen = true;
                s.flat = slope.add(s.flat, i, cost.flat);
                s.cum = slope.add(s.cum, i, cost.cum);
                if newest {
                    s.latest = cost;
                }
            });
        }
        // Places compare as (file name, line); ranking the files by name
        // once lets every comparison below be one of integers.
        let mut by_name: Vec<u32> = (0..self.files.len() as u32).collect();
        by_name.sort_unstable_by(|&a, &b| self.files.get(a).cmp(self.files.get(b)));
        let mut file_rank = vec![0u32; by_name.len()];
        for (rank, &f) in by_name.iter().enumerate() {
            file_rank[f as usize] = rank as u32;
        }
        struct Ranked {
            id: usize,
            place: (u32, i64),
            flat_per_minute: f64,
            cum_per_minute: f64,
        }
        let mut ranked: Vec<Ranked> = sums
            .iter()
            .enumerate()
            .filter(|(_, s)| s.seen)
            .map(|(id, s)| {
                let entry = &self.lines[id];
                let place = (file_rank[entry.file as usize], entry.line);
                Ranked { id, place, flat_per_minute: slope.per_minute(s.flat), cum_per_minute: slope.per_minute(s.cum) }
            })
            .collect();
        // Places are distinct, so these orders are total.
        ranked.sort_unstable_by(|a, b| {
            b.flat_per_minute
                .total_cmp(&a.flat_per_minute)
                .then_with(|| b.cum_per_minute.total_cmp(&a.cum_per_minute))
                .then_with(|| a.place.cmp(&b.place))
        });
        let mut by_place: Vec<u32> = (0..ranked.len() as u32).collect();
        by_place.sort_unstable_by_key(|&r| ranked[r as usize].place);
        let rows: Vec<GrowthRow> = ranked
            .iter()
            .map(|r| {
                let (entry, s) = (&self.lines[r.id], &sums[r.id]);
                let f = self.functions[r.id * k + t];
                GrowthRow {
                    file: self.files.get(entry.file).to_string(),
                    line: entry.line,
                    function: if f == NO_FUNCTION { String::new() } else { self.function_names.get(f).to_string() },
                    flat: s.latest.flat,
                    cum: s.latest.cum,
                    flat_per_minute: r.flat_per_minute,
                    cum_per_minute: r.cum_per_minute,
                }
            })
            .collect();
        Ok(Growth { sample_type: self.types[t].clone(), snapshots: n, seconds: self.seconds(), rows, by_place })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Function, FunctionIdx, Line, Location, LocationIdx, Profile};

    /// A heap-like profile (`inuse_objects`, `inuse_space`) from stacks
    /// written leaf first as `pkg.F:line` frames; `pkg.A:1+pkg.B:2` is one
    /// location whose frame A is inlined into B. A function's file is its
    /// package: `pkg.go`. Each stack's objects are its bytes / 10.
    fn heap(types: [&str; 2], stacks: &[(&str, i64)]) -> Index {
        let mut p = Profile {
            sample_types: vec![ValueType::new(types[0], "count"), ValueType::new(types[1], "bytes")],
            ..Default::default()
        };
        let mut locations: Vec<String> = Vec::new();
        for (stack, bytes) in stacks {
            let mut ids = Vec::new();
            for loc in stack.split(' ') {
                let at = locations.iter().position(|l| l == loc).unwrap_or_else(|| {
                    let lines = loc
                        .split('+')
                        .map(|frame| {
                            let (name, line) = frame.rsplit_once(':').unwrap();
                            let f = p.functions.iter().position(|f| f.name == name).unwrap_or_else(|| {
                                let file = format!("{}.go", name.split('.').next().unwrap());
                                p.functions.push(Function { name: name.into(), filename: file, ..Default::default() });
                                p.functions.len() - 1
                            });
                            Line { function: FunctionIdx(f as u32), line: line.parse().unwrap(), column: 0 }
                        })
                        .collect();
                    p.locations.push(Location { lines, ..Default::default() });
                    locations.push(loc.to_string());
                    locations.len() - 1
                });
                ids.push(LocationIdx(at as u32));
            }
            p.push_sample(&ids, &[bytes / 10, *bytes], []);
        }
        Index::build(&p)
    }

    fn inuse(stacks: &[(&str, i64)]) -> Index {
        heap(["inuse_objects", "inuse_space"], stacks)
    }

    /// (file:line, function, flat, cum, flat/min, cum/min), rates rounded to
    /// 1e-6 so that hand-computed fractions compare.
    fn table(g: &Growth) -> Vec<(String, String, i64, i64, f64, f64)> {
        let round = |v: f64| (v * 1e6).round() / 1e6;
        g.rows
            .iter()
            .map(|r| {
                (format!("{}:{}", r.file, r.line), r.function.clone(), r.flat, r.cum, round(r.flat_per_minute), round(r.cum_per_minute))
            })
            .collect()
    }

    fn r(v: f64) -> f64 {
        (v * 1e6).round() / 1e6
    }

    #[test]
    fn slopes_over_uneven_times_count_missing_lines_as_zero() {
        // t = 0, 10, 40, 60 s. grow: 0, 100, 400, 500 bytes; blip: absent,
        // 50, absent, 50; keep: 1000 throughout.
        //   mean t = 27.5, deviations −27.5, −17.5, 12.5, 32.5, Σdev² = 2275
        //   grow: Σdev·y = −1750 + 5000 + 16250 = 19500 → 60/7 B/s = 3600/7 B/min
        //   blip: Σdev·y = (−17.5 + 32.5)·50 = 750 → 1800/91 B/min
        let snapshots: [(f64, i64, i64); 4] = [(0.0, 0, 0), (10.0, 100, 50), (40.0, 400, 0), (60.0, 500, 50)];
        let mut h = History::new(20);
        for (t, grow, blip) in snapshots {
            let mut stacks = vec![("keep.Hold:20 main.main:6", 1000)];
            if grow != 0 {
                stacks.push(("grow.Leak:10 main.main:5", grow));
            }
            if blip != 0 {
                stacks.push(("blip.Spike:30 main.main:5", blip));
            }
            assert_eq!(h.record(1_700_000_000.0 + t, &inuse(&stacks)), Recorded::Added);
        }
        let g = h.growth("inuse_space").unwrap();
        assert_eq!((g.snapshots, g.seconds), (4, 60.0));
        assert_eq!(g.sample_type, ValueType::new("inuse_space", "bytes"));
        let grow = 3600.0 / 7.0;
        let blip = 1800.0 / 91.0;
        assert_eq!(
            table(&g),
            vec![
                ("grow.go:10".into(), "grow.Leak".into(), 500, 500, r(grow), r(grow)),
                ("blip.go:30".into(), "blip.Spike".into(), 50, 50, r(blip), r(blip)),
                ("main.go:5".into(), "main.main".into(), 0, 550, 0.0, r(grow + blip)),
                ("keep.go:20".into(), "keep.Hold".into(), 1000, 1000, 0.0, 0.0),
                ("main.go:6".into(), "main.main".into(), 0, 1000, 0.0, 0.0),
            ]
        );
        // A constant line's slope is exactly zero, not float noise.
        assert_eq!(g.line("keep.go", 20).unwrap().flat_per_minute.to_bits(), 0.0f64.to_bits());
        // Objects are bytes / 10 in `heap`, so their slopes are a tenth.
        let objects = h.growth("inuse_objects").unwrap();
        assert_eq!(r(objects.line("grow.go", 10).unwrap().flat_per_minute), r(360.0 / 7.0));
        assert_eq!(objects.line("grow.go", 10).unwrap().flat, 50);
    }

    #[test]
    fn a_line_grows_by_a_share_of_the_total_per_minute_and_by_something() {
        let t = GrowthThreshold::default();
        assert_eq!(t.min_percent_per_minute, 1.0);
        assert!(t.passes(10.0, 1000));
        assert!(!t.passes(9.99, 1000));
        // A diff's total counts by its size.
        assert!(t.passes(10.0, -1000));
        assert!(!t.passes(-50.0, 1000));
        let any = GrowthThreshold { min_percent_per_minute: 0.0 };
        assert!(any.passes(1e-9, 1_000_000));
        assert!(!any.passes(0.0, 1_000_000), "no growth is not growing");
        assert!(!any.passes(0.0, 0));
    }

    #[test]
    fn the_line_lookup_finds_every_row_and_nothing_else() {
        let mut h = History::new(5);
        for (t, v) in [(0.0, 10), (1.0, 20), (2.0, 40)] {
            h.record(t, &inuse(&[("a.F:1 main.main:1", v), ("b.G:7 a.F:2 main.main:1", 3)]));
        }
        let g = h.growth("inuse_space").unwrap();
        assert_eq!(g.rows.len(), 4);
        for row in &g.rows {
            assert_eq!(g.line(&row.file, row.line), Some(row));
        }
        assert_eq!(g.line("a.go", 1).unwrap().flat_per_minute, 900.0); // 15 B/s
        assert_eq!(g.line("a.go", 3), None);
        assert_eq!(g.line("c.go", 1), None);
    }

    #[test]
    fn fewer_than_three_snapshots_or_one_instant_give_no_growth() {
        let mut h = History::new(20);
        let index = inuse(&[("a.F:1 main.main:1", 10)]);
        assert_eq!(h.growth("inuse_space").unwrap_err(), GrowthError::TooFewSnapshots { have: 0 });
        h.record(5.0, &index);
        h.record(6.0, &index);
        let err = h.growth("inuse_space").unwrap_err();
        assert_eq!(err, GrowthError::TooFewSnapshots { have: 2 });
        assert_eq!(err.to_string(), "growth needs at least 3 snapshots, there are 2");
        h.record(7.0, &index);
        assert!(h.growth("inuse_space").is_ok());

        let mut same = History::new(20);
        for _ in 0..3 {
            same.record(5.0, &index);
        }
        assert_eq!(same.growth("inuse_space").unwrap_err(), GrowthError::NoTimeSpan { snapshots: 3 });
    }

    #[test]
    fn the_oldest_snapshots_are_dropped_at_capacity() {
        // y = t²/360 at t = 0, 60, …, 240 s. Over the last three (120, 180,
        // 240 s: 40, 90, 160) the slope is 1 B/s = 60 B/min; over all five
        // it would be 40 B/min.
        let mut h = History::new(3);
        for (i, y) in [0, 10, 40, 90, 160].into_iter().enumerate() {
            let stacks: Vec<(&str, i64)> = if y == 0 { vec![("other.X:1", 1)] } else { vec![("a.F:1", y)] };
            h.record(60.0 * i as f64, &inuse(&stacks));
        }
        assert_eq!((h.len(), h.capacity()), (3, 3));
        let g = h.growth("inuse_space").unwrap();
        assert_eq!((g.snapshots, g.seconds), (3, 120.0));
        assert_eq!(g.line("a.go", 1).unwrap().flat_per_minute, 60.0);
        // `other.X` was only in the evicted first snapshot.
        assert_eq!(g.line("other.go", 1), None);
        // A smaller capacity drops the oldest at once: 90, 160 at 180, 240 s.
        h.set_capacity(2);
        assert_eq!((h.len(), h.seconds()), (2, 60.0));
        assert_eq!(h.growth("inuse_space").unwrap_err(), GrowthError::TooFewSnapshots { have: 2 });
    }

    #[test]
    fn legacy_names_and_negative_delta_values() {
        let mut h = History::new(20);
        for (t, v) in [(0.0, -100), (30.0, -200), (60.0, -300)] {
            h.record(t, &heap(["objects", "space"], &[("a.F:1 main.main:1", v)]));
        }
        let g = h.growth("inuse_space").unwrap();
        assert_eq!(g.sample_type.name, "space");
        // main.go:1 (flat 0) sorts above the shrinking a.go:1.
        let rows: Vec<(i64, i64, f64, f64)> =
            g.rows.iter().map(|r| (r.line, r.flat, r.flat_per_minute, r.cum_per_minute)).collect();
        assert_eq!(rows, vec![(1, 0, 0.0, -200.0), (1, -300, -200.0, -200.0)]);
        assert_eq!(g.rows[1].file, "a.go");
        assert_eq!(h.growth("objects").unwrap().line("a.go", 1).unwrap().cum_per_minute, -20.0);
        let err = h.growth("alloc_space").unwrap_err();
        assert_eq!(err.to_string(), "no snapshot has the sample type \"alloc_space\"; the history tracks: objects, space");
    }

    #[test]
    fn the_function_of_a_shared_line_is_the_one_with_most_flat_in_the_latest_snapshot() {
        // pkg.A is inlined into pkg.B on pkg.go:10: A takes the flat of the
        // first stack, B the flat of the second.
        let function = |snapshots: &[(i64, i64)]| {
            let mut h = History::new(20);
            for (t, &(a, b)) in snapshots.iter().enumerate() {
                h.record(t as f64, &inuse(&[("pkg.A:10+pkg.B:10 main.main:1", a), ("pkg.B:10 main.main:2", b)]));
            }
            h.growth("inuse_space").unwrap().line("pkg.go", 10).unwrap().function.clone()
        };
        assert_eq!(function(&[(70, 50), (70, 50), (70, 50)]), "pkg.A");
        assert_eq!(function(&[(70, 50), (70, 50), (30, 50)]), "pkg.B");
        assert_eq!(function(&[(30, 50), (30, 50), (70, 50)]), "pkg.A");
        // Equal flat: B also has A's inlined stack as cum, so B.
        assert_eq!(function(&[(50, 50), (50, 50), (50, 50)]), "pkg.B");
        let mut tie = History::new(20);
        for t in 0..3 {
            tie.record(t as f64, &inuse(&[("pkg.Z:10+pkg.Y:10 main.main:1", 5), ("pkg.Y:10+pkg.Z:10 main.main:2", 5)]));
        }
        assert_eq!(tie.growth("inuse_space").unwrap().line("pkg.go", 10).unwrap().function, "pkg.Y");
    }

    #[test]
    fn other_profiles_restart_the_history_and_stateless_ones_are_refused() {
        let mut h = History::new(20);
        let heap_index = inuse(&[("a.F:1", 1)]);
        assert_eq!(h.record(0.0, &heap_index), Recorded::Added);
        assert_eq!(h.record(1.0, &heap_index), Recorded::Added);
        let goroutines = heap(["goroutine", "unused"], &[("a.F:1", 3)]);
        assert_eq!(h.record(2.0, &goroutines), Recorded::Restarted);
        assert_eq!(h.len(), 1);
        assert_eq!(h.sample_types(), &[ValueType::new("goroutine", "count")]);
        let cpu = heap(["samples", "cpu"], &[("a.F:1", 3)]);
        assert_eq!(h.record(3.0, &cpu), Recorded::NoStateTypes);
        assert_eq!(h.record(f64::NAN, &goroutines), Recorded::InvalidTime);
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn lines_no_kept_snapshot_has_are_forgotten() {
        // Every snapshot has 600 lines of its own file: without compaction
        // the interned lines would grow by 600 per snapshot.
        let mut h = History::new(2);
        let mut most = 0;
        for i in 0..12 {
            let frames: Vec<String> = (1..=600).map(|l| format!("f{i}.F:{l}")).collect();
            let stacks: Vec<(&str, i64)> = frames.iter().map(|f| (f.as_str(), 100 + i)).collect();
            h.record(i as f64, &inuse(&stacks));
            most = most.max(h.interned_lines());
        }
        assert!(most < 2 * 1024 + 600, "interned lines reached {most}");
        assert!(h.interned_lines() <= 2 * 1024, "{}", h.interned_lines());
        // The kept snapshots still read back: the last two files, 600 lines each.
        let mut h3 = h.clone();
        h3.capacity = 3;
        let frames: Vec<String> = (1..=600).map(|l| format!("f11.F:{l}")).collect();
        let stacks: Vec<(&str, i64)> = frames.iter().map(|f| (f.as_str(), 200)).collect();
        h3.record(12.0, &inuse(&stacks));
        let g = h3.growth("inuse_space").unwrap();
        assert_eq!(g.rows.len(), 1200);
        // f11.go: absent, 111, 200 at t = 10, 11, 12 → slope 100 B/s.
        assert_eq!(g.line("f11.go", 600).unwrap().flat_per_minute, 6000.0);
        assert_eq!(g.line("f10.go", 1).unwrap().flat, 0);
    }
}
