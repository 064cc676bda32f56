//! The lines pprof prints above a report: `File:`, `Build ID:`, comments,
//! `Type:`, `Doc:`, `Time:` and `Duration: …, Total samples = …`, each only
//! when the profile has what it shows.
//!
//! `Time:` is always printed in UTC, as `go tool pprof` prints it with
//! `TZ=UTC`: the local zone is the environment's, and the reports stay
//! pure and reproducible.

use crate::analysis::filter::Filters;
use crate::analysis::units::{self, OutputUnit};
use crate::profile::{base_name, Profile};

/// The profile-wide facts the header shows. For a diff, pprof merges the
/// profile and its base first, and so does [`Header::of`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// The first mapping's file name, if it has one.
    pub file: Option<String>,
    pub build_id: String,
    pub comments: Vec<String>,
    pub doc_url: String,
    pub time_nanos: i64,
    pub duration_nanos: i64,
}

impl Header {
    /// The header of `profiles` merged as pprof merges a profile with its
    /// base: the first mapping found; comments without repeats; the doc
    /// URL found first; durations added up; the earliest time (a zero
    /// time only counts when met after a non-zero one, as in pprof).
    pub fn of(profiles: &[&Profile]) -> Header {
        let mut h = Header::default();
        let mut mapping_seen = false;
        for p in profiles {
            if !mapping_seen {
                if let Some(m) = p.mappings.first() {
                    mapping_seen = true;
                    h.file = Some(m.filename.clone()).filter(|f| !f.is_empty());
                    h.build_id = m.build_id.clone();
                }
            }
            for c in &p.comments {
                if !h.comments.contains(c) {
                    h.comments.push(c.clone());
                }
            }
            if h.doc_url.is_empty() {
                h.doc_url = p.doc_url.clone();
            }
            if h.time_nanos == 0 || p.time_nanos < h.time_nanos {
                h.time_nanos = p.time_nanos;
            }
            h.duration_nanos = h.duration_nanos.wrapping_add(p.duration_nanos);
        }
        h
    }

    /// The header lines for sample type `type_name` measured in `unit`,
    /// whose total is `total`, printed in `output_unit`.
    pub fn lines(&self, type_name: &str, unit: &str, total: i64, output_unit: &OutputUnit) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(file) = &self.file {
            out.push(format!("File: {}", base_name(file)));
        }
        if !self.build_id.is_empty() {
            out.push(format!("Build ID: {}", self.build_id));
        }
        out.extend(self.comments.iter().filter(|c| !c.starts_with('#')).cloned());
        if !type_name.is_empty() {
            out.push(format!("Type: {type_name}"));
        }
        if !self.doc_url.is_empty() {
            out.push(format!("Doc: {}", self.doc_url));
        }
        if self.time_nanos != 0 {
            out.push(format!("Time: {}", utc_time(self.time_nanos)));
        }
        if self.duration_nanos != 0 {
            // The share of the duration the samples cover, for time samples.
            let share = units::nanoseconds(total, unit)
                .filter(|&ns| ns != 0.0)
                .map(|ns| format!("({})", units::percent_column(ns as i64, self.duration_nanos)))
                .unwrap_or_default();
            out.push(format!(
                "Duration: {}, Total samples = {} {share}",
                units::label(self.duration_nanos, "nanoseconds"),
                units::scaled_label(total, unit, output_unit)
            ));
        }
        out
    }
}

/// The lines pprof prints after the header when filters are set:
/// `Active filters:`, then `   focus=…` for each, a value longer than 80
/// bytes cut there and followed by `…`.
pub fn active_filters(filters: &Filters) -> Vec<String> {
    let active = filters.active();
    if active.is_empty() {
        return Vec::new();
    }
    let mut out = vec!["Active filters:".to_string()];
    for (kind, value) in active {
        let line = format!("{kind}={value}");
        if line.len() <= 80 {
            out.push(format!("   {line}"));
        } else {
            // pprof cuts at byte 80 even inside a character; a string
            // cannot, so the cut moves back to that character's start.
            let cut = (0..=80).rev().find(|&i| line.is_char_boundary(i)).unwrap_or(0);
            out.push(format!("   {}…", &line[..cut]));
        }
    }
    out
}

/// A moment in UTC, split into calendar fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UtcTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanosecond: u32,
}

impl UtcTime {
    /// The calendar time `nanos` nanoseconds after the Unix epoch.
    pub fn from_unix_nanos(nanos: i64) -> UtcTime {
        let secs = nanos.div_euclid(1_000_000_000);
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        UtcTime {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem / 60 % 60) as u32,
            second: (rem % 60) as u32,
            nanosecond: nanos.rem_euclid(1_000_000_000) as u32,
        }
    }
}

/// `2006-01-02 15:04:05 UTC`, Go's layout of pprof's `Time:` line.
fn utc_time(nanos: i64) -> String {
    let t = UtcTime::from_unix_nanos(nanos);
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", t.year, t.month, t.day, t.hour, t.minute, t.second)
}

/// The proleptic Gregorian date of a day count from 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Mapping;

    /// The header lines of `profiles` for a `count` sample type whose
    /// total is 493.
    fn lines(profiles: &[&Profile]) -> Vec<String> {
        Header::of(profiles).lines("samples", "count", 493, &OutputUnit::Auto)
    }

    #[test]
    fn only_what_the_profile_has() {
        // A legacy text profile: no mapping, time or duration.
        assert_eq!(lines(&[&Profile::default()]), ["Type: samples"]);
        let p = Profile {
            mappings: vec![Mapping { build_id: "abc".into(), ..Default::default() }],
            comments: vec!["# hidden".into(), "shown".into()],
            doc_url: "https://example.com/doc".into(),
            duration_nanos: 2_510_000_000,
            ..Default::default()
        };
        // No file name, so no `File:`; a count total gets no share of the
        // duration, but keeps the space before it.
        assert_eq!(
            lines(&[&p]),
            ["Build ID: abc", "shown", "Type: samples", "Doc: https://example.com/doc", "Duration: 2.51s, Total samples = 493 "]
        );
    }

    #[test]
    fn time_samples_show_their_share_of_the_duration() {
        let p = Profile { duration_nanos: 2_000_000_000, ..Default::default() };
        let h = Header::of(&[&p]).lines("cpu", "nanoseconds", 1_500_000_000, &OutputUnit::Fixed("ms".into()));
        assert_eq!(h, ["Type: cpu", "Duration: 2s, Total samples = 1500ms (75.00%)"]);
    }

    /// A diff's header is that of the profile and its base merged: the
    /// first mapping, comments once, durations added, the earliest time.
    #[test]
    fn a_diff_merges_the_headers() {
        let mapping = |file: &str| Mapping { filename: file.into(), ..Default::default() };
        let new = Profile { mappings: vec![mapping("/bin/new")], comments: vec!["c".into()], time_nanos: 2_000_000_000, duration_nanos: 1_000_000_000, ..Default::default() };
        let base = Profile { mappings: vec![mapping("/bin/base")], comments: vec!["c".into()], time_nanos: 1_000_000_000, duration_nanos: 1_000_000_000, ..Default::default() };
        let h = Header::of(&[&new, &base]);
        assert_eq!((h.file.as_deref(), h.comments.len(), h.time_nanos, h.duration_nanos), (Some("/bin/new"), 1, 1_000_000_000, 2_000_000_000));
        // A base without a time makes the merged time zero, as in pprof.
        let untimed = Profile { time_nanos: 0, ..Default::default() };
        assert_eq!(Header::of(&[&new, &untimed]).time_nanos, 0);
        assert_eq!(Header::of(&[&untimed, &new]).time_nanos, 2_000_000_000);
    }

    #[test]
    fn active_filters_are_listed_in_pprofs_order_and_cut_at_80_bytes() {
        assert!(active_filters(&Filters::default()).is_empty());
        let long = "x".repeat(100);
        let f = Filters { tagfocus: Some("role=ingest".into()), focus: Some(long.clone()), hide: Some(String::new()), ..Filters::default() };
        let want = ["Active filters:".to_string(), format!("   focus={}…", &long[..74]), "   tagfocus=role=ingest".to_string()];
        assert_eq!(active_filters(&f), want);
        // Exactly 80 bytes is not cut; a cut inside a character moves back.
        let f = Filters { focus: Some("y".repeat(74)), show: Some(format!("{}é", "z".repeat(74))), ..Filters::default() };
        assert_eq!(active_filters(&f)[1], format!("   focus={}", "y".repeat(74)));
        assert_eq!(active_filters(&f)[2], format!("   show={}…", "z".repeat(74)));
    }

    #[test]
    fn times_are_go_layout_in_utc() {
        assert_eq!(utc_time(0), "1970-01-01 00:00:00 UTC");
        // 2000-02-29 12:34:56.789 UTC
        assert_eq!(utc_time(951_827_696_789_000_000), "2000-02-29 12:34:56 UTC");
        // Before the epoch, seconds round down as Go's time.Unix does.
        assert_eq!(utc_time(-1), "1969-12-31 23:59:59 UTC");
    }

}
