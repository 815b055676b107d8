//! Storage of the clearance pipeline: received messages (raw bytes, exactly
//! as received), documents with their business keys and status moves,
//! receipts with their recipients (pull cursor and push outbox), the quota
//! ledger and named counters.
//!
//! The store knows no clearance rule. A [`Decider`] (the service's, built
//! on `cbec-clearance`) is called inside the write transaction: the store
//! loads what [`Decider::needs`] asks for (documents by business key or id,
//! quota balances, counters) until it asks for nothing new, then writes the
//! [`Outcome`] of [`Decider::decide`] atomically with one audit entry. As
//! writes are serialised (SQLite's single writer; PostgreSQL's audit chain
//! head lock), a decision never reads a state another decision is
//! changing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{Actor, Id, Millis, StoreError};

/// A message as received, stored before it is acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub id: Id,
    /// The authenticated enterprise (its id).
    pub sender: Id,
    /// The root `guid`, when the message could be read (the idempotency key
    /// together with the sender).
    pub guid: Option<String>,
    /// `CEB311Message`, …, or `Unknown`.
    pub message_type: String,
    pub received_at: Millis,
    /// Exactly the bytes received.
    raw: Vec<u8>,
    /// Their SHA-256, in hex (computed by the caller's thread, not the
    /// store's writer).
    sha256: String,
}

impl NewMessage {
    pub fn new(
        id: Id,
        sender: Id,
        guid: Option<String>,
        message_type: String,
        received_at: Millis,
        raw: Vec<u8>,
    ) -> NewMessage {
        let sha256 = crate::ops::sha256_hex(&raw);
        NewMessage { id, sender, guid, message_type, received_at, raw, sha256 }
    }

    /// Exactly the bytes received.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The SHA-256 of [`NewMessage::raw`], in hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredMessage {
    pub id: Id,
    pub sender: Id,
    pub guid: Option<String>,
    pub message_type: String,
    pub received_at: Millis,
    /// Hex SHA-256 of `raw`.
    pub sha256: String,
    #[serde(skip)]
    pub raw: Vec<u8>,
    /// The receipt answered to the sender.
    #[serde(skip)]
    pub response: Option<Vec<u8>>,
}

/// A clearance document as stored: indexed columns and the decider's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocRow {
    pub id: Id,
    /// `order`, `payment`, `waybill`, `list`, …
    pub kind: String,
    /// The status name (`accepted`, `released`, …).
    pub status: String,
    /// The enterprise that sent it (its code).
    pub sender: String,
    /// orderNo, logisticsNo, invtNo… for people.
    pub business_key: String,
    /// The keys related documents are found by.
    pub keys: Vec<String>,
    pub deadline: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// The message that brought it.
    pub message_id: Option<Id>,
    /// The decider's own JSON.
    #[serde(skip)]
    pub body: String,
}

/// What a decider wants to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub keys: BTreeSet<String>,
    pub ids: BTreeSet<String>,
    pub quota: BTreeSet<String>,
    pub counters: BTreeSet<String>,
}

impl Needs {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.ids.is_empty() && self.quota.is_empty() && self.counters.is_empty()
    }
}

/// What a decider has read.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Only ever appended to between rounds, in order (a decider may keep
    /// what it derived from the first `n`). Every run of a decision starts
    /// from an empty one, also a run asked again after a rollback.
    pub docs: Vec<DocRow>,
    /// Sum of the ledger (fen) per quota key.
    pub quota: BTreeMap<String, i64>,
    pub counters: BTreeMap<String, i64>,
}

/// One recorded status move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoveRow {
    pub doc_id: Id,
    pub from: Option<String>,
    pub to: String,
    pub event: Option<String>,
    pub reason: String,
}

/// A stored move with who and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredMove {
    pub seq: i64,
    #[serde(flatten)]
    pub row: MoveRow,
    pub actor: String,
    pub at: Millis,
}

/// A receipt to store and deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReceipt {
    pub id: Id,
    pub doc_id: Option<Id>,
    /// `CEB622Message`, `CEB816Message`, `CEB900Message`, …
    pub message_type: String,
    pub return_status: String,
    pub return_info: String,
    pub business_key: String,
    pub xml: String,
    /// Enterprise codes (customs code or USCC) that receive it.
    pub recipients: Vec<String>,
}

/// A stored receipt; `seq` is its position in issue order (the cursor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptRow {
    pub seq: i64,
    pub id: Id,
    pub doc_id: Option<Id>,
    pub message_type: String,
    pub return_status: String,
    pub return_info: String,
    pub business_key: String,
    pub xml: String,
    pub issued_at: Millis,
}

/// A quota ledger movement (fen; positive reserves).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotaRow {
    pub doc_id: Id,
    pub key: String,
    pub fen: i64,
    pub reason: String,
}

/// Everything a decision writes.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Inserted or replaced whole (keys too).
    pub docs: Vec<DocRow>,
    pub moves: Vec<MoveRow>,
    pub receipts: Vec<NewReceipt>,
    pub quota: Vec<QuotaRow>,
    pub counters: BTreeMap<String, i64>,
    /// The answer to the message's sender, kept for idempotent replays.
    pub response: Option<Vec<u8>>,
    /// The audit entry: action (e.g. `message.receive`) and a summary.
    pub audit_action: &'static str,
    pub audit_summary: serde_json::Value,
    /// What the hourly traffic statistics need to know of a message's
    /// decision (see [`crate::traffic`]).
    pub traffic: crate::traffic::TrafficNote,
}

/// The clearance logic, called inside the write transaction. It must be
/// quick and must not block: it runs on the store's writer. The store may
/// ask it again from the start, on a fresh snapshot, after rolling back a
/// transaction: what it keeps between calls must follow the snapshot given.
pub trait Decider: Send + 'static {
    fn needs(&mut self, snapshot: &Snapshot) -> Needs;
    fn decide(&mut self, snapshot: &Snapshot) -> Result<Outcome, StoreError>;
}

/// One unit of clearance work.
pub struct Work {
    pub actor: Actor,
    /// The message that causes it, stored in the same transaction (none
    /// for officer actions and deadlines).
    pub message: Option<NewMessage>,
    /// The audit entity (`message`, `document`) and its id.
    pub entity: (&'static str, Id),
}

/// What processing did.
#[derive(Debug, Clone)]
pub enum Processed {
    /// The decision was written.
    Done { response: Option<Vec<u8>>, receipts: Vec<ReceiptRow>, docs: Vec<DocRow> },
    /// The same sender sent this guid before: nothing changed; the answer
    /// given then.
    Duplicate { message_id: Id, response: Vec<u8> },
}

/// Filter for document lists.
#[derive(Debug, Clone, Default)]
pub struct DocFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
    /// Documents sent by or naming this enterprise code.
    pub party: Option<Vec<String>>,
    pub business_key: Option<String>,
    pub limit: u32,
}

/// A receipt subscriber's webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub enterprise: Id,
    pub url: String,
    /// Shared secret for the HMAC signature header (never shown again).
    #[serde(skip_serializing)]
    pub secret: String,
    pub created_at: Millis,
}

/// A push to attempt: the enterprise's oldest undelivered receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuePush {
    pub enterprise: Id,
    pub url: String,
    pub secret: String,
    pub attempts: i64,
    pub receipt: ReceiptRow,
}

/// The outcome of one push attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushResult {
    Delivered { at: Millis },
    Retry { next_at: Millis, error: String },
    Dead { at: Millis, error: String },
}

/// The push state of one receipt for one enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PushRow {
    pub seq: i64,
    pub receipt_id: Id,
    pub state: String,
    pub attempts: i64,
    pub next_at: Millis,
    pub last_error: Option<String>,
    pub delivered_at: Option<Millis>,
}
