//! The built binary as an editor starts it: JSON-RPC over its stdin and
//! stdout, from `initialize` to `exit`; and pointed at endpoints that
//! answer with endless or wrong data, which it must refuse at once, with
//! its memory kept low and the reason in its status.

mod common;
mod lsp_support;

use std::io::{BufReader, Write};
use std::net::TcpListener;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::demo::{goprog, init_label, init_line, inuse, CATALOG};
use lsp_support::{hermetic, profile, read_frame_blocking, read_request_head, uri, write_frame_blocking};
use pprof_lsp::profile::{DecodeError, DecodeOptions, Incoming};
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
    let message = wait_for_message(p, method, TIMEOUT, |m| m["method"] == method);
    assert!(message.get("id").is_some(), "a request: {message}");
}

/// Waits up to `timeout` for a message from the server that `wanted`
/// accepts, dropping the others.
fn wait_for_message(p: &mut Proc, what: &str, timeout: Duration, wanted: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = p.incoming.recv_timeout(left).unwrap_or_else(|_| panic!("the server sends {what} within {timeout:?}"));
        if wanted(&message) {
            return message;
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

// ------------------------------------------------------- endless and wrong responses

/// A local HTTP server on 127.0.0.1 that answers every request with a
/// body made by `fill` (a buffer's worth at a time, until it returns 0) and
/// no length, so the body ends only when the server closes. It stops when
/// the client hangs up, when it is stopped or dropped, and after a minute
/// at most.
struct Endpoint {
    url: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<u64>>,
}

impl Endpoint {
    fn start(content_type: &'static str, mut fill: impl FnMut(&mut [u8]) -> usize + Send + 'static) -> Endpoint {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/debug/pprof/heap", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let running = move |deadline: Instant| !stopped.load(Ordering::Relaxed) && Instant::now() < deadline;
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut buf = vec![0u8; 64 << 10];
            let mut sent = 0u64;
            while running(deadline) {
                let Ok((mut stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                read_request_head(&mut stream);
                stream.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
                let head = format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nConnection: close\r\n\r\n");
                let mut open = stream.write_all(head.as_bytes()).is_ok();
                while open && running(deadline) {
                    let n = fill(&mut buf);
                    open = n > 0 && stream.write_all(&buf[..n]).is_ok();
                    sent += if open { n as u64 } else { 0 };
                }
            }
            sent
        });
        Endpoint { url, stop, thread: Some(thread) }
    }

    /// Stops the server and returns how many body bytes it sent.
    fn stop(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().map_or(0, |t| t.join().unwrap())
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A seeded stream of bytes that look random (xorshift64*).
struct Noise(u64);

impl Noise {
    fn fill(&mut self, buf: &mut [u8]) -> usize {
        for chunk in buf.chunks_mut(8) {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let word = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        buf.len()
    }
}

/// The server's peak resident size in MB (`VmHWM`).
fn peak_rss_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("a VmHWM line");
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024
}

/// Starts the server with `url` as its one profile (fetched once) and
/// waits for the load to fail. Returns the failed status, `pprof.status`'s
/// answer, and the server's peak resident size in MB. The server is
/// killed by its process id at the end, and on a failed assertion by
/// `Proc`'s drop.
fn load_refused(url: &str) -> (Value, Value, u64) {
    let mut p = Proc::spawn(&[]);
    p.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": uri(&goprog()),
            "initializationOptions": hermetic(json!({ "profiles": [url], "refreshSeconds": 0 })),
            "capabilities": {},
        }),
    );
    p.notify("initialized", json!({}));
    let failed = wait_for_message(&mut p, "a failed load", Duration::from_secs(30), |m| {
        m["method"] == "pprof/status" && m["params"]["state"] == "failed"
    });
    let status = p.request("workspace/executeCommand", json!({ "command": "pprof.status", "arguments": [] }));
    let peak = peak_rss_mb(p.child.id());
    p.child.kill().expect("the server is killed");
    p.child.wait().unwrap();
    (failed["params"].clone(), status, peak)
}

/// What the check of arriving bytes says of a stream: the first refusal
/// within its first `limit` bytes, fed in 64 KiB pieces.
fn first_refusal(mut fill: impl FnMut(&mut [u8]) -> usize, limit: usize) -> Option<DecodeError> {
    let mut check = Incoming::new(&DecodeOptions::default());
    let mut buf = vec![0u8; 64 << 10];
    (0..limit / buf.len()).find_map(|_| {
        let n = fill(&mut buf);
        check.take(&buf[..n]).err()
    })
}

/// Checks one refused endless stream: the status says `expected` in both
/// places, memory stayed low, and the server stopped reading early.
fn assert_refused_early(what: &str, endpoint: Endpoint, expected: &str) {
    let (failed, status, peak) = load_refused(&endpoint.url);
    let sent = endpoint.stop();
    eprintln!("{what}: refused after the endpoint sent {sent} bytes; server peak RSS {peak} MB");
    assert_eq!(failed["error"], expected, "{what}: {failed}");
    assert_eq!(status["error"], expected, "{what}: {status}");
    assert_eq!(status["state"], "failed");
    assert!(peak < 256, "{what}: the server's peak resident size was {peak} MB");
    // Socket buffers hold a few MB; the cap (512 MiB) was never neared.
    assert!(sent < 64 << 20, "{what}: the endpoint sent {sent} bytes before the server hung up");
}

#[test]
fn an_endless_stream_of_zeros_is_refused_at_once() {
    let endpoint = Endpoint::start("application/octet-stream", |buf| {
        buf.fill(0);
        buf.len()
    });
    let expected = format!("{}: not a profile (binary data; not gzip, not a pprof protobuf, not a known text format)", endpoint.url);
    assert_refused_early("zeros", endpoint, &expected);
}

#[test]
fn an_endless_stream_of_random_bytes_is_refused_at_once() {
    const SEED: u64 = 0x9e37_79b9_7f4a_7c15;
    // What the shape check makes of this stream decides the message: the
    // seed's bytes must be refused within their first MiB.
    let mut noise = Noise(SEED);
    let refusal = first_refusal(|buf| noise.fill(buf), 1 << 20).expect("the noise is refused within 1 MiB");
    assert!(matches!(refusal, DecodeError::NotAProfile { .. } | DecodeError::Broken { .. }), "{refusal:?}");
    let mut noise = Noise(SEED);
    let endpoint = Endpoint::start("application/octet-stream", move |buf| noise.fill(buf));
    let expected = format!("{}: {refusal}", endpoint.url);
    assert_refused_early("random bytes", endpoint, &expected);
}

#[test]
fn an_html_page_from_a_url_is_named_as_one() {
    let mut page = Some(b"<!DOCTYPE html>\n<html><head><title>Profiles</title></head><body>heap</body></html>\n".to_vec());
    let endpoint = Endpoint::start("text/html; charset=utf-8", move |buf| match page.take() {
        Some(body) => {
            buf[..body.len()].copy_from_slice(&body);
            body.len()
        }
        None => 0,
    });
    let (failed, _, _) = load_refused(&endpoint.url);
    assert_eq!(
        failed["error"],
        format!(
            "{}: not a profile (an HTML page; not gzip, not a pprof protobuf, not a known text format); \
             is it a /debug/pprof/<name> URL?",
            endpoint.url
        )
    );
    endpoint.stop();
}
