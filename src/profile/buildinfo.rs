//! Go's build information, read from the bytes of a Go executable: the Go
//! version, the main package and module, and the build settings, among them
//! the commit the binary was built from (`vcs.revision`, `vcs.time`,
//! `vcs.modified`). Pure: the caller reads the file.
//!
//! Where it lives (the layout `go version -m` and `debug/buildinfo` read):
//! the linker writes a blob into its own section, `.go.buildinfo` in ELF
//! and `__go_buildinfo` in Mach-O; a PE file has no such section, and the
//! blob is near the start of its first writable data section. The blob
//! starts at a 16-byte aligned address with a 32-byte header: 14 bytes of
//! magic, `\xff Go buildinf:`, a pointer size, a flags byte, then 16 bytes
//! whose meaning depends on the flags:
//!
//! - flag 0x2 set (Go 1.18 on): the version string and the module text
//!   follow the header inline, each a uvarint length and its bytes;
//! - flag 0x2 clear (up to Go 1.17): the 16 bytes hold two pointers (size
//!   and byte order from the header; flag 0x1 means big-endian) to Go string
//!   headers (data pointer, length) elsewhere in the loaded image.
//!
//! The module text is framed by two 16-byte sentinels; inside it is one
//! record a line: `path\tPKG`, `mod\tPATH\tVERSION[\tSUM]`, `dep\t…`,
//! `=>\t…` (the replacement of the module on the line before) and
//! `build\tKEY=VALUE`, where a key or value holding spaces, tabs, newlines
//! or quotes is written as a Go quoted string.
//!
//! Nothing here panics or allocates more than the input's size, whatever the
//! bytes: every offset, length and pointer is checked against the image.

use object::read::macho::{FatArch, MachOFatFile32, MachOFatFile64};
use object::{BinaryFormat, FileKind, Object, ObjectSection, ObjectSegment, SectionFlags};
use thiserror::Error;

/// The build information of one Go binary, as `go version -m` shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildInfo {
    /// The toolchain that built the binary, e.g. `go1.22.3`.
    pub go_version: String,
    /// The main package's import path (`command-line-arguments` for a build
    /// of files named on the command line).
    pub path: String,
    /// The main module; `None` for a build outside module mode.
    pub main_module: Option<Module>,
    /// The modules the binary was built with, as listed.
    pub deps: Vec<Module>,
    /// The `build` lines, in order: flags (`-ldflags`), environment
    /// (`GOOS`, `CGO_ENABLED`) and version control (`vcs`, `vcs.revision`,
    /// `vcs.time`, `vcs.modified`).
    pub settings: Vec<(String, String)>,
}

/// One module line of the build information.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Module {
    pub path: String,
    /// `(devel)` for a main module built from a checkout without a tag.
    pub version: String,
    /// The go.sum hash; empty for the main module.
    pub sum: String,
    /// What a `replace` directive put in its place.
    pub replace: Option<Box<Module>>,
}

impl BuildInfo {
    /// The value of the first build setting named `key`.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The version control system the build was stamped from, e.g. `git`.
    pub fn vcs(&self) -> Option<&str> {
        self.setting("vcs")
    }

    /// The commit the binary was built from (a full hash for git).
    pub fn vcs_revision(&self) -> Option<&str> {
        self.setting("vcs.revision")
    }

    /// The commit's time, as RFC 3339 in UTC, e.g. `2024-05-06T07:08:09Z`.
    pub fn vcs_time(&self) -> Option<&str> {
        self.setting("vcs.time")
    }

    /// Whether the checkout had changes (tracked or untracked files) on top
    /// of the commit; `None` when not recorded or not `true`/`false`.
    pub fn vcs_modified(&self) -> Option<bool> {
        match self.setting("vcs.modified")? {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }
}

/// Why no build information could be read. Messages read well after the
/// file's name and a colon.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum BuildInfoError {
    /// Not an ELF, Mach-O or PE executable.
    #[error("not an executable (ELF, Mach-O or PE)")]
    NotAnObject,
    /// Its headers say it is one of those formats, but they do not read.
    #[error("damaged {format} file: {reason}")]
    BadObject { format: &'static str, reason: String },
    /// The executable holds no Go build information: it is not a Go
    /// binary, or one too old to carry it (before Go 1.13).
    #[error("no Go build information ({0})")]
    NoBuildInfo(&'static str),
    /// The build-information section is there, but Go's header is not.
    #[error("the {0} section does not hold Go's build-information header")]
    BadMagic(&'static str),
    /// A length or pointer runs past the data the file holds.
    #[error("Go build information cut short: {0}")]
    Truncated(&'static str),
    /// A layout this reader does not know.
    #[error("unsupported Go build information: {0}")]
    Unsupported(String),
    /// The module text breaks Go's rules (`line` counts from 1, as Go's
    /// own parser counts).
    #[error("malformed Go module information, line {line}: {reason}")]
    BadModInfo { line: usize, reason: String },
}

/// The first bytes of the header.
const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
const HEADER_SIZE: u64 = 32;
const ALIGN: u64 = 16;
/// Header flags.
const FLAG_BIG_ENDIAN: u8 = 0x1;
const FLAG_INLINE: u8 = 0x2;
/// The sentinels around the module text are this long each.
const SENTINEL: usize = 16;

/// Reads the build information of the Go executable in `binary`.
pub fn read(binary: &[u8]) -> Result<BuildInfo, BuildInfoError> {
    let (version, modinfo) = read_raw(binary)?;
    let mut info = parse_modinfo(&String::from_utf8_lossy(modinfo))?;
    info.go_version = String::from_utf8_lossy(version).into_owned();
    Ok(info)
}

/// The version string and the module text (sentinels removed; empty when
/// the binary carries none).
fn read_raw(binary: &[u8]) -> Result<(&[u8], &[u8]), BuildInfoError> {
    let image = Image::parse(binary)?;
    let at = image.find_header()?;
    let header = image.read(at, HEADER_SIZE);
    if header.len() < HEADER_SIZE as usize {
        return Err(BuildInfoError::Truncated("the header"));
    }
    let (ptr_size, flags) = (header[14], header[15]);
    let (version, modinfo) = if flags & FLAG_INLINE != 0 {
        let (version, next) = image.inline_string(at + HEADER_SIZE, "the version string")?;
        let (modinfo, _) = image.inline_string(next, "the module text")?;
        (version, modinfo)
    } else {
        let word = Word::new(ptr_size, flags & FLAG_BIG_ENDIAN != 0)?;
        let fields = &header[16..];
        let version = image.pointer_string(word, word.get(fields), "the version string")?;
        let modinfo = image.pointer_string(word, word.get(&fields[word.size..]), "the module text")?;
        (version, modinfo)
    };
    if version.is_empty() {
        return Err(BuildInfoError::NoBuildInfo("the header names no Go version"));
    }
    // Go's rule for the framing: long enough for both sentinels and a line,
    // and a newline just before the closing sentinel; anything else means
    // no module information.
    let n = modinfo.len();
    let modinfo = if n > 2 * SENTINEL && modinfo[n - SENTINEL - 1] == b'\n' { &modinfo[SENTINEL..n - SENTINEL] } else { &[] };
    Ok((version, modinfo))
}

/// The loaded pieces of an executable, by address, and where its build
/// information is to be looked for.
struct Image<'a> {
    /// Address and file bytes of each loadable piece: ELF program headers,
    /// Mach-O segments, PE sections.
    pieces: Vec<(u64, &'a [u8])>,
    /// Address and size of the range searched for the header, and whether
    /// it is the section named for the purpose (`Some(name)`) or only the
    /// data section it is usually in.
    search: Option<(u64, u64, Option<&'static str>)>,
}

impl<'a> Image<'a> {
    fn parse(binary: &'a [u8]) -> Result<Image<'a>, BuildInfoError> {
        let kind = FileKind::parse(binary).map_err(|_| BuildInfoError::NotAnObject)?;
        let bad = |format: &'static str| move |e: object::Error| BuildInfoError::BadObject { format, reason: e.to_string() };
        // A universal Mach-O binary: Go reads its first architecture.
        let data = match kind {
            FileKind::MachOFat32 => first_arch(MachOFatFile32::parse(binary).map_err(bad("Mach-O universal"))?.arches(), binary)?,
            FileKind::MachOFat64 => first_arch(MachOFatFile64::parse(binary).map_err(bad("Mach-O universal"))?.arches(), binary)?,
            FileKind::Elf32 | FileKind::Elf64 | FileKind::MachO32 | FileKind::MachO64 | FileKind::Pe32 | FileKind::Pe64 => binary,
            _ => return Err(BuildInfoError::NotAnObject),
        };
        let format = match FileKind::parse(data) {
            Ok(FileKind::Elf32 | FileKind::Elf64) => "ELF",
            Ok(FileKind::MachO32 | FileKind::MachO64) => "Mach-O",
            Ok(FileKind::Pe32 | FileKind::Pe64) => "PE",
            _ => return Err(BuildInfoError::NotAnObject),
        };
        let file = object::File::parse(data).map_err(bad(format))?;
        let pieces = file.segments().filter_map(|s| Some((s.address(), s.data().ok()?))).collect();
        let search = match file.format() {
            BinaryFormat::Elf => named_section(&file, ".go.buildinfo"),
            BinaryFormat::MachO => named_section(&file, "__go_buildinfo"),
            BinaryFormat::Pe => pe_data_section(&file),
            _ => None,
        };
        Ok(Image { pieces, search })
    }

    /// Up to `len` bytes from `address`, as far as the piece holding that
    /// address has them in the file; empty when no piece holds it.
    fn read(&self, address: u64, len: u64) -> &'a [u8] {
        for &(start, data) in &self.pieces {
            let Some(offset) = address.checked_sub(start) else { continue };
            if offset < data.len() as u64 {
                let rest = &data[offset as usize..];
                return &rest[..rest.len().min(usize::try_from(len).unwrap_or(usize::MAX))];
            }
        }
        &[]
    }

    /// The address of the header: the first 16-byte aligned occurrence of
    /// the magic in the search range with room for a whole header.
    fn find_header(&self) -> Result<u64, BuildInfoError> {
        let Some((start, size, name)) = self.search else {
            return Err(BuildInfoError::NoBuildInfo("no build-information section"));
        };
        let missing = || match name {
            Some(name) => BuildInfoError::BadMagic(name),
            None => BuildInfoError::NoBuildInfo("no build-information header in the data section"),
        };
        let end = start.checked_add(size).ok_or_else(missing)?;
        let first = start.checked_next_multiple_of(ALIGN).ok_or_else(missing)?;
        if first >= end {
            return Err(missing());
        }
        let bytes = self.read(first, end - first);
        let Some(offset) = (0..bytes.len()).step_by(ALIGN as usize).find(|&i| bytes[i..].starts_with(MAGIC)) else {
            return Err(missing());
        };
        let at = first + offset as u64;
        if end - at < HEADER_SIZE {
            return Err(BuildInfoError::Truncated("the header"));
        }
        Ok(at)
    }

    /// A uvarint length at `address` and that many bytes after it; also the
    /// address after them.
    fn inline_string(&self, address: u64, what: &'static str) -> Result<(&'a [u8], u64), BuildInfoError> {
        let (len, n) = uvarint(self.read(address, 10)).ok_or(BuildInfoError::Truncated(what))?;
        let start = address.checked_add(n).ok_or(BuildInfoError::Truncated(what))?;
        let end = start.checked_add(len).ok_or(BuildInfoError::Truncated(what))?;
        let bytes = self.read(start, len);
        if (bytes.len() as u64) < len {
            return Err(BuildInfoError::Truncated(what));
        }
        Ok((bytes, end))
    }

    /// The bytes of the Go string whose header (data pointer, length) is at
    /// `address`.
    fn pointer_string(&self, word: Word, address: u64, what: &'static str) -> Result<&'a [u8], BuildInfoError> {
        let header = self.read(address, 2 * word.size as u64);
        if header.len() < 2 * word.size {
            return Err(BuildInfoError::Truncated(what));
        }
        let (data, len) = (word.get(header), word.get(&header[word.size..]));
        let bytes = self.read(data, len);
        if (bytes.len() as u64) < len {
            return Err(BuildInfoError::Truncated(what));
        }
        Ok(bytes)
    }
}

fn first_arch<'a, F: FatArch>(arches: &[F], binary: &'a [u8]) -> Result<&'a [u8], BuildInfoError> {
    let arch = arches.first().ok_or(BuildInfoError::BadObject { format: "Mach-O universal", reason: "no architectures".into() })?;
    arch.data(binary).map_err(|e| BuildInfoError::BadObject { format: "Mach-O universal", reason: e.to_string() })
}

fn named_section(file: &object::File<'_>, name: &'static str) -> Option<(u64, u64, Option<&'static str>)> {
    let section = file.sections().find(|s| s.name_bytes().is_ok_and(|n| n == name.as_bytes()))?;
    Some((section.address(), section.size(), Some(name)))
}

/// The first section that is initialized, readable and writable data and
/// nothing else (alignment bits aside): where Go's linker puts the blob in
/// a PE file.
fn pe_data_section(file: &object::File<'_>) -> Option<(u64, u64, Option<&'static str>)> {
    const INITIALIZED_DATA: u32 = 0x0000_0040;
    const MEM_READ: u32 = 0x4000_0000;
    const MEM_WRITE: u32 = 0x8000_0000;
    const ALIGN_32_BYTES: u32 = 0x0060_0000;
    file.sections()
        .find(|s| {
            let SectionFlags::Coff { characteristics } = s.flags() else { return false };
            s.address() != 0 && s.size() != 0 && characteristics.0 & !ALIGN_32_BYTES == INITIALIZED_DATA | MEM_READ | MEM_WRITE
        })
        .map(|s| (s.address(), s.size(), None))
}

/// A target pointer: its size and byte order.
#[derive(Clone, Copy)]
struct Word {
    size: usize,
    big_endian: bool,
}

impl Word {
    fn new(size: u8, big_endian: bool) -> Result<Word, BuildInfoError> {
        match size {
            4 | 8 => Ok(Word { size: size as usize, big_endian }),
            _ => Err(BuildInfoError::Unsupported(format!("pointer size {size} in the header (not 4 or 8)"))),
        }
    }

    /// The word at the start of `bytes`, which holds at least one.
    fn get(self, bytes: &[u8]) -> u64 {
        let word = &bytes[..self.size];
        let fold = |acc: u64, b: &u8| acc << 8 | u64::from(*b);
        if self.big_endian {
            word.iter().fold(0, fold)
        } else {
            word.iter().rev().fold(0, fold)
        }
    }
}

/// A uvarint at the start of `bytes` and how many bytes it took; `None`
/// when it does not end within them or overflows 64 bits.
fn uvarint(bytes: &[u8]) -> Option<(u64, u64)> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        if i == 9 && b > 1 {
            return None;
        }
        value |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            return Some((value, i as u64 + 1));
        }
    }
    None
}

/// Parses the module text (without its sentinels), as Go's
/// `debug.ParseBuildInfo` does: lines it does not know are passed over, and
/// text after the last newline is ignored.
pub fn parse_modinfo(text: &str) -> Result<BuildInfo, BuildInfoError> {
    /// Which module a `=>` line replaces.
    enum Last {
        None,
        Main,
        Dep,
    }
    let mut info = BuildInfo::default();
    let mut last = Last::None;
    let mut rest = text;
    let mut line_no = 1;
    while let Some((line, tail)) = rest.split_once('\n') {
        rest = tail;
        let bad = |reason: String| BuildInfoError::BadModInfo { line: line_no, reason };
        if let Some(p) = line.strip_prefix("path\t") {
            info.path = p.to_string();
        } else if let Some(m) = line.strip_prefix("mod\t") {
            info.main_module = Some(module_line(m).map_err(bad)?);
            last = Last::Main;
        } else if let Some(m) = line.strip_prefix("dep\t") {
            info.deps.push(module_line(m).map_err(bad)?);
            last = Last::Dep;
        } else if let Some(r) = line.strip_prefix("=>\t") {
            let fields: Vec<&str> = r.split('\t').collect();
            if fields.len() != 3 {
                return Err(bad(format!("expected 3 columns for replacement; got {}", fields.len())));
            }
            let replace = Some(Box::new(Module { path: fields[0].into(), version: fields[1].into(), sum: fields[2].into(), replace: None }));
            let replaced = match std::mem::replace(&mut last, Last::None) {
                Last::Main => info.main_module.as_mut(),
                Last::Dep => info.deps.last_mut(),
                Last::None => None,
            };
            let Some(module) = replaced else { return Err(bad("replacement with no module on previous line".into())) };
            module.replace = replace;
        } else if let Some(kv) = line.strip_prefix("build\t") {
            info.settings.push(build_line(kv).map_err(bad)?);
        }
        line_no += 1;
    }
    Ok(info)
}

fn module_line(text: &str) -> Result<Module, String> {
    let fields: Vec<&str> = text.split('\t').collect();
    if !(2..=3).contains(&fields.len()) {
        return Err(format!("expected 2 or 3 columns; got {}", fields.len()));
    }
    Ok(Module { path: fields[0].into(), version: fields[1].into(), sum: fields.get(2).unwrap_or(&"").to_string(), replace: None })
}

/// `KEY=VALUE` of a `build` line, either side possibly quoted.
fn build_line(kv: &str) -> Result<(String, String), String> {
    let (key, raw_value) = match kv.as_bytes().first() {
        None => return Err("build line missing '='".into()),
        Some(b'=') => return Err("build line with missing key".into()),
        Some(b'"' | b'`') => {
            let (key, used) = unquote_prefix(kv).ok_or("invalid quoted key in build line")?;
            match kv.as_bytes().get(used) {
                None => return Err("build line missing '=' after quoted key".into()),
                Some(b'=') => (lossy(key), &kv[used + 1..]),
                Some(&c) => return Err(format!("unexpected character after quoted key: {:?}", c as char)),
            }
        }
        Some(_) => {
            let (key, value) = kv.split_once('=').ok_or("build line missing '=' after key")?;
            if needs_quotes(key) {
                return Err(format!("unquoted key {key:?} must be quoted"));
            }
            (key.to_string(), value)
        }
    };
    let value = match raw_value.as_bytes().first() {
        Some(b'"' | b'`') => match unquote_prefix(raw_value) {
            Some((value, used)) if used == raw_value.len() => lossy(value),
            _ => return Err("invalid quoted value in build line".into()),
        },
        _ if needs_quotes(raw_value) => return Err(format!("unquoted value {raw_value:?} must be quoted")),
        _ => raw_value.to_string(),
    };
    Ok((key, value))
}

/// Whether Go writes this key or value quoted (its `quoteValue`; an `=` in a
/// key is caught by splitting at the first one).
fn needs_quotes(s: &str) -> bool {
    s.contains([' ', '\t', '\r', '\n', '"', '`'])
}

fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The Go string literal (`"…"` with escapes, or `` `…` `` raw) at the
/// start of `s`: its value as bytes (a `\x` or octal escape can make them
/// non-UTF-8) and how many bytes of `s` it took. `None` when `s` does not
/// start with a valid one.
fn unquote_prefix(s: &str) -> Option<(Vec<u8>, usize)> {
    let bytes = s.as_bytes();
    match bytes.first()? {
        b'`' => {
            let end = 1 + bytes[1..].iter().position(|&b| b == b'`')?;
            // Carriage returns inside a raw string are dropped.
            Some((bytes[1..end].iter().copied().filter(|&b| b != b'\r').collect(), end + 1))
        }
        b'"' => {
            let mut out = Vec::new();
            let mut i = 1;
            loop {
                match *bytes.get(i)? {
                    b'"' => return Some((out, i + 1)),
                    b'\n' => return None,
                    b'\\' => {
                        let (value, used) = unescape(&bytes[i + 1..])?;
                        out.extend_from_slice(&value);
                        i += 1 + used;
                    }
                    b => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
        }
        _ => None,
    }
}

/// One escape inside a double-quoted Go string, `rest` starting after the
/// backslash: the bytes it stands for and how many bytes of `rest` it took.
fn unescape(rest: &[u8]) -> Option<(Vec<u8>, usize)> {
    let hex = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0u32, |acc, &d| Some(acc << 4 | (d as char).to_digit(16)?))
    };
    let simple = |b: u8| Some((vec![b], 1));
    match *rest.first()? {
        b'a' => simple(0x07),
        b'b' => simple(0x08),
        b'f' => simple(0x0c),
        b'n' => simple(b'\n'),
        b'r' => simple(b'\r'),
        b't' => simple(b'\t'),
        b'v' => simple(0x0b),
        b'\\' => simple(b'\\'),
        b'"' => simple(b'"'),
        b'x' => Some((vec![hex(rest.get(1..3)?)? as u8], 3)),
        c @ (b'u' | b'U') => {
            let n = if c == b'u' { 4 } else { 8 };
            let ch = char::from_u32(hex(rest.get(1..1 + n)?)?)?;
            Some((ch.to_string().into_bytes(), 1 + n))
        }
        b'0'..=b'7' => {
            let digits = rest.get(..3)?;
            let value = digits.iter().try_fold(0u32, |acc, &d| matches!(d, b'0'..=b'7').then(|| acc << 3 | u32::from(d - b'0')))?;
            Some((vec![u8::try_from(value).ok()?], 3))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The module text of a small program built from a git checkout, as
    /// the linker frames it.
    const MODINFO: &str = "path\texample.com/hello\n\
        mod\texample.com/hello\t(devel)\t\n\
        dep\tgolang.org/x/text\tv0.14.0\th1:abc=\n\
        =>\t../text\t(devel)\t\n\
        build\t-buildmode=exe\n\
        build\t-ldflags=\"-X 'main.note=hello world'\"\n\
        build\tCGO_ENABLED=1\n\
        build\tvcs=git\n\
        build\tvcs.revision=465c79350d4f7346e13e4ea49e60a2dc1e41db7a\n\
        build\tvcs.time=2024-05-06T07:08:09Z\n\
        build\tvcs.modified=false\n";

    fn framed(text: &str) -> Vec<u8> {
        let mut out = vec![0x30; SENTINEL];
        out.extend_from_slice(text.as_bytes());
        out.extend_from_slice(&[0xf9; SENTINEL]);
        out
    }

    fn uvarint_bytes(mut n: u64) -> Vec<u8> {
        let mut out = Vec::new();
        while n >= 0x80 {
            out.push(n as u8 | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
        out
    }

    const BASE: u64 = 0x40_0000;
    /// Where the blob starts, in the file and (plus `BASE`) in memory.
    const BLOB_OFFSET: u64 = 128;

    /// A minimal little-endian ELF64 executable: one loadable segment
    /// covering the whole file at `BASE`, and a section `name` holding
    /// `blob` at `BASE + BLOB_OFFSET`.
    fn elf(name: &str, blob: &[u8]) -> Vec<u8> {
        let mut strtab = b"\0.shstrtab\0".to_vec();
        let name_at = strtab.len() as u32;
        strtab.extend_from_slice(name.as_bytes());
        strtab.push(0);
        let blob_end = BLOB_OFFSET + blob.len() as u64;
        let strtab_at = blob_end;
        let shoff = (strtab_at + strtab.len() as u64).next_multiple_of(8);
        let file_size = shoff + 3 * 64;

        let mut f = Vec::new();
        let (u16le, u32le, u64le) = (|v: u16| v.to_le_bytes().to_vec(), |v: u32| v.to_le_bytes().to_vec(), |v: u64| v.to_le_bytes().to_vec());
        f.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
        for part in [u16le(2), u16le(62), u32le(1), u64le(BASE), u64le(64), u64le(shoff), u32le(0)] {
            f.extend(part);
        }
        for v in [64u16, 56, 1, 64, 3, 2] {
            f.extend(u16le(v));
        }
        // PT_LOAD, read + write, the whole file.
        for part in [u32le(1), u32le(6), u64le(0), u64le(BASE), u64le(BASE), u64le(file_size), u64le(file_size), u64le(0x1000)] {
            f.extend(part);
        }
        f.resize(BLOB_OFFSET as usize, 0);
        f.extend_from_slice(blob);
        f.extend_from_slice(&strtab);
        f.resize(shoff as usize, 0);
        let section = |name: u32, kind: u32, flags: u64, addr: u64, offset: u64, size: u64, align: u64| {
            [u32le(name), u32le(kind), u64le(flags), u64le(addr), u64le(offset), u64le(size), u32le(0), u32le(0), u64le(align), u64le(0)].concat()
        };
        f.extend(vec![0; 64]);
        f.extend(section(name_at, 1, 3, BASE + BLOB_OFFSET, BLOB_OFFSET, blob.len() as u64, 16));
        f.extend(section(1, 3, 0, 0, strtab_at, strtab.len() as u64, 1));
        assert_eq!(f.len() as u64, file_size);
        f
    }

    /// A Go 1.18+ blob: the header, then the strings inline.
    fn inline_blob(version: &str, modinfo: &[u8]) -> Vec<u8> {
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(&[8, FLAG_INLINE]);
        blob.resize(HEADER_SIZE as usize, 0);
        for s in [version.as_bytes(), modinfo] {
            blob.extend(uvarint_bytes(s.len() as u64));
            blob.extend_from_slice(s);
        }
        blob.resize(blob.len().next_multiple_of(16), 0);
        blob
    }

    /// A pre-1.18 blob: the header's two pointers lead to string headers
    /// right after it, and those to the strings after them.
    fn pointer_blob(version: &str, modinfo: &[u8], size: usize, big_endian: bool) -> Vec<u8> {
        let addr = BASE + BLOB_OFFSET;
        let word = |v: u64| {
            let bytes = if big_endian { v.to_be_bytes() } else { v.to_le_bytes() };
            if big_endian { bytes[8 - size..].to_vec() } else { bytes[..size].to_vec() }
        };
        let headers = HEADER_SIZE;
        let strings = headers + 4 * size as u64;
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(&[size as u8, if big_endian { FLAG_BIG_ENDIAN } else { 0 }]);
        blob.extend(word(addr + headers));
        blob.extend(word(addr + headers + 2 * size as u64));
        blob.resize(headers as usize, 0);
        blob.extend(word(addr + strings));
        blob.extend(word(version.len() as u64));
        blob.extend(word(addr + strings + version.len() as u64));
        blob.extend(word(modinfo.len() as u64));
        blob.extend_from_slice(version.as_bytes());
        blob.extend_from_slice(modinfo);
        blob
    }

    fn expected() -> BuildInfo {
        let mut info = parse_modinfo(MODINFO).unwrap();
        info.go_version = "go1.22.3".into();
        info
    }

    #[test]
    fn reads_the_inline_layout_of_an_elf_binary() {
        let info = read(&elf(".go.buildinfo", &inline_blob("go1.22.3", &framed(MODINFO)))).unwrap();
        assert_eq!(info, expected());
        assert_eq!(info.vcs(), Some("git"));
        assert_eq!(info.vcs_revision(), Some("465c79350d4f7346e13e4ea49e60a2dc1e41db7a"));
        assert_eq!(info.vcs_time(), Some("2024-05-06T07:08:09Z"));
        assert_eq!(info.vcs_modified(), Some(false));
        assert_eq!(info.setting("-ldflags"), Some("-X 'main.note=hello world'"));
        assert_eq!(info.path, "example.com/hello");
        let main = info.main_module.as_ref().unwrap();
        assert_eq!((main.path.as_str(), main.version.as_str(), main.sum.as_str()), ("example.com/hello", "(devel)", ""));
        assert_eq!(info.deps[0].replace.as_ref().unwrap().path, "../text");
    }

    #[test]
    fn reads_the_pointer_layout_in_both_byte_orders_and_sizes() {
        for (size, big_endian) in [(8, false), (8, true), (4, false), (4, true)] {
            let bytes = elf(".go.buildinfo", &pointer_blob("go1.17.13", &framed(MODINFO), size, big_endian));
            let info = read(&bytes).unwrap_or_else(|e| panic!("size {size}, big-endian {big_endian}: {e}"));
            assert_eq!(info.go_version, "go1.17.13");
            assert_eq!(info.vcs_revision(), expected().vcs_revision());
        }
        let bytes = elf(".go.buildinfo", &pointer_blob("go1.17", &framed(MODINFO), 2, false));
        assert!(matches!(read(&bytes), Err(BuildInfoError::Unsupported(_))));
    }

    #[test]
    fn module_text_without_its_framing_counts_as_none() {
        // A build outside module mode carries no module text; Go's framing
        // rule also rejects text that does not end in a newline.
        for modinfo in [&b""[..], b"path\tx\n", &framed("path\tx")] {
            let info = read(&elf(".go.buildinfo", &inline_blob("go1.22.3", modinfo))).unwrap();
            assert_eq!(info, BuildInfo { go_version: "go1.22.3".into(), ..BuildInfo::default() });
        }
    }

    #[test]
    fn says_what_is_missing() {
        assert_eq!(read(b""), Err(BuildInfoError::NotAnObject));
        assert_eq!(read(b"#!/bin/sh\necho hello\n"), Err(BuildInfoError::NotAnObject));
        let blob = inline_blob("go1.22.3", &framed(MODINFO));
        assert_eq!(read(&elf(".data", &blob)), Err(BuildInfoError::NoBuildInfo("no build-information section")));
        let mut bad = blob.clone();
        bad[1] = b'X';
        assert_eq!(read(&elf(".go.buildinfo", &bad)), Err(BuildInfoError::BadMagic(".go.buildinfo")));
        assert_eq!(read(&elf(".go.buildinfo", &blob[..20])), Err(BuildInfoError::Truncated("the header")));
        assert_eq!(read(&elf(".go.buildinfo", &inline_blob("", b""))), Err(BuildInfoError::NoBuildInfo("the header names no Go version")));
        // The module text's length runs past the end of the file.
        let mut long = inline_blob("go1.22.3", b"");
        long.truncate(HEADER_SIZE as usize + 1 + 8);
        long.extend(uvarint_bytes(1 << 40));
        assert_eq!(read(&elf(".go.buildinfo", &long)), Err(BuildInfoError::Truncated("the module text")));
        // A string pointer to nowhere.
        let mut nowhere = pointer_blob("go1.17", &framed(MODINFO), 8, false);
        nowhere[16..24].copy_from_slice(&0xdead_0000u64.to_le_bytes());
        assert_eq!(read(&elf(".go.buildinfo", &nowhere)), Err(BuildInfoError::Truncated("the version string")));
        // The ELF magic and then nothing that reads.
        let mut broken = elf(".go.buildinfo", &blob);
        broken.truncate(70);
        assert!(matches!(read(&broken), Err(BuildInfoError::BadObject { format: "ELF", .. })), "{:?}", read(&broken));
    }

    #[test]
    fn finds_the_header_at_the_first_aligned_magic() {
        // A misaligned copy of the magic first, then the real header.
        let mut blob = vec![0; 3];
        blob.extend_from_slice(MAGIC);
        blob.resize(48, 0);
        blob.extend(inline_blob("go1.22.3", &framed(MODINFO)));
        assert_eq!(read(&elf(".go.buildinfo", &blob)), Ok(expected()));
    }

    #[test]
    fn parses_quoted_keys_and_values_as_go_does() {
        let info = parse_modinfo(
            "build\t\"a key\"=plain\n\
             build\t`raw key`=\"tab\\there \\\"q\\\" \\x41\\101\\u00e9\\U0001F600\"\n\
             build\tempty=\n\
             build\traw=`a\r b`\n\
             build\tlast=kept\n\
             build\tunterminated=dropped",
        )
        .unwrap();
        let settings: Vec<(&str, &str)> = info.settings.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            settings,
            [("a key", "plain"), ("raw key", "tab\there \"q\" AAé😀"), ("empty", ""), ("raw", "a b"), ("last", "kept")]
        );
        // Bytes that are not UTF-8 are kept as replacement characters.
        assert_eq!(parse_modinfo("build\tk=\"\\xff\"\n").unwrap().settings, [("k".to_string(), "\u{fffd}".to_string())]);
    }

    #[test]
    fn refuses_what_go_refuses() {
        let cases = [
            ("build\t\n", "build line missing '='"),
            ("build\t=v\n", "build line with missing key"),
            ("build\tkey\n", "build line missing '=' after key"),
            ("build\t\"k\n", "invalid quoted key in build line"),
            ("build\t\"k\"\n", "build line missing '=' after quoted key"),
            ("build\t\"k\"x\n", "unexpected character after quoted key: 'x'"),
            ("build\tk=a b\n", "unquoted value \"a b\" must be quoted"),
            ("build\tk=\"a\"b\n", "invalid quoted value in build line"),
            ("build\tk=\"\\q\"\n", "invalid quoted value in build line"),
            ("build\tk=\"\\400\"\n", "invalid quoted value in build line"),
            ("build\tk=\"\\uD800\"\n", "invalid quoted value in build line"),
            ("build\tk=\"\\'\"\n", "invalid quoted value in build line"),
            ("mod\tonly-one\n", "expected 2 or 3 columns; got 1"),
            ("=>\ta\tb\tc\n", "replacement with no module on previous line"),
            ("dep\ta\tb\tc\n=>\ta\tb\n", "expected 3 columns for replacement; got 2"),
        ];
        for (text, reason) in cases {
            let line = text.lines().count();
            assert_eq!(parse_modinfo(text), Err(BuildInfoError::BadModInfo { line, reason: reason.into() }), "{text:?}");
        }
        // A second replacement line has no module to replace.
        assert!(parse_modinfo("mod\ta\tv1\n=>\tb\tv2\t\n=>\tc\tv3\t\n").is_err());
    }

    #[test]
    fn uvarints_end_within_ten_bytes() {
        assert_eq!(uvarint(&[0x96, 0x01]), Some((150, 2)));
        assert_eq!(uvarint(&[0x80]), None);
        assert_eq!(uvarint(&[0xff; 9].iter().copied().chain([0x01]).collect::<Vec<_>>()), Some((u64::MAX, 10)));
        assert_eq!(uvarint(&[0xff; 9].iter().copied().chain([0x02]).collect::<Vec<_>>()), None);
    }

    proptest::proptest! {
        /// Any change to a small binary's bytes, or a cut, gives a result
        /// and never a panic.
        #[test]
        fn damaged_binaries_never_panic(
            pointer in proptest::bool::ANY,
            edits in proptest::collection::vec((0usize..4096, proptest::num::u8::ANY), 0..8),
            cut in 0usize..4096,
        ) {
            let blob = if pointer { pointer_blob("go1.17", &framed(MODINFO), 8, false) } else { inline_blob("go1.22.3", &framed(MODINFO)) };
            let mut bytes = elf(".go.buildinfo", &blob);
            for (at, value) in edits {
                let n = bytes.len();
                bytes[at % n] = value;
            }
            if cut < bytes.len() {
                bytes.truncate(cut);
            }
            let _ = read(&bytes);
        }
    }
}
