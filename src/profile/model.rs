//! The resolved profile model: every index of the wire format is already
//! turned into a typed position in a vector or into an owned string.

use std::fmt;

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
    pub samples: Vec<Sample>,
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

/// One stack and its values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    /// Leaf first, root last.
    pub locations: Vec<LocationIdx>,
    /// One value per entry of [`Profile::sample_types`].
    pub values: Vec<i64>,
    pub labels: Vec<Label>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub key: String,
    pub value: LabelValue,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelValue {
    Str(String),
    Num { value: i64, unit: String },
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

    /// Finds a sample type by name.
    pub fn sample_type_index(&self, name: &str) -> Option<usize> {
        self.sample_types.iter().position(|t| t.name == name)
    }
}
