//! Credit downgrade proposals: an officer proposes to lower an enterprise's
//! customs credit rating for an upheld violation; a supervisor other than
//! the proposer decides (four eyes). An approval's event says the rating
//! change to apply; applying it to the filing record is the store's job.

use cbec_model::filing::CreditRating;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::common::{
    Actor, Applied, Checks, DECIDERS, Event, EventKind, Millis, Record, RecordKind, SHORT_MAX, TEXT_MAX, WRITERS,
    check_version, next_version, require_officer,
};
use crate::error::{Error, Result};
use crate::rectification::RectificationOrder;

/// The rank of a rating, higher is better: advanced 3, general certified
/// 2, general 1, dishonest 0. (The declaration order of [`CreditRating`]
/// is not relied upon.)
pub fn rating_rank(rating: CreditRating) -> u8 {
    match rating {
        CreditRating::Advanced => 3,
        CreditRating::GeneralCertified => 2,
        CreditRating::General => 1,
        CreditRating::Dishonest => 0,
    }
}

/// True when `to` is a lower rating than `from`.
pub fn is_downgrade(from: CreditRating, to: CreditRating) -> bool {
    rating_rank(to) < rating_rank(from)
}

/// The stored state of a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ProposalState {
    Proposed,
    Approved { by: String, at: Millis, note: String },
    Rejected { by: String, at: Millis, note: String },
}

/// A proposal to downgrade an enterprise's credit rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditProposal {
    pub id: String,
    pub version: u32,
    pub enterprise: String,
    /// The rating when proposed.
    pub from: CreditRating,
    pub to: CreditRating,
    pub reason: String,
    /// The rectification order whose upheld violation grounds it.
    pub rectification_id: String,
    pub proposed_by: String,
    pub proposed_at: Millis,
    pub state: ProposalState,
}

/// What an officer gives to propose a downgrade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCreditProposal {
    pub enterprise: String,
    /// The enterprise's current rating.
    pub from: CreditRating,
    pub to: CreditRating,
    pub reason: String,
    pub rectification_id: String,
}

/// The command on a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum ProposalCommand {
    /// A supervisor who did not propose it: Proposed → Approved or
    /// Rejected (a rejection needs a note).
    Decide { approve: bool, note: String },
}

impl Record for CreditProposal {
    const KIND: RecordKind = RecordKind::CreditProposal;
    fn id(&self) -> &str {
        &self.id
    }
    fn version(&self) -> u32 {
        self.version
    }
}

/// Proposes a downgrade (risk officers and supervisors), grounded on the
/// rectification order named by the input, which must be handed in, be
/// addressed to the same enterprise and be verified as upheld.
pub fn propose_downgrade(
    id: impl Into<String>,
    input: NewCreditProposal,
    order: &RectificationOrder,
    actor: &Actor,
    now: Millis,
) -> Result<Applied<CreditProposal>> {
    let action = "propose a credit downgrade";
    let officer = require_officer(actor, WRITERS, action)?;
    if input.rectification_id != order.id {
        return Err(Error::WrongLink {
            field: "rectification_id",
            expected: input.rectification_id,
            found: order.id.clone(),
        });
    }
    if !input.enterprise.eq_ignore_ascii_case(&order.enterprise) {
        return Err(Error::WrongLink {
            field: "enterprise",
            expected: input.enterprise,
            found: order.enterprise.clone(),
        });
    }
    if order.upheld() != Some(true) {
        let state = match order.upheld() {
            Some(_) => "verified (not upheld)".to_owned(),
            None => order.status(now).as_str().to_owned(),
        };
        return Err(Error::BadState { record: RecordKind::RectificationOrder, id: order.id.clone(), state, action });
    }
    let mut c = Checks::new();
    let id = id.into();
    c.text("id", &id, SHORT_MAX, "give the new record's id");
    if !is_downgrade(input.from, input.to) {
        c.add(
            "to",
            format!("{} is not lower than {}", input.to, input.from),
            "give a lower rating: advanced > general_certified > general > dishonest",
        );
    }
    c.text("reason", &input.reason, TEXT_MAX, "say why the rating should be lowered");
    c.finish()?;
    let proposal = CreditProposal {
        id,
        version: 1,
        enterprise: order.enterprise.clone(),
        from: input.from,
        to: input.to,
        reason: input.reason,
        rectification_id: input.rectification_id,
        proposed_by: officer.to_owned(),
        proposed_at: now,
        state: ProposalState::Proposed,
    };
    let event = Event {
        kind: EventKind::CreditProposed,
        record: RecordKind::CreditProposal,
        record_id: proposal.id.clone(),
        version: 1,
        actor: actor.clone(),
        at: now,
        summary: format!(
            "credit downgrade of {} from {} to {} proposed by {actor}",
            proposal.enterprise, proposal.from, proposal.to
        ),
        details: json!({ "enterprise": proposal.enterprise, "from": proposal.from, "to": proposal.to,
            "reason": proposal.reason, "rectification_id": proposal.rectification_id }),
    };
    Ok(Applied { record: proposal, event })
}

impl CreditProposal {
    /// The rating change to apply, `(enterprise, from, to)`, once approved.
    /// The store applies it only if the rating is still `from`.
    pub fn rating_change(&self) -> Option<(&str, CreditRating, CreditRating)> {
        matches!(self.state, ProposalState::Approved { .. }).then_some((&self.enterprise, self.from, self.to))
    }

    /// Applies a command given by `actor` at `now` to the proposal read at
    /// `expected_version`.
    pub fn apply(
        &self,
        expected_version: u32,
        command: ProposalCommand,
        actor: &Actor,
        now: Millis,
    ) -> Result<Applied<CreditProposal>> {
        let ProposalCommand::Decide { approve, note } = command;
        let action = "decide a credit downgrade proposal";
        let officer = require_officer(actor, DECIDERS, action)?;
        if officer == self.proposed_by {
            return Err(Error::FourEyes { officer: actor.to_string(), action });
        }
        check_version(self, expected_version)?;
        if !matches!(self.state, ProposalState::Proposed) {
            let state = match self.state {
                ProposalState::Approved { .. } => "approved",
                _ => "rejected",
            };
            return Err(Error::BadState {
                record: RecordKind::CreditProposal,
                id: self.id.clone(),
                state: state.to_owned(),
                action,
            });
        }
        let mut c = Checks::new();
        if approve {
            c.length("note", &note, TEXT_MAX);
        } else {
            c.text("note", &note, TEXT_MAX, "say why the downgrade is rejected");
        }
        c.finish()?;
        let mut proposal = self.clone();
        proposal.version = next_version(self.version);
        let (kind, summary, details) = if approve {
            let summary = format!(
                "credit downgrade {} approved by {actor}: apply rating {} → {} to {}",
                self.id, self.from, self.to, self.enterprise
            );
            let details = json!({ "approve": true, "note": note,
                "apply": { "enterprise": self.enterprise, "from": self.from, "to": self.to } });
            proposal.state = ProposalState::Approved { by: officer.to_owned(), at: now, note };
            (EventKind::CreditApproved, summary, details)
        } else {
            let summary = format!("credit downgrade {} rejected by {actor}: {note}", self.id);
            let details = json!({ "approve": false, "note": note });
            proposal.state = ProposalState::Rejected { by: officer.to_owned(), at: now, note };
            (EventKind::CreditRejected, summary, details)
        };
        let event = Event {
            kind,
            record: RecordKind::CreditProposal,
            record_id: proposal.id.clone(),
            version: proposal.version,
            actor: actor.clone(),
            at: now,
            summary,
            details,
        };
        Ok(Applied { record: proposal, event })
    }
}
