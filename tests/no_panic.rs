//! No byte string panics the decoder or the analysis behind it, and
//! gzipping an input never changes what it decodes to: the checks that
//! stop decompression bombs early refuse nothing a decoder accepts. The
//! same goes for the check of bytes as they arrive (`Incoming`), in
//! pieces of any size.
//!
//! Inputs are random bytes and mutations (bit flips, splices, truncations,
//! line shuffles) of every fixture, plain and gzipped, and of the goroutine
//! dumps on their own. The number of cases
//! is `PPROF_FUZZ_CASES` (default 10,000 per strategy).

mod common;

use std::io::Write;

use flate2::{write::GzEncoder, Compression};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use pprof_lsp::analysis::{self, Index};
use pprof_lsp::profile::{decode, DecodeOptions, Incoming};
use pprof_lsp::report::lines::records;

fn cases() -> u32 {
    std::env::var("PPROF_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)
}

/// Seeds: every fixture profile, gunzipped where it was gzipped.
fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in ["tests/fixtures/profiles", "tests/corpus/google-pprof/profile/testdata"] {
        let Ok(entries) = std::fs::read_dir(common::root().join(dir)) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().is_some_and(|x| x == "string") {
                continue;
            }
            let data = common::read(&path);
            if data.starts_with(&[0x1f, 0x8b]) {
                let mut plain = Vec::new();
                if std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&data[..]), &mut plain).is_ok() {
                    out.push(plain);
                }
            } else if !data.is_empty() {
                out.push(data);
            }
        }
    }
    assert!(out.len() >= 10, "expected fixtures to seed the mutations");
    out
}

/// Decodes and, when that succeeds, runs the full analysis for every
/// sample type; the property is only that nothing panics.
fn exercise(data: &[u8]) -> bool {
    let options = DecodeOptions { max_decompressed_bytes: 64 << 20, ..DecodeOptions::default() };
    let decoded = decode(data, &options);
    let ok = decoded.is_ok();
    if let Ok(p) = decoded {
        let index = Index::build(&p);
        for t in 0..p.sample_types.len() {
            let _ = records(&index, analysis::SampleType(t));
        }
        let _ = analysis::select(&p, None);
    }
    ok
}

/// Whether the arrival check lets `data` through, given in pieces of
/// `piece` bytes.
fn arrives(data: &[u8], piece: usize, options: &DecodeOptions) -> bool {
    let mut check = Incoming::new(options);
    data.chunks(piece.max(1)).all(|chunk| check.take(chunk).is_ok()) && check.finish().is_ok()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[derive(Clone, Debug)]
enum Edit {
    Flip(usize, u8),
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
    DuplicateLine(usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..16)).prop_map(|(i, v)| Edit::Insert(i, v)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Edit::Delete(i, n)),
        any::<usize>().prop_map(Edit::Truncate),
        any::<usize>().prop_map(Edit::DuplicateLine),
    ];
    proptest::collection::vec(edit, 1..8)
}

fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut d = seed.to_vec();
    for e in edits {
        if d.is_empty() {
            break;
        }
        let n = d.len();
        match e {
            Edit::Flip(i, b) => d[i % n] ^= b | 1,
            Edit::Set(i, b) => d[i % n] = *b,
            Edit::Insert(i, v) => {
                let at = i % n;
                d.splice(at..at, v.iter().copied());
            }
            Edit::Delete(i, len) => {
                let at = i % n;
                d.drain(at..(at + len).min(n));
            }
            Edit::Truncate(i) => d.truncate(i % n),
            Edit::DuplicateLine(i) => {
                let at = i % n;
                let start = d[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                let end = d[at..].iter().position(|&b| b == b'\n').map_or(n, |p| at + p + 1);
                let line = d[start..end].to_vec();
                d.splice(end..end, line);
            }
        }
    }
    d
}

fn runner() -> TestRunner {
    TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() })
}

#[test]
fn random_bytes_never_panic() {
    let strategy = proptest::collection::vec(any::<u8>(), 0..2048);
    runner().run(&(strategy, 1usize..300), |(data, piece)| {
        exercise(&data);
        exercise(&gzip(&data));
        arrives(&data, piece, &DecodeOptions::default());
        arrives(&gzip(&data), piece, &DecodeOptions::default());
        Ok(())
    })
    .unwrap();
}

/// Runs `check` on every case of `strategy`; `check` says whether its
/// input decoded. Mutations must reach the analysis, not only the format
/// checks, so at least a tenth of the cases must decode.
fn mostly_decoding<S: Strategy>(strategy: S, check: impl Fn(S::Value) -> Result<bool, TestCaseError>) {
    let decoded = std::cell::Cell::new(0u32);
    runner()
        .run(&strategy, |value| {
            if check(value)? {
                decoded.set(decoded.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    assert!(decoded.get() >= cases() / 10, "only {} of {} mutated inputs decoded", decoded.get(), cases());
}

#[test]
fn mutated_fixtures_never_panic() {
    let seeds = seeds();
    mostly_decoding((0..seeds.len(), edits(), any::<bool>()), |(i, edits, zipped)| {
        let data = apply(&seeds[i], &edits);
        Ok(exercise(&if zipped { gzip(&data) } else { data }))
    });
}

/// The goroutine dumps alone (`?debug=2` output and crash logs, see
/// `tests/goroutine_dumps.rs`): their decoder reads them line by line and
/// drops what it cannot read, so mutations must reach it often.
#[test]
fn mutated_goroutine_dumps_never_panic() {
    let dir = common::root().join("tests/fixtures/profiles");
    let seeds: Vec<Vec<u8>> = ["goleak.goroutineleak.debug2.txt", "goleak.goroutine.debug2.txt", "crash.goroutines.txt", "crash.goroutines.system.txt"]
        .iter()
        .map(|name| common::read(&dir.join(name)))
        .collect();
    mostly_decoding((0..seeds.len(), edits(), any::<bool>()), |(i, edits, zipped)| {
        let data = apply(&seeds[i], &edits);
        Ok(exercise(&if zipped { gzip(&data) } else { data }))
    });
}

#[test]
fn text_headers_with_random_bodies_never_panic() {
    let headers: [&[u8]; 9] = [
        b"heap profile: 1: 2 [3: 4] @ heap/1024\n",
        b"goroutine profile: total 3\n",
        b"threadcreate profile: total 1\n",
        b"--- mutex:\ncycles/second=1000\nsampling period=1\n",
        b"--- contention:\ncycles/second=1000\n",
        b"heap profile: 1: 2 [3: 4] @ heapz_v2/524288\n",
        b"--- contentionz 1 ---\n",
        b"goroutine 1 [chan send (leaked), 3 minutes] {a: b}:\nmain.f(0x1)\n\t/m.go:3 +0x1\n",
        b"panic: x\n\ngoroutine 2 gp=0x1 m=nil [select]:\n",
    ];
    let alphabet: Vec<u8> = b"0123456789abcdefx@#:[] \t\n-+./=labels{}\"\\(),".to_vec();
    let body = proptest::collection::vec(proptest::sample::select(alphabet), 0..400);
    runner().run(&(0..headers.len(), body), |(h, body)| {
        let mut data = headers[h].to_vec();
        data.extend(body);
        exercise(&data);
        Ok(())
    })
    .unwrap();
}

/// Decodes `data` plain and gzipped, and requires the same profile from
/// both whenever the plain form decodes.
fn same_when_gzipped(data: &[u8], options: &DecodeOptions) -> Result<bool, TestCaseError> {
    let Ok(plain) = decode(data, options) else { return Ok(false) };
    let zipped = decode(&gzip(data), options);
    prop_assert_eq!(zipped.as_ref().map_err(|e| e.to_string()), Ok(&plain), "{} bytes", data.len());
    Ok(true)
}

#[test]
fn gzip_refuses_nothing_that_decodes_plain() {
    let seeds = seeds();
    let options = DecodeOptions::default();
    mostly_decoding((0..seeds.len(), edits()), |(i, edits)| same_when_gzipped(&apply(&seeds[i], &edits), &options));
}

#[test]
fn the_arrival_check_refuses_nothing_that_decodes() {
    let seeds = seeds();
    let options = DecodeOptions::default();
    mostly_decoding((0..seeds.len(), edits(), any::<bool>(), 1usize..5000), |(i, edits, zipped, piece)| {
        let data = apply(&seeds[i], &edits);
        let data = if zipped { gzip(&data) } else { data };
        let decoded = decode(&data, &options).is_ok();
        prop_assert!(!decoded || arrives(&data, piece, &options), "{} bytes in pieces of {piece}", data.len());
        Ok(decoded)
    });
}

/// Every fixture, with the smallest buffer: output past 64 KiB is checked
/// without being kept, then inflated again. Each also passes the arrival
/// check, plain and gzipped, a byte at a time and in larger pieces.
#[test]
fn every_fixture_decodes_the_same_gzipped() {
    let small_buffer = DecodeOptions { max_buffered_bytes: 0, ..DecodeOptions::default() };
    let mut decoded = 0;
    for seed in seeds() {
        for options in [&DecodeOptions::default(), &small_buffer] {
            if same_when_gzipped(&seed, options).unwrap() {
                decoded += 1;
                for piece in [1, 1000, 1 << 16] {
                    assert!(arrives(&seed, piece, options), "{} bytes in pieces of {piece}", seed.len());
                    assert!(arrives(&gzip(&seed), piece, options), "{} bytes gzipped, in pieces of {piece}", seed.len());
                }
            }
        }
    }
    assert!(decoded >= 20, "only {decoded} fixtures decoded");
}
