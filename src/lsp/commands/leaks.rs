//! `pprof.leaks`: the shown goroutine profile's goroutines by the line
//! they block at and the `go` statement that started them, most first;
//! for a `goroutineleak` profile (or a dump with leaked goroutines), only
//! the leaked ones.

use serde_json::Value;

use super::super::failure::Result;
use super::super::goroutines;
use super::super::protocol::Leaks;
use super::super::snapshot::Snapshot;

pub fn handle(snapshot: &Snapshot, _: Value) -> Result<Leaks> {
    let view = snapshot.view.as_ref().ok_or("no profile is loaded")?;
    goroutines::rows(snapshot, view).ok_or_else(|| {
        format!(
            "{} is not a goroutine profile: load /debug/pprof/goroutineleak (Go 1.27 or later), /debug/pprof/goroutine or a goroutine dump (?debug=2)",
            view.loaded().source.display_name()
        )
        .into()
    })
}
