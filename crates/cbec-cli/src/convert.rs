//! `cbec convert --to json|xml FILE [-o OUT]`

use std::path::PathBuf;

use anyhow::Context as _;
use cbec_ceb::{DecodeOptions, Limits};

use crate::Outcome;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Target {
    Json,
    Xml,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The form to write: json (from CEB XML) or xml (from the JSON form).
    #[arg(long, value_enum)]
    to: Target,
    /// Read schema-invalid XML anyway, repairing what can be repaired
    /// (reported on standard error).
    #[arg(long)]
    lenient: bool,
    /// Where to write (default: standard output).
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    /// The input file.
    file: PathBuf,
}

pub fn run(a: Args) -> anyhow::Result<Outcome> {
    let input = std::fs::read(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    let (text, problems) = match a.to {
        Target::Json => {
            let opts = DecodeOptions { limits: Limits::default(), lenient: a.lenient };
            match cbec_ceb::decode(&input, &opts) {
                Ok(d) => (Some(cbec_ceb::to_json(&d.message) + "\n"), d.diagnostics),
                Err(diags) => (None, diags),
            }
        }
        Target::Xml => {
            let json = String::from_utf8(input).context("the JSON input is not UTF-8")?;
            match cbec_ceb::from_json(&json) {
                Ok(m) => {
                    let xml = cbec_ceb::encode(&m);
                    // Say at once whether the XML is a valid message, so the
                    // integrator does not learn it from a customs rejection.
                    let report = cbec_ceb::validate_schema(xml.as_bytes(), &Limits::default());
                    (Some(xml), report.diagnostics)
                }
                Err(d) => (None, vec![d]),
            }
        }
    };
    for d in &problems {
        let path = if d.path.is_empty() { String::new() } else { format!(" {}", d.path) };
        eprintln!("{}: {:?}[{}]{path}: {}", a.file.display(), d.severity, d.code, d.message);
    }
    let failed = problems.iter().any(|d| d.is_error());
    if let Some(text) = text {
        match &a.output {
            Some(p) => std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?,
            None => print!("{text}"),
        }
    }
    Ok(if failed { Outcome::Failed } else { Outcome::Ok })
}
