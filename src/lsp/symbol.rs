//! `workspace/symbol`: profiled functions, hottest first, each at its
//! mapped declaration. The hot-entries list any client can jump from.

use tower_lsp_server::ls_types::*;

use crate::analysis::annotate;

use super::locate;
use super::server::Backend;

/// Most symbols returned for one query.
const LIMIT: usize = 200;

#[allow(deprecated)]
pub fn handle(backend: &Backend, params: WorkspaceSymbolParams) -> Option<WorkspaceSymbolResponse> {
    let snapshot = backend.session.snapshot();
    let loaded = snapshot.active()?;
    let t = snapshot.sample_type;
    let ty = &loaded.index.sample_types()[t.0];
    let total = loaded.index.total(t);
    let query = params.query.to_lowercase();
    let mut functions: Vec<_> = loaded
        .index
        .function_ids()
        .map(|f| (f, loaded.index.function_cost(f, t)))
        .filter(|(_, c)| !c.is_zero())
        .filter(|(f, _)| matches(&loaded.index.function(*f).name.to_lowercase(), &query))
        .collect();
    functions.sort_by(|a, b| b.1.cum.abs().cmp(&a.1.cum.abs()).then_with(|| b.1.flat.abs().cmp(&a.1.flat.abs())));
    let symbols = functions
        .into_iter()
        .filter_map(|(f, cost)| {
            let (uri, line) = locate::function_location(backend, &snapshot, loaded, f)?;
            Some(SymbolInformation {
                name: loaded.index.function(f).name.clone(),
                kind: SymbolKind::FUNCTION,
                tags: None,
                deprecated: None,
                location: Location { uri, range: locate::line_range(line) },
                container_name: Some(annotate::hint_label(cost, total, &ty.unit)),
            })
        })
        .take(LIMIT)
        .collect();
    Some(WorkspaceSymbolResponse::Flat(symbols))
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
