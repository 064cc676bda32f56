//! Live sources: a `/debug/pprof/...` URL is polled again every
//! `refreshSeconds` by a background task that owns a [`Poller`] (and with
//! it the growth history). Each poll runs on a blocking thread and is
//! published like a reload, with the source's state and its per-line growth,
//! so requests never wait for a refresh. A source that stops answering
//! keeps its last data on screen; the status says since when.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use crate::analysis::growth::is_state_type;
use crate::analysis::Filters;
use crate::paths::PathMapper;
use crate::source::fs::Disk;
use crate::source::live::{Health, LiveOptions, Outcome, Poller};
use crate::source::load::ProfileSource;

use super::install::{self, LoadExtras, Loaded, FETCH_TIMEOUT};
use super::live_state::{Failing, LiveUpdate};
use super::session::{Handle, Task};
use super::snapshot::{Base, LoadedProfile, MappedView, RevisionInput};

static TASKS: AtomicU64 = AtomicU64::new(1);

/// A poller for `source` if it is to be polled: a URL while
/// `refreshSeconds` is above 0.
pub fn poller_for(handle: &Handle, source: &ProfileSource) -> Result<Option<Poller>, String> {
    let config = handle.session.snapshot().config.clone();
    let (polled, refresh_seconds) = match source {
        ProfileSource::Url(_) => (true, config.refresh_seconds),
        ProfileSource::Merged(m) => (m.has_urls(), config.refresh_seconds),
        // A query's window slides: its entry may set its own refresh.
        ProfileSource::Fleet(f) => (true, f.query.refresh_seconds.unwrap_or(config.refresh_seconds)),
        ProfileSource::File(_) => (false, 0),
    };
    if !polled || refresh_seconds == 0 {
        return Ok(None);
    }
    let options = LiveOptions {
        interval: std::time::Duration::from_secs(refresh_seconds),
        history: config.history.max(1),
        max_bytes: config.max_profile_bytes,
        timeout: FETCH_TIMEOUT,
        ..LiveOptions::default()
    };
    Poller::new(source.clone(), options).map(Some).map_err(|e| e.to_string())
}

/// Polls once: on success the profile to show (indexed against `base` if
/// one is set) with its growth; either way the source's new state.
pub fn poll(
    poller: &mut Poller,
    base: Option<Arc<Base>>,
    filters: &Filters,
    mapper: &Arc<PathMapper>,
    disk: &dyn Disk,
    revision: &RevisionInput,
) -> (Result<Loaded, String>, LiveUpdate) {
    // Growth follows the filters everything else shows.
    poller.set_filters(filters);
    let with_labels = fleet_revision(poller.source(), revision);
    let revision = with_labels.as_ref().unwrap_or(revision);
    let started = Instant::now();
    let outcome = poller.poll_once(SystemTime::now());
    let polled = Instant::now();
    let (last, failing) = match poller.health() {
        Health::Live { last } => (Some(*last), None),
        Health::Failing { since, failures, error, last_success } => {
            (*last_success, Some(Failing { since: *since, failures: *failures, error: error.clone() }))
        }
        Health::Waiting => (None, None),
    };
    let mut update = LiveUpdate {
        source: poller.source().clone(),
        snapshots: poller.history().len(),
        last,
        failing,
        delta: poller.delta_label(),
        growth: None,
        latest: None,
        replicas: poller.replicas(),
    };
    let fetched = match outcome {
        Outcome::Snapshot(fetched) => fetched,
        Outcome::Failed { error, .. } | Outcome::Unchanged { error } => return (Err(error), update),
    };
    let growth = poller
        .growth_types()
        .into_iter()
        .filter(|t| is_state_type(t))
        .filter_map(|t| poller.growth(&t).ok().map(|g| (t, Arc::new(g))))
        .collect();
    let profile = fetched.profile;
    let source = poller.source().clone();
    let loaded = match revision.align(base, &profile, mapper, disk) {
        // The fetched index is of the profile alone: compare it again.
        Some(base) => LoadedProfile::new(source, profile.clone(), Some(base), None),
        None => Ok(LoadedProfile::from_index(source, profile.clone(), fetched.index)),
    };
    let mut loaded = match loaded {
        Ok(l) => l,
        Err(e) => return (Err(e), update),
    };
    loaded.goroutine_detail = install::goroutine_dump(&loaded.source, poller.options().max_bytes);
    loaded.parts = fetched.parts.into();
    let indexed = Instant::now();
    let paths = MappedView::build(&loaded.profile, &loaded.index, mapper, disk, revision);
    let mapped = Instant::now();
    let loaded = match install::filtered(loaded, filters) {
        Ok(l) => l,
        Err(e) => return (Err(e), update),
    };
    let filtered = Instant::now();
    update.growth = Some(growth);
    update.latest = Some(fetched.raw.clone());
    (
        Ok(Loaded {
            profile: loaded,
            paths,
            bytes: fetched.raw.len(),
            read: polled - started,
            index: (indexed - polled) + (filtered - mapped),
            map: mapped - indexed,
        }),
        update,
    )
}

/// For a continuous profiler's source without a revision setting: the
/// input with the revision its profiles' `service_git_ref` label names,
/// asked once per source.
pub fn fleet_revision(source: &ProfileSource, revision: &RevisionInput) -> Option<RevisionInput> {
    let ProfileSource::Fleet(f) = source else { return None };
    if revision.input.settings.revision.is_some() || revision.input.settings.labelled.is_some() {
        return None;
    }
    let labelled = match revision.cache.labelled(&f.entry) {
        Some(known) => known,
        None => {
            let asked = match f.query.revision(std::time::SystemTime::now(), FETCH_TIMEOUT) {
                Ok(r) => r.map(|r| r.git_ref),
                Err(e) => {
                    tracing::info!("{}: no revision from its labels: {e}", f.query.display_name());
                    None
                }
            };
            revision.cache.set_labelled(&f.entry, asked.clone());
            asked
        }
    };
    let mut input = revision.clone();
    input.input.settings.labelled = Some(labelled?);
    Some(input)
}

/// Polls `poller`'s source in the background from now on, replacing any
/// other polling.
pub fn start(handle: &Handle, poller: Poller) {
    let id = TASKS.fetch_add(1, Ordering::Relaxed);
    let task_handle = handle.clone();
    let task = tokio::spawn(async move { run(task_handle, id, poller).await });
    let previous = handle
        .session
        .live
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .replace(Task { id, abort: task.abort_handle() });
    if let Some(previous) = previous {
        previous.abort.abort();
    }
}

/// Stops polling.
pub fn stop(handle: &Handle) {
    if let Some(task) = handle.session.live.lock().unwrap_or_else(|e| e.into_inner()).take() {
        task.abort.abort();
    }
}

fn current(handle: &Handle, id: u64) -> bool {
    handle.session.live.lock().unwrap_or_else(|e| e.into_inner()).as_ref().is_some_and(|t| t.id == id)
}

async fn run(handle: Handle, id: u64, mut poller: Poller) {
    loop {
        tokio::time::sleep(poller.next_delay()).await;
        // Serialised with loads, so a refresh never races a load to publish.
        let one_at_a_time = handle.session.load_lock.lock().await;
        if !current(&handle, id) {
            return;
        }
        let snapshot = handle.session.snapshot();
        let (base, mapper, disk) = (snapshot.base.clone(), snapshot.mapper.clone(), handle.session.disk.clone());
        let filters = snapshot.filters.clone();
        let revision = snapshot.revision_input(poller.source(), false);
        let polled = tokio::task::spawn_blocking(move || {
            let (result, update) = poll(&mut poller, base, &filters, &mapper, &*disk, &revision);
            (poller, result, update)
        })
        .await;
        let Ok((returned, result, update)) = polled else { return };
        poller = returned;
        if !current(&handle, id) {
            return;
        }
        let source = poller.source().clone();
        match result {
            Ok(loaded) => {
                install::install(&handle, &source, loaded, Some(update), &LoadExtras::default());
                drop(one_at_a_time);
                handle.changed().await;
            }
            Err(error) => {
                tracing::warn!(source = %source, "refresh failed: {error}");
                handle.session.update(|s| s.live = Some(Arc::new(update.apply(s.live.as_deref()))));
                drop(one_at_a_time);
                handle.publish();
            }
        }
    }
}
