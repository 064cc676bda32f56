//! Several sources as one profile in the language server: a `profiles`
//! entry `{"name", "merge": [...]}` of fixture files (the numbers are
//! pprof's for `go tool pprof A B C`), and of three live replicas of the
//! leaking service, each leaking at its own known rate.

mod common;
mod lsp_support;

use std::time::Duration;

use serde_json::{json, Value};

use common::demo::{goprog, CATALOG};
use common::fleet::{Request, Response, Server};
use common::live::Service;
use lsp_support::{full_capabilities, top_rows, Client, TempDir};
use pprof_lsp::report::growth::GrowthReport;

const MIB: f64 = 1048576.0;

async fn start_with(root: &std::path::Path, options: Value) -> Client {
    let c = Client::start();
    c.initialize(root, options, full_capabilities()).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    c
}

async fn hover_text(c: &Client, uri: &str, line: i64) -> String {
    let hover =
        c.ok("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": { "line": line - 1, "character": 0 } })).await;
    hover["contents"]["value"].as_str().unwrap_or_default().to_string()
}

/// The `- replica NAME: VALUE (P %)` rows of a hover, in order.
fn source_rows(hover: &str, noun: &str) -> Vec<(String, f64)> {
    let prefix = format!("- {noun} ");
    hover
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|rest| {
            let (name, value) = rest.split_once(": ").unwrap();
            let percent = value.rsplit_once('(').unwrap().1.trim_end_matches(" %)").parse().unwrap();
            (name.to_string(), percent)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merged_entry_is_the_profile_pprof_merges() {
    let dir = TempDir::new("fleet-files");
    for name in ["heap.pb.gz", "heap2.pb.gz", "allocs.pb.gz"] {
        std::fs::copy(lsp_support::profile(name), dir.path().join(name)).unwrap();
    }
    let merge: Vec<_> = ["heap.pb.gz", "heap2.pb.gz", "allocs.pb.gz"].iter().map(|n| dir.path().join(n)).collect();
    let c = start_with(&goprog(), json!({ "profiles": [{ "name": "three heaps", "merge": merge }], "sampleType": "inuse_space", "watch": false })).await;
    let status = c.status().await;
    assert_eq!(status["name"], "three heaps");
    let summary = status["summary"].as_str().unwrap();
    assert!(summary.starts_with("three heaps · inuse_space ") && summary.contains(" · 3 profiles"), "{summary}");
    assert_eq!(status["sources"], "3 profiles", "the sources alone, for a status bar that cuts the summary");
    // pprof's numbers for `go tool pprof heap.pb.gz heap2.pb.gz allocs.pb.gz`.
    let (total, rows) = common::golden_rows("heap+heap2+allocs.inuse_space.lines.top.txt");
    assert_eq!(status["total"], total);
    assert_eq!(top_rows(&c).await, rows);

    // The hover on the catalog line has a row per profile, which add up.
    let catalog = c.open(&goprog().join(CATALOG));
    let hover = hover_text(&c, &catalog, common::demo::init_line() as i64 + 1).await;
    assert!(hover.contains("**By profile (flat of this line)**"), "{hover}");
    let rows = source_rows(&hover, "profile");
    let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(rows.len(), 3, "{hover}");
    assert!(names.contains(&"heap.pb.gz") && names.contains(&"heap2.pb.gz") && names.contains(&"allocs.pb.gz"), "{names:?}");
    let sum: f64 = rows.iter().map(|(_, p)| p).sum();
    assert!((sum - 100.0).abs() <= 1.5, "shares of one line add up to its value: {rows:?}");
    assert!(rows.windows(2).all(|w| w[0].1 >= w[1].1), "largest first: {rows:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_that_cannot_be_read_is_left_out_and_named() {
    let missing = std::env::temp_dir().join("pprof-lsp-fleet-missing/heap.pb.gz");
    let merge = json!([lsp_support::profile("heap.pb.gz"), missing, lsp_support::profile("heap2.pb.gz")]);
    let c = start_with(&goprog(), json!({ "profiles": [{ "name": "two of three", "merge": merge }], "watch": false })).await;
    let status = c.status().await;
    let summary = status["summary"].as_str().unwrap();
    assert!(summary.contains(" · 2 of 3 profiles"), "{summary}");
    let detail = status["detail"].as_str().unwrap();
    assert!(detail.contains(&format!("left out of the merge: {}: no such file", missing.display())), "{detail}");
    let total = |golden: &str| common::golden_rows(golden).0;
    assert_eq!(status["total"], total("heap.inuse_space.lines.top.txt") + total("heap2.inuse_space.lines.top.txt"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_of_different_sample_types_do_not_merge_and_the_error_names_them() {
    let merge = json!([lsp_support::profile("heap.pb.gz"), lsp_support::profile("cpu.pb.gz")]);
    let c = Client::start();
    c.initialize(&goprog(), json!({ "profiles": [{ "name": "mixed", "merge": merge }], "watch": false }), full_capabilities()).await;
    c.initialized();
    let status = c
        .eventually("the load fails", Duration::from_secs(20), || async {
            let s = c.status().await;
            (s["state"] == "failed").then_some(s)
        })
        .await;
    let error = status["error"].as_str().unwrap();
    assert!(error.starts_with("mixed: cannot merge "), "{error}");
    assert!(error.contains("alloc_objects") && error.contains("samples"), "names the sample types: {error}");
}

// ---------------------------------------------------------- three live replicas

fn heap_url(service: &Service) -> String {
    format!("http://{}/debug/pprof/heap", service.addr)
}

async fn growth(c: &Client) -> GrowthReport {
    serde_json::from_value(c.command_ok("pprof.growth", Value::Null).await).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_grow_at_the_sum_of_their_rates_and_one_going_down_keeps_the_history() {
    let Some(bin) = common::live::leaky_bin() else { return };
    let workspace = TempDir::new("fleet-ws");
    lsp_support::copy_dir(&common::root().join("tests/fixtures/leaky"), workspace.path());
    // 1, 2 and 3 MiB every 400 ms: 150, 300 and 450 MiB a minute.
    let sizes = [1u64 << 20, 2 << 20, 3 << 20];
    let rate = |size: u64| size as f64 * 60.0 / 0.4;
    let mut services: Vec<Option<Service>> = sizes
        .iter()
        .map(|size| Some(Service::start(&bin, &["-leak-size", &size.to_string(), "-leak-every", "400ms", "-lifetime", "3m"])))
        .collect();
    let urls: Vec<String> = services.iter().flatten().map(heap_url).collect();
    let names: Vec<String> = services.iter().flatten().map(|s| s.addr.clone()).collect();
    let c = Client::start();
    let settings = json!({ "profiles": [{ "name": "leaky (3 replicas)", "merge": urls }], "refreshSeconds": 2 });
    c.initialize(workspace.path(), settings, full_capabilities()).await;
    c.initialized();
    let report = c
        .eventually("seven snapshots of each replica", Duration::from_secs(90), || async {
            let g: GrowthReport = serde_json::from_value(c.command("pprof.growth", Value::Null).await.ok()?).ok()?;
            (g.snapshots >= 7).then_some(g)
        })
        .await;
    let status = c.status().await;
    assert!(status["summary"].as_str().unwrap().contains("live · 3 replicas · "), "{status}");
    assert_eq!(status["sources"], "3 replicas");

    let leak = common::live::marker_line("leaky", "leak");
    let top = &report.rows[0];
    assert_eq!((top.line, top.function.as_str()), (leak, "main.leakOnce"), "the leak line first");
    let known: f64 = sizes.iter().map(|&s| rate(s)).sum();
    let ratio = top.flat_per_minute / known;
    eprintln!("fleet: leak {:.1} MiB/min over {} snapshots (known {:.1}, ratio {ratio:.3})", top.flat_per_minute / MIB, report.snapshots, known / MIB);
    assert!((ratio - 1.0).abs() <= 0.35, "the fleet's leak grows {ratio:.3} times the sum of the rates");

    // The hover names the replica that holds most of the line: the one
    // that leaks fastest.
    let main_go = c.open(&workspace.path().join("main.go"));
    let hover = hover_text(&c, &main_go, leak).await;
    let rows = source_rows(&hover, "replica");
    eprintln!("fleet: hover rows {rows:?}");
    assert_eq!(rows.len(), 3, "{hover}");
    assert_eq!(rows[0].0, names[2], "the largest share first: {rows:?}");
    assert!(rows[0].1 > rows[1].1 && rows[1].1 > rows[2].1, "{rows:?}");

    // The fastest replica goes down: `2 of 3`, the history stays, and once
    // it has dropped out of the merge the growth is the other two's.
    services[2].take();
    let status = c
        .eventually("2 of 3 replicas", Duration::from_secs(30), || async {
            let s = c.status().await;
            s["summary"].as_str().unwrap().contains("2 of 3 replicas").then_some(s)
        })
        .await;
    let summary = status["summary"].as_str().unwrap();
    assert!(summary.contains(&format!("{} down since ", names[2])), "{summary}");
    let after = growth(&c).await;
    assert!(after.snapshots >= report.snapshots, "the growth history is kept: {} then {}", report.snapshots, after.snapshots);
    c.eventually("the replica drops out of the merge", Duration::from_secs(40), || async {
        (source_rows(&hover_text(&c, &main_go, leak).await, "replica").len() == 2).then_some(())
    })
    .await;
    let remaining: f64 = sizes[..2].iter().map(|&s| rate(s)).sum();
    let after = growth(&c).await;
    let top = after.rows.iter().find(|r| r.line == leak).unwrap();
    let ratio = top.flat_per_minute / remaining;
    eprintln!("fleet: after one replica went down, leak {:.1} MiB/min (known {:.1}, ratio {ratio:.3})", top.flat_per_minute / MIB, remaining / MIB);
    assert!((ratio - 1.0).abs() <= 0.35, "the two replicas left grow {ratio:.3} times their rates");
    c.shutdown().await;
    drop(services);
}

// ---------------------------------------------------------- a Pyroscope source

const HEAP_TYPE: &str = "memory:inuse_space:bytes:space:bytes";

/// A Pyroscope querier (built from the generated API types) holding
/// `profile` under the heap type for `{service_name="checkout"}`, whose
/// profiles carry `git_ref` as their `service_git_ref` label.
fn pyroscope(profile: &std::path::Path, git_ref: &str) -> impl Fn(&Request) -> Response + Send + 'static {
    use pprof_lsp::source::fleet::api::pyroscope::{google::v1 as google, querier::v1 as querier, types::v1 as types};
    use prost::Message;
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&common::read(profile)[..]), &mut plain).unwrap();
    let profile = google::Profile::decode(&plain[..]).unwrap();
    let git_ref = git_ref.to_string();
    move |r: &Request| match r.path.rsplit('/').next().unwrap_or("") {
        "SelectMergeProfile" => {
            let q: querier::SelectMergeProfileRequest = r.connect();
            let matches = q.profile_type_id == HEAP_TYPE && q.label_selector == r#"{service_name="checkout"}"#;
            Response::connect(&if matches { profile.clone() } else { google::Profile::default() })
        }
        "ProfileTypes" => Response::connect(&querier::ProfileTypesResponse {
            profile_types: vec![types::ProfileType { id: HEAP_TYPE.into(), ..Default::default() }],
        }),
        "LabelNames" => Response::connect(&types::LabelNamesResponse { names: vec!["service_name".into(), "service_git_ref".into()] }),
        "LabelValues" => {
            let q: types::LabelValuesRequest = r.connect();
            let names = match q.name.as_str() {
                "service_name" => vec!["checkout".to_string()],
                "service_git_ref" => vec![git_ref.clone()],
                _ => Vec::new(),
            };
            Response::connect(&types::LabelValuesResponse { names })
        }
        _ => Response::plain("404 Not Found", "404 page not found\n"),
    }
}

fn pyroscope_entry(url: &str, profile_type: &str) -> Value {
    json!({ "pyroscope": url, "query": "{service_name=\"checkout\"}", "profileType": profile_type, "range": "1h" })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pyroscope_entry_shows_the_query_and_is_described() {
    let server = Server::start(40, pyroscope(&lsp_support::profile("heap.pb.gz"), "not-a-revision"));
    let c = start_with(&goprog(), json!({ "profiles": [pyroscope_entry(&server.url, HEAP_TYPE)], "watch": false })).await;
    let status = c.status().await;
    let summary = status["summary"].as_str().unwrap();
    assert!(summary.contains(" · pyroscope · checkout · inuse_space · last 1h"), "{summary}");
    // The profile is the served one, with pprof's numbers.
    let (total, rows) = common::golden_rows("heap.inuse_space.lines.top.txt");
    assert_eq!(status["total"], total);
    assert_eq!(top_rows(&c).await, rows);

    let described = c.command_ok("pprof.fleet.describe", json!({ "source": { "pyroscope": server.url } })).await;
    assert_eq!(described["profileTypes"], json!([HEAP_TYPE]));
    let labels = described["labels"].as_array().unwrap();
    assert!(labels.iter().any(|l| l["name"] == "service_name" && l["values"] == json!(["checkout"])), "{described}");

    // A type the server does not hold: the error lists those it does, and
    // what was shown stays.
    let wrong = pyroscope_entry(&server.url, "memory:alloc_space:bytes:space:bytes");
    let err = c.command("pprof.load", json!({ "fleet": wrong })).await.unwrap_err();
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("unknown profile type") && message.contains(HEAP_TYPE), "{message}");
    assert_eq!(c.status().await["total"], total, "the loaded profile stays");
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_git_ref_label_is_the_profiles_revision() {
    let Some(repo) = common::revision_repo::RevisionRepo::build() else { return };
    // Neither a setting nor the binary: only the label can say.
    std::fs::remove_file(&repo.binary).unwrap();
    let server = Server::start(40, pyroscope(&repo.profile, &repo.rev_a));
    let c = start_with(&repo.dir, lsp_support::hermetic(json!({ "profiles": [pyroscope_entry(&server.url, HEAP_TYPE)] }))).await;
    let status = c.status().await;
    assert_eq!(status["revision"]["sha"], repo.rev_a, "{status}");
    assert_eq!(status["revision"]["source"], "label");
    assert!(status["detail"].as_str().unwrap().contains("the profiles' service_git_ref label"), "{status}");
    // A line moved since the revision carries its cost where it is now.
    let l = &repo.lines;
    let store = c.open(&repo.path(&l.moved.file));
    let hinted: Vec<i64> = c.hints(&store).await.iter().map(|h| h["position"]["line"].as_i64().unwrap() + 1).collect();
    assert!(hinted.contains(&l.moved.b), "the moved line's hint is at {}: {hinted:?}", l.moved.b);
    c.shutdown().await;
}

/// With `refreshSeconds`, a continuous profiler's window slides with each
/// query and growth is taken across the windows: here each answer holds
/// the fixture's values times the number of the query, a second apart, so
/// every line grows by its fixture value each second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pyroscope_source_is_queried_again_and_grows_across_windows() {
    use pprof_lsp::source::fleet::api::pyroscope::{google::v1 as google, querier::v1 as querier};
    use prost::Message;
    use std::sync::atomic::{AtomicI64, Ordering};
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&common::read(&lsp_support::profile("heap.pb.gz"))[..]), &mut plain)
        .unwrap();
    let profile = google::Profile::decode(&plain[..]).unwrap();
    let queries = std::sync::Arc::new(AtomicI64::new(0));
    let counted = queries.clone();
    let windows = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = windows.clone();
    let server = Server::start(30, move |r: &Request| {
        if !r.path.ends_with("/SelectMergeProfile") {
            return Response::plain("404 Not Found", "404 page not found\n");
        }
        let q: querier::SelectMergeProfileRequest = r.connect();
        seen.lock().unwrap().push((q.start, q.end));
        let n = counted.fetch_add(1, Ordering::SeqCst) + 1;
        let mut scaled = profile.clone();
        for s in &mut scaled.sample {
            for v in &mut s.value {
                *v *= n;
            }
        }
        Response::connect(&scaled)
    });
    let mut entry = pyroscope_entry(&server.url, HEAP_TYPE);
    entry["refreshSeconds"] = json!(1);
    entry["range"] = json!("15m");
    let c = Client::start();
    c.initialize(&goprog(), json!({ "profiles": [entry], "refreshSeconds": 0, "watch": false }), full_capabilities()).await;
    c.initialized();
    let report = c
        .eventually("four windows", Duration::from_secs(30), || async {
            let g: GrowthReport = serde_json::from_value(c.command("pprof.growth", Value::Null).await.ok()?).ok()?;
            (g.snapshots >= 4).then_some(g)
        })
        .await;
    // The catalog line: its fixture value, times 60 a minute.
    let (_, rows) = common::golden_rows("heap.inuse_space.lines.top.txt");
    let line = common::demo::init_line() as i64 + 1;
    let row = report.rows.iter().find(|r| r.line == line && r.file.ends_with("catalog.go")).expect("the catalog line grows");
    let fixture = rows.iter().find(|(k, _)| k.ends_with(&format!("catalog.go:{line}"))).map(|(_, v)| v.0).unwrap();
    let ratio = row.flat_per_minute / (fixture as f64 * 60.0);
    eprintln!("pyroscope windows: {} snapshots over {:.1} s, catalog line ratio {ratio:.3}", report.snapshots, report.seconds);
    assert!((ratio - 1.0).abs() <= 0.35, "grows {ratio:.3} times its rate");
    // Each query asked for the 15 minutes up to its own time.
    let windows = windows.lock().unwrap().clone();
    assert!(windows.len() >= 4, "{windows:?}");
    assert!(windows.iter().all(|(start, end)| end - start == 15 * 60 * 1000), "{windows:?}");
    assert!(windows.windows(2).all(|w| w[1].1 > w[0].1), "the window slides: {windows:?}");
    c.shutdown().await;
}
