//! Every node of every fixture profile, for every sample type, must equal
//! what `go tool pprof -lines -top` (and `-top` for functions) reported.
//! Goldens are recorded by `scripts/regen-fixtures.sh`.

mod common;

use std::collections::BTreeMap;

use common::{fixture, golden_dir, parse_top, read, TopRow};
use pprof_lsp::analysis::{self, Index};
use pprof_lsp::profile::{decode, DecodeOptions, Profile};
use pprof_lsp::report::lines::records;
use pprof_lsp::report::names::display_name as pprof_display_name;

fn load(name: &str) -> Profile {
    decode(&read(&fixture(name)), &DecodeOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Our rows in the golden's key format: `function file:line`.
fn our_line_rows(index: &Index, t: analysis::SampleType) -> BTreeMap<String, TopRow> {
    let mut rows = BTreeMap::new();
    for r in records(index, t) {
        let key = format!("{} {}:{}", pprof_display_name(&r.function), r.file, r.line);
        assert!(rows.insert(key.clone(), TopRow { flat: r.flat, cum: r.cum }).is_none(), "duplicate {key}");
    }
    rows
}

fn our_function_rows(index: &Index, t: analysis::SampleType) -> BTreeMap<String, TopRow> {
    index
        .function_ids()
        .map(|f| (pprof_display_name(&index.function(f).name).into_owned(), index.function_cost(f, t)))
        .filter(|(_, c)| !c.is_zero())
        .map(|(n, c)| (n, TopRow { flat: c.flat, cum: c.cum }))
        .collect()
}

fn compare(what: &str, ours: &BTreeMap<String, TopRow>, golden: &BTreeMap<String, TopRow>) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, want) in golden {
        match ours.get(name) {
            None => problems.push(format!("{what}: missing row {name} {want:?}")),
            Some(got) if got != want => problems.push(format!("{what}: {name}: got {got:?}, pprof {want:?}")),
            _ => {}
        }
    }
    for name in ours.keys().filter(|n| !golden.contains_key(*n)) {
        problems.push(format!("{what}: extra row {name} {:?}", ours[name]));
    }
    problems
}

/// Goldens named `<stem>.<type>.<lines|functions>.top.txt`.
fn goldens() -> Vec<(String, String, String, std::path::PathBuf)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(golden_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(base) = name.strip_suffix(".top.txt") else { continue };
        let (rest, kind) = base.rsplit_once('.').unwrap();
        let (stem, sample_type) = rest.rsplit_once('.').unwrap();
        out.push((stem.to_string(), sample_type.to_string(), kind.to_string(), path));
    }
    out.sort();
    out
}

#[test]
fn every_node_matches_pprof_for_every_sample_type() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for (stem, sample_type, kind, path) in goldens() {
        let golden = parse_top(&String::from_utf8(read(&path)).unwrap());
        let index = match stem.split_once("-diff-") {
            Some((new, base)) => Index::build_diff(&load(&format!("{new}.pb.gz")), &load(&format!("{base}.pb.gz"))).unwrap(),
            None => Index::build(&load(&format!("{stem}.pb.gz"))),
        };
        let profile_types: Vec<String> = index.sample_types().iter().map(|t| t.name.clone()).collect();
        let t = analysis::SampleType(profile_types.iter().position(|n| *n == sample_type).unwrap());
        let what = path.file_name().unwrap().to_string_lossy().to_string();
        if index.total(t) != golden.total {
            problems.push(format!("{what}: total {} != pprof {}", index.total(t), golden.total));
        }
        let ours = if kind == "lines" { our_line_rows(&index, t) } else { our_function_rows(&index, t) };
        problems.extend(compare(&what, &ours, &golden.rows));
        checked += golden.rows.len();
    }
    assert!(checked > 500, "only {checked} golden rows were checked");
    assert!(problems.is_empty(), "{} mismatches:\n{}", problems.len(), problems.join("\n"));
}

/// Every sample type of every protobuf fixture has its goldens.
#[test]
fn goldens_cover_every_sample_type() {
    let have: Vec<(String, String, String)> = goldens().into_iter().map(|(s, t, k, _)| (s, t, k)).collect();
    for entry in std::fs::read_dir(common::root().join("tests/fixtures/profiles")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".pb.gz") else { continue };
        for t in load(&name).sample_types {
            for kind in ["lines", "functions"] {
                assert!(
                    have.contains(&(stem.to_string(), t.name.clone(), kind.to_string())),
                    "no {kind} golden for {stem} {}",
                    t.name
                );
            }
        }
    }
}
