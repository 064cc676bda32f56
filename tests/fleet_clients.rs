//! The Pyroscope and Parca clients against in-process servers built from
//! the same generated API types, serving the heap fixture profile. Each
//! test checks what the client sent (path, headers with credentials, the
//! request message's fields) as well as what it made of the answer: the
//! fetched profile must have the fixture's flat and cum on every line.
//!
//! The requests expected here are those the projects' own clients send:
//! `profilecli` for Pyroscope (Connect, binary protobuf, millisecond
//! times, the selector as given), and Parca's web UI and the Polar Signals
//! editor extension for Parca (gRPC-web under `/api`, a merge query with
//! the pprof report, `projectID` and bearer headers). NOTES.md says where
//! in their sources.

mod common;

use std::collections::BTreeMap;
use std::sync::Once;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::fleet::{Request, Response, Server};
use common::pyroscope::{CPU, HEAP};
use common::{fixture, read};
use pprof_lsp::analysis::{Index, SampleType};
use pprof_lsp::profile::{decode, DecodeOptions, Profile};
use pprof_lsp::report::lines::records;
use pprof_lsp::source::fleet::api::parca::parca::query::v1alpha1 as parca;
use pprof_lsp::source::fleet::api::pyroscope::{google::v1 as google, querier::v1 as querier, types::v1 as types};
use pprof_lsp::source::fleet::{FleetError, FleetQuery};
use prost::Message;
use serde_json::json;

const FIXTURE: &str = "heap.pb.gz";
const TIMEOUT: Duration = Duration::from_secs(10);
const MAX_BYTES: u64 = 64 << 20;
/// 2023-11-14T22:13:20Z.
const NOW_MS: i64 = 1_700_000_000_000;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(NOW_MS as u64)
}

/// The credentials the entries name, set once for the whole binary (tests
/// run on threads of one process).
fn env() {
    static SET: Once = Once::new();
    SET.call_once(|| {
        std::env::set_var("FLEET_TEST_TOKEN", "s3cret-token");
        std::env::set_var("FLEET_TEST_USER", "123456");
        std::env::set_var("FLEET_TEST_PASSWORD", "glc_abc");
        std::env::set_var("FLEET_TEST_ORG", "tenant-7");
    });
}

fn query(entry: serde_json::Value) -> FleetQuery {
    env();
    FleetQuery::from_json(&entry).unwrap_or_else(|e| panic!("{entry}: {e}"))
}

/// The fixture as Pyroscope's copy of the pprof message.
fn fixture_message() -> google::Profile {
    common::pyroscope::profile_message(&read(&fixture(FIXTURE))).unwrap()
}

fn decoded(bytes: &[u8]) -> Profile {
    decode(bytes, &DecodeOptions::default()).unwrap_or_else(|e| panic!("fetched bytes: {e}"))
}

/// Every line's (flat, cum) per sample type name, leaving out lines of no
/// value.
fn line_costs(p: &Profile) -> BTreeMap<(String, String), (i64, i64)> {
    let index = Index::build(p);
    let mut out = BTreeMap::new();
    for (t, ty) in p.sample_types.iter().enumerate() {
        for r in records(&index, SampleType(t)).into_iter().filter(|r| (r.flat, r.cum) != (0, 0)) {
            let cost: &mut (i64, i64) = out.entry((ty.name.clone(), format!("{} {}:{}", r.function, r.file, r.line))).or_default();
            *cost = (cost.0 + r.flat, cost.1 + r.cum);
        }
    }
    out
}

/// The fetched profile has the fixture's costs on every line.
fn assert_fixture_lines(bytes: &[u8]) {
    let want = line_costs(&decoded(&read(&fixture(FIXTURE))));
    assert!(want.len() > 10, "the fixture has lines to compare");
    assert_eq!(line_costs(&decoded(bytes)), want);
}

fn err_text(r: Result<impl std::fmt::Debug, FleetError>) -> (FleetError, String) {
    let e = r.expect_err("the call should fail");
    let text = e.to_string();
    (e, text)
}

// ---------------------------------------------------------------- Pyroscope

/// The querier of `common::pyroscope` holding the fixture, with the
/// labels of three `checkout` replicas and their revision.
fn pyroscope(merge_profile: bool) -> impl Fn(&Request) -> Response + Send + 'static {
    common::pyroscope::querier(fixture_message(), merge_profile, common::pyroscope::checkout_labels_with_revision())
}

fn checkout(extra: serde_json::Value, url: &str) -> FleetQuery {
    let mut entry = json!({ "pyroscope": url, "query": "{service_name=\"checkout\"}", "profileType": HEAP, "range": "1h" });
    entry.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    query(entry)
}

#[test]
fn pyroscope_fetch_sends_profilecli_request_and_returns_fixture_lines() {
    let server = Server::start(1, pyroscope(true));
    let q = checkout(json!({ "tokenEnv": "FLEET_TEST_TOKEN", "orgId": "tenant-7" }), &server.url);
    let bytes = q.fetch(now(), TIMEOUT, MAX_BYTES).unwrap();
    let requests = server.requests();
    assert_fixture_lines(&bytes);

    let [r] = &requests[..] else { panic!("one request, got {requests:?}") };
    assert_eq!(r.path, "/querier.v1.QuerierService/SelectMergeProfile");
    assert_eq!(r.header("content-type"), Some("application/proto"));
    assert_eq!(r.header("connect-protocol-version"), Some("1"));
    assert_eq!(r.header("authorization"), Some("Bearer s3cret-token"));
    assert_eq!(r.header("x-scope-orgid"), Some("tenant-7"));
    let body: querier::SelectMergeProfileRequest = r.connect();
    assert_eq!(body.profile_type_id, HEAP);
    assert_eq!(body.label_selector, "{service_name=\"checkout\"}");
    assert_eq!((body.start, body.end), (NOW_MS - 3_600_000, NOW_MS));
}

#[test]
fn pyroscope_without_select_merge_profile_falls_back_to_stacktraces_in_pprof_format() {
    let server = Server::start(2, pyroscope(false));
    let q = checkout(json!({ "range": null, "from": "2023-11-14T21:00:00Z", "to": "2023-11-14T21:30:00.250+00:00" }), &server.url);
    let bytes = q.fetch(now(), TIMEOUT, MAX_BYTES).unwrap();
    let requests = server.requests();
    assert_fixture_lines(&bytes);

    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/querier.v1.QuerierService/SelectMergeProfile", "/querier.v1.QuerierService/SelectMergeStacktraces"]);
    let body: querier::SelectMergeStacktracesRequest = requests[1].connect();
    assert_eq!(body.format, querier::ProfileFormat::Pprof as i32);
    assert_eq!(body.profile_type_id, HEAP);
    assert_eq!(body.label_selector, "{service_name=\"checkout\"}");
    // 2023-11-14T21:00:00Z and 21:30:00.250Z in Unix milliseconds.
    assert_eq!((body.start, body.end), (1_699_995_600_000, 1_699_997_400_250));
}

#[test]
fn pyroscope_describe_lists_types_labels_and_values() {
    let server = Server::start(6, pyroscope(true));
    let q = checkout(json!({ "range": "15m" }), &server.url);
    let d = q.describe(now(), TIMEOUT).unwrap();
    let requests = server.requests();

    assert_eq!(d.profile_types, [HEAP, CPU]);
    let labels: Vec<(&str, Vec<&str>)> = d.labels.iter().map(|l| (l.name.as_str(), l.values.iter().map(String::as_str).collect())).collect();
    assert_eq!(
        labels,
        [
            ("pod", vec!["checkout-0", "checkout-1", "checkout-2"]),
            ("service_git_ref", vec!["4f1c2e9"]),
            ("service_name", vec!["checkout"]),
            ("service_repository", vec!["https://github.com/example/checkout"]),
        ],
        "names starting with __ are left out"
    );
    assert!(!d.labels_truncated && d.labels.iter().all(|l| !l.truncated));

    let names: types::LabelNamesRequest = requests.iter().find(|r| r.path.ends_with("/LabelNames")).unwrap().connect();
    assert_eq!(names.matchers, ["{service_name=\"checkout\"}"]);
    assert_eq!((names.start, names.end), (NOW_MS - 900_000, NOW_MS));
    let types_request: querier::ProfileTypesRequest = requests[0].connect();
    assert_eq!((types_request.start, types_request.end), (NOW_MS - 900_000, NOW_MS));
    let values: Vec<types::LabelValuesRequest> = requests.iter().filter(|r| r.path.ends_with("/LabelValues")).map(Request::connect).collect();
    assert_eq!(values.len(), 4);
    assert!(values.iter().all(|v| v.matchers == ["{service_name=\"checkout\"}"] && v.start == NOW_MS - 900_000));
}

#[test]
fn pyroscope_revision_comes_from_service_git_ref() {
    let server = Server::start(2, pyroscope(true));
    let q = checkout(json!({}), &server.url);
    let revision = q.revision(now(), TIMEOUT).unwrap().expect("one git ref");
    let requests = server.requests();
    assert_eq!(revision.git_ref, "4f1c2e9");
    assert_eq!(revision.repository.as_deref(), Some("https://github.com/example/checkout"));
    let asked: Vec<String> = requests.iter().map(|r| r.connect::<types::LabelValuesRequest>().name).collect();
    assert_eq!(asked, ["service_git_ref", "service_repository"]);
}

#[test]
fn pyroscope_basic_auth_and_org_id_from_the_environment() {
    let server = Server::start(1, pyroscope(true));
    let q = checkout(json!({ "basicAuth": { "userEnv": "FLEET_TEST_USER", "passwordEnv": "FLEET_TEST_PASSWORD" }, "orgIdEnv": "FLEET_TEST_ORG" }), &server.url);
    q.fetch(now(), TIMEOUT, MAX_BYTES).unwrap();
    let r = &server.requests()[0];
    // base64("123456:glc_abc")
    assert_eq!(r.header("authorization"), Some("Basic MTIzNDU2OmdsY19hYmM="));
    assert_eq!(r.header("x-scope-orgid"), Some("tenant-7"));
    assert_eq!(r.header("projectid"), None);
}

#[test]
fn pyroscope_unknown_profile_type_lists_the_available_ones() {
    let server = Server::start(2, pyroscope(true));
    let q = checkout(json!({ "profileType": "memory:inuse_objects:count:space:bytes" }), &server.url);
    let (e, text) = err_text(q.fetch(now(), TIMEOUT, MAX_BYTES));
    server.requests();
    assert!(matches!(e, FleetError::UnknownProfileType { .. }), "{e:?}");
    assert_eq!(text, format!("unknown profile type \"memory:inuse_objects:count:space:bytes\"; the server has: {HEAP}, {CPU}"));

    // Without a profile type, the types are listed without asking for a profile.
    let server = Server::start(1, pyroscope(true));
    let q = checkout(json!({ "profileType": null }), &server.url);
    let (_, text) = err_text(q.fetch(now(), TIMEOUT, MAX_BYTES));
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/querier.v1.QuerierService/ProfileTypes"]);
    assert_eq!(text, format!("no profile type given (\"profileType\"); the server has: {HEAP}, {CPU}"));
}

#[test]
fn pyroscope_empty_result_says_so() {
    let server = Server::start(2, pyroscope(true));
    let q = checkout(json!({ "profileType": CPU }), &server.url);
    let (e, text) = err_text(q.fetch(now(), TIMEOUT, MAX_BYTES));
    server.requests();
    assert!(matches!(e, FleetError::Empty { .. }), "{e:?}");
    assert!(text.starts_with("no profiles for that query in that range"), "{text}");
    assert!(text.contains("last 1h"), "{text}");
}

#[test]
fn pyroscope_401_and_403_name_the_credential_to_set() {
    for (status, code, want) in [
        ("401 Unauthorized", "unauthenticated", "check the credentials in FLEET_TEST_TOKEN"),
        ("403 Forbidden", "permission_denied", "the credentials in FLEET_TEST_TOKEN may not read this tenant"),
    ] {
        let server = Server::start(1, move |_: &Request| Response::connect_error(status, code, "no"));
        let q = checkout(json!({ "tokenEnv": "FLEET_TEST_TOKEN" }), &server.url);
        let (e, text) = err_text(q.fetch(now(), TIMEOUT, MAX_BYTES));
        server.requests();
        assert!(matches!(e, FleetError::Unauthorized { .. }), "{e:?}");
        assert!(text.contains(want), "{status}: {text}");
        assert!(text.contains(&status[..3]), "{text}");
    }
    // Without any credential configured, a 401 says which settings give one.
    let server = Server::start(1, |_: &Request| Response::connect_error("401 Unauthorized", "unauthenticated", ""));
    let (_, text) = err_text(checkout(json!({}), &server.url).fetch(now(), TIMEOUT, MAX_BYTES));
    server.requests();
    assert!(text.contains("\"tokenEnv\" or \"basicAuth\""), "{text}");
}

#[test]
fn pyroscope_unset_credential_variable_is_named_before_any_request() {
    let q = checkout(json!({ "tokenEnv": "FLEET_TEST_NOT_SET" }), "http://127.0.0.1:9");
    let (e, text) = err_text(q.fetch(now(), TIMEOUT, MAX_BYTES));
    assert!(matches!(e, FleetError::MissingCredential { .. }), "{e:?}");
    assert_eq!(text, "environment variable FLEET_TEST_NOT_SET is not set (the profiles entry names it in \"tokenEnv\")");
}

#[test]
fn pyroscope_timeout_is_its_own_error() {
    let handler = pyroscope(true);
    let server = Server::start(1, move |r: &Request| Response { delay: Duration::from_millis(1500), ..handler(r) });
    let q = checkout(json!({}), &server.url);
    let started = Instant::now();
    let (e, text) = err_text(q.fetch(now(), Duration::from_millis(300), MAX_BYTES));
    assert!(started.elapsed() < Duration::from_millis(1400), "the client gave up at its limit");
    server.requests();
    assert!(e.is_timeout(), "{e:?}");
    assert!(text.contains("no answer within 0.3s"), "{text}");
}

#[test]
fn answers_over_the_size_limit_are_refused() {
    let server = Server::start(1, pyroscope(true));
    let q = checkout(json!({}), &server.url);
    let (e, _) = err_text(q.fetch(now(), TIMEOUT, 1000));
    server.requests();
    assert!(matches!(e, FleetError::TooLarge { max: 1000, .. }), "{e:?}");
}

// -------------------------------------------------------------------- Parca

const PARCA_QUERY: &str = "memory:inuse_space:bytes:space:bytes{job=\"checkout\"}";
const PARCA_DELTA: &str = "parca_agent:samples:count:cpu:nanoseconds:delta";

/// Protocols a Parca stand-in accepts.
#[derive(Clone, Copy, PartialEq)]
enum Speaks {
    GrpcWeb,
    ConnectOnly,
}

/// A Parca query service holding the fixture for `PARCA_QUERY`'s type;
/// other known types have no data (`not_found`, as Parca answers).
fn parca(speaks: Speaks) -> impl Fn(&Request) -> Response + Send + 'static {
    let gzipped = read(&fixture(FIXTURE));
    move |r: &Request| {
        let grpc_web = r.header("content-type") == Some("application/grpc-web+proto");
        if speaks == Speaks::ConnectOnly && grpc_web {
            return Response::plain("415 Unsupported Media Type", "");
        }
        let message = if grpc_web { &r.body[5..] } else { &r.body[..] };
        let answer = |encoded: Vec<u8>| if grpc_web { Response::grpc_web_encoded(encoded) } else { Response::connect_encoded(encoded) };
        match r.path.rsplit('/').next().unwrap_or("") {
            "Query" => {
                let q = parca::QueryRequest::decode(message).unwrap();
                let Some(parca::query_request::Options::Merge(merge)) = q.options else { panic!("not a merge query") };
                if merge.query.starts_with("memory:inuse_space:bytes:space:bytes{") {
                    let report = Some(parca::query_response::Report::Pprof(gzipped.clone()));
                    answer(parca::QueryResponse { report, ..Default::default() }.encode_to_vec())
                } else if grpc_web {
                    Response::grpc_web_error(5, "No data found for the query, try a different query or time range")
                } else {
                    Response::connect_error("404 Not Found", "not_found", "No data found")
                }
            }
            "ProfileTypes" => answer({
                let t = |name: &str, sample: &str, unit: &str, period: &str, period_unit: &str, delta| parca::ProfileType {
                    name: name.into(),
                    sample_type: sample.into(),
                    sample_unit: unit.into(),
                    period_type: period.into(),
                    period_unit: period_unit.into(),
                    delta,
                };
                parca::ProfileTypesResponse {
                    types: vec![t("memory", "inuse_space", "bytes", "space", "bytes", false), t("parca_agent", "samples", "count", "cpu", "nanoseconds", true)],
                }
                .encode_to_vec()
            }),
            "Labels" => answer(parca::LabelsResponse { label_names: vec!["job".into(), "instance".into()], warnings: vec![] }.encode_to_vec()),
            "Values" => {
                let q = parca::ValuesRequest::decode(message).unwrap();
                let values = if q.label_name == "job" { vec!["checkout".to_string()] } else { vec!["10.0.0.7:7071".into(), "10.0.0.8:7071".into()] };
                answer(parca::ValuesResponse { label_values: values, warnings: vec![] }.encode_to_vec())
            }
            _ => Response::plain("404 Not Found", ""),
        }
    }
}

fn parca_query(extra: serde_json::Value, url: &str) -> FleetQuery {
    let mut entry = json!({ "parca": url, "query": PARCA_QUERY, "range": "1h" });
    entry.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    query(entry)
}

fn timestamp_ms(t: &Option<prost_types::Timestamp>) -> i64 {
    let t = t.as_ref().expect("a timestamp");
    t.seconds * 1000 + i64::from(t.nanos) / 1_000_000
}

#[test]
fn parca_fetch_sends_a_grpc_web_merge_query_and_returns_fixture_lines() {
    let server = Server::start(1, parca(Speaks::GrpcWeb));
    let q = parca_query(json!({ "tokenEnv": "FLEET_TEST_TOKEN", "projectId": "proj-42" }), &server.url);
    let bytes = q.fetch(now(), TIMEOUT, MAX_BYTES).unwrap();
    let requests = server.requests();
    assert_fixture_lines(&bytes);

    let [r] = &requests[..] else { panic!("one request, got {requests:?}") };
    assert_eq!(r.path, "/api/parca.query.v1alpha1.QueryService/Query");
    assert_eq!(r.header("content-type"), Some("application/grpc-web+proto"));
    assert_eq!(r.header("x-grpc-web"), Some("1"));
    assert_eq!(r.header("authorization"), Some("Bearer s3cret-token"));
    assert_eq!(r.header("projectid"), Some("proj-42"));
    assert_eq!(r.header("x-scope-orgid"), None);
    let body: parca::QueryRequest = r.grpc_web();
    assert_eq!(body.mode, parca::query_request::Mode::Merge as i32);
    assert_eq!(body.report_type, parca::query_request::ReportType::Pprof as i32);
    let Some(parca::query_request::Options::Merge(merge)) = body.options else { panic!("merge options") };
    assert_eq!(merge.query, PARCA_QUERY);
    assert_eq!((timestamp_ms(&merge.start), timestamp_ms(&merge.end)), (NOW_MS - 3_600_000, NOW_MS));
}

#[test]
fn parca_falls_back_to_connect_when_grpc_web_is_refused() {
    let server = Server::start(2, parca(Speaks::ConnectOnly));
    let q = parca_query(json!({}), &format!("{}/api", server.url));
    let bytes = q.fetch(now(), TIMEOUT, MAX_BYTES).unwrap();
    let requests = server.requests();
    assert_fixture_lines(&bytes);
    assert!(requests.iter().all(|r| r.path == "/api/parca.query.v1alpha1.QueryService/Query"), "a base URL ending in /api is used as is");
    assert_eq!(requests[0].header("content-type"), Some("application/grpc-web+proto"));
    assert_eq!(requests[1].header("content-type"), Some("application/proto"));
    assert_eq!(requests[1].header("connect-protocol-version"), Some("1"));
    let body: parca::QueryRequest = requests[1].connect();
    assert_eq!(body.report_type, parca::query_request::ReportType::Pprof as i32);
}

#[test]
fn parca_describe_lists_types_with_delta_labels_and_values() {
    let server = Server::start(4, parca(Speaks::GrpcWeb));
    let q = parca_query(json!({}), &server.url);
    let d = q.describe(now(), TIMEOUT).unwrap();
    let requests = server.requests();
    assert_eq!(d.profile_types, [HEAP, PARCA_DELTA]);
    let labels: Vec<(&str, Vec<&str>)> = d.labels.iter().map(|l| (l.name.as_str(), l.values.iter().map(String::as_str).collect())).collect();
    assert_eq!(labels, [("instance", vec!["10.0.0.7:7071", "10.0.0.8:7071"]), ("job", vec!["checkout"])]);
    let labels_request: parca::LabelsRequest = requests[1].grpc_web();
    assert_eq!(labels_request.profile_type.as_deref(), Some(HEAP));
    assert_eq!(timestamp_ms(&labels_request.start), NOW_MS - 3_600_000);
    let values: parca::ValuesRequest = requests[2].grpc_web();
    assert_eq!((values.label_name.as_str(), values.profile_type.as_deref()), ("instance", Some(HEAP)));
}

#[test]
fn parca_not_found_is_an_unknown_type_or_an_empty_result() {
    let server = Server::start(4, parca(Speaks::GrpcWeb));
    let unknown = parca_query(json!({ "query": "memory:alloc_space:bytes:space:bytes{job=\"checkout\"}" }), &server.url);
    let (e, text) = err_text(unknown.fetch(now(), TIMEOUT, MAX_BYTES));
    assert!(matches!(e, FleetError::UnknownProfileType { .. }), "{e:?}");
    assert_eq!(text, format!("unknown profile type \"memory:alloc_space:bytes:space:bytes\"; the server has: {HEAP}, {PARCA_DELTA}"));

    let empty = parca_query(json!({ "query": format!("{PARCA_DELTA}{{job=\"checkout\"}}") }), &server.url);
    let (e, text) = err_text(empty.fetch(now(), TIMEOUT, MAX_BYTES));
    assert!(matches!(e, FleetError::Empty { .. }), "{e:?}");
    assert!(text.starts_with("no profiles for that query in that range"), "{text}");
    server.requests();
}

#[test]
fn parca_unauthenticated_names_the_token_variable() {
    let server = Server::start(1, |_: &Request| Response::grpc_web_error(16, "invalid token"));
    let q = parca_query(json!({ "tokenEnv": "FLEET_TEST_TOKEN", "projectId": "proj-42" }), &server.url);
    let (e, text) = err_text(q.fetch(now(), TIMEOUT, MAX_BYTES));
    server.requests();
    assert!(matches!(e, FleetError::Unauthorized { status: 401, .. }), "{e:?}");
    assert!(text.contains("FLEET_TEST_TOKEN"), "{text}");

    let server = Server::start(1, |_: &Request| Response::plain("403 Forbidden", "forbidden"));
    let q = parca_query(json!({ "tokenEnv": "FLEET_TEST_TOKEN" }), &server.url);
    let (_, text) = err_text(q.fetch(now(), TIMEOUT, MAX_BYTES));
    server.requests();
    assert!(text.contains("may not read this project (\"projectId\")"), "{text}");
}

#[test]
fn parca_revision_asks_nothing() {
    // Parca's label values are per profile type, not per query.
    let q = parca_query(json!({}), "http://127.0.0.1:9");
    assert_eq!(q.revision(now(), TIMEOUT).unwrap(), None);
}
