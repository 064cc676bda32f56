//! `pprof.growth`: each line's growth per minute over the kept snapshots
//! of a live source, fastest first, with where to jump. The same object
//! `pprof-lsp watch --json` prints, plus `uri` where a file is mapped.

use crate::analysis::growth::{is_state_type, MIN_SNAPSHOTS};
use crate::report::growth::{report, GrowthReport, GrowthReportOptions};

use super::super::live_state::LiveState;
use super::super::locate;
use super::super::protocol::GrowthArgs;
use super::super::snapshot::Snapshot;
use super::super::failure::Result;

pub fn handle(snapshot: &Snapshot, args: GrowthArgs) -> Result<GrowthReport> {
    let view = snapshot.view.as_ref().ok_or("no profile is loaded")?;
    let live: &LiveState = snapshot
        .live
        .as_deref()
        .filter(|l| l.source == view.loaded().source)
        .ok_or("the shown profile is not live: growth needs a URL profile polled with refreshSeconds above 0")?;
    // The shown type if it describes current state, else the first that does.
    let wanted = match args.sample_type.filter(|t| !t.is_empty()) {
        Some(t) => t,
        None if is_state_type(&view.value_type().name) => view.value_type().name.clone(),
        None => live.growth.keys().min().cloned().ok_or_else(|| no_growth(live))?,
    };
    let growth = live.growth.get(&wanted).ok_or_else(|| {
        if is_state_type(&wanted) {
            no_growth(live)
        } else {
            format!("{wanted} does not describe current state; growth is kept for inuse_space, inuse_objects, goroutine and goroutineleak")
        }
    })?;
    let mut out = report(growth, &GrowthReportOptions { limit: args.n });
    for record in &mut out.rows {
        let row = &mut record.row;
        let Some(uri) = locate::uri_for(view, &row.file) else { continue };
        row.line = i64::from(locate::current_line(snapshot, &uri, row.line)) + 1;
        if let Some(local) = view.paths().files.local_for(&row.file) {
            row.file = local.to_string();
        }
        record.uri = Some(uri.as_str().to_string());
    }
    Ok(out)
}

fn no_growth(live: &LiveState) -> String {
    format!("growth needs at least {MIN_SNAPSHOTS} snapshots; {} so far", live.snapshots)
}
