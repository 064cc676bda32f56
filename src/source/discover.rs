//! Finding profiles in a workspace when the user has not named any, and
//! choosing which one to show.
//!
//! Candidates are `default.pgo`, `*.pprof`, `*.pb.gz`, `*.prof`, `go test
//! -memprofile` / `-cpuprofile` outputs, text files that start with a Go
//! debug=1 header, and goroutine dumps: `?debug=2` output (first line
//! `goroutine N [`) and crash logs (`panic: `, `fatal error: `, ... with a
//! goroutine in their first 64 KiB), also when named `*.log`. Like the Go tool, discovery does not look inside
//! `testdata` directories or directories whose name starts with `_` or `.`:
//! profiles there are test inputs, not the project's own. Configured globs
//! ([`expand`]) still reach such a directory when they name it.
//!
//! [`choose`] prefers what `go build -pgo=auto` would use: the
//! `default.pgo` of the package of an open file (see [`ChoiceReason`]).

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::fs::{EntryKind, RealFs, SourceFs};
use super::load::ProfileSource;
use super::workspace::SKIPPED_DIRS;
use crate::paths::LocalPath;
use crate::profile::legacy::{sniff_goroutine_dump, Sniff, GOROUTINE_DUMP_WINDOW};

/// The file Go's `-pgo=auto` reads from a main package's directory.
pub const DEFAULT_PGO: &str = "default.pgo";

/// A profile found on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub modified: SystemTime,
    /// Named `default.pgo`.
    pub is_default_pgo: bool,
    /// The directory holding it.
    pub dir: PathBuf,
    /// Directories between the workspace root and the file; 0 at the root.
    pub depth: usize,
}

/// Options for [`discover`].
#[derive(Clone, Debug)]
pub struct DiscoverOptions {
    /// Stop after looking at this many directory entries.
    pub max_entries: usize,
    /// How deep below each root to look.
    pub max_depth: usize,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        DiscoverOptions { max_entries: 200_000, max_depth: 8 }
    }
}

/// Directories discovery never enters: what the Go tool ignores
/// (`testdata`, `_*`, `.*`) and tool output ([`SKIPPED_DIRS`]).
pub fn skipped_dir(name: &str) -> bool {
    name == "testdata" || name.starts_with(['_', '.']) || SKIPPED_DIRS.contains(&name)
}

/// Profiles under `roots` on this machine's disk, newest first.
pub fn discover(roots: &[PathBuf], options: &DiscoverOptions) -> Vec<Found> {
    discover_with(&RealFs, roots, options)
}

/// Profiles under `roots` in `fs`, newest first.
pub fn discover_with(fs: &dyn SourceFs, roots: &[PathBuf], options: &DiscoverOptions) -> Vec<Found> {
    let mut walk = Walk { fs, options, budget: options.max_entries, found: Vec::new() };
    let mut keep = |fs: &dyn SourceFs, path: &Path, name: &str, depth: usize| {
        looks_like_profile(fs, path, name).then(|| found(fs, path, depth))
    };
    for root in roots {
        walk.dir(root, 0, &mut keep, &|_| false);
    }
    newest_first(walk.found)
}

/// Why [`choose`] picked a profile, in the order of preference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChoiceReason {
    /// The `default.pgo` beside an open file: the profile `go build
    /// -pgo=auto` uses when that directory is the main package.
    PackageDefaultPgo { open_file: PathBuf },
    /// The nearest `default.pgo` in a directory above an open file, as for
    /// a library package of the main package in that directory.
    EnclosingDefaultPgo { open_file: PathBuf },
    /// No open file lies below a `default.pgo`: the one nearest to a
    /// workspace root.
    ShallowestDefaultPgo,
    /// There is no `default.pgo`: the most recently written profile.
    Newest,
}

impl fmt::Display for ChoiceReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |p: &Path| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into());
        match self {
            ChoiceReason::PackageDefaultPgo { open_file } => {
                write!(f, "{DEFAULT_PGO} of the package of {}", name(open_file))
            }
            ChoiceReason::EnclosingDefaultPgo { open_file } => {
                write!(f, "nearest {DEFAULT_PGO} above {}", name(open_file))
            }
            ChoiceReason::ShallowestDefaultPgo => write!(f, "{DEFAULT_PGO} nearest the workspace root"),
            ChoiceReason::Newest => f.write_str("newest profile in the workspace"),
        }
    }
}

/// The profile to show and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// Position in the `found` slice given to [`choose`].
    pub index: usize,
    pub reason: ChoiceReason,
}

/// Picks the profile to show from what [`discover`] found. `open_files`
/// are the documents open in the editor, most relevant first; the first
/// one with a `default.pgo` beside or above it decides.
pub fn choose(found: &[Found], open_files: &[PathBuf]) -> Option<Choice> {
    let key = |p: &Path| LocalPath::from_path(p).as_str().to_string();
    let pgo: Vec<(usize, String)> =
        found.iter().enumerate().filter(|(_, f)| f.is_default_pgo).map(|(i, f)| (i, key(&f.dir))).collect();
    for open in open_files {
        let Some(open_dir) = open.parent().map(key) else { continue };
        let enclosing = pgo
            .iter()
            .filter(|(_, dir)| is_ancestor_or_self(dir, &open_dir))
            .max_by_key(|(i, dir)| (dir.len(), std::cmp::Reverse(*i)));
        if let Some((index, dir)) = enclosing {
            let open_file = open.clone();
            let reason = if *dir == open_dir {
                ChoiceReason::PackageDefaultPgo { open_file }
            } else {
                ChoiceReason::EnclosingDefaultPgo { open_file }
            };
            return Some(Choice { index: *index, reason });
        }
    }
    let by_newest = |i: &usize| (found[*i].modified, std::cmp::Reverse(&found[*i].path));
    if let Some(index) = pgo.iter().map(|(i, _)| *i).min_by(|a, b| {
        found[*a].depth.cmp(&found[*b].depth).then_with(|| by_newest(b).cmp(&by_newest(a)))
    }) {
        return Some(Choice { index, reason: ChoiceReason::ShallowestDefaultPgo });
    }
    (0..found.len()).max_by_key(by_newest).map(|index| Choice { index, reason: ChoiceReason::Newest })
}

/// Whether the normalised directory `dir` is `sub` or contains it.
fn is_ancestor_or_self(dir: &str, sub: &str) -> bool {
    match sub.strip_prefix(dir) {
        Some("") => true,
        Some(rest) => rest.starts_with('/') || dir.ends_with('/'),
        None => false,
    }
}

/// Decides by name, then (for names that could be anything) by content.
fn looks_like_profile(fs: &dyn SourceFs, path: &Path, name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower == DEFAULT_PGO || lower.ends_with(".pprof") || lower.ends_with(".pb.gz") || lower.ends_with(".prof") {
        return true;
    }
    // `go test -memprofile mem.out -cpuprofile cpu.out`, curl'd endpoints
    // saved as `heap` or `heap.txt`, crash logs: look at the first bytes.
    let ambiguous = [".out", ".txt", ".pb", ".log"].iter().any(|ext| lower.ends_with(ext)) || !lower.contains('.');
    ambiguous && starts_like_profile(fs, path)
}

const TEXT_HEADERS: &[&[u8]] = &[
    b"heap profile:",
    b"goroutine profile: total",
    b"threadcreate profile: total",
    b"--- mutex:",
    b"--- contention:",
];

fn starts_like_profile(fs: &dyn SourceFs, path: &Path) -> bool {
    const HEAD: usize = 64;
    let Ok(head) = fs.read_head(path, HEAD) else { return false };
    // gzip (protobuf profiles are written gzipped by Go) or a text header.
    if head.starts_with(&[0x1f, 0x8b]) || TEXT_HEADERS.iter().any(|h| head.starts_with(h)) {
        return true;
    }
    // A goroutine dump, decided as its decoder decides; a crash log's text
    // before its first goroutine can take more than the first bytes.
    match sniff_goroutine_dump(&head, head.len() < HEAD) {
        Sniff::Mine => true,
        Sniff::NotMine => false,
        Sniff::NeedMore => fs
            .read_head(path, GOROUTINE_DUMP_WINDOW)
            .is_ok_and(|head| sniff_goroutine_dump(&head, head.len() < GOROUTINE_DUMP_WINDOW) == Sniff::Mine),
    }
}

fn found(fs: &dyn SourceFs, path: &Path, depth: usize) -> Found {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    Found {
        path: path.to_path_buf(),
        modified: fs.modified(path).unwrap_or(SystemTime::UNIX_EPOCH),
        is_default_pgo: name.eq_ignore_ascii_case(DEFAULT_PGO),
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        depth,
    }
}

fn newest_first(mut found: Vec<Found>) -> Vec<Found> {
    found.sort_by(|a, b| b.modified.cmp(&a.modified).then_with(|| a.path.cmp(&b.path)));
    found.dedup_by(|a, b| a.path == b.path);
    found
}

/// A bounded walk below the workspace roots.
struct Walk<'a> {
    fs: &'a dyn SourceFs,
    options: &'a DiscoverOptions,
    budget: usize,
    found: Vec<Found>,
}

type Keep<'k> = dyn FnMut(&dyn SourceFs, &Path, &str, usize) -> Option<Found> + 'k;

impl Walk<'_> {
    /// Visits the files below `dir`; `keep` decides which are wanted, and
    /// `enter_skipped` which of the [`skipped_dir`]s to enter anyway.
    fn dir(&mut self, dir: &Path, depth: usize, keep: &mut Keep<'_>, enter_skipped: &dyn Fn(&str) -> bool) {
        if depth > self.options.max_depth {
            return;
        }
        let Ok(entries) = self.fs.read_dir(dir) else { return };
        let mut entries: Vec<_> = entries.into_iter().flatten().collect();
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        for entry in entries {
            if self.budget == 0 {
                return;
            }
            self.budget -= 1;
            let name = entry.name.to_string_lossy();
            match entry.kind {
                EntryKind::Dir if !skipped_dir(&name) || enter_skipped(&name) => {
                    self.dir(&entry.path, depth + 1, keep, enter_skipped);
                }
                EntryKind::File => {
                    if let Some(f) = keep(self.fs, &entry.path, &name, depth) {
                        self.found.push(f);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Expands configured profile entries on this machine's disk.
pub fn expand(patterns: &[String], roots: &[PathBuf], options: &DiscoverOptions) -> Vec<ProfileSource> {
    expand_with(&RealFs, patterns, roots, options)
}

/// Expands configured profile entries: URLs pass through, globs are
/// matched against files under the roots (newest first), other paths are
/// taken relative to the first root. A glob enters a directory discovery
/// skips (such as `testdata`) only when one of its components names it.
pub fn expand_with(
    fs: &dyn SourceFs,
    patterns: &[String],
    roots: &[PathBuf],
    options: &DiscoverOptions,
) -> Vec<ProfileSource> {
    let mut out = Vec::new();
    for pattern in patterns {
        let source = ProfileSource::parse(pattern);
        let ProfileSource::File(path) = &source else {
            out.push(source);
            continue;
        };
        if !is_glob(pattern) {
            let path = match roots.first() {
                Some(root) if path.is_relative() => root.join(path),
                _ => path.clone(),
            };
            out.push(ProfileSource::File(path));
            continue;
        }
        let Some(matcher) = glob_matcher(pattern) else { continue };
        let named: Vec<&str> = pattern.split(['/', '\\']).collect();
        let enter_named = |dir: &str| named.contains(&dir);
        let mut walk = Walk { fs, options, budget: options.max_entries, found: Vec::new() };
        for root in roots {
            let mut keep = |fs: &dyn SourceFs, path: &Path, _: &str, depth: usize| {
                let relative = path.strip_prefix(root).unwrap_or(path);
                (matcher.is_match(relative) || matcher.is_match(path)).then(|| found(fs, path, depth))
            };
            walk.dir(root, 0, &mut keep, &enter_named);
        }
        out.extend(newest_first(walk.found).into_iter().map(|f| ProfileSource::File(f.path)));
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| seen.insert(s.clone()));
    out
}

/// Whether a configured entry is a glob rather than a path.
fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{'])
}

/// A configured glob, matched across directory separators too; `None`
/// when it does not compile.
fn glob_matcher(pattern: &str) -> Option<globset::GlobMatcher> {
    Some(globset::GlobBuilder::new(pattern).literal_separator(false).build().ok()?.compile_matcher())
}

/// Whether a configured entry (`expand_with`'s patterns) names `source`:
/// the same URL, the same path (relative to the first root), or a path the
/// glob matches.
pub fn entry_names(pattern: &str, source: &ProfileSource, roots: &[PathBuf]) -> bool {
    let (ProfileSource::File(wanted), ProfileSource::File(path)) = (ProfileSource::parse(pattern), source) else {
        return ProfileSource::parse(pattern) == *source;
    };
    if is_glob(pattern) {
        let Some(matcher) = glob_matcher(pattern) else { return false };
        return matcher.is_match(path) || roots.iter().any(|r| path.strip_prefix(r).is_ok_and(|rel| matcher.is_match(rel)));
    }
    match roots.first() {
        Some(root) if wanted.is_relative() => root.join(wanted) == *path,
        _ => wanted == *path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::fs::MemFs;
    use std::time::Duration;

    const GZ: &[u8] = &[0x1f, 0x8b, 8];

    /// Paths of what was found below `/w`, in order.
    fn relative(found: &[Found]) -> Vec<String> {
        found.iter().map(|f| f.path.strip_prefix("/w").unwrap().to_string_lossy().into_owned()).collect()
    }

    fn roots() -> Vec<PathBuf> {
        vec![PathBuf::from("/w")]
    }

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn entries_name_their_sources() {
        let roots = [PathBuf::from("/w")];
        let file = |p: &str| ProfileSource::File(p.into());
        assert!(entry_names("prof/heap.pb.gz", &file("/w/prof/heap.pb.gz"), &roots));
        assert!(entry_names("/w/prof/heap.pb.gz", &file("/w/prof/heap.pb.gz"), &roots));
        assert!(!entry_names("prof/heap.pb.gz", &file("/w/heap.pb.gz"), &roots));
        assert!(entry_names("prof/*.pb.gz", &file("/w/prof/heap.pb.gz"), &roots));
        assert!(!entry_names("other/*.pb.gz", &file("/w/prof/heap.pb.gz"), &roots));
        let url = ProfileSource::Url("http://127.0.0.1:6060/debug/pprof/heap".into());
        assert!(entry_names("http://127.0.0.1:6060/debug/pprof/heap", &url, &roots));
        assert!(!entry_names("http://127.0.0.1:6061/debug/pprof/heap", &url, &roots));
    }

    #[test]
    fn finds_profiles_newest_first_and_skips_what_go_skips() {
        let fs = MemFs::new([
            ("/w/default.pgo", &b"x"[..]),
            ("/w/sub/cpu.out", GZ),
            ("/w/sub/notes.txt", b"just notes"),
            ("/w/sub/heap", b"heap profile: 1: 2 [3: 4] @ heap/1024\n"),
            ("/w/sub/.git/x.pprof", b"x"),
            ("/w/node_modules/y.pprof", b"x"),
            ("/w/testdata/t.pprof", b"x"),
            ("/w/sub/testdata/deep.pb.gz", GZ),
            ("/w/_x/u.pprof", b"x"),
            ("/w/.y/v.pprof", b"x"),
            ("/w/main.go", b"package main"),
            ("/w/sub/goroutines.txt", b"goroutine profile: total 3\n"),
        ]);
        let found = discover_with(&fs, &roots(), &DiscoverOptions::default());
        assert_eq!(relative(&found), ["sub/goroutines.txt", "sub/heap", "sub/cpu.out", "default.pgo"]);
        let pgo = &found[3];
        assert!(pgo.is_default_pgo && pgo.dir == Path::new("/w") && pgo.depth == 0);
        assert!(!found[0].is_default_pgo && found[0].dir == Path::new("/w/sub") && found[0].depth == 1);
    }

    #[test]
    fn goroutine_dumps_and_crash_logs_are_found_by_their_first_lines() {
        let crash = [&b"panic: boom\n\n"[..], &b"[signal SIGSEGV]\n".repeat(500), b"\ngoroutine 1 [running]:\nmain.main()\n"].concat();
        let late = [&b"fatal error: x\n"[..], &b"-\n".repeat(40_000), b"goroutine 1 [running]:\n"].concat();
        let fs = MemFs::new([
            ("/w/goroutines.txt", &b"\ngoroutine 18 [chan send (leaked)]:\nmain.f()\n"[..]),
            ("/w/crash.log", &crash[..]),
            ("/w/stacks", b"goroutine 1 gp=0xc0 m=0 [running]:\n"),
            ("/w/late.log", &late[..]),
            ("/w/server.log", b"2026/01/01 listening\npanic: boom\n\ngoroutine 1 [running]:\n"),
            ("/w/panic.txt", b"panic: boom\n\nno goroutines here\n"),
            ("/w/goroutine.go", b"goroutine 1 [running]:\n"),
        ]);
        let found = discover_with(&fs, &roots(), &DiscoverOptions::default());
        let mut found = relative(&found);
        found.sort();
        assert_eq!(found, ["crash.log", "goroutines.txt", "stacks"]);
        // Named in the `profiles` setting, a dump is taken by its name alone.
        let configured = expand_with(&fs, &["*.log".into(), "goroutines.txt".into()], &roots(), &DiscoverOptions::default());
        let mut configured: Vec<String> = configured.iter().map(ProfileSource::to_string).collect();
        configured.sort();
        assert_eq!(configured, ["/w/crash.log", "/w/goroutines.txt", "/w/late.log", "/w/server.log"]);
    }

    #[test]
    fn configured_globs_reach_the_directories_discovery_skips_by_name() {
        let fs = MemFs::new([
            ("/w/testdata/a.pprof", &b"x"[..]),
            ("/w/testdata/b.pprof", b"x"),
            ("/w/pkg/testdata/c.pprof", b"x"),
            ("/w/.prof/d.pprof", b"x"),
            ("/w/_old/e.pprof", b"x"),
            ("/w/sub/goroutines.txt", b"x"),
            ("/w/sub/notes.txt", b"x"),
        ]);
        let expand = |patterns: &[&str]| -> Vec<String> {
            let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
            expand_with(&fs, &patterns, &roots(), &DiscoverOptions::default())
                .into_iter()
                .map(|s| s.to_string())
                .collect()
        };
        assert_eq!(expand(&["testdata/*.pprof"]), ["/w/testdata/b.pprof", "/w/testdata/a.pprof"]);
        assert_eq!(
            expand(&["**/testdata/*.pprof"]),
            ["/w/pkg/testdata/c.pprof", "/w/testdata/b.pprof", "/w/testdata/a.pprof"]
        );
        assert_eq!(expand(&[".prof/*.pprof", "_old/e.pprof"]), ["/w/.prof/d.pprof", "/w/_old/e.pprof"]);
        // A glob that names no skipped directory stays out of them.
        assert!(expand(&["**/*.pprof"]).is_empty());
        assert_eq!(
            expand(&["sub/*.txt", "http://h/x", "p.pprof"]),
            ["/w/sub/notes.txt", "/w/sub/goroutines.txt", "http://h/x", "/w/p.pprof"]
        );
    }

    /// Files written at the given seconds, as discovery reports them.
    fn candidates(list: &[(&str, u64)]) -> Vec<Found> {
        let fs = list.iter().fold(MemFs::default(), |fs, (p, t)| fs.with_file(*p, "x", at(*t)));
        discover_with(&fs, &roots(), &DiscoverOptions::default())
    }

    fn chosen(found: &[Found], open: &[&str]) -> (String, String) {
        let open: Vec<PathBuf> = open.iter().map(PathBuf::from).collect();
        let c = choose(found, &open).expect("a choice");
        (relative(&found[c.index..=c.index])[0].clone(), c.reason.to_string())
    }

    #[test]
    fn default_pgo_wins_over_newer_test_profiles() {
        let found = candidates(&[
            ("/w/default.pgo", 1),
            ("/w/testdata/small.pprof", 50),
            ("/w/testdata/tiny.pprof", 60),
            ("/w/main.go", 70),
        ]);
        assert_eq!(relative(&found), ["default.pgo"]);
        let want = ("default.pgo".to_string(), "default.pgo of the package of main.go".to_string());
        assert_eq!(chosen(&found, &["/w/main.go"]), want);
        assert_eq!(chosen(&found, &[]).1, "default.pgo nearest the workspace root");
    }

    #[test]
    fn the_open_files_package_decides_between_default_pgos() {
        let found = candidates(&[
            ("/w/cmd/api/default.pgo", 1),
            ("/w/cmd/worker/default.pgo", 2),
            ("/w/cmd/worker/jobs/run.go", 3),
            ("/w/cpu.pprof", 9),
            ("/w/x/y/z/default.pgo", 4),
            ("/w/default.pgo", 0),
        ]);
        let cases: &[(&[&str], &str, &str)] = &[
            (&["/w/cmd/api/main.go"], "cmd/api/default.pgo", "default.pgo of the package of main.go"),
            (&["/w/cmd/worker/main.go"], "cmd/worker/default.pgo", "default.pgo of the package of main.go"),
            (&["/w/cmd/worker/jobs/run.go"], "cmd/worker/default.pgo", "nearest default.pgo above run.go"),
            (&["/w/internal/db/db.go"], "default.pgo", "nearest default.pgo above db.go"),
            // The first open file with a default.pgo beside or above it decides.
            (&["/elsewhere/a.go", "/w/cmd/api/api.go", "/w/cmd/worker/main.go"], "cmd/api/default.pgo", ""),
            (&[], "default.pgo", "default.pgo nearest the workspace root"),
        ];
        for (open, want, reason) in cases {
            let (got, why) = chosen(&found, open);
            assert_eq!(got, *want, "open {open:?}");
            assert!(reason.is_empty() || why == *reason, "open {open:?}: {why}");
        }
        // Without the root's default.pgo, the shallowest other one wins,
        // newest first among equals.
        let found = candidates(&[
            ("/w/cmd/api/default.pgo", 1),
            ("/w/cmd/worker/default.pgo", 2),
            ("/w/x/y/z/default.pgo", 9),
        ]);
        assert_eq!(chosen(&found, &["/elsewhere/main.go"]).0, "cmd/worker/default.pgo");
    }

    #[test]
    fn without_default_pgo_the_newest_profile_wins() {
        let found = candidates(&[("/w/a.pprof", 5), ("/w/b/c.pprof", 7), ("/w/b/d.pb.gz", 6)]);
        let want = ("b/c.pprof".to_string(), "newest profile in the workspace".to_string());
        assert_eq!(chosen(&found, &["/w/b/main.go"]), want);
        assert_eq!(choose(&[], &[PathBuf::from("/w/main.go")]), None);
    }

    #[test]
    fn windows_spellings_of_open_files_match() {
        let found = vec![Found {
            path: PathBuf::from(r"C:\src\app\default.pgo"),
            modified: at(1),
            is_default_pgo: true,
            dir: PathBuf::from(r"C:\src\app"),
            depth: 0,
        }];
        for open in ["/c:/src/app/main.go", "/C:/src/app/main.go", "c:/src/app/main.go"] {
            let c = choose(&found, &[PathBuf::from(open)]).unwrap();
            assert_eq!(c.reason, ChoiceReason::PackageDefaultPgo { open_file: PathBuf::from(open) }, "{open}");
        }
        assert!(!is_ancestor_or_self("/w/ab", "/w/abc"));
        assert!(is_ancestor_or_self("/", "/w"));
    }
}
