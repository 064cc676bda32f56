//! `go tool pprof -peek` output, header included, rendered from
//! [`crate::analysis::peek`]: each matching function between its callers
//! and its callees, with each call's weight and its share of the
//! function's cum.

use std::fmt::Write;

use crate::analysis::peek::{PeekCall, PeekEntry};
use crate::analysis::units::{self, OutputUnit};
use crate::analysis::{Index, SampleType};
use crate::profile::Profile;

use super::top::{self, TopOptions};

const SEPARATOR: &str = "----------------------------------------------------------+-------------";
/// pprof's legend, trailing tabs and spaces included.
const LEGEND: &str = "      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t ";

/// The header lines and the value formatter of a peek report: those of the
/// `top` table with every function row (pprof builds the same untrimmed
/// graph and picks its unit over it).
pub struct PeekHeader {
    pub lines: Vec<String>,
    pub unit: OutputUnit,
}

pub fn header(index: &Index, profiles: &[&Profile], t: SampleType, options: &TopOptions) -> PeekHeader {
    let mut all = options.clone();
    all.ranking = crate::analysis::TopOptions { node_fraction: 0.0, edge_fraction: 0.0, node_count: None, lines: false, by_cum: false };
    let table = top::table(index, profiles, t, &all);
    PeekHeader { lines: table.header, unit: table.unit }
}

/// The report for `entries` of sample type `t`, as `go tool pprof -peek`
/// prints it; `options` carries pprof's `-unit`, the filters and the total.
pub fn render(index: &Index, profiles: &[&Profile], t: SampleType, entries: &[PeekEntry], options: &TopOptions) -> String {
    let header = header(index, profiles, t, options);
    let unit = index.sample_types()[t.0].unit.as_str();
    let total = options.total.unwrap_or_else(|| index.total(t));
    let fmt = |v: i64| units::scaled_label(v, unit, &header.unit);
    let mut out = String::new();
    for line in &header.lines {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "{SEPARATOR}\n{LEGEND}");
    let call = |out: &mut String, c: &PeekCall, cum: i64| {
        let inline = if c.inline { " (inline)" } else { "" };
        let name = &index.function(c.function).name;
        let _ = writeln!(out, "{:>50} {} |   {name}{inline}", fmt(c.weight), units::percent_column(c.weight, cum));
    };
    let mut flat_sum = 0i64;
    for entry in entries {
        let _ = writeln!(out, "{SEPARATOR}");
        for c in &entry.callers {
            call(&mut out, c, entry.cost.cum);
        }
        flat_sum = flat_sum.wrapping_add(entry.cost.flat);
        let _ = writeln!(
            out,
            "{:>10} {} {} {:>10} {}                | {}",
            fmt(entry.cost.flat),
            units::percent_column(entry.cost.flat, total),
            units::percent_column(flat_sum, total),
            fmt(entry.cost.cum),
            units::percent_column(entry.cost.cum, total),
            index.function(entry.function).name
        );
        for c in &entry.callees {
            call(&mut out, c, entry.cost.cum);
        }
    }
    if index.function_ids().next().is_some() {
        let _ = writeln!(out, "{SEPARATOR}");
    }
    out
}
