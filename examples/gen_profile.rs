//! Writes a large, deterministic, Go-like profile (gzipped protobuf) for
//! benchmarks.
//!
//!     cargo run --release --example gen_profile -- [--shape NAME] [--samples N]
//!         [--functions N] [--locations N] [--inline-percent N] [--min-depth N]
//!         [--max-depth N] [--seed N] OUTPUT.pb.gz
//!
//! `--shape` (heap, deep, shallow, wide; see `benches/support/synth.rs`)
//! chooses a parameter set; the other flags then change single parameters.
//! The same arguments always produce the same bytes.

#[path = "../benches/support/synth.rs"]
mod synth;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn usage() -> ExitCode {
    eprintln!(
        "usage: gen_profile [--shape NAME] [--samples N] [--functions N] [--locations N] [--inline-percent N]\n\
         \x20                  [--min-depth N] [--max-depth N] [--seed N] OUTPUT.pb.gz\n\
         default: {} samples of the shape heap; shapes:",
        synth::Params::default().samples,
    );
    for (name, what) in synth::SHAPES {
        eprintln!("  {name:8} {what}");
    }
    ExitCode::from(2)
}

fn parse_count(s: &str) -> Option<u64> {
    let s = s.replace('_', "");
    if let Some(hex) = s.strip_prefix("0x") {
        return u64::from_str_radix(hex, 16).ok();
    }
    let (digits, mult) = match s.chars().last()? {
        'k' | 'K' => (&s[..s.len() - 1], 1_000),
        'm' | 'M' => (&s[..s.len() - 1], 1_000_000),
        _ => (&s[..], 1),
    };
    digits.parse::<u64>().ok().map(|n| n * mult)
}

fn main() -> ExitCode {
    // The shape first, so the other flags change it wherever they appear.
    let mut args: Vec<String> = Vec::new();
    let mut shape = "heap".to_string();
    let mut given = std::env::args().skip(1);
    while let Some(arg) = given.next() {
        match arg.strip_prefix("--shape") {
            Some("") => match given.next() {
                Some(name) => shape = name,
                None => return usage(),
            },
            Some(rest) if rest.starts_with('=') => shape = rest[1..].to_string(),
            _ => args.push(arg),
        }
    }
    let Some(mut params) = synth::Params::shape(&shape, synth::Params::default().samples) else {
        eprintln!("gen_profile: unknown shape {shape:?}");
        return usage();
    };
    let mut output: Option<PathBuf> = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline_value) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline_value.clone().or_else(|| args.next()).as_deref().and_then(parse_count);
        match flag.as_str() {
            "--inline-percent" => match value() {
                Some(n) if n <= 100 => params.inline_percent = n as u32,
                _ => return usage(),
            },
            "--min-depth" => match value() {
                Some(n) if n >= 1 => params.min_depth = n as usize,
                _ => return usage(),
            },
            "--max-depth" => match value() {
                Some(n) if n >= 1 => params.max_depth = n as usize,
                _ => return usage(),
            },
            "--samples" => match value() {
                Some(n) => params.samples = n as usize,
                None => return usage(),
            },
            "--functions" => match value() {
                Some(n) => params.functions = n as usize,
                None => return usage(),
            },
            "--locations" => match value() {
                Some(n) => params.locations = n as usize,
                None => return usage(),
            },
            "--seed" => match value() {
                Some(n) => params.seed = n,
                None => return usage(),
            },
            "-h" | "--help" => {
                usage();
                return ExitCode::SUCCESS;
            }
            _ if flag.starts_with('-') => return usage(),
            _ if output.is_none() => output = Some(PathBuf::from(arg)),
            _ => return usage(),
        }
    }
    let Some(output) = output else { return usage() };

    let started = Instant::now();
    let profile = match synth::write(&params, &output) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("gen_profile: {}: {e}", output.display());
            return ExitCode::FAILURE;
        }
    };
    let size = std::fs::metadata(&output).map(|m| m.len()).unwrap_or(0);
    let s = synth::summarize(&profile);
    println!("wrote {} ({:.1} MB gzipped) in {:.1?}", output.display(), size as f64 / 1e6, started.elapsed());
    println!("shape:              {shape}");
    println!("seed:               {:#x}", params.seed);
    println!(
        "sample types:       {}",
        profile.sample_types.iter().map(|t| format!("{}/{}", t.name, t.unit)).collect::<Vec<_>>().join(" ")
    );
    println!("samples:            {}", s.samples);
    println!("functions:          {}", s.functions);
    println!("locations:          {}", s.locations);
    println!(
        "inlined locations:  {} ({:.1}%)",
        s.inlined_locations,
        100.0 * s.inlined_locations as f64 / s.locations.max(1) as f64
    );
    println!("mappings:           {}", profile.mappings.len());
    println!("stack depth:        mean {:.1}, max {} (frames: mean {:.1})", s.mean_depth, s.max_depth, s.mean_frames);
    println!("distinct lines:     {}", s.distinct_lines);
    println!(
        "recursive stacks:   {} ({:.1}%)",
        s.recursive_samples,
        100.0 * s.recursive_samples as f64 / s.samples.max(1) as f64
    );
    if s.samples < params.samples {
        eprintln!("gen_profile: only {} distinct stacks found (asked for {})", s.samples, params.samples);
    }
    ExitCode::SUCCESS
}
