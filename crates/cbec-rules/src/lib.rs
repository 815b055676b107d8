//! cbec's business rules. Pure and deterministic: no clock, no database, no
//! randomness; everything a rule needs is passed in.
//!
//! [`validate`] runs the two validation levels over raw bytes: `schema`
//! (exactly the official XSD, see `cbec_ceb::validate_schema`) and `full`,
//! which adds [`check_message`]: the rules of the spec text and the domain
//! guide that need only the message itself (code values, formats,
//! arithmetic, mode-dependent fields, placeholder values of the official
//! samples). Every problem is a [`Diagnostic`](cbec_model::diag::Diagnostic)
//! with a stable code and the path of the field, all reported at once.

mod check;
pub mod filing;
mod message;
mod validate;

pub use message::{RuleConfig, check_message};
pub use validate::{Level, Report, validate};
