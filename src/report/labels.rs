//! Every label the editor shows, in one place: hints, lenses, hover rows,
//! call weights, hot entries and the status line. Values are formatted the
//! way pprof formats them (`10MB`, `204.61ms`, `65.47%`).

use serde::{Deserialize, Serialize};

use crate::analysis::units::{label, percent};
use crate::report::growth::{duration_label, rate_label, value_label};
use crate::analysis::Cost;
use crate::gotest::BenchResult;
use crate::profile::ValueType;

/// Which values an inlay hint shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HintFormat {
    /// `10MB flat · 10MB cum (46.11%)` (flat left out when zero).
    #[default]
    FlatCum,
    /// `10MB cum (46.11%)`.
    Cum,
    /// `10MB flat (46.11%)`.
    Flat,
}

/// How the values of one sample type are labelled: their unit, the total
/// percentages are of, and whether they are differences (from a base
/// profile), which are shown with their sign.
#[derive(Clone, Copy, Debug)]
pub struct Scale<'a> {
    pub ty: &'a ValueType,
    pub total: i64,
    pub signed: bool,
    /// Values are shown per operation of a benchmark that ran this many
    /// iterations (`4KB/op`).
    pub per_op: Option<u64>,
}

impl<'a> Scale<'a> {
    /// Plain values of type `ty`, percentages of `total`.
    pub fn new(ty: &'a ValueType, total: i64) -> Scale<'a> {
        Scale { ty, total, signed: false, per_op: None }
    }

    /// The same, for differences from a base (shown with their sign).
    pub fn signed(self, signed: bool) -> Scale<'a> {
        Scale { signed, ..self }
    }

    /// `10MB`, or `+10MB` for a positive difference; `4KB/op` per
    /// operation.
    pub fn value(&self, v: i64) -> String {
        let text = match self.per_op.filter(|&n| n > 0) {
            Some(n) => format!("{}/op", value_label(v as f64 / n as f64, &self.ty.unit)),
            None => label(v, &self.ty.unit),
        };
        if self.signed && v > 0 {
            format!("+{text}")
        } else {
            text
        }
    }

    /// `46.11%` of the total, or `+46.11%` for a positive difference.
    pub fn percent(&self, v: i64) -> String {
        let text = percent(v, self.total);
        if self.signed && v > 0 {
            format!("+{text}")
        } else {
            text
        }
    }

    /// `10MB flat · 10MB cum (46.11%)`, with flat left out when it is zero.
    pub fn hint(&self, cost: Cost) -> String {
        let cum = self.cum_only(cost.cum);
        if cost.flat == 0 {
            cum
        } else {
            format!("{} flat · {cum}", self.value(cost.flat))
        }
    }

    fn cum_only(&self, cum: i64) -> String {
        format!("{} cum ({})", self.value(cum), self.percent(cum))
    }

    /// An inlay hint's label in the chosen format.
    pub fn hint_in(&self, format: HintFormat, cost: Cost) -> String {
        match format {
            HintFormat::FlatCum => self.hint(cost),
            HintFormat::Cum => self.cum_only(cost.cum),
            HintFormat::Flat => format!("{} flat ({})", self.value(cost.flat), self.percent(cost.flat)),
        }
    }

    /// `inuse_space: 10MB flat, 10MB cum (46.11%)`: a function's costs.
    pub fn function(&self, cost: Cost) -> String {
        format!("{}: {} flat, {} cum ({})", self.ty.name, self.value(cost.flat), self.value(cost.cum), self.percent(cost.cum))
    }

    /// A code lens's title: the function's costs and what clicking does.
    pub fn lens(&self, cost: Cost) -> String {
        format!("{} · callers", self.function(cost))
    }

    /// `inuse_space: 10MB flat (65.47%), 10MB cum (65.47%)`: one sample
    /// type's row of a hover or tooltip.
    pub fn row(&self, cost: Cost) -> String {
        format!(
            "{}: {} flat ({}), {} cum ({})",
            self.ty.name,
            self.value(cost.flat),
            self.percent(cost.flat),
            self.value(cost.cum),
            self.percent(cost.cum)
        )
    }

    /// `10MB (65.47%)`: a value and its share.
    pub fn share(&self, v: i64) -> String {
        format!("{} ({})", self.value(v), self.percent(v))
    }

    /// `10MB inuse_space (65.47%)`: a call's weight, naming the sample type.
    pub fn call(&self, v: i64) -> String {
        format!("{} {} ({})", self.value(v), self.ty.name, self.percent(v))
    }
}

fn plain<'a>(ty: &'a ValueType, total: i64) -> Scale<'a> {
    Scale::new(ty, total)
}

/// [`Scale::hint`] for plain (not difference) values.
pub fn hint(cost: Cost, total: i64, unit: &str) -> String {
    plain(&ValueType::new("", unit), total).hint(cost)
}

/// [`Scale::hint_in`] for plain values.
pub fn hint_in(format: HintFormat, cost: Cost, total: i64, unit: &str) -> String {
    plain(&ValueType::new("", unit), total).hint_in(format, cost)
}

/// What a hint on a line edited since the load adds to its label.
pub const STALE_SUFFIX: &str = " (stale: line edited since the profile was loaded)";

/// What a hint on a line whose text changed since the profile's revision
/// (`short`, the commit's short id) adds to its label.
pub fn stale_since_revision(short: &str) -> String {
    format!(" (stale: line changed since {short})")
}

/// The hover row of a line whose text changed since the profile's revision.
pub fn changed_since_revision(short: &str) -> String {
    format!("changed since {short} (profiled revision)")
}

/// [`Scale::function`] for plain values.
pub fn function(ty: &ValueType, cost: Cost, total: i64) -> String {
    plain(ty, total).function(cost)
}

/// [`Scale::lens`] for plain values.
pub fn lens(ty: &ValueType, cost: Cost, total: i64) -> String {
    plain(ty, total).lens(cost)
}

/// [`Scale::row`] for plain values.
pub fn sample_type_row(ty: &ValueType, cost: Cost, total: i64) -> String {
    plain(ty, total).row(cost)
}

/// [`Scale::share`] for plain values.
pub fn share(value: i64, total: i64, unit: &str) -> String {
    plain(&ValueType::new("", unit), total).share(value)
}

/// [`Scale::call`] for plain values.
pub fn call(ty: &ValueType, value: i64, total: i64) -> String {
    plain(ty, total).call(value)
}

/// `▲ 75MB/min`: what a growing line's hint ends with.
pub fn growth_mark(per_minute: f64, unit: &str) -> String {
    format!("▲ {}", rate_label(per_minute, unit).trim_start_matches('+'))
}

/// `grows 75MB/min`: a growing line's diagnostic.
pub fn growth_warning(per_minute: f64, unit: &str) -> String {
    format!("grows {}", rate_label(per_minute, unit).trim_start_matches('+'))
}

/// `growth: +75MB/min flat over 12 snapshots (3m00s)`: a hover row.
pub fn growth_row(per_minute: f64, unit: &str, snapshots: usize, seconds: f64) -> String {
    format!("growth: {} flat over {snapshots} snapshots ({})", rate_label(per_minute, unit), duration_label(seconds))
}

/// `BenchmarkRender: 1520 ns/op · 2048 B/op · 3 allocs/op`: go test's
/// result of a benchmark, as numbers go test printed them.
pub fn bench_result(result: &BenchResult) -> String {
    let number = |v: f64| {
        let text = format!("{v:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    let parts: Vec<String> = [(result.ns_per_op, "ns/op"), (result.bytes_per_op, "B/op"), (result.allocs_per_op, "allocs/op")]
        .iter()
        .filter_map(|(v, unit)| v.map(|v| format!("{} {unit}", number(v))))
        .collect();
    format!("{}: {}", result.name, parts.join(" · "))
}

/// `(-40% B/op vs previous run)`: how B/op (else ns/op) changed from the
/// previous run; `None` without both numbers.
pub fn bench_change(previous: &BenchResult, now: &BenchResult) -> Option<String> {
    let (before, after, unit) = match (previous.bytes_per_op, now.bytes_per_op) {
        (Some(b), Some(a)) => (b, a, "B/op"),
        _ => (previous.ns_per_op?, now.ns_per_op?, "ns/op"),
    };
    if before == 0.0 {
        return None;
    }
    let change = (after - before) / before * 100.0;
    let sign = if change > 0.0 { "+" } else { "" };
    Some(format!("({sign}{change:.0}% {unit} vs previous run)"))
}

/// `heap.pb.gz · inuse_space 15.27MB`: the status line of a shown profile.
pub fn status_summary(name: &str, ty: &ValueType, total: i64) -> String {
    format!("{name} · {} {}", ty.name, label(total, &ty.unit))
}

/// `heap2.pb.gz − heap.pb.gz · inuse_space +1.05MB`: the status line of a
/// profile compared with a base, with the net change.
pub fn diff_summary(name: &str, base: &str, ty: &ValueType, net: i64) -> String {
    let scale = Scale::new(ty, 0).signed(true);
    format!("{} · {} {}", diff_title(name, base), ty.name, scale.value(net))
}

/// `heap2.pb.gz − heap.pb.gz`: a profile less its base.
pub fn diff_title(name: &str, base: &str) -> String {
    format!("{name} − {base}")
}

/// How a live source's snapshot before the shown one is named as a base.
pub fn previous_snapshot(source: &str) -> String {
    format!("the previous snapshot of {source}")
}

/// How an earlier run of a benchmark is named as a base: `run 3 of
/// BenchmarkRender`.
pub fn earlier_run(number: u32, benchmark: &str) -> String {
    format!("run {number} of {benchmark}")
}

/// `hot: 10MB flat · 10MB cum (65.47%)`: a hot line's diagnostic, from
/// its hint.
pub fn hot_line(hint: &str) -> String {
    format!("hot: {hint}")
}

/// `0x4a2f10`: a location without symbols, by its address.
pub fn address(address: u64) -> String {
    format!("{address:#x}")
}

/// The titles of the lenses above a test or benchmark: run it with a
/// memory profile, or with a CPU profile.
pub const RUN_MEM_LENS: &str = "profile: mem";
pub const RUN_CPU_LENS: &str = "cpu";

/// `catalog.go`: the last part of a profile's file name, whichever
/// separator it uses.
pub fn short_file(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// `pprofdemo/internal/catalog.init.0 catalog.go:25`: one frame of a stack.
pub fn frame(function: &str, file: &str, line: i64) -> String {
    format!("{function} {}:{line}", short_file(file))
}

/// `… 3 more`: the frames of a stack left out.
pub fn more_frames(n: usize) -> String {
    format!("… {n} more")
}

/// `heap.pb.gz · line 25`: which profile and line a hover is about.
pub fn line_heading(profile: &str, line: i64) -> String {
    format!("{profile} · line {line}")
}

/// The heading above the heaviest stacks through a line.
pub const STACKS_HEADING: &str = "Top call stacks through this line";

/// What `pprof.showFunction` shows as a message: the function's cost, its
/// hottest lines (`catalog.go:25  10MB flat · 10MB cum (46.11%)`) and its
/// callers with their shares.
pub fn function_report(name: &str, cost: &str, file: &str, lines: &[(i64, String)], callers: &[(String, String)]) -> String {
    let short = short_file(file);
    let mut out = format!("{name} — {cost}\nHottest lines:");
    for (line, label) in lines {
        out.push_str(&format!("\n  {short}:{line}  {label}"));
    }
    out.push_str("\nCallers:");
    for (caller, share) in callers {
        out.push_str(&format!("\n  {caller}  {share}"));
    }
    out
}

/// `⊘ 12 leaked`: what a line where leaked goroutines block ends with.
pub fn leak_mark(count: i64) -> String {
    format!("⊘ {count} leaked")
}

/// `⇢ started 12 leaked` at a `go` statement whose goroutines leaked, or
/// `⇢ started 40000 goroutines` at one whose goroutines are counted.
pub fn started_mark(count: i64, leaked: bool) -> String {
    if leaked {
        format!("⇢ started {count} leaked")
    } else {
        format!("⇢ started {count} goroutine{}", if count == 1 { "" } else { "s" })
    }
}

/// `▲ 30/min`: how fast a count of goroutines grows, appended to a mark.
pub fn goroutines_growth(per_minute: f64) -> String {
    growth_mark(per_minute, "count")
}

/// `12 goroutines leaked here: blocked in chan send for 4 minutes; started
/// at poller.go:41`: the Warning on a line where leaked goroutines block.
pub fn leak_warning(count: i64, state: Option<&str>, wait_minutes: Option<i64>, started_at: Option<(&str, i64)>) -> String {
    let mut out = format!("{count} goroutine{} leaked here", if count == 1 { "" } else { "s" });
    if let Some(state) = state {
        out.push_str(&format!(": blocked in {state}"));
        if let Some(m) = wait_minutes {
            out.push_str(&format!(" for {m} minute{}", if m == 1 { "" } else { "s" }));
        }
    }
    if let Some((file, line)) = started_at {
        out.push_str(&format!("; started at {}:{line}", short_file(file)));
    }
    out
}

/// `started here: 12 leaked goroutines (main.startPoller)`: the related
/// location of a leak Warning, at the `go` statement (without `leaked`
/// for goroutines that are only counted).
pub fn started_here(count: i64, function: &str, leaked: bool) -> String {
    let what = match (leaked, count == 1) {
        (true, true) => "leaked goroutine",
        (true, false) => "leaked goroutines",
        (false, true) => "goroutine",
        (false, false) => "goroutines",
    };
    if function.is_empty() {
        format!("started here: {count} {what}")
    } else {
        format!("started here: {count} {what} ({function})")
    }
}

/// `30 leaked · chan send · 4 min · ▲ 600/min`: one group of goroutines,
/// as a list shows it.
pub fn goroutine_group(count: i64, leaked: bool, state: Option<&str>, wait_minutes: Option<i64>, per_minute: Option<f64>) -> String {
    let mut parts = vec![if leaked { format!("{count} leaked") } else { format!("{count} goroutine{}", if count == 1 { "" } else { "s" }) }];
    parts.extend(state.map(str::to_string));
    parts.extend(wait_minutes.map(|m| format!("{m} min")));
    parts.extend(per_minute.filter(|r| *r > 0.0).map(goroutines_growth));
    parts.join(" · ")
}

/// `70 leaked goroutines (goroutineleak) in 4 places`: what a list of
/// goroutine groups holds.
pub fn goroutines_summary(total: i64, leaked: bool, sample_type: &str, places: usize) -> String {
    let what = if leaked { "leaked goroutines" } else { "goroutines" };
    format!("{total} {what} ({sample_type}) in {places} place{}", if places == 1 { "" } else { "s" })
}

/// The heading of a hover's section on the goroutines blocked at a line.
pub fn goroutines_heading(leaked: bool) -> &'static str {
    if leaked {
        "Leaked goroutines blocked here"
    } else {
        "Goroutines waiting here"
    }
}

/// What the status line and its detail say, as plain facts.
#[derive(Clone, Debug, Default)]
pub struct StatusFacts {
    /// The shown profile, if one is.
    pub shown: Option<ShownFacts>,
    /// Annotations are on.
    pub enabled: bool,
    /// The source being loaded now.
    pub loading: Option<String>,
    /// Why the last load failed.
    pub error: Option<String>,
    /// The shown source's polling, when it is live.
    pub live: Option<LiveFacts>,
    /// The active filters (`focus=catalog`), when some are.
    pub filters: Option<String>,
    /// What pprof said while filtering (tag values read as ranges, filters
    /// that matched nothing).
    pub filter_notes: Vec<String>,
    /// Settings that could not be used, each `path: why`.
    pub settings_errors: Vec<String>,
}

/// The shown profile, for the status.
#[derive(Clone, Debug)]
pub struct ShownFacts {
    /// A short name (`heap.pb.gz`) and where it is from.
    pub name: String,
    pub source: String,
    pub sample_type: ValueType,
    /// pprof's total of the shown type.
    pub total: i64,
    pub samples: usize,
    pub mapped_files: usize,
    pub unmapped_files: usize,
    /// The base's name and the net change from it, when compared.
    pub diff: Option<(String, i64)>,
    /// The revision the profile's lines were mapped from, if known.
    pub revision: Option<RevisionFacts>,
    /// Why lines are not mapped, or not all: one sentence each.
    pub revision_problems: Vec<String>,
    /// Without a revision, that the profile is older than its code.
    pub older_than_code: Option<String>,
    /// For a merged source that is not polled: `3 profiles`, or `2 of 3
    /// profiles`, and why each one left out could not be read.
    pub sources: Option<String>,
    pub left_out: Vec<String>,
}

/// The revision a profile was taken at, for the status.
#[derive(Clone, Debug)]
pub struct RevisionFacts {
    pub short: String,
    /// Where it came from: `the revision setting`, `the build info of …`.
    pub origin: String,
    /// The binary was built from a modified working tree.
    pub dirty: Option<bool>,
    /// How many of the profile's files changed since.
    pub changed_files: usize,
}

/// A live source's state, for the status.
#[derive(Clone, Debug)]
pub struct LiveFacts {
    pub snapshots: usize,
    /// When it last answered and since when it does not, as clock times.
    pub last_fetch: Option<String>,
    pub unreachable_since: Option<String>,
    /// `delta over 30s` for `?seconds=N` URLs.
    pub delta: Option<String>,
    /// Why the last refresh failed.
    pub error: Option<String>,
    /// For a merged source: `2 of 3 replicas · … down since …`.
    pub sources: Option<String>,
}

/// `3 replicas`, or `2 of 3 replicas · 10.0.0.7:6060 down since 14:03:22 UTC`
/// (`(+N more)` when several are down): the sources of a merged profile.
/// `down` is each source that is down, with since when (a clock time).
pub fn sources(answering: usize, total: usize, noun: &str, down: &[(String, String)]) -> String {
    if down.is_empty() && answering == total {
        return format!("{total} {noun}");
    }
    let mut label = format!("{answering} of {total} {noun}");
    if let Some((name, since)) = down.first() {
        label.push_str(&format!(" · {name} down since {since}"));
        if down.len() > 1 {
            label.push_str(&format!(" (+{} more)", down.len() - 1));
        }
    }
    label
}

/// `replica 127.0.0.1:6061: 12MB (40 %)`: one source's share of a line in a
/// merged profile's hover.
pub fn source_share(noun: &str, name: &str, value: &str, percent: f64) -> String {
    let one = noun.strip_suffix('s').unwrap_or(noun);
    format!("{one} {name}: {value} ({percent:.0} %)")
}

/// The heading above a merged profile's rows per source in a hover.
pub fn by_source_heading(noun: &str, flat: bool) -> String {
    format!("By {} ({} of this line)", noun.strip_suffix('s').unwrap_or(noun), if flat { "flat" } else { "cum" })
}

/// `… 3 more replicas`: sources of a line left out of a hover.
pub fn more_sources(n: usize, noun: &str) -> String {
    format!("… {n} more {noun}")
}

/// The status's one-line summary and its detail (one fact per line).
pub fn status(facts: &StatusFacts) -> (String, String) {
    let mut detail = Vec::new();
    let shown = facts.shown.as_ref().map(|p| {
        let ty = &p.sample_type;
        detail.push(format!("{}: {}, {} total", p.name, ty.name, label(p.total, &ty.unit)));
        detail.push(p.source.clone());
        let mut files = format!("{} samples; {} files found in the workspace", p.samples, p.mapped_files);
        if p.unmapped_files > 0 {
            files.push_str(&format!(", {} not found", p.unmapped_files));
        }
        detail.push(files);
        if let Some(r) = &p.revision {
            let dirty = if r.dirty == Some(true) { ", built from a working tree with changes" } else { "" };
            detail.push(format!(
                "taken at {} ({}{dirty}); lines follow the code to the working tree, {} file{} changed since",
                r.short,
                r.origin,
                r.changed_files,
                if r.changed_files == 1 { "" } else { "s" }
            ));
        }
        detail.extend(p.revision_problems.iter().cloned());
        detail.extend(p.older_than_code.iter().cloned());
        if !facts.enabled {
            detail.push("annotations are hidden".into());
        }
        let mut summary = match &p.diff {
            Some((base, net)) => {
                detail.push(format!("compared with {base}: values are differences, percentages are of its total"));
                diff_summary(&p.name, base, ty, *net)
            }
            None => status_summary(&p.name, ty, p.total),
        };
        if let Some(sources) = &p.sources {
            summary.push_str(&format!(" · {sources}"));
        }
        for why in &p.left_out {
            detail.push(format!("left out of the merge: {why}"));
        }
        if let Some(r) = &p.revision {
            summary.push_str(&format!(" · @{}", r.short));
        }
        if let Some(filters) = &facts.filters {
            summary.push_str(&format!(" · {filters}"));
        }
        if !facts.enabled {
            summary.push_str(" (hidden)");
        }
        summary
    });
    let live = facts.live.as_ref().map(|live| {
        let mut line = match (&live.unreachable_since, &live.last_fetch) {
            (Some(since), _) => format!("live · unreachable since {since}"),
            (None, Some(last)) => format!("live · {} snapshots · {last}", live.snapshots),
            (None, None) => "live".to_string(),
        };
        if let Some(sources) = &live.sources {
            line = line.replacen("live", &format!("live · {sources}"), 1);
        }
        if let Some(delta) = &live.delta {
            line.push_str(&format!(" · {delta}"));
        }
        detail.push(line.clone());
        if let Some(error) = &live.error {
            detail.push(format!("the last refresh failed: {error}"));
        }
        line
    });
    // The filters apply to whatever is loaded next too, so they are named
    // whether a profile is shown or not.
    if let Some(filters) = &facts.filters {
        detail.push(format!("filters: {filters}; percentages are of the total before filtering"));
    }
    for note in facts.filter_notes.iter().filter(|_| facts.shown.is_some()) {
        detail.push(format!("filters: {note}"));
    }
    for error in &facts.settings_errors {
        detail.push(format!("setting {error} (its default is used)"));
    }
    if let Some(source) = &facts.loading {
        detail.push(format!("loading {source}…"));
    }
    if let Some(error) = &facts.error {
        detail.push(format!("the last load failed: {error}"));
    }
    let no_profile = |text: &str| match &facts.filters {
        Some(filters) => format!("{text} · {filters}"),
        None => text.to_string(),
    };
    let summary = match (&facts.loading, &facts.error, shown) {
        (Some(source), _, Some(s)) => format!("{s} · loading {source}…"),
        (Some(source), _, None) => no_profile(&format!("pprof: loading {source}…")),
        (None, Some(_), Some(s)) => format!("{s} · load failed"),
        (None, Some(_), None) => no_profile("pprof: load failed"),
        (None, None, Some(s)) => match live {
            Some(live) => format!("{s} · {live}"),
            None => s,
        },
        (None, None, None) => no_profile("pprof: no profile"),
    };
    if detail.is_empty() {
        detail.push("No profile is loaded.".into());
    }
    (summary, detail.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goroutine_marks_and_warnings() {
        assert_eq!(leak_mark(12), "⊘ 12 leaked");
        assert_eq!(started_mark(12, true), "⇢ started 12 leaked");
        assert_eq!(started_mark(1, false), "⇢ started 1 goroutine");
        assert_eq!(started_mark(40000, false), "⇢ started 40000 goroutines");
        assert_eq!(goroutines_growth(30.0), "▲ 30/min");
        assert_eq!(
            leak_warning(12, Some("chan send"), Some(4), Some(("/w/poller.go", 41))),
            "12 goroutines leaked here: blocked in chan send for 4 minutes; started at poller.go:41"
        );
        assert_eq!(leak_warning(1, None, None, None), "1 goroutine leaked here");
        assert_eq!(started_here(12, "main.start", true), "started here: 12 leaked goroutines (main.start)");
        assert_eq!(started_here(1, "", false), "started here: 1 goroutine");
        assert_eq!(goroutine_group(30, true, Some("chan send"), Some(4), Some(600.0)), "30 leaked · chan send · 4 min · ▲ 600/min");
        assert_eq!(goroutine_group(2, false, None, None, Some(-1.0)), "2 goroutines");
        assert_eq!(goroutines_summary(70, true, "goroutineleak", 4), "70 leaked goroutines (goroutineleak) in 4 places");
    }

    #[test]
    fn frames_and_function_reports() {
        assert_eq!(short_file("D:\\w\\catalog.go"), "catalog.go");
        assert_eq!(frame("catalog.init.0", "/src/internal/catalog/catalog.go", 25), "catalog.init.0 catalog.go:25");
        assert_eq!(more_frames(3), "… 3 more");
        assert_eq!(line_heading("heap.pb.gz", 25), "heap.pb.gz · line 25");
        let report = function_report(
            "main.run",
            "10MB flat · 12MB cum",
            "/src/main.go",
            &[(25, "10MB flat (46.11%)".into())],
            &[("main.main".into(), "12MB (55.00%)".into())],
        );
        assert_eq!(report, "main.run — 10MB flat · 12MB cum\nHottest lines:\n  main.go:25  10MB flat (46.11%)\nCallers:\n  main.main  12MB (55.00%)");
    }

    fn shown() -> ShownFacts {
        ShownFacts {
            name: "heap.pb.gz".into(),
            source: "/w/heap.pb.gz".into(),
            sample_type: ValueType::new("inuse_space", "bytes"),
            total: 2048,
            samples: 12,
            mapped_files: 3,
            unmapped_files: 1,
            diff: None,
            revision: None,
            revision_problems: Vec::new(),
            older_than_code: None,
            sources: None,
            left_out: Vec::new(),
        }
    }

    #[test]
    fn sources_say_how_many_answer_and_which_is_down() {
        assert_eq!(sources(3, 3, "replicas", &[]), "3 replicas");
        assert_eq!(sources(2, 3, "profiles", &[]), "2 of 3 profiles");
        let down = [("10.0.0.7:6060".to_string(), "14:03:22 UTC".to_string()), ("10.0.0.8:6060".to_string(), "14:04:00 UTC".to_string())];
        assert_eq!(sources(2, 3, "replicas", &down[..1]), "2 of 3 replicas · 10.0.0.7:6060 down since 14:03:22 UTC");
        assert_eq!(sources(1, 3, "replicas", &down), "1 of 3 replicas · 10.0.0.7:6060 down since 14:03:22 UTC (+1 more)");
        assert_eq!(source_share("replicas", "127.0.0.1:6061", "12MB", 40.2), "replica 127.0.0.1:6061: 12MB (40 %)");
    }

    #[test]
    fn status_names_the_revision() {
        let revision = RevisionFacts { short: "a1b2c3d".into(), origin: "the revision setting".into(), dirty: Some(true), changed_files: 2 };
        let (summary, detail) = status(&StatusFacts {
            enabled: true,
            shown: Some(ShownFacts {
                revision: Some(revision),
                revision_problems: vec!["cache.go at a1b2c3d: a binary file, skipped".into()],
                ..shown()
            }),
            ..Default::default()
        });
        assert_eq!(summary, "heap.pb.gz · inuse_space 2kB · @a1b2c3d");
        assert!(detail.contains("taken at a1b2c3d (the revision setting, built from a working tree with changes); lines follow the code to the working tree, 2 files changed since\ncache.go at a1b2c3d: a binary file, skipped"), "{detail}");
    }

    #[test]
    fn status_text() {
        let empty = status(&StatusFacts { enabled: true, ..Default::default() });
        assert_eq!(empty, ("pprof: no profile".to_string(), "No profile is loaded.".to_string()));
        let filtered = status(&StatusFacts { enabled: true, filters: Some("focus=x".into()), ..Default::default() });
        assert_eq!(filtered.0, "pprof: no profile · focus=x");
        assert_eq!(filtered.1, "filters: focus=x; percentages are of the total before filtering");
        let facts = StatusFacts {
            shown: Some(shown()),
            enabled: true,
            filters: Some("focus=catalog".into()),
            filter_notes: vec!["Show expression matched no samples".into()],
            settings_errors: vec!["profiles[0]: invalid type: map, expected a string".into()],
            ..Default::default()
        };
        let (summary, detail) = status(&facts);
        assert_eq!(summary, "heap.pb.gz · inuse_space 2kB · focus=catalog");
        assert_eq!(detail.lines().collect::<Vec<_>>(), [
            "heap.pb.gz: inuse_space, 2kB total",
            "/w/heap.pb.gz",
            "12 samples; 3 files found in the workspace, 1 not found",
            "filters: focus=catalog; percentages are of the total before filtering",
            "filters: Show expression matched no samples",
            "setting profiles[0]: invalid type: map, expected a string (its default is used)",
        ]);
        let live = StatusFacts {
            shown: Some(ShownFacts { diff: Some(("base.pb.gz".into(), -1024)), ..shown() }),
            enabled: false,
            live: Some(LiveFacts { snapshots: 4, last_fetch: Some("14:03:00 UTC".into()), unreachable_since: None, delta: None, sources: None, error: None }),
            ..Default::default()
        };
        assert_eq!(status(&live).0, "heap.pb.gz − base.pb.gz · inuse_space -1kB (hidden) · live · 4 snapshots · 14:03:00 UTC");
        let failed = StatusFacts { error: Some("x: no such file".into()), loading: None, ..live };
        let (summary, detail) = status(&failed);
        assert_eq!(summary, "heap.pb.gz − base.pb.gz · inuse_space -1kB (hidden) · load failed");
        assert!(detail.ends_with("the last load failed: x: no such file"), "{detail}");
    }

    #[test]
    fn labels() {
        let mb10 = 10 * 1024 * 1024;
        let space = ValueType::new("inuse_space", "bytes");
        assert_eq!(hint(Cost { flat: mb10, cum: mb10 }, 22740000, "bytes"), "10MB flat · 10MB cum (46.11%)");
        assert_eq!(hint(Cost { flat: 0, cum: 283453 }, 1000000, "bytes"), "276.81kB cum (28.35%)");
        assert_eq!(hint_in(HintFormat::Cum, Cost { flat: 5, cum: 10 }, 100, "count"), "10 cum (10.00%)");
        assert_eq!(hint_in(HintFormat::Flat, Cost { flat: 5, cum: 10 }, 100, "count"), "5 flat (5.00%)");
        assert_eq!(function(&space, Cost { flat: mb10, cum: mb10 }, 22740000), "inuse_space: 10MB flat, 10MB cum (46.11%)");
        assert_eq!(lens(&space, Cost { flat: 0, cum: mb10 }, 22740000), "inuse_space: 0 flat, 10MB cum (46.11%) · callers");
        assert_eq!(sample_type_row(&space, Cost { flat: 1024, cum: 2048 }, 4096), "inuse_space: 1kB flat (25.00%), 2kB cum (50.00%)");
        assert_eq!(share(1024, 4096, "bytes"), "1kB (25.00%)");
        assert_eq!(call(&space, 1024, 4096), "1kB inuse_space (25.00%)");
        assert_eq!(status_summary("heap.pb.gz", &space, mb10), "heap.pb.gz · inuse_space 10MB");
    }

    #[test]
    fn differences_carry_their_sign() {
        let space = ValueType::new("inuse_space", "bytes");
        let diff = Scale::new(&space, 4 * 1024 * 1024).signed(true);
        let mb = 1024 * 1024;
        assert_eq!(diff.hint(Cost { flat: mb, cum: 2 * mb }), "+1MB flat · +2MB cum (+50.00%)");
        assert_eq!(diff.hint(Cost { flat: -mb, cum: -mb }), "-1MB flat · -1MB cum (-25.00%)");
        assert_eq!(diff.hint(Cost { flat: 0, cum: mb }), "+1MB cum (+25.00%)");
        assert_eq!(diff.row(Cost { flat: 0, cum: -mb }), "inuse_space: 0 flat (0.00%), -1MB cum (-25.00%)");
        assert_eq!(diff.lens(Cost { flat: mb, cum: mb }), "inuse_space: +1MB flat, +1MB cum (+25.00%) · callers");
        assert_eq!(diff_summary("new.pb.gz", "old.pb.gz", &space, -mb / 2), "new.pb.gz − old.pb.gz · inuse_space -512kB");
    }

    #[test]
    fn per_operation_values() {
        let space = ValueType::new("alloc_space", "bytes");
        let per_op = Scale { per_op: Some(1000), ..Scale::new(&space, 8 << 20) };
        assert_eq!(per_op.hint(Cost { flat: 4 << 20, cum: 8 << 20 }), "4.10kB/op flat · 8.19kB/op cum (100.00%)");
        let objects = ValueType::new("alloc_objects", "count");
        let diff = Scale { per_op: Some(4), ..Scale::new(&objects, 100) }.signed(true);
        assert_eq!(diff.value(-6), "-1.50/op");
    }

    #[test]
    fn benchmark_results() {
        let before = BenchResult { name: "BenchmarkRender".into(), iterations: 1, ns_per_op: Some(1520.0), bytes_per_op: Some(2048.0), allocs_per_op: Some(3.0) };
        assert_eq!(bench_result(&before), "BenchmarkRender: 1520 ns/op · 2048 B/op · 3 allocs/op");
        let after = BenchResult { bytes_per_op: Some(1228.8), ns_per_op: Some(812.25), ..before.clone() };
        assert_eq!(bench_result(&after), "BenchmarkRender: 812.25 ns/op · 1228.8 B/op · 3 allocs/op");
        assert_eq!(bench_change(&before, &after).as_deref(), Some("(-40% B/op vs previous run)"));
        let timed = BenchResult { bytes_per_op: None, ..after.clone() };
        assert_eq!(bench_change(&timed, &BenchResult { bytes_per_op: None, ns_per_op: Some(3040.0), ..after }).as_deref(), Some("(+274% ns/op vs previous run)"));
    }

    #[test]
    fn growth_labels() {
        let per_minute = 75.0 * 1024.0 * 1024.0;
        assert_eq!(growth_mark(per_minute, "bytes"), "▲ 75MB/min");
        assert_eq!(growth_warning(per_minute, "bytes"), "grows 75MB/min");
        assert_eq!(growth_row(per_minute, "bytes", 12, 180.0), "growth: +75MB/min flat over 12 snapshots (3m00s)");
    }
}
