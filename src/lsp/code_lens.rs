//! `textDocument/codeLens`: each profiled function's flat and cum on its
//! declaration line. The lens runs `pprof.showFunction`.

use serde_json::json;
use tower_lsp_server::ls_types::*;

use crate::analysis::annotate::{self, FunctionCosts};

use super::documents::Document;
use super::server::Backend;

/// The command a lens runs; clients may bind their own UI to it.
pub const SHOW_FUNCTION: &str = "pprof.showFunction";

pub fn handle(backend: &Backend, params: CodeLensParams) -> Option<Vec<CodeLens>> {
    let snapshot = backend.session.snapshot();
    let Some(loaded) = snapshot.active() else { return Some(Vec::new()) };
    let files = snapshot.files_for(&params.text_document.uri);
    if !snapshot.config.lenses.enabled || files.is_empty() {
        return Some(Vec::new());
    }
    let doc = backend.session.documents.get(&params.text_document.uri)?;
    let t = snapshot.sample_type;
    let ty = &loaded.index.sample_types()[t.0];
    let total = loaded.index.total(t);
    let threshold = snapshot.config.hints.threshold();
    let mut out = Vec::new();
    for f in annotate::file_functions(&loaded.index, files) {
        let cost = f.costs[t.0];
        if !threshold.passes(cost, total) {
            continue;
        }
        let Some(line) = declaration_line(&doc, &f) else { continue };
        let info = loaded.index.function(f.function);
        let title = format!("{} · callers", annotate::function_label(&ty.name, cost, total, &ty.unit));
        let position = Position::new(line as u32, 0);
        out.push(CodeLens {
            range: Range::new(position, position),
            command: Some(Command {
                title,
                command: SHOW_FUNCTION.into(),
                arguments: Some(vec![json!({ "function": info.name })]),
            }),
            data: None,
        });
    }
    Some(out)
}

/// The current line of a function's declaration: the profile's start line
/// if it has one, else the nearest `func` line above its first sampled
/// line.
pub fn declaration_line(doc: &Document, f: &FunctionCosts) -> Option<usize> {
    if f.start_line > 0 {
        if let Some(place) = doc.place(f.start_line as usize - 1) {
            return Some(place.line);
        }
    }
    let first = doc.place((f.first_line.max(1) - 1) as usize)?.line;
    (0..=first).rev().find(|&l| doc.line(l).is_some_and(|text| text.starts_with("func ")))
}
