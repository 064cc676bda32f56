//! A small LSP client for the integration tests. It speaks real JSON-RPC
//! (Content-Length framing) to the server running in-process over a
//! `tokio::io::duplex` pipe, answers the server's own requests the way an
//! editor would, and records everything the server sends unprompted so
//! tests can wait for it. Every wait is bounded.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::ls_types::Uri;

/// How long a request may take before the test fails.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for something the server should send by itself.
pub const WAIT: Duration = Duration::from_secs(8);

// ---------------------------------------------------------------- framing

/// One message in LSP base-protocol framing.
pub fn frame(message: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(message).expect("messages serialise");
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    out
}

/// Parses the header block's Content-Length; `None` for a malformed block.
fn content_length(headers: &[String]) -> Option<usize> {
    headers.iter().find_map(|h| {
        let (name, value) = h.split_once(':')?;
        name.trim().eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok()).flatten()
    })
}

/// Reads one framed message from a blocking reader; `None` at end of input.
pub fn read_frame_blocking(reader: &mut impl BufRead) -> Option<Value> {
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            break;
        }
        headers.push(line);
    }
    let len = content_length(&headers).unwrap_or_else(|| panic!("no Content-Length in {headers:?}"));
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).unwrap_or_else(|e| panic!("bad JSON from the server: {e}")))
}

pub fn write_frame_blocking(writer: &mut impl Write, message: &Value) {
    writer.write_all(&frame(message)).expect("write to the server");
    writer.flush().expect("flush to the server");
}

async fn read_frame<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> Option<Value> {
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            break;
        }
        headers.push(line);
    }
    let len = content_length(&headers).unwrap_or_else(|| panic!("no Content-Length in {headers:?}"));
    let mut body = vec![0; len];
    reader.read_exact(&mut body).await.ok()?;
    Some(serde_json::from_slice(&body).unwrap_or_else(|e| panic!("bad JSON from the server: {e}")))
}

// ---------------------------------------------------------------- local endpoints

/// Reads an accepted request's head (up to the blank line), waiting at
/// most 5 s for each byte, so that it can be answered.
pub fn read_request_head(stream: &mut std::net::TcpStream) {
    use std::io::Read;
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        head.push(byte[0]);
    }
}

// ---------------------------------------------------------------- paths

/// Settings with `goroot` pinned to an empty directory unless a test sets
/// it, so results do not depend on whether this machine has Go installed
/// (the server would otherwise ask `go env GOROOT` and map standard-library
/// frames there).
pub fn hermetic(options: Value) -> Value {
    let mut options = match options {
        Value::Null => json!({}),
        other => other,
    };
    if let Some(object) = options.as_object_mut() {
        if !object.contains_key("goroot") {
            let empty = std::env::temp_dir().join("pprof-lsp-tests-empty-goroot");
            let _ = std::fs::create_dir_all(&empty);
            object.insert("goroot".into(), Value::String(empty.to_string_lossy().into_owned()));
        }
    }
    options
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn profile(name: &str) -> PathBuf {
    root().join("tests/fixtures/profiles").join(name)
}

pub fn uri(path: &Path) -> String {
    Uri::from_file_path(path).unwrap_or_else(|| panic!("no URI for {}", path.display())).as_str().to_string()
}

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("pprof-lsp-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

// ---------------------------------------------------------------- client

/// What the client says it supports: progress, both refreshes, and the
/// `workspace/configuration` pull.
pub fn full_capabilities() -> Value {
    json!({
        "window": { "workDoneProgress": true },
        "workspace": {
            "configuration": true,
            "inlayHint": { "refreshSupport": true },
            "codeLens": { "refreshSupport": true }
        },
        "textDocument": { "inlayHint": {}, "codeLens": {}, "hover": { "contentFormat": ["markdown"] } }
    })
}

struct Shared {
    /// Everything the server sent on its own (requests and notifications),
    /// in arrival order.
    log: Mutex<Vec<Value>>,
    pending: Mutex<HashMap<i64, oneshot::Sender<Value>>>,
    /// The answer to `workspace/configuration` (one per requested item).
    settings: Mutex<Value>,
    closed: Mutex<bool>,
}

/// An LSP client connected to a server.
pub struct Client {
    out: mpsc::UnboundedSender<Value>,
    shared: Arc<Shared>,
    next_id: AtomicI64,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Client {
    /// Starts the server in-process and connects to it.
    pub fn start() -> Client {
        Client::start_on(None)
    }

    /// Starts the server with its workspace on `disk` (the real disk when
    /// `None`) and connects to it.
    pub fn start_on(disk: Option<std::sync::Arc<dyn pprof_lsp::source::fs::Disk>>) -> Client {
        let (client_side, server_side) = tokio::io::duplex(1 << 16);
        let (server_read, server_write) = tokio::io::split(server_side);
        let server = tokio::spawn(async move {
            let (service, socket) = match disk {
                Some(disk) => pprof_lsp::lsp::service_on(disk),
                None => pprof_lsp::lsp::service(),
            };
            tower_lsp_server::Server::new(server_read, server_write, socket).serve(service).await;
        });
        let (read, write) = tokio::io::split(client_side);
        let mut client = Client::connect(read, write);
        client.tasks.push(server);
        client
    }

    /// Talks to a server on the other end of `read`/`write`.
    pub fn connect<R, W>(read: R, mut write: W) -> Client
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let shared = Arc::new(Shared {
            log: Mutex::new(Vec::new()),
            pending: Mutex::new(HashMap::new()),
            settings: Mutex::new(Value::Null),
            closed: Mutex::new(false),
        });
        let (out, mut out_rx) = mpsc::unbounded_channel::<Value>();
        let writer = tokio::spawn(async move {
            while let Some(message) = out_rx.recv().await {
                if write.write_all(&frame(&message)).await.is_err() || write.flush().await.is_err() {
                    break;
                }
            }
        });
        let reader_shared = shared.clone();
        let answer = out.clone();
        let reader = tokio::spawn(async move {
            let mut reader = BufReader::new(read);
            while let Some(message) = read_frame(&mut reader).await {
                dispatch(&reader_shared, &answer, message);
            }
            *reader_shared.closed.lock().unwrap() = true;
        });
        Client { out, shared, next_id: AtomicI64::new(1), tasks: vec![writer, reader] }
    }

    /// Sets what the client answers to `workspace/configuration`.
    /// What the client answers to `workspace/configuration`. Non-empty
    /// settings get the hermetic `goroot` (see [`hermetic`]).
    pub fn set_settings(&self, settings: Value) {
        let settings = match &settings {
            Value::Object(o) if !o.is_empty() && !o.contains_key("pprof") => hermetic(settings),
            _ => settings,
        };
        *self.shared.settings.lock().unwrap() = settings;
    }

    pub fn send(&self, message: Value) {
        self.out.send(message).expect("the writer task is running");
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response: `Ok(result)` or
    /// `Err(error object)`.
    pub async fn request(&self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.shared.pending.lock().unwrap().insert(id, tx);
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let response = tokio::time::timeout(REQUEST_TIMEOUT, rx)
            .await
            .unwrap_or_else(|_| panic!("no response to {method} within {REQUEST_TIMEOUT:?}"))
            .unwrap_or_else(|_| panic!("connection closed before {method} was answered"));
        match response.get("error") {
            Some(error) => Err(error.clone()),
            None => Ok(response.get("result").cloned().unwrap_or(Value::Null)),
        }
    }

    /// A request that must succeed.
    pub async fn ok(&self, method: &str, params: Value) -> Value {
        self.request(method, params).await.unwrap_or_else(|e| panic!("{method} failed: {e}"))
    }

    pub async fn initialize(&self, workspace_root: &Path, init_options: Value, capabilities: Value) -> Value {
        self.initialize_at(&uri(workspace_root), init_options, capabilities).await
    }

    /// `initialize` with the workspace folder given as a URI.
    pub async fn initialize_at(&self, root_uri: &str, init_options: Value, capabilities: Value) -> Value {
        let init_options = hermetic(init_options);
        self.ok(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": [{ "uri": root_uri, "name": "ws" }],
                "initializationOptions": init_options,
                "capabilities": capabilities,
            }),
        )
        .await
    }

    pub fn initialized(&self) {
        self.notify("initialized", json!({}));
    }

    /// Opens a file with its text from disk; returns its URI.
    pub fn open(&self, path: &Path) -> String {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self.open_text(path, &text)
    }

    pub fn open_text(&self, path: &Path, text: &str) -> String {
        let uri = uri(path);
        self.open_uri(&uri, text);
        uri
    }

    /// Opens a document named by a URI as the editor spells it.
    pub fn open_uri(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "go", "version": 1, "text": text } }),
        );
    }

    /// Sends incremental changes: `(start line, start char, end line, end char, text)`.
    pub fn change(&self, uri: &str, version: i32, edits: &[(u32, u32, u32, u32, &str)]) {
        let changes: Vec<Value> = edits
            .iter()
            .map(|&(sl, sc, el, ec, text)| {
                json!({ "range": { "start": { "line": sl, "character": sc }, "end": { "line": el, "character": ec } }, "text": text })
            })
            .collect();
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        );
    }

    /// Sends the whole new text.
    pub fn change_full(&self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// All inlay hints of a document.
    pub async fn hints(&self, uri: &str) -> Vec<Value> {
        let result = self
            .ok(
                "textDocument/inlayHint",
                json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 100000, "character": 0 } } }),
            )
            .await;
        result.as_array().cloned().unwrap_or_default()
    }

    /// The label of the hint on a 0-based line, if any.
    pub async fn hint_at(&self, uri: &str, line: u64) -> Option<String> {
        self.hints(uri).await.iter().find(|h| h["position"]["line"] == line).map(label)
    }

    pub async fn command(&self, name: &str, arg: Value) -> Result<Value, Value> {
        let arguments = if arg.is_null() { json!([]) } else { json!([arg]) };
        self.request("workspace/executeCommand", json!({ "command": name, "arguments": arguments })).await
    }

    pub async fn command_ok(&self, name: &str, arg: Value) -> Value {
        self.command(name, arg).await.unwrap_or_else(|e| panic!("{name} failed: {e}"))
    }

    pub async fn status(&self) -> Value {
        self.command_ok("pprof.status", Value::Null).await
    }

    /// A copy of everything the server has sent on its own so far.
    pub fn messages(&self) -> Vec<Value> {
        self.shared.log.lock().unwrap().clone()
    }

    /// How many messages have arrived; pass to [`Client::wait_after`].
    pub fn mark(&self) -> usize {
        self.shared.log.lock().unwrap().len()
    }

    pub fn messages_with(&self, method: &str) -> Vec<Value> {
        self.messages().into_iter().filter(|m| m["method"] == method).collect()
    }

    /// Waits until a message satisfying `predicate` has arrived (at any time).
    pub async fn wait_for_message(&self, predicate: impl Fn(&Value) -> bool, timeout: Duration) -> Value {
        self.wait_after(0, predicate, timeout).await
    }

    /// Waits for a matching message among those after the first `mark`.
    pub async fn wait_after(&self, mark: usize, predicate: impl Fn(&Value) -> bool, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = self.shared.log.lock().unwrap().iter().skip(mark).find(|m| predicate(m)).cloned() {
                return found;
            }
            if Instant::now() >= deadline {
                let seen: Vec<String> = self.messages().iter().skip(mark).map(|m| m.to_string()).collect();
                panic!("no matching message within {timeout:?}; after mark {mark} the server sent:\n{}", seen.join("\n"));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Waits for the `logMessage` that ends a successful load.
    pub async fn wait_loaded_after(&self, mark: usize) -> Value {
        self.wait_after(mark, |m| is_log(m, "pprof: loaded "), WAIT).await
    }

    /// Whether the server has closed its end.
    pub fn closed(&self) -> bool {
        *self.shared.closed.lock().unwrap()
    }

    /// Polls `f` until it returns `Some`, or fails after `timeout`.
    pub async fn eventually<T, F, Fut>(&self, what: &str, timeout: Duration, mut f: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = f().await {
                return v;
            }
            if Instant::now() >= deadline {
                panic!("{what}: not reached within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `shutdown` then `exit`.
    pub async fn shutdown(&self) {
        self.ok("shutdown", Value::Null).await;
        self.notify("exit", Value::Null);
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn dispatch(shared: &Shared, answer: &mpsc::UnboundedSender<Value>, message: Value) {
    let method = message.get("method").and_then(Value::as_str).map(str::to_string);
    let id = message.get("id").cloned();
    match (method, id) {
        // A response to one of our requests.
        (None, Some(id)) => {
            let id = id.as_i64().unwrap_or_else(|| panic!("unexpected response id in {message}"));
            if let Some(tx) = shared.pending.lock().unwrap().remove(&id) {
                let _ = tx.send(message);
            }
        }
        // A request from the server: record it, then answer as an editor would.
        (Some(method), Some(id)) => {
            let result = match method.as_str() {
                "workspace/configuration" => {
                    let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                    let settings = shared.settings.lock().unwrap().clone();
                    Value::Array(vec![settings; items])
                }
                "window/showDocument" => json!({ "success": true }),
                _ => Value::Null,
            };
            shared.log.lock().unwrap().push(message);
            let _ = answer.send(json!({ "jsonrpc": "2.0", "id": id, "result": result }));
        }
        (Some(_), None) => shared.log.lock().unwrap().push(message),
        (None, None) => panic!("message with neither method nor id: {message}"),
    }
}

// ---------------------------------------------------------------- message helpers

pub fn label(hint: &Value) -> String {
    match &hint["label"] {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts.iter().filter_map(|p| p["value"].as_str()).collect(),
        other => panic!("unexpected hint label {other}"),
    }
}

pub fn is_log(m: &Value, prefix: &str) -> bool {
    m["method"] == "window/logMessage" && m["params"]["message"].as_str().is_some_and(|s| s.starts_with(prefix))
}

/// A `window/showMessage` of the given type (1 error, 2 warning, 3 info).
pub fn is_show(m: &Value, kind: i64) -> bool {
    m["method"] == "window/showMessage" && m["params"]["type"] == kind
}

pub fn message_text(m: &Value) -> String {
    m["params"]["message"].as_str().unwrap_or_default().to_string()
}

// ---------------------------------------------------------------- pprof.top and the goldens

/// `pprof.top` by cum with room for every row, keyed like the goldens.
pub async fn top_rows(c: &Client) -> BTreeMap<String, (i64, i64)> {
    let rows = c.command_ok("pprof.top", json!({ "n": 100000, "by": "cum" })).await;
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            // Keyed by the name as pprof prints it.
            let function = pprof_lsp::analysis::names::display_name(r["function"].as_str().unwrap());
            let key = format!("{function} {}:{}", r["file"].as_str().unwrap_or(""), r["line"]);
            (key, (r["flat"].as_i64().unwrap(), r["cum"].as_i64().unwrap()))
        })
        .collect()
}

