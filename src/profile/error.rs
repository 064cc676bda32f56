//! Why a byte string could not be decoded into a profile.

use thiserror::Error;

/// Why decoding failed. Callers branch on the kind: input that never
/// looked like a profile ([`NotAProfile`](DecodeError::NotAProfile),
/// [`Empty`](DecodeError::Empty)) is a wrong file or URL, while the other
/// kinds are a profile that is damaged, cut short or too large, and say
/// where. Messages read well after the input's name and a colon.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DecodeError {
    /// The input is empty.
    #[error("empty (0 bytes), not a profile")]
    Empty,
    /// No decoder recognised the input, and it never looked like a
    /// profile: it is text, or binary data whose first protobuf message
    /// field is already wrong. `gzip` says this is what gzip data holds.
    #[error("not a profile ({})", not_a_profile(*seen, *gzip))]
    NotAProfile { seen: Seen, gzip: bool },
    /// The gzip data ends before its stream does: `compressed` bytes
    /// inflated to `output` bytes before the end.
    #[error("truncated gzip stream: the data ends after {compressed} bytes, mid-stream, having inflated to {output} bytes")]
    TruncatedGzip { compressed: u64, output: u64 },
    /// The gzip stream is broken.
    #[error("corrupt gzip data: {0}")]
    Gzip(String),
    /// Decompressing would exceed the configured cap.
    #[error("decompressed profile exceeds the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// The gzip data inflates far more than profiles do: `compressed`
    /// bytes passed `limit` bytes of output, more than `ratio` times their
    /// size (see `DecodeOptions::max_inflation_ratio`).
    #[error(
        "{compressed} bytes of gzip data inflate past {limit} bytes, more than {ratio} times their size; \
         profiles compress far less, so this looks like a decompression bomb"
    )]
    InflationRatio { compressed: u64, limit: u64, ratio: u64 },
    /// Bytes that began as a protobuf profile stop reading as one at
    /// `offset` (of the decompressed data when `gzip`), noticed as they
    /// arrived (see [`Incoming`](super::Incoming)).
    #[error("{}: {reason}", broken(*offset, *gzip))]
    Broken { offset: u64, reason: String, gzip: bool },
    /// The protobuf wire data is malformed.
    #[error("malformed protobuf: {0}")]
    Protobuf(String),
    /// The protobuf decoded but breaks a rule of the format.
    #[error("invalid profile: {0}")]
    Invalid(String),
    /// A legacy text profile is malformed at a given line (1-based).
    #[error("{format} profile, line {line}: {message}")]
    Text { format: &'static str, line: usize, message: String },
    /// A legacy binary profile is malformed at a given byte offset.
    #[error("{format} profile, offset {offset}: {message}")]
    Binary { format: &'static str, offset: usize, message: String },
}

/// What input that is not a profile looks like, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// An HTML page, as a wrong URL often answers.
    Html,
    /// JSON.
    Json,
    /// Other text.
    Text,
    /// Binary data of no known kind.
    Binary,
}

impl Seen {
    fn describe(self) -> &'static str {
        match self {
            Seen::Html => "an HTML page",
            Seen::Json => "JSON",
            Seen::Text => "plain text",
            Seen::Binary => "binary data",
        }
    }
}

/// What `NotAProfile` says: what the input looks like and what was tried.
fn not_a_profile(seen: Seen, gzip: bool) -> String {
    if gzip {
        format!("gzip data inflating to {}; not a pprof protobuf, not a known text format", seen.describe())
    } else {
        format!("{}; not gzip, not a pprof protobuf, not a known text format", seen.describe())
    }
}

/// Where `Broken` says the bytes stop reading as a profile.
fn broken(offset: u64, gzip: bool) -> String {
    if gzip {
        format!("the gzip data stops reading as a protobuf profile at byte {offset} of its decompressed data")
    } else {
        format!("the data stops reading as a protobuf profile at byte {offset}")
    }
}

impl DecodeError {
    pub(crate) fn text(format: &'static str, line: usize, message: impl Into<String>) -> Self {
        DecodeError::Text { format, line, message: message.into() }
    }

    pub(crate) fn binary(format: &'static str, offset: usize, message: impl Into<String>) -> Self {
        DecodeError::Binary { format, offset, message: message.into() }
    }
}
