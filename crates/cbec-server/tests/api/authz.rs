//! The authorization matrix: every route × every kind of caller, with the
//! expected status of each cell in one table.
//!
//! Columns: the four officer roles, the enterprise that owns the records
//! (A), another enterprise (B), and no token. Records a cell changes
//! (applications, tokens, certificates, rule sets, monitoring records) are
//! made fresh for each cell, so every cell sees the same starting state.
//! A body given as a JSON string is sent as a TOML rule file.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::Method;
use cbec_server::routes::docs;
use serde_json::{Value, json};

use crate::helpers::*;

const COLUMNS: [&str; 7] = ["reviewer", "risk_officer", "supervisor", "administrator", "owner", "foreign", "none"];

/// What a cell needs made first; its id replaces the placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Setup {
    Nothing,
    /// `{app}`: a licence update submitted by enterprise A.
    OpenApplication,
    /// `{token}`: a new API token of enterprise A.
    OwnerToken,
    /// `{cert}`: a certificate bound to enterprise A.
    OwnerCertificate,
    /// `{ruleset}`: a draft rule set uploaded by the risk officer.
    DraftRuleSet,
    /// `{plan}`: a sampling plan.
    Plan,
    /// `{result}`: a failed test result.
    FailedResult,
    /// `{warning}`: a warning on a finding.
    Warning,
    /// `{reduction}`: a reduction order addressed to A.
    Reduction,
    /// `{rectification}`: a rectification order addressed to A.
    Rectification,
    /// `{rect}`: an upheld rectification order of A, rated general.
    Upheld,
    /// `{proposal}`: a downgrade proposal of A (general to dishonest) by the
    /// risk officer.
    Proposal,
}

/// A request body, made fresh per cell (names and codes must be unique).
type BodyFn = fn() -> Value;

struct Row {
    method: Method,
    /// The route template, to check that the matrix covers every route.
    route: &'static str,
    /// The path to call: `{A}`, `{B}`, `{now}` and the placeholder of the
    /// setup are replaced (in the body too, with `{A_CODE}`: A's USCC).
    path: &'static str,
    setup: Setup,
    body: Option<BodyFn>,
    expect: [u16; 7],
}

const ALL_200: [u16; 7] = [200; 7];
const ANY_TOKEN: [u16; 7] = [200, 200, 200, 200, 200, 200, 401];
const OFFICERS_OR_OWNER: [u16; 7] = [200, 200, 200, 200, 200, 403, 401];
const OFFICERS: [u16; 7] = [200, 200, 200, 200, 403, 403, 401];
const ADMIN_OR_OWNER: [u16; 7] = [403, 403, 403, 200, 200, 403, 401];
const ADMIN: [u16; 7] = [403, 403, 403, 200, 403, 403, 401];
const AUDITORS: [u16; 7] = [403, 403, 200, 200, 403, 403, 401];
const DECIDERS: [u16; 7] = [200, 403, 200, 403, 403, 403, 401];
const ENTERPRISES: [u16; 7] = [403, 403, 403, 403, 200, 200, 401];
const NOT_FOUND: [u16; 7] = [404, 404, 404, 404, 404, 404, 401];
const WRITERS_201: [u16; 7] = [403, 201, 201, 403, 403, 403, 401];
const WRITERS_200: [u16; 7] = [403, 200, 200, 403, 403, 403, 401];
const SUPERVISOR_200: [u16; 7] = [403, 403, 200, 403, 403, 403, 401];
/// An officer command on an order: the enterprise may not give it.
const ORDER_OFFICER: [u16; 7] = [403, 200, 200, 403, 403, 403, 401];
/// `respond`: only the enterprise addressed.
const ORDER_RESPOND: [u16; 7] = [403, 403, 403, 403, 200, 403, 401];

static UNIQUE: AtomicU64 = AtomicU64::new(1);

fn unique() -> u64 {
    UNIQUE.fetch_add(1, Ordering::Relaxed)
}

fn new_officer() -> Value {
    json!({"name": format!("matrix officer {}", unique()), "role": "reviewer"})
}

fn initial_filing() -> Value {
    json!({"kind": "initial_filing", "payload": {"record": record(&new_uscc(), &["ebc"])}})
}

fn licence_update() -> Value {
    json!({"kind": "licence_update", "payload": {"licences": [express_licence()]}})
}

fn express_licence() -> Value {
    json!({"kind": "express", "number": "EXP-1", "valid_from": "2020-01-01", "valid_to": "2030-12-31"})
}

fn reason() -> Value {
    json!({"reason": "matrix"})
}

fn credit() -> Value {
    json!({"rating": "advanced", "reason": "matrix"})
}

fn cursor() -> Value {
    json!({"cursor": 0})
}

fn webhook() -> Value {
    json!({"url": "http://127.0.0.1:9/receipts"})
}

fn redeliver() -> Value {
    json!({"after": 0})
}

fn action() -> Value {
    json!({"action": "review", "reason": "matrix"})
}

fn form() -> Value {
    json!({
        "entry_id": "530120261000000001",
        "trade_mode": "9710",
        "customs_code": "5300",
        "ebc_code": "NOT-FILED",
        "ebp_code": "NOT-FILED",
        "attachments": [{"type": "10000004", "number": "NO-SUCH-ORDER"}]
    })
}

fn label() -> Value {
    json!({"label": "matrix"})
}

fn rule_set() -> Value {
    Value::String(rule_file(&format!("matrix-{}", unique()), "0402", "red"))
}

fn decision() -> Value {
    json!({"approve": true, "note": "matrix"})
}

fn plan() -> Value {
    json!({"scope": {"hs_prefix": "1901"}, "sampling": {"kind": "rate", "per_mille": 50}, "starts_at": START,
        "reason": "matrix"})
}

fn result() -> Value {
    failed_result("{A_CODE}")
}

fn finding() -> Value {
    json!({"finding": {"scope": {"hs_prefix": "0402"}, "severity": "low", "measure": "hold_for_inspection",
        "valid_until": START + 365 * DAY, "finding": "matrix"}})
}

fn reduction() -> Value {
    json!({"enterprise": "{A_CODE}", "action": "stop_sale", "goods": "matrix goods", "deadline": START + 30 * DAY})
}

fn rectification() -> Value {
    json!({"enterprise": "{A_CODE}", "violation": "false_declaration", "description": "matrix", "documents": [],
        "deadline": START + 30 * DAY})
}

fn proposal() -> Value {
    json!({"enterprise": "{A_CODE}", "from": "general", "to": "dishonest", "reason": "matrix",
        "rectification_id": "{rect}"})
}

fn close() -> Value {
    json!({"expected_version": 1, "command": "close", "reason": "matrix"})
}

fn withdraw() -> Value {
    json!({"expected_version": 1, "command": "withdraw", "reason": "matrix"})
}

fn lift() -> Value {
    json!({"expected_version": 1, "command": "lift", "reason": "matrix"})
}

fn respond() -> Value {
    json!({"expected_version": 1, "command": "respond", "text": "matrix", "evidence": []})
}

fn follow_up() -> Value {
    json!({"expected_version": 1, "command": "follow_up", "note": "matrix"})
}

fn decide() -> Value {
    json!({"expected_version": 1, "command": "decide", "approve": true, "note": "matrix"})
}

fn rows() -> Vec<Row> {
    use Setup::*;
    let row = |method: Method, route: &'static str, path: &'static str, setup, body, expect| Row {
        method,
        route,
        path,
        setup,
        body,
        expect,
    };
    let get = |route: &'static str, expect| row(Method::GET, route, route, Nothing, None, expect);
    let ent = |route: &'static str, path: &'static str| row(Method::GET, route, path, Nothing, None, OFFICERS_OR_OWNER);
    vec![
        get("/healthz", ALL_200),
        get("/readyz", ALL_200),
        get("/metrics", ALL_200),
        get("/api/v1/openapi.json", ALL_200),
        get("/api/v1/me", ANY_TOKEN),
        row(
            Method::POST,
            "/api/v1/officers",
            "/api/v1/officers",
            Nothing,
            Some(new_officer),
            [403, 403, 403, 201, 403, 403, 401],
        ),
        get("/api/v1/officers", ADMIN),
        row(
            Method::POST,
            "/api/v1/enterprises/{id}/tokens",
            "/api/v1/enterprises/{A}/tokens",
            Nothing,
            Some(label),
            [403, 403, 403, 201, 201, 403, 401],
        ),
        row(
            Method::GET,
            "/api/v1/enterprises/{id}/tokens",
            "/api/v1/enterprises/{A}/tokens",
            Nothing,
            None,
            ADMIN_OR_OWNER,
        ),
        row(
            Method::DELETE,
            "/api/v1/tokens/{id}",
            "/api/v1/tokens/{token}",
            OwnerToken,
            None,
            [403, 403, 403, 204, 204, 403, 401],
        ),
        row(
            Method::POST,
            "/api/v1/applications",
            "/api/v1/applications",
            Nothing,
            Some(initial_filing),
            [201, 403, 201, 201, 403, 403, 401],
        ),
        // The enterprise applies for itself; officers other than risk
        // officers may apply on its behalf (the path names A: see `call`).
        row(
            Method::POST,
            "/api/v1/applications",
            "/api/v1/applications?for={A}",
            Nothing,
            Some(licence_update),
            [201, 403, 201, 201, 201, 403, 401],
        ),
        get("/api/v1/applications", ANY_TOKEN),
        row(
            Method::GET,
            "/api/v1/applications",
            "/api/v1/applications?enterprise_id={A}",
            Nothing,
            None,
            OFFICERS_OR_OWNER,
        ),
        row(
            Method::GET,
            "/api/v1/applications/{id}",
            "/api/v1/applications/{app}",
            OpenApplication,
            None,
            OFFICERS_OR_OWNER,
        ),
        row(
            Method::POST,
            "/api/v1/applications/{id}/approve",
            "/api/v1/applications/{app}/approve",
            OpenApplication,
            None,
            DECIDERS,
        ),
        row(
            Method::POST,
            "/api/v1/applications/{id}/reject",
            "/api/v1/applications/{app}/reject",
            OpenApplication,
            Some(reason),
            DECIDERS,
        ),
        row(
            Method::POST,
            "/api/v1/applications/{id}/withdraw",
            "/api/v1/applications/{app}/withdraw",
            OpenApplication,
            None,
            [403, 403, 403, 403, 200, 403, 401],
        ),
        get("/api/v1/enterprises", OFFICERS),
        ent("/api/v1/enterprises/{id}", "/api/v1/enterprises/{A}"),
        ent("/api/v1/enterprises/{id}/versions", "/api/v1/enterprises/{A}/versions"),
        ent("/api/v1/enterprises/{id}/as-of", "/api/v1/enterprises/{A}/as-of?at={now}"),
        ent("/api/v1/enterprises/{id}/licences", "/api/v1/enterprises/{A}/licences"),
        ent("/api/v1/enterprises/{id}/certificates", "/api/v1/enterprises/{A}/certificates"),
        ent("/api/v1/enterprises/{id}/credit", "/api/v1/enterprises/{A}/credit"),
        ent("/api/v1/enterprises/{id}/warehouses", "/api/v1/enterprises/{A}/warehouses"),
        row(
            Method::POST,
            "/api/v1/enterprises/{id}/credit",
            "/api/v1/enterprises/{A}/credit",
            Nothing,
            Some(credit),
            [403, 403, 200, 403, 403, 403, 401],
        ),
        row(
            Method::POST,
            "/api/v1/certificates/{id}/revoke",
            "/api/v1/certificates/{cert}/revoke",
            OwnerCertificate,
            Some(reason),
            [200, 403, 200, 403, 200, 403, 401],
        ),
        // Clearance: enterprises send messages and read their receipts;
        // officers read documents and act on them.
        row(Method::POST, "/api/v1/messages", "/api/v1/messages", Nothing, None, [403, 403, 403, 403, 415, 415, 401]),
        row(Method::GET, "/api/v1/messages/{id}", "/api/v1/messages/nope", Nothing, None, NOT_FOUND),
        row(Method::GET, "/api/v1/messages/{id}/raw", "/api/v1/messages/nope/raw", Nothing, None, NOT_FOUND),
        get("/api/v1/receipts", ENTERPRISES),
        row(Method::POST, "/api/v1/receipts/ack", "/api/v1/receipts/ack", Nothing, Some(cursor), ENTERPRISES),
        get("/api/v1/webhook", [403, 403, 403, 403, 404, 404, 401]),
        row(
            Method::POST,
            "/api/v1/webhook",
            "/api/v1/webhook",
            Nothing,
            Some(webhook),
            [403, 403, 403, 403, 201, 201, 401],
        ),
        row(Method::DELETE, "/api/v1/webhook", "/api/v1/webhook", Nothing, None, [403, 403, 403, 403, 204, 204, 401]),
        row(
            Method::POST,
            "/api/v1/webhook/redeliver",
            "/api/v1/webhook/redeliver",
            Nothing,
            Some(redeliver),
            [403, 403, 403, 403, 409, 409, 401],
        ),
        get("/api/v1/webhook/deliveries", ENTERPRISES),
        get("/api/v1/documents", ANY_TOKEN),
        row(Method::GET, "/api/v1/documents/{id}", "/api/v1/documents/nope", Nothing, None, NOT_FOUND),
        row(
            Method::POST,
            "/api/v1/documents/{id}/actions",
            "/api/v1/documents/nope/actions",
            Nothing,
            Some(action),
            [404, 404, 404, 403, 403, 403, 401],
        ),
        row(
            Method::POST,
            "/api/v1/declaration-forms",
            "/api/v1/declaration-forms",
            Nothing,
            Some(form),
            [409, 409, 409, 403, 403, 403, 401],
        ),
        get("/api/v1/audit", AUDITORS),
        get("/api/v1/audit/verify", AUDITORS),
        // Risk rule sets: risk officers and supervisors write and try them,
        // a supervisor other than the uploader activates them.
        row(Method::POST, "/api/v1/risk/rule-sets", "/api/v1/risk/rule-sets", Nothing, Some(rule_set), WRITERS_201),
        get("/api/v1/risk/rule-sets", OFFICERS),
        row(
            Method::GET,
            "/api/v1/risk/rule-sets/{id}",
            "/api/v1/risk/rule-sets/{ruleset}",
            DraftRuleSet,
            None,
            OFFICERS,
        ),
        row(
            Method::POST,
            "/api/v1/risk/rule-sets/{id}/decision",
            "/api/v1/risk/rule-sets/{ruleset}/decision",
            DraftRuleSet,
            Some(decision),
            SUPERVISOR_200,
        ),
        row(Method::POST, "/api/v1/risk/dry-run", "/api/v1/risk/dry-run", Nothing, Some(rule_set), WRITERS_200),
        get("/api/v1/risk/active", OFFICERS),
        // Monitoring: risk officers and supervisors write; the enterprise
        // addressed responds to its orders; supervisors decide proposals.
        row(
            Method::POST,
            "/api/v1/monitoring/sampling-plans",
            "/api/v1/monitoring/sampling-plans",
            Nothing,
            Some(plan),
            WRITERS_201,
        ),
        row(
            Method::POST,
            "/api/v1/monitoring/test-results",
            "/api/v1/monitoring/test-results",
            Nothing,
            Some(result),
            WRITERS_201,
        ),
        row(
            Method::POST,
            "/api/v1/monitoring/warnings",
            "/api/v1/monitoring/warnings",
            Nothing,
            Some(finding),
            WRITERS_201,
        ),
        row(
            Method::POST,
            "/api/v1/monitoring/reduction-orders",
            "/api/v1/monitoring/reduction-orders",
            Nothing,
            Some(reduction),
            WRITERS_201,
        ),
        row(
            Method::POST,
            "/api/v1/monitoring/rectification-orders",
            "/api/v1/monitoring/rectification-orders",
            Nothing,
            Some(rectification),
            WRITERS_201,
        ),
        row(
            Method::POST,
            "/api/v1/monitoring/credit-proposals",
            "/api/v1/monitoring/credit-proposals",
            Upheld,
            Some(proposal),
            WRITERS_201,
        ),
        row(
            Method::POST,
            "/api/v1/monitoring/sampling-plans/{id}/commands",
            "/api/v1/monitoring/sampling-plans/{plan}/commands",
            Plan,
            Some(close),
            WRITERS_200,
        ),
        row(
            Method::POST,
            "/api/v1/monitoring/test-results/{id}/commands",
            "/api/v1/monitoring/test-results/{result}/commands",
            FailedResult,
            Some(withdraw),
            WRITERS_200,
        ),
        row(
            Method::POST,
            "/api/v1/monitoring/warnings/{id}/commands",
            "/api/v1/monitoring/warnings/{warning}/commands",
            Warning,
            Some(lift),
            WRITERS_200,
        ),
        row(
            Method::POST,
            "/api/v1/monitoring/reduction-orders/{id}/commands",
            "/api/v1/monitoring/reduction-orders/{reduction}/commands",
            Reduction,
            Some(withdraw),
            ORDER_OFFICER,
        ),
        row(
            Method::POST,
            "/api/v1/monitoring/reduction-orders/{id}/commands",
            "/api/v1/monitoring/reduction-orders/{reduction}/commands",
            Reduction,
            Some(respond),
            ORDER_RESPOND,
        ),
        row(
            Method::POST,
            "/api/v1/monitoring/rectification-orders/{id}/commands",
            "/api/v1/monitoring/rectification-orders/{rectification}/commands",
            Rectification,
            Some(follow_up),
            ORDER_OFFICER,
        ),
        row(
            Method::POST,
            "/api/v1/monitoring/rectification-orders/{id}/commands",
            "/api/v1/monitoring/rectification-orders/{rectification}/commands",
            Rectification,
            Some(respond),
            ORDER_RESPOND,
        ),
        row(
            Method::POST,
            "/api/v1/monitoring/credit-proposals/{id}/commands",
            "/api/v1/monitoring/credit-proposals/{proposal}/commands",
            Proposal,
            Some(decide),
            SUPERVISOR_200,
        ),
        get("/api/v1/monitoring/records", OFFICERS),
        row(Method::GET, "/api/v1/monitoring/records/{id}", "/api/v1/monitoring/records/{plan}", Plan, None, OFFICERS),
        get("/api/v1/monitoring/due", OFFICERS),
        ent("/api/v1/enterprises/{id}/monitoring-orders", "/api/v1/enterprises/{A}/monitoring-orders"),
    ]
}

struct Fixture {
    app: TestApp,
    /// Tokens by column (the last, "none", has none).
    tokens: [Option<String>; 7],
    a: String,
    b: String,
    a_token: String,
    /// A's USCC, the code monitoring records address.
    a_code: String,
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let reviewer = app.officer("matrix reviewer", "reviewer").await;
    let risk = app.officer("matrix risk officer", "risk_officer").await;
    let supervisor = app.officer("matrix supervisor", "supervisor").await;
    let admin = app.admin.clone();
    let a = app.file(&supervisor, &reviewer, json!({"record": record(&new_uscc(), &["ebc"])})).await;
    let b = app.file(&supervisor, &reviewer, json!({"record": record(&new_uscc(), &["ebc"])})).await;
    let a_token = app.enterprise_token(&a).await;
    let b_token = app.enterprise_token(&b).await;
    let tokens =
        [Some(reviewer), Some(risk), Some(supervisor), Some(admin), Some(a_token.clone()), Some(b_token), None];
    let a_code = app.uscc(&a).await;
    Fixture { app, tokens, a, b, a_token, a_code }
}

impl Fixture {
    /// Makes what a cell needs and returns the placeholder's value.
    async fn setup(&self, setup: Setup) -> Option<(&'static str, String)> {
        let app = &self.app;
        match setup {
            Setup::Nothing => None,
            Setup::OpenApplication => {
                let body = json!({"licences": [express_licence()]});
                let id = app.submit(&self.a_token, "licence_update", None, body).await.expect(201).id();
                Some(("{app}", id))
            }
            Setup::OwnerToken => {
                let r = app
                    .call(Method::POST, &format!("/api/v1/enterprises/{}/tokens", self.a), Some(&app.admin), None)
                    .await;
                Some(("{token}", r.expect(201).id()))
            }
            Setup::OwnerCertificate => {
                let pem = sm2_certificate(10_000 + unique(), START - DAY, START + 3650 * DAY);
                let serial = cbec_dsig::Certificate::from_pem(&pem).expect("pem").serial_hex();
                let bind = app.submit(&self.a_token, "certificate_binding", None, json!({"certificate": pem})).await;
                let reviewer = self.tokens[0].as_deref().unwrap_or_default();
                app.approve(reviewer, &bind.expect(201).id()).await.expect(200);
                let list = app.get(&format!("/api/v1/enterprises/{}/certificates", self.a), reviewer).await.expect(200);
                let cert = list.body.as_array().into_iter().flatten().find(|c| c["serial"] == serial.as_str()).cloned();
                Some(("{cert}", cert.expect("bound")["id"].as_str().unwrap_or_default().to_owned()))
            }
            Setup::DraftRuleSet => {
                let text = rule_set();
                let r = app.post_toml("/api/v1/risk/rule-sets", self.risk(), text.as_str().unwrap_or_default()).await;
                Some(("{ruleset}", r.expect(201).id()))
            }
            Setup::Plan => Some(("{plan}", self.create("sampling-plans", plan()).await)),
            Setup::FailedResult => Some(("{result}", self.create("test-results", result()).await)),
            Setup::Warning => Some(("{warning}", self.create("warnings", finding()).await)),
            Setup::Reduction => Some(("{reduction}", self.create("reduction-orders", reduction()).await)),
            Setup::Rectification => {
                Some(("{rectification}", self.create("rectification-orders", rectification()).await))
            }
            Setup::Upheld => Some(("{rect}", self.upheld().await)),
            Setup::Proposal => {
                let rect = self.upheld().await;
                let body = self.fill(proposal(), &[("{rect}", &rect)]);
                Some(("{proposal}", self.create("credit-proposals", body).await))
            }
        }
    }

    fn risk(&self) -> &str {
        self.tokens[1].as_deref().unwrap_or_default()
    }

    /// `{A_CODE}` and `replace` put in a body.
    fn fill(&self, body: Value, replace: &[(&str, &str)]) -> Value {
        let mut text = body.to_string().replace("{A_CODE}", &self.a_code);
        for (placeholder, value) in replace {
            text = text.replace(placeholder, value);
        }
        serde_json::from_str(&text).unwrap_or(body)
    }

    /// A monitoring record made by the risk officer; its id.
    async fn create(&self, path: &str, body: Value) -> String {
        let body = self.fill(body, &[]);
        self.app.post(&format!("/api/v1/monitoring/{path}"), self.risk(), body).await.expect(201).id()
    }

    /// An upheld rectification order of A, whose rating is set back to
    /// general first; its id.
    async fn upheld(&self) -> String {
        let supervisor = self.tokens[2].as_deref().unwrap_or_default();
        let general = json!({"rating": "general", "reason": "matrix"});
        self.app.post(&format!("/api/v1/enterprises/{}/credit", self.a), supervisor, general).await.expect(200);
        let id = self.create("rectification-orders", rectification()).await;
        let verify = json!({"command": "verify", "upheld": true, "note": "matrix"});
        self.app.command(&format!("rectification-orders/{id}"), self.risk(), 1, verify).await.expect(200);
        id
    }

    async fn call(&self, row: &Row, column: usize) -> Reply {
        let mut path = row.path.replace("{A}", &self.a).replace("{B}", &self.b);
        let now = cbec_store::Millis(self.app.clock.load(Ordering::SeqCst)).to_rfc3339();
        path = path.replace("{now}", &now);
        let setup = self.setup(row.setup).await;
        if let Some((placeholder, value)) = &setup {
            path = path.replace(placeholder, value);
        }
        let replace: Vec<(&str, &str)> = setup.iter().map(|(p, v)| (*p, v.as_str())).collect();
        let mut body = row.body.map(|f| self.fill(f(), &replace));
        // A JSON string is a rule file.
        if let Some(Value::String(text)) = &body {
            let token = self.tokens[column].as_deref();
            return self.app.call_raw(row.method.clone(), &path, token, "application/toml", text).await;
        }
        // `?for=` names the enterprise of an application in the body.
        if let Some((p, enterprise)) = path.split_once("?for=") {
            if let Some(b) = body.as_mut() {
                b["enterprise_id"] = json!(enterprise);
            }
            path = p.to_owned();
        }
        self.app.call(row.method.clone(), &path, self.tokens[column].as_deref(), body).await
    }
}

#[tokio::test]
async fn authorization_matrix() {
    let fx = fixture().await;
    let rows = rows();

    // The matrix covers every route of the service.
    let covered: BTreeSet<(String, &str)> = rows.iter().map(|r| (r.method.to_string(), r.route)).collect();
    let routes: BTreeSet<(String, &str)> = docs().iter().map(|d| (d.verb.as_str().to_owned(), d.path)).collect();
    let missing: Vec<_> = routes.difference(&covered).collect();
    assert!(missing.is_empty(), "routes missing from the authorization matrix: {missing:?}");
    let unknown: Vec<_> = covered.difference(&routes).collect();
    assert!(unknown.is_empty(), "matrix rows for routes that do not exist: {unknown:?}");

    let mut failures = Vec::new();
    let mut cells = 0;
    for row in &rows {
        for (column, &expected) in row.expect.iter().enumerate() {
            let reply = fx.call(row, column).await;
            cells += 1;
            let got = reply.status.as_u16();
            let code_ok = match got {
                401 => reply.code() == "auth.unauthorized",
                // The monitoring rules refuse an officer's respond and an
                // enterprise's officer command with their own code.
                403 => matches!(reply.code(), "auth.forbidden" | "monitoring.not_allowed"),
                _ => true,
            };
            if got != expected || !code_ok {
                failures.push(format!(
                    "{} {} as {}: expected {expected}, got {got} {}",
                    row.method, row.path, COLUMNS[column], reply.body
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {cells} cells differ:\n{}", failures.len(), failures.join("\n"));
    assert!(cells >= 200, "{cells}");
}
