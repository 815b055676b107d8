//! `cbec risk check` through the binary: the shipped rule file is valid
//! (exit 0, its version and expected rates); a bad one is refused with every
//! problem as `FILE:LINE:COLUMN: reason` (exit 1).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::*;

#[test]
fn rule_files_are_checked_with_line_and_reason() {
    let dir = workdir("risk-cli");
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cbec-risk/data/rules.toml");
    let (code, out, err) = cbec(&dir, &["risk", "check", shipped.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert!(v["rules"].as_u64().unwrap() >= 10, "{v}");
    assert_eq!(v["expected_rates"]["dishonest"]["red"], 0.3, "{v}");

    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "version = \"x\"\n[rates]\nminimum_random_inspection = 0.01\nyellow = 0.02\n\n[[rule]]\nid = \"A\"\n\
         description = \"a\"\nlane = \"blue\"\n[rule.when]\nhs_prefx = [\"19\"]\n",
    )
    .unwrap();
    let (code, out, _) = cbec(&dir, &["risk", "check", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.iter().any(|l| l.ends_with(":9:8: unknown lane \"blue\" (use green, yellow, red or hold)")), "{out}");
    assert!(lines.iter().any(|l| l.contains(":11:1: unknown key \"hs_prefx\"")), "{out}");
    let (code, _, _) = cbec(&dir, &["risk", "check", dir.join("missing.toml").to_str().unwrap()]);
    assert_eq!(code, 2);
}
