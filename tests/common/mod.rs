//! Helpers shared by the integration tests: fixture paths, a parser for
//! the `go tool pprof -top` goldens, and (in `demo`) the values the tests
//! expect from the fixture program's goldens and sources.

#![allow(dead_code)]

pub mod demo;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    }
    TopGolden { total: total.expect("golden has a total line"), rows }
}
