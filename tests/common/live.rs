//! What the live tests need from outside the repository: the leaking Go
//! services and a Go toolchain, named by environment variables that
//! `scripts/live-env.sh` sets (`scripts/test.sh` sources it before
//! `cargo test`), and how to run a service and find its marked lines. The rule for a missing one lives here, once: under CI
//! (`CI` set to anything non-empty) the test fails, so a run without Go
//! cannot pass by skipping; elsewhere the test says that it skipped and why,
//! and returns.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The leaky service's binary (`PPROF_LEAKY_BIN`).
pub fn leaky_bin() -> Option<PathBuf> {
    required_path("PPROF_LEAKY_BIN", "the leaking Go service of tests/fixtures/leaky")
}

/// The goroutine-leaking service's binary (`PPROF_GOLEAK_BIN`).
pub fn goleak_bin() -> Option<PathBuf> {
    required_path("PPROF_GOLEAK_BIN", "the goroutine-leaking Go service of tests/fixtures/goleak")
}

/// The GOROOT of the Go to run (`PPROF_GOROOT`).
pub fn goroot() -> Option<PathBuf> {
    required_path("PPROF_GOROOT", "the GOROOT of a Go toolchain")
}

/// The path in `var`, or, when it is unset or empty, a failure under CI and
/// a printed skip elsewhere.
fn required_path(var: &str, what: &str) -> Option<PathBuf> {
    if let Some(value) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(value));
    }
    let test = std::thread::current().name().unwrap_or("this test").to_string();
    let why = format!("{var} is not set: it names {what} (`source scripts/live-env.sh`, or run scripts/test.sh)");
    if in_ci() {
        panic!("{test} needs {var}, and under CI a test may not skip: {why}");
    }
    // libtest captures stdout per test and shows it with --nocapture or
    // --show-output, and for a test that fails.
    println!("{test}: SKIPPED, {why}");
    None
}

/// True when the `CI` variable is set to anything but the empty string.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// A running service, killed and reaped when dropped (also on a failed
/// assertion). Its stdin is a pipe we hold, so it also exits if this
/// process dies.
pub struct Service {
    pub child: Child,
    /// `HOST:PORT`, from the line `listening on HOST:PORT` it prints first.
    pub addr: String,
}

impl Service {
    pub fn start(bin: &Path, args: &[&str]) -> Service {
        let mut child = Command::new(bin)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut service = Service { child, addr: String::new() };
        let line = rx.recv_timeout(Duration::from_secs(20)).expect("the service prints its address");
        service.addr = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected first line {line:?}")).into();
        service
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The line of `// marker: NAME` in `tests/fixtures/PROGRAM/main.go`.
pub fn marker_line(program: &str, name: &str) -> i64 {
    let path = super::root().join("tests/fixtures").join(program).join("main.go");
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let marker = format!("// marker: {name}");
    let found: Vec<usize> = source.lines().enumerate().filter(|(_, l)| l.trim_end().ends_with(&marker)).map(|(i, _)| i + 1).collect();
    assert_eq!(found.len(), 1, "exactly one line of {} marked {marker:?}", path.display());
    found[0] as i64
}
