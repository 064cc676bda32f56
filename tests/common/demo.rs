//! What the `pprofdemo` fixture program's goldens and sources say, as the
//! tests expect it: per-line and per-function costs from the `go tool pprof`
//! goldens, the files a profile names, and editor lines found by their text
//! in the fixture sources. Nothing here is a number copied from a profile, so
//! regenerating the fixtures (another Go, a moved line) changes the expected
//! values with them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use pprof_lsp::analysis::Cost;
use pprof_lsp::report::labels;

/// The fixture program's source tree, which the editor tests open as their
/// workspace.
pub fn goprog() -> PathBuf {
    super::root().join("tests/fixtures/goprog")
}

/// The catalog package, whose `init` makes the largest in-use allocation.
pub const CATALOG: &str = "internal/catalog/catalog.go";
/// The function of that allocation, as pprof names it.
pub const INIT_FUNCTION: &str = "pprofdemo/internal/catalog.init.0";

/// The text of a fixture source file (`rel` is relative to the program).
pub fn source(rel: &str) -> String {
    let path = goprog().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The 0-based line of `rel` that contains `needle`; there must be exactly one.
pub fn line_of(rel: &str, needle: &str) -> u64 {
    only_line(rel, &source(rel), needle)
}

/// The same in any file.
pub fn line_in(path: &std::path::Path, needle: &str) -> u64 {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    only_line(&path.display().to_string(), &text, needle)
}

fn only_line(name: &str, text: &str, needle: &str) -> u64 {
    let found: Vec<usize> = text.lines().enumerate().filter(|(_, l)| l.contains(needle)).map(|(i, _)| i).collect();
    match found[..] {
        [line] => line as u64,
        _ => panic!("{name}: {needle:?} should be on exactly one line, found on lines {found:?} (0-based)"),
    }
}

/// The length of a 0-based line of `rel` in UTF-16 code units: where a hint
/// at the end of that line sits.
pub fn line_end(rel: &str, line: u64) -> u64 {
    let text = source(rel);
    let found = text.lines().nth(line as usize).unwrap_or_else(|| panic!("{rel} has no line {line} (0-based)"));
    found.encode_utf16().count() as u64
}

/// 0-based line of the catalog allocation, `table = make([]Entry, Size)`.
pub fn init_line() -> u64 {
    line_of(CATALOG, "table = make([]Entry, Size)")
}

/// The catalog allocation's 1-based line, as the profiles give it.
pub fn init_row() -> i64 {
    init_line() as i64 + 1
}

/// 0-based line of the declaration of `catalog.init.0`.
pub fn init_declaration() -> u64 {
    line_of(CATALOG, "func init()")
}

fn golden_text(name: &str) -> String {
    let path = super::golden_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The workspace-relative path of a profile path of the demo program, if
/// the workspace has it (build-machine, Windows and trimpath spellings).
pub fn workspace_relative(file: &str) -> Option<String> {
    let at = file.find("pprofdemo/")?;
    let rel = &file[at + "pprofdemo/".len()..];
    goprog().join(rel).is_file().then(|| rel.to_string())
}

/// Splits a `-lines` row name, `function file:line`.
fn split_row(key: &str) -> (&str, &str, i64) {
    let (function, place) = key.rsplit_once(' ').unwrap_or_else(|| panic!("golden row {key:?} has no place"));
    let (file, line) = place.rsplit_once(':').unwrap_or_else(|| panic!("golden row {key:?} has no line"));
    (function, file, line.parse().unwrap_or_else(|_| panic!("golden row {key:?}: bad line")))
}

/// One source line as the goldens give it, summed over its functions.
#[derive(Clone, Debug)]
pub struct GoldenLine {
    pub flat: i64,
    /// Each function's cum on the line.
    pub cums: Vec<i64>,
}

impl GoldenLine {
    /// The line's cum when it is known from the goldens alone: with one
    /// function on the line it is that function's cum.
    pub fn cum(&self) -> Option<i64> {
        (self.cums.len() == 1).then(|| self.cums[0])
    }
}

/// A `-lines` golden, reduced to the lines of workspace files.
pub struct LineGolden {
    /// The golden's file name, for messages.
    pub name: String,
    pub total: i64,
    /// (path relative to the workspace, 1-based line) → costs.
    pub lines: BTreeMap<(String, i64), GoldenLine>,
    /// Function → workspace-relative file, for functions in workspace files.
    pub files: BTreeMap<String, String>,
}

pub fn line_golden(name: &str) -> LineGolden {
    let golden = super::parse_top(&golden_text(name));
    let mut lines: BTreeMap<(String, i64), GoldenLine> = BTreeMap::new();
    let mut files = BTreeMap::new();
    for (key, row) in golden.rows {
        let (function, file, line) = split_row(&key);
        let Some(rel) = workspace_relative(file) else { continue };
        files.insert(function.to_string(), rel.clone());
        let entry = lines.entry((rel, line)).or_insert(GoldenLine { flat: 0, cums: Vec::new() });
        entry.flat += row.flat;
        entry.cums.push(row.cum);
    }
    LineGolden { name: name.to_string(), total: golden.total, lines, files }
}

impl LineGolden {
    /// A workspace line (1-based) the golden must have.
    pub fn line(&self, rel: &str, line: i64) -> &GoldenLine {
        self.lines
            .get(&(rel.to_string(), line))
            .unwrap_or_else(|| panic!("{} has no row for {rel}:{line}", self.name))
    }

    /// The costs of a line with one function on it.
    pub fn cost(&self, rel: &str, line: i64) -> Cost {
        let g = self.line(rel, line);
        let cum = g.cum().unwrap_or_else(|| panic!("{}: {rel}:{line} has several functions: {g:?}", self.name));
        Cost { flat: g.flat, cum }
    }

    /// The hint pprof's numbers give that line.
    pub fn label(&self, rel: &str, line: i64, unit: &str) -> String {
        labels::hint(self.cost(rel, line), self.total, unit)
    }
}

/// The `inuse_space` line golden of a heap profile (`heap`, `windows.heap`,
/// `trimpath.heap`, `heap2`).
pub fn inuse(stem: &str) -> LineGolden {
    line_golden(&format!("{stem}.inuse_space.lines.top.txt"))
}

/// The catalog allocation's hint for a heap profile's `inuse_space`.
pub fn init_label(stem: &str) -> String {
    inuse(stem).label(CATALOG, init_row(), "bytes")
}

/// Function name → (flat, cum) from a `functions` golden, and its total.
pub fn function_golden(name: &str) -> (i64, BTreeMap<String, Cost>) {
    let golden = super::parse_top(&golden_text(name));
    (golden.total, golden.rows.into_iter().map(|(k, r)| (k, Cost { flat: r.flat, cum: r.cum })).collect())
}

/// Every file name the `-lines` goldens of one profile give, over all its
/// sample types.
pub fn profile_files(stem: &str) -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    let prefix = format!("{stem}.");
    let dir = super::golden_dir();
    let mut goldens = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        // `<stem>.<sample type>.lines.top.txt`; a sample type has no dot.
        let Some(sample_type) = name.strip_prefix(&prefix).and_then(|r| r.strip_suffix(".lines.top.txt")) else { continue };
        if sample_type.contains('.') {
            continue;
        }
        goldens += 1;
        for key in super::parse_top(&golden_text(&name)).rows.keys() {
            files.insert(split_row(key).1.to_string());
        }
    }
    assert!(goldens > 0, "no line goldens for {stem}");
    files
}

/// How many of a profile's files the server maps onto the workspace and
/// how many it leaves unmapped (`mappedFiles`, `unmappedFiles` of
/// `pprof.status`), for a profile whose paths outside the program exist on
/// no machine (the Windows variant: `c:/go/src/...`).
///
/// The server counts the distinct file names of its index, which holds
/// every function on a sampled stack, and calls one mapped when the path
/// mapper finds a local file for it. For this workspace (the program's own
/// tree) that is exactly the files whose path below `pprofdemo/` exists in
/// it, the tests' GOROOT being an empty directory. pprof leaves a file out
/// of a golden only where all its lines are zero in that sample type, and
/// every heap sample has allocated something, so the union over the
/// profile's sample types names every file of the index.
pub fn mapped_files(stem: &str) -> (usize, usize) {
    let files = profile_files(stem);
    let mapped = files.iter().filter(|f| workspace_relative(f).is_some()).count();
    (mapped, files.len() - mapped)
}
