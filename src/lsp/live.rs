//! Live sources: a `/debug/pprof/...` URL is polled again every
//! `refreshSeconds` by a background task that owns a [`Poller`] (and with
//! it the growth history). Each poll runs on a blocking thread and is
//! published like a reload, with the source's state and its per-line growth,
//! so requests never wait for a refresh. A source that stops answering
//! keeps its last data on screen; the status says since when.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use rustc_hash::FxHashMap;

use crate::analysis::growth::is_state_type;
use crate::analysis::Filters;
use crate::analysis::{FileId, Growth, GrowthRow};
use crate::paths::PathMapper;
use crate::source::fs::Disk;
use crate::source::live::{Health, LiveOptions, Outcome, Poller};
use crate::source::load::ProfileSource;

use super::loader::{self, Loaded, FETCH_TIMEOUT};
use super::server::Backend;
use super::snapshot::{Base, LoadedProfile, MappedView, Snapshot, View};

static TASKS: AtomicU64 = AtomicU64::new(1);

/// The polling task of the shown source; dropping it does not stop it,
/// [`stop`] does.
pub struct LiveTask {
    id: u64,
    abort: tokio::task::AbortHandle,
}

/// Why the source is not answering, and since when.
#[derive(Clone, Debug, PartialEq)]
pub struct Failing {
    pub since: SystemTime,
    pub failures: u32,
    pub error: String,
}

/// What is known of a live source, kept in the snapshot.
#[derive(Clone, Debug)]
pub struct LiveState {
    pub source: ProfileSource,
    /// Snapshots kept for growth.
    pub snapshots: usize,
    /// When the last poll succeeded.
    pub last: Option<SystemTime>,
    pub failing: Option<Failing>,
    /// `delta over N s` for `?seconds=N` URLs.
    pub delta: Option<String>,
    /// Each line's growth, by sample type name (state types with enough
    /// snapshots only).
    pub growth: FxHashMap<String, Arc<Growth>>,
    /// The responses of the snapshot shown now and of the one before it,
    /// as received, for comparing with the previous snapshot: decoded only
    /// when that is asked for, so that no whole profile is kept besides
    /// the one shown.
    pub latest: Option<Arc<[u8]>>,
    pub previous: Option<Arc<[u8]>>,
}

/// What one poll learnt, to be merged into the state it follows.
#[derive(Clone, Debug)]
pub struct LiveUpdate {
    source: ProfileSource,
    snapshots: usize,
    last: Option<SystemTime>,
    failing: Option<Failing>,
    delta: Option<String>,
    /// Recomputed after a successful poll; kept as they were otherwise.
    growth: Option<FxHashMap<String, Arc<Growth>>>,
    latest: Option<Arc<[u8]>>,
}

impl LiveUpdate {
    /// The state after this poll, given the state before it.
    pub fn apply(self, before: Option<&LiveState>) -> LiveState {
        let before = before.filter(|b| b.source == self.source);
        let (growth, latest, previous) = match (self.latest, before) {
            (Some(latest), before) => {
                (self.growth.unwrap_or_default(), Some(latest), before.and_then(|b| b.latest.clone()))
            }
            (None, Some(b)) => (b.growth.clone(), b.latest.clone(), b.previous.clone()),
            (None, None) => (FxHashMap::default(), None, None),
        };
        LiveState {
            source: self.source,
            snapshots: self.snapshots,
            last: self.last,
            failing: self.failing,
            delta: self.delta,
            growth,
            latest,
            previous,
        }
    }
}

/// A poller for `source` if it is to be polled: a URL while
/// `refreshSeconds` is above 0.
pub fn poller_for(backend: &Backend, source: &ProfileSource) -> Result<Option<Poller>, String> {
    let config = backend.session.snapshot().config.clone();
    if !matches!(source, ProfileSource::Url(_)) || config.refresh_seconds == 0 {
        return Ok(None);
    }
    let options = LiveOptions {
        interval: std::time::Duration::from_secs(config.refresh_seconds),
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
) -> (Result<Loaded, String>, LiveUpdate) {
    // Growth follows the filters everything else shows.
    poller.set_filters(filters);
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
    };
    let fetched = match outcome {
        Outcome::Snapshot(fetched) => fetched,
        Outcome::Failed { error, .. } => return (Err(error), update),
    };
    let history = poller.history();
    let growth = history
        .sample_types()
        .iter()
        .filter(|t| is_state_type(&t.name))
        .filter_map(|t| history.growth(&t.name).ok().map(|g| (t.name.clone(), Arc::new(g))))
        .collect();
    let profile = Arc::new(fetched.profile);
    let source = poller.source().clone();
    let loaded = match base {
        // The fetched index is of the profile alone: compare it again.
        Some(base) => LoadedProfile::new(source, profile.clone(), Some(base)),
        None => Ok(LoadedProfile::from_index(source, profile.clone(), fetched.index)),
    };
    let loaded = match loaded {
        Ok(l) => l,
        Err(e) => return (Err(e), update),
    };
    let indexed = Instant::now();
    let paths = MappedView::build(&loaded.index, mapper, disk);
    update.growth = Some(growth);
    update.latest = Some(fetched.raw.clone());
    let done = Instant::now();
    (
        Ok(Loaded {
            profile: loaded,
            paths,
            bytes: fetched.raw.len(),
            read: polled - started,
            index: indexed - polled,
            map: done - indexed,
        }),
        update,
    )
}

/// Polls `poller`'s source in the background from now on, replacing any
/// other polling.
pub fn start(backend: &Backend, poller: Poller) {
    let id = TASKS.fetch_add(1, Ordering::Relaxed);
    let task_backend = backend.clone();
    let handle = tokio::spawn(async move { run(task_backend, id, poller).await });
    let previous = backend
        .session
        .live
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .replace(LiveTask { id, abort: handle.abort_handle() });
    if let Some(previous) = previous {
        previous.abort.abort();
    }
}

/// Stops polling.
pub fn stop(backend: &Backend) {
    if let Some(task) = backend.session.live.lock().unwrap_or_else(|e| e.into_inner()).take() {
        task.abort.abort();
    }
}

fn current(backend: &Backend, id: u64) -> bool {
    backend.session.live.lock().unwrap_or_else(|e| e.into_inner()).as_ref().is_some_and(|t| t.id == id)
}

async fn run(backend: Backend, id: u64, mut poller: Poller) {
    loop {
        tokio::time::sleep(poller.next_delay()).await;
        // Serialised with loads, so a refresh never races a load to publish.
        let one_at_a_time = backend.session.load_lock.lock().await;
        if !current(&backend, id) {
            return;
        }
        let snapshot = backend.session.snapshot();
        let (base, mapper, disk) = (snapshot.base.clone(), snapshot.mapper.clone(), backend.session.disk.clone());
        let filters = snapshot.filters.clone();
        let polled = tokio::task::spawn_blocking(move || {
            let (result, update) = poll(&mut poller, base, &filters, &mapper, &*disk);
            (poller, result, update)
        })
        .await;
        let Ok((returned, result, update)) = polled else { return };
        poller = returned;
        if !current(&backend, id) {
            return;
        }
        let source = poller.source().clone();
        match result {
            Ok(loaded) => {
                loader::install(&backend, &source, loaded, Some(update), &loader::LoadExtras::default());
                drop(one_at_a_time);
                backend.changed().await;
            }
            Err(error) => {
                tracing::warn!(source = %source, "refresh failed: {error}");
                backend.session.update(|s| s.live = Some(Arc::new(update.apply(s.live.as_deref()))));
                drop(one_at_a_time);
                backend.session.publish(&backend.client);
            }
        }
    }
}

/// The shown sample type's growth, when the shown profile is live and has
/// enough snapshots.
pub fn growth_of<'s>(snapshot: &'s Snapshot, view: &View) -> Option<&'s Growth> {
    let live = snapshot.live.as_deref().filter(|l| l.source == view.loaded().source)?;
    live.growth.get(&view.value_type().name).map(Arc::as_ref)
}

/// The growth of a source line (under any of the profile's spellings of
/// its file).
pub fn line_growth<'g>(growth: &'g Growth, view: &View, files: &[FileId], line: i64) -> Option<&'g GrowthRow> {
    files.iter().find_map(|&f| growth.line(view.index().file(f), line))
}

/// The growth row of a line when its flat grows past the threshold.
pub fn growing<'g>(snapshot: &Snapshot, growth: &'g Growth, view: &View, files: &[FileId], line: i64) -> Option<&'g GrowthRow> {
    line_growth(growth, view, files, line).filter(|row| snapshot.config.growth.passes(row.flat_per_minute, view.total()))
}
