//! Value labels in pprof's style: `10MB`, `276.81kB`, `204.61ms`, `68.41%`.
//!
//! Bytes scale by 1024 (B, kB, MB, GB, TB, PB); times by their own factors
//! (ns, us, ms, s, hrs); anything else is printed as a plain number.

/// A family of units that convert into each other.
struct UnitFamily {
    /// (label, aliases, size in the smallest unit)
    units: &'static [(&'static str, &'static [&'static str], f64)],
    /// Label used when a value is too small for any unit.
    fallback: (&'static str, f64),
}

const FAMILIES: &[UnitFamily] = &[BYTES, TIME];

const BYTES: UnitFamily = UnitFamily {
    units: &[
        ("B", &["b", "byte"], 1.0),
        ("kB", &["kb", "kbyte", "kilobyte"], 1024.0),
        ("MB", &["mb", "mbyte", "megabyte"], 1048576.0),
        ("GB", &["gb", "gbyte", "gigabyte"], 1073741824.0),
        ("TB", &["tb", "tbyte", "terabyte"], 1099511627776.0),
        ("PB", &["pb", "pbyte", "petabyte"], 1125899906842624.0),
    ],
    fallback: ("B", 1.0),
};

const TIME: UnitFamily = UnitFamily {
    units: &[
        ("ns", &["ns", "nanosecond"], 1.0),
        ("us", &["μs", "us", "microsecond"], 1e3),
        ("ms", &["ms", "millisecond"], 1e6),
        ("s", &["s", "sec", "second"], 1e9),
        ("hrs", &["hour", "hr"], 3.6e12),
    ],
    fallback: ("s", 1e9),
};

impl UnitFamily {
    /// Finds the unit a profile's unit string names, if it is in this family.
    fn find(&self, unit: &str) -> Option<f64> {
        let mut unit = unit.to_lowercase();
        if unit.len() > 2 && unit.ends_with('s') {
            unit.pop();
        }
        self.units.iter().find(|(_, aliases, _)| aliases.contains(&unit.as_str())).map(|u| u.2)
    }

    /// The largest unit in which `value` (in the smallest unit) is at least 1.
    fn auto(&self, value: f64) -> (f64, &'static str) {
        self.units
            .iter().rfind(|(_, _, f)| value / f >= 1.0)
            .map(|(name, _, f)| (value / f, *name))
            .unwrap_or((value / self.fallback.1, self.fallback.0))
    }

    fn named(&self, name: &str) -> Option<(&'static str, f64)> {
        self.find(name).and_then(|f| self.units.iter().find(|u| u.2 == f).map(|u| (u.0, u.2)))
    }
}

/// The unit to print in: pick per value, or one fixed unit such as `MB`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum OutputUnit {
    #[default]
    Auto,
    Fixed(String),
}

/// Converts `value` measured in `unit` into a number and a unit label.
pub fn scale(value: i64, unit: &str, to: &OutputUnit) -> (f64, String) {
    if value < 0 && value != i64::MIN {
        let (v, u) = scale(-value, unit, to);
        return (-v, u);
    }
    for family in FAMILIES {
        let Some(factor) = family.find(unit) else { continue };
        let base = value as f64 * factor;
        return match to {
            OutputUnit::Auto => {
                let (v, u) = family.auto(base);
                (v, u.to_string())
            }
            OutputUnit::Fixed(name) => match family.named(name) {
                Some((label, f)) => (base / f, label.to_string()),
                None => (base / family.fallback.1, family.fallback.0.to_string()),
            },
        };
    }
    match to {
        OutputUnit::Fixed(name) if !matches!(name.as_str(), "count" | "sample" | "unit" | "minimum" | "auto") => {
            (value as f64, name.clone())
        }
        _ => (value as f64, String::new()),
    }
}

/// Whether values in `a` and in `b` convert into each other, as pprof's
/// merge asks: the same unit, or two units of one family.
pub fn convertible(a: &str, b: &str) -> bool {
    a == b || FAMILIES.iter().any(|f| f.find(a).is_some() && f.find(b).is_some())
}

/// `value` measured in `unit` as nanoseconds, when `unit` is a time unit.
pub fn nanoseconds(value: i64, unit: &str) -> Option<f64> {
    TIME.find(unit).map(|factor| value as f64 * factor)
}

/// `value` as pprof labels it: two decimals, a trailing `.00` dropped.
pub fn label(value: i64, unit: &str) -> String {
    scaled_label(value, unit, &OutputUnit::Auto)
}

pub fn scaled_label(value: i64, unit: &str, to: &OutputUnit) -> String {
    let (v, u) = scale(value, unit, to);
    let text = format!("{v:.2}");
    let text = text.strip_suffix(".00").unwrap_or(&text);
    if text == "0" || text == "-0" {
        return "0".to_string();
    }
    format!("{text}{u}")
}

/// `value` as a share of `total`, e.g. `46.11%`.
pub fn percent(value: i64, total: i64) -> String {
    format!("{:.2}%", ratio(value, total) * 100.0)
}

fn ratio(value: i64, total: i64) -> f64 {
    if total == 0 {
        0.0
    } else {
        value as f64 / total as f64
    }
}

/// The fixed-width percentage column of pprof's text reports.
pub fn percent_column(value: i64, total: i64) -> String {
    let r = (ratio(value, total) * 100.0).abs();
    if (99.95..=100.05).contains(&r) {
        "  100%".to_string()
    } else if r >= 1.0 {
        format!("{r:5.2}%")
    } else {
        format!("{:>5}%", go_g2(r))
    }
}

/// Go's `%.2g`: two significant digits, exponent form for tiny numbers.
fn go_g2(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    // Like Go, decide between the two forms by the exponent after rounding
    // to two digits: 0.0000999 rounds to 1.0e-4 and prints as 0.0001.
    let s = format!("{v:.1e}");
    let (mantissa, e) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = e.parse().unwrap_or(0);
    if !(-4..2).contains(&exp) {
        // Rust writes `1.2e-5`; Go writes `1.2e-05`.
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    let decimals = (1 - exp).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The unit pprof's `top` picks for a whole table: the unit of the smallest
/// non-zero value, unless that is 100× below the total in another unit.
pub fn table_unit(min_value: i64, total: i64, unit: &str) -> OutputUnit {
    let min_value = if min_value == 0 { total } else { min_value };
    let (_, min_unit) = scale(min_value, unit, &OutputUnit::Auto);
    let (_, max_unit) = scale(total, unit, &OutputUnit::Auto);
    let chosen = if min_unit != max_unit && min_value.saturating_mul(100) < total {
        scale(min_value.saturating_mul(100), unit, &OutputUnit::Auto).1
    } else {
        min_unit
    };
    if chosen.is_empty() {
        OutputUnit::Auto
    } else {
        OutputUnit::Fixed(chosen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_match_pprof() {
        let cases: &[(i64, &str, &str)] = &[
            (10 * 1024 * 1024, "bytes", "10MB"),
            (283453, "bytes", "276.81kB"),
            (1719664, "bytes", "1.64MB"),
            (204_610_000, "nanoseconds", "204.61ms"),
            (512, "bytes", "512B"),
            (0, "bytes", "0"),
            (-1536, "bytes", "-1.50kB"),
            (42, "count", "42"),
            (3_600_000_000_000 * 2, "nanoseconds", "2hrs"),
            (1500, "microseconds", "1.50ms"),
        ];
        for &(v, unit, want) in cases {
            assert_eq!(label(v, unit), want, "{v} {unit}");
        }
    }

    #[test]
    fn fixed_units_give_exact_values() {
        assert_eq!(scaled_label(10485760, "bytes", &OutputUnit::Fixed("B".into())), "10485760B");
        assert_eq!(scaled_label(10485760, "bytes", &OutputUnit::Fixed("MB".into())), "10MB");
        assert_eq!(scaled_label(7, "count", &OutputUnit::Fixed("count".into())), "7");
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(4611, 10000), "46.11%");
        assert_eq!(percent_column(4611, 10000), "46.11%");
        assert_eq!(percent_column(10000, 10000), "  100%");
        assert_eq!(percent_column(5, 1000), "  0.5%");
        assert_eq!(percent_column(12, 100000), "0.012%");
        assert_eq!(percent_column(0, 100), "    0%");
        // Rounded to two digits, 0.0000999… is 0.0001, which Go prints without an exponent.
        assert_eq!(percent_column(999_999, 1_000_000_000_000), "0.0001%");
        assert_eq!(percent_column(995, 1_000_000), "  0.1%");
        assert_eq!(percent_column(999, 10_000_000), " 0.01%");
        assert_eq!(percent_column(12, 10_000_000), "0.00012%");
        assert_eq!(percent_column(1, 100_000_000), "1e-06%");
    }
}
