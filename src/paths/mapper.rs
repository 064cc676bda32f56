//! The rules that find the local file behind one profile file name, tried
//! in order; the first rule that finds anything decides, and a rule that
//! finds several equally good files reports them as ambiguous:
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

use std::fmt;

use rustc_hash::FxHashMap;

use super::inputs::{FileExists, PathMapping, Workspace};
use super::module_path::{escape_module, module_splits, unescape_module, version_component, ModuleSplit};
use super::norm::{join, normalize_path, strip_component_prefix, NormPath};
use super::suffix::{FileIndex, SuffixNode};

/// Most candidates listed in an [`Resolution::Ambiguous`] answer.
pub const MAX_CANDIDATES: usize = 20;

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
    /// A file renamed since the profile's revision, found by git's rename
    /// detection (not by the mapper: see `MappedFiles::follow_renames`).
    Renamed,
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
            Rule::Renamed => "renamed since the profile's revision",
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

/// The answer for "the files ending in this run of components": one file,
/// or the sorted, capped tie.
fn suffix_answer(index: &FileIndex, rule: Rule, node: SuffixNode) -> Resolution {
    let (mut files, total) = index.files_under(node, MAX_CANDIDATES);
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
        let mut index = FileIndex::default();
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
        self.index.len()
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
        Some(suffix_answer(&self.index, Rule::Suffix, node))
    }

    // -- rule 5 -------------------------------------------------------------

    fn vendor(&self, p: &NormPath, comps: &[&str], tried: &mut Vec<String>) -> Option<Resolution> {
        let mut wanted: Vec<String> = module_splits(p, comps)
            .into_iter()
            .map(|s| format!("vendor/{}/{}", unescape_module(&s.module.join("/")), s.rest.join("/")))
            .collect();
        if !p.is_absolute() && comps[0].contains('.') && version_component(comps).is_none() {
            wanted.push(format!("vendor/{}", comps.join("/")));
        }
        for w in wanted {
            let wc: Vec<&str> = w.split('/').collect();
            let (depth, node) = self.index.longest_suffix(&wc);
            if depth == wc.len() {
                return Some(suffix_answer(&self.index, Rule::Vendor, node));
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
        let splits = module_splits(p, comps);
        if splits.is_empty() {
            return None;
        }
        let Some(cache) = &self.gomodcache else {
            tried.push(format!("{}: GOMODCACHE not known", Rule::ModCache));
            return None;
        };
        for ModuleSplit { module, version, rest } in splits {
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


#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::inputs::{GoModule, KnownFiles, NoFiles, WorkspaceRoot};

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

    /// Answers several cases share.
    const CATALOG: &str = "/src/app/internal/catalog/catalog.go";
    const VENDORED: &str = "/src/app/vendor/github.com/pkg/errors/errors.go";
    const TOML: &str = "/home/me/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.0/decode.go";
    const PROC: &str = "/usr/lib/go/src/runtime/proc.go";
    const STRINGS: &[&str] = &["/src/app/internal/util/strings.go", "/src/app/pkg/util/strings.go"];

    #[test]
    fn rules() {
        let cases: &[Case] = &[
            // 1. exact, in any spelling
            (vaptcha, "/home/me/vaptcha-go/core/x.go", Ws("/home/me/vaptcha-go/core/x.go", Rule::Exact)),
            (vaptcha, "/home/me//vaptcha-go/./core/../core/x.go", Ws("/home/me/vaptcha-go/core/x.go", Rule::Exact)),
            (two_roots, "/ws/a/main.go", Ws("/ws/a/main.go", Rule::Exact)),
            (two_roots, "c:/Users/me/b/main.go", Ws("c:/Users/me/b/main.go", Rule::Exact)),
            (two_roots, r"C:\Users\me\b\main.go", Ws("c:/Users/me/b/main.go", Rule::Exact)),
            (two_roots, "/C:/Users/me/b/main.go", Ws("c:/Users/me/b/main.go", Rule::Exact)),
            // The same path exists outside too: the workspace listing decides.
            (two_roots, "/ws/a/util.go", Ws("/ws/a/util.go", Rule::Exact)),
            // 2. mappings: drive letter case, backslashes, whole components
            (acme, "d:/work/proj/cmd/app/main.go", Ws("/src/app/cmd/app/main.go", Rule::Mapping)),
            (acme, r"D:\Work\Proj\cmd\app\main.go", Ws("/src/app/cmd/app/main.go", Rule::Mapping)),
            (acme, "D:/Work/Proj//internal\\catalog/catalog.go", Ws(CATALOG, Rule::Mapping)),
            (acme, "D:/Work/Project/cmd/app/main.go", Ws("/src/app/cmd/app/main.go", Rule::Suffix)),
            (acme, "/ci/deps/lib/lib.go", Ws("/src/app/third_party/lib/lib.go", Rule::Mapping)),
            (acme, "/ci/std/x.go", Out("/opt/other/x.go", Rule::Mapping)),
            (acme, "/ci/gone/nothing_like_it.go", Unresolved),
            // 3. module path: absolute Windows builds, trimpath, slashes, nesting
            (vaptcha, "D:/wlinno/projects/vaptcha-go/core/service/vimage/downtime/generate_img.go", Ws("/home/me/vaptcha-go/core/service/vimage/downtime/generate_img.go", Rule::Module)),
            (vaptcha, r"d:\wlinno\projects\vaptcha-go\core\x.go", Ws("/home/me/vaptcha-go/core/x.go", Rule::Module)),
            (vaptcha, "vaptcha-go/core/x.go", Ws("/home/me/vaptcha-go/core/x.go", Rule::Module)),
            (vaptcha, "vaptcha-go/core/missing.go", Unresolved),
            (acme, "github.com/acme/app/internal/catalog/catalog.go", Ws(CATALOG, Rule::Module)),
            (acme, "/home/ci/go/src/github.com/acme/app/cmd/app/main.go", Ws("/src/app/cmd/app/main.go", Rule::Module)),
            (acme, "github.com/acme/tooling/gen/gen.go", Ws("/src/app/tools/gen/gen.go", Rule::Module)),
            (acme, "C:/ci/app/tools/gen/gen.go", Ws("/src/app/tools/gen/gen.go", Rule::Module)),
            (two_roots, "example.com/b/main.go", Ws("c:/Users/me/b/main.go", Rule::Module)),
            (two_roots, "/build/b/main.go", Ws("c:/Users/me/b/main.go", Rule::Module)),
            (two_roots, "/elsewhere/a/util.go", Ws("/ws/a/util.go", Rule::Module)),
            // 4. longest component suffix, file name alone if unique, ties
            (acme, "/build/agent/work/x/internal/catalog/catalog.go", Ws(CATALOG, Rule::Suffix)),
            (acme, "/tmp/pprof-lsp-build/pprofdemo/internal/catalog/catalog.go", Ws(CATALOG, Rule::Suffix)),
            (acme, "/elsewhere/gen.go", Ws("/src/app/tools/gen/gen.go", Rule::Suffix)),
            (acme, "/x/pkg/util/strings.go", Ws("/src/app/pkg/util/strings.go", Rule::Suffix)),
            (acme, "/x/y/util/strings.go", Amb(Rule::Suffix, STRINGS)),
            (acme, "/x/strings.go", Amb(Rule::Suffix, STRINGS)),
            (two_roots, "/x/main.go", Amb(Rule::Suffix, &["/ws/a/main.go", "c:/Users/me/b/main.go"])),
            (acme, "github.com/pkg/errors/errors.go", Ws(VENDORED, Rule::Suffix)),
            // 5. vendor (before the module cache), GOROOT, module cache
            (acme, "/home/u/go/pkg/mod/github.com/pkg/errors@v0.9.1/errors.go", Ws(VENDORED, Rule::Vendor)),
            (acme, "github.com/pkg/errors@v0.9.1/errors.go", Ws(VENDORED, Rule::Vendor)),
            (acme, "/usr/local/go/src/runtime/proc.go", Out(PROC, Rule::GoRoot)),
            (acme, "c:/go/src/runtime/proc.go", Out(PROC, Rule::GoRoot)),
            (acme, r"C:\Go\src\runtime\proc.go", Out(PROC, Rule::GoRoot)),
            (acme, "/home/u/sdk/go1.22.1/src/runtime/proc.go", Out(PROC, Rule::GoRoot)),
            (acme, "runtime/proc.go", Out(PROC, Rule::GoRoot)),
            (acme, PROC, Out(PROC, Rule::GoRoot)),
            (acme, "/home/u/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.0/decode.go", Out(TOML, Rule::ModCache)),
            (acme, r"C:\Users\u\go\pkg\mod\github.com\!burnt!sushi\toml@v1.2.0\decode.go", Out(TOML, Rule::ModCache)),
            (acme, "github.com/BurntSushi/toml@v1.2.0/decode.go", Out(TOML, Rule::ModCache)),
            (acme, "/cache/github.com/BurntSushi/toml@v1.2.0/decode.go", Out(TOML, Rule::ModCache)),
            // Library paths never settle for a look-alike workspace file.
            (acme_offline, "github.com/BurntSushi/toml@v1.2.0/decode.go", Unresolved),
            (acme_offline, "runtime/proc.go", Unresolved),
            (acme_offline, "/usr/local/go/src/runtime/proc.go", Unresolved),
            (acme, "github.com/other/lib@v1.0.0/x.go", Unresolved),
            // 6. source paths, longest suffix first, ties reported
            (acme, "/remote/only/one.go", Out("/opt/src/only/one.go", Rule::SourcePath)),
            (acme, "/remote/build/lib/util/helper.go", Amb(Rule::SourcePath, &["/opt/src/lib/util/helper.go", "/opt/src2/lib/util/helper.go"])),
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
