//! Test results: what a laboratory found in a sample of a product.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::common::{
    Actor, Applied, Checks, Event, EventKind, Millis, Record, RecordKind, SHORT_MAX, TEXT_MAX, WRITERS, check_version,
    next_version, require_officer,
};
use crate::error::{Error, Result};
use crate::plan::SamplingPlan;

/// The sampled product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// The 10-digit HS code.
    pub hs_code: String,
    /// The goods name.
    pub name: String,
    pub brand: Option<String>,
    /// The item's record number or article number, when known.
    pub item_no: Option<String>,
    /// The enterprise answerable for the goods (its code).
    pub enterprise: String,
    pub batch: String,
    /// The 3-digit origin country, when known.
    pub origin_country: Option<String>,
}

/// The kind of hazard a failed test found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hazard {
    Microbial,
    HeavyMetal,
    Pesticide,
    Additive,
    Chemical,
    Physical,
    Labelling,
    /// Anything else, named.
    Other(String),
}

/// Pass or fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    /// The findings (e.g. "E. coli 10^4 CFU/g, limit 10^2") and the hazard.
    Fail {
        findings: Vec<String>,
        hazard: Hazard,
    },
}

/// The stored state of a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ResultState {
    Recorded,
    /// Recorded in error (wrong sample, lab error); it no longer supports
    /// a new warning. Warnings already issued stay until lifted.
    Withdrawn {
        by: String,
        at: Millis,
        reason: String,
    },
}

/// A recorded test result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestResult {
    pub id: String,
    pub version: u32,
    /// The sampling plan the sample was taken under, if any.
    pub plan_id: Option<String>,
    pub product: Product,
    pub lab: String,
    pub sampled_at: Millis,
    pub tested_at: Millis,
    pub outcome: Outcome,
    pub recorded_by: String,
    pub recorded_at: Millis,
    pub state: ResultState,
}

/// What an officer gives to record a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewResult {
    pub plan_id: Option<String>,
    pub product: Product,
    pub lab: String,
    pub sampled_at: Millis,
    pub tested_at: Millis,
    pub outcome: Outcome,
}

/// The commands on a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum ResultCommand {
    /// Recorded → Withdrawn.
    Withdraw { reason: String },
}

impl Record for TestResult {
    const KIND: RecordKind = RecordKind::TestResult;
    fn id(&self) -> &str {
        &self.id
    }
    fn version(&self) -> u32 {
        self.version
    }
}

fn check_product(c: &mut Checks, p: &Product) {
    c.hs_code("product.hs_code", &p.hs_code);
    c.text("product.name", &p.name, SHORT_MAX, "give the goods name");
    c.opt_text("product.brand", p.brand.as_deref(), SHORT_MAX);
    c.opt_text("product.item_no", p.item_no.as_deref(), SHORT_MAX);
    c.enterprise("product.enterprise", &p.enterprise);
    c.text("product.batch", &p.batch, SHORT_MAX, "give the batch (lot) number of the sample");
    if let Some(o) = &p.origin_country {
        c.origin("product.origin_country", o);
    }
}

/// Records a test result (risk officers and supervisors). When the input
/// names a plan, that plan must be handed in: the sample must have been
/// taken while it ran, and the product must fall in its scope.
pub fn record_result(
    id: impl Into<String>,
    input: NewResult,
    plan: Option<&SamplingPlan>,
    actor: &Actor,
    now: Millis,
) -> Result<Applied<TestResult>> {
    let officer = require_officer(actor, WRITERS, "record a test result")?;
    match (&input.plan_id, plan) {
        (Some(named), Some(p)) if *named != p.id => {
            return Err(Error::WrongLink { field: "plan_id", expected: named.clone(), found: p.id.clone() });
        }
        (Some(named), None) => {
            return Err(Error::WrongLink { field: "plan_id", expected: named.clone(), found: "no plan".into() });
        }
        (None, Some(p)) => {
            return Err(Error::WrongLink { field: "plan_id", expected: "no plan".into(), found: p.id.clone() });
        }
        _ => {}
    }
    let mut c = Checks::new();
    let id = id.into();
    c.text("id", &id, SHORT_MAX, "give the new record's id");
    check_product(&mut c, &input.product);
    c.text("lab", &input.lab, SHORT_MAX, "name the laboratory");
    if input.sampled_at > input.tested_at {
        c.add("tested_at", "is before sampled_at", "give the time of the test, after the sampling");
    }
    if input.tested_at > now {
        c.add("tested_at", "is in the future", "give the time of the test, not after now");
    }
    if let Outcome::Fail { findings, hazard } = &input.outcome {
        c.list("outcome.findings", findings, true, TEXT_MAX, "list what the test found, one finding per entry");
        if let Hazard::Other(name) = hazard {
            c.text("outcome.hazard", name, SHORT_MAX, "name the hazard");
        }
    }
    if let Some(p) = plan {
        if !p.ran_at(input.sampled_at) {
            c.add(
                "sampled_at",
                format!("plan {} was not running then", p.id),
                "give the plan the sample was taken under, or none",
            );
        }
        if !p.covers(&input.product) {
            c.add(
                "product",
                format!("is outside the scope of plan {}", p.id),
                "give the plan covering this product, or none",
            );
        }
    }
    c.finish()?;
    let result = TestResult {
        id,
        version: 1,
        plan_id: input.plan_id,
        product: input.product,
        lab: input.lab,
        sampled_at: input.sampled_at,
        tested_at: input.tested_at,
        outcome: input.outcome,
        recorded_by: officer.to_owned(),
        recorded_at: now,
        state: ResultState::Recorded,
    };
    let verdict = if result.failed() { "FAIL" } else { "pass" };
    let event = Event {
        kind: EventKind::ResultRecorded,
        record: RecordKind::TestResult,
        record_id: result.id.clone(),
        version: 1,
        actor: actor.clone(),
        at: now,
        summary: format!(
            "test result {} recorded by {actor}: {verdict} for {} ({}) of {}, batch {}",
            result.id, result.product.name, result.product.hs_code, result.product.enterprise, result.product.batch
        ),
        details: json!({ "plan_id": result.plan_id, "product": result.product, "lab": result.lab,
            "sampled_at": result.sampled_at, "tested_at": result.tested_at, "outcome": result.outcome }),
    };
    Ok(Applied { record: result, event })
}

impl TestResult {
    /// True for a failed test.
    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Fail { .. })
    }

    /// Applies a command given by `actor` at `now` to the result read at
    /// `expected_version`.
    pub fn apply(
        &self,
        expected_version: u32,
        command: ResultCommand,
        actor: &Actor,
        now: Millis,
    ) -> Result<Applied<TestResult>> {
        let ResultCommand::Withdraw { reason } = command;
        let action = "withdraw a test result";
        let officer = require_officer(actor, WRITERS, action)?;
        check_version(self, expected_version)?;
        if let ResultState::Withdrawn { .. } = self.state {
            return Err(Error::BadState {
                record: RecordKind::TestResult,
                id: self.id.clone(),
                state: "withdrawn".into(),
                action,
            });
        }
        let mut c = Checks::new();
        c.text("reason", &reason, TEXT_MAX, "say why the result is withdrawn");
        c.finish()?;
        let mut result = self.clone();
        result.version = next_version(self.version);
        let details = json!({ "reason": reason });
        result.state = ResultState::Withdrawn { by: officer.to_owned(), at: now, reason };
        let event = Event {
            kind: EventKind::ResultWithdrawn,
            record: RecordKind::TestResult,
            record_id: result.id.clone(),
            version: result.version,
            actor: actor.clone(),
            at: now,
            summary: format!("test result {} withdrawn by {actor}", result.id),
            details,
        };
        Ok(Applied { record: result, event })
    }
}
