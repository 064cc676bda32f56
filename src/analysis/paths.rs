//! Finding the local file behind each file name recorded in a profile.
//!
//! A profile names files the way the build machine saw them: absolute paths
//! on another computer (often Windows), module-relative paths from
//! `-trimpath` builds, standard-library and module-cache paths. The
//! [`PathMapper`] turns each of these into a path on this machine, using
//! only a plain-data [`Workspace`] description and a caller-supplied
//! [`FileExists`] check for files outside the workspace. It never touches
//! the file system itself.
//!
//! Rules, tried in order; the first one that finds anything decides (a
//! rule that finds several equally good files reports them as ambiguous):
//!
//! 1. [`Rule::Exact`]: the path is a listed workspace file.
//! 2. [`Rule::Mapping`]: a user-configured prefix rewrite.
//! 3. [`Rule::Module`]: the Go module path (or the module directory's name)
//!    appears in the path; the part after it is looked up in that module.
//! 4. [`Rule::Suffix`]: the workspace file sharing the longest trailing run
//!    of path components.
//! 5. [`Rule::Vendor`], [`Rule::GoRoot`], [`Rule::ModCache`]: standard
//!    library and dependency files.
//! 6. [`Rule::SourcePath`]: extra source directories.
//! 7. [`Rule::ExactOutside`]: the path as recorded exists on this machine.
//!
//! Workspace files always win over files outside it, so a path that happens
//! to exist locally never shadows the user's checkout.

use std::collections::HashSet;
use std::fmt;
use std::hash::BuildHasher;

use rustc_hash::{FxHashMap, FxHashSet};

/// Most candidates listed in an [`Resolution::Ambiguous`] answer.
pub const MAX_CANDIDATES: usize = 20;

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

/// Everything the mapper knows about this machine's source files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Workspace {
    pub roots: Vec<WorkspaceRoot>,
    /// The local Go installation, e.g. `/usr/lib/go` (sources in `src/`).
    pub goroot: Option<String>,
    /// The local module cache, e.g. `/home/me/go/pkg/mod`.
    pub gomodcache: Option<String>,
    /// Extra directories to search, absolute.
    pub source_paths: Vec<String>,
    /// Problems met while building this description (unreadable
    /// directories, a broken go.mod, no `go` binary). They are repeated in
    /// the `tried` list of unresolved paths, as is a cut-off listing (see
    /// [`WorkspaceRoot::truncated`]).
    pub problems: Vec<String>,
}

/// One workspace folder and the source files in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkspaceRoot {
    /// Absolute, `/`-separated.
    pub root: String,
    /// `/`-separated, relative to `root`.
    pub files: Vec<String>,
    pub modules: Vec<GoModule>,
    /// The listing stopped early (file cap), so `files` is incomplete.
    pub truncated: bool,
}

/// A `go.mod` found in a workspace root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoModule {
    /// The path from the `module` line, e.g. `github.com/acme/app`.
    pub path: String,
    /// The directory holding the go.mod, relative to the root; `""` for the
    /// root itself.
    pub dir: String,
}

/// A user-configured prefix rewrite (`pathMappings`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PathMapping {
    /// A prefix of profile paths, in any spelling (`D:\x`, `d:/x`, `/x`).
    pub from: String,
    /// Where that prefix lives here; absolute, or relative to the first
    /// workspace root.
    pub to: String,
}

/// Asks whether a file exists outside the workspace listing.
pub trait FileExists {
    /// `path` is normalised (see [`NormPath`]).
    fn exists(&self, path: &str) -> bool;
}

impl<S: BuildHasher> FileExists for HashSet<String, S> {
    fn exists(&self, path: &str) -> bool {
        self.contains(path)
    }
}

/// A [`FileExists`] for which nothing exists: only workspace files map.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoFiles;

impl FileExists for NoFiles {
    fn exists(&self, _path: &str) -> bool {
        false
    }
}

// ---------------------------------------------------------------------------
// Normalised paths
// ---------------------------------------------------------------------------

/// A path in one canonical spelling: `/` separators, a lower-case drive
/// letter, no empty or `.` components, `..` folded where possible, no
/// trailing slash. `D:\A\\b\.\c.go` becomes `d:/A/b/c.go`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NormPath(String);

impl NormPath {
    pub fn new(raw: &str) -> Self {
        let s = raw.replace('\\', "/");
        let b = s.as_bytes();
        let (drive, rest) = if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
            (Some(b[0].to_ascii_lowercase() as char), &s[2..])
        } else {
            (None, &s[..])
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

    fn has_drive(&self) -> bool {
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

fn join(base: &str, rel: &str) -> String {
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
fn strip_component_prefix<'a>(path: &'a str, prefix: &NormPath) -> Option<&'a str> {
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

// ---------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------

/// The rule that found a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Rule {
    Exact,
    Mapping,
    Module,
    Suffix,
    Vendor,
    GoRoot,
    ModCache,
    SourcePath,
    ExactOutside,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rule::Exact => "exact path",
            Rule::Mapping => "path mapping",
            Rule::Module => "go module",
            Rule::Suffix => "path suffix",
            Rule::Vendor => "vendor directory",
            Rule::GoRoot => "GOROOT",
            Rule::ModCache => "module cache",
            Rule::SourcePath => "source path",
            Rule::ExactOutside => "exact path outside the workspace",
        })
    }
}

/// The answer for one profile path.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Resolution {
    /// `path` is normalised and absolute.
    Mapped { path: String, rule: Rule, in_workspace: bool },
    /// Several files fit equally well; `candidates` is sorted and holds at
    /// most [`MAX_CANDIDATES`], `omitted` counts the rest.
    Ambiguous { rule: Rule, candidates: Vec<String>, omitted: usize },
    /// Nothing fit; `tried` says what was looked at, for the user.
    Unresolved { tried: Vec<String> },
}

impl Resolution {
    /// The local file, if exactly one was found.
    pub fn path(&self) -> Option<&str> {
        match self {
            Resolution::Mapped { path, .. } => Some(path),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------
// The workspace file index
// ---------------------------------------------------------------------------

const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Node {
    /// Files at or below this node.
    count: u32,
    first_child: u32,
    next_sibling: u32,
    /// Files whose relative path ends (reading backwards) here.
    first_file: u32,
}

impl Node {
    const EMPTY: Node = Node { count: 0, first_child: NONE, next_sibling: NONE, first_file: NONE };
}

/// All listed workspace files: a set of full paths, and a trie over their
/// root-relative paths read from the last component backwards, so that the
/// files ending in a given run of components are one subtree.
#[derive(Debug, Default)]
struct FileIndex {
    /// Full normalised path of each file.
    paths: Vec<String>,
    /// Next file ending at the same trie node.
    next_at_node: Vec<u32>,
    exact: FxHashMap<String, u32>,
    comp_ids: FxHashMap<Box<str>, u32>,
    edges: FxHashMap<(u32, u32), u32>,
    nodes: Vec<Node>,
}

impl FileIndex {
    fn new() -> Self {
        FileIndex { nodes: vec![Node::EMPTY], ..Default::default() }
    }

    fn add(&mut self, root: &str, rel: &str) {
        let rel = NormPath::new(rel);
        let rel_comps = rel.components();
        if rel_comps.is_empty() || rel.is_absolute() {
            return;
        }
        let full = join(root, &rel_comps.join("/"));
        if self.exact.contains_key(&full) {
            return; // listed twice, or overlapping roots
        }
        let file = self.paths.len() as u32;
        self.exact.insert(full.clone(), file);
        self.paths.push(full);
        self.next_at_node.push(NONE);

        let mut node = 0u32;
        self.nodes[0].count += 1;
        for c in rel_comps.iter().rev() {
            let id = match self.comp_ids.get(*c) {
                Some(&id) => id,
                None => {
                    let id = self.comp_ids.len() as u32;
                    self.comp_ids.insert((*c).into(), id);
                    id
                }
            };
            node = match self.edges.get(&(node, id)) {
                Some(&child) => child,
                None => {
                    let child = self.nodes.len() as u32;
                    let mut n = Node::EMPTY;
                    n.next_sibling = self.nodes[node as usize].first_child;
                    self.nodes.push(n);
                    self.nodes[node as usize].first_child = child;
                    self.edges.insert((node, id), child);
                    child
                }
            };
            self.nodes[node as usize].count += 1;
        }
        self.next_at_node[file as usize] = self.nodes[node as usize].first_file;
        self.nodes[node as usize].first_file = file;
    }

    fn contains(&self, full: &str) -> bool {
        self.exact.contains_key(full)
    }

    /// How many trailing components of `comps` some file shares, and the
    /// trie node holding all such files. Depth 0 means none.
    fn longest_suffix(&self, comps: &[&str]) -> (usize, u32) {
        let mut node = 0u32;
        let mut depth = 0;
        for c in comps.iter().rev() {
            let Some(&id) = self.comp_ids.get(*c) else { break };
            let Some(&child) = self.edges.get(&(node, id)) else { break };
            node = child;
            depth += 1;
        }
        (depth, node)
    }

    /// Up to `limit` files in the subtree of `node`, and their total count.
    fn files_under(&self, node: u32, limit: usize) -> (Vec<&str>, usize) {
        let total = self.nodes[node as usize].count as usize;
        let mut out = Vec::new();
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if out.len() >= limit {
                break;
            }
            let nd = &self.nodes[n as usize];
            let mut f = nd.first_file;
            while f != NONE && out.len() < limit {
                out.push(self.paths[f as usize].as_str());
                f = self.next_at_node[f as usize];
            }
            let mut c = nd.first_child;
            while c != NONE {
                stack.push(c);
                c = self.nodes[c as usize].next_sibling;
            }
        }
        (out, total)
    }

    /// The answer for "the files ending in these components".
    fn suffix_answer(&self, rule: Rule, node: u32) -> Resolution {
        let (mut files, total) = self.files_under(node, MAX_CANDIDATES);
        if total == 1 {
            return Resolution::Mapped { path: files[0].to_string(), rule, in_workspace: true };
        }
        files.sort_unstable();
        Resolution::Ambiguous {
            rule,
            candidates: files.iter().map(|s| s.to_string()).collect(),
            omitted: total - files.len(),
        }
    }
}

#[derive(Debug)]
struct ModuleEntry {
    /// Normalised root of the workspace folder.
    root: String,
    /// The module path as written in go.mod.
    path: String,
    comps: Vec<String>,
    /// The go.mod directory, relative to the root (`""` for the root).
    dir: String,
    /// Last component of the go.mod directory's absolute path.
    dir_name: Option<String>,
}

impl ModuleEntry {
    fn file(&self, sub: &[&str]) -> String {
        join(&join(&self.root, &self.dir), &sub.join("/"))
    }
}

#[derive(Debug)]
struct NormMapping {
    from: NormPath,
    to: String,
    shown: String,
}

/// A file found by one rule, with how many profile components it explains.
struct Candidate {
    path: String,
    score: usize,
    in_workspace: bool,
}

/// Keeps the best candidates (workspace first, then the highest score) and
/// answers with one file or with the tie.
fn pick(rule: Rule, mut cands: Vec<Candidate>) -> Option<Resolution> {
    let best = cands.iter().map(|c| (c.in_workspace, c.score)).max()?;
    cands.retain(|c| (c.in_workspace, c.score) == best);
    let mut paths: Vec<String> = cands.into_iter().map(|c| c.path).collect();
    paths.sort_unstable();
    paths.dedup();
    if paths.len() == 1 {
        return Some(Resolution::Mapped { path: paths.pop().unwrap(), rule, in_workspace: best.0 });
    }
    let omitted = paths.len().saturating_sub(MAX_CANDIDATES);
    paths.truncate(MAX_CANDIDATES);
    Some(Resolution::Ambiguous { rule, candidates: paths, omitted })
}

/// `!x` → `X`, the module cache's escaping undone.
fn unescape_module(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut bang = false;
    for ch in s.chars() {
        if bang {
            out.extend(ch.to_uppercase());
            bang = false;
        } else if ch == '!' {
            bang = true;
        } else {
            out.push(ch);
        }
    }
    out
}

/// `X` → `!x`, as the module cache spells directory names. Accepts both
/// spellings as input.
fn escape_module(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for ch in unescape_module(s).chars() {
        if ch.is_ascii_uppercase() {
            out.push('!');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Whether a `src/<dir without dots>/…/file` part exists, as under GOROOT
/// or a GOPATH.
fn has_src_part(comps: &[&str]) -> bool {
    src_parts(comps).next().is_some()
}

/// Start indices of the parts below each `src/` that could be a standard
/// library path (a package directory without dots, then a file).
fn src_parts<'a>(comps: &'a [&str]) -> impl Iterator<Item = usize> + 'a {
    (0..comps.len().saturating_sub(2)).filter(|&i| comps[i] == "src" && !comps[i + 1].contains('.')).map(|i| i + 1)
}

/// Index of the first component that looks like `name@version`.
fn version_component(comps: &[&str]) -> Option<usize> {
    comps.iter().position(|c| c.find('@').is_some_and(|i| i > 0 && i + 1 < c.len()))
}

/// Maps profile file names to local files. Build once per workspace change.
#[derive(Debug)]
pub struct PathMapper {
    index: FileIndex,
    first_root: Option<String>,
    modules: Vec<ModuleEntry>,
    /// Module indices by first module-path component.
    modules_by_head: FxHashMap<String, Vec<usize>>,
    /// Module indices by the name of their directory.
    modules_by_dir_name: FxHashMap<String, Vec<usize>>,
    mappings: Vec<NormMapping>,
    goroot: Option<String>,
    gomodcache: Option<String>,
    source_paths: Vec<String>,
    notes: Vec<String>,
}

impl PathMapper {
    pub fn new(workspace: Workspace, mappings: Vec<PathMapping>) -> PathMapper {
        let mut index = FileIndex::new();
        let mut modules = Vec::new();
        let mut notes = workspace.problems.clone();
        for root in &workspace.roots {
            let root_norm = normalize_path(&root.root);
            if root.truncated {
                notes.push(format!(
                    "the listing of {root_norm} was cut off at the file limit; later files are not indexed"
                ));
            }
            for f in &root.files {
                index.add(&root_norm, f);
            }
            for m in &root.modules {
                let path = m.path.trim().trim_matches('/').to_string();
                let dir = NormPath::new(&m.dir).components().join("/");
                let dir_abs = NormPath::new(&join(&root_norm, &dir));
                let dir_name = dir_abs.components().last().map(|s| s.to_string());
                let comps: Vec<String> = path.split('/').filter(|c| !c.is_empty()).map(String::from).collect();
                if comps.is_empty() {
                    notes.push(format!("a go.mod in {root_norm} has an empty module path"));
                    continue;
                }
                modules.push(ModuleEntry { root: root_norm.clone(), path, comps, dir, dir_name });
            }
        }
        let mut modules_by_head: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        let mut modules_by_dir_name: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, m) in modules.iter().enumerate() {
            modules_by_head.entry(m.comps[0].clone()).or_default().push(i);
            if let Some(n) = &m.dir_name {
                modules_by_dir_name.entry(n.clone()).or_default().push(i);
            }
        }
        let first_root = workspace.roots.first().map(|r| normalize_path(&r.root));
        let mut mappings: Vec<NormMapping> = mappings
            .into_iter()
            .filter(|m| !m.from.trim().is_empty())
            .map(|m| {
                let to = NormPath::new(&m.to);
                let to = match (&first_root, to.is_absolute()) {
                    (Some(r), false) => join(r, to.as_str()),
                    _ => to.into_string(),
                };
                NormMapping { from: NormPath::new(&m.from), to, shown: format!("{} => {}", m.from, m.to) }
            })
            .collect();
        // Most specific first; equal lengths keep the user's order.
        mappings.sort_by_key(|m| std::cmp::Reverse(m.from.components().len()));
        PathMapper {
            index,
            first_root,
            modules,
            modules_by_head,
            modules_by_dir_name,
            mappings,
            goroot: workspace.goroot.as_deref().map(normalize_path).filter(|s| !s.is_empty()),
            gomodcache: workspace.gomodcache.as_deref().map(normalize_path).filter(|s| !s.is_empty()),
            source_paths: workspace.source_paths.iter().map(|s| normalize_path(s)).filter(|s| !s.is_empty()).collect(),
            notes,
        }
    }

    /// Number of indexed workspace files.
    pub fn file_count(&self) -> usize {
        self.index.paths.len()
    }

    /// Finds the local file for one profile file name.
    pub fn resolve(&self, profile_path: &str, fs: &dyn FileExists) -> Resolution {
        let p = NormPath::new(profile_path);
        let comps = p.components();
        let mut tried = Vec::new();
        if comps.is_empty() || profile_path.starts_with('<') {
            tried.push(format!("{profile_path:?} is not a file path"));
            return Resolution::Unresolved { tried };
        }
        let found = self
            .exact(&p, &mut tried)
            .or_else(|| self.mapping(&p, fs, &mut tried))
            .or_else(|| self.module(&comps, &mut tried))
            .or_else(|| self.suffix(&p, &comps, fs, &mut tried))
            .or_else(|| self.vendor(&p, &comps, &mut tried))
            .or_else(|| self.goroot_rule(&p, &comps, fs, &mut tried).map(|(r, _)| r))
            .or_else(|| self.modcache(&p, &comps, fs, &mut tried))
            .or_else(|| self.source_path(&comps, fs, &mut tried))
            .or_else(|| self.exact_outside(&p, fs, &mut tried));
        match found {
            Some(r) => r,
            None => {
                tried.extend(self.notes.iter().map(|n| format!("note: {n}")));
                Resolution::Unresolved { tried }
            }
        }
    }

    /// Resolves every file of a profile, for lookups in both directions.
    pub fn map_all(&self, profile_files: &[&str], fs: &dyn FileExists) -> MappedFiles {
        let mut out = MappedFiles::default();
        for &f in profile_files {
            if out.by_profile.contains_key(f) {
                continue;
            }
            let r = self.resolve(f, fs);
            if let Some(local) = r.path() {
                out.by_local.entry(local.to_string()).or_default().push(f.to_string());
            }
            out.by_profile.insert(f.to_string(), out.entries.len());
            out.entries.push((f.to_string(), r));
        }
        out
    }

    // -- rule 1 -------------------------------------------------------------

    fn exact(&self, p: &NormPath, tried: &mut Vec<String>) -> Option<Resolution> {
        if !p.is_absolute() {
            return None;
        }
        if self.index.contains(p.as_str()) {
            return Some(Resolution::Mapped { path: p.to_string(), rule: Rule::Exact, in_workspace: true });
        }
        tried.push(format!("{}: {p} is not a workspace file", Rule::Exact));
        None
    }

    // -- rule 2 -------------------------------------------------------------

    fn mapping(&self, p: &NormPath, fs: &dyn FileExists, tried: &mut Vec<String>) -> Option<Resolution> {
        for m in &self.mappings {
            let Some(rest) = strip_component_prefix(p.as_str(), &m.from) else { continue };
            let target = join(&m.to, rest);
            if self.index.contains(&target) {
                return Some(Resolution::Mapped { path: target, rule: Rule::Mapping, in_workspace: true });
            }
            if fs.exists(&target) {
                return Some(Resolution::Mapped { path: target, rule: Rule::Mapping, in_workspace: false });
            }
            tried.push(format!("{} {}: {target} not found", Rule::Mapping, m.shown));
        }
        None
    }

    // -- rule 3 -------------------------------------------------------------

    fn module(&self, comps: &[&str], tried: &mut Vec<String>) -> Option<Resolution> {
        let mut cands = Vec::new();
        let mut looked = Vec::new();
        for i in 0..comps.len() {
            // The full module path at position i.
            for &mi in self.modules_by_head.get(comps[i]).into_iter().flatten() {
                let m = &self.modules[mi];
                let end = i + m.comps.len();
                if end >= comps.len() || !m.comps.iter().zip(&comps[i..end]).all(|(a, b)| a == b) {
                    continue;
                }
                let file = m.file(&comps[end..]);
                if self.index.contains(&file) {
                    cands.push(Candidate { path: file, score: comps.len() - i, in_workspace: true });
                } else {
                    looked.push(format!("{} {}: {file} not listed", Rule::Module, m.path));
                }
            }
            // The module directory's own name at position i.
            for &mi in self.modules_by_dir_name.get(comps[i]).into_iter().flatten() {
                let m = &self.modules[mi];
                if i + 1 >= comps.len() {
                    continue;
                }
                let file = m.file(&comps[i + 1..]);
                if self.index.contains(&file) {
                    cands.push(Candidate { path: file, score: comps.len() - i, in_workspace: true });
                } else {
                    looked.push(format!("{} directory {:?}: {file} not listed", Rule::Module, comps[i]));
                }
            }
        }
        let found = pick(Rule::Module, cands);
        if found.is_none() {
            looked.dedup();
            tried.extend(looked);
        }
        found
    }

    // -- rule 4 -------------------------------------------------------------

    /// True for `runtime/proc.go`-like trimpath names: relative, a first
    /// component without a dot that no workspace module starts with.
    fn looks_like_trimmed_std(&self, p: &NormPath, comps: &[&str]) -> bool {
        !p.is_absolute()
            && comps.len() > 1
            && !comps[0].contains('.')
            && comps[0] != ".."
            && !self.modules_by_head.contains_key(comps[0])
            && version_component(comps).is_none()
    }

    fn suffix(&self, p: &NormPath, comps: &[&str], fs: &dyn FileExists, tried: &mut Vec<String>) -> Option<Resolution> {
        let (depth, node) = self.index.longest_suffix(comps);
        if depth == 0 {
            tried.push(format!("{}: no workspace file is named {}", Rule::Suffix, comps[comps.len() - 1]));
            return None;
        }
        let matched = comps[comps.len() - depth..].join("/");
        // A dependency path (`name@version/...`) or a trimmed std path only
        // matches a workspace file that has all of it, never just its tail.
        let needed = match version_component(comps) {
            Some(at) => Some(comps.len() - at),
            None if self.looks_like_trimmed_std(p, comps) => Some(comps.len()),
            None => None,
        };
        if let Some(needed) = needed {
            if depth < needed {
                tried.push(format!(
                    "{}: only {matched:?} matches a workspace file, too little for a library path",
                    Rule::Suffix
                ));
                return None;
            }
        } else if p.is_absolute() && depth < comps.len() && has_src_part(comps) {
            // `/usr/local/go/src/runtime/proc.go` against a workspace
            // `internal/sched/proc.go`: a longer match in GOROOT wins, and a
            // bare file name is not enough for a GOROOT- or GOPATH-shaped
            // path.
            let mut scratch = Vec::new();
            if let Some((r, tail)) = self.goroot_rule(p, comps, fs, &mut scratch) {
                if tail > depth {
                    return Some(r);
                }
            }
            if depth < 2 {
                tried.push(format!(
                    "{}: only the file name {matched:?} matches, too little for a path with a src/ directory",
                    Rule::Suffix
                ));
                return None;
            }
        }
        Some(self.index.suffix_answer(Rule::Suffix, node))
    }

    // -- rule 5 -------------------------------------------------------------

    /// `(module path components, version, rest)` splits of a module-cache
    /// style path, most plausible first.
    fn module_splits<'a>(&self, p: &NormPath, comps: &[&'a str]) -> Vec<(Vec<&'a str>, &'a str, Vec<&'a str>)> {
        let Some(at) = version_component(comps) else { return Vec::new() };
        if at + 1 >= comps.len() {
            return Vec::new();
        }
        let (name, version) = comps[at].split_once('@').unwrap();
        let pkg_mod = (0..at.saturating_sub(1)).rev().find(|&k| comps[k] == "pkg" && comps[k + 1] == "mod");
        let starts: Vec<usize> = match pkg_mod {
            Some(k) => vec![k + 2],
            None if !p.is_absolute() => vec![0],
            None => (0..=at).collect(),
        };
        starts
            .into_iter()
            .map(|s| {
                let mut module: Vec<&str> = comps[s..at].to_vec();
                module.push(name);
                (module, version, comps[at + 1..].to_vec())
            })
            .collect()
    }

    fn vendor(&self, p: &NormPath, comps: &[&str], tried: &mut Vec<String>) -> Option<Resolution> {
        let mut wanted: Vec<String> = self
            .module_splits(p, comps)
            .into_iter()
            .map(|(module, _, rest)| format!("vendor/{}/{}", unescape_module(&module.join("/")), rest.join("/")))
            .collect();
        if !p.is_absolute() && comps[0].contains('.') && version_component(comps).is_none() {
            wanted.push(format!("vendor/{}", comps.join("/")));
        }
        for w in wanted {
            let wc: Vec<&str> = w.split('/').collect();
            let (depth, node) = self.index.longest_suffix(&wc);
            if depth == wc.len() {
                return Some(self.index.suffix_answer(Rule::Vendor, node));
            }
            tried.push(format!("{}: no workspace file ends in {w}", Rule::Vendor));
        }
        None
    }

    /// Returns the answer and how many trailing components it explains.
    fn goroot_rule(
        &self,
        p: &NormPath,
        comps: &[&str],
        fs: &dyn FileExists,
        tried: &mut Vec<String>,
    ) -> Option<(Resolution, usize)> {
        let mut tails: Vec<usize> = Vec::new(); // start index of the part below src/
        if self.looks_like_trimmed_std(p, comps) {
            tails.push(0);
        }
        tails.extend(src_parts(comps));
        if tails.is_empty() {
            return None;
        }
        let Some(goroot) = &self.goroot else {
            tried.push(format!(
                "{}: not known, so {} was not looked up there",
                Rule::GoRoot,
                comps[tails[0]..].join("/")
            ));
            return None;
        };
        let mut cands = Vec::new();
        for start in tails {
            let file = join(&join(goroot, "src"), &comps[start..].join("/"));
            let score = comps.len() - start;
            if self.index.contains(&file) {
                cands.push(Candidate { path: file, score, in_workspace: true });
            } else if fs.exists(&file) {
                cands.push(Candidate { path: file, score, in_workspace: false });
            } else {
                tried.push(format!("{}: {file} not found", Rule::GoRoot));
            }
        }
        let score = cands.iter().map(|c| c.score).max()?;
        pick(Rule::GoRoot, cands).map(|r| (r, score))
    }

    fn modcache(
        &self,
        p: &NormPath,
        comps: &[&str],
        fs: &dyn FileExists,
        tried: &mut Vec<String>,
    ) -> Option<Resolution> {
        let splits = self.module_splits(p, comps);
        if splits.is_empty() {
            return None;
        }
        let Some(cache) = &self.gomodcache else {
            tried.push(format!("{}: GOMODCACHE not known", Rule::ModCache));
            return None;
        };
        for (module, version, rest) in splits {
            let dir = format!("{}@{}", escape_module(&module.join("/")), escape_module(version));
            let file = join(&join(cache, &dir), &rest.join("/"));
            if self.index.contains(&file) {
                return Some(Resolution::Mapped { path: file, rule: Rule::ModCache, in_workspace: true });
            }
            if fs.exists(&file) {
                return Some(Resolution::Mapped { path: file, rule: Rule::ModCache, in_workspace: false });
            }
            tried.push(format!("{}: {file} not found", Rule::ModCache));
        }
        None
    }

    // -- rule 6 -------------------------------------------------------------

    fn source_path(&self, comps: &[&str], fs: &dyn FileExists, tried: &mut Vec<String>) -> Option<Resolution> {
        let mut cands = Vec::new();
        for sp in &self.source_paths {
            let hit = (0..comps.len()).find_map(|i| {
                let file = join(sp, &comps[i..].join("/"));
                let in_ws = self.index.contains(&file);
                (in_ws || fs.exists(&file)).then(|| Candidate {
                    path: file,
                    score: comps.len() - i,
                    in_workspace: in_ws,
                })
            });
            match hit {
                Some(c) => cands.push(c),
                None => tried.push(format!("{} {sp}: no trailing part of the path exists there", Rule::SourcePath)),
            }
        }
        // Here the longest match counts for more than being in the workspace.
        let best = cands.iter().map(|c| c.score).max()?;
        cands.retain(|c| c.score == best);
        pick(Rule::SourcePath, cands)
    }

    // -- rule 7 -------------------------------------------------------------

    fn exact_outside(&self, p: &NormPath, fs: &dyn FileExists, tried: &mut Vec<String>) -> Option<Resolution> {
        if !p.is_absolute() {
            return None;
        }
        if fs.exists(p.as_str()) {
            return Some(Resolution::Mapped { path: p.to_string(), rule: Rule::ExactOutside, in_workspace: false });
        }
        tried.push(format!("{}: {p} does not exist here", Rule::ExactOutside));
        None
    }

    /// The first workspace root, normalised, which relative mapping targets
    /// are resolved against.
    pub fn first_root(&self) -> Option<&str> {
        self.first_root.as_deref()
    }
}

/// Every file of one profile, resolved, with lookups both ways.
#[derive(Clone, Debug, Default)]
pub struct MappedFiles {
    /// In the order first seen.
    entries: Vec<(String, Resolution)>,
    by_profile: FxHashMap<String, usize>,
    /// Normalised local path → the profile names that map to it.
    by_local: FxHashMap<String, Vec<String>>,
}

impl MappedFiles {
    /// The local file for a profile file name, if it mapped.
    pub fn local_for(&self, profile_path: &str) -> Option<&str> {
        self.resolution(profile_path).and_then(Resolution::path)
    }

    pub fn resolution(&self, profile_path: &str) -> Option<&Resolution> {
        self.by_profile.get(profile_path).map(|&i| &self.entries[i].1)
    }

    /// The profile file names that map to a local file (any spelling of
    /// the local path).
    pub fn profile_paths_for(&self, local_path: &str) -> &[String] {
        self.by_local.get(NormPath::new(local_path).as_str()).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The names that did not map to exactly one file, with the reason.
    pub fn unresolved(&self) -> impl Iterator<Item = (&str, &Resolution)> {
        self.entries.iter().filter(|(_, r)| r.path().is_none()).map(|(p, r)| (p.as_str(), r))
    }

    /// All names with their answers, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Resolution)> {
        self.entries.iter().map(|(p, r)| (p.as_str(), r))
    }

    /// The local files with at least one profile name.
    pub fn local_files(&self) -> impl Iterator<Item = &str> {
        self.by_local.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A [`FileExists`] over an in-memory set, handy for callers that already
/// know the files (and for tests). Paths are normalised on insert.
#[derive(Clone, Debug, Default)]
pub struct KnownFiles(FxHashSet<String>);

impl KnownFiles {
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> Self {
        KnownFiles(paths.into_iter().map(normalize_path).collect())
    }
}

impl FileExists for KnownFiles {
    fn exists(&self, path: &str) -> bool {
        self.0.contains(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workspace, the user's mappings, and the files that exist outside
    /// the workspace.
    struct Fixture {
        ws: Workspace,
        mappings: Vec<PathMapping>,
        outside: KnownFiles,
    }

    fn root(root: &str, files: &[&str], modules: &[(&str, &str)]) -> WorkspaceRoot {
        WorkspaceRoot {
            root: root.to_string(),
            files: files.iter().map(|s| s.to_string()).collect(),
            modules: modules
                .iter()
                .map(|(path, dir)| GoModule { path: path.to_string(), dir: dir.to_string() })
                .collect(),
            truncated: false,
        }
    }

    /// One module named like its directory, at the root.
    fn vaptcha() -> Fixture {
        Fixture {
            ws: Workspace {
                roots: vec![root(
                    "/home/me/vaptcha-go",
                    &["go.mod", "main.go", "core/x.go", "core/service/vimage/downtime/generate_img.go"],
                    &[("vaptcha-go", "")],
                )],
                ..Default::default()
            },
            mappings: Vec::new(),
            outside: KnownFiles::default(),
        }
    }

    /// A module with a slash path, a nested module, vendored code, look-alike
    /// file names, a Go installation, a module cache and source paths.
    fn acme() -> Fixture {
        Fixture {
            ws: Workspace {
                roots: vec![root(
                    "/src/app",
                    &[
                        "go.mod",
                        "cmd/app/main.go",
                        "internal/catalog/catalog.go",
                        "internal/sched/proc.go",
                        "internal/codec/decode.go",
                        "internal/util/strings.go",
                        "pkg/util/strings.go",
                        "tools/go.mod",
                        "tools/gen/gen.go",
                        "vendor/github.com/pkg/errors/errors.go",
                        "third_party/lib/lib.go",
                    ],
                    &[("github.com/acme/app", ""), ("github.com/acme/tooling", "tools")],
                )],
                goroot: Some("/usr/lib/go".into()),
                gomodcache: Some("/home/me/go/pkg/mod".into()),
                source_paths: vec!["/opt/src".into(), "/opt/src2/".into()],
                problems: Vec::new(),
            },
            mappings: vec![
                PathMapping { from: r"D:\Work\Proj".into(), to: "/src/app".into() },
                PathMapping { from: "/ci/deps".into(), to: "third_party".into() },
                PathMapping { from: "/ci/std".into(), to: "/opt/other".into() },
                PathMapping { from: "/ci/gone".into(), to: "/nowhere".into() },
            ],
            outside: KnownFiles::new([
                "/usr/lib/go/src/runtime/proc.go",
                "/home/me/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.0/decode.go",
                "/home/me/go/pkg/mod/github.com/pkg/errors@v0.9.1/errors.go",
                "/tmp/pprof-lsp-build/pprofdemo/internal/catalog/catalog.go",
                "/opt/src/lib/util/helper.go",
                "/opt/src/only/one.go",
                "/opt/src2/lib/util/helper.go",
                "/opt/other/x.go",
                "/srv/thing/z.go",
            ]),
        }
    }

    /// `acme` without GOROOT, module cache or outside files.
    fn acme_offline() -> Fixture {
        let mut f = acme();
        f.ws.goroot = None;
        f.ws.gomodcache = None;
        f.ws.source_paths.clear();
        f.outside = KnownFiles::default();
        f
    }

    /// Two roots, one on a Windows drive, each with a `main.go`.
    fn two_roots() -> Fixture {
        Fixture {
            ws: Workspace {
                roots: vec![
                    root("/ws/a", &["go.mod", "main.go", "util.go"], &[("example.com/a", "")]),
                    root("C:/Users/me/b", &["go.mod", "main.go"], &[("example.com/b", "")]),
                ],
                ..Default::default()
            },
            mappings: Vec::new(),
            outside: KnownFiles::new(["/ws/a/util.go", "/elsewhere/a/util.go"]),
        }
    }

    #[derive(Debug)]
    enum Want {
        /// A workspace file.
        Ws(&'static str, Rule),
        /// A file outside the workspace.
        Out(&'static str, Rule),
        Amb(Rule, &'static [&'static str]),
        Unresolved,
    }
    use Want::*;

    /// A fixture, a profile path, and the answer wanted.
    type Case = (fn() -> Fixture, &'static str, Want);

    fn check(fixture: fn() -> Fixture, profile_path: &str, want: &Want) {
        let f = fixture();
        let mapper = PathMapper::new(f.ws, f.mappings);
        let got = mapper.resolve(profile_path, &f.outside);
        let ok = match (want, &got) {
            (Ws(p, r), Resolution::Mapped { path, rule, in_workspace: true }) => path == p && rule == r,
            (Out(p, r), Resolution::Mapped { path, rule, in_workspace: false }) => path == p && rule == r,
            (Amb(r, c), Resolution::Ambiguous { rule, candidates, omitted: 0 }) => rule == r && candidates == c,
            (Unresolved, Resolution::Unresolved { tried }) => !tried.is_empty(),
            _ => false,
        };
        assert!(ok, "{profile_path:?}: wanted {want:?}, got {got:?}");
    }

    #[test]
    fn rules() {
        let cases: &[Case] = &[
            // 1. exact, in any spelling
            (vaptcha, "/home/me/vaptcha-go/core/x.go", Ws("/home/me/vaptcha-go/core/x.go", Rule::Exact)),
            (vaptcha, "/home/me//vaptcha-go/./core/../core/x.go", Ws("/home/me/vaptcha-go/core/x.go", Rule::Exact)),
            (two_roots, "/ws/a/main.go", Ws("/ws/a/main.go", Rule::Exact)),
            (two_roots, "c:/Users/me/b/main.go", Ws("c:/Users/me/b/main.go", Rule::Exact)),
            (two_roots, r"C:\Users\me\b\main.go", Ws("c:/Users/me/b/main.go", Rule::Exact)),
            // The same path exists outside too: the workspace listing decides.
            (two_roots, "/ws/a/util.go", Ws("/ws/a/util.go", Rule::Exact)),
            // 2. mappings: drive letter case, backslashes, whole components
            (acme, "d:/work/proj/cmd/app/main.go", Ws("/src/app/cmd/app/main.go", Rule::Mapping)),
            (acme, r"D:\Work\Proj\cmd\app\main.go", Ws("/src/app/cmd/app/main.go", Rule::Mapping)),
            (
                acme,
                "D:/Work/Proj//internal\\catalog/catalog.go",
                Ws("/src/app/internal/catalog/catalog.go", Rule::Mapping),
            ),
            (acme, "D:/Work/Project/cmd/app/main.go", Ws("/src/app/cmd/app/main.go", Rule::Suffix)),
            (acme, "/ci/deps/lib/lib.go", Ws("/src/app/third_party/lib/lib.go", Rule::Mapping)),
            (acme, "/ci/std/x.go", Out("/opt/other/x.go", Rule::Mapping)),
            (acme, "/ci/gone/nothing_like_it.go", Unresolved),
            // 3. module path: absolute Windows builds, trimpath, slashes, nesting
            (
                vaptcha,
                "D:/wlinno/projects/vaptcha-go/core/service/vimage/downtime/generate_img.go",
                Ws("/home/me/vaptcha-go/core/service/vimage/downtime/generate_img.go", Rule::Module),
            ),
            (vaptcha, r"d:\wlinno\projects\vaptcha-go\core\x.go", Ws("/home/me/vaptcha-go/core/x.go", Rule::Module)),
            (vaptcha, "vaptcha-go/core/x.go", Ws("/home/me/vaptcha-go/core/x.go", Rule::Module)),
            (vaptcha, "vaptcha-go/core/missing.go", Unresolved),
            (
                acme,
                "github.com/acme/app/internal/catalog/catalog.go",
                Ws("/src/app/internal/catalog/catalog.go", Rule::Module),
            ),
            (acme, "/home/ci/go/src/github.com/acme/app/cmd/app/main.go", Ws("/src/app/cmd/app/main.go", Rule::Module)),
            (acme, "github.com/acme/tooling/gen/gen.go", Ws("/src/app/tools/gen/gen.go", Rule::Module)),
            (acme, "C:/ci/app/tools/gen/gen.go", Ws("/src/app/tools/gen/gen.go", Rule::Module)),
            (two_roots, "example.com/b/main.go", Ws("c:/Users/me/b/main.go", Rule::Module)),
            (two_roots, "/build/b/main.go", Ws("c:/Users/me/b/main.go", Rule::Module)),
            (two_roots, "/elsewhere/a/util.go", Ws("/ws/a/util.go", Rule::Module)),
            // 4. longest component suffix, file name alone if unique, ties
            (
                acme,
                "/build/agent/work/x/internal/catalog/catalog.go",
                Ws("/src/app/internal/catalog/catalog.go", Rule::Suffix),
            ),
            (
                acme,
                "/tmp/pprof-lsp-build/pprofdemo/internal/catalog/catalog.go",
                Ws("/src/app/internal/catalog/catalog.go", Rule::Suffix),
            ),
            (acme, "/elsewhere/gen.go", Ws("/src/app/tools/gen/gen.go", Rule::Suffix)),
            (acme, "/x/pkg/util/strings.go", Ws("/src/app/pkg/util/strings.go", Rule::Suffix)),
            (
                acme,
                "/x/y/util/strings.go",
                Amb(Rule::Suffix, &["/src/app/internal/util/strings.go", "/src/app/pkg/util/strings.go"]),
            ),
            (
                acme,
                "/x/strings.go",
                Amb(Rule::Suffix, &["/src/app/internal/util/strings.go", "/src/app/pkg/util/strings.go"]),
            ),
            (two_roots, "/x/main.go", Amb(Rule::Suffix, &["/ws/a/main.go", "c:/Users/me/b/main.go"])),
            (
                acme,
                "github.com/pkg/errors/errors.go",
                Ws("/src/app/vendor/github.com/pkg/errors/errors.go", Rule::Suffix),
            ),
            // 5. vendor (before the module cache), GOROOT, module cache
            (
                acme,
                "/home/u/go/pkg/mod/github.com/pkg/errors@v0.9.1/errors.go",
                Ws("/src/app/vendor/github.com/pkg/errors/errors.go", Rule::Vendor),
            ),
            (
                acme,
                "github.com/pkg/errors@v0.9.1/errors.go",
                Ws("/src/app/vendor/github.com/pkg/errors/errors.go", Rule::Vendor),
            ),
            (acme, "/usr/local/go/src/runtime/proc.go", Out("/usr/lib/go/src/runtime/proc.go", Rule::GoRoot)),
            (acme, "c:/go/src/runtime/proc.go", Out("/usr/lib/go/src/runtime/proc.go", Rule::GoRoot)),
            (acme, r"C:\Go\src\runtime\proc.go", Out("/usr/lib/go/src/runtime/proc.go", Rule::GoRoot)),
            (acme, "/home/u/sdk/go1.22.1/src/runtime/proc.go", Out("/usr/lib/go/src/runtime/proc.go", Rule::GoRoot)),
            (acme, "runtime/proc.go", Out("/usr/lib/go/src/runtime/proc.go", Rule::GoRoot)),
            (acme, "/usr/lib/go/src/runtime/proc.go", Out("/usr/lib/go/src/runtime/proc.go", Rule::GoRoot)),
            (
                acme,
                "/home/u/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.0/decode.go",
                Out("/home/me/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.0/decode.go", Rule::ModCache),
            ),
            (
                acme,
                r"C:\Users\u\go\pkg\mod\github.com\!burnt!sushi\toml@v1.2.0\decode.go",
                Out("/home/me/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.0/decode.go", Rule::ModCache),
            ),
            (
                acme,
                "github.com/BurntSushi/toml@v1.2.0/decode.go",
                Out("/home/me/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.0/decode.go", Rule::ModCache),
            ),
            (
                acme,
                "/cache/github.com/BurntSushi/toml@v1.2.0/decode.go",
                Out("/home/me/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.0/decode.go", Rule::ModCache),
            ),
            // Library paths never settle for a look-alike workspace file.
            (acme_offline, "github.com/BurntSushi/toml@v1.2.0/decode.go", Unresolved),
            (acme_offline, "runtime/proc.go", Unresolved),
            (acme_offline, "/usr/local/go/src/runtime/proc.go", Unresolved),
            (acme, "github.com/other/lib@v1.0.0/x.go", Unresolved),
            // 6. source paths, longest suffix first, ties reported
            (acme, "/remote/only/one.go", Out("/opt/src/only/one.go", Rule::SourcePath)),
            (
                acme,
                "/remote/build/lib/util/helper.go",
                Amb(Rule::SourcePath, &["/opt/src/lib/util/helper.go", "/opt/src2/lib/util/helper.go"]),
            ),
            // 7. the path as recorded, outside the workspace, last of all
            (acme, "/srv/thing/z.go", Out("/srv/thing/z.go", Rule::ExactOutside)),
            // nothing at all
            (acme, "/nowhere/zzz.go", Unresolved),
            (acme, "<autogenerated>", Unresolved),
            (acme, "", Unresolved),
        ];
        for (fixture, path, want) in cases {
            check(*fixture, path, want);
        }
    }

    #[test]
    fn normalisation() {
        let cases = [
            (r"D:\x\y.go", "d:/x/y.go"),
            ("D://x//y.go", "d:/x/y.go"),
            ("/a/./b/../c.go", "/a/c.go"),
            ("a/b/", "a/b"),
            ("../a.go", "../a.go"),
            ("/../a.go", "/a.go"),
            (r"\\server\share\f.go", "/server/share/f.go"),
            ("runtime/proc.go", "runtime/proc.go"),
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
    fn module_cache_escaping() {
        assert_eq!(escape_module("github.com/BurntSushi/toml"), "github.com/!burnt!sushi/toml");
        assert_eq!(escape_module("github.com/!burnt!sushi/toml"), "github.com/!burnt!sushi/toml");
        assert_eq!(unescape_module("github.com/!burnt!sushi/toml"), "github.com/BurntSushi/toml");
    }

    #[test]
    fn unresolved_says_what_was_tried() {
        let f = acme();
        let mut ws = f.ws;
        ws.roots[0].truncated = true;
        let mapper = PathMapper::new(ws, f.mappings);
        let Resolution::Unresolved { tried } = mapper.resolve("/usr/local/go/src/nosuch/pkg.go", &f.outside) else {
            panic!("should not resolve");
        };
        let all = tried.join("\n");
        for needle in [
            "exact path: /usr/local/go/src/nosuch/pkg.go",
            "GOROOT: /usr/lib/go/src/nosuch/pkg.go not found",
            "source path /opt/src2:",
            "does not exist here",
            "listing of /src/app was cut off",
        ] {
            assert!(all.contains(needle), "{needle:?} missing from:\n{all}");
        }

        let Resolution::Unresolved { tried } = mapper.resolve("github.com/x/y@v1.0.0/z.go", &NoFiles) else { panic!() };
        assert!(
            tried.iter().any(|t| t.contains("module cache: /home/me/go/pkg/mod/github.com/x/y@v1.0.0/z.go not found")),
            "{tried:?}"
        );
        assert!(
            tried.iter().any(|t| t.contains("vendor directory: no workspace file ends in vendor/github.com/x/y/z.go")),
            "{tried:?}"
        );
    }

    #[test]
    fn long_ties_are_capped_but_counted() {
        let files: Vec<String> = (0..30).map(|i| format!("p{i:02}/doc.go")).collect();
        let ws = Workspace {
            roots: vec![WorkspaceRoot { root: "/w".into(), files, ..Default::default() }],
            ..Default::default()
        };
        let mapper = PathMapper::new(ws, Vec::new());
        match mapper.resolve("/elsewhere/doc.go", &NoFiles) {
            Resolution::Ambiguous { rule: Rule::Suffix, candidates, omitted } => {
                assert_eq!(candidates.len(), MAX_CANDIDATES);
                assert_eq!(omitted, 30 - MAX_CANDIDATES);
                assert!(candidates.windows(2).all(|w| w[0] < w[1]));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mapped_files_go_both_ways() {
        let f = vaptcha();
        let mapper = PathMapper::new(f.ws, f.mappings);
        let profile = [
            "vaptcha-go/core/x.go",
            r"D:\b\vaptcha-go\core\x.go",
            "vaptcha-go/main.go",
            "vaptcha-go/core/x.go",
            "/nowhere/q.go",
        ];
        let m = mapper.map_all(&profile, &f.outside);
        assert_eq!(m.len(), 4);
        assert_eq!(m.local_for("vaptcha-go/main.go"), Some("/home/me/vaptcha-go/main.go"));
        assert_eq!(m.local_for(r"D:\b\vaptcha-go\core\x.go"), Some("/home/me/vaptcha-go/core/x.go"));
        assert_eq!(m.local_for("/nowhere/q.go"), None);
        assert_eq!(m.local_for("never/in/profile.go"), None);
        assert_eq!(
            m.profile_paths_for("/home/me/vaptcha-go/core/x.go"),
            ["vaptcha-go/core/x.go", r"D:\b\vaptcha-go\core\x.go"]
        );
        assert_eq!(m.profile_paths_for("/home/me//vaptcha-go/core/./x.go").len(), 2);
        assert!(m.profile_paths_for("/home/me/vaptcha-go/other.go").is_empty());
        let unresolved: Vec<&str> = m.unresolved().map(|(p, _)| p).collect();
        assert_eq!(unresolved, ["/nowhere/q.go"]);
        assert_eq!(m.local_files().count(), 2);
    }

    #[test]
    fn large_workspace() {
        let files: Vec<String> =
            (0..100_000).map(|i| format!("svc{}/pkg{}/sub{}/file{i}.go", i % 50, i % 997, i % 7)).collect();
        let ws = Workspace {
            roots: vec![WorkspaceRoot { root: "/big".into(), files, ..Default::default() }],
            ..Default::default()
        };
        let mapper = PathMapper::new(ws, Vec::new());
        assert_eq!(mapper.file_count(), 100_000);
        for i in (0..100_000).step_by(997) {
            let profile = format!("/ci/checkout/svc{}/pkg{}/sub{}/file{i}.go", i % 50, i % 997, i % 7);
            let want = format!("/big/svc{}/pkg{}/sub{}/file{i}.go", i % 50, i % 997, i % 7);
            assert_eq!(mapper.resolve(&profile, &NoFiles).path(), Some(want.as_str()));
        }
    }

    #[test]
    fn answers_serialise_for_the_editor() {
        let r = Resolution::Mapped { path: "/w/a.go".into(), rule: Rule::ModCache, in_workspace: false };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"kind":"mapped","path":"/w/a.go","rule":"modCache","inWorkspace":false}"#
        );
        let m: PathMapping = serde_json::from_str(r#"{"from":"D:\\x","to":"/y"}"#).unwrap();
        assert_eq!(m, PathMapping { from: r"D:\x".into(), to: "/y".into() });
    }

    proptest::proptest! {
        #[test]
        fn any_name_gets_an_answer(name in r"[a-zA-Z0-9_./\\:@!<>é ~-]{0,60}") {
            let f = acme();
            let mapper = PathMapper::new(f.ws, f.mappings);
            if let Resolution::Unresolved { tried } = mapper.resolve(&name, &f.outside) {
                proptest::prop_assert!(!tried.is_empty());
            }
        }
    }
}
