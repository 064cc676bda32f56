//! `workspace/executeCommand`: the `pprof.*` commands, one file each.
//! Commands that only read are functions of a snapshot, like any request;
//! the ones that change the session (load, select, toggle) go through it.
//! Argument and result types are in `protocol.rs`.

mod diff_base;
mod fleet_describe;
pub mod filters;
mod growth;
mod heat;
mod leaks;
mod load;
mod open_web;
mod profiles;
mod run_benchmark;
pub mod sample_type;
mod show_function;
mod toggle;
mod top;
mod unresolved;

use serde::Serialize;
use serde_json::Value;

use super::protocol::{command, parse_args};
use super::session::Handle;
use super::status;
use super::failure::Failure;
use super::failure::Result;

pub async fn execute(handle: &Handle, name: &str, arg: Value) -> Result<Value> {
    match name {
        command::LOAD => json(load::run(handle, parse_args(arg, "path")?).await),
        command::SET_DIFF_BASE => json(diff_base::run(handle, parse_args(arg, "path")?).await),
        command::SELECT_SAMPLE_TYPE => json(sample_type::select(handle, parse_args(arg, "name")?).await),
        command::TOGGLE => json(toggle::run(handle, parse_args(arg, "enabled")?).await),
        command::TOGGLE_PER_OP => json(toggle::per_op(handle, parse_args(arg, "enabled")?).await),
        command::RUN_BENCHMARK => json(run_benchmark::run(handle, parse_args(arg, "name")?).await),
        command::SHOW_FUNCTION => json(show_function::run(handle, parse_args(arg, "function")?).await),
        command::SET_FILTERS => json(filters::run(handle, parse_args(arg, "focus")?).await),
        command::OPEN_WEB => json(open_web::run(handle).await),
        command::STATUS => json(handle.read(arg, |s, _: Value| Ok(status::of(s))).await),
        command::LIST_SAMPLE_TYPES => json(handle.read(arg, |s, _: Value| sample_type::list(s)).await),
        command::TOP => json(handle.read(parse_args(arg, "n")?, top::handle).await),
        command::UNRESOLVED => json(handle.read(arg, |s, _: Value| unresolved::handle(s)).await),
        command::LIST_PROFILES => json(handle.read(arg, |s, _: Value| profiles::handle(s)).await),
        command::HEAT => json(handle.read(parse_args(arg, "uri")?, heat::handle).await),
        command::GROWTH => json(handle.read(parse_args(arg, "sampleType")?, growth::handle).await),
        command::LEAKS => json(handle.read(arg, leaks::handle).await),
        command::FLEET_DESCRIBE => json(fleet_describe::run(handle, arg).await),
        other => Err(format!("unknown command {other}").into()),
    }
}

fn json<T: Serialize>(result: Result<T>) -> Result<Value> {
    result.and_then(|v| serde_json::to_value(v).map_err(|e| Failure::Internal(e.to_string())))
}
