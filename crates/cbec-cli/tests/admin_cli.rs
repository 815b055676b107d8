//! `cbec admin set-password` through the binary: a password read from
//! standard input is stored as an Argon2id hash for an officer (by name) or
//! an enterprise (by code); short or empty passwords and unknown names exit
//! 1 with a clear message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use support::*;

/// Runs `cbec admin set-password` with `stdin`; (exit code, stdout, stderr).
fn set_password(dir: &Path, db: &str, name: &str, stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .args(["admin", "set-password", "--db", db, "--name", name])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cbec");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn stored_hash(db_path: &Path, principal_prefix: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db_path).unwrap();
    let mut stmt = conn.prepare("SELECT principal, hash FROM web_passwords ORDER BY principal").unwrap();
    stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .filter(|(p, _)| p.starts_with(principal_prefix))
        .map(|(_, h)| h)
        .collect()
}

#[test]
fn set_password_for_officers_and_enterprises() {
    let dir = workdir("admin-set-password");
    let path = dir.join("cbec.db");
    let db = format!("sqlite://{}", path.display());
    let (code, _, err) = cbec(&dir, &["admin", "create-officer", "--db", &db, "--role", "reviewer", "--name", "rita"]);
    assert_eq!(code, 0, "{err}");

    let (code, out, err) = set_password(&dir, &db, "rita", "a-long-secret-1\n");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("password set for reviewer rita"), "{out}");
    assert!(!out.contains("a-long-secret-1") && !err.contains("a-long-secret-1"), "the secret is not echoed");
    let hashes = stored_hash(&path, "officer:");
    assert_eq!(hashes.len(), 1);
    assert!(hashes[0].starts_with("$argon2id$"), "{}", hashes[0]);
    assert!(!hashes[0].contains("a-long-secret-1"));

    // Setting it again replaces it (a CRLF line ending is stripped too).
    let (code, _, err) = set_password(&dir, &db, "rita", "another-secret-2\r\n");
    assert_eq!(code, 0, "{err}");
    let again = stored_hash(&path, "officer:");
    assert_eq!(again.len(), 1);
    assert_ne!(again, hashes);

    // Too short, empty, unknown name: exit 1, nothing stored.
    let (code, _, err) = set_password(&dir, &db, "rita", "short\n");
    assert_eq!(code, 1);
    assert!(err.contains("at least 10 characters"), "{err}");
    let (code, _, err) = set_password(&dir, &db, "rita", "");
    assert_eq!(code, 1);
    assert!(err.contains("no password"), "{err}");
    let (code, _, err) = set_password(&dir, &db, "nobody", "a-long-secret-1\n");
    assert_eq!(code, 1);
    assert!(err.contains("\"nobody\""), "{err}");
    assert_eq!(stored_hash(&path, "officer:"), again);

    // An enterprise, by its customs code.
    let (code, _, err) = cbec(
        &dir,
        &["admin", "file-enterprise", "--db", &db, "--code", "2201960001", "--name", "Shop Ltd", "--types", "ebc"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = set_password(&dir, &db, "2201960001", "shop-secret-123\n");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("enterprise Shop Ltd"), "{out}");
    assert_eq!(stored_hash(&path, "enterprise:").len(), 1);
}
