//! `top`: the hottest lines or functions, with the values and order of
//! `go tool pprof -top` for the same flags (pprof's default cutoffs), each
//! row at its workspace file.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::annotate::hottest_node;
use crate::analysis::filter::{self, Filters};
use crate::analysis::{Index, TopItem, TopOptions};
use crate::profile::Profile;
use crate::report::top as table;

use super::super::context::{sample_type, Context};
use super::super::output::{first, in_range, omitted_line, Output, Rows};
use super::super::ToolError;
use super::common::{percent, place, place_text, total_label, FilterArgs, Place};

pub const DESCRIPTION: &str = "The hottest source lines (or functions) of a Go profile, with the values and order of \
`go tool pprof -top` (pprof's default node and edge fractions). Each row names its workspace file and line; \
`mapped: false` marks a file outside the workspace (its recorded path is given). Optional pprof filters and a \
diff base (`go tool pprof -diff_base`).";

#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Granularity {
    #[default]
    Lines,
    Functions,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Args {
    /// A profile's name or source from `profiles` (default: the first).
    pub profile: Option<String>,
    /// A sample type such as inuse_space, alloc_space or cpu (default: the profile's).
    pub sample_type: Option<String>,
    /// One row per source line (default) or per function.
    pub granularity: Option<Granularity>,
    /// At most this many rows, 1 to 500 (default 20).
    #[schemars(range(min = 1, max = 500))]
    pub limit: Option<u32>,
    /// Sort by cum instead of flat (pprof's -cum).
    pub cum: Option<bool>,
    /// pprof's filters; the configured `filters` apply when absent.
    pub filters: Option<FilterArgs>,
    /// A profile to subtract (pprof's -diff_base): a file or URL.
    pub diff_base: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    #[serde(flatten)]
    pub place: Place,
    pub function: String,
    pub flat: i64,
    pub flat_label: String,
    pub flat_percent: f64,
    pub cum: i64,
    pub cum_label: String,
    pub cum_percent: f64,
    /// pprof's `(inline)` or `(partial-inline)` mark.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inline: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Top {
    pub profile: String,
    pub sample_type: String,
    pub unit: String,
    /// pprof's total (of the unfiltered profile when filters are set).
    pub total: i64,
    pub total_label: String,
    pub rows: Vec<Row>,
    /// Rows left out by `limit` or by the size bound.
    pub omitted_rows: usize,
    /// What pprof says about the filters (a filter that matched nothing).
    pub notes: Vec<String>,
}

impl Output for Top {
    fn text(&self) -> String {
        let mut out = format!("{} · {} · total {}\n", self.profile, self.sample_type, self.total_label);
        for note in &self.notes {
            out.push_str(&format!("{note}\n"));
        }
        out.push_str(&format!("{:>10} {:>7} {:>10} {:>7}  {}\n", "flat", "flat%", "cum", "cum%", "function at file:line"));
        for r in &self.rows {
            let inline = r.inline.as_deref().map(|m| format!(" {m}")).unwrap_or_default();
            out.push_str(&format!(
                "{:>10} {:>6.2}% {:>10} {:>6.2}%  {}{inline} at {}\n",
                r.flat_label,
                r.flat_percent,
                r.cum_label,
                r.cum_percent,
                r.function,
                place_text(&r.place)
            ));
        }
        out + &omitted_line(self.omitted_rows)
    }

    fn rows(&mut self) -> (&mut dyn Rows, &mut usize) {
        (&mut self.rows, &mut self.omitted_rows)
    }
}

pub fn run(context: &Context, a: Args) -> Result<Top, ToolError> {
    let limit = in_range("limit", a.limit.unwrap_or(20), 1..=500)?;
    let source = context.resolve_profile(a.profile.as_deref())?;
    let loaded = context.load(&source)?;
    let base = match &a.diff_base {
        Some(text) => Some(context.read(&context.allowed_source(text, "diffBase")?)?),
        None => None,
    };
    let t = sample_type(&loaded.profile, base.as_ref(), a.sample_type.as_deref(), &context.config)?;
    let filters: Filters = a.filters.map_or_else(|| context.config.filters.clone(), Filters::from);
    let lines = a.granularity.unwrap_or_default() == Granularity::Lines;
    let ranking = TopOptions { lines, by_cum: a.cum.unwrap_or(false), node_count: None, ..TopOptions::default() };
    // Unfiltered and without a base, the loaded index answers.
    let filtered;
    let (index, profiles, total, notes): (&Index, Vec<&Profile>, Option<i64>, Vec<String>) = if filters.is_empty() && base.is_none() {
        (&loaded.index, vec![&loaded.profile], None, Vec::new())
    } else {
        filtered = filter::filter_profiles(&loaded.profile, base.as_ref(), &filters).map_err(|e| match e {
            filter::FilterError::Base(e) => ToolError::new(format!("diffBase: {e}")),
            e => ToolError::new(crate::lsp::config::filter_error(&e)),
        })?;
        let total = (!filters.is_empty()).then(|| filtered.totals.get(t.0).copied()).flatten();
        let profiles = std::iter::once(&filtered.profile).chain(&filtered.base).collect();
        (&filtered.index, profiles, total, filtered.notes.iter().map(ToString::to_string).collect())
    };
    let options = table::TopOptions { ranking, unit: None, filters, total };
    let mut rendered = table::table(index, &profiles, t, &options);
    let unit = index.sample_types()[t.0].unit.clone();
    let total = total.unwrap_or_else(|| index.total(t));
    let omitted_rows = first(&mut rendered.rows, limit);
    let rows = rendered
        .rows
        .iter()
        .map(|r| {
            let (file, line) = match r.item {
                TopItem::Node(n) => (index.node(n).file, Some(index.node(n).line)),
                TopItem::Function(f) => match hottest_node(index, f, t) {
                    Some(n) => (index.node(n).file, Some(index.node(n).line)),
                    None => (None, None),
                },
                TopItem::Object(_) => (None, None),
            };
            let place = match file {
                Some(f) => place(context, Some(&loaded.files), index.file(f), line),
                None => Place { file: String::new(), line: None, mapped: false },
            };
            // pprof's `-lines` name adds the file and line, which `place` has.
            let function = match r.item {
                TopItem::Node(n) => index.node(n).function.map(|f| index.function(f).name.clone()),
                _ => None,
            };
            Row {
                place,
                function: function.unwrap_or_else(|| r.name.clone()),
                flat: r.cost.flat,
                flat_label: r.flat.clone(),
                flat_percent: percent(r.cost.flat, total),
                cum: r.cost.cum,
                cum_label: r.cum.clone(),
                cum_percent: percent(r.cost.cum, total),
                inline: (!r.mark.is_empty()).then(|| r.mark.to_string()),
            }
        })
        .collect();
    Ok(Top {
        profile: source.display_name(),
        sample_type: index.sample_types()[t.0].name.clone(),
        total_label: total_label(total, &unit),
        unit,
        total,
        rows,
        omitted_rows,
        notes,
    })
}
