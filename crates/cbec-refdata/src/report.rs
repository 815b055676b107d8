//! What is wrong with a table: every bad row, and the columns of a file.

use std::collections::HashMap;
use std::fmt;

use cbec_model::codes::csv::{self, Record};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::Kind;

/// One problem in a file: where, what was found and why it is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line of the file.
    pub line: usize,
    /// The column, when the problem is one value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub value: String,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, {c} {:?}: {}", self.line, self.value, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// A table refused: its kind, the rows read and every problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("the {} table has {} problem(s); first: {}", kind.name(), errors.len(), errors.first().map(ToString::to_string).unwrap_or_default())]
pub struct Rejected {
    pub kind: Kind,
    /// Data rows read (the header not counted).
    pub rows: usize,
    pub errors: Vec<RowError>,
}

/// The data rows of a file and where each required column is.
pub(crate) struct Rows {
    pub records: Vec<Record>,
    columns: HashMap<&'static str, usize>,
}

impl Rows {
    /// Reads the CSV and its header; a file that is not CSV, or lacks a
    /// required column, is refused here.
    pub fn read(kind: Kind, text: &str) -> Result<Rows, Rejected> {
        let refuse = |line, reason: String| Rejected {
            kind,
            rows: 0,
            errors: vec![RowError { line, column: None, value: String::new(), reason }],
        };
        let mut records = csv::records(text).map_err(|e| refuse(e.line, format!("not CSV: {}", e.message)))?;
        if records.is_empty() {
            return Err(refuse(1, format!("the file is empty; its header needs {}", kind.columns().join(","))));
        }
        let header = records.remove(0);
        let mut columns = HashMap::new();
        let mut missing = Vec::new();
        for &name in kind.columns() {
            match header.fields.iter().position(|h| h.trim().eq_ignore_ascii_case(name)) {
                Some(i) => {
                    columns.insert(name, i);
                }
                None => missing.push(name),
            }
        }
        if !missing.is_empty() {
            return Err(refuse(
                header.line,
                format!(
                    "the header lacks the column(s) {}; a {} file has {}",
                    missing.join(", "),
                    kind.name(),
                    kind.columns().join(",")
                ),
            ));
        }
        // Comment rows (a first field starting with '#') are not data.
        records.retain(|r| !r.fields.first().is_some_and(|f| f.trim_start().starts_with('#')));
        Ok(Rows { records, columns })
    }

    /// A value of a row, trimmed ("" when the row is short).
    pub fn get<'r>(&self, record: &'r Record, column: &'static str) -> &'r str {
        self.columns.get(column).and_then(|&i| record.fields.get(i)).map_or("", |v| v.trim())
    }
}

/// Collects the problems of one row.
pub(crate) struct Check<'a> {
    pub line: usize,
    pub errors: &'a mut Vec<RowError>,
}

impl Check<'_> {
    pub fn bad(&mut self, column: &str, value: &str, reason: impl Into<String>) {
        self.errors.push(RowError {
            line: self.line,
            column: Some(column.to_string()),
            value: value.to_string(),
            reason: reason.into(),
        });
    }

    /// A value that must not be empty.
    pub fn required(&mut self, column: &str, value: &str) -> String {
        if value.is_empty() {
            self.bad(column, value, "required");
        }
        value.to_string()
    }

    /// A code of `digits` digits (any of them).
    pub fn digits(&mut self, column: &str, value: &str, lengths: &[usize]) -> String {
        if !lengths.contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit()) {
            let want: Vec<String> = lengths.iter().map(ToString::to_string).collect();
            self.bad(column, value, format!("{} digits expected", want.join(" or ")));
        }
        value.to_string()
    }

    /// A rate between 0 and `max` inclusive, e.g. `0.13`.
    pub fn rate(&mut self, column: &str, value: &str, max: Decimal) -> Decimal {
        match value.parse::<Decimal>() {
            Ok(r) if r >= Decimal::ZERO && r <= max => r,
            Ok(_) => {
                self.bad(column, value, format!("a rate from 0 to {max}, written as a decimal such as 0.13"));
                Decimal::ZERO
            }
            Err(_) => {
                self.bad(column, value, "not a decimal number (write rates such as 0.13)");
                Decimal::ZERO
            }
        }
    }

    /// A `0`/`1` flag.
    pub fn flag(&mut self, column: &str, value: &str) -> bool {
        match value {
            "1" => true,
            "0" => false,
            _ => {
                self.bad(column, value, "0 or 1 expected");
                false
            }
        }
    }

    /// A unit of measure from the unit code table (e.g. `035` kilogram).
    pub fn unit(&mut self, column: &str, value: &str) -> String {
        if cbec_model::codes::unit(value).is_none() {
            self.bad(column, value, "not a unit code of the unit table (e.g. 035 kilogram, 007 piece)");
        }
        value.to_string()
    }
}

/// Finishes a table: the value, or every problem.
pub(crate) fn finish<T>(kind: Kind, rows: usize, errors: Vec<RowError>, value: T) -> Result<T, Rejected> {
    if errors.is_empty() { Ok(value) } else { Err(Rejected { kind, rows, errors }) }
}
