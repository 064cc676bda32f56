//! From profile coordinates (profile file name, 1-based line) to editor
//! coordinates (URI, 0-based current line), in two steps: from the
//! profile's revision to the file on disk (when the file changed since;
//! `source::revision`), then through the unsaved edits of an open
//! document; and back, from a cursor to the function under it.

use tower_lsp_server::ls_types::{Position, Range, Uri};

use crate::analysis::annotate::{self, FunctionCosts};
use crate::analysis::{FileId, FuncId};
use crate::paths::{LineMap, LocalPath, Place};

use super::convert;
use super::documents::Document;
use super::snapshot::{Snapshot, View};

/// The local file a profile file maps to, as a URI.
pub fn uri_for(view: &View, profile_file: &str) -> Option<Uri> {
    convert::local_uri(&view.local_file(profile_file)?)
}

/// The line map of the file at `uri` from the shown profile's revision to
/// the disk, when the revision is known and the file changed since.
pub fn revision_lines<'s>(snapshot: &'s Snapshot, uri: &Uri) -> Option<&'s LineMap> {
    let view = snapshot.view.as_deref()?;
    let path = convert::uri_to_path(uri)?;
    view.paths().lines_of(&LocalPath::from_path(&path))
}

/// Where a 1-based profile line is now (0-based): through `revision` (the
/// file's changes since the profile's revision), then `doc`'s edits.
/// `None` when the line is gone; stale when either step changed its text.
pub fn place_in(revision: Option<&LineMap>, doc: Option<&Document>, profile_line: i64) -> Option<Place> {
    let recorded = (profile_line.max(1) - 1) as usize;
    let on_disk = match revision {
        Some(map) => map.place(recorded)?,
        None => Place { line: recorded, stale: false },
    };
    match doc {
        Some(doc) => doc.place(on_disk.line).map(|p| Place { line: p.line, stale: p.stale || on_disk.stale }),
        None => Some(on_disk),
    }
}

/// Where a 1-based profile line of `uri` is now; `None` when it is gone.
pub fn place(snapshot: &Snapshot, uri: &Uri, profile_line: i64) -> Option<Place> {
    place_in(revision_lines(snapshot, uri), snapshot.documents.get(uri), profile_line)
}

/// Whether a 1-based profile line's text changed between the profile's
/// revision and the disk.
pub fn changed_since_revision(snapshot: &Snapshot, uri: &Uri, profile_line: i64) -> bool {
    revision_lines(snapshot, uri).and_then(|m| m.place((profile_line.max(1) - 1) as usize)).is_some_and(|p| p.stale)
}

/// The current 0-based line of a 1-based profile line in `uri`, for what
/// must point somewhere (a jump, a list row): where the line is now, else
/// (it was deleted) where the nearest line above it is, else where it was.
pub fn current_line(snapshot: &Snapshot, uri: &Uri, profile_line: i64) -> u32 {
    let (revision, doc) = (revision_lines(snapshot, uri), snapshot.documents.get(uri));
    let recorded = profile_line.max(1);
    let nearest = (1..=recorded).rev().take(200).find_map(|l| place_in(revision, doc, l));
    nearest.map_or(recorded as u32 - 1, |p| p.line as u32)
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
    let revision = revision_lines(snapshot, &uri);
    if let Some(line) = snapshot.documents.get(&uri).and_then(|doc| declaration_line(doc, revision, &costs)) {
        return Some((uri, line as u32));
    }
    let line = if info.start_line > 0 { info.start_line } else { costs.first_line };
    let current = current_line(snapshot, &uri, line);
    Some((uri, current))
}

/// The profile line (1-based) shown at a cursor line of a document: back
/// through its edits, then through the changes since the profile's
/// revision; -1 for a line the profile cannot have seen.
pub fn profile_line_at(snapshot: &Snapshot, uri: &Uri, cursor_line: u32) -> i64 {
    let on_disk = match snapshot.documents.get(uri) {
        Some(doc) => doc.baseline_line(cursor_line as usize),
        None => Some(cursor_line as usize),
    };
    let recorded = match (on_disk, revision_lines(snapshot, uri)) {
        (Some(line), Some(map)) => map.old_line(line),
        (line, None) => line,
        (None, _) => None,
    };
    recorded.map_or(-1, |l| l as i64 + 1)
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
/// line (both through the changes since the profile's revision).
pub fn declaration_line(doc: &Document, revision: Option<&LineMap>, f: &FunctionCosts) -> Option<usize> {
    if f.start_line > 0 {
        if let Some(place) = place_in(revision, Some(doc), f.start_line) {
            return Some(place.line);
        }
    }
    let first = place_in(revision, Some(doc), f.first_line.max(1))?.line;
    (0..=first).rev().find(|&l| doc.line(l).is_some_and(|text| text.starts_with("func ")))
}
