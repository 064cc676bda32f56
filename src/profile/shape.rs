//! Whether bytes can still be the start of a profile, decided as they
//! arrive, and what to call input that never was one.
//!
//! The check ([`ShapeCheck`]) offers the first KiB to the legacy sniffers
//! (up to 64 KiB while one of them still needs more). If none claims it,
//! the bytes must read as the top level of a protobuf `Profile`, followed
//! field by field by [`Scanner`]; zeros, text or other data fail within a
//! few bytes of where they start. Gzip output is checked this way while it
//! is inflated, and so are a file or a response while they are read.
//!
//! When a check or a decoder fails, [`refusal`] tells input that never
//! looked like a profile (text of any kind, or binary data whose first
//! protobuf message field is already wrong) from a profile that is
//! damaged further on, which keeps its precise error.

use super::legacy::{self, Sniff};
use super::wire::{ScanError, Scanner};
use super::{DecodeError, Seen};

/// Bytes first offered to the legacy sniffers; also how much of the start
/// is looked at to say what input that is no profile looks like.
pub(super) const SNIFF_FIRST: usize = 1 << 10;
/// Bytes after which a legacy header that has not shown up counts as
/// absent. The sniffers need more than a KiB only after long runs of
/// blank or comment lines.
pub(super) const SNIFF_WINDOW: usize = 64 << 10;

/// What the bytes have been found to be so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Undecided,
    /// A legacy decoder claims the header; nothing more is checked.
    Legacy,
    /// No legacy header: the bytes must be a protobuf `Profile`.
    Protobuf,
}

/// The shape check, fed one piece at a time.
#[derive(Debug)]
pub(super) struct ShapeCheck {
    shape: Shape,
    scanner: Scanner,
    scan_error: Option<ScanError>,
    /// The bytes seen while the shape was undecided (at most
    /// [`SNIFF_WINDOW`] of them), for the sniffers and for errors.
    head: Vec<u8>,
    /// How many bytes the sniffers get next: [`SNIFF_FIRST`], then, if
    /// one of them needs more, [`SNIFF_WINDOW`]. Asking them at these two
    /// sizes only keeps input that arrives a byte at a time from costing
    /// a sniff per byte.
    sniff_at: usize,
    /// Whether the bytes are inflated gzip output (for errors).
    gzip: bool,
}

impl ShapeCheck {
    pub(super) fn new(gzip: bool) -> ShapeCheck {
        ShapeCheck {
            shape: Shape::Undecided,
            scanner: Scanner::default(),
            scan_error: None,
            head: Vec::new(),
            sniff_at: SNIFF_FIRST,
            gzip,
        }
    }

    /// How many more bytes the sniffers want before they can decide, or
    /// `None` once the shape is settled.
    pub(super) fn wanted(&self) -> Option<usize> {
        (self.shape == Shape::Undecided).then(|| self.sniff_at.saturating_sub(self.head.len()).max(1))
    }

    /// Checks the next piece; `end` says no bytes follow it.
    pub(super) fn take(&mut self, piece: &[u8], end: bool) -> Result<(), DecodeError> {
        if self.shape != Shape::Legacy && self.scan_error.is_none() {
            self.scan_error = self.scanner.feed(piece).err();
        }
        if self.shape == Shape::Undecided {
            self.head.extend_from_slice(piece);
            if self.head.len() >= self.sniff_at || end {
                self.shape = match legacy::sniff(&self.head, end) {
                    Sniff::Mine => Shape::Legacy,
                    Sniff::NotMine => Shape::Protobuf,
                    Sniff::NeedMore if self.head.len() >= SNIFF_WINDOW => Shape::Protobuf,
                    Sniff::NeedMore => {
                        self.sniff_at = SNIFF_WINDOW;
                        Shape::Undecided
                    }
                };
            }
        }
        match (self.shape, &self.scan_error) {
            (Shape::Protobuf, Some(e)) => Err(refusal(&self.head, self.scanner.began_as_profile(e), self.gzip, || {
                DecodeError::Broken { offset: e.offset, reason: e.message.clone(), gzip: self.gzip }
            })),
            _ => Ok(()),
        }
    }
}

/// The error for bytes no decoder takes: [`DecodeError::NotAProfile`] when
/// they never looked like a profile (they read as text, or `began` is
/// false: no protobuf message field came whole before the failure), else
/// the precise error `damaged` makes.
pub(super) fn refusal(head: &[u8], began: bool, gzip: bool, damaged: impl FnOnce() -> DecodeError) -> DecodeError {
    let seen = Seen::of(head);
    if seen != Seen::Binary || !began {
        DecodeError::NotAProfile { seen, gzip }
    } else {
        damaged()
    }
}

/// Why a protobuf decoder's `error` for `data` (no legacy format's, not
/// gzip) should read as "not a profile", when it should.
pub(super) fn explain(data: &[u8], error: DecodeError, gzip: bool) -> DecodeError {
    let mut scanner = Scanner::default();
    let began = match scanner.feed(data) {
        Err(e) => scanner.began_as_profile(&e),
        // The top level reads as protobuf; the damage is inside a field
        // or at the end, and the decoder's error says where.
        Ok(()) => true,
    };
    refusal(data, began, gzip, || error)
}

impl Seen {
    /// What input that is no profile looks like, from its first KiB.
    /// Text is what has none of the control bytes text never holds (the
    /// rule of Go's `http.DetectContentType`), so Latin-1 and cut UTF-8
    /// count as text too.
    pub(super) fn of(head: &[u8]) -> Seen {
        let head = &head[..head.len().min(SNIFF_FIRST)];
        let binary = |b: &u8| matches!(b, 0x00..=0x08 | 0x0b | 0x0e..=0x1a | 0x1c..=0x1f);
        if head.is_empty() || head.iter().any(binary) {
            return Seen::Binary;
        }
        let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        let start = text.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(text.len());
        let text = String::from_utf8_lossy(&text[start..]).to_ascii_lowercase();
        if text.starts_with("<!doctype html") || (text.starts_with('<') && text.contains("<html")) {
            Seen::Html
        } else if text.starts_with('{') || json_array(&text) {
            Seen::Json
        } else {
            Seen::Text
        }
    }
}

/// Whether `text` opens a JSON array rather than, say, an INI section.
fn json_array(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('[') else { return false };
    let rest = rest.trim_start();
    rest.is_empty()
        || rest.starts_with(['{', '[', ']', '"', '-'])
        || rest.starts_with(|c: char| c.is_ascii_digit())
        || ["true", "false", "null"].iter().any(|word| rest.starts_with(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_input_looks_like() {
        let html: &[&[u8]] = &[
            b"<html><head>",
            b"\xef\xbb\xbf\n  <!DOCTYPE html><html><body>",
            b"<?xml version=\"1.0\"?>\n<html xmlns=\"x\">",
        ];
        let json: &[&[u8]] = &[b"{\"profiles\": []}", b" [1, 2]", b"[ {\"a\": true} ]"];
        let text: &[&[u8]] = &[
            b"# pprof-lsp\n\nShows Go profile costs.\n",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\">",
            b"[section]\nkey = value\n",
            b"caf\xe9 notes\r\n",
        ];
        let binary: &[&[u8]] = &[b"\x0a\x04\x08\x01\x10\x02", b"\0\0\0\0", b""];
        for (seen, heads) in [(Seen::Html, html), (Seen::Json, json), (Seen::Text, text), (Seen::Binary, binary)] {
            for head in heads {
                assert_eq!(Seen::of(head), seen, "{:?}", String::from_utf8_lossy(head));
            }
        }
    }

    #[test]
    fn never_a_profile_or_damaged_further_on() {
        let damaged = || DecodeError::Protobuf("here".into());
        // Text is never a protobuf profile, wherever the failure is.
        assert_eq!(explain(b"\n\x30abc", damaged(), false), DecodeError::NotAProfile { seen: Seen::Text, gzip: false });
        // Binary data that fails before a whole message field.
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0";
        assert_eq!(explain(png, damaged(), false), DecodeError::NotAProfile { seen: Seen::Binary, gzip: false });
        assert_eq!(explain(&[0; 64], damaged(), true), DecodeError::NotAProfile { seen: Seen::Binary, gzip: true });
        // A sample type, then zeros: a damaged profile.
        let mut broken = vec![0x0a, 0x04, 0x08, 0x01, 0x10, 0x02];
        broken.extend([0; 16]);
        assert_eq!(explain(&broken, damaged(), false), damaged());
        // A sample type cut short: the top level never fails.
        assert_eq!(explain(&[0x0a, 0x04, 0x08], damaged(), false), damaged());
    }

    #[test]
    fn the_check_refuses_where_the_bytes_stop_reading_as_a_profile() {
        // The sniffers decide at the first KiB, or at the end.
        let mut check = ShapeCheck::new(false);
        assert_eq!(check.take(b"<!DOCTYPE html>\n<html><head><title>profiles</title>", false), Ok(()));
        assert_eq!(check.take(&[b' '; SNIFF_FIRST], false), Err(DecodeError::NotAProfile { seen: Seen::Html, gzip: false }));
        let mut check = ShapeCheck::new(true);
        let mut data = vec![0x0a, 0x04, 0x08, 0x01, 0x10, 0x02];
        data.extend([0; SNIFF_FIRST]);
        assert_eq!(
            check.take(&data, false),
            Err(DecodeError::Broken { offset: 6, reason: "field number 0".into(), gzip: true })
        );
        // A legacy header settles it: nothing after it is checked.
        let mut check = ShapeCheck::new(false);
        assert_eq!(check.wanted(), Some(SNIFF_FIRST));
        assert_eq!(check.take(&[&b"goroutine profile: total 1\n"[..], &[0; SNIFF_FIRST]].concat(), false), Ok(()));
        assert_eq!(check.wanted(), None);
        assert_eq!(check.take(&[0; 4096], false), Ok(()));
    }
}
