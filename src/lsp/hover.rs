//! `textDocument/hover` on a line with data: every sample type's flat and
//! cum, and the heaviest call stacks through the line.

use std::fmt::Write;

use tower_lsp_server::ls_types::*;

use crate::analysis::leaks::Site;
use crate::analysis::stacks::Frame;
use crate::analysis::{annotate, Cost, FileId, SampleType};
use crate::source::load::ProfileSource;
use crate::report::labels;

use super::locate;
use super::snapshot::{Snapshot, View};
use super::failure::Result;

/// How many frames of each stack a hover shows.
const FRAMES: usize = 12;

pub fn handle(snapshot: &Snapshot, params: HoverParams) -> Result<Option<Hover>> {
    let Some(view) = snapshot.active() else { return Ok(None) };
    let uri = &params.text_document_position_params.text_document.uri;
    let files = &view.files_for(uri);
    if files.is_empty() {
        return Ok(None);
    }
    let index = view.index();
    let line = locate::profile_line_at(snapshot, uri, params.text_document_position_params.position.line);
    let Some(costs) = annotate::file_lines(index, files).into_iter().find(|l| l.line == line) else { return Ok(None) };
    let loaded = view.loaded();
    let mut text = format!("**pprof** · {}\n\n", labels::line_heading(&loaded.source.display_name(), line));
    if locate::changed_since_revision(snapshot, uri, line) {
        if let Some(revision) = &view.paths().revision.revision {
            let _ = writeln!(text, "- {}", labels::changed_since_revision(&revision.short));
        }
    }
    for (t, cost) in costs.costs.iter().enumerate() {
        let _ = writeln!(text, "- {}", view.scale_of(SampleType(t)).row(*cost));
    }
    if let Some(growth) = snapshot.growth_of(view) {
        if let Some(row) = view.line_growth(growth, files, line) {
            let row = labels::growth_row(row.flat_per_minute, &view.value_type().unit, growth.snapshots, growth.seconds);
            let _ = writeln!(text, "- {row}");
        }
    }
    source_rows(&mut text, view, files, line, costs.costs[view.sample_type().0]);
    let stacks = loaded.stacks_through(&annotate::lines_at(index, files, line), view.sample_type());
    if !stacks.is_empty() {
        let ty = view.value_type();
        let _ = write!(text, "\n**{}** ({})\n", labels::STACKS_HEADING, ty.name);
        for (i, stack) in stacks.iter().enumerate() {
            let _ = writeln!(text, "\n{}. {}\n", i + 1, view.scale().share(stack.value));
            for frame in frames(view, &stack.frames) {
                let _ = writeln!(text, "   - {frame}");
            }
        }
    }
    goroutine_section(&mut text, view, uri, line);
    Ok(Some(Hover { contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: text }), range: None }))
}

/// How many sources of a merged profile a hover lists.
const SOURCE_ROWS: usize = 5;

/// For a merged profile, how much of the line each source holds, largest
/// first: `replica 127.0.0.1:6061: 12MB (40 %)`. A line that one replica
/// alone holds is the replica that leaks. The share is of the line's flat,
/// or of its cum for a line without flat. Not for a diff or with filters,
/// where the sources' own values would not add up to those shown.
fn source_rows(text: &mut String, view: &View, files: &[FileId], line: i64, merged: Cost) {
    let loaded = view.loaded();
    let ProfileSource::Merged(source) = &loaded.source else { return };
    if loaded.parts.is_empty() || view.is_diff() || !loaded.filters.is_empty() {
        return;
    }
    let use_flat = merged.flat != 0;
    let whole = if use_flat { merged.flat } else { merged.cum };
    if whole == 0 {
        return;
    }
    let names: Vec<&str> = files.iter().map(|&f| view.index().file(f)).collect();
    let type_name = &view.value_type().name;
    let mut rows: Vec<(&str, i64)> = loaded
        .parts
        .iter()
        .filter_map(|part| {
            let t = SampleType(part.index.sample_types().iter().position(|v| &v.name == type_name)?);
            let ids: Vec<FileId> = names.iter().filter_map(|n| annotate::file_named(&part.index, n)).collect();
            let costs = annotate::lines_at(&part.index, &ids, line).into_iter().map(|id| part.index.line_cost(id, t));
            let value: i64 = costs.map(|c| if use_flat { c.flat } else { c.cum }).sum();
            (value != 0).then_some((part.name.as_str(), value))
        })
        .collect();
    rows.sort_by(|a, b| b.1.abs().cmp(&a.1.abs()).then_with(|| a.0.cmp(b.0)));
    let _ = writeln!(text, "\n**{}**\n", labels::by_source_heading(source.noun(), use_flat));
    for (name, value) in rows.iter().take(SOURCE_ROWS) {
        let percent = *value as f64 * 100.0 / whole as f64;
        let _ = writeln!(text, "- {}", labels::source_share(source.noun(), name, &view.scale().value(*value), percent));
    }
    if rows.len() > SOURCE_ROWS {
        let _ = writeln!(text, "- {}", labels::more_sources(rows.len() - SOURCE_ROWS, source.noun()));
    }
}

/// For a goroutine profile, the goroutines that block at this line: how
/// many, in what state, the `go` statement that started them (linked) and
/// up to five of their stacks.
fn goroutine_section(text: &mut String, view: &View, uri: &Uri, line: i64) {
    let Some(g) = view.goroutines() else { return };
    let here = |site: &Site| site.line == line && locate::uri_for(view, &site.file).is_some_and(|u| &u == uri);
    let rows: Vec<_> = g.rows.iter().filter(|r| here(&r.blocking)).collect();
    if rows.is_empty() {
        return;
    }
    let _ = write!(text, "\n**{}**\n", labels::goroutines_heading(g.leaks));
    for row in rows {
        let _ = write!(text, "\n- {}", labels::leak_warning(row.count, row.state.as_deref(), row.wait_minutes, None));
        if let Some(site) = &row.created_at {
            let _ = write!(text, "; started at {}", frame_link(view, &site.function, &site.file, site.line));
        }
        let _ = writeln!(text);
        for (i, (stack, count)) in row.stacks.iter().enumerate() {
            let _ = writeln!(text, "\n   {}. {count}\n", i + 1);
            for frame in stack.iter().take(FRAMES) {
                let _ = writeln!(text, "      - {}", frame_link(view, &frame.function, &frame.file, frame.line));
            }
            if stack.len() > FRAMES {
                let _ = writeln!(text, "      - {}", labels::more_frames(stack.len() - FRAMES));
            }
        }
    }
}

/// `function file:line`, linked to the line when the file maps.
fn frame_link(view: &View, function: &str, file: &str, line: i64) -> String {
    let text = labels::frame(function, file, line);
    match locate::uri_for(view, file) {
        Some(uri) => format!("[{}]({}#L{})", escape(&text), uri.as_str(), line),
        None => format!("`{text}`"),
    }
}

/// `function file:line` per frame, innermost first, linked when mapped.
fn frames(view: &View, frames: &[Frame]) -> Vec<String> {
    let mut out: Vec<String> = frames
        .iter()
        .take(FRAMES)
        .map(|f| {
            let Some(function) = &f.function else { return format!("`{}`", labels::address(f.address)) };
            frame_link(view, function, &f.file, f.line)
        })
        .collect();
    if frames.len() > FRAMES {
        out.push(labels::more_frames(frames.len() - FRAMES));
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('[', "\\[").replace(']', "\\]").replace('*', "\\*").replace('_', "\\_")
}
