//! What an editor shows for one source file: the costs of its lines and
//! functions, the low-noise threshold, heat, the flat a file holds and the
//! ranking of files by it, and the line a function opens at. Pure: takes
//! the index and plain numbers, returns plain data in 1-based profile
//! lines.

use super::index::{Cost, FileId, FuncId, Index, LineId, NodeId};
use super::select::SampleType;

/// When a line is worth a hint: cum or flat at least this share of the
/// total, in percent. Zero for both shows every line with data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    pub min_cum_percent: f64,
    pub min_flat_percent: f64,
}

impl Default for Threshold {
    fn default() -> Self {
        Threshold { min_cum_percent: 0.5, min_flat_percent: 0.1 }
    }
}

impl Threshold {
    pub fn passes(&self, cost: Cost, total: i64) -> bool {
        if cost.is_zero() {
            return false;
        }
        if self.min_cum_percent <= 0.0 || self.min_flat_percent <= 0.0 {
            return true;
        }
        let share = |v: i64| if total == 0 { 0.0 } else { (v as f64 / total as f64).abs() * 100.0 };
        share(cost.cum) >= self.min_cum_percent || share(cost.flat) >= self.min_flat_percent
    }
}

/// The costs of one source line, for every sample type.
#[derive(Clone, Debug, PartialEq)]
pub struct LineCosts {
    /// 1-based line number as the profile records it.
    pub line: i64,
    /// Indexed by sample type.
    pub costs: Vec<Cost>,
}

/// The lines with data in the given profile files (all spellings of one
/// local file), in line order. A line present under several spellings is
/// summed.
pub fn file_lines(index: &Index, files: &[FileId]) -> Vec<LineCosts> {
    let types = index.sample_types().len();
    let mut out: Vec<LineCosts> = Vec::new();
    for &file in files {
        for &id in index.lines_of_file(file) {
            let line = index.line(id).line;
            let costs: Vec<Cost> = (0..types).map(|t| index.line_cost(id, SampleType(t))).collect();
            match out.iter_mut().find(|l| l.line == line) {
                Some(existing) => {
                    for (a, b) in existing.costs.iter_mut().zip(&costs) {
                        a.flat += b.flat;
                        a.cum += b.cum;
                    }
                }
                None => out.push(LineCosts { line, costs }),
            }
        }
    }
    if files.len() > 1 {
        out.sort_by_key(|l| l.line);
    }
    out
}

/// The indexed lines numbered `line` in the given profile files.
pub fn lines_at(index: &Index, files: &[FileId], line: i64) -> Vec<LineId> {
    files
        .iter()
        .filter_map(|&file| {
            let ids = index.lines_of_file(file);
            let at = ids.partition_point(|&id| index.line(id).line < line);
            ids.get(at).copied().filter(|&id| index.line(id).line == line)
        })
        .collect()
}

/// The profile file spelled `name`, if the index has it (the index lists
/// each spelling once).
pub fn file_named(index: &Index, name: &str) -> Option<FileId> {
    index.file_ids().find(|&f| index.file(f) == name)
}

/// The flat of type `t` the lines of the given profile files hold: the
/// files' own cost (cum does not add up over lines).
pub fn files_flat(index: &Index, files: &[FileId], t: SampleType) -> i64 {
    files
        .iter()
        .flat_map(|&f| index.lines_of_file(f))
        .fold(0i64, |sum, &l| sum.wrapping_add(index.line_cost(l, t).flat))
}

/// A profile file and the flat of type `t` its lines hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileFlat {
    pub file: FileId,
    pub flat: i64,
}

/// Every profile file with the flat of type `t` its lines hold, the
/// largest |flat| first, then by name.
pub fn files_by_flat(index: &Index, t: SampleType) -> Vec<FileFlat> {
    let mut files: Vec<FileFlat> =
        index.file_ids().map(|file| FileFlat { file, flat: files_flat(index, &[file], t) }).collect();
    files.sort_by(|a, b| b.flat.wrapping_abs().cmp(&a.flat.wrapping_abs()).then_with(|| index.file(a.file).cmp(index.file(b.file))));
    files
}

/// The node of function `f` in its own file with the largest |cum| of
/// type `t`, the first in line order among equals: the line the function
/// opens at. `None` when the function has no node in its own file.
pub fn hottest_node(index: &Index, f: FuncId, t: SampleType) -> Option<NodeId> {
    let mut best: Option<(NodeId, i64)> = None;
    for &n in index.nodes_of_function(f) {
        let cum = index.node_cost(n, t).cum.wrapping_abs();
        if best.is_none_or(|(_, b)| cum > b) {
            best = Some((n, cum));
        }
    }
    best.map(|(n, _)| n)
}

/// The functions declared in the given profile files, with their costs.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionCosts {
    pub function: FuncId,
    /// Where the profile says the function starts (0 if unknown).
    pub start_line: i64,
    /// The first line of the function with data.
    pub first_line: i64,
    pub costs: Vec<Cost>,
}

pub fn file_functions(index: &Index, files: &[FileId]) -> Vec<FunctionCosts> {
    let types = index.sample_types().len();
    let mut out: Vec<FunctionCosts> = index
        .function_ids()
        .filter(|&f| index.function(f).file.is_some_and(|file| files.contains(&file)))
        .filter_map(|f| {
            let first_line = index.nodes_of_function(f).iter().map(|&n| index.node(n).line).filter(|&l| l > 0).min()?;
            Some(FunctionCosts {
                function: f,
                start_line: index.function(f).start_line,
                first_line,
                costs: (0..types).map(|t| index.function_cost(f, SampleType(t))).collect(),
            })
        })
        .collect();
    out.sort_by_key(|f| (f.first_line, f.function));
    out
}

/// The `n` source lines with the largest flat of type `t` (by absolute
/// value, then cum, then file name and line for a stable order); lines
/// without flat are left out.
pub fn hottest_lines(index: &Index, t: SampleType, n: usize) -> Vec<(LineId, Cost)> {
    let mut lines: Vec<(LineId, Cost)> =
        index.line_ids().map(|l| (l, index.line_cost(l, t))).filter(|(_, c)| c.flat != 0).collect();
    let key = |(l, c): &(LineId, Cost)| {
        let info = index.line(*l);
        (std::cmp::Reverse(c.flat.unsigned_abs()), std::cmp::Reverse(c.cum.unsigned_abs()), index.file(info.file), info.line)
    };
    lines.sort_by(|a, b| key(a).cmp(&key(b)));
    lines.truncate(n);
    lines
}

/// The sum of every sample's value of type `t`: for a diff, the net change
/// from the base.
pub fn net(index: &Index, t: SampleType) -> i64 {
    index.node_ids().fold(0i64, |sum, n| sum.wrapping_add(index.node_cost(n, t).flat))
}

/// Shades of heat a hot line can get.
pub const HEAT_LEVELS: u8 = 5;

/// A line's heat: its cum as a share of the hottest line's (0..1), and the
/// shade (1..=[`HEAT_LEVELS`]) that share falls in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Heat {
    pub share: f64,
    pub level: u8,
}

/// The heat of each line against the hottest of them (by absolute cum).
/// Lines with no cum get level 0 and share 0.
pub fn heat(cums: &[i64]) -> Vec<Heat> {
    let hottest = cums.iter().map(|c| c.unsigned_abs()).max().unwrap_or(0).max(1);
    cums.iter()
        .map(|c| {
            let share = c.unsigned_abs() as f64 / hottest as f64;
            let level = (share * f64::from(HEAT_LEVELS)).ceil().clamp(0.0, f64::from(HEAT_LEVELS)) as u8;
            Heat { share, level }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_levels_split_the_hottest_share_in_five() {
        let levels: Vec<u8> = heat(&[100, -100, 81, 80, 20, 1, 0]).iter().map(|h| h.level).collect();
        assert_eq!(levels, [5, 5, 5, 4, 1, 1, 0]);
        assert_eq!(heat(&[50, 25])[1].share, 0.5);
        assert!(heat(&[]).is_empty());
        assert_eq!(heat(&[0])[0], Heat { share: 0.0, level: 0 });
    }

    use crate::analysis::test_profiles::profile;

    /// Each file's name and flat, in the order of [`files_by_flat`].
    fn ranked(index: &Index) -> Vec<(String, i64)> {
        files_by_flat(index, SampleType(0)).iter().map(|f| (index.file(f.file).to_string(), f.flat)).collect()
    }

    #[test]
    fn files_rank_by_the_size_of_their_flat_then_by_name() {
        let p = profile(&[("a:1 main:1", 5), ("a:2 main:1", 5), ("b:1 main:2", 10), ("c:1 main:3", 3)]);
        let index = Index::build(&p);
        assert_eq!(ranked(&index), [("a.go".into(), 10), ("b.go".into(), 10), ("c.go".into(), 3), ("main.go".into(), 0)]);
        // In a diff, a shrinking file ranks by the size of its change.
        let base = profile(&[("b:1 main:2", 30), ("c:1 main:3", 1)]);
        let diff = Index::build_diff(&p, &base).unwrap();
        assert_eq!(ranked(&diff), [("b.go".into(), -20), ("a.go".into(), 10), ("c.go".into(), 2), ("main.go".into(), 0)]);
        let b = file_named(&diff, "b.go").unwrap();
        assert_eq!(files_flat(&diff, &[b], SampleType(0)), -20);
        let a = file_named(&diff, "a.go").unwrap();
        assert_eq!(files_flat(&diff, &[a, b], SampleType(0)), -10);
        assert_eq!(file_named(&diff, "nowhere.go"), None);
    }

    #[test]
    fn a_function_opens_at_its_line_of_most_cum_the_first_among_equals() {
        let p = profile(&[("a:7 b:2 main:1", 5), ("b:5 main:1", 3), ("b:9 main:1", 5)]);
        let index = Index::build(&p);
        let function = |name: &str| index.function_ids().find(|&f| index.function(f).name == name).unwrap();
        let line = |name: &str| hottest_node(&index, function(name), SampleType(0)).map(|n| index.node(n).line);
        assert_eq!(line("b"), Some(2));
        assert_eq!(line("main"), Some(1));
        // Only lines in the function's own file count: here f.go, which
        // holds two of its nodes, though other.go's has the most cum.
        let split = profile(&[("f@other.go:3 main:1", 100), ("f@f.go:4 main:1", 1), ("f@f.go:6 main:1", 2)]);
        let index = Index::build(&split);
        let f = index.function_ids().find(|&f| index.function(f).name == "f").unwrap();
        let node = index.node(hottest_node(&index, f, SampleType(0)).unwrap());
        assert_eq!((node.file.map(|file| index.file(file)), node.line), (Some("f.go"), 6));
    }

    #[test]
    fn threshold() {
        let t = Threshold::default();
        assert!(t.passes(Cost { flat: 0, cum: 5 }, 1000));
        assert!(!t.passes(Cost { flat: 0, cum: 4 }, 1000));
        assert!(t.passes(Cost { flat: 1, cum: 1 }, 1000));
        assert!(!t.passes(Cost { flat: 0, cum: 0 }, 1000));
        let all = Threshold { min_cum_percent: 0.0, min_flat_percent: 0.0 };
        assert!(all.passes(Cost { flat: 0, cum: 1 }, 1_000_000_000));
        assert!(!all.passes(Cost::default(), 1));
    }
}
