//! The `LanguageServer` implementation: capabilities, the document and
//! configuration life cycle, and one-line delegation of every request to
//! its own module.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Notify;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::source::fs::Disk;

use super::commands::{self, sample_type_switch};
use super::config::Config;
use super::convert::{self, Encoding};
use super::documents::Document;
use super::protocol::command;
use super::session::Session;
use super::snapshot::{ClientCaps, Snapshot};
use super::{call_hierarchy, code_lens, hover, inlay_hint, lifecycle, live, loader, symbol, Failure, Result};

/// The server: a client handle and the shared session.
#[derive(Clone)]
pub struct Backend {
    pub client: Client,
    pub session: Arc<Session>,
}

impl Backend {
    pub fn new(client: Client, exit: Arc<Notify>, disk: Arc<dyn Disk>) -> Backend {
        Backend { client, session: Arc::new(Session::new(exit, disk)) }
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
        self.session.publish(&self.client);
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

    /// Runs a quick handler on the current snapshot right here.
    fn read_now<P, T>(&self, params: P, handler: fn(&Snapshot, P) -> Result<T>) -> jsonrpc::Result<T> {
        let snapshot = self.session.snapshot();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(&snapshot, params)))
            .unwrap_or_else(|_| Err(Failure::Internal("panicked".into())))
            .map_err(Into::into)
    }

    async fn read_off<P, T>(&self, params: P, handler: fn(&Snapshot, P) -> Result<T>) -> jsonrpc::Result<T>
    where
        P: Send + 'static,
        T: Send + 'static,
    {
        self.read(params, handler).await.map_err(Into::into)
    }

    /// `window/workDoneProgress/cancel`: stops what the progress stands for.
    pub async fn cancel_progress(&self, params: WorkDoneProgressCancelParams) {
        let token = match params.token {
            NumberOrString::String(s) => s,
            NumberOrString::Number(n) => n.to_string(),
        };
        if let Some(flag) = self.session.cancels.lock().unwrap_or_else(|e| e.into_inner()).get(&token) {
            tracing::info!(token, "cancelled by the client");
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Takes a new configuration and does what it implies.
    pub async fn apply_config(&self, config: Config) {
        let old = self.session.snapshot().config.clone();
        if *old == config {
            return;
        }
        let mapping_changed = old.path_mappings != config.path_mappings
            || old.source_paths != config.source_paths
            || old.goroot != config.goroot;
        let profiles_changed = old.profiles != config.profiles || old.max_profile_bytes != config.max_profile_bytes;
        let sample_changed = old.sample_type != config.sample_type;
        let base_changed = old.diff_base != config.diff_base;
        let watch_changed = old.watch != config.watch;
        let display_changed = old.hints != config.hints || old.lenses != config.lenses;
        let filters_changed = old.filters != config.filters;
        self.session.update(|s| {
            s.config = Arc::new(config.clone());
            // What is drawn changes with the hint settings: a new
            // generation tells clients to redraw what they draw themselves.
            if display_changed {
                s.view = s.view.as_ref().map(|v| Arc::new(v.renewed()));
            }
        });
        tracing::info!(mapping_changed, profiles_changed, sample_changed, watch_changed, "settings changed");
        if watch_changed {
            if config.watch {
                loader::watch_shown(self);
            } else {
                loader::unwatch(self);
            }
        }
        if mapping_changed {
            loader::rescan(self).await;
        }
        if base_changed {
            loader::apply_base_setting(self).await;
        }
        if profiles_changed {
            loader::load_offered(self).await;
        }
        if filters_changed {
            // A bad filter keeps the ones before, and says why.
            if let Err(Failure::Invalid(e) | Failure::Internal(e)) = commands::filters::set(self, config.filters.clone()).await {
                self.client.show_message(MessageType::ERROR, format!("pprof: {e}")).await;
            }
        }
        if sample_changed {
            if let Some(name) = &config.sample_type {
                if let Err(Failure::Invalid(e) | Failure::Internal(e)) = sample_type_switch(self, name) {
                    self.client.show_message(MessageType::WARNING, format!("pprof: {e}")).await;
                }
            }
        }
        self.changed().await;
    }

    async fn fetch_configuration(&self) -> Option<Config> {
        if !self.session.snapshot().caps.configuration {
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
        inlay_hint_refresh: workspace.and_then(|w| w.inlay_hint.as_ref()).and_then(|h| h.refresh_support).unwrap_or(false),
        code_lens_refresh: workspace.and_then(|w| w.code_lens.as_ref()).and_then(|h| h.refresh_support).unwrap_or(false),
        work_done_progress: caps.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
        configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
    }
}

/// Every filter as `{key, flag, description}`, in pprof's order.
fn filter_kinds() -> Vec<Value> {
    crate::analysis::filter::FilterKind::ALL
        .iter()
        .map(|k| serde_json::json!({ "key": k.key(), "flag": format!("-{}", k.name()), "description": k.description() }))
        .collect()
}

fn encoding_kind(e: Encoding) -> PositionEncodingKind {
    match e {
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> jsonrpc::Result<InitializeResult> {
        let caps = client_caps(&params);
        let encoding = caps.encoding;
        let mut roots: Vec<std::path::PathBuf> =
            params.workspace_folders.iter().flatten().filter_map(|f| convert::uri_to_path(&f.uri)).collect();
        #[allow(deprecated)]
        if roots.is_empty() {
            if let Some(root) = params.root_uri.as_ref().and_then(convert::uri_to_path) {
                roots.push(root);
            }
        }
        let config = match &params.initialization_options {
            Some(options) => Some(Config::from_json(options).map_err(jsonrpc::Error::invalid_params)?),
            None => None,
        };
        tracing::info!(roots = ?roots, process_id = ?params.process_id, "initialize");
        self.session.update(|s| {
            s.caps = Arc::new(caps);
            s.roots = roots.into();
            if let Some(config) = config {
                s.filters = Arc::new(commands::filters::checked(&config.filters).unwrap_or_default());
                s.config = Arc::new(config);
            }
        });
        if let Some(pid) = params.process_id {
            lifecycle::watch_process(pid, self.session.exit.clone());
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
                    commands: command::ALL.iter().map(|c| c.to_string()).collect(),
                    ..Default::default()
                }),
                // The filter keys `pprof.setFilters` takes, so clients
                // offer them without a list of their own.
                experimental: Some(serde_json::json!({ "pprof": { "filters": filter_kinds() } })),
                ..Default::default()
            },
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // The first status, before anything is loaded.
        self.session.publish(&self.client);
        let backend = self.clone();
        tokio::spawn(async move {
            if let Some(config) = backend.fetch_configuration().await {
                let filters = commands::filters::checked(&config.filters);
                if let Err(e) = &filters {
                    backend.client.show_message(MessageType::ERROR, format!("pprof: {e}")).await;
                }
                backend.session.update(|s| {
                    s.filters = Arc::new(filters.unwrap_or_default());
                    s.config = Arc::new(config);
                });
            }
            loader::start(&backend).await;
        });
    }

    async fn shutdown(&self) -> jsonrpc::Result<()> {
        loader::unwatch(self);
        live::stop(self);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.session.update(|s| s.documents.insert(doc.uri, Document::new(doc.text, doc.version)));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        self.session.update(|s| {
            let encoding = s.caps.encoding;
            s.documents.edit(&uri, |doc| {
                for change in params.content_changes {
                    match change.range {
                        None => doc.set_text(change.text, version),
                        Some(range) => {
                            let start = convert::offset(doc, range.start, encoding);
                            let end = convert::offset(doc, range.end, encoding);
                            doc.splice(start, end, &change.text);
                        }
                    }
                }
                doc.finish_edits(version);
            });
        });
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.session.update(|s| s.documents.remove(&params.text_document.uri));
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

    async fn inlay_hint(&self, params: InlayHintParams) -> jsonrpc::Result<Option<Vec<InlayHint>>> {
        self.read_now(params, inlay_hint::handle)
    }

    async fn code_lens(&self, params: CodeLensParams) -> jsonrpc::Result<Option<Vec<CodeLens>>> {
        self.read_now(params, code_lens::handle)
    }

    async fn hover(&self, params: HoverParams) -> jsonrpc::Result<Option<Hover>> {
        // The first hover on a line scans every sample.
        self.read_off(params, hover::handle).await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> jsonrpc::Result<Option<WorkspaceSymbolResponse>> {
        self.read_off(params, symbol::handle).await
    }

    async fn prepare_call_hierarchy(
        &self,
        params: CallHierarchyPrepareParams,
    ) -> jsonrpc::Result<Option<Vec<CallHierarchyItem>>> {
        self.read_off(params, call_hierarchy::prepare).await
    }

    async fn incoming_calls(
        &self,
        params: CallHierarchyIncomingCallsParams,
    ) -> jsonrpc::Result<Option<Vec<CallHierarchyIncomingCall>>> {
        // The first call builds the call graph: most of a second on a large profile.
        self.read_off(params, call_hierarchy::incoming).await
    }

    async fn outgoing_calls(
        &self,
        params: CallHierarchyOutgoingCallsParams,
    ) -> jsonrpc::Result<Option<Vec<CallHierarchyOutgoingCall>>> {
        self.read_off(params, call_hierarchy::outgoing).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> jsonrpc::Result<Option<Value>> {
        let backend = self.clone();
        let name = params.command;
        let arg = params.arguments.into_iter().next().unwrap_or(Value::Null);
        // On a task of its own, so that a panic (a bug) in a command is an
        // error response rather than the end of the server.
        let task = tokio::spawn(async move { commands::execute(&backend, &name, arg).await });
        let result = task.await.unwrap_or_else(|e| Err(Failure::Internal(e.to_string())));
        result.map(Some).map_err(Into::into)
    }
}
