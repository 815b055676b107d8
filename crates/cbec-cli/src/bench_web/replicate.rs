//! The second part of seeding: the templates' rows, copied in bulk.
//!
//! Each copy is one template's import (its documents, their keys and
//! parties, status moves, receipts and their recipients, quota ledger rows
//! and its share of the hourly traffic aggregates) with everything that
//! identifies it rewritten: document and receipt ids (UUIDv7 of the copy's
//! time, so ids stay time-ordered), message guids, orderNo, logisticsNo,
//! payTransactionId, copNo, preNo, invtNo and the tax bill number (numbered
//! by the same counters the pipeline uses, which are moved past them), the
//! buyer's identity number (a pool of valid PRC numbers, about three lists
//! per buyer) with the quota keys built on it, and every time (shifted by
//! the copy's offset, in milliseconds and in the receipts' `returnTime`).
//! The copies are spread evenly over the week before the templates.
//!
//! Each text column of a template is cut once into literal pieces and
//! slots (found with one Aho-Corasick automaton over the template's values),
//! so a copy is rendered by concatenation. The rows are inserted through
//! prepared statements in transactions of [`CHUNK`] copies, with the
//! database's own indexes in place, on a connection of its own
//! (`journal_mode = MEMORY`, `synchronous = OFF`: a benchmark database
//! whose seeding is not finished is refused later anyway). The copies'
//! documents point at their template's stored message (the messages table
//! keeps only the templates' messages: 19 KB an import would not fit the
//! disk a million times); pages read a message by primary key only.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use aho_corasick::{AhoCorasick, MatchKind};
use anyhow::{Context as _, bail, ensure};
use cbec_clearance::decide::{china_date, china_stamp, china_year};
use rusqlite::{Connection, OptionalExtension as _, params};

use super::seed::{Template, TrafficDelta};

/// Copies per transaction.
const CHUNK: usize = 10_000;
const HOUR_MS: i64 = 3_600_000;
/// How long the copies span, before the templates.
pub const WINDOW_MS: i64 = 7 * 24 * HOUR_MS;
/// Region codes of the copies' buyers (the templates' are 310104).
const REGIONS: [&str; 8] = ["110105", "440305", "330106", "320106", "510107", "310115", "420106", "500103"];

/// A copy picked for the timed pages: a released list of the portal's
/// enterprise, deep in the database, and what finds it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Probe {
    pub list: String,
    pub order_no: String,
    pub logistics_no: String,
    pub pay_transaction_id: String,
    pub cop_no: String,
    pub invt_no: String,
    pub buyer_id: String,
    /// One of its receipts (a cursor for the portal's receipts).
    pub receipt_seq: i64,
    /// A list in manual review deep in the queue: its keyset cursor.
    pub review_updated_at: i64,
    pub review_id: String,
}

/// What a piece of a template's value is replaced by in a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Slot {
    /// A document or receipt id: a UUIDv7 of the time `ts` shifted, unique
    /// by copy and ordinal (the order of the template's ids).
    Id {
        ts: i64,
        ordinal: u64,
    },
    /// A message guid.
    Guid(u64),
    OrderNo,
    LogisticsNo,
    PayId,
    CopNo,
    PreNo,
    /// `{customs}{year}I{n:09}`.
    InvtNo {
        customs: String,
    },
    /// `{year}{n:010}`, counted per customs code.
    TaxNo {
        customs: String,
    },
    Buyer,
    /// `{before}{buyer}|{year}{after}`.
    QuotaKey {
        before: String,
        after: String,
    },
    Millis(i64),
    /// `yyyyMMddhhmmssSSS` in China time.
    Stamp17(i64),
    /// `yyyyMMddhhmmss` in China time.
    Stamp14(i64),
}

impl Slot {
    /// Digits only: must not be cut out of a longer number.
    fn numeric(&self) -> bool {
        matches!(self, Slot::Millis(_) | Slot::Stamp17(_) | Slot::Stamp14(_))
    }
}

#[derive(Debug, Clone)]
enum Piece {
    Lit(String),
    Slot(usize),
}

/// A text value cut into literals and slots.
#[derive(Debug, Clone)]
struct Text(Vec<Piece>);

impl Text {
    fn render(&self, values: &[String]) -> String {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Piece::Lit(s) => out.push_str(s),
                Piece::Slot(i) => out.push_str(&values[*i]),
            }
        }
        out
    }
}

struct TDoc {
    id: Text,
    kind: String,
    status: String,
    sender: String,
    business_key: Text,
    keys: Text,
    deadline: Option<i64>,
    created_at: i64,
    updated_at: i64,
    message_id: Option<String>,
    body: Text,
}

struct TReceipt {
    id: Text,
    doc_id: Option<Text>,
    message_id: Option<String>,
    message_type: String,
    return_status: String,
    return_info: Text,
    business_key: Text,
    xml: Text,
    issued_at: i64,
    recipients: Vec<String>,
}

struct TMove {
    doc_id: Text,
    from: Option<String>,
    to: String,
    event: Option<String>,
    reason: Text,
    actor: String,
    at: i64,
}

struct TQuota {
    doc_id: Text,
    key: Text,
    fen: i64,
    reason: Text,
    at: i64,
}

/// A template ready to be copied.
struct Tmpl {
    world: usize,
    list_status: String,
    /// Its earliest time: a copy's offset is its time minus this.
    base: i64,
    slots: Vec<Slot>,
    docs: Vec<TDoc>,
    receipts: Vec<TReceipt>,
    moves: Vec<TMove>,
    keys: Vec<(Text, Text)>,
    parties: Vec<(String, Text)>,
    quota: Vec<TQuota>,
    /// Traffic rows (interned) it added.
    traffic: Vec<(usize, i64, i64, i64)>,
    /// Indexes into `docs` of the list.
    list: usize,
}

impl Tmpl {
    fn slot(&self, want: &Slot) -> Option<usize> {
        self.slots.iter().position(|s| s == want)
    }
    fn slot_where(&self, f: impl Fn(&Slot) -> bool) -> Option<usize> {
        self.slots.iter().position(f)
    }
}

/// The time of a UUIDv7 (its first 48 bits), if it is one.
fn uuid_ms(id: &str) -> Option<i64> {
    let hex: String = id.chars().filter(|c| *c != '-').take(12).collect();
    (hex.len() == 12).then(|| i64::from_str_radix(&hex, 16).ok()).flatten()
}

fn uuid7(ms: i64, copy: u64, ordinal: u64) -> String {
    let ms = u64::try_from(ms).unwrap_or(0) & 0xFFFF_FFFF_FFFF;
    let hi = (ms << 16) | (0x7 << 12);
    let lo = (0b10 << 62) | (((copy << 8) | (ordinal & 0xFF)) & ((1 << 62) - 1));
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A version-4-shaped guid, upper case as CEB messages carry them.
fn guid(copy: u64, k: u64) -> String {
    let a = mix(copy.wrapping_mul(0x1_0000) ^ k);
    let b = mix(a ^ 0x5EED);
    format!(
        "{:08X}-{:04X}-4{:03X}-{:04X}-{:012X}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFF,
        0x8000 | ((b >> 48) & 0x3FFF),
        b & 0xFFFF_FFFF_FFFF
    )
}

/// The `b`-th buyer: a valid PRC identity number.
fn buyer(b: u64) -> anyhow::Result<String> {
    let region = REGIONS[(b % REGIONS.len() as u64) as usize];
    let n = b / REGIONS.len() as u64;
    let year = 1960 + n % 40;
    let month = 1 + (n / 40) % 12;
    let day = 1 + (n / 480) % 28;
    let first17 = format!("{region}{year:04}{month:02}{day:02}{:03}", (n / 13_440) % 1000);
    cbec_model::ident::PrcIdNumber::with_check(&first17)
        .map(|p| p.to_string())
        .map_err(|e| anyhow::anyhow!("buyer {first17}: {e}"))
}

fn stamp17(ms: i64) -> String {
    format!("{}{:03}", china_stamp(ms), ms.rem_euclid(1000))
}

fn is_upper_guid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| {
            if matches!(i, 8 | 13 | 18 | 23) { c == b'-' } else { c.is_ascii_digit() || (b'A'..=b'F').contains(&c) }
        })
}

/// The values a template's texts hold, and what each becomes in a copy.
#[derive(Default)]
struct Finder {
    patterns: Vec<String>,
    slots: Vec<Slot>,
}

impl Finder {
    fn add(&mut self, value: &str, slot: Slot) {
        if value.is_empty() || self.patterns.iter().any(|p| p == value) {
            return;
        }
        self.patterns.push(value.to_owned());
        self.slots.push(slot);
    }

    fn cutter(&self) -> anyhow::Result<AhoCorasick> {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&self.patterns)
            .context("building the template's automaton")
    }
}

fn cut(ac: &AhoCorasick, finder: &Finder, s: &str) -> Text {
    let mut pieces = Vec::new();
    let mut last = 0;
    let bytes = s.as_bytes();
    for m in ac.find_iter(s) {
        let slot = &finder.slots[m.pattern().as_usize()];
        if slot.numeric() {
            let before = m.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(m.end()).copied();
            if before.is_some_and(|b| b.is_ascii_digit()) || after.is_some_and(|b| b.is_ascii_digit()) {
                continue;
            }
        }
        if m.start() > last {
            pieces.push(Piece::Lit(s[last..m.start()].to_owned()));
        }
        pieces.push(Piece::Slot(m.pattern().as_usize()));
        last = m.end();
    }
    if last < s.len() {
        pieces.push(Piece::Lit(s[last..].to_owned()));
    }
    Text(pieces)
}

/// Interned traffic keys (every column but the hour).
#[derive(Default)]
struct TrafficKeys {
    keys: Vec<[String; 6]>,
    index: HashMap<[String; 6], usize>,
}

impl TrafficKeys {
    fn intern(&mut self, d: &TrafficDelta) -> usize {
        let k = [
            d.enterprise.clone(),
            d.kind.clone(),
            d.message_type.clone(),
            d.mode.clone(),
            d.direction.clone(),
            d.return_status.clone(),
        ];
        if let Some(&i) = self.index.get(&k) {
            return i;
        }
        self.keys.push(k.clone());
        self.index.insert(k, self.keys.len() - 1);
        self.keys.len() - 1
    }
}

fn in_list(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Reads a template's rows and cuts them.
fn load(conn: &Connection, t: &Template, traffic: &mut TrafficKeys) -> anyhow::Result<Tmpl> {
    ensure!(!t.docs.is_empty() && t.docs.len() < 64, "a template with {} documents", t.docs.len());
    let docs_in = in_list(t.docs.len());
    type DocCols = (String, String, String, String, String, String, Option<i64>, i64, i64, Option<String>, String);
    let docs: Vec<DocCols> = conn
        .prepare(&format!(
            "SELECT id, kind, status, sender, business_key, keys, deadline, created_at, updated_at, message_id, body
             FROM documents WHERE id IN ({docs_in}) ORDER BY created_at, id"
        ))?
        .query_map(rusqlite::params_from_iter(&t.docs), |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    ensure!(docs.len() == t.docs.len(), "template documents are missing");
    // Receipts of the documents, and those of refused messages naming none.
    let orphans: Vec<String> =
        if t.orphan_receipts.is_empty() { vec![String::new()] } else { t.orphan_receipts.clone() };
    let mut args = t.docs.clone();
    args.extend(orphans.iter().cloned());
    type ReceiptCols = (i64, String, Option<String>, Option<String>, String, String, String, String, String, i64);
    let receipts: Vec<ReceiptCols> = conn
        .prepare(&format!(
            "SELECT seq, id, doc_id, message_id, message_type, return_status, return_info, business_key, xml, issued_at
             FROM receipts WHERE doc_id IN ({docs_in}) OR id IN ({}) ORDER BY seq",
            in_list(orphans.len())
        ))?
        .query_map(rusqlite::params_from_iter(&args), |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    ensure!(
        receipts.iter().filter(|r| r.2.is_none()).count() == t.orphan_receipts.len(),
        "receipts of refused messages are missing"
    );
    let mut recipients: HashMap<i64, Vec<String>> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached("SELECT code FROM receipt_recipients WHERE seq = ?1 ORDER BY code")?;
        for r in &receipts {
            let codes: Vec<String> = stmt.query_map([r.0], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
            recipients.insert(r.0, codes);
        }
    }
    type MoveCols = (String, Option<String>, String, Option<String>, String, String, i64);
    let moves: Vec<MoveCols> = conn
        .prepare(&format!(
            "SELECT doc_id, from_status, to_status, event, reason, actor, at FROM document_moves
             WHERE doc_id IN ({docs_in}) ORDER BY seq"
        ))?
        .query_map(rusqlite::params_from_iter(&t.docs), |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    let pairs = |table: &str, col: &str| -> anyhow::Result<Vec<(String, String)>> {
        Ok(conn
            .prepare(&format!("SELECT {col}, doc_id FROM {table} WHERE doc_id IN ({docs_in}) ORDER BY {col}, doc_id"))?
            .query_map(rusqlite::params_from_iter(&t.docs), |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?)
    };
    let keys = pairs("document_keys", "key")?;
    let parties = pairs("document_parties", "code")?;
    type QuotaCols = (String, String, i64, String, i64);
    let quota: Vec<QuotaCols> = conn
        .prepare(&format!(
            "SELECT doc_id, key, fen, reason, at FROM quota_ledger WHERE doc_id IN ({docs_in}) ORDER BY id"
        ))?
        .query_map(rusqlite::params_from_iter(&t.docs), |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;

    // What identifies the import.
    let mut finder = Finder::default();
    let mut ids: Vec<String> = docs.iter().map(|d| d.0.clone()).chain(receipts.iter().map(|r| r.1.clone())).collect();
    ids.sort();
    for (ordinal, id) in ids.iter().enumerate() {
        let ts = uuid_ms(id).with_context(|| format!("{id} is not a UUIDv7"))?;
        finder.add(id, Slot::Id { ts, ordinal: ordinal as u64 });
    }
    let mut buyers: HashSet<String> = HashSet::new();
    let mut quota_keys: Vec<String> = quota.iter().map(|q| q.1.clone()).collect();
    let mut list_customs = String::new();
    let mut times: Vec<i64> = Vec::new();
    for d in &docs {
        let body: serde_json::Value =
            serde_json::from_str(&d.10).with_context(|| format!("the body of document {}", d.0))?;
        let facts = &body["facts"];
        let s = |k: &str| facts[k].as_str().map(str::to_owned);
        if let Some(v) = s("order_no") {
            finder.add(&v, Slot::OrderNo);
        }
        if let Some(v) = s("logistics_no") {
            finder.add(&v, Slot::LogisticsNo);
        }
        if let Some(v) = s("pay_transaction_id") {
            finder.add(&v, Slot::PayId);
        }
        if let Some(v) = s("cop_no") {
            finder.add(&v, Slot::CopNo);
        }
        if let Some(v) = s("pre_no") {
            finder.add(&v, Slot::PreNo);
        }
        if d.1 == "list" {
            list_customs = s("customs_code").unwrap_or_default();
            if let Some(v) = s("invt_no") {
                let customs = v.get(..4).unwrap_or_default().to_owned();
                finder.add(&v, Slot::InvtNo { customs });
            }
        }
        for k in ["buyer_id_number", "payer_id_number"] {
            if let Some(v) = s(k) {
                buyers.insert(v);
            }
        }
        if let Some(k) = body["quota_key"].as_str() {
            quota_keys.push(k.to_owned());
        }
        for k in ["released_at", "deadline", "created_at", "updated_at"] {
            if let Some(v) = body[k].as_i64() {
                times.push(v);
            }
        }
        times.extend([d.7, d.8]);
        times.extend(d.6);
        // Message guids (store ids are lower case).
        for text in [&d.10, &d.5] {
            for i in 0..text.len().saturating_sub(35) {
                if let Some(g) = text.get(i..i + 36)
                    && is_upper_guid(g.as_bytes())
                {
                    let k = finder.slots.iter().filter(|s| matches!(s, Slot::Guid(_))).count();
                    finder.add(g, Slot::Guid(k as u64));
                }
            }
        }
    }
    for r in &receipts {
        times.push(r.9);
        if let Some(start) = r.8.find("<ceb:taxNo>") {
            let rest = &r.8[start + "<ceb:taxNo>".len()..];
            if let Some(end) = rest.find('<') {
                let customs = if list_customs.is_empty() { "0000".to_owned() } else { list_customs.clone() };
                finder.add(&rest[..end], Slot::TaxNo { customs });
            }
        }
        for i in 0..r.8.len().saturating_sub(35) {
            if let Some(g) = r.8.get(i..i + 36)
                && is_upper_guid(g.as_bytes())
            {
                let k = finder.slots.iter().filter(|s| matches!(s, Slot::Guid(_))).count();
                finder.add(g, Slot::Guid(k as u64));
            }
        }
    }
    times.extend(moves.iter().map(|m| m.6));
    times.extend(quota.iter().map(|q| q.4));
    for k in &quota_keys {
        let Some((b, at)) = buyers.iter().find_map(|b| k.find(b.as_str()).map(|at| (b, at))) else {
            bail!("quota key {k} names none of the template's buyers");
        };
        let rest = &k[at + b.len()..];
        ensure!(rest.len() >= 5 && rest.starts_with('|'), "quota key {k} has no year after the buyer");
        finder.add(k, Slot::QuotaKey { before: k[..at].to_owned(), after: rest[5..].to_owned() });
    }
    for b in &buyers {
        finder.add(b, Slot::Buyer);
    }
    times.sort_unstable();
    times.dedup();
    for &t in &times {
        finder.add(&t.to_string(), Slot::Millis(t));
        finder.add(&stamp17(t), Slot::Stamp17(t));
        finder.add(&china_stamp(t), Slot::Stamp14(t));
    }
    let base = times.first().copied().context("a template without times")?;
    ensure!(ids.len() < 256, "a template with {} ids", ids.len());

    let ac = finder.cutter()?;
    let c = |s: &str| cut(&ac, &finder, s);
    let docs: Vec<TDoc> = docs
        .into_iter()
        .map(|d| TDoc {
            id: c(&d.0),
            kind: d.1,
            status: d.2,
            sender: d.3,
            business_key: c(&d.4),
            keys: c(&d.5),
            deadline: d.6,
            created_at: d.7,
            updated_at: d.8,
            message_id: d.9,
            body: c(&d.10),
        })
        .collect();
    let list = docs.iter().position(|d| d.kind == "list").context("a template without a list")?;
    let receipts = receipts
        .into_iter()
        .map(|r| TReceipt {
            id: c(&r.1),
            doc_id: r.2.as_deref().map(c),
            message_id: r.3,
            message_type: r.4,
            return_status: r.5,
            return_info: c(&r.6),
            business_key: c(&r.7),
            xml: c(&r.8),
            issued_at: r.9,
            recipients: recipients.remove(&r.0).unwrap_or_default(),
        })
        .collect();
    let moves = moves
        .into_iter()
        .map(|m| TMove { doc_id: c(&m.0), from: m.1, to: m.2, event: m.3, reason: c(&m.4), actor: m.5, at: m.6 })
        .collect();
    let quota = quota
        .into_iter()
        .map(|q| TQuota { doc_id: c(&q.0), key: c(&q.1), fen: q.2, reason: c(&q.3), at: q.4 })
        .collect();
    let traffic_rows = t.traffic.iter().map(|d| (traffic.intern(d), d.count, d.latency_n, d.latency_ms_sum)).collect();
    Ok(Tmpl {
        world: t.world,
        list_status: t.list_status.clone(),
        base,
        slots: finder.slots.clone(),
        docs,
        receipts,
        moves,
        keys: keys.iter().map(|(k, d)| (c(k), c(d))).collect(),
        parties: parties.into_iter().map(|(code, d)| (code, c(&d))).collect(),
        quota,
        traffic: traffic_rows,
        list,
    })
}

/// The counters the pipeline numbers lists with, as they stand.
struct Counters {
    values: BTreeMap<String, i64>,
}

impl Counters {
    fn next(&mut self, name: String) -> i64 {
        let v = self.values.entry(name).or_insert(0);
        *v += 1;
        *v
    }
}

/// One copy's values of its template's slots.
fn values(t: &Tmpl, copy: u64, offset: i64, time: i64, buyer_id: &str, counters: &mut Counters) -> Vec<String> {
    let g = copy + 1;
    let date = china_date(time);
    let year = china_year(time);
    t.slots
        .iter()
        .map(|s| match s {
            Slot::Id { ts, ordinal } => uuid7(ts + offset, copy, *ordinal),
            Slot::Guid(k) => guid(copy, *k),
            Slot::OrderNo => format!("ORD{g:013}"),
            Slot::LogisticsNo => format!("LN{g:013}"),
            Slot::PayId => format!("PAY{date}{g:013}"),
            Slot::CopNo => format!("COP{g:017}"),
            Slot::PreNo => format!("B{date}{:09}", counters.next(format!("pre|{date}"))),
            Slot::InvtNo { customs } => {
                format!("{customs}{year}I{:09}", counters.next(format!("invt|{customs}|{year}")))
            }
            Slot::TaxNo { customs } => format!("{year}{:010}", counters.next(format!("tax|{customs}|{year}"))),
            Slot::Buyer => buyer_id.to_owned(),
            Slot::QuotaKey { before, after } => format!("{before}{buyer_id}|{year}{after}"),
            Slot::Millis(v) => (v + offset).to_string(),
            Slot::Stamp17(v) => stamp17(v + offset),
            Slot::Stamp14(v) => china_stamp(v + offset),
        })
        .collect()
}

/// Copies the templates until the database holds `lists` lists. Returns the
/// probe and the number of copies.
pub fn replicate(path: &Path, templates: &[Template], lists: usize) -> anyhow::Result<(Probe, usize)> {
    let started = Instant::now();
    let mut conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = MEMORY", [], |r| r.get(0))?;
    ensure!(mode.eq_ignore_ascii_case("memory"), "the database stayed in journal mode {mode} (is it still open?)");
    conn.execute_batch(
        "PRAGMA synchronous = OFF; PRAGMA cache_size = -2000000; PRAGMA temp_store = MEMORY;
         PRAGMA foreign_keys = OFF;",
    )?;

    let mut traffic_keys = TrafficKeys::default();
    let tmpls: Vec<Tmpl> = templates
        .iter()
        .filter(|t| t.replicate)
        .map(|t| load(&conn, t, &mut traffic_keys))
        .collect::<anyhow::Result<_>>()?;
    ensure!(!tmpls.is_empty(), "no template to replicate");
    let copies = lists.saturating_sub(templates.len());
    let end = tmpls.iter().map(|t| t.base).min().unwrap_or(0) - 60_000;
    let start = end - WINDOW_MS;
    let buyers = (copies / 3).max(1) as u64;
    let mut counters = Counters {
        values: conn
            .prepare("SELECT name, value FROM counters")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?,
    };
    let template_seq: i64 = conn.query_row("SELECT coalesce(max(seq), 0) FROM receipts", [], |r| r.get(0))?;
    let mut seq = template_seq;
    let mut traffic: HashMap<(usize, i64), (i64, i64, i64, i64)> = HashMap::new();
    let mut probe = Probe::default();
    let (mut have_list, mut have_review) = (false, false);
    let half = copies / 2;

    let mut done = 0usize;
    while done < copies {
        let tx = conn.transaction()?;
        {
            let mut doc_stmt = tx.prepare_cached(
                "INSERT INTO documents (id, kind, status, sender, business_key, keys, deadline, created_at, updated_at,
                 message_id, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            let mut key_stmt = tx.prepare_cached("INSERT INTO document_keys (key, doc_id) VALUES (?1, ?2)")?;
            let mut party_stmt = tx.prepare_cached("INSERT INTO document_parties (code, doc_id) VALUES (?1, ?2)")?;
            let mut move_stmt = tx.prepare_cached(
                "INSERT INTO document_moves (doc_id, from_status, to_status, event, reason, actor, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut receipt_stmt = tx.prepare_cached(
                "INSERT INTO receipts (seq, id, doc_id, message_id, message_type, return_status, return_info,
                 business_key, xml, issued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            let mut recipient_stmt = tx.prepare_cached("INSERT INTO receipt_recipients (code, seq) VALUES (?1, ?2)")?;
            let mut quota_stmt = tx.prepare_cached(
                "INSERT INTO quota_ledger (doc_id, key, fen, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let last = copies.min(done + CHUNK);
            for c in done..last {
                let t = &tmpls[c % tmpls.len()];
                let time = start + i64::try_from((c as u128 * WINDOW_MS as u128 / copies as u128) as u64)?;
                let offset = time - t.base;
                let buyer_id = buyer(c as u64 % buyers)?;
                let v = values(t, c as u64, offset, time, &buyer_id, &mut counters);
                for d in &t.docs {
                    doc_stmt.execute(params![
                        d.id.render(&v),
                        d.kind,
                        d.status,
                        d.sender,
                        d.business_key.render(&v),
                        d.keys.render(&v),
                        d.deadline.map(|x| x + offset),
                        d.created_at + offset,
                        d.updated_at + offset,
                        d.message_id,
                        d.body.render(&v),
                    ])?;
                }
                for (k, d) in &t.keys {
                    key_stmt.execute(params![k.render(&v), d.render(&v)])?;
                }
                for (code, d) in &t.parties {
                    party_stmt.execute(params![code, d.render(&v)])?;
                }
                for m in &t.moves {
                    move_stmt.execute(params![
                        m.doc_id.render(&v),
                        m.from,
                        m.to,
                        m.event,
                        m.reason.render(&v),
                        m.actor,
                        m.at + offset
                    ])?;
                }
                let first_seq = seq + 1;
                for r in &t.receipts {
                    seq += 1;
                    receipt_stmt.execute(params![
                        seq,
                        r.id.render(&v),
                        r.doc_id.as_ref().map(|d| d.render(&v)),
                        r.message_id,
                        r.message_type,
                        r.return_status,
                        r.return_info.render(&v),
                        r.business_key.render(&v),
                        r.xml.render(&v),
                        r.issued_at + offset,
                    ])?;
                    for code in &r.recipients {
                        recipient_stmt.execute(params![code, seq])?;
                    }
                }
                for q in &t.quota {
                    quota_stmt.execute(params![
                        q.doc_id.render(&v),
                        q.key.render(&v),
                        q.fen,
                        q.reason.render(&v),
                        q.at + offset
                    ])?;
                }
                let hour = time.div_euclid(HOUR_MS) * HOUR_MS;
                for &(key, count, n, sum) in &t.traffic {
                    let e = traffic.entry((key, hour)).or_default();
                    e.0 += count;
                    e.1 += n;
                    e.2 += sum;
                    if n > 0 {
                        e.3 = e.3.max((sum + n - 1) / n);
                    }
                }
                if c >= half {
                    let list = &t.docs[t.list];
                    if !have_list && t.world == 0 && t.list_status == "released" {
                        let at = |s: &Slot| t.slot(s).map(|i| v[i].clone()).unwrap_or_default();
                        probe.list = list.id.render(&v);
                        probe.order_no = at(&Slot::OrderNo);
                        probe.logistics_no = at(&Slot::LogisticsNo);
                        probe.pay_transaction_id = at(&Slot::PayId);
                        probe.cop_no = at(&Slot::CopNo);
                        probe.invt_no = t
                            .slot_where(|s| matches!(s, Slot::InvtNo { .. }))
                            .map(|i| v[i].clone())
                            .unwrap_or_default();
                        probe.buyer_id = buyer_id.clone();
                        probe.receipt_seq = first_seq;
                        have_list = !probe.invt_no.is_empty();
                    }
                    if !have_review && t.list_status == "manual_review" {
                        probe.review_updated_at = list.updated_at + offset;
                        probe.review_id = list.id.render(&v);
                        have_review = true;
                    }
                }
            }
            done = last;
        }
        tx.commit()?;
        if let Some(free) = path.parent().and_then(super::free_bytes)
            && free < super::MIN_FREE_BYTES
        {
            bail!("the disk holding {} has {} MB left: seeding stopped", path.display(), free >> 20);
        }
        if done % 100_000 < CHUNK || done == copies {
            eprintln!("cbec bench web: {done} of {copies} copies ({:.0} s)", started.elapsed().as_secs_f64());
        }
    }
    ensure!(copies == 0 || (have_list && have_review), "no copy could serve as the probe (too few templates?)");

    let tx = conn.transaction()?;
    {
        let mut up = tx.prepare(
            "INSERT INTO traffic_hourly (enterprise, hour, kind, message_type, mode, direction, return_status, count,
             latency_n, latency_ms_sum, latency_ms_max) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (enterprise, hour, kind, message_type, mode, direction, return_status) DO UPDATE SET
             count = count + excluded.count, latency_n = latency_n + excluded.latency_n,
             latency_ms_sum = latency_ms_sum + excluded.latency_ms_sum,
             latency_ms_max = max(latency_ms_max, excluded.latency_ms_max)",
        )?;
        let mut rows: Vec<_> = traffic.into_iter().collect();
        rows.sort_unstable();
        for ((key, hour), (count, n, sum, max)) in rows {
            let k = &traffic_keys.keys[key];
            up.execute(params![k[0], hour, k[1], k[2], k[3], k[4], k[5], count, n, sum, max])?;
        }
        let mut set = tx.prepare(
            "INSERT INTO counters (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)",
        )?;
        for (name, value) in &counters.values {
            set.execute(params![name, value])?;
        }
        // The templates are the newest traffic: their receipts go after the
        // copies' in issue order.
        let shift = seq;
        if copies > 0 {
            for table in ["receipts", "receipt_recipients", "push_outbox"] {
                tx.execute(
                    &format!("UPDATE {table} SET seq = seq + ?1 WHERE seq <= ?2"),
                    params![shift, template_seq],
                )?;
            }
            tx.execute("UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM receipts) WHERE name = 'receipts'", [])?;
        }
    }
    tx.commit()?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    ensure!(mode.eq_ignore_ascii_case("wal"), "the database did not go back to WAL mode ({mode})");
    let exists: Option<i64> =
        conn.query_row("SELECT 1 FROM documents WHERE id = ?1", [&probe.list], |r| r.get(0)).optional()?;
    ensure!(copies == 0 || exists.is_some(), "the probe list {} was not stored", probe.list);
    Ok((probe, copies))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn copy_ids_are_time_ordered_uuid7() {
        let a = uuid7(1_795_783_995_190, 5, 1);
        let b = uuid7(1_795_783_995_190, 5, 2);
        let c = uuid7(1_795_783_995_191, 0, 0);
        assert!(a < b && b < c, "{a} {b} {c}");
        assert_eq!(uuid_ms(&a), Some(1_795_783_995_190));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "7");
        assert!(is_upper_guid(guid(3, 4).as_bytes()));
        assert_ne!(guid(3, 4), guid(4, 3));
    }

    #[test]
    fn buyers_are_valid_and_distinct() {
        let ids: HashSet<String> = (0..20_000).map(|b| buyer(b).unwrap()).collect();
        assert_eq!(ids.len(), 20_000);
        for id in ids.iter().take(50) {
            assert!(cbec_model::ident::PrcIdNumber::parse(id).is_ok(), "{id}");
        }
    }

    #[test]
    fn texts_are_cut_at_whole_values() {
        let mut f = Finder::default();
        f.add("ORDZ1", Slot::OrderNo);
        f.add("1795783995190", Slot::Millis(1_795_783_995_190));
        f.add("310104196005240005|2026", Slot::QuotaKey { before: String::new(), after: String::new() });
        f.add("310104196005240005", Slot::Buyer);
        let ac = f.cutter().unwrap();
        let t = cut(&ac, &f, "a ORDZ1 b 1795783995190 c 17957839951901 310104196005240005|2026 310104196005240005");
        let v: Vec<String> = ["O", "M", "Q", "B"].map(String::from).to_vec();
        assert_eq!(t.render(&v), "a O b M c 17957839951901 Q B");
        assert_eq!(stamp17(1_795_783_995_190), "20261127205315190");
    }
}
