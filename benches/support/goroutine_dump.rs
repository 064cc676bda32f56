//! A deterministic generator of large goroutine dumps in the format of
//! `/debug/pprof/goroutine?debug=2`, for the decoder's memory test
//! (`tests/goroutine_dumps.rs`) and its benchmark
//! (`examples/gen_goroutine_dump.rs`, `scripts/bench-goroutine-dump.sh`).
//!
//! A service that leaks goroutines has many goroutines at few places:
//! each goroutine blocks at one of `sites` places, each with its wait
//! reason, its creator and a stack of 1 to 4 frames of its own above one of
//! 20 shared callers' chains of 2 to 7 frames (request handlers, say). Of every ten
//! goroutines, six are marked leaked, three are idle workers carrying pprof
//! labels, and one has waited 1 to 60 minutes. Stacks and labels repeat, so
//! the decoded profile is small whatever the number of goroutines: about
//! `sites` × 62 samples at most.

use std::io::{self, Write};

#[derive(Clone, Debug)]
pub struct Params {
    pub goroutines: usize,
    /// Distinct places goroutines block at.
    pub sites: usize,
    pub seed: u64,
}

impl Default for Params {
    fn default() -> Self {
        Params { goroutines: 1_000_000, sites: 500, seed: 1 }
    }
}

const STATES: [&str; 4] = ["chan send", "chan receive", "sync.Mutex.Lock", "select"];

/// xorshift64*: small, fast and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// One blocking place: its frames (function, file, line, inlined) leaf
/// first, its wait reason and the `go` statement that starts its goroutines.
struct Site {
    frames: Vec<(String, String, u32, bool)>,
    state: &'static str,
    creator: (String, String, u32),
    parent: u64,
}

/// `depth` random frames; one in five is inlined.
fn frames(rng: &mut Rng, depth: usize) -> Vec<(String, String, u32, bool)> {
    (0..depth)
        .map(|d| {
            let pkg = rng.below(40);
            let function = format!("example.com/svc/pkg{pkg}.(*Server{d}).handle{}", rng.below(200));
            let file = format!("/build/svc/pkg{pkg}/file{}.go", rng.below(30));
            (function, file, 10 + rng.below(900) as u32, rng.below(5) == 0)
        })
        .collect()
}

fn sites(params: &Params, rng: &mut Rng) -> Vec<Site> {
    let callers: Vec<_> = (0..20)
        .map(|_| {
            let depth = 2 + rng.below(6) as usize;
            frames(rng, depth)
        })
        .collect();
    (0..params.sites.max(1))
        .map(|s| {
            let depth = 1 + rng.below(4) as usize;
            let mut frames = frames(rng, depth);
            frames.extend(callers[rng.below(callers.len() as u64) as usize].iter().cloned());
            let creator = (format!("example.com/svc/pkg{}.start{s}", rng.below(40)), format!("/build/svc/start{}.go", s % 50), 20 + rng.below(400) as u32);
            Site { frames, state: STATES[rng.below(STATES.len() as u64) as usize], creator, parent: 1 + rng.below(20) }
        })
        .collect()
}

/// Writes the dump.
pub fn write(params: &Params, out: &mut impl Write) -> io::Result<()> {
    let mut rng = Rng(params.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let sites = sites(params, &mut rng);
    for id in 0..params.goroutines {
        let site = &sites[rng.below(sites.len() as u64) as usize];
        let kind = id % 10;
        let leaked = if kind < 6 { " (leaked)" } else { "" };
        let minutes = if kind == 9 { format!(", {} minutes", 1 + rng.below(60)) } else { String::new() };
        let labels = if (6..9).contains(&kind) { " {pool: \"idle workers\", role: worker}" } else { "" };
        writeln!(out, "goroutine {} [{}{leaked}{minutes}]{labels}:", id + 2, site.state)?;
        for (i, (function, file, line, inlined)) in site.frames.iter().enumerate() {
            if *inlined {
                writeln!(out, "{function}(...)\n\t{file}:{line}")?;
            } else {
                writeln!(out, "{function}(0xc000{:06x}, {{0x{:x}, 0x{:x}}})\n\t{file}:{line} +0x{:x}", id, i, line, 0x20 + i)?;
            }
        }
        let (function, file, line) = &site.creator;
        writeln!(out, "created by {function} in goroutine {}\n\t{file}:{line} +0x5a\n", site.parent)?;
    }
    Ok(())
}

/// The dump in memory (the example writes it to a file instead).
#[allow(dead_code)]
pub fn generate(params: &Params) -> Vec<u8> {
    let mut out = Vec::with_capacity(params.goroutines * 600);
    write(params, &mut out).expect("writing to memory");
    out
}
