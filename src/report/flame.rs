//! Flame graph renderings of an [`analysis::FlameTree`](crate::analysis::FlameTree):
//! the compact JSON the web view draws, the folded stacks (`a;b;c 42`)
//! that flame graph tools read, and an SVG drawn by inferno from those.

use std::fmt::Write as _;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::analysis::flame::{FlameTree, Frame};
use crate::analysis::{FileId, Index, InlineMark, NodeId, SampleType};
use crate::report::labels::Scale;

/// What kind of frame a [`FlameJson`] entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[repr(u8)]
pub enum FrameKind {
    Root = 0,
    Function = 1,
    /// Every call it stands for was inlined into its caller.
    Inline = 2,
    /// Some of them were.
    PartialInline = 3,
    /// A binary without symbols.
    Object = 4,
    /// Narrow sibling frames, merged.
    Others = 5,
}

/// A source file frames open in, as the profile names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlameFile {
    pub file: String,
    /// Whether the file maps to a local file, so its frames can be opened;
    /// set by the caller, which knows the path mapping. (Why a file does
    /// not map is a long sentence, asked for when a frame is opened.)
    pub mapped: bool,
}

/// A frame above a zoomed tree's root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlameAncestor {
    pub name: String,
    pub label: String,
}

/// A flame tree as the web view draws it. Frames are listed in pre-order
/// (a frame, then its children's subtrees, widest child first) in parallel
/// arrays, with the number of children of each, and names, lines and files
/// are tables of their own, so a million-sample profile's few thousand
/// frames cost a few dozen bytes each. A frame's tooltip is its name
/// (with ` (inline)` or ` (partial-inline)` for those kinds), a line
/// break, and its label. Names are the functions' full names, as in
/// pprof's flame graph.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlameJson {
    pub sample_type: String,
    pub unit: String,
    /// What percentages are of: pprof's total (the base's, for a diff).
    pub total: i64,
    /// The total as pprof labels it (`15.27MB`).
    pub total_label: String,
    /// Whether values are differences from a base profile.
    pub diff: bool,
    /// The frames above the shown root when zoomed, the profile's root
    /// first; empty otherwise.
    pub ancestors: Vec<FlameAncestor>,
    /// Distinct frame names (functions' full names).
    pub names: Vec<String>,
    /// Per frame: its name, a position in `names`.
    pub name: Vec<u32>,
    /// Per frame: how many children follow it.
    pub kids: Vec<u32>,
    /// Per frame: its width, the sum of the magnitudes of the values
    /// through it.
    pub weight: Vec<i64>,
    /// Per frame: its net value, for a diff (empty otherwise).
    pub value: Vec<i64>,
    /// Per frame: a [`FrameKind`].
    pub kind: Vec<u8>,
    /// Per frame: its value and share as pprof labels them, its self
    /// value, and for a diff the base and new sums
    /// (`10MB (65.47%) · self 10MB`).
    pub label: Vec<String>,
    /// Per frame: the line to open for it, a position in `lines`, or -1.
    pub line: Vec<i32>,
    /// Source lines: a position in `files` and a 1-based line (0: none).
    pub lines: Vec<(u32, i64)>,
    pub files: Vec<FlameFile>,
}

/// The JSON of `tree` (of sample type `t` of `index`).
pub fn to_json(tree: &FlameTree, index: &Index, t: SampleType, diff: bool) -> FlameJson {
    let ty = &index.sample_types()[t.0];
    let scale = Scale::new(ty, index.total(t)).signed(diff);
    let mut out = FlameJson {
        sample_type: ty.name.clone(),
        unit: ty.unit.clone(),
        total: index.total(t),
        total_label: scale.value(index.total(t)),
        diff,
        ancestors: tree
            .ancestors()
            .iter()
            .map(|a| FlameAncestor { name: tree.name(index, a.frame), label: label(&scale, a.pos, a.neg, 0) })
            .collect(),
        names: Vec::new(),
        name: Vec::with_capacity(tree.len()),
        kids: Vec::with_capacity(tree.len()),
        weight: Vec::with_capacity(tree.len()),
        value: Vec::new(),
        kind: Vec::with_capacity(tree.len()),
        label: Vec::with_capacity(tree.len()),
        line: Vec::with_capacity(tree.len()),
        lines: Vec::new(),
        files: Vec::new(),
    };
    let mut name_ids: FxHashMap<String, u32> = FxHashMap::default();
    let mut line_ids: FxHashMap<NodeId, i32> = FxHashMap::default();
    let mut file_ids: FxHashMap<Option<FileId>, u32> = FxHashMap::default();
    let mut stack = vec![0usize];
    while let Some(n) = stack.pop() {
        let node = tree.node(n);
        let name = tree.name(index, node.frame);
        let next = name_ids.len() as u32;
        let id = *name_ids.entry(name).or_insert(next);
        if id == next {
            out.names.push(tree.name(index, node.frame));
        }
        out.name.push(id);
        out.kids.push(tree.children(n).len() as u32);
        out.weight.push(node.weight());
        if diff {
            out.value.push(node.value());
        }
        out.kind.push(kind(node.frame, node.inline) as u8);
        out.line.push(match node.line {
            None => -1,
            Some(l) => *line_ids.entry(l).or_insert_with(|| {
                let info = index.node(l);
                let file = *file_ids.entry(info.file).or_insert_with(|| {
                    let file = info.file.map_or_else(String::new, |f| index.file(f).to_string());
                    out.files.push(FlameFile { file, mapped: false });
                    out.files.len() as u32 - 1
                });
                out.lines.push((file, info.line));
                out.lines.len() as i32 - 1
            }),
        });
        out.label.push(label(&scale, node.pos, node.neg, node.self_value()));
        stack.extend(tree.children(n).rev());
    }
    out
}

fn kind(frame: Frame, inline: InlineMark) -> FrameKind {
    match (frame, inline) {
        (Frame::Root, _) => FrameKind::Root,
        (Frame::Object(_), _) => FrameKind::Object,
        (Frame::Others { .. }, _) => FrameKind::Others,
        (Frame::Function(_), InlineMark::Inline) => FrameKind::Inline,
        (Frame::Function(_), InlineMark::PartialInline) => FrameKind::PartialInline,
        (Frame::Function(_), InlineMark::None) => FrameKind::Function,
    }
}

/// A frame's label: its value and share of the total, its self value, and
/// for a diff the base and new sums (`10MB (65.47%) · self 10MB`).
fn label(scale: &Scale<'_>, pos: i64, neg: i64, own: i64) -> String {
    let value = pos.wrapping_sub(neg);
    let mut out = format!("{} ({})", scale.value(value), scale.percent(value));
    if own != 0 {
        let _ = write!(out, " · self {}", scale.value(own));
    }
    if scale.signed && pos != 0 && neg != 0 {
        let plain = Scale { signed: false, ..*scale };
        let _ = write!(out, " · {} → {}", plain.value(neg), plain.value(pos));
    }
    out
}

/// The tree as folded stacks, one line per frame with a self value:
/// `root-most;…;frame value`, sorted. For a diff each line has two
/// values, the negative sum then the positive one (the base's and the
/// profile's, inferno's "before after"). Merged narrow frames are
/// `[N smaller frames]`.
pub fn folded(tree: &FlameTree, index: &Index, diff: bool) -> Vec<String> {
    let mut lines = Vec::new();
    // (node, length of the path prefix up to its parent)
    let mut path: Vec<String> = Vec::new();
    let mut stack: Vec<(usize, usize)> = tree.children(0).rev().map(|c| (c, 0)).collect();
    let zoomed: Vec<String> = tree
        .ancestors()
        .iter()
        .skip(1)
        .map(|a| folded_name(tree, index, a.frame))
        .chain((tree.root().frame != Frame::Root).then(|| folded_name(tree, index, tree.root().frame)))
        .collect();
    while let Some((n, depth)) = stack.pop() {
        let node = tree.node(n);
        path.truncate(depth);
        path.push(folded_name(tree, index, node.frame));
        let (own_pos, own_neg) = (node.self_pos, node.self_neg);
        if own_pos != 0 || own_neg != 0 {
            let stack_text = zoomed.iter().chain(path.iter()).map(String::as_str).collect::<Vec<_>>().join(";");
            if diff {
                lines.push(format!("{stack_text} {own_neg} {own_pos}"));
            } else {
                lines.push(format!("{stack_text} {}", own_pos.wrapping_add(own_neg)));
            }
        }
        stack.extend(tree.children(n).rev().map(|c| (c, depth + 1)));
    }
    lines.sort();
    lines
}

/// A frame's name in folded stacks: semicolons would split it, so they
/// become commas; spaces are kept (the count is after the last one).
fn folded_name(tree: &FlameTree, index: &Index, frame: Frame) -> String {
    let name = match frame {
        Frame::Others { .. } => format!("[{}]", tree.name(index, frame)),
        _ => tree.name(index, frame),
    };
    name.replace(';', ",")
}

/// What to put around the SVG.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SvgOptions {
    pub title: String,
    pub subtitle: Option<String>,
    /// The unit samples count in (`bytes`, `nanoseconds`).
    pub count_name: String,
}

/// Draws `tree` as an SVG with inferno (root at the top, as in pprof), with
/// inferno's own script for zooming and searching in a browser. For a diff,
/// widths are the profile's values and colours show the change from the
/// base (inferno's differential flame graph).
pub fn svg(tree: &FlameTree, index: &Index, diff: bool, options: &SvgOptions) -> Result<Vec<u8>, String> {
    let lines = folded(tree, index, diff);
    let mut opts = inferno::flamegraph::Options::default();
    opts.title = options.title.clone();
    opts.subtitle = options.subtitle.clone();
    opts.count_name = options.count_name.clone();
    opts.direction = inferno::flamegraph::Direction::Inverted;
    opts.hash = true;
    let mut out = Vec::new();
    if lines.is_empty() {
        return Err("the profile has no samples of this type".to_string());
    }
    inferno::flamegraph::from_lines(&mut opts, lines.iter().map(String::as_str), &mut out)
        .map_err(|e| format!("cannot draw the flame graph: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::flame::FlameOptions;
    use crate::profile::{Function, FunctionIdx, Line, Location, LocationIdx, Profile, ValueType};

    /// A profile of `bytes` from stacks written root first, `a;b;c`.
    fn profile(stacks: &[(&str, i64)]) -> Profile {
        let mut p = Profile { sample_types: vec![ValueType::new("space", "bytes")], ..Default::default() };
        for (stack, value) in stacks {
            let mut ids = Vec::new();
            for name in stack.split(';').rev() {
                let f = p.functions.iter().position(|f| f.name == name).unwrap_or_else(|| {
                    p.functions.push(Function { name: name.to_string(), filename: format!("{name}.go"), ..Default::default() });
                    p.functions.len() - 1
                });
                p.locations.push(Location { lines: vec![Line { function: FunctionIdx(f as u32), line: 7, column: 0 }], ..Default::default() });
                ids.push(LocationIdx(p.locations.len() as u32 - 1));
            }
            p.push_sample(&ids, &[*value], []);
        }
        p
    }

    fn tree(p: &Profile, index: &Index) -> FlameTree {
        FlameTree::build(index, &[p], SampleType(0), &[], &FlameOptions { min_fraction: 0.0 }).unwrap()
    }

    #[test]
    fn json_lists_frames_in_pre_order_with_their_children_counts() {
        let p = profile(&[("main;alloc", 3 << 20), ("main;b;alloc", 1 << 20)]);
        let index = Index::build(&p);
        let json = to_json(&tree(&p, &index), &index, SampleType(0), false);
        let names: Vec<&str> = json.name.iter().map(|&n| json.names[n as usize].as_str()).collect();
        assert_eq!(names, ["root", "main", "alloc", "b", "alloc"]);
        assert_eq!(json.kids, [1, 2, 0, 1, 0]);
        assert_eq!(json.weight, [4 << 20, 4 << 20, 3 << 20, 1 << 20, 1 << 20]);
        assert_eq!(json.label[2], "3MB (75.00%) · self 3MB");
        assert_eq!(json.label[0], "4MB (100.00%)");
        assert!(json.value.is_empty());
        let (file, line) = json.lines[json.line[2] as usize];
        assert_eq!((json.files[file as usize].file.as_str(), line), ("alloc.go", 7));
    }

    #[test]
    fn a_diffs_labels_are_signed_with_the_base_and_new_sums() {
        let new = profile(&[("main;alloc", 3 << 20)]);
        let base = profile(&[("main;alloc", 1 << 20)]);
        let index = Index::build_diff(&new, &base).unwrap();
        let tree = FlameTree::build(&index, &[&new, &base], SampleType(0), &[], &FlameOptions::default()).unwrap();
        let json = to_json(&tree, &index, SampleType(0), true);
        assert_eq!(json.weight[2], 4 << 20);
        assert_eq!(json.value[2], 2 << 20);
        // Percentages are of the base's total, as pprof's -diff_base.
        assert_eq!(json.label[2], "+2MB (+200.00%) · self +2MB · 1MB → 3MB");
    }

    #[test]
    fn folded_stacks_hold_each_frames_self_value() {
        let p = profile(&[("main;alloc", 3), ("main;b;alloc", 1), ("main", 2)]);
        let index = Index::build(&p);
        assert_eq!(folded(&tree(&p, &index), &index, false), ["main 2", "main;alloc 3", "main;b;alloc 1"]);
    }

    #[test]
    fn a_zoomed_tree_folds_with_its_path() {
        let p = profile(&[("main;alloc", 3), ("main;b;alloc", 1)]);
        let index = Index::build(&p);
        let zoomed = FlameTree::build(&index, &[&p], SampleType(0), &["main", "b"], &FlameOptions::default()).unwrap();
        assert_eq!(folded(&zoomed, &index, false), ["main;b;alloc 1"]);
        let json = to_json(&zoomed, &index, SampleType(0), false);
        let ancestors: Vec<&str> = json.ancestors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(ancestors, ["root", "main"]);
    }

    #[test]
    fn the_svg_has_a_frame_per_function_with_its_value() {
        let p = profile(&[("main;alloc", 3 << 20), ("main;b;alloc", 1 << 20)]);
        let index = Index::build(&p);
        let svg = svg(&tree(&p, &index), &index, false, &SvgOptions { title: "t".into(), count_name: "bytes".into(), ..Default::default() }).unwrap();
        let text = String::from_utf8(svg).unwrap();
        assert!(text.starts_with("<?xml"), "{}", &text[..100.min(text.len())]);
        assert!(text.contains("<title>alloc (3,145,728 bytes, 75.00%)</title>"), "{text}");
        assert!(text.contains("<title>b (1,048,576 bytes, 25.00%)</title>"), "{text}");
    }
}
