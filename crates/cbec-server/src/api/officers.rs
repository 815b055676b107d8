//! Officers and API tokens.

use axum::extract::State;
use axum::http::StatusCode;
use cbec_model::filing::Role;
use cbec_store::{ApiToken, Id, Millis, NewOfficer, NewToken, Officer, Principal};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::required_text;
use crate::auth::{Caller, generate_token};
use crate::error::ApiError;
use crate::json::{Json, OptionalJson, Path};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateOfficer {
    name: String,
    role: Role,
    /// A label for the first token; `initial` if left out.
    #[serde(default)]
    token_label: Option<String>,
}

/// A new token: the secret is in this answer only.
#[derive(Debug, Serialize)]
pub(crate) struct TokenCreated {
    id: Id,
    token: String,
    label: String,
    created_at: Millis,
}

#[derive(Debug, Serialize)]
pub(crate) struct OfficerCreated {
    officer: Officer,
    token: TokenCreated,
}

fn token_err(e: getrandom::Error) -> ApiError {
    ApiError::internal(format!("no randomness for a token: {e}"))
}

/// `POST /officers` (administrator).
pub(crate) async fn create_officer(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateOfficer>,
) -> Result<(StatusCode, Json<OfficerCreated>), ApiError> {
    caller.require_role(&[Role::Administrator], "manage officers")?;
    let name = required_text(&req.name, "name")?;
    if state.store.officer_by_name(&name).await?.is_some() {
        return Err(ApiError::Conflict(format!("an officer named {name:?} exists already")));
    }
    let label = req.token_label.as_deref().map(str::trim).filter(|l| !l.is_empty()).unwrap_or("initial").to_owned();
    let (token, hash) = generate_token().map_err(token_err)?;
    let now = state.now();
    let officer = state
        .store
        .create_officer(
            NewOfficer { name, role: req.role },
            NewToken { owner: None, hash, label: label.clone() },
            &caller.actor(now),
        )
        .await?;
    let tokens = state.store.list_tokens(&Principal::Officer(officer.id.clone())).await?;
    let first = tokens.into_iter().next().ok_or_else(|| ApiError::internal("the new officer has no token"))?;
    let token = TokenCreated { id: first.id, token, label: first.label, created_at: first.created_at };
    Ok((StatusCode::CREATED, Json(OfficerCreated { officer, token })))
}

/// `GET /officers` (administrator).
pub(crate) async fn list_officers(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Officer>>, ApiError> {
    caller.require_role(&[Role::Administrator], "manage officers")?;
    Ok(Json(state.store.list_officers().await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateToken {
    #[serde(default)]
    label: Option<String>,
}

/// `POST /enterprises/{id}/tokens` (administrator, or the enterprise).
pub(crate) async fn create_enterprise_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    OptionalJson(req): OptionalJson<CreateToken>,
) -> Result<(StatusCode, Json<TokenCreated>), ApiError> {
    caller.require_self_or_role(&id, &[Role::Administrator], "create API tokens")?;
    state.store.enterprise(&id).await?;
    let label = req.label.as_deref().map(str::trim).filter(|l| !l.is_empty()).unwrap_or("api").to_owned();
    let (token, hash) = generate_token().map_err(token_err)?;
    let now = state.now();
    let created = state
        .store
        .create_token(NewToken { owner: Some(Principal::Enterprise(id)), hash, label }, &caller.actor(now))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenCreated { id: created.id, token, label: created.label, created_at: created.created_at }),
    ))
}

/// `GET /enterprises/{id}/tokens` (administrator, or the enterprise).
pub(crate) async fn list_enterprise_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> Result<Json<Vec<ApiToken>>, ApiError> {
    caller.require_self_or_role(&id, &[Role::Administrator], "list API tokens")?;
    state.store.enterprise(&id).await?;
    Ok(Json(state.store.list_tokens(&Principal::Enterprise(id)).await?))
}

/// `DELETE /tokens/{id}` (the token's owner, or an administrator).
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> Result<StatusCode, ApiError> {
    if !caller.has_role(&[Role::Administrator]) {
        // The store finds tokens by owner, so a token that is not among the
        // caller's own is refused whether or not it exists: no id leaks.
        let own = state.store.list_tokens(&caller.principal()).await?;
        if !own.iter().any(|t| t.id == id) {
            return Err(ApiError::forbidden("only the token's owner or an administrator may revoke it"));
        }
    }
    let now = state.now();
    state.store.revoke_token(&id, &caller.actor(now), now).await?;
    Ok(StatusCode::NO_CONTENT)
}
