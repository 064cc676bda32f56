//! Several profile sources (files and `http(s)://` URLs) read at once and
//! merged into one profile, as `go tool pprof A B C` fetches and merges its
//! sources: up to 128 at a time, each on a thread of its own; each such
//! chunk merged by [`analysis::merge`], then merged into what the chunks
//! before it gave. A source that cannot be read is reported and left out,
//! as pprof does (a fleet with one replica down still has a profile); when
//! none can be read, that is the error.

use crate::analysis::{self, MergeError};
use crate::profile::{self, DecodeOptions, Profile};

use super::load::{self, ProfileSource};
use super::replicas::{Part, MAX_PARTS};

/// How many sources pprof reads at once.
const CHUNK: usize = 128;

/// The profile of several sources, and what was left out of it.
#[derive(Debug)]
pub struct Merged {
    pub profile: Profile,
    /// Why each source that could not be read was left out, in order.
    pub failures: Vec<String>,
    /// How many sources were asked for.
    pub asked: usize,
    /// Each source's index, when asked for and there are at most
    /// [`MAX_PARTS`] sources (see [`read_merged_parts`]).
    pub parts: Vec<Part>,
}

impl Merged {
    /// What pprof says on stderr when some sources could not be read: each
    /// failure, then `Fetched 2 source profiles out of 3` (`what` is
    /// `source` or `base`).
    pub fn warnings(&self, what: &str) -> Vec<String> {
        let mut out = self.failures.clone();
        if !self.failures.is_empty() {
            let read = self.asked - self.failures.len();
            out.push(format!("Fetched {read} {what} profiles out of {}", self.asked));
        }
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SourcesError {
    /// No source was given.
    #[error("no profile to read")]
    NoSources,
    /// The only source could not be read: why.
    #[error("{0}")]
    Read(String),
    /// None of several sources could be read.
    #[error("none of the {} profiles could be read", .failures.len())]
    NoneRead { failures: Vec<String> },
    /// A source's profile does not merge with those read before it.
    #[error("cannot merge {culprit} into {into}: {error}")]
    Merge { culprit: String, into: String, error: Box<MergeError> },
}

/// Reads and decodes one profile, with pprof's time limit for a URL; the
/// error names the source.
pub fn read_profile(source: &ProfileSource, max_bytes: u64) -> Result<Profile, String> {
    if let ProfileSource::Merged(merged) = source {
        return read_merged(&merged.parts, max_bytes).map(|m| m.profile).map_err(|e| format!("{}: {e}", merged.name));
    }
    let data = load::fetch(source, max_bytes, load::fetch_timeout(source))?;
    profile::decode_owned(data, &DecodeOptions { max_decompressed_bytes: max_bytes, ..DecodeOptions::default() })
        .map_err(|e| load::describe(source, &e))
}

/// Reads every source and merges what could be read.
pub fn read_merged(sources: &[ProfileSource], max_bytes: u64) -> Result<Merged, SourcesError> {
    read(sources, max_bytes, false)
}

/// [`read_merged`], keeping each source's index (for rows per source) when
/// there are at most [`MAX_PARTS`] sources.
pub fn read_merged_parts(sources: &[ProfileSource], max_bytes: u64) -> Result<Merged, SourcesError> {
    read(sources, max_bytes, sources.len() <= MAX_PARTS)
}

fn read(sources: &[ProfileSource], max_bytes: u64, keep_parts: bool) -> Result<Merged, SourcesError> {
    if sources.is_empty() {
        return Err(SourcesError::NoSources);
    }
    if let [only] = sources {
        let profile = read_profile(only, max_bytes).map_err(SourcesError::Read)?;
        return Ok(Merged { profile, failures: Vec::new(), asked: 1, parts: Vec::new() });
    }
    let mut parts = Vec::new();
    let mut failures = Vec::new();
    let mut merged: Option<(Profile, Vec<&ProfileSource>)> = None;
    for chunk in sources.chunks(CHUNK) {
        let results: Vec<Result<Profile, String>> = std::thread::scope(|scope| {
            let threads: Vec<_> =
                chunk.iter().map(|source| scope.spawn(move || read_profile(source, max_bytes))).collect();
            threads.into_iter().map(|t| t.join().unwrap_or_else(|_| Err("reading the profile failed".into()))).collect()
        });
        let mut profiles = Vec::new();
        let mut read = Vec::new();
        for (source, result) in chunk.iter().zip(results) {
            match result {
                Ok(p) => {
                    if keep_parts {
                        parts.push(Part { name: load::part_name(source), index: std::sync::Arc::new(analysis::Index::build(&p)) });
                    }
                    profiles.push(p);
                    read.push(source);
                }
                Err(e) => failures.push(e),
            }
        }
        if profiles.is_empty() {
            continue;
        }
        let chunk_profile = analysis::merge_owned(profiles).map_err(|error| {
            let at = error.at().unwrap_or(0);
            merge_error(read[at], &read[..at], error)
        })?;
        merged = Some(match merged {
            None => (chunk_profile, read),
            Some((so_far, mut before)) => {
                let profile = analysis::merge_owned(vec![so_far, chunk_profile])
                    .map_err(|error| merge_error(read[0], &before, error))?;
                before.extend(read);
                (profile, before)
            }
        });
    }
    match merged {
        Some((profile, _)) => Ok(Merged { profile, failures, asked: sources.len(), parts }),
        None => Err(SourcesError::NoneRead { failures }),
    }
}

fn merge_error(culprit: &ProfileSource, before: &[&ProfileSource], error: MergeError) -> SourcesError {
    if before.is_empty() {
        // Only a profile that names a sample type twice fails alone.
        return SourcesError::Read(format!("{culprit}: {error}"));
    }
    SourcesError::Merge { culprit: culprit.to_string(), into: names(before), error: Box::new(error) }
}

/// `a, b and c`, or `a, b, c and 7 more`.
fn names(sources: &[&ProfileSource]) -> String {
    const SHOWN: usize = 3;
    let shown: Vec<String> = sources.iter().take(SHOWN).map(|s| s.to_string()).collect();
    match sources.len() {
        0 | 1 => shown.concat(),
        n if n <= SHOWN => format!("{} and {}", shown[..n - 1].join(", "), shown[n - 1]),
        n => format!("{} and {} more", shown.join(", "), n - SHOWN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(names: &[&str]) -> Vec<ProfileSource> {
        names.iter().map(|n| ProfileSource::File(n.into())).collect()
    }

    #[test]
    fn names_are_listed_then_counted() {
        let s = files(&["a", "b", "c", "d", "e"]);
        let refs: Vec<&ProfileSource> = s.iter().collect();
        assert_eq!(names(&refs[..1]), "a");
        assert_eq!(names(&refs[..2]), "a and b");
        assert_eq!(names(&refs[..3]), "a, b and c");
        assert_eq!(names(&refs), "a, b, c and 2 more");
    }

    #[test]
    fn missing_sources_are_left_out_and_counted() {
        let err = read_merged(&files(&["/nonexistent/a.pb.gz"]), 1 << 20).unwrap_err();
        assert_eq!(err.to_string(), "/nonexistent/a.pb.gz: no such file");
        let err = read_merged(&files(&["/nonexistent/a.pb.gz", "/nonexistent/b.pb.gz"]), 1 << 20).unwrap_err();
        assert_eq!(err.to_string(), "none of the 2 profiles could be read");
        let SourcesError::NoneRead { failures } = err else { panic!() };
        assert_eq!(failures, ["/nonexistent/a.pb.gz: no such file", "/nonexistent/b.pb.gz: no such file"]);
        assert!(matches!(read_merged(&[], 1), Err(SourcesError::NoSources)));
    }
}
