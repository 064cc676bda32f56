//! `pprof.listProfiles`: what the server offers, and why it chose the one
//! it loaded by itself.

use super::super::protocol::ProfileEntry;
use super::super::snapshot::Snapshot;
use super::super::failure::Result;

pub fn handle(snapshot: &Snapshot) -> Result<Vec<ProfileEntry>> {
    let active = snapshot.view.as_ref().map(|v| &v.loaded().source);
    Ok(snapshot
        .offered
        .iter()
        .map(|o| ProfileEntry {
            source: o.source.to_string(),
            name: o.source.display_name(),
            active: Some(&o.source) == active,
            origin: o.origin,
            reason: o.reason.clone(),
        })
        .collect())
}
