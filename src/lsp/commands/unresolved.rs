//! `pprof.unresolved`: profile files that map to no local file, or to
//! several, with what was tried.

use crate::paths::Resolution;

use super::super::protocol::UnresolvedPath;
use super::super::snapshot::Snapshot;
use super::super::failure::Result;

pub fn handle(snapshot: &Snapshot) -> Result<Vec<UnresolvedPath>> {
    let Some(view) = &snapshot.view else { return Ok(Vec::new()) };
    Ok(view
        .paths()
        .files
        .unresolved()
        .filter_map(|(file, resolution)| match resolution {
            Resolution::Ambiguous { candidates, omitted, .. } => Some(UnresolvedPath::Ambiguous {
                file: file.to_string(),
                candidates: candidates.clone(),
                omitted: *omitted,
            }),
            Resolution::Unresolved { tried } => Some(UnresolvedPath::NotFound { file: file.to_string(), tried: tried.clone() }),
            Resolution::Mapped { .. } => None,
        })
        .collect())
}
