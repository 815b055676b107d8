//! The store's [`Decider`]s: the bridge between the pure decisions of
//! `cbec-clearance` and the rows of `cbec-store`, and where receipts are
//! rendered (the XML of each receipt is written in the same transaction as
//! the decision it reports).

use std::sync::Arc;

use cbec_clearance::decide::{self, Action, Doc, Plan, Receipt, SummaryResult, TaxBill};
use cbec_clearance::{Config, Facts, Incoming, Kind, Refusal};
use cbec_model::ident::{Guid, ReturnTime};
use cbec_receipts::{ReceiptItem, ReceiptKeys, ReceiptType};
use cbec_store::{Decider, DocRow, Millis, Needs, NewReceipt, Outcome, Snapshot, StoreError, new_id};
use serde_json::json;

/// A fresh upper-case UUID for the guid of a customs-side message.
pub(crate) fn fresh_guid() -> Guid {
    loop {
        // A v4 UUID in upper case always parses as a guid.
        if let Ok(g) = Guid::parse(&uuid::Uuid::new_v4().to_string().to_uppercase()) {
            return g;
        }
    }
}

/// `returnTime` in China time (UTC+8), to the millisecond.
pub fn return_time(ms: i64) -> ReturnTime {
    let in_day = (ms + 8 * 3600 * 1000).rem_euclid(86_400_000);
    let date = decide::china_date(ms);
    let num = |r: std::ops::Range<usize>| date.get(r).and_then(|s| s.parse::<u32>().ok()).unwrap_or(1);
    let (hour, minute) = ((in_day / 3_600_000) as u32, ((in_day / 60_000) % 60) as u32);
    let (second, milli) = (((in_day / 1000) % 60) as u32, (in_day % 1000) as u32);
    ReturnTime::from_parts(num(0..4), num(4..6), num(6..8), hour, minute, second, milli).unwrap_or_else(|_| epoch())
}

fn epoch() -> ReturnTime {
    match ReturnTime::parse("19700101080000000") {
        Ok(t) => t,
        Err(_) => epoch(),
    }
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

pub(crate) fn to_doc(row: &DocRow) -> Result<Doc, StoreError> {
    serde_json::from_str(&row.body).map_err(|e| backend(format!("document {} cannot be read: {e}", row.id)))
}

pub(crate) fn to_row(doc: &Doc, message_id: Option<&str>) -> Result<DocRow, StoreError> {
    Ok(DocRow {
        id: doc.id.clone(),
        kind: doc.kind().name().to_string(),
        status: doc.status.name().to_string(),
        sender: doc.sender.clone(),
        business_key: doc.facts.business_key(),
        keys: doc.facts.keys().into_iter().chain(doc.facts.search_keys()).collect(),
        deadline: doc.deadline.map(Millis),
        created_at: Millis(doc.created_at),
        updated_at: Millis(doc.updated_at),
        message_id: message_id.map(str::to_string),
        body: serde_json::to_string(doc).map_err(backend)?,
    })
}

/// The store's snapshot as clearance sees it, kept across the rounds of one
/// decision so each document's JSON is read once, and looked up first in the
/// shared [`DocCache`].
#[derive(Default)]
pub(crate) struct Seen {
    snap: decide::Snapshot,
    cache: Arc<DocCache>,
    /// What the decision asks for, for the first `.0` documents of `snap`
    /// (before leaving out what has been read): each round adds only the
    /// documents read since the last.
    asked: Option<(usize, decide::Needs)>,
}

impl Seen {
    pub(crate) fn new(cache: Arc<DocCache>) -> Seen {
        Seen { snap: decide::Snapshot::default(), cache, asked: None }
    }

    /// What a decision over `incoming` and `ids` reads next:
    /// [`decide::needs`] on the store's snapshot, computed a document at a
    /// time across the rounds.
    fn needs(&mut self, s: &Snapshot, incoming: &[Incoming], ids: &[String], now: i64) -> Needs {
        if self.update(s).is_err() {
            return Needs::default();
        }
        // A fresh snapshot (the first round, or a run again after a
        // rollback) starts over.
        let docs = self.snap.docs.len();
        let (done, asked) = match &mut self.asked {
            Some((done, asked)) if !s.docs.is_empty() && *done <= docs => (done, asked),
            slot => {
                let (done, asked) = slot.insert((0, decide::asked_for(incoming, ids, now)));
                (done, asked)
            }
        };
        for d in &self.snap.docs[*done..] {
            decide::add_asked_by(asked, d, now);
        }
        *done = docs;
        needs(decide::not_yet_read(asked.clone(), &self.snap))
    }

    fn update(&mut self, s: &Snapshot) -> Result<&decide::Snapshot, StoreError> {
        // The store appends to one snapshot, which starts empty; a decision
        // asked again after a rollback starts over on a fresh one.
        if s.docs.len() < self.snap.docs.len() || s.docs.is_empty() {
            self.snap.docs.clear();
        }
        for row in &s.docs[self.snap.docs.len()..] {
            let doc = match self.cache.get(row) {
                Some(doc) => doc,
                None => {
                    let doc = Arc::new(to_doc(row)?);
                    self.cache.put(&doc, &row.body);
                    doc
                }
            };
            self.snap.docs.push(doc);
        }
        self.snap.quota.clone_from(&s.quota);
        self.snap.counters.clone_from(&s.counters);
        Ok(&self.snap)
    }
}

/// Documents parsed lately, by id, each with the stored JSON it stands for.
///
/// A decision reads the documents its message relates to, and those are
/// mostly ones written a moment before (the order, payment, waybill and
/// list of one import arrive together). Parsing their JSON again was about
/// 4 % of the SQLite writer's time. An entry is used only while the
/// stored body is byte for byte the one it was parsed from or written as,
/// so a rolled-back write, another process's write or an eviction can only
/// cost a parse, never give a stale document. Two generations bound the
/// memory: when the newer is full it becomes the older, and the older is
/// dropped.
#[derive(Default)]
pub(crate) struct DocCache {
    generations: std::sync::Mutex<[Generation; 2]>,
}

/// Parsed documents by id, each with its stored JSON.
type Generation = std::collections::HashMap<String, (String, Arc<Doc>)>;

/// Documents in one generation of the [`DocCache`].
const DOC_CACHE_GENERATION: usize = 2048;

impl DocCache {
    fn get(&self, row: &DocRow) -> Option<Arc<Doc>> {
        let g = self.generations.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        g.iter().find_map(|m| m.get(&row.id)).filter(|(body, _)| *body == row.body).map(|(_, doc)| doc.clone())
    }

    fn put(&self, doc: &Arc<Doc>, body: &str) {
        let mut g = self.generations.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if g[0].len() >= DOC_CACHE_GENERATION && !g[0].contains_key(&doc.id) {
            g[1] = std::mem::take(&mut g[0]);
        }
        g[0].insert(doc.id.clone(), (body.to_string(), doc.clone()));
    }
}

fn needs(n: decide::Needs) -> Needs {
    Needs { keys: n.keys, ids: n.ids, quota: n.quota, counters: n.counters }
}

/// The receipt keys of a document.
pub fn receipt_keys(guid: &str, facts: &Facts) -> ReceiptKeys {
    let mut k = ReceiptKeys { guid: guid.to_string(), ..ReceiptKeys::default() };
    let s = |v: &str| (!v.is_empty()).then(|| v.to_string());
    match facts {
        Facts::Order(o) => {
            k.ebp_code = s(&o.ebp_code);
            k.ebc_code = s(&o.ebc_code);
            k.order_no = s(&o.order_no);
        }
        Facts::Payment(p) => {
            k.pay_code = s(&p.pay_code);
            k.pay_transaction_id = s(&p.pay_transaction_id);
            k.order_no = s(&p.order_no);
            k.ebp_code = s(&p.ebp_code);
        }
        Facts::Waybill(w) => {
            k.logistics_code = s(&w.logistics_code);
            k.logistics_no = s(&w.logistics_no);
            k.order_no = s(&w.order_no);
        }
        Facts::List(l) => {
            k.customs_code = s(&l.customs_code);
            k.ebp_code = s(&l.ebp_code);
            k.ebc_code = s(&l.ebc_code);
            k.agent_code = s(&l.agent_code);
            k.order_no = s(&l.order_no);
            k.logistics_code = s(&l.logistics_code);
            k.logistics_no = s(&l.logistics_no);
            k.pre_no = l.pre_no.clone();
            k.cop_no = l.cop_no.clone().or_else(|| l.pre_no.clone());
            k.invt_no = l.invt_no.clone();
        }
        Facts::Cancel(c) => {
            k.customs_code = s(&c.customs_code);
            k.ebp_code = s(&c.ebp_code);
            k.ebc_code = s(&c.ebc_code);
            k.agent_code = s(&c.agent_code);
            k.order_no = s(&c.order_no);
            k.logistics_code = s(&c.logistics_code);
            k.logistics_no = s(&c.logistics_no);
            k.pre_no = c.pre_no.clone();
            k.cop_no = c.cop_no.clone().or_else(|| c.pre_no.clone());
            k.invt_no = s(&c.invt_no);
        }
        Facts::ExportOrder(o) => {
            k.ebp_code = s(&o.ebp_code);
            k.ebc_code = s(&o.ebc_code);
            k.order_no = s(&o.order_no);
        }
        Facts::Collection(c) => {
            k.ebp_code = s(&c.ebp_code);
            k.ebc_code = s(&c.ebc_code);
            k.order_no = s(&c.order_no);
            k.pay_code = c.pay_code.clone();
            k.pay_no = c.pay_no.clone();
        }
        Facts::ExportWaybill(w) => {
            k.logistics_code = s(&w.logistics_code);
            k.logistics_no = s(&w.logistics_no);
        }
        Facts::ExportList(l) => {
            k.customs_code = s(&l.customs_code);
            k.ebp_code = s(&l.ebp_code);
            k.ebc_code = s(&l.ebc_code);
            k.agent_code = s(&l.agent_code);
            k.order_no = s(&l.order_no);
            k.logistics_code = s(&l.logistics_code);
            k.logistics_no = s(&l.logistics_no);
            k.cop_no = s(&l.cop_no);
            k.pre_no = l.pre_no.clone();
            k.invt_no = l.invt_no.clone();
            k.statistics_flag = s(&l.statistics_flag);
        }
        Facts::Arrival(m) | Facts::Departure(m) => {
            k.operator_code = m.operator_code.clone();
            k.logistics_code = s(&m.logistics_code);
            k.cop_no = s(&m.cop_no);
            k.pre_no = m.pre_no.clone();
            k.msg_seq_no = Some(m.msg_seq_no);
        }
        Facts::ExportRefund(r) => {
            k.ebp_code = s(&r.ebp_code);
            k.ebc_code = s(&r.ebc_code);
            k.agent_code = s(&r.agent_code);
            k.co_el_no = s(&r.co_el_no);
            k.cop_no = s(&r.co_el_no);
            k.pre_no = r.pre_no.clone();
            k.invt_no = s(&r.invt_no);
        }
        Facts::DeclarationForm(f) => {
            k.ebc_code = s(&f.ebc_code);
            k.ebp_code = s(&f.ebp_code);
            k.order_no = s(&f.order_no);
        }
        Facts::BillLink(b) => {
            k.agent_code = s(&b.agent_code);
            k.logistics_code = s(&b.logistics_code);
            k.cop_no = s(&b.cop_no);
            k.pre_no = b.pre_no.clone();
            k.bill_no = s(&b.bill_no);
            k.msg_seq_no = Some(b.msg_seq_no);
        }
        Facts::ExportTally(t) => {
            k.operator_code = s(&t.operator_code);
            k.logistics_code = s(&t.logistics_code);
            k.logistics_no = s(&t.logistics_no);
            k.co_el_no = s(&t.co_el_no);
            k.cop_no = s(&t.co_el_no);
            k.pre_no = t.pre_no.clone();
        }
        Facts::Summary(m) => {
            k.customs_code = s(&m.customs_code);
            k.agent_code = s(&m.agent_code);
            k.ebc_code = s(&m.ebc_code);
            k.cop_no = s(&m.cop_no);
            k.pre_no = m.pre_no.clone();
            k.sum_no = m.sum_no.clone();
            k.msg_seq_no = Some(m.msg_seq_no);
        }
        Facts::ExportCancel(c) => {
            k.customs_code = s(&c.customs_code);
            k.ebc_code = s(&c.ebc_code);
            k.agent_code = s(&c.agent_code);
            k.cop_no = s(&c.cop_no);
            k.pre_no = c.pre_no.clone();
            k.invt_no = s(&c.invt_no);
        }
        Facts::Refund(r) => {
            k.customs_code = s(&r.customs_code);
            k.ebp_code = s(&r.ebp_code);
            k.ebc_code = s(&r.ebc_code);
            k.agent_code = s(&r.agent_code);
            k.order_no = s(&r.order_no);
            k.logistics_code = s(&r.logistics_code);
            k.logistics_no = s(&r.logistics_no);
            k.pre_no = r.pre_no.clone();
            k.cop_no = r.cop_no.clone().or_else(|| r.pre_no.clone());
            k.invt_no = s(&r.invt_no);
        }
    }
    k
}

fn receipt_type(kind: Kind) -> Result<ReceiptType, StoreError> {
    ReceiptType::for_message(kind.message_type()).ok_or_else(|| backend(format!("no receipt answers {}", kind.name())))
}

fn item(r: &Receipt, time: &ReturnTime) -> ReceiptItem {
    let info =
        if r.return_info.trim().is_empty() { format!("status {}", r.return_status) } else { r.return_info.clone() };
    ReceiptItem {
        keys: receipt_keys(&r.guid, &r.facts),
        return_status: r.return_status.clone(),
        return_time: time.clone(),
        return_info: info,
    }
}

fn render(kind: ReceiptType, items: &[ReceiptItem]) -> Result<String, StoreError> {
    let message = cbec_receipts::receipt_message(kind, items)
        .map_err(|e| backend(format!("the {} receipt cannot be written: {e}", kind.root())))?;
    Ok(cbec_ceb::encode(&message))
}

fn tax_bill(t: &TaxBill, time: &ReturnTime) -> Result<String, StoreError> {
    let a = &t.assessment;
    let l = &t.list;
    let s = |v: &str| (!v.is_empty()).then(|| v.to_string());
    let bill = cbec_receipts::TaxBill {
        head: cbec_receipts::TaxBillHead {
            guid: fresh_guid(),
            return_time: time.clone(),
            invt_no: l.invt_no.clone().unwrap_or_default(),
            tax_no: t.tax_no.clone(),
            customs_tax: a.customs_tax,
            value_added_tax: a.value_added_tax,
            consumption_tax: a.consumption_tax,
            status: cbec_receipts::TaxBillStatus::Generated,
            ent_duty_no: None,
            note: None,
            assure_code: s(&l.assure_code),
            ebc_code: s(&l.ebc_code),
            logistics_code: s(&l.logistics_code),
            agent_code: s(&l.agent_code),
            customs_code: s(&l.customs_code),
        },
        items: a
            .items
            .iter()
            .map(|i| cbec_receipts::TaxBillItem {
                gnum: u32::try_from(i.gnum).unwrap_or(0),
                gcode: i.gcode.clone(),
                tax_price: i.tax_price,
                customs_tax: i.customs_tax,
                value_added_tax: i.value_added_tax,
                consumption_tax: i.consumption_tax,
            })
            .collect(),
    };
    let message = cbec_receipts::tax_bill_message(&bill)
        .map_err(|e| backend(format!("the CEB816 tax bill cannot be written: {e}")))?;
    Ok(cbec_ceb::encode(&message))
}

/// The `decState` of a summary result: the value of the official sample
/// (the spec leaves the code list to customs).
const DEC_STATE: &str = "A";

/// The CEB792 messages of a summary result, at most
/// [`cbec_receipts::MAX_DECLARATIONS_PER_MESSAGE`] declarations each.
fn summary_results(r: &SummaryResult, time: &ReturnTime) -> Result<Vec<NewReceipt>, StoreError> {
    let mut out = Vec::new();
    for part in r.declarations.chunks(cbec_receipts::MAX_DECLARATIONS_PER_MESSAGE) {
        let doc = cbec_receipts::SummaryResultDoc {
            guid: fresh_guid(),
            apply_guid: r.guid.clone(),
            customs_code: r.customs_code.clone(),
            sum_no: r.sum_no.clone(),
            op_date: time.clone(),
            dec_state: DEC_STATE.into(),
            agent_code: r.agent_code.clone(),
            agent_name: r.agent_name.clone(),
            ebc_code: r.ebc_code.clone(),
            ebc_name: r.ebc_name.clone(),
            decl_agent_code: r.decl_agent_code.clone(),
            decl_agent_name: r.decl_agent_name.clone(),
            declarations: part
                .iter()
                .map(|d| cbec_receipts::SummaryDeclaration {
                    decl_seq_no: d.decl_seq_no.clone(),
                    gross_weight: d.gross_weight,
                    net_weight: d.net_weight,
                    note: Some(d.keys.clone()),
                    lines: d
                        .lines
                        .iter()
                        .map(|l| cbec_receipts::SummaryLine {
                            invt_no: l.invt_no.clone(),
                            logistics_no: l.logistics_no.clone(),
                            gseqno: l.gseqno,
                            gnum: l.gnum,
                            gcode: l.gcode.clone(),
                        })
                        .collect(),
                })
                .collect(),
        };
        let xml = cbec_receipts::summary_result_xml(&doc)
            .map_err(|e| backend(format!("the CEB792 summary result cannot be written: {e}")))?;
        let info = part
            .iter()
            .map(|d| format!("declaration {}: {} item line(s) ({})", d.decl_seq_no, d.lines.len(), d.keys))
            .collect::<Vec<_>>()
            .join("; ");
        out.push(NewReceipt {
            id: new_id(),
            doc_id: Some(r.doc_id.clone()),
            message_type: "CEB792Message".into(),
            return_status: DEC_STATE.into(),
            return_info: format!("summary {}: {info}", r.sum_no),
            business_key: r.sum_no.clone(),
            xml: String::from_utf8(xml).map_err(|e| backend(format!("the CEB792 is not UTF-8: {e}")))?,
            recipients: r.recipients.clone(),
        });
    }
    Ok(out)
}

/// Turns a plan into the store's outcome: rows, moves, quota, rendered
/// receipts and tax bills, and (for a message) the answer to the sender:
/// one receipt message with a return element per receipt of its documents.
///
/// `audit` is the audit entry's action and summary; each document written is
/// remembered, parsed, in `seen`'s cache.
pub(crate) fn outcome(
    plan: Plan,
    seen: &Seen,
    now: i64,
    message_id: Option<&str>,
    answer_for: &[String],
    answer_type: Option<ReceiptType>,
    audit: (&'static str, serde_json::Value),
) -> Result<Outcome, StoreError> {
    let (audit_action, mut summary) = audit;
    let time = return_time(now);
    let mut out = Outcome { audit_action, ..Outcome::default() };
    for d in &plan.docs {
        let fresh = answer_for.contains(&d.id);
        out.docs.push(to_row(d, if fresh { message_id } else { None })?);
        if fresh {
            out.traffic.labels.insert(d.id.clone(), traffic_label(d));
        }
    }
    out.moves = plan
        .moves
        .iter()
        .map(|m| cbec_store::MoveRow {
            doc_id: m.doc_id.clone(),
            from: m.from.map(|s| s.name().to_string()),
            to: m.to.name().to_string(),
            event: m.event.map(|e| e.name().to_string()),
            reason: m.reason.clone(),
        })
        .collect();
    out.quota = plan
        .quota
        .iter()
        .map(|q| cbec_store::QuotaRow {
            doc_id: q.doc_id.clone(),
            key: q.key.clone(),
            fen: q.fen,
            reason: q.reason.clone(),
        })
        .collect();
    out.counters = plan.counters.clone();
    let mut answer_items = Vec::new();
    // The XML of the first receipt answered, when it is of the answer's
    // type: an answer of that one receipt is the same document.
    let mut first_answered = None;
    for r in &plan.receipts {
        let kind = receipt_type(r.kind)?;
        let it = item(r, &time);
        let xml = render(kind, std::slice::from_ref(&it))?;
        if answer_for.contains(&r.doc_id) {
            if answer_items.is_empty() && answer_type == Some(kind) {
                first_answered = Some(xml.clone());
            }
            answer_items.push(it.clone());
        }
        out.receipts.push(NewReceipt {
            id: new_id(),
            doc_id: Some(r.doc_id.clone()),
            message_type: kind.root().to_string(),
            return_status: r.return_status.clone(),
            return_info: it.return_info.clone(),
            business_key: r.facts.business_key(),
            xml,
            recipients: r.recipients.clone(),
        });
    }
    for t in &plan.tax_bills {
        let xml = tax_bill(t, &time)?;
        out.receipts.push(NewReceipt {
            id: new_id(),
            doc_id: Some(t.doc_id.clone()),
            message_type: "CEB816Message".into(),
            return_status: cbec_receipts::TaxBillStatus::Generated.code().to_string(),
            return_info: format!(
                "tax bill {}: duty {}, VAT {}, consumption tax {}",
                t.tax_no, t.assessment.customs_tax, t.assessment.value_added_tax, t.assessment.consumption_tax
            ),
            business_key: t.list.invt_no.clone().unwrap_or_default(),
            xml,
            recipients: t.recipients.clone(),
        });
    }
    for r in &plan.summaries {
        out.receipts.extend(summary_results(r, &time)?);
    }
    if let Some(kind) = answer_type {
        // Every document of a message is answered; a decision that answers
        // none is a bug, refused rather than acknowledged silently.
        if answer_items.is_empty() {
            return Err(backend(format!("the decision issued no {} for the message's documents", kind.root())));
        }
        let response = match first_answered {
            Some(xml) if answer_items.len() == 1 => xml,
            _ => render(kind, &answer_items)?,
        };
        out.response = Some(response.into_bytes());
    }
    if let Some(obj) = summary.as_object_mut() {
        obj.insert(
            "documents".into(),
            json!(
                plan.docs
                    .iter()
                    .map(|d| json!({"id": d.id, "kind": d.kind().name(), "status": d.status.name()}))
                    .collect::<Vec<_>>()
            ),
        );
    }
    out.audit_summary = summary;
    for (d, row) in plan.docs.into_iter().zip(&out.docs) {
        seen.cache.put(&Arc::new(d), &row.body);
    }
    Ok(out)
}

/// The mode and direction of a document, for the hourly traffic
/// statistics of the store.
fn traffic_label(d: &Doc) -> cbec_store::TrafficLabel {
    let mode = match &d.facts {
        Facts::List(l) => l.trade_mode.clone(),
        Facts::ExportList(l) => l.trade_mode.clone(),
        _ => String::new(),
    };
    let import =
        matches!(d.kind(), Kind::Order | Kind::Payment | Kind::Waybill | Kind::List | Kind::Cancel | Kind::Refund);
    cbec_store::TrafficLabel { mode, direction: if import { "import" } else { "export" }.to_string() }
}

/// Milliseconds since a message arrived (its intake latency at decision).
fn since(started: std::time::Instant) -> Option<i64> {
    i64::try_from(started.elapsed().as_millis()).ok()
}

/// Decides the documents of one message.
pub(crate) struct MessageDecider {
    pub incoming: Vec<Incoming>,
    pub ids: Vec<String>,
    pub refusals: Vec<Option<Refusal>>,
    pub cop_code: String,
    pub message_id: String,
    pub message_type: String,
    pub guid: String,
    pub config: Arc<Config>,
    pub now: i64,
    pub seen: Seen,
    /// When the message arrived (for the intake latency).
    pub started: std::time::Instant,
}

impl Decider for MessageDecider {
    fn needs(&mut self, s: &Snapshot) -> Needs {
        self.seen.needs(s, &self.incoming, &[], self.now)
    }

    fn decide(&mut self, s: &Snapshot) -> Result<Outcome, StoreError> {
        let snap = self.seen.update(s)?;
        let plan =
            decide::decide(&self.incoming, &self.ids, &self.refusals, &self.cop_code, snap, &self.config, self.now);
        let summary = json!({"sender": self.cop_code, "guid": self.guid});
        let mut out = outcome(
            plan,
            &self.seen,
            self.now,
            Some(&self.message_id),
            &self.ids,
            ReceiptType::for_message(&self.message_type),
            ("message.receive", summary),
        )?;
        out.traffic.latency_ms = since(self.started);
        Ok(out)
    }
}

/// Answers a message that failed the format check with a CEB900.
pub(crate) struct FormatDecider {
    pub receipt: NewReceipt,
    /// When the message arrived (for the intake latency).
    pub started: std::time::Instant,
}

impl Decider for FormatDecider {
    fn needs(&mut self, _: &Snapshot) -> Needs {
        Needs::default()
    }

    fn decide(&mut self, _: &Snapshot) -> Result<Outcome, StoreError> {
        Ok(Outcome {
            response: Some(self.receipt.xml.clone().into_bytes()),
            receipts: vec![self.receipt.clone()],
            audit_action: "message.refuse",
            audit_summary: json!({"return_status": self.receipt.return_status, "return_info": self.receipt.return_info}),
            traffic: cbec_store::TrafficNote { latency_ms: since(self.started), ..Default::default() },
            ..Outcome::default()
        })
    }
}

/// An officer action on one document.
pub(crate) struct ActDecider {
    pub id: String,
    pub action: Action,
    pub reason: String,
    pub config: Arc<Config>,
    pub now: i64,
    pub seen: Seen,
}

/// What a decision about one stored document reads.
fn needs_of(seen: &mut Seen, s: &Snapshot, id: &str, now: i64) -> Needs {
    seen.needs(s, &[], &[id.to_string()], now)
}

impl Decider for ActDecider {
    fn needs(&mut self, s: &Snapshot) -> Needs {
        needs_of(&mut self.seen, s, &self.id, self.now)
    }

    fn decide(&mut self, s: &Snapshot) -> Result<Outcome, StoreError> {
        let snap = self.seen.update(s)?;
        let plan =
            decide::act(&self.id, self.action, &self.reason, snap, &self.config, self.now).map_err(|e| match e {
                decide::ActError::NotFound(id) => StoreError::NotFound { entity: "document", id },
                decide::ActError::Invalid(m) => StoreError::InvalidState(m),
            })?;
        let summary = json!({"action": self.action, "reason": self.reason});
        outcome(plan, &self.seen, self.now, None, &[], None, ("document.act", summary))
    }
}

/// Customs records a B2B declaration form and links it to its order.
pub(crate) struct FormDecider {
    pub id: String,
    pub form: cbec_clearance::facts::FormFacts,
    pub config: Arc<Config>,
    pub now: i64,
    pub seen: Seen,
}

impl FormDecider {
    fn incoming(&self) -> Incoming {
        Incoming {
            guid: String::new(),
            app_type: cbec_clearance::facts::AppType::New,
            declared: true,
            note: None,
            facts: Facts::DeclarationForm(self.form.clone()),
        }
    }
}

impl Decider for FormDecider {
    fn needs(&mut self, s: &Snapshot) -> Needs {
        let incoming = [self.incoming()];
        self.seen.needs(s, &incoming, &[], self.now)
    }

    fn decide(&mut self, s: &Snapshot) -> Result<Outcome, StoreError> {
        let snap = self.seen.update(s)?;
        let plan = decide::link_form(&self.form, &self.id, snap, &self.config, self.now).map_err(|e| match e {
            decide::ActError::NotFound(id) => StoreError::NotFound { entity: "document", id },
            decide::ActError::Invalid(m) => StoreError::InvalidState(m),
        })?;
        let summary =
            json!({"entry_id": self.form.entry_id, "order_no": self.form.order_no, "trade_mode": self.form.trade_mode});
        outcome(plan, &self.seen, self.now, None, &[], None, ("declaration_form.link", summary))
    }
}

/// A passed deadline.
pub(crate) struct ExpireDecider {
    pub id: String,
    pub config: Arc<Config>,
    pub now: i64,
    pub seen: Seen,
}

impl Decider for ExpireDecider {
    fn needs(&mut self, s: &Snapshot) -> Needs {
        needs_of(&mut self.seen, s, &self.id, self.now)
    }

    fn decide(&mut self, s: &Snapshot) -> Result<Outcome, StoreError> {
        let snap = self.seen.update(s)?;
        let plan = decide::expire(&self.id, snap, &self.config, self.now);
        outcome(plan, &self.seen, self.now, None, &[], None, ("document.expire", json!({})))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The stored rows of a fresh order and waybill, decided by clearance.
    fn rows() -> Vec<DocRow> {
        let parties = cbec_fixtures::Parties::default();
        let case = cbec_fixtures::import_case(7, cbec_fixtures::ImportMode::DirectPurchase, 1, &parties);
        let messages = case.messages();
        [&messages[0], &messages[2]]
            .into_iter()
            .map(|m| {
                let incoming = cbec_clearance::facts::documents(m).unwrap();
                let ids = vec![new_id()];
                let snapshot = decide::Snapshot::default();
                let plan = decide::decide(&incoming, &ids, &[None], "sender", &snapshot, &Config::default(), 1_000);
                to_row(&plan.docs[0], None).unwrap()
            })
            .collect()
    }

    /// Every document of one import, decided in arrival order (the list
    /// last, so it is accepted with its tax and quota).
    fn import_docs(n: u64) -> Vec<Arc<Doc>> {
        let parties = cbec_fixtures::Parties::default();
        let case = cbec_fixtures::import_case(n, cbec_fixtures::ImportMode::DirectPurchase, 2, &parties);
        let mut snapshot = decide::Snapshot::default();
        for m in case.messages() {
            let incoming = cbec_clearance::facts::documents(&m).unwrap();
            let ids: Vec<String> = incoming.iter().map(|_| new_id()).collect();
            let refusals = vec![None; incoming.len()];
            let plan = decide::decide(&incoming, &ids, &refusals, "sender", &snapshot, &Config::default(), 1_000);
            for d in plan.docs {
                snapshot.docs.retain(|s| s.id != d.id);
                snapshot.docs.push(Arc::new(d));
            }
        }
        snapshot.docs
    }

    /// A cached document stands for its stored JSON only if reading that
    /// JSON gives the same document: the round trip loses nothing (floats
    /// too, such as a risk draw: serde_json's `float_roundtrip`).
    #[test]
    fn a_document_reads_back_as_written() {
        for n in 0..40 {
            let docs = import_docs(n);
            let kinds: Vec<Kind> = docs.iter().map(|d| d.kind()).collect();
            assert_eq!(kinds.len(), 4, "{kinds:?}");
            assert!(docs.iter().any(|d| d.kind() == Kind::List && d.quota_fen > 0), "{docs:?}");
            for d in docs {
                let row = to_row(&d, None).unwrap();
                assert_eq!(to_doc(&row).unwrap(), *d);
            }
        }
    }

    /// The cache gives a document only for the body it was made from, and
    /// forgets the oldest entries once both generations are full.
    #[test]
    fn the_doc_cache_gives_a_document_only_for_its_body() {
        let rows = rows();
        let cache = Arc::new(DocCache::default());
        let doc = Arc::new(to_doc(&rows[0]).unwrap());
        assert!(cache.get(&rows[0]).is_none());
        cache.put(&doc, &rows[0].body);
        assert_eq!(cache.get(&rows[0]).as_deref(), Some(&*doc));
        let mut changed = rows[0].clone();
        changed.body.push(' ');
        assert!(cache.get(&changed).is_none());
        // `Seen` reads through the cache: a cached entry (here deliberately
        // not the parse of its body) is what the decision sees.
        let mut marked = (*doc).clone();
        marked.guid = "FROM-THE-CACHE".into();
        cache.put(&Arc::new(marked), &rows[0].body);
        let mut seen = Seen::new(cache.clone());
        let snapshot = Snapshot { docs: rows[..1].to_vec(), ..Snapshot::default() };
        assert_eq!(seen.update(&snapshot).unwrap().docs[0].guid, "FROM-THE-CACHE");
        // A document parsed on a miss is remembered.
        let mut seen = Seen::new(cache.clone());
        let snapshot = Snapshot { docs: rows.clone(), ..Snapshot::default() };
        seen.update(&snapshot).unwrap();
        assert!(cache.get(&rows[1]).is_some());
        for i in 0..2 * DOC_CACHE_GENERATION {
            let mut other = (*doc).clone();
            other.id = format!("other-{i}");
            cache.put(&Arc::new(other), "{}");
        }
        assert!(cache.get(&rows[0]).is_none() && cache.get(&rows[1]).is_none());
    }

    /// The documents a decision writes are cached under the rows written.
    #[test]
    fn written_documents_are_cached_as_written() {
        let parties = cbec_fixtures::Parties::default();
        let case = cbec_fixtures::import_case(3, cbec_fixtures::ImportMode::DirectPurchase, 1, &parties);
        let incoming = cbec_clearance::facts::documents(&case.messages()[0]).unwrap();
        let ids = vec![new_id()];
        let plan =
            decide::decide(&incoming, &ids, &[None], "sender", &decide::Snapshot::default(), &Config::default(), 1_000);
        let written = plan.docs.clone();
        let seen = Seen::default();
        let out = outcome(plan, &seen, 1_000, Some("m"), &ids, None, ("test", json!({}))).unwrap();
        assert_eq!(out.docs.len(), written.len());
        for (row, doc) in out.docs.iter().zip(&written) {
            assert_eq!(seen.cache.get(row).as_deref(), Some(doc));
        }
    }

    /// Computed a document at a time across the rounds, what a decision
    /// asks for is what `decide::needs` says on the whole snapshot, on a
    /// fresh snapshot (a run again after a rollback) too.
    #[test]
    fn needs_across_rounds_are_the_needs_of_the_snapshot() {
        let parties = cbec_fixtures::Parties::default();
        let case = cbec_fixtures::import_case(11, cbec_fixtures::ImportMode::DirectPurchase, 3, &parties);
        let [_, _, _, list] = case.messages();
        let incoming = cbec_clearance::facts::documents(&list).unwrap();
        let rows: Vec<DocRow> = import_docs(11).iter().map(|d| to_row(d, None).unwrap()).collect();
        let now = 5_000;
        let mut seen = Seen::default();
        for run in 0..2 {
            for k in [0, 1, 2, 4, 4] {
                let snapshot = Snapshot { docs: rows[..k].to_vec(), ..Snapshot::default() };
                let asked = seen.needs(&snapshot, &incoming, &[], now);
                let whole = needs(decide::needs(&incoming, &[], &seen.update(&snapshot).unwrap().clone(), now));
                assert!(!whole.keys.is_empty() && !whole.quota.is_empty(), "run {run}, {k} documents");
                assert_eq!(asked, whole, "run {run}, {k} documents");
            }
        }
    }

    /// A decision asked again after a rollback gets a fresh snapshot, which
    /// may hold other rows: what `Seen` parsed before is dropped.
    #[test]
    fn seen_starts_over_on_a_fresh_snapshot() {
        let rows = rows();
        let snapshot = |docs: &[DocRow]| Snapshot { docs: docs.to_vec(), ..Snapshot::default() };
        let ids = |s: &decide::Snapshot| s.docs.iter().map(|d| d.id.clone()).collect::<Vec<_>>();
        let mut seen = Seen::default();
        assert!(ids(seen.update(&snapshot(&[])).unwrap()).is_empty());
        assert_eq!(ids(seen.update(&snapshot(&rows[..1])).unwrap()), [rows[0].id.clone()]);
        assert_eq!(ids(seen.update(&snapshot(&rows)).unwrap()), [rows[0].id.clone(), rows[1].id.clone()]);
        // Run again: empty first, then only the waybill.
        assert!(ids(seen.update(&snapshot(&[])).unwrap()).is_empty());
        assert_eq!(ids(seen.update(&snapshot(&rows[1..])).unwrap()), [rows[1].id.clone()]);
    }
}
