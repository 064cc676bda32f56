//! `textDocument/inlayHint`: flat and cum at the end of each hot line.

use tower_lsp_server::ls_types::*;

use crate::analysis::annotate::{self, LineCosts};
use crate::analysis::{units, Cost};

use super::config::{HintFormat, StaleHints};
use super::convert;
use super::server::Backend;
use super::state::LoadedProfile;

pub fn handle(backend: &Backend, params: InlayHintParams) -> Option<Vec<InlayHint>> {
    let snapshot = backend.session.snapshot();
    let Some(loaded) = snapshot.active() else { return Some(Vec::new()) };
    let hints = &snapshot.config.hints;
    let files = snapshot.files_for(&params.text_document.uri);
    if !hints.enabled || files.is_empty() {
        return Some(Vec::new());
    }
    let doc = backend.session.documents.get(&params.text_document.uri)?;
    let encoding = backend.session.caps().encoding;
    let t = snapshot.sample_type;
    let unit = &loaded.index.sample_types()[t.0].unit;
    let total = loaded.index.total(t);
    let threshold = hints.threshold();
    let range = params.range;

    let mut out = Vec::new();
    for line in annotate::file_lines(&loaded.index, files) {
        let cost = line.costs[t.0];
        if line.line < 1 || !threshold.passes(cost, total) {
            continue;
        }
        let Some(place) = doc.place(line.line as usize - 1) else { continue };
        if place.stale && hints.stale == StaleHints::Hide {
            continue;
        }
        let current = place.line as u32;
        if current < range.start.line || current > range.end.line {
            continue;
        }
        let Some(position) = convert::end_of_line(&doc, place.line, encoding) else { continue };
        let mut label = label(hints.format, cost, total, unit);
        if place.stale {
            label.push_str(" (stale: line edited since the profile was loaded)");
        }
        out.push(InlayHint {
            position,
            label: InlayHintLabel::String(label),
            kind: None,
            text_edits: None,
            tooltip: Some(InlayHintTooltip::MarkupContent(tooltip(loaded, &line))),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    Some(out)
}

fn label(format: HintFormat, cost: Cost, total: i64, unit: &str) -> String {
    match format {
        HintFormat::FlatCum => annotate::hint_label(cost, total, unit),
        HintFormat::Cum => format!("{} cum ({})", units::label(cost.cum, unit), units::percent(cost.cum, total)),
        HintFormat::Flat => format!("{} flat ({})", units::label(cost.flat, unit), units::percent(cost.flat, total)),
    }
}

/// Every sample type's values for the line.
fn tooltip(loaded: &LoadedProfile, line: &LineCosts) -> MarkupContent {
    let rows: Vec<String> = annotate::all_types_summary(&loaded.index, &line.costs)
        .into_iter()
        .map(|row| format!("- {row}"))
        .collect();
    MarkupContent {
        kind: MarkupKind::Markdown,
        value: format!("**{}** line {}\n\n{}", loaded.source.display_name(), line.line, rows.join("\n")),
    }
}
