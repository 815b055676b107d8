//! `cbec bench web`: seeding (templates through the real pipeline and API,
//! then bulk copies) and the timing of every page, at a small scale.
//! Correctness only: no timing threshold is asserted here (the figures on
//! a million lists live in docs/BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Output};

fn cbec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cbec")).args(args).output().expect("run cbec")
}

fn workdir(tag: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-web-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the benchmark; its JSON line. A page over the time budget makes
/// the exit code 1 (a slow test machine), which is not what is tested
/// here; any other problem is.
fn bench(db: &str, lists: &str, runs: &str) -> serde_json::Value {
    let out = cbec(&["bench", "web", "--lists", lists, "--runs", runs, "--db", db]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let problems: Vec<&str> =
        stderr.lines().filter(|l| l.starts_with("cbec: ") && !l.contains("median over")).collect();
    assert!(
        matches!(out.status.code(), Some(0 | 1)) && problems.is_empty(),
        "exit {:?}\nstdout: {stdout}\nstderr: {stderr}",
        out.status.code()
    );
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one JSON line expected: {stdout}");
    serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("not JSON ({e}): {}", lines[0]))
}

const PAGES: &[&str] = &[
    "dashboard",
    "dashboard_week",
    "dashboard_csv",
    "queues",
    "queue_applications",
    "queue_warehouses",
    "application",
    "queue_review",
    "queue_inspection",
    "queue_detained",
    "queue_review_deep",
    "queue_orders",
    "document",
    "enterprises",
    "enterprises_by_name",
    "enterprise",
    "risk",
    "rule_set",
    "risk_warnings",
    "risk_sampling",
    "risk_dry_run",
    "search_order_no",
    "search_logistics_no",
    "search_invt_no",
    "search_buyer_id",
    "search_pay_transaction_id",
    "search_enterprise_code",
    "portal",
    "portal_applications",
    "portal_messages",
    "portal_messages_deep",
    "portal_lists",
    "portal_lists_deep",
    "portal_lists_all",
    "portal_document",
    "portal_orders",
    "portal_tokens",
    "portal_webhook",
];

#[test]
fn a_seeded_database_shows_its_copies_on_every_page() {
    let dir = workdir("seeded");
    let file = dir.join("cbec.db");
    let db = format!("sqlite://{}", file.display());
    let r = bench(&db, "2000", "2");
    assert_eq!(r["bench"], "web", "{r}");
    assert_eq!(r["lists"], 2000, "{r}");
    assert_eq!(r["templates"], 300, "{r}");
    assert_eq!(r["reused"], false, "{r}");
    assert!(r["documents"].as_i64().unwrap() >= 8000, "a list, its order, payment and waybill: {r}");
    let pages = r["pages"].as_array().unwrap();
    let names: Vec<&str> = pages.iter().map(|p| p["page"].as_str().unwrap()).collect();
    assert_eq!(names, PAGES, "{r}");
    for p in pages {
        assert_eq!(p["status"], 200, "{p}");
        let (median, p95, max) =
            (p["median_ms"].as_f64().unwrap(), p["p95_ms"].as_f64().unwrap(), p["max_ms"].as_f64().unwrap());
        assert!(median > 0.0 && median <= p95 && p95 <= max, "{p}");
        assert!(p["bytes"].as_u64().unwrap() > 0, "{p}");
    }
    let found: BTreeSet<(&str, bool)> =
        r["found"].as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v.as_bool().unwrap())).collect();
    let all = ["buyer_id", "enterprise_code", "invt_no", "logistics_no", "order_no", "pay_transaction_id"];
    assert_eq!(found, all.iter().map(|k| (*k, true)).collect(), "every search found its target: {r}");

    // The database as the pages read it: the copies are whole imports.
    let conn = rusqlite::Connection::open(&file).unwrap();
    let one = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(one("SELECT count(*) FROM documents WHERE kind = 'list'"), 2000);
    for kind in ["order", "payment", "waybill"] {
        assert!(one(&format!("SELECT count(*) FROM documents WHERE kind = '{kind}'")) >= 1997, "{kind}");
    }
    for status in ["released", "manual_review", "inspection", "detained_clearance", "rejected", "declaring"] {
        let n = one(&format!("SELECT count(*) FROM documents WHERE kind = 'list' AND status = '{status}'"));
        assert!(n > 0, "lists in {status}");
    }
    // Every list is found by its keys, and each order by its buyer.
    assert_eq!(
        one("SELECT count(*) FROM documents d WHERE kind = 'list' AND NOT EXISTS
             (SELECT 1 FROM document_keys k WHERE k.doc_id = d.id AND k.key LIKE 'order|%')"),
        0
    );
    assert!(one("SELECT count(DISTINCT key) FROM document_keys WHERE key LIKE 'buyer|%'") > 600, "many buyers");
    assert_eq!(one("SELECT count(DISTINCT business_key) FROM documents WHERE kind = 'order'"), 2000);
    // Numbers come from the pipeline's counters, moved past the copies.
    let numbered = one("SELECT count(*) FROM documents WHERE kind = 'list' AND business_key LIKE '2244%I%'");
    assert!(one("SELECT value FROM counters WHERE name LIKE 'invt|2244|%'") >= numbered);
    assert_eq!(
        one("SELECT count(*) FROM (SELECT business_key FROM documents WHERE kind = 'list'
             GROUP BY business_key HAVING count(*) > 1)"),
        0,
        "invtNo and copNo are unique"
    );
    // Receipts are numbered in the order they were issued (the pipeline's
    // own, the newest, last), and each names its recipients.
    assert_eq!(
        one(
            "SELECT count(*) FROM receipts a JOIN receipts b ON b.seq = a.seq + 1 WHERE b.issued_at < a.issued_at - 60000"
        ),
        0
    );
    assert_eq!(
        one(
            "SELECT count(*) FROM receipts r WHERE NOT EXISTS (SELECT 1 FROM receipt_recipients x WHERE x.seq = r.seq)"
        ),
        0
    );
    // The hourly aggregates count every list (the pipeline's and the copies').
    assert_eq!(
        one(
            "SELECT sum(count) FROM traffic_hourly WHERE enterprise = '*' AND kind = 'message' AND message_type = 'CEB621Message'"
        ),
        2000
    );
    drop(conn);

    // A second run reuses the database.
    let again = bench(&db, "2000", "1");
    assert_eq!(again["reused"], true, "{again}");
    assert_eq!(again["seed_seconds"], r["seed_seconds"], "{again}");
    // Another size is refused, not reseeded.
    let out = cbec(&["bench", "web", "--lists", "3000", "--runs", "1", "--db", &db]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("seeded with 2000 lists"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_arguments_are_refused() {
    let out = cbec(&["bench", "web", "--lists", "10"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--lists"));
    let out = cbec(&["bench", "web", "--lists", "100", "--db", "postgres://cbec@127.0.0.1:1/x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite://"));
    let out = cbec(&["bench", "web", "--lists", "100", "--runs", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--runs"));

    // A database with data that this command did not seed is left alone.
    let dir = workdir("foreign");
    let file = dir.join("cbec.db");
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.execute_batch("CREATE TABLE enterprises (id TEXT); INSERT INTO enterprises VALUES ('x');").unwrap();
    drop(conn);
    let out = cbec(&["bench", "web", "--lists", "100", "--db", &format!("sqlite://{}", file.display())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not seeded by `cbec bench web`"));
    assert!(file.exists(), "not removed");
    let _ = std::fs::remove_dir_all(&dir);
}
