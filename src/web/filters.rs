//! pprof's filters as the web view carries them, and the one place they are
//! applied to a request's profile.
//!
//! The filters themselves (`analysis::filter`, pprof's semantics and regex
//! syntax) are not part of this build yet. Until they are, [`apply`]
//! refuses any filter with a message the page shows, rather than showing
//! an unfiltered profile under a URL that names a filter.

use serde::{Deserialize, Serialize};

use super::{Indexed, WebData};

/// pprof's filters, each a regular expression (`None`: not set). The
/// fields are those of `analysis::filter::Filters`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterParams {
    pub focus: Option<String>,
    pub ignore: Option<String>,
    pub hide: Option<String>,
    pub show: Option<String>,
    pub show_from: Option<String>,
    pub tagfocus: Option<String>,
    pub tagignore: Option<String>,
}

impl FilterParams {
    /// Each filter set, with pprof's option name.
    pub fn active(&self) -> Vec<(&'static str, &str)> {
        [
            ("focus", &self.focus),
            ("ignore", &self.ignore),
            ("hide", &self.hide),
            ("show", &self.show),
            ("show_from", &self.show_from),
            ("tagfocus", &self.tagfocus),
            ("tagignore", &self.tagignore),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
        .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.active().is_empty()
    }

    /// `focus=catalog ignore=runtime`.
    pub fn describe(&self) -> String {
        self.active().iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join(" ")
    }
}

/// The host's profile (and base) with `filters` applied, indexed. Called
/// only with at least one filter set; the result is remembered per
/// generation and filters.
pub(crate) fn apply(_data: &WebData, filters: &FilterParams) -> Result<Indexed, String> {
    // Pending: `analysis::filter::apply` on the profile and on the base,
    // then `Index::build` / `Index::build_diff` of the results.
    Err(format!(
        "pprof's filters are not available in this build yet, so {} cannot be applied",
        filters.describe()
    ))
}
