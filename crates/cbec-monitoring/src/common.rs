//! What every record shares: the actor of a command, the audit event it
//! produces, the version check, the role checks and field validation.

use std::fmt;

use cbec_model::filing::Role;
use cbec_model::ident::{EnterpriseCode, HsCode};
use cbec_risk::Scope;
use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldProblem, Result};

/// Unix time in milliseconds; every time of this crate is one.
pub type Millis = i64;

/// One day in milliseconds.
pub const DAY_MS: Millis = 86_400_000;

/// The roles that write monitoring records: sampling plans, test results,
/// warnings, reduction and rectification orders, credit proposals. As in
/// the rest of cbec, a supervisor may do what a risk officer does.
pub const WRITERS: &[Role] = &[Role::RiskOfficer, Role::Supervisor];

/// The roles that decide credit downgrade proposals.
pub const DECIDERS: &[Role] = &[Role::Supervisor];

/// Longest free text (reasons, descriptions, notes, responses), in characters.
pub const TEXT_MAX: usize = 4000;
/// Longest short text (names, batch, lab, references), in characters.
pub const SHORT_MAX: usize = 200;
/// Most entries of a list (findings, evidence, document ids).
pub const LIST_MAX: usize = 100;

/// Who gives a command.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A customs officer with their role.
    Officer { id: String, role: Role },
    /// An enterprise, by its code (customs code or USCC).
    Enterprise { code: String },
}

impl Actor {
    pub fn officer(id: impl Into<String>, role: Role) -> Actor {
        Actor::Officer { id: id.into(), role }
    }

    pub fn enterprise(code: impl Into<String>) -> Actor {
        Actor::Enterprise { code: code.into() }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Officer { id, role } => write!(f, "officer {id} ({role})"),
            Actor::Enterprise { code } => write!(f, "enterprise {code}"),
        }
    }
}

/// The kinds of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    SamplingPlan,
    TestResult,
    Warning,
    ReductionOrder,
    RectificationOrder,
    CreditProposal,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::SamplingPlan => "sampling_plan",
            RecordKind::TestResult => "test_result",
            RecordKind::Warning => "warning",
            RecordKind::ReductionOrder => "reduction_order",
            RecordKind::RectificationOrder => "rectification_order",
            RecordKind::CreditProposal => "credit_proposal",
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened, one per accepted command. The stable name is
/// `<record>.<verb>`, e.g. `warning.lifted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "sampling_plan.created")]
    PlanCreated,
    #[serde(rename = "sampling_plan.amended")]
    PlanAmended,
    #[serde(rename = "sampling_plan.closed")]
    PlanClosed,
    #[serde(rename = "test_result.recorded")]
    ResultRecorded,
    #[serde(rename = "test_result.withdrawn")]
    ResultWithdrawn,
    #[serde(rename = "warning.created")]
    WarningCreated,
    #[serde(rename = "warning.extended")]
    WarningExtended,
    #[serde(rename = "warning.lifted")]
    WarningLifted,
    #[serde(rename = "reduction_order.issued")]
    ReductionIssued,
    #[serde(rename = "reduction_order.responded")]
    ReductionResponded,
    #[serde(rename = "reduction_order.rejected")]
    ReductionRejected,
    #[serde(rename = "reduction_order.closed")]
    ReductionClosed,
    #[serde(rename = "reduction_order.withdrawn")]
    ReductionWithdrawn,
    #[serde(rename = "rectification_order.issued")]
    RectificationIssued,
    #[serde(rename = "rectification_order.followed_up")]
    RectificationFollowedUp,
    #[serde(rename = "rectification_order.responded")]
    RectificationResponded,
    #[serde(rename = "rectification_order.reopened")]
    RectificationReopened,
    #[serde(rename = "rectification_order.verified")]
    RectificationVerified,
    #[serde(rename = "rectification_order.withdrawn")]
    RectificationWithdrawn,
    #[serde(rename = "credit_proposal.proposed")]
    CreditProposed,
    #[serde(rename = "credit_proposal.approved")]
    CreditApproved,
    #[serde(rename = "credit_proposal.rejected")]
    CreditRejected,
}

impl EventKind {
    pub const ALL: &'static [EventKind] = &[
        EventKind::PlanCreated,
        EventKind::PlanAmended,
        EventKind::PlanClosed,
        EventKind::ResultRecorded,
        EventKind::ResultWithdrawn,
        EventKind::WarningCreated,
        EventKind::WarningExtended,
        EventKind::WarningLifted,
        EventKind::ReductionIssued,
        EventKind::ReductionResponded,
        EventKind::ReductionRejected,
        EventKind::ReductionClosed,
        EventKind::ReductionWithdrawn,
        EventKind::RectificationIssued,
        EventKind::RectificationFollowedUp,
        EventKind::RectificationResponded,
        EventKind::RectificationReopened,
        EventKind::RectificationVerified,
        EventKind::RectificationWithdrawn,
        EventKind::CreditProposed,
        EventKind::CreditApproved,
        EventKind::CreditRejected,
    ];

    /// The stable name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::PlanCreated => "sampling_plan.created",
            EventKind::PlanAmended => "sampling_plan.amended",
            EventKind::PlanClosed => "sampling_plan.closed",
            EventKind::ResultRecorded => "test_result.recorded",
            EventKind::ResultWithdrawn => "test_result.withdrawn",
            EventKind::WarningCreated => "warning.created",
            EventKind::WarningExtended => "warning.extended",
            EventKind::WarningLifted => "warning.lifted",
            EventKind::ReductionIssued => "reduction_order.issued",
            EventKind::ReductionResponded => "reduction_order.responded",
            EventKind::ReductionRejected => "reduction_order.rejected",
            EventKind::ReductionClosed => "reduction_order.closed",
            EventKind::ReductionWithdrawn => "reduction_order.withdrawn",
            EventKind::RectificationIssued => "rectification_order.issued",
            EventKind::RectificationFollowedUp => "rectification_order.followed_up",
            EventKind::RectificationResponded => "rectification_order.responded",
            EventKind::RectificationReopened => "rectification_order.reopened",
            EventKind::RectificationVerified => "rectification_order.verified",
            EventKind::RectificationWithdrawn => "rectification_order.withdrawn",
            EventKind::CreditProposed => "credit_proposal.proposed",
            EventKind::CreditApproved => "credit_proposal.approved",
            EventKind::CreditRejected => "credit_proposal.rejected",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The audit event of an accepted command: what, on which record (and the
/// record's version after it), by whom, when, a one-line English summary
/// and the details as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub kind: EventKind,
    pub record: RecordKind,
    pub record_id: String,
    pub version: u32,
    pub actor: Actor,
    pub at: Millis,
    pub summary: String,
    pub details: serde_json::Value,
}

/// The outcome of an accepted command: the record as it is now (to store
/// if its version is still the one read) and the event to append to the
/// audit log in the same transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied<R> {
    pub record: R,
    pub event: Event,
}

/// What a store needs of every record.
pub trait Record {
    const KIND: RecordKind;
    fn id(&self) -> &str;
    /// 1 when created; each accepted command adds one.
    fn version(&self) -> u32;
}

/// An enterprise's answer to an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub text: String,
    /// References to evidence (document ids, file names, photo refs).
    pub evidence: Vec<String>,
    pub at: Millis,
    /// The responding enterprise's code.
    pub by: String,
}

/// An officer's turning down of a response: why, and the deadline set anew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// The response turned down.
    pub response: Response,
    pub reason: String,
    pub new_deadline: Millis,
    pub by: String,
    pub at: Millis,
}

// ---- checks shared by the command functions ----

/// Fails unless `actual == expected`.
pub(crate) fn check_version<R: Record>(record: &R, expected: u32) -> Result<()> {
    if record.version() == expected {
        Ok(())
    } else {
        Err(Error::StaleVersion { record: R::KIND, id: record.id().to_owned(), expected, actual: record.version() })
    }
}

/// The officer's id if the actor is an officer with one of `roles`.
pub(crate) fn require_officer<'a>(actor: &'a Actor, roles: &[Role], action: &'static str) -> Result<&'a str> {
    match actor {
        Actor::Officer { id, role } if roles.contains(role) => Ok(id),
        _ => Err(Error::NotAllowed { actor: actor.to_string(), action, reason: only(roles) }),
    }
}

fn only(roles: &[Role]) -> String {
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    format!("only officers with the role {} may", names.join(" or "))
}

/// The enterprise's code if the actor is the enterprise `addressee`.
pub(crate) fn require_addressee<'a>(actor: &'a Actor, addressee: &str, action: &'static str) -> Result<&'a str> {
    match actor {
        Actor::Enterprise { code } if code.eq_ignore_ascii_case(addressee) => Ok(code),
        _ => Err(Error::NotAllowed {
            actor: actor.to_string(),
            action,
            reason: "only the enterprise the order is addressed to may".to_owned(),
        }),
    }
}

pub(crate) fn next_version(version: u32) -> u32 {
    version.saturating_add(1)
}

/// Collects every field problem of a command, then fails with all of them.
#[derive(Debug, Default)]
pub(crate) struct Checks(Vec<FieldProblem>);

impl Checks {
    pub(crate) fn new() -> Checks {
        Checks::default()
    }

    pub(crate) fn add(&mut self, field: impl Into<String>, problem: impl Into<String>, fix: impl Into<String>) {
        self.0.push(FieldProblem { field: field.into(), problem: problem.into(), fix: fix.into() });
    }

    pub(crate) fn finish(self) -> Result<()> {
        if self.0.is_empty() { Ok(()) } else { Err(Error::InvalidField(self.0)) }
    }

    /// Non-blank text of at most `max` characters.
    pub(crate) fn text(&mut self, field: &str, value: &str, max: usize, fix: &str) {
        if value.trim().is_empty() {
            self.add(field, "is empty", fix);
        } else {
            self.length(field, value, max);
        }
    }

    /// Optional text: when given, as [`Checks::text`].
    pub(crate) fn opt_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            self.text(field, v, max, "give a value or leave the field out");
        }
    }

    pub(crate) fn length(&mut self, field: &str, value: &str, max: usize) {
        let n = value.chars().count();
        if n > max {
            self.add(field, format!("has {n} characters"), format!("shorten it to at most {max}"));
        }
    }

    /// A list of at most [`LIST_MAX`] non-blank entries of at most `max`
    /// characters (it may be empty unless `required`).
    pub(crate) fn list(&mut self, field: &str, values: &[String], required: bool, max: usize, fix: &str) {
        if required && values.is_empty() {
            self.add(field, "is empty", fix);
        }
        if values.len() > LIST_MAX {
            self.add(field, format!("has {} entries", values.len()), format!("give at most {LIST_MAX}"));
        }
        for (i, v) in values.iter().enumerate() {
            self.text(&format!("{field}[{i}]"), v, max, fix);
        }
    }

    pub(crate) fn enterprise(&mut self, field: &str, code: &str) {
        if let Err(e) = EnterpriseCode::parse(code) {
            self.add(
                field,
                format!("'{code}' is not an enterprise code: {e}"),
                "give the 10-character customs code or the 18-character unified social credit code",
            );
        }
    }

    pub(crate) fn hs_code(&mut self, field: &str, code: &str) {
        if let Err(e) = HsCode::parse(code) {
            self.add(field, format!("'{code}' is not an HS code: {e}"), "give the 10-digit HS code");
        }
    }

    pub(crate) fn origin(&mut self, field: &str, code: &str) {
        if !(code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit())) {
            self.add(field, format!("'{code}' is not a country code"), "give the 3-digit country code, e.g. 392");
        }
    }

    /// `deadline` must lie after `now`.
    pub(crate) fn future(&mut self, field: &str, at: Millis, now: Millis) {
        if at <= now {
            self.add(field, format!("{at} is not after now ({now})"), "give a time in the future (Unix ms)");
        }
    }

    /// A warning or plan scope: at least one field; an HS prefix of 2 to 10
    /// digits; a 3-digit origin; an enterprise code; no blank text.
    pub(crate) fn scope(&mut self, field: &str, scope: &Scope) {
        let Scope { hs_prefix, product, brand, enterprise, origin_country } = scope;
        if hs_prefix.is_none()
            && product.is_none()
            && brand.is_none()
            && enterprise.is_none()
            && origin_country.is_none()
        {
            self.add(
                field,
                "names no goods",
                "give at least one of hs_prefix, product, brand, enterprise, origin_country",
            );
        }
        if let Some(p) = hs_prefix
            && !((2..=10).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
        {
            self.add(
                format!("{field}.hs_prefix"),
                format!("'{p}' is not 2 to 10 digits"),
                "give 2 to 10 digits of the HS code, e.g. 0402",
            );
        }
        self.opt_text(&format!("{field}.product"), product.as_deref(), SHORT_MAX);
        self.opt_text(&format!("{field}.brand"), brand.as_deref(), SHORT_MAX);
        if let Some(e) = enterprise {
            self.enterprise(&format!("{field}.enterprise"), e);
        }
        if let Some(o) = origin_country {
            self.origin(&format!("{field}.origin_country"), o);
        }
    }
}

/// True when `haystack` contains `needle`, ignoring case.
pub(crate) fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}
