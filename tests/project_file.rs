//! One `pprof-lsp.toml`, three readers: the language server (in-process),
//! the CLI and `pprof-lsp mcp` (the binary, over stdio) resolve the same
//! profile, sample type and path mappings from it, and an editor setting
//! overrides one key of it while the others still apply.
//!
//! The workspace holds two checkouts of the `pprofdemo` module, `app` and
//! `old`, so a profile recorded with Windows build paths maps to neither
//! by itself: the file's `pathMappings` decides, and the editor's decides
//! instead when it sets one.

mod lsp_support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use lsp_support::*;
use serde_json::{json, Value};

const CATALOG: &str = "internal/catalog/catalog.go";
/// The catalog allocation's line, and the function it is in.
const INIT_LINE: u64 = 25;
const INIT_FUNCTION: &str = "pprofdemo/internal/catalog.init.0";
const OLD_TEXT: &str = "// an older copy of this line";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_pprof-lsp")
}

/// The workspace: the project file, the profile, and the two checkouts
/// (`old`'s catalog.go has other text, so a listing shows which was read).
fn workspace() -> (TempDir, PathBuf) {
    let dir = TempDir::new("project-file");
    let ws = dir.path().canonicalize().unwrap();
    copy_dir(&root().join("tests/fixtures/goprog"), &ws.join("app"));
    std::fs::create_dir_all(ws.join("old/internal/catalog")).unwrap();
    std::fs::write(ws.join("old/go.mod"), "module pprofdemo\n\ngo 1.22\n").unwrap();
    let lines = std::fs::read_to_string(ws.join("app").join(CATALOG)).unwrap().lines().count();
    std::fs::write(ws.join("old").join(CATALOG), format!("{OLD_TEXT}\n").repeat(lines)).unwrap();
    std::fs::create_dir_all(ws.join("profiles")).unwrap();
    std::fs::copy(profile("windows.heap.pb.gz"), ws.join("profiles/windows.heap.pb.gz")).unwrap();
    // The goroot the tests' editor settings pin (see `hermetic`), so the
    // CLI and `mcp` do not ask this machine's Go.
    let goroot = hermetic(json!({}))["goroot"].as_str().unwrap().to_string();
    let toml = format!(
        "profiles = [\"profiles/windows.heap.pb.gz\"]\nsampleType = \"alloc_space\"\ngoroot = {goroot:?}\n\n\
         [[pathMappings]]\nfrom = \"D:/work/projects/pprofdemo\"\nto = \"app\"\n"
    );
    std::fs::write(ws.join("pprof-lsp.toml"), toml).unwrap();
    (dir, ws)
}

// ---------------------------------------------------------------- the server

/// What the server resolved: the shown profile's source, its sample type
/// and total, and the file `pprof.top` locates the catalog allocation in.
async fn server_view(ws: &Path, editor: Value) -> (String, String, i64, String) {
    let c = Client::start();
    c.initialize(ws, editor, json!({})).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    let status = c.status().await;
    let rows = c.command_ok("pprof.top", json!({ "n": 100000 })).await;
    let catalog = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["function"].as_str().is_some_and(|f| f.contains(INIT_FUNCTION)) && r["line"] == INIT_LINE)
        .unwrap_or_else(|| panic!("no catalog row in {rows}"))
        .clone();
    c.shutdown().await;
    (
        status["profile"].as_str().unwrap().to_string(),
        status["sampleType"].as_str().unwrap().to_string(),
        status["total"].as_i64().unwrap(),
        catalog["uri"].as_str().unwrap_or_else(|| panic!("the catalog row is not mapped: {catalog}")).to_string(),
    )
}

// ---------------------------------------------------------------- the CLI

fn cli(ws: &Path, args: &[&str]) -> String {
    let out = Command::new(bin()).args(args).arg("--workspace").arg(ws).current_dir(root()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "pprof-lsp {args:?} failed: {stderr}");
    assert!(!stderr.contains("pprof-lsp.toml"), "the project file has a problem: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

/// The total of `lines --json`'s flat values.
fn cli_total(ws: &Path, more: &[&str]) -> i64 {
    let records: Vec<Value> = serde_json::from_str(&cli(ws, &[&["lines", "--json"], more].concat())).unwrap();
    records.iter().map(|r| r["flat"].as_i64().unwrap()).sum()
}

// ---------------------------------------------------------------- mcp over stdio

/// `pprof-lsp mcp` as a child process, spoken to in newline-delimited
/// JSON-RPC; killed when dropped, pass or fail.
struct Mcp {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    next_id: i64,
}

impl Mcp {
    fn start(ws: &Path) -> Mcp {
        let mut child = Command::new(bin())
            .args(["mcp", "--workspace"])
            .arg(ws)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut mcp = Mcp { child, stdin, lines, next_id: 1 };
        let init = mcp.request(
            "initialize",
            json!({ "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": { "name": "project-file-test", "version": "0" } }),
        );
        assert!(init["serverInfo"].is_object(), "{init}");
        mcp.send(json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }));
        mcp
    }

    fn send(&mut self, message: Value) {
        writeln!(self.stdin, "{message}").unwrap();
        self.stdin.flush().unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let line = self.lines.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|e| panic!("no answer to {method}: {e}"));
            let message: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            if message["id"] == id {
                assert!(message["error"].is_null(), "{method}: {message}");
                return message["result"].clone();
            }
        }
    }

    /// A tool's structured content; the tool must not fail.
    fn call(&mut self, tool: &str, arguments: Value) -> Value {
        let result = self.request("tools/call", json!({ "name": tool, "arguments": arguments }));
        assert_ne!(result["isError"], true, "{tool}: {result}");
        result["structuredContent"].clone()
    }
}

impl Drop for Mcp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------- the test

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_cli_and_mcp_read_one_project_file_and_the_editor_overrides_one_key() {
    let (_dir, ws) = workspace();
    let profile = ws.join("profiles/windows.heap.pb.gz").display().to_string();
    let in_app = uri(&ws.join("app").join(CATALOG));
    let in_old = uri(&ws.join("old").join(CATALOG));

    // The server: the file's profile, sample type and mapping.
    let (shown, sample_type, total, catalog) = server_view(&ws, json!({})).await;
    assert_eq!((shown.as_str(), sample_type.as_str(), catalog.as_str()), (profile.as_str(), "alloc_space", in_app.as_str()));
    assert!(total > 0);

    // The CLI: the same profile and sample type (its lines add up to the
    // server's total), and the listing reads the mapped checkout.
    assert_eq!(cli_total(&ws, &[]), total);
    let listing = cli(&ws, &["list", "catalog\\.init"]);
    let app_line = std::fs::read_to_string(ws.join("app").join(CATALOG)).unwrap().lines().nth(INIT_LINE as usize - 1).unwrap().to_string();
    let row = listing.lines().find(|l| l.ends_with(&format!("{INIT_LINE}:{app_line}"))).unwrap_or_else(|| panic!("{listing}"));
    assert!(!row.trim_start().starts_with('.'), "line {INIT_LINE} has a value: {row}");
    assert!(!listing.contains(OLD_TEXT) && !listing.contains("Error"), "{listing}");
    // A flag overrides the file's key.
    assert_ne!(cli_total(&ws, &["--sample-index", "inuse_space"]), total);

    // mcp: the same default profile, sample type, total and mapped file.
    let mut mcp = Mcp::start(&ws);
    let profiles = mcp.call("profiles", json!({}));
    let default = profiles["profiles"].as_array().unwrap().iter().find(|p| p["default"] == true).cloned().unwrap();
    assert_eq!(default["source"], profile.as_str());
    let top = mcp.call("top", json!({ "limit": 500 }));
    assert_eq!((&top["sampleType"], &top["total"]), (&json!("alloc_space"), &json!(total)));
    let row = top["rows"].as_array().unwrap().iter().find(|r| r["function"].as_str().is_some_and(|f| INIT_FUNCTION.contains(f))).cloned().unwrap_or_else(|| panic!("{top}"));
    assert_eq!((&row["file"], &row["line"], &row["mapped"]), (&json!(format!("app/{CATALOG}")), &json!(INIT_LINE), &json!(true)));
    drop(mcp);

    // An editor setting replaces the file's `pathMappings`; the file's
    // profile and sample type still apply.
    let editor = json!({ "pathMappings": [{ "from": "D:/work/projects/pprofdemo", "to": "old" }] });
    let (shown, sample_type, overridden_total, catalog) = server_view(&ws, editor).await;
    assert_eq!((shown.as_str(), sample_type.as_str(), catalog.as_str()), (profile.as_str(), "alloc_space", in_old.as_str()));
    assert_eq!(overridden_total, total);
}
