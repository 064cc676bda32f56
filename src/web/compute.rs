//! The web view's JSON answers, each a function of the host's data and the
//! request's [`ViewState`]: the costs, rankings and the line a row opens at
//! come from `analysis`, the labels and shapes from `report`; this module
//! only picks the profile, the sample type and the files, calls them,
//! shapes the answers, and remembers recent ones.

use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;

use crate::analysis::annotate;
use crate::analysis::flame::{FlameOptions, FlameTree};
use crate::analysis::top::{TopItem, TopOptions};
use crate::analysis::{self, Index, SampleType};
use crate::profile::Profile;
use crate::paths::Place;
use crate::report::flame::{self as flame_report, FlameJson};
use crate::report::labels::Scale;
use crate::report::top as top_report;

use super::filters;
use crate::analysis::Filters;
use super::state::ViewState;
use super::{IndexedProfile, OpenTarget, WebData, WebSource};

/// Rows the `top` view lists at most (pprof's web view shows 500 too).
pub(crate) const TOP_ROWS: usize = 500;

/// A request that cannot be answered: its status and the sentence the page
/// shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) status: u16,
    pub(crate) message: String,
}

impl Problem {
    fn bad(message: impl Into<String>) -> Problem {
        Problem { status: 400, message: message.into() }
    }

    pub(crate) fn nothing_loaded() -> Problem {
        Problem { status: 503, message: "no profile is loaded yet".to_string() }
    }
}

/// A sample type as the selector lists it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SampleTypeJson {
    name: String,
    unit: String,
}

/// `api/state`: what the host shows, with the number the page watches.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StateJson {
    loaded: bool,
    generation: u64,
    title: String,
    sample_types: Vec<SampleTypeJson>,
    /// The host's sample type (the page's unless its URL names one).
    sample_type: Option<String>,
    /// The host's filters (the page's unless its URL sets some).
    filters: Filters,
    diff: bool,
    /// The editor clicks open in; absent: the page shows sources itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    editor: Option<String>,
}

pub(crate) fn state(source: &dyn WebSource) -> StateJson {
    let editor = source.editor();
    match source.current() {
        None => StateJson {
            loaded: false,
            generation: 0,
            title: String::new(),
            sample_types: Vec::new(),
            sample_type: None,
            filters: Filters::default(),
            diff: false,
            editor,
        },
        Some(data) => {
            let types = data.profile.index().sample_types();
            StateJson {
                loaded: true,
                generation: data.generation,
                title: data.title.clone(),
                sample_types: types.iter().map(|t| SampleTypeJson { name: t.name.clone(), unit: t.unit.clone() }).collect(),
                sample_type: types.get(data.sample_type.0).map(|t| t.name.clone()),
                filters: data.filters.clone(),
                diff: data.profile.base().is_some(),
                editor,
            }
        }
    }
}

/// An answer, once computed; requests for it meanwhile wait for the first.
type Slot = Arc<OnceLock<Result<Arc<Vec<u8>>, Problem>>>;

/// A profile filtered for a URL: the host's generation, the filters, the result.
type FilteredProfile = (u64, Filters, Arc<dyn IndexedProfile>);

/// Recent answers and filtered profiles, per generation and state.
#[derive(Default)]
pub(crate) struct Memo {
    answers: Mutex<Vec<(String, Slot)>>,
    filtered: Mutex<Vec<FilteredProfile>>,
}

/// Answers kept; each is one view of one state, a few kB to a few MB.
const ANSWERS_KEPT: usize = 24;
/// Filtered profiles kept; each holds a whole profile and its index.
const FILTERED_KEPT: usize = 2;

impl Memo {
    /// The remembered answer for `key`, or `compute`'s, remembered. Two
    /// requests for one key compute it once.
    pub(crate) fn answer(
        &self,
        key: String,
        compute: impl FnOnce() -> Result<Vec<u8>, Problem>,
    ) -> Result<Arc<Vec<u8>>, Problem> {
        let slot = {
            let mut answers = lock(&self.answers);
            match answers.iter().position(|(k, _)| *k == key) {
                Some(at) => answers[at].1.clone(),
                None => {
                    let slot = Slot::default();
                    answers.push((key, slot.clone()));
                    if answers.len() > ANSWERS_KEPT {
                        answers.remove(0);
                    }
                    slot
                }
            }
        };
        slot.get_or_init(|| compute().map(Arc::new)).clone()
    }

    /// The profile a request reads: the host's, or the host's with the
    /// URL's filters applied.
    fn profile(&self, data: &WebData, filters: &Filters) -> Result<Arc<dyn IndexedProfile>, Problem> {
        if *filters == data.filters {
            return Ok(data.profile.clone());
        }
        let raw = data.unfiltered.as_ref().unwrap_or(&data.profile);
        if filters.is_empty() {
            return Ok(raw.clone());
        }
        let known = lock(&self.filtered)
            .iter()
            .find(|(g, f, _)| *g == data.generation && f == filters)
            .map(|(_, _, p)| p.clone());
        if let Some(p) = known {
            return Ok(p);
        }
        let filtered: Arc<dyn IndexedProfile> = Arc::new(filters::apply(raw.as_ref(), filters).map_err(|e| Problem::bad(e.to_string()))?);
        let mut kept = lock(&self.filtered);
        kept.retain(|(g, _, _)| *g == data.generation);
        kept.push((data.generation, filters.clone(), filtered.clone()));
        if kept.len() > FILTERED_KEPT {
            kept.remove(0);
        }
        Ok(filtered)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding a memo leaves at worst a stale list.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What one request reads, resolved from the host's data and its state.
pub(crate) struct Resolved {
    profile: Arc<dyn IndexedProfile>,
    /// The filters `profile` went through.
    filters: Filters,
    t: SampleType,
}

impl Resolved {
    pub(crate) fn new(memo: &Memo, data: &WebData, state: &ViewState) -> Result<Resolved, Problem> {
        let filters = state.filters.as_ref().unwrap_or(&data.filters);
        let profile = memo.profile(data, filters)?;
        let t = match &state.sample_type {
            None => data.sample_type,
            Some(name) => analysis::select(profile.profile(), Some(name)).map_err(|e| Problem::bad(e.to_string()))?,
        };
        if t.0 >= profile.index().sample_types().len() {
            return Err(Problem::bad("the profile has no such sample type"));
        }
        Ok(Resolved { profile, filters: filters.clone(), t })
    }

    fn index(&self) -> &Index {
        self.profile.index()
    }

    fn profiles(&self) -> Vec<&Profile> {
        std::iter::once(self.profile.profile()).chain(self.profile.base()).collect()
    }

    fn diff(&self) -> bool {
        self.profile.base().is_some()
    }

    fn scale(&self) -> Scale<'_> {
        let index = self.index();
        Scale::new(&index.sample_types()[self.t.0], self.profile.total(self.t)).signed(self.diff())
    }
}

/// `api/flame`: the flame graph's frames, zoomed as the state says, each
/// file marked with whether it maps to a local file.
pub(crate) fn flame(data: &WebData, r: &Resolved, state: &ViewState) -> Result<FlameJson, Problem> {
    let zoom: Vec<&str> = state.zoom.iter().map(String::as_str).collect();
    let tree = FlameTree::build(r.index(), &r.profiles(), r.t, &zoom, &FlameOptions::default())
        .map_err(|e| Problem::bad(e.to_string()))?;
    let mut json = flame_report::to_json(&tree, r.index(), r.t, r.diff());
    for file in &mut json.files {
        file.mapped = openable(data, &file.file).is_ok();
    }
    Ok(json)
}

/// Whether a profile file can be opened, and if not why. A line of 0 (a
/// profile without line numbers) opens the file at its start.
fn openable(data: &WebData, file: &str) -> Result<(), String> {
    if file.is_empty() {
        return Err("the profile records no file for this frame".to_string());
    }
    data.files.local_file(file).map(|_| ())
}

/// One row of `api/top`, with pprof's columns and where it opens.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TopRowJson {
    flat: String,
    flat_percent: String,
    sum_percent: String,
    cum: String,
    cum_percent: String,
    name: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    mark: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    function: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    line: i64,
    /// Whether `file` maps to a local file (`api/open` says why not).
    mapped: bool,
}

/// `api/top`: pprof's `top` table, as `pprof-lsp top` prints it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TopJson {
    sample_type: String,
    lines: bool,
    by_cum: bool,
    header: Vec<String>,
    /// What pprof prints on stderr for the filters (tag values read as
    /// ranges, then filters that matched nothing), one line each.
    notes: Vec<String>,
    rows: Vec<TopRowJson>,
}

pub(crate) fn top(data: &WebData, r: &Resolved, state: &ViewState) -> TopJson {
    let index = r.index();
    let options = top_report::TopOptions {
        ranking: TopOptions { lines: state.lines, by_cum: state.by_cum, node_count: Some(TOP_ROWS), ..TopOptions::default() },
        unit: None,
        filters: r.filters.clone(),
        total: (!r.filters.is_empty()).then(|| r.profile.total(r.t)),
    };
    let table = top_report::table(index, &r.profiles(), r.t, &options);
    let rows = table
        .rows
        .into_iter()
        .map(|row| {
            let (function, node) = match row.item {
                TopItem::Node(n) => (index.node(n).function.map(|f| index.function(f).name.clone()), Some(n)),
                TopItem::Function(f) => (Some(index.function(f).name.clone()), annotate::hottest_node(index, f, r.t)),
                TopItem::Object(_) => (None, None),
            };
            let file = node.and_then(|n| index.node(n).file).map(|f| index.file(f).to_string());
            let line = node.map_or(0, |n| index.node(n).line);
            let mapped = file.as_deref().is_some_and(|file| openable(data, file).is_ok());
            TopRowJson {
                flat: row.flat,
                flat_percent: row.flat_percent.trim().to_string(),
                sum_percent: row.sum_percent.trim().to_string(),
                cum: row.cum,
                cum_percent: row.cum_percent.trim().to_string(),
                name: row.name,
                mark: row.mark,
                function,
                file,
                line,
                mapped,
            }
        })
        .collect();
    TopJson {
        sample_type: index.sample_types()[r.t.0].name.clone(),
        lines: state.lines,
        by_cum: state.by_cum,
        header: table.header,
        notes: r.profile.notes().iter().map(ToString::to_string).collect(),
        rows,
    }
}

/// One line of `api/source`.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SourceLineJson {
    text: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    flat: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    cum: String,
    /// 0 (no cost) to 5 (the file's hottest line).
    #[serde(skip_serializing_if = "is_zero")]
    heat: u8,
    /// The line the profile recorded for this one, when the file changed
    /// since the profile's revision and it differs (0: a line added since).
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded: Option<i64>,
    /// The line's text changed since the profile's revision (its short id).
    #[serde(skip_serializing_if = "Option::is_none")]
    changed_since: Option<String>,
}

fn is_zero(v: &u8) -> bool {
    *v == 0
}

/// `api/source`: a file's text with each line's flat and cum, as pprof's
/// `list` shows them, or why it cannot be shown.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SourceJson {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    local: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
    sample_type: String,
    /// The flat of the whole file (cum does not add up over lines).
    flat: String,
    /// The file's lines, line 1 first.
    lines: Vec<SourceLineJson>,
}

pub(crate) fn source(host: &dyn WebSource, data: &WebData, r: &Resolved, file: &str) -> SourceJson {
    let index = r.index();
    let scale = r.scale();
    let ids = annotate::file_named(index, file);
    let costs = annotate::file_lines(index, ids.as_slice());
    let flat = annotate::files_flat(index, ids.as_slice(), r.t);
    let mut out = SourceJson {
        file: file.to_string(),
        local: None,
        problem: None,
        sample_type: index.sample_types()[r.t.0].name.clone(),
        flat: scale.value(flat),
        lines: Vec::new(),
    };
    let text = match data.files.local_file(file).and_then(|local| {
        let text = host.read_source(&local)?;
        out.local = Some(local);
        Ok(text)
    }) {
        Ok(text) => text,
        Err(problem) => {
            out.problem = Some(problem);
            String::new()
        }
    };
    let map = out.local.as_deref().and_then(|local| data.files.line_map(local));
    let mut lines: Vec<SourceLineJson> = text
        .lines()
        .enumerate()
        .map(|(k, l)| {
            let recorded = map.map(|(m, _)| m.old_line(k).map_or(0, |old| old as i64 + 1)).filter(|&r| r != k as i64 + 1);
            SourceLineJson { text: l.to_string(), recorded, ..SourceLineJson::default() }
        })
        .collect();
    let heat = annotate::heat(&costs.iter().map(|l| l.costs[r.t.0].cum).collect::<Vec<_>>());
    for (l, h) in costs.iter().zip(heat) {
        let c = l.costs[r.t.0];
        if c.is_zero() || l.line <= 0 {
            continue;
        }
        // Where the line is on disk: moved by the changes since the
        // profile's revision (a line deleted since is not shown).
        let at = match map {
            Some((m, _)) => match m.place(l.line as usize - 1) {
                Some(place) => place,
                None => continue,
            },
            None => Place { line: l.line as usize - 1, stale: false },
        };
        // Lines past the end of the local file (it changed since the
        // profile) are listed without text.
        while lines.len() <= at.line {
            lines.push(SourceLineJson::default());
        }
        let slot = &mut lines[at.line];
        if at.stale {
            slot.changed_since = map.map(|(_, short)| short.to_string());
        }
        slot.flat = if c.flat == 0 { ".".to_string() } else { scale.value(c.flat) };
        slot.cum = if c.cum == 0 { ".".to_string() } else { scale.value(c.cum) };
        slot.heat = h.level;
    }
    out.lines = lines;
    out
}

/// One file of `api/files`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FileJson {
    file: String,
    flat: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    local: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
}

/// `api/files`: the profile's source files with the flat they hold, most
/// first, and where each is here.
pub(crate) fn files(data: &WebData, r: &Resolved) -> Vec<FileJson> {
    let index = r.index();
    let scale = r.scale();
    annotate::files_by_flat(index, r.t)
        .into_iter()
        .map(|annotate::FileFlat { file, flat }| {
            let file = index.file(file);
            let (local, problem) = match data.files.local_file(file) {
                Ok(local) => (Some(local), None),
                Err(problem) => (None, Some(problem)),
            };
            FileJson { file: file.to_string(), flat: scale.value(flat), local, problem }
        })
        .collect()
}

/// What `api/open` opens for a profile file and line, or why it cannot.
pub(crate) fn open_target(data: &WebData, file: &str, line: i64, function: Option<String>) -> Result<OpenTarget, String> {
    openable(data, file)?;
    let local_file = data.files.local_file(file)?;
    Ok(OpenTarget { profile_file: file.to_string(), local_file, line, function })
}
