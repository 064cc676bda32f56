//! The one place the web view applies pprof's filters to a profile: the
//! host's, when a URL sets filters other than the host's, and the CLI's at
//! start. The filtering itself is [`crate::analysis::filter::filter_profiles`],
//! the same as the CLI's.

use crate::analysis::filter::{self, FilterError, Filters};

use super::{Indexed, IndexedProfile};

/// `raw` (a profile and its base, unfiltered) with `filters` applied as
/// pprof applies them, indexed, with pprof's totals (those before
/// filtering) and its notes.
pub fn apply(raw: &dyn IndexedProfile, filters: &Filters) -> Result<Indexed, FilterError> {
    filter::filter_profiles(raw.profile(), raw.base(), filters).map(Indexed::from)
}
