//! A `go tool pprof -top` style table.

use std::fmt::Write;

use crate::analysis::units::{self, OutputUnit};
use crate::analysis::{Cost, FuncId, Index, InlineMark, NodeId, SampleType};

use super::names::display_name;

#[derive(Clone, Debug)]
#[derive(Default)]
pub struct TopOptions {
    /// One row per source line (`-lines`) instead of per function.
    pub lines: bool,
    /// Show at most this many rows.
    pub node_count: Option<usize>,
    /// Sort by cum instead of flat.
    pub by_cum: bool,
    /// Unit for the values; `None` picks one for the table as pprof does.
    pub unit: Option<String>,
}


/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    pub cost: Cost,
    /// ` (inline)` or ` (partial-inline)` as pprof marks inlined lines.
    pub inline: &'static str,
}

/// The rows of a `top` table, sorted as pprof sorts them and cut to
/// `node_count`, with the number of rows before the cut. Names, which
/// only break ties, are built just for rows that can make the cut.
pub fn rows(index: &Index, t: SampleType, options: &TopOptions) -> (Vec<Row>, usize) {
    let mark = |m: InlineMark| match m {
        InlineMark::PartialInline => " (partial-inline)",
        InlineMark::Inline => " (inline)",
        InlineMark::None => "",
    };
    // (id, cost) of every row with a value.
    // Rows are nodes with `--lines`; otherwise functions, plus the nodes
    // that have no function (bare addresses), which pprof lists as well.
    let mut ids: Vec<(RowId, Cost)> = if options.lines {
        index.node_ids().map(|n| (RowId::Node(n), index.node_cost(n, t))).collect()
    } else {
        let functions = index.function_ids().map(|f| (RowId::Function(f), index.function_cost(f, t)));
        let addresses = index
            .node_ids()
            .filter(|&n| index.node(n).function.is_none())
            .map(|n| (RowId::Node(n), index.node_cost(n, t)));
        functions.chain(addresses).collect()
    };
    ids.retain(|(_, c)| !c.is_zero());
    let total = ids.len();
    let primary = |c: &Cost| if options.by_cum { c.cum.abs() } else { c.flat.abs() };
    ids.sort_unstable_by_key(|(_, c)| std::cmp::Reverse(primary(c)));
    if let Some(n) = options.node_count.filter(|&n| n < ids.len()) {
        // Keep every row tied with the last one that fits.
        let cut = primary(&ids[n.max(1) - 1].1);
        let keep = ids.iter().take_while(|(_, c)| primary(c) >= cut).count();
        ids.truncate(keep.max(n));
    }
    let mut rows: Vec<Row> = ids
        .into_iter()
        .map(|(id, cost)| match id {
            RowId::Node(n) => Row { name: node_display_name(index, n), cost, inline: mark(index.inline_mark(n, t)) },
            RowId::Function(f) => Row {
                name: display_name(&index.function(f).name).into_owned(),
                cost,
                inline: mark(index.function_inline_mark(f, t)),
            },
        })
        .collect();
    sort_rows(&mut rows, options.by_cum);
    if let Some(n) = options.node_count {
        rows.truncate(n);
    }
    (rows, total)
}

#[derive(Clone, Copy)]
enum RowId {
    Node(NodeId),
    Function(FuncId),
}

/// A node's name as pprof prints it: `function file:line`.
pub fn node_display_name(index: &Index, n: NodeId) -> String {
    let node = index.node(n);
    match node.function {
        Some(f) => {
            let info = index.function(f);
            let name = display_name(&info.name);
            match info.file {
                Some(file) => format!("{name} {}:{}", index.file(file), node.line),
                None => format!("{name} {}", node.line),
            }
        }
        None => index.node_name(n),
    }
}

/// pprof's order: by |flat| (or |cum|), then name, then the other value.
pub fn sort_rows(rows: &mut [Row], by_cum: bool) {
    rows.sort_by(|a, b| {
        let key = |r: &Row| if by_cum { (r.cost.cum.abs(), r.cost.flat.abs()) } else { (r.cost.flat.abs(), r.cost.cum.abs()) };
        let (ka, kb) = (key(a), key(b));
        kb.0.cmp(&ka.0).then_with(|| a.name.cmp(&b.name)).then_with(|| kb.1.cmp(&ka.1))
    });
}

/// Renders the table, headed by `header` lines (file, type, …).
pub fn render(index: &Index, t: SampleType, options: &TopOptions, header: &[String]) -> String {
    let (shown, all) = rows(index, t, options);
    let unit = &index.sample_types()[t.0].unit;
    let total = index.total(t);
    let output_unit = match &options.unit {
        Some(u) => OutputUnit::Fixed(u.clone()),
        None => {
            let min = shown
                .iter()
                .map(|r| if r.cost.flat != 0 { r.cost.flat.abs() } else { r.cost.cum.abs() })
                .filter(|&v| v > 0)
                .min()
                .unwrap_or(0);
            units::table_unit(min, total, unit)
        }
    };
    let fmt = |v: i64| units::scaled_label(v, unit, &output_unit);
    let shown_total: i64 = shown.iter().map(|r| r.cost.flat).sum();

    let mut out = String::new();
    for h in header {
        let _ = writeln!(out, "{h}");
    }
    let _ = writeln!(
        out,
        "Showing nodes accounting for {}, {} of {} total",
        fmt(shown_total),
        units::percent_column(shown_total, total).trim(),
        fmt(total)
    );
    if shown.len() < all {
        let _ = writeln!(out, "Showing top {} nodes out of {}", shown.len(), all);
    }
    let _ = writeln!(out, "{:>10} {:>5}% {:>5}% {:>10} {:>5}%", "flat", "flat", "sum", "cum", "cum");
    let mut sum = 0i64;
    for r in &shown {
        sum += r.cost.flat;
        let _ = writeln!(
            out,
            "{:>10} {} {} {:>10} {}  {}{}",
            fmt(r.cost.flat),
            units::percent_column(r.cost.flat, total),
            units::percent_column(sum, total),
            fmt(r.cost.cum),
            units::percent_column(r.cost.cum, total),
            r.name,
            r.inline
        );
    }
    out
}
