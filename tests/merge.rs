//! Merging, on every protobuf fixture profile and every sample type: one
//! profile merged alone keeps every line's flat and cum; a profile merged
//! with itself doubles them; and the merge of several profiles of the same
//! types has at each line the sum of their values (a line's cum counts a
//! sample once, so it adds up across profiles as flat does). Whether the
//! tables then equal pprof's is `tests/golden.rs`'s and `tests/cli.rs`'s
//! question, on the goldens of a merge.

mod common;

use std::collections::BTreeMap;

use common::{fixture, read};
use pprof_lsp::analysis::{merge, Index, SampleType};
use pprof_lsp::profile::{decode, DecodeOptions, Profile};
use pprof_lsp::report::lines::records;

fn load(name: &str) -> Profile {
    decode(&read(&fixture(name)), &DecodeOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(common::root().join("tests/fixtures/profiles"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pb.gz"))
        .collect();
    names.sort();
    names
}

/// Every line's (flat, cum) of every sample type, by type name and
/// `function file:line`, leaving out lines of no value.
type Lines = BTreeMap<(String, String), (i64, i64)>;

fn lines(p: &Profile) -> Lines {
    let index = Index::build(p);
    let mut out = Lines::new();
    for (t, ty) in p.sample_types.iter().enumerate() {
        for r in records(&index, SampleType(t)) {
            if (r.flat, r.cum) != (0, 0) {
                let key = (ty.name.clone(), format!("{} {}:{}", r.function, r.file, r.line));
                let sum = out.entry(key).or_default();
                *sum = (sum.0 + r.flat, sum.1 + r.cum);
            }
        }
    }
    out
}

/// `times` × each value of `a`, plus `b`'s.
fn add(a: &Lines, times: i64, b: &Lines) -> Lines {
    let mut out = b.clone();
    for (k, (flat, cum)) in a {
        let sum = out.entry(k.clone()).or_default();
        *sum = (sum.0 + times * flat, sum.1 + times * cum);
    }
    out.retain(|_, v| *v != (0, 0));
    out
}

#[test]
fn one_profile_keeps_and_itself_twice_doubles_every_lines_values() {
    let names = fixtures();
    assert!(names.len() >= 10, "{names:?}");
    for name in names {
        let p = load(&name);
        let want = lines(&p);
        assert!(!want.is_empty(), "{name} has lines");
        assert_eq!(lines(&merge(&[&p]).unwrap()), want, "{name} merged alone");
        let twice = merge(&[&p, &p]).unwrap();
        assert_eq!(lines(&twice), add(&want, 2, &Lines::new()), "{name} merged with itself");
        // Equal stacks are one sample: as many as the profile has distinct.
        assert!(twice.samples.len() <= p.samples.len(), "{name}");
    }
}

#[test]
fn the_merge_of_several_profiles_adds_their_lines_up() {
    for group in [&["heap", "heap2", "allocs", "split.heap2", "windows.heap"][..], &["mutex", "block"], &["goroutine", "goleak.goroutine"]] {
        let profiles: Vec<Profile> = group.iter().map(|stem| load(&format!("{stem}.pb.gz"))).collect();
        let merged = merge(&profiles.iter().collect::<Vec<_>>()).unwrap_or_else(|e| panic!("{group:?}: {e}"));
        let want = profiles.iter().fold(Lines::new(), |sum, p| add(&lines(p), 1, &sum));
        assert_eq!(lines(&merged), want, "{group:?}");
    }
}
