//! The harness: the real router over a real SQLite store in a temp dir, a
//! controllable clock, and helpers that go through the API like a client.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use cbec_dsig::cert::{CertificateParams, issue};
use cbec_dsig::{KeyAlgorithm, SigningKey, UtcTime};
use cbec_model::ident::Uscc;
use cbec_server::{AppState, Config, app, bootstrap_administrator};
use cbec_store::Millis;
use rand::SeedableRng as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// 2026-03-01T00:00:00Z.
pub const START: i64 = 1_772_323_200_000;
pub const DAY: i64 = 86_400_000;

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    /// The time the next clock reading returns; each reading advances it by
    /// one second, so every event has its own instant.
    pub clock: Arc<AtomicI64>,
    pub admin: String,
    pub _dir: tempfile::TempDir,
}

/// A response: status and body (JSON if it parses, else a JSON string).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub content_type: String,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    pub fn diagnostic_codes(&self) -> Vec<String> {
        self.body["error"]["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["code"].as_str().map(str::to_owned))
            .collect()
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_else(|| panic!("no id in {}", self.body)).to_owned()
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(self.status.as_u16(), status, "unexpected answer: {}", self.body);
        self
    }
}

static SERIAL: AtomicU32 = AtomicU32::new(1);

/// A fresh, valid unified social credit code.
pub fn new_uscc() -> String {
    let n = SERIAL.fetch_add(1, Ordering::Relaxed);
    Uscc::with_check(&format!("91220100MA{n:07}")).expect("uscc").as_str().to_owned()
}

/// A self-signed SM2 certificate in PEM, valid from `from` to `to` (ms).
pub fn sm2_certificate(seed: u64, from: i64, to: i64) -> String {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let key = SigningKey::generate(KeyAlgorithm::Sm2, &mut rng).expect("key");
    let params = CertificateParams {
        subject: format!("CN=Test Signer {seed},O=Example Ltd,C=CN"),
        serial: seed.to_be_bytes().to_vec(),
        not_before: UtcTime::from_unix_seconds(from / 1000),
        not_after: UtcTime::from_unix_seconds(to / 1000),
        is_ca: false,
    };
    issue(&params, &key, None).expect("certificate").to_pem()
}

/// The real China E-Port SM2 UKey certificate of the Hainan sample
/// (serial 03000000000cde6f, valid 2023-03-29 to 2033-03-29), as PEM.
pub fn eport_certificate() -> String {
    let xml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../spec/samples/real/CEB621Message_sm2_eport_ukey.xml"
    ))
    .expect("sample");
    let start = xml.find("<ds:X509Certificate>").expect("certificate") + "<ds:X509Certificate>".len();
    let end = xml[start..].find('<').expect("end") + start;
    let b64: String = xml[start..end].chars().filter(|c| !c.is_whitespace()).collect();
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).expect("ascii"));
        pem.push('\n');
    }
    pem + "-----END CERTIFICATE-----\n"
}

/// The record of an e-commerce enterprise in Changchun.
pub fn record(uscc: &str, types: &[&str]) -> Value {
    json!({
        "uscc": uscc,
        "name": format!("长春测试跨境电商有限公司 {uscc}"),
        "address": "吉林省长春市",
        "contact": "张三",
        "telephone": "0431-88888888",
        "customs_district": "1500",
        "types": types,
        "trade": "both"
    })
}

pub fn payment_licence(valid_to: &str) -> Value {
    json!({
        "kind": "payment",
        "number": "Z2000422000011",
        "issuer": "中国人民银行",
        "scope": "互联网支付、移动电话支付",
        "valid_from": "2021-05-03",
        "valid_to": valid_to
    })
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(Config::default()).await
    }

    pub async fn spawn_with(config: Config) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("cbec.db").display());
        let store = cbec_store::open(&url).await.expect("open the sqlite store");
        let clock = Arc::new(AtomicI64::new(START));
        let reading = clock.clone();
        let state = AppState::new(store, Arc::new(move || Millis(reading.fetch_add(1000, Ordering::SeqCst))), config);
        let (_, admin) = bootstrap_administrator(&*state.store, "admin", state.now())
            .await
            .expect("bootstrap")
            .expect("first admin");
        TestApp { router: app(state.clone()), state, clock, admin, _dir: dir }
    }

    /// Moves the clock to `ms`.
    pub fn set_time(&self, ms: i64) {
        self.clock.store(ms, Ordering::SeqCst);
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let content_type =
            response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Reply { status, body, content_type }
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let request = match body {
            Some(b) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string()))
                .expect("request"),
            None => builder.body(Body::empty()).expect("request"),
        };
        self.send(request).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Creates an officer and returns its token.
    pub async fn officer(&self, name: &str, role: &str) -> String {
        let r = self.post("/api/v1/officers", &self.admin, json!({"name": name, "role": role})).await.expect(201);
        r.body["token"]["token"].as_str().expect("token").to_owned()
    }

    /// Submits an application and returns its id.
    pub async fn submit(&self, token: &str, kind: &str, enterprise_id: Option<&str>, payload: Value) -> Reply {
        let mut body = json!({"kind": kind, "payload": payload});
        if let Some(id) = enterprise_id {
            body["enterprise_id"] = json!(id);
        }
        self.post("/api/v1/applications", token, body).await
    }

    pub async fn approve(&self, token: &str, application: &str) -> Reply {
        self.call(Method::POST, &format!("/api/v1/applications/{application}/approve"), Some(token), None).await
    }

    /// Files an enterprise (submitted by `submitter`, approved by
    /// `approver`) and returns its id.
    pub async fn file(&self, submitter: &str, approver: &str, payload: Value) -> String {
        let app = self.submit(submitter, "initial_filing", None, payload).await.expect(201).id();
        let approved = self.approve(approver, &app).await.expect(200);
        approved.body["enterprise_id"].as_str().expect("enterprise_id").to_owned()
    }

    /// A new API token for an enterprise, made by the administrator.
    pub async fn enterprise_token(&self, enterprise: &str) -> String {
        let r =
            self.call(Method::POST, &format!("/api/v1/enterprises/{enterprise}/tokens"), Some(&self.admin), None).await;
        r.expect(201).body["token"].as_str().expect("token").to_owned()
    }
}

// ---- risk and monitoring ---------------------------------------------------------------

/// A valid rule file of `version` with one rule sending lists of goods
/// under `hs_prefix` to `lane`; no random selection.
pub fn rule_file(version: &str, hs_prefix: &str, lane: &str) -> String {
    format!(
        "version = \"{version}\"\n[rates]\nminimum_random_inspection = 0.0\nyellow = 0.0\n\n[[rule]]\n\
         id = \"R-1\"\ndescription = \"goods under {hs_prefix}\"\nlane = \"{lane}\"\n[rule.when]\n\
         hs_prefix = [\"{hs_prefix}\"]\n"
    )
}

/// A failed test result of infant formula (HS 1901101000, origin 309)
/// answered by the enterprise `code`.
pub fn failed_result(code: &str) -> Value {
    json!({
        "product": {
            "hs_code": "1901101000",
            "name": "婴儿配方奶粉",
            "enterprise": code,
            "batch": "LOT-2026-001",
            "origin_country": "309"
        },
        "lab": "长春海关技术中心",
        "sampled_at": START - 3 * DAY,
        "tested_at": START - DAY,
        "outcome": {"verdict": "fail", "findings": ["Enterobacter sakazakii detected in 3 of 5 samples"], "hazard": "microbial"}
    })
}

impl TestApp {
    /// A request with a raw body of `content_type`.
    pub async fn call_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: &str,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(path).header(header::CONTENT_TYPE, content_type);
        if let Some(t) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(builder.body(Body::from(body.to_owned())).expect("request")).await
    }

    /// POSTs a TOML rule file.
    pub async fn post_toml(&self, path: &str, token: &str, text: &str) -> Reply {
        self.call_raw(Method::POST, path, Some(token), "application/toml", text).await
    }

    /// Sends a signed CEB message as an enterprise; the answer (receipt XML).
    pub async fn send_message(&self, token: &str, xml: Vec<u8>) -> Reply {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/messages")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/xml")
            .body(Body::from(xml))
            .expect("request");
        self.send(request).await
    }

    /// The USCC of a filed enterprise.
    pub async fn uscc(&self, enterprise: &str) -> String {
        let e = self.get(&format!("/api/v1/enterprises/{enterprise}"), &self.admin).await.expect(200);
        e.body["record"]["uscc"].as_str().expect("uscc").to_owned()
    }

    /// Gives a command on a monitoring record.
    pub async fn command(&self, path: &str, token: &str, version: i64, command: Value) -> Reply {
        let mut body = command;
        body["expected_version"] = json!(version);
        self.post(&format!("/api/v1/monitoring/{path}/commands"), token, body).await
    }
}
