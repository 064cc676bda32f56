//! One filter, every path: for the same filter case, the CLI's `top` and
//! the web view's `top` table show pprof's rows and pprof's notes (what it
//! prints on stderr), checked by the shared expectations of
//! `common::filter_paths`. Tests are named `<path>_top_<case>`: the CLI,
//! the web view and the server's `pprof.top` (`lsp_top_<case>`, with the
//! notes of its status), all through `analysis::filter::filter_profiles`.

mod common;
mod lsp_support;

use std::process::Command;
use std::sync::Arc;

use common::filter_paths::{self, assert_default_table, assert_exact_rows, assert_notes, DROPS_EVERYTHING, DROPS_PART_OF_A_BASE};
use common::web::Fixture;
use common::{http, parse_top, read, Variant};
use pprof_lsp::analysis::{self, Index};
use pprof_lsp::paths::{MappedFiles, NoFiles, PathMapper, Workspace};
use pprof_lsp::profile::{decode, DecodeOptions};
use pprof_lsp::web::{apply_filters, Filters, Indexed, IndexedProfile, WebData};

/// `pprof-lsp top` for filter case `case` with the flags of a golden
/// variant: (stdout, stderr lines).
fn cli_top(case: &str, lines: bool, variant: Variant) -> (String, Vec<String>) {
    let c = filter_paths::case(case);
    let (profile, base) = filter_paths::profiles(case);
    let decoded = decode(&read(&profile), &DecodeOptions::default()).unwrap();
    let unit = &decoded.sample_types.iter().find(|t| t.name == c.sample_type).unwrap().unit;
    let mut args: Vec<String> = vec!["top".into(), "--sample-index".into(), c.sample_type.clone()];
    if lines {
        args.push("--lines".into());
    }
    args.extend(variant.cli_args(unit));
    args.extend(c.cli_args());
    if let Some(base) = base {
        args.extend(["--diff-base".into(), base.to_string_lossy().into_owned()]);
    }
    args.push(profile.to_string_lossy().into_owned());
    let out = Command::new(env!("CARGO_BIN_EXE_pprof-lsp")).args(&args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{args:?}: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr.lines().map(str::to_string).collect())
}

/// The CLI's table with pprof's defaults, its notes, and its rows with
/// exact values, at both granularities.
fn check_cli(case: &str) {
    for lines in [false, true] {
        let (out, notes) = cli_top(case, lines, Variant::Default);
        assert_default_table("cli", case, lines, &http::top_text_lines(&out));
        assert_notes("cli", case, &notes);
        let (out, notes) = cli_top(case, lines, Variant::Full);
        let parsed = parse_top(&out);
        let rows: Vec<(String, i64, i64)> = parsed.order.iter().map(|n| (n.clone(), parsed.rows[n].flat, parsed.rows[n].cum)).collect();
        assert_exact_rows("cli", case, lines, &rows);
        assert_notes("cli", case, &notes);
    }
}

/// The unfiltered profile (less its base) of filter case `case`, as a host
/// hands it to the web view, with `filters` applied by the host.
fn web_data(case: &str, filters: &Filters) -> Arc<WebData> {
    let c = filter_paths::case(case);
    let load = |path: &std::path::Path| Arc::new(decode(&read(path), &DecodeOptions::default()).unwrap());
    let (profile, base) = filter_paths::profiles(case);
    let (profile, base) = (load(&profile), base.as_deref().map(load));
    let index = match &base {
        Some(b) => Index::build_diff(&profile, b).unwrap(),
        None => Index::build(&profile),
    };
    let sample_type = analysis::select(&profile, Some(&c.sample_type)).unwrap();
    let raw: Arc<dyn IndexedProfile> = Arc::new(Indexed::new(profile, base, index));
    let names: Vec<&str> = raw.index().files().iter().map(String::as_str).collect();
    let files: Arc<MappedFiles> = Arc::new(PathMapper::new(Workspace::default(), Vec::new()).map_all(&names, &NoFiles));
    let (profile, unfiltered) = if filters.is_empty() {
        (raw, None)
    } else {
        (Arc::new(apply_filters(raw.as_ref(), filters).unwrap()) as Arc<dyn IndexedProfile>, Some(raw))
    };
    Arc::new(WebData { generation: 1, title: case.to_string(), profile, unfiltered, sample_type, filters: filters.clone(), files })
}

/// The case's filters as URL parameters.
fn query(case: &str) -> String {
    let encode = |text: &str| -> String {
        text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
    };
    filter_paths::case(case).flags.iter().map(|(name, value)| format!("{name}={}", encode(value))).collect::<Vec<_>>().join("&")
}

/// The notes of an `api/top` answer.
fn page_notes(json: &serde_json::Value) -> Vec<String> {
    json["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect()
}

/// The web view's `top` table and its notes, at both granularities, with
/// the filters in the page's URL and with the filters set by the host.
async fn check_web(case: &str) {
    let by_url = Fixture::start(web_data(case, &Filters::default())).await;
    let by_host = Fixture::start(web_data(case, &filter_paths::case(case).filters())).await;
    for lines in [false, true] {
        let granularity = if lines { "lines=1" } else { "lines=0" };
        for (f, query) in [(&by_url, format!("{}&{granularity}", query(case))), (&by_host, granularity.to_string())] {
            let answer = f.get("/api/top", &query).await;
            assert_eq!(answer.status, 200, "{query}: {}", String::from_utf8_lossy(&answer.body));
            let json = answer.json();
            assert_default_table("web", case, lines, &http::page_top_lines(&json));
            assert_notes("web", case, &page_notes(&json));
        }
    }
    by_url.stop().await;
    by_host.stop().await;
}

#[test]
fn cli_top_when_filters_drop_everything() {
    check_cli(DROPS_EVERYTHING);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_top_when_filters_drop_everything() {
    check_web(DROPS_EVERYTHING).await;
}

/// The server with filter case `case` in its settings (and the case's base
/// as `diffBase`): `pprof.top` ranks pprof's rows with exact values, and
/// the status's `filterNotes` are pprof's stderr lines.
async fn check_lsp(case: &str) {
    let c = filter_paths::case(case);
    let (profile, base) = filter_paths::profiles(case);
    let mut settings = serde_json::json!({
        "profiles": [profile],
        "sampleType": c.sample_type,
        "watch": false,
        "filters": c.filters(),
    });
    if let Some(base) = base {
        settings["diffBase"] = serde_json::json!(base);
    }
    let client = lsp_support::Client::start();
    client.initialize(&common::demo::goprog(), settings, lsp_support::full_capabilities()).await;
    let mark = client.mark();
    client.initialized();
    client.wait_loaded_after(mark).await;
    let status = client.status().await;
    assert_eq!(status["sampleType"], c.sample_type.as_str(), "{status}");
    let rows = client.command_ok("pprof.top", serde_json::json!({ "n": 100000, "by": "flat" })).await;
    let rows: Vec<(String, i64, i64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let function = analysis::names::display_name(r["function"].as_str().unwrap());
            (format!("{function} {}:{}", r["file"].as_str().unwrap_or(""), r["line"]), r["flat"].as_i64().unwrap(), r["cum"].as_i64().unwrap())
        })
        .collect();
    assert_exact_rows("lsp", case, true, &rows);
    let notes: Vec<String> =
        status["filterNotes"].as_array().map(|n| n.iter().map(|v| v.as_str().unwrap().to_string()).collect()).unwrap_or_default();
    assert_notes("lsp", case, &notes);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lsp_top_when_filters_drop_everything() {
    check_lsp(DROPS_EVERYTHING).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lsp_top_when_filters_drop_part_of_a_diff_base() {
    check_lsp(DROPS_PART_OF_A_BASE).await;
}

#[test]
fn cli_top_when_filters_drop_part_of_a_diff_base() {
    check_cli(DROPS_PART_OF_A_BASE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_top_when_filters_drop_part_of_a_diff_base() {
    check_web(DROPS_PART_OF_A_BASE).await;
}

/// The two cases do what the tests' names say: one leaves pprof's table
/// without rows, the other keeps some but not all of the base's samples.
#[test]
fn the_cases_drop_what_their_names_say() {
    let everything = filter_paths::golden(DROPS_EVERYTHING, true, Variant::Full);
    assert!(parse_top(&String::from_utf8(read(&everything.path)).unwrap()).order.is_empty(), "{}", everything.name());

    let (profile, base) = filter_paths::profiles(DROPS_PART_OF_A_BASE);
    let load = |path: &std::path::Path| decode(&read(path), &DecodeOptions::default()).unwrap();
    let (profile, base) = (load(&profile), load(&base.expect("a diff")));
    let filter = analysis::filter::Filter::new(&filter_paths::case(DROPS_PART_OF_A_BASE).filters(), &[&profile, &base]).unwrap();
    let kept = filter.apply_base(&base).profile.samples.len();
    assert!(kept > 0 && kept < base.samples.len(), "{kept} of {} base samples kept", base.samples.len());
}

/// Every filter case of `tests/fixtures/filters.txt`: the CLI prints on
/// stderr what pprof printed.
#[test]
fn cli_notes_for_every_filter_case() {
    for case in common::filter_cases() {
        let (_, notes) = cli_top(&case.name, false, Variant::Default);
        assert_notes("cli", &case.name, &notes);
    }
}

/// Every filter case: the web view's `top` carries what pprof printed on
/// stderr.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_notes_for_every_filter_case() {
    for case in common::filter_cases() {
        let f = Fixture::start(web_data(&case.name, &Filters::default())).await;
        let json = f.get("/api/top", &query(&case.name)).await.json();
        assert_notes("web", &case.name, &page_notes(&json));
        f.stop().await;
    }
}
