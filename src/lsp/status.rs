//! The server's status as clients show it: `pprof.status` and the
//! `pprof/status` notification. The facts come from the snapshot; the
//! summary line and the detail are `report::labels::status`'s.

use crate::analysis::{annotate, units};
use crate::report::labels::{self, LiveFacts, RevisionFacts, ShownFacts, StatusFacts};
use crate::source::revision::Origin;
use crate::source::live::clock_utc;
use crate::source::load::ProfileSource;

use super::protocol::{LiveStatus, RevisionStatus, State, Status};
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
    // The shown profile's revision and what came of mapping its lines.
    let mapped = snapshot.view.as_ref().map(|v| v.paths().revision.clone());
    let profile_revision = mapped.as_deref().and_then(|m| m.revision.as_ref());
    // A live state describes the shown profile only if it is the live one.
    let live_state = match (&snapshot.live, &snapshot.view) {
        (Some(live), Some(view)) if live.source == view.loaded().source => Some(live),
        _ => None,
    };
    let live_sources = live_state.and_then(|l| l.replicas.as_ref()).map(|r| {
        labels::sources(r.answering, r.total, r.noun, &r.down_since(clock_utc))
    });
    let shown = snapshot.view.as_ref().map(|view| {
        let loaded = view.loaded();
        let files = &view.paths().files;
        let revision = &view.paths().revision;
        let unmapped = files.unresolved().count();
        ShownFacts {
            name: loaded.source.display_name(),
            source: loaded.source.to_string(),
            sample_type: view.value_type().clone(),
            total: view.total(),
            samples: loaded.profile.samples.len(),
            mapped_files: files.len() - unmapped,
            unmapped_files: unmapped,
            diff: match &snapshot.base {
                Some(base) if view.is_diff() => Some((base.name.clone(), annotate::net(view.index(), view.sample_type()))),
                _ => None,
            },
            revision: revision.revision.as_ref().map(|r| RevisionFacts {
                short: r.short.clone(),
                origin: match &r.origin {
                    Origin::Setting => "the revision setting".into(),
                    Origin::BuildInfo(binary) => format!("the build info of {}", binary.display()),
                    Origin::Label => "the profiles' service_git_ref label".into(),
                },
                dirty: r.dirty,
                changed_files: revision.lines.len(),
            }),
            revision_problems: revision.problems.clone(),
            older_than_code: revision.older_than_code.clone(),
            sources: match &loaded.source {
                ProfileSource::Merged(m) if live_sources.is_none() => {
                    let total = m.parts.len();
                    Some(labels::sources(total.saturating_sub(loaded.left_out.len()), total, m.noun(), &[]))
                }
                ProfileSource::Fleet(f) => Some(f.query.status_label()),
                _ => None,
            },
            left_out: loaded.left_out.clone(),
        }
    });
    let live = live_state.map(|live| LiveStatus {
            snapshots: live.snapshots,
            refresh_seconds: snapshot.config.refresh_seconds,
            last_fetch: live.last.map(clock_utc),
            unreachable_since: live.failing.as_ref().map(|f| clock_utc(f.since)),
            error: live.failing.as_ref().map(|f| f.error.clone()),
            delta: live.delta.clone(),
            sources: live_sources.clone(),
        });
    let filter_notes: Vec<String> =
        snapshot.view.as_ref().map(|v| v.loaded().filter_notes.iter().map(ToString::to_string).collect()).unwrap_or_default();
    let settings_errors: Vec<String> = snapshot.settings_errors.iter().map(ToString::to_string).collect();
    let facts = StatusFacts {
        shown: shown.clone(),
        enabled: snapshot.enabled,
        loading: loading.clone(),
        error: activity.error.clone(),
        live: live.as_ref().map(|l| LiveFacts {
            snapshots: l.snapshots,
            last_fetch: l.last_fetch.clone(),
            unreachable_since: l.unreachable_since.clone(),
            delta: l.delta.clone(),
            error: l.error.clone(),
            sources: l.sources.clone(),
        }),
        filters: (!snapshot.filters.is_empty()).then(|| snapshot.filters.to_string()),
        filter_notes: filter_notes.clone(),
        settings_errors: settings_errors.clone(),
    };
    let (summary, detail) = labels::status(&facts);
    Status {
        state,
        summary,
        detail,
        generation: snapshot.view.as_ref().map_or(0, |v| v.generation()),
        loaded: snapshot.view.is_some(),
        enabled: snapshot.enabled,
        available: snapshot.offered.len(),
        profile: shown.as_ref().map(|s| s.source.clone()),
        name: shown.as_ref().map(|s| s.name.clone()),
        sources: live_sources.or_else(|| shown.as_ref().and_then(|s| s.sources.clone())),
        sample_type: shown.as_ref().map(|s| s.sample_type.name.clone()),
        unit: shown.as_ref().map(|s| s.sample_type.unit.clone()),
        total: shown.as_ref().map(|s| s.total),
        total_label: shown.as_ref().map(|s| units::label(s.total, &s.sample_type.unit)),
        samples: shown.as_ref().map(|s| s.samples),
        mapped_files: shown.as_ref().map(|s| s.mapped_files),
        unmapped_files: shown.as_ref().map(|s| s.unmapped_files),
        loading,
        error: activity.error.clone(),
        diff_base: snapshot.base.as_ref().map(|b| b.source.to_string()),
        diff_base_name: snapshot.base.as_ref().map(|b| b.name.clone()),
        live,
        filters: (*snapshot.filters).clone(),
        filter_notes,
        settings_errors,
        revision: profile_revision.map(|r| RevisionStatus {
            sha: r.sha.clone(),
            short: r.short.clone(),
            source: r.origin.key().to_string(),
            binary: match &r.origin {
                Origin::BuildInfo(path) => Some(path.to_string_lossy().into_owned()),
                Origin::Setting | Origin::Label => None,
            },
        }),
        revision_dirty: profile_revision.and_then(|r| r.dirty),
        revision_notes: mapped.as_deref().map(|m| m.problems.iter().chain(&m.older_than_code).cloned().collect()).unwrap_or_default(),
    }
}
