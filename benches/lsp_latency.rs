//! Request latency of the language server with the 1M-sample profile
//! loaded (`.tools/bench/large.pb.gz`, or `$PPROF_LSP_BENCH_PROFILE`;
//! generated there when missing).
//!
//!     cargo bench --bench lsp_latency
//!
//! Two targets are checked, and the run exits with status 1 when either is
//! missed:
//!
//! 1. `textDocument/inlayHint` over a whole 2,000-line Go file answers with
//!    p99 ≤ 5 ms, with the default thresholds and with every line shown.
//!    Measured in-process (the JSON-RPC test client over a duplex pipe) and
//!    through the built binary over stdio.
//! 2. While `pprof.load` reloads the same profile, inlayHint and codeLens
//!    requests sent every 5 ms are each answered within 50 ms.
//!
//! The workspace is a temporary directory that mirrors the profile's files
//! under `/home/build/src` (a `pathMappings` entry points that prefix at
//! it). Two of them are opened as 2,000-line documents: the one with the
//! most lines with data in lines 1–2,000 ("dense"), and the one with the
//! most lines above the default thresholds ("hot"). The rest are one-line
//! stubs.
//!
//! Knobs (environment): `LSP_LATENCY_REQUESTS` (sequential requests per
//! steady-state row, default 2000), `LSP_LATENCY_RELOADS` (reloads per
//! transport, default 5), `PPROF_LSP_BIN` (the server binary for the stdio
//! rows; default: the one cargo built for this bench).

#[path = "../tests/lsp_support/mod.rs"]
mod lsp_support;
#[path = "support/stdio_server.rs"]
mod stdio_server;
#[path = "support/synth.rs"]
mod synth;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lsp_support::{is_log, uri, Client, TempDir};
use stdio_server::StdioServer;
use pprof_lsp::analysis::annotate::Threshold;
use pprof_lsp::analysis::{self, Cost, Index};
use pprof_lsp::profile::{decode, DecodeOptions};
use serde_json::{json, Value};

/// Lines in the generated source file.
const FILE_LINES: i64 = 2000;
/// The profile's build-machine prefix that the workspace stands in for.
const BUILD_PREFIX: &str = "/home/build/src/";
const HINT_P99_TARGET: Duration = Duration::from_millis(5);
const RELOAD_STALL_TARGET: Duration = Duration::from_millis(50);
/// Gap between probe ticks during a reload; each tick sends one inlayHint
/// and one codeLens request.
const PROBE_EVERY: Duration = Duration::from_millis(5);
/// Probing starts this long before the reload request and ends this long
/// after its answer, so effects just around the swap are caught too.
const PROBE_BEFORE: Duration = Duration::from_millis(100);
const PROBE_AFTER: Duration = Duration::from_millis(250);
const WARM_UP: usize = 200;
/// A load of the large profile on a busy 2-CPU machine stays well under this.
const LOAD_TIMEOUT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------- statistics

#[derive(Clone, Copy)]
struct Stats {
    n: usize,
    p50: Duration,
    p90: Duration,
    p99: Duration,
    max: Duration,
}

/// Nearest-rank percentiles.
fn stats(mut v: Vec<Duration>) -> Stats {
    assert!(!v.is_empty(), "no measurements");
    v.sort();
    let rank = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    Stats { n: v.len(), p50: rank(0.50), p90: rank(0.90), p99: rank(0.99), max: *v.last().unwrap() }
}

/// A progress line on stderr.
fn note(s: &Stats, items: (usize, usize)) -> (Stats, (usize, usize)) {
    eprintln!("  n {} items {}..{} p50 {} p99 {} max {} ms", s.n, items.0, items.1, ms(s.p50), ms(s.p99), ms(s.max));
    (*s, items)
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

// ---------------------------------------------------------------- inputs

fn profile_path() -> PathBuf {
    std::fs::canonicalize(synth::bench_profile()).expect("the benchmark profile exists")
}

/// One profile file opened as a document.
struct Doc {
    /// Path below [`BUILD_PREFIX`].
    relative: String,
    /// Lines in 1..=2000 with data in the default sample type (what the
    /// minCum/minFlat 0 setting shows).
    with_data: usize,
    /// Lines in 1..=2000 that pass the default thresholds.
    above_default: usize,
    /// 1-based line with the largest cum of the default sample type.
    hottest_line: i64,
}

/// The files to open.
struct Target {
    samples: usize,
    /// The file with the most lines with data in 1..=2000.
    dense: Doc,
    /// The file with the most lines above the default thresholds.
    hot: Doc,
    /// Every profile file below [`BUILD_PREFIX`], relative to it.
    all_files: Vec<String>,
}

fn pick_target(profile: &Path) -> Target {
    let bytes = std::fs::read(profile).expect("reading the profile");
    let p = decode(&bytes, &DecodeOptions::default()).expect("decoding the profile");
    let index = Index::build(&p);
    let t = analysis::select(&p, None).expect("a default sample type");
    let total = index.total(t);
    let docs: Vec<Doc> = index
        .file_ids()
        .filter(|&f| index.file(f).starts_with(BUILD_PREFIX))
        .filter_map(|f| {
            let costs: Vec<(i64, Cost)> = index
                .lines_of_file(f)
                .iter()
                .map(|&l| (index.line(l).line, index.line_cost(l, t)))
                .filter(|(line, cost)| (1..=FILE_LINES).contains(line) && !cost.is_zero())
                .collect();
            let hottest_line = costs.iter().max_by_key(|(_, c)| c.cum)?.0;
            Some(Doc {
                relative: index.file(f)[BUILD_PREFIX.len()..].to_string(),
                with_data: costs.len(),
                above_default: costs.iter().filter(|(_, c)| Threshold::default().passes(*c, total)).count(),
                hottest_line,
            })
        })
        .collect();
    let pick = |key: &dyn Fn(&Doc) -> (usize, usize)| {
        let d = docs.iter().max_by_key(|d| key(d)).expect("a profile file under /home/build/src");
        Doc { relative: d.relative.clone(), ..*d }
    };
    Target {
        samples: p.samples.len(),
        dense: pick(&|d| (d.with_data, d.above_default)),
        hot: pick(&|d| (d.above_default, d.with_data)),
        all_files: index.files().iter().filter_map(|f| f.strip_prefix(BUILD_PREFIX)).map(str::to_string).collect(),
    }
}

/// Lays out the workspace: every profile file below [`BUILD_PREFIX`] as a
/// one-line stub, as a checkout would have them, except the two opened
/// files, which get [`FILE_LINES`] lines. (With the opened files alone, the
/// mapper's file-name fallback would map every profile file of the same
/// name onto them.) Returns the opened files' paths; their text is
/// [`source_text`].
fn make_workspace(dir: &Path, target: &Target) -> (PathBuf, PathBuf) {
    for rel in &target.all_files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "package stub\n").unwrap();
    }
    let (dense, hot) = (dir.join(&target.dense.relative), dir.join(&target.hot.relative));
    std::fs::write(&dense, source_text()).unwrap();
    std::fs::write(&hot, source_text()).unwrap();
    (dense, hot)
}

/// Go-looking text with exactly [`FILE_LINES`] lines.
fn source_text() -> String {
    let mut text = String::from("package bench\n");
    for n in 2..=FILE_LINES {
        if n % 40 == 2 {
            text.push_str(&format!("func work{n}(n int) []byte {{\n"));
        } else if n % 40 == 1 {
            text.push_str("}\n");
        } else {
            text.push_str(&format!("\tbuf{n} := make([]byte, n*{n}) // filler line {n}\n"));
        }
    }
    assert_eq!(text.lines().count() as i64, FILE_LINES);
    text
}

fn init_options(profile: &Path, workspace: &Path) -> Value {
    json!({
        "profiles": [profile.to_string_lossy()],
        "pathMappings": [{ "from": BUILD_PREFIX.trim_end_matches('/'), "to": workspace.to_string_lossy() }],
        // A directory without Go sources, so that no `go env` runs.
        "goroot": workspace.join("no-goroot").to_string_lossy(),
        "watch": false,
    })
}

/// Progress and both refreshes, as an editor offers them; no
/// `workspace/configuration` pull, so `didChangeConfiguration` carries the
/// settings itself.
fn capabilities() -> Value {
    json!({
        "window": { "workDoneProgress": true },
        "workspace": { "inlayHint": { "refreshSupport": true }, "codeLens": { "refreshSupport": true } },
        "textDocument": { "inlayHint": {}, "codeLens": {}, "hover": { "contentFormat": ["markdown"] } }
    })
}

fn all_lines_settings() -> Value {
    json!({ "hints": { "minCumPercent": 0, "minFlatPercent": 0 } })
}

fn whole_file(uri: &str) -> Value {
    json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": FILE_LINES, "character": 0 } } })
}

fn doc_only(uri: &str) -> Value {
    json!({ "textDocument": { "uri": uri } })
}

fn hover_at(uri: &str, line: i64) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line - 1, "character": 1 } })
}

fn count(result: &Value) -> usize {
    result.as_array().map_or(0, Vec::len)
}

// ---------------------------------------------------------------- results

struct SteadyRow {
    transport: &'static str,
    what: String,
    items: (usize, usize),
    stats: Stats,
    gated: bool,
}

struct ReloadRow {
    transport: &'static str,
    reload: usize,
    load: Duration,
    /// Latencies of probes sent while the load ran, by method.
    during: Vec<(&'static str, Duration)>,
    /// Every probe of the run (before, during and after).
    all: Vec<(&'static str, Duration)>,
}

/// One probe: method, when it was sent (from the start of the run) and how
/// long its answer took.
type Probe = (&'static str, Duration, Duration);

fn reload_row(transport: &'static str, reload: usize, window: (Duration, Duration), probes: Vec<Probe>) -> ReloadRow {
    // Where the slowest answers sit relative to the load, for diagnosis.
    let mut slowest: Vec<&Probe> = probes.iter().collect();
    slowest.sort_by_key(|p| std::cmp::Reverse(p.2));
    let shown: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|(m, sent, l)| format!("{m} sent at {:+.0} ms took {} ms", (sent.as_secs_f64() - window.0.as_secs_f64()) * 1e3, ms(*l)))
        .collect();
    eprintln!("  load ran from +0 to +{:.0} ms; slowest: {}", (window.1 - window.0).as_secs_f64() * 1e3, shown.join(", "));
    let during =
        probes.iter().filter(|(_, sent, _)| *sent >= window.0 && *sent <= window.1).map(|&(m, _, l)| (m, l)).collect();
    ReloadRow {
        transport,
        reload,
        load: window.1 - window.0,
        during,
        all: probes.iter().map(|&(m, _, l)| (m, l)).collect(),
    }
}

// ---------------------------------------------------------------- in-process

async fn wait_loaded(client: &Client, mark: usize) {
    client.wait_after(mark, |m| is_log(m, "pprof: loaded "), LOAD_TIMEOUT).await;
}

async fn sequential(client: &Client, method: &str, params: &Value, n: usize) -> (Stats, (usize, usize)) {
    for _ in 0..WARM_UP.min(n) {
        client.ok(method, params.clone()).await;
    }
    let mut times = Vec::with_capacity(n);
    let (mut lo, mut hi) = (usize::MAX, 0);
    for _ in 0..n {
        let start = Instant::now();
        let result = client.ok(method, params.clone()).await;
        times.push(start.elapsed());
        let c = count(&result);
        lo = lo.min(c);
        hi = hi.max(c);
    }
    note(&stats(times), (lo, hi))
}

/// Waits until the hint count differs from `before` (a settings change has
/// been applied).
async fn hints_change(client: &Client, uri: &str, before: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = count(&client.ok("textDocument/inlayHint", whole_file(uri)).await);
        if now != before {
            return now;
        }
        assert!(Instant::now() < deadline, "the hint count did not change after a settings change");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn in_process(profile: &Path, target: &Target, requests: usize, reloads: usize) -> (Vec<SteadyRow>, Vec<ReloadRow>) {
    let ws = TempDir::new("lsp-latency");
    let (dense_path, hot_path) = make_workspace(ws.path(), target);

    let client = Arc::new(Client::start());
    let loading = Instant::now();
    client.initialize(ws.path(), init_options(profile, ws.path()), capabilities()).await;
    let mark = client.mark();
    client.initialized();
    wait_loaded(&client, mark).await;
    eprintln!("in-process: initial load answered after {:.2} s", loading.elapsed().as_secs_f64());
    let text = source_text();
    let dense = client.open_text(&dense_path, &text);
    let hot = client.open_text(&hot_path, &text);

    let mut steady = Vec::new();
    let row = |what: String, (stats, items): (Stats, (usize, usize)), gated: bool| SteadyRow {
        transport: "in-process",
        what,
        items,
        stats,
        gated,
    };
    let hint = "textDocument/inlayHint";
    for (name, uri) in [("hot", &hot), ("dense", &dense)] {
        eprintln!("in-process: inlayHint, default thresholds, {name} file");
        let m = sequential(&client, hint, &whole_file(uri), requests).await;
        steady.push(row(format!("inlayHint, defaults, {name} file"), m, true));
    }
    eprintln!("in-process: codeLens and hover");
    let m = sequential(&client, "textDocument/codeLens", &doc_only(&hot), requests / 4).await;
    steady.push(row("codeLens, defaults, hot file".into(), m, false));
    let m = sequential(&client, "textDocument/hover", &hover_at(&hot, target.hot.hottest_line), 50).await;
    steady.push(row(format!("hover, hot file line {}", target.hot.hottest_line), (m.0, (1, 1)), false));

    let before = count(&client.ok(hint, whole_file(&dense)).await);
    client.notify("workspace/didChangeConfiguration", json!({ "settings": all_lines_settings() }));
    hints_change(&client, &dense, before).await;
    for (name, uri) in [("dense", &dense), ("hot", &hot)] {
        eprintln!("in-process: inlayHint, every line, {name} file");
        let m = sequential(&client, hint, &whole_file(uri), requests).await;
        steady.push(row(format!("inlayHint, minCum/minFlat 0, {name} file"), m, true));
    }
    let uri = dense;

    // Reloads, with every line shown (the heavier hint responses).
    let mut rows = Vec::new();
    for r in 1..=reloads {
        let t0 = Instant::now();
        let stop = Arc::new(AtomicBool::new(false));
        let prober = tokio::spawn(probe_in_process(client.clone(), uri.clone(), stop.clone(), t0));
        tokio::time::sleep(PROBE_BEFORE).await;
        let begin = t0.elapsed();
        client.command_ok("pprof.load", json!({ "path": profile.to_string_lossy() })).await;
        let end = t0.elapsed();
        tokio::time::sleep(PROBE_AFTER).await;
        stop.store(true, Ordering::Relaxed);
        let probes = prober.await.expect("the prober finishes");
        eprintln!("in-process: reload {r}: {:.2} s, {} probes", (end - begin).as_secs_f64(), probes.len());
        rows.push(reload_row("in-process", r, (begin, end), probes));
    }
    client.shutdown().await;
    (steady, rows)
}

/// Sends an inlayHint and a codeLens request every [`PROBE_EVERY`] without
/// waiting for answers, until `stop`; returns every probe's timing.
async fn probe_in_process(client: Arc<Client>, uri: String, stop: Arc<AtomicBool>, t0: Instant) -> Vec<Probe> {
    let mut tick = tokio::time::interval(PROBE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut tasks = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        for (method, params) in
            [("textDocument/inlayHint", whole_file(&uri)), ("textDocument/codeLens", doc_only(&uri))]
        {
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                let sent = Instant::now();
                client.ok(method, params).await;
                let name = method.trim_start_matches("textDocument/");
                (name, sent - t0, sent.elapsed())
            }));
        }
    }
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.expect("a probe request"));
    }
    out
}

// ---------------------------------------------------------------- stdio

/// Sequential requests over stdio after a warm-up: their latencies and
/// the least and most items an answer had.
fn sequential_stdio(server: &StdioServer, method: &str, params: &Value, n: usize) -> (Stats, (usize, usize)) {
    for _ in 0..WARM_UP.min(n) {
        server.ok(method, params.clone());
    }
    let mut times = Vec::with_capacity(n);
    let (mut lo, mut hi) = (usize::MAX, 0);
    for _ in 0..n {
        let (result, took) = server.ok(method, params.clone());
        times.push(took);
        lo = lo.min(count(&result));
        hi = hi.max(count(&result));
    }
    note(&stats(times), (lo, hi))
}

fn over_stdio(binary: &Path, profile: &Path, target: &Target, requests: usize, reloads: usize) -> (Vec<SteadyRow>, Vec<ReloadRow>) {
    let ws = TempDir::new("lsp-latency-stdio");
    let (dense_path, hot_path) = make_workspace(ws.path(), target);

    let server = StdioServer::spawn(binary);
    let loading = Instant::now();
    server.ok(
        "initialize",
        json!({
            "processId": null,
            "rootUri": lsp_support::uri(ws.path()),
            "workspaceFolders": [{ "uri": lsp_support::uri(ws.path()), "name": "ws" }],
            "initializationOptions": init_options(profile, ws.path()),
            "capabilities": capabilities(),
        }),
    );
    server.notify("initialized", json!({}));
    server.wait_log(0, "pprof: loaded ");
    eprintln!("stdio: initial load logged after {:.2} s", loading.elapsed().as_secs_f64());
    let text = source_text();
    let (dense, hot) = (uri(&dense_path), uri(&hot_path));
    for u in [&dense, &hot] {
        server.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": u, "languageId": "go", "version": 1, "text": text } }),
        );
    }

    let mut steady = Vec::new();
    let row = |what: String, (stats, items): (Stats, (usize, usize))| SteadyRow { transport: "stdio", what, items, stats, gated: true };
    let hint = "textDocument/inlayHint";
    for (name, uri) in [("hot", &hot), ("dense", &dense)] {
        eprintln!("stdio: inlayHint, default thresholds, {name} file");
        steady.push(row(format!("inlayHint, defaults, {name} file"), sequential_stdio(&server, hint, &whole_file(uri), requests)));
    }
    let before = count(&server.ok(hint, whole_file(&dense)).0);
    server.notify("workspace/didChangeConfiguration", json!({ "settings": all_lines_settings() }));
    let deadline = Instant::now() + Duration::from_secs(10);
    while count(&server.ok(hint, whole_file(&dense)).0) == before {
        assert!(Instant::now() < deadline, "the hint count did not change after a settings change");
        std::thread::sleep(Duration::from_millis(10));
    }
    for (name, uri) in [("dense", &dense), ("hot", &hot)] {
        eprintln!("stdio: inlayHint, every line, {name} file");
        steady.push(row(format!("inlayHint, minCum/minFlat 0, {name} file"), sequential_stdio(&server, hint, &whole_file(uri), requests)));
    }
    let uri = dense;

    let server = Arc::new(server);
    let mut rows = Vec::new();
    for r in 1..=reloads {
        let t0 = Instant::now();
        let stop = Arc::new(AtomicBool::new(false));
        let prober = {
            let (server, uri, stop) = (server.clone(), uri.clone(), stop.clone());
            std::thread::spawn(move || probe_stdio(&server, &uri, &stop, t0))
        };
        std::thread::sleep(PROBE_BEFORE);
        let begin = t0.elapsed();
        server.ok("workspace/executeCommand", json!({ "command": "pprof.load", "arguments": [{ "path": profile.to_string_lossy() }] }));
        let end = t0.elapsed();
        std::thread::sleep(PROBE_AFTER);
        stop.store(true, Ordering::Relaxed);
        let probes = prober.join().expect("the prober finishes");
        eprintln!("stdio: reload {r}: {:.2} s, {} probes", (end - begin).as_secs_f64(), probes.len());
        rows.push(reload_row("stdio", r, (begin, end), probes));
    }
    match Arc::try_unwrap(server) {
        Ok(server) => server.shutdown(),
        Err(_) => unreachable!("the prober threads have finished"),
    }
    (steady, rows)
}

fn probe_stdio(server: &StdioServer, uri: &str, stop: &AtomicBool, t0: Instant) -> Vec<Probe> {
    let mut waiting = Vec::new();
    let mut next = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        for (method, params) in [("inlayHint", whole_file(uri)), ("codeLens", doc_only(uri))] {
            let (sent, rx) = server.send(&format!("textDocument/{method}"), params);
            waiting.push((method, sent, rx));
        }
        stdio_server::pace(&mut next, PROBE_EVERY);
    }
    waiting
        .into_iter()
        .map(|(method, sent, rx)| {
            let (response, arrived) = rx.recv_timeout(LOAD_TIMEOUT).expect("a probe answer");
            assert!(response.get("error").is_none(), "{method} failed: {response}");
            (method, sent - t0, arrived - sent)
        })
        .collect()
}

// ---------------------------------------------------------------- report

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and
    // this takes a minute or more, so it only says how to run it then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("lsp_latency: run with `cargo bench --bench lsp_latency`");
        return;
    }
    let requests = env_usize("LSP_LATENCY_REQUESTS", 2000).max(1000);
    let reloads = env_usize("LSP_LATENCY_RELOADS", 5).max(1);
    let profile = profile_path();
    let binary = std::env::var_os("PPROF_LSP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_pprof-lsp")));

    eprintln!("picking the source file from {}", profile.display());
    let target = pick_target(&profile);
    for (name, d) in [("dense", &target.dense), ("hot", &target.hot)] {
        eprintln!(
            "{name} file: {BUILD_PREFIX}{} ({} lines with data, {} above the default thresholds, in 1..={FILE_LINES})",
            d.relative, d.with_data, d.above_default
        );
    }

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (mut steady, mut reload) = runtime.block_on(in_process(&profile, &target, requests, reloads));
    drop(runtime);
    let (s, r) = over_stdio(&binary, &profile, &target, requests, reloads);
    steady.extend(s);
    reload.extend(r);

    let mut missed = Vec::new();
    println!();
    println!("Language server latency, {} samples loaded ({})", target.samples, profile.display());
    println!("{workers} CPUs; tokio worker threads = CPUs; each opened document has {FILE_LINES} lines and hints cover all of it");
    for (name, d) in [("dense", &target.dense), ("hot", &target.hot)] {
        println!(
            "{name:>5} file: {BUILD_PREFIX}{} ({} lines with data, {} above the default thresholds)",
            d.relative, d.with_data, d.above_default
        );
    }
    println!();
    println!("Steady state: sequential requests after {WARM_UP} warm-up requests, times in ms (target: inlayHint p99 <= 5 ms)");
    println!(
        "| {:<10} | {:<40} | {:>5} | {:>9} | {:>7} | {:>7} | {:>7} | {:>8} | {:<9} |",
        "transport", "request", "n", "items", "p50", "p90", "p99", "max", "target"
    );
    println!("|{}|", ["-", "-", "-", "-", "-", "-", "-", "-", "-"].map(|_| "---").join("|"));
    for row in &steady {
        let verdict = if !row.gated {
            "-".to_string()
        } else if row.stats.p99 <= HINT_P99_TARGET {
            "ok".to_string()
        } else {
            missed.push(format!("{} {}: p99 {} ms > 5 ms", row.transport, row.what, ms(row.stats.p99)));
            "MISSED".to_string()
        };
        let items = if row.items.0 == row.items.1 { row.items.0.to_string() } else { format!("{}-{}", row.items.0, row.items.1) };
        println!(
            "| {:<10} | {:<40} | {:>5} | {:>9} | {:>7} | {:>7} | {:>7} | {:>8} | {:<9} |",
            row.transport,
            row.what,
            row.stats.n,
            items,
            ms(row.stats.p50),
            ms(row.stats.p90),
            ms(row.stats.p99),
            ms(row.stats.max),
            verdict
        );
    }
    println!();
    println!(
        "During reloads of the same profile: an inlayHint (every line shown) and a codeLens request every {} ms, \
         times in ms (target: every answer within 50 ms)",
        PROBE_EVERY.as_millis()
    );
    println!(
        "| {:<10} | {:>6} | {:>8} | {:>7} | {:>9} | {:>9} | {:>9} | {:>9} | {:>10} | {:<6} |",
        "transport", "reload", "load s", "probes", "hint p99", "hint max", "lens p99", "lens max", "max (all)", "target"
    );
    println!("|{}|", ["-"; 10].map(|_| "---").join("|"));
    for row in &reload {
        let of = |m: &str| stats(row.during.iter().filter(|(k, _)| *k == m).map(|&(_, l)| l).collect());
        let (hint, lens) = (of("inlayHint"), of("codeLens"));
        let worst = row.all.iter().map(|&(_, l)| l).max().unwrap_or_default();
        let verdict = if worst <= RELOAD_STALL_TARGET {
            "ok"
        } else {
            missed.push(format!("{} reload {}: a request took {} ms > 50 ms", row.transport, row.reload, ms(worst)));
            "MISSED"
        };
        println!(
            "| {:<10} | {:>6} | {:>8.2} | {:>7} | {:>9} | {:>9} | {:>9} | {:>9} | {:>10} | {:<6} |",
            row.transport,
            row.reload,
            row.load.as_secs_f64(),
            row.during.len(),
            ms(hint.p99),
            ms(hint.max),
            ms(lens.p99),
            ms(lens.max),
            ms(worst),
            verdict
        );
    }
    println!();
    println!(
        "probes = requests sent while pprof.load ran; p99/max are over those. \"max (all)\" also covers probes sent \
         {} ms before and {} ms after the load.",
        PROBE_BEFORE.as_millis(),
        PROBE_AFTER.as_millis()
    );
    if missed.is_empty() {
        println!("\nall targets met");
    } else {
        println!("\nMISSED:");
        for m in &missed {
            println!("  {m}");
        }
        std::process::exit(1);
    }
}
