//! What is known of a live source (a URL polled every `refreshSeconds`):
//! its state as the snapshot keeps it, and the update one poll brings.
//! Plain data; the polling itself is `live.rs`.

use std::sync::Arc;
use std::time::SystemTime;

use rustc_hash::FxHashMap;

use crate::analysis::Growth;
use crate::source::load::ProfileSource;
use crate::source::replicas::Summary;

/// Why the source is not answering, and since when.
#[derive(Clone, Debug, PartialEq)]
pub struct Failing {
    pub since: SystemTime,
    pub failures: u32,
    pub error: String,
}

/// What is known of a live source, kept in the snapshot.
#[derive(Clone, Debug)]
pub struct LiveState {
    pub source: ProfileSource,
    /// Snapshots kept for growth.
    pub snapshots: usize,
    /// When the last poll succeeded.
    pub last: Option<SystemTime>,
    pub failing: Option<Failing>,
    /// `delta over N s` for `?seconds=N` URLs.
    pub delta: Option<String>,
    /// Each line's growth, by sample type name (state types with enough
    /// snapshots only).
    pub growth: FxHashMap<String, Arc<Growth>>,
    /// The responses of the snapshot shown now and of the one before it,
    /// as received, for comparing with the previous snapshot: decoded only
    /// when that is asked for, so that no whole profile is kept besides
    /// the one shown.
    pub latest: Option<Arc<[u8]>>,
    pub previous: Option<Arc<[u8]>>,
    /// For a merged source: which replicas answer.
    pub replicas: Option<Summary>,
}

/// What one poll learnt, to be merged into the state it follows.
#[derive(Clone, Debug)]
pub struct LiveUpdate {
    pub source: ProfileSource,
    pub snapshots: usize,
    pub last: Option<SystemTime>,
    pub failing: Option<Failing>,
    pub delta: Option<String>,
    /// Recomputed after a successful poll; kept as they were otherwise.
    pub growth: Option<FxHashMap<String, Arc<Growth>>>,
    pub latest: Option<Arc<[u8]>>,
    pub replicas: Option<Summary>,
}

impl LiveUpdate {
    /// The state after this poll, given the state before it.
    pub fn apply(self, before: Option<&LiveState>) -> LiveState {
        let before = before.filter(|b| b.source == self.source);
        let (growth, latest, previous) = match (self.latest, before) {
            (Some(latest), before) => {
                (self.growth.unwrap_or_default(), Some(latest), before.and_then(|b| b.latest.clone()))
            }
            (None, Some(b)) => (b.growth.clone(), b.latest.clone(), b.previous.clone()),
            (None, None) => (FxHashMap::default(), None, None),
        };
        LiveState {
            source: self.source,
            snapshots: self.snapshots,
            last: self.last,
            failing: self.failing,
            delta: self.delta,
            growth,
            latest,
            previous,
            replicas: self.replicas,
        }
    }
}
