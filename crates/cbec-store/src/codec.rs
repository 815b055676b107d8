//! Encodings shared by both backends: how principals, enums, JSON columns
//! and audit snapshots are written and read, the human messages of
//! uniqueness conflicts, and the embedded-migration descriptor.
//!
//! Both backends store the same values in the same textual forms, so a
//! database moved from one to the other (or a test comparing them) sees the
//! same records.

use std::str::FromStr;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::audit::hex;
use crate::{Certificate, Principal, Result, StoreError};

/// One embedded migration: `NNNN_verb_noun.sql`, applied once, in order,
/// and never edited afterwards (its checksum is recorded and compared).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    /// Hex SHA-256 of the SQL text, recorded in `schema_migrations`.
    pub fn checksum(&self) -> String {
        hex(&Sha256::digest(self.sql.as_bytes()))
    }
}

/// Checks that the migrations already applied to a database are a prefix of
/// the embedded ones, unedited; returns how many are applied.
pub(crate) fn check_applied(embedded: &[Migration], applied: &[(i64, String, String)]) -> Result<usize> {
    for (i, (version, name, checksum)) in applied.iter().enumerate() {
        let Some(m) = embedded.get(i) else {
            return Err(StoreError::Backend(format!(
                "the database has migration {version} ({name}) that this build does not know: it was written by a newer cbec"
            )));
        };
        if m.version != *version || m.name != name {
            return Err(StoreError::Backend(format!(
                "applied migration {version} ({name}) does not match embedded migration {} ({})",
                m.version, m.name
            )));
        }
        if m.checksum() != *checksum {
            return Err(StoreError::Backend(format!(
                "migration {} ({}) was edited after it was applied; migrations are append-only",
                m.version, m.name
            )));
        }
    }
    Ok(applied.len())
}

/// The stored form of a principal: its display form (`officer:ID`,
/// `enterprise:ID`, `system:WHAT`), the same text as an audit actor.
pub(crate) fn principal_text(p: &Principal) -> String {
    p.to_string()
}

pub(crate) fn parse_principal(s: &str) -> Result<Principal> {
    match s.split_once(':') {
        Some(("officer", id)) => Ok(Principal::Officer(id.to_string())),
        Some(("enterprise", id)) => Ok(Principal::Enterprise(id.to_string())),
        Some(("system", what)) => Ok(Principal::System(what.to_string())),
        _ => Err(StoreError::Backend(format!("stored principal {s:?} is malformed"))),
    }
}

/// Parses a stored enum name (`cbec_model::filing` enums).
pub(crate) fn parse_name<T: FromStr<Err = String>>(s: &str) -> Result<T> {
    T::from_str(s).map_err(|e| StoreError::Backend(format!("stored value: {e}")))
}

pub(crate) fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Backend(format!("cannot encode JSON: {e}")))
}

pub(crate) fn from_json<T: DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Backend(format!("stored JSON is malformed: {e}")))
}

/// A JSON snapshot of a record for the audit log.
pub(crate) fn snapshot<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| StoreError::Backend(format!("cannot encode JSON: {e}")))
}

/// A certificate's audit snapshot: the serde form with the fingerprint and
/// the DER in hex rather than as arrays of numbers.
pub(crate) fn certificate_snapshot(c: &Certificate) -> Result<serde_json::Value> {
    let mut v = snapshot(c)?;
    if let Some(map) = v.as_object_mut() {
        map.insert("fingerprint".into(), serde_json::Value::String(hex(&c.cert.fingerprint)));
        map.insert("der".into(), serde_json::Value::String(hex(&c.cert.der)));
    }
    Ok(v)
}

pub(crate) fn fingerprint(bytes: Vec<u8>) -> Result<[u8; 32]> {
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| StoreError::Backend(format!("stored fingerprint has {} bytes, not 32", bytes.len())))
}

/// Whether an updated document keeps the indexed columns that identify it
/// (kind, sender, business key), so an update need not set them.
pub(crate) fn same_identity(old: &crate::clearance::DocRow, new: &crate::clearance::DocRow) -> bool {
    old.kind == new.kind && old.sender == new.sender && old.business_key == new.business_key
}

/// The message of a uniqueness conflict, from the key the database names:
/// a PostgreSQL constraint name or a SQLite `table.column` list.
pub(crate) fn conflict_message(key: &str) -> String {
    let what = match key {
        "enterprises_customs_code_key" | "enterprises.customs_code" => {
            "customs code is already filed by another enterprise"
        }
        "enterprises_uscc_key" | "enterprises.uscc" => "USCC is already filed by another enterprise",
        "certificates_fingerprint_bound" | "certificates.fingerprint" => {
            "certificate fingerprint is already bound to an enterprise (unrevoked)"
        }
        "officers_name_key" | "officers.name" => "an officer with this name already exists",
        "api_tokens_hash_key" | "api_tokens.hash" => "a token with this secret hash already exists",
        "licences_kind_number_key" | "licences.enterprise_id, licences.kind, licences.number" => {
            "the enterprise already has a licence of this kind and number"
        }
        "enterprise_versions_pkey" | "enterprise_versions.enterprise_id, enterprise_versions.version" => {
            "this enterprise version already exists"
        }
        "audit_log_pkey" | "audit_log.seq" => "the audit sequence number is already taken",
        "rule_sets_version_key" | "rule_sets.version" => {
            "a rule set with this version already exists; bump the version of the file"
        }
        "rule_sets_one_active" | "rule_sets.status" => "another rule set is already active",
        "monitoring_records_pkey" | "monitoring_records.id" => "a monitoring record with this id already exists",
        other => return format!("duplicate value ({other})"),
    };
    format!("duplicate: {what}")
}

/// Converts a `u32` count to the signed width SQL uses.
pub(crate) fn int(n: u32) -> i64 {
    i64::from(n)
}

/// The column lists both backends select, in the order their row mappers
/// read them.
pub(crate) mod cols {
    pub(crate) const OFFICER: &str = "id, name, role, created_at";
    pub(crate) const TOKEN: &str = "id, owner, label, created_at, revoked_at";
    pub(crate) const ENTERPRISE: &str = "id, version, record, credit, filed_at, updated_at";
    pub(crate) const VERSION: &str = "enterprise_id, version, record, valid_from, application_id";
    pub(crate) const CREDIT: &str = "rating, reason, changed_by, at";
    pub(crate) const LICENCE: &str = "id, enterprise_id, kind, number, issuer, scope, valid_from, valid_to, created_at";
    pub(crate) const CERTIFICATE: &str = "id, enterprise_id, serial, subject, issuer, not_before, not_after, fingerprint, der, \
                               bound_at, revoked_at, revoke_reason";
    pub(crate) const WAREHOUSE: &str =
        "id, enterprise_id, name, country, address, area_m2, nature, document, operator, approved_at, application_id";
    pub(crate) const APPLICATION: &str =
        "id, kind, enterprise_id, payload, state, submitted_by, submitted_at, decided_by, decided_at, reason";
    pub(crate) const AUDIT: &str =
        "seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash";
    pub(crate) const DOCUMENT: &str =
        "id, kind, status, sender, business_key, keys, deadline, created_at, updated_at, message_id, body";
    pub(crate) const RECEIPT: &str =
        "seq, id, doc_id, message_type, return_status, return_info, business_key, xml, issued_at";
    pub(crate) const MESSAGE: &str = "id, sender, guid, message_type, received_at, sha256, raw, response";
    pub(crate) const MOVE: &str = "seq, doc_id, from_status, to_status, event, reason, actor, at";
    pub(crate) const RECEIPT_R: &str =
        "r.seq, r.id, r.doc_id, r.message_type, r.return_status, r.return_info, r.business_key, r.xml, r.issued_at";
    pub(crate) const PUSH: &str = "o.seq, r.id, o.state, o.attempts, o.next_at, o.last_error, o.delivered_at";
    pub(crate) const RULE_SET: &str =
        "id, version, sha256, rules, status, uploaded_by, uploaded_at, decided_by, decided_at, note";
    pub(crate) const MONITORING: &str = "id, kind, enterprise, state, version, body, created_at, updated_at";
}

/// The keys column of `documents`: newline-separated.
pub(crate) fn join_keys(keys: &[String]) -> String {
    keys.join("\n")
}

pub(crate) fn split_keys(text: &str) -> Vec<String> {
    text.split('\n').filter(|k| !k.is_empty()).map(str::to_string).collect()
}

/// The state name and columns of a push result: (state, next_at, error, delivered_at).
pub(crate) fn push_columns(result: &crate::PushResult) -> (&'static str, Option<i64>, Option<&str>, Option<i64>) {
    match result {
        crate::PushResult::Delivered { at } => ("delivered", None, None, Some(at.0)),
        crate::PushResult::Retry { next_at, error } => ("pending", Some(next_at.0), Some(error.as_str()), None),
        crate::PushResult::Dead { error, .. } => ("dead", None, Some(error.as_str()), None),
    }
}
