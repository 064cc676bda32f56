//! `pprof.load`: loads a file or URL and shows it.

use super::super::loader;
use super::super::protocol::{LoadArgs, Status};
use super::super::session::Handle;
use super::super::failure::Result;
use super::super::status;

pub async fn run(handle: &Handle, args: LoadArgs) -> Result<Status> {
    let target = args.path.or(args.url).ok_or("pprof.load needs {\"path\": …} or {\"url\": …}")?;
    let source = loader::source_in_workspace(handle, &target);
    loader::load(handle, source, loader::Trigger::Command).await?;
    Ok(status::of(&handle.snapshot()))
}
