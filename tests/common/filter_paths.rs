//! What a `top` table shows for a filter case of `tests/fixtures/filters.txt`,
//! whichever path shows it (the CLI's `top`, the web view's `api/top`, the
//! server's `pprof.top`): what pprof recorded for the case. Each path's
//! test hands what it showed to these checks, so every path is held to the
//! same expectations:
//!
//! - [`assert_notes`]: pprof's lines on stderr (notes, then warnings), from
//!   the case's `<stem>.<type>.<case>.stderr.txt` golden;
//! - [`assert_default_table`]: pprof's table with its defaults (header
//!   included), from the `.default.<case>.top.txt` golden;
//! - [`assert_exact_rows`]: every row pprof lists, with exact values, from
//!   the variant-less `<case>.top.txt` golden.

use std::path::PathBuf;

use super::{filter_case, filter_goldens, fixture, golden_dir, http, parse_top, FilterCase, TopGoldenFile, Variant};

/// Filters that drop every sample: `-tagfocus=shard=2` reads as a number,
/// and the goroutine profile's `shard` labels are strings. pprof says so on
/// stderr, and its table has a header and no rows.
pub const DROPS_EVERYTHING: &str = "tagfocus=shard-2";

/// Filters that drop part of a diff's base (and of the profile):
/// `-focus=^main\. -hide=runtime` on `heap2 - heap`.
pub const DROPS_PART_OF_A_BASE: &str = "focus=main+hide=runtime";

/// The golden of filter case `case` at one granularity and variant.
pub fn golden(case: &str, lines: bool, variant: Variant) -> TopGoldenFile {
    filter_goldens()
        .into_iter()
        .find(|g| g.filter.as_deref() == Some(case) && g.lines == lines && g.variant == variant)
        .unwrap_or_else(|| panic!("no {variant:?} golden of filter case {case} (lines: {lines})"))
}

/// The filter case `case`: its flags, profile stem and sample type.
pub fn case(case: &str) -> FilterCase {
    filter_case(&golden(case, false, Variant::Full)).unwrap()
}

/// The fixture profile of filter case `case` and, for a diff, its base.
pub fn profiles(case: &str) -> (PathBuf, Option<PathBuf>) {
    let (profiles, base) = golden(case, false, Variant::Full).profiles();
    let [profile] = &profiles[..] else { panic!("filter case {case} is a merge of {profiles:?}") };
    (fixture(profile), base.map(|b| fixture(&b)))
}

/// Checks the notes a path showed for filter case `case` (stderr lines, or
/// the page's notes) against what pprof printed on stderr, line for line.
pub fn assert_notes(path: &str, case: &str, notes: &[String]) {
    let c = self::case(case);
    let name = format!("{}.{}.{case}.stderr.txt", c.stem, c.sample_type);
    let text = std::fs::read_to_string(golden_dir().join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let want: Vec<&str> = text.lines().collect();
    assert_eq!(notes, want, "{path}: the notes for {case} are pprof's ({name})");
}

/// Checks a path's `top` table for filter case `case` with pprof's
/// defaults, in the shape of [`http::page_top_lines`] (header lines, then
/// each row's cells joined by one space), against pprof's.
pub fn assert_default_table(path: &str, case: &str, lines: bool, table: &[String]) {
    let golden = golden(case, lines, Variant::Default);
    let want = http::golden_table_lines(&golden.name());
    assert_eq!(table, want, "{path}: the table for {case} is pprof's ({})", golden.name());
}

/// Checks the rows a path lists for filter case `case` with exact values,
/// `(name as pprof prints it without an inline mark, flat, cum)` in the
/// table's order (for lines, `function file:line`), against every row
/// pprof lists (`-nodefraction=0 -edgefraction=0`, exact unit).
pub fn assert_exact_rows(path: &str, case: &str, lines: bool, rows: &[(String, i64, i64)]) {
    let golden = golden(case, lines, Variant::Full);
    let parsed = parse_top(&String::from_utf8(super::read(&golden.path)).unwrap());
    let want: Vec<(String, i64, i64)> =
        parsed.order.iter().map(|name| (name.clone(), parsed.rows[name].flat, parsed.rows[name].cum)).collect();
    assert_eq!(rows, want, "{path}: the rows for {case} are pprof's ({})", golden.name());
}
