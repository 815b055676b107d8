//! Enterprises as filed: versions, licences, certificates, credit,
//! warehouses; credit changes and certificate revocation.

use axum::extract::State;
use base64::Engine as _;
use cbec_model::filing::{CreditRating, Role};
use cbec_store::{
    Certificate, CreditChange, Enterprise, EnterpriseVersion, Id, Licence, Millis, NewCreditChange, OverseasWarehouse,
};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::{PageQuery, page, required_text};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{Json, Path, Query};

/// `GET /enterprises` (officers).
pub(crate) async fn list_enterprises(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<Vec<Enterprise>>, ApiError> {
    caller.require_officer("list enterprises")?;
    Ok(Json(state.store.list_enterprises(page(q.offset, q.limit)?).await?))
}

/// `GET /enterprises/{id}` (officers, the enterprise).
pub(crate) async fn get_enterprise(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> Result<Json<Enterprise>, ApiError> {
    caller.require_officer_or_self(&id)?;
    Ok(Json(state.store.enterprise(&id).await?))
}

/// `GET /enterprises/{id}/versions`.
pub(crate) async fn list_versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> Result<Json<Vec<EnterpriseVersion>>, ApiError> {
    caller.require_officer_or_self(&id)?;
    state.store.enterprise(&id).await?;
    Ok(Json(state.store.enterprise_versions(&id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AsOfQuery {
    /// RFC 3339, e.g. `2026-03-01T08:00:00+08:00`.
    at: String,
}

/// `GET /enterprises/{id}/as-of?at=RFC3339`: the version in force then.
pub(crate) async fn as_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<EnterpriseVersion>, ApiError> {
    caller.require_officer_or_self(&id)?;
    let at = Millis::parse_rfc3339(&q.at).ok_or_else(|| {
        ApiError::bad_request(format!("at={:?} is not an RFC 3339 time such as 2026-03-01T08:00:00Z", q.at))
    })?;
    state.store.enterprise(&id).await?;
    let version = state.store.enterprise_as_of(&id, at).await?;
    version.map(Json).ok_or_else(|| ApiError::NotFound(format!("enterprise {id} was not filed yet at {}", q.at)))
}

/// `GET /enterprises/{id}/licences`.
pub(crate) async fn list_licences(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> Result<Json<Vec<Licence>>, ApiError> {
    caller.require_officer_or_self(&id)?;
    state.store.enterprise(&id).await?;
    Ok(Json(state.store.licences(&id).await?))
}

/// A bound certificate as the API shows it: hex fingerprint, RFC 3339
/// validity, PEM.
#[derive(Debug, Serialize)]
pub(crate) struct CertificateView {
    id: Id,
    enterprise_id: Id,
    /// Serial number in hex: the `KeyName` of the enterprise's signatures.
    serial: String,
    subject: String,
    issuer: String,
    not_before: String,
    not_after: String,
    /// SHA-256 of the DER, hex.
    fingerprint: String,
    bound_at: Millis,
    revoked_at: Option<Millis>,
    revoke_reason: Option<String>,
    pem: String,
}

impl From<Certificate> for CertificateView {
    fn from(c: Certificate) -> Self {
        let b64 = base64::engine::general_purpose::STANDARD.encode(&c.cert.der);
        let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(chunk));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
        CertificateView {
            id: c.id,
            enterprise_id: c.enterprise_id,
            serial: c.cert.serial,
            subject: c.cert.subject,
            issuer: c.cert.issuer,
            not_before: c.cert.not_before.to_rfc3339(),
            not_after: c.cert.not_after.to_rfc3339(),
            fingerprint: cbec_store::audit::hex(&c.cert.fingerprint),
            bound_at: c.bound_at,
            revoked_at: c.revoked_at,
            revoke_reason: c.revoke_reason,
            pem,
        }
    }
}

/// `GET /enterprises/{id}/certificates`.
pub(crate) async fn list_certificates(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> Result<Json<Vec<CertificateView>>, ApiError> {
    caller.require_officer_or_self(&id)?;
    state.store.enterprise(&id).await?;
    Ok(Json(state.store.certificates(&id).await?.into_iter().map(CertificateView::from).collect()))
}

#[derive(Debug, Serialize)]
pub(crate) struct CreditView {
    enterprise_id: Id,
    rating: CreditRating,
    /// Every change, oldest first.
    history: Vec<CreditChange>,
}

/// `GET /enterprises/{id}/credit`.
pub(crate) async fn get_credit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> Result<Json<CreditView>, ApiError> {
    caller.require_officer_or_self(&id)?;
    let enterprise = state.store.enterprise(&id).await?;
    let history = state.store.credit_history(&id).await?;
    Ok(Json(CreditView { enterprise_id: id, rating: enterprise.credit, history }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetCredit {
    rating: CreditRating,
    reason: String,
}

/// `POST /enterprises/{id}/credit` (supervisor).
pub(crate) async fn set_credit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    Json(req): Json<SetCredit>,
) -> Result<Json<Enterprise>, ApiError> {
    caller.require_role(&[Role::Supervisor], "change credit ratings")?;
    let reason = required_text(&req.reason, "reason")?;
    let now = state.now();
    let enterprise =
        state.store.set_credit_rating(&id, NewCreditChange { rating: req.rating, reason }, &caller.actor(now)).await?;
    tracing::info!(enterprise = %id, rating = %req.rating, by = %caller.principal(), "credit rating changed");
    Ok(Json(enterprise))
}

/// `GET /enterprises/{id}/warehouses`.
pub(crate) async fn list_warehouses(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> Result<Json<Vec<OverseasWarehouse>>, ApiError> {
    caller.require_officer_or_self(&id)?;
    state.store.enterprise(&id).await?;
    Ok(Json(state.store.warehouses(&id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Revoke {
    reason: String,
}

/// `POST /certificates/{id}/revoke` (reviewer, supervisor, or the owning
/// enterprise).
pub(crate) async fn revoke_certificate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    Json(req): Json<Revoke>,
) -> Result<Json<CertificateView>, ApiError> {
    match &caller {
        Caller::Enterprise(own) => {
            // Certificates are found by enterprise; one not among the
            // caller's own is refused whether or not it exists.
            let mine = state.store.certificates(own).await?;
            if !mine.iter().any(|c| c.id == id) {
                return Err(ApiError::forbidden("an enterprise may only revoke its own certificates"));
            }
        }
        Caller::Officer(_) => caller.require_role(&[Role::Reviewer, Role::Supervisor], "revoke certificates")?,
    }
    let reason = required_text(&req.reason, "reason")?;
    let now = state.now();
    let revoked = state.store.revoke_certificate(&id, &reason, &caller.actor(now), now).await?;
    tracing::info!(certificate = %id, by = %caller.principal(), "certificate revoked");
    Ok(Json(revoked.into()))
}
