//! `cbec validate [--level schema|full] [--format text|json] FILE...`

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use cbec_ceb::Limits;
use cbec_model::diag::{Diagnostic, Severity};
use cbec_rules::{Level, RuleConfig};

use crate::Outcome;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LevelArg {
    /// Exactly what the official XSD checks (agrees with xmllint).
    Schema,
    /// Schema plus code values, formats and arithmetic from the spec.
    Full,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Validation level.
    #[arg(long, value_enum, default_value = "full")]
    level: LevelArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Largest accepted message in bytes.
    #[arg(long, default_value_t = Limits::default().max_bytes)]
    max_bytes: usize,
    /// Deepest accepted element nesting.
    #[arg(long, default_value_t = Limits::default().max_depth)]
    max_depth: usize,
    /// Most records per message.
    #[arg(long, default_value_t = RuleConfig::default().max_records)]
    max_records: usize,
    /// Most items per record.
    #[arg(long, default_value_t = RuleConfig::default().max_items)]
    max_items: usize,
    /// Message files (XML, optionally in a DxpMsg envelope).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(serde::Serialize)]
struct FileReport<'a> {
    file: String,
    message_type: Option<&'a str>,
    valid: bool,
    diagnostics: Vec<Diagnostic>,
}

pub fn run(a: Args) -> anyhow::Result<Outcome> {
    let limits = Limits { max_bytes: a.max_bytes, max_depth: a.max_depth, ..Limits::default() };
    let rules = RuleConfig { max_records: a.max_records, max_items: a.max_items };
    let level = match a.level {
        LevelArg::Schema => Level::Schema,
        LevelArg::Full => Level::Full,
    };
    // Read every file first: an unreadable file is a usage error (exit 2),
    // reported before any verdict.
    let mut inputs = Vec::with_capacity(a.files.len());
    for f in &a.files {
        let bytes = std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?;
        inputs.push((f, bytes));
    }
    let mut reports = Vec::with_capacity(inputs.len());
    for (f, bytes) in &inputs {
        let r = cbec_rules::validate(bytes, level, &limits, &rules);
        reports.push(FileReport {
            file: f.display().to_string(),
            message_type: r.message_type,
            valid: r.is_valid(),
            diagnostics: r.diagnostics,
        });
    }
    let all_valid = reports.iter().all(|r| r.valid);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &reports)?;
            writeln!(out)?;
        }
        Format::Text => {
            for r in &reports {
                let kind = r.message_type.unwrap_or("unknown message");
                let errors = r.diagnostics.iter().filter(|d| d.is_error()).count();
                let warnings = r.diagnostics.len() - errors;
                if r.valid {
                    writeln!(
                        out,
                        "{}: valid {kind}{}",
                        r.file,
                        if warnings > 0 { format!(" ({warnings} warning(s))") } else { String::new() }
                    )?;
                } else {
                    writeln!(out, "{}: INVALID {kind}: {errors} error(s), {warnings} warning(s)", r.file)?;
                }
                for d in &r.diagnostics {
                    let sev = match d.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    };
                    let line = d.line.map_or(String::new(), |l| format!(":{l}"));
                    let path = if d.path.is_empty() { String::new() } else { format!(" {}", d.path) };
                    let value =
                        d.value.as_ref().filter(|v| !v.is_empty()).map_or(String::new(), |v| format!(" [value: {v}]"));
                    writeln!(out, "  {}{line}: {sev}[{}]{path}: {}{value}", r.file, d.code, d.message)?;
                }
            }
        }
    }
    Ok(if all_valid { Outcome::Ok } else { Outcome::Failed })
}
