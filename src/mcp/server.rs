//! The rmcp server handler: lists the tools and hands each call to
//! `tools::call`. Every failure of a call is a tool error.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, InitializeResult, ListToolsResult, PaginatedRequestParams,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

use super::tools;
use super::Context;

pub struct Server {
    context: Arc<Context>,
}

impl Server {
    pub fn new(context: Context) -> Server {
        Server { context: Arc::new(context) }
    }
}

const INSTRUCTIONS: &str = "Go profile costs with pprof's exact values, each location mapped to a file of this workspace. \
Start with `profiles`, then `top` for the hottest lines or functions, `source` for one file's costed lines, \
`peek` for a function's callers and callees, `leaks` for goroutines that pile up, `growth` to poll a live endpoint, \
and `runBenchmark` (when allowed) to measure a change.";

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        InitializeResult::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("pprof-lsp", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools::definitions(&self.context)))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = serde_json::Value::Object(request.arguments.unwrap_or_default());
        let result = tools::call(self.context.clone(), &request.name, args, context).await;
        Ok(CallToolResponse::Complete(result))
    }
}
