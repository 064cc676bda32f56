//! Fetching a profile's bytes from a file or an `http(s)://` URL, with the
//! same size cap the decoder applies after decompression. The bytes are
//! checked as they arrive ([`Incoming`]), so a file or a response that
//! cannot be a profile (an endless stream of zeros, an HTML page) is
//! refused at its first bytes rather than read up to the cap.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use crate::profile::{DecodeError, DecodeOptions, Incoming, Seen};

use super::fleet::FleetQuery;

/// The first piece read and checked; each next one is 16 times larger,
/// up to [`PIECE`].
const FIRST_PIECE: u64 = 4 << 10;
/// The largest piece.
const PIECE: u64 = 1 << 20;

/// Where a profile comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProfileSource {
    File(std::path::PathBuf),
    Url(String),
    /// Several sources read as one profile, as `go tool pprof A B C`
    /// merges them (a `profiles` entry with `merge`).
    Merged(std::sync::Arc<MergedSource>),
    /// A continuous profiler's merged profile for a query and a window
    /// (a `profiles` entry with `pyroscope` or `parca`).
    Fleet(std::sync::Arc<FleetSource>),
}

/// A continuous-profiler query, as a source: equal to another when their
/// settings entries are equal.
#[derive(Debug)]
pub struct FleetSource {
    pub query: FleetQuery,
    /// The settings entry, as JSON: what the source is compared by.
    pub entry: String,
}

impl FleetSource {
    /// From a `profiles` entry object.
    pub fn from_entry(entry: &serde_json::Value) -> Result<FleetSource, String> {
        let query = FleetQuery::from_json(entry)?;
        Ok(FleetSource { query, entry: entry.to_string() })
    }

    /// Whether `entry` is this source's settings entry.
    pub fn is_entry(&self, entry: &serde_json::Value) -> bool {
        serde_json::to_string(entry).is_ok_and(|text| text == self.entry)
    }
}

impl PartialEq for FleetSource {
    fn eq(&self, other: &Self) -> bool {
        self.entry == other.entry
    }
}

impl Eq for FleetSource {}

impl std::hash::Hash for FleetSource {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.entry.hash(state);
    }
}

/// A named list of files and URLs whose profiles are merged into one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MergedSource {
    /// The entry's `name`, shown where a file name would be.
    pub name: String,
    /// Files (globs already expanded) and URLs, in the entry's order.
    pub parts: Vec<ProfileSource>,
}

impl MergedSource {
    /// What the parts are called in the status: `replicas` when every
    /// part is a URL (replicas of one service), else `profiles`.
    pub fn noun(&self) -> &'static str {
        if self.parts.iter().all(|p| matches!(p, ProfileSource::Url(_))) {
            "replicas"
        } else {
            "profiles"
        }
    }

    /// Whether any part is a URL, so the whole can be polled.
    pub fn has_urls(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, ProfileSource::Url(_)))
    }
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
            ProfileSource::Merged(m) => m.name.clone(),
            ProfileSource::Fleet(f) => f.query.display_name(),
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
            ProfileSource::Merged(m) => {
                let parts: Vec<String> = m.parts.iter().map(ToString::to_string).collect();
                write!(f, "{} ({})", m.name, parts.join(", "))
            }
            ProfileSource::Fleet(fleet) => {
                let q = &fleet.query;
                write!(f, "{} {} {}", q.kind.key(), q.url, q.query)?;
                match &q.profile_type {
                    Some(t) => write!(f, " {t} ({})", q.range.label()),
                    None => write!(f, " ({})", q.range.label()),
                }
            }
        }
    }
}

/// N of a URL's `seconds=N` query parameter (a CPU profile's length, or
/// the window of a delta profile), when N is a positive number.
pub fn seconds_param(url: &str) -> Option<u64> {
    let query = url.split_once('?')?.1.split('#').next()?;
    query.split('&').find_map(|pair| pair.strip_prefix("seconds=")).and_then(|n| n.parse().ok()).filter(|&n| n > 0)
}

/// How long one read of `source` may take, by pprof's rule for URLs: a
/// minute, or one and a half times the `seconds=N` the server waits, and
/// 5 s more. A file's read takes no time limit.
pub fn fetch_timeout(source: &ProfileSource) -> Duration {
    match source {
        ProfileSource::File(_) | ProfileSource::Merged(_) => Duration::MAX,
        ProfileSource::Fleet(_) => Duration::from_secs(60),
        ProfileSource::Url(url) => {
            let wait = match seconds_param(url) {
                Some(n) => Duration::from_secs(n).saturating_mul(3) / 2,
                None => Duration::from_secs(60),
            };
            wait.saturating_add(Duration::from_secs(5))
        }
    }
}

/// Reads the raw (possibly gzipped) bytes, refusing more than `max_bytes`
/// and bytes that cannot start a profile.
pub fn fetch(source: &ProfileSource, max_bytes: u64, timeout: Duration) -> Result<Vec<u8>, String> {
    match source {
        ProfileSource::File(path) => read_file(path, max_bytes),
        ProfileSource::Url(url) => fetch_url(url, max_bytes, timeout),
        ProfileSource::Merged(m) => Err(format!("{}: several profiles are read one by one, then merged", m.name)),
        ProfileSource::Fleet(f) => {
            let timeout = timeout.min(Duration::from_secs(3600));
            f.query.fetch(std::time::SystemTime::now(), timeout, max_bytes).map_err(|e| format!("{}: {e}", f.query.display_name()))
        }
    }
}

/// `127.0.0.1:6061` for a URL, the file name for a file: how one part of a
/// merged source is named in hovers and the status.
pub fn part_name(source: &ProfileSource) -> String {
    match source {
        ProfileSource::Url(u) => {
            let rest = u.split_once("://").map_or(u.as_str(), |(_, r)| r);
            rest.split(['/', '?', '#']).next().unwrap_or(rest).to_string()
        }
        other => other.display_name(),
    }
}

/// The message for a profile from `source` that does not decode: its name,
/// then why. An HTML page from a URL is most often the index page or a
/// login page, so the message asks about the URL.
pub fn describe(source: &ProfileSource, e: &DecodeError) -> String {
    match (source, e) {
        (ProfileSource::Url(_), DecodeError::NotAProfile { seen: Seen::Html, .. }) => {
            format!("{source}: {e}; is it a /debug/pprof/<name> URL?")
        }
        _ => format!("{source}: {e}"),
    }
}

fn read_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {}", path.display(), io_reason(&e)))?;
    let size = file.metadata().map_or(0, |m| m.len());
    let source = ProfileSource::File(path.into());
    read_capped(file, size, max_bytes).map_err(|e| e.message(&source))
}

pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Why reading stopped early.
#[derive(Debug)]
enum ReadError {
    Io(std::io::Error),
    OverCap(u64),
    Refused(DecodeError),
}

impl ReadError {
    fn message(&self, source: &ProfileSource) -> String {
        match self {
            ReadError::Io(e) => format!("{source}: {e}"),
            ReadError::OverCap(max) => format!("{source}: larger than the limit of {max} bytes (setting maxProfileBytes)"),
            ReadError::Refused(e) => describe(source, e),
        }
    }
}

/// Reads to the end, checking each piece as it arrives. `size_hint` is
/// the expected size (0 if unknown), for the first allocation.
fn read_capped(mut reader: impl Read, size_hint: u64, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    let mut check = Incoming::new(&DecodeOptions { max_decompressed_bytes: max_bytes, ..DecodeOptions::default() });
    let first = size_hint.min(max_bytes.saturating_add(1));
    let mut data = Vec::with_capacity(usize::try_from(first).unwrap_or(0));
    // Small pieces first, so that bytes that cannot start a profile are
    // refused after a few KiB (64 more when the sniffers wait for a line
    // to end); then larger ones, read straight into `data`.
    let mut want = FIRST_PIECE;
    loop {
        let start = data.len();
        let n = (&mut reader).take(want).read_to_end(&mut data).map_err(ReadError::Io)?;
        if data.len() as u64 > max_bytes {
            return Err(ReadError::OverCap(max_bytes));
        }
        check.take(&data[start..]).map_err(ReadError::Refused)?;
        if (n as u64) < want {
            check.finish().map_err(ReadError::Refused)?;
            return Ok(data);
        }
        want = (want * 16).min(PIECE);
    }
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
        let hint = (status.as_u16() == 404).then(|| super::goroutines::missing_profile_hint(url)).flatten();
        return Err(match hint {
            Some(hint) => format!("{url}: the server answered {status}: {hint}"),
            None => format!("{url}: the server answered {status}"),
        });
    }
    let reader = response.into_body().into_reader();
    let source = ProfileSource::Url(url.into());
    read_capped(reader, 0, max_bytes).map_err(|e| match e {
        ReadError::Io(io) => format!("{url}: {}", describe_io(&io)),
        other => other.message(&source),
    })
}

/// A read error from ureq's body reader, which carries ureq's own error.
fn describe_io(e: &std::io::Error) -> String {
    match e.get_ref().and_then(|inner| inner.downcast_ref::<ureq::Error>()) {
        Some(inner) => describe_ureq(inner),
        None => e.to_string(),
    }
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
    fn urls_get_pprofs_time_limit() {
        let url = |u: &str| fetch_timeout(&ProfileSource::Url(u.into()));
        assert_eq!(url("http://h/debug/pprof/heap"), Duration::from_secs(65));
        assert_eq!(url("http://h/debug/pprof/profile?seconds=30"), Duration::from_secs(50));
        assert_eq!(fetch_timeout(&ProfileSource::File("heap.pb.gz".into())), Duration::MAX);
    }

    #[test]
    fn missing_files_and_caps_are_clear() {
        let err = fetch(&ProfileSource::File("/nonexistent/p.pb.gz".into()), 10, Duration::from_secs(1)).unwrap_err();
        assert_eq!(err, "/nonexistent/p.pb.gz: no such file");
        let err = read_capped(&[0u8; 20][..], 0, 10).unwrap_err();
        assert!(err.message(&ProfileSource::File("p".into())).contains("limit of 10 bytes"), "{err:?}");
    }

    /// A reader that counts what is read from it.
    struct Counted<R>(R, u64);

    impl<R: Read> Read for Counted<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1 += n as u64;
            Ok(n)
        }
    }

    #[test]
    fn endless_input_that_cannot_start_a_profile_is_refused_after_a_few_kib() {
        // Text with no line end keeps the sniffers waiting for 64 KiB.
        for (byte, read) in [(0u8, FIRST_PIECE), (b'<', FIRST_PIECE * 17)] {
            let mut endless = Counted(std::io::repeat(byte), 0);
            let err = read_capped(&mut endless, 0, 512 << 20).unwrap_err();
            assert!(matches!(err, ReadError::Refused(DecodeError::NotAProfile { .. })), "{err:?}");
            assert_eq!(endless.1, read, "byte {byte}");
        }
    }

    #[test]
    fn unreachable_urls_fail_fast() {
        // Port 9 (discard) on loopback is closed on test machines.
        let err = fetch(&ProfileSource::Url("http://127.0.0.1:9/debug/pprof/heap".into()), 10, Duration::from_secs(5))
            .unwrap_err();
        assert!(err.starts_with("http://127.0.0.1:9/debug/pprof/heap: "), "{err}");
    }
}
