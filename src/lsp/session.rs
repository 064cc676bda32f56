//! The mutable session: it holds the current [`Snapshot`] and swaps in a
//! new one for every change, so handlers never see a half-made change and
//! never hold a lock while they work. Also owns what is not state but
//! machinery: the load queue, the file watcher and the status publisher.

use std::sync::{Arc, Mutex, OnceLock, RwLock};

use tokio::sync::{mpsc, Notify};
use tower_lsp_server::Client;

use crate::source::load::ProfileSource;

use super::protocol::{Status, StatusNotification};
use super::snapshot::Snapshot;
use super::status;

/// A watched profile file; dropping it stops the watching.
pub struct Watch {
    pub id: u64,
    pub source: ProfileSource,
    pub _watcher: notify::RecommendedWatcher,
}

#[derive(Default)]
pub struct Session {
    state: RwLock<Arc<Snapshot>>,
    /// Serialises loads, so two never race to publish their profile. An
    /// async lock: a load holds it while it waits for its worker thread.
    pub load_lock: tokio::sync::Mutex<()>,
    pub watch: Mutex<Option<Watch>>,
    /// The last status sent, and the queue that sends statuses in order.
    published: Mutex<Option<Status>>,
    outbox: OnceLock<mpsc::UnboundedSender<Status>>,
    /// Signalled when the server should end (the editor's process died).
    pub exit: Arc<Notify>,
}

impl Session {
    pub fn new(exit: Arc<Notify>) -> Session {
        Session { exit, ..Default::default() }
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.state.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Applies a change atomically: `change` edits a copy of the current
    /// snapshot, which then replaces it. Returns the new snapshot and what
    /// `change` returned.
    pub fn update<R>(&self, change: impl FnOnce(&mut Snapshot) -> R) -> (Arc<Snapshot>, R) {
        let mut guard = self.state.write().unwrap_or_else(|e| e.into_inner());
        let mut next = Snapshot::clone(&guard);
        let result = change(&mut next);
        let next = Arc::new(next);
        *guard = next.clone();
        (next, result)
    }

    /// Sends `pprof/status` if the status differs from the last one sent.
    /// The status is computed under the same lock that orders the sends,
    /// so a later call never sends an older state.
    pub fn publish_status(&self, client: &Client) {
        let mut last = self.published.lock().unwrap_or_else(|e| e.into_inner());
        let now = status::of(&self.snapshot());
        if last.as_ref() == Some(&now) {
            return;
        }
        *last = Some(now.clone());
        let outbox = self.outbox.get_or_init(|| {
            let (tx, mut rx) = mpsc::unbounded_channel::<Status>();
            let client = client.clone();
            tokio::spawn(async move {
                while let Some(status) = rx.recv().await {
                    client.send_notification::<StatusNotification>(status).await;
                }
            });
            tx
        });
        let _ = outbox.send(now);
    }
}
