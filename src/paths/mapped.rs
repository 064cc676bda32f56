//! Every file name of one profile, resolved once, with lookups both ways:
//! from a profile name to its local file, and from a local file (as the
//! editor names it) back to the profile names that map to it. The second
//! lookup has exactly one entrance, [`MappedFiles::profile_files_for_local`],
//! which takes a [`LocalPath`], so it always compares normalised keys.

use rustc_hash::FxHashMap;

use super::inputs::FileExists;
use super::mapper::{PathMapper, Resolution, Rule};
use super::norm::LocalPath;

/// The resolved files of one profile.
#[derive(Clone, Debug, Default)]
pub struct MappedFiles {
    /// Distinct names in the order first seen, with their answers.
    entries: Vec<(String, Resolution)>,
    by_profile: FxHashMap<String, usize>,
    /// For each position of the `map_all` input, its entry.
    entry_of: Vec<usize>,
    /// Local key → positions in the `map_all` input of the names that map
    /// to it, ascending.
    by_local: FxHashMap<LocalPath, Vec<usize>>,
}

impl PathMapper {
    /// Resolves every file name of a profile. Positions in
    /// `profile_files` are what [`MappedFiles::profile_files_for_local`]
    /// answers with, so pass the profile's file table in its own order.
    pub fn map_all(&self, profile_files: &[&str], fs: &dyn FileExists) -> MappedFiles {
        let mut out = MappedFiles::default();
        for (position, &name) in profile_files.iter().enumerate() {
            let entry = match out.by_profile.get(name) {
                Some(&entry) => entry,
                None => {
                    let entry = out.entries.len();
                    out.entries.push((name.to_string(), self.resolve(name, fs)));
                    out.by_profile.insert(name.to_string(), entry);
                    entry
                }
            };
            out.entry_of.push(entry);
            if let Some(local) = out.entries[entry].1.path() {
                out.by_local.entry(LocalPath::new(local)).or_default().push(position);
            }
        }
        out
    }
}

impl MappedFiles {
    /// Maps the names that found no file through `renamed`, which answers
    /// the local path a file has now for a name it had when the profile
    /// was taken (git's rename detection, by the caller).
    pub fn follow_renames(&mut self, renamed: impl Fn(&str) -> Option<String>) {
        for entry in 0..self.entries.len() {
            let (name, resolution) = &self.entries[entry];
            if !matches!(resolution, Resolution::Unresolved { .. }) {
                continue;
            }
            let Some(path) = renamed(name) else { continue };
            let local = LocalPath::new(&path);
            self.entries[entry].1 = Resolution::Mapped { path: local.as_str().to_string(), rule: Rule::Renamed, in_workspace: true };
            let positions = self.entry_of.iter().enumerate().filter(|&(_, &e)| e == entry).map(|(p, _)| p);
            let slot = self.by_local.entry(local).or_default();
            slot.extend(positions);
            slot.sort_unstable();
        }
    }

    /// The local file for a profile file name, if it mapped.
    pub fn local_for(&self, profile_path: &str) -> Option<&str> {
        self.resolution(profile_path).and_then(Resolution::path)
    }

    pub fn resolution(&self, profile_path: &str) -> Option<&Resolution> {
        self.by_profile.get(profile_path).map(|&i| &self.entries[i].1)
    }

    /// Positions, in the slice given to [`PathMapper::map_all`], of the
    /// profile file names that map to `local`. Build the key with
    /// [`LocalPath::new`] from the document's path in whatever spelling the
    /// editor used.
    pub fn profile_files_for_local(&self, local: &LocalPath) -> &[usize] {
        self.by_local.get(local).map_or(&[], Vec::as_slice)
    }

    /// The names that did not map to exactly one file, with the reason.
    pub fn unresolved(&self) -> impl Iterator<Item = (&str, &Resolution)> {
        self.entries.iter().filter(|(_, r)| r.path().is_none()).map(|(p, r)| (p.as_str(), r))
    }

    /// All distinct names with their answers, in the order first seen.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Resolution)> {
        self.entries.iter().map(|(p, r)| (p.as_str(), r))
    }

    /// The distinct local files in the workspace that names map to.
    pub fn workspace_files(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .entries
            .iter()
            .filter_map(|(_, r)| match r {
                Resolution::Mapped { path, in_workspace: true, .. } => Some(path.clone()),
                _ => None,
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The local files with at least one profile name.
    pub fn local_files(&self) -> impl Iterator<Item = &LocalPath> {
        self.by_local.keys()
    }

    /// Number of distinct profile names.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::inputs::{GoModule, KnownFiles, NoFiles, Workspace, WorkspaceRoot};

    fn mapper(root: &str, files: &[&str], module: &str) -> PathMapper {
        let ws = Workspace {
            roots: vec![WorkspaceRoot {
                root: root.into(),
                files: files.iter().map(|f| f.to_string()).collect(),
                modules: vec![GoModule { path: module.into(), dir: String::new() }],
                truncated: false,
            }],
            ..Default::default()
        };
        PathMapper::new(ws, Vec::new())
    }

    #[test]
    fn mapped_files_go_both_ways() {
        let m = mapper("/home/me/vaptcha-go", &["go.mod", "main.go", "core/x.go"], "vaptcha-go");
        let profile = [
            "vaptcha-go/core/x.go",
            r"D:\b\vaptcha-go\core\x.go",
            "vaptcha-go/main.go",
            "vaptcha-go/core/x.go",
            "/nowhere/q.go",
        ];
        let m = m.map_all(&profile, &KnownFiles::default());
        assert_eq!(m.len(), 4);
        assert_eq!(m.local_for("vaptcha-go/main.go"), Some("/home/me/vaptcha-go/main.go"));
        assert_eq!(m.local_for(r"D:\b\vaptcha-go\core\x.go"), Some("/home/me/vaptcha-go/core/x.go"));
        assert_eq!(m.local_for("/nowhere/q.go"), None);
        assert_eq!(m.local_for("never/in/profile.go"), None);
        let x = LocalPath::new("/home/me/vaptcha-go/core/x.go");
        assert_eq!(m.profile_files_for_local(&x), [0, 1, 3]);
        assert_eq!(m.profile_files_for_local(&LocalPath::new("/home/me//vaptcha-go/core/./x.go")), [0, 1, 3]);
        assert!(m.profile_files_for_local(&LocalPath::new("/home/me/vaptcha-go/other.go")).is_empty());
        let unresolved: Vec<&str> = m.unresolved().map(|(p, _)| p).collect();
        assert_eq!(unresolved, ["/nowhere/q.go"]);
        assert_eq!(m.local_files().count(), 2);
        assert_eq!(m.iter().count(), 4);
    }

    /// A workspace on a Windows drive, in the spellings a Windows scan or a
    /// test on Unix produce, looked up by every spelling an editor uses.
    #[test]
    fn windows_documents_find_their_profile_files() {
        let profile = ["C:/ci/app/main.go", "example.com/app/internal/db/db.go", "runtime/proc.go"];
        let roots = [r"C:\src\app", "C:/src/app", "c:/src/app", "/C:/src/app"];
        let documents = [
            ("/C:/src/app/main.go", &[0][..]),
            ("/c:/src/app/main.go", &[0]),
            ("/c%3A/src/app/main.go", &[0]),
            (r"C:\src\app\main.go", &[0]),
            (r"c:\src\app\main.go", &[0]),
            ("c:/src/app/main.go", &[0]),
            ("/C:/src/app/internal/db/db.go", &[1]),
            (r"C:\src\app\internal\db\db.go", &[1]),
            ("/C:/src/app/internal/db/other.go", &[]),
            ("/src/app/main.go", &[]),
            ("/D:/src/app/main.go", &[]),
        ];
        for root in roots {
            let files = [r"go.mod", "main.go", r"internal\db\db.go", "internal/db/other.go"];
            let m = mapper(root, &files, "example.com/app").map_all(&profile, &NoFiles);
            assert_eq!(m.local_for("C:/ci/app/main.go"), Some("c:/src/app/main.go"), "root {root}");
            for (document, want) in documents {
                assert_eq!(
                    m.profile_files_for_local(&LocalPath::new(document)),
                    want,
                    "root {root}, document {document}"
                );
            }
        }
    }
}
