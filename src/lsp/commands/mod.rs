//! `workspace/executeCommand`: the `pprof.*` commands, one file each.
//! Commands that only read are functions of a snapshot, like any request;
//! the ones that change the session (load, select, toggle) go through it.
//! Argument and result types are in `protocol.rs`.

mod diff_base;
mod growth;
mod heat;
mod load;
mod profiles;
mod run_benchmark;
mod sample_type;
mod show_function;
mod toggle;
mod top;
mod unresolved;

use serde::Serialize;
use serde_json::Value;

use super::protocol::{command, parse_args};
use super::server::Backend;
use super::status;
use super::{Failure, Result};

pub async fn execute(backend: &Backend, name: &str, arg: Value) -> Result<Value> {
    match name {
        command::LOAD => json(load::run(backend, parse_args(arg, "path")?).await),
        command::SET_DIFF_BASE => json(diff_base::run(backend, parse_args(arg, "path")?).await),
        command::SELECT_SAMPLE_TYPE => json(sample_type::select(backend, parse_args(arg, "name")?).await),
        command::TOGGLE => json(toggle::run(backend, parse_args(arg, "enabled")?).await),
        command::TOGGLE_PER_OP => json(toggle::per_op(backend, parse_args(arg, "enabled")?).await),
        command::RUN_BENCHMARK => json(run_benchmark::run(backend, parse_args(arg, "name")?).await),
        command::SHOW_FUNCTION => json(show_function::run(backend, parse_args(arg, "function")?).await),
        command::STATUS => json(Ok(status::of(&backend.session.snapshot()))),
        command::LIST_SAMPLE_TYPES => json(backend.read(arg, |s, _: Value| sample_type::list(s)).await),
        command::TOP => json(backend.read(parse_args(arg, "n")?, top::handle).await),
        command::UNRESOLVED => json(backend.read(arg, |s, _: Value| unresolved::handle(s)).await),
        command::LIST_PROFILES => json(backend.read(arg, |s, _: Value| profiles::handle(s)).await),
        command::HEAT => json(backend.read(parse_args(arg, "uri")?, heat::handle).await),
        command::GROWTH => json(backend.read(parse_args(arg, "sampleType")?, growth::handle).await),
        other => Err(format!("unknown command {other}").into()),
    }
}

fn json<T: Serialize>(result: Result<T>) -> Result<Value> {
    result.and_then(|v| serde_json::to_value(v).map_err(|e| Failure::Internal(e.to_string())))
}

/// Switches the sample type without telling the client (settings changes
/// tell it once at the end).
pub fn sample_type_switch(backend: &Backend, name: &str) -> Result<()> {
    sample_type::select_named(backend, name)
}
