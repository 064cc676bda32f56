//! `pprof.setDiffBase`: compare the shown profile (and every later load)
//! with a base profile, as `go tool pprof -diff_base` does; `{"previous":
//! true}` compares a live source with its snapshot before; `{}` clears it.

use std::sync::Arc;

use crate::profile::{self, DecodeOptions};
use crate::report::labels;

use super::super::loader::{self, BaseTarget};
use super::super::protocol::{DiffBaseArgs, Status};
use super::super::snapshot::Base;
use super::super::session::Handle;
use super::super::failure::Result;
use super::super::status;

pub async fn run(handle: &Handle, args: DiffBaseArgs) -> Result<Status> {
    let target = if args.previous {
        // The live source's snapshot before the one shown.
        let snapshot = handle.snapshot();
        let live = snapshot.live.as_ref().ok_or("the shown profile is not live, so it has no previous snapshot")?;
        let raw = live.previous.clone().ok_or("the live source has only one snapshot so far")?;
        // Kept as received; it decoded once already, so this only fails if
        // the limits changed since.
        let options = DecodeOptions { max_decompressed_bytes: snapshot.config.max_profile_bytes, ..DecodeOptions::default() };
        let decoded = tokio::task::spawn_blocking(move || profile::decode(&raw, &options))
            .await
            .map_err(|e| format!("decoding the previous snapshot failed: {e}"))?;
        let profile = Arc::new(decoded.map_err(|e| format!("the previous snapshot cannot be decoded: {e}"))?);
        Some(BaseTarget::Given(Arc::new(Base {
            source: live.source.clone(),
            name: labels::previous_snapshot(&live.source.display_name()),
            profile,
            iterations: None,
        })))
    } else {
        let target = args.path.or(args.url).filter(|t| !t.trim().is_empty());
        target.map(|t| BaseTarget::Read(loader::source_in_workspace(handle, &t)))
    };
    loader::set_base(handle, target).await?;
    Ok(status::of(&handle.snapshot()))
}
