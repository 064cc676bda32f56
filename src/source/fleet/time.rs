//! The time window of a fleet query: the last N (sliding with the
//! caller's clock), or from one time to another, each given as RFC 3339,
//! Unix milliseconds, `now` or `now-<duration>`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::Window;

/// The window of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeRange {
    /// The last `Duration` before now (`"range": "1h"`).
    Last(Duration),
    /// From one point to another (`"from"`, `"to"`; `to` defaults to now).
    Between { from: TimePoint, to: TimePoint },
}

/// One end of a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimePoint {
    /// Milliseconds since the Unix epoch.
    At(i64),
    /// Now less a duration (`now`, `now-30m`).
    BeforeNow(Duration),
}

/// The window when an entry gives none, as Pyroscope's own default.
const DEFAULT_RANGE: Duration = Duration::from_secs(3600);

impl TimeRange {
    pub(super) fn from_settings(range: Option<&Value>, from: Option<&Value>, to: Option<&Value>) -> Result<TimeRange, String> {
        fn given(v: Option<&Value>) -> Option<&Value> {
            v.filter(|v| !v.is_null())
        }
        match (given(range), given(from), given(to)) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err("give either \"range\" or \"from\"/\"to\", not both".into()),
            (Some(r), None, None) => {
                let text = r.as_str().ok_or("\"range\" must be a duration such as \"1h\" or \"15m\"")?;
                Ok(TimeRange::Last(parse_duration(text).map_err(|e| format!("\"range\": {e}"))?))
            }
            (None, None, None) => Ok(TimeRange::Last(DEFAULT_RANGE)),
            (None, None, Some(_)) => Err("\"to\" needs a \"from\"".into()),
            (None, Some(f), to) => {
                let from = TimePoint::parse(f).map_err(|e| format!("\"from\": {e}"))?;
                let to = to.map(TimePoint::parse).transpose().map_err(|e| format!("\"to\": {e}"))?.unwrap_or(TimePoint::BeforeNow(Duration::ZERO));
                let range = TimeRange::Between { from, to };
                let now = SystemTime::now();
                let w = range.window(now);
                if w.start_ms >= w.end_ms {
                    return Err("\"from\" must be before \"to\"".into());
                }
                Ok(range)
            }
        }
    }

    pub(super) fn window(&self, now: SystemTime) -> Window {
        let now_ms = unix_ms(now);
        match self {
            TimeRange::Last(d) => Window { start_ms: now_ms.saturating_sub(millis(*d)), end_ms: now_ms },
            TimeRange::Between { from, to } => Window { start_ms: from.at(now_ms), end_ms: to.at(now_ms) },
        }
    }

    /// `last 1h`, or `2026-08-01 10:00 UTC → now`.
    pub fn label(&self) -> String {
        match self {
            TimeRange::Last(d) => format!("last {}", format_duration(*d)),
            TimeRange::Between { from, to } => format!("{} → {}", from.label(), to.label()),
        }
    }
}

impl TimePoint {
    fn parse(v: &Value) -> Result<TimePoint, String> {
        if let Some(ms) = v.as_i64() {
            return Ok(TimePoint::At(ms));
        }
        let text = v.as_str().ok_or("must be RFC 3339 text, Unix milliseconds, \"now\" or \"now-1h\"")?.trim();
        if text == "now" {
            return Ok(TimePoint::BeforeNow(Duration::ZERO));
        }
        if let Some(d) = text.strip_prefix("now-") {
            return parse_duration(d).map(TimePoint::BeforeNow);
        }
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return text.parse().map(TimePoint::At).map_err(|_| format!("{text:?} is too large"));
        }
        parse_rfc3339(text).map(TimePoint::At).ok_or_else(|| format!("{text:?} is not RFC 3339 (2026-08-01T10:00:00Z), Unix milliseconds, \"now\" or \"now-1h\""))
    }

    fn at(self, now_ms: i64) -> i64 {
        match self {
            TimePoint::At(ms) => ms,
            TimePoint::BeforeNow(d) => now_ms.saturating_sub(millis(d)),
        }
    }

    fn label(self) -> String {
        match self {
            TimePoint::At(ms) => format_utc(ms),
            TimePoint::BeforeNow(d) if d.is_zero() => "now".into(),
            TimePoint::BeforeNow(d) => format!("now-{}", format_duration(d)),
        }
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn unix_ms(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => millis(d),
        Err(e) => -millis(e.duration()),
    }
}

/// `90s`, `15m`, `1h`, `1h30m`, `7d`, `2w`.
pub(super) fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration such as \"15m\", \"1h\" or \"7d\"");
    let mut total = 0u64;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        let unit_end = rest[digits..].find(|c: char| c.is_ascii_digit()).map_or(rest.len(), |i| digits + i);
        let seconds = match &rest[digits..unit_end] {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return Err(bad()),
        };
        total = n.checked_mul(seconds).and_then(|s| total.checked_add(s)).ok_or_else(bad)?;
        rest = &rest[unit_end..];
    }
    if total == 0 {
        return Err(format!("{text:?} is an empty window"));
    }
    Ok(Duration::from_secs(total))
}

/// The shortest of `1h30m`-style text for whole seconds.
fn format_duration(d: Duration) -> String {
    let mut s = d.as_secs();
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if s >= size {
            out.push_str(&format!("{}{unit}", s / size));
            s %= size;
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` as Unix milliseconds.
fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(range)?;
        s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok()).flatten()
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if b[i] == b'.' {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = text.get(start..i).filter(|f| !f.is_empty())?;
        millis = format!("{frac:0<3}")[..3].parse().ok()?;
    }
    let offset_minutes = match text.get(i..)? {
        "Z" | "z" => 0,
        zone if zone.len() == 6 && matches!(zone.as_bytes()[0], b'+' | b'-') && zone.as_bytes()[3] == b':' => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            sign * (num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?)
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// `2026-08-01 10:00 UTC` (seconds shown only when not zero).
fn format_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    let (h, mi, s) = (t / 3600, t % 3600 / 60, t % 60);
    if s == 0 {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC")
    }
}
