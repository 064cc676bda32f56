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
