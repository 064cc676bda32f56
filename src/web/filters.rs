//! The one place the web view applies pprof's filters
//! ([`crate::analysis::filter`]) to a profile: the host's, when a URL sets
//! filters other than the host's, and the CLI's at start.

use std::sync::Arc;

use crate::analysis::filter::{self, Filter, Filters};
use crate::analysis::{Index, SampleType};

use super::{Indexed, IndexedProfile};

/// `raw` (a profile and its base, unfiltered) with `filters` applied as
/// pprof applies them (one compiled filter for both), indexed, with
/// pprof's totals: those before filtering.
pub fn apply(raw: &dyn IndexedProfile, filters: &Filters) -> Result<Indexed, String> {
    let (profile, base) = (raw.profile(), raw.base());
    let profiles: Vec<_> = std::iter::once(profile).chain(base).collect();
    let filter = Filter::new(filters, &profiles).map_err(|e| e.to_string())?;
    let totals = (0..raw.index().sample_types().len()).map(|t| filter::unfiltered_total(profile, base, SampleType(t))).collect();
    let filtered = Arc::new(filter.apply(profile).profile);
    let filtered_base = base.map(|b| Arc::new(filter.apply_base(b).profile));
    let index = match &filtered_base {
        None => Index::build(&filtered),
        Some(b) => Index::build_diff(&filtered, b).map_err(|e| e.to_string())?,
    };
    Ok(Indexed { profile: filtered, base: filtered_base, index, totals: Some(totals) })
}
