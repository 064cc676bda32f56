//! Protobuf: the wire reader's raw profile is resolved in one pass that
//! turns string, location, function and mapping ids into positions and
//! validates them. Encoding uses prost's types from `proto/profile.proto`.

use std::collections::HashMap;
use std::sync::Arc;

use prost::Message;

use super::wire::RawProfile;
use super::model::{self, FunctionIdx, LabelValue, LocationIdx, MappingIdx, ValueType};
use super::{DecodeError, Profile};

#[allow(clippy::all)]
pub(crate) mod wire {
    include!(concat!(env!("OUT_DIR"), "/perftools.profiles.rs"));
}

pub(crate) fn decode(data: &[u8]) -> Result<Profile, DecodeError> {
    resolve(super::wire::read(data)?)
}

/// Maps wire ids to vector positions. Go writes ids 1..=n in order, so the
/// common case is a subtraction; anything else falls back to a hash map.
struct IdMap {
    dense: bool,
    sparse: HashMap<u64, u32>,
    len: usize,
}

impl IdMap {
    fn build(what: &str, ids: impl Iterator<Item = u64>) -> Result<Self, DecodeError> {
        let ids: Vec<u64> = ids.collect();
        let dense = ids.iter().enumerate().all(|(i, &id)| id == i as u64 + 1);
        let mut sparse = HashMap::new();
        if !dense {
            sparse.reserve(ids.len());
            for (i, &id) in ids.iter().enumerate() {
                if id == 0 {
                    return Err(DecodeError::Invalid(format!("{what} has id 0")));
                }
                if sparse.insert(id, i as u32).is_some() {
                    return Err(DecodeError::Invalid(format!("{what} id {id} is defined twice")));
                }
            }
        }
        Ok(IdMap { dense, sparse, len: ids.len() })
    }

    #[inline]
    fn get(&self, id: u64) -> Option<u32> {
        if self.dense {
            (id >= 1 && id <= self.len as u64).then(|| (id - 1) as u32)
        } else {
            self.sparse.get(&id).copied()
        }
    }
}

struct Strings<'a>(Vec<&'a [u8]>);

impl Strings<'_> {
    /// The string at `index`. Invalid UTF-8 is replaced rather than
    /// rejected, as Go's own tools treat strings as bytes.
    fn get(&self, index: i64, field: &str) -> Result<String, DecodeError> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|b| match std::str::from_utf8(b) {
                Ok(s) => s.to_owned(),
                Err(_) => String::from_utf8_lossy(b).into_owned(),
            })
            .ok_or_else(|| {
                DecodeError::Invalid(format!(
                    "{field} refers to string {index}, but the string table has {} entries",
                    self.0.len()
                ))
            })
    }

    /// The string at `index`, made once and shared after that.
    fn shared(&self, cache: &mut [Option<Arc<str>>], index: i64, field: &str) -> Result<Arc<str>, DecodeError> {
        if let Some(Some(s)) = usize::try_from(index).ok().and_then(|i| cache.get(i)) {
            return Ok(s.clone());
        }
        let s: Arc<str> = self.get(index, field)?.into();
        cache[index as usize] = Some(s.clone());
        Ok(s)
    }

    fn value_type(&self, vt: (i64, i64), field: &str) -> Result<ValueType, DecodeError> {
        Ok(ValueType { name: self.get(vt.0, field)?, unit: self.get(vt.1, field)? })
    }
}

fn resolve(mut raw: RawProfile<'_>) -> Result<Profile, DecodeError> {
    if raw.strings.first().map(|s| s.is_empty()) != Some(true) {
        return Err(DecodeError::Invalid("string_table[0] must be the empty string".into()));
    }
    let strings = Strings(std::mem::take(&mut raw.strings));

    let sample_types =
        raw.sample_types.iter().map(|&vt| strings.value_type(vt, "sample_type")).collect::<Result<Vec<_>, _>>()?;

    let mapping_ids = IdMap::build("mapping", raw.mappings.iter().map(|m| m.id))?;
    let mappings = raw
        .mappings
        .iter()
        .map(|m| {
            Ok(model::Mapping {
                id: m.id,
                memory_start: m.memory_start,
                memory_limit: m.memory_limit,
                file_offset: m.file_offset,
                filename: strings.get(m.filename, "mapping.filename")?,
                build_id: strings.get(m.build_id, "mapping.build_id")?,
                has_functions: m.has_functions,
                has_filenames: m.has_filenames,
                has_line_numbers: m.has_line_numbers,
                has_inline_frames: m.has_inline_frames,
            })
        })
        .collect::<Result<Vec<_>, DecodeError>>()?;

    let function_ids = IdMap::build("function", raw.functions.iter().map(|f| f.id))?;
    let mut functions = Vec::with_capacity(raw.functions.len());
    for f in &raw.functions {
        let name = strings.get(f.name, "function.name")?;
        // Go writes the same string for both names.
        let system_name = if f.system_name == f.name { name.clone() } else { strings.get(f.system_name, "function.system_name")? };
        functions.push(model::Function {
            id: f.id,
            name,
            system_name,
            filename: strings.get(f.filename, "function.filename")?,
            start_line: f.start_line,
        });
    }

    let location_ids = IdMap::build("location", raw.locations.iter().map(|l| l.id))?;
    let mut locations = Vec::with_capacity(raw.locations.len());
    for l in &raw.locations {
        let mapping = match l.mapping_id {
            0 => None,
            id => Some(MappingIdx(mapping_ids.get(id).ok_or_else(|| {
                DecodeError::Invalid(format!("location {} refers to missing mapping {id}", l.id))
            })?)),
        };
        let raw_lines = &raw.lines[l.lines.0 as usize..l.lines.1 as usize];
        let mut lines = Vec::with_capacity(raw_lines.len());
        for ln in raw_lines {
            let Some(f) = function_ids.get(ln.function_id) else {
                return Err(DecodeError::Invalid(format!("location {} refers to missing function {}", l.id, ln.function_id)));
            };
            lines.push(model::Line { function: FunctionIdx(f), line: ln.line, column: ln.column });
        }
        locations.push(model::Location { id: l.id, mapping, address: l.address, lines, is_folded: l.is_folded });
    }

    let n_types = sample_types.len();
    // Samples keep the wire reader's layout: positions in the shared stack,
    // value and label vectors carry over one to one.
    // Go numbers locations 1..=n: then, once every stack id is known to be
    // in range, the ids become positions in place, in the same vector.
    let n_locations = raw.locations.len();
    let in_place = location_ids.dense
        && raw.wide_ids.is_empty()
        && raw.stack_ids.iter().all(|&id| id != 0 && id as usize <= n_locations);
    let mut sample_locations = Vec::with_capacity(if in_place { 0 } else { raw.stack_ids.len() });
    let mut sample_labels = Vec::with_capacity(raw.labels.len());
    let mut shared: Vec<Option<Arc<str>>> = vec![None; strings.0.len()];
    for (i, s) in raw.samples.iter().enumerate() {
        let values = (s.values.1 - s.values.0) as usize;
        if values != n_types {
            return Err(DecodeError::Invalid(format!("sample {i} has {values} values for {n_types} sample types")));
        }
        if !in_place {
            for at in s.locations.0 as usize..s.locations.1 as usize {
                let id = raw.stack_id(at);
                match location_ids.get(id) {
                    Some(idx) => sample_locations.push(LocationIdx(idx)),
                    None => return Err(DecodeError::Invalid(format!("sample {i} refers to missing location {id}"))),
                }
            }
        }
        for l in &raw.labels[s.labels.0 as usize..s.labels.1 as usize] {
            let key = strings.shared(&mut shared, l.key, "label.key")?;
            let value = if l.str != 0 {
                LabelValue::Str(strings.shared(&mut shared, l.str, "label.str")?)
            } else {
                LabelValue::Num { value: l.num, unit: strings.shared(&mut shared, l.num_unit, "label.num_unit")? }
            };
            sample_labels.push(model::Label { key, value });
        }
    }
    let samples = std::mem::take(&mut raw.samples);
    if in_place {
        sample_locations = std::mem::take(&mut raw.stack_ids).into_iter().map(|id| LocationIdx(id - 1)).collect();
    }
    let sample_values = std::mem::take(&mut raw.values);

    let optional = |index: i64, field: &str| -> Result<Option<String>, DecodeError> {
        Ok(Some(strings.get(index, field)?).filter(|s| !s.is_empty()))
    };
    Ok(Profile {
        sample_types,
        default_sample_type: optional(raw.default_sample_type, "default_sample_type")?,
        samples,
        sample_locations,
        sample_values,
        sample_labels,
        locations,
        functions,
        mappings,
        period_type: raw.period_type.map(|vt| strings.value_type(vt, "period_type")).transpose()?,
        period: raw.period,
        time_nanos: raw.time_nanos,
        duration_nanos: raw.duration_nanos,
        comments: raw.comments.iter().map(|&c| strings.get(c, "comment")).collect::<Result<_, _>>()?,
        drop_frames: strings.get(raw.drop_frames, "drop_frames")?,
        keep_frames: strings.get(raw.keep_frames, "keep_frames")?,
        doc_url: strings.get(raw.doc_url, "doc_url")?,
    })
}

/// `f(id, item)` for each item, its id its position plus one.
fn numbered<T, W>(items: &[T], mut f: impl FnMut(u64, &T) -> W) -> Vec<W> {
    items.iter().zip(1..).map(|(item, id)| f(id, item)).collect()
}

/// Encodes a model back to protobuf. Used to write fixtures and test inputs.
pub fn encode(p: &Profile) -> Vec<u8> {
    let mut table: Vec<String> = vec![String::new()];
    let mut index: HashMap<String, i64> = HashMap::from([(String::new(), 0)]);
    let mut s = |v: &str| -> i64 {
        if let Some(&i) = index.get(v) {
            return i;
        }
        table.push(v.to_string());
        index.insert(v.to_string(), table.len() as i64 - 1);
        table.len() as i64 - 1
    };
    let vt = |t: &ValueType, s: &mut dyn FnMut(&str) -> i64| wire::ValueType { r#type: s(&t.name), unit: s(&t.unit) };
    let sample_type = p.sample_types.iter().map(|t| vt(t, &mut s)).collect();
    let period_type = p.period_type.as_ref().map(|t| vt(t, &mut s));
    // Wire ids are positions plus one.
    let mapping = numbered(&p.mappings, |id, m| wire::Mapping {
        id,
        memory_start: m.memory_start,
        memory_limit: m.memory_limit,
        file_offset: m.file_offset,
        filename: s(&m.filename),
        build_id: s(&m.build_id),
        has_functions: m.has_functions,
        has_filenames: m.has_filenames,
        has_line_numbers: m.has_line_numbers,
        has_inline_frames: m.has_inline_frames,
    });
    let function = numbered(&p.functions, |id, f| wire::Function {
        id,
        name: s(&f.name),
        system_name: s(&f.system_name),
        filename: s(&f.filename),
        start_line: f.start_line,
    });
    let location = numbered(&p.locations, |id, l| wire::Location {
        id,
        mapping_id: l.mapping.map_or(0, |m| m.0 as u64 + 1),
        address: l.address,
        line: l
            .lines
            .iter()
            .map(|ln| wire::Line { function_id: ln.function.0 as u64 + 1, line: ln.line, column: ln.column })
            .collect(),
        is_folded: l.is_folded,
    });
    let sample = p
        .iter_samples()
        .map(|smp| wire::Sample {
            location_id: smp.locations.iter().map(|l| l.0 as u64 + 1).collect(),
            value: smp.values.to_vec(),
            label: smp
                .labels
                .iter()
                .map(|l| match &l.value {
                    LabelValue::Str(v) => wire::Label { key: s(&l.key), str: s(v), num: 0, num_unit: 0 },
                    LabelValue::Num { value, unit } => {
                        wire::Label { key: s(&l.key), str: 0, num: *value, num_unit: s(unit) }
                    }
                })
                .collect(),
        })
        .collect();
    let comment = p.comments.iter().map(|c| s(c)).collect();
    let drop_frames = s(&p.drop_frames);
    let keep_frames = s(&p.keep_frames);
    let default_sample_type = p.default_sample_type.as_deref().map_or(0, &mut s);
    let doc_url = s(&p.doc_url);
    wire::Profile {
        sample_type,
        sample,
        mapping,
        location,
        function,
        string_table: table,
        drop_frames,
        keep_frames,
        time_nanos: p.time_nanos,
        duration_nanos: p.duration_nanos,
        period_type,
        period: p.period,
        comment,
        default_sample_type,
        doc_url,
    }
    .encode_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::wire::{RawFunction, RawLabel, RawLine, RawLocation, RawMapping, RawSample};

    /// The same raw profile, read by prost instead of the wire reader.
    fn via_prost(data: &[u8]) -> Result<Profile, DecodeError> {
        let w = wire::Profile::decode(data).map_err(|e| DecodeError::Protobuf(e.to_string()))?;
        let mut raw = RawProfile {
            sample_types: w.sample_type.iter().map(|v| (v.r#type, v.unit)).collect(),
            strings: w.string_table.iter().map(|s| s.as_bytes()).collect(),
            drop_frames: w.drop_frames,
            keep_frames: w.keep_frames,
            time_nanos: w.time_nanos,
            duration_nanos: w.duration_nanos,
            period_type: w.period_type.as_ref().map(|v| (v.r#type, v.unit)),
            period: w.period,
            comments: w.comment.clone(),
            default_sample_type: w.default_sample_type,
            doc_url: w.doc_url,
            ..Default::default()
        };
        for s in &w.sample {
            let start = raw.stack_ids.len() as u32;
            for &id in &s.location_id {
                crate::profile::wire::push_stack_id_for_tests(&mut raw, id);
            }
            let (values, labels) = (raw.values.len() as u32, raw.labels.len() as u32);
            raw.values.extend(&s.value);
            raw.labels.extend(s.label.iter().map(|l| RawLabel { key: l.key, str: l.str, num: l.num, num_unit: l.num_unit }));
            raw.samples.push(RawSample {
                locations: (start, raw.stack_ids.len() as u32),
                values: (values, raw.values.len() as u32),
                labels: (labels, raw.labels.len() as u32),
            });
        }
        raw.mappings = w
            .mapping
            .iter()
            .map(|m| RawMapping {
                id: m.id,
                memory_start: m.memory_start,
                memory_limit: m.memory_limit,
                file_offset: m.file_offset,
                filename: m.filename,
                build_id: m.build_id,
                has_functions: m.has_functions,
                has_filenames: m.has_filenames,
                has_line_numbers: m.has_line_numbers,
                has_inline_frames: m.has_inline_frames,
            })
            .collect();
        for l in &w.location {
            let start = raw.lines.len() as u32;
            raw.lines.extend(l.line.iter().map(|x| RawLine { function_id: x.function_id, line: x.line, column: x.column }));
            raw.locations.push(RawLocation {
                id: l.id,
                mapping_id: l.mapping_id,
                address: l.address,
                lines: (start, raw.lines.len() as u32),
                is_folded: l.is_folded,
            });
        }
        raw.functions = w
            .function
            .iter()
            .map(|f| RawFunction { id: f.id, name: f.name, system_name: f.system_name, filename: f.filename, start_line: f.start_line })
            .collect();
        resolve(raw)
    }

    fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(data), &mut out).unwrap();
        out
    }

    #[test]
    fn wire_reader_agrees_with_prost_on_real_profiles() {
        let fixtures: [&[u8]; 5] = [
            include_bytes!("../../tests/fixtures/profiles/heap.pb.gz"),
            include_bytes!("../../tests/fixtures/profiles/cpu.pb.gz"),
            include_bytes!("../../tests/fixtures/profiles/goroutine.pb.gz"),
            include_bytes!("../../tests/fixtures/profiles/mutex.pb.gz"),
            include_bytes!("../../tests/fixtures/profiles/windows.heap.pb.gz"),
        ];
        for gz in fixtures {
            let data = gunzip(gz);
            let ours = decode(&data).unwrap();
            assert!(!ours.samples.is_empty());
            assert_eq!(ours, via_prost(&data).unwrap());
            // And writing it back gives the same model.
            assert_eq!(decode(&encode(&ours)).unwrap(), ours);
        }
    }

    #[test]
    fn wire_reader_agrees_with_prost_on_damaged_input() {
        let data = gunzip(include_bytes!("../../tests/fixtures/profiles/heap.pb.gz"));
        let mut agreed = 0;
        for cut in (0..data.len()).step_by(97).chain([data.len()]) {
            let ours = decode(&data[..cut]);
            let theirs = via_prost(&data[..cut]);
            assert_eq!(ours.is_ok(), theirs.is_ok(), "cut at {cut}: {ours:?} vs {theirs:?}");
            if let (Ok(a), Ok(b)) = (ours, theirs) {
                assert_eq!(a, b);
                agreed += 1;
            }
        }
        assert!(agreed > 0);
    }

    #[test]
    fn ids_wider_than_32_bits_are_kept() {
        // One sample at location id 2^40, one location with that id.
        let id: u64 = 1 << 40;
        let mut p = Profile {
            sample_types: vec![ValueType::new("a", "b")],
            locations: vec![model::Location::default()],
            ..Default::default()
        };
        p.push_sample(&[LocationIdx(0)], &[5], []);
        let mut w = wire::Profile::decode(&encode(&p)[..]).unwrap();
        w.sample[0].location_id = vec![id];
        w.location[0].id = id;
        let decoded = decode(&w.encode_to_vec()).unwrap();
        assert_eq!(decoded.sample(0).locations, vec![LocationIdx(0)]);
        assert_eq!(decoded.locations[0].id, id);
    }

    #[test]
    fn unpacked_repeated_fields_are_accepted() {
        // Sample { location_id: 1 (unpacked), value: 7 (unpacked) } with
        // one location and one sample type "a"/"b".
        let mut data = vec![];
        data.extend([0x0a, 0x04, 0x08, 0x01, 0x10, 0x02]); // sample_type {type:1 unit:2}
        data.extend([0x12, 0x04, 0x08, 0x01, 0x10, 0x07]); // sample {location_id:1 value:7}
        data.extend([0x22, 0x02, 0x08, 0x01]); // location {id:1}
        data.extend([0x32, 0x00, 0x32, 0x01, b'a', 0x32, 0x01, b'b']); // strings "", "a", "b"
        let p = decode(&data).unwrap();
        assert_eq!(p.sample(0).values, vec![7]);
        assert_eq!(p.sample(0).locations, vec![LocationIdx(0)]);
        assert_eq!(p.sample_types, vec![ValueType::new("a", "b")]);
    }
}
