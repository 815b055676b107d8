//! `cbec validate` and `cbec convert` as a user runs them: exit codes, the
//! JSON report shape, and conversions that round-trip.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cbec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cbec")).args(args).output().expect("run cbec")
}

fn spec(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec").join(rel).display().to_string()
}

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn valid_list_file() -> String {
    // One file per call: tests run in parallel, and a file rewritten while
    // another test reads it would be read half-written.
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let p = tmp(&format!("valid_list_{n}.xml"));
    std::fs::write(&p, cbec_ceb::encode(&cbec_fixtures::import_list_message(3, 2))).unwrap();
    p.display().to_string()
}

#[test]
fn validate_exit_codes() {
    let valid = valid_list_file();
    assert_eq!(cbec(&["validate", &valid]).status.code(), Some(0));
    assert_eq!(
        cbec(&["validate", "--level", "schema", &spec("samples/import/CEB311Message.xml")]).status.code(),
        Some(0)
    );
    // Full level finds the placeholders of the same sample.
    assert_eq!(cbec(&["validate", &spec("samples/import/CEB311Message.xml")]).status.code(), Some(1));
    assert_eq!(cbec(&["validate", &valid, &spec("samples/export/CEB214Message.xml")]).status.code(), Some(1));
    // Usage and I/O errors.
    assert_eq!(cbec(&["validate", "/no/such/file.xml"]).status.code(), Some(2));
    assert_eq!(cbec(&["validate", "--level", "bogus", &valid]).status.code(), Some(2));
    assert_eq!(cbec(&["validate"]).status.code(), Some(2));
}

#[test]
fn validate_json_report_shape() {
    let valid = valid_list_file();
    let out = cbec(&["validate", "--format", "json", &valid, &spec("samples/export/CEB214Message.xml")]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let files = v.as_array().expect("an array");
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["message_type"], "CEB621Message");
    assert_eq!(files[0]["valid"], true);
    assert!(files[1]["message_type"].is_null());
    assert_eq!(files[1]["valid"], false);
    let d = &files[1]["diagnostics"][0];
    for key in ["code", "severity", "path", "message"] {
        assert!(d.get(key).is_some(), "diagnostic lacks {key}: {d}");
    }
    assert_eq!(d["code"], "schema.unknown_root");
    assert_eq!(d["severity"], "error");
}

#[test]
fn convert_round_trips_between_xml_and_json() {
    let valid = valid_list_file();
    let json = tmp("list.json");
    let xml = tmp("list.xml");
    let out = cbec(&["convert", "--to", "json", &valid, "-o", &json.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&json).unwrap();
    assert!(text.contains("\"CEB621Message\"") && text.contains("\"orderNo\""), "{text}");
    let out = cbec(&["convert", "--to", "xml", &json.display().to_string(), "-o", &xml.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let a = cbec_ceb::decode(&std::fs::read(&valid).unwrap(), &Default::default()).unwrap().message;
    let b = cbec_ceb::decode(&std::fs::read(&xml).unwrap(), &Default::default()).unwrap().message;
    assert_eq!(a, b);
    assert_eq!(cbec(&["validate", &xml.display().to_string()]).status.code(), Some(0));
}

#[test]
fn convert_reports_json_problems_with_a_path() {
    let bad = tmp("bad.json");
    std::fs::write(
        &bad,
        r#"{"CEB311Message": {"guid": "x", "version": "1.0", "Order": [{"OrderHead": {"goodsValue": 1.5}}]}}"#,
    )
    .unwrap();
    let out = cbec(&["convert", "--to", "xml", &bad.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("json.invalid") && err.contains("Order"), "{err}");
    // A missing required field is named.
    std::fs::write(&bad, r#"{"CEB311Message": {"guid": "x", "version": "1.0"}}"#).unwrap();
    let out = cbec(&["convert", "--to", "xml", &bad.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing field `BaseTransfer`"), "{err}");
    // Well-formed JSON that makes an invalid message converts, and the
    // schema problems of the XML are reported at once.
    let json = cbec(&["convert", "--to", "json", &valid_list_file()]).stdout;
    let text = String::from_utf8(json).unwrap().replace("\"DXPENT0000000001\"", &format!("\"{}\"", "D".repeat(31)));
    std::fs::write(&bad, text).unwrap();
    let out = cbec(&["convert", "--to", "xml", &bad.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("schema.length") && err.contains("BaseTransfer/dxpId"), "{err}");
}
