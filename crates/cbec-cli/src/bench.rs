//! `cbec bench verify --alg sm2|rsa [--seconds N] [--items N]`,
//! `cbec bench pipeline --alg sm2|rsa [--messages N] [--db URL]` and
//! `cbec bench web [--lists N] [--db URL] [--runs R]` (in `bench_web`).
//!
//! `bench verify` measures signature verification as the service does it, on one thread:
//! a deterministic import list (4.4 KB signed with SM2, 5.2 KB with RSA,
//! with the default single item) is signed once with a fresh key whose
//! certificate is issued by a fresh CA, parsed once, and then verified in a
//! loop by a [`Verifier`] that trusts the CA, so each iteration is the
//! profile checks, the C14N and digest of the document, the C14N of
//! SignedInfo, the signature verification and
//! the (cached) certificate and chain lookups. Prints one JSON line.
//!
//! `bench pipeline` measures the whole in-process clearance pipeline; see
//! [`run_pipeline`].

use std::time::{Duration, Instant};

use anyhow::Context as _;
use cbec_ceb::{Limits, Message, RawXml};
use cbec_dsig::{CertificateParams, KeyAlgorithm, Policy, SignOptions, Signer, SigningKey, TrustStore, Verifier};

use crate::Outcome;

mod cpu;

#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// Signature verification throughput (one thread, cached key).
    Verify(VerifyArgs),
    /// End-to-end clearance throughput: signed retail-import traffic through
    /// the in-process pipeline (verify, parse, validate, match, durable
    /// commit, receipt).
    Pipeline(PipelineArgs),
    /// The web pages (workbench and portal) timed on a database of many
    /// lists, seeded through the real pipeline then copied in bulk.
    Web(crate::bench_web::WebArgs),
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum AlgArg {
    /// SM2 with SM3, SHA-1 document digest (what UKeys send).
    Sm2,
    /// RSA-2048 with SHA-1.
    Rsa,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[arg(long, value_enum)]
    alg: AlgArg,
    /// How long to measure, after a short warm-up.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Items in the import list: one gives a 4.4 KB message signed with
    /// SM2 (5.2 KB with RSA, whose certificate and signature are larger),
    /// each further item about 0.55 KB.
    #[arg(long, default_value_t = 1)]
    items: usize,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(serde::Serialize)]
struct Result {
    bench: &'static str,
    alg: &'static str,
    signature_method: &'static str,
    digest: &'static str,
    message_bytes: usize,
    items: usize,
    threads: usize,
    seconds: f64,
    verifies: u64,
    verifies_per_second: f64,
    micros_per_verify: f64,
    /// Parts of one verification, measured alone: the C14N and digest of
    /// the document, and the signature check over SignedInfo (its C14N
    /// included).
    c14n_digest_micros: f64,
    signature_micros: f64,
    /// XML parsing of the same message, not included above.
    parse_micros: f64,
}

pub fn run(a: Args) -> anyhow::Result<Outcome> {
    match a.what {
        What::Verify(v) => run_verify(v),
        What::Pipeline(p) => run_pipeline(p),
        What::Web(w) => crate::bench_web::run(w),
    }
}

fn run_verify(v: VerifyArgs) -> anyhow::Result<Outcome> {
    if !(v.seconds > 0.0 && v.seconds.is_finite()) {
        anyhow::bail!("--seconds must be a positive number");
    }
    let alg = match v.alg {
        AlgArg::Sm2 => KeyAlgorithm::Sm2,
        AlgArg::Rsa => KeyAlgorithm::Rsa,
    };
    let now = crate::verify::now()?;
    let mut rng = rand::rng();
    let params = |subject: &str, is_ca: bool, serial: u8| CertificateParams {
        subject: subject.to_owned(),
        serial: vec![serial, 1, 2, 3, 4, 5, 6, 7],
        not_before: now.checked_add_seconds(-3600).unwrap_or(now),
        not_after: now.checked_add_seconds(86_400).unwrap_or(now),
        is_ca,
    };
    let ca_key = SigningKey::generate(alg, &mut rng)?;
    let ca = cbec_dsig::cert::issue(&params("CN=bench CA,O=cbec,C=CN", true, 0x11), &ca_key, None)?;
    let key = SigningKey::generate(alg, &mut rng)?;
    let cert = cbec_dsig::cert::issue(&params("CN=bench signer,O=cbec,C=CN", false, 0x22), &key, Some((&ca, &ca_key)))?;
    let options = SignOptions::for_key(alg);
    let (signature_method, digest) = (options.algorithm.name(), options.digest.name());
    let signer = Signer::new(key, cert, options)?;

    let mut message = cbec_fixtures::import_list_message(20_250_601, v.items);
    if let Message::CEB621Message(list) = &mut message {
        list.signature = RawXml(String::new());
    }
    let unsigned = cbec_ceb::encode(&message);
    let limits = Limits::default();
    let signed = signer.sign(&unsigned, &limits).context("signing the benchmark message")?;

    let verifier = Verifier::new(Policy::embedded().trust(TrustStore::new(vec![ca])));
    let t = Instant::now();
    cbec_ceb::with_document(signed.as_bytes(), &limits, |_| ()).map_err(|d| anyhow::anyhow!("{}", d.message))?;
    let parse_micros = t.elapsed().as_secs_f64() * 1e6;

    let budget = Duration::from_secs_f64(v.seconds);
    let measured = cbec_ceb::with_document(signed.as_bytes(), &limits, |doc| -> anyhow::Result<(u64, Duration)> {
        // Warm-up: fills the certificate and chain caches, as a running
        // service has them.
        let warm = Instant::now();
        while warm.elapsed() < Duration::from_millis(200) {
            verifier.verify(doc, now).map_err(|r| anyhow::anyhow!("the benchmark message does not verify: {r}"))?;
        }
        let start = Instant::now();
        let mut n = 0u64;
        loop {
            for _ in 0..16 {
                if verifier.verify(doc, now).is_err() {
                    anyhow::bail!("verification failed during the benchmark");
                }
            }
            n += 16;
            let e = start.elapsed();
            if e >= budget {
                return Ok((n, e));
            }
        }
    });
    let (n, elapsed) = measured.map_err(|d| anyhow::anyhow!("{}", d.message))??;
    let parts = cbec_ceb::with_document(signed.as_bytes(), &limits, |doc| breakdown(doc, &verifier, budget / 4))
        .map_err(|d| anyhow::anyhow!("{}", d.message))??;
    let secs = elapsed.as_secs_f64();
    let r = Result {
        bench: "verify",
        alg: match v.alg {
            AlgArg::Sm2 => "sm2",
            AlgArg::Rsa => "rsa",
        },
        signature_method,
        digest,
        message_bytes: signed.len(),
        items: v.items,
        threads: 1,
        seconds: (secs * 1000.0).round() / 1000.0,
        verifies: n,
        verifies_per_second: (n as f64 / secs).round(),
        micros_per_verify: (secs * 1e6 / n as f64 * 10.0).round() / 10.0,
        c14n_digest_micros: (parts.0 * 10.0).round() / 10.0,
        signature_micros: (parts.1 * 10.0).round() / 10.0,
        parse_micros: (parse_micros * 10.0).round() / 10.0,
    };
    println!("{}", serde_json::to_string(&r)?);
    Ok(Outcome::Ok)
}

/// Mean microseconds of the document C14N + digest and of the signature
/// check, each run for about `budget`.
fn breakdown(doc: &cbec_xml::Document<'_>, verifier: &Verifier, budget: Duration) -> anyhow::Result<(f64, f64)> {
    let parts = cbec_dsig::profile::parse(doc)?;
    let report = verifier.verify(doc, crate::verify::now()?).map_err(|r| anyhow::anyhow!("{r}"))?.into_report();
    let key = report.certificate.verifying_key();
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        let mut n = 0u32;
        while start.elapsed() < budget || n == 0 {
            f();
            n += 1;
        }
        start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
    };
    let digest = time(&mut || {
        let mut h = parts.digest_algorithm.hasher();
        cbec_dsig::canonicalize_document(doc, &parts.reference_canonicalization, Some(parts.signature), &mut h);
        std::hint::black_box(h.finish());
    });
    let mut ok = true;
    let signature = time(&mut || {
        let mut si = Vec::with_capacity(1024);
        cbec_dsig::canonicalize_subtree(doc, parts.signed_info, &parts.canonicalization, &mut si);
        ok &= key.verify(parts.signature_algorithm, &si, &parts.signature_value).is_ok();
    });
    anyhow::ensure!(ok, "the signature stopped verifying");
    Ok((digest, signature))
}

// ---- bench pipeline --------------------------------------------------------------

#[derive(Debug, clap::Args)]
pub struct PipelineArgs {
    #[arg(long, value_enum)]
    alg: AlgArg,
    /// Messages to send (rounded up to a multiple of 4: each retail import
    /// is an order, a payment, a waybill and a list).
    #[arg(long, default_value_t = 20_000)]
    messages: usize,
    /// The database: `sqlite://PATH` or `postgres://…` (an empty database;
    /// it is used as is and left filled). Default: a fresh SQLite file in a
    /// new temporary directory, removed at the end.
    #[arg(long)]
    db: Option<String>,
    /// Imports sent at once, each by its own task (a task sends the four
    /// documents of its import one after the other).
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// The pipeline's admission limit (messages in flight); default as the
    /// service's.
    #[arg(long)]
    max_in_flight: Option<usize>,
    /// SQLite only: time every statement the writer runs during the run and
    /// print the costliest (`sqlite_statements`, per message). A diagnostic:
    /// the profile itself costs the writer a little.
    #[arg(long)]
    sql_profile: bool,
}

/// Most messages one run may send: buyers derive from the seed, and beyond
/// this some buyer would make more than four purchases, which could pass
/// the annual quota and refuse lists.
const MAX_PIPELINE_MESSAGES: usize = 200_000;
/// The first seed of the generated imports.
const SEED_BASE: u64 = 7_000_000;
/// The orders in which the four documents of an import are sent (0 order,
/// 1 payment, 2 waybill, 3 list), by import number: in three of four the
/// list arrives before its other documents and waits for them.
const ROTATIONS: [[usize; 4]; 4] = [[0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1], [1, 2, 3, 0]];
const DAY_MS: i64 = 86_400_000;

#[derive(serde::Serialize)]
struct PipelineResult {
    bench: &'static str,
    alg: &'static str,
    backend: &'static str,
    messages: usize,
    imports: usize,
    mean_message_bytes: usize,
    concurrency: usize,
    max_in_flight: usize,
    /// Most submit calls under way at once, as the senders saw them.
    peak_in_flight: usize,
    runtime_threads: usize,
    /// From the first submit to the last answer.
    seconds: f64,
    messages_per_second: f64,
    lists_per_second: f64,
    /// Latency of one submit call (retries after `Saturated` included).
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    /// Submits refused with `Saturated` and retried.
    saturated_retries: u64,
    /// Lists whose answer already carried the release (sent last).
    lists_released_in_answer: usize,
    /// Lists released in the store after the run (must be every list).
    lists_released: usize,
    /// Generating and signing the traffic (not timed).
    sign_seconds: f64,
    /// SQLite only: transactions the writer committed during the run, and
    /// the mean number of jobs in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    sqlite_groups: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sqlite_mean_group: Option<f64>,
    /// SQLite only: how often the WAL started over during the run, and the
    /// milliseconds the writer spent finishing those checkpoints itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    sqlite_wal_restarts: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sqlite_wal_catch_up_ms: Option<u64>,
    /// SQLite only: the writer thread ran at a raised priority (allowed to
    /// root or with `CAP_SYS_NICE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    sqlite_writer_priority_raised: Option<bool>,
    /// SQLite only: flushes of the WAL to the device before answering (each
    /// covers every group committed before it), and the milliseconds they
    /// took on the sync thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    sqlite_syncs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sqlite_sync_ms: Option<u64>,
    /// CPU time per message during the run, in µs (Linux only): the whole
    /// process, the SQLite writer and checkpointer threads, and the rest
    /// (async runtime and prepare workers). At 3,000 messages/s two cores
    /// allow 667 µs in all, and the writer (one thread) 333 µs.
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu_us_per_message: Option<CpuPerMessage>,
    /// The percentage of the machine's CPU time stolen by the hypervisor
    /// during the run (Linux only): on a shared virtual machine the same
    /// build's rate moves with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    steal_percent: Option<f64>,
    /// With `--sql-profile`: the writer's costliest statements during the
    /// run, per message.
    #[serde(skip_serializing_if = "Option::is_none")]
    sqlite_statements: Option<Vec<StatementCost>>,
}

/// One statement of the writer's profile, per message of the run.
#[derive(Debug, serde::Serialize)]
struct StatementCost {
    sql: String,
    runs: f64,
    us: f64,
}

impl StatementCost {
    /// Statements shown: the costliest.
    const SHOWN: usize = 20;
    /// Characters of a statement's text shown.
    const TEXT: usize = 100;

    /// The costliest statements from `before` to `after`, per message.
    fn costliest(
        before: &[cbec_store::sqlite::StatementProfile],
        after: &[cbec_store::sqlite::StatementProfile],
        messages: usize,
    ) -> Vec<StatementCost> {
        let per = |n: u64, scale: f64| ((n as f64 / scale / messages.max(1) as f64) * 100.0).round() / 100.0;
        let mut costs: Vec<(u64, StatementCost)> = after
            .iter()
            .map(|a| {
                let b = before.iter().find(|b| b.sql == a.sql);
                let runs = a.runs - b.map_or(0, |b| b.runs);
                let nanos = a.nanos - b.map_or(0, |b| b.nanos);
                let sql = a.sql.chars().take(Self::TEXT).collect();
                (nanos, StatementCost { sql, runs: per(runs, 1.0), us: per(nanos, 1_000.0) })
            })
            .filter(|(_, c)| c.runs > 0.0)
            .collect();
        costs.sort_by_key(|c| std::cmp::Reverse(c.0));
        costs.into_iter().take(Self::SHOWN).map(|(_, c)| c).collect()
    }
}

#[derive(Debug, serde::Serialize)]
struct CpuPerMessage {
    total: f64,
    writer: f64,
    checkpointer: f64,
    other: f64,
}

impl CpuPerMessage {
    fn between(before: &cpu::CpuTimes, after: &cpu::CpuTimes, messages: usize) -> CpuPerMessage {
        let per = |seconds: f64| ((seconds * 1e6 / messages.max(1) as f64) * 10.0).round() / 10.0;
        let total = (after.process - before.process).max(0.0);
        // The thread names as the kernel keeps them (15 bytes).
        let writer = after.threads_since(before, "cbec-sqlite-wri");
        let checkpointer = after.threads_since(before, "cbec-sqlite-che");
        CpuPerMessage {
            total: per(total),
            writer: per(writer),
            checkpointer: per(checkpointer),
            other: per((total - writer - checkpointer).max(0.0)),
        }
    }
}

/// A temporary directory removed when dropped.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn unix_millis() -> anyhow::Result<i64> {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).context("the clock is before 1970")?;
    i64::try_from(d.as_millis()).context("the clock is out of range")
}

/// The `returnStatus` values of a receipt message.
fn return_statuses(xml: &[u8]) -> Vec<&str> {
    const OPEN: &[u8] = b"<ceb:returnStatus>";
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.windows(OPEN.len()).position(|w| w == OPEN) {
        rest = &rest[i + OPEN.len()..];
        let end = rest.iter().position(|&b| b == b'<').unwrap_or(rest.len());
        out.push(std::str::from_utf8(&rest[..end]).unwrap_or("?"));
        rest = &rest[end..];
    }
    out
}

/// A refusal: a negative code, or 100 (refused after the three-order match).
fn refused(status: &str) -> bool {
    status.starts_with('-') || status == "100"
}

/// Nearest-rank percentile of sorted microseconds, in milliseconds.
fn percentile_ms(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64 / 1000.0
}

/// What one sending task saw.
#[derive(Default)]
struct TaskReport {
    latencies_us: Vec<u64>,
    saturated: u64,
    released_in_answer: usize,
}

/// The four signed documents of one import: order, payment, waybill, list.
type Signed = [Vec<u8>; 4];
/// Pre-signed traffic, by import number.
type Traffic = Vec<Signed>;

/// Generates `imports` retail imports (1 to 4 items each) and signs each
/// document with its sender's key, on every core.
fn sign_traffic(world: &cbec_pipeline::traffic::World, imports: usize) -> anyhow::Result<Traffic> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(imports.max(1));
    let codes = world.codes();
    let chunks: Vec<anyhow::Result<Vec<(usize, Signed)>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let codes = &codes;
                s.spawn(move || {
                    (t..imports)
                        .step_by(threads)
                        .map(|i| {
                            let case = cbec_fixtures::import_case(
                                SEED_BASE + i as u64,
                                cbec_fixtures::ImportMode::DirectPurchase,
                                1 + i % 4,
                                codes,
                            );
                            let signed = world.sign_case(&case).with_context(|| format!("signing import {i}"))?;
                            Ok((i, signed))
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("a signing thread panicked"))))
            .collect()
    });
    let mut all: Vec<Option<Signed>> = (0..imports).map(|_| None).collect();
    for chunk in chunks {
        for (i, docs) in chunk? {
            all[i] = Some(docs);
        }
    }
    all.into_iter().map(|d| d.context("an import was not signed")).collect()
}

/// `cbec bench pipeline`: files the five enterprises of a retail import
/// with fresh keys, generates and signs all the traffic before timing
/// (signing is the enterprises' cost), then sends it through
/// [`cbec_pipeline::Pipeline::submit`] from `--concurrency` tasks on a
/// multi-thread runtime like the service's, each taking the next import
/// and sending its four documents one after the other in a rotating order.
/// Times every submit and the whole run, then checks that every list was
/// released; prints one JSON line.
fn run_pipeline(p: PipelineArgs) -> anyhow::Result<Outcome> {
    if p.messages == 0 || p.messages > MAX_PIPELINE_MESSAGES {
        anyhow::bail!("--messages must be between 1 and {MAX_PIPELINE_MESSAGES}");
    }
    if p.concurrency == 0 {
        anyhow::bail!("--concurrency must be at least 1");
    }
    if p.max_in_flight == Some(0) {
        anyhow::bail!("--max-in-flight must be at least 1");
    }
    let imports = p.messages.div_ceil(4);
    let (alg, alg_name) = match p.alg {
        AlgArg::Sm2 => (KeyAlgorithm::Sm2, "sm2"),
        AlgArg::Rsa => (KeyAlgorithm::Rsa, "rsa"),
    };
    let runtime_threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let rt =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;

    // The store: the given database, or a fresh SQLite file (whose writer's
    // group-commit counters are read).
    let mut temp = None;
    let url = match &p.db {
        Some(url) => url.clone(),
        None => {
            let dir =
                std::env::temp_dir().join(format!("cbec-bench-pipeline-{}-{}", std::process::id(), unix_millis()?));
            std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
            let url = format!("sqlite://{}", dir.join("cbec.db").display());
            temp = Some(TempDir(dir));
            url
        }
    };
    let outcome = rt.block_on(pipeline_run(&p, &url, alg, alg_name, imports, runtime_threads));
    drop(rt);
    drop(temp);
    let r = outcome?;
    let expected = imports;
    if r.lists_released != expected {
        eprintln!(
            "cbec: bench pipeline: {} of {expected} lists were released; the traffic was not cleared as expected",
            r.lists_released
        );
        return Ok(Outcome::Failed);
    }
    println!("{}", serde_json::to_string(&r)?);
    Ok(Outcome::Ok)
}

async fn pipeline_run(
    p: &PipelineArgs,
    url: &str,
    alg: KeyAlgorithm,
    alg_name: &'static str,
    imports: usize,
    runtime_threads: usize,
) -> anyhow::Result<PipelineResult> {
    use std::collections::VecDeque;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use cbec_pipeline::{Pipeline, PipelineConfig, PipelineError, Sender};
    use cbec_store::{DocFilter, Millis, Store};

    let (store, sqlite): (Arc<dyn Store>, Option<Arc<cbec_store::sqlite::SqliteStore>>) =
        match url.strip_prefix("sqlite://") {
            Some(path) => {
                let s = Arc::new(
                    cbec_store::sqlite::SqliteStore::open_with(path, p.sql_profile)
                        .await
                        .with_context(|| format!("opening {url}"))?,
                );
                (s.clone(), Some(s))
            }
            None => (cbec_store::open(url).await.with_context(|| format!("opening {url}"))?, None),
        };
    let backend = store.backend();
    let filed_at = Millis(unix_millis()? - DAY_MS);
    let world = cbec_pipeline::traffic::file_world(store.as_ref(), &cbec_fixtures::Parties::default(), alg, filed_at)
        .await
        .context("filing the enterprises (is the database empty?)")?;

    let signing = Instant::now();
    let world = Arc::new(world);
    let traffic = {
        let world = world.clone();
        tokio::task::spawn_blocking(move || sign_traffic(&world, imports))
            .await
            .context("the signing task failed")??
    };
    let sign_seconds = signing.elapsed().as_secs_f64();
    let messages = imports * 4;
    let mean_message_bytes = traffic.iter().flatten().map(Vec::len).sum::<usize>() / messages;

    let mut config = PipelineConfig::default();
    if let Some(m) = p.max_in_flight {
        config.max_in_flight = m;
    }
    let max_in_flight = config.max_in_flight;
    let pipeline = Arc::new(Pipeline::new(store.clone(), config));
    let senders: Arc<[Sender; 4]> = {
        let s =
            |party: &cbec_pipeline::traffic::Party| Sender { id: party.id.clone(), codes: vec![party.code.clone()] };
        Arc::new([s(&world.ebp), s(&world.pay), s(&world.logistics), s(&world.agent)])
    };
    let queue = Arc::new(std::sync::Mutex::new(traffic.into_iter().enumerate().collect::<VecDeque<_>>()));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let groups_before = sqlite.as_ref().map(|s| s.group_commit_stats());

    let statements_before = p.sql_profile.then(cbec_store::sqlite::writer_statements);
    let cpu_before = cpu::CpuTimes::now();
    let machine_before = cpu::MachineTimes::now();
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..p.concurrency.min(imports) {
        let (pipeline, senders, queue) = (pipeline.clone(), senders.clone(), queue.clone());
        let (in_flight, peak) = (in_flight.clone(), peak.clone());
        tasks.spawn(async move {
            let mut report = TaskReport::default();
            loop {
                let next = queue.lock().map_err(|_| anyhow::anyhow!("the traffic queue is poisoned"))?.pop_front();
                let Some((i, docs)) = next else { break };
                let mut docs = docs.map(Some);
                for &d in &ROTATIONS[i % 4] {
                    let body = docs[d].take().context("a document was sent twice")?;
                    let sent = Instant::now();
                    let now = in_flight.fetch_add(1, Ordering::Relaxed) + 1;
                    peak.fetch_max(now, Ordering::Relaxed);
                    let answer = loop {
                        match pipeline.submit(&senders[d], body.clone(), Millis(unix_millis()?)).await {
                            Err(PipelineError::Saturated) => {
                                report.saturated += 1;
                                tokio::time::sleep(Duration::from_millis(1)).await;
                            }
                            other => break other,
                        }
                    };
                    in_flight.fetch_sub(1, Ordering::Relaxed);
                    report.latencies_us.push(u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX));
                    let answer = answer.with_context(|| format!("import {i}, document {d}"))?;
                    let statuses = return_statuses(&answer.xml);
                    if answer.duplicate || statuses.is_empty() || statuses.iter().any(|s| refused(s)) {
                        anyhow::bail!(
                            "import {i}, document {d} was not accepted{}: {}",
                            if answer.duplicate { " (a duplicate: is the database empty?)" } else { "" },
                            String::from_utf8_lossy(&answer.xml)
                        );
                    }
                    if d == 3 && statuses.contains(&"800") {
                        report.released_in_answer += 1;
                    }
                }
            }
            anyhow::Ok(report)
        });
    }
    let mut latencies = Vec::with_capacity(messages);
    let (mut saturated, mut released_in_answer) = (0u64, 0usize);
    while let Some(joined) = tasks.join_next().await {
        let report = joined.context("a sending task failed")??;
        latencies.extend(report.latencies_us);
        saturated += report.saturated;
        released_in_answer += report.released_in_answer;
    }
    let seconds = start.elapsed().as_secs_f64();
    let cpu_us_per_message = match (cpu_before, cpu::CpuTimes::now()) {
        (Some(before), Some(after)) => Some(CpuPerMessage::between(&before, &after, messages)),
        _ => None,
    };
    let steal_percent = match (machine_before, cpu::MachineTimes::now()) {
        (Some(before), Some(after)) => Some(after.steal_percent_since(&before)),
        _ => None,
    };
    let groups_after = sqlite.as_ref().map(|s| s.group_commit_stats());
    let sqlite_statements = statements_before
        .filter(|_| sqlite.is_some())
        .map(|before| StatementCost::costliest(&before, &cbec_store::sqlite::writer_statements(), messages));

    let released = store
        .documents(DocFilter {
            kind: Some("list".into()),
            status: Some("released".into()),
            limit: u32::try_from(imports + 1).unwrap_or(u32::MAX),
            ..DocFilter::default()
        })
        .await
        .context("counting the released lists")?
        .len();
    let writer = groups_before.zip(groups_after).map(|(b, a)| a.since(&b));
    let sqlite_mean_group = writer.map(|w| {
        let mean = if w.groups == 0 { 0.0 } else { w.jobs as f64 / w.groups as f64 };
        (mean * 10.0).round() / 10.0
    });
    latencies.sort_unstable();
    let round1 = |x: f64| (x * 10.0).round() / 10.0;
    Ok(PipelineResult {
        bench: "pipeline",
        alg: alg_name,
        backend,
        messages,
        imports,
        mean_message_bytes,
        concurrency: p.concurrency,
        max_in_flight,
        peak_in_flight: peak.load(Ordering::Relaxed),
        runtime_threads,
        seconds: (seconds * 1000.0).round() / 1000.0,
        messages_per_second: round1(messages as f64 / seconds),
        lists_per_second: round1(imports as f64 / seconds),
        p50_ms: percentile_ms(&latencies, 0.50),
        p90_ms: percentile_ms(&latencies, 0.90),
        p99_ms: percentile_ms(&latencies, 0.99),
        max_ms: percentile_ms(&latencies, 1.0),
        saturated_retries: saturated,
        lists_released_in_answer: released_in_answer,
        lists_released: released,
        sign_seconds: (sign_seconds * 100.0).round() / 100.0,
        sqlite_groups: writer.map(|w| w.groups),
        sqlite_mean_group,
        sqlite_wal_restarts: writer.map(|w| w.wal_restarts),
        sqlite_wal_catch_up_ms: writer.map(|w| w.catch_up_micros / 1000),
        sqlite_writer_priority_raised: writer.map(|w| w.writer_priority_raised),
        sqlite_syncs: writer.map(|w| w.syncs),
        sqlite_sync_ms: writer.map(|w| w.sync_micros / 1000),
        cpu_us_per_message,
        steal_percent,
        sqlite_statements,
    })
}
