//! Clearance routes through the real router: saturation answers 429 with
//! Retry-After, the message body must be XML, and an enterprise's garbage is
//! answered with a stored CEB900 it can pull.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use cbec_server::Config;
use serde_json::json;
use tower::ServiceExt as _;

use crate::helpers::*;

async fn post_xml(app: &TestApp, token: &str, body: &'static [u8]) -> (StatusCode, Option<String>, String) {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/messages")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/xml")
        .body(Body::from(body))
        .expect("request");
    let response = app.router.clone().oneshot(request).await.expect("answer");
    let status = response.status();
    let retry = response.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
    (status, retry, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn saturation_garbage_and_receipts() {
    let app = TestApp::spawn_with(Config { max_in_flight: 1, ..Config::default() }).await;
    let reviewer = app.officer("clearance reviewer", "reviewer").await;
    let supervisor = app.officer("clearance supervisor", "supervisor").await;
    let ebc = app.file(&reviewer, &supervisor, json!({"record": record(&new_uscc(), &["ebc"])})).await;
    let token = app.enterprise_token(&ebc).await;

    let slot = app.state.pipeline.reserve().expect("a free slot");
    let (status, retry, body) = post_xml(&app, &token, b"<x/>").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(retry.as_deref(), Some("1"));
    assert!(body.contains("service.saturated"), "{body}");
    drop(slot);

    let (status, _, body) = post_xml(&app, &token, b"<not xml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("CEB900Message") && body.contains("<ceb:returnStatus>-1</ceb:returnStatus>"), "{body}");

    let pulled = app.call(Method::GET, "/api/v1/receipts", Some(&token), None).await.expect(200);
    let receipts = pulled.body["receipts"].as_array().cloned().unwrap_or_default();
    assert_eq!(receipts.len(), 1, "{}", pulled.body);
    assert_eq!(receipts[0]["message_type"], "CEB900Message");
    assert_eq!(receipts[0]["return_status"], "-1");

    // JSON is not a message.
    let r = app.call(Method::POST, "/api/v1/messages", Some(&token), Some(json!({}))).await;
    assert_eq!(r.status.as_u16(), 415);
    assert_eq!(r.code(), "request.unsupported_media_type");
}
