//! `textDocument/inlayHint`: flat and cum at the end of each hot line.

use tower_lsp_server::ls_types::*;

use crate::analysis::annotate::{self, LineCosts};
use crate::analysis::SampleType;
use crate::report::labels;

use super::config::StaleHints;
use super::{convert, goroutines, locate};
use super::snapshot::{Snapshot, View};
use super::failure::Result;

pub fn handle(snapshot: &Snapshot, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
    let uri = &params.text_document.uri;
    let hints = &snapshot.config.hints;
    let (Some(view), Some(doc)) = (snapshot.active(), snapshot.documents.get(uri)) else { return Ok(Some(Vec::new())) };
    let files = &view.files_for(uri);
    if !hints.enabled {
        return Ok(Some(Vec::new()));
    }
    let t = view.sample_type();
    let total = view.total();
    let threshold = hints.threshold();
    let range = params.range;
    let growth = snapshot.growth_of(view);
    let unit = &view.value_type().unit;
    let revision = locate::revision_lines(snapshot, uri);

    let mut out = Vec::new();
    for line in annotate::file_lines(view.index(), files) {
        let cost = line.costs[t.0];
        if line.line < 1 || !threshold.passes(cost, total) {
            continue;
        }
        let Some(place) = locate::place_in(revision, Some(doc), line.line) else { continue };
        if place.stale && hints.stale == StaleHints::Hide {
            continue;
        }
        let current = place.line as u32;
        if current < range.start.line || current > range.end.line {
            continue;
        }
        let Some(position) = convert::end_of_line(doc, place.line, snapshot.caps.encoding) else { continue };
        let mut label = view.scale().hint_in(hints.format, cost);
        if place.stale {
            let since_revision = revision.and_then(|m| m.place(line.line as usize - 1)).is_some_and(|p| p.stale);
            match &view.paths().revision.revision {
                Some(r) if since_revision => label.push_str(&labels::stale_since_revision(&r.short)),
                _ => label.push_str(labels::STALE_SUFFIX),
            }
        }
        out.push(InlayHint {
            position,
            label: InlayHintLabel::String(label),
            kind: None,
            text_edits: None,
            tooltip: Some(InlayHintTooltip::MarkupContent(tooltip(view, &line))),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
        // A growing line gets the mark as a hint of its own, so editors
        // that shorten long hints keep it whole.
        if let Some((row, g)) = growth.and_then(|g| Some((snapshot.growing(g, view, files, line.line)?, g))) {
            out.push(InlayHint {
                position,
                label: InlayHintLabel::String(labels::growth_mark(row.flat_per_minute, unit)),
                kind: None,
                text_edits: None,
                tooltip: Some(InlayHintTooltip::String(labels::growth_row(row.flat_per_minute, unit, g.snapshots, g.seconds))),
                padding_left: Some(true),
                padding_right: None,
                data: None,
            });
        }
    }
    // Where goroutines block and which `go` statements started them.
    for mark in goroutines::marks(snapshot, view, uri) {
        if mark.line < range.start.line || mark.line > range.end.line {
            continue;
        }
        let Some(position) = convert::end_of_line(doc, mark.line as usize, snapshot.caps.encoding) else { continue };
        out.push(InlayHint {
            position,
            label: InlayHintLabel::String(mark.label),
            kind: None,
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    Ok(Some(out))
}

/// Every sample type's values for the line.
fn tooltip(view: &View, line: &LineCosts) -> MarkupContent {
    let rows: Vec<String> =
        line.costs.iter().enumerate().map(|(t, cost)| format!("- {}", view.scale_of(SampleType(t)).row(*cost))).collect();
    MarkupContent {
        kind: MarkupKind::Markdown,
        value: format!("**pprof** · {}\n\n{}", labels::line_heading(&view.loaded().source.display_name(), line.line), rows.join("\n")),
    }
}
