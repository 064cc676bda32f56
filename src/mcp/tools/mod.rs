//! The tools, one file each: arguments, result, and a function from the
//! context and the arguments to the result, as the CLI computes it. This
//! file lists them and runs one.

use std::sync::Arc;

use rmcp::handler::server::common::{schema_for_output, schema_for_type};
use rmcp::model::{CallToolResult, ContentBlock, ProgressNotificationParam, Tool, ToolAnnotations};
use rmcp::service::RequestContext;
use rmcp::RoleServer;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use super::output::{self, Output};
use super::{Context, ToolError};

mod common;
mod growth;
mod leaks;
mod peek;
mod profiles;
mod run_benchmark;
mod source;
mod top;

/// A tool's definition from its argument and result types.
fn definition<A: JsonSchema + 'static, O: JsonSchema + 'static>(name: &'static str, description: &'static str, read_only: bool) -> Tool {
    Tool::new(name, description, schema_for_type::<A>())
        .with_raw_output_schema(schema_for_output::<O>())
        .with_annotations(ToolAnnotations::new().read_only(read_only).destructive(false))
}

pub fn definitions(context: &Context) -> Vec<Tool> {
    let run_description = if context.allow_run { run_benchmark::DESCRIPTION } else { run_benchmark::DESCRIPTION_OFF };
    vec![
        definition::<profiles::Args, profiles::Profiles>("profiles", profiles::DESCRIPTION, true),
        definition::<top::Args, top::Top>("top", top::DESCRIPTION, true),
        definition::<source::Args, source::Source>("source", source::DESCRIPTION, true),
        definition::<peek::Args, peek::Peek>("peek", peek::DESCRIPTION, true),
        definition::<leaks::Args, leaks::Leaks>("leaks", leaks::DESCRIPTION, true),
        definition::<growth::Args, growth::Growth>("growth", growth::DESCRIPTION, true),
        definition::<run_benchmark::Args, run_benchmark::Benchmark>("runBenchmark", run_description, false),
    ]
}

/// A call in progress: its progress token and cancellation.
pub struct Call {
    pub request: RequestContext<RoleServer>,
}

impl Call {
    /// Reports progress when the client asked for it.
    pub async fn progress(&self, done: f64, total: f64, message: String) {
        let Some(token) = self.request.meta.get_progress_token() else { return };
        let param = ProgressNotificationParam::new(token, done).with_total(total).with_message(message);
        let _ = self.request.peer.notify_progress(param).await;
    }

    pub fn cancelled(&self) -> bool {
        self.request.ct.is_cancelled()
    }
}

/// Runs tool `name` with `args`.
pub async fn call(context: Arc<Context>, name: &str, args: serde_json::Value, request: RequestContext<RoleServer>) -> CallToolResult {
    let call = Call { request };
    match name {
        "profiles" => blocking(name, context, args, profiles::run).await,
        "top" => blocking(name, context, args, top::run).await,
        "source" => blocking(name, context, args, source::run).await,
        "peek" => blocking(name, context, args, peek::run).await,
        "leaks" => blocking(name, context, args, leaks::run).await,
        "growth" => match parse(name, args) {
            Ok(a) => output::result(growth::run(context, a, &call).await),
            Err(e) => output::result::<growth::Growth>(Err(e)),
        },
        "runBenchmark" => match parse(name, args) {
            Ok(a) => output::result(run_benchmark::run(context, a, &call).await),
            Err(e) => output::result::<run_benchmark::Benchmark>(Err(e)),
        },
        other => CallToolResult::error(vec![ContentBlock::text(format!(
            "no tool named {other:?}: the tools are profiles, top, source, peek, leaks, growth and runBenchmark"
        ))]),
    }
}

fn parse<A: DeserializeOwned>(tool: &str, args: serde_json::Value) -> Result<A, ToolError> {
    serde_json::from_value(args).map_err(|e| ToolError::new(format!("{tool}: bad arguments: {e}")))
}

/// Runs a tool that reads files and computes off the async threads.
async fn blocking<A, O>(
    name: &str,
    context: Arc<Context>,
    args: serde_json::Value,
    run: fn(&Context, A) -> Result<O, ToolError>,
) -> CallToolResult
where
    A: DeserializeOwned + Send + 'static,
    O: Output + Send + 'static,
{
    let args: A = match parse(name, args) {
        Ok(a) => a,
        Err(e) => return output::result::<O>(Err(e)),
    };
    let done = tokio::task::spawn_blocking(move || run(&context, args)).await;
    output::result(done.unwrap_or_else(|e| Err(ToolError::new(format!("the tool failed: {e}")))))
}
