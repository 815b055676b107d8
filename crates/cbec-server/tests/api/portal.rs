//! The enterprise portal through the real router: an enterprise signs in
//! and sees its record, applies for changes and an overseas warehouse
//! through forms (the API's rules and audit), reads its receipts with each
//! rejection broken into code, field and hint, answers an order, manages
//! its API tokens and webhook; it never sees another enterprise's records,
//! and every form needs the session's CSRF token.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use cbec_dsig::KeyAlgorithm;
use cbec_fixtures::{ImportMode, Parties, import_case};
use cbec_pipeline::traffic::file_world;
use cbec_server::web::hash_password;
use cbec_store::{Actor, Millis, Principal};
use serde_json::json;
use tower::ServiceExt as _;

use crate::helpers::*;

struct Page {
    status: StatusCode,
    location: String,
    body: String,
}

impl Page {
    /// The first hidden CSRF field of the page.
    fn csrf(&self) -> String {
        let at = self.body.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
        self.body[at..].split('"').next().unwrap().to_owned()
    }

    #[track_caller]
    fn expect(self, status: u16) -> Page {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        self
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A browser: the session cookie it holds.
struct Browser<'a> {
    app: &'a TestApp,
    session: Option<String>,
}

impl<'a> Browser<'a> {
    async fn send(&self, method: Method, path: &str, cookie: Option<String>, form: Option<&[(&str, &str)]>) -> Page {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(c) = cookie {
            builder = builder.header(header::COOKIE, c);
        }
        let request = match form {
            Some(fields) => {
                let body =
                    fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
                builder
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap()
            }
            None => builder.body(Body::empty()).unwrap(),
        };
        let response = self.app.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let location =
            response.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Page { status, location, body: String::from_utf8(bytes.to_vec()).unwrap() }
    }

    async fn sign_in(app: &'a TestApp, name: &str, password: &str) -> Browser<'a> {
        let request = Request::builder().uri("/login").body(Body::empty()).unwrap();
        let response = app.router.clone().oneshot(request).await.unwrap();
        let pre = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .find_map(|v| {
                v.to_str().unwrap().strip_prefix("cbec_csrf=").map(|v| v.split(';').next().unwrap().to_owned())
            })
            .expect("a pre-session cookie");
        let form = [("csrf", pre.as_str()), ("name", name), ("password", password)];
        let request = Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(header::COOKIE, format!("cbec_csrf={pre}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")))
            .unwrap();
        let response = app.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name} signs in");
        let session = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .find_map(|v| {
                v.to_str().unwrap().strip_prefix("cbec_session=").map(|v| v.split(';').next().unwrap().to_owned())
            })
            .expect("a session");
        Browser { app, session: Some(session) }
    }

    fn cookie(&self) -> Option<String> {
        self.session.as_ref().map(|s| format!("cbec_session={s}"))
    }

    async fn get(&self, path: &str) -> Page {
        self.send(Method::GET, path, self.cookie(), None).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send(Method::POST, path, self.cookie(), Some(form)).await
    }

    /// Gets the page holding a form, then posts the form with its token.
    async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.get(form_page).await.expect(200).csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }
}

async fn set_password(app: &TestApp, principal: Principal, password: &str) {
    let actor = Actor { principal: Principal::System("test".into()), at: Millis(START) };
    app.state.store.set_password(&principal, &hash_password(password).unwrap(), &actor).await.unwrap();
}

/// Two enterprises filed through the API, each with a web password.
struct Two {
    reviewer: String,
    risk: String,
    a: String,
    a_code: String,
    b: String,
    b_code: String,
}

async fn two(app: &TestApp) -> Two {
    let reviewer = app.officer("rita", "reviewer").await;
    let supervisor = app.officer("sam", "supervisor").await;
    let risk = app.officer("risa", "risk_officer").await;
    let (a_code, b_code) = (new_uscc(), new_uscc());
    let a = app.file(&reviewer, &supervisor, json!({"record": record(&a_code, &["ebc"])})).await;
    let b = app.file(&reviewer, &supervisor, json!({"record": record(&b_code, &["ebc"])})).await;
    set_password(app, Principal::Enterprise(a.clone()), "shop-a-password").await;
    set_password(app, Principal::Enterprise(b.clone()), "shop-b-password").await;
    Two { reviewer, risk, a, a_code, b, b_code }
}

#[tokio::test]
async fn the_portal_is_for_signed_in_enterprises_only() {
    let app = TestApp::spawn().await;
    let t = two(&app).await;
    let nobody = Browser { app: &app, session: None };
    for path in ["/portal", "/portal/messages", "/portal/tokens", "/portal/orders"] {
        let p = nobody.get(path).await.expect(303);
        assert_eq!(p.location, "/login", "{path}");
    }
    // A form without a session is refused outright.
    nobody.post("/portal/tokens", &[("csrf", "x"), ("label", "x")]).await.expect(403);

    set_password(
        &app,
        Principal::Officer(app.state.store.officer_by_name("rita").await.unwrap().unwrap().id),
        "rita-password-1",
    )
    .await;
    let officer = Browser::sign_in(&app, "rita", "rita-password-1").await;
    let p = officer.get("/portal").await.expect(403);
    assert!(p.body.contains("企业门户仅供企业账户使用"), "{}", p.body);

    let a = Browser::sign_in(&app, &t.a_code, "shop-a-password").await;
    let p = a.get("/portal").await.expect(200);
    assert!(p.body.contains(&t.a_code), "{}", p.body);
    assert!(p.body.contains("备案概况") && p.body.contains("统一社会信用代码 USCC"));
    assert!(p.body.contains("跨境电子商务企业（ebc）"), "{}", p.body);
    assert!(!p.body.contains("<script"), "no JavaScript");
    let en = a.get("/portal?lang=en").await.expect(200);
    assert!(en.body.contains("Filing record") && en.body.contains("Unified social credit code (USCC)"));
    assert!(!en.body.contains("备案概况"));
    assert!(p.body.contains("aria-current=\"page\""));
    let _ = t.reviewer;
}

#[tokio::test]
async fn applications_go_through_the_filing_rules_and_the_audit_log() {
    let app = TestApp::spawn().await;
    let t = two(&app).await;
    let a = Browser::sign_in(&app, &t.a_code, "shop-a-password").await;

    // The change form is filled with the record on file.
    let form = a.get("/portal/applications/change").await.expect(200);
    assert!(form.body.contains("value=\"吉林省长春市\""), "{}", form.body);
    assert!(form.body.contains("name=\"types\" value=\"ebc\" checked"));
    let csrf = form.csrf();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("name", "长春测试跨境电商有限公司（新）"),
        ("name_en", ""),
        ("address", "吉林省长春市南关区人民大街1号"),
        ("contact", "李四"),
        ("telephone", "0431-88888888"),
        ("customs_district", "1500"),
        ("dxp_id", ""),
        ("types", "ebc"),
        ("trade", "both"),
    ];
    // Without the token: 403, nothing submitted.
    let no_token: Vec<(&str, &str)> = fields.iter().copied().filter(|(k, _)| *k != "csrf").collect();
    a.post("/portal/applications/change", &no_token).await.expect(403);
    let wrong: Vec<(&str, &str)> =
        fields.iter().map(|(k, v)| if *k == "csrf" { (*k, "forged-token") } else { (*k, *v) }).collect();
    a.post("/portal/applications/change", &wrong).await.expect(403);
    let none = app.get(&format!("/api/v1/applications?enterprise_id={}&kind=info_change", t.a), &t.reviewer).await;
    assert_eq!(none.body, json!([]));

    let done = a.post("/portal/applications/change", &fields).await.expect(303);
    assert!(done.location.starts_with("/portal/applications/") && done.location.ends_with("?done=submitted"));
    let id = done.location["/portal/applications/".len()..].split('?').next().unwrap().to_owned();
    let shown = a.get(&done.location).await.expect(200);
    assert!(shown.body.contains("申请已提交") && shown.body.contains("人民大街1号"), "{}", shown.body);
    let stored = app.get(&format!("/api/v1/applications/{id}"), &t.reviewer).await.expect(200).body;
    assert_eq!(stored["kind"], "info_change");
    assert_eq!(stored["state"], "submitted");
    assert_eq!(stored["submitted_by"], json!({"kind": "enterprise", "id": t.a}));
    assert_eq!(stored["payload"]["record"]["address"], "吉林省长春市南关区人民大街1号");
    assert_eq!(stored["payload"]["record"]["uscc"], t.a_code.as_str(), "the identity is kept");
    let audit = app.get("/api/v1/audit?limit=1000", &app.admin).await.expect(200);
    let entry = audit.body.as_array().unwrap().iter().find(|e| e["entity_id"] == id.as_str()).cloned();
    let entry = entry.unwrap_or_else(|| panic!("the submission is audited: {}", audit.body));
    assert_eq!(entry["actor"], format!("enterprise:{}", t.a), "{entry}");

    // The rules refuse a change that changes nothing: 422 with code, field and hint.
    fields.retain(|(k, _)| !["name", "address", "contact"].contains(k));
    fields.extend([("name", ""), ("address", "吉林省长春市"), ("contact", "张三")]);
    let refused = a.submit("/portal/applications/change", "/portal/applications/change", &fields[1..]).await;
    let refused = refused.expect(422);
    assert!(refused.body.contains("data-code=\"filing.missing_field\""), "{}", refused.body);
    assert!(refused.body.contains("class=\"hint\""));

    // An overseas warehouse: refused with the area's field, then filed.
    let bad = [
        ("wh_name", "洛杉矶仓"),
        ("wh_country", "502"),
        ("wh_address", "1 Main St, Los Angeles, CA"),
        ("wh_area", "0"),
        ("wh_nature", "leased"),
        ("wh_document", "LEASE-2026-001"),
        ("wh_operator", ""),
    ];
    let refused = a.submit("/portal/applications/warehouse", "/portal/applications/warehouse", &bad).await.expect(422);
    assert!(refused.body.contains("data-code=\"filing.warehouse_area\""), "{}", refused.body);
    assert!(refused.body.contains("value=\"洛杉矶仓\""), "the form keeps what was typed");
    let mut good = bad;
    good[3] = ("wh_area", "1200");
    let done = a.submit("/portal/applications/warehouse", "/portal/applications/warehouse", &good).await.expect(303);
    let wid = done.location["/portal/applications/".len()..].split('?').next().unwrap().to_owned();
    let stored = app.get(&format!("/api/v1/applications/{wid}"), &t.reviewer).await.expect(200).body;
    assert_eq!(stored["kind"], "overseas_warehouse");
    assert_eq!(stored["payload"]["warehouse"]["area_m2"], "1200");
    assert_eq!(stored["payload"]["warehouse"]["operator"], json!(null));

    let list = a.get("/portal/applications").await.expect(200);
    assert!(list.body.contains(&id) && list.body.contains(&wid));
    // B sees neither A's applications in its list nor one by its id.
    let b = Browser::sign_in(&app, &t.b_code, "shop-b-password").await;
    let list = b.get("/portal/applications").await.expect(200);
    assert!(!list.body.contains(&id) && !list.body.contains(&wid));
    b.get(&format!("/portal/applications/{id}")).await.expect(403);
    b.get("/portal/applications/no-such-id").await.expect(404);
}

#[tokio::test]
async fn rejections_show_code_field_and_hint_and_documents_stay_private() {
    let app = TestApp::spawn().await;
    let codes = Parties::default();
    let world = file_world(&*app.state.store, &codes, KeyAlgorithm::Sm2, app.state.now()).await.expect("parties");
    for party in [&world.ebp, &world.agent] {
        set_password(&app, Principal::Enterprise(party.id.clone()), "party-password").await;
    }
    let ebp_token = app.enterprise_token(&world.ebp.id).await;

    // A bad order: its first item's total price is not qty × price.
    let mut case = import_case(7001, ImportMode::DirectPurchase, 1, &codes);
    let item = &mut case.order.order[0].order_list[0];
    item.total_price = item.total_price + item.total_price;
    let [order, ..] = world.sign_case(&case).expect("sign");
    let answer = app.send_message(&ebp_token, order).await.expect(200);
    assert!(answer.body.as_str().unwrap().contains("arith.total_price"), "{}", answer.body);

    let ebp = Browser::sign_in(&app, &world.ebp.code, "party-password").await;
    let page = ebp.get("/portal/messages").await.expect(200);
    assert!(page.body.contains("class=\"receipt rejected\""), "{}", page.body);
    assert!(page.body.contains("data-code=\"arith.total_price\""), "{}", page.body);
    assert!(page.body.contains("总价 totalPrice"), "field in both languages: {}", page.body);
    assert!(page.body.contains("<code>Order[1]/OrderList[1]/totalPrice</code>"));
    assert!(page.body.contains("将 totalPrice 改为 qty × price"), "the fix hint");
    let en = ebp.get("/portal/messages?lang=en").await.expect(200);
    assert!(en.body.contains("Set totalPrice to qty × price") && en.body.contains("How to fix it"));

    // The document and the message behind the receipt.
    let at = page.body.find("href=\"/portal/documents/").expect("a document link") + "href=\"/portal/documents/".len();
    let doc_id = page.body[at..].split('"').next().unwrap().to_owned();
    let doc = ebp.get(&format!("/portal/documents/{doc_id}")).await.expect(200);
    assert!(doc.body.contains("data-code=\"arith.total_price\"") && doc.body.contains("退单（100）"), "{}", doc.body);
    let at = doc.body.find("href=\"/portal/messages/").expect("a message link") + "href=\"/portal/messages/".len();
    let message_id = doc.body[at..].split('"').next().unwrap().to_owned();
    let message = ebp.get(&format!("/portal/messages/{message_id}")).await.expect(200);
    assert!(
        message.body.contains("CEB311Message") && message.body.contains("&lt;ceb:CEB311Message"),
        "{}",
        message.body
    );
    let lists = ebp.get("/portal/lists?kind=order").await.expect(200);
    assert!(lists.body.contains(&doc_id));
    ebp.get("/portal/lists?kind=nonsense").await.expect(400);

    // Another enterprise (the agent, not named by the order) sees none of it.
    let agent = Browser::sign_in(&app, &world.agent.code, "party-password").await;
    agent.get(&format!("/portal/documents/{doc_id}")).await.expect(404);
    agent.get(&format!("/portal/messages/{message_id}")).await.expect(404);
    let theirs = agent.get("/portal/messages").await.expect(200);
    assert!(!theirs.body.contains("arith.total_price") && theirs.body.contains("还没有回执"));
    assert!(!agent.get("/portal/lists?kind=all").await.expect(200).body.contains(&doc_id));
}

#[tokio::test]
async fn orders_are_answered_by_their_addressee() {
    let app = TestApp::spawn().await;
    let t = two(&app).await;
    let order = json!({"enterprise": t.a_code, "action": "recall", "goods": "婴儿配方奶粉 LOT-2026-001, 1200 cans",
        "deadline": START + 7 * DAY});
    let id = app.post("/api/v1/monitoring/reduction-orders", &t.risk, order).await.expect(201).id();

    let b = Browser::sign_in(&app, &t.b_code, "shop-b-password").await;
    let theirs = b.get("/portal/orders").await.expect(200);
    assert!(!theirs.body.contains(&id) && theirs.body.contains("没有发给本企业的通知"));
    let a = Browser::sign_in(&app, &t.a_code, "shop-a-password").await;
    let mine = a.get("/portal/orders").await.expect(200);
    assert!(mine.body.contains(&id) && mine.body.contains("风险消减通知"), "{}", mine.body);
    assert!(mine.body.contains(&format!("action=\"/portal/orders/{id}/respond\"")));

    let answer =
        [("kind", "reduction"), ("version", "1"), ("text", "1,180 cans recalled"), ("evidence", "RC-77\nRC-78")];
    // B cannot answer A's order, even with its own valid token.
    // (B has no order form: its session's token comes from its tokens page.)
    b.submit("/portal/tokens", &format!("/portal/orders/{id}/respond"), &answer).await.expect(403);
    // Without the CSRF token: refused.
    a.post(&format!("/portal/orders/{id}/respond"), &answer).await.expect(403);
    let done = a.submit("/portal/orders", &format!("/portal/orders/{id}/respond"), &answer).await.expect(303);
    assert_eq!(done.location, "/portal/orders?done=responded");
    let record = app.get(&format!("/api/v1/monitoring/records/{id}"), &t.risk).await.expect(200).body;
    assert_eq!(record["state"], "responded");
    assert_eq!(record["record"]["state"]["response"]["evidence"], json!(["RC-77", "RC-78"]));
    let after = a.get(&done.location).await.expect(200);
    assert!(after.body.contains("答复已提交") && after.body.contains("1,180 cans recalled"));
    assert!(!after.body.contains(&format!("action=\"/portal/orders/{id}/respond\"")), "no form once answered");
    // The same version again is stale: 409, nothing changes.
    a.submit("/portal/tokens", &format!("/portal/orders/{id}/respond"), &answer).await.expect(409);
}

#[tokio::test]
async fn tokens_and_the_webhook_are_managed_with_confirmation() {
    let app = TestApp::spawn().await;
    let t = two(&app).await;
    let a = Browser::sign_in(&app, &t.a_code, "shop-a-password").await;
    assert!(a.get("/portal/tokens").await.expect(200).body.contains("还没有 API 令牌"));

    let created = a.submit("/portal/tokens", "/portal/tokens", &[("label", "erp")]).await.expect(201);
    let at = created.body.find("id=\"new-token\">").expect("the secret") + "id=\"new-token\">".len();
    let secret = created.body[at..].split('<').next().unwrap().to_owned();
    assert_eq!(secret.len(), 43);
    let me = app.get("/api/v1/me", &secret).await.expect(200);
    assert_eq!((me.body["kind"].as_str(), me.body["id"].as_str()), (Some("enterprise"), Some(t.a.as_str())));
    // Shown once: the list never shows it again.
    let list = a.get("/portal/tokens").await.expect(200);
    assert!(!list.body.contains(&secret) && list.body.contains("erp"));
    let token_id = app.state.store.list_tokens(&Principal::Enterprise(t.a.clone())).await.unwrap()[0].id.clone();

    // B cannot revoke A's token: not found on the confirmation, 403 on the post.
    let b = Browser::sign_in(&app, &t.b_code, "shop-b-password").await;
    b.get(&format!("/portal/tokens/{token_id}/revoke")).await.expect(404);
    b.submit("/portal/tokens", &format!("/portal/tokens/{token_id}/revoke"), &[]).await.expect(403);
    // A confirms, then it is revoked.
    let confirm = a.get(&format!("/portal/tokens/{token_id}/revoke")).await.expect(200);
    assert!(confirm.body.contains("确定吊销此令牌") && confirm.body.contains("erp"));
    a.post(&format!("/portal/tokens/{token_id}/revoke"), &[]).await.expect(403);
    let csrf = confirm.csrf();
    let done = a.post(&format!("/portal/tokens/{token_id}/revoke"), &[("csrf", &csrf)]).await.expect(303);
    assert_eq!(done.location, "/portal/tokens?done=revoked");
    app.get("/api/v1/me", &secret).await.expect(401);

    // The webhook: a bad URL is refused, a good one saved with its secret shown once.
    let bad = a.submit("/portal/webhook", "/portal/webhook", &[("url", "ftp://example"), ("secret", "")]).await;
    assert!(bad.expect(400).body.contains("request.invalid"));
    let short = a.submit("/portal/webhook", "/portal/webhook", &[("url", "http://127.0.0.1:9/r"), ("secret", "short")]);
    short.await.expect(400);
    let saved = a
        .submit("/portal/webhook", "/portal/webhook", &[("url", "http://127.0.0.1:9/receipts"), ("secret", "")])
        .await
        .expect(201);
    assert!(saved.body.contains("签名密钥如下") && saved.body.contains("http://127.0.0.1:9/receipts"));
    let api_token = app.enterprise_token(&t.a).await;
    let hook = app.get("/api/v1/webhook", &api_token).await.expect(200).body;
    assert_eq!(hook["url"], "http://127.0.0.1:9/receipts");
    let page = a.get("/portal/webhook").await.expect(200);
    assert!(page.body.contains("当前推送地址") && page.body.contains("/portal/webhook/remove"));
    let confirm = a.get("/portal/webhook/remove").await.expect(200);
    let csrf = confirm.csrf();
    a.post("/portal/webhook/remove", &[("csrf", &csrf)]).await.expect(303);
    app.get("/api/v1/webhook", &api_token).await.expect(404);
    a.get("/portal/webhook/remove").await.expect(404);
    let _ = (t.b, t.risk);
}
