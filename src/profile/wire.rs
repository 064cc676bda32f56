//! A direct reader of the profile.proto wire format. It borrows strings
//! from the input and keeps sample stacks in one flat vector, so decoding a
//! million samples costs no per-field allocations. prost's generated types
//! (in `pb`) remain the schema of record, used to write profiles and to
//! cross-check this reader in tests.

use super::DecodeError;

/// One `Label` before its strings are looked up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawLabel {
    pub key: i64,
    pub str: i64,
    pub num: i64,
    pub num_unit: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawSample {
    /// Range in [`RawProfile::stack_ids`].
    pub stack: (u32, u32),
    /// Range in [`RawProfile::values`].
    pub values: (u32, u32),
    /// Range in [`RawProfile::labels`].
    pub labels: (u32, u32),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawMapping {
    pub id: u64,
    pub memory_start: u64,
    pub memory_limit: u64,
    pub file_offset: u64,
    pub filename: i64,
    pub build_id: i64,
    pub has_functions: bool,
    pub has_filenames: bool,
    pub has_line_numbers: bool,
    pub has_inline_frames: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawLine {
    pub function_id: u64,
    pub line: i64,
    pub column: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawLocation {
    pub id: u64,
    pub mapping_id: u64,
    pub address: u64,
    /// Range in [`RawProfile::lines`].
    pub lines: (u32, u32),
    pub is_folded: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawFunction {
    pub id: u64,
    pub name: i64,
    pub system_name: i64,
    pub filename: i64,
    pub start_line: i64,
}

/// A profile as the wire has it: ids and string indices unresolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawProfile<'a> {
    pub sample_types: Vec<(i64, i64)>,
    pub samples: Vec<RawSample>,
    /// Every sample's values, back to back.
    pub values: Vec<i64>,
    /// Every sample's labels, back to back.
    pub labels: Vec<RawLabel>,
    /// Location ids of all samples' stacks, back to back. Ids that do not
    /// fit in 32 bits (legal, but never written by Go) are stored as
    /// [`WIDE_ID`] with the real id in `wide_ids`, keyed by position.
    pub stack_ids: Vec<u32>,
    pub wide_ids: Vec<(u32, u64)>,
    pub mappings: Vec<RawMapping>,
    pub locations: Vec<RawLocation>,
    pub lines: Vec<RawLine>,
    pub functions: Vec<RawFunction>,
    pub strings: Vec<&'a [u8]>,
    pub drop_frames: i64,
    pub keep_frames: i64,
    pub time_nanos: i64,
    pub duration_nanos: i64,
    pub period_type: Option<(i64, i64)>,
    pub period: i64,
    pub comments: Vec<i64>,
    pub default_sample_type: i64,
    pub doc_url: i64,
}

const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LEN: u8 = 2;
const FIXED32: u8 = 5;

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf` in the whole input, for error messages.
    base: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8], base: usize) -> Self {
        Reader { buf, pos: 0, base }
    }

    fn error(&self, what: &str) -> DecodeError {
        DecodeError::Protobuf(format!("{what} at offset {}", self.base + self.pos))
    }

    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }

    #[inline]
    fn varint(&mut self) -> Result<u64, DecodeError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let Some(&b) = self.buf.get(self.pos) else { return Err(self.error("truncated varint")) };
            self.pos += 1;
            value |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(value);
            }
        }
        Err(self.error("varint longer than 10 bytes"))
    }

    fn key(&mut self) -> Result<(u64, u8), DecodeError> {
        let key = self.varint()?;
        let field = key >> 3;
        if field == 0 {
            return Err(self.error("field number 0"));
        }
        Ok((field, (key & 7) as u8))
    }

    fn bytes(&mut self) -> Result<(&'a [u8], usize), DecodeError> {
        let len = self.varint()?;
        let start = self.pos;
        let end = usize::try_from(len).ok().and_then(|l| start.checked_add(l)).filter(|&e| e <= self.buf.len());
        let Some(end) = end else { return Err(self.error("length runs past the end of the message")) };
        self.pos = end;
        Ok((&self.buf[start..end], self.base + start))
    }

    fn message(&mut self) -> Result<Reader<'a>, DecodeError> {
        let (bytes, base) = self.bytes()?;
        Ok(Reader::new(bytes, base))
    }

    fn skip(&mut self, wire_type: u8) -> Result<(), DecodeError> {
        let n = match wire_type {
            VARINT => return self.varint().map(|_| ()),
            FIXED64 => 8,
            LEN => return self.bytes().map(|_| ()),
            FIXED32 => 4,
            other => return Err(self.error(&format!("unsupported wire type {other}"))),
        };
        if self.pos + n > self.buf.len() {
            return Err(self.error("truncated fixed-width field"));
        }
        self.pos += n;
        Ok(())
    }

    /// A scalar that the schema declares as a varint.
    fn int(&mut self, wire_type: u8) -> Result<u64, DecodeError> {
        if wire_type != VARINT {
            return Err(self.error(&format!("expected a varint, found wire type {wire_type}")));
        }
        self.varint()
    }

    fn repeated_i64(&mut self, wire_type: u8, out: &mut Vec<i64>) -> Result<(), DecodeError> {
        match wire_type {
            VARINT => out.push(self.varint()? as i64),
            LEN => {
                let mut packed = self.message()?;
                while !packed.done() {
                    out.push(packed.varint()? as i64);
                }
            }
            other => return Err(self.error(&format!("expected a repeated varint, found wire type {other}"))),
        }
        Ok(())
    }
}

/// Reads a serialized `Profile` message.
pub(crate) fn read(data: &[u8]) -> Result<RawProfile<'_>, DecodeError> {
    let mut p = RawProfile::default();
    let mut r = Reader::new(data, 0);
    while !r.done() {
        let (field, wt) = r.key()?;
        match (field, wt) {
            (1, LEN) => p.sample_types.push(value_type(&mut r.message()?)?),
            (2, LEN) => sample(&mut r.message()?, &mut p)?,
            (3, LEN) => p.mappings.push(mapping(&mut r.message()?)?),
            (4, LEN) => location(&mut r.message()?, &mut p)?,
            (5, LEN) => p.functions.push(function(&mut r.message()?)?),
            (6, LEN) => p.strings.push(r.bytes()?.0),
            (7, _) => p.drop_frames = r.int(wt)? as i64,
            (8, _) => p.keep_frames = r.int(wt)? as i64,
            (9, _) => p.time_nanos = r.int(wt)? as i64,
            (10, _) => p.duration_nanos = r.int(wt)? as i64,
            (11, LEN) => p.period_type = Some(value_type(&mut r.message()?)?),
            (12, _) => p.period = r.int(wt)? as i64,
            (13, _) => r.repeated_i64(wt, &mut p.comments)?,
            (14, _) => p.default_sample_type = r.int(wt)? as i64,
            (15, _) => p.doc_url = r.int(wt)? as i64,
            (1..=6 | 11, other) => return Err(r.error(&format!("field {field} has wire type {other}, expected a message"))),
            (_, other) => r.skip(other)?,
        }
    }
    Ok(p)
}

fn value_type(r: &mut Reader<'_>) -> Result<(i64, i64), DecodeError> {
    let (mut ty, mut unit) = (0, 0);
    while !r.done() {
        match r.key()? {
            (1, wt) => ty = r.int(wt)? as i64,
            (2, wt) => unit = r.int(wt)? as i64,
            (_, wt) => r.skip(wt)?,
        }
    }
    Ok((ty, unit))
}

fn sample(r: &mut Reader<'_>, p: &mut RawProfile<'_>) -> Result<(), DecodeError> {
    let start = p.stack_ids.len() as u32;
    let (values_start, labels_start) = (p.values.len() as u32, p.labels.len() as u32);
    while !r.done() {
        match r.key()? {
            (1, VARINT) => push_stack_id(p, r.varint()?),
            (1, LEN) => {
                let mut packed = r.message()?;
                while !packed.done() {
                    push_stack_id(p, packed.varint()?);
                }
            }
            (1, wt) => return Err(r.error(&format!("location_id has wire type {wt}"))),
            (2, wt) => r.repeated_i64(wt, &mut p.values)?,
            (3, LEN) => p.labels.push(label(&mut r.message()?)?),
            (3, wt) => return Err(r.error(&format!("label has wire type {wt}"))),
            (_, wt) => r.skip(wt)?,
        }
    }
    if p.stack_ids.len() > u32::MAX as usize || p.values.len() > u32::MAX as usize || p.labels.len() > u32::MAX as usize {
        return Err(r.error("too many stack frames, values or labels"));
    }
    p.samples.push(RawSample {
        stack: (start, p.stack_ids.len() as u32),
        values: (values_start, p.values.len() as u32),
        labels: (labels_start, p.labels.len() as u32),
    });
    Ok(())
}

/// Marks a stack entry whose id is in [`RawProfile::wide_ids`].
pub(crate) const WIDE_ID: u32 = u32::MAX;

#[cfg(test)]
pub(crate) fn push_stack_id_for_tests(p: &mut RawProfile<'_>, id: u64) {
    push_stack_id(p, id);
}

#[inline]
fn push_stack_id(p: &mut RawProfile<'_>, id: u64) {
    match u32::try_from(id) {
        Ok(narrow) if narrow != WIDE_ID => p.stack_ids.push(narrow),
        _ => {
            p.wide_ids.push((p.stack_ids.len() as u32, id));
            p.stack_ids.push(WIDE_ID);
        }
    }
}

impl RawProfile<'_> {
    /// The location id at a position of [`RawProfile::stack_ids`].
    #[inline]
    pub(crate) fn stack_id(&self, position: usize) -> u64 {
        match self.stack_ids[position] {
            WIDE_ID => self
                .wide_ids
                .binary_search_by_key(&(position as u32), |&(p, _)| p)
                .map_or(u64::MAX, |i| self.wide_ids[i].1),
            id => u64::from(id),
        }
    }
}

fn label(r: &mut Reader<'_>) -> Result<RawLabel, DecodeError> {
    let mut l = RawLabel::default();
    while !r.done() {
        match r.key()? {
            (1, wt) => l.key = r.int(wt)? as i64,
            (2, wt) => l.str = r.int(wt)? as i64,
            (3, wt) => l.num = r.int(wt)? as i64,
            (4, wt) => l.num_unit = r.int(wt)? as i64,
            (_, wt) => r.skip(wt)?,
        }
    }
    Ok(l)
}

fn mapping(r: &mut Reader<'_>) -> Result<RawMapping, DecodeError> {
    let mut m = RawMapping::default();
    while !r.done() {
        match r.key()? {
            (1, wt) => m.id = r.int(wt)?,
            (2, wt) => m.memory_start = r.int(wt)?,
            (3, wt) => m.memory_limit = r.int(wt)?,
            (4, wt) => m.file_offset = r.int(wt)?,
            (5, wt) => m.filename = r.int(wt)? as i64,
            (6, wt) => m.build_id = r.int(wt)? as i64,
            (7, wt) => m.has_functions = r.int(wt)? != 0,
            (8, wt) => m.has_filenames = r.int(wt)? != 0,
            (9, wt) => m.has_line_numbers = r.int(wt)? != 0,
            (10, wt) => m.has_inline_frames = r.int(wt)? != 0,
            (_, wt) => r.skip(wt)?,
        }
    }
    Ok(m)
}

fn location(r: &mut Reader<'_>, p: &mut RawProfile<'_>) -> Result<(), DecodeError> {
    let start = p.lines.len() as u32;
    let mut l = RawLocation::default();
    while !r.done() {
        match r.key()? {
            (1, wt) => l.id = r.int(wt)?,
            (2, wt) => l.mapping_id = r.int(wt)?,
            (3, wt) => l.address = r.int(wt)?,
            (4, LEN) => p.lines.push(line(&mut r.message()?)?),
            (4, wt) => return Err(r.error(&format!("line has wire type {wt}"))),
            (5, wt) => l.is_folded = r.int(wt)? != 0,
            (_, wt) => r.skip(wt)?,
        }
    }
    l.lines = (start, p.lines.len() as u32);
    p.locations.push(l);
    Ok(())
}

fn line(r: &mut Reader<'_>) -> Result<RawLine, DecodeError> {
    let mut l = RawLine::default();
    while !r.done() {
        match r.key()? {
            (1, wt) => l.function_id = r.int(wt)?,
            (2, wt) => l.line = r.int(wt)? as i64,
            (3, wt) => l.column = r.int(wt)? as i64,
            (_, wt) => r.skip(wt)?,
        }
    }
    Ok(l)
}

fn function(r: &mut Reader<'_>) -> Result<RawFunction, DecodeError> {
    let mut f = RawFunction::default();
    while !r.done() {
        match r.key()? {
            (1, wt) => f.id = r.int(wt)?,
            (2, wt) => f.name = r.int(wt)? as i64,
            (3, wt) => f.system_name = r.int(wt)? as i64,
            (4, wt) => f.filename = r.int(wt)? as i64,
            (5, wt) => f.start_line = r.int(wt)? as i64,
            (_, wt) => r.skip(wt)?,
        }
    }
    Ok(f)
}
