//! Health, readiness, metrics, the OpenAPI document and `whoami`.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use cbec_model::filing::Role;
use cbec_store::Id;
use serde::Serialize;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::Json;

/// Liveness: the process answers.
pub(crate) async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
pub(crate) async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    match state.store.ping().await {
        Ok(()) => Ok("ok"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ApiError::Unavailable)
        }
    }
}

pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render())
}

pub(crate) async fn openapi() -> impl IntoResponse {
    Json(crate::openapi::document())
}

/// Who the token belongs to.
#[derive(Debug, Serialize)]
pub(crate) struct Me {
    /// `officer` or `enterprise`.
    kind: &'static str,
    id: Id,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<Role>,
}

pub(crate) async fn me(caller: Caller) -> Json<Me> {
    Json(match caller {
        Caller::Officer(o) => Me { kind: "officer", id: o.id, name: Some(o.name), role: Some(o.role) },
        Caller::Enterprise(id) => Me { kind: "enterprise", id, name: None, role: None },
    })
}
