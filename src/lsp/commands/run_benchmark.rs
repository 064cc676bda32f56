//! `pprof.runBenchmark`: profiles a Go benchmark or test with `go test` in
//! its package's directory, streams the output to the client's log with
//! `$/progress` (cancelling it kills the whole process group), then shows
//! the profile it wrote: per operation for a benchmark, compared with the
//! previous run of the same benchmark. One run at a time per package.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, MessageType, NumberOrString, Position, Range, Uri};

use crate::gotest::{self, Kind};
use crate::report::labels;
use crate::source::gotest::{self as runner, ProfileKind, RunEnd, RunOptions, RunSpec};
use crate::source::load::ProfileSource;

use super::super::convert;
use super::super::install::LoadExtras;
use super::super::loader::{self, Trigger};
use super::super::progress::CancellableProgress;
use super::super::protocol::{BenchKind, ProfileOrigin, RunBenchmarkArgs, RunBenchmarkResult};
use super::super::runs::{Run, RunKey};
use super::super::session::Handle;
use super::super::snapshot::Base;
use super::super::failure::Result;

/// Longest a run may take before it is killed.
const RUN_LIMIT: Duration = Duration::from_secs(30 * 60);

static RUN_DIRS: AtomicU64 = AtomicU64::new(1);

pub async fn run(handle: &Handle, args: RunBenchmarkArgs) -> Result<RunBenchmarkResult> {
    let uri: Uri = args.uri.parse().map_err(|_| format!("pprof.runBenchmark needs {{\"uri\": …}} of a _test.go file, not {:?}", args.uri))?;
    let file = convert::uri_to_path(&uri).ok_or_else(|| format!("{} is not a local file", args.uri))?;
    let dir = file.parent().map(Path::to_path_buf).ok_or("the file has no directory")?;
    let snapshot = handle.snapshot();
    let text = match snapshot.documents.get(&uri) {
        Some(doc) => doc.text().to_string(),
        None => std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?,
    };
    let found = gotest::scan(&text);
    let func = if args.name.is_empty() {
        // The test or benchmark declared last above the cursor.
        let line = args.line.ok_or("pprof.runBenchmark needs {\"name\": …} or {\"line\": …}")? as usize;
        found.into_iter().rev().find(|f| f.line <= line).ok_or_else(|| format!("no test or benchmark at or above line {} of {}", line + 1, file.display()))?
    } else {
        // A sub-benchmark (`BenchmarkX/small`) runs through its parent.
        let name = args.name.split('/').next().unwrap_or("");
        found.into_iter().find(|f| f.name == name).ok_or_else(|| format!("{} declares no test or benchmark named {name}", file.display()))?
    };
    let name = func.name.clone();
    let kind = match args.kind {
        BenchKind::Mem => ProfileKind::Mem,
        BenchKind::Cpu => ProfileKind::Cpu,
    };
    let goroot = snapshot.config.goroot.as_deref().map(|g| match snapshot.roots.first() {
        Some(root) if Path::new(g).is_relative() => root.join(g),
        _ => PathBuf::from(g),
    });
    let go = runner::find_go(goroot.as_deref(), std::env::var_os("PATH").as_deref()).ok_or_else(|| match &goroot {
        Some(g) => format!("no go at {}: set pprof.goroot to a Go installation (its bin/go is run)", g.join("bin").join("go").display()),
        None => "go was not found on PATH: set pprof.goroot to a Go installation (its bin/go is run)".to_string(),
    })?;
    let settings = &snapshot.config.benchmarks;
    let options = RunOptions { mem_profile_rate: settings.mem_profile_rate, benchtime: settings.benchtime.clone(), args: settings.args.clone() };
    let out = runner::cache_dir().join(format!("{}-{}", std::process::id(), RUN_DIRS.fetch_add(1, Ordering::Relaxed)));
    let spec = RunSpec::new(go, &dir, &name, func.kind, &options, &out);

    // One run at a time per package.
    if !handle.session.running.lock().unwrap_or_else(|e| e.into_inner()).insert(dir.clone()) {
        return Err(format!("a run is already going in {}; wait for it, or cancel it", dir.display()).into());
    }
    let finished = RunningGuard { handle, dir: dir.clone() };
    let result = run_and_load(handle, &uri, &dir, &name, func.kind, kind, spec, settings.benchtime.clone()).await;
    drop(finished);
    result
}

/// Takes the package out of the running set, however the run ends.
struct RunningGuard<'a> {
    handle: &'a Handle,
    dir: PathBuf,
}

impl Drop for RunningGuard<'_> {
    fn drop(&mut self) {
        self.handle.session.running.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.dir);
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_and_load(
    handle: &Handle,
    uri: &Uri,
    dir: &Path,
    name: &str,
    test_kind: Kind,
    kind: ProfileKind,
    spec: RunSpec,
    benchtime: Option<String>,
) -> Result<RunBenchmarkResult> {
    let client = handle.client.clone();
    let command_line = spec.command_line();
    tracing::info!(dir = %dir.display(), "running {command_line}");
    client.log_message(MessageType::INFO, format!("pprof: {command_line}")).await;
    let cancel = Arc::new(AtomicBool::new(false));
    let progress = CancellableProgress::begin(handle, &format!("go test {name}"), cancel.clone()).await;
    // Output goes to the log line by line while the run goes on.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let forward = {
        let client = client.clone();
        tokio::spawn(async move {
            while let Some(line) = rx.recv().await {
                client.log_message(MessageType::LOG, line).await;
            }
        })
    };
    let task_spec = spec.clone();
    let task_cancel = cancel.clone();
    let ran = tokio::task::spawn_blocking(move || {
        runner::run(&task_spec, &task_cancel, RUN_LIMIT, &mut |line| {
            let _ = tx.send(line.to_string());
        })
    })
    .await;
    let _ = forward.await;
    let (end, output) = match ran {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => {
            progress.finish("failed").await;
            return Err(format!("could not run {}: {e}", spec.go.display()).into());
        }
        Err(e) => {
            progress.finish("failed").await;
            return Err(format!("the run stopped: {e}").into());
        }
    };
    match end {
        RunEnd::Cancelled => {
            progress.finish("cancelled").await;
            return Err(format!("the run of {name} was cancelled").into());
        }
        RunEnd::TimedOut => {
            progress.finish("timed out").await;
            return Err(format!("the run of {name} took longer than {} min and was stopped", RUN_LIMIT.as_secs() / 60).into());
        }
        RunEnd::Exited(_) => {}
    }
    let outcome = gotest::parse_output(&output);
    if outcome.build_failed {
        progress.finish("build failed").await;
        let first = outcome.compile_errors.first();
        let diagnostics = outcome
            .compile_errors
            .iter()
            .filter_map(|e| {
                let file = dir.join(&e.file);
                let uri = convert::path_to_uri(&file)?;
                let at = Position::new(e.line.saturating_sub(1), e.column.saturating_sub(1));
                Some((uri, Diagnostic {
                    range: Range::new(at, at),
                    severity: Some(DiagnosticSeverity::ERROR),
                    code: Some(NumberOrString::String("build".into())),
                    source: Some("pprof".into()),
                    message: e.message.clone(),
                    ..Default::default()
                }))
            })
            .collect::<Vec<_>>();
        handle.update(|s| s.build_errors = Arc::new(diagnostics));
        handle.publish();
        return Err(match first {
            Some(e) => format!("the build failed: {}:{}:{}: {}", dir.join(&e.file).display(), e.line, e.column, e.message),
            None => "the build failed (see the pprof-lsp log for go's output)".to_string(),
        }
        .into());
    }
    handle.update(|s| s.build_errors = Arc::default());
    let profile = spec.profile(kind).to_path_buf();
    if !profile.is_file() {
        progress.finish("no profile").await;
        let why = if outcome.failed { "the test failed before writing it" } else { "go test wrote none" };
        return Err(format!("no {} profile: {why} (see the pprof-lsp log for go's output)", kind_name(kind)).into());
    }
    let result = outcome.benchmarks.iter().find(|b| b.name == name).cloned();
    let iterations = match (test_kind, &result) {
        (Kind::Benchmark, Some(r)) => Some(r.profiled_operations(benchtime.as_deref())),
        _ => None,
    };
    let key = RunKey { dir: dir.to_path_buf(), name: name.to_string() };
    let snapshot = handle.snapshot();
    let previous = snapshot.runs.latest(&key, kind).cloned();
    // The previous run of the same benchmark and kind is the base, read on
    // a blocking thread: it is a whole profile.
    let base = match (previous, snapshot.config.benchmarks.compare_with_previous) {
        (Some(prev), true) => {
            let source = ProfileSource::File(prev.profile.clone());
            let max_bytes = snapshot.config.max_profile_bytes;
            let read = tokio::task::spawn_blocking(move || loader::read_decode(&source, max_bytes)).await;
            match read.map_err(|e| e.to_string()).and_then(|r| r) {
                Ok((p, _)) => Some(Arc::new(Base {
                    source: ProfileSource::File(prev.profile.clone()),
                    name: labels::earlier_run(prev.number, name),
                    profile: Arc::new(p),
                    iterations: prev.iterations,
                })),
                Err(e) => {
                    tracing::warn!("previous run not compared: {e}");
                    None
                }
            }
        }
        _ => None,
    };
    let extras = LoadExtras {
        iterations,
        base: Some(base),
        sample_type: (kind == ProfileKind::Mem).then(|| "alloc_space".to_string()),
        origin: Some(ProfileOrigin::Run),
    };
    progress.finish(if outcome.failed { "the test failed" } else { "done" }).await;
    loader::load_with(handle, ProfileSource::File(profile.clone()), Trigger::Command, extras).await?;
    let run = Run { number: 0, kind, profile, result: result.clone(), iterations };
    let (now, ()) = handle.update(|s| s.runs = Arc::new(s.runs.with(key.clone(), run)));
    handle.changed().await;
    if outcome.failed {
        let failed = outcome.failed_tests.join(", ");
        handle.client.show_message(MessageType::WARNING, format!("pprof: {name} failed ({failed}); showing the profile it wrote")).await;
    }
    let number = now.runs.latest(&key, kind).map_or(0, |r| r.number);
    Ok(RunBenchmarkResult {
        uri: uri.as_str().to_string(),
        name: name.to_string(),
        run: number,
        profile: now.view.as_ref().map(|v| v.loaded().source.to_string()).unwrap_or_default(),
        failed: outcome.failed,
        iterations,
        result: result.map(|r| labels::bench_result(&r)),
        compared_with: now.base.as_ref().map(|b| b.name.clone()),
    })
}

fn kind_name(kind: ProfileKind) -> &'static str {
    match kind {
        ProfileKind::Mem => "memory",
        ProfileKind::Cpu => "CPU",
    }
}
