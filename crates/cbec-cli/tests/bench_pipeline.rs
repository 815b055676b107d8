//! `cbec bench pipeline`: the benchmark runs the real clearance pipeline
//! over signed traffic and reports what it measured. Correctness only: no
//! timing thresholds here (figures live in docs/BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

fn cbec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cbec")).args(args).output().expect("run cbec")
}

fn run_pipeline(alg: &str) -> serde_json::Value {
    let out = cbec(&["bench", "pipeline", "--alg", alg, "--messages", "40"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}\nstdout: {stdout}\nstderr: {stderr}", out.status.code());
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one JSON line expected: {stdout}");
    serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("not JSON ({e}): {}", lines[0]))
}

fn check(alg: &str) {
    let r = run_pipeline(alg);
    assert_eq!(r["bench"], "pipeline", "{r}");
    assert_eq!(r["alg"], alg, "{r}");
    assert_eq!(r["backend"], "sqlite", "{r}");
    assert_eq!(r["messages"], 40, "{r}");
    assert!(r["messages_per_second"].as_f64().unwrap() > 0.0, "{r}");
    let (p50, p99) = (r["p50_ms"].as_f64().unwrap(), r["p99_ms"].as_f64().unwrap());
    assert!(p99 >= 0.0 && p99 >= p50, "{r}");
    assert_eq!(r["lists_released"], 10, "every list of the 10 imports is released: {r}");
    // The imports whose list was sent last saw the release in its answer.
    let in_answer = r["lists_released_in_answer"].as_u64().unwrap();
    assert!((1..=10).contains(&in_answer), "{r}");
}

#[test]
fn sm2_traffic_is_cleared() {
    check("sm2");
}

#[test]
fn rsa_traffic_is_cleared() {
    check("rsa");
}

#[test]
fn an_unknown_algorithm_is_refused() {
    let out = cbec(&["bench", "pipeline", "--alg", "foo", "--messages", "40"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stderr).contains("foo"));
}

#[test]
fn a_bad_message_count_is_refused() {
    let out = cbec(&["bench", "pipeline", "--alg", "sm2", "--messages", "0"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--messages"));
}
