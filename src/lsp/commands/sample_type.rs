//! `pprof.listSampleTypes` and `pprof.selectSampleType`.

use std::sync::Arc;

use crate::analysis::{units, SampleType};

use super::super::protocol::{SampleTypeInfo, SelectSampleTypeArgs, Status};
use super::super::session::Handle;
use super::super::snapshot::Snapshot;
use super::super::failure::Result;
use super::super::status;

pub fn list(snapshot: &Snapshot) -> Result<Vec<SampleTypeInfo>> {
    let Some(view) = &snapshot.view else { return Ok(Vec::new()) };
    let index = view.index();
    Ok(index
        .sample_types()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let total = view.loaded().total(SampleType(i));
            SampleTypeInfo {
                name: t.name.clone(),
                unit: t.unit.clone(),
                total,
                total_label: units::label(total, &t.unit),
                active: SampleType(i) == view.sample_type(),
            }
        })
        .collect())
}

/// Shows another sample type of the shown profile. The name is checked
/// against the profile shown when the switch happens, in the same step
/// that makes the new view, so a load in between cannot make it invalid.
pub async fn select(handle: &Handle, args: SelectSampleTypeArgs) -> Result<Status> {
    if args.name.trim().is_empty() {
        return Err("pprof.selectSampleType needs {\"name\": …}".into());
    }
    select_named(handle, &args.name)?;
    handle.changed().await;
    Ok(status::of(&handle.snapshot()))
}

/// The switch itself, without telling the client.
pub fn select_named(handle: &Handle, name: &str) -> Result<()> {
    let (_, result) = handle.update(|s| {
        let view = s.view.as_ref().ok_or("no profile is loaded")?;
        let next = view.with_sample_type(name).map_err(|e| e.to_string())?;
        s.view = Some(Arc::new(next));
        Ok(())
    });
    result
}
