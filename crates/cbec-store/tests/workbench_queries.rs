//! The officers' workbench's reads and the hourly traffic aggregates, on
//! both backends: messages processed concurrently (so SQLite commits them
//! in groups) add up in `traffic_hourly` per enterprise and for all, and
//! only for work that committed; bounded counts and keyset pages by
//! status; documents by key, newest first and limited; enterprises by the
//! start of their name.
//!
//! SQLite runs on a temporary file; PostgreSQL on a fresh database created
//! from the admin URL in `CBEC_TEST_PG` (set by `./scripts/test.sh`) and
//! dropped afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backends;

use std::sync::Arc;

use cbec_model::filing::{ApplicationKind, CreditRating, EnterpriseType, Trade};
use cbec_store::traffic::{ALL, HOUR_MS, MESSAGE};
use cbec_store::*;

/// 2026-01-01T00:00:00Z.
const T0: i64 = 1_767_225_600_000;

/// A decider that writes a fixed outcome, or fails.
struct Fixed(Option<Result<Outcome>>);

impl Decider for Fixed {
    fn needs(&mut self, _: &Snapshot) -> Needs {
        Needs::default()
    }
    fn decide(&mut self, _: &Snapshot) -> Result<Outcome> {
        self.0.take().unwrap_or_else(|| Ok(Outcome::default()))
    }
}

fn doc(id: &str, kind: &str, status: &str, keys: &[String], at: i64, message: Option<&str>) -> DocRow {
    DocRow {
        id: id.into(),
        kind: kind.into(),
        status: status.into(),
        sender: "C1".into(),
        business_key: format!("BK-{id}"),
        keys: keys.to_vec(),
        deadline: None,
        created_at: Millis(at),
        updated_at: Millis(at),
        message_id: message.map(str::to_string),
        body: "{}".into(),
    }
}

fn receipt(doc_id: Option<&str>, status: &str) -> NewReceipt {
    NewReceipt {
        id: new_id(),
        doc_id: doc_id.map(str::to_string),
        message_type: "CEB622Message".into(),
        return_status: status.into(),
        return_info: String::new(),
        business_key: String::new(),
        xml: "<x/>".into(),
        recipients: vec!["C1".into()],
    }
}

/// A message from `sender` at `at` bringing one list answered `status`.
async fn message(store: Arc<dyn Store>, sender: &str, at: i64, status: &str, mode: &str, fail: bool) -> Result<()> {
    let (mid, did) = (new_id(), new_id());
    let mut out = Outcome {
        docs: vec![doc(&did, "list", "accepted", &[format!("invt|{did}")], at, Some(&mid))],
        receipts: vec![receipt(Some(&did), status)],
        audit_action: "message.receive",
        audit_summary: serde_json::json!({}),
        ..Default::default()
    };
    out.traffic.labels.insert(did.clone(), TrafficLabel { mode: mode.into(), direction: "import".into() });
    out.traffic.latency_ms = Some(at % 100);
    let work = Work {
        actor: Actor { principal: Principal::Enterprise(sender.into()), at: Millis(at) },
        message: Some(NewMessage::new(
            mid.clone(),
            sender.into(),
            Some(mid.clone()),
            "CEB621Message".into(),
            Millis(at),
            b"<x/>".to_vec(),
        )),
        entity: ("message", mid),
    };
    let outcome = if fail { Err(StoreError::InvalidState("refused by the test".into())) } else { Ok(out) };
    store.process(work, Box::new(Fixed(Some(outcome)))).await.map(drop)
}

async fn scenario(store: Arc<dyn Store>) {
    // 60 messages at once from two senders over two hours (SQLite groups
    // them), 10 refused by the quota code, and 5 whose decision fails.
    let mut tasks = Vec::new();
    for n in 0..65i64 {
        let sender = if n % 3 == 0 { "E-B" } else { "E-A" };
        let at = T0 + (n % 2) * HOUR_MS + n;
        let status = if n % 6 == 0 { "-621018" } else { "120" };
        let mode = if n % 2 == 0 { "9610" } else { "1210" };
        tasks.push(tokio::spawn(message(store.clone(), sender, at, status, mode, n >= 60)));
    }
    let mut failed = 0;
    for t in tasks {
        if t.await.unwrap().is_err() {
            failed += 1;
        }
    }
    assert_eq!(failed, 5);
    let rows = store.traffic(None, Millis(T0), Millis(T0 + 2 * HOUR_MS)).await.unwrap();
    assert!(rows.iter().all(|r| r.enterprise == ALL));
    let count = |kind: &str, f: &dyn Fn(&TrafficRow) -> bool| -> i64 {
        rows.iter().filter(|r| r.kind == kind && f(r)).map(|r| r.count).sum()
    };
    assert_eq!(count(MESSAGE, &|_| true), 60, "failed work adds nothing: {rows:#?}");
    assert_eq!(count("list", &|_| true), 60);
    assert_eq!(count("list", &|r| r.return_status == "-621018"), 10);
    assert_eq!(count(MESSAGE, &|r| r.return_status == "-621018"), 10, "a message is answered as its list");
    assert_eq!(count("list", &|r| r.mode == "9610" && r.hour == Millis(T0)), 30);
    assert_eq!(count("list", &|r| r.mode == "1210" && r.hour == Millis(T0 + HOUR_MS)), 30);
    let messages: Vec<&TrafficRow> = rows.iter().filter(|r| r.kind == MESSAGE).collect();
    assert_eq!(messages.iter().map(|r| r.latency_n).sum::<i64>(), 60);
    let expected_sum: i64 = (0..60i64).map(|n| (T0 + (n % 2) * HOUR_MS + n) % 100).sum();
    assert_eq!(messages.iter().map(|r| r.latency_ms_sum).sum::<i64>(), expected_sum);
    let expected_max = (0..60i64).map(|n| (T0 + (n % 2) * HOUR_MS + n) % 100).max();
    assert_eq!(messages.iter().map(|r| r.latency_ms_max).max(), expected_max);
    // Per enterprise, and only the hours asked for.
    let b = store.traffic(Some(&"E-B".to_string()), Millis(T0), Millis(T0 + 2 * HOUR_MS)).await.unwrap();
    assert_eq!(b.iter().filter(|r| r.kind == MESSAGE).map(|r| r.count).sum::<i64>(), 20);
    let first_hour = store.traffic(None, Millis(T0), Millis(T0 + HOUR_MS)).await.unwrap();
    assert!(first_hour.iter().all(|r| r.hour == Millis(T0)));
    assert_eq!(first_hour.iter().filter(|r| r.kind == MESSAGE).map(|r| r.count).sum::<i64>(), 30);
    // Work without a message (an officer's action) is not intake.
    let id = new_id();
    let out = Outcome {
        docs: vec![doc(&id, "list", "inspection", &[], T0, None)],
        receipts: vec![receipt(Some(&id), "500")],
        audit_action: "document.act",
        audit_summary: serde_json::json!({}),
        ..Default::default()
    };
    let work = Work {
        actor: Actor { principal: Principal::System("t".into()), at: Millis(T0) },
        message: None,
        entity: ("document", id),
    };
    store.process(work, Box::new(Fixed(Some(Ok(out))))).await.unwrap();
    assert_eq!(store.traffic(None, Millis(T0), Millis(T0 + 2 * HOUR_MS)).await.unwrap(), rows);

    // Documents by status: bounded counts and keyset pages.
    let mut held = Vec::new();
    for n in 0..7i64 {
        let id = new_id();
        let keys = vec![format!("order|P|O-{}", n % 2), format!("buyer|ID{n}")];
        let out = Outcome {
            docs: vec![doc(&id, "list", "manual_review", &keys, T0 + 10 * HOUR_MS + n, None)],
            audit_action: "test.write",
            audit_summary: serde_json::json!({}),
            ..Default::default()
        };
        let work = Work {
            actor: Actor { principal: Principal::System("t".into()), at: Millis(T0) },
            message: None,
            entity: ("document", id.clone()),
        };
        store.process(work, Box::new(Fixed(Some(Ok(out))))).await.unwrap();
        held.push(id);
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    held.reverse();
    assert_eq!(store.count_documents("manual_review", 100).await.unwrap(), 7);
    assert_eq!(store.count_documents("manual_review", 5).await.unwrap(), 5, "counting stops at the cap");
    assert_eq!(store.count_documents("accepted", 100).await.unwrap(), 60);
    assert_eq!(store.count_documents("closed", 100).await.unwrap(), 0);
    let mut paged = Vec::new();
    let mut before = None;
    loop {
        let page = store.documents_in_status("manual_review", before.clone(), 3).await.unwrap();
        assert!(page.len() <= 3 && page.iter().all(|d| d.status == "manual_review"));
        let Some(last) = page.last() else { break };
        before = Some((last.updated_at, last.id.clone()));
        paged.extend(page.into_iter().map(|d| d.id));
    }
    assert_eq!(paged, held, "newest first, each once");

    // By key: newest first, at most the limit.
    let by_order = store.documents_by_keys(&["order|P|O-0".into()], 10).await.unwrap();
    assert_eq!(by_order.len(), 4, "n = 0, 2, 4, 6");
    assert!(by_order.windows(2).all(|w| w[0].id > w[1].id));
    assert_eq!(store.documents_by_keys(&["order|P|O-0".into(), "order|P|O-1".into()], 5).await.unwrap().len(), 5);
    let buyer = store.documents_by_keys(&["buyer|ID3".into()], 10).await.unwrap();
    assert_eq!(buyer.len(), 1);
    assert!(store.documents_by_keys(&[], 10).await.unwrap().is_empty());

    // Enterprises by the start of their name.
    for (n, name) in ["长春甲公司", "长春乙公司", "吉林丙公司", "Acme"].iter().enumerate() {
        let app = store
            .submit_application(
                NewApplication {
                    kind: ApplicationKind::InitialFiling,
                    enterprise_id: None,
                    payload: serde_json::json!({}),
                },
                &Actor { principal: Principal::System("t".into()), at: Millis(T0) },
            )
            .await
            .unwrap();
        let record = EnterpriseRecord {
            customs_code: Some(format!("220196000{n}")),
            uscc: None,
            name: (*name).into(),
            name_en: None,
            address: String::new(),
            contact: String::new(),
            telephone: String::new(),
            customs_district: "1500".into(),
            dxp_id: None,
            types: vec![EnterpriseType::Ebc],
            trade: Trade::Import,
            b2b_export: false,
        };
        let effect =
            Effect::CreateEnterprise { record, credit: CreditRating::General, licences: vec![], certificates: vec![] };
        store
            .approve_application(
                &app.id,
                effect,
                &Actor { principal: Principal::System("t".into()), at: Millis(T0) },
                Millis(T0),
            )
            .await
            .unwrap();
    }
    let names = |v: Vec<Enterprise>| v.into_iter().map(|e| e.record.name).collect::<Vec<_>>();
    assert_eq!(names(store.enterprises_named("长春", 10).await.unwrap()), vec!["长春乙公司", "长春甲公司"]);
    assert_eq!(names(store.enterprises_named("长春", 1).await.unwrap()).len(), 1);
    assert_eq!(names(store.enterprises_named("Ac", 10).await.unwrap()), vec!["Acme"]);
    assert!(store.enterprises_named("ac", 10).await.unwrap().is_empty(), "byte order: case counts");
    assert!(store.enterprises_named("上海", 10).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    backends::on_sqlite("cbec-workbench-queries", scenario).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    backends::on_postgres("cbec_workbench", scenario).await;
}
