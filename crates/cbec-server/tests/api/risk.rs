//! Risk rule sets and quality and safety monitoring through the real
//! router: rule files validated with line and column, four-eyes
//! activation, dry runs over lists sent through the pipeline, warnings that
//! hold matching lists until lifted, orders answered by their addressee,
//! and a credit downgrade decided by a second supervisor.

use axum::http::Method;
use cbec_dsig::KeyAlgorithm;
use cbec_fixtures::{ImportCase, ImportMode, Parties, import_case};
use cbec_pipeline::traffic::{World, file_world};
use serde_json::{Value, json};

use crate::helpers::*;

/// The five parties of retail imports, filed with keys, and the API tokens
/// of the four that send (platform, payment, logistics, agent).
struct Traffic {
    world: World,
    codes: Parties,
    tokens: [String; 4],
}

async fn traffic(app: &TestApp) -> Traffic {
    let codes = Parties::default();
    let world =
        file_world(&*app.state.store, &codes, KeyAlgorithm::Sm2, app.state.now()).await.expect("file the parties");
    let mut tokens = Vec::new();
    for party in [&world.ebp, &world.pay, &world.logistics, &world.agent] {
        tokens.push(app.enterprise_token(&party.id).await);
    }
    let tokens = tokens.try_into().expect("four tokens");
    Traffic { world, codes, tokens }
}

/// The HS code of a one-item case.
fn hs(case: &ImportCase) -> &str {
    &case.list.inventory[0].inventory_list[0].gcode
}

/// A one-item import whose goods are (or are not) under `prefix`; seeds
/// from `from` upwards.
fn case(t: &Traffic, from: u64, prefix: &str, matching: bool) -> (u64, ImportCase) {
    (from..from + 500)
        .map(|seed| (seed, import_case(seed, ImportMode::DirectPurchase, 1, &t.codes)))
        .find(|(_, c)| hs(c).starts_with(prefix) == matching)
        .expect("a case")
}

/// Sends the four documents of a case (order, payment, waybill, list) and
/// answers the list's document detail.
async fn import(app: &TestApp, t: &Traffic, case: &ImportCase, officer: &str) -> Value {
    let signed = t.world.sign_case(case).expect("sign");
    for (token, xml) in t.tokens.iter().zip(signed) {
        let r = app.send_message(token, xml).await.expect(200);
        let answer = r.body.as_str().unwrap_or_default().to_owned();
        assert!(!answer.contains("CEB900"), "{answer}");
    }
    let lists = app.get("/api/v1/documents?kind=list&limit=1", officer).await.expect(200);
    let id = lists.body[0]["id"].as_str().expect("a list").to_owned();
    app.get(&format!("/api/v1/documents/{id}"), officer).await.expect(200).body
}

#[tokio::test]
async fn rule_sets_are_validated_activated_by_four_eyes_and_dry_run_over_stored_lists() {
    let app = TestApp::spawn().await;
    let risk = app.officer("risk officer", "risk_officer").await;
    let sam = app.officer("supervisor sam", "supervisor").await;
    let sue = app.officer("supervisor sue", "supervisor").await;
    let reviewer = app.officer("reviewer", "reviewer").await;

    // An invalid file is refused with every problem, by line and column.
    let bad = "version = \"bad-1\"\n[rates]\nminimum_random_inspection = 0.01\n\n[[rule]]\nid = \"R-1\"\n\
               description = \"x\"\nlane = \"purple\"\n[rule.when]\nhs_prefx = [\"1901\"]\n";
    let r = app.post_toml("/api/v1/risk/rule-sets", &risk, bad).await.expect(422);
    assert_eq!(r.code(), "risk.rules_invalid");
    let errors = r.body["error"]["rule_errors"].as_array().cloned().unwrap_or_default();
    let lane = errors.iter().find(|e| e["reason"].as_str().unwrap_or_default().contains("purple"));
    assert_eq!(lane.map(|e| (&e["line"], &e["column"])), Some((&json!(8), &json!(8))), "{}", r.body);
    let key = errors.iter().find(|e| e["reason"].as_str().unwrap_or_default().contains("hs_prefx"));
    assert_eq!(key.map(|e| &e["line"]), Some(&json!(10)), "{}", r.body);
    assert!(r.body["error"]["message"].as_str().unwrap_or_default().contains("rule"), "{}", r.body);
    // JSON is not a rule file; a reviewer may not upload.
    let json_body = app.post("/api/v1/risk/rule-sets", &risk, json!({"version": "x"})).await.expect(415);
    assert_eq!(json_body.code(), "request.unsupported_media_type");
    app.post_toml("/api/v1/risk/rule-sets", &reviewer, &rule_file("r-0", "1901", "red")).await.expect(403);
    assert_eq!(app.get("/api/v1/risk/rule-sets", &risk).await.expect(200).body, json!([]));

    // Stored traffic: two lists of infant formula, one of other goods.
    let t = traffic(&app).await;
    let (s1, formula1) = case(&t, 1, "1901", true);
    let (s2, formula2) = case(&t, s1 + 1, "1901", true);
    let (_, other) = case(&t, 1, "1901", false);
    let mut formula_ids = Vec::new();
    for c in [&formula1, &other, &formula2] {
        let doc = import(&app, &t, c, &risk).await;
        assert_eq!(doc["status"], "released", "{doc}");
        assert_eq!(doc["risk"]["rules_version"], "none", "{doc}");
        if hs(c).starts_with("1901") {
            formula_ids.push(doc["id"].as_str().unwrap().to_owned());
        }
    }

    // A valid upload is a draft; the same version again is a conflict.
    let draft = app.post_toml("/api/v1/risk/rule-sets", &sam, &rule_file("2026.03-1", "1901", "red")).await.expect(201);
    assert_eq!((draft.body["status"].as_str(), draft.body["rules"].as_i64()), (Some("draft"), Some(1)));
    let draft_id = draft.id();
    app.post_toml("/api/v1/risk/rule-sets", &risk, &rule_file("2026.03-1", "0402", "red")).await.expect(409);
    let detail = app.get(&format!("/api/v1/risk/rule-sets/{draft_id}"), &reviewer).await.expect(200);
    assert_eq!(detail.body["parsed"]["rules"][0]["id"], "R-1");
    assert_eq!(detail.body["parsed"]["rules"][0]["when"]["hs_prefix"], json!(["1901"]));
    assert!(detail.body["content"].as_str().unwrap().contains("2026.03-1"));
    assert_eq!(detail.body["expected_rates"]["general"]["green"], json!(1.0));

    // A dry run of the draft, and of a candidate file, over the stored lists.
    let dry =
        app.call_raw(Method::POST, &format!("/api/v1/risk/dry-run?rule_set={draft_id}"), Some(&risk), "", "").await;
    let dry = dry.expect(200).body;
    assert_eq!((dry["subjects"].as_u64(), dry["rules"][0]["hits"].as_u64()), (Some(3), Some(2)), "{dry}");
    let mut hit: Vec<String> =
        dry["rules"][0]["examples"].as_array().unwrap().iter().map(|e| e["key"].as_str().unwrap().to_owned()).collect();
    hit.sort();
    formula_ids.sort();
    assert_eq!(hit, formula_ids);
    assert_eq!(dry["candidate_lanes"]["red"], 2);
    assert_eq!(dry["active_version"], Value::Null);
    let candidate = rule_file("cand-1", hs(&other), "yellow");
    let dry = app.post_toml("/api/v1/risk/dry-run?limit=2", &risk, &candidate).await.expect(200).body;
    assert_eq!(dry["subjects"], 2, "the two most recent lists");
    let dry = app.post_toml("/api/v1/risk/dry-run?from=2020-01-01&to=2020-12-31", &risk, &candidate).await;
    assert_eq!(dry.expect(200).body["subjects"], 0, "no list in 2020");
    let bad_dry = app.post_toml("/api/v1/risk/dry-run", &risk, bad).await.expect(422);
    assert_eq!(bad_dry.code(), "risk.rules_invalid");

    // Four eyes: the uploader cannot approve; a risk officer may not decide.
    let decide = format!("/api/v1/risk/rule-sets/{draft_id}/decision");
    let own = app.post(&decide, &sam, json!({"approve": true})).await.expect(403);
    assert!(own.body["error"]["message"].as_str().unwrap().contains("four-eyes"), "{}", own.body);
    app.post(&decide, &risk, json!({"approve": true})).await.expect(403);
    assert_eq!(app.get("/api/v1/risk/active", &risk).await.expect(200).body["version"], "none");
    let approved = app.post(&decide, &sue, json!({"approve": true, "note": "dry run reviewed"})).await.expect(200);
    assert_eq!(approved.body["status"], "active");
    app.post(&decide, &sue, json!({"approve": true})).await.expect(409);
    let active = app.get("/api/v1/risk/active", &reviewer).await.expect(200).body;
    assert_eq!(active["version"], "2026.03-1");
    assert_eq!(active["rule_set"]["id"], draft_id.as_str());
    assert_eq!(active["warnings_in_force"], 0);

    // The next list of formula goes to inspection under the new rules.
    let (_, formula3) = case(&t, s2 + 1, "1901", true);
    let doc = import(&app, &t, &formula3, &risk).await;
    assert_eq!((doc["status"].as_str(), doc["status_code"].as_str()), (Some("inspection"), Some("500")), "{doc}");
    assert_eq!(doc["risk"]["lane"], "red");
    assert_eq!(doc["risk"]["fired"][0]["rule_id"], "R-1");
    assert_eq!(doc["basis"]["rules"], "2026.03-1");

    // A rejection needs a note; a dry run now compares with the active set.
    let next = app.post_toml("/api/v1/risk/rule-sets", &risk, &rule_file("2026.03-2", "3401", "red")).await.expect(201);
    let path = format!("/api/v1/risk/rule-sets/{}/decision", next.id());
    app.post(&path, &sam, json!({"approve": false})).await.expect(400);
    let rejected = app.post(&path, &sam, json!({"approve": false, "note": "too broad"})).await.expect(200);
    assert_eq!(rejected.body["status"], "rejected");
    let dry = app.post_toml("/api/v1/risk/dry-run", &sam, &candidate).await.expect(200).body;
    assert_eq!(dry["active_version"], "2026.03-1");
    assert_eq!(dry["subjects"], 4);
    assert_eq!(dry["changed"].as_u64(), Some(4), "{dry}");

    let sets = app.get("/api/v1/risk/rule-sets", &reviewer).await.expect(200).body;
    let statuses: Vec<&str> = sets.as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["rejected", "active"]);
}

#[tokio::test]
async fn a_failed_result_raises_a_warning_that_holds_matching_lists_until_lifted() {
    let app = TestApp::spawn().await;
    let risk = app.officer("risk officer", "risk_officer").await;
    let supervisor = app.officer("supervisor", "supervisor").await;
    let t = traffic(&app).await;

    // The laboratory fails the ebc's infant formula; the warning on it
    // holds the goods for inspection (medium severity).
    let result = app.post("/api/v1/monitoring/test-results", &risk, failed_result(&t.codes.ebc)).await.expect(201);
    assert_eq!(result.body["kind"], "test_result");
    let result_id = result.id();
    let refused =
        app.post("/api/v1/monitoring/warnings", &risk, json!({"from_result": "nope", "severity": "high"})).await;
    assert_eq!(refused.expect(422).code(), "monitoring.wrong_link");
    let warning = app
        .post("/api/v1/monitoring/warnings", &risk, json!({"from_result": result_id, "severity": "medium"}))
        .await
        .expect(201);
    let warning_id = warning.id();
    assert_eq!(warning.body["status"], "active");
    assert_eq!(warning.body["record"]["warning"]["measure"], "hold_for_inspection");
    assert_eq!(warning.body["record"]["warning"]["scope"]["hs_prefix"], "1901101000");
    assert_eq!(app.get("/api/v1/risk/active", &risk).await.expect(200).body["warnings_in_force"], 1);

    // The next list of those goods is held for inspection; another is released.
    let (s1, formula) = case(&t, 1, "1901", true);
    let doc = import(&app, &t, &formula, &risk).await;
    assert_eq!((doc["status"].as_str(), doc["status_code"].as_str()), (Some("inspection"), Some("500")), "{doc}");
    assert_eq!(doc["risk"]["warnings"][0]["warning_id"], warning_id.as_str());
    // The agent sees its list's status and basis, not the risk decision.
    let own = app.get(&format!("/api/v1/documents/{}", doc["id"].as_str().unwrap()), &t.tokens[3]).await.expect(200);
    assert_eq!((own.body["status"].as_str(), own.body.get("risk")), (Some("inspection"), None), "{}", own.body);
    assert_eq!(own.body["basis"]["rules"], "none");
    let (s2, other) = case(&t, 1, "1901", false);
    let doc = import(&app, &t, &other, &risk).await;
    assert_eq!((doc["status"].as_str(), doc["status_code"].as_str()), (Some("released"), Some("800")), "{doc}");

    // Lifting needs a reason and the version read.
    let path = format!("warnings/{warning_id}");
    let empty = app.command(&path, &risk, 1, json!({"command": "lift", "reason": " "})).await.expect(422);
    assert_eq!(empty.code(), "monitoring.invalid_field");
    assert_eq!(empty.body["error"]["problems"][0]["field"], "reason");
    let stale = app.command(&path, &risk, 7, json!({"command": "lift", "reason": "x"})).await.expect(409);
    assert_eq!(stale.code(), "monitoring.stale_version");
    let reason = "recall completed; retest of lot LOT-2026-002 passed";
    let lifted = app.command(&path, &risk, 1, json!({"command": "lift", "reason": reason})).await.expect(200);
    assert_eq!((lifted.body["status"].as_str(), lifted.body["version"].as_i64()), (Some("lifted"), Some(2)));
    let again = app.command(&path, &risk, 2, json!({"command": "lift", "reason": "again"})).await.expect(409);
    assert_eq!(again.code(), "monitoring.bad_state");

    // The next matching list is released.
    let (_, formula2) = case(&t, s1.max(s2) + 1, "1901", true);
    let doc = import(&app, &t, &formula2, &risk).await;
    assert_eq!((doc["status"].as_str(), doc["status_code"].as_str()), (Some("released"), Some("800")), "{doc}");
    assert_eq!(doc["risk"]["warnings"], json!([]));

    // Everything is in the audit log.
    let audit = app.get("/api/v1/audit?limit=1000", &supervisor).await.expect(200).body;
    let on_warning: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity_id"] == warning_id.as_str())
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(on_warning, ["warning.created", "warning.lifted"]);
    let lift = audit.as_array().unwrap().iter().find(|e| e["action"] == "warning.lifted").unwrap();
    assert!(lift["after"].to_string().contains(reason), "{lift}");
    assert!(audit.as_array().unwrap().iter().any(|e| e["action"] == "test_result.recorded"));

    // A warning on a finding, extended; listed with its state now.
    let finding = json!({"finding": {"scope": {"brand": "ACME"}, "severity": "critical", "measure": "refuse_entry",
        "valid_until": START + 10 * DAY, "finding": "counterfeit ACME goods reported by the brand owner"}});
    let w2 = app.post("/api/v1/monitoring/warnings", &risk, finding).await.expect(201);
    let extended = app
        .command(
            &format!("warnings/{}", w2.id()),
            &supervisor,
            1,
            json!({"command": "extend", "until": START + 20 * DAY}),
        )
        .await
        .expect(200);
    assert_eq!(extended.body["record"]["warning"]["valid_until"], START + 20 * DAY);
    let listed = app.get("/api/v1/monitoring/records?kind=warning", &risk).await.expect(200).body;
    let states: Vec<&str> = listed.as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(states, ["active", "lifted"], "newest first");
    app.get("/api/v1/monitoring/records?kind=nope", &risk).await.expect(400);
    let one = app.get(&format!("/api/v1/monitoring/records/{result_id}"), &risk).await.expect(200);
    assert_eq!(one.body["record"]["outcome"]["verdict"], "fail");
}

/// Files an enterprise through the API; its id, USCC and token.
async fn filed(app: &TestApp, reviewer: &str, supervisor: &str) -> (String, String, String) {
    let uscc = new_uscc();
    let id = app.file(reviewer, supervisor, json!({"record": record(&uscc, &["ebc"])})).await;
    let token = app.enterprise_token(&id).await;
    (id, uscc, token)
}

#[tokio::test]
async fn a_reduction_order_is_seen_and_answered_by_its_addressee_only() {
    let app = TestApp::spawn().await;
    let reviewer = app.officer("reviewer", "reviewer").await;
    let risk = app.officer("risk officer", "risk_officer").await;
    let supervisor = app.officer("supervisor", "supervisor").await;
    let (a, a_code, a_token) = filed(&app, &reviewer, &supervisor).await;
    let (b, _, b_token) = filed(&app, &reviewer, &supervisor).await;

    let order = json!({"enterprise": a_code, "action": "recall", "goods": "婴儿配方奶粉 LOT-2026-001, 1200 cans",
        "deadline": START + 7 * DAY});
    app.post("/api/v1/monitoring/reduction-orders", &reviewer, order.clone()).await.expect(403);
    let bad = app
        .post(
            "/api/v1/monitoring/reduction-orders",
            &risk,
            json!({"enterprise": "X", "action": "recall", "goods": "",
            "deadline": START - DAY}),
        )
        .await
        .expect(422);
    let fields: Vec<&str> =
        bad.body["error"]["problems"].as_array().unwrap().iter().map(|p| p["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["enterprise", "goods", "deadline"]);
    let issued = app.post("/api/v1/monitoring/reduction-orders", &risk, order).await.expect(201);
    let id = issued.id();

    // The addressee sees it; the other enterprise sees neither it nor A's view.
    let view = app.get(&format!("/api/v1/enterprises/{a}/monitoring-orders"), &a_token).await.expect(200).body;
    assert_eq!(view["orders"][0]["id"], id.as_str());
    assert_eq!(
        (view["orders"][0]["status"].as_str(), view["orders"][0]["subject"].as_str()),
        (Some("issued"), Some("recall"))
    );
    app.get(&format!("/api/v1/enterprises/{a}/monitoring-orders"), &b_token).await.expect(403);
    let own = app.get(&format!("/api/v1/enterprises/{b}/monitoring-orders"), &b_token).await.expect(200).body;
    assert_eq!(own["orders"], json!([]));
    app.get("/api/v1/monitoring/records", &a_token).await.expect(403);

    // Only the addressee responds, and only with `respond`.
    let path = format!("reduction-orders/{id}");
    let respond = json!({"command": "respond", "text": "1,180 cans recalled, 20 sold abroad", "evidence": ["RC-77"]});
    let foreign = app.command(&path, &b_token, 1, respond.clone()).await.expect(403);
    assert_eq!(foreign.code(), "auth.forbidden");
    let close = app.command(&path, &a_token, 1, json!({"command": "close", "note": "self-closing"})).await.expect(403);
    assert_eq!(close.code(), "monitoring.not_allowed");
    let officer = app.command(&path, &risk, 1, respond.clone()).await.expect(403);
    assert_eq!(officer.code(), "monitoring.not_allowed");
    let answered = app.command(&path, &a_token, 1, respond).await.expect(200);
    assert_eq!(answered.body["state"], "responded");
    assert_eq!(answered.body["record"]["state"]["response"]["by"], a_code.as_str());

    // The officer turns the response down with a new deadline; the
    // enterprise sees why.
    let reject = json!({"command": "reject", "reason": "20 cans unaccounted for", "deadline": START + 10 * DAY});
    app.command(&path, &risk, 2, reject).await.expect(200);
    let view = app.get(&format!("/api/v1/enterprises/{a}/monitoring-orders"), &risk).await.expect(200).body;
    assert_eq!(view["orders"][0]["status"], "issued");
    assert_eq!(view["orders"][0]["rejected_because"], "20 cans unaccounted for");

    // Past the deadline it is due.
    assert_eq!(app.get("/api/v1/monitoring/due", &risk).await.expect(200).body, json!([]));
    app.set_time(START + 11 * DAY);
    let due = app.get("/api/v1/monitoring/due", &supervisor).await.expect(200).body;
    assert_eq!((due[0]["id"].as_str(), due[0]["kind"].as_str()), (Some(id.as_str()), Some("reduction")));
    let view = app.get(&format!("/api/v1/enterprises/{a}/monitoring-orders"), &a_token).await.expect(200).body;
    assert_eq!(view["orders"][0]["status"], "overdue");
}

#[tokio::test]
async fn an_upheld_violation_leads_to_a_credit_downgrade_decided_by_a_second_supervisor() {
    let app = TestApp::spawn().await;
    let reviewer = app.officer("reviewer", "reviewer").await;
    let risk = app.officer("risk officer", "risk_officer").await;
    let sam = app.officer("supervisor sam", "supervisor").await;
    let sue = app.officer("supervisor sue", "supervisor").await;
    let (a, a_code, a_token) = filed(&app, &reviewer, &sam).await;

    let order = json!({"enterprise": a_code, "violation": "false_declaration",
        "description": "declared value of list 2244… understated by 40 %", "documents": [], "deadline": START + 15 * DAY});
    let rect = app.post("/api/v1/monitoring/rectification-orders", &risk, order).await.expect(201).id();
    let path = format!("rectification-orders/{rect}");
    // A proposal needs an upheld violation.
    let proposal = |from: &str| {
        json!({"enterprise": a_code, "from": from, "to": "dishonest", "reason": "repeated false declarations",
            "rectification_id": rect})
    };
    let early = app.post("/api/v1/monitoring/credit-proposals", &sam, proposal("general")).await.expect(409);
    assert_eq!(early.code(), "monitoring.bad_state");
    app.command(&path, &a_token, 1, json!({"command": "respond", "text": "corrected", "evidence": []}))
        .await
        .expect(200);
    app.command(&path, &risk, 2, json!({"command": "follow_up", "note": "checked the books"})).await.expect(200);
    let verified =
        app.command(&path, &risk, 3, json!({"command": "verify", "upheld": true, "note": "violation stands"})).await;
    assert_eq!(verified.expect(200).body["record"]["state"]["upheld"], true);
    let view = app.get(&format!("/api/v1/enterprises/{a}/monitoring-orders"), &a_token).await.expect(200).body;
    assert_eq!(view["violations"], 1);
    assert_eq!(view["orders"][0]["upheld"], true);

    // `from` must be the rating now (general at filing).
    let wrong = app.post("/api/v1/monitoring/credit-proposals", &sam, proposal("advanced")).await.expect(409);
    assert_eq!(wrong.code(), "state.conflict");
    let p1 = app.post("/api/v1/monitoring/credit-proposals", &sam, proposal("general")).await.expect(201).id();
    let p2 = app.post("/api/v1/monitoring/credit-proposals", &risk, proposal("general")).await.expect(201).id();

    // Four eyes: the proposer cannot decide; a risk officer may not.
    let decide = json!({"command": "decide", "approve": true, "note": "agreed"});
    let own = app.command(&format!("credit-proposals/{p1}"), &sam, 1, decide.clone()).await.expect(403);
    assert_eq!(own.code(), "monitoring.four_eyes");
    let officer = app.command(&format!("credit-proposals/{p1}"), &risk, 1, decide.clone()).await.expect(403);
    assert_eq!(officer.code(), "auth.forbidden");
    let credit = app.get(&format!("/api/v1/enterprises/{a}/credit"), &a_token).await.expect(200).body;
    assert_eq!(credit["rating"], "general");

    let approved = app.command(&format!("credit-proposals/{p1}"), &sue, 1, decide.clone()).await.expect(200);
    assert_eq!(approved.body["state"], "approved");
    let credit = app.get(&format!("/api/v1/enterprises/{a}/credit"), &a_token).await.expect(200).body;
    assert_eq!(credit["rating"], "dishonest");
    let last = credit["history"].as_array().unwrap().last().unwrap().clone();
    assert!(last["reason"].as_str().unwrap().contains(&p1), "{last}");

    // The second proposal no longer fits the record: 409, nothing changes.
    let stale = app.command(&format!("credit-proposals/{p2}"), &sue, 1, decide).await.expect(409);
    assert_eq!(stale.code(), "state.conflict");
    let p2_now = app.get(&format!("/api/v1/monitoring/records/{p2}"), &sue).await.expect(200).body;
    assert_eq!((p2_now["state"].as_str(), p2_now["version"].as_i64()), (Some("proposed"), Some(1)));
    let rejected = app
        .command(
            &format!("credit-proposals/{p2}"),
            &sue,
            1,
            json!({"command": "decide", "approve": false, "note": "done"}),
        )
        .await
        .expect(200);
    assert_eq!(rejected.body["state"], "rejected");

    let audit = app.get("/api/v1/audit?limit=1000", &sam).await.expect(200).body;
    let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for action in ["rectification_order.verified", "credit_proposal.proposed", "credit_proposal.approved"] {
        assert!(actions.contains(&action), "{action} not in {actions:?}");
    }
}
