//! The clearance decision: what happens to the documents of one incoming
//! message, one officer action or one expired deadline, given a
//! [`Snapshot`] of the related stored documents.
//!
//! The storage layer runs a decision inside one serialised transaction in
//! two steps: it asks [`needs`] which documents (by business key or id),
//! quota balances and counters the decision reads, loads them, asks again
//! until nothing new is needed (related documents reveal further keys: a
//! list found through its order names its waybill), and then calls
//! [`decide`] (or [`act`], [`expire`]) and writes the returned [`Plan`]
//! atomically. The functions are pure: the time, the ids of new documents
//! and the configuration are passed in.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use cbec_model::ident::Date8;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::facts::{
    AppType, BillLinkFacts, ExportListFacts, Facts, FormFacts, Incoming, Kind, ListFacts, MovementFacts, RefundItem,
    key,
};
use crate::goods::{Basis, QtyHold, Reference};
use crate::matching::{Mismatch, match_list};
use crate::status::{Event, Status, transition};
use crate::tax::{Assessment, RateTable, assess};

mod summary;
pub use summary::{Declaration, Line, SUMMARISED, SummaryResult};

const DAY_MS: i64 = 24 * 3600 * 1000;

/// How clearance behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long a list waits for its order, payment and waybill before it is
    /// rejected.
    pub pending_deadline_ms: i64,
    /// Release accepted lists at once (no risk hit). Officers then act on
    /// released lists only through inspection; with `false` accepted lists
    /// wait at 120 for an officer.
    pub auto_release: bool,
    /// A logistics enterprise may not reuse a waybill number within this
    /// time (6 months).
    pub waybill_reuse_ms: i64,
    /// A return (CEB625) must be applied for within this time of release.
    pub refund_window_ms: i64,
    /// The returned goods must be back within this time of release.
    pub goods_back_ms: i64,
    /// A transfer from the declaring customs to the exit port must be
    /// closed by departure within this time, or it is flagged to officers.
    pub transfer_deadline_ms: i64,
    pub rates: RateTable,
    /// The goods reference data in force (tariff, positive list, prohibited
    /// goods): every list's goods are checked against it.
    pub goods: Reference,
    /// The risk rule set in force and the active risk warnings.
    pub risk: crate::risk::Risk,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            pending_deadline_ms: DAY_MS,
            auto_release: true,
            waybill_reuse_ms: 183 * DAY_MS,
            refund_window_ms: 30 * DAY_MS,
            goods_back_ms: 45 * DAY_MS,
            transfer_deadline_ms: 3 * DAY_MS,
            rates: RateTable::representative(),
            goods: Reference::builtin(),
            risk: crate::risk::Risk::none(),
        }
    }
}

/// A stored document as decisions see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Doc {
    pub id: String,
    pub guid: String,
    pub status: Status,
    /// The enterprise that sent it (its `copCode`).
    pub sender: String,
    pub facts: Facts,
    pub created_at: i64,
    pub updated_at: i64,
    /// When a waiting document is due (a pending list, a return awaiting
    /// its goods).
    pub deadline: Option<i64>,
    /// When it was released (lists), for the return windows.
    pub released_at: Option<i64>,
    /// The quota amount (fen) it holds, for lists.
    pub quota_fen: i64,
    /// The quota ledger key it was reserved under (the buyer and the year
    /// of acceptance), so a release credits the same year.
    #[serde(default)]
    pub quota_key: Option<String>,
    /// For export lists: `local` (declared and exiting in one customs
    /// district), `transfer` (supervised at the declaring customs, then
    /// transferred to the exit port) or `integrated` (declared at home,
    /// supervised and released at the exit port); set by the arrival.
    #[serde(default)]
    pub route: Option<String>,
    /// Notes for officers (e.g. `transfer overdue`).
    #[serde(default)]
    pub flags: Vec<String>,
    /// Quantities it holds against positive-list annual caps (lists).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qty_holds: Vec<QtyHold>,
    /// The reference data versions its goods were checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
    /// The risk engine's decision (lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<cbec_risk::Decision>,
}

impl Doc {
    pub fn kind(&self) -> Kind {
        self.facts.kind()
    }
}

/// What a decision has read. The documents are shared (a caller may keep
/// parsed documents between decisions); a decision works on its own copies.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub docs: Vec<Arc<Doc>>,
    /// Quota used (fen) by quota key ([`quota_key`]).
    pub quota: BTreeMap<String, i64>,
    /// Current values of named counters (absent = 0).
    pub counters: BTreeMap<String, i64>,
}

/// What a decision wants to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub keys: BTreeSet<String>,
    pub ids: BTreeSet<String>,
    pub quota: BTreeSet<String>,
    pub counters: BTreeSet<String>,
}

impl Needs {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.ids.is_empty() && self.quota.is_empty() && self.counters.is_empty()
    }
}

/// One status change to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Move {
    pub doc_id: String,
    pub from: Option<Status>,
    pub to: Status,
    pub event: Option<Event>,
    pub reason: String,
}

/// One receipt to issue for a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub doc_id: String,
    pub kind: Kind,
    pub guid: String,
    pub facts: Facts,
    /// `returnStatus`: a status code or a negative error code.
    pub return_status: String,
    pub return_info: String,
    /// Every enterprise that receives it: the sender and the parties.
    pub recipients: Vec<String>,
}

/// A CEB816 tax bill to issue for an accepted list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxBill {
    pub doc_id: String,
    pub tax_no: String,
    pub list: ListFacts,
    pub assessment: Assessment,
    pub recipients: Vec<String>,
}

/// A quota ledger movement: positive reserves, negative releases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaMove {
    pub doc_id: String,
    pub key: String,
    pub fen: i64,
    pub reason: String,
}

/// Everything a decision changes, written in one transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// New or changed documents, whole.
    pub docs: Vec<Doc>,
    pub moves: Vec<Move>,
    pub receipts: Vec<Receipt>,
    pub tax_bills: Vec<TaxBill>,
    /// CEB792 summary results to issue.
    pub summaries: Vec<SummaryResult>,
    pub quota: Vec<QuotaMove>,
    /// New values of counters.
    pub counters: BTreeMap<String, i64>,
}

/// A refusal found before the decision (bad signature, party not filed,
/// `copCode` not the sender, …): the document is stored as rejected with
/// this code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub code: i32,
    pub info: String,
}

/// The quota key of a buyer in a calendar year (China time).
pub fn quota_key(buyer_id: &str, now_ms: i64) -> String {
    format!("{buyer_id}|{}", china_year(now_ms))
}

const CHINA_OFFSET_MS: i64 = 8 * 3600 * 1000;

/// The date `YYYYMMDD` in China (UTC+8) at a time (19700101 for a time
/// outside the years 1900 to 9999, which no clock gives).
pub fn china_date(ms: i64) -> String {
    Date8::from_day_number((ms + CHINA_OFFSET_MS).div_euclid(DAY_MS))
        .map_or_else(|| "19700101".to_string(), |d| d.as_str().to_string())
}

/// The calendar year in China (UTC+8) at a time (1970 where
/// [`china_date`] gives 19700101).
pub fn china_year(ms: i64) -> i32 {
    Date8::year_of_day_number((ms + CHINA_OFFSET_MS).div_euclid(DAY_MS))
        .and_then(|y| i32::try_from(y).ok())
        .unwrap_or(1970)
}

/// The time `yyyyMMddhhmmss` in China at a time (the CEB time format).
pub fn china_stamp(ms: i64) -> String {
    let secs = (ms + CHINA_OFFSET_MS).rem_euclid(DAY_MS) / 1000;
    format!("{}{:02}{:02}{:02}", china_date(ms), secs / 3600, secs / 60 % 60, secs % 60)
}

fn to_fen(d: Decimal) -> i64 {
    (d * Decimal::ONE_HUNDRED).round().try_into().unwrap_or(i64::MAX)
}

fn from_fen(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

fn list_counter(l: &ListFacts, now: i64) -> String {
    format!("invt|{}|{}", l.customs_code, china_year(now))
}

fn pre_counter(now: i64) -> String {
    format!("pre|{}", china_date(now))
}

fn tax_counter(l: &ListFacts, now: i64) -> String {
    format!("tax|{}|{}", l.customs_code, china_year(now))
}

/// The counter of an export list's `invtNo` at a customs.
fn export_list_counter(customs_code: &str, now: i64) -> String {
    format!("invt|{customs_code}|{}|E", china_year(now))
}

/// The annual-cap ledger keys a list's goods may count against.
fn qty_needs(n: &mut Needs, l: &ListFacts, now: i64) {
    for item in &l.items {
        n.quota.extend(crate::goods::qty_key_candidates(&l.buyer_id_number, item, china_year(now)));
    }
}

/// What deciding an import list reads: its buyer's quota, the annual caps
/// of its goods and the counters of its numbers.
fn list_needs(n: &mut Needs, l: &ListFacts, now: i64) {
    n.quota.insert(quota_key(&l.buyer_id_number, now));
    qty_needs(n, l, now);
    n.counters.insert(list_counter(l, now));
    n.counters.insert(pre_counter(now));
    n.counters.insert(tax_counter(l, now));
}

/// What a decision over these incoming documents (or these stored ids)
/// reads, given what has been read so far. The caller asks until the
/// answer holds nothing it has not looked up yet.
pub fn needs(incoming: &[Incoming], ids: &[String], snapshot: &Snapshot, now: i64) -> Needs {
    let mut n = asked_for(incoming, ids, now);
    for d in &snapshot.docs {
        add_asked_by(&mut n, d, now);
    }
    not_yet_read(n, snapshot)
}

/// What the incoming documents and stored ids of a decision ask for,
/// whatever has been read (the first part of [`needs`]).
pub fn asked_for(incoming: &[Incoming], ids: &[String], now: i64) -> Needs {
    let mut n = Needs::default();
    n.ids.extend(ids.iter().cloned());
    for inc in incoming {
        n.keys.extend(inc.facts.wants());
        if inc.facts.pre_no().is_some() {
            n.counters.insert(pre_counter(now));
        }
        if let Facts::ExportList(l) = &inc.facts {
            n.counters.insert(export_list_counter(&l.customs_code, now));
        }
        if let Facts::List(l) = &inc.facts {
            list_needs(&mut n, l, now);
        }
    }
    n
}

/// Adds what a document read asks for in turn (the second part of
/// [`needs`]): it depends on that document alone, so a caller that reads in
/// rounds can add each document once.
pub fn add_asked_by(n: &mut Needs, d: &Doc, now: i64) {
    // A list's release-day key would bring in every list of that day:
    // only a summary window follows it (through `wants`).
    n.keys.extend(d.facts.keys().into_iter().filter(|k| !k.starts_with(key::RELEASED)));
    if d.kind() == Kind::Summary && d.status == Status::Declaring {
        n.keys.extend(d.facts.wants());
    }
    if let Facts::ExportList(l) = &d.facts
        && d.status == Status::Declaring
    {
        n.counters.insert(export_list_counter(&l.customs_code, now));
    }
    if let Facts::List(l) = &d.facts
        && d.status.is_live()
    {
        list_needs(n, l, now);
    }
}

/// Of all that is asked for, what the snapshot does not hold yet (the last
/// part of [`needs`]).
pub fn not_yet_read(mut n: Needs, snapshot: &Snapshot) -> Needs {
    // Keys are asked for again on every round: the store skips the ones it
    // has looked up (a key held by a loaded document may name others too).
    let have_ids: BTreeSet<&str> = snapshot.docs.iter().map(|d| d.id.as_str()).collect();
    n.ids.retain(|i| !have_ids.contains(i.as_str()));
    n.quota.retain(|k| !snapshot.quota.contains_key(k));
    n.counters.retain(|k| !snapshot.counters.contains_key(k));
    n
}

/// A document of a decision's working state: shared with the snapshot
/// until the decision changes it (the first mutable use copies it), so a
/// decision copies only the documents it writes.
#[derive(Debug, Clone)]
struct Slot(Arc<Doc>);

impl Slot {
    fn new(doc: Doc) -> Slot {
        Slot(Arc::new(doc))
    }
}

impl std::ops::Deref for Slot {
    type Target = Doc;
    fn deref(&self) -> &Doc {
        &self.0
    }
}

impl std::ops::DerefMut for Slot {
    fn deref_mut(&mut self) -> &mut Doc {
        Arc::make_mut(&mut self.0)
    }
}

/// The working state of one decision.
struct Work<'a> {
    config: &'a Config,
    now: i64,
    docs: Vec<Slot>,
    quota: BTreeMap<String, i64>,
    counters: BTreeMap<String, i64>,
    plan: Plan,
    changed: BTreeSet<String>,
}

impl<'a> Work<'a> {
    fn new(config: &'a Config, snapshot: &Snapshot, now: i64) -> Work<'a> {
        Work {
            config,
            now,
            docs: snapshot.docs.iter().map(|d| Slot(d.clone())).collect(),
            quota: snapshot.quota.clone(),
            counters: snapshot.counters.clone(),
            plan: Plan::default(),
            changed: BTreeSet::new(),
        }
    }

    fn finish(mut self) -> Plan {
        self.plan.docs =
            self.docs.into_iter().filter(|d| self.changed.contains(&d.id)).map(|d| Arc::unwrap_or_clone(d.0)).collect();
        self.plan
    }

    fn index(&self, id: &str) -> Option<usize> {
        self.docs.iter().position(|d| d.id == id)
    }

    /// The live document of a kind holding a key (the most recent one).
    fn live(&self, kind: Kind, key: &str, except: &str) -> Option<usize> {
        self.docs
            .iter()
            .enumerate()
            .filter(|(_, d)| d.id != except && d.kind() == kind && d.status.is_live())
            .filter(|(_, d)| d.facts.keys().iter().any(|k| k == key))
            .max_by_key(|(_, d)| d.created_at)
            .map(|(i, _)| i)
    }

    fn next(&mut self, counter: String) -> i64 {
        let v = self.counters.get(&counter).copied().unwrap_or(0) + 1;
        self.counters.insert(counter.clone(), v);
        self.plan.counters.insert(counter, v);
        v
    }

    fn recipients(&self, doc: &Doc) -> Vec<String> {
        let mut r = vec![doc.sender.clone()];
        for (_, code) in doc.facts.parties() {
            if !r.contains(&code) {
                r.push(code);
            }
        }
        r
    }

    fn receipt(&mut self, i: usize, return_status: String, info: String) {
        let d = &self.docs[i];
        let recipients = self.recipients(d);
        self.plan.receipts.push(Receipt {
            doc_id: d.id.clone(),
            kind: d.kind(),
            guid: d.guid.clone(),
            facts: d.facts.clone(),
            return_status,
            return_info: info,
            recipients,
        });
    }

    /// Moves a document, records the move and issues its receipt (when the
    /// status has a code).
    fn go(&mut self, i: usize, event: Event, to: Status, reason: String) -> Result<(), String> {
        let from = self.docs[i].status;
        transition(event, from, to).map_err(|e| e.to_string())?;
        self.set(i, Some(from), to, Some(event), reason.clone());
        if let Some(code) = to.return_status() {
            self.receipt(i, code.as_str().into_owned(), reason);
        }
        Ok(())
    }

    fn set(&mut self, i: usize, from: Option<Status>, to: Status, event: Option<Event>, reason: String) {
        let now = self.now;
        let d = &mut self.docs[i];
        d.status = to;
        d.updated_at = now;
        if to == Status::Released {
            d.released_at = Some(now);
            if let Facts::ExportList(l) = &mut d.facts {
                l.released_on = Some(china_date(now));
            }
        }
        if to != Status::Declaring && d.kind().is_list() && d.flags.is_empty() || to.is_final() {
            d.deadline = None;
        }
        let id = d.id.clone();
        self.changed.insert(id.clone());
        self.plan.moves.push(Move { doc_id: id, from, to, event, reason });
    }

    /// Stores a new document with its first status and receipt.
    fn create(&mut self, id: &str, inc: &Incoming, sender: &str, status: Status, code: String, info: String) -> usize {
        let mut facts = inc.facts.clone();
        let needs_pre_no = facts.pre_no_mut().is_some_and(|p| p.is_none());
        if needs_pre_no {
            let n = self.next(pre_counter(self.now));
            if let Some(p) = facts.pre_no_mut() {
                *p = Some(format!("B{}{:09}", china_date(self.now), n));
            }
        }
        self.docs.push(Slot::new(Doc {
            id: id.to_string(),
            guid: inc.guid.clone(),
            status,
            sender: sender.to_string(),
            facts,
            created_at: self.now,
            updated_at: self.now,
            deadline: None,
            released_at: None,
            quota_fen: 0,
            quota_key: None,
            route: None,
            flags: Vec::new(),
            qty_holds: Vec::new(),
            basis: None,
            risk: None,
        }));
        let i = self.docs.len() - 1;
        self.changed.insert(id.to_string());
        self.plan.moves.push(Move {
            doc_id: id.to_string(),
            from: None,
            to: status,
            event: None,
            reason: info.clone(),
        });
        self.receipt(i, code, info);
        i
    }

    /// Rejects a document with a coded `returnStatus` (rather than 100).
    fn refuse_coded(&mut self, i: usize, code: i32, info: String) {
        let from = self.docs[i].status;
        if transition(Event::Refused, from, Status::Rejected).is_ok() {
            self.set(i, Some(from), Status::Rejected, Some(Event::Refused), info.clone());
            self.receipt(i, code.to_string(), info);
        }
    }

    /// Gives back a share (`num / den`) of each annual-cap hold of a list,
    /// or of the holds of the items `gnums` only.
    fn release_qty(&mut self, i: usize, share: impl Fn(i32) -> Option<(Decimal, Decimal)>, reason: &str) {
        let mut holds = std::mem::take(&mut self.docs[i].qty_holds);
        for h in holds.iter_mut() {
            let Some((num, den)) = share(h.gnum) else { continue };
            if den.is_zero() || h.milli <= 0 {
                continue;
            }
            let back = (Decimal::from(h.milli) * num / den).round();
            let back = i64::try_from(back).unwrap_or(0).clamp(0, h.milli);
            if back == 0 {
                continue;
            }
            h.milli -= back;
            *self.quota.entry(h.key.clone()).or_default() -= back;
            let doc_id = self.docs[i].id.clone();
            self.plan.quota.push(QuotaMove { doc_id, key: h.key.clone(), fen: -back, reason: reason.to_string() });
        }
        holds.retain(|h| h.milli > 0);
        self.docs[i].qty_holds = holds;
        self.changed.insert(self.docs[i].id.clone());
    }

    fn refuse_new(&mut self, id: &str, inc: &Incoming, sender: &str, code: i32, info: String) {
        self.create(id, inc, sender, Status::Rejected, code.to_string(), info);
    }

    fn release_quota(&mut self, i: usize, fen: i64, reason: &str) {
        if fen <= 0 {
            return;
        }
        let Facts::List(l) = &self.docs[i].facts else { return };
        let key =
            self.docs[i].quota_key.clone().unwrap_or_else(|| quota_key(&l.buyer_id_number, self.docs[i].created_at));
        let fen = fen.min(self.docs[i].quota_fen);
        if fen == 0 {
            return;
        }
        *self.quota.entry(key.clone()).or_default() -= fen;
        self.docs[i].quota_fen -= fen;
        self.changed.insert(self.docs[i].id.clone());
        self.plan.quota.push(QuotaMove { doc_id: self.docs[i].id.clone(), key, fen: -fen, reason: reason.to_string() });
    }
}

/// Decides the documents of one incoming message from `sender`. `ids` has
/// one fresh id per incoming document; `refusals` one entry per document
/// (a refusal found before the decision, or `None`).
pub fn decide(
    incoming: &[Incoming],
    ids: &[String],
    refusals: &[Option<Refusal>],
    sender: &str,
    snapshot: &Snapshot,
    config: &Config,
    now: i64,
) -> Plan {
    let mut w = Work::new(config, snapshot, now);
    for (n, inc) in incoming.iter().enumerate() {
        let Some(id) = ids.get(n) else { break };
        if let Some(Some(r)) = refusals.get(n) {
            w.refuse_new(id, inc, sender, r.code, r.info.clone());
            continue;
        }
        if !inc.declared {
            let info = "appStatus 1 (temporary save) is not a declaration: send appStatus 2 to declare".to_string();
            w.create(id, inc, sender, Status::Rejected, Status::Rejected.code(), info);
            continue;
        }
        match inc.facts.kind() {
            Kind::Order
            | Kind::Payment
            | Kind::Waybill
            | Kind::ExportOrder
            | Kind::Collection
            | Kind::ExportWaybill => take_voucher(&mut w, id, inc, sender),
            Kind::List | Kind::ExportList => take_list(&mut w, id, inc, sender),
            Kind::Cancel => take_cancel(&mut w, id, inc, sender),
            Kind::ExportCancel => take_export_cancel(&mut w, id, inc, sender),
            Kind::Arrival => take_arrival(&mut w, id, inc, sender),
            Kind::Departure => take_departure(&mut w, id, inc, sender),
            Kind::ExportRefund => take_export_refund(&mut w, id, inc, sender),
            Kind::Summary => summary::take_summary(&mut w, id, inc, sender),
            Kind::ExportTally => take_export_tally(&mut w, id, inc, sender),
            Kind::BillLink => take_bill_link(&mut w, id, inc, sender),
            // Not a CEB message: recorded by customs through `link_form`.
            Kind::DeclarationForm => {}
            Kind::Refund => take_refund(&mut w, id, inc, sender),
        }
    }
    w.finish()
}

/// The key that identifies a voucher (order, payment, waybill) for
/// duplicates and changes, and the codes of its errors: (duplicate, not
/// found, locked by a list).
fn voucher_identity(f: &Facts) -> (String, i32, i32, i32) {
    match f {
        Facts::Order(o) => (key::order(&o.ebp_code, &o.order_no), -301010, -301001, -301011),
        Facts::Payment(p) => (key::payment(&p.pay_code, &p.pay_transaction_id), -401010, -401001, -401011),
        Facts::Waybill(w) => (key::waybill(&w.logistics_code, &w.logistics_no), -504010, -504001, -504011),
        Facts::ExportOrder(o) => (key::export_order(&o.ebp_code, &o.order_no), -301010, -301001, -301011),
        Facts::Collection(c) => (key::export_order(&c.ebp_code, &c.order_no), -401010, -401001, -401011),
        Facts::ExportWaybill(w) => (key::export_waybill(&w.logistics_code, &w.logistics_no), -504010, -504001, -504011),
        _ => (String::new(), 0, 0, 0),
    }
}

fn describe_identity(f: &Facts) -> String {
    match f {
        Facts::Order(o) => format!("order {} of platform {}", o.order_no, o.ebp_code),
        Facts::Payment(p) => format!("payment {} of payment enterprise {}", p.pay_transaction_id, p.pay_code),
        Facts::Waybill(w) => format!("waybill {} of logistics enterprise {}", w.logistics_no, w.logistics_code),
        Facts::List(l) => format!("list for order {} of platform {}", l.order_no, l.ebp_code),
        Facts::Cancel(c) => format!("cancellation of list {}", c.invt_no),
        Facts::Refund(r) => format!("return of list {}", r.invt_no),
        Facts::ExportOrder(o) => format!("export order {} of platform {}", o.order_no, o.ebp_code),
        Facts::Collection(c) => format!("receipt of payment for order {} of platform {}", c.order_no, c.ebp_code),
        Facts::ExportWaybill(w) => {
            format!("export waybill {} of logistics enterprise {}", w.logistics_no, w.logistics_code)
        }
        Facts::ExportList(l) => format!("export list for order {} of platform {}", l.order_no, l.ebp_code),
        Facts::ExportCancel(c) => format!("cancellation of export list {}", c.invt_no),
        Facts::Arrival(m) => format!("arrival {} at customs {}", m.cop_no, m.customs_code),
        Facts::Departure(m) => format!("departure {} at customs {}", m.cop_no, m.customs_code),
        Facts::ExportRefund(r) => format!("return of export list {}", r.invt_no),
        Facts::Summary(s) => format!("summary application {} of agent {}", s.cop_no, s.agent_code),
        Facts::ExportTally(t) => format!("tally of return {} (waybill {})", t.co_el_no, t.logistics_no),
        Facts::DeclarationForm(f) => format!("declaration form {} for order {}", f.entry_id, f.order_no),
        Facts::BillLink(b) => {
            format!("bill link {} (bill {}) part {}/{}", b.cop_no, b.bill_no, b.msg_seq_no, b.msg_count)
        }
    }
}

/// The live list declared against a voucher, if any.
fn list_of(w: &Work, voucher: &Doc) -> Option<usize> {
    let keys = voucher.facts.keys();
    let order_key = match &voucher.facts {
        Facts::Order(o) => Some(key::order(&o.ebp_code, &o.order_no)),
        Facts::Payment(p) => Some(key::order(&p.ebp_code, &p.order_no)),
        Facts::ExportOrder(o) => Some(key::export_order(&o.ebp_code, &o.order_no)),
        Facts::Collection(c) => Some(key::export_order(&c.ebp_code, &c.order_no)),
        _ => None,
    };
    w.docs.iter().position(|d| {
        d.kind().is_list()
            && d.status.is_live()
            && d.facts.keys().iter().any(|k| keys.contains(k) || order_key.as_deref() == Some(k.as_str()))
    })
}

fn take_voucher(w: &mut Work, id: &str, inc: &Incoming, sender: &str) {
    let (identity, dup, missing, locked) = voucher_identity(&inc.facts);
    let what = describe_identity(&inc.facts);
    let existing = w.live(inc.facts.kind(), &identity, id);
    // A waybill number may be reused by its logistics enterprise after 6 months.
    let existing = existing
        .filter(|&i| inc.facts.kind() != Kind::Waybill || w.now - w.docs[i].created_at < w.config.waybill_reuse_ms);
    match inc.app_type {
        AppType::New => {
            if let Some(i) = existing {
                let info = format!("{what} already exists (guid {}); send appType 2 to change it", w.docs[i].guid);
                w.refuse_new(id, inc, sender, dup, info);
                return;
            }
            let info = format!("新增申报成功[{}]", inc.guid);
            w.create(id, inc, sender, Status::Accepted, Status::Accepted.code(), info);
            reevaluate_lists(w);
        }
        AppType::Change | AppType::Delete => {
            let Some(i) = existing else {
                let info = format!("{what} does not exist: send appType 1 to declare it");
                w.refuse_new(id, inc, sender, missing, info);
                return;
            };
            if let Some(l) = list_of(w, &w.docs[i]) {
                let info = format!(
                    "{what} has a declared list (status {}), so it cannot be changed or deleted; cancel the list first",
                    w.docs[l].status.code()
                );
                w.refuse_new(id, inc, sender, locked, info);
                return;
            }
            if w.docs[i].sender != sender {
                let info = format!("{what} was declared by {}, not by {sender}", w.docs[i].sender);
                w.refuse_new(id, inc, sender, missing, info);
                return;
            }
            if inc.app_type == AppType::Change {
                w.docs[i].facts = inc.facts.clone();
                w.docs[i].guid = inc.guid.clone();
                w.docs[i].updated_at = w.now;
                w.changed.insert(w.docs[i].id.clone());
                let info = format!("变更申报成功[{}]", inc.guid);
                w.plan.moves.push(Move {
                    doc_id: w.docs[i].id.clone(),
                    from: Some(w.docs[i].status),
                    to: w.docs[i].status,
                    event: None,
                    reason: info.clone(),
                });
                w.receipt(i, Status::Accepted.code(), info);
                reevaluate_lists(w);
            } else {
                let info = format!("删除申报成功[{}]", inc.guid);
                let from = w.docs[i].status;
                w.set(i, Some(from), Status::Cancelled, Some(Event::Cancel), info.clone());
                w.receipt(i, Status::Accepted.code(), info);
            }
        }
    }
}

fn take_list(w: &mut Work, id: &str, inc: &Incoming, sender: &str) {
    let (kind, order_key) = match &inc.facts {
        Facts::List(l) => (Kind::List, key::order(&l.ebp_code, &l.order_no)),
        Facts::ExportList(l) => (Kind::ExportList, key::export_order(&l.ebp_code, &l.order_no)),
        _ => return,
    };
    let what = describe_identity(&inc.facts);
    let existing = w
        .docs
        .iter()
        .position(|d| d.id != id && d.kind() == kind && d.status.is_live() && d.facts.keys().contains(&order_key));
    match inc.app_type {
        AppType::New => {
            if let Some(i) = existing {
                let info = format!(
                    "{what} already exists (status {}, guid {}); a list that waits may be changed with appType 2",
                    w.docs[i].status.code(),
                    w.docs[i].guid
                );
                w.refuse_new(id, inc, sender, -621001, info);
                return;
            }
            let i = w.create(id, inc, sender, Status::Declaring, String::new(), String::new());
            // The creation receipt is replaced by the evaluation's.
            w.plan.receipts.pop();
            evaluate_list(w, i, true);
        }
        AppType::Change | AppType::Delete => {
            let Some(i) = existing else {
                let info = format!("{what} does not exist: send appType 1 to declare it");
                w.refuse_new(id, inc, sender, -621002, info);
                return;
            };
            if w.docs[i].status != Status::Declaring {
                let info = format!(
                    "{what} is in status {} and can no longer be changed or deleted; use a cancellation (CEB623)",
                    w.docs[i].status.code()
                );
                w.refuse_new(id, inc, sender, -621003, info);
                return;
            }
            if inc.app_type == AppType::Change {
                let mut facts = inc.facts.clone();
                let kept = w.docs[i].facts.pre_no_mut().and_then(|p| p.clone());
                if let Some(p) = facts.pre_no_mut()
                    && p.is_none()
                {
                    *p = kept;
                }
                w.docs[i].facts = facts;
                w.docs[i].guid = inc.guid.clone();
                w.docs[i].updated_at = w.now;
                w.changed.insert(w.docs[i].id.clone());
                evaluate_list(w, i, true);
            } else {
                let info = format!("删除申报成功[{}]", inc.guid);
                let _ = w.go(i, Event::Cancel, Status::Cancelled, info.clone());
                w.receipt(i, Status::Accepted.code(), info);
            }
        }
    }
}

/// Lists waiting in the snapshot get another look after a voucher arrived.
fn reevaluate_lists(w: &mut Work) {
    let waiting: Vec<usize> =
        (0..w.docs.len()).filter(|&i| w.docs[i].kind().is_list() && w.docs[i].status == Status::Declaring).collect();
    for i in waiting {
        evaluate_list(w, i, false);
    }
}

/// The order, payment and waybill a list links to (live ones).
fn vouchers(w: &Work, l: &ListFacts) -> (Option<usize>, Option<usize>, Option<usize>) {
    let order_key = key::order(&l.ebp_code, &l.order_no);
    let order = w.live(Kind::Order, &order_key, "");
    let payment = w.live(Kind::Payment, &order_key, "");
    let waybill = w.live(Kind::Waybill, &key::waybill(&l.logistics_code, &l.logistics_no), "");
    (order, payment, waybill)
}

fn missing_names(o: Option<usize>, p: Option<usize>, b: Option<usize>, l: &ListFacts) -> Vec<String> {
    let mut m = Vec::new();
    if o.is_none() {
        m.push(format!("order (CEB311) {} of platform {}", l.order_no, l.ebp_code));
    }
    if p.is_none() {
        m.push(format!("payment (CEB411) for order {} of platform {}", l.order_no, l.ebp_code));
    }
    if b.is_none() {
        m.push(format!("waybill (CEB511) {} of logistics enterprise {}", l.logistics_no, l.logistics_code));
    }
    m
}

/// Matches a waiting list, and accepts or refuses it when its documents
/// are all there. `fresh`: the list itself just arrived (it gets a receipt
/// even while it keeps waiting).
fn evaluate_list(w: &mut Work, i: usize, fresh: bool) {
    let l = match &w.docs[i].facts {
        Facts::ExportList(l) => {
            let l = l.clone();
            evaluate_export_list(w, i, fresh, &l);
            return;
        }
        Facts::List(l) => l.clone(),
        _ => return,
    };
    let (o, p, b) = vouchers(w, &l);
    let (Some(o), Some(p), Some(b)) = (o, p, b) else {
        if fresh {
            let missing = missing_names(o, p, b, &l);
            let deadline = w.now + w.config.pending_deadline_ms;
            w.docs[i].deadline = Some(deadline);
            let info = format!("申报成功, waiting for: {}", missing.join("; "));
            w.receipt(i, Status::Declaring.code(), info);
        }
        return;
    };
    let (Facts::Order(of), Facts::Payment(pf), Facts::Waybill(bf)) =
        (&w.docs[o].facts, &w.docs[p].facts, &w.docs[b].facts)
    else {
        return;
    };
    let mismatches = match_list(&l, of, pf, bf);
    if !mismatches.is_empty() {
        let info = mismatch_info(&mismatches);
        let _ = w.go(i, Event::Refused, Status::Rejected, info);
        return;
    }
    let Some(cap_uses) = import_goods_pass(w, i, &l) else { return };
    let mut subject = crate::risk::import_subject(&w.docs[i].id, &l);
    if let Facts::Waybill(bf) = &w.docs[b].facts {
        subject.consignee_address.clone_from(&bf.consignee_address);
    }
    let Some(decision) = risk_pass(w, i, subject, false) else { return };
    let qkey = quota_key(&l.buyer_id_number, w.now);
    let used = w.quota.get(&qkey).copied().unwrap_or(0);
    let assessment = match assess(&l, from_fen(used), &w.config.rates) {
        Ok(a) => a,
        Err(e) => {
            w.refuse_coded(i, e.code(), e.describe());
            return;
        }
    };
    // Accepted: numbers, quota, tax bill, receipts.
    let mut facts = l.clone();
    if facts.invt_no.is_none() {
        let n = w.next(list_counter(&l, w.now));
        facts.invt_no =
            Some(format!("{}{}I{:09}", &l.customs_code[..l.customs_code.len().min(4)], china_year(w.now), n));
    }
    if facts.pre_no.is_none() {
        let n = w.next(pre_counter(w.now));
        facts.pre_no = Some(format!("B{}{:09}", china_date(w.now), n));
    }
    w.docs[i].facts = Facts::List(facts.clone());
    let fen = to_fen(assessment.value);
    *w.quota.entry(qkey.clone()).or_default() += fen;
    w.docs[i].quota_fen = fen;
    w.docs[i].quota_key = Some(qkey.clone());
    let doc_id = w.docs[i].id.clone();
    w.plan.quota.push(QuotaMove { doc_id: doc_id.clone(), key: qkey, fen, reason: "list accepted".into() });
    for u in cap_uses {
        let key = crate::goods::qty_key(&l.buyer_id_number, &u.line, china_year(w.now));
        *w.quota.entry(key.clone()).or_default() += u.milli;
        let reason = format!("item {} against the annual cap of positive-list line {}", u.gnum, u.line);
        w.plan.quota.push(QuotaMove { doc_id: doc_id.clone(), key: key.clone(), fen: u.milli, reason });
        w.docs[i].qty_holds.push(QtyHold { key, gnum: u.gnum, milli: u.milli });
    }
    let info = format!(
        "入库成功: tax {} CNY (VAT {}, consumption {}, duty {})",
        assessment.total(),
        assessment.value_added_tax,
        assessment.consumption_tax,
        assessment.customs_tax
    );
    let _ = w.go(i, Event::Matched, Status::Accepted, info);
    let tax_no = format!("{}{:010}", china_year(w.now), w.next(tax_counter(&l, w.now)));
    let recipients = w.recipients(&w.docs[i]);
    let forced = facts.sandbox;
    w.plan.tax_bills.push(TaxBill { doc_id, tax_no, list: facts, assessment, recipients });
    if let Some(f) = forced {
        force(w, i, f);
    } else if let Some((event, to, reason)) = crate::risk::lane_move(&decision) {
        let _ = w.go(i, event, to, reason);
    } else if w.config.auto_release {
        let _ = w.go(i, Event::AutoRelease, Status::Released, "放行: released automatically".into());
    }
}

/// The risk engine's decision on a list, recorded on it (with the rule set
/// version); a list refused by an active warning is rejected and `None`.
fn risk_pass(w: &mut Work, i: usize, subject: cbec_risk::Subject, export: bool) -> Option<cbec_risk::Decision> {
    let decision = w.config.risk.evaluate(&subject);
    if let Some(b) = w.docs[i].basis.as_mut() {
        b.rules = Some(decision.rules_version.clone());
    }
    w.docs[i].risk = Some(decision.clone());
    if decision.refused {
        let code = crate::goods::return_status(cbec_model::diag::Code::GoodsRefusedByWarning, export);
        w.refuse_coded(i, code, crate::risk::refusal_info(&decision));
        return None;
    }
    Some(decision)
}

/// The goods checks of an import list (recording the reference versions on
/// it): the annual-cap uses when it passes; otherwise it is rejected with
/// the `returnStatus` of its first finding and `None`.
fn import_goods_pass(w: &mut Work, i: usize, l: &ListFacts) -> Option<Vec<crate::goods::CapUse>> {
    let reference = &w.config.goods;
    w.docs[i].basis = Some(reference.basis());
    let mut findings = crate::goods::import_findings(l, reference);
    let uses = match crate::goods::cap_uses(l, &reference.positive.table) {
        Ok(uses) => uses,
        Err(problems) => {
            findings.extend(problems);
            Vec::new()
        }
    };
    if findings.is_empty() {
        findings = crate::goods::cap_findings(l, &uses, china_year(w.now), |k| w.quota.get(k).copied().unwrap_or(0));
    }
    let Some(first) = findings.first() else { return Some(uses) };
    let code = crate::goods::return_status(first.code, false);
    w.refuse_coded(i, code, crate::goods::findings_info(&findings));
    None
}

/// Applies the outcome a sandbox marker forces on an accepted list.
fn force(w: &mut Work, i: usize, forced: crate::sandbox::Forced) {
    for action in forced.actions() {
        let Some((event, to)) = action.event_and_target() else { return };
        let reason = format!("[sandbox] {} forced by the marker {}", event.name(), forced.marker());
        if w.go(i, event, to, reason).is_err() {
            return;
        }
    }
    w.docs[i].flags.push(format!("sandbox: {}", forced.marker()));
}

/// `returnInfo` for mismatches: one line per field.
pub fn mismatch_info(m: &[Mismatch]) -> String {
    let lines: Vec<String> = m.iter().map(Mismatch::describe).collect();
    format!("three-order mismatch ({}): {}", m.len(), lines.join("; "))
}

fn the_list(w: &Work, invt_no: &str) -> Option<usize> {
    w.live(Kind::List, &key::invt(invt_no), "")
}

fn take_cancel(w: &mut Work, id: &str, inc: &Incoming, sender: &str) {
    let Facts::Cancel(c) = &inc.facts else { return };
    let Some(i) = the_list(w, &c.invt_no) else {
        let info = format!("list {} does not exist or is no longer live", c.invt_no);
        w.refuse_new(id, inc, sender, -623001, info);
        return;
    };
    let Facts::List(l) = &w.docs[i].facts else { return };
    let mut wrong = Vec::new();
    for (field, ours, theirs) in [
        ("orderNo", &c.order_no, &l.order_no),
        ("ebpCode", &c.ebp_code, &l.ebp_code),
        ("ebcCode", &c.ebc_code, &l.ebc_code),
        ("logisticsCode", &c.logistics_code, &l.logistics_code),
        ("logisticsNo", &c.logistics_no, &l.logistics_no),
        ("agentCode", &c.agent_code, &l.agent_code),
    ] {
        if ours != theirs {
            wrong.push(format!("InvtCancel.{field}: expected {theirs} (list {}), found {ours}", c.invt_no));
        }
    }
    if !wrong.is_empty() {
        w.refuse_new(id, inc, sender, -623002, wrong.join("; "));
        return;
    }
    let status = w.docs[i].status;
    if transition(Event::Cancel, status, Status::Cancelled).is_err() {
        let info = format!("list {} is in status {} which does not allow cancellation", c.invt_no, status.code());
        w.refuse_new(id, inc, sender, -623005, info);
        return;
    }
    let reason = format!("cancelled: {}", c.reason);
    let _ = w.go(i, Event::Cancel, Status::Cancelled, reason);
    let fen = w.docs[i].quota_fen;
    w.release_quota(i, fen, "list cancelled");
    w.release_qty(i, |_| Some((Decimal::ONE, Decimal::ONE)), "list cancelled");
    let j = w.create(id, inc, sender, Status::Accepted, String::new(), String::new());
    w.plan.receipts.pop();
    let info = format!("撤销成功: list {} cancelled, quota released", c.invt_no);
    let _ = w.go(j, Event::Conclude, Status::Concluded, info);
}

/// The problems of a return's items (import CEB625 or export CEB213,
/// `kind`) against the original list's items (`gnum`, `gname`, `qty`): an
/// item the list lacks, another name, or a quantity above what the list
/// `carried` ("list", "exported") less what live returns of the list took.
fn returned_item_problems(
    w: &Work,
    kind: Kind,
    invt_no: &str,
    items: &[RefundItem],
    original: &[(i32, &str, Decimal)],
    carried: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    for item in items {
        let Some(&(_, gname, qty)) = original.iter().find(|x| x.0 == item.gnum) else {
            problems.push(format!("InvtRefundList[gnum={}]: the list has no such item", item.gnum));
            continue;
        };
        let taken: Decimal = w
            .docs
            .iter()
            .filter(|d| d.kind() == kind && d.status.is_live())
            .filter_map(|d| match &d.facts {
                Facts::Refund(x) if x.invt_no == invt_no => Some(&x.items),
                Facts::ExportRefund(x) if x.invt_no == invt_no => Some(&x.items),
                _ => None,
            })
            .filter_map(|returned| returned.iter().find(|y| y.gnum == item.gnum).map(|y| y.qty))
            .sum();
        if item.qty <= Decimal::ZERO || item.qty + taken > qty {
            problems.push(format!(
                "InvtRefundList[gnum={}].qty: at most {} ({carried} {} less {} already returned), found {}",
                item.gnum,
                qty - taken,
                qty,
                taken,
                item.qty
            ));
        }
        if item.gname != gname {
            problems
                .push(format!("InvtRefundList[gnum={}].gname: expected {}, found {}", item.gnum, gname, item.gname));
        }
    }
    problems
}

fn take_refund(w: &mut Work, id: &str, inc: &Incoming, sender: &str) {
    let Facts::Refund(r) = &inc.facts else { return };
    let Some(i) = the_list(w, &r.invt_no) else {
        let info = format!("list {} does not exist or is no longer live", r.invt_no);
        w.refuse_new(id, inc, sender, -625001, info);
        return;
    };
    let list = w.docs[i].clone();
    let Facts::List(l) = &list.facts else { return };
    if list.status != Status::Released {
        let info =
            format!("list {} is in status {}; only released lists may be returned", r.invt_no, list.status.code());
        w.refuse_new(id, inc, sender, -625002, info);
        return;
    }
    let released = list.released_at.unwrap_or(list.updated_at);
    if w.now - released > w.config.refund_window_ms {
        let info = format!(
            "the return must be applied for within {} days of release (list {} released {} days ago)",
            w.config.refund_window_ms / DAY_MS,
            r.invt_no,
            (w.now - released) / DAY_MS
        );
        w.refuse_new(id, inc, sender, -625003, info);
        return;
    }
    // Quantities: not above the list's, less what earlier live returns took.
    let original: Vec<(i32, &str, Decimal)> = l.items.iter().map(|x| (x.gnum, x.gname.as_str(), x.qty)).collect();
    let problems = returned_item_problems(w, Kind::Refund, &r.invt_no, &r.items, &original, "list");
    if !problems.is_empty() {
        w.refuse_new(id, inc, sender, -625004, problems.join("; "));
        return;
    }
    let j = w.create(
        id,
        inc,
        sender,
        Status::Accepted,
        Status::Accepted.code(),
        format!("退货申请成功: the goods must be back by day 45 after release of list {}", r.invt_no),
    );
    w.docs[j].deadline = Some(released + w.config.goods_back_ms);
}

/// Officer actions on a stored document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Review,
    Inspect,
    /// Inspection found nothing: release.
    InspectionPassed,
    Release,
    /// With the detention code (501, 502, 503 or 599).
    Detain(u16),
    ReturnGoods,
    Reject,
    Close,
    /// The goods of a return application are back: conclude it and credit
    /// the quota.
    GoodsReturned,
}

impl Action {
    pub fn event_and_target(self) -> Option<(Event, Status)> {
        Some(match self {
            Action::Review => (Event::Review, Status::ManualReview),
            Action::Inspect => (Event::Inspect, Status::Inspection),
            Action::InspectionPassed | Action::Release => (Event::Release, Status::Released),
            Action::Detain(501) => (Event::Detain, Status::DetainedClearance),
            Action::Detain(502) => (Event::Detain, Status::DetainedAntiSmuggling),
            Action::Detain(503) => (Event::Detain, Status::DetainedLegal),
            Action::Detain(599) => (Event::Detain, Status::DetainedOther),
            Action::Detain(_) => return None,
            Action::ReturnGoods => (Event::ReturnGoods, Status::Returned),
            Action::Reject => (Event::Reject, Status::Rejected),
            Action::Close => (Event::Close, Status::Closed),
            Action::GoodsReturned => (Event::Conclude, Status::Concluded),
        })
    }
}

/// Why an officer action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActError {
    #[error("document {0} not found")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
}

/// An officer action on document `id`.
pub fn act(
    id: &str,
    action: Action,
    reason: &str,
    snapshot: &Snapshot,
    config: &Config,
    now: i64,
) -> Result<Plan, ActError> {
    let mut w = Work::new(config, snapshot, now);
    let i = w.index(id).ok_or_else(|| ActError::NotFound(id.to_string()))?;
    let (event, to) = action
        .event_and_target()
        .ok_or_else(|| ActError::Invalid("a detention code is 501, 502, 503 or 599".to_string()))?;
    let kind = w.docs[i].kind();
    let allowed_kind = match action {
        Action::GoodsReturned => kind == Kind::Refund,
        _ => kind == Kind::List,
    };
    if !allowed_kind {
        return Err(ActError::Invalid(format!("{action:?} does not apply to a {}", kind.name())));
    }
    if action == Action::InspectionPassed && w.docs[i].status != Status::Inspection {
        return Err(ActError::Invalid(format!("document {id} is not under inspection")));
    }
    let reason = if reason.trim().is_empty() { event.name().to_string() } else { reason.trim().to_string() };
    w.go(i, event, to, reason).map_err(ActError::Invalid)?;
    if action == Action::GoodsReturned {
        credit_return(&mut w, i);
    }
    Ok(w.finish())
}

/// Records a B2B export declaration form (H2018) and links it to the
/// transmitted order or booking its 10000004 attached document names: the
/// order must exist for the same e-commerce enterprise and be of the form's
/// mode (B for 9710, W for 9810), and be declared neither by a list nor by
/// another form; a form number is recorded once.
pub fn link_form(form: &FormFacts, id: &str, snapshot: &Snapshot, config: &Config, now: i64) -> Result<Plan, ActError> {
    let invalid = |m: String| Err(ActError::Invalid(m));
    if form.entry_id.len() != 18 || !form.entry_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return invalid(format!("entry_id {:?}: a declaration number has 18 letters or digits", form.entry_id));
    }
    let order_type = match form.trade_mode.as_str() {
        "9710" => "B",
        "9810" => "W",
        other => return invalid(format!("trade_mode {other:?}: a B2B export form is 9710 or 9810")),
    };
    let mut w = Work::new(config, snapshot, now);
    if let Some(f) = w.live(Kind::DeclarationForm, &key::form(&form.entry_id), "") {
        return invalid(format!("declaration form {} is recorded already (document {})", form.entry_id, w.docs[f].id));
    }
    let order_key = key::export_order(&form.ebp_code, &form.order_no);
    let Some(o) = w.live(Kind::ExportOrder, &order_key, "") else {
        return invalid(format!(
            "attached document {}: no order or booking {} of platform {} was transmitted; the e-commerce enterprise \
             sends it first (CEB303, orderType {order_type})",
            crate::facts::B2B_ATTACHMENT,
            form.order_no,
            form.ebp_code
        ));
    };
    let Facts::ExportOrder(order) = &w.docs[o].facts else { return invalid("not an export order".into()) };
    let mut problems = Vec::new();
    if order.ebc_code != form.ebc_code {
        problems.push(format!("ebc_code: the order is of {}, the form of {}", order.ebc_code, form.ebc_code));
    }
    if order.order_type != order_type {
        problems.push(format!(
            "trade_mode {}: needs orderType {order_type}, the order has {}",
            form.trade_mode, order.order_type
        ));
    }
    if let Some(l) = w.live(Kind::ExportList, &order_key, "") {
        problems.push(format!(
            "the order is declared by export list {} (status {})",
            w.docs[l].facts.business_key(),
            w.docs[l].status.code()
        ));
    }
    if let Some(f) = w.live(Kind::DeclarationForm, &order_key, "") {
        problems.push(format!("the order is declared on form {} already", w.docs[f].facts.business_key()));
    }
    if !problems.is_empty() {
        return invalid(format!("declaration form {}: {}", form.entry_id, problems.join("; ")));
    }
    let inc = Incoming {
        guid: String::new(),
        app_type: AppType::New,
        declared: true,
        note: None,
        facts: Facts::DeclarationForm(form.clone()),
    };
    let info = format!(
        "declaration form {} ({}) linked to order {} by attached document {}",
        form.entry_id,
        form.trade_mode,
        form.order_no,
        crate::facts::B2B_ATTACHMENT
    );
    w.create(id, &inc, &form.ebc_code, Status::Accepted, String::new(), info);
    // Not a CEB message: no receipt; the link is the document and its move.
    w.plan.receipts.pop();
    Ok(w.finish())
}

/// The quota a concluded return gives back: the returned share of each
/// item's value.
fn credit_return(w: &mut Work, refund: usize) {
    let Facts::Refund(r) = w.docs[refund].facts.clone() else { return };
    let Some(li) = w.live(Kind::List, &key::invt(&r.invt_no), "") else { return };
    let Facts::List(l) = &w.docs[li].facts else { return };
    let mut value = Decimal::ZERO;
    for item in &r.items {
        if let Some(orig) = l.items.iter().find(|x| x.gnum == item.gnum).filter(|o| !o.qty.is_zero()) {
            value += orig.total_price * item.qty / orig.qty;
        }
    }
    let returned: Vec<(i32, Decimal, Decimal)> = r
        .items
        .iter()
        .filter_map(|item| l.items.iter().find(|x| x.gnum == item.gnum).map(|o| (item.gnum, item.qty, o.qty)))
        .collect();
    let reason = format!("goods of return {} back", w.docs[refund].guid);
    w.release_quota(li, to_fen(value), &reason);
    w.release_qty(li, |gnum| returned.iter().find(|r| r.0 == gnum).map(|r| (r.1, r.2)), &reason);
}

/// What happens when a document's deadline passes: a waiting list is
/// rejected naming what is missing; a return whose goods did not come back
/// is rejected.
pub fn expire(id: &str, snapshot: &Snapshot, config: &Config, now: i64) -> Plan {
    let mut w = Work::new(config, snapshot, now);
    let Some(i) = w.index(id) else { return w.finish() };
    let d = w.docs[i].clone();
    if d.deadline.is_none_or(|t| t > now) {
        return w.finish();
    }
    match (&d.facts, d.status) {
        (Facts::List(l), Status::Declaring) => {
            let (o, p, b) = vouchers(&w, l);
            let missing = missing_names(o, p, b, l);
            let info = format!("deadline passed while waiting for: {}", missing.join("; "));
            let _ = w.go(i, Event::Refused, Status::Rejected, info);
        }
        (Facts::ExportList(l), Status::Declaring) => {
            let (o, c, b) = export_vouchers(&w, l);
            let missing = export_missing(o, c, b, l);
            let info = format!("deadline passed while waiting for: {}", missing.join("; "));
            let _ = w.go(i, Event::Refused, Status::Rejected, info);
        }
        (Facts::ExportList(l), Status::Released) if d.flags.iter().any(|f| f == "transfer open") => {
            let no = l.invt_no.clone().unwrap_or_default();
            let reason = format!("transfer overdue: list {no} has not departed from {}", l.port_code);
            w.docs[i].flags.push("transfer overdue".into());
            w.docs[i].deadline = None;
            w.changed.insert(d.id.clone());
            w.plan.moves.push(Move { doc_id: d.id.clone(), from: Some(d.status), to: d.status, event: None, reason });
        }
        (Facts::Summary(_), Status::Declaring) => summary::expire_part(&mut w, i),
        (Facts::Refund(r), Status::Accepted) => {
            let info = format!("the goods of the return of list {} were not back within the deadline", r.invt_no);
            let _ = w.go(i, Event::Refused, Status::Rejected, info);
        }
        _ => {
            w.docs[i].deadline = None;
            w.changed.insert(d.id.clone());
        }
    }
    w.finish()
}

// ---- export lists ----------------------------------------------------------------

/// Whether an export list needs a receipt of payment before it is accepted:
/// retail export (9610, 1210) does; B2B (9710, 9810) settles later.
fn needs_collection(l: &ExportListFacts) -> bool {
    matches!(l.trade_mode.as_str(), "9610" | "1210")
}

fn export_vouchers(w: &Work, l: &ExportListFacts) -> (Option<usize>, Option<usize>, Option<usize>) {
    let order_key = key::export_order(&l.ebp_code, &l.order_no);
    let order = w.live(Kind::ExportOrder, &order_key, "");
    let collection = w.live(Kind::Collection, &order_key, "");
    let waybill = w.live(Kind::ExportWaybill, &key::export_waybill(&l.logistics_code, &l.logistics_no), "");
    (order, collection, waybill)
}

fn export_missing(o: Option<usize>, c: Option<usize>, b: Option<usize>, l: &ExportListFacts) -> Vec<String> {
    let mut m = Vec::new();
    if o.is_none() {
        m.push(format!("export order (CEB303) {} of platform {}", l.order_no, l.ebp_code));
    }
    if c.is_none() && needs_collection(l) {
        m.push(format!("receipt of payment (CEB403) for order {} of platform {}", l.order_no, l.ebp_code));
    }
    if b.is_none() {
        m.push(format!("export waybill (CEB505) {} of logistics enterprise {}", l.logistics_no, l.logistics_code));
    }
    m
}

/// Matches a waiting export list with its order, receipt of payment and
/// waybill; accepts (and, configured so, releases) it or refuses it.
fn evaluate_export_list(w: &mut Work, i: usize, fresh: bool, l: &ExportListFacts) {
    let (o, c, b) = export_vouchers(w, l);
    let missing = export_missing(o, c, b, l);
    if !missing.is_empty() {
        if fresh {
            w.docs[i].deadline = Some(w.now + w.config.pending_deadline_ms);
            let info = format!("申报成功, waiting for: {}", missing.join("; "));
            w.receipt(i, Status::Declaring.code(), info);
        }
        return;
    }
    let (Some(o), Some(b)) = (o, b) else { return };
    if let Some(f) = w.live(Kind::DeclarationForm, &key::export_order(&l.ebp_code, &l.order_no), "") {
        let info = format!(
            "order {} was declared on customs declaration form {} (attached document {}); it cannot be declared again by a list",
            l.order_no,
            w.docs[f].facts.business_key(),
            crate::facts::B2B_ATTACHMENT
        );
        let _ = w.go(i, Event::Refused, Status::Rejected, info);
        return;
    }
    let reference = &w.config.goods;
    w.docs[i].basis = Some(reference.basis());
    let findings = crate::goods::export_findings(l, reference);
    if let Some(first) = findings.first() {
        let code = crate::goods::return_status(first.code, true);
        w.refuse_coded(i, code, crate::goods::findings_info(&findings));
        return;
    }
    if risk_pass(w, i, crate::risk::export_subject(&w.docs[i].id, l), true).is_none() {
        return;
    }
    let tariff = &w.config.goods.tariff.table;
    if let Err(reasons) = crate::export::simplified_allowed(l, tariff) {
        let info = format!(
            "statisticsFlag A (simplified declaration) is only for goods without licence or export duty declared \
             at the customs of a comprehensive pilot zone: {}; declare with statisticsFlag B (summary declaration)",
            reasons.join("; ")
        );
        let _ = w.go(i, Event::Refused, Status::Rejected, info);
        return;
    }
    if let Err(reasons) = crate::export::hs_codes_allowed(l, tariff) {
        let _ = w.go(i, Event::Refused, Status::Rejected, reasons.join("; "));
        return;
    }
    if let Err(reasons) = crate::export::list_allowed(l, tariff) {
        let info = format!("a full customs declaration form (H2018) is required, not a list: {}", reasons.join("; "));
        let _ = w.go(i, Event::Refused, Status::Rejected, info);
        return;
    }
    let Facts::ExportOrder(order) = &w.docs[o].facts else { return };
    let Facts::ExportWaybill(waybill) = &w.docs[b].facts else { return };
    let collection = c.and_then(|c| match &w.docs[c].facts {
        Facts::Collection(x) => Some(x.clone()),
        _ => None,
    });
    let mismatches = crate::matching::match_export_list(l, order, collection.as_ref(), waybill);
    if !mismatches.is_empty() {
        let _ = w.go(i, Event::Refused, Status::Rejected, mismatch_info(&mismatches));
        return;
    }
    let mut facts = l.clone();
    if facts.invt_no.is_none() {
        let counter = export_list_counter(&l.customs_code, w.now);
        let n = w.next(counter);
        facts.invt_no =
            Some(format!("{}{}E{:09}", &l.customs_code[..l.customs_code.len().min(4)], china_year(w.now), n));
    }
    let forced = facts.sandbox;
    w.docs[i].facts = Facts::ExportList(facts);
    // Released when the goods arrive at the supervised site (CEB507).
    let _ = w.go(i, Event::Matched, Status::Accepted, "入库成功: release follows the arrival (CEB507)".into());
    if let Some(f) = forced {
        force(w, i, f);
    }
}

/// The customs district of a 4-digit customs code (its first two digits).
fn district(code: &str) -> &str {
    code.get(..2).unwrap_or(code)
}

/// The route of an export list given where its goods arrive, or why the
/// arrival is at the wrong customs.
fn route_for(l: &ExportListFacts, arrival_customs: &str) -> Result<&'static str, String> {
    let (home, port, here) = (district(&l.customs_code), district(&l.port_code), district(arrival_customs));
    if home == port {
        return if here == home {
            Ok("local")
        } else {
            Err(format!("declared and exiting at {} but arriving at {arrival_customs}", l.customs_code))
        };
    }
    if here == home {
        Ok("transfer")
    } else if here == port {
        Ok("integrated")
    } else {
        Err(format!(
            "declared at {} and exiting at {}, so the goods arrive at one of them, not at {arrival_customs}",
            l.customs_code, l.port_code
        ))
    }
}

/// The export lists of the waybills a movement names, or its problems.
fn movement_lists(w: &Work, m: &MovementFacts) -> (Vec<usize>, Vec<String>) {
    let (mut found, mut problems) = (Vec::new(), Vec::new());
    for no in &m.logistics_nos {
        match w.live(Kind::ExportList, &key::export_waybill(&m.logistics_code, no), "") {
            Some(i) => found.push(i),
            None => problems.push(format!("waybill {no} of {}: no live export list", m.logistics_code)),
        }
    }
    (found, problems)
}

/// Where one part of a split arrival or departure manifest stands: a problem
/// with its numbering (out of range, received already, another `msgCount`),
/// or the progress to report ("" for a manifest in one part).
fn manifest_part(w: &Work, id: &str, kind: Kind, m: &MovementFacts) -> Result<String, String> {
    if !(1..=m.msg_count).contains(&m.msg_seq_no) {
        return Err(format!("msgSeqNo {} is not within 1..={} (msgCount)", m.msg_seq_no, m.msg_count));
    }
    let k = key::manifest(kind, &m.customs_code, &m.cop_no);
    let mut have = vec![m.msg_seq_no];
    for d in
        w.docs.iter().filter(|d| d.id != id && d.kind() == kind && d.status.is_live() && d.facts.keys().contains(&k))
    {
        let (Facts::Arrival(p) | Facts::Departure(p)) = &d.facts else { continue };
        if p.msg_seq_no == m.msg_seq_no {
            return Err(format!("part {} of manifest {} was received already", m.msg_seq_no, m.cop_no));
        }
        if p.msg_count != m.msg_count {
            return Err(format!("msgCount {} differs from {} in part {}", m.msg_count, p.msg_count, p.msg_seq_no));
        }
        have.push(p.msg_seq_no);
    }
    if m.msg_count == 1 {
        return Ok(String::new());
    }
    let missing: Vec<String> = (1..=m.msg_count).filter(|n| !have.contains(n)).map(|n| n.to_string()).collect();
    Ok(if missing.is_empty() {
        format!("; part {} of {}: manifest {} complete", m.msg_seq_no, m.msg_count, m.cop_no)
    } else {
        format!("; part {} of {}: waiting for part(s) {}", m.msg_seq_no, m.msg_count, missing.join(", "))
    })
}

fn refuse_movement(w: &mut Work, id: &str, inc: &Incoming, sender: &str, problems: &[String]) {
    let what = describe_identity(&inc.facts);
    w.create(id, inc, sender, Status::Rejected, Status::Rejected.code(), format!("{what}: {}", problems.join("; ")));
}

/// Arrival at the supervised site: every named list must be accepted and
/// arrive at a customs its route allows; each is released (when the
/// service releases automatically) and, on the transfer route, a transfer
/// is opened that departure must close.
fn take_arrival(w: &mut Work, id: &str, inc: &Incoming, sender: &str) {
    let Facts::Arrival(m) = &inc.facts else { return };
    let (lists, mut problems) = movement_lists(w, m);
    let part = manifest_part(w, id, Kind::Arrival, m).unwrap_or_else(|why| {
        problems.push(why);
        String::new()
    });
    let mut routes = Vec::new();
    for &i in &lists {
        let Facts::ExportList(l) = &w.docs[i].facts else { continue };
        let no = l.invt_no.clone().unwrap_or_default();
        if w.docs[i].status != Status::Accepted {
            problems.push(format!("list {no} is in status {}, not 120", w.docs[i].status.code()));
            continue;
        }
        match route_for(l, &m.customs_code) {
            Ok(route) => routes.push((i, route)),
            Err(why) => problems.push(format!("list {no}: {why}")),
        }
    }
    if !problems.is_empty() {
        refuse_movement(w, id, inc, sender, &problems);
        return;
    }
    for (i, route) in routes {
        w.docs[i].route = Some(route.to_string());
        w.changed.insert(w.docs[i].id.clone());
        // The lane the risk engine chose at acceptance applies when the
        // goods are at the supervised site.
        if let Some((event, to, reason)) = w.docs[i].risk.as_ref().and_then(crate::risk::lane_move) {
            let _ = w.go(i, event, to, format!("arrived at {} (route {route}); {reason}", m.customs_code));
        } else if w.config.auto_release {
            let reason = format!("放行: arrived at {} (route {route})", m.customs_code);
            let _ = w.go(i, Event::AutoRelease, Status::Released, reason);
            if route == "transfer" {
                w.docs[i].deadline = Some(w.now + w.config.transfer_deadline_ms);
                w.docs[i].flags.push("transfer open".into());
            }
        }
    }
    let j = w.create(id, inc, sender, Status::Accepted, String::new(), String::new());
    w.plan.receipts.pop();
    let info = format!("运抵成功: {} waybill(s){part}", m.logistics_nos.len());
    let _ = w.go(j, Event::Conclude, Status::Concluded, info);
}

/// Departure: every named list must be released and leave through its exit
/// port; each is closed (899) and an open transfer is closed.
fn take_departure(w: &mut Work, id: &str, inc: &Incoming, sender: &str) {
    let Facts::Departure(m) = &inc.facts else { return };
    let (lists, mut problems) = movement_lists(w, m);
    let part = manifest_part(w, id, Kind::Departure, m).unwrap_or_else(|why| {
        problems.push(why);
        String::new()
    });
    for &i in &lists {
        let Facts::ExportList(l) = &w.docs[i].facts else { continue };
        let no = l.invt_no.clone().unwrap_or_default();
        if w.docs[i].status != Status::Released {
            problems.push(format!("list {no} is in status {}, not released (800)", w.docs[i].status.code()));
        } else if district(&m.customs_code) != district(&l.port_code) {
            problems.push(format!("list {no} exits at {}, not at {}", l.port_code, m.customs_code));
        }
    }
    if !problems.is_empty() {
        refuse_movement(w, id, inc, sender, &problems);
        return;
    }
    for &i in &lists {
        if w.docs[i].flags.iter().any(|f| f == "transfer open") {
            w.docs[i].flags.retain(|f| f != "transfer open");
            w.docs[i].flags.push("transfer closed".into());
        }
        let _ = w.go(i, Event::Close, Status::Closed, format!("结关: departed from {}", m.customs_code));
    }
    let j = w.create(id, inc, sender, Status::Accepted, String::new(), String::new());
    w.plan.receipts.pop();
    let info = format!("离境成功: {} waybill(s){part}", m.logistics_nos.len());
    let _ = w.go(j, Event::Conclude, Status::Concluded, info);
}

/// An export list cancellation (CEB605): the list's agent and e-commerce
/// enterprise, in a status that allows it; the list is cancelled and the
/// cancellation concluded (399).
fn take_export_cancel(w: &mut Work, id: &str, inc: &Incoming, sender: &str) {
    let Facts::ExportCancel(c) = &inc.facts else { return };
    let Some(i) = w.live(Kind::ExportList, &key::invt(&c.invt_no), "") else {
        let info = format!("export list {} does not exist or is no longer live", c.invt_no);
        w.create(id, inc, sender, Status::Rejected, Status::Rejected.code(), info);
        return;
    };
    let Facts::ExportList(l) = &w.docs[i].facts else { return };
    let mut wrong = Vec::new();
    for (field, ours, theirs) in [("agentCode", &c.agent_code, &l.agent_code), ("ebcCode", &c.ebc_code, &l.ebc_code)] {
        if ours != theirs {
            wrong.push(format!("InvtCancel.{field}: expected {theirs} (list {}), found {ours}", c.invt_no));
        }
    }
    if !wrong.is_empty() {
        w.create(id, inc, sender, Status::Rejected, Status::Rejected.code(), wrong.join("; "));
        return;
    }
    let status = w.docs[i].status;
    if transition(Event::Cancel, status, Status::Cancelled).is_err() {
        let info =
            format!("export list {} is in status {} which does not allow cancellation", c.invt_no, status.code());
        w.create(id, inc, sender, Status::Rejected, Status::Rejected.code(), info);
        return;
    }
    let _ = w.go(i, Event::Cancel, Status::Cancelled, format!("cancelled: {}", c.reason));
    let j = w.create(id, inc, sender, Status::Accepted, String::new(), String::new());
    w.plan.receipts.pop();
    let _ = w.go(j, Event::Conclude, Status::Concluded, format!("撤销成功: export list {} cancelled", c.invt_no));
}

/// A retail export return application (CEB213): the original list must have
/// been released (or have left), the goods come back from abroad, the trade
/// mode matches the list's (9661 for 9610, 1261 for 1210), and no item
/// returns more than was exported less earlier returns.
fn take_export_refund(w: &mut Work, id: &str, inc: &Incoming, sender: &str) {
    let Facts::ExportRefund(r) = &inc.facts else { return };
    let refuse = |w: &mut Work, info: String| {
        w.create(id, inc, sender, Status::Rejected, Status::Rejected.code(), info);
    };
    let Some(i) = w.live(Kind::ExportList, &key::invt(&r.invt_no), "") else {
        return refuse(w, format!("export list {} does not exist or is no longer live", r.invt_no));
    };
    let list = w.docs[i].clone();
    let Facts::ExportList(l) = &list.facts else { return };
    let mut problems = Vec::new();
    if !matches!(list.status, Status::Released | Status::Closed) {
        problems.push(format!(
            "export list {} is in status {}; only exported goods come back",
            r.invt_no,
            list.status.code()
        ));
    }
    if r.country == "142" {
        problems
            .push("country: the goods come back from abroad, so the country of dispatch cannot be China (142)".into());
    }
    let expected_mode = match l.trade_mode.as_str() {
        "1210" => "1261",
        _ => "9661",
    };
    if let Some(mode) = &r.trade_mode
        && mode != expected_mode
    {
        problems.push(format!("tradeMode: expected {expected_mode} for a {} list, found {mode}", l.trade_mode));
    }
    let original: Vec<(i32, &str, Decimal)> = l.items.iter().map(|x| (x.gnum, x.gname.as_str(), x.qty)).collect();
    problems.extend(returned_item_problems(w, Kind::ExportRefund, &r.invt_no, &r.items, &original, "exported"));
    if !problems.is_empty() {
        return refuse(w, problems.join("; "));
    }
    let info = format!("退货申请成功: return of export list {} accepted", r.invt_no);
    w.create(id, inc, sender, Status::Accepted, Status::Accepted.code(), info);
}

/// One part of a master/house bill link (CEB607) from the agent: every
/// waybill names a live, not yet departed export list of the logistics
/// enterprise, not on another bill; the lists record the bill and voyage.
/// Parts (`msgCount`/`msgSeqNo`, one `copNo`) must agree on the bill and
/// may come in any order; each is answered (120), the last one saying the
/// manifest is complete.
fn take_bill_link(w: &mut Work, id: &str, inc: &Incoming, sender: &str) {
    let Facts::BillLink(b) = &inc.facts else { return };
    let what = describe_identity(&inc.facts);
    let mut problems = Vec::new();
    if sender != b.agent_code {
        problems.push(format!("agentCode {} is not the sender {sender}", b.agent_code));
    }
    if !(1..=b.msg_count).contains(&b.msg_seq_no) {
        problems.push(format!("msgSeqNo {} is not within 1..={} (msgCount)", b.msg_seq_no, b.msg_count));
    }
    let link = key::bill_link(&b.agent_code, &b.cop_no);
    let parts: Vec<BillLinkFacts> = w
        .docs
        .iter()
        .filter(|d| d.id != id && d.kind() == Kind::BillLink && d.status.is_live() && d.facts.keys().contains(&link))
        .filter_map(|d| match &d.facts {
            Facts::BillLink(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    for p in &parts {
        if p.msg_seq_no == b.msg_seq_no {
            problems.push(format!("part {} was received already", b.msg_seq_no));
        }
        if p.msg_count != b.msg_count {
            problems.push(format!("msgCount {} differs from {} in part {}", b.msg_count, p.msg_count, p.msg_seq_no));
        }
        if p.bill_no != b.bill_no || p.voyage_no != b.voyage_no {
            problems.push(format!(
                "billNo/voyageNo {}/{} differ from {}/{} in part {}",
                b.bill_no, b.voyage_no, p.bill_no, p.voyage_no, p.msg_seq_no
            ));
        }
    }
    let mut lists = Vec::new();
    for wb in &b.waybills {
        let no = &wb.logistics_no;
        let Some(i) = w.live(Kind::ExportList, &key::export_waybill(&b.logistics_code, no), "") else {
            problems.push(format!("waybill {no} of {}: no live export list", b.logistics_code));
            continue;
        };
        if lists.contains(&i) {
            problems.push(format!("waybill {no} is named twice"));
            continue;
        }
        let Facts::ExportList(l) = &w.docs[i].facts else { continue };
        let invt = l.invt_no.clone().unwrap_or_default();
        if !matches!(w.docs[i].status, Status::Accepted | Status::ManualReview | Status::Inspection | Status::Released)
        {
            problems.push(format!(
                "waybill {no}: list {invt} is in status {}; only accepted lists not yet departed are linked",
                w.docs[i].status.code()
            ));
        } else if let Some(other) = l.bill_no.as_ref().filter(|other| **other != b.bill_no) {
            problems.push(format!("waybill {no}: list {invt} is on bill {other} already"));
        }
        lists.push(i);
    }
    if !problems.is_empty() {
        let info = format!("{what}: {}", problems.join("; "));
        w.create(id, inc, sender, Status::Rejected, Status::Rejected.code(), info);
        return;
    }
    for &i in &lists {
        if let Facts::ExportList(l) = &mut w.docs[i].facts {
            l.bill_no = Some(b.bill_no.clone());
            l.voyage_no = Some(b.voyage_no.clone());
        }
        let d = &w.docs[i];
        let reason = format!(
            "on bill {} voyage {} (link {} part {}/{})",
            b.bill_no, b.voyage_no, b.cop_no, b.msg_seq_no, b.msg_count
        );
        w.changed.insert(d.id.clone());
        w.plan.moves.push(Move { doc_id: d.id.clone(), from: Some(d.status), to: d.status, event: None, reason });
    }
    let received: Vec<i32> = parts.iter().map(|p| p.msg_seq_no).chain([b.msg_seq_no]).collect();
    let missing: Vec<String> = (1..=b.msg_count).filter(|n| !received.contains(n)).map(|n| n.to_string()).collect();
    let info = if missing.is_empty() {
        let total: usize = parts.iter().map(|p| p.waybills.len()).sum::<usize>() + b.waybills.len();
        format!(
            "总分单关联成功: bill link {} complete: {total} waybill(s) in {} part(s) on bill {} voyage {}",
            b.cop_no, b.msg_count, b.bill_no, b.voyage_no
        )
    } else {
        format!(
            "part {} of {}: {} waybill(s) on bill {}; waiting for part(s) {}",
            b.msg_seq_no,
            b.msg_count,
            b.waybills.len(),
            b.bill_no,
            missing.join(", ")
        )
    };
    w.create(id, inc, sender, Status::Accepted, Status::Accepted.code(), info);
}

/// A return tally detail (CEB215) from the supervised site: the goods of an
/// accepted export return (found by its inbound waybill and `coElNo`) are
/// back; the return is concluded (399) and so is the tally.
fn take_export_tally(w: &mut Work, id: &str, inc: &Incoming, sender: &str) {
    let Facts::ExportTally(t) = &inc.facts else { return };
    let refuse = |w: &mut Work, info: String| {
        w.create(id, inc, sender, Status::Rejected, Status::Rejected.code(), info);
    };
    let what = describe_identity(&inc.facts);
    if sender != t.operator_code {
        return refuse(w, format!("{what}: operatorCode {} is not the sender {sender}", t.operator_code));
    }
    let found = w
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind() == Kind::ExportRefund && d.status.is_live())
        .filter(|(_, d)| d.facts.keys().contains(&key::export_return(&t.logistics_code, &t.logistics_no)))
        .filter_map(|(i, d)| match &d.facts {
            Facts::ExportRefund(r) if r.co_el_no == t.co_el_no => Some((i, r.invt_no.clone())),
            _ => None,
        })
        .max_by_key(|(i, _)| w.docs[*i].created_at);
    let Some((i, invt_no)) = found else {
        return refuse(
            w,
            format!(
                "{what}: no export return {} with waybill {} of {} (send the return, CEB213, first)",
                t.co_el_no, t.logistics_no, t.logistics_code
            ),
        );
    };
    let mut problems = Vec::new();
    if let Some(no) = &t.invt_no
        && *no != invt_no
    {
        problems.push(format!("invtNo: the return is for list {invt_no}, found {no}"));
    }
    match w.docs[i].status {
        Status::Accepted => {}
        Status::Concluded => problems.push(format!("return {} was tallied already", t.co_el_no)),
        other => problems.push(format!("return {} is in status {}, not accepted (120)", t.co_el_no, other.code())),
    }
    if !problems.is_empty() {
        return refuse(w, format!("{what}: {}", problems.join("; ")));
    }
    let info = format!("理货完成: the goods of return {} are back at {}", t.co_el_no, t.customs_code);
    let _ = w.go(i, Event::Conclude, Status::Concluded, info.clone());
    let j = w.create(id, inc, sender, Status::Accepted, String::new(), String::new());
    w.plan.receipts.pop();
    let _ = w.go(j, Event::Conclude, Status::Concluded, info);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_calendar() {
        // 2026-12-31T16:00:00Z is 2027-01-01 00:00 in China.
        let ms = 1_798_732_800_000;
        assert_eq!(china_date(ms), "20270101");
        assert_eq!(china_year(ms - 1), 2026);
        assert_eq!(china_date(0), "19700101");
        assert_eq!(china_stamp(ms), "20270101000000");
        assert_eq!(china_stamp(ms - 1), "20261231235959");
        assert_eq!(china_stamp(1_795_744_800_000 + 3_723_000), "20261127110203");
        // Outside the years a date can hold, both fall back to 1970.
        assert_eq!(china_year(i64::MIN / 2), 1970);
        assert_eq!(china_date(i64::MIN / 2), "19700101");
    }

    proptest::proptest! {
        /// The year is computed without building the date, and agrees with it.
        #[test]
        fn china_year_is_the_year_of_china_date(ms in -2_300_000_000_000i64..253_402_300_800_000i64) {
            proptest::prop_assert_eq!(china_year(ms), china_date(ms)[..4].parse::<i32>().unwrap_or(1970));
        }
    }
}
