//! The `pprof-lsp` binary: report subcommands over the core library.

use std::process::ExitCode;

use clap::Parser;
use pprof_lsp::cli::{self, Cli};

fn main() -> ExitCode {
    let args = Cli::parse();
    match args.command {
        Some(command) => cli::run(command),
        None => {
            eprintln!("pprof-lsp: the language server is not built yet; use a subcommand (see --help)");
            ExitCode::FAILURE
        }
    }
}
