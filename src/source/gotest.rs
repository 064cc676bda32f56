//! Running `go test` for a profiled test or benchmark: the command line,
//! the process (in a process group of its own, so cancelling kills the
//! compiler and the test binary too), its output line by line, and where
//! the profiles go. What the output means is `gotest`'s job.

use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::gotest::Kind;

/// Which profile a run is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProfileKind {
    Mem,
    Cpu,
}

/// Options of a run, from the settings.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// `-memprofilerate`, when set.
    pub mem_profile_rate: Option<u64>,
    /// `-benchtime` (`2s`, `2000x`), when set.
    pub benchtime: Option<String>,
    /// More arguments for `go test`.
    pub args: Vec<String>,
}

/// A `go test` invocation.
#[derive(Clone, Debug)]
pub struct RunSpec {
    pub go: PathBuf,
    /// The package directory.
    pub dir: PathBuf,
    pub args: Vec<String>,
    pub mem_profile: PathBuf,
    pub cpu_profile: PathBuf,
}

impl RunSpec {
    /// The run of one test or benchmark `name` in `dir`, writing its
    /// profiles into `out`.
    pub fn new(go: PathBuf, dir: &Path, name: &str, kind: Kind, options: &RunOptions, out: &Path) -> RunSpec {
        let mem_profile = out.join("mem.pprof");
        let cpu_profile = out.join("cpu.pprof");
        let anchored = format!("^{}$", regex_quote(name));
        let mut args: Vec<String> = vec!["test".into()];
        match kind {
            Kind::Benchmark => {
                args.extend(["-run".into(), "^$".into(), "-bench".into(), anchored, "-benchmem".into()]);
                if let Some(t) = &options.benchtime {
                    args.push(format!("-benchtime={t}"));
                }
            }
            Kind::Test => args.extend(["-run".into(), anchored]),
        }
        args.push("-count=1".into());
        args.push(format!("-memprofile={}", mem_profile.display()));
        args.push(format!("-cpuprofile={}", cpu_profile.display()));
        // go test keeps the test binary of a profiled run; it goes next to
        // the profiles, not into the user's package folder.
        args.push(format!("-o={}{}", out.display(), std::path::MAIN_SEPARATOR));
        if let Some(rate) = options.mem_profile_rate {
            args.push(format!("-memprofilerate={rate}"));
        }
        args.extend(options.args.iter().cloned());
        RunSpec { go, dir: dir.to_path_buf(), args, mem_profile, cpu_profile }
    }

    pub fn profile(&self, kind: ProfileKind) -> &Path {
        match kind {
            ProfileKind::Mem => &self.mem_profile,
            ProfileKind::Cpu => &self.cpu_profile,
        }
    }

    /// The command as a shell would show it, for the log.
    pub fn command_line(&self) -> String {
        std::iter::once(self.go.display().to_string()).chain(self.args.iter().cloned()).collect::<Vec<_>>().join(" ")
    }
}

/// Escapes regular-expression syntax in a test name (`-run`/`-bench`
/// take regular expressions; Go names rarely need it).
fn regex_quote(name: &str) -> String {
    name.chars()
        .flat_map(|c| if "\\.+*?()|[]{}^$".contains(c) { vec!['\\', c] } else { vec![c] })
        .collect()
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunEnd {
    /// `go test` exited with this code (`None` when killed by a signal).
    Exited(Option<i32>),
    /// The caller cancelled it; the whole process group was killed.
    Cancelled,
    /// It ran past the time limit and was killed.
    TimedOut,
}

/// The `go` to run: `<goroot>/bin/go` when `goroot` is set, else `go`
/// from `PATH`. `None` when there is none, for a message that says which
/// setting to fix.
pub fn find_go(goroot: Option<&Path>, path_var: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    let exe = if cfg!(windows) { "go.exe" } else { "go" };
    match goroot {
        Some(root) => Some(root.join("bin").join(exe)).filter(|p| p.is_file()),
        None => std::env::split_paths(path_var?).map(|d| d.join(exe)).find(|p| p.is_file()),
    }
}

/// Where the profiles of runs go: a cache folder outside any workspace.
pub fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("pprof-lsp").join("runs")
}

/// Runs `spec`, handing each output line (stdout and stderr) to `on_line`
/// as it comes, until it exits, `cancel` is set, or `limit` passes. Returns
/// how it ended and everything it printed.
pub fn run(spec: &RunSpec, cancel: &AtomicBool, limit: Duration, on_line: &mut dyn FnMut(&str)) -> io::Result<(RunEnd, String)> {
    for p in [&spec.mem_profile, &spec.cpu_profile] {
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let _ = std::fs::remove_file(p);
    }
    let mut command = Command::new(&spec.go);
    command.args(&spec.args).current_dir(&spec.dir).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn()?;
    let (tx, rx) = mpsc::channel::<String>();
    let readers: Vec<_> = [child.stdout.take().map(|s| Box::new(s) as Box<dyn io::Read + Send>), child.stderr.take().map(|s| Box::new(s) as Box<dyn io::Read + Send>)]
        .into_iter()
        .flatten()
        .map(|stream| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            })
        })
        .collect();
    drop(tx);
    let started = Instant::now();
    let mut all = String::new();
    let mut end = None;
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(line) => {
                on_line(&line);
                all.push_str(&line);
                all.push('\n');
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if end.is_none() && cancel.load(Ordering::SeqCst) {
            kill_group(&mut child);
            end = Some(RunEnd::Cancelled);
        } else if end.is_none() && started.elapsed() > limit {
            kill_group(&mut child);
            end = Some(RunEnd::TimedOut);
        }
    }
    let status = child.wait()?;
    for r in readers {
        let _ = r.join();
    }
    if end.is_some() {
        wait_for_group(child.id());
    }
    Ok((end.unwrap_or(RunEnd::Exited(status.code())), all))
}

/// Waits (at most two seconds) until no process of the killed group is
/// left, so a cancelled run is over when `run` returns.
fn wait_for_group(leader: u32) {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(leader) else { return };
        let deadline = Instant::now() + Duration::from_secs(2);
        // Signal 0 only asks whether any process of the group is left.
        while unsafe { libc::kill(-pid, 0) } == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    #[cfg(not(unix))]
    let _ = leader;
}

/// Kills the process and everything it started (its process group).
pub(super) fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        if let Ok(pid) = libc::pid_t::try_from(child.id()) {
            // The child leads its own group (process_group(0)).
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
    }
    let _ = child.kill();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benchmark_and_test_command_lines() {
        let options = RunOptions { mem_profile_rate: Some(1), benchtime: Some("2000x".into()), args: vec!["-tags=x".into()] };
        let b = RunSpec::new("go".into(), Path::new("/w/pkg"), "BenchmarkRender", Kind::Benchmark, &options, Path::new("/c/r1"));
        assert_eq!(
            b.args,
            [
                "test", "-run", "^$", "-bench", "^BenchmarkRender$", "-benchmem", "-benchtime=2000x", "-count=1",
                "-memprofile=/c/r1/mem.pprof", "-cpuprofile=/c/r1/cpu.pprof", "-o=/c/r1/", "-memprofilerate=1", "-tags=x"
            ]
        );
        let t = RunSpec::new("go".into(), Path::new("/w/pkg"), "TestX", Kind::Test, &RunOptions::default(), Path::new("/c/r2"));
        assert_eq!(t.args, ["test", "-run", "^TestX$", "-count=1", "-memprofile=/c/r2/mem.pprof", "-cpuprofile=/c/r2/cpu.pprof", "-o=/c/r2/"]);
        assert_eq!(regex_quote("Benchmark(x)"), "Benchmark\\(x\\)");
    }

    #[cfg(unix)]
    #[test]
    fn a_cancelled_run_kills_its_process_group() {
        let dir = std::env::temp_dir().join(format!("pprof-lsp-gotest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // `sh` stands in for go: it starts a child that would outlive it.
        let spec = RunSpec {
            go: "/bin/sh".into(),
            dir: dir.clone(),
            args: vec!["-c".into(), "sleep 30 & echo started; wait".into()],
            mem_profile: dir.join("mem.pprof"),
            cpu_profile: dir.join("cpu.pprof"),
        };
        let cancel = AtomicBool::new(false);
        let started = Instant::now();
        let mut lines = Vec::new();
        let (end, _) = run(&spec, &cancel, Duration::from_secs(20), &mut |l| {
            lines.push(l.to_string());
            cancel.store(true, Ordering::SeqCst);
        })
        .unwrap();
        assert_eq!(end, RunEnd::Cancelled);
        assert_eq!(lines, ["started"]);
        // Ending at once means the `sleep` (holding the pipes) died too.
        assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn go_is_found_in_goroot_or_on_path() {
        let dir = std::env::temp_dir().join(format!("pprof-lsp-findgo-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        let exe = dir.join("bin").join(if cfg!(windows) { "go.exe" } else { "go" });
        std::fs::write(&exe, b"").unwrap();
        assert_eq!(find_go(Some(&dir), None), Some(exe.clone()));
        assert_eq!(find_go(None, Some(std::ffi::OsStr::new(&dir.join("bin")))), Some(exe));
        assert_eq!(find_go(Some(&dir.join("nothing")), None), None);
        assert_eq!(find_go(None, Some(std::ffi::OsStr::new("/nonexistent/bin"))), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
