//! `workspace/symbol`: profiled functions, hottest first, each at its
//! mapped declaration. The hot-entries list any client can jump from.

use tower_lsp_server::ls_types::*;

use crate::analysis::ranking;

use super::locate;
use super::snapshot::Snapshot;
use super::failure::Result;

/// Most symbols returned for one query.
const LIMIT: usize = 200;

#[allow(deprecated)]
pub fn handle(snapshot: &Snapshot, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
    let Some(view) = snapshot.active() else { return Ok(None) };
    let (index, t) = (view.index(), view.sample_type());
    let query = params.query.to_lowercase();
    let functions = ranking::functions_by_cost(index, t)
        .into_iter()
        .filter(|(f, _)| matches(&index.function(*f).name.to_lowercase(), &query));
    let symbols = functions
        .filter_map(|(f, cost)| {
            let (uri, line) = locate::function_location(snapshot, view, f)?;
            Some(SymbolInformation {
                name: index.function(f).name.clone(),
                kind: SymbolKind::FUNCTION,
                tags: None,
                deprecated: None,
                location: Location { uri, range: locate::line_range(line) },
                container_name: Some(view.scale().hint(cost)),
            })
        })
        .take(LIMIT)
        .collect();
    Ok(Some(WorkspaceSymbolResponse::Flat(symbols)))
}

/// Case-insensitive: a substring, or failing that the query's characters
/// in order (`catinit` finds `catalog.init`).
fn matches(name: &str, query: &str) -> bool {
    if query.is_empty() || name.contains(query) {
        return true;
    }
    let mut chars = name.chars();
    query.chars().all(|q| chars.any(|c| c == q))
}

#[cfg(test)]
mod tests {
    #[test]
    fn fuzzy_matching() {
        assert!(super::matches("pprofdemo/internal/catalog.init.0", "catalog"));
        assert!(super::matches("pprofdemo/internal/catalog.init.0", "catinit"));
        assert!(!super::matches("main.main", "catalog"));
    }
}
