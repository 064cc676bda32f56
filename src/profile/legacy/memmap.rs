//! The memory-map section that closes many legacy profiles, in
//! `/proc/self/maps` form or the short `start-end: file` form, and the way
//! pprof turns it into mappings and attaches locations to them.

use std::sync::LazyLock;

use regex::Regex;

use super::text::ascii_regex;

use super::text::Lines;
use crate::profile::model::{Mapping, MappingIdx, Profile};

/// `start-end` at the head of a map line, both hex, `0x` optional.
const RANGE: &str = r"^\s*(?:0x)?([[:xdigit:]]+)[\s-]?\s*(?:0x)?([[:xdigit:]]+):?";
const PERMISSIONS: &str = r"(?:\s+([-rwxp]+))?";

/// `/proc/self/maps`: range, permissions, offset, device, inode, path.
static PROC_MAPS: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"{RANGE}{PERMISSIONS}(?:\s+([[:xdigit:]]+))?\s+[[:xdigit:]]+:[[:xdigit:]]+\s+[[:digit:]]+(?:\s+(\S+))?"
    );
    ascii_regex(&pattern)
});

/// Short form: range, optional permissions, path, `(@offset)`, build id.
static BRIEF_MAPS: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(r"{RANGE}{PERMISSIONS}(?:\s+(\S+))?(?:\s+\(@([[:xdigit:]]+)\))?(?:\s+([[:xdigit:]]+))?");
    ascii_regex(&pattern)
});

/// A glog prefix such as `I0102 03:04:05.678 file.cc:12] `.
static LOG_PREFIX: LazyLock<Regex> = LazyLock::new(|| ascii_regex(r"^[^\[\]]+:[0-9]+\]\s"));

/// Shared-library file names, which are never the main binary.
static SHARED_LIBRARY: LazyLock<Regex> = LazyLock::new(|| ascii_regex(r"[.]so$|[.]so[._][0-9]+"));

/// Reads map lines up to the end of `lines`. Lines that are not map entries
/// are skipped, except `name=value` lines, which define `$name` for the
/// lines that follow.
pub(super) fn parse_lines(lines: &mut Lines<'_>) -> Vec<Mapping> {
    let mut mappings = Vec::new();
    let mut variables: Vec<(String, String)> = Vec::new();
    while lines.advance() {
        let raw = lines.text();
        let unlogged = LOG_PREFIX.find(raw).map_or(raw, |m| &raw[m.end()..]);
        let line = substitute(unlogged, &variables);
        match parse_entry(&line) {
            MapLine::Entry(m) => mappings.push(m),
            MapLine::Skipped => {}
            MapLine::Other => {
                if let Some((name, value)) = line.split_once('=') {
                    // A repeated name changes nothing: the first definition
                    // wins. The count is capped to keep hostile input cheap.
                    let name = format!("${}", name.trim());
                    if variables.len() < MAX_VARIABLES && !variables.iter().any(|(n, _)| *n == name) {
                        variables.push((name, value.trim().to_string()));
                    }
                }
            }
        }
    }
    mappings
}

/// Most `name=value` definitions honoured in one memory map.
const MAX_VARIABLES: usize = 64;
/// Longest line substitution may produce (longer lines are left as they
/// are: definitions built from definitions could otherwise grow without
/// bound).
const MAX_SUBSTITUTED_LEN: usize = 64 * 1024;

/// Replaces defined `$name`s, scanning left to right; at one position the
/// earliest definition wins.
fn substitute(line: &str, variables: &[(String, String)]) -> String {
    if variables.is_empty() {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    'outer: while let Some(c) = rest.chars().next() {
        for (name, value) in variables {
            if rest.starts_with(name.as_str()) {
                out.push_str(value);
                rest = &rest[name.len()..];
                if out.len() > MAX_SUBSTITUTED_LEN {
                    return line.to_string();
                }
                continue 'outer;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
        if out.len() > MAX_SUBSTITUTED_LEN {
            return line.to_string();
        }
    }
    out
}

enum MapLine {
    Entry(Mapping),
    /// A map entry that is not executable.
    Skipped,
    /// Not a map entry (perhaps a `name=value` definition).
    Other,
}

fn parse_entry(line: &str) -> MapLine {
    let group = |c: &regex::Captures<'_>, i: usize| c.get(i).map_or("", |m| m.as_str()).to_string();
    let (start, end, perms, file, offset, build_id) = if let Some(c) = PROC_MAPS.captures(line) {
        (group(&c, 1), group(&c, 2), group(&c, 3), group(&c, 5), group(&c, 4), String::new())
    } else if let Some(c) = BRIEF_MAPS.captures(line) {
        (group(&c, 1), group(&c, 2), group(&c, 3), group(&c, 4), group(&c, 5), group(&c, 6))
    } else {
        return MapLine::Other;
    };
    if !perms.is_empty() && !perms.contains('x') {
        return MapLine::Skipped;
    }
    let (Ok(memory_start), Ok(memory_limit)) = (u64::from_str_radix(&start, 16), u64::from_str_radix(&end, 16)) else {
        return MapLine::Other;
    };
    let file_offset = if offset.is_empty() {
        0
    } else {
        match u64::from_str_radix(&offset, 16) {
            Ok(o) => o,
            Err(_) => return MapLine::Other,
        }
    };
    MapLine::Entry(Mapping { memory_start, memory_limit, file_offset, filename: file, build_id, ..Default::default() })
}

/// Installs `mappings` on a profile whose locations have none yet, the way
/// pprof does for legacy profiles: split regions are joined, the main
/// binary goes first, a few known quirks are repaired, and addresses that
/// no mapping covers share one catch-all mapping.
pub(super) fn attach(profile: &mut Profile, mappings: Vec<Mapping>) {
    let mut mappings = join_adjacent(mappings);
    if let Some(main) = mappings.iter().position(looks_like_main_binary) {
        mappings.swap(0, main);
    }
    // A leading huge-page region directly before the next one is an
    // artefact of remapping the text segment.
    if mappings.len() > 1
        && mappings[0].filename.starts_with("/anon_hugepage")
        && mappings[0].memory_limit == mappings[1].memory_start
    {
        mappings.remove(0);
    }
    if let Some(m) = mappings.first_mut() {
        const USUAL_TEXT_START: u64 = 0x400000;
        if m.memory_start.wrapping_sub(m.file_offset) == USUAL_TEXT_START {
            m.memory_start = USUAL_TEXT_START;
            m.file_offset = 0;
        }
    }

    let mut catch_all: Option<usize> = None;
    for loc in &mut profile.locations {
        let a = loc.address;
        if loc.mapping.is_some() || a == 0 {
            continue;
        }
        if let Some(i) = mappings.iter().position(|m| m.memory_start <= a && a < m.memory_limit) {
            loc.mapping = Some(MappingIdx(i as u32));
            continue;
        }
        // A mapping whose first part was lost: its offset says where the
        // file really starts in memory.
        let widened = mappings
            .iter()
            .position(|m| m.file_offset != 0 && m.memory_start.wrapping_sub(m.file_offset) <= a && a < m.memory_start);
        if let Some(i) = widened {
            let m = &mut mappings[i];
            m.memory_start = m.memory_start.wrapping_sub(m.file_offset);
            m.file_offset = 0;
            loc.mapping = Some(MappingIdx(i as u32));
            continue;
        }
        let i = *catch_all.get_or_insert_with(|| {
            mappings.push(Mapping { memory_limit: u64::MAX, ..Default::default() });
            mappings.len() - 1
        });
        loc.mapping = Some(MappingIdx(i as u32));
    }
    for (i, m) in mappings.iter_mut().enumerate() {
        m.id = i as u64 + 1;
    }
    profile.mappings = mappings;
}

/// Joins regions that continue one another (same file and build id where
/// both are known, touching ranges, consistent offsets).
fn join_adjacent(mappings: Vec<Mapping>) -> Vec<Mapping> {
    let mut out: Vec<Mapping> = Vec::with_capacity(mappings.len());
    for m in mappings {
        if let Some(last) = out.last_mut() {
            if continues(last, &m) {
                last.memory_limit = m.memory_limit;
                if !m.filename.is_empty() {
                    last.filename = m.filename;
                }
                if !m.build_id.is_empty() {
                    last.build_id = m.build_id;
                }
                continue;
            }
        }
        out.push(m);
    }
    out
}

fn continues(a: &Mapping, b: &Mapping) -> bool {
    if !a.filename.is_empty() && !b.filename.is_empty() && a.filename != b.filename {
        return false;
    }
    if !a.build_id.is_empty() && !b.build_id.is_empty() && a.build_id != b.build_id {
        return false;
    }
    if a.memory_limit != b.memory_start {
        return false;
    }
    if a.file_offset != 0 && b.file_offset != 0 {
        let expected = a.file_offset.wrapping_add(a.memory_limit.wrapping_sub(a.memory_start));
        if expected != b.file_offset {
            return false;
        }
    }
    true
}

fn looks_like_main_binary(m: &Mapping) -> bool {
    let file = m.filename.replace("(deleted)", "");
    let file = file.trim();
    !file.is_empty() && !SHARED_LIBRARY.is_match(file) && !file.starts_with('[')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::model::Location;

    fn parse(text: &str) -> Vec<Mapping> {
        parse_lines(&mut Lines::new(text))
    }

    #[test]
    fn both_line_forms() {
        let maps = parse(
            "00400000-00fcb000: /bin/main\n\
             7f00-7f10 r-xp 00001000 08:01 1234 /lib/libc.so.6\n\
             7f10-7f20 rw-p 00000000 08:01 1234 /lib/libc.so.6\n\
             0x8000-0x9000 /x/y.so (@100) abcdef\n\
             not a map line\n",
        );
        assert_eq!(maps.len(), 3, "the non-executable entry is skipped");
        assert_eq!((maps[0].memory_start, maps[0].memory_limit), (0x400000, 0xfcb000));
        assert_eq!((maps[1].file_offset, maps[1].filename.as_str()), (0x1000, "/lib/libc.so.6"));
        assert_eq!((maps[2].file_offset, maps[2].build_id.as_str()), (0x100, "abcdef"));
    }

    #[test]
    fn variables_and_log_prefixes() {
        let maps = parse("root=/opt/app\nI0102 03:04:05.678 x.cc:12] 1000-2000: $root/bin\n");
        assert_eq!(maps[0].filename, "/opt/app/bin");
    }

    #[test]
    fn doubling_definitions_stay_bounded() {
        let mut text = String::from("v0=xxxxxxxxxxxxxxxx\n");
        for i in 1..40 {
            text.push_str(&format!("v{i}=$v{p}$v{p}\n", p = i - 1));
        }
        text.push_str("1000-2000: /bin/$v39\n");
        let maps = parse(&text);
        assert_eq!(maps.len(), 1);
        assert!(maps[0].filename.len() <= MAX_SUBSTITUTED_LEN);
    }

    #[test]
    fn attach_orders_mappings_and_adds_a_catch_all() {
        let mut p = Profile {
            locations: vec![
                Location { address: 0x1500, ..Default::default() },
                Location { address: 0x9, ..Default::default() },
                Location { address: 0, ..Default::default() },
            ],
            ..Default::default()
        };
        let maps = parse("1000-2000: /lib/a.so\n2000-3000: /lib/a.so\n5000-6000: /bin/main\n");
        attach(&mut p, maps);
        let names: Vec<_> = p.mappings.iter().map(|m| (m.id, m.filename.as_str())).collect();
        assert_eq!(names, vec![(1, "/bin/main"), (2, "/lib/a.so"), (3, "")]);
        assert_eq!(p.mappings[1].memory_limit, 0x3000);
        assert_eq!(p.locations[0].mapping, Some(MappingIdx(1)));
        assert_eq!(p.locations[1].mapping, Some(MappingIdx(2)));
        assert_eq!(p.locations[2].mapping, None);
    }
}
