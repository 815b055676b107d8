//! Risk reduction orders: customs orders an enterprise to stop selling,
//! recall, return or destroy goods by a deadline; the enterprise responds;
//! the officer accepts the response (closed) or rejects it with a new
//! deadline.

use cbec_risk::Scope;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::common::{
    Actor, Applied, Checks, Event, EventKind, Millis, Record, RecordKind, Rejection, Response, SHORT_MAX, TEXT_MAX,
    WRITERS, check_version, next_version, require_addressee, require_officer,
};
use crate::error::{Error, Result};
use crate::orders::OrderStatus;

/// What the enterprise must do with the goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReductionAction {
    StopSale,
    Recall,
    Return,
    Destroy,
}

impl ReductionAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ReductionAction::StopSale => "stop_sale",
            ReductionAction::Recall => "recall",
            ReductionAction::Return => "return",
            ReductionAction::Destroy => "destroy",
        }
    }
}

/// The stored state of a reduction order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReductionState {
    /// Waiting for the enterprise's response (overdue after the deadline).
    Issued,
    /// Waiting for the officer.
    Responded { response: Response },
    /// The officer accepted the response.
    Closed { response: Response, by: String, at: Millis, note: String },
    /// The officer withdrew the order (e.g. the warning was lifted).
    Withdrawn { by: String, at: Millis, reason: String },
}

/// A risk reduction order to an enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReductionOrder {
    pub id: String,
    pub version: u32,
    /// The enterprise addressed (its code).
    pub enterprise: String,
    pub action: ReductionAction,
    /// The goods concerned, in words (names, batches, quantities).
    pub goods: String,
    /// The goods concerned as a scope, when given.
    pub scope: Option<Scope>,
    pub warning_id: Option<String>,
    pub result_id: Option<String>,
    /// The current deadline of the enterprise's response.
    pub deadline: Millis,
    pub issued_by: String,
    pub issued_at: Millis,
    pub state: ReductionState,
    /// Responses turned down, oldest first.
    pub rejections: Vec<Rejection>,
}

/// What an officer gives to issue a reduction order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReductionOrder {
    pub enterprise: String,
    pub action: ReductionAction,
    pub goods: String,
    pub scope: Option<Scope>,
    pub warning_id: Option<String>,
    pub result_id: Option<String>,
    pub deadline: Millis,
}

/// The commands on a reduction order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum ReductionCommand {
    /// The addressed enterprise: Issued → Responded (late responses are
    /// taken and marked late).
    Respond { text: String, evidence: Vec<String> },
    /// An officer: Responded → Issued, with a reason and a new deadline.
    Reject { reason: String, deadline: Millis },
    /// An officer: Responded → Closed, accepting the response.
    Close { note: String },
    /// An officer: Issued or Responded → Withdrawn.
    Withdraw { reason: String },
}

impl Record for ReductionOrder {
    const KIND: RecordKind = RecordKind::ReductionOrder;
    fn id(&self) -> &str {
        &self.id
    }
    fn version(&self) -> u32 {
        self.version
    }
}

/// Issues a reduction order (risk officers and supervisors). The store
/// checks that the linked warning and result exist.
pub fn issue_reduction(
    id: impl Into<String>,
    input: NewReductionOrder,
    actor: &Actor,
    now: Millis,
) -> Result<Applied<ReductionOrder>> {
    let officer = require_officer(actor, WRITERS, "issue a risk reduction order")?;
    let mut c = Checks::new();
    let id = id.into();
    c.text("id", &id, SHORT_MAX, "give the new record's id");
    c.enterprise("enterprise", &input.enterprise);
    c.text("goods", &input.goods, TEXT_MAX, "describe the goods concerned (names, batches, quantities)");
    if let Some(scope) = &input.scope {
        c.scope("scope", scope);
    }
    c.opt_text("warning_id", input.warning_id.as_deref(), SHORT_MAX);
    c.opt_text("result_id", input.result_id.as_deref(), SHORT_MAX);
    c.future("deadline", input.deadline, now);
    c.finish()?;
    let order = ReductionOrder {
        id,
        version: 1,
        enterprise: input.enterprise,
        action: input.action,
        goods: input.goods,
        scope: input.scope,
        warning_id: input.warning_id,
        result_id: input.result_id,
        deadline: input.deadline,
        issued_by: officer.to_owned(),
        issued_at: now,
        state: ReductionState::Issued,
        rejections: Vec::new(),
    };
    let event = Event {
        kind: EventKind::ReductionIssued,
        record: RecordKind::ReductionOrder,
        record_id: order.id.clone(),
        version: 1,
        actor: actor.clone(),
        at: now,
        summary: format!(
            "risk reduction order {} ({}) issued to {} by {actor}, deadline {}",
            order.id,
            order.action.as_str(),
            order.enterprise,
            order.deadline
        ),
        details: json!({ "enterprise": order.enterprise, "action": order.action, "goods": order.goods,
            "scope": order.scope, "warning_id": order.warning_id, "result_id": order.result_id,
            "deadline": order.deadline }),
    };
    Ok(Applied { record: order, event })
}

impl ReductionOrder {
    /// The order's state at `now`; `Overdue` when still waiting for the
    /// enterprise after the deadline.
    pub fn status(&self, now: Millis) -> OrderStatus {
        match self.state {
            ReductionState::Issued if now > self.deadline => OrderStatus::Overdue,
            ReductionState::Issued => OrderStatus::Issued,
            ReductionState::Responded { .. } => OrderStatus::Responded,
            ReductionState::Closed { .. } => OrderStatus::Closed,
            ReductionState::Withdrawn { .. } => OrderStatus::Withdrawn,
        }
    }

    /// The latest response, if any (pending, accepted or turned down).
    pub fn last_response(&self) -> Option<&Response> {
        match &self.state {
            ReductionState::Responded { response } | ReductionState::Closed { response, .. } => Some(response),
            ReductionState::Issued | ReductionState::Withdrawn { .. } => self.rejections.last().map(|r| &r.response),
        }
    }

    /// Applies a command given by `actor` at `now` to the order read at
    /// `expected_version`.
    pub fn apply(
        &self,
        expected_version: u32,
        command: ReductionCommand,
        actor: &Actor,
        now: Millis,
    ) -> Result<Applied<ReductionOrder>> {
        let mut order = self.clone();
        order.version = next_version(self.version);
        let mut c = Checks::new();
        let (kind, summary, details) = match command {
            ReductionCommand::Respond { text, evidence } => {
                let action = "respond to a risk reduction order";
                let code = require_addressee(actor, &self.enterprise, action)?;
                check_version(self, expected_version)?;
                if !matches!(self.state, ReductionState::Issued) {
                    return Err(self.bad_state(now, action));
                }
                c.text("text", &text, TEXT_MAX, "say what was done with the goods");
                c.list("evidence", &evidence, false, SHORT_MAX, "give a reference per entry, or no entry");
                c.finish()?;
                let late = now > self.deadline;
                let details = json!({ "text": text, "evidence": evidence, "late": late });
                order.state =
                    ReductionState::Responded { response: Response { text, evidence, at: now, by: code.to_owned() } };
                let late = if late { " (late)" } else { "" };
                (EventKind::ReductionResponded, format!("{actor} responded to order {}{late}", self.id), details)
            }
            ReductionCommand::Reject { reason, deadline } => {
                let action = "reject a response to a risk reduction order";
                let officer = require_officer(actor, WRITERS, action)?;
                check_version(self, expected_version)?;
                let ReductionState::Responded { response } = &self.state else {
                    return Err(self.bad_state(now, action));
                };
                c.text("reason", &reason, TEXT_MAX, "say why the response is not enough");
                c.future("deadline", deadline, now);
                c.finish()?;
                let details = json!({ "reason": reason, "deadline": deadline, "previous_deadline": self.deadline });
                order.rejections.push(Rejection {
                    response: response.clone(),
                    reason,
                    new_deadline: deadline,
                    by: officer.to_owned(),
                    at: now,
                });
                order.deadline = deadline;
                order.state = ReductionState::Issued;
                let summary = format!("response to order {} rejected by {actor}; new deadline {deadline}", self.id);
                (EventKind::ReductionRejected, summary, details)
            }
            ReductionCommand::Close { note } => {
                let action = "close a risk reduction order";
                let officer = require_officer(actor, WRITERS, action)?;
                check_version(self, expected_version)?;
                let ReductionState::Responded { response } = &self.state else {
                    return Err(self.bad_state(now, action));
                };
                c.length("note", &note, TEXT_MAX);
                c.finish()?;
                let details = json!({ "note": note });
                order.state =
                    ReductionState::Closed { response: response.clone(), by: officer.to_owned(), at: now, note };
                (EventKind::ReductionClosed, format!("order {} closed by {actor}: response accepted", self.id), details)
            }
            ReductionCommand::Withdraw { reason } => {
                let action = "withdraw a risk reduction order";
                let officer = require_officer(actor, WRITERS, action)?;
                check_version(self, expected_version)?;
                if !matches!(self.state, ReductionState::Issued | ReductionState::Responded { .. }) {
                    return Err(self.bad_state(now, action));
                }
                c.text("reason", &reason, TEXT_MAX, "say why the order is withdrawn");
                c.finish()?;
                let summary = format!("order {} withdrawn by {actor}: {reason}", self.id);
                let details = json!({ "reason": reason });
                order.state = ReductionState::Withdrawn { by: officer.to_owned(), at: now, reason };
                (EventKind::ReductionWithdrawn, summary, details)
            }
        };
        let event = Event {
            kind,
            record: RecordKind::ReductionOrder,
            record_id: order.id.clone(),
            version: order.version,
            actor: actor.clone(),
            at: now,
            summary,
            details,
        };
        Ok(Applied { record: order, event })
    }

    fn bad_state(&self, now: Millis, action: &'static str) -> Error {
        Error::BadState {
            record: RecordKind::ReductionOrder,
            id: self.id.clone(),
            state: self.status(now).as_str().to_owned(),
            action,
        }
    }
}
