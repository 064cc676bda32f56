//! Every fixture profile, for every sample type, against the
//! `go tool pprof -top` output recorded by `scripts/regen-fixtures.sh`:
//!
//! * the complete table, header included, rendered by `report::top` with
//!   the options the golden was recorded with, byte for byte, for every
//!   golden (all rows; pprof's defaults; `-nodefraction=0`, every row
//!   with edges trimmed; `-cum -nodecount=10`; line and function
//!   granularity; the diffs; the filter cases of
//!   `tests/fixtures/filters.txt`, through `analysis::filter`);
//! * every row of the all-row goldens against the index's own numbers
//!   (nodes for `-lines`, functions otherwise), which names the row that
//!   differs.

mod common;

use std::collections::{BTreeMap, HashMap};

use common::{all_top_goldens, filter_cases, filter_goldens, fixture, parse_top, read, top_goldens, TopGoldenFile, TopRow, Variant};
use pprof_lsp::analysis::filter::{unfiltered_total, Filter};
use pprof_lsp::analysis::names::display_name as pprof_display_name;
use pprof_lsp::analysis::{self, merge, Filters, Index};
use pprof_lsp::profile::{decode, DecodeOptions, Profile};
use pprof_lsp::report::lines::records;
use pprof_lsp::report::top::{render, TopOptions};

fn load(name: &str) -> Profile {
    decode(&read(&fixture(name)), &DecodeOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A golden's profiles and their index, loaded once per stem and filter
/// case; with filters, the filtered profiles.
struct Loaded {
    profiles: Vec<Profile>,
    index: Index,
    filters: Filters,
    /// With filters, pprof's total of each sample type: the unfiltered
    /// profiles'.
    totals: Option<Vec<i64>>,
}

impl Loaded {
    fn total(&self, t: analysis::SampleType) -> i64 {
        self.totals.as_ref().map_or_else(|| self.index.total(t), |totals| totals[t.0])
    }
}

fn load_stem(golden: &TopGoldenFile) -> Loaded {
    let (sources, base) = golden.profiles();
    // Several sources are merged into one profile, as pprof merges them.
    let sources: Vec<Profile> = sources.iter().map(|name| load(name)).collect();
    let profile = merge(&sources.iter().collect::<Vec<_>>()).unwrap_or_else(|e| panic!("{}: {e}", golden.name()));
    let mut profiles: Vec<Profile> = std::iter::once(profile).chain(base.map(|name| load(&name))).collect();
    let filters = common::filter_case(golden).map(|c| c.filters()).unwrap_or_default();
    let mut totals = None;
    if !filters.is_empty() {
        let refs: Vec<&Profile> = profiles.iter().collect();
        let filter = Filter::new(&filters, &refs).unwrap_or_else(|e| panic!("{}: {e}", golden.name()));
        let types = 0..profiles[0].sample_types.len();
        totals = Some(types.map(|t| unfiltered_total(&profiles[0], profiles.get(1), analysis::SampleType(t))).collect());
        let base = profiles.get(1).map(|b| filter.apply_base(b).profile);
        profiles = std::iter::once(filter.apply(&profiles[0]).profile).chain(base).collect();
    }
    let index = match &profiles[..] {
        [p] => Index::build(p),
        [p, base] => Index::build_diff(p, base).unwrap(),
        _ => unreachable!(),
    };
    Loaded { profiles, index, filters, totals }
}

/// The options `go tool pprof` was run with for this golden.
fn options(golden: &TopGoldenFile, unit: &str, loaded: &Loaded, t: analysis::SampleType) -> TopOptions {
    let mut o = TopOptions::default();
    o.ranking.lines = golden.lines;
    match golden.variant {
        Variant::Full => {
            o.ranking.node_count = Some(1_000_000);
            o.ranking.node_fraction = 0.0;
            o.ranking.edge_fraction = 0.0;
            o.unit = Some(common::exact_unit(unit).to_string());
        }
        Variant::Default => {}
        Variant::NodeFraction0 => o.ranking.node_fraction = 0.0,
        Variant::Cum10 => {
            o.ranking.by_cum = true;
            o.ranking.node_count = Some(10);
        }
    }
    o.filters = loaded.filters.clone();
    o.total = loaded.totals.as_ref().map(|_| loaded.total(t));
    o
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
    let mut rows = BTreeMap::new();
    for f in index.function_ids() {
        let c = index.function_cost(f, t);
        if c.is_zero() {
            continue;
        }
        let name = pprof_display_name(&index.function(f).name).into_owned();
        assert!(rows.insert(name.clone(), TopRow { flat: c.flat, cum: c.cum }).is_none(), "duplicate {name}");
    }
    rows
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

/// The first line where two texts differ, both ways.
fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let i = w.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let at = |v: &[&str]| v.get(i).map_or("<end>".to_string(), |l| format!("{l:?}"));
    format!("line {}: pprof {}, ours {}", i + 1, at(&w), at(&g))
}

#[test]
fn every_table_and_row_matches_pprof() {
    let mut loaded: HashMap<(String, Option<String>), Loaded> = HashMap::new();
    let mut problems = Vec::new();
    let (mut tables, mut rows, mut filtered) = (0, 0, 0);
    for golden in all_top_goldens() {
        let key = (golden.stem.clone(), golden.filter.clone());
        let l = loaded.entry(key).or_insert_with(|| load_stem(&golden));
        let what = golden.name();
        let want = String::from_utf8(read(&golden.path)).unwrap();
        let Ok(t) = analysis::select(&l.profiles[0], golden.sample_index()) else {
            problems.push(format!("{what}: the profile has no sample type {}", golden.sample_type));
            continue;
        };
        let ti = t.0;
        let unit = l.index.sample_types()[ti].unit.clone();

        let profiles: Vec<&Profile> = l.profiles.iter().collect();
        let got = render(&l.index, &profiles, t, &options(&golden, &unit, l, t));
        if got != want {
            problems.push(format!("{what}: table differs at {}", first_difference(&want, &got)));
        }
        tables += 1;
        filtered += usize::from(golden.filter.is_some());

        if golden.variant == Variant::Full {
            let parsed = parse_top(&want);
            if l.total(t) != parsed.total {
                problems.push(format!("{what}: total {} != pprof {}", l.total(t), parsed.total));
            }
            let ours = if golden.lines { our_line_rows(&l.index, t) } else { our_function_rows(&l.index, t) };
            problems.extend(compare(&what, &ours, &parsed.rows));
            rows += parsed.rows.len();
        }
    }
    assert!(tables > 250 && rows > 1000, "only {tables} tables and {rows} rows were checked");
    assert_eq!(filtered, filter_cases().len() * 4, "every filter case has four goldens");
    assert!(problems.is_empty(), "{} mismatches:\n{}", problems.len(), problems.join("\n"));
}

/// Every sample type of every protobuf fixture has its goldens, in every
/// variant and at both granularities.
#[test]
fn goldens_cover_every_sample_type() {
    let have: Vec<(String, String, bool, Variant)> =
        top_goldens().into_iter().map(|g| (g.stem, g.sample_type, g.lines, g.variant)).collect();
    for entry in std::fs::read_dir(common::root().join("tests/fixtures/profiles")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".pb.gz") else { continue };
        for t in load(&name).sample_types {
            for lines in [true, false] {
                for variant in Variant::ALL {
                    assert!(
                        have.contains(&(stem.to_string(), t.name.clone(), lines, variant)),
                        "no {variant:?} golden for {stem} {} (lines: {lines})",
                        t.name
                    );
                }
            }
        }
    }
}

/// Every case of `tests/fixtures/filters.txt` has its four goldens (both
/// granularities, every row and pprof's defaults), and every filter golden
/// is one of them.
#[test]
fn every_filter_case_has_its_goldens() {
    let cases = filter_cases();
    let goldens = filter_goldens();
    for case in &cases {
        for lines in [true, false] {
            for variant in [Variant::Full, Variant::Default] {
                let found = goldens.iter().any(|g| {
                    g.filter.as_deref() == Some(case.name.as_str())
                        && (g.stem.as_str(), g.sample_type.as_str(), g.lines, g.variant) == (case.stem.as_str(), case.sample_type.as_str(), lines, variant)
                });
                assert!(found, "no {variant:?} golden for filter case {} (lines: {lines})", case.name);
            }
        }
    }
    assert_eq!(goldens.len(), cases.len() * 4, "filter goldens without a case in filters.txt");
    // No two cases record the same filters on the same profile and type.
    let distinct: std::collections::HashSet<(String, String, String)> =
        cases.iter().map(|c| (c.stem.clone(), c.sample_type.clone(), c.filters().to_string())).collect();
    assert_eq!(distinct.len(), cases.len());
}

/// `split.heap2.pb.gz` has the shape it is kept for: a function recorded
/// under two file names, both used by locations, which the index holds as
/// one function.
#[test]
fn the_split_fixture_files_a_function_under_two_names() {
    let p = load("split.heap2.pb.gz");
    let mut files: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in p.locations.iter().flat_map(|l| &l.lines) {
        let f = p.function(line.function);
        let seen = files.entry(&f.name).or_default();
        if !seen.contains(&f.filename.as_str()) {
            seen.push(&f.filename);
        }
    }
    let split: Vec<&str> = files.iter().filter(|(_, v)| v.len() > 1).map(|(n, _)| *n).collect();
    assert!(!split.is_empty(), "no function is recorded under two file names");
    let index = Index::build(&p);
    for name in split {
        let ids: Vec<_> = index.function_ids().filter(|&f| index.function(f).name == name).collect();
        assert_eq!(ids.len(), 1, "{name} is not one function");
        assert_eq!(index.function_files(ids[0]).len(), files[name].len(), "{name}");
    }
}

/// Every case of `tests/fixtures/peeks.txt` against its `go tool pprof
/// -peek` golden, byte for byte; and every peek golden has a case.
#[test]
fn peek_goldens() {
    let cases = common::peek_cases();
    assert!(!cases.is_empty());
    for case in &cases {
        let (new, base) = case.profiles();
        let profiles: Vec<Profile> = std::iter::once(load(&new)).chain(base.map(|b| load(&b))).collect();
        let refs: Vec<&Profile> = profiles.iter().collect();
        let index = match &refs[..] {
            [p] => Index::build(p),
            [p, b] => Index::build_diff(p, b).unwrap(),
            _ => unreachable!(),
        };
        let t = analysis::select(&profiles[0], Some(&case.sample_type)).unwrap();
        let regex = regex::Regex::new(&case.regex).unwrap();
        let entries = analysis::peek::peek(&index, &refs, t, &|name| regex.is_match(name));
        let got = pprof_lsp::report::peek::render(&index, &refs, t, &entries, &TopOptions::default());
        let want = String::from_utf8(read(&common::golden_dir().join(case.golden()))).unwrap();
        assert_eq!(got, want, "{}", case.golden());
    }
    let goldens = std::fs::read_dir(common::golden_dir())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains(".peek-"))
        .count();
    assert_eq!(goldens, cases.len(), "peek goldens without a case in peeks.txt");
}
