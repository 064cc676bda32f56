//! The protocol extensions: every `pprof.*` command's arguments and result,
//! and the `pprof/status` notification, as Rust types. `docs/lsp-extensions.md`
//! documents each one; a client can be written from that page alone.

use serde::{Deserialize, Serialize};

use crate::analysis::Filters;
use tower_lsp_server::ls_types::notification::Notification;

/// Command names, as `workspace/executeCommand` takes them.
pub mod command {
    pub const LOAD: &str = "pprof.load";
    pub const LIST_SAMPLE_TYPES: &str = "pprof.listSampleTypes";
    pub const SELECT_SAMPLE_TYPE: &str = "pprof.selectSampleType";
    pub const TOP: &str = "pprof.top";
    pub const UNRESOLVED: &str = "pprof.unresolved";
    pub const STATUS: &str = "pprof.status";
    pub const TOGGLE: &str = "pprof.toggle";
    pub const LIST_PROFILES: &str = "pprof.listProfiles";
    pub const SHOW_FUNCTION: &str = "pprof.showFunction";
    pub const HEAT: &str = "pprof.heat";
    pub const SET_DIFF_BASE: &str = "pprof.setDiffBase";
    pub const GROWTH: &str = "pprof.growth";
    pub const RUN_BENCHMARK: &str = "pprof.runBenchmark";
    pub const TOGGLE_PER_OP: &str = "pprof.togglePerOp";
    pub const SET_FILTERS: &str = "pprof.setFilters";
    pub const OPEN_WEB: &str = "pprof.openWeb";
    pub const LEAKS: &str = "pprof.leaks";
    pub const FLEET_DESCRIBE: &str = "pprof.fleet.describe";

    /// Every command the server advertises.
    pub const ALL: &[&str] =
        &[LOAD, LIST_SAMPLE_TYPES, SELECT_SAMPLE_TYPE, TOP, UNRESOLVED, STATUS, TOGGLE, LIST_PROFILES, SHOW_FUNCTION, HEAT, SET_DIFF_BASE, GROWTH, RUN_BENCHMARK, TOGGLE_PER_OP, SET_FILTERS, OPEN_WEB, LEAKS, FLEET_DESCRIBE];
}

/// `pprof/status`: sent whenever what the server shows changes.
pub enum StatusNotification {}

impl Notification for StatusNotification {
    type Params = Status;
    const METHOD: &'static str = "pprof/status";
}

/// What the server is doing, in one word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum State {
    /// No profile is loaded and none is loading.
    Empty,
    /// A profile is being read; an older one may still be shown.
    Loading,
    /// A profile is shown and the last load succeeded.
    Loaded,
    /// The last load failed; an older profile may still be shown.
    Failed,
}

/// The server's state: the `pprof/status` notification's parameters and
/// the result of `pprof.status`, `pprof.load`, `pprof.selectSampleType`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub state: State,
    /// One line for a status bar: `heap.pb.gz · inuse_space 15.27MB`.
    pub summary: String,
    /// A few lines for a tooltip or a status command.
    pub detail: String,
    /// Increases whenever the shown profile or sample type changes.
    pub generation: u64,
    pub loaded: bool,
    /// Annotations are shown (`pprof.toggle`).
    pub enabled: bool,
    /// How many profiles `pprof.listProfiles` offers.
    pub available: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the shown profile is made of, as the summary says it: `3
    /// replicas` (`2 of 3 replicas · … down since …`), `3 profiles`, or a
    /// continuous profiler's `pyroscope · checkout · inuse_space · last 1h`.
    /// Absent for a single file or URL. Short, so that a client can keep it
    /// in view where the whole summary is cut.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapped_files: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unmapped_files: Option<usize>,
    /// The source being loaded now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loading: Option<String>,
    /// Why the last load failed, until a load succeeds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The profile values are compared with (`pprof.setDiffBase`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_base: Option<String>,
    /// How the status names the base (a file name, or "the previous
    /// snapshot of …").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_base_name: Option<String>,
    /// Present while the shown source is polled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<LiveStatus>,
    /// pprof's filters in effect (the `filters` setting or
    /// `pprof.setFilters`): only those set; absent when none is.
    #[serde(default, skip_serializing_if = "Filters::is_empty")]
    pub filters: Filters,
    /// What pprof says on stderr while applying them, line by line (a tag
    /// value read as a numeric range, a filter that matched no samples).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filter_notes: Vec<String>,
    /// Settings that could not be used, each `path: why`
    /// (`hints.minCumPercent: invalid type: string "high", expected a number`); each keeps
    /// its default. Absent when every setting applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings_errors: Vec<String>,
    /// The git revision the profile was taken at, when known (the
    /// `revision` setting, or the profiled binary's build info): its lines
    /// are mapped from there to the working tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<RevisionStatus>,
    /// The binary was built from a working tree with changes
    /// (`vcs.modified`); absent when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_dirty: Option<bool>,
    /// Why lines are not mapped to the working tree, or not all of them
    /// (a revision not in the repository, a file skipped), and, without a
    /// revision, that the profile is older than the code it annotates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revision_notes: Vec<String>,
}

/// The revision a profile was taken at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionStatus {
    /// The full commit id.
    pub sha: String,
    /// Its first seven characters, as the status line shows it.
    pub short: String,
    /// Where it came from: `setting` or `buildInfo`.
    pub source: String,
    /// The binary read, for `buildInfo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary: Option<String>,
}

/// `pprof.openWeb`'s result: the web view's URL, token included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenWebResult {
    pub url: String,
}

/// `pprof.load`: `{"path": …}` or `{"url": …}` (or the bare string), or
/// several merged into one profile: `{"name": "checkout", "merge": [paths,
/// globs or URLs]}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadArgs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge: Option<Vec<String>>,
    /// A continuous profiler's query, as a `profiles` entry:
    /// `{"pyroscope": URL, "query", "profileType", "range"}` or
    /// `{"parca": URL, "query", "range"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fleet: Option<serde_json::Value>,
}

/// `pprof.fleet.describe`: `{"source": ENTRY}` (or the entry itself), where
/// the entry is a continuous profiler's `profiles` entry (`{"pyroscope":
/// URL, …}`, its query optional), or `{"source": NAME}` naming a configured
/// one by its `name`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FleetDescribeArgs {
    #[serde(default)]
    pub source: serde_json::Value,
}

/// `pprof.setDiffBase`: `{"path": …}`, `{"url": …}`, `{"previous": true}`
/// (a live source's snapshot before the shown one), or `{}` to clear.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DiffBaseArgs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default)]
    pub previous: bool,
}

/// `pprof.selectSampleType`: `{"name": …}` (or the bare string); a name
/// or a number as `-sample_index` takes it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SelectSampleTypeArgs {
    #[serde(default)]
    pub name: String,
}

/// One entry of `pprof.listSampleTypes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SampleTypeInfo {
    pub name: String,
    pub unit: String,
    pub total: i64,
    pub total_label: String,
    pub active: bool,
}

/// Which value `pprof.top` ranks by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RankBy {
    #[default]
    Flat,
    Cum,
}

/// `pprof.top`: `{"n": 20, "by": "flat" | "cum"}`, both optional.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopArgs {
    #[serde(default = "default_top_n")]
    pub n: usize,
    #[serde(default)]
    pub by: RankBy,
}

impl Default for TopArgs {
    fn default() -> Self {
        TopArgs { n: default_top_n(), by: RankBy::Flat }
    }
}

fn default_top_n() -> usize {
    20
}

/// One row of `pprof.top`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopEntry {
    /// The mapped local file, when the path mapping found one.
    pub uri: Option<String>,
    /// The file as the profile names it (`None` without symbols).
    pub file: Option<String>,
    /// 1-based; where the line is now when the document is open and edited.
    pub line: i64,
    /// The function, or the address in hex without symbols.
    pub function: String,
    /// Exact values in the profile's unit.
    pub flat: i64,
    pub cum: i64,
    pub label: String,
}

/// One entry of `pprof.unresolved`: a profile file and what became of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason")]
pub enum UnresolvedPath {
    #[serde(rename = "not found")]
    NotFound { file: String, tried: Vec<String> },
    #[serde(rename = "ambiguous")]
    Ambiguous { file: String, candidates: Vec<String>, omitted: usize },
}

/// `pprof.toggle`: `{"enabled": bool}` sets, `{}` flips.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ToggleArgs {
    #[serde(default)]
    pub enabled: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToggleResult {
    pub enabled: bool,
}

/// How a profile came to be offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ProfileOrigin {
    /// Named in the `profiles` setting.
    Configured,
    /// Found by looking through the workspace.
    Discovered,
    /// Loaded by `pprof.load`.
    Loaded,
    /// Written by a test or benchmark run (`pprof.runBenchmark`).
    Run,
}

/// One entry of `pprof.listProfiles`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileEntry {
    pub source: String,
    pub name: String,
    pub active: bool,
    pub origin: ProfileOrigin,
    /// Why the server picked this one by itself, for the profile it chose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `pprof.showFunction`: `{"function": name, "notify": bool}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShowFunctionArgs {
    #[serde(default)]
    pub function: String,
    /// Also show the report as a message (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionReport {
    pub function: String,
    pub file: Option<String>,
    pub uri: Option<String>,
    pub lines: Vec<FunctionLine>,
    pub callers: Vec<Caller>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionLine {
    /// 1-based, where the line is now.
    pub line: i64,
    pub flat: i64,
    pub cum: i64,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Caller {
    pub function: String,
    pub weight: i64,
    pub label: String,
}

/// `pprof.growth`: `{"sampleType": …, "n": …}`, both optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrowthArgs {
    #[serde(default)]
    pub sample_type: Option<String>,
    /// At most this many rows.
    #[serde(default)]
    pub n: Option<usize>,
}

/// A live source's state in the status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveStatus {
    /// Snapshots kept for growth.
    pub snapshots: usize,
    pub refresh_seconds: u64,
    /// When the last fetch succeeded (`14:03:22 UTC`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_fetch: Option<String>,
    /// Since when the source has not answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreachable_since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `delta over N s` for a `?seconds=N` URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<String>,
    /// For a merged source: `3 replicas`, or `2 of 3 replicas · … down since …`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<String>,
}

/// Which profile `pprof.runBenchmark` shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BenchKind {
    #[default]
    Mem,
    Cpu,
}

/// `pprof.runBenchmark`: `{"uri": "file:///…/render_test.go", "name":
/// "BenchmarkRender", "kind": "mem" | "cpu"}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunBenchmarkArgs {
    #[serde(default)]
    pub uri: String,
    /// The test or benchmark; empty: the one whose body holds `line`.
    #[serde(default)]
    pub name: String,
    /// A 0-based line of the file (the cursor), used when `name` is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default)]
    pub kind: BenchKind,
}

/// What a finished run of `pprof.runBenchmark` shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunBenchmarkResult {
    pub uri: String,
    pub name: String,
    /// 1 for the first run of this test or benchmark, then 2, …
    pub run: u32,
    /// The profile now shown.
    pub profile: String,
    /// The test failed (its profile is shown anyway).
    pub failed: bool,
    /// The operations the profile covers (benchmarks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u64>,
    /// go test's result: `BenchmarkRender: 1520 ns/op · 2048 B/op · 3 allocs/op`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// The run compared with, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compared_with: Option<String>,
}

/// `pprof.heat`: `{"uri": …}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HeatArgs {
    #[serde(default)]
    pub uri: String,
}

/// One shaded line of `pprof.heat`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LineHeat {
    /// 0-based line in the document as it is now.
    pub line: u32,
    /// 1 (coolest) to 5 (hottest): the shade to use.
    pub level: u8,
    /// The line's cum as a share of the file's hottest line's, 0..1.
    pub heat: f64,
    pub flat: i64,
    pub cum: i64,
}

/// Reads a command's single argument: the object, a bare string standing
/// for the object's one required field `key`, or nothing for defaults.
pub fn parse_args<T: serde::de::DeserializeOwned + Default>(arg: serde_json::Value, key: &str) -> Result<T, String> {
    let value = match arg {
        serde_json::Value::Null => return Ok(T::default()),
        serde_json::Value::String(s) => serde_json::json!({ key: s }),
        other => other,
    };
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// `pprof.leaks`' result, shared with `pprof-lsp leaks --json`.
pub use crate::report::leaks::{LeakReport as Leaks, LeakRow, LeakSite};
