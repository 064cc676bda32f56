//! The command line, run as a real process: its tables equal pprof's, and
//! every failure is one line on stderr with a non-zero exit.

mod common;

use std::process::Command;

use common::demo::{init_row, inuse, CATALOG};
use common::{fixture, golden_dir, root};

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pprof-lsp")).args(args).current_dir(root()).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The table from the "Showing nodes" line on (headers carry times and build ids).
fn table(text: &str) -> String {
    text.lines().skip_while(|l| !l.starts_with("Showing nodes")).collect::<Vec<_>>().join("\n")
}

#[test]
fn top_prints_pprofs_table() {
    for (file, t, unit, golden) in [
        ("heap.pb.gz", "inuse_space", "B", "heap.inuse_space.lines.top.txt"),
        ("cpu.pb.gz", "cpu", "ns", "cpu.cpu.lines.top.txt"),
        ("mutex.pb.gz", "delay", "ns", "mutex.delay.lines.top.txt"),
    ] {
        let (ok, out, err) = run(&["top", "--lines", "--sample-index", t, "--unit", unit, fixture(file).to_str().unwrap()]);
        assert!(ok, "{err}");
        let want = std::fs::read_to_string(golden_dir().join(golden)).unwrap();
        assert_eq!(table(&out), table(&want), "{file} {t}");
    }
}

#[test]
fn top_functions_and_diff_print_pprofs_table() {
    let (ok, out, err) = run(&["top", "--sample-index", "alloc_space", "--unit", "B", fixture("heap.pb.gz").to_str().unwrap()]);
    assert!(ok, "{err}");
    let want = std::fs::read_to_string(golden_dir().join("heap.alloc_space.functions.top.txt")).unwrap();
    assert_eq!(table(&out), table(&want));

    let base = fixture("heap.pb.gz");
    let (ok, out, err) = run(&[
        "top", "--lines", "--sample-index", "inuse_space", "--unit", "B", "--diff-base", base.to_str().unwrap(),
        fixture("heap2.pb.gz").to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let want = std::fs::read_to_string(golden_dir().join("heap2-diff-heap.inuse_space.lines.top.txt")).unwrap();
    assert_eq!(table(&out), table(&want));
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
        (vec!["top", "/nonexistent/x.pb.gz"], "/nonexistent/x.pb.gz: cannot read"),
        (vec!["top", garbage.to_str().unwrap()], garbage.to_str().unwrap()),
        (vec!["top", "--sample-index", "cpu", heap.to_str().unwrap()], "sample type \"cpu\" is not in this profile"),
        (vec!["list", "(", heap.to_str().unwrap()], "bad regex"),
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

#[test]
fn top_lists_frames_without_symbols_by_address() {
    // threadcreate's text form carries no symbols: every frame is 0x0.
    for lines in [false, true] {
        let path = fixture("threadcreate.txt");
        let mut args = vec!["top", path.to_str().unwrap()];
        if lines {
            args.push("--lines");
        }
        let (ok, out, err) = run(&args);
        assert!(ok, "{err}");
        let table = table(&out);
        let rows: Vec<&str> = table.lines().skip(2).collect();
        assert_eq!(rows, vec!["         5   100%   100%          5   100%  0x0"], "lines: {lines}\n{out}");
    }
}
