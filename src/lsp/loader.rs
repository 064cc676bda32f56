//! Loading profiles off the request path: fetch, decode, index and map
//! paths on a blocking thread with `$/progress`, then swap the snapshot in
//! whole. A failed load leaves the previous profile in place and says why.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use notify::Watcher;
use tower_lsp_server::ls_types::{MessageType, NumberOrString};

use crate::analysis::{self, Index};
use crate::paths::PathMapper;
use crate::profile::{self, DecodeOptions};
use crate::source::discover::{self, DiscoverOptions};
use crate::source::load::{self, ProfileSource};
use crate::source::workspace::{self, ScanOptions};

use super::server::Backend;
use super::state::{LoadedProfile, MappedView};

/// How long a URL fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(60);

static PROGRESS_TOKENS: AtomicU64 = AtomicU64::new(1);

/// Progress reporting that degrades to nothing for clients without it.
struct Progress(Option<tower_lsp_server::OngoingProgress<tower_lsp_server::Unbounded, tower_lsp_server::NotCancellable>>);

impl Progress {
    async fn begin(backend: &Backend, title: &str, message: String) -> Progress {
        if !backend.session.caps().work_done_progress {
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

/// Loads `source` and makes it the active profile. On failure the previous
/// profile stays and the user is told why.
pub async fn load(backend: &Backend, source: ProfileSource) -> Result<(), String> {
    let _one_at_a_time = backend.session.load_lock.lock().await;
    let snapshot = backend.session.snapshot();
    let progress = Progress::begin(backend, "pprof", format!("loading {}", source.display_name())).await;
    let max_bytes = snapshot.config.max_profile_bytes;
    let mapper = snapshot.mapper.clone();
    let task_source = source.clone();
    progress.report("reading, decoding and indexing").await;
    let result = tokio::task::spawn_blocking(move || -> Result<(LoadedProfile, MappedView), String> {
        let bytes = load::fetch(&task_source, max_bytes, FETCH_TIMEOUT)?;
        let profile = profile::decode(&bytes, &DecodeOptions { max_decompressed_bytes: max_bytes, ..DecodeOptions::default() })
            .map_err(|e| format!("{task_source}: {e}"))?;
        let index = Index::build(&profile);
        let view = MappedView::build(&index, &mapper);
        Ok((LoadedProfile::new(task_source, profile, index), view))
    })
    .await
    .unwrap_or_else(|e| Err(format!("{source}: loading stopped: {e}")));

    let (loaded, view) = match result {
        Ok(ok) => ok,
        Err(reason) => {
            progress.finish("failed".into()).await;
            let keeping = match &snapshot.profile {
                Some(p) => format!(" Still showing {}.", p.source.display_name()),
                None => String::new(),
            };
            backend.client.show_message(MessageType::ERROR, format!("pprof: could not load {reason}.{keeping}")).await;
            return Err(reason);
        }
    };

    // Reloading the same source keeps the sample type the user is looking at.
    let shown = snapshot
        .profile
        .as_ref()
        .filter(|p| p.source == source)
        .and_then(|p| p.index.sample_types().get(snapshot.sample_type.0))
        .map(|t| t.name.clone());
    let wanted = shown.or_else(|| snapshot.config.sample_type.clone());
    let (sample_type, warning) = match analysis::select(&loaded.profile, wanted.as_deref()) {
        Ok(t) => (t, None),
        Err(e) => (analysis::select(&loaded.profile, None).unwrap_or(analysis::SampleType(0)), Some(e.to_string())),
    };
    let summary = summary(&loaded, &view, sample_type);
    let is_file = matches!(&loaded.source, ProfileSource::File(_));
    backend.session.update(|s| {
        s.profile = Some(Arc::new(loaded));
        s.view = Arc::new(view);
        s.sample_type = sample_type;
        if !s.available.contains(&source) {
            s.available.insert(0, source.clone());
        }
    });
    for mut doc in backend.session.documents.iter_mut() {
        doc.rebase();
    }
    if is_file && snapshot.config.watch {
        watch(backend, &source);
    }
    // `snapshot` is usually the last owner of the previous profile. Freeing
    // a large one takes a while (about 0.2 s at 1M samples), and every
    // request is polled on the server's one task, so dropping it here would
    // hold up every request in flight. Free it on a blocking thread.
    tokio::task::spawn_blocking(move || drop(snapshot));
    progress.finish(summary.clone()).await;
    remap_if_stale(backend).await;
    if let Some(w) = warning {
        backend.client.show_message(MessageType::WARNING, format!("pprof: {w}; showing the default instead")).await;
    }
    backend.client.log_message(MessageType::INFO, format!("pprof: {summary}")).await;
    backend.refresh().await;
    Ok(())
}

fn summary(loaded: &LoadedProfile, view: &MappedView, t: analysis::SampleType) -> String {
    let ty = &loaded.index.sample_types()[t.0];
    let unresolved = view.files.unresolved().count();
    format!(
        "loaded {}: {} samples, {} {} total, {} of {} files mapped",
        loaded.source.display_name(),
        loaded.profile.samples.len(),
        analysis::units::label(loaded.index.total(t), &ty.unit),
        ty.name,
        view.files.len() - unresolved,
        view.files.len()
    )
}

/// Rescans the workspace folders and rebuilds the path mapper (and the
/// current profile's file mapping) from the current settings.
pub async fn rescan(backend: &Backend) {
    let snapshot = backend.session.snapshot();
    let roots = backend.session.roots();
    let config = snapshot.config.clone();
    let profile = snapshot.profile.clone();
    let scanned_profile = profile.clone();
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
        let mapper = Arc::new(PathMapper::new(workspace::scan(&roots, &options), config.path_mappings.clone()));
        let view = profile.as_ref().map(|p| MappedView::build(&p.index, &mapper));
        (mapper, view)
    })
    .await;
    if let Ok((mapper, view)) = built {
        backend.session.update(|s| {
            let same_profile = match (&s.profile, &scanned_profile) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            };
            s.mapper = mapper;
            if let (Some(view), true) = (view, same_profile) {
                s.view = Arc::new(view);
            }
        });
    }
    remap_if_stale(backend).await;
}

/// Rebuilds the active profile's file mapping if the mapper changed after
/// the mapping was made (a load that finished during a rescan, or the
/// other way round).
async fn remap_if_stale(backend: &Backend) {
    loop {
        let snapshot = backend.session.snapshot();
        let Some(profile) = snapshot.profile.clone() else { return };
        let current = snapshot.view.mapper.as_ref().is_some_and(|m| Arc::ptr_eq(m, &snapshot.mapper));
        if current {
            return;
        }
        let mapper = snapshot.mapper.clone();
        let task_profile = profile.clone();
        let Ok(view) = tokio::task::spawn_blocking(move || MappedView::build(&task_profile.index, &mapper)).await else {
            return;
        };
        let mut swapped = false;
        backend.session.update(|s| {
            let unchanged = s.profile.as_ref().is_some_and(|p| Arc::ptr_eq(p, &profile))
                && view.mapper.as_ref().is_some_and(|m| Arc::ptr_eq(m, &s.mapper));
            if unchanged {
                s.view = Arc::new(view);
                swapped = true;
            }
        });
        if swapped {
            backend.refresh().await;
            return;
        }
    }
}

/// The profiles to offer, in order: the configured ones, else those found
/// in the workspace, newest first.
pub async fn available(backend: &Backend) -> Vec<ProfileSource> {
    let roots = backend.session.roots();
    let patterns = backend.session.snapshot().config.profiles.clone();
    tokio::task::spawn_blocking(move || {
        let options = DiscoverOptions::default();
        if patterns.is_empty() {
            discover::discover(&roots, &options).into_iter().map(|f| ProfileSource::File(f.path)).collect()
        } else {
            discover::expand(&patterns, &roots, &options)
        }
    })
    .await
    .unwrap_or_default()
}

/// Rescans, finds the profiles and loads the first.
pub async fn start(backend: &Backend) {
    rescan(backend).await;
    let sources = available(backend).await;
    backend.session.update(|s| s.available = sources.clone());
    match sources.first() {
        Some(first) => {
            let _ = load(backend, first.clone()).await;
        }
        None => {
            backend
                .client
                .log_message(MessageType::INFO, "pprof: no profile configured or found in the workspace; use pprof.load")
                .await;
        }
    }
}

/// Reloads the active profile whenever its file changes on disk.
fn watch(backend: &Backend, source: &ProfileSource) {
    let ProfileSource::File(path) = source else { return };
    let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
    let Some(dir) = path.parent().map(|d| d.to_path_buf()) else { return };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let watched = path.clone();
    let handler = move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            let relevant = event.paths.iter().any(|p| p == &watched)
                && (event.kind.is_modify() || event.kind.is_create());
            if relevant {
                let _ = tx.send(());
            }
        }
    };
    let Ok(mut watcher) = notify::recommended_watcher(handler) else { return };
    if watcher.watch(&dir, notify::RecursiveMode::NonRecursive).is_err() {
        return;
    }
    // Replacing the old watcher drops it, which stops its events.
    *backend.session.watcher.lock().unwrap_or_else(|e| e.into_inner()) = Some(watcher);
    let backend = backend.clone();
    let source = source.clone();
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Writers often touch a file several times; wait for quiet.
            tokio::time::sleep(Duration::from_millis(300)).await;
            while rx.try_recv().is_ok() {}
            let still_active =
                backend.session.snapshot().profile.as_ref().is_some_and(|p| p.source == source);
            if !still_active {
                break;
            }
            let _ = load(&backend, source.clone()).await;
        }
    });
}
