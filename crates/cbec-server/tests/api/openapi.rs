//! The OpenAPI document lists exactly the routes of the real router.

use std::collections::BTreeSet;

use axum::http::Method;
use cbec_server::routes::docs;

use crate::helpers::TestApp;

/// Methods a route might have. HEAD is left out: axum answers it for every
/// GET route, as HTTP requires.
const METHODS: [Method; 5] = [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE];

#[tokio::test]
async fn the_document_and_the_router_have_the_same_routes() {
    let app = TestApp::spawn().await;
    let doc = app.call(Method::GET, "/api/v1/openapi.json", None, None).await.expect(200).body;

    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let table: BTreeSet<(String, String)> =
        docs().iter().map(|d| (d.verb.as_str().to_owned(), d.path.to_owned())).collect();
    assert_eq!(documented, table, "the document is the route table");
    assert_eq!(documented.len(), 64);

    // Ask the real router: every documented (method, path) is routed, and
    // every other method on those paths is not.
    let paths: BTreeSet<&String> = documented.iter().map(|(_, p)| p).collect();
    for path in paths {
        let concrete = path.replace("{id}", "0000");
        for method in METHODS {
            let body = (method == Method::POST).then(|| serde_json::json!({}));
            let reply = app.call(method.clone(), &concrete, None, body).await;
            let routed = !matches!(reply.code(), "route.not_found" | "route.method_not_allowed");
            let expected = documented.contains(&(method.to_string(), path.clone()));
            assert_eq!(routed, expected, "{method} {path}: {} {}", reply.status, reply.body);
            if !expected {
                assert_eq!(reply.status.as_u16(), 405, "{method} {path}");
            }
        }
    }
    // Paths next to the documented ones are not routed.
    for path in ["/api/v1", "/api/v1/enterprises/0000/unknown", "/api/v1/tokens", "/api/v2/openapi.json", "/healthz/x"]
    {
        assert_eq!(app.call(Method::GET, path, None, None).await.code(), "route.not_found", "{path}");
    }
}
