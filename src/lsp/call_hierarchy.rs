//! Call hierarchy from the profile's caller→callee edges between functions,
//! each call's cost (for the shown sample type) in `detail`.

use serde_json::json;
use tower_lsp_server::ls_types::*;

use crate::analysis::{Direction, FuncId, FunctionCall};

use super::locate;
use super::snapshot::{Snapshot, View};
use super::{convert};
use super::failure::Result;

pub fn prepare(snapshot: &Snapshot, params: CallHierarchyPrepareParams) -> Result<Option<Vec<CallHierarchyItem>>> {
    let Some(view) = snapshot.active() else { return Ok(None) };
    let at = &params.text_document_position_params;
    let files = &view.files_for(&at.text_document.uri);
    let Some(f) = locate::function_at(snapshot, view, files, &at.text_document.uri, at.position.line) else {
        return Ok(None);
    };
    let cost = view.index().function_cost(f, view.sample_type());
    Ok(item(snapshot, view, f, cost.cum).map(|i| vec![i]))
}

pub fn incoming(snapshot: &Snapshot, params: CallHierarchyIncomingCallsParams) -> Result<Option<Vec<CallHierarchyIncomingCall>>> {
    let Some((view, calls)) = calls(snapshot, &params.item, Direction::Incoming) else { return Ok(None) };
    Ok(Some(
        calls
            .into_iter()
            .filter_map(|call| {
                let from = item(snapshot, view, call.function, call.weight)?;
                let from_ranges = sites(snapshot, &from.uri, &call.sites);
                Some(CallHierarchyIncomingCall { from, from_ranges })
            })
            .collect(),
    ))
}

pub fn outgoing(snapshot: &Snapshot, params: CallHierarchyOutgoingCallsParams) -> Result<Option<Vec<CallHierarchyOutgoingCall>>> {
    let Some((view, calls)) = calls(snapshot, &params.item, Direction::Outgoing) else { return Ok(None) };
    Ok(Some(
        calls
            .into_iter()
            .filter_map(|call| {
                let to = item(snapshot, view, call.function, call.weight)?;
                let from_ranges = sites(snapshot, &params.item.uri, &call.sites);
                Some(CallHierarchyOutgoingCall { to, from_ranges })
            })
            .collect(),
    ))
}

fn calls<'s>(snapshot: &'s Snapshot, item: &CallHierarchyItem, direction: Direction) -> Option<(&'s View, Vec<FunctionCall>)> {
    let view = snapshot.active()?;
    let f = from_item(view, item)?;
    Some((view, view.loaded().calls().function_calls(f, view.sample_type(), direction)))
}

fn sites(snapshot: &Snapshot, uri: &Uri, lines: &[i64]) -> Vec<Range> {
    lines.iter().map(|&l| locate::line_range(locate::current_line(snapshot, uri, l))).collect()
}

fn item(snapshot: &Snapshot, view: &View, f: FuncId, weight: i64) -> Option<CallHierarchyItem> {
    let index = view.index();
    let info = index.function(f);
    let file = info.file.map(|id| index.file(id).to_string());
    let (uri, line) = locate::function_location(snapshot, view, f).or_else(|| {
        // Unmapped functions still appear, at the path the profile names.
        let uri = convert::foreign_path_uri(file.as_deref()?)?;
        Some((uri, (info.start_line.max(1) - 1) as u32))
    })?;
    let range = locate::line_range(line);
    Some(CallHierarchyItem {
        name: info.name.clone(),
        kind: SymbolKind::FUNCTION,
        tags: None,
        detail: Some(view.scale().call(weight)),
        uri,
        range,
        selection_range: range,
        data: Some(json!({ "function": info.name, "file": file })),
    })
}

fn from_item(view: &View, item: &CallHierarchyItem) -> Option<FuncId> {
    let data = item.data.as_ref();
    let name = data.and_then(|d| d.get("function")).and_then(|v| v.as_str()).unwrap_or(&item.name);
    let file = data.and_then(|d| d.get("file")).and_then(|v| v.as_str());
    locate::function_named(view, name, file)
}
