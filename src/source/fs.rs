//! The file-system seam of workspace scanning and profile discovery: the
//! few questions they ask of a disk, answered by the real one ([`RealFs`])
//! or by an in-memory tree ([`MemFs`]) that tests build from a list of
//! files, so a workspace such as `/C:/src/app` can be scanned on any
//! machine.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::paths::{normalize_path, FileExists};

/// What a directory entry is, as a walk should treat it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A directory (not a link to one: links to directories are not
    /// followed, which keeps walks finite).
    Dir,
    /// A file, or a link to one.
    File,
    /// Anything else: sockets, broken links, links to directories.
    Other,
}

/// One entry of a directory listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub name: OsString,
    pub path: PathBuf,
    pub kind: EntryKind,
}

/// The questions scanning and discovery ask of a file system.
pub trait SourceFs: Send + Sync {
    /// The entries of `dir` in any order; an entry that could not be read
    /// is an error of its own, so the rest of the listing survives.
    fn read_dir(&self, dir: &Path) -> io::Result<Vec<io::Result<DirEntry>>>;
    fn is_dir(&self, path: &Path) -> bool;
    fn read_to_string(&self, path: &Path) -> io::Result<String>;
    /// Up to `len` bytes from the start of a file.
    fn read_head(&self, path: &Path, len: usize) -> io::Result<Vec<u8>>;
    /// When the file was last written, if known.
    fn modified(&self, path: &Path) -> Option<SystemTime>;
}

/// Everything the language server asks of a file system: listings for
/// scans and discovery, and whether a file exists for path mapping.
pub trait Disk: SourceFs + FileExists {}

impl<T: SourceFs + FileExists> Disk for T {}

/// This machine's disk.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealFs;

impl SourceFs for RealFs {
    fn read_dir(&self, dir: &Path) -> io::Result<Vec<io::Result<DirEntry>>> {
        Ok(std::fs::read_dir(dir)?
            .map(|entry| {
                let entry = entry?;
                let path = entry.path();
                let file_type = entry.file_type()?;
                let kind = if file_type.is_dir() {
                    EntryKind::Dir
                } else if file_type.is_file() || (file_type.is_symlink() && path.is_file()) {
                    EntryKind::File
                } else {
                    EntryKind::Other
                };
                Ok(DirEntry { name: entry.file_name(), path, kind })
            })
            .collect())
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn read_head(&self, path: &Path, len: usize) -> io::Result<Vec<u8>> {
        let mut head = Vec::with_capacity(len);
        std::fs::File::open(path)?.take(len as u64).read_to_end(&mut head)?;
        Ok(head)
    }

    fn modified(&self, path: &Path) -> Option<SystemTime> {
        std::fs::metadata(path).and_then(|m| m.modified()).ok()
    }
}

impl FileExists for RealFs {
    fn exists(&self, path: &str) -> bool {
        Path::new(path).is_file()
    }
}

/// A file tree held in memory. Directories exist because files are in
/// them; paths are taken as given (on Unix, `/C:/src/app/main.go` is a
/// file in a directory named `C:`, just as an editor's URI names it).
#[derive(Clone, Debug, Default)]
pub struct MemFs {
    files: BTreeMap<PathBuf, (Vec<u8>, SystemTime)>,
    dirs: BTreeSet<PathBuf>,
    /// Every file's path, normalised, for [`FileExists`].
    normalised: BTreeSet<String>,
}

impl MemFs {
    /// A tree holding `files`. Each is written one second after the one
    /// before it, so later entries are newer.
    pub fn new<P: Into<PathBuf>, C: Into<Vec<u8>>>(files: impl IntoIterator<Item = (P, C)>) -> MemFs {
        let mut fs = MemFs::default();
        for (i, (path, contents)) in files.into_iter().enumerate() {
            fs = fs.with_file(path, contents, SystemTime::UNIX_EPOCH + Duration::from_secs(i as u64 + 1));
        }
        fs
    }

    /// Adds (or replaces) one file with a given modification time.
    pub fn with_file(mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>, modified: SystemTime) -> MemFs {
        let path = path.into();
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
            self.dirs.insert(d.to_path_buf());
            dir = d.parent();
        }
        self.normalised.insert(normalize_path(&path.to_string_lossy()));
        self.files.insert(path, (contents.into(), modified));
        self
    }

    fn file(&self, path: &Path) -> io::Result<&(Vec<u8>, SystemTime)> {
        self.files.get(path).ok_or_else(|| {
            let kind = if self.dirs.contains(path) { io::ErrorKind::IsADirectory } else { io::ErrorKind::NotFound };
            io::Error::new(kind, format!("{} is not a file", path.display()))
        })
    }
}

impl SourceFs for MemFs {
    fn read_dir(&self, dir: &Path) -> io::Result<Vec<io::Result<DirEntry>>> {
        if !self.dirs.contains(dir) {
            return Err(io::Error::new(io::ErrorKind::NotFound, format!("{} is not a directory", dir.display())));
        }
        let entry = |path: &PathBuf, kind| {
            let name = path.file_name().map(OsString::from).unwrap_or_default();
            Ok(DirEntry { name, path: path.clone(), kind })
        };
        let in_dir = |p: &&PathBuf| p.parent() == Some(dir);
        let dirs = self.dirs.iter().filter(in_dir).map(|p| entry(p, EntryKind::Dir));
        let files = self.files.keys().filter(in_dir).map(|p| entry(p, EntryKind::File));
        Ok(dirs.chain(files).collect())
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.dirs.contains(path)
    }

    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        String::from_utf8(self.file(path)?.0.clone()).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    fn read_head(&self, path: &Path, len: usize) -> io::Result<Vec<u8>> {
        let data = &self.file(path)?.0;
        Ok(data[..len.min(data.len())].to_vec())
    }

    fn modified(&self, path: &Path) -> Option<SystemTime> {
        self.files.get(path).map(|(_, t)| *t)
    }
}

impl FileExists for MemFs {
    fn exists(&self, path: &str) -> bool {
        self.normalised.contains(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(fs: &dyn SourceFs, dir: &str) -> Vec<(String, EntryKind)> {
        let mut out: Vec<(String, EntryKind)> = fs
            .read_dir(Path::new(dir))
            .unwrap()
            .into_iter()
            .map(|e| e.unwrap())
            .map(|e| (e.name.to_string_lossy().into_owned(), e.kind))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    #[test]
    fn memory_tree_lists_reads_and_dates_its_files() {
        let fs = MemFs::new([
            ("/C:/src/app/go.mod", "module example.com/app\n"),
            ("/C:/src/app/main.go", "package main\n"),
            ("/C:/src/app/internal/db/db.go", "package db\n"),
        ]);
        assert_eq!(
            names(&fs, "/C:/src/app"),
            [
                ("go.mod".to_string(), EntryKind::File),
                ("internal".to_string(), EntryKind::Dir),
                ("main.go".to_string(), EntryKind::File)
            ]
        );
        assert_eq!(names(&fs, "/"), [("C:".to_string(), EntryKind::Dir)]);
        assert!(fs.is_dir(Path::new("/C:/src")));
        assert!(!fs.is_dir(Path::new("/C:/src/app/main.go")));
        assert!(fs.read_dir(Path::new("/D:")).is_err());
        assert_eq!(fs.read_to_string(Path::new("/C:/src/app/go.mod")).unwrap(), "module example.com/app\n");
        assert_eq!(fs.read_head(Path::new("/C:/src/app/main.go"), 4).unwrap(), b"pack");
        assert_eq!(fs.read_to_string(Path::new("/C:/src")).unwrap_err().kind(), io::ErrorKind::IsADirectory);
        assert!(fs.modified(Path::new("/C:/src/app/go.mod")) < fs.modified(Path::new("/C:/src/app/main.go")));
        assert_eq!(fs.modified(Path::new("/C:/nothing")), None);
        assert!(fs.exists("c:/src/app/main.go"));
        assert!(!fs.exists("c:/src/app"));
    }

    #[test]
    fn real_fs_sees_files_only() {
        let dir = std::env::temp_dir().join(format!("pprof-lsp-realfs-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("a")).unwrap();
        std::fs::write(dir.join("a/b.go"), "package a\n").unwrap();
        let base = crate::source::workspace::slash_path(&dir);
        assert!(RealFs.exists(&format!("{base}/a/b.go")));
        assert!(!RealFs.exists(&format!("{base}/a")));
        assert!(!RealFs.exists(&format!("{base}/a/c.go")));
        assert_eq!(names(&RealFs, &dir.to_string_lossy()), [("a".to_string(), EntryKind::Dir)]);
        assert_eq!(RealFs.read_head(&dir.join("a/b.go"), 3).unwrap(), b"pac");
        assert!(RealFs.modified(&dir.join("a/b.go")).is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
