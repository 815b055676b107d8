//! Test support: the official files and the `xmllint` oracle.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec")
}

/// Every sample message: (path, bytes).
pub fn samples() -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["import", "export", "real"] {
        let d = spec_dir().join("samples").join(dir);
        let mut entries: Vec<_> =
            std::fs::read_dir(&d).expect("samples dir").map(|e| e.expect("entry").path()).collect();
        entries.sort();
        for p in entries {
            let bytes = std::fs::read(&p).expect("read sample");
            out.push((p, bytes));
        }
    }
    out
}

/// The XSD file for a schema name (`import`, `export`, `dxp`).
pub fn xsd_for(schema: &str) -> PathBuf {
    let file = match schema {
        "import" => "ceb-import-202205.xsd",
        "export" => "ceb-export-202205.xsd",
        _ => "ceb-terminal-node-202205.xsd",
    };
    spec_dir().join("xsd").join(file)
}

pub fn require_xmllint() {
    let ok =
        Command::new("xmllint").arg("--version").output().is_ok_and(|o| o.status.success() || !o.stderr.is_empty());
    assert!(
        ok,
        "xmllint is not installed: run the project's test script (scripts/test.sh), which installs libxml2-utils"
    );
}

/// xmllint's verdict on many files against one XSD, in one process.
pub fn xmllint_verdicts(xsd: &Path, files: &[PathBuf]) -> Vec<bool> {
    require_xmllint();
    let mut verdicts = Vec::with_capacity(files.len());
    for chunk in files.chunks(200) {
        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--nonet")
            .arg("--schema")
            .arg(xsd)
            .args(chunk)
            .output()
            .expect("run xmllint");
        let stderr = String::from_utf8_lossy(&out.stderr);
        for f in chunk {
            let name = f.display().to_string();
            let valid = stderr.lines().any(|l| l == format!("{name} validates"));
            let invalid = stderr.lines().any(|l| l == format!("{name} fails to validate"));
            assert!(valid ^ invalid, "no clear xmllint verdict for {name}:\n{stderr}");
            verdicts.push(valid);
        }
    }
    verdicts
}

pub fn xmllint_valid(xsd: &Path, bytes: &[u8]) -> bool {
    let dir = tempdir();
    let f = dir.join("m.xml");
    std::fs::write(&f, bytes).expect("write");
    xmllint_verdicts(xsd, &[f])[0]
}

/// A fresh directory under target/ for test files.
pub fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "t{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}
