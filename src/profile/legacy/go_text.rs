//! Go's `debug=1` text profiles, read through their `#` symbol lines:
//! `heap profile: … @ heap/R`, `<name> profile: total N` (goroutine,
//! threadcreate) and `--- mutex:` / `--- contention:` (mutex and block).
//!
//! Every `@` address of a record becomes one frame. A `#` line whose PC is
//! that address minus one gives the frame its function, file and line.
//! Addresses without a `#` line are treated the way the protobuf form of the
//! same profile treats them (see [`Record::frames`]).

use std::collections::HashMap;

use super::builder::{Frame, ProfileBuilder};
use super::Sniff;
use crate::profile::model::{Label, LabelValue, LocationIdx, Profile, ValueType};
use crate::profile::DecodeError;

const FORMAT: &str = "Go text";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// `heap profile:`; the field is the sampling rate (R/2).
    Heap { rate: i64 },
    /// `goroutine profile: total N` and friends.
    Count,
    /// `--- mutex:` or `--- contention:`.
    Contention,
}

/// Recognises a Go text profile by its first line and decodes it.
pub(super) fn decode(data: &[u8]) -> Option<Result<Profile, DecodeError>> {
    let kind = first_line(data).and_then(kind)?;
    let text = String::from_utf8_lossy(data);
    Some(parse(&text, kind))
}

/// How much of the first line is looked at.
const HEADER_BYTES: usize = 512;

fn first_line(data: &[u8]) -> Option<&str> {
    let start = data.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &data[start..];
    let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len()).min(HEADER_BYTES);
    std::str::from_utf8(&rest[..end]).ok().map(str::trim_end)
}

/// [`decode`]'s test on a prefix: final once the first line (or its first
/// [`HEADER_BYTES`]) is in `head`.
pub(super) fn sniff(head: &[u8], complete: bool) -> Sniff {
    let line_known = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .is_some_and(|start| head[start..].len() >= HEADER_BYTES || head[start..].contains(&b'\n'));
    if !complete && !line_known {
        return Sniff::NeedMore;
    }
    Sniff::from(first_line(head).and_then(kind).is_some())
}

fn kind(line: &str) -> Option<Kind> {
    if let Some(rest) = line.strip_prefix("heap profile:") {
        // Go writes `@ heap/R`; other samplers (heapz_v2, growthz, …) are
        // the C++ heap formats, decoded elsewhere.
        let (_, sampling) = rest.rsplit_once('@')?;
        let r = sampling.trim().strip_prefix("heap/")?;
        let r: i64 = r.trim().parse().ok()?;
        return Some(Kind::Heap { rate: r / 2 });
    }
    if line.starts_with("--- mutex:") || line.starts_with("--- contention:") {
        return Some(Kind::Contention);
    }
    let (name, total) = line.split_once(" profile: total ")?;
    let valid_name = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    (valid_name && total.trim().parse::<u64>().is_ok()).then_some(Kind::Count)
}

/// One `#` frame line: `#\t0xPC\tfunction+0xOFF\tfile:line`, or `#\t0xPC`
/// for a frame the runtime could not name.
#[derive(Clone, Debug)]
struct SymbolLine {
    pc: u64,
    frame: Option<Frame>,
}

#[derive(Default)]
struct Record {
    values: Vec<i64>,
    addresses: Vec<u64>,
    symbols: Vec<SymbolLine>,
    labels: Vec<Label>,
}

/// Where one stack entry of a record ends up.
enum Slot {
    Address(u64),
    Symbol(u64, Vec<Frame>),
}

impl Record {
    /// Lines up `#` lines with `@` addresses and decides what to keep.
    ///
    /// Go's writer hides three kinds of frame from the `#` lines: runtime
    /// frames at the leaf end (unless nothing else is left), `runtime.goexit`
    /// at the root, and nothing else. The protobuf form hides the leaf-end
    /// runtime frames only for heap profiles, so they are dropped there and
    /// kept as address-only frames elsewhere. Unnamed addresses after the
    /// first named one can only be `runtime.goexit`, which is dropped.
    fn slots(&self, heap: bool) -> Vec<Slot> {
        if self.symbols.is_empty() {
            return self.addresses.iter().map(|&a| Slot::Address(a.wrapping_sub(1))).collect();
        }
        let mut slots = Vec::with_capacity(self.addresses.len());
        let mut next = 0;
        for (i, &addr) in self.addresses.iter().enumerate() {
            let pc = addr.wrapping_sub(1);
            if self.symbols.get(next).is_some_and(|s| s.pc == pc) {
                let mut frames: Vec<Frame> = self.symbols[next].frame.iter().cloned().collect();
                next += 1;
                // Older Go printed every inlined frame of one address with the
                // same PC; a repeat of the PC that the next address does not
                // account for (recursion) is such a frame.
                let next_pc = self.addresses.get(i + 1).map(|a| a.wrapping_sub(1));
                while next_pc != Some(pc) && self.symbols.get(next).is_some_and(|s| s.pc == pc) {
                    frames.extend(self.symbols[next].frame.iter().cloned());
                    next += 1;
                }
                slots.push(if frames.is_empty() { Slot::Address(pc) } else { Slot::Symbol(pc, frames) });
            } else {
                slots.push(Slot::Address(pc));
            }
        }
        if next < self.symbols.len() {
            // The `#` lines do not follow the addresses (an edited file, say):
            // trust the `#` lines alone.
            return self
                .symbols
                .iter()
                .map(|s| match &s.frame {
                    Some(f) => Slot::Symbol(s.pc, vec![f.clone()]),
                    None => Slot::Address(s.pc),
                })
                .collect();
        }
        let first_named = slots.iter().position(|s| matches!(s, Slot::Symbol(..)));
        slots
            .into_iter()
            .enumerate()
            .filter(|(i, s)| match (s, first_named) {
                (Slot::Symbol(..), _) => true,
                (Slot::Address(_), Some(first)) if *i > first => false,
                (Slot::Address(_), Some(_)) => !heap,
                (Slot::Address(_), None) => true,
            })
            .map(|(_, s)| s)
            .collect()
    }
}

fn parse(text: &str, kind: Kind) -> Result<Profile, DecodeError> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
    let Some((_, header)) = lines.find(|(_, l)| !l.trim().is_empty()) else {
        return Err(DecodeError::text(FORMAT, 1, "missing header line"));
    };
    let mut profile = Profile::default();
    let mut cycles_per_second: Option<f64> = None;
    match kind {
        Kind::Heap { rate } => {
            profile.sample_types = vec![
                ValueType::new("alloc_objects", "count"),
                ValueType::new("alloc_space", "bytes"),
                ValueType::new("inuse_objects", "count"),
                ValueType::new("inuse_space", "bytes"),
            ];
            profile.period_type = Some(ValueType::new("space", "bytes"));
            profile.period = rate;
        }
        Kind::Count => {
            let name = header.split_once(' ').map_or("", |(n, _)| n).trim();
            profile.sample_types = vec![ValueType::new(name, "count")];
            profile.period_type = Some(ValueType::new(name, "count"));
            profile.period = 1;
        }
        Kind::Contention => {
            profile.sample_types =
                vec![ValueType::new("contentions", "count"), ValueType::new("delay", "nanoseconds")];
            profile.period_type = Some(ValueType::new("contentions", "count"));
            profile.period = 1;
        }
    }

    let mut builder = ProfileBuilder::new(profile);
    let mut record: Option<Record> = None;
    for (no, line) in lines {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            let comment = comment.trim_start();
            if comment.starts_with("runtime.MemStats") {
                // Statistics follow; they are not samples.
                break;
            }
            let Some(rec) = record.as_mut() else { continue };
            if let Some(labels) = comment.strip_prefix("labels:") {
                rec.labels = parse_labels(labels.trim()).map_err(|m| DecodeError::text(FORMAT, no, m))?;
            } else if comment.starts_with("0x") {
                rec.symbols.push(parse_symbol(comment).map_err(|m| DecodeError::text(FORMAT, no, m))?);
            }
            continue;
        }
        if kind == Kind::Contention && record.is_none() {
            if let Some((key, value)) = trimmed.split_once('=') {
                let value = value.trim();
                let bad = || DecodeError::text(FORMAT, no, format!("bad value for {}: {value:?}", key.trim()));
                match key.trim() {
                    "cycles/second" => cycles_per_second = Some(value.parse::<f64>().map_err(|_| bad())?),
                    "sampling period" => builder.profile().period = value.parse().map_err(|_| bad())?,
                    _ => {}
                }
                continue;
            }
        }
        if let Some(done) = record.take() {
            finish_record(&mut builder, done, kind);
        }
        let (values, addresses) =
            parse_record_line(trimmed, kind, cycles_per_second).map_err(|m| DecodeError::text(FORMAT, no, m))?;
        record = Some(Record { values, addresses, ..Default::default() });
    }
    if let Some(done) = record.take() {
        finish_record(&mut builder, done, kind);
    }
    // Like pprof, give the addresses one catch-all mapping.
    let mut profile = builder.finish();
    super::memmap::attach(&mut profile, Vec::new());
    Ok(profile)
}

fn finish_record(builder: &mut ProfileBuilder, mut record: Record, kind: Kind) {
    let heap = matches!(kind, Kind::Heap { .. });
    let locations: Vec<LocationIdx> = record
        .slots(heap)
        .into_iter()
        .map(|slot| match slot {
            Slot::Address(pc) => builder.address(pc),
            Slot::Symbol(pc, frames) => builder.symbolized(pc, frames),
        })
        .collect();
    if heap {
        // Heap records carry the average object size, as the protobuf does.
        let v = &record.values;
        let size = [(v[2], v[3]), (v[0], v[1])]
            .iter()
            .find(|(count, _)| *count > 0)
            .map_or(0, |(count, bytes)| bytes / count);
        record.labels.push(Label { key: "bytes".into(), value: LabelValue::Num { value: size, unit: "".into() } });
        let rate = builder.profile().period;
        let (ao, ab) = scale_heap(v[0], v[1], rate);
        let (io, ib) = scale_heap(v[2], v[3], rate);
        record.values = vec![ao, ab, io, ib];
    }
    builder.add_sample(locations, record.values, record.labels);
}

/// Undoes heap sampling: an allocation of average size `s` is sampled with
/// probability `1 - exp(-s/rate)`, so both numbers are divided by it.
pub(crate) fn scale_heap(count: i64, bytes: i64, rate: i64) -> (i64, i64) {
    if count == 0 || bytes == 0 {
        return (0, 0);
    }
    if rate <= 1 {
        return (count, bytes);
    }
    let average = bytes as f64 / count as f64;
    let scale = 1.0 / (1.0 - (-average / rate as f64).exp());
    ((count as f64 * scale) as i64, (bytes as f64 * scale) as i64)
}

/// Parses the values and `@` addresses of one record line. Heap values come
/// back unscaled, in file order: alloc count, alloc bytes, in-use count,
/// in-use bytes.
fn parse_record_line(
    line: &str,
    kind: Kind,
    cycles_per_second: Option<f64>,
) -> Result<(Vec<i64>, Vec<u64>), String> {
    let (head, stack) = line.split_once('@').ok_or_else(|| format!("expected '@' in {line:?}"))?;
    let addresses = stack
        .split_whitespace()
        .map(|a| parse_hex(a).ok_or_else(|| format!("bad address {a:?}")))
        .collect::<Result<Vec<_>, _>>()?;
    let numbers = head
        .split(|c: char| c.is_whitespace() || c == ':' || c == '[' || c == ']')
        .filter(|s| !s.is_empty())
        .map(|n| n.parse::<i64>().map_err(|_| format!("bad number {n:?} in {line:?}")))
        .collect::<Result<Vec<_>, _>>()?;
    let values = match (kind, numbers.as_slice()) {
        (Kind::Heap { .. }, &[in_count, in_bytes, alloc_count, alloc_bytes]) => {
            vec![alloc_count, alloc_bytes, in_count, in_bytes]
        }
        (Kind::Count, &[count]) => vec![count],
        (Kind::Contention, &[cycles, count]) => {
            let delay = match cycles_per_second {
                Some(hz) if hz > 0.0 => (cycles as f64 / (hz / 1e9)) as i64,
                _ => cycles,
            };
            vec![count, delay]
        }
        _ => return Err(format!("unexpected sample values in {line:?}")),
    };
    Ok((values, addresses))
}

fn parse_hex(s: &str) -> Option<u64> {
    let digits = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
    u64::from_str_radix(digits, 16).ok()
}

/// Parses the part of a `#` line after the `#`.
fn parse_symbol(line: &str) -> Result<SymbolLine, String> {
    let mut rest = line.trim();
    let (pc_text, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let pc = parse_hex(pc_text).ok_or_else(|| format!("bad frame address {pc_text:?}"))?;
    rest = after.trim_start();
    if rest.is_empty() {
        return Ok(SymbolLine { pc, frame: None });
    }
    let (func_text, location) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let function = match func_text.rfind("+0x") {
        Some(i) => &func_text[..i],
        None => func_text,
    };
    // Split on the last colon: Windows paths such as `D:/x/y.go:34` carry
    // one of their own.
    let location = location.trim();
    let (file, line) = match location.rsplit_once(':') {
        Some((file, n)) if n.parse::<i64>().is_ok() => (file, n.parse().unwrap_or(0)),
        _ => (location, 0),
    };
    Ok(SymbolLine { pc, frame: Some(Frame { function: function.to_string(), file: file.to_string(), line }) })
}

/// Parses `{"key":"value", "k2":"v2"}` as Go's `%q` writes it.
fn parse_labels(text: &str) -> Result<Vec<Label>, String> {
    let inner = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .ok_or_else(|| format!("labels must be in braces: {text:?}"))?;
    let mut chars = inner.chars().peekable();
    let mut labels = Vec::new();
    let mut seen = HashMap::new();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let key = go_quoted(&mut chars)?;
        if chars.next() != Some(':') {
            return Err(format!("expected ':' after label key {key:?}"));
        }
        let value = go_quoted(&mut chars)?;
        if seen.insert(key.clone(), ()).is_none() {
            labels.push(Label { key: key.into(), value: LabelValue::Str(value.into()) });
        }
    }
    Ok(labels)
}

/// Reads one double-quoted Go string literal.
fn go_quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<String, String> {
    if chars.next() != Some('"') {
        return Err("expected a quoted label".into());
    }
    let mut out = String::new();
    let mut bytes: Vec<u8> = Vec::new();
    let flush = |bytes: &mut Vec<u8>, out: &mut String| {
        out.push_str(&String::from_utf8_lossy(bytes));
        bytes.clear();
    };
    loop {
        let c = chars.next().ok_or("unterminated label string")?;
        match c {
            '"' => break,
            '\\' => {
                let e = chars.next().ok_or("unterminated escape")?;
                let mut hex = |n: usize| -> Result<u32, String> {
                    let digits: String = (0..n).filter_map(|_| chars.next()).collect();
                    u32::from_str_radix(&digits, 16).map_err(|_| format!("bad escape \\{e}{digits}"))
                };
                match e {
                    'x' => {
                        bytes.push(hex(2)? as u8);
                        continue;
                    }
                    'u' | 'U' => {
                        let v = hex(if e == 'u' { 4 } else { 8 })?;
                        flush(&mut bytes, &mut out);
                        out.push(char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER));
                        continue;
                    }
                    other => {
                        flush(&mut bytes, &mut out);
                        out.push(match other {
                            'n' => '\n',
                            't' => '\t',
                            'r' => '\r',
                            'a' => '\x07',
                            'b' => '\x08',
                            'f' => '\x0c',
                            'v' => '\x0b',
                            '0'..='7' => {
                                let rest: String = (0..2).filter_map(|_| chars.next()).collect();
                                let v = u32::from_str_radix(&format!("{other}{rest}"), 8)
                                    .map_err(|_| "bad octal escape".to_string())?;
                                bytes.push(v as u8);
                                continue;
                            }
                            c => c,
                        });
                    }
                }
            }
            c => {
                flush(&mut bytes, &mut out);
                out.push(c);
            }
        }
    }
    flush(&mut bytes, &mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_text(t: &str) -> Profile {
        decode(t.as_bytes()).expect("recognised").expect("decodes")
    }

    #[test]
    fn heap_record_with_symbols_drops_runtime_leaf_frames_and_goexit() {
        let p = decode_text(
            "heap profile: 1: 1048576 [1: 1048576] @ heap/1048576\n\
             1: 1048576 [1: 1048576] @ 0x100 0x200 0x300 0x400\n\
             #\t0x1ff\tD:/w/x/pkg.init+0x6b\tD:/w/x/a.go:34\n\
             #\t0x2ff\tmain.main+0x1\tD:/w/x/main.go:9\n\n\
             # runtime.MemStats\n# Alloc = 1\n",
        );
        assert_eq!(p.samples.len(), 1);
        let s = p.sample(0);
        assert_eq!(s.locations.len(), 2, "runtime leaf 0x100 and goexit 0x400 are dropped");
        let leaf = p.location(s.locations[0]);
        assert_eq!(leaf.address, 0x1ff);
        let f = p.function(leaf.lines[0].function);
        assert_eq!((f.name.as_str(), f.filename.as_str(), leaf.lines[0].line), ("D:/w/x/pkg.init", "D:/w/x/a.go", 34));
        // rate 524288, one 1 MiB object: scale = 1/(1-e^-2).
        assert_eq!(s.values, vec![1, 1212696, 1, 1212696]);
    }

    #[test]
    fn goroutine_keeps_unnamed_leaf_frames_and_labels() {
        let p = decode_text(
            "goroutine profile: total 3\n\
             3 @ 0x10 0x20 0x30 0x40\n\
             # labels: {\"req\":\"a\\\"b\", \"x\":\"y\"}\n\
             #\t0x1f\tmain.wait+0x1\t\t/src/m.go:5\n\
             #\t0x2f\tmain.main+0x2\t\t/src/m.go:9\n",
        );
        let s = p.sample(0);
        assert_eq!(s.values, vec![3]);
        assert_eq!(s.locations.len(), 3, "runtime leaf kept, goexit dropped");
        assert!(p.location(s.locations[0]).lines.is_empty());
        assert_eq!(s.labels[0], Label { key: "req".into(), value: LabelValue::Str("a\"b".into()) });
        assert_eq!(p.sample_types, vec![ValueType::new("goroutine", "count")]);
    }

    #[test]
    fn recursion_repeats_the_same_pc() {
        let p = decode_text(
            "goroutine profile: total 1\n1 @ 0x11 0x11 0x22\n\
             #\t0x10\tmain.rec+0x1\t/m.go:3\n#\t0x10\tmain.rec+0x1\t/m.go:3\n#\t0x21\tmain.main+0x1\t/m.go:9\n",
        );
        let s = p.sample(0);
        assert_eq!(s.locations.len(), 3);
        assert_eq!(s.locations[0], s.locations[1]);
    }

    #[test]
    fn mutex_converts_cycles_to_nanoseconds() {
        let p = decode_text(
            "--- mutex:\ncycles/second=2000000000\nsampling period=1\n\
             4000 2 @ 0x11\n#\t0x10\tsync.(*Mutex).Unlock+0x1\t/go/src/sync/mutex.go:3\n",
        );
        assert_eq!(p.sample(0).values, vec![2, 2000]);
        assert_eq!(p.sample_types[1], ValueType::new("delay", "nanoseconds"));
    }

    #[test]
    fn other_heap_samplers_are_not_claimed() {
        assert!(decode(b"heap profile: 1: 2 [3: 4] @ heapz_v2/524288\n").is_none());
        assert!(decode(b"something else\n").is_none());
    }

    #[test]
    fn malformed_record_names_the_line() {
        let err = decode(b"goroutine profile: total 1\n\n1 @ 0xZZ\n").unwrap().unwrap_err();
        assert_eq!(err.to_string(), "Go text profile, line 3: bad address \"0xZZ\"");
    }
}
