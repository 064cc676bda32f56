//! `pprof-lsp watch`: polls a live endpoint (or re-reads a file) and shows
//! which lines grow fastest, as a table redrawn after each snapshot or, with
//! `--json`, as one `pprof.growth` object after the last.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{anyhow, bail, Result};
use clap::Args;

use crate::analysis::growth::{self, GrowthError, Recorded, MIN_SNAPSHOTS};
use crate::analysis::{self};
use crate::profile::{DecodeOptions, Profile};
use crate::report::growth::{self as growth_report, GrowthReportOptions};
use crate::source::live::{clock_utc, LiveOptions, Outcome, Poller};
use crate::source::load::{MergedSource, ProfileSource};
use crate::report::labels;

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// A `http(s)://…/debug/pprof/<name>` URL, or a profile file (re-read each time);
    /// several (the replicas of a service) are polled each on its own and merged,
    /// and the growth is that of them all.
    #[arg(required = true, num_args = 1..)]
    pub sources: Vec<String>,
    /// Time between snapshots, with a unit: 500ms, 5s, 1m.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub interval: Duration,
    /// Stop after this many snapshots (at least 3); without it, run until Ctrl-C.
    #[arg(long, value_parser = parse_count)]
    pub count: Option<u64>,
    /// Sample type: inuse_space, inuse_objects, goroutine or goroutineleak (default: the
    /// profile's default if it is one of these, else the first of them).
    #[arg(long = "sample-index", alias = "sample_index")]
    pub sample_index: Option<String>,
    /// Print one `pprof.growth` JSON object after the last snapshot (needs --count).
    #[arg(long, requires = "count")]
    pub json: bool,
    /// Snapshots the growth is computed over (the latest ones).
    #[arg(long, default_value_t = 20)]
    pub history: usize,
    /// Show at most N lines (default: 20 in the table, all in JSON).
    #[arg(long)]
    pub nodecount: Option<usize>,
    /// Refuse responses and profiles larger than this many bytes.
    #[arg(long = "max-profile-bytes", default_value_t = DecodeOptions::default().max_decompressed_bytes)]
    pub max_profile_bytes: u64,
}

fn parse_count(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if n >= MIN_SNAPSHOTS as u64 => Ok(n),
        _ => Err(format!("growth needs at least {MIN_SNAPSHOTS} snapshots")),
    }
}

/// Reads `500ms`, `2s`, `1.5m`, `1h`: a positive number and a unit.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale = match unit.trim() {
        "ms" => 1e-3,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "" => return Err(format!("{text:?} needs a unit: ms, s, m or h (e.g. 5s)")),
        other => return Err(format!("unknown unit {other:?} in {text:?}: use ms, s, m or h")),
    };
    match number.parse::<f64>() {
        Ok(n) if n > 0.0 && (n * scale) < 1e9 => Ok(Duration::from_secs_f64(n * scale)),
        _ => Err(format!("{text:?} is not a positive duration (e.g. 500ms, 5s, 1m)")),
    }
}

/// Runs until `--count` snapshots (or forever); returns what is left to
/// print at the end (the JSON object, or nothing after the last table).
pub fn run(a: &WatchArgs) -> Result<String> {
    let source = match a.sources.as_slice() {
        [one] => Poller::parse_source(one)?,
        several => {
            let parts = several.iter().map(|s| Poller::parse_source(s)).collect::<Result<Vec<_>, _>>()?;
            let name = format!("{} sources", parts.len());
            ProfileSource::Merged(std::sync::Arc::new(MergedSource { name, parts }))
        }
    };
    let options = LiveOptions {
        interval: a.interval,
        history: a.history,
        max_bytes: a.max_profile_bytes,
        // Watching prints growth: the state types are enough.
        every_type: false,
        ..Default::default()
    };
    let mut poller = Poller::new(source, options)?;
    let terminal = std::io::stdout().is_terminal();
    let mut taken = 0u64;
    let mut sample_type: Option<String> = None;
    loop {
        let started = Instant::now();
        match poller.poll_once(SystemTime::now()) {
            Outcome::Snapshot(fetched) => {
                match fetched.recorded {
                    Recorded::Added => {}
                    Recorded::Restarted => {
                        eprintln!("{}: the profile's sample types changed; growth starts again", poller.source());
                        sample_type = None;
                    }
                    Recorded::NoStateTypes => bail!(
                        "{}: growth needs inuse_space, inuse_objects, goroutine or goroutineleak values; this profile has {}",
                        poller.source(),
                        type_names(&fetched.profile)
                    ),
                    Recorded::InvalidTime => bail!("the system clock gave an invalid time"),
                }
                if sample_type.is_none() {
                    sample_type = Some(choose_type(&fetched.profile, &poller.growth_types(), a.sample_index.as_deref())?);
                }
                taken += 1;
                if let Some(outage) = fetched.resumed {
                    eprintln!(
                        "{}: reachable again; it failed {} {} since {}",
                        poller.source(),
                        outage.failures,
                        if outage.failures == 1 { "poll" } else { "polls" },
                        clock_utc(outage.since)
                    );
                }
                let name = sample_type.as_deref().unwrap_or_default();
                if a.json {
                    eprintln!("snapshot {taken}/{} at {}", a.count.unwrap_or(0), clock_utc(SystemTime::now()));
                } else if !draw(&poller, name, taken, a, terminal) {
                    // stdout was closed (`| head`): nobody is watching.
                    return Ok(String::new());
                }
            }
            Outcome::Failed { error, since, failures, retry_in } => {
                if taken == 0 {
                    return Err(anyhow!(error));
                }
                eprintln!(
                    "{error}; unreachable since {} ({failures} failed {}), retrying in {}",
                    clock_utc(since),
                    if failures == 1 { "poll" } else { "polls" },
                    growth_report::duration_label(retry_in.as_secs_f64())
                );
            }
            Outcome::Unchanged { error } => eprintln!("{error}"),
        }
        if a.count.is_some_and(|n| taken >= n) {
            break;
        }
        std::thread::sleep(poller.next_delay().saturating_sub(started.elapsed()));
    }
    if !a.json {
        return Ok(String::new());
    }
    let name = sample_type.unwrap_or_default();
    let growth = poller.growth(&name)?;
    let options = GrowthReportOptions { limit: a.nodecount };
    Ok(growth_report::to_json(&growth_report::report(&growth, &options)))
}

fn type_names(profile: &Profile) -> String {
    let names: Vec<&str> = profile.sample_types.iter().map(|t| t.name.as_str()).collect();
    if names.is_empty() {
        "no sample types".into()
    } else {
        names.join(", ")
    }
}

/// The sample type to show: the one asked for (which must describe current
/// state), else the profile's default if it does, else the first that does.
pub(crate) fn choose_type(profile: &Profile, tracked: &[String], asked: Option<&str>) -> Result<String> {
    let chosen = analysis::select(profile, asked).map_err(|e| anyhow!(e))?;
    let name = &profile.sample_types[chosen.0].name;
    if growth::is_state_type(name) {
        return Ok(name.clone());
    }
    if asked.is_some() {
        bail!("{name} is a total since the program started, not a current state: growth applies to inuse_space, inuse_objects, goroutine and goroutineleak");
    }
    tracked.first().cloned().ok_or_else(|| anyhow!("the profile has no state sample type"))
}

/// Redraws the table (in place on a terminal, one after another otherwise);
/// false if stdout is gone.
fn draw(poller: &Poller, sample_type: &str, taken: u64, a: &WatchArgs, terminal: bool) -> bool {
    let history = poller.history();
    let mut header = vec![match (poller.delta_label(), poller.replicas()) {
        (Some(delta), _) => format!("Source: {} ({delta})", poller.source()),
        (None, Some(r)) => {
            let sources = labels::sources(r.answering, r.total, r.noun, &r.down_since(clock_utc));
            format!("Source: {} ({sources})", poller.source())
        }
        (None, None) => format!("Source: {}", poller.source()),
    }];
    header.push(format!(
        "Snapshot {taken}{} at {}, every {}, growth over the last {}",
        a.count.map(|n| format!(" of {n}")).unwrap_or_default(),
        clock_utc(SystemTime::now()),
        growth_report::duration_label(a.interval.as_secs_f64()),
        history.capacity()
    ));
    let options = GrowthReportOptions { limit: Some(a.nodecount.unwrap_or(20)) };
    let body = match poller.growth(sample_type) {
        Ok(growth) => growth_report::render(&growth, &options, &header),
        Err(GrowthError::TooFewSnapshots { have }) => {
            format!("{}\nType: {sample_type}\nCollecting snapshots: {have} of the {MIN_SNAPSHOTS} growth needs\n", header.join("\n"))
        }
        Err(e) => format!("{}\n{e}\n", header.join("\n")),
    };
    let mut out = std::io::stdout().lock();
    let clear = if terminal { "\x1b[H\x1b[2J" } else if taken > 1 { "\n" } else { "" };
    write!(out, "{clear}{body}").and_then(|()| out.flush()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5m"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("5").unwrap_err(), "\"5\" needs a unit: ms, s, m or h (e.g. 5s)");
        assert_eq!(parse_duration("5d").unwrap_err(), "unknown unit \"d\" in \"5d\": use ms, s, m or h");
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("1.2.3s").is_err());
    }
}
