//! `/queues`: what waits for an officer. Filing and change applications
//! awaiting approval (with the change side by side with the record filed
//! now), overseas warehouse filings, lists in manual review, inspection or
//! detention (keyset pages over the status index), and monitoring orders
//! past their deadline. Applications are approved or rejected here
//! (`POST /applications/{id}/decision`, through a confirmation page), by
//! the API's own handlers.

use std::collections::HashMap;

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use cbec_model::filing::{ApplicationKind, ApplicationState};
use cbec_store::{Application, ApplicationFilter, DocRow, Millis, Page};
use serde_json::{Value, json};

use super::escape;
use super::fields::diff_table;
use super::html::{self, Dl, Table};
use super::officer::{Ctx, confirmed, notice, officer_ctx, officer_form, param, url_encode};
use crate::AppState;
use crate::json::{Json, Path as ApiPath};

/// Rows per page of a queue.
pub(crate) const PAGE: u32 = 50;
/// The statuses of the list queue, in tab order.
pub(crate) const LIST_STATUSES: [&str; 6] = [
    "manual_review",
    "inspection",
    "detained_clearance",
    "detained_anti_smuggling",
    "detained_legal",
    "detained_other",
];

/// A status name with its receipt code, e.g. `manual_review (300)`.
pub(crate) fn status_text(ctx: &Ctx, name: &str) -> String {
    let code = cbec_clearance::Status::parse(name).map(cbec_clearance::Status::code).unwrap_or_default();
    let key = format!("status_{name}");
    let text = ctx.t(&key);
    let text = if text == "?" { name } else { text };
    if code.is_empty() { escape(text) } else { format!("{} <code>{}</code>", escape(text), escape(&code)) }
}

/// A table of documents, each linked to its page.
pub(crate) fn doc_table(ctx: &Ctx, id: &str, docs: &[DocRow]) -> String {
    let mut table = Table::new("list", id).head(&[
        ctx.t("business_key"),
        ctx.t("kind"),
        ctx.t("status"),
        ctx.t("sender"),
        ctx.t("updated_at"),
    ]);
    for d in docs {
        table.row(&[
            format!(
                "<a href=\"/documents/{}\" class=\"doc-link\">{}</a>",
                url_encode(&d.id),
                escape(if d.business_key.is_empty() { &d.id } else { &d.business_key })
            ),
            escape(&d.kind),
            status_text(ctx, &d.status),
            escape(&d.sender),
            ctx.time(d.updated_at.0),
        ]);
    }
    table.or(html::none(&format!("{id}-empty"), ctx.t("none")))
}

fn application_table(ctx: &Ctx, apps: &[Application]) -> String {
    let mut table = Table::new("list", "applications").head(&[
        ctx.t("application"),
        ctx.t("kind"),
        ctx.t("enterprise"),
        ctx.t("submitted_by"),
        ctx.t("submitted_at"),
    ]);
    for a in apps {
        table.row(&[
            format!("<a href=\"/applications/{}\" class=\"application-link\">{}</a>", url_encode(&a.id), escape(&a.id)),
            kind_text(ctx, a.kind),
            a.enterprise_id.as_deref().map_or_else(String::new, enterprise_link),
            escape(&a.submitted_by.to_string()),
            ctx.time(a.submitted_at.0),
        ]);
    }
    table.or(html::none("applications-empty", ctx.t("none")))
}

/// A link to an enterprise's page.
pub(crate) fn enterprise_link(id: &str) -> String {
    format!("<a href=\"/enterprises/{}\">{}</a>", url_encode(id), escape(id))
}

fn kind_text(ctx: &Ctx, kind: ApplicationKind) -> String {
    match ctx.lang {
        super::Lang::Zh => format!("{} <code>{}</code>", kind.name_zh(), kind.as_str()),
        super::Lang::En => format!("<code>{}</code> <span lang=\"zh-CN\">{}</span>", kind.as_str(), kind.name_zh()),
    }
}

async fn submitted(ctx: &Ctx, kind: Option<ApplicationKind>) -> Result<Vec<Application>, Response> {
    let filter = ApplicationFilter {
        state: Some(ApplicationState::Submitted),
        kind,
        enterprise_id: None,
        page: Page { offset: 0, limit: PAGE },
    };
    ctx.state.store.list_applications(filter).await.map_err(|e| ctx.store_error("/queues", e))
}

/// `GET /queues`: every queue with how much waits in it.
pub(crate) async fn overview(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    // Each queue is read on its own (one page at most), so a warehouse filing
    // behind a page of other applications is still counted.
    let mut counts = Vec::new();
    for kind in [None, Some(ApplicationKind::OverseasWarehouse)] {
        match submitted(&ctx, kind).await {
            Ok(a) => counts.push(a.len()),
            Err(r) => return r,
        }
    }
    let more = |n: usize| if n >= PAGE as usize { format!("≥ {n}") } else { n.to_string() };
    let mut rows = vec![
        ("/queues/applications".to_string(), ctx.t("queue_applications"), more(counts[0])),
        ("/queues/applications?kind=overseas_warehouse".to_string(), ctx.t("queue_warehouses"), more(counts[1])),
    ];
    for status in LIST_STATUSES {
        let n = match ctx.state.store.count_documents(status, super::dashboard::CAP).await {
            Ok(n) => n,
            Err(e) => return ctx.store_error("/queues", e),
        };
        let shown = if n >= u64::from(super::dashboard::CAP) { format!("≥ {n}") } else { n.to_string() };
        rows.push((format!("/queues/lists?status={status}"), ctx.t(&format!("queue_{status}")), shown));
    }
    let due = match crate::api::monitoring::due(State(ctx.state.clone()), ctx.caller.clone()).await {
        Ok(Json(d)) => d.len(),
        Err(e) => return ctx.api_error("/queues", e),
    };
    rows.push(("/queues/orders".to_string(), ctx.t("queue_orders"), due.to_string()));
    let mut table = Table::new("list", "queues");
    for (href, name, n) in rows {
        table.keyed(&format!("<a href=\"{}\">{name}</a>", escape(&href)), &[escape(&n)]);
    }
    let body = table.finish();
    ctx.ok("/queues", ctx.t("nav_queues"), &body)
}

/// `GET /queues/applications[?kind=]`: submitted applications, oldest first.
pub(crate) async fn applications(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let kind = match param(&query, "kind") {
        Some(k) => match ApplicationKind::parse(k) {
            Some(k) => Some(k),
            None => return ctx.api_error("/queues", crate::ApiError::bad_request(format!("kind {k:?} is unknown"))),
        },
        None => None,
    };
    let apps = match submitted(&ctx, kind).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut body = String::from("<nav class=\"tabs\"><ul>");
    body.push_str(&format!(
        "<li><a href=\"/queues/applications\"{}>{}</a></li>",
        if kind.is_none() { " aria-current=\"true\"" } else { "" },
        ctx.t("all")
    ));
    for k in ApplicationKind::ALL {
        let current = if Some(*k) == kind { " aria-current=\"true\"" } else { "" };
        body.push_str(&format!(
            "<li><a href=\"/queues/applications?kind={}\"{current}>{}</a></li>",
            k.as_str(),
            kind_text(&ctx, *k)
        ));
    }
    body.push_str("</ul></nav>\n");
    body.push_str(&application_table(&ctx, &apps));
    let title = if kind == Some(ApplicationKind::OverseasWarehouse) {
        ctx.t("queue_warehouses")
    } else {
        ctx.t("queue_applications")
    };
    ctx.ok("/queues", title, &body)
}

/// What an application changes: the record filed now and what it asks
/// for, as JSON (`None` on the left: nothing is filed yet).
async fn change_of(ctx: &Ctx, a: &Application) -> Result<(Option<Value>, Value), Response> {
    let store = &ctx.state.store;
    let err = |e| ctx.store_error("/queues", e);
    let Some(enterprise) = a.enterprise_id.as_ref().filter(|_| a.kind != ApplicationKind::InitialFiling) else {
        return Ok((None, a.payload.clone()));
    };
    let current = store.enterprise(enterprise).await.map_err(err)?;
    Ok(match a.kind {
        ApplicationKind::InfoChange => {
            // The request read as a record, so fields left to their default
            // compare equal to the filed ones.
            let asked = serde_json::from_value::<cbec_store::EnterpriseRecord>(a.payload["record"].clone())
                .ok()
                .and_then(|r| serde_json::to_value(r).ok())
                .unwrap_or_else(|| a.payload["record"].clone());
            (Some(serde_json::to_value(&current.record).unwrap_or_default()), asked)
        }
        ApplicationKind::LicenceUpdate => {
            let licences = store.licences(enterprise).await.map_err(err)?;
            let now: Vec<Value> = licences
                .iter()
                .map(|l| {
                    json!({"kind": l.licence.kind, "number": l.licence.number, "issuer": l.licence.issuer,
                           "scope": l.licence.scope, "valid_from": l.licence.valid_from, "valid_to": l.licence.valid_to})
                })
                .collect();
            (Some(json!({ "licences": now })), a.payload.clone())
        }
        ApplicationKind::OverseasWarehouse => {
            let warehouses = store.warehouses(enterprise).await.map_err(err)?;
            let now: Vec<Value> =
                warehouses.iter().map(|w| serde_json::to_value(&w.warehouse).unwrap_or_default()).collect();
            (Some(json!({ "warehouses": now })), json!({ "warehouse": a.payload["warehouse"].clone() }))
        }
        ApplicationKind::CertificateBinding => {
            let certs = store.certificates(enterprise).await.map_err(err)?;
            let now: Vec<Value> = certs
                .iter()
                .filter(|c| c.revoked_at.is_none())
                .map(|c| json!({"serial": c.cert.serial, "subject": c.cert.subject}))
                .collect();
            let asked = match cbec_dsig::Certificate::from_pem(a.payload["certificate"].as_str().unwrap_or_default()) {
                Ok(c) => json!({"serial": c.serial_hex(), "subject": c.subject()}),
                Err(e) => json!({"certificate": format!("unreadable: {e}")}),
            };
            (Some(json!({ "certificates": now })), json!({ "certificate": asked }))
        }
        _ => (Some(json!({"record": current.record})), a.payload.clone()),
    })
}

/// `GET /applications/{id}`: the application, its change side by side
/// with the record filed now, and (while submitted) the decision forms.
pub(crate) async fn application(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let a = match ctx.state.store.application(&id).await {
        Ok(a) => a,
        Err(e) => return ctx.store_error("/queues", e),
    };
    let (now, asked) = match change_of(&ctx, &a).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut body = notice(&ctx, &query);
    let facts = Dl::new("facts", "")
        .item(ctx.t("kind"), &kind_text(&ctx, a.kind))
        .item_id(ctx.t("state"), "application-state", &escape(a.state.as_str()))
        .item(ctx.t("submitted_by"), &escape(&a.submitted_by.to_string()))
        .item(ctx.t("submitted_at"), &ctx.time(a.submitted_at.0))
        .item_if(ctx.t("enterprise"), a.enterprise_id.as_deref().map(enterprise_link))
        .item_if(ctx.t("reason"), a.reason.as_deref().map(escape));
    body.push_str(&facts.finish());
    body.push('\n');
    body.push_str(&format!("<h2>{}</h2>\n", ctx.t("the_change")));
    body.push_str(&diff_table("change", ctx.t("filed_now"), now.as_ref(), ctx.t("requested"), &asked, ctx.t("field")));
    if a.state.is_open() {
        let action = format!("/applications/{}/decision", url_encode(&a.id));
        let approve = format!(
            "<button type=\"submit\" name=\"action\" value=\"approve\" id=\"approve\">{}</button>",
            ctx.t("approve")
        );
        let reject = format!(
            "<label for=\"reject-reason\">{}</label>\
             <textarea id=\"reject-reason\" name=\"reason\" rows=\"2\" required></textarea>\
             <button type=\"submit\" name=\"action\" value=\"reject\" id=\"reject\" class=\"danger\">{}</button>",
            ctx.t("reason"),
            ctx.t("reject"),
        );
        body.push_str(&format!(
            "<h2>{}</h2>\n<div class=\"actions\">{}{}</div>\n",
            ctx.t("decide"),
            html::post_form(&action, "approve-form", "", &ctx.csrf, &approve),
            html::post_form(&action, "reject-form", "", &ctx.csrf, &reject),
        ));
    }
    ctx.ok("/queues", &format!("{} {}", ctx.t("application"), a.id), &body)
}

/// `POST /applications/{id}/decision` (`action=approve|reject`,
/// `reason`): the confirmation page, then (`confirm=1`) the API's
/// approve or reject handler.
pub(crate) async fn decide_application(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let ctx = officer_form!(state, headers, uri, form);
    let action = form.get("action").map(String::as_str).unwrap_or_default();
    let reason = form.get("reason").map(|r| r.trim().to_string()).unwrap_or_default();
    if action != "approve" && action != "reject" {
        return ctx.api_error(
            "/queues",
            crate::ApiError::bad_request(format!("action {action:?} is not one of approve, reject")),
        );
    }
    let back = format!("/applications/{}", url_encode(&id));
    if !confirmed(&form) {
        let a = match ctx.state.store.application(&id).await {
            Ok(a) => a,
            Err(e) => return ctx.store_error("/queues", e),
        };
        let effect = if action == "approve" { ctx.t("effect_approve") } else { ctx.t("effect_reject") };
        let summary = Dl::new("facts", "")
            .item(ctx.t("application"), &escape(&a.id))
            .item(ctx.t("kind"), &format!("<code>{}</code>", escape(a.kind.as_str())))
            .item(ctx.t("effect"), effect)
            .item_if(ctx.t("reason"), Some(escape(&reason)).filter(|r| !r.is_empty()))
            .finish();
        return ctx.confirm(
            "/queues",
            &format!("{back}/decision"),
            &summary,
            &[("action", action), ("reason", &reason)],
            &back,
        );
    }
    let result = if action == "approve" {
        crate::api::applications::approve_application(State(ctx.state.clone()), ctx.caller.clone(), ApiPath(id.clone()))
            .await
    } else {
        let body = match serde_json::from_value(json!({ "reason": reason })) {
            Ok(b) => b,
            Err(e) => return ctx.api_error("/queues", crate::ApiError::bad_request(e.to_string())),
        };
        crate::api::applications::reject_application(
            State(ctx.state.clone()),
            ctx.caller.clone(),
            ApiPath(id.clone()),
            Json(body),
        )
        .await
    };
    match result {
        Ok(_) => super::see_other(&format!("{back}?done={action}"), &[]),
        Err(e) => ctx.api_error(&back, e),
    }
}

/// The keyset cursor of a page: `updated_at~id` of its last row.
fn cursor(d: &DocRow) -> String {
    format!("{}~{}", d.updated_at.0, d.id)
}

fn parse_cursor(s: &str) -> Option<(Millis, String)> {
    let (at, id) = s.split_once('~')?;
    Some((Millis(at.parse().ok()?), id.to_string()))
}

/// `GET /queues/lists?status=&after=`: documents in a status (manual review
/// by default), most recently changed first, a keyset page at a time.
pub(crate) async fn lists(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let status = param(&query, "status").unwrap_or("manual_review");
    if cbec_clearance::Status::parse(status).is_none() {
        return ctx
            .api_error("/queues", crate::ApiError::bad_request(format!("status {status:?} is not a document status")));
    }
    let after = param(&query, "after").and_then(parse_cursor);
    let docs = match ctx.state.store.documents_in_status(status, after.clone(), PAGE).await {
        Ok(d) => d,
        Err(e) => return ctx.store_error("/queues", e),
    };
    let mut body = String::from("<nav class=\"tabs\"><ul>");
    for s in LIST_STATUSES {
        let current = if s == status { " aria-current=\"true\"" } else { "" };
        body.push_str(&format!("<li><a href=\"/queues/lists?status={s}\"{current}>{}</a></li>", status_text(&ctx, s)));
    }
    body.push_str("</ul></nav>\n");
    body.push_str(&doc_table(&ctx, "lists", &docs));
    let mut pager = Vec::new();
    if after.is_some() {
        pager.push(format!("<a href=\"/queues/lists?status={status}\">{}</a>", ctx.t("first_page")));
    }
    if docs.len() == PAGE as usize
        && let Some(last) = docs.last()
    {
        pager.push(format!(
            "<a href=\"/queues/lists?status={status}&amp;after={}\" id=\"next-page\" rel=\"next\">{}</a>",
            url_encode(&cursor(last)),
            ctx.t("next_page")
        ));
    }
    if !pager.is_empty() {
        body.push_str(&format!("<p class=\"pager\">{}</p>", pager.join(" · ")));
    }
    let title = format!("{} · {}", ctx.t("queue_lists"), ctx.t(&format!("queue_{status}")));
    ctx.ok("/queues", &title, &body)
}

/// `GET /queues/orders`: reduction and rectification orders past their
/// deadline without a response (the API's due list), most overdue first.
pub(crate) async fn orders(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let due = match crate::api::monitoring::due(State(ctx.state.clone()), ctx.caller.clone()).await {
        Ok(Json(d)) => d,
        Err(e) => return ctx.api_error("/queues", e),
    };
    let mut table = Table::new("list", "orders").head(&[
        ctx.t("order"),
        ctx.t("kind"),
        ctx.t("enterprise"),
        ctx.t("deadline"),
        ctx.t("overdue_hours"),
    ]);
    for d in &due {
        let kind = serde_json::to_value(d.kind).ok().map(|v| super::fields::scalar(&v)).unwrap_or_default();
        table.row(&[
            format!("<code>{}</code>", escape(&d.id)),
            escape(&kind),
            format!("<a href=\"/search?q={}\">{}</a>", url_encode(&d.enterprise), escape(&d.enterprise)),
            ctx.time(d.deadline),
            (d.overdue_ms / 3_600_000).to_string(),
        ]);
    }
    let body = table.or(html::none("orders-empty", ctx.t("none")));
    ctx.page(StatusCode::OK, "/queues", ctx.t("queue_orders"), &body)
}
