//! A minimal HTTP/1.1 client for the web view's tests: plain TCP, so
//! every header (Host included) is the test's own; and a minimal server
//! that answers a bounded number of requests, for tests that read
//! profiles from URLs.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

pub use super::listen::accept_until;

pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One HTTP/1.1 exchange with `Connection: close`, so the answer ends
/// where the stream does.
pub fn exchange(addr: SocketAddr, method: &str, target: &str, host: &str, extra: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut request = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in extra {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        body = unchunk(&body);
    }
    Answer { status, headers, body }
}

fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[line_end + 2..line_end + 2 + size]);
        data = &data[line_end + 4 + size..];
    }
}


/// The web view's `top` table (`api/top`'s answer) as lines like a
/// golden's: its header, then each row's cells joined by one space.
pub fn page_top_lines(json: &Value) -> Vec<String> {
    let mut out: Vec<String> = json["header"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().to_string()).collect();
    for row in json["rows"].as_array().unwrap() {
        let cells = ["flat", "flatPercent", "sumPercent", "cum", "cumPercent", "name"].map(|c| row[c].as_str().unwrap().to_string());
        let mark = row["mark"].as_str().map(|m| format!(" {m}")).unwrap_or_default();
        out.push(format!("{}{mark}", cells.join(" ")));
    }
    out
}

/// A `top` golden in the shape of [`page_top_lines`] (its column titles
/// left out).
pub fn golden_table_lines(name: &str) -> Vec<String> {
    top_text_lines(&std::fs::read_to_string(super::golden_dir().join(name)).unwrap())
}

/// A `top` table as pprof prints it, in the shape of [`page_top_lines`]
/// (its column titles left out).
pub fn top_text_lines(text: &str) -> Vec<String> {
    let (header, rows) = text.split_once("      flat  flat%").expect("column titles");
    let rows = rows.lines().skip(1).map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "));
    header.lines().map(str::to_string).chain(rows).collect()
}

/// Reads a request's head, up to its blank line, and gives its request
/// line (`GET /path HTTP/1.1`).
pub fn read_request_line(stream: &mut TcpStream) -> String {
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut request = Vec::new();
    let mut byte = [0u8; 1];
    while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        request.push(byte[0]);
    }
    String::from_utf8_lossy(&request).lines().next().unwrap_or("").to_string()
}

/// Writes one response that closes the connection.
pub fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &[u8]) {
    let head = format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// Answers `requests` requests on `listener`, one at a time, each with the
/// body of its path in `routes` (404 for any other path), then closes it;
/// gives up after 30 s. The thread returns the paths asked for, in order.
pub fn serve_routes(listener: TcpListener, routes: Vec<(String, Vec<u8>)>, requests: usize) -> JoinHandle<Vec<String>> {
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut asked = Vec::new();
        while asked.len() < requests {
            let Some(mut stream) = accept_until(&listener, deadline) else { break };
            let line = read_request_line(&mut stream);
            let path = line.split(' ').nth(1).unwrap_or("").to_string();
            match routes.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => respond(&mut stream, "200 OK", "application/octet-stream", body),
                None => respond(&mut stream, "404 Not Found", "text/plain", b"404 page not found\n"),
            }
            asked.push(path);
        }
        asked
    })
}
