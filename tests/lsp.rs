//! The language server end to end, in-process: every request and command
//! it offers, driven over real JSON-RPC with the fixture profiles of the
//! `pprofdemo` program and its source tree as the editor workspace. Values
//! are checked against `go tool pprof` goldens.

mod common;
mod lsp_support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use common::demo::*;
use lsp_support::*;
use pprof_lsp::profile::{decode, DecodeOptions, LocationIdx, Profile, ValueType};
use pprof_lsp::report::labels::{self, HintFormat};
use pprof_lsp::analysis::{units, Cost};
use serde_json::{json, Value};

// ---------------------------------------------------------------- fixtures and goldens

// Expected values come from the `go tool pprof` goldens of the profile in
// use and editor lines from the fixture sources (see `common::demo`); the
// labels are the server's own functions, whose format its unit tests pin.

fn inuse_space() -> ValueType {
    ValueType::new("inuse_space", "bytes")
}

/// Where the hint on the catalog allocation sits: the end of its line.
fn init_end() -> u64 {
    line_end(CATALOG, init_line())
}

/// The catalog allocation's hint with windows.heap.pb.gz loaded.
fn windows_label() -> String {
    init_label("windows.heap")
}

/// A function's costs in a `functions` golden, with the golden's total.
fn function_cost(golden: &str, function: &str) -> (Cost, i64) {
    let (total, functions) = function_golden(golden);
    let cost = *functions.get(function).unwrap_or_else(|| panic!("{golden} has no {function}"));
    (cost, total)
}

/// The lens on `catalog.init.0` for a sample type of windows.heap.pb.gz.
fn init_lens(ty: &ValueType) -> String {
    let (cost, total) = function_cost(&format!("windows.heap.{}.functions.top.txt", ty.name), INIT_FUNCTION);
    labels::lens(ty, cost, total)
}

/// The catalog allocation's hint with windows.heap.pb.gz loaded, in one of
/// the hint formats.
fn windows_label_in(format: HintFormat) -> String {
    let golden = inuse("windows.heap");
    labels::hint_in(format, golden.cost(CATALOG, init_row()), golden.total, "bytes")
}

const IDLE: &str = "internal/idle/idle.go";

/// The 0-based idle.go line (one function on it) whose flat is not zero
/// but which the default threshold hides: `minFlatPercent: 0` alone shows it.
fn tiny_idle_line(golden: &LineGolden) -> u64 {
    let found = golden.lines.iter().find(|((file, _), g)| {
        file == IDLE && g.flat != 0 && g.cum().is_some_and(|cum| !shown_by_default(g.flat, cum, golden.total))
    });
    let ((_, line), _) = found.unwrap_or_else(|| panic!("{} has no idle.go line with flat under the threshold", golden.name));
    *line as u64 - 1
}

/// The 0-based line where a function of main.go is declared, found by its
/// text (a closure's line is that of its `func` literal).
fn main_declaration(function: &str) -> u64 {
    let text = match function {
        "main.main" => "func main()",
        "main.allocate" => "func allocate()",
        "main.allocate.func1" => "words = gen.Collect(6_000, func(i int) string {",
        other => panic!("the declaration of {other} is not known to the test; add its text here"),
    };
    line_of("main.go", text)
}

/// 0-based line of main's call of `allocate()`, the heaviest line of main.go.
fn allocate_call() -> u64 {
    line_of("main.go", "\tallocate()")
}

/// 0-based line of allocate's call of `ingest.Decode`.
fn decode_call() -> u64 {
    line_of("main.go", "records = ingest.Decode(")
}

fn decoded(name: &str) -> Profile {
    decode(&std::fs::read(profile(name)).unwrap(), &DecodeOptions::default()).unwrap()
}

/// The value of the heaviest distinct stack (by absolute value) whose
/// frames pass through a workspace line (1-based), for one sample type.
/// The `-top` goldens record no stacks, so this sums the decoded samples
/// (the decoder is checked against pprof in tests/corpus.rs).
fn heaviest_stack_through(profile_name: &str, sample_type: &str, rel: &str, line: i64) -> i64 {
    let p = decoded(profile_name);
    let t = p.sample_type_index(sample_type).unwrap_or_else(|| panic!("{profile_name} has no {sample_type}"));
    let through = |loc: &LocationIdx| {
        p.location(*loc)
            .lines
            .iter()
            .any(|l| l.line == line && workspace_relative(&p.function(l.function).filename).as_deref() == Some(rel))
    };
    let mut stacks: BTreeMap<&[LocationIdx], i64> = BTreeMap::new();
    for sample in p.iter_samples().filter(|s| s.locations.iter().any(through)) {
        *stacks.entry(sample.locations).or_default() += sample.values[t];
    }
    let heaviest = stacks.into_values().max_by_key(|v| v.unsigned_abs());
    heaviest.unwrap_or_else(|| panic!("no sample of {profile_name} passes through {rel}:{line}"))
}

/// The sample types of the heap profiles, with their units.
const HEAP_TYPES: [(&str, &str); 4] =
    [("alloc_objects", "count"), ("alloc_space", "bytes"), ("inuse_objects", "count"), ("inuse_space", "bytes")];

/// A line's rows in a hover or tooltip, one per sample type, from the
/// goldens of the profile `stem`.
fn sample_type_rows(stem: &str, rel: &str, line: i64) -> Vec<String> {
    HEAP_TYPES
        .iter()
        .map(|&(name, unit)| {
            let g = line_golden(&format!("{stem}.{name}.lines.top.txt"));
            format!("- {}", labels::sample_type_row(&ValueType::new(name, unit), g.cost(rel, line), g.total))
        })
        .collect()
}

fn catalog() -> PathBuf {
    goprog().join(CATALOG)
}

fn catalog_text() -> String {
    std::fs::read_to_string(catalog()).unwrap()
}

fn profiles(name: &str) -> Value {
    json!({ "profiles": [profile(name)] })
}

/// `a` with the keys of `b` added (both objects).
fn merged(a: Value, b: Value) -> Value {
    let mut a = a;
    for (k, v) in b.as_object().unwrap() {
        a[k] = v.clone();
    }
    a
}

/// Hint settings that show every line with data.
fn all_lines() -> Value {
    json!({ "minCumPercent": 0, "minFlatPercent": 0 })
}

/// Starts a server on `root`, initialises it and waits for its first load.
async fn start_in(root: &Path, options: Value, capabilities: Value) -> Client {
    let c = Client::start();
    c.initialize(root, options, capabilities).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    c
}

async fn start(options: Value) -> Client {
    start_in(&goprog(), options, full_capabilities()).await
}

async fn start_windows() -> Client {
    start(profiles("windows.heap.pb.gz")).await
}

/// The default threshold, written out: cum at least 0.5% or flat at least
/// 0.1% of the total.
fn shown_by_default(flat: i64, cum: i64, total: i64) -> bool {
    let pct = |v: i64| (v as f64 / total as f64).abs() * 100.0;
    (flat != 0 || cum != 0) && (pct(cum) >= 0.5 || pct(flat) >= 0.1)
}

/// The status without what says how the last load went: the part that
/// describes the profile on screen.
fn on_screen(status: &Value) -> Value {
    let mut status = status.clone();
    for key in ["state", "summary", "detail", "error", "loading"] {
        status.as_object_mut().unwrap().remove(key);
    }
    status
}

/// Hints of one document as 0-based line → hint.
async fn hints_by_line(c: &Client, uri: &str) -> BTreeMap<u64, Value> {
    let mut out = BTreeMap::new();
    for h in c.hints(uri).await {
        let line = h["position"]["line"].as_u64().unwrap();
        assert!(out.insert(line, h).is_none(), "two hints on line {line} of {uri}");
    }
    out
}

/// Opens every workspace file of the golden and compares all its hints.
/// Returns (lines checked, lines hidden by the threshold).
async fn compare_hints(c: &Client, golden: &LineGolden, all_lines: bool) -> (usize, usize) {
    let files: Vec<String> = golden.lines.keys().map(|(f, _)| f.clone()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    assert!(files.len() >= 5, "the golden names only {files:?}");
    let (mut checked, mut hidden) = (0, 0);
    for rel in files {
        let path = goprog().join(&rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let source_lines: Vec<&str> = text.lines().collect();
        let uri = c.open(&path);
        let hints = hints_by_line(c, &uri).await;
        for (&line, hint) in &hints {
            let key = (rel.clone(), line as i64 + 1);
            assert!(golden.lines.contains_key(&key), "{rel}:{} has a hint but no data: {hint}", line + 1);
            let end = source_lines[line as usize].encode_utf16().count() as u64;
            assert_eq!(hint["position"]["character"], end, "{rel}:{} hint is not at the end of the line", line + 1);
        }
        for ((file, line), g) in golden.lines.iter().filter(|((f, _), _)| *f == rel) {
            let hint = hints.get(&(*line as u64 - 1)).map(label);
            let max_cum = g.cums.iter().copied().max().unwrap();
            let sum_cum: i64 = g.cums.iter().sum();
            let expected_shown = if all_lines {
                Some(true)
            } else {
                let low = shown_by_default(g.flat, max_cum, golden.total);
                let high = shown_by_default(g.flat, sum_cum, golden.total);
                (low == high).then_some(low)
            };
            match (expected_shown, hint) {
                (Some(false), None) => hidden += 1,
                (Some(false), Some(h)) => panic!("{file}:{line} should be below the threshold but shows {h:?}"),
                (Some(true), None) => panic!("{file}:{line} has no hint; golden {g:?}"),
                (_, Some(h)) => {
                    match g.cum() {
                        Some(cum) => assert_eq!(h, labels::hint(Cost { flat: g.flat, cum }, golden.total, "bytes"), "{file}:{line}"),
                        // Several functions on one line: the flat part is still exact.
                        None if g.flat != 0 => {
                            assert!(h.starts_with(&format!("{} flat · ", units::label(g.flat, "bytes"))), "{file}:{line}: {h}")
                        }
                        None => assert!(!h.contains("flat"), "{file}:{line}: {h}"),
                    }
                    checked += 1;
                }
                (None, None) => {}
            }
        }
    }
    (checked, hidden)
}

/// The three ways a profile's paths can relate to the workspace, each with
/// the default threshold and with every line shown.
async fn check_layout(profile_name: &str, golden_name: &str) {
    let golden = line_golden(golden_name);
    let c = start(profiles(profile_name)).await;
    assert_eq!(c.status().await["total"], golden.total, "{profile_name}");
    let (checked, hidden) = compare_hints(&c, &golden, false).await;
    assert!(checked >= 10, "{profile_name}: only {checked} hints checked");
    assert!(hidden >= 1, "{profile_name}: the default threshold hid nothing");

    let c = start(merged(profiles(profile_name), json!({ "hints": all_lines() }))).await;
    let (all, hidden) = compare_hints(&c, &golden, true).await;
    assert_eq!(hidden, 0);
    assert_eq!(all, golden.lines.len(), "{profile_name}: every line with data has a hint");
    assert!(all > checked);
}

fn error_messages(c: &Client) -> Vec<String> {
    c.messages().iter().filter(|m| is_show(m, 1)).map(message_text).collect()
}

// ---------------------------------------------------------------- a tiny HTTP server

/// Serves `body` at `/debug/pprof/heap` for at most `requests` connections
/// (404 elsewhere). With a gate, each answer waits for a go-ahead; every
/// request's path is reported on `seen` as it arrives.
struct HttpServer {
    url: String,
    seen: std::sync::mpsc::Receiver<String>,
    gate: Option<std::sync::mpsc::Sender<()>>,
}

fn http_server(body: Vec<u8>, requests: usize, gated: bool) -> HttpServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/debug/pprof/heap", listener.local_addr().unwrap());
    let (seen_tx, seen) = std::sync::mpsc::channel();
    let (gate_tx, gate_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut served = 0;
        while served < requests && Instant::now() < deadline {
            let mut stream = match listener.accept() {
                Ok((s, _)) => s,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                }
                Err(_) => break,
            };
            served += 1;
            stream.set_nonblocking(false).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).to_string();
            let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
            let _ = seen_tx.send(path.clone());
            if gated && gate_rx.recv_timeout(Duration::from_secs(10)).is_err() {
                break;
            }
            let (status, payload): (&str, &[u8]) =
                if path == "/debug/pprof/heap" { ("200 OK", &body) } else { ("404 Not Found", b"not found") };
            let header = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                payload.len()
            );
            let _ = stream.write_all(header.as_bytes());
            let _ = stream.write_all(payload);
            let _ = stream.flush();
        }
    });
    HttpServer { url, seen, gate: gated.then_some(gate_tx) }
}

/// A loopback URL nobody listens on.
fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/debug/pprof/heap")
}

// ---------------------------------------------------------------- lifecycle

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_advertises_every_capability_and_command() {
    let c = Client::start();
    let result = c.initialize(&goprog(), profiles("windows.heap.pb.gz"), full_capabilities()).await;
    let caps = &result["capabilities"];
    assert_eq!(result["serverInfo"]["name"], "pprof-lsp");
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"], 2, "incremental sync");
    assert_eq!(caps["inlayHintProvider"], true);
    assert_eq!(caps["codeLensProvider"]["resolveProvider"], false);
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["workspaceSymbolProvider"], true);
    assert_eq!(caps["callHierarchyProvider"], true);
    let filters: Vec<&str> =
        caps["experimental"]["pprof"]["filters"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert_eq!(filters, ["focus", "ignore", "hide", "show", "showFrom", "tagfocus", "tagignore"]);
    let commands: Vec<&str> = caps["executeCommandProvider"]["commands"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(
        commands,
        [
            "pprof.load",
            "pprof.listSampleTypes",
            "pprof.selectSampleType",
            "pprof.top",
            "pprof.unresolved",
            "pprof.status",
            "pprof.toggle",
            "pprof.listProfiles",
            "pprof.showFunction",
            "pprof.heat",
            "pprof.setDiffBase",
            "pprof.growth",
            "pprof.runBenchmark",
            "pprof.togglePerOp",
            "pprof.setFilters",
            "pprof.openWeb",
            "pprof.leaks",
            "pprof.fleet.describe"
        ]
    );
    // Nothing is loaded before `initialized`.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(c.messages().is_empty(), "{:?}", c.messages());
    assert_eq!(c.status().await["loaded"], false);

    // A client that only counts in UTF-8 gets UTF-8.
    let c = Client::start();
    let result = c.initialize(&goprog(), Value::Null, json!({ "general": { "positionEncodings": ["utf-8"] } })).await;
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialized_loads_with_progress_and_asks_for_refreshes() {
    let c = start_windows().await;
    let messages = c.messages();
    let index = |pred: &dyn Fn(&Value) -> bool| messages.iter().position(pred);
    let create = index(&|m| m["method"] == "window/workDoneProgress/create").expect("a progress token is requested");
    let token = messages[create]["params"]["token"].clone();
    let begin = index(&|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin").expect("progress begins");
    let end = index(&|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end").expect("progress ends");
    assert!(create < begin && begin < end);
    assert_eq!(messages[begin]["params"]["token"], token);
    assert_eq!(messages[end]["params"]["token"], token);
    assert_eq!(messages[begin]["params"]["value"]["title"], "pprof");
    assert_eq!(messages[begin]["params"]["value"]["message"], "loading windows.heap.pb.gz");
    let golden = inuse("windows.heap");
    let summary = labels::status_summary("windows.heap.pb.gz", &inuse_space(), golden.total);
    assert_eq!(messages[end]["params"]["value"]["message"], summary);
    // The settings are pulled before the load starts.
    let config = index(&|m| m["method"] == "workspace/configuration").expect("settings are requested");
    assert!(config < create);
    assert_eq!(messages[config]["params"]["items"][0]["section"], "pprof");
    // After the load: both refreshes.
    c.wait_for_message(|m| m["method"] == "workspace/codeLens/refresh", WAIT).await;
    let messages = c.messages();
    let hint_refresh = messages.iter().position(|m| m["method"] == "workspace/inlayHint/refresh").expect("hint refresh");
    assert!(hint_refresh > end);

    let status = c.status().await;
    assert_eq!(status["loaded"], true);
    assert_eq!(status["profile"], profile("windows.heap.pb.gz").display().to_string());
    assert_eq!(status["name"], "windows.heap.pb.gz");
    assert_eq!(status["sampleType"], "inuse_space");
    assert_eq!(status["unit"], "bytes");
    assert_eq!(status["total"], golden.total);
    assert_eq!(status["totalLabel"], units::label(golden.total, "bytes"));
    // Not a number pprof prints: the decoder's count, which tests/corpus.rs
    // checks against pprof's own reading of its test profiles.
    assert_eq!(status["samples"], decoded("windows.heap.pb.gz").samples.len());
    let (mapped, unmapped) = mapped_files("windows.heap");
    assert_eq!(status["mappedFiles"], mapped);
    assert_eq!(status["unmappedFiles"], unmapped);
    assert_eq!(status["enabled"], true);
    assert_eq!(status["available"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_without_support_get_no_progress_refresh_or_configuration_requests() {
    let c = start_in(&goprog(), profiles("windows.heap.pb.gz"), json!({})).await;
    let uri = c.open(&catalog());
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label()));
    c.command_ok("pprof.toggle", Value::Null).await;
    c.command_ok("pprof.toggle", Value::Null).await;
    let methods: Vec<String> = c
        .messages()
        .iter()
        .map(|m| m["method"].as_str().unwrap().to_string())
        .filter(|m| m != "pprof/status")
        .collect();
    assert_eq!(methods, ["window/logMessage"], "only the load is logged, besides the status");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_and_exit_close_the_connection() {
    let c = start_windows().await;
    c.shutdown().await;
    c.eventually("the server closes its end after exit", WAIT, || async { c.closed().then_some(()) }).await;
}

// ---------------------------------------------------------------- inlay hints

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_init_allocation_gets_its_hint_at_the_end_of_its_line() {
    let c = start_windows().await;
    let uri = c.open(&catalog());
    let hints = c.hints(&uri).await;
    assert_eq!(hints.len(), 1, "{hints:?}");
    let hint = &hints[0];
    assert_eq!(hint["position"], json!({ "line": init_line(), "character": init_end() }));
    assert_eq!(label(hint), windows_label());
    assert_eq!(hint["paddingLeft"], true);

    // The tooltip gives every sample type, from the four goldens.
    let rows = sample_type_rows("windows.heap", CATALOG, init_row());
    assert_eq!(hint["tooltip"]["kind"], "markdown");
    assert_eq!(hint["tooltip"]["value"], format!("**pprof** · windows.heap.pb.gz · line {}\n\n{}", init_row(), rows.join("\n")));

    // Only the requested range is answered: up to the line above.
    let none = c
        .ok(
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": init_line() - 1, "character": 0 } } }),
        )
        .await;
    assert_eq!(none, json!([]));
    // A file the profile does not touch, and one that is not open.
    let go_mod = c.open(&goprog().join("go.mod"));
    assert_eq!(c.hints(&go_mod).await, Vec::<Value>::new());
    let unopened = uri_of(&goprog().join("internal/tree/tree.go"));
    let answer = c
        .ok(
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": unopened }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 99, "character": 0 } } }),
        )
        .await;
    assert!(answer.is_null() || answer == json!([]), "{answer}");
}

fn uri_of(path: &Path) -> String {
    lsp_support::uri(path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hints_equal_pprof_for_a_windows_path_profile() {
    check_layout("windows.heap.pb.gz", "windows.heap.inuse_space.lines.top.txt").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hints_equal_pprof_for_a_trimpath_profile() {
    check_layout("trimpath.heap.pb.gz", "trimpath.heap.inuse_space.lines.top.txt").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hints_equal_pprof_for_debug1_text_profiles() {
    check_layout("heap.txt", "heap.inuse_space.lines.top.txt").await;
    check_layout("windows.heap.txt", "windows.heap.inuse_space.lines.top.txt").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_threshold_hides_tiny_lines_and_zero_shows_them() {
    // An idle.go line with a few bytes of flat, under both defaults.
    let golden = inuse("windows.heap");
    let tiny = tiny_idle_line(&golden);
    let idle = goprog().join(IDLE);
    let c = start_windows().await;
    let uri = c.open(&idle);
    assert_eq!(c.hint_at(&uri, tiny).await, None);

    let c = start(merged(profiles("windows.heap.pb.gz"), json!({ "hints": all_lines() }))).await;
    let uri = c.open(&idle);
    assert_eq!(c.hint_at(&uri, tiny).await, Some(golden.label(IDLE, tiny as i64 + 1, "bytes")));
    // Lines without data stay bare even then.
    let lines: Vec<u64> = hints_by_line(&c, &uri).await.into_keys().collect();
    let with_data: Vec<u64> = golden.lines.keys().filter(|(f, _)| f == IDLE).map(|&(_, l)| l as u64 - 1).collect();
    assert!(with_data.len() > 1 && with_data.contains(&tiny), "{with_data:?}");
    assert_eq!(lines, with_data, "the idle.go lines with data in {}", golden.name);

    // Only one of the two percentages set to zero is enough.
    let c = start(merged(profiles("windows.heap.pb.gz"), json!({ "hints": { "minFlatPercent": 0 } }))).await;
    let uri = c.open(&idle);
    assert!(c.hint_at(&uri, tiny).await.is_some());
    // Hints can be switched off in the settings, and the format changed.
    let c = start(merged(profiles("windows.heap.pb.gz"), json!({ "hints": { "enabled": false } }))).await;
    let uri = c.open(&catalog());
    assert_eq!(c.hints(&uri).await, Vec::<Value>::new());
    let c = start(merged(profiles("windows.heap.pb.gz"), json!({ "hints": { "format": "cum" } }))).await;
    let uri = c.open(&catalog());
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label_in(HintFormat::Cum)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_mappings_map_build_paths_onto_a_checkout() {
    // The workspace is the checkout itself, mapped explicitly.
    let settings = json!({
        "profiles": [profile("windows.heap.pb.gz")],
        "pathMappings": [{ "from": "D:/work/projects/pprofdemo", "to": goprog() }],
    });
    let (mapped, unmapped) = mapped_files("windows.heap");
    let c = start(settings).await;
    let status = c.status().await;
    assert_eq!(status["mappedFiles"], mapped);
    let uri = c.open(&catalog());
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label()));
    let unresolved = c.command_ok("pprof.unresolved", Value::Null).await;
    assert!(
        unresolved.as_array().unwrap().iter().all(|e| !e["file"].as_str().unwrap().starts_with("D:/")),
        "{unresolved}"
    );

    // A workspace without the sources: nothing maps until a mapping points
    // at a checkout elsewhere, with the Windows spelling of the prefix.
    let empty = TempDir::new("mapping");
    let c = start_in(empty.path(), profiles("windows.heap.pb.gz"), json!({})).await;
    assert_eq!(c.status().await["mappedFiles"], 0);
    let unresolved = c.command_ok("pprof.unresolved", Value::Null).await;
    let entry = unresolved
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == "D:/work/projects/pprofdemo/internal/catalog/catalog.go")
        .unwrap_or_else(|| panic!("catalog.go is unresolved: {unresolved}"))
        .clone();
    assert_eq!(entry["reason"], "not found");
    assert!(!entry["tried"].as_array().unwrap().is_empty());
    let uri = c.open(&catalog());
    assert_eq!(c.hints(&uri).await, Vec::<Value>::new());

    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "pprof": hermetic(json!({
            "profiles": [profile("windows.heap.pb.gz")],
            "pathMappings": [{ "from": "D:\\work\\projects\\pprofdemo", "to": goprog() }],
        })) } }),
    );
    // Without refresh support there is nothing to wait for but the effect.
    let status = c
        .eventually("the mapping takes effect", WAIT, || async {
            let s = c.status().await;
            (s["mappedFiles"] == mapped).then_some(s)
        })
        .await;
    assert_eq!(status["unmappedFiles"], unmapped);
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label()));
}

// ---------------------------------------------------------------- code lens, hover, symbols, call hierarchy

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_lenses_sit_on_declarations_and_run_show_function() {
    let c = start_windows().await;
    let uri = c.open(&catalog());
    let lenses = c.ok("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })).await;
    let lenses = lenses.as_array().unwrap();
    assert_eq!(lenses.len(), 1, "{lenses:?}");
    let lens = &lenses[0];
    assert_eq!(lens["range"]["start"], json!({ "line": init_declaration(), "character": 0 }));
    assert_eq!(lens["command"]["title"], init_lens(&inuse_space()));
    assert_eq!(lens["command"]["command"], "pprof.showFunction");
    assert_eq!(lens["command"]["arguments"], json!([{ "function": INIT_FUNCTION }]));

    // Every lens of main.go has pprof's function values.
    let (total, functions) = function_golden("windows.heap.inuse_space.functions.top.txt");
    let main = c.open(&goprog().join("main.go"));
    let lenses = c.ok("textDocument/codeLens", json!({ "textDocument": { "uri": main } })).await;
    let mut seen = Vec::new();
    for lens in lenses.as_array().unwrap() {
        let name = lens["command"]["arguments"][0]["function"].as_str().unwrap();
        let cost = functions[name];
        assert_eq!(lens["command"]["title"], labels::lens(&inuse_space(), cost, total));
        seen.push((name.to_string(), lens["range"]["start"]["line"].as_u64().unwrap()));
    }
    // One lens per function of main.go in the golden, on its declaration.
    let golden = inuse("windows.heap");
    let mut expected: Vec<(String, u64)> = golden
        .files
        .iter()
        .filter(|(_, file)| *file == "main.go")
        .map(|(function, _)| (function.clone(), main_declaration(function)))
        .collect();
    expected.sort_by_key(|(_, line)| *line);
    assert!(expected.len() >= 3, "{expected:?}");
    assert_eq!(seen, expected);

    // Running the lens's command.
    let mark = c.mark();
    let result = c.command_ok("pprof.showFunction", lens["command"]["arguments"][0].clone()).await;
    assert_eq!(result["function"], INIT_FUNCTION);
    assert_eq!(result["uri"], uri);
    assert_eq!(result["file"], "D:/work/projects/pprofdemo/internal/catalog/catalog.go");
    let line = golden.cost(CATALOG, init_row());
    assert_eq!(result["lines"], json!([{ "line": init_row(), "flat": line.flat, "cum": line.cum, "label": windows_label() }]));
    // With a single caller, the call carries all of the function's cum.
    let (function, total) = function_cost("windows.heap.inuse_space.functions.top.txt", INIT_FUNCTION);
    let call = labels::share(function.cum, total, "bytes");
    assert_eq!(result["callers"], json!([{ "function": "runtime.doInit1", "weight": function.cum, "label": call }]));
    let shown = c.wait_after(mark, |m| is_show(m, 3), WAIT).await;
    let text = message_text(&shown);
    assert!(text.starts_with(&format!("{INIT_FUNCTION} — {}", labels::function(&inuse_space(), function, total))), "{text}");
    assert!(text.contains(&format!("catalog.go:{}  {}", init_row(), windows_label())), "{text}");
    assert!(text.contains(&format!("runtime.doInit1  {call}")), "{text}");

    let err = c.command("pprof.showFunction", json!({ "function": "no.such" })).await.unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("no function no.such"), "{err}");
    // Lenses can be switched off.
    let c = start(merged(profiles("windows.heap.pb.gz"), json!({ "lenses": { "enabled": false } }))).await;
    let uri = c.open(&catalog());
    assert_eq!(c.ok("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })).await, json!([]));
}

async fn hover(c: &Client, uri: &str, line: u64) -> Value {
    c.ok("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 2 } })).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_shows_every_sample_type_and_the_heaviest_stacks() {
    let c = start_windows().await;
    let uri = c.open(&catalog());
    let h = hover(&c, &uri, init_line()).await;
    assert_eq!(h["contents"]["kind"], "markdown");
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(text.starts_with(&format!("**pprof** · windows.heap.pb.gz · line {}\n", init_row())), "{text}");
    for row in sample_type_rows("windows.heap", CATALOG, init_row()) {
        assert!(text.contains(&format!("{row}\n")), "missing {row:?} in\n{text}");
    }
    assert!(text.contains("**Top call stacks through this line** (inuse_space)"), "{text}");
    // The only stack through the line carries all of its cum.
    let golden = inuse("windows.heap");
    let init = golden.cost(CATALOG, init_row());
    assert!(text.contains(&format!("1. {}", labels::share(init.cum, golden.total, "bytes"))), "{text}");
    assert!(!text.contains("2. "), "one stack only:\n{text}");
    // Mapped frames link to the local file; others are plain code.
    let row = init_row();
    assert!(text.contains(&format!("   - [{INIT_FUNCTION} catalog.go:{row}]({uri}#L{row})")), "{text}");
    assert!(text.contains("   - `runtime.doInit1 proc.go:"), "{text}");

    // The call of allocate() in main carries many stacks: at most five.
    let call = allocate_call() as i64 + 1;
    let main = c.open(&goprog().join("main.go"));
    let text = hover(&c, &main, allocate_call()).await["contents"]["value"].as_str().unwrap().to_string();
    for row in sample_type_rows("windows.heap", "main.go", call) {
        assert!(text.contains(&format!("{row}\n")), "missing {row:?} in\n{text}");
    }
    let numbered: Vec<&str> =
        text.lines().filter(|l| l.split_once(". ").is_some_and(|(n, _)| n.parse::<u32>().is_ok())).collect();
    assert_eq!(numbered.len(), 5, "{text}");
    let heaviest = heaviest_stack_through("windows.heap.pb.gz", "inuse_space", "main.go", call);
    assert_eq!(numbered[0], format!("1. {}", labels::share(heaviest, golden.total, "bytes")), "{numbered:?}");
    // Every frame reads `function file:line`.
    let main_uri = main.clone();
    for frame in text.lines().filter(|l| l.starts_with("   - ")) {
        let f = &frame[5..];
        let ok = f.starts_with('`') && f.ends_with('`') && f.contains(".go:")
            || f.starts_with('[') && f.contains(".go:") && f.contains("](file://")
            || f.starts_with("… ");
        assert!(ok, "odd frame {f:?}");
    }
    let decode_call = decode_call() + 1;
    assert!(text.contains(&format!("[main.allocate main.go:{decode_call}]({main_uri}#L{decode_call})")), "{text}");
    // Lines without data have no hover.
    let package = line_of(CATALOG, "package catalog");
    assert!(!golden.lines.contains_key(&(CATALOG.to_string(), package as i64 + 1)));
    assert_eq!(hover(&c, &uri, package).await, Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_symbols_are_ordered_by_cost_and_filtered() {
    let c = start_windows().await;
    let (total, functions) = function_golden("windows.heap.inuse_space.functions.top.txt");
    let all = c.ok("workspace/symbol", json!({ "query": "" })).await;
    let all = all.as_array().unwrap();
    // Exactly the functions the golden places in workspace files.
    let golden = inuse("windows.heap");
    let listed: BTreeSet<&str> = all.iter().map(|s| s["name"].as_str().unwrap()).collect();
    let local: BTreeSet<&str> = golden.files.keys().map(String::as_str).collect();
    assert!(local.len() >= 15, "{local:?}");
    assert_eq!(listed, local);
    let mut previous = i64::MAX;
    for s in all {
        let name = s["name"].as_str().unwrap();
        let cost = functions.get(name).unwrap_or_else(|| panic!("{name} is not in the golden"));
        assert!(cost.cum <= previous, "{name} out of order");
        previous = cost.cum;
        assert_eq!(s["kind"], 12);
        assert_eq!(s["containerName"], labels::hint(*cost, total, "bytes"), "{name}");
        // Only functions with a local file are listed.
        assert!(s["location"]["uri"].as_str().unwrap().starts_with(&uri_of(&goprog())), "{s}");
    }
    assert_eq!(all[0]["name"], INIT_FUNCTION);
    assert_eq!(all[0]["location"]["uri"], uri_of(&catalog()));
    assert_eq!(all[0]["location"]["range"]["start"], json!({ "line": init_declaration(), "character": 0 }));
    let allocate = all.iter().find(|s| s["name"] == "main.allocate").unwrap();
    assert_eq!(allocate["location"]["uri"], uri_of(&goprog().join("main.go")));
    assert_eq!(allocate["location"]["range"]["start"]["line"], main_declaration("main.allocate"));

    let found = c.ok("workspace/symbol", json!({ "query": "CATALOG" })).await;
    let names: Vec<&str> = found.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, [INIT_FUNCTION]);
    // A substring, or the query's letters in order: `ingest` also finds
    // `internal/gen.Collect[go.shape.string]`. The order stays by cost.
    let found = c.ok("workspace/symbol", json!({ "query": "ingest" })).await;
    let names: Vec<&str> = found.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    let in_order = |name: &str, query: &str| {
        let mut chars = name.chars();
        query.chars().all(|q| chars.any(|c| c == q))
    };
    let expected: Vec<&str> =
        all.iter().map(|s| s["name"].as_str().unwrap()).filter(|n| in_order(&n.to_lowercase(), "ingest")).collect();
    assert_eq!(names, expected);
    // The same functions as the golden's, by cum and then flat; functions
    // equal in both may come in any order, so their costs are compared.
    let mut from_golden: Vec<&str> = local.iter().copied().filter(|n| in_order(&n.to_lowercase(), "ingest")).collect();
    let rank = |name: &&str| {
        let cost = functions[*name];
        (std::cmp::Reverse(cost.cum.unsigned_abs()), std::cmp::Reverse(cost.flat.unsigned_abs()))
    };
    from_golden.sort_by_key(rank);
    assert!(from_golden.len() >= 5, "{from_golden:?}");
    assert_eq!(names.iter().map(rank).collect::<Vec<_>>(), from_golden.iter().map(rank).collect::<Vec<_>>(), "{names:?}");
    assert_eq!(names.iter().collect::<BTreeSet<_>>(), from_golden.iter().collect::<BTreeSet<_>>());
    assert!(names.contains(&"pprofdemo/internal/idle.(*Group).ingestHelper"));
    assert!(!names.contains(&"main.main"));
    let fuzzy = c.ok("workspace/symbol", json!({ "query": "catinit" })).await;
    assert_eq!(fuzzy[0]["name"], INIT_FUNCTION);
    assert_eq!(c.ok("workspace/symbol", json!({ "query": "qqqqq" })).await, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_hierarchy_carries_edge_costs() {
    let c = start_windows().await;
    let functions = "windows.heap.inuse_space.functions.top.txt";
    let catalog_uri = c.open(&catalog());
    // A line in the body of init, below the allocation.
    let body = line_of(CATALOG, "e := &table[i]");
    let items = c
        .ok("textDocument/prepareCallHierarchy", json!({ "textDocument": { "uri": catalog_uri }, "position": { "line": body, "character": 1 } }))
        .await;
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(items[0]["name"], INIT_FUNCTION);
    let (init, total) = function_cost(functions, INIT_FUNCTION);
    assert_eq!(items[0]["detail"], labels::call(&inuse_space(), init.cum, total));
    assert_eq!(items[0]["uri"], catalog_uri);
    assert_eq!(items[0]["range"]["start"]["line"], init_declaration());

    let golden = inuse("windows.heap");
    let main = c.open(&goprog().join("main.go"));
    let items = c
        .ok("textDocument/prepareCallHierarchy", json!({ "textDocument": { "uri": main }, "position": { "line": decode_call(), "character": 1 } }))
        .await;
    assert_eq!(items[0]["name"], "main.allocate");
    assert_eq!(items[0]["range"]["start"]["line"], main_declaration("main.allocate"));
    let out = c.ok("callHierarchy/outgoingCalls", json!({ "item": items[0] })).await;
    let out = out.as_array().unwrap();
    // ingest.Decode is called from one line only, so that line's cum is the edge.
    let decode = out.iter().find(|o| o["to"]["name"] == "pprofdemo/internal/ingest.Decode").expect("allocate calls Decode");
    let cum = golden.cost("main.go", decode_call() as i64 + 1).cum;
    assert_eq!(decode["to"]["detail"], labels::call(&inuse_space(), cum, golden.total));
    let site = json!({ "line": decode_call(), "character": 0 });
    assert_eq!(decode["fromRanges"], json!([{ "start": site, "end": site }]));
    assert_eq!(decode["to"]["uri"], uri_of(&goprog().join("internal/ingest/ingest.go")));
    assert_eq!(out[0]["to"]["name"], "pprofdemo/internal/ingest.Decode", "heaviest first");
    let weights: Vec<f64> = out
        .iter()
        .map(|o| o["to"]["detail"].as_str().unwrap().rsplit_once('(').unwrap().1.trim_end_matches("%)").parse().unwrap())
        .collect();
    assert!(weights.windows(2).all(|w| w[0] >= w[1]), "{weights:?}");

    let ingest = c.open(&goprog().join("internal/ingest/ingest.go"));
    let ingest_go = "internal/ingest/ingest.go";
    let items = c
        .ok(
            "textDocument/prepareCallHierarchy",
            json!({ "textDocument": { "uri": ingest }, "position": { "line": line_of(ingest_go, "func newBuf("), "character": 1 } }),
        )
        .await;
    assert_eq!(items[0]["name"], "pprofdemo/internal/ingest.newBuf");
    let (new_buf, _) = function_cost(functions, "pprofdemo/internal/ingest.newBuf");
    let weight = labels::call(&inuse_space(), new_buf.cum, total);
    assert_eq!(items[0]["detail"], weight);
    let incoming = c.ok("callHierarchy/incomingCalls", json!({ "item": items[0] })).await;
    assert_eq!(incoming.as_array().unwrap().len(), 1, "{incoming}");
    assert_eq!(incoming[0]["from"]["name"], "pprofdemo/internal/ingest.frame");
    // Its only caller's call carries all of newBuf's cum.
    assert_eq!(incoming[0]["from"]["detail"], weight);
    assert_eq!(incoming[0]["fromRanges"][0]["start"]["line"], line_of(ingest_go, "out := newBuf("), "called in frame");
    // No function at a line above every function of the file.
    let package = line_of(CATALOG, "package catalog");
    let none = c
        .ok("textDocument/prepareCallHierarchy", json!({ "textDocument": { "uri": catalog_uri }, "position": { "line": package, "character": 0 } }))
        .await;
    assert_eq!(none, Value::Null);
}

// ---------------------------------------------------------------- commands

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_accepts_paths_relative_paths_and_strings() {
    let c = start_windows().await;
    let uri = c.open(&catalog());
    let mark = c.mark();
    let status = c.command_ok("pprof.load", json!({ "path": profile("trimpath.heap.pb.gz") })).await;
    assert_eq!(status["name"], "trimpath.heap.pb.gz");
    assert_eq!(status["total"], inuse("trimpath.heap").total);
    assert_eq!(status["available"], 2);
    c.wait_after(mark, |m| m["method"] == "workspace/inlayHint/refresh", WAIT).await;
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(init_label("trimpath.heap")));

    // Relative to the first workspace folder.
    let status = c.command_ok("pprof.load", json!({ "path": "../profiles/heap2.pb.gz" })).await;
    assert_eq!(status["name"], "heap2.pb.gz");
    assert_eq!(status["total"], inuse("heap2").total);
    assert_eq!(status["profile"], goprog().join("../profiles/heap2.pb.gz").display().to_string());
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(init_label("heap2")));
    // A bare string.
    let status = c.command_ok("pprof.load", json!(profile("windows.heap.pb.gz"))).await;
    assert_eq!(status["total"], inuse("windows.heap").total);
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label()));

    let listed = c.command_ok("pprof.listProfiles", Value::Null).await;
    let listed: Vec<(String, bool)> =
        listed.as_array().unwrap().iter().map(|p| (p["source"].as_str().unwrap().to_string(), p["active"].as_bool().unwrap())).collect();
    assert_eq!(
        listed,
        [
            (goprog().join("../profiles/heap2.pb.gz").display().to_string(), false),
            (profile("trimpath.heap.pb.gz").display().to_string(), false),
            (profile("windows.heap.pb.gz").display().to_string(), true),
        ]
    );
    let err = c.command("pprof.load", json!({})).await.unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("pprof.load needs"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_types_are_listed_and_selected() {
    let c = start_windows().await;
    let uri = c.open(&catalog());
    let types = c.command_ok("pprof.listSampleTypes", Value::Null).await;
    let types = types.as_array().unwrap();
    let names: Vec<&str> = types.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, HEAP_TYPES.map(|(name, _)| name));
    for (t, (name, unit)) in types.iter().zip(HEAP_TYPES) {
        let golden = line_golden(&format!("windows.heap.{name}.lines.top.txt"));
        assert_eq!(t["total"], golden.total, "{name}");
        assert_eq!(t["unit"], unit);
        assert_eq!(t["totalLabel"], units::label(golden.total, unit));
        assert_eq!(t["active"], name == "inuse_space");
    }

    let mark = c.mark();
    let status = c.command_ok("pprof.selectSampleType", json!({ "name": "alloc_space" })).await;
    assert_eq!(status["sampleType"], "alloc_space");
    c.wait_after(mark, |m| m["method"] == "workspace/inlayHint/refresh", WAIT).await;
    let alloc = line_golden("windows.heap.alloc_space.lines.top.txt");
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(alloc.label(CATALOG, init_row(), "bytes")));
    let lens = c.ok("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })).await;
    assert_eq!(lens[0]["command"]["title"], init_lens(&ValueType::new("alloc_space", "bytes")));
    let listed = c.command_ok("pprof.listSampleTypes", Value::Null).await;
    assert_eq!(listed[1]["active"], true);
    assert_eq!(listed[3]["active"], false);

    // A bare string works too; an unknown name is an error naming the choices.
    c.command_ok("pprof.selectSampleType", json!("inuse_space")).await;
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label()));
    let err = c.command("pprof.selectSampleType", json!({ "name": "bogus" })).await.unwrap_err();
    assert_eq!(err["code"], -32602);
    assert_eq!(
        err["message"],
        "sample type \"bogus\" is not in this profile; it has: alloc_objects, alloc_space, inuse_objects, inuse_space"
    );
    assert_eq!(c.status().await["sampleType"], "inuse_space");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_lists_the_hottest_lines_by_flat_or_cum() {
    let c = start_windows().await;
    let top = c.command_ok("pprof.top", json!({ "n": 5, "by": "flat" })).await;
    let top = top.as_array().unwrap();
    assert_eq!(top.len(), 5);
    let init = inuse("windows.heap").cost(CATALOG, init_row());
    assert_eq!(
        top[0],
        json!({
            "uri": uri_of(&catalog()),
            "file": "D:/work/projects/pprofdemo/internal/catalog/catalog.go",
            "line": init_row(),
            "function": INIT_FUNCTION,
            "flat": init.flat,
            "cum": init.cum,
            "label": windows_label(),
        })
    );
    // The same rows, in the same order, as `go tool pprof -lines -top`.
    let text = std::fs::read_to_string(common::golden_dir().join("windows.heap.inuse_space.lines.top.txt")).unwrap();
    let rows: Vec<&str> = text.lines().skip_while(|l| !l.trim_start().starts_with("flat")).skip(1).take(5).collect();
    for (entry, row) in top.iter().zip(&rows) {
        let place = row.trim_end_matches(" (inline)").rsplit_once(' ').unwrap().1;
        let (file, line) = place.rsplit_once(':').unwrap();
        assert_eq!(entry["file"], file);
        assert_eq!(entry["line"], line.parse::<i64>().unwrap(), "{row}");
        assert!(row.contains(&format!(" {} ", entry["function"].as_str().unwrap())), "{row}");
        let rel = workspace_relative(file).unwrap();
        assert_eq!(entry["uri"], uri_of(&goprog().join(rel)));
        assert_eq!(entry["flat"].as_i64().unwrap(), common::exact_value(row.split_whitespace().next().unwrap()));
    }

    // By cum: the values are pprof's, largest first; unmapped frames have no URI.
    let golden = common::parse_top(&text);
    let mut cums: Vec<i64> = golden.rows.values().map(|r| r.cum).collect();
    cums.sort_unstable_by(|a, b| b.cmp(a));
    let top = c.command_ok("pprof.top", json!({ "n": 8, "by": "cum" })).await;
    let got: Vec<i64> = top.as_array().unwrap().iter().map(|e| e["cum"].as_i64().unwrap()).collect();
    assert_eq!(got, cums[..8]);
    let unmapped = top.as_array().unwrap().iter().find(|e| e["file"].as_str().unwrap().starts_with("c:/go/")).expect("a runtime row");
    assert_eq!(unmapped["uri"], Value::Null);
    // main's heaviest line is its call of allocate().
    let main = top.as_array().unwrap().iter().find(|e| e["function"] == "main.main").unwrap();
    let call = allocate_call() as i64 + 1;
    assert_eq!(main["line"], call);
    assert_eq!(main["label"], inuse("windows.heap").label("main.go", call, "bytes"));
    // The default n is 20.
    let top = c.command_ok("pprof.top", Value::Null).await;
    assert_eq!(top.as_array().unwrap().len(), 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unresolved_lists_what_was_tried() {
    let c = start_windows().await;
    let status = c.status().await;
    let unresolved = c.command_ok("pprof.unresolved", Value::Null).await;
    let entries = unresolved.as_array().unwrap();
    assert_eq!(entries.len() as u64, status["unmappedFiles"].as_u64().unwrap());
    for e in entries {
        let file = e["file"].as_str().unwrap();
        assert!(file.starts_with("c:/go/"), "only GOROOT files stay unmapped here: {e}");
        assert_eq!(e["reason"], "not found");
        let tried = e["tried"].as_array().unwrap();
        assert!(tried.iter().any(|t| t.as_str().unwrap().contains(file)), "{e}");
    }
    assert!(entries.iter().any(|e| e["file"] == "c:/go/src/runtime/proc.go"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toggle_hides_and_restores_everything() {
    let c = start_windows().await;
    let uri = c.open(&catalog());
    let lens = json!({ "textDocument": { "uri": uri } });
    let mark = c.mark();
    assert_eq!(c.command_ok("pprof.toggle", Value::Null).await, json!({ "enabled": false }));
    c.wait_after(mark, |m| m["method"] == "workspace/inlayHint/refresh", WAIT).await;
    assert_eq!(c.hints(&uri).await, Vec::<Value>::new());
    assert_eq!(c.ok("textDocument/codeLens", lens.clone()).await, json!([]));
    assert_eq!(hover(&c, &uri, init_line()).await, Value::Null);
    assert_eq!(c.command_ok("pprof.heat", json!({ "uri": uri })).await, json!([]));
    let status = c.status().await;
    assert_eq!(status["enabled"], false);
    assert_eq!(status["loaded"], true, "the profile stays loaded");

    assert_eq!(c.command_ok("pprof.toggle", Value::Null).await, json!({ "enabled": true }));
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label()));
    assert_eq!(c.ok("textDocument/codeLens", lens).await[0]["command"]["title"], init_lens(&inuse_space()));
    // An explicit value is obeyed, not flipped.
    assert_eq!(c.command_ok("pprof.toggle", json!({ "enabled": true })).await, json!({ "enabled": true }));
    assert_eq!(c.command_ok("pprof.toggle", json!({ "enabled": false })).await, json!({ "enabled": false }));
    assert_eq!(c.command_ok("pprof.toggle", json!({ "enabled": false })).await, json!({ "enabled": false }));
    assert_eq!(c.hints(&uri).await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heat_gives_each_hot_line_its_share_of_the_hottest() {
    let c = start_windows().await;
    let uri = c.open(&catalog());
    // The catalog allocation is the only line of its file, so the hottest.
    let golden = inuse("windows.heap");
    let init = golden.cost(CATALOG, init_row());
    assert_eq!(
        c.command_ok("pprof.heat", json!({ "uri": uri })).await,
        json!([{ "line": init_line(), "level": 5, "heat": 1.0, "cum": init.cum, "flat": init.flat }])
    );
    let main = c.open(&goprog().join("main.go"));
    let heat = c.command_ok("pprof.heat", json!({ "uri": main })).await;
    let heat = heat.as_array().unwrap();
    // main's call of allocate() is the hottest line of main.go.
    let hottest = golden.cost("main.go", allocate_call() as i64 + 1).cum;
    let main_cums = golden.lines.iter().filter(|((f, _), _)| f == "main.go").flat_map(|(_, g)| g.cums.iter().copied());
    assert_eq!(main_cums.max(), Some(hottest));
    let hottest = hottest as f64;
    let hints = hints_by_line(&c, &main).await;
    assert_eq!(heat.len(), hints.len(), "one entry per shown line");
    for e in heat {
        let line = e["line"].as_i64().unwrap();
        assert!(hints.contains_key(&(line as u64)));
        let g = &golden.lines[&("main.go".to_string(), line + 1)];
        assert_eq!(e["flat"], g.flat);
        if let Some(cum) = g.cum() {
            assert_eq!(e["cum"], cum);
            assert!((e["heat"].as_f64().unwrap() - cum as f64 / hottest).abs() < 1e-9, "{e}");
            // Five shades, each a fifth of the hottest line's cum.
            assert_eq!(e["level"], (cum as f64 / hottest * 5.0).ceil() as u64, "{e}");
        }
    }
    assert_eq!(heat.iter().find(|e| e["line"] == allocate_call()).unwrap()["heat"], 1.0);
    // Unknown or missing documents give nothing.
    assert_eq!(c.command_ok("pprof.heat", json!({ "uri": uri_of(&goprog().join("internal/tree/tree.go")) })).await, json!([]));
    let err = c.command("pprof.heat", Value::Null).await.unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("needs {\"uri\""), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_without_a_profile() {
    let empty = TempDir::new("noprofile");
    let c = Client::start();
    c.initialize(empty.path(), Value::Null, full_capabilities()).await;
    c.initialized();
    let logged = c.wait_for_message(|m| m["method"] == "window/logMessage", WAIT).await;
    assert!(message_text(&logged).contains("no profile configured or found"), "{logged}");
    let status = c.status().await;
    assert_eq!(
        status,
        json!({ "state": "empty", "summary": "pprof: no profile", "detail": "No profile is loaded.", "generation": 0,
                "loaded": false, "enabled": true, "available": 0 })
    );
    assert_eq!(c.command_ok("pprof.listSampleTypes", Value::Null).await, json!([]));
    assert_eq!(c.command_ok("pprof.top", Value::Null).await, json!([]));
    assert_eq!(c.command_ok("pprof.listProfiles", Value::Null).await, json!([]));
    assert_eq!(c.command_ok("pprof.unresolved", Value::Null).await, json!([]));
    let err = c.command("pprof.selectSampleType", json!({ "name": "inuse_space" })).await.unwrap_err();
    assert_eq!(err["message"], "no profile is loaded");
    assert_eq!(c.ok("workspace/symbol", json!({ "query": "" })).await, Value::Null);
}

// ---------------------------------------------------------------- edits

/// Replaces the `from..to` lines (0-based, end exclusive) of `text`.
fn splice_lines(text: &str, from: usize, to: usize, with: &[&str]) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.splice(from..to, with.iter().copied());
    lines.join("\n") + "\n"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hints_follow_incremental_edits_and_go_stale() {
    let c = start_windows().await;
    let uri = c.open(&catalog());
    let (init, declaration, expected) = (init_line(), init_declaration(), windows_label());
    // The edits below change lines 0 to 10, all above the function.
    assert!(declaration > 10, "catalog.go changed: init is declared on line {declaration} (0-based)");
    let keys = |hints: BTreeMap<u64, Value>| hints.into_keys().collect::<Vec<_>>();

    // Two lines inserted above: the hint moves down with its line.
    c.change(&uri, 2, &[(10, 0, 10, 0, "// one\n// two\n")]);
    let hints = hints_by_line(&c, &uri).await;
    let at = init + 2;
    assert_eq!(hints.keys().copied().collect::<Vec<_>>(), [at]);
    assert_eq!(label(&hints[&at]), expected);
    assert_eq!(hints[&at]["position"]["character"], init_end());
    let lens = c.ok("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })).await;
    assert_eq!(lens[0]["range"]["start"]["line"], declaration + 2, "the lens follows its declaration");
    let top = c.command_ok("pprof.top", json!({ "n": 1 })).await;
    assert_eq!(top[0]["line"], at + 1, "pprof.top gives the current 1-based line");
    let h = hover(&c, &uri, at).await;
    let profile_line = format!("line {}", init_row());
    assert!(h["contents"]["value"].as_str().unwrap().contains(&profile_line), "hover still speaks of profile {profile_line}");

    // Four lines deleted above (the header comment and package clause).
    c.change(&uri, 3, &[(0, 0, 4, 0, "")]);
    let at = init - 2;
    assert_eq!(keys(hints_by_line(&c, &uri).await), [at]);
    assert_eq!(c.hint_at(&uri, at).await, Some(expected.clone()));

    // The hot line itself edited (`table` renamed): the hint stays, marked stale.
    let edit = at as u32;
    c.change(&uri, 4, &[(edit, 1, edit, 6, "tbl")]);
    let stale = c.hint_at(&uri, at).await.expect("an edited line keeps its hint");
    assert!(stale.starts_with(&expected) && stale.contains("stale"), "{stale}");
    let heat = c.command_ok("pprof.heat", json!({ "uri": uri })).await;
    assert_eq!(heat, json!([]), "heat leaves out edited lines");
    // Undone: the exact original label again.
    c.change(&uri, 5, &[(edit, 1, edit, 4, "table")]);
    assert_eq!(c.hint_at(&uri, at).await, Some(expected));

    // Several changes in one notification apply in order: two lines in, one out.
    c.change(&uri, 6, &[(0, 0, 0, 0, "// a\n"), (0, 0, 0, 0, "// b\n"), (1, 0, 2, 0, "")]);
    assert_eq!(keys(hints_by_line(&c, &uri).await), [init - 1]);

    // Everything from the function on deleted: the profiled line is gone.
    // The document is now one line shorter than the file.
    let (from, end) = ((declaration - 1) as u32, (catalog_text().lines().count() - 1) as u32);
    c.change(&uri, 7, &[(from, 0, end, 0, "")]);
    assert_eq!(c.hints(&uri).await, Vec::<Value>::new());
    assert_eq!(c.ok("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })).await, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hints_follow_full_text_edits_and_go_stale() {
    let c = start_windows().await;
    let (init, expected) = (init_line(), windows_label());
    let original = catalog_text();
    let uri = c.open(&catalog());
    let inserted = splice_lines(&original, 10, 10, &["", "", ""]);
    c.change_full(&uri, 2, &inserted);
    assert_eq!(hints_by_line(&c, &uri).await.keys().copied().collect::<Vec<_>>(), [init + 3]);
    assert_eq!(c.hint_at(&uri, init + 3).await, Some(expected.clone()));

    let deleted = splice_lines(&original, 0, 2, &[]);
    c.change_full(&uri, 3, &deleted);
    assert_eq!(c.hint_at(&uri, init - 2).await, Some(expected.clone()));

    let edited = original.replace("table = make([]Entry, Size)", "table = make([]Entry, Size*2)");
    c.change_full(&uri, 4, &edited);
    let stale = c.hint_at(&uri, init).await.expect("stale hint");
    assert_eq!(stale, format!("{expected} (stale: line edited since the profile was loaded)"));

    c.change_full(&uri, 5, &original);
    assert_eq!(c.hint_at(&uri, init).await, Some(expected));

    // The file cut short before the function: no hint, no error.
    let short: String = original.lines().take(init_declaration() as usize).map(|l| format!("{l}\n")).collect();
    c.change_full(&uri, 6, &short);
    assert_eq!(c.hints(&uri).await, Vec::<Value>::new());
    assert_eq!(c.command_ok("pprof.heat", json!({ "uri": uri })).await, json!([]));
    // Opened already short, as a document with fewer lines than the profile knows.
    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    c.open_text(&catalog(), &short);
    assert_eq!(c.hints(&uri).await, Vec::<Value>::new());
    assert_eq!(c.ok("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })).await, json!([]));
    assert_eq!(hover(&c, &uri, init_line()).await, Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_hints_can_be_hidden() {
    let c = start(merged(profiles("windows.heap.pb.gz"), json!({ "hints": { "stale": "hide" } }))).await;
    let original = catalog_text();
    let uri = c.open(&catalog());
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label()));
    let edit = init_line() as u32;
    c.change(&uri, 2, &[(edit, 1, edit, 6, "tbl")]);
    assert_eq!(c.hints(&uri).await, Vec::<Value>::new());
    c.change_full(&uri, 3, &original);
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_makes_the_current_text_the_reference() {
    let c = start_windows().await;
    let uri = c.open(&catalog());
    // A line inserted at the top, then the allocation line edited.
    let (init, row) = (init_line(), init_row());
    let edit = init as u32 + 1;
    c.change(&uri, 2, &[(0, 0, 0, 0, "// new first line\n"), (edit, 1, edit, 6, "tbl")]);
    let stale = c.hint_at(&uri, init + 1).await.unwrap();
    assert!(stale.contains("stale"), "{stale}");
    // A new profile is taken to describe the text as it is now.
    c.command_ok("pprof.load", json!({ "path": profile("windows.heap.pb.gz") })).await;
    let hints = hints_by_line(&c, &uri).await;
    assert_eq!(hints.keys().copied().collect::<Vec<_>>(), [init], "profile line {row} is line {row} of the current text");
    assert!(!label(&hints[&init]).contains("stale"));
}

// ---------------------------------------------------------------- configuration

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_changes_are_pulled_and_applied() {
    let c = start_windows().await;
    let uri = c.open(&catalog());
    let main = c.open(&goprog().join("main.go"));
    let default_main = hints_by_line(&c, &main).await.len();

    c.set_settings(json!({ "profiles": [profile("windows.heap.pb.gz")], "sampleType": "alloc_space" }));
    let mark = c.mark();
    c.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    c.wait_after(mark, |m| m["method"] == "workspace/configuration", WAIT).await;
    c.wait_after(mark, |m| m["method"] == "workspace/inlayHint/refresh", WAIT).await;
    assert_eq!(c.status().await["sampleType"], "alloc_space");
    let alloc = line_golden("windows.heap.alloc_space.lines.top.txt");
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(alloc.label(CATALOG, init_row(), "bytes")));

    c.set_settings(json!({
        "profiles": [profile("windows.heap.pb.gz")],
        "sampleType": "alloc_space",
        "hints": { "minCumPercent": 0, "minFlatPercent": 0 },
    }));
    let mark = c.mark();
    c.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    c.wait_after(mark, |m| m["method"] == "workspace/inlayHint/refresh", WAIT).await;
    let main_lines = alloc.lines.keys().filter(|(f, _)| f == "main.go").count();
    let all_main = hints_by_line(&c, &main).await;
    assert_eq!(all_main.len(), main_lines);
    assert!(main_lines > default_main);

    // A profile change in the settings loads it.
    c.set_settings(json!({ "profiles": [profile("trimpath.heap.pb.gz")] }));
    let mark = c.mark();
    c.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    c.wait_loaded_after(mark).await;
    let status = c.status().await;
    assert_eq!(status["name"], "trimpath.heap.pb.gz");
    assert_eq!(status["sampleType"], "inuse_space");
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(init_label("trimpath.heap")));

    // A bad setting is reported and keeps its default; the rest applies
    // (tests/lsp_settings.rs has each kind).
    c.set_settings(json!({ "profiles": [profile("trimpath.heap.pb.gz")], "hints": { "format": "loud" } }));
    let mark = c.mark();
    c.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    let shown = c.wait_after(mark, |m| is_show(m, 2), WAIT).await;
    assert!(message_text(&shown).contains("hints.format: unknown variant `loud`"), "{shown}");
    assert_eq!(c.status().await["name"], "trimpath.heap.pb.gz");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_changes_are_read_from_the_notification() {
    let caps = json!({ "workspace": { "inlayHint": { "refreshSupport": true } } });
    let c = start_in(&goprog(), profiles("windows.heap.pb.gz"), caps).await;
    let uri = c.open(&catalog());
    let tiny = tiny_idle_line(&inuse("windows.heap"));
    let idle = c.open(&goprog().join(IDLE));
    assert_eq!(c.hint_at(&idle, tiny).await, None);
    let mark = c.mark();
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "pprof": hermetic(json!({
            "profiles": [profile("windows.heap.pb.gz")],
            "sampleType": "alloc_space",
            "hints": { "minCumPercent": 0, "minFlatPercent": 0 },
        })) } }),
    );
    c.wait_after(mark, |m| m["method"] == "workspace/inlayHint/refresh", WAIT).await;
    assert!(c.messages().iter().all(|m| m["method"] != "workspace/configuration"));
    let alloc = line_golden("windows.heap.alloc_space.lines.top.txt");
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(alloc.label(CATALOG, init_row(), "bytes")));
    assert_eq!(c.hint_at(&idle, tiny).await, Some(alloc.label(IDLE, tiny as i64 + 1, "bytes")));

    // A sample type the profile lacks: a warning, and the type stays.
    let mark = c.mark();
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": hermetic(json!({ "profiles": [profile("windows.heap.pb.gz")], "sampleType": "cpu" })) }),
    );
    let warning = c.wait_after(mark, |m| is_show(m, 2), WAIT).await;
    assert!(message_text(&warning).contains("\"cpu\""), "{warning}");
    assert_eq!(c.status().await["sampleType"], "alloc_space");
}

// ---------------------------------------------------------------- discovery

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_newest_profile_in_the_workspace_is_shown() {
    let ws = TempDir::new("discover");
    copy_dir(&goprog(), ws.path());
    let older = ws.path().join("profiles/older.pb.gz");
    let newer = ws.path().join("newer.pprof");
    std::fs::create_dir_all(older.parent().unwrap()).unwrap();
    std::fs::copy(profile("windows.heap.pb.gz"), &older).unwrap();
    std::fs::copy(profile("trimpath.heap.pb.gz"), &newer).unwrap();
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options().write(true).open(&older).unwrap().set_modified(hour_ago).unwrap();
    std::fs::File::options().write(true).open(&newer).unwrap().set_modified(SystemTime::now()).unwrap();

    let c = start_in(ws.path(), json!({ "watch": false }), full_capabilities()).await;
    let status = c.status().await;
    assert_eq!(status["profile"], newer.display().to_string());
    assert_eq!(status["total"], inuse("trimpath.heap").total);
    assert_eq!(status["available"], 2);
    let listed = c.command_ok("pprof.listProfiles", Value::Null).await;
    assert_eq!(
        listed,
        json!([
            { "source": newer.display().to_string(), "name": "newer.pprof", "active": true, "origin": "discovered",
              "reason": "newest profile in the workspace" },
            { "source": older.display().to_string(), "name": "older.pb.gz", "active": false, "origin": "discovered" },
        ])
    );
    let uri = c.open(&ws.path().join("internal/catalog/catalog.go"));
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(init_label("trimpath.heap")));
    // The fixture's own copy is not part of this workspace.
    assert_eq!(c.hints(&uri_of(&catalog())).await.len(), 0);

    // Switching to the other one.
    c.command_ok("pprof.load", json!({ "path": older })).await;
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label()));
    let listed = c.command_ok("pprof.listProfiles", Value::Null).await;
    assert_eq!(listed[1]["source"], older.display().to_string());
    assert_eq!(listed[1]["active"], true);
}

// ---------------------------------------------------------------- failures

/// Loads `arg` into a server showing windows.heap.pb.gz, expects an error
/// response and an error message containing every one of `needles`, and
/// checks that nothing else changed.
async fn failing_load(arg: Value, needles: &[&str]) {
    let c = start_windows().await;
    let uri = c.open(&catalog());
    let before = c.status().await;
    let mark = c.mark();
    let err = c.command("pprof.load", arg.clone()).await.expect_err("the load fails");
    // The error response says it all; the client shows it, so no message
    // says it twice.
    let text = err["message"].as_str().unwrap();
    assert!(text.starts_with("could not load "), "{text}");
    assert!(text.ends_with("Still showing windows.heap.pb.gz."), "{text}");
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} not in {err}");
    }
    // The progress (if any) ended, and the old profile is still served.
    let end = c.wait_after(mark, |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end", WAIT).await;
    assert_eq!(end["params"]["value"]["message"], "failed");
    let after = c.status().await;
    assert_eq!(after["state"], "failed");
    assert_eq!(after["summary"], format!("{} · load failed", before["summary"].as_str().unwrap()));
    for needle in needles {
        assert!(after["error"].as_str().unwrap().contains(needle), "{needle:?} not in {after}");
    }
    assert_eq!(on_screen(&after), on_screen(&before));
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label()));
    assert_eq!(error_messages(&c).len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_profile_is_reported_and_the_previous_one_kept() {
    let dir = TempDir::new("broken");
    let broken = dir.path().join("broken.pb.gz");
    // A gzip header followed by junk.
    std::fs::write(&broken, b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xffthis is not deflate data at all").unwrap();
    failing_load(json!({ "path": broken }), &[&broken.display().to_string()]).await;
    // Plain text that is no known format either.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello\nworld\n").unwrap();
    failing_load(json!({ "path": text }), &[&text.display().to_string()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_profile_is_reported_and_the_previous_one_kept() {
    let missing = TempDir::new("missing").path().join("nothing-here.pb.gz");
    failing_load(json!({ "path": missing }), &[&format!("{}: no such file", missing.display())]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_url_is_reported_and_the_previous_one_kept() {
    let url = closed_port_url();
    failing_load(json!({ "url": url }), &[&url, "connection refused"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_error_status_is_reported() {
    let server = http_server(Vec::new(), 1, false);
    let url = server.url.replace("/heap", "/nothing");
    failing_load(json!({ "url": url }), &[&url, "404"]).await;
    assert_eq!(server.seen.recv_timeout(WAIT).unwrap(), "/debug/pprof/nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_initial_load_is_reported() {
    let c = Client::start();
    c.initialize(&goprog(), json!({ "profiles": [goprog().join("missing.pb.gz")] }), full_capabilities()).await;
    c.initialized();
    let shown = c.wait_for_message(|m| is_show(m, 1), WAIT).await;
    let text = message_text(&shown);
    assert!(text.contains("missing.pb.gz") && !text.contains("Still showing"), "{text}");
    assert_eq!(c.status().await["loaded"], false);
}

// ---------------------------------------------------------------- URLs, reloads, concurrency

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_is_loaded_from_a_url() {
    let server = http_server(std::fs::read(profile("heap.pb.gz")).unwrap(), 1, false);
    let c = start_windows().await;
    let uri = c.open(&catalog());
    let status = c.command_ok("pprof.load", json!({ "url": server.url })).await;
    assert_eq!(server.seen.recv_timeout(WAIT).unwrap(), "/debug/pprof/heap");
    assert_eq!(status["profile"], server.url);
    let host = server.url.trim_start_matches("http://").split('/').next().unwrap().to_string();
    assert_eq!(status["name"], format!("heap ({host})"));
    assert_eq!(status["total"], inuse("heap").total);
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(init_label("heap")));
    let listed = c.command_ok("pprof.listProfiles", Value::Null).await;
    assert_eq!(
        listed[0],
        json!({ "source": server.url, "name": format!("heap ({host})"), "active": true, "origin": "loaded" })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_profile_file_is_reloaded() {
    let dir = TempDir::new("reload");
    let live = dir.path().join("live.pb.gz");
    std::fs::copy(profile("heap.pb.gz"), &live).unwrap();
    let c = start(json!({ "profiles": [live] })).await;
    let uri = c.open(&catalog());
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(init_label("heap")));

    let mark = c.mark();
    std::fs::write(&live, std::fs::read(profile("heap2.pb.gz")).unwrap()).unwrap();
    c.wait_loaded_after(mark).await;
    let status = c.status().await;
    assert_eq!(status["total"], inuse("heap2").total);
    assert_eq!(status["profile"], live.display().to_string());
    let expected = init_label("heap2");
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(expected.clone()));

    // Garbage written over it: reported, and heap2 stays.
    let mark = c.mark();
    std::fs::write(&live, b"garbage, not a profile").unwrap();
    let message = c.wait_after(mark, |m| is_show(m, 1), WAIT).await;
    let text = message_text(&message);
    assert!(text.contains(&live.display().to_string()) && text.ends_with("Still showing live.pb.gz."), "{text}");
    let after = c.status().await;
    assert_eq!(after["state"], "failed");
    assert_eq!(on_screen(&after), on_screen(&status));
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(expected));

    // Fixed again: reloaded again.
    let mark = c.mark();
    std::fs::write(&live, std::fs::read(profile("heap.pb.gz")).unwrap()).unwrap();
    c.wait_loaded_after(mark).await;
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(init_label("heap")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_during_a_load_see_the_previous_profile() {
    let server = http_server(std::fs::read(profile("trimpath.heap.pb.gz")).unwrap(), 1, true);
    let c = start_windows().await;
    let uri = c.open(&catalog());
    let before = c.status().await;
    let mark = c.mark();
    let load = c.command("pprof.load", json!({ "url": server.url }));
    let probe = async {
        // Wait until the server is inside the fetch.
        let deadline = Instant::now() + WAIT;
        loop {
            match server.seen.try_recv() {
                Ok(path) => break assert_eq!(path, "/debug/pprof/heap"),
                Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(5)).await,
                Err(e) => panic!("the load never reached the HTTP server: {e}"),
            }
        }
        let begun = c.messages().iter().skip(mark).any(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin");
        assert!(begun, "the load is in progress");
        // Answered at once, from the old profile.
        let hint = c.hint_at(&uri, init_line()).await;
        let status = c.status().await;
        let lens = c.ok("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })).await;
        server.gate.as_ref().unwrap().send(()).unwrap();
        (hint, status, lens)
    };
    let (loaded, (hint, status, lens)) = tokio::join!(load, probe);
    assert_eq!(hint, Some(windows_label()));
    assert_eq!(status["state"], "loading");
    assert_eq!(status["loading"], format!("heap ({})", server.url.trim_start_matches("http://").split('/').next().unwrap()));
    assert_eq!(on_screen(&status), on_screen(&before));
    assert_eq!(lens[0]["command"]["title"], init_lens(&inuse_space()));
    let loaded = loaded.expect("the load succeeds once the server answers");
    assert_eq!(loaded["total"], inuse("trimpath.heap").total);
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(init_label("trimpath.heap")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_requests_get_errors_and_the_server_keeps_serving() {
    let c = start_windows().await;
    let uri = c.open(&catalog());
    let err = c.command("pprof.nope", Value::Null).await.unwrap_err();
    assert_eq!(err["code"], -32602);
    assert_eq!(err["message"], "unknown command pprof.nope");
    let err = c.command("pprof.selectSampleType", Value::Null).await.unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("needs {\"name\""), "{err}");
    let err = c.command("pprof.showFunction", json!({})).await.unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("needs {\"function\""), "{err}");
    // Malformed parameters and unknown methods are protocol errors.
    let err = c.request("textDocument/hover", json!({ "textDocument": { "uri": uri } })).await.unwrap_err();
    assert_eq!(err["code"], -32602, "{err}");
    let err = c.request("pprof/unknownMethod", json!({})).await.unwrap_err();
    assert_eq!(err["code"], -32601, "{err}");
    // Still serving.
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label()));
    assert_eq!(c.status().await["loaded"], true);
}

// ---------------------------------------------------------------- encodings

/// Puts `😀` and then `é` at the end of the hot line and returns the
/// character of its (stale) hint: the end of line in the client's units.
async fn end_after_wide_characters(c: &Client, uri: &str, emoji_units: u32) -> Value {
    let (line, end) = (init_line() as u32, ascii_init_end());
    c.change(uri, 2, &[(line, end, line, end, "😀")]);
    c.change(uri, 3, &[(line, end + emoji_units, line, end + emoji_units, "é")]);
    let hints = hints_by_line(c, uri).await;
    assert!(label(&hints[&init_line()]).contains("stale"));
    hints[&init_line()]["position"]["character"].clone()
}

/// The end of the allocation line, which is ASCII: the same number in
/// UTF-8, UTF-16 and UTF-32.
fn ascii_init_end() -> u32 {
    let text = catalog_text();
    let line = text.lines().nth(init_line() as usize).unwrap();
    assert!(line.is_ascii(), "{line:?}");
    line.len() as u32
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_count_in_the_negotiated_encoding() {
    let c = start_windows().await;
    let uri = c.open(&catalog());
    let (line, end) = (init_line() as u32, ascii_init_end());
    assert_eq!(end_after_wide_characters(&c, &uri, 2).await, end + 2 + 1);
    // Undoing both removes the right characters (the é sits after the emoji).
    c.change(&uri, 4, &[(line, end, line, end + 3, "")]);
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label()));

    let caps = merged(full_capabilities(), json!({ "general": { "positionEncodings": ["utf-8"] } }));
    let c = start_in(&goprog(), profiles("windows.heap.pb.gz"), caps).await;
    let uri = c.open(&catalog());
    assert_eq!(end_after_wide_characters(&c, &uri, 4).await, end + 4 + 2);
    c.change(&uri, 4, &[(line, end, line, end + 6, "")]);
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label()));

    let caps = merged(full_capabilities(), json!({ "general": { "positionEncodings": ["utf-32"] } }));
    let c = start_in(&goprog(), profiles("windows.heap.pb.gz"), caps).await;
    let uri = c.open(&catalog());
    assert_eq!(end_after_wide_characters(&c, &uri, 1).await, end + 1 + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crlf_documents_get_the_same_hints() {
    let c = start_windows().await;
    let text = catalog_text().replace('\n', "\r\n");
    let uri = c.open_text(&catalog(), &text);
    let hints = hints_by_line(&c, &uri).await;
    let init = init_line();
    assert_eq!(hints[&init]["position"]["character"], init_end(), "the line break is not part of the line");
    assert_eq!(label(&hints[&init]), windows_label());
    c.change(&uri, 2, &[(3, 0, 3, 0, "\r\n")]);
    assert_eq!(c.hint_at(&uri, init + 1).await, Some(windows_label()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_keeps_the_selected_sample_type() {
    let dir = TempDir::new("reload-type");
    let live = dir.path().join("live.pb.gz");
    std::fs::copy(profile("heap.pb.gz"), &live).unwrap();
    let c = start(json!({ "profiles": [live] })).await;
    let uri = c.open(&catalog());
    c.command_ok("pprof.selectSampleType", json!({ "name": "alloc_space" })).await;
    let mark = c.mark();
    std::fs::write(&live, std::fs::read(profile("heap2.pb.gz")).unwrap()).unwrap();
    c.wait_loaded_after(mark).await;
    let status = c.status().await;
    assert_eq!(status["sampleType"], "alloc_space", "the user's choice survives the file being rewritten");
    let heap2 = line_golden("heap2.alloc_space.lines.top.txt");
    assert_eq!(status["total"], heap2.total);
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(heap2.label(CATALOG, init_row(), "bytes")));
}

// ---------------------------------------------------------------- regressions

/// A load that lands while the first workspace scan is still running must
/// still end up mapped onto the workspace.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_right_after_initialized_is_mapped() {
    let c = Client::start();
    c.initialize(&goprog(), json!({}), full_capabilities()).await;
    c.initialized();
    let uri = c.open(&catalog());
    c.command_ok("pprof.load", json!({ "path": profile("windows.heap.pb.gz") })).await;
    let label = c
        .eventually("the init hint", Duration::from_secs(8), || async {
            c.hint_at(&uri, init_line()).await
        })
        .await;
    assert_eq!(label, windows_label());
    let (mapped, _) = mapped_files("windows.heap");
    assert!(c.status().await["mappedFiles"].as_u64().unwrap() >= mapped as u64);
}

/// An empty configuration answer keeps what `initializationOptions` said;
/// a real one replaces it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_configuration_keeps_initialization_options() {
    let c = Client::start();
    c.set_settings(json!({ "pprof": {} }));
    c.initialize(&goprog(), merged(profiles("windows.heap.pb.gz"), json!({ "hints": { "format": "cum" } })), full_capabilities()).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    let uri = c.open(&catalog());
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label_in(HintFormat::Cum)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_replaces_initialization_options() {
    let c = Client::start();
    c.set_settings(merged(profiles("windows.heap.pb.gz"), json!({ "hints": { "format": "cum" } })));
    c.initialize(&goprog(), profiles("windows.heap.pb.gz"), full_capabilities()).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    let uri = c.open(&catalog());
    assert_eq!(c.hint_at(&uri, init_line()).await, Some(windows_label_in(HintFormat::Cum)));
}

/// Callers whose files are paths of another system (the Windows build's
/// GOROOT) still appear in the call hierarchy, at a `file:` URI of that path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmapped_windows_callers_appear_in_the_call_hierarchy() {
    let c = start_windows().await;
    let uri = c.open(&catalog());
    let items = c
        .ok(
            "textDocument/prepareCallHierarchy",
            json!({ "textDocument": { "uri": uri }, "position": { "line": init_line(), "character": 4 } }),
        )
        .await;
    let incoming = c.ok("callHierarchy/incomingCalls", json!({ "item": items[0] })).await;
    let callers: Vec<(String, String)> = incoming
        .as_array()
        .unwrap()
        .iter()
        .map(|call| (call["from"]["name"].as_str().unwrap().to_string(), call["from"]["uri"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(callers, vec![("runtime.doInit1".to_string(), "file:///c:/go/src/runtime/proc.go".to_string())]);
}

/// `pprof.showFunction` with `"notify": false` returns its report without
/// also showing it as a message (for clients with their own view).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_function_can_skip_the_message() {
    let c = start_windows().await;
    let mark = c.mark();
    let report = c.command_ok("pprof.showFunction", json!({ "function": INIT_FUNCTION, "notify": false })).await;
    assert_eq!(report["callers"][0]["function"], "runtime.doInit1");
    // A request after it: once answered, a message for the first would have come.
    c.status().await;
    assert!(c.messages()[mark..].iter().all(|m| m["method"] != "window/showMessage"));
}
