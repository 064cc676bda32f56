//! A client for the server binary over stdio, for benches: a reader
//! thread stamps each response with its arrival time and answers the
//! server's own requests (with `null`). The including bench declares
//! `mod lsp_support` (tests/lsp_support) at its root.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::lsp_support::{self, is_log};

/// How long any one answer may take.
const TIMEOUT: Duration = Duration::from_secs(120);

/// A client for the server binary. A reader thread stamps each response
/// with its arrival time and answers the server's own requests.
/// Responses awaited, by request id.
type Pending = Arc<Mutex<HashMap<i64, mpsc::Sender<(Value, Instant)>>>>;

pub struct StdioServer {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    pending: Pending,
    log: Arc<Mutex<Vec<Value>>>,
    next_id: AtomicI64,
}

impl StdioServer {
    pub fn spawn(binary: &Path) -> StdioServer {
        let mut child = Command::new(binary)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
        let stdin = Arc::new(Mutex::new(child.stdin.take().unwrap()));
        let stdout = child.stdout.take().unwrap();
        let pending: Pending = Arc::default();
        let log: Arc<Mutex<Vec<Value>>> = Arc::default();
        let (reader_pending, reader_log, answer) = (pending.clone(), log.clone(), stdin.clone());
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = lsp_support::read_frame_blocking(&mut reader) {
                let arrived = Instant::now();
                match (message.get("method").is_some(), message.get("id").cloned()) {
                    (false, Some(id)) => {
                        if let Some(tx) = id.as_i64().and_then(|id| reader_pending.lock().unwrap().remove(&id)) {
                            let _ = tx.send((message, arrived));
                        }
                    }
                    (true, Some(id)) => {
                        reader_log.lock().unwrap().push(message);
                        let reply = json!({ "jsonrpc": "2.0", "id": id, "result": null });
                        lsp_support::write_frame_blocking(&mut *answer.lock().unwrap(), &reply);
                    }
                    _ => reader_log.lock().unwrap().push(message),
                }
            }
        });
        StdioServer { child, stdin, pending, log, next_id: AtomicI64::new(1) }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Notifications and server requests received so far.
    pub fn log_len(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    pub fn notify(&self, method: &str, params: Value) {
        let message = json!({ "jsonrpc": "2.0", "method": method, "params": params });
        lsp_support::write_frame_blocking(&mut *self.stdin.lock().unwrap(), &message);
    }

    /// Sends a request; the receiver gets the response and its arrival time.
    pub fn send(&self, method: &str, params: Value) -> (Instant, mpsc::Receiver<(Value, Instant)>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel();
        self.pending.lock().unwrap().insert(id, tx);
        let message = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        let bytes = lsp_support::frame(&message);
        let mut stdin = self.stdin.lock().unwrap();
        let sent = Instant::now();
        stdin.write_all(&bytes).and_then(|_| stdin.flush()).expect("writing to the server");
        (sent, rx)
    }

    /// A request that must succeed: its result and its latency.
    pub fn ok(&self, method: &str, params: Value) -> (Value, Duration) {
        let (sent, rx) = self.send(method, params);
        let (response, arrived) = rx.recv_timeout(TIMEOUT).unwrap_or_else(|_| panic!("no answer to {method}"));
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        (response["result"].clone(), arrived - sent)
    }

    pub fn wait_log(&self, mark: usize, prefix: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while !self.log.lock().unwrap().iter().skip(mark).any(|m| is_log(m, prefix)) {
            assert!(Instant::now() < deadline, "the server never logged {prefix:?}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    pub fn shutdown(mut self) {
        self.ok("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for StdioServer {
    /// Stops the server by its process id on every path, a panic included.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Sleeps until the next tick of a clock that ticks `every`, starting
/// again from now when the caller has fallen behind.
pub fn pace(next: &mut Instant, every: Duration) {
    *next += every;
    let now = Instant::now();
    if *next > now {
        std::thread::sleep(*next - now);
    } else {
        *next = now;
    }
}
