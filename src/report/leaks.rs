//! Goroutines grouped by blocking line and creation site
//! (`analysis::leaks`) as the `pprof.leaks` JSON object, shared by the
//! server and `pprof-lsp leaks --json`, and as the CLI's table.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::analysis::leaks::{Goroutines, Site};

use super::labels::{self, short_file};

/// A place: the local file when it maps to one (with its URI, and the line
/// where it is now, in the server), else the file as recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeakSite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    pub file: String,
    /// 1-based.
    pub line: i64,
    pub function: String,
}

/// Goroutines that block at one line and were started at one place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeakRow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    pub file: String,
    /// 1-based.
    pub line: i64,
    pub function: String,
    pub count: i64,
    /// The wait state most of them are in (`chan send`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The longest wait among them, in minutes, when the dump printed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_minutes: Option<i64>,
    /// The `go` statement, when known (goroutine dumps say; protobuf
    /// profiles do not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<LeakSite>,
    /// How fast the count at this line grows, per minute, when watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_minute: Option<f64>,
    /// `30 leaked · chan send · 4 min · ▲ 600/min`, ready to show.
    pub label: String,
    /// `started here: 30 leaked goroutines (main.leakOnce)`, for the `go`
    /// statement, when it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_label: Option<String>,
}

/// The `pprof.leaks` object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeakReport {
    /// `goroutineleak` (only leaked goroutines are counted) or `goroutine`.
    pub sample_type: String,
    /// Whether the rows are leaked goroutines.
    pub leaks: bool,
    pub total: i64,
    /// `70 leaked goroutines (goroutineleak) in 4 places`, ready to show.
    pub summary: String,
    /// Most goroutines first.
    pub rows: Vec<LeakRow>,
}

/// The report of `goroutines`, each site placed by `place` and each
/// blocking line's growth from `per_minute`.
pub fn report(goroutines: &Goroutines, place: &dyn Fn(&Site) -> LeakSite, per_minute: &dyn Fn(&Site) -> Option<f64>) -> LeakReport {
    let leaked = goroutines.leaks;
    LeakReport {
        sample_type: goroutines.sample_type.clone(),
        leaks: leaked,
        total: goroutines.total,
        summary: labels::goroutines_summary(goroutines.total, leaked, &goroutines.sample_type, goroutines.rows.len()),
        rows: goroutines
            .rows
            .iter()
            .map(|row| {
                let blocking = place(&row.blocking);
                let per_minute = per_minute(&row.blocking);
                LeakRow {
                    uri: blocking.uri,
                    file: blocking.file,
                    line: blocking.line,
                    function: blocking.function,
                    count: row.count,
                    state: row.state.clone(),
                    wait_minutes: row.wait_minutes,
                    created_at: row.created_at.as_ref().map(place),
                    per_minute,
                    label: labels::goroutine_group(row.count, leaked, row.state.as_deref(), row.wait_minutes, per_minute),
                    started_label: row.created_at.as_ref().map(|s| labels::started_here(row.count, &s.function, leaked)),
                }
            })
            .collect(),
    }
}

/// The CLI's table: a line of totals, then each row's count, state and
/// blocking line, and under it where the goroutines were started.
///
/// ```text
/// 12 leaked goroutines (goroutineleak), in 2 places
///       10  chan send, 4 min    poller.go:52  main.sendForever
///           started at poller.go:41  main.startPoller
/// ```
pub fn table(report: &LeakReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", report.summary);
    let states: Vec<String> = report
        .rows
        .iter()
        .map(|r| {
            let mut s = r.state.clone().unwrap_or_default();
            if let Some(m) = r.wait_minutes {
                s.push_str(&format!(", {m} min"));
            }
            if let Some(rate) = r.per_minute {
                s.push_str(&format!(", {}", super::growth::rate_label(rate, "count")));
            }
            s
        })
        .collect();
    let width = states.iter().map(|s| s.chars().count()).max().unwrap_or(0);
    for (row, state) in report.rows.iter().zip(&states) {
        let _ = writeln!(out, "{:>8}  {state:<width$}  {}:{}  {}", row.count, short_file(&row.file), row.line, row.function);
        if let Some(site) = &row.created_at {
            let _ = writeln!(out, "{:>8}  started at {}:{}  {}", "", short_file(&site.file), site.line, site.function);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::leaks::Group;

    fn site(file: &str, line: i64, function: &str) -> Site {
        Site { file: file.into(), line, function: function.into() }
    }

    #[test]
    fn rows_and_table() {
        let g = Goroutines {
            sample_type: "goroutineleak".into(),
            leaks: true,
            total: 12,
            rows: vec![
                Group {
                    blocking: site("/b/poller.go", 52, "main.sendForever"),
                    created_at: Some(site("/b/poller.go", 41, "main.startPoller")),
                    count: 10,
                    state: Some("chan send".into()),
                    wait_minutes: Some(4),
                    stacks: Vec::new(),
                },
                Group { blocking: site("/b/wait.go", 9, "main.wait"), created_at: None, count: 2, state: None, wait_minutes: None, stacks: Vec::new() },
            ],
        };
        let place = |s: &Site| LeakSite { uri: None, file: s.file.replace("/b/", "/w/"), line: s.line, function: s.function.clone() };
        let report = report(&g, &place, &|s| (s.line == 52).then_some(30.0));
        assert_eq!(report.rows[0].file, "/w/poller.go");
        assert_eq!(report.rows[0].created_at.as_ref().unwrap().line, 41);
        assert_eq!(report.rows[0].per_minute, Some(30.0));
        assert_eq!(
            table(&report),
            "12 leaked goroutines (goroutineleak) in 2 places\n      10  chan send, 4 min, +30/min  poller.go:52  main.sendForever\n          started at poller.go:41  main.startPoller\n       2                             wait.go:9  main.wait\n"
        );
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["rows"][0]["createdAt"]["function"], "main.startPoller");
        assert_eq!(json["rows"][0]["waitMinutes"], 4);
        assert!(json["rows"][1].get("createdAt").is_none());
    }
}
