//! `cbec risk check FILE.toml`: validates a risk rule file as the service
//! does on upload, so a risk officer can fix it before sending it.
//!
//! Valid: one JSON line with its version, number of rules and the expected
//! random-selection rates per seller credit rating (exit 0). Invalid: one
//! line per problem, `FILE:LINE:COLUMN: reason` (exit 1).

use anyhow::Context as _;
use cbec_model::filing::CreditRating;

use crate::Outcome;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Validate a rule file (TOML).
    Check {
        /// The rule file.
        file: std::path::PathBuf,
    },
}

pub fn run(a: Args) -> anyhow::Result<Outcome> {
    let Command::Check { file } = a.command;
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("cannot read {} as UTF-8 text", file.display()))?;
    match cbec_risk::RuleSet::parse(&text) {
        Ok(rules) => {
            let rates: serde_json::Map<String, serde_json::Value> = [
                CreditRating::Advanced,
                CreditRating::GeneralCertified,
                CreditRating::General,
                CreditRating::Dishonest,
            ]
            .into_iter()
            .map(|c| (c.as_str().to_string(), serde_json::json!(rules.expected_rates(Some(c)))))
            .collect();
            let summary = serde_json::json!({
                "file": file.display().to_string(),
                "version": rules.version(),
                "rules": rules.rules().len(),
                "expected_rates": rates,
            });
            println!("{summary}");
            Ok(Outcome::Ok)
        }
        Err(e) => {
            for p in &e.errors {
                println!("{}:{}:{}: {}", file.display(), p.line, p.column, p.reason);
            }
            Ok(Outcome::Failed)
        }
    }
}
