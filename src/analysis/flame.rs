//! The flame graph's tree: every call path of the samples, root first, each
//! frame with the values of the samples whose stacks pass through it, as
//! pprof's flame graph (`go tool pprof -http`, view "Flame Graph") adds them
//! up.
//!
//! * A frame is a function on one call path: the samples whose stacks, read
//!   from the root, start with the same functions. Its value is the sum of
//!   those samples' values, so each sample counts once per frame, and a
//!   recursive function is one frame per depth it reaches (its outermost
//!   frame holds all of its samples, as pprof's does).
//! * Frames are functions the way the index names them (one frame for one
//!   name, whatever file a `Function` entry names), at every inlining level:
//!   a location's inlined frames are frames of their own, outermost first.
//!   pprof makes an inlined call and a real call of the same function two
//!   frames; here they are one, marked inline, partly inline or not.
//!   Locations without symbols are one frame per binary (`[name]`), as in
//!   the `top` table.
//! * For a diff (the index built from a profile and its base), base samples
//!   count negatively; a frame keeps the positive and negative sums apart
//!   (pprof's `sumpos`, `sumneg`), and its width is their sum.
//! * Frames narrower than [`FlameOptions::min_fraction`] of the shown root
//!   are not built: the siblings left out are merged into one
//!   [`Frame::Others`] frame, so a frame's children still add up to its
//!   width less its self value. This bounds the tree by the root's width
//!   rather than by the profile's size: a million distinct stacks give a
//!   few thousand frames.
//! * A zoomed tree starts at a frame given by its path of names, and prunes
//!   relative to that frame, so zooming in shows detail a whole-profile tree
//!   left out.
//!
//! The tree is built from the root down: the samples of a frame are
//! grouped by their next frame, groups wide enough become children and are
//! split in turn, and the rest are merged. Work and memory follow the frames
//! kept, not the frames of the profile.

use rustc_hash::FxHashMap;

use crate::profile::{base_name, Profile};

use super::index::{FuncId, Index, NodeId, NONE};
use super::select::SampleType;
use super::top::InlineMark;

/// What to build.
#[derive(Clone, Debug, PartialEq)]
pub struct FlameOptions {
    /// Frames whose width is below this share of the shown root's width are
    /// merged into one [`Frame::Others`] per parent. 0 keeps every frame.
    pub min_fraction: f64,
}

impl Default for FlameOptions {
    /// One frame in 5000 of the root: at 2000 pixels, less than half a pixel.
    fn default() -> Self {
        FlameOptions { min_fraction: 0.0002 }
    }
}

/// What one frame of the graph stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Frame {
    /// The whole profile (or the zoomed frame's ancestors, see
    /// [`FlameTree::ancestors`]).
    Root,
    Function(FuncId),
    /// The locations without symbols of one binary: an index into
    /// [`FlameTree::objects`].
    Object(u32),
    /// Sibling frames too narrow to build, merged; `frames` counts them.
    Others { frames: u32 },
}

/// One frame with its values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlameNode {
    pub frame: Frame,
    /// Depth below the tree's root (the root is 0).
    pub depth: u32,
    /// Sum of the positive sample values through this frame.
    pub pos: i64,
    /// Sum of the magnitudes of the negative values (a diff's base).
    pub neg: i64,
    /// The part of `pos` from samples whose stack ends here.
    pub self_pos: i64,
    /// The part of `neg` from samples whose stack ends here.
    pub self_neg: i64,
    /// The source line (index node) through which most of this frame's
    /// weight passes: the line to open for it.
    pub line: Option<NodeId>,
    /// Whether the calls this frame stands for were inlined into their
    /// caller.
    pub inline: InlineMark,
    children: (u32, u32),
}

impl FlameNode {
    /// A frame at `depth` with nothing added to it yet and no children.
    fn empty(frame: Frame, depth: u32, line: Option<NodeId>, inline: InlineMark) -> FlameNode {
        FlameNode { frame, depth, pos: 0, neg: 0, self_pos: 0, self_neg: 0, line, inline, children: (0, 0) }
    }

    /// The frame's width: all the value through it, positive and negative.
    pub fn weight(&self) -> i64 {
        self.pos.wrapping_add(self.neg)
    }

    /// Its value: a diff's net change.
    pub fn value(&self) -> i64 {
        self.pos.wrapping_sub(self.neg)
    }

    /// The value of the samples that end here.
    pub fn self_value(&self) -> i64 {
        self.self_pos.wrapping_sub(self.self_neg)
    }
}

/// An ancestor of a zoomed tree's root, root first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ancestor {
    pub frame: Frame,
    pub pos: i64,
    pub neg: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FlameError {
    #[error("no frame {name:?} below {parent:?} on the zoomed path")]
    NoSuchFrame { name: String, parent: String },
}

/// The frames of a flame graph, children of each frame widest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlameTree {
    nodes: Vec<FlameNode>,
    ancestors: Vec<Ancestor>,
    /// Names of the binaries of [`Frame::Object`] frames, as the `top`
    /// table prints them.
    objects: Vec<String>,
}

impl FlameTree {
    /// The tree's root: the whole profile, or the zoomed frame.
    pub fn root(&self) -> &FlameNode {
        &self.nodes[0]
    }

    pub fn node(&self, id: usize) -> &FlameNode {
        &self.nodes[id]
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The positions of a frame's children, widest first.
    pub fn children(&self, id: usize) -> std::ops::Range<usize> {
        let (start, end) = self.nodes[id].children;
        start as usize..end as usize
    }

    /// For a zoomed tree, the frames above its root (the whole profile's
    /// root first); empty otherwise.
    pub fn ancestors(&self) -> &[Ancestor] {
        &self.ancestors
    }

    /// The frame's name: the function's full name, `[binary]` for a binary
    /// without symbols, `root` for the root.
    pub fn name(&self, index: &Index, frame: Frame) -> String {
        match frame {
            Frame::Root => "root".to_string(),
            Frame::Function(f) => index.function(f).name.clone(),
            Frame::Object(o) => self.objects[o as usize].clone(),
            Frame::Others { frames: 1 } => "1 smaller frame".to_string(),
            Frame::Others { frames } => format!("{frames} smaller frames"),
        }
    }

    /// The child of `id` with a name, if the tree has it.
    pub fn child_named(&self, index: &Index, id: usize, name: &str) -> Option<usize> {
        self.children(id).find(|&c| self.name(index, self.nodes[c].frame) == name)
    }

    /// Builds the tree of sample type `t` from `profiles`, the profiles
    /// `index` was built from in its order (the profile, then a diff's
    /// base). `zoom` names the frames from the root down to the frame the
    /// tree should start at; empty for the whole profile.
    pub fn build(
        index: &Index,
        profiles: &[&Profile],
        t: SampleType,
        zoom: &[&str],
        options: &FlameOptions,
    ) -> Result<FlameTree, FlameError> {
        let frames = Frames::new(index, profiles);
        let mut cursors = Vec::new();
        for (p, (profile, table)) in profiles.iter().zip(&index.tables).enumerate() {
            for (i, sample) in profile.iter_samples().enumerate() {
                let Some(&raw) = sample.values.get(t.0) else { continue };
                let value = raw.wrapping_mul(table.sign);
                if value == 0 || sample.locations.is_empty() {
                    continue;
                }
                cursors.push(Cursor {
                    profile: p as u32,
                    sample: i as u32,
                    location: sample.locations.len() as u32,
                    frame: 0,
                    value,
                });
            }
        }
        let walker = Walker { profiles, frames: &frames };

        let mut tree = FlameTree { objects: frames.object_names.clone(), ..FlameTree::default() };
        let mut root = FlameNode::empty(Frame::Root, 0, None, InlineMark::None);
        add_up(&mut root, &cursors);
        for (depth, &name) in zoom.iter().enumerate() {
            let parent = root.frame;
            tree.ancestors.push(Ancestor { frame: parent, pos: root.pos, neg: root.neg });
            let wanted = frames.key_named(index, name);
            let mut lines = Lines::default();
            let mut inline = InlineTally::default();
            cursors.retain_mut(|c| match walker.next(c) {
                Some(step) if Some(step.key) == wanted => {
                    lines.add(step.node, c.value);
                    inline.add(step.inlined);
                    true
                }
                _ => false,
            });
            if cursors.is_empty() {
                return Err(FlameError::NoSuchFrame { name: name.to_string(), parent: tree.name(index, parent) });
            }
            root = FlameNode::empty(frames.frame(wanted.unwrap_or(NONE)), depth as u32 + 1, lines.heaviest(), inline.mark());
            add_up(&mut root, &cursors);
        }
        // Depths count from the tree's root.
        root.depth = 0;
        let cutoff = (root.weight() as f64 * options.min_fraction.max(0.0)) as i64;
        tree.nodes.push(root);

        let mut pending: Vec<(usize, Vec<Cursor>)> = vec![(0, cursors)];
        while let Some((parent, cursors)) = pending.pop() {
            let mut groups: Vec<Group> = Vec::new();
            let mut by_key: FxHashMap<u32, usize> = FxHashMap::default();
            let (mut self_pos, mut self_neg) = (0i64, 0i64);
            for mut c in cursors {
                let Some(step) = walker.next(&mut c) else {
                    if c.value > 0 {
                        self_pos = self_pos.wrapping_add(c.value);
                    } else {
                        self_neg = self_neg.wrapping_add(c.value.wrapping_neg());
                    }
                    continue;
                };
                let g = *by_key.entry(step.key).or_insert_with(|| {
                    groups.push(Group::new(step.key));
                    groups.len() - 1
                });
                groups[g].add(step, c);
            }
            let node = &mut tree.nodes[parent];
            node.self_pos = self_pos;
            node.self_neg = self_neg;
            let depth = node.depth + 1;
            groups.sort_by_cached_key(|g| (std::cmp::Reverse(g.weight()), frames.sort_name(index, g.key)));
            let kept = groups.iter().take_while(|g| g.weight() >= cutoff.max(1)).count();
            let start = tree.nodes.len() as u32;
            let mut others: Option<FlameNode> = None;
            for (i, g) in groups.into_iter().enumerate() {
                if i >= kept {
                    let o = others.get_or_insert_with(|| FlameNode::empty(Frame::Others { frames: 0 }, depth, None, InlineMark::None));
                    if let Frame::Others { frames } = &mut o.frame {
                        *frames += 1;
                    }
                    o.pos = o.pos.wrapping_add(g.pos);
                    o.neg = o.neg.wrapping_add(g.neg);
                    o.self_pos = o.pos;
                    o.self_neg = o.neg;
                    continue;
                }
                tree.nodes.push(FlameNode {
                    pos: g.pos,
                    neg: g.neg,
                    ..FlameNode::empty(frames.frame(g.key), depth, g.lines.heaviest(), g.inline.mark())
                });
                pending.push((tree.nodes.len() - 1, g.members));
            }
            tree.nodes.extend(others);
            tree.nodes[parent].children = (start, tree.nodes.len() as u32);
        }
        Ok(tree)
    }
}

fn add_up(node: &mut FlameNode, cursors: &[Cursor]) {
    for c in cursors {
        if c.value > 0 {
            node.pos = node.pos.wrapping_add(c.value);
        } else {
            node.neg = node.neg.wrapping_add(c.value.wrapping_neg());
        }
    }
}

/// A sample on its way down the tree: the next frame to read is frame
/// `frame` (outermost first) of location `location - 1` (leaf first, so
/// the root's location is the last).
#[derive(Clone, Copy, Debug)]
struct Cursor {
    profile: u32,
    sample: u32,
    location: u32,
    frame: u32,
    value: i64,
}

/// One frame read from a sample.
#[derive(Clone, Copy, Debug)]
struct Step {
    key: u32,
    node: u32,
    inlined: bool,
}

/// Every location's frames, outermost first, as frame keys: a function's
/// id, or the number of functions plus an object's position.
struct Frames {
    /// Per profile: where each location's frames start in `steps`.
    starts: Vec<Vec<u32>>,
    steps: Vec<Vec<Step>>,
    functions: u32,
    object_names: Vec<String>,
}

impl Frames {
    fn new(index: &Index, profiles: &[&Profile]) -> Frames {
        let functions = index.functions().len() as u32;
        let mut object_of: FxHashMap<&str, u32> = FxHashMap::default();
        let mut object_names = Vec::new();
        let mut starts = Vec::with_capacity(profiles.len());
        let mut all_steps = Vec::with_capacity(profiles.len());
        for (profile, table) in profiles.iter().zip(&index.tables) {
            let mut location_starts = Vec::with_capacity(profile.locations.len() + 1);
            let mut steps = Vec::with_capacity(table.refs.len());
            for (i, loc) in profile.locations.iter().enumerate() {
                location_starts.push(steps.len() as u32);
                let refs = &table.refs[table.starts[i] as usize..table.starts[i + 1] as usize];
                if loc.lines.is_empty() {
                    let file = loc.mapping.map_or("", |m| profile.mappings[m.get()].filename.as_str());
                    let next = object_names.len() as u32;
                    let o = *object_of.entry(file).or_insert(next);
                    if o == next {
                        object_names.push(if file.is_empty() { "<unknown>".to_string() } else { format!("[{}]", base_name(file)) });
                    }
                    let node = refs.first().map_or(NONE, |r| r.node);
                    steps.push(Step { key: functions + o, node, inlined: false });
                    continue;
                }
                // `refs` are innermost first; all but the last are inlined
                // into the frame after them.
                let last = refs.len() - 1;
                for (j, r) in refs.iter().enumerate().rev() {
                    steps.push(Step { key: r.function, node: r.node, inlined: j != last });
                }
            }
            location_starts.push(steps.len() as u32);
            starts.push(location_starts);
            all_steps.push(steps);
        }
        Frames { starts, steps: all_steps, functions, object_names }
    }

    fn frame(&self, key: u32) -> Frame {
        if key < self.functions {
            Frame::Function(FuncId(key))
        } else {
            Frame::Object(key - self.functions)
        }
    }

    /// The key of the frame a zoom path names.
    fn key_named(&self, index: &Index, name: &str) -> Option<u32> {
        if let Some(o) = self.object_names.iter().position(|n| n == name) {
            return Some(self.functions + o as u32);
        }
        index.function_ids().find(|&f| index.function(f).name == name).map(|f| f.0)
    }

    /// Orders siblings of equal width by name, so trees are deterministic.
    fn sort_name<'a>(&'a self, index: &'a Index, key: u32) -> &'a str {
        match self.frame(key) {
            Frame::Function(f) => &index.function(f).name,
            Frame::Object(o) => &self.object_names[o as usize],
            Frame::Root | Frame::Others { .. } => "",
        }
    }
}

struct Walker<'a> {
    profiles: &'a [&'a Profile],
    frames: &'a Frames,
}

impl Walker<'_> {
    /// Reads the next frame of a sample, or `None` at its leaf.
    #[inline]
    fn next(&self, c: &mut Cursor) -> Option<Step> {
        let p = c.profile as usize;
        let locations = self.profiles[p].sample(c.sample as usize).locations;
        let starts = &self.frames.starts[p];
        while c.location > 0 {
            let loc = locations[c.location as usize - 1].get();
            let (start, end) = (starts[loc], starts[loc + 1]);
            if start + c.frame < end {
                let step = self.frames.steps[p][(start + c.frame) as usize];
                c.frame += 1;
                return Some(step);
            }
            c.location -= 1;
            c.frame = 0;
        }
        None
    }
}

/// The samples of one child frame while its parent is split.
struct Group {
    key: u32,
    pos: i64,
    neg: i64,
    lines: Lines,
    inline: InlineTally,
    members: Vec<Cursor>,
}

impl Group {
    fn new(key: u32) -> Group {
        Group { key, pos: 0, neg: 0, lines: Lines::default(), inline: InlineTally::default(), members: Vec::new() }
    }

    fn weight(&self) -> i64 {
        self.pos.wrapping_add(self.neg)
    }

    fn add(&mut self, step: Step, c: Cursor) {
        if c.value > 0 {
            self.pos = self.pos.wrapping_add(c.value);
        } else {
            self.neg = self.neg.wrapping_add(c.value.wrapping_neg());
        }
        self.lines.add(step.node, c.value);
        self.inline.add(step.inlined);
        self.members.push(c);
    }
}

/// The weight through each source line of one frame (a frame rarely has
/// more than a few, so a list beats a map).
#[derive(Default)]
struct Lines(Vec<(u32, i64)>);

impl Lines {
    fn add(&mut self, node: u32, value: i64) {
        if node == NONE {
            return;
        }
        let w = value.wrapping_abs();
        match self.0.iter_mut().find(|(n, _)| *n == node) {
            Some((_, total)) => *total = total.wrapping_add(w),
            None => self.0.push((node, w)),
        }
    }

    /// The heaviest line, the first seen among equals.
    fn heaviest(&self) -> Option<NodeId> {
        let mut best: Option<(u32, i64)> = None;
        for &(n, w) in &self.0 {
            if best.is_none_or(|(_, b)| w > b) {
                best = Some((n, w));
            }
        }
        best.map(|(n, _)| NodeId(n))
    }
}

/// How many of a frame's calls were inlined.
#[derive(Default)]
struct InlineTally {
    inlined: u32,
    called: u32,
}

impl InlineTally {
    fn add(&mut self, inlined: bool) {
        if inlined {
            self.inlined = self.inlined.saturating_add(1);
        } else {
            self.called = self.called.saturating_add(1);
        }
    }

    fn mark(&self) -> InlineMark {
        match (self.inlined > 0, self.called > 0) {
            (true, false) => InlineMark::Inline,
            (true, true) => InlineMark::PartialInline,
            _ => InlineMark::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_profiles::profile;

    /// The tree as `name value [self N]` lines, indented by depth, in
    /// child order; the value is `pos` (or `pos/-neg` when a frame has
    /// negative values).
    fn render(tree: &FlameTree, index: &Index) -> String {
        let mut out = String::new();
        let mut stack = vec![0usize];
        while let Some(n) = stack.pop() {
            let node = tree.node(n);
            let value = if node.neg == 0 { node.pos.to_string() } else { format!("{}/-{}", node.pos, node.neg) };
            let own = node.self_value();
            let own = if own == 0 || matches!(node.frame, Frame::Others { .. }) { String::new() } else { format!(" self {own}") };
            let inline = if node.inline == InlineMark::None { String::new() } else { format!(" {}", node.inline.label()) };
            out.push_str(&format!("{}{} {value}{own}{inline}\n", "  ".repeat(node.depth as usize), tree.name(index, node.frame)));
            stack.extend(tree.children(n).rev());
        }
        out
    }

    fn check(stacks: &[(&str, i64)], zoom: &[&str], min_fraction: f64, expect: &str) {
        let p = profile(stacks);
        let index = Index::build(&p);
        let tree = FlameTree::build(&index, &[&p], SampleType(0), zoom, &FlameOptions { min_fraction }).unwrap();
        assert_eq!(render(&tree, &index), expect.trim_start_matches('\n'), "stacks {stacks:?}");
    }

    #[test]
    fn frames_are_call_paths_with_the_values_through_them() {
        check(
            &[("a:1 main:1", 5), ("b:1 main:1", 7), ("a:2 b:2 main:1", 2), ("main:2", 1)],
            &[],
            0.0,
            "
root 15
  main 15 self 1
    b 9 self 7
      a 2 self 2
    a 5 self 5
",
        );
    }

    /// Each sample counts once per frame: a recursive function is a frame
    /// at each depth, the outermost holding every sample through it (so
    /// the total is the samples' sum, not a multiple of it).
    #[test]
    fn recursion_counts_once_per_sample_per_frame() {
        check(
            &[("rec:5 rec:5 rec:5 main:1", 10), ("rec:5 main:1", 4)],
            &[],
            0.0,
            "
root 14
  main 14
    rec 14 self 4
      rec 10
        rec 10 self 10
",
        );
    }

    /// The outermost frame of a recursive function holds its cum, the
    /// value `top` gives the function (counted once per sample).
    #[test]
    fn a_function_on_one_path_has_its_cum() {
        let stacks = [("rec:5 rec:6 leaf:1 rec:5 main:1", 3), ("rec:5 main:1", 4), ("other:1 main:1", 9)];
        let p = profile(&stacks);
        let index = Index::build(&p);
        let tree = FlameTree::build(&index, &[&p], SampleType(0), &[], &FlameOptions { min_fraction: 0.0 }).unwrap();
        let main = tree.child_named(&index, 0, "main").unwrap();
        let rec = tree.child_named(&index, main, "rec").unwrap();
        let f = index.function_ids().find(|&f| index.function(f).name == "rec").unwrap();
        assert_eq!(tree.node(rec).weight(), index.function_cost(f, SampleType(0)).cum);
        assert_eq!(tree.root().weight(), index.total(SampleType(0)));
    }

    #[test]
    fn inlined_frames_are_frames_of_their_own() {
        check(
            &[("helper:3+caller:8 main:1", 7), ("caller:9 main:1", 2), ("helper:4 main:2", 1)],
            &[],
            0.0,
            "
root 10
  main 10
    caller 9 self 2
      helper 7 self 7 (inline)
    helper 1 self 1
",
        );
    }

    #[test]
    fn a_frame_both_inlined_and_called_is_partly_inline() {
        check(
            &[("helper:3+main:1", 7), ("helper:4 main:2", 1)],
            &[],
            0.0,
            "
root 8
  main 8
    helper 8 self 8 (partial-inline)
",
        );
    }

    #[test]
    fn narrow_siblings_are_merged_into_one_frame() {
        // Frames below 10% of 100 are merged; `tiny` frames are not split.
        check(
            &[("big:1 main:1", 80), ("small1:1 main:1", 4), ("small2:1 main:1", 3), ("mid:1 main:1", 10), ("x:1 small1:1 main:1", 3)],
            &[],
            0.1,
            "
root 100
  main 100
    big 80 self 80
    mid 10 self 10
    2 smaller frames 10
",
        );
    }

    #[test]
    fn without_pruning_nothing_is_merged() {
        check(
            &[("big:1 main:1", 98), ("small:1 main:1", 1), ("x:1 small:1 main:1", 1)],
            &[],
            0.0,
            "
root 100
  main 100
    big 98 self 98
    small 2 self 1
      x 1 self 1
",
        );
    }

    /// A zoomed tree starts at the named frame and prunes relative to it:
    /// detail the whole tree merged away is there.
    #[test]
    fn zooming_prunes_relative_to_the_zoomed_frame() {
        let stacks = [("big:1 main:1", 95), ("a:1 small:1 main:1", 3), ("b:1 small:1 main:1", 2)];
        check(
            &stacks,
            &[],
            0.1,
            "
root 100
  main 100
    big 95 self 95
    1 smaller frame 5
",
        );
        check(
            &stacks,
            &["main", "small"],
            0.1,
            "
small 5
  a 3 self 3
  b 2 self 2
",
        );
        let p = profile(&stacks);
        let index = Index::build(&p);
        let tree = FlameTree::build(&index, &[&p], SampleType(0), &["main", "small"], &FlameOptions::default()).unwrap();
        let chain: Vec<(String, i64)> = tree.ancestors().iter().map(|a| (tree.name(&index, a.frame), a.pos)).collect();
        assert_eq!(chain, [("root".to_string(), 100), ("main".to_string(), 100)]);
        let err = FlameTree::build(&index, &[&p], SampleType(0), &["main", "nope"], &FlameOptions::default()).unwrap_err();
        assert_eq!(err, FlameError::NoSuchFrame { name: "nope".into(), parent: "main".into() });
    }

    /// With a base, the base's samples count negatively: each frame has
    /// both sums, and its width is their sum (pprof's sumpos + sumneg).
    #[test]
    fn a_diff_keeps_positive_and_negative_apart() {
        let new = profile(&[("a:1 main:1", 30), ("b:1 main:1", 5)]);
        let base = profile(&[("a:1 main:1", 10), ("c:1 main:1", 5)]);
        let index = Index::build_diff(&new, &base).unwrap();
        let tree = FlameTree::build(&index, &[&new, &base], SampleType(0), &[], &FlameOptions { min_fraction: 0.0 }).unwrap();
        assert_eq!(
            render(&tree, &index),
            "root 35/-15\n  main 35/-15\n    a 30/-10 self 20\n    b 5 self 5\n    c 0/-5 self -5\n"
        );
        assert_eq!(tree.root().value(), 20);
    }

    /// Each frame names the line most of its weight passes through.
    #[test]
    fn a_frame_opens_at_its_heaviest_line() {
        let p = profile(&[("a:1 main:3", 5), ("a:2 main:4", 7)]);
        let index = Index::build(&p);
        let tree = FlameTree::build(&index, &[&p], SampleType(0), &[], &FlameOptions::default()).unwrap();
        let main = tree.child_named(&index, 0, "main").unwrap();
        let a = tree.child_named(&index, main, "a").unwrap();
        let line = |n: usize| tree.node(n).line.map(|l| index.node_name(l));
        assert_eq!(line(main).as_deref(), Some("main main.go:4"));
        assert_eq!(line(a).as_deref(), Some("a a.go:2"));
    }

    /// Locations without symbols are one frame per binary.
    #[test]
    fn locations_without_symbols_are_one_frame_per_binary() {
        use crate::profile::{Location, LocationIdx, Mapping, MappingIdx};
        let mut p = profile(&[("main:1", 1)]);
        p.mappings.push(Mapping { filename: "/usr/lib/libc.so.6".into(), ..Default::default() });
        for address in [0x10, 0x20] {
            p.locations.push(Location { address, mapping: Some(MappingIdx(0)), ..Default::default() });
        }
        let (a, b) = (LocationIdx(p.locations.len() as u32 - 2), LocationIdx(p.locations.len() as u32 - 1));
        p.push_sample(&[a, LocationIdx(0)], &[4], []);
        p.push_sample(&[b, LocationIdx(0)], &[2], []);
        let index = Index::build(&p);
        let tree = FlameTree::build(&index, &[&p], SampleType(0), &[], &FlameOptions { min_fraction: 0.0 }).unwrap();
        assert_eq!(render(&tree, &index), "root 7\n  main 7 self 1\n    [libc.so.6] 6 self 6\n");
    }
}
