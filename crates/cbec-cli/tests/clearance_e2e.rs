//! End to end: retail import clearance through a spawned `cbec serve` on
//! SQLite and on PostgreSQL. Five enterprises with real keys (SM2 and
//! RSA) send signed messages over HTTP; the test pulls and acknowledges
//! receipts, receives them by webhook (a receiver that fails at first),
//! waits for a deadline to pass, has an officer inspect, release, detain
//! and return goods, and checks every receipt with xmllint against the
//! official XSD.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cbec_fixtures::{ImportCase, ImportMode, import_case};
use cbec_pipeline::traffic::{Party, clear_signature};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use support::*;

/// Who sends document `n` of an import case (0 order, 1 payment, 2
/// waybill, 3 list).
fn sender(a: &Actors, n: usize) -> &(Party, String) {
    [&a.ebp, &a.pay, &a.logistics, &a.agent][n]
}

/// Sends document `n` of a case (0 order, 1 payment, 2 waybill, 3 list)
/// signed by its sender; returns the raw answer.
fn send(s: &Server, a: &Actors, case: &ImportCase, n: usize) -> Raw {
    let (party, token) = sender(a, n);
    let bytes = party.sign(&case.messages()[n]).unwrap();
    s.raw("POST", "/api/v1/messages", Some(token), "application/xml", &bytes)
}

/// A webhook receiver that answers 500 to its first `fail` requests, then
/// 200; it keeps every delivered (id, body) pair.
struct Receiver {
    port: u16,
    delivered: Arc<Mutex<Vec<(String, Value)>>>,
    attempts: Arc<Mutex<usize>>,
}

fn receiver(fail: usize) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let delivered = Arc::new(Mutex::new(Vec::new()));
    let attempts = Arc::new(Mutex::new(0usize));
    let (d, n) = (delivered.clone(), attempts.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            let mut id = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if lower.starts_with("x-cbec-receipt-id:") {
                    id = line.split_once(':').unwrap().1.trim().to_string();
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let attempt = {
                let mut a = n.lock().unwrap();
                *a += 1;
                *a
            };
            let ok = attempt > fail;
            if ok {
                d.lock().unwrap().push((id, serde_json::from_slice(&body).unwrap_or(Value::Null)));
            }
            let status = if ok { "200 OK" } else { "500 Internal Server Error" };
            let _ = stream
                .write_all(format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes());
        }
    });
    Receiver { port, delivered, attempts }
}

fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

fn story(tag: &str, db: &str) {
    let dir = workdir(tag);
    let a = file_actors(db);
    let (code, out, err) =
        cbec(&dir, &["admin", "create-officer", "--db", db, "--role", "risk_officer", "--name", "rita"]);
    assert_eq!(code, 0, "{err}");
    let officer = last_line(&out);
    let s = start_with(&dir, db, &[("CBEC_PENDING_DEADLINE_SECS", "2"), ("CBEC_AUTO_RELEASE", "false")]);
    let agent_token = a.agent.1.clone();

    // The agent takes its receipts by webhook; the receiver fails twice first.
    let hook = receiver(2);
    let set = json!({"url": format!("http://127.0.0.1:{}/receipts", hook.port), "secret": "0123456789abcdef0123"});
    expect(s.call("POST", "/api/v1/webhook", Some(&agent_token), Some(&set)), 201, "set webhook");

    // 9610 and 1210 imports, the four documents in several orders: a list that
    // arrives early waits (2) and is accepted when the last document arrives.
    let codes = a.codes();
    let direct = import_case(9001, ImportMode::DirectPurchase, 2, &codes);
    let first = send(&s, &a, &direct, 3);
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.header("content-type").as_deref(), Some("application/xml; charset=utf-8"));
    assert_eq!(statuses(&first.body), ["2"], "{}", first.body);
    for n in [0, 1, 2] {
        let r = send(&s, &a, &direct, n);
        assert_eq!(statuses(&r.body), ["120"], "{}", r.body);
    }
    let mut accepted = 1;
    let orders: [(ImportMode, [usize; 4]); 4] = [
        (ImportMode::DirectPurchase, [0, 1, 2, 3]),
        (ImportMode::DirectPurchase, [2, 3, 1, 0]),
        (ImportMode::Bonded, [0, 1, 2, 3]),
        (ImportMode::Bonded, [1, 3, 0, 2]),
    ];
    let mut bonded = None;
    for (k, (mode, order)) in orders.into_iter().enumerate() {
        let case = import_case(9010 + k as u64, mode, 3, &codes);
        for n in order {
            let r = send(&s, &a, &case, n);
            assert_eq!(r.status, 200, "{}", r.body);
        }
        accepted += 1;
        if mode == ImportMode::Bonded {
            bonded = Some(case);
        }
    }
    let bonded = bonded.unwrap();
    let listed =
        expect(s.call("GET", "/api/v1/documents?kind=list&status=accepted", Some(&officer), None), 200, "lists");
    assert_eq!(listed.as_array().map_or(0, Vec::len), accepted, "{listed}");

    // The same order again: the same receipt, nothing changes.
    let again = send(&s, &a, &bonded, 0);
    assert_eq!(again.header("x-cbec-duplicate").as_deref(), Some("true"));

    // Every mismatch kind names its field.
    for (k, m) in cbec_fixtures::mismatches().into_iter().enumerate() {
        let mut wrong = import_case(9100 + k as u64, ImportMode::DirectPurchase, 1, &codes);
        (m.apply)(&mut wrong);
        for n in [0, 1, 2] {
            send(&s, &a, &wrong, n);
        }
        let refused = send(&s, &a, &wrong, 3);
        assert_eq!(statuses(&refused.body), [m.status], "{}", refused.body);
        assert!(refused.body.contains(m.field), "{}: {}", m.field, refused.body);
    }

    // Above the single-transaction limit: −621005.
    let big = import_case(9004, ImportMode::DirectPurchase, 2, &codes).with_value("5200".parse().unwrap());
    for n in [0, 1, 2] {
        send(&s, &a, &big, n);
    }
    assert_eq!(statuses(&send(&s, &a, &big, 3).body), ["-621005"]);
    // One buyer up to the annual limit (5 × 5,000), then −621018; a
    // cancellation gives quota back, so the same purchase then clears.
    let buyer = big.buyer_id().to_string();
    let mut quota_cases = Vec::new();
    for k in 0..5u64 {
        let c = import_case(9200 + k, ImportMode::DirectPurchase, 2, &codes)
            .with_buyer("张三", &buyer)
            .with_value(Decimal::from(5000));
        for n in [0, 1, 2, 3] {
            send(&s, &a, &c, n);
        }
        quota_cases.push(c);
    }
    let over = import_case(9210, ImportMode::DirectPurchase, 1, &codes)
        .with_buyer("张三", &buyer)
        .with_value(Decimal::from(1500));
    for n in [0, 1, 2] {
        send(&s, &a, &over, n);
    }
    assert_eq!(statuses(&send(&s, &a, &over, 3).body), ["-621018"]);
    let invt_of = |c: &ImportCase| -> (String, String) {
        let order_no = &c.list.inventory[0].inventory_head.order_no;
        let found = expect(
            s.call("GET", "/api/v1/documents?kind=list&status=accepted&limit=1000", Some(&officer), None),
            200,
            "lists",
        );
        let id = found.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_string()).find(|id| {
            let d = expect(s.call("GET", &format!("/api/v1/documents/{id}"), Some(&officer), None), 200, "doc");
            d["facts"]["order_no"] == order_no.as_str()
        });
        let id = id.expect("the accepted list");
        let d = expect(s.call("GET", &format!("/api/v1/documents/{id}"), Some(&officer), None), 200, "doc");
        (id, d["facts"]["invt_no"].as_str().unwrap().to_string())
    };
    let (_, invt) = invt_of(&quota_cases[0]);
    let cancel = quota_cases[0].cancel(&invt, "消费者取消订单", 1);
    let bytes = a.agent.0.sign(&cbec_ceb::Message::CEB623Message(Box::new(cancel))).unwrap();
    let r = s.raw("POST", "/api/v1/messages", Some(&agent_token), "application/xml", &bytes);
    assert_eq!(statuses(&r.body), ["399"], "{}", r.body);
    let retry = import_case(9211, ImportMode::DirectPurchase, 1, &codes)
        .with_buyer("张三", &buyer)
        .with_value(Decimal::from(1500));
    for n in [0, 1, 2] {
        send(&s, &a, &retry, n);
    }
    assert_eq!(statuses(&send(&s, &a, &retry, 3).body), ["120"]);
    // Up to exactly 26,000 used.
    let fill = import_case(9213, ImportMode::DirectPurchase, 1, &codes)
        .with_buyer("张三", &buyer)
        .with_value(Decimal::from(4500));
    for n in [0, 1, 2, 3] {
        send(&s, &a, &fill, n);
    }
    assert_eq!(invt_of(&fill).1.len(), 18, "accepted at the limit");
    // A return: released first, then the return is accepted and, when the
    // goods are back, concluded with the quota credited.
    let (id, invt) = invt_of(&quota_cases[1]);
    expect(
        s.call(
            "POST",
            &format!("/api/v1/documents/{id}/actions"),
            Some(&officer),
            Some(&json!({"action": "release", "reason": "放行"})),
        ),
        200,
        "release",
    );
    let item = quota_cases[1].list.inventory[0].inventory_list[0].clone();
    let refund = quota_cases[1].refund(&invt, &[(item.gnum, item.qty)], "质量问题", 2);
    let bytes = a.agent.0.sign(&cbec_ceb::Message::CEB625Message(Box::new(refund))).unwrap();
    let r = s.raw("POST", "/api/v1/messages", Some(&agent_token), "application/xml", &bytes);
    assert_eq!(statuses(&r.body), ["120"], "{}", r.body);
    let refunds = expect(s.call("GET", "/api/v1/documents?kind=refund", Some(&officer), None), 200, "refunds");
    let refund_id = refunds[0]["id"].as_str().unwrap().to_string();
    let done = expect(
        s.call(
            "POST",
            &format!("/api/v1/documents/{refund_id}/actions"),
            Some(&officer),
            Some(&json!({"action": "goods_returned", "reason": "已退回监管场所"})),
        ),
        200,
        "goods back",
    );
    assert_eq!(done["document"]["status_code"], "399");
    // The credited quota lets exactly the returned value through again.
    let credit = item.total_price;
    let after = import_case(9212, ImportMode::DirectPurchase, 1, &codes).with_buyer("张三", &buyer).with_value(credit);
    for n in [0, 1, 2] {
        send(&s, &a, &after, n);
    }
    assert_eq!(statuses(&send(&s, &a, &after, 3).body), ["120"]);

    // Unsigned list: the signature code. Another enterprise's copCode: 403.
    let lonely = import_case(9005, ImportMode::DirectPurchase, 1, &codes);
    let mut unsigned = lonely.messages()[3].clone();
    clear_signature(&mut unsigned);
    let r = s.raw(
        "POST",
        "/api/v1/messages",
        Some(&agent_token),
        "application/xml",
        cbec_ceb::encode(&unsigned).as_bytes(),
    );
    assert_eq!(statuses(&r.body), ["-621029"], "{}", r.body);
    let wrongly = a.ebp.0.sign(&import_case(9008, ImportMode::DirectPurchase, 1, &codes).messages()[3]).unwrap();
    let r = s.raw("POST", "/api/v1/messages", Some(&agent_token), "application/xml", &wrongly);
    assert_eq!(statuses(&r.body), ["-621029"], "signed with a key not bound to the agent: {}", r.body);
    let signed = a.agent.0.sign(&import_case(9006, ImportMode::DirectPurchase, 1, &codes).messages()[3]).unwrap();
    let r = s.raw("POST", "/api/v1/messages", Some(&a.ebc.1), "application/xml", &signed);
    assert_eq!(r.status, 403, "{}", r.body);
    // Not XML: 415; garbage XML: a CEB900.
    assert_eq!(s.call("POST", "/api/v1/messages", Some(&agent_token), Some(&json!({}))).0, 415);
    let r = s.raw("POST", "/api/v1/messages", Some(&agent_token), "application/xml", b"<oops");
    assert!(r.body.contains("CEB900Message"), "{}", r.body);

    // A list alone is rejected when its deadline passes, naming what is missing.
    let waiting = import_case(9007, ImportMode::DirectPurchase, 1, &codes);
    assert_eq!(statuses(&send(&s, &a, &waiting, 3).body), ["2"]);
    let order_no = waiting.list.inventory[0].inventory_head.order_no.clone();
    wait_until("the deadline", 15, || {
        pull_all(&s, &agent_token)
            .iter()
            .any(|r| r["return_status"] == "100" && r["return_info"].as_str().unwrap_or("").contains(&order_no))
    });

    // Officers: inspect and release one list; detain and return the other.
    let ids = [invt_of(&direct).0, invt_of(&bonded).0];
    let act = |id: &str, body: Value, status: u16| {
        expect(s.call("POST", &format!("/api/v1/documents/{id}/actions"), Some(&officer), Some(&body)), status, "act")
    };
    assert_eq!(act(&ids[0], json!({"action": "inspect", "reason": "抽查"}), 200)["document"]["status_code"], "500");
    assert_eq!(
        act(&ids[0], json!({"action": "inspection_passed", "reason": "查验无误"}), 200)["document"]["status_code"],
        "800"
    );
    assert_eq!(
        act(&ids[1], json!({"action": "detain", "code": 502, "reason": "涉嫌走私"}), 200)["document"]["status_code"],
        "502"
    );
    assert_eq!(
        act(&ids[1], json!({"action": "return_goods", "reason": "退运"}), 200)["document"]["status_code"],
        "700"
    );
    let e = act(&ids[1], json!({"action": "release", "reason": "x"}), 409);
    assert_eq!(e["error"]["code"], "state.conflict");
    let detail = expect(s.call("GET", &format!("/api/v1/documents/{}", ids[1]), Some(&officer), None), 200, "detail");
    let moves: Vec<&str> = detail["moves"].as_array().unwrap().iter().map(|m| m["to"].as_str().unwrap()).collect();
    assert_eq!(moves.last(), Some(&"returned"), "{detail}");
    assert!(
        detail["moves"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["reason"] == "涉嫌走私" && m["actor"].as_str().unwrap().starts_with("officer:"))
    );
    // Enterprises see documents naming them only.
    let theirs = expect(s.call("GET", "/api/v1/documents?kind=list", Some(&a.pay.1), None), 200, "pay's lists");
    assert_eq!(theirs.as_array().map_or(0, Vec::len), 0, "the payment enterprise is named by no list");

    // Pull: the agent's receipts in order; acknowledge; nothing new after.
    let pulled = pull_all(&s, &agent_token);
    let seqs: Vec<i64> = pulled.iter().map(|r| r["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    assert!(pulled.iter().any(|r| r["message_type"] == "CEB816Message"), "tax bills reach the agent");
    assert!(pulled.iter().any(|r| r["return_status"] == "700"));
    let last = *seqs.last().unwrap();
    expect(s.call("POST", "/api/v1/receipts/ack", Some(&agent_token), Some(&json!({"cursor": last}))), 200, "ack");
    let rest = expect(s.call("GET", "/api/v1/receipts", Some(&agent_token), None), 200, "after ack");
    assert_eq!(rest["receipts"].as_array().map_or(1, Vec::len), 0, "{rest}");
    expect(
        s.call("POST", "/api/v1/receipts/ack", Some(&agent_token), Some(&json!({"cursor": 0}))),
        409,
        "no going back",
    );
    // The platform is named by the lists: it gets their receipts too.
    let ebp = pull_all(&s, &a.ebp.1);
    assert!(ebp.iter().any(|r| r["message_type"] == "CEB622Message"));
    assert!(ebp.iter().any(|r| r["message_type"] == "CEB312Message"));

    // Push: every receipt of the agent exactly once, in issue order, after the failures.
    let want: Vec<String> = pulled.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    wait_until("the webhook deliveries", 60, || hook.delivered.lock().unwrap().len() >= want.len());
    std::thread::sleep(Duration::from_millis(500));
    let got: Vec<String> = hook.delivered.lock().unwrap().iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(got, want, "each receipt once, in order");
    assert!(*hook.attempts.lock().unwrap() >= want.len() + 2);
    let deliveries =
        expect(s.call("GET", "/api/v1/webhook/deliveries?limit=1000", Some(&agent_token), None), 200, "deliveries");
    assert!(deliveries.as_array().unwrap().iter().all(|d| d["state"] == "delivered"), "{deliveries}");
    // Re-push on request.
    let queued = expect(
        s.call("POST", "/api/v1/webhook/redeliver", Some(&agent_token), Some(&json!({"after": 0}))),
        200,
        "redeliver",
    );
    assert_eq!(queued["queued"].as_u64(), Some(want.len() as u64));
    wait_until("the redelivery", 30, || hook.delivered.lock().unwrap().len() >= 2 * want.len());
    let again: BTreeSet<String> =
        hook.delivered.lock().unwrap()[want.len()..].iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(again, want.iter().cloned().collect::<BTreeSet<_>>());

    // The raw message is kept exactly as received.
    let message_id = first.header("x-cbec-message-id").unwrap();
    let raw = s.raw("GET", &format!("/api/v1/messages/{message_id}/raw"), Some(&agent_token), "application/json", b"");
    assert_eq!(raw.body.as_bytes(), a.agent.0.sign(&direct.messages()[3]).unwrap().as_slice());

    // Every receipt anyone got validates against the official XSD.
    let mut all = pulled.clone();
    all.extend(ebp);
    for t in [&a.pay.1, &a.logistics.1, &a.ebc.1] {
        all.extend(pull_all(&s, t));
    }
    assert!(xmllint(&dir, &all, "ceb-import-202205.xsd") > 20);
    let m = s.raw("GET", "/metrics", None, "text/plain", b"");
    assert!(m.body.contains("cbec_receipts_pushed_total"), "{}", m.body);
}

/// `cbec serve` on a database of the other mode: it must refuse to start
/// (within 30 s) and say why on standard error.
fn refused_to_serve(dir: &Path, db: &str, sandbox: bool) -> String {
    let mut args = vec!["serve".to_string(), "--db".into(), db.into(), "--listen".into()];
    args.push(format!("127.0.0.1:{}", free_port()));
    if sandbox {
        args.push("--sandbox".into());
    }
    let mut child = std::process::Command::new(BIN)
        .args(&args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(!status.success(), "cbec serve exited 0 on a database of the other mode");
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            return err;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("cbec serve started on a database of the other mode");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A sandbox server: a marker forces the outcome of a signed list sent over
/// HTTP, every answer says it comes from a sandbox, and the sandbox
/// database cannot be served as real traffic (nor a real one as a sandbox).
fn sandbox_story(tag: &str, db: &str, real_db: &str) {
    let dir = workdir(tag);
    let a = file_actors(db);
    let s = start_with(&dir, db, &[("CBEC_SANDBOX", "true")]);
    // Each marker forces its outcome on a list that matches.
    let outcomes: [(&str, &[&str]); 6] = [
        ("review", &["120", "300"]),
        ("inspect", &["120", "500"]),
        ("release", &["120", "800"]),
        ("detain=599", &["120", "599"]),
        ("return", &["120", "500", "700"]),
        ("reject=-621005", &["-621005"]),
    ];
    for (n, (marker, want)) in outcomes.iter().enumerate() {
        let mut case = import_case(9110 + n as u64, ImportMode::DirectPurchase, 1, &a.codes());
        case.list.inventory[0].inventory_head.note = Some(format!("parcel for the test CBEC-SANDBOX:{marker}"));
        for n in [0, 1, 2] {
            let r = send(&s, &a, &case, n);
            assert_eq!(statuses(&r.body), ["120"], "{}", r.body);
            assert_eq!(r.header("x-cbec-sandbox").as_deref(), Some("true"));
        }
        let r = send(&s, &a, &case, 3);
        assert_eq!(statuses(&r.body), *want, "{marker}: {}", r.body);
        assert!(r.body.contains(&format!("by the marker CBEC-SANDBOX:{marker}")), "{}", r.body);
    }
    let mut bad = import_case(9102, ImportMode::DirectPurchase, 1, &a.codes());
    bad.order.order[0].order_head.note = Some("CBEC-SANDBOX:reject=-301010".into());
    assert_eq!(statuses(&send(&s, &a, &bad, 0).body), ["-301010"]);
    drop(s);
    let err = refused_to_serve(&dir, db, false);
    assert!(err.contains("is a sandbox database") && err.contains("--sandbox"), "{err}");
    // A real database (claimed by a real server first) is never a sandbox.
    drop(start(&dir, real_db));
    let err = refused_to_serve(&dir, real_db, true);
    assert!(err.contains("is a production database") && err.contains("never touches real data"), "{err}");
}

#[test]
fn sandbox_on_sqlite() {
    let dir = workdir("sandbox-sqlite-db");
    let db = |name: &str| format!("sqlite://{}", dir.join(name).display());
    sandbox_story("sandbox-sqlite", &db("sandbox.db"), &db("real.db"));
}

#[test]
fn sandbox_on_postgres() {
    let (db, _guard) = pg_database("sandbox");
    let (real, _real_guard) = pg_database("sandboxreal");
    sandbox_story("sandbox-postgres", &db, &real);
}

#[test]
fn retail_import_on_sqlite() {
    let dir = workdir("clearance-sqlite-db");
    story("clearance-sqlite", &format!("sqlite://{}", dir.join("cbec.db").display()));
}

#[test]
fn retail_import_on_postgres() {
    let (db, _guard) = pg_database("clearance");
    story("clearance-postgres", &db);
}
