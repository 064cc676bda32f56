//! The language server: a thin tower-lsp layer over the core. Only this
//! module knows about LSP types and JSON-RPC; each request has its own
//! file, and every handler reads a snapshot of the session.

mod call_hierarchy;
mod code_lens;
mod commands;
pub mod config;
mod convert;
mod documents;
mod heat;
mod hover;
mod inlay_hint;
mod loader;
mod locate;
pub mod server;
mod state;
mod symbol;

use tower_lsp_server::{LspService, Server};

pub use server::Backend;

/// Builds the service; tests drive it in-process over a duplex pipe.
pub fn service() -> (LspService<Backend>, tower_lsp_server::ClientSocket) {
    LspService::new(Backend::new)
}

/// Serves LSP over stdin/stdout until the client exits.
pub fn run_stdio() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let (service, socket) = service();
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
    });
    Ok(())
}
