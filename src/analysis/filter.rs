//! pprof's sample filters (`-focus`, `-ignore`, `-hide`, `-show`,
//! `-show_from`, `-tagfocus`, `-tagignore`) as a pure transformation: a
//! profile in, a filtered copy out, ready for [`super::Index::build`].
//!
//! The rules are those of pprof's `profile/filter.go` and
//! `internal/driver/driver_focus.go`, applied in the same order:
//!
//! 1. **Names.** A regex is searched for (unanchored) in every frame's
//!    function name and file name, and in the file name of the location's
//!    mapping (the binary). A location is *focused* when any of those
//!    matches `focus` (every location is, without `focus`) and *ignored*
//!    when any matches `ignore`; a sample is kept when its stack has a
//!    focused location and no ignored one. `hide` drops the matching frames
//!    of every location (all of them when the mapping matches) and `show`
//!    keeps only the matching ones (all of them when the mapping matches);
//!    a location left without frames leaves every stack, and a sample left
//!    without locations is dropped. With any of these four set, a sample
//!    without a stack is dropped.
//! 2. **`show_from`** cuts each stack above its outermost location that
//!    matches (within that location, frames outside the outermost matching
//!    one go), and drops samples where nothing matches.
//! 3. **Tags.** `tagfocus` keeps and `tagignore` drops samples by label.
//!    `KEY=VALUE` looks at the labels named `KEY`, a bare `VALUE` at all.
//!    A `VALUE` that reads as a number with an optional unit, or a range of
//!    them (`32kb`, `1kb:`, `:64kb`, `1kb:1mb`), compares numeric labels,
//!    converted into the unit written; otherwise it is a comma-separated
//!    list of regexes, matched against a key's values (any regex), or,
//!    without a key, each against some label written `key:value` (all
//!    regexes). So `shard=2` is a number and never matches the string
//!    label `shard=2`; `shard=^2$` does.
//!
//! The total pprof prints (the `of N total`, `Total samples`, every
//! percentage, the value in `Dropped … (cum <= X)`) is that of the profile
//! *before* filtering: pprof computes its report's total first.
//! [`unfiltered_total`] gives it. Which rows are dropped is still decided
//! on the filtered profile (a share of its flats, as `analysis::top` does).
//!
//! Regexes are Rust's `regex` crate, which reads RE2 syntax as Go does,
//! with these differences (checked against Go's `regexp`): `\d`, `\w`,
//! `\s` and `\b` are Unicode-aware here but ASCII in Go; Go accepts
//! `\Q…\E` quoting and reads `a{,3}` as literal text, both refused here;
//! `x*+` and repeat counts over 1000 are accepted here, refused by Go.
//! Deliberately absent: `-tagshow`/`-taghide` (they change only which
//! labels reports show, never a cost) and `-prune_from`.

use std::fmt;

use regex::Regex;
use rustc_hash::FxHashMap;

use crate::profile::{FunctionIdx, Label, LabelValue, Location, LocationIdx, Profile};

use super::index::{Index, IndexError};
use super::select::SampleType;
use super::units::{self, OutputUnit};

/// The filters, as pprof's flags of the same names take them. An empty
/// string is the same as no filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Filters {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focus: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hide: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show: Option<String>,
    /// pprof's `-show_from`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tagfocus: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tagignore: Option<String>,
}

/// One of the filters, in the order pprof lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FilterKind {
    Focus,
    Ignore,
    Hide,
    Show,
    ShowFrom,
    TagFocus,
    TagIgnore,
}

impl FilterKind {
    /// Every kind, in the order of pprof's "Active filters:" lines.
    pub const ALL: [FilterKind; 7] = [
        FilterKind::Focus,
        FilterKind::Ignore,
        FilterKind::Hide,
        FilterKind::Show,
        FilterKind::ShowFrom,
        FilterKind::TagFocus,
        FilterKind::TagIgnore,
    ];

    /// pprof's name of the option (`show_from`, `tagfocus`, ...).
    pub fn name(self) -> &'static str {
        match self {
            FilterKind::Focus => "focus",
            FilterKind::Ignore => "ignore",
            FilterKind::Hide => "hide",
            FilterKind::Show => "show",
            FilterKind::ShowFrom => "show_from",
            FilterKind::TagFocus => "tagfocus",
            FilterKind::TagIgnore => "tagignore",
        }
    }

    /// The key of the filter in the settings and in `pprof.setFilters`
    /// (`showFrom`): the field name [`Filters`] reads and writes.
    pub fn key(self) -> &'static str {
        match self {
            FilterKind::Focus => "focus",
            FilterKind::Ignore => "ignore",
            FilterKind::Hide => "hide",
            FilterKind::Show => "show",
            FilterKind::ShowFrom => "showFrom",
            FilterKind::TagFocus => "tagfocus",
            FilterKind::TagIgnore => "tagignore",
        }
    }

    /// What the filter does, in a few words, for a client's picker.
    pub fn description(self) -> &'static str {
        match self {
            FilterKind::Focus => "only samples with a frame matching",
            FilterKind::Ignore => "drop samples with a frame matching",
            FilterKind::Hide => "leave out frames matching",
            FilterKind::Show => "keep only frames matching",
            FilterKind::ShowFrom => "drop the frames above the outermost frame matching",
            FilterKind::TagFocus => "only samples with a tag matching",
            FilterKind::TagIgnore => "drop samples with a tag matching",
        }
    }

    /// The name pprof's "expression matched no samples" warning uses.
    fn warning_name(self) -> &'static str {
        match self {
            FilterKind::Focus => "Focus",
            FilterKind::Ignore => "Ignore",
            FilterKind::Hide => "Hide",
            FilterKind::Show => "Show",
            FilterKind::ShowFrom => "ShowFrom",
            FilterKind::TagFocus => "TagFocus",
            FilterKind::TagIgnore => "TagIgnore",
        }
    }
}

impl fmt::Display for FilterKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Filters {
    /// The value of one filter, if it is set to something other than "".
    pub fn get(&self, kind: FilterKind) -> Option<&str> {
        let value = match kind {
            FilterKind::Focus => &self.focus,
            FilterKind::Ignore => &self.ignore,
            FilterKind::Hide => &self.hide,
            FilterKind::Show => &self.show,
            FilterKind::ShowFrom => &self.show_from,
            FilterKind::TagFocus => &self.tagfocus,
            FilterKind::TagIgnore => &self.tagignore,
        };
        value.as_deref().filter(|v| !v.is_empty())
    }

    /// Sets (or with `None` clears) one filter.
    pub fn set(&mut self, kind: FilterKind, value: Option<String>) {
        let slot = match kind {
            FilterKind::Focus => &mut self.focus,
            FilterKind::Ignore => &mut self.ignore,
            FilterKind::Hide => &mut self.hide,
            FilterKind::Show => &mut self.show,
            FilterKind::ShowFrom => &mut self.show_from,
            FilterKind::TagFocus => &mut self.tagfocus,
            FilterKind::TagIgnore => &mut self.tagignore,
        };
        *slot = value;
    }

    /// The filters that are set, in pprof's order.
    pub fn active(&self) -> Vec<(FilterKind, &str)> {
        FilterKind::ALL.iter().filter_map(|&k| self.get(k).map(|v| (k, v))).collect()
    }

    /// True when no filter is set: [`apply`] would copy the profile.
    pub fn is_empty(&self) -> bool {
        FilterKind::ALL.iter().all(|&k| self.get(k).is_none())
    }
}

/// `focus=catalog hide=runtime`: the active filters on one line, as
/// pprof's "Active filters:" lines name them.
impl fmt::Display for Filters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (kind, value)) in self.active().into_iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{kind}={value}")?;
        }
        Ok(())
    }
}

/// A filter that cannot be used, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("{kind}: bad regular expression {pattern:?}: {message}")]
    BadRegex { kind: FilterKind, pattern: String, message: String },
    /// pprof itself crashes on these.
    #[error("{kind}: the number {number:?} in {value:?} does not fit in 64 bits")]
    NumberTooLarge { kind: FilterKind, value: String, number: String },
    /// The diff base cannot be subtracted from the profile (its sample
    /// types differ), filters or not.
    #[error(transparent)]
    Base(#[from] IndexError),
}

impl FilterError {
    /// The filter that cannot be used; `None` when the fault is the base's.
    pub fn kind(&self) -> Option<FilterKind> {
        match self {
            FilterError::BadRegex { kind, .. } | FilterError::NumberTooLarge { kind, .. } => Some(*kind),
            FilterError::Base(_) => None,
        }
    }

    /// Why, without the filter's name.
    pub fn reason(&self) -> String {
        match self {
            FilterError::BadRegex { pattern, message, .. } => format!("bad regular expression {pattern:?}: {message}"),
            FilterError::NumberTooLarge { value, number, .. } => format!("the number {number:?} in {value:?} does not fit in 64 bits"),
            FilterError::Base(e) => e.to_string(),
        }
    }
}

/// What pprof says on stderr while filtering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterNote {
    /// A tag filter's value was read as a numeric range.
    Range { kind: FilterKind, value: String },
    /// A filter that is set matched nothing.
    NoMatch(FilterKind),
}

impl fmt::Display for FilterNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterNote::Range { kind, value } => write!(f, "{kind}:Interpreted '{value}' as range, not regexp"),
            FilterNote::NoMatch(kind) => write!(f, "{} expression matched no samples", kind.warning_name()),
        }
    }
}

/// Which filters matched something, as pprof counts it: a name filter
/// matches when it matches a location (`focus` also when it is unset and
/// a location is not ignored), `show_from` when it matches a location, a
/// tag filter when it matches a sample that the name filters kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Matched([bool; 7]);

impl Matched {
    pub fn get(self, kind: FilterKind) -> bool {
        self.0[kind as usize]
    }

    fn set(&mut self, kind: FilterKind) {
        self.0[kind as usize] = true;
    }

    /// Either matched: pprof filters a profile and its diff base as one.
    pub fn or(self, other: Matched) -> Matched {
        let mut out = self;
        for (a, b) in out.0.iter_mut().zip(other.0) {
            *a |= b;
        }
        out
    }
}

/// A filtered copy of a profile and what its filters matched.
#[derive(Clone, Debug)]
pub struct Filtered {
    pub profile: Profile,
    pub matched: Matched,
}

/// Filters compiled for a set of profiles (a profile and its diff base are
/// filtered by one `Filter`, as pprof filters them merged).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    focus: Option<Regex>,
    ignore: Option<Regex>,
    hide: Option<Regex>,
    show: Option<Regex>,
    show_from: Option<Regex>,
    tagfocus: Option<TagFilter>,
    tagignore: Option<TagFilter>,
    notes: Vec<FilterNote>,
}

/// A profile (and its diff base) after pprof's filters, indexed.
#[derive(Clone, Debug)]
pub struct FilteredProfile {
    pub profile: Profile,
    pub base: Option<Profile>,
    /// The index of `profile`, less `base` when there is one.
    pub index: Index,
    /// pprof's total of each sample type: the one before filtering.
    pub totals: Vec<i64>,
    /// What pprof says on stderr, in its order: notes, then warnings.
    pub notes: Vec<FilterNote>,
}

/// Filters a profile and its diff base as pprof does, and indexes them:
/// one [`Filter`] compiled for both (pprof filters them merged, the base's
/// samples labelled `pprof::base=true`), a filter counting as matched when
/// it matched in either, the totals taken before filtering
/// ([`unfiltered_total`]). Filters that drop every sample are no error:
/// the index is empty and the notes say which matched nothing.
///
/// This always copies; with no filters set, a caller that can keep the
/// unfiltered profile and its index should.
pub fn filter_profiles(profile: &Profile, base: Option<&Profile>, filters: &Filters) -> Result<FilteredProfile, FilterError> {
    let profiles: Vec<&Profile> = std::iter::once(profile).chain(base).collect();
    let filter = Filter::new(filters, &profiles)?;
    let new = filter.apply(profile);
    let old = base.map(|b| filter.apply_base(b));
    let index = match &old {
        None => Index::build(&new.profile),
        Some(old) => Index::build_diff(&new.profile, &old.profile)?,
    };
    let matched = old.as_ref().map_or(new.matched, |b| new.matched.or(b.matched));
    let mut notes = filter.notes().to_vec();
    notes.extend(filter.unmatched(matched));
    let totals = (0..profile.sample_types.len()).map(|t| unfiltered_total(profile, base, SampleType(t))).collect();
    Ok(FilteredProfile { profile: new.profile, base: old.map(|b| b.profile), index, totals, notes })
}

/// Returns the profile less what `filters` remove, as pprof filters it.
/// The copy keeps every location, function and mapping (locations with
/// the frames `hide`/`show`/`show_from` left them); only samples and their
/// stacks change.
pub fn apply(profile: &Profile, filters: &Filters) -> Result<Profile, FilterError> {
    Ok(Filter::new(filters, &[profile])?.apply(profile).profile)
}

/// The total pprof prints and takes percentages of when filters are set:
/// that of the profile before filtering, since pprof computes its report's
/// total before it filters. It is pprof's `computeTotal`: the sum of the
/// absolute values of every sample, and for a diff the base's sum when it
/// is positive. (It counts samples without a stack, as pprof does; the
/// index does not, so the two differ only for such profiles.)
pub fn unfiltered_total(profile: &Profile, base: Option<&Profile>, t: SampleType) -> i64 {
    let sum = |p: &Profile| {
        p.iter_samples().fold(0i64, |acc, s| acc.wrapping_add(s.values.get(t.0).map_or(0, |v| v.unsigned_abs() as i64)))
    };
    let total = sum(profile);
    match base.map(sum) {
        Some(b) if b > 0 => b,
        Some(b) => total.wrapping_add(b),
        None => total,
    }
}

impl Filter {
    /// Compiles `filters` for `profiles`: the units of numeric labels are
    /// read from all of them (pprof reads them from the merged profile).
    pub fn new(filters: &Filters, profiles: &[&Profile]) -> Result<Filter, FilterError> {
        let regex = |kind: FilterKind| filters.get(kind).map(|p| compile(kind, p)).transpose();
        let mut notes = Vec::new();
        let mut units = None;
        let mut tag = |kind: FilterKind| -> Result<Option<TagFilter>, FilterError> {
            let Some(value) = filters.get(kind) else { return Ok(None) };
            let units = units.get_or_insert_with(|| num_label_units(profiles));
            let filter = TagFilter::new(kind, value, units)?;
            if let TagFilter::Range { .. } = filter {
                let (_, range) = split_key(value);
                notes.push(FilterNote::Range { kind, value: range.to_string() });
            }
            Ok(Some(filter))
        };
        let tagfocus = tag(FilterKind::TagFocus)?;
        let tagignore = tag(FilterKind::TagIgnore)?;
        Ok(Filter {
            focus: regex(FilterKind::Focus)?,
            ignore: regex(FilterKind::Ignore)?,
            hide: regex(FilterKind::Hide)?,
            show: regex(FilterKind::Show)?,
            show_from: regex(FilterKind::ShowFrom)?,
            tagfocus,
            tagignore,
            notes,
        })
    }

    /// What pprof prints on stderr about these filters before applying
    /// them (tag values read as ranges).
    pub fn notes(&self) -> &[FilterNote] {
        &self.notes
    }

    /// The filters that are set but matched nothing, in pprof's words.
    pub fn unmatched(&self, matched: Matched) -> Vec<FilterNote> {
        let set = [
            (FilterKind::Focus, self.focus.is_some()),
            (FilterKind::Ignore, self.ignore.is_some()),
            (FilterKind::Hide, self.hide.is_some()),
            (FilterKind::Show, self.show.is_some()),
            (FilterKind::ShowFrom, self.show_from.is_some()),
            (FilterKind::TagFocus, self.tagfocus.is_some()),
            (FilterKind::TagIgnore, self.tagignore.is_some()),
        ];
        set.into_iter().filter(|&(k, on)| on && !matched.get(k)).map(|(k, _)| FilterNote::NoMatch(k)).collect()
    }

    /// Filters one profile.
    pub fn apply(&self, profile: &Profile) -> Filtered {
        self.filter(profile, None)
    }

    /// Filters the base of a diff. pprof marks every base sample with the
    /// string label `pprof::base=true` before it filters, so tag filters
    /// see that label here.
    pub fn apply_base(&self, base: &Profile) -> Filtered {
        self.filter(base, Some(BASE_LABEL))
    }

    fn filter(&self, profile: &Profile, extra: Option<(&str, &str)>) -> Filtered {
        let mut matched = Matched::default();
        let mut locations = profile.locations.clone();
        let names = self.match_names(profile, &mut locations, &mut matched);
        let show_from = self.show_from.as_ref().map(|re| {
            let keep: Vec<bool> = locations.iter_mut().map(|loc| show_from_location(profile, loc, re)).collect();
            if keep.contains(&true) {
                matched.set(FilterKind::ShowFrom);
            }
            keep
        });

        let mut out = Profile {
            sample_types: profile.sample_types.clone(),
            default_sample_type: profile.default_sample_type.clone(),
            samples: Vec::new(),
            sample_locations: Vec::new(),
            sample_values: Vec::new(),
            sample_labels: Vec::new(),
            locations,
            functions: profile.functions.clone(),
            mappings: profile.mappings.clone(),
            period_type: profile.period_type.clone(),
            period: profile.period,
            time_nanos: profile.time_nanos,
            duration_nanos: profile.duration_nanos,
            comments: profile.comments.clone(),
            drop_frames: profile.drop_frames.clone(),
            keep_frames: profile.keep_frames.clone(),
            doc_url: profile.doc_url.clone(),
        };
        let mut stack: Vec<LocationIdx> = Vec::new();
        let mut scratch = String::new();
        for sample in profile.iter_samples() {
            stack.clear();
            stack.extend_from_slice(sample.locations);
            if let Some(names) = &names {
                if !names.keeps(&stack) {
                    continue;
                }
                if names.any_hidden {
                    stack.retain(|l| !names.hidden[l.get()]);
                    if stack.is_empty() {
                        continue;
                    }
                }
            }
            if let Some(keep) = &show_from {
                match stack.iter().rposition(|l| keep[l.get()]) {
                    Some(last) => stack.truncate(last + 1),
                    None => continue,
                }
            }
            let labels = Labels { labels: sample.labels, extra };
            let focused = self.tagfocus.as_ref().is_none_or(|f| f.matches(&labels, &mut scratch));
            let ignored = self.tagignore.as_ref().is_some_and(|f| f.matches(&labels, &mut scratch));
            if focused {
                matched.set(FilterKind::TagFocus);
            }
            if ignored {
                matched.set(FilterKind::TagIgnore);
            }
            if focused && !ignored {
                out.push_sample(&stack, sample.values, sample.labels.iter().cloned());
            }
        }
        Filtered { profile: out, matched }
    }

    /// Step 1 for every location: whether it is focused or ignored, and the
    /// frames `hide` and `show` leave it. `None` when no name filter is set.
    fn match_names(&self, profile: &Profile, locations: &mut [Location], matched: &mut Matched) -> Option<NameMatches> {
        if self.focus.is_none() && self.ignore.is_none() && self.hide.is_none() && self.show.is_none() {
            matched.set(FilterKind::Focus);
            return None;
        }
        let mut m = NameMatches { selected: vec![None; locations.len()], hidden: vec![false; locations.len()], any_hidden: false };
        for (i, loc) in locations.iter_mut().enumerate() {
            // Focus and ignore see the frames before hide and show change them.
            if self.ignore.as_ref().is_some_and(|re| location_matches(profile, loc, re)) {
                matched.set(FilterKind::Ignore);
                m.selected[i] = Some(false);
            } else if self.focus.as_ref().is_none_or(|re| location_matches(profile, loc, re)) {
                matched.set(FilterKind::Focus);
                m.selected[i] = Some(true);
            }
            if let Some(re) = &self.hide {
                if location_matches(profile, loc, re) {
                    matched.set(FilterKind::Hide);
                    if mapping_matches(profile, loc, re) {
                        loc.lines.clear();
                    } else {
                        loc.lines.retain(|l| !frame_matches(profile, l.function, re));
                    }
                    m.hidden[i] |= loc.lines.is_empty();
                }
            }
            if let Some(re) = &self.show {
                if !mapping_matches(profile, loc, re) {
                    loc.lines.retain(|l| frame_matches(profile, l.function, re));
                }
                if loc.lines.is_empty() {
                    m.hidden[i] = true;
                } else {
                    matched.set(FilterKind::Show);
                }
            }
        }
        m.any_hidden = m.hidden.contains(&true);
        Some(m)
    }
}

/// The label pprof gives every sample of a diff's base.
const BASE_LABEL: (&str, &str) = ("pprof::base", "true");

fn compile(kind: FilterKind, pattern: &str) -> Result<Regex, FilterError> {
    Regex::new(pattern).map_err(|e| FilterError::BadRegex {
        kind,
        pattern: pattern.to_string(),
        message: e.to_string().lines().last().unwrap_or_default().trim().to_string(),
    })
}

/// Per location: `Some(true)` focused, `Some(false)` ignored, `None`
/// neither; whether `hide`/`show` left it without frames.
struct NameMatches {
    selected: Vec<Option<bool>>,
    hidden: Vec<bool>,
    any_hidden: bool,
}

impl NameMatches {
    /// A focused location and no ignored one.
    fn keeps(&self, stack: &[LocationIdx]) -> bool {
        let mut focused = false;
        for l in stack {
            match self.selected[l.get()] {
                Some(true) => focused = true,
                Some(false) => return false,
                None => {}
            }
        }
        focused
    }
}

fn frame_matches(profile: &Profile, function: FunctionIdx, re: &Regex) -> bool {
    let f = profile.function(function);
    re.is_match(&f.name) || re.is_match(&f.filename)
}

fn mapping_matches(profile: &Profile, loc: &Location, re: &Regex) -> bool {
    loc.mapping.is_some_and(|m| re.is_match(&profile.mappings[m.get()].filename))
}

fn location_matches(profile: &Profile, loc: &Location, re: &Regex) -> bool {
    loc.lines.iter().any(|l| frame_matches(profile, l.function, re)) || mapping_matches(profile, loc, re)
}

/// Whether `show_from` matches a location; cuts its frames above the
/// outermost matching one (none when the mapping matches).
fn show_from_location(profile: &Profile, loc: &mut Location, re: &Regex) -> bool {
    if mapping_matches(profile, loc, re) {
        return true;
    }
    match loc.lines.iter().rposition(|l| frame_matches(profile, l.function, re)) {
        Some(i) => {
            loc.lines.truncate(i + 1);
            true
        }
        None => false,
    }
}

/// A sample's labels as pprof's filters see them: a label without a
/// string, number or unit does not exist for pprof (its decoder drops
/// it), and a diff base's samples carry `pprof::base=true` instead of any
/// label of that key.
struct Labels<'a> {
    labels: &'a [Label],
    extra: Option<(&'a str, &'a str)>,
}

impl Labels<'_> {
    fn strings(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        let extra_key = self.extra.map(|(k, _)| k);
        self.labels
            .iter()
            .filter_map(|l| match &l.value {
                LabelValue::Str(s) => Some((&*l.key, &**s)),
                LabelValue::Num { .. } => None,
            })
            .filter(move |(k, _)| Some(*k) != extra_key)
            .chain(self.extra)
    }

    fn numbers(&self) -> impl Iterator<Item = (&str, i64)> + '_ {
        self.labels.iter().filter_map(|l| match &l.value {
            LabelValue::Num { value, unit } if *value != 0 || !unit.is_empty() => Some((&*l.key, *value)),
            _ => None,
        })
    }
}

/// The unit of each numeric label key, as pprof's `NumLabelUnits` finds
/// it: the first unit a label of that key gives, else `bytes` for the keys
/// `alignment` and `request`, else the key itself (so Go's heap label
/// `bytes` is in bytes).
fn num_label_units(profiles: &[&Profile]) -> FxHashMap<String, String> {
    let mut units: FxHashMap<String, String> = FxHashMap::default();
    for p in profiles {
        for l in &p.sample_labels {
            if let LabelValue::Num { value, unit } = &l.value {
                if *value == 0 && unit.is_empty() {
                    continue;
                }
                let known = units.entry(l.key.to_string()).or_default();
                if known.is_empty() {
                    *known = unit.to_string();
                }
            }
        }
    }
    for (key, unit) in &mut units {
        if unit.is_empty() {
            *unit = match key.as_str() {
                "alignment" | "request" => "bytes".to_string(),
                other => other.to_string(),
            };
        }
    }
    units
}

/// `KEY=VALUE` split at the first `=`; without one, no key. An empty key
/// is no key, as in pprof.
fn split_key(value: &str) -> (Option<&str>, &str) {
    match value.split_once('=') {
        Some((key, rest)) => (Some(key).filter(|k| !k.is_empty()), rest),
        None => (None, value),
    }
}

/// A compiled `tagfocus` or `tagignore`.
#[derive(Clone, Debug)]
enum TagFilter {
    Range { key: Option<String>, range: NumRange, units: FxHashMap<String, String> },
    Regexes { key: Option<String>, regexes: Vec<Regex> },
}

impl TagFilter {
    fn new(kind: FilterKind, value: &str, units: &FxHashMap<String, String>) -> Result<TagFilter, FilterError> {
        let (key, rest) = split_key(value);
        let key = key.map(str::to_string);
        if let Some(range) = NumRange::parse(kind, rest)? {
            return Ok(TagFilter::Range { key, range, units: units.clone() });
        }
        let regexes = rest.split(',').map(|p| compile(kind, p)).collect::<Result<_, _>>()?;
        Ok(TagFilter::Regexes { key, regexes })
    }

    fn matches(&self, labels: &Labels<'_>, scratch: &mut String) -> bool {
        match self {
            TagFilter::Range { key, range, units } => {
                let unit = |k: &str| units.get(k).map_or("", String::as_str);
                labels
                    .numbers()
                    .filter(|(k, _)| key.as_deref().is_none_or(|want| want == *k))
                    .any(|(k, v)| range.contains(v, unit(k)))
            }
            TagFilter::Regexes { key: Some(key), regexes } => labels
                .strings()
                .filter(|(k, _)| k == key)
                .any(|(_, v)| regexes.iter().any(|re| re.is_match(v))),
            // Without a key, every regex must match some `key:value`.
            TagFilter::Regexes { key: None, regexes } => regexes.iter().all(|re| {
                labels.strings().any(|(k, v)| {
                    scratch.clear();
                    scratch.push_str(k);
                    scratch.push(':');
                    scratch.push_str(v);
                    re.is_match(scratch)
                })
            }),
        }
    }
}

/// A numeric tag filter: values in `unit` (a canonical unit such as `kB`,
/// or what was written when pprof knows no such unit).
#[derive(Clone, Debug, PartialEq)]
struct NumRange {
    unit: String,
    test: RangeTest,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum RangeTest {
    Equal(f64),
    AtLeast(f64),
    AtMost(f64),
    Between(f64, f64),
}

impl NumRange {
    /// pprof's `parseTagFilterRange`: `32kb`, `1kb:`, `:64kb` or
    /// `1kb:1mb` (a number, optionally signed, with optional letters as
    /// its unit); anything else is not a range.
    fn parse(kind: FilterKind, value: &str) -> Result<Option<NumRange>, FilterError> {
        let mut found = number_with_unit(value);
        let Some((text0, digits0, unit0)) = found.next() else { return Ok(None) };
        let second = found.next();
        let number = |digits: &str| {
            digits.parse::<i64>().map_err(|_| FilterError::NumberTooLarge {
                kind,
                value: value.to_string(),
                number: digits.to_string(),
            })
        };
        let (low, unit) = go_scale(number(digits0)?, unit0, unit0);
        let test = match second {
            None if value == text0 => RangeTest::Equal(low),
            None if value.strip_suffix(':') == Some(text0) => RangeTest::AtLeast(low),
            None if value.strip_prefix(':') == Some(text0) => RangeTest::AtMost(low),
            None => return Ok(None),
            Some((text1, digits1, unit1)) => {
                if value != format!("{text0}:{text1}") {
                    return Ok(None);
                }
                let (high, unit2) = go_scale(number(digits1)?, unit1, &unit);
                if unit2 != unit {
                    return Ok(None);
                }
                RangeTest::Between(low, high)
            }
        };
        Ok(Some(NumRange { unit, test }))
    }

    /// Whether `value`, a label in `unit`, converted into this range's
    /// unit, is in the range; a value that does not convert into that
    /// unit never is.
    fn contains(&self, value: i64, unit: &str) -> bool {
        let (v, u) = go_scale(value, unit, &self.unit);
        u == self.unit
            && match self.test {
                RangeTest::Equal(x) => v == x,
                RangeTest::AtLeast(x) => v >= x,
                RangeTest::AtMost(x) => v <= x,
                RangeTest::Between(lo, hi) => v >= lo && v <= hi,
            }
    }
}

/// The first matches of pprof's `([+-]?[[:digit:]]+)([[:alpha:]]+)?` in
/// `text`: (whole match, number, unit), ASCII digits and letters only.
fn number_with_unit(text: &str) -> impl Iterator<Item = (&str, &str, &str)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let start = at;
            let sign = usize::from(matches!(bytes[at], b'+' | b'-'));
            let digits = bytes[at + sign..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                at += 1;
                continue;
            }
            let number_end = at + sign + digits;
            let letters = bytes[number_end..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
            at = number_end + letters;
            return Some((&text[start..at], &text[start..number_end], &text[number_end..at]));
        }
        None
    })
}

/// pprof's `measurement.Scale`: `value` in `from` converted into `to`, and
/// the unit it ends in (`""` for counts).
fn go_scale(value: i64, from: &str, to: &str) -> (f64, String) {
    let to = match to {
        "auto" | "minimum" => OutputUnit::Auto,
        other => OutputUnit::Fixed(other.to_string()),
    };
    units::scale(value, from, &to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_profiles::profile;
    use crate::profile::{Mapping, MappingIdx};

    #[test]
    fn each_kind_key_is_the_field_serde_reads() {
        for kind in FilterKind::ALL {
            let filters: Filters = serde_json::from_value(serde_json::json!({ kind.key(): "x" })).unwrap();
            assert_eq!(filters.active(), vec![(kind, "x")], "{kind}");
        }
    }

    /// The stacks of a profile, each as `fn:line` frames leaf first
    /// (`a+b` for a location whose frame `a` is inlined into `b`), with
    /// its value.
    fn stacks(p: &Profile) -> Vec<(String, i64)> {
        p.iter_samples()
            .map(|s| {
                let locs: Vec<String> = s
                    .locations
                    .iter()
                    .map(|l| {
                        let loc = p.location(*l);
                        let frames: Vec<String> =
                            loc.lines.iter().map(|ln| format!("{}:{}", p.function(ln.function).name, ln.line)).collect();
                        frames.join("+")
                    })
                    .collect();
                (locs.join(" "), s.values[0])
            })
            .collect()
    }

    fn check(input: &[(&str, i64)], filters: Filters, want: &[(&str, i64)]) {
        let p = profile(input);
        let got = stacks(&apply(&p, &filters).unwrap());
        let want: Vec<(String, i64)> = want.iter().map(|(s, v)| (s.to_string(), *v)).collect();
        assert_eq!(got, want, "{filters}");
    }

    fn filters(kind: FilterKind, value: &str) -> Filters {
        let mut f = Filters::default();
        f.set(kind, Some(value.to_string()));
        f
    }

    const STACKS: &[(&str, i64)] = &[("a:1 b:2 main:3", 10), ("c:4+b:5 main:3", 20), ("d:6 main:3", 40)];

    #[test]
    fn focus_keeps_samples_through_a_match_and_ignore_drops_them() {
        check(STACKS, filters(FilterKind::Focus, "^b$"), &[("a:1 b:2 main:3", 10), ("c:4+b:5 main:3", 20)]);
        check(STACKS, filters(FilterKind::Ignore, "^b$"), &[("d:6 main:3", 40)]);
        // An ignored frame wins over a focused one in the same stack.
        let both = Filters { focus: Some("main".into()), ignore: Some("^a$".into()), ..Filters::default() };
        check(STACKS, both, &[("c:4+b:5 main:3", 20), ("d:6 main:3", 40)]);
    }

    #[test]
    fn names_match_function_and_file_names_unanchored() {
        // The test profiles file function `x` under `x.go`.
        check(STACKS, filters(FilterKind::Focus, r"d\.go"), &[("d:6 main:3", 40)]);
        check(STACKS, filters(FilterKind::Focus, "ai"), &[("a:1 b:2 main:3", 10), ("c:4+b:5 main:3", 20), ("d:6 main:3", 40)]);
    }

    #[test]
    fn hide_removes_frames_and_show_keeps_only_matches() {
        check(STACKS, filters(FilterKind::Hide, "^b$"), &[("a:1 main:3", 10), ("c:4 main:3", 20), ("d:6 main:3", 40)]);
        check(STACKS, filters(FilterKind::Show, "^[bd]$"), &[("b:2", 10), ("b:5", 20), ("d:6", 40)]);
        // A sample left without frames is dropped.
        check(STACKS, filters(FilterKind::Show, "^a$"), &[("a:1", 10)]);
    }

    #[test]
    fn show_from_cuts_above_the_outermost_match() {
        check(STACKS, filters(FilterKind::ShowFrom, "^b$"), &[("a:1 b:2", 10), ("c:4+b:5", 20)]);
        // Within a location, frames outside the outermost match go.
        check(&[("c:4+b:5+e:7 main:3", 1)], filters(FilterKind::ShowFrom, "^[cb]$"), &[("c:4+b:5", 1)]);
    }

    #[test]
    fn any_name_filter_drops_samples_without_a_stack() {
        let mut p = profile(STACKS);
        p.push_sample(&[], &[5], []);
        assert_eq!(apply(&p, &Filters::default()).unwrap().samples.len(), 4);
        assert_eq!(apply(&p, &filters(FilterKind::Hide, "nothing")).unwrap().samples.len(), 3);
    }

    /// A mapping whose file name matches stands for all its frames: focus
    /// keeps, show keeps every frame, hide removes the location.
    #[test]
    fn a_matching_mapping_covers_every_frame() {
        let mut p = profile(STACKS);
        p.mappings.push(Mapping { filename: "/bin/app".into(), ..Mapping::default() });
        let b2 = p.iter_samples().next().unwrap().locations[1];
        p.locations[b2.get()].mapping = Some(MappingIdx(0));
        let run = |f: Filters| stacks(&apply(&p, &f).unwrap());
        assert_eq!(run(filters(FilterKind::Focus, "app")), [("a:1 b:2 main:3".to_string(), 10)]);
        assert_eq!(run(filters(FilterKind::Show, "app")), [("b:2".to_string(), 10)]);
        assert_eq!(run(filters(FilterKind::Hide, "app"))[0], ("a:1 main:3".to_string(), 10));
    }

    fn labelled() -> Profile {
        let mut p = Profile { sample_types: vec![crate::profile::ValueType::new("v", "count")], ..Profile::default() };
        p.locations.push(Location::default());
        let s = |k: &str, v: &str| Label { key: k.into(), value: LabelValue::Str(v.into()) };
        let n = |k: &str, v: i64, u: &str| Label { key: k.into(), value: LabelValue::Num { value: v, unit: u.into() } };
        let loc = [LocationIdx(0)];
        p.push_sample(&loc, &[1], [s("role", "ingest"), s("shard", "2")]);
        p.push_sample(&loc, &[2], [s("role", "flusher")]);
        p.push_sample(&loc, &[4], [n("bytes", 2048, "")]);
        p.push_sample(&loc, &[8], [n("bytes", 64, "")]);
        p.push_sample(&loc, &[16], [n("wait", 3, "ms")]);
        p.push_sample(&loc, &[32], []);
        p
    }

    fn tag_values(kind: FilterKind, value: &str) -> Vec<i64> {
        let p = labelled();
        apply(&p, &filters(kind, value)).unwrap().iter_samples().map(|s| s.values[0]).collect()
    }

    #[test]
    fn tag_filters_match_keys_values_and_key_value_pairs() {
        use FilterKind::{TagFocus, TagIgnore};
        assert_eq!(tag_values(TagFocus, "role=ingest"), [1]);
        assert_eq!(tag_values(TagFocus, "role=ingest,flusher"), [1, 2]);
        assert_eq!(tag_values(TagIgnore, "role=flusher"), [1, 4, 8, 16, 32]);
        // Without a key, each regex must match some `key:value`.
        assert_eq!(tag_values(TagFocus, "role:"), [1, 2]);
        assert_eq!(tag_values(TagFocus, "ingest,shard:2"), [1]);
        assert_eq!(tag_values(TagFocus, "ingest,flusher"), Vec::<i64>::new());
        // A number is a range, not a regex: it never matches a string label.
        assert_eq!(tag_values(TagFocus, "shard=2"), Vec::<i64>::new());
        assert_eq!(tag_values(TagFocus, "shard=^2$"), [1]);
    }

    #[test]
    fn numeric_ranges_convert_units() {
        use FilterKind::TagFocus;
        // `bytes` labels are in bytes: the key names the unit.
        assert_eq!(tag_values(TagFocus, "bytes=1kb:"), [4]);
        assert_eq!(tag_values(TagFocus, "bytes=:1kb"), [8]);
        assert_eq!(tag_values(TagFocus, "bytes=2kb"), [4]);
        assert_eq!(tag_values(TagFocus, "bytes=64b:2kb"), [4, 8]);
        assert_eq!(tag_values(TagFocus, "1kb:"), [4]);
        // A number without a unit compares only with labels pprof cannot
        // convert: bytes are bytes, never unit-less.
        assert_eq!(tag_values(TagFocus, "bytes=2048"), Vec::<i64>::new());
        assert_eq!(tag_values(TagFocus, "wait=3ms"), [16]);
        assert_eq!(tag_values(TagFocus, "wait=2ms:3000us"), [16]);
        // Mixed families are not a range, so a regex (matching nothing).
        assert_eq!(tag_values(TagFocus, "1kb:1ms"), Vec::<i64>::new());
    }

    #[test]
    fn ranges_parse_as_pprof_reads_them() {
        let parse = |v: &str| NumRange::parse(FilterKind::TagFocus, v).unwrap().map(|r| (r.unit, r.test));
        assert_eq!(parse("32kb"), Some(("kB".into(), RangeTest::Equal(32.0))));
        assert_eq!(parse("4mb:"), Some(("MB".into(), RangeTest::AtLeast(4.0))));
        assert_eq!(parse(":64kb"), Some(("kB".into(), RangeTest::AtMost(64.0))));
        assert_eq!(parse("12kb:64mb"), Some(("kB".into(), RangeTest::Between(12.0, 65536.0))));
        assert_eq!(parse("-3"), Some(("".into(), RangeTest::Equal(-3.0))));
        for not_a_range in ["abc", "^2$", "1:2:3", "x1", "1kb:2ms", "1 : 2"] {
            assert_eq!(parse(not_a_range), None, "{not_a_range}");
        }
        let err = NumRange::parse(FilterKind::TagIgnore, "99999999999999999999").unwrap_err();
        assert!(err.to_string().starts_with("tagignore: the number"), "{err}");
    }

    #[test]
    fn bad_regexes_name_the_filter() {
        let p = profile(STACKS);
        let err = apply(&p, &filters(FilterKind::Hide, "(")).unwrap_err();
        assert!(matches!(&err, FilterError::BadRegex { kind: FilterKind::Hide, pattern, .. } if pattern == "("), "{err}");
        assert!(err.to_string().starts_with("hide: bad regular expression \"(\": "), "{err}");
        let err = apply(&p, &filters(FilterKind::TagFocus, "role=a,(")).unwrap_err();
        assert!(err.to_string().starts_with("tagfocus: bad regular expression \"(\""), "{err}");
    }

    #[test]
    fn notes_and_unmatched_filters_use_pprofs_words() {
        let p = labelled();
        let f = Filters { focus: Some("nothing".into()), tagfocus: Some("bytes=1kb:".into()), ..Filters::default() };
        let filter = Filter::new(&f, &[&p]).unwrap();
        let notes: Vec<String> = filter.notes().iter().map(ToString::to_string).collect();
        assert_eq!(notes, ["tagfocus:Interpreted '1kb:' as range, not regexp"]);
        let out = filter.apply(&p);
        let unmatched: Vec<String> = filter.unmatched(out.matched).iter().map(ToString::to_string).collect();
        assert_eq!(unmatched, ["Focus expression matched no samples", "TagFocus expression matched no samples"]);
    }

    /// The names and costs of an index's lines, for comparing indexes.
    fn line_costs(index: &Index) -> Vec<(String, i64, crate::analysis::Cost)> {
        index
            .line_ids()
            .map(|l| (index.file(index.line(l).file).to_string(), index.line(l).line, index.line_cost(l, SampleType(0))))
            .collect()
    }

    #[test]
    fn filtering_a_pair_is_filtering_each_with_one_filter_then_indexing() {
        let new = profile(STACKS);
        let base = profile(&[("a:1 b:2 main:3", 4), ("d:6 main:3", 7)]);
        let f = filters(FilterKind::Focus, "^b$");
        let got = filter_profiles(&new, Some(&base), &f).unwrap();
        let filter = Filter::new(&f, &[&new, &base]).unwrap();
        let (want_new, want_base) = (filter.apply(&new).profile, filter.apply_base(&base).profile);
        assert_eq!(stacks(&got.profile), stacks(&want_new));
        assert_eq!(stacks(got.base.as_ref().unwrap()), stacks(&want_base));
        // Part of the base is gone: d's sample.
        assert_eq!(stacks(&want_base), [("a:1 b:2 main:3".to_string(), 4)]);
        assert_eq!(line_costs(&got.index), line_costs(&Index::build_diff(&want_new, &want_base).unwrap()));
        assert_eq!(got.totals, [unfiltered_total(&new, Some(&base), SampleType(0))]);
        assert!(got.notes.is_empty());
    }

    #[test]
    fn filters_that_drop_everything_leave_an_empty_index_and_say_so() {
        let p = labelled();
        let f = Filters { focus: Some("nothing".into()), tagfocus: Some("bytes=1kb:".into()), ..Filters::default() };
        let got = filter_profiles(&p, None, &f).unwrap();
        assert_eq!(got.profile.samples.len(), 0);
        assert_eq!(got.index.line_ids().count(), 0);
        // The totals are those before filtering.
        assert_eq!(got.totals, [unfiltered_total(&p, None, SampleType(0))]);
        assert!(got.totals[0] > 0);
        // pprof's notes first, then its warnings.
        let filter = Filter::new(&f, &[&p]).unwrap();
        let mut want = filter.notes().to_vec();
        want.extend(filter.unmatched(filter.apply(&p).matched));
        assert_eq!(got.notes, want);
        assert!(matches!(got.notes[..], [FilterNote::Range { .. }, FilterNote::NoMatch(FilterKind::Focus), FilterNote::NoMatch(FilterKind::TagFocus)]));
    }

    #[test]
    fn a_filter_counts_as_matched_when_it_matched_in_the_base_only() {
        let new = profile(&[("a:1 main:3", 1)]);
        let base = profile(&[("d:6 main:3", 2)]);
        let got = filter_profiles(&new, Some(&base), &filters(FilterKind::Focus, "^d$")).unwrap();
        assert!(got.notes.is_empty(), "{:?}", got.notes);
        let alone = filter_profiles(&new, None, &filters(FilterKind::Focus, "^d$")).unwrap();
        assert_eq!(alone.notes, [FilterNote::NoMatch(FilterKind::Focus)]);
    }

    #[test]
    fn a_base_of_other_sample_types_and_bad_filters_are_errors() {
        let new = profile(STACKS);
        let mut base = profile(STACKS);
        base.sample_types = vec![crate::profile::ValueType::new("w", "count")];
        let err = filter_profiles(&new, Some(&base), &filters(FilterKind::Focus, "a")).unwrap_err();
        assert!(matches!(err, FilterError::Base(IndexError::IncompatibleBase { .. })), "{err}");
        assert_eq!(err.to_string(), Index::build_diff(&new, &base).unwrap_err().to_string());
        let err = filter_profiles(&new, None, &filters(FilterKind::Show, "(")).unwrap_err();
        assert!(matches!(err, FilterError::BadRegex { kind: FilterKind::Show, .. }), "{err}");
    }

    #[test]
    fn a_diff_base_carries_pprofs_base_label() {
        let p = labelled();
        let filter = Filter::new(&filters(FilterKind::TagFocus, "pprof::base=true"), &[&p, &p]).unwrap();
        assert_eq!(filter.apply(&p).profile.samples.len(), 0);
        assert_eq!(filter.apply_base(&p).profile.samples.len(), p.samples.len());
    }

    #[test]
    fn empty_values_are_no_filter_and_display_lists_the_rest() {
        let f = Filters { focus: Some(String::new()), hide: Some("runtime".into()), tagfocus: Some("role=x".into()), ..Filters::default() };
        assert!(!f.is_empty());
        assert!(Filters { ignore: Some(String::new()), ..Filters::default() }.is_empty());
        assert_eq!(f.to_string(), "hide=runtime tagfocus=role=x");
        let json = serde_json::to_string(&Filters { show_from: Some("x".into()), ..Filters::default() }).unwrap();
        assert_eq!(json, r#"{"showFrom":"x"}"#);
        let back: Filters = serde_json::from_str(r#"{"tagfocus":"a"}"#).unwrap();
        assert_eq!(back.tagfocus.as_deref(), Some("a"));
    }

    #[test]
    fn the_unfiltered_total_is_pprofs() {
        let p = profile(STACKS);
        let t = SampleType(0);
        // With every sample on a stack, it is the index's total.
        assert_eq!(unfiltered_total(&p, None, t), crate::analysis::Index::build(&p).total(t));
        let base = profile(&[("a:1 main:3", 3)]);
        assert_eq!(unfiltered_total(&p, Some(&base), t), crate::analysis::Index::build_diff(&p, &base).unwrap().total(t));
        // pprof also counts samples without a stack, negative values by size.
        let mut q = profile(STACKS);
        q.push_sample(&[], &[-5], []);
        let all: i64 = STACKS.iter().map(|(_, v)| v).sum();
        assert_eq!(unfiltered_total(&q, None, t), all + 5);
        // A diff takes the base's total, unless the base sums to zero.
        assert_eq!(unfiltered_total(&q, Some(&base), t), 3);
        assert_eq!(unfiltered_total(&q, Some(&profile(&[("a:1", 0)])), t), all + 5);
    }
}
