//! A `go tool pprof -top` table, header included, rendered from the ranking
//! in [`crate::analysis::top`].

use std::fmt::Write;

use crate::analysis::filter::Filters;
use crate::analysis::top as ranking;
use crate::analysis::units::{self, OutputUnit};
use crate::analysis::{Index, SampleType};
use crate::profile::Profile;

use super::header::Header;

/// The options of `go tool pprof -top`, with its defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TopOptions {
    /// What to rank and how (`-lines`, `-cum`, `-nodecount`,
    /// `-nodefraction`, `-edgefraction`).
    pub ranking: ranking::TopOptions,
    /// `-unit`: `None` (or `minimum`) picks one unit for the table as pprof
    /// does, `auto` scales each value on its own, anything else is fixed.
    pub unit: Option<String>,
    /// The filters the profiles went through, listed under "Active
    /// filters:" as pprof lists them.
    pub filters: Filters,
    /// pprof's total when it is not the index's: with filters, that of the
    /// profiles before filtering ([`crate::analysis::filter::unfiltered_total`]),
    /// which every percentage and cutoff is a share of.
    pub total: Option<i64>,
}

/// One row of the table as pprof prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRow {
    pub item: ranking::TopItem,
    pub cost: crate::analysis::Cost,
    pub flat: String,
    /// The percentage columns, padded as pprof pads them.
    pub flat_percent: String,
    pub sum_percent: String,
    pub cum: String,
    pub cum_percent: String,
    pub name: String,
    /// `(inline)`, `(partial-inline)` or empty.
    pub mark: &'static str,
}

/// The table of `go tool pprof -top`: the lines above it and its rows,
/// each value as pprof prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// `File:`, `Type:`, ..., `Showing nodes accounting for ...`, and the
    /// `Dropped` and `Showing top` lines when pprof prints them.
    pub header: Vec<String>,
    pub rows: Vec<TableRow>,
    /// The unit the values are printed in.
    pub unit: OutputUnit,
}

/// Renders the table for sample type `t` of `index`, built from
/// `profiles` (for a diff: the profile, then the base; with filters, the
/// filtered copies), as `go tool pprof -top` prints it.
pub fn render(index: &Index, profiles: &[&Profile], t: SampleType, options: &TopOptions) -> String {
    let table = table(index, profiles, t, options);
    let mut out = String::new();
    for line in &table.header {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "{:>10} {:>5}% {:>5}% {:>10} {:>5}%", "flat", "flat", "sum", "cum", "cum");
    for r in &table.rows {
        let _ = writeln!(
            out,
            "{:>10} {} {} {:>10} {}  {}{}{}",
            r.flat,
            r.flat_percent,
            r.sum_percent,
            r.cum,
            r.cum_percent,
            r.name,
            if r.mark.is_empty() { "" } else { " " },
            r.mark
        );
    }
    out
}

/// The table `render` prints, as data: what the web view shows.
pub fn table(index: &Index, profiles: &[&Profile], t: SampleType, options: &TopOptions) -> Table {
    let top = ranking::top(index, profiles, t, &options.ranking);
    let value_type = &index.sample_types()[t.0];
    let unit = value_type.unit.as_str();
    let total = options.total.unwrap_or_else(|| index.total(t));
    let output_unit = match options.unit.as_deref() {
        None | Some("minimum") if top.rows.is_empty() => OutputUnit::Auto,
        None | Some("minimum") => {
            let min = top
                .rows
                .iter()
                .map(|r| if r.cost.flat != 0 { r.cost.flat.wrapping_abs() } else { r.cost.cum.wrapping_abs() })
                .filter(|&v| v > 0)
                .min()
                .unwrap_or(0);
            match units::table_unit(min, total, unit) {
                // A unit pprof cannot scale is printed after every value,
                // except for plain counts.
                OutputUnit::Auto => OutputUnit::Fixed(unit.to_string()),
                chosen => chosen,
            }
        }
        Some("auto") => OutputUnit::Auto,
        Some(u) => OutputUnit::Fixed(u.to_string()),
    };
    let fmt = |v: i64| units::scaled_label(v, unit, &output_unit);
    let shown_total = top.rows.iter().fold(0i64, |s, r| s.wrapping_add(r.cost.flat));

    let mut header = Header::of(profiles).lines(&value_type.name, unit, total, &output_unit);
    header.extend(super::header::active_filters(&options.filters));
    header.push(format!(
        "Showing nodes accounting for {}, {} of {} total",
        fmt(shown_total),
        units::percent_column(shown_total, total).trim(),
        fmt(total)
    ));
    if total != 0 {
        if top.dropped > 0 {
            // pprof states this cutoff as a share of the total, though it
            // dropped by a share of the sum of flats.
            let cutoff = ((total as f64 * options.ranking.node_fraction) as i64).wrapping_abs();
            let nodes = if top.dropped > 1 { "nodes" } else { "node" };
            header.push(format!("Dropped {} {nodes} (cum <= {})", top.dropped, fmt(cutoff)));
        }
        if !top.rows.is_empty() && top.rows.len() < top.kept {
            header.push(format!("Showing top {} nodes out of {}", top.rows.len(), top.kept));
        }
    }
    let mut sum = 0i64;
    let rows = top
        .rows
        .iter()
        .map(|r| {
            sum = sum.wrapping_add(r.cost.flat);
            TableRow {
                item: r.item,
                cost: r.cost,
                flat: fmt(r.cost.flat),
                flat_percent: units::percent_column(r.cost.flat, total),
                sum_percent: units::percent_column(sum, total),
                cum: fmt(r.cost.cum),
                cum_percent: units::percent_column(r.cost.cum, total),
                name: top.name(index, r.item),
                mark: r.mark.label(),
            }
        })
        .collect();
    Table { header, rows, unit: output_unit }
}
