//! `cbec`: the command-line face of cbec. Each subcommand lives in its own
//! module; `main` only parses arguments and turns the outcome into an exit
//! code (0 success, 1 the input is invalid or failed a check, 2 usage or I/O
//! error).

// Tests may unwrap; library code may not (workspace lint `unwrap_used`).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod admin;
mod audit;
mod bench;
mod bench_web;
mod convert;
mod keygen;
mod refdata;
mod risk;
mod serve;
mod sign;
mod validate;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc for every allocation of the process: Rust's, and with its
/// `override` feature SQLite's too. glibc's malloc was about a tenth of
/// the SQLite writer's time (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Make a signing key and its certificate (self-signed, or issued by a
    /// CA made with --is-ca).
    Keygen(keygen::Args),
    /// Sign a message with an enveloped XML-DSig signature, as a UKey does.
    Sign(sign::Args),
    /// Verify the signatures of messages (against pinned certificates,
    /// serials or trust anchors).
    Verify(verify::Args),
    /// Measure performance-critical paths.
    Bench(bench::Args),
    /// Run the HTTP service: the enterprise filing API, health, metrics.
    Serve(serve::Args),
    /// Administrative steps on the database: officers, onboarding.
    Admin(admin::Args),
    /// The audit log.
    Audit(audit::Args),
    /// Goods reference data: import the tariff, the positive list, the
    /// prohibited goods catalogue; list the versions.
    Refdata(refdata::Args),
    /// Risk rule files: `cbec risk check FILE.toml`.
    Risk(risk::Args),
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
        Command::Keygen(a) => keygen::run(a),
        Command::Sign(a) => sign::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Admin(a) => admin::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Refdata(a) => refdata::run(a),
        Command::Risk(a) => risk::run(a),
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
