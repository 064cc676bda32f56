//! Goroutine endpoints (`/debug/pprof/goroutine`, `/debug/pprof/goroutineleak`):
//! the same endpoint's `?debug=2` dump, which says what the protobuf form
//! does not (each goroutine's wait state, its `(leaked)` mark and the `go`
//! statement that started it), and what a missing leak profile means.

use std::time::Duration;

use crate::profile::{self, DecodeOptions, Profile};

use super::load::{self, ProfileSource};

/// The profile a URL's path names (`goroutineleak` for
/// `http://h/debug/pprof/goroutineleak?seconds=5`).
fn profile_name(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

/// Whether a URL names a goroutine or goroutine leak profile.
pub fn is_goroutine_endpoint(url: &str) -> bool {
    matches!(profile_name(url), "goroutine" | "goroutineleak")
}

/// The `?debug=2` dump of a goroutine endpoint (its other parameters kept,
/// `debug` replaced); `None` for other URLs and for a URL that asks for a
/// dump already.
pub fn dump_url(url: &str) -> Option<String> {
    if !is_goroutine_endpoint(url) {
        return None;
    }
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    if params.contains(&"debug=2") {
        return None;
    }
    params.retain(|p| !p.starts_with("debug="));
    params.push("debug=2");
    Some(format!("{base}?{}", params.join("&")))
}

/// What a runtime needs for a profile it answered 404 for, when that is
/// known: the leak profile came with Go 1.27.
pub fn missing_profile_hint(url: &str) -> Option<&'static str> {
    (profile_name(url) == "goroutineleak")
        .then_some("the goroutineleak profile needs Go 1.27 or later (Go 1.26 with GOEXPERIMENT=goroutineleakprofile)")
}

/// Fetches and decodes the `?debug=2` dump of a goroutine endpoint;
/// `None` for other sources.
pub fn fetch_dump(source: &ProfileSource, max_bytes: u64, timeout: Duration) -> Option<Result<Profile, String>> {
    let ProfileSource::Url(url) = source else { return None };
    let dump = ProfileSource::Url(dump_url(url)?);
    Some(load::fetch(&dump, max_bytes, timeout).and_then(|bytes| {
        profile::decode(&bytes, &DecodeOptions { max_decompressed_bytes: max_bytes, ..DecodeOptions::default() })
            .map_err(|e| load::describe(&dump, &e))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dump_urls_of_goroutine_endpoints() {
        assert_eq!(dump_url("http://h:6060/debug/pprof/goroutineleak").as_deref(), Some("http://h:6060/debug/pprof/goroutineleak?debug=2"));
        assert_eq!(dump_url("http://h/debug/pprof/goroutine?debug=1&x=y").as_deref(), Some("http://h/debug/pprof/goroutine?x=y&debug=2"));
        assert_eq!(dump_url("http://h/debug/pprof/goroutine?debug=2"), None);
        assert_eq!(dump_url("http://h/debug/pprof/heap"), None);
        assert!(is_goroutine_endpoint("http://h/debug/pprof/goroutine/"));
        assert!(missing_profile_hint("http://h/debug/pprof/goroutineleak?debug=1").is_some());
        assert!(missing_profile_hint("http://h/debug/pprof/goroutine").is_none());
    }
}
