//! Writes a large, deterministic goroutine dump (the `?debug=2` format)
//! for the decoder's benchmark (`scripts/bench-goroutine-dump.sh`).
//!
//!     cargo run --release --example gen_goroutine_dump -- [--goroutines N] [--sites N] [--seed N] OUTPUT.txt
//!
//! The shape is described in `benches/support/goroutine_dump.rs`. The same
//! arguments always produce the same bytes.

#[path = "../benches/support/goroutine_dump.rs"]
mod goroutine_dump;

use std::io::BufWriter;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut params = goroutine_dump::Params::default();
    let mut output = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |what: &str| args.next().and_then(|v| v.replace('_', "").parse::<u64>().ok()).ok_or(what.to_string());
        let set = match arg.as_str() {
            "--goroutines" => number("--goroutines N").map(|n| params.goroutines = n as usize),
            "--sites" => number("--sites N").map(|n| params.sites = n as usize),
            "--seed" => number("--seed N").map(|n| params.seed = n),
            _ if !arg.starts_with('-') && output.is_none() => {
                output = Some(arg);
                Ok(())
            }
            _ => Err(format!("unknown argument {arg}")),
        };
        if let Err(e) = set {
            eprintln!("gen_goroutine_dump: {e}\nusage: gen_goroutine_dump [--goroutines N] [--sites N] [--seed N] OUTPUT.txt");
            return ExitCode::from(2);
        }
    }
    let Some(output) = output else {
        eprintln!("usage: gen_goroutine_dump [--goroutines N] [--sites N] [--seed N] OUTPUT.txt");
        return ExitCode::from(2);
    };
    let written = std::fs::File::create(&output).and_then(|f| {
        let mut out = BufWriter::new(f);
        goroutine_dump::write(&params, &mut out)?;
        std::io::Write::flush(&mut out)
    });
    match written {
        Ok(()) => {
            let size = std::fs::metadata(&output).map(|m| m.len()).unwrap_or(0);
            eprintln!("{output}: {} goroutines at {} sites, {:.1} MB", params.goroutines, params.sites, size as f64 / 1e6);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_goroutine_dump: {output}: {e}");
            ExitCode::FAILURE
        }
    }
}
