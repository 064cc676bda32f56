//! `growth`: polls a live endpoint a few times and returns each line's
//! growth per minute, fastest first (the rows of `pprof.growth` and
//! `pprof-lsp watch --json`). Reports progress after each snapshot; the
//! client can cancel it between polls.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::growth::Recorded;
use crate::cli::watch::choose_type;
use crate::report::growth::{report, GrowthReportOptions};
use crate::source::live::{LiveOptions, Outcome, Poller};

use super::super::context::Context;
use super::super::output::{in_range, omitted_line, Output, Rows};
use super::super::ToolError;
use super::common::place;
use super::Call;

pub const DESCRIPTION: &str = "Polls a live profile endpoint (e.g. http://127.0.0.1:6060/debug/pprof/heap) \
`snapshots` times, `intervalSeconds` apart, and returns the lines whose in-use memory (or goroutine count) grows \
fastest, per minute, each at its workspace file and line. Takes snapshots × interval seconds; reports progress and \
can be cancelled.";

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Args {
    /// A /debug/pprof URL (loopback, or under an --allow-url prefix).
    pub source: String,
    /// Snapshots to take, 3 to 20 (default 5).
    #[schemars(range(min = 3, max = 20))]
    pub snapshots: Option<u32>,
    /// Seconds between snapshots, 1 to 60 (default 5).
    #[schemars(range(min = 1, max = 60))]
    pub interval_seconds: Option<u32>,
    /// At most this many rows, 1 to 500 (default 20).
    #[schemars(range(min = 1, max = 500))]
    pub limit: Option<u32>,
    /// inuse_space, inuse_objects, goroutine or goroutineleak (default: the profile's, if one of these).
    pub sample_type: Option<String>,
    /// Ignored: `source` is polled.
    #[allow(dead_code)] // Every tool accepts it.
    pub profile: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub file: String,
    pub line: i64,
    pub mapped: bool,
    pub function: String,
    /// In the latest snapshot, in `unit`.
    pub flat: i64,
    pub cum: i64,
    /// Least-squares slopes, in `unit` per minute.
    pub flat_per_minute: f64,
    pub cum_per_minute: f64,
    pub label: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Growth {
    pub source: String,
    pub sample_type: String,
    pub unit: String,
    pub snapshots: usize,
    pub seconds: f64,
    /// Polls that failed (the source was unreachable for a while).
    pub failed_polls: u32,
    pub rows: Vec<Row>,
    pub omitted_rows: usize,
}

impl Output for Growth {
    fn text(&self) -> String {
        let mut out = format!("{} · {} · {} snapshots over {:.0} s\n", self.source, self.sample_type, self.snapshots, self.seconds);
        for r in &self.rows {
            out.push_str(&format!("{}:{} {} · {}\n", r.file, r.line, r.function, r.label));
        }
        out + &omitted_line(self.omitted_rows)
    }

    fn rows(&mut self) -> (&mut dyn Rows, &mut usize) {
        (&mut self.rows, &mut self.omitted_rows)
    }
}

pub async fn run(context: Arc<Context>, a: Args, call: &Call) -> Result<Growth, ToolError> {
    let snapshots = in_range("snapshots", a.snapshots.unwrap_or(5), 3..=20)?;
    let interval = in_range("intervalSeconds", a.interval_seconds.unwrap_or(5), 1..=60)?;
    let limit = in_range("limit", a.limit.unwrap_or(20), 1..=500)?;
    let source = context.allowed_source(&a.source, "source")?;
    let options = LiveOptions {
        interval: Duration::from_secs(interval.into()),
        history: snapshots as usize,
        max_bytes: context.config.max_profile_bytes,
        ..LiveOptions::default()
    };
    let mut poller = Poller::new(source.clone(), options).map_err(|e| ToolError::new(format!("source: {e}")))?;
    let mut taken = 0u32;
    let mut failed = 0u32;
    let mut sample_type: Option<String> = None;
    while taken < snapshots {
        if call.cancelled() {
            return Err(ToolError::new("growth was cancelled"));
        }
        let (back, outcome) = tokio::task::spawn_blocking(move || {
            let outcome = poller.poll_once(SystemTime::now());
            (poller, outcome)
        })
        .await
        .map_err(|e| ToolError::new(format!("polling failed: {e}")))?;
        poller = back;
        let delay = match outcome {
            Outcome::Snapshot(fetched) => {
                if fetched.recorded == Recorded::NoStateTypes {
                    return Err(ToolError::new(format!(
                        "{source}: growth needs inuse_space, inuse_objects, goroutine or goroutineleak values"
                    )));
                }
                if fetched.recorded == Recorded::Restarted {
                    sample_type = None;
                }
                if sample_type.is_none() {
                    sample_type = Some(
                        choose_type(&fetched.profile, &poller.growth_types(), a.sample_type.as_deref())
                            .map_err(|e| ToolError::new(format!("sampleType: {e}")))?,
                    );
                }
                taken += 1;
                call.progress(f64::from(taken), f64::from(snapshots), format!("snapshot {taken} of {snapshots}")).await;
                poller.next_delay()
            }
            Outcome::Failed { error, .. } if taken == 0 => return Err(ToolError::new(error)),
            Outcome::Unchanged { .. } => poller.next_delay(),
            Outcome::Failed { retry_in, .. } => {
                failed += 1;
                if failed > snapshots * 3 {
                    return Err(ToolError::new(format!("{source} keeps failing after {taken} snapshots")));
                }
                retry_in
            }
        };
        if taken < snapshots {
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = call.request.ct.cancelled() => return Err(ToolError::new("growth was cancelled")),
            }
        }
    }
    let name = sample_type.unwrap_or_default();
    let growth = poller.growth(&name).map_err(|e| ToolError::new(e.to_string()))?;
    let all = report(&growth, &GrowthReportOptions { limit: None });
    let omitted_rows = all.rows.len().saturating_sub(limit as usize);
    let rows = all
        .rows
        .iter()
        .take(limit as usize)
        .map(|r| {
            let at = place(&context, None, &r.file, Some(r.line));
            Row {
                mapped: at.mapped,
                file: at.file,
                line: r.line,
                function: r.function.clone(),
                flat: r.flat,
                cum: r.cum,
                flat_per_minute: r.flat_per_minute,
                cum_per_minute: r.cum_per_minute,
                label: r.label.clone(),
            }
        })
        .collect();
    Ok(Growth {
        source: source.to_string(),
        sample_type: all.sample_type,
        unit: all.unit,
        snapshots: all.snapshots,
        seconds: all.seconds,
        failed_polls: failed,
        rows,
        omitted_rows,
    })
}
