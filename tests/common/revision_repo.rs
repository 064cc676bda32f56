//! The git repository of the revision fixture (`tests/fixtures/revision`,
//! see its section in `tests/fixtures/README.md`), made fresh for a test by
//! `scripts/make-revision-repo.sh`: revision A tagged `profiled`, a heap
//! profile written by A's program, and revision B on top. The script
//! needs Go (`PPROF_GOROOT`), so [`RevisionRepo::build`] follows the rule
//! of [`super::live`]: without it a test fails under CI and skips
//! elsewhere.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;

/// One repository made by the script, removed when dropped. The fields are
/// the script's JSON.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionRepo {
    /// The repository's working tree, as the profile spells it.
    pub dir: PathBuf,
    /// The commit the profile was taken at (tagged `profiled`).
    pub rev_a: String,
    /// The commit after it, checked out.
    pub rev_b: String,
    /// A's commit date, Unix seconds (fixed).
    pub time_a: i64,
    /// B's commit date, Unix seconds: a second after the profile was written.
    pub time_b: i64,
    /// The heap profile, `dir/profiles/heap.pb.gz` (ignored by git).
    pub profile: PathBuf,
    /// A's program, `dir/.bin/revdemo` (ignored by git).
    pub binary: PathBuf,
    pub lines: Lines,
}

/// The tagged lines: file names relative to [`RevisionRepo::dir`], lines
/// 1-based, `bytes` what A's line allocates and keeps (one object).
#[derive(Debug, Deserialize)]
pub struct Lines {
    /// Three lines are inserted above it in B.
    pub moved: Kept,
    /// Its text changes in B; its place does not.
    pub changed: Kept,
    /// Gone in B.
    pub deleted: Deleted,
    /// In a file that B renames, unchanged.
    pub renamed: Renamed,
    /// Unchanged, in a file that does not change.
    pub same: Kept,
}

#[derive(Debug, Deserialize)]
pub struct Kept {
    pub file: String,
    pub a: i64,
    pub b: i64,
    pub bytes: i64,
}

#[derive(Debug, Deserialize)]
pub struct Deleted {
    pub file: String,
    pub a: i64,
    pub bytes: i64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Renamed {
    pub file_a: String,
    pub file_b: String,
    pub a: i64,
    pub b: i64,
    pub bytes: i64,
}

impl RevisionRepo {
    /// Runs the script into a new directory under `PPROF_TMPDIR` (else the
    /// system's temporary directory). `None` when Go is missing outside CI
    /// (the test has printed that it skipped); a failure of the script
    /// panics.
    pub fn build() -> Option<RevisionRepo> {
        let goroot = super::live::goroot()?;
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let parent = std::env::var_os("PPROF_TMPDIR").filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let dir = parent.join(format!("pprof-lsp-revision-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let script = super::root().join("scripts/make-revision-repo.sh");
        let out = Command::new(&script).arg(&dir).env("PPROF_GOROOT", goroot).output().unwrap_or_else(|e| panic!("{}: {e}", script.display()));
        if !out.status.success() {
            let _ = std::fs::remove_dir_all(&dir);
            panic!("{} {} failed ({}):\n{}", script.display(), dir.display(), out.status, String::from_utf8_lossy(&out.stderr));
        }
        let json = String::from_utf8_lossy(&out.stdout);
        match serde_json::from_str(&json) {
            Ok(repo) => Some(repo),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                panic!("make-revision-repo.sh printed {json:?}: {e}");
            }
        }
    }

    /// A file of the working tree (revision B).
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// The file name a profile of revision A records for `file`.
    pub fn profile_file(&self, file: &str) -> String {
        self.path(file).to_string_lossy().into_owned()
    }

    /// Runs git in the repository, without the machine's or the user's
    /// configuration, and returns its stdout; panics when it fails.
    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap_or_else(|e| panic!("git: {e}"));
        assert!(out.status.success(), "git {args:?} in {}: {}", self.dir.display(), String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("git prints UTF-8")
    }
}

impl Drop for RevisionRepo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
