//! The one place where protocol positions (UTF-16 by default) meet byte
//! offsets and 1-based profile lines, and URIs meet paths.

use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::{Position, Uri};

use super::documents::Document;

/// How the client counts characters in a line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    #[default]
    Utf16,
    Utf8,
    Utf32,
}

impl Encoding {
    /// Length of `text` in this encoding's units.
    pub fn len(self, text: &str) -> u32 {
        match self {
            Encoding::Utf8 => text.len() as u32,
            Encoding::Utf16 => text.encode_utf16().count() as u32,
            Encoding::Utf32 => text.chars().count() as u32,
        }
    }

    /// Byte offset within `line` of a character offset in this encoding.
    pub fn byte_offset(self, line: &str, units: u32) -> usize {
        let mut count = 0u32;
        for (i, c) in line.char_indices() {
            if count >= units {
                return i;
            }
            count += match self {
                Encoding::Utf8 => c.len_utf8() as u32,
                Encoding::Utf16 => c.len_utf16() as u32,
                Encoding::Utf32 => 1,
            };
        }
        line.len()
    }
}

/// The position just after the last character of a 0-based line.
pub fn end_of_line(doc: &Document, line: usize, encoding: Encoding) -> Option<Position> {
    doc.line(line).map(|text| Position::new(line as u32, encoding.len(text)))
}

/// Byte offset in the document of a protocol position.
pub fn offset(doc: &Document, pos: Position, encoding: Encoding) -> usize {
    let line = pos.line as usize;
    match (doc.line_start(line), doc.line(line)) {
        (Some(start), Some(text)) => start + encoding.byte_offset(text, pos.character),
        _ => doc.text().len(),
    }
}

pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

pub fn path_to_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

/// The URI of a local file as the path mapper names it (`/`-separated,
/// drive letters lower case on Windows).
pub fn local_uri(local: &str) -> Option<Uri> {
    foreign_path_uri(local)
}

/// A `file:` URI for a path that may not exist here, including paths of
/// another system such as `c:/go/src/runtime/proc.go`.
pub fn foreign_path_uri(path: &str) -> Option<Uri> {
    if let Some(uri) = path_to_uri(Path::new(path)) {
        return Some(uri);
    }
    let slashed = path.replace('\\', "/");
    let encoded: String = slashed
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '#' => "%23".to_string(),
            '?' => "%3F".to_string(),
            '%' => "%25".to_string(),
            c => c.to_string(),
        })
        .collect();
    let rooted = if encoded.starts_with('/') { encoded } else { format!("/{encoded}") };
    format!("file://{rooted}").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_paths_become_uris() {
        assert_eq!(foreign_path_uri("c:/go/src/runtime/proc.go").unwrap().as_str(), "file:///c:/go/src/runtime/proc.go");
        assert_eq!(foreign_path_uri("D:\\w\\a b.go").unwrap().as_str(), "file:///D:/w/a%20b.go");
        assert_eq!(foreign_path_uri("/tmp/x.go").unwrap().as_str(), "file:///tmp/x.go");
    }

    #[test]
    fn utf16_units() {
        let line = "x := \"héllo 😀\"";
        assert_eq!(Encoding::Utf16.len(line), 15);
        assert_eq!(Encoding::Utf8.len(line), 18);
        let emoji = line.find('😀').unwrap();
        assert_eq!(Encoding::Utf16.byte_offset(line, 12), emoji);
        assert_eq!(Encoding::Utf16.byte_offset(line, 14), emoji + 4);
    }
}
