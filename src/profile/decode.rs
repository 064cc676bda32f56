//! The decoding pipeline: undo gzip (guarded against decompression bombs,
//! see [`gunzip`](super::gunzip)), then hand the bytes to the first legacy
//! decoder that recognises them, else to protobuf.

use super::gunzip::gunzip;
use super::{legacy, pb, shape, DecodeError, Profile};

/// Limits that keep hostile input from exhausting memory.
///
/// Gzip output is bounded twice: by `max_decompressed_bytes`, and by
/// `max(inflation_floor_bytes, max_inflation_ratio × compressed size)`.
/// Deflate cannot inflate more than about 1032 to 1, and profiles inflate
/// far less: the protobuf profiles Go writes 3 to 10 times, text profiles
/// up to about 20 times. Output that repeats one short pattern (zeros, one
/// protobuf field over and over) inflates 200 to 1000 times, and so does a
/// profile that repeats the same sample back to back: about 200 times at
/// gzip's fastest level, which Go uses, and 400 at its default. The
/// default ratio, 512, lets such a profile through and refuses the short
/// repeats that gzip's best level packs tighter, once their output passes
/// the floor. Below the floor any ratio is accepted, so small profiles of
/// identical samples always load. The floor is 32 MiB because the protobuf
/// reader can need up to about 16 bytes of memory per byte of input
/// (samples holding only empty labels) before it finds out that such a
/// run is no valid profile. Raise `max_inflation_ratio` for a larger
/// profile known to be this repetitive; Go's own writer merges samples
/// with equal stacks and labels, so it does not write one.
#[derive(Clone, Debug)]
pub struct DecodeOptions {
    /// Largest accepted size after decompression, in bytes. The default,
    /// 512 MiB, is more than five times the largest real profile seen
    /// (93 MB decompressed), and is what an editor's process can afford.
    pub max_decompressed_bytes: u64,
    /// Past `inflation_floor_bytes`, gzip output may be at most this many
    /// times the compressed size.
    pub max_inflation_ratio: u64,
    /// Output up to this size is accepted whatever the ratio.
    pub inflation_floor_bytes: u64,
    /// Most gzip output kept in memory while it is checked; larger output
    /// is inflated twice (checked, then kept), so a rejected input never
    /// costs more than this. Values below 64 KiB act as 64 KiB.
    pub max_buffered_bytes: u64,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            max_decompressed_bytes: 512 << 20,
            max_inflation_ratio: 512,
            inflation_floor_bytes: 32 << 20,
            max_buffered_bytes: 512 << 20,
        }
    }
}

/// Decodes any supported profile format.
pub fn decode(data: &[u8], options: &DecodeOptions) -> Result<Profile, DecodeError> {
    if data.is_empty() {
        return Err(DecodeError::Empty);
    }
    if data.starts_with(&[0x1f, 0x8b]) {
        let plain = gunzip(data, options)?;
        return decode_plain(&plain, true);
    }
    if data.len() as u64 > options.max_decompressed_bytes {
        return Err(DecodeError::TooLarge { limit: options.max_decompressed_bytes });
    }
    decode_plain(data, false)
}

/// [`decode`], taking the bytes: gzip input is freed as soon as it is
/// inflated, so the compressed and the inflated profile are never both
/// held while decoding.
pub fn decode_owned(data: Vec<u8>, options: &DecodeOptions) -> Result<Profile, DecodeError> {
    if data.starts_with(&[0x1f, 0x8b]) {
        let plain = gunzip(&data, options)?;
        drop(data);
        return decode_plain(&plain, true);
    }
    decode(&data, options)
}

/// Decodes bytes that are no longer gzip (`gzip` says they were, for
/// errors).
fn decode_plain(data: &[u8], gzip: bool) -> Result<Profile, DecodeError> {
    if data.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some(result) = legacy::decode(data) {
        return result;
    }
    pb::decode(data).map_err(|e| shape::explain(data, e, gzip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Seen;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn gzip_at(data: &[u8], level: Compression) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), level);
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        gzip_at(data, Compression::fast())
    }

    /// A goroutine profile with `n` different stacks, as debug=1 text.
    fn goroutine_text(n: usize) -> String {
        let mut text = format!("goroutine profile: total {n}\n");
        for i in 0..n {
            text.push_str(&format!("1 @ 0x{:x} 0x2\n", 0x1000 + i));
        }
        text
    }

    /// The same profile as protobuf.
    fn protobuf(n: usize) -> Vec<u8> {
        crate::profile::encode(&decode(goroutine_text(n).as_bytes(), &DecodeOptions::default()).unwrap())
    }

    fn options(cap: u64, ratio: u64, floor: u64) -> DecodeOptions {
        DecodeOptions {
            max_decompressed_bytes: cap,
            max_inflation_ratio: ratio,
            inflation_floor_bytes: floor,
            ..DecodeOptions::default()
        }
    }

    #[test]
    fn gzip_bomb_hits_the_cap() {
        // A legacy header keeps the shape check from deciding first.
        let mut text = goroutine_text(1).into_bytes();
        text.resize(1 << 20, b' ');
        let opts = options(1000, 512, 0);
        assert_eq!(decode(&gzip(&text), &opts), Err(DecodeError::TooLarge { limit: 1000 }));
        // The cap is inclusive.
        let p = protobuf(3);
        assert!(decode(&gzip(&p), &options(p.len() as u64, 512, 0)).is_ok());
        let over = options(p.len() as u64 - 1, 512, 0);
        assert_eq!(decode(&gzip(&p), &over), Err(DecodeError::TooLarge { limit: p.len() as u64 - 1 }));
    }

    #[test]
    fn output_that_is_no_profile_stops_inflating_at_once() {
        // With the default limits, 8 MiB of zeros would inflate whole;
        // here the cap is far below that, and is never reached.
        let zeros = gzip_at(&vec![0u8; 8 << 20], Compression::best());
        let err = decode(&zeros, &options(1 << 20, 1 << 20, 1 << 20)).unwrap_err();
        assert_eq!(err, DecodeError::NotAProfile { seen: Seen::Binary, gzip: true });
        // Text is no protobuf either.
        let text = gzip(&b"just some notes\n".repeat(1 << 16));
        let err = decode(&text, &options(1 << 20, 1 << 20, 1 << 20)).unwrap_err();
        assert_eq!(err, DecodeError::NotAProfile { seen: Seen::Text, gzip: true });
    }

    #[test]
    fn a_valid_start_then_zeros_is_refused_where_the_zeros_begin() {
        let mut data = protobuf(5);
        let good = data.len() as u64;
        data.resize(8 << 20, 0);
        let err = decode(&gzip(&data), &options(1 << 20, 1 << 20, 1 << 20)).unwrap_err();
        assert_eq!(err, DecodeError::Broken { offset: good, reason: "field number 0".into(), gzip: true });
        assert_eq!(
            err.to_string(),
            format!("the gzip data stops reading as a protobuf profile at byte {good} of its decompressed data: field number 0")
        );
    }

    #[test]
    fn repeated_valid_fields_hit_the_ratio_bound() {
        // `time_nanos = 1`, over and over: valid protobuf, a bomb's ratio.
        let mut data = protobuf(5);
        for _ in 0..(4 << 20) {
            data.extend_from_slice(&[0x48, 0x01]);
        }
        let gz = gzip_at(&data, Compression::best());
        let compressed = gz.len() as u64;
        assert!(data.len() as u64 > 200 * compressed, "the test input compresses too little");
        let limit = 100 * compressed;
        assert_eq!(
            decode(&gz, &options(1 << 30, 100, 4096)),
            Err(DecodeError::InflationRatio { compressed, limit, ratio: 100 })
        );
        // The same after a legacy header: only the size checks apply there.
        let mut text = goroutine_text(2).into_bytes();
        text.resize(8 << 20, 0);
        let gz = gzip_at(&text, Compression::best());
        let err = decode(&gz, &options(1 << 30, 100, 4096)).unwrap_err();
        assert!(matches!(err, DecodeError::InflationRatio { ratio: 100, .. }), "{err}");
    }

    #[test]
    fn repetitive_profiles_load_below_the_floor() {
        // One stack, sampled again and again: a real profile with a bomb's ratio.
        let mut text = "goroutine profile: total 200000\n".to_string();
        text.push_str(&"1 @ 0x1000 0x2000 0x3000\n".repeat(200_000));
        let gz = gzip_at(text.as_bytes(), Compression::default());
        let ratio = text.len() as u64 / gz.len() as u64;
        assert!(ratio > 100, "ratio {ratio}");
        let floor_above = options(1 << 30, 10, text.len() as u64);
        assert_eq!(decode(&gz, &floor_above).unwrap().samples.len(), 200_000);
        let floor_below = options(1 << 30, 10, text.len() as u64 / 2);
        assert!(matches!(decode(&gz, &floor_below), Err(DecodeError::InflationRatio { .. })));
    }

    #[test]
    fn output_past_the_buffer_is_checked_then_inflated_again() {
        let plain = protobuf(20_000);
        assert!(plain.len() > 4 * (64 << 10));
        let small_buffer = DecodeOptions { max_buffered_bytes: 64 << 10, ..DecodeOptions::default() };
        let gz = gzip(&plain);
        assert_eq!(decode(&gz, &small_buffer), decode(&plain, &DecodeOptions::default()));
        // Rejections past the buffer still say where.
        let mut bad = plain.clone();
        bad.resize(plain.len() + 1000, 0);
        let err = decode(&gzip(&bad), &small_buffer).unwrap_err();
        assert!(matches!(err, DecodeError::Broken { offset, .. } if offset == plain.len() as u64), "{err}");
        let tight = DecodeOptions { max_decompressed_bytes: plain.len() as u64 - 1, ..small_buffer };
        assert_eq!(decode(&gz, &tight), Err(DecodeError::TooLarge { limit: plain.len() as u64 - 1 }));
    }

    #[test]
    fn legacy_headers_after_long_blank_runs_still_decode() {
        let mut text = "\n".repeat(3000);
        text.push_str(&goroutine_text(2));
        let plain = decode(text.as_bytes(), &DecodeOptions::default()).unwrap();
        assert_eq!(decode(&gzip(text.as_bytes()), &DecodeOptions::default()), Ok(plain));
    }

    #[test]
    fn multi_member_gzip_is_read_whole() {
        let text = b"goroutine profile: total 1\n1 @ 0x1 0x2\n";
        let mut two = gzip(&text[..20]);
        two.extend(gzip(&text[20..]));
        let p = decode(&two, &DecodeOptions::default()).unwrap();
        assert_eq!(p.samples.len(), 1);
        assert_eq!(p.sample(0).values, vec![1]);
    }

    #[test]
    fn empty_and_truncated_inputs_are_errors() {
        assert_eq!(decode(b"", &DecodeOptions::default()), Err(DecodeError::Empty));
        assert_eq!(decode(&gzip(b""), &DecodeOptions::default()), Err(DecodeError::Empty));
        let text = goroutine_text(2000);
        let gz = gzip(text.as_bytes());
        for cut in [2, 10, gz.len() / 2, gz.len() - 6] {
            match decode(&gz[..cut], &DecodeOptions::default()) {
                Err(DecodeError::TruncatedGzip { compressed, output }) => {
                    assert_eq!(compressed, cut as u64);
                    assert!(output <= text.len() as u64, "cut at {cut}: {output} bytes of output");
                }
                other => panic!("cut at {cut}: {other:?}"),
            }
        }
        // Cut mid-stream, it says how far it got.
        let err = decode(&gz[..gz.len() / 2], &DecodeOptions::default()).unwrap_err();
        assert!(matches!(err, DecodeError::TruncatedGzip { output, .. } if output > 0), "{err}");
    }

    #[test]
    fn input_that_never_looked_like_a_profile_says_so() {
        let cases: [(&[u8], Seen); 5] = [
            (b"# pprof-lsp\n\nShows Go profile costs in editors.\n", Seen::Text),
            (b"<!DOCTYPE html>\n<html><body>login</body></html>\n", Seen::Html),
            (b"{\"profiles\": [\"heap.pb.gz\"]}\n", Seen::Json),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0", Seen::Binary),
            (&[0u8; 100], Seen::Binary),
        ];
        for (data, seen) in cases {
            assert_eq!(decode(data, &DecodeOptions::default()), Err(DecodeError::NotAProfile { seen, gzip: false }));
            assert_eq!(decode(&gzip(data), &DecodeOptions::default()), Err(DecodeError::NotAProfile { seen, gzip: true }));
        }
        assert_eq!(
            decode(b"# notes\n", &DecodeOptions::default()).unwrap_err().to_string(),
            "not a profile (plain text; not gzip, not a pprof protobuf, not a known text format)"
        );
    }

    #[test]
    fn damaged_protobuf_profiles_keep_their_precise_errors() {
        let good = protobuf(50);
        // Cut short: the reader says where the data ran out.
        let err = decode(&good[..good.len() - 3], &DecodeOptions::default()).unwrap_err();
        assert!(matches!(err, DecodeError::Protobuf(_)), "{err}");
        assert!(err.to_string().starts_with("malformed protobuf: "), "{err}");
        // Zeros after a valid start: the reader's error, with its offset.
        let mut broken = good.clone();
        broken.extend([0; 32]);
        assert_eq!(
            decode(&broken, &DecodeOptions::default()).unwrap_err().to_string(),
            format!("malformed protobuf: field number 0 at offset {}", good.len() + 1)
        );
    }
}
