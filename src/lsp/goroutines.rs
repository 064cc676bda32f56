//! Goroutines in the editor's coordinates: the marks on the lines where
//! goroutines block and on the `go` statements that started them, the
//! Warnings of leaked ones, and the rows of `pprof.leaks`, all read from
//! [`View::goroutines`] and placed through the open documents' edits. A
//! live source's growth of the goroutine type read adds how fast each
//! grows.

use tower_lsp_server::ls_types::{Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range, Uri};

use crate::analysis::leaks::{self, Goroutines, Site};
use crate::analysis::Growth;
use crate::report::{self, labels};

use super::locate;
use super::protocol::{LeakSite, Leaks};
use super::snapshot::{Snapshot, View};

/// The diagnostics' code for leaked goroutines.
pub const LEAK_CODE: &str = "goroutine-leak";

/// The growth of the goroutine type `goroutines` counts, when the shown
/// source is live.
fn growth<'s>(snapshot: &'s Snapshot, view: &View, goroutines: &Goroutines) -> Option<&'s Growth> {
    let live = snapshot.live.as_deref().filter(|l| l.source == view.loaded().source)?;
    live.growth.get(&goroutines.sample_type).map(|g| g.as_ref())
}

/// A mark at the end of a line of a document.
pub struct Mark {
    /// 0-based, in the document as it is now.
    pub line: u32,
    pub label: String,
}

/// The goroutine marks of the document at `uri`: `⊘ N leaked` where leaked
/// goroutines block, `⇢ started N …` at the `go` statements (each with
/// `▲ N/min` while a live source shows growth).
pub fn marks(snapshot: &Snapshot, view: &View, uri: &Uri) -> Vec<Mark> {
    let Some(g) = view.goroutines() else { return Vec::new() };
    let growth = growth(snapshot, view, g);
    let in_document = |site: &Site| locate::uri_for(view, &site.file).is_some_and(|u| &u == uri);
    let with_growth = |mut label: String, rate: Option<f64>| {
        if let Some(rate) = rate.filter(|r| *r > 0.0) {
            label.push(' ');
            label.push_str(&labels::goroutines_growth(rate));
        }
        label
    };
    let blocking = if g.leaks { g.blocking_lines(growth) } else { Vec::new() };
    let mut out: Vec<Mark> = blocking
        .into_iter()
        .filter(|c| in_document(&c.site))
        .filter_map(|c| {
            let line = locate::place(snapshot, uri, c.site.line)?.line as u32;
            Some(Mark { line, label: with_growth(labels::leak_mark(c.count), c.per_minute) })
        })
        .chain(g.creation_sites(growth).into_iter().filter(|c| in_document(&c.site)).filter_map(|c| {
            Some(Mark {
                line: locate::place(snapshot, uri, c.site.line)?.line as u32,
                label: with_growth(labels::started_mark(c.count, g.leaks), c.per_minute),
            })
        }))
        .collect();
    out.sort_by(|a, b| a.line.cmp(&b.line).then_with(|| a.label.cmp(&b.label)));
    out
}

/// A site as the protocol names it, with its URI and current line when
/// it maps to a local file.
fn leak_site(snapshot: &Snapshot, view: &View, site: &Site) -> LeakSite {
    let uri = locate::uri_for(view, &site.file);
    let line = uri.as_ref().map_or(site.line, |u| i64::from(locate::current_line(snapshot, u, site.line)) + 1);
    let file = view.local_file(&site.file).unwrap_or_else(|| site.file.clone());
    LeakSite { uri: uri.map(|u| u.as_str().to_string()), file, line, function: site.function.clone() }
}

/// `pprof.leaks`' answer: every group, most goroutines first.
pub fn rows(snapshot: &Snapshot, view: &View) -> Option<Leaks> {
    let g = view.goroutines()?;
    let growth = growth(snapshot, view, g);
    Some(report::leaks::report(g, &|site| leak_site(snapshot, view, site), &|site| leaks::growth_at(growth, site)))
}

/// A Warning on each line where leaked goroutines block, pointing at the
/// `go` statement that started them. Published whenever a leak profile
/// is shown: a leak is a defect, so no setting turns it on.
pub fn diagnostics(snapshot: &Snapshot, view: &View) -> Vec<(Uri, Diagnostic)> {
    let Some(g) = view.goroutines().filter(|g| g.leaks) else { return Vec::new() };
    let mut out = Vec::new();
    for row in &g.rows {
        let Some(uri) = locate::uri_for(view, &row.blocking.file) else { continue };
        let at = locate::current_line(snapshot, &uri, row.blocking.line);
        let started = row.created_at.as_ref().map(|s| (s.file.as_str(), s.line));
        let related = row.created_at.as_ref().and_then(|site| {
            let uri = locate::uri_for(view, &site.file)?;
            let line = locate::current_line(snapshot, &uri, site.line);
            Some(vec![DiagnosticRelatedInformation {
                location: Location { uri, range: Range::new(Position::new(line, 0), Position::new(line, u32::MAX)) },
                message: labels::started_here(row.count, &site.function, true),
            }])
        });
        out.push((uri, Diagnostic {
            range: Range::new(Position::new(at, 0), Position::new(at, u32::MAX)),
            severity: Some(DiagnosticSeverity::WARNING),
            code: Some(NumberOrString::String(LEAK_CODE.into())),
            message: labels::leak_warning(row.count, row.state.as_deref(), row.wait_minutes, started),
            related_information: related,
            ..Default::default()
        }));
    }
    out
}
