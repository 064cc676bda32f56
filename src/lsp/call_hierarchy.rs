//! Call hierarchy from the profile's caller→callee edges, each call's cost
//! (for the active sample type) in `detail`.

use rustc_hash::FxHashMap;
use serde_json::json;
use tower_lsp_server::ls_types::*;

use crate::analysis::{units, FuncId};

use super::locate;
use super::server::Backend;
use super::state::{LoadedProfile, Snapshot};

pub fn prepare(backend: &Backend, params: CallHierarchyPrepareParams) -> Option<Vec<CallHierarchyItem>> {
    let snapshot = backend.session.snapshot();
    let loaded = snapshot.active()?;
    let uri = &params.text_document_position_params.text_document.uri;
    let files = snapshot.files_for(uri);
    let f = locate::function_at(backend, loaded, files, uri, params.text_document_position_params.position.line)?;
    let cost = loaded.index.function_cost(f, snapshot.sample_type);
    Some(vec![item(backend, &snapshot, loaded, f, label(&snapshot, loaded, cost.cum))?])
}

pub fn incoming(backend: &Backend, params: CallHierarchyIncomingCallsParams) -> Option<Vec<CallHierarchyIncomingCall>> {
    let snapshot = backend.session.snapshot();
    let loaded = snapshot.active()?;
    let target = from_item(loaded, &params.item)?;
    let calls = calls(&snapshot, loaded, target, Direction::Incoming);
    Some(
        calls
            .into_iter()
            .filter_map(|(caller, weight, sites)| {
                let from = item(backend, &snapshot, loaded, caller, label(&snapshot, loaded, weight))?;
                let from_ranges = sites.iter().map(|&l| locate::line_range(locate::current_line(backend, &from.uri, l))).collect();
                Some(CallHierarchyIncomingCall { from, from_ranges })
            })
            .collect(),
    )
}

pub fn outgoing(backend: &Backend, params: CallHierarchyOutgoingCallsParams) -> Option<Vec<CallHierarchyOutgoingCall>> {
    let snapshot = backend.session.snapshot();
    let loaded = snapshot.active()?;
    let source = from_item(loaded, &params.item)?;
    let calls = calls(&snapshot, loaded, source, Direction::Outgoing);
    Some(
        calls
            .into_iter()
            .filter_map(|(callee, weight, sites)| {
                let to = item(backend, &snapshot, loaded, callee, label(&snapshot, loaded, weight))?;
                let from_ranges =
                    sites.iter().map(|&l| locate::line_range(locate::current_line(backend, &params.item.uri, l))).collect();
                Some(CallHierarchyOutgoingCall { to, from_ranges })
            })
            .collect(),
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Incoming,
    Outgoing,
}

/// The functions calling (or called by) `f`, with the summed edge weight
/// and the call-site lines in the calling function, heaviest first.
fn calls(snapshot: &Snapshot, loaded: &LoadedProfile, f: FuncId, direction: Direction) -> Vec<(FuncId, i64, Vec<i64>)> {
    let index = &loaded.index;
    let t = snapshot.sample_type;
    let mut by_function: FxHashMap<FuncId, (i64, Vec<i64>)> = FxHashMap::default();
    let graph = loaded.calls();
    for (i, edge) in graph.edges().iter().enumerate() {
        let (Some(caller), Some(callee)) = (index.node(edge.caller).function, index.node(edge.callee).function) else {
            continue;
        };
        if caller == callee {
            continue;
        }
        let (me, other) = match direction {
            Direction::Incoming => (callee, caller),
            Direction::Outgoing => (caller, callee),
        };
        if me != f {
            continue;
        }
        let weight = graph.weight(i, t);
        if weight == 0 {
            continue;
        }
        let entry = by_function.entry(other).or_default();
        entry.0 += weight;
        let site = index.node(edge.caller).line;
        if !entry.1.contains(&site) {
            entry.1.push(site);
        }
    }
    let mut out: Vec<_> = by_function.into_iter().map(|(f, (w, mut sites))| {
        sites.sort_unstable();
        (f, w, sites)
    }).collect();
    out.sort_by(|a, b| b.1.abs().cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
    out
}

fn label(snapshot: &Snapshot, loaded: &LoadedProfile, value: i64) -> String {
    let t = snapshot.sample_type;
    let ty = &loaded.index.sample_types()[t.0];
    format!("{} {} ({})", units::label(value, &ty.unit), ty.name, units::percent(value, loaded.index.total(t)))
}

fn item(backend: &Backend, snapshot: &Snapshot, loaded: &LoadedProfile, f: FuncId, detail: String) -> Option<CallHierarchyItem> {
    let info = loaded.index.function(f);
    let file = info.file.map(|id| loaded.index.file(id).to_string());
    let (uri, line) = locate::function_location(backend, snapshot, loaded, f).or_else(|| {
        // Unmapped functions still appear, at the path the profile names.
        let uri = super::convert::foreign_path_uri(file.as_deref()?)?;
        Some((uri, (info.start_line.max(1) - 1) as u32))
    })?;
    let range = locate::line_range(line);
    Some(CallHierarchyItem {
        name: info.name.clone(),
        kind: SymbolKind::FUNCTION,
        tags: None,
        detail: Some(detail),
        uri,
        range,
        selection_range: range,
        data: Some(json!({ "function": info.name, "file": file })),
    })
}

fn from_item(loaded: &LoadedProfile, item: &CallHierarchyItem) -> Option<FuncId> {
    let data = item.data.as_ref();
    let name = data.and_then(|d| d.get("function")).and_then(|v| v.as_str()).unwrap_or(&item.name);
    let file = data.and_then(|d| d.get("file")).and_then(|v| v.as_str());
    locate::function_named(loaded, name, file)
}
