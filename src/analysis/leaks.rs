//! Goroutines by where they wait and by the `go` statement that started
//! them. A leaked goroutine is fixed at its creation site far more often
//! than where it blocks, so each group names both lines.
//!
//! The input is a goroutine profile: protobuf `goroutine`/`goroutineleak`
//! profiles (stacks and counts only), or a goroutine dump (`?debug=2`,
//! crash logs), whose samples also carry the labels of [`label`]: the wait
//! state, the `(leaked)` mark, the wait in minutes and the creation site.
//! Each group is keyed by its *blocking line*, the deepest frame of the
//! stack in the user's code (the caller says which files are, as a
//! predicate), and its creation site.
//!
//! **Leak mode:** a profile with a `goroutineleak` sample type that counts
//! some goroutine (or with no `goroutine` type beside it) is read through
//! that type, so only leaked goroutines count. Otherwise the `goroutine`
//! type is read, and the groups say where goroutines pile up.
//! **Deliberately absent:** anything about files on disk; whether a file is
//! the user's is the caller's answer.

use std::collections::BTreeMap;

use crate::profile::{LabelValue, Profile};

use super::growth::Growth;
use super::select::SampleType;

/// The label keys goroutine dumps carry.
pub mod label {
    /// The wait reason or status as printed (`chan send`, `select`, `running`).
    pub const STATE: &str = "state";
    /// `true` for a goroutine the runtime marked `(leaked)`, else `false`.
    pub const LEAKED: &str = "leaked";
    /// How long it has waited, in minutes (numeric), when printed.
    pub const WAIT_MINUTES: &str = "wait_minutes";
    /// The function whose `go` statement started it.
    pub const CREATED_BY: &str = "created_by";
    /// `file:line` of that `go` statement.
    pub const CREATED_AT: &str = "created_at";
    /// The goroutine that ran the `go` statement (numeric).
    pub const PARENT_GOROUTINE: &str = "parent_goroutine";
}

/// The sample type counting every goroutine.
pub const GOROUTINE: &str = "goroutine";
/// The sample type counting leaked goroutines.
pub const GOROUTINE_LEAK: &str = "goroutineleak";

/// How many stacks a group keeps as examples.
pub const EXAMPLE_STACKS: usize = 5;

/// A place in the source: a file as the profile names it, a 1-based line
/// and the function there.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Site {
    pub file: String,
    pub line: i64,
    pub function: String,
}

/// Goroutines that wait at one line and were started at one place.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The deepest frame in the user's code (else the first frame outside
    /// the standard library, else the leaf).
    pub blocking: Site,
    /// The `go` statement, when the profile says (dumps do, protobuf
    /// profiles do not).
    pub created_at: Option<Site>,
    /// How many goroutines.
    pub count: i64,
    /// The wait state most of them are in, when known.
    pub state: Option<String>,
    /// The longest wait among them, in minutes, when printed.
    pub wait_minutes: Option<i64>,
    /// Up to [`EXAMPLE_STACKS`] distinct stacks, most goroutines first,
    /// each leaf first with its count.
    pub stacks: Vec<(Vec<Site>, i64)>,
}

/// A profile's goroutines, grouped.
#[derive(Clone, Debug, PartialEq)]
pub struct Goroutines {
    /// The sample type read: [`GOROUTINE_LEAK`] or [`GOROUTINE`].
    pub sample_type: String,
    /// Leak mode: only leaked goroutines are counted.
    pub leaks: bool,
    /// All goroutines counted.
    pub total: i64,
    /// Most goroutines first, then by blocking site.
    pub rows: Vec<Group>,
}

/// A line and how many goroutines it stands for, with how fast that
/// count grows when known.
#[derive(Clone, Debug, PartialEq)]
pub struct Counted {
    pub site: Site,
    pub count: i64,
    pub per_minute: Option<f64>,
}

/// How fast the goroutines counted at a line grow, per minute: the slope
/// of the line's cum in `growth` (of the goroutine type read).
pub fn growth_at(growth: Option<&Growth>, site: &Site) -> Option<f64> {
    growth?.line(&site.file, site.line).map(|row| row.cum_per_minute)
}

impl Goroutines {
    /// The lines where goroutines block, each with all its groups' count
    /// (several creation sites can block at one line), most first.
    pub fn blocking_lines(&self, growth: Option<&Growth>) -> Vec<Counted> {
        let mut lines: BTreeMap<(&str, i64), (&Site, i64)> = BTreeMap::new();
        for row in &self.rows {
            let entry = lines.entry((row.blocking.file.as_str(), row.blocking.line)).or_insert((&row.blocking, 0));
            entry.1 += row.count;
        }
        let out = lines.into_values().map(|(site, count)| Counted { site: site.clone(), count, per_minute: growth_at(growth, site) });
        most_first(out.collect())
    }

    /// The creation sites with how many goroutines each started and how
    /// fast that grows (the sum over the lines they block at), most first;
    /// goroutines without a known creation site are left out.
    pub fn creation_sites(&self, growth: Option<&Growth>) -> Vec<Counted> {
        let mut sites: BTreeMap<&Site, (i64, Option<f64>)> = BTreeMap::new();
        for row in &self.rows {
            let Some(site) = &row.created_at else { continue };
            let entry = sites.entry(site).or_default();
            entry.0 += row.count;
            if let Some(rate) = growth_at(growth, &row.blocking) {
                entry.1 = Some(entry.1.unwrap_or(0.0) + rate);
            }
        }
        let out = sites.into_iter().map(|(site, (count, per_minute))| Counted { site: site.clone(), count, per_minute });
        most_first(out.collect())
    }
}

fn most_first(mut counted: Vec<Counted>) -> Vec<Counted> {
    counted.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.site.cmp(&b.site)));
    counted
}

/// Which sample type to read and whether that is leak mode; `None` when
/// the profile is not a goroutine profile.
pub fn goroutine_type(profile: &Profile) -> Option<(SampleType, bool)> {
    let all = profile.sample_type_index(GOROUTINE);
    let leaked = profile.sample_type_index(GOROUTINE_LEAK);
    match (leaked, all) {
        (Some(l), None) => Some((SampleType(l), true)),
        (Some(l), Some(a)) => {
            let any = profile.iter_samples().any(|s| s.values.get(l).is_some_and(|&v| v != 0));
            Some(if any { (SampleType(l), true) } else { (SampleType(a), false) })
        }
        (None, Some(a)) => Some((SampleType(a), false)),
        (None, None) => None,
    }
}

/// The top-level packages of Go's standard library (and `vendor`, under
/// which it keeps its own dependencies).
const STANDARD_ROOTS: &[&str] = &[
    "archive", "bufio", "builtin", "bytes", "cmp", "compress", "container", "context", "crypto", "database", "debug",
    "embed", "encoding", "errors", "expvar", "flag", "fmt", "go", "hash", "html", "image", "index", "internal", "io",
    "iter", "log", "maps", "math", "mime", "net", "os", "path", "plugin", "reflect", "regexp", "runtime", "slices",
    "sort", "strconv", "strings", "structs", "sync", "syscall", "testing", "text", "time", "unicode", "unique",
    "unsafe", "vendor", "weak",
];

/// Whether a function belongs to Go's standard library, by the first
/// element of its package path (`runtime.gopark`, `sync.(*Mutex).Lock`,
/// `net/http.(*conn).serve`).
pub fn is_standard_library(function: &str) -> bool {
    let root = function.split(['/', '.']).next().unwrap_or(function);
    STANDARD_ROOTS.contains(&root)
}

/// `file:line` split at its last colon; `None` without a line number.
fn file_line(text: &str) -> Option<(String, i64)> {
    let (file, line) = text.rsplit_once(':')?;
    Some((file.to_string(), line.trim().parse().ok()?))
}

/// What one group gathers before it is a [`Group`].
#[derive(Default)]
struct Gathering {
    count: i64,
    states: BTreeMap<String, i64>,
    wait_minutes: Option<i64>,
    stacks: BTreeMap<Vec<Site>, i64>,
}

/// The goroutines of `profile` grouped by blocking line and creation site;
/// `in_workspace` says whether a file (as the profile names it) is the
/// user's. `None` when the profile is not a goroutine profile.
pub fn group(profile: &Profile, in_workspace: &dyn Fn(&str) -> bool) -> Option<Goroutines> {
    let (t, leaks) = goroutine_type(profile)?;
    let mut groups: BTreeMap<(Site, Option<Site>), Gathering> = BTreeMap::new();
    let mut total = 0i64;
    for sample in profile.iter_samples() {
        let count = sample.values.get(t.0).copied().unwrap_or(0);
        if count == 0 {
            continue;
        }
        total += count;
        let frames: Vec<Site> = sample
            .locations
            .iter()
            .flat_map(|&l| profile.location(l).lines.iter())
            .map(|line| {
                let f = profile.function(line.function);
                Site { file: f.filename.clone(), line: line.line, function: f.name.clone() }
            })
            .collect();
        let Some(blocking) = frames
            .iter()
            .find(|f| in_workspace(&f.file))
            .or_else(|| frames.iter().find(|f| !is_standard_library(&f.function)))
            .or(frames.first())
            .cloned()
        else {
            continue;
        };
        let (mut state, mut minutes, mut created_by, mut created_at) = (None, None, None, None);
        for l in sample.labels {
            match (&*l.key, &l.value) {
                (label::STATE, LabelValue::Str(v)) => state = Some(v.to_string()),
                (label::WAIT_MINUTES, LabelValue::Num { value, .. }) => minutes = Some(*value),
                (label::CREATED_BY, LabelValue::Str(v)) => created_by = Some(v.to_string()),
                (label::CREATED_AT, LabelValue::Str(v)) => created_at = file_line(v),
                _ => {}
            }
        }
        let created = created_at.map(|(file, line)| Site { file, line, function: created_by.unwrap_or_default() });
        let g = groups.entry((blocking, created)).or_default();
        g.count += count;
        if let Some(state) = state {
            *g.states.entry(state).or_default() += count;
        }
        g.wait_minutes = g.wait_minutes.max(minutes);
        *g.stacks.entry(frames).or_default() += count;
    }
    let mut rows: Vec<Group> = groups
        .into_iter()
        .map(|((blocking, created_at), g)| {
            let state = g.states.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0))).map(|(s, _)| s);
            let mut stacks: Vec<(Vec<Site>, i64)> = g.stacks.into_iter().collect();
            stacks.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            stacks.truncate(EXAMPLE_STACKS);
            Group { blocking, created_at, count: g.count, state, wait_minutes: g.wait_minutes, stacks }
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.blocking.cmp(&b.blocking)).then_with(|| a.created_at.cmp(&b.created_at)));
    Some(Goroutines { sample_type: profile.sample_types[t.0].name.clone(), leaks, total, rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Function, FunctionIdx, Label, Line, Location, LocationIdx, ValueType};
    use std::sync::Arc;

    /// One goroutine: its frames, whether it leaked, its labels.
    type Goroutine<'a> = (&'a str, bool, &'a [(&'a str, &'a str)]);

    /// A dump-like profile: each goroutine a stack of `fn@file:line`
    /// frames (leaf first) with its labels as `key=value` (`wait_minutes`
    /// numeric), leaked or not.
    fn dump(goroutines: &[Goroutine]) -> Profile {
        let mut p = Profile {
            sample_types: vec![ValueType::new(GOROUTINE, "count"), ValueType::new(GOROUTINE_LEAK, "count")],
            ..Default::default()
        };
        for (stack, leaked, labels) in goroutines {
            let mut locs = Vec::new();
            for frame in stack.split(' ') {
                let (name, rest) = frame.split_once('@').unwrap();
                let (file, line) = rest.split_once(':').unwrap();
                let f = p.functions.iter().position(|f| f.name == name).unwrap_or_else(|| {
                    p.functions.push(Function { name: name.into(), filename: file.into(), ..Default::default() });
                    p.functions.len() - 1
                });
                p.locations.push(Location {
                    lines: vec![Line { function: FunctionIdx(f as u32), line: line.parse().unwrap(), column: 0 }],
                    ..Default::default()
                });
                locs.push(LocationIdx(p.locations.len() as u32 - 1));
            }
            let labels = labels.iter().map(|(k, v)| Label {
                key: Arc::from(*k),
                value: match *k {
                    label::WAIT_MINUTES => LabelValue::Num { value: v.parse().unwrap(), unit: Arc::from("minutes") },
                    _ => LabelValue::Str(Arc::from(*v)),
                },
            });
            p.push_sample(&locs, &[1, i64::from(*leaked)], labels);
        }
        p
    }

    const SEND: &str = "runtime.gopark@/go/src/runtime/proc.go:460 runtime.chansend@/go/src/runtime/chan.go:283 main.sendForever@/w/poller.go:52 main.poll@/w/poller.go:40";
    const IDLE: &str = "runtime.gopark@/go/src/runtime/proc.go:460 main.worker@/w/pool.go:12";

    fn user(file: &str) -> bool {
        file.starts_with("/w/")
    }

    #[test]
    fn leaked_goroutines_group_by_blocking_line_and_creation_site() {
        let created = [("state", "chan send"), ("created_by", "main.start"), ("created_at", "/w/poller.go:41")];
        let mut waited = created.to_vec();
        waited.push(("wait_minutes", "4"));
        let p = dump(&[(SEND, true, &created), (SEND, true, &waited), (SEND, true, &created), (IDLE, false, &[("state", "chan receive")])]);
        let g = group(&p, &user).unwrap();
        assert!(g.leaks);
        assert_eq!((g.sample_type.as_str(), g.total), (GOROUTINE_LEAK, 3));
        assert_eq!(g.rows.len(), 1, "{g:?}");
        let row = &g.rows[0];
        assert_eq!(row.blocking, Site { file: "/w/poller.go".into(), line: 52, function: "main.sendForever".into() });
        assert_eq!(row.created_at, Some(Site { file: "/w/poller.go".into(), line: 41, function: "main.start".into() }));
        assert_eq!((row.count, row.state.as_deref(), row.wait_minutes), (3, Some("chan send"), Some(4)));
        assert_eq!(row.stacks.len(), 1);
        assert_eq!(row.stacks[0].1, 3);
        let started = g.creation_sites(None);
        assert_eq!((started.len(), &started[0].site, started[0].count), (1, row.created_at.as_ref().unwrap(), 3));
        assert_eq!(g.blocking_lines(None)[0].count, 3);
    }

    #[test]
    fn without_leaks_the_goroutines_say_where_they_pile_up() {
        let p = dump(&[(IDLE, false, &[("created_at", "/w/pool.go:30")]), (IDLE, false, &[("created_at", "/w/pool.go:30")])]);
        let g = group(&p, &user).unwrap();
        assert!(!g.leaks);
        assert_eq!((g.sample_type.as_str(), g.total, g.rows[0].count), (GOROUTINE, 2, 2));
        assert_eq!(g.rows[0].blocking.line, 12);
        assert_eq!(g.creation_sites(None)[0].site.line, 30);
    }

    #[test]
    fn outside_the_workspace_the_first_frame_outside_the_standard_library_blocks() {
        let p = dump(&[(SEND, true, &[])]);
        let g = group(&p, &|_| false).unwrap();
        assert_eq!(g.rows[0].blocking.function, "main.sendForever");
        assert_eq!(g.rows[0].created_at, None);
        let heap = Profile { sample_types: vec![ValueType::new("inuse_space", "bytes")], ..Default::default() };
        assert!(group(&heap, &user).is_none());
    }

    #[test]
    fn standard_library_functions_by_their_package_path() {
        for f in ["runtime.gopark", "sync.(*Mutex).Lock", "net/http.(*conn).serve", "internal/poll.runtime_pollWait"] {
            assert!(is_standard_library(f), "{f}");
        }
        for f in ["main.main", "main.(*server).run", "github.com/acme/app/poller.Run", "example.com/x.F", "vaptcha-go/core.init", "timeline.Run"] {
            assert!(!is_standard_library(f), "{f}");
        }
    }
}
