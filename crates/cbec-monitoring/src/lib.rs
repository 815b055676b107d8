//! Quality and safety risk monitoring (质量安全风险监测) of cross-border
//! e-commerce goods, as workflows with state, deadlines and audit.
//!
//! Customs samples goods under a [`SamplingPlan`] and records each
//! laboratory [`TestResult`]. A failed result (or an officer's [`Finding`])
//! raises a risk warning, a [`WarningRecord`] around the risk engine's
//! [`cbec_risk::Warning`]: while in force ([`active_warnings`]) it applies
//! its control [`cbec_risk::Measure`] (hold for inspection, 100 %
//! inspection, refuse entry) to matching lists. Customs orders the
//! enterprise to reduce the risk with a [`ReductionOrder`] (stop sale,
//! recall, return, destroy) and has violations rectified with a
//! [`RectificationOrder`]; an upheld violation counts on the enterprise's
//! record ([`violations`]) and may ground a [`CreditProposal`] to lower its
//! credit rating, which a second officer decides.
//!
//! The crate is the pure core: records, state machines, command checks and
//! audit events. No clock (time is Unix ms, passed in), no storage, no HTTP.
//!
//! # Shape of the API
//!
//! - Every record is a serde struct with `id` and `version` (the
//!   [`Record`] trait). Creation functions ([`create_plan`],
//!   [`record_result`], [`warning_from_result`], [`warning_from_finding`],
//!   [`issue_reduction`], [`issue_rectification`], [`propose_downgrade`])
//!   take the new id (the store makes ids), the input, the [`Actor`] and
//!   `now`, and give version 1.
//! - Each record has one `apply(&self, expected_version, command, actor,
//!   now)` taking its command enum (serde-tagged by `command`). It checks,
//!   in order, the actor's right ([`Error::NotAllowed`],
//!   [`Error::FourEyes`]), the version ([`Error::StaleVersion`]), the state
//!   ([`Error::BadState`]) and the fields ([`Error::InvalidField`], every
//!   problem at once), and returns an [`Applied`]: the record at version + 1
//!   and the [`Event`] for the audit log. The store writes both in one
//!   transaction, conditional on the version it read.
//! - Derived states are computed at a time, never stored: a warning is
//!   `expired` from `valid_until`, an order `overdue` after its deadline
//!   while waiting for the enterprise ([`due`] lists them for the sweeper).
//!
//! # States and commands
//!
//! | record | states | commands (who) |
//! |---|---|---|
//! | [`SamplingPlan`] | active → closed (derived scheduled, ended) | amend, close (writers) |
//! | [`TestResult`] | recorded → withdrawn | withdraw (writers) |
//! | [`WarningRecord`] | active → lifted (derived pending, expired) | lift, extend (writers) |
//! | [`ReductionOrder`] | issued ⇄ responded → closed; issued/responded → withdrawn (derived overdue) | respond (the addressee), reject, close, withdraw (writers) |
//! | [`RectificationOrder`] | issued ⇄ responded; → verified {upheld}; → withdrawn (derived overdue) | respond (the addressee), follow up, reopen, verify, withdraw (writers) |
//! | [`CreditProposal`] | proposed → approved / rejected | decide (a supervisor, not the proposer) |
//!
//! Writers ([`WRITERS`]) are risk officers and, as elsewhere in cbec,
//! supervisors; deciders ([`DECIDERS`]) are supervisors.

// Tests may unwrap; library code may not (workspace lint `unwrap_used`).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod common;
mod credit;
mod error;
mod orders;
mod plan;
mod rectification;
mod reduction;
mod test_result;
mod warning;

pub use common::{
    Actor, Applied, DAY_MS, DECIDERS, Event, EventKind, LIST_MAX, Millis, Record, RecordKind, Rejection, Response,
    SHORT_MAX, TEXT_MAX, WRITERS,
};
pub use credit::{
    CreditProposal, NewCreditProposal, ProposalCommand, ProposalState, is_downgrade, propose_downgrade, rating_rank,
};
pub use error::{Error, FieldProblem, Result};
pub use orders::{Due, EnterpriseView, OrderKind, OrderStatus, OrderView, due, enterprise_view, violations};
pub use plan::{
    NewPlan, Period, PlanCommand, PlanState, PlanStatus, Sampling, SamplingPlan, create_plan, scope_covers,
};
pub use rectification::{
    FollowUp, NewRectificationOrder, RectificationCommand, RectificationOrder, RectificationState, ViolationKind,
    issue_rectification,
};
pub use reduction::{
    NewReductionOrder, ReductionAction, ReductionCommand, ReductionOrder, ReductionState, issue_reduction,
};
pub use test_result::{Hazard, NewResult, Outcome, Product, ResultCommand, ResultState, TestResult, record_result};
pub use warning::{
    DEFAULT_VALIDITY_MS, Finding, WarningCommand, WarningRecord, WarningSource, WarningState, WarningStatus,
    WarningTerms, active_warnings, default_measure, derived_scope, warning_from_finding, warning_from_result,
};
