//! `pprof.heat`: each hot line of a document with its shade, for clients
//! that colour lines. The levels are computed here so every client shades
//! the same lines the same way.

use tower_lsp_server::ls_types::Uri;

use crate::analysis::annotate;

use super::super::locate;
use super::super::protocol::{HeatArgs, LineHeat};
use super::super::snapshot::Snapshot;
use super::super::failure::Result;

pub fn handle(snapshot: &Snapshot, args: HeatArgs) -> Result<Vec<LineHeat>> {
    if args.uri.is_empty() {
        return Err("pprof.heat needs {\"uri\": …}".into());
    }
    let uri: Uri = args.uri.parse().map_err(|_| format!("not a URI: {}", args.uri))?;
    let (Some(view), Some(doc)) = (snapshot.active(), snapshot.documents.get(&uri)) else { return Ok(Vec::new()) };
    let t = view.sample_type();
    let total = view.total();
    let threshold = snapshot.config.hints.threshold();
    let revision = locate::revision_lines(snapshot, &uri);
    let lines: Vec<(usize, crate::analysis::Cost)> = annotate::file_lines(view.index(), &view.files_for(&uri))
        .into_iter()
        .filter(|l| l.line >= 1 && threshold.passes(l.costs[t.0], total))
        .filter_map(|l| {
            let place = locate::place_in(revision, Some(doc), l.line).filter(|p| !p.stale)?;
            Some((place.line, l.costs[t.0]))
        })
        .collect();
    let cums: Vec<i64> = lines.iter().map(|(_, c)| c.cum).collect();
    Ok(lines
        .iter()
        .zip(annotate::heat(&cums))
        .filter(|(_, h)| h.level > 0)
        .map(|((line, cost), h)| LineHeat { line: *line as u32, level: h.level, heat: h.share, flat: cost.flat, cum: cost.cum })
        .collect())
}
