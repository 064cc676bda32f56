//! Decoders for the pre-protobuf profile formats that Go and pprof still
//! write or read. Each one sniffs its own header and answers "not mine" by
//! returning `None`, so the pipeline can fall through to protobuf.
//!
//! The sniffing is also offered on its own, for a prefix of the input
//! ([`sniff`]): inflating gzip uses it to stop early on output that no
//! decoder would take. Each decoder's `decode` claims exactly the inputs its
//! `sniff` calls [`Sniff::Mine`] when given the whole input, so the two
//! cannot drift apart.

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

/// What a format's sniffer makes of the first bytes of an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sniff {
    /// The header is this format's.
    Mine,
    /// No input starting with these bytes is this format.
    NotMine,
    /// The bytes so far could still begin this format's header.
    NeedMore,
}

impl Sniff {
    /// `Mine` or `NotMine`, from a finished test.
    fn from(mine: bool) -> Sniff {
        if mine {
            Sniff::Mine
        } else {
            Sniff::NotMine
        }
    }
}

/// `sniff(head, complete)`: `complete` says `head` is the whole input, in
/// which case the answer is never `NeedMore`.
type Sniffer = fn(&[u8], bool) -> Sniff;

const SNIFFERS: &[Sniffer] =
    &[go_text::sniff, gperftools::sniff, cpp_heap::sniff, threadz::sniff, contentionz::sniff, java::sniff];

/// Whether some legacy decoder could claim an input that starts with
/// `head`: `Mine` if one recognises it, `NeedMore` if one still might.
pub(crate) fn sniff(head: &[u8], complete: bool) -> Sniff {
    let answers = SNIFFERS.iter().map(|s| s(head, complete));
    answers.fold(Sniff::NotMine, |acc, s| match (acc, s) {
        (Sniff::Mine, _) | (_, Sniff::Mine) => Sniff::Mine,
        (Sniff::NeedMore, _) | (_, Sniff::NeedMore) => Sniff::NeedMore,
        _ => Sniff::NotMine,
    })
}

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
