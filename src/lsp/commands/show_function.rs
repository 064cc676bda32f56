//! `pprof.showFunction`, the code lens command: a function's hottest lines
//! and its callers; also shown as a message unless the client asks not to.

use tower_lsp_server::ls_types::MessageType;

use crate::analysis::{ranking, Direction};
use crate::report::labels;

use super::super::locate;
use super::super::protocol::{Caller, FunctionLine, FunctionReport, ShowFunctionArgs};
use super::super::session::Handle;
use super::super::snapshot::Snapshot;
use super::super::failure::Result;

/// How many lines and callers the report lists.
const LIMIT: usize = 10;

pub async fn run(handle: &Handle, args: ShowFunctionArgs) -> Result<FunctionReport> {
    let notify = args.notify != Some(false);
    // Building the call graph takes a while on a large profile, so the
    // report is made off the task that serves every request.
    let (report, message) = handle.read(args, report).await?;
    if notify {
        handle.client.show_message(MessageType::INFO, message).await;
    }
    Ok(report)
}

fn report(snapshot: &Snapshot, args: ShowFunctionArgs) -> Result<(FunctionReport, String)> {
    let view = snapshot.view.as_ref().ok_or("no profile is loaded")?;
    let name = args.function;
    if name.is_empty() {
        return Err("pprof.showFunction needs {\"function\": …}".into());
    }
    let f = locate::function_named(view, &name, None).ok_or_else(|| format!("no function {name} in the profile"))?;
    let (index, t) = (view.index(), view.sample_type());
    let scale = view.scale();
    let info = index.function(f);
    let file = info.file.map(|id| index.file(id).to_string());
    let uri = file.as_deref().and_then(|f| locate::uri_for(view, f));

    let lines = ranking::hottest_lines_of_function(index, f, t, LIMIT);
    let mut callers = view.loaded().calls().function_calls(f, t, Direction::Incoming);
    callers.truncate(LIMIT);
    let message = labels::function_report(
        &name,
        &scale.function(index.function_cost(f, t)),
        file.as_deref().unwrap_or("?"),
        &lines.iter().map(|(line, cost)| (*line, scale.hint(*cost))).collect::<Vec<_>>(),
        &callers.iter().map(|c| (index.function(c.function).name.clone(), scale.share(c.weight))).collect::<Vec<_>>(),
    );
    let report = FunctionReport {
        function: name,
        file,
        lines: lines
            .iter()
            .map(|(line, c)| FunctionLine {
                line: uri.as_ref().map_or(*line, |u| i64::from(locate::current_line(snapshot, u, *line)) + 1),
                flat: c.flat,
                cum: c.cum,
                label: scale.hint(*c),
            })
            .collect(),
        callers: callers
            .iter()
            .map(|c| Caller {
                function: index.function(c.function).name.clone(),
                weight: c.weight,
                label: scale.share(c.weight),
            })
            .collect(),
        uri: uri.map(|u| u.as_str().to_string()),
    };
    Ok((report, message))
}
