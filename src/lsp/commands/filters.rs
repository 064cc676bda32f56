//! `pprof.setFilters` and the `filters` setting: pprof's focus, ignore,
//! hide, show, tagfocus and tagignore (and show_from), applied to the shown
//! profile and every later load, so hints, lenses, hovers, `pprof.top`,
//! heat and the web view all show the filtered profile, and a live
//! source's growth is recorded through them. The filtering is done once
//! per change, not per request.

use std::sync::Arc;

use crate::analysis::filter::Filters;

use super::super::config::{checked_filters, filter_error};
use super::super::live_state::LiveState;
use super::super::protocol::Status;
use super::super::session::Handle;
use super::super::failure::Result;
use super::super::status;

/// `{}` clears every filter; a bad one is an error naming it, and the
/// filters before stay.
pub async fn run(handle: &Handle, args: Filters) -> Result<Status> {
    set(handle, args).await?;
    handle.changed().await;
    Ok(status::of(&handle.snapshot()))
}

/// Makes `filters` the session's and filters the shown profile with them,
/// without telling the client.
pub async fn set(handle: &Handle, filters: Filters) -> Result<()> {
    let (filters, errors) = checked_filters(&filters);
    if let Some(error) = errors.first() {
        return Err(error.to_string().into());
    }
    // Loads apply the session's filters while holding this lock.
    let one_at_a_time = handle.session.load_lock.lock().await;
    let snapshot = handle.snapshot();
    if *snapshot.filters == filters {
        return Ok(());
    }
    let shown = snapshot.view.clone();
    let wanted = filters.clone();
    let refiltered = tokio::task::spawn_blocking(move || {
        shown.map(|view| view.loaded().with_filters(&wanted).map(|loaded| (view, loaded))).transpose()
    })
    .await
    .map_err(|e| format!("filtering stopped: {e}"))?
    .map_err(|e| filter_error(&e))?;
    handle.update(|s| {
        s.filters = Arc::new(filters);
        // A live source's growth was recorded through the filters before;
        // its poller starts the history again at the next poll.
        if let Some(live) = &s.live {
            let mut fresh = LiveState::clone(live);
            fresh.growth.clear();
            fresh.snapshots = 0;
            s.live = Some(Arc::new(fresh));
        }
        if let Some((was, loaded)) = refiltered {
            // The same profile, though perhaps another sample type by now.
            if let Some(now) = s.view.as_ref().filter(|v| Arc::ptr_eq(&v.loaded().unfiltered(), &was.loaded().unfiltered())) {
                s.view = Some(Arc::new(now.with_loaded(loaded)));
            }
        }
    });
    drop(one_at_a_time);
    Ok(())
}
