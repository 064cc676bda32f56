//! `watch` and the live poller against real endpoints.
//!
//! * With a real leaking Go service (`tests/fixtures/leaky`, built by
//!   `scripts/live-env.sh`, which passes its path in `PPROF_LEAKY_BIN`):
//!   the leak line comes first at its known rate, the static and churn lines
//!   do not grow; and a watch survives the service being killed and
//!   restarted on the same port. Without the variable these tests fail
//!   under CI and print that they skipped elsewhere (`common::live`), so a
//!   plain `cargo test` needs no Go.
//! * With a tiny local HTTP server (always): a 404, an HTML page, a response
//!   over the size cap, a hanging server, and an outage followed by a
//!   restart on the same port. Each is a clear error, and the history keeps
//!   its data.

mod common;
mod lsp_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pprof_lsp::report::growth::{GrowthRecord, GrowthReport};
use pprof_lsp::source::live::{Health, LiveOptions, Outcome, Poller};
use pprof_lsp::source::load::ProfileSource;

use common::http;
use common::live::Service;

// ---------------------------------------------------------------- the service

impl Service {
    fn heap_url(&self) -> String {
        format!("http://{}/debug/pprof/heap", self.addr)
    }
}

/// A child process killed and reaped when dropped.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The line of `// marker: NAME` in the service's source.
fn marker_line(name: &str) -> i64 {
    common::live::marker_line("leaky", name)
}

fn row_at(report: &GrowthReport, line: i64) -> Option<&GrowthRecord> {
    report.rows.iter().find(|r| r.file.ends_with("leaky/main.go") && r.line == line)
}

/// Runs `pprof-lsp watch ... --json` to the end (at most `limit`), passing
/// each stderr line to `on_line` as it comes. Returns the report and stderr.
fn watch_json(args: &[&str], limit: Duration, mut on_line: impl FnMut(&str)) -> (GrowthReport, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_pprof-lsp"))
        .arg("watch")
        .args(args)
        .arg("--json")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Reaped(child);
    let stderr = child.0.stderr.take().unwrap();
    let mut stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        out
    });
    let deadline = Instant::now() + limit;
    let mut err = String::new();
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                on_line(&line);
                err.push_str(&line);
                err.push('\n');
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        assert!(Instant::now() < deadline, "watch ran longer than {limit:?}; stderr so far:\n{err}");
    }
    let status = child.0.wait().unwrap();
    let out = reader.join().unwrap();
    assert!(status.success(), "watch failed: {err}");
    let report: GrowthReport = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    (report, err)
}

const MIB: f64 = 1048576.0;

#[test]
fn the_leak_line_grows_at_its_known_rate_and_nothing_else_does() {
    let Some(bin) = common::live::leaky_bin() else { return };
    let started = Instant::now();
    // 2 MiB every 400 ms: 300 MiB/min.
    let (leak_size, leak_every) = (2u64 << 20, 0.4);
    let known = leak_size as f64 * 60.0 / leak_every;
    let service = Service::start(
        &bin,
        &["-leak-size", &leak_size.to_string(), "-leak-every", "400ms", "-churn-size", "4194304", "-churn-every", "20ms", "-lifetime", "2m"],
    );
    let (report, _) = watch_json(&[&service.heap_url(), "--interval", "1s", "--count", "12"], Duration::from_secs(60), |_| {});
    drop(service);

    assert_eq!((report.sample_type.as_str(), report.unit.as_str(), report.snapshots), ("inuse_space", "bytes", 12));
    assert!(report.seconds >= 10.0, "12 snapshots a second apart span {} s", report.seconds);
    assert!(report.rows.windows(2).all(|w| w[0].flat_per_minute >= w[1].flat_per_minute), "rows are sorted by flatPerMinute");
    let (leak, stat, churn) = (marker_line("leak"), marker_line("static"), marker_line("churn"));
    let top = &report.rows[0];
    assert!(top.file.ends_with("leaky/main.go") && top.line == leak, "the leak line ({leak}) is first, not {top:?}");
    assert_eq!(top.function, "main.leakOnce");
    let ratio = top.flat_per_minute / known;
    let static_row = row_at(&report, stat).expect("the static line is in the profile");
    let churn_row = row_at(&report, churn).expect("the churn line is in the profile");
    eprintln!(
        "leak {:.1} MiB/min (known {:.1}, ratio {ratio:.3}); static {:.2} MiB/min ({:.2}%), churn {:.2} MiB/min ({:.2}%); {:.1} s",
        top.flat_per_minute / MIB,
        known / MIB,
        static_row.flat_per_minute / MIB,
        100.0 * static_row.flat_per_minute.abs() / known,
        churn_row.flat_per_minute / MIB,
        100.0 * churn_row.flat_per_minute.abs() / known,
        started.elapsed().as_secs_f64()
    );
    assert!((ratio - 1.0).abs() <= 0.35, "the leak grows {ratio:.3} times its known rate");
    assert!(top.flat > 0 && top.cum >= top.flat);
    assert!(static_row.flat >= 16 << 20, "the static buffer is 16 MiB: {static_row:?}");
    assert!(static_row.flat_per_minute.abs() < 0.05 * known, "static grows: {static_row:?}");
    assert!(churn_row.flat_per_minute.abs() < 0.20 * known, "churn grows: {churn_row:?}");
}

#[test]
fn a_watch_keeps_its_snapshots_while_the_service_is_down_and_resumes() {
    let Some(bin) = common::live::leaky_bin() else { return };
    let args = ["-lifetime", "2m"];
    let mut service = Some(Service::start(&bin, &args));
    let addr = service.as_ref().unwrap().addr.clone();
    let url = service.as_ref().unwrap().heap_url();
    let mut killed_at = None;
    let mut restarted: Option<Service> = None;
    let mut outage = Duration::ZERO;
    let (report, stderr) = watch_json(&[&url, "--interval", "1s", "--count", "6"], Duration::from_secs(60), |line| {
        if line.starts_with("snapshot 2/6") {
            // Kill it; the guard waits for the process to be gone.
            service.take();
            killed_at = Some(Instant::now());
        }
        if line.contains("unreachable since") && restarted.is_none() {
            let port_args = ["-addr", addr.as_str(), "-lifetime", "2m"];
            restarted = Some(Service::start(&bin, &port_args));
            outage = killed_at.unwrap().elapsed();
        }
    });
    drop(restarted);
    eprintln!("{stderr}");
    assert!(killed_at.is_some(), "the watch took two snapshots: {stderr}");
    let unreachable = stderr.lines().find(|l| l.contains("unreachable since")).expect("an unreachable line");
    assert!(unreachable.starts_with(&format!("{url}: ")) && unreachable.contains(" UTC (1 failed poll), retrying in 1s"), "{unreachable}");
    assert!(stderr.contains(&format!("{url}: reachable again; it failed ")), "{stderr}");
    // The two snapshots from before the outage are still in the history.
    assert_eq!(report.snapshots, 6);
    let before = stderr.lines().position(|l| l.contains("unreachable since")).unwrap();
    assert_eq!(stderr.lines().take(before).filter(|l| l.starts_with("snapshot ")).count(), 2);
    assert!(report.seconds >= 5.0 + outage.as_secs_f64() - 0.5, "{} s span the outage of {outage:?}", report.seconds);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_shows_the_services_leak_from_its_live_endpoint() {
    let Some(bin) = common::live::leaky_bin() else { return };
    // The sources in a checkout of their own: the profile names the build
    // directory, so the server must map its paths onto this one.
    let workspace = lsp_support::TempDir::new("leaky-ws");
    lsp_support::copy_dir(&common::root().join("tests/fixtures/leaky"), workspace.path());
    let (leak_size, leak_every) = (2u64 << 20, 0.4);
    let known = leak_size as f64 * 60.0 / leak_every;
    let service = Service::start(&bin, &["-leak-size", &leak_size.to_string(), "-leak-every", "400ms", "-lifetime", "2m"]);
    let c = lsp_support::Client::start();
    c.initialize(workspace.path(), serde_json::json!({ "profiles": [service.heap_url()], "refreshSeconds": 2 }), lsp_support::full_capabilities())
        .await;
    c.initialized();
    // Seven snapshots two seconds apart.
    let growth = c
        .eventually("seven snapshots", Duration::from_secs(60), || async {
            let g = c.command("pprof.growth", serde_json::Value::Null).await.ok()?;
            (g["snapshots"].as_u64() >= Some(7)).then_some(g)
        })
        .await;
    drop(service);
    let report: GrowthReport = serde_json::from_value(growth.clone()).unwrap();
    let leak = marker_line("leak");
    let top = &report.rows[0];
    let main_go = workspace.path().join("main.go");
    assert_eq!((top.line, top.function.as_str()), (leak, "main.leakOnce"), "the leak line first: {growth}");
    assert_eq!(top.uri.as_deref(), Some(lsp_support::uri(&main_go).as_str()), "mapped into the workspace");
    assert_eq!(top.file, main_go.display().to_string());
    let ratio = top.flat_per_minute / known;
    eprintln!("server: leak {:.1} MiB/min over {} snapshots (known {:.1}, ratio {ratio:.3})", top.flat_per_minute / MIB, report.snapshots, known / MIB);
    assert!((ratio - 1.0).abs() <= 0.35, "the leak grows {ratio:.3} times its known rate");
    // The hint on the leak line carries the growth mark.
    let doc = c.open(&main_go);
    let hints = c.hints(&doc).await;
    let on_leak: Vec<String> = hints.iter().filter(|h| h["position"]["line"] == leak - 1).map(lsp_support::label).collect();
    assert!(on_leak.iter().any(|l| l.starts_with("▲ ") && l.ends_with("/min")), "{on_leak:?}");
}

// ---------------------------------------------------------- a tiny server

/// Answers up to `replies.len()` requests on `listener`, in order, then
/// closes it; gives up after 30 s. Each reply is (status line, content
/// type, body, delay before answering).
fn serve(listener: TcpListener, replies: Vec<(&'static str, &'static str, Vec<u8>, Duration)>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        for (status, content_type, body, delay) in replies {
            let Some(mut stream) = http::accept_until(&listener, deadline) else { return };
            http::read_request_line(&mut stream);
            std::thread::sleep(delay);
            http::respond(&mut stream, status, content_type, &body);
        }
    })
}

fn heap_fixture() -> Vec<u8> {
    common::read(&common::fixture("heap.pb.gz"))
}

fn gunzipped(data: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(data).read_to_end(&mut plain).unwrap();
    plain
}

fn poller(url: &str, options: LiveOptions) -> Poller {
    Poller::new(ProfileSource::Url(url.into()), options).unwrap()
}

fn at(second: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000 + second)
}

fn failure(outcome: Outcome) -> String {
    match outcome {
        Outcome::Failed { error, .. } => error,
        Outcome::Snapshot(f) => panic!("expected a failure, got a snapshot of {} bytes", f.raw.len()),
        Outcome::Unchanged { error } => panic!("expected a failure of the one source, got {error}"),
    }
}

#[test]
fn a_404_an_html_page_and_a_response_over_the_cap_are_clear_errors() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let html = b"<!DOCTYPE html>\n<html><head><title>/debug/pprof/</title></head><body>profiles</body></html>\n".to_vec();
    let server = serve(
        listener,
        vec![
            ("404 Not Found", "text/plain", b"404 page not found\n".to_vec(), Duration::ZERO),
            ("200 OK", "text/html; charset=utf-8", html, Duration::ZERO),
            // Plain, so that the raw size, not the inflated one, meets the cap.
            ("200 OK", "application/octet-stream", gunzipped(&heap_fixture()), Duration::ZERO),
            ("200 OK", "application/octet-stream", heap_fixture(), Duration::from_secs(3)),
        ],
    );
    let url = format!("{base}/debug/pprof/heap");
    let mut p = poller(&url, LiveOptions::default());
    assert_eq!(failure(p.poll_once(at(0))), format!("{url}: the server answered 404 Not Found"));

    let mut p = poller(&format!("{base}/debug/pprof/"), LiveOptions::default());
    assert_eq!(
        failure(p.poll_once(at(0))),
        format!(
            "{base}/debug/pprof/: not a profile (an HTML page; not gzip, not a pprof protobuf, not a known text format); \
             is it a /debug/pprof/<name> URL?"
        )
    );

    let mut p = poller(&url, LiveOptions { max_bytes: 1000, ..Default::default() });
    assert_eq!(failure(p.poll_once(at(0))), format!("{url}: larger than the limit of 1000 bytes (setting maxProfileBytes)"));

    let started = Instant::now();
    let mut p = poller(&url, LiveOptions { timeout: Duration::from_millis(500), ..Default::default() });
    assert_eq!(failure(p.poll_once(at(0))), format!("{url}: timed out"));
    assert!(started.elapsed() < Duration::from_secs(2), "the timeout held: {:?}", started.elapsed());
    assert!(matches!(p.health(), Health::Failing { failures: 1, .. }));
    assert!(p.history().is_empty());
    server.join().unwrap();
}

#[test]
fn a_gzip_bomb_is_refused_before_it_is_inflated() {
    use flate2::{write::GzEncoder, Compression};
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&vec![0u8; 1 << 20]).unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 10_000);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/debug/pprof/heap", listener.local_addr().unwrap());
    let server = serve(listener, vec![("200 OK", "application/octet-stream", bomb, Duration::ZERO)]);
    let mut p = poller(&url, LiveOptions { max_bytes: 100_000, ..Default::default() });
    // Zeros are no profile's first bytes: refused as they arrive, long
    // before the size cap.
    let error = failure(p.poll_once(at(0)));
    assert_eq!(
        error,
        format!("{url}: not a profile (gzip data inflating to binary data; not a pprof protobuf, not a known text format)")
    );
    server.join().unwrap();
}

#[test]
fn an_outage_keeps_the_history_and_polling_resumes_on_the_same_port() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let url = format!("http://{addr}/debug/pprof/heap");
    let ok = || ("200 OK", "application/octet-stream", heap_fixture(), Duration::ZERO);
    // Two answers, then the listener closes: connections are refused.
    let first = serve(listener, vec![ok(), ok()]);
    let options = LiveOptions { interval: Duration::from_secs(5), ..Default::default() };
    let mut p = poller(&url, options);
    let mut sends = vec![];
    for second in [0, 5] {
        match p.poll_once(at(second)) {
            Outcome::Snapshot(f) => {
                assert!(f.resumed.is_none());
                sends.push(f.raw.len());
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(p.history().len(), 2);
    assert_eq!(p.next_delay(), Duration::from_secs(5));
    first.join().unwrap();
    // Down: every poll fails, the backoff doubles, the start stays.
    let mut delays = vec![];
    for second in [10, 11, 13] {
        match p.poll_once(at(second)) {
            Outcome::Failed { error, since, retry_in, .. } => {
                assert!(error.starts_with(&format!("{url}: ")), "{error}");
                assert_eq!(since, at(10));
                delays.push(retry_in.as_secs());
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(delays, [1, 2, 4]);
    assert!(matches!(p.health(), Health::Failing { failures: 3, last_success: Some(t), .. } if *t == at(5)));
    assert_eq!(p.history().len(), 2, "the data from before the outage is kept");
    // Back on the same port.
    let again = TcpListener::bind(addr).unwrap();
    let server = serve(again, vec![ok()]);
    match p.poll_once(at(17)) {
        Outcome::Snapshot(f) => {
            assert_eq!(f.resumed.map(|o| (o.since, o.failures)), Some((at(10), 3)));
            assert!(!f.index.lines().is_empty());
        }
        other => panic!("{other:?}"),
    }
    server.join().unwrap();
    assert_eq!(p.health(), &Health::Live { last: at(17) });
    assert_eq!(p.next_delay(), Duration::from_secs(5));
    let growth = p.history().growth("inuse_space").unwrap();
    assert_eq!((growth.snapshots, growth.seconds), (3, 17.0));
    assert_eq!(sends, [heap_fixture().len(); 2]);
}

#[test]
fn watch_stops_with_one_line_when_the_first_poll_fails() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/debug/pprof/heap", listener.local_addr().unwrap());
    let server = serve(listener, vec![("404 Not Found", "text/plain", b"404 page not found\n".to_vec(), Duration::ZERO)]);
    let out = Command::new(env!("CARGO_BIN_EXE_pprof-lsp"))
        .args(["watch", &url, "--count", "3", "--json", "--interval", "100ms"])
        .output()
        .unwrap();
    server.join().unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert_eq!(String::from_utf8_lossy(&out.stderr), format!("pprof-lsp: {url}: the server answered 404 Not Found\n"));
}

#[test]
fn watch_reads_a_file_again_each_time() {
    use pprof_lsp::analysis::{select, Index};
    use pprof_lsp::profile::{decode, DecodeOptions};
    // The file is heap.pb.gz for two snapshots, then heap2.pb.gz for two.
    let dir = std::env::temp_dir().join(format!("pprof-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("heap.pb.gz");
    std::fs::copy(common::fixture("heap.pb.gz"), &path).unwrap();
    let mut swapped = false;
    let (report, stderr) = watch_json(&[path.to_str().unwrap(), "--interval", "1s", "--count", "4"], Duration::from_secs(30), |line| {
        if line.starts_with("snapshot 2/4") && !swapped {
            // Replaced in one step, so a read never sees half a file.
            std::fs::copy(common::fixture("heap2.pb.gz"), dir.join("next")).unwrap();
            std::fs::rename(dir.join("next"), &path).unwrap();
            swapped = true;
        }
    });
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(report.snapshots, 4, "{stderr}");
    assert!(!stderr.contains("unreachable"), "{stderr}");

    // Every line's latest value is heap2's, and it grows where heap2 has
    // more than heap, shrinks where it has less, and is flat elsewhere.
    let line_values = |name: &str| {
        let profile = decode(&common::read(&common::fixture(name)), &DecodeOptions::default()).unwrap();
        let t = select(&profile, Some("inuse_space")).unwrap();
        let index = Index::build(&profile);
        index
            .line_ids()
            .map(|l| ((index.file(index.line(l).file).to_string(), index.line(l).line), index.line_cost(l, t)))
            .collect::<std::collections::HashMap<_, _>>()
    };
    let (old, new) = (line_values("heap.pb.gz"), line_values("heap2.pb.gz"));
    let mut changed = 0;
    for row in &report.rows {
        let key = (row.file.clone(), row.line);
        let (a, b) = (old.get(&key).copied().unwrap_or_default(), new.get(&key).copied().unwrap_or_default());
        assert_eq!((row.flat, row.cum), (b.flat, b.cum), "{row:?}");
        assert_eq!(row.flat_per_minute.partial_cmp(&0.0), Some((b.flat - a.flat).cmp(&0)), "{row:?}");
        assert_eq!(row.cum_per_minute.partial_cmp(&0.0), Some((b.cum - a.cum).cmp(&0)), "{row:?}");
        changed += usize::from(a != b);
    }
    assert!(changed > 0, "the two fixtures differ on some line");
}

/// Several sources are watched as one: each line's value is the sum of the
/// sources' (what pprof's merge gives), and files that do not change do
/// not grow.
#[test]
fn watch_merges_several_sources() {
    use pprof_lsp::analysis::{select, Index};
    use pprof_lsp::profile::{decode, DecodeOptions};
    let (a, b) = (common::fixture("heap.pb.gz"), common::fixture("heap2.pb.gz"));
    let args = [a.to_str().unwrap(), b.to_str().unwrap(), "--interval", "200ms", "--count", "3"];
    let (report, stderr) = watch_json(&args, Duration::from_secs(30), |_| {});
    assert_eq!(report.snapshots, 3, "{stderr}");
    let mut expected = std::collections::HashMap::new();
    for path in [&a, &b] {
        let profile = decode(&common::read(path), &DecodeOptions::default()).unwrap();
        let t = select(&profile, Some("inuse_space")).unwrap();
        let index = Index::build(&profile);
        for l in index.line_ids() {
            let cost = index.line_cost(l, t);
            let e: &mut (i64, i64) = expected.entry((index.file(index.line(l).file).to_string(), index.line(l).line)).or_default();
            e.0 += cost.flat;
            e.1 += cost.cum;
        }
    }
    expected.retain(|_, v| *v != (0, 0));
    assert_eq!(report.rows.len(), expected.len());
    for row in &report.rows {
        assert_eq!(Some(&(row.flat, row.cum)), expected.get(&(row.file.clone(), row.line)), "{row:?}");
        assert_eq!((row.flat_per_minute, row.cum_per_minute), (0.0, 0.0), "{row:?}");
    }
}

/// With filters, a poller records the filtered profile, so growth is
/// over the lines pprof's `-focus` keeps (those of the recorded golden);
/// new filters start the history again.
#[test]
fn a_poller_with_filters_records_only_what_they_keep() {
    let source = ProfileSource::File(common::fixture("heap.pb.gz"));
    let mut poller = Poller::new(source, LiveOptions::default()).unwrap();
    let focus = pprof_lsp::analysis::Filters { focus: Some("catalog".into()), ..Default::default() };
    poller.set_filters(&focus);
    let start = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    for i in 0..3 {
        assert!(matches!(poller.poll_once(start + Duration::from_secs(i)), Outcome::Snapshot(_)));
    }
    let growth = poller.history().growth("inuse_space").unwrap();
    let lines: std::collections::BTreeSet<String> = growth.rows.iter().filter(|r| r.cum != 0).map(|r| format!("{}:{}", r.file, r.line)).collect();
    let (_, golden) = common::golden_rows("heap.inuse_space.lines.focus=catalog.top.txt");
    let expected: std::collections::BTreeSet<String> = golden.keys().map(|k| k.rsplit_once(' ').unwrap().1.to_string()).collect();
    assert_eq!(lines, expected);

    poller.set_filters(&focus);
    assert_eq!(poller.history().len(), 3, "the same filters keep the history");
    poller.set_filters(&pprof_lsp::analysis::Filters::default());
    assert_eq!(poller.history().len(), 0, "other filters start it again");
    for i in 3..6 {
        assert!(matches!(poller.poll_once(start + Duration::from_secs(i)), Outcome::Snapshot(_)));
    }
    let all = poller.history().growth("inuse_space").unwrap();
    assert!(all.rows.iter().filter(|r| r.cum != 0).count() > lines.len());
}
