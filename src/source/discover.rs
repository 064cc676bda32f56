//! Finding profiles in a workspace when the user has not named any:
//! `default.pgo`, `*.pprof`, `*.pb.gz`, `*.prof`, `go test -memprofile` /
//! `-cpuprofile` outputs, and text files that start with a Go debug=1
//! header. The newest is the one to show.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::workspace::SKIPPED_DIRS;

/// A profile found on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub modified: SystemTime,
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

/// Profiles under `roots`, newest first.
pub fn discover(roots: &[PathBuf], options: &DiscoverOptions) -> Vec<Found> {
    let mut found = Vec::new();
    let mut budget = options.max_entries;
    for root in roots {
        walk(root, 0, options, &mut budget, &mut found);
    }
    found.sort_by(|a, b| b.modified.cmp(&a.modified).then_with(|| a.path.cmp(&b.path)));
    found.dedup_by(|a, b| a.path == b.path);
    found
}

fn walk(dir: &Path, depth: usize, options: &DiscoverOptions, budget: &mut usize, found: &mut Vec<Found>) {
    if depth > options.max_depth {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else { continue };
        let path = entry.path();
        if kind.is_dir() {
            if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name.as_str()) {
                walk(&path, depth + 1, options, budget, found);
            }
        } else if kind.is_file() && looks_like_profile(&path, &name) {
            let modified = entry.metadata().and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH);
            found.push(Found { path, modified });
        }
    }
}

/// Decides by name, then (for names that could be anything) by content.
fn looks_like_profile(path: &Path, name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower == "default.pgo" || lower.ends_with(".pprof") || lower.ends_with(".pb.gz") || lower.ends_with(".prof") {
        return true;
    }
    // `go test -memprofile mem.out -cpuprofile cpu.out`, curl'd endpoints
    // saved as `heap` or `heap.txt`: look at the first bytes.
    let ambiguous = lower.ends_with(".out") || lower.ends_with(".txt") || lower.ends_with(".pb") || !lower.contains('.');
    ambiguous && starts_like_profile(path)
}

const TEXT_HEADERS: &[&[u8]] = &[
    b"heap profile:",
    b"goroutine profile: total",
    b"threadcreate profile: total",
    b"--- mutex:",
    b"--- contention:",
];

fn starts_like_profile(path: &Path) -> bool {
    let mut head = [0u8; 64];
    let Ok(mut file) = std::fs::File::open(path) else { return false };
    let Ok(n) = file.read(&mut head) else { return false };
    let head = &head[..n];
    // gzip (protobuf profiles are written gzipped by Go) or a text header.
    head.starts_with(&[0x1f, 0x8b]) || TEXT_HEADERS.iter().any(|h| head.starts_with(h))
}

/// Expands configured profile entries: URLs pass through, globs are
/// matched against files under the roots, other paths are taken relative
/// to the first root. Globs match newest first.
pub fn expand(patterns: &[String], roots: &[PathBuf], options: &DiscoverOptions) -> Vec<super::load::ProfileSource> {
    use super::load::ProfileSource;
    let mut out = Vec::new();
    for pattern in patterns {
        let source = ProfileSource::parse(pattern);
        let ProfileSource::File(path) = &source else {
            out.push(source);
            continue;
        };
        let is_glob = pattern.contains(['*', '?', '[', '{']);
        if !is_glob {
            let path = match roots.first() {
                Some(root) if path.is_relative() => root.join(path),
                _ => path.clone(),
            };
            out.push(ProfileSource::File(path));
            continue;
        }
        let Ok(glob) = globset::GlobBuilder::new(pattern).literal_separator(false).build() else {
            continue;
        };
        let matcher = glob.compile_matcher();
        let mut matched = Vec::new();
        let mut budget = options.max_entries;
        for root in roots {
            collect_matching(root, root, 0, options, &mut budget, &matcher, &mut matched);
        }
        matched.sort_by(|a: &Found, b| b.modified.cmp(&a.modified).then_with(|| a.path.cmp(&b.path)));
        out.extend(matched.into_iter().map(|f| ProfileSource::File(f.path)));
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| seen.insert(s.clone()));
    out
}

fn collect_matching(
    root: &Path,
    dir: &Path,
    depth: usize,
    options: &DiscoverOptions,
    budget: &mut usize,
    matcher: &globset::GlobMatcher,
    out: &mut Vec<Found>,
) {
    if depth > options.max_depth {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        let name = entry.file_name().to_string_lossy().into_owned();
        if kind.is_dir() {
            if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name.as_str()) {
                collect_matching(root, &path, depth + 1, options, budget, matcher, out);
            }
        } else if kind.is_file() {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            if matcher.is_match(relative) || matcher.is_match(&path) {
                let modified = entry.metadata().and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH);
                out.push(Found { path, modified });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_profiles_newest_first() {
        let dir = std::env::temp_dir().join(format!("pprof-lsp-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub/.git")).unwrap();
        std::fs::create_dir_all(dir.join("node_modules")).unwrap();
        let write = |rel: &str, data: &[u8]| std::fs::write(dir.join(rel), data).unwrap();
        write("default.pgo", b"x");
        write("sub/cpu.out", &[0x1f, 0x8b, 8]);
        write("sub/notes.txt", b"just notes");
        write("sub/heap", b"heap profile: 1: 2 [3: 4] @ heap/1024\n");
        write("sub/.git/x.pprof", b"x");
        write("node_modules/y.pprof", b"x");
        write("main.go", b"package main");
        // Make the text profile the newest.
        std::thread::sleep(std::time::Duration::from_millis(20));
        write("sub/goroutines.txt", b"goroutine profile: total 3\n");
        let found: Vec<String> = discover(&[dir.clone()], &DiscoverOptions::default())
            .iter()
            .map(|f| f.path.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(found[0], "sub/goroutines.txt");
        let mut rest = found[1..].to_vec();
        rest.sort();
        assert_eq!(rest, ["default.pgo", "sub/cpu.out", "sub/heap"]);
        let expanded = expand(&["sub/*.txt".into(), "http://h/x".into(), "p.pprof".into()], &[dir.clone()], &DiscoverOptions::default());
        assert_eq!(
            expanded,
            vec![
                super::super::load::ProfileSource::File(dir.join("sub/goroutines.txt")),
                super::super::load::ProfileSource::File(dir.join("sub/notes.txt")),
                super::super::load::ProfileSource::Url("http://h/x".into()),
                super::super::load::ProfileSource::File(dir.join("p.pprof")),
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
