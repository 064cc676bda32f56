//! `pprof.heat`: each hot line of a document with its share of the
//! hottest line, for clients that colour lines. Clients only bucket these
//! numbers; all cost logic stays here.

use serde_json::{json, Value};
use tower_lsp_server::ls_types::Uri;

use crate::analysis::annotate;

use super::server::Backend;

/// `{"uri": …}` → `[{"line": 0-based current line, "heat": 0..1, "cum": …, "flat": …}]`.
pub fn file_heat(backend: &Backend, arg: &Value) -> Value {
    let snapshot = backend.session.snapshot();
    let Some(loaded) = snapshot.active() else { return json!([]) };
    let Some(uri) = arg.get("uri").and_then(Value::as_str).and_then(|u| u.parse::<Uri>().ok()) else {
        return json!([]);
    };
    let files = snapshot.files_for(&uri);
    let Some(doc) = backend.session.documents.get(&uri) else { return json!([]) };
    let t = snapshot.sample_type;
    let total = loaded.index.total(t);
    let threshold = snapshot.config.hints.threshold();
    let lines: Vec<_> = annotate::file_lines(&loaded.index, files)
        .into_iter()
        .filter(|l| l.line >= 1 && threshold.passes(l.costs[t.0], total))
        .filter_map(|l| Some((doc.current_line(l.line as usize - 1)?, l.costs[t.0])))
        .collect();
    let hottest = lines.iter().map(|(_, c)| c.cum.abs()).max().unwrap_or(0).max(1);
    Value::Array(
        lines
            .into_iter()
            .map(|(line, c)| json!({ "line": line, "heat": c.cum.abs() as f64 / hottest as f64, "cum": c.cum, "flat": c.flat }))
            .collect(),
    )
}
