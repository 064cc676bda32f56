//! The decoding pipeline: undo gzip (with a size cap), then hand the bytes to
//! the first legacy decoder that recognises them, else to protobuf.

use std::io::Read;

use flate2::read::MultiGzDecoder;

use super::{legacy, pb, DecodeError, Profile};

/// Limits that keep hostile input from exhausting memory.
#[derive(Clone, Debug)]
pub struct DecodeOptions {
    /// Largest accepted size after decompression, in bytes.
    pub max_decompressed_bytes: u64,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions { max_decompressed_bytes: 2 << 30 }
    }
}

/// Decodes any supported profile format.
pub fn decode(data: &[u8], options: &DecodeOptions) -> Result<Profile, DecodeError> {
    if data.is_empty() {
        return Err(DecodeError::Empty);
    }
    if data.starts_with(&[0x1f, 0x8b]) {
        let plain = gunzip(data, options.max_decompressed_bytes)?;
        return decode_plain(&plain);
    }
    if data.len() as u64 > options.max_decompressed_bytes {
        return Err(DecodeError::TooLarge { limit: options.max_decompressed_bytes });
    }
    decode_plain(data)
}

fn decode_plain(data: &[u8]) -> Result<Profile, DecodeError> {
    if data.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some(result) = legacy::decode(data) {
        return result;
    }
    pb::decode(data)
}

/// Inflates every gzip member in turn, failing once the output passes `limit`.
fn gunzip(data: &[u8], limit: u64) -> Result<Vec<u8>, DecodeError> {
    // Reading one byte past the limit tells "exactly at the cap" from "over it".
    let mut reader = MultiGzDecoder::new(data).take(limit.saturating_add(1));
    let mut out = Vec::with_capacity(data.len().saturating_mul(4).min(limit as usize));
    reader.read_to_end(&mut out).map_err(|e| DecodeError::Gzip(e.to_string()))?;
    if out.len() as u64 > limit {
        return Err(DecodeError::TooLarge { limit });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn gzip_bomb_hits_the_cap() {
        let bomb = gzip(&vec![0u8; 1 << 20]);
        let opts = DecodeOptions { max_decompressed_bytes: 1000 };
        assert_eq!(decode(&bomb, &opts), Err(DecodeError::TooLarge { limit: 1000 }));
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
        let gz = gzip(b"heap profile: 1: 2 [3: 4] @ heap/1024\n");
        assert!(matches!(decode(&gz[..gz.len() - 6], &DecodeOptions::default()), Err(DecodeError::Gzip(_))));
    }
}
