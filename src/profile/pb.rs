//! Protobuf decoding: prost types from `proto/profile.proto`, then one pass
//! that resolves string, location, function and mapping ids and validates.

use std::collections::HashMap;

use prost::Message;

use super::model::{self, FunctionIdx, LabelValue, LocationIdx, MappingIdx, ValueType};
use super::{DecodeError, Profile};

#[allow(clippy::all)]
pub(crate) mod wire {
    include!(concat!(env!("OUT_DIR"), "/perftools.profiles.rs"));
}

pub(crate) fn decode(data: &[u8]) -> Result<Profile, DecodeError> {
    let raw = wire::Profile::decode(data).map_err(|e| DecodeError::Protobuf(e.to_string()))?;
    resolve(raw)
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

    fn get(&self, id: u64) -> Option<u32> {
        if self.dense {
            (id >= 1 && id <= self.len as u64).then(|| (id - 1) as u32)
        } else {
            self.sparse.get(&id).copied()
        }
    }
}

struct Strings(Vec<String>);

impl Strings {
    fn get(&self, index: i64, field: &str) -> Result<String, DecodeError> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.0.get(i))
            .cloned()
            .ok_or_else(|| {
                DecodeError::Invalid(format!(
                    "{field} refers to string {index}, but the string table has {} entries",
                    self.0.len()
                ))
            })
    }

    fn value_type(&self, vt: &wire::ValueType, field: &str) -> Result<ValueType, DecodeError> {
        Ok(ValueType { name: self.get(vt.r#type, field)?, unit: self.get(vt.unit, field)? })
    }
}

fn resolve(mut raw: wire::Profile) -> Result<Profile, DecodeError> {
    if raw.string_table.first().map(String::as_str) != Some("") {
        return Err(DecodeError::Invalid("string_table[0] must be the empty string".into()));
    }
    let strings = Strings(std::mem::take(&mut raw.string_table));

    let sample_types = raw
        .sample_type
        .iter()
        .map(|vt| strings.value_type(vt, "sample_type"))
        .collect::<Result<Vec<_>, _>>()?;

    let mapping_ids = IdMap::build("mapping", raw.mapping.iter().map(|m| m.id))?;
    let mappings = raw
        .mapping
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

    let function_ids = IdMap::build("function", raw.function.iter().map(|f| f.id))?;
    let functions = raw
        .function
        .iter()
        .map(|f| {
            Ok(model::Function {
                id: f.id,
                name: strings.get(f.name, "function.name")?,
                system_name: strings.get(f.system_name, "function.system_name")?,
                filename: strings.get(f.filename, "function.filename")?,
                start_line: f.start_line,
            })
        })
        .collect::<Result<Vec<_>, DecodeError>>()?;

    let location_ids = IdMap::build("location", raw.location.iter().map(|l| l.id))?;
    let locations = raw
        .location
        .iter()
        .map(|l| {
            let mapping = match l.mapping_id {
                0 => None,
                id => Some(MappingIdx(mapping_ids.get(id).ok_or_else(|| {
                    DecodeError::Invalid(format!("location {} refers to missing mapping {id}", l.id))
                })?)),
            };
            let lines = l
                .line
                .iter()
                .map(|ln| {
                    let f = function_ids.get(ln.function_id).ok_or_else(|| {
                        DecodeError::Invalid(format!(
                            "location {} refers to missing function {}",
                            l.id, ln.function_id
                        ))
                    })?;
                    Ok(model::Line { function: FunctionIdx(f), line: ln.line, column: ln.column })
                })
                .collect::<Result<Vec<_>, DecodeError>>()?;
            Ok(model::Location { id: l.id, mapping, address: l.address, lines, is_folded: l.is_folded })
        })
        .collect::<Result<Vec<_>, DecodeError>>()?;

    let n_types = sample_types.len();
    let mut samples = Vec::with_capacity(raw.sample.len());
    for (i, s) in raw.sample.into_iter().enumerate() {
        if s.value.len() != n_types {
            return Err(DecodeError::Invalid(format!(
                "sample {i} has {} values for {n_types} sample types",
                s.value.len()
            )));
        }
        let locs = s
            .location_id
            .iter()
            .map(|&id| {
                location_ids.get(id).map(LocationIdx).ok_or_else(|| {
                    DecodeError::Invalid(format!("sample {i} refers to missing location {id}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let labels = s
            .label
            .iter()
            .map(|l| {
                let key = strings.get(l.key, "label.key")?;
                let value = if l.str != 0 {
                    LabelValue::Str(strings.get(l.str, "label.str")?)
                } else {
                    LabelValue::Num { value: l.num, unit: strings.get(l.num_unit, "label.num_unit")? }
                };
                Ok(model::Label { key, value })
            })
            .collect::<Result<Vec<_>, DecodeError>>()?;
        samples.push(model::Sample { locations: locs, values: s.value, labels });
    }

    let optional = |index: i64, field: &str| -> Result<Option<String>, DecodeError> {
        Ok(Some(strings.get(index, field)?).filter(|s| !s.is_empty()))
    };
    Ok(Profile {
        sample_types,
        default_sample_type: optional(raw.default_sample_type, "default_sample_type")?,
        samples,
        locations,
        functions,
        mappings,
        period_type: raw.period_type.as_ref().map(|vt| strings.value_type(vt, "period_type")).transpose()?,
        period: raw.period,
        time_nanos: raw.time_nanos,
        duration_nanos: raw.duration_nanos,
        comments: raw.comment.iter().map(|&c| strings.get(c, "comment")).collect::<Result<_, _>>()?,
        drop_frames: strings.get(raw.drop_frames, "drop_frames")?,
        keep_frames: strings.get(raw.keep_frames, "keep_frames")?,
        doc_url: strings.get(raw.doc_url, "doc_url")?,
    })
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
    let mapping = p
        .mappings
        .iter()
        .enumerate()
        .map(|(i, m)| wire::Mapping {
            id: i as u64 + 1,
            memory_start: m.memory_start,
            memory_limit: m.memory_limit,
            file_offset: m.file_offset,
            filename: s(&m.filename),
            build_id: s(&m.build_id),
            has_functions: m.has_functions,
            has_filenames: m.has_filenames,
            has_line_numbers: m.has_line_numbers,
            has_inline_frames: m.has_inline_frames,
        })
        .collect();
    let function = p
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| wire::Function {
            id: i as u64 + 1,
            name: s(&f.name),
            system_name: s(&f.system_name),
            filename: s(&f.filename),
            start_line: f.start_line,
        })
        .collect();
    let location = p
        .locations
        .iter()
        .enumerate()
        .map(|(i, l)| wire::Location {
            id: i as u64 + 1,
            mapping_id: l.mapping.map_or(0, |m| m.0 as u64 + 1),
            address: l.address,
            line: l
                .lines
                .iter()
                .map(|ln| wire::Line { function_id: ln.function.0 as u64 + 1, line: ln.line, column: ln.column })
                .collect(),
            is_folded: l.is_folded,
        })
        .collect();
    let sample = p
        .samples
        .iter()
        .map(|smp| wire::Sample {
            location_id: smp.locations.iter().map(|l| l.0 as u64 + 1).collect(),
            value: smp.values.clone(),
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
