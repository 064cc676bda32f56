//! One spelling per path. Profile file names, workspace files, mapping
//! prefixes and the paths an editor names documents by all pass through
//! [`NormPath::new`] before they are compared, so `D:\A\b.go`, `d:/A/b.go`
//! and `/D:/A/b.go` meet as the same key.

use std::fmt;
use std::path::Path;

/// A path in one canonical spelling: `/` separators, a lower-case drive
/// letter (with no slash before it), no empty or `.` components, `..`
/// folded where possible, no trailing slash. `D:\A\\b\.\c.go` and
/// `/D:/A/b/c.go` both become `d:/A/b/c.go`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NormPath(String);

impl NormPath {
    pub fn new(raw: &str) -> Self {
        let s = raw.replace('\\', "/");
        // `/C:/x` is how a `file:///C:/x` URI reads as a path on Unix.
        let s = match s.as_bytes() {
            [b'/', d, b':', rest @ ..] if d.is_ascii_alphabetic() && (rest.is_empty() || rest[0] == b'/') => &s[1..],
            _ => &s[..],
        };
        let b = s.as_bytes();
        let (drive, rest) = if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
            (Some(b[0].to_ascii_lowercase() as char), &s[2..])
        } else {
            (None, s)
        };
        let absolute = rest.starts_with('/');
        let mut comps: Vec<&str> = Vec::new();
        for c in rest.split('/') {
            match c {
                "" | "." => {}
                ".." => {
                    if comps.last().is_some_and(|l| *l != "..") {
                        comps.pop();
                    } else if !absolute {
                        comps.push("..");
                    }
                }
                _ => comps.push(c),
            }
        }
        let mut out = String::with_capacity(s.len());
        if let Some(d) = drive {
            out.push(d);
            out.push(':');
        }
        if absolute {
            out.push('/');
        }
        out.push_str(&comps.join("/"));
        NormPath(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    pub(super) fn has_drive(&self) -> bool {
        let b = self.0.as_bytes();
        b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
    }

    /// Starts at a file-system root (`/…` or `c:/…`).
    pub fn is_absolute(&self) -> bool {
        let rest = if self.has_drive() { &self.0[2..] } else { &self.0[..] };
        rest.starts_with('/')
    }

    /// The components, without the drive and the leading slash.
    pub fn components(&self) -> Vec<&str> {
        let rest = if self.has_drive() { &self.0[2..] } else { &self.0[..] };
        rest.split('/').filter(|c| !c.is_empty()).collect()
    }
}

impl fmt::Display for NormPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shorthand for `NormPath::new(raw).into_string()`.
pub fn normalize_path(raw: &str) -> String {
    NormPath::new(raw).into_string()
}

/// A local file named the way the editor names it, turned into the key
/// the mapped-files view uses for workspace files. This is the only way
/// into [`MappedFiles::profile_files_for_local`](super::MappedFiles::profile_files_for_local),
/// so a document path can never be looked up unnormalised.
///
/// Accepted spellings of the same Windows file: `C:\src\a.go`,
/// `c:/src/a.go`, `/C:/src/a.go` (what `Uri::to_file_path` yields for
/// `file:///C:/src/a.go` on Unix) and `/c%3A/src/a.go` (VS Code's
/// `file:///c%3A/src/a.go` with the path left encoded). Unix paths pass
/// through [`NormPath`] unchanged in meaning.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalPath(NormPath);

impl LocalPath {
    pub fn new(editor_path: &str) -> LocalPath {
        LocalPath(NormPath::new(&decode_drive_colon(editor_path)))
    }

    /// From an OS path, such as one `Uri::to_file_path` returned.
    pub fn from_path(path: &Path) -> LocalPath {
        LocalPath::new(&path.to_string_lossy())
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for LocalPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `c%3A/x` → `c:/x`, with or without a leading slash. Only the drive
/// position is decoded: elsewhere `%3A` is part of a real file name.
fn decode_drive_colon(path: &str) -> std::borrow::Cow<'_, str> {
    let (lead, rest) = match path.strip_prefix(['/', '\\']) {
        Some(rest) => (&path[..1], rest),
        None => ("", path),
    };
    let b = rest.as_bytes();
    let encoded = b.len() >= 4
        && b[0].is_ascii_alphabetic()
        && b[1..4].eq_ignore_ascii_case(b"%3a")
        && (b.len() == 4 || b[4] == b'/' || b[4] == b'\\');
    if encoded {
        format!("{lead}{}:{}", &rest[..1], &rest[4..]).into()
    } else {
        path.into()
    }
}

/// `base/rel`, with no doubled slash and no trailing one for an empty
/// `rel`.
pub(super) fn join(base: &str, rel: &str) -> String {
    match (base.is_empty(), rel.is_empty()) {
        (_, true) => base.to_string(),
        (true, false) => rel.to_string(),
        _ if base.ends_with('/') => format!("{base}{rel}"),
        _ => format!("{base}/{rel}"),
    }
}

/// The part of `path` after the whole-component prefix `prefix`. Both are
/// normalised; a prefix with a drive letter compares case-insensitively,
/// as Windows does.
pub(super) fn strip_component_prefix<'a>(path: &'a str, prefix: &NormPath) -> Option<&'a str> {
    let prefix_str = prefix.as_str();
    if prefix_str == "/" {
        return path.strip_prefix('/');
    }
    let head = path.get(..prefix_str.len())?;
    let same = if prefix.has_drive() { head.eq_ignore_ascii_case(prefix_str) } else { head == prefix_str };
    if !same {
        return None;
    }
    let rest = &path[prefix_str.len()..];
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        let cases = [
            (r"D:\x\y.go", "d:/x/y.go"),
            ("D://x//y.go", "d:/x/y.go"),
            ("/D:/x/y.go", "d:/x/y.go"),
            ("/d:", "d:"),
            ("/a/./b/../c.go", "/a/c.go"),
            ("a/b/", "a/b"),
            ("../a.go", "../a.go"),
            ("/../a.go", "/a.go"),
            (r"\\server\share\f.go", "/server/share/f.go"),
            ("runtime/proc.go", "runtime/proc.go"),
            // Only a one-letter first component is a drive.
            ("/ab:/x.go", "/ab:/x.go"),
            ("/a:b/x.go", "/a:b/x.go"),
            ("/x/C:/y.go", "/x/C:/y.go"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_path(raw), want, "{raw}");
        }
        let p = NormPath::new(r"C:\a\b.go");
        assert!(p.is_absolute());
        assert_eq!(p.components(), ["a", "b.go"]);
        assert!(!NormPath::new("a/b.go").is_absolute());
    }

    #[test]
    fn editor_paths_become_workspace_keys() {
        let cases = [
            ("/C:/src/app/main.go", "c:/src/app/main.go"),
            ("/c:/src/app/main.go", "c:/src/app/main.go"),
            ("/c%3A/src/app/main.go", "c:/src/app/main.go"),
            ("/C%3a/src/app/main.go", "c:/src/app/main.go"),
            ("c%3A/src/app/main.go", "c:/src/app/main.go"),
            (r"C:\src\app\main.go", "c:/src/app/main.go"),
            ("c:/src/app/main.go", "c:/src/app/main.go"),
            ("/home/me/app/main.go", "/home/me/app/main.go"),
            // An encoded colon outside the drive position is a file name.
            ("/home/me/a%3Ab.go", "/home/me/a%3Ab.go"),
            ("/cc%3A/x.go", "/cc%3A/x.go"),
            ("é%3A/x.go", "é%3A/x.go"),
        ];
        for (editor, key) in cases {
            assert_eq!(LocalPath::new(editor).as_str(), key, "{editor}");
        }
        assert_eq!(LocalPath::from_path(Path::new("/C:/src/x.go")), LocalPath::new(r"c:\src\x.go"));
    }

    #[test]
    fn component_prefixes() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("/a/b/c.go", "/a/b", Some("c.go")),
            ("/a/bc/c.go", "/a/b", None),
            ("/a/b", "/a/b", Some("")),
            ("/a/b", "/", Some("a/b")),
            ("D:/Work/x.go", "d:/work", Some("x.go")),
            ("/Work/x.go", "/work", None),
        ];
        for (path, prefix, want) in cases {
            assert_eq!(strip_component_prefix(path, &NormPath::new(prefix)), *want, "{path} - {prefix}");
        }
        assert_eq!(join("/a/", "b"), "/a/b");
        assert_eq!(join("/a", ""), "/a");
        assert_eq!(join("", "b"), "b");
    }
}
