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
mod goroutine_dump;
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

const SNIFFERS: &[Sniffer] = &[
    go_text::sniff,
    goroutine_dump::sniff,
    gperftools::sniff,
    cpp_heap::sniff,
    threadz::sniff,
    contentionz::sniff,
    java::sniff,
];

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
    goroutine_dump::decode,
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

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! corpus {
        ($($name:literal),* $(,)?) => {
            [$(($name, &include_bytes!(concat!("../../../tests/corpus/google-pprof/profile/testdata/", $name))[..])),*]
        };
    }

    /// No prefix of an input a decoder claims is ever called `NotMine`,
    /// and the whole input is `Mine`: gzip inflation relies on this to stop
    /// early without refusing a profile.
    #[test]
    fn no_prefix_of_a_legacy_profile_is_refused() {
        let corpus = corpus![
            "cppbench.thread",
            "cppbench.thread.all",
            "cppbench.contention",
            "java.contention",
            "cppbench.heap",
            "cppbench.growth",
            "gobench.heap",
            "java.heap",
            "gobench.cpu",
            "java.cpu",
            "go.godoc.thread",
        ];
        let commented = b"# a dump\n\n#\t more\n--- threadz 1 ---\n\n--- Thread 1 (name: main/1) stack: ---\n  PC: 0x1\n";
        let spaced = b"\n\n   \n heap profile: 1: 2 [3: 4] @ heap/1024\n1: 2 [3: 4] @ 0x1\n";
        for (name, data) in corpus.into_iter().chain([("commented", &commented[..]), ("spaced", &spaced[..])]) {
            assert!(decode(data).is_some(), "{name} is not claimed");
            assert_eq!(sniff(data, true), Sniff::Mine, "{name}");
            for n in 0..data.len().min(4096) {
                assert_ne!(sniff(&data[..n], false), Sniff::NotMine, "{name}, first {n} bytes");
            }
        }
    }

    #[test]
    fn other_data_is_refused_from_its_first_bytes() {
        let zeros = [0u8; 1024];
        let mut protobuf = vec![0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x12, 0x03, 0x0a, 0x01, 0x01];
        protobuf.extend([0x60, 0x01].repeat(32));
        let text = b"just some notes on the profile\n".repeat(3);
        for (name, data) in [("zeros", &zeros[..]), ("protobuf", &protobuf[..]), ("text", &text[..])] {
            assert_eq!(sniff(data, false), Sniff::NotMine, "{name}");
            assert_eq!(sniff(data, true), Sniff::NotMine, "{name}");
        }
        // A text line that has not ended could still be a header.
        assert_eq!(sniff(b"heap prof", false), Sniff::NeedMore);
        assert_eq!(sniff(b"heap prof", true), Sniff::NotMine);
        assert_eq!(sniff(b"\n\n  ", false), Sniff::NeedMore);
        // Too short to rule out a binary header yet.
        assert_eq!(sniff(&protobuf[..11], false), Sniff::NeedMore);
    }
}
