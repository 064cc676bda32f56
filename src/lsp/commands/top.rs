//! `pprof.top`: the hottest lines, ranked as `go tool pprof -top -lines`
//! ranks them (`analysis::top`, shared with the CLI), each with where to
//! jump.

use crate::analysis::{TopItem, TopOptions};
use crate::report::labels;

use super::super::locate;
use super::super::protocol::{RankBy, TopArgs, TopEntry};
use super::super::snapshot::Snapshot;
use super::super::failure::Result;

pub fn handle(snapshot: &Snapshot, args: TopArgs) -> Result<Vec<TopEntry>> {
    let Some(view) = &snapshot.view else { return Ok(Vec::new()) };
    let index = view.index();
    let options = TopOptions {
        lines: true,
        by_cum: args.by == RankBy::Cum,
        node_count: Some(args.n),
        // Every row with a value, as a list to pick from.
        node_fraction: 0.0,
        edge_fraction: 0.0,
    };
    let top = crate::analysis::top::top(index, &view.loaded().profiles(), view.sample_type(), &options);
    let scale = view.scale();
    Ok(top
        .rows
        .iter()
        .map(|row| {
            let (file, line, function) = match row.item {
                TopItem::Node(n) => {
                    let node = index.node(n);
                    let function = node.function.map_or_else(|| labels::address(node.address), |f| index.function(f).name.clone());
                    (node.file.map(|f| index.file(f).to_string()), node.line, function)
                }
                // A binary without symbols: no line to go to.
                other => (None, 0, top.name(index, other)),
            };
            let uri = file.as_deref().and_then(|f| locate::uri_for(view, f));
            let line = match &uri {
                Some(u) => i64::from(locate::current_line(snapshot, u, line)) + 1,
                None => line,
            };
            TopEntry {
                uri: uri.map(|u| u.as_str().to_string()),
                file,
                line,
                function,
                flat: row.cost.flat,
                cum: row.cost.cum,
                label: scale.hint(row.cost),
            }
        })
        .collect())
}
