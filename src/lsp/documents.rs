//! Open documents: their text, and how their lines have moved since the
//! profile was loaded, so a hint follows its line through edits and a
//! changed line is known to be stale.

use std::sync::Arc;

pub use crate::paths::Place;
use crate::paths::LineMap;

/// An open document.
#[derive(Clone, Debug)]
pub struct Document {
    pub version: i32,
    text: String,
    /// Byte offset of each line start.
    line_starts: Vec<usize>,
    /// The lines as they were when the profile was loaded (or the document
    /// opened, if later).
    baseline: Arc<Vec<String>>,
    /// Where each baseline line is now: unchanged, edited in place
    /// (stale), or deleted.
    moved: Arc<LineMap>,
}

impl Document {
    pub fn new(text: String, version: i32) -> Document {
        let line_starts = line_starts(&text);
        let baseline: Vec<String> = lines(&text).map(str::to_string).collect();
        let moved = Arc::new(LineMap::identity(baseline.len()));
        Document { version, text, line_starts, baseline: Arc::new(baseline), moved }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text of a 0-based line, without its line break.
    pub fn line(&self, line: usize) -> Option<&str> {
        let start = *self.line_starts.get(line)?;
        let end = self.line_starts.get(line + 1).copied().unwrap_or(self.text.len());
        Some(self.text[start..end].trim_end_matches(['\n', '\r']))
    }

    /// Makes the current text the reference for staleness (on profile load).
    pub fn rebase(&mut self) {
        *self = Document::new(std::mem::take(&mut self.text), self.version);
    }

    /// Where a baseline line (0-based) is now; `None` if it was deleted.
    pub fn place(&self, baseline_line: usize) -> Option<Place> {
        self.moved.place(baseline_line)
    }


    /// The baseline line now shown at a current line (edited or not).
    pub fn baseline_line(&self, current: usize) -> Option<usize> {
        self.moved.old_line(current)
    }

    /// Replaces the whole text.
    pub fn set_text(&mut self, text: String, version: i32) {
        self.text = text;
        self.version = version;
        self.line_starts = line_starts(&self.text);
        self.remap();
    }

    /// Applies an incremental change given in byte offsets.
    pub fn splice(&mut self, start: usize, end: usize, new_text: &str) {
        let start = start.min(self.text.len());
        let end = end.clamp(start, self.text.len());
        self.text.replace_range(start..end, new_text);
        self.line_starts = line_starts(&self.text);
    }

    pub fn finish_edits(&mut self, version: i32) {
        self.version = version;
        self.remap();
    }

    /// Byte offset of a 0-based line start.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).copied()
    }

    fn remap(&mut self) {
        let current: Vec<&str> = lines(&self.text).collect();
        let baseline: Vec<&str> = self.baseline.iter().map(String::as_str).collect();
        self.moved = Arc::new(LineMap::between(&baseline, &current));
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len()));
    starts
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where an unchanged baseline line is now; `None` if it was edited.
    fn current(d: &Document, baseline_line: usize) -> Option<usize> {
        d.place(baseline_line).filter(|p| !p.stale).map(|p| p.line)
    }

    #[test]
    fn lines_follow_inserts_and_deletes() {
        let mut d = Document::new("a\nb\nhot\nd\n".into(), 1);
        assert_eq!(current(&d, 2), Some(2));
        d.set_text("new\na\nb\nhot\nd\n".into(), 2);
        assert_eq!(current(&d, 2), Some(3));
        d.set_text("b\nhot\nd\n".into(), 3);
        assert_eq!(current(&d, 2), Some(1));
        assert_eq!(current(&d, 0), None);
    }

    #[test]
    fn edited_lines_are_stale_until_undone() {
        let mut d = Document::new("a\nhot()\nc\n".into(), 1);
        d.set_text("a\nhot(x)\nc\n".into(), 2);
        assert_eq!(current(&d, 1), None);
        assert_eq!(d.place(1), Some(Place { line: 1, stale: true }));
        assert_eq!(current(&d, 2), Some(2));
        d.set_text("a\nhot()\nc\n".into(), 3);
        assert_eq!(current(&d, 1), Some(1));
    }

    #[test]
    fn incremental_splices() {
        let mut d = Document::new("one\ntwo\nthree".into(), 1);
        d.splice(0, 0, "zero\n");
        d.finish_edits(2);
        assert_eq!(d.line(3), Some("three"));
        assert_eq!(current(&d, 2), Some(3));
        assert_eq!(d.baseline_line(0), None);
    }
}
