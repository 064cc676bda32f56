//! The `LanguageServer` implementation: capabilities, the document and
//! configuration life cycle, and one-line delegation of every request to
//! its own module.

use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::config::Config;
use super::convert::{self, Encoding};
use super::documents::Document;
use super::state::{ClientCaps, Session};
use super::{call_hierarchy, code_lens, commands, hover, inlay_hint, loader, symbol};

/// The server: a client handle and the shared session.
#[derive(Clone)]
pub struct Backend {
    pub client: Client,
    pub session: Arc<Session>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend { client, session: Arc::default() }
    }

    /// Asks the client to re-request hints and lenses, where it can.
    pub async fn refresh(&self) {
        let caps = self.session.caps();
        if caps.inlay_hint_refresh {
            let _ = self.client.inlay_hint_refresh().await;
        }
        if caps.code_lens_refresh {
            let _ = self.client.code_lens_refresh().await;
        }
    }

    /// Runs a slow handler on a blocking thread. All requests of a
    /// connection are served from one task, so synchronous work inside a
    /// handler would hold up every other request meanwhile.
    async fn off_the_loop<T: Send + 'static>(&self, f: impl FnOnce(&Backend) -> T + Send + 'static) -> Result<T> {
        let backend = self.clone();
        tokio::task::spawn_blocking(move || f(&backend)).await.map_err(|e| {
            let mut error = Error::internal_error();
            error.message = format!("request failed: {e}").into();
            error
        })
    }

    /// Takes a new configuration and does what it implies.
    pub async fn apply_config(&self, config: Config) {
        let old = self.session.snapshot().config.clone();
        if old == config {
            return;
        }
        let mapping_changed = old.path_mappings != config.path_mappings
            || old.source_paths != config.source_paths
            || old.goroot != config.goroot;
        let profiles_changed = old.profiles != config.profiles || old.max_profile_bytes != config.max_profile_bytes;
        let sample_changed = old.sample_type != config.sample_type;
        self.session.update(|s| s.config = config.clone());
        if !config.watch {
            self.session.watcher.lock().unwrap_or_else(|e| e.into_inner()).take();
        }
        if mapping_changed {
            loader::rescan(self).await;
        }
        if profiles_changed {
            let sources = loader::available(self).await;
            self.session.update(|s| s.available = sources.clone());
            if let Some(first) = sources.first() {
                let _ = loader::load(self, first.clone()).await;
                return;
            }
        }
        if sample_changed {
            if let Some(name) = &config.sample_type {
                if let Err(e) = commands::select_sample_type(self, name) {
                    self.client.show_message(MessageType::WARNING, format!("pprof: {e}")).await;
                }
            }
        }
        self.refresh().await;
    }

    async fn fetch_configuration(&self) -> Option<Config> {
        if !self.session.caps().configuration {
            return None;
        }
        let items = vec![ConfigurationItem { scope_uri: None, section: Some("pprof".into()) }];
        let values = self.client.configuration(items).await.ok()?;
        // An empty answer keeps what initializationOptions said.
        let value = values.into_iter().next().filter(|v| !super::config::is_empty(v))?;
        match Config::from_json(&value) {
            Ok(c) => Some(c),
            Err(e) => {
                self.client.show_message(MessageType::ERROR, format!("pprof: {e}")).await;
                None
            }
        }
    }
}

/// Runs a quick handler inline, turning a panic (a bug) into an error
/// response instead of taking the server down.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| {
        let mut error = Error::internal_error();
        error.message = "pprof-lsp: this request failed; please report it".into();
        error
    })
}

fn client_caps(params: &InitializeParams) -> ClientCaps {
    let caps = &params.capabilities;
    let workspace = caps.workspace.as_ref();
    let encodings = caps.general.as_ref().and_then(|g| g.position_encodings.clone()).unwrap_or_default();
    let encoding = if encodings.is_empty() || encodings.contains(&PositionEncodingKind::UTF16) {
        Encoding::Utf16
    } else if encodings.contains(&PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else {
        Encoding::Utf32
    };
    ClientCaps {
        encoding,
        inlay_hint_refresh: workspace
            .and_then(|w| w.inlay_hint.as_ref())
            .and_then(|h| h.refresh_support)
            .unwrap_or(false),
        code_lens_refresh: workspace
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|h| h.refresh_support)
            .unwrap_or(false),
        work_done_progress: caps.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
        configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
    }
}

fn encoding_kind(e: Encoding) -> PositionEncodingKind {
    match e {
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = client_caps(&params);
        let encoding = caps.encoding;
        *self.session.caps.write().unwrap_or_else(|e| e.into_inner()) = caps;
        let mut roots: Vec<std::path::PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| convert::uri_to_path(&f.uri))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty() {
            if let Some(root) = params.root_uri.as_ref().and_then(convert::uri_to_path) {
                roots.push(root);
            }
        }
        *self.session.roots.write().unwrap_or_else(|e| e.into_inner()) = roots;
        if let Some(options) = &params.initialization_options {
            let config = Config::from_json(options).map_err(Error::invalid_params)?;
            self.session.update(|s| s.config = config);
        }
        Ok(InitializeResult {
            offset_encoding: None,
            server_info: Some(ServerInfo { name: "pprof-lsp".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding_kind(encoding)),
                text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::INCREMENTAL)),
                inlay_hint_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                call_hierarchy_provider: Some(CallHierarchyServerCapability::Simple(true)),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: commands::ALL.iter().map(|c| c.to_string()).collect(),
                    ..Default::default()
                }),
                ..Default::default()
            },
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if let Some(config) = self.fetch_configuration().await {
            self.session.update(|s| s.config = config);
        }
        let backend = self.clone();
        tokio::spawn(async move { loader::start(&backend).await });
    }

    async fn shutdown(&self) -> Result<()> {
        self.session.watcher.lock().unwrap_or_else(|e| e.into_inner()).take();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.session.documents.insert(doc.uri, Document::new(doc.text, doc.version));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let encoding = self.session.caps().encoding;
        let Some(mut doc) = self.session.documents.get_mut(&params.text_document.uri) else { return };
        for change in params.content_changes {
            match change.range {
                None => doc.set_text(change.text, params.text_document.version),
                Some(range) => {
                    let start = convert::offset(&doc, range.start, encoding);
                    let end = convert::offset(&doc, range.end, encoding);
                    doc.splice(start, end, &change.text);
                }
            }
        }
        doc.finish_edits(params.text_document.version);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.session.documents.remove(&params.text_document.uri);
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let config = match self.fetch_configuration().await {
            Some(c) => c,
            None if !super::config::is_empty(&params.settings) => match Config::from_json(&params.settings) {
                Ok(c) => c,
                Err(e) => {
                    self.client.show_message(MessageType::ERROR, format!("pprof: {e}")).await;
                    return;
                }
            },
            None => return,
        };
        self.apply_config(config).await;
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        guarded(|| inlay_hint::handle(self, params))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        guarded(|| code_lens::handle(self, params))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        // Scans every sample: tens of milliseconds on a large profile.
        self.off_the_loop(move |b| hover::handle(b, params)).await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        self.off_the_loop(move |b| symbol::handle(b, params)).await
    }

    async fn prepare_call_hierarchy(
        &self,
        params: CallHierarchyPrepareParams,
    ) -> Result<Option<Vec<CallHierarchyItem>>> {
        self.off_the_loop(move |b| call_hierarchy::prepare(b, params)).await
    }

    async fn incoming_calls(
        &self,
        params: CallHierarchyIncomingCallsParams,
    ) -> Result<Option<Vec<CallHierarchyIncomingCall>>> {
        // The first call builds the call graph: most of a second on a large profile.
        self.off_the_loop(move |b| call_hierarchy::incoming(b, params)).await
    }

    async fn outgoing_calls(
        &self,
        params: CallHierarchyOutgoingCallsParams,
    ) -> Result<Option<Vec<CallHierarchyOutgoingCall>>> {
        self.off_the_loop(move |b| call_hierarchy::outgoing(b, params)).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        commands::execute(self, params).await
    }
}
