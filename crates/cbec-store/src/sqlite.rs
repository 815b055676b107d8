//! The SQLite implementation of [`Store`]: [`SqliteStore`], one file in WAL
//! mode, the embedded default (`sqlite://PATH`).
//!
//! **Writes** go through one connection owned by a dedicated thread, the
//! *writer*. Callers send it a job over a bounded channel and await a
//! oneshot answer. The writer takes the first queued job and up to
//! [`MAX_GROUP`]` - 1` more that are already waiting, opens one
//! `BEGIN IMMEDIATE` transaction, runs the jobs (a failing job's changes are
//! undone and the others keep theirs: clearance decisions, which can run
//! again, without a savepoint unless one of them fails after writing, every
//! other job in its own `SAVEPOINT`; see `run_group`), commits once, and
//! hands the group to the *syncer*, which flushes the WAL to the device and
//! only then answers every job. Group commit turns many small transactions
//! into one; no caller hears "done" before its change is committed and on
//! the device, so an acknowledged message survives a power loss. (The
//! writer runs with `synchronous=NORMAL`: its commits survive a crash of
//! the process without an fsync of their own, and the syncer's flush,
//! which covers every group committed before it began, makes them survive
//! a power loss while the writer goes on with the next group.) Each job
//! reads the audit chain head (the
//! last row) inside the write transaction, which SQLite grants to one
//! connection at a time, so the chain cannot fork even with several
//! processes on one file. A new write operation is a closure over the
//! store's row-level primitives passed to the crate-private
//! `SqliteStore::write`; the ingest path adds its own the same way.
//!
//! The writer asks for a raised priority (`raise_priority`): every write
//! waits for this one thread.
//!
//! **Checkpoints** run on their own thread: the writer has
//! `wal_autocheckpoint = 0`, and a checkpointer copies the WAL back every
//! 100 ms, so commits never wait for a checkpoint's writes and fsyncs. Under
//! steady load those copies never quite catch up (the writer always adds
//! frames meanwhile), so SQLite would never start the WAL over; once it is
//! large the checkpointer copies back to back until little is left, then
//! asks the writer to copy the last few frames itself between two groups,
//! after which the writer's next transaction starts the WAL from its
//! beginning, reusing the file (never cut back below
//! [`WAL_LIMIT_BYTES`], which is above the size at which it starts over).
//!
//! **Reads** use a small pool of read-only connections ([`READERS`]), each
//! call on `tokio::task::spawn_blocking` inside one deferred (snapshot)
//! transaction, so they never block the async reactor or the writer (WAL
//! lets readers and the writer proceed together).
//!
//! **Migrations** (`migrations/sqlite/NNNN_verb_noun.sql`) are embedded and
//! applied in order on open inside one `BEGIN IMMEDIATE` transaction,
//! recorded with their checksum in `schema_migrations`; an edited or unknown
//! applied migration stops the open.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Duration;

use cbec_model::filing::{ApplicationState, LicenceKind};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Row, params, params_from_iter};
use tokio::sync::{Semaphore, mpsc, oneshot};

use crate::audit::{AuditEntry, GENESIS};
use crate::clearance::{
    Decider, DocFilter, DocRow, DuePush, MoveRow, NewMessage, NewReceipt, Processed, PushResult, PushRow, QuotaRow,
    ReceiptRow, StoredMessage, StoredMove, Webhook, Work,
};
use crate::codec::cols::*;
use crate::codec::{
    Migration, check_applied, conflict_message, fingerprint, from_json, int, join_keys, parse_name, parse_principal,
    principal_text, push_columns, same_identity, split_keys, to_json,
};
use crate::ops::{self, Db, now};
use crate::{
    Actor, ApiToken, Application, ApplicationFilter, Certificate, CreditChange, Effect, Enterprise, EnterpriseVersion,
    Id, Licence, Millis, MonitoringFilter, MonitoringRow, NewApplication, NewCertificate, NewCreditChange, NewLicence,
    NewOfficer, NewRefdata, NewToken, NewWarehouse, Officer, OverseasWarehouse, Page, Principal, RatingChange,
    RefdataVersion, Result, RuleSetRow, Store, StoreError, StoreMode, audit,
};
use std::collections::BTreeMap;

/// The most jobs committed in one transaction.
pub const MAX_GROUP: usize = 64;
/// Jobs that may wait for the writer before senders wait too.
const QUEUE: usize = 1024;
/// Read-only connections.
pub const READERS: usize = 4;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const STATEMENT_CACHE: usize = 64;

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_create_principals",
        sql: include_str!("../migrations/sqlite/0001_create_principals.sql"),
    },
    Migration {
        version: 2,
        name: "0002_create_filing",
        sql: include_str!("../migrations/sqlite/0002_create_filing.sql"),
    },
    Migration {
        version: 3,
        name: "0003_create_audit_log",
        sql: include_str!("../migrations/sqlite/0003_create_audit_log.sql"),
    },
    Migration {
        version: 4,
        name: "0004_create_clearance",
        sql: include_str!("../migrations/sqlite/0004_create_clearance.sql"),
    },
    Migration {
        version: 5,
        name: "0005_create_store_mode",
        sql: include_str!("../migrations/sqlite/0005_create_store_mode.sql"),
    },
    Migration {
        version: 6,
        name: "0006_create_refdata",
        sql: include_str!("../migrations/sqlite/0006_create_refdata.sql"),
    },
    Migration { version: 7, name: "0007_create_risk", sql: include_str!("../migrations/sqlite/0007_create_risk.sql") },
    Migration {
        version: 8,
        name: "0008_create_web_accounts",
        sql: include_str!("../migrations/sqlite/0008_create_web_accounts.sql"),
    },
    Migration {
        version: 9,
        name: "0009_create_workbench",
        sql: include_str!("../migrations/sqlite/0009_create_workbench.sql"),
    },
    Migration {
        version: 10,
        name: "0010_index_documents_kind",
        sql: include_str!("../migrations/sqlite/0010_index_documents_kind.sql"),
    },
];

/// Opens (creating and migrating) the SQLite store at `path`.
pub async fn open(path: &str) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(SqliteStore::open(path).await?))
}

/// The SQLite store: a writer thread fed by a channel and a pool of
/// read-only connections.
pub struct SqliteStore {
    jobs: mpsc::Sender<Box<dyn Job>>,
    readers: Arc<ReadPool>,
    counters: Arc<Counters>,
    /// Tells the checkpointer thread to stop.
    closing: Arc<AtomicBool>,
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.closing.store(true, Ordering::Relaxed);
    }
}

/// How often the checkpointer copies the WAL back into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
/// WAL frames (4 KiB pages) above which the writer is asked to finish a
/// checkpoint itself, so that the WAL starts over (see [`checkpointer`]).
const RESTART_FRAMES: i64 = if cfg!(test) { 64 } else { 16_384 };
/// Frames a checkpoint pass may find added since the previous pass for the
/// checkpointer to stop copying back to back and hand the rest to the
/// writer: about one group's worth.
const CONVERGED_FRAMES: i64 = if cfg!(test) { 16 } else { 512 };
/// At most this many passes back to back before the writer is asked anyway.
const CONVERGE_PASSES: usize = 8;
/// The size the WAL file is cut back to when it starts over. Twice the size
/// at which it starts over, so in steady use it is never cut: the file is
/// reused, rather than truncated (a discard on this file system) and grown
/// again, block by block.
const WAL_LIMIT_BYTES: i64 = RESTART_FRAMES * 4096 * 2;

/// Checkpoints off the writer thread: the writer runs with
/// `wal_autocheckpoint = 0`, so its commits never stall on copying the WAL
/// (and its fsyncs); this thread runs a PASSIVE checkpoint every
/// [`CHECKPOINT_EVERY`].
///
/// SQLite starts the WAL over only when a write transaction begins with
/// every frame copied. Under steady load the writer is inside a transaction
/// while each checkpoint runs and commits more frames before its next one
/// begins, so that never happens and the WAL would grow without bound. (A
/// TRUNCATE or RESTART checkpoint from here would take the write lock and
/// stall the writer in its busy handler for tens of milliseconds.) So once
/// the WAL holds more than [`RESTART_FRAMES`] frames this thread sets
/// `catch_up`, and the writer, between two groups, copies the few frames
/// written since this thread's last pass (`catch_up_wal`).
///
/// The writer's copy ends with an fsync of the database, a flush of the
/// device that on a virtual disk takes tens of milliseconds and more the
/// more was written since the last one; the writer answers no one meanwhile.
/// So before asking, this thread copies back to back, each pass taking what
/// the writer added during the one before, until a pass finds about one
/// group's worth added ([`CONVERGED_FRAMES`]): the writer is then left a
/// group or two to copy, just after a flush.
fn checkpointer(path: PathBuf, closing: Arc<AtomicBool>, catch_up: Arc<AtomicBool>) {
    let Ok(conn) = Connection::open(&path) else { return };
    let _ = conn.busy_timeout(Duration::from_millis(50));
    while !closing.load(Ordering::Relaxed) {
        std::thread::sleep(CHECKPOINT_EVERY);
        let Ok((0, log, _)) = passive_checkpoint(&conn) else { continue };
        if log <= RESTART_FRAMES {
            continue;
        }
        converge(log, || match passive_checkpoint(&conn) {
            Ok((0, now, _)) => Some(now),
            _ => None,
        });
        catch_up.store(true, Ordering::Relaxed);
    }
}

/// The checkpointer's passes back to back once the WAL is long (`log`
/// frames after the first pass): `pass` copies back and gives the frames
/// now in the WAL, or `None` if it was busy. Stops when a pass finds at most
/// [`CONVERGED_FRAMES`] added since the one before, when the WAL started
/// over meanwhile (fewer frames than before), when a pass is busy, or after
/// [`CONVERGE_PASSES`]; the passes made.
fn converge(mut log: i64, mut pass: impl FnMut() -> Option<i64>) -> usize {
    for passes in 1..=CONVERGE_PASSES {
        match pass() {
            Some(now) if now >= log => {
                let added = now - log;
                log = now;
                if added <= CONVERGED_FRAMES {
                    return passes;
                }
            }
            _ => return passes,
        }
    }
    CONVERGE_PASSES
}

/// `PRAGMA wal_checkpoint(PASSIVE)`: (busy, frames in the WAL, frames copied).
fn passive_checkpoint(conn: &Connection) -> rusqlite::Result<(i64, i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
}

/// On the writer, between groups, when the checkpointer asked: copies the
/// rest of the WAL, so the writer's next transaction starts it over. If the
/// checkpointer is copying at that moment the checkpoint reports busy and
/// the writer tries again after its next group.
fn catch_up_wal(conn: &Connection, catch_up: &AtomicBool, counters: &Counters) {
    if !catch_up.load(Ordering::Relaxed) {
        return;
    }
    let started = std::time::Instant::now();
    let copied = passive_checkpoint(conn);
    counters.catch_up_micros.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    if let Ok((0, log, done)) = copied
        && done == log
    {
        catch_up.store(false, Ordering::Relaxed);
        // (A request made before the WAL last started over finds it short.)
        if log > RESTART_FRAMES {
            counters.wal_restarts.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Statements run by profiled writers (see [`SqliteStore::open_with`]), by
/// their text with runs of white space made one space: (runs, nanoseconds).
/// One table for the process: SQLite's profile hook takes a plain function.
static STATEMENTS: LazyLock<Mutex<std::collections::HashMap<String, (u64, u64)>>> = LazyLock::new(Mutex::default);

fn record_statement(event: rusqlite::trace::TraceEvent<'_>) {
    let rusqlite::trace::TraceEvent::Profile(stmt, took) = event else { return };
    let sql = stmt.sql().split_whitespace().collect::<Vec<_>>().join(" ");
    let mut table = STATEMENTS.lock().unwrap_or_else(PoisonError::into_inner);
    let entry = table.entry(sql).or_insert((0, 0));
    entry.0 += 1;
    entry.1 += u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
}

/// A statement's runs and time in the profiled writers so far. SQLite times
/// each run on a millisecond clock (a run is counted 0 or 1 ms, and more
/// when longer), so the time is a fair sum over many runs, not of a few.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementProfile {
    /// The statement's text, white space made single spaces.
    pub sql: String,
    pub runs: u64,
    pub nanos: u64,
}

/// Every statement the profiled writers of this process have run so far,
/// the most time first (see [`SqliteStore::open_with`]).
pub fn writer_statements() -> Vec<StatementProfile> {
    let table = STATEMENTS.lock().unwrap_or_else(PoisonError::into_inner);
    let mut all: Vec<StatementProfile> =
        table.iter().map(|(sql, &(runs, nanos))| StatementProfile { sql: sql.clone(), runs, nanos }).collect();
    all.sort_by(|a, b| b.nanos.cmp(&a.nanos).then_with(|| a.sql.cmp(&b.sql)));
    all
}

/// What the writer has committed so far: `jobs / groups` is the mean group
/// size (for metrics and benchmarks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupCommitStats {
    /// Transactions committed (or failed as a whole).
    pub groups: u64,
    /// Jobs run in them, successful or not.
    pub jobs: u64,
    /// Groups rolled back and run again in savepoints because a repeatable
    /// job failed after changing rows (see `run_group`).
    pub reruns: u64,
    /// Checkpoints the writer finished itself so the WAL could start over
    /// (see [`checkpointer`]).
    pub wal_restarts: u64,
    /// Microseconds the writer spent in those checkpoints (and in attempts
    /// that found the checkpointer busy), answering no one meanwhile.
    pub catch_up_micros: u64,
    /// The writer thread runs at a raised priority (see `raise_priority`).
    pub writer_priority_raised: bool,
    /// Flushes of the WAL to the device by the syncer (see [`syncer`]),
    /// each covering every group committed before it began.
    pub syncs: u64,
    /// Microseconds the syncer spent in them.
    pub sync_micros: u64,
    /// Groups the syncer has made durable and answered.
    pub synced_groups: u64,
}

impl GroupCommitStats {
    /// What the writer did since `earlier` was taken (the priority as now).
    pub fn since(&self, earlier: &GroupCommitStats) -> GroupCommitStats {
        GroupCommitStats {
            groups: self.groups - earlier.groups,
            jobs: self.jobs - earlier.jobs,
            reruns: self.reruns - earlier.reruns,
            wal_restarts: self.wal_restarts - earlier.wal_restarts,
            catch_up_micros: self.catch_up_micros - earlier.catch_up_micros,
            writer_priority_raised: self.writer_priority_raised,
            syncs: self.syncs - earlier.syncs,
            sync_micros: self.sync_micros - earlier.sync_micros,
            synced_groups: self.synced_groups - earlier.synced_groups,
        }
    }
}

#[derive(Default)]
struct Counters {
    groups: AtomicU64,
    jobs: AtomicU64,
    reruns: AtomicU64,
    wal_restarts: AtomicU64,
    catch_up_micros: AtomicU64,
    writer_priority_raised: AtomicBool,
    syncs: AtomicU64,
    sync_micros: AtomicU64,
    synced_groups: AtomicU64,
}

impl SqliteStore {
    /// Opens the database file (creating it and its parent directories),
    /// migrates it and starts the writer thread.
    pub async fn open(path: &str) -> Result<SqliteStore> {
        Self::open_with(path, false).await
    }

    /// [`open`](Self::open), and with `profile_statements` the writer times
    /// every statement it runs into [`writer_statements`] (a diagnostic: a
    /// callback and a map update a statement).
    pub async fn open_with(path: &str, profile_statements: bool) -> Result<SqliteStore> {
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() || path == ":memory:" {
            return Err(StoreError::BadUrl(format!("sqlite://{path} (a file path is needed)")));
        }
        let path = PathBuf::from(path);
        let (jobs, queue) = mpsc::channel::<Box<dyn Job>>(QUEUE);
        let (ready_tx, ready_rx) = oneshot::channel::<Result<()>>();
        let writer_path = path.clone();
        let counters = Arc::new(Counters::default());
        let writer_counters = counters.clone();
        let catch_up = Arc::new(AtomicBool::new(false));
        let writer_catch_up = catch_up.clone();
        let (synced, to_sync) = std::sync::mpsc::channel::<Committed>();
        let (wal, sync_counters) = (wal_path(&path), counters.clone());
        std::thread::Builder::new()
            .name("cbec-sqlite-sync".into())
            .spawn(move || syncer(&wal, &to_sync, &sync_counters))
            .map_err(|e| StoreError::Backend(format!("cannot start the SQLite sync thread: {e}")))?;
        std::thread::Builder::new()
            .name("cbec-sqlite-writer".into())
            .spawn(move || match open_writer(&writer_path) {
                Ok(conn) => {
                    if profile_statements {
                        conn.trace_v2(rusqlite::trace::TraceEventCodes::SQLITE_TRACE_PROFILE, Some(record_statement));
                    }
                    let _ = ready_tx.send(Ok(()));
                    writer_loop(&conn, queue, &synced, &writer_counters, &writer_catch_up);
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                }
            })
            .map_err(|e| StoreError::Backend(format!("cannot start the SQLite writer thread: {e}")))?;
        ready_rx.await.map_err(|_| StoreError::Backend("the SQLite writer thread stopped while opening".into()))??;
        let closing = Arc::new(AtomicBool::new(false));
        let (checkpoint_path, stop) = (path.clone(), closing.clone());
        std::thread::Builder::new()
            .name("cbec-sqlite-checkpoint".into())
            .spawn(move || checkpointer(checkpoint_path, stop, catch_up))
            .map_err(|e| StoreError::Backend(format!("cannot start the SQLite checkpoint thread: {e}")))?;
        let readers =
            Arc::new(ReadPool { path, idle: Mutex::new(Vec::new()), permits: Arc::new(Semaphore::new(READERS)) });
        Ok(SqliteStore { jobs, readers, counters, closing })
    }

    /// Groups and jobs committed by the writer since the store was opened.
    pub fn group_commit_stats(&self) -> GroupCommitStats {
        GroupCommitStats {
            groups: self.counters.groups.load(Ordering::Relaxed),
            jobs: self.counters.jobs.load(Ordering::Relaxed),
            reruns: self.counters.reruns.load(Ordering::Relaxed),
            wal_restarts: self.counters.wal_restarts.load(Ordering::Relaxed),
            catch_up_micros: self.counters.catch_up_micros.load(Ordering::Relaxed),
            writer_priority_raised: self.counters.writer_priority_raised.load(Ordering::Relaxed),
            syncs: self.counters.syncs.load(Ordering::Relaxed),
            sync_micros: self.counters.sync_micros.load(Ordering::Relaxed),
            synced_groups: self.counters.synced_groups.load(Ordering::Relaxed),
        }
    }

    /// Runs a write operation on the writer thread inside a savepoint of the
    /// next group commit, and answers once that group is committed.
    pub(crate) async fn write<T, F>(&self, op: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&mut SqliteDb<'c>) -> Result<T> + Send + 'static,
    {
        let mut op = Some(op);
        let once = move |db: &mut SqliteDb<'_>| match op.take() {
            Some(op) => op(db),
            None => Err(StoreError::Backend("a write operation was asked to run twice".into())),
        };
        self.queue(once, false).await
    }

    /// Runs a write operation that can run again after a rollback (it
    /// changes nothing but the store) in the next group commit, without a
    /// savepoint of its own (see [`run_group`]), and answers once that group
    /// is committed.
    pub(crate) async fn write_again<T, F>(&self, op: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnMut(&mut SqliteDb<'c>) -> Result<T> + Send + 'static,
    {
        self.queue(op, true).await
    }

    async fn queue<T, F>(&self, op: F, repeatable: bool) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnMut(&mut SqliteDb<'c>) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Pending { op, repeatable, outcome: None, reply });
        self.jobs.send(job).await.map_err(|_| StoreError::Backend("the SQLite writer thread has stopped".into()))?;
        answer.await.map_err(|_| StoreError::Backend("the SQLite writer thread dropped a job".into()))?
    }

    /// Runs a read operation on a read-only connection, in one snapshot.
    pub(crate) async fn read<T, F>(&self, op: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&mut SqliteDb<'c>) -> Result<T> + Send + 'static,
    {
        let permit = self
            .readers
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Backend("the SQLite read pool is closed".into()))?;
        let pool = self.readers.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let conn = pool.take()?;
            let out = {
                let tx = conn.unchecked_transaction().map_err(db_err)?;
                let out = op(&mut SqliteDb { conn: &tx, traffic: None });
                drop(tx); // a read-only snapshot: rolling back ends it
                out
            };
            pool.put(conn);
            out
        })
        .await
        .map_err(|e| StoreError::Backend(format!("a SQLite read failed: {e}")))?
    }
}

// ---- the writer ----------------------------------------------------------------

/// A queued write, answered after the commit of its group.
trait Job: Send {
    /// Whether the job can run again after its transaction was rolled back.
    fn repeatable(&self) -> bool;
    /// Runs the operation; whether it succeeded. The traffic statistics of
    /// a job that succeeded join the group's.
    fn run(&mut self, conn: &Connection, traffic: &mut crate::traffic::Batch) -> bool;
    /// Answers the caller with the operation's outcome (the last run's), or
    /// the group's commit failure.
    fn answer(self: Box<Self>, committed: std::result::Result<(), String>);
}

/// A queued write operation: one that may run only once (in its own
/// savepoint) is wrapped to fail if asked again.
struct Pending<T, F> {
    op: F,
    repeatable: bool,
    outcome: Option<Result<T>>,
    reply: oneshot::Sender<Result<T>>,
}

impl<T, F> Job for Pending<T, F>
where
    T: Send + 'static,
    F: for<'c> FnMut(&mut SqliteDb<'c>) -> Result<T> + Send + 'static,
{
    fn repeatable(&self) -> bool {
        self.repeatable
    }

    fn run(&mut self, conn: &Connection, traffic: &mut crate::traffic::Batch) -> bool {
        let mut db = SqliteDb { conn, traffic: Some(crate::traffic::Batch::default()) };
        let outcome = catch_unwind(AssertUnwindSafe(|| (self.op)(&mut db)))
            .unwrap_or_else(|_| Err(StoreError::Backend("a write operation panicked".into())));
        let ok = outcome.is_ok();
        if ok && let Some(mine) = db.traffic.take() {
            traffic.merge(mine);
        }
        self.outcome = Some(outcome);
        ok
    }

    fn answer(self: Box<Self>, committed: std::result::Result<(), String>) {
        let outcome = match (self.outcome, committed) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(v)), Ok(())) => Ok(v),
            (_, Err(e)) => Err(StoreError::Backend(e)),
            (None, Ok(())) => Err(StoreError::Backend("a write job was not run".into())),
        };
        let _ = self.reply.send(outcome);
    }
}

fn open_writer(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Backend(format!("cannot create directory {}: {e}", dir.display())))?;
    }
    let conn = Connection::open(path).map_err(db_err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(db_err)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(db_err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!("SQLite refused WAL mode (journal_mode is {mode})")));
    }
    // Checkpoints run on their own thread (`checkpointer`), not in commits.
    // Savepoint and statement sub-journals stay in memory rather than in
    // temporary files written with a syscall per page. The page cache holds
    // 64 MiB (SQLite's default, 2 MiB, made the writer re-read the index
    // pages of random keys from the OS on nearly every message). When the
    // WAL starts over after a burst its file is cut back to
    // `WAL_LIMIT_BYTES`; in steady use it starts over below that size.
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0;
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536;",
    )
    .map_err(db_err)?;
    conn.query_row(&format!("PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}"), [], |_| Ok(())).map_err(db_err)?;
    migrate(&conn)?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(db_err)?;
    let result = (|| {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                checksum   TEXT NOT NULL,
                applied_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER))
            )",
        )
        .map_err(db_err)?;
        let applied =
            query_all(conn, "SELECT version, name, checksum FROM schema_migrations ORDER BY version", [], |r| {
                Ok((r.get(0).map_err(db_err)?, r.get(1).map_err(db_err)?, r.get(2).map_err(db_err)?))
            })?;
        let done = check_applied(MIGRATIONS, &applied)?;
        for m in MIGRATIONS.iter().skip(done) {
            conn.execute_batch(m.sql).map_err(|e| StoreError::Backend(format!("migration {} failed: {e}", m.name)))?;
            conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (?1, ?2, ?3)",
                params![m.version, m.name, m.checksum()],
            )
            .map_err(db_err)?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT").map_err(db_err),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Receives jobs until every sender is gone, committing them in groups.
fn writer_loop(
    conn: &Connection,
    mut queue: mpsc::Receiver<Box<dyn Job>>,
    synced: &std::sync::mpsc::Sender<Committed>,
    counters: &Counters,
    catch_up: &AtomicBool,
) {
    counters.writer_priority_raised.store(raise_priority(), Ordering::Relaxed);
    while let Some(first) = queue.blocking_recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let committed = run_group(conn, &mut group, counters);
        counters.groups.fetch_add(1, Ordering::Relaxed);
        counters.jobs.fetch_add(group.len() as u64, Ordering::Relaxed);
        match committed {
            // Answered once the syncer has flushed the commit to the device.
            Ok(()) => {
                if let Err(std::sync::mpsc::SendError(Committed(group))) = synced.send(Committed(group)) {
                    answer_all(group, &Err("the SQLite sync thread has stopped".into()));
                }
            }
            // Rolled back: nothing to flush.
            Err(e) => answer_all(group, &Err(e)),
        }
        catch_up_wal(conn, catch_up, counters);
    }
}

/// A committed group on its way to the syncer.
struct Committed(Vec<Box<dyn Job>>);

fn answer_all(group: Vec<Box<dyn Job>>, committed: &std::result::Result<(), String>) {
    for job in group {
        job.answer(committed.clone());
    }
}

/// The WAL file of a database file (SQLite's name for it).
fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Makes committed groups durable before anyone hears of them: takes every
/// group the writer has committed so far, flushes the WAL file to the device
/// (`fdatasync`, which covers every frame written before it began) and then
/// answers their jobs. The writer meanwhile runs the next group, so a flush
/// (milliseconds on a virtual disk) costs latency, not the writer's time.
///
/// A failed flush leaves the file's state on the device unknown (the kernel
/// may have dropped the pages it could not write), so from then on every
/// commit is answered with the error: the store needs a restart, and no
/// write is acknowledged that might not be on the device.
fn syncer(wal: &Path, groups: &std::sync::mpsc::Receiver<Committed>, counters: &Counters) {
    let mut failed: Option<String> = None;
    while let Ok(Committed(first)) = groups.recv() {
        let mut batch = vec![first];
        while let Ok(Committed(more)) = groups.try_recv() {
            batch.push(more);
        }
        if failed.is_none() {
            let started = std::time::Instant::now();
            // Opened for each flush (a few dozen a second): a WAL file that
            // is no longer at its name (unlinked, replaced) is then an error,
            // not a flush of a file SQLite no longer uses.
            if let Err(e) = std::fs::File::open(wal).and_then(|f| f.sync_data()) {
                failed = Some(format!(
                    "the commit could not be flushed to the device ({}: {e}); restart the service",
                    wal.display()
                ));
            }
            counters.syncs.fetch_add(1, Ordering::Relaxed);
            counters.sync_micros.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        }
        let committed = failed.clone().map_or(Ok(()), Err);
        for group in batch {
            if committed.is_ok() {
                counters.synced_groups.fetch_add(1, Ordering::Relaxed);
            }
            answer_all(group, &committed);
        }
    }
}

/// The writer's nice value when the process may raise it (root,
/// `CAP_SYS_NICE`, or an `RLIMIT_NICE` that allows it).
const WRITER_NICE: i32 = -10;

/// Asks the kernel to prefer the writer thread (Linux: nice
/// [`WRITER_NICE`] for this thread only); whether it agreed.
///
/// Every message passes through this one thread, and it is busy nearly all
/// the time under load, while the prepare threads and the async runtime,
/// waking up for each message, can take its core from it at each wake-up:
/// under the benchmark's load it waited for a core about a tenth of its
/// time. Without the privilege it runs at the process's priority.
fn raise_priority() -> bool {
    #[cfg(target_os = "linux")]
    {
        rustix::process::setpriority_process(Some(rustix::thread::gettid()), WRITER_NICE).is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// One transaction, one commit.
///
/// The repeatable jobs (clearance decisions, nearly all the traffic) run
/// first, without savepoints: a savepoint per job costs a copy of every page
/// a job touches that an earlier job of the group has already changed. A
/// job that fails without having changed a row needs no undo. If one fails
/// after changing rows, the transaction is rolled back and the repeatable
/// jobs run again, each in its own savepoint, so the failed one's changes
/// are undone and the others' kept. The other jobs run after them, each in
/// its own savepoint.
fn run_group(conn: &Connection, group: &mut [Box<dyn Job>], counters: &Counters) -> std::result::Result<(), String> {
    let failed = |e: rusqlite::Error| format!("the write transaction failed: {e}");
    begin(conn)?;
    let ran = (|| {
        let mut traffic = crate::traffic::Batch::default();
        let (mut repeatable, once): (Vec<_>, Vec<_>) = group.iter_mut().partition(|j| j.repeatable());
        let mut clean = true;
        for job in repeatable.iter_mut() {
            let before = conn.total_changes();
            // (Each statement of SQLite is atomic: a failed one changed nothing.)
            if !job.run(conn, &mut traffic) && conn.total_changes() != before {
                clean = false;
                break;
            }
        }
        if !clean {
            counters.reruns.fetch_add(1, Ordering::Relaxed);
            conn.execute_batch("ROLLBACK").map_err(failed)?;
            begin(conn)?;
            traffic = crate::traffic::Batch::default();
            for job in repeatable {
                run_in_savepoint(conn, job, &mut traffic).map_err(failed)?;
            }
        }
        for job in once {
            run_in_savepoint(conn, job, &mut traffic).map_err(failed)?;
        }
        // The traffic statistics of the whole group, in one upsert.
        workbench::flush_traffic(conn, &traffic).map_err(failed)?;
        conn.execute_batch("COMMIT").map_err(failed)
    })();
    ran.inspect_err(|_| {
        let _ = conn.execute_batch("ROLLBACK");
    })
}

fn begin(conn: &Connection) -> std::result::Result<(), String> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| format!("cannot begin a write transaction: {e}"))
}

/// Runs a job in its own savepoint: released if it succeeded, rolled back
/// to if it failed.
fn run_in_savepoint(
    conn: &Connection,
    job: &mut Box<dyn Job>,
    traffic: &mut crate::traffic::Batch,
) -> rusqlite::Result<()> {
    conn.prepare_cached("SAVEPOINT job")?.execute([])?;
    if !job.run(conn, traffic) {
        conn.prepare_cached("ROLLBACK TO job")?.execute([])?;
    }
    conn.prepare_cached("RELEASE job")?.execute([])?;
    Ok(())
}

fn refdata_row(r: &Row<'_>) -> Result<RefdataVersion> {
    Ok(RefdataVersion {
        id: get(r, 0)?,
        kind: get(r, 1)?,
        version: get(r, 2)?,
        effective_from: get(r, 3)?,
        imported_at: Millis(get(r, 4)?),
        imported_by: get(r, 5)?,
        sha256: get(r, 6)?,
        rows: get(r, 7)?,
        source: get(r, 8)?,
    })
}

fn rule_set_row(r: &Row<'_>) -> Result<RuleSetRow> {
    Ok(RuleSetRow {
        id: get(r, 0)?,
        version: get(r, 1)?,
        sha256: get(r, 2)?,
        rules: get(r, 3)?,
        status: get(r, 4)?,
        uploaded_by: get(r, 5)?,
        uploaded_at: Millis(get(r, 6)?),
        decided_by: get(r, 7)?,
        decided_at: get::<Option<i64>>(r, 8)?.map(Millis),
        note: get(r, 9)?,
    })
}

fn monitoring_row(r: &Row<'_>) -> Result<MonitoringRow> {
    Ok(MonitoringRow {
        id: get(r, 0)?,
        kind: get(r, 1)?,
        enterprise: get(r, 2)?,
        state: get(r, 3)?,
        version: get(r, 4)?,
        body: get(r, 5)?,
        created_at: Millis(get(r, 6)?),
        updated_at: Millis(get(r, 7)?),
    })
}

// ---- the read pool ---------------------------------------------------------------

/// Read-only connections, opened on first use, at most [`READERS`] busy.
struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

impl ReadPool {
    fn take(&self) -> Result<Connection> {
        if let Some(conn) = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop() {
            return Ok(conn);
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(db_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(db_err)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }

    fn put(&self, conn: Connection) {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner).push(conn);
    }
}

// ---- errors and helpers --------------------------------------------------------------

/// Unique violations become `Conflict` naming the duplicate; everything
/// else is `Backend`.
fn db_err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e
        && f.code == ErrorCode::ConstraintViolation
        && (f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
    {
        let key = msg.as_deref().and_then(|m| m.strip_prefix("UNIQUE constraint failed: ")).unwrap_or_default();
        return StoreError::Conflict(conflict_message(key));
    }
    StoreError::Backend(e.to_string())
}

fn query_all<T, P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
    map: impl Fn(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_err)?;
    let mut rows = stmt.query(params).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db_err)? {
        out.push(map(row)?);
    }
    Ok(out)
}

fn query_opt<T, P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
    map: impl Fn(&Row<'_>) -> Result<T>,
) -> Result<Option<T>> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_err)?;
    let mut rows = stmt.query(params).map_err(db_err)?;
    match rows.next().map_err(db_err)? {
        Some(row) => map(row).map(Some),
        None => Ok(None),
    }
}

fn exec<P: rusqlite::Params>(conn: &Connection, sql: &str, params: P) -> Result<usize> {
    conn.prepare_cached(sql).map_err(db_err)?.execute(params).map_err(db_err)
}

fn get<T: rusqlite::types::FromSql>(r: &Row<'_>, i: usize) -> Result<T> {
    r.get(i).map_err(db_err)
}

fn limit(page: Page) -> i64 {
    if page.limit == 0 { -1 } else { int(page.limit) }
}

// ---- rows ----------------------------------------------------------------------------

fn officer_row(r: &Row<'_>) -> Result<Officer> {
    Ok(Officer {
        id: get(r, 0)?,
        name: get(r, 1)?,
        role: parse_name(&get::<String>(r, 2)?)?,
        created_at: Millis(get(r, 3)?),
    })
}

fn token_row(r: &Row<'_>) -> Result<ApiToken> {
    Ok(ApiToken {
        id: get(r, 0)?,
        owner: parse_principal(&get::<String>(r, 1)?)?,
        label: get(r, 2)?,
        created_at: Millis(get(r, 3)?),
        revoked_at: get::<Option<i64>>(r, 4)?.map(Millis),
    })
}

fn enterprise_row(r: &Row<'_>) -> Result<Enterprise> {
    Ok(Enterprise {
        id: get(r, 0)?,
        version: get(r, 1)?,
        record: from_json(&get::<String>(r, 2)?)?,
        credit: parse_name(&get::<String>(r, 3)?)?,
        filed_at: Millis(get(r, 4)?),
        updated_at: Millis(get(r, 5)?),
    })
}

fn version_row(r: &Row<'_>) -> Result<EnterpriseVersion> {
    Ok(EnterpriseVersion {
        enterprise_id: get(r, 0)?,
        version: get(r, 1)?,
        record: from_json(&get::<String>(r, 2)?)?,
        valid_from: Millis(get(r, 3)?),
        application_id: get(r, 4)?,
    })
}

fn credit_row(r: &Row<'_>) -> Result<CreditChange> {
    Ok(CreditChange {
        rating: parse_name(&get::<String>(r, 0)?)?,
        reason: get(r, 1)?,
        changed_by: parse_principal(&get::<String>(r, 2)?)?,
        at: Millis(get(r, 3)?),
    })
}

fn licence_row(r: &Row<'_>) -> Result<Licence> {
    Ok(Licence {
        id: get(r, 0)?,
        enterprise_id: get(r, 1)?,
        licence: NewLicence {
            kind: parse_name::<LicenceKind>(&get::<String>(r, 2)?)?,
            number: get(r, 3)?,
            issuer: get(r, 4)?,
            scope: get(r, 5)?,
            valid_from: get(r, 6)?,
            valid_to: get(r, 7)?,
        },
        created_at: Millis(get(r, 8)?),
    })
}

fn certificate_row(r: &Row<'_>) -> Result<Certificate> {
    Ok(Certificate {
        id: get(r, 0)?,
        enterprise_id: get(r, 1)?,
        cert: NewCertificate {
            serial: get(r, 2)?,
            subject: get(r, 3)?,
            issuer: get(r, 4)?,
            not_before: Millis(get(r, 5)?),
            not_after: Millis(get(r, 6)?),
            fingerprint: fingerprint(get(r, 7)?)?,
            der: get(r, 8)?,
        },
        bound_at: Millis(get(r, 9)?),
        revoked_at: get::<Option<i64>>(r, 10)?.map(Millis),
        revoke_reason: get(r, 11)?,
    })
}

fn warehouse_row(r: &Row<'_>) -> Result<OverseasWarehouse> {
    Ok(OverseasWarehouse {
        id: get(r, 0)?,
        enterprise_id: get(r, 1)?,
        warehouse: NewWarehouse {
            name: get(r, 2)?,
            country: get(r, 3)?,
            address: get(r, 4)?,
            area_m2: get(r, 5)?,
            nature: parse_name(&get::<String>(r, 6)?)?,
            document: get(r, 7)?,
            operator: get(r, 8)?,
        },
        approved_at: Millis(get(r, 9)?),
        application_id: get(r, 10)?,
    })
}

fn application_row(r: &Row<'_>) -> Result<Application> {
    Ok(Application {
        id: get(r, 0)?,
        kind: parse_name(&get::<String>(r, 1)?)?,
        enterprise_id: get(r, 2)?,
        payload: from_json(&get::<String>(r, 3)?)?,
        state: parse_name::<ApplicationState>(&get::<String>(r, 4)?)?,
        submitted_by: parse_principal(&get::<String>(r, 5)?)?,
        submitted_at: Millis(get(r, 6)?),
        decided_by: get::<Option<String>>(r, 7)?.map(|p| parse_principal(&p)).transpose()?,
        decided_at: get::<Option<i64>>(r, 8)?.map(Millis),
        reason: get(r, 9)?,
    })
}

fn audit_row(r: &Row<'_>) -> Result<AuditEntry> {
    let json =
        |i| -> Result<Option<serde_json::Value>> { get::<Option<String>>(r, i)?.map(|s| from_json(&s)).transpose() };
    Ok(AuditEntry {
        seq: get(r, 0)?,
        at: Millis(get(r, 1)?),
        actor: get(r, 2)?,
        action: get(r, 3)?,
        entity: get(r, 4)?,
        entity_id: get(r, 5)?,
        before: json(6)?,
        after: json(7)?,
        prev_hash: get(r, 8)?,
        hash: get(r, 9)?,
    })
}

// ---- the primitives ---------------------------------------------------------------------

/// [`Db`] over one SQLite connection, inside the caller's transaction.
pub(crate) struct SqliteDb<'c> {
    conn: &'c Connection,
    /// On the writer: the traffic statistics of the job, written once per
    /// group (see [`crate::traffic`]).
    traffic: Option<crate::traffic::Batch>,
}

/// Runs `insert` (`INSERT OR IGNORE INTO table (a, b) VALUES (?1, ?2)`) for
/// every first value with the same second value, a row at a time with one
/// cached statement (single-row inserts need no statement journal).
fn insert_pairs<'v, T: rusqlite::ToSql>(
    conn: &Connection,
    insert: &'static str,
    firsts: impl Iterator<Item = &'v String>,
    second: &T,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(insert).map_err(db_err)?;
    for first in firsts {
        stmt.execute(params![first, second]).map_err(db_err)?;
    }
    Ok(())
}

fn placeholders(n: usize, from: usize) -> String {
    (0..n).map(|i| format!("?{}", i + from)).collect::<Vec<_>>().join(", ")
}

/// The query of [`DocFilter`]: the filters given, newest first. The most
/// selective index is read: a business key's, else a status's, else a
/// kind's (`+column` keeps SQLite from reading a broader index that has the
/// order wanted instead).
fn list_docs_sql(f: &DocFilter) -> (String, Vec<SqlValue>) {
    let mut sql = format!("SELECT {DOCUMENT} FROM documents d WHERE 1 = 1");
    let mut args: Vec<SqlValue> = Vec::new();
    let arg = |v: SqlValue, args: &mut Vec<SqlValue>| {
        args.push(v);
        format!("?{}", args.len())
    };
    let kind_col = if f.business_key.is_some() || f.status.is_some() { "+kind" } else { "kind" };
    let status_col = if f.business_key.is_some() { "+status" } else { "status" };
    if let Some(k) = &f.kind {
        let p = arg(SqlValue::Text(k.clone()), &mut args);
        sql.push_str(&format!(" AND {kind_col} = {p}"));
    }
    if let Some(s) = &f.status {
        let p = arg(SqlValue::Text(s.clone()), &mut args);
        sql.push_str(&format!(" AND {status_col} = {p}"));
    }
    if let Some(b) = &f.business_key {
        let p = arg(SqlValue::Text(b.clone()), &mut args);
        sql.push_str(&format!(" AND business_key = {p}"));
    }
    if let Some(codes) = &f.party {
        let ps: Vec<String> = codes.iter().map(|c| arg(SqlValue::Text(c.clone()), &mut args)).collect();
        sql.push_str(&format!(" AND id IN (SELECT doc_id FROM document_parties WHERE code IN ({}))", ps.join(", ")));
    }
    let l = arg(SqlValue::Integer(if f.limit == 0 { 100 } else { int(f.limit) }), &mut args);
    sql.push_str(&format!(" ORDER BY updated_at DESC, id DESC LIMIT {l}"));
    (sql, args)
}

fn doc_row(r: &Row<'_>) -> Result<DocRow> {
    Ok(DocRow {
        id: get(r, 0)?,
        kind: get(r, 1)?,
        status: get(r, 2)?,
        sender: get(r, 3)?,
        business_key: get(r, 4)?,
        keys: split_keys(&get::<String>(r, 5)?),
        deadline: get::<Option<i64>>(r, 6)?.map(Millis),
        created_at: Millis(get(r, 7)?),
        updated_at: Millis(get(r, 8)?),
        message_id: get(r, 9)?,
        body: get(r, 10)?,
    })
}

fn receipt_row(r: &Row<'_>) -> Result<ReceiptRow> {
    Ok(ReceiptRow {
        seq: get(r, 0)?,
        id: get(r, 1)?,
        doc_id: get(r, 2)?,
        message_type: get(r, 3)?,
        return_status: get(r, 4)?,
        return_info: get(r, 5)?,
        business_key: get(r, 6)?,
        xml: get(r, 7)?,
        issued_at: Millis(get(r, 8)?),
    })
}

fn message_row(r: &Row<'_>) -> Result<StoredMessage> {
    Ok(StoredMessage {
        id: get(r, 0)?,
        sender: get(r, 1)?,
        guid: get(r, 2)?,
        message_type: get(r, 3)?,
        received_at: Millis(get(r, 4)?),
        sha256: get(r, 5)?,
        raw: get(r, 6)?,
        response: get(r, 7)?,
    })
}

fn move_row(r: &Row<'_>) -> Result<StoredMove> {
    Ok(StoredMove {
        seq: get(r, 0)?,
        row: MoveRow { doc_id: get(r, 1)?, from: get(r, 2)?, to: get(r, 3)?, event: get(r, 4)?, reason: get(r, 5)? },
        actor: get(r, 6)?,
        at: Millis(get(r, 7)?),
    })
}

fn push_row(r: &Row<'_>) -> Result<PushRow> {
    Ok(PushRow {
        seq: get(r, 0)?,
        receipt_id: get(r, 1)?,
        state: get(r, 2)?,
        attempts: get(r, 3)?,
        next_at: Millis(get(r, 4)?),
        last_error: get(r, 5)?,
        delivered_at: get::<Option<i64>>(r, 6)?.map(Millis),
    })
}

impl Db for SqliteDb<'_> {
    async fn ping(&mut self) -> Result<()> {
        self.conn.query_row("SELECT 1", [], |_| Ok(())).map_err(db_err)
    }

    async fn insert_officer(&mut self, o: &Officer) -> Result<()> {
        exec(
            self.conn,
            "INSERT INTO officers (id, name, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![o.id, o.name, o.role.as_str(), o.created_at.0],
        )
        .map(drop)
    }

    async fn officer(&mut self, id: &str) -> Result<Option<Officer>> {
        query_opt(self.conn, &format!("SELECT {OFFICER} FROM officers WHERE id = ?1"), [id], officer_row)
    }

    async fn officer_by_name(&mut self, name: &str) -> Result<Option<Officer>> {
        query_opt(self.conn, &format!("SELECT {OFFICER} FROM officers WHERE name = ?1"), [name], officer_row)
    }

    async fn list_officers(&mut self) -> Result<Vec<Officer>> {
        query_all(self.conn, &format!("SELECT {OFFICER} FROM officers ORDER BY created_at, id"), [], officer_row)
    }

    async fn insert_token(&mut self, t: &ApiToken, hash: &[u8; 32]) -> Result<()> {
        exec(
            self.conn,
            "INSERT INTO api_tokens (id, owner, hash, label, created_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![t.id, principal_text(&t.owner), &hash[..], t.label, t.created_at.0, t.revoked_at.map(|m| m.0)],
        )
        .map(drop)
    }

    async fn token(&mut self, id: &str) -> Result<Option<ApiToken>> {
        query_opt(self.conn, &format!("SELECT {TOKEN} FROM api_tokens WHERE id = ?1"), [id], token_row)
    }

    async fn set_token_revoked(&mut self, id: &str, at: Millis) -> Result<()> {
        exec(self.conn, "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1", params![id, at.0]).map(drop)
    }

    async fn token_by_hash(&mut self, hash: &[u8; 32]) -> Result<Option<ApiToken>> {
        query_opt(
            self.conn,
            &format!("SELECT {TOKEN} FROM api_tokens WHERE hash = ?1 AND revoked_at IS NULL"),
            [&hash[..]],
            token_row,
        )
    }

    async fn list_tokens(&mut self, owner: &Principal) -> Result<Vec<ApiToken>> {
        query_all(
            self.conn,
            &format!("SELECT {TOKEN} FROM api_tokens WHERE owner = ?1 ORDER BY created_at, id"),
            [principal_text(owner)],
            token_row,
        )
    }

    async fn insert_enterprise(&mut self, e: &Enterprise) -> Result<()> {
        exec(
            self.conn,
            "INSERT INTO enterprises (id, version, customs_code, uscc, name, record, credit, filed_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                e.id,
                e.version,
                e.record.customs_code,
                e.record.uscc,
                e.record.name,
                to_json(&e.record)?,
                e.credit.as_str(),
                e.filed_at.0,
                e.updated_at.0
            ],
        )
        .map(drop)
    }

    async fn update_enterprise(&mut self, e: &Enterprise) -> Result<()> {
        exec(
            self.conn,
            "UPDATE enterprises SET version = ?2, customs_code = ?3, uscc = ?4, name = ?5, record = ?6, credit = ?7,
             updated_at = ?8 WHERE id = ?1",
            params![
                e.id,
                e.version,
                e.record.customs_code,
                e.record.uscc,
                e.record.name,
                to_json(&e.record)?,
                e.credit.as_str(),
                e.updated_at.0
            ],
        )
        .map(drop)
    }

    async fn enterprise(&mut self, id: &str) -> Result<Option<Enterprise>> {
        query_opt(self.conn, &format!("SELECT {ENTERPRISE} FROM enterprises WHERE id = ?1"), [id], enterprise_row)
    }

    async fn enterprise_by_code(&mut self, code: &str) -> Result<Option<Enterprise>> {
        query_opt(
            self.conn,
            &format!("SELECT {ENTERPRISE} FROM enterprises WHERE customs_code = ?1 OR uscc = ?1 ORDER BY filed_at, id"),
            [code],
            enterprise_row,
        )
    }

    async fn list_enterprises(&mut self, page: Page) -> Result<Vec<Enterprise>> {
        query_all(
            self.conn,
            &format!("SELECT {ENTERPRISE} FROM enterprises ORDER BY filed_at, id LIMIT ?1 OFFSET ?2"),
            params![limit(page), int(page.offset)],
            enterprise_row,
        )
    }

    async fn insert_version(&mut self, v: &EnterpriseVersion) -> Result<()> {
        exec(
            self.conn,
            "INSERT INTO enterprise_versions (enterprise_id, version, record, valid_from, application_id)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![v.enterprise_id, v.version, to_json(&v.record)?, v.valid_from.0, v.application_id],
        )
        .map(drop)
    }

    async fn versions(&mut self, enterprise: &str) -> Result<Vec<EnterpriseVersion>> {
        query_all(
            self.conn,
            &format!("SELECT {VERSION} FROM enterprise_versions WHERE enterprise_id = ?1 ORDER BY version"),
            [enterprise],
            version_row,
        )
    }

    async fn version_as_of(&mut self, enterprise: &str, at: Millis) -> Result<Option<EnterpriseVersion>> {
        query_opt(
            self.conn,
            &format!(
                "SELECT {VERSION} FROM enterprise_versions WHERE enterprise_id = ?1 AND valid_from <= ?2
                 ORDER BY version DESC LIMIT 1"
            ),
            params![enterprise, at.0],
            version_row,
        )
    }

    async fn insert_credit_change(&mut self, enterprise: &str, c: &CreditChange) -> Result<()> {
        exec(
            self.conn,
            "INSERT INTO credit_changes (id, enterprise_id, rating, reason, changed_by, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![crate::new_id(), enterprise, c.rating.as_str(), c.reason, principal_text(&c.changed_by), c.at.0],
        )
        .map(drop)
    }

    async fn credit_history(&mut self, enterprise: &str) -> Result<Vec<CreditChange>> {
        query_all(
            self.conn,
            &format!("SELECT {CREDIT} FROM credit_changes WHERE enterprise_id = ?1 ORDER BY at, id"),
            [enterprise],
            credit_row,
        )
    }

    async fn insert_licence(&mut self, l: &Licence) -> Result<()> {
        let n = &l.licence;
        exec(
            self.conn,
            "INSERT INTO licences (id, enterprise_id, kind, number, issuer, scope, valid_from, valid_to, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                l.id,
                l.enterprise_id,
                n.kind.as_str(),
                n.number,
                n.issuer,
                n.scope,
                n.valid_from,
                n.valid_to,
                l.created_at.0
            ],
        )
        .map(drop)
    }

    async fn delete_licence(&mut self, id: &str) -> Result<()> {
        exec(self.conn, "DELETE FROM licences WHERE id = ?1", [id]).map(drop)
    }

    async fn licences(&mut self, enterprise: &str) -> Result<Vec<Licence>> {
        query_all(
            self.conn,
            &format!("SELECT {LICENCE} FROM licences WHERE enterprise_id = ?1 ORDER BY created_at, id"),
            [enterprise],
            licence_row,
        )
    }

    async fn insert_certificate(&mut self, c: &Certificate) -> Result<()> {
        let n = &c.cert;
        exec(
            self.conn,
            "INSERT INTO certificates (id, enterprise_id, serial, subject, issuer, not_before, not_after, fingerprint,
             der, bound_at, revoked_at, revoke_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                c.id,
                c.enterprise_id,
                n.serial,
                n.subject,
                n.issuer,
                n.not_before.0,
                n.not_after.0,
                &n.fingerprint[..],
                n.der,
                c.bound_at.0,
                c.revoked_at.map(|m| m.0),
                c.revoke_reason
            ],
        )
        .map(drop)
    }

    async fn certificate(&mut self, id: &str) -> Result<Option<Certificate>> {
        query_opt(self.conn, &format!("SELECT {CERTIFICATE} FROM certificates WHERE id = ?1"), [id], certificate_row)
    }

    async fn certificates(&mut self, enterprise: &str) -> Result<Vec<Certificate>> {
        query_all(
            self.conn,
            &format!("SELECT {CERTIFICATE} FROM certificates WHERE enterprise_id = ?1 ORDER BY bound_at, id"),
            [enterprise],
            certificate_row,
        )
    }

    async fn certificate_by_fingerprint(&mut self, fingerprint: &[u8; 32]) -> Result<Option<Certificate>> {
        query_opt(
            self.conn,
            &format!(
                "SELECT {CERTIFICATE} FROM certificates WHERE fingerprint = ?1
                 ORDER BY (revoked_at IS NULL) DESC, bound_at DESC, id DESC LIMIT 1"
            ),
            [&fingerprint[..]],
            certificate_row,
        )
    }

    async fn set_certificate_revoked(&mut self, id: &str, at: Millis, reason: &str) -> Result<()> {
        exec(
            self.conn,
            "UPDATE certificates SET revoked_at = ?2, revoke_reason = ?3 WHERE id = ?1",
            params![id, at.0, reason],
        )
        .map(drop)
    }

    async fn insert_warehouse(&mut self, w: &OverseasWarehouse) -> Result<()> {
        let n = &w.warehouse;
        exec(
            self.conn,
            "INSERT INTO overseas_warehouses (id, enterprise_id, name, country, address, area_m2, nature, document,
             operator, approved_at, application_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                w.id,
                w.enterprise_id,
                n.name,
                n.country,
                n.address,
                n.area_m2,
                n.nature.as_str(),
                n.document,
                n.operator,
                w.approved_at.0,
                w.application_id
            ],
        )
        .map(drop)
    }

    async fn warehouses(&mut self, enterprise: &str) -> Result<Vec<OverseasWarehouse>> {
        query_all(
            self.conn,
            &format!("SELECT {WAREHOUSE} FROM overseas_warehouses WHERE enterprise_id = ?1 ORDER BY approved_at, id"),
            [enterprise],
            warehouse_row,
        )
    }

    async fn insert_application(&mut self, a: &Application) -> Result<()> {
        exec(
            self.conn,
            "INSERT INTO applications (id, kind, enterprise_id, payload, state, submitted_by, submitted_at, decided_by,
             decided_at, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                a.id,
                a.kind.as_str(),
                a.enterprise_id,
                to_json(&a.payload)?,
                a.state.as_str(),
                principal_text(&a.submitted_by),
                a.submitted_at.0,
                a.decided_by.as_ref().map(principal_text),
                a.decided_at.map(|m| m.0),
                a.reason
            ],
        )
        .map(drop)
    }

    async fn update_application(&mut self, a: &Application) -> Result<()> {
        exec(
            self.conn,
            "UPDATE applications SET state = ?2, enterprise_id = ?3, decided_by = ?4, decided_at = ?5, reason = ?6
             WHERE id = ?1",
            params![
                a.id,
                a.state.as_str(),
                a.enterprise_id,
                a.decided_by.as_ref().map(principal_text),
                a.decided_at.map(|m| m.0),
                a.reason
            ],
        )
        .map(drop)
    }

    async fn application(&mut self, id: &str) -> Result<Option<Application>> {
        query_opt(self.conn, &format!("SELECT {APPLICATION} FROM applications WHERE id = ?1"), [id], application_row)
    }

    async fn list_applications(&mut self, filter: &ApplicationFilter) -> Result<Vec<Application>> {
        let mut conds = Vec::new();
        let mut values: Vec<SqlValue> = Vec::new();
        if let Some(state) = filter.state {
            values.push(SqlValue::Text(state.as_str().into()));
            conds.push(format!("state = ?{}", values.len()));
        }
        if let Some(kind) = filter.kind {
            values.push(SqlValue::Text(kind.as_str().into()));
            conds.push(format!("kind = ?{}", values.len()));
        }
        if let Some(e) = &filter.enterprise_id {
            values.push(SqlValue::Text(e.clone()));
            conds.push(format!("enterprise_id = ?{}", values.len()));
        }
        let wh = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
        values.push(SqlValue::Integer(limit(filter.page)));
        values.push(SqlValue::Integer(int(filter.page.offset)));
        let n = values.len();
        let sql = format!(
            "SELECT {APPLICATION} FROM applications {wh} ORDER BY submitted_at, id LIMIT ?{} OFFSET ?{n}",
            n - 1
        );
        query_all(self.conn, &sql, params_from_iter(values), application_row)
    }

    async fn audit_head(&mut self) -> Result<(i64, String)> {
        let head = self
            .conn
            .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .map_err(db_err)?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(db_err)?;
        Ok(head.unwrap_or_else(|| (0, GENESIS.to_string())))
    }

    async fn insert_audit(&mut self, row: &ops::AuditRow<'_>) -> Result<()> {
        let e = &row.link;
        exec(
            self.conn,
            "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                e.seq,
                e.at.0,
                e.actor,
                e.action,
                e.entity,
                e.entity_id,
                row.before,
                row.after,
                e.prev_hash,
                row.hash
            ],
        )
        .map(drop)
    }

    async fn audit_entries(&mut self, after: i64, limit: u32) -> Result<Vec<AuditEntry>> {
        query_all(
            self.conn,
            &format!("SELECT {AUDIT} FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
            params![after, int(limit)],
            audit_row,
        )
    }

    async fn message_by_guid(&mut self, sender: &str, guid: &str) -> Result<Option<(Id, Option<Vec<u8>>)>> {
        query_opt(
            self.conn,
            "SELECT id, response FROM messages WHERE sender = ?1 AND guid = ?2",
            params![sender, guid],
            |r| Ok((get(r, 0)?, get(r, 1)?)),
        )
    }

    async fn insert_message(&mut self, m: &NewMessage, response: Option<&[u8]>) -> Result<()> {
        exec(
            self.conn,
            "INSERT INTO messages (id, sender, guid, message_type, received_at, sha256, raw, response)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![m.id, m.sender, m.guid, m.message_type, m.received_at.0, m.sha256(), m.raw(), response],
        )
        .map(drop)
    }

    async fn message(&mut self, id: &str) -> Result<Option<StoredMessage>> {
        query_opt(self.conn, &format!("SELECT {MESSAGE} FROM messages WHERE id = ?1"), [id], message_row)
    }

    async fn docs_by_keys(&mut self, keys: &[String]) -> Result<Vec<DocRow>> {
        // One indexed lookup a key: an `IN` list would cost a temporary
        // B-tree each time (and an ORDER BY another); a handful of rows,
        // sorted here.
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {DOCUMENT} FROM document_keys k JOIN documents d ON d.id = k.doc_id WHERE k.key = ?1")
        });
        let mut stmt = self.conn.prepare_cached(&SQL).map_err(db_err)?;
        let mut docs: Vec<DocRow> = Vec::new();
        for key in keys {
            let mut rows = stmt.query([key]).map_err(db_err)?;
            while let Some(row) = rows.next().map_err(db_err)? {
                let doc = doc_row(row)?;
                if !docs.iter().any(|d| d.id == doc.id) {
                    docs.push(doc);
                }
            }
        }
        docs.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(docs)
    }

    async fn docs_by_ids(&mut self, ids: &[String]) -> Result<Vec<DocRow>> {
        let sql = format!(
            "SELECT {DOCUMENT} FROM documents WHERE id IN ({}) ORDER BY created_at, id",
            placeholders(ids.len(), 1)
        );
        query_all(self.conn, &sql, params_from_iter(ids.iter()), doc_row)
    }

    async fn upsert_doc(&mut self, d: &DocRow, parties: &[String], old: Option<&DocRow>) -> Result<()> {
        let keys = join_keys(&d.keys);
        let deadline = d.deadline.map(|m| m.0);
        let new_keys: Vec<&String> = match old {
            Some(old) => {
                // The identity columns are set only when they changed, so that
                // their indexes are not rewritten with the same entries.
                if same_identity(old, d) {
                    exec(
                        self.conn,
                        "UPDATE documents SET status = ?2, keys = ?3, deadline = ?4, updated_at = ?5, body = ?6
                         WHERE id = ?1",
                        params![d.id, d.status, keys, deadline, d.updated_at.0, d.body],
                    )?;
                } else {
                    exec(
                        self.conn,
                        "UPDATE documents SET kind = ?2, status = ?3, sender = ?4, business_key = ?5, keys = ?6,
                         deadline = ?7, updated_at = ?8, body = ?9 WHERE id = ?1",
                        params![
                            d.id,
                            d.kind,
                            d.status,
                            d.sender,
                            d.business_key,
                            keys,
                            deadline,
                            d.updated_at.0,
                            d.body
                        ],
                    )?;
                }
                // Keys that went away, by primary key (never a scan).
                for k in old.keys.iter().filter(|k| !d.keys.contains(k)) {
                    exec(self.conn, "DELETE FROM document_keys WHERE key = ?1 AND doc_id = ?2", params![k, d.id])?;
                }
                d.keys.iter().filter(|k| !old.keys.contains(k)).collect()
            }
            None => {
                exec(
                    self.conn,
                    "INSERT INTO documents (id, kind, status, sender, business_key, keys, deadline, created_at,
                     updated_at, message_id, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    params![
                        d.id,
                        d.kind,
                        d.status,
                        d.sender,
                        d.business_key,
                        keys,
                        deadline,
                        d.created_at.0,
                        d.updated_at.0,
                        d.message_id,
                        d.body
                    ],
                )?;
                d.keys.iter().collect()
            }
        };
        insert_pairs(
            self.conn,
            "INSERT OR IGNORE INTO document_keys (key, doc_id) VALUES (?1, ?2)",
            new_keys.into_iter(),
            &d.id,
        )?;
        insert_pairs(
            self.conn,
            "INSERT OR IGNORE INTO document_parties (code, doc_id) VALUES (?1, ?2)",
            parties.iter(),
            &d.id,
        )
    }

    async fn list_docs(&mut self, f: &DocFilter) -> Result<Vec<DocRow>> {
        let (sql, args) = list_docs_sql(f);
        query_all(self.conn, &sql, params_from_iter(args.iter()), doc_row)
    }

    async fn due_docs(&mut self, now: Millis, limit: u32) -> Result<Vec<Id>> {
        query_all(
            self.conn,
            "SELECT id FROM documents WHERE deadline IS NOT NULL AND deadline <= ?1 ORDER BY deadline, id LIMIT ?2",
            params![now.0, int(limit)],
            |r| get(r, 0),
        )
    }

    async fn insert_moves(&mut self, moves: &[MoveRow], actor: &str, at: Millis) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO document_moves (doc_id, from_status, to_status, event, reason, actor, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(db_err)?;
        for m in moves {
            stmt.execute(params![m.doc_id, m.from, m.to, m.event, m.reason, actor, at.0]).map_err(db_err)?;
        }
        Ok(())
    }

    async fn moves(&mut self, doc: &str) -> Result<Vec<StoredMove>> {
        query_all(
            self.conn,
            &format!("SELECT {MOVE} FROM document_moves WHERE doc_id = ?1 ORDER BY seq"),
            [doc],
            move_row,
        )
    }

    async fn insert_receipts(
        &mut self,
        rs: &[NewReceipt],
        message_id: Option<&str>,
        at: Millis,
    ) -> Result<Vec<ReceiptRow>> {
        // Row by row with cached statements: a multi-row INSERT … RETURNING
        // and an INSERT … SELECT DISTINCT each cost a temporary B-tree.
        let mut insert = self
            .conn
            .prepare_cached(
                "INSERT INTO receipts (id, doc_id, message_id, message_type, return_status, return_info, business_key,
                 xml, issued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(db_err)?;
        let mut recipient = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO receipt_recipients (code, seq) VALUES (?1, ?2)")
            .map_err(db_err)?;
        // Each enterprise whose webhook listens to a recipient's code: looked
        // up for each recipient only when some enterprise has a webhook
        // (asked once a call; the lookups cost about 4 µs a message).
        let webhooks = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM webhook_codes)")
            .map_err(db_err)?
            .query_row([], |r| r.get::<_, bool>(0))
            .map_err(db_err)?;
        let mut push = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO push_outbox (enterprise, seq, state, attempts, next_at)
                 SELECT enterprise, ?2, 'pending', 0, ?3 FROM webhook_codes WHERE code = ?1",
            )
            .map_err(db_err)?;
        let mut out = Vec::with_capacity(rs.len());
        for r in rs {
            insert
                .execute(params![
                    r.id,
                    r.doc_id,
                    message_id,
                    r.message_type,
                    r.return_status,
                    r.return_info,
                    r.business_key,
                    r.xml,
                    at.0
                ])
                .map_err(db_err)?;
            let seq = self.conn.last_insert_rowid();
            for code in &r.recipients {
                recipient.execute(params![code, seq]).map_err(db_err)?;
                if webhooks {
                    push.execute(params![code, seq, at.0]).map_err(db_err)?;
                }
            }
            out.push(ReceiptRow {
                seq,
                id: r.id.clone(),
                doc_id: r.doc_id.clone(),
                message_type: r.message_type.clone(),
                return_status: r.return_status.clone(),
                return_info: r.return_info.clone(),
                business_key: r.business_key.clone(),
                xml: r.xml.clone(),
                issued_at: at,
            });
        }
        Ok(out)
    }

    async fn receipts_for(&mut self, codes: &[String], after: i64, limit: u32) -> Result<Vec<ReceiptRow>> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {RECEIPT} FROM receipts WHERE seq IN (
                 SELECT seq FROM receipt_recipients WHERE code IN ({}) AND seq > ?1 ORDER BY seq LIMIT ?2)
             ORDER BY seq",
            placeholders(codes.len(), 3)
        );
        let mut args: Vec<SqlValue> = vec![SqlValue::Integer(after), SqlValue::Integer(int(limit) * 2)];
        args.extend(codes.iter().map(|c| SqlValue::Text(c.clone())));
        let mut rows = query_all(self.conn, &sql, params_from_iter(args.iter()), receipt_row)?;
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn receipts_of_doc(&mut self, doc: &str) -> Result<Vec<ReceiptRow>> {
        query_all(
            self.conn,
            &format!("SELECT {RECEIPT} FROM receipts WHERE doc_id = ?1 ORDER BY seq"),
            [doc],
            receipt_row,
        )
    }

    async fn quota_sums(&mut self, keys: &[String]) -> Result<BTreeMap<String, i64>> {
        let mut stmt = self.conn.prepare_cached("SELECT SUM(fen) FROM quota_ledger WHERE key = ?1").map_err(db_err)?;
        let mut sums = BTreeMap::new();
        for key in keys {
            let sum: Option<i64> = stmt.query_row([key], |r| r.get(0)).map_err(db_err)?;
            if let Some(sum) = sum {
                sums.insert(key.clone(), sum);
            }
        }
        Ok(sums)
    }

    async fn insert_quota(&mut self, q: &QuotaRow, at: Millis) -> Result<()> {
        exec(
            self.conn,
            "INSERT INTO quota_ledger (doc_id, key, fen, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![q.doc_id, q.key, q.fen, q.reason, at.0],
        )
        .map(drop)
    }

    async fn counters(&mut self, names: &[String]) -> Result<BTreeMap<String, i64>> {
        let mut stmt = self.conn.prepare_cached("SELECT value FROM counters WHERE name = ?1").map_err(db_err)?;
        let mut values = BTreeMap::new();
        for name in names {
            if let Some(value) = stmt.query_row([name], |r| r.get::<_, i64>(0)).optional().map_err(db_err)? {
                values.insert(name.clone(), value);
            }
        }
        Ok(values)
    }

    async fn set_counters(&mut self, values: &BTreeMap<String, i64>) -> Result<()> {
        let rows: Vec<String> = (0..values.len()).map(|i| format!("(?{}, ?{})", 2 * i + 1, 2 * i + 2)).collect();
        let sql = format!(
            "INSERT INTO counters (name, value) VALUES {} ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            rows.join(", ")
        );
        let mut args: Vec<SqlValue> = Vec::new();
        for (name, value) in values {
            args.push(SqlValue::Text(name.clone()));
            args.push(SqlValue::Integer(*value));
        }
        exec(self.conn, &sql, params_from_iter(args.iter())).map(drop)
    }

    async fn acked(&mut self, enterprise: &str) -> Result<i64> {
        Ok(query_opt(self.conn, "SELECT seq FROM receipt_acks WHERE enterprise = ?1", [enterprise], |r| get(r, 0))?
            .unwrap_or(0))
    }

    async fn set_acked(&mut self, enterprise: &str, seq: i64, at: Millis) -> Result<()> {
        exec(
            self.conn,
            "INSERT INTO receipt_acks (enterprise, seq, at) VALUES (?1, ?2, ?3)
             ON CONFLICT (enterprise) DO UPDATE SET seq = excluded.seq, at = excluded.at",
            params![enterprise, seq, at.0],
        )
        .map(drop)
    }

    async fn webhook(&mut self, enterprise: &str) -> Result<Option<Webhook>> {
        query_opt(
            self.conn,
            "SELECT enterprise, url, secret, created_at FROM webhooks WHERE enterprise = ?1",
            [enterprise],
            |r| {
                Ok(Webhook {
                    enterprise: get(r, 0)?,
                    url: get(r, 1)?,
                    secret: get(r, 2)?,
                    created_at: Millis(get(r, 3)?),
                })
            },
        )
    }

    async fn store_mode(&mut self) -> Result<Option<String>> {
        query_opt(self.conn, "SELECT mode FROM store_mode WHERE id = 1", [], |r| get(r, 0))
    }

    async fn refdata_next_version(&mut self, kind: &str) -> Result<i64> {
        let n: Option<i64> =
            query_opt(self.conn, "SELECT MAX(version) FROM refdata_versions WHERE kind = ?1", [kind], |r| {
                get::<Option<i64>>(r, 0)
            })?
            .flatten();
        Ok(n.unwrap_or(0) + 1)
    }

    async fn insert_refdata(&mut self, v: &RefdataVersion, content: &str) -> Result<()> {
        exec(
            self.conn,
            "INSERT INTO refdata_versions (id, kind, version, effective_from, imported_at, imported_by, sha256, rows, source, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                v.id,
                v.kind,
                v.version,
                v.effective_from,
                v.imported_at.0,
                v.imported_by,
                v.sha256,
                v.rows,
                v.source,
                content
            ],
        )?;
        Ok(())
    }

    async fn refdata_versions(&mut self, kind: Option<&str>) -> Result<Vec<RefdataVersion>> {
        query_all(
            self.conn,
            "SELECT id, kind, version, effective_from, imported_at, imported_by, sha256, rows, source FROM refdata_versions WHERE ?1 IS NULL OR kind = ?1 ORDER BY kind, version",
            [kind],
            refdata_row,
        )
    }

    async fn refdata_active(&mut self, kind: &str, on: &str) -> Result<Option<RefdataVersion>> {
        query_opt(
            self.conn,
            "SELECT id, kind, version, effective_from, imported_at, imported_by, sha256, rows, source FROM refdata_versions WHERE kind = ?1 AND effective_from <= ?2 \
             ORDER BY effective_from DESC, version DESC LIMIT 1",
            [kind, on],
            refdata_row,
        )
    }

    async fn refdata_content(&mut self, id: &str) -> Result<Option<String>> {
        query_opt(self.conn, "SELECT content FROM refdata_versions WHERE id = ?1", [id], |r| get(r, 0))
    }

    async fn set_store_mode(&mut self, mode: &str, at: Millis) -> Result<()> {
        exec(self.conn, "INSERT INTO store_mode (id, mode, set_at) VALUES (1, ?1, ?2)", params![mode, at.0])?;
        Ok(())
    }

    async fn insert_rule_set(&mut self, r: &RuleSetRow, content: &str) -> Result<()> {
        exec(
            self.conn,
            &format!(
                "INSERT INTO rule_sets ({RULE_SET}, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            ),
            params![
                r.id,
                r.version,
                r.sha256,
                r.rules,
                r.status,
                r.uploaded_by,
                r.uploaded_at.0,
                r.decided_by,
                r.decided_at.map(|m| m.0),
                r.note,
                content
            ],
        )
        .map(drop)
    }

    async fn update_rule_set(&mut self, r: &RuleSetRow) -> Result<()> {
        exec(
            self.conn,
            "UPDATE rule_sets SET status = ?2, decided_by = ?3, decided_at = ?4, note = ?5 WHERE id = ?1",
            params![r.id, r.status, r.decided_by, r.decided_at.map(|m| m.0), r.note],
        )
        .map(drop)
    }

    async fn rule_set(&mut self, id: &str) -> Result<Option<RuleSetRow>> {
        query_opt(self.conn, &format!("SELECT {RULE_SET} FROM rule_sets WHERE id = ?1"), [id], rule_set_row)
    }

    async fn rule_set_by_version(&mut self, version: &str) -> Result<Option<RuleSetRow>> {
        query_opt(self.conn, &format!("SELECT {RULE_SET} FROM rule_sets WHERE version = ?1"), [version], rule_set_row)
    }

    async fn active_rule_set(&mut self) -> Result<Option<RuleSetRow>> {
        query_opt(self.conn, &format!("SELECT {RULE_SET} FROM rule_sets WHERE status = 'active'"), [], rule_set_row)
    }

    async fn rule_sets(&mut self) -> Result<Vec<RuleSetRow>> {
        query_all(self.conn, &format!("SELECT {RULE_SET} FROM rule_sets ORDER BY uploaded_at, id"), [], rule_set_row)
    }

    async fn rule_set_content(&mut self, id: &str) -> Result<Option<String>> {
        query_opt(self.conn, "SELECT content FROM rule_sets WHERE id = ?1", [id], |r| get(r, 0))
    }

    async fn insert_monitoring(&mut self, m: &MonitoringRow) -> Result<()> {
        exec(
            self.conn,
            &format!("INSERT INTO monitoring_records ({MONITORING}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
            params![m.id, m.kind, m.enterprise, m.state, m.version, m.body, m.created_at.0, m.updated_at.0],
        )
        .map(drop)
    }

    async fn update_monitoring(&mut self, m: &MonitoringRow, expected: i64) -> Result<u64> {
        let n = exec(
            self.conn,
            "UPDATE monitoring_records SET enterprise = ?2, state = ?3, version = ?4, body = ?5, updated_at = ?6
             WHERE id = ?1 AND version = ?7",
            params![m.id, m.enterprise, m.state, m.version, m.body, m.updated_at.0, expected],
        )?;
        Ok(n as u64)
    }

    async fn monitoring_record(&mut self, id: &str) -> Result<Option<MonitoringRow>> {
        query_opt(
            self.conn,
            &format!("SELECT {MONITORING} FROM monitoring_records WHERE id = ?1"),
            [id],
            monitoring_row,
        )
    }

    async fn monitoring_records(&mut self, f: &MonitoringFilter) -> Result<Vec<MonitoringRow>> {
        query_all(
            self.conn,
            &format!(
                "SELECT {MONITORING} FROM monitoring_records
                 WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR enterprise = ?2) AND (?3 IS NULL OR state = ?3)
                 ORDER BY {} LIMIT ?4",
                if f.newest_first { "created_at DESC, id DESC" } else { "created_at, id" }
            ),
            params![f.kind, f.enterprise, f.state, if f.limit == 0 { -1 } else { int(f.limit) }],
            monitoring_row,
        )
    }

    async fn set_webhook(&mut self, enterprise: &str, hook: Option<&Webhook>, codes: &[String]) -> Result<()> {
        exec(self.conn, "DELETE FROM webhooks WHERE enterprise = ?1", [enterprise])?;
        exec(self.conn, "DELETE FROM webhook_codes WHERE enterprise = ?1", [enterprise])?;
        if let Some(h) = hook {
            exec(
                self.conn,
                "INSERT INTO webhooks (enterprise, url, secret, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![enterprise, h.url, h.secret, h.created_at.0],
            )?;
            for c in codes {
                exec(
                    self.conn,
                    "INSERT OR IGNORE INTO webhook_codes (code, enterprise) VALUES (?1, ?2)",
                    params![c, enterprise],
                )?;
            }
        }
        Ok(())
    }

    async fn due_pushes(&mut self, now: Millis, limit: u32) -> Result<Vec<DuePush>> {
        let heads: Vec<(String, i64, i64, i64, String, String)> = query_all(
            self.conn,
            "SELECT o.enterprise, o.seq, o.attempts, o.next_at, w.url, w.secret
             FROM (SELECT enterprise, MIN(seq) AS seq FROM push_outbox WHERE state = 'pending' GROUP BY enterprise) h
             JOIN push_outbox o ON o.enterprise = h.enterprise AND o.seq = h.seq
             JOIN webhooks w ON w.enterprise = o.enterprise
             WHERE o.next_at <= ?1 ORDER BY o.next_at LIMIT ?2",
            params![now.0, int(limit)],
            |r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?, get(r, 3)?, get(r, 4)?, get(r, 5)?)),
        )?;
        let mut out = Vec::with_capacity(heads.len());
        for (enterprise, seq, attempts, _, url, secret) in heads {
            let receipt =
                query_opt(self.conn, &format!("SELECT {RECEIPT} FROM receipts WHERE seq = ?1"), [seq], receipt_row)?
                    .ok_or_else(|| StoreError::Backend(format!("push of a missing receipt {seq}")))?;
            out.push(DuePush { enterprise, url, secret, attempts, receipt });
        }
        Ok(out)
    }

    async fn record_push(&mut self, enterprise: &str, seq: i64, result: &PushResult) -> Result<()> {
        let (state, next_at, error, delivered_at) = push_columns(result);
        exec(
            self.conn,
            "UPDATE push_outbox SET state = ?3, attempts = attempts + 1, next_at = COALESCE(?4, next_at),
             last_error = ?5, delivered_at = ?6 WHERE enterprise = ?1 AND seq = ?2",
            params![enterprise, seq, state, next_at, error, delivered_at],
        )
        .map(drop)
    }

    async fn repush(&mut self, enterprise: &str, after: i64, now: Millis) -> Result<u64> {
        exec(
            self.conn,
            "INSERT OR IGNORE INTO push_outbox (enterprise, seq, state, attempts, next_at)
             SELECT DISTINCT w.enterprise, rr.seq, 'pending', 0, ?3 FROM webhook_codes w
             JOIN receipt_recipients rr ON rr.code = w.code WHERE w.enterprise = ?1 AND rr.seq > ?2",
            params![enterprise, after, now.0],
        )?;
        let n = exec(
            self.conn,
            "UPDATE push_outbox SET state = 'pending', attempts = 0, next_at = ?3, last_error = NULL, delivered_at = NULL
             WHERE enterprise = ?1 AND seq > ?2",
            params![enterprise, after, now.0],
        )?;
        Ok(n as u64)
    }

    async fn pushes(&mut self, enterprise: &str, after: i64, limit: u32) -> Result<Vec<PushRow>> {
        query_all(
            self.conn,
            &format!(
                "SELECT {PUSH} FROM push_outbox o JOIN receipts r ON r.seq = o.seq
                 WHERE o.enterprise = ?1 AND o.seq > ?2 ORDER BY o.seq LIMIT ?3"
            ),
            params![enterprise, after, int(limit)],
            push_row,
        )
    }

    async fn upsert_password(&mut self, principal: &Principal, hash: &str, at: Millis) -> Result<()> {
        exec(
            self.conn,
            "INSERT INTO web_passwords (principal, hash, set_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (principal) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at",
            params![principal_text(principal), hash, at.0],
        )
        .map(drop)
    }

    async fn password_hash(&mut self, principal: &Principal) -> Result<Option<String>> {
        query_opt(self.conn, "SELECT hash FROM web_passwords WHERE principal = ?1", [principal_text(principal)], |r| {
            get(r, 0)
        })
    }

    async fn insert_session(&mut self, s: &crate::SessionRow) -> Result<()> {
        exec(
            self.conn,
            "INSERT INTO web_sessions (id, principal, csrf, created_at, expires_at, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![s.token_hash, principal_text(&s.principal), s.csrf, s.created_at.0, s.expires_at.0, s.last_seen.0],
        )
        .map(drop)
    }

    async fn session(&mut self, token_hash: &str) -> Result<Option<crate::SessionRow>> {
        query_opt(
            self.conn,
            "SELECT id, principal, csrf, created_at, expires_at, last_seen FROM web_sessions WHERE id = ?1",
            [token_hash],
            |r| {
                Ok(crate::SessionRow {
                    token_hash: get(r, 0)?,
                    principal: parse_principal(&get::<String>(r, 1)?)?,
                    csrf: get(r, 2)?,
                    created_at: Millis(get(r, 3)?),
                    expires_at: Millis(get(r, 4)?),
                    last_seen: Millis(get(r, 5)?),
                })
            },
        )
    }

    async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        exec(self.conn, "DELETE FROM web_sessions WHERE id = ?1", [token_hash]).map(drop)
    }

    async fn delete_expired_sessions(&mut self, at: Millis) -> Result<u64> {
        exec(self.conn, "DELETE FROM web_sessions WHERE expires_at <= ?1", [at.0]).map(|n| n as u64)
    }

    async fn add_traffic(&mut self, batch: crate::traffic::Batch) -> Result<()> {
        match &mut self.traffic {
            // On the writer: written with the group's at its end.
            Some(group) => {
                group.merge(batch);
                Ok(())
            }
            None => workbench::flush_traffic(self.conn, &batch).map_err(db_err),
        }
    }
}

// ---- the trait ---------------------------------------------------------------------------

#[async_trait::async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<()> {
        self.read(|db| now(db.ping())).await
    }

    async fn create_officer(&self, new: NewOfficer, token: NewToken, actor: &Actor) -> Result<Officer> {
        let actor = actor.clone();
        self.write(move |db| now(ops::create_officer(db, new, token, &actor))).await
    }

    async fn officer(&self, id: &Id) -> Result<Officer> {
        let id = id.clone();
        self.read(move |db| now(ops::officer(db, &id))).await
    }

    async fn officer_by_name(&self, name: &str) -> Result<Option<Officer>> {
        let name = name.to_string();
        self.read(move |db| now(db.officer_by_name(&name))).await
    }

    async fn list_officers(&self) -> Result<Vec<Officer>> {
        self.read(|db| now(db.list_officers())).await
    }

    async fn create_token(&self, token: NewToken, actor: &Actor) -> Result<ApiToken> {
        let actor = actor.clone();
        self.write(move |db| now(ops::create_token(db, token, &actor))).await
    }

    async fn revoke_token(&self, token_id: &Id, actor: &Actor, at: Millis) -> Result<()> {
        let (id, actor) = (token_id.clone(), actor.clone());
        self.write(move |db| now(ops::revoke_token(db, &id, &actor, at))).await
    }

    async fn token_by_hash(&self, hash: &[u8; 32]) -> Result<Option<ApiToken>> {
        let hash = *hash;
        self.read(move |db| now(db.token_by_hash(&hash))).await
    }

    async fn list_tokens(&self, owner: &Principal) -> Result<Vec<ApiToken>> {
        let owner = owner.clone();
        self.read(move |db| now(db.list_tokens(&owner))).await
    }

    async fn enterprise(&self, id: &Id) -> Result<Enterprise> {
        let id = id.clone();
        self.read(move |db| now(ops::enterprise(db, &id))).await
    }

    async fn enterprise_by_code(&self, code: &str) -> Result<Option<Enterprise>> {
        let code = code.to_string();
        self.read(move |db| now(db.enterprise_by_code(&code))).await
    }

    async fn list_enterprises(&self, page: Page) -> Result<Vec<Enterprise>> {
        self.read(move |db| now(db.list_enterprises(page))).await
    }

    async fn enterprise_versions(&self, id: &Id) -> Result<Vec<EnterpriseVersion>> {
        let id = id.clone();
        self.read(move |db| now(ops::enterprise_versions(db, &id))).await
    }

    async fn enterprise_as_of(&self, id: &Id, at: Millis) -> Result<Option<EnterpriseVersion>> {
        let id = id.clone();
        self.read(move |db| now(ops::enterprise_as_of(db, &id, at))).await
    }

    async fn licences(&self, enterprise: &Id) -> Result<Vec<Licence>> {
        let id = enterprise.clone();
        self.read(move |db| now(ops::licences(db, &id))).await
    }

    async fn certificates(&self, enterprise: &Id) -> Result<Vec<Certificate>> {
        let id = enterprise.clone();
        self.read(move |db| now(ops::certificates(db, &id))).await
    }

    async fn certificate_by_fingerprint(&self, sha256: &[u8; 32]) -> Result<Option<Certificate>> {
        let fp = *sha256;
        self.read(move |db| now(db.certificate_by_fingerprint(&fp))).await
    }

    async fn credit_history(&self, enterprise: &Id) -> Result<Vec<CreditChange>> {
        let id = enterprise.clone();
        self.read(move |db| now(ops::credit_history(db, &id))).await
    }

    async fn warehouses(&self, enterprise: &Id) -> Result<Vec<OverseasWarehouse>> {
        let id = enterprise.clone();
        self.read(move |db| now(ops::warehouses(db, &id))).await
    }

    async fn set_credit_rating(&self, enterprise: &Id, change: NewCreditChange, actor: &Actor) -> Result<Enterprise> {
        let (id, actor) = (enterprise.clone(), actor.clone());
        self.write(move |db| now(ops::set_credit_rating(db, &id, change, &actor))).await
    }

    async fn revoke_certificate(
        &self,
        certificate: &Id,
        reason: &str,
        actor: &Actor,
        at: Millis,
    ) -> Result<Certificate> {
        let (id, reason, actor) = (certificate.clone(), reason.to_string(), actor.clone());
        self.write(move |db| now(ops::revoke_certificate(db, &id, &reason, &actor, at))).await
    }

    async fn submit_application(&self, new: NewApplication, actor: &Actor) -> Result<Application> {
        let actor = actor.clone();
        self.write(move |db| now(ops::submit_application(db, new, &actor))).await
    }

    async fn application(&self, id: &Id) -> Result<Application> {
        let id = id.clone();
        self.read(move |db| now(ops::application(db, &id))).await
    }

    async fn list_applications(&self, filter: ApplicationFilter) -> Result<Vec<Application>> {
        self.read(move |db| now(db.list_applications(&filter))).await
    }

    async fn withdraw_application(&self, id: &Id, actor: &Actor, at: Millis) -> Result<Application> {
        let (id, actor) = (id.clone(), actor.clone());
        self.write(move |db| now(ops::withdraw_application(db, &id, &actor, at))).await
    }

    async fn reject_application(&self, id: &Id, reason: &str, actor: &Actor, at: Millis) -> Result<Application> {
        let (id, reason, actor) = (id.clone(), reason.to_string(), actor.clone());
        self.write(move |db| now(ops::reject_application(db, &id, &reason, &actor, at))).await
    }

    async fn approve_application(&self, id: &Id, effect: Effect, actor: &Actor, at: Millis) -> Result<Application> {
        let (id, actor) = (id.clone(), actor.clone());
        self.write(move |db| now(ops::approve_application(db, &id, effect, &actor, at))).await
    }

    async fn audit_entries(&self, after: i64, limit: u32) -> Result<Vec<audit::AuditEntry>> {
        self.read(move |db| now(db.audit_entries(after, limit))).await
    }

    async fn process(&self, work: Work, mut decider: Box<dyn Decider>) -> Result<Processed> {
        self.write_again(move |db| now(ops::process(db, &work, &mut *decider))).await
    }

    async fn message(&self, id: &Id) -> Result<StoredMessage> {
        let id = id.clone();
        self.read(move |db| now(ops::message(db, &id))).await
    }

    async fn document(&self, id: &Id) -> Result<DocRow> {
        let id = id.clone();
        self.read(move |db| now(ops::document(db, &id))).await
    }

    async fn documents(&self, filter: DocFilter) -> Result<Vec<DocRow>> {
        self.read(move |db| now(db.list_docs(&filter))).await
    }

    async fn document_moves(&self, id: &Id) -> Result<Vec<StoredMove>> {
        let id = id.clone();
        self.read(move |db| now(db.moves(&id))).await
    }

    async fn document_receipts(&self, id: &Id) -> Result<Vec<ReceiptRow>> {
        let id = id.clone();
        self.read(move |db| now(db.receipts_of_doc(&id))).await
    }

    async fn due_documents(&self, at: Millis, limit: u32) -> Result<Vec<Id>> {
        self.read(move |db| now(db.due_docs(at, limit))).await
    }

    async fn receipts_for(&self, codes: &[String], after: i64, limit: u32) -> Result<Vec<ReceiptRow>> {
        let codes = codes.to_vec();
        self.read(move |db| now(db.receipts_for(&codes, after, limit))).await
    }

    async fn receipt_cursor(&self, enterprise: &Id) -> Result<i64> {
        let e = enterprise.clone();
        self.read(move |db| now(db.acked(&e))).await
    }

    async fn ack_receipts(&self, enterprise: &Id, seq: i64, actor: &Actor) -> Result<i64> {
        let (e, actor) = (enterprise.clone(), actor.clone());
        self.write(move |db| now(ops::ack_receipts(db, &e, seq, &actor))).await
    }

    async fn quota_used(&self, key: &str) -> Result<i64> {
        let key = key.to_string();
        self.read(move |db| now(db.quota_sums(std::slice::from_ref(&key))).map(|m| m.get(&key).copied().unwrap_or(0)))
            .await
    }

    async fn webhook(&self, enterprise: &Id) -> Result<Option<Webhook>> {
        let e = enterprise.clone();
        self.read(move |db| now(db.webhook(&e))).await
    }

    async fn import_refdata(&self, new: NewRefdata, actor: &Actor) -> Result<RefdataVersion> {
        let actor = actor.clone();
        self.write(move |db| now(ops::import_refdata(db, new, &actor))).await
    }

    async fn refdata_versions(&self, kind: Option<&str>) -> Result<Vec<RefdataVersion>> {
        let kind = kind.map(str::to_string);
        self.read(move |db| now(db.refdata_versions(kind.as_deref()))).await
    }

    async fn refdata_active(&self, kind: &str, on: &str) -> Result<Option<RefdataVersion>> {
        let (kind, on) = (kind.to_string(), on.to_string());
        self.read(move |db| now(db.refdata_active(&kind, &on))).await
    }

    async fn refdata_content(&self, id: &Id) -> Result<String> {
        let id = id.clone();
        self.read(move |db| now(ops::refdata_content(db, &id))).await
    }

    async fn put_rule_set(&self, version: &str, rules: i64, content: &str, actor: &Actor) -> Result<RuleSetRow> {
        let (version, content, actor) = (version.to_string(), content.to_string(), actor.clone());
        self.write(move |db| now(ops::put_rule_set(db, &version, rules, &content, &actor))).await
    }

    async fn rule_sets(&self) -> Result<Vec<RuleSetRow>> {
        self.read(|db| now(db.rule_sets())).await
    }

    async fn rule_set(&self, id: &Id) -> Result<(RuleSetRow, String)> {
        let id = id.clone();
        self.read(move |db| now(ops::rule_set(db, &id))).await
    }

    async fn decide_rule_set(&self, id: &Id, approve: bool, note: &str, actor: &Actor) -> Result<RuleSetRow> {
        let (id, note, actor) = (id.clone(), note.to_string(), actor.clone());
        self.write(move |db| now(ops::decide_rule_set(db, &id, approve, &note, &actor))).await
    }

    async fn active_rule_set(&self) -> Result<Option<(RuleSetRow, String)>> {
        self.read(|db| now(ops::active_rule_set(db))).await
    }

    async fn put_monitoring(
        &self,
        row: MonitoringRow,
        expected_version: Option<i64>,
        action: &str,
        summary: serde_json::Value,
        actor: &Actor,
    ) -> Result<MonitoringRow> {
        let (action, actor) = (action.to_string(), actor.clone());
        self.write(move |db| now(ops::put_monitoring(db, row, expected_version, &action, summary, &actor))).await
    }

    async fn put_monitoring_with_rating(
        &self,
        row: MonitoringRow,
        expected_version: i64,
        action: &str,
        summary: serde_json::Value,
        rating: RatingChange,
        actor: &Actor,
    ) -> Result<(MonitoringRow, Enterprise)> {
        let (action, actor) = (action.to_string(), actor.clone());
        self.write(move |db| {
            now(ops::put_monitoring_with_rating(db, row, expected_version, &action, summary, rating, &actor))
        })
        .await
    }

    async fn monitoring_records(&self, filter: &MonitoringFilter) -> Result<Vec<MonitoringRow>> {
        let filter = filter.clone();
        self.read(move |db| now(db.monitoring_records(&filter))).await
    }

    async fn monitoring_record(&self, id: &Id) -> Result<MonitoringRow> {
        let id = id.clone();
        self.read(move |db| now(ops::monitoring_record(db, &id))).await
    }

    async fn claim_mode(&self, mode: StoreMode, actor: &Actor) -> Result<StoreMode> {
        let actor = actor.clone();
        self.write(move |db| now(ops::claim_mode(db, mode, &actor))).await
    }

    async fn set_webhook(&self, enterprise: &Id, hook: Option<Webhook>, actor: &Actor) -> Result<()> {
        let (e, actor) = (enterprise.clone(), actor.clone());
        self.write(move |db| now(ops::set_webhook(db, &e, hook, &actor))).await
    }

    async fn due_pushes(&self, at: Millis, limit: u32) -> Result<Vec<DuePush>> {
        self.read(move |db| now(db.due_pushes(at, limit))).await
    }

    async fn record_push(&self, enterprise: &Id, seq: i64, result: PushResult) -> Result<()> {
        let e = enterprise.clone();
        self.write(move |db| now(db.record_push(&e, seq, &result))).await
    }

    async fn repush(&self, enterprise: &Id, after: i64, actor: &Actor) -> Result<u64> {
        let (e, actor) = (enterprise.clone(), actor.clone());
        self.write(move |db| now(ops::repush(db, &e, after, &actor))).await
    }

    async fn pushes(&self, enterprise: &Id, after: i64, limit: u32) -> Result<Vec<PushRow>> {
        let e = enterprise.clone();
        self.read(move |db| now(db.pushes(&e, after, limit))).await
    }

    async fn set_password(&self, principal: &Principal, phc_hash: &str, actor: &Actor) -> Result<()> {
        let (p, h, actor) = (principal.clone(), phc_hash.to_string(), actor.clone());
        self.write(move |db| now(ops::set_password(db, &p, &h, &actor))).await
    }

    async fn password_hash(&self, principal: &Principal) -> Result<Option<String>> {
        let p = principal.clone();
        self.read(move |db| now(db.password_hash(&p))).await
    }

    async fn create_session(&self, new: crate::NewSession) -> Result<crate::SessionRow> {
        self.write(move |db| now(ops::create_session(db, new))).await
    }

    async fn session(&self, token_hash: &str) -> Result<Option<crate::SessionRow>> {
        let h = token_hash.to_string();
        self.read(move |db| now(db.session(&h))).await
    }

    async fn delete_session(&self, token_hash: &str, at: Millis) -> Result<()> {
        let h = token_hash.to_string();
        self.write(move |db| now(ops::delete_session(db, &h, at))).await
    }

    async fn delete_expired_sessions(&self, actor: &Actor) -> Result<u64> {
        let actor = actor.clone();
        self.write(move |db| now(ops::delete_expired_sessions(db, &actor))).await
    }

    async fn recent_receipts_for(&self, codes: &[String], before: Option<i64>, limit: u32) -> Result<Vec<ReceiptRow>> {
        let codes = codes.to_vec();
        self.read(move |db| db.recent_receipts(&codes, before, limit)).await
    }

    async fn recent_documents_for(
        &self,
        codes: &[String],
        kind: Option<&str>,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DocRow>> {
        let (codes, kind, before) = (codes.to_vec(), kind.map(str::to_owned), before.map(str::to_owned));
        self.read(move |db| db.recent_documents(&codes, kind.as_deref(), before.as_deref(), limit)).await
    }

    async fn traffic(&self, enterprise: Option<&Id>, from: Millis, to: Millis) -> Result<Vec<crate::TrafficRow>> {
        let enterprise = enterprise.cloned().unwrap_or_else(|| crate::traffic::ALL.to_string());
        self.read(move |db| db.traffic_rows(&enterprise, from, to)).await
    }

    async fn count_documents(&self, status: &str, cap: u32) -> Result<u64> {
        let status = status.to_string();
        self.read(move |db| db.count_status(&status, cap)).await
    }

    async fn documents_in_status(&self, status: &str, before: Option<(Millis, Id)>, limit: u32) -> Result<Vec<DocRow>> {
        let status = status.to_string();
        self.read(move |db| db.docs_in_status(&status, before.as_ref(), limit)).await
    }

    async fn documents_by_keys(&self, keys: &[String], limit: u32) -> Result<Vec<DocRow>> {
        let keys = keys.to_vec();
        self.read(move |db| db.docs_by_keys_limited(&keys, limit)).await
    }

    async fn enterprises_named(&self, prefix: &str, limit: u32) -> Result<Vec<Enterprise>> {
        let prefix = prefix.to_string();
        self.read(move |db| db.enterprises_named(&prefix, limit)).await
    }
}

// ---- the enterprise portal's pages (newest first, one index range per code) -------------

impl SqliteDb<'_> {
    fn recent_receipts(&self, codes: &[String], before: Option<i64>, limit: u32) -> Result<Vec<ReceiptRow>> {
        let mut seqs: Vec<i64> = Vec::new();
        for code in codes {
            seqs.extend(query_all(
                self.conn,
                "SELECT seq FROM receipt_recipients WHERE code = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3",
                params![code, before.unwrap_or(i64::MAX), int(limit)],
                |r| get::<i64>(r, 0),
            )?);
        }
        seqs.sort_unstable_by(|a, b| b.cmp(a));
        seqs.dedup();
        seqs.truncate(limit as usize);
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let sql =
            format!("SELECT {RECEIPT} FROM receipts WHERE seq IN ({}) ORDER BY seq DESC", placeholders(seqs.len(), 1));
        query_all(self.conn, &sql, params_from_iter(seqs.iter()), receipt_row)
    }

    fn recent_documents(
        &self,
        codes: &[String],
        kind: Option<&str>,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DocRow>> {
        // Walks the (code, doc_id) key of the party index downwards, so the
        // newest documents come first without a sort.
        let sql = format!(
            "SELECT p.doc_id FROM document_parties p JOIN documents d ON d.id = p.doc_id
             WHERE p.code = ?1 {} {} ORDER BY p.doc_id DESC LIMIT ?4",
            if before.is_some() { "AND p.doc_id < ?2" } else { "AND ?2 IS NULL" },
            if kind.is_some() { "AND d.kind = ?3" } else { "AND ?3 IS NULL" },
        );
        let mut ids: Vec<String> = Vec::new();
        for code in codes {
            ids.extend(query_all(self.conn, &sql, params![code, before, kind, int(limit)], |r| get::<String>(r, 0))?);
        }
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.dedup();
        ids.truncate(limit as usize);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql =
            format!("SELECT {DOCUMENT} FROM documents WHERE id IN ({}) ORDER BY id DESC", placeholders(ids.len(), 1));
        query_all(self.conn, &sql, params_from_iter(ids.iter()), doc_row)
    }
}

mod workbench;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::ops::append;

    fn actor() -> Actor {
        Actor { principal: Principal::System("test".into()), at: Millis(1) }
    }

    /// Holds the writer busy for `ms` milliseconds (a job that sleeps),
    /// once it has begun: jobs queued meanwhile wait and are committed
    /// together.
    async fn hold_writer(store: &Arc<SqliteStore>, ms: u64) -> tokio::task::JoinHandle<Result<()>> {
        let store = store.clone();
        let blocker = tokio::spawn(async move {
            store
                .write(move |_| {
                    std::thread::sleep(Duration::from_millis(ms));
                    Ok(())
                })
                .await
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        blocker
    }

    /// A `test.write` audit entry for job `i`.
    async fn audit_entry(db: &mut SqliteDb<'_>, i: u32) -> Result<()> {
        audit_entry_after(db, i, None).await
    }

    /// A `test.write` audit entry for job `i` with an `after` value.
    async fn audit_entry_after(db: &mut SqliteDb<'_>, i: u32, after: Option<serde_json::Value>) -> Result<()> {
        let change =
            ops::Change { action: "test.write".into(), entity: "test", entity_id: i.to_string(), before: None, after };
        append(db, &actor(), change).await
    }

    /// Each filter of the document list reads the index that narrows it
    /// most, never the whole table: by kind alone (the risk dry run) the
    /// kind index, with a status the status index, with a business key
    /// that key's index.
    #[test]
    fn document_lists_read_the_narrowest_index() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        let plan = |f: DocFilter| -> String {
            let (sql, args) = list_docs_sql(&f);
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let rows = stmt.query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(3)).unwrap();
            rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("; ")
        };
        let f = |kind: Option<&str>, status: Option<&str>, key: Option<&str>| DocFilter {
            kind: kind.map(str::to_owned),
            status: status.map(str::to_owned),
            business_key: key.map(str::to_owned),
            limit: 50,
            ..DocFilter::default()
        };
        for (filter, index) in [
            (f(Some("export_list"), None, None), "documents_kind"),
            (f(Some("list"), Some("released"), None), "documents_status"),
            (f(None, Some("manual_review"), None), "documents_status"),
            (f(Some("list"), None, Some("ORD1")), "documents_business_key"),
            (f(Some("list"), Some("released"), Some("ORD1")), "documents_business_key"),
            (f(None, None, Some("ORD1")), "documents_business_key"),
        ] {
            let plan = plan(filter);
            assert!(
                plan.contains(&format!("USING INDEX {index}")) || plan.contains(&format!("COVERING INDEX {index}")),
                "{index}: {plan}"
            );
            assert!(!plan.contains("SCAN d"), "{plan}");
        }
    }

    /// A profiled writer counts each statement it runs, by its text; an
    /// unprofiled one adds nothing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_profiled_writer_counts_its_statements() {
        let dir = tempfile::tempdir().unwrap();
        let insert = "INSERT INTO counters (name, value) VALUES (?1, 1)";
        let runs = || writer_statements().into_iter().find(|s| s.sql == insert).map_or(0, |s| s.runs);
        let plain = SqliteStore::open(dir.path().join("plain.db").to_str().unwrap()).await.unwrap();
        plain.write(move |db| exec(db.conn, insert, ["plain"]).map(drop)).await.unwrap();
        assert_eq!(runs(), 0);
        let profiled = SqliteStore::open_with(dir.path().join("p.db").to_str().unwrap(), true).await.unwrap();
        for name in ["a", "b", "c"] {
            profiled.write(move |db| exec(db.conn, insert, [name]).map(drop)).await.unwrap();
        }
        assert_eq!(runs(), 3);
        let commit = writer_statements().into_iter().find(|s| s.sql == "COMMIT").unwrap();
        assert!(commit.runs >= 3, "{commit:?}");
    }

    /// The bundled SQLite carries the flags `.cargo/config.toml` gives it:
    /// a build without them (another `LIBSQLITE3_FLAGS`, a build outside
    /// the workspace) still works, but its writer needs 5–10 % more CPU a
    /// message (docs/BENCHMARKS.md, "SQLite built for one writer").
    #[test]
    fn the_bundled_sqlite_is_built_as_configured() {
        let conn = Connection::open_in_memory().unwrap();
        let mut stmt = conn.prepare("PRAGMA compile_options").unwrap();
        let options: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(|o| o.unwrap()).collect();
        for wanted in ["DEFAULT_MEMSTATUS=0", "OMIT_SHARED_CACHE", "USE_ALLOCA"] {
            assert!(options.iter().any(|o| o == wanted), "{wanted} missing from {options:?}");
        }
        assert!(!options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"), "{options:?}");
    }

    /// Jobs that fail inside a group leave the others committed, and the
    /// chain stays gapless: jobs with savepoints and repeatable ones without,
    /// failing before or after they changed rows.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_job_does_not_undo_its_group() {
        let dir = std::env::temp_dir().join(format!("cbec-store-unit-{}", crate::new_id()));
        let store = Arc::new(SqliteStore::open(dir.join("g.db").to_str().unwrap()).await.unwrap());
        // The jobs below queue up behind it and are committed in groups.
        let blocker = hold_writer(&store, 300).await;
        let mut tasks = Vec::new();
        for i in 0..200u32 {
            let store = store.clone();
            // Every third job fails after its audit entry, every fifth
            // before writing anything; odd ones are repeatable.
            let op = move |db: &mut SqliteDb<'_>| {
                now(async {
                    if i % 5 == 0 {
                        return Err(StoreError::InvalidState(format!("job {i} fails first")));
                    }
                    audit_entry(db, i).await?;
                    if i % 3 == 0 {
                        return Err(StoreError::InvalidState(format!("job {i} fails")));
                    }
                    Ok(i)
                })
            };
            tasks.push(tokio::spawn(async move {
                if i % 2 == 1 { store.write_again(op).await } else { store.write(op).await }
            }));
        }
        let mut ok = 0;
        for (i, t) in tasks.into_iter().enumerate() {
            match t.await.unwrap() {
                Ok(v) => {
                    assert_eq!(v as usize, i);
                    ok += 1;
                }
                Err(StoreError::InvalidState(_)) => assert!(i % 3 == 0 || i % 5 == 0, "{i}"),
                Err(e) => panic!("{e}"),
            }
        }
        blocker.await.unwrap().unwrap();
        // 200 - 67 (i % 3 == 0) - 40 (i % 5 == 0) + 14 (both)
        assert_eq!(ok, 107);
        let stats = store.group_commit_stats();
        assert_eq!(stats.jobs, 201);
        // 1 blocker + 200 queued jobs in groups of at most MAX_GROUP.
        assert!(stats.groups > 200u64.div_ceil(MAX_GROUP as u64), "{stats:?}");
        assert!(stats.groups <= 12, "jobs were not grouped: {stats:?}");
        // Repeatable jobs that failed after writing made their groups run
        // again (each group has some).
        assert!(stats.reruns >= 1 && stats.reruns < stats.groups, "{stats:?}");
        let checked = crate::audit::verify_audit(store.as_ref()).await.unwrap().unwrap();
        assert_eq!(checked, 107);
        let entries = store.audit_entries(0, 1000).await.unwrap();
        assert!(entries.iter().all(|e| {
            let i = e.entity_id.parse::<u32>().unwrap();
            i % 3 != 0 && i % 5 != 0
        }));
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A decider for the rerun test: asks for one key, and writes a
    /// document holding it whose body says how many documents it saw.
    struct Seeing {
        id: String,
        key: String,
        decided: Arc<AtomicU64>,
    }

    impl Decider for Seeing {
        fn needs(&mut self, _: &crate::Snapshot) -> crate::Needs {
            crate::Needs { keys: [self.key.clone()].into(), ..crate::Needs::default() }
        }

        fn decide(&mut self, s: &crate::Snapshot) -> Result<crate::Outcome> {
            self.decided.fetch_add(1, Ordering::Relaxed);
            let doc = DocRow {
                id: self.id.clone(),
                kind: "test".into(),
                status: "new".into(),
                sender: "TEST".into(),
                business_key: self.id.clone(),
                keys: vec![self.key.clone()],
                deadline: None,
                created_at: Millis(1),
                updated_at: Millis(1),
                message_id: None,
                body: format!("saw {}", s.docs.len()),
            };
            Ok(crate::Outcome {
                docs: vec![doc],
                audit_action: "test.decide",
                audit_summary: serde_json::json!({}),
                ..crate::Outcome::default()
            })
        }
    }

    /// A clearance decision in a group that is rolled back and run again
    /// (a repeatable job failed after writing) is decided again on a fresh
    /// snapshot, is written once, and sees what the decisions before it in
    /// the group wrote.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_decision_in_a_group_run_again_is_decided_again() {
        // Removed when dropped (after the store), also when a check fails.
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path().join("r.db").to_str().unwrap()).await.unwrap());
        let blocker = hold_writer(&store, 600).await;
        let decided = [Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0))];
        let decide = |n: usize| {
            let store = store.clone();
            let decider = Seeing { id: format!("doc-{n}"), key: "shared-key".into(), decided: decided[n].clone() };
            tokio::spawn(async move {
                let work = Work { actor: actor(), message: None, entity: ("document", format!("doc-{n}")) };
                store.process(work, Box::new(decider)).await
            })
        };
        // Queued in this order behind the blocker: one group.
        let first = decide(0);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let failing = {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .write_again(|db| {
                        now(audit_entry(db, 7))?;
                        Err::<(), _>(StoreError::InvalidState("fails after writing".into()))
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let second = decide(1);
        blocker.await.unwrap().unwrap();
        assert!(matches!(first.await.unwrap().unwrap(), Processed::Done { .. }));
        assert!(matches!(failing.await.unwrap(), Err(StoreError::InvalidState(_))));
        let Processed::Done { docs, .. } = second.await.unwrap().unwrap() else { panic!("not done") };
        assert_eq!(docs[0].body, "saw 1", "the second decision sees the first's document");
        let stats = store.group_commit_stats();
        assert!(stats.reruns >= 1, "{stats:?}");
        // The first decided before the failure and again in the rerun; the
        // second (after the failed job, which stopped the first pass) only
        // in the rerun.
        assert_eq!(decided.iter().map(|d| d.load(Ordering::Relaxed)).collect::<Vec<_>>(), [2, 1]);
        for n in 0..2 {
            let doc = store.document(&format!("doc-{n}")).await.unwrap();
            assert_eq!(doc.body, format!("saw {n}"));
        }
        let entries = store.audit_entries(0, 100).await.unwrap();
        assert_eq!(entries.iter().filter(|e| e.action == "test.decide").count(), 2);
        assert!(entries.iter().all(|e| e.action != "test.write"), "the failed job's entry was undone");
        assert_eq!(crate::audit::verify_audit(store.as_ref()).await.unwrap().unwrap(), 2);
    }

    /// Under steady writes the WAL starts over again and again (the writer
    /// finishes a checkpoint when asked) instead of growing without bound,
    /// and nothing written is lost on the way.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_starts_over_under_steady_writes() {
        let dir = std::env::temp_dir().join(format!("cbec-store-unit-{}", crate::new_id()));
        let path = dir.join("w.db");
        let store = Arc::new(SqliteStore::open(path.to_str().unwrap()).await.unwrap());
        let pad = serde_json::Value::String("x".repeat(3000));
        let (mut written, started) = (0u32, std::time::Instant::now());
        // Waves of concurrent writes keep the writer busy; each entry is
        // about a page, so the WAL passes the (test) threshold of 64 frames
        // every wave or two.
        while store.group_commit_stats().wal_restarts < 3 {
            assert!(started.elapsed() < Duration::from_secs(20), "the WAL never started over");
            let wave: Vec<_> = (written..written + 100)
                .map(|i| {
                    let (store, pad) = (store.clone(), pad.clone());
                    tokio::spawn(async move { store.write(move |db| now(audit_entry_after(db, i, Some(pad)))).await })
                })
                .collect();
            for t in wave {
                t.await.unwrap().unwrap();
            }
            written += 100;
        }
        let conn = Connection::open(&path).unwrap();
        let rows: u32 =
            conn.query_row("SELECT count(*) FROM audit_log WHERE entity = 'test'", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, written);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The checkpointer copies back to back while the writer keeps adding
    /// more than about a group's worth between two passes, and stops when a
    /// pass finds little added, when the WAL started over, when a pass is
    /// busy, or after its most passes.
    #[test]
    fn the_checkpointer_copies_until_it_catches_up() {
        let run = |logs: &[Option<i64>]| {
            let mut it = logs.iter().copied();
            converge(1000, || it.next().flatten())
        };
        let big = CONVERGED_FRAMES + 1;
        // Catching up: a pass with little added ends it.
        assert_eq!(run(&[Some(1000 + big), Some(1000 + big + CONVERGED_FRAMES)]), 2);
        assert_eq!(run(&[Some(1000)]), 1);
        // The writer keeps adding much: passes until the most.
        let growing: Vec<_> = (1..=20).map(|k| Some(1000 + k * big)).collect();
        assert_eq!(run(&growing), CONVERGE_PASSES);
        // Busy, or the WAL started over meanwhile.
        assert_eq!(run(&[Some(1000 + big), None]), 2);
        assert_eq!(run(&[Some(10)]), 1);
    }

    /// No write is answered before its group is flushed to the device: the
    /// syncer has made every committed group durable by the time the last
    /// answer arrives, with at most one flush a group.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_are_answered_after_the_wal_is_flushed() {
        let dir = tempfile::TempDir::new().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path().join("s.db").to_str().unwrap()).await.unwrap());
        let before = store.group_commit_stats();
        let tasks: Vec<_> = (0..200u32)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    store.write(move |db| now(audit_entry(db, i))).await.unwrap();
                    // This job's group, and every one before it, is flushed.
                    store.group_commit_stats().synced_groups
                })
            })
            .collect();
        for t in tasks {
            assert!(t.await.unwrap() > before.synced_groups);
        }
        let s = store.group_commit_stats().since(&before);
        assert!(s.groups >= 1 && s.synced_groups == s.groups, "{s:?}");
        assert!(s.syncs >= 1 && s.syncs <= s.groups, "{s:?}");
    }

    /// A flush that fails is never acknowledged, and nor is any later
    /// commit: the device's state is unknown until the service restarts.
    /// (Here the WAL file is unlinked under the writer, so the sync thread
    /// cannot open it.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_flush_is_not_acknowledged() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("f.db");
        let store = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
        store.write(|db| now(audit_entry(db, 1))).await.unwrap();
        std::fs::remove_file(wal_path(&path)).unwrap();
        for i in 2..4 {
            let e = store.write(move |db| now(audit_entry(db, i))).await.unwrap_err().to_string();
            assert!(e.contains("could not be flushed to the device"), "{e}");
        }
    }

    /// A repeatable job that fails before changing a row leaves its group
    /// as it is: nothing is run again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_repeatable_job_failing_before_it_writes_reruns_nothing() {
        let dir = std::env::temp_dir().join(format!("cbec-store-unit-{}", crate::new_id()));
        let store = Arc::new(SqliteStore::open(dir.join("r.db").to_str().unwrap()).await.unwrap());
        let mut tasks = Vec::new();
        for i in 0..50u32 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .write_again(move |db| {
                        now(async {
                            if i % 2 == 0 {
                                return Err(StoreError::InvalidState("refused".into()));
                            }
                            audit_entry(db, i).await
                        })
                    })
                    .await
            }));
        }
        for (i, t) in tasks.into_iter().enumerate() {
            assert_eq!(t.await.unwrap().is_ok(), i % 2 == 1);
        }
        assert_eq!(store.group_commit_stats().reruns, 0);
        assert_eq!(crate::audit::verify_audit(store.as_ref()).await.unwrap().unwrap(), 25);
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn bad_urls_are_refused() {
        for url in ["mysql://x/y", "sqlite://", "sqlite://:memory:", "cbec.db"] {
            assert!(matches!(crate::open(url).await, Err(StoreError::BadUrl(_))), "{url}");
        }
    }

    #[tokio::test]
    async fn reopening_keeps_data_and_detects_edited_migrations() {
        let dir = std::env::temp_dir().join(format!("cbec-store-unit-{}", crate::new_id()));
        let path = dir.join("nested/m.db");
        let p = path.to_str().unwrap().to_string();
        // First opened through a relative URL: the directories are created.
        let cwd = std::env::current_dir().unwrap();
        let relative = format!("{}{}", "../".repeat(cwd.components().count() - 1), p.trim_start_matches('/'));
        {
            let store = crate::open(&format!("sqlite://{relative}")).await.unwrap();
            assert_eq!(store.backend(), "sqlite");
            store
                .submit_application(
                    NewApplication {
                        kind: cbec_model::filing::ApplicationKind::InitialFiling,
                        enterprise_id: None,
                        payload: serde_json::json!({}),
                    },
                    &actor(),
                )
                .await
                .unwrap();
        }
        // The writer thread closes its connection once the store is gone.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let store = SqliteStore::open(&p).await.unwrap();
        assert_eq!(store.list_applications(ApplicationFilter::default()).await.unwrap().len(), 1);
        drop(store);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let conn = Connection::open(&path).unwrap();
        conn.execute("UPDATE schema_migrations SET checksum = 'x' WHERE version = 2", []).unwrap();
        drop(conn);
        let err = SqliteStore::open(&p).await.err().unwrap();
        assert!(err.to_string().contains("append-only"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
