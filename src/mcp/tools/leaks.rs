//! `leaks`: goroutines by the line they block at and the `go` statement
//! that started them (only the leaked ones for a `goroutineleak`
//! profile): the rows of `pprof.leaks` and `pprof-lsp leaks --json`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cli::leaks::{group, read_source, report};
use crate::report::leaks::LeakSite;

use super::super::context::Context;
use super::super::output::{omitted_line, Output, Rows};
use super::super::ToolError;

pub const DESCRIPTION: &str = "Goroutines grouped by the workspace line they block at and the `go` statement that \
started them, most first; for a goroutineleak profile (Go 1.27's /debug/pprof/goroutineleak) only the leaked ones. \
`source` is a goroutine dump, a goroutine profile or a loopback URL (its ?debug=2 dump is read).";

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Args {
    /// A file or URL; default: the `profile` argument's profile.
    pub source: Option<String>,
    pub profile: Option<String>,
    /// Ignored: goroutine counts have one type.
    #[allow(dead_code)] // Every tool accepts it.
    pub sample_type: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    pub file: String,
    pub line: i64,
    pub function: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    #[serde(flatten)]
    pub site: Site,
    pub count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_minutes: Option<i64>,
    /// The `go` statement, when the dump says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Site>,
    pub label: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Leaks {
    pub source: String,
    /// `goroutineleak` or `goroutine`.
    pub sample_type: String,
    /// Whether the rows are leaked goroutines.
    pub leaks: bool,
    pub total: i64,
    pub summary: String,
    pub rows: Vec<Row>,
    pub omitted_rows: usize,
}

impl Output for Leaks {
    fn text(&self) -> String {
        let mut out = format!("{}: {}\n", self.source, self.summary);
        for r in &self.rows {
            let started = r.created_at.as_ref().map(|c| format!(" (started at {}:{})", c.file, c.line)).unwrap_or_default();
            out.push_str(&format!("{:>7}  {}:{} {}{started} · {}\n", r.count, r.site.file, r.site.line, r.site.function, r.label));
        }
        out + &omitted_line(self.omitted_rows)
    }

    fn rows(&mut self) -> (&mut dyn Rows, &mut usize) {
        (&mut self.rows, &mut self.omitted_rows)
    }
}

pub fn run(context: &Context, a: Args) -> Result<Leaks, ToolError> {
    let source = match &a.source {
        Some(text) => context.allowed_source(text, "source")?,
        None => context.resolve_profile(a.profile.as_deref())?,
    };
    let read = read_source(&source.to_string());
    let profile = context.read(&read)?;
    let goroutines = group(&profile, &read, &context.mapper).map_err(|e| ToolError::new(e.to_string()))?;
    let leaks = report(&goroutines, &context.mapper, None);
    let site = |s: &LeakSite| Site { file: context.relative(&s.file), line: s.line, function: s.function.clone() };
    Ok(Leaks {
        source: source.to_string(),
        sample_type: leaks.sample_type.clone(),
        leaks: leaks.leaks,
        total: leaks.total,
        summary: leaks.summary.clone(),
        rows: leaks
            .rows
            .iter()
            .map(|r| Row {
                site: Site { file: context.relative(&r.file), line: r.line, function: r.function.clone() },
                count: r.count,
                state: r.state.clone(),
                wait_minutes: r.wait_minutes,
                created_at: r.created_at.as_ref().map(site),
                label: r.label.clone(),
            })
            .collect(),
        omitted_rows: 0,
    })
}
