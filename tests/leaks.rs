//! Goroutine profiles in the server (in-process over JSON-RPC) and in
//! `pprof-lsp leaks`: a profile
//! whose goroutines carry a goroutine dump's labels (wait state, `leaked`,
//! wait minutes, creation site) gets a Warning on each line where leaked
//! goroutines block, pointing at the `go` statement; hints on both lines;
//! a hover section; and `pprof.leaks` rows. The profile is written here
//! from the fixture program's own lines, so the expected lines are found in
//! its sources, not numbers of a recorded profile.

mod common;
mod lsp_support;

use std::sync::Arc;

use common::demo::*;
use lsp_support::*;
use pprof_lsp::profile::{encode, Function, FunctionIdx, Label, LabelValue, Line, Location, LocationIdx, Profile, ValueType};
use serde_json::{json, Value};

/// Where the leaked goroutines block: the catalog allocation's line.
fn blocking_line() -> i64 {
    init_row()
}

/// The `go` statement that "started" them: `func main()`'s line.
fn started_line() -> i64 {
    line_of("main.go", "func main()") as i64 + 1
}

/// A goroutine profile of the fixture program's files: `leaked` goroutines
/// blocked in `chan send` at the catalog line and started from main.go,
/// one of them waiting for 4 minutes, and `idle` ones waiting at main.go,
/// reachable.
fn goroutine_profile(leaked: usize, idle: usize) -> Profile {
    let mut p = Profile {
        sample_types: vec![ValueType::new("goroutine", "count"), ValueType::new("goroutineleak", "count")],
        default_sample_type: Some("goroutineleak".into()),
        ..Default::default()
    };
    let root = goprog();
    let frames = [
        ("runtime.gopark", "/usr/local/go/src/runtime/proc.go".to_string(), 460),
        (INIT_FUNCTION, root.join(CATALOG).display().to_string(), blocking_line()),
        ("main.main", root.join("main.go").display().to_string(), started_line() + 2),
    ];
    for (i, (name, file, line)) in frames.iter().enumerate() {
        p.functions.push(Function { id: i as u64 + 1, name: name.to_string(), filename: file.clone(), ..Default::default() });
        p.locations.push(Location {
            id: i as u64 + 1,
            lines: vec![Line { function: FunctionIdx(i as u32), line: *line, column: 0 }],
            ..Default::default()
        });
    }
    let str_label = |k: &str, v: &str| Label { key: Arc::from(k), value: LabelValue::Str(Arc::from(v)) };
    let created_at = format!("{}:{}", root.join("main.go").display(), started_line());
    for i in 0..leaked {
        let mut labels = vec![
            str_label("state", "chan send"),
            str_label("leaked", "true"),
            str_label("created_by", "main.main"),
            str_label("created_at", &created_at),
        ];
        if i == 0 {
            labels.push(Label { key: Arc::from("wait_minutes"), value: LabelValue::Num { value: 4, unit: Arc::from("minutes") } });
        }
        p.push_sample(&[LocationIdx(0), LocationIdx(1), LocationIdx(2)], &[1, 1], labels);
    }
    for _ in 0..idle {
        p.push_sample(&[LocationIdx(0), LocationIdx(2)], &[1, 0], [str_label("state", "chan receive"), str_label("leaked", "false")]);
    }
    p
}

async fn start_with(profile: &Profile) -> (Client, TempDir) {
    let dir = TempDir::new("goroutines");
    let path = dir.path().join("goroutines.pb");
    std::fs::write(&path, encode(profile)).unwrap();
    let c = Client::start();
    c.initialize(&goprog(), json!({ "profiles": [path], "watch": false }), full_capabilities()).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    (c, dir)
}

fn hint_labels(hints: &[Value], line: i64) -> Vec<String> {
    hints.iter().filter(|h| h["position"]["line"] == line - 1).map(label).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaked_goroutines_are_warned_about_at_their_blocking_line_and_linked_to_their_go_statement() {
    let (c, _dir) = start_with(&goroutine_profile(3, 2)).await;
    let catalog = uri(&goprog().join(CATALOG));
    let main_go = uri(&goprog().join("main.go"));

    let warning = c
        .eventually("the leak warning", WAIT, || async {
            c.messages_with("textDocument/publishDiagnostics").into_iter().rev().find_map(|m| {
                (m["params"]["uri"] == catalog.as_str())
                    .then(|| m["params"]["diagnostics"].as_array()?.iter().find(|d| d["code"] == "goroutine-leak").cloned())
                    .flatten()
            })
        })
        .await;
    assert_eq!(warning["severity"], 2, "{warning}");
    assert_eq!(warning["range"]["start"]["line"], blocking_line() - 1);
    assert_eq!(warning["source"], "pprof");
    assert_eq!(
        warning["message"],
        format!("3 goroutines leaked here: blocked in chan send for 4 minutes; started at main.go:{}", started_line())
    );
    let related = &warning["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], main_go.as_str(), "{warning}");
    assert_eq!(related["location"]["range"]["start"]["line"], started_line() - 1);
    assert_eq!(related["message"], "started here: 3 leaked goroutines (main.main)");

    let doc = c.open(&goprog().join(CATALOG));
    assert!(hint_labels(&c.hints(&doc).await, blocking_line()).contains(&"⊘ 3 leaked".to_string()));
    let main_doc = c.open(&goprog().join("main.go"));
    assert!(hint_labels(&c.hints(&main_doc).await, started_line()).contains(&"⇢ started 3 leaked".to_string()));

    let leaks = c.command_ok("pprof.leaks", Value::Null).await;
    assert_eq!((leaks["sampleType"].as_str(), leaks["leaks"].as_bool(), leaks["total"].as_i64()), (Some("goroutineleak"), Some(true), Some(3)));
    let row = &leaks["rows"][0];
    assert_eq!((row["uri"].as_str(), row["line"].as_i64(), row["count"].as_i64()), (Some(catalog.as_str()), Some(blocking_line()), Some(3)));
    assert_eq!((row["state"].as_str(), row["waitMinutes"].as_i64()), (Some("chan send"), Some(4)));
    assert_eq!(row["createdAt"]["uri"], main_go.as_str());
    assert_eq!(row["createdAt"]["line"], started_line());
    assert_eq!(row["createdAt"]["function"], "main.main");
    assert_eq!(leaks["rows"].as_array().unwrap().len(), 1, "the idle goroutines are not leaks: {leaks}");

    let hover = c
        .ok("textDocument/hover", json!({ "textDocument": { "uri": doc }, "position": { "line": blocking_line() - 1, "character": 0 } }))
        .await;
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("**Leaked goroutines blocked here**"), "{text}");
    assert!(text.contains(&format!("started at [main.main main.go:{}]({main_go}#L{})", started_line(), started_line())), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goroutines_without_leaks_show_where_they_were_started_without_a_warning() {
    let mut profile = goroutine_profile(3, 2);
    // The same goroutines, none of them leaked: a `goroutine` profile.
    for (i, value) in profile.sample_values.iter_mut().enumerate() {
        if i % 2 == 1 {
            *value = 0;
        }
    }
    profile.default_sample_type = None;
    let (c, _dir) = start_with(&profile).await;
    let main_doc = c.open(&goprog().join("main.go"));
    assert!(hint_labels(&c.hints(&main_doc).await, started_line()).contains(&"⇢ started 3 goroutines".to_string()));
    let leaks = c.command_ok("pprof.leaks", Value::Null).await;
    assert_eq!((leaks["sampleType"].as_str(), leaks["leaks"].as_bool(), leaks["total"].as_i64()), (Some("goroutine"), Some(false), Some(5)));
    let published = c.messages_with("textDocument/publishDiagnostics");
    assert!(
        !published.iter().any(|m| m["params"]["diagnostics"].as_array().is_some_and(|d| d.iter().any(|d| d["code"] == "goroutine-leak"))),
        "no leak warning for a goroutine profile: {published:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_profiles_have_no_leaks_to_list() {
    let c = Client::start();
    c.initialize(&goprog(), json!({ "profiles": [profile("heap.pb.gz")], "watch": false }), full_capabilities()).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    let err = c.command("pprof.leaks", Value::Null).await.unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("is not a goroutine profile"), "{err}");
}

/// `pprof-lsp leaks FILE` with the fixture program as the source path.
fn cli_leaks(profile: &Profile, extra: &[&str]) -> (String, String, bool) {
    let dir = TempDir::new("leaks-cli");
    let path = dir.path().join("goroutines.pb");
    std::fs::write(&path, encode(profile)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pprof-lsp"))
        .arg("leaks")
        .arg(&path)
        .arg("--source-path")
        .arg(goprog())
        .args(extra)
        .output()
        .unwrap();
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap(), out.status.success())
}

#[test]
fn the_cli_lists_leaks_with_both_lines() {
    let (out, err, ok) = cli_leaks(&goroutine_profile(3, 2), &[]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "3 leaked goroutines (goroutineleak) in 1 place");
    assert!(lines[1].trim_start().starts_with("3  chan send, 4 min"), "{out}");
    assert!(lines[1].ends_with(&format!("catalog.go:{}  {INIT_FUNCTION}", blocking_line())), "{out}");
    assert_eq!(lines[2].trim(), format!("started at main.go:{}  main.main", started_line()));

    let (json, err, ok) = cli_leaks(&goroutine_profile(3, 2), &["--json"]);
    assert!(ok, "{err}");
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["rows"][0]["file"], goprog().join(CATALOG).display().to_string());
    assert_eq!(json["rows"][0]["createdAt"]["line"], started_line());
}

#[test]
fn the_cli_says_when_there_are_no_leaks_and_refuses_other_profiles() {
    let (out, err, ok) = cli_leaks(&goroutine_profile(0, 2), &[]);
    assert!(ok, "{err}");
    assert!(out.starts_with("2 goroutines (goroutine) in 1 place"), "{out}");
    let mut leak_only = goroutine_profile(0, 2);
    leak_only.sample_types.remove(0);
    leak_only.sample_values = leak_only.sample_values.iter().skip(1).step_by(2).copied().collect();
    for s in &mut leak_only.samples {
        s.values = (s.values.0 / 2, s.values.0 / 2 + 1);
    }
    let (out, err, ok) = cli_leaks(&leak_only, &[]);
    assert!(ok, "{err}");
    assert!(out.starts_with("no leaked goroutines in "), "{out}");
    let heap = std::process::Command::new(env!("CARGO_BIN_EXE_pprof-lsp")).args(["leaks"]).arg(profile("heap.pb.gz")).output().unwrap();
    assert!(!heap.status.success());
    assert!(String::from_utf8_lossy(&heap.stderr).contains("not a goroutine profile (its sample types: alloc_objects"), "{heap:?}");
}

// ------------------------------------------------------------ the real service

/// The goroutine-leaking service's rate, per kind and second (`-rate`).
const RATE: f64 = 10.0;

/// The rows of a `pprof.leaks` object whose blocking line is `line`.
fn rows_at(leaks: &Value, line: i64) -> Vec<&Value> {
    leaks["rows"].as_array().unwrap().iter().filter(|r| r["line"] == line).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_shows_the_services_leaks_from_its_live_endpoint() {
    use common::live::{goleak_bin, marker_line, Service};
    let Some(bin) = goleak_bin() else { return };
    // The sources in a checkout of their own: the profile names the build
    // directory, so the server must map its paths onto this one.
    let workspace = TempDir::new("goleak-ws");
    copy_dir(&common::root().join("tests/fixtures/goleak"), workspace.path());
    let main_go = workspace.path().join("main.go");
    let service = Service::start(&bin, &["-rate", &RATE.to_string(), "-lifetime", "2m"]);
    let url = format!("http://{}/debug/pprof/goroutineleak", service.addr);
    let c = Client::start();
    c.initialize(workspace.path(), json!({ "profiles": [url], "refreshSeconds": 2 }), full_capabilities()).await;
    c.initialized();
    // Growth needs three snapshots; wait for five, two seconds apart.
    let leaks = c
        .eventually("five snapshots and growth", std::time::Duration::from_secs(60), || async {
            let status = c.status().await;
            let leaks = c.command("pprof.leaks", Value::Null).await.ok()?;
            (status["live"]["snapshots"].as_u64() >= Some(5) && leaks["rows"][0].get("perMinute").is_some()).then_some(leaks)
        })
        .await;
    assert_eq!((leaks["sampleType"].as_str(), leaks["leaks"].as_bool()), (Some("goroutineleak"), Some(true)), "{leaks}");
    let main_uri = uri(&main_go);
    let known = RATE * 60.0;
    for kind in ["send", "receive", "lock", "wait"] {
        let (blocks, go) = (marker_line("goleak", &format!("{kind}-blocks")), marker_line("goleak", &format!("{kind}-go")));
        let rows = rows_at(&leaks, blocks);
        assert_eq!(rows.len(), 1, "one row blocks at the {kind} line {blocks}: {leaks}");
        let row = rows[0];
        assert_eq!(row["uri"], main_uri.as_str(), "mapped into the workspace: {row}");
        assert_eq!((row["createdAt"]["uri"].as_str(), row["createdAt"]["line"].as_i64()), (Some(main_uri.as_str()), Some(go)), "{row}");
        let ratio = row["perMinute"].as_f64().unwrap() / known;
        eprintln!("{kind}: {} leaked, {:.0}/min (known {known:.0}, ratio {ratio:.3})", row["count"], row["perMinute"].as_f64().unwrap());
        assert!((ratio - 1.0).abs() <= 0.35, "{kind} grows {ratio:.3} times its known rate: {row}");
    }
    // The idle workers and the watchdog stay reachable: no row.
    for idle in ["worker-waits", "watchdog-waits"] {
        assert!(rows_at(&leaks, marker_line("goleak", idle)).is_empty(), "{idle} reported: {leaks}");
    }
    // The first row names both of its lines.
    let first = &leaks["rows"][0];
    assert!(first["line"].as_i64().is_some() && first["createdAt"]["line"].as_i64().is_some(), "{first}");

    // The Warning on the send line points at its go statement.
    let (send, send_go) = (marker_line("goleak", "send-blocks"), marker_line("goleak", "send-go"));
    let warning = c
        .eventually("the send line's Warning", WAIT, || async {
            c.messages_with("textDocument/publishDiagnostics").into_iter().rev().find_map(|m| {
                (m["params"]["uri"] == main_uri.as_str())
                    .then(|| {
                        m["params"]["diagnostics"].as_array()?.iter().find(|d| d["code"] == "goroutine-leak" && d["range"]["start"]["line"] == send - 1).cloned()
                    })
                    .flatten()
            })
        })
        .await;
    assert!(warning["message"].as_str().unwrap().contains(&format!("blocked in chan send; started at main.go:{send_go}")), "{warning}");
    assert_eq!(warning["relatedInformation"][0]["location"]["range"]["start"]["line"], send_go - 1);
    // Both hints, with the growth.
    let doc = c.open(&main_go);
    let hints = c.hints(&doc).await;
    let at = |line: i64| hint_labels(&hints, line);
    assert!(at(send).iter().any(|l| l.starts_with("⊘ ") && l.contains(" leaked ▲ ")), "{:?}", at(send));
    assert!(at(send_go).iter().any(|l| l.starts_with("⇢ started ") && l.contains(" leaked ▲ ")), "{:?}", at(send_go));
    drop(service);
}

#[test]
fn the_cli_watches_the_services_leaks_grow() {
    use common::live::{goleak_bin, marker_line, Service};
    let Some(bin) = goleak_bin() else { return };
    let service = Service::start(&bin, &["-rate", &RATE.to_string(), "-lifetime", "2m"]);
    let url = format!("http://{}/debug/pprof/goroutineleak", service.addr);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pprof-lsp"))
        .args(["leaks", &url, "--watch", "--interval", "1s", "--count", "5", "--json", "--source-path"])
        .arg(common::root().join("tests/fixtures/goleak"))
        .output()
        .unwrap();
    drop(service);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let leaks: Value = serde_json::from_slice(&out.stdout).unwrap();
    let send = rows_at(&leaks, marker_line("goleak", "send-blocks"));
    assert_eq!(send.len(), 1, "{leaks}");
    assert_eq!(send[0]["createdAt"]["line"], marker_line("goleak", "send-go"));
    let ratio = send[0]["perMinute"].as_f64().unwrap() / (RATE * 60.0);
    eprintln!("cli: send {:.0}/min, ratio {ratio:.3}", send[0]["perMinute"].as_f64().unwrap());
    assert!((ratio - 1.0).abs() <= 0.35, "the send leak grows {ratio:.3} times its known rate");
}

/// A runtime without the leak profile (Go before 1.27) answers 404 for it:
/// the error says which Go is needed.
#[test]
fn a_404_for_the_leak_profile_names_the_go_it_needs() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // One request, answered 404, then the thread ends.
    let server = std::thread::spawn(move || {
        listener.set_nonblocking(false).unwrap();
        if let Ok((mut stream, _)) = listener.accept() {
            stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head);
            let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 18\r\nConnection: close\r\n\r\n404 page not found");
        }
    });
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pprof-lsp"))
        .args(["leaks", &format!("http://{addr}/debug/pprof/goroutineleak")])
        .output()
        .unwrap();
    server.join().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("answered 404 Not Found: the goroutineleak profile needs Go 1.27 or later"), "{err}");
}
