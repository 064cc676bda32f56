//! The report commands' settings: the flags, with the project file of
//! `--workspace DIR` (`pprof-lsp.toml` or `.pprof-lsp.toml`) filling in
//! what they leave unset, key by key, so the terminal reads the same
//! profile and maps paths the same way as the editor and `pprof-lsp mcp`.
//! Without `--workspace` no file is read and the flags are all there is.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, ensure, Result};

use crate::analysis::filter::Filters;
use crate::lsp::config::Config;
use crate::lsp::project;
use crate::paths::PathMapper;
use crate::source::load::ProfileSource;

use super::ProfileArgs;

/// The project file of `--workspace DIR`, if one is given.
pub struct Project {
    /// DIR, canonical.
    pub workspace: Option<PathBuf>,
    /// The file's settings (the defaults without one).
    pub config: Config,
    /// The file, if DIR has one.
    pub file: Option<PathBuf>,
}

impl Project {
    /// Reads DIR's project file; a bad key is named on stderr and left
    /// out, and the rest applies.
    pub fn read(workspace: Option<&Path>) -> Result<Project> {
        let Some(dir) = workspace else {
            return Ok(Project { workspace: None, config: Config::default(), file: None });
        };
        ensure!(dir.is_dir(), "--workspace {}: not a directory", dir.display());
        let root = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let roots = [root.clone()];
        let (config, errors) = project::project_config(&roots);
        for problem in &errors {
            eprintln!("pprof-lsp: {problem}");
        }
        let file = crate::source::project_file::find(&roots);
        Ok(Project { workspace: Some(root), config, file })
    }

    /// The path mapper over the workspace and `source_path` (the current
    /// directory when there are neither), with the file's
    /// `pathMappings`, `sourcePaths` and `goroot`.
    pub fn mapper(&self, source_path: &[PathBuf]) -> PathMapper {
        mapper(self.workspace.as_ref(), source_path, &self.config)
    }
}

fn mapper(workspace: Option<&PathBuf>, source_path: &[PathBuf], config: &Config) -> PathMapper {
    let mut roots: Vec<PathBuf> = workspace.into_iter().cloned().chain(source_path.iter().cloned()).collect();
    if roots.is_empty() {
        roots.push(PathBuf::from("."));
    }
    project::path_mapper(&roots, config)
}

/// What a report reads, with every default decided.
#[derive(Debug)]
pub struct Resolved {
    /// The profiles to merge, and their names for messages.
    pub sources: Vec<ProfileSource>,
    pub profiles: Vec<String>,
    pub base_sources: Vec<ProfileSource>,
    pub diff_base: Vec<String>,
    pub sample_index: Option<String>,
    pub max_profile_bytes: u64,
    pub filters: Filters,
    /// The revision the profile was taken at, and where it was given
    /// (for messages: `--revision` or the project file).
    pub revision: Option<(String, String)>,
    /// The `--workspace` root, canonical.
    pub workspace: Option<PathBuf>,
    /// The project file's settings (the defaults without one).
    pub config: Config,
}

impl ProfileArgs {
    /// The flags over `--workspace`'s project file; `profiles` are the
    /// positional arguments (the file's first profile when there are none).
    pub fn resolve(&self, profiles: &[String]) -> Result<Resolved> {
        let Project { workspace, config, file } = Project::read(self.workspace.as_deref())?;
        let in_workspace = |text: &str| match (&workspace, ProfileSource::parse(text)) {
            (Some(root), ProfileSource::File(p)) if p.is_relative() => ProfileSource::File(root.join(p)),
            (_, source) => source,
        };
        let sources: Vec<ProfileSource> = if !profiles.is_empty() {
            profiles.iter().map(|p| ProfileSource::parse(p)).collect()
        } else {
            let root = workspace.as_ref().ok_or_else(|| anyhow!("no profile given"))?;
            let first = project::offered_profiles(std::slice::from_ref(root), &config).into_iter().next();
            vec![first.ok_or_else(|| {
                let named = file.as_ref().map_or_else(String::new, |f| format!(" in {}'s profiles", f.display()));
                anyhow!("no profile given, and none{named} or found in {}", root.display())
            })?]
        };
        let base_sources: Vec<ProfileSource> = match (&self.diff_base[..], &config.diff_base) {
            ([], Some(base)) => vec![in_workspace(base)],
            (given, _) => given.iter().map(|b| ProfileSource::parse(b)).collect(),
        };
        let revision = match (&self.revision, &file) {
            (Some(rev), _) => Some((rev.clone(), "--revision".to_string())),
            (None, Some(file)) => {
                let roots: Vec<PathBuf> = workspace.iter().cloned().collect();
                let entry = sources.first().and_then(|s| config.profiles.iter().find(|e| e.names(s, &roots)));
                entry.and_then(|e| e.revision()).or(config.revision.as_deref()).map(|rev| (rev.to_string(), format!("{}: revision", file.display())))
            }
            (None, None) => None,
        };
        Ok(Resolved {
            profiles: sources.iter().map(ToString::to_string).collect(),
            sources,
            diff_base: base_sources.iter().map(ToString::to_string).collect(),
            base_sources,
            sample_index: self.sample_index.clone().or_else(|| config.sample_type.clone()),
            max_profile_bytes: self.max_profile_bytes.unwrap_or(config.max_profile_bytes),
            filters: over(Filters::from(&self.filters), &config.filters),
            revision,
            workspace,
            config,
        })
    }
}

/// The flags' filters, each one unset taken from the file's.
fn over(flags: Filters, file: &Filters) -> Filters {
    let pick = |flag: Option<String>, file: &Option<String>| flag.or_else(|| file.clone());
    Filters {
        focus: pick(flags.focus, &file.focus),
        ignore: pick(flags.ignore, &file.ignore),
        hide: pick(flags.hide, &file.hide),
        show: pick(flags.show, &file.show),
        show_from: pick(flags.show_from, &file.show_from),
        tagfocus: pick(flags.tagfocus, &file.tagfocus),
        tagignore: pick(flags.tagignore, &file.tagignore),
    }
}

impl Resolved {
    /// The checkout `--revision` maps lines to: the workspace, else the
    /// current directory.
    pub fn checkout(&self) -> PathBuf {
        self.workspace.clone().unwrap_or_else(|| PathBuf::from("."))
    }

    /// The path mapper for reading sources: the workspace and
    /// `source_path` as roots (the current directory when there are
    /// neither), with the file's `pathMappings`, `sourcePaths` and `goroot`.
    pub fn mapper(&self, source_path: &[PathBuf]) -> PathMapper {
        mapper(self.workspace.as_ref(), source_path, &self.config)
    }
}
