//! `pprof-lsp leaks`: a goroutine profile's goroutines by the line they
//! block at and the `go` statement that started them (only the leaked
//! ones for a leak profile), as a table or as the `pprof.leaks` JSON
//! object; with `--watch`, polled, with how fast each row grows.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{anyhow, bail, Result};
use clap::Args;

use crate::analysis::leaks::{self, Goroutines, Site};
use crate::analysis::Growth;
use crate::paths::{PathMapper, Resolution};
use crate::profile::{self, DecodeOptions, Profile};
use crate::report::leaks::{self as leak_report, LeakReport, LeakSite};
use crate::source::fs::RealFs;
use crate::source::goroutines::dump_url;
use crate::source::live::{clock_utc, LiveOptions, Outcome, Poller};
use crate::source::load::{self, ProfileSource};

use super::watch::parse_duration;

#[derive(Args, Debug)]
pub struct LeaksArgs {
    /// A goroutine dump (`?debug=2`, a crash log), a goroutine or goroutineleak
    /// profile file, or a URL such as http://host:6060/debug/pprof/goroutineleak
    /// (its `?debug=2` dump is read, for wait states and creation sites).
    pub source: String,
    /// Print the `pprof.leaks` JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Poll the source and show how fast each row grows.
    #[arg(long)]
    pub watch: bool,
    /// With --watch: time between polls, with a unit (500ms, 5s, 1m).
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub interval: Duration,
    /// With --watch: stop after this many polls (needed with --json).
    #[arg(long)]
    pub count: Option<u64>,
    /// Directory holding the program's sources (default: the current
    /// one); a goroutine blocks at its deepest frame in these files.
    #[arg(long = "source-path")]
    pub source_path: Vec<PathBuf>,
    /// Refuse responses and profiles larger than this many bytes (default:
    /// the project file's maxProfileBytes, else 512 MiB).
    #[arg(long = "max-profile-bytes")]
    pub max_profile_bytes: Option<u64>,
    /// The workspace root: a source path, and its pprof-lsp.toml's
    /// pathMappings, sourcePaths, goroot and maxProfileBytes apply.
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
}

/// How long one fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(60);

/// What the rows are read from: a URL's dump, else the source itself.
pub(crate) fn read_source(text: &str) -> ProfileSource {
    match ProfileSource::parse(text) {
        ProfileSource::Url(url) => ProfileSource::Url(dump_url(&url).unwrap_or(url)),
        file => file,
    }
}

/// The profile's goroutines, grouped with the workspace's files as the
/// user's.
pub(crate) fn group(profile: &Profile, source: &ProfileSource, mapper: &PathMapper) -> Result<Goroutines> {
    let in_workspace = |file: &str| matches!(mapper.resolve(file, &RealFs), Resolution::Mapped { in_workspace: true, .. });
    leaks::group(profile, &in_workspace).ok_or_else(|| {
        let types: Vec<&str> = profile.sample_types.iter().map(|t| t.name.as_str()).collect();
        anyhow!("{source}: not a goroutine profile (its sample types: {}); read a goroutine dump, or /debug/pprof/goroutineleak or /debug/pprof/goroutine", types.join(", "))
    })
}

/// The report, sites at their local files where they map.
pub(crate) fn report(goroutines: &Goroutines, mapper: &PathMapper, growth: Option<&Growth>) -> LeakReport {
    let place = |site: &Site| LeakSite {
        uri: None,
        file: mapper.resolve(&site.file, &RealFs).path().map_or_else(|| site.file.clone(), str::to_string),
        line: site.line,
        function: site.function.clone(),
    };
    leak_report::report(goroutines, &place, &|site| leaks::growth_at(growth, site))
}

/// The table, or a sentence when a leak profile has no leaks.
fn text(report: &LeakReport, source: &ProfileSource) -> String {
    if report.leaks || !report.rows.is_empty() {
        return leak_report::table(report);
    }
    format!("no goroutines counted in {source}\n")
}

pub fn run(a: &LeaksArgs) -> Result<String> {
    let source = read_source(&a.source);
    let project = super::project::Project::read(a.workspace.as_deref())?;
    // The workspace's path mapper, over the source paths.
    let mapper = project.mapper(&a.source_path);
    let max_bytes = a.max_profile_bytes.unwrap_or(project.config.max_profile_bytes);
    if a.watch {
        return watch(a, source, &mapper, max_bytes);
    }
    let bytes = load::fetch(&source, max_bytes, FETCH_TIMEOUT).map_err(|e| anyhow!(e))?;
    let options = DecodeOptions { max_decompressed_bytes: max_bytes, ..DecodeOptions::default() };
    let profile = profile::decode(&bytes, &options).map_err(|e| anyhow!(load::describe(&source, &e)))?;
    let goroutines = group(&profile, &source, &mapper)?;
    let report = report(&goroutines, &mapper, None);
    if a.json {
        return Ok(format!("{}\n", serde_json::to_string_pretty(&report)?));
    }
    if goroutines.leaks && goroutines.rows.is_empty() {
        return Ok(format!("no leaked goroutines in {source}\n"));
    }
    Ok(text(&report, &source))
}

/// Polls the source, printing the rows with their growth after each poll
/// (the JSON object after the last, with --json).
fn watch(a: &LeaksArgs, source: ProfileSource, mapper: &PathMapper, max_bytes: u64) -> Result<String> {
    if a.json && a.count.is_none() {
        bail!("--watch --json needs --count, to know when to print");
    }
    let options = LiveOptions { interval: a.interval, max_bytes, ..LiveOptions::default() };
    let mut poller = Poller::new(source.clone(), options)?;
    let mut taken = 0u64;
    let mut last: Option<LeakReport> = None;
    loop {
        let started = Instant::now();
        match poller.poll_once(SystemTime::now()) {
            Outcome::Snapshot(fetched) => {
                taken += 1;
                let goroutines = group(&fetched.profile, &source, mapper)?;
                let growth = poller.growth(&goroutines.sample_type).ok();
                let report = report(&goroutines, mapper, growth.as_ref());
                if !a.json {
                    let mut out = std::io::stdout().lock();
                    let body = format!("{source} at {}\n{}\n", clock_utc(SystemTime::now()), text(&report, &source));
                    if out.write_all(body.as_bytes()).and_then(|()| out.flush()).is_err() {
                        return Ok(String::new());
                    }
                }
                last = Some(report);
            }
            Outcome::Failed { error, .. } if taken == 0 => bail!(error),
            Outcome::Failed { error, .. } | Outcome::Unchanged { error } => eprintln!("{error}"),
        }
        if a.count.is_some_and(|n| taken >= n) {
            break;
        }
        std::thread::sleep(poller.next_delay().saturating_sub(started.elapsed()));
    }
    match (a.json, last) {
        (true, Some(report)) => Ok(format!("{}\n", serde_json::to_string_pretty(&report)?)),
        _ => Ok(String::new()),
    }
}
