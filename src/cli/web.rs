//! `pprof-lsp web`: serves the web view of one profile, like
//! `go tool pprof -http`, until the process is stopped. The CLI is the
//! simplest host of [`crate::web`]: its data never changes, and it has no
//! editor, so a click shows the line in the page's own source view.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;

use crate::analysis::{self, Index};
use crate::source::fs::RealFs;
use crate::web::{Indexed, IndexedProfile, OpenFuture, OpenTarget, WebData, WebServer, WebSource};

use super::{given, load_profile, short_names, ProfileArgs, Resolved};

#[derive(Args, Debug)]
pub struct WebArgs {
    /// Profile files or http(s)://…/debug/pprof/… URLs; several are merged
    /// into one profile, as pprof merges them.
    /// (default with --workspace: the first profile of its pprof-lsp.toml,
    /// else the one the editor would load).
    #[arg(required_unless_present = "workspace", value_name = "PROFILE")]
    pub profiles: Vec<String>,
    #[command(flatten)]
    pub common: ProfileArgs,
    /// Address to serve on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub http: SocketAddr,
    /// Print the URL only; do not start a browser.
    #[arg(long = "no-browser")]
    pub no_browser: bool,
    /// Directory the profile's source files are looked up in (by the same
    /// path mapping as the language server); may be repeated. Default: the
    /// current directory.
    #[arg(long = "source-path")]
    pub source_path: Vec<PathBuf>,
}

/// The CLI's host: one profile, no editor.
struct CliHost {
    data: Arc<WebData>,
}

impl WebSource for CliHost {
    fn current(&self) -> Option<Arc<WebData>> {
        Some(self.data.clone())
    }

    fn open(&self, _target: OpenTarget) -> OpenFuture {
        Box::pin(std::future::ready(Err("pprof-lsp web is not connected to an editor".to_string())))
    }
}

pub fn run(a: &WebArgs) -> Result<String> {
    let resolved = a.common.resolve(&a.profiles)?;
    let data = load_data(a, &resolved)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async {
        let server = WebServer::start(a.http, Arc::new(CliHost { data }))
            .await
            .with_context(|| format!("cannot serve on {}", a.http))?;
        let url = server.url();
        println!("Serving the web view of {} on {url}", given(&resolved.profiles));
        println!("Press Ctrl-C to stop.");
        if !a.no_browser {
            open_browser(&url);
        }
        server.wait().await.context("the web server stopped")
    })?;
    Ok(String::new())
}

fn load_data(a: &WebArgs, r: &Resolved) -> Result<Arc<WebData>> {
    let (profile, base) = load_profile(r)?;
    let profile = Arc::new(profile);
    let sample_type =
        analysis::select_with_base(&profile, base.as_ref(), r.sample_index.as_deref()).with_context(|| given(&r.profiles))?;
    let (index, base, title) = match base {
        None => (Index::build(&profile), None, short_names(&r.sources)),
        Some(base) => {
            let base = Arc::new(base);
            let index = Index::build_diff(&profile, &base).with_context(|| given(&r.diff_base))?;
            (index, Some(base), format!("{} − {}", short_names(&r.sources), short_names(&r.base_sources)))
        }
    };
    let mapper = r.mapper(&a.source_path);
    let raw: Arc<dyn IndexedProfile> = Arc::new(Indexed::new(profile, base, index));
    let filters = r.filters.clone();
    let (shown, unfiltered) = if filters.is_empty() {
        (raw, None)
    } else {
        let filtered = crate::web::apply_filters(raw.as_ref(), &filters)?;
        // pprof's notes and warnings, on stderr as `pprof -http` prints them.
        for note in &filtered.notes {
            eprintln!("{note}");
        }
        let filtered: Arc<dyn IndexedProfile> = Arc::new(filtered);
        (filtered, Some(raw))
    };
    // Filtering keeps every function, so both indexes list the same files.
    let files: Vec<&str> = shown.index().files().iter().map(String::as_str).collect();
    let files = Arc::new(mapper.map_all(&files, &RealFs));
    Ok(Arc::new(WebData {
        generation: 1,
        title,
        profile: shown,
        unfiltered,
        sample_type,
        filters,
        files,
    }))
}

/// Starts the system's browser on the URL; a failure only leaves the
/// printed URL to open by hand.
fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/c", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    let started = std::process::Command::new(command.0)
        .args(&command.1)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = started {
        eprintln!("pprof-lsp: could not start a browser ({}: {e}); open the URL above", command.0);
    }
}
