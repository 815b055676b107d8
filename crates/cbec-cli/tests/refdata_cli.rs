//! `cbec refdata import` and `list` through the binary: a good table is
//! stored as a new version (exit 0, one JSON line), a bad one is refused
//! whole with every bad row named (exit 1), bad arguments exit 2.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::*;

fn shipped(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cbec-refdata/data").join(name).display().to_string()
}

#[test]
fn import_and_list_versions() {
    let dir = workdir("refdata-cli");
    let db = format!("sqlite://{}", dir.join("cbec.db").display());
    let (code, out, err) = cbec(&dir, &["refdata", "import", "tariff", &shipped("tariff.csv"), "--db", &db]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (v["kind"].as_str(), v["version"].as_i64(), v["source"].as_str()),
        (Some("tariff"), Some(1), Some("tariff.csv"))
    );
    assert!(v["rows"].as_i64().unwrap() >= 20);
    assert_eq!(v["sha256"].as_str().unwrap().len(), 64);

    // Every bad row is reported; nothing is imported.
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "hs_code,name,unit1,unit2,tariff_rate,vat_rate,consumption_tax_rate,export_duty_rate,licence_required,inspection_required\n\
         6109100021,T恤,011,,0.06,0.13,0,0,0,0\n\
         610910002,,011,,6%,0.13,0,0,0,0\n",
    )
    .unwrap();
    let (code, out, _) =
        cbec(&dir, &["refdata", "import", "tariff", bad.to_str().unwrap(), "--db", &db, "--effective", "2027-01-01"]);
    assert_eq!(code, 1, "{out}");
    for want in [
        "line 3, hs_code \"610910002\"",
        "line 3, name",
        "line 3, tariff_rate \"6%\"",
        "3 problem(s) in 2 row(s); nothing imported",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }

    // A positive list, effective later; the list shows both kinds.
    let (code, out, err) = cbec(
        &dir,
        &[
            "refdata",
            "import",
            "positive-list",
            &shipped("positive_list.csv"),
            "--db",
            &db,
            "--effective",
            "2027-01-01",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"effective_from\":\"2027-01-01\""), "{out}");
    let (code, out, _) = cbec(&dir, &["refdata", "list", "--db", &db]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 2, "{out}");
    let (_, out, _) = cbec(&dir, &["refdata", "list", "--db", &db, "--kind", "tariff"]);
    assert_eq!(out.lines().count(), 1, "{out}");

    // Bad arguments.
    let (code, _, err) = cbec(&dir, &["refdata", "import", "tariffs", &shipped("tariff.csv"), "--db", &db]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown kind") && err.contains("positive-list"), "{err}");
    let (code, _, err) =
        cbec(&dir, &["refdata", "import", "tariff", &shipped("tariff.csv"), "--db", &db, "--effective", "2027-02-30"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a date"), "{err}");
}
