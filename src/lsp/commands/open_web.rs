//! `pprof.openWeb`: the web view ([`crate::web`]) served from inside the
//! language server on 127.0.0.1, started on the first call and kept for
//! the life of the process (later calls answer the same URL). The page
//! shows what the editor shows (profile, base, sample type, filters, live
//! refreshes: each makes a new view generation, which the page watches);
//! a click on a frame, a `top` row or a source line sends the editor to
//! the mapped line through `window/showDocument`.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tower_lsp_server::ls_types::{ShowDocumentParams, Uri};

use crate::analysis::filter::FilterNote;
use crate::paths::{LineMap, LocalPath};
use crate::report::labels;
use crate::analysis::{Index, SampleType};
use crate::profile::Profile;
use crate::web::{IndexedProfile, OpenFuture, OpenTarget, SourceFiles, WebData, WebServer, WebSource};

use super::super::convert;
use super::super::locate;
use super::super::protocol::OpenWebResult;
use super::super::session::Handle;
use super::super::snapshot::{LoadedProfile, MappedView};
use super::super::failure::Result;

pub async fn run(handle: &Handle) -> Result<OpenWebResult> {
    let mut web = handle.session.web.lock().await;
    if let Some(server) = web.as_ref() {
        return Ok(OpenWebResult { url: server.url() });
    }
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let server = WebServer::start(addr, Arc::new(EditorHost { handle: handle.clone() }))
        .await
        .map_err(|e| format!("cannot start the web view on {addr}: {e}"))?;
    let url = server.url();
    tracing::info!(addr = %server.addr(), "web view started");
    *web = Some(server);
    Ok(OpenWebResult { url })
}

/// The language server as the web view's host.
struct EditorHost {
    handle: Handle,
}

impl IndexedProfile for LoadedProfile {
    fn profile(&self) -> &Profile {
        &self.profile
    }

    fn base(&self) -> Option<&Profile> {
        self.base.as_ref().map(|b| b.profile.as_ref())
    }

    fn index(&self) -> &Index {
        &self.index
    }

    fn total(&self, t: SampleType) -> i64 {
        LoadedProfile::total(self, t)
    }

    fn notes(&self) -> &[FilterNote] {
        &self.filter_notes
    }
}

impl SourceFiles for MappedView {
    fn local_file(&self, profile_file: &str) -> std::result::Result<String, String> {
        match self.files.resolution(profile_file) {
            Some(r) => crate::web::resolution_to_result(profile_file, r),
            None => Err(format!("{profile_file} was not looked up in the workspace")),
        }
    }

    fn line_map(&self, local_file: &str) -> Option<(&LineMap, &str)> {
        let short = self.revision.revision.as_ref()?.short.as_str();
        Some((self.lines_of(&LocalPath::new(local_file))?, short))
    }
}

impl WebSource for EditorHost {
    fn current(&self) -> Option<Arc<WebData>> {
        let snapshot = self.handle.snapshot();
        let view = snapshot.view.as_ref()?;
        let loaded = view.loaded();
        let name = loaded.source.display_name();
        let title = match &loaded.base {
            Some(base) => labels::diff_title(&name, &base.name),
            None => name,
        };
        let unfiltered: Option<Arc<dyn IndexedProfile>> =
            (!loaded.filters.is_empty()).then(|| loaded.unfiltered() as Arc<dyn IndexedProfile>);
        Some(Arc::new(WebData {
            generation: view.generation(),
            title,
            profile: loaded.clone(),
            unfiltered,
            sample_type: view.sample_type(),
            filters: loaded.filters.clone(),
            files: view.paths().clone(),
        }))
    }

    fn open(&self, target: OpenTarget) -> OpenFuture {
        let handle = self.handle.clone();
        Box::pin(async move {
            let uri: Uri = convert::local_uri(&target.local_file)
                .ok_or_else(|| format!("{} is not a path the editor can open", target.local_file))?;
            // The line as it is now, after edits in an open document.
            let line = locate::current_line(&handle.snapshot(), &uri, target.line);
            let params = ShowDocumentParams {
                uri,
                external: Some(false),
                take_focus: Some(true),
                selection: Some(locate::line_range(line)),
            };
            match handle.client.show_document(params).await {
                Ok(true) => Ok(()),
                Ok(false) => Err(format!("the editor did not open {}", target.local_file)),
                Err(e) => Err(format!("the editor could not be asked to open {}: {}", target.local_file, e.message)),
            }
        })
    }

    fn editor(&self) -> Option<String> {
        Some("the editor".to_string())
    }

    fn read_source(&self, local_file: &str) -> std::result::Result<String, String> {
        // An open document's text, unsaved edits included, else the disk's.
        let snapshot = self.handle.snapshot();
        if let Some(doc) = convert::local_uri(local_file).and_then(|uri| snapshot.documents.get(&uri).map(|d| d.text().to_string())) {
            return Ok(doc);
        }
        std::fs::read_to_string(local_file).map_err(|e| format!("cannot read {local_file}: {e}"))
    }
}
