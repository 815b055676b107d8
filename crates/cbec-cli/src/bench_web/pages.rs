//! The timed pages: an officer's and an enterprise's sessions (signed in
//! through `/login` with its CSRF cookie), each page requested once and
//! checked, then timed round-robin.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Instant;

use anyhow::{Context as _, ensure};

use super::Targets;
use super::http::{self, encode, form};
use super::seed::{ENTERPRISE_PASSWORD, OFFICER, OFFICER_PASSWORD, RISK_OFFICER};

/// One page's figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PageTiming {
    pub page: String,
    /// `POST` for a form (the dry run), else `GET`.
    pub method: &'static str,
    pub path: String,
    /// The form posted (without its CSRF token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    pub status: u16,
    pub bytes: usize,
    /// The first (warm-up) request, not counted in the figures below.
    pub first_ms: f64,
    pub median_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

/// What was measured, and what was wrong.
pub struct Timed {
    pub pages: Vec<PageTiming>,
    pub found: BTreeMap<String, bool>,
    /// Pages that failed or did not show what they must.
    pub problems: Vec<String>,
}

/// Whose session asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Reviewer,
    RiskOfficer,
    Enterprise,
}

struct Page {
    name: &'static str,
    path: String,
    who: Who,
    /// A form posted (with the session's CSRF token added) instead of a GET.
    form: Option<Vec<(&'static str, String)>>,
    /// Text the answer must hold.
    must: Vec<String>,
    /// A search: recorded in `found`.
    search: bool,
}

fn page(name: &'static str, path: String, must: &[&str]) -> Page {
    Page {
        name,
        path,
        who: Who::Reviewer,
        form: None,
        must: must.iter().map(|s| (*s).to_owned()).collect(),
        search: false,
    }
}

fn search(name: &'static str, q: &str, must: &str) -> Page {
    Page { search: true, ..page(name, format!("/search?q={}", encode(q)), &[must]) }
}

fn portal(name: &'static str, path: String, must: &[&str]) -> Page {
    Page { who: Who::Enterprise, ..page(name, path, must) }
}

fn pages(t: &Targets, dry_run_lists: u32) -> Vec<Page> {
    let p = &t.probe;
    let a = &t.accounts;
    let list_link = format!("/documents/{}", p.list);
    let doc_link = "/documents/";
    vec![
        page("dashboard", "/dashboard".into(), &["<svg"]),
        page("dashboard_week", "/dashboard?hours=168".into(), &["<svg"]),
        page("dashboard_csv", "/dashboard/lists.csv".into(), &[]),
        page("queues", "/queues".into(), &[]),
        page("queue_applications", "/queues/applications".into(), &[&a.application]),
        page("queue_warehouses", "/queues/applications?kind=overseas_warehouse".into(), &["overseas_warehouse"]),
        page("application", format!("/applications/{}", a.application), &[]),
        page("queue_review", "/queues/lists".into(), &[doc_link]),
        page("queue_inspection", "/queues/lists?status=inspection".into(), &[doc_link]),
        page("queue_detained", "/queues/lists?status=detained_clearance".into(), &[doc_link]),
        page(
            "queue_review_deep",
            format!(
                "/queues/lists?status=manual_review&after={}",
                encode(&format!("{}~{}", p.review_updated_at, p.review_id))
            ),
            &[doc_link],
        ),
        page("queue_orders", "/queues/orders".into(), &[]),
        page("document", list_link.clone(), &[&p.order_no, &p.invt_no, &p.pay_transaction_id, &p.logistics_no]),
        page("enterprises", "/enterprises".into(), &[&a.enterprise_id]),
        page("enterprises_by_name", format!("/enterprises?name={}", encode("上海")), &[&a.enterprise_id]),
        page("enterprise", format!("/enterprises/{}", a.enterprise_id), &[&a.enterprise_code]),
        page("risk", "/risk".into(), &[&a.rule_set]),
        page("rule_set", format!("/risk/rule-sets/{}", a.rule_set), &["R-BENCH-REVIEW"]),
        page("risk_warnings", "/risk/warnings".into(), &["BENCH-BRAND"]),
        page("risk_sampling", "/risk/sampling".into(), &[]),
        Page {
            who: Who::RiskOfficer,
            form: Some(vec![("rule_set", a.rule_set.clone()), ("limit", dry_run_lists.to_string())]),
            ..page("risk_dry_run", "/risk/dry-run".into(), &["R-BENCH-REVIEW"])
        },
        search("search_order_no", &p.order_no, &list_link),
        search("search_logistics_no", &p.logistics_no, &list_link),
        search("search_invt_no", &p.invt_no, &list_link),
        search("search_buyer_id", &p.buyer_id, &list_link),
        search("search_pay_transaction_id", &p.pay_transaction_id, &list_link),
        search("search_enterprise_code", &a.enterprise_code, &format!("/enterprises/{}", a.enterprise_id)),
        portal("portal", "/portal".into(), &[&a.enterprise_code]),
        portal("portal_applications", "/portal/applications".into(), &[&a.application]),
        portal("portal_messages", "/portal/messages".into(), &[]),
        portal("portal_messages_deep", format!("/portal/messages?before={}", p.receipt_seq), &[]),
        portal("portal_lists", "/portal/lists".into(), &["/portal/documents/"]),
        portal("portal_lists_deep", format!("/portal/lists?before={}", p.list), &["/portal/documents/"]),
        portal("portal_lists_all", "/portal/lists?kind=all".into(), &["/portal/documents/"]),
        portal("portal_document", format!("/portal/documents/{}", p.list), &[]),
        portal("portal_orders", "/portal/orders".into(), &[]),
        portal("portal_tokens", "/portal/tokens".into(), &[]),
        portal("portal_webhook", "/portal/webhook".into(), &[]),
    ]
}

/// Signs in through the sign-in form; the session cookie's value.
fn sign_in(addr: SocketAddr, name: &str, password: &str) -> anyhow::Result<String> {
    let form_page = http::request(addr, "GET", "/login", &[], b"")?;
    let csrf = form_page.set_cookie("cbec_csrf").context("the sign-in page set no CSRF cookie")?;
    let cookie = format!("cbec_csrf={csrf}");
    let body = form(&[("name", name), ("password", password), ("csrf", &csrf)]);
    let r = http::request(
        addr,
        "POST",
        "/login",
        &[("Cookie", &cookie), ("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    )?;
    ensure!(r.status == 303, "signing in as {name}: {} {}", r.status, r.body);
    r.set_cookie("cbec_session").filter(|s| !s.is_empty()).with_context(|| format!("no session cookie for {name}"))
}

/// Nearest-rank percentile of sorted milliseconds.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    (sorted[rank - 1] * 10.0).round() / 10.0
}

/// A signed-in session: its cookie and its form token.
struct Session {
    cookie: String,
    csrf: String,
}

fn session(addr: SocketAddr, name: &str, password: &str) -> anyhow::Result<Session> {
    let cookie = format!("cbec_session={}", sign_in(addr, name, password)?);
    // Every page with a form carries the session's token; the sign-out form
    // is on every page.
    let home = http::request(addr, "GET", "/risk", &[("Cookie", &cookie)], b"")?;
    const FIELD: &str = "name=\"csrf\" value=\"";
    let csrf = home
        .body
        .find(FIELD)
        .and_then(|i| home.body[i + FIELD.len()..].split('"').next())
        .unwrap_or_default()
        .to_owned();
    Ok(Session { cookie, csrf })
}

pub fn time(addr: SocketAddr, targets: &Targets, runs: usize, dry_run_lists: u32) -> anyhow::Result<Timed> {
    let reviewer = session(addr, OFFICER, OFFICER_PASSWORD)?;
    let risk = session(addr, RISK_OFFICER, OFFICER_PASSWORD)?;
    let enterprise = Session {
        cookie: format!("cbec_session={}", sign_in(addr, &targets.accounts.enterprise_code, ENTERPRISE_PASSWORD)?),
        csrf: String::new(),
    };
    ensure!(!risk.csrf.is_empty(), "no CSRF token on the risk officer's pages");
    let pages = pages(targets, dry_run_lists);
    let get = |p: &Page| {
        let s = match p.who {
            Who::Reviewer => &reviewer,
            Who::RiskOfficer => &risk,
            Who::Enterprise => &enterprise,
        };
        let started = Instant::now();
        let r = match &p.form {
            None => http::request(addr, "GET", &p.path, &[("Cookie", &s.cookie)], b""),
            Some(fields) => {
                let mut pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                pairs.push(("csrf", &s.csrf));
                let body = form(&pairs);
                let headers = [("Cookie", s.cookie.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
                http::request(addr, "POST", &p.path, &headers, body.as_bytes())
            }
        };
        (r, started.elapsed().as_secs_f64() * 1000.0)
    };

    // The warm-up: every page once, checked.
    let mut problems = Vec::new();
    let mut found = BTreeMap::new();
    let mut first = Vec::with_capacity(pages.len());
    for p in &pages {
        let (r, first_ms) = get(p);
        let r = r.with_context(|| format!("page {}", p.name))?;
        let missing: Vec<&String> = p.must.iter().filter(|m| !r.body.contains(m.as_str())).collect();
        if r.status != 200 {
            problems.push(format!("{} ({}) answered {}", p.name, p.path, r.status));
        } else if !missing.is_empty() {
            problems.push(format!("{} ({}) does not show {missing:?}", p.name, p.path));
        }
        if p.search {
            found.insert(p.name.trim_start_matches("search_").to_owned(), r.status == 200 && missing.is_empty());
        }
        first.push((r.status, r.body.len(), first_ms));
    }

    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(runs); pages.len()];
    for _ in 0..runs {
        for (i, p) in pages.iter().enumerate() {
            let (r, ms) = get(p);
            let r = r.with_context(|| format!("page {}", p.name))?;
            if r.status != first[i].0 {
                problems.push(format!("{} answered {} after {}", p.name, r.status, first[i].0));
            }
            times[i].push(ms);
        }
    }
    let pages = pages
        .iter()
        .zip(times)
        .zip(first)
        .map(|((p, mut t), (status, bytes, first_ms))| {
            t.sort_by(f64::total_cmp);
            PageTiming {
                page: p.name.to_owned(),
                method: if p.form.is_some() { "POST" } else { "GET" },
                path: p.path.clone(),
                form: p.form.as_ref().map(|f| form(&f.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>())),
                status,
                bytes,
                first_ms: (first_ms * 10.0).round() / 10.0,
                median_ms: percentile(&t, 0.5),
                p95_ms: percentile(&t, 0.95),
                max_ms: percentile(&t, 1.0),
            }
        })
        .collect();
    Ok(Timed { pages, found, problems })
}
