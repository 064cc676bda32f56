//! Decoders for the pre-protobuf profile formats that Go and pprof still
//! write or read. Each one sniffs its own header and answers "not mine" by
//! returning `None`, so the pipeline can fall through to protobuf.

mod builder;
mod contentionz;
mod cpp_heap;
mod go_text;
mod gperftools;
mod java;
mod memmap;
mod text;
mod threadz;

pub use builder::{Frame, ProfileBuilder};

use super::{DecodeError, Profile};

type Decoder = fn(&[u8]) -> Option<Result<Profile, DecodeError>>;

/// Tried in order; the first that recognises the input decides.
const DECODERS: &[Decoder] = &[
    go_text::decode,
    gperftools::decode,
    cpp_heap::decode,
    threadz::decode,
    // Before the Java decoder: it leaves `format = java` profiles alone.
    contentionz::decode,
    java::decode,
];

/// Decodes `data` with the first legacy decoder that recognises it.
pub(crate) fn decode(data: &[u8]) -> Option<Result<Profile, DecodeError>> {
    DECODERS.iter().find_map(|d| d(data))
}
