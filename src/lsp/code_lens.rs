//! `textDocument/codeLens`: each profiled function's flat and cum on its
//! declaration line (the lens runs `pprof.showFunction`); and above each
//! test and benchmark of a `_test.go` file, `profile: mem · cpu` (running
//! `pprof.runBenchmark`) and the result of its last run.

use serde::Serialize;
use tower_lsp_server::ls_types::*;

use crate::analysis::annotate;
use crate::gotest;
use crate::report::labels;
use crate::source::gotest::ProfileKind;

use super::convert;
use super::documents::Document;
use super::locate::{self, declaration_line};
use super::protocol::{command, BenchKind, RunBenchmarkArgs, ShowFunctionArgs};
use super::runs::RunKey;
use super::snapshot::Snapshot;
use super::failure::Result;

pub fn handle(snapshot: &Snapshot, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
    let uri = &params.text_document.uri;
    let Some(doc) = snapshot.documents.get(uri) else { return Ok(Some(Vec::new())) };
    if !snapshot.config.lenses.enabled {
        return Ok(Some(Vec::new()));
    }
    let mut out = run_lenses(snapshot, uri, doc);
    out.extend(cost_lenses(snapshot, uri, doc));
    Ok(Some(out))
}

/// `profile: mem · cpu` above each test and benchmark, and the last run's
/// result (clicking it runs the benchmark again).
fn run_lenses(snapshot: &Snapshot, uri: &Uri, doc: &Document) -> Vec<CodeLens> {
    if !uri.as_str().ends_with("_test.go") {
        return Vec::new();
    }
    let Some(dir) = convert::uri_to_path(uri).and_then(|p| p.parent().map(|d| d.to_path_buf())) else { return Vec::new() };
    let mut out = Vec::new();
    for func in gotest::scan(doc.text()) {
        let position = Position::new(func.line as u32, 0);
        let lens = |title: String, kind: BenchKind| {
            let args = RunBenchmarkArgs { uri: uri.as_str().to_string(), name: func.name.clone(), line: None, kind };
            lens_at(position, title, command::RUN_BENCHMARK, &args)
        };
        out.push(lens(labels::RUN_MEM_LENS.into(), BenchKind::Mem));
        out.push(lens(labels::RUN_CPU_LENS.into(), BenchKind::Cpu));
        let key = RunKey { dir: dir.clone(), name: func.name.clone() };
        if let (Some(last), previous) = snapshot.runs.last_two_results(&key) {
            let Some(result) = &last.result else { continue };
            let mut title = labels::bench_result(result);
            if let Some(change) = previous.and_then(|p| labels::bench_change(p.result.as_ref()?, result)) {
                title.push(' ');
                title.push_str(&change);
            }
            let kind = match last.kind {
                ProfileKind::Mem => BenchKind::Mem,
                ProfileKind::Cpu => BenchKind::Cpu,
            };
            out.push(lens(title, kind));
        }
    }
    out
}

/// Each profiled function's costs on its declaration line.
fn cost_lenses(snapshot: &Snapshot, uri: &Uri, doc: &Document) -> Vec<CodeLens> {
    let Some(view) = snapshot.active() else { return Vec::new() };
    let files = &view.files_for(uri);
    if files.is_empty() {
        return Vec::new();
    }
    let t = view.sample_type();
    let total = view.total();
    let threshold = snapshot.config.hints.threshold();
    let revision = locate::revision_lines(snapshot, uri);
    let mut out = Vec::new();
    for f in annotate::file_functions(view.index(), files) {
        let cost = f.costs[t.0];
        if !threshold.passes(cost, total) {
            continue;
        }
        let Some(line) = declaration_line(doc, revision, &f) else { continue };
        let position = Position::new(line as u32, 0);
        let args = ShowFunctionArgs { function: view.index().function(f.function).name.clone(), notify: None };
        out.push(lens_at(position, view.scale().lens(cost), command::SHOW_FUNCTION, &args));
    }
    out
}

/// A lens at `position` running `command` with `args`, one of the
/// protocol's argument types.
fn lens_at(position: Position, title: String, command: &str, args: &impl Serialize) -> CodeLens {
    CodeLens {
        range: Range::new(position, position),
        command: Some(Command { title, command: command.into(), arguments: serde_json::to_value(args).ok().map(|a| vec![a]) }),
        data: None,
    }
}
