//! Renders a decoded profile in the layout of pprof's `Profile.String()`,
//! so that decoded corpus files can be compared with pprof's own `.string`
//! renderings line for line.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write;

use pprof_lsp::profile::{LabelValue, Location, Mapping, Profile, SampleRef};
use pprof_lsp::report::header::UtcTime;

pub fn debug_string(p: &Profile) -> String {
    let mut out: Vec<String> = Vec::new();
    for c in &p.comments {
        out.push(format!("Comment: {c}"));
    }
    if !p.doc_url.is_empty() {
        out.push(format!("Doc: {}", p.doc_url));
    }
    if let Some(pt) = &p.period_type {
        out.push(format!("PeriodType: {} {}", pt.name, pt.unit));
    }
    out.push(format!("Period: {}", p.period));
    if p.time_nanos != 0 {
        out.push(format!("Time: {}", go_time_utc(p.time_nanos)));
    }
    if p.duration_nanos != 0 {
        // `%.4v`: the duration text cut to four characters.
        out.push(format!("Duration: {}", go_duration(p.duration_nanos).chars().take(4).collect::<String>()));
    }
    out.push("Samples:".into());
    let default = p.default_sample_type.as_deref().unwrap_or("");
    let header: Vec<String> = p
        .sample_types
        .iter()
        .map(|t| format!("{}/{}{}", t.name, t.unit, if t.name == default { "[dflt]" } else { "" }))
        .collect();
    out.push(header.join(" "));
    for s in p.iter_samples() {
        out.push(sample(p, s));
    }
    out.push("Locations".into());
    for l in &p.locations {
        out.push(location(p, l));
    }
    out.push("Mappings".into());
    for m in &p.mappings {
        out.push(mapping(m));
    }
    out.join("\n") + "\n"
}

fn sample(p: &Profile, s: SampleRef<'_>) -> String {
    let mut line = String::new();
    for v in s.values {
        let _ = write!(line, " {v:>10}");
    }
    line.push_str(": ");
    for &l in s.locations {
        let _ = write!(line, "{} ", p.location(l).id);
    }
    const INDENT: &str = "                ";
    let mut strings: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut numbers: BTreeMap<&str, Vec<(i64, &str)>> = BTreeMap::new();
    for label in s.labels {
        match &label.value {
            LabelValue::Str(v) => strings.entry(&label.key).or_default().push(&**v),
            LabelValue::Num { value, unit } => numbers.entry(&label.key).or_default().push((*value, &**unit)),
        }
    }
    if !strings.is_empty() {
        let mut parts: Vec<String> = strings.iter().map(|(k, v)| format!("{k}:[{}]", v.join(" "))).collect();
        parts.sort();
        line.push_str(&format!("\n{INDENT}{}", parts.join(" ")));
    }
    if !numbers.is_empty() {
        let mut parts: Vec<String> = numbers
            .iter()
            .map(|(k, vs)| {
                let with_units = vs.iter().any(|(_, u)| !u.is_empty());
                let items: Vec<String> =
                    vs.iter().map(|(v, u)| if with_units { format!("{v} {u}") } else { v.to_string() }).collect();
                format!("{k}:[{}]", items.join(" "))
            })
            .collect();
        parts.sort();
        line.push_str(&format!("\n{INDENT}{}", parts.join(" ")));
    }
    line
}

fn location(p: &Profile, l: &Location) -> String {
    let mut head = format!("{:>6}: {:#x} ", l.id, l.address);
    if let Some(m) = l.mapping {
        let _ = write!(head, "M={} ", p.mappings[m.get()].id);
    }
    if l.is_folded {
        head.push_str("[F] ");
    }
    if l.lines.is_empty() {
        return head;
    }
    let mut rows = Vec::new();
    for (i, line) in l.lines.iter().enumerate() {
        let f = p.function(line.function);
        let mut text = format!("{} {}:{}:{} s={}", f.name, f.filename, line.line, line.column, f.start_line);
        if f.name != f.system_name {
            let _ = write!(text, "({})", f.system_name);
        }
        let prefix = if i == 0 { head.clone() } else { " ".repeat(13) };
        rows.push(prefix + &text);
    }
    rows.join("\n")
}

fn mapping(m: &Mapping) -> String {
    let mut bits = String::new();
    for (set, tag) in [
        (m.has_functions, "[FN]"),
        (m.has_filenames, "[FL]"),
        (m.has_line_numbers, "[LN]"),
        (m.has_inline_frames, "[IN]"),
    ] {
        if set {
            bits.push_str(tag);
        }
    }
    format!(
        "{}: {:#x}/{:#x}/{:#x} {} {} {}",
        m.id, m.memory_start, m.memory_limit, m.file_offset, m.filename, m.build_id, bits
    )
}

/// Go's `time.Duration.String()`.
pub fn go_duration(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let sign = if d < 0 { "-" } else { "" };
    let u = d.unsigned_abs();
    let fraction = |value: u64, digits: u32| -> String {
        let scale = 10u64.pow(digits);
        let (whole, frac) = (value / scale, value % scale);
        if frac == 0 {
            return whole.to_string();
        }
        let frac = format!("{frac:0width$}", width = digits as usize);
        format!("{whole}.{}", frac.trim_end_matches('0'))
    };
    if u < 1_000 {
        return format!("{sign}{u}ns");
    }
    if u < 1_000_000 {
        return format!("{sign}{}µs", fraction(u, 3));
    }
    if u < 1_000_000_000 {
        return format!("{sign}{}ms", fraction(u, 6));
    }
    let seconds = fraction(u % 60_000_000_000, 9);
    let minutes = u / 60_000_000_000;
    let (hours, minutes) = (minutes / 60, minutes % 60);
    if hours > 0 {
        format!("{sign}{hours}h{minutes}m{seconds}s")
    } else if minutes > 0 {
        format!("{sign}{minutes}m{seconds}s")
    } else {
        format!("{sign}{seconds}s")
    }
}

/// Go's `time.Unix(0, n).String()` in UTC.
pub fn go_time_utc(nanos: i64) -> String {
    let t = UtcTime::from_unix_nanos(nanos);
    let mut out =
        format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", t.year, t.month, t.day, t.hour, t.minute, t.second);
    if t.nanosecond != 0 {
        out.push('.');
        out.push_str(format!("{:09}", t.nanosecond).trim_end_matches('0'));
    }
    out + " +0000 UTC"
}
