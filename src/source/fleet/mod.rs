//! Continuous profilers as sources: a `profiles` settings entry that names
//! a Grafana Pyroscope or a Parca server (or their hosted forms, Grafana
//! Cloud Profiles and Polar Signals Cloud), and the client that asks it for
//! the merged profile of a query over a time window.
//!
//! One type, [`FleetQuery`], is the whole contract:
//! - [`FleetQuery::from_json`] reads a settings entry (and
//!   [`FleetQuery::is_fleet_entry`] tells one from a file or URL entry);
//! - [`FleetQuery::fetch`] returns the merged profile as pprof bytes for
//!   `profile::decode`, exactly as a file's bytes would be;
//! - [`FleetQuery::describe`] lists the server's profile types, label names
//!   and (a bounded number of) values, for pickers;
//! - [`FleetQuery::revision`] reads the `service_git_ref` label, for the
//!   revision mapping;
//! - [`FleetQuery::status_label`] and [`FleetQuery::display_name`] name the
//!   source in the status and in messages.
//!
//! Every call takes the time `now` from the caller (windows such as "the
//! last hour" slide with it) and a time limit per request. Nothing here
//! keeps state between calls, spawns threads or touches the editor; the
//! caller owns the refresh loop (`refresh_seconds`) and, on a
//! [`FleetError::is_timeout`], keeps the last data it has.
//!
//! Secrets never appear in settings: an entry names the environment
//! variables that hold them (`tokenEnv`, `basicAuth.passwordEnv`), which are
//! read at each request.
//!
//! Wire protocols: Pyroscope's querier speaks Connect, and pprof-lsp sends
//! Connect's binary protobuf (`application/proto`), as `profilecli` does.
//! Parca speaks gRPC-web (its server wraps gRPC with it, and its web UI
//! and the Polar Signals editor extension use it), so that is sent first;
//! a server that refuses it (HTTP 404 or 415) is asked again with Connect.
//! The messages are the types generated from the projects' own `.proto`
//! files ([`api`]).
//!
//! **Deliberately absent:** caching between calls, retries (the caller's
//! poll is the retry), and any query language parsing beyond finding the
//! service name in a label matcher for the status.

pub mod api;
mod parca;
mod pyroscope;
mod rpc;
mod settings;
mod time;

use std::time::{Duration, SystemTime};

use serde::Serialize;

use rpc::RpcError;
pub use settings::{Auth, BasicAuth, EnvOrValue};
pub use time::{TimePoint, TimeRange};

/// Which profiler an entry names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FleetKind {
    /// Grafana Pyroscope, or Grafana Cloud Profiles.
    Pyroscope,
    /// Parca, or Polar Signals Cloud.
    Parca,
}

impl FleetKind {
    /// The settings key that names the server, also the word in the status.
    pub fn key(self) -> &'static str {
        match self {
            FleetKind::Pyroscope => "pyroscope",
            FleetKind::Parca => "parca",
        }
    }
}

/// One continuous-profiler source, as read from a `profiles` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct FleetQuery {
    pub kind: FleetKind,
    /// The server's base URL, without a trailing slash.
    pub url: String,
    /// The label selector (Pyroscope: `{service_name="checkout"}`), or for
    /// Parca the whole query, profile type first
    /// (`memory:inuse_space:bytes:space:bytes{job="checkout"}`).
    pub query: String,
    /// Pyroscope's profile type id, `<name>:<sample type>:<sample
    /// unit>:<period type>:<period unit>`. For Parca the type is part of
    /// `query`, and this is `None`.
    pub profile_type: Option<String>,
    pub range: TimeRange,
    pub auth: Auth,
    /// How often the caller should query again, sliding the window.
    pub refresh_seconds: Option<u64>,
    /// The entry's `name`, when it gives one.
    pub name: Option<String>,
}

/// What a server holds, for pickers: its profile types, and the label
/// names of the query's profiles with some of their values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Description {
    pub profile_types: Vec<String>,
    pub labels: Vec<LabelInfo>,
    /// True when there were more label names than [`MAX_LABELS`].
    pub labels_truncated: bool,
}

/// One label name and its values (at most [`MAX_VALUES`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelInfo {
    pub name: String,
    pub values: Vec<String>,
    /// True when there were more values than [`MAX_VALUES`].
    pub truncated: bool,
}

/// The most label names [`FleetQuery::describe`] asks values for: each
/// costs a request.
pub const MAX_LABELS: usize = 32;
/// The most values [`FleetQuery::describe`] keeps per label.
pub const MAX_VALUES: usize = 100;

/// The revision the query's profiles were taken at, from the labels
/// Pyroscope's Go SDK and agents set: `service_git_ref` and
/// `service_repository`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Revision {
    pub git_ref: String,
    /// The repository, when all profiles name one.
    pub repository: Option<String>,
}

/// Why a fleet query failed. Messages say what to change where they can.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// An environment variable the entry names is unset or empty.
    #[error("environment variable {var} is not set (the profiles entry names it in \"{setting}\")")]
    MissingCredential { var: String, setting: &'static str },
    /// HTTP 401 or 403 (or the protocol's unauthenticated or
    /// permission-denied code).
    #[error("{url}: the server answered {status}: {advice}")]
    Unauthorized { url: String, status: u16, advice: String },
    /// The profile type is not among those the server holds in the window
    /// (or none was given).
    #[error("{}", unknown_type_message(wanted.as_deref(), available))]
    UnknownProfileType { wanted: Option<String>, available: Vec<String> },
    /// The query matched nothing in the window.
    #[error("no profiles for that query in that range ({query}, {range})")]
    Empty { query: String, range: String },
    /// A request took longer than its time limit. The caller keeps the
    /// data it has.
    #[error("{url}: no answer within {}s", after.as_secs_f64())]
    Timeout { url: String, after: Duration },
    /// The server could not be reached (refused, DNS, TLS).
    #[error("{url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The server answered with an error.
    #[error("{url}: the server answered {status}{}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Server { url: String, status: String, message: String },
    /// The answer was not what the protocol says it should be.
    #[error("{url}: {reason}")]
    Protocol { url: String, reason: String },
    /// The answer was larger than the caller's limit.
    #[error("{url}: larger than the limit of {max} bytes (setting maxProfileBytes)")]
    TooLarge { url: String, max: u64 },
}

impl FleetError {
    /// True for a request that ran out of time: the caller keeps showing
    /// the last data it fetched.
    pub fn is_timeout(&self) -> bool {
        matches!(self, FleetError::Timeout { .. })
    }
}

fn unknown_type_message(wanted: Option<&str>, available: &[String]) -> String {
    let have = if available.is_empty() {
        "the server has no profiles of any type in that range".to_string()
    } else {
        format!("the server has: {}", available.join(", "))
    };
    match wanted {
        Some(t) => format!("unknown profile type {t:?}; {have}"),
        None => format!("no profile type given (\"profileType\"); {have}"),
    }
}

/// Milliseconds since the Unix epoch of the window `range` covers at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Window {
    start_ms: i64,
    end_ms: i64,
}

impl FleetQuery {
    /// Reads a `profiles` entry object: `{"pyroscope": URL, "query": …,
    /// "profileType": …, "range": "1h"}` or `{"parca": URL, "query": …}`,
    /// with `from`/`to` (RFC 3339, Unix milliseconds, `now`, `now-1h`) in
    /// place of `range`, and `tokenEnv`, `basicAuth` (`user` or `userEnv`,
    /// and `passwordEnv`), `orgId` or `orgIdEnv` (Pyroscope's
    /// `X-Scope-OrgID`), `projectId` (Polar Signals), `refreshSeconds` and
    /// `name`. An unknown key is an error naming it; a key that would hold
    /// a secret (`token`, `password`) is refused with the key to use instead.
    pub fn from_json(v: &serde_json::Value) -> Result<FleetQuery, String> {
        settings::parse(v)
    }

    /// True if the object is a fleet entry: it has a `pyroscope` or a
    /// `parca` key.
    pub fn is_fleet_entry(v: &serde_json::Value) -> bool {
        v.as_object().is_some_and(|o| o.contains_key("pyroscope") || o.contains_key("parca"))
    }

    /// Fetches the merged profile of the window ending at `now` as pprof
    /// bytes (gzipped for Parca, plain for Pyroscope), ready for
    /// `profile::decode`. `timeout` bounds each request, `max_bytes` each
    /// answer.
    pub fn fetch(&self, now: SystemTime, timeout: Duration, max_bytes: u64) -> Result<Vec<u8>, FleetError> {
        let window = self.range.window(now);
        let client = self.client(timeout, max_bytes)?;
        match self.kind {
            FleetKind::Pyroscope => pyroscope::fetch(self, &client, window),
            FleetKind::Parca => parca::fetch(self, &client, window),
        }
    }

    /// The server's profile types in the window, and the label names of the
    /// query's profiles with their values (bounded by [`MAX_LABELS`] and
    /// [`MAX_VALUES`]; names starting with `__` are left out).
    pub fn describe(&self, now: SystemTime, timeout: Duration) -> Result<Description, FleetError> {
        let window = self.range.window(now);
        let client = self.client(timeout, DESCRIBE_MAX_BYTES)?;
        let (profile_types, names) = match self.kind {
            FleetKind::Pyroscope => (pyroscope::profile_types(self, &client, window)?, pyroscope::label_names(self, &client, window)?),
            FleetKind::Parca => (parca::profile_types(self, &client, window)?, parca::label_names(self, &client, window)?),
        };
        let mut names: Vec<String> = names.into_iter().filter(|n| !n.starts_with("__")).collect();
        names.sort();
        names.dedup();
        let labels_truncated = names.len() > MAX_LABELS;
        names.truncate(MAX_LABELS);
        let mut labels = Vec::with_capacity(names.len());
        for name in names {
            let mut values = self.label_values(&client, window, &name)?;
            let truncated = values.len() > MAX_VALUES;
            values.truncate(MAX_VALUES);
            labels.push(LabelInfo { name, values, truncated });
        }
        Ok(Description { profile_types, labels, labels_truncated })
    }

    /// The revision of the query's profiles in the window, if they all
    /// carry the same `service_git_ref` label value; with the
    /// `service_repository` value when that is one too. Pyroscope only:
    /// Parca's label values are per profile type, not per query, so they
    /// could name another service's revision; for Parca this is `None`
    /// without a request.
    pub fn revision(&self, now: SystemTime, timeout: Duration) -> Result<Option<Revision>, FleetError> {
        if self.kind == FleetKind::Parca {
            return Ok(None);
        }
        let window = self.range.window(now);
        let client = self.client(timeout, DESCRIBE_MAX_BYTES)?;
        let [git_ref] = &self.label_values(&client, window, "service_git_ref")?[..] else { return Ok(None) };
        let repository = match &self.label_values(&client, window, "service_repository")?[..] {
            [one] => Some(one.clone()),
            _ => None,
        };
        Ok(Some(Revision { git_ref: git_ref.clone(), repository }))
    }

    /// The status text: `pyroscope · checkout · inuse_space · last 1h`.
    /// The service comes from a `service_name` (else `job`) matcher of the
    /// query and is left out when there is none; the type part is the
    /// profile type's sample type.
    pub fn status_label(&self) -> String {
        let mut parts = vec![self.kind.key().to_string()];
        parts.extend(self.service());
        parts.extend(self.sample_type());
        parts.push(self.range.label());
        parts.join(" · ")
    }

    /// A short name for lists and messages: the entry's `name`, else
    /// `checkout inuse_space (pyroscope host)`.
    pub fn display_name(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        let host = self.url.split_once("://").map_or(self.url.as_str(), |(_, rest)| rest);
        let host = host.split('/').next().unwrap_or(host);
        let what: Vec<String> = self.service().into_iter().chain(self.sample_type()).collect();
        let what = if what.is_empty() { self.query.clone() } else { what.join(" ") };
        format!("{what} ({} {host})", self.kind.key())
    }

    /// The service the query selects, from its `service_name` or `job`
    /// equality matcher.
    fn service(&self) -> Option<String> {
        settings::matcher_value(&self.query, "service_name").or_else(|| settings::matcher_value(&self.query, "job"))
    }

    /// The sample-type part of the profile type (`inuse_space`).
    fn sample_type(&self) -> Option<String> {
        let id = match self.kind {
            FleetKind::Pyroscope => self.profile_type.clone()?,
            FleetKind::Parca => parca::profile_type_of(&self.query)?.to_string(),
        };
        id.split(':').nth(1).filter(|s| !s.is_empty()).map(str::to_string)
    }

    fn label_values(&self, client: &rpc::Client, window: Window, name: &str) -> Result<Vec<String>, FleetError> {
        match self.kind {
            FleetKind::Pyroscope => pyroscope::label_values(self, client, window, name),
            FleetKind::Parca => parca::label_values(self, client, window, name),
        }
    }

    /// The HTTP client for one call, with the entry's credentials read
    /// from the environment now.
    fn client(&self, timeout: Duration, max_bytes: u64) -> Result<rpc::Client, FleetError> {
        let headers = self.auth.headers(self.kind, |var| std::env::var(var).ok().filter(|v| !v.is_empty()))?;
        Ok(rpc::Client::new(&self.url, headers, timeout, max_bytes))
    }

    /// The error for a failed request, with the credential to set when the
    /// server refused them.
    fn fail(&self, e: RpcError, url: &str) -> FleetError {
        let url = url.to_string();
        match e {
            RpcError::Unauthenticated(status) => FleetError::Unauthorized { url, status, advice: self.auth.advice(self.kind, false) },
            RpcError::PermissionDenied(status) => FleetError::Unauthorized { url, status, advice: self.auth.advice(self.kind, true) },
            RpcError::Timeout(after) => FleetError::Timeout { url, after },
            RpcError::Unreachable(reason) => FleetError::Unreachable { url, reason },
            RpcError::TooLarge(max) => FleetError::TooLarge { url, max },
            RpcError::Protocol(reason) => FleetError::Protocol { url, reason },
            RpcError::Status { status, message, .. } => FleetError::Server { url, status, message },
        }
    }

    /// After a query that found nothing: the profile type was unknown (the
    /// server's types in the window do not include it), or the result was
    /// empty.
    fn nothing_found(&self, wanted: Option<&str>, available: Result<Vec<String>, FleetError>) -> FleetError {
        let range = self.range.label();
        match (wanted, available) {
            (Some(w), Ok(available)) if !available.iter().any(|a| a == w) => {
                FleetError::UnknownProfileType { wanted: Some(w.to_string()), available }
            }
            (None, Ok(available)) => FleetError::UnknownProfileType { wanted: None, available },
            (None, Err(e)) => e,
            _ => FleetError::Empty { query: self.query.clone(), range },
        }
    }
}

/// The answer limit for describe and revision calls: lists of names.
const DESCRIBE_MAX_BYTES: u64 = 16 << 20;

#[cfg(test)]
mod tests;
