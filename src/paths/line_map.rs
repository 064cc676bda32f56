//! Where the lines of one text are in another: the line a profile recorded
//! (in the file as it was built) in the file as it is now, and the other
//! way, from a line on screen back to the recorded one.
//!
//! Two uses share it: a file's text at the profile's git revision against
//! the file on disk, and an open document's text at load time against its
//! text after edits. The diff is `similar`'s Myers diff over whole lines.
//! A line that only changed its text keeps a place, the replacement line at
//! the same position of its changed block, marked `stale`; a deleted line
//! has none.

use similar::{capture_diff_slices, Algorithm, DiffOp};

/// Where a line of the old text is in the new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// 0-based line in the new text.
    pub line: usize,
    /// The line's text differs from the old text's.
    pub stale: bool,
}

/// For each old line, its place in the new text; for each new line, the
/// old line placed there.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineMap {
    forward: Vec<Option<Place>>,
    back: Vec<Option<u32>>,
}

impl LineMap {
    /// The map of a text onto itself, of `lines` lines.
    pub fn identity(lines: usize) -> LineMap {
        LineMap {
            forward: (0..lines).map(|line| Some(Place { line, stale: false })).collect(),
            back: (0..lines as u32).map(Some).collect(),
        }
    }

    /// Where the lines of `old` are in `new`.
    pub fn between<S: AsRef<str> + Eq + std::hash::Hash + Ord>(old: &[S], new: &[S]) -> LineMap {
        let mut forward = vec![None; old.len()];
        let mut back = vec![None; new.len()];
        let mut place = |old_line: usize, line: usize, stale: bool| {
            forward[old_line] = Some(Place { line, stale });
            back[line] = Some(old_line as u32);
        };
        for op in capture_diff_slices(Algorithm::Myers, old, new) {
            match op {
                DiffOp::Equal { old_index, new_index, len } => {
                    for i in 0..len {
                        place(old_index + i, new_index + i, false);
                    }
                }
                DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                    for i in 0..old_len.min(new_len) {
                        place(old_index + i, new_index + i, true);
                    }
                }
                DiffOp::Delete { .. } | DiffOp::Insert { .. } => {}
            }
        }
        LineMap { forward, back }
    }

    /// Where the texts' lines are, splitting both into lines first.
    pub fn between_texts(old: &str, new: &str) -> LineMap {
        let old: Vec<&str> = old.lines().collect();
        let new: Vec<&str> = new.lines().collect();
        LineMap::between(&old, &new)
    }

    /// Where an old line (0-based) is now; `None` if it was deleted or is
    /// past the old text's end.
    pub fn place(&self, old_line: usize) -> Option<Place> {
        match self.forward.get(old_line) {
            Some(place) => *place,
            None => None,
        }
    }

    /// The old line (0-based) placed at a new line, edited or not.
    pub fn old_line(&self, new_line: usize) -> Option<usize> {
        self.back.get(new_line).copied().flatten().map(|l| l as usize)
    }

    /// How many old lines there are.
    pub fn old_len(&self) -> usize {
        self.forward.len()
    }

    /// Whether some old line moved, changed or went.
    pub fn is_identity(&self) -> bool {
        self.forward.len() == self.back.len()
            && self.forward.iter().enumerate().all(|(i, p)| *p == Some(Place { line: i, stale: false }))
    }

    /// The map from the new text back to the old one. A line stale here is
    /// stale there.
    pub fn inverse(&self) -> LineMap {
        let mut forward = vec![None; self.back.len()];
        for (old, place) in self.forward.iter().enumerate() {
            if let Some(p) = place {
                forward[p.line] = Some(Place { line: old, stale: p.stale });
            }
        }
        LineMap { forward, back: self.forward.iter().map(|p| p.map(|p| p.line as u32)).collect() }
    }

    /// This map followed by `then` (which maps this map's new text onward).
    /// A line is stale when either step changed it.
    pub fn then(&self, then: &LineMap) -> LineMap {
        let mut back = vec![None; then.back.len()];
        let forward = self
            .forward
            .iter()
            .enumerate()
            .map(|(old, p)| {
                let p = (*p)?;
                let q = then.place(p.line)?;
                back[q.line] = Some(old as u32);
                Some(Place { line: q.line, stale: p.stale || q.stale })
            })
            .collect();
        LineMap { forward, back }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(old text, new text, [(old line, expected place as "N" or "N stale" or "-")])`,
    /// lines 0-based.
    fn check(old: &str, new: &str, expect: &[(usize, &str)]) {
        let map = LineMap::between_texts(old, new);
        for &(line, want) in expect {
            let got = match map.place(line) {
                None => "-".to_string(),
                Some(Place { line, stale: false }) => line.to_string(),
                Some(Place { line, stale: true }) => format!("{line} stale"),
            };
            assert_eq!(got, want, "line {line} of {old:?} in {new:?}");
            if let Some(p) = map.place(line) {
                assert_eq!(map.old_line(p.line), Some(line), "back from {}", p.line);
            }
        }
    }

    #[test]
    fn lines_move_change_and_go() {
        check("a\nb\nhot\nd\n", "a\nb\nhot\nd\n", &[(0, "0"), (2, "2"), (3, "3")]);
        check("a\nb\nhot\nd\n", "x\ny\nz\na\nb\nhot\nd\n", &[(0, "3"), (2, "5")]);
        check("a\nb\nhot\nd\n", "a\nhot\nd\n", &[(1, "-"), (2, "1"), (3, "2")]);
        check("a\nhot()\nc\n", "a\nhot(x)\nc\n", &[(1, "1 stale"), (2, "2")]);
        check("a\nold\nc\n", "a\nc\n", &[(1, "-"), (2, "1")]);
        check("", "a\n", &[(0, "-")]);
        check("a\nb\n", "", &[(0, "-"), (1, "-")]);
    }

    #[test]
    fn lines_past_the_end_have_no_place() {
        let map = LineMap::between_texts("a\n", "a\n");
        assert_eq!(map.place(7), None);
        assert_eq!(map.old_line(7), None);
    }

    #[test]
    fn identity_and_composition() {
        let id = LineMap::identity(3);
        assert!(id.is_identity());
        assert_eq!(id.place(2), Some(Place { line: 2, stale: false }));
        let first = LineMap::between_texts("a\nb\nhot\n", "new\na\nb\nhot\n");
        assert!(!first.is_identity());
        let second = LineMap::between_texts("new\na\nb\nhot\n", "new\na\nB\nmore\nhot\n");
        let both = first.then(&second);
        assert_eq!(both.place(2), Some(Place { line: 4, stale: false }));
        assert_eq!(both.place(1), Some(Place { line: 2, stale: true }));
        assert_eq!(both.old_line(4), Some(2));
        assert_eq!(both.old_line(0), None);
        assert_eq!(first.then(&LineMap::identity(4)), first);
        let back = first.inverse();
        assert_eq!(back.place(3), Some(Place { line: 2, stale: false }));
        assert_eq!(back.place(0), None);
        assert_eq!(back.old_line(2), Some(3));
        assert_eq!(back.inverse(), first);
        let there_and_back = first.then(&first.inverse());
        assert!(there_and_back.is_identity(), "{there_and_back:?}");
    }
}
