//! A small Prometheus registry (text exposition format 0.0.4): requests by
//! route template, method and status; a latency histogram by route and
//! method; process uptime. Routes are labelled by their template
//! (`/api/v1/enterprises/{id}`), never by the raw path, so the number of
//! series stays bounded; requests that match no route share one label.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The label of requests that matched no route.
pub const UNMATCHED: &str = "unmatched";

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Counts per bucket (not cumulative; summed when rendered).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Debug, Default)]
struct Series {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<(String, String), Histogram>,
}

/// The service's metrics.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    series: Mutex<Series>,
    messages: AtomicU64,
    duplicates: AtomicU64,
    pushed: AtomicU64,
    push_failures: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// A label value with `\`, `"` and newlines escaped.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics {
            started: Instant::now(),
            series: Mutex::new(Series::default()),
            messages: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            pushed: AtomicU64::new(0),
            push_failures: AtomicU64::new(0),
        }
    }

    /// One message answered (a replay of a known guid or a new one).
    pub fn count_message(&self, duplicate: bool) {
        self.messages.fetch_add(1, Ordering::Relaxed);
        if duplicate {
            self.duplicates.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// One webhook attempt.
    pub fn count_push(&self, delivered: bool) {
        let c = if delivered { &self.pushed } else { &self.push_failures };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Records one finished request.
    pub fn observe(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let Ok(mut s) = self.series.lock() else { return };
        *s.requests.entry((route.to_owned(), method.to_owned(), status)).or_default() += 1;
        let h = s.latency.entry((route.to_owned(), method.to_owned())).or_default();
        let secs = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            h.buckets[i] += 1;
        }
        h.count += 1;
        h.sum += secs;
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let (requests, latency) = match self.series.lock() {
            Ok(s) => (s.requests.clone(), s.latency.clone()),
            Err(_) => (BTreeMap::new(), BTreeMap::new()),
        };
        out.push_str("# HELP cbec_http_requests_total HTTP requests by route template, method and status.\n");
        out.push_str("# TYPE cbec_http_requests_total counter\n");
        for ((route, method, status), n) in &requests {
            let _ = writeln!(
                out,
                "cbec_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                escape(route),
                escape(method)
            );
        }
        out.push_str("# HELP cbec_http_request_duration_seconds HTTP request latency by route template and method.\n");
        out.push_str("# TYPE cbec_http_request_duration_seconds histogram\n");
        for ((route, method), h) in &latency {
            let labels = format!("route=\"{}\",method=\"{}\"", escape(route), escape(method));
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                cumulative += n;
                let _ =
                    writeln!(out, "cbec_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
            }
            let _ = writeln!(out, "cbec_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(out, "cbec_http_request_duration_seconds_sum{{{labels}}} {}", h.sum);
            let _ = writeln!(out, "cbec_http_request_duration_seconds_count{{{labels}}} {}", h.count);
        }
        for (name, help, c) in [
            ("cbec_messages_total", "CEB messages answered (including replays).", &self.messages),
            ("cbec_messages_duplicate_total", "Messages whose guid had been received before.", &self.duplicates),
            ("cbec_receipts_pushed_total", "Receipts delivered to webhooks.", &self.pushed),
            ("cbec_push_failures_total", "Failed webhook attempts.", &self.push_failures),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", c.load(Ordering::Relaxed));
        }
        out.push_str("# HELP cbec_process_uptime_seconds Seconds since the service started.\n");
        out.push_str("# TYPE cbec_process_uptime_seconds gauge\n");
        let _ = writeln!(out, "cbec_process_uptime_seconds {}", self.started.elapsed().as_secs_f64());
        out.push_str("# HELP cbec_build_info The version of the running service.\n");
        out.push_str("# TYPE cbec_build_info gauge\n");
        let _ = writeln!(out, "cbec_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::new();
        m.observe("/api/v1/enterprises/{id}", "GET", 200, Duration::from_millis(3));
        m.observe("/api/v1/enterprises/{id}", "GET", 200, Duration::from_millis(30));
        m.observe("/api/v1/enterprises/{id}", "GET", 404, Duration::from_secs(20));
        m.observe("we\"ird", "GET", 404, Duration::ZERO);
        let text = m.render();
        assert!(text.contains(
            "cbec_http_requests_total{route=\"/api/v1/enterprises/{id}\",method=\"GET\",status=\"200\"} 2\n"
        ));
        assert!(text.contains(
            "cbec_http_requests_total{route=\"/api/v1/enterprises/{id}\",method=\"GET\",status=\"404\"} 1\n"
        ));
        assert!(text.contains("le=\"0.001\"} 0\n"));
        assert!(text.contains("route=\"/api/v1/enterprises/{id}\",method=\"GET\",le=\"0.005\"} 1\n"));
        assert!(text.contains("route=\"/api/v1/enterprises/{id}\",method=\"GET\",le=\"0.05\"} 2\n"));
        assert!(text.contains("route=\"/api/v1/enterprises/{id}\",method=\"GET\",le=\"10\"} 2\n"));
        assert!(text.contains("route=\"/api/v1/enterprises/{id}\",method=\"GET\",le=\"+Inf\"} 3\n"));
        assert!(text.contains("route=\"we\\\"ird\""));
        assert!(text.contains("# TYPE cbec_process_uptime_seconds gauge\ncbec_process_uptime_seconds "));
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap_or_default();
            assert!(value.parse::<f64>().is_ok(), "{line}");
        }
    }
}
