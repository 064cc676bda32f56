//! `pprof.fleet.describe`: what a continuous profiler holds (its profile
//! types, and the label names and values of the query's profiles), so a
//! client can offer pickers while the user builds a query.

use std::time::SystemTime;

use serde_json::Value;

use crate::source::fleet::{Description, FleetQuery};

use super::super::failure::Result;
use super::super::config::ProfileSetting;
use super::super::install::FETCH_TIMEOUT;
use super::super::protocol::FleetDescribeArgs;
use super::super::session::Handle;

pub async fn run(handle: &Handle, arg: Value) -> Result<Description> {
    let source = match arg {
        entry if FleetQuery::is_fleet_entry(&entry) => entry,
        other => serde_json::from_value::<FleetDescribeArgs>(other).map_err(|e| format!("pprof.fleet.describe: {e}"))?.source,
    };
    let entry = match source {
        Value::String(name) => configured(handle, &name)?,
        Value::Null => return Err("pprof.fleet.describe needs {\"source\": {\"pyroscope\" or \"parca\": URL, …}}".into()),
        entry => entry,
    };
    let query = FleetQuery::from_json(&with_placeholder_query(entry)).map_err(|e| format!("pprof.fleet.describe: {e}"))?;
    let described = tokio::task::spawn_blocking(move || query.describe(SystemTime::now(), FETCH_TIMEOUT))
        .await
        .map_err(|e| e.to_string())?;
    Ok(described.map_err(|e| e.to_string())?)
}

/// The configured entry whose `name` is `name`.
fn configured(handle: &Handle, name: &str) -> Result<Value> {
    let snapshot = handle.session.snapshot();
    let found = snapshot.config.profiles.iter().find_map(|p| match p {
        ProfileSetting::Fleet(entry) if entry.get("name").and_then(Value::as_str) == Some(name) => Some(entry.clone()),
        _ => None,
    });
    Ok(found.ok_or_else(|| format!("no pyroscope or parca entry of the profiles setting is named {name:?}"))?)
}

/// Describing needs only the server: a Parca entry without a query yet
/// (the first step of a picker) is asked about every profile type.
fn with_placeholder_query(mut entry: Value) -> Value {
    if let Some(object) = entry.as_object_mut() {
        if object.contains_key("parca") && !object.contains_key("query") && !object.contains_key("profileType") {
            object.insert("query".into(), Value::String("{}".into()));
        }
    }
    entry
}
