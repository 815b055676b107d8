//! The two validation levels over raw message bytes.

use cbec_ceb::Limits;
use cbec_ceb::{DecodeOptions, Message};
use cbec_model::diag::Diagnostic;

use crate::{RuleConfig, check_message};

/// How much to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    /// Exactly what the official XSD checks.
    Schema,
    /// The schema plus the rules of the spec text that need only the
    /// message itself.
    #[default]
    Full,
}

/// The outcome of validating one message.
#[derive(Debug, Clone)]
pub struct Report {
    /// The root element name, when it is a known message.
    pub message_type: Option<&'static str>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Validates a message given as bytes. A `DxpMsg` envelope is validated
/// together with the message it carries (paths under `Data/`).
pub fn validate(bytes: &[u8], level: Level, limits: &Limits, rules: &RuleConfig) -> Report {
    let schema = cbec_ceb::validate_schema(bytes, limits);
    if level == Level::Schema {
        return Report { message_type: schema.message_type, diagnostics: schema.diagnostics };
    }
    let mut diagnostics = schema.diagnostics;
    if schema.message_type.is_none() {
        return Report { message_type: None, diagnostics };
    }
    let opts = DecodeOptions { limits: limits.clone(), lenient: true };
    let Ok(decoded) = cbec_ceb::decode(bytes, &opts) else {
        return Report { message_type: schema.message_type, diagnostics };
    };
    // Rule findings on fields the schema already rejected add nothing.
    let rejected: Vec<String> = diagnostics.iter().filter(|d| d.is_error()).map(|d| d.path.clone()).collect();
    let covered = |p: &str| rejected.iter().any(|r| !r.is_empty() && (p == r || p.starts_with(&format!("{r}/"))));
    for d in check_message(&decoded.message, rules) {
        if !covered(&d.path) {
            diagnostics.push(d);
        }
    }
    if let Message::DxpMsg(env) = &decoded.message {
        match cbec_ceb::envelope::open((**env).clone()) {
            Ok(opened) => {
                let inner = validate(&opened.payload, level, limits, rules);
                for mut d in inner.diagnostics {
                    d.path = if d.path.is_empty() { "Data".into() } else { format!("Data/{}", d.path) };
                    d.line = None;
                    diagnostics.push(d);
                }
            }
            Err(d) => diagnostics.push(d),
        }
    }
    Report { message_type: schema.message_type, diagnostics }
}
