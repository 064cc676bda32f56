//! What an editor shows for one source file: the costs of its lines and
//! functions, the low-noise threshold, and the labels. Pure: takes the
//! index and plain numbers, returns plain data in 1-based profile lines.

use super::index::{Cost, FileId, FuncId, Index};
use super::select::SampleType;
use super::units;

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

/// `10MB flat · 10MB cum (46.11%)`, with flat left out when it is zero.
pub fn hint_label(cost: Cost, total: i64, unit: &str) -> String {
    let cum = format!("{} cum ({})", units::label(cost.cum, unit), units::percent(cost.cum, total));
    if cost.flat == 0 {
        cum
    } else {
        format!("{} flat · {cum}", units::label(cost.flat, unit))
    }
}

/// `inuse_space: 10MB flat, 10MB cum (46.11%)`.
pub fn function_label(type_name: &str, cost: Cost, total: i64, unit: &str) -> String {
    format!(
        "{type_name}: {} flat, {} cum ({})",
        units::label(cost.flat, unit),
        units::label(cost.cum, unit),
        units::percent(cost.cum, total)
    )
}

/// One line per sample type: `inuse_space: 10MB flat (65.47%), 10MB cum (65.47%)`.
pub fn all_types_summary(index: &Index, costs: &[Cost]) -> Vec<String> {
    index
        .sample_types()
        .iter()
        .zip(costs)
        .enumerate()
        .map(|(t, (vt, c))| {
            let total = index.total(SampleType(t));
            format!(
                "{}: {} flat ({}), {} cum ({})",
                vt.name,
                units::label(c.flat, &vt.unit),
                units::percent(c.flat, total),
                units::label(c.cum, &vt.unit),
                units::percent(c.cum, total)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let mb10 = 10 * 1024 * 1024;
        assert_eq!(hint_label(Cost { flat: mb10, cum: mb10 }, 22740000, "bytes"), "10MB flat · 10MB cum (46.11%)");
        assert_eq!(hint_label(Cost { flat: 0, cum: 283453 }, 1000000, "bytes"), "276.81kB cum (28.35%)");
        assert_eq!(
            function_label("inuse_space", Cost { flat: mb10, cum: mb10 }, 22740000, "bytes"),
            "inuse_space: 10MB flat, 10MB cum (46.11%)"
        );
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
