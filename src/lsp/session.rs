//! The mutable session: it holds the current [`Snapshot`] and swaps in a
//! new one for every change, so handlers never see a half-made change and
//! never hold a lock while they work. Also owns what is not state but
//! machinery: the load queue, the file watcher and the status publisher.
//! [`Handle`] (the client and the session) is what everything that changes
//! state takes: the sources (`install`, `loader`, `live`) and the commands.

use std::sync::{Arc, Mutex, OnceLock, RwLock};

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use rustc_hash::{FxHashMap, FxHashSet};
use tokio::sync::{mpsc, Notify};
use tower_lsp_server::ls_types::{Diagnostic, Uri};
use tower_lsp_server::Client;

use crate::source::fs::Disk;
use crate::source::load::ProfileSource;

use super::failure::{Failure, Result};
use super::protocol::{Status, StatusNotification};
use super::snapshot::Snapshot;
use super::{diagnostics, status};

/// A background task of the session (the polling of a live source); the
/// number tells a task whether it is still the current one.
pub struct Task {
    pub id: u64,
    pub abort: tokio::task::AbortHandle,
}

/// A watched profile file; dropping it stops the watching.
pub struct Watch {
    pub id: u64,
    pub source: ProfileSource,
    pub _watcher: notify::RecommendedWatcher,
}

/// What the client was last told.
#[derive(Default)]
struct Published {
    status: Option<Status>,
    diagnostics: FxHashMap<Uri, Vec<Diagnostic>>,
}

/// One message for the client, queued so messages go out in order.
enum Outgoing {
    Status(Box<Status>),
    Diagnostics(Uri, Vec<Diagnostic>),
}

pub struct Session {
    state: RwLock<Arc<Snapshot>>,
    /// Serialises loads, so two never race to publish their profile. An
    /// async lock: a load holds it while it waits for its worker thread.
    pub load_lock: tokio::sync::Mutex<()>,
    pub watch: Mutex<Option<Watch>>,
    /// The task polling the shown source, if it is live.
    pub live: Mutex<Option<Task>>,
    /// What was last sent, and the queue that sends in order.
    published: Mutex<Published>,
    outbox: OnceLock<mpsc::UnboundedSender<Outgoing>>,
    /// Signalled when the server should end (the editor's process died).
    pub exit: Arc<Notify>,
    /// Where workspace files are listed and looked for: the disk, or a
    /// tree in memory in tests.
    pub disk: Arc<dyn Disk>,
    /// Package directories with a `go test` run going.
    pub running: Mutex<FxHashSet<PathBuf>>,
    /// What cancelling each progress token stops.
    pub cancels: Mutex<FxHashMap<String, Arc<AtomicBool>>>,
    /// The web view (`pprof.openWeb`), once started.
    pub web: tokio::sync::Mutex<Option<crate::web::WebServer>>,
}

impl Session {
    pub fn new(exit: Arc<Notify>, disk: Arc<dyn Disk>) -> Session {
        Session {
            state: RwLock::default(),
            load_lock: tokio::sync::Mutex::default(),
            watch: Mutex::default(),
            live: Mutex::default(),
            published: Mutex::default(),
            outbox: OnceLock::new(),
            exit,
            disk,
            running: Mutex::default(),
            cancels: Mutex::default(),
            web: tokio::sync::Mutex::default(),
        }
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

    /// Tells the client what changed since it was last told: the status
    /// (`pprof/status`) and each document's diagnostics. Computed under the
    /// same lock that orders the sends, so a later call never sends an
    /// older state.
    pub fn publish(&self, client: &Client) {
        let mut last = self.published.lock().unwrap_or_else(|e| e.into_inner());
        let snapshot = self.snapshot();
        let mut queue = Vec::new();
        let status = status::of(&snapshot);
        if last.status.as_ref() != Some(&status) {
            last.status = Some(status.clone());
            queue.push(Outgoing::Status(Box::new(status)));
        }
        let diagnostics = diagnostics::of(&snapshot);
        for (uri, list) in &diagnostics {
            if last.diagnostics.get(uri) != Some(list) {
                queue.push(Outgoing::Diagnostics(uri.clone(), list.clone()));
            }
        }
        for uri in last.diagnostics.keys().filter(|u| !diagnostics.contains_key(*u)) {
            queue.push(Outgoing::Diagnostics(uri.clone(), Vec::new()));
        }
        last.diagnostics = diagnostics;
        let outbox = self.outbox.get_or_init(|| {
            let (tx, mut rx) = mpsc::unbounded_channel::<Outgoing>();
            let client = client.clone();
            tokio::spawn(async move {
                while let Some(message) = rx.recv().await {
                    match message {
                        Outgoing::Status(status) => client.send_notification::<StatusNotification>(*status).await,
                        Outgoing::Diagnostics(uri, list) => client.publish_diagnostics(uri, list, None).await,
                    }
                }
            });
            tx
        });
        for message in queue {
            let _ = outbox.send(message);
        }
    }
}

/// The session with the client it serves: how commands and sources change
/// state and tell the client.
#[derive(Clone)]
pub struct Handle {
    pub client: Client,
    pub session: Arc<Session>,
}

impl Handle {
    pub fn new(client: Client, session: Arc<Session>) -> Handle {
        Handle { client, session }
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.session.snapshot()
    }

    /// [`Session::update`].
    pub fn update<R>(&self, change: impl FnOnce(&mut Snapshot) -> R) -> (Arc<Snapshot>, R) {
        self.session.update(change)
    }

    /// [`Session::publish`] to this client.
    pub fn publish(&self) {
        self.session.publish(&self.client);
    }

    /// Asks the client to re-request hints and lenses, where it can.
    pub async fn refresh(&self) {
        let caps = self.session.snapshot().caps.clone();
        if caps.inlay_hint_refresh {
            let _ = self.client.inlay_hint_refresh().await;
        }
        if caps.code_lens_refresh {
            let _ = self.client.code_lens_refresh().await;
        }
    }

    /// Tells the client that what the server shows changed.
    pub async fn changed(&self) {
        self.publish();
        self.refresh().await;
    }

    /// Runs a handler on the current snapshot on a blocking thread. All
    /// requests of a connection are served from one task, so slow work
    /// inside a handler would hold up every other request meanwhile. A
    /// panic (a bug) becomes an error response.
    pub async fn read<P, T>(&self, params: P, handler: fn(&Snapshot, P) -> Result<T>) -> Result<T>
    where
        P: Send + 'static,
        T: Send + 'static,
    {
        let snapshot = self.session.snapshot();
        tokio::task::spawn_blocking(move || handler(&snapshot, params))
            .await
            .unwrap_or_else(|e| Err(Failure::Internal(e.to_string())))
    }
}
