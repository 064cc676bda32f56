//! What every tool call reads: the workspace roots, the settings, the
//! profiles on offer, the path mapper, and the loaded profiles (kept while
//! their file is unchanged, or for `refreshSeconds` for a URL). Also the
//! safety rules: which files and URLs a call may read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use crate::analysis::{self, Index, SampleType};
use crate::lsp::config::Config;
use crate::paths::{MappedFiles, PathMapper, Resolution};
use crate::profile::Profile;
use crate::source::fs::RealFs;
use crate::source::load::ProfileSource;
use crate::source::merged;
use crate::source::workspace;

use super::ToolError;

/// A profile on offer: its name (what `profile` arguments may say) and
/// where it is read from.
#[derive(Clone, Debug)]
pub struct Offer {
    pub name: String,
    pub source: ProfileSource,
}

/// A loaded profile with its index and its files mapped to the workspace.
pub struct Loaded {
    pub source: ProfileSource,
    pub profile: Profile,
    pub index: Index,
    pub files: MappedFiles,
    /// When it was read, and the file's time then (None for a URL).
    read_at: Instant,
    modified: Option<SystemTime>,
}

pub struct Context {
    /// The workspace roots, canonical.
    pub roots: Vec<PathBuf>,
    pub config: Config,
    pub offers: Vec<Offer>,
    /// URL prefixes besides loopback ones that may be read.
    pub allow_url: Vec<String>,
    pub allow_run: bool,
    pub mapper: PathMapper,
    cache: Mutex<HashMap<ProfileSource, Arc<Loaded>>>,
    /// The last result of each benchmark run, by package and name.
    pub benchmarks: Mutex<HashMap<(PathBuf, String), crate::gotest::BenchResult>>,
}

impl Context {
    /// `profiles` are the `--profile` arguments; without any, the
    /// settings' `profiles`, else the profiles found in the workspace.
    pub fn new(roots: Vec<PathBuf>, config: Config, profiles: &[String], allow_url: Vec<String>, allow_run: bool) -> Context {
        let roots: Vec<PathBuf> = roots.iter().map(|r| r.canonicalize().unwrap_or_else(|_| r.clone())).collect();
        let mapper = crate::lsp::project::path_mapper(&roots, &config);
        let sources: Vec<ProfileSource> = if !profiles.is_empty() {
            // Paths on the command line are taken relative to the current
            // directory, as a shell user means them.
            profiles
                .iter()
                .map(|p| match ProfileSource::parse(p) {
                    ProfileSource::File(p) => ProfileSource::File(p.canonicalize().unwrap_or(p)),
                    url => url,
                })
                .collect()
        } else {
            crate::lsp::project::offered_profiles(&roots, &config)
        };
        let mut offers: Vec<Offer> = Vec::new();
        for source in sources {
            let mut name = source.display_name();
            if offers.iter().any(|o| o.name == name) {
                name = source.to_string();
            }
            offers.push(Offer { name, source });
        }
        Context {
            roots,
            config,
            offers,
            allow_url,
            allow_run,
            mapper,
            cache: Mutex::new(HashMap::new()),
            benchmarks: Mutex::new(HashMap::new()),
        }
    }

    /// The profile a `profile` argument names: an offer's name or source,
    /// else a file or URL the safety rules allow; none names the default
    /// (the first offer).
    pub fn resolve_profile(&self, asked: Option<&str>) -> Result<ProfileSource, ToolError> {
        let Some(asked) = asked.map(str::trim).filter(|a| !a.is_empty()) else {
            return self.offers.first().map(|o| o.source.clone()).ok_or_else(|| {
                ToolError::new("no profile is configured or found in the workspace: start the server with --profile, or list profiles in pprof-lsp.toml")
            });
        };
        if let Some(offer) = self.offers.iter().find(|o| o.name == asked || o.source.to_string() == asked) {
            return Ok(offer.source.clone());
        }
        self.allowed_source(asked, "profile").map_err(|e| {
            let names: Vec<&str> = self.offers.iter().map(|o| o.name.as_str()).collect();
            ToolError::new(format!("{e} (the profiles on offer: {})", if names.is_empty() { "none".into() } else { names.join(", ") }))
        })
    }

    /// A source given as an argument (`field`), if the rules allow reading
    /// it: a URL on a loopback host or under an `--allow-url` prefix; a file
    /// inside a workspace root or one of the offered profiles, after
    /// `..` and symbolic links are resolved.
    pub fn allowed_source(&self, text: &str, field: &str) -> Result<ProfileSource, ToolError> {
        match ProfileSource::parse(text) {
            ProfileSource::Url(url) => {
                if is_loopback_url(&url) || self.allow_url.iter().any(|p| prefix_allows(p, &url)) {
                    Ok(ProfileSource::Url(url))
                } else {
                    Err(ToolError::new(format!(
                        "{field}: {url} is not allowed: only loopback URLs are, and URLs under an --allow-url prefix"
                    )))
                }
            }
            ProfileSource::File(path) => {
                let canonical = self.existing_path(&path, field)?;
                let offered = self.offers.iter().any(|o| o.source == ProfileSource::File(canonical.clone()));
                if offered || self.in_workspace(&canonical) {
                    Ok(ProfileSource::File(canonical))
                } else {
                    Err(outside(field, &path))
                }
            }
            other => Err(ToolError::new(format!("{field}: {other} is neither a file nor a URL"))),
        }
    }

    /// A workspace file named by an argument (relative to the first root,
    /// or absolute), canonical, which must be inside a root.
    pub fn workspace_file(&self, text: &str, field: &str) -> Result<PathBuf, ToolError> {
        let canonical = self.existing_path(Path::new(text), field)?;
        if self.in_workspace(&canonical) {
            Ok(canonical)
        } else {
            Err(outside(field, Path::new(text)))
        }
    }

    fn existing_path(&self, path: &Path, field: &str) -> Result<PathBuf, ToolError> {
        let joined = match self.roots.first() {
            Some(root) if path.is_relative() => root.join(path),
            _ => path.to_path_buf(),
        };
        joined.canonicalize().map_err(|e| ToolError::new(format!("{field}: {}: {e}", path.display())))
    }

    fn in_workspace(&self, canonical: &Path) -> bool {
        self.roots.iter().any(|r| canonical.starts_with(r))
    }

    /// `path` relative to the workspace root it is in, with `/`; else as
    /// given.
    pub fn relative(&self, path: &str) -> String {
        let p = Path::new(path);
        self.roots
            .iter()
            .find_map(|r| p.strip_prefix(r).ok())
            .map_or_else(|| path.to_string(), workspace::slash_path)
    }

    /// The workspace file (relative) a resolution found, if it found one.
    pub fn workspace_path(&self, resolution: &Resolution) -> Option<String> {
        match resolution {
            Resolution::Mapped { path, in_workspace: true, .. } => Some(self.relative(path)),
            _ => None,
        }
    }

    /// The profile of `source`, read again when its file changed or, for
    /// a URL, when it is older than `refreshSeconds`.
    pub fn load(&self, source: &ProfileSource) -> Result<Arc<Loaded>, ToolError> {
        let modified = match source {
            ProfileSource::File(p) => std::fs::metadata(p).and_then(|m| m.modified()).ok(),
            ProfileSource::Url(_) | ProfileSource::Merged(_) | ProfileSource::Fleet(_) => None,
        };
        if let Some(cached) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(source) {
            let fresh = match source {
                ProfileSource::File(_) => cached.modified == modified,
                _ => cached.read_at.elapsed().as_secs() < self.config.refresh_seconds.max(1),
            };
            if fresh {
                return Ok(cached.clone());
            }
        }
        let profile = self.read(source)?;
        let index = Index::build(&profile);
        let names: Vec<&str> = index.files().iter().map(String::as_str).collect();
        let files = self.mapper.map_all(&names, &RealFs);
        let loaded = Arc::new(Loaded { source: source.clone(), profile, index, files, read_at: Instant::now(), modified });
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).insert(source.clone(), loaded.clone());
        Ok(loaded)
    }

    /// Reads and decodes one profile with the size cap of the settings.
    pub fn read(&self, source: &ProfileSource) -> Result<Profile, ToolError> {
        merged::read_profile(source, self.config.max_profile_bytes).map_err(ToolError::new)
    }

    /// Whether a profile was loaded (for `profiles`), and when.
    pub fn loaded_at(&self, source: &ProfileSource) -> Option<Arc<Loaded>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(source).cloned()
    }
}

/// The sample type an argument names (or the settings', or the
/// profile's default), as the CLI's `--sample-index` reads it.
pub fn sample_type(profile: &Profile, base: Option<&Profile>, asked: Option<&str>, config: &Config) -> Result<SampleType, ToolError> {
    let asked = asked.filter(|a| !a.trim().is_empty()).or(config.sample_type.as_deref());
    analysis::select_with_base(profile, base, asked).map_err(|e| ToolError::new(format!("sampleType: {e}")))
}

fn outside(field: &str, path: &Path) -> ToolError {
    ToolError::new(format!("{field}: {} is outside the workspace and the configured profiles", path.display()))
}

/// Whether `url`'s host is a loopback name or address.
pub fn is_loopback_url(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether an `--allow-url` prefix covers `url`: it must match up to a
/// boundary, so `http://prod:6060` does not allow `http://prod:60601`.
pub fn prefix_allows(prefix: &str, url: &str) -> bool {
    let Some(rest) = url.strip_prefix(prefix) else { return false };
    rest.is_empty() || prefix.ends_with('/') || rest.starts_with(['/', '?', '#'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_urls() {
        for url in ["http://127.0.0.1:6060/debug/pprof/heap", "http://localhost/x", "https://[::1]:8/x", "http://127.8.9.1"] {
            assert!(is_loopback_url(url), "{url}");
        }
        for url in ["http://127.0.0.1.example.com/x", "http://127.0.0.1@example.com/x", "http://example.com/127.0.0.1", "file:///x"] {
            assert!(!is_loopback_url(url), "{url}");
        }
    }

    #[test]
    fn prefixes_end_at_a_boundary() {
        assert!(prefix_allows("http://prod:6060", "http://prod:6060/debug/pprof/heap"));
        assert!(prefix_allows("http://prod:6060/debug/", "http://prod:6060/debug/pprof"));
        assert!(!prefix_allows("http://prod:6060", "http://prod:60601/debug"));
        assert!(!prefix_allows("http://prod:6060", "http://other:6060/"));
    }
}
