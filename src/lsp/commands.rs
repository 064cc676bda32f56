//! `workspace/executeCommand`: the `pprof.*` commands. Arguments are one
//! JSON object (a bare string is accepted where a single value is
//! expected); results are JSON documented in the README.

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{ExecuteCommandParams, MessageType};

use crate::analysis::{annotate, units, SampleType};
use crate::paths::Resolution;
use crate::source::load::ProfileSource;

use super::code_lens::SHOW_FUNCTION;
use super::locate;
use super::server::Backend;
use super::state::Snapshot;
use super::{heat, loader};

pub const LOAD: &str = "pprof.load";
pub const LIST_SAMPLE_TYPES: &str = "pprof.listSampleTypes";
pub const SELECT_SAMPLE_TYPE: &str = "pprof.selectSampleType";
pub const TOP: &str = "pprof.top";
pub const UNRESOLVED: &str = "pprof.unresolved";
pub const STATUS: &str = "pprof.status";
pub const TOGGLE: &str = "pprof.toggle";
pub const LIST_PROFILES: &str = "pprof.listProfiles";
pub const HEAT: &str = "pprof.heat";

pub const ALL: &[&str] =
    &[LOAD, LIST_SAMPLE_TYPES, SELECT_SAMPLE_TYPE, TOP, UNRESOLVED, STATUS, TOGGLE, LIST_PROFILES, SHOW_FUNCTION, HEAT];

pub async fn execute(backend: &Backend, params: ExecuteCommandParams) -> Result<Option<Value>> {
    let arg = params.arguments.into_iter().next().unwrap_or(Value::Null);
    let result = match params.command.as_str() {
        LOAD => load(backend, &arg).await,
        LIST_SAMPLE_TYPES => Ok(sample_types(&backend.session.snapshot())),
        SELECT_SAMPLE_TYPE => match string_arg(&arg, "name") {
            None => Err("pprof.selectSampleType needs {\"name\": …}".to_string()),
            Some(name) => match select_sample_type(backend, &name) {
                Ok(()) => {
                    backend.refresh().await;
                    Ok(status(&backend.session.snapshot()))
                }
                Err(e) => Err(e),
            },
        },
        TOP => Ok(top(backend, &arg)),
        UNRESOLVED => Ok(unresolved(&backend.session.snapshot())),
        STATUS => Ok(status(&backend.session.snapshot())),
        TOGGLE => {
            let wanted = arg.get("enabled").and_then(Value::as_bool);
            let snapshot = backend.session.update(|s| s.enabled = wanted.unwrap_or(!s.enabled));
            backend.refresh().await;
            Ok(json!({ "enabled": snapshot.enabled }))
        }
        LIST_PROFILES => {
            let snapshot = backend.session.snapshot();
            let active = snapshot.profile.as_ref().map(|p| p.source.to_string());
            Ok(Value::Array(
                snapshot
                    .available
                    .iter()
                    .map(|s| json!({ "source": s.to_string(), "active": Some(s.to_string()) == active }))
                    .collect(),
            ))
        }
        SHOW_FUNCTION => show_function(backend, &arg).await,
        HEAT => Ok(heat::file_heat(backend, &arg)),
        other => Err(format!("unknown command {other}")),
    };
    match result {
        Ok(v) => Ok(Some(v)),
        Err(message) => Err(Error::invalid_params(message)),
    }
}

fn string_arg(arg: &Value, key: &str) -> Option<String> {
    match arg {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get(key).and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

async fn load(backend: &Backend, arg: &Value) -> std::result::Result<Value, String> {
    let target = string_arg(arg, "path")
        .or_else(|| string_arg(arg, "url"))
        .ok_or_else(|| "pprof.load needs {\"path\": …} or {\"url\": …}".to_string())?;
    let mut source = ProfileSource::parse(&target);
    if let ProfileSource::File(p) = &source {
        if p.is_relative() {
            if let Some(root) = backend.session.roots().first() {
                source = ProfileSource::File(root.join(p));
            }
        }
    }
    loader::load(backend, source).await?;
    Ok(status(&backend.session.snapshot()))
}

/// Switches the sample type of the loaded profile.
pub fn select_sample_type(backend: &Backend, name: &str) -> std::result::Result<(), String> {
    let snapshot = backend.session.snapshot();
    let loaded = snapshot.profile.as_ref().ok_or("no profile is loaded")?;
    let t = crate::analysis::select(&loaded.profile, Some(name)).map_err(|e| e.to_string())?;
    backend.session.update(|s| s.sample_type = t);
    Ok(())
}

fn sample_types(snapshot: &Snapshot) -> Value {
    let Some(loaded) = snapshot.profile.as_ref() else { return json!([]) };
    Value::Array(
        loaded
            .index
            .sample_types()
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let total = loaded.index.total(SampleType(i));
                json!({
                    "name": t.name,
                    "unit": t.unit,
                    "total": total,
                    "totalLabel": units::label(total, &t.unit),
                    "active": i == snapshot.sample_type.0,
                })
            })
            .collect(),
    )
}

pub fn status(snapshot: &Snapshot) -> Value {
    let Some(loaded) = snapshot.profile.as_ref() else {
        return json!({ "loaded": false, "enabled": snapshot.enabled, "available": snapshot.available.len() });
    };
    let t = snapshot.sample_type;
    let ty = &loaded.index.sample_types()[t.0];
    let total = loaded.index.total(t);
    let unmapped = snapshot.view.files.unresolved().count();
    json!({
        "loaded": true,
        "profile": loaded.source.to_string(),
        "name": loaded.source.display_name(),
        "sampleType": ty.name,
        "unit": ty.unit,
        "total": total,
        "totalLabel": units::label(total, &ty.unit),
        "samples": loaded.profile.samples.len(),
        "mappedFiles": snapshot.view.files.len() - unmapped,
        "unmappedFiles": unmapped,
        "enabled": snapshot.enabled,
        "available": snapshot.available.len(),
    })
}

fn unresolved(snapshot: &Snapshot) -> Value {
    Value::Array(
        snapshot
            .view
            .files
            .unresolved()
            .map(|(file, resolution)| match resolution {
                Resolution::Ambiguous { candidates, omitted, .. } => {
                    json!({ "file": file, "reason": "ambiguous", "candidates": candidates, "omitted": omitted })
                }
                Resolution::Unresolved { tried } => json!({ "file": file, "reason": "not found", "tried": tried }),
                Resolution::Mapped { path, .. } => json!({ "file": file, "reason": "mapped", "path": path }),
            })
            .collect(),
    )
}

/// The hottest lines, by flat or cum, with where to jump.
fn top(backend: &Backend, arg: &Value) -> Value {
    let snapshot = backend.session.snapshot();
    let Some(loaded) = snapshot.profile.as_ref() else { return json!([]) };
    let n = arg.get("n").and_then(Value::as_u64).unwrap_or(20) as usize;
    let by_cum = arg.get("by").and_then(Value::as_str) == Some("cum");
    let t = snapshot.sample_type;
    let unit = &loaded.index.sample_types()[t.0].unit;
    let total = loaded.index.total(t);
    let mut nodes: Vec<_> = loaded
        .index
        .node_ids()
        .map(|n| (n, loaded.index.node_cost(n, t)))
        .filter(|(_, c)| if by_cum { c.cum != 0 } else { c.flat != 0 })
        .collect();
    nodes.sort_by(|a, b| {
        let key = |c: &crate::analysis::Cost| if by_cum { (c.cum.abs(), c.flat.abs()) } else { (c.flat.abs(), c.cum.abs()) };
        key(&b.1).cmp(&key(&a.1)).then_with(|| a.0.cmp(&b.0))
    });
    Value::Array(
        nodes
            .into_iter()
            .take(n)
            .map(|(id, cost)| {
                let node = loaded.index.node(id);
                let info = node.function.map(|f| loaded.index.function(f));
                let file = info.and_then(|f| f.file).map(|f| loaded.index.file(f));
                let uri = file.and_then(|f| locate::uri_for(&snapshot, f));
                let line = match &uri {
                    Some(u) => locate::current_line(backend, u, node.line) as i64 + 1,
                    None => node.line,
                };
                json!({
                    "uri": uri.map(|u| u.as_str().to_string()),
                    "file": file,
                    "line": line,
                    "function": info.map_or_else(|| format!("{:#x}", node.address), |f| f.name.clone()),
                    "flat": cost.flat,
                    "cum": cost.cum,
                    "label": annotate::hint_label(cost, total, unit),
                })
            })
            .collect(),
    )
}

/// A function's hottest lines and its callers; also shown as a message so
/// that clients without their own view of it see something, unless the
/// arguments say `"notify": false`.
async fn show_function(backend: &Backend, arg: &Value) -> std::result::Result<Value, String> {
    let snapshot = backend.session.snapshot();
    let loaded = snapshot.profile.as_ref().ok_or("no profile is loaded")?;
    let name = string_arg(arg, "function").ok_or("pprof.showFunction needs {\"function\": …}")?;
    let f = locate::function_named(loaded, &name, None).ok_or_else(|| format!("no function {name} in the profile"))?;
    // Building the call graph takes a while on a large profile; do it off
    // the task that serves every request.
    let for_graph = loaded.clone();
    let _ = tokio::task::spawn_blocking(move || {
        for_graph.calls();
    })
    .await;
    let t = snapshot.sample_type;
    let ty = &loaded.index.sample_types()[t.0];
    let total = loaded.index.total(t);
    let index = &loaded.index;
    let info = index.function(f);
    let file = info.file.map(|id| index.file(id));
    let uri = file.and_then(|f| locate::uri_for(&snapshot, f));

    let mut lines: Vec<_> = index
        .nodes_of_function(f)
        .iter()
        .map(|&n| (index.node(n).line, index.node_cost(n, t)))
        .filter(|(_, c)| !c.is_zero())
        .collect();
    lines.sort_by(|a, b| b.1.cum.abs().cmp(&a.1.cum.abs()).then(a.0.cmp(&b.0)));
    lines.truncate(10);
    let mut callers: Vec<(String, i64)> = Vec::new();
    let calls = loaded.calls();
    for (i, e) in calls.edges().iter().enumerate() {
        let (Some(from), Some(to)) = (index.node(e.caller).function, index.node(e.callee).function) else { continue };
        if to != f || from == f {
            continue;
        }
        let w = calls.weight(i, t);
        let caller = &index.function(from).name;
        match callers.iter_mut().find(|(n, _)| n == caller) {
            Some(c) => c.1 += w,
            None => callers.push((caller.clone(), w)),
        }
    }
    callers.retain(|(_, w)| *w != 0);
    callers.sort_by(|a, b| b.1.abs().cmp(&a.1.abs()));
    callers.truncate(10);

    let mut message = format!("{} — {}\nHottest lines:", name, annotate::function_label(&ty.name, index.function_cost(f, t), total, &ty.unit));
    for (line, cost) in &lines {
        message.push_str(&format!("\n  {}:{line}  {}", file.unwrap_or("?").rsplit('/').next().unwrap_or(""), annotate::hint_label(*cost, total, &ty.unit)));
    }
    message.push_str("\nCallers:");
    for (caller, w) in &callers {
        message.push_str(&format!("\n  {caller}  {} ({})", units::label(*w, &ty.unit), units::percent(*w, total)));
    }
    if arg.get("notify").and_then(Value::as_bool) != Some(false) {
        backend.client.show_message(MessageType::INFO, message).await;
    }
    Ok(json!({
        "function": name,
        "file": file,
        "uri": uri.as_ref().map(|u| u.as_str().to_string()),
        "lines": lines.iter().map(|(line, c)| json!({
            "line": uri.as_ref().map_or(*line, |u| locate::current_line(backend, u, *line) as i64 + 1),
            "flat": c.flat, "cum": c.cum, "label": annotate::hint_label(*c, total, &ty.unit),
        })).collect::<Vec<_>>(),
        "callers": callers.iter().map(|(n, w)| json!({
            "function": n, "weight": w, "label": format!("{} ({})", units::label(*w, &ty.unit), units::percent(*w, total)),
        })).collect::<Vec<_>>(),
    }))
}
