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

/// One sample: its ranges in [`RawProfile::stack_ids`], `values` and
/// `labels`, which the resolved profile keeps as they are.
pub(crate) type RawSample = super::Sample;

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

    #[cold]
    #[inline(never)]
    fn error(&self, what: &str) -> DecodeError {
        DecodeError::Protobuf(format!("{what} at offset {}", self.base + self.pos))
    }

    #[inline]
    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }

    #[inline(always)]
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

    #[inline]
    fn key(&mut self) -> Result<(u64, u8), DecodeError> {
        let key = self.varint()?;
        let field = key >> 3;
        if field == 0 {
            return Err(self.error("field number 0"));
        }
        Ok((field, (key & 7) as u8))
    }

    #[inline]
    fn bytes(&mut self) -> Result<(&'a [u8], usize), DecodeError> {
        let len = self.varint()?;
        let start = self.pos;
        let end = usize::try_from(len).ok().and_then(|l| start.checked_add(l)).filter(|&e| e <= self.buf.len());
        let Some(end) = end else { return Err(self.error("length runs past the end of the message")) };
        self.pos = end;
        Ok((&self.buf[start..end], self.base + start))
    }

    #[inline]
    fn message(&mut self) -> Result<Reader<'a>, DecodeError> {
        let (bytes, base) = self.bytes()?;
        Ok(Reader::new(bytes, base))
    }

    #[inline]
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
    #[inline]
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

/// Follows the top level of a `Profile` message as its bytes arrive (from
/// an inflating stream, say) and stops at the first byte [`read`] would
/// reject there: field number 0, a wire type the field cannot have, an
/// unsupported wire type, an overlong varint. Field contents are skipped
/// unchecked, so this costs a few steps per top-level field; a field cut
/// short by the end of the input is left for `read` to report.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scanner {
    /// Bytes seen so far.
    offset: u64,
    /// Where the current field's key starts.
    field_start: u64,
    /// Where the first top-level field that holds a message (fields 1 to 6
    /// and 11) starts, once one has.
    first_message: Option<u64>,
    state: ScanState,
}

#[derive(Clone, Copy, Debug)]
enum ScanState {
    /// Inside a varint: a key, a varint field's value, or a length.
    Varint { of: VarintOf, value: u64, len: u32 },
    /// Inside a fixed-width or length-delimited payload.
    Skip { remaining: u64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VarintOf {
    Key,
    Value,
    Length,
}

impl Default for ScanState {
    fn default() -> Self {
        ScanState::Varint { of: VarintOf::Key, value: 0, len: 0 }
    }
}

/// What follows a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Payload {
    Varint,
    /// A length, then that many bytes.
    Length,
    Fixed(u64),
}

/// The payload `read` accepts after a top-level key; `None` if it
/// refuses the key (see [`refusal`]).
#[inline(always)]
fn payload(key: u64) -> Option<Payload> {
    match (key >> 3, (key & 7) as u8) {
        (1..=6 | 11, LEN) | (13, LEN) => Some(Payload::Length),
        (7..=10 | 12..=15, VARINT) => Some(Payload::Varint),
        (16.., VARINT) => Some(Payload::Varint),
        (16.., LEN) => Some(Payload::Length),
        (16.., FIXED64) => Some(Payload::Fixed(8)),
        (16.., FIXED32) => Some(Payload::Fixed(4)),
        _ => None,
    }
}

/// Why `read` refuses a top-level key, in its words.
#[cold]
fn refusal(key: u64) -> String {
    let (field, wire_type) = (key >> 3, key & 7);
    match field {
        0 => "field number 0".into(),
        1..=6 | 11 => format!("field {field} has wire type {wire_type}, expected a message"),
        13 => format!("expected a repeated varint, found wire type {wire_type}"),
        7..=15 => format!("expected a varint, found wire type {wire_type}"),
        _ => format!("unsupported wire type {wire_type}"),
    }
}

/// Bytes that always hold a key and a varint after it.
const WHOLE_FIELD: usize = 20;

/// The varint at `pos`, and where it ends; `None` past ten bytes. Needs
/// ten bytes after `pos` or the end of a varint before that.
#[inline(always)]
fn varint_at(bytes: &[u8], pos: usize) -> Option<(u64, usize)> {
    let first = bytes[pos];
    if first < 0x80 {
        return Some((u64::from(first), pos + 1));
    }
    let mut value = u64::from(first & 0x7f);
    for i in 1..10 {
        let b = bytes[pos + i];
        value |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            return Some((value, pos + i + 1));
        }
    }
    None
}

/// Why [`Scanner`] stopped, and where the field it stopped in starts
/// (counted from the start of the message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScanError {
    pub offset: u64,
    pub message: String,
}

impl Scanner {
    /// Takes the next bytes of the message.
    pub(crate) fn feed(&mut self, mut bytes: &[u8]) -> Result<(), ScanError> {
        while !bytes.is_empty() {
            if bytes.len() >= WHOLE_FIELD && matches!(self.state, ScanState::Varint { of: VarintOf::Key, len: 0, .. }) {
                let used = self.whole_fields(bytes)?;
                bytes = &bytes[used..];
                continue;
            }
            match &mut self.state {
                ScanState::Skip { remaining } => {
                    let n = (*remaining).min(bytes.len() as u64);
                    *remaining -= n;
                    bytes = &bytes[n as usize..];
                    self.offset += n;
                    if *remaining == 0 {
                        self.state = ScanState::default();
                        self.field_start = self.offset;
                    }
                }
                ScanState::Varint { of, value, len } => {
                    let b = bytes[0];
                    bytes = &bytes[1..];
                    self.offset += 1;
                    *value |= u64::from(b & 0x7f) << (7 * *len);
                    *len += 1;
                    if b >= 0x80 {
                        if *len == 10 {
                            return Err(self.error("varint longer than 10 bytes".into()));
                        }
                        continue;
                    }
                    let (of, value) = (*of, *value);
                    self.state = match of {
                        VarintOf::Key => match payload(value).ok_or_else(|| self.error(refusal(value)))? {
                            Payload::Varint => ScanState::Varint { of: VarintOf::Value, value: 0, len: 0 },
                            Payload::Length => {
                                self.note_message(value, self.field_start);
                                ScanState::Varint { of: VarintOf::Length, value: 0, len: 0 }
                            }
                            Payload::Fixed(n) => ScanState::Skip { remaining: n },
                        },
                        VarintOf::Value => ScanState::default(),
                        VarintOf::Length if value == 0 => ScanState::default(),
                        VarintOf::Length => ScanState::Skip { remaining: value },
                    };
                    if matches!(self.state, ScanState::Varint { of: VarintOf::Key, .. }) {
                        self.field_start = self.offset;
                    }
                }
            }
        }
        Ok(())
    }

    /// Reads whole fields straight from `bytes` while a key and a varint
    /// surely fit (the common case, and several times faster than a byte
    /// at a time), starting at a field boundary. Returns the bytes used; a
    /// payload that runs past `bytes` leaves a `Skip` for the rest.
    fn whole_fields(&mut self, bytes: &[u8]) -> Result<usize, ScanError> {
        let mut pos = 0;
        const TOO_LONG: &str = "varint longer than 10 bytes";
        while bytes.len() - pos >= WHOLE_FIELD {
            let Some((key, after_key)) = varint_at(bytes, pos) else { return Err(self.error_at(pos, TOO_LONG.into())) };
            let Some(payload) = payload(key) else { return Err(self.error_at(pos, refusal(key))) };
            let (len, start) = match payload {
                Payload::Varint => match varint_at(bytes, after_key) {
                    Some((_, end)) => {
                        pos = end;
                        continue;
                    }
                    None => return Err(self.error_at(pos, TOO_LONG.into())),
                },
                Payload::Length => {
                    self.note_message(key, self.offset + pos as u64);
                    match varint_at(bytes, after_key) {
                        Some(length) => length,
                        None => return Err(self.error_at(pos, TOO_LONG.into())),
                    }
                }
                Payload::Fixed(n) => (n, after_key),
            };
            let room = (bytes.len() - start) as u64;
            if len > room {
                self.field_start = self.offset + pos as u64;
                self.offset += bytes.len() as u64;
                self.state = ScanState::Skip { remaining: len - room };
                return Ok(bytes.len());
            }
            pos = start + len as usize;
        }
        self.offset += pos as u64;
        self.field_start = self.offset;
        Ok(pos)
    }

    /// Remembers where the first message field starts, given a
    /// length-delimited field's key and start.
    #[inline(always)]
    fn note_message(&mut self, key: u64, start: u64) {
        if self.first_message.is_none() && matches!(key >> 3, 1..=6 | 11) {
            self.first_message = Some(start);
        }
    }

    /// Whether a whole message field came before the field `e` stopped
    /// in: the bytes began as a profile, and `e` is damage further on.
    pub(crate) fn began_as_profile(&self, e: &ScanError) -> bool {
        self.first_message.is_some_and(|start| start < e.offset)
    }

    fn error(&self, message: String) -> ScanError {
        ScanError { offset: self.field_start, message }
    }

    #[cold]
    fn error_at(&self, pos: usize, message: String) -> ScanError {
        ScanError { offset: self.offset + pos as u64, message }
    }
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
        locations: (start, p.stack_ids.len() as u32),
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
    nonzero_id("mapping", m.id)?;
    Ok(m)
}

/// Id 0 is never valid (`pb` says so too, after reading everything).
/// Refusing it here keeps a run of empty messages, a few bytes each, from
/// growing into gigabytes of records before it is refused.
fn nonzero_id(what: &str, id: u64) -> Result<(), DecodeError> {
    if id == 0 {
        return Err(DecodeError::Invalid(format!("{what} has id 0")));
    }
    Ok(())
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
    nonzero_id("location", l.id)?;
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
    nonzero_id("function", f.id)?;
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key and a small payload of its wire type: for a message, one that
    /// holds `id = 1` (as field 1), since id 0 is refused.
    fn field(number: u64, wire_type: u8) -> Vec<u8> {
        let mut out = Vec::new();
        let mut key = number << 3 | u64::from(wire_type);
        while key >= 0x80 {
            out.push(key as u8 | 0x80);
            key >>= 7;
        }
        out.push(key as u8);
        out.extend_from_slice(match wire_type {
            VARINT => &[0][..],
            LEN => &[2, 0x08, 1],
            FIXED64 => &[0; 8],
            FIXED32 => &[0; 4],
            _ => &[],
        });
        out
    }

    fn scan(bytes: &[u8]) -> Result<(), ScanError> {
        Scanner::default().feed(bytes)
    }

    /// The scanner and the reader agree on every field number and wire
    /// type at the top level, so the scanner can never refuse a profile
    /// the reader would take.
    #[test]
    fn scanner_and_reader_agree_on_top_level_fields() {
        for number in 0..=40 {
            for wire_type in 0..8 {
                let bytes = field(number, wire_type);
                let read_ok = read(&bytes).is_ok();
                assert_eq!(scan(&bytes).is_ok(), read_ok, "field {number}, wire type {wire_type}");
                // Fed one byte at a time, the answer is the same.
                let mut s = Scanner::default();
                let bytewise = bytes.iter().try_for_each(|b| s.feed(std::slice::from_ref(b)));
                assert_eq!(bytewise.is_ok(), read_ok, "field {number}, wire type {wire_type}, byte by byte");
            }
        }
    }

    #[test]
    fn scanner_stops_where_the_message_goes_wrong() {
        // A string, a varint and a packed comment, then a zero byte.
        let mut bytes = vec![0x32, 0x03, b'a', b'b', b'c', 0x60, 0x96, 0x01, 0x6a, 0x02, 0x01, 0x02];
        let good = bytes.len() as u64;
        assert_eq!(scan(&bytes), Ok(()));
        bytes.extend_from_slice(&[0; 64]);
        assert_eq!(scan(&bytes), Err(ScanError { offset: good, message: "field number 0".into() }));
        let err = scan(&[0x60, 0x01, 0x0d]).unwrap_err();
        assert_eq!(err, ScanError { offset: 2, message: "field 1 has wire type 5, expected a message".into() });
        let mut long = vec![0x38];
        long.extend([0xff; 10]);
        assert_eq!(scan(&long).unwrap_err().message, "varint longer than 10 bytes");
        assert_eq!(read(&long).unwrap_err().to_string(), "malformed protobuf: varint longer than 10 bytes at offset 11");
        assert_eq!(scan(&long).unwrap_err().offset, 0);
        // Field contents are not looked into, and a cut-off field is no error.
        assert_eq!(read(&[0x22, 0x00]).unwrap_err().to_string(), "invalid profile: location has id 0");
        assert_eq!(scan(&[0x12, 0x04, 0, 0, 0, 0, 0x12, 0x80]), Ok(()));
    }
}
