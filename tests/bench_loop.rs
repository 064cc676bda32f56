//! The benchmark loop through the language server, with a real Go:
//! `pprof.runBenchmark` on the fixture module `tests/fixtures/bench`, an
//! edit, a second run, and the failure cases (cancellation, a compile
//! error, a failing test, no `go`).
//!
//! These tests need Go. `scripts/live-env.sh` installs it and passes its
//! GOROOT in `PPROF_GOROOT`; without it they fail under CI and print that
//! they skipped elsewhere (`common::live`).

mod common;
mod lsp_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lsp_support::*;
use pprof_lsp::analysis::Cost;
use pprof_lsp::profile::ValueType;
use pprof_lsp::report::labels;
use serde_json::{json, Value};

/// A copy of the fixture module, with `extra` files added.
fn module(tag: &str, extra: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new(tag);
    copy_dir(&common::root().join("tests/fixtures/bench"), dir.path());
    for (name, text) in extra {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// 1-based line of `// marker: NAME` in the module's render.go.
fn marker_line(dir: &Path, name: &str) -> u64 {
    let text = std::fs::read_to_string(dir.join("render.go")).unwrap();
    text.lines().position(|l| l.trim_end().ends_with(&format!("// marker: {name}"))).expect("the marker") as u64 + 1
}

async fn start(dir: &Path, goroot: &Path, benchmarks: Value) -> Client {
    let c = Client::start();
    c.initialize(dir, json!({ "goroot": goroot, "benchmarks": benchmarks, "watch": false }), full_capabilities()).await;
    c.initialized();
    // No profile is there yet: wait until the server has looked.
    c.wait_for_message(|m| is_log(m, "pprof: no profile"), WAIT).await;
    c
}

async fn run(c: &Client, test_file: &Path, name: &str, kind: &str) -> Result<Value, Value> {
    let args = json!({ "uri": uri(test_file), "name": name, "kind": kind });
    c.request("workspace/executeCommand", json!({ "command": "pprof.runBenchmark", "arguments": [args] })).await
}

/// `go tool pprof`'s exact flat and cum of `file:line` for `alloc_space`.
fn pprof_cost(goroot: &Path, profile: &Path, needle: &str) -> (i64, Cost) {
    let out = Command::new(goroot.join("bin/go"))
        .args(["tool", "pprof", "-lines", "-top", "-nodecount=1000000", "-nodefraction=0", "-unit=B", "-sample_index=alloc_space"])
        .arg(profile)
        .output()
        .expect("go tool pprof runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let golden = common::parse_top(&text);
    let (_, row) = golden.rows.iter().find(|(k, _)| k.ends_with(needle)).unwrap_or_else(|| panic!("no {needle} in:\n{text}"));
    (golden.total, Cost { flat: row.flat, cum: row.cum })
}

/// The B/op of a benchmark result label.
fn bytes_per_op(result: &str) -> f64 {
    result.split(" B/op").next().and_then(|s| s.rsplit(' ').next()).and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("no B/op in {result}"))
}

/// The titles of the run lenses on a 0-based line (not the cost lenses of
/// the profiled test functions themselves).
async fn lenses_at(c: &Client, doc: &str, line: u64) -> Vec<String> {
    let lenses = c.ok("textDocument/codeLens", json!({ "textDocument": { "uri": doc } })).await;
    lenses
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["range"]["start"]["line"] == line && l["command"]["command"] == "pprof.runBenchmark")
        .map(|l| l["command"]["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_benchmark_run_then_an_edit_then_a_run_shows_the_difference_per_operation() {
    let Some(goroot) = common::live::goroot() else { return };
    let module = module("bench-loop", &[]);
    let dir = module.path();
    // Every allocation recorded, and the same iterations each run.
    let c = start(dir, &goroot, json!({ "memProfileRate": 1, "benchtime": "2000x" })).await;
    let test_file = dir.join("render_test.go");
    let test_doc = c.open(&test_file);
    let bench_line = common::demo::line_in(&test_file, "func BenchmarkRender(");
    assert_eq!(lenses_at(&c, &test_doc, bench_line).await, ["profile: mem", "cpu"]);

    let clicked = Instant::now();
    let first = run(&c, &test_file, "BenchmarkRender", "mem").await.expect("the run succeeds");
    let first_took = clicked.elapsed();
    assert_eq!(first["run"], 1);
    assert_eq!(first["iterations"], 2001, "go test runs b.N = 1 first, then 2000");
    let result = first["result"].as_str().unwrap();
    // go test's own B/op: the buffer, give or take a few bytes of its own.
    assert!(result.starts_with("BenchmarkRender: ") && result.contains(" B/op · 1 allocs/op"), "{result}");
    assert!((8192.0..8300.0).contains(&bytes_per_op(result)), "{result}");
    let status = c.status().await;
    assert_eq!(status["sampleType"], "alloc_space");
    let profile = PathBuf::from(first["profile"].as_str().unwrap());
    assert!(!profile.starts_with(dir), "profiles go to a cache folder outside the workspace");
    // So does the test binary go test keeps after a profiled run.
    let left: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name()).filter(|n| n.to_string_lossy().ends_with(".test")).collect();
    assert!(left.is_empty(), "the run left {left:?} in the package folder");

    // The allocation line's hint: go tool pprof's value over the iterations.
    let render = c.open(&dir.join("render.go"));
    let alloc = marker_line(dir, "alloc");
    let (total, cost) = pprof_cost(&goroot, &profile, &format!("render.go:{alloc}"));
    // 2001 buffers of 8 KiB (and, some runs, a few bytes more on that line).
    assert!((2001 * 8192..2001 * 8192 + 4096).contains(&cost.flat), "{cost:?}");
    let ty = ValueType::new("alloc_space", "bytes");
    let per_op = labels::Scale { per_op: Some(2001), ..labels::Scale::new(&ty, total) };
    let hint = c.hint_at(&render, alloc - 1).await;
    assert_eq!(hint.as_deref(), Some(per_op.hint(cost).as_str()));
    assert!(hint.unwrap().starts_with("8kB/op flat"));
    let lenses = lenses_at(&c, &test_doc, bench_line).await;
    assert_eq!(lenses.len(), 3, "{lenses:?}");
    assert_eq!(lenses[2], result);

    // Halve the buffer on disk and run again.
    let source = std::fs::read_to_string(dir.join("render.go")).unwrap();
    std::fs::write(dir.join("render.go"), source.replace("const Size = 8192", "const Size = 4096")).unwrap();
    let second = run(&c, &test_file, "BenchmarkRender", "mem").await.expect("the second run succeeds");
    assert_eq!(second["run"], 2);
    assert_eq!(second["comparedWith"], "run 1 of BenchmarkRender");
    let status = c.status().await;
    assert!(status["summary"].as_str().unwrap().contains(" − run 1 of BenchmarkRender"), "{status}");
    let hint = c.hint_at(&render, alloc - 1).await.expect("a hint on the allocation");
    assert!(hint.starts_with("-4kB/op flat · -4kB/op cum (-"), "about half less per operation: {hint}");
    let lenses = lenses_at(&c, &test_doc, bench_line).await;
    let last = &lenses[2];
    assert!((4096.0..4200.0).contains(&bytes_per_op(last)) && last.ends_with("(-50% B/op vs previous run)"), "{last}");
    // Both runs are offered.
    let offered = c.command_ok("pprof.listProfiles", Value::Null).await;
    assert_eq!(offered.as_array().unwrap().iter().filter(|p| p["origin"] == "run").count(), 2, "{offered}");
    // The absolute view is one toggle away.
    c.command_ok("pprof.togglePerOp", json!({ "enabled": false })).await;
    let hint = c.hint_at(&render, alloc - 1).await.unwrap();
    let less = labels::Scale::new(&ty, total).signed(true).value(-2001 * 4096);
    assert!(hint.starts_with(&format!("{less} flat")), "2001 × 4 KiB less in total ({less}): {hint}");
    eprintln!("first run: {:.2} s from the command to the hint; before {} after {}", first_took.as_secs_f64(), result, second["result"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_run_kills_go_test_and_everything_it_started() {
    let Some(goroot) = common::live::goroot() else { return };
    let module = module("bench-cancel", &[]);
    let dir = module.path();
    // BenchmarkSlow sleeps 10 ms an iteration: 1000 iterations are 10 s.
    let c = start(dir, &goroot, json!({ "benchtime": "1000x" })).await;
    let test_file = dir.join("render_test.go");
    c.open(&test_file);
    let mark = c.mark();
    let running = run(&c, &test_file, "BenchmarkSlow", "cpu");
    let cancel = async {
        let begin = c
            .wait_after(mark, |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin", Duration::from_secs(60))
            .await;
        assert_eq!(begin["params"]["value"]["cancellable"], true);
        // Let go build and start the test binary, then cancel.
        c.wait_after(mark, |m| is_log(m, "goos:") || m["params"]["message"].as_str().is_some_and(|t| t.starts_with("goos:")), Duration::from_secs(60))
            .await;
        let running = processes_in(dir);
        assert!(running.iter().any(|p| p.contains("benchdemo.test")), "the test binary is seen running in its folder: {running:?}");
        c.notify("window/workDoneProgress/cancel", json!({ "token": begin["params"]["token"] }));
        Instant::now()
    };
    let (result, cancelled_at) = tokio::join!(running, cancel);
    let err = result.expect_err("a cancelled run is an error");
    assert!(err["message"].as_str().unwrap().contains("cancelled"), "{err}");
    assert!(cancelled_at.elapsed() < Duration::from_secs(5), "the run ended {:?} after the cancel", cancelled_at.elapsed());
    // The test binary is gone with its process group. (Only this run's: the
    // other tests here run benchdemo.test of their own copies meanwhile.)
    let left = processes_in(dir);
    assert!(left.is_empty(), "left running in {}: {left:?}", dir.display());
}

/// The processes working in `dir` or below it, as `PID command line`: go
/// test and the test binary it starts run in the package's folder.
fn processes_in(dir: &Path) -> Vec<String> {
    let dir = dir.canonicalize().unwrap();
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if std::fs::read_link(entry.path().join("cwd")).is_ok_and(|cwd| cwd.starts_with(&dir)) {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            out.push(format!("{pid} {}", String::from_utf8_lossy(&cmdline).replace('\0', " ").trim_end()));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compile_error_is_reported_with_its_place() {
    let Some(goroot) = common::live::goroot() else { return };
    let broken = "package benchdemo\n\nimport \"testing\"\n\nfunc TestBroken(t *testing.T) {\n\tundefinedThing()\n}\n";
    let module = module("bench-broken", &[("broken_test.go", broken)]);
    let dir = module.path();
    let c = start(dir, &goroot, json!({})).await;
    let test_file = dir.join("render_test.go");
    c.open(&test_file);
    let mark = c.mark();
    let err = run(&c, &test_file, "BenchmarkRender", "mem").await.expect_err("the build fails");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("broken_test.go:6:") && message.contains("undefined: undefinedThing"), "{message}");
    let published = c
        .wait_after(
            mark,
            |m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"].as_str().is_some_and(|u| u.ends_with("broken_test.go")),
            WAIT,
        )
        .await;
    let d = &published["params"]["diagnostics"][0];
    assert_eq!((d["code"].as_str(), d["severity"].as_u64()), (Some("build"), Some(1)));
    assert_eq!(d["range"]["start"]["line"], 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_test_still_shows_its_profile_and_says_it_failed() {
    let Some(goroot) = common::live::goroot() else { return };
    let failing = "package benchdemo\n\nimport \"testing\"\n\nfunc TestFails(t *testing.T) {\n\tRender(1)\n\tt.Fatal(\"on purpose\")\n}\n";
    let module = module("bench-fails", &[("fails_test.go", failing)]);
    let dir = module.path();
    let c = start(dir, &goroot, json!({ "memProfileRate": 1 })).await;
    let test_file = dir.join("fails_test.go");
    c.open(&test_file);
    let mark = c.mark();
    let result = run(&c, &test_file, "TestFails", "mem").await.expect("a failing test still loads its profile");
    assert_eq!(result["failed"], true);
    assert!(result.get("iterations").is_none(), "a test has no operations: {result}");
    let warned = c.wait_after(mark, |m| is_show(m, 2), WAIT).await;
    assert!(message_text(&warned).contains("TestFails failed"), "{warned}");
    let status = c.status().await;
    assert_eq!(status["profile"], result["profile"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_go_the_error_names_the_setting_to_fix() {
    // Needs no Go at all: the server is told to use an empty GOROOT.
    let module = module("bench-nogo", &[]);
    let dir = module.path();
    let empty = TempDir::new("no-goroot");
    let c = start(dir, empty.path(), json!({})).await;
    let test_file = dir.join("render_test.go");
    c.open(&test_file);
    let err = run(&c, &test_file, "BenchmarkRender", "mem").await.expect_err("no go");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("set pprof.goroot") && message.contains(&empty.path().join("bin/go").display().to_string()), "{message}");
    // By the cursor instead of by name: inside a benchmark's body it gets as
    // far (to looking for go); above every test it says there is none.
    let body = common::demo::line_in(&test_file, "Render(byte(i))");
    let by_line = |line: u64| json!({ "command": "pprof.runBenchmark", "arguments": [{ "uri": uri(&test_file), "line": line, "kind": "mem" }] });
    let err = c.request("workspace/executeCommand", by_line(body)).await.expect_err("no go");
    assert!(err["message"].as_str().unwrap().contains("set pprof.goroot"), "{err}");
    let err = c.request("workspace/executeCommand", by_line(0)).await.expect_err("no test above line 1");
    assert!(err["message"].as_str().unwrap().starts_with("no test or benchmark at or above line 1"), "{err}");
}
