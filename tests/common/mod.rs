//! Helpers shared by the integration tests: fixture paths, a parser for
//! the `go tool pprof -top` goldens, (in `demo`) the values the tests
//! expect from the fixture program's goldens and sources, (in
//! `filter_paths`) what every path's filtered `top` must show, (in
//! `http` and `web`) the web view served in process, (in `fleet`) stand-ins
//! for continuous profilers' query services (in `pyroscope`, a Pyroscope
//! querier), (in `live`) when a
//! test that needs Go or the live service may skip, and (in
//! `revision_repo`) the git repository of the revision fixture.

#![allow(dead_code)]

pub mod demo;
pub mod filter_paths;
pub mod fleet;
pub mod http;
pub mod listen;
pub mod live;
pub mod pyroscope;
pub mod revision_repo;
pub mod web;


use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pprof_lsp::analysis::Filters;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/profiles").join(name)
}

pub fn golden_dir() -> PathBuf {
    root().join("tests/golden")
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One row of a `go tool pprof -top` table, values in the profile's unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopRow {
    pub flat: i64,
    pub cum: i64,
}

/// A parsed `-top` golden: the total and rows keyed by printable name.
#[derive(Debug)]
pub struct TopGolden {
    pub total: i64,
    pub rows: BTreeMap<String, TopRow>,
    /// The rows' names in the table's order.
    pub order: Vec<String>,
}

/// The row names of any `-top` table, in its order, without inline marks;
/// values may be in any unit.
pub fn top_names(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| !l.trim_start().starts_with("flat  flat%"))
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| l.rsplit_once("%  ").map(|(_, n)| n.trim_end_matches(" (inline)").trim_end_matches(" (partial-inline)").to_string()))
        .collect()
}

/// Parses an exact value printed with `-unit=B`, `-unit=ns` or `-unit=count`.
pub fn exact_value(text: &str) -> i64 {
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    assert!(matches!(unit, "" | "B" | "ns"), "golden value {text:?} is not in an exact unit");
    digits.parse().unwrap_or_else(|_| panic!("golden value {text:?} is not an integer"))
}

pub fn parse_top(text: &str) -> TopGolden {
    let mut total = None;
    let mut rows = BTreeMap::new();
    let mut order = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Showing nodes accounting for ") {
            let t = rest.rsplit_once(" of ").expect("total").1.trim_end_matches(" total");
            total = Some(exact_value(t));
            continue;
        }
        if line.trim_start().starts_with("flat  flat%") {
            in_table = true;
            continue;
        }
        if !in_table || line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split_whitespace();
        let flat = exact_value(fields.next().unwrap());
        let _flat_pct = fields.next();
        let _sum_pct = fields.next();
        let cum = exact_value(fields.next().unwrap());
        let _cum_pct = fields.next();
        // The name is everything after the five columns and two spaces.
        let name = line.split_once("%  ").map(|x| x.1).map(|_| ()).and(line.rsplit_once("%  ").map(|(_, n)| n)).unwrap();
        let name = name.trim_end_matches(" (inline)").trim_end_matches(" (partial-inline)").to_string();
        let previous = rows.insert(name.clone(), TopRow { flat, cum });
        assert!(previous.is_none(), "duplicate golden row {name}");
        order.push(name);
    }
    TopGolden { total: total.expect("golden has a total line"), rows, order }
}

/// The `-top` goldens `scripts/regen-fixtures.sh` records for each sample
/// type, by the part of their name after the granularity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Variant {
    /// No suffix: `-nodecount=1000000 -nodefraction=0 -edgefraction=0
    /// -unit=<exact>`, every row with unscaled values.
    Full,
    /// `.default`: no flags, pprof's defaults.
    Default,
    /// `.nodefraction0`: `-nodefraction=0`, every row, with pprof's
    /// default edge fraction and unit.
    NodeFraction0,
    /// `.cum10`: `-cum -nodecount=10`, otherwise pprof's defaults.
    Cum10,
}

impl Variant {
    pub const ALL: [Variant; 4] = [Variant::Full, Variant::Default, Variant::NodeFraction0, Variant::Cum10];

    fn from_suffix(suffix: Option<&str>) -> Option<Variant> {
        match suffix {
            None => Some(Variant::Full),
            Some("default") => Some(Variant::Default),
            Some("nodefraction0") => Some(Variant::NodeFraction0),
            Some("cum10") => Some(Variant::Cum10),
            Some(_) => None,
        }
    }

    /// The `pprof-lsp top` flags that ask for what this golden shows, for
    /// a sample type measured in `unit`.
    pub fn cli_args(self, unit: &str) -> Vec<String> {
        let words: &[&str] = match self {
            Variant::Full => &["--nodecount", "1000000", "--nodefraction", "0", "--edgefraction", "0", "--unit"],
            Variant::Default => &[],
            Variant::NodeFraction0 => &["--nodefraction", "0"],
            Variant::Cum10 => &["--cum", "--nodecount", "10"],
        };
        let mut args: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        if self == Variant::Full {
            args.push(exact_unit(unit).to_string());
        }
        args
    }
}

/// The `-unit` that prints values of `unit` unscaled.
pub fn exact_unit(unit: &str) -> &'static str {
    match unit {
        "bytes" => "B",
        "nanoseconds" => "ns",
        "count" => "count",
        other => panic!("no exact unit for {other}"),
    }
}

/// The sample type of goldens recorded without `-sample_index`: pprof
/// shows the profile's default type.
pub const DEFAULT_TYPE: &str = "default-type";

/// One `-top` golden: `<stem>.<type>.<lines|functions>[.<variant>][.<filter case>].top.txt`,
/// where a stem `<new>-diff-<base>` is `-diff_base <base> <new>`, a stem
/// `<a>+<b>+<c>` is the profiles `a`, `b` and `c` merged (`go tool pprof a b c`),
/// the type [`DEFAULT_TYPE`] is no `-sample_index`, and a filter case is a
/// name from `tests/fixtures/filters.txt` (it has a `=`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TopGoldenFile {
    pub stem: String,
    pub sample_type: String,
    pub lines: bool,
    pub variant: Variant,
    /// The filter case, for goldens recorded with filters.
    pub filter: Option<String>,
    pub path: PathBuf,
}

impl TopGoldenFile {
    /// The profiles (several for a merge) and, for a diff, the base, as
    /// fixture file names.
    pub fn profiles(&self) -> (Vec<String>, Option<String>) {
        let files = |stems: &str| stems.split('+').map(|s| format!("{s}.pb.gz")).collect::<Vec<_>>();
        match self.stem.split_once("-diff-") {
            Some((new, base)) => (files(new), Some(format!("{base}.pb.gz"))),
            None => (files(&self.stem), None),
        }
    }

    /// The `-sample_index` the golden was recorded with; `None` for pprof's
    /// default type.
    pub fn sample_index(&self) -> Option<&str> {
        Some(self.sample_type.as_str()).filter(|&t| t != DEFAULT_TYPE)
    }

    pub fn name(&self) -> String {
        self.path.file_name().unwrap().to_string_lossy().into_owned()
    }
}

/// Every `-top` golden recorded without filters, sorted by name.
pub fn top_goldens() -> Vec<TopGoldenFile> {
    all_top_goldens().into_iter().filter(|g| g.filter.is_none()).collect()
}

/// Every `-top` golden recorded with filters, sorted by name.
pub fn filter_goldens() -> Vec<TopGoldenFile> {
    all_top_goldens().into_iter().filter(|g| g.filter.is_some()).collect()
}

/// Every `-top` golden, sorted by name.
pub fn all_top_goldens() -> Vec<TopGoldenFile> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(golden_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(base) = name.strip_suffix(".top.txt") else { continue };
        let mut parts: Vec<&str> = base.split('.').collect();
        let filter = parts.last().filter(|p| p.contains('=')).map(|p| p.to_string());
        if filter.is_some() {
            parts.pop();
        }
        let suffix = match parts.last() {
            Some(&"lines" | &"functions") => None,
            _ => parts.pop(),
        };
        let variant = Variant::from_suffix(suffix).unwrap_or_else(|| panic!("{name}: unknown golden variant"));
        let kind = parts.pop().unwrap_or_else(|| panic!("{name}: no granularity"));
        assert!(matches!(kind, "lines" | "functions"), "{name}: granularity {kind:?}");
        let sample_type = parts.pop().unwrap_or_else(|| panic!("{name}: no sample type")).to_string();
        assert!(!parts.is_empty(), "{name}: no profile");
        out.push(TopGoldenFile { stem: parts.join("."), sample_type, lines: kind == "lines", variant, filter, path });
    }
    out.sort();
    out
}

/// One line of `tests/fixtures/filters.txt`: the filter flags some goldens
/// were recorded with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterCase {
    pub name: String,
    pub stem: String,
    pub sample_type: String,
    /// pprof's flags without the dash, e.g. `("focus", "catalog")`.
    pub flags: Vec<(String, String)>,
}

impl FilterCase {
    /// The filters of this case.
    pub fn filters(&self) -> Filters {
        let mut f = Filters::default();
        for (name, value) in &self.flags {
            let slot = match name.as_str() {
                "focus" => &mut f.focus,
                "ignore" => &mut f.ignore,
                "hide" => &mut f.hide,
                "show" => &mut f.show,
                "show_from" => &mut f.show_from,
                "tagfocus" => &mut f.tagfocus,
                "tagignore" => &mut f.tagignore,
                other => panic!("filter case {}: unknown flag -{other}", self.name),
            };
            *slot = Some(value.clone());
        }
        f
    }

    /// The same flags for `pprof-lsp`, e.g. `--show-from=x`.
    pub fn cli_args(&self) -> Vec<String> {
        self.flags.iter().map(|(name, value)| format!("--{}={value}", name.replace('_', "-"))).collect()
    }
}

/// The filter cases of `tests/fixtures/filters.txt`, in its order.
pub fn filter_cases() -> Vec<FilterCase> {
    let text = String::from_utf8(read(&root().join("tests/fixtures/filters.txt"))).unwrap();
    let mut cases = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [name, stem, sample_type, flags @ ..] = &words[..] else { panic!("filters.txt: short line {line:?}") };
        assert!(!flags.is_empty(), "filters.txt: {name} has no flags");
        let flags = flags
            .iter()
            .map(|f| {
                let (flag, value) = f.strip_prefix('-').and_then(|f| f.split_once('=')).unwrap_or_else(|| panic!("filters.txt: {name}: {f:?} is not -name=value"));
                (flag.to_string(), value.to_string())
            })
            .collect();
        cases.push(FilterCase { name: name.to_string(), stem: stem.to_string(), sample_type: sample_type.to_string(), flags });
    }
    cases
}

/// The filter case a golden was recorded with.
pub fn filter_case(golden: &TopGoldenFile) -> Option<FilterCase> {
    let name = golden.filter.as_ref()?;
    let case = filter_cases().into_iter().find(|c| &c.name == name);
    Some(case.unwrap_or_else(|| panic!("{}: no filter case {name} in tests/fixtures/filters.txt", golden.name())))
}

/// `function file:line` → (flat, cum) of every row in a lines golden.
pub fn golden_rows(name: &str) -> (i64, BTreeMap<String, (i64, i64)>) {
    let text = std::fs::read_to_string(golden_dir().join(name)).unwrap();
    let g = parse_top(&text);
    (g.total, g.rows.into_iter().map(|(k, r)| (k, (r.flat, r.cum))).collect())
}


/// One case of `tests/fixtures/peeks.txt`: a `go tool pprof -peek` golden.
#[derive(Clone, Debug)]
#[allow(dead_code)]
pub struct PeekCase {
    pub name: String,
    /// The profile stem; `<new>-diff-<base>` for a diff.
    pub stem: String,
    pub sample_type: String,
    pub regex: String,
}

#[allow(dead_code)]
impl PeekCase {
    /// The golden's file name in `tests/golden`.
    pub fn golden(&self) -> String {
        format!("{}.{}.peek-{}.txt", self.stem, self.sample_type, self.name)
    }

    /// The profile's fixture file names, and the base's for a diff.
    pub fn profiles(&self) -> (String, Option<String>) {
        match self.stem.split_once("-diff-") {
            Some((new, base)) => (format!("{new}.pb.gz"), Some(format!("{base}.pb.gz"))),
            None => (format!("{}.pb.gz", self.stem), None),
        }
    }
}

#[allow(dead_code)]
pub fn peek_cases() -> Vec<PeekCase> {
    let text = String::from_utf8(read(&root().join("tests/fixtures/peeks.txt"))).unwrap();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let [name, stem, sample_type, regex] = &words[..] else { panic!("peeks.txt: not four words: {line:?}") };
            PeekCase { name: name.to_string(), stem: stem.to_string(), sample_type: sample_type.to_string(), regex: regex.to_string() }
        })
        .collect()
}
