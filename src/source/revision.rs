//! The git revision a profile was taken at, and where each of its lines is
//! in the files on disk now.
//!
//! The revision comes, in this order, from the `revision` setting (or the
//! CLI's `--revision`), from the Go build info of the profiled binary
//! (`vcs.revision`), or from nowhere; then lines are used as recorded. With
//! a revision, each workspace file the profile annotates is read at that
//! revision (one `git cat-file --batch` for all of them) and diffed against
//! the file on disk ([`LineMap`]); files renamed since are followed with
//! git's rename detection. Everything here is bounded: each git call by a
//! time limit, each file by a size limit, and line maps are cached per
//! revision and file, so a reload of a live source runs no diff again for a
//! file that did not change.
//!
//! Whatever goes wrong (no repository, an unknown revision, a shallow
//! clone, a timeout) leaves the lines unmapped and says why in
//! [`Mapped::problem`], for the status.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use rustc_hash::FxHashMap;

use crate::paths::revision::Revision;
use crate::paths::{FileExists, LineMap, LocalPath, MappedFiles, PathMapper};
use crate::profile::Profile;

use super::buildinfo;
use super::git::{Blob, Git, GitError, GitOptions, Rename};

/// How a profile's revision is looked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// A revision given by the user (setting or `--revision`); first.
    pub revision: Option<String>,
    /// The profiled binary, when its path is not the profile's main
    /// mapping's (`binary` setting).
    pub binary: Option<PathBuf>,
    /// A revision the profiles name themselves (a continuous profiler's
    /// `service_git_ref` label); after the setting, before the binary.
    pub labelled: Option<String>,
}

/// Everything [`prepare`] is given: how to look for the revision, the
/// folder whose repository is asked, and the limits.
#[derive(Clone, Debug, Default)]
pub struct Input {
    pub settings: Settings,
    /// The folder whose repository is asked (the first workspace folder).
    pub workspace: Option<PathBuf>,
    pub limits: Limits,
}

/// Maps a profile's file `names` through `mapper`, following files renamed
/// since the profile's revision, and maps the lines of the files changed
/// since: the language server's mapping of a profile and the CLI's
/// `--revision`.
pub fn map_files(
    names: &[&str],
    profile: &Profile,
    mapper: &PathMapper,
    fs: &dyn FileExists,
    input: &Input,
    cache: &Cache,
) -> (MappedFiles, Mapped) {
    let mut files = mapper.map_all(names, fs);
    let prepared = prepare(&input.settings, profile, input.workspace.as_deref(), input.limits);
    if !prepared.mapped.renames.is_empty() {
        files.follow_renames(|name| prepared.mapped.renamed(name));
    }
    let mapped = prepared.map(&files.workspace_files(), cache);
    (files, mapped)
}

/// Limits of the git work for one profile.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Each git call is abandoned after this long.
    pub git_timeout: Duration,
    /// Files larger than this (at the revision or on disk) are not diffed.
    pub max_file_bytes: u64,
    /// Binaries larger than this are not read for build info.
    pub max_binary_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { git_timeout: Duration::from_secs(5), max_file_bytes: 4 << 20, max_binary_bytes: 1 << 30 }
    }
}

/// Where the revision came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The `revision` setting or `--revision`.
    Setting,
    /// The `vcs.revision` of the Go binary at this path.
    BuildInfo(PathBuf),
    /// The profiles' `service_git_ref` label.
    Label,
}

impl Origin {
    /// One word for JSON: `setting` or `buildInfo`.
    pub fn key(&self) -> &'static str {
        match self {
            Origin::Setting => "setting",
            Origin::BuildInfo(_) => "buildInfo",
            Origin::Label => "label",
        }
    }
}

/// The revision a profile's lines were recorded at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileRevision {
    /// The full commit id.
    pub sha: String,
    /// Its first seven characters.
    pub short: String,
    pub origin: Origin,
    /// The binary was built from a working tree with changes
    /// (`vcs.modified`); unknown when the revision came from a setting.
    pub dirty: Option<bool>,
}

/// What came of looking for a profile's revision and mapping its files.
#[derive(Clone, Debug, Default)]
pub struct Mapped {
    /// The revision lines are mapped from, if one was found and is in the
    /// repository.
    pub revision: Option<ProfileRevision>,
    /// Repository root, when the workspace is in one.
    pub root: Option<PathBuf>,
    /// Files renamed since the revision, relative to [`Mapped::root`].
    pub renames: Vec<Rename>,
    /// The line maps of files that changed since the revision; a file
    /// without one is as it was.
    pub lines: FxHashMap<LocalPath, Arc<LineMap>>,
    /// Why lines are not mapped, or not all of them, for the user: one
    /// sentence each (a revision not in the repository, a shallow clone, a
    /// file skipped as binary or too large, a git call that took too long).
    pub problems: Vec<String>,
    /// Without a revision: the profile is older than the last commit that
    /// changed a file it annotates, said once, with the way out.
    pub older_than_code: Option<String>,
}

impl Mapped {
    /// The line map of a local file, if it changed since the revision.
    pub fn lines_of(&self, local: &LocalPath) -> Option<&LineMap> {
        self.lines.get(local).map(Arc::as_ref)
    }

    /// When a profile file name names a file renamed since the revision:
    /// the file's absolute path now. Matched by whole trailing components,
    /// the longest old path first.
    pub fn renamed(&self, profile_file: &str) -> Option<String> {
        let name = profile_file.replace('\\', "/");
        let rename = self
            .renames
            .iter()
            .filter(|r| name == r.old || name.ends_with(&format!("/{}", r.old)))
            .max_by_key(|r| r.old.len())?;
        Some(format!("{}/{}", self.root.as_ref()?.to_string_lossy().replace('\\', "/"), rename.new))
    }

    /// The path (relative to the root) a file had at the revision, given
    /// its path now.
    fn old_name<'a>(&'a self, now: &'a str) -> &'a str {
        self.renames.iter().find(|r| r.new == now).map_or(now, |r| r.old.as_str())
    }
}

/// Line maps already made, per revision and file, with the size and time
/// of the file on disk they were made against; and the revisions sources
/// name in their labels, per source.
#[derive(Default)]
pub struct Cache {
    maps: Mutex<FxHashMap<(String, PathBuf), CachedMap>>,
    labelled: Mutex<FxHashMap<String, Option<String>>>,
}

impl Cache {
    /// The revision the source keyed `key` names in its labels, if it was
    /// asked before (`Some(None)`: it names none).
    pub fn labelled(&self, key: &str) -> Option<Option<String>> {
        self.labelled.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned()
    }

    /// Keeps what the source keyed `key` named.
    pub fn set_labelled(&self, key: &str, revision: Option<String>) {
        self.labelled.lock().unwrap_or_else(|e| e.into_inner()).insert(key.to_string(), revision);
    }
}

struct CachedMap {
    len: u64,
    modified: Option<SystemTime>,
    map: Option<Arc<LineMap>>,
}

/// At most this many maps are kept; the cache is emptied when it is full.
const CACHE_ENTRIES: usize = 20_000;

/// Finds the revision of `profile` and where it is in the repository
/// holding `workspace`. The files to map come later ([`Prepared::map`]),
/// once the profile's file names are mapped, renames included.
pub fn prepare(settings: &Settings, profile: &Profile, workspace: Option<&Path>, limits: Limits) -> Prepared {
    let started = Instant::now();
    let mut out = Prepared { limits, ..Prepared::default() };
    let wanted = match &settings.revision {
        Some(text) => match Revision::parse(text) {
            Ok(rev) => Some((rev, Origin::Setting, None)),
            Err(e) => {
                out.mapped.problems.push(format!("revision: {e}; lines are used as recorded"));
                return out;
            }
        },
        None => match &settings.labelled {
            Some(text) => match Revision::parse(text) {
                Ok(rev) => Some((rev, Origin::Label, None)),
                Err(e) => {
                    out.mapped.problems.push(format!("the profiles' service_git_ref label: {e}; lines are used as recorded"));
                    return out;
                }
            },
            None => from_binary(settings, profile, limits, &mut out.mapped.problems),
        },
    };
    let Some(workspace) = workspace else {
        if wanted.is_some() {
            out.mapped.problems.push("no workspace folder to find the revision's repository in; lines are used as recorded".into());
        }
        return out;
    };
    let git = match Git::discover(workspace, GitOptions { timeout: limits.git_timeout, ..GitOptions::default() }) {
        Ok(git) => git,
        Err(e) => {
            if wanted.is_some() || !matches!(e, GitError::NotARepository { .. }) {
                out.mapped.problems.push(format!("{e}; lines are used as recorded"));
            }
            return out;
        }
    };
    out.mapped.root = Some(spelled_root(workspace, git.root()));
    out.profile_time = profile.time_nanos / 1_000_000_000;
    out.timings.discover = started.elapsed();
    let Some((rev, origin, dirty)) = wanted else {
        out.git = Some(git);
        return out;
    };
    let resolving = Instant::now();
    let resolved = match git.resolve(&rev) {
        Ok(r) => r,
        Err(e) => {
            out.mapped.problems.push(format!("{e}; lines are used as recorded"));
            return out;
        }
    };
    let listing = Instant::now();
    out.timings.resolve = listing - resolving;
    match git.renames_since(&resolved.sha) {
        Ok(renames) => out.mapped.renames = renames,
        Err(e) => out.mapped.problems.push(format!("renamed files are not followed: {e}")),
    }
    out.timings.renames = listing.elapsed();
    let short = resolved.sha.chars().take(7).collect();
    out.mapped.revision = Some(ProfileRevision { sha: resolved.sha, short, origin, dirty });
    out.git = Some(git);
    out
}

/// The revision in the build info of the profiled binary: the `binary`
/// setting, else the profile's main mapping when that file is here.
fn from_binary(
    settings: &Settings,
    profile: &Profile,
    limits: Limits,
    problems: &mut Vec<String>,
) -> Option<(Revision, Origin, Option<bool>)> {
    for path in buildinfo::binary_candidates(profile, settings.binary.as_deref()) {
        let info = match buildinfo::read_file(&path, limits.max_binary_bytes) {
            Ok(info) => info,
            Err(e) => {
                if settings.binary.as_deref() == Some(path.as_path()) {
                    problems.push(format!("binary: {e}"));
                }
                continue;
            }
        };
        let Some(sha) = info.vcs_revision() else { continue };
        match Revision::parse(sha) {
            Ok(rev) => return Some((rev, Origin::BuildInfo(path), info.vcs_modified())),
            Err(e) => problems.push(format!("{}: vcs.revision: {e}", path.display())),
        }
    }
    None
}

/// A profile's revision found, before its files are mapped.
#[derive(Default)]
pub struct Prepared {
    pub mapped: Mapped,
    git: Option<Git>,
    limits: Limits,
    /// The profile's time (Unix seconds; 0 when it has none).
    profile_time: i64,
    timings: Timings,
}

/// How long each step of [`prepare`] took, for the log line of
/// [`Prepared::map`].
#[derive(Clone, Copy, Debug, Default)]
struct Timings {
    /// Finding the repository (`git version`, `git rev-parse --show-toplevel`).
    discover: Duration,
    /// Resolving the revision (`git rev-parse --verify`, `git show`).
    resolve: Duration,
    /// Listing renames since (`git diff -M --name-status`).
    renames: Duration,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e4).round() / 10.0
}

impl Prepared {
    /// Maps the lines of `files` (absolute local paths, as the path mapper
    /// answers them) from the revision to the disk. Logs one line (info)
    /// with the files read and diffed and the milliseconds of each step,
    /// those of [`prepare`] included.
    pub fn map(mut self, files: &[String], cache: &Cache) -> Mapped {
        let Some(git) = self.git.take() else { return self.mapped };
        let root = self.mapped.root.clone().unwrap_or_else(|| git.root().to_path_buf());
        let in_repo: Vec<(String, String)> = files
            .iter()
            .filter_map(|local| Some((local.clone(), relative(&root, Path::new(local))?)))
            .collect();
        let Some(revision) = self.mapped.revision.clone() else {
            let asking = Instant::now();
            self.mapped.older_than_code = older_than_code(&git, self.profile_time, &in_repo);
            tracing::info!(
                files = in_repo.len(),
                discover_ms = ms(self.timings.discover),
                last_change_ms = ms(asking.elapsed()),
                "no revision: lines used as recorded"
            );
            return self.mapped;
        };
        let looking = Instant::now();
        let mut todo = Vec::new();
        for (local, rel) in &in_repo {
            let path = PathBuf::from(local);
            let meta = std::fs::metadata(&path).ok();
            let (len, modified) = (meta.as_ref().map_or(0, |m| m.len()), meta.as_ref().and_then(|m| m.modified().ok()));
            let key = (revision.sha.clone(), path.clone());
            let cached = cache.maps.lock().unwrap_or_else(|e| e.into_inner()).get(&key).and_then(|c| {
                (c.len == len && c.modified == modified).then(|| c.map.clone())
            });
            match cached {
                Some(Some(map)) => {
                    self.mapped.lines.insert(LocalPath::new(local), map);
                }
                Some(None) => {}
                // A file renamed since the revision is read under its old name.
                None => todo.push((local.clone(), self.mapped.old_name(rel).to_string(), len, modified)),
            }
        }
        let (looked, cached) = (looking.elapsed(), in_repo.len() - todo.len());
        let log = |mapped: &Mapped, read: usize, diffed: usize, blobs: Duration, diffs: Duration| {
            tracing::info!(
                revision = %revision.short,
                files = in_repo.len(),
                cached,
                read,
                diffed,
                changed = mapped.lines.len(),
                renames = mapped.renames.len(),
                discover_ms = ms(self.timings.discover),
                resolve_ms = ms(self.timings.resolve),
                renames_ms = ms(self.timings.renames),
                lookup_ms = ms(looked),
                blobs_ms = ms(blobs),
                diff_ms = ms(diffs),
                "revision mapped"
            );
        };
        if todo.is_empty() {
            log(&self.mapped, 0, 0, Duration::ZERO, Duration::ZERO);
            return self.mapped;
        }
        let reading = Instant::now();
        let names: Vec<String> = todo.iter().map(|(_, old, _, _)| old.clone()).collect();
        let blobs = match git.blobs_at(&revision.sha, &names, self.limits.max_file_bytes) {
            Ok(blobs) => blobs,
            Err(e) => {
                self.mapped.problems.push(format!("{e}; lines are used as recorded"));
                return self.mapped;
            }
        };
        let blobs_took = reading.elapsed();
        let diffing = Instant::now();
        let (read, mut diffed) = (todo.len(), 0);
        let mut maps = cache.maps.lock().unwrap_or_else(|e| e.into_inner());
        if maps.len() + todo.len() > CACHE_ENTRIES {
            maps.clear();
        }
        drop(maps);
        for ((local, old, len, modified), blob) in todo.into_iter().zip(blobs) {
            let map = match blob {
                Blob::Text(then) => match read_text(Path::new(&local), len, self.limits.max_file_bytes) {
                    // Most annotated files are as they were: no diff for those.
                    Ok(now) if now == then => None,
                    Ok(now) => {
                        diffed += 1;
                        let map = LineMap::between_texts(&then, &now);
                        (!map.is_identity()).then(|| Arc::new(map))
                    }
                    Err(why) => {
                        self.mapped.problems.push(format!("{local}: {why}; its lines are used as recorded"));
                        continue;
                    }
                },
                Blob::Binary => {
                    self.mapped.problems.push(format!("{old} at {}: a binary file, skipped", revision.short));
                    continue;
                }
                Blob::TooLarge(size) => {
                    self.mapped.problems.push(format!(
                        "{old} at {}: {size} bytes, over the {} byte limit, skipped",
                        revision.short, self.limits.max_file_bytes
                    ));
                    continue;
                }
                // Not in the revision: a file added since, which the
                // profile cannot have recorded; lines stay as they are.
                Blob::Missing => None,
            };
            if let Some(map) = &map {
                self.mapped.lines.insert(LocalPath::new(&local), map.clone());
            }
            cache.maps.lock().unwrap_or_else(|e| e.into_inner()).insert((revision.sha.clone(), PathBuf::from(&local)), CachedMap { len, modified, map });
        }
        log(&self.mapped, read, diffed, blobs_took, diffing.elapsed());
        self.mapped
    }
}

/// The file's text, if it is text and not too large (`len`, its size as
/// already read from its metadata).
fn read_text(path: &Path, len: u64, max_bytes: u64) -> Result<String, String> {
    if len > max_bytes {
        return Err(format!("{len} bytes, over the {max_bytes} byte limit"));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// The repository's root spelled as the workspace spells it: git answers
/// with symbolic links resolved, while the editor and the profile name
/// files through the path the user opened.
fn spelled_root(workspace: &Path, git_root: &Path) -> PathBuf {
    if workspace.starts_with(git_root) {
        return git_root.to_path_buf();
    }
    let (Ok(real_workspace), Ok(real_root)) = (workspace.canonicalize(), git_root.canonicalize()) else {
        return git_root.to_path_buf();
    };
    let Ok(below) = real_workspace.strip_prefix(&real_root) else { return git_root.to_path_buf() };
    let mut spelled = workspace.to_path_buf();
    for _ in below.components() {
        if !spelled.pop() {
            return git_root.to_path_buf();
        }
    }
    spelled
}

/// `path` relative to `root`, `/`-separated, if it is under it (also when
/// one of them is spelled through a symbolic link).
fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = match path.strip_prefix(root) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => path.canonicalize().ok()?.strip_prefix(root.canonicalize().ok()?).ok()?.to_path_buf(),
    };
    Some(rel.to_string_lossy().replace('\\', "/"))
}

/// Without a known revision: whether a commit newer than the profile
/// changed one of its files, as one sentence.
fn older_than_code(git: &Git, profile_time: i64, files: &[(String, String)]) -> Option<String> {
    if profile_time <= 0 || files.is_empty() {
        return None;
    }
    let rels: Vec<String> = files.iter().map(|(_, rel)| rel.clone()).collect();
    let last = git.last_change(&rels).ok()??;
    (last.time > profile_time).then(|| {
        format!(
            "the profile is older than commit {} that changed its files; set `revision` to the commit it was built from so its lines follow the code",
            &last.sha[..7.min(last.sha.len())]
        )
    })
}

/// How a diff base's lines (recorded at the base's revision) move to the
/// lines of the shown profile's revision in one local file: forward to the
/// disk, then back to the shown revision. `None` when they need not move
/// (the same revision, or the file is the same in both).
pub fn base_to_shown(base: &Mapped, shown: &Mapped, local: &LocalPath) -> Option<LineMap> {
    let same = match (&base.revision, &shown.revision) {
        (Some(a), Some(b)) => a.sha == b.sha,
        (None, None) => true,
        _ => false,
    };
    if same {
        return None;
    }
    match (base.lines_of(local), shown.lines_of(local)) {
        (None, None) => None,
        (Some(b), None) => Some(b.clone()),
        (None, Some(s)) => Some(s.inverse()),
        (Some(b), Some(s)) => Some(b.then(&s.inverse())),
    }
}

/// What [`remap_lines`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Remapped {
    /// Frames whose line number changed.
    pub moved: usize,
    /// Frames whose line is gone since the revision: their line is now 0,
    /// as for a frame without a line, so their cost stays with their
    /// function but with no line.
    pub gone: usize,
}

/// Rewrites the line numbers of `profile` (frames and function start
/// lines) to where those lines are now, through `lines_of` (a profile file
/// name's line map, when its file changed since the profile's revision).
/// For reports that print lines (the CLI's `--revision`); the language
/// server maps at display time instead, to mark changed lines.
pub fn remap_lines<'m>(profile: &mut Profile, lines_of: impl Fn(&str) -> Option<&'m LineMap>) -> Remapped {
    let maps: Vec<Option<&LineMap>> = profile.functions.iter().map(|f| lines_of(&f.filename)).collect();
    let mut out = Remapped::default();
    let new_line = |map: &LineMap, line: i64| -> Option<i64> {
        let recorded = usize::try_from(line - 1).ok()?;
        map.place(recorded).map(|p| p.line as i64 + 1)
    };
    for location in &mut profile.locations {
        for frame in &mut location.lines {
            let Some(map) = maps[frame.function.0 as usize] else { continue };
            if frame.line < 1 {
                continue;
            }
            match new_line(map, frame.line) {
                Some(line) if line == frame.line => {}
                Some(line) => {
                    frame.line = line;
                    out.moved += 1;
                }
                None => {
                    frame.line = 0;
                    out.gone += 1;
                }
            }
        }
    }
    for (function, map) in profile.functions.iter_mut().zip(&maps) {
        if let (Some(map), true) = (map, function.start_line > 0) {
            function.start_line = new_line(map, function.start_line).unwrap_or(0);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Function;
    use std::process::Command;

    /// A repository under the temporary directory with `files` committed,
    /// git run without this machine's configuration; removed on drop.
    struct Repo(PathBuf);

    impl Repo {
        fn new(name: &str, files: &[(&str, &[u8])]) -> Repo {
            let dir = std::env::temp_dir().join(format!("pprof-lsp-revision-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            let repo = Repo(dir.canonicalize().unwrap());
            for (file, bytes) in files {
                std::fs::write(repo.0.join(file), bytes).unwrap();
            }
            repo.git(&["init", "-q"]);
            repo.git(&["add", "-A"]);
            repo.git(&["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "A"]);
            repo
        }

        fn git(&self, args: &[&str]) {
            let out = Command::new("git")
                .arg("-C")
                .arg(&self.0)
                .args(args)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("HOME", &self.0)
                .env("GIT_CEILING_DIRECTORIES", self.0.parent().unwrap())
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        }

        fn path(&self, file: &str) -> String {
            self.0.join(file).to_string_lossy().into_owned()
        }
    }

    impl Drop for Repo {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A profile naming `files` of `repo`, with no samples.
    fn profile_of(repo: &Repo, files: &[&str]) -> Profile {
        let functions = files.iter().map(|f| Function { name: format!("main.{f}"), filename: repo.path(f), ..Function::default() }).collect();
        Profile { functions, ..Profile::default() }
    }

    fn mapped(repo: &Repo, files: &[&str], limits: Limits) -> Mapped {
        let settings = Settings { revision: Some("HEAD".into()), binary: None, labelled: None };
        let profile = profile_of(repo, files);
        let prepared = prepare(&settings, &profile, Some(&repo.0), limits);
        let locals: Vec<String> = files.iter().map(|f| repo.path(f)).collect();
        prepared.map(&locals, &Cache::default())
    }

    #[test]
    fn binary_and_large_files_are_skipped_with_a_line_each() {
        let big = "x\n".repeat(3000);
        let repo = Repo::new("skip", &[("a.go", b"package a\n"), ("blob.go", b"pack\0age\n"), ("big.go", big.as_bytes())]);
        std::fs::write(repo.0.join("a.go"), "// new\npackage a\n").unwrap();
        let limits = Limits { max_file_bytes: 4096, ..Limits::default() };
        let m = mapped(&repo, &["a.go", "blob.go", "big.go"], limits);
        let short = &m.revision.as_ref().unwrap().short;
        assert_eq!(m.problems, [
            format!("blob.go at {short}: a binary file, skipped"),
            format!("big.go at {short}: 6000 bytes, over the 4096 byte limit, skipped"),
        ]);
        // The text file is mapped: its line 1 is line 2 now.
        let map = m.lines_of(&LocalPath::new(&repo.path("a.go"))).expect("a.go changed");
        assert_eq!(map.place(0), Some(crate::paths::Place { line: 1, stale: false }));
    }

    #[test]
    fn a_git_call_over_its_bound_leaves_lines_unmapped() {
        let repo = Repo::new("slow", &[("a.go", b"package a\n")]);
        std::fs::write(repo.0.join("a.go"), "// new\npackage a\n").unwrap();
        let limits = Limits { git_timeout: Duration::from_nanos(1), ..Limits::default() };
        let m = mapped(&repo, &["a.go"], limits);
        assert!(m.revision.is_none() && m.lines.is_empty(), "{m:?}");
        assert_eq!(m.problems.len(), 1, "{:?}", m.problems);
        assert!(m.problems[0].contains("did not finish within") && m.problems[0].ends_with("lines are used as recorded"), "{:?}", m.problems);
    }

    #[test]
    fn files_unchanged_since_the_revision_have_no_map_and_maps_are_reused() {
        let repo = Repo::new("cache", &[("a.go", b"package a\n"), ("b.go", b"package a\n\nvar b = 1\n")]);
        std::fs::write(repo.0.join("b.go"), "package a\n\n// moved\nvar b = 1\n").unwrap();
        let settings = Settings { revision: Some("HEAD".into()), binary: None, labelled: None };
        let profile = profile_of(&repo, &["a.go", "b.go"]);
        let locals = vec![repo.path("a.go"), repo.path("b.go")];
        let cache = Cache::default();
        let first = prepare(&settings, &profile, Some(&repo.0), Limits::default()).map(&locals, &cache);
        assert_eq!(first.lines.len(), 1);
        assert!(first.lines_of(&LocalPath::new(&repo.path("b.go"))).is_some());
        // The second load finds both answers cached (the same map, not a
        // new diff).
        let second = prepare(&settings, &profile, Some(&repo.0), Limits::default()).map(&locals, &cache);
        let (a, b) = (&first.lines[&LocalPath::new(&repo.path("b.go"))], &second.lines[&LocalPath::new(&repo.path("b.go"))]);
        assert!(Arc::ptr_eq(a, b));
        assert_eq!(cache.maps.lock().unwrap().len(), 2);
    }

    #[test]
    fn renames_are_followed_through_a_symbolic_link_to_the_checkout() {
        let repo = Repo::new("link", &[("cache.go", b"package a\n\nvar cache = 1\n")]);
        repo.git(&["mv", "cache.go", "lru.go"]);
        std::fs::create_dir_all(repo.0.join("sub")).unwrap();
        let link = repo.0.with_extension("link");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&repo.0, &link).unwrap();
        assert_eq!(spelled_root(&link, &repo.0), link);
        assert_eq!(spelled_root(&link.join("sub"), &repo.0), link);
        assert_eq!(spelled_root(&repo.0, &repo.0), repo.0);
        let settings = Settings { revision: Some("HEAD".into()), binary: None, labelled: None };
        let profile = Profile {
            functions: vec![Function { filename: link.join("cache.go").to_string_lossy().into(), ..Function::default() }],
            ..Profile::default()
        };
        let prepared = prepare(&settings, &profile, Some(&link), Limits::default());
        let _ = std::fs::remove_file(&link);
        let expected = link.join("lru.go").to_string_lossy().into_owned();
        assert_eq!(prepared.mapped.renamed(&profile.functions[0].filename), Some(expected), "{:?}", prepared.mapped.renames);
    }
}
