//! Checking a profile's bytes while they are still arriving (read from a
//! file or a response), so that input that cannot be a profile is refused
//! at its first bytes instead of after the size cap.
//!
//! The check is the one gzip output gets while it is inflated (see
//! [`gunzip`](super::gunzip)). Plain bytes go through the shape check
//! directly, all of them, for a few percent of the time decoding takes.
//! Gzip bytes are inflated as they arrive and their output goes through
//! the shape check, but only the first [`GZIP_CHECKED`] bytes of it:
//! inflating a whole response here, and again in [`decode`](super::decode),
//! would add about 40% to the time a gzipped profile takes to load. That
//! is enough to refuse any gzip data that cannot start a profile; gzip
//! data that starts as one and turns into something else later is read up
//! to the size cap and refused by `decode`.
//!
//! **Invariant:** `take` refuses nothing that `decode` would accept, with
//! one exception shared with gzip input: a legacy text profile whose
//! header follows more than 64 KiB of blank or comment lines.

use std::io::Write;

use flate2::write::MultiGzDecoder;

use super::gunzip::{gzip_error, Guard};
use super::shape::ShapeCheck;
use super::{DecodeError, DecodeOptions};

/// Gzip output checked as it arrives, at most.
const GZIP_CHECKED: u64 = 1 << 20;

/// The check for one input, fed its bytes in order.
pub struct Incoming {
    state: State,
    /// Bytes taken so far.
    taken: u64,
}

enum State {
    /// Fewer than two bytes: gzip or not is still open.
    Start { first: Vec<u8>, options: DecodeOptions },
    Plain(ShapeCheck),
    Gzip(Box<MultiGzDecoder<Sink>>),
    /// Gzip whose first [`GZIP_CHECKED`] bytes of output passed.
    Passed,
    /// Refused already; the error was returned.
    Refused,
}

/// Receives inflated output and checks it.
struct Sink {
    guard: Guard,
    /// Why the last write was refused.
    error: Option<DecodeError>,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.guard.take(buf, false) {
            Ok(()) => Ok(buf.len()),
            Err(e) => {
                self.error = Some(e);
                Err(std::io::Error::other("refused"))
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Incoming {
    pub fn new(options: &DecodeOptions) -> Incoming {
        Incoming { state: State::Start { first: Vec::new(), options: options.clone() }, taken: 0 }
    }

    /// Takes the next bytes of the input. An error means that no input
    /// starting with the bytes taken so far can be decoded; later calls
    /// then do nothing.
    pub fn take(&mut self, bytes: &[u8]) -> Result<(), DecodeError> {
        self.taken += bytes.len() as u64;
        if let State::Start { first, options } = &mut self.state {
            first.extend_from_slice(bytes);
            if first.len() < 2 {
                return Ok(());
            }
            let head = std::mem::take(first);
            self.state = if head.starts_with(&[0x1f, 0x8b]) {
                State::Gzip(Box::new(MultiGzDecoder::new(Sink { guard: Guard::arriving(options), error: None })))
            } else {
                State::Plain(ShapeCheck::new(false))
            };
            return self.take_checked(&head);
        }
        self.take_checked(bytes)
    }

    /// Says that no bytes follow, so that plain input shorter than the
    /// sniffers' window is checked as a whole. How a gzip stream ends is
    /// left to [`decode`](super::decode), which inflates it again and says
    /// where it was cut.
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        let result = match &mut self.state {
            State::Plain(shape) => shape.take(&[], true),
            _ => Ok(()),
        };
        if result.is_err() {
            self.state = State::Refused;
        }
        result
    }

    /// Feeds bytes past the gzip-or-not decision.
    fn take_checked(&mut self, bytes: &[u8]) -> Result<(), DecodeError> {
        let result = match &mut self.state {
            State::Plain(shape) => shape.take(bytes, false),
            State::Gzip(inflater) => inflater.write_all(bytes).map_err(|e| {
                let sink = inflater.get_mut();
                sink.error.take().unwrap_or_else(|| gzip_error(e, self.taken as usize, sink.guard.total()))
            }),
            State::Start { .. } | State::Passed | State::Refused => Ok(()),
        };
        if result.is_err() {
            self.state = State::Refused;
        } else if matches!(&self.state, State::Gzip(inflater) if inflater.get_ref().guard.total() >= GZIP_CHECKED) {
            self.state = State::Passed;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Seen;
    use flate2::{write::GzEncoder, Compression};

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::best());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    /// Feeds `data` in pieces of `piece` bytes, then ends it; the error
    /// and how many bytes had been taken when it came.
    fn feed(data: &[u8], piece: usize, options: &DecodeOptions) -> Option<(DecodeError, usize)> {
        let mut check = Incoming::new(options);
        let mut at = 0;
        for chunk in data.chunks(piece) {
            at += chunk.len();
            if let Err(e) = check.take(chunk) {
                return Some((e, at));
            }
        }
        check.finish().err().map(|e| (e, at))
    }

    #[test]
    fn zeros_are_refused_at_once_plain_or_gzipped() {
        let options = DecodeOptions::default();
        let zeros = vec![0u8; 1 << 20];
        let (err, at) = feed(&zeros, 4096, &options).unwrap();
        assert_eq!((err, at), (DecodeError::NotAProfile { seen: Seen::Binary, gzip: false }, 4096));
        let (err, at) = feed(&gzip(&zeros), 64, &options).unwrap();
        assert_eq!(err, DecodeError::NotAProfile { seen: Seen::Binary, gzip: true });
        assert!(at < 1024, "refused after {at} compressed bytes");
    }

    #[test]
    fn short_plain_input_is_checked_at_its_end() {
        let page = b"<!DOCTYPE html><html><body>login</body></html>\n";
        let mut check = Incoming::new(&DecodeOptions::default());
        assert_eq!(check.take(page), Ok(()), "less than a KiB: the sniffers wait");
        assert_eq!(check.finish(), Err(DecodeError::NotAProfile { seen: Seen::Html, gzip: false }));
        // A whole legacy profile shorter than that passes.
        assert_eq!(feed(b"goroutine profile: total 1\n1 @ 0x1 0x2\n", 1000, &DecodeOptions::default()), None);
    }

    #[test]
    fn profiles_pass_in_any_pieces() {
        let text = b"goroutine profile: total 2\n1 @ 0x1000 0x2\n1 @ 0x1001 0x2\n";
        let profile = crate::profile::decode(text, &DecodeOptions::default()).unwrap();
        let proto = crate::profile::encode(&profile);
        let options = DecodeOptions::default();
        for data in [text.to_vec(), gzip(text), proto.clone(), gzip(&proto), [gzip(&proto[..9]), gzip(&proto[9..])].concat()] {
            for piece in [1, 2, 3, 7, 1000] {
                assert_eq!(feed(&data, piece, &options), None, "{} bytes in pieces of {piece}", data.len());
            }
        }
    }

    #[test]
    fn gzip_is_checked_as_far_as_its_first_mebibyte() {
        // Zeros after a valid start are refused within the checked part...
        let text = b"goroutine profile: total 1\n1 @ 0x1 0x2\n";
        let start = crate::profile::encode(&crate::profile::decode(text, &DecodeOptions::default()).unwrap());
        let mut data = start.clone();
        data.resize(1 << 20, 0);
        let (err, _) = feed(&gzip(&data), 4096, &DecodeOptions::default()).unwrap();
        assert!(matches!(err, DecodeError::Broken { offset, gzip: true, .. } if offset == start.len() as u64), "{err}");
        // ...and let through well past it, for `decode` to refuse. (Where
        // checking stops depends on how much one piece inflates to.)
        let mut data = start.clone();
        data.extend((0..4 * GZIP_CHECKED).map(|i| [0x48, 0x01][i as usize % 2]));
        data.resize(data.len() + (1 << 20), 0);
        assert_eq!(feed(&gzip(&data), 4096, &DecodeOptions::default()), None);
        assert!(crate::profile::decode(&gzip(&data), &DecodeOptions::default()).is_err());
    }

    #[test]
    fn gzip_output_past_the_cap_and_broken_gzip_are_refused() {
        let mut text = b"goroutine profile: total 1\n1 @ 0x1 0x2\n".to_vec();
        text.resize(1 << 20, b'\n');
        let small = DecodeOptions { max_decompressed_bytes: 100_000, ..DecodeOptions::default() };
        assert_eq!(feed(&gzip(&text), 4096, &small).map(|(e, _)| e), Some(DecodeError::TooLarge { limit: 100_000 }));
        // A deflate block of the reserved type.
        let bad = [&[0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff][..], &[0xff; 100]].concat();
        let refused = feed(&bad, 4096, &DecodeOptions::default());
        assert!(matches!(refused, Some((DecodeError::Gzip(_), _))), "{refused:?}");
    }
}
