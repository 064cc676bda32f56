//! Grafana Pyroscope's querier over Connect (binary protobuf), with the
//! request fields `profilecli` sends: the profile type id
//! (`memory:inuse_space:bytes:space:bytes`), the label selector as given,
//! and the window's start and end in Unix milliseconds.
//!
//! The merged profile comes from `SelectMergeProfile`, which every
//! Pyroscope release answers with a pprof `Profile`. A server without it
//! (HTTP 404 or `unimplemented`) is asked `SelectMergeStacktraces` with the
//! pprof format, the call that newer releases prefer.

use prost::Message;

use super::api::pyroscope::{querier::v1 as querier, types::v1 as types};
use super::rpc::{Client, Code};
use super::{FleetError, FleetQuery, Window};

const SERVICE: &str = "querier.v1.QuerierService";

fn method(name: &str) -> String {
    format!("{SERVICE}/{name}")
}

pub(super) fn fetch(q: &FleetQuery, client: &Client, window: Window) -> Result<Vec<u8>, FleetError> {
    let Some(profile_type) = q.profile_type.as_deref() else {
        return Err(q.nothing_found(None, profile_types(q, client, window)));
    };
    let request = querier::SelectMergeProfileRequest {
        profile_type_id: profile_type.to_string(),
        label_selector: q.query.clone(),
        start: window.start_ms,
        end: window.end_ms,
        ..Default::default()
    };
    let url = client.url("", &method("SelectMergeProfile"));
    let profile = match client.connect::<super::api::pyroscope::google::v1::Profile>(&url, &request) {
        Ok(profile) => profile,
        Err(e) if e.code() == Some(Code::Unimplemented) => select_merge_stacktraces(q, client, request)?,
        Err(e) if matches!(e.code(), Some(Code::InvalidArgument | Code::NotFound)) => {
            return Err(match q.nothing_found(Some(profile_type), profile_types(q, client, window)) {
                FleetError::Empty { .. } => q.fail(e, &url),
                unknown => unknown,
            });
        }
        Err(e) => return Err(q.fail(e, &url)),
    };
    if profile.sample.is_empty() {
        return Err(q.nothing_found(Some(profile_type), profile_types(q, client, window)));
    }
    Ok(profile.encode_to_vec())
}

/// The same query through `SelectMergeStacktraces` with
/// `PROFILE_FORMAT_PPROF`.
fn select_merge_stacktraces(
    q: &FleetQuery,
    client: &Client,
    request: querier::SelectMergeProfileRequest,
) -> Result<super::api::pyroscope::google::v1::Profile, FleetError> {
    let request = querier::SelectMergeStacktracesRequest {
        profile_type_id: request.profile_type_id,
        label_selector: request.label_selector,
        start: request.start,
        end: request.end,
        format: querier::ProfileFormat::Pprof.into(),
        ..Default::default()
    };
    let url = client.url("", &method("SelectMergeStacktraces"));
    let response: querier::SelectMergeStacktracesResponse = client.connect(&url, &request).map_err(|e| q.fail(e, &url))?;
    match response.pprof.and_then(|p| p.profile) {
        Some(profile) => Ok(profile),
        None => Err(FleetError::Protocol {
            url,
            reason: "the server lacks SelectMergeProfile and answered SelectMergeStacktraces without a pprof profile".into(),
        }),
    }
}

/// The ids of the profile types with data in the window.
pub(super) fn profile_types(q: &FleetQuery, client: &Client, window: Window) -> Result<Vec<String>, FleetError> {
    let url = client.url("", &method("ProfileTypes"));
    let request = querier::ProfileTypesRequest { start: window.start_ms, end: window.end_ms };
    let response: querier::ProfileTypesResponse = client.connect(&url, &request).map_err(|e| q.fail(e, &url))?;
    let mut ids: Vec<String> = response.profile_types.into_iter().map(|t| t.id).collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

pub(super) fn label_names(q: &FleetQuery, client: &Client, window: Window) -> Result<Vec<String>, FleetError> {
    let url = client.url("", &method("LabelNames"));
    let request = types::LabelNamesRequest { matchers: vec![q.query.clone()], start: window.start_ms, end: window.end_ms };
    let response: types::LabelNamesResponse = client.connect(&url, &request).map_err(|e| q.fail(e, &url))?;
    Ok(response.names)
}

pub(super) fn label_values(q: &FleetQuery, client: &Client, window: Window, name: &str) -> Result<Vec<String>, FleetError> {
    let url = client.url("", &method("LabelValues"));
    let request = types::LabelValuesRequest { name: name.to_string(), matchers: vec![q.query.clone()], start: window.start_ms, end: window.end_ms };
    let response: types::LabelValuesResponse = client.connect(&url, &request).map_err(|e| q.fail(e, &url))?;
    Ok(response.names)
}
