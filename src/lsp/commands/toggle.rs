//! `pprof.toggle`: hides or shows every annotation.

use super::super::protocol::{ToggleArgs, ToggleResult};
use super::super::server::Backend;
use super::super::Result;

pub async fn run(backend: &Backend, args: ToggleArgs) -> Result<ToggleResult> {
    let (snapshot, ()) = backend.session.update(|s| s.enabled = args.enabled.unwrap_or(!s.enabled));
    backend.changed().await;
    Ok(ToggleResult { enabled: snapshot.enabled })
}
