//! The `pprof-lsp` binary: the language server (the default, on stdio) and
//! report subcommands over the core library.

use std::process::ExitCode;

use clap::Parser;
use pprof_lsp::cli::{self, Cli, Command};

fn main() -> ExitCode {
    let args = Cli::parse();
    cli::run(args.command.unwrap_or(Command::Serve))
}
