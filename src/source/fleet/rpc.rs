//! Unary calls over HTTP/1.1 with ureq, in the two protocols the profilers
//! speak: Connect with binary protobuf, and gRPC-web. Both carry the same
//! protobuf messages; they differ in framing, headers and how errors come
//! back. Failures are reduced to [`RpcError`], which the caller turns into
//! a message with the entry's context.

use std::time::Duration;

use prost::Message;

/// Why a call failed, in terms both protocols share.
#[derive(Debug)]
pub(crate) enum RpcError {
    /// HTTP 401, or the code `unauthenticated`; the HTTP status to report.
    Unauthenticated(u16),
    /// HTTP 403, or the code `permission_denied`.
    PermissionDenied(u16),
    Timeout(Duration),
    Unreachable(String),
    TooLarge(u64),
    Protocol(String),
    /// Any other error answer: its code (for the caller to branch on), the
    /// status to show, and the server's message.
    Status { code: Code, status: String, message: String },
}

/// The error codes callers branch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Code {
    /// No such method, or not this protocol (HTTP 404 without a protocol
    /// error, 415, 501, or the code `unimplemented`).
    Unimplemented,
    NotFound,
    InvalidArgument,
    Other,
}

impl RpcError {
    pub(crate) fn code(&self) -> Option<Code> {
        match self {
            RpcError::Status { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// One server, with the headers every call carries (credentials, tenant).
pub(crate) struct Client {
    base: String,
    headers: Vec<(&'static str, String)>,
    timeout: Duration,
    max_bytes: u64,
    agent: ureq::Agent,
}

/// An HTTP answer: status, headers (names in lower case), body.
type Answer = (u16, Vec<(String, String)>, Vec<u8>);

/// The largest error body read, for its message.
const ERROR_BODY_BYTES: u64 = 64 << 10;

impl Client {
    pub(crate) fn new(base: &str, headers: Vec<(&'static str, String)>, timeout: Duration, max_bytes: u64) -> Client {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(concat!("pprof-lsp/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Client { base: base.trim_end_matches('/').to_string(), headers, timeout, max_bytes, agent }
    }

    /// The URL of `method` (`package.Service/Method`) under `prefix` (a
    /// path such as `/api`, or empty) of the base URL.
    pub(crate) fn url(&self, prefix: &str, method: &str) -> String {
        format!("{}{prefix}/{method}", self.base)
    }

    /// A Connect unary call with binary protobuf (`application/proto`).
    pub(crate) fn connect<R: Message + Default>(&self, url: &str, request: &impl Message) -> Result<R, RpcError> {
        let timeout_ms = self.timeout.as_millis().to_string();
        let extra = [
            ("Content-Type", "application/proto"),
            ("Connect-Protocol-Version", "1"),
            ("Connect-Timeout-Ms", timeout_ms.as_str()),
        ];
        let (status, headers, body) = self.post(url, &extra, request.encode_to_vec())?;
        if status != 200 {
            return Err(connect_error(status, &headers, &body));
        }
        R::decode(&body[..]).map_err(|e| RpcError::Protocol(format!("the answer is not the expected message: {e}")))
    }

    /// A gRPC-web unary call (`application/grpc-web+proto`): the request
    /// in one length-prefixed frame; the answer's message frame, then its
    /// trailers in a frame flagged 0x80 (or, for an error, in the headers).
    pub(crate) fn grpc_web<R: Message + Default>(&self, url: &str, request: &impl Message) -> Result<R, RpcError> {
        let message = request.encode_to_vec();
        let mut frame = Vec::with_capacity(message.len() + 5);
        frame.push(0);
        frame.extend_from_slice(&u32::try_from(message.len()).unwrap_or(u32::MAX).to_be_bytes());
        frame.extend_from_slice(&message);
        let timeout = format!("{}m", self.timeout.as_millis());
        let extra = [("Content-Type", "application/grpc-web+proto"), ("X-Grpc-Web", "1"), ("grpc-timeout", timeout.as_str())];
        let (status, headers, body) = self.post(url, &extra, frame)?;
        if status != 200 {
            return Err(http_error(status, String::from_utf8_lossy(&body).trim()));
        }
        // A trailers-only answer carries its status in the headers.
        if let Some(code) = header(&headers, "grpc-status") {
            let code: u32 = code.trim().parse().unwrap_or(2);
            if code != 0 {
                return Err(grpc_error(code, header(&headers, "grpc-message").unwrap_or_default()));
            }
        }
        let (message, trailers) = split_frames(&body)?;
        let code = trailer(&trailers, "grpc-status").map(|c| c.trim().parse().unwrap_or(2));
        match code {
            Some(0) => {}
            Some(code) => return Err(grpc_error(code, trailer(&trailers, "grpc-message").unwrap_or_default())),
            None if header(&headers, "grpc-status").is_none() => {
                return Err(RpcError::Protocol("the gRPC-web answer has no grpc-status".into()))
            }
            None => {}
        }
        let message = message.ok_or_else(|| RpcError::Protocol("the gRPC-web answer has no message".into()))?;
        R::decode(message).map_err(|e| RpcError::Protocol(format!("the answer is not the expected message: {e}")))
    }

    /// POSTs `body`, and reads the answer up to the size limit (a smaller
    /// one for error answers).
    fn post(&self, url: &str, extra: &[(&str, &str)], body: Vec<u8>) -> Result<Answer, RpcError> {
        let mut request = self.agent.post(url);
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        for (name, value) in &self.headers {
            request = request.header(*name, value.as_str());
        }
        let response = request.send(&body[..]).map_err(|e| self.transport_error(e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let limit = if status == 200 { self.max_bytes } else { ERROR_BODY_BYTES };
        let body = response.into_body().with_config().limit(limit).read_to_vec();
        let body = match body {
            Ok(body) => body,
            Err(ureq::Error::BodyExceedsLimit(_)) if status != 200 => Vec::new(),
            Err(e) => return Err(self.transport_error(e)),
        };
        Ok((status, headers, body))
    }

    fn transport_error(&self, e: ureq::Error) -> RpcError {
        match e {
            ureq::Error::Timeout(_) => RpcError::Timeout(self.timeout),
            ureq::Error::BodyExceedsLimit(_) => RpcError::TooLarge(self.max_bytes),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => RpcError::Unreachable("connection refused".into()),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => RpcError::Timeout(self.timeout),
            other => RpcError::Unreachable(other.to_string()),
        }
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A Connect error answer: JSON `{"code": …, "message": …}`, or (for a
/// path no service serves) whatever the HTTP server says.
fn connect_error(status: u16, headers: &[(String, String)], body: &[u8]) -> RpcError {
    let json = header(headers, "content-type")
        .is_some_and(|t| t.starts_with("application/json"))
        .then(|| serde_json::from_slice::<serde_json::Value>(body).ok())
        .flatten();
    let Some(json) = json else { return http_error(status, String::from_utf8_lossy(body).trim()) };
    let name = json["code"].as_str().unwrap_or("unknown");
    let message = json["message"].as_str().unwrap_or("").to_string();
    coded_error(name, message, status)
}

/// An error answer without a protocol error in it, by its HTTP status.
fn http_error(status: u16, body: &str) -> RpcError {
    let code = match status {
        401 => return RpcError::Unauthenticated(401),
        403 => return RpcError::PermissionDenied(403),
        404 | 415 | 501 => Code::Unimplemented,
        400 => Code::InvalidArgument,
        _ => Code::Other,
    };
    let reason = ureq::http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
    let message: String = body.chars().take(300).collect();
    RpcError::Status { code, status: format!("HTTP {status} {reason}").trim_end().to_string(), message }
}

/// gRPC's numeric status codes, by Connect's names for them.
const GRPC_CODES: [&str; 17] = [
    "ok",
    "canceled",
    "unknown",
    "invalid_argument",
    "deadline_exceeded",
    "not_found",
    "already_exists",
    "permission_denied",
    "resource_exhausted",
    "failed_precondition",
    "aborted",
    "out_of_range",
    "unimplemented",
    "internal",
    "unavailable",
    "data_loss",
    "unauthenticated",
];

fn grpc_error(code: u32, message: &str) -> RpcError {
    let name = GRPC_CODES.get(code as usize).copied().unwrap_or("unknown");
    let message = percent_encoding::percent_decode_str(message).decode_utf8_lossy().into_owned();
    coded_error(name, message, 200)
}

/// An error by its protocol code name (`not_found`, …).
fn coded_error(name: &str, message: String, http: u16) -> RpcError {
    let code = match name {
        "unauthenticated" => return RpcError::Unauthenticated(if http == 200 { 401 } else { http }),
        "permission_denied" => return RpcError::PermissionDenied(if http == 200 { 403 } else { http }),
        "deadline_exceeded" => Code::Other,
        "unimplemented" => Code::Unimplemented,
        "not_found" => Code::NotFound,
        "invalid_argument" => Code::InvalidArgument,
        _ => Code::Other,
    };
    RpcError::Status { code, status: name.to_string(), message }
}

/// The first message frame and the trailer block of a gRPC-web body.
fn split_frames(mut body: &[u8]) -> Result<(Option<&[u8]>, String), RpcError> {
    let mut message = None;
    let mut trailers = String::new();
    while !body.is_empty() {
        let Some((&[flags, a, b, c, d], rest)) = body.split_first_chunk::<5>() else {
            return Err(RpcError::Protocol("a gRPC-web frame is cut short".into()));
        };
        let len = u32::from_be_bytes([a, b, c, d]) as usize;
        if rest.len() < len {
            return Err(RpcError::Protocol("a gRPC-web frame is cut short".into()));
        }
        let (payload, next) = rest.split_at(len);
        if flags & 0x01 != 0 {
            return Err(RpcError::Protocol("the server compressed a gRPC-web frame unasked".into()));
        }
        if flags & 0x80 != 0 {
            trailers.push_str(&String::from_utf8_lossy(payload));
        } else if message.is_none() {
            message = Some(payload);
        }
        body = next;
    }
    Ok((message, trailers))
}

/// A value from a trailer block (`name: value` lines, names in any case).
fn trailer<'a>(trailers: &'a str, name: &str) -> Option<&'a str> {
    trailers.lines().filter_map(|l| l.split_once(':')).find(|(k, _)| k.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim())
}
