//! Rectification orders for violations (smuggling, false declarations,
//! identity misuse, …): issued to an enterprise with a deadline, followed
//! up by officers, answered by the enterprise, reopened when the answer is
//! not enough, and finally verified. A violation verified as upheld counts
//! on the enterprise's record ([`crate::violations`]) and may carry a credit
//! downgrade proposal ([`crate::propose_downgrade`]).

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::common::{
    Actor, Applied, Checks, Event, EventKind, Millis, Record, RecordKind, Rejection, Response, SHORT_MAX, TEXT_MAX,
    WRITERS, check_version, next_version, require_addressee, require_officer,
};
use crate::error::{Error, Result};
use crate::orders::OrderStatus;

/// The kind of violation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    Smuggling,
    FalseDeclaration,
    /// Purchases under other people's identities (身份信息冒用).
    IdentityMisuse,
    Other(String),
}

impl ViolationKind {
    pub fn as_str(&self) -> &str {
        match self {
            ViolationKind::Smuggling => "smuggling",
            ViolationKind::FalseDeclaration => "false_declaration",
            ViolationKind::IdentityMisuse => "identity_misuse",
            ViolationKind::Other(what) => what,
        }
    }
}

/// An officer's follow-up note (an inspection visit, a call, a check of
/// documents). Notes are customs' own: [`crate::enterprise_view`] leaves
/// them out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub note: String,
    pub by: String,
    pub at: Millis,
}

/// The stored state of a rectification order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RectificationState {
    Issued,
    Responded {
        response: Response,
    },
    /// Closed: `upheld` says whether the violation stands (it then counts
    /// on the enterprise's record).
    Verified {
        upheld: bool,
        response: Option<Response>,
        by: String,
        at: Millis,
        note: String,
    },
    Withdrawn {
        by: String,
        at: Millis,
        reason: String,
    },
}

/// A rectification order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RectificationOrder {
    pub id: String,
    pub version: u32,
    /// The enterprise addressed (its code).
    pub enterprise: String,
    pub violation: ViolationKind,
    pub description: String,
    /// Ids of the related documents (lists, orders, waybills, case files).
    pub documents: Vec<String>,
    pub deadline: Millis,
    pub issued_by: String,
    pub issued_at: Millis,
    pub follow_ups: Vec<FollowUp>,
    pub state: RectificationState,
    /// Responses found not enough, oldest first.
    pub reopenings: Vec<Rejection>,
}

/// What an officer gives to issue a rectification order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRectificationOrder {
    pub enterprise: String,
    pub violation: ViolationKind,
    pub description: String,
    pub documents: Vec<String>,
    pub deadline: Millis,
}

/// The commands on a rectification order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum RectificationCommand {
    /// An officer appends a note (Issued or Responded).
    FollowUp { note: String },
    /// The addressed enterprise: Issued → Responded.
    Respond { text: String, evidence: Vec<String> },
    /// An officer: Responded → Issued, with a reason and a new deadline.
    Reopen { reason: String, deadline: Millis },
    /// An officer: Issued or Responded → Verified.
    Verify { upheld: bool, note: String },
    /// An officer: Issued or Responded → Withdrawn.
    Withdraw { reason: String },
}

impl Record for RectificationOrder {
    const KIND: RecordKind = RecordKind::RectificationOrder;
    fn id(&self) -> &str {
        &self.id
    }
    fn version(&self) -> u32 {
        self.version
    }
}

/// Issues a rectification order (risk officers and supervisors).
pub fn issue_rectification(
    id: impl Into<String>,
    input: NewRectificationOrder,
    actor: &Actor,
    now: Millis,
) -> Result<Applied<RectificationOrder>> {
    let officer = require_officer(actor, WRITERS, "issue a rectification order")?;
    let mut c = Checks::new();
    let id = id.into();
    c.text("id", &id, SHORT_MAX, "give the new record's id");
    c.enterprise("enterprise", &input.enterprise);
    if let ViolationKind::Other(what) = &input.violation {
        c.text("violation", what, SHORT_MAX, "name the violation");
    }
    c.text("description", &input.description, TEXT_MAX, "describe the violation and what must be rectified");
    c.list("documents", &input.documents, false, SHORT_MAX, "give a document id per entry, or no entry");
    c.future("deadline", input.deadline, now);
    c.finish()?;
    let order = RectificationOrder {
        id,
        version: 1,
        enterprise: input.enterprise,
        violation: input.violation,
        description: input.description,
        documents: input.documents,
        deadline: input.deadline,
        issued_by: officer.to_owned(),
        issued_at: now,
        follow_ups: Vec::new(),
        state: RectificationState::Issued,
        reopenings: Vec::new(),
    };
    let event = Event {
        kind: EventKind::RectificationIssued,
        record: RecordKind::RectificationOrder,
        record_id: order.id.clone(),
        version: 1,
        actor: actor.clone(),
        at: now,
        summary: format!(
            "rectification order {} ({}) issued to {} by {actor}, deadline {}",
            order.id,
            order.violation.as_str(),
            order.enterprise,
            order.deadline
        ),
        details: json!({ "enterprise": order.enterprise, "violation": order.violation,
            "description": order.description, "documents": order.documents, "deadline": order.deadline }),
    };
    Ok(Applied { record: order, event })
}

impl RectificationOrder {
    /// The order's state at `now` (`Closed` once verified).
    pub fn status(&self, now: Millis) -> OrderStatus {
        match self.state {
            RectificationState::Issued if now > self.deadline => OrderStatus::Overdue,
            RectificationState::Issued => OrderStatus::Issued,
            RectificationState::Responded { .. } => OrderStatus::Responded,
            RectificationState::Verified { .. } => OrderStatus::Closed,
            RectificationState::Withdrawn { .. } => OrderStatus::Withdrawn,
        }
    }

    /// `Some(upheld)` once verified.
    pub fn upheld(&self) -> Option<bool> {
        match self.state {
            RectificationState::Verified { upheld, .. } => Some(upheld),
            _ => None,
        }
    }

    /// The latest response, if any.
    pub fn last_response(&self) -> Option<&Response> {
        match &self.state {
            RectificationState::Responded { response } => Some(response),
            RectificationState::Verified { response: Some(response), .. } => Some(response),
            _ => self.reopenings.last().map(|r| &r.response),
        }
    }

    /// Applies a command given by `actor` at `now` to the order read at
    /// `expected_version`.
    pub fn apply(
        &self,
        expected_version: u32,
        command: RectificationCommand,
        actor: &Actor,
        now: Millis,
    ) -> Result<Applied<RectificationOrder>> {
        let open = matches!(self.state, RectificationState::Issued | RectificationState::Responded { .. });
        let mut order = self.clone();
        order.version = next_version(self.version);
        let mut c = Checks::new();
        let (kind, summary, details) = match command {
            RectificationCommand::FollowUp { note } => {
                let action = "follow up a rectification order";
                let officer = require_officer(actor, WRITERS, action)?;
                check_version(self, expected_version)?;
                if !open {
                    return Err(self.bad_state(now, action));
                }
                c.text("note", &note, TEXT_MAX, "say what was checked or learned");
                c.finish()?;
                let details = json!({ "note": note });
                order.follow_ups.push(FollowUp { note, by: officer.to_owned(), at: now });
                (EventKind::RectificationFollowedUp, format!("order {} followed up by {actor}", self.id), details)
            }
            RectificationCommand::Respond { text, evidence } => {
                let action = "respond to a rectification order";
                let code = require_addressee(actor, &self.enterprise, action)?;
                check_version(self, expected_version)?;
                if !matches!(self.state, RectificationState::Issued) {
                    return Err(self.bad_state(now, action));
                }
                c.text("text", &text, TEXT_MAX, "say what was rectified");
                c.list("evidence", &evidence, false, SHORT_MAX, "give a reference per entry, or no entry");
                c.finish()?;
                let late = now > self.deadline;
                let details = json!({ "text": text, "evidence": evidence, "late": late });
                order.state = RectificationState::Responded {
                    response: Response { text, evidence, at: now, by: code.to_owned() },
                };
                let late = if late { " (late)" } else { "" };
                (EventKind::RectificationResponded, format!("{actor} responded to order {}{late}", self.id), details)
            }
            RectificationCommand::Reopen { reason, deadline } => {
                let action = "reopen a rectification order";
                let officer = require_officer(actor, WRITERS, action)?;
                check_version(self, expected_version)?;
                let RectificationState::Responded { response } = &self.state else {
                    return Err(self.bad_state(now, action));
                };
                c.text("reason", &reason, TEXT_MAX, "say why the rectification is not enough");
                c.future("deadline", deadline, now);
                c.finish()?;
                let details = json!({ "reason": reason, "deadline": deadline, "previous_deadline": self.deadline });
                order.reopenings.push(Rejection {
                    response: response.clone(),
                    reason,
                    new_deadline: deadline,
                    by: officer.to_owned(),
                    at: now,
                });
                order.deadline = deadline;
                order.state = RectificationState::Issued;
                let summary = format!("order {} reopened by {actor}; new deadline {deadline}", self.id);
                (EventKind::RectificationReopened, summary, details)
            }
            RectificationCommand::Verify { upheld, note } => {
                let action = "verify a rectification order";
                let officer = require_officer(actor, WRITERS, action)?;
                check_version(self, expected_version)?;
                if !open {
                    return Err(self.bad_state(now, action));
                }
                c.text("note", &note, TEXT_MAX, "say what the verification found");
                c.finish()?;
                let response = match &self.state {
                    RectificationState::Responded { response } => Some(response.clone()),
                    _ => None,
                };
                let details = json!({ "upheld": upheld, "note": note, "enterprise": self.enterprise,
                    "violation": self.violation });
                order.state = RectificationState::Verified { upheld, response, by: officer.to_owned(), at: now, note };
                let verdict = if upheld {
                    format!("violation upheld: it counts on the record of {}", self.enterprise)
                } else {
                    "violation not upheld".to_owned()
                };
                (EventKind::RectificationVerified, format!("order {} verified by {actor}: {verdict}", self.id), details)
            }
            RectificationCommand::Withdraw { reason } => {
                let action = "withdraw a rectification order";
                let officer = require_officer(actor, WRITERS, action)?;
                check_version(self, expected_version)?;
                if !open {
                    return Err(self.bad_state(now, action));
                }
                c.text("reason", &reason, TEXT_MAX, "say why the order is withdrawn");
                c.finish()?;
                let summary = format!("order {} withdrawn by {actor}: {reason}", self.id);
                let details = json!({ "reason": reason });
                order.state = RectificationState::Withdrawn { by: officer.to_owned(), at: now, reason };
                (EventKind::RectificationWithdrawn, summary, details)
            }
        };
        let event = Event {
            kind,
            record: RecordKind::RectificationOrder,
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
        let state = match self.state {
            RectificationState::Verified { upheld: true, .. } => "verified (upheld)",
            RectificationState::Verified { upheld: false, .. } => "verified (not upheld)",
            _ => self.status(now).as_str(),
        };
        Error::BadState { record: RecordKind::RectificationOrder, id: self.id.clone(), state: state.to_owned(), action }
    }
}
