//! Reading `go test` output: benchmark result lines, whether anything
//! failed, and compiler errors with their places.

/// One benchmark result line, e.g.
/// `BenchmarkRender-2  2000  523.4 ns/op  8192 B/op  1 allocs/op`.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchResult {
    /// The name without the `-GOMAXPROCS` suffix (`BenchmarkRender`,
    /// `BenchmarkRender/small`).
    pub name: String,
    /// The iterations of the final round (`b.N`).
    pub iterations: u64,
    pub ns_per_op: Option<f64>,
    pub bytes_per_op: Option<f64>,
    pub allocs_per_op: Option<f64>,
}

impl BenchResult {
    /// The operations a benchmark's profile covers. go test runs a benchmark
    /// once with `b.N = 1`, then with the counts it settles on; the profile
    /// holds all of them. With `-benchtime=Nx` that is exactly 1 + N (just 1
    /// for `1x`). Otherwise the rounds before the last are not printed; their
    /// count is small next to the last round's (go test grows `b.N` at least
    /// tenfold while it can) and is left out, so values per operation are a
    /// little high.
    pub fn profiled_operations(&self, benchtime: Option<&str>) -> u64 {
        let fixed = benchtime.and_then(|t| t.strip_suffix('x')).and_then(|n| n.parse::<u64>().ok());
        match fixed {
            Some(1) => 1,
            Some(_) => self.iterations + 1,
            None => self.iterations.max(1),
        }
    }
}

/// A compiler error: `./render_test.go:12:2: undefined: foo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// As go prints it, relative to the package directory (`./` removed).
    pub file: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, 0 when not given.
    pub column: u32,
    pub message: String,
}

/// What a `go test` run printed, read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub benchmarks: Vec<BenchResult>,
    /// A test or benchmark failed, or the build did.
    pub failed: bool,
    /// The package did not build.
    pub build_failed: bool,
    pub compile_errors: Vec<CompileError>,
    /// The `--- FAIL: Name` lines' names.
    pub failed_tests: Vec<String>,
}

/// Reads the combined output of `go test`.
pub fn parse_output(text: &str) -> Outcome {
    let mut out = Outcome::default();
    for line in text.lines() {
        let trimmed = line.trim_end();
        if let Some(result) = bench_line(trimmed) {
            out.benchmarks.push(result);
        } else if let Some(rest) = trimmed.trim_start().strip_prefix("--- FAIL: ") {
            out.failed = true;
            out.failed_tests.push(rest.split_whitespace().next().unwrap_or("").to_string());
        } else if trimmed == "FAIL" || trimmed.starts_with("FAIL\t") || trimmed.starts_with("FAIL ") {
            out.failed = true;
            if trimmed.ends_with("[build failed]") || trimmed.ends_with("[setup failed]") {
                out.build_failed = true;
            }
        } else if let Some(error) = compile_error(trimmed) {
            out.compile_errors.push(error);
        }
    }
    if !out.compile_errors.is_empty() {
        out.build_failed = true;
        out.failed = true;
    }
    out
}

fn bench_line(line: &str) -> Option<BenchResult> {
    if !line.starts_with("Benchmark") {
        return None;
    }
    let mut fields = line.split_whitespace();
    let full = fields.next()?;
    let iterations: u64 = fields.next()?.parse().ok()?;
    let name = match full.rsplit_once('-') {
        Some((base, procs)) if !procs.is_empty() && procs.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => full,
    };
    let mut result = BenchResult { name: name.to_string(), iterations, ns_per_op: None, bytes_per_op: None, allocs_per_op: None };
    let rest: Vec<&str> = fields.collect();
    for pair in rest.chunks(2) {
        let [value, unit] = pair else { break };
        let Ok(value) = value.parse::<f64>() else { continue };
        match *unit {
            "ns/op" => result.ns_per_op = Some(value),
            "B/op" => result.bytes_per_op = Some(value),
            "allocs/op" => result.allocs_per_op = Some(value),
            _ => {}
        }
    }
    Some(result)
}

/// `path.go:LINE:COL: message` or `path.go:LINE: message`, as the Go
/// compiler and vet print them, at the start of a line (a failing test's
/// own messages, `file_test.go:9: got 1`, are indented).
fn compile_error(line: &str) -> Option<CompileError> {
    if line.starts_with(char::is_whitespace) {
        return None;
    }
    let (file, rest) = line.split_once(".go:")?;
    let file = format!("{}.go", file.strip_prefix("./").unwrap_or(file));
    if file.contains(' ') {
        return None;
    }
    let mut parts = rest.splitn(3, ':');
    let line_no: u32 = parts.next()?.trim().parse().ok()?;
    let second = parts.next()?;
    let (column, message) = match second.trim().parse::<u32>() {
        Ok(col) => (col, parts.next()?.trim().to_string()),
        Err(_) => (0, format!("{second}{}", parts.next().map(|m| format!(":{m}")).unwrap_or_default()).trim().to_string()),
    };
    (!message.is_empty()).then_some(CompileError { file, line: line_no, column, message })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_benchmark_results() {
        let text = "goos: linux\ngoarch: amd64\npkg: example.com/bench\n\
            BenchmarkRender-2   \t    2000\t       523.4 ns/op\t    8192 B/op\t       1 allocs/op\n\
            BenchmarkRender/small-8   \t  300000\t        41.0 ns/op\n\
            BenchmarkOne \t 10 \t 5 ns/op\nPASS\nok  \texample.com/bench\t1.234s\n";
        let out = parse_output(text);
        assert!(!out.failed);
        assert_eq!(
            out.benchmarks,
            vec![
                BenchResult { name: "BenchmarkRender".into(), iterations: 2000, ns_per_op: Some(523.4), bytes_per_op: Some(8192.0), allocs_per_op: Some(1.0) },
                BenchResult { name: "BenchmarkRender/small".into(), iterations: 300000, ns_per_op: Some(41.0), bytes_per_op: None, allocs_per_op: None },
                BenchResult { name: "BenchmarkOne".into(), iterations: 10, ns_per_op: Some(5.0), bytes_per_op: None, allocs_per_op: None },
            ]
        );
    }

    #[test]
    fn reads_failures_and_compiler_errors() {
        let text = "# example.com/bench [example.com/bench.test]\n\
            ./render_test.go:12:2: undefined: foo\n\
            ./render.go:7: missing return\n\
            FAIL\texample.com/bench [build failed]\n";
        let out = parse_output(text);
        assert!(out.failed && out.build_failed);
        assert_eq!(
            out.compile_errors,
            vec![
                CompileError { file: "render_test.go".into(), line: 12, column: 2, message: "undefined: foo".into() },
                CompileError { file: "render.go".into(), line: 7, column: 0, message: "missing return".into() },
            ]
        );
        let failing = parse_output("--- FAIL: TestRender (0.00s)\n    render_test.go:9: got 1, want 2\nFAIL\nexit status 1\nFAIL\texample.com/bench\t0.01s\n");
        assert!(failing.failed && !failing.build_failed);
        assert_eq!(failing.failed_tests, ["TestRender"]);
    }

    #[test]
    fn iterations_count_the_first_round() {
        let r = BenchResult { name: "B".into(), iterations: 2000, ns_per_op: None, bytes_per_op: None, allocs_per_op: None };
        assert_eq!(r.profiled_operations(Some("2000x")), 2001);
        assert_eq!(r.profiled_operations(Some("1x")), 1);
        assert_eq!(r.profiled_operations(Some("2s")), 2000);
        assert_eq!(r.profiled_operations(None), 2000);
    }
}
