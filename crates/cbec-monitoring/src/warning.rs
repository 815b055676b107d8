//! Risk warnings with their lifecycle: created from a failed test result or
//! an officer's finding, extended, lifted with a reason, expired when their
//! validity ends. The warning itself is a [`cbec_risk::Warning`], what the
//! risk engine applies to lists.

use cbec_risk::{Measure, Scope, Severity, Warning};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::common::{
    Actor, Applied, Checks, DAY_MS, Event, EventKind, Millis, Record, RecordKind, SHORT_MAX, TEXT_MAX, WRITERS,
    check_version, next_version, require_officer,
};
use crate::error::{Error, Result};
use crate::test_result::{Hazard, Outcome, ResultState, TestResult};

/// How long a warning is valid unless the officer says otherwise: 90 days.
pub const DEFAULT_VALIDITY_MS: Millis = 90 * DAY_MS;

/// The control measure proposed for a severity: critical → refuse entry,
/// high → 100 % inspection, medium and low → hold for inspection.
pub fn default_measure(severity: Severity) -> Measure {
    match severity {
        Severity::Critical => Measure::RefuseEntry,
        Severity::High => Measure::FullInspection,
        Severity::Medium | Severity::Low => Measure::HoldForInspection,
    }
}

/// What a warning was raised on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WarningSource {
    /// A failed test result.
    TestResult { result_id: String, hazard: Hazard },
    /// An officer's finding (intelligence, a complaint, another authority's
    /// notice), in words.
    Finding { finding: String },
}

/// The stored state of a warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum WarningState {
    Active,
    Lifted { by: String, at: Millis, reason: String },
}

/// A warning's state at a time: `Lifted`, or for an active one `Pending`
/// (before `valid_from`), `Active` or `Expired` (from `valid_until`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningStatus {
    Pending,
    Active,
    Expired,
    Lifted,
}

impl WarningStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningStatus::Pending => "pending",
            WarningStatus::Active => "active",
            WarningStatus::Expired => "expired",
            WarningStatus::Lifted => "lifted",
        }
    }
}

/// A risk warning and its lifecycle. `warning.id` equals `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningRecord {
    pub id: String,
    pub version: u32,
    pub warning: Warning,
    pub source: WarningSource,
    pub created_by: String,
    pub created_at: Millis,
    pub state: WarningState,
}

/// What the officer chooses when a failed result becomes a warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningTerms {
    pub severity: Severity,
    pub measure: Measure,
    /// Validity from now, in milliseconds (positive).
    pub valid_for_ms: Millis,
    /// The goods concerned; `None` takes [`derived_scope`] of the result.
    pub scope: Option<Scope>,
}

impl WarningTerms {
    /// The default terms for a severity: [`default_measure`],
    /// [`DEFAULT_VALIDITY_MS`], the derived scope.
    pub fn for_severity(severity: Severity) -> WarningTerms {
        WarningTerms { severity, measure: default_measure(severity), valid_for_ms: DEFAULT_VALIDITY_MS, scope: None }
    }
}

/// What an officer gives to raise a warning on a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub scope: Scope,
    pub severity: Severity,
    pub measure: Measure,
    /// Valid from now until this time (exclusive).
    pub valid_until: Millis,
    /// What was found, in words.
    pub finding: String,
}

/// The commands on a warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum WarningCommand {
    /// Active → Lifted, with a (non-empty) reason.
    Lift { reason: String },
    /// Move `valid_until` later (an active, unexpired warning only).
    Extend { until: Millis },
}

impl Record for WarningRecord {
    const KIND: RecordKind = RecordKind::Warning;
    fn id(&self) -> &str {
        &self.id
    }
    fn version(&self) -> u32 {
        self.version
    }
}

/// The scope of the goods of a result: its HS code, brand, enterprise and
/// origin country (when known). The goods name is left out, as names vary
/// from list to list; the officer may give a wider or narrower scope.
pub fn derived_scope(result: &TestResult) -> Scope {
    let p = &result.product;
    Scope {
        hs_prefix: Some(p.hs_code.clone()),
        product: None,
        brand: p.brand.clone().filter(|b| !b.trim().is_empty()),
        enterprise: Some(p.enterprise.clone()),
        origin_country: p.origin_country.clone(),
    }
}

/// Raises a warning on a failed, not withdrawn, test result (risk officers
/// and supervisors). Valid from `now` for `terms.valid_for_ms`.
pub fn warning_from_result(
    id: impl Into<String>,
    result: &TestResult,
    terms: WarningTerms,
    actor: &Actor,
    now: Millis,
) -> Result<Applied<WarningRecord>> {
    let action = "raise a risk warning";
    let officer = require_officer(actor, WRITERS, action)?;
    let bad_result = |state: &str| Error::BadState {
        record: RecordKind::TestResult,
        id: result.id.clone(),
        state: state.to_owned(),
        action,
    };
    let Outcome::Fail { findings, hazard } = &result.outcome else {
        return Err(bad_result("passed"));
    };
    if let ResultState::Withdrawn { .. } = result.state {
        return Err(bad_result("withdrawn"));
    }
    let mut c = Checks::new();
    if terms.valid_for_ms <= 0 {
        c.add(
            "valid_for_ms",
            format!("{} is not positive", terms.valid_for_ms),
            "give the validity in milliseconds, e.g. 90 days",
        );
    }
    let scope = terms.scope.unwrap_or_else(|| derived_scope(result));
    let source = WarningSource::TestResult { result_id: result.id.clone(), hazard: hazard.clone() };
    let basis = format!("test result {} failed: {}", result.id, findings.join("; "));
    let valid_until = now.saturating_add(terms.valid_for_ms);
    create(id.into(), c, scope, terms.severity, terms.measure, valid_until, source, basis, officer, actor, now)
}

/// Raises a warning on an officer's finding (risk officers and
/// supervisors). Valid from `now` until `finding.valid_until`.
pub fn warning_from_finding(
    id: impl Into<String>,
    finding: Finding,
    actor: &Actor,
    now: Millis,
) -> Result<Applied<WarningRecord>> {
    let officer = require_officer(actor, WRITERS, "raise a risk warning")?;
    let mut c = Checks::new();
    c.text("finding", &finding.finding, TEXT_MAX, "say what was found");
    let basis = format!("finding: {}", finding.finding);
    let source = WarningSource::Finding { finding: finding.finding };
    let Finding { scope, severity, measure, valid_until, .. } = finding;
    create(id.into(), c, scope, severity, measure, valid_until, source, basis, officer, actor, now)
}

#[allow(clippy::too_many_arguments)]
fn create(
    id: String,
    mut c: Checks,
    scope: Scope,
    severity: Severity,
    measure: Measure,
    valid_until: Millis,
    source: WarningSource,
    basis: String,
    officer: &str,
    actor: &Actor,
    now: Millis,
) -> Result<Applied<WarningRecord>> {
    c.text("id", &id, SHORT_MAX, "give the new record's id");
    c.scope("scope", &scope);
    if valid_until <= now {
        c.add(
            "valid_until",
            format!("{valid_until} is not after valid_from ({now})"),
            "give an end of validity after now",
        );
    }
    c.finish()?;
    let warning = Warning { id: id.clone(), scope, severity, measure, valid_from: now, valid_until };
    let record = WarningRecord {
        id,
        version: 1,
        warning,
        source,
        created_by: officer.to_owned(),
        created_at: now,
        state: WarningState::Active,
    };
    let w = &record.warning;
    let event = Event {
        kind: EventKind::WarningCreated,
        record: RecordKind::Warning,
        record_id: record.id.clone(),
        version: 1,
        actor: actor.clone(),
        at: now,
        summary: format!(
            "warning {} raised by {actor}: {} severity, measure {}, on {basis}",
            record.id,
            severity_name(w.severity),
            measure_name(w.measure)
        ),
        details: json!({ "warning": w, "source": record.source }),
    };
    Ok(Applied { record, event })
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

fn measure_name(m: Measure) -> &'static str {
    match m {
        Measure::HoldForInspection => "hold_for_inspection",
        Measure::FullInspection => "full_inspection",
        Measure::RefuseEntry => "refuse_entry",
    }
}

impl WarningRecord {
    /// The warning's state at `now`.
    pub fn status(&self, now: Millis) -> WarningStatus {
        match self.state {
            WarningState::Lifted { .. } => WarningStatus::Lifted,
            WarningState::Active if now < self.warning.valid_from => WarningStatus::Pending,
            WarningState::Active if now >= self.warning.valid_until => WarningStatus::Expired,
            WarningState::Active => WarningStatus::Active,
        }
    }

    /// The warning, if it applies its measure at `now`.
    pub fn in_force(&self, now: Millis) -> Option<&Warning> {
        (self.status(now) == WarningStatus::Active).then_some(&self.warning)
    }

    /// Applies a command given by `actor` at `now` to the warning read at
    /// `expected_version`. Lifted and expired warnings take no command.
    pub fn apply(
        &self,
        expected_version: u32,
        command: WarningCommand,
        actor: &Actor,
        now: Millis,
    ) -> Result<Applied<WarningRecord>> {
        let action = match command {
            WarningCommand::Lift { .. } => "lift a warning",
            WarningCommand::Extend { .. } => "extend a warning",
        };
        let officer = require_officer(actor, WRITERS, action)?;
        check_version(self, expected_version)?;
        let status = self.status(now);
        if matches!(status, WarningStatus::Lifted | WarningStatus::Expired) {
            return Err(Error::BadState {
                record: RecordKind::Warning,
                id: self.id.clone(),
                state: status.as_str().to_owned(),
                action,
            });
        }
        let mut record = self.clone();
        record.version = next_version(self.version);
        let mut c = Checks::new();
        let (kind, summary, details) = match command {
            WarningCommand::Lift { reason } => {
                c.text("reason", &reason, TEXT_MAX, "say why the warning is lifted");
                c.finish()?;
                let summary = format!("warning {} lifted by {actor}: {reason}", self.id);
                let details = json!({ "reason": reason });
                record.state = WarningState::Lifted { by: officer.to_owned(), at: now, reason };
                (EventKind::WarningLifted, summary, details)
            }
            WarningCommand::Extend { until } => {
                if until <= self.warning.valid_until {
                    c.add(
                        "until",
                        format!("{until} is not after the current end {}", self.warning.valid_until),
                        "give a later end of validity",
                    );
                }
                c.finish()?;
                record.warning.valid_until = until;
                let summary = format!("warning {} extended by {actor} until {until}", self.id);
                (EventKind::WarningExtended, summary, json!({ "from": self.warning.valid_until, "until": until }))
            }
        };
        let event = Event {
            kind,
            record: RecordKind::Warning,
            record_id: record.id.clone(),
            version: record.version,
            actor: actor.clone(),
            at: now,
            summary,
            details,
        };
        Ok(Applied { record, event })
    }
}

/// The warnings in force at `now`, for the risk engine to apply to lists.
pub fn active_warnings(records: &[WarningRecord], now: Millis) -> Vec<Warning> {
    records.iter().filter_map(|r| r.in_force(now)).cloned().collect()
}
