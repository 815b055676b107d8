//! The audit log and its verification.

use axum::extract::State;
use cbec_model::filing::Role;
use cbec_store::audit::{AuditEntry, GENESIS, verify_chain};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{Json, Query};

const READERS: &[Role] = &[Role::Supervisor, Role::Administrator];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditQuery {
    /// Entries with `seq` greater than this (0: from the start).
    after: Option<i64>,
    limit: Option<u32>,
}

/// `GET /audit?after&limit` (supervisor, administrator).
pub(crate) async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    caller.require_role(READERS, "read the audit log")?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(format!("limit must be 1 to {MAX_LIMIT}")));
    }
    let after = q.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::bad_request("after must not be negative"));
    }
    Ok(Json(state.store.audit_entries(after, limit).await?))
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct Verification {
    /// Whether every entry's hash and link is right.
    intact: bool,
    /// How many entries were verified good.
    checked: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    broken_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// `GET /audit/verify` (supervisor, administrator): walks the whole chain.
pub(crate) async fn verify_audit(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Verification>, ApiError> {
    caller.require_role(READERS, "verify the audit log")?;
    let mut prev = (0i64, GENESIS.to_owned());
    let mut checked = 0i64;
    loop {
        let entries = state.store.audit_entries(prev.0, MAX_LIMIT).await?;
        if entries.is_empty() {
            return Ok(Json(Verification { intact: true, checked, broken_at: None, reason: None }));
        }
        match verify_chain(&entries, prev.clone()) {
            Ok(next) => {
                checked += i64::try_from(entries.len()).unwrap_or(i64::MAX);
                prev = next;
            }
            Err(broken) => {
                checked += entries.iter().take_while(|e| e.seq < broken.seq).count() as i64;
                tracing::warn!(seq = broken.seq, reason = %broken.reason, "the audit chain is broken");
                return Ok(Json(Verification {
                    intact: false,
                    checked,
                    broken_at: Some(broken.seq),
                    reason: Some(broken.reason),
                }));
            }
        }
    }
}
