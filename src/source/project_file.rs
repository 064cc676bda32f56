//! The project configuration file: `pprof-lsp.toml` (or `.pprof-lsp.toml`)
//! at a workspace root holds the server's settings, in the same keys as
//! the editor's `pprof` settings (`profiles`, `pathMappings`, `filters`,
//! …). This module finds and reads it into the very JSON object the
//! editor would send, remembers where each value is written (line and
//! column) so a bad one can be pointed at, and merges it under the
//! editor's settings key by key. What the keys mean is the settings'
//! business (`lsp::config`), not this module's.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The names looked for at each root, in order.
pub const FILE_NAMES: [&str; 2] = ["pprof-lsp.toml", ".pprof-lsp.toml"];

/// A read project file.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectFile {
    pub path: PathBuf,
    /// The settings object, as the editor would send it.
    pub value: Value,
    /// `(settings path, line, column)`: where each value starts, 1-based;
    /// a path is as settings errors name it (`hints.format`, `profiles[2]`).
    positions: Vec<(String, usize, usize)>,
}

/// A file that is not TOML: where and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", path.display())]
pub struct SyntaxError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The first project file at the first root that has one.
pub fn find(roots: &[PathBuf]) -> Option<PathBuf> {
    roots.iter().flat_map(|root| FILE_NAMES.iter().map(move |name| root.join(name))).find(|p| p.is_file())
}

/// Reads the project file of `roots`, if there is one.
pub fn load(roots: &[PathBuf]) -> Result<Option<ProjectFile>, SyntaxError> {
    let Some(path) = find(roots) else { return Ok(None) };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| SyntaxError { path: path.clone(), line: 1, column: 1, message: e.to_string() })?;
    parse(&path, &text).map(Some)
}

/// Reads `text` (the contents of `path`).
pub fn parse(path: &Path, text: &str) -> Result<ProjectFile, SyntaxError> {
    let value: Value = toml::from_str(text).map_err(|e| {
        let (line, column) = line_column(text, e.span().map_or(0, |s| s.start));
        SyntaxError { path: path.to_path_buf(), line, column, message: e.message().trim().to_string() }
    })?;
    let mut positions = Vec::new();
    if let Ok(table) = toml::de::DeTable::parse(text) {
        walk_table(text, table.get_ref(), "", &mut positions);
    }
    Ok(ProjectFile { path: path.to_path_buf(), value, positions })
}

impl ProjectFile {
    /// Where the value at a settings path is written, as `line:column`;
    /// for a path inside a value (`profiles[2].revision`), its nearest
    /// written parent.
    pub fn position(&self, settings_path: &str) -> (usize, usize) {
        let mut path = settings_path;
        loop {
            if let Some(&(_, line, column)) = self.positions.iter().find(|(p, _, _)| p == path) {
                return (line, column);
            }
            match path.rfind(['.', '[']) {
                Some(at) => path = &path[..at],
                None => return (1, 1),
            }
        }
    }

    /// `path:line:column: <settings path>`, the place of a settings error.
    pub fn place(&self, settings_path: &str) -> String {
        let (line, column) = self.position(settings_path);
        format!("{}:{line}:{column}: {settings_path}", self.path.display())
    }

    /// The keys that `known` (the settings with their defaults) has not,
    /// at the top and in sections (objects of `known`), as settings paths.
    pub fn unknown_keys(&self, known: &Value) -> Vec<String> {
        let mut out = Vec::new();
        unknown(&self.value, known, "", &mut out);
        out
    }

    /// Takes the value at a settings path out of the file's settings, so
    /// the rest applies without it.
    pub fn remove(&mut self, settings_path: &str) {
        remove_path(&mut self.value, settings_path);
    }
}

/// The editor's settings over the file's, key by key: a key the editor
/// sets replaces the file's (objects such as `hints` merge the same way,
/// one level down at a time; lists are replaced whole). Either may be
/// wrapped in a `pprof` key, as some clients send settings.
pub fn merge(file: &Value, editor: &Value) -> Value {
    fn unwrap(v: &Value) -> &Value {
        match v.get("pprof") {
            Some(inner) if inner.is_object() => inner,
            _ => v,
        }
    }
    match (unwrap(file), unwrap(editor)) {
        (Value::Object(base), Value::Object(over)) => {
            let mut out = base.clone();
            for (key, value) in over {
                let merged = match (out.get(key), value) {
                    (Some(b @ Value::Object(_)), Value::Object(_)) => merge(b, value),
                    _ => value.clone(),
                };
                out.insert(key.clone(), merged);
            }
            Value::Object(out)
        }
        (file, Value::Null) => file.clone(),
        (_, editor) => editor.clone(),
    }
}

fn unknown(value: &Value, known: &Value, prefix: &str, out: &mut Vec<String>) {
    let (Value::Object(fields), Value::Object(known)) = (value, known) else { return };
    for (key, field) in fields {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match known.get(key) {
            None => out.push(path),
            // Sections (`hints`): their keys are known too; a section whose
            // defaults list no keys is not checked.
            Some(section @ Value::Object(keys)) if !keys.is_empty() => unknown(field, section, &path, out),
            Some(_) => {}
        }
    }
}

fn remove_path(value: &mut Value, settings_path: &str) {
    let (parent, last) = match settings_path.rfind(['.', '[']) {
        Some(at) => (&settings_path[..at], &settings_path[at..]),
        None => ("", settings_path),
    };
    let Some(parent_value) = lookup(value, parent) else { return };
    if let Some(index) = last.strip_prefix('[').and_then(|i| i.strip_suffix(']')).and_then(|i| i.parse::<usize>().ok()) {
        if let Some(list) = parent_value.as_array_mut().filter(|l| index < l.len()) {
            list.remove(index);
        }
    } else if let Some(object) = parent_value.as_object_mut() {
        object.remove(last.trim_start_matches('.'));
    }
}

fn lookup<'v>(value: &'v mut Value, path: &str) -> Option<&'v mut Value> {
    if path.is_empty() {
        return Some(value);
    }
    let mut here = value;
    for part in path.split('.') {
        let (key, indices) = part.split_once('[').map_or((part, ""), |(k, rest)| (k, rest));
        if !key.is_empty() {
            here = here.get_mut(key)?;
        }
        for index in indices.split('[').filter(|s| !s.is_empty()) {
            here = here.get_mut(index.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(here)
}

fn walk_table(text: &str, table: &toml::de::DeTable<'_>, prefix: &str, out: &mut Vec<(String, usize, usize)>) {
    for (key, value) in table {
        let path = if prefix.is_empty() { key.get_ref().to_string() } else { format!("{prefix}.{}", key.get_ref()) };
        let (line, column) = line_column(text, key.span().start);
        out.push((path.clone(), line, column));
        walk_value(text, value, &path, out);
    }
}

fn walk_value(text: &str, value: &toml::Spanned<toml::de::DeValue<'_>>, path: &str, out: &mut Vec<(String, usize, usize)>) {
    match value.get_ref() {
        toml::de::DeValue::Table(table) => walk_table(text, table, path, out),
        toml::de::DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let item_path = format!("{path}[{i}]");
                let (line, column) = line_column(text, item.span().start);
                out.push((item_path.clone(), line, column));
                walk_value(text, item, &item_path, out);
            }
        }
        _ => {}
    }
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(text: &str) -> ProjectFile {
        parse(Path::new("pprof-lsp.toml"), text).unwrap()
    }

    #[test]
    fn reads_the_settings_object_and_where_each_value_is() {
        let file = parsed("refreshSeconds = 5\nprofiles = [\"a.pb.gz\", { path = \"b.pb.gz\", revision = \"v1\" }]\n\n[hints]\nformat = \"loud\"\n");
        assert_eq!(file.value, json!({"refreshSeconds": 5, "profiles": ["a.pb.gz", {"path": "b.pb.gz", "revision": "v1"}], "hints": {"format": "loud"}}));
        assert_eq!(file.position("hints.format"), (5, 1));
        assert_eq!(file.position("profiles[1]"), (2, 24));
        assert_eq!(file.position("profiles[1].binary"), (2, 24));
        assert_eq!(file.place("refreshSeconds"), "pprof-lsp.toml:1:1: refreshSeconds");
    }

    #[test]
    fn a_syntax_error_has_its_line_and_column() {
        let e = parse(Path::new("p.toml"), "watch = true\nhints = {\n").unwrap_err();
        assert_eq!((e.line, e.column > 0), (2, true), "{e}");
        assert!(e.to_string().starts_with("p.toml:2:"), "{e}");
    }

    #[test]
    fn unknown_keys_at_the_top_and_in_sections() {
        let file = parsed("refreshSecond = 5\n[hints]\nenabled = true\nloud = 1\n");
        let known = json!({"refreshSeconds": 15, "hints": {"enabled": true}});
        assert_eq!(file.unknown_keys(&known), ["hints.loud", "refreshSecond"]);
    }

    #[test]
    fn editor_settings_override_key_by_key() {
        let file = json!({"refreshSeconds": 5, "hints": {"enabled": false, "format": "flat"}, "profiles": ["a"]});
        let editor = json!({"pprof": {"hints": {"format": "cum"}, "profiles": ["b"]}});
        assert_eq!(merge(&file, &editor), json!({"refreshSeconds": 5, "hints": {"enabled": false, "format": "cum"}, "profiles": ["b"]}));
        assert_eq!(merge(&file, &Value::Null), file);
        assert_eq!(merge(&Value::Null, &json!({"watch": false})), json!({"watch": false}));
    }

    #[test]
    fn a_bad_value_can_be_taken_out() {
        let mut file = parsed("profiles = [\"a\", 7, \"c\"]\n[hints]\nformat = \"loud\"\nenabled = true\n");
        file.remove("profiles[1]");
        file.remove("hints.format");
        assert_eq!(file.value, json!({"profiles": ["a", "c"], "hints": {"enabled": true}}));
    }
}
