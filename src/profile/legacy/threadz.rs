//! C++ thread dumps (`--- threadz 1 ---`): one `--- Thread <id> (name:
//! <name>/<tid>) stack: ---` block per thread holding its stack (and the
//! stack of its creator) as hex addresses, `[same as previous thread]` for a
//! repeat, then a memory map. Each thread counts once.

use std::sync::LazyLock;

use regex::Regex;

use super::text::ascii_regex;

use super::builder::ProfileBuilder;
use super::memmap;
use super::text::{hex_addresses, is_blank_or_comment, is_memory_map_start, looks_like_text, Lines};
use super::Sniff;
use crate::profile::model::{LocationIdx, Profile, ValueType};
use crate::profile::DecodeError;

const FORMAT: &str = "threadz";

static THREADZ_HEADER: LazyLock<Regex> = LazyLock::new(|| ascii_regex(r"--- threadz \d+ ---"));
static THREAD_HEADER: LazyLock<Regex> =
    LazyLock::new(|| ascii_regex(r"--- Thread ([[:xdigit:]]+) \(name: (.*)/(\d+)\) stack: ---"));

pub(super) fn decode(data: &[u8]) -> Option<Result<Profile, DecodeError>> {
    if sniff(data, true) != Sniff::Mine {
        return None;
    }
    let text = String::from_utf8_lossy(data);
    Some(parse(&text))
}

/// The first line with content must open a dump, and every line up to it
/// must be text. On a prefix, final once that line has ended.
pub(super) fn sniff(head: &[u8], complete: bool) -> Sniff {
    let mut start = 0;
    let first = loop {
        let newline = head[start..].iter().position(|&b| b == b'\n');
        let end = newline.map_or(head.len(), |i| start + i);
        let bytes = &head[start..end];
        if !looks_like_text(bytes) {
            return Sniff::NotMine;
        }
        if newline.is_none() && !complete {
            return Sniff::NeedMore;
        }
        let Ok(line) = std::str::from_utf8(bytes) else { return Sniff::NotMine };
        if !is_blank_or_comment(line) || end == head.len() {
            break line;
        }
        start = end + 1;
    };
    let opens_dump = (first.contains("--- threadz ") || first.contains("--- Thread "))
        && (THREADZ_HEADER.is_match(first) || THREAD_HEADER.is_match(first));
    Sniff::from(opens_dump)
}

fn parse(text: &str) -> Result<Profile, DecodeError> {
    let mut lines = Lines::new(text);
    while lines.advance() && is_blank_or_comment(lines.text()) {}
    let mut line = lines.text();
    if THREADZ_HEADER.is_match(line) {
        // Skip notes up to the first thread (or the map).
        while lines.advance() {
            line = lines.text();
            if is_memory_map_start(line) || line.starts_with('-') {
                break;
            }
        }
    }

    let profile = Profile {
        sample_types: vec![ValueType::new("thread", "count")],
        period_type: Some(ValueType::new("thread", "count")),
        period: 1,
        ..Default::default()
    };
    let mut builder = ProfileBuilder::new(profile);
    let mut samples: Vec<(Vec<u64>, i64)> = Vec::new();
    while !is_memory_map_start(line) {
        if line.starts_with("---- no stack trace for") {
            break;
        }
        if !THREAD_HEADER.is_match(line) {
            let message = if lines.exhausted() {
                "the dump ends without a memory map section".to_string()
            } else {
                format!("expected a `--- Thread <id> (name: <name>/<tid>) stack: ---` line, found {line:?}")
            };
            return Err(DecodeError::text(FORMAT, lines.number(), message));
        }
        let (next, addresses) = read_stack(&mut lines)?;
        line = next;
        match addresses {
            Some(addresses) if !addresses.is_empty() => samples.push((addresses, 1)),
            // A repeat (or an empty stack) counts for the thread before it.
            _ => {
                if let Some(last) = samples.last_mut() {
                    last.1 += 1;
                }
            }
        }
    }
    while !is_memory_map_start(lines.text()) && lines.advance() {}
    let mappings = memmap::parse_lines(&mut lines);

    for (addresses, count) in samples {
        // The leaf is the interrupted PC itself; the others are return
        // addresses and step back onto their call.
        let locations: Vec<LocationIdx> = addresses
            .into_iter()
            .enumerate()
            .map(|(i, a)| builder.address(if i > 0 { a.wrapping_sub(1) } else { a }))
            .collect();
        builder.add_sample(locations, vec![count], Vec::new());
    }
    let mut profile = builder.finish();
    memmap::attach(&mut profile, mappings);
    drop_repeated_leaf(&mut profile);
    Ok(profile)
}

/// Reads one thread's stack lines. Returns the line that ended it (the next
/// `---` line, or the last line read) and the addresses, or `None` for a
/// `[same as previous thread]` block.
fn read_stack<'a>(lines: &mut Lines<'a>) -> Result<(&'a str, Option<Vec<u64>>), DecodeError> {
    let mut line = "";
    let mut same_as_previous = false;
    let mut addresses = Vec::new();
    while lines.advance() {
        line = lines.text().trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with("---") {
            break;
        }
        if line.contains("same as previous thread") {
            same_as_previous = true;
            continue;
        }
        let found = hex_addresses(line).map_err(|m| DecodeError::text(FORMAT, lines.number(), m))?;
        addresses.extend(found);
    }
    Ok((line, (!same_as_previous).then_some(addresses)))
}

/// Stack unwinding can report the leaf twice: once as the PC and once as a
/// return address, which was stepped back by one. Drops the second copy.
pub(super) fn drop_repeated_leaf(profile: &mut Profile) {
    let locations = &profile.locations;
    let rebuilt: Vec<_> = profile
        .iter_samples()
        .map(|sample| {
            let mut stack = sample.locations.to_vec();
            if let [first, second, ..] = stack[..] {
                if locations[first.get()].address == locations[second.get()].address.wrapping_add(1) {
                    stack.remove(1);
                }
            }
            (stack, sample.values.to_vec(), sample.labels.to_vec())
        })
        .collect();
    profile.samples.clear();
    profile.sample_locations.clear();
    profile.sample_values.clear();
    profile.sample_labels.clear();
    for (stack, values, labels) in rebuilt {
        profile.push_sample(&stack, &values, labels);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "--- threadz 1 ---\n\n--- Thread 1 (name: main/1) stack: ---\n  PC: 0x10 0x21 0x31\n\
        --- Thread 2 (name: t/2) stack: ---\n  [same as previous thread]\n\
        --- Thread 3 (name: u/3) stack: ---\n  PC:  0x00000040: f(int)\n  0x51: g\n      creator: 0x61\n\
        --- Memory map: ---\n  0-100: /bin/main\n";

    #[test]
    fn threads_repeats_and_duplicate_leaves() {
        let p = decode(DUMP.as_bytes()).unwrap().unwrap();
        let counts: Vec<_> = p.iter_samples().map(|s| s.values[0]).collect();
        assert_eq!(counts, vec![2, 1]);
        let addrs = |i: usize| -> Vec<u64> { p.sample(i).locations.iter().map(|&l| p.location(l).address).collect() };
        // 0x21 - 1 = 0x20 is not 0x10 - 1, so nothing is dropped in the first.
        assert_eq!(addrs(0), vec![0x10, 0x20, 0x30]);
        assert_eq!(addrs(1), vec![0x40, 0x50, 0x60]);
        assert!(p.locations.iter().all(|l| l.mapping.is_some()));
    }

    #[test]
    fn a_dump_without_a_map_is_rejected() {
        let err = decode(b"--- threadz 1 ---\n--- Thread 1 (name: m/1) stack: ---\n0x10\n").unwrap().unwrap_err();
        assert!(err.to_string().contains("without a memory map"), "{err}");
        assert!(decode(b"goroutine profile: total 1\n").is_none());
        assert!(decode(b"\n\n").is_none());
    }

    #[test]
    fn leaf_duplicate_is_dropped() {
        let p =
            decode(b"--- Thread 1 (name: m/1) stack: ---\nPC: 0x10 0x10 0x21\n--- Memory map: ---\n").unwrap().unwrap();
        let addrs: Vec<u64> = p.sample(0).locations.iter().map(|&l| p.location(l).address).collect();
        assert_eq!(addrs, vec![0x10, 0x20]);
        assert_eq!(p.locations.len(), 3, "the dropped copy keeps its location");
    }
}
