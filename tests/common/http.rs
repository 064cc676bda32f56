//! A minimal HTTP/1.1 client for the web view's tests: plain TCP, so
//! every header (Host included) is the test's own.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;

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
