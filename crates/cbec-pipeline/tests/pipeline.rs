//! The clearance pipeline end to end (in process), on SQLite and on
//! PostgreSQL (a fresh database created from the admin URL in
//! `CBEC_TEST_PG`, which `./scripts/test.sh` sets): signed messages from
//! five filed enterprises with real keys, through verification, parsing,
//! matching, limits, tax, the status model and receipts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use cbec_ceb::Message;
use cbec_clearance::decide::Action;
use cbec_dsig::KeyAlgorithm;
use cbec_fixtures::export_messages::{
    arrival, bill_link, departure, export_cancel, export_refund, return_tally, summary_apply,
};
use cbec_fixtures::{ImportCase, ImportMode, import_case};
use cbec_pipeline::traffic::{World, file_party, file_world};
use cbec_pipeline::{Answer, Pipeline, PipelineConfig, PipelineError, Sender};
use cbec_store::{Actor, DocFilter, Millis, Principal, ReceiptRow, Store, new_id};
use rust_decimal::Decimal;

const PG_ENV: &str = "CBEC_TEST_PG";
/// 2026-11-27 10:00:00 China time.
const T0: i64 = 1_795_744_800_000;
const DAY: i64 = 86_400_000;

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

/// The store, and on SQLite its directory (removed when the test ends).
async fn open(backend: Backend) -> (Arc<dyn Store>, Option<tempfile::TempDir>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::Builder::new().prefix("cbec-pipeline-test-").tempdir().unwrap();
            let store = cbec_store::open(&format!("sqlite://{}", dir.path().join("cbec.db").display())).await.unwrap();
            (store, Some(dir))
        }
        Backend::Postgres => {
            let admin = std::env::var(PG_ENV).unwrap_or_else(|_| {
                panic!("{PG_ENV} is not set: run ./scripts/test.sh, which starts a throwaway PostgreSQL and sets it")
            });
            let name = format!("cbec_pipeline_{}", new_id().replace('-', ""));
            let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(conn);
            client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
            let (base, _) = admin.rsplit_once('/').unwrap();
            (cbec_store::open(&format!("{base}/{name}")).await.unwrap(), None)
        }
    }
}

struct H {
    store: Arc<dyn Store>,
    pipeline: Pipeline,
    world: World,
    _dir: Option<tempfile::TempDir>,
}

impl H {
    async fn new(backend: Backend, alg: KeyAlgorithm, tweak: impl FnOnce(&mut PipelineConfig)) -> H {
        let (store, dir) = open(backend).await;
        let world =
            file_world(store.as_ref(), &cbec_fixtures::Parties::default(), alg, Millis(T0 - DAY)).await.unwrap();
        let mut config = PipelineConfig::default();
        tweak(&mut config);
        let pipeline = Pipeline::new(store.clone(), config);
        H { store, pipeline, world, _dir: dir }
    }

    /// Files a supervised-site operator (with its own key) for arrivals
    /// and tallies.
    async fn operator(&self, n: u64) -> cbec_pipeline::traffic::Party {
        let t = [cbec_model::filing::EnterpriseType::Operator];
        let name = "示例监管场所经营有限公司";
        let uscc = cbec_fixtures::uscc(n);
        file_party(self.store.as_ref(), &uscc, name, &t, KeyAlgorithm::Sm2, 0x0300_0000 + n, Millis(T0 - DAY))
            .await
            .unwrap()
    }

    fn sender(&self, who: &cbec_pipeline::traffic::Party) -> Sender {
        Sender { id: who.id.clone(), codes: vec![who.code.clone()] }
    }

    fn case(&self, seed: u64, mode: ImportMode) -> ImportCase {
        import_case(seed, mode, 2, &self.world.codes())
    }

    /// Sends document `n` (0 order, 1 payment, 2 waybill, 3 list) of a case, signed by its sender.
    async fn send_doc(&self, case: &ImportCase, n: usize, at: i64) -> Answer {
        let m = case.messages()[n].clone();
        self.send_message(&m, at).await
    }

    async fn send_message(&self, m: &Message, at: i64) -> Answer {
        let w = &self.world;
        let party = match m {
            Message::CEB311Message(_) | Message::CEB303Message(_) => &w.ebp,
            Message::CEB411Message(_) | Message::CEB403Message(_) => &w.pay,
            Message::CEB511Message(_) | Message::CEB505Message(_) => &w.logistics,
            _ => &w.agent,
        };
        let bytes = party.sign(m).unwrap();
        self.pipeline.submit(&self.sender(party), bytes, Millis(at)).await.unwrap()
    }

    /// Sends a message signed by the logistics enterprise.
    async fn send_logistics(&self, m: &Message, at: i64) -> Answer {
        let party = &self.world.logistics;
        self.pipeline.submit(&self.sender(party), party.sign(m).unwrap(), Millis(at)).await.unwrap()
    }

    async fn send_all(&self, case: &ImportCase, order: &[usize], at: i64) -> Vec<Answer> {
        let mut out = Vec::new();
        for (i, n) in order.iter().enumerate() {
            out.push(self.send_doc(case, *n, at + i as i64).await);
        }
        out
    }

    /// The live list of an order number and its status.
    async fn list(&self, case: &ImportCase) -> cbec_store::DocRow {
        let order_no = &case.list.inventory[0].inventory_head.order_no;
        let docs = self
            .store
            .documents(DocFilter { kind: Some("list".into()), limit: 1000, ..DocFilter::default() })
            .await
            .unwrap();
        docs.into_iter()
            .filter(|d| d.body.contains(&format!("\"order_no\":\"{order_no}\"")))
            .max_by_key(|d| d.created_at)
            .expect("the list was stored")
    }

    async fn receipts(&self, doc: &str) -> Vec<ReceiptRow> {
        self.store.document_receipts(&doc.to_string()).await.unwrap()
    }

    fn officer(&self, at: i64) -> Actor {
        Actor { principal: Principal::Officer("officer-1".into()), at: Millis(at) }
    }
}

fn statuses(xml: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(xml);
    text.match_indices("<ceb:returnStatus>")
        .map(|(i, _)| {
            let rest = &text[i + "<ceb:returnStatus>".len()..];
            rest[..rest.find('<').unwrap()].to_string()
        })
        .collect()
}

fn info(xml: &[u8]) -> String {
    String::from_utf8_lossy(xml).to_string()
}

fn invt_no(list: &cbec_store::DocRow) -> String {
    let v: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    v["facts"]["invt_no"].as_str().expect("numbered").to_string()
}

// ---- scenarios ---------------------------------------------------------------------

async fn four_documents_in_any_order(b: Backend) {
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let orders: [[usize; 4]; 6] = [[0, 1, 2, 3], [3, 2, 1, 0], [3, 0, 1, 2], [1, 3, 2, 0], [2, 0, 3, 1], [0, 3, 1, 2]];
    for (n, order) in orders.iter().enumerate() {
        let case = h.case(100 + n as u64, ImportMode::DirectPurchase);
        let answers = h.send_all(&case, order, T0 + n as i64 * 1000).await;
        for a in &answers {
            assert!(!a.xml.is_empty() && !a.duplicate);
        }
        let list_pos = order.iter().position(|&d| d == 3).unwrap();
        let list_answer = statuses(&answers[list_pos].xml);
        if list_pos == 3 {
            assert_eq!(list_answer, ["120", "800"], "order {order:?}: {}", info(&answers[list_pos].xml));
        } else {
            assert_eq!(list_answer, ["2"], "order {order:?}: the list waits");
        }
        let list = h.list(&case).await;
        assert_eq!(list.status, "released", "order {order:?}");
        let kinds: Vec<(String, String)> =
            h.receipts(&list.id).await.iter().map(|r| (r.message_type.clone(), r.return_status.clone())).collect();
        let expected_last: Vec<(String, String)> = vec![
            ("CEB622Message".into(), "120".into()),
            ("CEB622Message".into(), "800".into()),
            ("CEB816Message".into(), "1".into()),
        ];
        assert!(
            kinds.ends_with(&expected_last) || kinds.iter().filter(|k| expected_last.contains(k)).count() == 3,
            "{kinds:?}"
        );
        assert_eq!(invt_no(&list).len(), 18);
    }
}

async fn bonded_import(b: Backend) {
    let h = H::new(b, KeyAlgorithm::Rsa, |_| {}).await;
    let case = h.case(7, ImportMode::Bonded);
    let answers = h.send_all(&case, &[2, 3, 0, 1], T0).await;
    assert_eq!(statuses(&answers[1].xml), ["2"]);
    assert_eq!(statuses(&answers[3].xml), ["120"], "the payment is accepted");
    let list = h.list(&case).await;
    assert_eq!(list.status, "released");
    assert!(list.body.contains("\"trade_mode\":\"1210\""));
}

async fn each_mismatch_is_named(b: Backend) {
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    for (n, m) in cbec_fixtures::mismatches().into_iter().enumerate() {
        let (field, status) = (m.field, m.status);
        let mut case = h.case(200 + n as u64, ImportMode::DirectPurchase);
        (m.apply)(&mut case);
        let answers = h.send_all(&case, &[0, 1, 2, 3], T0 + n as i64 * 10).await;
        let last = &answers[3];
        assert_eq!(statuses(&last.xml), [status], "{field}: {}", info(&last.xml));
        assert!(info(&last.xml).contains(field), "{field} is named: {}", info(&last.xml));
        let list = h.list(&case).await;
        assert_eq!(list.status, "rejected");
        let r = h.receipts(&list.id).await;
        assert!(r.iter().any(|r| r.return_status == status && r.return_info.contains(field)));
    }
}

async fn waiting_list_rejected_at_deadline(b: Backend) {
    let h = H::new(b, KeyAlgorithm::Sm2, |c| c.clearance.pending_deadline_ms = 3_600_000).await;
    let case = h.case(300, ImportMode::DirectPurchase);
    let a = h.send_all(&case, &[0, 3], T0).await;
    assert!(info(&a[1].xml).contains("waiting for"), "{}", info(&a[1].xml));
    assert_eq!(h.pipeline.expire_due(Millis(T0 + 3_599_000), 100).await.unwrap(), 0, "not yet due");
    assert_eq!(h.pipeline.expire_due(Millis(T0 + 3_600_001), 100).await.unwrap(), 1);
    let list = h.list(&case).await;
    assert_eq!(list.status, "rejected");
    let r = h.receipts(&list.id).await;
    let last = r.last().unwrap();
    assert_eq!(last.return_status, "100");
    assert!(last.return_info.contains("payment (CEB411)") && last.return_info.contains("waybill (CEB511)"));
    assert!(!last.return_info.contains("order (CEB311) ORD"), "the order arrived: {}", last.return_info);
    // The payment and waybill arriving later change nothing.
    h.send_all(&case, &[1, 2], T0 + 3_700_000).await;
    assert_eq!(h.list(&case).await.status, "rejected");
}

async fn limits_and_quota(b: Backend) {
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    // Above the single limit (not one indivisible item): −621005.
    let big = h.case(400, ImportMode::DirectPurchase).with_value("5000.01".parse().unwrap());
    let a = h.send_all(&big, &[0, 1, 2, 3], T0).await;
    assert_eq!(statuses(&a[3].xml), ["-621005"], "{}", info(&a[3].xml));
    // The same buyer up to the annual limit: 5 × 5,000 = 25,000 …
    let buyer = big.buyer_id().to_string();
    let mut lists = Vec::new();
    for n in 0..5u64 {
        let c = h.case(410 + n, ImportMode::DirectPurchase).with_buyer("张三", &buyer).with_value(Decimal::from(5000));
        let a = h.send_all(&c, &[0, 1, 2, 3], T0 + 100 + n as i64 * 10).await;
        assert_eq!(statuses(&a[3].xml), ["120", "800"], "{}", info(&a[3].xml));
        lists.push(c);
    }
    assert_eq!(h.store.quota_used(&format!("{buyer}|2026")).await.unwrap(), 2_500_000);
    // … then 1,000.01 more is refused: −621018.
    let over =
        h.case(420, ImportMode::DirectPurchase).with_buyer("张三", &buyer).with_value("1000.01".parse().unwrap());
    let a = h.send_all(&over, &[0, 1, 2, 3], T0 + 200).await;
    assert_eq!(statuses(&a[3].xml), ["-621018"], "{}", info(&a[3].xml));
    // Cancelling a released list gives its 5,000 back.
    let first = h.list(&lists[0]).await;
    let cancel = lists[0].cancel(&invt_no(&first), "消费者取消订单", 1);
    let a = h.send_message(&Message::CEB623Message(Box::new(cancel)), T0 + 300).await;
    assert_eq!(statuses(&a.xml), ["399"], "{}", info(&a.xml));
    assert_eq!(h.list(&lists[0]).await.status, "cancelled");
    assert_eq!(h.store.quota_used(&format!("{buyer}|2026")).await.unwrap(), 2_000_000);
    let again =
        h.case(421, ImportMode::DirectPurchase).with_buyer("张三", &buyer).with_value("1000.01".parse().unwrap());
    let a = h.send_all(&again, &[0, 1, 2, 3], T0 + 400).await;
    assert_eq!(statuses(&a[3].xml), ["120", "800"], "{}", info(&a[3].xml));
    // A return within 30 days: accepted; the quota comes back when the goods are back.
    let second = h.list(&lists[1]).await;
    let item = &lists[1].list.inventory[0].inventory_list[0];
    let refund = lists[1].refund(&invt_no(&second), &[(item.gnum, item.qty)], "质量问题退货", 2);
    let a = h.send_message(&Message::CEB625Message(Box::new(refund.clone())), T0 + 10 * DAY).await;
    assert_eq!(statuses(&a.xml), ["120"], "{}", info(&a.xml));
    let before = h.store.quota_used(&format!("{buyer}|2026")).await.unwrap();
    let docs =
        h.store.documents(DocFilter { kind: Some("refund".into()), limit: 10, ..DocFilter::default() }).await.unwrap();
    let refund_doc = docs.iter().find(|d| d.status == "accepted").unwrap();
    h.pipeline
        .act(&refund_doc.id, Action::GoodsReturned, "goods back at the site", &h.officer(T0 + 20 * DAY))
        .await
        .unwrap();
    let after = h.store.quota_used(&format!("{buyer}|2026")).await.unwrap();
    let credited = (item.total_price * Decimal::ONE_HUNDRED).round().to_string().parse::<i64>().unwrap();
    assert_eq!(before - after, credited);
    // A return after 30 days is refused.
    let third = h.list(&lists[2]).await;
    let late = lists[2].refund(&invt_no(&third), &[(1, Decimal::ONE)], "超期退货", 3);
    let a = h.send_message(&Message::CEB625Message(Box::new(late)), T0 + 31 * DAY).await;
    assert!(statuses(&a.xml)[0].starts_with("-625"), "{}", info(&a.xml));
}

async fn resubmission_is_idempotent(b: Backend) {
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let case = h.case(500, ImportMode::DirectPurchase);
    let bytes = h.world.ebp.sign(&case.messages()[0]).unwrap();
    let first = h.pipeline.submit(&h.sender(&h.world.ebp), bytes.clone(), Millis(T0)).await.unwrap();
    let second = h.pipeline.submit(&h.sender(&h.world.ebp), bytes.clone(), Millis(T0 + 5000)).await.unwrap();
    assert!(!first.duplicate && second.duplicate);
    assert_eq!(first.xml, second.xml);
    // An answer of one receipt is that receipt, byte for byte (the writer
    // renders it once).
    assert_eq!(first.receipts.len(), 1);
    assert_eq!(first.xml, first.receipts[0].xml.as_bytes());
    assert_eq!(first.message_id, second.message_id);
    let docs =
        h.store.documents(DocFilter { kind: Some("order".into()), limit: 10, ..DocFilter::default() }).await.unwrap();
    assert_eq!(docs.len(), 1);
    // The raw bytes are kept exactly as received.
    assert_eq!(h.store.message(&first.message_id).await.unwrap().raw, bytes);
    // A new message (new guid) with the same order number is a duplicate order: −301010.
    let mut again = case.clone();
    again.order.guid = "D2B1F1E6-0000-4000-8000-000000000001".into();
    again.order.order[0].order_head.guid = "D2B1F1E6-0000-4000-8000-000000000002".into();
    let a = h.send_doc(&again, 0, T0 + 6000).await;
    assert_eq!(statuses(&a.xml), ["-301010"], "{}", info(&a.xml));
}

async fn signatures_are_required_and_checked(b: Backend) {
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let case = h.case(600, ImportMode::DirectPurchase);
    h.send_all(&case, &[0, 1, 2], T0).await;
    let agent = h.sender(&h.world.agent);
    // Unsigned list.
    let mut unsigned = case.messages()[3].clone();
    cbec_pipeline::traffic::clear_signature(&mut unsigned);
    let a = h.pipeline.submit(&agent, cbec_ceb::encode(&unsigned).into_bytes(), Millis(T0 + 10)).await.unwrap();
    assert_eq!(statuses(&a.xml), ["-621029"], "{}", info(&a.xml));
    // Changed after signing (a new message guid: the same guid again would be a replay).
    let mut c2 = case.clone();
    c2.list.guid = "A2B1F1E6-0000-4000-8000-000000000003".into();
    let signed = String::from_utf8(h.world.agent.sign(&c2.messages()[3]).unwrap()).unwrap();
    let tampered = signed.replacen("<ceb:buyerName>", "<ceb:buyerName>X", 1);
    let a = h.pipeline.submit(&agent, tampered.into_bytes(), Millis(T0 + 20)).await.unwrap();
    assert_eq!(statuses(&a.xml), ["-621028"], "{}", info(&a.xml));
    // Signed with a key not bound to the sender (the platform's).
    let mut c3 = case.clone();
    c3.list.guid = "A2B1F1E6-0000-4000-8000-000000000004".into();
    let wrong = h.world.ebp.sign(&c3.messages()[3]).unwrap();
    let a = h.pipeline.submit(&agent, wrong, Millis(T0 + 30)).await.unwrap();
    assert_eq!(statuses(&a.xml), ["-621029"], "{}", info(&a.xml));
    assert!(info(&a.xml).contains("not bound"));
    // copCode of another enterprise: refused outright.
    let list = h.world.agent.sign(&case.messages()[3]).unwrap();
    let err = h.pipeline.submit(&h.sender(&h.world.ebc), list, Millis(T0 + 40)).await.unwrap_err();
    assert!(matches!(err, PipelineError::CopCode { .. }), "{err}");
    // Not XML at all: a CEB900.
    let a = h.pipeline.submit(&agent, b"<not xml".to_vec(), Millis(T0 + 50)).await.unwrap();
    assert!(info(&a.xml).contains("CEB900Message"), "{}", info(&a.xml));
    assert_eq!(statuses(&a.xml), ["-1"]);
}

async fn saturation_is_refused_and_passes(b: Backend) {
    let h = H::new(b, KeyAlgorithm::Sm2, |c| c.max_in_flight = 2).await;
    let case = h.case(900, ImportMode::DirectPurchase);
    let bytes = h.world.ebp.sign(&case.messages()[0]).unwrap();
    let slots = (h.pipeline.reserve().unwrap(), h.pipeline.reserve().unwrap());
    assert!(h.pipeline.reserve().is_none());
    let err = h.pipeline.submit(&h.sender(&h.world.ebp), bytes.clone(), Millis(T0)).await.unwrap_err();
    assert!(matches!(err, PipelineError::Saturated), "{err}");
    assert_eq!(h.store.documents(DocFilter { limit: 10, ..DocFilter::default() }).await.unwrap().len(), 0);
    drop(slots);
    let a = h.pipeline.submit(&h.sender(&h.world.ebp), bytes, Millis(T0 + 1)).await.unwrap();
    assert_eq!(statuses(&a.xml), ["120"]);
    assert_eq!(h.pipeline.in_flight(), 0);
}

/// A signed list inside a `DxpMsg` envelope is taken like a bare one; an
/// envelope whose `MsgType` does not match its Data is a CEB900 −2.
async fn envelopes_are_opened(b: Backend) {
    use cbec_ceb::dxp::{TransInfoType, TransInfoTypeReceiverIds};
    let h = H::new(b, KeyAlgorithm::Rsa, |_| {}).await;
    let case = h.case(950, ImportMode::DirectPurchase);
    h.send_all(&case, &[0, 1, 2], T0).await;
    let signed = h.world.agent.sign(&case.messages()[3]).unwrap();
    let trans = |msg_type: &str| TransInfoType {
        cop_msg_id: "COPMSG-0001".into(),
        sender_id: "DXPENT0000000001".into(),
        receiver_ids: TransInfoTypeReceiverIds { receiver_id: vec!["DXPEDCCEB0000002".into()] },
        creat_time: "2026-11-27T10:00:00".into(),
        msg_type: msg_type.into(),
    };
    let wrong = cbec_ceb::encode(&cbec_ceb::envelope::seal(&signed, trans("CEB311Message")));
    let a = h.pipeline.submit(&h.sender(&h.world.agent), wrong.into_bytes(), Millis(T0 + 5)).await.unwrap();
    assert!(info(&a.xml).contains("CEB900Message") && statuses(&a.xml) == ["-2"], "{}", info(&a.xml));
    assert!(info(&a.xml).contains("COPMSG-0001"), "the CopMsgId is echoed: {}", info(&a.xml));
    let envelope = cbec_ceb::encode(&cbec_ceb::envelope::seal(&signed, trans("CEB621Message")));
    let a = h.pipeline.submit(&h.sender(&h.world.agent), envelope.clone().into_bytes(), Millis(T0 + 10)).await.unwrap();
    assert_eq!(statuses(&a.xml), ["120", "800"], "{}", info(&a.xml));
    // The envelope is what is stored, byte for byte.
    assert_eq!(h.store.message(&a.message_id).await.unwrap().raw, envelope.into_bytes());
}

/// A list that waits over New Year is reserved under the year it is
/// accepted in, and its cancellation credits that same year.
async fn quota_follows_the_year_of_acceptance(b: Backend) {
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    // 2026-12-31 23:59 and 2027-01-01 00:01 in China (UTC+8).
    let (eve, new_year) = (1_798_732_740_000, 1_798_732_860_000);
    let case = h.case(960, ImportMode::DirectPurchase);
    h.send_all(&case, &[3], eve).await;
    let a = h.send_all(&case, &[0, 1, 2], new_year).await;
    assert_eq!(statuses(&a[2].xml), ["120"]);
    let buyer = case.buyer_id().to_string();
    let used = h.store.quota_used(&format!("{buyer}|2027")).await.unwrap();
    assert!(used > 0);
    assert_eq!(h.store.quota_used(&format!("{buyer}|2026")).await.unwrap(), 0);
    let list = h.list(&case).await;
    let cancel = case.cancel(&invt_no(&list), "取消", 9);
    let a = h.send_message(&Message::CEB623Message(Box::new(cancel)), new_year + DAY).await;
    assert_eq!(statuses(&a.xml), ["399"], "{}", info(&a.xml));
    assert_eq!(h.store.quota_used(&format!("{buyer}|2027")).await.unwrap(), 0);
    assert_eq!(h.store.quota_used(&format!("{buyer}|2026")).await.unwrap(), 0);
}

/// Retail export (9610): the order, receipt of payment, waybill and list in
/// any order, matched and released; a wrong payment amount is named; B2B
/// (9710) needs no receipt of payment. Every receipt validates against the
/// official export XSD.
async fn export_lists_are_matched(b: Backend) {
    use cbec_fixtures::{ExportMode, export_case};
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let codes = h.world.codes();
    let mut lists = Vec::new();
    for (n, order) in [[3usize, 0, 1, 2], [0, 1, 2, 3], [2, 3, 1, 0]].iter().enumerate() {
        let case = export_case(1000 + n as u64, ExportMode::Retail, 2, &codes);
        let answers: Vec<Answer> = {
            let mut v = Vec::new();
            for (k, d) in order.iter().enumerate() {
                v.push(h.send_message(&case.messages()[*d], T0 + (n * 10 + k) as i64).await);
            }
            v
        };
        let at = order.iter().position(|&d| d == 3).unwrap();
        let expected: &[&str] = if at == 3 { &["120"] } else { &["2"] };
        assert_eq!(statuses(&answers[at].xml), expected, "{order:?}: {}", info(&answers[at].xml));
        assert!(info(&answers[at].xml).contains("CEB604Message"));
        lists.push(answers);
    }
    let docs = h
        .store
        .documents(DocFilter { kind: Some("export_list".into()), limit: 10, ..DocFilter::default() })
        .await
        .unwrap();
    assert_eq!(docs.len(), 3);
    assert!(docs.iter().all(|d| d.status == "accepted"), "released only when the goods arrive: {docs:?}");
    assert!(docs.iter().all(|d| d.business_key.contains('E') && d.business_key.len() == 18), "{docs:?}");

    let mut wrong = export_case(1010, ExportMode::Retail, 1, &codes);
    wrong.receipt.receipts[0].charge += Decimal::ONE;
    let mut last = None;
    for m in wrong.messages() {
        last = Some(h.send_message(&m, T0 + 100).await);
    }
    let last = last.unwrap();
    assert_eq!(statuses(&last.xml), ["100"], "{}", info(&last.xml));
    assert!(info(&last.xml).contains("receipts.charge"), "{}", info(&last.xml));

    let b2b = export_case(1020, ExportMode::B2bDirect, 2, &codes).small();
    let m = b2b.messages();
    for d in [0usize, 2] {
        h.send_message(&m[d], T0 + 200).await;
    }
    let a = h.send_message(&m[3], T0 + 201).await;
    assert_eq!(statuses(&a.xml), ["120"], "9710 needs no receipt of payment: {}", info(&a.xml));

    let codes = [h.world.agent.code.clone(), h.world.ebp.code.clone()];
    assert!(xmllint_receipts(&h, &codes, "ceb-export-202205.xsd").await >= 12);
}

/// Runs xmllint on every receipt naming the codes against an official XSD;
/// how many.
async fn xmllint_receipts(h: &H, codes: &[String], xsd: &str) -> usize {
    let receipts = h.store.receipts_for(codes, 0, 1000).await.unwrap();
    // Removed when dropped, also when an assertion below fails.
    let tmp = tempfile::Builder::new().prefix("cbec-receipts-").tempdir().unwrap();
    let dir = tmp.path();
    let files: Vec<_> = receipts
        .iter()
        .map(|r| {
            let f = dir.join(format!("{}.xml", r.seq));
            std::fs::write(&f, &r.xml).unwrap();
            f
        })
        .collect();
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/xsd").join(xsd);
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(&xsd)
        .args(&files)
        .output()
        .expect("xmllint (libxml2-utils) is installed by ./scripts/test.sh");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    files.len()
}

/// B2B export: a 9710 list when eligible, refused with each reason a
/// declaration form is needed; 9810 refused without the overseas warehouse
/// filing and for a dishonest rating, accepted with both in order.
async fn b2b_lists_and_the_overseas_warehouse(b: Backend) {
    use cbec_fixtures::{ExportMode, export_case};
    let h = H::new(b, KeyAlgorithm::Sm2, |c| c.party_cache_ttl = std::time::Duration::ZERO).await;
    let codes = h.world.codes();
    let send_case = |case: cbec_fixtures::ExportCase, at: i64| {
        let h = &h;
        async move {
            let m = case.messages();
            h.send_message(&m[0], at).await;
            h.send_message(&m[2], at + 1).await;
            h.send_message(&m[3], at + 2).await
        }
    };
    let a = send_case(export_case(1100, ExportMode::B2bDirect, 2, &codes).small(), T0).await;
    assert_eq!(statuses(&a.xml), ["120"], "{}", info(&a.xml));
    let a = send_case(export_case(1101, ExportMode::B2bDirect, 2, &codes), T0 + 10).await;
    assert_eq!(statuses(&a.xml), ["100"]);
    assert!(
        info(&a.xml).contains("declaration form") && info(&a.xml).contains("above the 5000 CNY"),
        "{}",
        info(&a.xml)
    );
    let mut dutiable = export_case(1102, ExportMode::B2bDirect, 1, &codes).small();
    dutiable.list.inventory[0].inventory_list[0].gcode = "7601100000".into();
    let a = send_case(dutiable, T0 + 20).await;
    assert!(info(&a.xml).contains("export duty"), "{}", info(&a.xml));
    let mut licensed = export_case(1103, ExportMode::B2bDirect, 1, &codes).small();
    licensed.list.inventory[0].inventory_head.license_no = Some("LIC-2026-0001".into());
    let a = send_case(licensed, T0 + 30).await;
    assert!(info(&a.xml).contains("export licence"), "{}", info(&a.xml));

    // 9810 without the overseas warehouse business-model filing.
    let a = send_case(export_case(1110, ExportMode::B2bWarehouse, 1, &codes).small(), T0 + 40).await;
    assert_eq!(statuses(&a.xml), ["100"]);
    assert!(info(&a.xml).contains("overseas warehouse"), "{}", info(&a.xml));
    // With the filing but a dishonest rating.
    let ebc = h.world.ebc.id.clone();
    let actor = Actor { principal: Principal::System("test".into()), at: Millis(T0) };
    let app = h
        .store
        .submit_application(
            cbec_store::NewApplication {
                kind: cbec_model::filing::ApplicationKind::OverseasWarehouse,
                enterprise_id: Some(ebc.clone()),
                payload: serde_json::json!({}),
            },
            &actor,
        )
        .await
        .unwrap();
    let warehouse = cbec_store::NewWarehouse {
        name: "Los Angeles fulfilment centre".into(),
        country: "502".into(),
        address: "1 Commerce Way, Ontario, CA".into(),
        area_m2: "12000".into(),
        nature: cbec_model::filing::WarehouseNature::Leased,
        document: Some("lease 2026-001".into()),
        operator: None,
    };
    h.store
        .approve_application(&app.id, cbec_store::Effect::AddWarehouse { warehouse }, &actor, Millis(T0))
        .await
        .unwrap();
    let rate = |rating| cbec_store::NewCreditChange { rating, reason: "test".into() };
    h.store.set_credit_rating(&ebc, rate(cbec_model::filing::CreditRating::Dishonest), &actor).await.unwrap();
    let a = send_case(export_case(1111, ExportMode::B2bWarehouse, 1, &codes).small(), T0 + 50).await;
    assert!(info(&a.xml).contains("dishonest"), "{}", info(&a.xml));
    // General credit: accepted.
    h.store.set_credit_rating(&ebc, rate(cbec_model::filing::CreditRating::General), &actor).await.unwrap();
    let a = send_case(export_case(1112, ExportMode::B2bWarehouse, 1, &codes).small(), T0 + 60).await;
    assert_eq!(statuses(&a.xml), ["120"], "{}", info(&a.xml));
}

/// An export list cancellation (CEB605) by the list's agent: the released
/// list is cancelled and the cancellation concluded (399); a second one is
/// refused, the list no longer live; a cancellation naming another agent is
/// refused.
async fn export_lists_are_cancelled(b: Backend) {
    use cbec_fixtures::{ExportMode, export_case};
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let case = export_case(1200, ExportMode::Retail, 1, &h.world.codes());
    for m in case.messages() {
        h.send_message(&m, T0).await;
    }
    let docs = h
        .store
        .documents(DocFilter { kind: Some("export_list".into()), limit: 1, ..DocFilter::default() })
        .await
        .unwrap();
    let invt = docs[0].business_key.clone();
    let cancel = |guid: &str, agent: &str| export_cancel(guid, &case.list.inventory[0].inventory_head, &invt, agent);
    // Another agentCode than the sender's: the sender is not the agent it names.
    let a = h.send_message(&cancel("E605A0B1-0000-4000-8000-000000000001", &h.world.ebc.code), T0 + 10).await;
    assert_eq!(statuses(&a.xml), ["-10101"], "{}", info(&a.xml));
    assert!(info(&a.xml).contains("agentCode"), "{}", info(&a.xml));
    let a = h.send_message(&cancel("E605A0B1-0000-4000-8000-000000000002", &h.world.agent.code), T0 + 20).await;
    assert_eq!(statuses(&a.xml), ["399"], "{}", info(&a.xml));
    assert!(info(&a.xml).contains("CEB606Message"));
    let list = h.store.document(&docs[0].id).await.unwrap();
    assert_eq!(list.status, "cancelled");
    let a = h.send_message(&cancel("E605A0B1-0000-4000-8000-000000000003", &h.world.agent.code), T0 + 30).await;
    assert_eq!(statuses(&a.xml), ["100"], "{}", info(&a.xml));
}

/// Export routes: declared and leaving in one district; declared at home
/// and transferred (arrival at home, departure at the port closes the
/// transfer, an open transfer past its deadline is flagged); integrated
/// clearance (arrival at the port). Arrivals and departures at a customs the
/// route does not name are refused.
async fn export_routes(b: Backend) {
    use cbec_fixtures::{ExportMode, export_case};
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let codes = h.world.codes();
    let operator = h.operator(7).await;
    let logistics = h.world.logistics.code.clone();
    // Three lists: local (5300 → 5301), and two declared at Changchun (1500) for Shenzhen (5301).
    let mut nos = Vec::new();
    for (n, home) in ["5300", "1500", "1500"].iter().enumerate() {
        let mut case = export_case(1300 + n as u64, ExportMode::Retail, 1, &codes);
        case.list.inventory[0].inventory_head.customs_code = home.to_string();
        for m in case.messages() {
            h.send_message(&m, T0 + n as i64).await;
        }
        nos.push(case.list.inventory[0].inventory_head.logistics_no.clone());
    }
    let arrive = |guid: &'static str, customs: &'static str, no: String| {
        let (h, operator, logistics) = (&h, &operator, logistics.clone());
        async move {
            let m = arrival(guid, customs, &operator.code, &logistics, &[no]);
            let sender = Sender { id: operator.id.clone(), codes: vec![operator.code.clone()] };
            h.pipeline.submit(&sender, operator.sign(&m).unwrap(), Millis(T0 + 1000)).await.unwrap()
        }
    };
    let depart = |guid: &'static str, customs: &'static str, no: String, at: i64| {
        let (h, logistics) = (&h, logistics.clone());
        async move { h.send_logistics(&departure(guid, customs, &logistics, &[no]), at).await }
    };
    // The wrong customs is refused, naming the route's customs.
    let a = arrive("A0000001-0000-4000-8000-000000000001", "2200", nos[0].clone()).await;
    assert_eq!(statuses(&a.xml), ["100"], "{}", info(&a.xml));
    assert!(info(&a.xml).contains("CEB508Message") && info(&a.xml).contains("2200"), "{}", info(&a.xml));
    // Local: arrival at 5300 releases; departure at 5301 closes.
    let a = arrive("A0000001-0000-4000-8000-000000000002", "5300", nos[0].clone()).await;
    assert_eq!(statuses(&a.xml), ["399"], "{}", info(&a.xml));
    // Transfer: arrival at home; integrated: arrival at the port.
    assert_eq!(statuses(&arrive("A0000001-0000-4000-8000-000000000003", "1500", nos[1].clone()).await.xml), ["399"]);
    assert_eq!(statuses(&arrive("A0000001-0000-4000-8000-000000000004", "5301", nos[2].clone()).await.xml), ["399"]);
    let lists = h
        .store
        .documents(DocFilter { kind: Some("export_list".into()), limit: 10, ..DocFilter::default() })
        .await
        .unwrap();
    let route_of = |no: &str| {
        let d = lists.iter().find(|d| d.keys.iter().any(|k| k.ends_with(no))).unwrap();
        let v: serde_json::Value = serde_json::from_str(&d.body).unwrap();
        (d.status.clone(), v["route"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(route_of(&nos[0]), ("released".into(), "local".into()));
    assert_eq!(route_of(&nos[1]), ("released".into(), "transfer".into()));
    assert_eq!(route_of(&nos[2]), ("released".into(), "integrated".into()));
    // Departure at the wrong port is refused; at the exit port it closes.
    let a = depart("D0000001-0000-4000-8000-000000000001", "1500", nos[1].clone(), T0 + 2000).await;
    assert_eq!(statuses(&a.xml), ["100"], "{}", info(&a.xml));
    for (k, no) in [&nos[0], &nos[2]].iter().enumerate() {
        let guid = ["D0000001-0000-4000-8000-000000000002", "D0000001-0000-4000-8000-000000000003"][k];
        let a = depart(guid, "5301", no.to_string(), T0 + 3000).await;
        assert_eq!(statuses(&a.xml), ["399"], "{}", info(&a.xml));
    }
    // The transfer is still open past its deadline: flagged to officers.
    h.pipeline.expire_due(Millis(T0 + 1000 + 3 * DAY + 1), 100).await.unwrap();
    let transfer = h
        .store
        .documents(DocFilter {
            kind: Some("export_list".into()),
            status: Some("released".into()),
            limit: 10,
            ..DocFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(transfer.len(), 1);
    assert!(transfer[0].body.contains("transfer overdue"), "{}", transfer[0].body);
    let moves = h.store.document_moves(&transfer[0].id).await.unwrap();
    assert!(moves.iter().any(|m| m.row.reason.contains("transfer overdue")));
    // Departure at the exit port closes it after all.
    let a = depart("D0000001-0000-4000-8000-000000000004", "5300", nos[1].clone(), T0 + 4 * DAY).await;
    assert_eq!(statuses(&a.xml), ["399"], "{}", info(&a.xml));
    let closed = h.store.document(&transfer[0].id).await.unwrap();
    assert_eq!(closed.status, "closed");
    assert!(closed.body.contains("transfer closed"));
    // The arrival and departure receipts (CEB508, CEB510) are valid too.
    assert!(xmllint_receipts(&h, &[operator.code.clone(), logistics.clone()], "ceb-export-202205.xsd").await >= 8);
}

/// A retail export return (CEB213 → CEB214): accepted for a released list,
/// refused when it would return more than was exported, when the goods
/// "come back" from China, or with the wrong trade mode.
async fn export_returns(b: Backend) {
    use cbec_fixtures::{ExportMode, export_case};
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let operator = h.operator(8).await;
    let case = export_case(1400, ExportMode::Retail, 1, &h.world.codes());
    for m in case.messages() {
        h.send_message(&m, T0).await;
    }
    let head = case.list.inventory[0].inventory_head.clone();
    let logistics = h.world.logistics.code.clone();
    let arrive = arrival(
        "A0000002-0000-4000-8000-000000000001",
        "5300",
        &operator.code,
        &logistics,
        std::slice::from_ref(&head.logistics_no),
    );
    let sender = Sender { id: operator.id.clone(), codes: vec![operator.code.clone()] };
    h.pipeline.submit(&sender, operator.sign(&arrive).unwrap(), Millis(T0 + 10)).await.unwrap();
    let list = &h
        .store
        .documents(DocFilter { kind: Some("export_list".into()), limit: 1, ..DocFilter::default() })
        .await
        .unwrap()[0];
    assert_eq!(list.status, "released");
    let item = case.list.inventory[0].inventory_list[0].clone();
    let refund = |guid: &str, country: &str, mode: &str, qty: Decimal| {
        export_refund(guid, &head, &item, &list.business_key, country, mode, qty)
    };
    let a = h.send_message(&refund("B0000002-0000-4000-8000-000000000001", "142", "9661", item.qty), T0 + 20).await;
    assert_eq!(statuses(&a.xml), ["100"]);
    assert!(info(&a.xml).contains("cannot be China"), "{}", info(&a.xml));
    let a = h.send_message(&refund("B0000002-0000-4000-8000-000000000002", "502", "1261", item.qty), T0 + 30).await;
    assert!(info(&a.xml).contains("tradeMode"), "{}", info(&a.xml));
    let a = h.send_message(&refund("B0000002-0000-4000-8000-000000000003", "502", "9661", item.qty), T0 + 40).await;
    assert_eq!(statuses(&a.xml), ["120"], "{}", info(&a.xml));
    assert!(info(&a.xml).contains("CEB214Message"));
    let a = h.send_message(&refund("B0000002-0000-4000-8000-000000000004", "502", "9661", Decimal::ONE), T0 + 50).await;
    assert_eq!(statuses(&a.xml), ["100"]);
    assert!(info(&a.xml).contains("already returned"), "{}", info(&a.xml));
    // The supervised site tallies the returned goods (CEB215 → CEB216): the
    // return is concluded; an unknown return and a second tally are refused.
    let tally = |guid: &str, co_el_no: &str| {
        return_tally(
            guid,
            &operator.code,
            &head,
            &list.business_key,
            "B0000002-0000-4000-8000-000000000003",
            Some(co_el_no),
        )
    };
    let by_site = |m: Message, at: i64| {
        let (h, sender, operator) = (&h, &sender, &operator);
        async move { h.pipeline.submit(sender, operator.sign(&m).unwrap(), Millis(at)).await.unwrap() }
    };
    let a = by_site(tally("C0000002-0000-4000-8000-000000000001", "RCB0000009"), T0 + 60).await;
    assert_eq!(statuses(&a.xml), ["100"], "{}", info(&a.xml));
    assert!(info(&a.xml).contains("CEB216Message") && info(&a.xml).contains("no export return"), "{}", info(&a.xml));
    let a = by_site(tally("C0000002-0000-4000-8000-000000000002", "RCB0000002"), T0 + 70).await;
    assert_eq!(statuses(&a.xml), ["399"], "{}", info(&a.xml));
    let returns = h
        .store
        .documents(DocFilter {
            kind: Some("export_refund".into()),
            status: Some("concluded".into()),
            limit: 5,
            ..DocFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(returns.len(), 1);
    let a = by_site(tally("C0000002-0000-4000-8000-000000000003", "RCB0000002"), T0 + 80).await;
    assert_eq!(statuses(&a.xml), ["100"]);
    assert!(info(&a.xml).contains("tallied already"), "{}", info(&a.xml));
    let codes = [h.world.agent.code.clone(), operator.code.clone()];
    assert!(xmllint_receipts(&h, &codes, "ceb-export-202205.xsd").await >= 10);
}

/// Every receipt the scenarios issued validates against the official XSD
/// with xmllint.
async fn receipts_validate_with_xmllint(b: Backend) {
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    for n in 0..3u64 {
        let case = h.case(700 + n, if n == 1 { ImportMode::Bonded } else { ImportMode::DirectPurchase });
        h.send_all(&case, &[3, 0, 1, 2], T0 + n as i64 * 100).await;
    }
    let bad = h.case(710, ImportMode::DirectPurchase);
    let mut bad2 = bad.clone();
    bad2.payment.payment[0].payment_head.amount_paid += Decimal::ONE;
    h.send_all(&bad2, &[0, 1, 2, 3], T0 + 1000).await;
    h.pipeline.submit(&h.sender(&h.world.agent), b"garbage".to_vec(), Millis(T0 + 2000)).await.unwrap();
    let codes = [h.world.agent.code.clone(), h.world.ebp.code.clone()];
    assert!(xmllint_receipts(&h, &codes, "ceb-import-202205.xsd").await >= 10);
}

/// The decisions of one seeded stream, as a caller sees them.
async fn story(b: Backend) -> Vec<String> {
    let h = H::new(b, KeyAlgorithm::Sm2, |c| c.clearance.pending_deadline_ms = 60_000).await;
    let mut seen = Vec::new();
    let mut t = T0;
    for n in 0..6u64 {
        let mut case = h.case(800 + n, if n % 3 == 1 { ImportMode::Bonded } else { ImportMode::DirectPurchase });
        if n == 2 {
            case.waybill.logistics[0].logistics_head.consignee = "别人".into();
        }
        let order: &[usize] = match n % 4 {
            0 => &[0, 1, 2, 3],
            1 => &[3, 2, 1, 0],
            2 => &[1, 3, 0, 2],
            _ => &[3, 0, 1],
        };
        for a in h.send_all(&case, order, t).await {
            seen.push(statuses(&a.xml).join(","));
        }
        t += 10_000;
    }
    h.pipeline.expire_due(Millis(t + 120_000), 100).await.unwrap();
    let mut docs = h.store.documents(DocFilter { limit: 1000, ..DocFilter::default() }).await.unwrap();
    docs.sort_by_key(|d| (d.kind.clone(), d.business_key.clone()));
    for d in docs {
        seen.push(format!("{} {} {}", d.kind, d.business_key, d.status));
    }
    seen
}

/// Retail export summary declaration: released B lists gathered by CEB701
/// into declarations by the merge keys (CEB702 399 + CEB792), by name and
/// by window, in parts; lists that cannot be summarised are refused by
/// name, and a list is summarised once.
async fn export_summary(b: Backend) {
    use cbec_fixtures::{ExportMode, export_case};
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let codes = h.world.codes();
    let operator = h.operator(9).await;
    let logistics = h.world.logistics.code.clone();
    let (agent, ebc) = (h.world.agent.code.clone(), codes.ebc.clone());
    // Lists 0–1 go to one country by air, 2 to another, 3 later (for the
    // window), 4 stays unreleased, 5 is B2B (9710).
    let mut heads = Vec::new();
    for n in 0..6u64 {
        let mode = if n == 5 { ExportMode::B2bDirect } else { ExportMode::Retail };
        let mut case = export_case(1500 + n, mode, 2, &codes);
        if n == 5 {
            case = case.small();
        }
        let head = &mut case.list.inventory[0].inventory_head;
        head.statistics_flag = "B".into();
        head.country = if n == 2 { "303".into() } else { "502".into() };
        for m in case.messages() {
            let a = h.send_message(&m, T0 + n as i64).await;
            assert!(!statuses(&a.xml).iter().any(|s| s.starts_with('-') || s == "100"), "{}", info(&a.xml));
        }
        heads.push(case.list.inventory[0].inventory_head.clone());
    }
    let sender = Sender { id: operator.id.clone(), codes: vec![operator.code.clone()] };
    for (n, head) in heads.iter().enumerate() {
        if n == 4 {
            continue;
        }
        let at = if n == 3 { T0 + DAY } else { T0 + 100 };
        let m = arrival(
            &format!("A0000003-0000-4000-8000-00000000000{n}"),
            "5300",
            &operator.code,
            &logistics,
            std::slice::from_ref(&head.logistics_no),
        );
        let a = h.pipeline.submit(&sender, operator.sign(&m).unwrap(), Millis(at)).await.unwrap();
        assert_eq!(statuses(&a.xml), ["399"], "{}", info(&a.xml));
    }
    let lists = h
        .store
        .documents(DocFilter { kind: Some("export_list".into()), limit: 10, ..DocFilter::default() })
        .await
        .unwrap();
    let invt = |n: usize| -> String {
        let d = lists.iter().find(|d| d.keys.iter().any(|k| k.ends_with(&heads[n].logistics_no))).unwrap();
        let v: serde_json::Value = serde_json::from_str(&d.body).unwrap();
        v["facts"]["invt_no"].as_str().unwrap().to_string()
    };
    let nos: Vec<String> = (0..6).map(invt).collect();
    let apply = |g: &str, cop: &str, nos: &[String], window: Option<(&str, &str)>, flags, part| {
        summary_apply(g, cop, &agent, &ebc, nos, window, flags, part)
    };
    // Refused by name: an unreleased list, a B2B list, an unknown one.
    let g = "5A000001-0000-4000-8000-000000000001";
    let bad = vec![nos[4].clone(), nos[5].clone(), "53002026E999999999".to_string()];
    let a = h.send_message(&apply(g, "SUM001", &bad, None, ("1", "1"), (1, 1)), T0 + 2 * DAY).await;
    assert_eq!(statuses(&a.xml), ["100"], "{}", info(&a.xml));
    let text = info(&a.xml);
    assert!(text.contains("CEB702Message"), "{text}");
    for want in ["status 120", "B2B export (9710)", "no such export list"] {
        assert!(text.contains(want), "{want}: {text}");
    }
    // Lists 0, 1 and 2 by name: two declarations (country 502 and 303).
    let g = "5A000001-0000-4000-8000-000000000002";
    let named = vec![nos[0].clone(), nos[1].clone(), nos[2].clone()];
    let a = h.send_message(&apply(g, "SUM002", &named, None, ("1", "1"), (1, 1)), T0 + 2 * DAY).await;
    assert_eq!(statuses(&a.xml), ["399"], "{}", info(&a.xml));
    assert!(info(&a.xml).contains("3 list(s)") && info(&a.xml).contains("2 declaration(s)"), "{}", info(&a.xml));
    let results: Vec<_> = h
        .store
        .receipts_for(std::slice::from_ref(&agent), 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.message_type == "CEB792Message")
        .collect();
    assert_eq!(results.len(), 1);
    let Message::CEB792Message(m) = cbec_ceb::decode(results[0].xml.as_bytes(), &Default::default()).unwrap().message
    else {
        panic!("CEB792")
    };
    assert_eq!(m.summary_result.len(), 2);
    let lines: usize = m.summary_result.iter().map(|r| r.summary_result_list.len()).sum();
    let items: usize = (0..3)
        .map(|n| {
            lists
                .iter()
                .find(|d| d.keys.iter().any(|k| k.ends_with(&heads[n].logistics_no)))
                .map(|d| {
                    let v: serde_json::Value = serde_json::from_str(&d.body).unwrap();
                    v["facts"]["items"].as_array().unwrap().len()
                })
                .unwrap()
        })
        .sum();
    assert_eq!(lines, items);
    let by_country: Vec<Vec<&str>> = m
        .summary_result
        .iter()
        .map(|r| {
            let mut v: Vec<&str> = r.summary_result_list.iter().map(|l| l.invt_no.as_str()).collect();
            v.dedup();
            v
        })
        .collect();
    assert!(by_country.contains(&vec![nos[2].as_str()]), "{by_country:?}");
    for r in &m.summary_result {
        assert_eq!(r.summary_result_head.ebc_code, ebc);
        assert_eq!(r.summary_result_head.guid, g);
        assert!(r.summary_result_list.iter().all(|l| l.gseqno >= 1));
    }
    // Each list is summarised once.
    let g = "5A000001-0000-4000-8000-000000000003";
    let again = vec![nos[0].clone()];
    let a = h.send_message(&apply(g, "SUM003", &again, None, ("1", "1"), (1, 1)), T0 + 2 * DAY).await;
    assert_eq!(statuses(&a.xml), ["100"]);
    assert!(info(&a.xml).contains("already in summary S"), "{}", info(&a.xml));
    // In two parts: the first waits (2), the second concludes both (399).
    let g1 = "5A000001-0000-4000-8000-000000000004";
    let g2 = "5A000001-0000-4000-8000-000000000005";
    let a = h
        .send_message(
            &apply(g1, "SUM004", &[], Some(("20261128000000", "20261129235959")), ("2", "0"), (1, 2)),
            T0 + 2 * DAY,
        )
        .await;
    assert_eq!(statuses(&a.xml), ["2"], "{}", info(&a.xml));
    assert!(info(&a.xml).contains("waiting for part(s) 2"), "{}", info(&a.xml));
    // The window (28–29 November, China time) finds list 3 only: 0–2 were
    // released on the 27th (and summarised), 4 is unreleased, 5 is B2B.
    let a = h
        .send_message(
            &apply(g2, "SUM004", &[], Some(("20261128000000", "20261129235959")), ("2", "0"), (2, 2)),
            T0 + 2 * DAY,
        )
        .await;
    assert_eq!(statuses(&a.xml), ["399"], "{}", info(&a.xml));
    assert!(info(&a.xml).contains("1 list(s)"), "{}", info(&a.xml));
    let list3 = h
        .store
        .documents(DocFilter { kind: Some("export_list".into()), limit: 10, ..DocFilter::default() })
        .await
        .unwrap();
    let d3 = list3.iter().find(|d| d.keys.iter().any(|k| k.ends_with(&heads[3].logistics_no))).unwrap();
    assert!(d3.body.contains("summarised S"), "{}", d3.body);
    // A window longer than a month is refused with the reason.
    let g = "5A000001-0000-4000-8000-000000000006";
    let a = h
        .send_message(
            &apply(g, "SUM005", &[], Some(("20261001000000", "20261130235959")), ("1", "1"), (1, 1)),
            T0 + 2 * DAY,
        )
        .await;
    assert_eq!(statuses(&a.xml), ["100"]);
    assert!(info(&a.xml).contains("at most 31 days"), "{}", info(&a.xml));
    // CEB702 and CEB792 are valid.
    assert!(xmllint_receipts(&h, std::slice::from_ref(&agent), "ceb-export-202205.xsd").await >= 6);
}

/// The master/house bill link (CEB607 → CEB608) in two parts: accepted
/// lists record the bill and voyage; the last part completes the manifest;
/// unknown waybills, a second bill for a list and a repeated part are
/// refused.
async fn export_bill_links(b: Backend) {
    use cbec_fixtures::{ExportMode, export_case};
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let codes = h.world.codes();
    let (agent, logistics) = (h.world.agent.code.clone(), h.world.logistics.code.clone());
    let mut nos = Vec::new();
    for n in 0..3u64 {
        let case = export_case(1600 + n, ExportMode::Retail, 1, &codes);
        for m in case.messages() {
            h.send_message(&m, T0 + n as i64).await;
        }
        nos.push(case.list.inventory[0].inventory_head.logistics_no.clone());
    }
    let g = |n: u32| format!("B1000001-0000-4000-8000-{n:012}");
    let a = h
        .send_message(&bill_link(&g(1), "BL001", &agent, &logistics, "784-1", &[nos[0].clone()], (1, 2)), T0 + 10)
        .await;
    assert_eq!(statuses(&a.xml), ["120"], "{}", info(&a.xml));
    assert!(
        info(&a.xml).contains("CEB608Message") && info(&a.xml).contains("waiting for part(s) 2"),
        "{}",
        info(&a.xml)
    );
    let a = h
        .send_message(&bill_link(&g(2), "BL001", &agent, &logistics, "784-1", &[nos[0].clone()], (1, 2)), T0 + 11)
        .await;
    assert_eq!(statuses(&a.xml), ["100"]);
    assert!(info(&a.xml).contains("part 1 was received already"), "{}", info(&a.xml));
    let unknown = vec![nos[1].clone(), "NOSUCHWAYBILL".to_string()];
    let a = h.send_message(&bill_link(&g(3), "BL001", &agent, &logistics, "784-1", &unknown, (2, 2)), T0 + 12).await;
    assert_eq!(statuses(&a.xml), ["100"]);
    assert!(info(&a.xml).contains("NOSUCHWAYBILL") && info(&a.xml).contains("no live export list"), "{}", info(&a.xml));
    let a = h
        .send_message(&bill_link(&g(4), "BL001", &agent, &logistics, "784-1", &[nos[1].clone()], (2, 2)), T0 + 13)
        .await;
    assert_eq!(statuses(&a.xml), ["120"], "{}", info(&a.xml));
    assert!(info(&a.xml).contains("complete: 2 waybill(s) in 2 part(s)"), "{}", info(&a.xml));
    let a = h
        .send_message(&bill_link(&g(5), "BL002", &agent, &logistics, "784-2", &[nos[0].clone()], (1, 1)), T0 + 14)
        .await;
    assert_eq!(statuses(&a.xml), ["100"]);
    assert!(info(&a.xml).contains("on bill 784-1 already"), "{}", info(&a.xml));
    let lists = h
        .store
        .documents(DocFilter { kind: Some("export_list".into()), limit: 10, ..DocFilter::default() })
        .await
        .unwrap();
    let bill_of = |no: &str| {
        let d = lists.iter().find(|d| d.keys.iter().any(|k| k.ends_with(no))).unwrap();
        let v: serde_json::Value = serde_json::from_str(&d.body).unwrap();
        v["facts"]["bill_no"].as_str().map(str::to_string)
    };
    assert_eq!(bill_of(&nos[0]).as_deref(), Some("784-1"));
    assert_eq!(bill_of(&nos[1]).as_deref(), Some("784-1"));
    assert_eq!(bill_of(&nos[2]), None);
    assert!(xmllint_receipts(&h, std::slice::from_ref(&agent), "ceb-export-202205.xsd").await >= 8);
}

/// A sandbox server forces each outcome by the marker in a document's
/// note, for import and export lists; other documents can only be rejected;
/// a bad marker is refused naming the good ones; a server that is not a
/// sandbox ignores markers.
async fn sandbox_outcomes(b: Backend) {
    use cbec_fixtures::{ExportMode, export_case};
    let h = H::new(b, KeyAlgorithm::Sm2, |c| c.sandbox = true).await;
    let status_of = |h: &H, id: String| {
        let store = h.store.clone();
        async move { store.document(&id).await.unwrap().status }
    };
    let cases = [
        ("CBEC-SANDBOX:review", vec!["120", "300"], "manual_review"),
        ("CBEC-SANDBOX:inspect", vec!["120", "500"], "inspection"),
        ("CBEC-SANDBOX:release", vec!["120", "800"], "released"),
        ("CBEC-SANDBOX:detain=502", vec!["120", "502"], "detained_anti_smuggling"),
        ("CBEC-SANDBOX:return", vec!["120", "500", "700"], "returned"),
        ("CBEC-SANDBOX:reject=-621005", vec!["-621005"], "rejected"),
    ];
    for (n, (marker, want, status)) in cases.iter().enumerate() {
        let mut case = h.case(1700 + n as u64, ImportMode::DirectPurchase);
        case.list.inventory[0].inventory_head.note = Some(format!("test parcel {marker}"));
        let a = h.send_all(&case, &[0, 1, 2, 3], T0 + n as i64 * 10).await;
        assert_eq!(statuses(&a[3].xml), *want, "{marker}: {}", info(&a[3].xml));
        if *status != "rejected" {
            assert!(info(&a[3].xml).contains("[sandbox]"), "{}", info(&a[3].xml));
        }
        let list =
            h.store.documents(DocFilter { kind: Some("list".into()), limit: 1, ..DocFilter::default() }).await.unwrap();
        assert_eq!(status_of(&h, list[0].id.clone()).await, *status, "{marker}");
    }
    // Orders can only be rejected; a bad marker names the good ones.
    let mut case = h.case(1720, ImportMode::DirectPurchase);
    case.order.order[0].order_head.note = Some("CBEC-SANDBOX:reject=100".into());
    assert_eq!(statuses(&h.send_doc(&case, 0, T0 + 100).await.xml), ["100"]);
    let mut case = h.case(1721, ImportMode::DirectPurchase);
    case.order.order[0].order_head.note = Some("CBEC-SANDBOX:inspect".into());
    let a = h.send_doc(&case, 0, T0 + 101).await;
    assert_eq!(statuses(&a.xml), ["-301002"]);
    assert!(info(&a.xml).contains("applies to lists"), "{}", info(&a.xml));
    let mut case = h.case(1722, ImportMode::DirectPurchase);
    case.order.order[0].order_head.note = Some("CBEC-SANDBOX:explode".into());
    let a = h.send_doc(&case, 0, T0 + 102).await;
    assert_eq!(statuses(&a.xml), ["-301002"]);
    assert!(info(&a.xml).contains("unknown outcome") && info(&a.xml).contains("detain=501"), "{}", info(&a.xml));
    // Export lists too: inspection instead of waiting for the arrival.
    let mut case = export_case(1730, ExportMode::Retail, 1, &h.world.codes());
    case.list.inventory[0].inventory_head.note = Some("CBEC-SANDBOX:inspect".into());
    let mut last = None;
    for m in case.messages() {
        last = Some(h.send_message(&m, T0 + 200).await);
    }
    assert_eq!(statuses(&last.unwrap().xml), ["120", "500"]);
    // Not a sandbox: the marker is a note like any other.
    let real = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let mut case = real.case(1740, ImportMode::DirectPurchase);
    case.list.inventory[0].inventory_head.note = Some("CBEC-SANDBOX:reject=-621005".into());
    let a = real.send_all(&case, &[0, 1, 2, 3], T0).await;
    assert_eq!(statuses(&a[3].xml), ["120", "800"], "{}", info(&a[3].xml));
}

/// A B2B export that needs a declaration form: customs records the form
/// and links it by its 10000004 attached document to the transmitted order;
/// the link is checked (order exists, same enterprise, B for 9710, not
/// declared twice) and a list for that order is refused afterwards.
async fn b2b_declaration_forms(b: Backend) {
    use cbec_clearance::facts::FormFacts;
    use cbec_fixtures::{ExportMode, export_case};
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let codes = h.world.codes();
    let case = export_case(1800, ExportMode::B2bDirect, 2, &codes);
    let m = case.messages();
    h.send_message(&m[0], T0).await;
    h.send_message(&m[2], T0 + 1).await;
    let a = h.send_message(&m[3], T0 + 2).await;
    assert!(info(&a.xml).contains("declaration form (H2018) is required"), "{}", info(&a.xml));
    let order = &case.order.order[0].order_head;
    let form = |entry: &str, mode: &str, order_no: &str| FormFacts {
        entry_id: entry.into(),
        trade_mode: mode.into(),
        customs_code: "5300".into(),
        ebc_code: codes.ebc.clone(),
        ebp_code: order.ebp_code.clone(),
        order_no: order_no.into(),
    };
    let officer = cbec_store::Actor { principal: cbec_store::Principal::System("h2018".into()), at: Millis(T0 + 10) };
    let err = |r: Result<String, cbec_pipeline::PipelineError>| r.unwrap_err().to_string();
    let e = err(h.pipeline.link_declaration_form(form("530120261000000001", "9710", "NOSUCHORDER"), &officer).await);
    assert!(e.contains("no order or booking NOSUCHORDER") && e.contains("10000004"), "{e}");
    let e = err(h.pipeline.link_declaration_form(form("530120261000000001", "9810", &order.order_no), &officer).await);
    assert!(e.contains("orderType W") || e.contains("overseas warehouse"), "{e}");
    let e = err(h.pipeline.link_declaration_form(form("5301-bad", "9710", &order.order_no), &officer).await);
    assert!(e.contains("18 letters or digits"), "{e}");
    let id =
        h.pipeline.link_declaration_form(form("530120261000000001", "9710", &order.order_no), &officer).await.unwrap();
    let doc = h.store.document(&id).await.unwrap();
    assert_eq!(
        (doc.kind.as_str(), doc.status.as_str(), doc.business_key.as_str()),
        ("declaration_form", "accepted", "530120261000000001")
    );
    let moves = h.store.document_moves(&id).await.unwrap();
    assert!(moves[0].row.reason.contains("linked to order"), "{:?}", moves[0].row.reason);
    let e = err(h.pipeline.link_declaration_form(form("530120261000000001", "9710", &order.order_no), &officer).await);
    assert!(e.contains("recorded already"), "{e}");
    let e = err(h.pipeline.link_declaration_form(form("530120261000000002", "9710", &order.order_no), &officer).await);
    assert!(e.contains("declared on form 530120261000000001"), "{e}");
    // A list for the order declared on a form is refused.
    let mut again = case.clone();
    again.list.guid = "6B000001-0000-4000-8000-000000000001".into();
    again.list.inventory[0].inventory_head.guid = again.list.guid.clone();
    again.list.inventory[0].inventory_head.cop_no = "AGAIN0001".into();
    let a = h.send_message(&again.messages()[3], T0 + 20).await;
    assert_eq!(statuses(&a.xml), ["100"]);
    assert!(info(&a.xml).contains("declared on customs declaration form 530120261000000001"), "{}", info(&a.xml));
}

/// An arrival manifest split in two parts (`msgCount` 2): each part is
/// decided on its own and reports where the manifest stands; a repeated
/// part, a part out of range and a part with another `msgCount` are refused.
async fn split_manifests(b: Backend) {
    use cbec_fixtures::{ExportMode, export_case};
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let codes = h.world.codes();
    let operator = h.operator(10).await;
    let logistics = h.world.logistics.code.clone();
    let mut nos = Vec::new();
    for n in 0..3u64 {
        let case = export_case(1900 + n, ExportMode::Retail, 1, &codes);
        for m in case.messages() {
            h.send_message(&m, T0 + n as i64).await;
        }
        nos.push(case.list.inventory[0].inventory_head.logistics_no.clone());
    }
    let sender = Sender { id: operator.id.clone(), codes: vec![operator.code.clone()] };
    let part = |n: u32, no: &str, seq: i32, count: i32| {
        let Message::CEB507Message(mut m) =
            arrival(&format!("A0000009-0000-4000-8000-{n:012}"), "5300", &operator.code, &logistics, &[no.to_string()])
        else {
            unreachable!()
        };
        let head = &mut m.arrival[0].arrival_head;
        (head.cop_no, head.msg_seq_no, head.msg_count) = ("ARRSPLIT01".into(), seq, count);
        Message::CEB507Message(m)
    };
    let go = |m: Message, at: i64| {
        let (h, sender, operator) = (&h, &sender, &operator);
        async move { h.pipeline.submit(sender, operator.sign(&m).unwrap(), Millis(at)).await.unwrap() }
    };
    let a = go(part(1, &nos[0], 1, 2), T0 + 100).await;
    assert_eq!(statuses(&a.xml), ["399"], "{}", info(&a.xml));
    assert!(info(&a.xml).contains("part 1 of 2: waiting for part(s) 2"), "{}", info(&a.xml));
    for (n, seq, count, why) in
        [(2, 1, 2, "received already"), (3, 3, 2, "must lie within 1..msgCount"), (4, 2, 3, "msgCount 3 differs")]
    {
        let a = go(part(n, &nos[1], seq, count), T0 + 101).await;
        assert_eq!(statuses(&a.xml), ["100"], "{}", info(&a.xml));
        assert!(info(&a.xml).contains(why), "{why}: {}", info(&a.xml));
    }
    let a = go(part(5, &nos[1], 2, 2), T0 + 102).await;
    assert_eq!(statuses(&a.xml), ["399"], "{}", info(&a.xml));
    assert!(info(&a.xml).contains("manifest ARRSPLIT01 complete"), "{}", info(&a.xml));
    let released = h
        .store
        .documents(DocFilter {
            kind: Some("export_list".into()),
            status: Some("released".into()),
            limit: 10,
            ..DocFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(released.len(), 2);
}

/// A retail export list declared with statisticsFlag A (simplified) must
/// carry goods without licence or export duty; with B it is accepted.
async fn simplified_declaration_needs_free_goods(b: Backend) {
    use cbec_fixtures::{ExportMode, export_case};
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let mut last = None;
    for (n, flag) in ["A", "B"].iter().enumerate() {
        let mut case = export_case(2000 + n as u64, ExportMode::Retail, 1, &h.world.codes());
        case.list.inventory[0].inventory_list[0].gcode = "7601100000".into();
        case.list.inventory[0].inventory_head.statistics_flag = flag.to_string();
        for m in case.messages() {
            last = Some(h.send_message(&m, T0 + n as i64).await);
        }
        let a = last.take().unwrap();
        if *flag == "A" {
            assert_eq!(statuses(&a.xml), ["100"], "{}", info(&a.xml));
            assert!(
                info(&a.xml).contains("statisticsFlag A") && info(&a.xml).contains("export duty"),
                "{}",
                info(&a.xml)
            );
        } else {
            assert_eq!(statuses(&a.xml), ["120"], "{}", info(&a.xml));
        }
    }
}

/// With a tariff imported (`cbec refdata`), export lists' HS codes must be
/// tariff lines, or simplified to a real heading on a simplified
/// declaration (statisticsFlag A).
async fn export_hs_codes_against_the_tariff(b: Backend) {
    use cbec_fixtures::{ExportMode, export_case};
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let actor = Actor { principal: Principal::System("test".into()), at: Millis(T0) };
    let csv = include_str!("../../cbec-refdata/data/tariff.csv");
    let new = cbec_store::NewRefdata {
        kind: "tariff".into(),
        effective_from: "2026-01-01".into(),
        rows: 27,
        source: "tariff.csv".into(),
        content: csv.into(),
    };
    let v = h.store.import_refdata(new, &actor).await.unwrap();
    let tariff = |b: cbec_clearance::goods::Basis| b.tariff;
    let v = format!("v{}", v.version);
    assert_eq!(tariff(h.pipeline.load_reference_data("2026-11-27").await.unwrap()), v);
    assert_eq!(tariff(h.pipeline.load_reference_data("2025-12-31").await.unwrap()), "builtin", "not yet in force");
    assert_eq!(tariff(h.pipeline.load_reference_data("2026-11-27").await.unwrap()), v);
    let cases = [
        ("A", "6109000000", "120", ""),
        ("A", "8471000000", "100", "(8471) are not a heading"),
        ("B", "6109100000", "100", "not a line of the tariff"),
        ("B", "6109100021", "120", ""),
    ];
    for (n, (flag, gcode, want, why)) in cases.iter().enumerate() {
        let mut case = export_case(2100 + n as u64, ExportMode::Retail, 1, &h.world.codes());
        case.list.inventory[0].inventory_head.statistics_flag = flag.to_string();
        case.list.inventory[0].inventory_list[0].gcode = gcode.to_string();
        let mut last = None;
        for m in case.messages() {
            last = Some(h.send_message(&m, T0 + n as i64).await);
        }
        let a = last.unwrap();
        assert_eq!(statuses(&a.xml), [*want], "{flag} {gcode}: {}", info(&a.xml));
        assert!(info(&a.xml).contains(why), "{why}: {}", info(&a.xml));
    }
}

/// Sets the goods of one item on the order and the list alike.
fn with_goods(mut case: ImportCase, item: usize, gcode: &str, gname: &str, country: &str) -> ImportCase {
    let l = &mut case.list.inventory[0].inventory_list[item];
    (l.gcode, l.gname, l.country, l.item_name) = (gcode.into(), gname.into(), country.into(), Some(gname.to_string()));
    let o = &mut case.order.order[0].order_list[item];
    (o.item_name, o.country) = (gname.into(), country.into());
    case
}

/// Imports a reference table effective from `from` and loads what is in force on 2026-11-27.
async fn import_table(h: &H, kind: &str, csv: String, from: &str) -> cbec_clearance::goods::Basis {
    let actor = Actor { principal: Principal::System("test".into()), at: Millis(T0) };
    let rows = csv.lines().filter(|l| !l.starts_with('#')).count() as i64 - 1;
    let new = cbec_store::NewRefdata {
        kind: kind.into(),
        effective_from: from.into(),
        rows,
        source: format!("{kind}.csv"),
        content: csv,
    };
    h.store.import_refdata(new, &actor).await.unwrap();
    h.pipeline.load_reference_data("2026-11-27").await.unwrap()
}

/// The `basis` a stored document recorded.
fn basis(doc: &cbec_store::DocRow) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(&doc.body).unwrap()["basis"].clone()
}

/// Each goods check rejects a list with its code and explains it; the
/// list records the versions of the tables it was checked against, and a
/// newly imported table applies to later lists only.
async fn goods_control(b: Backend) {
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let cases = [
        ("1901101000", "象牙奶粉", "309", "-621904", ["goods.prohibited_keyword", "InventoryList[1]/gname"]),
        ("0201100000", "鲜牛肉", "502", "-621906", ["goods.not_on_positive_list", "Retail Import Goods List"]),
        ("2106909090", "处方药品", "502", "-621907", ["goods.positive_list_exclusion", "excludes \"药品\""]),
        ("1901109999", "奶粉", "309", "-621902", ["goods.hs_unknown", "goods.not_on_positive_list"]),
        ("2939110000", "镇痛剂", "309", "-621902", ["goods.prohibited_hs", "麻醉药品"]),
    ];
    for (n, (gcode, gname, country, want, why)) in cases.iter().enumerate() {
        let case = with_goods(h.case(3000 + n as u64, ImportMode::DirectPurchase), 0, gcode, gname, country);
        let a = h.send_all(&case, &[0, 1, 2, 3], T0 + n as i64 * 10).await;
        assert_eq!(statuses(&a[3].xml), [*want], "{gcode} {gname}: {}", info(&a[3].xml));
        for w in why {
            assert!(info(&a[3].xml).contains(w), "{w}: {}", info(&a[3].xml));
        }
        let list = h.list(&case).await;
        assert_eq!(list.status, "rejected");
        assert_eq!(basis(&list)["positive_list"], "builtin");
    }
    let fine = h.case(3100, ImportMode::DirectPurchase);
    let a = h.send_all(&fine, &[0, 1, 2, 3], T0 + 100).await;
    assert_eq!(statuses(&a[3].xml), ["120", "800"], "{}", info(&a[3].xml));
    let fine_list = h.list(&fine).await;
    // A new catalogue (from today) refuses what the builtin one let through …
    let gname = fine.list.inventory[0].inventory_list[0].gname.clone();
    let csv = format!("kind,value,direction,reason\nkeyword,{gname},import,风险监测：暂停进口\n");
    let versions = import_table(&h, "prohibited", csv, "2026-11-27").await;
    assert_eq!((versions.prohibited.as_str(), versions.positive_list.as_str()), ("v1", "builtin"));
    let again = h.case(3101, ImportMode::DirectPurchase);
    let again = with_goods(again, 0, &fine.list.inventory[0].inventory_list[0].gcode.clone(), &gname, "309");
    let a = h.send_all(&again, &[0, 1, 2, 3], T0 + 200).await;
    assert_eq!(statuses(&a[3].xml), ["-621904"], "{}", info(&a[3].xml));
    assert!(info(&a[3].xml).contains("version v1"), "{}", info(&a[3].xml));
    assert_eq!(basis(&h.list(&again).await)["prohibited"], "v1");
    // … while the earlier decision keeps the version it used.
    assert_eq!(basis(&h.store.document(&fine_list.id).await.unwrap())["prohibited"], "builtin");
}

/// The positive list's per-person annual quantity caps are kept like the
/// value quota: reserved on acceptance, refused beyond the cap, given back
/// by a cancellation.
async fn positive_list_annual_caps(b: Backend) {
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    // One-item cases of infant formula (declared in cans, 122).
    let milk: Vec<ImportCase> = (0..200)
        .map(|s| import_case(3200 + s, ImportMode::DirectPurchase, 1, &h.world.codes()))
        .filter(|c| c.list.inventory[0].inventory_list[0].gcode == "1901101000")
        .take(3)
        .collect();
    let buyer = milk[0].buyer_id().to_string();
    let milk: Vec<ImportCase> = milk.into_iter().map(|c| c.with_buyer("张三", &buyer)).collect();
    let qty = |c: &ImportCase| c.list.inventory[0].inventory_list[0].qty;
    let (q0, q1) = (qty(&milk[0]), qty(&milk[1]));
    let cap = q0 + q1 - Decimal::ONE;
    let positive = include_str!("../../cbec-refdata/data/positive_list.csv").replace(
        "19011010,供婴幼儿食用的零售包装配方奶粉,须符合国家食品安全标准,,",
        &format!("19011010,婴儿配方奶粉,,{cap},122"),
    );
    assert_eq!(import_table(&h, "positive-list", positive, "2026-01-01").await.positive_list, "v1");
    let a = h.send_all(&milk[0], &[0, 1, 2, 3], T0).await;
    assert_eq!(statuses(&a[3].xml), ["120", "800"], "{}", info(&a[3].xml));
    let key = format!("qty|{buyer}|2026|19011010");
    let milli = |q: Decimal| (q * Decimal::from(1000)).to_string().parse::<i64>().unwrap();
    assert_eq!(h.store.quota_used(&key).await.unwrap(), milli(q0));
    let a = h.send_all(&milk[1], &[0, 1, 2, 3], T0 + 10).await;
    assert_eq!(statuses(&a[3].xml), ["-621908"], "{}", info(&a[3].xml));
    assert!(info(&a[3].xml).contains(&format!("bought {q0} of the {cap}")), "{}", info(&a[3].xml));
    assert_eq!(h.store.quota_used(&key).await.unwrap(), milli(q0), "a refused list holds nothing");
    // Cancelling the first list gives its cans back; another buyer was never limited.
    let first = h.list(&milk[0]).await;
    let cancel = milk[0].cancel(&invt_no(&first), "消费者取消订单", 1);
    let a = h.send_message(&Message::CEB623Message(Box::new(cancel)), T0 + 20).await;
    assert_eq!(statuses(&a.xml), ["399"], "{}", info(&a.xml));
    assert_eq!(h.store.quota_used(&key).await.unwrap(), 0);
    let a = h.send_all(&milk[2], &[0, 1, 2, 3], T0 + 30).await;
    assert_eq!(statuses(&a[3].xml), ["120", "800"], "{}", info(&a[3].xml));
}

/// One-item retail import cases of the goods `gcode`, from seed `from` on.
fn one_item_cases(h: &H, gcode: &str, from: u64, n: usize) -> Vec<ImportCase> {
    (0..400)
        .map(|s| import_case(from + s, ImportMode::DirectPurchase, 1, &h.world.codes()))
        .filter(|c| c.list.inventory[0].inventory_list[0].gcode == gcode)
        .take(n)
        .collect()
}

/// The risk decision a stored list recorded.
fn risk_of(doc: &cbec_store::DocRow) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(&doc.body).unwrap()["risk"].clone()
}

/// A failed laboratory result raises a warning that holds the next
/// matching list for inspection and not a non-matching one; lifted, it no
/// longer applies.
async fn warnings_from_lab_results(b: Backend) {
    use cbec_monitoring::{Hazard, NewResult, Outcome, Product, WarningCommand, WarningTerms};
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    let officer = cbec_monitoring::Actor::officer("risk-1", cbec_model::filing::Role::RiskOfficer);
    let actor = |at: i64| Actor { principal: Principal::Officer("risk-1".into()), at: Millis(at) };
    let store = h.store.as_ref();
    let product = Product {
        hs_code: "1901101000".into(),
        name: "婴儿配方奶粉".into(),
        brand: None,
        item_no: None,
        enterprise: h.world.ebc.code.clone(),
        batch: "B2026-11-03".into(),
        origin_country: Some("309".into()),
    };
    let failed = Outcome::Fail {
        findings: vec!["阪崎肠杆菌 检出 (限量: 不得检出)".into()], hazard: Hazard::Microbial
    };
    let new = NewResult {
        plan_id: None,
        product,
        lab: "海关技术中心实验室".into(),
        sampled_at: T0 - 3 * DAY,
        tested_at: T0 - DAY,
        outcome: failed,
    };
    let result = cbec_monitoring::record_result(new_id(), new, None, &officer, T0).unwrap();
    cbec_pipeline::monitoring::save(store, &result, None, &actor(T0)).await.unwrap();
    let terms = WarningTerms::for_severity(cbec_risk::Severity::High);
    let warning = cbec_monitoring::warning_from_result(new_id(), &result.record, terms, &officer, T0).unwrap();
    cbec_pipeline::monitoring::save(store, &warning, None, &actor(T0)).await.unwrap();
    assert_eq!(h.pipeline.load_risk(Millis(T0)).await.unwrap(), ("none".to_string(), 1));

    let milk = one_item_cases(&h, "1901101000", 4000, 4);
    let other = one_item_cases(&h, "3305100000", 4000, 1);
    let a = h.send_all(&milk[0], &[0, 1, 2, 3], T0 + 10).await;
    assert_eq!(statuses(&a[3].xml), ["120", "500"], "{}", info(&a[3].xml));
    let held = risk_of(&h.list(&milk[0]).await);
    assert_eq!(held["warnings"][0]["warning_id"], warning.record.id.as_str(), "{held}");
    assert_eq!(held["lane"], "red");
    let a = h.send_all(&other[0], &[0, 1, 2, 3], T0 + 20).await;
    assert_eq!(statuses(&a[3].xml), ["120", "800"], "{}", info(&a[3].xml));

    let lift = WarningCommand::Lift { reason: "复检合格，批次已全部退运".into() };
    let lifted = warning.record.apply(1, lift, &officer, T0 + 30).unwrap();
    cbec_pipeline::monitoring::save(store, &lifted, Some(1), &actor(T0 + 30)).await.unwrap();
    assert_eq!(h.pipeline.load_risk(Millis(T0 + 30)).await.unwrap().1, 0);
    let a = h.send_all(&milk[1], &[0, 1, 2, 3], T0 + 40).await;
    assert_eq!(statuses(&a[3].xml), ["120", "800"], "{}", info(&a[3].xml));
    // An officer's finding: refuse entry for an hour; once it expires it no
    // longer applies, without a reload.
    let finding = cbec_monitoring::Finding {
        scope: cbec_risk::Scope { hs_prefix: Some("190110".into()), ..Default::default() },
        severity: cbec_risk::Severity::Critical,
        measure: cbec_risk::Measure::RefuseEntry,
        valid_until: T0 + 3_600_000,
        finding: "同批次产品境外召回通报".into(),
    };
    let w = cbec_monitoring::warning_from_finding(new_id(), finding, &officer, T0 + 50).unwrap();
    cbec_pipeline::monitoring::save(store, &w, None, &actor(T0 + 50)).await.unwrap();
    h.pipeline.load_risk(Millis(T0 + 50)).await.unwrap();
    let a = h.send_all(&milk[2], &[0, 1, 2, 3], T0 + 60).await;
    assert_eq!(statuses(&a[3].xml), ["-621910"], "{}", info(&a[3].xml));
    assert!(info(&a[3].xml).contains("goods.refused_by_warning"), "{}", info(&a[3].xml));
    let a = h.send_all(&milk[3], &[0, 1, 2, 3], T0 + 3_600_000).await;
    assert_eq!(statuses(&a[3].xml), ["120", "800"], "expired: {}", info(&a[3].xml));
    // The audit log has the monitoring events.
    let entries = h.store.audit_entries(0, 1000).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    for a in ["test_result.recorded", "warning.created", "warning.lifted"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

/// The active rule set decides lanes: yellow to document review, hold to
/// detention, nothing fired to release; each list records what fired and
/// the rule set version.
async fn risk_rules_decide_lanes(b: Backend) {
    let h = H::new(b, KeyAlgorithm::Sm2, |_| {}).await;
    // Watched by what the three orders say: a buyer's identity, and an
    // address on the waybill.
    let shirts = one_item_cases(&h, "6109100021", 5000, 2);
    let buyer = shirts[0].buyer_id().to_string();
    let address = shirts[1].waybill.logistics[0].logistics_head.consignee_address.clone();
    let street: String = address.chars().take(6).collect();
    let rules = format!(
        r#"
version = "test-1"
[rates]
minimum_random_inspection = 0.0
yellow = 0.0

[[rule]]
id = "I-1"
description = "an identity reported misused"
lane = "hold"
[rule.when]
buyer_id = ["{buyer}"]

[[rule]]
id = "A-1"
description = "a consolidation address"
lane = "red"
[rule.when]
consignee_keyword = ["{street}"]

[[rule]]
id = "Y-1"
description = "shampoo: document review"
lane = "yellow"
[rule.when]
hs_prefix = ["3305"]

[[rule]]
id = "H-1"
description = "cleansers from Japan: hold"
lane = "hold"
[rule.when]
name_keyword = ["洗面奶"]
origin_country = ["116"]
"#
    );
    let rules = rules.as_str();
    let uploader = Actor { principal: Principal::Officer("risk-1".into()), at: Millis(T0) };
    let supervisor = Actor { principal: Principal::Officer("chief-1".into()), at: Millis(T0) };
    let parsed = cbec_risk::RuleSet::parse(rules).unwrap();
    let row = h.store.put_rule_set(parsed.version(), parsed.rules().len() as i64, rules, &uploader).await.unwrap();
    h.store.decide_rule_set(&row.id, true, "reviewed", &supervisor).await.unwrap();
    assert_eq!(h.pipeline.load_risk(Millis(T0)).await.unwrap(), ("test-1".to_string(), 0));
    let cases = [
        ("3305100000", "300", "yellow", "Y-1"),
        ("3401300000", "599", "hold", "H-1"),
        ("6403990090", "800", "green", ""),
        ("6109100021", "599", "hold", "I-1"),
        ("6109100021", "500", "red", "A-1"),
    ];
    for (n, (gcode, want, lane, rule)) in cases.iter().enumerate() {
        let case = &match n {
            3 => shirts[0].clone(),
            4 => shirts[1].clone(),
            _ => one_item_cases(&h, gcode, 5000, 1).remove(0),
        };
        let a = h.send_all(case, &[0, 1, 2, 3], T0 + n as i64 * 10).await;
        assert_eq!(statuses(&a[3].xml), ["120", *want], "{gcode}: {}", info(&a[3].xml));
        // The enterprise learns the outcome, not the selection criteria.
        let receipt = info(&a[3].xml);
        assert!(!receipt.contains("seed") && !receipt.contains("test-1") && !receipt.contains("-1 "), "{receipt}");
        let list = h.list(case).await;
        let d = risk_of(&list);
        assert_eq!(d["lane"], *lane, "{d}");
        assert_eq!(d["rules_version"], "test-1");
        assert_eq!(basis(&list)["rules"], "test-1");
        if !rule.is_empty() {
            assert_eq!(d["fired"][0]["rule_id"], *rule, "{d}");
        }
    }
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name(Backend::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$name(Backend::Postgres).await }
        }
    )*};
}

on_both!(
    four_documents_in_any_order,
    bonded_import,
    each_mismatch_is_named,
    waiting_list_rejected_at_deadline,
    limits_and_quota,
    resubmission_is_idempotent,
    signatures_are_required_and_checked,
    receipts_validate_with_xmllint,
    saturation_is_refused_and_passes,
    envelopes_are_opened,
    quota_follows_the_year_of_acceptance,
    export_lists_are_matched,
    b2b_lists_and_the_overseas_warehouse,
    export_lists_are_cancelled,
    export_routes,
    export_returns,
    export_summary,
    export_bill_links,
    sandbox_outcomes,
    b2b_declaration_forms,
    split_manifests,
    simplified_declaration_needs_free_goods,
    export_hs_codes_against_the_tariff,
    goods_control,
    positive_list_annual_caps,
    warnings_from_lab_results,
    risk_rules_decide_lanes,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_decisions_on_sqlite_and_postgres() {
    let a = story(Backend::Sqlite).await;
    let b = story(Backend::Postgres).await;
    assert!(a.len() > 20);
    assert_eq!(a, b);
}
