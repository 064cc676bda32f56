//! A `go tool pprof -list` style annotated source listing.

use std::fmt::Write;

use regex::Regex;

use crate::analysis::units::{self, OutputUnit};
use crate::analysis::{Cost, FuncId, Index, SampleType};

use super::names::display_name;

/// Lines of context shown around the sampled lines.
const MARGIN: i64 = 5;

/// Reads the source of a profile file name; `Err` carries why it could not.
pub type SourceReader<'a> = dyn Fn(&str) -> Result<String, String> + 'a;

/// Lists every function whose name matches `pattern`, with the flat and
/// cum of each source line. Errors when nothing matches.
pub fn render(
    index: &Index,
    t: SampleType,
    pattern: &Regex,
    unit: &OutputUnit,
    read: &SourceReader<'_>,
) -> Result<String, String> {
    let value_unit = &index.sample_types()[t.0].unit;
    let fmt = |v: i64| units::scaled_label(v, value_unit, unit);
    let dot = |v: i64| if v == 0 { ".".to_string() } else { fmt(v) };

    let mut functions: Vec<FuncId> = index
        .function_ids()
        .filter(|&f| pattern.is_match(&index.function(f).name))
        .filter(|&f| index.nodes_of_function(f).iter().any(|&n| !index.node_cost(n, t).is_zero()))
        .collect();
    if functions.is_empty() {
        return Err(format!("no matches found for regexp: {pattern}"));
    }
    functions.sort_by(|a, b| index.function(*a).name.cmp(&index.function(*b).name));

    let total = index.total(t);
    let mut out = String::new();
    let _ = writeln!(out, "Total: {}", fmt(total));
    for f in functions {
        let info = index.function(f);
        let Some(file_id) = info.file else {
            let _ = writeln!(out, "No source information for {}", display_name(&info.name));
            continue;
        };
        let file = index.file(file_id);
        let nodes: Vec<(i64, Cost)> = index
            .nodes_of_function(f)
            .iter()
            .map(|&n| (index.node(n).line, index.node_cost(n, t)))
            .filter(|(_, c)| !c.is_zero())
            .collect();
        let flat: i64 = nodes.iter().map(|(_, c)| c.flat).sum();
        let cum: i64 = nodes.iter().map(|(_, c)| c.cum).sum();
        let _ = writeln!(out, "ROUTINE ======================== {} in {}", display_name(&info.name), file);
        let _ = writeln!(out, "{:>10} {:>10} (flat, cum) {} of Total", fmt(flat), fmt(cum), units::percent_column(cum, total));
        let source = match read(file) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(out, " Error: {e}");
                continue;
            }
        };
        let first = nodes.iter().map(|(l, _)| *l).min().unwrap_or(1);
        let last = nodes.iter().map(|(l, _)| *l).max().unwrap_or(1);
        let start = if info.start_line > 0 { info.start_line.min(first) } else { first - MARGIN }.max(1);
        let end = last + MARGIN;
        for (no, text) in source.lines().enumerate().map(|(i, l)| (i as i64 + 1, l)) {
            if no < start {
                continue;
            }
            if no > end {
                break;
            }
            let (f, c) = nodes
                .iter()
                .filter(|(l, _)| *l == no)
                .fold((0, 0), |(f, c), (_, cost)| (f + cost.flat, c + cost.cum));
            let _ = writeln!(out, "{:>10} {:>10} {:>6}:{}", dot(f), dot(c), no, text);
        }
    }
    Ok(out)
}
