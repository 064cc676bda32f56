//! In-process stand-ins for a Pyroscope querier and a Parca query service:
//! a bounded HTTP/1.1 server that records each request whole (path,
//! headers, body) and answers it with a handler built from the generated
//! API types, so the tests check what the client sends and what it makes
//! of real answers.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use prost::Message;

use super::listen::accept_until;

/// One request as the server read it. Header names are lower case.
#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The body as a Connect request message.
    pub fn connect<M: Message + Default>(&self) -> M {
        M::decode(&self.body[..]).unwrap_or_else(|e| panic!("{}: body is not the request message: {e}", self.path))
    }

    /// The body as a gRPC-web request: one uncompressed frame holding the
    /// message.
    pub fn grpc_web<M: Message + Default>(&self) -> M {
        let (head, message) = self.body.split_at(5);
        assert_eq!(head[0], 0, "{}: frame flags", self.path);
        assert_eq!(u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize, message.len(), "{}: frame length", self.path);
        M::decode(message).unwrap_or_else(|e| panic!("{}: frame is not the request message: {e}", self.path))
    }
}

/// An answer: status line, headers, body, and how long to wait before
/// sending it (to make a client time out).
pub struct Response {
    pub status: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Response {
    /// A Connect success: the message in binary protobuf.
    pub fn connect(message: &impl Message) -> Response {
        Response::connect_encoded(message.encode_to_vec())
    }

    /// A Connect success with an encoded message.
    pub fn connect_encoded(message: Vec<u8>) -> Response {
        Response { status: "200 OK", headers: vec![("Content-Type", "application/proto".into())], body: message, delay: Duration::ZERO }
    }

    /// A Connect error: its HTTP status and `{"code", "message"}`.
    pub fn connect_error(status: &'static str, code: &str, message: &str) -> Response {
        let body = serde_json::json!({ "code": code, "message": message }).to_string().into_bytes();
        Response { status, headers: vec![("Content-Type", "application/json".into())], body, delay: Duration::ZERO }
    }

    /// A gRPC-web success: the message frame, then a trailer frame with
    /// status 0.
    pub fn grpc_web(message: &impl Message) -> Response {
        Response::grpc_web_encoded(message.encode_to_vec())
    }

    /// A gRPC-web success with an encoded message.
    pub fn grpc_web_encoded(message: Vec<u8>) -> Response {
        let mut body = frame(0, &message);
        body.extend(frame(0x80, b"grpc-status: 0\r\ngrpc-message: \r\n"));
        Response { status: "200 OK", headers: vec![("Content-Type", "application/grpc-web+proto".into())], body, delay: Duration::ZERO }
    }

    /// A gRPC-web error as gRPC servers send one: trailers only, in the
    /// headers, with the message percent-encoded.
    pub fn grpc_web_error(code: u32, message: &str) -> Response {
        let encoded = message.replace('%', "%25").replace(' ', "%20");
        Response {
            status: "200 OK",
            headers: vec![("Content-Type", "application/grpc-web+proto".into()), ("grpc-status", code.to_string()), ("grpc-message", encoded)],
            body: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    pub fn plain(status: &'static str, text: &str) -> Response {
        Response { status, headers: vec![("Content-Type", "text/plain".into())], body: text.as_bytes().to_vec(), delay: Duration::ZERO }
    }
}

fn frame(flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![flags];
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A server on 127.0.0.1 that answers up to `requests` requests with
/// `handler`, then stops; it gives up 30 s after it started (or after the
/// lifetime given to [`Server::start_for`]).
pub struct Server {
    pub url: String,
    thread: JoinHandle<Vec<Request>>,
}

impl Server {
    pub fn start(requests: usize, handler: impl Fn(&Request) -> Response + Send + 'static) -> Server {
        Server::start_for(requests, Duration::from_secs(30), handler)
    }

    pub fn start_for(requests: usize, lifetime: Duration, handler: impl Fn(&Request) -> Response + Send + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + lifetime;
            let mut seen = Vec::new();
            while seen.len() < requests {
                let Some(mut stream) = accept_until(&listener, deadline) else { break };
                let Some(request) = read_request(&mut stream) else { continue };
                let response = handler(&request);
                std::thread::sleep(response.delay);
                write_response(&mut stream, &response);
                seen.push(request);
            }
            seen
        });
        Server { url, thread }
    }

    /// Waits for the server to stop and gives the requests it read.
    pub fn requests(self) -> Vec<Request> {
        self.thread.join().unwrap()
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? != 1 {
            return None;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.lines();
    let path = lines.next()?.split(' ').nth(1)?.to_string();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string())).collect();
    let length: usize = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).ok()?;
    Some(Request { path, headers, body })
}

fn write_response(stream: &mut TcpStream, r: &Response) {
    let mut head = format!("HTTP/1.1 {}\r\nContent-Length: {}\r\nConnection: close\r\n", r.status, r.body.len());
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&r.body);
}
