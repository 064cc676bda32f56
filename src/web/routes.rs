//! The router: the page and its assets, and the JSON endpoints the page
//! reads. Every URL is relative to the page, so the view also works behind
//! a path prefix (an editor's port forwarding).
//!
//! | route | answers |
//! |---|---|
//! | `GET /` | the page |
//! | `GET /app.js`, `GET /app.css` | its script and style |
//! | `GET /api/state` | the host's generation, title, sample types and defaults |
//! | `GET /api/flame` | the flame graph ([`crate::report::flame::FlameJson`]) |
//! | `GET /api/top` | pprof's `top` table |
//! | `GET /api/source?file=F` | a file's lines with their costs |
//! | `GET /api/files` | the profile's files, where each is here |
//! | `POST /api/open` | `{file, line, function?}`: opens a line in the host's editor |

use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::compute::{self, Memo, Problem, Resolved};
use super::guard::{self, Guard};
use super::state::ViewState;
use super::{WebData, WebSource};

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// The page may run its own script and style, talk to this server, and
/// show data: images; nothing else, and nothing from anywhere else.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

/// Answers smaller than this are sent as they are.
const GZIP_FROM_BYTES: usize = 1400;

#[derive(Clone)]
struct App {
    source: Arc<dyn WebSource>,
    memo: Arc<Memo>,
}

/// The router; call it on a tokio runtime (it starts computing the first
/// answer the page will want).
pub(crate) fn router(source: Arc<dyn WebSource>, guard: Guard) -> Router {
    let app = App { source, memo: Arc::new(Memo::default()) };
    // The page asks for the whole flame graph first; a large profile's takes
    // a moment, so it starts now rather than when the page loads.
    let warm = app.clone();
    tokio::task::spawn_blocking(move || remembered(&warm, "flame", &BTreeMap::new(), flame_json));
    Router::new()
        .route("/", get(page))
        .route("/app.js", get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }))
        .route("/app.css", get(|| async { asset("text/css; charset=utf-8", APP_CSS) }))
        .route("/api/state", get(state))
        .route("/api/flame", get(flame))
        .route("/api/top", get(top))
        .route("/api/source", get(source_file))
        .route("/api/files", get(files))
        .route("/api/open", post(open))
        .with_state(app)
        .layer(axum::middleware::from_fn_with_state(guard, guard::check))
}

type Params = Query<BTreeMap<String, String>>;

/// The page, with the token in its asset URLs (the guard has checked it,
/// so it is hex).
async fn page(Query(params): Params) -> Response {
    let token = params.get("token").map(String::as_str).unwrap_or_default();
    let html = INDEX_HTML.replace("{{token}}", token);
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    response
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn state(State(app): State<App>) -> Response {
    let json = compute::state(app.source.as_ref());
    json_response(&serde_json::to_vec(&json).unwrap_or_default(), false)
}

async fn flame(State(app): State<App>, Query(params): Params, headers: HeaderMap) -> Response {
    answer(app, "flame", params, &headers, flame_json).await
}

fn flame_json(_: &dyn WebSource, data: &WebData, r: &Resolved, s: &ViewState) -> Result<Vec<u8>, Problem> {
    to_json(&compute::flame(data, r, s)?)
}

async fn top(State(app): State<App>, Query(params): Params, headers: HeaderMap) -> Response {
    answer(app, "top", params, &headers, |_, data, r, s| to_json(&compute::top(data, r, s))).await
}

async fn source_file(State(app): State<App>, Query(params): Params, headers: HeaderMap) -> Response {
    answer(app, "source", params, &headers, |host, data, r, s| {
        let Some(file) = &s.file else { return Err(Problem { status: 400, message: "which file? (file=…)".into() }) };
        to_json(&compute::source(host, data, r, file))
    })
    .await
}

async fn files(State(app): State<App>, Query(params): Params, headers: HeaderMap) -> Response {
    answer(app, "files", params, &headers, |_, data, r, _| to_json(&compute::files(data, r))).await
}

fn to_json(value: &impl Serialize) -> Result<Vec<u8>, Problem> {
    serde_json::to_vec(value).map_err(|e| Problem { status: 500, message: format!("cannot write JSON: {e}") })
}

/// What an endpoint computes.
type Compute = fn(&dyn WebSource, &WebData, &Resolved, &ViewState) -> Result<Vec<u8>, Problem>;

/// Runs one computation off the async threads.
async fn answer(app: App, endpoint: &'static str, mut params: BTreeMap<String, String>, headers: &HeaderMap, compute: Compute) -> Response {
    let gzip = accepts_gzip(headers);
    params.remove("token");
    match tokio::task::spawn_blocking(move || remembered(&app, endpoint, &params, compute)).await {
        Ok(Ok(body)) => json_response(&body, gzip),
        Ok(Err(problem)) => problem_response(&problem),
        Err(e) => problem_response(&Problem { status: 500, message: format!("the computation failed: {e}") }),
    }
}

/// An endpoint's answer for the host's current data and a query (less the
/// token), computed once per generation and query.
fn remembered(app: &App, endpoint: &str, params: &BTreeMap<String, String>, compute: Compute) -> Result<Arc<Vec<u8>>, Problem> {
    let data = app.source.current().ok_or_else(Problem::nothing_loaded)?;
    let key = format!("{}\n{endpoint}\n{}", data.generation, serde_json::to_string(params).unwrap_or_default());
    app.memo.answer(key, || {
        let state = ViewState::parse(params).map_err(|m| Problem { status: 400, message: m })?;
        let resolved = Resolved::new(&app.memo, &data, &state)?;
        compute(app.source.as_ref(), &data, &resolved, &state)
    })
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.split(';').next().is_some_and(|e| e.trim() == "gzip")))
}

fn json_response(body: &[u8], gzip: bool) -> Response {
    let json = (header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if gzip && body.len() >= GZIP_FROM_BYTES {
        let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::fast());
        if encoder.write_all(body).is_ok() {
            if let Ok(compressed) = encoder.finish() {
                return ([json, (header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))], compressed).into_response();
            }
        }
    }
    ([json], body.to_vec()).into_response()
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    error: &'a str,
}

fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&ErrorJson { error: &problem.message }).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[derive(Deserialize)]
struct OpenRequest {
    file: String,
    #[serde(default)]
    line: i64,
    #[serde(default)]
    function: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OpenAnswer {
    opened: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// Whether the file can be shown in the page's source view instead.
    mapped: bool,
}

/// Opens a line through the host; says why when it cannot.
async fn open(State(app): State<App>, Json(request): Json<OpenRequest>) -> Response {
    let Some(data) = app.source.current() else { return problem_response(&Problem::nothing_loaded()) };
    let answer = match compute::open_target(&data, &request.file, request.line, request.function) {
        Err(reason) => OpenAnswer { opened: false, reason: Some(reason), mapped: false },
        Ok(target) => match app.source.open(target).await {
            Ok(()) => OpenAnswer { opened: true, reason: None, mapped: true },
            Err(reason) => OpenAnswer { opened: false, reason: Some(reason), mapped: true },
        },
    };
    Json(answer).into_response()
}
