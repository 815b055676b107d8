//! Versions of goods reference data (tariff, positive list, prohibited
//! goods): each import is a new version of its kind, effective from a date;
//! the version in force on a date is the one with the latest effective date
//! on or before it (the latest import breaks a tie). The validated CSV is
//! kept as imported, so a decision can name the version it used and the
//! table can be read again later.

use serde::Serialize;

use crate::{Id, Millis};

/// A table to store as a new version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefdata {
    /// `tariff`, `positive-list`, `prohibited`.
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub effective_from: String,
    /// Data rows.
    pub rows: i64,
    /// Where it came from (the file name).
    pub source: String,
    /// The CSV text, validated.
    pub content: String,
}

/// A stored version (without its content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefdataVersion {
    pub id: Id,
    pub kind: String,
    /// 1, 2, … per kind.
    pub version: i64,
    pub effective_from: String,
    pub imported_at: Millis,
    pub imported_by: String,
    pub sha256: String,
    pub rows: i64,
    pub source: String,
}
