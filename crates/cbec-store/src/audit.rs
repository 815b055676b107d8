//! The hash-chained audit log.
//!
//! Every state change appends an entry in the same transaction as the change.
//! Each entry's hash covers its content and the previous entry's hash, so
//! changing, deleting or reordering any row breaks the chain from that row
//! on; [`verify_chain`] finds the first broken link, and [`verify_audit`]
//! runs it over a whole store.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Millis;

/// The hash of the (virtual) entry before the first one.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1, 2, 3, … without gaps.
    pub seq: i64,
    pub at: Millis,
    /// `Principal` display form, e.g. `officer:0193…`.
    pub actor: String,
    /// What happened, e.g. `application.approve`.
    pub action: String,
    /// The kind of record changed, e.g. `enterprise`.
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// Hex SHA-256 of the previous entry ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// Hex SHA-256 of this entry.
    pub hash: String,
}

/// The hash of an entry from its content and the previous hash: SHA-256 over
/// the fields, each length-prefixed, JSON values in their serde_json text.
#[allow(clippy::too_many_arguments)] // one argument per hashed field, in hash order
pub fn entry_hash(
    seq: i64,
    at: Millis,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
    prev_hash: &str,
) -> String {
    let json = |v: Option<&serde_json::Value>| v.map(serde_json::Value::to_string);
    let (before, after) = (json(before), json(after));
    let link = Link { seq, at, actor, action, entity, entity_id, prev_hash };
    entry_hash_of_json(&link, before.as_deref(), after.as_deref())
}

/// The fields of an audit entry other than its snapshots.
pub(crate) struct Link<'a> {
    pub seq: i64,
    pub at: Millis,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub prev_hash: &'a str,
}

/// [`entry_hash`] of snapshots already written as JSON text (as stored), so
/// a caller that stores the text serialises each snapshot once.
pub(crate) fn entry_hash_of_json(link: &Link<'_>, before: Option<&str>, after: Option<&str>) -> String {
    let mut h = Sha256::new();
    let mut field = |b: &[u8]| {
        h.update((b.len() as u64).to_be_bytes());
        h.update(b);
    };
    field(&link.seq.to_be_bytes());
    field(&link.at.0.to_be_bytes());
    field(link.actor.as_bytes());
    field(link.action.as_bytes());
    field(link.entity.as_bytes());
    field(link.entity_id.as_bytes());
    field(before.unwrap_or("null").as_bytes());
    field(after.unwrap_or("null").as_bytes());
    field(link.prev_hash.as_bytes());
    hex(&h.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// The first problem of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// Checks entries given in `seq` order, continuing from `prev` (the last
/// verified entry's seq and hash, or `(0, GENESIS)`). Returns the state to
/// continue from, or the first broken link.
pub fn verify_chain(entries: &[AuditEntry], prev: (i64, String)) -> Result<(i64, String), BrokenLink> {
    let (mut seq, mut hash) = prev;
    for e in entries {
        if e.seq != seq + 1 {
            return Err(BrokenLink { seq: e.seq, reason: format!("expected entry {} next, found {}", seq + 1, e.seq) });
        }
        if e.prev_hash != hash {
            return Err(BrokenLink { seq: e.seq, reason: "prev_hash does not match the previous entry's hash".into() });
        }
        let computed = entry_hash(
            e.seq,
            e.at,
            &e.actor,
            &e.action,
            &e.entity,
            &e.entity_id,
            e.before.as_ref(),
            e.after.as_ref(),
            &e.prev_hash,
        );
        if computed != e.hash {
            return Err(BrokenLink {
                seq: e.seq,
                reason: "the entry's content does not match its hash (altered)".into(),
            });
        }
        seq = e.seq;
        hash = e.hash.clone();
    }
    Ok((seq, hash))
}

/// Entries fetched per call by [`verify_audit`].
const VERIFY_PAGE: u32 = 1000;

/// Verifies a store's whole audit chain, paging through
/// [`Store::audit_entries`](crate::Store::audit_entries): the number of
/// entries checked, or the first broken link. The outer error is the store
/// failing to answer.
pub async fn verify_audit(store: &dyn crate::Store) -> crate::Result<Result<i64, BrokenLink>> {
    let mut state = (0, GENESIS.to_string());
    let mut checked = 0i64;
    loop {
        let entries = store.audit_entries(state.0, VERIFY_PAGE).await?;
        if entries.is_empty() {
            return Ok(Ok(checked));
        }
        match verify_chain(&entries, state) {
            Ok(next) => {
                checked += entries.len() as i64;
                state = next;
            }
            Err(broken) => return Ok(Err(broken)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::hex;

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(hex(&[]), "");
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff, 0x10]), "000fa5ff10");
    }
}
