//! `pprof.top`: the hottest lines, ranked as `go tool pprof -top -lines`
//! ranks them, each with where to jump.

use crate::analysis::{Cost, NodeId};
use crate::report::top::node_display_name;

use super::super::locate;
use super::super::protocol::{RankBy, TopArgs, TopEntry};
use super::super::snapshot::Snapshot;
use super::super::Result;

pub fn handle(snapshot: &Snapshot, args: TopArgs) -> Result<Vec<TopEntry>> {
    let Some(view) = &snapshot.view else { return Ok(Vec::new()) };
    let (index, t) = (view.index(), view.sample_type());
    let by_cum = args.by == RankBy::Cum;
    let primary = |c: &Cost| if by_cum { c.cum.unsigned_abs() } else { c.flat.unsigned_abs() };
    let secondary = |c: &Cost| if by_cum { c.flat.unsigned_abs() } else { c.cum.unsigned_abs() };
    let mut nodes: Vec<(NodeId, Cost)> =
        index.node_ids().map(|n| (n, index.node_cost(n, t))).filter(|(_, c)| primary(c) != 0).collect();
    nodes.sort_by(|a, b| {
        primary(&b.1)
            .cmp(&primary(&a.1))
            .then_with(|| node_display_name(index, a.0).cmp(&node_display_name(index, b.0)))
            .then_with(|| secondary(&b.1).cmp(&secondary(&a.1)))
    });
    nodes.truncate(args.n);
    let scale = view.scale();
    Ok(nodes
        .into_iter()
        .map(|(id, cost)| {
            let node = index.node(id);
            let info = node.function.map(|f| index.function(f));
            let file = info.and_then(|f| f.file).map(|f| index.file(f).to_string());
            let uri = file.as_deref().and_then(|f| locate::uri_for(view, f));
            let line = match &uri {
                Some(u) => i64::from(locate::current_line(snapshot, u, node.line)) + 1,
                None => node.line,
            };
            TopEntry {
                uri: uri.map(|u| u.as_str().to_string()),
                file,
                line,
                function: info.map_or_else(|| format!("{:#x}", node.address), |f| f.name.clone()),
                flat: cost.flat,
                cum: cost.cum,
                label: scale.hint(cost),
            }
        })
        .collect())
}
