//! Helpers of the end-to-end tests: a spawned `cbec serve`, raw HTTP/1.1
//! calls, the `cbec` binary, and throwaway PostgreSQL databases.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_cbec");

pub fn workdir(tag: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("e2e-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

/// Runs a `cbec` command; returns (exit code, stdout, stderr).
pub fn cbec(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).current_dir(dir).output().expect("run cbec");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn last_line(s: &str) -> String {
    s.lines().last().unwrap_or("").trim().to_string()
}

pub struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

pub fn start(dir: &Path, db: &str) -> Server {
    start_with(dir, db, &[])
}

/// Starts `cbec serve` with extra `CBEC_*` settings.
pub fn start_with(dir: &Path, db: &str, env: &[(&str, &str)]) -> Server {
    let port = free_port();
    let child = Command::new(BIN)
        .args(["serve", "--db", db, "--listen", &format!("127.0.0.1:{port}")])
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cbec serve");
    let server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if server.call("GET", "/healthz", None, None).0 == 200 {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("cbec serve did not answer /healthz within 30 s");
}

impl Server {
    /// One HTTP/1.1 request; returns (status, parsed JSON body or Null).
    pub fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> (u16, Value) {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let r = self.raw(method, path, token, "application/json", body.as_bytes());
        (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null))
    }

    /// One HTTP/1.1 request with any body.
    pub fn raw(&self, method: &str, path: &str, token: Option<&str>, content_type: &str, body: &[u8]) -> Raw {
        let failed = Raw { status: 0, head: String::new(), body: String::new() };
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else { return failed };
        let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        if s.write_all(head.as_bytes()).is_err() || s.write_all(body).is_err() {
            return failed;
        }
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let text = String::from_utf8_lossy(&raw);
        let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            dechunk(rest)
        } else {
            rest.to_string()
        };
        Raw { status, head: head.to_string(), body }
    }
}

/// A raw HTTP answer.
pub struct Raw {
    pub status: u16,
    /// The status line and headers.
    pub head: String,
    pub body: String,
}

impl Raw {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// A fresh PostgreSQL database from the admin URL in `CBEC_TEST_PG`:
/// returns its URL and a guard that drops it.
pub fn pg_database(tag: &str) -> (String, PgGuard) {
    let admin = std::env::var("CBEC_TEST_PG")
        .expect("CBEC_TEST_PG is not set: run ./scripts/test.sh, which starts PostgreSQL and sets it");
    let name = format!("cbec_{tag}_{}", std::process::id());
    psql(&admin, &format!("DROP DATABASE IF EXISTS {name}"));
    psql(&admin, &format!("CREATE DATABASE {name}"));
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_string();
    (format!("{base}/{name}"), PgGuard { admin, name })
}

pub fn psql(url: &str, sql: &str) {
    let out = Command::new("psql").args([url, "-v", "ON_ERROR_STOP=1", "-qc", sql]).output().expect("run psql");
    assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Drops its database when dropped.
pub struct PgGuard {
    admin: String,
    name: String,
}

impl Drop for PgGuard {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([&self.admin, "-qc", &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)])
            .output();
    }
}

pub fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n.min(rest.len())]);
        s = rest.get(n + 2..).unwrap_or("");
    }
    out
}

pub fn expect(got: (u16, Value), status: u16, what: &str) -> Value {
    assert_eq!(got.0, status, "{what}: {}", got.1);
    got.1
}

// ---- clearance helpers ----------------------------------------------------------------

/// Files an enterprise of one type with a fresh key and bound certificate
/// directly in the store (before the server starts), and gives it an API
/// token: the party and its token.
pub async fn file_with_token(
    store: &dyn cbec_store::Store,
    code: &str,
    name: &str,
    t: cbec_model::filing::EnterpriseType,
    alg: cbec_dsig::KeyAlgorithm,
    serial: u64,
    at: cbec_store::Millis,
) -> (cbec_pipeline::traffic::Party, String) {
    let party = cbec_pipeline::traffic::file_party(store, code, name, &[t], alg, serial, at).await.expect("file party");
    let (token, hash) = cbec_server::auth::generate_token().expect("token");
    let owner = Some(cbec_store::Principal::Enterprise(party.id.clone()));
    let actor = cbec_store::Actor { principal: cbec_store::Principal::System("e2e".into()), at };
    store.create_token(cbec_store::NewToken { owner, hash, label: "e2e".into() }, &actor).await.expect("create token");
    (party, token)
}

/// The `returnStatus` values of a receipt message, in order.
pub fn statuses(xml: &str) -> Vec<String> {
    xml.match_indices("<ceb:returnStatus>")
        .map(|(i, _)| {
            let rest = &xml[i + "<ceb:returnStatus>".len()..];
            rest[..rest.find('<').unwrap_or(rest.len())].to_string()
        })
        .collect()
}

/// Every receipt the enterprise of `token` can pull.
pub fn pull_all(s: &Server, token: &str) -> Vec<Value> {
    let page = expect(s.call("GET", "/api/v1/receipts?after=0&limit=1000", Some(token), None), 200, "pull");
    page["receipts"].as_array().cloned().unwrap_or_default()
}

/// Checks pulled receipts with xmllint against an official XSD
/// (`ceb-import-202205.xsd`, `ceb-export-202205.xsd`); how many.
pub fn xmllint(dir: &Path, receipts: &[Value], xsd: &str) -> usize {
    let files: Vec<_> = receipts
        .iter()
        .map(|r| {
            let f = dir.join(format!("receipt-{}.xml", r["id"].as_str().unwrap_or_default()));
            std::fs::write(&f, r["xml"].as_str().unwrap_or_default()).expect("write receipt");
            f
        })
        .collect();
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/xsd").join(xsd);
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(&xsd)
        .args(&files)
        .output()
        .expect("xmllint (libxml2-utils) is installed by ./scripts/test.sh");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    files.len()
}

/// The parties of the clearance stories, each with its key and API token.
pub struct Actors {
    pub ebp: (cbec_pipeline::traffic::Party, String),
    pub ebc: (cbec_pipeline::traffic::Party, String),
    pub pay: (cbec_pipeline::traffic::Party, String),
    pub logistics: (cbec_pipeline::traffic::Party, String),
    pub agent: (cbec_pipeline::traffic::Party, String),
    /// The supervised-site operator (export arrivals and return tallies).
    pub operator: (cbec_pipeline::traffic::Party, String),
}

impl Actors {
    pub fn codes(&self) -> cbec_fixtures::Parties {
        cbec_fixtures::Parties {
            ebp: self.ebp.0.code.clone(),
            ebc: self.ebc.0.code.clone(),
            logistics: self.logistics.0.code.clone(),
            pay: self.pay.0.code.clone(),
            agent: self.agent.0.code.clone(),
        }
    }
}

/// Files the six parties (mixed SM2 and RSA keys) in the database before
/// the server starts, with one API token each.
pub fn file_actors(db: &str) -> Actors {
    use cbec_dsig::KeyAlgorithm::{Rsa, Sm2};
    use cbec_model::filing::EnterpriseType as T;
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let store = cbec_store::open(db).await.expect("open the store");
        let s = store.as_ref();
        let codes = cbec_fixtures::Parties::default();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
        let at = cbec_store::Millis(i64::try_from(now).unwrap_or(i64::MAX) - 3_600_000);
        Actors {
            ebp: file_with_token(s, &codes.ebp, "平台", T::Ebp, Sm2, 0x0200_0001, at).await,
            ebc: file_with_token(s, &codes.ebc, "电商企业", T::Ebc, Rsa, 0x0200_0002, at).await,
            pay: file_with_token(s, &codes.pay, "支付企业", T::Pay, Rsa, 0x0200_0003, at).await,
            logistics: file_with_token(s, &codes.logistics, "物流企业", T::Logistics, Sm2, 0x0200_0004, at).await,
            agent: file_with_token(s, &codes.agent, "报关企业", T::Agent, Sm2, 0x0200_0005, at).await,
            operator: file_with_token(s, &cbec_fixtures::uscc(7), "监管场所", T::Operator, Rsa, 0x0200_0006, at).await,
        }
    })
}
