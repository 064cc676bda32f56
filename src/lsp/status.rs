//! The server's status as clients show it: `pprof.status` and the
//! `pprof/status` notification, with a ready-made summary line and detail.

use crate::analysis::{annotate, units};
use crate::report::labels;

use crate::source::live::clock_utc;

use super::protocol::{LiveStatus, State, Status};
use super::snapshot::Snapshot;

pub fn of(snapshot: &Snapshot) -> Status {
    let activity = &snapshot.activity;
    let loading = activity.loading.first().map(|s| s.display_name());
    let state = match (&loading, &activity.error, &snapshot.view) {
        (Some(_), _, _) => State::Loading,
        (None, Some(_), _) => State::Failed,
        (None, None, Some(_)) => State::Loaded,
        (None, None, None) => State::Empty,
    };
    let mut status = Status {
        state,
        summary: String::new(),
        detail: String::new(),
        generation: snapshot.view.as_ref().map_or(0, |v| v.generation()),
        loaded: snapshot.view.is_some(),
        enabled: snapshot.enabled,
        available: snapshot.offered.len(),
        profile: None,
        name: None,
        sample_type: None,
        unit: None,
        total: None,
        total_label: None,
        samples: None,
        mapped_files: None,
        unmapped_files: None,
        loading: loading.clone(),
        error: activity.error.clone(),
        diff_base: snapshot.base.as_ref().map(|b| b.source.to_string()),
        diff_base_name: snapshot.base.as_ref().map(|b| b.name.clone()),
        live: None,
        filters: (*snapshot.filters).clone(),
        settings_errors: snapshot.settings_errors.iter().map(ToString::to_string).collect(),
    };
    let mut detail = Vec::new();
    let mut live_line: Option<String> = None;
    let shown = snapshot.view.as_ref().map(|view| {
        let loaded = view.loaded();
        let ty = view.value_type();
        let total = view.total();
        let name = loaded.source.display_name();
        let files = &view.paths().files;
        let unmapped = files.unresolved().count();
        let mapped = files.len() - unmapped;
        status.profile = Some(loaded.source.to_string());
        status.name = Some(name.clone());
        status.sample_type = Some(ty.name.clone());
        status.unit = Some(ty.unit.clone());
        status.total = Some(total);
        status.total_label = Some(units::label(total, &ty.unit));
        status.samples = Some(loaded.profile.samples.len());
        status.mapped_files = Some(mapped);
        status.unmapped_files = Some(unmapped);
        detail.push(format!("{name}: {}, {} total", ty.name, units::label(total, &ty.unit)));
        detail.push(loaded.source.to_string());
        let mut files_line = format!("{} samples; {mapped} files found in the workspace", loaded.profile.samples.len());
        if unmapped > 0 {
            files_line.push_str(&format!(", {unmapped} not found"));
        }
        detail.push(files_line);
        if !snapshot.enabled {
            detail.push("annotations are hidden".into());
        }
        let mut summary = match &snapshot.base {
            Some(base) if view.is_diff() => {
                let net = annotate::net(view.index(), view.sample_type());
                detail.push(format!(
                    "compared with {}: values are differences, percentages are of its total",
                    base.name
                ));
                labels::diff_summary(&name, &base.name, ty, net)
            }
            _ => labels::status_summary(&name, ty, total),
        };
        if !snapshot.filters.is_empty() {
            summary.push_str(&format!(" · {}", snapshot.filters));
            detail.push(format!("filters: {}; percentages are of the total before filtering", snapshot.filters));
        }
        if !snapshot.enabled {
            summary.push_str(" (hidden)");
        }
        summary
    });
    if let (Some(live), Some(view)) = (&snapshot.live, &snapshot.view) {
        if live.source == view.loaded().source {
            let state = LiveStatus {
                snapshots: live.snapshots,
                refresh_seconds: snapshot.config.refresh_seconds,
                last_fetch: live.last.map(clock_utc),
                unreachable_since: live.failing.as_ref().map(|f| clock_utc(f.since)),
                error: live.failing.as_ref().map(|f| f.error.clone()),
                delta: live.delta.clone(),
            };
            let mut line = match (&state.unreachable_since, &state.last_fetch) {
                (Some(since), _) => format!("live · unreachable since {since}"),
                (None, Some(last)) => format!("live · {} snapshots · {last}", state.snapshots),
                (None, None) => "live".to_string(),
            };
            if let Some(delta) = &state.delta {
                line.push_str(&format!(" · {delta}"));
            }
            detail.push(line.clone());
            if let Some(error) = &state.error {
                detail.push(format!("the last refresh failed: {error}"));
            }
            live_line = Some(line);
            status.live = Some(state);
        }
    }
    for error in snapshot.settings_errors.iter() {
        detail.push(format!("setting {error} (its default is used)"));
    }
    if let Some(source) = &loading {
        detail.push(format!("loading {source}…"));
    }
    if let Some(error) = &activity.error {
        detail.push(format!("the last load failed: {error}"));
    }
    status.summary = match (state, shown) {
        (State::Loading, Some(s)) => format!("{s} · loading {}…", loading.unwrap_or_default()),
        (State::Loading, None) => format!("pprof: loading {}…", loading.unwrap_or_default()),
        (State::Failed, Some(s)) => format!("{s} · load failed"),
        (State::Failed, None) => "pprof: load failed".into(),
        (_, Some(s)) => match live_line {
            Some(live) => format!("{s} · {live}"),
            None => s,
        },
        (_, None) => "pprof: no profile".into(),
    };
    if detail.is_empty() {
        detail.push("No profile is loaded.".into());
    }
    status.detail = detail.join("\n");
    status
}
