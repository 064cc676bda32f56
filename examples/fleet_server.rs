//! A stand-in Pyroscope server, as a process of its own, for the editor
//! tests (scripts/test-nvim.sh, scripts/test-vscode.sh): the querier of
//! tests/common/pyroscope.rs, serving a real profile under
//! `memory:inuse_space:bytes:space:bytes` to the query
//! `{service_name="checkout"}` (and to any other selector) in any window.
//!
//!     cargo run --release --example fleet_server -- [--requests N] [--lifetime SECONDS] [PROFILE]
//!
//! PROFILE defaults to tests/fixtures/profiles/heap.pb.gz. Binds
//! 127.0.0.1:0 and prints `listening on HOST:PORT`. Exits after answering
//! `--requests` requests (default 500), after `--lifetime` seconds (default
//! 300), or when its stdin closes, whichever comes first, so a test that
//! dies leaves nothing running.

#[allow(dead_code)]
#[path = "../tests/common/fleet.rs"]
mod fleet;
#[path = "../tests/common/listen.rs"]
mod listen;
#[allow(dead_code)]
#[path = "../tests/common/pyroscope.rs"]
mod pyroscope;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

#[derive(Parser)]
#[command(about = "A stand-in Pyroscope querier serving one pprof profile")]
struct Args {
    /// Stop after answering this many requests.
    #[arg(long, default_value_t = 500)]
    requests: usize,
    /// Stop after this many seconds.
    #[arg(long, default_value_t = 300)]
    lifetime: u64,
    /// The gzipped pprof profile to serve.
    profile: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let path = args.profile.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/profiles/heap.pb.gz"));
    let bytes = std::fs::read(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let profile = pyroscope::profile_message(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let handler = pyroscope::querier(profile, true, pyroscope::checkout_labels());
    let server = fleet::Server::start_for(args.requests, Duration::from_secs(args.lifetime), handler);
    println!("listening on {}", server.url.trim_start_matches("http://"));
    std::io::stdout().flush()?;

    // Whoever started it closes stdin (or dies): stop at once.
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
        std::process::exit(0);
    });
    let requests = server.requests();
    eprintln!("answered {} requests", requests.len());
    Ok(())
}
