//! Every label the editor shows, in one place: hints, lenses, hover rows,
//! call weights, hot entries and the status line. Values are formatted the
//! way pprof formats them (`10MB`, `204.61ms`, `65.47%`).

use serde::{Deserialize, Serialize};

use crate::analysis::units::{label, percent};
use crate::analysis::Cost;
use crate::profile::ValueType;

/// Which values an inlay hint shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HintFormat {
    /// `10MB flat · 10MB cum (46.11%)` (flat left out when zero).
    #[default]
    FlatCum,
    /// `10MB cum (46.11%)`.
    Cum,
    /// `10MB flat (46.11%)`.
    Flat,
}

/// `10MB flat · 10MB cum (46.11%)`, with flat left out when it is zero.
pub fn hint(cost: Cost, total: i64, unit: &str) -> String {
    let cum = cum_only(cost.cum, total, unit);
    if cost.flat == 0 {
        cum
    } else {
        format!("{} flat · {cum}", label(cost.flat, unit))
    }
}

fn cum_only(cum: i64, total: i64, unit: &str) -> String {
    format!("{} cum ({})", label(cum, unit), percent(cum, total))
}

/// An inlay hint's label in the chosen format.
pub fn hint_in(format: HintFormat, cost: Cost, total: i64, unit: &str) -> String {
    match format {
        HintFormat::FlatCum => hint(cost, total, unit),
        HintFormat::Cum => cum_only(cost.cum, total, unit),
        HintFormat::Flat => format!("{} flat ({})", label(cost.flat, unit), percent(cost.flat, total)),
    }
}

/// What a hint on a line edited since the load adds to its label.
pub const STALE_SUFFIX: &str = " (stale: line edited since the profile was loaded)";

/// `inuse_space: 10MB flat, 10MB cum (46.11%)`: a function's lens.
pub fn function(ty: &ValueType, cost: Cost, total: i64) -> String {
    format!("{}: {} flat, {} cum ({})", ty.name, label(cost.flat, &ty.unit), label(cost.cum, &ty.unit), percent(cost.cum, total))
}

/// A code lens's title: the function's costs and what clicking does.
pub fn lens(ty: &ValueType, cost: Cost, total: i64) -> String {
    format!("{} · callers", function(ty, cost, total))
}

/// `inuse_space: 10MB flat (65.47%), 10MB cum (65.47%)`: one sample type's
/// row of a hover or tooltip.
pub fn sample_type_row(ty: &ValueType, cost: Cost, total: i64) -> String {
    format!(
        "{}: {} flat ({}), {} cum ({})",
        ty.name,
        label(cost.flat, &ty.unit),
        percent(cost.flat, total),
        label(cost.cum, &ty.unit),
        percent(cost.cum, total)
    )
}

/// `10MB (65.47%)`: a value and its share.
pub fn share(value: i64, total: i64, unit: &str) -> String {
    format!("{} ({})", label(value, unit), percent(value, total))
}

/// `10MB inuse_space (65.47%)`: a call's weight, naming the sample type.
pub fn call(ty: &ValueType, value: i64, total: i64) -> String {
    format!("{} {} ({})", label(value, &ty.unit), ty.name, percent(value, total))
}

/// `heap.pb.gz · inuse_space 15.27MB`: the status line of a shown profile.
pub fn status_summary(name: &str, ty: &ValueType, total: i64) -> String {
    format!("{name} · {} {}", ty.name, label(total, &ty.unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let mb10 = 10 * 1024 * 1024;
        let space = ValueType::new("inuse_space", "bytes");
        assert_eq!(hint(Cost { flat: mb10, cum: mb10 }, 22740000, "bytes"), "10MB flat · 10MB cum (46.11%)");
        assert_eq!(hint(Cost { flat: 0, cum: 283453 }, 1000000, "bytes"), "276.81kB cum (28.35%)");
        assert_eq!(hint_in(HintFormat::Cum, Cost { flat: 5, cum: 10 }, 100, "count"), "10 cum (10.00%)");
        assert_eq!(hint_in(HintFormat::Flat, Cost { flat: 5, cum: 10 }, 100, "count"), "5 flat (5.00%)");
        assert_eq!(function(&space, Cost { flat: mb10, cum: mb10 }, 22740000), "inuse_space: 10MB flat, 10MB cum (46.11%)");
        assert_eq!(lens(&space, Cost { flat: 0, cum: mb10 }, 22740000), "inuse_space: 0 flat, 10MB cum (46.11%) · callers");
        assert_eq!(sample_type_row(&space, Cost { flat: 1024, cum: 2048 }, 4096), "inuse_space: 1kB flat (25.00%), 2kB cum (50.00%)");
        assert_eq!(share(1024, 4096, "bytes"), "1kB (25.00%)");
        assert_eq!(call(&space, 1024, 4096), "1kB inuse_space (25.00%)");
        assert_eq!(status_summary("heap.pb.gz", &space, mb10), "heap.pb.gz · inuse_space 10MB");
    }
}
