//! Reading the workspace folders and the local Go setup into a
//! [`Workspace`] for the path mapper. The folders are read through a
//! [`SourceFs`], the disk or a tree in memory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::fs::{EntryKind, RealFs, SourceFs};
use crate::paths::{GoModule, Workspace, WorkspaceRoot};

/// Directory names never descended into (besides any starting with a dot).
pub const SKIPPED_DIRS: &[&str] = &["node_modules", "target"];

/// How to scan.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Stop listing after this many files, over all roots.
    pub max_files: usize,
    /// File extensions kept (without the dot); `go.mod` is always kept.
    pub extensions: Vec<String>,
    /// GOROOT to use instead of asking `go env`.
    pub goroot: Option<PathBuf>,
    /// GOMODCACHE to use instead of asking `go env`.
    pub gomodcache: Option<PathBuf>,
    /// Extra directories to search (`sourcePaths`, `--source-path`).
    pub source_paths: Vec<PathBuf>,
    /// Run `go env` for whatever of GOROOT and GOMODCACHE is not given.
    pub query_go_env: bool,
    /// The `go` binary (looked up on PATH when bare).
    pub go_command: PathBuf,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_files: 200_000,
            extensions: ["go", "s", "c", "h"].iter().map(|s| s.to_string()).collect(),
            goroot: None,
            gomodcache: None,
            source_paths: Vec::new(),
            query_go_env: true,
            go_command: PathBuf::from("go"),
        }
    }
}

/// A path as a `/`-separated string.
pub fn slash_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

fn absolute_slash_path(path: &Path) -> String {
    slash_path(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// Lists the source files and Go modules of each root on this machine's
/// disk, and finds GOROOT and GOMODCACHE: [`scan_with`] on [`RealFs`].
pub fn scan(roots: &[PathBuf], options: &ScanOptions) -> Workspace {
    scan_with(&RealFs, roots, options)
}

/// Lists the source files and Go modules of each root in `fs`, and finds
/// GOROOT and GOMODCACHE. Nothing here fails: problems end up in
/// [`Workspace::problems`], and a root listed only in part because of
/// [`ScanOptions::max_files`] is marked [`WorkspaceRoot::truncated`].
/// `go env` runs on this machine whatever `fs` is; turn it off with
/// [`ScanOptions::query_go_env`] for a tree in memory.
pub fn scan_with(fs: &dyn SourceFs, roots: &[PathBuf], options: &ScanOptions) -> Workspace {
    let mut ws = Workspace::default();
    let mut walker = Walker { fs, options, remaining: options.max_files, problems: Vec::new() };
    for root in roots {
        let mut out = WorkspaceRoot { root: absolute_slash_path(root), ..Default::default() };
        if !fs.is_dir(root) {
            walker.problems.push(format!("workspace folder {} is not a directory", root.display()));
        } else {
            walker.walk(root, "", &mut out);
        }
        ws.roots.push(out);
    }
    ws.problems = walker.problems;

    ws.goroot = options.goroot.as_deref().map(absolute_slash_path);
    ws.gomodcache = options.gomodcache.as_deref().map(absolute_slash_path);
    if options.query_go_env && (ws.goroot.is_none() || ws.gomodcache.is_none()) {
        match go_env(&options.go_command) {
            Ok((goroot, gomodcache)) => {
                ws.goroot = ws.goroot.or(goroot);
                ws.gomodcache = ws.gomodcache.or(gomodcache);
            }
            Err(e) => ws.problems.push(e),
        }
    }
    ws.source_paths = options.source_paths.iter().map(|p| absolute_slash_path(p)).collect();
    ws
}

struct Walker<'a> {
    fs: &'a dyn SourceFs,
    options: &'a ScanOptions,
    remaining: usize,
    problems: Vec<String>,
}

impl Walker<'_> {
    fn walk(&mut self, dir: &Path, rel: &str, out: &mut WorkspaceRoot) {
        let entries = match self.fs.read_dir(dir) {
            Ok(rd) => rd,
            Err(e) => {
                self.problems.push(format!("cannot list {}: {e}", dir.display()));
                return;
            }
        };
        let mut entries: Vec<_> = entries
            .into_iter()
            .filter_map(|e| match e {
                Ok(e) => Some(e),
                Err(e) => {
                    self.problems.push(format!("cannot list an entry of {}: {e}", dir.display()));
                    None
                }
            })
            .collect();
        entries.sort_by(|a, b| a.name.cmp(&b.name));

        for entry in entries {
            if out.truncated {
                return;
            }
            let Some(name) = entry.name.to_str() else {
                self.problems.push(format!("skipped {}: the name is not valid UTF-8", entry.path.display()));
                continue;
            };
            let child_rel = if rel.is_empty() { name.to_string() } else { format!("{rel}/{name}") };
            if entry.kind == EntryKind::Dir {
                if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name) {
                    self.walk(&entry.path, &child_rel, out);
                }
                continue;
            }
            if entry.kind != EntryKind::File || !self.keeps(name) {
                continue;
            }
            if self.remaining == 0 {
                out.truncated = true;
                return;
            }
            self.remaining -= 1;
            if name == "go.mod" {
                self.read_go_mod(&entry.path, rel, out);
            }
            out.files.push(child_rel);
        }
    }

    fn keeps(&self, name: &str) -> bool {
        name == "go.mod"
            || name
                .rsplit_once('.')
                .is_some_and(|(stem, ext)| !stem.is_empty() && self.options.extensions.iter().any(|e| e == ext))
    }

    fn read_go_mod(&mut self, path: &Path, dir: &str, out: &mut WorkspaceRoot) {
        match self.fs.read_to_string(path) {
            Ok(text) => match parse_module_path(&text) {
                Some(module) => out.modules.push(GoModule { path: module, dir: dir.to_string() }),
                None => self.problems.push(format!("{} has no module line", path.display())),
            },
            Err(e) => self.problems.push(format!("cannot read {}: {e}", path.display())),
        }
    }
}

/// The module path declared in a go.mod: `module example.com/m`, quoted
/// forms, trailing `//` comments and the `module ( … )` block form.
pub fn parse_module_path(go_mod: &str) -> Option<String> {
    let mut in_block = false;
    for line in go_mod.lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        }
        .trim();
        if line.is_empty() {
            continue;
        }
        let arg = if in_block {
            if line == ")" {
                in_block = false;
                continue;
            }
            line
        } else {
            let Some(rest) = line.strip_prefix("module") else { continue };
            if !rest.is_empty() && !rest.starts_with([' ', '\t', '(']) {
                continue; // e.g. a `modulefoo` directive
            }
            let rest = rest.trim();
            if let Some(inner) = rest.strip_prefix('(') {
                let inner = inner.trim();
                if inner.is_empty() {
                    in_block = true;
                    continue;
                }
                inner.trim_end_matches(')').trim()
            } else {
                rest
            }
        };
        let unquoted = arg
            .strip_prefix('"')
            .and_then(|a| a.strip_suffix('"'))
            .or_else(|| arg.strip_prefix('`').and_then(|a| a.strip_suffix('`')))
            .unwrap_or(arg)
            .trim();
        if !unquoted.is_empty() {
            return Some(unquoted.to_string());
        }
    }
    None
}

/// Runs `go env GOROOT GOMODCACHE` once. Empty values become `None`.
pub fn go_env(go: &Path) -> Result<(Option<String>, Option<String>), String> {
    let output = Command::new(go)
        .args(["env", "GOROOT", "GOMODCACHE"])
        // Away from any go.mod, and never fetching a toolchain.
        .current_dir(std::env::temp_dir())
        .env("GOTOOLCHAIN", "local")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not run `{} env`: {e}", go.display()))?;
    if !output.status.success() {
        return Err(format!("`{} env` failed: {}", go.display(), String::from_utf8_lossy(&output.stderr).trim()));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines().map(str::trim);
    let mut next = || lines.next().filter(|l| !l.is_empty()).map(|l| slash_path(Path::new(l)));
    let goroot = next();
    let gomodcache = next();
    Ok((goroot, gomodcache))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::{FileExists, LocalPath, PathMapper, Resolution, Rule};
    use crate::source::fs::MemFs;
    use std::fs;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            static N: AtomicUsize = AtomicUsize::new(0);
            let nanos =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
            let dir = std::env::temp_dir().join(format!(
                "pprof-lsp-scan-{}-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed),
                nanos
            ));
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn write(&self, rel: &str, text: &str) {
            let p = self.0.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn offline() -> ScanOptions {
        ScanOptions { query_go_env: false, ..Default::default() }
    }

    fn sample_tree() -> TempDir {
        let t = TempDir::new();
        t.write("go.mod", "// app\nmodule \"github.com/acme/app\" // the app\n\ngo 1.22\n");
        t.write("main.go", "package main\n");
        t.write("internal/catalog/catalog.go", "package catalog\n");
        t.write("internal/catalog/asm_amd64.s", "");
        t.write("internal/catalog/README.md", "");
        t.write("cgo/x.c", "");
        t.write("cgo/x.h", "");
        t.write("tools/go.mod", "module github.com/acme/tools\n");
        t.write("tools/gen/gen.go", "package gen\n");
        t.write(".git/objects/x.go", "");
        t.write(".tools/bin/y.go", "");
        t.write(".hidden/z.go", "");
        t.write("node_modules/pkg/a.go", "");
        t.write("target/debug/b.go", "");
        t.write("vendor/github.com/pkg/errors/errors.go", "package errors\n");
        t
    }

    #[test]
    fn lists_sources_and_modules_and_skips_tool_dirs() {
        let t = sample_tree();
        let ws = scan(std::slice::from_ref(&t.0), &offline());
        assert!(ws.problems.is_empty(), "{:?}", ws.problems);
        assert_eq!(ws.roots.len(), 1);
        let root = &ws.roots[0];
        assert!(root.root.ends_with(&slash_path(t.0.file_name().unwrap().as_ref())));
        assert!(!root.truncated);
        let mut files = root.files.clone();
        files.sort();
        assert_eq!(
            files,
            [
                "cgo/x.c",
                "cgo/x.h",
                "go.mod",
                "internal/catalog/asm_amd64.s",
                "internal/catalog/catalog.go",
                "main.go",
                "tools/gen/gen.go",
                "tools/go.mod",
                "vendor/github.com/pkg/errors/errors.go",
            ]
        );
        let mut modules = root.modules.clone();
        modules.sort_by(|a, b| a.dir.cmp(&b.dir));
        assert_eq!(
            modules,
            [
                GoModule { path: "github.com/acme/app".into(), dir: "".into() },
                GoModule { path: "github.com/acme/tools".into(), dir: "tools".into() },
            ]
        );
        assert_eq!(ws.goroot, None);
        assert_eq!(ws.gomodcache, None);
    }

    #[test]
    fn stops_at_the_file_limit_and_marks_the_root() {
        let t = sample_tree();
        let other = TempDir::new();
        other.write("a.go", "");
        let opts = ScanOptions { max_files: 3, ..offline() };
        let ws = scan(&[t.0.clone(), other.0.clone()], &opts);
        assert_eq!(ws.roots[0].files.len(), 3);
        assert!(ws.roots[0].truncated);
        assert!(ws.roots[1].files.is_empty());
        assert!(ws.roots[1].truncated);
        assert!(ws.problems.is_empty(), "{:?}", ws.problems);
    }

    #[test]
    fn reports_missing_roots_and_broken_go_mod() {
        let t = TempDir::new();
        t.write("go.mod", "go 1.22\n");
        let missing = t.0.join("does-not-exist");
        let ws = scan(&[t.0.clone(), missing], &offline());
        assert_eq!(ws.roots.len(), 2);
        assert_eq!(ws.problems.len(), 2, "{:?}", ws.problems);
        assert!(ws.problems.iter().any(|p| p.contains("no module line")));
        assert!(ws.problems.iter().any(|p| p.contains("not a directory")));
    }

    #[test]
    fn explicit_go_settings_win_and_a_missing_go_binary_is_only_noted() {
        let t = TempDir::new();
        let opts = ScanOptions {
            goroot: Some(PathBuf::from("/opt/go")),
            gomodcache: None,
            source_paths: vec![PathBuf::from("/src/extra")],
            query_go_env: true,
            go_command: t.0.join("no-such-go"),
            ..Default::default()
        };
        let ws = scan(&[], &opts);
        assert!(ws.goroot.as_deref().unwrap().ends_with("/opt/go"));
        assert_eq!(ws.gomodcache, None);
        assert!(ws.source_paths[0].ends_with("/src/extra"));
        assert_eq!(ws.problems.len(), 1);
        assert!(ws.problems[0].contains("could not run"), "{:?}", ws.problems);

        // Both given: go is not asked at all.
        let opts = ScanOptions { gomodcache: Some(PathBuf::from("/opt/mod")), ..opts };
        assert!(scan(&[], &opts).problems.is_empty());
    }

    #[test]
    fn module_lines() {
        let cases: &[(&str, Option<&str>)] = &[
            ("module example.com/m\n", Some("example.com/m")),
            ("// comment\n\nmodule   example.com/m   // trailing\n", Some("example.com/m")),
            ("module \"example.com/quoted\"\n", Some("example.com/quoted")),
            ("module `example.com/raw`\n", Some("example.com/raw")),
            ("module vaptcha-go\r\n\r\ngo 1.21\r\n", Some("vaptcha-go")),
            ("module (\n\texample.com/block\n)\n", Some("example.com/block")),
            ("module (example.com/inline)\n", Some("example.com/inline")),
            ("// module example.com/commented\ngo 1.22\n", None),
            ("modulefoo x\n", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_module_path(text).as_deref(), *want, "{text:?}");
        }
    }

    #[test]
    fn scanned_workspace_feeds_the_mapper() {
        let t = sample_tree();
        let ws = scan(std::slice::from_ref(&t.0), &offline());
        let root = ws.roots[0].root.clone();
        let mapper = PathMapper::new(ws, Vec::new());
        let cases = [
            ("github.com/acme/app/internal/catalog/catalog.go", "internal/catalog/catalog.go", Rule::Module),
            ("D:\\ci\\work\\tools\\gen\\gen.go", "tools/gen/gen.go", Rule::Module),
            ("/build/x/internal/catalog/catalog.go", "internal/catalog/catalog.go", Rule::Suffix),
            ("github.com/pkg/errors@v0.9.1/errors.go", "vendor/github.com/pkg/errors/errors.go", Rule::Vendor),
        ];
        for (profile, rel, rule) in cases {
            let want = Resolution::Mapped { path: format!("{root}/{rel}"), rule, in_workspace: true };
            assert_eq!(mapper.resolve(profile, &RealFs), want, "{profile}");
        }
    }

    /// A Windows checkout as an editor on Unix sees it (`file:///C:/...`
    /// URIs become `/C:/...` paths), scanned without a disk, mapped, and
    /// looked up by the document paths an editor sends.
    #[test]
    fn a_windows_workspace_in_memory_scans_and_maps() {
        let fs = MemFs::new([
            ("/C:/src/app/go.mod", "module example.com/app\n"),
            ("/C:/src/app/main.go", "package main\n"),
            ("/C:/src/app/internal/db/db.go", "package db\n"),
            ("/C:/src/app/.git/hooks/x.go", ""),
            ("/C:/src/app/notes.md", ""),
        ]);
        let roots = [PathBuf::from("/C:/src/app"), PathBuf::from("/C:/src/gone")];
        let ws = scan_with(&fs, &roots, &offline());
        assert_eq!(ws.roots[0].files, ["go.mod", "internal/db/db.go", "main.go"]);
        assert_eq!(ws.roots[0].modules, [GoModule { path: "example.com/app".into(), dir: "".into() }]);
        assert_eq!(ws.problems.len(), 1, "{:?}", ws.problems);
        assert!(ws.problems[0].contains("not a directory"), "{:?}", ws.problems);

        let mapper = PathMapper::new(ws, Vec::new());
        let profile = [r"D:\a\app\main.go", "example.com/app/internal/db/db.go"];
        let files = mapper.map_all(&profile, &fs);
        assert_eq!(files.local_for(r"D:\a\app\main.go"), Some("c:/src/app/main.go"));
        for document in ["/C:/src/app/main.go", "/c%3A/src/app/main.go", r"C:\src\app\main.go"] {
            assert_eq!(files.profile_files_for_local(&LocalPath::new(document)), [0], "{document}");
        }
        assert_eq!(files.profile_files_for_local(&LocalPath::new("/c:/src/app/internal/db/db.go")), [1]);
        assert!(fs.exists("c:/src/app/internal/db/db.go"));
    }
}
