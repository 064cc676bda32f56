//! Go's debug=1 text profiles, read through their `#` symbol lines without
//! the binary, give the same per-line costs as the protobuf written from
//! the same program state.
//!
//! Two known differences, both from how Go writes the text:
//! * generic functions are named `F[...]` in text and `F[go.shape.int]` in
//!   protobuf, so names are compared with type arguments elided;
//! * goroutine, mutex and block text hides leaf-end runtime frames behind
//!   bare addresses, so those rows appear as address-only rows; only the
//!   program's own rows are compared there, plus the total.

mod common;

use std::collections::BTreeMap;

use common::{fixture, read};
use pprof_lsp::analysis::{self, Index};
use pprof_lsp::profile::{decode, DecodeOptions};
use pprof_lsp::report::lines::records;

type Rows = BTreeMap<(String, i64, String), (i64, i64)>;

fn elide_type_arguments(name: &str) -> String {
    match (name.find('['), name.rfind(']')) {
        (Some(a), Some(b)) if a < b => format!("{}[...]{}", &name[..a], &name[b + 1..]),
        _ => name.to_string(),
    }
}

fn rows(file: &str, sample_type: &str) -> (Rows, i64) {
    let p = decode(&read(&fixture(file)), &DecodeOptions::default()).unwrap_or_else(|e| panic!("{file}: {e}"));
    let t = analysis::select(&p, Some(sample_type)).unwrap();
    let index = Index::build(&p);
    let rows = records(&index, t)
        .into_iter()
        .map(|r| ((r.file, r.line, elide_type_arguments(&r.function)), (r.flat, r.cum)))
        .collect();
    (rows, index.total(t))
}

fn own_code(key: &(String, i64, String)) -> bool {
    key.2.starts_with("pprofdemo/")
}

fn assert_same(text: &str, proto: &str, sample_type: &str, keep: fn(&(String, i64, String)) -> bool) {
    let (t_rows, t_total) = rows(text, sample_type);
    let (p_rows, p_total) = rows(proto, sample_type);
    assert_eq!(t_total, p_total, "{text} vs {proto} total ({sample_type})");
    let t_rows: Rows = t_rows.into_iter().filter(|(k, _)| keep(k)).collect();
    let p_rows: Rows = p_rows.into_iter().filter(|(k, _)| keep(k)).collect();
    assert!(p_rows.len() >= 3, "{proto} {sample_type}: too few rows compared ({})", p_rows.len());
    assert_eq!(t_rows, p_rows, "{text} vs {proto} ({sample_type})");
}

#[test]
fn heap_text_equals_protobuf_for_every_row_and_type() {
    for t in ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"] {
        assert_same("heap.txt", "heap.pb.gz", t, |_| true);
        assert_same("allocs.txt", "allocs.pb.gz", t, |_| true);
        assert_same("windows.heap.txt", "windows.heap.pb.gz", t, |_| true);
        assert_same("trimpath.heap.txt", "trimpath.heap.pb.gz", t, |_| true);
    }
}

#[test]
fn mutex_and_block_text_equal_protobuf() {
    for t in ["contentions", "delay"] {
        assert_same("mutex.txt", "mutex.pb.gz", t, |_| true);
        assert_same("block.txt", "block.pb.gz", t, |_| true);
    }
}

#[test]
fn goroutine_text_equals_protobuf_for_the_programs_own_code() {
    assert_same("goroutine.txt", "goroutine.pb.gz", "goroutine", own_code);
}

#[test]
fn goroutine_text_keeps_hidden_runtime_frames_as_addresses() {
    let (text_rows, _) = rows("goroutine.txt", "goroutine");
    let (proto_rows, _) = rows("goroutine.pb.gz", "goroutine");
    // Flat of parked goroutines lands on runtime frames such as
    // `runtime.gopark` in protobuf and on their bare addresses in text.
    let flat_of = |rows: &Rows, pick: fn(&(String, i64, String)) -> bool| -> i64 {
        rows.iter().filter(|(k, _)| pick(k)).map(|(_, v)| v.0).sum()
    };
    let text_hidden = flat_of(&text_rows, |k| k.0.is_empty());
    let proto_runtime = flat_of(&proto_rows, |k| k.2.starts_with("runtime."));
    assert!(proto_runtime > 0);
    assert_eq!(text_hidden, proto_runtime);
}
