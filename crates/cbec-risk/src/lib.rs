//! The risk engine of clearance (selectivity, in ASYCUDA's words).
//!
//! A [`Subject`] is what the engine sees of one list: its head, its goods,
//! its route and the enterprises behind it. Active risk [`Warning`]s (from
//! quality and safety monitoring) apply their control [`Measure`] to every
//! list in their [`Scope`]. Everything is pure: the time and the seed are
//! passed in, so a decision can be reproduced.

// Tests may unwrap; library code may not (workspace lint `unwrap_used`).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod subject;
mod warning;

pub use subject::{Direction, Item, Party, PartyRole, Subject};
pub use warning::{Measure, Scope, Severity, Warning};
