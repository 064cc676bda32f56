//! `pprof.toggle`: hides or shows every annotation; `pprof.togglePerOp`:
//! benchmark values per operation or in total.

use std::sync::Arc;

use super::super::protocol::{ToggleArgs, ToggleResult};
use super::super::server::Backend;
use super::super::Result;

/// `pprof.togglePerOp`: a benchmark's values per operation, or in total.
pub async fn per_op(backend: &Backend, args: ToggleArgs) -> Result<ToggleResult> {
    let (snapshot, ()) = backend.session.update(|s| {
        s.per_op = args.enabled.unwrap_or(!s.per_op);
        let on = s.per_op;
        s.view = s.view.as_ref().map(|v| Arc::new(v.with_per_op(on)));
    });
    backend.changed().await;
    Ok(ToggleResult { enabled: snapshot.per_op })
}

pub async fn run(backend: &Backend, args: ToggleArgs) -> Result<ToggleResult> {
    let (snapshot, ()) = backend.session.update(|s| s.enabled = args.enabled.unwrap_or(!s.enabled));
    backend.changed().await;
    Ok(ToggleResult { enabled: snapshot.enabled })
}
