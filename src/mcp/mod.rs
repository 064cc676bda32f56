//! `pprof-lsp mcp`: the Model Context Protocol edge. Coding agents call
//! tools (`profiles`, `top`, `source`, `peek`, `leaks`, `growth`,
//! `runBenchmark`) over stdio and get the same pprof-exact, workspace-mapped
//! answers as the editor, as structured content with an output schema and
//! a short text table. Only this layer knows MCP (rmcp); the tools call the
//! core as the CLI does. The tools and their arguments are documented in
//! docs/mcp.md.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;
use rmcp::ServiceExt;

mod context;
mod output;
mod server;
mod tools;

pub use context::{is_loopback_url, prefix_allows, Context};

/// A failure a tool reports to the agent as a tool error (`isError`), in
/// the words the CLI would use; never a protocol error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolError(pub String);

impl ToolError {
    pub fn new(message: impl Into<String>) -> ToolError {
        ToolError(message.into())
    }
}

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for ToolError {
    fn from(message: String) -> ToolError {
        ToolError(message)
    }
}

#[derive(Args, Debug, Default)]
pub struct McpArgs {
    /// A workspace root: files are read only inside these and the
    /// configured profiles (default: the current directory). Repeatable.
    #[arg(long, value_name = "DIR")]
    pub workspace: Vec<PathBuf>,
    /// A profile to offer (file or URL); repeatable. Without any, the
    /// `profiles` of pprof-lsp.toml, else those found in the workspace.
    #[arg(long, value_name = "SOURCE")]
    pub profile: Vec<String>,
    /// A URL prefix the tools may fetch from (loopback URLs always may).
    /// Repeatable.
    #[arg(long = "allow-url", value_name = "PREFIX")]
    pub allow_url: Vec<String>,
    /// Let `runBenchmark` run `go test` (it builds and executes the
    /// workspace's code).
    #[arg(long = "allow-run")]
    pub allow_run: bool,
}

/// Serves MCP on stdin/stdout until the client closes it.
pub fn run(args: &McpArgs) -> Result<()> {
    let roots = if args.workspace.is_empty() { vec![std::env::current_dir()?] } else { args.workspace.clone() };
    for root in &roots {
        anyhow::ensure!(root.is_dir(), "--workspace {}: not a directory", root.display());
    }
    let (config, errors) = crate::lsp::project::project_config(&roots);
    for problem in &errors {
        eprintln!("pprof-lsp mcp: {problem}");
    }
    let context = Context::new(roots, config, &args.profile, args.allow_url.clone(), args.allow_run);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async move {
        let service = server::Server::new(context).serve(rmcp::transport::stdio()).await.context("starting MCP on stdio")?;
        service.waiting().await.context("serving MCP")?;
        Ok(())
    })
}
