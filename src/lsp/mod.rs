//! The language server: a thin tower-lsp layer over the core. Only this
//! module knows about LSP types and JSON-RPC. The session hands each
//! request an immutable snapshot; each request and command has its own
//! file and is a function of that snapshot; protocol extensions are typed
//! in `protocol.rs`.

mod call_hierarchy;
mod code_lens;
mod commands;
pub mod config;
mod convert;
mod diagnostics;
mod documents;
mod failure;
mod goroutines;
mod hover;
mod inlay_hint;
mod install;
mod lifecycle;
mod live;
mod live_state;
mod loader;
mod locate;
mod progress;
pub mod project;
pub mod protocol;
mod runs;
mod scan;
pub mod server;
mod session;
mod settings;
mod snapshot;
mod status;
mod symbol;

use std::sync::Arc;

use tokio::sync::Notify;
use tower_lsp_server::{LspService, Server};

pub use server::Backend;

use crate::source::fs::{Disk, RealFs};

/// Builds the service; tests drive it in-process over a duplex pipe.
pub fn service() -> (LspService<Backend>, tower_lsp_server::ClientSocket) {
    service_with(Arc::default(), Arc::new(RealFs))
}

/// The service over another file system for the workspace (such as a
/// `MemFs` holding a Windows-path checkout).
pub fn service_on(disk: Arc<dyn Disk>) -> (LspService<Backend>, tower_lsp_server::ClientSocket) {
    service_with(Arc::default(), disk)
}

fn service_with(exit: Arc<Notify>, disk: Arc<dyn Disk>) -> (LspService<Backend>, tower_lsp_server::ClientSocket) {
    LspService::build(move |client| Backend::new(client, exit, disk))
        .custom_method("window/workDoneProgress/cancel", Backend::cancel_progress)
        .finish()
}

/// Serves LSP over stdin/stdout until the client exits, stdin ends, or
/// the editor process named at `initialize` dies.
pub fn run_stdio() -> anyhow::Result<()> {
    lifecycle::init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let reason = runtime.block_on(async {
        let exit = Arc::new(Notify::new());
        let (service, socket) = service_with(exit.clone(), Arc::new(RealFs));
        let stdin = lifecycle::WatchEof::new(tokio::io::stdin());
        let input_closed = stdin.closed();
        let serve = Server::new(stdin, tokio::io::stdout(), socket).serve(service);
        tokio::select! {
            () = serve => "the client asked to exit",
            () = lifecycle::after_eof(input_closed) => "the input closed",
            () = exit.notified() => "the editor process ended",
        }
    });
    tracing::info!("exiting: {reason}");
    // Loads may still run on blocking threads; don't wait for them.
    runtime.shutdown_timeout(std::time::Duration::from_millis(50));
    Ok(())
}
