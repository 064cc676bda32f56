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

use super::commands;
use super::convert::{self, Encoding};
use super::documents::Document;
use super::failure::{Failure, Result};
use super::protocol::command;
use super::session::{Handle, Session};
use super::snapshot::{ClientCaps, Snapshot};
use super::{call_hierarchy, code_lens, hover, inlay_hint, lifecycle, live, loader, progress, scan, settings, symbol};

/// The server: the session handle every request goes through.
#[derive(Clone)]
pub struct Backend {
    handle: Handle,
}

impl Backend {
    pub fn new(client: Client, exit: Arc<Notify>, disk: Arc<dyn Disk>) -> Backend {
        Backend { handle: Handle::new(client, Arc::new(Session::new(exit, disk))) }
    }

    /// `window/workDoneProgress/cancel`: stops what the progress stands for.
    pub async fn cancel_progress(&self, params: WorkDoneProgressCancelParams) {
        progress::cancel(&self.handle, params);
    }

    /// Runs a quick handler on the current snapshot right here.
    fn read_now<P, T>(&self, params: P, handler: fn(&Snapshot, P) -> Result<T>) -> jsonrpc::Result<T> {
        let snapshot = self.handle.snapshot();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(&snapshot, params)))
            .unwrap_or_else(|_| Err(Failure::Internal("panicked".into())))
            .map_err(Into::into)
    }

    /// Runs a handler on the current snapshot on a blocking thread.
    async fn read_off<P, T>(&self, params: P, handler: fn(&Snapshot, P) -> Result<T>) -> jsonrpc::Result<T>
    where
        P: Send + 'static,
        T: Send + 'static,
    {
        self.handle.read(params, handler).await.map_err(Into::into)
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
        tracing::info!(roots = ?roots, process_id = ?params.process_id, "initialize");
        self.handle.update(|s| {
            s.caps = Arc::new(caps);
            s.roots = roots.into();
        });
        // A setting that cannot be used keeps its default; it never stops
        // the server from starting.
        settings::initial(&self.handle, params.initialization_options.as_ref());
        if let Some(pid) = params.process_id {
            lifecycle::watch_process(pid, self.handle.session.exit.clone());
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
        self.handle.publish();
        let handle = self.handle.clone();
        tokio::spawn(async move {
            settings::start(&handle).await;
            scan::start(&handle).await;
        });
    }

    async fn shutdown(&self) -> jsonrpc::Result<()> {
        loader::unwatch(&self.handle);
        live::stop(&self.handle);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.handle.update(|s| s.documents.insert(doc.uri, Document::new(doc.text, doc.version)));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        self.handle.update(|s| {
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
        self.handle.update(|s| s.documents.remove(&params.text_document.uri));
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        settings::changed(&self.handle, &params.settings).await;
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
        let handle = self.handle.clone();
        let name = params.command;
        let arg = params.arguments.into_iter().next().unwrap_or(Value::Null);
        // On a task of its own, so that a panic (a bug) in a command is an
        // error response rather than the end of the server.
        let task = tokio::spawn(async move { commands::execute(&handle, &name, arg).await });
        let result = task.await.unwrap_or_else(|e| Err(Failure::Internal(e.to_string())));
        result.map(Some).map_err(Into::into)
    }
}
