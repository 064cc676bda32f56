//! Growth per line as the `pprof.growth` JSON object (shared by `watch
//! --json` and the server's command) and as a `top`-style table.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::analysis::growth::{Growth, GrowthRow};
use crate::analysis::units::{self, OutputUnit};

use crate::analysis::names::display_name;

/// The `pprof.growth` object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrowthReport {
    pub sample_type: String,
    /// The profile's unit for `flat` and `cum`; the growth values are in
    /// this unit per minute.
    pub unit: String,
    pub snapshots: usize,
    /// The time the snapshots span.
    pub seconds: f64,
    /// By `flatPerMinute`, descending.
    pub rows: Vec<GrowthRecord>,
}

/// One line of [`GrowthReport`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrowthRecord {
    /// The file in the workspace, when the server has mapped it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The line and its growth. Its `file` is as the profile spells it,
    /// or the workspace path when the server mapped one.
    #[serde(flatten)]
    pub row: GrowthRow,
    /// `+75MB/min flat · +75MB/min cum · 300MB now`, ready to show.
    pub label: String,
}

/// A record reads as the row it carries.
impl std::ops::Deref for GrowthRecord {
    type Target = GrowthRow;

    fn deref(&self) -> &GrowthRow {
        &self.row
    }
}

impl GrowthRecord {
    fn new(r: &GrowthRow, unit: &str) -> Self {
        GrowthRecord {
            uri: None,
            row: r.clone(),
            label: row_label(r, unit),
        }
    }
}

/// A row's rates and latest flat: `+75MB/min flat · +75MB/min cum · 300MB now`.
pub fn row_label(r: &GrowthRow, unit: &str) -> String {
    format!(
        "{} flat · {} cum · {} now",
        rate_label(r.flat_per_minute, unit),
        rate_label(r.cum_per_minute, unit),
        units::label(r.flat, unit)
    )
}

/// What a report or table includes.
#[derive(Clone, Debug, Default)]
pub struct GrowthReportOptions {
    /// At most this many rows (the fastest-growing first); `None` for all.
    pub limit: Option<usize>,
}

/// The `pprof.growth` object for a growth, without `uri`s.
pub fn report(growth: &Growth, options: &GrowthReportOptions) -> GrowthReport {
    let limit = options.limit.unwrap_or(usize::MAX);
    GrowthReport {
        sample_type: growth.sample_type.name.clone(),
        unit: growth.sample_type.unit.clone(),
        snapshots: growth.snapshots,
        seconds: growth.seconds,
        rows: growth.rows.iter().take(limit).map(|r| GrowthRecord::new(r, &growth.sample_type.unit)).collect(),
    }
}

pub fn to_json(report: &GrowthReport) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// A growth per minute in pprof's units with an explicit sign, e.g.
/// `+75MB/min`, `-1.50kB/min`, `+0.40/min` for counts.
pub fn rate_label(per_minute: f64, unit: &str) -> String {
    let text = value_label(per_minute, unit);
    if per_minute > 0.0 && text != "0" {
        format!("+{text}/min")
    } else {
        format!("{text}/min")
    }
}

/// A fractional value in pprof's style: the unit that `units` would pick
/// for the value, two decimals, a trailing `.00` dropped.
pub fn value_label(value: f64, unit: &str) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let rounded = value.abs().round();
    // The unit `units` picks for the rounded magnitude, and its size in
    // the profile's unit, found by scaling one of that magnitude.
    let (scaled, label) = if rounded >= 1.0 && rounded < i64::MAX as f64 {
        let (v, label) = units::scale(rounded as i64, unit, &OutputUnit::Auto);
        (value * v / rounded, label)
    } else {
        let (_, label) = units::scale(1, unit, &OutputUnit::Auto);
        let (one, _) = units::scale(1, unit, &OutputUnit::Fixed(label.clone()));
        (value * one, label)
    };
    let text = format!("{scaled:.2}");
    let text = text.strip_suffix(".00").unwrap_or(&text);
    if text == "0" || text == "-0" {
        return "0".to_string();
    }
    format!("{text}{label}")
}

/// The `watch` table: the fastest-growing lines, headed by `header` lines.
pub fn render(growth: &Growth, options: &GrowthReportOptions, header: &[String]) -> String {
    let unit = &growth.sample_type.unit;
    let mut out = String::new();
    for h in header {
        let _ = writeln!(out, "{h}");
    }
    let limit = options.limit.unwrap_or(usize::MAX);
    let shown = growth.rows.len().min(limit);
    let _ = writeln!(
        out,
        "Growth of {} over {} snapshots ({}), per minute",
        growth.sample_type.name,
        growth.snapshots,
        duration_label(growth.seconds)
    );
    if shown < growth.rows.len() {
        let _ = writeln!(out, "Showing top {shown} lines out of {}", growth.rows.len());
    }
    let _ = writeln!(out, "{:>12} {:>12} {:>10} {:>10}", "flat/min", "cum/min", "flat", "cum");
    for r in growth.rows.iter().take(limit) {
        let rate = |v: f64| rate_label(v, unit).trim_end_matches("/min").to_string();
        let _ = writeln!(
            out,
            "{:>12} {:>12} {:>10} {:>10}  {} {}:{}",
            rate(r.flat_per_minute),
            rate(r.cum_per_minute),
            units::label(r.flat, unit),
            units::label(r.cum, unit),
            if r.function.is_empty() { "?".into() } else { display_name(&r.function) },
            r.file,
            r.line
        );
    }
    out
}

/// `500ms`, `2.5s`, `42s`, `3m05s`, `1h02m`.
pub fn duration_label(seconds: f64) -> String {
    let seconds = seconds.max(0.0);
    if seconds < 1.0 {
        return format!("{}ms", (seconds * 1000.0).round());
    }
    if seconds < 10.0 && (seconds * 10.0).round() % 10.0 != 0.0 {
        return format!("{:.1}s", seconds);
    }
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s / 60 % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{History, Index};
    use crate::profile::{Function, FunctionIdx, Line, Location, LocationIdx, Profile, ValueType};

    /// A history of three heap snapshots, one minute apart, in which
    /// `leak.go:7` grows by 75 MiB a minute and `keep.go:3` holds 1 MiB.
    fn growth() -> Growth {
        let mut history = History::new(20);
        for minute in 0..3i64 {
            let mut p = Profile { sample_types: vec![ValueType::new("inuse_space", "bytes")], ..Default::default() };
            for (name, file, line) in [("main.leak", "leak.go", 7), ("main.init.0", "keep.go", 3)] {
                p.functions.push(Function { name: name.into(), filename: file.into(), ..Default::default() });
                let f = FunctionIdx(p.functions.len() as u32 - 1);
                p.locations.push(Location { lines: vec![Line { function: f, line, column: 0 }], ..Default::default() });
            }
            p.push_sample(&[LocationIdx(0)], &[((minute + 1) * 75) << 20], []);
            p.push_sample(&[LocationIdx(1)], &[1 << 20], []);
            history.record(60.0 * minute as f64, &Index::build(&p));
        }
        history.growth("inuse_space").unwrap()
    }

    #[test]
    fn the_json_object_has_the_documented_fields() {
        let report = report(&growth(), &GrowthReportOptions::default());
        let json: serde_json::Value = serde_json::from_str(&to_json(&report)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "sampleType": "inuse_space", "unit": "bytes", "snapshots": 3, "seconds": 120.0,
                "rows": [
                    {"file": "leak.go", "line": 7, "function": "main.leak", "flat": 225i64 << 20, "cum": 225i64 << 20,
                     "flatPerMinute": (75i64 << 20) as f64, "cumPerMinute": (75i64 << 20) as f64,
                     "label": "+75MB/min flat · +75MB/min cum · 225MB now"},
                    {"file": "keep.go", "line": 3, "function": "main.init.0", "flat": 1 << 20, "cum": 1 << 20,
                     "flatPerMinute": 0.0, "cumPerMinute": 0.0, "label": "0/min flat · 0/min cum · 1MB now"},
                ]
            })
        );
        let mut with_uri = report.clone();
        with_uri.rows[0].uri = Some("file:///w/leak.go".into());
        let back: GrowthReport = serde_json::from_str(&to_json(&with_uri)).unwrap();
        assert_eq!(back, with_uri);
        assert_eq!(self::report(&growth(), &GrowthReportOptions { limit: Some(1) }).rows.len(), 1);
    }

    #[test]
    fn durations_are_short() {
        let labels: Vec<String> = [0.2, 2.5, 3.0, 42.4, 185.0, 3720.0].into_iter().map(duration_label).collect();
        assert_eq!(labels, ["200ms", "2.5s", "3s", "42s", "3m05s", "1h02m"]);
    }

    #[test]
    fn rates_are_labelled_in_pprof_units() {
        assert_eq!(rate_label((75 << 20) as f64, "bytes"), "+75MB/min");
        assert_eq!(rate_label(-1536.0, "bytes"), "-1.50kB/min");
        assert_eq!(rate_label(0.4, "count"), "+0.40/min");
        assert_eq!(rate_label(0.3, "bytes"), "+0.30B/min");
        assert_eq!(rate_label(0.0, "bytes"), "0/min");
        assert_eq!(rate_label(0.001, "count"), "0/min");
        assert_eq!(rate_label(2.5e9, "nanoseconds"), "+2.50s/min");
    }

    #[test]
    fn the_table_lists_the_fastest_growing_lines_first() {
        let table = render(&growth(), &GrowthReportOptions::default(), &["Type: inuse_space".into()]);
        let want = [
            "Type: inuse_space",
            "Growth of inuse_space over 3 snapshots (2m00s), per minute",
            "    flat/min      cum/min       flat        cum",
            "       +75MB        +75MB      225MB      225MB  main.leak leak.go:7",
            "           0            0        1MB        1MB  main.init.0 keep.go:3",
        ];
        assert_eq!(table, want.join("\n") + "\n");
        let top = render(&growth(), &GrowthReportOptions { limit: Some(1) }, &[]);
        assert!(top.contains("Showing top 1 lines out of 2\n"), "{top}");
        assert!(!top.contains("keep.go"), "{top}");
    }
}
