//! The gperftools CPU profile: native-endian words of 32 or 64 bits.
//!
//! * Header: `0, 3, language, period in microseconds, 0`, where language
//!   is 0 for C++ (and Go's old writer) and 1 for Java.
//! * Records: `count, depth, pc[depth]`, ended by the record `0, 1, 0`.
//! * Trailer: for C++, a `/proc/self/maps`-style text; for Java, the text
//!   that names each address (see the Java decoder).
//!
//! Word size and byte order are found by trying each until the header
//! reads right. The header starts with a zero word, which no protobuf
//! (field number 0 is invalid) and no gzip stream can.

use std::collections::HashMap;

use super::builder::ProfileBuilder;
use super::text::Lines;
use super::threadz::drop_repeated_leaf;
use super::Sniff;
use super::{java, memmap};
use crate::profile::model::{LocationIdx, Profile, ValueType};
use crate::profile::DecodeError;

const FORMAT: &str = "gperftools CPU";

/// How the words of one profile are stored.
#[derive(Clone, Copy, Debug)]
pub(super) struct Words {
    size: usize,
    big_endian: bool,
}

impl Words {
    const ALL: [Words; 4] = [
        Words { size: 4, big_endian: false },
        Words { size: 4, big_endian: true },
        Words { size: 8, big_endian: false },
        Words { size: 8, big_endian: true },
    ];

    fn read(self, data: &[u8], at: usize) -> Option<u64> {
        let bytes = data.get(at..at.checked_add(self.size)?)?;
        let fold = |acc: u64, &b: &u8| (acc << 8) | u64::from(b);
        Some(if self.big_endian { bytes.iter().fold(0, fold) } else { bytes.iter().rev().fold(0, fold) })
    }
}

/// One stack record as stored: its count and program counters, leaf first.
pub(super) struct RawSample {
    pub(super) count: u64,
    pub(super) addresses: Vec<u64>,
}

/// The first word layout whose header reads right, with the header's
/// language (0 for C++, 1 for Java) and period in microseconds.
fn header(data: &[u8]) -> Option<(Words, u64, u64)> {
    Words::ALL.into_iter().find_map(|words| {
        let header: Option<Vec<u64>> = (0..5).map(|i| words.read(data, i * words.size)).collect();
        let h = header?;
        let valid = h[0] == 0 && h[1] == 3 && h[2] <= 1 && h[3] != 0 && h[4] == 0;
        valid.then_some((words, h[2], h[3]))
    })
}

/// [`decode`]'s test on a prefix: final once five 64-bit words are in.
pub(super) fn sniff(head: &[u8], complete: bool) -> Sniff {
    if !complete && head.len() < 5 * 8 {
        return Sniff::NeedMore;
    }
    Sniff::from(header(head).is_some())
}

pub(super) fn decode(data: &[u8]) -> Option<Result<Profile, DecodeError>> {
    let (words, language, period) = header(data)?;
    let start = 5 * words.size;
    // Periods are stored in microseconds.
    let period = (period as i64).wrapping_mul(1000);
    Some(match language {
        0 => cpp_profile(data, start, period, words),
        _ => read_samples(data, start, words, false)
            .and_then(|(samples, rest)| java::cpu_profile(samples, period, &data[rest..])),
    })
}

/// Reads records from `start` up to the end marker (or the end of the
/// input). Returns them and where the trailer starts. With `adjust`, every
/// address but the leaf steps back by one onto its call instruction.
pub(super) fn read_samples(
    data: &[u8],
    start: usize,
    words: Words,
    adjust: bool,
) -> Result<(Vec<RawSample>, usize), DecodeError> {
    let mut samples = Vec::new();
    let mut at = start;
    while at < data.len() {
        let record = at;
        let (Some(count), Some(depth)) = (words.read(data, at), words.read(data, at + words.size)) else {
            return Err(DecodeError::binary(FORMAT, record, "input ends inside a record header"));
        };
        at += 2 * words.size;
        let remaining = data.len() - at;
        // Each frame takes at least four bytes, so this also bounds memory.
        if depth > (remaining / 4) as u64 {
            let message = format!("record claims {depth} frames but only {remaining} bytes follow");
            return Err(DecodeError::binary(FORMAT, record, message));
        }
        let mut addresses = Vec::with_capacity(depth as usize);
        for _ in 0..depth {
            // A record cut short reads as zeros, as pprof reads it.
            match words.read(data, at) {
                Some(a) => {
                    addresses.push(a);
                    at += words.size;
                }
                None => {
                    addresses.push(0);
                    at = data.len();
                }
            }
        }
        if count == 0 && depth == 1 && addresses[0] == 0 {
            return Ok((samples, at));
        }
        if adjust {
            for a in addresses.iter_mut().skip(1) {
                *a = a.wrapping_sub(1);
            }
        }
        samples.push(RawSample { count, addresses });
    }
    Ok((samples, data.len()))
}

/// The sample types and period every CPU profile of this format has.
pub(super) fn cpu_profile_shell(period: i64) -> Profile {
    Profile {
        period,
        period_type: Some(ValueType::new("cpu", "nanoseconds")),
        sample_types: vec![ValueType::new("samples", "count"), ValueType::new("cpu", "nanoseconds")],
        ..Default::default()
    }
}

pub(super) fn sample_values(count: u64, period: i64) -> Vec<i64> {
    vec![count as i64, (count as i64).wrapping_mul(period)]
}

fn cpp_profile(data: &[u8], start: usize, period: i64, words: Words) -> Result<Profile, DecodeError> {
    let (mut samples, rest) = read_samples(data, start, words, true)?;
    drop_signal_frames(&mut samples);

    let mut builder = ProfileBuilder::new(cpu_profile_shell(period));
    for s in samples {
        let locations: Vec<LocationIdx> = s.addresses.iter().map(|&a| builder.address(a)).collect();
        builder.add_sample(locations, sample_values(s.count, period), Vec::new());
    }
    let map_text = String::from_utf8_lossy(&data[rest..]);
    let mappings = memmap::parse_lines(&mut Lines::new(&map_text));
    let mut profile = builder.finish();
    memmap::attach(&mut profile, mappings);
    drop_repeated_leaf(&mut profile);
    Ok(profile)
}

/// The signal handler can push up to two frames of its own right above the
/// leaf. A second frame shared by nearly every sample (all but one in 32)
/// is such a frame and is removed, twice at most.
fn drop_signal_frames(samples: &mut [RawSample]) {
    let allowed_misses = samples.len() / 32;
    for _ in 0..2 {
        let mut seen: HashMap<u64, usize> = HashMap::new();
        for s in samples.iter() {
            if let Some(&a) = s.addresses.get(1) {
                *seen.entry(a).or_default() += 1;
            }
        }
        // More than half of the samples must agree, so at most one can.
        let Some((&frame, _)) = seen.iter().find(|(_, &n)| n >= samples.len() - allowed_misses) else {
            continue;
        };
        for s in samples.iter_mut() {
            if s.addresses.get(1) == Some(&frame) {
                s.addresses.remove(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words32be(ws: &[u32]) -> Vec<u8> {
        ws.iter().flat_map(|w| w.to_be_bytes()).collect()
    }

    fn words64le(ws: &[u64]) -> Vec<u8> {
        ws.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    #[test]
    fn big_endian_32_bit_with_map() {
        let mut data = words32be(&[0, 3, 0, 10000, 0, 2, 3, 0x1010, 0x1021, 0x2000, 1, 2, 0x1010, 0x1031, 0, 1, 0]);
        data.extend_from_slice(b"1000-3000 r-xp 00000000 00:00 0 /bin/prog\n");
        let p = decode(&data).unwrap().unwrap();
        assert_eq!(p.period, 10_000_000);
        assert_eq!(p.sample(0).values, vec![2, 20_000_000]);
        let addrs: Vec<u64> = p.sample(0).locations.iter().map(|&l| p.location(l).address).collect();
        assert_eq!(addrs, vec![0x1010, 0x1020, 0x1fff]);
        assert_eq!(p.mappings[0].filename, "/bin/prog");
    }

    #[test]
    fn signal_frame_and_duplicate_leaf_are_dropped() {
        let data = words64le(&[0, 3, 0, 100, 0, 1, 3, 0x50, 0x99, 0x71, 1, 3, 0x60, 0x99, 0x60, 0, 1, 0]);
        let p = decode(&data).unwrap().unwrap();
        let stacks: Vec<Vec<u64>> =
            p.iter_samples().map(|s| s.locations.iter().map(|&l| p.location(l).address).collect()).collect();
        // 0x98 is every sample's second frame; 0x60 then repeats as 0x5f + 1.
        assert_eq!(stacks, vec![vec![0x50, 0x70], vec![0x60]]);
        assert_eq!(p.mappings.len(), 1, "catch-all mapping");
    }

    #[test]
    fn not_claimed_and_malformed() {
        assert!(decode(b"").is_none());
        assert!(decode(&[0x1f, 0x8b, 8, 0]).is_none());
        assert!(decode(&words32be(&[0, 3, 0, 0, 0])).is_none(), "period 0");
        let err = decode(&words64le(&[0, 3, 0, 1, 0, 1, 1000, 1])).unwrap().unwrap_err();
        assert!(matches!(err, DecodeError::Binary { offset: 40, .. }), "{err}");
        let err = decode(&[words64le(&[0, 3, 0, 1, 0]), vec![1, 2, 3]].concat()).unwrap().unwrap_err();
        assert!(err.to_string().contains("inside a record header"), "{err}");
    }
}
