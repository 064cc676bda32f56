//! Immutable snapshots of the server's state. A request handler gets one
//! `Snapshot` and sees the same configuration, documents and profile view
//! from start to end; whatever changes meanwhile makes a new snapshot.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use dashmap::DashMap;
use rustc_hash::FxHashMap;
use tower_lsp_server::ls_types::Uri;

use crate::paths::{FileExists, LineMap, LocalPath, MappedFiles, NoFiles, PathMapper, Resolution};
use crate::analysis::filter::{self, FilterError, FilterNote, Filters};
use crate::analysis::stacks::{Stack, StackIndex};
use crate::analysis::leaks::{self, Goroutines};
use crate::analysis::{self, per_op, CallGraph, FileId, Growth, GrowthRow, Index, LineId, SampleType, SelectError};
use crate::profile::{Profile, ValueType};
use crate::report::labels::Scale;
use crate::source::load::ProfileSource;
use crate::source::replicas::Part;
use crate::source::revision;

use super::config::{Config, ProfileSetting, SettingError};
use super::convert::{self, Encoding};
use super::documents::Document;
use super::live_state::LiveState;
use super::runs::Runs;
use super::protocol::ProfileOrigin;

/// A profile whose values are subtracted from the shown one's, as
/// `go tool pprof -diff_base` does.
pub struct Base {
    pub source: ProfileSource,
    /// How the status names it.
    pub name: String,
    pub profile: Arc<Profile>,
    /// The iterations of the benchmark run it is from, if it is one.
    pub iterations: Option<u64>,
}

/// A decoded and indexed profile (less its base, if one is set), shared
/// by every view of it.
pub struct LoadedProfile {
    pub source: ProfileSource,
    pub profile: Arc<Profile>,
    pub base: Option<Arc<Base>>,
    pub index: Index,
    /// The iterations of the benchmark run the profile is from, if it is
    /// one: values can be shown per operation.
    pub iterations: Option<u64>,
    /// Built on first use: only call hierarchies and caller lists need it.
    calls: OnceLock<CallGraph>,
    /// Which samples pass through each line, built the first time a hover
    /// asks, so that a hover visits only the samples through its line.
    stack_index: OnceLock<StackIndex>,
    /// Stacks through a line, computed the first time a hover asks.
    stacks: DashMap<(Vec<LineId>, SampleType), Arc<[Stack]>>,
    /// The filters `profile` and the base went through (none: they are as
    /// loaded).
    pub filters: Filters,
    /// What pprof says on stderr while applying `filters` (tag values read
    /// as ranges, filters that matched nothing).
    pub filter_notes: Vec<FilterNote>,
    /// A goroutine dump taken with a protobuf goroutine profile (the same
    /// endpoint's `?debug=2`): the wait states and creation sites the
    /// protobuf form lacks, read by [`View::goroutines`].
    pub goroutine_detail: Option<Arc<Profile>>,
    /// For a filtered profile: the one before filtering, which other
    /// filters start from, and pprof's totals (those before filtering).
    unfiltered: Option<(Arc<LoadedProfile>, Vec<i64>)>,
    /// For a merged source: each source's index, for a hover's rows per
    /// source (none with filters or a base: they would not add up to the
    /// values shown).
    pub parts: Arc<[Part]>,
    /// For a merged source: why each source that could not be read was left
    /// out of the merge.
    pub left_out: Vec<String>,
}

/// How many stacks a hover lists.
pub const HOVER_STACKS: usize = 5;

impl LoadedProfile {
    /// Indexes `profile`, less `base` when there is one: the costs of the
    /// sample type `shown` names (as [`View::new`] chooses it) at once, the
    /// other types' when first asked for or by [`Index::build_rest`].
    pub fn new(source: ProfileSource, profile: Arc<Profile>, base: Option<Arc<Base>>, shown: Option<&str>) -> Result<LoadedProfile, String> {
        let first = shown_type(&profile, shown);
        let index = Index::build_first(profile.clone(), base.as_ref().map(|b| b.profile.clone()), first)
            .map_err(|e| format!("cannot compare with {}: {e}", base.as_ref().map(|b| b.source.to_string()).unwrap_or_default()))?;
        Ok(LoadedProfile::assemble(source, profile, base, index))
    }

    /// A benchmark run's profile of `iterations` operations, less `base`
    /// (another run) per operation: the base's values are scaled to this
    /// run's iterations first, so differences are per-operation
    /// differences whatever each run's count.
    pub fn of_run(
        source: ProfileSource,
        profile: Arc<Profile>,
        iterations: u64,
        base: Option<Arc<Base>>,
        shown: Option<&str>,
    ) -> Result<LoadedProfile, String> {
        let base = base.map(|b| match b.iterations.and_then(|n| per_op::scaled_base(&b.profile, n, iterations)) {
            Some(scaled) => Arc::new(Base {
                profile: Arc::new(scaled),
                iterations: Some(iterations),
                source: b.source.clone(),
                name: b.name.clone(),
            }),
            None => b,
        });
        let mut loaded = LoadedProfile::new(source, profile, base, shown)?;
        loaded.iterations = Some(iterations);
        Ok(loaded)
    }

    /// A profile indexed already (without a base).
    pub fn from_index(source: ProfileSource, profile: Arc<Profile>, index: Index) -> LoadedProfile {
        LoadedProfile::assemble(source, profile, None, index)
    }

    fn assemble(source: ProfileSource, profile: Arc<Profile>, base: Option<Arc<Base>>, index: Index) -> LoadedProfile {
        LoadedProfile {
            source,
            profile,
            base,
            index,
            iterations: None,
            calls: OnceLock::new(),
            stack_index: OnceLock::new(),
            stacks: DashMap::new(),
            filters: Filters::default(),
            filter_notes: Vec::new(),
            goroutine_detail: None,
            unfiltered: None,
            parts: Arc::new([]),
            left_out: Vec::new(),
        }
    }

    /// The profile before any filters.
    pub fn unfiltered(self: &Arc<Self>) -> Arc<LoadedProfile> {
        match &self.unfiltered {
            Some((raw, _)) => raw.clone(),
            None => self.clone(),
        }
    }

    /// The profile (before any filters) with `filters` applied as pprof
    /// applies them: the profile and its base through one compiled filter,
    /// indexed again. No filters give the unfiltered profile itself.
    pub fn with_filters(self: &Arc<Self>, filters: &Filters) -> Result<Arc<LoadedProfile>, FilterError> {
        if self.unfiltered.is_some() && self.filters == *filters {
            return Ok(self.clone());
        }
        let raw = self.unfiltered();
        if filters.is_empty() {
            return Ok(raw);
        }
        let base_profile = raw.base.as_ref().map(|b| b.profile.as_ref());
        let filtered = filter::filter_profiles(&raw.profile, base_profile, filters)?;
        let base = match (&raw.base, filtered.base) {
            (Some(b), Some(filtered_base)) => Some(Arc::new(Base {
                source: b.source.clone(),
                name: b.name.clone(),
                profile: Arc::new(filtered_base),
                iterations: b.iterations,
            })),
            _ => None,
        };
        let (profile, index, totals) = (Arc::new(filtered.profile), filtered.index, filtered.totals);
        let mut out = LoadedProfile::assemble(raw.source.clone(), profile, base, index);
        out.iterations = raw.iterations;
        out.filters = filters.clone();
        out.filter_notes = filtered.notes;
        out.goroutine_detail = raw.goroutine_detail.clone();
        out.left_out = raw.left_out.clone();
        out.unfiltered = Some((raw, totals));
        Ok(Arc::new(out))
    }

    /// pprof's total of sample type `t`: the index's, or with filters the
    /// total before filtering, which percentages are shares of.
    pub fn total(&self, t: SampleType) -> i64 {
        match &self.unfiltered {
            Some((_, totals)) => totals.get(t.0).copied().unwrap_or_else(|| self.index.total(t)),
            None => self.index.total(t),
        }
    }

    /// The profiles the index was built from, in its order.
    pub fn profiles(&self) -> Vec<&Profile> {
        std::iter::once(self.profile.as_ref()).chain(self.base.as_ref().map(|b| b.profile.as_ref())).collect()
    }

    pub fn calls(&self) -> &CallGraph {
        self.calls.get_or_init(|| CallGraph::build(&self.index, &self.profiles()))
    }

    /// The heaviest stacks through some lines, remembered per lines and type.
    pub fn stacks_through(&self, lines: &[LineId], t: SampleType) -> Arc<[Stack]> {
        let key = (lines.to_vec(), t);
        if let Some(found) = self.stacks.get(&key) {
            return found.clone();
        }
        let profiles = self.profiles();
        let stack_index = self.stack_index.get_or_init(|| StackIndex::build(&profiles, &self.index));
        let computed: Arc<[Stack]> = stack_index.heaviest(&profiles, &self.index, lines, t, HOVER_STACKS).into();
        self.stacks.insert(key, computed.clone());
        computed
    }
}

/// Which profile files map to which local files, for one profile, and
/// where its lines are in them now when it was taken at another revision.
#[derive(Default)]
pub struct MappedView {
    /// The mapper this view was built with.
    pub mapper: Option<Arc<PathMapper>>,
    /// The index's files, in its order, mapped.
    pub files: MappedFiles,
    /// The profile's revision and the line maps of its files changed since.
    pub revision: Arc<revision::Mapped>,
}

/// What finding a profile's revision needs, taken from the settings when a
/// load starts.
#[derive(Clone, Default)]
pub struct RevisionInput {
    pub input: revision::Input,
    pub cache: Arc<revision::Cache>,
    /// How to find the revision of the diff base, when one is set: its
    /// lines are moved to this profile's revision before the two are
    /// compared.
    pub base: Option<Arc<RevisionInput>>,
}

impl RevisionInput {
    /// `base` with its lines at this input's profile's revision (see
    /// [`Base::aligned_to`]); as it is without a base input.
    pub fn align(&self, base: Option<Arc<Base>>, shown: &Profile, mapper: &PathMapper, fs: &dyn FileExists) -> Option<Arc<Base>> {
        let base = base?;
        Some(match &self.base {
            Some(base_input) => base.aligned_to(shown, self, base_input, mapper, fs),
            None => base,
        })
    }
}

impl MappedView {
    /// Maps the index's files; with a revision (a setting, or the profiled
    /// binary's build info), follows files renamed since and maps the lines
    /// of those changed. Reads git and the disk: call off the request path.
    pub fn build(profile: &Profile, index: &Index, mapper: &Arc<PathMapper>, fs: &dyn FileExists, input: &RevisionInput) -> MappedView {
        let names: Vec<&str> = index.files().iter().map(String::as_str).collect();
        let (files, mapped) = revision::map_files(&names, profile, mapper, fs, &input.input, &input.cache);
        MappedView { mapper: Some(mapper.clone()), files, revision: Arc::new(mapped) }
    }

    /// The line map of a local file, when the profile's revision is known
    /// and the file changed since.
    pub fn lines_of(&self, local: &LocalPath) -> Option<&LineMap> {
        self.revision.lines_of(local)
    }

    /// The profile files behind a local file, however the editor spells
    /// its path (drive letter case, `/C:/…`, back slashes).
    pub fn profile_files(&self, local: &LocalPath) -> Vec<FileId> {
        // `map_all` was given the index's files in order, so positions are ids.
        self.files.profile_files_for_local(local).iter().map(|&i| FileId(i as u32)).collect()
    }

    /// Whether this view was built with `mapper`.
    pub fn built_with(&self, mapper: &Arc<PathMapper>) -> bool {
        self.mapper.as_ref().is_some_and(|m| Arc::ptr_eq(m, mapper))
    }
}

impl Base {
    /// This base with its lines moved from its own revision to the
    /// revision of `shown` (each profile is mapped with its own revision),
    /// so a diff pairs the same code; itself when nothing moves.
    pub fn aligned_to(
        self: &Arc<Self>,
        shown: &Profile,
        shown_input: &RevisionInput,
        base_input: &RevisionInput,
        mapper: &PathMapper,
        fs: &dyn FileExists,
    ) -> Arc<Base> {
        let names = |p: &Profile| -> Vec<String> {
            let mut names: Vec<String> = p.functions.iter().map(|f| f.filename.clone()).collect();
            names.sort_unstable();
            names.dedup();
            names
        };
        let (shown_names, base_names) = (names(shown), names(&self.profile));
        let (shown_refs, base_refs): (Vec<&str>, Vec<&str>) =
            (shown_names.iter().map(String::as_str).collect(), base_names.iter().map(String::as_str).collect());
        let (_, shown_mapped) = revision::map_files(&shown_refs, shown, mapper, fs, &shown_input.input, &shown_input.cache);
        let (base_files, base_mapped) = revision::map_files(&base_refs, &self.profile, mapper, fs, &base_input.input, &base_input.cache);
        let maps: FxHashMap<&str, LineMap> = base_names
            .iter()
            .filter_map(|name| {
                let local = LocalPath::new(base_files.local_for(name)?);
                Some((name.as_str(), revision::base_to_shown(&base_mapped, &shown_mapped, &local)?))
            })
            .collect();
        if maps.is_empty() {
            return self.clone();
        }
        let mut profile = (*self.profile).clone();
        let moved = revision::remap_lines(&mut profile, |name| maps.get(name));
        tracing::info!(base = %self.source, moved = moved.moved, gone = moved.gone, "diff base lines moved to the shown profile's revision");
        Arc::new(Base { source: self.source.clone(), name: self.name.clone(), profile: Arc::new(profile), iterations: self.iterations })
    }
}

/// The sample type a view of `profile` shows when `wanted` names it: the
/// named one, else the profile's default.
pub fn shown_type(profile: &Profile, wanted: Option<&str>) -> SampleType {
    analysis::select(profile, wanted).or_else(|_| analysis::select(profile, None)).unwrap_or(SampleType(0))
}

static GENERATIONS: AtomicU64 = AtomicU64::new(1);

/// A profile as the editor sees it: the loaded profile, how its files map,
/// and the sample type shown, under one generation number. Changing any of
/// them makes a new view with a new number, so a request never mixes two.
pub struct View {
    generation: u64,
    loaded: Arc<LoadedProfile>,
    paths: Arc<MappedView>,
    /// Always a valid position in the index's sample types.
    sample_type: SampleType,
    /// Values are shown per operation: the profile is a benchmark's and
    /// per-operation display is on.
    per_op: Option<u64>,
    /// The goroutines grouped by blocking line and creation site, for a
    /// goroutine profile; made on first use (it depends on the paths).
    goroutines: OnceLock<Option<Arc<Goroutines>>>,
}

impl View {
    /// A view of `loaded` showing the sample type `wanted` names, or the
    /// profile's default with the reason the wanted one could not be used.
    pub fn new(loaded: Arc<LoadedProfile>, paths: Arc<MappedView>, wanted: Option<&str>) -> (View, Option<SelectError>) {
        let (t, problem) = match analysis::select(&loaded.profile, wanted) {
            Ok(t) => (t, None),
            Err(e) => (shown_type(&loaded.profile, None), Some(e)),
        };
        let view = View { generation: next_generation(), loaded, paths, sample_type: t, per_op: None, goroutines: OnceLock::new() };
        (view, problem)
    }

    /// The same profile and paths showing another sample type.
    pub fn with_sample_type(&self, wanted: &str) -> Result<View, SelectError> {
        let t = analysis::select(&self.loaded.profile, Some(wanted))?;
        Ok(View { generation: next_generation(), sample_type: t, ..self.copy() })
    }

    /// The same profile and sample type with a new path mapping.
    pub fn with_paths(&self, paths: Arc<MappedView>) -> View {
        View { generation: next_generation(), paths, ..self.copy() }
    }

    /// The same view with values per operation (of a benchmark's
    /// profile) when `on`, else in total.
    pub fn with_per_op(&self, on: bool) -> View {
        View { generation: next_generation(), per_op: self.loaded.iterations.filter(|_| on), ..self.copy() }
    }

    fn copy(&self) -> View {
        View {
            generation: self.generation,
            loaded: self.loaded.clone(),
            paths: self.paths.clone(),
            sample_type: self.sample_type,
            per_op: self.per_op,
            goroutines: OnceLock::new(),
        }
    }

    /// The same view under a new generation number, for when the way it is
    /// shown changed (hint settings) and clients should redraw.
    pub fn renewed(&self) -> View {
        self.with_paths(self.paths.clone())
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether values are differences from a base profile.
    pub fn is_diff(&self) -> bool {
        self.loaded.base.is_some()
    }

    pub fn loaded(&self) -> &Arc<LoadedProfile> {
        &self.loaded
    }

    pub fn index(&self) -> &Index {
        &self.loaded.index
    }

    pub fn paths(&self) -> &Arc<MappedView> {
        &self.paths
    }

    pub fn sample_type(&self) -> SampleType {
        self.sample_type
    }

    /// The shown sample type's name and unit.
    pub fn value_type(&self) -> &ValueType {
        &self.loaded.index.sample_types()[self.sample_type.0]
    }

    /// How the shown sample type's values are labelled.
    pub fn scale(&self) -> Scale<'_> {
        self.scale_of(self.sample_type)
    }

    /// How one sample type's values are labelled.
    pub fn scale_of(&self, t: SampleType) -> Scale<'_> {
        let index = &self.loaded.index;
        Scale { per_op: self.per_op, ..Scale::new(&index.sample_types()[t.0], self.loaded.total(t)).signed(self.is_diff()) }
    }

    /// pprof's total for the shown sample type.
    pub fn total(&self) -> i64 {
        self.loaded.total(self.sample_type)
    }

    /// The same sample type and paths over another filtering of the same
    /// profile (`loaded` from [`LoadedProfile::with_filters`]; filtering
    /// keeps every function, so the files and their mapping stay).
    pub fn with_loaded(&self, loaded: Arc<LoadedProfile>) -> View {
        View { generation: next_generation(), loaded, ..self.copy() }
    }

    /// The growth of a source line (under any of the profile's spellings
    /// of its file).
    pub fn line_growth<'g>(&self, growth: &'g Growth, files: &[FileId], line: i64) -> Option<&'g GrowthRow> {
        files.iter().find_map(|&f| growth.line(self.index().file(f), line))
    }

    /// The local file of a profile's file name: from the view's mapping,
    /// else (a name only a goroutine dump has) a workspace file the mapper
    /// finds for it.
    pub fn local_file(&self, profile_file: &str) -> Option<String> {
        match self.paths.files.resolution(profile_file) {
            Some(r) => r.path().map(str::to_string),
            None => match self.paths.mapper.as_ref()?.resolve(profile_file, &NoFiles) {
                Resolution::Mapped { path, in_workspace: true, .. } => Some(path),
                _ => None,
            },
        }
    }

    /// Whether a profile's file name is a workspace file.
    pub fn in_workspace(&self, profile_file: &str) -> bool {
        let resolution = match self.paths.files.resolution(profile_file) {
            Some(r) => r.clone(),
            None => match &self.paths.mapper {
                Some(m) => m.resolve(profile_file, &NoFiles),
                None => return false,
            },
        };
        matches!(resolution, Resolution::Mapped { in_workspace: true, .. })
    }

    /// The goroutines of a goroutine profile (its dump, when one came
    /// with it), grouped by the line they block at in the workspace and
    /// the `go` statement that started them; `None` for other profiles.
    pub fn goroutines(&self) -> Option<&Goroutines> {
        self.goroutines
            .get_or_init(|| {
                let profile = self.loaded.goroutine_detail.as_deref().unwrap_or(&self.loaded.profile);
                leaks::group(profile, &|file| self.in_workspace(file)).map(Arc::new)
            })
            .as_deref()
    }

    /// The profile files behind a document.
    pub fn files_for(&self, uri: &Uri) -> Vec<FileId> {
        match convert::uri_to_path(uri) {
            Some(path) => self.paths.profile_files(&LocalPath::from_path(&path)),
            None => Vec::new(),
        }
    }
}

fn next_generation() -> u64 {
    GENERATIONS.fetch_add(1, Ordering::Relaxed)
}

/// The open documents, shared between snapshots and copied on write.
#[derive(Clone, Default)]
pub struct Documents(Arc<FxHashMap<Uri, Arc<Document>>>);

impl Documents {
    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.0.get(uri).map(Arc::as_ref)
    }

    pub fn insert(&mut self, uri: Uri, doc: Document) {
        Arc::make_mut(&mut self.0).insert(uri, Arc::new(doc));
    }

    pub fn remove(&mut self, uri: &Uri) {
        if self.0.contains_key(uri) {
            Arc::make_mut(&mut self.0).remove(uri);
        }
    }

    /// Changes one document in place (copying it if a snapshot shares it).
    pub fn edit<R>(&mut self, uri: &Uri, change: impl FnOnce(&mut Document) -> R) -> Option<R> {
        let doc = Arc::make_mut(&mut self.0).get_mut(uri)?;
        Some(change(Arc::make_mut(doc)))
    }

    /// Makes every document's current text the reference for staleness.
    pub fn rebase_all(&mut self) {
        let map = Arc::make_mut(&mut self.0);
        for doc in map.values_mut() {
            Arc::make_mut(doc).rebase();
        }
    }

    /// The open documents' local paths.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.0.keys().filter_map(convert::uri_to_path).collect()
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

/// A profile the server offers, and how it came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offered {
    pub source: ProfileSource,
    pub origin: ProfileOrigin,
    /// Why the server chose it by itself, for the one it loaded that way.
    pub reason: Option<String>,
}

/// Loads in flight and the last failure.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Activity {
    /// Sources being loaded now (at most one runs; others wait).
    pub loading: Vec<ProfileSource>,
    /// Why the last load failed, until one succeeds.
    pub error: Option<String>,
}

/// Everything a request needs, frozen at one moment.
#[derive(Clone)]
pub struct Snapshot {
    pub config: Arc<Config>,
    pub caps: Arc<ClientCaps>,
    pub roots: Arc<[PathBuf]>,
    pub documents: Documents,
    /// The shown profile, if one is loaded.
    pub view: Option<Arc<View>>,
    /// The current path mapper (a view may have been built with an older
    /// one until it is remapped).
    pub mapper: Arc<PathMapper>,
    /// Annotations on (`pprof.toggle`).
    pub enabled: bool,
    /// Profiles configured, found in the workspace, or loaded by hand.
    pub offered: Arc<[Offered]>,
    pub activity: Activity,
    /// The profile every load is compared with, if one is set.
    pub base: Option<Arc<Base>>,
    /// The shown source's polling state and growth, if it is live.
    pub live: Option<Arc<LiveState>>,
    /// Benchmark runs' values are shown per operation (`pprof.togglePerOp`).
    pub per_op: bool,
    /// Runs of tests and benchmarks, by package directory and name.
    pub runs: Arc<Runs>,
    /// pprof's filters, applied to every profile shown (`filters` setting,
    /// `pprof.setFilters`); checked when set.
    pub filters: Arc<Filters>,
    /// The settings that could not be used, from the last time they were
    /// read.
    pub settings_errors: Arc<[SettingError]>,
    /// The compiler errors of the last run that did not build.
    pub build_errors: Arc<Vec<(Uri, tower_lsp_server::ls_types::Diagnostic)>>,
    /// Line maps from profiles' revisions to the disk, made once per
    /// revision and file.
    pub revision_cache: Arc<revision::Cache>,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            config: Arc::default(),
            caps: Arc::default(),
            roots: Arc::from(Vec::new()),
            documents: Documents::default(),
            view: None,
            mapper: Arc::new(PathMapper::new(Default::default(), Vec::new())),
            enabled: true,
            offered: Arc::from(Vec::new()),
            activity: Activity::default(),
            base: None,
            live: None,
            per_op: true,
            runs: Arc::default(),
            filters: Arc::default(),
            settings_errors: Arc::from(Vec::new()),
            build_errors: Arc::default(),
            revision_cache: Arc::default(),
        }
    }
}

impl Snapshot {
    /// How to find the revision of `source`: the `revision` and `binary` of
    /// the `profiles` entry naming it, else the global settings. A
    /// benchmark run's profile (`run`) is of the working tree.
    pub fn revision_input(&self, source: &ProfileSource, run: bool) -> RevisionInput {
        if run {
            return RevisionInput::default();
        }
        RevisionInput {
            input: self.input_for(source),
            cache: self.revision_cache.clone(),
            base: self.base.as_ref().filter(|b| b.iterations.is_none()).map(|b| Arc::new(self.base_input(&b.source))),
        }
    }

    /// How to find the revision of a diff base read from `source`.
    pub fn base_input(&self, source: &ProfileSource) -> RevisionInput {
        RevisionInput { input: self.input_for(source), cache: self.revision_cache.clone(), base: None }
    }

    /// What the settings say of `source`'s revision.
    fn input_for(&self, source: &ProfileSource) -> revision::Input {
        let entry = |field: fn(&ProfileSetting) -> Option<&str>| {
            self.config
                .profiles
                .iter()
                .find(|p| field(p).is_some() && p.names(source, &self.roots))
                .and_then(field)
        };
        // A continuous profiler's profiles may name their revision in labels.
        let labelled = match source {
            ProfileSource::Fleet(f) => self.revision_cache.labelled(&f.entry).flatten(),
            _ => None,
        };
        let revision = entry(ProfileSetting::revision).or(self.config.revision.as_deref());
        let binary = entry(ProfileSetting::binary).or(self.config.binary.as_deref()).map(|b| {
            let path = PathBuf::from(b);
            match self.roots.first() {
                Some(root) if path.is_relative() => root.join(path),
                _ => path,
            }
        });
        revision::Input {
            settings: revision::Settings { revision: revision.map(str::to_string), binary, labelled },
            workspace: self.roots.first().cloned(),
            limits: revision::Limits::default(),
        }
    }

    /// The shown profile's view, if annotations are on.
    pub fn active(&self) -> Option<&View> {
        self.view.as_deref().filter(|_| self.enabled)
    }

    /// The growth of `view`'s sample type, when its profile is the live
    /// source and has enough snapshots.
    pub fn growth_of(&self, view: &View) -> Option<&Growth> {
        let live = self.live.as_deref().filter(|l| l.source == view.loaded().source)?;
        live.growth.get(&view.value_type().name).map(Arc::as_ref)
    }

    /// The growth row of a line when its flat grows past the threshold.
    pub fn growing<'g>(&self, growth: &'g Growth, view: &View, files: &[FileId], line: i64) -> Option<&'g GrowthRow> {
        view.line_growth(growth, files, line).filter(|row| self.config.growth.threshold().passes(row.flat_per_minute, view.total()))
    }
}
