//! Java agent profiles: `--- heapz 1 ---` and `--- contentionz 1 ---` text
//! (with a `format = java` attribute), and the Java flavour of the binary
//! CPU profile. All end with a section naming each address:
//!
//! ```text
//!  0x00000003 com.example.Foo.bar (Foo.java:103)
//!  0x00000004 GC
//! ```
//!
//! Addresses are only keys into that section: once named, a location keeps
//! no address (and unnamed ones lose theirs too, after being given the
//! catch-all mapping), just as pprof presents these profiles.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::builder::ProfileBuilder;
use super::go_text::scale_heap;
use super::gperftools::{cpu_profile_shell, sample_values, RawSample};
use super::memmap;
use super::text::{ascii_regex, hex_addresses, parse_go_int};
use super::Sniff;
use crate::profile::model::{base_name, FunctionIdx, Label, LabelValue, Line, LocationIdx, Profile, ValueType};
use crate::profile::DecodeError;

const FORMAT: &str = "Java";

/// Java heap records are sampled every 512 KiB on average.
const HEAP_SAMPLING_RATE: i64 = 524288;

static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| ascii_regex(r"([\w ]+)=([\w ]+)"));
static RECORD: LazyLock<Regex> = LazyLock::new(|| ascii_regex(r" *(\d+) +(\d+) +@ +([ x0-9a-f]*)"));
static SYMBOL: LazyLock<Regex> = LazyLock::new(|| ascii_regex(r"^\s*0x([[:xdigit:]]+)\s+(.*)\s*$"));
static FUNCTION_FILE_LINE: LazyLock<Regex> = LazyLock::new(|| ascii_regex(r"^(.*)\s+\((.+):(-?[[:digit:]]+)\)$"));
static FUNCTION_PATH: LazyLock<Regex> = LazyLock::new(|| ascii_regex(r"^(.*)\s+\((.*)\)$"));

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Heap,
    Contention,
}

const HEADERS: [(&str, Kind); 2] = [("--- heapz 1 ---", Kind::Heap), ("--- contentionz 1 ---", Kind::Contention)];

/// Decodes the text forms (heapz, contentionz).
pub(super) fn decode(data: &[u8]) -> Option<Result<Profile, DecodeError>> {
    let newline = data.iter().position(|&b| b == b'\n')?;
    let kind = header_kind(&data[..newline])?;
    let text = String::from_utf8_lossy(&data[newline + 1..]);
    Some(parse_text(&text, kind))
}

/// The kind a whole first line (without its newline) announces.
fn header_kind(line: &[u8]) -> Option<Kind> {
    let line = std::str::from_utf8(line).ok()?.trim();
    HEADERS.iter().find(|(h, _)| *h == line).map(|(_, k)| *k)
}

/// [`decode`]'s test on a prefix: final once the first line has ended, or
/// as soon as it can no longer become a header.
pub(super) fn sniff(head: &[u8], complete: bool) -> Sniff {
    match head.iter().position(|&b| b == b'\n') {
        Some(newline) => Sniff::from(header_kind(&head[..newline]).is_some()),
        None if complete => Sniff::NotMine,
        None => {
            // A character cut off at the end of `head` is left out.
            let partial = match std::str::from_utf8(head) {
                Ok(text) => text,
                Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
                Err(_) => return Sniff::NotMine,
            };
            let partial = partial.trim_start();
            let may_grow = HEADERS.iter().any(|(h, _)| {
                h.starts_with(partial) || partial.strip_prefix(h).is_some_and(|rest| rest.trim().is_empty())
            });
            if may_grow {
                Sniff::NeedMore
            } else {
                Sniff::NotMine
            }
        }
    }
}

/// Splits off the next `\n`-terminated line; an unterminated tail is not a
/// line here (it is left for the symbol section).
fn next_line(rest: &str) -> Option<(&str, &str)> {
    rest.split_once('\n')
}

fn parse_text(text: &str, kind: Kind) -> Result<Profile, DecodeError> {
    let profile = Profile { period_type: Some(ValueType::default()), ..Default::default() };
    let mut builder = ProfileBuilder::new(profile);
    let mut rest = text;
    let mut line_no = 1;

    // Attributes, up to the first line that is not `key = value`.
    while let Some((line, after)) = next_line(rest) {
        let line = line.trim();
        if !line.is_empty() {
            let Some(c) = ATTRIBUTE.captures(line) else { break };
            let key = c.get(1).map_or("", |m| m.as_str()).trim();
            let value = c.get(2).map_or("", |m| m.as_str()).trim();
            let error = |m: String| DecodeError::text(FORMAT, line_no + 1, m);
            let p = builder.profile();
            match (kind, key) {
                (_, "format") if value != "java" => {
                    return Err(error(format!("format is {value:?}, expected \"java\"")));
                }
                (_, "format") => {}
                (Kind::Heap, "resolution") => {
                    p.sample_types =
                        vec![ValueType::new("inuse_objects", "count"), ValueType::new("inuse_space", value)];
                }
                (Kind::Contention, "resolution") => {
                    p.sample_types = vec![ValueType::new("contentions", "count"), ValueType::new("delay", value)];
                }
                (Kind::Contention, "sampling period") => {
                    p.period_type = Some(ValueType::new("contentions", "count"));
                    p.period = parse_go_int(value)
                        .ok_or_else(|| error(format!("sampling period {value:?} is not an integer")))?;
                }
                (Kind::Contention, "ms since reset") => {
                    let ms = parse_go_int(value)
                        .ok_or_else(|| error(format!("ms since reset {value:?} is not an integer")))?;
                    p.duration_nanos = ms.wrapping_mul(1_000_000);
                }
                _ => return Err(error(format!("unknown attribute `{key}`"))),
            }
        }
        line_no += 1;
        rest = after;
    }

    // Records, up to the first line that is not one.
    let mut by_address: HashMap<u64, LocationIdx> = HashMap::new();
    while let Some((line, after)) = next_line(rest) {
        let line = line.trim();
        if !line.is_empty() {
            let Some(c) = RECORD.captures(line) else { break };
            let error = |m: String| DecodeError::text(FORMAT, line_no + 1, m);
            let field = |i: usize| c.get(i).map_or("", |m| m.as_str());
            // The count comes second, after the size or delay.
            let mut count = parse_go_int(field(2)).ok_or_else(|| error(format!("bad count {:?}", field(2))))?;
            let mut amount = parse_go_int(field(1)).ok_or_else(|| error(format!("bad value {:?}", field(1))))?;
            let addresses = hex_addresses(field(3)).map_err(error)?;
            let mut labels = Vec::new();
            match kind {
                Kind::Heap => {
                    if count == 0 {
                        return Err(error("the object count (second number) must not be 0".into()));
                    }
                    let value = LabelValue::Num { value: amount.wrapping_div(count), unit: "".into() };
                    labels.push(Label { key: "bytes".into(), value });
                    (count, amount) = scale_heap(count, amount, HEAP_SAMPLING_RATE);
                }
                Kind::Contention => {
                    let period = builder.profile().period;
                    if period != 0 {
                        count = count.wrapping_mul(period);
                        amount = amount.wrapping_mul(period);
                    }
                }
            }
            let locations = addresses.into_iter().map(|a| intern(&mut builder, &mut by_address, a)).collect();
            builder.add_sample(locations, vec![count, amount], labels);
        }
        line_no += 1;
        rest = after;
    }

    if builder.profile().sample_types.is_empty() && !builder.profile().samples.is_empty() {
        return Err(DecodeError::text(FORMAT, 1, "no `resolution` attribute, so the sample values have no types"));
    }
    name_locations(builder, &by_address, rest, line_no + 1)
}

/// Builds the Java flavour of the binary CPU profile from its records and
/// the text after the end marker.
pub(super) fn cpu_profile(samples: Vec<RawSample>, period: i64, trailer: &[u8]) -> Result<Profile, DecodeError> {
    let mut builder = ProfileBuilder::new(cpu_profile_shell(period));
    let mut by_address: HashMap<u64, LocationIdx> = HashMap::new();
    for s in samples {
        let locations = s.addresses.iter().map(|&a| intern(&mut builder, &mut by_address, a)).collect();
        builder.add_sample(locations, sample_values(s.count, period), Vec::new());
    }
    let text = String::from_utf8_lossy(trailer);
    name_locations(builder, &by_address, &text, 1)
}

fn intern(builder: &mut ProfileBuilder, by_address: &mut HashMap<u64, LocationIdx>, address: u64) -> LocationIdx {
    let idx = builder.address(address);
    by_address.insert(address, idx);
    idx
}

/// Reads the symbol section and finishes the profile.
fn name_locations(
    mut builder: ProfileBuilder,
    by_address: &HashMap<u64, LocationIdx>,
    symbols: &str,
    first_line_no: usize,
) -> Result<Profile, DecodeError> {
    let mut functions: HashMap<String, FunctionIdx> = HashMap::new();
    let mut named = vec![false; builder.profile().locations.len()];
    for (i, line) in symbols.split('\n').enumerate() {
        let line = line.trim();
        let Some(c) = SYMBOL.captures(line) else { continue };
        let hex = c.get(1).map_or("", |m| m.as_str());
        let address = u64::from_str_radix(hex, 16).map_err(|_| {
            DecodeError::text(FORMAT, first_line_no + i, format!("address 0x{hex} does not fit in 64 bits"))
        })?;
        let Some(&idx) = by_address.get(&address) else { continue };
        let (name, file, line_number) = describe(c.get(2).map_or("", |m| m.as_str()));
        // Functions are told apart by name alone; the first file seen stays.
        let function = match functions.get(&name) {
            Some(&f) => f,
            None => {
                let f = builder.function(&name, &file);
                functions.insert(name, f);
                f
            }
        };
        if let Some(loc) = builder.profile().locations.get_mut(idx.get()) {
            loc.lines = vec![Line { function, line: line_number, column: 0 }];
            named[idx.get()] = true;
        }
    }
    let mut profile = builder.finish();
    // Named locations drop their address before mappings are assigned, so
    // only unnamed ones land in the catch-all mapping; then all addresses go.
    for (loc, &is_named) in profile.locations.iter_mut().zip(&named) {
        if is_named {
            loc.address = 0;
        }
    }
    memmap::attach(&mut profile, Vec::new());
    for loc in &mut profile.locations {
        loc.address = 0;
    }
    keep_used_functions(&mut profile);
    Ok(profile)
}

/// Splits a symbol description into function, file and line.
fn describe(text: &str) -> (String, String, i64) {
    if let Some(c) = FUNCTION_FILE_LINE.captures(text) {
        let field = |i: usize| c.get(i).map_or("", |m| m.as_str());
        let line = field(3).parse::<i64>().ok().filter(|&n| n > 0).unwrap_or(0);
        return (field(1).to_string(), field(2).to_string(), line);
    }
    if let Some(c) = FUNCTION_PATH.captures(text) {
        // A native library: only its file name is of interest.
        let field = |i: usize| c.get(i).map_or("", |m| m.as_str());
        return (field(1).to_string(), base_name(field(2)).to_string(), 0);
    }
    if text.contains("generated stub/JIT") {
        return ("STUB".to_string(), String::new(), 0);
    }
    // Agent states such as `GC` or `VM`.
    (text.to_string(), String::new(), 0)
}

/// Drops functions no location refers to (a later symbol line can replace
/// an earlier one) and numbers the rest in order of first use.
fn keep_used_functions(profile: &mut Profile) {
    let mut new_index: Vec<Option<FunctionIdx>> = vec![None; profile.functions.len()];
    let mut kept = Vec::new();
    for loc in &mut profile.locations {
        for line in &mut loc.lines {
            let Some(slot) = new_index.get_mut(line.function.get()) else { continue };
            let idx = *slot.get_or_insert_with(|| {
                let mut f = profile.functions[line.function.get()].clone();
                f.id = kept.len() as u64 + 1;
                kept.push(f);
                FunctionIdx(kept.len() as u32 - 1)
            });
            line.function = idx;
        }
    }
    profile.functions = kept;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heapz_with_symbols() {
        let p = decode(
            b"--- heapz 1 ---\nformat = java\nresolution = bytes\n  1048576 1 @ 0x3 0x4\n\n\
              0x3 com.x.A.f (A.java:12)\n 0x4 VM\n0x5 unused (lib/x.so)\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(p.sample_types[1], ValueType::new("inuse_space", "bytes"));
        assert_eq!(p.sample(0).values, vec![1, 1212696]);
        let loc = p.location(p.sample(0).locations[0]);
        assert_eq!(loc.address, 0);
        assert_eq!(p.function(loc.lines[0].function).name, "com.x.A.f");
        assert_eq!(loc.lines[0].line, 12);
        assert!(p.mappings.is_empty());
        assert_eq!(p.period_type, Some(ValueType::default()));
    }

    #[test]
    fn contention_multiplies_by_period() {
        let p = decode(
            b"--- contentionz 1 ---\nformat = java\nresolution = microseconds\nsampling period = 100\n\
              ms since reset = 2\n 7 2 @ 0x1\n0x1 f (/a/b/libc.so)\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(p.sample(0).values, vec![200, 700]);
        assert_eq!(p.duration_nanos, 2_000_000);
        let f = p.function(p.location(p.sample(0).locations[0]).lines[0].function);
        assert_eq!((f.name.as_str(), f.filename.as_str()), ("f", "libc.so"));
    }

    #[test]
    fn zero_count_and_unnamed_addresses() {
        let err = decode(b"--- heapz 1 ---\n0 0 @ 0\n").unwrap().unwrap_err();
        assert_eq!(err.to_string(), "Java profile, line 2: the object count (second number) must not be 0");
        let p = decode(b"--- contentionz 1 ---\nresolution = ms\n 1 1 @ 0x9\n").unwrap().unwrap();
        assert_eq!(p.mappings.len(), 1, "unnamed location gets the catch-all mapping");
        assert_eq!(p.locations[0].address, 0);
        assert!(decode(b"--- heapz 1 ---").is_none());
        assert!(decode(b"--- heapz 2 ---\n").is_none());
    }

}
