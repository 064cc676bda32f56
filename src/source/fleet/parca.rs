//! Parca's `QueryService` (and Polar Signals Cloud's, which is the same
//! API), with the requests Parca's web UI and the Polar Signals editor
//! extension send: a merge query (`MODE_MERGE`, the query text with the
//! profile type first, start and end as timestamps) asking for the pprof
//! report, under the base URL's `/api` path.
//!
//! Each call goes over gRPC-web first: Parca's server wraps its gRPC
//! server with it, and Connect servers accept it too. A server that answers
//! 404 or 415 (no such route, or not this content type) is asked again over
//! Connect with binary protobuf.

use super::api::parca::parca::query::v1alpha1 as query;
use super::rpc::{Client, Code, RpcError};
use super::{FleetError, FleetQuery, Window};

const SERVICE: &str = "parca.query.v1alpha1.QueryService";

pub(super) fn fetch(q: &FleetQuery, client: &Client, window: Window) -> Result<Vec<u8>, FleetError> {
    let wanted = profile_type_of(&q.query);
    let request = query::QueryRequest {
        mode: query::query_request::Mode::Merge.into(),
        options: Some(query::query_request::Options::Merge(query::MergeProfile {
            query: q.query.clone(),
            start: Some(timestamp(window.start_ms)),
            end: Some(timestamp(window.end_ms)),
        })),
        report_type: query::query_request::ReportType::Pprof.into(),
        ..Default::default()
    };
    let response: query::QueryResponse = match call(client, "Query", &request) {
        Ok(response) => response,
        // Parca answers `not_found` when nothing matched, and
        // `invalid_argument` for a query it cannot read.
        Err((e, url)) if matches!(e.code(), Some(Code::NotFound | Code::InvalidArgument)) => {
            return Err(match q.nothing_found(wanted, profile_types(q, client, window)) {
                FleetError::Empty { .. } if e.code() == Some(Code::InvalidArgument) => q.fail(e, &url),
                other => other,
            });
        }
        Err((e, url)) => return Err(q.fail(e, &url)),
    };
    match response.report {
        Some(query::query_response::Report::Pprof(bytes)) if !bytes.is_empty() => Ok(bytes),
        Some(query::query_response::Report::Pprof(_)) => Err(q.nothing_found(wanted, profile_types(q, client, window))),
        _ => Err(FleetError::Protocol { url: client.url(&prefix(client), &format!("{SERVICE}/Query")), reason: "the answer has no pprof report".into() }),
    }
}

/// The profile type at the start of a query: `memory:…:bytes` of
/// `memory:…:bytes{job="x"}`.
pub(super) fn profile_type_of(query: &str) -> Option<&str> {
    let t = query.split('{').next()?.trim();
    (!t.is_empty()).then_some(t)
}

/// The ids of the profile types with data in the window, as Parca's query
/// text spells them (`…:delta` for delta profiles).
pub(super) fn profile_types(q: &FleetQuery, client: &Client, window: Window) -> Result<Vec<String>, FleetError> {
    let request = query::ProfileTypesRequest { start: Some(timestamp(window.start_ms)), end: Some(timestamp(window.end_ms)) };
    let response: query::ProfileTypesResponse = call(client, "ProfileTypes", &request).map_err(|(e, url)| q.fail(e, &url))?;
    let mut ids: Vec<String> = response
        .types
        .into_iter()
        .map(|t| {
            let id = [t.name, t.sample_type, t.sample_unit, t.period_type, t.period_unit].join(":");
            if t.delta {
                id + ":delta"
            } else {
                id
            }
        })
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// The label names of the query's profile type. Parca's server filters
/// label lists by profile type and window only (it ignores `match`), so,
/// as Parca's own clients do, none is sent.
pub(super) fn label_names(q: &FleetQuery, client: &Client, window: Window) -> Result<Vec<String>, FleetError> {
    let request = query::LabelsRequest {
        r#match: Vec::new(),
        start: Some(timestamp(window.start_ms)),
        end: Some(timestamp(window.end_ms)),
        profile_type: profile_type_of(&q.query).map(str::to_string),
    };
    let response: query::LabelsResponse = call(client, "Labels", &request).map_err(|(e, url)| q.fail(e, &url))?;
    Ok(response.label_names)
}

pub(super) fn label_values(q: &FleetQuery, client: &Client, window: Window, name: &str) -> Result<Vec<String>, FleetError> {
    let request = query::ValuesRequest {
        label_name: name.to_string(),
        r#match: Vec::new(),
        start: Some(timestamp(window.start_ms)),
        end: Some(timestamp(window.end_ms)),
        profile_type: profile_type_of(&q.query).map(str::to_string),
    };
    let response: query::ValuesResponse = call(client, "Values", &request).map_err(|(e, url)| q.fail(e, &url))?;
    Ok(response.label_values)
}

/// One call, over gRPC-web, then over Connect if the server does not take
/// gRPC-web. The error comes with the URL it is about.
fn call<R: prost::Message + Default>(client: &Client, method: &str, request: &impl prost::Message) -> Result<R, (RpcError, String)> {
    let url = client.url(&prefix(client), &format!("{SERVICE}/{method}"));
    match client.grpc_web(&url, request) {
        Err(e) if e.code() == Some(Code::Unimplemented) => client.connect(&url, request).map_err(|e| (e, url)),
        other => other.map_err(|e| (e, url)),
    }
}

/// The API's path under the base URL: `/api`, as Parca's UI and Polar
/// Signals' clients use, unless the URL already ends with it.
fn prefix(client: &Client) -> String {
    if client.url("", "").trim_end_matches('/').ends_with("/api") {
        String::new()
    } else {
        "/api".into()
    }
}

fn timestamp(ms: i64) -> prost_types::Timestamp {
    prost_types::Timestamp { seconds: ms.div_euclid(1000), nanos: (ms.rem_euclid(1000) * 1_000_000) as i32 }
}
