//! The web pages in a real browser: a spawned `cbec serve` on a fresh
//! SQLite database, seeded through the real HTTP API and CLI (enterprises
//! filed with their certificates, signed CEB messages, a risk rule set
//! uploaded and activated by two officers, web passwords set with `cbec
//! admin set-password`), then the scripts of `browser-tests/` drive the
//! system's headless Chromium through playwright-core:
//!
//! - `officer.mjs`: an officer signs in, approves a filing change, opens a
//!   held list, sees its risk rules (and a refused list's mismatches),
//!   orders inspection, records a pass and releases it;
//! - `enterprise.mjs`: an enterprise signs in and sees the rejection of its
//!   bad message with the code, the field and the fix hint;
//! - `language.mjs`: the language switch changes the pages' text;
//! - `csrf.mjs`: a form posted without its CSRF token is refused (403).
//!
//! Screenshots go to `target/browser-screenshots/`. Chromium (Debian
//! `chromium`), Node.js and `browser-tests/node_modules` are installed by
//! `./scripts/test.sh`; without them this test fails and says so.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use cbec_fixtures::{ImportCase, ImportMode, import_case};
use cbec_pipeline::traffic::Party;
use serde_json::{Value, json};
use support::*;

const OFFICER_PASSWORD: &str = "rita-web-password";
const ENTERPRISE_PASSWORD: &str = "platform-web-password";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where screenshots go: `browser-screenshots/` in the target directory
/// (the one `CARGO_TARGET_DIR` names, or the workspace's `target/`).
fn screenshots() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("browser-screenshots")
}

fn chromium() -> String {
    std::env::var("CBEC_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// Chromium, Node.js and playwright-core must be there: `./scripts/test.sh`
/// installs them. Missing, the test fails (it never skips).
fn preflight() {
    let install =
        "run ./scripts/test.sh, which installs Debian's chromium and nodejs and runs `npm ci` in browser-tests/";
    assert!(Path::new(&chromium()).exists(), "{} is missing: {install}", chromium());
    let node = Command::new("node").arg("--version").output();
    assert!(node.is_ok_and(|o| o.status.success()), "node is missing: {install}");
    let module = workspace().join("browser-tests/node_modules/playwright-core/package.json");
    assert!(module.exists(), "{} is missing: {install}", module.display());
}

fn create_officer(dir: &Path, db: &str, role: &str, name: &str) -> String {
    let (code, out, err) = cbec(dir, &["admin", "create-officer", "--db", db, "--role", role, "--name", name]);
    assert_eq!(code, 0, "create-officer {name}: {err}");
    last_line(&out)
}

fn set_password(dir: &Path, db: &str, name: &str, password: &str) {
    let mut child = Command::new(BIN)
        .args(["admin", "set-password", "--db", db, "--name", name])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cbec admin set-password");
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "set-password {name}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Sends document `n` of a case (0 order, 1 payment, 2 waybill, 3 list),
/// signed by its sender; the receipt XML.
fn send(s: &Server, a: &Actors, case: &ImportCase, n: usize) -> String {
    let (party, token): &(Party, String) = [&a.ebp, &a.pay, &a.logistics, &a.agent][n];
    let bytes = party.sign(&case.messages()[n]).unwrap();
    let r = s.raw("POST", "/api/v1/messages", Some(token), "application/xml", &bytes);
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// The list document of a case, as an officer reads it.
fn list_of(s: &Server, officer: &str, case: &ImportCase) -> Value {
    let order_no = &case.list.inventory[0].inventory_head.order_no;
    let lists = expect(s.call("GET", "/api/v1/documents?kind=list&limit=1000", Some(officer), None), 200, "lists");
    let found = lists.as_array().unwrap().iter().find_map(|d| {
        let id = d["id"].as_str()?;
        let detail = expect(s.call("GET", &format!("/api/v1/documents/{id}"), Some(officer), None), 200, "list");
        (detail["facts"].to_string().contains(order_no.as_str())).then_some(detail)
    });
    found.unwrap_or_else(|| panic!("no list of order {order_no}: {lists}"))
}

fn rule_file() -> &'static str {
    "version = \"browser-2026.1\"\n[rates]\nminimum_random_inspection = 0.0\nyellow = 0.0\n\n\
     [[rule]]\nid = \"R-WEB-1\"\ndescription = \"Retail imports held for document review\"\nlane = \"yellow\"\n\
     [rule.when]\ndirection = \"import\"\n"
}

/// Runs one script of `browser-tests/`; panics with its output unless it
/// exits 0.
fn script(name: &str, server: &Server, seed: &Value) {
    let started = Instant::now();
    let out = Command::new("node")
        .arg(workspace().join("browser-tests").join(name))
        .current_dir(workspace())
        .env("CBEC_BASE_URL", format!("http://127.0.0.1:{}", server.port))
        .env("CBEC_SCREENSHOTS", screenshots())
        .env("CBEC_SEED", seed.to_string())
        .env("CBEC_CHROMIUM", chromium())
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .output()
        .expect("run node");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "browser-tests/{name} failed ({:?}):\n{stdout}\n{stderr}", out.status);
    eprintln!("browser-tests/{name}: {} in {:?}", stdout.trim(), started.elapsed());
}

#[test]
fn officers_and_enterprises_in_a_real_browser() {
    preflight();
    let started = Instant::now();
    let dir = workdir("browser");
    let db = format!("sqlite://{}", dir.join("cbec.db").display());
    let a = file_actors(&db);
    let rita = create_officer(&dir, &db, "reviewer", "rita");
    let sam = create_officer(&dir, &db, "supervisor", "sam");
    let risa = create_officer(&dir, &db, "risk_officer", "risa");
    set_password(&dir, &db, "rita", OFFICER_PASSWORD);
    set_password(&dir, &db, &a.ebp.0.code, ENTERPRISE_PASSWORD);
    let s = start_with(&dir, &db, &[("CBEC_RISK_SEED", "7")]);
    let codes = a.codes();

    // A filing change waiting for approval: the e-commerce enterprise moves.
    let (ebc, ebc_token) = (&a.ebc.0, &a.ebc.1);
    let current = expect(s.call("GET", &format!("/api/v1/enterprises/{}", ebc.id), Some(ebc_token), None), 200, "ebc");
    let mut changed = current["record"].clone();
    changed["address"] = json!("上海市黄浦区中山东一路18号");
    let change = json!({"kind": "info_change", "payload": {"record": changed}});
    let change = expect(s.call("POST", "/api/v1/applications", Some(ebc_token), Some(&change)), 201, "change");

    // The platform's bad order: the first item's totalPrice is not qty × price.
    let mut bad = import_case(8001, ImportMode::DirectPurchase, 1, &codes);
    let item = &mut bad.order.order[0].order_list[0];
    item.total_price += item.total_price;
    let answer = send(&s, &a, &bad, 0);
    assert!(answer.contains("arith.total_price") && answer.contains("-301002"), "{answer}");

    // Risk: a rule set holding every import for document review, uploaded by
    // the risk officer and activated by the supervisor.
    let upload = s.raw("POST", "/api/v1/risk/rule-sets", Some(&risa), "application/toml", rule_file().as_bytes());
    assert_eq!(upload.status, 201, "{}", upload.body);
    let rules: Value = serde_json::from_str(&upload.body).unwrap();
    let decision = json!({"approve": true, "note": "browser test"});
    let path = format!("/api/v1/risk/rule-sets/{}/decision", rules["id"].as_str().unwrap());
    expect(s.call("POST", &path, Some(&sam), Some(&decision)), 200, "activate");

    // A held list (300, the rule fired) and a refused one (a three-order mismatch).
    let held = import_case(8101, ImportMode::DirectPurchase, 2, &codes);
    for n in 0..4 {
        send(&s, &a, &held, n);
    }
    let held = list_of(&s, &rita, &held);
    assert_eq!(held["status"], "manual_review", "{held}");
    assert_eq!(held["risk"]["fired"][0]["rule_id"], "R-WEB-1", "{}", held["risk"]);
    let mismatch = &cbec_fixtures::mismatches()[1];
    let mut refused = import_case(8201, ImportMode::DirectPurchase, 1, &codes);
    (mismatch.apply)(&mut refused);
    for n in 0..3 {
        send(&s, &a, &refused, n);
    }
    let answer = send(&s, &a, &refused, 3);
    assert!(statuses(&answer) == [mismatch.status] && answer.contains(mismatch.field), "{answer}");
    let refused = list_of(&s, &rita, &refused);

    // A document that does not name the platform (a waybill names only its
    // logistics enterprise): the platform's API token gets 404 for it.
    let waybills = expect(s.call("GET", "/api/v1/documents?kind=waybill&limit=1", Some(&rita), None), 200, "waybills");
    let foreign = waybills[0]["id"].as_str().unwrap().to_owned();
    let (status, _) = s.call("GET", &format!("/api/v1/documents/{foreign}"), Some(&a.ebp.1), None);
    assert_eq!(status, 404, "the waybill is not the platform's");

    let seed = json!({
        "officer": {"name": "rita", "password": OFFICER_PASSWORD},
        "enterprise": {
            "name": a.ebp.0.code,
            "code": a.ebp.0.code,
            "password": ENTERPRISE_PASSWORD,
            "rejected_code": "arith.total_price",
            "rejected_path": "Order[1]/OrderList[1]/totalPrice",
            "rejected_field": "totalPrice",
            "rejected_field_zh": "总价",
        },
        "change": {"id": change["id"], "enterprise": ebc.id, "address": "上海市黄浦区中山东一路18号"},
        "held_list": {"id": held["id"], "business_key": held["business_key"], "rule": "R-WEB-1"},
        "refused_list": {"id": refused["id"], "business_key": refused["business_key"], "field": mismatch.field},
        "foreign_document": foreign,
    });
    eprintln!("seeded in {:?}", started.elapsed());

    let _ = std::fs::remove_dir_all(screenshots());
    std::fs::create_dir_all(screenshots()).unwrap();
    for name in ["enterprise.mjs", "language.mjs", "csrf.mjs", "officer.mjs"] {
        script(name, &s, &seed);
    }

    // What the officer did is on record: the change approved, the list released.
    let approved = expect(
        s.call("GET", &format!("/api/v1/applications/{}", change["id"].as_str().unwrap()), Some(&sam), None),
        200,
        "",
    );
    assert_eq!(approved["state"], "approved", "{approved}");
    let released = expect(
        s.call("GET", &format!("/api/v1/documents/{}", held["id"].as_str().unwrap()), Some(&sam), None),
        200,
        "",
    );
    assert_eq!(released["status"], "released", "{released}");
    let events: Vec<&str> = released["moves"].as_array().unwrap().iter().filter_map(|m| m["to"].as_str()).collect();
    assert!(events.ends_with(&["manual_review", "inspection", "released"]), "{events:?}");
    for shot in ["login.png", "dashboard.png", "queue.png", "list.png", "portal.png", "rejection.png"] {
        let file = screenshots().join(shot);
        assert!(std::fs::metadata(&file).is_ok_and(|m| m.len() > 4_000), "screenshot {} was written", file.display());
    }
    eprintln!("browser tests done in {:?}", started.elapsed());
}
