//! `source`: one workspace file's lines that carry costs, each with a few
//! lines around it: the annotated source an agent reads before editing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::annotate::file_lines;
use crate::analysis::units;
use crate::analysis::FileId;
use crate::paths::LocalPath;

use super::super::context::{sample_type, Context};
use super::super::output::{in_range, omitted_line, Output, Rows};
use super::super::ToolError;
use super::common::total_label;

pub const DESCRIPTION: &str = "The annotated source of one workspace file: every line that carries a cost in the \
profile, with its flat and cum (pprof's values for that line), and `context` lines around it. Lines are as \
recorded in the profile.";

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Args {
    /// The file, relative to the workspace root (or absolute, inside it).
    pub file: String,
    /// Lines shown around each costed line, 0 to 20 (default 2).
    #[schemars(range(min = 0, max = 20))]
    pub context: Option<u32>,
    pub profile: Option<String>,
    pub sample_type: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    /// 1-based.
    pub line: i64,
    pub text: String,
    /// Present on lines that carry a cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flat_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cum_label: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub file: String,
    pub profile: String,
    pub sample_type: String,
    pub unit: String,
    pub total: i64,
    pub total_label: String,
    /// The costed lines and their context, in file order; a gap between
    /// two numbers is lines left out.
    pub lines: Vec<Line>,
    pub omitted_rows: usize,
}

impl Output for Source {
    fn text(&self) -> String {
        let mut out = format!("{} · {} · {} · total {}\n", self.file, self.profile, self.sample_type, self.total_label);
        let mut last = 0;
        for l in &self.lines {
            if last != 0 && l.line > last + 1 {
                out.push_str("     ...\n");
            }
            last = l.line;
            let flat = l.flat_label.as_deref().unwrap_or("");
            let cum = l.cum_label.as_deref().unwrap_or("");
            out.push_str(&format!("{flat:>10} {cum:>10} {:>6}  {}\n", l.line, l.text));
        }
        out + &omitted_line(self.omitted_rows)
    }

    fn rows(&mut self) -> (&mut dyn Rows, &mut usize) {
        (&mut self.lines, &mut self.omitted_rows)
    }
}

pub fn run(context: &Context, a: Args) -> Result<Source, ToolError> {
    let around = in_range("context", a.context.unwrap_or(2), 0..=20)?;
    let path = context.workspace_file(&a.file, "file")?;
    let text = std::fs::read_to_string(&path).map_err(|e| ToolError::new(format!("file: {}: {e}", a.file)))?;
    let source = context.resolve_profile(a.profile.as_deref())?;
    let loaded = context.load(&source)?;
    let t = sample_type(&loaded.profile, None, a.sample_type.as_deref(), &context.config)?;
    let index = &loaded.index;
    let relative = context.relative(&path.to_string_lossy());
    let files: Vec<FileId> =
        loaded.files.profile_files_for_local(&LocalPath::from_path(&path)).iter().map(|&i| FileId(i as u32)).collect();
    if files.is_empty() {
        return Err(ToolError::new(format!("file: {relative} has no costs in {}", source.display_name())));
    }
    let unit = index.sample_types()[t.0].unit.clone();
    let costed: Vec<(i64, i64, i64)> = file_lines(index, &files)
        .iter()
        .map(|l| (l.line, l.costs[t.0].flat, l.costs[t.0].cum))
        .filter(|&(_, flat, cum)| flat != 0 || cum != 0)
        .collect();
    let texts: Vec<&str> = text.lines().collect();
    let mut shown: Vec<i64> = Vec::new();
    for &(line, _, _) in &costed {
        let from = (line - i64::from(around)).max(1);
        let to = (line + i64::from(around)).min(texts.len() as i64).max(line);
        shown.extend(from..=to);
    }
    shown.sort_unstable();
    shown.dedup();
    let lines = shown
        .into_iter()
        .map(|n| {
            let cost = costed.iter().find(|c| c.0 == n);
            Line {
                line: n,
                text: texts.get((n - 1) as usize).unwrap_or(&"").to_string(),
                flat: cost.map(|c| c.1),
                cum: cost.map(|c| c.2),
                flat_label: cost.map(|c| units::label(c.1, &unit)),
                cum_label: cost.map(|c| units::label(c.2, &unit)),
            }
        })
        .collect();
    let total = index.total(t);
    Ok(Source {
        file: relative,
        profile: source.display_name(),
        sample_type: index.sample_types()[t.0].name.clone(),
        total_label: total_label(total, &unit),
        unit,
        total,
        lines,
        omitted_rows: 0,
    })
}
