//! `pprof.setDiffBase`: compare the shown profile (and every later load)
//! with a base profile, as `go tool pprof -diff_base` does; `{}` clears it.

use super::super::loader;
use super::super::protocol::{LoadArgs, Status};
use super::super::server::Backend;
use super::super::{status, Result};

pub async fn run(backend: &Backend, args: LoadArgs) -> Result<Status> {
    let target = args.path.or(args.url).filter(|t| !t.trim().is_empty());
    let source = target.map(|t| loader::source_in_workspace(backend, &t));
    loader::set_base(backend, source).await?;
    Ok(status::of(&backend.session.snapshot()))
}
