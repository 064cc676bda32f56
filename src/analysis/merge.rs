//! Several profiles made one, as `go tool pprof A B C` merges its sources:
//! the sample types all of them have (`CompatibilizeSampleTypes`), their
//! units scaled to the finest one (`measurement.ScaleProfiles`), then
//! `profile.Merge`.
//!
//! What pprof's merge does, and so does [`merge`]:
//!
//! * **Sample types** are those whose name every profile has, in the first
//!   profile's order (a name a profile holds twice counts twice, as in
//!   pprof). None in common is an error naming both lists. A type measured
//!   in different units of one family (bytes, time) is scaled to the finest
//!   of them; units that do not convert are an error.
//! * **Samples** add up when their stacks and labels are equal. Stacks are
//!   compared by merged location, so two profiles' frames at the same
//!   address of the same binary are one location, wherever the binary was
//!   loaded. Labels are compared as pprof keys them: string labels, then
//!   numeric ones with their units, each key's values in their order.
//!   Samples whose values are all zero are dropped, and so, by a second
//!   pass, are samples whose sum is zero, with what only they referenced.
//! * **Mappings** are one when their build id (else file name), offset and
//!   size rounded up to 4 KiB agree; **locations** when their mapping,
//!   address relative to it, folding and frames agree; **functions** when
//!   name, system name, file and start line agree. Each keeps the position
//!   of its first appearance, and the first profile's first mapping (its
//!   main binary) stays first.
//! * **Header**: the earliest time (a zero time met later resets it, as in
//!   pprof), durations added, the largest period, comments once each in
//!   order, the first default sample type and doc URL given, drop and keep
//!   frames and period type of the first profile. Period types must agree.
//!
//! One profile is returned as pprof's driver leaves it: unchanged, but for
//! the sample types it does not share with itself.
//!
//! **Deliberately absent:** pprof's per-source renaming of mappings that
//! have neither build id nor file name when they come from a URL (it keeps
//! such mappings of different URLs apart until symbolization, which only
//! changes how samples are grouped, never a cost), and the GCU unit family,
//! which [`super::units`] does not know: such units must be equal.

use std::collections::HashMap;
use std::fmt;

use rustc_hash::FxHashMap;

use crate::profile::{Function, FunctionIdx, Label, LabelValue, Line, Location, LocationIdx, Mapping, MappingIdx, Profile, ValueType};

use super::units::{self, OutputUnit};

/// Why profiles cannot be merged. `at` is the position, in the list given
/// to [`merge`], of the profile that does not fit those before it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("no profiles to merge")]
    Empty,
    #[error("sample types {} and {} have none in common", TypeList(.before), TypeList(.types))]
    NoCommonSampleTypes { at: usize, before: Vec<ValueType>, types: Vec<ValueType> },
    #[error("sample type {name:?} is not in the profile; it has {}", TypeList(.types))]
    MissingSampleType { at: usize, name: String, types: Vec<ValueType> },
    #[error("sample types {first} and {other} are not in units that convert")]
    SampleUnits { at: usize, first: ValueType, other: ValueType },
    #[error("period types {} and {} differ", PeriodName(.first), PeriodName(.other))]
    PeriodTypes { at: usize, first: Option<ValueType>, other: Option<ValueType> },
}

impl MergeError {
    /// The position of the profile that does not fit, if there is one.
    pub fn at(&self) -> Option<usize> {
        match self {
            MergeError::Empty => None,
            MergeError::NoCommonSampleTypes { at, .. }
            | MergeError::MissingSampleType { at, .. }
            | MergeError::SampleUnits { at, .. }
            | MergeError::PeriodTypes { at, .. } => Some(*at),
        }
    }
}

/// `[alloc_objects/count inuse_space/bytes]`, as pprof prints type lists.
struct TypeList<'a>(&'a [ValueType]);

impl fmt::Display for TypeList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, t) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{t}")?;
        }
        f.write_str("]")
    }
}

struct PeriodName<'a>(&'a Option<ValueType>);

impl fmt::Display for PeriodName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(t) => write!(f, "{t}"),
            None => f.write_str("(none)"),
        }
    }
}

/// Merges `profiles` into one, as `go tool pprof` merges the profiles it
/// is given (see the module's documentation).
pub fn merge(profiles: &[&Profile]) -> Result<Profile, MergeError> {
    let first = profiles.first().ok_or(MergeError::Empty)?;
    let mut views = common_sample_types(profiles)?;
    scale_units(&mut views)?;
    if let [view] = &views[..] {
        // pprof's driver merges nothing when there is one profile.
        return Ok(if view.is_identity() { (*first).clone() } else { view.selected() });
    }
    combine(&views)
}

/// [`merge`] of owned profiles: one profile that keeps every sample type
/// (the common case of one source) is handed back without a copy.
pub fn merge_owned(mut profiles: Vec<Profile>) -> Result<Profile, MergeError> {
    if profiles.len() == 1 {
        let unchanged = common_sample_types(&[&profiles[0]])?[0].is_identity();
        if unchanged {
            return Ok(profiles.pop().expect("one profile"));
        }
    }
    merge(&profiles.iter().collect::<Vec<_>>())
}

/// One input as the merge sees it: some of its value columns, in the
/// merged order, each scaled by a ratio, and its header with the units
/// and default type pprof gives it before merging.
#[derive(Clone, Debug)]
struct View<'a> {
    profile: &'a Profile,
    /// For each merged column, the column of `profile` it reads.
    columns: Vec<usize>,
    /// For each merged column, what its values are multiplied by.
    ratios: Vec<f64>,
    sample_types: Vec<ValueType>,
    default_sample_type: Option<String>,
    period_type: Option<ValueType>,
    period: i64,
}

impl<'a> View<'a> {
    fn whole(profile: &'a Profile) -> View<'a> {
        View {
            profile,
            columns: (0..profile.sample_types.len()).collect(),
            ratios: vec![1.0; profile.sample_types.len()],
            sample_types: profile.sample_types.clone(),
            default_sample_type: profile.default_sample_type.clone(),
            period_type: profile.period_type.clone(),
            period: profile.period,
        }
    }

    fn is_identity(&self) -> bool {
        self.columns.len() == self.profile.sample_types.len() && self.columns.iter().enumerate().all(|(i, &c)| i == c)
    }

    /// Sample `i`'s values in the merged columns, into `out`; false when
    /// pprof's scaling drops the sample (it keeps a scaled sample only
    /// when one of its scaled values is not zero).
    fn values(&self, i: usize, out: &mut Vec<i64>) -> bool {
        let values = self.profile.sample(i).values;
        out.clear();
        let mut scaled = false;
        let mut kept = false;
        for (&c, &ratio) in self.columns.iter().zip(&self.ratios) {
            let v = values[c];
            if ratio == 1.0 {
                out.push(v);
            } else {
                let v = (v as f64 * ratio).round() as i64;
                scaled = true;
                kept |= v != 0;
                out.push(v);
            }
        }
        kept || !scaled
    }

    /// The profile with only the merged columns, for a single input.
    fn selected(&self) -> Profile {
        let mut p = self.profile.clone();
        p.sample_types = self.sample_types.clone();
        p.default_sample_type = self.default_sample_type.clone();
        p.sample_values.clear();
        let mut values = Vec::with_capacity(self.columns.len());
        for (i, s) in p.samples.iter_mut().enumerate() {
            self.values(i, &mut values);
            let start = p.sample_values.len() as u32;
            p.sample_values.extend_from_slice(&values);
            s.values = (start, p.sample_values.len() as u32);
        }
        p
    }
}

/// pprof's `CompatibilizeSampleTypes`: the type names every profile has,
/// in the first profile's order, each read from the first column of that
/// name. A profile whose columns change gets the first common type as its
/// default unless its own default is among them.
fn common_sample_types<'a>(profiles: &[&'a Profile]) -> Result<Vec<View<'a>>, MergeError> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for p in profiles {
        for t in &p.sample_types {
            *count.entry(t.name.as_str()).or_default() += 1;
        }
    }
    let names: Vec<&str> =
        profiles[0].sample_types.iter().map(|t| t.name.as_str()).filter(|n| count[n] == profiles.len()).collect();
    if names.is_empty() {
        return Err(no_common_types(profiles));
    }
    profiles
        .iter()
        .enumerate()
        .map(|(at, &p)| {
            let mut view = View::whole(p);
            let columns = names
                .iter()
                .map(|&name| {
                    p.sample_type_index(name).ok_or_else(|| MergeError::MissingSampleType {
                        at,
                        name: name.to_string(),
                        types: p.sample_types.clone(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            view.columns = columns;
            if !view.is_identity() {
                view.sample_types = view.columns.iter().map(|&c| p.sample_types[c].clone()).collect();
                view.ratios = vec![1.0; names.len()];
                let own = p.default_sample_type.as_deref().filter(|d| names.contains(d));
                view.default_sample_type = Some(own.unwrap_or(names[0]).to_string());
            }
            Ok(view)
        })
        .collect()
}

/// The error for profiles without a common type: the first profile that
/// shares no type name with all those before it, and what they share.
fn no_common_types(profiles: &[&Profile]) -> MergeError {
    let mut before = profiles[0].sample_types.clone();
    for (at, p) in profiles.iter().enumerate().skip(1) {
        let kept: Vec<ValueType> = before.iter().filter(|t| p.sample_type_index(&t.name).is_some()).cloned().collect();
        if kept.is_empty() {
            return MergeError::NoCommonSampleTypes { at, before, types: p.sample_types.clone() };
        }
        before = kept;
    }
    // Only a type name that a profile holds twice gets here (pprof counts
    // it twice, so it is in no profile "once each").
    let at = profiles.len() - 1;
    MergeError::NoCommonSampleTypes { at, before, types: profiles[at].sample_types.clone() }
}

/// pprof's `measurement.ScaleProfiles`: each column, and the period, in
/// the finest unit any profile measures it in.
fn scale_units(views: &mut [View<'_>]) -> Result<(), MergeError> {
    let periods: Vec<(usize, &ValueType)> =
        views.iter().enumerate().filter_map(|(i, v)| v.period_type.as_ref().map(|t| (i, t))).collect();
    let period_unit = finest(&periods)
        .map_err(|(at, first, other)| MergeError::PeriodTypes { at, first: Some(first), other: Some(other) })?;
    let columns = views[0].sample_types.len();
    let mut units = Vec::with_capacity(columns);
    for c in 0..columns {
        let types: Vec<(usize, &ValueType)> = views.iter().enumerate().map(|(i, v)| (i, &v.sample_types[c])).collect();
        units.push(finest(&types).map_err(|(at, first, other)| MergeError::SampleUnits { at, first, other })?);
    }
    for view in views.iter_mut() {
        if let (Some(t), Some(unit)) = (&mut view.period_type, &period_unit) {
            view.period = units::scale(view.period, &t.unit, &OutputUnit::Fixed(unit.clone())).0 as i64;
            t.unit = unit.clone();
        }
        for (c, unit) in units.iter().enumerate() {
            if let Some(unit) = unit {
                view.ratios[c] = ratio(&view.sample_types[c].unit, unit);
                view.sample_types[c].unit = unit.clone();
            }
        }
    }
    Ok(())
}

/// pprof's `CommonValueType`: the finest unit of types that convert into
/// each other; `None` for fewer than two. The error is the position of
/// the type that does not fit and the two types.
fn finest(types: &[(usize, &ValueType)]) -> Result<Option<String>, (usize, ValueType, ValueType)> {
    let Some(&(_, first)) = types.first() else { return Ok(None) };
    if types.len() < 2 {
        return Ok(None);
    }
    let mut min = first;
    for &(at, t) in &types[1..] {
        if !compatible(min, t) {
            return Err((at, min.clone(), t.clone()));
        }
        if ratio(&t.unit, &min.unit) < 1.0 {
            min = t;
        }
    }
    Ok(Some(min.unit.clone()))
}

/// pprof's `compatibleValueTypes`: names equal but for one trailing `s`,
/// units equal or of one family.
fn compatible(a: &ValueType, b: &ValueType) -> bool {
    let trim = |n: &str| n.strip_suffix('s').unwrap_or(n).to_string();
    trim(&a.name) == trim(&b.name) && units::convertible(&a.unit, &b.unit)
}

/// What one `from` is in `to` (1 when either is not a known unit).
fn ratio(from: &str, to: &str) -> f64 {
    units::scale(1, from, &OutputUnit::Fixed(to.to_string())).0
}

/// pprof's `Merge` of compatible profiles: the header, then every sample.
fn combine(views: &[View<'_>]) -> Result<Profile, MergeError> {
    let mut merger = Merger::new(header(views)?);
    for view in views {
        merger.add(view);
    }
    let merged = merger.out;
    if merged.iter_samples().any(|s| s.values.iter().all(|&v| v == 0)) {
        // Samples that cancelled out: merge the result again to drop them
        // and what only they referenced, as pprof does.
        let mut again = Merger::new(header(&[View::whole(&merged)])?);
        again.add(&View::whole(&merged));
        return Ok(again.out);
    }
    Ok(merged)
}

/// pprof's `combineHeaders`: an empty profile with the merged header.
fn header(views: &[View<'_>]) -> Result<Profile, MergeError> {
    let first = &views[0];
    for (at, v) in views.iter().enumerate().skip(1) {
        if v.period_type != first.period_type {
            return Err(MergeError::PeriodTypes { at, first: first.period_type.clone(), other: v.period_type.clone() });
        }
        if let Some((a, b)) = first.sample_types.iter().zip(&v.sample_types).find(|(a, b)| a != b) {
            return Err(MergeError::SampleUnits { at, first: a.clone(), other: b.clone() });
        }
    }
    let mut p = Profile {
        sample_types: first.sample_types.clone(),
        period_type: first.period_type.clone(),
        drop_frames: first.profile.drop_frames.clone(),
        keep_frames: first.profile.keep_frames.clone(),
        ..Profile::default()
    };
    for v in views {
        let q = v.profile;
        if p.time_nanos == 0 || q.time_nanos < p.time_nanos {
            p.time_nanos = q.time_nanos;
        }
        p.duration_nanos = p.duration_nanos.wrapping_add(q.duration_nanos);
        if p.period == 0 || p.period < v.period {
            p.period = v.period;
        }
        for c in &q.comments {
            if !p.comments.contains(c) {
                p.comments.push(c.clone());
            }
        }
        if p.default_sample_type.is_none() {
            p.default_sample_type = v.default_sample_type.clone().filter(|d| !d.is_empty());
        }
        if p.doc_url.is_empty() {
            p.doc_url = q.doc_url.clone();
        }
    }
    Ok(p)
}

/// A mapping as pprof keys it: its size rounded up to 4 KiB, its offset,
/// and its build id, else its file name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct MappingKey {
    size: u64,
    offset: u64,
    build_id_or_file: String,
}

impl MappingKey {
    fn of(m: &Mapping) -> MappingKey {
        const ROUNDING: u64 = 0x1000;
        let size = m.memory_limit.wrapping_sub(m.memory_start).wrapping_add(ROUNDING - 1);
        let build_id_or_file = if m.build_id.is_empty() { m.filename.clone() } else { m.build_id.clone() };
        MappingKey { size: size - size % ROUNDING, offset: m.file_offset, build_id_or_file }
    }
}

/// A location as pprof keys it: its address relative to its (merged)
/// mapping's start, that mapping, whether it is folded, and its frames.
///
/// pprof writes each frame's function, line and column into a list with a
/// stride of two instead of three, so every frame's column but the last is
/// overwritten by the next frame's function: `frames` holds each frame's
/// (merged) function and line, then the last frame's column.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct LocationKey {
    address: u64,
    /// The merged mapping's position plus one; 0 for none.
    mapping: u32,
    is_folded: bool,
    frames: Vec<i64>,
}

type FunctionKey = (i64, String, String, String);

/// pprof's `profileMerger`: the merged profile and its lookup tables,
/// plus the current input's memo from its positions to merged ones.
struct Merger {
    out: Profile,
    samples: FxHashMap<Box<[u8]>, usize>,
    locations: FxHashMap<LocationKey, LocationIdx>,
    functions: FxHashMap<FunctionKey, FunctionIdx>,
    mappings: FxHashMap<MappingKey, MappingIdx>,
    location_memo: Vec<Option<LocationIdx>>,
    function_memo: Vec<Option<FunctionIdx>>,
    /// The merged mapping and what to add to an address of the input's.
    mapping_memo: Vec<Option<(MappingIdx, u64)>>,
}

impl Merger {
    fn new(header: Profile) -> Merger {
        Merger {
            out: header,
            samples: FxHashMap::default(),
            locations: FxHashMap::default(),
            functions: FxHashMap::default(),
            mappings: FxHashMap::default(),
            location_memo: Vec::new(),
            function_memo: Vec::new(),
            mapping_memo: Vec::new(),
        }
    }

    fn add(&mut self, view: &View<'_>) {
        let p = view.profile;
        self.location_memo = vec![None; p.locations.len()];
        self.function_memo = vec![None; p.functions.len()];
        self.mapping_memo = vec![None; p.mappings.len()];
        if self.out.mappings.is_empty() && !p.mappings.is_empty() {
            // The first mapping is the main binary: it stays first.
            self.mapping(p, MappingIdx(0));
        }
        let mut values = Vec::with_capacity(view.columns.len());
        let mut stack = Vec::new();
        let mut key = Vec::new();
        let mut scratch = Vec::new();
        for i in 0..p.samples.len() {
            if !view.values(i, &mut values) || values.iter().all(|&v| v == 0) {
                continue;
            }
            let sample = p.sample(i);
            stack.clear();
            key.clear();
            for &loc in sample.locations {
                let merged = self.location(p, loc);
                stack.push(merged);
                put_number(&mut key, merged.0 as u64 + 1);
            }
            put_number(&mut key, 0);
            put_labels(&mut key, sample.labels, &mut scratch);
            match self.samples.get(&key[..]) {
                Some(&at) => {
                    let range = self.out.samples[at].values;
                    let sums = &mut self.out.sample_values[range.0 as usize..range.1 as usize];
                    for (sum, v) in sums.iter_mut().zip(&values) {
                        *sum = sum.wrapping_add(*v);
                    }
                }
                None => {
                    self.samples.insert(key.clone().into_boxed_slice(), self.out.samples.len());
                    self.out.push_sample(&stack, &values, sample.labels.iter().cloned());
                }
            }
        }
    }

    fn mapping(&mut self, p: &Profile, idx: MappingIdx) -> (MappingIdx, u64) {
        if let Some(known) = self.mapping_memo[idx.get()] {
            return known;
        }
        let src = &p.mappings[idx.get()];
        let key = MappingKey::of(src);
        let found = match self.mappings.get(&key) {
            Some(&m) => (m, self.out.mappings[m.get()].memory_start.wrapping_sub(src.memory_start)),
            None => {
                let m = MappingIdx(self.out.mappings.len() as u32);
                self.out.mappings.push(Mapping { id: m.0 as u64 + 1, ..src.clone() });
                self.mappings.insert(key, m);
                (m, 0)
            }
        };
        self.mapping_memo[idx.get()] = Some(found);
        found
    }

    fn location(&mut self, p: &Profile, idx: LocationIdx) -> LocationIdx {
        if let Some(known) = self.location_memo[idx.get()] {
            return known;
        }
        let src = p.location(idx);
        let mapping = src.mapping.map(|m| self.mapping(p, m));
        let address = src.address.wrapping_add(mapping.map_or(0, |m| m.1));
        let lines: Vec<Line> =
            src.lines.iter().map(|l| Line { function: self.function(p, l.function), line: l.line, column: l.column }).collect();
        let mut frames: Vec<i64> = lines.iter().flat_map(|l| [l.function.0 as i64 + 1, l.line]).collect();
        if let Some(last) = lines.last() {
            frames.push(last.column);
        }
        let key = LocationKey {
            address: match mapping {
                Some((m, _)) => address.wrapping_sub(self.out.mappings[m.get()].memory_start),
                None => address,
            },
            mapping: mapping.map_or(0, |(m, _)| m.0 + 1),
            is_folded: src.is_folded,
            frames,
        };
        let merged = match self.locations.get(&key) {
            Some(&l) => l,
            None => {
                let l = LocationIdx(self.out.locations.len() as u32);
                self.out.locations.push(Location {
                    id: l.0 as u64 + 1,
                    mapping: mapping.map(|m| m.0),
                    address,
                    lines,
                    is_folded: src.is_folded,
                });
                self.locations.insert(key, l);
                l
            }
        };
        self.location_memo[idx.get()] = Some(merged);
        merged
    }

    fn function(&mut self, p: &Profile, idx: FunctionIdx) -> FunctionIdx {
        if let Some(known) = self.function_memo[idx.get()] {
            return known;
        }
        let src = p.function(idx);
        let key = (src.start_line, src.name.clone(), src.system_name.clone(), src.filename.clone());
        let merged = *self.functions.entry(key).or_insert_with(|| {
            let f = FunctionIdx(self.out.functions.len() as u32);
            self.out.functions.push(Function { id: f.0 as u64 + 1, ..src.clone() });
            f
        });
        self.function_memo[idx.get()] = Some(merged);
        merged
    }
}

/// Go's `binary.PutUvarint`.
fn put_number(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_string(out: &mut Vec<u8>, s: &str) {
    put_number(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// A sample's labels as pprof's sample key writes them: string labels by
/// key (sorted), each key's values in order; then numeric labels likewise,
/// with their units when any value of the key has one. A numeric label of
/// 0 without a unit is not a label to pprof (its decoder drops it).
fn put_labels(out: &mut Vec<u8>, labels: &[Label], scratch: &mut Vec<usize>) {
    let is_string = |v: &LabelValue| matches!(v, LabelValue::Str(_));
    by_key(labels, scratch, is_string, |key, group| {
        put_string(out, key);
        put_number(out, group.len() as u64);
        for v in group {
            if let LabelValue::Str(s) = v {
                put_string(out, s);
            }
        }
    });
    let is_number = |v: &LabelValue| matches!(v, LabelValue::Num { value, unit } if *value != 0 || !unit.is_empty());
    by_key(labels, scratch, is_number, |key, group| {
        let numbers: Vec<(i64, &str)> = group
            .iter()
            .map(|v| match v {
                LabelValue::Num { value, unit } => (*value, unit.as_ref()),
                LabelValue::Str(_) => (0, ""),
            })
            .collect();
        put_string(out, key);
        put_number(out, numbers.len() as u64);
        for &(value, _) in &numbers {
            put_number(out, value as u64);
        }
        let with_units = numbers.iter().any(|(_, unit)| !unit.is_empty());
        put_number(out, if with_units { numbers.len() as u64 } else { 0 });
        if with_units {
            for &(_, unit) in &numbers {
                put_string(out, unit);
            }
        }
    });
}

/// Calls `put` with each key of the labels `keep` keeps, in sorted order,
/// and that key's values in their order.
fn by_key<'a>(labels: &'a [Label], scratch: &mut Vec<usize>, keep: impl Fn(&LabelValue) -> bool, mut put: impl FnMut(&str, Vec<&'a LabelValue>)) {
    scratch.clear();
    scratch.extend((0..labels.len()).filter(|&i| keep(&labels[i].value)));
    // A stable sort keeps each key's values in order.
    scratch.sort_by(|&a, &b| labels[a].key.cmp(&labels[b].key));
    for group in scratch.chunk_by(|&a, &b| labels[a].key == labels[b].key) {
        put(&labels[group[0]].key, group.iter().map(|&i| &labels[i].value).collect());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::analysis::test_profiles::profile;
    use crate::analysis::Index;

    fn types(list: &[(&str, &str)]) -> Vec<ValueType> {
        list.iter().map(|(n, u)| ValueType::new(n, u)).collect()
    }

    /// Each line's (flat, cum) of sample type 0, by `function:line`.
    fn lines(p: &Profile) -> Vec<(String, i64, i64)> {
        let index = Index::build(p);
        let mut out: Vec<(String, i64, i64)> = crate::report::lines::records(&index, crate::analysis::SampleType(0))
            .into_iter()
            .map(|r| (format!("{}:{}", r.function, r.line), r.flat, r.cum))
            .collect();
        out.sort();
        out
    }

    fn str_label(key: &str, value: &str) -> Label {
        Label { key: Arc::from(key), value: LabelValue::Str(Arc::from(value)) }
    }

    fn num_label(key: &str, value: i64, unit: &str) -> Label {
        Label { key: Arc::from(key), value: LabelValue::Num { value, unit: Arc::from(unit) } }
    }

    #[test]
    fn one_profile_is_itself_and_a_profile_with_itself_doubles() {
        let p = profile(&[("a:1 b:2", 5), ("c:3+b:4 main:9", 7), ("a:1 main:9", 2)]);
        assert_eq!(merge(&[&p]).unwrap(), p);
        let doubled = merge(&[&p, &p]).unwrap();
        let want: Vec<(String, i64, i64)> = lines(&p).into_iter().map(|(k, f, c)| (k, 2 * f, 2 * c)).collect();
        assert_eq!(lines(&doubled), want);
        // Equal stacks add up: as many samples, locations and functions.
        assert_eq!((doubled.samples.len(), doubled.locations.len(), doubled.functions.len()), (3, 4, 4));
        assert_eq!(doubled.sample_values, [10, 14, 4]);
    }

    #[test]
    fn stacks_of_several_profiles_add_up_where_they_are_equal() {
        let a = profile(&[("a:1 main:9", 5), ("b:2 main:9", 1)]);
        let b = profile(&[("b:2 main:9", 3), ("c:3 main:9", 4)]);
        let m = merge(&[&a, &b]).unwrap();
        let got: Vec<(String, i64, i64)> = lines(&m).into_iter().filter(|(k, ..)| !k.starts_with("main")).collect();
        assert_eq!(got, [("a:1".into(), 5, 5), ("b:2".into(), 4, 4), ("c:3".into(), 4, 4)]);
        assert_eq!(lines(&m).last().unwrap(), &("main:9".to_string(), 0, 13));
        // Ids are positions plus one, in order of first appearance.
        let ids: Vec<u64> = m.locations.iter().map(|l| l.id).collect();
        assert_eq!(ids, [1, 2, 3, 4]);
        let names: Vec<&str> = m.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "main", "b", "c"]);
    }

    #[test]
    fn labels_are_part_of_a_samples_identity_but_not_their_order() {
        let mut a = profile(&[]);
        let mut b = profile(&[("f:1", 1)]);
        b.samples.clear();
        b.sample_locations.clear();
        b.sample_values.clear();
        a.locations = b.locations.clone();
        a.functions = b.functions.clone();
        let at = [LocationIdx(0)];
        a.push_sample(&at, &[1], [str_label("role", "x"), num_label("bytes", 64, ""), str_label("id", "1")]);
        // The same labels in another order are the same sample.
        b.push_sample(&at, &[2], [str_label("id", "1"), str_label("role", "x"), num_label("bytes", 64, "")]);
        // Another value, or a numeric label with a unit, is another one.
        b.push_sample(&at, &[4], [str_label("role", "y"), str_label("id", "1"), num_label("bytes", 64, "")]);
        b.push_sample(&at, &[8], [str_label("role", "x"), str_label("id", "1"), num_label("bytes", 64, "B")]);
        // A numeric label of 0 without a unit is no label to pprof.
        b.push_sample(&at, &[16], [str_label("role", "x"), str_label("id", "1"), num_label("bytes", 64, ""), num_label("n", 0, "")]);
        let m = merge(&[&a, &b]).unwrap();
        assert_eq!(m.sample_values, [19, 4, 8]);
        // The merged sample keeps the labels it was first seen with.
        assert_eq!(m.sample(0).labels, a.sample(0).labels);
    }

    #[test]
    fn equal_addresses_of_one_binary_are_one_location_wherever_it_was_loaded() {
        let binary = |start: u64| Mapping {
            memory_start: start,
            memory_limit: start + 0x1800,
            filename: "/bin/app".into(),
            build_id: "abc".into(),
            ..Default::default()
        };
        let unsymbolized = |start: u64, value: i64| {
            let mut p = Profile { sample_types: types(&[("samples", "count")]), mappings: vec![binary(start)], ..Default::default() };
            p.locations.push(Location { mapping: Some(MappingIdx(0)), address: start + 0x10, ..Default::default() });
            p.push_sample(&[LocationIdx(0)], &[value], []);
            p
        };
        let m = merge(&[&unsymbolized(0x1000, 1), &unsymbolized(0x7000, 2)]).unwrap();
        assert_eq!((m.mappings.len(), m.locations.len(), m.samples.len()), (1, 1, 1));
        assert_eq!(m.sample_values, [3]);
        // The second profile's address moves into the first's mapping.
        assert_eq!(m.locations[0].address, 0x1010);
        // Another binary, or one of another size, stays apart.
        let mut other = unsymbolized(0x7000, 4);
        other.mappings[0].memory_limit += 0x2000;
        assert_eq!(merge(&[&unsymbolized(0x1000, 1), &other]).unwrap().mappings.len(), 2);
    }

    #[test]
    fn only_the_last_frames_column_tells_locations_apart() {
        // pprof's location key keeps only the last frame's column (the
        // others are overwritten by the next frame's function).
        let with_columns = |inner: i64, outer: i64| {
            let mut p = profile(&[("f:1+g:2", 1)]);
            p.locations[0].lines[0].column = inner;
            p.locations[0].lines[1].column = outer;
            p
        };
        assert_eq!(merge(&[&with_columns(1, 5), &with_columns(2, 5)]).unwrap().locations.len(), 1);
        assert_eq!(merge(&[&with_columns(1, 5), &with_columns(1, 6)]).unwrap().locations.len(), 2);
    }

    #[test]
    fn the_header_is_merged_as_pprof_merges_it() {
        let header = |time: i64, period: i64, comment: &str, default: Option<&str>, doc: &str| {
            let mut p = profile(&[("f:1", 1)]);
            p.time_nanos = time;
            p.duration_nanos = 10;
            p.period = period;
            p.comments = vec!["shared".into(), comment.into()];
            p.default_sample_type = default.map(str::to_string);
            p.doc_url = doc.into();
            p.drop_frames = format!("drop{time}");
            p
        };
        let a = header(300, 5, "a", None, "");
        let b = header(100, 9, "b", Some("v"), "https://b");
        let c = header(200, 7, "a", None, "https://c");
        let m = merge(&[&a, &b, &c]).unwrap();
        assert_eq!((m.time_nanos, m.duration_nanos, m.period), (100, 30, 9));
        assert_eq!(m.comments, ["shared", "a", "b"]);
        assert_eq!((m.default_sample_type.as_deref(), m.doc_url.as_str()), (Some("v"), "https://b"));
        assert_eq!(m.drop_frames, "drop300");
        // A zero time after a non-zero one makes the time zero again.
        assert_eq!(merge(&[&a, &header(0, 1, "", None, "")]).unwrap().time_nanos, 0);
        assert_eq!(merge(&[&header(0, 1, "", None, ""), &a]).unwrap().time_nanos, 300);
    }

    #[test]
    fn sample_types_are_those_all_profiles_have_in_the_first_ones_order() {
        let mut a = profile(&[("f:1", 1)]);
        a.sample_types = types(&[("objects", "count"), ("space", "bytes"), ("extra", "count")]);
        a.sample_values = vec![1, 10, 100];
        a.samples[0].values = (0, 3);
        let mut b = profile(&[("f:1", 1)]);
        b.sample_types = types(&[("space", "bytes"), ("objects", "count")]);
        b.sample_values = vec![20, 2];
        b.samples[0].values = (0, 2);
        b.default_sample_type = Some("space".into());
        let m = merge(&[&a, &b]).unwrap();
        assert_eq!(m.sample_types, types(&[("objects", "count"), ("space", "bytes")]));
        assert_eq!(m.sample_values, [3, 30]);
        // `a` lost a column, so its default became the first common type.
        assert_eq!(m.default_sample_type.as_deref(), Some("objects"));

        let mut cpu = profile(&[("f:1", 1)]);
        cpu.sample_types = types(&[("samples", "count"), ("cpu", "nanoseconds")]);
        cpu.sample_values = vec![1, 10];
        cpu.samples[0].values = (0, 2);
        let err = merge(&[&a, &b, &cpu]).unwrap_err();
        assert_eq!(err.at(), Some(2));
        assert_eq!(
            err.to_string(),
            "sample types [objects/count space/bytes] and [samples/count cpu/nanoseconds] have none in common"
        );
    }

    #[test]
    fn units_of_one_family_are_scaled_to_the_finest() {
        let with = |unit: &str, value: i64, period: (&str, i64)| {
            let mut p = profile(&[("f:1", value)]);
            p.sample_types = types(&[("space", unit)]);
            p.period_type = Some(ValueType::new("space", period.0));
            p.period = period.1;
            p
        };
        let m = merge(&[&with("kilobytes", 3, ("kilobytes", 2)), &with("bytes", 5, ("bytes", 100))]).unwrap();
        assert_eq!(m.sample_types, types(&[("space", "bytes")]));
        assert_eq!(m.sample_values, [3 * 1024 + 5]);
        assert_eq!((m.period_type.unwrap().unit, m.period), ("bytes".to_string(), 2048));
        let err = merge(&[&with("bytes", 1, ("bytes", 1)), &with("seconds", 1, ("bytes", 1))]).unwrap_err();
        assert_eq!(err.to_string(), "sample types space/bytes and space/seconds are not in units that convert");
        let err = merge(&[&with("bytes", 1, ("bytes", 1)), &with("bytes", 1, ("seconds", 1))]).unwrap_err();
        assert_eq!((err.at(), err.to_string()), (Some(1), "period types space/bytes and space/seconds differ".to_string()));
    }

    #[test]
    fn samples_that_cancel_out_are_dropped_with_what_only_they_used() {
        let a = profile(&[("a:1 main:9", 5), ("b:2 main:9", 3)]);
        let b = profile(&[("a:1 main:9", -5), ("zero:3 main:9", 0)]);
        let m = merge(&[&a, &b]).unwrap();
        assert_eq!(m.sample_values, [3]);
        let names: Vec<&str> = m.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["b", "main"]);
        assert_eq!(m.locations.len(), 2);
    }

    #[test]
    fn no_profiles_is_an_error() {
        assert_eq!(merge(&[]), Err(MergeError::Empty));
    }
}
