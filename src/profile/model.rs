//! The resolved profile model: every index of the wire format is already
//! turned into a typed position in a vector or into an owned string.

use std::fmt;
use std::sync::Arc;

/// Declares a `u32` newtype indexing one of the model's vectors (also used
/// for the analysis layer's ids).
macro_rules! index_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The position this index stands for.
            pub fn get(self) -> usize {
                self.0 as usize
            }
        }
    };
}

pub(crate) use index_newtype;

index_newtype!(
    /// Position of a location in [`Profile::locations`].
    LocationIdx
);
index_newtype!(
    /// Position of a function in [`Profile::functions`].
    FunctionIdx
);
index_newtype!(
    /// Position of a mapping in [`Profile::mappings`].
    MappingIdx
);

/// What one column of sample values measures, e.g. `inuse_space`/`bytes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ValueType {
    pub name: String,
    pub unit: String,
}

impl ValueType {
    pub fn new(name: &str, unit: &str) -> Self {
        ValueType { name: name.to_string(), unit: unit.to_string() }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.name, self.unit)
    }
}

/// A decoded profile of any source format.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    pub sample_types: Vec<ValueType>,
    /// The type pprof shows when none is asked for, if the profile names one.
    pub default_sample_type: Option<String>,
    /// Where each sample's data is in the three vectors below. Samples keep
    /// their data in shared vectors rather than vectors of their own: a
    /// large profile has millions of samples, and one allocation each
    /// (twice over, to build and to free) costs more than the rest of the
    /// decode. Read them with [`Profile::sample`] and
    /// [`Profile::iter_samples`]; add them with [`Profile::push_sample`].
    pub samples: Vec<Sample>,
    /// Every sample's stack, back to back, each leaf first.
    pub sample_locations: Vec<LocationIdx>,
    /// Every sample's values, back to back, one per sample type each.
    pub sample_values: Vec<i64>,
    pub sample_labels: Vec<Label>,
    pub locations: Vec<Location>,
    pub functions: Vec<Function>,
    pub mappings: Vec<Mapping>,
    pub period_type: Option<ValueType>,
    pub period: i64,
    pub time_nanos: i64,
    pub duration_nanos: i64,
    pub comments: Vec<String>,
    pub drop_frames: String,
    pub keep_frames: String,
    pub doc_url: String,
}

/// Where one sample's stack, values and labels are in the profile's
/// shared vectors (start and end of each range).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sample {
    pub locations: (u32, u32),
    pub values: (u32, u32),
    pub labels: (u32, u32),
}

/// One sample, borrowed from its profile.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleRef<'a> {
    /// Leaf first, root last.
    pub locations: &'a [LocationIdx],
    /// One value per entry of [`Profile::sample_types`].
    pub values: &'a [i64],
    pub labels: &'a [Label],
}

/// Label keys, strings and units repeat across samples, so they are
/// shared rather than copied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub key: Arc<str>,
    pub value: LabelValue,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelValue {
    Str(Arc<str>),
    Num { value: i64, unit: Arc<str> },
}

/// A program counter and the source frames it stands for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Location {
    /// The id the source format gave this location (for reports only).
    pub id: u64,
    pub mapping: Option<MappingIdx>,
    pub address: u64,
    /// Innermost inlined frame first; the last entry is the real caller.
    pub lines: Vec<Line>,
    pub is_folded: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Line {
    pub function: FunctionIdx,
    pub line: i64,
    pub column: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Function {
    /// The id the source format gave this function (for reports only).
    pub id: u64,
    pub name: String,
    pub system_name: String,
    pub filename: String,
    pub start_line: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    /// The id the source format gave this mapping (for reports only).
    pub id: u64,
    pub memory_start: u64,
    pub memory_limit: u64,
    pub file_offset: u64,
    pub filename: String,
    pub build_id: String,
    pub has_functions: bool,
    pub has_filenames: bool,
    pub has_line_numbers: bool,
    pub has_inline_frames: bool,
}

impl Profile {
    pub fn location(&self, idx: LocationIdx) -> &Location {
        &self.locations[idx.get()]
    }

    pub fn function(&self, idx: FunctionIdx) -> &Function {
        &self.functions[idx.get()]
    }

    /// The sample at position `i`.
    pub fn sample(&self, i: usize) -> SampleRef<'_> {
        self.sample_ref(&self.samples[i])
    }

    fn sample_ref(&self, s: &Sample) -> SampleRef<'_> {
        let range = |(start, end): (u32, u32)| start as usize..end as usize;
        SampleRef {
            locations: &self.sample_locations[range(s.locations)],
            values: &self.sample_values[range(s.values)],
            labels: &self.sample_labels[range(s.labels)],
        }
    }

    /// All samples in order.
    pub fn iter_samples(&self) -> impl ExactSizeIterator<Item = SampleRef<'_>> + '_ {
        self.samples.iter().map(|s| self.sample_ref(s))
    }

    /// Appends a sample.
    pub fn push_sample(&mut self, locations: &[LocationIdx], values: &[i64], labels: impl IntoIterator<Item = Label>) {
        let start = |len: usize| len as u32;
        let l0 = start(self.sample_locations.len());
        self.sample_locations.extend_from_slice(locations);
        let v0 = start(self.sample_values.len());
        self.sample_values.extend_from_slice(values);
        let b0 = start(self.sample_labels.len());
        self.sample_labels.extend(labels);
        self.samples.push(Sample {
            locations: (l0, start(self.sample_locations.len())),
            values: (v0, start(self.sample_values.len())),
            labels: (b0, start(self.sample_labels.len())),
        });
    }

    /// Finds a sample type by name.
    pub fn sample_type_index(&self, name: &str) -> Option<usize> {
        self.sample_types.iter().position(|t| t.name == name)
    }

    /// A copy with every sample value multiplied by `factor` (rounded),
    /// e.g. to compare two benchmark runs of different iteration counts per
    /// operation.
    pub fn scaled(&self, factor: f64) -> Profile {
        let mut out = self.clone();
        for v in &mut out.sample_values {
            *v = (*v as f64 * factor).round() as i64;
        }
        out
    }
}

/// The last element of a slash-separated path, as Go's `filepath.Base`
/// finds it on Unix: `.` for an empty path, `/` for a path of slashes.
/// pprof names binaries (and Java frames their files) this way.
pub fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

#[cfg(test)]
mod tests {
    use super::base_name;

    #[test]
    fn base_names_are_go_filepath_base() {
        for (path, base) in [
            ("/tmp/b/pprofdemo", "pprofdemo"),
            ("/a/b.so", "b.so"),
            ("b.so/", "b.so"),
            ("///", "/"),
            ("", "."),
            ("C:\\x\\y.exe", "C:\\x\\y.exe"),
        ] {
            assert_eq!(base_name(path), base, "{path:?}");
        }
    }
}
