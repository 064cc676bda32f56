//! What the path mapper is given: a plain-data description of the local
//! source files ([`Workspace`]), the user's prefix rewrites
//! ([`PathMapping`]), and a [`FileExists`] question for files outside the
//! workspace listing. Reading the disk to fill these in is the caller's job.

use std::collections::HashSet;
use std::hash::BuildHasher;

use rustc_hash::FxHashSet;

use super::norm::normalize_path;

/// Everything the mapper knows about this machine's source files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Workspace {
    pub roots: Vec<WorkspaceRoot>,
    /// The local Go installation, e.g. `/usr/lib/go` (sources in `src/`).
    pub goroot: Option<String>,
    /// The local module cache, e.g. `/home/me/go/pkg/mod`.
    pub gomodcache: Option<String>,
    /// Extra directories to search, absolute.
    pub source_paths: Vec<String>,
    /// Problems met while building this description (unreadable
    /// directories, a broken go.mod, no `go` binary). They are repeated in
    /// the `tried` list of unresolved paths, as is a cut-off listing (see
    /// [`WorkspaceRoot::truncated`]).
    pub problems: Vec<String>,
}

/// One workspace folder and the source files in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkspaceRoot {
    /// Absolute; `/` or `\` separated.
    pub root: String,
    /// Relative to `root`.
    pub files: Vec<String>,
    pub modules: Vec<GoModule>,
    /// The listing stopped early (file cap), so `files` is incomplete.
    pub truncated: bool,
}

/// A `go.mod` found in a workspace root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoModule {
    /// The path from the `module` line, e.g. `github.com/acme/app`.
    pub path: String,
    /// The directory holding the go.mod, relative to the root; `""` for the
    /// root itself.
    pub dir: String,
}

/// A user-configured prefix rewrite (`pathMappings`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PathMapping {
    /// A prefix of profile paths, in any spelling (`D:\x`, `d:/x`, `/x`).
    pub from: String,
    /// Where that prefix lives here; absolute, or relative to the first
    /// workspace root.
    pub to: String,
}

/// Answers whether a file exists outside the workspace listing.
pub trait FileExists {
    /// `path` is normalised (see [`NormPath`](super::NormPath)).
    fn exists(&self, path: &str) -> bool;
}

impl<S: BuildHasher> FileExists for HashSet<String, S> {
    fn exists(&self, path: &str) -> bool {
        self.contains(path)
    }
}

/// A [`FileExists`] for which nothing exists: only workspace files map.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoFiles;

impl FileExists for NoFiles {
    fn exists(&self, _path: &str) -> bool {
        false
    }
}

/// A [`FileExists`] over a set the caller already holds (and for tests).
/// Paths are normalised when added, so any spelling works.
#[derive(Clone, Debug, Default)]
pub struct KnownFiles(FxHashSet<String>);

impl KnownFiles {
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> Self {
        KnownFiles(paths.into_iter().map(normalize_path).collect())
    }
}

impl FileExists for KnownFiles {
    fn exists(&self, path: &str) -> bool {
        self.0.contains(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_files_accept_any_spelling_on_insert() {
        let known = KnownFiles::new([r"C:\Go\src\runtime\proc.go", "/opt//src/./a.go"]);
        assert!(known.exists("c:/Go/src/runtime/proc.go"));
        assert!(known.exists("/opt/src/a.go"));
        assert!(!known.exists("/opt/src/b.go"));
        assert!(!NoFiles.exists("/opt/src/a.go"));
    }
}
