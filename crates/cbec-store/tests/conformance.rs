//! The storage conformance suite: every scenario runs against SQLite (a
//! fresh temporary file) and PostgreSQL (a fresh `cbec_test_*` database
//! created from the admin URL in `CBEC_TEST_PG` and dropped afterwards).
//!
//! Without `CBEC_TEST_PG` the PostgreSQL tests fail and say to run
//! `./scripts/test.sh`, which starts a throwaway server and sets it.
//!
//! Scenarios take the store as `Arc<dyn Store>` and a [`TestDb`] handle
//! that can run raw SQL (only to tamper with the audit log). The macro at
//! the bottom makes `<scenario>::sqlite` and `<scenario>::postgres` tests.
//! `same_results_on_both_backends` runs one story on both and compares what
//! a caller can observe.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use cbec_model::filing::{
    ApplicationKind, ApplicationState, CreditRating, EnterpriseType, LicenceKind, Role, Trade, WarehouseNature,
};
use cbec_store::audit::{self, GENESIS, verify_audit};
use cbec_store::*;
use serde_json::{Value, json};

// ---- the harness -----------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database for one test and the way to reach it directly.
enum TestDb {
    Sqlite { dir: PathBuf, path: PathBuf },
    Postgres { admin: String, name: String, url: String },
}

const PG_ENV: &str = "CBEC_TEST_PG";

impl TestDb {
    async fn create(backend: Backend) -> (Arc<dyn Store>, TestDb) {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("cbec-store-test-{}", new_id()));
                let path = dir.join("data/cbec.db");
                let store = cbec_store::open(&format!("sqlite://{}", path.display())).await.unwrap();
                assert_eq!(store.backend(), "sqlite");
                (store, TestDb::Sqlite { dir, path })
            }
            Backend::Postgres => {
                let Ok(admin) = std::env::var(PG_ENV) else {
                    panic!(
                        "{PG_ENV} is not set: the PostgreSQL conformance tests need a server. Run ./scripts/test.sh, \
                         which starts a throwaway PostgreSQL and sets {PG_ENV} \
                         (or set {PG_ENV}=postgres://USER@HOST:PORT/postgres yourself)."
                    )
                };
                let name = format!("cbec_test_{}", new_id().replace('-', ""));
                let client = pg_connect(&admin).await;
                client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
                let url = with_dbname(&admin, &name);
                let store = cbec_store::open(&url).await.unwrap();
                assert_eq!(store.backend(), "postgres");
                (store, TestDb::Postgres { admin, name, url })
            }
        }
    }

    /// Runs raw SQL (the same text on both backends) behind the store's back.
    async fn execute(&self, sql: &str) -> u64 {
        match self {
            TestDb::Sqlite { path, .. } => {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
                conn.execute(sql, []).unwrap() as u64
            }
            TestDb::Postgres { url, .. } => pg_connect(url).await.execute(sql, &[]).await.unwrap(),
        }
    }

    /// The URL the store was opened with.
    fn url(&self) -> String {
        match self {
            TestDb::Sqlite { path, .. } => format!("sqlite://{}", path.display()),
            TestDb::Postgres { url, .. } => url.clone(),
        }
    }

    /// One text value from raw SQL.
    async fn text(&self, sql: &str) -> Option<String> {
        match self {
            TestDb::Sqlite { path, .. } => {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.query_row(sql, [], |r| r.get(0)).unwrap()
            }
            TestDb::Postgres { url, .. } => pg_connect(url).await.query_one(sql, &[]).await.unwrap().get(0),
        }
    }

    async fn drop_db(&self) {
        match self {
            TestDb::Sqlite { dir, .. } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { admin, name, .. } => {
                let client = pg_connect(admin).await;
                client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
            }
        }
    }
}

async fn pg_connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url} ({PG_ENV}): {e}; is PostgreSQL running?"));
    tokio::spawn(conn);
    client
}

/// The admin URL with another database name.
fn with_dbname(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    format!("{}/{name}{query}", &base[..host_end])
}

/// Runs a scenario on a fresh database of `backend`, dropping the database
/// afterwards even when the scenario panics.
async fn run<F, Fut>(backend: Backend, scenario: F)
where
    F: FnOnce(Arc<dyn Store>, Arc<TestDb>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (store, db) = TestDb::create(backend).await;
    let db = Arc::new(db);
    let outcome = tokio::spawn(scenario(store, db.clone())).await;
    db.drop_db().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

// ---- fixtures ----------------------------------------------------------------------

/// 2026-01-01T00:00:00Z: the suite's clock starts here.
const T0: i64 = 1_767_225_600_000;
const HOUR: i64 = 3_600_000;

fn at(hours: i64) -> Millis {
    Millis(T0 + hours * HOUR)
}

fn system(hours: i64) -> Actor {
    Actor { principal: Principal::System("test".into()), at: at(hours) }
}

fn officer_actor(o: &Officer, hours: i64) -> Actor {
    Actor { principal: Principal::Officer(o.id.clone()), at: at(hours) }
}

fn enterprise_actor(id: &str, hours: i64) -> Actor {
    Actor { principal: Principal::Enterprise(id.to_string()), at: at(hours) }
}

fn hash(n: u8) -> [u8; 32] {
    [n; 32]
}

fn record(customs_code: &str, uscc: &str, name: &str) -> EnterpriseRecord {
    EnterpriseRecord {
        customs_code: Some(customs_code.into()),
        uscc: Some(uscc.into()),
        name: name.into(),
        name_en: Some(format!("{name} Ltd")),
        address: "1 Harbour Road, Hangzhou".into(),
        contact: "Li Lei".into(),
        telephone: "0571-00000000".into(),
        customs_district: "2900".into(),
        dxp_id: Some(format!("DXPENT{customs_code}")),
        types: vec![EnterpriseType::Ebc, EnterpriseType::Ebp],
        trade: Trade::Import,
        b2b_export: false,
    }
}

fn licence(kind: LicenceKind, number: &str, issuer: &str) -> NewLicence {
    NewLicence {
        kind,
        number: number.into(),
        issuer: issuer.into(),
        scope: "互联网支付".into(),
        valid_from: "2025-01-01".into(),
        valid_to: "2029-12-31".into(),
    }
}

fn cert(n: u8) -> NewCertificate {
    NewCertificate {
        serial: format!("{n:02x}a1b2c3"),
        subject: format!("CN=enterprise {n}"),
        issuer: "CN=China Port CA".into(),
        not_before: at(-1000),
        not_after: at(10_000),
        fingerprint: [n; 32],
        der: vec![0x30, 0x82, n, n.wrapping_add(1), 0x00, 0xff],
    }
}

fn warehouse(name: &str) -> NewWarehouse {
    NewWarehouse {
        name: name.into(),
        country: "276".into(),
        address: "Hafenstraße 1, Hamburg".into(),
        area_m2: "1234.50".into(),
        nature: WarehouseNature::Leased,
        document: Some("LEASE-2026-001".into()),
        operator: None,
    }
}

fn initial(code: &str, uscc: &str, name: &str) -> NewApplication {
    NewApplication {
        kind: ApplicationKind::InitialFiling,
        enterprise_id: None,
        payload: json!({ "customs_code": code, "uscc": uscc, "name": name, "amount": "12.50" }),
    }
}

fn for_enterprise(kind: ApplicationKind, enterprise: &str, payload: Value) -> NewApplication {
    NewApplication { kind, enterprise_id: Some(enterprise.to_string()), payload }
}

/// Submits and approves an initial filing at `hours`; the new enterprise.
async fn file(store: &dyn Store, code: &str, uscc: &str, name: &str, n: u8, hours: i64) -> Enterprise {
    let app = store.submit_application(initial(code, uscc, name), &system(hours)).await.unwrap();
    let effect = Effect::CreateEnterprise {
        record: record(code, uscc, name),
        credit: CreditRating::General,
        licences: vec![licence(LicenceKind::Payment, &format!("Z{n}0001"), "PBOC")],
        certificates: vec![cert(n)],
    };
    let app = store.approve_application(&app.id, effect, &system(hours), at(hours)).await.unwrap();
    store.enterprise(app.enterprise_id.as_ref().unwrap()).await.unwrap()
}

#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(r: Result<T>, naming: &str) {
    match r {
        Err(StoreError::Conflict(msg)) => assert!(msg.contains(naming), "conflict {msg:?} should name {naming:?}"),
        other => panic!("expected a conflict naming {naming:?}, got {other:?}"),
    }
}

#[track_caller]
fn assert_invalid<T: std::fmt::Debug>(r: Result<T>) {
    assert!(matches!(r, Err(StoreError::InvalidState(_))), "expected InvalidState, got {r:?}");
}

#[track_caller]
fn assert_not_found<T: std::fmt::Debug>(r: Result<T>, what: &str) {
    match r {
        Err(StoreError::NotFound { entity, .. }) => assert_eq!(entity, what),
        other => panic!("expected {what} not found, got {other:?}"),
    }
}

async fn audit_count(store: &dyn Store) -> i64 {
    let n = verify_audit(store).await.unwrap().unwrap();
    assert_eq!(n, store.audit_entries(0, 100_000).await.unwrap().len() as i64);
    n
}

// ---- scenarios --------------------------------------------------------------------------

mod scenarios {
    use super::*;

    /// The first claim sets the mode, once, with an audit entry; a claim of
    /// the other mode gets the one set.
    /// Reference data versions: numbered per kind, the one in force on a
    /// date is the latest effective on or before it, content kept, audited.
    pub async fn refdata_versions(store: Arc<dyn Store>, _db: Arc<TestDb>) {
        let store = store.as_ref();
        let new = |kind: &str, from: &str, content: &str| NewRefdata {
            kind: kind.into(),
            effective_from: from.into(),
            rows: 1,
            source: format!("{kind}.csv"),
            content: content.into(),
        };
        let before = audit_count(store).await;
        let v1 = store.import_refdata(new("tariff", "2026-01-01", "v1"), &system(0)).await.unwrap();
        let v2 = store.import_refdata(new("tariff", "2026-07-01", "v2"), &system(1)).await.unwrap();
        let v3 = store.import_refdata(new("tariff", "2026-07-01", "v3"), &system(2)).await.unwrap();
        let p1 = store.import_refdata(new("positive-list", "2026-03-01", "p1"), &system(3)).await.unwrap();
        assert_eq!((v1.version, v2.version, v3.version, p1.version), (1, 2, 3, 1));
        assert_eq!(v1.imported_at, at(0));
        assert_eq!(audit_count(store).await, before + 4);
        let active = |kind: &'static str, on: &'static str| async move {
            let v = store.refdata_active(kind, on).await.unwrap()?;
            Some((v.version, store.refdata_content(&v.id).await.unwrap()))
        };
        assert_eq!(active("tariff", "2025-12-31").await, None);
        assert_eq!(active("tariff", "2026-01-01").await, Some((1, "v1".into())));
        assert_eq!(active("tariff", "2026-06-30").await, Some((1, "v1".into())));
        // Two versions from the same day: the later import wins.
        assert_eq!(active("tariff", "2026-07-01").await, Some((3, "v3".into())));
        assert_eq!(active("positive-list", "2027-01-01").await, Some((1, "p1".into())));
        assert_eq!(active("prohibited", "2027-01-01").await, None);
        assert_eq!(store.refdata_versions(Some("tariff")).await.unwrap(), vec![v1.clone(), v2, v3.clone()]);
        assert_eq!(store.refdata_versions(None).await.unwrap().len(), 4);
        assert_eq!(v3.source, "tariff.csv");
        // SHA-256 of the content as stored.
        assert_eq!(v1.sha256, "3bfc269594ef649228e9a74bab00f042efc91d5acc6fbee31a382e80d42388fe");
    }

    /// Rule sets: uploaded as drafts under a unique version, decided once by
    /// someone other than the uploader; approving retires the active one.
    pub async fn rule_sets(store: Arc<dyn Store>, db: Arc<TestDb>) {
        let store = store.as_ref();
        let who = |name: &str, hours: i64| Actor { principal: Principal::Officer(name.into()), at: at(hours) };
        let (maker, checker) = ("maker", "checker");
        let before = audit_count(store).await;
        assert_eq!(store.active_rule_set().await.unwrap(), None);
        assert!(store.rule_sets().await.unwrap().is_empty());

        let r1 = store.put_rule_set("2026.1", 1, "rules = 1", &who(maker, 0)).await.unwrap();
        assert_eq!(
            (r1.version.as_str(), r1.rules, r1.status.as_str(), r1.uploaded_by.as_str(), r1.uploaded_at),
            ("2026.1", 1, "draft", "officer:maker", at(0))
        );
        assert_eq!((r1.decided_by.clone(), r1.decided_at, r1.note.clone()), (None, None, None));
        assert_eq!(r1.sha256, "c4ee7faa215fdbc1d14e93390646f93e1b8fc6d96e5924633db5976b8e1d0781");
        // The same version again, even with other content, is refused.
        let dup = store.put_rule_set("2026.1", 2, "rules = 2", &who(maker, 1)).await;
        assert_conflict(dup, "2026.1");
        let dup = store.put_rule_set("2026.1", 2, "rules = 2", &who(checker, 1)).await;
        assert_conflict(dup, "bump the version");
        assert_eq!(store.rule_sets().await.unwrap(), vec![r1.clone()]);
        assert_eq!(store.rule_set(&r1.id).await.unwrap(), (r1.clone(), "rules = 1".to_string()));
        assert_not_found(store.rule_set(&new_id()).await, "rule_set");
        assert_not_found(store.decide_rule_set(&new_id(), true, "", &who(checker, 1)).await, "rule_set");

        // Four eyes: the uploader decides nothing on their own upload.
        for approve in [true, false] {
            match store.decide_rule_set(&r1.id, approve, "mine", &who(maker, 1)).await {
                Err(StoreError::InvalidState(m)) => {
                    assert!(m.contains("the uploader may not approve their own rule set"), "{m}")
                }
                other => panic!("the uploader decided their own rule set: {other:?}"),
            }
        }
        assert_eq!(store.active_rule_set().await.unwrap(), None);

        let a1 = store.decide_rule_set(&r1.id, true, " reviewed ", &who(checker, 2)).await.unwrap();
        assert_eq!(a1.status, "active");
        assert_eq!(
            (a1.decided_by.as_deref(), a1.decided_at, a1.note.as_deref()),
            (Some("officer:checker"), Some(at(2)), Some("reviewed"))
        );
        assert_eq!(store.active_rule_set().await.unwrap(), Some((a1.clone(), "rules = 1".to_string())));
        // Decided once only.
        for approve in [true, false] {
            match store.decide_rule_set(&r1.id, approve, "", &who("third", 3)).await {
                Err(StoreError::InvalidState(m)) => assert!(m.contains("active"), "{m}"),
                other => panic!("an active rule set was decided again: {other:?}"),
            }
        }

        // Approving a second one retires the first.
        let r2 = store.put_rule_set("2026.2", 2, "rules = 2", &who(maker, 4)).await.unwrap();
        assert_eq!(store.active_rule_set().await.unwrap().unwrap().0.id, r1.id, "a draft is not in force");
        let a2 = store.decide_rule_set(&r2.id, true, "", &who(checker, 5)).await.unwrap();
        assert_eq!((a2.status.as_str(), a2.note.clone()), ("active", None));
        let (active, content) = store.active_rule_set().await.unwrap().unwrap();
        assert_eq!((active, content.as_str()), (a2.clone(), "rules = 2"));
        let retired = RuleSetRow { status: "retired".into(), ..a1.clone() };
        assert_eq!(store.rule_set(&r1.id).await.unwrap().0, retired, "the retired one keeps its decision");
        match store.decide_rule_set(&r1.id, true, "", &who("third", 6)).await {
            Err(StoreError::InvalidState(m)) => assert!(m.contains("retired"), "{m}"),
            other => panic!("a retired rule set was decided again: {other:?}"),
        }

        // Rejecting leaves the active one in force.
        let r3 = store.put_rule_set("2026.3", 3, "rules = 3", &who(checker, 7)).await.unwrap();
        let j3 = store.decide_rule_set(&r3.id, false, "typo in rule 2", &who(maker, 8)).await.unwrap();
        assert_eq!(
            (j3.status.as_str(), j3.decided_by.as_deref(), j3.note.as_deref()),
            ("rejected", Some("officer:maker"), Some("typo in rule 2"))
        );
        match store.decide_rule_set(&r3.id, true, "", &who("third", 9)).await {
            Err(StoreError::InvalidState(m)) => assert!(m.contains("rejected"), "{m}"),
            other => panic!("a rejected rule set was decided again: {other:?}"),
        }
        assert_eq!(store.active_rule_set().await.unwrap().unwrap().0, a2);
        assert_eq!(store.rule_sets().await.unwrap(), vec![retired, a2.clone(), j3.clone()]);
        let active = "SELECT CAST(COUNT(*) AS TEXT) FROM rule_sets WHERE status = 'active'";
        assert_eq!(db.text(active).await.as_deref(), Some("1"));

        // One entry per change, the chain intact (audit_count verifies it).
        assert_eq!(audit_count(store).await, before + 7);
        let entries = store.audit_entries(before, 100).await.unwrap();
        let seen: Vec<(&str, &str, &str)> =
            entries.iter().map(|e| (e.action.as_str(), e.entity.as_str(), e.entity_id.as_str())).collect();
        assert_eq!(
            seen,
            vec![
                ("rule_set.upload", "rule_set", r1.id.as_str()),
                ("rule_set.activate", "rule_set", r1.id.as_str()),
                ("rule_set.upload", "rule_set", r2.id.as_str()),
                ("rule_set.retire", "rule_set", r1.id.as_str()),
                ("rule_set.activate", "rule_set", r2.id.as_str()),
                ("rule_set.upload", "rule_set", r3.id.as_str()),
                ("rule_set.reject", "rule_set", r3.id.as_str()),
            ]
        );
        assert_eq!(entries[1].actor, "officer:checker");
        assert_eq!(entries[3].after.as_ref().unwrap()["status"], "retired");
        assert_eq!(entries[4].before.as_ref().unwrap()["status"], "draft");
    }

    /// Monitoring records: opaque JSON with optimistic concurrency, each
    /// change audited in its own transaction.
    pub async fn monitoring_records(shared: Arc<dyn Store>, db: Arc<TestDb>) {
        let store = shared.as_ref();
        let row = |kind: &str, enterprise: Option<&str>, state: &str, hours: i64| MonitoringRow {
            id: new_id(),
            kind: kind.into(),
            enterprise: enterprise.map(str::to_string),
            state: state.into(),
            version: 1,
            body: json!({"kind": kind, "state": state}).to_string(),
            created_at: at(hours),
            updated_at: at(hours),
        };
        let (a, b) = (Some("3301960001"), Some("3301960002"));
        let before = audit_count(store).await;
        let mut put = Vec::new();
        for (r, action) in [
            (row("warning", a, "issued", 0), "warning.issue"),
            (row("test_result", b, "pending", 1), "test_result.record"),
            (row("sampling_plan", None, "draft", 2), "sampling_plan.create"),
            (row("warning", b, "issued", 3), "warning.issue"),
        ] {
            let stored = store.put_monitoring(r.clone(), None, action, json!({"n": put.len()}), &system(4)).await;
            assert_eq!(stored.unwrap(), r);
            put.push(r);
        }
        let (w1, t1, p1, w2) = (put[0].clone(), put[1].clone(), put[2].clone(), put[3].clone());
        assert_eq!(audit_count(store).await, before + 4);

        // A second insert of an id, an absent record, a body that is not JSON.
        let again = MonitoringRow { state: "other".into(), ..w1.clone() };
        assert_conflict(store.put_monitoring(again, None, "warning.issue", json!({}), &system(5)).await, &w1.id);
        assert_eq!(store.monitoring_record(&w1.id).await.unwrap(), w1);
        assert_not_found(store.monitoring_record(&new_id()).await, "monitoring");
        let ghost = MonitoringRow { version: 2, ..row("warning", a, "lifted", 5) };
        assert_not_found(
            store.put_monitoring(ghost, Some(1), "warning.lift", json!({}), &system(5)).await,
            "monitoring",
        );
        let broken = MonitoringRow { body: "{not json".into(), ..row("warning", a, "issued", 5) };
        assert_invalid(store.put_monitoring(broken, None, "warning.issue", json!({}), &system(5)).await);
        assert_eq!(audit_count(store).await, before + 4);

        // An update: the caller's version, the stored creation time.
        let lifted = MonitoringRow {
            state: "lifted".into(),
            version: 2,
            body: json!({"lifted": true}).to_string(),
            created_at: at(99),
            updated_at: at(6),
            ..w1.clone()
        };
        let stored =
            store.put_monitoring(lifted.clone(), Some(1), "warning.lift", json!({"reason": "fixed"}), &system(6)).await;
        let stored = stored.unwrap();
        assert_eq!(stored, MonitoringRow { created_at: w1.created_at, ..lifted.clone() });
        assert_eq!(store.monitoring_record(&w1.id).await.unwrap(), stored);
        let last = store.audit_entries(before + 4, 10).await.unwrap();
        assert_eq!(last.len(), 1);
        let e = &last[0];
        assert_eq!(
            (e.action.as_str(), e.entity.as_str(), e.entity_id.as_str()),
            ("warning.lift", "monitoring", &*w1.id)
        );
        assert_eq!(e.before, Some(json!({"state": "issued", "version": 1})));
        assert_eq!(
            e.after,
            Some(json!({"reason": "fixed", "kind": "warning", "enterprise": a, "state": "lifted", "version": 2}))
        );

        // A stale update changes nothing and leaves no audit entry.
        let stale = MonitoringRow { state: "issued".into(), version: 2, ..w1.clone() };
        match store.put_monitoring(stale, Some(1), "warning.reissue", json!({}), &system(7)).await {
            Err(StoreError::Conflict(m)) => {
                assert_eq!(m, "stale version: stored 2, expected 1; reload and retry")
            }
            other => panic!("a stale update was not refused: {other:?}"),
        }
        // The version must move forward; the kind cannot change.
        let same = MonitoringRow { state: "issued".into(), ..stored.clone() };
        assert_invalid(store.put_monitoring(same, Some(2), "warning.reissue", json!({}), &system(7)).await);
        let other_kind = MonitoringRow { kind: "credit_proposal".into(), version: 3, ..stored.clone() };
        assert_invalid(store.put_monitoring(other_kind, Some(2), "warning.reissue", json!({}), &system(7)).await);
        assert_eq!(store.monitoring_record(&w1.id).await.unwrap(), stored);
        assert_eq!(audit_count(store).await, before + 5);

        // Filters, oldest first.
        let list = |kind: Option<&str>, enterprise: Option<&str>, state: Option<&str>, limit: u32| {
            let f = MonitoringFilter {
                kind: kind.map(str::to_string),
                enterprise: enterprise.map(str::to_string),
                state: state.map(str::to_string),
                limit,
                newest_first: false,
            };
            async move { store.monitoring_records(&f).await.unwrap().into_iter().map(|r| r.id).collect::<Vec<_>>() }
        };
        let ids = |rows: &[&MonitoringRow]| rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(list(None, None, None, 0).await, ids(&[&w1, &t1, &p1, &w2]));
        assert_eq!(list(None, None, None, 2).await, ids(&[&w1, &t1]));
        // Newest first: the `limit` newest.
        let newest = |kind: Option<&str>, limit: u32| {
            let f =
                MonitoringFilter { kind: kind.map(str::to_string), limit, newest_first: true, ..Default::default() };
            async move { store.monitoring_records(&f).await.unwrap().into_iter().map(|r| r.id).collect::<Vec<_>>() }
        };
        assert_eq!(newest(None, 2).await, ids(&[&w2, &p1]));
        assert_eq!(newest(None, 0).await, ids(&[&w2, &p1, &t1, &w1]));
        assert_eq!(newest(Some("warning"), 1).await, ids(&[&w2]));
        assert_eq!(list(Some("warning"), None, None, 0).await, ids(&[&w1, &w2]));
        assert_eq!(list(None, b, None, 0).await, ids(&[&t1, &w2]));
        assert_eq!(list(Some("warning"), b, None, 0).await, ids(&[&w2]));
        assert_eq!(list(None, None, Some("issued"), 0).await, ids(&[&w2]));
        assert_eq!(list(Some("warning"), None, Some("lifted"), 0).await, ids(&[&w1]));
        assert_eq!(list(Some("test_result"), None, Some("pending"), 0).await, ids(&[&t1]));
        assert!(list(Some("reduction_order"), None, None, 0).await.is_empty());
        assert!(list(None, Some("3301969999"), None, 0).await.is_empty());

        // Racing updates from the same version, through two stores on the
        // database: exactly one wins.
        let other = cbec_store::open(&db.url()).await.unwrap();
        let mut handles = Vec::new();
        for i in 0..8 {
            let s = if i % 2 == 0 { shared.clone() } else { other.clone() };
            let next =
                MonitoringRow { state: format!("race{i}"), version: 3, updated_at: at(10 + i), ..stored.clone() };
            handles.push(tokio::spawn(async move {
                s.put_monitoring(next, Some(2), "warning.update", json!({"i": i}), &system(10 + i)).await
            }));
        }
        let mut won = Vec::new();
        for h in handles {
            match h.await.unwrap() {
                Ok(r) => won.push(r),
                Err(StoreError::Conflict(m)) => assert!(m.starts_with("stale version: stored 3, expected 2"), "{m}"),
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(won.len(), 1);
        assert_eq!(store.monitoring_record(&w1.id).await.unwrap(), won[0]);
        assert_eq!(audit_count(store).await, before + 6);
    }

    pub async fn store_mode(store: Arc<dyn Store>, _db: Arc<TestDb>) {
        let store = store.as_ref();
        let before = audit_count(store).await;
        assert_eq!(store.claim_mode(StoreMode::Sandbox, &system(0)).await.unwrap(), StoreMode::Sandbox);
        assert_eq!(store.claim_mode(StoreMode::Production, &system(1)).await.unwrap(), StoreMode::Sandbox);
        assert_eq!(store.claim_mode(StoreMode::Sandbox, &system(2)).await.unwrap(), StoreMode::Sandbox);
        assert_eq!(audit_count(store).await, before + 1);
        let last = store.audit_entries(0, 1000).await.unwrap().pop().unwrap();
        assert_eq!(last.action, "store.mode");
    }

    /// Web passwords (set for an existing officer or enterprise, replaced,
    /// never for a system principal) and sessions (stored under the token's
    /// hash, deleted idempotently), each change audited without hashes.
    pub async fn web_accounts(store: Arc<dyn Store>, db: Arc<TestDb>) {
        let store = store.as_ref();
        let rita = store
            .create_officer(
                NewOfficer { name: "rita".into(), role: Role::Reviewer },
                NewToken { owner: None, hash: hash(40), label: "first".into() },
                &system(0),
            )
            .await
            .unwrap();
        let shop = file(store, "3301960001", "91330100MA2TEST01X", "Shop", 41, 0).await;
        let officer = Principal::Officer(rita.id.clone());
        let enterprise = Principal::Enterprise(shop.id.clone());
        assert_eq!(store.password_hash(&officer).await.unwrap(), None);

        let before = audit_count(store).await;
        store.set_password(&officer, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaDE", &system(1)).await.unwrap();
        store.set_password(&officer, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaDI", &system(2)).await.unwrap();
        store.set_password(&enterprise, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaDM", &system(2)).await.unwrap();
        assert_eq!(
            store.password_hash(&officer).await.unwrap().as_deref(),
            Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaDI")
        );
        assert_eq!(
            store.password_hash(&enterprise).await.unwrap().as_deref(),
            Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaDM")
        );
        assert_not_found(store.set_password(&Principal::Officer(new_id()), "$x", &system(3)).await, "officer");
        assert_not_found(store.set_password(&Principal::Enterprise(new_id()), "$x", &system(3)).await, "enterprise");
        assert_invalid(store.set_password(&Principal::System("cli".into()), "$x", &system(3)).await);
        assert_invalid(store.set_password(&officer, "plain text", &system(3)).await);
        assert_eq!(audit_count(store).await, before + 3);

        let token_hash = "ab".repeat(32);
        let new = NewSession {
            token_hash: token_hash.clone(),
            principal: officer.clone(),
            csrf: "csrf-1".into(),
            created_at: at(4),
            expires_at: at(16),
        };
        let row = store.create_session(new.clone()).await.unwrap();
        assert_eq!(row.last_seen, at(4));
        assert_eq!(store.session(&token_hash).await.unwrap(), Some(row.clone()));
        assert_eq!(store.session(&"cd".repeat(32)).await.unwrap(), None);
        assert!(store.create_session(new.clone()).await.is_err(), "the same token twice");
        assert_invalid(
            store.create_session(NewSession { token_hash: "ef".repeat(32), expires_at: at(4), ..new }).await,
        );
        store.delete_session(&token_hash, at(5)).await.unwrap();
        assert_eq!(store.session(&token_hash).await.unwrap(), None);
        store.delete_session(&token_hash, at(6)).await.unwrap();
        assert_eq!(audit_count(store).await, before + 5);

        // The audit log names the principal, never a hash.
        let entries = store.audit_entries(0, 1000).await.unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.ends_with(&[
            "password.set",
            "password.set",
            "password.set",
            "session.create",
            "session.delete"
        ]));
        let text = serde_json::to_string(&entries).unwrap();
        assert!(!text.contains("argon2id"), "a password hash reached the audit log");
        assert!(!text.contains(&token_hash), "a session id reached the audit log");
        let deleted = entries.last().unwrap();
        assert_eq!(deleted.actor, officer.to_string());
        assert_eq!(db.text("SELECT CAST(COUNT(*) AS TEXT) FROM web_passwords").await.as_deref(), Some("2"));

        // Expired sessions are removed in one go, with one audit entry.
        for (hash, expires) in [("01", 20), ("02", 20), ("03", 40)] {
            let s = NewSession {
                token_hash: hash.repeat(32),
                principal: enterprise.clone(),
                csrf: "csrf".into(),
                created_at: at(10),
                expires_at: at(expires),
            };
            store.create_session(s).await.unwrap();
        }
        let before = audit_count(store).await;
        assert_eq!(store.delete_expired_sessions(&system(19)).await.unwrap(), 0);
        assert_eq!(audit_count(store).await, before, "nothing removed, nothing audited");
        assert_eq!(store.delete_expired_sessions(&system(20)).await.unwrap(), 2);
        assert_eq!(store.session(&"01".repeat(32)).await.unwrap(), None);
        assert!(store.session(&"03".repeat(32)).await.unwrap().is_some(), "a live session stays");
        let last = store.audit_entries(0, 1000).await.unwrap().pop().unwrap();
        assert_eq!((last.action.as_str(), audit_count(store).await), ("session.expire", before + 1));
    }

    pub async fn officers_and_tokens(store: Arc<dyn Store>, _db: Arc<TestDb>) {
        let store = store.as_ref();
        store.ping().await.unwrap();
        let admin = store
            .create_officer(
                NewOfficer { name: "wang".into(), role: Role::Administrator },
                NewToken { owner: None, hash: hash(1), label: "first".into() },
                &system(0),
            )
            .await
            .unwrap();
        assert_eq!(admin.name, "wang");
        assert_eq!(admin.role, Role::Administrator);
        assert_eq!(admin.created_at, at(0));
        assert_eq!(store.officer(&admin.id).await.unwrap(), admin);
        assert_eq!(store.officer_by_name("wang").await.unwrap(), Some(admin.clone()));
        assert_eq!(store.officer_by_name("nobody").await.unwrap(), None);
        assert_not_found(store.officer(&new_id()).await, "officer");

        // The first token belongs to the new officer.
        let first = store.token_by_hash(&hash(1)).await.unwrap().expect("first token");
        assert_eq!(first.owner, Principal::Officer(admin.id.clone()));
        assert_eq!(first.label, "first");
        assert_eq!(first.revoked_at, None);

        let reviewer = store
            .create_officer(
                NewOfficer { name: "zhao".into(), role: Role::Reviewer },
                NewToken { owner: Some(Principal::System("ignored".into())), hash: hash(2), label: "z".into() },
                &officer_actor(&admin, 1),
            )
            .await
            .unwrap();
        assert_eq!(store.list_officers().await.unwrap(), vec![admin.clone(), reviewer.clone()]);
        assert_eq!(
            store.token_by_hash(&hash(2)).await.unwrap().unwrap().owner,
            Principal::Officer(reviewer.id.clone())
        );

        // Duplicates: officer name, token hash. Nothing of a failed call stays.
        let before = audit_count(store).await;
        assert_conflict(
            store
                .create_officer(
                    NewOfficer { name: "wang".into(), role: Role::Reviewer },
                    NewToken { owner: None, hash: hash(9), label: "x".into() },
                    &system(2),
                )
                .await,
            "officer",
        );
        assert_conflict(
            store
                .create_officer(
                    NewOfficer { name: "li".into(), role: Role::Reviewer },
                    NewToken { owner: None, hash: hash(1), label: "x".into() },
                    &system(2),
                )
                .await,
            "token",
        );
        assert_eq!(store.officer_by_name("li").await.unwrap(), None, "the officer of a failed call is not kept");
        assert_eq!(store.token_by_hash(&hash(9)).await.unwrap(), None);
        assert_eq!(audit_count(store).await, before);

        // More tokens: owners must exist.
        let second = store
            .create_token(
                NewToken { owner: Some(Principal::Officer(admin.id.clone())), hash: hash(3), label: "laptop".into() },
                &officer_actor(&admin, 3),
            )
            .await
            .unwrap();
        assert_eq!(second.created_at, at(3));
        let sys = store
            .create_token(
                NewToken { owner: Some(Principal::System("cli".into())), hash: hash(4), label: "cli".into() },
                &system(3),
            )
            .await
            .unwrap();
        assert_eq!(store.list_tokens(&Principal::System("cli".into())).await.unwrap(), vec![sys]);
        assert_not_found(
            store
                .create_token(
                    NewToken { owner: Some(Principal::Officer(new_id())), hash: hash(5), label: "x".into() },
                    &system(3),
                )
                .await,
            "officer",
        );
        assert_not_found(
            store
                .create_token(
                    NewToken { owner: Some(Principal::Enterprise(new_id())), hash: hash(5), label: "x".into() },
                    &system(3),
                )
                .await,
            "enterprise",
        );
        assert_invalid(
            store.create_token(NewToken { owner: None, hash: hash(5), label: "x".into() }, &system(3)).await,
        );
        assert_conflict(
            store
                .create_token(
                    NewToken { owner: Some(Principal::Officer(admin.id.clone())), hash: hash(2), label: "dup".into() },
                    &system(3),
                )
                .await,
            "token",
        );

        // Revocation: the token no longer authenticates, but stays listed.
        store.revoke_token(&first.id, &officer_actor(&admin, 4), at(4)).await.unwrap();
        assert_eq!(store.token_by_hash(&hash(1)).await.unwrap(), None);
        assert_eq!(store.token_by_hash(&hash(3)).await.unwrap(), Some(second.clone()));
        let tokens = store.list_tokens(&Principal::Officer(admin.id.clone())).await.unwrap();
        assert_eq!(tokens.len(), 2);
        assert_eq!(tokens[0].id, first.id);
        assert_eq!(tokens[0].revoked_at, Some(at(4)));
        assert_eq!(tokens[1], second);
        assert_invalid(store.revoke_token(&first.id, &system(5), at(5)).await);
        assert_not_found(store.revoke_token(&new_id(), &system(5), at(5)).await, "token");

        let entries = store.audit_entries(0, 100).await.unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "officer.create",
                "token.create",
                "officer.create",
                "token.create",
                "token.create",
                "token.create",
                "token.revoke"
            ]
        );
        assert_eq!(entries[0].actor, "system:test");
        assert_eq!(entries[2].actor, format!("officer:{}", admin.id));
        assert_eq!(entries[6].before.as_ref().unwrap()["revoked_at"], Value::Null);
        assert_eq!(entries[6].after.as_ref().unwrap()["revoked_at"], json!(at(4).0));
        assert_eq!(audit_count(store).await, 7);
    }

    pub async fn initial_filing(store: Arc<dyn Store>, _db: Arc<TestDb>) {
        let store = store.as_ref();
        let app =
            store.submit_application(initial("3301960001", "91330100MA27XL0001", "Alpha"), &system(1)).await.unwrap();
        assert_eq!(app.state, ApplicationState::Submitted);
        assert_eq!(app.kind, ApplicationKind::InitialFiling);
        assert_eq!(app.submitted_by, Principal::System("test".into()));
        assert_eq!(app.submitted_at, at(1));
        assert_eq!(app.enterprise_id, None);
        assert_eq!(app.payload["amount"], json!("12.50"));
        assert_eq!(store.application(&app.id).await.unwrap(), app);
        assert_not_found(store.application(&new_id()).await, "application");
        assert_not_found(
            store
                .submit_application(for_enterprise(ApplicationKind::InfoChange, &new_id(), json!({})), &system(1))
                .await,
            "enterprise",
        );

        let reviewer = Actor { principal: Principal::Officer(new_id()), at: at(2) };
        let effect = Effect::CreateEnterprise {
            record: record("3301960001", "91330100MA27XL0001", "Alpha"),
            credit: CreditRating::GeneralCertified,
            licences: vec![
                licence(LicenceKind::Payment, "Z2000133000019", "PBOC"),
                licence(LicenceKind::Express, "EXP-33-0001", "State Post Bureau"),
            ],
            certificates: vec![cert(7)],
        };
        let approved = store.approve_application(&app.id, effect, &reviewer, at(2)).await.unwrap();
        assert_eq!(approved.state, ApplicationState::Approved);
        assert_eq!(approved.decided_by, Some(reviewer.principal.clone()));
        assert_eq!(approved.decided_at, Some(at(2)));
        assert_eq!(approved.reason, None);
        assert_eq!(store.application(&app.id).await.unwrap(), approved);
        let id = approved.enterprise_id.clone().expect("the filing names its enterprise");

        let e = store.enterprise(&id).await.unwrap();
        assert_eq!(e.version, 1);
        assert_eq!(e.record, record("3301960001", "91330100MA27XL0001", "Alpha"));
        assert_eq!(e.credit, CreditRating::GeneralCertified);
        assert_eq!((e.filed_at, e.updated_at), (at(2), at(2)));
        assert_eq!(store.enterprise_by_code("3301960001").await.unwrap(), Some(e.clone()));
        assert_eq!(store.enterprise_by_code("91330100MA27XL0001").await.unwrap(), Some(e.clone()));
        assert_eq!(store.enterprise_by_code("0000000000").await.unwrap(), None);
        assert_not_found(store.enterprise(&new_id()).await, "enterprise");

        let versions = store.enterprise_versions(&id).await.unwrap();
        assert_eq!(
            versions,
            vec![EnterpriseVersion {
                enterprise_id: id.clone(),
                version: 1,
                record: e.record.clone(),
                valid_from: at(2),
                application_id: Some(app.id.clone()),
            }]
        );

        let licences = store.licences(&id).await.unwrap();
        assert_eq!(licences.len(), 2);
        assert_eq!(licences[0].licence, licence(LicenceKind::Payment, "Z2000133000019", "PBOC"));
        assert_eq!(licences[1].licence, licence(LicenceKind::Express, "EXP-33-0001", "State Post Bureau"));
        assert!(licences.iter().all(|l| l.enterprise_id == id && l.created_at == at(2)));

        let certs = store.certificates(&id).await.unwrap();
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].cert, cert(7));
        assert_eq!((certs[0].bound_at, certs[0].revoked_at), (at(2), None));
        assert_eq!(store.certificate_by_fingerprint(&[7; 32]).await.unwrap(), Some(certs[0].clone()));
        assert_eq!(store.certificate_by_fingerprint(&[8; 32]).await.unwrap(), None);

        assert_eq!(
            store.credit_history(&id).await.unwrap(),
            vec![CreditChange {
                rating: CreditRating::GeneralCertified,
                reason: "initial filing".into(),
                changed_by: reviewer.principal.clone(),
                at: at(2),
            }]
        );
        assert_eq!(store.warehouses(&id).await.unwrap(), vec![]);

        // The enterprise can now hold tokens.
        let token = store
            .create_token(
                NewToken { owner: Some(Principal::Enterprise(id.clone())), hash: hash(40), label: "erp".into() },
                &system(3),
            )
            .await
            .unwrap();
        assert_eq!(store.token_by_hash(&hash(40)).await.unwrap(), Some(token));

        let entries = store.audit_entries(0, 100).await.unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["application.submit", "enterprise.create", "application.approve", "token.create"]);
        let created = entries[1].after.as_ref().unwrap();
        assert_eq!(created["enterprise"]["id"], json!(id));
        assert_eq!(created["licences"].as_array().unwrap().len(), 2);
        assert_eq!(created["certificates"][0]["fingerprint"], json!(audit::hex(&[7; 32])));
        assert_eq!(entries[2].before.as_ref().unwrap()["state"], json!("submitted"));
        assert_eq!(entries[2].after.as_ref().unwrap()["state"], json!("approved"));
        assert_eq!(entries[2].actor, reviewer.principal.to_string());
        assert_eq!(entries[2].at, at(2));
        assert_eq!(audit_count(store).await, 4);
    }

    pub async fn duplicate_codes(store: Arc<dyn Store>, _db: Arc<TestDb>) {
        let store = store.as_ref();
        let a = file(store, "3301960001", "91330100MA27XL0001", "Alpha", 1, 1).await;
        let before = audit_count(store).await;

        let create = |code: &str, uscc: &str, n: u8| Effect::CreateEnterprise {
            record: record(code, uscc, "Beta"),
            credit: CreditRating::General,
            licences: vec![],
            certificates: vec![cert(n)],
        };
        let app = store.submit_application(initial("3301960001", "x", "Beta"), &system(2)).await.unwrap();
        let after_submit = audit_count(store).await;
        assert_eq!(after_submit, before + 1);
        assert_conflict(
            store.approve_application(&app.id, create("3301960001", "91330100MA27XL0002", 2), &system(3), at(3)).await,
            "customs code 3301960001",
        );
        assert_conflict(
            store.approve_application(&app.id, create("3301960002", "91330100MA27XL0001", 2), &system(3), at(3)).await,
            "USCC 91330100MA27XL0001",
        );
        assert_conflict(
            store.approve_application(&app.id, create("3301960002", "91330100MA27XL0002", 1), &system(3), at(3)).await,
            "certificate",
        );
        // Nothing of the failed approvals was kept.
        assert_eq!(store.application(&app.id).await.unwrap().state, ApplicationState::Submitted);
        assert_eq!(store.list_enterprises(Page::default()).await.unwrap(), vec![a.clone()]);
        assert_eq!(store.enterprise_by_code("3301960002").await.unwrap(), None);
        assert_eq!(audit_count(store).await, after_submit);

        let b =
            store.approve_application(&app.id, create("3301960002", "91330100MA27XL0002", 2), &system(3), at(3)).await;
        let b = store.enterprise(b.unwrap().enterprise_id.as_ref().unwrap()).await.unwrap();

        // An information change may not take another enterprise's code …
        let change = store
            .submit_application(
                for_enterprise(ApplicationKind::InfoChange, &b.id, json!({"customs_code": "3301960001"})),
                &system(4),
            )
            .await
            .unwrap();
        assert_conflict(
            store
                .approve_application(
                    &change.id,
                    Effect::UpdateRecord { record: record("3301960001", "91330100MA27XL0002", "Beta") },
                    &system(4),
                    at(4),
                )
                .await,
            "customs code 3301960001",
        );
        // … but keeps its own.
        store
            .approve_application(
                &change.id,
                Effect::UpdateRecord { record: record("3301960002", "91330100MA27XL0002", "Beta Renamed") },
                &system(4),
                at(4),
            )
            .await
            .unwrap();
        assert_eq!(store.enterprise(&b.id).await.unwrap().record.name, "Beta Renamed");

        // An enterprise without codes (both optional) does not collide with another one.
        let app = store.submit_application(initial("", "", "Gamma"), &system(5)).await.unwrap();
        let mut gamma = record("x", "y", "Gamma");
        gamma.customs_code = None;
        gamma.uscc = None;
        let effect = |r: &EnterpriseRecord| Effect::CreateEnterprise {
            record: r.clone(),
            credit: CreditRating::General,
            licences: vec![],
            certificates: vec![],
        };
        store.approve_application(&app.id, effect(&gamma), &system(5), at(5)).await.unwrap();
        let app = store.submit_application(initial("", "", "Delta"), &system(5)).await.unwrap();
        store.approve_application(&app.id, effect(&gamma), &system(5), at(5)).await.unwrap();
        assert_eq!(store.list_enterprises(Page::default()).await.unwrap().len(), 4);
        audit_count(store).await;
    }

    pub async fn info_change_versions(store: Arc<dyn Store>, _db: Arc<TestDb>) {
        let store = store.as_ref();
        let e = file(store, "3301960001", "91330100MA27XL0001", "Alpha", 1, 10).await;
        let app = store
            .submit_application(
                for_enterprise(ApplicationKind::InfoChange, &e.id, json!({"name": "Alpha Trading"})),
                &enterprise_actor(&e.id, 20),
            )
            .await
            .unwrap();
        assert_eq!(app.enterprise_id.as_ref(), Some(&e.id));
        let mut changed = e.record.clone();
        changed.name = "Alpha Trading".into();
        changed.address = "2 Harbour Road, Hangzhou".into();
        changed.types.push(EnterpriseType::Logistics);
        let approved = store
            .approve_application(&app.id, Effect::UpdateRecord { record: changed.clone() }, &system(30), at(30))
            .await
            .unwrap();
        assert_eq!(approved.enterprise_id.as_ref(), Some(&e.id));

        let now = store.enterprise(&e.id).await.unwrap();
        assert_eq!(now.version, 2);
        assert_eq!(now.record, changed);
        assert_eq!(now.filed_at, at(10));
        assert_eq!(now.updated_at, at(30));
        assert_eq!(now.credit, e.credit);

        let versions = store.enterprise_versions(&e.id).await.unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!((versions[0].version, versions[0].valid_from, &versions[0].record), (1, at(10), &e.record));
        assert_eq!((versions[1].version, versions[1].valid_from, &versions[1].record), (2, at(30), &changed));
        assert_eq!(versions[1].application_id.as_ref(), Some(&app.id));

        let as_of = |t: Millis| store.enterprise_as_of(&e.id, t);
        assert_eq!(as_of(Millis(at(10).0 - 1)).await.unwrap(), None, "not yet filed");
        assert_eq!(as_of(at(10)).await.unwrap().unwrap().version, 1);
        assert_eq!(as_of(Millis(at(30).0 - 1)).await.unwrap().unwrap().version, 1);
        assert_eq!(as_of(at(30)).await.unwrap().unwrap(), versions[1]);
        assert_eq!(as_of(at(100_000)).await.unwrap().unwrap().version, 2);
        assert_not_found(store.enterprise_as_of(&new_id(), at(30)).await, "enterprise");
        assert_not_found(store.enterprise_versions(&new_id()).await, "enterprise");

        // A third version.
        let app = store
            .submit_application(for_enterprise(ApplicationKind::B2bExport, &e.id, json!({})), &system(40))
            .await
            .unwrap();
        let mut b2b = changed.clone();
        b2b.b2b_export = true;
        b2b.trade = Trade::Both;
        store
            .approve_application(&app.id, Effect::UpdateRecord { record: b2b.clone() }, &system(41), at(41))
            .await
            .unwrap();
        assert_eq!(store.enterprise(&e.id).await.unwrap().version, 3);
        assert_eq!(as_of(at(35)).await.unwrap().unwrap().record, changed);
        assert_eq!(as_of(at(41)).await.unwrap().unwrap().record, b2b);
        assert_eq!(store.enterprise_by_code("3301960001").await.unwrap().unwrap().record, b2b);

        let entries = store.audit_entries(0, 100).await.unwrap();
        let update = entries.iter().find(|e| e.action == "enterprise.update_record").unwrap();
        assert_eq!(update.entity, "enterprise");
        assert_eq!(update.entity_id, e.id);
        assert_eq!(update.before.as_ref().unwrap()["record"]["name"], json!("Alpha"));
        assert_eq!(update.before.as_ref().unwrap()["version"], json!(1));
        assert_eq!(update.after.as_ref().unwrap()["record"]["name"], json!("Alpha Trading"));
        assert_eq!(update.after.as_ref().unwrap()["version"], json!(2));
        audit_count(store).await;
    }

    pub async fn transitions(store: Arc<dyn Store>, _db: Arc<TestDb>) {
        let store = store.as_ref();
        let e = file(store, "3301960001", "91330100MA27XL0001", "Alpha", 1, 1).await;
        let submit = |kind| {
            let (new, actor) = (for_enterprise(kind, &e.id, json!({"n": 1})), enterprise_actor(&e.id, 2));
            async move { store.submit_application(new, &actor).await }
        };
        let rejected = submit(ApplicationKind::LicenceUpdate).await.unwrap();
        let withdrawn = submit(ApplicationKind::OverseasWarehouse).await.unwrap();
        let approved = submit(ApplicationKind::CertificateBinding).await.unwrap();

        let r = store.reject_application(&rejected.id, "licence scan unreadable", &system(3), at(3)).await.unwrap();
        assert_eq!(r.state, ApplicationState::Rejected);
        assert_eq!(r.reason.as_deref(), Some("licence scan unreadable"));
        assert_eq!((r.decided_by.clone(), r.decided_at), (Some(Principal::System("test".into())), Some(at(3))));
        assert_eq!(store.application(&rejected.id).await.unwrap(), r);

        let w = store.withdraw_application(&withdrawn.id, &enterprise_actor(&e.id, 4), at(4)).await.unwrap();
        assert_eq!(w.state, ApplicationState::Withdrawn);
        assert_eq!(w.decided_by, Some(Principal::Enterprise(e.id.clone())));
        assert_eq!(w.decided_at, Some(at(4)));
        assert_eq!(w.reason, None);

        store
            .approve_application(&approved.id, Effect::BindCertificate { certificate: cert(2) }, &system(5), at(5))
            .await
            .unwrap();

        let before = audit_count(store).await;
        for id in [&rejected.id, &withdrawn.id, &approved.id] {
            assert_invalid(
                store
                    .approve_application(id, Effect::BindCertificate { certificate: cert(3) }, &system(6), at(6))
                    .await,
            );
            assert_invalid(store.reject_application(id, "again", &system(6), at(6)).await);
            assert_invalid(store.withdraw_application(id, &system(6), at(6)).await);
        }
        assert_eq!(store.application(&rejected.id).await.unwrap(), r);
        assert_eq!(store.application(&withdrawn.id).await.unwrap(), w);
        assert_eq!(store.certificate_by_fingerprint(&[3; 32]).await.unwrap(), None);
        assert_not_found(
            store
                .approve_application(&new_id(), Effect::BindCertificate { certificate: cert(3) }, &system(6), at(6))
                .await,
            "application",
        );
        assert_not_found(store.reject_application(&new_id(), "x", &system(6), at(6)).await, "application");
        assert_not_found(store.withdraw_application(&new_id(), &system(6), at(6)).await, "application");

        // Effects must fit the application: an initial filing creates, the others need an enterprise.
        let no_enterprise = store
            .submit_application(
                NewApplication { kind: ApplicationKind::InfoChange, enterprise_id: None, payload: json!({}) },
                &system(7),
            )
            .await
            .unwrap();
        assert_invalid(
            store
                .approve_application(
                    &no_enterprise.id,
                    Effect::UpdateRecord { record: e.record.clone() },
                    &system(7),
                    at(7),
                )
                .await,
        );
        let has_enterprise = submit(ApplicationKind::InfoChange).await.unwrap();
        assert_invalid(
            store
                .approve_application(
                    &has_enterprise.id,
                    Effect::CreateEnterprise {
                        record: record("1", "2", "x"),
                        credit: CreditRating::General,
                        licences: vec![],
                        certificates: vec![],
                    },
                    &system(7),
                    at(7),
                )
                .await,
        );
        assert_eq!(audit_count(store).await, before + 2, "only the two submissions were recorded");
        let actions: Vec<String> = store.audit_entries(0, 100).await.unwrap().into_iter().map(|e| e.action).collect();
        assert!(actions.contains(&"application.reject".to_string()));
        assert!(actions.contains(&"application.withdraw".to_string()));
    }

    pub async fn credit_rating(store: Arc<dyn Store>, _db: Arc<TestDb>) {
        let store = store.as_ref();
        let e = file(store, "3301960001", "91330100MA27XL0001", "Alpha", 1, 1).await;
        let officer = Actor { principal: Principal::Officer(new_id()), at: at(5) };
        let up = store
            .set_credit_rating(
                &e.id,
                NewCreditChange { rating: CreditRating::Advanced, reason: "AEO certified".into() },
                &officer,
            )
            .await
            .unwrap();
        assert_eq!(up.credit, CreditRating::Advanced);
        assert_eq!(up.version, 1, "a rating is not a filed change");
        assert_eq!(up.updated_at, at(5));
        let officer2 = Actor { principal: Principal::Officer(new_id()), at: at(9) };
        let down = store
            .set_credit_rating(
                &e.id,
                NewCreditChange { rating: CreditRating::Dishonest, reason: "smuggling case 2026-17".into() },
                &officer2,
            )
            .await
            .unwrap();
        assert_eq!(store.enterprise(&e.id).await.unwrap(), down);
        assert!(!down.credit.is_general_or_better());

        let history = store.credit_history(&e.id).await.unwrap();
        assert_eq!(history.len(), 3);
        assert_eq!((history[0].rating, history[0].at), (CreditRating::General, at(1)));
        assert_eq!(
            history[1],
            CreditChange {
                rating: CreditRating::Advanced,
                reason: "AEO certified".into(),
                changed_by: officer.principal.clone(),
                at: at(5)
            }
        );
        assert_eq!(history[2].rating, CreditRating::Dishonest);
        assert_eq!(history[2].changed_by, officer2.principal);
        assert_eq!(history[2].reason, "smuggling case 2026-17");
        assert_not_found(
            store
                .set_credit_rating(
                    &new_id(),
                    NewCreditChange { rating: CreditRating::General, reason: "x".into() },
                    &officer,
                )
                .await,
            "enterprise",
        );
        assert_not_found(store.credit_history(&new_id()).await, "enterprise");

        let entries = store.audit_entries(0, 100).await.unwrap();
        let last = entries.last().unwrap();
        assert_eq!(last.action, "enterprise.set_credit_rating");
        assert_eq!(last.before.as_ref().unwrap()["credit"], json!("advanced"));
        assert_eq!(last.after.as_ref().unwrap()["enterprise"]["credit"], json!("dishonest"));
        assert_eq!(last.actor, officer2.principal.to_string());
        audit_count(store).await;
    }

    /// An approved downgrade proposal: its new version and the rating change
    /// in one transaction, or neither.
    pub async fn rating_with_monitoring(store: Arc<dyn Store>, _db: Arc<TestDb>) {
        let store = store.as_ref();
        let e = file(store, "3301960001", "91330100MA27XL0001", "Alpha", 1, 1).await;
        let proposal = |version: i64, state: &str| MonitoringRow {
            id: "proposal-1".into(),
            kind: "credit_proposal".into(),
            enterprise: Some("3301960001".into()),
            state: state.into(),
            version,
            body: json!({"state": state}).to_string(),
            created_at: at(2),
            updated_at: at(2 + version),
        };
        store
            .put_monitoring(proposal(1, "proposed"), None, "credit_proposal.proposed", json!({}), &system(2))
            .await
            .unwrap();
        let rating = |from: CreditRating| RatingChange {
            enterprise: e.id.clone(),
            from,
            change: NewCreditChange { rating: CreditRating::Dishonest, reason: "proposal-1 approved".into() },
        };
        let before = audit_count(store).await;

        // Rated otherwise meanwhile: nothing is written.
        let actor = system(4);
        let approve = |from, expected| {
            store.put_monitoring_with_rating(
                proposal(2, "approved"),
                expected,
                "credit_proposal.approved",
                json!({}),
                rating(from),
                &actor,
            )
        };
        assert_invalid(approve(CreditRating::Advanced, 1).await);
        // A stale version: nothing is written either.
        assert_conflict(approve(CreditRating::General, 0).await, "stale version");
        assert_eq!(store.monitoring_record(&"proposal-1".to_string()).await.unwrap().version, 1);
        assert_eq!(store.enterprise(&e.id).await.unwrap().credit, CreditRating::General);
        assert_eq!(store.credit_history(&e.id).await.unwrap().len(), 1);
        assert_eq!(audit_count(store).await, before);

        let (row, rated) = approve(CreditRating::General, 1).await.unwrap();
        assert_eq!((row.version, row.state.as_str()), (2, "approved"));
        assert_eq!(rated.credit, CreditRating::Dishonest);
        assert_eq!(store.enterprise(&e.id).await.unwrap(), rated);
        assert_eq!(store.monitoring_record(&"proposal-1".to_string()).await.unwrap(), row);
        let history = store.credit_history(&e.id).await.unwrap();
        assert_eq!((history.len(), history[1].reason.as_str()), (2, "proposal-1 approved"));
        assert_eq!(audit_count(store).await, before + 2);
        let actions: Vec<String> =
            store.audit_entries(before, 10).await.unwrap().into_iter().map(|a| a.action).collect();
        assert_eq!(actions, ["credit_proposal.approved", "enterprise.set_credit_rating"]);
    }

    pub async fn certificates(store: Arc<dyn Store>, _db: Arc<TestDb>) {
        let store = store.as_ref();
        let a = file(store, "3301960001", "91330100MA27XL0001", "Alpha", 1, 1).await;
        let b = file(store, "3301960002", "91330100MA27XL0002", "Beta", 2, 1).await;

        let bind = |e: &Enterprise, c: NewCertificate, h: i64| {
            let id = e.id.clone();
            async move {
                let app = store
                    .submit_application(
                        for_enterprise(ApplicationKind::CertificateBinding, &id, json!({"serial": c.serial})),
                        &system(h),
                    )
                    .await
                    .unwrap();
                store.approve_application(&app.id, Effect::BindCertificate { certificate: c }, &system(h), at(h)).await
            }
        };
        let app = bind(&a, cert(3), 2).await.unwrap();
        assert_eq!(app.enterprise_id.as_ref(), Some(&a.id));
        let certs = store.certificates(&a.id).await.unwrap();
        assert_eq!(certs.iter().map(|c| c.cert.fingerprint[0]).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(certs[1].bound_at, at(2));

        // A certificate bound to A cannot be bound to B, nor twice to A.
        assert_conflict(bind(&b, cert(1), 3).await, "certificate");
        assert_conflict(bind(&a, cert(3), 3).await, "certificate");

        // Revoked, it stays visible (with the revocation) and can be bound again.
        let c1 = certs[0].clone();
        let revoked = store.revoke_certificate(&c1.id, "key compromise", &system(4), at(4)).await.unwrap();
        assert_eq!(revoked.revoked_at, Some(at(4)));
        assert_eq!(revoked.revoke_reason.as_deref(), Some("key compromise"));
        assert_eq!(revoked.cert, c1.cert);
        assert_eq!(store.certificate_by_fingerprint(&[1; 32]).await.unwrap(), Some(revoked.clone()));
        assert_invalid(store.revoke_certificate(&c1.id, "again", &system(5), at(5)).await);
        assert_not_found(store.revoke_certificate(&new_id(), "x", &system(5), at(5)).await, "certificate");

        bind(&b, cert(1), 6).await.unwrap();
        let now_b = store.certificate_by_fingerprint(&[1; 32]).await.unwrap().unwrap();
        assert_eq!(now_b.enterprise_id, b.id);
        assert_eq!(now_b.revoked_at, None);
        assert_eq!(store.certificates(&a.id).await.unwrap()[0], revoked);
        assert_eq!(store.certificates(&b.id).await.unwrap().len(), 2);
        assert_not_found(store.certificates(&new_id()).await, "enterprise");

        let entries = store.audit_entries(0, 100).await.unwrap();
        let rev = entries.iter().find(|e| e.action == "certificate.revoke").unwrap();
        assert_eq!(rev.entity_id, c1.id);
        assert_eq!(rev.before.as_ref().unwrap()["revoked_at"], Value::Null);
        assert_eq!(rev.after.as_ref().unwrap()["revoke_reason"], json!("key compromise"));
        assert_eq!(rev.after.as_ref().unwrap()["der"], json!(audit::hex(&cert(1).der)));
        assert_eq!(entries.iter().filter(|e| e.action == "certificate.bind").count(), 2);
        audit_count(store).await;
    }

    pub async fn licences_and_warehouses(store: Arc<dyn Store>, _db: Arc<TestDb>) {
        let store = store.as_ref();
        let e = file(store, "3301960001", "91330100MA27XL0001", "Alpha", 1, 1).await;
        let original = store.licences(&e.id).await.unwrap();
        assert_eq!(original.len(), 1);
        assert_eq!(original[0].licence.number, "Z10001");

        let app = store
            .submit_application(for_enterprise(ApplicationKind::LicenceUpdate, &e.id, json!({})), &system(2))
            .await
            .unwrap();
        let mut renewed = licence(LicenceKind::Payment, "Z10001", "PBOC Hangzhou");
        renewed.valid_to = "2031-12-31".into();
        let bank = licence(LicenceKind::Bank, "B0001H233010001", "NFRA");
        store
            .approve_application(
                &app.id,
                Effect::UpdateLicences { licences: vec![renewed.clone(), bank.clone()] },
                &system(3),
                at(3),
            )
            .await
            .unwrap();
        let now = store.licences(&e.id).await.unwrap();
        assert_eq!(now.len(), 2, "same kind and number replaces, another adds");
        assert_eq!(now.iter().map(|l| l.licence.clone()).collect::<Vec<_>>(), vec![renewed.clone(), bank.clone()]);
        assert!(now.iter().all(|l| l.created_at == at(3)));
        // A different kind with the same number is another licence.
        let app = store
            .submit_application(for_enterprise(ApplicationKind::LicenceUpdate, &e.id, json!({})), &system(4))
            .await
            .unwrap();
        let express = licence(LicenceKind::Express, "Z10001", "Post");
        store
            .approve_application(&app.id, Effect::UpdateLicences { licences: vec![express.clone()] }, &system(4), at(4))
            .await
            .unwrap();
        assert_eq!(store.licences(&e.id).await.unwrap().len(), 3);
        assert_not_found(store.licences(&new_id()).await, "enterprise");

        let entries = store.audit_entries(0, 100).await.unwrap();
        let upd = entries.iter().find(|e| e.action == "enterprise.update_licences").unwrap();
        assert_eq!(upd.before.as_ref().unwrap()[0]["issuer"], json!("PBOC"));
        assert_eq!(upd.after.as_ref().unwrap()[0]["issuer"], json!("PBOC Hangzhou"));

        let app = store
            .submit_application(
                for_enterprise(ApplicationKind::OverseasWarehouse, &e.id, json!({"area_m2": "1234.50"})),
                &system(5),
            )
            .await
            .unwrap();
        store
            .approve_application(&app.id, Effect::AddWarehouse { warehouse: warehouse("Hamburg 1") }, &system(6), at(6))
            .await
            .unwrap();
        let app2 = store
            .submit_application(for_enterprise(ApplicationKind::OverseasWarehouse, &e.id, json!({})), &system(7))
            .await
            .unwrap();
        let mut owned = warehouse("Rotterdam");
        owned.nature = WarehouseNature::Owned;
        owned.country = "528".into();
        owned.area_m2 = "0.01".into();
        owned.operator = Some("Rotterdam Ops BV".into());
        owned.document = None;
        store
            .approve_application(&app2.id, Effect::AddWarehouse { warehouse: owned.clone() }, &system(8), at(8))
            .await
            .unwrap();
        let ws = store.warehouses(&e.id).await.unwrap();
        assert_eq!(ws.len(), 2);
        assert_eq!(ws[0].warehouse, warehouse("Hamburg 1"));
        assert_eq!(ws[0].warehouse.area_m2, "1234.50", "areas are decimal text, never floats");
        assert_eq!((ws[0].approved_at, ws[0].application_id.as_ref()), (at(6), Some(&app.id)));
        assert_eq!(ws[1].warehouse, owned);
        assert_eq!(ws[1].enterprise_id, e.id);
        assert_not_found(store.warehouses(&new_id()).await, "enterprise");
        let add = store.audit_entries(0, 100).await.unwrap().into_iter().find(|e| e.action == "warehouse.add").unwrap();
        assert_eq!(add.entity_id, ws[0].id);
        assert_eq!(add.after.unwrap()["area_m2"], json!("1234.50"));
        audit_count(store).await;
    }

    pub async fn lists_and_paging(store: Arc<dyn Store>, _db: Arc<TestDb>) {
        let store = store.as_ref();
        let mut es = Vec::new();
        for i in 0..5u8 {
            es.push(
                file(
                    store,
                    &format!("330196000{i}"),
                    &format!("91330100MA27XL000{i}"),
                    &format!("E{i}"),
                    i + 1,
                    i64::from(i),
                )
                .await,
            );
        }
        let page = |offset, limit| store.list_enterprises(Page { offset, limit });
        assert_eq!(page(0, 0).await.unwrap(), es, "limit 0 lists all, in filing order");
        assert_eq!(page(0, 2).await.unwrap(), es[0..2]);
        assert_eq!(page(2, 2).await.unwrap(), es[2..4]);
        assert_eq!(page(4, 2).await.unwrap(), es[4..5]);
        assert_eq!(page(5, 2).await.unwrap(), vec![]);
        assert_eq!(page(3, 0).await.unwrap(), es[3..]);

        // Applications: 5 approved initial filings, then more of several kinds and states.
        let mut extra = Vec::new();
        for (i, kind) in [
            ApplicationKind::InfoChange,
            ApplicationKind::LicenceUpdate,
            ApplicationKind::InfoChange,
            ApplicationKind::OverseasWarehouse,
        ]
        .into_iter()
        .enumerate()
        {
            let e = &es[i % 2];
            extra.push(
                store
                    .submit_application(for_enterprise(kind, &e.id, json!({"i": i})), &system(10 + i as i64))
                    .await
                    .unwrap(),
            );
        }
        store.reject_application(&extra[1].id, "incomplete", &system(20), at(20)).await.unwrap();
        let list = |filter: ApplicationFilter| store.list_applications(filter);
        let all = list(ApplicationFilter::default()).await.unwrap();
        assert_eq!(all.len(), 9);
        assert!(all.windows(2).all(|w| w[0].submitted_at <= w[1].submitted_at), "oldest first");
        assert_eq!(
            all[5..].iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
            extra.iter().map(|a| a.id.clone()).collect::<Vec<_>>()
        );

        let submitted =
            list(ApplicationFilter { state: Some(ApplicationState::Submitted), ..Default::default() }).await.unwrap();
        assert_eq!(submitted.iter().map(|a| &a.id).collect::<Vec<_>>(), [&extra[0].id, &extra[2].id, &extra[3].id]);
        let approved =
            list(ApplicationFilter { state: Some(ApplicationState::Approved), ..Default::default() }).await.unwrap();
        assert_eq!(approved.len(), 5);
        assert!(approved.iter().all(|a| a.kind == ApplicationKind::InitialFiling));
        let info =
            list(ApplicationFilter { kind: Some(ApplicationKind::InfoChange), ..Default::default() }).await.unwrap();
        assert_eq!(info.iter().map(|a| &a.id).collect::<Vec<_>>(), [&extra[0].id, &extra[2].id]);
        let of_e0 =
            list(ApplicationFilter { enterprise_id: Some(es[0].id.clone()), ..Default::default() }).await.unwrap();
        assert_eq!(of_e0.len(), 3, "its filing and two later applications");
        let combined = list(ApplicationFilter {
            state: Some(ApplicationState::Submitted),
            kind: Some(ApplicationKind::InfoChange),
            enterprise_id: Some(es[0].id.clone()),
            page: Page::default(),
        })
        .await
        .unwrap();
        assert_eq!(combined.iter().map(|a| &a.id).collect::<Vec<_>>(), [&extra[0].id, &extra[2].id]);
        let paged = list(ApplicationFilter { page: Page { offset: 4, limit: 3 }, ..Default::default() }).await.unwrap();
        assert_eq!(paged, all[4..7]);
        let paged = list(ApplicationFilter {
            state: Some(ApplicationState::Submitted),
            page: Page { offset: 1, limit: 1 },
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!(paged.iter().map(|a| &a.id).collect::<Vec<_>>(), [&extra[2].id]);
        assert_eq!(
            list(ApplicationFilter { enterprise_id: Some(new_id()), ..Default::default() }).await.unwrap(),
            vec![]
        );

        // Audit paging.
        let entries = store.audit_entries(0, 1000).await.unwrap();
        assert_eq!(store.audit_entries(0, 3).await.unwrap(), entries[0..3]);
        assert_eq!(store.audit_entries(3, 4).await.unwrap(), entries[3..7]);
        assert_eq!(store.audit_entries(entries.len() as i64, 10).await.unwrap(), vec![]);
        assert_eq!(store.audit_entries(0, 0).await.unwrap(), vec![]);
    }

    /// A story touching every kind of change; used by the tamper test and
    /// by the cross-backend comparison.
    pub async fn story(store: &dyn Store) -> Vec<Value> {
        let mut seen = Vec::new();
        let mut see = |v: &dyn erased::Json| seen.push(v.json());
        let admin = store
            .create_officer(
                NewOfficer { name: "chief".into(), role: Role::Supervisor },
                NewToken { owner: None, hash: hash(100), label: "chief".into() },
                &system(0),
            )
            .await
            .unwrap();
        see(&admin);
        let a = file(store, "3301960001", "91330100MA27XL0001", "Alpha", 1, 1).await;
        see(&a);
        let b = file(store, "3301960002", "91330100MA27XL0002", "Beta", 2, 2).await;
        see(&b);
        let app = store
            .submit_application(
                for_enterprise(ApplicationKind::InfoChange, &a.id, json!({"name": "Alpha 2"})),
                &enterprise_actor(&a.id, 3),
            )
            .await
            .unwrap();
        let mut r = a.record.clone();
        r.name = "Alpha 2".into();
        see(&store
            .approve_application(&app.id, Effect::UpdateRecord { record: r }, &officer_actor(&admin, 4), at(4))
            .await
            .unwrap());
        see(&store
            .set_credit_rating(
                &b.id,
                NewCreditChange { rating: CreditRating::Advanced, reason: "AEO".into() },
                &officer_actor(&admin, 5),
            )
            .await
            .unwrap());
        let certs = store.certificates(&b.id).await.unwrap();
        see(&store.revoke_certificate(&certs[0].id, "expired key", &officer_actor(&admin, 6), at(6)).await.unwrap());
        let app = store
            .submit_application(for_enterprise(ApplicationKind::OverseasWarehouse, &b.id, json!({})), &system(7))
            .await
            .unwrap();
        see(&store
            .approve_application(
                &app.id,
                Effect::AddWarehouse { warehouse: warehouse("Hamburg") },
                &officer_actor(&admin, 8),
                at(8),
            )
            .await
            .unwrap());
        let app = store
            .submit_application(for_enterprise(ApplicationKind::LicenceUpdate, &b.id, json!({})), &system(9))
            .await
            .unwrap();
        see(&store.reject_application(&app.id, "wrong licence", &officer_actor(&admin, 10), at(10)).await.unwrap());
        let app = store
            .submit_application(for_enterprise(ApplicationKind::LicenceUpdate, &b.id, json!({})), &system(11))
            .await
            .unwrap();
        see(&store.withdraw_application(&app.id, &enterprise_actor(&b.id, 12), at(12)).await.unwrap());
        let app = store
            .submit_application(for_enterprise(ApplicationKind::LicenceUpdate, &b.id, json!({})), &system(13))
            .await
            .unwrap();
        let l = licence(LicenceKind::Bank, "B1", "NFRA");
        see(&store
            .approve_application(
                &app.id,
                Effect::UpdateLicences { licences: vec![l] },
                &officer_actor(&admin, 14),
                at(14),
            )
            .await
            .unwrap());
        let app = store
            .submit_application(for_enterprise(ApplicationKind::CertificateBinding, &b.id, json!({})), &system(15))
            .await
            .unwrap();
        see(&store
            .approve_application(
                &app.id,
                Effect::BindCertificate { certificate: cert(9) },
                &officer_actor(&admin, 16),
                at(16),
            )
            .await
            .unwrap());
        store
            .create_token(
                NewToken { owner: Some(Principal::Enterprise(b.id.clone())), hash: hash(101), label: "b".into() },
                &system(17),
            )
            .await
            .unwrap();
        let t = store.token_by_hash(&hash(101)).await.unwrap().unwrap();
        store.revoke_token(&t.id, &system(18), at(18)).await.unwrap();

        // Failures are observable too.
        let err = |r: Result<Application>| {
            json!(match r {
                Ok(_) => "ok",
                Err(StoreError::BadUrl(_)) => "bad url",
                Err(StoreError::NotFound { .. }) => "not found",
                Err(StoreError::Conflict(_)) => "conflict",
                Err(StoreError::InvalidState(_)) => "invalid state",
                Err(StoreError::Backend(_)) => "backend",
            })
        };
        see(&err(store
            .approve_application(&app.id, Effect::BindCertificate { certificate: cert(10) }, &system(19), at(19))
            .await));

        // Everything a reader can see now.
        see(&store.list_officers().await.unwrap());
        see(&store.list_tokens(&Principal::Officer(admin.id.clone())).await.unwrap());
        see(&store.list_tokens(&Principal::Enterprise(b.id.clone())).await.unwrap());
        see(&store.list_enterprises(Page::default()).await.unwrap());
        see(&store.list_applications(ApplicationFilter::default()).await.unwrap());
        for e in [&a, &b] {
            see(&store.enterprise(&e.id).await.unwrap());
            see(&store.enterprise_versions(&e.id).await.unwrap());
            see(&store.enterprise_as_of(&e.id, at(3)).await.unwrap());
            see(&store.licences(&e.id).await.unwrap());
            see(&store.certificates(&e.id).await.unwrap());
            see(&store.credit_history(&e.id).await.unwrap());
            see(&store.warehouses(&e.id).await.unwrap());
        }
        see(&store.certificate_by_fingerprint(&[2; 32]).await.unwrap());
        see(&store.enterprise_by_code("91330100MA27XL0001").await.unwrap());
        see(&store.token_by_hash(&hash(100)).await.unwrap());
        let entries = store.audit_entries(0, 1000).await.unwrap();
        for e in &entries {
            // Hashes cover ids, which differ between runs; their links are checked by verify_audit.
            see(&json!([e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.before, e.after]));
        }
        seen
    }

    pub async fn audit_chain_and_tampering(store: Arc<dyn Store>, db: Arc<TestDb>) {
        let store = store.as_ref();
        story(store).await;
        let entries = store.audit_entries(0, 10_000).await.unwrap();
        let n = entries.len() as i64;
        assert!(n > 20);
        assert_eq!(verify_audit(store).await.unwrap(), Ok(n));
        assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=n).collect::<Vec<_>>());
        assert_eq!(entries[0].prev_hash, GENESIS);
        assert!(entries.windows(2).all(|w| w[1].prev_hash == w[0].hash));
        assert!(entries.iter().all(|e| e.hash.len() == 64 && e.at.0 >= T0));

        // Altering `after` of a middle row is found at exactly that row.
        let k = n / 2;
        let original = db.text(&format!("SELECT after_json FROM audit_log WHERE seq = {k}")).await;
        assert_eq!(
            db.execute(&format!("UPDATE audit_log SET after_json = '{{\"tampered\":true}}' WHERE seq = {k}")).await,
            1
        );
        let broken = verify_audit(store).await.unwrap().unwrap_err();
        assert_eq!(broken.seq, k, "{broken:?}");
        assert!(broken.reason.contains("altered"), "{broken:?}");

        // Restored, the chain verifies again.
        match &original {
            Some(text) => {
                db.execute(&format!("UPDATE audit_log SET after_json = '{}' WHERE seq = {k}", text.replace('\'', "''")))
                    .await
            }
            None => db.execute(&format!("UPDATE audit_log SET after_json = NULL WHERE seq = {k}")).await,
        };
        assert_eq!(verify_audit(store).await.unwrap(), Ok(n));

        // Altering the action of another row.
        let j = n / 3;
        db.execute(&format!("UPDATE audit_log SET action = 'application.approve' || action WHERE seq = {j}")).await;
        assert_eq!(verify_audit(store).await.unwrap().unwrap_err().seq, j);
        db.execute(&format!(
            "UPDATE audit_log SET action = substr(action, {}) WHERE seq = {j}",
            "application.approve".len() + 1
        ))
        .await;
        assert_eq!(verify_audit(store).await.unwrap(), Ok(n));

        // Recomputing the altered row's own hash does not help: the next row's link breaks.
        let mut forged = entries[(k - 1) as usize].clone();
        forged.after = Some(json!({"forged": true}));
        forged.hash = audit::entry_hash(
            forged.seq,
            forged.at,
            &forged.actor,
            &forged.action,
            &forged.entity,
            &forged.entity_id,
            forged.before.as_ref(),
            forged.after.as_ref(),
            &forged.prev_hash,
        );
        db.execute(&format!(
            "UPDATE audit_log SET after_json = '{{\"forged\":true}}', hash = '{}' WHERE seq = {k}",
            forged.hash
        ))
        .await;
        let broken = verify_audit(store).await.unwrap().unwrap_err();
        assert_eq!(broken.seq, k + 1, "{broken:?}");
        assert!(broken.reason.contains("prev_hash"), "{broken:?}");

        // A deleted row is a gap.
        db.execute(&format!("DELETE FROM audit_log WHERE seq = {}", k - 2)).await;
        let broken = verify_audit(store).await.unwrap().unwrap_err();
        assert_eq!(broken.seq, k - 1, "{broken:?}");
        assert!(broken.reason.contains("expected entry"), "{broken:?}");
    }

    /// A second store on the same database (another server, or a restart):
    /// migrations are not applied twice, and writers through both stores
    /// still extend one chain.
    pub async fn two_stores_one_database(store: Arc<dyn Store>, db: Arc<TestDb>) {
        let first = store.submit_application(initial("3301960001", "u", "A"), &system(1)).await.unwrap();
        let other = cbec_store::open(&db.url()).await.unwrap();
        assert_eq!(db.text("SELECT CAST(COUNT(*) AS TEXT) FROM schema_migrations").await.as_deref(), Some("10"));
        assert_eq!(other.application(&first.id).await.unwrap(), first);

        let mut handles = Vec::new();
        for (t, s) in [store.clone(), other.clone(), store.clone(), other.clone()].into_iter().enumerate() {
            handles.push(tokio::spawn(async move {
                for i in 0..25 {
                    let actor = Actor { principal: Principal::System(format!("server{t}")), at: at(i) };
                    s.submit_application(initial("3301960001", "u", &format!("{t}/{i}")), &actor).await.unwrap();
                }
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(verify_audit(store.as_ref()).await.unwrap(), Ok(101));
        assert_eq!(verify_audit(other.as_ref()).await.unwrap(), Ok(101));
        assert_eq!(other.list_applications(ApplicationFilter::default()).await.unwrap().len(), 101);
    }

    pub async fn concurrent_writers(store: Arc<dyn Store>, _db: Arc<TestDb>) {
        const TASKS: usize = 8;
        const WRITES: usize = 50;
        let e = file(store.as_ref(), "3301960001", "91330100MA27XL0001", "Alpha", 1, 0).await;
        let base = audit_count(store.as_ref()).await;
        let mut handles = Vec::new();
        for t in 0..TASKS {
            let store = store.clone();
            let e = e.id.clone();
            handles.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..WRITES {
                    let actor =
                        Actor { principal: Principal::System(format!("task{t}")), at: at((t * WRITES + i) as i64) };
                    let app = store
                        .submit_application(
                            for_enterprise(ApplicationKind::InfoChange, &e, json!({"task": t, "i": i})),
                            &actor,
                        )
                        .await
                        .unwrap();
                    // Every fifth write is a decision on an own application.
                    if i % 5 == 4 {
                        store.reject_application(&app.id, "no", &actor, actor.at).await.unwrap();
                    }
                    ids.push(app.id);
                }
                ids
            }));
        }
        let mut ids = Vec::new();
        for h in handles {
            ids.extend(h.await.unwrap());
        }
        let writes = (TASKS * WRITES + TASKS * WRITES / 5) as i64;
        let entries = store.audit_entries(0, 100_000).await.unwrap();
        assert_eq!(entries.len() as i64, base + writes);
        assert_eq!(
            entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            (1..=base + writes).collect::<Vec<_>>(),
            "no gaps"
        );
        assert_eq!(verify_audit(store.as_ref()).await.unwrap(), Ok(base + writes));
        let apps = store
            .list_applications(ApplicationFilter { kind: Some(ApplicationKind::InfoChange), ..Default::default() })
            .await
            .unwrap();
        assert_eq!(apps.len(), TASKS * WRITES);
        ids.sort();
        let mut listed: Vec<Id> = apps.into_iter().map(|a| a.id).collect();
        listed.sort();
        assert_eq!(ids, listed);
        let rejected = store
            .list_applications(ApplicationFilter { state: Some(ApplicationState::Rejected), ..Default::default() })
            .await
            .unwrap();
        assert_eq!(rejected.len(), TASKS * WRITES / 5);
    }
}

/// Serialising anything a scenario observes.
mod erased {
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap()
        }
    }
}

// ---- the tests ---------------------------------------------------------------------------

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Backend::Sqlite, scenarios::$name).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(Backend::Postgres, scenarios::$name).await;
            }
        }
    )*};
}

conformance!(
    refdata_versions,
    rule_sets,
    monitoring_records,
    store_mode,
    officers_and_tokens,
    web_accounts,
    initial_filing,
    duplicate_codes,
    info_change_versions,
    transitions,
    credit_rating,
    rating_with_monitoring,
    certificates,
    licences_and_warehouses,
    lists_and_paging,
    audit_chain_and_tampering,
    concurrent_writers,
    two_stores_one_database,
);

/// Replaces each UUID in `v` (alone or inside a string such as
/// `officer:<id>`) by `#n`, numbered in order of first appearance.
fn normalize_ids(v: &mut Value, seen: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            let mut out = String::new();
            let mut rest = s.as_str();
            while !rest.is_empty() {
                if rest.len() >= 36 && is_uuid(&rest[..36]) {
                    let id = rest[..36].to_string();
                    let n = seen.iter().position(|x| *x == id).unwrap_or_else(|| {
                        seen.push(id);
                        seen.len() - 1
                    });
                    out.push_str(&format!("#{n}"));
                    rest = &rest[36..];
                } else {
                    let c = rest.chars().next().unwrap();
                    out.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
            *s = out;
        }
        Value::Array(items) => items.iter_mut().for_each(|i| normalize_ids(i, seen)),
        Value::Object(map) => map.values_mut().for_each(|i| normalize_ids(i, seen)),
        _ => {}
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() })
}

/// One story on both backends: what a caller observes is the same, ids
/// aside (they are fresh on each run).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_results_on_both_backends() {
    let mut transcripts = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let (tx, rx) = tokio::sync::oneshot::channel();
        run(backend, |store, _db| async move {
            let mut seen = scenarios::story(store.as_ref()).await;
            assert!(verify_audit(store.as_ref()).await.unwrap().is_ok());
            let mut ids = Vec::new();
            seen.iter_mut().for_each(|v| normalize_ids(v, &mut ids));
            let _ = tx.send(seen);
        })
        .await;
        transcripts.push(rx.await.unwrap());
    }
    let (sqlite, postgres) = (&transcripts[0], &transcripts[1]);
    assert_eq!(sqlite.len(), postgres.len());
    for (i, (s, p)) in sqlite.iter().zip(postgres).enumerate() {
        assert_eq!(s, p, "observation {i} differs between SQLite and PostgreSQL");
    }
}
