//! `cbec bench web [--lists N] [--db URL] [--runs R] [--templates T]`: the
//! web pages timed on a database of `N` retail-import lists.
//!
//! **Seeding** (when `--db` is new or empty; see [`seed`] and
//! [`replicate`]): `T` imports go through the real clearance pipeline and
//! the JSON API of an in-process server (enterprises filed with keys and
//! certificates, a risk rule set activated by two officers, refusals,
//! lists held for review and inspection and handled by an officer,
//! applications, warnings, test results, sampling plans, orders); then
//! their rows are copied in bulk, with every identifier, number, buyer and
//! time rewritten, until the database holds `N` lists. A table
//! `bench_web` records the seeding (and what the timed pages look for);
//! a database holding it is reused as is, one with data but without it is
//! refused.
//!
//! **Timing** (see [`pages`]): the real router is served in-process on a
//! loopback port; an officer and an enterprise sign in through `/login`;
//! every page is requested once (its answer checked: status 200, and the
//! searches must find the copy they look for), then `R` times round-robin.
//! One JSON line gives each page's median, p95 and maximum; the exit code
//! is 1 when a page's median is over [`BUDGET_MS`], a page fails or a
//! search misses.

mod http;
mod pages;
mod replicate;
mod seed;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use rusqlite::OptionalExtension as _;

use crate::Outcome;

/// A page's median must stay under this.
pub const BUDGET_MS: f64 = 200.0;
const MAX_LISTS: usize = 20_000_000;
const MIN_TEMPLATES: usize = 40;
const MAX_TEMPLATES: usize = 5_000;

#[derive(Debug, clap::Args)]
pub struct WebArgs {
    /// Retail-import lists in the database (each with its order, payment
    /// and waybill, receipts, status moves and quota rows).
    #[arg(long, default_value_t = 1_000_000)]
    lists: usize,
    /// The database, `sqlite://PATH`: seeded when it is new or empty,
    /// reused when `cbec bench web` seeded it before. Default: a fresh file
    /// in a new temporary directory, removed at the end.
    #[arg(long)]
    db: Option<String>,
    /// Timed requests of each page, after one warm-up request.
    #[arg(long, default_value_t = 20)]
    runs: usize,
    /// Imports sent through the real pipeline, then copied (at most
    /// --lists).
    #[arg(long, default_value_t = 300)]
    templates: usize,
    /// Lists the timed risk dry run reads (as many as the form proposes).
    #[arg(long, default_value_t = 5_000)]
    dry_run_lists: u32,
}

/// What the seeding recorded for later runs (the `bench_web` row).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Targets {
    pub accounts: seed::Accounts,
    pub probe: replicate::Probe,
}

#[derive(Debug, Clone)]
struct Marker {
    lists: usize,
    templates: usize,
    documents: i64,
    seed_seconds: f64,
    targets: Targets,
}

#[derive(serde::Serialize)]
struct WebResult {
    bench: &'static str,
    backend: &'static str,
    lists: usize,
    documents: i64,
    templates: usize,
    /// The database was seeded before (by an earlier run) and reused.
    reused: bool,
    /// Seeding time (of the earlier run when reused).
    seed_seconds: f64,
    db_bytes: u64,
    runs: usize,
    budget_ms: f64,
    cpus: usize,
    pages: Vec<pages::PageTiming>,
    /// Each search, and whether it found the document or enterprise it
    /// looked for.
    found: std::collections::BTreeMap<String, bool>,
    /// Pages whose median is over the budget.
    slow: Vec<String>,
}

/// A temporary directory removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The in-process server.
pub(crate) struct Running {
    pub addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    fn start(rt: &tokio::runtime::Runtime, state: cbec_server::AppState) -> anyhow::Result<Running> {
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).context("binding a loopback port")?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = rt.spawn(cbec_server::serve(listener, state, shutdown, Duration::from_secs(5)));
        Ok(Running { addr, stop, task })
    }

    fn stop(self, rt: &tokio::runtime::Runtime) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        rt.block_on(self.task).context("the server task failed")?.context("the server failed")
    }
}

fn config(url: &str) -> cbec_server::Config {
    cbec_server::Config { database_url: url.to_owned(), risk_seed: Some(7), ..cbec_server::Config::default() }
}

/// What `path` holds.
enum Found {
    Fresh,
    Seeded(Box<Marker>),
}

fn inspect(path: &Path) -> anyhow::Result<Found> {
    if !path.exists() {
        return Ok(Found::Fresh);
    }
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("opening {}", path.display()))?;
    let table = |name: &str| -> anyhow::Result<bool> {
        Ok(conn
            .query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", [name], |r| r.get::<_, i64>(0))
            .optional()?
            .is_some())
    };
    if table("bench_web")? {
        let (lists, templates, documents, seed_seconds, targets): (i64, i64, i64, f64, String) = conn
            .query_row(
                "SELECT lists, templates, documents, seed_seconds, targets FROM bench_web WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .context("reading the bench_web row")?;
        return Ok(Found::Seeded(Box::new(Marker {
            lists: usize::try_from(lists)?,
            templates: usize::try_from(templates)?,
            documents,
            seed_seconds,
            targets: serde_json::from_str(&targets).context("the bench_web targets")?,
        })));
    }
    let holds = |t: &str| -> anyhow::Result<bool> {
        Ok(table(t)? && conn.query_row(&format!("SELECT EXISTS (SELECT 1 FROM {t})"), [], |r| r.get::<_, bool>(0))?)
    };
    if holds("documents")? || holds("enterprises")? {
        bail!(
            "{} holds data but was not seeded by `cbec bench web` (or its seeding did not finish): \
             name a new file with --db, or remove it",
            path.display()
        );
    }
    Ok(Found::Fresh)
}

/// Free bytes of the file system holding `dir`, from `df` (None if it
/// cannot tell).
pub(crate) fn free_bytes(dir: &Path) -> Option<u64> {
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let out = std::process::Command::new("df").arg("-Pk").arg(dir).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let kb: u64 = text.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()?;
    Some(kb * 1024)
}

/// About what one list takes on disk, with its order, payment, waybill,
/// receipts, moves, keys and indexes (measured: 20.7 KB with 50,000 lists).
const BYTES_PER_LIST: u64 = 21_000;
/// Seeding stops when the disk has less than this left.
pub(crate) const MIN_FREE_BYTES: u64 = 2 << 30;

fn seed_database(
    rt: &tokio::runtime::Runtime,
    url: &str,
    path: &Path,
    lists: usize,
    templates: usize,
) -> anyhow::Result<Marker> {
    let started = Instant::now();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let need = lists as u64 * BYTES_PER_LIST;
        if let Some(free) = free_bytes(dir)
            && free < need + need / 10 + MIN_FREE_BYTES
        {
            bail!(
                "{} has {} MB free; about {} MB are needed for {lists} lists (and a margin)",
                dir.display(),
                free >> 20,
                need >> 20
            );
        }
    }
    let clock_offset = Arc::new(AtomicI64::new(0));
    let (built, documents_before) = {
        let store = rt.block_on(cbec_store::sqlite::open(&path.display().to_string())).context("opening the store")?;
        let state = cbec_server::AppState::new(store.clone(), seed::clock(clock_offset.clone()), config(url));
        rt.block_on(cbec_server::claim_mode(&*store, &state.config, state.now())).context("claiming the database")?;
        let filed = rt.block_on(seed::file(&*store))?;
        rt.block_on(cbec_server::workers::load_reference_data(&state));
        rt.block_on(cbec_server::workers::load_risk(&state));
        let server = Running::start(rt, state.clone())?;
        let seeding = seed::Seeding {
            rt,
            state: state.clone(),
            addr: server.addr,
            clock_offset: clock_offset.clone(),
            path: path.to_path_buf(),
        };
        let built = (|| {
            let (templates, rule_set) = seed::templates(&seeding, &filed, templates)?;
            let accounts = seed::extras(&seeding, &filed, rule_set)?;
            anyhow::Ok((templates, accounts))
        })();
        drop(seeding);
        server.stop(rt)?;
        drop(state);
        drop(store);
        let built = built?;
        let documents: i64 =
            rusqlite::Connection::open(path)?.query_row("SELECT count(*) FROM documents", [], |r| r.get(0))?;
        (built, documents)
    };
    let (templates, accounts) = built;
    eprintln!(
        "cbec bench web: {} templates through the pipeline and the API in {:.1} s; copying",
        templates.len(),
        started.elapsed().as_secs_f64()
    );
    // The store's writer and checkpointer threads close their connections
    // once the store is dropped; wait until the file is ours alone.
    std::thread::sleep(Duration::from_millis(300));
    let (probe, copies) = replicate::replicate(path, &templates, lists)?;
    let per_copy: i64 = {
        let rep: Vec<&seed::Template> = templates.iter().filter(|t| t.replicate).collect();
        (0..copies).map(|c| rep[c % rep.len()].docs.len() as i64).sum()
    };
    let marker = Marker {
        lists: templates.len() + copies,
        templates: templates.len(),
        documents: documents_before + per_copy,
        seed_seconds: (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        targets: Targets { accounts, probe },
    };
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(
        "CREATE TABLE bench_web (
             id INTEGER PRIMARY KEY CHECK (id = 1), lists INTEGER NOT NULL, templates INTEGER NOT NULL,
             documents INTEGER NOT NULL, seed_seconds REAL NOT NULL, seeded_at INTEGER NOT NULL, targets TEXT NOT NULL)",
    )?;
    conn.execute(
        "INSERT INTO bench_web (id, lists, templates, documents, seed_seconds, seeded_at, targets)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![
            i64::try_from(marker.lists)?,
            i64::try_from(marker.templates)?,
            marker.documents,
            marker.seed_seconds,
            crate::bench::unix_millis()?,
            serde_json::to_string(&marker.targets)?
        ],
    )?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    eprintln!("cbec bench web: seeded {} lists in {:.1} s", marker.lists, marker.seed_seconds);
    Ok(marker)
}

fn db_bytes(path: &Path) -> u64 {
    ["", "-wal"].iter().filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok()).map(|m| m.len()).sum()
}

pub fn run(a: WebArgs) -> anyhow::Result<Outcome> {
    let templates = a.templates.min(a.lists);
    if a.lists < MIN_TEMPLATES || a.lists > MAX_LISTS {
        bail!("--lists must be between {MIN_TEMPLATES} and {MAX_LISTS}");
    }
    if !(MIN_TEMPLATES..=MAX_TEMPLATES).contains(&templates) {
        bail!("--templates must be between {MIN_TEMPLATES} and {MAX_TEMPLATES}");
    }
    if a.runs == 0 || a.runs > 10_000 {
        bail!("--runs must be between 1 and 10000");
    }
    if !(1..=50_000).contains(&a.dry_run_lists) {
        bail!("--dry-run-lists must be between 1 and 50000");
    }
    let mut temp = None;
    let url = match &a.db {
        Some(url) => url.clone(),
        None => {
            let dir = std::env::temp_dir().join(format!(
                "cbec-bench-web-{}-{}",
                std::process::id(),
                crate::bench::unix_millis()?
            ));
            std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
            let url = format!("sqlite://{}", dir.join("cbec.db").display());
            temp = Some(TempDir(dir));
            url
        }
    };
    let Some(path) = url.strip_prefix("sqlite://").map(|p| PathBuf::from(p.split('?').next().unwrap_or_default()))
    else {
        bail!("--db must be sqlite://PATH: the benchmark seeds SQLite files directly");
    };
    ensure!(!path.as_os_str().is_empty(), "--db names no file");
    let runtime_threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let rt =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    let (marker, reused) = match inspect(&path)? {
        Found::Seeded(m) => {
            if m.lists != a.lists {
                bail!(
                    "{} was seeded with {} lists, not {}: give --lists {} or another --db",
                    path.display(),
                    m.lists,
                    a.lists,
                    m.lists
                );
            }
            (*m, true)
        }
        Found::Fresh => {
            let existed = path.exists();
            match seed_database(&rt, &url, &path, a.lists, templates) {
                Ok(m) => (m, false),
                Err(e) => {
                    // A database this run created and could not finish is
                    // of no use (and may be large): remove it.
                    if !existed {
                        for suffix in ["", "-wal", "-shm"] {
                            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                        }
                    }
                    return Err(e);
                }
            }
        }
    };

    let timed = {
        let store = rt.block_on(cbec_store::sqlite::open(&path.display().to_string())).context("opening the store")?;
        rt.block_on(seed::passwords(&*store, &marker.targets.accounts.enterprise_code))?;
        let state = cbec_server::AppState::new(store, cbec_server::system_clock(), config(&url));
        rt.block_on(cbec_server::workers::load_reference_data(&state));
        rt.block_on(cbec_server::workers::load_risk(&state));
        let server = Running::start(&rt, state)?;
        let timed = pages::time(server.addr, &marker.targets, a.runs, a.dry_run_lists);
        server.stop(&rt)?;
        timed?
    };
    drop(rt);
    let slow: Vec<String> = timed.pages.iter().filter(|p| p.median_ms > BUDGET_MS).map(|p| p.page.clone()).collect();
    let r = WebResult {
        bench: "web",
        backend: "sqlite",
        lists: marker.lists,
        documents: marker.documents,
        templates: marker.templates,
        reused,
        seed_seconds: marker.seed_seconds,
        db_bytes: db_bytes(&path),
        runs: a.runs,
        budget_ms: BUDGET_MS,
        cpus: runtime_threads,
        pages: timed.pages,
        found: timed.found,
        slow: slow.clone(),
    };
    println!("{}", serde_json::to_string(&r)?);
    drop(temp);
    let mut failed = false;
    if !slow.is_empty() {
        eprintln!("cbec: bench web: median over {BUDGET_MS} ms: {}", slow.join(", "));
        failed = true;
    }
    for problem in &timed.problems {
        eprintln!("cbec: bench web: {problem}");
        failed = true;
    }
    Ok(if failed { Outcome::Failed } else { Outcome::Ok })
}
