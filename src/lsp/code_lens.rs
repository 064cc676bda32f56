//! `textDocument/codeLens`: each profiled function's flat and cum on its
//! declaration line. The lens runs `pprof.showFunction`.

use serde_json::json;
use tower_lsp_server::ls_types::*;

use crate::analysis::annotate::{self, FunctionCosts};

use super::documents::Document;
use super::protocol::command;
use super::snapshot::Snapshot;
use super::Result;

pub fn handle(snapshot: &Snapshot, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
    let uri = &params.text_document.uri;
    let (Some(view), Some(doc)) = (snapshot.active(), snapshot.documents.get(uri)) else { return Ok(Some(Vec::new())) };
    let files = &view.files_for(uri);
    if !snapshot.config.lenses.enabled || files.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let t = view.sample_type();
    let total = view.total();
    let threshold = snapshot.config.hints.threshold();
    let mut out = Vec::new();
    for f in annotate::file_functions(view.index(), files) {
        let cost = f.costs[t.0];
        if !threshold.passes(cost, total) {
            continue;
        }
        let Some(line) = declaration_line(doc, &f) else { continue };
        let position = Position::new(line as u32, 0);
        out.push(CodeLens {
            range: Range::new(position, position),
            command: Some(Command {
                title: view.scale().lens(cost),
                command: command::SHOW_FUNCTION.into(),
                arguments: Some(vec![json!({ "function": view.index().function(f.function).name })]),
            }),
            data: None,
        });
    }
    Ok(Some(out))
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
