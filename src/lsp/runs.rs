//! Runs of Go tests and benchmarks made by `pprof.runBenchmark`: the last
//! few per test, with go test's results and the profiles they wrote, kept in
//! the snapshot for the lenses and for comparing a run with the one before.

use std::path::PathBuf;

use rustc_hash::FxHashMap;

use crate::gotest::BenchResult;
use crate::source::gotest::ProfileKind;

/// Runs kept per test or benchmark.
pub const KEPT: usize = 5;

/// A test or benchmark: its package directory and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RunKey {
    pub dir: PathBuf,
    pub name: String,
}

/// One finished run.
#[derive(Clone, Debug)]
pub struct Run {
    /// 1 for the first run of this test in this session, then 2, …
    pub number: u32,
    pub kind: ProfileKind,
    /// The profile shown for it (of `kind`).
    pub profile: PathBuf,
    /// go test's result line, for a benchmark.
    pub result: Option<BenchResult>,
    /// The operations the profile covers, for a benchmark (see
    /// `pprof.runBenchmark` in docs/lsp-extensions.md for how they are
    /// counted).
    pub iterations: Option<u64>,
}

/// The kept runs.
#[derive(Clone, Debug, Default)]
pub struct Runs {
    by_key: FxHashMap<RunKey, Vec<Run>>,
}

impl Runs {
    /// The runs of one test, oldest first.
    pub fn of(&self, key: &RunKey) -> &[Run] {
        self.by_key.get(key).map_or(&[], Vec::as_slice)
    }

    /// The latest run of `key` of `kind`.
    pub fn latest(&self, key: &RunKey, kind: ProfileKind) -> Option<&Run> {
        self.of(key).iter().rev().find(|r| r.kind == kind)
    }

    /// The latest run of `key` with a benchmark result, and the one before
    /// it, for the lens.
    pub fn last_two_results(&self, key: &RunKey) -> (Option<&Run>, Option<&Run>) {
        let mut with = self.of(key).iter().rev().filter(|r| r.result.is_some());
        (with.next(), with.next())
    }

    /// These runs and `run` (the oldest dropped beyond [`KEPT`]).
    pub fn with(&self, key: RunKey, mut run: Run) -> Runs {
        let mut next = self.clone();
        let list = next.by_key.entry(key).or_default();
        run.number = list.last().map_or(1, |r| r.number + 1);
        list.push(run);
        if list.len() > KEPT {
            list.remove(0);
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(kind: ProfileKind, bytes: Option<f64>) -> Run {
        Run {
            number: 0,
            kind,
            profile: PathBuf::from("p"),
            result: bytes.map(|b| BenchResult { name: "B".into(), iterations: 10, ns_per_op: None, bytes_per_op: Some(b), allocs_per_op: None }),
            iterations: Some(11),
        }
    }

    #[test]
    fn runs_are_numbered_kept_and_found() {
        let key = RunKey { dir: "/w".into(), name: "BenchmarkX".into() };
        let mut runs = Runs::default();
        for i in 0..7 {
            let kind = if i == 5 { ProfileKind::Cpu } else { ProfileKind::Mem };
            runs = runs.with(key.clone(), run(kind, Some(i as f64)));
        }
        let numbers: Vec<u32> = runs.of(&key).iter().map(|r| r.number).collect();
        assert_eq!(numbers, [3, 4, 5, 6, 7]);
        assert_eq!(runs.latest(&key, ProfileKind::Mem).unwrap().number, 7);
        assert_eq!(runs.latest(&key, ProfileKind::Cpu).unwrap().number, 6);
        let (last, before) = runs.last_two_results(&key);
        assert_eq!((last.unwrap().number, before.unwrap().number), (7, 6));
    }
}
