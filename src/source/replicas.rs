//! Polling several sources as one profile: the replicas of a service (or
//! any files and URLs of a merged `profiles` entry), each polled on its own
//! schedule with its own backoff, and merged as `go tool pprof A B C` merges.
//!
//! - **One snapshot** is the merge of each replica's latest answer, taken
//!   at the time of the newest.
//! - **A replica that stops answering** keeps its last answer for at most
//!   [`KEPT_POLLS`] failed polls, then drops out of the merge until it
//!   answers again; [`Replicas::summary`] says which is down and since when.
//! - **Growth** is the fleet's: each replica keeps a growth history of its
//!   own, and the fleet's growth per line is the sum of theirs
//!   ([`Growth::sum`]). A replica that drops out, restarts or joins changes
//!   the sum by its own slope only, never by a step on every line.
//! - **Each replica's index** of its latest answer is kept (up to
//!   [`MAX_PARTS`] replicas), so a hover can say how much of a line each
//!   replica holds.
//!
//! Like [`Poller`](super::live::Poller), this is plain data with no clock of
//! its own: the caller passes the time of each poll.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::analysis::filter::Filters;
use crate::analysis::{self, Growth, GrowthError, History, Index};
use crate::profile::Profile;

use super::live::{self, Health, LiveOptions};
use super::load::{self, ProfileSource};

/// How many failed polls a replica's last answer stays in the merge.
pub const KEPT_POLLS: u32 = 3;

/// Past this many replicas, no per-replica index is kept (each costs about
/// as much memory as the index of the merged profile).
pub const MAX_PARTS: usize = 32;

/// One source's share of a merged profile: its name and the index of its
/// latest answer.
#[derive(Debug, Clone)]
pub struct Part {
    /// `127.0.0.1:6061` for a URL, the file name for a file.
    pub name: String,
    pub index: Arc<Index>,
}

/// Which replicas answer, for a status line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// `replicas` or `profiles` (see [`MergedSource::noun`](super::load::MergedSource::noun)).
    pub noun: &'static str,
    pub total: usize,
    /// Replicas whose last poll succeeded.
    pub answering: usize,
    /// Replicas whose answer is in the shown merge (answering, or down for
    /// at most [`KEPT_POLLS`] polls).
    pub merged: usize,
    /// Each replica that is down: its name and since when.
    pub down: Vec<(String, SystemTime)>,
}

struct Replica {
    source: ProfileSource,
    name: String,
    health: Health,
    /// The latest answer and its index, while it counts.
    answer: Option<(Profile, Arc<Index>)>,
    /// When it is next polled (`None`: at the next poll).
    due: Option<SystemTime>,
    history: History,
}

impl Summary {
    /// Each replica that is down, with since when as `clock` spells it.
    pub fn down_since(&self, clock: impl Fn(SystemTime) -> String) -> Vec<(String, String)> {
        self.down.iter().map(|(name, since)| (name.clone(), clock(*since))).collect()
    }
}

/// What one poll of the replicas brought.
pub enum Polled {
    /// The merge changed (a replica answered, or one dropped out).
    Merged { profile: Box<Profile>, index: Box<Index>, parts: Vec<Part>, newest: SystemTime },
    /// No replica due answered, but the shown merge stands: why.
    Unchanged { error: String },
    /// No replica has an answer that counts: the errors, first first.
    Nothing { error: String },
}

/// The replicas of a merged source and their state.
pub struct Replicas {
    noun: &'static str,
    replicas: Vec<Replica>,
    /// The time of the last poll, from which [`Replicas::next_delay`] counts.
    last_poll: Option<SystemTime>,
}

impl std::fmt::Debug for Replicas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replicas").field("names", &self.replicas.iter().map(|r| &r.name).collect::<Vec<_>>()).finish()
    }
}

impl Replicas {
    pub fn new(parts: &[ProfileSource], noun: &'static str, history: usize) -> Replicas {
        let replicas = parts
            .iter()
            .map(|source| Replica {
                source: source.clone(),
                name: load::part_name(source),
                health: Health::Waiting,
                answer: None,
                due: None,
                history: History::new(history),
            })
            .collect();
        Replicas { noun, replicas, last_poll: None }
    }

    pub fn set_capacity(&mut self, history: usize) {
        for r in &mut self.replicas {
            r.history.set_capacity(history);
        }
    }

    pub fn clear_histories(&mut self) {
        for r in &mut self.replicas {
            r.history.clear();
        }
    }

    /// Polls every replica that is due at `now` (all of them at the first
    /// poll), each on a thread of its own, and merges the answers that count.
    pub fn poll(&mut self, now: SystemTime, options: &LiveOptions, filters: &Filters) -> Polled {
        self.last_poll = Some(now);
        let due: Vec<usize> = (0..self.replicas.len()).filter(|&i| self.replicas[i].due.is_none_or(|d| d <= now)).collect();
        let results: Vec<Result<Profile, String>> = std::thread::scope(|scope| {
            let threads: Vec<_> = due
                .iter()
                .map(|&i| {
                    let source = &self.replicas[i].source;
                    scope.spawn(move || live::read(source, options).map(|(profile, _)| profile))
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap_or_else(|_| Err("reading the profile failed".into()))).collect()
        });
        let mut changed = false;
        let mut errors = Vec::new();
        for (&i, result) in due.iter().zip(results) {
            let replica = &mut self.replicas[i];
            match result {
                Ok(profile) => {
                    let index = Index::build(&profile);
                    live::record(&mut replica.history, filters, now, &profile, &index);
                    replica.answer = Some((profile, Arc::new(index)));
                    replica.health = Health::Live { last: now };
                    replica.due = Some(now + options.interval);
                    changed = true;
                }
                Err(error) => {
                    replica.health = replica.health.failed(now, error.clone());
                    let Health::Failing { failures, .. } = replica.health else { unreachable!("a failed poll leaves it failing") };
                    replica.due = Some(now + options.backoff(failures));
                    if failures > KEPT_POLLS && replica.answer.take().is_some() {
                        changed = true;
                    }
                    errors.push(error);
                }
            }
        }
        let counted: Vec<&Replica> = self.replicas.iter().filter(|r| r.answer.is_some()).collect();
        if counted.is_empty() {
            let error = match errors.first() {
                Some(first) => format!("none of the {} {} answered: {first}", self.replicas.len(), self.noun),
                None => format!("none of the {} {} has answered yet", self.replicas.len(), self.noun),
            };
            return Polled::Nothing { error };
        }
        if !changed {
            return Polled::Unchanged { error: errors.join("; ") };
        }
        let profiles: Vec<&Profile> = counted.iter().filter_map(|r| r.answer.as_ref().map(|(p, _)| p)).collect();
        let profile = match analysis::merge(&profiles) {
            Ok(p) => p,
            Err(e) => {
                let at = e.at().unwrap_or(0);
                return Polled::Nothing { error: format!("cannot merge {} into the other {}: {e}", counted[at].source, self.noun) };
            }
        };
        let index = Index::build(&profile);
        let parts = if counted.len() <= MAX_PARTS {
            counted
                .iter()
                .filter_map(|r| r.answer.as_ref().map(|(_, index)| Part { name: r.name.clone(), index: index.clone() }))
                .collect()
        } else {
            Vec::new()
        };
        let newest = counted.iter().filter_map(|r| match r.health {
            Health::Live { last } => Some(last),
            Health::Failing { last_success, .. } => last_success,
            Health::Waiting => None,
        });
        let newest = newest.max().unwrap_or(now);
        Polled::Merged { profile: Box::new(profile), index: Box::new(index), parts, newest }
    }

    /// How long until the next replica is due, counted from the last poll.
    pub fn next_delay(&self, interval: Duration) -> Duration {
        let Some(last) = self.last_poll else { return interval };
        self.replicas
            .iter()
            .map(|r| r.due.map_or(Duration::ZERO, |d| d.duration_since(last).unwrap_or(Duration::ZERO)))
            .min()
            .unwrap_or(interval)
    }

    /// The fleet's growth of one sample type: the sum of each counted
    /// replica's own growth (module docs). Replicas with too few snapshots
    /// yet add nothing; the error is that of the first when none has enough.
    pub fn growth(&self, sample_type: &str) -> Result<Growth, GrowthError> {
        let mut parts = Vec::new();
        let mut first_error = None;
        for r in self.replicas.iter().filter(|r| r.answer.is_some()) {
            match r.history.growth(sample_type) {
                Ok(g) => parts.push(g),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        let refs: Vec<&Growth> = parts.iter().collect();
        match Growth::sum(&refs) {
            Some(g) => Ok(g),
            None => Err(first_error.unwrap_or(GrowthError::TooFewSnapshots { have: 0 })),
        }
    }

    /// The state types any replica's history tracks.
    pub fn tracked_types(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.replicas {
            for t in r.history.sample_types() {
                if !out.contains(&t.name) {
                    out.push(t.name.clone());
                }
            }
        }
        out
    }

    /// The most snapshots any counted replica has.
    pub fn snapshots(&self) -> usize {
        self.replicas.iter().filter(|r| r.answer.is_some()).map(|r| r.history.len()).max().unwrap_or(0)
    }

    pub fn summary(&self) -> Summary {
        let mut down = Vec::new();
        for r in &self.replicas {
            if let Health::Failing { since, .. } = &r.health {
                down.push((r.name.clone(), *since));
            }
        }
        Summary {
            noun: self.noun,
            total: self.replicas.len(),
            answering: self.replicas.iter().filter(|r| matches!(r.health, Health::Live { .. })).count(),
            merged: self.replicas.iter().filter(|r| r.answer.is_some()).count(),
            down,
        }
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{self, DecodeOptions};
    use std::time::UNIX_EPOCH;
    use crate::analysis::SampleType;

    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/profiles").join(name)
    }

    fn at(second: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_000_000 + second)
    }

    fn total(index: &Index) -> i64 {
        let t = index.sample_types().iter().position(|v| v.name == "inuse_space").unwrap();
        index.total(SampleType(t))
    }

    #[test]
    fn a_replica_that_stops_answering_is_kept_for_three_polls_then_dropped() {
        let dir = std::env::temp_dir().join(format!("pprof-lsp-replicas-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let names = ["a.pb.gz", "b.pb.gz", "c.pb.gz"];
        for (name, from) in names.iter().zip(["heap.pb.gz", "heap2.pb.gz", "heap.pb.gz"]) {
            std::fs::copy(fixture(from), dir.join(name)).unwrap();
        }
        let parts: Vec<ProfileSource> = names.iter().map(|n| ProfileSource::File(dir.join(n))).collect();
        let single = |name: &str| Index::build(&profile::decode(&std::fs::read(fixture(name)).unwrap(), &DecodeOptions::default()).unwrap());
        let (heap, heap2) = (total(&single("heap.pb.gz")), total(&single("heap2.pb.gz")));
        let options = LiveOptions { interval: Duration::from_secs(10), ..LiveOptions::default() };
        let mut replicas = Replicas::new(&parts, "profiles", 5);
        assert_eq!(replicas.next_delay(options.interval), options.interval, "the first poll comes after the interval");

        let Polled::Merged { index, parts: shares, newest, .. } = replicas.poll(at(0), &options, &Filters::default()) else { panic!() };
        assert_eq!(total(&index), 2 * heap + heap2, "the merge adds the three");
        assert_eq!(shares.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), names);
        assert_eq!(newest, at(0));
        assert_eq!(replicas.summary(), Summary { noun: "profiles", total: 3, answering: 3, merged: 3, down: vec![] });

        // c goes away: its last answer stays in for three failed polls.
        std::fs::remove_file(dir.join("c.pb.gz")).unwrap();
        let Polled::Merged { .. } = replicas.poll(at(10), &options, &Filters::default()) else { panic!("a and b answered") };
        let s = replicas.summary();
        assert_eq!((s.answering, s.merged, s.down.clone()), (2, 3, vec![("c.pb.gz".to_string(), at(10))]));
        // Only c is due 1 s later (its backoff), then 2 and 4 s after that.
        assert_eq!(replicas.next_delay(options.interval), Duration::from_secs(1));
        let Polled::Unchanged { error } = replicas.poll(at(11), &options, &Filters::default()) else { panic!() };
        assert!(error.ends_with("c.pb.gz: no such file"), "{error}");
        assert_eq!(replicas.next_delay(options.interval), Duration::from_secs(2));
        let Polled::Unchanged { .. } = replicas.poll(at(13), &options, &Filters::default()) else { panic!() };
        assert_eq!(replicas.summary().merged, 3, "kept for three failed polls");
        // The fourth failure drops it: the merge is of a and b.
        let Polled::Merged { index, parts: shares, newest, .. } = replicas.poll(at(17), &options, &Filters::default()) else {
            panic!("dropping a replica changes the merge")
        };
        assert_eq!(total(&index), heap + heap2);
        assert_eq!(shares.len(), 2);
        assert_eq!(newest, at(10), "the time of the newest answer");
        assert_eq!(replicas.summary().merged, 2);

        // Everything gone: nothing to show.
        for name in &names[..2] {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
        let mut now = 20;
        let error = loop {
            match replicas.poll(at(now), &options, &Filters::default()) {
                Polled::Nothing { error } => break error,
                _ => now += 60,
            }
        };
        assert!(error.starts_with("none of the 3 profiles answered: "), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn fleet_growth_is_the_sum_of_each_replicas() {
        // Three histories of the same profile scaled by time: replica i
        // grows i times as fast.
        let base = profile::decode(&std::fs::read(fixture("heap.pb.gz")).unwrap(), &DecodeOptions::default()).unwrap();
        let mut histories: Vec<History> = (0..3).map(|_| History::new(10)).collect();
        for step in 1..=4i64 {
            for (i, h) in histories.iter_mut().enumerate() {
                let mut p = base.clone();
                for v in p.sample_values.iter_mut() {
                    *v *= step * (i as i64 + 1);
                }
                h.record(step as f64 * 60.0, &Index::build(&p));
            }
        }
        let growths: Vec<Growth> = histories.iter().map(|h| h.growth("inuse_space").unwrap()).collect();
        let refs: Vec<&Growth> = growths.iter().collect();
        let sum = Growth::sum(&refs).unwrap();
        assert_eq!(sum.rows.len(), growths[0].rows.len());
        for row in &growths[0].rows {
            let s = sum.line(&row.file, row.line).unwrap();
            assert!((s.flat_per_minute - 6.0 * row.flat_per_minute).abs() <= 1e-6 * row.flat_per_minute.abs().max(1.0));
            assert_eq!(s.flat, 6 * row.flat, "1 + 2 + 3 times the first");
            assert_eq!(s.function, row.function);
        }
        assert_eq!(sum.rows.iter().map(|r| (&r.file, r.line)).collect::<Vec<_>>(), growths[0].rows.iter().map(|r| (&r.file, r.line)).collect::<Vec<_>>(), "same order");
        assert!(Growth::sum(&[]).is_none());
    }
}
