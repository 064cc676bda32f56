//! Reads, decodes and indexes one profile, then exits: what
//! `scripts/bench.sh` times against `zcat FILE > /dev/null`. The index has
//! the costs of the sample type shown by default (pprof's choice), as a
//! load does; `--all` walks every sample type.
//!
//! `--phases` prints the time and the peak RSS so far after reading,
//! decoding and indexing.
//!
//!     cargo run --release --example load_index -- [--all] [--phases] PROFILE

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let all = args.iter().any(|a| a == "--all");
    let Some(path) = args.iter().find(|a| !a.starts_with("--")).cloned() else {
        eprintln!("usage: load_index [--all] PROFILE");
        return ExitCode::from(2);
    };
    let phases = args.iter().any(|a| a == "--phases");
    let started = std::time::Instant::now();
    let phase = |what: &str| {
        if phases {
            eprintln!("{what}: {:.3} s, peak RSS so far {} MB", started.elapsed().as_secs_f64(), peak_rss_kb() / 1024);
        }
    };
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("load_index: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    phase("read");
    // The compressed bytes go as soon as they are inflated, as in a load.
    let profile = match pprof_lsp::profile::decode_owned(data, &Default::default()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("load_index: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    phase("decoded");
    let (profile, index) = if all {
        let index = pprof_lsp::analysis::Index::build(&profile);
        (std::sync::Arc::new(profile), index)
    } else {
        let shown = pprof_lsp::analysis::select(&profile, None).unwrap_or(pprof_lsp::analysis::SampleType(0));
        let profile = std::sync::Arc::new(profile);
        match pprof_lsp::analysis::Index::build_first(profile.clone(), None, shown) {
            Ok(index) => (profile, index),
            Err(e) => {
                eprintln!("load_index: {path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    };
    phase("indexed");
    println!("{} samples, {} lines, {} nodes, {} sample types", profile.samples.len(), index.lines().len(), index.nodes().len(), index.sample_types().len());
    // The process ends here; freeing a large profile first would only add time.
    std::mem::forget((profile, index));
    ExitCode::SUCCESS
}

/// VmHWM of this process, in kB (0 where /proc is not there).
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0)
}
