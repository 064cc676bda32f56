//! C++ lock contention profiles: `--- contentionz 1 ---`, `key = value`
//! attributes, one `<cycles> <count> @ <addresses>` record per stack, then
//! a memory map. A profile carrying `format` or `resolution` attributes is
//! the Java form and is left to the Java decoder.
//!
//! With a sampling period P and a clock of H cycles per second, a record is
//! worth `count * P` contentions and `cycles * P / (H / 1e9)` nanoseconds
//! of delay; without H the delay stays in cycles and is not multiplied.

use std::sync::LazyLock;

use regex::Regex;

use super::text::ascii_regex;

use super::builder::ProfileBuilder;
use super::memmap;
use super::text::{hex_addresses, is_blank_or_comment, is_memory_map_start, parse_go_int, Lines};
use super::Sniff;
use crate::profile::model::{Profile, ValueType};
use crate::profile::DecodeError;

const FORMAT: &str = "contentionz";

static RECORD: LazyLock<Regex> = LazyLock::new(|| ascii_regex(r"(\d+) *(\d+) @([ x0-9a-f]*)"));

const HEADER: &[u8] = b"--- contentionz ";

pub(super) fn decode(data: &[u8]) -> Option<Result<Profile, DecodeError>> {
    if sniff(data, true) != Sniff::Mine {
        return None;
    }
    let text = String::from_utf8_lossy(data);
    parse(&text)
}

/// The input starts with the header. (The Java form shares it; `decode`
/// leaves that one to the Java decoder after reading its attributes.)
pub(super) fn sniff(head: &[u8], complete: bool) -> Sniff {
    if !complete && head.len() < HEADER.len() && HEADER.starts_with(head) {
        return Sniff::NeedMore;
    }
    Sniff::from(head.starts_with(HEADER))
}

/// `None` when the attributes show the Java form.
fn parse(text: &str) -> Option<Result<Profile, DecodeError>> {
    let profile = Profile {
        period_type: Some(ValueType::new("contentions", "count")),
        period: 1,
        sample_types: vec![ValueType::new("contentions", "count"), ValueType::new("delay", "nanoseconds")],
        ..Default::default()
    };
    let mut builder = ProfileBuilder::new(profile);
    let mut lines = Lines::new(text);
    lines.advance(); // the header

    let mut cycles_per_second: i64 = 0;
    while lines.advance() {
        let line = lines.text().trim();
        if is_blank_or_comment(line) {
            continue;
        }
        if line.starts_with("---") {
            break;
        }
        let Some((key, value)) = line.split_once('=') else { break };
        let (key, value) = (key.trim(), value.trim());
        let number = || {
            parse_go_int(value).ok_or_else(|| {
                DecodeError::text(FORMAT, lines.number(), format!("`{key}` must be an integer, found {value:?}"))
            })
        };
        match key {
            "cycles/second" => match number() {
                Ok(n) => cycles_per_second = n,
                Err(e) => return Some(Err(e)),
            },
            "sampling period" => match number() {
                Ok(n) => builder.profile().period = n,
                Err(e) => return Some(Err(e)),
            },
            "ms since reset" => match number() {
                Ok(n) => builder.profile().duration_nanos = n.wrapping_mul(1_000_000),
                Err(e) => return Some(Err(e)),
            },
            "discarded samples" => {}
            // Only the Java form names these.
            "format" | "resolution" => return None,
            _ => {
                let message = format!("unknown attribute `{key}`");
                return Some(Err(DecodeError::text(FORMAT, lines.number(), message)));
            }
        }
    }

    // The line that ended the attributes is the first record (or a section
    // header, or nothing at the end of the input).
    let mut map_follows = false;
    loop {
        let line = lines.text().trim();
        if line.starts_with("---") {
            map_follows = true;
            break;
        }
        if !is_blank_or_comment(line) {
            let period = builder.profile().period;
            match parse_record(line, period, cycles_per_second) {
                Ok((values, addresses)) => {
                    let locations = addresses.into_iter().map(|a| builder.address(a.wrapping_sub(1))).collect();
                    builder.add_sample(locations, values, Vec::new());
                }
                Err(m) => return Some(Err(DecodeError::text(FORMAT, lines.number(), m))),
            }
        }
        if !lines.advance() {
            break;
        }
    }
    let mut mappings = Vec::new();
    if map_follows {
        // Other sections may come first; the map starts at its own header.
        while !is_memory_map_start(lines.text()) && lines.advance() {}
        mappings = memmap::parse_lines(&mut lines);
    }
    let mut profile = builder.finish();
    memmap::attach(&mut profile, mappings);
    Some(Ok(profile))
}

/// `[contentions, delay]` and the raw stack of one record.
fn parse_record(line: &str, period: i64, cycles_per_second: i64) -> Result<(Vec<i64>, Vec<u64>), String> {
    let c = RECORD.captures(line).ok_or_else(|| format!("expected `cycles count @ addresses`, found {line:?}"))?;
    let field = |i: usize| c.get(i).map_or("", |m| m.as_str());
    let mut delay: i64 = field(1).parse().map_err(|_| format!("delay {:?} is out of range", field(1)))?;
    let mut count: i64 = field(2).parse().map_err(|_| format!("count {:?} is out of range", field(2)))?;
    if period > 0 {
        if cycles_per_second > 0 {
            let cycles_per_nanosecond = cycles_per_second as f64 / 1e9;
            delay = (delay as f64 * period as f64 / cycles_per_nanosecond) as i64;
        }
        count = count.wrapping_mul(period);
    }
    let addresses = hex_addresses(field(3))?;
    Ok((vec![count, delay], addresses))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_by_period_and_clock() {
        let p = decode(
            b"--- contentionz 1 ---\ncycles/second = 2000000000\nsampling period = 10\nms since reset = 5\n\
              4000 2 @ 0x11 0x22\n--- Memory map: ---\n0-1000: /bin/x\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(p.sample(0).values, vec![20, 20000]);
        assert_eq!(p.duration_nanos, 5_000_000);
        assert_eq!(p.mappings.len(), 1);
        assert_eq!(p.location(p.sample(0).locations[1]).address, 0x21);
    }

    #[test]
    fn java_form_is_left_alone_and_bad_values_are_errors() {
        assert!(decode(b"--- contentionz 1 ---\nformat = java\n").is_none());
        assert!(decode(b"--- mutex:\n").is_none());
        let err = decode(b"--- contentionz 1 ---\nsampling period = x\n").unwrap().unwrap_err();
        assert_eq!(err.to_string(), "contentionz profile, line 2: `sampling period` must be an integer, found \"x\"");
        let err = decode(b"--- contentionz 1 ---\n1 2 @ 0x1\nbroken\n").unwrap().unwrap_err();
        assert!(matches!(err, DecodeError::Text { line: 3, .. }));
    }
}
