//! Risk warnings: what quality and safety monitoring found, the goods it
//! concerns and the control measure customs applies to them.

use serde::{Deserialize, Serialize};

/// How serious a warning is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

/// The control measure an active warning applies to matching lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Hold the goods for inspection (the list goes to inspection).
    HoldForInspection,
    /// Inspect every matching list (100 %) while the warning is valid.
    FullInspection,
    /// Refuse entry: the list is rejected.
    RefuseEntry,
}

/// The goods a warning concerns. Every field given must hold (and); at
/// least one is given. Text comparisons ignore case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// HS code or prefix (2 to 10 digits) of the item.
    pub hs_prefix: Option<String>,
    /// A product: a word or phrase in the item's goods name.
    pub product: Option<String>,
    /// A brand: a word or phrase in the item's brand/model (`gmodel`).
    pub brand: Option<String>,
    /// An enterprise (its code) among the list's parties.
    pub enterprise: Option<String>,
    /// The item's origin country (3-digit code).
    pub origin_country: Option<String>,
}

/// An active or past risk warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub id: String,
    pub scope: Scope,
    pub severity: Severity,
    pub measure: Measure,
    /// Valid from (inclusive) and until (exclusive), Unix milliseconds.
    pub valid_from: i64,
    pub valid_until: i64,
}
