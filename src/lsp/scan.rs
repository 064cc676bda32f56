//! The workspace side of loading: scanning the folders into the path
//! mapper, finding the profiles to offer, and the start-up sequence
//! (scan, diff base, first profile).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use tower_lsp_server::ls_types::MessageType;

use crate::paths::PathMapper;
use crate::source::discover::{self, DiscoverOptions};
use crate::source::load::{MergedSource, ProfileSource};
use crate::source::workspace::{self, ScanOptions};

use super::config::{self, ProfileSetting};
use super::install::remap_if_stale;
use super::loader::{self, Trigger};
use super::protocol::ProfileOrigin;
use super::session::Handle;
use super::snapshot::{MappedView, Offered};

/// Rescans the workspace folders and rebuilds the path mapper (and the
/// shown profile's file mapping) from the current settings.
pub async fn rescan(handle: &Handle) {
    let snapshot = handle.session.snapshot();
    let roots = snapshot.roots.to_vec();
    let config = snapshot.config.clone();
    let view = snapshot.view.clone();
    let revision = view.as_ref().map(|v| snapshot.revision_input(&v.loaded().source, v.loaded().iterations.is_some()));
    let started = Instant::now();
    let disk = handle.session.disk.clone();
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
        let paths = view.as_ref().map(|v| {
            let revision = revision.clone().unwrap_or_default();
            Arc::new(MappedView::build(&v.loaded().profile, v.index(), &mapper, &*disk, &revision))
        });
        (mapper, paths, files)
    })
    .await;
    let Ok((mapper, paths, files)) = built else { return };
    tracing::info!(files, elapsed_ms = started.elapsed().as_millis() as u64, "workspace scanned");
    let (_, remapped) = handle.session.update(|s| {
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
        handle.changed().await;
    }
    remap_if_stale(handle).await;
}

/// The profiles to offer: the configured ones in their order, else those
/// found in the workspace, the one to load first at the front with the
/// reason it was chosen (see `discover::choose`).
pub async fn offered(handle: &Handle) -> Vec<Offered> {
    let snapshot = handle.session.snapshot();
    let roots = snapshot.roots.to_vec();
    let entries = snapshot.config.profiles.clone();
    let open_files = snapshot.documents.paths();
    let disk = handle.session.disk.clone();
    tokio::task::spawn_blocking(move || {
        let options = DiscoverOptions::default();
        if !entries.is_empty() {
            return config::expand_entries(&*disk, &entries, &roots, &options)
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

/// A merged source of `patterns` (paths, globs or URLs), expanded as the
/// `profiles` setting's entries are.
pub async fn merged_source(handle: &Handle, name: String, patterns: Vec<String>) -> ProfileSource {
    let roots = handle.session.snapshot().roots.to_vec();
    let disk = handle.session.disk.clone();
    let entry = ProfileSetting::Merge { name: name.clone(), merge: patterns, revision: None, binary: None };
    tokio::task::spawn_blocking(move || config::expand_entries(&*disk, &[entry], &roots, &DiscoverOptions::default()))
        .await
        .ok()
        .and_then(|mut sources| sources.pop())
        .unwrap_or_else(|| ProfileSource::Merged(Arc::new(MergedSource { name, parts: Vec::new() })))
}

/// Finds the profiles to offer and loads the first.
pub async fn load_offered(handle: &Handle) {
    let offered = offered(handle).await;
    let first = offered.first().map(|o| o.source.clone());
    handle.session.update(|s| {
        // Keep profiles loaded by hand on offer.
        let mut all = offered.clone();
        all.extend(s.offered.iter().filter(|o| o.origin == ProfileOrigin::Loaded && !offered.iter().any(|n| n.source == o.source)).cloned());
        s.offered = all.into();
    });
    handle.publish();
    match first {
        Some(first) => {
            let _ = loader::load(handle, first, Trigger::Server).await;
        }
        None => {
            tracing::info!("no profile configured or found in the workspace");
            handle
                .client
                .log_message(MessageType::INFO, "pprof: no profile configured or found in the workspace; use pprof.load")
                .await;
        }
    }
}

/// Rescans, finds the profiles and loads the first.
pub async fn start(handle: &Handle) {
    rescan(handle).await;
    if handle.session.snapshot().config.diff_base.is_some() {
        loader::apply_base_setting(handle).await;
    }
    load_offered(handle).await;
}
