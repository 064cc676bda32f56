//! The Go binary behind a profile, and the commit it was built from: which
//! local files may be that binary (a configured path, then the profile's
//! main mapping), read from disk and handed to the pure reader
//! ([`crate::profile::buildinfo`]).
//!
//! A profile written by a Go program names its executable in its first
//! mapping (pprof's convention for the main binary), as the path the
//! running process had. On the machine that ran it, that file is usually
//! still there, so the revision is found from the profile alone.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::load::io_reason;
use crate::profile::buildinfo::{self, BuildInfo};
use crate::profile::Profile;

/// The largest binary read by default. Go binaries of large services are
/// 100 to 300 MB; the whole file is read, so this is also what reading one
/// may cost in memory.
pub const DEFAULT_MAX_BYTES: u64 = 512 << 20;

/// The build information of the Go binary at `path`, refusing files larger
/// than `max_bytes`. Errors start with the path.
pub fn read_file(path: &Path, max_bytes: u64) -> Result<BuildInfo, String> {
    let name = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("{name}: {}", io_reason(&e)))?;
    let meta = file.metadata().map_err(|e| format!("{name}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{name}: not a file"));
    }
    let too_large = || format!("{name}: larger than the limit of {max_bytes} bytes for reading a binary's build information");
    if meta.len() > max_bytes {
        return Err(too_large());
    }
    // The file may grow while it is read: read one byte past the limit to
    // tell.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max_bytes.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| format!("{name}: {e}"))?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
    buildinfo::read(&bytes).map_err(|e| format!("{name}: {e}"))
}

/// The files that may be the binary `profile` came from, most trusted
/// first: `configured` (the `binary` setting, as given, whether or not it
/// exists), then the profile's main mapping when it names an absolute path
/// that is a file here.
pub fn binary_candidates(profile: &Profile, configured: Option<&Path>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = configured.map(Path::to_path_buf).into_iter().collect();
    if let Some(main) = main_mapping_file(profile) {
        if main.is_file() && !out.contains(&main) {
            out.push(main);
        }
    }
    out
}

/// The first of [`binary_candidates`] whose build information names a
/// commit, else the first whose build information reads at all, with its
/// path. When there is none, why: what was tried and how each failed.
pub fn find_build_info(profile: &Profile, configured: Option<&Path>, max_bytes: u64) -> Result<(PathBuf, BuildInfo), String> {
    let candidates = binary_candidates(profile, configured);
    if candidates.is_empty() {
        return Err(match main_mapping_file(profile) {
            Some(main) => format!("the profile's binary, {}, is not a file here, and no binary is configured", main.display()),
            None => "the profile names no binary (it has no mapping with an absolute file name), and no binary is configured".into(),
        });
    }
    let mut readable = None;
    let mut failures = Vec::new();
    for path in candidates {
        match read_file(&path, max_bytes) {
            Ok(info) if info.vcs_revision().is_some() => return Ok((path, info)),
            Ok(info) => {
                failures.push(format!("{}: built without version control information", path.display()));
                readable.get_or_insert((path, info));
            }
            Err(e) => failures.push(e),
        }
    }
    readable.ok_or_else(|| failures.join("; "))
}

/// The file name of the profile's first mapping, when it is an absolute
/// path (not `[vdso]`, not empty).
fn main_mapping_file(profile: &Profile) -> Option<PathBuf> {
    let name = &profile.mappings.first()?.filename;
    let path = Path::new(name);
    path.is_absolute().then(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Mapping;

    fn profile_mapping(filename: &str) -> Profile {
        Profile { mappings: vec![Mapping { filename: filename.into(), ..Mapping::default() }], ..Profile::default() }
    }

    #[test]
    fn says_why_no_binary_is_found() {
        let none = find_build_info(&Profile::default(), None, DEFAULT_MAX_BYTES).unwrap_err();
        assert!(none.contains("names no binary"), "{none}");
        let vdso = find_build_info(&profile_mapping("[vdso]"), None, DEFAULT_MAX_BYTES).unwrap_err();
        assert!(vdso.contains("names no binary"), "{vdso}");
        let gone = find_build_info(&profile_mapping("/no/such/dir/server"), None, DEFAULT_MAX_BYTES).unwrap_err();
        assert_eq!(gone, "the profile's binary, /no/such/dir/server, is not a file here, and no binary is configured");
    }

    #[test]
    fn refuses_files_over_the_limit_and_non_binaries() {
        let exe = std::env::current_exe().unwrap();
        let small = read_file(&exe, 100).unwrap_err();
        assert!(small.ends_with("larger than the limit of 100 bytes for reading a binary's build information"), "{small}");
        let dir = read_file(exe.parent().unwrap(), DEFAULT_MAX_BYTES).unwrap_err();
        assert!(dir.ends_with(": not a file"), "{dir}");
        let missing = read_file(Path::new("/no/such/file"), DEFAULT_MAX_BYTES).unwrap_err();
        assert_eq!(missing, "/no/such/file: no such file");
        // This test binary is an executable, but not a Go one.
        let rust = read_file(&exe, DEFAULT_MAX_BYTES).unwrap_err();
        assert!(rust.contains("no Go build information") || rust.contains("not an executable"), "{rust}");
    }

    #[test]
    fn the_configured_binary_comes_first_and_the_mapping_only_when_it_is_a_file() {
        let exe = std::env::current_exe().unwrap();
        let configured = Path::new("/configured/bin");
        let profile = profile_mapping(exe.to_str().unwrap());
        assert_eq!(binary_candidates(&profile, Some(configured)), [configured.to_path_buf(), exe.clone()]);
        assert_eq!(binary_candidates(&profile, Some(&exe)), std::slice::from_ref(&exe));
        assert_eq!(binary_candidates(&profile_mapping("/no/such/file"), None), Vec::<PathBuf>::new());
        let both = find_build_info(&profile, Some(configured), DEFAULT_MAX_BYTES).unwrap_err();
        assert!(both.starts_with("/configured/bin: no such file; "), "{both}");
    }
}
