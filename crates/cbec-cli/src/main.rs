//! `cbec`: the command-line face of cbec. Each subcommand lives in its own
//! module; `main` only parses arguments and turns the outcome into an exit
//! code (0 success, 1 the input is invalid or failed a check, 2 usage or I/O
//! error).

mod convert;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// cbec: customs supervision and clearance for cross-border e-commerce.
#[derive(Debug, Parser)]
#[command(name = "cbec", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate CEB messages against the official XSDs and the spec's rules.
    Validate(validate::Args),
    /// Convert a message between CEB XML and its JSON form.
    Convert(convert::Args),
}

/// What a command reports back to `main`.
pub enum Outcome {
    /// Everything passed.
    Ok,
    /// The input was read but is invalid (exit 1).
    Failed,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Validate(a) => validate::run(a),
        Command::Convert(a) => convert::run(a),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(e) => {
            eprintln!("cbec: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
