//! The command line: a thin clap layer over the core. Reads files, prints
//! reports, and turns every failure into one line on stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::analysis::filter::{self, FilterError, Filters};
use crate::analysis::top::TopOptions;
use crate::analysis::units::OutputUnit;
use crate::analysis::{self, Index, IndexError, SampleType};
use crate::paths::{PathMapper, Resolution};
use crate::profile::Profile;
use crate::report;
use crate::source::fs::RealFs;
use crate::source::load::ProfileSource;
use crate::source::merged::SourcesError;
use crate::source;
use crate::source::workspace::{self, ScanOptions};

pub(crate) mod leaks;
mod project;
pub(crate) mod watch;
mod web;

pub use project::Resolved;

#[derive(Parser, Debug)]
#[command(name = "pprof-lsp", version, about = "Go profile costs next to the code that caused them")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Accepted for LSP clients that pass it; the server always uses stdio.
    #[arg(long, global = true, hide = true)]
    pub stdio: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Speak the Language Server Protocol over stdin/stdout (the default).
    Serve,
    /// Print the hottest functions or lines, like `go tool pprof -top`.
    Top(TopArgs),
    /// Print annotated source for functions matching a regex, like `go tool pprof -list`.
    List(ListArgs),
    /// Print every line's flat and cum as JSON (a stable format for tools).
    Lines(LinesArgs),
    /// Poll a /debug/pprof URL (or re-read a file) and show the lines that grow fastest.
    Watch(watch::WatchArgs),
    /// List goroutines by the line they block at and the `go` statement that started them (leaked ones for a leak profile).
    Leaks(leaks::LeaksArgs),
    /// Serve a flame graph, the top table and annotated source in the browser, like `go tool pprof -http`.
    Web(web::WebArgs),
    /// Write a flame graph of the profile as an SVG (drawn by inferno).
    Flame(FlameArgs),
    /// Serve the Model Context Protocol on stdio: profile tools for coding agents.
    Mcp(crate::mcp::McpArgs),
}

#[derive(Args, Debug)]
pub struct ProfileArgs {
    /// Sample type by name (e.g. inuse_space, alloc_space, cpu, delay) or number.
    #[arg(long = "sample-index", alias = "sample_index")]
    pub sample_index: Option<String>,
    /// Subtract this base profile (pprof's -diff_base): a file or an
    /// http(s)://…/debug/pprof/… URL. Given more than once, the bases are
    /// merged first.
    #[arg(long = "diff-base", alias = "diff_base", value_name = "PROFILE")]
    pub diff_base: Vec<String>,
    /// Refuse profiles larger than this many bytes after decompression
    /// (default: the project file's maxProfileBytes, else 512 MiB).
    #[arg(long = "max-profile-bytes")]
    pub max_profile_bytes: Option<u64>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// The git revision the profile was taken at (SHA, tag or branch): its
    /// lines are moved to where that code is in --workspace now, and lines
    /// deleted since lose their number. Without it, lines are as recorded.
    #[arg(long, value_name = "REV", allow_hyphen_values = true)]
    pub revision: Option<String>,
    /// The workspace root. Its pprof-lsp.toml (or .pprof-lsp.toml) is read
    /// as the language server reads it: its profiles (the first is used when
    /// none is given), sampleType, pathMappings, sourcePaths, goroot,
    /// filters, diffBase, revision and maxProfileBytes apply where no flag
    /// says otherwise. It is also the checkout --revision maps lines to
    /// (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
}

/// pprof's filters. A regex is searched for in each frame's function and
/// file name and in its binary's file name; percentages stay shares of the
/// unfiltered total, as in pprof.
#[derive(Args, Debug, Default)]
pub struct FilterArgs {
    /// Keep only samples with a frame matching REGEX (pprof's -focus).
    #[arg(long, value_name = "REGEX", allow_hyphen_values = true)]
    pub focus: Option<String>,
    /// Drop samples with a frame matching REGEX (pprof's -ignore).
    #[arg(long, value_name = "REGEX", allow_hyphen_values = true)]
    pub ignore: Option<String>,
    /// Remove frames matching REGEX from every stack (pprof's -hide).
    #[arg(long, value_name = "REGEX", allow_hyphen_values = true)]
    pub hide: Option<String>,
    /// Keep only frames matching REGEX in every stack (pprof's -show).
    #[arg(long, value_name = "REGEX", allow_hyphen_values = true)]
    pub show: Option<String>,
    /// Cut every stack above its outermost frame matching REGEX (pprof's -show_from).
    #[arg(long = "show-from", alias = "show_from", value_name = "REGEX", allow_hyphen_values = true)]
    pub show_from: Option<String>,
    /// Keep only samples with a matching label: `[KEY=]REGEX[,REGEX...]`, or
    /// `[KEY=]RANGE` for numeric labels such as `bytes=1kb:` (pprof's -tagfocus).
    #[arg(long, value_name = "TAG", allow_hyphen_values = true)]
    pub tagfocus: Option<String>,
    /// Drop samples with a matching label, written as for --tagfocus (pprof's -tagignore).
    #[arg(long, value_name = "TAG", allow_hyphen_values = true)]
    pub tagignore: Option<String>,
}

impl From<&FilterArgs> for Filters {
    fn from(a: &FilterArgs) -> Filters {
        Filters {
            focus: a.focus.clone(),
            ignore: a.ignore.clone(),
            hide: a.hide.clone(),
            show: a.show.clone(),
            show_from: a.show_from.clone(),
            tagfocus: a.tagfocus.clone(),
            tagignore: a.tagignore.clone(),
        }
    }
}

#[derive(Args, Debug)]
pub struct TopArgs {
    /// Profile files or http(s)://…/debug/pprof/… URLs; several are merged
    /// into one profile, as pprof merges them.
    /// (default with --workspace: the first profile of its pprof-lsp.toml,
    /// else the one the editor would load).
    #[arg(required_unless_present = "workspace", value_name = "PROFILE")]
    pub profiles: Vec<String>,
    #[command(flatten)]
    pub common: ProfileArgs,
    /// One row per source line instead of per function.
    #[arg(long)]
    pub lines: bool,
    /// Show at most N rows (0: all).
    #[arg(long)]
    pub nodecount: Option<usize>,
    /// Sort by cumulative value.
    #[arg(long)]
    pub cum: bool,
    /// Print values in this unit (B, kB, MB, ns, ms, s, ...; `auto` scales each value).
    #[arg(long)]
    pub unit: Option<String>,
    /// Drop rows whose cum is below this share of the total, as pprof's -nodefraction.
    #[arg(long, default_value_t = TopOptions::default().node_fraction)]
    pub nodefraction: f64,
    /// Ignore call edges below this share of the total when marking inlined
    /// rows, as pprof's -edgefraction.
    #[arg(long, default_value_t = TopOptions::default().edge_fraction)]
    pub edgefraction: f64,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Regular expression matched against function names.
    pub regex: String,
    /// Profile files or http(s)://…/debug/pprof/… URLs; several are merged
    /// into one profile, as pprof merges them.
    /// (default with --workspace: the first profile of its pprof-lsp.toml,
    /// else the one the editor would load).
    #[arg(required_unless_present = "workspace", value_name = "PROFILE")]
    pub profiles: Vec<String>,
    #[command(flatten)]
    pub common: ProfileArgs,
    /// Directory to look for source files in; may be repeated.
    #[arg(long = "source-path")]
    pub source_path: Vec<PathBuf>,
    /// Print values in this unit (B, kB, MB, ns, ms, s, ...).
    #[arg(long)]
    pub unit: Option<String>,
}

#[derive(Args, Debug)]
pub struct LinesArgs {
    /// Profile files or http(s)://…/debug/pprof/… URLs; several are merged
    /// into one profile, as pprof merges them.
    /// (default with --workspace: the first profile of its pprof-lsp.toml,
    /// else the one the editor would load).
    #[arg(required_unless_present = "workspace", value_name = "PROFILE")]
    pub profiles: Vec<String>,
    #[command(flatten)]
    pub common: ProfileArgs,
    /// Print JSON (the only format; kept explicit for scripts).
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct FlameArgs {
    /// Profile files or http(s)://…/debug/pprof/… URLs; several are merged
    /// into one profile, as pprof merges them.
    /// (default with --workspace: the first profile of its pprof-lsp.toml,
    /// else the one the editor would load).
    #[arg(required_unless_present = "workspace", value_name = "PROFILE")]
    pub profiles: Vec<String>,
    #[command(flatten)]
    pub common: ProfileArgs,
    /// Where to write the SVG (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Merge frames narrower than this share of the total into one per parent.
    #[arg(long = "min-fraction", default_value_t = 1.0 / 12_000.0)]
    pub min_fraction: f64,
}

/// Runs a report subcommand, printing the error as one line on failure.
pub fn run(command: Command) -> ExitCode {
    let result = match command {
        Command::Serve => {
            return match crate::lsp::run_stdio() {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("pprof-lsp: {e:#}");
                    ExitCode::FAILURE
                }
            };
        }
        Command::Top(a) => top(&a),
        Command::List(a) => list(&a),
        Command::Lines(a) => lines(&a),
        Command::Watch(a) => watch::run(&a),
        Command::Leaks(a) => leaks::run(&a),
        Command::Web(a) => web::run(&a),
        Command::Flame(a) => flame(&a),
        Command::Mcp(a) => crate::mcp::run(&a).map(|()| String::new()),
    };
    match result {
        Ok(text) => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = out.write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pprof-lsp: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

/// Reads the profiles of `texts` (files or URLs) and merges them as pprof
/// does. Sources that cannot be read are named on stderr, followed by
/// pprof's count of those that could (`what`: `source` or `base`).
pub fn load(texts: &[String], max_bytes: u64, what: &str) -> Result<Profile> {
    let sources: Vec<ProfileSource> = texts.iter().map(|t| ProfileSource::parse(t)).collect();
    load_sources(&sources, max_bytes, what)
}

/// [`load`] of sources already parsed.
pub fn load_sources(sources: &[ProfileSource], max_bytes: u64, what: &str) -> Result<Profile> {
    let merged = match source::merged::read_merged(sources, max_bytes) {
        Ok(merged) => merged,
        Err(SourcesError::NoneRead { failures }) => {
            for failure in &failures {
                eprintln!("{failure}");
            }
            return Err(anyhow!("none of the {} {what} profiles could be read", failures.len()));
        }
        Err(e) => return Err(e.into()),
    };
    for warning in merged.warnings(what) {
        eprintln!("{warning}");
    }
    Ok(merged.profile)
}

/// The sources as messages name them: as given for one, else joined by
/// ` + ` (the first three, then how many more).
fn given(texts: &[String]) -> String {
    joined(texts.iter().map(String::as_str))
}

/// The sources' short names (a file's name, a URL's profile and host),
/// joined as [`given`] joins them, for titles.
fn short_names(sources: &[ProfileSource]) -> String {
    let names: Vec<String> = sources.iter().map(ProfileSource::display_name).collect();
    joined(names.iter().map(String::as_str))
}

fn joined<'a>(mut names: impl ExactSizeIterator<Item = &'a str>) -> String {
    const SHOWN: usize = 3;
    let count = names.len();
    let shown: Vec<&str> = names.by_ref().take(SHOWN).collect();
    match count {
        n if n <= SHOWN => shown.join(" + "),
        n => format!("{} + {} more", shown.join(" + "), n - SHOWN),
    }
}

struct Loaded {
    /// The profile, filtered when filters are set.
    profile: Arc<Profile>,
    /// The `--diff-base` profile, filtered likewise.
    base: Option<Arc<Profile>>,
    index: Index,
    sample_type: SampleType,
    filters: Filters,
    /// With filters, pprof's total: the unfiltered profile's.
    total: Option<i64>,
}

impl Loaded {
    /// The profiles the index was built from, in its order.
    fn profiles(&self) -> Vec<&Profile> {
        std::iter::once(self.profile.as_ref()).chain(self.base.as_deref()).collect()
    }
}

impl Drop for Loaded {
    fn drop(&mut self) {
        // A million-sample profile takes a noticeable time to free, and the
        // process is about to exit; let the OS reclaim it instead.
        std::mem::forget(std::mem::take(&mut self.profile));
        std::mem::forget(self.base.take());
        std::mem::forget(std::mem::take(&mut self.index));
    }
}

/// Reads the profile (with its revision's lines moved to the checkout)
/// and its base, as `r` says.
fn load_profile(r: &Resolved) -> Result<(Profile, Option<Profile>)> {
    let mut profile = load_sources(&r.sources, r.max_profile_bytes, "source")?;
    if let Some((revision, given_by)) = &r.revision {
        map_to_workspace(&mut profile, revision, given_by, &r.checkout())?;
    }
    Ok((profile, load_base(r)?))
}

fn load_indexed(r: &Resolved) -> Result<Loaded> {
    let (profile, base) = load_profile(r)?;
    let sample_type =
        analysis::select_with_base(&profile, base.as_ref(), r.sample_index.as_deref()).with_context(|| given(&r.profiles))?;
    // An incompatible base is named in the error.
    let in_base = |e: IndexError| anyhow::Error::new(e).context(given(&r.diff_base));
    let filters = r.filters.clone();
    if filters.is_empty() {
        // Only the type shown is walked; another is walked if asked for.
        let (profile, base) = (Arc::new(profile), base.map(Arc::new));
        let index = Index::build_first(profile.clone(), base.clone(), sample_type).map_err(in_base)?;
        return Ok(Loaded { profile, base, index, sample_type, filters, total: None });
    }
    let filtered = filter::filter_profiles(&profile, base.as_ref(), &filters).map_err(|e| match e {
        FilterError::Base(e) => in_base(e),
        e => e.into(),
    })?;
    // pprof's notes and warnings, on stderr as pprof prints them.
    for note in &filtered.notes {
        eprintln!("{note}");
    }
    // As in `Drop for Loaded`: the process is about to exit, so the
    // unfiltered profiles are left to the OS rather than freed.
    std::mem::forget(profile);
    std::mem::forget(base);
    let total = filtered.totals.get(sample_type.0).copied();
    let (profile, base) = (Arc::new(filtered.profile), filtered.base.map(Arc::new));
    Ok(Loaded { profile, base, index: filtered.index, sample_type, filters, total })
}

/// The `--diff-base` profiles (or the file's `diffBase`), merged; none
/// without either.
fn load_base(r: &Resolved) -> Result<Option<Profile>> {
    if r.base_sources.is_empty() {
        return Ok(None);
    }
    load_sources(&r.base_sources, r.max_profile_bytes, "base").map(Some)
}

/// Moves `profile`'s lines from `revision` (given by `given_by`: the flag
/// or the project file) to the files of `workspace` now, saying on stderr
/// what could not be mapped.
fn map_to_workspace(profile: &mut Profile, revision: &str, given_by: &str, workspace: &Path) -> Result<()> {
    let input = source::revision::Input {
        settings: source::revision::Settings { revision: Some(revision.to_string()), binary: None, labelled: None },
        workspace: Some(workspace.to_path_buf()),
        limits: Default::default(),
    };
    let mapper = PathMapper::new(workspace::scan(&[workspace.to_path_buf()], &ScanOptions::default()), Vec::new());
    let names: Vec<&str> = profile.functions.iter().map(|f| f.filename.as_str()).collect();
    let (files, mapped) = source::revision::map_files(&names, profile, &mapper, &RealFs, &input, &Default::default());
    if mapped.revision.is_none() {
        let why = mapped.problems.join("; ");
        return Err(anyhow!("{given_by} {revision}: {}", why.replace("; lines are used as recorded", "")));
    }
    for problem in &mapped.problems {
        eprintln!("{problem}");
    }
    let remapped = source::revision::remap_lines(profile, |name| {
        let local = files.local_for(name)?;
        mapped.lines_of(&crate::paths::LocalPath::new(local))
    });
    if remapped.gone > 0 {
        eprintln!("{} frames are on lines deleted since {revision}: they are shown without a line", remapped.gone);
    }
    Ok(())
}

fn top(a: &TopArgs) -> Result<String> {
    let loaded = load_indexed(&a.common.resolve(&a.profiles)?)?;
    let options = report::top::TopOptions {
        ranking: TopOptions {
            lines: a.lines,
            by_cum: a.cum,
            node_count: a.nodecount,
            node_fraction: a.nodefraction,
            edge_fraction: a.edgefraction,
        },
        unit: a.unit.clone(),
        filters: loaded.filters.clone(),
        total: loaded.total,
    };
    Ok(report::top::render(&loaded.index, &loaded.profiles(), loaded.sample_type, &options))
}

fn list(a: &ListArgs) -> Result<String> {
    let resolved = a.common.resolve(&a.profiles)?;
    let loaded = load_indexed(&resolved)?;
    let pattern = regex::Regex::new(&a.regex).map_err(|e| anyhow!("bad regex {:?}: {e}", a.regex))?;
    let unit = a.unit.clone().map_or(OutputUnit::Auto, OutputUnit::Fixed);
    // The same path mapping as the server, with the workspace and the
    // source paths as roots (the current directory when neither is given).
    let mapper = resolved.mapper(&a.source_path);
    let read = |file: &str| -> Result<String, String> {
        match mapper.resolve(file, &RealFs) {
            Resolution::Mapped { path, .. } => std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}")),
            Resolution::Ambiguous { candidates, .. } => {
                Err(format!("{file} matches several files: {}", candidates.join(", ")))
            }
            Resolution::Unresolved { .. } => Err(format!("could not find file {file}")),
        }
    };
    report::list::render(&loaded.index, loaded.sample_type, loaded.total, &pattern, &unit, &read).map_err(|e| anyhow!(e))
}

fn lines(a: &LinesArgs) -> Result<String> {
    let loaded = load_indexed(&a.common.resolve(&a.profiles)?)?;
    Ok(report::lines::to_json(&report::lines::records(&loaded.index, loaded.sample_type)))
}

fn flame(a: &FlameArgs) -> Result<String> {
    let resolved = a.common.resolve(&a.profiles)?;
    let loaded = load_indexed(&resolved)?;
    let options = analysis::FlameOptions { min_fraction: a.min_fraction };
    let tree = analysis::FlameTree::build(&loaded.index, &loaded.profiles(), loaded.sample_type, &[], &options)
        .map_err(|e| anyhow!(e))?;
    let ty = &loaded.index.sample_types()[loaded.sample_type.0];
    let subject = match &resolved.base_sources[..] {
        [] => short_names(&resolved.sources),
        base => format!("{} − {}", short_names(&resolved.sources), short_names(base)),
    };
    let svg_options = report::flame::SvgOptions {
        title: format!("{subject}: {}", ty.name),
        subtitle: Some(format!("{} total", crate::analysis::units::label(loaded.index.total(loaded.sample_type), &ty.unit))),
        count_name: ty.unit.clone(),
    };
    let svg = report::flame::svg(&tree, &loaded.index, loaded.base.is_some(), &svg_options)
        .map_err(|e| anyhow!("{}: {e}", given(&resolved.profiles)))?;
    match &a.output {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::write(path, &svg).with_context(|| format!("{}: cannot write", path.display()))?;
            Ok(String::new())
        }
        _ => Ok(String::from_utf8_lossy(&svg).into_owned()),
    }
}
