//! Who may talk to the web view: requests carrying the random token of the
//! printed URL, addressed to this server by a name it was bound under.
//!
//! The token keeps out other local users and other web pages (which cannot
//! read it from the URL); the `Host` check keeps out pages that rebind a
//! DNS name of their own to 127.0.0.1 (their requests name their host).
//! A loopback name is accepted with any port: a proxy on this machine
//! passes its own `Host` on, such as code-server's `/proxy/PORT/`, which
//! VS Code's `asExternalUri` gives the editor's webview there.
//! The token is a query parameter, not a cookie: cookies are shared by
//! every port of a host and are third-party cookies inside an editor's
//! webview, and a query parameter works the same everywhere.

use std::io;
use std::net::SocketAddr;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The checks, with what they compare against.
#[derive(Clone, Debug)]
pub(crate) struct Guard {
    token: String,
    hosts: Vec<String>,
}

impl Guard {
    /// Accepts the bound address as `Host`, and `localhost`, `127.0.0.1`
    /// and `[::1]` with a port (what browsers send for a URL naming them,
    /// directly or through a proxy on this machine).
    pub(crate) fn new(addr: SocketAddr, token: String) -> Guard {
        Guard { token, hosts: vec![addr.to_string()] }
    }

    fn host_ok(&self, host: Option<&HeaderValue>) -> bool {
        let Some(host) = host.and_then(|h| h.to_str().ok()) else { return false };
        if self.hosts.iter().any(|allowed| allowed.eq_ignore_ascii_case(host)) {
            return true;
        }
        host.rsplit_once(':').is_some_and(|(name, port)| {
            ["localhost", "127.0.0.1", "[::1]"].iter().any(|n| n.eq_ignore_ascii_case(name))
                && !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
        })
    }

    fn token_ok(&self, query: Option<&str>) -> bool {
        let Some(query) = query else { return false };
        query.split('&').filter_map(|pair| pair.strip_prefix("token=")).any(|t| same(t.as_bytes(), self.token.as_bytes()))
    }
}

/// Compares in time independent of where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 128 random bits from the operating system, as hex.
pub(crate) fn new_token() -> io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| io::Error::other(format!("no random numbers for the token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The middleware: 403 unless both checks pass. Every response also tells
/// the browser not to keep it and not to send the URL (and so the token)
/// anywhere as a referrer.
pub(crate) async fn check(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let mut response = if !guard.host_ok(request.headers().get(header::HOST)) {
        (StatusCode::FORBIDDEN, "403 forbidden: this server answers only to its own address\n").into_response()
    } else if !guard.token_ok(request.uri().query()) {
        (StatusCode::FORBIDDEN, "403 forbidden: the URL lacks the token printed when the server started\n").into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_the_bound_address_and_loopback_names_with_a_port() {
        let guard = Guard::new("127.0.0.1:4242".parse().unwrap(), "t".into());
        let ok = |h: &str| guard.host_ok(Some(&HeaderValue::from_str(h).unwrap()));
        assert!(ok("127.0.0.1:4242"));
        assert!(ok("localhost:4242"));
        assert!(ok("LOCALHOST:4242"));
        // A local proxy's own address (code-server's /proxy/4242/).
        assert!(ok("127.0.0.1:8080"));
        assert!(ok("[::1]:8080"));
        assert!(!ok("localhost"));
        assert!(!ok("localhost:"));
        assert!(!ok("localhost:80x"));
        assert!(!ok("evil.example:4242"));
        assert!(!ok("127.0.0.1.evil.example:4242"));
        assert!(!guard.host_ok(None));
    }

    #[test]
    fn the_token_must_be_a_whole_parameter() {
        let guard = Guard::new("127.0.0.1:1".parse().unwrap(), "abc123".into());
        assert!(guard.token_ok(Some("token=abc123")));
        assert!(guard.token_ok(Some("si=x&token=abc123&view=top")));
        assert!(!guard.token_ok(Some("token=abc12")));
        assert!(!guard.token_ok(Some("token=abc1234")));
        assert!(!guard.token_ok(Some("xtoken=abc123")));
        assert!(!guard.token_ok(Some("")));
        assert!(!guard.token_ok(None));
    }

    #[test]
    fn tokens_are_random_hex() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
