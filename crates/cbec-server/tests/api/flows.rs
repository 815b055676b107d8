//! The filing workflow through the API, as customs and enterprises use it.

use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_payment_enterprise_is_filed_and_its_licence_expiry_blocks_changes() {
    let app = TestApp::spawn().await;
    let reviewer = app.officer("reviewer-1", "reviewer").await;
    let supervisor = app.officer("supervisor-1", "supervisor").await;
    let uscc = new_uscc();
    let cert = sm2_certificate(101, START - 10 * DAY, START + 365 * DAY);
    let payload = json!({
        "record": record(&uscc, &["pay"]),
        "licences": [payment_licence("2026-05-02")],
        "certificates": [cert],
    });
    let app_id = app.submit(&supervisor, "initial_filing", None, payload).await.expect(201).id();

    // Four eyes: the submitter cannot approve.
    let own = app.approve(&supervisor, &app_id).await.expect(403);
    assert_eq!(own.code(), "auth.forbidden");

    let approved = app.approve(&reviewer, &app_id).await.expect(200);
    assert_eq!(approved.body["state"], "approved");
    let id = approved.body["enterprise_id"].as_str().unwrap().to_owned();

    let e = app.get(&format!("/api/v1/enterprises/{id}"), &reviewer).await.expect(200);
    assert_eq!(e.body["record"]["uscc"], uscc.as_str());
    assert_eq!(e.body["credit"], "general");
    assert_eq!(e.body["version"], 1);
    let licences = app.get(&format!("/api/v1/enterprises/{id}/licences"), &reviewer).await.expect(200);
    assert_eq!(licences.body[0]["number"], "Z2000422000011");
    let certs = app.get(&format!("/api/v1/enterprises/{id}/certificates"), &reviewer).await.expect(200);
    assert_eq!(certs.body[0]["serial"], "65", "the serial of seed 101, in hex");
    assert_eq!(certs.body[0]["fingerprint"].as_str().map(str::len), Some(64));
    assert!(certs.body[0]["pem"].as_str().unwrap().starts_with("-----BEGIN CERTIFICATE-----"));

    // The same code cannot be filed twice.
    let again = json!({"record": record(&uscc, &["pay"]), "licences": [payment_licence("2026-05-02")]});
    let dup = app.submit(&supervisor, "initial_filing", None, again).await.expect(422);
    assert_eq!(dup.diagnostic_codes(), ["filing.already_filed"]);

    // An information change submitted before the licence expires is
    // refused at approval after it has expired.
    let mut changed = record(&uscc, &["pay", "ebc"]);
    changed["address"] = json!("吉林省长春市南关区");
    let change = app.submit(&supervisor, "info_change", Some(&id), json!({"record": changed})).await.expect(201).id();
    app.set_time(START + 90 * DAY); // 2026-05-30
    let refused = app.approve(&reviewer, &change).await.expect(422);
    assert_eq!(refused.code(), "filing.refused");
    let d = &refused.body["error"]["diagnostics"][0];
    assert_eq!(d["code"], "filing.licence_expired");
    assert_eq!(d["path"], "licences[1]/valid_to");
    assert!(d["message"].as_str().unwrap().contains("支付业务许可证"));

    // The enterprise renews its licence itself; then the change goes through.
    let token = app.enterprise_token(&id).await;
    let renew = app
        .submit(&token, "licence_update", None, json!({"licences": [payment_licence("2031-05-02")]}))
        .await
        .expect(201)
        .id();
    app.approve(&reviewer, &renew).await.expect(200);
    let licences = app.get(&format!("/api/v1/enterprises/{id}/licences"), &token).await.expect(200);
    assert_eq!(licences.body.as_array().unwrap().len(), 1, "same kind and number replaced");
    assert_eq!(licences.body[0]["valid_to"], "2031-05-02");
    app.approve(&reviewer, &change).await.expect(200);

    // Versions and the record as of a time.
    let versions = app.get(&format!("/api/v1/enterprises/{id}/versions"), &token).await.expect(200);
    assert_eq!(versions.body.as_array().unwrap().len(), 2);
    let v1_from = versions.body[0]["valid_from"].as_i64().unwrap();
    let v2_from = versions.body[1]["valid_from"].as_i64().unwrap();
    let rfc = |ms: i64| cbec_store::Millis(ms).to_rfc3339();
    let before = app.get(&format!("/api/v1/enterprises/{id}/as-of?at={}", rfc(v1_from - 1000)), &token).await;
    before.expect(404);
    let mid = app.get(&format!("/api/v1/enterprises/{id}/as-of?at={}", rfc(v2_from - 1000)), &token).await.expect(200);
    assert_eq!(mid.body["version"], 1);
    assert_eq!(mid.body["record"]["address"], "吉林省长春市");
    let now = app.get(&format!("/api/v1/enterprises/{id}/as-of?at={}", rfc(v2_from)), &token).await.expect(200);
    assert_eq!(now.body["version"], 2);
    let bad = app.get(&format!("/api/v1/enterprises/{id}/as-of?at=yesterday"), &token).await.expect(400);
    assert_eq!(bad.code(), "request.invalid");
}

#[tokio::test]
async fn the_rules_refuse_at_submission_with_coded_diagnostics() {
    let app = TestApp::spawn().await;
    let reviewer = app.officer("r", "reviewer").await;
    let mut bad = record("91350100M000100Y44", &["pay", "logistics"]);
    bad["customs_district"] = json!("9999");
    let r = app.submit(&reviewer, "initial_filing", None, json!({"record": bad})).await.expect(422);
    assert_eq!(r.code(), "filing.refused");
    assert_eq!(
        r.diagnostic_codes(),
        ["format.enterprise_code", "code.unknown", "filing.licence_missing", "filing.licence_missing"]
    );

    // A payload of the wrong shape is json.invalid with a diagnostic.
    let r = app.submit(&reviewer, "initial_filing", None, json!({"record": {"name": 3}})).await.expect(400);
    assert_eq!(r.code(), "json.invalid");
    assert_eq!(r.diagnostic_codes(), ["json.invalid"]);

    // Certificates: unreadable, expired.
    let expired = sm2_certificate(7, START - 400 * DAY, START - DAY);
    let payload = json!({"record": record(&new_uscc(), &["ebc"]), "certificates": ["not a pem", expired]});
    let r = app.submit(&reviewer, "initial_filing", None, payload).await.expect(422);
    assert_eq!(r.diagnostic_codes(), ["filing.certificate_unparsable", "filing.certificate_not_valid"]);

    // An initial filing names no enterprise; other kinds need one.
    let r = app
        .post("/api/v1/applications", &reviewer, json!({"kind": "initial_filing", "enterprise_id": "x", "payload": {}}))
        .await;
    assert_eq!(r.expect(400).code(), "request.invalid");
    let r = app.post("/api/v1/applications", &reviewer, json!({"kind": "b2b_export"})).await;
    assert_eq!(r.expect(400).code(), "request.invalid");
    let r = app.post("/api/v1/applications", &reviewer, json!({"kind": "b2b_export", "enterprise_id": "nope"})).await;
    assert_eq!(r.expect(404).code(), "not_found");
}

#[tokio::test]
async fn overseas_warehouse_needs_general_credit_or_better() {
    let app = TestApp::spawn().await;
    let reviewer = app.officer("r", "reviewer").await;
    let supervisor = app.officer("s", "supervisor").await;
    let id =
        app.file(&supervisor, &reviewer, json!({"record": record(&new_uscc(), &["ebc"]), "credit": "dishonest"})).await;
    let token = app.enterprise_token(&id).await;
    let warehouse = json!({"warehouse": {
        "name": "Hamburg DC", "country": "304", "address": "Am Hafen 1, Hamburg",
        "area_m2": "1200.5", "nature": "leased", "document": "lease 2026/17"
    }});
    let r = app.submit(&token, "overseas_warehouse", None, warehouse.clone()).await.expect(422);
    assert_eq!(r.diagnostic_codes(), ["filing.credit_insufficient"]);

    // Only a supervisor changes credit ratings.
    let body = json!({"rating": "general", "reason": "rectified"});
    app.post(&format!("/api/v1/enterprises/{id}/credit"), &reviewer, body.clone()).await.expect(403);
    let e = app.post(&format!("/api/v1/enterprises/{id}/credit"), &supervisor, body).await.expect(200);
    assert_eq!(e.body["credit"], "general");
    let credit = app.get(&format!("/api/v1/enterprises/{id}/credit"), &token).await.expect(200);
    assert_eq!(credit.body["rating"], "general");
    assert_eq!(credit.body["history"].as_array().unwrap().last().unwrap()["reason"], "rectified");

    let app_id = app.submit(&token, "overseas_warehouse", None, warehouse.clone()).await.expect(201).id();
    app.approve(&reviewer, &app_id).await.expect(200);
    let list = app.get(&format!("/api/v1/enterprises/{id}/warehouses"), &token).await.expect(200);
    assert_eq!(list.body[0]["name"], "Hamburg DC");
    assert_eq!(list.body[0]["application_id"], app_id.as_str());

    // The same warehouse again, and a warehouse in China.
    let r = app.submit(&token, "overseas_warehouse", None, warehouse).await.expect(422);
    assert_eq!(r.diagnostic_codes(), ["filing.already_done"]);
    let china =
        json!({"warehouse": {"name": "x", "country": "142", "address": "y", "area_m2": "0", "nature": "owned"}});
    let r = app.submit(&token, "overseas_warehouse", None, china).await.expect(422);
    assert_eq!(r.diagnostic_codes(), ["code.not_allowed", "filing.warehouse_area"]);
}

#[tokio::test]
async fn b2b_export_certificates_reject_and_withdraw() {
    let app = TestApp::spawn().await;
    let reviewer = app.officer("r", "reviewer").await;
    let supervisor = app.officer("s", "supervisor").await;
    let id = app.file(&supervisor, &reviewer, json!({"record": record(&new_uscc(), &["ebc"])})).await;
    let token = app.enterprise_token(&id).await;

    let b2b = app.submit(&token, "b2b_export", None, json!({})).await.expect(201).id();
    app.approve(&reviewer, &b2b).await.expect(200);
    let e = app.get(&format!("/api/v1/enterprises/{id}"), &token).await.expect(200);
    assert_eq!(e.body["record"]["b2b_export"], true);
    assert_eq!(
        app.submit(&token, "b2b_export", None, json!({})).await.expect(422).diagnostic_codes(),
        ["filing.already_done"]
    );

    // The real China E-Port SM2 UKey certificate binds, and its serial is
    // the KeyName of the enterprise's signatures.
    let bind = app.submit(&token, "certificate_binding", None, json!({"certificate": eport_certificate()})).await;
    let bind = bind.expect(201).id();
    app.approve(&supervisor, &bind).await.expect(200);
    let certs = app.get(&format!("/api/v1/enterprises/{id}/certificates"), &token).await.expect(200);
    assert_eq!(certs.body[0]["serial"], "03000000000cde6f");
    assert!(certs.body[0]["not_after"].as_str().unwrap().starts_with("2033-03-29T00:00:00"));
    let cert_id = certs.body[0]["id"].as_str().unwrap().to_owned();
    // Bound once only.
    let r =
        app.submit(&token, "certificate_binding", None, json!({"certificate": eport_certificate()})).await.expect(422);
    assert_eq!(r.diagnostic_codes(), ["filing.certificate_bound"]);
    // The enterprise revokes it; then it may be bound again.
    let revoke = format!("/api/v1/certificates/{cert_id}/revoke");
    assert_eq!(app.post(&revoke, &token, json!({"reason": " "})).await.expect(400).code(), "request.invalid");
    let revoked = app.post(&revoke, &token, json!({"reason": "UKey lost"})).await.expect(200);
    assert_eq!(revoked.body["revoke_reason"], "UKey lost");
    assert_eq!(app.post(&revoke, &token, json!({"reason": "again"})).await.expect(409).code(), "state.conflict");
    app.submit(&token, "certificate_binding", None, json!({"certificate": eport_certificate()})).await.expect(201);

    // Reject and withdraw.
    let change = |addr: &str| {
        let mut r = e.body["record"].clone();
        r["address"] = json!(addr);
        json!({"record": r})
    };
    let a = app.submit(&token, "info_change", None, change("a")).await.expect(201).id();
    app.post(&format!("/api/v1/applications/{a}/reject"), &reviewer, json!({"reason": ""})).await.expect(400);
    let rejected = app
        .post(&format!("/api/v1/applications/{a}/reject"), &reviewer, json!({"reason": "address unverifiable"}))
        .await;
    assert_eq!(rejected.expect(200).body["state"], "rejected");
    assert_eq!(app.approve(&reviewer, &a).await.expect(409).code(), "state.conflict");
    let b = app.submit(&token, "info_change", None, change("b")).await.expect(201).id();
    let withdraw = format!("/api/v1/applications/{b}/withdraw");
    app.call(Method::POST, &withdraw, Some(&reviewer), None).await.expect(403);
    let w = app.call(Method::POST, &withdraw, Some(&token), None).await.expect(200);
    assert_eq!(w.body["state"], "withdrawn");
    app.call(Method::POST, &withdraw, Some(&token), None).await.expect(409);

    // The enterprise lists only its own applications; filters work.
    let mine = app.get("/api/v1/applications", &token).await.expect(200);
    assert!(mine.body.as_array().unwrap().iter().all(|a| a["enterprise_id"] == id.as_str()));
    let rejected = app.get("/api/v1/applications?state=rejected", &reviewer).await.expect(200);
    assert_eq!(rejected.body.as_array().unwrap().len(), 1);
    let kinds = app.get(&format!("/api/v1/applications?kind=info_change&enterprise_id={id}&limit=1"), &reviewer).await;
    assert_eq!(kinds.expect(200).body.as_array().unwrap().len(), 1);
    assert_eq!(app.get("/api/v1/applications?state=nonsense", &reviewer).await.expect(400).code(), "request.invalid");
    assert_eq!(app.get("/api/v1/applications?limit=0", &reviewer).await.expect(400).code(), "request.invalid");
}

#[tokio::test]
async fn tokens_officers_audit_and_me() {
    let app = TestApp::spawn().await;
    let me = app.get("/api/v1/me", &app.admin).await.expect(200);
    assert_eq!(me.body["role"], "administrator");
    let reviewer = app.officer("r", "reviewer").await;
    let dup = app.post("/api/v1/officers", &app.admin, json!({"name": "r", "role": "supervisor"})).await.expect(409);
    assert_eq!(dup.code(), "conflict");
    let officers = app.get("/api/v1/officers", &app.admin).await.expect(200);
    assert_eq!(officers.body.as_array().unwrap().len(), 2);
    let supervisor = app.officer("s", "supervisor").await;
    let id = app.file(&reviewer, &supervisor, json!({"record": record(&new_uscc(), &["ebc"])})).await;

    // The enterprise makes a second token with a label, lists, revokes.
    let first = app.enterprise_token(&id).await;
    let second =
        app.post(&format!("/api/v1/enterprises/{id}/tokens"), &first, json!({"label": "erp"})).await.expect(201);
    assert_eq!(second.body["label"], "erp");
    let second_token = second.body["token"].as_str().unwrap().to_owned();
    let list = app.get(&format!("/api/v1/enterprises/{id}/tokens"), &second_token).await.expect(200);
    assert_eq!(list.body.as_array().unwrap().len(), 2);
    assert!(list.body.to_string().find(&second_token).is_none(), "secrets are never listed");
    let me = app.get("/api/v1/me", &second_token).await.expect(200);
    assert_eq!(me.body, json!({"kind": "enterprise", "id": id}));
    app.call(Method::DELETE, &format!("/api/v1/tokens/{}", second.id()), Some(&first), None).await.expect(204);
    let gone = app.get("/api/v1/me", &second_token).await.expect(401);
    assert_eq!(gone.code(), "auth.unauthorized");
    app.get("/api/v1/me", "not-a-token").await.expect(401);

    // The audit log: every change, hash-chained and intact.
    let audit = app.get("/api/v1/audit?limit=1000", &supervisor).await.expect(200);
    let entries = audit.body.as_array().unwrap();
    assert!(entries.len() >= 6, "{entries:?}");
    assert!(entries.iter().any(|e| e["action"].as_str().unwrap_or_default().contains("approve")));
    let page = app.get("/api/v1/audit?after=2&limit=2", &app.admin).await.expect(200);
    assert_eq!(page.body[0]["seq"], 3);
    assert_eq!(page.body.as_array().unwrap().len(), 2);
    let verify = app.get("/api/v1/audit/verify", &app.admin).await.expect(200);
    assert_eq!(verify.body, json!({"intact": true, "checked": entries.len()}));
}

#[tokio::test]
async fn errors_have_one_format() {
    let config = cbec_server::Config { body_limit: 200, ..cbec_server::Config::default() };
    let app = TestApp::spawn_with(config).await;
    let post = |body: &'static str, content_type: Option<&'static str>| {
        let mut b = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/officers")
            .header(header::AUTHORIZATION, format!("Bearer {}", app.admin));
        if let Some(ct) = content_type {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        b.body(Body::from(body)).unwrap()
    };
    let r = app.send(post("{\"name\": ", Some("application/json"))).await.expect(400);
    assert_eq!(r.code(), "json.invalid");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("not valid JSON"));
    let r = app.send(post("{\"name\": \"x\", \"role\": \"king\"}", Some("application/json"))).await.expect(400);
    assert_eq!(r.code(), "json.invalid");
    let r = app.send(post("name=x", Some("application/x-www-form-urlencoded"))).await.expect(415);
    assert_eq!(r.code(), "request.unsupported_media_type");
    let big: &'static str =
        Box::leak(format!("{{\"name\": \"{}\", \"role\": \"reviewer\"}}", "x".repeat(500)).into_boxed_str());
    let r = app.send(post(big, Some("application/json"))).await.expect(413);
    assert_eq!(r.code(), "request.too_large");

    let r = app.call(Method::GET, "/api/v1/nothing", None, None).await.expect(404);
    assert_eq!(r.code(), "route.not_found");
    let r = app.call(Method::PUT, "/api/v1/officers", Some(&app.admin), None).await.expect(405);
    assert_eq!(r.code(), "route.method_not_allowed");
    let r = app.call(Method::GET, "/api/v1/officers", None, None).await.expect(401);
    assert_eq!(r.code(), "auth.unauthorized");
    let r = app.get("/api/v1/enterprises/missing", &app.admin).await.expect(404);
    assert_eq!(r.code(), "not_found");
    let r = app.get("/api/v1/enterprises?limit=5000", &app.admin).await.expect(400);
    assert_eq!(r.code(), "request.invalid");
}

#[tokio::test]
async fn health_readiness_metrics_and_document() {
    let app = TestApp::spawn().await;
    let h = app.call(Method::GET, "/healthz", None, None).await.expect(200);
    assert_eq!(h.body, "ok");
    app.call(Method::GET, "/readyz", None, None).await.expect(200);
    app.get("/api/v1/enterprises/abc", &app.admin).await.expect(404);
    app.get("/api/v1/enterprises/def", &app.admin).await.expect(404);
    app.call(Method::GET, "/no/such/route", None, None).await.expect(404);
    let m = app.call(Method::GET, "/metrics", None, None).await.expect(200);
    assert!(m.content_type.starts_with("text/plain; version=0.0.4"), "{}", m.content_type);
    let text = m.body.as_str().unwrap();
    assert!(
        text.contains("cbec_http_requests_total{route=\"/api/v1/enterprises/{id}\",method=\"GET\",status=\"404\"} 2"),
        "{text}"
    );
    assert!(text.contains("cbec_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1"));
    assert!(
        text.contains("cbec_http_request_duration_seconds_bucket{route=\"/healthz\",method=\"GET\",le=\"+Inf\"} 1")
    );
    assert!(text.contains("cbec_process_uptime_seconds "));
    let doc = app.call(Method::GET, "/api/v1/openapi.json", None, None).await.expect(200);
    assert_eq!(doc.body["openapi"], "3.0.3");
}
