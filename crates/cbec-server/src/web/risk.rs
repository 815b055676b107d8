//! `/risk`: the risk engine's rule sets (read; upload or edit as a new
//! draft in a text area; dry run over the stored lists with its report;
//! approve or reject a draft, by a supervisor other than its uploader),
//! risk warnings and their control measures (list, raise on a finding,
//! lift), and the sampling plans and test results. Every change goes
//! through a confirmation page and the API's own handler, so roles, the
//! four-eyes rule and the audit entries are the API's.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Form, Path, Query, Request, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::Response;
use cbec_store::{MonitoringFilter, MonitoringRow};
use serde_json::{Value, json};

use super::escape;
use super::fields::{flatten, scalar};
use super::html::{self, Table};
use super::officer::{Ctx, confirmed, notice, officer_ctx, officer_form, param, url_encode};
use crate::AppState;
use crate::json::{Json, Path as ApiPath, Query as ApiQuery};

/// Records shown per list.
const SHOWN: u32 = 100;

fn request_with_toml(text: Option<&str>) -> Request {
    let mut b = Request::builder().method("POST").uri("/api/v1/risk/rule-sets");
    if text.is_some() {
        b = b.header(header::CONTENT_TYPE, "application/toml");
    }
    b.body(text.map_or_else(Body::empty, |t| Body::from(t.to_owned()))).unwrap_or_default()
}

fn upload_form(ctx: &Ctx, content: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/risk/rule-sets\" id=\"upload-form\">{csrf}\
         <label for=\"rules-content\">{label}</label>\
         <textarea id=\"rules-content\" name=\"content\" rows=\"16\" spellcheck=\"false\" required>{content}</textarea>\
         <p class=\"muted\">{hint}</p>\
         <button type=\"submit\" id=\"upload\">{upload}</button> \
         <button type=\"submit\" formaction=\"/risk/dry-run\" id=\"dry-run-text\" class=\"secondary\">{dry}</button></form>\n",
        csrf = ctx.csrf_field(),
        label = ctx.t("rules_file"),
        content = escape(content),
        hint = ctx.t("rules_hint"),
        upload = ctx.t("rules_upload"),
        dry = ctx.t("dry_run"),
    )
}

/// `GET /risk`: the rule set in force, every rule set, the upload form.
pub(crate) async fn overview(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let sets = match crate::api::risk::list(State(ctx.state.clone()), ctx.caller.clone()).await {
        Ok(Json(s)) => s,
        Err(e) => return ctx.api_error("/risk", e),
    };
    let mut body = notice(&ctx, &query);
    body.push_str(&format!(
        "<p><a href=\"/risk/warnings\">{}</a> · <a href=\"/risk/sampling\">{}</a></p>\n<h2>{}</h2>\n",
        ctx.t("risk_warnings"),
        ctx.t("risk_sampling"),
        ctx.t("rule_sets")
    ));
    let mut table = Table::new("list", "rule-sets").head(&[
        ctx.t("version"),
        ctx.t("state"),
        ctx.t("rules_count"),
        ctx.t("uploaded_by"),
        ctx.t("uploaded_at"),
        ctx.t("decided_by"),
    ]);
    for r in &sets {
        table.tr(&format!(
            "<tr><td><a href=\"/risk/rule-sets/{}\" class=\"rule-set-link\">{}</a></td><td class=\"rs-{}\">{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            url_encode(&r.id),
            escape(&r.version),
            escape(&r.status),
            escape(&r.status),
            r.rules,
            escape(&r.uploaded_by),
            ctx.time(r.uploaded_at.0),
            escape(r.decided_by.as_deref().unwrap_or_default()),
        ));
    }
    body.push_str(&table.or(html::none("", ctx.t("none"))));
    body.push_str(&format!("<h2>{}</h2>\n", ctx.t("rules_new")));
    body.push_str(&upload_form(&ctx, ""));
    ctx.ok("/risk", ctx.t("nav_risk"), &body)
}

/// `GET /risk/rule-sets/{id}`: the file, the dry-run and edit forms, and
/// for a draft the decision forms.
pub(crate) async fn rule_set(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let detail = match crate::api::risk::get(State(ctx.state.clone()), ctx.caller.clone(), ApiPath(id.clone())).await {
        Ok(Json(d)) => serde_json::to_value(d).unwrap_or_default(),
        Err(e) => return ctx.api_error("/risk", e),
    };
    let status = scalar(&detail["status"]);
    let mut body = notice(&ctx, &query);
    body.push_str(&format!(
        "<dl class=\"facts\" id=\"rule-set\"><dt>{}</dt><dd><code>{}</code></dd><dt>{}</dt><dd id=\"rule-set-status\">{}</dd>\
         <dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>SHA-256</dt><dd><code>{}</code></dd></dl>\n",
        ctx.t("version"),
        escape(&scalar(&detail["version"])),
        ctx.t("state"),
        escape(&status),
        ctx.t("rules_count"),
        escape(&scalar(&detail["rules"])),
        ctx.t("uploaded_by"),
        escape(&scalar(&detail["uploaded_by"])),
        ctx.t("decided_by"),
        escape(&scalar(&detail["decided_by"])),
        escape(&scalar(&detail["sha256"])),
    ));
    if let Some(rules) = detail["parsed"]["rules"].as_array() {
        let mut table =
            Table::new("list", "rules").caption(ctx.t("rules")).head(&["id", ctx.t("risk_lane"), ctx.t("description")]);
        for r in rules {
            table.keyed(
                &format!("<code>{}</code>", escape(&scalar(&r["id"]))),
                &[escape(&scalar(&r["lane"])), escape(&scalar(&r["description"]))],
            );
        }
        body.push_str(&table.finish());
    }
    let enc = url_encode(&id);
    body.push_str(&format!(
        "<h2>{}</h2><form method=\"post\" action=\"/risk/dry-run\" id=\"dry-run-form\">{}\
         <input type=\"hidden\" name=\"rule_set\" value=\"{}\"><label for=\"dry-limit\">{}</label>\
         <input type=\"number\" id=\"dry-limit\" name=\"limit\" min=\"1\" max=\"50000\" value=\"5000\">\
         <button type=\"submit\" id=\"dry-run\">{}</button></form>\n",
        ctx.t("dry_run"),
        ctx.csrf_field(),
        escape(&id),
        ctx.t("dry_run_limit"),
        ctx.t("dry_run"),
    ));
    if status == "draft" {
        body.push_str(&format!(
            "<h2>{decide}</h2><div class=\"actions\">\
             <form method=\"post\" action=\"/risk/rule-sets/{enc}/decision\" id=\"activate-form\">{csrf}\
             <label for=\"approve-note\">{note}</label><input type=\"text\" id=\"approve-note\" name=\"note\">\
             <button type=\"submit\" name=\"decision\" value=\"approve\" id=\"activate\">{approve}</button></form>\
             <form method=\"post\" action=\"/risk/rule-sets/{enc}/decision\" id=\"reject-form\">{csrf}\
             <label for=\"reject-note\">{note}</label><input type=\"text\" id=\"reject-note\" name=\"note\" required>\
             <button type=\"submit\" name=\"decision\" value=\"reject\" id=\"reject\" class=\"danger\">{reject}</button></form>\
             </div><p class=\"muted\">{four_eyes}</p>\n",
            decide = ctx.t("decide"),
            csrf = ctx.csrf_field(),
            note = ctx.t("note"),
            approve = ctx.t("activate"),
            reject = ctx.t("reject"),
            four_eyes = ctx.t("four_eyes"),
        ));
    }
    body.push_str(&format!("<h2>{}</h2>\n", ctx.t("rules_edit")));
    body.push_str(&upload_form(&ctx, &scalar(&detail["content"])));
    ctx.ok("/risk", &format!("{} {}", ctx.t("rule_set"), scalar(&detail["version"])), &body)
}

/// `POST /risk/rule-sets` (`content`): confirmation, then the API's upload.
pub(crate) async fn upload(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let ctx = officer_form!(state, headers, uri, form);
    let content = form.get("content").cloned().unwrap_or_default();
    if !confirmed(&form) {
        let summary = format!(
            "<p>{}</p><pre class=\"xml\">{}</pre>",
            ctx.t("effect_upload"),
            escape(&content.chars().take(4000).collect::<String>())
        );
        return ctx.confirm("/risk", "/risk/rule-sets", &summary, &[("content", &content)], "/risk");
    }
    let request = request_with_toml(Some(&content));
    match crate::api::risk::upload(State(ctx.state.clone()), ctx.caller.clone(), request).await {
        Ok((_, Json(row))) => super::see_other(&format!("/risk/rule-sets/{}?done=upload", url_encode(&row.id)), &[]),
        Err(e) => ctx.api_error("/risk", e),
    }
}

/// `POST /risk/rule-sets/{id}/decision` (`decision=approve|reject`,
/// `note`): confirmation, then the API's decision.
pub(crate) async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let ctx = officer_form!(state, headers, uri, form);
    let back = format!("/risk/rule-sets/{}", url_encode(&id));
    let decision = form.get("decision").map(String::as_str).unwrap_or_default();
    let approve = match decision {
        "approve" => true,
        "reject" => false,
        other => {
            return ctx.api_error(
                &back,
                crate::ApiError::bad_request(format!("decision {other:?} is not approve or reject")),
            );
        }
    };
    let note = form.get("note").map(|n| n.trim().to_string()).unwrap_or_default();
    if !confirmed(&form) {
        let effect = if approve { ctx.t("effect_activate") } else { ctx.t("effect_reject_rules") };
        let summary = format!("<p>{}</p><p>{}: {}</p>", effect, ctx.t("note"), escape(&note));
        return ctx.confirm(
            "/risk",
            &format!("{back}/decision"),
            &summary,
            &[("decision", decision), ("note", &note)],
            &back,
        );
    }
    let body = match serde_json::from_value(json!({"approve": approve, "note": note})) {
        Ok(b) => b,
        Err(e) => return ctx.api_error(&back, crate::ApiError::bad_request(e.to_string())),
    };
    match crate::api::risk::decide(State(ctx.state.clone()), ctx.caller.clone(), ApiPath(id.clone()), Json(body)).await
    {
        Ok(_) => super::see_other(&format!("{back}?done={decision}"), &[]),
        Err(e) => ctx.api_error(&back, e),
    }
}

/// `POST /risk/dry-run` (`rule_set` or `content`, `limit`): the API's dry
/// run, and its report. Nothing changes, so no confirmation.
pub(crate) async fn dry_run(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let ctx = officer_form!(state, headers, uri, form);
    let mut q = serde_json::Map::new();
    if let Some(id) = param(&form, "rule_set") {
        q.insert("rule_set".into(), json!(id));
    }
    if let Some(limit) = param(&form, "limit") {
        match limit.parse::<u32>() {
            Ok(n) => {
                q.insert("limit".into(), json!(n));
            }
            Err(_) => {
                return ctx
                    .api_error("/risk", crate::ApiError::bad_request(format!("limit {limit:?} is not a number")));
            }
        }
    }
    let query = match serde_json::from_value(Value::Object(q)) {
        Ok(q) => q,
        Err(e) => return ctx.api_error("/risk", crate::ApiError::bad_request(e.to_string())),
    };
    let content = param(&form, "content").filter(|_| param(&form, "rule_set").is_none());
    let request = request_with_toml(content);
    let report =
        match crate::api::risk::dry_run(State(ctx.state.clone()), ctx.caller.clone(), ApiQuery(query), request).await {
            Ok(Json(r)) => serde_json::to_value(r).unwrap_or_default(),
            Err(e) => return ctx.api_error("/risk", e),
        };
    let mut body = format!(
        "<dl class=\"facts\" id=\"dry-run-report\"><dt>{}</dt><dd><code>{}</code></dd><dt>{}</dt><dd><code>{}</code></dd>\
         <dt>{}</dt><dd id=\"dry-run-subjects\">{}</dd><dt>{}</dt><dd id=\"dry-run-changed\">{}</dd></dl>\n",
        ctx.t("dry_run_candidate"),
        escape(&scalar(&report["candidate_version"])),
        ctx.t("dry_run_active"),
        escape(&scalar(&report["active_version"])),
        ctx.t("dry_run_subjects"),
        escape(&scalar(&report["subjects"])),
        ctx.t("dry_run_changed"),
        escape(&scalar(&report["changed"])),
    );
    for (key, title) in [("candidate_lanes", "dry_run_candidate_lanes"), ("active_lanes", "dry_run_active_lanes")] {
        if report[key].is_object() {
            let mut table = Table::new("list", &key.replace('_', "-"));
            for (k, v) in flatten(&report[key]) {
                table.keyed(&escape(&k), &[escape(&v)]);
            }
            body.push_str(&format!("<h2>{}</h2>{}", ctx.t(title), table.finish()));
        }
    }
    body.push_str(&record_table(&ctx, "dry-run-rules", ctx.t("dry_run_rules"), report["rules"].as_array()));
    body.push_str(&record_table(&ctx, "dry-run-changes", ctx.t("dry_run_changes"), report["changes"].as_array()));
    ctx.ok("/risk", ctx.t("dry_run"), &body)
}

/// A table of JSON records (one row each, their flattened fields as columns).
fn record_table(ctx: &Ctx, id: &str, title: &str, items: Option<&Vec<Value>>) -> String {
    let items = items.map(Vec::as_slice).unwrap_or_default();
    let table = super::fields::records_table(id, items, |_, v| escape(v));
    format!("<h2>{}</h2>{}", escape(title), table.or(html::none(&format!("{id}-empty"), ctx.t("none"))))
}

/// Monitoring records of a kind, newest first, at most [`SHOWN`].
async fn records(ctx: &Ctx, kind: &str, state: Option<&str>) -> Result<Vec<MonitoringRow>, Response> {
    let filter = MonitoringFilter {
        kind: Some(kind.into()),
        state: state.map(str::to_string),
        limit: SHOWN,
        newest_first: true,
        ..Default::default()
    };
    ctx.state.store.monitoring_records(&filter).await.map_err(|e| ctx.store_error("/risk", e))
}

/// `GET /risk/warnings`: warnings (those in force first) and the form to
/// raise one on a finding.
pub(crate) async fn warnings(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let rows = match records(&ctx, "warning", None).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let mut body = notice(&ctx, &query);
    let mut table = Table::new("list", "warnings").head(&[
        "id",
        ctx.t("state"),
        ctx.t("severity"),
        ctx.t("measure"),
        ctx.t("scope"),
        ctx.t("finding"),
        ctx.t("actions"),
    ]);
    for r in &rows {
        let v: Value = serde_json::from_str(&r.body).unwrap_or_default();
        let w = &v["warning"];
        let scope = flatten(&w["scope"]).into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ");
        let source = flatten(&v["source"]).into_values().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
        let lift = if r.state == "active" {
            let inner = format!(
                "{}<label for=\"lift-{id}\" class=\"sr-only\">{reason}</label>\
                 <input type=\"text\" id=\"lift-{id}\" name=\"reason\" placeholder=\"{reason}\" required>\
                 <button type=\"submit\" name=\"action\" value=\"lift\">{lift}</button>",
                html::hidden_fields(&[("version", &r.version.to_string())]),
                id = escape(&r.id),
                reason = ctx.t("reason"),
                lift = ctx.t("lift"),
            );
            html::post_form(&format!("/risk/warnings/{}/lift", url_encode(&r.id)), "", "inline", &ctx.csrf, &inner)
        } else {
            String::new()
        };
        table.row(&[
            format!("<code>{}</code>", escape(&r.id)),
            escape(&r.state),
            escape(&scalar(&w["severity"])),
            escape(&scalar(&w["measure"])),
            escape(&scope),
            escape(&source),
            lift,
        ]);
    }
    body.push_str(&table.or(html::none("warnings-empty", ctx.t("none"))));
    let option = |v: &str, k: &str| format!("<option value=\"{v}\">{}</option>", ctx.t(k));
    body.push_str(&format!(
        "<h2>{title}</h2><form method=\"post\" action=\"/risk/warnings\" id=\"warning-form\" class=\"grid\">{csrf}\
         <label for=\"w-hs\">{hs}</label><input type=\"text\" id=\"w-hs\" name=\"hs_prefix\" inputmode=\"numeric\">\
         <label for=\"w-product\">{product}</label><input type=\"text\" id=\"w-product\" name=\"product\">\
         <label for=\"w-brand\">{brand}</label><input type=\"text\" id=\"w-brand\" name=\"brand\">\
         <label for=\"w-enterprise\">{enterprise}</label><input type=\"text\" id=\"w-enterprise\" name=\"enterprise\">\
         <label for=\"w-origin\">{origin}</label><input type=\"text\" id=\"w-origin\" name=\"origin_country\">\
         <label for=\"w-severity\">{severity}</label><select id=\"w-severity\" name=\"severity\">{s1}{s2}{s3}{s4}</select>\
         <label for=\"w-measure\">{measure}</label><select id=\"w-measure\" name=\"measure\">{m1}{m2}{m3}</select>\
         <label for=\"w-days\">{days}</label><input type=\"number\" id=\"w-days\" name=\"days\" min=\"1\" max=\"3650\" value=\"90\">\
         <label for=\"w-finding\">{finding}</label><textarea id=\"w-finding\" name=\"finding\" rows=\"2\" required></textarea>\
         <button type=\"submit\" id=\"raise-warning\">{raise}</button></form>\n",
        title = ctx.t("warning_new"),
        csrf = ctx.csrf_field(),
        hs = ctx.t("scope_hs"),
        product = ctx.t("scope_product"),
        brand = ctx.t("scope_brand"),
        enterprise = ctx.t("scope_enterprise"),
        origin = ctx.t("scope_origin"),
        severity = ctx.t("severity"),
        s1 = option("low", "severity_low"),
        s2 = option("medium", "severity_medium"),
        s3 = option("high", "severity_high"),
        s4 = option("critical", "severity_critical"),
        measure = ctx.t("measure"),
        m1 = option("hold_for_inspection", "measure_hold_for_inspection"),
        m2 = option("full_inspection", "measure_full_inspection"),
        m3 = option("refuse_entry", "measure_refuse_entry"),
        days = ctx.t("valid_days"),
        finding = ctx.t("finding"),
        raise = ctx.t("warning_raise"),
    ));
    ctx.ok("/risk", ctx.t("risk_warnings"), &body)
}

/// `POST /risk/warnings`: a warning on an officer's finding, through
/// the confirmation page and the API's handler.
pub(crate) async fn create_warning(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let ctx = officer_form!(state, headers, uri, form);
    let back = "/risk/warnings";
    let mut scope = serde_json::Map::new();
    for k in ["hs_prefix", "product", "brand", "enterprise", "origin_country"] {
        if let Some(v) = param(&form, k) {
            scope.insert(k.into(), json!(v));
        }
    }
    let days: i64 = match param(&form, "days").unwrap_or("90").parse() {
        Ok(d) if (1..=3650).contains(&d) => d,
        _ => return ctx.api_error(back, crate::ApiError::bad_request("days must be 1 to 3650")),
    };
    let fields: Vec<(&str, &str)> =
        ["hs_prefix", "product", "brand", "enterprise", "origin_country", "severity", "measure", "days", "finding"]
            .iter()
            .filter_map(|k| form.get(*k).map(|v| (*k, v.as_str())))
            .collect();
    if !confirmed(&form) {
        let mut summary = format!("<p>{}</p><dl class=\"facts\">", ctx.t("effect_warning"));
        for (k, v) in &fields {
            summary.push_str(&format!("<dt><code>{}</code></dt><dd>{}</dd>", escape(k), escape(v)));
        }
        summary.push_str("</dl>");
        return ctx.confirm("/risk", back, &summary, &fields, back);
    }
    let until = ctx.state.now().0.saturating_add(days * 86_400_000);
    let body = json!({"finding": {
        "scope": Value::Object(scope),
        "severity": param(&form, "severity").unwrap_or("high"),
        "measure": param(&form, "measure").unwrap_or("hold_for_inspection"),
        "valid_until": until,
        "finding": param(&form, "finding").unwrap_or_default(),
    }});
    let body = match serde_json::from_value(body) {
        Ok(b) => b,
        Err(e) => return ctx.api_error(back, crate::ApiError::bad_request(e.to_string())),
    };
    match crate::api::monitoring::create_warning(State(ctx.state.clone()), ctx.caller.clone(), Json(body)).await {
        Ok(_) => super::see_other(&format!("{back}?done=raise"), &[]),
        Err(e) => ctx.api_error(back, e),
    }
}

/// `POST /risk/warnings/{id}/lift` (`reason`, `version`): confirmation,
/// then the API's lift command.
pub(crate) async fn lift_warning(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let ctx = officer_form!(state, headers, uri, form);
    let back = "/risk/warnings";
    let reason = form.get("reason").map(|r| r.trim().to_string()).unwrap_or_default();
    let version = form.get("version").cloned().unwrap_or_default();
    let Ok(expected) = version.parse::<u32>() else {
        return ctx.api_error(back, crate::ApiError::bad_request("version must be the record's version"));
    };
    if !confirmed(&form) {
        let summary = format!(
            "<p>{}</p><dl class=\"facts\"><dt>id</dt><dd><code>{}</code></dd><dt>{}</dt><dd>{}</dd></dl>",
            ctx.t("effect_lift"),
            escape(&id),
            ctx.t("reason"),
            escape(&reason)
        );
        let action = format!("/risk/warnings/{}/lift", url_encode(&id));
        return ctx.confirm("/risk", &action, &summary, &[("reason", &reason), ("version", &version)], back);
    }
    let body = match serde_json::from_value(json!({"expected_version": expected, "command": "lift", "reason": reason}))
    {
        Ok(b) => b,
        Err(e) => return ctx.api_error(back, crate::ApiError::bad_request(e.to_string())),
    };
    match crate::api::monitoring::warning_command(State(ctx.state.clone()), ctx.caller.clone(), ApiPath(id), Json(body))
        .await
    {
        Ok(_) => super::see_other(&format!("{back}?done=lift"), &[]),
        Err(e) => ctx.api_error(back, e),
    }
}

/// `GET /risk/sampling`: sampling plans and test results, newest first.
pub(crate) async fn sampling(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let (plans, results) = match (records(&ctx, "sampling_plan", None).await, records(&ctx, "test_result", None).await)
    {
        (Ok(p), Ok(r)) => (p, r),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let bodies = |rows: &[MonitoringRow]| -> Vec<Value> {
        rows.iter()
            .map(|r| {
                let mut v: Value = serde_json::from_str(&r.body).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("state".into(), json!(r.state));
                }
                v
            })
            .collect()
    };
    let mut body = record_table(&ctx, "sampling-plans", ctx.t("sampling_plans"), Some(&bodies(&plans)));
    body.push_str(&record_table(&ctx, "test-results", ctx.t("test_results"), Some(&bodies(&results))));
    ctx.ok("/risk", ctx.t("risk_sampling"), &body)
}
