//! One status model for every clearance document.
//!
//! A document (an order, a payment, a waybill, a list, a cancellation, a
//! return application, and the export documents alike) is in one
//! [`Status`]; each status is an official `returnStatus` code of the
//! receipts (domain guide §3.5) except [`Status::Cancelled`], which the
//! spec has no code for (a cancelled or deleted document: its own receipt is
//! the cancellation's). Every change goes through [`transition`], which
//! checks the explicit [`TABLE`]: nothing leaves a final status, and each
//! allowed move names the [`Event`] that causes it. The caller records the
//! move with its actor and reason and issues the receipt carrying the new
//! status.

use std::fmt;

use cbec_model::codes::ReturnStatus;
use serde::{Deserialize, Serialize};

/// Where a document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 2: received and stored, waiting for the documents it is matched
    /// against (a list without its order, payment or waybill).
    Declaring,
    /// 100: rejected by customs (退单). Final.
    Rejected,
    /// 120: accepted into the customs system (入库).
    Accepted,
    /// 300: held for manual review by an officer.
    ManualReview,
    /// 399: concluded (审结), e.g. a cancellation or return carried out. Final.
    Concluded,
    /// 500: inspection ordered (查验).
    Inspection,
    /// 501: detained, passed to clearance.
    DetainedClearance,
    /// 502: detained, passed to anti-smuggling.
    DetainedAntiSmuggling,
    /// 503: detained, passed to the legal department.
    DetainedLegal,
    /// 599: other detention.
    DetainedOther,
    /// 505: transferred (export returns).
    Transferred,
    /// 600: suspended (export returns).
    Suspended,
    /// 700: returned or re-exported (退运). Final.
    Returned,
    /// 800: released (放行).
    Released,
    /// 899: closed (结关). Final.
    Closed,
    /// Cancelled by a cancellation (CEB623/CEB605) or deleted by
    /// `appType` 3. Final. No receipt code of its own.
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 16] = [
        Status::Declaring,
        Status::Rejected,
        Status::Accepted,
        Status::ManualReview,
        Status::Concluded,
        Status::Inspection,
        Status::DetainedClearance,
        Status::DetainedAntiSmuggling,
        Status::DetainedLegal,
        Status::DetainedOther,
        Status::Transferred,
        Status::Suspended,
        Status::Returned,
        Status::Released,
        Status::Closed,
        Status::Cancelled,
    ];

    /// The receipt code, `None` for [`Status::Cancelled`].
    pub fn return_status(self) -> Option<ReturnStatus> {
        Some(match self {
            Status::Declaring => ReturnStatus::Declaring,
            Status::Rejected => ReturnStatus::Rejected,
            Status::Accepted => ReturnStatus::Accepted,
            Status::ManualReview => ReturnStatus::ManualReview,
            Status::Concluded => ReturnStatus::Concluded,
            Status::Inspection => ReturnStatus::Inspection,
            Status::DetainedClearance => ReturnStatus::DetainedToClearance,
            Status::DetainedAntiSmuggling => ReturnStatus::DetainedToAntiSmuggling,
            Status::DetainedLegal => ReturnStatus::DetainedToLegal,
            Status::DetainedOther => ReturnStatus::OtherDetention,
            Status::Transferred => ReturnStatus::Transferred,
            Status::Suspended => ReturnStatus::Suspended,
            Status::Returned => ReturnStatus::Returned,
            Status::Released => ReturnStatus::Released,
            Status::Closed => ReturnStatus::Closed,
            Status::Cancelled => return None,
        })
    }

    /// The code as text (`"120"`), or `"cancelled"`.
    pub fn code(self) -> String {
        self.return_status().map_or_else(|| "cancelled".to_string(), |s| s.as_str().into_owned())
    }

    /// The stable snake_case name used in the API and the database.
    pub fn name(self) -> &'static str {
        match self {
            Status::Declaring => "declaring",
            Status::Rejected => "rejected",
            Status::Accepted => "accepted",
            Status::ManualReview => "manual_review",
            Status::Concluded => "concluded",
            Status::Inspection => "inspection",
            Status::DetainedClearance => "detained_clearance",
            Status::DetainedAntiSmuggling => "detained_anti_smuggling",
            Status::DetainedLegal => "detained_legal",
            Status::DetainedOther => "detained_other",
            Status::Transferred => "transferred",
            Status::Suspended => "suspended",
            Status::Returned => "returned",
            Status::Released => "released",
            Status::Closed => "closed",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.name() == name)
    }

    /// No transition leaves a final status.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Rejected | Status::Concluded | Status::Returned | Status::Closed | Status::Cancelled)
    }

    /// Still counts as the live document for its business keys (not
    /// rejected or cancelled).
    pub fn is_live(self) -> bool {
        !matches!(self, Status::Rejected | Status::Cancelled)
    }

    pub fn is_detained(self) -> bool {
        matches!(
            self,
            Status::DetainedClearance | Status::DetainedAntiSmuggling | Status::DetainedLegal | Status::DetainedOther
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What causes a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The documents a list needs are all there and agree (system).
    Matched,
    /// The document is refused: mismatch, limit, deadline, bad party (system).
    Refused,
    /// Accepted lists without a risk hit are released at once when the
    /// service is configured so (system).
    AutoRelease,
    /// An officer holds the document for manual review.
    Review,
    /// An officer orders inspection.
    Inspect,
    /// An officer releases the goods (also the outcome of a passed
    /// inspection).
    Release,
    /// An officer detains the goods (501–503, 599).
    Detain,
    /// An officer orders the goods returned or re-exported (退运).
    ReturnGoods,
    /// An officer rejects the document (退单).
    Reject,
    /// A released document is closed (结关).
    Close,
    /// A cancellation (CEB623) or a delete (`appType` 3) takes effect.
    Cancel,
    /// A cancellation or return application is carried out (审结).
    Conclude,
    /// An export return is transferred or suspended (CEB214).
    Transfer,
    Suspend,
}

impl Event {
    pub fn name(self) -> &'static str {
        match self {
            Event::Matched => "matched",
            Event::Refused => "refused",
            Event::AutoRelease => "auto_release",
            Event::Review => "review",
            Event::Inspect => "inspect",
            Event::Release => "release",
            Event::Detain => "detain",
            Event::ReturnGoods => "return_goods",
            Event::Reject => "reject",
            Event::Close => "close",
            Event::Cancel => "cancel",
            Event::Conclude => "conclude",
            Event::Transfer => "transfer",
            Event::Suspend => "suspend",
        }
    }
}

use Status as S;

const DETAINED: [Status; 4] = [S::DetainedClearance, S::DetainedAntiSmuggling, S::DetainedLegal, S::DetainedOther];

/// Every allowed move: (event, from, to). A move not in the table is refused.
pub const TABLE: &[(Event, &[Status], &[Status])] = &[
    (Event::Matched, &[S::Declaring], &[S::Accepted]),
    (Event::Refused, &[S::Declaring, S::Accepted], &[S::Rejected]),
    (Event::AutoRelease, &[S::Accepted], &[S::Released]),
    (Event::Review, &[S::Accepted], &[S::ManualReview]),
    (Event::Inspect, &[S::Accepted, S::ManualReview, S::Released], &[S::Inspection]),
    (
        Event::Release,
        &[
            S::Accepted,
            S::ManualReview,
            S::Inspection,
            S::DetainedClearance,
            S::DetainedAntiSmuggling,
            S::DetainedLegal,
            S::DetainedOther,
            S::Transferred,
            S::Suspended,
        ],
        &[S::Released],
    ),
    (Event::Detain, &[S::Accepted, S::ManualReview, S::Inspection], &DETAINED),
    (
        Event::ReturnGoods,
        &[S::Inspection, S::DetainedClearance, S::DetainedAntiSmuggling, S::DetainedLegal, S::DetainedOther],
        &[S::Returned],
    ),
    (Event::Reject, &[S::Declaring, S::Accepted, S::ManualReview, S::Inspection], &[S::Rejected]),
    (Event::Close, &[S::Released], &[S::Closed]),
    (Event::Cancel, &[S::Declaring, S::Accepted, S::ManualReview, S::Released], &[S::Cancelled]),
    (Event::Conclude, &[S::Accepted], &[S::Concluded]),
    (Event::Transfer, &[S::Accepted, S::ManualReview, S::Inspection], &[S::Transferred]),
    (Event::Suspend, &[S::Accepted, S::ManualReview, S::Inspection, S::Transferred], &[S::Suspended]),
];

/// A refused transition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a document in status {from} ({from_code}) cannot {event} to {to}", from_code = from.code(), event = event.name())]
pub struct TransitionError {
    pub event: Event,
    pub from: Status,
    pub to: Status,
}

/// Checks one move against [`TABLE`].
pub fn transition(event: Event, from: Status, to: Status) -> Result<Status, TransitionError> {
    let allowed = !from.is_final()
        && TABLE.iter().any(|(e, froms, tos)| *e == event && froms.contains(&from) && tos.contains(&to));
    if allowed { Ok(to) } else { Err(TransitionError { event, from, to }) }
}

/// The statuses an event can lead to from `from` (for the workbench).
pub fn targets(event: Event, from: Status) -> Vec<Status> {
    if from.is_final() {
        return Vec::new();
    }
    TABLE
        .iter()
        .filter(|(e, froms, _)| *e == event && froms.contains(&from))
        .flat_map(|(_, _, tos)| tos.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_leaves_a_final_status() {
        for from in Status::ALL.into_iter().filter(|s| s.is_final()) {
            for (event, _, tos) in TABLE {
                for to in *tos {
                    assert!(transition(*event, from, *to).is_err(), "{event:?} {from} -> {to}");
                }
            }
        }
    }

    #[test]
    fn the_table_never_lists_a_final_source() {
        for (event, froms, _) in TABLE {
            assert!(froms.iter().all(|s| !s.is_final()), "{event:?}");
        }
    }

    #[test]
    fn names_and_codes_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.name()), Some(s));
            let json = serde_json::to_string(&s).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", s.name()));
        }
        assert_eq!(Status::Released.code(), "800");
        assert_eq!(Status::DetainedLegal.code(), "503");
        assert_eq!(Status::Cancelled.code(), "cancelled");
    }

    #[test]
    fn the_import_list_path() {
        assert_eq!(transition(Event::Matched, S::Declaring, S::Accepted), Ok(S::Accepted));
        assert!(transition(Event::Inspect, S::Accepted, S::Inspection).is_ok());
        assert!(transition(Event::Detain, S::Inspection, S::DetainedOther).is_ok());
        assert!(transition(Event::ReturnGoods, S::DetainedOther, S::Returned).is_ok());
        assert!(transition(Event::Release, S::Returned, S::Released).is_err());
        assert!(transition(Event::Detain, S::Inspection, S::Released).is_err());
        assert!(transition(Event::Cancel, S::Inspection, S::Cancelled).is_err());
        assert_eq!(targets(Event::Detain, S::Accepted).len(), 4);
    }
}
