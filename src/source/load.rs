//! Fetching a profile's bytes from a file or an `http(s)://` URL, with the
//! same size cap the decoder applies after decompression.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// Where a profile comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProfileSource {
    File(std::path::PathBuf),
    Url(String),
}

impl ProfileSource {
    /// Reads `text` as a URL if it has an http(s) scheme, else as a path.
    pub fn parse(text: &str) -> ProfileSource {
        let lower = text.trim().to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            ProfileSource::Url(text.trim().to_string())
        } else {
            ProfileSource::File(text.trim().into())
        }
    }

    /// A short name for messages and the status bar.
    pub fn display_name(&self) -> String {
        match self {
            ProfileSource::File(p) => p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into()),
            ProfileSource::Url(u) => {
                // `http://host:6060/debug/pprof/heap?seconds=5` → `heap (host:6060)`.
                let rest = u.split_once("://").map_or(u.as_str(), |(_, r)| r);
                let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
                let path = path.split(['?', '#']).next().unwrap_or("");
                match path.rsplit('/').find(|s| !s.is_empty()) {
                    Some(last) => format!("{last} ({host})"),
                    None => host.to_string(),
                }
            }
        }
    }
}

impl std::fmt::Display for ProfileSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProfileSource::File(p) => write!(f, "{}", p.display()),
            ProfileSource::Url(u) => f.write_str(u),
        }
    }
}

/// Reads the raw (possibly gzipped) bytes, refusing more than `max_bytes`.
pub fn fetch(source: &ProfileSource, max_bytes: u64, timeout: Duration) -> Result<Vec<u8>, String> {
    match source {
        ProfileSource::File(path) => read_file(path, max_bytes),
        ProfileSource::Url(url) => fetch_url(url, max_bytes, timeout),
    }
}

fn read_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {}", path.display(), io_reason(&e)))?;
    read_capped(file, max_bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn read_capped(reader: impl Read, max_bytes: u64) -> Result<Vec<u8>, String> {
    let mut data = Vec::new();
    reader.take(max_bytes.saturating_add(1)).read_to_end(&mut data).map_err(|e| e.to_string())?;
    if data.len() as u64 > max_bytes {
        return Err(format!("larger than the limit of {max_bytes} bytes (setting maxProfileBytes)"));
    }
    Ok(data)
}

fn fetch_url(url: &str, max_bytes: u64, timeout: Duration) -> Result<Vec<u8>, String> {
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .new_agent();
    let response = agent.get(url).call().map_err(|e| format!("{url}: {}", describe_ureq(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{url}: the server answered {status}"));
    }
    let reader = response.into_body().into_reader();
    read_capped(reader, max_bytes).map_err(|e| format!("{url}: {e}"))
}

fn describe_ureq(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse() {
        assert_eq!(ProfileSource::parse("http://x/debug/pprof/heap"), ProfileSource::Url("http://x/debug/pprof/heap".into()));
        assert_eq!(ProfileSource::parse("HTTPS://x"), ProfileSource::Url("HTTPS://x".into()));
        assert_eq!(ProfileSource::parse("a/b.pb.gz"), ProfileSource::File("a/b.pb.gz".into()));
        assert_eq!(ProfileSource::parse("/tmp/heap.pprof").display_name(), "heap.pprof");
        assert_eq!(
            ProfileSource::parse("http://127.0.0.1:6060/debug/pprof/heap?debug=0").display_name(),
            "heap (127.0.0.1:6060)"
        );
        assert_eq!(ProfileSource::parse("https://host/").display_name(), "host");
    }

    #[test]
    fn missing_files_and_caps_are_clear() {
        let err = fetch(&ProfileSource::File("/nonexistent/p.pb.gz".into()), 10, Duration::from_secs(1)).unwrap_err();
        assert_eq!(err, "/nonexistent/p.pb.gz: no such file");
        let err = read_capped(&[0u8; 20][..], 10).unwrap_err();
        assert!(err.contains("limit of 10 bytes"));
    }

    #[test]
    fn unreachable_urls_fail_fast() {
        // Port 9 (discard) on loopback is closed on test machines.
        let err = fetch(&ProfileSource::Url("http://127.0.0.1:9/debug/pprof/heap".into()), 10, Duration::from_secs(5))
            .unwrap_err();
        assert!(err.starts_with("http://127.0.0.1:9/debug/pprof/heap: "), "{err}");
    }
}
