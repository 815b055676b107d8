//! Applications: submit, list, read, approve, reject, withdraw.

use axum::extract::State;
use axum::http::StatusCode;
use cbec_model::filing::{ApplicationKind, ApplicationState, Role};
use cbec_store::{Application, ApplicationFilter, Id, NewApplication, Principal};
use serde::Deserialize;

use crate::AppState;
use crate::api::{page, required_text};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::filing::evaluate;
use crate::json::{Json, Path, Query};

/// The officers who may submit applications on an enterprise's behalf.
const SUBMITTERS: &[Role] = &[Role::Reviewer, Role::Supervisor, Role::Administrator];
/// The officers who decide applications.
const DECIDERS: &[Role] = &[Role::Reviewer, Role::Supervisor];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Submit {
    kind: ApplicationKind,
    /// The enterprise concerned: left out for an initial filing; an
    /// enterprise may leave it out for itself.
    #[serde(default)]
    enterprise_id: Option<Id>,
    #[serde(default)]
    payload: serde_json::Value,
}

/// `POST /applications`.
pub(crate) async fn submit_application(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<Submit>,
) -> Result<(StatusCode, Json<Application>), ApiError> {
    let enterprise_id = match (req.kind, &caller) {
        (ApplicationKind::InitialFiling, _) => {
            caller.require_role(SUBMITTERS, "submit an initial filing on an enterprise's behalf")?;
            if req.enterprise_id.is_some() {
                return Err(ApiError::bad_request("an initial filing creates its enterprise: leave enterprise_id out"));
            }
            None
        }
        (_, Caller::Enterprise(own)) => {
            let id = req.enterprise_id.clone().unwrap_or_else(|| own.clone());
            if &id != own {
                return Err(ApiError::forbidden("an enterprise may only apply for itself"));
            }
            Some(id)
        }
        (_, Caller::Officer(_)) => {
            caller.require_role(SUBMITTERS, "submit applications on an enterprise's behalf")?;
            Some(req.enterprise_id.clone().ok_or_else(|| {
                ApiError::bad_request(format!("a {} application needs enterprise_id", req.kind.as_str()))
            })?)
        }
    };
    let now = state.now();
    // Checked now so that an application the rules refuse never waits for a
    // reviewer; approval checks again against the data of that moment.
    evaluate(&*state.store, req.kind, enterprise_id.as_ref(), &req.payload, now).await?;
    let new = NewApplication { kind: req.kind, enterprise_id, payload: req.payload };
    let application = state.store.submit_application(new, &caller.actor(now)).await?;
    tracing::info!(application = %application.id, kind = %application.kind, by = %application.submitted_by, "application submitted");
    Ok((StatusCode::CREATED, Json(application)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    state: Option<ApplicationState>,
    kind: Option<ApplicationKind>,
    enterprise_id: Option<Id>,
    offset: Option<u32>,
    limit: Option<u32>,
}

/// `GET /applications` (officers: all; an enterprise: its own).
pub(crate) async fn list_applications(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Application>>, ApiError> {
    let enterprise_id = match (&caller, q.enterprise_id) {
        (Caller::Officer(_), id) => id,
        (Caller::Enterprise(own), None) => Some(own.clone()),
        (Caller::Enterprise(own), Some(id)) if &id == own => Some(id),
        (Caller::Enterprise(_), Some(_)) => {
            return Err(ApiError::forbidden("an enterprise may only list its own applications"));
        }
    };
    let filter = ApplicationFilter { state: q.state, kind: q.kind, enterprise_id, page: page(q.offset, q.limit)? };
    Ok(Json(state.store.list_applications(filter).await?))
}

/// Whether an enterprise caller may see an application: it concerns the
/// enterprise or the enterprise submitted it.
fn visible_to(caller: &Caller, application: &Application) -> Result<(), ApiError> {
    match caller {
        Caller::Officer(_) => Ok(()),
        Caller::Enterprise(own) => {
            if application.enterprise_id.as_ref() == Some(own)
                || application.submitted_by == Principal::Enterprise(own.clone())
            {
                Ok(())
            } else {
                Err(ApiError::forbidden("an enterprise may only see its own applications"))
            }
        }
    }
}

/// `GET /applications/{id}`.
pub(crate) async fn get_application(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> Result<Json<Application>, ApiError> {
    let application = state.store.application(&id).await?;
    visible_to(&caller, &application)?;
    Ok(Json(application))
}

fn still_open(application: &Application) -> Result<(), ApiError> {
    if application.state.is_open() {
        Ok(())
    } else {
        Err(ApiError::InvalidState(format!(
            "application {} is {}, no longer submitted",
            application.id,
            application.state.as_str()
        )))
    }
}

/// `POST /applications/{id}/approve` (reviewer, supervisor; not the
/// submitter). Runs the filing rules against the current data and applies
/// the effect.
pub(crate) async fn approve_application(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> Result<Json<Application>, ApiError> {
    caller.require_role(DECIDERS, "approve applications")?;
    let application = state.store.application(&id).await?;
    if application.submitted_by == caller.principal() {
        return Err(ApiError::forbidden("an officer cannot approve an application they submitted (four-eyes rule)"));
    }
    still_open(&application)?;
    let now = state.now();
    let effect =
        evaluate(&*state.store, application.kind, application.enterprise_id.as_ref(), &application.payload, now)
            .await?;
    let approved = state.store.approve_application(&id, effect, &caller.actor(now), now).await?;
    tracing::info!(application = %id, kind = %approved.kind, by = %caller.principal(), "application approved");
    Ok(Json(approved))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Reason {
    reason: String,
}

/// `POST /applications/{id}/reject` (reviewer, supervisor).
pub(crate) async fn reject_application(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    Json(req): Json<Reason>,
) -> Result<Json<Application>, ApiError> {
    caller.require_role(DECIDERS, "reject applications")?;
    let reason = required_text(&req.reason, "reason")?;
    let application = state.store.application(&id).await?;
    still_open(&application)?;
    let now = state.now();
    Ok(Json(state.store.reject_application(&id, &reason, &caller.actor(now), now).await?))
}

/// `POST /applications/{id}/withdraw` (the submitter).
pub(crate) async fn withdraw_application(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> Result<Json<Application>, ApiError> {
    let application = state.store.application(&id).await?;
    if application.submitted_by != caller.principal() {
        return Err(ApiError::forbidden("only the submitter may withdraw an application"));
    }
    still_open(&application)?;
    let now = state.now();
    Ok(Json(state.store.withdraw_application(&id, &caller.actor(now), now).await?))
}
