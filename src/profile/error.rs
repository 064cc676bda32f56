//! Why a byte string could not be decoded into a profile.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DecodeError {
    /// The input is empty.
    #[error("the input is empty")]
    Empty,
    /// No decoder recognised the input.
    #[error("not a recognised profile format (expected gzipped or plain pprof protobuf, or a Go/pprof legacy text or binary profile)")]
    UnknownFormat,
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
    /// The gzip data inflates to something no decoder takes; noticed at
    /// `offset` of the decompressed output, where inflating stopped.
    #[error("the gzip data does not hold a profile: {reason}, at byte {offset} of the decompressed data")]
    NotAProfile { offset: u64, reason: String },
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

impl DecodeError {
    pub(crate) fn text(format: &'static str, line: usize, message: impl Into<String>) -> Self {
        DecodeError::Text { format, line, message: message.into() }
    }

    pub(crate) fn binary(format: &'static str, offset: usize, message: impl Into<String>) -> Self {
        DecodeError::Binary { format, offset, message: message.into() }
    }
}
