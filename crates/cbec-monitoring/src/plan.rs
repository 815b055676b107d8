//! Sampling plans: which goods to sample, how often, and why.

use cbec_risk::Scope;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::common::{
    Actor, Applied, Checks, Event, EventKind, Millis, Record, RecordKind, SHORT_MAX, TEXT_MAX, WRITERS, check_version,
    contains_ci, next_version, require_officer,
};
use crate::error::{Error, Result};
use crate::test_result::Product;

/// A period of a sampling count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// How much to sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Sampling {
    /// A share of the matching lists, in thousandths (1 to 1000).
    Rate { per_mille: u16 },
    /// A number of samples per period (at least 1).
    Count { count: u32, period: Period },
}

/// The stored state of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PlanState {
    Active,
    Closed { by: String, at: Millis, reason: String },
}

/// A plan's state at a time: [`PlanState`] plus the derived `Scheduled`
/// (before `starts_at`) and `Ended` (from `ends_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Scheduled,
    Active,
    Ended,
    Closed,
}

/// A sampling plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamplingPlan {
    pub id: String,
    pub version: u32,
    /// The goods to sample (same shape and rules as a warning's scope).
    pub scope: Scope,
    pub sampling: Sampling,
    /// The plan runs from `starts_at` (inclusive) until `ends_at`
    /// (exclusive, open-ended when `None`).
    pub starts_at: Millis,
    pub ends_at: Option<Millis>,
    pub reason: String,
    pub created_by: String,
    pub created_at: Millis,
    pub state: PlanState,
}

/// What an officer gives to create a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPlan {
    pub scope: Scope,
    pub sampling: Sampling,
    pub starts_at: Millis,
    pub ends_at: Option<Millis>,
    pub reason: String,
}

/// The commands on a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum PlanCommand {
    /// Change how much is sampled (while the plan is not closed or ended).
    Amend { sampling: Sampling, reason: String },
    /// Close the plan (Active → Closed).
    Close { reason: String },
}

impl Record for SamplingPlan {
    const KIND: RecordKind = RecordKind::SamplingPlan;
    fn id(&self) -> &str {
        &self.id
    }
    fn version(&self) -> u32 {
        self.version
    }
}

fn check_sampling(c: &mut Checks, sampling: &Sampling) {
    match *sampling {
        Sampling::Rate { per_mille } if !(1..=1000).contains(&per_mille) => c.add(
            "sampling.per_mille",
            format!("{per_mille} is outside 1 to 1000"),
            "give the share of lists to sample in thousandths, 1 to 1000",
        ),
        Sampling::Count { count: 0, .. } => c.add("sampling.count", "is 0", "give at least 1 sample per period"),
        _ => {}
    }
}

/// Creates a plan (risk officers and supervisors).
pub fn create_plan(id: impl Into<String>, input: NewPlan, actor: &Actor, now: Millis) -> Result<Applied<SamplingPlan>> {
    let officer = require_officer(actor, WRITERS, "create a sampling plan")?;
    let mut c = Checks::new();
    c.scope("scope", &input.scope);
    check_sampling(&mut c, &input.sampling);
    if let Some(end) = input.ends_at
        && end <= input.starts_at.max(now)
    {
        c.add(
            "ends_at",
            format!("{end} is not after starts_at and now"),
            "give an end after the start and now, or none",
        );
    }
    c.text("reason", &input.reason, TEXT_MAX, "say why these goods are sampled");
    let id = id.into();
    c.text("id", &id, SHORT_MAX, "give the new record's id");
    c.finish()?;
    let plan = SamplingPlan {
        id,
        version: 1,
        scope: input.scope,
        sampling: input.sampling,
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        reason: input.reason,
        created_by: officer.to_owned(),
        created_at: now,
        state: PlanState::Active,
    };
    let event = Event {
        kind: EventKind::PlanCreated,
        record: RecordKind::SamplingPlan,
        record_id: plan.id.clone(),
        version: plan.version,
        actor: actor.clone(),
        at: now,
        summary: format!("sampling plan {} created by {actor}", plan.id),
        details: json!({ "scope": plan.scope, "sampling": plan.sampling, "starts_at": plan.starts_at,
            "ends_at": plan.ends_at, "reason": plan.reason }),
    };
    Ok(Applied { record: plan, event })
}

impl SamplingPlan {
    /// The plan's state at `now`.
    pub fn status(&self, now: Millis) -> PlanStatus {
        match self.state {
            PlanState::Closed { .. } => PlanStatus::Closed,
            PlanState::Active if now < self.starts_at => PlanStatus::Scheduled,
            PlanState::Active if self.ends_at.is_some_and(|end| now >= end) => PlanStatus::Ended,
            PlanState::Active => PlanStatus::Active,
        }
    }

    /// True when the plan was running at `at` (not before its start, not
    /// from its end, not from its closing).
    pub fn ran_at(&self, at: Millis) -> bool {
        let closed = match self.state {
            PlanState::Closed { at: closed, .. } => at >= closed,
            PlanState::Active => false,
        };
        at >= self.starts_at && self.ends_at.is_none_or(|end| at < end) && !closed
    }

    /// True when the product falls in the plan's scope.
    pub fn covers(&self, product: &Product) -> bool {
        scope_covers(&self.scope, product)
    }

    /// Applies a command given by `actor` at `now` to the plan read at
    /// `expected_version`.
    pub fn apply(
        &self,
        expected_version: u32,
        command: PlanCommand,
        actor: &Actor,
        now: Millis,
    ) -> Result<Applied<SamplingPlan>> {
        let action = match command {
            PlanCommand::Amend { .. } => "amend a sampling plan",
            PlanCommand::Close { .. } => "close a sampling plan",
        };
        let officer = require_officer(actor, WRITERS, action)?;
        check_version(self, expected_version)?;
        let status = self.status(now);
        if matches!(status, PlanStatus::Closed | PlanStatus::Ended) {
            return Err(self.bad_state(status, action));
        }
        let mut plan = self.clone();
        plan.version = next_version(self.version);
        let (kind, summary, details) = match command {
            PlanCommand::Amend { sampling, reason } => {
                let mut c = Checks::new();
                check_sampling(&mut c, &sampling);
                c.text("reason", &reason, TEXT_MAX, "say why the sampling changes");
                c.finish()?;
                plan.sampling = sampling;
                let details = json!({ "from": self.sampling, "to": sampling, "reason": reason });
                (EventKind::PlanAmended, format!("sampling plan {} amended by {actor}", self.id), details)
            }
            PlanCommand::Close { reason } => {
                let mut c = Checks::new();
                c.text("reason", &reason, TEXT_MAX, "say why the plan is closed");
                c.finish()?;
                let details = json!({ "reason": reason });
                plan.state = PlanState::Closed { by: officer.to_owned(), at: now, reason };
                (EventKind::PlanClosed, format!("sampling plan {} closed by {actor}", self.id), details)
            }
        };
        let event = Event {
            kind,
            record: RecordKind::SamplingPlan,
            record_id: plan.id.clone(),
            version: plan.version,
            actor: actor.clone(),
            at: now,
            summary,
            details,
        };
        Ok(Applied { record: plan, event })
    }

    fn bad_state(&self, status: PlanStatus, action: &'static str) -> Error {
        let state = match status {
            PlanStatus::Scheduled => "scheduled",
            PlanStatus::Active => "active",
            PlanStatus::Ended => "ended",
            PlanStatus::Closed => "closed",
        };
        Error::BadState { record: RecordKind::SamplingPlan, id: self.id.clone(), state: state.to_owned(), action }
    }
}

/// True when a sampled product falls in a scope: every field given holds
/// (HS code prefix; product and brand as a phrase of the name and brand,
/// ignoring case; the enterprise and origin equal).
pub fn scope_covers(scope: &Scope, product: &Product) -> bool {
    let Scope { hs_prefix, product: name, brand, enterprise, origin_country } = scope;
    hs_prefix.as_deref().is_none_or(|p| product.hs_code.starts_with(p))
        && name.as_deref().is_none_or(|n| contains_ci(&product.name, n))
        && brand.as_deref().is_none_or(|b| product.brand.as_deref().is_some_and(|pb| contains_ci(pb, b)))
        && enterprise.as_deref().is_none_or(|e| product.enterprise.eq_ignore_ascii_case(e))
        && origin_country.as_deref().is_none_or(|o| product.origin_country.as_deref() == Some(o))
}
