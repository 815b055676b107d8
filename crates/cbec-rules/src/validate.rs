//! The two validation levels over raw message bytes.

use cbec_ceb::Limits;
use cbec_ceb::{Decoded, Message};
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
    let outcome = cbec_ceb::with_document(bytes, limits, |doc| {
        if level == Level::Schema {
            let r = cbec_ceb::validate_document_schema(doc);
            return Report { message_type: r.message_type, diagnostics: r.diagnostics };
        }
        // One pass: the lenient decoder validates against the schema and
        // builds the value the rules look at.
        match cbec_ceb::decode_document(doc, true) {
            Ok(decoded) => full(decoded, limits, rules),
            Err(diagnostics) => Report { message_type: None, diagnostics },
        }
    });
    outcome.unwrap_or_else(|d| Report { message_type: None, diagnostics: vec![d] })
}

fn full(decoded: Decoded, limits: &Limits, rules: &RuleConfig) -> Report {
    // A root accepted only by lenient decoding (`CEB214` for
    // `CEB214Message`) is not a known message type.
    let unknown_root = decoded.diagnostics.iter().any(|d| d.code == cbec_model::diag::Code::SchemaUnknownRoot);
    let message_type = (!unknown_root).then(|| decoded.message.root_name());
    let mut diagnostics = decoded.diagnostics;
    // Rule findings on fields the schema already rejected add nothing.
    let rejected: Vec<String> = diagnostics.iter().filter(|d| d.is_error()).map(|d| d.path.clone()).collect();
    let covered = |p: &str| rejected.iter().any(|r| !r.is_empty() && (p == r || p.starts_with(&format!("{r}/"))));
    for d in check_message(&decoded.message, rules) {
        if !covered(&d.path) {
            diagnostics.push(d);
        }
    }
    if let Message::DxpMsg(env) = decoded.message {
        match cbec_ceb::envelope::open(*env) {
            Ok(opened) => {
                let inner = validate(&opened.payload, Level::Full, limits, rules);
                for mut d in inner.diagnostics {
                    d.path = if d.path.is_empty() { "Data".into() } else { format!("Data/{}", d.path) };
                    d.line = None;
                    diagnostics.push(d);
                }
            }
            Err(d) => diagnostics.push(d),
        }
    }
    Report { message_type, diagnostics }
}
