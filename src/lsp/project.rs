//! The project file (`pprof-lsp.toml`) as settings: read from the
//! workspace roots, checked against [`Config`] (an unknown key or a value
//! of the wrong type is named with its line and column, and left out so
//! the rest applies), and put under the editor's settings, which override
//! it key by key. The language server, the CLI and `pprof-lsp mcp` all
//! read settings through here.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::analysis::filter::FilterKind;
use crate::source::discover::{self, DiscoverOptions};
use crate::source::fs::RealFs;
use crate::source::load::ProfileSource;
use crate::source::project_file;
use crate::source::workspace::{self, ScanOptions};
use crate::paths::PathMapper;

use super::config::{Config, SettingError};

/// The project file's usable settings, and what could not be used.
#[derive(Debug, Default)]
pub struct ProjectSettings {
    pub value: Option<Value>,
    pub errors: Vec<SettingError>,
}

/// Reads the project file of `roots`, if there is one.
pub fn read(roots: &[PathBuf]) -> ProjectSettings {
    let mut file = match project_file::load(roots) {
        Ok(Some(file)) => file,
        Ok(None) => return ProjectSettings::default(),
        Err(e) => {
            let path = format!("{}:{}:{}", e.path.display(), e.line, e.column);
            return ProjectSettings { value: None, errors: vec![SettingError { path, message: e.message }] };
        }
    };
    // (line, column, error), to list them in the file's order.
    let mut errors = Vec::new();
    for key in file.unknown_keys(&known_keys()) {
        let (line, column) = file.position(&key);
        errors.push((line, column, SettingError { path: file.place(&key), message: "unknown setting".into() }));
        file.remove(&key);
    }
    let (_, bad) = Config::from_json(&file.value);
    for e in &bad {
        let (line, column) = file.position(&e.path);
        errors.push((line, column, SettingError { path: file.place(&e.path), message: e.message.clone() }));
    }
    // Later list entries first, so removing one leaves the others' places.
    for e in bad.iter().rev() {
        file.remove(&e.path);
    }
    errors.sort_by_key(|(line, column, _)| (*line, *column));
    ProjectSettings { value: Some(file.value), errors: errors.into_iter().map(|(_, _, e)| e).collect() }
}

/// The settings in force: the project file's under `editor`'s, key by key,
/// with the file's errors (the one place the two meet).
pub fn with_project_file(roots: &[PathBuf], editor: &Value) -> (Value, Vec<SettingError>) {
    let project = read(roots);
    match project.value {
        Some(file) => (project_file::merge(&file, editor), project.errors),
        None => (editor.clone(), project.errors),
    }
}

/// The settings of `roots`' project file alone, as a [`Config`], with
/// what could not be used: for the CLI and `mcp`, which have no editor.
pub fn project_config(roots: &[PathBuf]) -> (Config, Vec<SettingError>) {
    let (value, mut errors) = with_project_file(roots, &Value::Null);
    let (config, more) = Config::from_json(&value);
    errors.extend(more);
    (config, errors)
}

/// The profiles on offer without an editor (the CLI's and `mcp`'s), in
/// the order the server offers them: the settings' `profiles`, else those
/// found in `roots` with the one the editor would load first (with no file
/// open) at the front. Files are canonical.
pub fn offered_profiles(roots: &[PathBuf], config: &Config) -> Vec<ProfileSource> {
    let options = DiscoverOptions::default();
    let sources = if !config.profiles.is_empty() {
        super::config::expand_entries(&RealFs, &config.profiles, roots, &options)
    } else {
        let found = discover::discover(roots, &options);
        let mut sources: Vec<ProfileSource> = found.iter().map(|f| ProfileSource::File(f.path.clone())).collect();
        if let Some(choice) = discover::choose(&found, &[]) {
            let first = sources.remove(choice.index);
            sources.insert(0, first);
        }
        sources
    };
    sources
        .into_iter()
        .map(|s| match s {
            ProfileSource::File(p) => ProfileSource::File(p.canonicalize().unwrap_or(p)),
            other => other,
        })
        .collect()
}

/// The path mapper of `roots` without an editor (the CLI's and `mcp`'s):
/// the settings' `pathMappings`, `sourcePaths` and `goroot`, relative
/// ones taken from the first root.
pub fn path_mapper(roots: &[PathBuf], config: &Config) -> PathMapper {
    let resolve = |p: &str| match roots.first() {
        Some(root) if Path::new(p).is_relative() => root.join(p),
        _ => PathBuf::from(p),
    };
    let options = ScanOptions {
        goroot: config.goroot.as_deref().map(resolve),
        source_paths: config.source_paths.iter().map(|p| resolve(p)).collect(),
        ..ScanOptions::default()
    };
    PathMapper::new(workspace::scan(roots, &options), config.path_mappings.clone())
}

/// Every settings key, with the sections' keys: the defaults, and the
/// filters (which serialize no keys when unset).
fn known_keys() -> Value {
    let mut known = serde_json::to_value(Config::default()).unwrap_or_default();
    let filters: serde_json::Map<String, Value> = FilterKind::ALL.iter().map(|k| (k.key().to_string(), Value::Null)).collect();
    if let Some(object) = known.as_object_mut() {
        object.insert("filters".into(), Value::Object(filters));
    }
    known
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_file(text: &str) -> (tempdir::Dir, Vec<PathBuf>) {
        let dir = tempdir::Dir::new();
        std::fs::write(dir.path.join("pprof-lsp.toml"), text).unwrap();
        let roots = vec![dir.path.clone()];
        (dir, roots)
    }

    /// A directory removed when dropped.
    mod tempdir {
        pub struct Dir {
            pub path: std::path::PathBuf,
        }
        impl Dir {
            pub fn new() -> Dir {
                static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
                let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let path = std::env::temp_dir().join(format!("pprof-lsp-project-{}-{n}", std::process::id()));
                std::fs::create_dir_all(&path).unwrap();
                Dir { path }
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.path);
            }
        }
    }

    #[test]
    fn bad_keys_and_types_are_named_with_line_and_column_and_the_rest_applies() {
        let (dir, roots) = with_file("refreshSeconds = \"often\"\nhistory = 7\nfocus = \"x\"\n[filters]\nfocus = \"catalog\"\nfocuss = \"y\"\n");
        let (config, errors) = project_config(&roots);
        let file = dir.path.join("pprof-lsp.toml").display().to_string();
        let texts: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(texts, [
            format!("{file}:1:1: refreshSeconds: invalid type: string \"often\", expected a whole number of 0 or more"),
            format!("{file}:3:1: focus: unknown setting"),
            format!("{file}:6:1: filters.focuss: unknown setting"),
        ]);
        assert_eq!((config.history, config.refresh_seconds), (7, Config::default().refresh_seconds));
        assert_eq!(config.filters.focus.as_deref(), Some("catalog"));
    }

    #[test]
    fn the_editor_overrides_one_key_and_keeps_the_rest() {
        let (_dir, roots) = with_file("refreshSeconds = 3\nsampleType = \"alloc_space\"\n[[pathMappings]]\nfrom = \"D:/w\"\nto = \"/src\"\n");
        let (value, errors) = with_project_file(&roots, &serde_json::json!({"pprof": {"sampleType": "inuse_space"}}));
        assert!(errors.is_empty(), "{errors:?}");
        let (config, _) = Config::from_json(&value);
        assert_eq!(config.sample_type.as_deref(), Some("inuse_space"));
        assert_eq!(config.refresh_seconds, 3);
        assert_eq!(config.path_mappings[0].from, "D:/w");
    }

    #[test]
    fn a_syntax_error_is_one_error_and_no_settings() {
        let (_dir, roots) = with_file("hints = {\n");
        let (config, errors) = project_config(&roots);
        assert_eq!(config, Config::default());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].path.ends_with("pprof-lsp.toml:1:10") || errors[0].path.contains("pprof-lsp.toml:"), "{errors:?}");
    }
}
