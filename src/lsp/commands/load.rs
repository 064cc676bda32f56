//! `pprof.load`: loads a file or URL and shows it.

use super::super::loader;
use super::super::protocol::{LoadArgs, Status};
use super::super::server::Backend;
use super::super::{status, Result};

pub async fn run(backend: &Backend, args: LoadArgs) -> Result<Status> {
    let target = args.path.or(args.url).ok_or("pprof.load needs {\"path\": …} or {\"url\": …}")?;
    let source = loader::source_in_workspace(backend, &target);
    loader::load(backend, source, loader::Trigger::Command).await?;
    Ok(status::of(&backend.session.snapshot()))
}
