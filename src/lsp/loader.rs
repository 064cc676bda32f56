//! Loading profiles off the request path: fetch, decode, index and map
//! paths on a blocking thread with `$/progress`, then publish through
//! `install`. A failed load leaves the previous profile in place and says
//! why. Also watches the loaded file, and sets the diff base (re-indexing
//! the shown profile against it). Starts and stops a live source's polling
//! (`live`), which never calls back into this module.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::Watcher;
use tower_lsp_server::ls_types::MessageType;

use crate::analysis::{Filters, SampleType};
use crate::paths::PathMapper;
use crate::profile::{self, DecodeOptions, Profile};
use crate::source::fs::Disk;
use crate::source::load::{self, ProfileSource};
use crate::source::merged;

use super::install::{self, done_loading, remap_if_stale, LoadExtras, Loaded, FETCH_TIMEOUT};
use super::live;
use super::progress::Progress;
use super::session::{Handle, Watch};
use super::snapshot::{Base, LoadedProfile, MappedView, RevisionInput, Snapshot, View};
use super::status;

static WATCHES: AtomicU64 = AtomicU64::new(1);

/// Reads and decodes a profile.
pub fn read_decode(source: &ProfileSource, max_bytes: u64) -> Result<(Profile, usize), String> {
    if let ProfileSource::Merged(_) = source {
        return merged::read_profile(source, max_bytes).map(|p| (p, 0));
    }
    let bytes = load::fetch(source, max_bytes, FETCH_TIMEOUT)?;
    let size = bytes.len();
    let profile = profile::decode_owned(bytes, &DecodeOptions { max_decompressed_bytes: max_bytes, ..DecodeOptions::default() })
        .map_err(|e| load::describe(source, &e))?;
    Ok((profile, size))
}

/// How a load maps the profile's files and lines onto this machine.
struct Mapping<'a> {
    mapper: &'a Arc<PathMapper>,
    disk: &'a dyn Disk,
    revision: &'a RevisionInput,
}

fn read_decode_index(
    source: &ProfileSource,
    max_bytes: u64,
    base: Option<Arc<Base>>,
    iterations: Option<u64>,
    shown: Option<&str>,
    filters: &Filters,
    mapping: Mapping,
) -> Result<Loaded, String> {
    let Mapping { mapper, disk, revision } = mapping;
    let started = Instant::now();
    let with_labels = live::fleet_revision(source, revision);
    let revision = with_labels.as_ref().unwrap_or(revision);
    let (profile, bytes, parts, left_out) = match source {
        ProfileSource::Merged(m) => {
            let read = merged::read_merged_parts(&m.parts, max_bytes).map_err(|e| format!("{}: {e}", m.name))?;
            (read.profile, 0, read.parts, read.failures)
        }
        _ => {
            let (profile, bytes) = read_decode(source, max_bytes)?;
            (profile, bytes, Vec::new(), Vec::new())
        }
    };
    let base = revision.align(base, &profile, mapper, disk);
    let decoded = Instant::now();
    let mut loaded = match iterations {
        Some(n) => LoadedProfile::of_run(source.clone(), Arc::new(profile), n, base, shown)?,
        None => LoadedProfile::new(source.clone(), Arc::new(profile), base, shown)?,
    };
    loaded.goroutine_detail = install::goroutine_dump(source, max_bytes);
    loaded.parts = parts.into();
    loaded.left_out = left_out;
    let indexed = Instant::now();
    let paths = MappedView::build(&loaded.profile, &loaded.index, mapper, disk, revision);
    let mapped = Instant::now();
    // Filtering indexes again: its time counts as indexing.
    let profile = install::filtered(loaded, filters)?;
    let filtered = Instant::now();
    Ok(Loaded {
        profile,
        paths,
        bytes,
        read: decoded - started,
        index: (indexed - decoded) + (filtered - mapped),
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
pub async fn load(handle: &Handle, source: ProfileSource, trigger: Trigger) -> Result<(), String> {
    load_with(handle, source, trigger, LoadExtras::default()).await
}

/// [`load`], with what a benchmark run adds.
pub async fn load_with(handle: &Handle, source: ProfileSource, trigger: Trigger, extras: LoadExtras) -> Result<(), String> {
    // A live source shown now keeps being polled until this load replaces
    // it; if this load fails, it is still what is shown.
    let poller = live::poller_for(handle, &source)?;
    handle.session.update(|s| s.activity.loading.push(source.clone()));
    handle.publish();
    let one_at_a_time = handle.session.load_lock.lock().await;
    let snapshot = handle.session.snapshot();
    let progress = Progress::begin(handle, "pprof", format!("loading {}", source.display_name())).await;
    let max_bytes = snapshot.config.max_profile_bytes;
    let mapper = snapshot.mapper.clone();
    let base = match &extras.base {
        Some(base) => base.clone(),
        None => snapshot.base.clone(),
    };
    let iterations = extras.iterations;
    let shown = install::wanted_type(&snapshot, &source, &extras);
    let filters = snapshot.filters.clone();
    let revision = snapshot.revision_input(&source, iterations.is_some());
    let task_source = source.clone();
    progress.report("reading, decoding and indexing").await;
    let started = Instant::now();
    let disk = handle.session.disk.clone();
    let read = tokio::task::spawn_blocking(move || match poller {
        None => {
            let mapping = Mapping { mapper: &mapper, disk: &*disk, revision: &revision };
            (read_decode_index(&task_source, max_bytes, base, iterations, shown.as_deref(), &filters, mapping), None)
        }
        Some(mut poller) => {
            let (result, state) = live::poll(&mut poller, base, &filters, &mapper, &*disk, &revision);
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
            let (snapshot, ()) = handle.session.update(|s| {
                done_loading(s, &source);
                s.activity.error = Some(reason.clone());
                if let Some(update) = live_update {
                    s.live = Some(Arc::new(update.apply(s.live.as_deref())));
                }
            });
            // A live source that is down now may come up: keep polling it
            // (in place of the one before, under the lock, so that one
            // cannot publish again).
            if let Some(poller) = poller {
                live::start(handle, poller);
            }
            drop(one_at_a_time);
            handle.publish();
            progress.finish("failed".into()).await;
            let keeping = match &snapshot.view {
                Some(v) => format!(" Still showing {}.", v.loaded().source.display_name()),
                None => String::new(),
            };
            let message = format!("could not load {reason}.{keeping}");
            if trigger == Trigger::Server {
                handle.client.show_message(MessageType::ERROR, format!("pprof: {message}")).await;
            }
            return Err(message);
        }
    };
    let (now, problem) = install::install(handle, &source, loaded, live_update, &extras);
    // The source polled before is not shown any more. Stopped or replaced
    // under the lock: its task checks that it is current once it has the
    // lock, so it cannot publish over this load.
    match poller {
        Some(poller) => live::start(handle, poller),
        None => live::stop(handle),
    }
    drop(one_at_a_time);
    if matches!(source, ProfileSource::File(_)) && now.config.watch {
        watch(handle, &source);
    }
    let summary = status::of(&now).summary;
    progress.finish(summary.clone()).await;
    remap_if_stale(handle).await;
    handle.changed().await;
    index_other_types(handle, &now);
    if let Some(problem) = problem {
        handle.client.show_message(MessageType::WARNING, format!("pprof: {problem}; showing the default instead")).await;
    }
    handle.client.log_message(MessageType::INFO, format!("pprof: loaded {summary}")).await;
    Ok(())
}

/// Walks the shown profile's other sample types in the background (a load
/// walks the shown one only), so that a switch of sample type or a hover's
/// rows of other types find them ready.
fn index_other_types(handle: &Handle, now: &Snapshot) {
    let Some(view) = &now.view else { return };
    let loaded = view.loaded().clone();
    let index = &loaded.index;
    if (0..index.sample_types().len()).all(|t| index.is_built(SampleType(t))) {
        return;
    }
    let handle = handle.clone();
    tokio::spawn(async move {
        let progress = Progress::begin(&handle, "pprof", "indexing the other sample types".into()).await;
        let started = Instant::now();
        let _ = tokio::task::spawn_blocking(move || loaded.index.build_rest()).await;
        tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "other sample types indexed");
        progress.finish("every sample type indexed".into()).await;
    });
}

/// Watches the shown profile's file (if it is one and `watch` is on).
pub fn watch_shown(handle: &Handle) {
    let snapshot = handle.session.snapshot();
    if let Some(view) = &snapshot.view {
        if snapshot.config.watch {
            watch(handle, &view.loaded().source);
        }
    }
}

/// Reloads the shown profile whenever its file changes on disk.
fn watch(handle: &Handle, source: &ProfileSource) {
    let ProfileSource::File(path) = source else { return };
    let mut slot = handle.session.watch.lock().unwrap_or_else(|e| e.into_inner());
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
    let handle = handle.clone();
    let source = source.clone();
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Writers often touch a file several times; wait for quiet.
            tokio::time::sleep(Duration::from_millis(300)).await;
            while rx.try_recv().is_ok() {}
            let snapshot = handle.session.snapshot();
            let still_shown = snapshot.view.as_ref().is_some_and(|v| v.loaded().source == source);
            if !still_shown || !snapshot.config.watch {
                break;
            }
            tracing::info!(source = %source, "changed on disk; reloading");
            let _ = load(&handle, source.clone(), Trigger::Server).await;
        }
        // Whoever shows this file again must be able to watch it anew.
        let mut slot = handle.session.watch.lock().unwrap_or_else(|e| e.into_inner());
        if slot.as_ref().is_some_and(|w| w.id == id) {
            slot.take();
        }
    });
}

/// Stops watching.
pub fn unwatch(handle: &Handle) {
    handle.session.watch.lock().unwrap_or_else(|e| e.into_inner()).take();
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
pub async fn set_base(handle: &Handle, target: Option<BaseTarget>) -> Result<(), String> {
    let one_at_a_time = handle.session.load_lock.lock().await;
    let snapshot = handle.session.snapshot();
    let max_bytes = snapshot.config.max_profile_bytes;
    let mapper = snapshot.mapper.clone();
    let shown = snapshot.view.clone();
    let filters = snapshot.filters.clone();
    let revision = shown.as_ref().map(|v| snapshot.revision_input(&v.loaded().source, v.loaded().iterations.is_some()));
    // A base read from a file or URL is mapped with its own revision.
    let base_input = match &target {
        Some(BaseTarget::Read(source)) => Some(snapshot.base_input(source)),
        _ => None,
    };
    let progress = match &target {
        Some(BaseTarget::Read(t)) => Some(Progress::begin(handle, "pprof", format!("comparing with {}", t.display_name())).await),
        _ => None,
    };
    let started = Instant::now();
    let disk = handle.session.disk.clone();
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
                let aligned = match (&base, &revision, &base_input) {
                    (Some(b), Some(shown_input), Some(base_input)) => Some(b.aligned_to(&loaded.profile, shown_input, base_input, &mapper, &*disk)),
                    _ => base.clone(),
                };
                let shown = Some(view.value_type().name.as_str());
                let again = match loaded.iterations {
                    Some(n) => LoadedProfile::of_run(loaded.source.clone(), loaded.profile.clone(), n, aligned, shown)?,
                    None => LoadedProfile::new(loaded.source.clone(), loaded.profile.clone(), aligned, shown)?,
                };
                let paths = MappedView::build(&again.profile, &again.index, &mapper, &*disk, &revision.clone().unwrap_or_default());
                let again = install::filtered(again, &filters)?;
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
    handle.session.update(|s| {
        s.base = base;
        if let Some((was, loaded, paths)) = reindexed {
            if s.view.as_ref().is_some_and(|v| Arc::ptr_eq(v, &was)) {
                let (view, _) = View::new(loaded, Arc::new(paths), Some(&was.value_type().name));
                s.view = Some(Arc::new(view.with_per_op(s.per_op)));
            }
        }
    });
    drop(one_at_a_time);
    remap_if_stale(handle).await;
    handle.changed().await;
    Ok(())
}

/// Sets the base the `diffBase` setting names (or clears it), telling the
/// user if it cannot be read.
pub async fn apply_base_setting(handle: &Handle) {
    let setting = handle.session.snapshot().config.diff_base.clone();
    let target = setting.map(|t| BaseTarget::Read(source_in_workspace(handle, &t)));
    if let Err(e) = set_base(handle, target).await {
        handle.client.show_message(MessageType::ERROR, format!("pprof: diffBase: {e}")).await;
    }
}

/// A profile named by a setting or command: a URL, or a path relative to
/// the first workspace folder.
pub fn source_in_workspace(handle: &Handle, target: &str) -> ProfileSource {
    match ProfileSource::parse(target) {
        ProfileSource::File(p) if p.is_relative() => match handle.session.snapshot().roots.first() {
            Some(root) => ProfileSource::File(root.join(p)),
            None => ProfileSource::File(p),
        },
        other => other,
    }
}
