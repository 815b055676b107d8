//! `/dashboard`: intake per hour (messages by direction, lists by mode),
//! acceptance and rejection with the top refusal codes, quota refusals,
//! throughput and latency, as SVG charts each with its numbers as a table
//! and as CSV (`/dashboard/<chart>.csv` or `?format=csv&chart=<chart>`);
//! and the gauges: lists pending matching, in manual review, in
//! inspection, detained, and the risk warnings in force.
//!
//! Nothing here reads the documents or receipts: the charts come from the
//! hourly aggregates (`Store::traffic`, one primary-key range), the gauges
//! from bounded counts over the status index (`Store::count_documents`,
//! at most [`CAP`] index entries each) and the risk API's summary.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use cbec_store::traffic::{HOUR_MS, MESSAGE, hour_of, is_rejection};
use cbec_store::{Millis, TrafficRow};

use super::escape;
use super::officer::{Ctx, china_time, officer_ctx, param};
use super::svg::stacked_bars;
use crate::AppState;
use crate::json::Json;

/// The most index entries a gauge counts (it shows "≥ CAP" beyond).
pub(crate) const CAP: u32 = 10_000;
/// The windows offered, in hours.
const WINDOWS: [i64; 3] = [24, 72, 168];
/// The codes of the single and annual limits (quota refusals).
pub(crate) const QUOTA_CODES: [&str; 2] = ["-621005", "-621018"];
/// The most refusal codes listed.
const TOP_CODES: usize = 10;

/// The numbers of one chart: rows (hours, or codes) × columns.
pub(crate) struct Table {
    pub id: &'static str,
    pub title: String,
    pub desc: String,
    /// The first column's heading (hour, code).
    pub first: String,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<i64>)>,
    /// The columns drawn (stacked) in the chart.
    pub plotted: Vec<usize>,
}

impl Table {
    fn html(&self) -> String {
        let mut s = format!(
            "<table class=\"numbers\" id=\"{id}-table\"><caption>{title}</caption><thead><tr><th scope=\"col\">{first}</th>",
            id = self.id,
            title = escape(&self.title),
            first = escape(&self.first)
        );
        for c in &self.columns {
            s.push_str(&format!("<th scope=\"col\">{}</th>", escape(c)));
        }
        s.push_str("</tr></thead><tbody>");
        for (label, values) in &self.rows {
            s.push_str(&format!("<tr><th scope=\"row\">{}</th>", escape(label)));
            for v in values {
                s.push_str(&format!("<td>{v}</td>"));
            }
            s.push_str("</tr>");
        }
        s.push_str("</tbody></table>");
        s
    }

    /// The same numbers as CSV (RFC 4180 quoting).
    pub fn csv(&self) -> String {
        let q = |v: &str| {
            if v.contains([',', '"', '\n']) { format!("\"{}\"", v.replace('"', "\"\"")) } else { v.to_string() }
        };
        let mut out = q(&self.first);
        for c in &self.columns {
            out.push(',');
            out.push_str(&q(c));
        }
        out.push_str("\r\n");
        for (label, values) in &self.rows {
            out.push_str(&q(label));
            for v in values {
                out.push(',');
                out.push_str(&v.to_string());
            }
            out.push_str("\r\n");
        }
        out
    }

    fn svg(&self) -> String {
        if self.plotted.is_empty() {
            return String::new();
        }
        let labels: Vec<String> = self.rows.iter().map(|(l, _)| l.clone()).collect();
        let series: Vec<(String, Vec<i64>)> = self
            .plotted
            .iter()
            .filter_map(|&c| {
                let name = self.columns.get(c)?.clone();
                Some((name, self.rows.iter().map(|(_, v)| v.get(c).copied().unwrap_or(0)).collect()))
            })
            .collect();
        stacked_bars(&format!("{}-chart", self.id), &self.title, &self.desc, &labels, &series)
    }

    fn section(&self, ctx: &Ctx, hours: i64) -> String {
        format!(
            "<section class=\"chart-box\" aria-labelledby=\"{id}-h\"><h2 id=\"{id}-h\">{title}</h2>{svg}\
             <details><summary>{numbers}</summary>{table}</details>\
             <p><a href=\"/dashboard/{id}.csv?hours={hours}\" id=\"{id}-csv\" download>{csv}</a></p></section>\n",
            id = self.id,
            title = escape(&self.title),
            svg = self.svg(),
            numbers = ctx.t("numbers"),
            table = self.html(),
            csv = ctx.t("download_csv"),
        )
    }
}

/// The hours of the window, oldest first, ending with the current hour.
fn window(now: Millis, hours: i64) -> Vec<i64> {
    let last = hour_of(now).0;
    (0..hours).rev().map(|i| last - i * HOUR_MS).collect()
}

fn hour_label(h: i64) -> String {
    // MM-DD HH:00 in China time.
    let t = china_time(h);
    format!("{}:00", t.get(5..13).unwrap_or(&t))
}

/// Sums `value(row)` into `column(row)` per hour, for the rows `keep` selects.
fn per_hour(
    hours: &[i64],
    rows: &[TrafficRow],
    columns: &[String],
    keep: impl Fn(&TrafficRow) -> Option<(String, i64)>,
) -> Vec<(String, Vec<i64>)> {
    let index: HashMap<i64, usize> = hours.iter().enumerate().map(|(i, h)| (*h, i)).collect();
    let mut table = vec![vec![0i64; columns.len()]; hours.len()];
    for r in rows {
        let (Some(&i), Some((col, v))) = (index.get(&r.hour.0), keep(r)) else { continue };
        if let Some(c) = columns.iter().position(|x| *x == col) {
            table[i][c] += v;
        }
    }
    hours.iter().zip(table).map(|(h, v)| (hour_label(*h), v)).collect()
}

fn mode_name(r: &TrafficRow) -> String {
    match (r.mode.as_str(), r.direction.as_str()) {
        ("", "") => "—".to_string(),
        ("", d) => d.to_string(),
        (m, d) => format!("{m} {d}"),
    }
}

/// Every chart of the dashboard over `rows` (the aggregates of all
/// enterprises in the window).
pub(crate) fn tables(ctx: &Ctx, hours: &[i64], rows: &[TrafficRow]) -> Vec<Table> {
    let t = |k| ctx.t(k).to_string();
    let hour = t("hour");
    let messages: Vec<&TrafficRow> = rows.iter().filter(|r| r.kind == MESSAGE).collect();
    let owned = |v: &[&TrafficRow]| v.iter().map(|r| (*r).clone()).collect::<Vec<_>>();
    let message_rows = owned(&messages);

    // Messages by direction.
    let dirs: Vec<String> = vec!["import".into(), "export".into(), "—".into()];
    let by_dir = per_hour(hours, &message_rows, &dirs, |r| {
        Some((if r.direction.is_empty() { "—".into() } else { r.direction.clone() }, r.count))
    });

    // Lists by mode and direction.
    let lists: Vec<TrafficRow> = rows.iter().filter(|r| r.kind == "list" || r.kind == "export_list").cloned().collect();
    let modes: Vec<String> = lists.iter().map(mode_name).collect::<BTreeSet<_>>().into_iter().collect();
    let by_mode = per_hour(hours, &lists, &modes, |r| Some((mode_name(r), r.count)));

    // Accepted and refused messages.
    let outcomes_cols = vec![t("accepted"), t("rejected")];
    let (acc, rej) = (outcomes_cols[0].clone(), outcomes_cols[1].clone());
    let outcomes = per_hour(hours, &message_rows, &outcomes_cols, |r| {
        Some((if is_rejection(&r.return_status) { rej.clone() } else { acc.clone() }, r.count))
    });

    // The refusal codes of messages, most frequent first.
    let mut codes: BTreeMap<&str, i64> = BTreeMap::new();
    for r in messages.iter().filter(|r| is_rejection(&r.return_status)) {
        *codes.entry(r.return_status.as_str()).or_default() += r.count;
    }
    let mut top: Vec<(&str, i64)> = codes.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    top.truncate(TOP_CODES);

    // Quota refusals of lists.
    let quota_cols = vec![t("quota_single"), t("quota_annual")];
    let quota = per_hour(hours, &lists, &quota_cols, |r| {
        QUOTA_CODES.iter().position(|c| *c == r.return_status).map(|i| (quota_cols[i].clone(), r.count))
    });

    // Throughput and latency.
    let index: HashMap<i64, usize> = hours.iter().enumerate().map(|(i, h)| (*h, i)).collect();
    let mut lat = vec![(0i64, 0i64, 0i64, 0i64); hours.len()];
    for r in &messages {
        if let Some(&i) = index.get(&r.hour.0) {
            lat[i].0 += r.count;
            lat[i].1 += r.latency_n;
            lat[i].2 += r.latency_ms_sum;
            lat[i].3 = lat[i].3.max(r.latency_ms_max);
        }
    }
    let latency = hours
        .iter()
        .zip(lat)
        .map(|(h, (n, ln, sum, max))| (hour_label(*h), vec![n, if ln > 0 { sum / ln } else { 0 }, max]))
        .collect();

    vec![
        Table {
            id: "messages",
            title: t("chart_messages"),
            desc: t("chart_messages_desc"),
            first: hour.clone(),
            plotted: (0..dirs.len()).collect(),
            columns: dirs,
            rows: by_dir,
        },
        Table {
            id: "lists",
            title: t("chart_lists"),
            desc: t("chart_lists_desc"),
            first: hour.clone(),
            plotted: (0..modes.len()).collect(),
            columns: modes,
            rows: by_mode,
        },
        Table {
            id: "outcomes",
            title: t("chart_outcomes"),
            desc: t("chart_outcomes_desc"),
            first: hour.clone(),
            plotted: vec![0, 1],
            columns: outcomes_cols,
            rows: outcomes,
        },
        Table {
            id: "rejections",
            title: t("chart_rejections"),
            desc: t("chart_rejections_desc"),
            first: t("code"),
            plotted: vec![0],
            columns: vec![t("count")],
            rows: top.into_iter().map(|(c, n)| (c.to_string(), vec![n])).collect(),
        },
        Table {
            id: "quota",
            title: t("chart_quota"),
            desc: t("chart_quota_desc"),
            first: hour.clone(),
            plotted: vec![0, 1],
            columns: quota_cols,
            rows: quota,
        },
        Table {
            id: "latency",
            title: t("chart_latency"),
            desc: t("chart_latency_desc"),
            first: hour,
            plotted: vec![1],
            columns: vec![t("messages"), t("latency_avg"), t("latency_max")],
            rows: latency,
        },
    ]
}

/// The window asked for (`?hours=24|72|168`, default 24).
fn hours_of(query: &HashMap<String, String>) -> i64 {
    param(query, "hours").and_then(|h| h.parse::<i64>().ok()).filter(|h| WINDOWS.contains(h)).unwrap_or(24)
}

async fn load(ctx: &Ctx, hours: i64) -> Result<(Vec<i64>, Vec<TrafficRow>), Response> {
    let hs = window(ctx.state.now(), hours);
    let (from, to) = (hs.first().copied().unwrap_or(0), hs.last().copied().unwrap_or(0) + HOUR_MS);
    match ctx.state.store.traffic(None, Millis(from), Millis(to)).await {
        Ok(rows) => Ok((hs, rows)),
        Err(e) => Err(ctx.store_error("/dashboard", e)),
    }
}

fn csv_response(id: &str, csv: String) -> Response {
    let mut r = (StatusCode::OK, csv).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"cbec-{id}.csv\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

async fn chart_csv(ctx: &Ctx, chart: &str, hours: i64) -> Response {
    let (hs, rows) = match load(ctx, hours).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match tables(ctx, &hs, &rows).into_iter().find(|t| t.id == chart) {
        Some(t) => csv_response(t.id, t.csv()),
        None => ctx.page(
            StatusCode::NOT_FOUND,
            "/dashboard",
            ctx.t("not_found"),
            &format!("<p class=\"error\" role=\"alert\">{} <code>{}</code></p>", ctx.t("no_such_chart"), escape(chart)),
        ),
    }
}

/// A gauge: a bounded count, shown as "≥ CAP" when capped.
fn gauge(n: u64) -> String {
    if n >= u64::from(CAP) { format!("≥ {CAP}") } else { n.to_string() }
}

/// `GET /dashboard[?hours=24|72|168][&format=csv&chart=ID]`.
pub(crate) async fn dashboard(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let hours = hours_of(&query);
    if param(&query, "format") == Some("csv") {
        return chart_csv(&ctx, param(&query, "chart").unwrap_or_default(), hours).await;
    }
    let (hs, rows) = match load(&ctx, hours).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let store = &ctx.state.store;
    let mut gauges = Vec::new();
    for (key, statuses) in [
        ("gauge_pending", &["declaring"][..]),
        ("gauge_review", &["manual_review"][..]),
        ("gauge_inspection", &["inspection"][..]),
        ("gauge_detained", &["detained_clearance", "detained_anti_smuggling", "detained_legal", "detained_other"][..]),
    ] {
        let mut n = 0u64;
        for s in statuses {
            match store.count_documents(s, CAP).await {
                Ok(c) => n += c,
                Err(e) => return ctx.store_error("/dashboard", e),
            }
        }
        let link = format!("/queues/lists?status={}", statuses[0]);
        gauges.push((key, gauge(n.min(u64::from(CAP))), Some(link)));
    }
    // The risk settings as the API reports them (warnings in force).
    let warnings = match crate::api::risk::active(State(ctx.state.clone()), ctx.caller.clone()).await {
        Ok(Json(a)) => serde_json::to_value(a).ok().and_then(|v| v["warnings_in_force"].as_u64()).unwrap_or(0),
        Err(e) => return ctx.api_error("/dashboard", e),
    };
    gauges.push(("gauge_warnings", warnings.to_string(), Some("/risk/warnings".to_string())));
    let tables = tables(&ctx, &hs, &rows);
    // Totals over the window.
    let (mut total, mut refused, mut quota) = (0i64, 0i64, 0i64);
    for r in rows.iter().filter(|r| r.kind == MESSAGE) {
        total += r.count;
        if is_rejection(&r.return_status) {
            refused += r.count;
        }
    }
    for r in rows.iter().filter(|r| r.kind == "list" || r.kind == "export_list") {
        if QUOTA_CODES.contains(&r.return_status.as_str()) {
            quota += r.count;
        }
    }
    let rate = |n: i64| if total > 0 { format!("{:.1}%", n as f64 * 100.0 / total as f64) } else { "—".into() };
    gauges.push(("gauge_messages", total.to_string(), None));
    gauges.push(("gauge_accepted_rate", rate(total - refused), None));
    gauges.push(("gauge_rejected_rate", rate(refused), None));
    gauges.push(("gauge_quota", quota.to_string(), None));

    let mut body = String::new();
    body.push_str(&format!("<nav class=\"windows\" aria-label=\"{}\"><ul>", ctx.t("window")));
    for w in WINDOWS {
        let current = if w == hours { " aria-current=\"true\"" } else { "" };
        body.push_str(&format!("<li><a href=\"/dashboard?hours={w}\"{current}>{w} h</a></li>"));
    }
    body.push_str("</ul></nav>\n<dl class=\"gauges\">");
    for (key, value, link) in gauges {
        let value = match link {
            Some(l) => format!("<a href=\"{}\">{}</a>", escape(&l), escape(&value)),
            None => escape(&value),
        };
        body.push_str(&format!("<div id=\"{key}\"><dt>{}</dt><dd>{value}</dd></div>", ctx.t(key)));
    }
    body.push_str("</dl>\n<div class=\"charts\">\n");
    for t in &tables {
        body.push_str(&t.section(&ctx, hours));
    }
    body.push_str("</div>\n");
    ctx.ok("/dashboard", ctx.t("nav_dashboard"), &body)
}

/// `GET /dashboard/{chart}.csv[?hours=]`: one chart's numbers.
pub(crate) async fn csv_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let chart = file.strip_suffix(".csv").unwrap_or(&file);
    chart_csv(&ctx, chart, hours_of(&query)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_ends_with_the_current_hour() {
        let w = window(Millis(10 * HOUR_MS + 5), 3);
        assert_eq!(w, vec![8 * HOUR_MS, 9 * HOUR_MS, 10 * HOUR_MS]);
        assert_eq!(hour_label(1_772_323_200_000), "03-01 08:00");
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let t = Table {
            id: "x",
            title: "T".into(),
            desc: String::new(),
            first: "hour".into(),
            columns: vec!["a,b".into(), "c".into()],
            rows: vec![("h1".into(), vec![1, 2])],
            plotted: vec![],
        };
        assert_eq!(t.csv(), "hour,\"a,b\",c\r\nh1,1,2\r\n");
        assert_eq!(gauge(u64::from(CAP)), format!("≥ {CAP}"));
    }
}
