//! The clearance decisions of customs, pure and deterministic: no clock, no
//! database, no randomness; everything a decision needs is passed in.
//!
//! - [`facts`]: the documents of an incoming message (order, payment,
//!   waybill, list, cancellation, return) with their business keys.
//! - [`status`]: one status model for every document, the official
//!   `returnStatus` codes and an explicit transition table.
//! - [`matching`]: three-order matching of a list against its order,
//!   payment and waybill, field by field.
//! - [`tax`]: the single and annual limits and the retail-import tax.
//! - [`goods`]: goods control on lists against the reference data in force
//!   (HS codes, prohibited goods, the positive list and its annual caps).
//! - [`export`]: when a B2B export may be declared by a list.
//! - [`risk`]: the risk engine's view of lists and what a lane does.
//! - [`sandbox`]: outcomes an integrator forces by a marker (sandbox only).
//! - [`decide`]: what one message, officer action or deadline changes, as a
//!   [`decide::Plan`] the storage layer writes in one transaction.

// Tests may unwrap; library code may not (workspace lint `unwrap_used`).
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod decide;
pub mod export;
pub mod facts;
pub mod goods;
pub mod matching;
pub mod risk;
pub mod sandbox;
pub mod status;
pub mod tax;

pub use decide::{Action, Config, Doc, Needs, Plan, Refusal, Snapshot};
pub use facts::{Facts, Incoming, Kind};
pub use status::{Event, Status};
