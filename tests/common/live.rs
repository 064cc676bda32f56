//! What the live tests need from outside the repository: the leaking Go
//! service and a Go toolchain, named by environment variables that
//! `scripts/live-env.sh` sets (`scripts/test.sh` sources it before
//! `cargo test`). The rule for a missing one lives here, once: under CI
//! (`CI` set to anything non-empty) the test fails, so a run without Go
//! cannot pass by skipping; elsewhere the test says that it skipped and why,
//! and returns.

use std::path::PathBuf;

/// The leaky service's binary (`PPROF_LEAKY_BIN`).
pub fn leaky_bin() -> Option<PathBuf> {
    required_path("PPROF_LEAKY_BIN", "the leaking Go service of tests/fixtures/leaky")
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
