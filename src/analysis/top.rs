//! The ranking of pprof's `top` table: which rows it keeps, in which order,
//! and how it marks inlined ones, at line or function granularity. Returns
//! ids and numbers; rendering is [`crate::report::top`]'s job.
//!
//! pprof builds a graph of the rows and then trims it, and this follows the
//! same steps:
//!
//! 1. Rows are nodes (`-lines`) or functions (functions with one name are
//!    one row whatever file they are recorded under), each with a value.
//!    Locations without symbols are one row per binary (mapping file),
//!    where the index keeps one node per address.
//! 2. Rows whose |cum| is below `node_fraction` of the sum of all flats are
//!    dropped (the "Dropped N nodes" line).
//! 3. The rest are sorted by |flat| (or |cum|), then by printed name, then
//!    by the other value, and cut to `node_count`.
//! 4. A row's inline mark comes from the caller→callee edges into it among
//!    the rows shown: an edge links a sample's frame to the nearest shown
//!    frame above it, once per sample (the first time the pair is met, root
//!    first), and is inline when every such step lands on a frame that is
//!    inlined into the next frame of its location. A frame following a
//!    frame of the same row adds no edge. Edges whose |weight| is below
//!    `edge_fraction` of the sum of all flats are dropped. A row is
//!    `(inline)` when all its remaining edges in are inline, and
//!    `(partial-inline)` when some are.
//!
//! Only step 4 needs the samples again; it walks them only when a shown
//! row is inlined somewhere, and looks edges up only for such rows.

use rustc_hash::FxHashMap;

use crate::profile::{base_name, Profile};

use super::halves::in_halves;
use super::index::{Cost, FuncId, Index, NodeId, NONE};
use super::names::display_name;
use super::select::SampleType;

/// How pprof marks a row of its `top` table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InlineMark {
    #[default]
    None,
    /// Every call into it that the table shows was inlined.
    Inline,
    /// Some were, some were not.
    PartialInline,
}

impl InlineMark {
    /// The words pprof prints after the name, without the leading space.
    pub fn label(self) -> &'static str {
        match self {
            InlineMark::None => "",
            InlineMark::Inline => "(inline)",
            InlineMark::PartialInline => "(partial-inline)",
        }
    }
}

/// What to rank, with pprof's defaults for `go tool pprof -top`.
#[derive(Clone, Debug, PartialEq)]
pub struct TopOptions {
    /// One row per (function, file, line) instead of per function.
    pub lines: bool,
    /// Sort by |cum| instead of |flat|.
    pub by_cum: bool,
    /// Keep at most this many rows; `None` or 0 keeps all.
    pub node_count: Option<usize>,
    /// Drop rows whose |cum| is below this share of the sum of flats.
    pub node_fraction: f64,
    /// Ignore call edges lighter than this share when marking inlines.
    pub edge_fraction: f64,
}

impl Default for TopOptions {
    fn default() -> Self {
        TopOptions { lines: false, by_cum: false, node_count: None, node_fraction: 0.005, edge_fraction: 0.001 }
    }
}

/// What one row stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TopItem {
    /// A (function, file, line), at line granularity.
    Node(NodeId),
    Function(FuncId),
    /// The locations without symbols of one binary: an index into
    /// [`Top::objects`].
    Object(u32),
}

/// The locations without symbols of one binary, one row in pprof's table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Object {
    /// The binary's file name as its mapping records it; empty when the
    /// locations have no mapping or the mapping no file name.
    pub file: String,
    /// The index's nodes (one per address) that make up the row.
    pub nodes: Vec<NodeId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopRow {
    pub item: TopItem,
    pub cost: Cost,
    pub mark: InlineMark,
}

/// The ranked rows and what the table says about the ones left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Top {
    /// The rows shown, in pprof's order.
    pub rows: Vec<TopRow>,
    /// Rows left after dropping by `node_fraction`: the "out of N" of
    /// pprof's "Showing top n nodes out of N".
    pub kept: usize,
    /// Rows dropped by `node_fraction`.
    pub dropped: usize,
    /// The binaries that [`TopItem::Object`] rows stand for.
    pub objects: Vec<Object>,
}

impl Top {
    /// The name pprof prints for a row.
    pub fn name(&self, index: &Index, item: TopItem) -> String {
        item_name(index, &self.objects, item)
    }
}

/// Ranks the rows of a `top` table for sample type `t`. `profiles` are the
/// profiles `index` was built from, in the same order (for a diff: the
/// profile, then the base); they are read for the binaries of locations
/// without symbols and to mark inlined rows.
pub fn top(index: &Index, profiles: &[&Profile], t: SampleType, options: &TopOptions) -> Top {
    let objects = Objects::new(index, profiles);
    let object_costs = objects.costs(index, profiles, t);
    let objects_rows = (0..objects.list.len() as u32).map(|o| (TopItem::Object(o), object_costs[o as usize]));
    let rows: Vec<(TopItem, Cost)> = if options.lines {
        let nodes = index.node_ids().filter(|&n| index.node(n).function.is_some());
        nodes.map(|n| (TopItem::Node(n), index.node_cost(n, t))).chain(objects_rows).collect()
    } else {
        let functions = index.function_ids().map(|f| (TopItem::Function(f), index.function_cost(f, t)));
        functions.chain(objects_rows).collect()
    };
    let objects = objects.list;
    // Rows without a value are not listed, but until pprof rebuilds its
    // graph from the rows it keeps they still stand between callers and
    // callees (a diff can cancel a node out).
    let (mut rows, zero): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(_, c)| !c.is_zero());
    // pprof's cutoffs are shares of the sum of flats (signed, so a diff's
    // net change), not of the table's total.
    let flat_sum = rows.iter().fold(0i64, |s, (_, c)| s.wrapping_add(c.flat));
    let cutoff = |fraction: f64| ((flat_sum as f64 * fraction) as i64).wrapping_abs();
    let node_cutoff = cutoff(options.node_fraction);
    let before = rows.len();
    if node_cutoff > 0 {
        rows.retain(|(_, c)| c.cum.wrapping_abs() >= node_cutoff);
    }
    let dropped = before - rows.len();
    let kept = rows.len();
    let shown = options.node_count.filter(|&n| n > 0).map_or(kept, |n| n.min(kept));
    sort(index, &objects, &mut rows, options.by_cum, shown);
    rows.truncate(shown);
    let rebuilt = dropped > 0 || shown < kept;
    let standing: Vec<TopItem> = if rebuilt { Vec::new() } else { zero.into_iter().map(|(item, _)| item).collect() };
    let marks = inline_marks(index, profiles, t, &objects, &rows, &standing, cutoff(options.edge_fraction));
    let rows = rows.into_iter().zip(marks).map(|((item, cost), mark)| TopRow { item, cost, mark }).collect();
    Top { rows, kept, dropped, objects }
}

/// pprof's printed name of a row: the function's display name, at line
/// granularity followed by `file:line`; for locations without symbols the
/// binary's base name in brackets, or `<unknown>`.
fn item_name(index: &Index, objects: &[Object], item: TopItem) -> String {
    match item {
        TopItem::Function(f) => display_name(&index.function(f).name).into_owned(),
        TopItem::Object(o) => match objects[o as usize].file.as_str() {
            "" => "<unknown>".to_string(),
            file => format!("[{}]", base_name(file)),
        },
        TopItem::Node(n) => {
            let node = index.node(n);
            let Some(f) = node.function else { return index.node_name(n) };
            let name = display_name(&index.function(f).name);
            let file = node.file.map_or("", |file| index.file(file));
            if node.line != 0 {
                format!("{name} {file}:{}", node.line)
            } else if !file.is_empty() {
                format!("{name} {file}")
            } else {
                name.into_owned()
            }
        }
    }
}

/// The index's address nodes grouped by binary, as pprof groups them once
/// it has dropped addresses from its rows.
struct Objects {
    list: Vec<Object>,
    /// Per profile, per location: its object, or [`NONE`] for a location
    /// with symbols.
    of_location: Vec<Vec<u32>>,
}

impl Objects {
    fn new(index: &Index, profiles: &[&Profile]) -> Objects {
        let mut out = Objects { list: Vec::new(), of_location: Vec::new() };
        let mut by_file: FxHashMap<&str, u32> = FxHashMap::default();
        let mut node_seen = vec![false; index.nodes().len()];
        for (profile, table) in profiles.iter().zip(&index.tables) {
            let mut of_location = vec![NONE; profile.locations.len()];
            for (i, loc) in profile.locations.iter().enumerate().filter(|(_, l)| l.lines.is_empty()) {
                let file = loc.mapping.map_or("", |m| profile.mappings[m.get()].filename.as_str());
                let next = out.list.len() as u32;
                let o = *by_file.entry(file).or_insert(next);
                if o == next {
                    out.list.push(Object { file: file.to_string(), nodes: Vec::new() });
                }
                of_location[i] = o;
                let node = table.refs[table.starts[i] as usize].node as usize;
                if !node_seen[node] {
                    node_seen[node] = true;
                    out.list[o as usize].nodes.push(NodeId(node as u32));
                }
            }
            out.of_location.push(of_location);
        }
        out
    }

    /// Each object's flat and cum: its node's when it has one, else from
    /// the samples, once per sample.
    fn costs(&self, index: &Index, profiles: &[&Profile], t: SampleType) -> Vec<Cost> {
        let mut costs: Vec<Cost> = self
            .list
            .iter()
            .map(|o| if let [n] = o.nodes[..] { index.node_cost(n, t) } else { Cost::default() })
            .collect();
        if self.list.iter().all(|o| o.nodes.len() == 1) {
            return costs;
        }
        let mut seen = vec![0u32; self.list.len()];
        let mut stamp = 0u32;
        for ((profile, table), of_location) in profiles.iter().zip(&index.tables).zip(&self.of_location) {
            for sample in profile.iter_samples() {
                let Some(&raw) = sample.values.get(t.0) else { continue };
                let w = raw.wrapping_mul(table.sign);
                if w == 0 {
                    continue;
                }
                stamp = stamp.wrapping_add(1).max(1);
                for (depth, loc) in sample.locations.iter().enumerate() {
                    let o = of_location[loc.get()];
                    if o == NONE || self.list[o as usize].nodes.len() == 1 {
                        continue;
                    }
                    let c = &mut costs[o as usize];
                    if depth == 0 {
                        c.flat = c.flat.wrapping_add(w);
                    }
                    if seen[o as usize] != stamp {
                        seen[o as usize] = stamp;
                        c.cum = c.cum.wrapping_add(w);
                    }
                }
            }
        }
        costs
    }
}

/// Sorts as pprof does: by the primary value's magnitude, then name, then
/// the other value's magnitude. Names are built only to break ties among
/// the first `shown` rows.
fn sort(index: &Index, objects: &[Object], rows: &mut [(TopItem, Cost)], by_cum: bool, shown: usize) {
    let key = |c: &Cost| if by_cum { (c.cum.wrapping_abs(), c.flat.wrapping_abs()) } else { (c.flat.wrapping_abs(), c.cum.wrapping_abs()) };
    rows.sort_unstable_by_key(|(item, c)| (std::cmp::Reverse(key(c).0), *item));
    let mut start = 0;
    while start < shown {
        let primary = key(&rows[start].1).0;
        let len = rows[start..].iter().take_while(|(_, c)| key(c).0 == primary).count();
        if len > 1 {
            let run = &mut rows[start..start + len];
            let mut named: Vec<(String, i64, TopItem, Cost)> =
                run.iter().map(|&(item, c)| (item_name(index, objects, item), key(&c).1, item, c)).collect();
            named.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
            for (slot, (_, _, item, c)) in run.iter_mut().zip(named) {
                *slot = (item, c);
            }
        }
        start += len;
    }
}

/// Edge bits of a row: an inline edge in, a non-inline edge in.
const INLINE_IN: u8 = 1;
const CALL_IN: u8 = 2;

/// The inline mark of each row, from the edges between the rows and the
/// `standing` items (which get no mark of their own).
fn inline_marks(
    index: &Index,
    profiles: &[&Profile],
    t: SampleType,
    objects: &[Object],
    rows: &[(TopItem, Cost)],
    standing: &[TopItem],
    edge_cutoff: i64,
) -> Vec<InlineMark> {
    let mut marks = vec![InlineMark::None; rows.len()];
    let mut slot_of_node = vec![NONE; index.nodes().len()];
    for (slot, item) in rows.iter().map(|(item, _)| item).chain(standing).enumerate() {
        let nodes = match item {
            TopItem::Node(n) => std::slice::from_ref(n),
            TopItem::Function(f) => index.all_nodes_of_function(*f),
            TopItem::Object(o) => &objects[*o as usize].nodes,
        };
        for n in nodes {
            slot_of_node[n.get()] = slot as u32;
        }
    }
    let frames: Vec<LocationFrames> =
        index.tables.iter().map(|table| LocationFrames::new(&table.starts, &table.refs, &slot_of_node)).collect();
    // Only a row some location has inlined can have an inline edge in;
    // without one, every mark is None whatever the edges are.
    let mut inlined = vec![false; rows.len() + standing.len()];
    for f in &frames {
        for &frame in &f.frames {
            if frame & 1 == 1 && ((frame >> 1) as usize) < rows.len() {
                inlined[(frame >> 1) as usize] = true;
            }
        }
    }
    if !inlined.contains(&true) {
        return marks;
    }
    let mut edges = Edges::default();
    for ((profile, table), frames) in profiles.iter().zip(&index.tables).zip(&frames) {
        let count = |samples: std::ops::Range<usize>| edges_between(profile, table.sign, frames, &inlined, t, samples);
        // Edges add up over samples, so two halves are counted apart.
        let (first, second) = in_halves(profile.samples.len(), count);
        edges.absorb(first);
        if let Some(second) = second {
            edges.absorb(second);
        }
    }
    let mut bits = vec![0u8; rows.len()];
    for e in &edges.list {
        if e.weight.wrapping_abs() >= edge_cutoff {
            bits[e.callee as usize] |= if e.inline { INLINE_IN } else { CALL_IN };
        }
    }
    for (mark, b) in marks.iter_mut().zip(bits) {
        *mark = match b {
            INLINE_IN => InlineMark::Inline,
            b if b == INLINE_IN | CALL_IN => InlineMark::PartialInline,
            _ => InlineMark::None,
        };
    }
    marks
}

/// The edges between rows over some samples of one profile (values of
/// type `t`, times `sign`).
fn edges_between(
    profile: &Profile,
    sign: i64,
    frames: &LocationFrames,
    inlined: &[bool],
    t: SampleType,
    samples: std::ops::Range<usize>,
) -> Edges {
    let mut edges = Edges::default();
    for i in samples {
        let sample = profile.sample(i);
        let Some(&raw) = sample.values.get(t.0) else { continue };
        let weight = raw.wrapping_mul(sign);
        if weight == 0 {
            continue;
        }
        edges.next_sample();
        let mut parent = NONE;
        for loc in sample.locations.iter().rev() {
            for &frame in frames.of(loc.get()) {
                let slot = frame >> 1;
                if parent != NONE && parent != slot && inlined[slot as usize] {
                    edges.add(parent, slot, weight, frame & 1 == 1);
                }
                parent = slot;
            }
        }
    }
    edges
}

/// The shown frames of every location of one profile, outermost first,
/// each packed as `slot << 1 | inlined`, where `inlined` says the frame is
/// not the location's outermost line.
struct LocationFrames {
    starts: Vec<u32>,
    frames: Vec<u32>,
}

impl LocationFrames {
    fn new(starts: &[u32], refs: &[super::index::NodeRef], slot_of_node: &[u32]) -> LocationFrames {
        let mut out = LocationFrames { starts: Vec::with_capacity(starts.len()), frames: Vec::new() };
        for w in starts.windows(2) {
            out.starts.push(out.frames.len() as u32);
            let lines = &refs[w[0] as usize..w[1] as usize];
            for (i, r) in lines.iter().enumerate().rev() {
                let slot = slot_of_node[r.node as usize];
                if slot != NONE {
                    out.frames.push(slot << 1 | u32::from(i + 1 != lines.len()));
                }
            }
        }
        out.starts.push(out.frames.len() as u32);
        out
    }

    fn of(&self, location: usize) -> &[u32] {
        &self.frames[self.starts[location] as usize..self.starts[location + 1] as usize]
    }
}

struct Edge {
    callee: u32,
    weight: i64,
    inline: bool,
    /// The last sample that counted this edge.
    seen: u32,
}

/// Caller→callee edges between rows, counted once per sample.
#[derive(Default)]
struct Edges {
    ids: FxHashMap<u64, u32>,
    list: Vec<Edge>,
    stamp: u32,
}

impl Edges {
    fn next_sample(&mut self) {
        self.stamp = self.stamp.wrapping_add(1).max(1);
    }

    fn add(&mut self, caller: u32, callee: u32, weight: i64, inline: bool) {
        let stamp = self.stamp;
        let e = self.edge(caller, callee);
        if e.seen != stamp {
            e.seen = stamp;
            e.weight = e.weight.wrapping_add(weight);
            e.inline &= inline;
        }
    }

    /// The edge from `caller` to `callee`, added (weight 0, inline) if new.
    fn edge(&mut self, caller: u32, callee: u32) -> &mut Edge {
        let next = self.list.len() as u32;
        let id = *self.ids.entry(u64::from(caller) << 32 | u64::from(callee)).or_insert(next);
        if id == next {
            self.list.push(Edge { callee, weight: 0, inline: true, seen: 0 });
        }
        &mut self.list[id as usize]
    }

    /// Adds the edges counted over other samples.
    fn absorb(&mut self, other: Edges) {
        for (key, id) in other.ids {
            let from = &other.list[id as usize];
            let e = self.edge((key >> 32) as u32, key as u32);
            e.weight = e.weight.wrapping_add(from.weight);
            e.inline &= from.inline;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_profiles::profile;

    const ALL: TopOptions = TopOptions { lines: true, by_cum: false, node_count: None, node_fraction: 0.0, edge_fraction: 0.0 };

    /// Each shown row's name and mark, in order.
    fn marks(stacks: &[(&str, i64)], options: &TopOptions) -> Vec<(String, InlineMark)> {
        let p = profile(stacks);
        let index = Index::build(&p);
        let top = top(&index, &[&p], SampleType(0), options);
        top.rows.iter().map(|r| (top.name(&index, r.item), r.mark)).collect()
    }

    /// A profile large enough for its edges to be counted in two halves
    /// on two threads marks rows as the same stacks, summed, do.
    #[test]
    fn edges_counted_in_halves_mark_as_counted_at_once() {
        let stacks = [("helper:3+caller:8 main:1", 7), ("helper:3 caller:8 main:1", 2), ("caller:9 main:1", 5), ("x:1+helper:3 main:1", 3)];
        let many: Vec<(&str, i64)> = (0..crate::analysis::halves::PARALLEL_MIN_SAMPLES + 4_000).map(|i| stacks[i % stacks.len()]).collect();
        let repeats = many.len() as i64 / stacks.len() as i64;
        let few: Vec<(&str, i64)> = stacks.iter().map(|&(s, v)| (s, v * repeats)).collect();
        let (halves, once) = (marks(&many, &ALL), marks(&few, &ALL));
        assert_eq!(halves, once);
        assert!(halves.iter().any(|(_, m)| *m != InlineMark::None), "{halves:?}");
    }

    fn mark_of(rows: &[(String, InlineMark)], name: &str) -> Option<InlineMark> {
        rows.iter().find(|(n, _)| n == name).map(|(_, m)| *m)
    }

    /// `c` calls `x` at line 8, once inlined and once not. Seen per node
    /// (the old rule), `x` was reached both ways: partial. pprof sees one
    /// edge c:8→x:3, inline only if it always was: no mark.
    #[test]
    fn an_edge_seen_both_inlined_and_called_is_not_inline() {
        let stacks = [("x:3+c:8 main:1", 4), ("x:3 c:8 main:1", 1)];
        assert_eq!(mark_of(&marks(&stacks, &ALL), "x x.go:3"), Some(InlineMark::None));
        let functions = TopOptions { lines: false, ..ALL };
        assert_eq!(mark_of(&marks(&stacks, &functions), "x"), Some(InlineMark::None));
        // Through a second caller the mark shows again.
        let stacks = [("x:3+c:8 main:1", 4), ("x:3 d:5 main:1", 1)];
        assert_eq!(mark_of(&marks(&stacks, &ALL), "x x.go:3"), Some(InlineMark::PartialInline));
        assert_eq!(mark_of(&marks(&stacks, &functions), "x"), Some(InlineMark::PartialInline));
    }

    /// Edges lighter than `edge_fraction` of the flats are ignored.
    #[test]
    fn light_edges_do_not_mark() {
        let stacks = [("x:3+c:8 main:1", 999), ("x:3 d:5 main:1", 1)];
        assert_eq!(mark_of(&marks(&stacks, &ALL), "x x.go:3"), Some(InlineMark::PartialInline));
        // 0.1% of 1000 is 1: the edge d→x weighs 1 and stays.
        let edges = TopOptions { edge_fraction: 0.001, ..ALL };
        assert_eq!(mark_of(&marks(&stacks, &edges), "x x.go:3"), Some(InlineMark::PartialInline));
        let edges = TopOptions { edge_fraction: 0.002, ..ALL };
        assert_eq!(mark_of(&marks(&stacks, &edges), "x x.go:3"), Some(InlineMark::Inline));
        // Dropping d by node fraction leaves an edge main→x in its place,
        // still a call, until it is too light as well.
        let nodes = TopOptions { node_fraction: 0.005, ..ALL };
        let rows = marks(&stacks, &nodes);
        assert_eq!(mark_of(&rows, "d d.go:5"), None);
        assert_eq!(mark_of(&rows, "x x.go:3"), Some(InlineMark::PartialInline));
        let both = TopOptions { node_fraction: 0.005, edge_fraction: 0.002, ..ALL };
        assert_eq!(mark_of(&marks(&stacks, &both), "x x.go:3"), Some(InlineMark::Inline));
    }

    /// A call whose callers are all cut by `node_count` is no edge at all.
    #[test]
    fn rows_cut_by_node_count_take_their_edges_along() {
        let stacks = [("x:3+c:8 main:1", 5), ("x:3 d:5", 3)];
        assert_eq!(mark_of(&marks(&stacks, &ALL), "x x.go:3"), Some(InlineMark::PartialInline));
        // By flat: x, then the zero-flat rows by name: c, d, main.
        let two = TopOptions { node_count: Some(2), ..ALL };
        let rows = marks(&stacks, &two);
        assert_eq!(rows, [("x x.go:3".to_string(), InlineMark::Inline), ("c c.go:8".to_string(), InlineMark::None)]);
    }

    /// Recursion through another row is an edge like any other; a row
    /// following itself is none.
    #[test]
    fn recursion_counts_but_self_steps_do_not() {
        let through_y = [("x:3 y:4 x:3+c:8 main:1", 2)];
        assert_eq!(mark_of(&marks(&through_y, &ALL), "x x.go:3"), Some(InlineMark::PartialInline));
        let itself = [("x:3 x:3+c:8 main:1", 2)];
        assert_eq!(mark_of(&marks(&itself, &ALL), "x x.go:3"), Some(InlineMark::Inline));
        // At function granularity x:3 and x:4 are one row: no step between them.
        let lines = [("x:3 x:4+c:8 main:1", 2)];
        let functions = TopOptions { lines: false, ..ALL };
        assert_eq!(mark_of(&marks(&lines, &functions), "x"), Some(InlineMark::Inline));
        assert_eq!(mark_of(&marks(&lines, &ALL), "x x.go:3"), Some(InlineMark::None));
    }

    /// A function recorded under two file names is one row; its edges in
    /// come from both.
    #[test]
    fn split_functions_are_one_row() {
        let stacks = [("x@c.go:3+c:8 main:1", 4), ("x:3 main:1", 2)];
        let functions = TopOptions { lines: false, ..ALL };
        let rows = marks(&stacks, &functions);
        assert_eq!(rows.iter().filter(|(n, _)| n == "x").count(), 1);
        assert_eq!(mark_of(&rows, "x"), Some(InlineMark::PartialInline));
        let lines = marks(&stacks, &ALL);
        assert_eq!(mark_of(&lines, "x c.go:3"), Some(InlineMark::Inline));
        assert_eq!(mark_of(&lines, "x x.go:3"), Some(InlineMark::None));
    }

    /// Locations without symbols are one row per binary, named after it
    /// (`<unknown>` without one), counted once per sample however many of
    /// its addresses a stack passes through.
    #[test]
    fn locations_without_symbols_are_one_row_per_binary() {
        use crate::profile::{Location, LocationIdx, Mapping, MappingIdx};
        let mut p = profile(&[("main:1", 0)]);
        p.mappings = vec![
            Mapping { id: 1, filename: "/lib/libc.so.6".into(), memory_limit: 0x100, ..Default::default() },
            Mapping { id: 2, memory_start: 0x100, memory_limit: 0x200, ..Default::default() },
        ];
        for (address, mapping) in [(0x10, 0), (0x20, 0), (0x130, 1)] {
            p.locations.push(Location { address, mapping: Some(MappingIdx(mapping)), ..Default::default() });
        }
        p.samples.clear();
        p.sample_locations.clear();
        p.sample_values.clear();
        let at = |ids: &[u32]| ids.iter().map(|&i| LocationIdx(i)).collect::<Vec<_>>();
        p.push_sample(&at(&[1, 2, 0]), &[3], []);
        p.push_sample(&at(&[2, 0]), &[2], []);
        p.push_sample(&at(&[3, 0]), &[1], []);
        let index = Index::build(&p);
        for lines in [true, false] {
            let top = top(&index, &[&p], SampleType(0), &TopOptions { lines, ..ALL });
            let rows: Vec<(String, i64, i64)> = top.rows.iter().map(|r| (top.name(&index, r.item), r.cost.flat, r.cost.cum)).collect();
            let main = if lines { "main main.go:1" } else { "main" };
            assert_eq!(
                rows,
                [("[libc.so.6]".to_string(), 5, 5), ("<unknown>".to_string(), 1, 1), (main.to_string(), 0, 6)],
                "lines: {lines}"
            );
        }
    }

    /// Order: |flat|, then name, then |cum|; with `by_cum`, |cum| first.
    #[test]
    fn rows_sort_as_pprof_sorts_them() {
        let stacks = [("b:1 main:1", 3), ("a:1 main:1", 3), ("a:2 b:1 main:1", 1)];
        let names = |o: &TopOptions| marks(&stacks, o).into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(names(&ALL), ["a a.go:1", "b b.go:1", "a a.go:2", "main main.go:1"]);
        let cum = TopOptions { by_cum: true, ..ALL };
        assert_eq!(names(&cum), ["main main.go:1", "b b.go:1", "a a.go:1", "a a.go:2"]);
    }
}
