//! A `go tool pprof -list` style annotated source listing.

use std::fmt::Write;

use regex::Regex;

use crate::analysis::units::{self, OutputUnit};
use crate::analysis::{Cost, FuncId, Index, SampleType};

use crate::analysis::names::display_name;

/// Lines of context shown around the sampled lines.
const MARGIN: i64 = 5;

/// The sampled lines of one function in one file, with their costs.
struct FileListing<'a> {
    file: &'a str,
    start_line: i64,
    nodes: Vec<(i64, Cost)>,
}

/// Reads the source of a profile file name; `Err` carries why it could not.
pub type SourceReader<'a> = dyn Fn(&str) -> Result<String, String> + 'a;

/// Lists every function whose name matches `pattern`, with the flat and
/// cum of each source line. `total` is pprof's total when it is not the
/// index's (with filters, the unfiltered profile's). Errors when nothing
/// matches.
pub fn render(
    index: &Index,
    t: SampleType,
    total: Option<i64>,
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
        .filter(|&f| index.all_nodes_of_function(f).iter().any(|&n| !index.node_cost(n, t).is_zero()))
        .collect();
    if functions.is_empty() {
        return Err(format!("no matches found for regexp: {pattern}"));
    }
    functions.sort_by(|a, b| index.function(*a).name.cmp(&index.function(*b).name));

    let total = total.unwrap_or_else(|| index.total(t));
    let mut out = String::new();
    let _ = writeln!(out, "Total: {}", fmt(total));
    for f in functions {
        let name = display_name(&index.function(f).name);
        // One listing per file the function is recorded under, by file name.
        let mut files: Vec<FileListing<'_>> = index
            .function_files(f)
            .iter()
            .filter_map(|part| {
                let nodes: Vec<(i64, Cost)> = index
                    .nodes_of_function_in(f, part.file)
                    .iter()
                    .map(|&n| (index.node(n).line, index.node_cost(n, t)))
                    .filter(|(_, c)| !c.is_zero())
                    .collect();
                let file = index.file(part.file?);
                Some(FileListing { file, start_line: part.start_line, nodes }).filter(|l| !l.nodes.is_empty())
            })
            .collect();
        if files.is_empty() {
            let _ = writeln!(out, "No source information for {name}");
            continue;
        }
        files.sort_by(|a, b| a.file.cmp(b.file));
        for FileListing { file, start_line, nodes } in files {
            let flat: i64 = nodes.iter().map(|(_, c)| c.flat).sum();
            let cum: i64 = nodes.iter().map(|(_, c)| c.cum).sum();
            let _ = writeln!(out, "ROUTINE ======================== {name} in {file}");
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
            let start = if start_line > 0 { start_line.min(first) } else { first - MARGIN }.max(1);
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
    }
    Ok(out)
}
