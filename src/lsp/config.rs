//! The server's settings: one object, taken from `initializationOptions`
//! and from the `pprof` settings section. Unknown keys are ignored so
//! clients can keep their own (such as `server.path`) beside these.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::analysis::annotate::Threshold;
use crate::analysis::GrowthThreshold;
use crate::analysis::filter::{Filter, FilterError, FilterKind, Filters};
use crate::paths::PathMapping;
use crate::source::discover::{self, DiscoverOptions};
use crate::source::fleet::FleetQuery;
use crate::source::fs::SourceFs;
use crate::source::load::{FleetSource, MergedSource, ProfileSource};
use crate::report::labels::HintFormat;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Config {
    /// Profiles to load: paths (relative to the first workspace folder),
    /// globs, or `http(s)://` URLs, each alone or as `{"path", "revision",
    /// "binary"}`. Empty means: discover them.
    pub profiles: Vec<ProfileSetting>,
    /// The git revision profiles were taken at (a SHA, tag or branch), so
    /// their lines follow the code to the working tree; `None` reads the
    /// profiled binary's build info, else lines are used as recorded.
    pub revision: Option<String>,
    /// The profiled Go binary, read for its build info (`vcs.revision`)
    /// when it is not at the path the profile records.
    pub binary: Option<String>,
    /// Sample type to show; `None` uses the profile's default.
    pub sample_type: Option<String>,
    /// Prefix rewrites from build-machine paths to local ones.
    pub path_mappings: Vec<PathMapping>,
    /// Extra directories to look for sources in.
    pub source_paths: Vec<String>,
    /// The Go installation whose sources back standard-library frames;
    /// `None` asks `go env GOROOT`.
    pub goroot: Option<String>,
    pub hints: HintConfig,
    pub lenses: LensConfig,
    /// Largest profile accepted, in bytes, before and after decompression.
    pub max_profile_bytes: u64,
    /// Reload a loaded profile file when it changes on disk.
    pub watch: bool,
    pub diagnostics: DiagnosticsConfig,
    /// Fetch a URL profile again every this many seconds (0: never).
    pub refresh_seconds: u64,
    /// Snapshots of a live source kept for growth.
    pub history: usize,
    pub growth: GrowthConfig,
    pub benchmarks: BenchmarksConfig,
    /// A profile to compare every load with, as `go tool pprof -diff_base`
    /// does: a path (relative to the first workspace folder) or URL.
    pub diff_base: Option<String>,
    /// pprof's filters (focus, ignore, hide, show, tagfocus, tagignore);
    /// empty or missing fields are off.
    pub filters: Filters,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            profiles: Vec::new(),
            revision: None,
            binary: None,
            sample_type: None,
            path_mappings: Vec::new(),
            source_paths: Vec::new(),
            goroot: None,
            hints: HintConfig::default(),
            lenses: LensConfig::default(),
            max_profile_bytes: 512 << 20,
            watch: true,
            diff_base: None,
            diagnostics: DiagnosticsConfig::default(),
            refresh_seconds: 15,
            history: 20,
            growth: GrowthConfig::default(),
            benchmarks: BenchmarksConfig::default(),
            filters: Filters::default(),
        }
    }
}

/// One entry of `profiles`: a path, glob or URL, alone or with the revision
/// (and binary) of the profiles it names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ProfileSetting {
    Source(String),
    #[serde(rename_all = "camelCase")]
    Entry {
        path: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        revision: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        binary: Option<String>,
    },
    /// Several files, globs or URLs merged into one profile, shown as `name`.
    #[serde(rename_all = "camelCase")]
    Merge {
        name: String,
        merge: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        revision: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        binary: Option<String>,
    },
    /// A continuous profiler's query: `{"pyroscope": URL, "query", …}` or
    /// `{"parca": URL, "query", …}` (see `source::fleet`), checked when read.
    Fleet(serde_json::Value),
}

/// What the entries of `profiles` may be, for messages.
const ENTRY_SHAPES: &str = r#"an entry is a path, glob or URL, {"path", "revision", "binary"}, {"name", "merge": [paths, globs or URLs]}, or {"pyroscope" or "parca": URL, "query", …}"#;

/// What a merged entry of `profiles` may hold.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeFields {
    name: String,
    merge: Vec<String>,
    #[serde(default)]
    revision: Option<String>,
    #[serde(default)]
    binary: Option<String>,
}

/// What an object entry of `profiles` may hold.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryFields {
    path: String,
    #[serde(default)]
    revision: Option<String>,
    #[serde(default)]
    binary: Option<String>,
}

impl<'de> Deserialize<'de> for ProfileSetting {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(s) => Ok(ProfileSetting::Source(s)),
            value @ serde_json::Value::Object(_) if FleetQuery::is_fleet_entry(&value) => match FleetQuery::from_json(&value) {
                Ok(_) => Ok(ProfileSetting::Fleet(value)),
                Err(e) => Err(D::Error::custom(e)),
            },
            serde_json::Value::Object(map) if map.contains_key("merge") => {
                match serde_json::from_value::<MergeFields>(serde_json::Value::Object(map)) {
                    Ok(MergeFields { merge, .. }) if merge.is_empty() => {
                        Err(D::Error::custom("`merge` lists no profile; it takes paths, globs or URLs"))
                    }
                    Ok(MergeFields { name, merge, revision, binary }) => Ok(ProfileSetting::Merge { name, merge, revision, binary }),
                    Err(e) => Err(D::Error::custom(format!("{e}; {ENTRY_SHAPES}"))),
                }
            }
            value @ serde_json::Value::Object(_) => match serde_json::from_value::<EntryFields>(value) {
                Ok(EntryFields { path, revision, binary }) => Ok(ProfileSetting::Entry { path, revision, binary }),
                Err(e) => Err(D::Error::custom(format!("{e}; {ENTRY_SHAPES}"))),
            },
            other => Err(D::Error::custom(format!("{other} is not a profile; {ENTRY_SHAPES}"))),
        }
    }
}

impl ProfileSetting {
    /// The path, glob or URL; `None` for a merged entry.
    pub fn path(&self) -> Option<&str> {
        match self {
            ProfileSetting::Source(path) | ProfileSetting::Entry { path, .. } => Some(path),
            ProfileSetting::Merge { .. } | ProfileSetting::Fleet(_) => None,
        }
    }

    /// The revision the entry names, if it names one.
    pub fn revision(&self) -> Option<&str> {
        match self {
            ProfileSetting::Entry { revision, .. } | ProfileSetting::Merge { revision, .. } => revision.as_deref(),
            ProfileSetting::Source(_) | ProfileSetting::Fleet(_) => None,
        }
    }

    /// The binary the entry names, if it names one.
    pub fn binary(&self) -> Option<&str> {
        match self {
            ProfileSetting::Entry { binary, .. } | ProfileSetting::Merge { binary, .. } => binary.as_deref(),
            ProfileSetting::Source(_) | ProfileSetting::Fleet(_) => None,
        }
    }

    /// Whether this entry names `source`: the same path, URL or a file its
    /// glob matches; for a merged entry, the merged source of its name.
    pub fn names(&self, source: &ProfileSource, roots: &[std::path::PathBuf]) -> bool {
        match (self, source) {
            (ProfileSetting::Merge { name, .. }, ProfileSource::Merged(m)) => *name == m.name,
            (ProfileSetting::Fleet(entry), ProfileSource::Fleet(f)) => f.is_entry(entry),
            (ProfileSetting::Merge { .. } | ProfileSetting::Fleet(_), _) => false,
            (entry, source) => entry.path().is_some_and(|p| discover::entry_names(p, source, roots)),
        }
    }
}

impl From<&str> for ProfileSetting {
    fn from(path: &str) -> Self {
        ProfileSetting::Source(path.to_string())
    }
}

/// The sources the `profiles` entries name, in their order: paths and
/// URLs as they are, globs expanded, a merged entry as one source of its
/// expanded parts.
pub fn expand_entries(disk: &dyn SourceFs, entries: &[ProfileSetting], roots: &[PathBuf], options: &DiscoverOptions) -> Vec<ProfileSource> {
    let mut out = Vec::new();
    for entry in entries {
        match entry {
            ProfileSetting::Merge { name, merge, .. } => {
                let parts = discover::expand_with(disk, merge, roots, options);
                out.push(ProfileSource::Merged(Arc::new(MergedSource { name: name.clone(), parts })));
            }
            ProfileSetting::Fleet(entry) => match FleetSource::from_entry(entry) {
                Ok(fleet) => out.push(ProfileSource::Fleet(Arc::new(fleet))),
                Err(e) => tracing::warn!("profiles entry {entry}: {e}"),
            },
            single => {
                let patterns: Vec<String> = single.path().into_iter().map(str::to_string).collect();
                out.extend(discover::expand_with(disk, &patterns, roots, options));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| seen.insert(s.clone()));
    out
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HintConfig {
    pub enabled: bool,
    /// Show a line when its cum is at least this percent of the total...
    pub min_cum_percent: f64,
    /// ...or its flat at least this percent. 0 for both shows every line.
    pub min_flat_percent: f64,
    pub format: HintFormat,
    /// What to do with a line edited since the profile was loaded.
    pub stale: StaleHints,
}

impl Default for HintConfig {
    fn default() -> Self {
        let t = Threshold::default();
        HintConfig {
            enabled: true,
            min_cum_percent: t.min_cum_percent,
            min_flat_percent: t.min_flat_percent,
            format: HintFormat::FlatCum,
            stale: StaleHints::Mark,
        }
    }
}

impl HintConfig {
    pub fn threshold(&self) -> Threshold {
        Threshold { min_cum_percent: self.min_cum_percent, min_flat_percent: self.min_flat_percent }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StaleHints {
    /// Keep the hint, marked `(stale)`.
    Mark,
    /// Hide it.
    Hide,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DiagnosticsConfig {
    /// Publish the hottest lines as Information diagnostics.
    pub hot_lines: bool,
    /// How many of them.
    pub hot_line_count: usize,
    /// Publish lines that grow past `growth.minPercentPerMinute` as Warnings.
    pub growth: bool,
}

impl Default for DiagnosticsConfig {
    fn default() -> Self {
        DiagnosticsConfig { hot_lines: false, hot_line_count: 10, growth: true }
    }
}

/// How `pprof.runBenchmark` runs `go test`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BenchmarksConfig {
    /// `-memprofilerate` (1 records every allocation); unset: Go's default.
    pub mem_profile_rate: Option<u64>,
    /// `-benchtime`, e.g. `2000x` for runs of the same iterations.
    pub benchtime: Option<String>,
    /// More `go test` arguments.
    pub args: Vec<String>,
    /// Compare each run with the previous run of the same benchmark.
    pub compare_with_previous: bool,
}

impl Default for BenchmarksConfig {
    fn default() -> Self {
        BenchmarksConfig { mem_profile_rate: None, benchtime: None, args: Vec::new(), compare_with_previous: true }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GrowthConfig {
    /// A line counts as growing when its flat grows by at least this
    /// percent of the sample type's total per minute.
    pub min_percent_per_minute: f64,
}

impl Default for GrowthConfig {
    fn default() -> Self {
        GrowthConfig { min_percent_per_minute: GrowthThreshold::default().min_percent_per_minute }
    }
}

impl GrowthConfig {
    pub fn threshold(&self) -> GrowthThreshold {
        GrowthThreshold { min_percent_per_minute: self.min_percent_per_minute }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LensConfig {
    pub enabled: bool,
}

impl Default for LensConfig {
    fn default() -> Self {
        LensConfig { enabled: true }
    }
}

/// A setting that could not be used: where it is (`profiles[0]`,
/// `hints.minCumPercent`, `filters.focus`) and why. It keeps its default;
/// every other setting applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingError {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for SettingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// One step of a path into the settings: a key or a list position.
#[derive(Clone)]
enum Step {
    Key(String),
    At(usize),
}

fn path_text(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) if out.is_empty() => out.push_str(k),
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::At(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The value at `path` in `root`, made (as `{}` or `[]`) where missing.
fn slot<'v>(root: &'v mut serde_json::Value, path: &[Step]) -> &'v mut serde_json::Value {
    let mut here = root;
    for step in path {
        here = match step {
            Step::Key(k) => {
                if !here.is_object() {
                    *here = serde_json::Value::Object(Default::default());
                }
                here.as_object_mut().expect("made an object above").entry(k.clone()).or_insert(serde_json::Value::Null)
            }
            Step::At(i) => {
                if !here.is_array() {
                    *here = serde_json::Value::Array(Vec::new());
                }
                let list = here.as_array_mut().expect("made an array above");
                while list.len() <= *i {
                    list.push(serde_json::Value::Null);
                }
                &mut list[*i]
            }
        }
    }
    here
}

/// Builds the settings up one value at a time, keeping each value only if
/// the whole still reads as a [`Config`]: so a bad value is named by its
/// path and the rest applies.
struct Reader {
    accepted: serde_json::Value,
    /// The defaults, to tell settings that are objects of their own
    /// (`hints`) from values that merely are objects.
    defaults: serde_json::Value,
    errors: Vec<SettingError>,
}

impl Reader {
    /// Tries `value` at `path`; on failure, the reason.
    fn offer(&mut self, path: &[Step], value: serde_json::Value) -> Result<(), String> {
        let mut trial = self.accepted.clone();
        *slot(&mut trial, path) = value;
        match serde_json::from_value::<Config>(trial.clone()) {
            Ok(_) => {
                self.accepted = trial;
                Ok(())
            }
            Err(e) => Err(plain(&e.to_string())),
        }
    }

    fn read(&mut self, path: &mut Vec<Step>, value: &serde_json::Value) {
        let Err(message) = self.offer(path, value.clone()) else { return };
        let is_section = self.defaults.pointer(&pointer(path)).is_some_and(|d| d.is_object());
        match value {
            // A section (`hints`): each of its keys on its own.
            serde_json::Value::Object(fields) if is_section && self.offer(path, serde_json::json!({})).is_ok() => {
                for (key, field) in fields {
                    path.push(Step::Key(key.clone()));
                    self.read(path, field);
                    path.pop();
                }
            }
            // A list (`profiles`): each entry on its own.
            serde_json::Value::Array(items) if self.offer(path, serde_json::json!([])).is_ok() => {
                let mut kept = 0;
                for (i, item) in items.iter().enumerate() {
                    path.push(Step::At(kept));
                    let result = self.offer(path, item.clone());
                    path.pop();
                    match result {
                        Ok(()) => kept += 1,
                        Err(message) => {
                            // Entries after a dropped one move up; name the
                            // entry by its position in what was sent.
                            path.push(Step::At(i));
                            self.errors.push(SettingError { path: path_text(path), message });
                            path.pop();
                            // Take the failed slot out again.
                            let list = slot(&mut self.accepted, path);
                            if let Some(list) = list.as_array_mut() {
                                list.truncate(kept);
                            }
                        }
                    }
                }
            }
            _ => self.errors.push(SettingError { path: path_text(path), message }),
        }
    }
}

/// serde's reason in the words of the settings rather than of Rust types.
fn plain(reason: &str) -> String {
    let mut out = reason.to_string();
    if let Some(at) = out.find("expected struct ") {
        out.replace_range(at.., "expected an object");
    }
    for (rust, words) in [
        ("expected u64", "expected a whole number of 0 or more"),
        ("expected usize", "expected a whole number of 0 or more"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list"),
        ("expected a boolean", "expected true or false"),
    ] {
        out = out.replace(rust, words);
    }
    out
}

fn pointer(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
            Step::At(i) => format!("/{i}"),
        })
        .collect()
}

impl Config {
    /// Reads settings, accepting either the object itself or one wrapped
    /// in a `pprof` key (as some clients send `didChangeConfiguration`).
    /// Never fails: a value that cannot be used keeps its default and is
    /// named in the errors, and every other value applies. Filters are
    /// checked here too, so a bad regular expression is one of the errors.
    pub fn from_json(value: &serde_json::Value) -> (Config, Vec<SettingError>) {
        let inner = match value.get("pprof") {
            Some(v) if v.is_object() => v,
            _ => value,
        };
        let mut errors = Vec::new();
        let mut config = match inner {
            serde_json::Value::Null => Config::default(),
            serde_json::Value::Object(_) => match serde_json::from_value::<Config>(inner.clone()) {
                Ok(config) => config,
                Err(_) => {
                    let defaults = serde_json::to_value(Config::default()).unwrap_or_default();
                    let mut reader = Reader { accepted: serde_json::json!({}), defaults, errors: Vec::new() };
                    if let serde_json::Value::Object(fields) = inner {
                        for (key, field) in fields {
                            reader.read(&mut vec![Step::Key(key.clone())], field);
                        }
                    }
                    errors = reader.errors;
                    serde_json::from_value(reader.accepted).unwrap_or_default()
                }
            },
            other => {
                errors.push(SettingError { path: "pprof".into(), message: format!("expected an object of settings, not {other}") });
                Config::default()
            }
        };
        // Settings editors often store "unset" as an empty string.
        for field in [&mut config.sample_type, &mut config.goroot, &mut config.diff_base, &mut config.revision, &mut config.binary] {
            if field.as_deref().is_some_and(|v| v.trim().is_empty()) {
                *field = None;
            }
        }
        let (filters, bad) = checked_filters(&config.filters);
        config.filters = filters;
        errors.extend(bad);
        (config, errors)
    }
}

/// A filter error as the settings name it: `filters.showFrom: bad regular
/// expression …` (the key as the settings spell it).
pub fn filter_error(e: &FilterError) -> String {
    match e.kind() {
        Some(kind) => format!("filters.{}: {}", kind.key(), e.reason()),
        None => e.reason(),
    }
}

/// `filters` with blank values dropped, and each filter that cannot be
/// used (its regex or tag expression) dropped and named.
pub fn checked_filters(filters: &Filters) -> (Filters, Vec<SettingError>) {
    let mut out = Filters::default();
    let mut errors = Vec::new();
    for kind in FilterKind::ALL {
        let Some(value) = filters.get(kind).filter(|v| !v.trim().is_empty()) else { continue };
        let mut one = Filters::default();
        one.set(kind, Some(value.to_string()));
        match Filter::new(&one, &[]) {
            Ok(_) => out.set(kind, Some(value.to_string())),
            Err(e) => errors.push(SettingError { path: format!("filters.{}", kind.key()), message: e.reason() }),
        }
    }
    (out, errors)
}

/// Whether a settings value says anything: `null`, `{}` and
/// `{"pprof": {}}` do not, and leave the settings as they were.
pub fn is_empty(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => true,
        serde_json::Value::Object(o) => o.is_empty() || (o.len() == 1 && o.get("pprof").is_some_and(is_empty)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The settings read from `value`, which must have no errors.
    fn clean(value: serde_json::Value) -> Config {
        let (config, errors) = Config::from_json(&value);
        assert!(errors.is_empty(), "{errors:?}");
        config
    }

    fn error_texts(value: serde_json::Value) -> (Config, Vec<String>) {
        let (config, errors) = Config::from_json(&value);
        (config, errors.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn defaults_and_partial_objects() {
        assert_eq!(clean(json!(null)), Config::default());
        let c = clean(json!({"pprof": {"sampleType": "alloc_space", "hints": {"minCumPercent": 0}}}));
        assert_eq!(c.sample_type.as_deref(), Some("alloc_space"));
        assert_eq!(c.hints.min_cum_percent, 0.0);
        assert_eq!(c.hints.min_flat_percent, 0.1);
        let c = clean(json!({"pathMappings": [{"from": "D:\\w", "to": "/src"}], "server": {"path": "x"}}));
        assert_eq!(c.path_mappings[0].from, "D:\\w");
    }

    #[test]
    fn empty_strings_mean_unset() {
        let c = clean(json!({"sampleType": "", "goroot": " "}));
        assert_eq!((c.sample_type, c.goroot), (None, None));
    }

    #[test]
    fn empty_settings_say_nothing() {
        assert!(is_empty(&json!(null)));
        assert!(is_empty(&json!({})));
        assert!(is_empty(&json!({"pprof": {}})));
        assert!(!is_empty(&json!({"pprof": {"watch": false}})));
        assert!(!is_empty(&json!({"hints": {}})));
    }

    #[test]
    fn a_bad_value_keeps_its_default_and_the_rest_applies() {
        let (c, errors) = error_texts(json!({"hints": {"format": "loud", "minCumPercent": 2.5}, "watch": false}));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("hints.format: unknown variant `loud`"), "{errors:?}");
        assert_eq!(c.hints.format, HintConfig::default().format);
        assert_eq!(c.hints.min_cum_percent, 2.5);
        assert!(!c.watch);
    }

    #[test]
    fn a_list_entry_of_another_shape_is_named_by_its_position() {
        let (c, errors) = error_texts(json!({
            "profiles": [{"name": "x"}, "heap.pb.gz", 7, {"path": "old.pb.gz", "revision": "v1.2.0"}],
            "refreshSeconds": 3,
        }));
        let expected = ENTRY_SHAPES;
        assert_eq!(errors, [
            format!("profiles[0]: unknown field `name`, expected one of `path`, `revision`, `binary`; {expected}"),
            format!("profiles[2]: 7 is not a profile; {expected}"),
        ]);
        assert_eq!(c.profiles, [
            ProfileSetting::from("heap.pb.gz"),
            ProfileSetting::Entry { path: "old.pb.gz".into(), revision: Some("v1.2.0".into()), binary: None },
        ]);
        assert_eq!(c.refresh_seconds, 3);
    }

    #[test]
    fn wrong_types_are_named_with_their_path() {
        let (c, errors) = error_texts(json!({"refreshSeconds": "often", "hints": "none", "history": 5}));
        // Keys are read in name order.
        assert_eq!(errors, [
            "hints: invalid type: string \"none\", expected an object",
            "refreshSeconds: invalid type: string \"often\", expected a whole number of 0 or more",
        ]);
        assert_eq!((c.refresh_seconds, c.history), (Config::default().refresh_seconds, 5));
        assert_eq!(c.hints, HintConfig::default());
    }

    #[test]
    fn a_bad_filter_is_dropped_and_named_with_its_settings_key() {
        let (c, errors) = error_texts(json!({"filters": {"showFrom": "(x", "focus": "catalog", "hide": " "}}));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("filters.showFrom: bad regular expression \"(x\""), "{errors:?}");
        assert_eq!(c.filters.focus.as_deref(), Some("catalog"));
        assert_eq!((c.filters.show_from.as_deref(), c.filters.hide.as_deref()), (None, None));
    }

    #[test]
    fn settings_that_are_not_an_object_are_refused_whole() {
        let (c, errors) = error_texts(json!(["x"]));
        assert_eq!(c, Config::default());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("pprof: expected an object"), "{errors:?}");
    }
}
