//! The web view's HTTP layer, in process: a server on 127.0.0.1 with a test
//! host (`common::web`), spoken to over plain TCP so every header (Host
//! included) is ours. Expected values come from the goldens and from the
//! CLI's own reports.

mod common;

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use common::demo::{self, CATALOG, INIT_FUNCTION};
use common::web::Fixture;
use pprof_lsp::analysis::{self, Index};
use pprof_lsp::paths::{NoFiles, PathMapper};
use pprof_lsp::profile::{self, DecodeOptions, Profile};
use pprof_lsp::report;
use pprof_lsp::source::workspace::{self, ScanOptions};
use pprof_lsp::web::{Filters, Indexed, WebData, WebSource};
use serde_json::Value;

fn heap() -> Arc<Profile> {
    let bytes = common::read(&common::fixture("heap.pb.gz"));
    Arc::new(profile::decode(&bytes, &DecodeOptions::default()).unwrap())
}

/// The fixture heap profile, mapped onto the fixture program's sources
/// (and nothing else).
fn data(generation: u64, sample_type: &str) -> Arc<WebData> {
    let profile = heap();
    let index = Index::build(&profile);
    let options = ScanOptions { query_go_env: false, ..ScanOptions::default() };
    let mapper = PathMapper::new(workspace::scan(&[demo::goprog()], &options), Vec::new());
    let names: Vec<&str> = index.files().iter().map(String::as_str).collect();
    // Nothing outside the workspace exists, whatever this machine has.
    let files = Arc::new(mapper.map_all(&names, &NoFiles));
    Arc::new(WebData {
        generation,
        title: "heap.pb.gz".to_string(),
        sample_type: analysis::select(&profile, Some(sample_type)).unwrap(),
        profile: Arc::new(Indexed::new(profile, None, index)),
        unfiltered: None,
        filters: Filters::default(),
        files,
    })
}

/// The profile's name for the catalog file (a build-machine path).
fn catalog_file(d: &WebData) -> String {
    d.profile.index().files().iter().find(|f| f.ends_with(CATALOG)).unwrap().clone()
}

fn golden(name: &str) -> (i64, std::collections::BTreeMap<String, analysis::Cost>) {
    demo::function_golden(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_need_the_token_and_the_servers_own_host() {
    let f = Fixture::start(data(1, "inuse_space")).await;
    let port = f.addr.port();
    for path in ["/", "/app.js", "/app.css", "/api/state", "/api/flame", "/api/top", "/api/files"] {
        let ok = f.get(path, "").await;
        assert_eq!(ok.status, 200, "{path} with the token");
        let none = f.raw("GET", path.to_string(), f.host_header(), Vec::new(), Vec::new()).await;
        assert_eq!(none.status, 403, "{path} without the token");
        let wrong_token = format!("{}{}", if f.token.starts_with('0') { '1' } else { '0' }, &f.token[1..]);
        let wrong = f.raw("GET", format!("{path}?token={wrong_token}"), f.host_header(), Vec::new(), Vec::new()).await;
        assert_eq!(wrong.status, 403, "{path} with a wrong token");
        let rebound = f.raw("GET", format!("{path}?token={}", f.token), format!("attacker.example:{port}"), Vec::new(), Vec::new()).await;
        assert_eq!(rebound.status, 403, "{path} for a foreign host (DNS rebinding)");
        assert_eq!(ok.header("cache-control"), Some("no-store"));
        assert_eq!(ok.header("referrer-policy"), Some("no-referrer"));
    }
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let answer = f.raw("GET", format!("/api/state?token={}", f.token), host.clone(), Vec::new(), Vec::new()).await;
        assert_eq!(answer.status, 200, "Host {host}");
    }
    let open = f
        .raw("POST", "/api/open".into(), f.host_header(), vec![("Content-Type", "application/json")], b"{\"file\":\"x\"}".to_vec())
        .await;
    assert_eq!(open.status, 403, "api/open without the token");
    assert!(f.host.opened.lock().unwrap().is_empty());
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_ships_its_own_script_and_style_with_the_token() {
    let f = Fixture::start(data(1, "inuse_space")).await;
    let page = f.get("/", "").await;
    let html = String::from_utf8(page.body).unwrap();
    assert!(html.contains(&format!("app.js?token={}", f.token)) && html.contains(&format!("app.css?token={}", f.token)));
    assert!(!html.contains("http://") && !html.contains("https://"), "the page refers to nothing outside the server");
    let csp = page.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-security-policy")).map(|(_, v)| v.clone());
    assert!(csp.is_some_and(|c| c.contains("default-src 'none'") && c.contains("connect-src 'self'")));
    let script = String::from_utf8(f.get("/app.js", "").await.body).unwrap();
    assert!(!script.contains("http://") && !script.contains("https://"), "the script talks to no other server");
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flame_graph_has_pprofs_values() {
    let f = Fixture::start(data(1, "inuse_space")).await;
    let json = f.get("/api/flame", "").await.json();
    let (total, functions) = golden("heap.inuse_space.functions.top.txt");
    let n = json["name"].as_array().unwrap().len();
    for field in ["kids", "weight", "kind", "label", "line"] {
        assert_eq!(json[field].as_array().unwrap().len(), n, "{field} has one entry per frame");
    }
    let kids: u64 = json["kids"].as_array().unwrap().iter().map(|k| k.as_u64().unwrap()).sum();
    assert_eq!(kids as usize, n - 1, "every frame but the root is a child");
    assert_eq!(json["total"], total);
    assert_eq!(json["weight"][0], total, "the root holds the whole profile");
    let names: Vec<&str> = json["names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let frame = (0..n).find(|&i| names[json["name"][i].as_u64().unwrap() as usize] == INIT_FUNCTION).unwrap();
    let cum = functions[INIT_FUNCTION].cum;
    assert_eq!(json["weight"][frame], cum, "the init function's frame holds its cum");
    let label = json["label"][frame].as_str().unwrap();
    let ty = profile::ValueType::new("inuse_space", "bytes");
    let scale = report::labels::Scale::new(&ty, total);
    assert!(label.starts_with(&format!("{} ({})", scale.value(cum), scale.percent(cum))), "{label}");
    // Its line is the allocation, in a file that maps to the workspace.
    let line = json["lines"][json["line"][frame].as_u64().unwrap() as usize].clone();
    let file = &json["files"][line[0].as_u64().unwrap() as usize];
    assert!(file["file"].as_str().unwrap().ends_with(CATALOG));
    assert_eq!(file["mapped"], true);
    assert_eq!(line[1], demo::init_row());
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_url_chooses_the_sample_type_and_the_zoom() {
    let f = Fixture::start(data(1, "inuse_space")).await;
    let alloc = f.get("/api/flame", "si=alloc_space").await.json();
    assert_eq!(alloc["sampleType"], "alloc_space");
    assert_eq!(alloc["weight"][0], golden("heap.alloc_space.functions.top.txt").0);

    let unknown = f.get("/api/flame", "si=cpu").await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.json()["error"].as_str().unwrap().contains("alloc_space"), "the error lists the types");

    // Zoom into the init function through its callers, as the page does.
    let whole = f.get("/api/flame", "").await.json();
    let path = path_to(&whole, INIT_FUNCTION);
    let zoom = percent_encode(&serde_json::to_string(&path).unwrap());
    let zoomed = f.get("/api/flame", &format!("zoom={zoom}")).await.json();
    let root_name = &zoomed["names"][zoomed["name"][0].as_u64().unwrap() as usize];
    assert_eq!(root_name, INIT_FUNCTION);
    assert_eq!(zoomed["weight"][0], golden("heap.inuse_space.functions.top.txt").1[INIT_FUNCTION].cum);
    let ancestors: Vec<&str> = zoomed["ancestors"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(ancestors[0], "root");
    assert_eq!(ancestors[1..], path[..path.len() - 1].iter().map(String::as_str).collect::<Vec<_>>()[..]);

    let nowhere = f.get("/api/flame", &format!("zoom={}", percent_encode("[\"no.such.function\"]"))).await;
    assert_eq!(nowhere.status, 400);
    assert!(nowhere.json()["error"].as_str().unwrap().contains("no.such.function"));
    f.stop().await;
}

/// The names from the root down to the first frame named `name`.
fn path_to(json: &Value, name: &str) -> Vec<String> {
    let names: Vec<&str> = json["names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let kids: Vec<u64> = json["kids"].as_array().unwrap().iter().map(|k| k.as_u64().unwrap()).collect();
    // (frame, children left) of the frames open above the current one.
    let mut open: Vec<(usize, u64)> = Vec::new();
    for (i, &k) in kids.iter().enumerate() {
        if let Some(top) = open.last_mut() {
            top.1 -= 1;
        }
        let frame_name = names[json["name"][i].as_u64().unwrap() as usize];
        if frame_name == name {
            let mut path: Vec<String> = open.iter().skip(1).map(|(f, _)| names[json["name"][*f].as_u64().unwrap() as usize].to_string()).collect();
            path.push(name.to_string());
            return path;
        }
        open.push((i, k));
        while open.last().is_some_and(|(_, left)| *left == 0) {
            open.pop();
        }
    }
    panic!("no frame {name}");
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_top_table_is_the_clis() {
    let f = Fixture::start(data(1, "inuse_space")).await;
    let d = f.host.current().unwrap();
    let profiles = [d.profile.profile()];
    for (query, lines, by_cum) in [("", false, false), ("sort=cum", false, true), ("lines=1", true, false)] {
        let json = f.get("/api/top", query).await.json();
        let options = report::top::TopOptions {
            ranking: analysis::TopOptions { lines, by_cum, node_count: Some(500), ..Default::default() },
            unit: None,
            ..Default::default()
        };
        let cli = report::top::render(d.profile.index(), &profiles, d.sample_type, &options);
        let mut cli_lines = cli.lines();
        for header in json["header"].as_array().unwrap() {
            assert_eq!(Some(header.as_str().unwrap()), cli_lines.next(), "{query}");
        }
        let columns = cli_lines.next().unwrap();
        assert!(columns.trim_start().starts_with("flat"), "{columns}");
        let rows = json["rows"].as_array().unwrap();
        for (row, line) in rows.iter().zip(cli_lines.by_ref()) {
            let cells = ["flat", "flatPercent", "sumPercent", "cum", "cumPercent", "name"].map(|c| row[c].as_str().unwrap().to_string());
            let mark = row["mark"].as_str().map(|m| format!(" {m}")).unwrap_or_default();
            let expected = line.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(format!("{}{mark}", cells.join(" ")), expected, "{query}");
        }
        assert!(cli_lines.next().is_none(), "{query}: every row is on the page");
    }
    // A function's row opens at its hottest line; here the allocation.
    let json = f.get("/api/top", "").await.json();
    let first = &json["rows"][0];
    assert_eq!(first["name"], INIT_FUNCTION);
    assert_eq!(first["line"], demo::init_row());
    assert_eq!(first["mapped"], true);
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_sends_mapped_lines_to_the_host_and_says_why_not_otherwise() {
    let f = Fixture::start(data(1, "inuse_space")).await;
    let d = f.host.current().unwrap();
    let catalog = catalog_file(&d);
    let answer = f.open(&catalog, demo::init_row()).await;
    assert_eq!(answer["opened"], true, "{answer}");
    let opened = f.host.opened.lock().unwrap().clone();
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].profile_file, catalog);
    assert_eq!(opened[0].line, demo::init_row());
    assert_eq!(PathBuf::from(&opened[0].local_file), demo::goprog().join(CATALOG));

    let runtime_file = d.profile.index().files().iter().find(|f| f.ends_with("runtime/proc.go")).unwrap().clone();
    let answer = f.open(&runtime_file, 10).await;
    assert_eq!(answer["opened"], false);
    assert_eq!(answer["mapped"], false);
    let reason = answer["reason"].as_str().unwrap();
    assert!(reason.contains("runtime/proc.go") && reason.contains("matches no local file"), "{reason}");
    assert_eq!(f.host.opened.lock().unwrap().len(), 1, "nothing unmapped reaches the host");
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_source_view_has_each_lines_costs() {
    let f = Fixture::start(data(1, "inuse_space")).await;
    let catalog = catalog_file(&f.host.current().unwrap());
    let json = f.get("/api/source", &format!("file={}", percent_encode(&catalog))).await.json();
    let line = &json["lines"][demo::init_line() as usize];
    assert!(line["text"].as_str().unwrap().contains("table = make([]Entry, Size)"));
    let expected = demo::inuse("heap").cost(CATALOG, demo::init_row());
    let ty = profile::ValueType::new("inuse_space", "bytes");
    let scale = report::labels::Scale::new(&ty, 1);
    assert_eq!(line["flat"], scale.value(expected.flat));
    assert_eq!(line["cum"], scale.value(expected.cum));
    assert_eq!(line["heat"], 5, "the file's hottest line");
    let files = f.get("/api/files", "").await.json();
    let first = &files[0];
    assert_eq!(first["file"], catalog.as_str(), "the file with most flat comes first");
    assert!(first["local"].as_str().unwrap().ends_with(CATALOG));
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_follows_the_hosts_generation_and_choices() {
    let f = Fixture::start(data(1, "inuse_space")).await;
    let state = f.get("/api/state", "").await.json();
    assert_eq!((state["generation"].clone(), state["sampleType"].clone()), (1.into(), "inuse_space".into()));
    assert_eq!(state["editor"], "Test editor");
    assert_eq!(f.get("/api/flame", "").await.json()["sampleType"], "inuse_space");
    *f.host.data.lock().unwrap() = data(2, "alloc_objects");
    let state = f.get("/api/state", "").await.json();
    assert_eq!((state["generation"].clone(), state["sampleType"].clone()), (2.into(), "alloc_objects".into()));
    let flame = f.get("/api/flame", "").await.json();
    assert_eq!(flame["sampleType"], "alloc_objects", "without si the host's type");
    assert_eq!(flame["weight"][0], golden("heap.alloc_objects.functions.top.txt").0);
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_answers_are_gzipped_when_the_browser_takes_gzip() {
    let f = Fixture::start(data(1, "inuse_space")).await;
    let plain = f.get("/api/flame", "").await;
    let target = format!("/api/flame?token={}", f.token);
    let zipped = f.raw("GET", target, f.host_header(), vec![("Accept-Encoding", "gzip, deflate")], Vec::new()).await;
    assert_eq!(zipped.header("content-encoding"), Some("gzip"));
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&zipped.body[..]).read_to_end(&mut inflated).unwrap();
    assert_eq!(inflated, plain.body);
    assert!(zipped.body.len() < plain.body.len());
    f.stop().await;
}

async fn top_lines(f: &Fixture, query: &str) -> Vec<String> {
    common::http::page_top_lines(&f.get("/api/top", query).await.json())
}

fn golden_lines(name: &str) -> Vec<String> {
    common::http::golden_table_lines(name)
}

/// pprof's filters in the URL: the `top` table is pprof's with the same
/// flag (header and "Active filters" included), the flame graph holds only
/// what the filter keeps, and a bad one is answered with why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_in_the_url_give_pprofs_filtered_views() {
    let f = Fixture::start(data(1, "inuse_space")).await;
    for (query, golden_name) in [
        ("focus=catalog", "heap.inuse_space.functions.default.focus=catalog.top.txt"),
        ("f=catalog", "heap.inuse_space.functions.default.focus=catalog.top.txt"),
        ("hide=runtime", "heap.inuse_space.functions.default.hide=runtime.top.txt"),
        ("ignore=catalog", "heap.inuse_space.functions.default.ignore=catalog.top.txt"),
        ("tagfocus=bytes%3D1kb%3A", "heap.inuse_space.functions.default.tagfocus=bytes-from-1kb.top.txt"),
        ("focus=catalog&lines=1", "heap.inuse_space.lines.default.focus=catalog.top.txt"),
    ] {
        assert_eq!(top_lines(&f, query).await, golden_lines(golden_name), "{query}");
    }
    let (_, focused) = golden("heap.inuse_space.functions.focus=catalog.top.txt");
    let flame = f.get("/api/flame", "focus=catalog").await.json();
    assert_eq!(flame["weight"][0], focused[INIT_FUNCTION].cum, "the root holds what the focus keeps");
    let all = f.get("/api/flame", "").await.json();
    assert!(flame["name"].as_array().unwrap().len() < all["name"].as_array().unwrap().len());

    for endpoint in ["/api/flame", "/api/top"] {
        let answer = f.get(endpoint, "focus=%28catalog").await;
        assert_eq!(answer.status, 400, "{endpoint}");
        let error = answer.json()["error"].as_str().unwrap().to_string();
        assert!(error.starts_with("focus:") && error.contains("(catalog"), "{error}");
    }
    // An empty filter is no filter.
    assert_eq!(f.get("/api/flame", "focus=").await.json()["weight"][0], all["weight"][0]);
    f.stop().await;
}

/// A host showing a filtered profile: the page shows it by default, and a
/// URL's own filters start again from the unfiltered one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hosts_filters_are_the_default_and_a_url_replaces_them() {
    let plain = data(1, "inuse_space");
    let filters = Filters { focus: Some("catalog".into()), ..Filters::default() };
    let filtered = pprof_lsp::web::apply_filters(plain.profile.as_ref(), &filters).unwrap();
    let host_data = Arc::new(WebData {
        generation: 1,
        title: plain.title.clone(),
        sample_type: plain.sample_type,
        profile: Arc::new(filtered),
        unfiltered: Some(plain.profile.clone()),
        filters: filters.clone(),
        files: plain.files.clone(),
    });
    let f = Fixture::start(host_data).await;
    assert_eq!(f.get("/api/state", "").await.json()["filters"], serde_json::json!({"focus": "catalog"}));
    assert_eq!(top_lines(&f, "").await, golden_lines("heap.inuse_space.functions.default.focus=catalog.top.txt"));
    assert_eq!(top_lines(&f, "hide=runtime").await, golden_lines("heap.inuse_space.functions.default.hide=runtime.top.txt"));
    assert_eq!(top_lines(&f, "focus=").await, golden_lines("heap.inuse_space.functions.default.top.txt"), "an empty filter clears the host's");
    f.stop().await;
}

#[test]
fn the_flame_command_writes_an_svg_with_the_init_frame() {
    let dir = std::env::temp_dir().join(format!("pprof-lsp-flame-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("flame.svg");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_pprof-lsp"))
        .args(["flame", common::fixture("heap.pb.gz").to_str().unwrap(), "-o", out.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let svg = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let (total, functions) = golden("heap.inuse_space.functions.top.txt");
    let cum = functions[INIT_FUNCTION].cum;
    // inferno's tooltip: `name (1,234 bytes, 12.34%)`.
    let grouped = cum.to_string().as_bytes().rchunks(3).rev().map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(",");
    let share = format!("{:.2}%", 100.0 * cum as f64 / total as f64);
    let title = format!("<title>{INIT_FUNCTION} ({grouped} bytes, {share})</title>");
    assert!(svg.contains(&title), "no {title} in the SVG");
}
