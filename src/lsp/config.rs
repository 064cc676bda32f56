//! The server's settings: one object, taken from `initializationOptions`
//! and from the `pprof` settings section. Unknown keys are ignored so
//! clients can keep their own (such as `server.path`) beside these.

use serde::{Deserialize, Serialize};

use crate::analysis::annotate::Threshold;
use crate::analysis::Filters;
use crate::paths::PathMapping;
use crate::report::labels::HintFormat;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Config {
    /// Profiles to load: paths (relative to the first workspace folder),
    /// globs, or `http(s)://` URLs. Empty means: discover them.
    pub profiles: Vec<String>,
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
        GrowthConfig { min_percent_per_minute: 1.0 }
    }
}

impl GrowthConfig {
    /// Whether a flat growth of `per_minute` passes, given the total.
    pub fn passes(&self, per_minute: f64, total: i64) -> bool {
        per_minute > 0.0 && per_minute >= total.unsigned_abs() as f64 * self.min_percent_per_minute / 100.0
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

impl Config {
    /// Reads settings, accepting either the object itself or one wrapped
    /// in a `pprof` key (as some clients send `didChangeConfiguration`).
    pub fn from_json(value: &serde_json::Value) -> Result<Config, String> {
        let inner = match value.get("pprof") {
            Some(v) if v.is_object() => v,
            _ => value,
        };
        if inner.is_null() {
            return Ok(Config::default());
        }
        let mut config: Config =
            serde_json::from_value(inner.clone()).map_err(|e| format!("invalid pprof settings: {e}"))?;
        // Settings editors often store "unset" as an empty string.
        for field in [&mut config.sample_type, &mut config.goroot, &mut config.diff_base] {
            if field.as_deref().is_some_and(|v| v.trim().is_empty()) {
                *field = None;
            }
        }
        Ok(config)
    }
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

    #[test]
    fn defaults_and_partial_objects() {
        assert_eq!(Config::from_json(&json!(null)).unwrap(), Config::default());
        let c = Config::from_json(&json!({"pprof": {"sampleType": "alloc_space", "hints": {"minCumPercent": 0}}})).unwrap();
        assert_eq!(c.sample_type.as_deref(), Some("alloc_space"));
        assert_eq!(c.hints.min_cum_percent, 0.0);
        assert_eq!(c.hints.min_flat_percent, 0.1);
        let c = Config::from_json(&json!({"pathMappings": [{"from": "D:\\w", "to": "/src"}], "server": {"path": "x"}})).unwrap();
        assert_eq!(c.path_mappings[0].from, "D:\\w");
    }

    #[test]
    fn empty_strings_mean_unset() {
        let c = Config::from_json(&json!({"sampleType": "", "goroot": " "})).unwrap();
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
    fn bad_values_are_reported() {
        let err = Config::from_json(&json!({"hints": {"format": "loud"}})).unwrap_err();
        assert!(err.starts_with("invalid pprof settings: unknown variant `loud`"), "{err}");
    }
}
