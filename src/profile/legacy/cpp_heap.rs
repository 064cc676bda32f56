//! C++ heap profiles in text form (tcmalloc and friends): a
//! `heap profile: N: B [N: B] @ <sampler>` header, one record per stack,
//! then a memory map. The sampler decides how values are scaled:
//!
//! * `heapz_v2/R`, `heap_v2/R`: Poisson sampling with mean interval R
//!   bytes, undone as for Go heap profiles.
//! * `heapprofile`: every allocation recorded; period 1, no scaling.
//! * `growthz`, `fragmentationz`: unsampled growth/fragmentation counts.
//!
//! Go's own `@ heap/R` header belongs to the Go text decoder.

use std::sync::LazyLock;

use regex::Regex;

use super::text::ascii_regex;

use super::builder::ProfileBuilder;
use super::go_text::scale_heap;
use super::memmap;
use super::text::{hex_addresses, is_blank_or_comment, is_memory_map_start, looks_like_text, Lines};
use super::Sniff;
use crate::profile::model::{Label, LabelValue, Profile, ValueType};
use crate::profile::DecodeError;

const FORMAT: &str = "C++ heap";

static HEAP_HEADER: LazyLock<Regex> =
    LazyLock::new(|| ascii_regex(r"heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] *@ *(heap[_a-z0-9]*)/?(\d*)"));
static GROWTH_HEADER: LazyLock<Regex> =
    LazyLock::new(|| ascii_regex(r"heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] @ growthz?"));
static FRAGMENTATION_HEADER: LazyLock<Regex> =
    LazyLock::new(|| ascii_regex(r"heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] @ fragmentationz?"));
static RECORD: LazyLock<Regex> =
    LazyLock::new(|| ascii_regex(r"(-?\d+): *(-?\d+) *\[ *(\d+): *(\d+) *\] @([ x0-9a-f]*)"));

/// How the header says values were collected.
struct Header {
    period: i64,
    /// Poisson-sampled values that need scaling by `period`.
    poisson: bool,
    /// The record's bracketed allocation totals differ from the in-use
    /// ones, so both are reported.
    with_alloc: bool,
}

pub(super) fn decode(data: &[u8]) -> Option<Result<Profile, DecodeError>> {
    let header = first_line_header(data)?;
    let text = String::from_utf8_lossy(data);
    Some(parse(&text, header))
}

/// The header on the first line, if it is one of this format's.
fn first_line_header(data: &[u8]) -> Option<Header> {
    let first_end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let first = &data[..first_end];
    if !looks_like_text(first) || !first.windows(13).any(|w| w == b"heap profile:") {
        return None;
    }
    let first_line = String::from_utf8_lossy(first);
    parse_header(first_line.trim_end_matches('\r'))
}

/// [`decode`]'s test on a prefix: final once the first line ends, or as
/// soon as it holds a byte no text header has.
pub(super) fn sniff(head: &[u8], complete: bool) -> Sniff {
    if !complete && !head.contains(&b'\n') {
        return if looks_like_text(head) { Sniff::NeedMore } else { Sniff::NotMine };
    }
    Sniff::from(first_line_header(head).is_some())
}

fn parse_header(line: &str) -> Option<Header> {
    if let Some(c) = HEAP_HEADER.captures(line) {
        let field = |i: usize| c.get(i).map_or("", |m| m.as_str());
        let with_alloc = (field(3) != field(1) && field(3) != "0") || (field(4) != field(2) && field(4) != "0");
        let rate = match field(6) {
            "" => 0,
            digits => digits.parse::<i64>().ok()?,
        };
        return match field(5) {
            "heapz_v2" | "heap_v2" => Some(Header { period: rate, poisson: true, with_alloc }),
            "heapprofile" => Some(Header { period: 1, poisson: false, with_alloc }),
            // `heap` is Go's header; anything else is unknown.
            _ => None,
        };
    }
    if GROWTH_HEADER.is_match(line) || FRAGMENTATION_HEADER.is_match(line) {
        return Some(Header { period: 1, poisson: false, with_alloc: false });
    }
    None
}

fn parse(text: &str, header: Header) -> Result<Profile, DecodeError> {
    let mut profile =
        Profile { period_type: Some(ValueType::new("space", "bytes")), period: header.period, ..Default::default() };
    profile.sample_types = if header.with_alloc {
        // Allocation columns first so that in-use space is the usual pick.
        vec![
            ValueType::new("alloc_objects", "count"),
            ValueType::new("alloc_space", "bytes"),
            ValueType::new("inuse_objects", "count"),
            ValueType::new("inuse_space", "bytes"),
        ]
    } else {
        vec![ValueType::new("objects", "count"), ValueType::new("space", "bytes")]
    };
    let mut builder = ProfileBuilder::new(profile);
    let mut lines = Lines::new(text);
    lines.advance(); // the header
    let mut in_map = false;
    while lines.advance() {
        let line = lines.text().trim();
        if is_blank_or_comment(line) {
            continue;
        }
        if is_memory_map_start(line) {
            in_map = true;
            break;
        }
        let (values, block_size, addresses) =
            parse_record(line, &header).map_err(|m| DecodeError::text(FORMAT, lines.number(), m))?;
        // Return addresses point after the call; step back onto it.
        let locations = addresses.into_iter().map(|a| builder.address(a.wrapping_sub(1))).collect();
        let label = Label { key: "bytes".into(), value: LabelValue::Num { value: block_size, unit: "".into() } };
        builder.add_sample(locations, values, vec![label]);
    }
    let mappings = if in_map { memmap::parse_lines(&mut lines) } else { Vec::new() };
    let mut profile = builder.finish();
    memmap::attach(&mut profile, mappings);
    Ok(profile)
}

/// Values (allocation pair first when present, then in-use pair), the
/// average block size and the raw stack of one record.
fn parse_record(line: &str, header: &Header) -> Result<(Vec<i64>, i64, Vec<u64>), String> {
    let c = RECORD.captures(line).ok_or_else(|| format!("expected `N: B [N: B] @ addresses`, found {line:?}"))?;
    let field = |i: usize| c.get(i).map_or("", |m| m.as_str());
    let mut values = Vec::with_capacity(4);
    let mut block_size = 0;
    let mut push_pair = |count: &str, bytes: &str, what: &str| -> Result<(), String> {
        let count: i64 = count.parse().map_err(|_| format!("{what} count {count:?} is out of range"))?;
        let bytes: i64 = bytes.parse().map_err(|_| format!("{what} bytes {bytes:?} are out of range"))?;
        if count == 0 && bytes != 0 {
            return Err(format!("{what} count is 0 but {what} bytes are {bytes}"));
        }
        let (mut count, mut bytes) = (count, bytes);
        if count != 0 {
            block_size = bytes.wrapping_div(count);
            if header.poisson {
                (count, bytes) = scale_heap(count, bytes, header.period);
            }
        }
        values.push(count);
        values.push(bytes);
        Ok(())
    };
    if header.with_alloc {
        push_pair(field(3), field(4), "allocation")?;
    }
    push_pair(field(1), field(2), "in-use")?;
    let addresses = hex_addresses(field(5))?;
    Ok((values, block_size, addresses))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_heap_and_unknown_samplers_are_not_claimed() {
        assert!(decode(b"heap profile: 1: 2 [3: 4] @ heap/1048576\n").is_none());
        assert!(decode(b"heap profile: 1: 2 [3: 4] @ heapz/1\n").is_none());
        assert!(decode(b"goroutine profile: total 1\n").is_none());
    }

    #[test]
    fn heapz_v2_scales_and_growthz_does_not() {
        let p =
            decode(b"heap profile: 1: 1048576 [1: 1048576] @ heapz_v2/524288\n1: 1048576 [1: 1048576] @ 0x11 0x22\n")
                .unwrap()
                .unwrap();
        assert_eq!(p.sample(0).values, vec![1, 1212696]);
        assert_eq!(p.location(p.sample(0).locations[0]).address, 0x10);
        assert_eq!(p.mappings.len(), 1, "a catch-all mapping");
        let p = decode(b"heap profile: 1: 8 [ 1: 8] @ growthz\n 1: 8 [1: 8] @ 0x11\n").unwrap().unwrap();
        assert_eq!((p.period, p.sample(0).values.to_vec()), (1, vec![1, 8]));
    }

    #[test]
    fn alloc_columns_and_errors() {
        let p = decode(b"heap profile: 1: 8 [2: 32] @ heapprofile\n1: 8 [2: 32] @ 0x11\n").unwrap().unwrap();
        assert_eq!(p.sample_types.len(), 4);
        assert_eq!(p.sample(0).values, vec![2, 32, 1, 8]);
        let err = decode(b"heap profile: 1: 8 [1: 8] @ heapprofile\n0: 8 [0: 0] @ 0x11\n").unwrap().unwrap_err();
        assert_eq!(err.to_string(), "C++ heap profile, line 2: in-use count is 0 but in-use bytes are 8");
        let err = decode(b"heap profile: 1: 8 [1: 8] @ heapprofile\ngarbage\n").unwrap().unwrap_err();
        assert!(matches!(err, DecodeError::Text { line: 2, .. }));
    }
}
