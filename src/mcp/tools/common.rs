//! What several tools share: the filter argument, where a profile's file
//! is in the workspace, and value labels.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::filter::Filters;
use crate::analysis::units;

use crate::paths::MappedFiles;

use super::super::context::Context;

/// pprof's filters, as the `filters` setting and `--focus` etc. read them.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilterArgs {
    /// Keep only samples with a frame matching this regex (pprof's -focus).
    pub focus: Option<String>,
    /// Drop samples with a frame matching this regex (-ignore).
    pub ignore: Option<String>,
    /// Remove frames matching this regex from every stack (-hide).
    pub hide: Option<String>,
    /// Keep only frames matching this regex (-show).
    pub show: Option<String>,
    /// Cut every stack above its outermost frame matching this regex (-show_from).
    pub show_from: Option<String>,
    /// Keep only samples with a matching label: `[KEY=]REGEX` or `[KEY=]RANGE` (-tagfocus).
    pub tagfocus: Option<String>,
    /// Drop samples with a matching label (-tagignore).
    pub tagignore: Option<String>,
}

impl From<FilterArgs> for Filters {
    fn from(a: FilterArgs) -> Filters {
        Filters {
            focus: a.focus,
            ignore: a.ignore,
            hide: a.hide,
            show: a.show,
            show_from: a.show_from,
            tagfocus: a.tagfocus,
            tagignore: a.tagignore,
        }
    }
}

/// A place in the code: the workspace-relative file when the profile's
/// file maps to one, else the file as recorded, with `mapped: false`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Place {
    pub file: String,
    /// 1-based; absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<i64>,
    /// False when the file is not in the workspace (the recorded path is given).
    pub mapped: bool,
}

/// Where `profile_file` (as the profile spells it) is in the workspace,
/// looked up in a profile's mapped `files` first.
pub fn place(context: &Context, files: Option<&MappedFiles>, profile_file: &str, line: Option<i64>) -> Place {
    let line = line.filter(|&l| l > 0);
    let mapped = files.and_then(|f| context.workspace_path(f.resolution(profile_file)?)).or_else(|| {
        // A file the mapped profile does not have (a diff base's, a live poll's).
        context.workspace_path(&context.mapper.resolve(profile_file, &crate::source::fs::RealFs))
    });
    match mapped {
        Some(file) => Place { file, line, mapped: true },
        None => Place { file: profile_file.to_string(), line, mapped: false },
    }
}

/// `value` as a percentage of `total`, rounded to two decimals.
pub fn percent(value: i64, total: i64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    (value as f64 / total as f64 * 10_000.0).round() / 100.0
}

/// `place` as `file:line` for text tables.
pub fn place_text(place: &Place) -> String {
    match place.line {
        Some(line) => format!("{}:{line}", place.file),
        None => place.file.clone(),
    }
}

/// The total's label, as pprof prints totals.
pub fn total_label(total: i64, unit: &str) -> String {
    units::label(total, unit)
}
