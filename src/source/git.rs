//! The git edge: what a profile taken at another revision needs to know
//! about one repository, asked of the `git` program.
//!
//! Every question is one `git` child process, started without a shell, in
//! a process group of its own, and bounded by [`GitOptions::timeout`]: past
//! it the group is killed and the answer is [`GitError::TimedOut`]. Git runs
//! with `GIT_TERMINAL_PROMPT=0` (never wait for a password),
//! `GIT_OPTIONAL_LOCKS=0` (no optional locks, so reading never rewrites the
//! index of the user's checkout to refresh it),
//! `LC_ALL=C` (messages this module recognises are git's English ones),
//! `-c core.quotePath=false` and `--literal-pathspecs` (file names are
//! passed and read as they are, never as patterns). Variables that would
//! point git at another repository (`GIT_DIR`, `GIT_WORK_TREE`, ...) are
//! removed, so a handle always speaks of the repository it discovered.
//!
//! A revision reaches git only as a [`Revision`], which cannot start with
//! `-`, and only after `--end-of-options`. Commits are passed on as the
//! full SHAs git resolved them to. This needs git 2.30 or newer, which
//! [`Git::discover`] checks.
//!
//! Left out: fetching (the errors say which `git fetch` would help),
//! submodules, the reflog and upstream forms of revisions, and any
//! conversion of blobs to their checked-out form (line endings, smudge
//! filters): a blob is what git stores.

use std::ffi::OsString;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::paths::Revision;

/// The oldest git whose `rev-parse` understands `--end-of-options`.
const MIN_VERSION: (u32, u32) = (2, 30);

/// How much of a blob is searched for a NUL byte, as git's own binary
/// check does.
const BINARY_PROBE: usize = 8 * 1024;

/// Most bytes of git's standard error kept for a message.
const STDERR_KEPT: u64 = 16 * 1024;

/// Variables that would make git use another repository, work tree or
/// index than the one found from the directory it runs in.
const LOCATION_VARIABLES: &[&str] =
    &["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR"];

/// How git is run.
#[derive(Clone, Debug)]
pub struct GitOptions {
    /// The program: `git` from `PATH` by default.
    pub program: PathBuf,
    /// How long one git command may run before it is killed.
    pub timeout: Duration,
    /// More environment variables for every git command. The fixed ones
    /// described in the module documentation win over these.
    pub env: Vec<(OsString, OsString)>,
}

impl Default for GitOptions {
    fn default() -> Self {
        GitOptions { program: PathBuf::from("git"), timeout: Duration::from_secs(5), env: Vec::new() }
    }
}

/// A commit that a revision resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The full SHA: 40 hex digits, or 64 in a SHA-256 repository.
    pub sha: String,
    /// The committer time, in seconds since the Unix epoch.
    pub time: i64,
}

/// A file renamed between a commit and the working tree, both names
/// relative to the repository's top level with `/` separators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rename {
    pub old: String,
    pub new: String,
}

/// A file's contents at a commit, as [`Git::blobs_at`] answers them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blob {
    /// UTF-8 text without a NUL byte in its first 8 KiB.
    Text(String),
    /// A NUL byte in the first 8 KiB, or not UTF-8.
    Binary,
    /// Larger than the limit asked for; its size in bytes. The contents
    /// were skipped, never held.
    TooLarge(u64),
    /// No file of that path at the commit (also a directory, a submodule,
    /// or a path that cannot be asked for: empty, or with a newline or NUL).
    Missing,
}

/// What went wrong, in words a Go engineer can act on: each message names
/// the directory or repository and, where it helps, the command that fixes it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GitError {
    #[error("could not start `{}` ({reason}); is git installed and on PATH?", .program.display())]
    NoGit { program: PathBuf, reason: String },
    #[error("`{}` is {version}; reading profiles from another revision needs git 2.30 or newer", .program.display())]
    TooOld { program: PathBuf, version: String },
    #[error("{} does not exist or is not a directory", .dir.display())]
    NoSuchDirectory { dir: PathBuf },
    #[error("{} is not inside a git working tree, so a profile's revision cannot be mapped onto it", .dir.display())]
    NotARepository { dir: PathBuf },
    #[error("{}", unknown_message(.repo, .rev, *.shallow))]
    Unknown { repo: PathBuf, rev: String, shallow: bool },
    #[error("{}", ambiguous_message(.repo, .rev, .candidates))]
    Ambiguous { repo: PathBuf, rev: String, candidates: Vec<String> },
    #[error("revision `{rev}` names a {kind}, not a commit, in the git repository at {}; give the commit the profile was built from", .repo.display())]
    NotACommit { repo: PathBuf, rev: String, kind: String },
    #[error("`{sha}` is not a full commit SHA (40 or 64 hex digits); resolve the revision first")]
    NotASha { sha: String },
    #[error("`{operation}` in {} did not finish within {after:?} and was stopped; a large repository or a slow disk may need a longer timeout", .repo.display())]
    TimedOut { repo: PathBuf, operation: String, after: Duration },
    #[error("`{operation}` failed in {} ({status}): {stderr}", .repo.display())]
    Failed { repo: PathBuf, operation: String, status: String, stderr: String },
    #[error("`{operation}` in {} gave an answer that could not be read: {detail}", .repo.display())]
    Unexpected { repo: PathBuf, operation: String, detail: String },
}

fn unknown_message(repo: &Path, rev: &str, shallow: bool) -> String {
    let repo = repo.display();
    if shallow {
        format!(
            "revision `{rev}` is not in the git repository at {repo}, which is a shallow clone (its older history was \
             never fetched); run `git fetch --unshallow` there, or `git fetch` the commit or tag, then try again"
        )
    } else {
        format!(
            "revision `{rev}` is not in the git repository at {repo}; if it was made in another clone, run `git fetch` \
             there (`git fetch --tags` for a tag), then try again"
        )
    }
}

fn ambiguous_message(repo: &Path, rev: &str, candidates: &[String]) -> String {
    let which = match candidates.len() {
        0 => "several objects start with it".to_string(),
        n => format!("git lists {n} candidates ({})", candidates.join("; ")),
    };
    format!("revision `{rev}` is ambiguous in the git repository at {}: {which}; give more digits of the SHA", repo.display())
}

/// One repository, found by [`Git::discover`].
#[derive(Clone, Debug)]
pub struct Git {
    root: PathBuf,
    options: GitOptions,
}

impl Git {
    /// The repository whose working tree holds `dir`, from
    /// `git rev-parse --show-toplevel` run in `dir`. Also checks that the
    /// program is git 2.30 or newer.
    pub fn discover(dir: &Path, options: GitOptions) -> Result<Git, GitError> {
        if !dir.is_dir() {
            return Err(GitError::NoSuchDirectory { dir: dir.to_path_buf() });
        }
        let probe = Git { root: dir.to_path_buf(), options };
        probe.check_version()?;
        let ran = probe.run(&["rev-parse", "--show-toplevel"], None, read_all)?;
        let not_a_tree = ["not a git repository", "must be run in a work tree"];
        if !ran.status.success() && not_a_tree.iter().any(|m| ran.stderr.contains(m)) {
            return Err(GitError::NotARepository { dir: dir.to_path_buf() });
        }
        let mut top = probe.success(ran)?;
        while top.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            top.pop();
        }
        if top.is_empty() {
            return Err(probe.unexpected("git rev-parse --show-toplevel", "no directory"));
        }
        Ok(Git { root: path_from_bytes(top), options: probe.options })
    }

    /// The top level of the working tree, as git spells it (symbolic links
    /// resolved).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether the repository is a shallow clone, whose history stops at
    /// the commits it was cloned or fetched with.
    pub fn is_shallow(&self) -> Result<bool, GitError> {
        let ran = self.run(&["rev-parse", "--is-shallow-repository"], None, read_text)?;
        let operation = ran.operation.clone();
        match self.success(ran)?.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(self.unexpected(&operation, &format!("{other:?} instead of true or false"))),
        }
    }

    /// The commit `rev` names and its committer time.
    ///
    /// Where a name is both a tag and a branch, git's own order decides
    /// (the tag), as it does on the command line. A short SHA is looked up
    /// among commits only, so a blob sharing its prefix does not make it
    /// ambiguous.
    pub fn resolve(&self, rev: &Revision) -> Result<Resolved, GitError> {
        let spec = format!("{rev}^{{commit}}");
        let ran = self.run(&["rev-parse", "--verify", "--end-of-options", &spec], None, read_text)?;
        if !ran.status.success() {
            return Err(self.resolve_error(rev, ran));
        }
        let operation = ran.operation.clone();
        let out = self.success(ran)?;
        let sha = out.trim();
        if !is_full_sha(sha) {
            return Err(self.unexpected(&operation, &format!("{sha:?} is not a SHA")));
        }
        let ran = self.run(&["show", "-s", "--no-show-signature", "--no-color", "--format=%H %ct", "--end-of-options", sha, "--"], None, read_text)?;
        let operation = ran.operation.clone();
        let out = self.success(ran)?;
        match out.lines().next().and_then(parse_commit_line) {
            Some(resolved) if resolved.sha == sha => Ok(resolved),
            _ => Err(self.unexpected(&operation, &format!("{out:?} is not `<sha> <time>` for {sha}"))),
        }
    }

    /// Why `git rev-parse --verify` refused `rev`, from what it printed.
    fn resolve_error(&self, rev: &Revision, ran: Ran<String>) -> GitError {
        let repo = self.root.clone();
        let rev_text = rev.as_str().to_string();
        let stderr = &ran.stderr;
        // error: short object ID 0fcc is ambiguous
        // hint: The candidates are:
        // hint:   0fcc311 commit 2023-11-14 - one
        if stderr.lines().any(|l| l.starts_with("error: short object ID") && l.ends_with("is ambiguous")) {
            let candidates = stderr
                .lines()
                .filter_map(|l| l.strip_prefix("hint:"))
                .map(str::trim)
                .filter(|l| l.split(' ').next().is_some_and(|w| w.len() >= 4 && w.bytes().all(|b| b.is_ascii_hexdigit())))
                .map(str::to_string)
                .collect();
            return GitError::Ambiguous { repo, rev: rev_text, candidates };
        }
        // error: 7898192^{commit}: expected commit type, but the object dereferences to blob type
        if let Some(rest) = stderr.split("the object dereferences to ").nth(1) {
            let kind = rest.split_whitespace().next().unwrap_or("object").to_string();
            return GitError::NotACommit { repo, rev: rev_text, kind };
        }
        if stderr.contains("Needed a single revision") || stderr.contains("unknown revision") {
            // A failure to ask does not hide the answer already known.
            let shallow = self.is_shallow().unwrap_or(false);
            return GitError::Unknown { repo, rev: rev_text, shallow };
        }
        self.failed(ran)
    }

    /// Files renamed between the commit `sha` and the working tree, as
    /// `git diff -M <sha>` sees them: renames committed since, staged ones,
    /// and renames of tracked files whose new name was added to the index.
    ///
    /// Not seen: a file moved on disk whose new name git does not track
    /// yet (untracked files are not part of the diff; the old name shows as
    /// deleted), and, past git's rename limit (`diff.renameLimit`), renames
    /// that changed the file's contents. Names that are not UTF-8 are left out.
    pub fn renames_since(&self, sha: &str) -> Result<Vec<Rename>, GitError> {
        check_sha(sha)?;
        let args = ["diff", "--name-status", "-z", "-M", "--no-color", "--no-ext-diff", "--end-of-options", sha, "--"];
        let ran = self.run(&args, None, read_all)?;
        let out = self.success(ran)?;
        let mut fields = out.split(|b| *b == 0);
        let mut renames = Vec::new();
        while let Some(&[kind, ..]) = fields.next() {
            // R (rename) and C (copy) entries carry two names, all others one.
            let names: Vec<&[u8]> = fields.by_ref().take(if matches!(kind, b'R' | b'C') { 2 } else { 1 }).collect();
            if let (b'R', [old, new]) = (kind, &names[..]) {
                if let (Ok(old), Ok(new)) = (std::str::from_utf8(old), std::str::from_utf8(new)) {
                    renames.push(Rename { old: old.to_string(), new: new.to_string() });
                }
            }
        }
        Ok(renames)
    }

    /// The regular files (executable or not) of the commit `sha`, relative
    /// to the top level with `/` separators. Left out: symbolic links,
    /// submodules, and names that are not UTF-8.
    pub fn files_at(&self, sha: &str) -> Result<Vec<String>, GitError> {
        check_sha(sha)?;
        let ran = self.run(&["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", sha], None, read_all)?;
        let out = self.success(ran)?;
        // Each entry is `<mode> <type> <object>\t<path>`.
        let files = out
            .split(|b| *b == 0)
            .filter_map(|entry| {
                let tab = entry.iter().position(|b| *b == b'\t')?;
                let (meta, path) = (&entry[..tab], &entry[tab + 1..]);
                let regular = meta.starts_with(b"100644 blob ") || meta.starts_with(b"100755 blob ");
                regular.then(|| std::str::from_utf8(path).ok().map(str::to_string)).flatten()
            })
            .collect();
        Ok(files)
    }

    /// The contents of `paths` (relative to the top level, `/` separators)
    /// at the commit `sha`, one answer per path in order. One
    /// `git cat-file --batch` process answers them all; a blob over
    /// `max_bytes` is skipped as it streams past, so memory holds at most
    /// one blob of up to `max_bytes` beyond the answers.
    pub fn blobs_at(&self, sha: &str, paths: &[String], max_bytes: u64) -> Result<Vec<Blob>, GitError> {
        check_sha(sha)?;
        let mut answers = vec![Blob::Missing; paths.len()];
        // The batch protocol is one name per line; a name with a newline
        // (or a NUL, which would cut it short) cannot be asked for.
        let asked: Vec<usize> = (0..paths.len()).filter(|&i| can_be_sent(&paths[i])).collect();
        if asked.is_empty() {
            return Ok(answers);
        }
        let mut input = Vec::with_capacity(asked.iter().map(|&i| sha.len() + paths[i].len() + 2).sum());
        for &i in &asked {
            input.extend_from_slice(format!("{sha}:{}\n", paths[i]).as_bytes());
        }
        let count = asked.len();
        let ran = self.run(&["cat-file", "--batch", "--buffer"], Some(&input), move |r| read_blobs(r, count, max_bytes))?;
        for (i, blob) in asked.into_iter().zip(self.success(ran)?) {
            answers[i] = blob;
        }
        Ok(answers)
    }

    /// The newest commit reachable from `HEAD` that changed any of `paths`
    /// (relative to the top level), from one `git log -1` that reads the
    /// paths from its input (so their number is not bounded by the command
    /// line). `None` when no commit touched them, when the repository has
    /// no commits yet, or when no path can be asked for (empty, or with a
    /// newline or NUL). In a shallow clone the oldest fetched commit counts
    /// as changing every file it holds, since its parents are unknown.
    pub fn last_change(&self, paths: &[String]) -> Result<Option<Resolved>, GitError> {
        if !paths.iter().any(|p| can_be_sent(p)) {
            return Ok(None);
        }
        // Paths after `--` on standard input, one a line.
        let mut input = b"--\n".to_vec();
        for path in paths.iter().filter(|p| can_be_sent(p)) {
            input.extend_from_slice(path.as_bytes());
            input.push(b'\n');
        }
        let args = ["log", "-1", "--no-show-signature", "--no-color", "--format=%H %ct", "--stdin"];
        let ran = self.run(&args, Some(&input), read_text)?;
        if !ran.status.success() && ran.stderr.contains("does not have any commits yet") {
            return Ok(None);
        }
        let operation = ran.operation.clone();
        let out = self.success(ran)?;
        match out.lines().next() {
            None => Ok(None),
            Some(line) => match parse_commit_line(line) {
                Some(resolved) => Ok(Some(resolved)),
                None => Err(self.unexpected(&operation, &format!("{line:?} is not `<sha> <time>`"))),
            },
        }
    }

    /// Refuses a git older than [`MIN_VERSION`]. A version line it cannot
    /// read (a build with another format) is let through.
    fn check_version(&self) -> Result<(), GitError> {
        let ran = self.run(&["version"], None, read_text)?;
        let line = self.success(ran)?.trim().to_string();
        let mut numbers = line.strip_prefix("git version ").unwrap_or("").split(['.', ' ']).map(str::parse::<u32>);
        if let (Some(Ok(major)), Some(Ok(minor))) = (numbers.next(), numbers.next()) {
            if (major, minor) < MIN_VERSION {
                return Err(GitError::TooOld { program: self.options.program.clone(), version: line });
            }
        }
        Ok(())
    }

    /// Runs git with `args` in the repository's top level, writing `input`
    /// (if any) to its standard input from a thread while `read` consumes
    /// its output on another, so neither side can block the other on a
    /// full pipe. Whatever `read` leaves is drained. Past the timeout the
    /// process group is killed.
    fn run<T: Send>(
        &self,
        args: &[&str],
        input: Option<&[u8]>,
        read: impl FnOnce(&mut dyn BufRead) -> io::Result<T> + Send,
    ) -> Result<Ran<T>, GitError> {
        let operation = format!("git {}", args.join(" "));
        let mut command = git_command(&self.options, &self.root, args);
        command.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() }).stdout(Stdio::piped()).stderr(Stdio::piped());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command
            .spawn()
            .map_err(|e| GitError::NoGit { program: self.options.program.clone(), reason: e.to_string() })?;
        let deadline = Instant::now() + self.options.timeout;
        let (stdin, stdout, stderr) = (child.stdin.take(), child.stdout.take(), child.stderr.take());
        let (stdout, stderr, status, timed_out) = std::thread::scope(|scope| {
            let (done, finished) = mpsc::channel::<()>();
            if let (Some(mut pipe), Some(bytes)) = (stdin, input) {
                // A write that fails means git stopped reading; its exit
                // status and message say why.
                scope.spawn(move || drop(pipe.write_all(bytes)));
            }
            let errors = {
                let done = done.clone();
                scope.spawn(move || {
                    let text = stderr.map(read_capped).unwrap_or_default();
                    let _ = done.send(());
                    text
                })
            };
            let output = scope.spawn(move || {
                let value = match stdout {
                    Some(pipe) => {
                        let mut reader = BufReader::new(pipe);
                        let value = read(&mut reader);
                        let _ = io::copy(&mut reader, &mut io::sink());
                        value
                    }
                    None => Err(io::Error::other("no output pipe")),
                };
                let _ = done.send(());
                value
            });
            // Both pipes at their end (or the time up), then the exit.
            let mut timed_out = false;
            for _ in 0..2 {
                if let Err(mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    timed_out = true;
                    break;
                }
            }
            let status = if timed_out { stop(&mut child) } else { wait_until(&mut child, deadline, &mut timed_out) };
            // Killing the group ends the readers: every holder of the pipes is gone.
            let stdout = output.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            let stderr = errors.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (stdout, stderr, status, timed_out)
        });
        if timed_out {
            return Err(GitError::TimedOut { repo: self.root.clone(), operation, after: self.options.timeout });
        }
        let status = status.map_err(|e| self.unexpected(&operation, &e.to_string()))?;
        Ok(Ran { operation, status, stderr, stdout })
    }

    /// The output of a run that exited with success, or the error saying
    /// why not.
    fn success<T>(&self, ran: Ran<T>) -> Result<T, GitError> {
        if !ran.status.success() {
            return Err(self.failed(ran));
        }
        ran.stdout.map_err(|e| self.unexpected(&ran.operation, &e.to_string()))
    }

    fn failed<T>(&self, ran: Ran<T>) -> GitError {
        let status = match ran.status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_string(),
        };
        let stderr = ran.stderr.trim();
        let stderr = if stderr.is_empty() { "no message".to_string() } else { stderr.to_string() };
        GitError::Failed { repo: self.root.clone(), operation: ran.operation, status, stderr }
    }

    fn unexpected(&self, operation: &str, detail: &str) -> GitError {
        GitError::Unexpected { repo: self.root.clone(), operation: operation.to_string(), detail: detail.to_string() }
    }
}

/// What one git command left: how it exited, what it said on standard
/// error, and what the reader made of its output.
struct Ran<T> {
    operation: String,
    status: ExitStatus,
    stderr: String,
    stdout: io::Result<T>,
}

/// The command for git `args` in `dir`, with the fixed settings of the
/// module documentation.
fn git_command(options: &GitOptions, dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(&options.program);
    command.current_dir(dir);
    for name in LOCATION_VARIABLES {
        command.env_remove(name);
    }
    command.envs(options.env.iter().map(|(k, v)| (k, v)));
    command.env("GIT_TERMINAL_PROMPT", "0").env("GIT_OPTIONAL_LOCKS", "0").env("LC_ALL", "C");
    command.args(["-c", "core.quotePath=false", "--literal-pathspecs", "--no-pager"]).args(args);
    command
}

/// Waits for the child to exit until `deadline`, then kills it, setting
/// `timed_out`. After both pipes have closed git is about to exit, so this
/// rarely waits; the bound is for a program that closes them and lingers.
fn wait_until(child: &mut Child, deadline: Instant, timed_out: &mut bool) -> io::Result<ExitStatus> {
    let mut pause = Duration::from_micros(200);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if Instant::now() >= deadline {
            *timed_out = true;
            return stop(child);
        }
        std::thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// Kills the child's process group (it has not been waited for, so its
/// PID cannot have been reused) and reaps it.
fn stop(child: &mut Child) -> io::Result<ExitStatus> {
    super::gotest::kill_group(child);
    child.wait()
}

fn read_all(r: &mut dyn BufRead) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn read_text(r: &mut dyn BufRead) -> io::Result<String> {
    String::from_utf8(read_all(r)?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Up to [`STDERR_KEPT`] bytes of a stream, the rest read and dropped.
fn read_capped(mut stream: impl Read) -> String {
    let mut kept = Vec::new();
    let _ = (&mut stream).take(STDERR_KEPT).read_to_end(&mut kept);
    let _ = io::copy(&mut stream, &mut io::sink());
    String::from_utf8_lossy(&kept).into_owned()
}

/// Reads `count` answers of `git cat-file --batch`: a header
/// `<object> <type> <size>` followed by the contents and a newline, or
/// `<name> missing` (`ambiguous` cannot happen with a full SHA, but means
/// the same here).
fn read_blobs(r: &mut dyn BufRead, count: usize, max_bytes: u64) -> io::Result<Vec<Blob>> {
    let broken = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
    let mut blobs = Vec::with_capacity(count);
    let mut header = Vec::new();
    while blobs.len() < count {
        header.clear();
        if r.read_until(b'\n', &mut header)? == 0 {
            return Err(broken(format!("it stopped after {} of {count} answers", blobs.len())));
        }
        let line = String::from_utf8_lossy(&header);
        let line = line.trim_end_matches('\n');
        if line.ends_with(" missing") || line.ends_with(" ambiguous") {
            blobs.push(Blob::Missing);
            continue;
        }
        let fields: Vec<&str> = line.split(' ').collect();
        let [_, kind, size] = fields[..] else { return Err(broken(format!("header {line:?}"))) };
        let size: u64 = size.parse().map_err(|_| broken(format!("header {line:?}")))?;
        let blob = if kind != "blob" {
            skip(r, size)?;
            Blob::Missing
        } else if size > max_bytes {
            skip(r, size)?;
            Blob::TooLarge(size)
        } else {
            let len = usize::try_from(size).map_err(|_| broken(format!("size {size}")))?;
            let mut bytes = vec![0; len];
            r.read_exact(&mut bytes)?;
            classify(bytes)
        };
        let mut end = [0u8];
        r.read_exact(&mut end)?;
        if end[0] != b'\n' {
            return Err(broken(format!("no newline after the contents of {line:?}")));
        }
        blobs.push(blob);
    }
    Ok(blobs)
}

/// Reads past `size` bytes without keeping them.
fn skip(r: &mut dyn BufRead, size: u64) -> io::Result<()> {
    let skipped = io::copy(&mut r.take(size), &mut io::sink())?;
    if skipped < size {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, format!("contents cut short at {skipped} of {size} bytes")));
    }
    Ok(())
}

fn classify(bytes: Vec<u8>) -> Blob {
    if bytes[..bytes.len().min(BINARY_PROBE)].contains(&0) {
        return Blob::Binary;
    }
    String::from_utf8(bytes).map_or(Blob::Binary, Blob::Text)
}

/// Whether a path can go on a line of git's input.
fn can_be_sent(path: &str) -> bool {
    !path.is_empty() && !path.contains(['\n', '\0'])
}

fn is_full_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn check_sha(sha: &str) -> Result<(), GitError> {
    if is_full_sha(sha) {
        Ok(())
    } else {
        Err(GitError::NotASha { sha: sha.to_string() })
    }
}

/// `<sha> <committer time>`, as `--format=%H %ct` prints a commit.
fn parse_commit_line(line: &str) -> Option<Resolved> {
    let (sha, time) = line.trim().split_once(' ')?;
    if !is_full_sha(sha) {
        return None;
    }
    Some(Resolved { sha: sha.to_string(), time: time.parse().ok()? })
}

fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    #[cfg(unix)]
    {
        PathBuf::from(<OsString as std::os::unix::ffi::OsStringExt>::from_vec(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, OpenOptionsExt, PermissionsExt};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A directory of its own under the system's temporary directory,
    /// removed when dropped. Git run through it reads no configuration of
    /// this machine or user, and never looks for a repository above it.
    struct Scratch {
        dir: PathBuf,
    }

    impl Scratch {
        fn new(name: &str) -> Scratch {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let unique = format!("pprof-lsp-git-{}-{}-{name}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
            let dir = std::env::temp_dir().join(unique);
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch { dir: dir.canonicalize().unwrap() }
        }

        fn options(&self) -> GitOptions {
            let dir = self.dir.as_os_str();
            let env = [("HOME", dir), ("XDG_CONFIG_HOME", dir), ("GIT_CONFIG_NOSYSTEM", "1".as_ref()), ("GIT_CEILING_DIRECTORIES", dir)];
            GitOptions { timeout: Duration::from_secs(60), env: env.map(|(k, v)| (k.into(), v.into())).into(), ..GitOptions::default() }
        }

        /// Runs the real git in `dir` with `input`, as of `time` (author and
        /// committer), and returns its output; panics when it fails.
        fn git_with(&self, dir: &Path, args: &[&str], input: &[u8], time: i64) -> String {
            let identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"];
            let mut command = git_command(&self.options(), dir, &[&identity[..], args].concat());
            let date = format!("{time} +0000");
            command.env("GIT_AUTHOR_DATE", &date).env("GIT_COMMITTER_DATE", &date);
            command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
            let mut child = command.spawn().unwrap();
            child.stdin.take().unwrap().write_all(input).unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap()
        }

        fn git(&self, dir: &Path, args: &[&str]) -> String {
            self.git_with(dir, args, b"", 1_700_000_000)
        }

        fn repo(&self, name: &str) -> PathBuf {
            let repo = self.dir.join(name);
            std::fs::create_dir_all(&repo).unwrap();
            self.git(&repo, &["init", "-q"]);
            repo
        }

        /// Commits everything in `repo` at `time` and returns the SHA.
        fn commit(&self, repo: &Path, message: &str, time: i64) -> String {
            self.git_with(repo, &["add", "-A"], b"", time);
            self.git_with(repo, &["commit", "-q", "-m", message], b"", time);
            self.git(repo, &["rev-parse", "HEAD"]).trim().to_string()
        }

        /// An executable shell script standing in for git.
        fn script(&self, name: &str, body: &str) -> PathBuf {
            let path = self.dir.join(name);
            let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o755).open(&path).unwrap();
            file.write_all(format!("#!/bin/sh\n{body}").as_bytes()).unwrap();
            path
        }

        /// `Git::discover` through `program`. A script just written can
        /// still be open in a process another test is starting ("text file
        /// busy"); that passes in moments.
        fn discover_with(&self, program: &Path, timeout: Duration) -> Result<Git, GitError> {
            let options = GitOptions { program: program.to_path_buf(), timeout, ..self.options() };
            for _ in 0..100 {
                match Git::discover(&self.dir, options.clone()) {
                    Err(GitError::NoGit { reason, .. }) if reason.contains("busy") => std::thread::sleep(Duration::from_millis(10)),
                    other => return other,
                }
            }
            panic!("{} stayed busy", program.display());
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn write(path: &Path, contents: impl AsRef<[u8]>) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    /// Distinct lines, so that git pairs renamed files by their contents.
    fn lines(tag: &str) -> String {
        (0..20).map(|i| format!("{tag} line {i}\n")).collect()
    }

    fn rev(text: &str) -> Revision {
        Revision::parse(text).unwrap()
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn discover_finds_the_top_level_or_says_why_not() {
        let s = Scratch::new("discover");
        let repo = s.repo("r");
        std::fs::create_dir_all(repo.join("pkg/sub")).unwrap();
        let git = Git::discover(&repo.join("pkg/sub"), s.options()).unwrap();
        assert_eq!(git.root(), repo);

        // GIT_CEILING_DIRECTORIES keeps git from looking above the scratch
        // directory, so this holds wherever the temporary directory is.
        let plain = s.dir.join("plain");
        std::fs::create_dir_all(&plain).unwrap();
        let e = Git::discover(&plain, s.options()).unwrap_err();
        assert_eq!(e, GitError::NotARepository { dir: plain.clone() });
        assert_eq!(e.to_string(), format!("{} is not inside a git working tree, so a profile's revision cannot be mapped onto it", plain.display()));
        let dot_git = repo.join(".git");
        assert_eq!(Git::discover(&dot_git, s.options()).unwrap_err(), GitError::NotARepository { dir: dot_git });

        let gone = s.dir.join("gone");
        assert_eq!(Git::discover(&gone, s.options()).unwrap_err(), GitError::NoSuchDirectory { dir: gone });

        let options = GitOptions { program: s.dir.join("no-such-git"), ..s.options() };
        let e = Git::discover(&repo, options).unwrap_err();
        assert!(matches!(&e, GitError::NoGit { program, .. } if program.ends_with("no-such-git")), "{e:?}");
        assert!(e.to_string().contains("is git installed and on PATH?"), "{e}");
    }

    #[test]
    fn resolve_names_of_every_kind() {
        let s = Scratch::new("resolve");
        let repo = s.repo("r");
        write(&repo.join("a.go"), lines("a"));
        let c1 = s.commit(&repo, "one", 1_700_000_001);
        s.git(&repo, &["tag", "v1.2.0"]);
        write(&repo.join("b.go"), lines("b"));
        let c2 = s.commit(&repo, "two", 1_700_000_002);
        s.git(&repo, &["tag", "-a", "-m", "annotated", "v1.3.0"]);
        s.git(&repo, &["branch", "release/2026-11"]);
        s.git(&repo, &["checkout", "-q", "-b", "side"]);
        write(&repo.join("side.go"), lines("side"));
        let side = s.commit(&repo, "side", 1_700_000_003);
        s.git(&repo, &["checkout", "-q", "main"]);
        write(&repo.join("c.go"), lines("c"));
        let c3 = s.commit(&repo, "three", 1_700_000_004);
        s.git_with(&repo, &["merge", "-q", "--no-ff", "-m", "merge", "side"], b"", 1_700_000_005);
        let merge = s.git(&repo, &["rev-parse", "HEAD"]).trim().to_string();

        let git = Git::discover(&repo, s.options()).unwrap();
        let cases: &[(&str, &str, i64)] = &[
            (&c1, &c1, 1_700_000_001),
            (&c2[..7], &c2, 1_700_000_002),
            (&c2[..4], &c2, 1_700_000_002),
            ("v1.2.0", &c1, 1_700_000_001),
            ("v1.3.0", &c2, 1_700_000_002),
            ("release/2026-11", &c2, 1_700_000_002),
            ("refs/heads/side", &side, 1_700_000_003),
            ("HEAD", &merge, 1_700_000_005),
            ("@", &merge, 1_700_000_005),
            ("main", &merge, 1_700_000_005),
            ("HEAD^", &c3, 1_700_000_004),
            ("HEAD~1", &c3, 1_700_000_004),
            ("HEAD^2", &side, 1_700_000_003),
            ("HEAD~2", &c2, 1_700_000_002),
            ("@~3", &c1, 1_700_000_001),
            ("v1.3.0~1", &c1, 1_700_000_001),
        ];
        for (text, sha, time) in cases {
            let got = git.resolve(&rev(text)).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(got, Resolved { sha: sha.to_string(), time: *time }, "{text}");
        }

        for text in ["v9.9.9", "HEAD~9", "0000000000000000000000000000000000000001", "feature/none"] {
            let e = git.resolve(&rev(text)).unwrap_err();
            assert_eq!(e, GitError::Unknown { repo: repo.clone(), rev: text.to_string(), shallow: false });
            assert!(e.to_string().contains("run `git fetch` there"), "{e}");
            assert!(e.to_string().contains(&repo.display().to_string()), "{e}");
        }

        let blob = s.git(&repo, &["rev-parse", "HEAD:a.go"]).trim().to_string();
        let tree = s.git(&repo, &["rev-parse", "HEAD^{tree}"]).trim().to_string();
        for (sha, kind) in [(&blob, "blob"), (&tree, "tree")] {
            let e = git.resolve(&rev(sha)).unwrap_err();
            assert_eq!(e, GitError::NotACommit { repo: repo.clone(), rev: sha.clone(), kind: kind.to_string() });
        }
    }

    /// Short SHAs: 1,000 commits and 400 blobs written by one
    /// `git fast-import`, fixed times, so the SHAs are always the same.
    #[test]
    fn short_shas_are_ambiguous_only_among_commits() {
        let s = Scratch::new("ambiguous");
        let repo = s.repo("r");
        let mut stream = String::new();
        for i in 0..400 {
            let data = format!("blob {i}\n");
            stream += &format!("blob\ndata {}\n{data}\n", data.len());
        }
        for i in 0..1000 {
            let message = format!("commit {i}\n");
            stream += &format!("commit refs/heads/main\ncommitter T <t@example.com> {} +0000\ndata {}\n{message}\n", 1_700_000_000 + i, message.len());
        }
        s.git_with(&repo, &["fast-import", "--quiet"], stream.as_bytes(), 1_700_000_000);
        let objects = s.git(&repo, &["cat-file", "--batch-check", "--batch-all-objects"]);
        let mut by_prefix: std::collections::BTreeMap<&str, Vec<(&str, &str)>> = Default::default();
        for line in objects.lines() {
            let mut words = line.split(' ');
            let (sha, kind) = (words.next().unwrap(), words.next().unwrap());
            by_prefix.entry(&sha[..4]).or_default().push((sha, kind));
        }
        let commits = |objects: &[(&str, &str)]| objects.iter().filter(|(_, k)| *k == "commit").count();

        let git = Git::discover(&repo, s.options()).unwrap();
        let (prefix, twins) = by_prefix.iter().find(|(_, o)| commits(o) >= 2).expect("two commits share a 4-digit prefix");
        let e = git.resolve(&rev(prefix)).unwrap_err();
        let GitError::Ambiguous { candidates, rev: text, .. } = &e else { panic!("{e:?}") };
        assert_eq!(text, prefix);
        assert_eq!(candidates.len(), commits(twins), "{candidates:?}");
        assert!(candidates.iter().all(|c| c.starts_with(prefix) && c.contains(" commit ")), "{candidates:?}");
        let message = e.to_string();
        assert!(message.contains(&format!("revision `{prefix}` is ambiguous")) && message.contains("give more digits"), "{message}");
        assert!(matches!(git.resolve(&rev(&format!("{prefix}~1"))), Err(GitError::Ambiguous { .. })));

        // One commit and a blob share this prefix: `^{commit}` picks the commit.
        let (prefix, mixed) = by_prefix.iter().find(|(_, o)| commits(o) == 1 && o.len() > 1).expect("a commit and a blob share a prefix");
        let (commit, _) = mixed.iter().find(|(_, k)| *k == "commit").unwrap();
        assert_eq!(git.resolve(&rev(prefix)).unwrap().sha, *commit);
    }

    #[test]
    fn shallow_clones_say_so() {
        let s = Scratch::new("shallow");
        let origin = s.repo("origin");
        write(&origin.join("a.go"), lines("a"));
        let c1 = s.commit(&origin, "one", 1_700_000_001);
        write(&origin.join("b.go"), lines("b"));
        let c2 = s.commit(&origin, "two", 1_700_000_002);
        let url = format!("file://{}", origin.display());
        s.git(&s.dir, &["clone", "-q", "--depth", "1", &url, "clone"]);
        let clone = s.dir.join("clone");

        assert!(!Git::discover(&origin, s.options()).unwrap().is_shallow().unwrap());
        let git = Git::discover(&clone, s.options()).unwrap();
        assert!(git.is_shallow().unwrap());
        assert_eq!(git.resolve(&rev("HEAD")).unwrap().sha, c2);
        for text in [c1.as_str(), "HEAD~1"] {
            let e = git.resolve(&rev(text)).unwrap_err();
            assert_eq!(e, GitError::Unknown { repo: clone.clone(), rev: text.to_string(), shallow: true });
            assert!(e.to_string().contains("which is a shallow clone") && e.to_string().contains("`git fetch --unshallow`"), "{e}");
        }
        // a.go last changed in c1, which the clone lacks: its oldest
        // commit stands in, as documented.
        assert_eq!(git.last_change(&strings(&["a.go"])).unwrap().map(|r| r.sha), Some(c2));
    }

    #[test]
    fn renames_committed_and_staged() {
        let s = Scratch::new("renames");
        let repo = s.repo("r");
        for name in ["old/a.go", "b.go", "c.go", "d.go", "dir with space/é.go"] {
            write(&repo.join(name), lines(name));
        }
        let c1 = s.commit(&repo, "one", 1_700_000_001);
        std::fs::create_dir_all(repo.join("new")).unwrap();
        s.git(&repo, &["mv", "old/a.go", "new/a.go"]);
        s.git(&repo, &["mv", "dir with space/é.go", "dir with space/ü.go"]);
        let c2 = s.commit(&repo, "moved", 1_700_000_002);
        // Staged, not committed.
        s.git(&repo, &["mv", "b.go", "b2.go"]);
        // Moved on disk only: the new name is untracked, so not seen.
        std::fs::rename(repo.join("c.go"), repo.join("c2.go")).unwrap();
        // Changed in place: not a rename.
        write(&repo.join("d.go"), lines("d changed"));

        let git = Git::discover(&repo, s.options()).unwrap();
        let rename = |old: &str, new: &str| Rename { old: old.to_string(), new: new.to_string() };
        let mut got = git.renames_since(&c1).unwrap();
        got.sort_by(|a, b| a.old.cmp(&b.old));
        assert_eq!(got, [rename("b.go", "b2.go"), rename("dir with space/é.go", "dir with space/ü.go"), rename("old/a.go", "new/a.go")]);
        assert_eq!(git.renames_since(&c2).unwrap(), [rename("b.go", "b2.go")]);
        assert_eq!(git.renames_since("HEAD").unwrap_err(), GitError::NotASha { sha: "HEAD".to_string() });
    }

    #[test]
    fn files_at_lists_the_regular_files_of_a_commit() {
        let s = Scratch::new("files");
        let repo = s.repo("r");
        for name in ["main.go", "pkg/util/strings.go", "é x.go", "run.sh"] {
            write(&repo.join(name), lines(name));
        }
        std::fs::set_permissions(repo.join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
        symlink("main.go", repo.join("link.go")).unwrap();
        let c1 = s.commit(&repo, "one", 1_700_000_001);
        write(&repo.join("later.go"), lines("later"));
        s.commit(&repo, "two", 1_700_000_002);

        let git = Git::discover(&repo.join("pkg"), s.options()).unwrap();
        let mut files = git.files_at(&c1).unwrap();
        files.sort();
        assert_eq!(files, ["main.go", "pkg/util/strings.go", "run.sh", "é x.go"]);
        assert_eq!(git.files_at(&c1[..7]).unwrap_err(), GitError::NotASha { sha: c1[..7].to_string() });
    }

    #[test]
    fn blobs_of_every_kind() {
        let s = Scratch::new("blobs");
        let repo = s.repo("r");
        let late_nul = [vec![b'a'; BINARY_PROBE], vec![0], b"tail".to_vec()].concat();
        write(&repo.join("text.go"), "package main\n");
        write(&repo.join("empty.go"), "");
        write(&repo.join("é x.go"), "package é\n");
        write(&repo.join("bin.dat"), b"GIF\0\x01");
        write(&repo.join("latin1.txt"), b"caf\xe9\n");
        write(&repo.join("late_nul.txt"), &late_nul);
        write(&repo.join("limit.txt"), vec![b'x'; 10_000]);
        write(&repo.join("big.txt"), vec![b'y'; 10_001]);
        write(&repo.join("pkg/a.go"), "package pkg\n");
        let c1 = s.commit(&repo, "one", 1_700_000_001);
        write(&repo.join("later.go"), "package later\n");
        write(&repo.join("text.go"), "package changed\n");
        s.commit(&repo, "two", 1_700_000_002);

        let git = Git::discover(&repo, s.options()).unwrap();
        let cases: Vec<(&str, Blob)> = vec![
            ("text.go", Blob::Text("package main\n".into())),
            ("empty.go", Blob::Text(String::new())),
            ("é x.go", Blob::Text("package é\n".into())),
            ("pkg/a.go", Blob::Text("package pkg\n".into())),
            ("bin.dat", Blob::Binary),
            ("latin1.txt", Blob::Binary),
            ("late_nul.txt", Blob::Text(String::from_utf8(late_nul.clone()).unwrap())),
            ("limit.txt", Blob::Text("x".repeat(10_000))),
            ("big.txt", Blob::TooLarge(10_001)),
            ("later.go", Blob::Missing),
            ("nothere.go", Blob::Missing),
            ("pkg", Blob::Missing),
            ("", Blob::Missing),
            ("text.go\nbin.dat", Blob::Missing),
            ("text.go\0", Blob::Missing),
            ("text.go", Blob::Text("package main\n".into())),
        ];
        let paths: Vec<String> = cases.iter().map(|(p, _)| p.to_string()).collect();
        let got = git.blobs_at(&c1, &paths, 10_000).unwrap();
        assert_eq!(got.len(), cases.len());
        for ((path, want), got) in cases.iter().zip(&got) {
            assert_eq!(got, want, "{path:?}");
        }
        assert_eq!(git.blobs_at(&c1, &[], 10).unwrap(), []);
    }

    #[test]
    fn a_thousand_blobs_take_one_process() {
        let s = Scratch::new("thousand");
        let repo = s.repo("r");
        let paths: Vec<String> = (0..1000).map(|i| format!("pkg{}/f{i:04}.go", i % 10)).collect();
        for path in &paths {
            write(&repo.join(path), format!("package x // {path}\n"));
        }
        let c1 = s.commit(&repo, "many", 1_700_000_001);
        // Logs every command, then runs the real git.
        let logging = s.script("git-logging", "printf '%s\\n' \"$*\" >> \"$0.log\"\nexec git \"$@\"\n");
        let git = Git::discover(&repo, GitOptions { program: logging.clone(), ..s.options() }).unwrap();
        let blobs = git.blobs_at(&c1, &paths, 1 << 20).unwrap();
        assert_eq!(blobs.len(), 1000);
        for (path, blob) in paths.iter().zip(&blobs) {
            assert_eq!(*blob, Blob::Text(format!("package x // {path}\n")));
        }
        let log = std::fs::read_to_string(format!("{}.log", logging.display())).unwrap();
        let commands: Vec<&str> = log.lines().map(|l| l.split(' ').nth(4).unwrap_or("")).collect();
        assert_eq!(commands, ["version", "rev-parse", "cat-file"], "{log}");
    }

    #[test]
    fn last_change_is_the_newest_commit_touching_the_paths() {
        let s = Scratch::new("last");
        let repo = s.repo("r");
        let git = Git::discover(&repo, s.options()).unwrap();
        assert_eq!(git.last_change(&strings(&["a.go"])).unwrap(), None, "no commits yet");

        for name in ["a.go", "b.go", "x*.go", "x1.go", "pkg/c.go"] {
            write(&repo.join(name), lines(name));
        }
        let c1 = s.commit(&repo, "one", 1_700_000_001);
        write(&repo.join("b.go"), lines("b2"));
        let c2 = s.commit(&repo, "two", 1_700_000_002);
        write(&repo.join("x1.go"), lines("x2"));
        let c3 = s.commit(&repo, "three", 1_700_000_003);
        write(&repo.join("a.go"), lines("uncommitted"));

        let at = |sha: &str, time| Some(Resolved { sha: sha.to_string(), time });
        let cases: &[(&[&str], Option<Resolved>)] = &[
            (&["a.go"], at(&c1, 1_700_000_001)),
            (&["a.go", "b.go"], at(&c2, 1_700_000_002)),
            (&["pkg/c.go", "x1.go", "b.go"], at(&c3, 1_700_000_003)),
            // A pattern character is part of the name, not a glob.
            (&["x*.go"], at(&c1, 1_700_000_001)),
            (&["pkg"], at(&c1, 1_700_000_001)),
            (&["nothere.go"], None),
            (&[], None),
            (&["", "a.go\nb.go"], None),
        ];
        for (paths, want) in cases {
            assert_eq!(git.last_change(&strings(paths)).unwrap(), *want, "{paths:?}");
        }
    }

    #[test]
    fn a_slow_git_is_killed_at_the_timeout() {
        let s = Scratch::new("timeout");
        // It starts a child of its own, which the kill must reach too.
        let slow = s.script("slow-git", "sleep 10 &\necho \"$$ $!\" > \"$0.pids\"\nwait\n");
        let started = Instant::now();
        let e = s.discover_with(&slow, Duration::from_millis(200)).unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(e, GitError::TimedOut { repo: s.dir.clone(), operation: "git version".into(), after: Duration::from_millis(200) });
        assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
        assert!(e.to_string().contains("did not finish within 200ms"), "{e}");
        let pids = std::fs::read_to_string(format!("{}.pids", slow.display())).unwrap();
        for pid in pids.split_whitespace() {
            let proc = PathBuf::from(format!("/proc/{pid}"));
            // The orphaned `sleep` is reaped by init a moment after it dies.
            let deadline = Instant::now() + Duration::from_secs(2);
            while proc.exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            assert!(!proc.exists(), "process {pid} is still running");
        }
    }

    #[test]
    fn what_reaches_git_and_what_never_does() {
        let s = Scratch::new("argv");
        let sha = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";
        let body = format!(
            "printf '%s|' \"$@\" >> \"$0.log\"\n\
             printf 'env=%s,%s,%s\\n' \"$GIT_TERMINAL_PROMPT\" \"$GIT_OPTIONAL_LOCKS\" \"$LC_ALL\" >> \"$0.log\"\n\
             case \"$5\" in\n\
             version) echo \"git version ${{FAKE_VERSION:-2.47.3}}\" ;;\n\
             rev-parse) case \"$6\" in --show-toplevel) pwd ;; *) echo {sha} ;; esac ;;\n\
             show) echo {sha} 1700000000 ;;\n\
             esac\n"
        );
        let fake = s.script("fake-git", &body);
        let git = s.discover_with(&fake, Duration::from_secs(30)).unwrap();
        assert_eq!(git.root(), s.dir);
        assert_eq!(git.resolve(&rev("v1.2.0")).unwrap(), Resolved { sha: sha.to_string(), time: 1_700_000_000 });
        let log = std::fs::read_to_string(format!("{}.log", fake.display())).unwrap();
        let fixed = "-c|core.quotePath=false|--literal-pathspecs|--no-pager|";
        let want: Vec<String> = [
            "version|".to_string(),
            "rev-parse|--show-toplevel|".to_string(),
            "rev-parse|--verify|--end-of-options|v1.2.0^{commit}|".to_string(),
            format!("show|-s|--no-show-signature|--no-color|--format=%H %ct|--end-of-options|{sha}|--|"),
        ]
        .iter()
        .map(|args| format!("{fixed}{args}env=0,0,C"))
        .collect();
        assert_eq!(log.lines().collect::<Vec<_>>(), want);

        // An option dressed as a revision is refused before any git runs:
        // `resolve` takes only a parsed `Revision`.
        let marker = s.dir.join("x");
        let e = Revision::parse(&format!("--upload-pack=touch {}", marker.display())).unwrap_err();
        assert_eq!(e.problem, crate::paths::RevisionProblem::LeadingDash);
        assert!(!marker.exists());

        let old = GitOptions { program: fake.clone(), env: vec![("FAKE_VERSION".into(), "2.25.1".into())], ..s.options() };
        let e = Git::discover(&s.dir, old).unwrap_err();
        assert_eq!(e, GitError::TooOld { program: fake, version: "git version 2.25.1".into() });
        assert!(e.to_string().contains("needs git 2.30 or newer"), "{e}");
    }
}
