//! `runBenchmark`: runs one Go benchmark (or test) with `go test` and a
//! profile, then returns go test's result line, the hottest lines per
//! operation, and the change from the previous run of the same benchmark.
//! It builds and executes the workspace's code, so it is refused unless
//! the server was started with `--allow-run`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::units;
use crate::analysis::{select, Index, TopItem, TopOptions};
use crate::gotest::{self, BenchResult, Kind};
use crate::report::labels;
use crate::source::gotest::{self as runner, ProfileKind, RunEnd, RunOptions, RunSpec};
use crate::source::load::ProfileSource;

use super::super::context::Context;
use super::super::output::{in_range, omitted_line, Output, Rows};
use super::super::ToolError;
use super::common::place;
use super::Call;

pub const DESCRIPTION: &str = "Runs one Go benchmark with `go test -bench` and a memory (or CPU) profile, then \
returns go test's result line (ns/op, B/op, allocs/op), the hottest lines per operation at their workspace files, \
and the change from the previous run of the same benchmark. This builds and EXECUTES the workspace's code.";
pub const DESCRIPTION_OFF: &str = "Runs one Go benchmark with `go test` (builds and executes the workspace's code). \
Disabled: this server was started without --allow-run, so every call is refused.";

/// Longest a run may take before it is killed.
const RUN_LIMIT: Duration = Duration::from_secs(30 * 60);
static RUN_DIRS: AtomicU64 = AtomicU64::new(1);

#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum BenchKind {
    #[default]
    Mem,
    Cpu,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Args {
    /// The package directory, relative to the workspace root.
    pub package: String,
    /// The benchmark (or test) function, e.g. BenchmarkRender.
    pub name: String,
    /// The profile to take: mem (default) or cpu.
    pub kind: Option<BenchKind>,
    /// At most this many lines, 1 to 100 (default 10).
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
    /// Ignored: the run's own profile is read.
    #[allow(dead_code)] // Every tool accepts it.
    pub profile: Option<String>,
    /// Default: alloc_space for mem, cpu for cpu.
    pub sample_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Result {
    pub name: String,
    pub iterations: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ns_per_op: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_per_op: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocs_per_op: Option<f64>,
}

impl From<&BenchResult> for Result {
    fn from(r: &BenchResult) -> Result {
        Result { name: r.name.clone(), iterations: r.iterations, ns_per_op: r.ns_per_op, bytes_per_op: r.bytes_per_op, allocs_per_op: r.allocs_per_op }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub file: String,
    pub line: i64,
    pub mapped: bool,
    pub function: String,
    /// Per operation, in `unit`.
    pub flat_per_op: f64,
    pub cum_per_op: f64,
    pub flat_label: String,
    pub cum_label: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Benchmark {
    pub command: String,
    /// go test's result line as printed.
    pub result_line: String,
    pub result: Result,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Result>,
    /// How B/op (else ns/op) changed since the previous run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
    pub sample_type: String,
    pub unit: String,
    /// The operations the profile covers (values are divided by this).
    pub operations: u64,
    pub rows: Vec<Row>,
    pub omitted_rows: usize,
}

impl Output for Benchmark {
    fn text(&self) -> String {
        let mut out = format!("{}\n", self.result_line);
        if let Some(change) = &self.change {
            out.push_str(&format!("{change}\n"));
        }
        out.push_str(&format!("per operation, {}:\n", self.sample_type));
        for r in &self.rows {
            out.push_str(&format!("{:>10} {:>10}  {} at {}:{}\n", r.flat_label, r.cum_label, r.function, r.file, r.line));
        }
        out + &omitted_line(self.omitted_rows)
    }

    fn rows(&mut self) -> (&mut dyn Rows, &mut usize) {
        (&mut self.rows, &mut self.omitted_rows)
    }
}

pub async fn run(context: Arc<Context>, a: Args, call: &Call) -> std::result::Result<Benchmark, ToolError> {
    if !context.allow_run {
        return Err(ToolError::new(
            "runBenchmark is off: it builds and executes the workspace's code, so the server must be started with --allow-run",
        ));
    }
    let limit = in_range("limit", a.limit.unwrap_or(10), 1..=100)?;
    let dir = context.workspace_file(&a.package, "package")?;
    if !dir.is_dir() {
        return Err(ToolError::new(format!("package: {} is not a directory", a.package)));
    }
    let name = a.name.split('/').next().unwrap_or("").to_string();
    let func = find_function(&dir, &name)?;
    let kind = match a.kind.unwrap_or_default() {
        BenchKind::Mem => ProfileKind::Mem,
        BenchKind::Cpu => ProfileKind::Cpu,
    };
    let goroot = context.config.goroot.as_deref().map(|g| match context.roots.first() {
        Some(root) if std::path::Path::new(g).is_relative() => root.join(g),
        _ => PathBuf::from(g),
    });
    let go = runner::find_go(goroot.as_deref(), std::env::var_os("PATH").as_deref())
        .ok_or_else(|| ToolError::new("go was not found on PATH: set goroot in pprof-lsp.toml to a Go installation"))?;
    let settings = &context.config.benchmarks;
    let options = RunOptions { mem_profile_rate: settings.mem_profile_rate, benchtime: settings.benchtime.clone(), args: settings.args.clone() };
    let out = runner::cache_dir().join(format!("mcp-{}-{}", std::process::id(), RUN_DIRS.fetch_add(1, Ordering::Relaxed)));
    let spec = RunSpec::new(go, &dir, &name, func, &options, &out);
    let command = spec.command_line();
    call.progress(0.0, 1.0, command.clone()).await;
    let cancel = Arc::new(AtomicBool::new(false));
    let (task_spec, task_cancel) = (spec.clone(), cancel.clone());
    let mut task = tokio::task::spawn_blocking(move || runner::run(&task_spec, &task_cancel, RUN_LIMIT, &mut |_| {}));
    let ran = tokio::select! {
        ran = &mut task => ran,
        () = call.request.ct.cancelled() => {
            cancel.store(true, Ordering::Relaxed);
            task.await
        }
    };
    let (end, output) = match ran {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => return Err(ToolError::new(format!("could not run {}: {e}", spec.go.display()))),
        Err(e) => return Err(ToolError::new(format!("the run stopped: {e}"))),
    };
    match end {
        RunEnd::Cancelled => return Err(ToolError::new(format!("the run of {name} was cancelled"))),
        RunEnd::TimedOut => return Err(ToolError::new(format!("the run of {name} took over {} min and was stopped", RUN_LIMIT.as_secs() / 60))),
        RunEnd::Exited(_) => {}
    }
    let outcome = gotest::parse_output(&output);
    if outcome.build_failed {
        let errors: Vec<String> = outcome
            .compile_errors
            .iter()
            .map(|e| format!("{}:{}:{}: {}", context.relative(&dir.join(&e.file).to_string_lossy()), e.line, e.column, e.message))
            .collect();
        return Err(ToolError::new(if errors.is_empty() {
            format!("the build failed:\n{}", tail(&output))
        } else {
            format!("the build failed: {}", errors.join("\n"))
        }));
    }
    if outcome.failed {
        return Err(ToolError::new(format!("{name} failed ({}):\n{}", outcome.failed_tests.join(", "), tail(&output))));
    }
    let bench = outcome
        .benchmarks
        .iter()
        .find(|b| b.name == name)
        .ok_or_else(|| ToolError::new(format!("go test printed no result for {name}:\n{}", tail(&output))))?;
    let result_line = output.lines().find(|l| l.starts_with(&name) && l.contains("ns/op")).unwrap_or_default().trim().to_string();
    let operations = bench.profiled_operations(settings.benchtime.as_deref()).max(1);
    let profile = context.read(&ProfileSource::File(spec.profile(kind).to_path_buf()))?;
    let _ = std::fs::remove_dir_all(&out);
    let default_type = match kind {
        ProfileKind::Mem => "alloc_space",
        ProfileKind::Cpu => "cpu",
    };
    let t = select(&profile, Some(a.sample_type.as_deref().unwrap_or(default_type))).map_err(|e| ToolError::new(format!("sampleType: {e}")))?;
    let index = Index::build(&profile);
    let names: Vec<&str> = index.files().iter().map(String::as_str).collect();
    let files = context.mapper.map_all(&names, &crate::source::fs::RealFs);
    let ranking = TopOptions { lines: true, node_count: None, ..TopOptions::default() };
    let top = crate::analysis::top::top(&index, &[&profile], t, &ranking);
    let unit = index.sample_types()[t.0].unit.clone();
    let per_op = |v: i64| v as f64 / operations as f64;
    let label = |v: i64| format!("{}/op", units::label((per_op(v)).round() as i64, &unit));
    let omitted_rows = top.rows.len().saturating_sub(limit as usize);
    let rows = top
        .rows
        .iter()
        .take(limit as usize)
        .filter_map(|r| {
            let TopItem::Node(n) = r.item else { return None };
            let node = index.node(n);
            let p = place(&context, Some(&files), index.file(node.file?), Some(node.line));
            Some(Row {
                file: p.file,
                line: node.line,
                mapped: p.mapped,
                function: top.name(&index, r.item),
                flat_per_op: per_op(r.cost.flat),
                cum_per_op: per_op(r.cost.cum),
                flat_label: label(r.cost.flat),
                cum_label: label(r.cost.cum),
            })
        })
        .collect();
    let key = (dir.clone(), name.clone());
    let previous = context.benchmarks.lock().unwrap_or_else(|e| e.into_inner()).insert(key, bench.clone());
    Ok(Benchmark {
        command,
        result_line: if result_line.is_empty() { labels::bench_result(bench) } else { result_line },
        result: bench.into(),
        change: previous.as_ref().and_then(|p| labels::bench_change(p, bench)),
        previous: previous.as_ref().map(Result::from),
        sample_type: index.sample_types()[t.0].name.clone(),
        unit,
        operations,
        rows,
        omitted_rows,
    })
}

/// The benchmark or test `name` declared in a `_test.go` file of `dir`.
fn find_function(dir: &std::path::Path, name: &str) -> std::result::Result<Kind, ToolError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ToolError::new(format!("package: {}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.to_string_lossy().ends_with("_test.go") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        if let Some(f) = gotest::scan(&text).into_iter().find(|f| f.name == name) {
            return Ok(f.kind);
        }
    }
    Err(ToolError::new(format!("name: no test or benchmark named {name} in the package's _test.go files")))
}

/// The last lines of go test's output, for error messages.
fn tail(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
