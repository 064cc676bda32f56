//! Inflating gzip without trusting it. A few megabytes of gzip can hold
//! gigabytes of output, so the output is checked as it grows and inflating
//! stops at the first sign that it is no profile or is too large:
//!
//! 1. **Shape.** The output must be able to start a profile, checked as it
//!    arrives ([`ShapeCheck`]): a legacy format's header, or the top level
//!    of a protobuf `Profile`. Zeros, text or other data fail within a few
//!    bytes of where they start, even after a valid beginning.
//! 2. **Size.** Output may not pass [`DecodeOptions::max_decompressed_bytes`],
//!    nor `max(inflation_floor_bytes, max_inflation_ratio × compressed
//!    size)` (see [`DecodeOptions`] for why those numbers).
//! 3. **Memory.** At most [`DecodeOptions::max_buffered_bytes`] of output
//!    is kept while checking. Past that, output is counted and scanned but
//!    dropped, and only an input that passes every check is inflated a
//!    second time, into a buffer of its exact size. So a rejected input
//!    never costs more than that much memory, and profiles below it (all
//!    but giant ones) are inflated once into a single buffer.
//!
//! **The fast path.** A gzip stream ends with the size of its output
//! (modulo 2^32). When that size is within the limits above, the whole
//! stream is inflated at once with libdeflate into a buffer of exactly that
//! size, several times faster than inflating piece by piece, and the
//! output is then checked piece by piece as if it were arriving. Anything
//! else (several members, a size that does not match, damaged data, a size
//! over the limits) falls back to the streaming path, which is what
//! reports errors; so answers are the same either way, and the fast path
//! never holds more than the streaming path's buffer.

use std::io::Read;

use flate2::read::MultiGzDecoder;

use super::shape::{ShapeCheck, SNIFF_WINDOW};
use super::{DecodeError, DecodeOptions};

/// Output read between checks once the format is settled.
const CHUNK: usize = 4 << 20;

/// The checks, applied to each new piece of output.
pub(super) struct Guard {
    compressed: u64,
    ratio: u64,
    /// The lower of the absolute cap and the ratio bound.
    limit: u64,
    /// Whether `limit` is the ratio bound (for the error).
    ratio_binds: bool,
    shape: ShapeCheck,
    /// Output bytes seen.
    total: u64,
}

impl Guard {
    fn new(compressed: usize, options: &DecodeOptions) -> Guard {
        let compressed = compressed as u64;
        let ratio_bound = options.inflation_floor_bytes.max(options.max_inflation_ratio.saturating_mul(compressed));
        let limit = options.max_decompressed_bytes.min(ratio_bound);
        Guard {
            compressed,
            ratio: options.max_inflation_ratio,
            limit,
            ratio_binds: ratio_bound < options.max_decompressed_bytes,
            shape: ShapeCheck::new(true),
            total: 0,
        }
    }

    /// The checks for a stream whose compressed size is not known yet:
    /// shape and the absolute cap, no ratio bound.
    pub(super) fn arriving(options: &DecodeOptions) -> Guard {
        Guard {
            compressed: 0,
            ratio: options.max_inflation_ratio,
            limit: options.max_decompressed_bytes,
            ratio_binds: false,
            shape: ShapeCheck::new(true),
            total: 0,
        }
    }

    /// Output bytes seen so far.
    pub(super) fn total(&self) -> u64 {
        self.total
    }

    /// How many bytes to read next: enough to take the next decision,
    /// never more than one past the limit.
    fn next_read(&self) -> usize {
        let wanted = self.shape.wanted().unwrap_or(CHUNK);
        let allowed = self.limit.saturating_add(1).saturating_sub(self.total);
        wanted.min(usize::try_from(allowed).unwrap_or(usize::MAX)).max(1)
    }

    /// Checks the next piece of output; `end` says the stream has ended.
    pub(super) fn take(&mut self, piece: &[u8], end: bool) -> Result<(), DecodeError> {
        self.total += piece.len() as u64;
        if self.total > self.limit {
            return Err(if self.ratio_binds {
                DecodeError::InflationRatio { compressed: self.compressed, limit: self.limit, ratio: self.ratio }
            } else {
                DecodeError::TooLarge { limit: self.limit }
            });
        }
        self.shape.take(piece, end)
    }
}

/// The output of a single-member gzip stream inflated at once, when its
/// trailer declares a size below `keep` and inflating gives exactly that
/// size from exactly the whole input; `None` otherwise.
fn inflate_whole(data: &[u8], keep: usize) -> Option<Vec<u8>> {
    let declared = data.len().checked_sub(4).map(|at| u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]))?;
    let size = usize::try_from(declared).ok().filter(|&n| n < keep)?;
    let mut out = vec![0u8; size];
    let (mut used, mut written) = (0usize, 0usize);
    // SAFETY: the decompressor is checked for null and freed once; libdeflate
    // reads at most `data.len()` bytes from `data` and writes at most
    // `out.len()` bytes into `out`, and reports how many of each.
    let result = unsafe {
        let d = libdeflate_sys::libdeflate_alloc_decompressor();
        if d.is_null() {
            return None;
        }
        let result = libdeflate_sys::libdeflate_gzip_decompress_ex(
            d,
            data.as_ptr().cast(),
            data.len(),
            out.as_mut_ptr().cast(),
            out.len(),
            &mut used,
            &mut written,
        );
        libdeflate_sys::libdeflate_free_decompressor(d);
        result
    };
    let whole = result == libdeflate_sys::libdeflate_result_LIBDEFLATE_SUCCESS && used == data.len() && written == size;
    whole.then_some(out)
}

/// Applies the checks to output inflated at once, in the pieces the
/// streaming path would have read, so that every decision is the same.
fn check_whole(out: Vec<u8>, mut guard: Guard, keep: usize) -> Result<Vec<u8>, DecodeError> {
    let mut at = 0;
    loop {
        let want = guard.next_read().min(keep - at);
        let end = (at + want).min(out.len());
        let last = end - at < want;
        guard.take(&out[at..end], last)?;
        if last {
            return Ok(out);
        }
        at = end;
    }
}

/// The error for a failed read of gzip data of `compressed` bytes, after
/// `output` bytes of output.
pub(super) fn gzip_error(e: std::io::Error, compressed: usize, output: u64) -> DecodeError {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        DecodeError::TruncatedGzip { compressed: compressed as u64, output }
    } else {
        DecodeError::Gzip(format!("{e} (after {output} bytes of output)"))
    }
}

/// Inflates every gzip member in turn, under the checks above.
pub(crate) fn gunzip(data: &[u8], options: &DecodeOptions) -> Result<Vec<u8>, DecodeError> {
    let mut guard = Guard::new(data.len(), options);
    // Below the sniff window the shape could still be undecided when
    // output stops being kept.
    let buffered = options.max_buffered_bytes.max(SNIFF_WINDOW as u64);
    let keep = usize::try_from(buffered.min(guard.limit.saturating_add(1))).unwrap_or(usize::MAX);
    if let Some(out) = inflate_whole(data, keep) {
        return check_whole(out, guard, keep);
    }
    let mut reader = MultiGzDecoder::new(data);
    let mut out = Vec::with_capacity(data.len().saturating_mul(4).min(keep));

    // Kept output, one piece at a time.
    loop {
        let want = guard.next_read().min(keep - out.len());
        let start = out.len();
        // On an error, what was read before it is in `out` too.
        let read = (&mut reader).take(want as u64).read_to_end(&mut out);
        let n = read.map_err(|e| gzip_error(e, data.len(), out.len() as u64))?;
        let end = n < want;
        guard.take(&out[start..], end)?;
        if end {
            return Ok(out);
        }
        if out.len() >= keep {
            break;
        }
    }

    // Past the buffer: count and scan, keep nothing.
    let mut scratch = vec![0u8; CHUNK];
    loop {
        let want = guard.next_read().min(CHUNK);
        let mut n = 0;
        while n < want {
            match reader.read(&mut scratch[n..want]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(gzip_error(e, data.len(), guard.total + n as u64)),
            }
        }
        let end = n < want;
        guard.take(&scratch[..n], end)?;
        if end {
            break;
        }
    }
    drop(scratch);
    drop(out);

    // Everything passed: inflate again, once, at the exact size.
    let total = guard.total;
    let mut out = Vec::with_capacity(usize::try_from(total).unwrap_or(usize::MAX));
    MultiGzDecoder::new(data).take(total.saturating_add(1)).read_to_end(&mut out).map_err(|e| DecodeError::Gzip(e.to_string()))?;
    if out.len() as u64 != total {
        return Err(DecodeError::Gzip(format!("inflated to {} bytes the second time, {total} the first", out.len())));
    }
    Ok(out)
}
