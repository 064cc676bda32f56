//! From the file names a profile records to the files of this machine.
//! Pure: it reads no disk and knows no editor; callers describe the
//! workspace as plain data and answer "does this file exist" themselves.
//!
//! A profile names files the way the build machine saw them: absolute paths
//! on another computer (often Windows), module-relative paths from
//! `-trimpath` builds, standard-library and module-cache paths. The
//! [`PathMapper`] turns each into a local path with seven ordered rules
//! (see [`mapper`]), and [`MappedFiles`] holds the answers for one profile
//! with lookups both ways.
//!
//! - [`inputs`] holds [`Workspace`], [`PathMapping`] and [`FileExists`].
//! - [`norm`] holds [`NormPath`], the one spelling every path is compared
//!   in, and [`LocalPath`], a document path turned into that spelling.
//! - `suffix` indexes workspace files by their trailing components.
//! - `module_path` knows the module cache's escaping and `module@version`.
//! - [`mapper`] holds the rules, with [`Rule`] and [`Resolution`].
//! - [`mapped`] holds [`MappedFiles`].
//! - [`line_map`] holds [`LineMap`], where the lines of one text are in
//!   another (a file at the profile's revision and on disk; a document
//!   before and after edits).
//! - [`revision`] holds [`Revision`], a git revision string checked before
//!   it reaches a `git` command line.

pub mod inputs;
pub mod line_map;
pub mod mapped;
pub mod mapper;
mod module_path;
pub mod norm;
pub mod revision;
mod suffix;

pub use inputs::{FileExists, GoModule, KnownFiles, NoFiles, PathMapping, Workspace, WorkspaceRoot};
pub use line_map::{LineMap, Place};
pub use revision::{Revision, RevisionError, RevisionProblem};
pub use mapped::MappedFiles;
pub use mapper::{PathMapper, Resolution, Rule, MAX_CANDIDATES};
pub use norm::{normalize_path, LocalPath, NormPath};
