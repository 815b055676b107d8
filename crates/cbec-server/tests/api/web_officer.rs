//! The officers' workbench through the real router: every page renders for
//! an officer in both languages, is refused to an enterprise (403) and
//! sends a visitor without a session to `/login`; every action needs the
//! session's CSRF token and passes a confirmation page, is authorized by
//! the API's own role checks and lands in the audit log; the dashboard's
//! CSV holds the numbers of its tables; search finds documents by their
//! business keys.

use axum::http::{Method, StatusCode};
use cbec_dsig::KeyAlgorithm;
use cbec_fixtures::{ImportCase, ImportMode, Parties, import_case};
use cbec_pipeline::traffic::{World, file_world};
use cbec_store::Principal;
use serde_json::json;

use crate::helpers::*;
use crate::web::{Page, officer_principal, send, set_password, sign_in};

const PASSWORD: &str = "officer-password-1";

/// The parties of retail imports, filed with keys, and the tokens of the
/// four that send.
struct Traffic {
    world: World,
    codes: Parties,
    tokens: [String; 4],
}

async fn traffic(app: &TestApp) -> Traffic {
    let codes = Parties::default();
    let world = file_world(&*app.state.store, &codes, KeyAlgorithm::Sm2, app.state.now()).await.expect("file");
    let mut tokens = Vec::new();
    for party in [&world.ebp, &world.pay, &world.logistics, &world.agent] {
        tokens.push(app.enterprise_token(&party.id).await);
    }
    Traffic { world, codes, tokens: tokens.try_into().expect("four tokens") }
}

fn hs(case: &ImportCase) -> &str {
    &case.list.inventory[0].inventory_list[0].gcode
}

/// A one-item case whose goods are (or are not) under `prefix`, from seed
/// `from` upwards.
fn seeded(t: &Traffic, from: u64, prefix: &str, matching: bool) -> (u64, ImportCase) {
    (from..from + 500)
        .map(|seed| (seed, import_case(seed, ImportMode::DirectPurchase, 1, &t.codes)))
        .find(|(_, c)| hs(c).starts_with(prefix) == matching)
        .expect("a case")
}

fn case(t: &Traffic, from: u64, prefix: &str, matching: bool) -> ImportCase {
    seeded(t, from, prefix, matching).1
}

/// Sends a case's four messages; the id of its list.
async fn import(app: &TestApp, t: &Traffic, case: &ImportCase) -> String {
    let signed = t.world.sign_case(case).expect("sign");
    for (token, xml) in t.tokens.iter().zip(signed) {
        app.send_message(token, xml).await.expect(200);
    }
    let lists = app.get("/api/v1/documents?kind=list&limit=1", &app.admin).await.expect(200);
    lists.body[0]["id"].as_str().expect("a list").to_owned()
}

/// An officer with a web password, signed in: its session token.
async fn session(app: &TestApp, name: &str, role: &str) -> (String, String) {
    let token = app.officer(name, role).await;
    set_password(app, officer_principal(app, name).await, PASSWORD).await;
    let signed = sign_in(app, name, PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    (signed.cookie("cbec_session").expect("a session"), token)
}

async fn get(app: &TestApp, session: &str, path: &str) -> Page {
    send(app, Method::GET, path, &[("cbec_session", session)], None).await
}

async fn post(app: &TestApp, session: &str, path: &str, form: &[(&str, &str)]) -> Page {
    send(app, Method::POST, path, &[("cbec_session", session)], Some(form)).await
}

/// The audit entries with `action` on `entity_id`, by actor.
async fn audited(app: &TestApp, action: &str, entity_id: &str) -> Vec<String> {
    let entries = app.state.store.audit_entries(0, 100_000).await.unwrap();
    entries.into_iter().filter(|e| e.action == action && e.entity_id == entity_id).map(|e| e.actor).collect()
}

/// The rows of an HTML table (by id) of the dashboard: each row's cells'
/// text (the cells hold plain text).
fn table_rows(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html.find(&format!("<table class=\"numbers\" id=\"{id}\"")).unwrap_or_else(|| panic!("no table {id}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<t")
                .skip(1)
                .filter(|cell| cell.starts_with('h') || cell.starts_with('d'))
                .map(|cell| {
                    let text = &cell[cell.find('>').unwrap() + 1..];
                    text[..text.find('<').unwrap_or(text.len())].to_string()
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn an_officer_reviews_a_held_list_orders_inspection_and_releases_it() {
    let app = TestApp::spawn().await;
    let (rita, _) = session(&app, "rita", "reviewer").await;
    let (_, sam) = session(&app, "sam", "supervisor").await;
    let sue = app.officer("sue", "supervisor").await;
    let (admin, _) = session(&app, "ada", "administrator").await;

    // Rules that put lists of infant formula on the red lane (inspection).
    let draft = app.post_toml("/api/v1/risk/rule-sets", &sam, &rule_file("web-1", "1901", "red")).await.expect(201);
    app.post(&format!("/api/v1/risk/rule-sets/{}/decision", draft.id()), &sue, json!({"approve": true}))
        .await
        .expect(200);
    let t = traffic(&app).await;
    let formula = case(&t, 1, "1901", true);
    let list = import(&app, &t, &formula).await;
    let other = case(&t, 1, "1901", false);
    let released = import(&app, &t, &other).await;

    // The held list is in the inspection queue.
    let queue = get(&app, &rita, "/queues/lists?status=inspection").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains(&format!("href=\"/documents/{list}\"")), "{}", queue.body);
    assert!(!queue.body.contains(&format!("href=\"/documents/{released}\"")));

    // Its page: the rule that fired, the three documents beside it, no mismatch.
    let page = get(&app, &rita, &format!("/documents/{list}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"rules-fired\"") && page.body.contains("<code>R-1</code>"), "{}", page.body);
    assert!(page.body.contains("id=\"risk-lane\">red<"));
    assert!(page.body.contains("id=\"side-by-side\""));
    assert!(page.body.contains("订单编号</span> <code>orderNo</code>"), "CEB names in both languages");
    assert!(page.body.contains("id=\"mismatches-none\""));
    let serial = app.state.store.certificates(&t.world.agent.id).await.unwrap()[0].cert.serial.clone();
    assert!(page.body.contains("id=\"signature\"") && page.body.contains(&serial), "{}", page.body);
    assert!(page.body.contains("id=\"raw-xml\"") && page.body.contains("&lt;ceb:CEB621Message"));
    assert!(page.body.contains("id=\"action-inspection_passed\""));
    assert!(!page.body.contains("id=\"action-inspect\""), "already in inspection");
    let raw = get(&app, &rita, &format!("/documents/{list}/raw")).await;
    assert_eq!(raw.status, StatusCode::OK);
    assert!(raw.body.contains("CEB621Message"));

    // The action: no token, a wrong one → 403; the first post only asks.
    let form = [("action", "inspection_passed"), ("reason", "查验无异常")];
    let path = format!("/documents/{list}/action");
    assert_eq!(post(&app, &rita, &path, &form).await.status, StatusCode::FORBIDDEN);
    let wrong = [("csrf", "x"), ("action", "inspection_passed"), ("reason", "r"), ("confirm", "1")];
    assert_eq!(post(&app, &rita, &path, &wrong).await.status, StatusCode::FORBIDDEN);
    let csrf = page.csrf();
    let ask =
        post(&app, &rita, &path, &[("csrf", &csrf), ("action", "inspection_passed"), ("reason", "查验无异常")]).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.body.contains("id=\"confirm\"") && ask.body.contains("value=\"inspection_passed\""), "{}", ask.body);
    let doc = app.get(&format!("/api/v1/documents/{list}"), &sam).await.expect(200);
    assert_eq!(doc.body["status"], "inspection", "nothing happens before the confirmation");

    // An administrator may not act on documents (the API's roles).
    let admin_csrf = get(&app, &admin, "/dashboard").await.csrf();
    let refused = post(
        &app,
        &admin,
        &path,
        &[("csrf", &admin_csrf), ("action", "inspection_passed"), ("reason", "x"), ("confirm", "1")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    // Confirmed: released, with the reviewer's audit entry and a receipt.
    let done = post(
        &app,
        &rita,
        &path,
        &[("csrf", &csrf), ("action", "inspection_passed"), ("reason", "查验无异常"), ("confirm", "1")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), format!("/documents/{list}?done=inspection_passed"));
    let doc = app.get(&format!("/api/v1/documents/{list}"), &sam).await.expect(200);
    assert_eq!(doc.body["status"], "released");
    let rita_id = match officer_principal(&app, "rita").await {
        Principal::Officer(id) => id,
        other => panic!("{other:?}"),
    };
    assert_eq!(audited(&app, "document.act", &list).await, vec![format!("officer:{rita_id}")]);
    let after = get(&app, &rita, &format!("/documents/{list}?done=inspection_passed")).await;
    assert!(after.body.contains("id=\"notice\""));
    assert!(after.body.contains("查验无异常"), "the move's reason is in the history");
    assert!(after.body.contains("id=\"action-inspect\""), "a released list may be inspected again");

    // An action the status table does not allow is refused by the API (409).
    let again = post(
        &app,
        &rita,
        &path,
        &[("csrf", &csrf), ("action", "inspection_passed"), ("reason", "again"), ("confirm", "1")],
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
}

#[tokio::test]
async fn a_rejected_list_shows_its_mismatches_field_by_field() {
    let app = TestApp::spawn().await;
    let (rita, _) = session(&app, "rita", "reviewer").await;
    let t = traffic(&app).await;
    let mut bad = case(&t, 7, "1901", false);
    let paid = bad.payment.payment[0].payment_head.amount_paid + cbec_model::Decimal::ONE;
    bad.payment.payment[0].payment_head.amount_paid = paid;
    let list = import(&app, &t, &bad).await;
    let page = get(&app, &rita, &format!("/documents/{list}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"mismatches\""), "{}", page.body);
    assert!(page.body.contains("<code>amountPaid</code>"), "{}", page.body);
    assert!(page.body.contains("class=\"mismatch\""), "the field is marked in the side-by-side view");
    assert!(page.body.contains(&paid.normalize().to_string()), "{}", page.body);
    assert!(page.body.contains("id=\"no-actions\""), "a rejected list is final");
}

#[tokio::test]
async fn filing_changes_are_approved_beside_the_record_filed_now() {
    let app = TestApp::spawn().await;
    let (rita, reviewer) = session(&app, "rita", "reviewer").await;
    let supervisor = app.officer("sam", "supervisor").await;
    let uscc = new_uscc();
    let id = app.file(&reviewer, &supervisor, json!({"record": record(&uscc, &["ebc"])})).await;
    let token = app.enterprise_token(&id).await;
    let mut changed = record(&uscc, &["ebc"]);
    changed["address"] = json!("吉林省长春市南关区人民大街 1 号");
    let application = app.submit(&token, "info_change", None, json!({"record": changed})).await.expect(201).id();
    let mut other = record(&uscc, &["ebc"]);
    other["telephone"] = json!("0431-11111111");
    let second = app.submit(&token, "info_change", None, json!({"record": other})).await.expect(201).id();

    let queue = get(&app, &rita, "/queues/applications").await;
    assert!(queue.body.contains(&format!("href=\"/applications/{application}\"")), "{}", queue.body);
    let page = get(&app, &rita, &format!("/applications/{application}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"change\""));
    let changed_rows = page.body.matches("<tr class=\"changed\">").count();
    assert_eq!(changed_rows, 1, "only the address changes: {}", page.body);
    assert!(page.body.contains("南关区人民大街"));
    assert!(page.body.contains("id=\"approve\"") && page.body.contains("name=\"action\" value=\"approve\""));

    let path = format!("/applications/{application}/decision");
    let csrf = page.csrf();
    assert_eq!(post(&app, &rita, &path, &[("action", "approve")]).await.status, StatusCode::FORBIDDEN);
    let ask = post(&app, &rita, &path, &[("csrf", &csrf), ("action", "approve")]).await;
    assert!(ask.body.contains("id=\"confirm\""));
    assert_eq!(app.get(&format!("/api/v1/applications/{application}"), &reviewer).await.body["state"], "submitted");
    let done = post(&app, &rita, &path, &[("csrf", &csrf), ("action", "approve"), ("confirm", "1")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(app.get(&format!("/api/v1/applications/{application}"), &reviewer).await.body["state"], "approved");
    assert_eq!(audited(&app, "application.approve", &application).await.len(), 1);
    let e = app.get(&format!("/api/v1/enterprises/{id}"), &reviewer).await.expect(200);
    assert_eq!(e.body["record"]["address"], "吉林省长春市南关区人民大街 1 号");

    // A rejection needs a reason (the API's rule), then lands in the log.
    let path = format!("/applications/{second}/decision");
    let empty =
        post(&app, &rita, &path, &[("csrf", &csrf), ("action", "reject"), ("reason", " "), ("confirm", "1")]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{}", empty.body);
    let done =
        post(&app, &rita, &path, &[("csrf", &csrf), ("action", "reject"), ("reason", "电话有误"), ("confirm", "1")])
            .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "application.reject", &second).await.len(), 1);
}

/// The number shown in `/queues` beside a queue's link.
fn queue_count(html: &str, href: &str) -> String {
    let at = html.find(&format!("<a href=\"{}\">", href.replace('&', "&amp;"))).unwrap_or_else(|| panic!("no {href}"));
    let cell = &html[at + html[at..].find("<td>").unwrap() + 4..];
    cell[..cell.find("</td>").unwrap()].to_string()
}

#[tokio::test]
async fn the_queue_overview_counts_warehouse_filings_behind_a_page_of_other_applications() {
    let app = TestApp::spawn().await;
    let (rita, reviewer) = session(&app, "rita", "reviewer").await;
    let supervisor = app.officer("sam", "supervisor").await;
    let uscc = new_uscc();
    let id = app.file(&reviewer, &supervisor, json!({"record": record(&uscc, &["ebc"]), "credit": "general"})).await;
    let token = app.enterprise_token(&id).await;
    for i in 0..50 {
        let mut changed = record(&uscc, &["ebc"]);
        changed["telephone"] = json!(format!("0431-{:08}", 10_000_000 + i));
        app.submit(&token, "info_change", None, json!({"record": changed})).await.expect(201);
    }
    let warehouse = json!({"warehouse": {
        "name": "Hamburg DC", "country": "304", "address": "Am Hafen 1, Hamburg",
        "area_m2": "1200.5", "nature": "leased", "document": "lease 2026/17"
    }});
    app.submit(&token, "overseas_warehouse", None, warehouse).await.expect(201);

    let page = get(&app, &rita, "/queues").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(queue_count(&page.body, "/queues/applications"), "≥ 50");
    assert_eq!(queue_count(&page.body, "/queues/applications?kind=overseas_warehouse"), "1", "{}", page.body);
}

#[tokio::test]
async fn every_page_renders_in_both_languages_for_officers_only() {
    let app = TestApp::spawn().await;
    let (rita, _) = session(&app, "rita", "reviewer").await;
    let (_, sam) = session(&app, "sam", "supervisor").await;
    let t = traffic(&app).await;
    let list = import(&app, &t, &case(&t, 3, "1901", false)).await;
    let draft = app.post_toml("/api/v1/risk/rule-sets", &sam, &rule_file("pages-1", "0402", "red")).await.expect(201);
    let enterprise = t.world.ebp.id.clone();
    let token = app.enterprise_token(&enterprise).await;
    let application = app.submit(&token, "b2b_export", None, json!({})).await.expect(201).id();
    set_password(&app, Principal::Enterprise(enterprise.clone()), "shop-password-1").await;
    let shop = sign_in(&app, &t.codes.ebp, "shop-password-1").await.cookie("cbec_session").expect("a session");

    let pages = [
        "/dashboard".to_string(),
        "/dashboard?hours=168".to_string(),
        "/queues".to_string(),
        "/queues/applications".to_string(),
        "/queues/applications?kind=overseas_warehouse".to_string(),
        "/queues/lists".to_string(),
        "/queues/lists?status=detained_legal".to_string(),
        "/queues/orders".to_string(),
        format!("/applications/{application}"),
        format!("/documents/{list}"),
        "/enterprises".to_string(),
        format!("/enterprises/{enterprise}"),
        "/risk".to_string(),
        format!("/risk/rule-sets/{}", draft.id()),
        "/risk/warnings".to_string(),
        "/risk/sampling".to_string(),
        "/search".to_string(),
        format!("/search?q={}", t.codes.ebp),
    ];
    for path in &pages {
        let zh = get(&app, &rita, path).await;
        assert_eq!(zh.status, StatusCode::OK, "{path}: {}", zh.body);
        assert!(zh.body.contains("<html lang=\"zh-CN\">") && zh.body.contains(">监控看板</a>"), "{path}");
        assert!(zh.body.contains("aria-label=\"主导航\""), "{path}");
        assert!(!zh.body.contains("<script"), "{path}: no JavaScript");
        assert!(!zh.body.contains(">?<"), "{path}: a text is missing");
        let sep = if path.contains('?') { '&' } else { '?' };
        let en = get(&app, &rita, &format!("{path}{sep}lang=en")).await;
        assert_eq!(en.status, StatusCode::OK, "{path}");
        assert!(en.body.contains("<html lang=\"en\">") && en.body.contains(">Dashboard</a>"), "{path}");
        assert!(!en.body.contains(">?<"), "{path}: a text is missing");
        // An enterprise's session is refused; no session leads to the sign-in page.
        let refused = get(&app, &shop, path).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        let out = send(&app, Method::GET, path, &[], None).await;
        assert_eq!((out.status, out.location()), (StatusCode::SEE_OTHER, "/login"), "{path}");
    }
    // The forms of the workbench are refused without the token, whatever they are.
    for path in [
        format!("/documents/{list}/action"),
        format!("/applications/{application}/decision"),
        "/risk/rule-sets".to_string(),
        format!("/risk/rule-sets/{}/decision", draft.id()),
        "/risk/dry-run".to_string(),
        "/risk/warnings".to_string(),
        "/risk/warnings/x/lift".to_string(),
    ] {
        let r = post(&app, &rita, &path, &[("confirm", "1"), ("action", "approve")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        let r = post(&app, &shop, &path, &[("confirm", "1")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: enterprises");
    }
}

#[tokio::test]
async fn the_dashboard_counts_intake_and_its_csv_holds_the_table_numbers() {
    let app = TestApp::spawn().await;
    let (rita, _) = session(&app, "rita", "reviewer").await;
    let t = traffic(&app).await;
    let (seed, a) = seeded(&t, 11, "1901", false);
    import(&app, &t, &a).await;
    let mut bad = case(&t, seed + 1, "1901", false);
    bad.payment.payment[0].payment_head.amount_paid += cbec_model::Decimal::ONE;
    import(&app, &t, &bad).await;

    let rows = app.state.store.traffic(None, cbec_store::Millis(0), cbec_store::Millis(i64::MAX)).await.unwrap();
    let messages: i64 = rows.iter().filter(|r| r.kind == "message").map(|r| r.count).sum();
    assert_eq!(messages, 8);
    let lists: Vec<_> = rows.iter().filter(|r| r.kind == "list").collect();
    assert!(lists.iter().all(|r| r.mode == "9610" && r.direction == "import"), "{lists:?}");
    assert_eq!(lists.iter().map(|r| r.count).sum::<i64>(), 2);
    assert!(rows.iter().filter(|r| r.kind == "message").all(|r| r.latency_n == r.count), "latency measured");

    let page = get(&app, &rita, "/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    for id in ["messages", "lists", "outcomes", "rejections", "quota", "latency"] {
        assert!(page.body.contains(&format!("<svg class=\"chart\" id=\"{id}-chart\"")), "{id}");
        assert!(page.body.contains(&format!("<title id=\"{id}-chart-title\">")), "{id}: accessible");
        let csv = get(&app, &rita, &format!("/dashboard/{id}.csv")).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
        let same = get(&app, &rita, &format!("/dashboard?format=csv&chart={id}")).await;
        assert_eq!(same.body, csv.body);
        let csv_rows: Vec<Vec<String>> =
            csv.body.lines().skip(1).map(|l| l.split(',').map(str::to_owned).collect()).collect();
        assert_eq!(csv_rows, table_rows(&page.body, &format!("{id}-table")), "{id}");
    }
    // The numbers: 8 messages, the mismatching list refused.
    let totals = |id: &str, col: usize| -> i64 {
        table_rows(&page.body, id).iter().map(|r| r[col].parse::<i64>().unwrap()).sum()
    };
    assert_eq!(totals("messages-table", 1), 8, "import");
    assert_eq!(totals("outcomes-table", 1) + totals("outcomes-table", 2), 8);
    assert_eq!(totals("outcomes-table", 2), 1, "the list refused for its mismatch");
    assert!(page.body.contains("id=\"gauge_messages\"><dt>报文总数</dt><dd>8</dd>"), "{}", page.body);
    assert_eq!(get(&app, &rita, "/dashboard/nothing.csv").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn search_finds_documents_by_any_business_key() {
    let app = TestApp::spawn().await;
    let (rita, _) = session(&app, "rita", "reviewer").await;
    let t = traffic(&app).await;
    let c = case(&t, 5, "1901", false);
    let list = import(&app, &t, &c).await;
    let head = &c.list.inventory[0].inventory_head;
    let detail = app.get(&format!("/api/v1/documents/{list}"), &app.admin).await.expect(200).body;
    let invt = detail["business_key"].as_str().unwrap().to_owned();
    for q in [head.order_no.clone(), head.logistics_no.clone(), invt.clone(), head.buyer_id_number.to_lowercase()] {
        let page = get(&app, &rita, &format!("/search?q={}", crate::web_officer::enc(&q))).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&format!("href=\"/documents/{list}\"")), "{q}: {}", page.body);
    }
    // By an enterprise code: the enterprise and the documents naming it.
    let page = get(&app, &rita, &format!("/search?q={}", t.codes.ebp)).await;
    assert!(page.body.contains(&format!("href=\"/enterprises/{}\"", t.world.ebp.id)), "{}", page.body);
    assert!(page.body.contains("id=\"naming-results\""));
    let none = get(&app, &rita, "/search?q=NO-SUCH-KEY").await;
    assert!(none.body.contains("id=\"document-results-empty\""));
}

pub(crate) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn rule_sets_and_warnings_are_managed_with_four_eyes() {
    let app = TestApp::spawn().await;
    let (sam, _) = session(&app, "sam", "supervisor").await;
    let (sue, _) = session(&app, "sue", "supervisor").await;
    let (rita, _) = session(&app, "rita", "reviewer").await;
    let csrf = get(&app, &sam, "/risk").await.csrf();
    let content = rule_file("web-2", "1901", "yellow");

    // Upload: confirmation first, then a draft.
    let ask = post(&app, &sam, "/risk/rule-sets", &[("csrf", &csrf), ("content", &content)]).await;
    assert!(ask.body.contains("id=\"confirm\""));
    assert_eq!(app.state.store.rule_sets().await.unwrap().len(), 0);
    let done = post(&app, &sam, "/risk/rule-sets", &[("csrf", &csrf), ("content", &content), ("confirm", "1")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let id = app.state.store.rule_sets().await.unwrap()[0].id.clone();
    assert!(done.location().starts_with(&format!("/risk/rule-sets/{id}")));
    // A reviewer may not upload (the API's roles); an invalid file is shown with its problems.
    let rcsrf = get(&app, &rita, "/risk").await.csrf();
    let refused =
        post(&app, &rita, "/risk/rule-sets", &[("csrf", &rcsrf), ("content", &content), ("confirm", "1")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let invalid =
        post(&app, &sam, "/risk/rule-sets", &[("csrf", &csrf), ("content", "version = 1"), ("confirm", "1")]).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid.body.contains("class=\"problems\""), "{}", invalid.body);

    // A dry run of the draft shows its report.
    let dry = post(&app, &sam, "/risk/dry-run", &[("csrf", &csrf), ("rule_set", &id), ("limit", "100")]).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert!(dry.body.contains("id=\"dry-run-subjects\">0<"), "{}", dry.body);

    // The uploader cannot activate it; another supervisor can.
    let path = format!("/risk/rule-sets/{id}/decision");
    let own =
        post(&app, &sam, &path, &[("csrf", &csrf), ("decision", "approve"), ("note", ""), ("confirm", "1")]).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.body);
    let scsrf = get(&app, &sue, "/risk").await.csrf();
    let ok =
        post(&app, &sue, &path, &[("csrf", &scsrf), ("decision", "approve"), ("note", "ok"), ("confirm", "1")]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(audited(&app, "rule_set.activate", &id).await.len(), 1);

    // A warning on a finding, then lifted.
    let form = [
        ("csrf", scsrf.as_str()),
        ("hs_prefix", "1901"),
        ("severity", "high"),
        ("measure", "hold_for_inspection"),
        ("days", "30"),
        ("finding", "奶粉批次检出阪崎肠杆菌"),
    ];
    let ask = post(&app, &sue, "/risk/warnings", &form).await;
    assert!(ask.body.contains("id=\"confirm\""), "{}", ask.body);
    let mut confirmed = form.to_vec();
    confirmed.push(("confirm", "1"));
    let raised = post(&app, &sue, "/risk/warnings", &confirmed).await;
    assert_eq!(raised.status, StatusCode::SEE_OTHER, "{}", raised.body);
    let page = get(&app, &rita, "/risk/warnings").await;
    assert!(page.body.contains("奶粉批次检出阪崎肠杆菌"));
    let filter = cbec_store::MonitoringFilter { kind: Some("warning".into()), ..Default::default() };
    let w = app.state.store.monitoring_records(&filter).await.unwrap().remove(0);
    let lift = format!("/risk/warnings/{}/lift", w.id);
    let version = w.version.to_string();
    let by_reviewer =
        post(&app, &rita, &lift, &[("csrf", &rcsrf), ("reason", "x"), ("version", &version), ("confirm", "1")]).await;
    assert_eq!(by_reviewer.status, StatusCode::FORBIDDEN);
    let lifted =
        post(&app, &sue, &lift, &[("csrf", &scsrf), ("reason", "复检合格"), ("version", &version), ("confirm", "1")])
            .await;
    assert_eq!(lifted.status, StatusCode::SEE_OTHER, "{}", lifted.body);
    assert_eq!(audited(&app, "warning.lifted", &w.id).await.len(), 1);
}
