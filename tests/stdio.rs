//! The built binary as an editor starts it: JSON-RPC over its stdin and
//! stdout, from `initialize` to `exit`.

mod common;
mod lsp_support;

use std::io::BufReader;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use common::demo::{goprog, init_label, init_line, inuse, CATALOG};
use lsp_support::{profile, read_frame_blocking, uri, write_frame_blocking};
use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(10);

/// A blocking client for a server process.
struct Proc {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Everything the server sent besides responses.
    unprompted: Vec<Value>,
}

impl Proc {
    fn spawn(args: &[&str]) -> Proc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pprof-lsp"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server binary starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_frame_blocking(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Proc { child, stdin, incoming, next_id: 1, unprompted: Vec::new() }
    }

    fn send(&mut self, message: Value) {
        write_frame_blocking(self.stdin.as_mut().expect("stdin is open"), &message);
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response, answering the server's
    /// own requests with `null` meanwhile.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.incoming.recv_timeout(left) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => panic!("no response to {method} within {TIMEOUT:?}"),
                Err(RecvTimeoutError::Disconnected) => panic!("the server closed stdout before answering {method}"),
            };
            match (message.get("method"), message.get("id")) {
                (None, Some(got)) if got == &json!(id) => {
                    assert!(message.get("error").is_none(), "{method} failed: {message}");
                    return message["result"].clone();
                }
                (Some(_), Some(server_id)) => {
                    let server_id = server_id.clone();
                    self.unprompted.push(message);
                    self.send(json!({ "jsonrpc": "2.0", "id": server_id, "result": null }));
                }
                _ => self.unprompted.push(message),
            }
        }
    }

    fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait on the server") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // Only reached with the child still running when a test failed.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn initialize(p: &mut Proc) -> Value {
    let root = goprog();
    p.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": uri(&root),
            "initializationOptions": { "profiles": [profile("windows.heap.pb.gz")] },
            "capabilities": {},
        }),
    )
}

/// Polls the hints of `uri` until one is on `line`; returns its label.
fn wait_for_hint(p: &mut Proc, doc: &str, line: u64) -> String {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let hints = p.request(
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": doc }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 1000, "character": 0 } } }),
        );
        if let Some(hint) = hints.as_array().into_iter().flatten().find(|h| h["position"]["line"] == line) {
            return hint["label"].as_str().expect("a string label").to_string();
        }
        assert!(Instant::now() < deadline, "no hint on line {line} within {TIMEOUT:?}; last answer {hints}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn full_session(args: &[&str]) {
    let mut p = Proc::spawn(args);
    let init = initialize(&mut p);
    assert_eq!(init["serverInfo"]["name"], "pprof-lsp");
    assert_eq!(init["capabilities"]["inlayHintProvider"], true);
    p.notify("initialized", json!({}));

    let path = goprog().join(CATALOG);
    let doc = uri(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    p.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": doc, "languageId": "go", "version": 1, "text": text } }),
    );
    assert_eq!(wait_for_hint(&mut p, &doc, init_line()), init_label("windows.heap"));

    let status = p.request("workspace/executeCommand", json!({ "command": "pprof.status", "arguments": [] }));
    assert_eq!(status["name"], "windows.heap.pb.gz");
    assert_eq!(status["total"], inuse("windows.heap").total);
    // Without client support the server neither asks for progress tokens
    // nor for refreshes; the load is still reported in the log.
    let methods: Vec<&str> = p.unprompted.iter().filter_map(|m| m["method"].as_str()).collect();
    assert!(!methods.contains(&"window/workDoneProgress/create"), "{methods:?}");
    assert!(!methods.contains(&"workspace/inlayHint/refresh"), "{methods:?}");

    assert_eq!(p.request("shutdown", Value::Null), Value::Null);
    p.notify("exit", Value::Null);
    // stdin stays open, as many editors leave it: `exit` alone must end
    // the process.
    let status = p.wait_exit(Duration::from_secs(5)).expect("the server exits within 5 s of `exit`");
    assert!(status.success(), "exit status {status}");
}

#[test]
fn stdio_flag_serves_a_whole_session_and_exits_cleanly() {
    full_session(&["--stdio"]);
}

#[test]
fn serve_subcommand_serves() {
    full_session(&["serve"]);
}

#[test]
fn no_arguments_serves() {
    full_session(&[]);
}

#[test]
fn closing_stdin_without_exit_ends_the_server() {
    let mut p = Proc::spawn(&[]);
    let init = initialize(&mut p);
    assert_eq!(init["capabilities"]["hoverProvider"], true);
    p.notify("initialized", json!({}));
    p.stdin = None;
    let status = p.wait_exit(Duration::from_secs(5));
    assert!(status.is_some(), "the server kept running after its stdin closed");
}

/// Initializes with `processId` and a client that answers settings
/// requests, sends `initialized`, and returns once the server has asked for
/// the settings (a request the test then never answers).
fn initialize_with_settings_request_pending(p: &mut Proc, process_id: u32) {
    let init = p.request(
        "initialize",
        json!({
            "processId": process_id,
            "rootUri": uri(&goprog()),
            "initializationOptions": { "profiles": [profile("windows.heap.pb.gz")] },
            "capabilities": { "workspace": { "configuration": true } },
        }),
    );
    assert_eq!(init["serverInfo"]["name"], "pprof-lsp");
    p.notify("initialized", json!({}));
    wait_for_request(p, "workspace/configuration");
}

/// Waits for the server to send a request (left unanswered).
fn wait_for_request(p: &mut Proc, method: &str) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = p.incoming.recv_timeout(left).unwrap_or_else(|_| panic!("the server sends {method}"));
        if message["method"] == method {
            assert!(message.get("id").is_some(), "a request: {message}");
            return;
        }
    }
}

#[test]
fn closing_stdin_while_the_server_waits_on_the_client_ends_it_within_a_second() {
    let mut p = Proc::spawn(&[]);
    initialize_with_settings_request_pending(&mut p, std::process::id());
    // A notification whose handler waits on the client as well.
    p.notify("workspace/didChangeConfiguration", json!({ "settings": {} }));
    wait_for_request(&mut p, "workspace/configuration");
    let closed = Instant::now();
    p.stdin = None;
    let status = p.wait_exit(Duration::from_secs(5));
    let took = closed.elapsed();
    assert!(status.is_some(), "the server kept running after its stdin closed");
    assert!(took <= Duration::from_secs(1), "the server took {took:?} to exit after its stdin closed");
}

/// A stand-in for the editor: a process the test can end. Killed and
/// reaped on drop, so a failing test leaves nothing behind.
struct Editor(Child);

impl Drop for Editor {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_server_ends_within_five_seconds_of_the_editor_process() {
    let mut editor = Editor(Command::new("sleep").arg("300").spawn().expect("sleep starts"));
    let mut p = Proc::spawn(&[]);
    initialize_with_settings_request_pending(&mut p, editor.0.id());
    // The editor is still running: so is the server.
    assert!(p.wait_exit(Duration::from_millis(1500)).is_none(), "the server exited while its editor ran");
    // Killed but not reaped (a zombie, as an editor's crashed process
    // often is for a while): the server must still notice.
    editor.0.kill().unwrap();
    let died = Instant::now();
    let status = p.wait_exit(Duration::from_secs(10));
    let took = died.elapsed();
    assert!(status.is_some(), "the server kept running after its editor process ended");
    assert!(took <= Duration::from_secs(5), "the server took {took:?} to notice its editor ended");
    // stdin is still open: it was the process watch that ended it.
    assert!(p.stdin.is_some());
}
