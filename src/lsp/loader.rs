//! Loading profiles off the request path: fetch, decode, index and map
//! paths on a blocking thread with `$/progress`, then publish the new view
//! and rebase the open documents in one swap. A failed load leaves the
//! previous profile in place and says why. Also rescans the workspace and
//! watches the loaded file.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::Watcher;
use tower_lsp_server::ls_types::{MessageType, NumberOrString};

use crate::paths::PathMapper;
use crate::profile::{self, DecodeOptions, Profile};
use crate::source::discover::{self, DiscoverOptions};
use crate::source::fs::Disk;
use crate::source::load::{self, ProfileSource};
use crate::source::workspace::{self, ScanOptions};

use super::protocol::ProfileOrigin;
use super::server::Backend;
use super::session::Watch;
use super::live::{self, LiveUpdate};
use super::snapshot::{Base, LoadedProfile, MappedView, Offered, Snapshot, View};

/// How long a URL fetch may take.
pub(super) const FETCH_TIMEOUT: Duration = Duration::from_secs(60);

static PROGRESS_TOKENS: AtomicU64 = AtomicU64::new(1);
static WATCHES: AtomicU64 = AtomicU64::new(1);

/// Progress reporting that degrades to nothing for clients without it.
struct Progress(Option<tower_lsp_server::OngoingProgress<tower_lsp_server::Unbounded, tower_lsp_server::NotCancellable>>);

impl Progress {
    async fn begin(backend: &Backend, title: &str, message: String) -> Progress {
        if !backend.session.snapshot().caps.work_done_progress {
            return Progress(None);
        }
        let token = NumberOrString::String(format!("pprof/{}", PROGRESS_TOKENS.fetch_add(1, Ordering::Relaxed)));
        if backend.client.create_work_done_progress(token.clone()).await.is_err() {
            return Progress(None);
        }
        Progress(Some(backend.client.progress(token, title).with_message(message).begin().await))
    }

    async fn report(&self, message: &str) {
        if let Some(p) = &self.0 {
            p.report(message).await;
        }
    }

    async fn finish(self, message: String) {
        if let Some(p) = self.0 {
            p.finish_with_message(message).await;
        }
    }
}

/// Progress with a cancel button; cancelling sets `cancel` (through the
/// client's `window/workDoneProgress/cancel`).
pub struct CancellableProgress {
    backend: Backend,
    token: Option<String>,
    ongoing: Option<tower_lsp_server::OngoingProgress<tower_lsp_server::Unbounded, tower_lsp_server::Cancellable>>,
}

impl CancellableProgress {
    pub async fn begin(backend: &Backend, title: &str, cancel: Arc<std::sync::atomic::AtomicBool>) -> CancellableProgress {
        let mut out = CancellableProgress { backend: backend.clone(), token: None, ongoing: None };
        if !backend.session.snapshot().caps.work_done_progress {
            return out;
        }
        let name = format!("pprof/{}", PROGRESS_TOKENS.fetch_add(1, Ordering::Relaxed));
        let token = NumberOrString::String(name.clone());
        if backend.client.create_work_done_progress(token.clone()).await.is_err() {
            return out;
        }
        backend.session.cancels.lock().unwrap_or_else(|e| e.into_inner()).insert(name.clone(), cancel);
        out.ongoing = Some(backend.client.progress(token, title).with_cancel_button().begin().await);
        out.token = Some(name);
        out
    }

    pub async fn finish(self, message: &str) {
        if let Some(token) = &self.token {
            self.backend.session.cancels.lock().unwrap_or_else(|e| e.into_inner()).remove(token);
        }
        if let Some(p) = self.ongoing {
            p.finish_with_message(message.to_string()).await;
        }
    }
}

/// What one load read and how long each step took, for the log.
pub(super) struct Loaded {
    pub(super) profile: LoadedProfile,
    pub(super) paths: MappedView,
    pub(super) bytes: usize,
    pub(super) read: Duration,
    pub(super) index: Duration,
    pub(super) map: Duration,
}

/// Reads and decodes a profile.
pub(super) fn read_decode(source: &ProfileSource, max_bytes: u64) -> Result<(Profile, usize), String> {
    let bytes = load::fetch(source, max_bytes, FETCH_TIMEOUT)?;
    let profile = profile::decode(&bytes, &DecodeOptions { max_decompressed_bytes: max_bytes, ..DecodeOptions::default() })
        .map_err(|e| format!("{source}: {e}"))?;
    Ok((profile, bytes.len()))
}

fn read_decode_index(
    source: &ProfileSource,
    max_bytes: u64,
    mapper: &Arc<PathMapper>,
    base: Option<Arc<Base>>,
    iterations: Option<u64>,
    disk: &dyn Disk,
) -> Result<Loaded, String> {
    let started = Instant::now();
    let (profile, bytes) = read_decode(source, max_bytes)?;
    let decoded = Instant::now();
    let loaded = match iterations {
        Some(n) => LoadedProfile::of_run(source.clone(), Arc::new(profile), n, base)?,
        None => LoadedProfile::new(source.clone(), Arc::new(profile), base)?,
    };
    let indexed = Instant::now();
    let paths = MappedView::build(&loaded.index, mapper, disk);
    let mapped = Instant::now();
    Ok(Loaded {
        profile: loaded,
        paths,
        bytes,
        read: decoded - started,
        index: indexed - decoded,
        map: mapped - indexed,
    })
}

/// Who asked for a load, which decides who tells the user when it fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// A command: its error response says why.
    Command,
    /// The server itself (start, settings, a changed file): a message does.
    Server,
}

/// Loads `source` and makes it the shown profile. On failure the previous
/// profile stays and the error says why, and what is still shown. A URL
/// with `refreshSeconds` above 0 becomes a live source: the first poll is
/// this load, and polling goes on in the background (`live.rs`).
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

pub async fn load(backend: &Backend, source: ProfileSource, trigger: Trigger) -> Result<(), String> {
    load_with(backend, source, trigger, LoadExtras::default()).await
}

/// [`load`], with what a benchmark run adds.
pub async fn load_with(backend: &Backend, source: ProfileSource, trigger: Trigger, extras: LoadExtras) -> Result<(), String> {
    // Whatever was polled before is not shown any more.
    live::stop(backend);
    let poller = live::poller_for(backend, &source)?;
    backend.session.update(|s| s.activity.loading.push(source.clone()));
    backend.session.publish(&backend.client);
    let one_at_a_time = backend.session.load_lock.lock().await;
    let snapshot = backend.session.snapshot();
    let progress = Progress::begin(backend, "pprof", format!("loading {}", source.display_name())).await;
    let max_bytes = snapshot.config.max_profile_bytes;
    let mapper = snapshot.mapper.clone();
    let base = match &extras.base {
        Some(base) => base.clone(),
        None => snapshot.base.clone(),
    };
    let iterations = extras.iterations;
    let filters = snapshot.filters.clone();
    let task_source = source.clone();
    progress.report("reading, decoding and indexing").await;
    let started = Instant::now();
    let disk = backend.session.disk.clone();
    let read = tokio::task::spawn_blocking(move || match poller {
        None => (read_decode_index(&task_source, max_bytes, &mapper, base, iterations, &*disk), None),
        Some(mut poller) => {
            let (result, state) = live::poll(&mut poller, base, &filters, &mapper, &*disk);
            (result, Some((poller, state)))
        }
    })
    .await;
    let (result, live) = read.unwrap_or_else(|e| (Err(format!("{source}: loading stopped: {e}")), None));
    let (poller, live_update) = match live {
        Some((poller, update)) => (Some(poller), Some(update)),
        None => (None, None),
    };

    let loaded = match result {
        Ok(loaded) => loaded,
        Err(reason) => {
            tracing::warn!(source = %source, elapsed_ms = started.elapsed().as_millis() as u64, "load failed: {reason}");
            let (snapshot, ()) = backend.session.update(|s| {
                done_loading(s, &source);
                s.activity.error = Some(reason.clone());
                if let Some(update) = live_update {
                    s.live = Some(Arc::new(update.apply(s.live.as_deref())));
                }
            });
            drop(one_at_a_time);
            // A live source that is down now may come up: keep polling it.
            if let Some(poller) = poller {
                live::start(backend, poller);
            }
            backend.session.publish(&backend.client);
            progress.finish("failed".into()).await;
            let keeping = match &snapshot.view {
                Some(v) => format!(" Still showing {}.", v.loaded().source.display_name()),
                None => String::new(),
            };
            let message = format!("could not load {reason}.{keeping}");
            if trigger == Trigger::Server {
                backend.client.show_message(MessageType::ERROR, format!("pprof: {message}")).await;
            }
            return Err(message);
        }
    };
    let (now, problem) = install(backend, &source, loaded, live_update, &extras);
    drop(one_at_a_time);
    if let Some(poller) = poller {
        live::start(backend, poller);
    }
    if matches!(source, ProfileSource::File(_)) && now.config.watch {
        watch(backend, &source);
    }
    let summary = super::status::of(&now).summary;
    progress.finish(summary.clone()).await;
    remap_if_stale(backend).await;
    backend.changed().await;
    if let Some(problem) = problem {
        backend.client.show_message(MessageType::WARNING, format!("pprof: {problem}; showing the default instead")).await;
    }
    backend.client.log_message(MessageType::INFO, format!("pprof: loaded {summary}")).await;
    Ok(())
}

fn done_loading(s: &mut Snapshot, source: &ProfileSource) {
    if let Some(i) = s.activity.loading.iter().position(|l| l == source) {
        s.activity.loading.remove(i);
    }
}

/// Publishes a loaded profile: the new view (keeping the sample type on
/// screen when the same source is loaded again), the rebased documents and,
/// for a live source, its state, in one swap. Call with the load lock held.
pub(super) fn install(
    backend: &Backend,
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
    let (profile, paths) = (Arc::new(loaded.profile), Arc::new(loaded.paths));
    // The filters cannot change meanwhile: setting them takes the load lock.
    let filters = backend.session.snapshot().filters.clone();
    let profile = profile.with_filters(&filters).unwrap_or_else(|e| {
        tracing::warn!("filters not applied: {e}");
        profile.clone()
    });
    let (now, (previous, problem)) = backend.session.update(|s| {
        // Reloading the shown source keeps the sample type on screen;
        // anything else starts from the setting.
        let wanted = match &s.view {
            _ if extras.sample_type.is_some() => extras.sample_type.clone(),
            Some(v) if &v.loaded().source == source => Some(v.value_type().name.clone()),
            _ => s.config.sample_type.clone(),
        };
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

/// Rescans the workspace folders and rebuilds the path mapper (and the
/// shown profile's file mapping) from the current settings.
pub async fn rescan(backend: &Backend) {
    let snapshot = backend.session.snapshot();
    let roots = snapshot.roots.to_vec();
    let config = snapshot.config.clone();
    let view = snapshot.view.clone();
    let started = Instant::now();
    let disk = backend.session.disk.clone();
    let built = tokio::task::spawn_blocking(move || {
        let first_root = roots.first().cloned();
        let resolve = |p: &str| -> PathBuf {
            let p = PathBuf::from(p);
            match &first_root {
                Some(root) if p.is_relative() => root.join(p),
                _ => p,
            }
        };
        let options = ScanOptions {
            goroot: config.goroot.as_deref().map(resolve),
            source_paths: config.source_paths.iter().map(|p| resolve(p)).collect(),
            ..ScanOptions::default()
        };
        let ws = workspace::scan_with(&*disk, &roots, &options);
        let files: usize = ws.roots.iter().map(|r| r.files.len()).sum();
        let mapper = Arc::new(PathMapper::new(ws, config.path_mappings.clone()));
        let paths = view.as_ref().map(|v| Arc::new(MappedView::build(v.index(), &mapper, &*disk)));
        (mapper, paths, files)
    })
    .await;
    let Ok((mapper, paths, files)) = built else { return };
    tracing::info!(files, elapsed_ms = started.elapsed().as_millis() as u64, "workspace scanned");
    let (_, remapped) = backend.session.update(|s| {
        s.mapper = mapper;
        match (paths, &s.view, &snapshot.view) {
            (Some(paths), Some(current), Some(scanned)) if Arc::ptr_eq(current, scanned) => {
                s.view = Some(Arc::new(current.with_paths(paths)));
                true
            }
            _ => false,
        }
    });
    if remapped {
        backend.changed().await;
    }
    remap_if_stale(backend).await;
}

/// Rebuilds the shown profile's file mapping if the mapper changed after
/// the mapping was made (a load that finished during a rescan, or the
/// other way round).
async fn remap_if_stale(backend: &Backend) {
    loop {
        let snapshot = backend.session.snapshot();
        let Some(view) = snapshot.view.clone() else { return };
        if view.paths().built_with(&snapshot.mapper) {
            return;
        }
        let mapper = snapshot.mapper.clone();
        let task_view = view.clone();
        let disk = backend.session.disk.clone();
        let Ok(paths) = tokio::task::spawn_blocking(move || MappedView::build(task_view.index(), &mapper, &*disk)).await else {
            return;
        };
        let (_, swapped) = backend.session.update(|s| {
            let unchanged = s.view.as_ref().is_some_and(|v| Arc::ptr_eq(v, &view)) && paths.built_with(&s.mapper);
            if unchanged {
                s.view = Some(Arc::new(view.with_paths(Arc::new(paths))));
            }
            unchanged
        });
        if swapped {
            backend.changed().await;
            return;
        }
    }
}

/// The profiles to offer: the configured ones in their order, else those
/// found in the workspace, the one to load first at the front with the
/// reason it was chosen (see `discover::choose`).
pub async fn offered(backend: &Backend) -> Vec<Offered> {
    let snapshot = backend.session.snapshot();
    let roots = snapshot.roots.to_vec();
    let patterns = snapshot.config.profiles.clone();
    let open_files = snapshot.documents.paths();
    let disk = backend.session.disk.clone();
    tokio::task::spawn_blocking(move || {
        let options = DiscoverOptions::default();
        if !patterns.is_empty() {
            return discover::expand_with(&*disk, &patterns, &roots, &options)
                .into_iter()
                .enumerate()
                .map(|(i, source)| Offered {
                    source,
                    origin: ProfileOrigin::Configured,
                    reason: (i == 0).then(|| "the first entry of the profiles setting".to_string()),
                })
                .collect();
        }
        let found = discover::discover_with(&*disk, &roots, &options);
        let choice = discover::choose(&found, &open_files);
        let mut offered: Vec<Offered> = found
            .into_iter()
            .map(|f| Offered { source: ProfileSource::File(f.path), origin: ProfileOrigin::Discovered, reason: None })
            .collect();
        if let Some(choice) = choice {
            let mut chosen = offered.remove(choice.index);
            chosen.reason = Some(choice.reason.to_string());
            offered.insert(0, chosen);
        }
        offered
    })
    .await
    .unwrap_or_default()
}

/// Finds the profiles to offer and loads the first.
pub async fn load_offered(backend: &Backend) {
    let offered = offered(backend).await;
    let first = offered.first().map(|o| o.source.clone());
    backend.session.update(|s| {
        // Keep profiles loaded by hand on offer.
        let mut all = offered.clone();
        all.extend(s.offered.iter().filter(|o| o.origin == ProfileOrigin::Loaded && !offered.iter().any(|n| n.source == o.source)).cloned());
        s.offered = all.into();
    });
    backend.session.publish(&backend.client);
    match first {
        Some(first) => {
            let _ = load(backend, first, Trigger::Server).await;
        }
        None => {
            tracing::info!("no profile configured or found in the workspace");
            backend
                .client
                .log_message(MessageType::INFO, "pprof: no profile configured or found in the workspace; use pprof.load")
                .await;
        }
    }
}

/// Rescans, finds the profiles and loads the first.
pub async fn start(backend: &Backend) {
    rescan(backend).await;
    if backend.session.snapshot().config.diff_base.is_some() {
        apply_base_setting(backend).await;
    }
    load_offered(backend).await;
}

/// Sets the base the `diffBase` setting names (or clears it), telling the
/// user if it cannot be read.
pub async fn apply_base_setting(backend: &Backend) {
    let setting = backend.session.snapshot().config.diff_base.clone();
    let target = setting.map(|t| BaseTarget::Read(source_in_workspace(backend, &t)));
    if let Err(e) = set_base(backend, target).await {
        backend.client.show_message(MessageType::ERROR, format!("pprof: diffBase: {e}")).await;
    }
}

/// Watches the shown profile's file (if it is one and `watch` is on).
pub fn watch_shown(backend: &Backend) {
    let snapshot = backend.session.snapshot();
    if let Some(view) = &snapshot.view {
        if snapshot.config.watch {
            watch(backend, &view.loaded().source);
        }
    }
}

/// Reloads the shown profile whenever its file changes on disk.
fn watch(backend: &Backend, source: &ProfileSource) {
    let ProfileSource::File(path) = source else { return };
    let mut slot = backend.session.watch.lock().unwrap_or_else(|e| e.into_inner());
    if slot.as_ref().is_some_and(|w| &w.source == source) {
        return;
    }
    let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
    let Some(dir) = path.parent().map(|d| d.to_path_buf()) else { return };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let watched = path.clone();
    let handler = move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            let relevant = event.paths.iter().any(|p| p == &watched) && (event.kind.is_modify() || event.kind.is_create());
            if relevant {
                let _ = tx.send(());
            }
        }
    };
    let Ok(mut watcher) = notify::recommended_watcher(handler) else { return };
    if let Err(e) = watcher.watch(&dir, notify::RecursiveMode::NonRecursive) {
        tracing::warn!(path = %path.display(), "cannot watch: {e}");
        return;
    }
    // Replacing the old watcher drops it, which ends its events and task.
    let id = WATCHES.fetch_add(1, Ordering::Relaxed);
    *slot = Some(Watch { id, source: source.clone(), _watcher: watcher });
    drop(slot);
    let backend = backend.clone();
    let source = source.clone();
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Writers often touch a file several times; wait for quiet.
            tokio::time::sleep(Duration::from_millis(300)).await;
            while rx.try_recv().is_ok() {}
            let snapshot = backend.session.snapshot();
            let still_shown = snapshot.view.as_ref().is_some_and(|v| v.loaded().source == source);
            if !still_shown || !snapshot.config.watch {
                break;
            }
            tracing::info!(source = %source, "changed on disk; reloading");
            let _ = load(&backend, source.clone(), Trigger::Server).await;
        }
        // Whoever shows this file again must be able to watch it anew.
        let mut slot = backend.session.watch.lock().unwrap_or_else(|e| e.into_inner());
        if slot.as_ref().is_some_and(|w| w.id == id) {
            slot.take();
        }
    });
}

/// Stops watching.
pub fn unwatch(backend: &Backend) {
    backend.session.watch.lock().unwrap_or_else(|e| e.into_inner()).take();
}

/// What to compare with.
pub enum BaseTarget {
    /// A profile to read.
    Read(ProfileSource),
    /// One at hand (such as a live source's previous snapshot).
    Given(Arc<Base>),
}

/// Sets (or, with `None`, clears) the profile every load is compared with,
/// and re-indexes the shown profile against it. On failure nothing changes.
pub async fn set_base(backend: &Backend, target: Option<BaseTarget>) -> Result<(), String> {
    let one_at_a_time = backend.session.load_lock.lock().await;
    let snapshot = backend.session.snapshot();
    let max_bytes = snapshot.config.max_profile_bytes;
    let mapper = snapshot.mapper.clone();
    let shown = snapshot.view.clone();
    let filters = snapshot.filters.clone();
    let progress = match &target {
        Some(BaseTarget::Read(t)) => Some(Progress::begin(backend, "pprof", format!("comparing with {}", t.display_name())).await),
        _ => None,
    };
    let started = Instant::now();
    let disk = backend.session.disk.clone();
    let task = tokio::task::spawn_blocking(move || -> Result<_, String> {
        let base = match target {
            None => None,
            Some(BaseTarget::Given(base)) => Some(base),
            Some(BaseTarget::Read(source)) => {
                let (profile, _) = read_decode(&source, max_bytes)?;
                Some(Arc::new(Base { name: source.display_name(), source, profile: Arc::new(profile), iterations: None }))
            }
        };
        let reindexed = match &shown {
            None => None,
            Some(view) => {
                let loaded = view.loaded().unfiltered();
                let again = match loaded.iterations {
                    Some(n) => LoadedProfile::of_run(loaded.source.clone(), loaded.profile.clone(), n, base.clone())?,
                    None => LoadedProfile::new(loaded.source.clone(), loaded.profile.clone(), base.clone())?,
                };
                let paths = MappedView::build(&again.index, &mapper, &*disk);
                let again = Arc::new(again).with_filters(&filters).map_err(|e| e.to_string())?;
                Some((view.clone(), again, paths))
            }
        };
        Ok((base, reindexed))
    });
    let result = task.await.unwrap_or_else(|e| Err(format!("comparing stopped: {e}")));
    if let Some(p) = progress {
        p.finish(if result.is_ok() { "compared".into() } else { "failed".into() }).await;
    }
    let (base, reindexed) = result.inspect_err(|e| tracing::warn!("diff base not set: {e}"))?;
    tracing::info!(base = ?base.as_ref().map(|b| b.source.to_string()), elapsed_ms = started.elapsed().as_millis() as u64, "diff base set");
    backend.session.update(|s| {
        s.base = base;
        if let Some((was, loaded, paths)) = reindexed {
            if s.view.as_ref().is_some_and(|v| Arc::ptr_eq(v, &was)) {
                let (view, _) = View::new(loaded, Arc::new(paths), Some(&was.value_type().name));
                s.view = Some(Arc::new(view.with_per_op(s.per_op)));
            }
        }
    });
    drop(one_at_a_time);
    remap_if_stale(backend).await;
    backend.changed().await;
    Ok(())
}

/// A profile named by a setting or command: a URL, or a path relative to
/// the first workspace folder.
pub fn source_in_workspace(backend: &Backend, target: &str) -> ProfileSource {
    match ProfileSource::parse(target) {
        ProfileSource::File(p) if p.is_relative() => match backend.session.snapshot().roots.first() {
            Some(root) => ProfileSource::File(root.join(p)),
            None => ProfileSource::File(p),
        },
        other => other,
    }
}
