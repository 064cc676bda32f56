//! `peek`: pprof's `-peek`: each matching function with its callers and
//! callees and their weights (the "sandwich" view), each frame at its
//! workspace file and line.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::annotate::hottest_node;
use crate::analysis::peek::{peek, PeekCall};
use crate::analysis::units;
use crate::analysis::{FuncId, SampleType};
use crate::report::peek as rendering;
use crate::report::top::TopOptions;

use super::super::context::{sample_type, Context, Loaded};
use super::super::output::{first, in_range, omitted_line, Output, Rows};
use super::super::ToolError;
use super::common::{percent, place, total_label, Place};

pub const DESCRIPTION: &str = "pprof's -peek for the functions whose name matches a regular expression (RE2 syntax): \
each one's flat and cum, its callers and its callees with the weight of each call and its share of the function's \
cum, in the order and with the values of `go tool pprof -peek`. Every frame names its workspace file and line.";

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Args {
    /// A regular expression searched for in function names.
    pub function: String,
    /// At most this many functions, 1 to 100 (default 10).
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
    pub profile: Option<String>,
    pub sample_type: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Call {
    pub function: String,
    /// For a caller: its line that makes the call; for a callee: its hottest line.
    #[serde(flatten)]
    pub place: Place,
    pub weight: i64,
    pub weight_label: String,
    /// The weight as a share of the peeked function's cum.
    pub percent: f64,
    pub inline: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Function {
    pub function: String,
    /// Its hottest line.
    #[serde(flatten)]
    pub place: Place,
    pub flat: i64,
    pub flat_label: String,
    pub flat_percent: f64,
    pub cum: i64,
    pub cum_label: String,
    pub cum_percent: f64,
    pub callers: Vec<Call>,
    pub callees: Vec<Call>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Peek {
    pub profile: String,
    pub sample_type: String,
    pub unit: String,
    pub total: i64,
    pub total_label: String,
    pub functions: Vec<Function>,
    pub omitted_rows: usize,
    /// The report as `go tool pprof -peek` prints it.
    #[serde(skip)]
    text: String,
}

impl Output for Peek {
    fn text(&self) -> String {
        // The pprof report covers the functions kept.
        let kept: Vec<&str> = self.functions.iter().map(|f| f.function.as_str()).collect();
        let mut out = String::new();
        let mut keep = true;
        for line in self.text.lines() {
            if let Some(name) = line.rsplit_once("                | ").map(|(_, n)| n) {
                keep = kept.contains(&name);
            }
            if keep || !line.starts_with(' ') && !line.starts_with('-') {
                out.push_str(line);
                out.push('\n');
            }
        }
        out + &omitted_line(self.omitted_rows)
    }

    fn rows(&mut self) -> (&mut dyn Rows, &mut usize) {
        (&mut self.functions, &mut self.omitted_rows)
    }
}

pub fn run(context: &Context, a: Args) -> Result<Peek, ToolError> {
    let limit = in_range("limit", a.limit.unwrap_or(10), 1..=100)?;
    let regex = regex::Regex::new(&a.function).map_err(|e| ToolError::new(format!("function: bad regular expression {:?}: {e}", a.function)))?;
    let source = context.resolve_profile(a.profile.as_deref())?;
    let loaded = context.load(&source)?;
    let t = sample_type(&loaded.profile, None, a.sample_type.as_deref(), &context.config)?;
    let index = &loaded.index;
    let profiles = [&loaded.profile];
    let mut entries = peek(index, &profiles, t, &|name| regex.is_match(name));
    if entries.is_empty() {
        return Err(ToolError::new(format!("function: no function matches {:?} in {}", a.function, source.display_name())));
    }
    let text = rendering::render(index, &profiles, t, &entries, &TopOptions::default());
    let header = rendering::header(index, &profiles, t, &TopOptions::default());
    let unit = index.sample_types()[t.0].unit.clone();
    let label = |v: i64| units::scaled_label(v, &unit, &header.unit);
    let total = index.total(t);
    let omitted_rows = first(&mut entries, limit);
    let function_place = |f: FuncId, line: Option<i64>| hottest_place(context, &loaded, f, t, line);
    let functions = entries
        .iter()
        .map(|e| {
            let call = |c: &PeekCall, caller: bool| Call {
                function: index.function(c.function).name.clone(),
                place: function_place(c.function, if caller { c.sites.first().copied() } else { None }),
                weight: c.weight,
                weight_label: label(c.weight),
                percent: percent(c.weight, e.cost.cum),
                inline: c.inline,
            };
            Function {
                function: index.function(e.function).name.clone(),
                place: function_place(e.function, None),
                flat: e.cost.flat,
                flat_label: label(e.cost.flat),
                flat_percent: percent(e.cost.flat, total),
                cum: e.cost.cum,
                cum_label: label(e.cost.cum),
                cum_percent: percent(e.cost.cum, total),
                callers: e.callers.iter().map(|c| call(c, true)).collect(),
                callees: e.callees.iter().map(|c| call(c, false)).collect(),
            }
        })
        .collect();
    Ok(Peek {
        profile: source.display_name(),
        sample_type: index.sample_types()[t.0].name.clone(),
        total_label: total_label(total, &unit),
        unit,
        total,
        functions,
        omitted_rows,
        text,
    })
}

/// A function's file at its hottest line, or at `line` of that file.
fn hottest_place(context: &Context, loaded: &Loaded, f: FuncId, t: SampleType, line: Option<i64>) -> Place {
    let index = &loaded.index;
    match hottest_node(index, f, t).and_then(|n| Some((index.node(n).file?, index.node(n).line))) {
        Some((file, hottest)) => place(context, Some(&loaded.files), index.file(file), Some(line.unwrap_or(hottest))),
        None => Place { file: String::new(), line: None, mapped: false },
    }
}
