//! `textDocument/hover` on a line with data: every sample type's flat and
//! cum, and the heaviest call stacks through the line.

use std::fmt::Write;

use rustc_hash::FxHashMap;
use tower_lsp_server::ls_types::*;

use crate::analysis::{annotate, units, SampleType};
use crate::profile::LocationIdx;

use super::locate;
use super::server::Backend;
use super::state::{LoadedProfile, Snapshot};

/// How many stacks a hover shows, and how many frames of each.
const STACKS: usize = 5;
const FRAMES: usize = 12;

pub fn handle(backend: &Backend, params: HoverParams) -> Option<Hover> {
    let snapshot = backend.session.snapshot();
    let loaded = snapshot.active()?;
    let uri = &params.text_document_position_params.text_document.uri;
    let files = snapshot.files_for(uri);
    if files.is_empty() {
        return None;
    }
    let cursor = params.text_document_position_params.position.line;
    let line = locate::profile_line_at(backend, uri, cursor);
    let costs = annotate::file_lines(&loaded.index, files).into_iter().find(|l| l.line == line)?;
    let t = snapshot.sample_type;
    let mut text = format!("**pprof** · {} · line {line}\n\n", loaded.source.display_name());
    for row in annotate::all_types_summary(&loaded.index, &costs.costs) {
        let _ = writeln!(text, "- {row}");
    }
    let names: Vec<&str> = files.iter().map(|&f| loaded.index.file(f)).collect();
    let stacks = stacks_through(loaded, &names, line, t);
    if !stacks.is_empty() {
        let ty = &loaded.index.sample_types()[t.0];
        let _ = write!(text, "\n**Top call stacks through this line** ({})\n", ty.name);
        for (i, (stack, value)) in stacks.iter().enumerate() {
            let _ = writeln!(
                text,
                "\n{}. {} ({})\n",
                i + 1,
                units::label(*value, &ty.unit),
                units::percent(*value, loaded.index.total(t))
            );
            for frame in frames(&snapshot, loaded, stack) {
                let _ = writeln!(text, "   - {frame}");
            }
        }
    }
    Some(Hover { contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: text }), range: None })
}

/// The heaviest distinct stacks (leaf first) whose frames include the line.
fn stacks_through(loaded: &LoadedProfile, files: &[&str], line: i64, t: SampleType) -> Vec<(Vec<LocationIdx>, i64)> {
    let p = &loaded.profile;
    let touches: Vec<bool> = p
        .locations
        .iter()
        .map(|loc| {
            loc.lines.iter().any(|l| l.line == line && files.contains(&p.function(l.function).filename.as_str()))
        })
        .collect();
    let mut by_stack: FxHashMap<&[LocationIdx], i64> = FxHashMap::default();
    for s in p.iter_samples() {
        let value = s.values.get(t.0).copied().unwrap_or(0);
        if value != 0 && s.locations.iter().any(|l| touches[l.get()]) {
            *by_stack.entry(s.locations).or_default() += value;
        }
    }
    let mut stacks: Vec<(Vec<LocationIdx>, i64)> = by_stack.into_iter().map(|(k, v)| (k.to_vec(), v)).collect();
    stacks.sort_by(|a, b| b.1.abs().cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
    stacks.truncate(STACKS);
    stacks
}

/// `function file:line` per frame, innermost first, linked when mapped.
fn frames(snapshot: &Snapshot, loaded: &LoadedProfile, stack: &[LocationIdx]) -> Vec<String> {
    let p = &loaded.profile;
    let mut out = Vec::new();
    for &loc in stack {
        let loc = p.location(loc);
        if loc.lines.is_empty() {
            out.push(format!("`{:#x}`", loc.address));
        }
        for l in &loc.lines {
            let f = p.function(l.function);
            let short = f.filename.rsplit(['/', '\\']).next().unwrap_or(&f.filename);
            let text = format!("{} {short}:{}", f.name, l.line);
            out.push(match locate::uri_for(snapshot, &f.filename) {
                Some(uri) => format!("[{}]({}#L{})", escape(&text), uri.as_str(), l.line),
                None => format!("`{text}`"),
            });
        }
    }
    if out.len() > FRAMES {
        let hidden = out.len() - FRAMES;
        out.truncate(FRAMES);
        out.push(format!("… {hidden} more"));
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('[', "\\[").replace(']', "\\]").replace('*', "\\*").replace('_', "\\_")
}
