//! `/documents/{id}`: one clearance document as an officer reviews it. A
//! list beside its order, payment and waybill (the documents found by its
//! keys, as the pipeline links them), the fields of each in both
//! languages, the three-order mismatches field by field (expected, found,
//! in which document, from which the expectation comes), the signature of
//! the message that brought it (algorithm, certificate subject and serial,
//! verified at intake and again now), the raw XML (escaped, and as a
//! download at `/documents/{id}/raw`), the status history and every
//! receipt sent, the risk decision (lane, rules fired, warnings, the draw,
//! the rule set version and seed) and the tax bill.
//!
//! The actions (`POST /documents/{id}/action`: review, inspect, record an
//! inspection's pass, release, detain, return, reject, close) pass a
//! confirmation page and then the API's own handler.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use cbec_clearance::decide::Doc;
use cbec_clearance::matching::Mismatch;
use cbec_clearance::{Event, Facts, Kind, Status};
use cbec_store::{DocRow, ReceiptRow, StoredMove};
use serde_json::{Value, json};

use super::escape;
use super::fields::{camel, label, scalar};
use super::html::{self, Table};
use super::officer::{Ctx, confirmed, notice, officer_ctx, officer_form, url_encode};
use super::queues::status_text;
use crate::AppState;
use crate::json::{Json, Path as ApiPath};

/// How many documents sharing a key are read for the side-by-side view.
const LINKED: u32 = 20;
/// The raw XML shown on the page at most (the download has it all).
const RAW_SHOWN: usize = 64 * 1024;

/// The actions of the page: (form value, the event it causes, text key).
const ACTIONS: &[(&str, Event, &str)] = &[
    ("review", Event::Review, "act_review"),
    ("inspect", Event::Inspect, "act_inspect"),
    ("inspection_passed", Event::Release, "act_inspection_passed"),
    ("release", Event::Release, "act_release"),
    ("detain", Event::Detain, "act_detain"),
    ("return_goods", Event::ReturnGoods, "act_return_goods"),
    ("reject", Event::Reject, "act_reject"),
    ("close", Event::Close, "act_close"),
];

/// The actions the transition table allows from a status.
fn allowed(status: Status) -> Vec<&'static (&'static str, Event, &'static str)> {
    ACTIONS
        .iter()
        .filter(|(name, event, _)| {
            let from_ok = cbec_clearance::status::TABLE.iter().any(|(e, from, _)| e == event && from.contains(&status));
            // A pass is recorded only for an inspection; a plain release is offered otherwise.
            match *name {
                "inspection_passed" => status == Status::Inspection,
                "release" => from_ok && status != Status::Inspection,
                _ => from_ok,
            }
        })
        .collect()
}

/// The facts of a document as a flat `field → value` map (top-level
/// scalars; items and the parties' records are shown apart).
fn fact_fields(doc: &Doc) -> BTreeMap<String, String> {
    let v = serde_json::to_value(&doc.facts).unwrap_or_default();
    let mut out = BTreeMap::new();
    if let Value::Object(map) = v {
        for (k, v) in map {
            if matches!(k.as_str(), "kind" | "items" | "parties" | "sandbox" | "logistics_nos" | "waybills") {
                continue;
            }
            let nested = v.as_array().is_some_and(|a| a.iter().any(Value::is_object));
            if !v.is_object() && !nested {
                let text = match &v {
                    Value::Array(a) => a.iter().map(scalar).collect::<Vec<_>>().join(", "),
                    other => scalar(other),
                };
                out.insert(k, text);
            }
        }
    }
    out
}

/// The live document of each kind among those sharing the list's keys.
fn linked(docs: &[(DocRow, Doc)], kind: Kind) -> Option<&Doc> {
    docs.iter().map(|(_, d)| d).filter(|d| d.kind() == kind && d.status.is_live()).max_by_key(|d| d.created_at)
}

/// The three-order mismatches of a list against its linked documents, as
/// they stand now (`None`: a document is missing, nothing to compare).
fn mismatches(doc: &Doc, docs: &[(DocRow, Doc)]) -> Option<Vec<Mismatch>> {
    match &doc.facts {
        Facts::List(l) => {
            let (Some(o), Some(p), Some(w)) =
                (linked(docs, Kind::Order), linked(docs, Kind::Payment), linked(docs, Kind::Waybill))
            else {
                return None;
            };
            match (&o.facts, &p.facts, &w.facts) {
                (Facts::Order(o), Facts::Payment(p), Facts::Waybill(w)) => {
                    Some(cbec_clearance::matching::match_list(l, o, p, w))
                }
                _ => None,
            }
        }
        Facts::ExportList(l) => {
            let (Some(o), Some(w)) = (linked(docs, Kind::ExportOrder), linked(docs, Kind::ExportWaybill)) else {
                return None;
            };
            let c = linked(docs, Kind::Collection).and_then(|c| match &c.facts {
                Facts::Collection(c) => Some(c),
                _ => None,
            });
            match (&o.facts, &w.facts) {
                (Facts::ExportOrder(o), Facts::ExportWaybill(w)) => {
                    Some(cbec_clearance::matching::match_export_list(l, o, c, w))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The columns of the side-by-side view: the document, then its linked
/// documents by kind.
fn columns<'a>(doc: &'a Doc, docs: &'a [(DocRow, Doc)]) -> Vec<(Kind, Option<&'a Doc>)> {
    let kinds: &[Kind] = match doc.kind() {
        Kind::List => &[Kind::Order, Kind::Payment, Kind::Waybill],
        Kind::ExportList => &[Kind::ExportOrder, Kind::Collection, Kind::ExportWaybill],
        _ => &[],
    };
    let mut cols = vec![(doc.kind(), Some(doc))];
    cols.extend(kinds.iter().map(|k| (*k, linked(docs, *k))));
    cols
}

fn side_by_side(ctx: &Ctx, cols: &[(Kind, Option<&Doc>)], found: &[Mismatch]) -> String {
    let fields: Vec<BTreeMap<String, String>> =
        cols.iter().map(|(_, d)| d.map(fact_fields).unwrap_or_default()).collect();
    let mut names: Vec<&String> = fields.iter().flat_map(BTreeMap::keys).collect();
    names.sort();
    names.dedup();
    // (document kind, element) of every mismatching field, and where each
    // expectation came from.
    let bad: Vec<(String, String)> = found
        .iter()
        .filter_map(|m| m.field.split_once('.').map(|(_, f)| (m.document.name().to_string(), f.to_string())))
        .collect();
    let source: Vec<(String, String)> = found
        .iter()
        .filter_map(|m| m.expected_from.split_once('.').map(|(d, f)| (d.to_string(), f.to_string())))
        .collect();
    let mut s = format!(
        "<table class=\"sides\" id=\"side-by-side\"><caption>{}</caption><thead><tr><th scope=\"col\">{}</th>",
        ctx.t("side_by_side"),
        ctx.t("field")
    );
    for (kind, d) in cols {
        let head = match d {
            Some(d) => format!("<a href=\"/documents/{}\">{}</a>", url_encode(&d.id), escape(kind.name())),
            None => format!("{} <span class=\"muted\">({})</span>", escape(kind.name()), ctx.t("missing")),
        };
        s.push_str(&format!("<th scope=\"col\">{head}</th>"));
    }
    s.push_str("</tr></thead><tbody>");
    for name in names {
        let element = camel(name);
        s.push_str(&format!("<tr><th scope=\"row\">{}</th>", label(name)));
        for ((kind, _), f) in cols.iter().zip(&fields) {
            let here = (kind.name().to_string(), element.clone());
            let (class, mark) = if bad.contains(&here) {
                (" class=\"mismatch\"", format!("<strong class=\"flag\">{}</strong> ", ctx.t("mismatch_found")))
            } else if source.contains(&here) {
                (" class=\"expected\"", format!("<span class=\"flag\">{}</span> ", ctx.t("mismatch_expected")))
            } else {
                ("", String::new())
            };
            s.push_str(&format!("<td{class}>{mark}{}</td>", escape(f.get(name).map_or("", String::as_str))));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

fn mismatch_table(ctx: &Ctx, found: Option<&[Mismatch]>) -> String {
    let Some(found) = found else {
        return format!("<p class=\"muted\" id=\"mismatches-none\">{}</p>", ctx.t("mismatch_not_compared"));
    };
    if found.is_empty() {
        return format!("<p id=\"mismatches-none\">{}</p>", ctx.t("mismatch_none"));
    }
    let mut table = Table::new("list mismatches", "mismatches").head(&[
        ctx.t("field"),
        ctx.t("document"),
        ctx.t("expected"),
        ctx.t("expected_from"),
        ctx.t("found"),
    ]);
    for m in found {
        let field = m.field.split_once('.').map_or(m.field.as_str(), |(_, f)| f);
        table.tr(&format!(
            "<tr class=\"mismatch\"><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            label(field),
            escape(m.document.name()),
            escape(&m.expected),
            escape(&m.expected_from),
            escape(&m.found),
        ));
    }
    table.finish()
}

/// The signature of the message that brought the document: verified
/// again now over the stored bytes (at the time it was received).
fn signature(ctx: &Ctx, raw: &[u8], received_at: i64) -> String {
    let verifier = cbec_dsig::Verifier::new(cbec_dsig::Policy::embedded());
    let at = cbec_dsig::UtcTime::from_unix_seconds(received_at.div_euclid(1000));
    let limits = ctx.state.pipeline.config().limits.clone();
    let row = |k: &str, v: String| format!("<dt>{}</dt><dd>{v}</dd>", ctx.t(k));
    match verifier.verify_bytes(raw, &limits, at) {
        Ok(report) => {
            let c = &report.certificate;
            format!(
                "<dl class=\"facts\" id=\"signature\">{}{}{}{}{}{}</dl>",
                row(
                    "sig_algorithm",
                    format!("<code>{}</code>", escape(report.details.algorithm_uri.as_deref().unwrap_or_default()))
                ),
                row("sig_subject", escape(c.subject())),
                row("sig_serial", format!("<code>{}</code>", escape(&c.serial_hex()))),
                row("sig_issuer", escape(c.issuer())),
                row("sig_verified_at", ctx.time(received_at)),
                row("sig_now", format!("<span class=\"ok\">{}</span>", ctx.t("sig_valid"))),
            )
        }
        Err(r) if matches!(r.error, cbec_dsig::Error::SignatureMissing) => {
            format!("<p id=\"signature\" class=\"muted\">{}</p>", ctx.t("sig_absent"))
        }
        Err(r) => format!(
            "<p id=\"signature\" class=\"error\">{} <code>{}</code></p>",
            ctx.t("sig_invalid"),
            escape(&r.to_string())
        ),
    }
}

fn moves_table(ctx: &Ctx, moves: &[StoredMove]) -> String {
    let mut table = Table::new("list", "moves").head(&[
        ctx.t("at"),
        ctx.t("from"),
        ctx.t("to"),
        ctx.t("event"),
        ctx.t("actor"),
        ctx.t("reason"),
    ]);
    for m in moves {
        table.row(&[
            ctx.time(m.at.0),
            m.row.from.as_deref().map(|f| status_text(ctx, f)).unwrap_or_default(),
            status_text(ctx, &m.row.to),
            format!("<code>{}</code>", escape(m.row.event.as_deref().unwrap_or_default())),
            escape(&m.actor),
            escape(&m.row.reason),
        ]);
    }
    table.or(html::none("", ctx.t("none")))
}

fn receipts_table(ctx: &Ctx, receipts: &[ReceiptRow]) -> String {
    let mut table = Table::new("list", "receipts").head(&[
        "#".to_string(),
        ctx.t("message_type").to_string(),
        label("returnStatus"),
        label("returnInfo"),
        ctx.t("issued_at").to_string(),
    ]);
    for r in receipts {
        table.row(&[
            r.seq.to_string(),
            format!("<code>{}</code>", escape(&r.message_type)),
            format!("<code>{}</code>", escape(&r.return_status)),
            escape(&r.return_info),
            ctx.time(r.issued_at.0),
        ]);
    }
    table.or(html::none("", ctx.t("none")))
}

/// The risk engine's decision on a list.
fn risk(ctx: &Ctx, decision: Option<&cbec_risk::Decision>) -> String {
    let Some(d) = decision else {
        return format!("<p class=\"muted\" id=\"risk\">{}</p>", ctx.t("risk_none"));
    };
    let mut s = format!(
        "<dl class=\"facts\" id=\"risk\"><dt>{}</dt><dd><strong class=\"lane lane-{lane}\" id=\"risk-lane\">{lane}</strong>{refused}</dd>\
         <dt>{}</dt><dd><code>{}</code></dd><dt>{}</dt><dd><code>{}</code></dd>",
        ctx.t("risk_lane"),
        ctx.t("risk_rules_version"),
        escape(&d.rules_version),
        ctx.t("risk_seed"),
        d.seed,
        lane = escape(&d.lane.to_string()),
        refused =
            if d.refused { format!(" <span class=\"error\">{}</span>", ctx.t("risk_refused")) } else { String::new() },
    );
    if let Some(draw) = &d.random {
        s.push_str(&format!(
            "<dt>{}</dt><dd>{:.4} ({} {:.4}, {} {:.4}) → {}</dd>",
            ctx.t("risk_draw"),
            draw.value,
            ctx.t("risk_red_rate"),
            draw.red_rate,
            ctx.t("risk_yellow_rate"),
            draw.yellow_rate,
            escape(&draw.lane.to_string()),
        ));
    }
    s.push_str("</dl>");
    if d.fired.is_empty() {
        s.push_str(&format!("<p id=\"rules-fired-none\">{}</p>", ctx.t("risk_no_rule")));
    } else {
        let mut table = Table::new("list", "rules-fired").caption(ctx.t("risk_rules_fired")).head(&[
            ctx.t("risk_rule"),
            ctx.t("risk_lane"),
            ctx.t("reason"),
        ]);
        for f in &d.fired {
            table.keyed(
                &format!("<code>{}</code>", escape(&f.rule_id)),
                &[escape(&f.lane.to_string()), escape(&f.reason)],
            );
        }
        s.push_str(&table.finish());
    }
    let mut hit = Table::new("list", "warnings-hit").caption(ctx.t("risk_warnings_hit"));
    for w in &d.warnings {
        let v = serde_json::to_value(w).unwrap_or_default();
        hit.keyed(
            &format!("<code>{}</code>", escape(&w.warning_id)),
            &[escape(&scalar(&v["measure"])), escape(&scalar(&v["severity"])), escape(&w.reason)],
        );
    }
    s.push_str(&hit.or(String::new()));
    s
}

/// The tax bills (CEB816) issued for the document.
fn tax(ctx: &Ctx, receipts: &[ReceiptRow]) -> String {
    let bills: Vec<&ReceiptRow> = receipts.iter().filter(|r| r.message_type == "CEB816Message").collect();
    if bills.is_empty() {
        return format!("<p class=\"muted\" id=\"tax\">{}</p>", ctx.t("tax_none"));
    }
    let mut s = String::from("<div id=\"tax\">");
    for b in bills {
        s.push_str(&format!(
            "<p>{}</p><details><summary>{}</summary><pre class=\"xml\">{}</pre></details>",
            escape(&b.return_info),
            ctx.t("show_xml"),
            escape(&b.xml)
        ));
    }
    s.push_str("</div>");
    s
}

fn action_forms(ctx: &Ctx, doc: &Doc) -> String {
    let actions = allowed(doc.status);
    if actions.is_empty() {
        return format!("<p class=\"muted\" id=\"no-actions\">{}</p>", ctx.t("no_actions"));
    }
    let target = format!("/documents/{}/action", url_encode(&doc.id));
    let mut s = String::from("<div class=\"actions\" id=\"actions\">");
    for (name, _, key) in actions {
        let extra = if *name == "detain" {
            format!(
                "<label for=\"code-detain\">{}</label><select id=\"code-detain\" name=\"code\">\
                 <option value=\"501\">501 {}</option><option value=\"502\">502 {}</option>\
                 <option value=\"503\">503 {}</option><option value=\"599\">599 {}</option></select>",
                ctx.t("detain_code"),
                ctx.t("status_detained_clearance"),
                ctx.t("status_detained_anti_smuggling"),
                ctx.t("status_detained_legal"),
                ctx.t("status_detained_other"),
            )
        } else {
            String::new()
        };
        let danger = if matches!(*name, "reject" | "return_goods" | "detain") { " class=\"danger\"" } else { "" };
        let inner = format!(
            "{extra}<label for=\"reason-{name}\">{reason}</label>\
             <input type=\"text\" id=\"reason-{name}\" name=\"reason\" required>\
             <button type=\"submit\" name=\"action\" value=\"{name}\" id=\"action-{name}\"{danger}>{text}</button>",
            reason = ctx.t("reason"),
            text = ctx.t(key),
        );
        s.push_str(&html::post_form(&target, &format!("form-{name}"), "", &ctx.csrf, &inner));
    }
    s.push_str("</div>");
    s
}

async fn load(ctx: &Ctx, id: &str) -> Result<(DocRow, Doc), Response> {
    let row = ctx.state.store.document(&id.to_string()).await.map_err(|e| ctx.store_error("/queues", e))?;
    let doc: Doc = serde_json::from_str(&row.body).map_err(|e| {
        ctx.api_error("/queues", crate::ApiError::internal(format!("document {id} does not read: {e}")))
    })?;
    Ok((row, doc))
}

/// `GET /documents/{id}`.
pub(crate) async fn document(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let (row, doc) = match load(&ctx, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let store = &ctx.state.store;
    let keys = doc.facts.keys();
    let related = match store.documents_by_keys(&keys, LINKED).await {
        Ok(r) => r,
        Err(e) => return ctx.store_error("/queues", e),
    };
    let related: Vec<(DocRow, Doc)> = related
        .into_iter()
        .filter(|r| r.id != row.id)
        .filter_map(|r| serde_json::from_str::<Doc>(&r.body).ok().map(|d| (r, d)))
        .collect();
    let (moves, receipts) = match (store.document_moves(&row.id).await, store.document_receipts(&row.id).await) {
        (Ok(m), Ok(r)) => (m, r),
        (Err(e), _) | (_, Err(e)) => return ctx.store_error("/queues", e),
    };
    let message = match &row.message_id {
        Some(m) => match store.message(m).await {
            Ok(m) => Some(m),
            Err(e) => return ctx.store_error("/queues", e),
        },
        None => None,
    };
    let found = mismatches(&doc, &related);
    let cols = columns(&doc, &related);

    let mut body = notice(&ctx, &query);
    body.push_str(&format!(
        "<dl class=\"facts\" id=\"summary\"><dt>{}</dt><dd><code>{}</code></dd><dt>{}</dt><dd id=\"doc-status\">{}</dd>\
         <dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl>\n",
        ctx.t("kind"),
        escape(&row.kind),
        ctx.t("status"),
        status_text(&ctx, &row.status),
        ctx.t("sender"),
        escape(&row.sender),
        ctx.t("created_at"),
        ctx.time(row.created_at.0),
        ctx.t("updated_at"),
        ctx.time(row.updated_at.0),
    ));
    body.push_str(&format!("<section aria-labelledby=\"h-actions\"><h2 id=\"h-actions\">{}</h2>", ctx.t("actions")));
    body.push_str(&action_forms(&ctx, &doc));
    body.push_str("</section>\n");
    body.push_str(&format!(
        "<section aria-labelledby=\"h-mismatch\"><h2 id=\"h-mismatch\">{}</h2>",
        ctx.t("mismatches")
    ));
    body.push_str(&mismatch_table(&ctx, found.as_deref()));
    body.push_str("</section>\n");
    body.push_str(&format!(
        "<section aria-labelledby=\"h-sides\"><h2 id=\"h-sides\">{}</h2>",
        ctx.t("documents_linked")
    ));
    body.push_str(&side_by_side(&ctx, &cols, found.as_deref().unwrap_or_default()));
    let others: Vec<&(DocRow, Doc)> =
        related.iter().filter(|(_, d)| !cols.iter().any(|(_, c)| c.is_some_and(|c| c.id == d.id))).collect();
    if !others.is_empty() {
        let rows: Vec<DocRow> = others.iter().map(|(r, _)| r.clone()).collect();
        body.push_str(&format!("<h3>{}</h3>", ctx.t("documents_other")));
        body.push_str(&super::queues::doc_table(&ctx, "other-docs", &rows));
    }
    body.push_str("</section>\n");
    if doc.kind().is_list() {
        body.push_str(&format!(
            "<section aria-labelledby=\"h-risk\"><h2 id=\"h-risk\">{}</h2>",
            ctx.t("risk_decision")
        ));
        body.push_str(&risk(&ctx, doc.risk.as_ref()));
        body.push_str("</section>\n");
        body.push_str(&format!("<section aria-labelledby=\"h-tax\"><h2 id=\"h-tax\">{}</h2>", ctx.t("tax_bill")));
        body.push_str(&tax(&ctx, &receipts));
        body.push_str("</section>\n");
    }
    body.push_str(&format!("<section aria-labelledby=\"h-moves\"><h2 id=\"h-moves\">{}</h2>", ctx.t("history")));
    body.push_str(&moves_table(&ctx, &moves));
    body.push_str("</section>\n");
    body.push_str(&format!("<section aria-labelledby=\"h-receipts\"><h2 id=\"h-receipts\">{}</h2>", ctx.t("receipts")));
    body.push_str(&receipts_table(&ctx, &receipts));
    body.push_str("</section>\n");
    if let Some(m) = &message {
        body.push_str(&format!("<section aria-labelledby=\"h-sig\"><h2 id=\"h-sig\">{}</h2>", ctx.t("signature")));
        body.push_str(&signature(&ctx, &m.raw, m.received_at.0));
        body.push_str("</section>\n");
        let text = String::from_utf8_lossy(&m.raw);
        let shown: String = text.chars().take(RAW_SHOWN).collect();
        body.push_str(&format!(
            "<section aria-labelledby=\"h-raw\"><h2 id=\"h-raw\">{}</h2><p><code>{}</code> · SHA-256 <code>{}</code> · \
             <a href=\"/documents/{}/raw\" id=\"raw-download\" download>{}</a></p>\
             <details><summary>{}</summary><pre class=\"xml\" id=\"raw-xml\">{}</pre></details></section>\n",
            ctx.t("raw_xml"),
            escape(&m.message_type),
            escape(&m.sha256),
            url_encode(&row.id),
            ctx.t("download"),
            ctx.t("show_xml"),
            escape(&shown),
        ));
    }
    let title = format!("{} {}", row.kind, if row.business_key.is_empty() { &row.id } else { &row.business_key });
    ctx.ok("/queues", &title, &body)
}

/// `GET /documents/{id}/raw`: the bytes of the message that brought the
/// document, exactly as received.
pub(crate) async fn raw(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let row = match ctx.state.store.document(&id).await {
        Ok(r) => r,
        Err(e) => return ctx.store_error("/queues", e),
    };
    let Some(message_id) = row.message_id else {
        return ctx.api_error("/queues", crate::ApiError::NotFound(format!("document {id} came with no message")));
    };
    let m = match ctx.state.store.message(&message_id).await {
        Ok(m) => m,
        Err(e) => return ctx.store_error("/queues", e),
    };
    let mut r = (StatusCode::OK, m.raw).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.xml\"", m.id)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// `POST /documents/{id}/action` (`action`, `reason`, `code` for detain):
/// the confirmation page, then (`confirm=1`) the API's action handler.
pub(crate) async fn act(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let ctx = officer_form!(state, headers, uri, form);
    let back = format!("/documents/{}", url_encode(&id));
    let action = form.get("action").map(|a| a.trim().to_string()).unwrap_or_default();
    let Some((_, _, key)) = ACTIONS.iter().find(|(name, _, _)| *name == action) else {
        return ctx.api_error(&back, crate::ApiError::bad_request(format!("action {action:?} is not offered here")));
    };
    let reason = form.get("reason").map(|r| r.trim().to_string()).unwrap_or_default();
    let code = form.get("code").map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    let mut body = json!({ "action": action, "reason": reason });
    if let Some(c) = &code {
        match c.parse::<u16>() {
            Ok(n) => body["code"] = json!(n),
            Err(_) => return ctx.api_error(&back, crate::ApiError::bad_request(format!("code {c:?} is not a number"))),
        }
    }
    if !confirmed(&form) {
        let (row, _) = match load(&ctx, &id).await {
            Ok(x) => x,
            Err(r) => return r,
        };
        let summary = format!(
            "<dl class=\"facts\"><dt>{}</dt><dd>{} <code>{}</code></dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd>\
             <dt>{}</dt><dd>{}</dd>{}</dl><p>{}</p>",
            ctx.t("document"),
            escape(&row.kind),
            escape(&row.business_key),
            ctx.t("status"),
            status_text(&ctx, &row.status),
            ctx.t("action"),
            ctx.t(key),
            ctx.t("reason"),
            escape(&reason),
            code.as_deref().map_or_else(String::new, |c| format!(
                "<dt>{}</dt><dd>{}</dd>",
                ctx.t("detain_code"),
                escape(c)
            )),
            ctx.t("effect_receipt"),
        );
        let mut fields = vec![("action", action.as_str()), ("reason", reason.as_str())];
        if let Some(c) = &code {
            fields.push(("code", c.as_str()));
        }
        return ctx.confirm("/queues", &format!("{back}/action"), &summary, &fields, &back);
    }
    let body = match serde_json::from_value(body) {
        Ok(b) => b,
        Err(e) => return ctx.api_error(&back, crate::ApiError::bad_request(e.to_string())),
    };
    match crate::api::clearance::act(State(ctx.state.clone()), ctx.caller.clone(), ApiPath(id.clone()), Json(body))
        .await
    {
        Ok(_) => super::see_other(&format!("{back}?done={action}"), &[]),
        Err(e) => ctx.api_error(&back, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actions_offered_follow_the_transition_table() {
        let names = |s| allowed(s).iter().map(|(n, _, _)| *n).collect::<Vec<_>>();
        assert_eq!(names(Status::Inspection), vec!["inspection_passed", "detain", "return_goods", "reject"]);
        assert_eq!(names(Status::ManualReview), vec!["inspect", "release", "detain", "reject"]);
        assert!(names(Status::Rejected).is_empty());
        assert_eq!(names(Status::Released), vec!["inspect", "close"]);
    }
}
