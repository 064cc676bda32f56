//! pprof's filters in the language server (`filters` setting,
//! `pprof.setFilters`) and the web view it serves (`pprof.openWeb`), in
//! process over JSON-RPC and over HTTP on 127.0.0.1. Expected values come
//! from the `go tool pprof` filter goldens.

mod common;
mod lsp_support;

use std::net::SocketAddr;

use common::demo::{goprog, init_line, init_row, CATALOG, INIT_FUNCTION};
use common::http::{exchange, Answer};
use lsp_support::*;
use pprof_lsp::analysis::Cost;
use pprof_lsp::profile::ValueType;
use pprof_lsp::report::labels;
use serde_json::{json, Value};

async fn start_with(options: Value) -> Client {
    let c = Client::start();
    c.initialize(&goprog(), options, full_capabilities()).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    c
}

/// The hint the catalog line must show for a golden: its cost there, as a
/// share of the golden's total (the total before filtering, as pprof's).
fn catalog_hint(golden: &str) -> String {
    let (total, rows) = common::golden_rows(golden);
    let (_, &(flat, cum)) = rows.iter().find(|(k, _)| k.ends_with(&format!("{CATALOG}:{}", init_row()))).unwrap();
    labels::Scale::new(&ValueType::new("inuse_space", "bytes"), total).hint(Cost { flat, cum })
}

/// A line outside the catalog with a hint before filtering: the ingest
/// buffer allocation.
fn ingest_line() -> (std::path::PathBuf, u64) {
    let rel = "internal/ingest/ingest.go";
    (goprog().join(rel), common::demo::line_of(rel, "return make([]byte, n) }"))
}

/// How many lines of a document `pprof.heat` shades.
async fn heat(c: &Client, uri: &str) -> usize {
    c.command_ok("pprof.heat", json!({ "uri": uri })).await.as_array().unwrap().len()
}

async fn hover(c: &Client, uri: &str, line: u64) -> Value {
    c.ok("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 0 } })).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_filters_applies_pprofs_filters_to_top_hints_and_status() {
    let c = start_with(json!({ "profiles": [profile("heap.pb.gz")], "watch": false })).await;
    let catalog = c.open(&goprog().join(CATALOG));
    let (ingest_path, ingest) = ingest_line();
    let ingest_uri = c.open(&ingest_path);
    assert!(c.hint_at(&ingest_uri, ingest).await.is_some(), "the ingest line has a hint before filtering");
    assert!(heat(&c, &ingest_uri).await > 0, "the ingest file is shaded before filtering");
    let before = hover(&c, &ingest_uri, ingest).await.to_string();
    assert!(before.contains("Top call stacks"), "{before}");

    let status = c.command_ok("pprof.setFilters", json!({ "focus": "catalog", "hide": "" })).await;
    assert_eq!(status["filters"], json!({ "focus": "catalog" }), "only the active fields");
    assert!(status["summary"].as_str().unwrap().contains("focus=catalog"), "{status}");
    let (total, rows) = common::golden_rows("heap.inuse_space.lines.focus=catalog.top.txt");
    assert_eq!(status["total"], total, "percentages stay shares of the unfiltered total");
    assert_eq!(top_rows(&c).await, rows);
    assert_eq!(c.hint_at(&catalog, init_line()).await, Some(catalog_hint("heap.inuse_space.lines.focus=catalog.top.txt")));
    assert_eq!(c.hint_at(&ingest_uri, ingest).await, None, "the focus drops the ingest samples");
    assert_eq!(heat(&c, &ingest_uri).await, 0, "nor is it shaded");
    let after = hover(&c, &ingest_uri, ingest).await.to_string();
    assert!(!after.contains("Top call stacks"), "no stack through it is left: {after}");
    assert!(heat(&c, &catalog).await > 0, "the catalog file still is");

    // A bad regex is refused with its field and the regex error; the
    // filters before stay.
    let err = c.command("pprof.setFilters", json!({ "ignore": "(catalog" })).await.unwrap_err();
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("ignore") && message.contains("(catalog") && message.contains("unclosed group"), "{message}");
    assert_eq!(c.status().await["filters"], json!({ "focus": "catalog" }));
    assert_eq!(top_rows(&c).await, rows);

    // Another filter replaces the set; `{}` clears it.
    c.command_ok("pprof.setFilters", json!({ "hide": "runtime" })).await;
    assert_eq!(top_rows(&c).await, common::golden_rows("heap.inuse_space.lines.hide=runtime.top.txt").1);
    let status = c.command_ok("pprof.setFilters", json!({})).await;
    assert!(status.get("filters").is_none(), "{status}");
    assert_eq!(top_rows(&c).await, common::golden_rows("heap.inuse_space.lines.top.txt").1);
    assert!(c.hint_at(&ingest_uri, ingest).await.is_some());
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_filters_setting_applies_to_loads_and_changes() {
    let c = start_with(json!({ "profiles": [profile("heap.pb.gz")], "watch": false, "filters": { "focus": "catalog" } })).await;
    let status = c.status().await;
    assert_eq!(status["filters"], json!({ "focus": "catalog" }));
    assert_eq!(top_rows(&c).await, common::golden_rows("heap.inuse_space.lines.focus=catalog.top.txt").1);

    c.set_settings(json!({ "profiles": [profile("heap.pb.gz")], "watch": false, "filters": { "tagfocus": "bytes=1kb:", "focus": "" } }));
    c.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    c.eventually("the setting's filters apply", WAIT, || async {
        (c.status().await["filters"] == json!({ "tagfocus": "bytes=1kb:" })).then_some(())
    })
    .await;
    assert_eq!(top_rows(&c).await, common::golden_rows("heap.inuse_space.lines.tagfocus=bytes-from-1kb.top.txt").1);

    // A bad one in the settings is named and left off; the rest applies.
    let mark = c.mark();
    c.set_settings(json!({ "profiles": [profile("heap.pb.gz")], "watch": false, "filters": { "show": "[", "focus": "catalog" } }));
    c.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    let shown = c.wait_after(mark, |m| is_show(m, 2), WAIT).await;
    assert!(message_text(&shown).contains("filters.show: bad regular expression"), "{shown}");
    c.eventually("the focus filter alone", WAIT, || async {
        (c.status().await["filters"] == json!({ "focus": "catalog" })).then_some(())
    })
    .await;
    c.shutdown().await;
}

/// The web view's address and token from `pprof.openWeb`'s URL.
fn parse_url(url: &str) -> (SocketAddr, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (addr, query) = rest.split_once("/?token=").expect("the token in the URL");
    (addr.parse().unwrap(), query.to_string())
}

async fn http(addr: SocketAddr, method: &'static str, target: String, body: Vec<u8>) -> Answer {
    let host = addr.to_string();
    tokio::task::spawn_blocking(move || exchange(addr, method, &target, &host, &[("Content-Type", "application/json")], &body))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_web_serves_the_editors_profile_and_a_click_opens_the_line() {
    let c = start_with(json!({ "profiles": [profile("heap.pb.gz")], "watch": false })).await;
    let opened = c.command_ok("pprof.openWeb", Value::Null).await;
    let url = opened["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(c.command_ok("pprof.openWeb", json!({})).await["url"], url.as_str(), "one server per process");
    let (addr, token) = parse_url(&url);

    assert_eq!(http(addr, "GET", "/api/state".into(), Vec::new()).await.status, 403, "no token");
    let state = http(addr, "GET", format!("/api/state?token={token}"), Vec::new()).await.json();
    assert_eq!(state["generation"], c.status().await["generation"]);
    assert_eq!(state["sampleType"], "inuse_space");

    // The flame graph's init frame, and the line it opens at, as the page
    // reads them.
    let flame = http(addr, "GET", format!("/api/flame?token={token}"), Vec::new()).await.json();
    let names: Vec<&str> = flame["names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let frame = (0..names.len().max(flame["name"].as_array().unwrap().len()))
        .find(|&i| names[flame["name"][i].as_u64().unwrap() as usize] == INIT_FUNCTION)
        .unwrap();
    let line = &flame["lines"][flame["line"][frame].as_u64().unwrap() as usize];
    let file = flame["files"][line[0].as_u64().unwrap() as usize]["file"].as_str().unwrap().to_string();
    assert_eq!(line[1], init_row());

    // The click, as the page sends it.
    let mark = c.mark();
    let click = json!({ "file": file, "line": line[1], "function": INIT_FUNCTION }).to_string().into_bytes();
    let answer = http(addr, "POST", format!("/api/open?token={token}"), click).await.json();
    assert_eq!(answer["opened"], true, "{answer}");
    let show = c.wait_after(mark, |m| m["method"] == "window/showDocument", WAIT).await;
    assert_eq!(show["params"]["uri"], uri(&goprog().join(CATALOG)));
    assert_eq!(show["params"]["takeFocus"], true);
    assert_eq!(show["params"]["selection"]["start"]["line"], init_line());

    // A frame with no workspace file says why, and the editor is not asked.
    let runtime = flame["files"].as_array().unwrap().iter().find(|f| f["file"].as_str().unwrap().ends_with("runtime/proc.go")).unwrap();
    assert_eq!(runtime["mapped"], false);
    let mark = c.mark();
    let click = json!({ "file": runtime["file"], "line": 1 }).to_string().into_bytes();
    let answer = http(addr, "POST", format!("/api/open?token={token}"), click).await.json();
    assert_eq!(answer["opened"], false);
    let reason = answer["reason"].as_str().unwrap();
    assert!(reason.contains("runtime/proc.go") && reason.contains("matches no local file"), "{reason}");
    assert!(c.messages().iter().skip(mark).all(|m| m["method"] != "window/showDocument"));

    // The page follows the editor: sample type, then filters (its `top`
    // table is pprof's with the same filter, header included).
    let status = c.command_ok("pprof.selectSampleType", json!({ "name": "alloc_space" })).await;
    let state = http(addr, "GET", format!("/api/state?token={token}"), Vec::new()).await.json();
    assert_eq!((&state["generation"], &state["sampleType"]), (&status["generation"], &json!("alloc_space")));
    c.command_ok("pprof.selectSampleType", json!({ "name": "inuse_space" })).await;
    let status = c.command_ok("pprof.setFilters", json!({ "focus": "catalog" })).await;
    let state = http(addr, "GET", format!("/api/state?token={token}"), Vec::new()).await.json();
    assert_eq!(state["generation"], status["generation"]);
    assert_eq!(state["filters"], json!({ "focus": "catalog" }));
    let top = http(addr, "GET", format!("/api/top?token={token}&lines=1"), Vec::new()).await.json();
    assert_eq!(common::http::page_top_lines(&top), common::http::golden_table_lines("heap.inuse_space.lines.default.focus=catalog.top.txt"));
    c.shutdown().await;
}
