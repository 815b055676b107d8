//! The first part of seeding: what production writes, written by the
//! production code. Enterprises are filed through the store's approval
//! path with real keys and certificates; a risk rule set is uploaded and
//! activated through the API by two officers; a few hundred retail imports
//! (the templates) go one by one through the real clearance pipeline,
//! some refused (a three-order mismatch, a broken order sent first), some
//! held by the risk rules and then handled by an officer through the API
//! (inspection ordered, passed, detained, rejected); then applications,
//! warnings, test results, sampling plans and orders to enterprises are
//! made through the API. After each template the growth of the hourly
//! traffic aggregates is read, so its copies can add exactly what it added.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use anyhow::{Context as _, bail, ensure};
use cbec_ceb::Message;
use cbec_dsig::KeyAlgorithm;
use cbec_fixtures::{ImportCase, ImportMode};
use cbec_model::filing::{EnterpriseType, Role};
use cbec_pipeline::Sender;
use cbec_pipeline::traffic::{Party, World};
use cbec_store::{Actor, Millis, NewOfficer, NewToken, Principal, Store};
use serde_json::{Value, json};

use super::http;

/// The web sign-in names and passwords of the benchmark's accounts: a
/// reviewer (every page), a risk officer (the dry run) and the portal's
/// enterprise (signing in with its USCC).
pub const OFFICER: &str = "bench-reviewer";
pub const RISK_OFFICER: &str = "bench-risk-officer";
pub const OFFICER_PASSWORD: &str = "bench-web-officer-password";
pub const ENTERPRISE_PASSWORD: &str = "bench-web-enterprise-password";

/// Sets of the five parties of a retail import, each set sending its own
/// share of the traffic.
pub const WORLDS: usize = 3;
/// Filed enterprises without traffic (so the enterprise list has pages).
const EXTRA_ENTERPRISES: usize = 40;
/// The first seed of the templates' imports.
const SEED_BASE: u64 = 9_100_000;
/// The orders in which the four documents of an import are sent (0 order,
/// 1 payment, 2 waybill, 3 list), by template number.
const ROTATIONS: [[usize; 4]; 4] = [[0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1], [1, 2, 3, 0]];
const DAY_MS: i64 = 86_400_000;
const CITIES: [&str; 8] = ["上海", "杭州", "深圳", "广州", "宁波", "郑州", "重庆", "天津"];

/// What happens to a template's import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Matched and released.
    Released,
    /// The platform first sends its order with a wrong total (refused,
    /// -301002), then the right one; released.
    BrokenOrderFirst,
    /// The documents disagree (`cbec_fixtures::mismatches()[k]`): the list is
    /// refused.
    Mismatch(usize),
    /// A risk rule holds the list for document review (300).
    Review,
    /// A risk rule orders inspection (500).
    Inspect,
    /// Review, then the officer orders inspection, then detains (501).
    Detain,
    /// Review, then the officer rejects the list.
    RejectedInReview,
    /// Inspection, then the officer records a pass: released.
    InspectedAndPassed,
    /// The waybill never comes: the list waits (2) until its deadline.
    /// Not replicated: copies would be past their deadline.
    Waiting,
}

impl Plan {
    pub fn of(i: usize) -> Plan {
        if i % 100 == 50 {
            return Plan::Waiting;
        }
        match i % 40 {
            3 => Plan::Mismatch(i / 40 % 8),
            23 => Plan::Mismatch((i / 40 + 4) % 8),
            7 | 27 => Plan::Review,
            11 | 31 => Plan::Inspect,
            15 => Plan::Detain,
            19 => Plan::RejectedInReview,
            35 => Plan::InspectedAndPassed,
            5 | 25 => Plan::BrokenOrderFirst,
            _ => Plan::Released,
        }
    }

    /// The list's status once the plan has run.
    fn status(self) -> &'static str {
        match self {
            Plan::Released | Plan::BrokenOrderFirst | Plan::InspectedAndPassed => "released",
            Plan::Mismatch(_) | Plan::RejectedInReview => "rejected",
            Plan::Review => "manual_review",
            Plan::Inspect => "inspection",
            Plan::Detain => "detained_clearance",
            Plan::Waiting => "declaring",
        }
    }

    fn rule(self) -> Option<&'static str> {
        match self {
            Plan::Review | Plan::Detain | Plan::RejectedInReview => Some("yellow"),
            Plan::Inspect | Plan::InspectedAndPassed => Some("red"),
            _ => None,
        }
    }
}

/// How a template's import grew one row of `traffic_hourly` (summed over
/// hours).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficDelta {
    pub enterprise: String,
    pub kind: String,
    pub message_type: String,
    pub mode: String,
    pub direction: String,
    pub return_status: String,
    pub count: i64,
    pub latency_n: i64,
    pub latency_ms_sum: i64,
}

/// One import sent through the pipeline, as its copies need it.
#[derive(Debug, Clone)]
pub struct Template {
    pub world: usize,
    /// Its documents (order, payment, waybill, list; a refused message's
    /// document if one was stored).
    pub docs: Vec<String>,
    /// Receipts of refused messages that name no document.
    pub orphan_receipts: Vec<String>,
    pub traffic: Vec<TrafficDelta>,
    pub list_status: String,
    pub replicate: bool,
}

/// What the timed pages are asked about, besides the replicated lists.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Accounts {
    /// The enterprise that signs in to the portal (the first platform):
    /// its USCC (the sign-in name) and id.
    pub enterprise_code: String,
    pub enterprise_id: String,
    /// The active rule set.
    pub rule_set: String,
    /// An application awaiting approval (the platform's information change).
    pub application: String,
}

/// The officers' API tokens.
struct Officers {
    reviewer: String,
    supervisor: String,
    risk: String,
}

/// The running seeding: the server, its clock, the parties and tokens.
pub struct Seeding<'a> {
    pub rt: &'a tokio::runtime::Runtime,
    pub state: cbec_server::AppState,
    pub addr: SocketAddr,
    /// Added to the system clock by the server's clock (to make orders
    /// whose deadline has passed).
    pub clock_offset: Arc<AtomicI64>,
    pub path: std::path::PathBuf,
}

/// The filed world: parties and their API tokens.
pub struct Filed {
    worlds: Vec<World>,
    /// API tokens of the parties, by enterprise id.
    tokens: BTreeMap<String, String>,
    extra: Vec<Party>,
    officers: Officers,
}

fn now_ms() -> anyhow::Result<i64> {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).context("the clock is before 1970")?;
    i64::try_from(d.as_millis()).context("the clock is out of range")
}

/// The server's clock: the system clock plus an adjustable offset.
pub fn clock(offset: Arc<AtomicI64>) -> cbec_server::Clock {
    Arc::new(move || Millis(now_ms().unwrap_or(0) + offset.load(Ordering::Relaxed)))
}

fn world_names(w: usize) -> [String; 5] {
    let city = CITIES[w % CITIES.len()];
    [
        format!("{city}优选跨境电商平台有限公司"),
        format!("{city}环球购商贸有限公司"),
        format!("{city}易付支付有限公司"),
        format!("{city}速达国际物流有限公司"),
        format!("{city}通关报关有限公司"),
    ]
}

async fn token_for(store: &dyn Store, owner: Principal, at: Millis) -> anyhow::Result<String> {
    let (token, hash) = cbec_server::auth::generate_token().map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let actor = Actor { principal: Principal::System("bench-web".into()), at };
    store.create_token(NewToken { owner: Some(owner), hash, label: "bench web".into() }, &actor).await?;
    Ok(token)
}

/// Files the worlds and the extra enterprises, creates the officers, gives
/// everyone an API token and the two web accounts their passwords.
pub async fn file(store: &dyn Store) -> anyhow::Result<Filed> {
    use EnterpriseType as T;
    use cbec_pipeline::traffic::file_party;
    let at = Millis(now_ms()? - 30 * DAY_MS);
    let alg = KeyAlgorithm::Sm2;
    let mut worlds = Vec::with_capacity(WORLDS);
    for w in 0..WORLDS {
        let code = |k: u64| cbec_fixtures::uscc(1_000 + 10 * w as u64 + k);
        let names = world_names(w);
        let serial = |k: u64| 0x0300_0000 + 16 * w as u64 + k;
        worlds.push(World {
            ebp: file_party(store, &code(1), &names[0], &[T::Ebp], alg, serial(1), at).await?,
            ebc: file_party(store, &code(2), &names[1], &[T::Ebc], alg, serial(2), at).await?,
            pay: file_party(store, &code(3), &names[2], &[T::Pay], alg, serial(3), at).await?,
            logistics: file_party(store, &code(4), &names[3], &[T::Logistics], alg, serial(4), at).await?,
            agent: file_party(store, &code(5), &names[4], &[T::Agent], alg, serial(5), at).await?,
        });
    }
    const TRADES: [&str; 5] = ["华信", "盛达", "鼎丰", "恒通", "嘉禾"];
    let mut extra = Vec::with_capacity(EXTRA_ENTERPRISES);
    for n in 0..EXTRA_ENTERPRISES {
        let name = format!("{}{}贸易有限公司", CITIES[n % CITIES.len()], TRADES[n / CITIES.len() % TRADES.len()]);
        let code = cbec_fixtures::uscc(5_000 + n as u64);
        extra.push(file_party(store, &code, &name, &[T::Ebc], alg, 0x0400_0000 + n as u64, at).await?);
    }
    let mut tokens = BTreeMap::new();
    for p in worlds.iter().flat_map(|w| [&w.ebp, &w.ebc, &w.pay, &w.logistics, &w.agent]).chain(extra.iter()) {
        tokens.insert(p.id.clone(), token_for(store, Principal::Enterprise(p.id.clone()), at).await?);
    }
    let officer = async |name: &str, role: Role| -> anyhow::Result<(String, String)> {
        let (token, hash) = cbec_server::auth::generate_token().map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        let actor = Actor { principal: Principal::System("bench-web".into()), at };
        let o = store
            .create_officer(
                NewOfficer { name: name.into(), role },
                NewToken { owner: None, hash, label: "bench web".into() },
                &actor,
            )
            .await?;
        Ok((o.id, token))
    };
    let (_, reviewer) = officer(OFFICER, Role::Reviewer).await?;
    let (_, supervisor) = officer("bench-supervisor", Role::Supervisor).await?;
    let (_, risk) = officer(RISK_OFFICER, Role::RiskOfficer).await?;
    passwords(store, &worlds[0].ebp.code).await?;
    Ok(Filed { worlds, tokens, extra, officers: Officers { reviewer, supervisor, risk } })
}

/// Gives the benchmark's web accounts their passwords, unless they have
/// one (through the store, as `cbec admin set-password` does).
pub async fn passwords(store: &dyn Store, enterprise_code: &str) -> anyhow::Result<()> {
    let actor = Actor { principal: Principal::System("bench-web".into()), at: Millis(now_ms()?) };
    for (name, password) in
        [(OFFICER, OFFICER_PASSWORD), (RISK_OFFICER, OFFICER_PASSWORD), (enterprise_code, ENTERPRISE_PASSWORD)]
    {
        let account = cbec_server::web::account_by_name(store, name)
            .await?
            .with_context(|| format!("the database has no account {name}"))?;
        if store.password_hash(&account.principal).await?.is_none() {
            let hash =
                cbec_server::web::hash_password(password).map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
            store.set_password(&account.principal, &hash, &actor).await?;
        }
    }
    Ok(())
}

impl Seeding<'_> {
    /// A JSON API call with a bearer token; the answer's JSON, which must
    /// come with a 2xx status.
    fn api(&self, token: &str, method: &str, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.api_raw(token, method, path, "application/json", body.to_string().as_bytes())
    }

    fn api_raw(&self, token: &str, method: &str, path: &str, content_type: &str, body: &[u8]) -> anyhow::Result<Value> {
        let auth = format!("Bearer {token}");
        let headers = [("Authorization", auth.as_str()), ("Content-Type", content_type)];
        let r = http::request(self.addr, method, path, &headers, body)?;
        ensure!((200..300).contains(&r.status), "{method} {path}: {} {}", r.status, r.body);
        if r.body.is_empty() { Ok(Value::Null) } else { r.json() }
    }

    fn submit(&self, sender: &Party, body: Vec<u8>) -> anyhow::Result<cbec_pipeline::Answer> {
        let who = Sender { id: sender.id.clone(), codes: vec![sender.code.clone()] };
        let answer = self
            .rt
            .block_on(self.state.pipeline.submit(&who, body, self.state.now()))
            .with_context(|| format!("a message of {}", sender.code))?;
        ensure!(!answer.duplicate, "a message was taken for a duplicate: is the database empty?");
        Ok(answer)
    }
}

/// The rule set: two rules over buyers' identity numbers (those of the
/// templates planned for review and for inspection), no random selection,
/// so each template ends where its plan says.
fn rule_file(cases: &[(Plan, ImportCase)]) -> String {
    let ids = |lane: &str| -> String {
        let ids: Vec<String> = cases
            .iter()
            .filter(|(p, _)| p.rule() == Some(lane))
            .map(|(_, c)| format!("\"{}\"", c.buyer_id()))
            .collect();
        ids.join(", ")
    };
    format!(
        "version = \"bench-web-1\"\n[rates]\nminimum_random_inspection = 0.0\nyellow = 0.0\n\n\
         [[rule]]\nid = \"R-BENCH-REVIEW\"\ndescription = \"Buyers whose identity was reported misused: document review\"\n\
         lane = \"yellow\"\n[rule.when]\ndirection = \"import\"\nbuyer_id = [{}]\n\n\
         [[rule]]\nid = \"R-BENCH-INSPECT\"\ndescription = \"Buyers under investigation: physical inspection\"\n\
         lane = \"red\"\n[rule.when]\ndirection = \"import\"\nbuyer_id = [{}]\n",
        ids("yellow"),
        ids("red")
    )
}

/// The traffic aggregates summed over hours, by every other column.
type TrafficSums = BTreeMap<[String; 7], (i64, i64, i64)>;

fn traffic_sums(conn: &rusqlite::Connection) -> anyhow::Result<TrafficSums> {
    let mut stmt = conn.prepare_cached(
        "SELECT enterprise, kind, message_type, mode, direction, return_status, '', sum(count), sum(latency_n),
         sum(latency_ms_sum) FROM traffic_hourly GROUP BY 1, 2, 3, 4, 5, 6",
    )?;
    let rows = stmt.query_map([], |r| {
        let key: [String; 7] = [r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?];
        Ok((key, (r.get(7)?, r.get(8)?, r.get(9)?)))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn delta(before: &TrafficSums, after: &TrafficSums) -> Vec<TrafficDelta> {
    after
        .iter()
        .filter_map(|(k, &(c, n, s))| {
            let (c0, n0, s0) = before.get(k).copied().unwrap_or_default();
            (c != c0 || n != n0).then(|| TrafficDelta {
                enterprise: k[0].clone(),
                kind: k[1].clone(),
                message_type: k[2].clone(),
                mode: k[3].clone(),
                direction: k[4].clone(),
                return_status: k[5].clone(),
                count: c - c0,
                latency_n: n - n0,
                latency_ms_sum: s - s0,
            })
        })
        .collect()
}

/// The order of a case with a wrong total on its first item and guids of
/// its own: refused with -301002.
fn broken_order(case: &ImportCase, seed: u64) -> Message {
    let mut order = case.order.clone();
    let mut r = cbec_fixtures::Rng::new(seed ^ 0xB0B0);
    order.guid = r.guid();
    if let Some(o) = order.order.first_mut() {
        o.order_head.guid = r.guid();
        if let Some(item) = o.order_list.first_mut() {
            item.total_price += item.total_price;
        }
    }
    Message::CEB311Message(Box::new(order))
}

/// Uploads and activates the rule set, then sends the templates one by one
/// and records each (progress on standard error every 50); returns them
/// and the rule set's id.
pub fn templates(s: &Seeding<'_>, f: &Filed, count: usize) -> anyhow::Result<(Vec<Template>, String)> {
    let cases: Vec<(Plan, ImportCase)> = (0..count)
        .map(|i| {
            let w = &f.worlds[i % WORLDS];
            let mut case =
                cbec_fixtures::import_case(SEED_BASE + i as u64, ImportMode::DirectPurchase, 1 + i % 3, &w.codes());
            let plan = Plan::of(i);
            if let Plan::Mismatch(k) = plan {
                let all = cbec_fixtures::mismatches();
                (all[k % all.len()].apply)(&mut case);
            }
            (plan, case)
        })
        .collect();

    // The rule set, uploaded by the risk officer, activated by the supervisor.
    let rules = rule_file(&cases);
    let uploaded =
        s.api_raw(&f.officers.risk, "POST", "/api/v1/risk/rule-sets", "application/toml", rules.as_bytes())?;
    let rule_set = uploaded["id"].as_str().context("the uploaded rule set has no id")?.to_owned();
    s.api(
        &f.officers.supervisor,
        "POST",
        &format!("/api/v1/risk/rule-sets/{rule_set}/decision"),
        &json!({"approve": true, "note": "bench web: reviewed"}),
    )?;

    let traffic = rusqlite::Connection::open_with_flags(&s.path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .context("opening the database to read the traffic aggregates")?;
    let mut before = traffic_sums(&traffic)?;
    let mut out = Vec::with_capacity(count);
    let started = std::time::Instant::now();
    for (i, (plan, case)) in cases.iter().enumerate() {
        let w = &f.worlds[i % WORLDS];
        let senders = [&w.ebp, &w.pay, &w.logistics, &w.agent];
        let signed = w.sign_case(case).with_context(|| format!("signing template {i}"))?;
        let mut answers = Vec::new();
        if *plan == Plan::BrokenOrderFirst {
            let bad = w.ebp.sign(&broken_order(case, SEED_BASE + i as u64))?;
            let a = s.submit(&w.ebp, bad)?;
            ensure!(String::from_utf8_lossy(&a.xml).contains("-301002"), "the broken order was not refused");
            answers.push(a);
        }
        let mut signed = signed.map(Some);
        for &d in &ROTATIONS[i % 4] {
            if *plan == Plan::Waiting && d == 2 {
                continue;
            }
            let body = signed[d].take().context("a document was sent twice")?;
            answers.push(s.submit(senders[d], body)?);
        }
        let mut docs: Vec<String> = Vec::new();
        let mut orphan_receipts = Vec::new();
        for r in answers.iter().flat_map(|a| &a.receipts) {
            match &r.doc_id {
                Some(d) if !docs.contains(d) => docs.push(d.clone()),
                Some(_) => {}
                None => orphan_receipts.push(r.id.clone()),
            }
        }
        let mut list = None;
        for d in &docs {
            let row = s.rt.block_on(s.state.store.document(d))?;
            if row.kind == "list" {
                list = Some(row);
            }
        }
        let list = list.with_context(|| format!("template {i} stored no list"))?;
        // What the officer does, through the API.
        let act = |action: &str, extra: Value| -> anyhow::Result<()> {
            let mut body = json!({"action": action, "reason": format!("bench web: {action}")});
            if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
                b.extend(e.clone());
            }
            s.api(&f.officers.reviewer, "POST", &format!("/api/v1/documents/{}/actions", list.id), &body).map(drop)
        };
        match plan {
            Plan::Detain => {
                act("inspect", json!({}))?;
                act("detain", json!({"code": 501}))?;
            }
            Plan::RejectedInReview => act("reject", json!({}))?,
            Plan::InspectedAndPassed => act("inspection_passed", json!({}))?,
            _ => {}
        }
        let status = s.rt.block_on(s.state.store.document(&list.id))?.status;
        ensure!(
            status == plan.status(),
            "template {i} ({plan:?}) ended in {status}, not {}: {}",
            plan.status(),
            answers.iter().map(|a| String::from_utf8_lossy(&a.xml).into_owned()).collect::<Vec<_>>().join("\n")
        );
        let after = traffic_sums(&traffic)?;
        out.push(Template {
            world: i % WORLDS,
            docs,
            orphan_receipts,
            traffic: delta(&before, &after),
            list_status: status,
            replicate: *plan != Plan::Waiting,
        });
        before = after;
        if (i + 1) % 50 == 0 {
            eprintln!(
                "cbec bench web: {} of {count} templates through the pipeline ({:.0?})",
                i + 1,
                started.elapsed()
            );
        }
    }
    Ok((out, rule_set))
}

/// Applications awaiting approval, warnings (some lifted), test results,
/// sampling plans, reduction and rectification orders (some past their
/// deadline, some answered), all through the API. Returns the accounts the
/// timed pages use.
pub fn extras(s: &Seeding<'_>, f: &Filed, rule_set: String) -> anyhow::Result<Accounts> {
    let now = now_ms()?;
    let token = |p: &Party| f.tokens.get(&p.id).cloned().context("a party without a token");
    let risk = &f.officers.risk;

    // Applications: information changes and overseas warehouses.
    let change = |p: &Party, n: usize| -> anyhow::Result<String> {
        let e = s.rt.block_on(s.state.store.enterprise(&p.id))?;
        let mut record = serde_json::to_value(&e.record)?;
        record["address"] = json!(format!("上海市黄浦区中山东一路{}号", 10 + n));
        record["telephone"] = json!(format!("021-6{:07}", 1_000_000 + n));
        let a = s.api(
            &token(p)?,
            "POST",
            "/api/v1/applications",
            &json!({"kind": "info_change", "payload": {"record": record}}),
        )?;
        a["id"].as_str().map(str::to_owned).context("an application without an id")
    };
    let mut application = String::new();
    for (w, world) in f.worlds.iter().enumerate() {
        let id = change(&world.ebp, w)?;
        if w == 0 {
            application = id;
        }
        change(&world.logistics, 10 + w)?;
        let warehouse = json!({"warehouse": {
            "name": format!("Hamburg DC {}", w + 1), "country": "304", "address": format!("Am Hafen {}, Hamburg", w + 1),
            "area_m2": "1200.5", "nature": "leased", "document": format!("lease 2026/{}", 17 + w)}});
        s.api(
            &token(&world.ebc)?,
            "POST",
            "/api/v1/applications",
            &json!({"kind": "overseas_warehouse", "payload": warehouse}),
        )?;
    }
    for (n, p) in f.extra.iter().enumerate().take(20) {
        change(p, 100 + n)?;
    }

    // Warnings on officers' findings (a third lifted), test results and
    // warnings raised on them, sampling plans.
    for n in 0..30usize {
        let (severity, measure) =
            if n % 2 == 0 { ("low", "hold_for_inspection") } else { ("critical", "refuse_entry") };
        let w = s.api(
            risk,
            "POST",
            "/api/v1/monitoring/warnings",
            &json!({"finding": {"scope": {"brand": format!("BENCH-BRAND-{n:02}")}, "severity": severity,
                "measure": measure, "valid_until": now + 90 * DAY_MS,
                "finding": format!("counterfeit goods of brand BENCH-BRAND-{n:02} reported by the brand owner")}}),
        )?;
        if n % 3 == 2 {
            let id = w["id"].as_str().context("a warning without an id")?;
            s.api(
                risk,
                "POST",
                &format!("/api/v1/monitoring/warnings/{id}/commands"),
                &json!({"expected_version": 1, "command": "lift", "reason": "the brand owner withdrew the report"}),
            )?;
        }
    }
    for (n, world) in f.worlds.iter().enumerate() {
        let result = s.api(
            risk,
            "POST",
            "/api/v1/monitoring/test-results",
            &json!({"product": {"hs_code": "1901101000", "name": "婴儿配方奶粉", "enterprise": world.ebc.code,
                    "batch": format!("LOT-2026-{:03}", n + 1), "origin_country": "309"},
                "lab": "长春海关技术中心", "sampled_at": now - 3 * DAY_MS, "tested_at": now - DAY_MS,
                "outcome": {"verdict": "fail", "findings": ["Enterobacter sakazakii detected in 3 of 5 samples"],
                    "hazard": "microbial"}}),
        )?;
        let id = result["id"].as_str().context("a test result without an id")?;
        s.api(risk, "POST", "/api/v1/monitoring/warnings", &json!({"from_result": id, "severity": "medium"}))?;
        let prefix = ["1901", "3304", "2106"][n % 3];
        s.api(
            risk,
            "POST",
            "/api/v1/monitoring/sampling-plans",
            &json!({"scope": {"hs_prefix": prefix},
                "sampling": {"kind": "rate", "per_mille": 20 + 10 * n}, "starts_at": now,
                "reason": "quarterly quality and safety sampling"}),
        )?;
    }

    // Orders to the platforms and e-commerce enterprises: some issued ten
    // days ago with a week to answer (past their deadline now), some
    // answered.
    for world in &f.worlds {
        for (p, n) in [(&world.ebp, 0), (&world.ebc, 1)] {
            for k in 0..4usize {
                let late = k < 2;
                s.clock_offset.store(if late { -10 * DAY_MS } else { 0 }, Ordering::Relaxed);
                let issued_at = now + s.clock_offset.load(Ordering::Relaxed);
                let order = s.api(
                    risk,
                    "POST",
                    "/api/v1/monitoring/reduction-orders",
                    &json!({"enterprise": p.code, "action": if k % 2 == 0 { "recall" } else { "stop_sale" },
                        "goods": format!("婴儿配方奶粉 LOT-2026-{:03}, {} cans", 10 * n + k, 100 * (k + 1)),
                        "deadline": issued_at + 7 * DAY_MS}),
                )?;
                s.clock_offset.store(0, Ordering::Relaxed);
                if k == 3 {
                    let id = order["id"].as_str().context("an order without an id")?;
                    s.api(
                        &token(p)?,
                        "POST",
                        &format!("/api/v1/monitoring/reduction-orders/{id}/commands"),
                        &json!({"expected_version": 1, "command": "respond", "text": "goods recalled from every shop",
                            "evidence": [format!("RC-{n}{k}")]}),
                    )?;
                }
            }
        }
        s.api(
            risk,
            "POST",
            "/api/v1/monitoring/rectification-orders",
            &json!({"enterprise": world.ebc.code, "violation": "false_declaration",
                "description": "declared values of lists understated", "documents": [],
                "deadline": now + 15 * DAY_MS}),
        )?;
    }
    s.clock_offset.store(0, Ordering::Relaxed);
    if application.is_empty() {
        bail!("no application was made");
    }
    Ok(Accounts {
        enterprise_code: f.worlds[0].ebp.code.clone(),
        enterprise_id: f.worlds[0].ebp.id.clone(),
        rule_set,
        application,
    })
}
