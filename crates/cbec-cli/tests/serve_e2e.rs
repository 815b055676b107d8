//! End to end: a spawned `cbec serve` on SQLite and on PostgreSQL, driven
//! over HTTP the way an officer's tools and an enterprise's system would,
//! with the `cbec admin` and `cbec audit` commands around it.
//!
//! The PostgreSQL run needs `CBEC_TEST_PG` (an admin URL such as
//! `postgres://cbec@127.0.0.1:55432/postgres`), which `./scripts/test.sh`
//! sets after starting a throwaway server.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

mod support;

use support::*;

fn record(code: &str, name: &str, types: &[&str]) -> Value {
    json!({ "customs_code": code, "name": name, "customs_district": "2200", "types": types, "trade": "both",
            "address": "上海市浦东新区", "contact": "王经理", "telephone": "021-12345678" })
}

/// Files an enterprise through the API: a reviewer submits, a supervisor
/// approves (four eyes). Returns the enterprise id.
fn file(s: &Server, reviewer: &str, supervisor: &str, payload: Value) -> String {
    let app = expect(
        s.call(
            "POST",
            "/api/v1/applications",
            Some(reviewer),
            Some(&json!({"kind": "initial_filing", "payload": payload})),
        ),
        201,
        "submit a filing",
    );
    let id = app["id"].as_str().expect("application id").to_string();
    expect(s.call("POST", &format!("/api/v1/applications/{id}/approve"), Some(reviewer), None), 403, "four-eyes rule");
    let approved =
        expect(s.call("POST", &format!("/api/v1/applications/{id}/approve"), Some(supervisor), None), 200, "approve");
    assert_eq!(approved["state"], "approved");
    approved["enterprise_id"].as_str().expect("enterprise id").to_string()
}

fn story(tag: &str, db: &str, tamper: impl Fn(&Path)) {
    let dir = workdir(tag);
    // Bootstrap officers with the administrative command (its token is the last line).
    let mut tokens = std::collections::HashMap::new();
    for (role, name) in [("administrator", "root"), ("reviewer", "rita"), ("supervisor", "sam")] {
        let (code, out, err) = cbec(&dir, &["admin", "create-officer", "--db", db, "--role", role, "--name", name]);
        assert_eq!(code, 0, "create-officer: {err}");
        tokens.insert(role, last_line(&out));
    }
    let (admin, reviewer, supervisor) = (&tokens["administrator"], &tokens["reviewer"], &tokens["supervisor"]);
    let s = start(&dir, db);
    assert_eq!(s.call("GET", "/readyz", None, None).0, 200);
    assert_eq!(s.call("GET", "/api/v1/enterprises", None, None).0, 401);

    // One enterprise of each type; payment and logistics with their licences.
    let licence = |kind: &str, number: &str, scope: &str| json!({"kind": kind, "number": number, "issuer": "", "scope": scope, "valid_from": "2020-01-01", "valid_to": "2035-12-31"});
    let mut ids = std::collections::HashMap::new();
    for (i, t) in ["ebc", "agent", "ebp", "pay", "logistics", "operator", "warehouse"].iter().enumerate() {
        let licences = match *t {
            "pay" => vec![licence("payment", "Z2000133000019", "互联网支付、移动电话支付")],
            "logistics" => vec![licence("express", "邮政快递2020-001", "国际快递")],
            _ => vec![],
        };
        let code = format!("31019{:05}", 100 + i);
        let id = file(
            &s,
            reviewer,
            supervisor,
            json!({"record": record(&code, &format!("企业{t}"), &[t]), "licences": licences}),
        );
        ids.insert(*t, id);
    }
    let listed = expect(s.call("GET", "/api/v1/enterprises", Some(reviewer), None), 200, "list");
    assert_eq!(listed.as_array().map_or(0, Vec::len), 7, "{listed}");

    // A payment enterprise without a valid licence is refused, naming the rule.
    let expired = json!({"record": record("3101990001", "无证支付", &["pay"]),
                         "licences": [licence("payment", "Z1", "互联网支付")]});
    let mut expired = expired;
    expired["licences"][0]["valid_to"] = json!("2021-01-01");
    let refused = expect(
        s.call(
            "POST",
            "/api/v1/applications",
            Some(reviewer),
            Some(&json!({"kind": "initial_filing", "payload": expired})),
        ),
        422,
        "payment enterprise with an expired licence",
    );
    assert!(refused.to_string().contains("filing.licence"), "{refused}");

    // The e-commerce enterprise gets a token and applies for an information change.
    let ebc = ids["ebc"].clone();
    let tok = expect(
        s.call("POST", &format!("/api/v1/enterprises/{ebc}/tokens"), Some(admin), Some(&json!({"label": "erp"}))),
        201,
        "token",
    );
    let ent_token = tok["token"].as_str().expect("token").to_string();
    let before =
        expect(s.call("GET", &format!("/api/v1/enterprises/{ebc}"), Some(&ent_token), None), 200, "own record");
    expect(s.call("GET", "/api/v1/me", Some(&ent_token), None), 200, "me");
    std::thread::sleep(Duration::from_millis(20));
    let mut changed = before["record"].clone();
    changed["name"] = json!("企业ebc（新名称）");
    changed["address"] = json!("上海市黄浦区中山东一路1号");
    let change = expect(
        s.call(
            "POST",
            "/api/v1/applications",
            Some(&ent_token),
            Some(&json!({"kind": "info_change", "enterprise_id": ebc, "payload": {"record": changed}})),
        ),
        201,
        "information change",
    );
    let other = ids["ebp"].clone();
    assert_eq!(s.call("GET", &format!("/api/v1/enterprises/{other}"), Some(&ent_token), None).0, 403, "foreign record");
    let change_id = change["id"].as_str().expect("id");
    expect(
        s.call("POST", &format!("/api/v1/applications/{change_id}/approve"), Some(reviewer), None),
        200,
        "approve change",
    );
    let after = expect(s.call("GET", &format!("/api/v1/enterprises/{ebc}"), Some(reviewer), None), 200, "record after");
    assert_eq!(after["version"], 2);
    assert_eq!(after["record"]["name"], "企业ebc（新名称）");
    let versions =
        expect(s.call("GET", &format!("/api/v1/enterprises/{ebc}/versions"), Some(reviewer), None), 200, "versions");
    let versions = versions.as_array().cloned().expect("versions list");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["record"]["name"], "企业ebc");
    let v2_from = versions[1]["valid_from"].as_i64().expect("valid_from");
    let as_of = |ms: i64| {
        let t = cbec_store::Millis(ms).to_rfc3339();
        expect(s.call("GET", &format!("/api/v1/enterprises/{ebc}/as-of?at={t}"), Some(reviewer), None), 200, "as-of")
    };
    assert_eq!(as_of(v2_from - 1)["record"]["name"], "企业ebc", "before the change");
    assert_eq!(as_of(v2_from + 1)["record"]["name"], "企业ebc（新名称）", "after the change");

    // Overseas warehouse: refused while dishonest, accepted at general credit.
    let wh = json!({"warehouse": {"name": "洛杉矶仓", "country": "502", "address": "1 Main St, Los Angeles", "area_m2": "1200.5", "nature": "leased", "document": "LEASE-2026-01"}});
    expect(
        s.call(
            "POST",
            &format!("/api/v1/enterprises/{ebc}/credit"),
            Some(reviewer),
            Some(&json!({"rating": "dishonest", "reason": "x"})),
        ),
        403,
        "only supervisors rate",
    );
    expect(
        s.call(
            "POST",
            &format!("/api/v1/enterprises/{ebc}/credit"),
            Some(supervisor),
            Some(&json!({"rating": "dishonest", "reason": "走私违规"})),
        ),
        200,
        "downgrade",
    );
    let refused = expect(
        s.call(
            "POST",
            "/api/v1/applications",
            Some(&ent_token),
            Some(&json!({"kind": "overseas_warehouse", "enterprise_id": ebc, "payload": wh})),
        ),
        422,
        "warehouse for a dishonest enterprise",
    );
    assert!(refused.to_string().contains("credit"), "{refused}");
    expect(
        s.call(
            "POST",
            &format!("/api/v1/enterprises/{ebc}/credit"),
            Some(supervisor),
            Some(&json!({"rating": "general", "reason": "整改完成"})),
        ),
        200,
        "upgrade",
    );
    let app = expect(
        s.call(
            "POST",
            "/api/v1/applications",
            Some(&ent_token),
            Some(&json!({"kind": "overseas_warehouse", "enterprise_id": ebc, "payload": wh})),
        ),
        201,
        "warehouse at general credit",
    );
    expect(
        s.call(
            "POST",
            &format!("/api/v1/applications/{}/approve", app["id"].as_str().expect("id")),
            Some(reviewer),
            None,
        ),
        200,
        "approve warehouse",
    );
    let warehouses = expect(
        s.call("GET", &format!("/api/v1/enterprises/{ebc}/warehouses"), Some(&ent_token), None),
        200,
        "warehouses",
    );
    assert!(warehouses.to_string().contains("洛杉矶仓"), "{warehouses}");

    // Bind and revoke a signing certificate.
    let (code, _, err) =
        cbec(&dir, &["keygen", "--alg", "sm2", "--out", "key1", "--subject", "CN=企业ebc,O=Test,C=CN"]);
    assert_eq!(code, 0, "keygen: {err}");
    let pem = std::fs::read_to_string(dir.join("key1/cert.pem")).expect("cert");
    let app = expect(
        s.call(
            "POST",
            "/api/v1/applications",
            Some(&ent_token),
            Some(&json!({"kind": "certificate_binding", "enterprise_id": ebc, "payload": {"certificate": pem}})),
        ),
        201,
        "bind certificate",
    );
    expect(
        s.call(
            "POST",
            &format!("/api/v1/applications/{}/approve", app["id"].as_str().expect("id")),
            Some(reviewer),
            None,
        ),
        200,
        "approve binding",
    );
    let certs = expect(
        s.call("GET", &format!("/api/v1/enterprises/{ebc}/certificates"), Some(&ent_token), None),
        200,
        "certificates",
    );
    let certs = certs.as_array().cloned().expect("list");
    assert_eq!(certs.len(), 1);
    let cert_id = certs[0]["id"].as_str().expect("cert id");
    expect(
        s.call(
            "POST",
            &format!("/api/v1/certificates/{cert_id}/revoke"),
            Some(&ent_token),
            Some(&json!({"reason": "UKey lost"})),
        ),
        200,
        "revoke",
    );
    let certs = expect(
        s.call("GET", &format!("/api/v1/enterprises/{ebc}/certificates"), Some(&ent_token), None),
        200,
        "certificates",
    );
    assert!(!certs.to_string().contains("\"revoked_at\":null"), "{certs}");

    // The audit chain holds, over HTTP and from the command line.
    let v = expect(s.call("GET", "/api/v1/audit/verify", Some(supervisor), None), 200, "audit verify");
    assert_eq!(v["intact"], true, "{v}");
    drop(s);
    let (code, out, _) = cbec(&dir, &["audit", "verify", "--db", db]);
    assert_eq!(code, 0, "{out}");
    // A tampered row is found, at its sequence number.
    tamper(&dir);
    let (code, out, _) = cbec(&dir, &["audit", "verify", "--db", db]);
    assert_eq!(code, 1, "tampering not detected: {out}");
    assert!(out.contains("entry 5"), "{out}");
}

#[test]
fn filing_story_on_sqlite() {
    let dir = workdir("sqlite-db");
    let path = dir.join("cbec.db");
    let db = format!("sqlite://{}", path.display());
    story("sqlite", &db, |_| {
        let c = rusqlite::Connection::open(&path).expect("open db");
        c.execute("UPDATE audit_log SET action = 'application.forged' WHERE seq = 5", []).expect("tamper");
    });
}

#[test]
fn filing_story_on_postgres() {
    let (db, _guard) = pg_database("e2e");
    story("postgres", &db, |_| psql(&db, "UPDATE audit_log SET action = 'application.forged' WHERE seq = 5"));
}

/// docs/api-guide.sh, the API guide's steps, runs from a clean start.
#[test]
fn the_api_guide_runs_as_written() {
    let dir = workdir("guide");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api-guide.sh");
    let out = Command::new("bash")
        .arg(&script)
        .current_dir(&dir)
        .env("CBEC", BIN)
        .env("PORT", free_port().to_string())
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for expected in
        ["filing.licence_missing", "filing.credit_insufficient", "approved", "True UKey lost", "\"intact\":true"]
    {
        assert!(stdout.contains(expected), "the guide's output lacks {expected}:\n{stdout}");
    }
}
