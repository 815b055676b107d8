//! Quality and safety monitoring over HTTP: sampling plans, test results,
//! risk warnings, risk reduction and rectification orders and credit
//! downgrade proposals (the pure rules are `cbec_monitoring`'s; records and
//! their audit entries are written by `cbec_pipeline::monitoring`).
//!
//! Officers create records and give commands (`POST …/{id}/commands`, the
//! crate's command JSON plus `expected_version`); the enterprise an order
//! is addressed to reads its orders and responds to them. A change to the
//! warnings in force or to the violations on record reloads the pipeline's
//! risk settings at once, so it applies to the next list.

use axum::extract::State;
use axum::http::StatusCode;
use cbec_model::filing::Role;
use cbec_monitoring::{
    Actor as MActor, Applied, CreditProposal, EnterpriseView, Error as MError, Finding, NewCreditProposal, NewPlan,
    NewRectificationOrder, NewReductionOrder, NewResult, OrderView, PlanCommand, ProposalCommand, RecordKind,
    RectificationCommand, RectificationOrder, ReductionCommand, ReductionOrder, ResultCommand, SamplingPlan,
    TestResult, WarningCommand, WarningRecord, WarningTerms,
};
use cbec_pipeline::monitoring::{Stored, load, load_all, save, save_with_rating};
use cbec_risk::{Measure, Scope, Severity};
use cbec_store::{Id, Millis, MonitoringFilter, MonitoringRow, NewCreditChange, RatingChange, StoreError, new_id};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::AppState;
use crate::api::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{Json, Path, Query};

/// Who writes monitoring records: risk officers and supervisors.
const WRITERS: &[Role] = cbec_monitoring::WRITERS;
/// Who decides credit downgrade proposals.
const DECIDERS: &[Role] = cbec_monitoring::DECIDERS;

// ---- the record as the API shows it -----------------------------------------------

/// A stored monitoring record: its columns, its state at the time of the
/// answer (derived: a warning `expired`, an order `overdue`, …) and the
/// record itself.
#[derive(Debug, Serialize)]
pub(crate) struct RecordOut {
    id: Id,
    kind: String,
    enterprise: Option<String>,
    /// The stored state (`active`, `lifted`, `issued`, …).
    state: String,
    /// The state now, with the derived ones (`pending`, `expired`,
    /// `overdue`, `scheduled`, `ended`).
    status: String,
    version: i64,
    created_at: Millis,
    updated_at: Millis,
    record: Value,
}

fn read<R: DeserializeOwned>(row: &MonitoringRow) -> Result<R, ApiError> {
    serde_json::from_str(&row.body)
        .map_err(|e| ApiError::internal(format!("{} {} does not read: {e}", row.kind, row.id)))
}

/// The state of a record at `now`, derived states included.
fn status(row: &MonitoringRow, now: Millis) -> Result<String, ApiError> {
    let n = now.0;
    let name = |v: Value| v.as_str().map(str::to_owned);
    let derived = match row.kind.as_str() {
        "sampling_plan" => name(serde_json::to_value(read::<SamplingPlan>(row)?.status(n)).unwrap_or_default()),
        "warning" => Some(read::<WarningRecord>(row)?.status(n).as_str().to_owned()),
        "reduction_order" => Some(read::<ReductionOrder>(row)?.status(n).as_str().to_owned()),
        "rectification_order" => Some(read::<RectificationOrder>(row)?.status(n).as_str().to_owned()),
        _ => None,
    };
    Ok(derived.unwrap_or_else(|| row.state.clone()))
}

fn out(row: MonitoringRow, now: Millis) -> Result<RecordOut, ApiError> {
    let status = status(&row, now)?;
    let record = serde_json::from_str(&row.body).map_err(ApiError::internal)?;
    Ok(RecordOut {
        id: row.id,
        kind: row.kind,
        enterprise: row.enterprise,
        state: row.state,
        status,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        record,
    })
}

// ---- actors -----------------------------------------------------------------------------

/// The monitoring actor of an officer caller.
fn officer_actor(caller: &Caller) -> Option<MActor> {
    match caller {
        Caller::Officer(o) => Some(MActor::officer(o.id.clone(), o.role)),
        Caller::Enterprise(_) => None,
    }
}

/// The codes of an enterprise: customs code and USCC.
async fn codes_of(state: &AppState, id: &Id) -> Result<Vec<String>, ApiError> {
    let e = state.store.enterprise(id).await?;
    Ok([e.record.customs_code, e.record.uscc].into_iter().flatten().collect())
}

/// A writer officer's actor, or 403.
fn writer(caller: &Caller, what: &str) -> Result<MActor, ApiError> {
    caller.require_role(WRITERS, what)?;
    officer_actor(caller).ok_or_else(|| ApiError::forbidden(format!("only customs officers may {what}")))
}

/// Saves an applied command, mapping a stale version to 409.
async fn persist<R: Stored>(
    state: &AppState,
    caller: &Caller,
    applied: &Applied<R>,
    expected: Option<u32>,
    now: Millis,
) -> Result<MonitoringRow, ApiError> {
    Ok(save(&*state.store, applied, expected, &caller.actor(now)).await?)
}

/// Reloads the pipeline's risk settings after a change to warnings or
/// violations, so the next list sees it.
async fn reload_risk(state: &AppState, now: Millis) -> Result<(), ApiError> {
    let (version, warnings) = state.pipeline.load_risk(now).await?;
    tracing::info!(%version, warnings, "risk settings reloaded");
    Ok(())
}

// ---- creation ----------------------------------------------------------------------------

/// `POST /monitoring/sampling-plans` (risk officer, supervisor).
pub(crate) async fn create_plan(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewPlan>,
) -> Result<(StatusCode, Json<RecordOut>), ApiError> {
    let actor = writer(&caller, "create sampling plans")?;
    let now = state.now();
    let applied = cbec_monitoring::create_plan(new_id(), body, &actor, now.0)?;
    let row = persist(&state, &caller, &applied, None, now).await?;
    Ok((StatusCode::CREATED, Json(out(row, now)?)))
}

/// `POST /monitoring/test-results` (risk officer, supervisor). A result
/// under a plan names it (`plan_id`).
pub(crate) async fn record_result(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewResult>,
) -> Result<(StatusCode, Json<RecordOut>), ApiError> {
    let actor = writer(&caller, "record test results")?;
    let plan = match &body.plan_id {
        Some(id) => optional(load::<SamplingPlan>(&*state.store, id).await)?,
        None => None,
    };
    let now = state.now();
    let applied = cbec_monitoring::record_result(new_id(), body, plan.as_ref(), &actor, now.0)?;
    let row = persist(&state, &caller, &applied, None, now).await?;
    Ok((StatusCode::CREATED, Json(out(row, now)?)))
}

/// A record named in a body: absent is `None` (the crate answers
/// `wrong_link`), any other failure is an error.
fn optional<R>(loaded: Result<R, StoreError>) -> Result<Option<R>, ApiError> {
    match loaded {
        Ok(r) => Ok(Some(r)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A warning raised on a failed test result (`from_result` with the
/// terms: `severity`, and optionally `measure`, `valid_for_ms`, `scope`),
/// or on an officer's `finding`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewWarning {
    from_result: Option<Id>,
    severity: Option<Severity>,
    measure: Option<Measure>,
    valid_for_ms: Option<i64>,
    scope: Option<Scope>,
    finding: Option<Finding>,
}

/// `POST /monitoring/warnings` (risk officer, supervisor): raises a
/// warning and reloads the risk settings, so it applies to the next list.
pub(crate) async fn create_warning(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewWarning>,
) -> Result<(StatusCode, Json<RecordOut>), ApiError> {
    let actor = writer(&caller, "raise risk warnings")?;
    let now = state.now();
    let applied = match (body.from_result, body.finding) {
        (Some(result_id), None) => {
            let severity = body.severity.ok_or_else(|| {
                ApiError::bad_request("severity is required with from_result: low, medium, high or critical")
            })?;
            let Some(result) = optional(load::<TestResult>(&*state.store, &result_id).await)? else {
                return Err(MError::WrongLink {
                    field: "from_result",
                    expected: result_id,
                    found: "no test result".into(),
                }
                .into());
            };
            let mut terms = WarningTerms::for_severity(severity);
            if let Some(m) = body.measure {
                terms.measure = m;
            }
            if let Some(v) = body.valid_for_ms {
                terms.valid_for_ms = v;
            }
            terms.scope = body.scope;
            cbec_monitoring::warning_from_result(new_id(), &result, terms, &actor, now.0)?
        }
        (None, Some(finding)) => {
            if body.severity.is_some() || body.measure.is_some() || body.valid_for_ms.is_some() || body.scope.is_some()
            {
                return Err(ApiError::bad_request(
                    "with finding, give severity, measure, scope and valid_until inside the finding",
                ));
            }
            cbec_monitoring::warning_from_finding(new_id(), finding, &actor, now.0)?
        }
        _ => {
            return Err(ApiError::bad_request(
                "give either from_result (a failed test result's id, with severity and optional measure, \
                 valid_for_ms, scope) or finding ({scope, severity, measure, valid_until, finding})",
            ));
        }
    };
    let row = persist(&state, &caller, &applied, None, now).await?;
    reload_risk(&state, now).await?;
    Ok((StatusCode::CREATED, Json(out(row, now)?)))
}

/// `POST /monitoring/reduction-orders` (risk officer, supervisor).
pub(crate) async fn issue_reduction(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewReductionOrder>,
) -> Result<(StatusCode, Json<RecordOut>), ApiError> {
    let actor = writer(&caller, "issue risk reduction orders")?;
    let now = state.now();
    let applied = cbec_monitoring::issue_reduction(new_id(), body, &actor, now.0)?;
    let row = persist(&state, &caller, &applied, None, now).await?;
    Ok((StatusCode::CREATED, Json(out(row, now)?)))
}

/// `POST /monitoring/rectification-orders` (risk officer, supervisor).
pub(crate) async fn issue_rectification(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewRectificationOrder>,
) -> Result<(StatusCode, Json<RecordOut>), ApiError> {
    let actor = writer(&caller, "issue rectification orders")?;
    let now = state.now();
    let applied = cbec_monitoring::issue_rectification(new_id(), body, &actor, now.0)?;
    let row = persist(&state, &caller, &applied, None, now).await?;
    Ok((StatusCode::CREATED, Json(out(row, now)?)))
}

/// The filed enterprise of a code, and 409 unless its rating is `from`.
async fn rated(state: &AppState, code: &str, from: cbec_model::filing::CreditRating) -> Result<Id, ApiError> {
    let Some(e) = state.store.enterprise_by_code(code).await? else {
        return Err(MError::WrongLink {
            field: "enterprise",
            expected: code.to_owned(),
            found: "no filed enterprise".into(),
        }
        .into());
    };
    if e.credit != from {
        return Err(ApiError::InvalidState(format!(
            "enterprise {code} is rated {} now, not {from}: the proposal no longer fits its record",
            e.credit
        )));
    }
    Ok(e.id)
}

/// `POST /monitoring/credit-proposals` (risk officer, supervisor): a
/// downgrade proposal on an upheld rectification order; `from` must be the
/// enterprise's rating now.
pub(crate) async fn propose_downgrade(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewCreditProposal>,
) -> Result<(StatusCode, Json<RecordOut>), ApiError> {
    let actor = writer(&caller, "propose credit downgrades")?;
    let Some(order) = optional(load::<RectificationOrder>(&*state.store, &body.rectification_id).await)? else {
        return Err(MError::WrongLink {
            field: "rectification_id",
            expected: body.rectification_id,
            found: "no rectification order".into(),
        }
        .into());
    };
    let now = state.now();
    let (code, from) = (body.enterprise.clone(), body.from);
    let applied = cbec_monitoring::propose_downgrade(new_id(), body, &order, &actor, now.0)?;
    rated(&state, &code, from).await?;
    let row = persist(&state, &caller, &applied, None, now).await?;
    Ok((StatusCode::CREATED, Json(out(row, now)?)))
}

// ---- commands -------------------------------------------------------------------------------

/// A command: the crate's command JSON (`{"command": "lift", "reason": …}`)
/// and the version of the record it was read at.
#[derive(Debug, Deserialize)]
pub(crate) struct CommandBody<C> {
    expected_version: u32,
    #[serde(flatten)]
    command: C,
}

/// A record kind that takes commands.
trait Commanded: Stored + Sized {
    type Command: DeserializeOwned;
    fn run(&self, expected: u32, c: Self::Command, a: &MActor, now: i64) -> cbec_monitoring::Result<Applied<Self>>;
}

macro_rules! commanded {
    ($record:ty, $command:ty) => {
        impl Commanded for $record {
            type Command = $command;
            fn run(
                &self,
                expected: u32,
                c: Self::Command,
                a: &MActor,
                now: i64,
            ) -> cbec_monitoring::Result<Applied<Self>> {
                self.apply(expected, c, a, now)
            }
        }
    };
}

commanded!(SamplingPlan, PlanCommand);
commanded!(TestResult, ResultCommand);
commanded!(WarningRecord, WarningCommand);
commanded!(ReductionOrder, ReductionCommand);
commanded!(RectificationOrder, RectificationCommand);
commanded!(CreditProposal, ProposalCommand);

/// Loads the record, applies the command and stores the result under the
/// version read.
async fn command<R: Commanded>(
    state: &AppState,
    actor: &MActor,
    id: &str,
    expected: u32,
    command: R::Command,
    now: Millis,
) -> Result<(R, Applied<R>), ApiError> {
    let record = load::<R>(&*state.store, id).await?;
    let applied = record.run(expected, command, actor, now.0)?;
    Ok((record, applied))
}

/// The actor of an order command: a writer officer, or the enterprise the
/// order is addressed to (any other enterprise is refused whether or not
/// the order exists).
async fn order_actor(state: &AppState, caller: &Caller, kind: RecordKind, id: &str) -> Result<MActor, ApiError> {
    match caller {
        Caller::Officer(_) => writer(caller, "act on monitoring orders"),
        Caller::Enterprise(own) => {
            let codes = codes_of(state, own).await?;
            let addressee = match state.store.monitoring_record(&id.to_owned()).await {
                Ok(row) if row.kind == kind.as_str() => row.enterprise,
                Ok(_) | Err(StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            };
            match addressee.and_then(|a| codes.into_iter().find(|c| c.eq_ignore_ascii_case(&a))) {
                Some(code) => Ok(MActor::enterprise(code)),
                None => Err(ApiError::forbidden("an enterprise may only act on orders addressed to it")),
            }
        }
    }
}

/// `POST /monitoring/sampling-plans/{id}/commands`: amend, close.
pub(crate) async fn plan_command(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    Json(body): Json<CommandBody<PlanCommand>>,
) -> Result<Json<RecordOut>, ApiError> {
    let actor = writer(&caller, "change sampling plans")?;
    let now = state.now();
    let (_, applied) = command::<SamplingPlan>(&state, &actor, &id, body.expected_version, body.command, now).await?;
    let row = persist(&state, &caller, &applied, Some(body.expected_version), now).await?;
    Ok(Json(out(row, now)?))
}

/// `POST /monitoring/test-results/{id}/commands`: withdraw.
pub(crate) async fn result_command(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    Json(body): Json<CommandBody<ResultCommand>>,
) -> Result<Json<RecordOut>, ApiError> {
    let actor = writer(&caller, "withdraw test results")?;
    let now = state.now();
    let (_, applied) = command::<TestResult>(&state, &actor, &id, body.expected_version, body.command, now).await?;
    let row = persist(&state, &caller, &applied, Some(body.expected_version), now).await?;
    Ok(Json(out(row, now)?))
}

/// `POST /monitoring/warnings/{id}/commands`: lift (with a reason),
/// extend; the risk settings are reloaded at once.
pub(crate) async fn warning_command(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    Json(body): Json<CommandBody<WarningCommand>>,
) -> Result<Json<RecordOut>, ApiError> {
    let actor = writer(&caller, "lift or extend risk warnings")?;
    let now = state.now();
    let (_, applied) = command::<WarningRecord>(&state, &actor, &id, body.expected_version, body.command, now).await?;
    let row = persist(&state, &caller, &applied, Some(body.expected_version), now).await?;
    reload_risk(&state, now).await?;
    Ok(Json(out(row, now)?))
}

/// `POST /monitoring/reduction-orders/{id}/commands`: respond (the
/// enterprise addressed), reject, close, withdraw (officers).
pub(crate) async fn reduction_command(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    Json(body): Json<CommandBody<ReductionCommand>>,
) -> Result<Json<RecordOut>, ApiError> {
    let actor = order_actor(&state, &caller, RecordKind::ReductionOrder, &id).await?;
    let now = state.now();
    let (_, applied) = command::<ReductionOrder>(&state, &actor, &id, body.expected_version, body.command, now).await?;
    let row = persist(&state, &caller, &applied, Some(body.expected_version), now).await?;
    Ok(Json(out(row, now)?))
}

/// `POST /monitoring/rectification-orders/{id}/commands`: respond (the
/// enterprise addressed), follow_up, reopen, verify, withdraw (officers).
/// A verification reloads the risk settings (violations on record).
pub(crate) async fn rectification_command(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    Json(body): Json<CommandBody<RectificationCommand>>,
) -> Result<Json<RecordOut>, ApiError> {
    let actor = order_actor(&state, &caller, RecordKind::RectificationOrder, &id).await?;
    let verify = matches!(body.command, RectificationCommand::Verify { .. });
    let now = state.now();
    let (_, applied) =
        command::<RectificationOrder>(&state, &actor, &id, body.expected_version, body.command, now).await?;
    let row = persist(&state, &caller, &applied, Some(body.expected_version), now).await?;
    if verify {
        reload_risk(&state, now).await?;
    }
    Ok(Json(out(row, now)?))
}

/// `POST /monitoring/credit-proposals/{id}/commands`: decide (a supervisor
/// other than the proposer). Approval applies the rating change at once,
/// only if the enterprise's rating is still the proposal's `from` (else 409
/// and nothing changes).
pub(crate) async fn proposal_command(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    Json(body): Json<CommandBody<ProposalCommand>>,
) -> Result<Json<RecordOut>, ApiError> {
    caller.require_role(DECIDERS, "decide credit downgrade proposals")?;
    let actor = writer(&caller, "decide credit downgrade proposals")?;
    let now = state.now();
    let (before, applied) =
        command::<CreditProposal>(&state, &actor, &id, body.expected_version, body.command, now).await?;
    let Some((code, from, to)) = applied.record.rating_change().map(|(code, from, to)| (code.to_owned(), from, to))
    else {
        let row = persist(&state, &caller, &applied, Some(body.expected_version), now).await?;
        return Ok(Json(out(row, now)?));
    };
    // An approval: the proposal's new version and the rating change are one
    // transaction, applied only while the enterprise is still rated `from`.
    let enterprise = rated(&state, &code, from).await?;
    let reason = format!(
        "credit downgrade proposal {} (rectification order {}) approved: {}",
        before.id, before.rectification_id, before.reason
    );
    let rating = RatingChange { enterprise, from, change: NewCreditChange { rating: to, reason } };
    let (row, _) = save_with_rating(&*state.store, &applied, body.expected_version, rating, &caller.actor(now)).await?;
    tracing::info!(enterprise = %code, %from, %to, proposal = %id, by = %caller.principal(), "credit rating lowered");
    Ok(Json(out(row, now)?))
}

// ---- reading ----------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordQuery {
    kind: Option<String>,
    /// The stored state (`active`, `lifted`, `issued`, `responded`, …).
    state: Option<String>,
    /// The enterprise code the record concerns or is addressed to.
    enterprise: Option<String>,
    limit: Option<u32>,
}

const KINDS: [RecordKind; 6] = [
    RecordKind::SamplingPlan,
    RecordKind::TestResult,
    RecordKind::Warning,
    RecordKind::ReductionOrder,
    RecordKind::RectificationOrder,
    RecordKind::CreditProposal,
];

/// `GET /monitoring/records?kind&state&enterprise&limit` (officers):
/// newest first.
pub(crate) async fn list_records(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RecordQuery>,
) -> Result<Json<Vec<RecordOut>>, ApiError> {
    caller.require_officer("read monitoring records")?;
    if let Some(k) = &q.kind
        && !KINDS.iter().any(|kind| kind.as_str() == k)
    {
        let names: Vec<&str> = KINDS.iter().map(|k| k.as_str()).collect();
        return Err(ApiError::bad_request(format!("kind {k:?} is not one of {}", names.join(", "))));
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(format!("limit must be 1 to {MAX_LIMIT}")));
    }
    let filter = MonitoringFilter { kind: q.kind, enterprise: q.enterprise, state: q.state, limit, newest_first: true };
    let rows = state.store.monitoring_records(&filter).await?;
    let now = state.now();
    rows.into_iter().map(|r| out(r, now)).collect::<Result<_, _>>().map(Json)
}

/// `GET /monitoring/records/{id}` (officers).
pub(crate) async fn get_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> Result<Json<RecordOut>, ApiError> {
    caller.require_officer("read monitoring records")?;
    let row = state.store.monitoring_record(&id).await?;
    Ok(Json(out(row, state.now())?))
}

/// Every reduction and rectification order.
async fn orders(state: &AppState) -> Result<(Vec<ReductionOrder>, Vec<RectificationOrder>), ApiError> {
    let store = state.store.as_ref();
    Ok((load_all(store, None).await?, load_all(store, None).await?))
}

/// `GET /monitoring/due` (officers): orders past their deadline without a
/// response, most overdue first.
pub(crate) async fn due(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<cbec_monitoring::Due>>, ApiError> {
    caller.require_officer("read overdue orders")?;
    let (reductions, rectifications) = orders(&state).await?;
    Ok(Json(cbec_monitoring::due(&reductions, &rectifications, state.now().0)))
}

#[derive(Debug, Serialize)]
pub(crate) struct EnterpriseOrders {
    enterprise_id: Id,
    /// The codes orders may be addressed to (customs code, USCC).
    codes: Vec<String>,
    /// Those waiting for the enterprise first (earliest deadline first),
    /// then the others, newest first.
    orders: Vec<OrderView>,
    /// Upheld violations on its record.
    violations: u32,
}

/// `GET /enterprises/{id}/monitoring-orders` (officers, the enterprise
/// itself): the reduction and rectification orders addressed to it, as it
/// sees them (no officer ids, no follow-up notes).
pub(crate) async fn enterprise_orders(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> Result<Json<EnterpriseOrders>, ApiError> {
    caller.require_officer_or_self(&id)?;
    let codes = codes_of(&state, &id).await?;
    let (reductions, rectifications) = orders(&state).await?;
    let now = state.now().0;
    let mut all: Vec<OrderView> = Vec::new();
    let mut violations = 0u32;
    for code in &codes {
        let EnterpriseView { orders, violations: v, .. } =
            cbec_monitoring::enterprise_view(&reductions, &rectifications, code, now);
        all.extend(orders);
        violations = violations.saturating_add(v);
    }
    // The order of `enterprise_view`, over the orders of every code.
    all.sort_by(|a, b| {
        let (wa, wb) = (a.status.awaits_enterprise(), b.status.awaits_enterprise());
        wb.cmp(&wa).then_with(|| {
            if wa { a.deadline.cmp(&b.deadline) } else { b.issued_at.cmp(&a.issued_at) }.then_with(|| a.id.cmp(&b.id))
        })
    });
    Ok(Json(EnterpriseOrders { enterprise_id: id, codes, orders: all, violations }))
}
