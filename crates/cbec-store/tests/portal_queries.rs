//! The enterprise portal's reads, on both backends: an enterprise's
//! receipts and documents newest first, in keyset pages, only those naming
//! one of its codes.
//!
//! SQLite runs on a temporary file; PostgreSQL on a fresh database created
//! from the admin URL in `CBEC_TEST_PG` (set by `./scripts/test.sh`) and
//! dropped afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backends;

use std::sync::Arc;

use cbec_store::*;

const T0: i64 = 1_767_225_600_000;

/// A decider that writes a fixed outcome.
struct Fixed(Option<Outcome>);

impl Decider for Fixed {
    fn needs(&mut self, _: &Snapshot) -> Needs {
        Needs::default()
    }
    fn decide(&mut self, _: &Snapshot) -> Result<Outcome> {
        Ok(self.0.take().unwrap_or_default())
    }
}

fn doc(id: &str, kind: &str, sender: &str, at: i64) -> DocRow {
    DocRow {
        id: id.into(),
        kind: kind.into(),
        status: "accepted".into(),
        sender: sender.into(),
        business_key: format!("KEY-{id}"),
        keys: vec![format!("key:{id}")],
        deadline: None,
        created_at: Millis(at),
        updated_at: Millis(at),
        message_id: None,
        body: "{}".into(),
    }
}

fn receipt(doc_id: &str, recipients: &[&str]) -> NewReceipt {
    NewReceipt {
        id: new_id(),
        doc_id: Some(doc_id.into()),
        message_type: "CEB312Message".into(),
        return_status: "120".into(),
        return_info: format!("receipt of {doc_id}"),
        business_key: format!("KEY-{doc_id}"),
        xml: "<x/>".into(),
        recipients: recipients.iter().map(|c| (*c).to_owned()).collect(),
    }
}

/// Writes one document (sent by `sender`, naming `parties`) and its receipt.
async fn write(store: &dyn Store, d: DocRow, parties: &[&str]) -> String {
    let id = d.id.clone();
    let outcome = Outcome {
        receipts: vec![receipt(&id, parties)],
        docs: vec![d],
        audit_action: "test.write",
        audit_summary: serde_json::json!({}),
        ..Default::default()
    };
    let work = Work {
        actor: Actor { principal: Principal::System("test".into()), at: Millis(T0) },
        message: None,
        entity: ("document", id.clone()),
    };
    store.process(work, Box::new(Fixed(Some(outcome)))).await.unwrap();
    id
}

async fn scenario(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (code, uscc, other) = ("3101960001", "91310000MA1K000001", "3101960099");
    let mine = [code.to_owned(), uscc.to_owned()];
    // Ten documents: lists and orders, naming our customs code, our USCC,
    // both, or only another enterprise.
    let mut ours = Vec::new();
    let mut our_lists = Vec::new();
    let mut ours_seen_by_receipt = Vec::new();
    for n in 0..10 {
        let kind = if n % 2 == 0 { "list" } else { "order" };
        let id = new_id();
        let (sender, parties): (&str, Vec<&str>) = match n % 4 {
            0 => (code, vec![code]),
            1 => (other, vec![other, uscc]),
            2 => (other, vec![other, code, uscc]),
            _ => (other, vec![other]),
        };
        write(s, doc(&id, kind, sender, T0 + n), &parties).await;
        if n % 4 != 3 {
            ours.push(id.clone());
            ours_seen_by_receipt.push(id.clone());
            if kind == "list" {
                our_lists.push(id);
            }
        }
        // Ids must differ in time order even within one millisecond.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    ours.reverse();
    our_lists.reverse();
    ours_seen_by_receipt.reverse();

    // Documents: newest first, both codes, deduplicated, other's left out.
    let all = s.recent_documents_for(&mine, None, None, 100).await.unwrap();
    assert_eq!(all.iter().map(|d| d.id.clone()).collect::<Vec<_>>(), ours);
    let lists = s.recent_documents_for(&mine, Some("list"), None, 100).await.unwrap();
    assert_eq!(lists.iter().map(|d| d.id.clone()).collect::<Vec<_>>(), our_lists);
    assert!(lists.iter().all(|d| d.kind == "list"));
    // Keyset pages of 3 cover everything once.
    let mut paged = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let page = s.recent_documents_for(&mine, None, before.as_deref(), 3).await.unwrap();
        assert!(page.len() <= 3);
        let Some(last) = page.last() else { break };
        before = Some(last.id.clone());
        paged.extend(page.into_iter().map(|d| d.id));
    }
    assert_eq!(paged, ours);
    assert!(s.recent_documents_for(&[], None, None, 10).await.unwrap().is_empty());
    assert!(s.recent_documents_for(&["0000000000".into()], None, None, 10).await.unwrap().is_empty());

    // Receipts: newest first, each once even when it names both codes.
    let receipts = s.recent_receipts_for(&mine, None, 100).await.unwrap();
    let docs: Vec<String> = receipts.iter().map(|r| r.doc_id.clone().unwrap()).collect();
    assert_eq!(docs, ours_seen_by_receipt);
    assert!(receipts.windows(2).all(|w| w[0].seq > w[1].seq));
    let first = s.recent_receipts_for(&mine, None, 2).await.unwrap();
    assert_eq!(first.len(), 2);
    let rest = s.recent_receipts_for(&mine, Some(first[1].seq), 100).await.unwrap();
    assert_eq!(first.len() + rest.len(), receipts.len());
    assert!(rest.iter().all(|r| r.seq < first[1].seq));
    // Pulling in issue order agrees.
    let mut pulled = s.receipts_for(&mine, 0, 100).await.unwrap();
    pulled.reverse();
    assert_eq!(pulled, receipts);
    // The other enterprise is named in every document not sent by us.
    assert_eq!(s.recent_receipts_for(&[other.into()], None, 100).await.unwrap().len(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    backends::on_sqlite("cbec-portal-queries", scenario).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    backends::on_postgres("cbec_portal", scenario).await;
}
