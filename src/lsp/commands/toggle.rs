//! `pprof.toggle`: hides or shows every annotation; `pprof.togglePerOp`:
//! benchmark values per operation or in total.

use std::sync::Arc;

use super::super::protocol::{ToggleArgs, ToggleResult};
use super::super::session::Handle;
use super::super::failure::Result;

/// `pprof.togglePerOp`: a benchmark's values per operation, or in total.
pub async fn per_op(handle: &Handle, args: ToggleArgs) -> Result<ToggleResult> {
    let (snapshot, ()) = handle.update(|s| {
        s.per_op = args.enabled.unwrap_or(!s.per_op);
        let on = s.per_op;
        s.view = s.view.as_ref().map(|v| Arc::new(v.with_per_op(on)));
    });
    handle.changed().await;
    Ok(ToggleResult { enabled: snapshot.per_op })
}

pub async fn run(handle: &Handle, args: ToggleArgs) -> Result<ToggleResult> {
    let (snapshot, ()) = handle.update(|s| s.enabled = args.enabled.unwrap_or(!s.enabled));
    handle.changed().await;
    Ok(ToggleResult { enabled: snapshot.enabled })
}
