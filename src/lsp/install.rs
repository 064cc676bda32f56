//! Publishing what a load or a poll produced: the new view, the rebased
//! documents and a live source's state, in one swap of the snapshot. Below
//! both sources (`loader`, `live`), so neither needs the other to publish.

use std::sync::Arc;
use std::time::Duration;

use crate::analysis::Filters;
use crate::profile::Profile;
use crate::source::goroutines;
use crate::source::load::ProfileSource;

use super::config::filter_error;

use super::live_state::LiveUpdate;
use super::protocol::ProfileOrigin;
use super::session::Handle;
use super::snapshot::{Base, LoadedProfile, MappedView, Offered, Snapshot, View};

/// How long a URL fetch may take.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(60);

/// What one load read and how long each step took, for the log.
pub struct Loaded {
    /// Indexed and filtered with the session's filters.
    pub profile: Arc<LoadedProfile>,
    pub paths: MappedView,
    pub bytes: usize,
    pub read: Duration,
    pub index: Duration,
    pub map: Duration,
}

/// `profile` with `filters` applied as pprof applies them (a filtered
/// copy of it and its base, indexed again): slow on a large profile, so
/// called on the blocking thread that loaded it. The filters cannot change
/// meanwhile: loads read them, and setting them takes, the load lock.
pub fn filtered(profile: LoadedProfile, filters: &Filters) -> Result<Arc<LoadedProfile>, String> {
    Arc::new(profile).with_filters(filters).map_err(|e| filter_error(&e))
}

/// The `?debug=2` dump of a goroutine endpoint, fetched beside its
/// protobuf profile for the wait states and creation sites; `None` for
/// other sources, and (logged) when the dump cannot be had.
pub fn goroutine_dump(source: &ProfileSource, max_bytes: u64) -> Option<Arc<Profile>> {
    match goroutines::fetch_dump(source, max_bytes, FETCH_TIMEOUT)? {
        Ok(dump) => Some(Arc::new(dump)),
        Err(e) => {
            tracing::warn!(source = %source, "no goroutine dump beside the profile: {e}");
            None
        }
    }
}

/// What a load of a benchmark run's profile brings besides the source.
#[derive(Clone, Default)]
pub struct LoadExtras {
    /// The run's iterations, so values can be shown per operation.
    pub iterations: Option<u64>,
    /// The base to compare with instead of the current one (`Some(None)`:
    /// none), set in the same swap as the profile.
    pub base: Option<Option<Arc<Base>>>,
    /// The sample type to show.
    pub sample_type: Option<String>,
    /// How the profile is offered in `pprof.listProfiles`.
    pub origin: Option<ProfileOrigin>,
}

/// The sample type a load of `source` will show: the one `extras` name,
/// else the one on screen when the same source is loaded again, else the
/// setting's.
pub fn wanted_type(s: &Snapshot, source: &ProfileSource, extras: &LoadExtras) -> Option<String> {
    match &s.view {
        _ if extras.sample_type.is_some() => extras.sample_type.clone(),
        Some(v) if &v.loaded().source == source => Some(v.value_type().name.clone()),
        _ => s.config.sample_type.clone(),
    }
}

pub fn done_loading(s: &mut Snapshot, source: &ProfileSource) {
    if let Some(i) = s.activity.loading.iter().position(|l| l == source) {
        s.activity.loading.remove(i);
    }
}

/// Publishes a loaded profile: the new view (keeping the sample type on
/// screen when the same source is loaded again), the rebased documents and,
/// for a live source, its state, in one swap. Call with the load lock held.
pub fn install(
    handle: &Handle,
    source: &ProfileSource,
    loaded: Loaded,
    live: Option<LiveUpdate>,
    extras: &LoadExtras,
) -> (Arc<Snapshot>, Option<crate::analysis::SelectError>) {
    tracing::info!(
        source = %source,
        bytes = loaded.bytes,
        samples = loaded.profile.profile.samples.len(),
        read_decode_ms = loaded.read.as_millis() as u64,
        index_ms = loaded.index.as_millis() as u64,
        map_ms = loaded.map.as_millis() as u64,
        "loaded"
    );
    let (profile, paths) = (loaded.profile, Arc::new(loaded.paths));
    let (now, (previous, problem)) = handle.session.update(|s| {
        // Reloading the shown source keeps the sample type on screen;
        // anything else starts from the setting.
        let wanted = wanted_type(s, source, extras);
        let (view, problem) = View::new(profile, paths, wanted.as_deref());
        let view = view.with_per_op(s.per_op);
        let previous = s.view.replace(Arc::new(view));
        if let Some(base) = &extras.base {
            s.base = base.clone();
        }
        s.documents.rebase_all();
        done_loading(s, source);
        s.activity.error = None;
        s.live = live.map(|update| Arc::new(update.apply(s.live.as_deref())));
        if !s.offered.iter().any(|o| &o.source == source) {
            let mut offered = s.offered.to_vec();
            offered.insert(0, Offered { source: source.clone(), origin: extras.origin.unwrap_or(ProfileOrigin::Loaded), reason: None });
            s.offered = offered.into();
        }
        (previous, problem)
    });
    // The previous profile may be large and this its last owner: free it
    // on a blocking thread, not on the task that serves every request.
    tokio::task::spawn_blocking(move || {
        drop(previous);
        super::lifecycle::release_free_memory();
    });
    (now, problem)
}

/// Rebuilds the shown profile's file mapping if the mapper changed after
/// the mapping was made (a load that finished during a rescan, or the
/// other way round).
pub async fn remap_if_stale(handle: &Handle) {
    loop {
        let snapshot = handle.session.snapshot();
        let Some(view) = snapshot.view.clone() else { return };
        if view.paths().built_with(&snapshot.mapper) {
            return;
        }
        let mapper = snapshot.mapper.clone();
        let task_view = view.clone();
        let disk = handle.session.disk.clone();
        let revision = snapshot.revision_input(&view.loaded().source, view.loaded().iterations.is_some());
        let build = move || MappedView::build(&task_view.loaded().profile, task_view.index(), &mapper, &*disk, &revision);
        let Ok(paths) = tokio::task::spawn_blocking(build).await else {
            return;
        };
        let (_, swapped) = handle.session.update(|s| {
            let unchanged = s.view.as_ref().is_some_and(|v| Arc::ptr_eq(v, &view)) && paths.built_with(&s.mapper);
            if unchanged {
                s.view = Some(Arc::new(view.with_paths(Arc::new(paths))));
            }
            unchanged
        });
        if swapped {
            handle.changed().await;
            return;
        }
    }
}
