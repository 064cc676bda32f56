//! Polling a live profile source (a `/debug/pprof/<name>` URL, or a file
//! that is re-read) into a growth [`History`]: fetch, decode, index, record.
//!
//! The [`Poller`] is a plain struct with no clock, thread or runtime of its
//! own. The caller decides when to poll: the command line sleeps
//! [`Poller::next_delay`] in a loop; the language server can keep the poller
//! in a task and run each [`Poller::poll_once`] on a blocking thread. Every
//! poll is bounded by the fetch timeout and the size cap of
//! [`load::fetch`](super::load::fetch).
//!
//! **Failures** keep the history. The poller remembers since when the source
//! has been failing and retries with exponential backoff: `first_backoff`
//! (1 s) doubling per failure up to `max_backoff` (60 s), or up to the
//! interval if that is longer, so a failing source is never polled less
//! often than a healthy one would be after the cap. The first retry comes
//! quickly, so a restarted service is seen again within seconds. Any
//! failure counts (refused connection, timeout, HTTP error, a response
//! that is not a profile, one over the size cap): to the user each means
//! the profile is not available.
//!
//! **Delta URLs** (`?seconds=N`, Go's delta profiles of heap, allocs, mutex
//! and block, and the CPU profile) are allowed: the server answers after N
//! seconds, so the request timeout is extended by N. Their values are
//! differences and can be negative; [`Poller::delta_label`] says
//! `delta over N s` for a status line.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::analysis::filter::{self, Filters};
use crate::analysis::growth::is_state_type;
use crate::analysis::{self, History, Index, Recorded, SampleType};
use crate::profile::{self, DecodeOptions, Profile};

use super::load::{self, ProfileSource};
use super::replicas::{Part, Polled, Replicas, Summary};

/// How a [`Poller`] polls.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveOptions {
    /// Time between successful polls.
    pub interval: Duration,
    /// Snapshots kept for growth.
    pub history: usize,
    /// Largest accepted response (and decompressed profile), in bytes.
    pub max_bytes: u64,
    /// How long one fetch may take (plus N seconds for `?seconds=N`).
    pub timeout: Duration,
    /// The delay after the first failure; it doubles with each further one.
    pub first_backoff: Duration,
    /// The longest delay between retries, unless `interval` is longer.
    pub max_backoff: Duration,
    /// Walk every sample type when a poll is indexed (an editor's hint
    /// lists them all); otherwise the state types the history records and
    /// the default type, the others when something asks.
    pub every_type: bool,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            interval: Duration::from_secs(15),
            history: 20,
            max_bytes: DecodeOptions::default().max_decompressed_bytes,
            timeout: Duration::from_secs(30),
            first_backoff: Duration::from_secs(1),
            every_type: true,
            max_backoff: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum LiveError {
    #[error("{0}: only http:// and https:// URLs can be polled")]
    Scheme(String),
}

/// How the source is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Health {
    /// Not polled yet.
    Waiting,
    /// The last poll succeeded, at `last`.
    Live { last: SystemTime },
    /// The last `failures` polls failed; the first of them started at
    /// `since`. `last_success` is the time of the latest good poll, if any.
    Failing { since: SystemTime, failures: u32, error: String, last_success: Option<SystemTime> },
}

/// A failure that ended: when it began and how many polls failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outage {
    pub since: SystemTime,
    pub failures: u32,
}

/// A successful poll: the profile and its index, handed over so the caller
/// can show them without decoding again.
#[derive(Debug)]
pub struct Fetched {
    pub profile: Arc<Profile>,
    pub index: Index,
    /// What the history did with it (a profile without state types is
    /// shown but adds no snapshot).
    pub recorded: Recorded,
    /// The failure this poll ended, if the source had been failing.
    pub resumed: Option<Outage>,
    /// The response as received (before decompression): a few megabytes
    /// where the decoded profile takes many times that, so this is what is
    /// kept of a snapshot that is no longer shown. For a merged source, the
    /// merge encoded.
    pub raw: Arc<[u8]>,
    /// For a merged source: each replica's index, for rows per replica.
    pub parts: Vec<Part>,
}

/// What one poll did.
#[derive(Debug)]
pub enum Outcome {
    Snapshot(Box<Fetched>),
    /// The source failed; the history is unchanged. `retry_in` is
    /// [`Poller::next_delay`].
    Failed { error: String, since: SystemTime, failures: u32, retry_in: Duration },
    /// A merged source whose replicas due now did not answer, while the
    /// merge shown still stands (others answer, or these are still kept).
    Unchanged { error: String },
}

/// Polls one source into a growth history.
#[derive(Debug)]
pub struct Poller {
    source: ProfileSource,
    options: LiveOptions,
    delta_seconds: Option<u64>,
    history: History,
    health: Health,
    /// pprof's filters the history records through (none by default).
    filters: Filters,
    /// The replicas of a merged source, each polled on its own.
    replicas: Option<Replicas>,
}

impl Poller {
    /// Reads a source as the command line and settings spell it: an
    /// `http(s)://` URL, or a file path. Other URL schemes are refused
    /// rather than read as odd file names.
    pub fn parse_source(text: &str) -> Result<ProfileSource, LiveError> {
        let source = ProfileSource::parse(text);
        if let ProfileSource::File(path) = &source {
            let text = path.to_string_lossy();
            let scheme = text.split_once("://").map(|(s, _)| s);
            if scheme.is_some_and(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))) {
                return Err(LiveError::Scheme(text.into_owned()));
            }
        }
        Ok(source)
    }

    pub fn new(source: ProfileSource, options: LiveOptions) -> Result<Poller, LiveError> {
        let (source, delta_seconds, replicas) = match source {
            ProfileSource::Merged(merged) => {
                for part in &merged.parts {
                    Poller::parse_source(&part.to_string())?;
                }
                let replicas = Replicas::new(&merged.parts, merged.noun(), options.history);
                (ProfileSource::Merged(merged), None, Some(replicas))
            }
            fleet @ ProfileSource::Fleet(_) => (fleet, None, None),
            single => {
                let source = Poller::parse_source(&single.to_string())?;
                let delta = match &source {
                    ProfileSource::Url(url) => load::seconds_param(url),
                    _ => None,
                };
                (source, delta, None)
            }
        };
        let history = History::new(options.history);
        Ok(Poller { source, options, delta_seconds, history, health: Health::Waiting, filters: Filters::default(), replicas })
    }

    pub fn source(&self) -> &ProfileSource {
        &self.source
    }

    pub fn options(&self) -> &LiveOptions {
        &self.options
    }

    /// Applies new options (new settings) without losing the history; a
    /// smaller `history` drops the oldest snapshots.
    pub fn set_options(&mut self, options: LiveOptions) {
        self.history.set_capacity(options.history);
        if let Some(r) = &mut self.replicas {
            r.set_capacity(options.history);
        }
        self.options = options;
    }

    /// Records later snapshots through pprof's `filters`, so growth is that
    /// of the filtered profile. New filters start the history again: the
    /// snapshots so far were recorded through others. (Filters are checked
    /// by whoever sets them; a filter that still fails records unfiltered.)
    pub fn set_filters(&mut self, filters: &Filters) {
        if self.filters != *filters {
            self.filters = filters.clone();
            self.history.clear();
            if let Some(r) = &mut self.replicas {
                r.clear_histories();
            }
        }
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// The growth of one sample type: the history's, or for a merged
    /// source the sum of its replicas' (see `replicas`).
    pub fn growth(&self, sample_type: &str) -> Result<crate::analysis::Growth, crate::analysis::GrowthError> {
        match &self.replicas {
            Some(r) => r.growth(sample_type),
            None => self.history.growth(sample_type),
        }
    }

    /// The sample types growth is tracked for.
    pub fn growth_types(&self) -> Vec<String> {
        match &self.replicas {
            Some(r) => r.tracked_types(),
            None => self.history.sample_types().iter().map(|t| t.name.clone()).collect(),
        }
    }

    /// Which replicas of a merged source answer; `None` for one source.
    pub fn replicas(&self) -> Option<Summary> {
        self.replicas.as_ref().map(Replicas::summary)
    }

    pub fn health(&self) -> &Health {
        &self.health
    }

    /// N for a `?seconds=N` URL: each profile is a difference over N seconds.
    pub fn delta_seconds(&self) -> Option<u64> {
        self.delta_seconds
    }

    /// `delta over N s` for a delta URL, for a status line.
    pub fn delta_label(&self) -> Option<String> {
        self.delta_seconds.map(|n| format!("delta over {n} s"))
    }

    /// Fetches, decodes and indexes the source once and records it, taken
    /// at `now`. Blocks for at most the timeout (plus N for a delta URL).
    pub fn poll_once(&mut self, now: SystemTime) -> Outcome {
        if self.replicas.is_some() {
            return self.poll_replicas(now);
        }
        match read(&self.source, &self.options) {
            Ok((profile, raw)) => {
                let profile = Arc::new(profile);
                let index = if self.options.every_type { Index::build(&profile) } else { polled_index(&profile) };
                let raw = Arc::from(raw);
                self.snapshot(now, profile, index, raw, Vec::new())
            }
            Err(error) => self.failed(now, error),
        }
    }

    /// Records a profile answered at `at` and shows it.
    fn snapshot(&mut self, at: SystemTime, profile: Arc<Profile>, index: Index, raw: Arc<[u8]>, parts: Vec<Part>) -> Outcome {
        let recorded = record(&mut self.history, &self.filters, at, &profile, &index);
        let resumed = match &self.health {
            Health::Failing { since, failures, .. } => Some(Outage { since: *since, failures: *failures }),
            _ => None,
        };
        self.health = Health::Live { last: at };
        Outcome::Snapshot(Box::new(Fetched { profile, index, recorded, resumed, raw, parts }))
    }

    fn poll_replicas(&mut self, now: SystemTime) -> Outcome {
        let Some(replicas) = &mut self.replicas else { unreachable!("only merged sources have replicas") };
        match replicas.poll(now, &self.options, &self.filters) {
            Polled::Merged { profile, index, parts, newest } => {
                let raw: Arc<[u8]> = Arc::from(profile::encode(&profile));
                self.snapshot(newest, Arc::new(*profile), *index, raw, parts)
            }
            Polled::Unchanged { error } => Outcome::Unchanged { error },
            Polled::Nothing { error } => self.failed(now, error),
        }
    }

    /// Records a failed poll at `now`.
    fn failed(&mut self, now: SystemTime, error: String) -> Outcome {
        self.health = self.health.failed(now, error.clone());
        let Health::Failing { since, failures, .. } = self.health else { unreachable!("a failed poll leaves the source failing") };
        Outcome::Failed { error, since, failures, retry_in: self.next_delay() }
    }

    /// How long to wait before the next poll: the interval while the source
    /// answers, the backoff (module docs) while it fails.
    pub fn next_delay(&self) -> Duration {
        if let Some(r) = &self.replicas {
            return r.next_delay(self.options.interval);
        }
        match &self.health {
            Health::Failing { failures, .. } => self.options.backoff(*failures),
            _ => self.options.interval,
        }
    }
}

impl LiveOptions {
    /// The delay after the `failures`-th failure in a row (module docs).
    pub fn backoff(&self, failures: u32) -> Duration {
        let cap = self.max_backoff.max(self.interval);
        let doublings = failures.saturating_sub(1).min(30);
        self.first_backoff.saturating_mul(1 << doublings).min(cap)
    }
}

impl Health {
    /// The state after a failed poll at `now`: failing since the first
    /// failure in a row, one failure more.
    pub fn failed(&self, now: SystemTime, error: String) -> Health {
        let (since, failures, last_success) = match self {
            Health::Failing { since, failures, last_success, .. } => (*since, failures.saturating_add(1), *last_success),
            Health::Live { last } => (now, 1, Some(*last)),
            Health::Waiting => (now, 1, None),
        };
        Health::Failing { since, failures, error, last_success }
    }
}

/// Reads and decodes one source with the options' size cap and time limit
/// (plus N seconds for a `?seconds=N` URL); also the bytes as received.
pub fn read(source: &ProfileSource, options: &LiveOptions) -> Result<(Profile, Vec<u8>), String> {
    let delta = match source {
        ProfileSource::Url(url) => load::seconds_param(url).unwrap_or(0),
        _ => 0,
    };
    let bytes = load::fetch(source, options.max_bytes, options.timeout + Duration::from_secs(delta))?;
    let decode = DecodeOptions { max_decompressed_bytes: options.max_bytes, ..DecodeOptions::default() };
    match profile::decode(&bytes, &decode) {
        Ok(profile) => Ok((profile, bytes)),
        Err(e) => Err(load::describe(source, &e)),
    }
}

/// A polled profile's index without [`LiveOptions::every_type`]: the types
/// the history records (the state types) and the profile's default type are
/// walked at once, the others when something asks for them.
fn polled_index(profile: &Arc<Profile>) -> Index {
    let mut first: Vec<SampleType> =
        profile.sample_types.iter().enumerate().filter(|(_, t)| is_state_type(&t.name)).map(|(i, _)| SampleType(i)).collect();
    first.extend(analysis::select(profile, None).ok());
    Index::build_some(profile.clone(), &first)
}

/// Records `index` (of `profile`, taken at `at`) in `history`, through
/// pprof's `filters` when there are any (a filter that fails records the
/// profile unfiltered).
pub fn record(history: &mut History, filters: &Filters, at: SystemTime, profile: &Profile, index: &Index) -> Recorded {
    let seconds = at.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    let filtered = (!filters.is_empty()).then(|| filter::filter_profiles(profile, None, filters).ok()).flatten().map(|f| f.index);
    history.record(seconds, filtered.as_ref().unwrap_or(index))
}

/// A wall-clock time as `14:03:22 UTC`, for messages.
pub fn clock_utc(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) % 86_400;
    format!("{:02}:{:02}:{:02} UTC", seconds / 3600, seconds / 60 % 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_urls_and_files_are_sources() {
        assert_eq!(Poller::parse_source("http://h/debug/pprof/heap"), Ok(ProfileSource::Url("http://h/debug/pprof/heap".into())));
        assert_eq!(Poller::parse_source("heap.pb.gz"), Ok(ProfileSource::File("heap.pb.gz".into())));
        let err = Poller::parse_source("ftp://h/heap").unwrap_err();
        assert_eq!(err.to_string(), "ftp://h/heap: only http:// and https:// URLs can be polled");
        assert!(Poller::new(ProfileSource::File("file:///tmp/heap".into()), LiveOptions::default()).is_err());
    }

    #[test]
    fn delta_urls_are_recognised() {
        assert_eq!(load::seconds_param("http://h/debug/pprof/heap?seconds=30"), Some(30));
        assert_eq!(load::seconds_param("http://h/debug/pprof/heap?gc=1&seconds=5#x"), Some(5));
        assert_eq!(load::seconds_param("http://h/debug/pprof/heap?gc=1"), None);
        assert_eq!(load::seconds_param("http://h/debug/pprof/heap?seconds=x"), None);
        let poller = Poller::new(ProfileSource::Url("http://h/debug/pprof/heap?seconds=5".into()), LiveOptions::default()).unwrap();
        assert_eq!(poller.delta_label().as_deref(), Some("delta over 5 s"));
    }

    #[test]
    fn backoff_doubles_to_the_cap_and_failures_keep_their_start() {
        let options = LiveOptions { interval: Duration::from_secs(5), ..Default::default() };
        let mut poller = Poller::new(ProfileSource::File("/nonexistent/heap.pb.gz".into()), options).unwrap();
        assert_eq!(poller.next_delay(), Duration::from_secs(5));
        let start = UNIX_EPOCH + Duration::from_secs(1_000);
        let mut delays = Vec::new();
        for i in 0..9 {
            match poller.poll_once(start + Duration::from_secs(i)) {
                Outcome::Failed { since, failures, retry_in, error } => {
                    assert_eq!((since, failures), (start, i as u32 + 1));
                    assert_eq!(error, "/nonexistent/heap.pb.gz: no such file");
                    delays.push(retry_in.as_secs());
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        // An interval longer than 60 s is the cap instead: 256 s, then 300.
        poller.set_options(LiveOptions { interval: Duration::from_secs(300), ..Default::default() });
        assert_eq!(poller.next_delay(), Duration::from_secs(256));
        poller.poll_once(start + Duration::from_secs(10));
        assert_eq!(poller.next_delay(), Duration::from_secs(300));
    }

    #[test]
    fn a_poller_can_move_to_a_blocking_thread_and_back() {
        fn send<T: Send + 'static>() {}
        send::<Poller>();
        send::<Outcome>();
    }

    #[test]
    fn clock_times_are_utc() {
        assert_eq!(clock_utc(UNIX_EPOCH + Duration::from_secs(86_400 * 3 + 14 * 3600 + 3 * 60 + 22)), "14:03:22 UTC");
    }
}
