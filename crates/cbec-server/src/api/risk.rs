//! The risk engine's rule sets over HTTP: upload (validated, stored as a
//! draft), read, decide (a supervisor other than the uploader activates
//! it), the rule set in force, and dry runs of a candidate over the stored
//! lists ("what would this rule have hit").

use std::collections::BTreeMap;

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use cbec_clearance::facts::{ExportListFacts, ListFacts};
use cbec_model::filing::{CreditRating, Role};
use cbec_risk::{DryRun, Engine, ExpectedRates, RuleError, RuleSet, map_on_cores};
use cbec_store::{DocFilter, Id, Millis, RuleSetRow};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::required_text;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{Json, Path, Query, TomlBody};

/// Who writes rule sets and tries them: risk officers and supervisors.
const WRITERS: &[Role] = &[Role::RiskOfficer, Role::Supervisor];
/// Who activates a rule set.
const DECIDERS: &[Role] = &[Role::Supervisor];

/// The lists a dry run takes by default, and at most.
pub(crate) const DRY_RUN_DEFAULT: u32 = 10_000;
pub(crate) const DRY_RUN_MAX: u32 = 50_000;

/// The seed of the pipeline's random draws (the same for dry runs).
fn seed(state: &AppState) -> u64 {
    state.pipeline.config().clearance.risk.seed
}

/// The stored rule set text parsed, or the active one's problems as an
/// internal error (it was validated when uploaded).
fn parse_stored(row: &RuleSetRow, text: &str) -> Result<RuleSet, ApiError> {
    RuleSet::parse(text).map_err(|e| ApiError::internal(format!("stored rule set {} does not read: {e}", row.version)))
}

/// `POST /risk/rule-sets` (risk officer, supervisor): a TOML rule file,
/// validated; stored as a draft.
pub(crate) async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    request: Request,
) -> Result<(StatusCode, Json<RuleSetRow>), ApiError> {
    caller.require_role(WRITERS, "upload risk rule sets")?;
    let TomlBody(text) = TomlBody::from_request(request, &state).await?;
    let text = text.ok_or_else(|| {
        ApiError::bad_request("the body must be the rule file (TOML, Content-Type: application/toml)")
    })?;
    let rules = RuleSet::parse(&text)?;
    let count = i64::try_from(rules.rules().len()).unwrap_or(i64::MAX);
    let row = state.store.put_rule_set(rules.version(), count, &text, &caller.actor(state.now())).await?;
    tracing::info!(rule_set = %row.id, version = %row.version, rules = count, by = %caller.principal(), "rule set uploaded");
    Ok((StatusCode::CREATED, Json(row)))
}

/// `GET /risk/rule-sets` (officers): every rule set, newest upload first.
pub(crate) async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<RuleSetRow>>, ApiError> {
    caller.require_officer("read risk rule sets")?;
    let mut rows = state.store.rule_sets().await?;
    rows.reverse();
    Ok(Json(rows))
}

/// The expected lane shares of random selection by seller credit rating
/// (`unrated`: a seller without a rating).
fn expected_rates(rules: &RuleSet) -> BTreeMap<&'static str, ExpectedRates> {
    let mut rates: BTreeMap<&'static str, ExpectedRates> =
        CreditRating::ALL.iter().map(|&c| (c.as_str(), rules.expected_rates(Some(c)))).collect();
    rates.insert("unrated", rules.expected_rates(None));
    rates
}

#[derive(Debug, Serialize)]
pub(crate) struct RuleSetDetail {
    #[serde(flatten)]
    row: RuleSetRow,
    /// The file as uploaded.
    content: String,
    /// The file as the engine reads it: version, rates and rules.
    parsed: Option<RuleSet>,
    /// Expected lane shares of random selection by seller credit rating.
    expected_rates: Option<BTreeMap<&'static str, ExpectedRates>>,
    /// Problems, if the stored file no longer reads (never for a file
    /// accepted by this version).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rule_errors: Vec<RuleError>,
}

/// `GET /risk/rule-sets/{id}` (officers): the row, the file, the parsed
/// rules and the expected lane rates.
pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> Result<Json<RuleSetDetail>, ApiError> {
    caller.require_officer("read risk rule sets")?;
    let (row, content) = state.store.rule_set(&id).await?;
    let (parsed, rule_errors) = match RuleSet::parse(&content) {
        Ok(rules) => (Some(rules), Vec::new()),
        Err(e) => (None, e.errors),
    };
    let expected_rates = parsed.as_ref().map(expected_rates);
    Ok(Json(RuleSetDetail { row, content, parsed, expected_rates, rule_errors }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionBody {
    approve: bool,
    /// Why (required to reject).
    #[serde(default)]
    note: String,
}

/// `POST /risk/rule-sets/{id}/decision` (supervisor, not the uploader):
/// approving activates the draft (the active one is retired) and reloads
/// the pipeline's risk settings; rejecting needs a note.
pub(crate) async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    Json(body): Json<DecisionBody>,
) -> Result<Json<RuleSetRow>, ApiError> {
    caller.require_role(DECIDERS, "approve or reject risk rule sets")?;
    let (row, content) = state.store.rule_set(&id).await?;
    if row.uploaded_by == caller.principal().to_string() {
        return Err(ApiError::forbidden(
            "an officer cannot decide a rule set they uploaded (four-eyes rule): another supervisor must",
        ));
    }
    if row.status != RuleSetRow::DRAFT {
        return Err(ApiError::InvalidState(format!(
            "rule set {} is {}: only a draft can be approved or rejected",
            row.version, row.status
        )));
    }
    let note = if body.approve { body.note.trim().to_owned() } else { required_text(&body.note, "note")? };
    if body.approve {
        // Validated when uploaded; read again so a file this version of the
        // engine cannot read is never activated.
        RuleSet::parse(&content)?;
    }
    let now = state.now();
    let decided = state.store.decide_rule_set(&id, body.approve, &note, &caller.actor(now)).await?;
    tracing::info!(rule_set = %id, version = %decided.version, status = %decided.status, by = %caller.principal(), "rule set decided");
    if body.approve {
        let (version, warnings) = state.pipeline.load_risk(now).await?;
        tracing::info!(%version, warnings, "risk settings reloaded");
    }
    Ok(Json(decided))
}

#[derive(Debug, Serialize)]
pub(crate) struct Active {
    /// The version of the rule set in force (`none` when none is active).
    version: String,
    rule_set: Option<RuleSetRow>,
    /// Risk warnings in force now.
    warnings_in_force: usize,
    /// The seed of the random draws.
    seed: u64,
}

/// The warnings in force at `now`, from the stored monitoring records.
async fn warnings_in_force(state: &AppState, now: Millis) -> Result<usize, ApiError> {
    let records: Vec<cbec_monitoring::WarningRecord> =
        cbec_pipeline::monitoring::load_all(state.store.as_ref(), Some("active")).await?;
    Ok(cbec_monitoring::active_warnings(&records, now.0).len())
}

/// `GET /risk/active` (officers): the rule set in force, the warnings in
/// force and the seed.
pub(crate) async fn active(State(state): State<AppState>, caller: Caller) -> Result<Json<Active>, ApiError> {
    caller.require_officer("read the risk settings")?;
    let now = state.now();
    let rule_set = state.store.active_rule_set().await?.map(|(row, _)| row);
    let version = rule_set.as_ref().map_or_else(|| cbec_clearance::risk::NO_RULES.to_owned(), |r| r.version.clone());
    let warnings_in_force = warnings_in_force(&state, now).await?;
    Ok(Json(Active { version, rule_set, warnings_in_force, seed: seed(&state) }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DryRunQuery {
    /// A stored rule set (a draft, typically) instead of a body.
    rule_set: Option<Id>,
    /// The most recent lists to try, 1 to 50,000 (default 10,000).
    limit: Option<u32>,
    /// Lists received from (inclusive): `YYYY-MM-DD` (China time) or RFC 3339.
    from: Option<String>,
    /// Lists received before (exclusive; a date includes its whole day).
    to: Option<String>,
}

/// A bound of the date filter: a date (`YYYY-MM-DD`, China time, UTC+8)
/// or an RFC 3339 time. `end` moves a date to the start of the next day.
fn bound(name: &str, value: &str, end: bool) -> Result<Millis, ApiError> {
    let v = value.trim();
    let parsed = if v.len() == 10 {
        Millis::parse_rfc3339(&format!("{v}T00:00:00+08:00")).map(|m| if end { Millis(m.0 + 86_400_000) } else { m })
    } else {
        Millis::parse_rfc3339(v)
    };
    parsed.ok_or_else(|| {
        ApiError::bad_request(format!("{name}={value:?} is neither a date (2026-03-01) nor an RFC 3339 time"))
    })
}

/// What a dry run reads of a stored list: its facts, read straight as the
/// kind its row names (the body's other parts, and the buffering a tagged
/// enum needs, are skipped).
#[derive(Deserialize)]
struct StoredFacts<F> {
    facts: F,
}

/// The stored import and export lists as the risk engine sees them, most
/// recent first: at most `limit`, received in `[from, to)`.
async fn stored_subjects(
    state: &AppState,
    limit: u32,
    from: Option<Millis>,
    to: Option<Millis>,
) -> Result<Vec<cbec_risk::Subject>, ApiError> {
    // With a date filter, look further back so the window is filled.
    let fetch = if from.is_some() || to.is_some() { DRY_RUN_MAX } else { limit };
    let mut rows = Vec::new();
    for kind in [cbec_clearance::Kind::List, cbec_clearance::Kind::ExportList] {
        let filter = DocFilter { kind: Some(kind.name().to_owned()), limit: fetch, ..Default::default() };
        rows.extend(state.store.documents(filter).await?);
    }
    rows.retain(|r| from.is_none_or(|f| r.created_at >= f) && to.is_none_or(|t| r.created_at < t));
    rows.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    // Reading thousands of bodies is CPU work: off the async workers, on
    // every core, each taking a run of the lists (the order is kept).
    tokio::task::spawn_blocking(move || map_on_cores(&rows, 500, subject_of).into_iter().flatten().collect())
        .await
        .map_err(ApiError::internal)
}

/// The risk subject of a stored list (a list that does not read is logged
/// and left out).
fn subject_of(row: &cbec_store::DocRow) -> Option<cbec_risk::Subject> {
    let subject = match cbec_clearance::Kind::parse(&row.kind) {
        Some(cbec_clearance::Kind::List) => serde_json::from_str::<StoredFacts<ListFacts>>(&row.body)
            .map(|d| cbec_clearance::risk::import_subject(&row.id, &d.facts)),
        Some(cbec_clearance::Kind::ExportList) => serde_json::from_str::<StoredFacts<ExportListFacts>>(&row.body)
            .map(|d| cbec_clearance::risk::export_subject(&row.id, &d.facts)),
        _ => return None,
    };
    subject
        .map_err(|e| {
            tracing::warn!(document = %row.id, error = %e, "a stored list does not read; left out of the dry run");
        })
        .ok()
}

/// `POST /risk/dry-run?rule_set&limit&from&to` (risk officer, supervisor):
/// a candidate rule file (the body, TOML) or a stored rule set tried over
/// the stored lists against the active rule set, with the pipeline's seed.
pub(crate) async fn dry_run(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DryRunQuery>,
    request: Request,
) -> Result<Json<DryRun>, ApiError> {
    caller.require_role(WRITERS, "dry-run risk rule sets")?;
    let limit = q.limit.unwrap_or(DRY_RUN_DEFAULT);
    if limit == 0 || limit > DRY_RUN_MAX {
        return Err(ApiError::bad_request(format!("limit must be 1 to {DRY_RUN_MAX}")));
    }
    let from = q.from.as_deref().map(|v| bound("from", v, false)).transpose()?;
    let to = q.to.as_deref().map(|v| bound("to", v, true)).transpose()?;
    let TomlBody(body) = TomlBody::from_request(request, &state).await?;
    let text = match (q.rule_set, body) {
        (Some(id), None) => state.store.rule_set(&id).await?.1,
        (None, Some(text)) => text,
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request("give either a rule file as the body or ?rule_set=ID, not both"));
        }
        (None, None) => {
            return Err(ApiError::bad_request(
                "give the candidate rule file as the body (Content-Type: application/toml), or ?rule_set=ID",
            ));
        }
    };
    let candidate = RuleSet::parse(&text)?;
    let active = match state.store.active_rule_set().await? {
        Some((row, text)) => Some(Engine::new(parse_stored(&row, &text)?)),
        None => None,
    };
    let subjects = stored_subjects(&state, limit, from, to).await?;
    let seed = seed(&state);
    let report = tokio::task::spawn_blocking(move || cbec_risk::dry_run(&candidate, active.as_ref(), subjects, seed))
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(
        candidate = %report.candidate_version,
        subjects = report.subjects,
        changed = report.changed,
        by = %caller.principal(),
        "dry run"
    );
    Ok(Json(report))
}
