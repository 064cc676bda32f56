//! The HTTP edge: a local web view of the shown profile, like
//! `go tool pprof -http` (a flame graph, the `top` table, annotated source,
//! a sample type selector), whose frames, rows and lines open in an editor.
//!
//! The server is the same for every host. A host (the CLI's `web` command,
//! the language server's `pprof.openWeb`) hands it a [`WebSource`]: what to
//! show ([`WebSource::current`], read again for every request, so a new
//! profile, sample type or filter shows up at the next request; the page
//! polls `api/state` for the generation number and redraws when it changes)
//! and what a click does ([`WebSource::open`]).
//!
//! Everything the page needs (HTML, CSS, script) is compiled into the
//! binary; the page makes no request anywhere but to this server. Every
//! request must carry the token of the printed URL as the `token` query
//! parameter, and a `Host` header naming the bound address (or
//! `localhost`/`127.0.0.1` with its port), or it is answered 403.
//!
//! - `guard`: the token and `Host` checks.
//! - `state`: the page's state as its URL holds it (`si`, the filters,
//!   the view and its options).
//! - `compute`: the JSON answers, from the host's data through
//!   `analysis` and `report`, remembered per generation and URL state.
//! - `filters`: where pprof's filters are applied to a profile.
//! - `routes`: the axum router.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use crate::analysis::filter::{FilterNote, FilteredProfile};
use crate::analysis::{Index, SampleType};
use crate::paths::{LineMap, MappedFiles, Resolution};
use crate::profile::Profile;

mod compute;
mod filters;
mod guard;
mod routes;
mod state;

pub use crate::analysis::Filters;
pub use filters::apply as apply_filters;

/// A profile and its index, as a host holds them. The language server's
/// loaded profiles implement this too, so the page reads the same index the
/// editor's hints come from.
pub trait IndexedProfile: Send + Sync {
    fn profile(&self) -> &Profile;
    /// The base subtracted from the profile (`-diff_base`), if any.
    fn base(&self) -> Option<&Profile>;
    /// The index of the profile, less the base when there is one.
    fn index(&self) -> &Index;
    /// pprof's total of sample type `t`, which percentages are shares of:
    /// the index's, or for a filtered profile the one before filtering.
    fn total(&self, t: SampleType) -> i64 {
        self.index().total(t)
    }
    /// For a filtered profile, what pprof says on stderr while filtering
    /// (tag values read as ranges, filters that matched nothing).
    fn notes(&self) -> &[FilterNote] {
        &[]
    }
}

/// The simplest [`IndexedProfile`]: owned parts.
pub struct Indexed {
    pub profile: Arc<Profile>,
    pub base: Option<Arc<Profile>>,
    pub index: Index,
    /// For a filtered profile, pprof's totals per sample type: those before
    /// filtering.
    pub totals: Option<Vec<i64>>,
    /// For a filtered profile, pprof's notes and warnings.
    pub notes: Vec<FilterNote>,
}

impl Indexed {
    /// An unfiltered profile, less its base when there is one.
    pub fn new(profile: Arc<Profile>, base: Option<Arc<Profile>>, index: Index) -> Indexed {
        Indexed { profile, base, index, totals: None, notes: Vec::new() }
    }
}

impl From<FilteredProfile> for Indexed {
    fn from(f: FilteredProfile) -> Indexed {
        Indexed {
            profile: Arc::new(f.profile),
            base: f.base.map(Arc::new),
            index: f.index,
            totals: Some(f.totals),
            notes: f.notes,
        }
    }
}

impl IndexedProfile for Indexed {
    fn profile(&self) -> &Profile {
        &self.profile
    }

    fn base(&self) -> Option<&Profile> {
        self.base.as_deref()
    }

    fn index(&self) -> &Index {
        &self.index
    }

    fn total(&self, t: SampleType) -> i64 {
        self.totals.as_ref().and_then(|v| v.get(t.0).copied()).unwrap_or_else(|| self.index.total(t))
    }

    fn notes(&self) -> &[FilterNote] {
        &self.notes
    }
}

/// Where a profile's file names are on this machine.
pub trait SourceFiles: Send + Sync {
    /// The local file of a file name as the profile records it, or a
    /// sentence saying why there is none.
    fn local_file(&self, profile_file: &str) -> Result<String, String>;

    /// Where the lines of a local file (as [`SourceFiles::local_file`]
    /// answers it) recorded by the profile are on disk, when the profile
    /// was taken at a revision the file changed since, with that
    /// revision's short id.
    fn line_map(&self, _local_file: &str) -> Option<(&LineMap, &str)> {
        None
    }
}

impl SourceFiles for MappedFiles {
    fn local_file(&self, profile_file: &str) -> Result<String, String> {
        match self.resolution(profile_file) {
            Some(r) => resolution_to_result(profile_file, r),
            None => Err(format!("{profile_file} was not looked up in the workspace")),
        }
    }
}

/// A [`Resolution`] as a local path or the reason there is none.
pub fn resolution_to_result(profile_file: &str, resolution: &Resolution) -> Result<String, String> {
    match resolution {
        Resolution::Mapped { path, .. } => Ok(path.clone()),
        Resolution::Ambiguous { candidates, omitted, rule } => {
            let more = if *omitted > 0 { format!(" and {omitted} more") } else { String::new() };
            Err(format!("{profile_file} matches several files by {rule}: {}{more}", candidates.join(", ")))
        }
        Resolution::Unresolved { tried } if tried.is_empty() => Err(format!("{profile_file} matches no local file")),
        Resolution::Unresolved { tried } => {
            Err(format!("{profile_file} matches no local file (tried {})", tried.join("; ")))
        }
    }
}

/// Everything a request reads, as one immutable value: a host replaces it
/// whole when anything changes, with a new generation number.
pub struct WebData {
    /// Changes whenever anything else here does; the page redraws when it
    /// sees a new one.
    pub generation: u64,
    /// How the page names the profile (`heap.pb.gz`, or a diff's
    /// `heap2.pb.gz − heap.pb.gz`).
    pub title: String,
    /// The profile shown, filtered by `filters`.
    pub profile: Arc<dyn IndexedProfile>,
    /// The same before `filters` (`None`: there are none, `profile` is
    /// unfiltered); a URL's other filters are applied to this.
    pub unfiltered: Option<Arc<dyn IndexedProfile>>,
    /// The host's sample type: the page's when its URL names none.
    pub sample_type: SampleType,
    /// The host's filters, applied to `profile`: the page's when its URL
    /// sets none.
    pub filters: Filters,
    /// The local files behind the profile's file names, for the source
    /// view and for opening.
    pub files: Arc<dyn SourceFiles>,
}

/// A source line a click on a frame, a `top` row or a source line asks to
/// open. The server only asks for lines whose file is mapped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenTarget {
    /// The file as the profile names it.
    pub profile_file: String,
    /// The local file it maps to.
    pub local_file: String,
    /// 1-based; 0 when the profile has no line.
    pub line: i64,
    /// The function clicked, when it was a frame or a function's row.
    pub function: Option<String>,
}

/// The answer to [`WebSource::open`].
pub type OpenFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// What the web view shows and what its clicks do: one per host.
pub trait WebSource: Send + Sync + 'static {
    /// The data to show now; `None` while nothing is loaded.
    fn current(&self) -> Option<Arc<WebData>>;

    /// Opens a line in the host's editor. A host without one answers why
    /// (the page then shows the line in its own source view).
    fn open(&self, target: OpenTarget) -> OpenFuture;

    /// The editor clicks open in, for the page's labels (`None`: the page
    /// shows sources itself).
    fn editor(&self) -> Option<String> {
        None
    }

    /// The text of a local source file. Hosts with unsaved editor buffers
    /// may answer from those.
    fn read_source(&self, local_file: &str) -> Result<String, String> {
        std::fs::read_to_string(local_file).map_err(|e| format!("cannot read {local_file}: {e}"))
    }
}

/// A running web view.
pub struct WebServer {
    addr: SocketAddr,
    token: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<io::Result<()>>,
}

impl WebServer {
    /// Binds `addr` (port 0 picks a free port) and serves `source` on the
    /// current tokio runtime until [`WebServer::stop`] or the runtime ends.
    pub async fn start(addr: SocketAddr, source: Arc<dyn WebSource>) -> io::Result<WebServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let token = guard::new_token()?;
        let app = routes::router(source, guard::Guard::new(addr, token.clone()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(WebServer { addr, token, stop: Some(stop), task })
    }

    /// The address bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The random token every request must carry.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The page's URL, token included.
    pub fn url(&self) -> String {
        format!("http://{}/?token={}", self.addr, self.token)
    }

    /// Stops accepting connections and waits for open ones to finish.
    pub async fn stop(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.unwrap_or_else(|e| Err(io::Error::other(e)))
    }

    /// Serves until the task ends (for a host that serves until killed).
    pub async fn wait(mut self) -> io::Result<()> {
        (&mut self.task).await.unwrap_or_else(|e| Err(io::Error::other(e)))
    }
}
