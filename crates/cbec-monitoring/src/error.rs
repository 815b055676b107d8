//! The one error type of the crate: why a command was refused, with a stable
//! code per variant.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::RecordKind;

/// One field that failed validation: which field (a path such as
/// `scope.hs_prefix` or `evidence[2]`), what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub problem: String,
    pub fix: String,
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.field, self.problem, self.fix)
    }
}

/// Why a command (or the creation of a record) was refused. Nothing changes
/// when a command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The actor's role (or, for an enterprise, the order's addressee) does
    /// not allow the action.
    #[error("{actor} may not {action}: {reason}")]
    NotAllowed { actor: String, action: &'static str, reason: String },
    /// The officer who proposed something may not also decide it.
    #[error("{officer} may not {action}: they proposed it, another supervisor must decide (four eyes)")]
    FourEyes { officer: String, action: &'static str },
    /// The record changed since the caller read it.
    #[error("{record} {id} is at version {actual}, not {expected}: read it again and retry")]
    StaleVersion { record: RecordKind, id: String, expected: u32, actual: u32 },
    /// The record's (derived) state does not allow the command.
    #[error("{record} {id} is {state}: cannot {action}")]
    BadState { record: RecordKind, id: String, state: String, action: &'static str },
    /// One or more fields are invalid; every problem is listed.
    #[error("invalid {}", join(.0))]
    InvalidField(Vec<FieldProblem>),
    /// A linked record handed in does not match the one the command names
    /// (a different id, or a different enterprise).
    #[error("{field}: the command names {expected} but {found} was given")]
    WrongLink { field: &'static str, expected: String, found: String },
}

fn join(problems: &[FieldProblem]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

impl Error {
    /// Every code with what it means, for the API documentation.
    pub const CODES: &'static [(&'static str, &'static str)] = &[
        ("monitoring.not_allowed", "the actor's role or the order's addressee does not allow the action"),
        ("monitoring.four_eyes", "the proposer of a credit downgrade may not decide it"),
        ("monitoring.stale_version", "the record changed since it was read; read it again"),
        ("monitoring.bad_state", "the record's state does not allow the command"),
        ("monitoring.invalid_field", "a field is missing or invalid; each problem names the field and the fix"),
        ("monitoring.wrong_link", "a linked record does not match the one the command names"),
    ];

    /// The stable code (`monitoring.bad_state`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotAllowed { .. } => "monitoring.not_allowed",
            Error::FourEyes { .. } => "monitoring.four_eyes",
            Error::StaleVersion { .. } => "monitoring.stale_version",
            Error::BadState { .. } => "monitoring.bad_state",
            Error::InvalidField(_) => "monitoring.invalid_field",
            Error::WrongLink { .. } => "monitoring.wrong_link",
        }
    }

    /// The field problems of an [`Error::InvalidField`]; empty otherwise.
    pub fn problems(&self) -> &[FieldProblem] {
        match self {
            Error::InvalidField(p) => p,
            _ => &[],
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_documented_code() {
        let samples = [
            Error::NotAllowed { actor: "a".into(), action: "x", reason: "r".into() },
            Error::FourEyes { officer: "o".into(), action: "x" },
            Error::StaleVersion { record: RecordKind::Warning, id: "w".into(), expected: 1, actual: 2 },
            Error::BadState { record: RecordKind::Warning, id: "w".into(), state: "lifted".into(), action: "x" },
            Error::InvalidField(vec![]),
            Error::WrongLink { field: "f", expected: "a".into(), found: "b".into() },
        ];
        for e in samples {
            assert!(Error::CODES.iter().any(|(c, _)| *c == e.code()), "{} undocumented", e.code());
        }
        assert_eq!(Error::CODES.len(), 6);
    }

    #[test]
    fn invalid_field_names_the_field_and_the_fix() {
        let e = Error::InvalidField(vec![FieldProblem {
            field: "reason".into(),
            problem: "is empty".into(),
            fix: "say why".into(),
        }]);
        assert_eq!(e.to_string(), "invalid reason: is empty (say why)");
    }
}
