//! Diagnostics: lines of a live source that grow past the threshold as
//! Warnings (`diagnostics.growth`), and the hottest lines (of local files)
//! as Information (`diagnostics.hotLines`), so they land in the editor's
//! problem list. A function of the snapshot: the session
//! publishes what changed.

use rustc_hash::FxHashMap;
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Position, Range, Uri};

use crate::analysis::annotate;

use super::convert;
use super::{goroutines, locate};
use crate::report::labels;
use super::snapshot::Snapshot;

/// The `source` of every diagnostic the server publishes.
pub const SOURCE: &str = "pprof";

/// Every diagnostic the snapshot calls for, by document.
pub fn of(snapshot: &Snapshot) -> FxHashMap<Uri, Vec<Diagnostic>> {
    let mut out: FxHashMap<Uri, Vec<Diagnostic>> = FxHashMap::default();
    for (uri, d) in snapshot.build_errors.iter() {
        out.entry(uri.clone()).or_default().push(d.clone());
    }
    let Some(view) = snapshot.active() else { return out };
    let settings = &snapshot.config.diagnostics;
    if settings.hot_lines {
        let index = view.index();
        let scale = view.scale();
        // The hottest lines that can be shown: lines of files that map to
        // no local file are passed over.
        let mapped = annotate::hottest_lines(index, view.sample_type(), usize::MAX).into_iter().filter_map(|(id, cost)| {
            let line = index.line(id);
            let local = view.paths().files.local_for(index.file(line.file))?;
            Some((convert::local_uri(local)?, line.line, cost))
        });
        for (uri, line, cost) in mapped.take(settings.hot_line_count) {
            let at = locate::current_line(snapshot, &uri, line);
            out.entry(uri).or_default().push(Diagnostic {
                range: Range::new(Position::new(at, 0), Position::new(at, u32::MAX)),
                severity: Some(DiagnosticSeverity::INFORMATION),
                code: Some(NumberOrString::String("hot-line".into())),
                source: Some(SOURCE.into()),
                message: labels::hot_line(&scale.hint(cost)),
                ..Default::default()
            });
        }
    }
    if settings.growth {
        if let Some(growth) = snapshot.growth_of(view) {
            let unit = &view.value_type().unit;
            let total = view.total();
            // Lines of the user's files only: a growing runtime line (where
            // goroutines park, say) is not the place to fix anything.
            let growing = growth.rows.iter().take_while(|r| snapshot.config.growth.threshold().passes(r.flat_per_minute, total));
            for row in growing.filter(|r| view.in_workspace(&r.file)) {
                let Some(uri) = locate::uri_for(view, &row.file) else { continue };
                let at = locate::current_line(snapshot, &uri, row.line);
                out.entry(uri).or_default().push(Diagnostic {
                    range: Range::new(Position::new(at, 0), Position::new(at, u32::MAX)),
                    severity: Some(DiagnosticSeverity::WARNING),
                    code: Some(NumberOrString::String("growth".into())),
                    source: Some(SOURCE.into()),
                    message: labels::growth_warning(row.flat_per_minute, unit),
                    ..Default::default()
                });
            }
        }
    }
    for (uri, mut d) in goroutines::diagnostics(snapshot, view) {
        d.source = Some(SOURCE.into());
        out.entry(uri).or_default().push(d);
    }
    for list in out.values_mut() {
        list.sort_by_key(|d| d.range.start.line);
    }
    out
}
