//! `/enterprises`: the filed enterprises (a page at a time, or by the start
//! of their name), and `/enterprises/{id}`: one enterprise as an officer
//! sees it. Its record and every approved version, licences, certificates,
//! credit rating history, overseas warehouses, applications, the
//! monitoring orders addressed to it and the violations on its record (the
//! API's own view), its intake over the last seven days with its refusal
//! codes (from the hourly aggregates of the enterprise), and its latest
//! documents (the party index).

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use cbec_store::traffic::{HOUR_MS, MESSAGE, hour_of, is_rejection};
use cbec_store::{ApplicationFilter, Enterprise, Millis, Page};
use serde_json::Value;

use super::escape;
use super::fields::{flatten, path_label, records_table, scalar};
use super::html::{self, Dl, Table};
use super::officer::{Ctx, officer_ctx, param, url_encode};
use crate::AppState;
use crate::json::{Json, Path as ApiPath};

/// Enterprises per page of the list.
const PAGE: u32 = 50;
/// The days of traffic shown.
const DAYS: i64 = 7;

fn enterprise_table(ctx: &Ctx, list: &[Enterprise]) -> String {
    let mut table = Table::new("list", "enterprises").head(&[
        super::fields::label("name"),
        ctx.t("customs_code").to_string(),
        super::fields::label("uscc"),
        ctx.t("credit").to_string(),
    ]);
    for e in list {
        table.row(&[
            format!("<a href=\"/enterprises/{}\">{}</a>", url_encode(&e.id), escape(&e.record.name)),
            format!("<code>{}</code>", escape(e.record.customs_code.as_deref().unwrap_or_default())),
            format!("<code>{}</code>", escape(e.record.uscc.as_deref().unwrap_or_default())),
            escape(e.credit.as_str()),
        ]);
    }
    table.or(html::none("enterprises-empty", ctx.t("none")))
}

/// `GET /enterprises[?name=PREFIX][&offset=N]`.
pub(crate) async fn list(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let name = param(&query, "name").unwrap_or_default().to_string();
    let offset: u32 = param(&query, "offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let found = if name.is_empty() {
        ctx.state.store.list_enterprises(Page { offset, limit: PAGE }).await
    } else {
        ctx.state.store.enterprises_named(&name, PAGE).await
    };
    let list = match found {
        Ok(l) => l,
        Err(e) => return ctx.store_error("/enterprises", e),
    };
    let mut body = format!(
        "<form method=\"get\" action=\"/enterprises\" class=\"search\" role=\"search\">\
         <label for=\"enterprise-name\">{}</label><input type=\"text\" id=\"enterprise-name\" name=\"name\" value=\"{}\">\
         <button type=\"submit\">{}</button></form>\n",
        ctx.t("name_starts"),
        escape(&name),
        ctx.t("search"),
    );
    body.push_str(&enterprise_table(&ctx, &list));
    if name.is_empty() && list.len() == PAGE as usize {
        body.push_str(&format!(
            "<p class=\"pager\"><a href=\"/enterprises?offset={}\" rel=\"next\" id=\"next-page\">{}</a></p>",
            offset + PAGE,
            ctx.t("next_page")
        ));
    }
    ctx.ok("/enterprises", ctx.t("nav_enterprises"), &body)
}

/// A section of records, one row each, a column per field (flattened).
fn record_list(ctx: &Ctx, id: &str, title: &str, items: &[Value]) -> String {
    let table = records_table(id, items, |c, v| {
        if c.ends_with("_at") || c == "at" || c == "valid_from_ms" {
            v.parse::<i64>().map_or_else(|_| escape(v), |ms| ctx.time(ms))
        } else {
            escape(v)
        }
    });
    html::section(id, &escape(title), &table.or(html::none("", ctx.t("none"))))
}

fn to_values<T: serde::Serialize>(items: &[T]) -> Vec<Value> {
    items.iter().map(|i| serde_json::to_value(i).unwrap_or_default()).collect()
}

/// `GET /enterprises/{id}`.
pub(crate) async fn enterprise(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let store = &ctx.state.store;
    let back = "/enterprises";
    let e = match store.enterprise(&id).await {
        Ok(e) => e,
        Err(err) => return ctx.store_error(back, err),
    };
    let loaded = async {
        let versions = store.enterprise_versions(&id).await?;
        let licences = store.licences(&id).await?;
        let certificates = store.certificates(&id).await?;
        let credit = store.credit_history(&id).await?;
        let warehouses = store.warehouses(&id).await?;
        let applications = store
            .list_applications(ApplicationFilter {
                enterprise_id: Some(id.clone()),
                page: Page { offset: 0, limit: PAGE },
                ..ApplicationFilter::default()
            })
            .await?;
        let now = ctx.state.now();
        let to = Millis(hour_of(now).0 + HOUR_MS);
        let traffic = store.traffic(Some(&id), Millis(to.0 - DAYS * 24 * HOUR_MS), to).await?;
        let codes: Vec<String> = [e.record.customs_code.clone(), e.record.uscc.clone()].into_iter().flatten().collect();
        let docs = store.recent_documents_for(&codes, None, None, 20).await?;
        Ok::<_, cbec_store::StoreError>((
            versions,
            licences,
            certificates,
            credit,
            warehouses,
            applications,
            traffic,
            docs,
        ))
    }
    .await;
    let (versions, licences, certificates, credit, warehouses, applications, traffic, docs) = match loaded {
        Ok(x) => x,
        Err(err) => return ctx.store_error(back, err),
    };
    let orders = match crate::api::monitoring::enterprise_orders(
        State(ctx.state.clone()),
        ctx.caller.clone(),
        ApiPath(id.clone()),
    )
    .await
    {
        Ok(Json(o)) => serde_json::to_value(o).unwrap_or_default(),
        Err(err) => return ctx.api_error(back, err),
    };

    let mut body = Dl::new("facts", "enterprise")
        .item(ctx.t("version"), &e.version.to_string())
        .item_id(ctx.t("credit"), "credit", &escape(e.credit.as_str()))
        .item(ctx.t("filed_at"), &ctx.time(e.filed_at.0))
        .item(ctx.t("violations"), &escape(&scalar(&orders["violations"])))
        .finish();
    body.push('\n');
    // The record now.
    let mut record = Table::new("list", "record");
    for (k, v) in flatten(&serde_json::to_value(&e.record).unwrap_or_default()) {
        record.keyed(&path_label(&k), &[escape(&v)]);
    }
    body.push_str(&html::section("record", ctx.t("record"), &record.finish()));

    // Traffic of the last days.
    let (mut messages, mut refused) = (0i64, 0i64);
    let mut codes: BTreeMap<&str, i64> = BTreeMap::new();
    let mut kinds: BTreeMap<&str, i64> = BTreeMap::new();
    for r in &traffic {
        if r.kind == MESSAGE {
            messages += r.count;
            if is_rejection(&r.return_status) {
                refused += r.count;
                *codes.entry(r.return_status.as_str()).or_default() += r.count;
            }
        } else {
            *kinds.entry(r.kind.as_str()).or_default() += r.count;
        }
    }
    let mut facts = Dl::new("facts", "traffic")
        .item_id(ctx.t("messages"), "traffic-messages", &messages.to_string())
        .item_id(ctx.t("rejected"), "traffic-rejected", &refused.to_string());
    for (k, n) in &kinds {
        facts = facts.item(&format!("<code>{}</code>", escape(k)), &n.to_string());
    }
    let mut traffic_html = facts.finish();
    if !codes.is_empty() {
        let mut top: Vec<(&str, i64)> = codes.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut table = Table::new("list", "traffic-codes").head(&[ctx.t("code"), ctx.t("count")]);
        for (c, n) in top.iter().take(10) {
            table.row(&[format!("<code>{}</code>", escape(c)), n.to_string()]);
        }
        traffic_html.push_str(&table.finish());
    }
    body.push_str(&html::section("traffic", ctx.t("traffic_days"), &traffic_html));

    let version_rows: Vec<Value> = versions
        .iter()
        .map(|v| {
            let mut m = serde_json::Map::new();
            m.insert("version".into(), Value::from(v.version));
            m.insert("valid_from_ms".into(), Value::from(v.valid_from.0));
            m.insert("name".into(), Value::from(v.record.name.clone()));
            m.insert("address".into(), Value::from(v.record.address.clone()));
            m.insert("contact".into(), Value::from(v.record.contact.clone()));
            m.insert("telephone".into(), Value::from(v.record.telephone.clone()));
            m.insert("types".into(), serde_json::to_value(&v.record.types).unwrap_or_default());
            m.insert("application".into(), Value::from(v.application_id.clone()));
            Value::Object(m)
        })
        .collect();
    body.push_str(&record_list(&ctx, "versions", ctx.t("versions"), &version_rows));
    body.push_str(&record_list(&ctx, "licences", ctx.t("licences"), &to_values(&licences)));
    let certs: Vec<Value> = certificates
        .iter()
        .map(|c| {
            serde_json::json!({"serial": c.cert.serial, "subject": c.cert.subject, "issuer": c.cert.issuer,
                "bound_at": c.bound_at.0, "revoked_at": c.revoked_at.map(|m| m.0), "revoke_reason": c.revoke_reason})
        })
        .collect();
    body.push_str(&record_list(&ctx, "certificates", ctx.t("certificates"), &certs));
    body.push_str(&record_list(&ctx, "credit-history", ctx.t("credit_history"), &to_values(&credit)));
    body.push_str(&record_list(&ctx, "warehouses", ctx.t("warehouses"), &to_values(&warehouses)));
    let apps: Vec<Value> = applications
        .iter()
        .map(|a| {
            serde_json::json!({"id": a.id, "kind": a.kind.as_str(), "state": a.state.as_str(),
                "submitted_at": a.submitted_at.0, "reason": a.reason})
        })
        .collect();
    body.push_str(&record_list(&ctx, "applications", ctx.t("applications"), &apps));
    let order_rows: Vec<Value> = orders["orders"].as_array().cloned().unwrap_or_default();
    body.push_str(&record_list(&ctx, "orders", ctx.t("monitoring_orders"), &order_rows));
    let docs_html = super::queues::doc_table(&ctx, "documents", &docs);
    body.push_str(&html::section("docs", ctx.t("documents_latest"), &docs_html));
    ctx.ok("/enterprises", &e.record.name, &body)
}
