//! The one error of the crate.

use cbec_model::diag::Diagnostic;

/// Why a customs-side message could not be built.
///
/// Every variant names the message (`message`, the root element such as
/// `CEB622Message`) and, where one field is at fault, its path in the
/// project's diagnostic form (`InventoryReturn[2]/preNo`, 1-based positions,
/// XSD element names) and its Chinese label from the XSD.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// More or fewer elements than the XSD allows (a receipt carries 1 to 100
    /// return elements; a tax bill 1 to 99 items).
    #[error("{message}: {count} {element} element(s) given; the schema allows {min} to {max}")]
    Count { message: &'static str, element: &'static str, count: usize, min: u32, max: u32 },

    /// The XSD requires a value that the caller did not give (absent, or
    /// empty where the XSD needs at least one character).
    #[error("{message}: {path} ({label}) is required by the schema, but no value was given")]
    Missing { message: &'static str, path: String, label: &'static str },

    /// A value the XSD does not accept (wrong length, too many digits, a
    /// character XML cannot carry, a positive CEB900 status, …). `value` is
    /// the offending value, shortened for display if long.
    #[error("{message}: {path} ({label}) {value:?} is not accepted: {reason}")]
    Invalid { message: &'static str, path: String, label: &'static str, value: String, reason: String },

    /// The encoded message failed the final schema check. The builders check
    /// every value against the XSD first, so this means a bug in this crate;
    /// it is reported rather than handing out an invalid message.
    #[error(
        "{message}: the encoded message is not schema-valid (a bug in cbec-receipts): {}",
        .diagnostics.first().map_or("", |d| d.message.as_str())
    )]
    Schema { message: &'static str, diagnostics: Vec<Diagnostic> },
}

impl ReceiptError {
    /// The root element of the message being built, e.g. `CEB622Message`.
    pub fn message(&self) -> &'static str {
        match self {
            ReceiptError::Count { message, .. }
            | ReceiptError::Missing { message, .. }
            | ReceiptError::Invalid { message, .. }
            | ReceiptError::Schema { message, .. } => message,
        }
    }

    /// The path of the field at fault, e.g. `InventoryReturn[2]/preNo`.
    pub fn path(&self) -> Option<&str> {
        match self {
            ReceiptError::Missing { path, .. } | ReceiptError::Invalid { path, .. } => Some(path),
            ReceiptError::Count { .. } | ReceiptError::Schema { .. } => None,
        }
    }

    /// The XSD name of the field at fault, e.g. `preNo` (the last step of
    /// [`ReceiptError::path`]; for a root attribute, `@guid`).
    pub fn field(&self) -> Option<&str> {
        self.path().map(|p| p.rsplit('/').next().unwrap_or(p))
    }
}

/// A value shortened for an error message (at most 80 characters).
pub(crate) fn preview(v: &str) -> String {
    const MAX: usize = 80;
    match v.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &v[..i]),
        None => v.to_string(),
    }
}
