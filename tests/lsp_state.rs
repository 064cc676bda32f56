//! The server's state under pressure, in-process over JSON-RPC: loads,
//! reloads and sample-type switches racing with requests; settings changes
//! that touch several things at once. Expected values come from the
//! `go tool pprof` goldens.

mod common;
mod lsp_support;

use std::collections::BTreeMap;
use std::io::Write;

use common::demo::{goprog, init_line, init_row, line_golden, CATALOG};
use lsp_support::*;
use pprof_lsp::profile::{decode, encode, DecodeOptions, Profile, ValueType};
use pprof_lsp::analysis::Cost;
use pprof_lsp::report::labels;
use pprof_lsp::analysis::names::display_name;
use serde_json::{json, Value};

/// A golden's total.
fn total(name: &str) -> i64 {
    line_golden(name).total
}

/// What a sample type of one of the two profiles must show.
#[derive(Clone, Debug)]
struct Truth {
    unit: &'static str,
    total: i64,
    /// The hint on the catalog line, if the profile has that line.
    hint: Option<String>,
}

/// heap.pb.gz with two more sample types (3 × alloc_objects and
/// 2 × inuse_space), written gzipped to `path`; and what each type shows.
fn six_types(path: &std::path::Path) -> BTreeMap<String, Truth> {
    let heap = decode(&std::fs::read(profile("heap.pb.gz")).unwrap(), &DecodeOptions::default()).unwrap();
    let mut six = Profile { samples: Vec::new(), sample_locations: Vec::new(), sample_values: Vec::new(), sample_labels: Vec::new(), ..heap.clone() };
    six.sample_types.push(ValueType::new("extra_objects", "count"));
    six.sample_types.push(ValueType::new("extra_space", "bytes"));
    for s in heap.iter_samples() {
        let mut values = s.values.to_vec();
        values.push(s.values[0] * 3);
        values.push(s.values[3] * 2);
        six.push_sample(s.locations, &values, s.labels.iter().cloned());
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&encode(&six)).unwrap();
    std::fs::write(path, gz.finish().unwrap()).unwrap();

    let mut truth = BTreeMap::new();
    for (name, unit, golden_type, scale) in [
        ("alloc_objects", "count", "alloc_objects", 1),
        ("alloc_space", "bytes", "alloc_space", 1),
        ("inuse_objects", "count", "inuse_objects", 1),
        ("inuse_space", "bytes", "inuse_space", 1),
        ("extra_objects", "count", "alloc_objects", 3),
        ("extra_space", "bytes", "inuse_space", 2),
    ] {
        let golden = line_golden(&format!("heap.{golden_type}.lines.top.txt"));
        let c = golden.cost(CATALOG, init_row());
        let cost = Cost { flat: c.flat * scale, cum: c.cum * scale };
        let total = golden.total * scale;
        truth.insert(name.to_string(), Truth { unit, total, hint: Some(labels::hint(cost, total, unit)) });
    }
    truth
}

fn two_types() -> BTreeMap<String, Truth> {
    ["samples", "cpu"]
        .iter()
        .map(|&name| {
            let unit = if name == "cpu" { "nanoseconds" } else { "count" };
            (name.to_string(), Truth { unit, total: total(&format!("cpu.{name}.lines.top.txt")), hint: None })
        })
        .collect()
}

/// Checks that a status describes one profile consistently: its sample
/// type belongs to it and the total is that type's.
fn check_status(status: &Value, profiles: &BTreeMap<String, BTreeMap<String, Truth>>) -> Result<(), String> {
    if status["loaded"] != true {
        return Err(format!("nothing loaded: {status}"));
    }
    let source = status["profile"].as_str().ok_or("no profile")?;
    let types = profiles.get(source).ok_or_else(|| format!("unknown profile {source}"))?;
    let name = status["sampleType"].as_str().ok_or("no sample type")?;
    let truth = types.get(name).ok_or_else(|| format!("{source} has no sample type {name}: {status}"))?;
    if status["total"] != truth.total || status["unit"] != truth.unit {
        return Err(format!("{source} {name}: total {} {} is not {} {}", status["total"], status["unit"], truth.total, truth.unit));
    }
    Ok(())
}

/// The sample type list of one profile, exactly one of them active, with
/// that profile's totals.
fn check_types(list: &Value, profiles: &BTreeMap<String, BTreeMap<String, Truth>>) -> Result<(), String> {
    let list = list.as_array().ok_or("not a list")?;
    let names: Vec<&str> = list.iter().map(|t| t["name"].as_str().unwrap_or("")).collect();
    let types = profiles
        .values()
        .find(|types| types.len() == names.len() && names.iter().all(|n| types.contains_key(*n)))
        .ok_or_else(|| format!("{names:?} are not one profile's types"))?;
    for t in list {
        let truth = &types[t["name"].as_str().unwrap()];
        if t["total"] != truth.total {
            return Err(format!("{}: total {} is not {}", t["name"], t["total"], truth.total));
        }
    }
    match list.iter().filter(|t| t["active"] == true).count() {
        1 => Ok(()),
        n => Err(format!("{n} active sample types in {list:?}")),
    }
}

/// A hint on the catalog line must be one of the six-type profile's
/// labels; the CPU profile has none there.
fn check_hint(hint: &Option<String>, six: &BTreeMap<String, Truth>) -> Result<(), String> {
    match hint {
        None => Ok(()),
        Some(label) if six.values().any(|t| t.hint.as_deref() == Some(label.as_str())) => Ok(()),
        Some(label) => Err(format!("hint {label:?} belongs to no sample type")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_and_sample_type_switches_race_without_panics_or_mixed_answers() {
    let dir = TempDir::new("race");
    let six_path = dir.path().join("six.pb.gz");
    let six = six_types(&six_path);
    let two_path = profile("cpu.pb.gz");
    let profiles: BTreeMap<String, BTreeMap<String, Truth>> = [
        (six_path.display().to_string(), six.clone()),
        (two_path.display().to_string(), two_types()),
    ]
    .into();
    let names: Vec<String> = profiles.values().flat_map(|t| t.keys().cloned()).collect();
    assert_eq!(names.len(), 8);

    let c = start_in_workspace(json!({ "profiles": [six_path], "watch": false })).await;
    let uri = c.open(&goprog().join(CATALOG));
    check_status(&c.status().await, &profiles).unwrap();

    let mut problems = Vec::new();
    let mut switches = (0, 0);
    let mut ops = 0;
    // A small deterministic generator, so a failure can be replayed.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..250 {
        let load = if next(2) == 0 { &six_path } else { &two_path };
        let name = names[next(names.len())].clone();
        let (loaded, selected, status, types, hint) = tokio::join!(
            c.command("pprof.load", json!({ "path": load })),
            c.command("pprof.selectSampleType", json!({ "name": name })),
            c.status(),
            c.command_ok("pprof.listSampleTypes", Value::Null),
            c.hint_at(&uri, init_line()),
        );
        ops += 5;
        match loaded {
            Ok(status) => problems.extend(check_status(&status, &profiles).err()),
            Err(e) => problems.push(format!("load failed: {e}")),
        }
        match selected {
            Ok(status) => {
                switches.0 += 1;
                problems.extend(check_status(&status, &profiles).err());
            }
            // Only "not in this profile" may fail a switch; never a bug.
            Err(e) if e["code"] == -32602 && e["message"].as_str().unwrap_or("").contains("is not in this profile") => {
                switches.1 += 1
            }
            Err(e) => problems.push(format!("select {name} failed: {e}")),
        }
        problems.extend(check_status(&status, &profiles).err());
        problems.extend(check_types(&types, &profiles).err());
        problems.extend(check_hint(&hint, &six).err());
    }
    assert!(ops >= 1000, "{ops} operations");
    // Both outcomes of a switch happened, so the race was exercised.
    assert!(switches.0 > 20 && switches.1 > 20, "switches that worked / were refused: {switches:?}");
    // Every status the server announced was consistent too.
    let notes = c.messages_with("pprof/status");
    assert!(notes.len() > 100, "only {} statuses", notes.len());
    for n in &notes {
        if n["params"]["loaded"] == true {
            problems.extend(check_status(&n["params"], &profiles).err().map(|e| format!("notification: {e}")));
        }
    }
    assert!(problems.is_empty(), "{} problems, first ones:\n{}", problems.len(), problems[..problems.len().min(10)].join("\n"));
    // And the server still serves.
    check_status(&c.status().await, &profiles).unwrap();
}

/// Starts a server on the fixture program's source tree and waits for its
/// first load.
async fn start_in_workspace(options: Value) -> Client {
    let c = Client::start();
    c.initialize(&goprog(), options, full_capabilities()).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    c
}

/// Sends new settings the way editors do: a notification, then the server
/// pulls them. Returns once the server asked for them.
async fn change_settings(c: &Client, settings: Value) -> usize {
    c.set_settings(settings);
    let mark = c.mark();
    c.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    c.wait_after(mark, |m| m["method"] == "workspace/configuration", WAIT).await;
    mark
}

/// Waits until the status says `key` is `value`.
async fn wait_status(c: &Client, key: &str, value: Value) -> Value {
    c.eventually(&format!("status {key} = {value}"), WAIT, || async {
        let status = c.status().await;
        (status[key] == value && status["state"] == "loaded").then_some(status)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_that_change_the_profiles_and_the_sample_type_apply_both() {
    let c = start_in_workspace(json!({ "profiles": [profile("heap.pb.gz")], "watch": false })).await;
    assert_eq!(c.status().await["sampleType"], "inuse_space");
    let alloc_total = total("heap.alloc_space.lines.top.txt");

    // The same first profile, another list, and a sample type: the reload
    // must not keep the type on screen over the one asked for.
    change_settings(&c, json!({ "profiles": [profile("heap.pb.gz"), profile("cpu.pb.gz")], "sampleType": "alloc_space", "watch": false })).await;
    let status = wait_status(&c, "sampleType", json!("alloc_space")).await;
    assert_eq!(status["total"], alloc_total);
    assert_eq!(status["name"], "heap.pb.gz");

    // Another profile and its sample type at once.
    let cpu_samples = total("cpu.samples.lines.top.txt");
    change_settings(&c, json!({ "profiles": [profile("cpu.pb.gz")], "sampleType": "samples", "watch": false })).await;
    let status = wait_status(&c, "name", json!("cpu.pb.gz")).await;
    assert_eq!(status["sampleType"], "samples");
    assert_eq!(status["total"], cpu_samples);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turning_watch_off_and_on_again_watches_the_file_again() {
    let dir = TempDir::new("rewatch");
    let live = dir.path().join("live.pb.gz");
    std::fs::copy(profile("heap.pb.gz"), &live).unwrap();
    let heap_total = total("heap.inuse_space.lines.top.txt");
    let heap2_total = total("heap2.inuse_space.lines.top.txt");
    let c = start_in_workspace(json!({ "profiles": [live] })).await;
    assert_eq!(c.status().await["total"], heap_total);

    change_settings(&c, json!({ "profiles": [live], "watch": false })).await;
    c.eventually("the watch setting is applied", WAIT, || async {
        (c.messages_with("workspace/inlayHint/refresh").len() > 1).then_some(())
    })
    .await;
    // Not watched: a new file is not loaded.
    let mark = c.mark();
    std::fs::write(&live, std::fs::read(profile("heap2.pb.gz")).unwrap()).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(c.messages().iter().skip(mark).all(|m| m["method"] != "$/progress"), "reloaded while not watching");
    assert_eq!(c.status().await["total"], heap_total);

    // Watched again: the next change is loaded.
    change_settings(&c, json!({ "profiles": [live], "watch": true })).await;
    std::fs::write(&live, std::fs::read(profile("heap2.pb.gz")).unwrap()).unwrap();
    wait_status(&c, "total", json!(heap2_total)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hint_settings_renew_the_generation_so_clients_redraw() {
    let c = start_in_workspace(json!({ "profiles": [profile("heap.pb.gz")], "watch": false })).await;
    let before = c.status().await;
    let mark = change_settings(&c, json!({ "profiles": [profile("heap.pb.gz")], "watch": false, "hints": { "minCumPercent": 0, "minFlatPercent": 0 } })).await;
    let note = c.wait_after(mark, |m| m["method"] == "pprof/status", WAIT).await;
    assert!(note["params"]["generation"].as_u64() > before["generation"].as_u64(), "{note} after {before}");
    assert_eq!(note["params"]["total"], before["total"]);
}

fn assert_rows_equal(ours: &BTreeMap<String, (i64, i64)>, golden: &BTreeMap<String, (i64, i64)>, what: &str) {
    let mut problems = Vec::new();
    for (k, v) in golden {
        match ours.get(k) {
            Some(o) if o == v => {}
            other => problems.push(format!("{k}: ours {other:?}, pprof {v:?}")),
        }
    }
    problems.extend(ours.keys().filter(|k| !golden.contains_key(*k)).map(|k| format!("extra row {k}")));
    assert!(problems.is_empty(), "{what}: {} differences:\n{}", problems.len(), problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_diff_base_makes_every_value_pprofs_diff() {
    let c = start_in_workspace(json!({ "profiles": [profile("heap2.pb.gz")], "watch": false })).await;
    let status = c.command_ok("pprof.setDiffBase", json!({ "path": profile("heap.pb.gz") })).await;
    assert_eq!(status["diffBase"], profile("heap.pb.gz").display().to_string());
    for sample_type in ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"] {
        let status = c.command_ok("pprof.selectSampleType", json!({ "name": sample_type })).await;
        let (total, rows) = common::golden_rows(&format!("heap2-diff-heap.{sample_type}.lines.top.txt"));
        assert_eq!(status["total"], total, "{sample_type}: percentages are of the base's total");
        assert_rows_equal(&top_rows(&c).await, &rows, sample_type);
        // Hints show the signed difference of the line, the one that grew
        // most first.
        let (key, &(flat, cum)) = rows.iter().filter(|(k, _)| k.contains("/pprofdemo/")).max_by_key(|(_, (f, _))| *f).unwrap();
        let (_, place) = key.rsplit_once(' ').unwrap();
        let (file, line) = place.rsplit_once(':').unwrap();
        let rel = &file[file.find("pprofdemo/").unwrap() + "pprofdemo/".len()..];
        let uri = c.open(&goprog().join(rel));
        let line: u64 = line.parse().unwrap();
        let ty = ValueType::new(sample_type, if sample_type.ends_with("_space") { "bytes" } else { "count" });
        let diff = labels::Scale::new(&ty, total).signed(true);
        assert!(flat > 0);
        assert_eq!(c.hint_at(&uri, line - 1).await, Some(diff.hint(Cost { flat, cum })), "{key}");
        assert!(diff.hint(Cost { flat, cum }).starts_with('+'));
    }
    // Cleared: heap2's own values again, of the type still shown.
    let status = c.command_ok("pprof.setDiffBase", json!({})).await;
    assert!(status.get("diffBase").is_none(), "{status}");
    let shown = status["sampleType"].as_str().unwrap().to_string();
    let (total, rows) = common::golden_rows(&format!("heap2.{shown}.lines.top.txt"));
    assert_eq!(status["total"], total);
    assert_rows_equal(&top_rows(&c).await, &rows, &format!("heap2 {shown}"));
    // A base that cannot be compared changes nothing.
    let err = c.command("pprof.setDiffBase", json!({ "path": profile("cpu.pb.gz") })).await.unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("cannot compare"), "{err}");
    assert!(c.status().await.get("diffBase").is_none());
    assert_eq!(top_rows(&c).await, rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_diff_base_setting_applies_to_the_first_load() {
    let c = start_in_workspace(json!({ "profiles": [profile("heap2.pb.gz")], "diffBase": profile("heap.pb.gz"), "watch": false })).await;
    let status = c.status().await;
    assert_eq!(status["diffBase"], profile("heap.pb.gz").display().to_string());
    let (total, rows) = common::golden_rows("heap2-diff-heap.inuse_space.lines.top.txt");
    assert_eq!(status["total"], total);
    assert_eq!(top_rows(&c).await, rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_lines_are_published_as_information_diagnostics_when_asked() {
    let c = start_in_workspace(json!({ "profiles": [profile("heap.pb.gz")], "watch": false })).await;
    assert!(c.messages_with("textDocument/publishDiagnostics").is_empty(), "off by default");
    let mark = change_settings(
        &c,
        json!({ "profiles": [profile("heap.pb.gz")], "watch": false, "diagnostics": { "hotLines": true, "hotLineCount": 3 } }),
    )
    .await;
    let diagnostics_after = |mark: usize| -> Vec<Value> {
        c.messages().into_iter().skip(mark).filter(|m| m["method"] == "textDocument/publishDiagnostics").collect()
    };
    // Three lines, in as many files as they are in.
    let published = c
        .eventually("three hot lines are published", WAIT, || async {
            let published = diagnostics_after(mark);
            let count: usize = published.iter().map(|m| m["params"]["diagnostics"].as_array().unwrap().len()).sum();
            (count == 3).then_some(published)
        })
        .await;
    let diagnostics: Vec<&Value> = published.iter().flat_map(|m| m["params"]["diagnostics"].as_array().unwrap()).collect();
    // The hottest line of the golden that is in the workspace is among them,
    // with its hint as the message.
    let (total, rows) = common::golden_rows("heap.inuse_space.lines.top.txt");
    let (key, &(flat, cum)) =
        rows.iter().filter(|(k, _)| k.contains("/pprofdemo/")).max_by_key(|(_, (f, _))| f.unsigned_abs()).unwrap();
    let ty = ValueType::new("inuse_space", "bytes");
    let expected = format!("hot: {}", labels::Scale::new(&ty, total).hint(Cost { flat, cum }));
    assert!(diagnostics.iter().any(|d| d["message"] == expected && d["severity"] == 3 && d["source"] == "pprof"), "{key}: {diagnostics:?}");
    // Off again: every published list is cleared.
    let mark = change_settings(&c, json!({ "profiles": [profile("heap.pb.gz")], "watch": false })).await;
    let cleared = c
        .eventually("the hot lines are cleared", WAIT, || async {
            let cleared = diagnostics_after(mark);
            (cleared.len() == published.len()).then_some(cleared)
        })
        .await;
    assert!(cleared.iter().all(|m| m["params"]["diagnostics"] == json!([])), "{cleared:?}");
}

/// The fixture program's sources placed at `root` in a tree in memory.
fn program_at(root: &str) -> pprof_lsp::source::fs::MemFs {
    let mut files = Vec::new();
    let mut stack = vec![goprog()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(goprog()).unwrap().to_string_lossy().replace('\\', "/");
                files.push((format!("{root}/{rel}"), std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    pprof_lsp::source::fs::MemFs::new(files)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windows_document_uris_find_their_lines_in_both_spellings() {
    // A checkout at C:\src\app, opened by an editor on Windows; the profile
    // was built at D:\work\projects\pprofdemo.
    let disk = std::sync::Arc::new(program_at("/C:/src/app"));
    let c = Client::start_on(Some(disk));
    c.initialize_at("file:///C:/src/app", json!({ "profiles": [profile("windows.heap.pb.gz")], "watch": false }), full_capabilities()).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    let status = c.status().await;
    assert!(status["mappedFiles"].as_u64().unwrap() > 0, "{status}");
    let expected = common::demo::init_label("windows.heap");
    let text = common::demo::source(CATALOG);
    // As most clients write it, and as VS Code does (lower-case drive,
    // escaped colon).
    for uri in ["file:///C:/src/app/internal/catalog/catalog.go", "file:///c%3A/src/app/internal/catalog/catalog.go"] {
        c.open_uri(uri, &text);
        assert_eq!(c.hint_at(uri, init_line()).await, Some(expected.clone()), "{uri}");
        let top = c.command_ok("pprof.top", json!({ "n": 1 })).await;
        assert!(top[0]["uri"].as_str().unwrap().to_lowercase().starts_with("file:///c:/src/app/"), "{top}");
    }
}

/// A Go main package with `default.pgo` and newer test profiles under
/// `testdata`, `_scratch` and `.cache`.
fn package_with_pgo(root: &std::path::Path) {
    copy_dir(&goprog(), root);
    std::fs::copy(profile("heap.pb.gz"), root.join("default.pgo")).unwrap();
    for dir in ["testdata", "_scratch", ".cache"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        std::fs::copy(profile("cpu.pb.gz"), root.join(dir).join("newer.pprof")).unwrap();
    }
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options().write(true).open(root.join("default.pgo")).unwrap().set_modified(old).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_prefers_the_packages_default_pgo_over_newer_test_profiles() {
    let ws = TempDir::new("pgo");
    package_with_pgo(ws.path());
    let c = Client::start();
    c.initialize(ws.path(), json!({ "watch": false }), full_capabilities()).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    let status = c.status().await;
    assert_eq!(status["profile"], ws.path().join("default.pgo").display().to_string());
    let listed = c.command_ok("pprof.listProfiles", Value::Null).await;
    // Only default.pgo: the Go tool ignores testdata, _ and . directories.
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["active"], true);
    assert_eq!(listed[0]["origin"], "discovered");
    assert!(listed[0]["reason"].as_str().unwrap().contains("default.pgo"), "{listed}");
    // Still loadable by name.
    let loaded = c.command_ok("pprof.load", json!({ "path": "testdata/newer.pprof" })).await;
    assert_eq!(loaded["name"], "newer.pprof");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_takes_the_default_pgo_of_the_open_files_package() {
    let ws = TempDir::new("pgo2");
    package_with_pgo(&ws.path().join("cmd/first"));
    package_with_pgo(&ws.path().join("cmd/second"));
    let second = ws.path().join("cmd/second");
    let c = Client::start();
    c.initialize(ws.path(), json!({ "watch": false }), full_capabilities()).await;
    // The editor opened a file of the second package before the server
    // looked for profiles.
    c.open(&second.join("main.go"));
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    assert_eq!(c.status().await["profile"], second.join("default.pgo").display().to_string());
    let listed = c.command_ok("pprof.listProfiles", Value::Null).await;
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
    assert_eq!(listed[0]["reason"], "default.pgo of the package of main.go", "{listed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pprof_top_ranks_rows_as_pprof_orders_them() {
    let c = start_in_workspace(json!({ "profiles": [profile("heap.pb.gz")], "watch": false })).await;
    let exact = common::parse_top(&std::fs::read_to_string(common::golden_dir().join("heap.inuse_space.lines.top.txt")).unwrap());
    // pprof's order: of every row by flat, and of `-cum -nodecount=10`.
    let cum10 = common::top_names(&std::fs::read_to_string(common::golden_dir().join("heap.inuse_space.lines.cum10.top.txt")).unwrap());
    assert_eq!(cum10.len(), 10);
    for (by, order) in [("flat", exact.order[..10].to_vec()), ("cum", cum10)] {
        let expected: Vec<(String, i64, i64)> = order
            .into_iter()
            .map(|name| {
                let row = &exact.rows[&name];
                (name, row.flat, row.cum)
            })
            .collect();
        let rows = c.command_ok("pprof.top", json!({ "n": 10, "by": by })).await;
        let got: Vec<(String, i64, i64)> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let name = format!("{} {}:{}", display_name(r["function"].as_str().unwrap()), r["file"].as_str().unwrap(), r["line"]);
                (name, r["flat"].as_i64().unwrap(), r["cum"].as_i64().unwrap())
            })
            .collect();
        assert_eq!(got, expected, "by {by}");
    }
}

/// A heap profile of two lines of the fixture program: the catalog
/// allocation holding `catalog_bytes`, and a line of main.go holding a
/// constant 1 MiB. Gzipped, as Go serves it.
fn live_heap(catalog_bytes: i64, main_line: i64) -> Vec<u8> {
    use pprof_lsp::profile::{Function, FunctionIdx, Line, Location, LocationIdx};
    let mut p = Profile {
        sample_types: vec![ValueType::new("inuse_objects", "count"), ValueType::new("inuse_space", "bytes")],
        ..Default::default()
    };
    for (name, file, line) in [
        ("pprofdemo/internal/catalog.init.0", "/build/pprofdemo/internal/catalog/catalog.go", init_row()),
        ("main.main", "/build/pprofdemo/main.go", main_line),
    ] {
        p.functions.push(Function { name: name.into(), filename: file.into(), ..Default::default() });
        let f = FunctionIdx(p.functions.len() as u32 - 1);
        p.locations.push(Location { lines: vec![Line { function: f, line, column: 0 }], ..Default::default() });
    }
    p.push_sample(&[LocationIdx(0)], &[1, catalog_bytes], []);
    p.push_sample(&[LocationIdx(1)], &[1, 1 << 20], []);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&encode(&p)).unwrap();
    gz.finish().unwrap()
}

/// An endpoint that serves a growing heap: the n-th request gets
/// `live_heap((n + 1) × 10 MiB)`. While `down` is set it closes its port,
/// and opens the same port again when it is cleared. Stops after a minute.
struct GrowingEndpoint {
    url: String,
    down: std::sync::Arc<std::sync::atomic::AtomicBool>,
    served: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl GrowingEndpoint {
    fn start(main_line: i64) -> GrowingEndpoint {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let down = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (thread_down, thread_served) = (down.clone(), served.clone());
        std::thread::spawn(move || {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            let mut listener = Some(listener);
            while std::time::Instant::now() < deadline {
                if thread_down.load(Ordering::SeqCst) {
                    listener = None;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    continue;
                }
                let l = match &listener {
                    Some(l) => l,
                    None => match std::net::TcpListener::bind(addr) {
                        Ok(l) => listener.insert(l),
                        Err(_) => {
                            std::thread::sleep(std::time::Duration::from_millis(20));
                            continue;
                        }
                    },
                };
                l.set_nonblocking(true).unwrap();
                let mut stream = match l.accept() {
                    Ok((s, _)) => s,
                    Err(_) => {
                        std::thread::sleep(std::time::Duration::from_millis(10));
                        continue;
                    }
                };
                read_request_head(&mut stream);
                let n = thread_served.fetch_add(1, Ordering::SeqCst) as i64;
                let body = live_heap((n + 1) * (10 << 20), main_line);
                let header = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(header.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        GrowingEndpoint { url: format!("http://{addr}/debug/pprof/heap"), down, served }
    }
}

/// The growth mark (`▲ …/min`) on a line: an inlay hint of its own.
async fn growth_mark(c: &Client, doc: &str, line: u64) -> Option<String> {
    c.hints(doc).await.iter().filter(|h| h["position"]["line"] == line).map(label).find(|l| l.starts_with("▲"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_endpoint_shows_growth_and_survives_an_outage() {
    use std::sync::atomic::Ordering;
    let main_line = common::demo::line_of("main.go", "func main()") as i64 + 1;
    let endpoint = GrowingEndpoint::start(main_line);
    let c = start_in_workspace(json!({ "profiles": [endpoint.url], "refreshSeconds": 1 })).await;
    let live = |s: &Value| s["live"].clone();
    // Three snapshots make a growth; wait for four.
    let status = c
        .eventually("four snapshots", std::time::Duration::from_secs(20), || async {
            let s = c.status().await;
            (live(&s)["snapshots"].as_u64() >= Some(4)).then_some(s)
        })
        .await;
    assert!(status["summary"].as_str().unwrap().contains("· live · "), "{status}");
    assert_eq!(live(&status)["refreshSeconds"], 1);

    let growth = c.command_ok("pprof.growth", Value::Null).await;
    assert_eq!(growth["sampleType"], "inuse_space");
    assert!(growth["snapshots"].as_u64() >= Some(4), "{growth}");
    let rows = growth["rows"].as_array().unwrap();
    let catalog = goprog().join(CATALOG);
    assert_eq!(rows[0]["line"], init_row(), "the growing line first: {growth}");
    assert_eq!(rows[0]["uri"], uri(&catalog));
    assert_eq!(rows[0]["file"], catalog.display().to_string(), "the workspace path, once mapped");
    // 10 MiB a poll, about a second apart: growing, by roughly 600 MiB/min.
    let rate = rows[0]["flatPerMinute"].as_f64().unwrap() / (1 << 20) as f64;
    assert!(rate > 100.0 && rate < 2000.0, "{rate} MiB/min");
    let steady = rows.iter().find(|r| r["line"] == main_line).expect("the steady line");
    assert_eq!(steady["flatPerMinute"], 0.0, "{steady}");

    // The hint, the hover and a Warning say so.
    let doc = c.open(&catalog);
    let mark = growth_mark(&c, &doc, init_line()).await.expect("a growth mark on the growing line");
    assert!(mark.starts_with("▲ ") && mark.ends_with("/min"), "{mark}");
    let main_doc = c.open(&goprog().join("main.go"));
    assert_eq!(growth_mark(&c, &main_doc, main_line as u64 - 1).await, None, "the steady line has none");
    let hover = c.ok("textDocument/hover", json!({ "textDocument": { "uri": doc }, "position": { "line": init_line(), "character": 0 } })).await;
    assert!(hover["contents"]["value"].as_str().unwrap().contains("growth: +"), "{hover}");
    let warning = c
        .eventually("a growth warning", WAIT, || async {
            c.messages_with("textDocument/publishDiagnostics").into_iter().rev().find_map(|m| {
                let d = m["params"]["diagnostics"].as_array()?.iter().find(|d| d["code"] == "growth")?.clone();
                (m["params"]["uri"] == doc).then_some(d)
            })
        })
        .await;
    assert_eq!(warning["severity"], 2);
    assert_eq!(warning["range"]["start"]["line"], init_line());
    assert!(warning["message"].as_str().unwrap().starts_with("grows "), "{warning}");

    // Compared with the snapshot before: each poll adds 10 MiB there.
    let status = c.command_ok("pprof.setDiffBase", json!({ "previous": true })).await;
    assert!(status["diffBaseName"].as_str().unwrap().starts_with("the previous snapshot of heap ("), "{status}");
    let diff = c
        .eventually("the next refresh is compared too", WAIT, || async {
            c.hint_at(&doc, init_line()).await.filter(|h| h.starts_with("+10MB flat"))
        })
        .await;
    assert!(diff.contains("+10MB cum"), "{diff}");
    c.command_ok("pprof.setDiffBase", json!({})).await;

    // The endpoint goes away: the data stays, the status says since when.
    endpoint.down.store(true, Ordering::SeqCst);
    let status = c
        .eventually("the outage is noticed", std::time::Duration::from_secs(20), || async {
            let s = c.status().await;
            live(&s).get("unreachableSince").is_some().then_some(s)
        })
        .await;
    assert!(status["summary"].as_str().unwrap().contains("unreachable since"), "{status}");
    assert!(growth_mark(&c, &doc, init_line()).await.is_some(), "the data stays");
    let before = endpoint.served.load(Ordering::SeqCst);
    // Back again: polling resumes and the outage ends.
    endpoint.down.store(false, Ordering::SeqCst);
    c.eventually("polling resumes", std::time::Duration::from_secs(20), || async {
        let s = c.status().await;
        (live(&s).get("unreachableSince").is_none() && endpoint.served.load(Ordering::SeqCst) > before).then_some(())
    })
    .await;
}

/// A load that fails leaves the live source on screen, and polled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_load_keeps_the_live_source_polled() {
    use std::sync::atomic::Ordering;
    let main_line = common::demo::line_of("main.go", "func main()") as i64 + 1;
    let endpoint = GrowingEndpoint::start(main_line);
    let c = start_in_workspace(json!({ "profiles": [endpoint.url], "refreshSeconds": 1 })).await;
    let err = c.command("pprof.load", json!({ "path": "/nowhere/heap.pb.gz" })).await.unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("Still showing heap ("), "{err}");
    let served = endpoint.served.load(Ordering::SeqCst);
    let status = c
        .eventually("two more polls after the failed load", std::time::Duration::from_secs(20), || async {
            let s = c.status().await;
            (endpoint.served.load(Ordering::SeqCst) >= served + 2 && s["live"]["snapshots"].as_u64() >= Some(3)).then_some(s)
        })
        .await;
    assert!(status["summary"].as_str().unwrap().contains("· live · "), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_diff_base_functions_carry_pprofs_differences() {
    let c = start_in_workspace(json!({ "profiles": [profile("heap2.pb.gz")], "watch": false })).await;
    c.command_ok("pprof.setDiffBase", json!({ "path": profile("heap.pb.gz") })).await;
    let status = c.status().await;
    let shown = status["sampleType"].as_str().unwrap().to_string();
    let (total, functions) = common::demo::function_golden(&format!("heap2-diff-heap.{shown}.functions.top.txt"));
    let ty = ValueType::new(&shown, "bytes");
    let diff = labels::Scale::new(&ty, total).signed(true);
    // Hot entries: every function of the workspace, labelled with pprof's
    // per-function difference, largest absolute difference first.
    let symbols = c.ok("workspace/symbol", json!({ "query": "" })).await;
    let symbols = symbols.as_array().unwrap();
    assert!(symbols.len() >= 3, "{symbols:?}");
    for s in symbols {
        let name = display_name(s["name"].as_str().unwrap());
        let cost = functions.get(name.as_ref()).unwrap_or_else(|| panic!("{name} is not in pprof's diff"));
        assert_eq!(s["containerName"], diff.hint(*cost), "{name}");
    }
    let order: Vec<u64> = symbols.iter().map(|s| functions[display_name(s["name"].as_str().unwrap()).as_ref()].cum.unsigned_abs()).collect();
    assert!(order.windows(2).all(|w| w[0] >= w[1]), "by absolute difference: {order:?}");
    // A code lens carries the function's difference too (main.go holds
    // what changed between the two snapshots).
    let main = c.open(&goprog().join("main.go"));
    let lenses = c.ok("textDocument/codeLens", json!({ "textDocument": { "uri": main } })).await;
    assert!(!lenses.as_array().unwrap().is_empty(), "main.go has functions that changed");
    for lens in lenses.as_array().unwrap() {
        let name = lens["command"]["arguments"][0]["function"].as_str().unwrap();
        let cost = functions[display_name(name).as_ref()];
        assert_eq!(lens["command"]["title"], diff.lens(cost), "{name}");
    }
}

/// An endpoint that answers with `replies` in turn (status, content type,
/// body), then keeps answering with the last one; stops after a minute.
fn scripted_endpoint(replies: Vec<(&'static str, &'static str, Vec<u8>)>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/debug/pprof/heap", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let mut n = 0;
        while std::time::Instant::now() < deadline {
            let Ok((mut stream, _)) = listener.accept() else {
                std::thread::sleep(std::time::Duration::from_millis(10));
                continue;
            };
            read_request_head(&mut stream);
            let (status, kind, body) = &replies[n.min(replies.len() - 1)];
            n += 1;
            let header =
                format!("HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(header.as_bytes());
            let _ = stream.write_all(body);
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_endpoint_that_answers_badly_keeps_its_data_and_says_why() {
    let main_line = common::demo::line_of("main.go", "func main()") as i64 + 1;
    let good = live_heap(10 << 20, main_line);
    for (what, reply, needle) in [
        ("a 404", ("404 Not Found", "text/plain", b"404 page not found".to_vec()), "404"),
        ("an HTML page", ("200 OK", "text/html", b"<!DOCTYPE html><html><body>login</body></html>".to_vec()), "HTML"),
        ("a response over the size limit", ("200 OK", "application/octet-stream", vec![b'x'; 300_000]), "limit"),
    ] {
        let url = scripted_endpoint(vec![("200 OK", "application/octet-stream", good.clone()), reply]);
        let c = start_in_workspace(json!({ "profiles": [url], "refreshSeconds": 1, "maxProfileBytes": 200_000 })).await;
        let doc = c.open(&goprog().join(CATALOG));
        let first = c.hint_at(&doc, init_line()).await.expect("the first answer is shown");
        let status = c
            .eventually(&format!("{what} is noticed"), std::time::Duration::from_secs(15), || async {
                let s = c.status().await;
                s["live"].get("unreachableSince").is_some().then_some(s)
            })
            .await;
        let error = status["live"]["error"].as_str().unwrap();
        assert!(error.contains(needle), "{what}: {error}");
        assert!(status["summary"].as_str().unwrap().contains("unreachable since"), "{status}");
        assert_eq!(status["total"], (10 << 20) + (1 << 20), "{what}: the last data stays");
        assert_eq!(c.hint_at(&doc, init_line()).await, Some(first), "{what}");
    }
}
