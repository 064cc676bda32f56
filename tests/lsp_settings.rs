//! Settings the server cannot use, in-process over JSON-RPC: `initialize`
//! and `workspace/didChangeConfiguration` never fail on one. Each bad
//! setting (a value of an unknown shape, a wrong type, a bad regular
//! expression) is named by its path in a `window/showMessage` and in the
//! status, keeps its default, and every other setting applies.

mod common;
mod lsp_support;

use common::demo::*;
use lsp_support::*;
use pprof_lsp::report::labels::{self, HintFormat};
use serde_json::{json, Value};

const WARNING: i64 = 2;

fn windows() -> Value {
    json!(profile("windows.heap.pb.gz"))
}

/// The catalog allocation's hint in `format`, from the golden.
fn catalog_hint(format: HintFormat) -> String {
    let golden = inuse("windows.heap");
    labels::hint_in(format, golden.cost(CATALOG, init_row()), golden.total, "bytes")
}

/// Starts a server whose `initializationOptions` are `options`; checks
/// that `initialize` succeeded, and returns the client with the warning
/// the server showed once it started, after the first load.
async fn start_with(options: Value) -> (Client, String) {
    let c = Client::start();
    let result = c.initialize(&goprog(), options, full_capabilities()).await;
    assert!(result["capabilities"]["inlayHintProvider"].as_bool().unwrap_or(false), "{result}");
    let mark = c.mark();
    c.initialized();
    let shown = c.wait_after(mark, |m| is_show(m, WARNING), WAIT).await;
    c.wait_loaded_after(mark).await;
    (c, message_text(&shown))
}

/// The status's `settingsErrors` and `detail`, and checks each names
/// `path`.
async fn assert_status_names(c: &Client, paths: &[&str]) -> Value {
    let status = c.status().await;
    let errors: Vec<&str> = status["settingsErrors"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert_eq!(errors.len(), paths.len(), "{status}");
    let detail = status["detail"].as_str().unwrap();
    for (error, path) in errors.iter().zip(paths) {
        assert!(error.starts_with(&format!("{path}: ")), "{error} should name {path}");
        assert!(detail.contains(&format!("setting {path}: ")), "the detail should name {path}: {detail}");
    }
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profiles_entry_of_an_unknown_shape_is_named_and_the_next_entry_loads() {
    let (c, shown) = start_with(json!({ "profiles": [{ "name": "x" }, windows()] })).await;
    assert!(shown.contains("profiles[0]: unknown field `name`, expected one of `path`, `revision`, `binary`"), "{shown}");
    let status = assert_status_names(&c, &["profiles[0]"]).await;
    assert_eq!(status["name"], "windows.heap.pb.gz");
    let uri = c.open(&goprog().join(CATALOG));
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(catalog_hint(HintFormat::FlatCum)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setting_of_the_wrong_type_keeps_its_default_and_its_neighbours_apply() {
    let options = json!({ "profiles": [windows()], "hints": { "minCumPercent": "high", "format": "flat" } });
    let (c, shown) = start_with(options).await;
    assert!(shown.contains("hints.minCumPercent: invalid type: string \"high\", expected a number"), "{shown}");
    assert_status_names(&c, &["hints.minCumPercent"]).await;
    // The format next to it applies; the threshold is the default one, so
    // the catalog line is still shown.
    let uri = c.open(&goprog().join(CATALOG));
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(catalog_hint(HintFormat::Flat)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_filter_regex_is_dropped_and_the_other_filters_apply() {
    let options = json!({ "profiles": [windows()], "filters": { "focus": "(catalog", "ignore": "idle" } });
    let (c, shown) = start_with(options).await;
    assert!(shown.contains("filters.focus: bad regular expression \"(catalog\""), "{shown}");
    let status = assert_status_names(&c, &["filters.focus"]).await;
    assert_eq!(status["filters"], json!({ "ignore": "idle" }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_settings_with_every_kind_of_error_apply_the_rest() {
    let (c, shown) = start_with(json!({ "profiles": [windows()], "refreshSeconds": "often" })).await;
    assert!(shown.contains("refreshSeconds: "), "{shown}");
    c.set_settings(json!({
        "profiles": [{ "file": "x" }, windows()],
        "sampleType": "alloc_space",
        "history": [],
        "filters": { "show": "[", "ignore": "idle" },
    }));
    let mark = c.mark();
    c.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    let shown = message_text(&c.wait_after(mark, |m| is_show(m, WARNING), WAIT).await);
    for path in ["filters.show: bad regular expression", "history: invalid type: sequence", "profiles[0]: unknown field `file`"] {
        assert!(shown.contains(path), "{path} missing from {shown}");
    }
    c.wait_after(mark, |m| m["method"] == "workspace/inlayHint/refresh", WAIT).await;
    let status = c.eventually("the alloc_space view", WAIT, || async {
        let status = c.status().await;
        (status["sampleType"] == "alloc_space" && status["filters"] == json!({ "ignore": "idle" })).then_some(status)
    })
    .await;
    // Read in name order: filters, history, profiles.
    let errors = status["settingsErrors"].as_array().unwrap();
    assert_eq!(errors.len(), 3, "{status}");
    assert_eq!(status["name"], "windows.heap.pb.gz");

    // Settings that are all good clear the errors.
    c.set_settings(json!({ "profiles": [windows()] }));
    let mark = c.mark();
    c.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    c.wait_after(mark, |m| m["method"] == "workspace/inlayHint/refresh", WAIT).await;
    let status = c.status().await;
    assert!(status.get("settingsErrors").is_none(), "{status}");
    assert!(!status["detail"].as_str().unwrap().contains("setting "), "{status}");
}
