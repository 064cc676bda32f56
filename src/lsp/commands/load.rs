//! `pprof.load`: loads a file or URL, several merged, or a continuous
//! profiler's query, and shows it.

use std::sync::Arc;

use crate::source::load::{FleetSource, ProfileSource};

use super::super::loader;
use super::super::scan;
use super::super::protocol::{LoadArgs, Status};
use super::super::session::Handle;
use super::super::failure::Result;
use super::super::status;

pub async fn run(handle: &Handle, args: LoadArgs) -> Result<Status> {
    if let Some(entry) = &args.fleet {
        let fleet = FleetSource::from_entry(entry).map_err(|e| format!("pprof.load: {e}"))?;
        loader::load(handle, ProfileSource::Fleet(Arc::new(fleet)), loader::Trigger::Command).await?;
        return Ok(status::of(&handle.snapshot()));
    }
    let source = match args.merge {
        Some(patterns) if patterns.is_empty() => return Err("pprof.load: `merge` lists no profile".into()),
        Some(patterns) => {
            let name = args.name.unwrap_or_else(|| format!("{} profiles", patterns.len()));
            scan::merged_source(handle, name, patterns).await
        }
        None => {
            let target = args.path.or(args.url).ok_or("pprof.load needs {\"path\": …}, {\"url\": …} or {\"name\", \"merge\": […]}")?;
            loader::source_in_workspace(handle, &target)
        }
    };
    loader::load(handle, source, loader::Trigger::Command).await?;
    Ok(status::of(&handle.snapshot()))
}
