//! Risk rule sets and monitoring records.
//!
//! **Rule sets** are the risk engine's versioned TOML files. An upload is
//! stored as a `draft` under the file's own `version` field (unique: a
//! changed file needs a new version). A draft is decided once, by a
//! principal other than its uploader (four eyes): approving makes it
//! `active` and retires the rule set active until then in the same
//! transaction, so at most one is active (a partial unique index enforces
//! it too); rejecting makes it `rejected`. The file is kept as uploaded,
//! with its SHA-256, so a decision can name the rules it applied.
//!
//! **Monitoring records** are the records of the quality and safety
//! monitoring workflows (sampling plans, test results, warnings, orders,
//! credit proposals), whose rules live in the pure crate `cbec-monitoring`.
//! The store keeps each as an opaque JSON body with a few indexed columns
//! (kind, enterprise, state) and a version for optimistic concurrency: an
//! update names the version it read and fails with `Conflict` if another
//! writer got there first.

use serde::Serialize;

use crate::{Id, Millis};

/// A stored rule set (without its content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSetRow {
    pub id: Id,
    /// The file's own `version` field, unique among rule sets.
    pub version: String,
    /// Hex SHA-256 of the content as uploaded.
    pub sha256: String,
    /// How many rules the file holds.
    pub rules: i64,
    /// [`RuleSetRow::DRAFT`], [`ACTIVE`](RuleSetRow::ACTIVE),
    /// [`RETIRED`](RuleSetRow::RETIRED) or [`REJECTED`](RuleSetRow::REJECTED).
    pub status: String,
    /// The uploader's principal (display form, e.g. `officer:0193…`).
    pub uploaded_by: String,
    pub uploaded_at: Millis,
    /// Who approved or rejected the draft, and when (a retired rule set
    /// keeps the decision that activated it).
    pub decided_by: Option<String>,
    pub decided_at: Option<Millis>,
    /// The decider's note.
    pub note: Option<String>,
}

impl RuleSetRow {
    /// Uploaded, not decided yet.
    pub const DRAFT: &'static str = "draft";
    /// The rule set in force (at most one).
    pub const ACTIVE: &'static str = "active";
    /// Was active, replaced by a later approval.
    pub const RETIRED: &'static str = "retired";
    /// Refused by its decider.
    pub const REJECTED: &'static str = "rejected";
}

/// A monitoring record: a JSON body the store does not interpret, with the
/// columns it filters on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonitoringRow {
    pub id: Id,
    /// `sampling_plan`, `test_result`, `warning`, `reduction_order`,
    /// `rectification_order`, `credit_proposal`. Fixed at insertion.
    pub kind: String,
    /// The enterprise code the record concerns or is addressed to.
    pub enterprise: Option<String>,
    pub state: String,
    /// Incremented by the domain on every change; the store checks it.
    pub version: i64,
    /// The record, as JSON text.
    pub body: String,
    /// Fixed at insertion (an update keeps the stored one).
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// Filter for monitoring record lists (every `Some` must match), in order of
/// creation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonitoringFilter {
    pub kind: Option<String>,
    pub enterprise: Option<String>,
    pub state: Option<String>,
    /// At most this many (`0` means no limit).
    pub limit: u32,
    /// Newest first (the `limit` newest), else oldest first.
    pub newest_first: bool,
}
