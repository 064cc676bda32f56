//! Choosing a sample type the way pprof's `-sample_index` does.

use crate::profile::Profile;

/// A position in [`Profile::sample_types`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SampleType(pub usize);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SelectError {
    #[error("the profile has no sample types")]
    NoSampleTypes,
    #[error("sample type {asked:?} is not in this profile; it has: {}", available.join(", "))]
    Unknown { asked: String, available: Vec<String> },
}

/// Picks a sample type by name, by number, or (with `None`) the default:
/// the profile's `default_sample_type` if set, else the last type.
///
/// pprof's legacy spellings are accepted too: `inuse_space` finds `space`,
/// and `total_delay` finds `delay`.
pub fn select(profile: &Profile, asked: Option<&str>) -> Result<SampleType, SelectError> {
    let types = &profile.sample_types;
    if types.is_empty() {
        return Err(SelectError::NoSampleTypes);
    }
    let Some(asked) = asked.map(str::trim).filter(|a| !a.is_empty()) else {
        let default = profile.default_sample_type.as_deref().and_then(|d| profile.sample_type_index(d));
        return Ok(SampleType(default.unwrap_or(types.len() - 1)));
    };
    if let Ok(i) = asked.parse::<usize>() {
        if i < types.len() {
            return Ok(SampleType(i));
        }
    }
    let without_inuse = asked.strip_prefix("inuse_").unwrap_or(asked);
    let alias = match asked {
        "total_delay" => "delay",
        "contentions" => "contentions",
        other => other,
    };
    types
        .iter()
        .position(|t| t.name == asked || t.name == without_inuse || t.name == alias)
        .map(SampleType)
        .ok_or_else(|| SelectError::Unknown {
            asked: asked.to_string(),
            available: types.iter().map(|t| t.name.clone()).collect(),
        })
}

/// [`select`] for a profile shown less a base (`-diff_base`). pprof merges
/// the two and the merge keeps the first default type given, so without a
/// type asked for, a profile that names no default takes its base's.
pub fn select_with_base(profile: &Profile, base: Option<&Profile>, asked: Option<&str>) -> Result<SampleType, SelectError> {
    let asked_none = asked.map(str::trim).is_none_or(str::is_empty);
    let base_default = base.and_then(|b| b.default_sample_type.as_deref());
    if let (true, None, Some(default)) = (asked_none, &profile.default_sample_type, base_default) {
        if let Some(i) = profile.sample_type_index(default) {
            return Ok(SampleType(i));
        }
    }
    select(profile, asked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ValueType;

    fn heap() -> Profile {
        Profile {
            sample_types: ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]
                .iter()
                .map(|n| ValueType::new(n, "x"))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn default_is_last_unless_named() {
        let mut p = heap();
        assert_eq!(select(&p, None), Ok(SampleType(3)));
        p.default_sample_type = Some("alloc_space".into());
        assert_eq!(select(&p, None), Ok(SampleType(1)));
        assert_eq!(select(&p, Some("inuse_objects")), Ok(SampleType(2)));
        assert_eq!(select(&p, Some("0")), Ok(SampleType(0)));
    }

    #[test]
    fn a_diff_without_a_default_takes_the_bases() {
        let p = heap();
        let mut base = heap();
        base.default_sample_type = Some("alloc_space".into());
        assert_eq!(select_with_base(&p, Some(&base), None), Ok(SampleType(1)));
        assert_eq!(select_with_base(&p, Some(&base), Some("inuse_objects")), Ok(SampleType(2)));
        assert_eq!(select_with_base(&p, None, None), Ok(SampleType(3)));
        // The profile's own default comes first.
        let mut own = heap();
        own.default_sample_type = Some("alloc_objects".into());
        assert_eq!(select_with_base(&own, Some(&base), None), Ok(SampleType(0)));
    }

    #[test]
    fn legacy_aliases() {
        let p = Profile { sample_types: vec![ValueType::new("objects", "count"), ValueType::new("space", "bytes")], ..Default::default() };
        assert_eq!(select(&p, Some("inuse_space")), Ok(SampleType(1)));
        let c = Profile { sample_types: vec![ValueType::new("contentions", "count"), ValueType::new("delay", "nanoseconds")], ..Default::default() };
        assert_eq!(select(&c, Some("total_delay")), Ok(SampleType(1)));
    }

    #[test]
    fn unknown_names_list_the_choices() {
        let err = select(&heap(), Some("cpu")).unwrap_err();
        assert_eq!(err.to_string(), "sample type \"cpu\" is not in this profile; it has: alloc_objects, alloc_space, inuse_objects, inuse_space");
    }
}
