//! The command line, run as a real process: its tables equal pprof's, and
//! every failure is one line on stderr with a non-zero exit.

mod common;

use std::process::Command;

use common::demo::{init_row, inuse, CATALOG};
use common::{exact_value, filter_case, filter_cases, filter_goldens, fixture, golden_dir, parse_top, read, root, top_goldens, TopGoldenFile, Variant};
use pprof_lsp::analysis::names::display_name;
use pprof_lsp::profile::{decode, DecodeOptions};

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pprof-lsp")).args(args).current_dir(root()).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The table from the "Showing nodes" line on.
fn table(text: &str) -> String {
    text.lines().skip_while(|l| !l.starts_with("Showing nodes")).collect::<Vec<_>>().join("\n")
}

/// Runs `pprof-lsp top` with the flags `golden` was recorded with (its
/// filter case's too) and checks that it prints the golden, byte for byte.
fn top_prints_golden(golden: &TopGoldenFile) {
    let (profiles, base) = golden.profiles();
    let decoded = decode(&read(&fixture(&profiles[0])), &DecodeOptions::default()).unwrap();
    // Only the all-row variant names a unit, and it is recorded with a type.
    let unit = decoded.sample_types.iter().find(|t| t.name == golden.sample_type).map_or("", |t| t.unit.as_str());
    let mut args: Vec<String> = vec!["top".into()];
    if let Some(t) = golden.sample_index() {
        args.extend(["--sample-index".into(), t.to_string()]);
    }
    if golden.lines {
        args.push("--lines".into());
    }
    args.extend(golden.variant.cli_args(unit));
    args.extend(filter_case(golden).iter().flat_map(|c| c.cli_args()));
    if let Some(base) = base {
        args.extend(["--diff-base".into(), fixture(&base).to_string_lossy().into_owned()]);
    }
    args.extend(profiles.iter().map(|p| fixture(p).to_string_lossy().into_owned()));
    let (ok, out, err) = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(ok, "{args:?}: {err}");
    let want = String::from_utf8(read(&golden.path)).unwrap();
    assert_eq!(out, want, "{} with {args:?}", golden.name());
}

/// `pprof-lsp top` with the flags a golden was recorded with prints the
/// golden, header included: every variant at both granularities, for a
/// few profiles and a diff.
#[test]
fn top_prints_pprofs_output() {
    let picks = [("heap", "inuse_space"), ("cpu", "cpu"), ("mutex", "delay"), ("split.heap2", "alloc_space"), ("heap2-diff-heap", "inuse_space")];
    let goldens: Vec<TopGoldenFile> =
        top_goldens().into_iter().filter(|g| picks.contains(&(g.stem.as_str(), g.sample_type.as_str()))).collect();
    assert_eq!(goldens.len(), picks.len() * 8, "every pick has eight goldens");
    goldens.iter().for_each(top_prints_golden);
}

/// `pprof-lsp top A B C` merges its profiles as `go tool pprof A B C`
/// does: for every golden of a merge (each sample type, variant and
/// granularity, and pprof's default type, which is the first default any
/// of the profiles names), the same table byte for byte.
#[test]
fn top_of_several_profiles_prints_pprofs_output() {
    let goldens: Vec<TopGoldenFile> = top_goldens().into_iter().filter(|g| g.profiles().0.len() > 1).collect();
    let default_type = goldens.iter().filter(|g| g.sample_index().is_none()).count();
    assert!(goldens.len() >= 16 && default_type == 2, "{} merge goldens, {default_type} of the default type", goldens.len());
    goldens.iter().for_each(top_prints_golden);
}

/// Profiles without a sample type in common do not merge: the command
/// fails, as pprof does (its message is in the golden), and says which
/// profiles and which types.
#[test]
fn profiles_without_a_common_sample_type_do_not_merge() {
    let pprof = String::from_utf8(read(&golden_dir().join("heap+cpu.merge-error.stderr.txt"))).unwrap();
    assert!(pprof.contains("empty common sample type list"), "pprof's message: {pprof}");
    let (heap, cpu) = (fixture("heap.pb.gz"), fixture("cpu.pb.gz"));
    let (ok, out, err) = run(&["top", heap.to_str().unwrap(), cpu.to_str().unwrap()]);
    assert!(!ok && out.is_empty(), "{out}");
    let type_list = |name: &str| {
        let p = decode(&read(&fixture(name)), &DecodeOptions::default()).unwrap();
        format!("[{}]", p.sample_types.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" "))
    };
    let want = format!(
        "pprof-lsp: cannot merge {} into {}: sample types {} and {} have none in common\n",
        cpu.display(),
        heap.display(),
        type_list("heap.pb.gz"),
        type_list("cpu.pb.gz")
    );
    assert_eq!(err, want);
}

/// A source that cannot be read is left out of the merge and named, with
/// pprof's count of those read; none read is an error.
#[test]
fn sources_that_cannot_be_read_are_left_out_and_named() {
    let (heap, heap2) = (fixture("heap.pb.gz"), fixture("heap2.pb.gz"));
    let (ok, out, err) = run(&["top", heap.to_str().unwrap(), "/nonexistent/x.pb.gz", heap2.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(err, "/nonexistent/x.pb.gz: no such file\nFetched 2 source profiles out of 3\n");
    let (_, both, _) = run(&["top", heap.to_str().unwrap(), heap2.to_str().unwrap()]);
    assert_eq!(out, both);
    let (ok, out, err) = run(&["top", "--diff-base", "/nonexistent/b.pb.gz", "--diff-base", "/nonexistent/c.pb.gz", heap.to_str().unwrap()]);
    assert!(!ok && out.is_empty());
    assert_eq!(
        err,
        "/nonexistent/b.pb.gz: no such file\n/nonexistent/c.pb.gz: no such file\npprof-lsp: none of the 2 base profiles could be read\n"
    );
}

/// Every report command reads a `/debug/pprof/…` URL as it reads a file:
/// `top`, `lines`, `list` and `flame` of a URL print what they print for
/// the file served; `top URL1 URL2 URL3` merges the three as pprof does
/// (its golden); `--diff-base` may be a URL. The profiles come from a
/// server in the test that answers exactly the requests expected.
#[test]
fn report_commands_read_urls_and_merge_them() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let names = ["heap", "heap2", "allocs"];
    let routes = names.iter().map(|n| (format!("/debug/pprof/{n}"), read(&fixture(&format!("{n}.pb.gz"))))).collect();
    let singles: [&[&str]; 4] = [
        &["top", "--lines"],
        &["lines", "--json"],
        &["list", "catalog.init", "--source-path", "tests/fixtures/goprog"],
        &["flame", "-o", "-"],
    ];
    let server = common::http::serve_routes(listener, routes, singles.len() + 3 + 2);
    let url = |name: &str| format!("{base}/debug/pprof/{name}");
    let heap = fixture("heap.pb.gz");

    for args in singles {
        let (ok, out, err) = run(&[args, &[url("heap").as_str()]].concat());
        assert!(ok, "{args:?}: {err}");
        let (_, from_file, _) = run(&[args, &[heap.to_str().unwrap()]].concat());
        // The flame graph's title names its source: the URL's profile and host.
        let host = base.trim_start_matches("http://");
        assert_eq!(out.replace(&format!("heap ({host})"), "heap.pb.gz"), from_file, "{args:?}");
    }

    let urls: Vec<String> = names.iter().map(|n| url(n)).collect();
    let (ok, out, err) = run(&[&["top", "--lines"], &urls.iter().map(String::as_str).collect::<Vec<_>>()[..]].concat());
    assert!(ok, "{err}");
    assert_eq!(out, String::from_utf8(read(&golden_dir().join("heap+heap2+allocs.default-type.lines.default.top.txt"))).unwrap());

    let (ok, out, err) = run(&["top", "--sample-index", "inuse_space", "--diff-base", &url("heap"), &url("heap2")]);
    assert!(ok, "{err}");
    assert_eq!(out, String::from_utf8(read(&golden_dir().join("heap2-diff-heap.inuse_space.functions.default.top.txt"))).unwrap());

    let mut asked = server.join().unwrap();
    asked.sort();
    let mut want: Vec<String> = ["heap"; 4].iter().chain(&names).chain(&["heap", "heap2"]).map(|n| format!("/debug/pprof/{n}")).collect();
    want.sort();
    assert_eq!(asked, want, "the server was asked for each profile once per read");
}

/// With pprof's filter flags, `pprof-lsp top` prints what
/// `go tool pprof -top` printed with the same flags, header and "Active
/// filters:" included, for every filter golden.
#[test]
fn top_with_filters_prints_pprofs_output() {
    let goldens = filter_goldens();
    assert_eq!(goldens.len(), filter_cases().len() * 4);
    goldens.iter().for_each(top_prints_golden);
}

/// `lines --json` with a filter gives each line the costs of the filtered
/// profile: those of the matching `-top -lines` golden, row for row.
#[test]
fn lines_json_applies_filters() {
    for name in ["tagfocus=bytes-from-1kb", "hide=runtime", "show_from=hash"] {
        let case = filter_cases().into_iter().find(|c| c.name == name).unwrap();
        let golden = filter_goldens()
            .into_iter()
            .find(|g| g.filter.as_deref() == Some(name) && g.lines && g.variant == Variant::Full)
            .unwrap();
        let want = parse_top(&String::from_utf8(read(&golden.path)).unwrap());
        let profile = fixture(&format!("{}.pb.gz", case.stem));
        let mut args = vec!["lines".to_string(), profile.to_string_lossy().into_owned(), "--sample-index".into(), case.sample_type.clone(), "--json".into()];
        args.extend(case.cli_args());
        let (ok, out, err) = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(ok, "{args:?}: {err}");
        let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        let got: std::collections::BTreeMap<String, (i64, i64)> = rows
            .iter()
            .filter(|r| r["flat"] != 0 || r["cum"] != 0)
            .map(|r| {
                let function = display_name(r["function"].as_str().unwrap());
                let key = format!("{function} {}:{}", r["file"].as_str().unwrap(), r["line"]);
                (key, (r["flat"].as_i64().unwrap(), r["cum"].as_i64().unwrap()))
            })
            .collect();
        let want: std::collections::BTreeMap<String, (i64, i64)> = want.rows.iter().map(|(k, r)| (k.clone(), (r.flat, r.cum))).collect();
        assert!(!want.is_empty(), "{name}: the golden has rows");
        assert_eq!(got, want, "{name}");
    }
}

/// `list` with a filter: the kept samples' values, as shares of the
/// unfiltered total (pprof's `Total:`).
#[test]
fn list_applies_filters() {
    let (ok, out, err) = run(&[
        "list", r"main\.allocate", fixture("heap.pb.gz").to_str().unwrap(), "--unit", "B", "--sample-index", "inuse_space",
        "--tagfocus", "bytes=1kb:", "--source-path", "tests/fixtures/goprog",
    ]);
    assert!(ok, "{err}");
    assert_eq!(err, "tagfocus:Interpreted '1kb:' as range, not regexp\n");
    let want = std::fs::read_to_string(golden_dir().join("heap.inuse_space.list-allocate.tagfocus=bytes-from-1kb.txt")).unwrap();
    assert_eq!(out, want);
    // The total is the unfiltered one.
    let unfiltered = std::fs::read_to_string(golden_dir().join("heap.inuse_space.list-catalog.txt")).unwrap();
    let total = |text: &str| exact_value(text.lines().next().unwrap().trim_start_matches("Total: "));
    assert_eq!(total(&out), total(&unfiltered));
}

/// A filter that matches nothing is not an error, but pprof's warning on
/// stderr says so.
#[test]
fn filters_that_match_nothing_are_warned_about() {
    let heap = fixture("heap.pb.gz");
    let (ok, out, err) = run(&["top", "--focus", "no-such-function", "--tagignore", "role=x", heap.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("Showing nodes accounting for 0, 0% of "), "{out}");
    assert_eq!(err, "Focus expression matched no samples\nTagIgnore expression matched no samples\n");
}

#[test]
fn list_prints_pprofs_listing() {
    let (ok, out, err) = run(&[
        "list", "catalog.init", fixture("heap.pb.gz").to_str().unwrap(), "--unit", "B", "--sample-index", "inuse_space",
        "--source-path", "tests/fixtures/goprog",
    ]);
    assert!(ok, "{err}");
    let want = std::fs::read_to_string(golden_dir().join("heap.inuse_space.list-catalog.txt")).unwrap();
    assert_eq!(out, want);
}

#[test]
fn lines_json_is_exact_integers() {
    let (ok, out, err) = run(&["lines", fixture("windows.heap.pb.gz").to_str().unwrap(), "--sample-index", "inuse_space", "--json"]);
    assert!(ok, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let init = rows
        .iter()
        .find(|r| r["function"] == "pprofdemo/internal/catalog.init.0")
        .expect("the init allocation is listed");
    assert_eq!(init["file"], "D:/work/projects/pprofdemo/internal/catalog/catalog.go");
    let row = init_row();
    assert_eq!(init["line"], row);
    let expected = inuse("windows.heap").cost(CATALOG, row);
    assert_eq!(init["flat"], expected.flat);
    assert_eq!(init["cum"], expected.cum);
    assert!(rows.iter().all(|r| r["flat"].is_i64() && r["cum"].is_i64()));
}

#[test]
fn failures_are_one_line_naming_the_file() {
    let garbage = std::env::temp_dir().join(format!("pprof-lsp-garbage-{}", std::process::id()));
    std::fs::write(&garbage, b"\x08\x96\x01 this is not a profile").unwrap();
    let heap = fixture("heap.pb.gz");
    let cpu = fixture("cpu.pb.gz");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["top", "/nonexistent/x.pb.gz"], "/nonexistent/x.pb.gz: no such file"),
        (vec!["top", garbage.to_str().unwrap()], garbage.to_str().unwrap()),
        (vec!["top", "--sample-index", "cpu", heap.to_str().unwrap()], "sample type \"cpu\" is not in this profile"),
        (vec!["list", "(", heap.to_str().unwrap()], "bad regex"),
        (vec!["top", "--focus", "(", heap.to_str().unwrap()], "focus: bad regular expression \"(\""),
        (vec!["lines", "--tagignore", "role=a,[", heap.to_str().unwrap()], "tagignore: bad regular expression \"[\""),
        (vec!["list", "nothing-matches-this", heap.to_str().unwrap()], "no matches found"),
        (vec!["top", "--diff-base", cpu.to_str().unwrap(), heap.to_str().unwrap()], "sample types"),
    ];
    for (args, expected) in cases {
        let (ok, out, err) = run(&args);
        assert!(!ok, "{args:?} should fail");
        assert!(out.is_empty(), "{args:?} printed to stdout: {out}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("pprof-lsp: "), "{err}");
        assert!(err.contains(expected), "{args:?}: {err:?} lacks {expected:?}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let _ = std::fs::remove_file(garbage);
}

/// Input that never looked like a profile is named and described, with
/// what was tried; a gzip stream cut short says so and how far it got; a
/// protobuf profile cut short keeps the reader's precise error.
#[test]
fn input_that_is_not_a_profile_is_named_and_described() {
    let dir = std::env::temp_dir().join(format!("pprof-lsp-not-a-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let heap = read(&fixture("heap.pb.gz"));
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&heap[..]), &mut plain).unwrap();
    let tried = "not gzip, not a pprof protobuf, not a known text format";
    let files: [(&str, Vec<u8>, String); 4] = [
        (
            "page.html",
            b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body></body></html>\n".to_vec(),
            format!("not a profile (an HTML page; {tried})"),
        ),
        ("settings.json", b"{\"pprof.profiles\": [\"heap.pb.gz\"]}\n".to_vec(), format!("not a profile (JSON; {tried})")),
        ("empty.pb.gz", Vec::new(), "empty (0 bytes), not a profile".into()),
        (
            "notes.txt.gz",
            gzip(b"notes\n"),
            "not a profile (gzip data inflating to plain text; not a pprof protobuf, not a known text format)".into(),
        ),
    ];
    let mut cases: Vec<(String, String)> = vec![("README.md".into(), format!("README.md: not a profile (plain text; {tried})"))];
    for (name, data, message) in files {
        let path = dir.join(name);
        std::fs::write(&path, data).unwrap();
        cases.push((path.display().to_string(), format!("{}: {message}", path.display())));
    }
    for (path, expected) in &cases {
        let (ok, out, err) = run(&["top", path]);
        assert!(!ok && out.is_empty(), "{path}: {out}");
        assert_eq!(err, format!("pprof-lsp: {expected}\n"));
    }

    // Half of a gzipped profile: the stream ends early.
    let cut = dir.join("cut.pb.gz");
    std::fs::write(&cut, &heap[..heap.len() / 2]).unwrap();
    let (ok, _, err) = run(&["top", cut.to_str().unwrap()]);
    let prefix = format!(
        "pprof-lsp: {}: truncated gzip stream: the data ends after {} bytes, mid-stream, having inflated to ",
        cut.display(),
        heap.len() / 2
    );
    assert!(!ok && err.starts_with(&prefix), "{err}");
    let inflated: usize = err[prefix.len()..].trim_end().strip_suffix(" bytes").unwrap().parse().unwrap();
    assert!(inflated > 0 && inflated < plain.len(), "{inflated} of {} bytes", plain.len());

    // Half of the same profile, plain: still read as a damaged protobuf.
    let cut = dir.join("cut.pb");
    std::fs::write(&cut, &plain[..plain.len() / 2]).unwrap();
    let (ok, _, err) = run(&["top", cut.to_str().unwrap()]);
    assert!(!ok && err.starts_with(&format!("pprof-lsp: {}: malformed protobuf: ", cut.display())), "{err}");
    assert!(err.contains(" at offset "), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Locations without symbols are one row per binary, as pprof lists them:
/// threadcreate's text form has no symbols and no mappings, so its one row
/// is `<unknown>`, holding every sample.
#[test]
fn top_lists_frames_without_symbols_as_pprof_does() {
    let path = fixture("threadcreate.txt");
    let decoded = decode(&read(&path), &DecodeOptions::default()).unwrap();
    let total: i64 = decoded.iter_samples().map(|s| s.values[0]).sum();
    assert!(total > 0);
    for lines in [false, true] {
        let mut args = vec!["top", path.to_str().unwrap()];
        if lines {
            args.push("--lines");
        }
        let (ok, out, err) = run(&args);
        assert!(ok, "{err}");
        let table = table(&out);
        let rows: Vec<Vec<&str>> = table.lines().skip(2).map(|l| l.split_whitespace().collect()).collect();
        let want = [total.to_string(), "100%".into(), "100%".into(), total.to_string(), "100%".into(), "<unknown>".into()];
        assert_eq!(rows, [want.iter().map(String::as_str).collect::<Vec<_>>()], "lines: {lines}\n{out}");
    }
}
