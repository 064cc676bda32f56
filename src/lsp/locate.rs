//! From profile coordinates (profile file name, 1-based line) to editor
//! coordinates (URI, 0-based current line), following edits in open
//! documents; and back, from a cursor to the function under it.

use tower_lsp_server::ls_types::{Position, Range, Uri};

use crate::analysis::annotate::{self, FunctionCosts};
use crate::analysis::{FileId, FuncId};

use super::convert;
use super::documents::Document;
use super::snapshot::{Snapshot, View};

/// The local file a profile file maps to, as a URI.
pub fn uri_for(view: &View, profile_file: &str) -> Option<Uri> {
    convert::local_uri(&view.local_file(profile_file)?)
}

/// The current 0-based line of a 1-based profile line in `uri`.
pub fn current_line(snapshot: &Snapshot, uri: &Uri, profile_line: i64) -> u32 {
    let baseline = (profile_line.max(1) - 1) as usize;
    match snapshot.documents.get(uri) {
        Some(doc) => doc.place(baseline).map_or(baseline, |p| p.line) as u32,
        None => baseline as u32,
    }
}

pub fn line_range(line: u32) -> Range {
    Range::new(Position::new(line, 0), Position::new(line, 0))
}

/// Where to jump to for a function: its declaration in its mapped file.
pub fn function_location(snapshot: &Snapshot, view: &View, f: FuncId) -> Option<(Uri, u32)> {
    let index = view.index();
    let info = index.function(f);
    let uri = uri_for(view, index.file(info.file?))?;
    let first = index.nodes_of_function(f).iter().map(|&n| index.node(n).line).filter(|&l| l > 0).min();
    let costs = FunctionCosts { function: f, start_line: info.start_line, first_line: first.unwrap_or(1), costs: Vec::new() };
    if let Some(line) = snapshot.documents.get(&uri).and_then(|doc| declaration_line(doc, &costs)) {
        return Some((uri, line as u32));
    }
    let line = if info.start_line > 0 { info.start_line } else { costs.first_line };
    let current = current_line(snapshot, &uri, line);
    Some((uri, current))
}

/// The profile line (1-based) shown at a cursor line of an open document.
pub fn profile_line_at(snapshot: &Snapshot, uri: &Uri, cursor_line: u32) -> i64 {
    match snapshot.documents.get(uri) {
        Some(doc) => doc.baseline_line(cursor_line as usize).map_or(-1, |l| l as i64 + 1),
        None => cursor_line as i64 + 1,
    }
}

/// The function whose body holds the cursor: one with a sampled node on
/// that line, else the nearest declared above it.
pub fn function_at(snapshot: &Snapshot, view: &View, files: &[FileId], uri: &Uri, cursor_line: u32) -> Option<FuncId> {
    let index = view.index();
    let line = profile_line_at(snapshot, uri, cursor_line);
    let functions = annotate::file_functions(index, files);
    let on_line = functions
        .iter()
        .find(|f| index.nodes_of_function(f.function).iter().any(|&n| index.node(n).line == line));
    if let Some(f) = on_line {
        return Some(f.function);
    }
    let start = |f: &FunctionCosts| if f.start_line > 0 { f.start_line } else { f.first_line };
    functions.iter().filter(|f| start(f) <= line).max_by_key(|f| start(f)).map(|f| f.function)
}

/// Finds a function by name (and profile file name, when given).
pub fn function_named(view: &View, name: &str, file: Option<&str>) -> Option<FuncId> {
    let index = view.index();
    index.function_ids().find(|&f| {
        let info = index.function(f);
        info.name == name && file.is_none_or(|want| info.file.is_some_and(|id| index.file(id) == want))
    })
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
