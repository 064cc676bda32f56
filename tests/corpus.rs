//! Conformance with pprof on its own test profiles.
//!
//! Every input under `tests/corpus/google-pprof` is decoded and rendered
//! in the layout of pprof's `Profile.String()`; the rendering must equal
//! pprof's, line for line: period type and period, duration, sample types,
//! every sample's values, location ids and numeric labels, every location's
//! id, address, mapping id and symbol lines, and every mapping. Inputs pprof
//! rejects must be rejected too, with the message given here.

mod common;
#[path = "common/debug_string.rs"]
mod debug_string;

use std::io::Read;
use std::path::Path;

use pprof_lsp::profile::{decode, DecodeError, DecodeOptions, Profile};

use debug_string::debug_string;

enum Expect {
    /// pprof's rendering, relative to `tests/corpus`.
    Rendering(&'static str),
    /// Rejected, with this text in the error message.
    Error(&'static str),
}

fn corpus() -> std::path::PathBuf {
    common::root().join("tests/corpus")
}

fn read(path: &Path) -> Vec<u8> {
    let bytes = common::read(path);
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut out).expect("gzipped expectation");
        return out;
    }
    bytes
}

fn decode_file(file: &str) -> Result<Profile, DecodeError> {
    decode(&read(&corpus().join("google-pprof").join(file)), &DecodeOptions::default())
}

fn check(file: &str, expect: Expect) {
    let result = decode_file(file);
    match expect {
        Expect::Error(text) => match result {
            Ok(p) => panic!("{file}: pprof rejects this file, but it decoded into {} samples", p.samples.len()),
            Err(e) => {
                assert!(e.to_string().contains(text), "{file}: error {:?} does not mention {text:?}", e.to_string())
            }
        },
        Expect::Rendering(expected_path) => {
            let profile = result.unwrap_or_else(|e| panic!("{file}: {e}"));
            let expected = String::from_utf8(read(&corpus().join(expected_path))).expect("utf-8 rendering");
            let actual = debug_string(&profile);
            if actual != expected {
                panic!("{file}: rendering differs from {expected_path}\n{}", first_difference(&expected, &actual));
            }
        }
    }
}

/// Names the first differing line, with a little context.
fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let n = e.iter().zip(&a).position(|(x, y)| x != y).unwrap_or(e.len().min(a.len()));
    let show = |lines: &[&str]| lines.iter().skip(n.saturating_sub(2)).take(5).cloned().collect::<Vec<_>>().join("\n");
    format!(
        "first difference at line {} (expected {} lines, got {})\n--- expected\n{}\n--- actual\n{}",
        n + 1,
        e.len(),
        a.len(),
        show(&e),
        show(&a)
    )
}

macro_rules! corpus_cases {
    ($($name:ident: $file:literal => $expect:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check($file, $expect);
            }
        )*

        /// Every input the cases above cover.
        const COVERED: &[&str] = &[$($file),*];
    };
}

use Expect::{Error, Rendering};

corpus_cases! {
    // Legacy text and binary formats, against pprof's own `.string` files.
    cppbench_contention: "profile/testdata/cppbench.contention"
        => Rendering("google-pprof/profile/testdata/cppbench.contention.string");
    cppbench_cpu: "profile/testdata/cppbench.cpu" => Rendering("google-pprof/profile/testdata/cppbench.cpu.string");
    cppbench_growth: "profile/testdata/cppbench.growth"
        => Rendering("google-pprof/profile/testdata/cppbench.growth.string");
    cppbench_heap: "profile/testdata/cppbench.heap" => Rendering("google-pprof/profile/testdata/cppbench.heap.string");
    cppbench_thread: "profile/testdata/cppbench.thread"
        => Rendering("google-pprof/profile/testdata/cppbench.thread.string");
    cppbench_thread_all: "profile/testdata/cppbench.thread.all"
        => Rendering("google-pprof/profile/testdata/cppbench.thread.all.string");
    cppbench_thread_none: "profile/testdata/cppbench.thread.none"
        => Rendering("google-pprof/profile/testdata/cppbench.thread.none.string");
    go_crc32_cpu: "profile/testdata/go.crc32.cpu" => Rendering("google-pprof/profile/testdata/go.crc32.cpu.string");
    go_godoc_thread: "profile/testdata/go.godoc.thread"
        => Rendering("google-pprof/profile/testdata/go.godoc.thread.string");
    gobench_cpu: "profile/testdata/gobench.cpu" => Rendering("google-pprof/profile/testdata/gobench.cpu.string");
    gobench_heap: "profile/testdata/gobench.heap" => Rendering("google-pprof/profile/testdata/gobench.heap.string");
    java_contention: "profile/testdata/java.contention"
        => Rendering("google-pprof/profile/testdata/java.contention.string");
    java_cpu: "profile/testdata/java.cpu" => Rendering("google-pprof/profile/testdata/java.cpu.string");
    java_heap: "profile/testdata/java.heap" => Rendering("google-pprof/profile/testdata/java.heap.string");

    // Legacy inputs of pprof's driver tests, against pprof's rendering.
    driver_cppbench_contention: "internal/driver/testdata/cppbench.contention"
        => Rendering("expected/internal/driver/testdata/cppbench.contention.string");
    driver_cppbench_small_contention: "internal/driver/testdata/cppbench.small.contention"
        => Rendering("expected/internal/driver/testdata/cppbench.small.contention.string");
    driver_cppbench_cpu: "internal/driver/testdata/cppbench.cpu"
        => Rendering("expected/internal/driver/testdata/cppbench.cpu.string");
    driver_go_crc32_cpu: "internal/driver/testdata/go.crc32.cpu"
        => Rendering("expected/internal/driver/testdata/go.crc32.cpu.string");

    // Protobuf (plain and gzipped).
    driver_cppbench_cpu_no_samples_type: "internal/driver/testdata/cppbench.cpu_no_samples_type"
        => Rendering("expected/internal/driver/testdata/cppbench.cpu_no_samples_type.string");
    driver_go_nomappings_crash: "internal/driver/testdata/go.nomappings.crash"
        => Rendering("expected/internal/driver/testdata/go.nomappings.crash.string");
    report_sample_cpu: "internal/report/testdata/sample.cpu"
        => Rendering("expected/internal/report/testdata/sample.cpu.string");
    proftest_large_cpu: "internal/proftest/testdata/large.cpu"
        => Rendering("expected/internal/proftest/testdata/large.cpu.string.gz");
    fuzz_cppbench_cpu_pb: "fuzz/corpus/cppbench.cpu.pb" => Rendering("expected/fuzz/corpus/cppbench.cpu.pb.string");
    fuzz_go_crc32_cpu_pb: "fuzz/corpus/go.crc32.cpu.pb" => Rendering("expected/fuzz/corpus/go.crc32.cpu.pb.string");
    fuzz_gobench_cpu_pb: "fuzz/corpus/gobench.cpu.pb" => Rendering("expected/fuzz/corpus/gobench.cpu.pb.string");
    fuzz_java_cpu_pb: "fuzz/corpus/java.cpu.pb" => Rendering("expected/fuzz/corpus/java.cpu.pb.string");

    // Inputs pprof rejects.
    fuzz_empty: "fuzz/corpus/empty" => Error("empty");
    fuzz_java_heap_zero_count: "fuzz/testdata/7e3c92482f6f39fc502b822ded792c589849cca8"
        => Error("line 2: the object count (second number) must not be 0");
}

/// A new corpus file must get a case of its own.
#[test]
fn every_corpus_input_has_a_case() {
    let root = corpus().join("google-pprof");
    let mut missing = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus directory").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&root).expect("under root").to_string_lossy().replace('\\', "/");
            let is_data = !rel.ends_with(".string") && rel != "LICENSE" && rel != "README.md";
            if is_data && !COVERED.contains(&rel.as_str()) {
                missing.push(rel);
            }
        }
    }
    assert!(missing.is_empty(), "corpus inputs without a test case: {missing:?}");
}

/// Every truncation of every legacy input decodes or fails cleanly.
#[test]
fn truncated_legacy_inputs_do_not_panic() {
    for file in COVERED.iter().filter(|f| f.starts_with("profile/testdata/")) {
        let data = read(&corpus().join("google-pprof").join(file));
        let step = (data.len() / 300).max(1);
        for end in (0..data.len()).step_by(step) {
            let _ = decode(&data[..end], &DecodeOptions::default());
        }
    }
}
