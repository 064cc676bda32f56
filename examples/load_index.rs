//! Reads, decodes and indexes one profile (every sample type), then exits:
//! what `scripts/bench.sh` times against `zcat FILE > /dev/null`.
//!
//!     cargo run --release --example load_index -- PROFILE

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: load_index PROFILE");
        return ExitCode::from(2);
    };
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("load_index: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let profile = match pprof_lsp::profile::decode(&data, &Default::default()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("load_index: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    drop(data);
    let index = pprof_lsp::analysis::Index::build(&profile);
    println!("{} samples, {} lines, {} nodes, {} sample types", profile.samples.len(), index.lines().len(), index.nodes().len(), index.sample_types().len());
    // The process ends here; freeing a large profile first would only add time.
    std::mem::forget((profile, index));
    ExitCode::SUCCESS
}
