//! The server's state: a mutable session that hands immutable snapshots to
//! request handlers. A handler clones the current `Arc<Snapshot>` and never
//! holds a lock across an `.await`; a load builds a new snapshot off the
//! request path and swaps it in whole.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use dashmap::DashMap;
use rustc_hash::FxHashMap;
use tower_lsp_server::ls_types::Uri;

use crate::analysis::{CallGraph, FileId, Index, SampleType};
use crate::paths::{MappedFiles, PathMapper};
use crate::profile::Profile;
use crate::source::load::ProfileSource;

use super::config::Config;
use super::convert::{self, Encoding};
use super::documents::Document;

/// A decoded and indexed profile.
pub struct LoadedProfile {
    pub source: ProfileSource,
    pub profile: Profile,
    pub index: Index,
    /// Built on first use: only call hierarchies and caller lists need it.
    calls: std::sync::OnceLock<CallGraph>,
}

impl LoadedProfile {
    pub fn new(source: ProfileSource, profile: Profile, index: Index) -> LoadedProfile {
        LoadedProfile { source, profile, index, calls: std::sync::OnceLock::new() }
    }

    pub fn calls(&self) -> &CallGraph {
        self.calls.get_or_init(|| CallGraph::build(&self.index, &[&self.profile]))
    }
}

/// Which profile files map to which local files, for one profile.
#[derive(Default)]
pub struct MappedView {
    /// The mapper this view was built with.
    pub mapper: Option<Arc<PathMapper>>,
    pub files: MappedFiles,
    /// Local path (slash form) → the profile's files that map to it.
    pub by_local: FxHashMap<String, Vec<FileId>>,
}

impl MappedView {
    pub fn build(index: &Index, mapper: &Arc<PathMapper>) -> MappedView {
        let names: Vec<&str> = index.files().iter().map(String::as_str).collect();
        let files = mapper.map_all(&names, &crate::source::fs::RealFs);
        let mut by_local: FxHashMap<String, Vec<FileId>> = FxHashMap::default();
        for id in index.file_ids() {
            if let Some(local) = files.local_for(index.file(id)) {
                by_local.entry(local.to_string()).or_default().push(id);
            }
        }
        MappedView { mapper: Some(mapper.clone()), files, by_local }
    }

    /// The profile files behind a local file.
    pub fn profile_files(&self, local: &str) -> &[FileId] {
        self.by_local.get(local).map_or(&[], Vec::as_slice)
    }
}

/// Everything a request needs, frozen at one moment.
#[derive(Clone)]
pub struct Snapshot {
    pub config: Config,
    pub profile: Option<Arc<LoadedProfile>>,
    pub sample_type: SampleType,
    pub view: Arc<MappedView>,
    pub mapper: Arc<PathMapper>,
    /// Annotations on (`pprof.toggle`).
    pub enabled: bool,
    /// Profiles found in the workspace or configured, newest first.
    pub available: Vec<ProfileSource>,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            config: Config::default(),
            profile: None,
            sample_type: SampleType(0),
            view: Arc::default(),
            mapper: Arc::new(PathMapper::new(Default::default(), Vec::new())),
            enabled: true,
            available: Vec::new(),
        }
    }
}

impl Snapshot {
    /// The loaded profile with its index, if annotations are on.
    pub fn active(&self) -> Option<&LoadedProfile> {
        self.profile.as_deref().filter(|_| self.enabled)
    }

    /// The profile files behind an open document.
    pub fn files_for(&self, uri: &Uri) -> &[FileId] {
        match convert::uri_to_path(uri) {
            Some(path) => self.view.profile_files(&convert::slash(&path)),
            None => &[],
        }
    }
}

/// What the client said it can do, fixed at `initialize`.
#[derive(Clone, Debug, Default)]
pub struct ClientCaps {
    pub encoding: Encoding,
    pub inlay_hint_refresh: bool,
    pub code_lens_refresh: bool,
    pub work_done_progress: bool,
    pub configuration: bool,
}

/// The mutable session.
#[derive(Default)]
pub struct Session {
    snapshot: RwLock<Arc<Snapshot>>,
    pub documents: DashMap<Uri, Document>,
    pub roots: RwLock<Vec<PathBuf>>,
    pub caps: RwLock<ClientCaps>,
    /// Serialises loads, so two reloads never race to swap the snapshot.
    pub load_lock: tokio::sync::Mutex<()>,
    pub watcher: Mutex<Option<notify::RecommendedWatcher>>,
}

impl Session {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Applies a change to the current snapshot atomically.
    pub fn update(&self, change: impl FnOnce(&mut Snapshot)) -> Arc<Snapshot> {
        let mut guard = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
        let mut next = Snapshot::clone(&guard);
        change(&mut next);
        let next = Arc::new(next);
        *guard = next.clone();
        next
    }

    pub fn caps(&self) -> ClientCaps {
        self.caps.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn roots(&self) -> Vec<PathBuf> {
        self.roots.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
