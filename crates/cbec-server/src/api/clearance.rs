//! Clearance over HTTP: message intake, receipts (pull and push), the
//! documents with their status history, and officer actions.

use axum::extract::{FromRequest, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cbec_clearance::decide::{Action, Doc};
use cbec_model::filing::Role;
use cbec_pipeline::{PipelineError, Sender};
use cbec_store::{DocFilter, DocRow, Millis, PushRow, ReceiptRow, StoredMessage, StoredMove, Webhook};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::AppState;
use crate::api::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{Json, Path, Query, XmlBody};

/// Who may act on documents.
const ACTORS: &[Role] = &[Role::Reviewer, Role::RiskOfficer, Role::Supervisor];

fn limit(l: Option<u32>) -> Result<u32, ApiError> {
    let limit = l.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(format!("limit must be 1 to {MAX_LIMIT}")));
    }
    Ok(limit)
}

/// The calling enterprise as a sender: its id and codes.
async fn sender(state: &AppState, caller: &Caller, what: &str) -> Result<Sender, ApiError> {
    let Some(id) = caller.enterprise() else {
        return Err(ApiError::forbidden(format!("only an enterprise may {what}")));
    };
    let e = state.store.enterprise(id).await?;
    let codes: Vec<String> = [e.record.customs_code.clone(), e.record.uscc.clone()].into_iter().flatten().collect();
    Ok(Sender { id: id.clone(), codes })
}

// ---- intake ---------------------------------------------------------------------

/// `POST /messages` (an enterprise): one CEB message, bare or in a `DxpMsg`
/// envelope; answers the receipt XML.
pub(crate) async fn submit_message(
    State(state): State<AppState>,
    caller: Caller,
    request: Request,
) -> Result<Response, ApiError> {
    // The right first, then the body: a caller without it learns nothing.
    let sender = sender(&state, &caller, "send messages").await?;
    let XmlBody(body) = XmlBody::from_request(request, &state).await?;
    let now = state.now();
    let answer = state.pipeline.submit(&sender, body.to_vec(), now).await?;
    state.metrics.count_message(answer.duplicate);
    let mut response = (StatusCode::OK, answer.xml).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&answer.message_id) {
        headers.insert("x-cbec-message-id", v);
    }
    if answer.duplicate {
        headers.insert("x-cbec-duplicate", HeaderValue::from_static("true"));
    }
    Ok(response)
}

// ---- receipts: pull --------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReceiptQuery {
    /// Receipts after this cursor; default: the acknowledged cursor.
    after: Option<i64>,
    limit: Option<u32>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ReceiptOut {
    /// Stable id: the same receipt always has the same id.
    id: String,
    /// Its position in issue order (a cursor).
    seq: i64,
    message_type: String,
    return_status: String,
    return_info: String,
    business_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    document_id: Option<String>,
    issued_at: Millis,
    xml: String,
}

impl From<ReceiptRow> for ReceiptOut {
    fn from(r: ReceiptRow) -> Self {
        ReceiptOut {
            id: r.id,
            seq: r.seq,
            message_type: r.message_type,
            return_status: r.return_status,
            return_info: r.return_info,
            business_key: r.business_key,
            document_id: r.doc_id,
            issued_at: r.issued_at,
            xml: r.xml,
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct ReceiptPage {
    receipts: Vec<ReceiptOut>,
    /// Pass as `after` for the next page (and to acknowledge).
    next: i64,
}

/// `GET /receipts?after&limit` (an enterprise): its receipts and those of
/// every document naming it, in issue order.
pub(crate) async fn list_receipts(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ReceiptQuery>,
) -> Result<Json<ReceiptPage>, ApiError> {
    let sender = sender(&state, &caller, "read receipts").await?;
    let limit = limit(q.limit)?;
    let after = match q.after {
        Some(a) if a < 0 => return Err(ApiError::bad_request("after must not be negative")),
        Some(a) => a,
        None => state.store.receipt_cursor(&sender.id).await?,
    };
    let rows = state.store.receipts_for(&sender.codes, after, limit).await?;
    let next = rows.last().map_or(after, |r| r.seq);
    Ok(Json(ReceiptPage { receipts: rows.into_iter().map(ReceiptOut::from).collect(), next }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AckBody {
    /// Everything up to and including this cursor has been received.
    cursor: i64,
}

#[derive(Debug, Serialize)]
pub(crate) struct Acked {
    acked: i64,
}

/// `POST /receipts/ack` (an enterprise): acknowledges up to a cursor.
pub(crate) async fn ack_receipts(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<AckBody>,
) -> Result<Json<Acked>, ApiError> {
    let sender = sender(&state, &caller, "acknowledge receipts").await?;
    if body.cursor < 0 {
        return Err(ApiError::bad_request("cursor must not be negative"));
    }
    let actor = caller.actor(state.now());
    let acked = state.store.ack_receipts(&sender.id, body.cursor, &actor).await?;
    Ok(Json(Acked { acked }))
}

// ---- receipts: push ----------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookBody {
    /// `http://host:port/path` that receives each receipt as a JSON POST.
    url: String,
    /// Shared secret for the `X-Cbec-Signature` HMAC; generated if absent.
    secret: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct WebhookOut {
    url: String,
    created_at: Millis,
    /// Shown only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

fn check_url(url: &str) -> Result<(), ApiError> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        ApiError::bad_request(format!(
            "url {url:?}: webhooks are delivered over http:// (put a TLS-terminating proxy in front for https)"
        ))
    })?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || url.len() > 2000 || url.chars().any(char::is_whitespace) {
        return Err(ApiError::bad_request(format!("url {url:?} is not a usable http:// URL")));
    }
    Ok(())
}

/// `POST /webhook` (an enterprise): sets where its receipts are pushed.
pub(crate) async fn set_webhook(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<WebhookBody>,
) -> Result<(StatusCode, Json<WebhookOut>), ApiError> {
    let sender = sender(&state, &caller, "set a webhook").await?;
    check_url(&body.url)?;
    let secret = match body.secret {
        Some(s) if s.len() < 16 => return Err(ApiError::bad_request("secret must have at least 16 characters")),
        Some(s) => s,
        None => crate::auth::generate_token().map_err(ApiError::internal)?.0,
    };
    let now = state.now();
    let hook =
        Webhook { enterprise: sender.id.clone(), url: body.url.clone(), secret: secret.clone(), created_at: now };
    state.store.set_webhook(&sender.id, Some(hook), &caller.actor(now)).await?;
    Ok((StatusCode::CREATED, Json(WebhookOut { url: body.url, created_at: now, secret: Some(secret) })))
}

/// `GET /webhook` (an enterprise).
pub(crate) async fn get_webhook(State(state): State<AppState>, caller: Caller) -> Result<Json<WebhookOut>, ApiError> {
    let sender = sender(&state, &caller, "read its webhook").await?;
    let hook = state.store.webhook(&sender.id).await?.ok_or_else(|| ApiError::NotFound("no webhook is set".into()))?;
    Ok(Json(WebhookOut { url: hook.url, created_at: hook.created_at, secret: None }))
}

/// `DELETE /webhook` (an enterprise): stops pushing (pull still works).
pub(crate) async fn delete_webhook(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    let sender = sender(&state, &caller, "remove its webhook").await?;
    if state.store.webhook(&sender.id).await?.is_none() {
        return Err(ApiError::NotFound("no webhook is set".into()));
    }
    state.store.set_webhook(&sender.id, None, &caller.actor(state.now())).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RedeliverBody {
    /// Push again every receipt after this cursor (default 0: all).
    after: Option<i64>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Queued {
    queued: u64,
}

/// `POST /webhook/redeliver` (an enterprise): queues receipts again,
/// delivered or dead-lettered ones included.
pub(crate) async fn redeliver(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<RedeliverBody>,
) -> Result<Json<Queued>, ApiError> {
    let sender = sender(&state, &caller, "ask for redelivery").await?;
    let after = body.after.unwrap_or(0);
    let queued = state.store.repush(&sender.id, after, &caller.actor(state.now())).await?;
    Ok(Json(Queued { queued }))
}

/// `GET /webhook/deliveries?after&limit` (an enterprise): the push state of
/// its receipts.
pub(crate) async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ReceiptQuery>,
) -> Result<Json<Vec<PushRow>>, ApiError> {
    let sender = sender(&state, &caller, "read its deliveries").await?;
    let limit = limit(q.limit)?;
    Ok(Json(state.store.pushes(&sender.id, q.after.unwrap_or(0), limit).await?))
}

// ---- documents ---------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DocQuery {
    kind: Option<String>,
    status: Option<String>,
    business_key: Option<String>,
    limit: Option<u32>,
}

#[derive(Debug, Serialize)]
pub(crate) struct DocOut {
    id: String,
    kind: String,
    status: String,
    /// The receipt code of the status (`"800"`), or `cancelled`.
    status_code: String,
    sender: String,
    business_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline: Option<Millis>,
    created_at: Millis,
    updated_at: Millis,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<String>,
}

fn status_code(name: &str) -> String {
    cbec_clearance::Status::parse(name).map_or_else(|| name.to_string(), cbec_clearance::Status::code)
}

impl From<&DocRow> for DocOut {
    fn from(d: &DocRow) -> Self {
        DocOut {
            id: d.id.clone(),
            kind: d.kind.clone(),
            status: d.status.clone(),
            status_code: status_code(&d.status),
            sender: d.sender.clone(),
            business_key: d.business_key.clone(),
            deadline: d.deadline,
            created_at: d.created_at,
            updated_at: d.updated_at,
            message_id: d.message_id.clone(),
        }
    }
}

/// `GET /documents?kind&status&business_key&limit` (officers; an enterprise
/// sees the documents naming it): newest first.
pub(crate) async fn list_documents(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DocQuery>,
) -> Result<Json<Vec<DocOut>>, ApiError> {
    let party = if caller.is_officer() { None } else { Some(sender(&state, &caller, "list documents").await?.codes) };
    if let Some(k) = &q.kind
        && cbec_clearance::Kind::parse(k).is_none()
    {
        return Err(ApiError::bad_request(format!(
            "kind {k:?} is not one of order, payment, waybill, list, cancel, refund"
        )));
    }
    if let Some(s) = &q.status
        && cbec_clearance::Status::parse(s).is_none()
    {
        return Err(ApiError::bad_request(format!("status {s:?} is not a document status")));
    }
    let filter =
        DocFilter { kind: q.kind, status: q.status, party, business_key: q.business_key, limit: limit(q.limit)? };
    let docs = state.store.documents(filter).await?;
    Ok(Json(docs.iter().map(DocOut::from).collect()))
}

#[derive(Debug, Serialize)]
pub(crate) struct DocDetail {
    #[serde(flatten)]
    summary: DocOut,
    /// The document's facts as clearance sees them.
    facts: Value,
    /// Export lists: `local`, `transfer` or `integrated`, once arrived.
    route: Option<String>,
    /// Notes for officers (`transfer open`, `transfer overdue`, `summarised S…`, `sandbox: …`).
    flags: Vec<String>,
    /// Lists: the risk engine's decision (lane, rules fired, warnings hit,
    /// the random draw, rule set version and seed). Officers only: the
    /// selection criteria and the seed are not for the traders.
    #[serde(skip_serializing_if = "Option::is_none")]
    risk: Option<cbec_risk::Decision>,
    /// Lists: the reference data versions (and rule set) the goods were
    /// checked against.
    #[serde(skip_serializing_if = "Option::is_none")]
    basis: Option<cbec_clearance::goods::Basis>,
    moves: Vec<StoredMove>,
    receipts: Vec<ReceiptOut>,
}

/// Loads a document the caller may see (officers: any; an enterprise: one
/// naming it, else 404 so nothing leaks).
async fn visible(state: &AppState, caller: &Caller, id: &str) -> Result<(DocRow, Doc), ApiError> {
    let row = state.store.document(&id.to_string()).await?;
    let doc: Doc = serde_json::from_str(&row.body).map_err(ApiError::internal)?;
    if !caller.is_officer() {
        let s = sender(state, caller, "read documents").await?;
        let named = s.codes.contains(&doc.sender) || doc.facts.parties().iter().any(|(_, c)| s.codes.contains(c));
        if !named {
            return Err(ApiError::NotFound(format!("document {id} not found")));
        }
    }
    Ok((row, doc))
}

/// `GET /documents/{id}`: the document, its facts, every status move (with
/// actor and reason) and every receipt.
pub(crate) async fn get_document(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<DocDetail>, ApiError> {
    let (row, doc) = visible(&state, &caller, &id).await?;
    let moves = state.store.document_moves(&row.id).await?;
    let receipts = state.store.document_receipts(&row.id).await?.into_iter().map(ReceiptOut::from).collect();
    let facts = serde_json::to_value(&doc.facts).map_err(ApiError::internal)?;
    Ok(Json(DocDetail {
        summary: DocOut::from(&row),
        facts,
        route: doc.route,
        flags: doc.flags,
        risk: doc.risk.filter(|_| caller.is_officer()),
        basis: doc.basis,
        moves,
        receipts,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActionBody {
    /// review, inspect, inspection_passed, release, detain, return_goods,
    /// reject, close, goods_returned.
    action: String,
    /// Why (recorded with the move and sent in the receipt).
    reason: String,
    /// For `detain`: 501, 502, 503 or 599.
    code: Option<u16>,
}

fn action(body: &ActionBody) -> Result<Action, ApiError> {
    Ok(match body.action.as_str() {
        "review" => Action::Review,
        "inspect" => Action::Inspect,
        "inspection_passed" => Action::InspectionPassed,
        "release" => Action::Release,
        "detain" => Action::Detain(body.code.ok_or_else(|| {
            ApiError::bad_request("detain needs code: 501 (clearance), 502 (anti-smuggling), 503 (legal) or 599")
        })?),
        "return_goods" => Action::ReturnGoods,
        "reject" => Action::Reject,
        "close" => Action::Close,
        "goods_returned" => Action::GoodsReturned,
        other => {
            return Err(ApiError::bad_request(format!(
                "action {other:?} is not one of review, inspect, inspection_passed, release, detain, return_goods, \
                 reject, close, goods_returned"
            )));
        }
    })
}

#[derive(Debug, Serialize)]
pub(crate) struct ActionOut {
    document: DocOut,
    receipts: Vec<ReceiptOut>,
}

/// `POST /documents/{id}/actions` (reviewer, risk officer, supervisor).
pub(crate) async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<ActionBody>,
) -> Result<Json<ActionOut>, ApiError> {
    caller.require_role(ACTORS, "act on documents")?;
    let action = action(&body)?;
    if body.reason.trim().is_empty() {
        return Err(ApiError::bad_request("reason is required: it is recorded and sent in the receipt"));
    }
    let actor = caller.actor(state.now());
    let receipts = state.pipeline.act(&id, action, body.reason.trim(), &actor).await?;
    let row = state.store.document(&id).await?;
    Ok(Json(ActionOut { document: DocOut::from(&row), receipts: receipts.into_iter().map(ReceiptOut::from).collect() }))
}

// ---- declaration forms -------------------------------------------------------------

/// A B2B export declaration form (H2018) to record; its attached documents
/// must include one of type 10000004 naming the order or booking.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FormBody {
    entry_id: String,
    trade_mode: String,
    customs_code: String,
    ebc_code: String,
    ebp_code: String,
    attachments: Vec<AttachmentBody>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttachmentBody {
    #[serde(rename = "type")]
    kind: String,
    number: String,
}

/// `POST /declaration-forms` (reviewer, risk officer, supervisor): records
/// the form and links it to its order or booking.
pub(crate) async fn link_form(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<FormBody>,
) -> Result<(StatusCode, Json<DocOut>), ApiError> {
    caller.require_role(ACTORS, "record declaration forms")?;
    let b2b: Vec<&AttachmentBody> =
        body.attachments.iter().filter(|a| a.kind == cbec_clearance::facts::B2B_ATTACHMENT).collect();
    let [attachment] = b2b.as_slice() else {
        return Err(ApiError::bad_request(format!(
            "attachments: exactly one of type {} (跨境B2B出口单证) names the order or booking; found {}",
            cbec_clearance::facts::B2B_ATTACHMENT,
            b2b.len()
        )));
    };
    let form = cbec_clearance::facts::FormFacts {
        entry_id: body.entry_id.trim().to_string(),
        trade_mode: body.trade_mode.trim().to_string(),
        customs_code: body.customs_code.trim().to_string(),
        ebc_code: body.ebc_code.trim().to_string(),
        ebp_code: body.ebp_code.trim().to_string(),
        order_no: attachment.number.trim().to_string(),
    };
    let actor = caller.actor(state.now());
    let id = state.pipeline.link_declaration_form(form, &actor).await?;
    let row = state.store.document(&id).await?;
    Ok((StatusCode::CREATED, Json(DocOut::from(&row))))
}

// ---- messages ----------------------------------------------------------------------

async fn visible_message(state: &AppState, caller: &Caller, id: &str) -> Result<StoredMessage, ApiError> {
    let m = state.store.message(&id.to_string()).await?;
    if let Some(own) = caller.enterprise()
        && own != &m.sender
    {
        return Err(ApiError::NotFound(format!("message {id} not found")));
    }
    Ok(m)
}

/// `GET /messages/{id}` (officers, or the sender): what was received.
pub(crate) async fn get_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<StoredMessage>, ApiError> {
    Ok(Json(visible_message(&state, &caller, &id).await?))
}

/// `GET /messages/{id}/raw` (officers, or the sender): the bytes exactly as
/// received, to verify the signature again.
pub(crate) async fn get_message_raw(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let m = visible_message(&state, &caller, &id).await?;
    let mut response = (StatusCode::OK, m.raw).into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    Ok(response)
}

impl From<PipelineError> for ApiError {
    fn from(e: PipelineError) -> Self {
        match e {
            PipelineError::Saturated => ApiError::Saturated,
            PipelineError::CopCode { found, expected } => ApiError::forbidden(format!(
                "BaseTransfer/copCode {found} is not the authenticated enterprise ({expected})"
            )),
            PipelineError::Store(e) => e.into(),
            PipelineError::Internal(e) => ApiError::internal(e),
        }
    }
}
