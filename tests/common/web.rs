//! The web view served in process for the tests: a host whose data a test
//! replaces, and requests to it over plain TCP, so every header (Host
//! included) is the test's own.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use pprof_lsp::web::{OpenFuture, OpenTarget, WebData, WebServer, WebSource};
use serde_json::Value;

use super::http::{exchange, Answer};

/// A host whose data the test replaces, recording what it was asked to open.
pub struct TestHost {
    pub data: Mutex<Arc<WebData>>,
    pub opened: Mutex<Vec<OpenTarget>>,
}

impl WebSource for TestHost {
    fn current(&self) -> Option<Arc<WebData>> {
        Some(self.data.lock().unwrap().clone())
    }

    fn open(&self, target: OpenTarget) -> OpenFuture {
        self.opened.lock().unwrap().push(target);
        Box::pin(std::future::ready(Ok(())))
    }

    fn editor(&self) -> Option<String> {
        Some("Test editor".to_string())
    }
}

/// A running server with its host, and requests to it.
pub struct Fixture {
    server: Option<WebServer>,
    pub host: Arc<TestHost>,
    pub addr: SocketAddr,
    pub token: String,
}

impl Fixture {
    pub async fn start(data: Arc<WebData>) -> Fixture {
        let host = Arc::new(TestHost { data: Mutex::new(data), opened: Mutex::new(Vec::new()) });
        let server = WebServer::start("127.0.0.1:0".parse().unwrap(), host.clone()).await.unwrap();
        let (addr, token) = (server.addr(), server.token().to_string());
        Fixture { server: Some(server), host, addr, token }
    }

    pub fn host_header(&self) -> String {
        self.addr.to_string()
    }

    /// GET `path` with the token and `query`, from a blocking thread.
    pub async fn get(&self, path: &str, query: &str) -> Answer {
        let target = format!("{path}?token={}{}{query}", self.token, if query.is_empty() { "" } else { "&" });
        self.raw("GET", target, self.host_header(), Vec::new(), Vec::new()).await
    }

    pub async fn raw(&self, method: &'static str, target: String, host: String, extra: Vec<(&'static str, &'static str)>, body: Vec<u8>) -> Answer {
        let addr = self.addr;
        tokio::task::spawn_blocking(move || exchange(addr, method, &target, &host, &extra, &body)).await.unwrap()
    }

    pub async fn open(&self, file: &str, line: i64) -> Value {
        let body = serde_json::json!({ "file": file, "line": line }).to_string().into_bytes();
        let target = format!("/api/open?token={}", self.token);
        let answer = self.raw("POST", target, self.host_header(), vec![("Content-Type", "application/json")], body).await;
        assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
        answer.json()
    }

    pub async fn stop(mut self) {
        self.server.take().unwrap().stop().await.unwrap();
    }
}

