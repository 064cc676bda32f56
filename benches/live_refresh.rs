//! What a live source costs the language server: the real server binary
//! polls a generated 100k-sample heap profile over HTTP every 2 s while an
//! editor keeps a document open and asks for inlay hints.
//!
//!     cargo bench --bench live_refresh
//!
//! Set-up: a seeded heap profile (`synth`, shape `heap`, `LIVE_SAMPLES`
//! samples, default 100,000) is served from a local HTTP server on
//! 127.0.0.1 (a bounded request loop) at `/debug/pprof/heap`. Each fetch
//! gets the next of a series of profiles whose values move as a live
//! service's do: every 50th stack leaks (its in-use values grow with each
//! fetch), every 7th churns (its in-use values go up and down), every 3rd
//! keeps allocating (its alloc values grow), the rest stay. The server runs
//! over stdio with `profiles: [URL]`, `refreshSeconds: 2`, `history: 20` (`LIVE_HISTORY`),
//! and the profile's busiest service file open as a 2,000-line document.
//!
//! Two phases, each timed from one fetch to the fetch `LIVE_REFRESHES`
//! (default 20) fetches later, so each covers whole refresh cycles:
//!
//! 1. with hints: an `inlayHint` request over the whole document (every line
//!    shown) every `LIVE_HINT_EVERY_MS` (default 20) ms, one at a time;
//! 2. without requests: refreshing alone.
//!
//! Reported: the server process's CPU (utime + stime from /proc/PID/stat)
//! as % of one core over each phase, the hint latency p50/p99/max (all
//! hints, and those sent in the second after a fetch, while it is decoded,
//! indexed and published), and the server's VmRSS after the first snapshot,
//! after each later one and at its highest. The target is CPU ≤ 25% of one
//! core; the run exits 1 and prints MISSED when it is over.

#[path = "../tests/lsp_support/mod.rs"]
mod lsp_support;
#[path = "support/stdio_server.rs"]
mod stdio_server;
#[path = "support/synth.rs"]
mod synth;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lsp_support::{uri, TempDir};
use pprof_lsp::analysis::{self, Index};
use pprof_lsp::profile::Profile;
use serde_json::json;
use stdio_server::StdioServer;

const BUILD_PREFIX: &str = "/home/build/src/";
const FILE_LINES: i64 = 2000;
const CPU_TARGET_PERCENT: f64 = 25.0;
const REFRESH_SECONDS: u64 = 2;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

// ---------------------------------------------------------------- profiles

/// The profile of fetch `k`: leaking stacks grow, churning ones go up and
/// down, allocating ones count up; values are (alloc_objects, alloc_space,
/// inuse_objects, inuse_space).
fn variant(base: &Profile, k: i64) -> Profile {
    let mut p = base.clone();
    for i in 0..p.samples.len() {
        let range = p.samples[i].values;
        let v = &mut p.sample_values[range.0 as usize..range.1 as usize];
        let size = if v[0] > 0 { (v[1] / v[0]).max(1) } else { 64 };
        if i % 50 == 0 {
            let grown = k * (v[0] / 20 + 1);
            v[0] += grown;
            v[1] += grown * size;
            v[2] += grown;
            v[3] += grown * size;
        } else if i % 7 == 0 {
            let swing = if k % 2 == 0 { v[2] / 2 } else { 0 };
            v[2] -= swing;
            v[3] -= swing * size;
        } else if i % 3 == 0 {
            let more = k * (v[0] / 50 + 1);
            v[0] += more;
            v[1] += more * size;
        }
    }
    p
}

// ---------------------------------------------------------------- HTTP

/// Serves the bodies in turn (the last one again once they run out) until
/// told to stop or `max_requests` have come, and notes when each fetch was
/// answered.
struct Served {
    fetched: Arc<Mutex<Vec<Instant>>>,
    stop: Arc<AtomicBool>,
    address: String,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Served {
    fn start(bodies: Vec<Vec<u8>>, max_requests: usize) -> Served {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1");
        let address = listener.local_addr().expect("a local address").to_string();
        let fetched: Arc<Mutex<Vec<Instant>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (times, stopping) = (fetched.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for _ in 0..max_requests {
                let Ok((stream, _)) = listener.accept() else { continue };
                if stopping.load(Ordering::Relaxed) {
                    return;
                }
                let k = times.lock().unwrap().len();
                if answer(stream, &bodies[k.min(bodies.len() - 1)]) {
                    times.lock().unwrap().push(Instant::now());
                }
            }
        });
        Served { fetched, stop, address, thread: Some(thread) }
    }

    fn url(&self) -> String {
        format!("http://{}/debug/pprof/heap", self.address)
    }

    fn fetches(&self) -> Vec<Instant> {
        self.fetched.lock().unwrap().clone()
    }

    /// Waits until `n` fetches have been answered; returns the time of the
    /// `n`th.
    fn wait_for(&self, n: usize) -> Instant {
        let deadline = Instant::now() + Duration::from_secs(REFRESH_SECONDS * (n as u64 + 10) + 60);
        loop {
            if let Some(&t) = self.fetched.lock().unwrap().get(n - 1) {
                return t;
            }
            assert!(Instant::now() < deadline, "the server did not fetch {n} times");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(&self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers one request with a profile; false when it was not a fetch of
/// the heap profile.
fn answer(stream: TcpStream, body: &[u8]) -> bool {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(&stream);
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return false;
    }
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line.trim_end() != "" {
        line.clear();
    }
    let mut out = &stream;
    if !first.starts_with("GET /debug/pprof/heap") {
        let _ = out.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return false;
    }
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    out.write_all(head.as_bytes()).and_then(|_| out.write_all(body)).is_ok()
}

// ---------------------------------------------------------------- /proc

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("reading /proc/PID/stat");
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').expect("a command name") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// VmRSS of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("reading /proc/PID/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

// ---------------------------------------------------------------- workspace

/// The service file with the most lines with data in 1..=2000, below
/// [`BUILD_PREFIX`], and every profile file there.
fn pick_file(profile: &Profile) -> (String, Vec<String>) {
    let index = Index::build(profile);
    let t = analysis::select(profile, None).expect("a default sample type");
    let all: Vec<String> = index.files().iter().filter_map(|f| f.strip_prefix(BUILD_PREFIX)).map(str::to_string).collect();
    let busiest = index
        .file_ids()
        .filter(|&f| index.file(f).starts_with(BUILD_PREFIX))
        .max_by_key(|&f| {
            let lines = index.lines_of_file(f).iter().filter(|&&l| !index.line_cost(l, t).is_zero());
            lines.filter(|&&l| (1..=FILE_LINES).contains(&index.line(l).line)).count()
        })
        .expect("a service file");
    (index.file(busiest)[BUILD_PREFIX.len()..].to_string(), all)
}

fn source_text() -> String {
    (1..=FILE_LINES).map(|n| format!("\tx{n} := make([]byte, {n})\n")).collect()
}

// ---------------------------------------------------------------- measuring

struct Hint {
    sent: Instant,
    took: Duration,
}

/// Sends an inlayHint request every `every` until stopped, one at a time.
fn hint_loop(server: &StdioServer, doc: &str, every: Duration, stop: &AtomicBool) -> Vec<Hint> {
    let params = json!({ "textDocument": { "uri": doc }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": FILE_LINES, "character": 0 } } });
    let mut out = Vec::new();
    let mut next = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let sent = Instant::now();
        let (_, took) = server.ok("textDocument/inlayHint", params.clone());
        out.push(Hint { sent, took });
        stdio_server::pace(&mut next, every);
    }
    out
}

struct Phase {
    refreshes: usize,
    wall: Duration,
    cpu_percent: f64,
}

/// VmRSS between two fetches: the least (settled, after the last snapshot
/// was installed and the previous one freed) and the most (while a
/// refresh decodes and indexes).
#[derive(Clone, Copy)]
struct Rss {
    snapshots: usize,
    settled: u64,
    peak: u64,
}

/// Measures the server's CPU from fetch `from` to fetch `from + refreshes`,
/// noting VmRSS every 20 ms.
fn phase(served: &Served, pid: u32, from: usize, refreshes: usize, tick: f64, rss: &mut Vec<Rss>) -> Phase {
    let start = served.wait_for(from);
    let cpu0 = cpu_ticks(pid);
    let mut current = Rss { snapshots: from, settled: u64::MAX, peak: 0 };
    loop {
        let now = served.fetches().len();
        if now > current.snapshots {
            rss.push(current);
            current = Rss { snapshots: now, settled: u64::MAX, peak: 0 };
        }
        if now >= from + refreshes {
            break;
        }
        let kib = rss_kib(pid);
        current.settled = current.settled.min(kib);
        current.peak = current.peak.max(kib);
        std::thread::sleep(Duration::from_millis(20));
    }
    let end = served.wait_for(from + refreshes);
    let cpu1 = cpu_ticks(pid);
    let wall = end - start;
    Phase { refreshes, wall, cpu_percent: 100.0 * (cpu1 - cpu0) as f64 / tick / wall.as_secs_f64() }
}

fn percentiles(mut v: Vec<Duration>) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.sort();
    let rank = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    format!("n {} p50 {:.2} p99 {:.2} max {:.2} ms", v.len(), ms(rank(0.5)), ms(rank(0.99)), ms(*v.last().unwrap()))
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("live_refresh: run with `cargo bench --bench live_refresh`");
        return;
    }
    let samples = env_usize("LIVE_SAMPLES", 100_000);
    let refreshes = env_usize("LIVE_REFRESHES", 20).max(2);
    let quiet_refreshes = env_usize("LIVE_QUIET_REFRESHES", 10).max(2);
    // `LIVE_HISTORY=1` keeps no growth history to speak of: the resident
    // size it gives against the default 20 is what the history costs.
    let history = env_usize("LIVE_HISTORY", 20).max(1);
    let every = Duration::from_millis(env_usize("LIVE_HINT_EVERY_MS", 20) as u64);
    let binary = std::env::var_os("PPROF_LSP_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_BIN_EXE_pprof-lsp")));

    eprintln!("generating a {samples}-sample heap profile and its variants");
    let params = synth::Params::shape("heap", samples).expect("the heap shape");
    let base = synth::generate(&params);
    let fetches = 1 + refreshes + quiet_refreshes + 2;
    let bodies: Vec<Vec<u8>> = (0..fetches as i64).map(|k| synth::to_gzipped_protobuf(&variant(&base, k))).collect();
    let (doc_file, all_files) = pick_file(&base);
    let size = bodies[0].len();
    drop(base);

    let ws = TempDir::new("live-refresh");
    for rel in &all_files {
        let path = ws.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "package stub\n").unwrap();
    }
    let doc_path = ws.path().join(&doc_file);
    std::fs::write(&doc_path, source_text()).unwrap();

    let served = Served::start(bodies, fetches + 20);
    let server = Arc::new(StdioServer::spawn(&binary));
    let pid = server.pid();
    server.ok(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(ws.path()),
            "workspaceFolders": [{ "uri": uri(ws.path()), "name": "ws" }],
            "initializationOptions": {
                "profiles": [served.url()],
                "refreshSeconds": REFRESH_SECONDS,
                "history": history,
                "pathMappings": [{ "from": BUILD_PREFIX.trim_end_matches('/'), "to": ws.path().to_string_lossy() }],
                "goroot": ws.path().join("no-goroot").to_string_lossy(),
                "watch": false,
                "hints": { "minCumPercent": 0, "minFlatPercent": 0 },
            },
            "capabilities": {
                "window": { "workDoneProgress": true },
                "workspace": { "inlayHint": { "refreshSupport": true }, "codeLens": { "refreshSupport": true } },
                "textDocument": { "inlayHint": {}, "codeLens": {}, "hover": { "contentFormat": ["markdown"] } }
            },
        }),
    );
    server.notify("initialized", json!({}));
    server.wait_log(0, "pprof: loaded ");
    let doc = uri(&doc_path);
    server.notify("textDocument/didOpen", json!({ "textDocument": { "uri": doc, "languageId": "go", "version": 1, "text": source_text() } }));
    let first_rss = rss_kib(pid);
    let tick = clock_ticks_per_second();
    eprintln!("loaded; {} after the first snapshot; measuring {refreshes} refreshes with hints", first_rss);

    let stop = Arc::new(AtomicBool::new(false));
    let hints = {
        let (server, doc, stop) = (server.clone(), doc.clone(), stop.clone());
        std::thread::spawn(move || hint_loop(&server, &doc, every, &stop))
    };
    let mut rss = vec![Rss { snapshots: 1, settled: first_rss, peak: first_rss }];
    let busy = phase(&served, pid, 2, refreshes, tick, &mut rss);
    stop.store(true, Ordering::Relaxed);
    let hints = hints.join().expect("the hint loop ends");
    eprintln!("measuring {quiet_refreshes} refreshes without requests");
    let quiet = phase(&served, pid, 2 + refreshes, quiet_refreshes, tick, &mut rss);
    let fetch_times = served.fetches();
    match Arc::try_unwrap(server) {
        Ok(server) => server.shutdown(),
        Err(_) => unreachable!("the hint thread has finished"),
    }
    drop(served);

    let after_fetch = |h: &&Hint| fetch_times.iter().any(|&f| h.sent >= f && h.sent < f + Duration::from_secs(1));
    let all: Vec<Duration> = hints.iter().map(|h| h.took).collect();
    let near: Vec<Duration> = hints.iter().filter(after_fetch).map(|h| h.took).collect();
    let mb = |kib: u64| kib as f64 / 1024.0;
    let after = |n: usize| rss.iter().rev().find(|r| r.snapshots <= n && r.settled != u64::MAX).copied().unwrap_or(rss[0]);
    let last20 = after(21);
    let max_rss = rss.iter().map(|r| r.peak).max().unwrap_or(first_rss);
    println!();
    println!("Live refresh: {samples}-sample heap profile ({:.1} MB gzipped) over HTTP, refreshSeconds {REFRESH_SECONDS}, history {history}", size as f64 / 1e6);
    println!("{} CPUs; server {}", std::thread::available_parallelism().map_or(1, |n| n.get()), binary.display());
    println!();
    println!("| phase | refreshes | wall s | server CPU, % of one core |");
    println!("|---|---|---|---|");
    for (name, p) in [(format!("inlayHint every {} ms", every.as_millis()), &busy), ("no requests".to_string(), &quiet)] {
        println!("| {name} | {} | {:.1} | {:.1} |", p.refreshes, p.wall.as_secs_f64(), p.cpu_percent);
    }
    println!();
    println!("inlayHint over 2,000 lines (every line shown), during the first phase:");
    println!("  all:                     {}", percentiles(all));
    println!("  sent <= 1 s after fetch: {}", percentiles(near));
    println!();
    println!(
        "VmRSS between refreshes: {:.1} MB after snapshot 1, {:.1} MB after snapshot {} ({:+.1} MB); {:.1} MB at the highest, during a refresh",
        mb(first_rss),
        mb(last20.settled),
        last20.snapshots,
        mb(last20.settled) - mb(first_rss),
        mb(max_rss)
    );
    let series: Vec<String> = rss.iter().map(|r| format!("{}:{:.0}/{:.0}", r.snapshots, mb(r.settled), mb(r.peak))).collect();
    println!("VmRSS after each snapshot (snapshot:settled/peak MB): {}", series.join(" "));
    if busy.cpu_percent > CPU_TARGET_PERCENT {
        println!("\nMISSED: refreshing with hints costs {:.1}% of one core (target {CPU_TARGET_PERCENT}%)", busy.cpu_percent);
        std::process::exit(1);
    }
    println!("\ntarget met: refreshing costs at most {CPU_TARGET_PERCENT}% of one core");
}
