//! Test support: the official files, the two schema oracles (our validator
//! and `xmllint`) and strict decoding.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use cbec_ceb::{DecodeOptions, Limits, Message};
use cbec_model::ident::ReturnTime;

pub fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec")
}

/// The official sample of a message root, e.g. `CEB622Message`.
pub fn sample(root: &str) -> Vec<u8> {
    for dir in ["import", "export"] {
        let p = spec_dir().join("samples").join(dir).join(format!("{root}.xml"));
        if p.exists() {
            return std::fs::read(&p).expect("read sample");
        }
    }
    panic!("no official sample of {root}")
}

/// Every official business sample: (file name, bytes).
pub fn samples_in(dir: &str) -> Vec<(String, Vec<u8>)> {
    let d = spec_dir().join("samples").join(dir);
    let mut out: Vec<_> = std::fs::read_dir(&d)
        .expect("samples dir")
        .map(|e| {
            let p = e.expect("entry").path();
            (p.file_name().expect("name").to_string_lossy().into_owned(), std::fs::read(&p).expect("read"))
        })
        .collect();
    out.sort();
    out
}

/// The XSD of an encoded message.
pub fn xsd_of(message: &Message) -> PathBuf {
    spec_dir().join("xsd").join(message.schema().xsd_file)
}

/// A fresh file path under the test target directory.
pub fn temp_file(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "receipts-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&d).expect("mkdir");
    d.join(name)
}

/// Runs `xmllint --noout --schema <xsd> <file>` and asserts that it exits 0.
pub fn assert_xmllint_valid(xsd: &Path, bytes: &[u8], what: &str) {
    let file = temp_file(&format!("{what}.xml"));
    std::fs::write(&file, bytes).expect("write");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(xsd)
        .arg(&file)
        .output()
        .expect("xmllint is not installed: install libxml2-utils (scripts/test.sh does)");
    assert!(
        out.status.success(),
        "{what}: xmllint exited with {:?}:\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(bytes).chars().take(4000).collect::<String>()
    );
}

/// Asserts both oracles accept the bytes, and decodes them strictly.
pub fn check_valid(bytes: &[u8], what: &str) -> Message {
    let report = cbec_ceb::validate_schema(bytes, &Limits { max_bytes: usize::MAX, ..Limits::default() });
    assert!(report.is_valid(), "{what}: {:#?}", report.diagnostics);
    let decoded = cbec_ceb::decode(
        bytes,
        &DecodeOptions { limits: Limits { max_bytes: usize::MAX, ..Limits::default() }, lenient: false },
    )
    .unwrap_or_else(|d| panic!("{what}: strict decoding failed: {d:#?}"));
    assert_xmllint_valid(&xsd_of(&decoded.message), bytes, what);
    decoded.message
}

/// Decodes leniently (for the official samples, some of which fail the XSD).
pub fn decode_lenient(bytes: &[u8]) -> Message {
    cbec_ceb::decode(bytes, &DecodeOptions { lenient: true, ..DecodeOptions::default() }).expect("decodes").message
}

pub fn rt(s: &str) -> ReturnTime {
    ReturnTime::parse(s).expect("return time")
}
