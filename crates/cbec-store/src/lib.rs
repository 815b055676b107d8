//! Durable storage of cbec behind one interface, [`Store`], with two real
//! implementations: SQLite (embedded, the default; `sqlite://PATH`) and
//! PostgreSQL (scale-out; `postgres://…`), chosen by [`open`] from the URL.
//! Each implementation owns its migrations (`migrations/sqlite`,
//! `migrations/postgres`, append-only, applied on open).
//!
//! Every state change is one atomic operation of the trait that also appends
//! to the hash-chained audit log in the same transaction, so a change and its
//! audit record exist together or not at all. The store enforces storage
//! invariants (uniqueness, existence, state transitions of applications);
//! business rules (which licence a payment enterprise needs, who may approve)
//! live in `cbec-rules` and the service, and run before a call.
//!
//! The implementations are [`sqlite::SqliteStore`] (one writer thread with
//! group commit, a pool of read-only connections) and
//! [`postgres::PgStore`] (a connection pool; writers serialised on the
//! audit chain head row). Both run the same operations (the private `ops`
//! module over a handful of row-level primitives), so their behaviour is
//! the same by construction and checked by one conformance suite
//! (`tests/conformance.rs`). [`audit::verify_audit`] checks a store's whole
//! chain.
//!
//! Lists come back oldest first (by their time column, then id).
//!
//! The modules: [`audit`] (the chain and its verification), [`clearance`]
//! (clearance work units, documents, receipts, webhooks), [`refdata`]
//! (versions of goods reference data), [`risk`] (risk rule sets with
//! four-eyes activation, and monitoring records with optimistic
//! concurrency), [`web`] (passwords and sessions of the web interface),
//! [`sqlite`] and [`postgres`] (the backends).
//!
//! Only this crate knows SQL.

pub mod audit;
pub mod clearance;
mod codec;
mod ops;
pub mod refdata;
pub mod risk;
pub mod traffic;
mod types;
pub mod web;

pub use clearance::{
    Decider, DocFilter, DocRow, DuePush, MoveRow, Needs, NewMessage, NewReceipt, Outcome, Processed, PushResult,
    PushRow, QuotaRow, ReceiptRow, Snapshot, StoredMessage, StoredMove, Webhook, Work,
};
pub use refdata::{NewRefdata, RefdataVersion};
pub use risk::{MonitoringFilter, MonitoringRow, RuleSetRow};
pub use traffic::{TrafficLabel, TrafficNote, TrafficRow};
pub use types::*;
pub use web::{NewSession, SessionRow};

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no supported backend or is malformed.
    #[error("unsupported database URL {0}: use sqlite://PATH or postgres://USER@HOST:PORT/DB")]
    BadUrl(String),
    /// A record that must exist does not.
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// A uniqueness rule would be broken (e.g. an enterprise code filed twice).
    #[error("{0}")]
    Conflict(String),
    /// The operation is not allowed in the record's current state (e.g.
    /// approving a withdrawn application).
    #[error("{0}")]
    InvalidState(String),
    /// The database failed (connection, I/O, corruption).
    #[error("database error: {0}")]
    Backend(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The storage interface of cbec. All methods are atomic.
#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Whether the database answers (for `/readyz`).
    async fn ping(&self) -> Result<()>;

    // ---- principals -----------------------------------------------------

    /// Creates an officer and its first API token (given hashed).
    async fn create_officer(&self, new: NewOfficer, token: NewToken, actor: &Actor) -> Result<Officer>;
    async fn officer(&self, id: &Id) -> Result<Officer>;
    async fn officer_by_name(&self, name: &str) -> Result<Option<Officer>>;
    async fn list_officers(&self) -> Result<Vec<Officer>>;

    /// Adds an API token for an enterprise or an officer (which must exist;
    /// `owner` must be set).
    async fn create_token(&self, token: NewToken, actor: &Actor) -> Result<ApiToken>;
    /// `InvalidState` if already revoked.
    async fn revoke_token(&self, token_id: &Id, actor: &Actor, at: Millis) -> Result<()>;
    /// Finds an unrevoked token by the SHA-256 of its secret.
    async fn token_by_hash(&self, hash: &[u8; 32]) -> Result<Option<ApiToken>>;
    async fn list_tokens(&self, owner: &Principal) -> Result<Vec<ApiToken>>;

    // ---- enterprises ----------------------------------------------------

    /// The current version of an enterprise.
    async fn enterprise(&self, id: &Id) -> Result<Enterprise>;
    /// By 10-character customs code or 18-character USCC.
    async fn enterprise_by_code(&self, code: &str) -> Result<Option<Enterprise>>;
    async fn list_enterprises(&self, page: Page) -> Result<Vec<Enterprise>>;
    /// Every approved version, oldest first.
    async fn enterprise_versions(&self, id: &Id) -> Result<Vec<EnterpriseVersion>>;
    /// The version in force at `at`, if the enterprise was filed by then.
    async fn enterprise_as_of(&self, id: &Id, at: Millis) -> Result<Option<EnterpriseVersion>>;
    async fn licences(&self, enterprise: &Id) -> Result<Vec<Licence>>;
    async fn certificates(&self, enterprise: &Id) -> Result<Vec<Certificate>>;
    /// The enterprise a certificate (by SHA-256 of its DER) is bound to: the
    /// unrevoked binding if there is one, else the latest revoked binding,
    /// so callers must check `revoked_at`.
    async fn certificate_by_fingerprint(&self, sha256: &[u8; 32]) -> Result<Option<Certificate>>;
    async fn credit_history(&self, enterprise: &Id) -> Result<Vec<CreditChange>>;
    async fn warehouses(&self, enterprise: &Id) -> Result<Vec<OverseasWarehouse>>;

    /// Changes the credit rating (customs only, with a reason).
    async fn set_credit_rating(&self, enterprise: &Id, change: NewCreditChange, actor: &Actor) -> Result<Enterprise>;
    /// Revokes a bound certificate (`InvalidState` if already revoked).
    async fn revoke_certificate(
        &self,
        certificate: &Id,
        reason: &str,
        actor: &Actor,
        at: Millis,
    ) -> Result<Certificate>;

    // ---- applications ---------------------------------------------------

    async fn submit_application(&self, new: NewApplication, actor: &Actor) -> Result<Application>;
    async fn application(&self, id: &Id) -> Result<Application>;
    async fn list_applications(&self, filter: ApplicationFilter) -> Result<Vec<Application>>;
    async fn withdraw_application(&self, id: &Id, actor: &Actor, at: Millis) -> Result<Application>;
    async fn reject_application(&self, id: &Id, reason: &str, actor: &Actor, at: Millis) -> Result<Application>;
    /// Approves a submitted application and applies its effect in the same
    /// transaction: a new enterprise version, licences, a certificate
    /// binding, an overseas warehouse, … (the service computes the effect
    /// from the payload after checking the rules).
    async fn approve_application(&self, id: &Id, effect: Effect, actor: &Actor, at: Millis) -> Result<Application>;

    // ---- audit ----------------------------------------------------------

    /// Audit entries with `seq > after`, in order, at most `limit`.
    async fn audit_entries(&self, after: i64, limit: u32) -> Result<Vec<audit::AuditEntry>>;

    // ---- clearance (see [`clearance`]) ------------------------------------

    /// Runs one unit of clearance work in one transaction: the idempotency
    /// check of its message, the decider's reads and decision, the writes
    /// and one audit entry. The message is durable when this returns `Ok`.
    async fn process(&self, work: Work, decider: Box<dyn Decider>) -> Result<Processed>;
    async fn message(&self, id: &Id) -> Result<StoredMessage>;
    async fn document(&self, id: &Id) -> Result<DocRow>;
    /// Newest first.
    async fn documents(&self, filter: DocFilter) -> Result<Vec<DocRow>>;
    async fn document_moves(&self, id: &Id) -> Result<Vec<StoredMove>>;
    async fn document_receipts(&self, id: &Id) -> Result<Vec<ReceiptRow>>;
    /// Documents whose deadline has passed, oldest deadline first.
    async fn due_documents(&self, now: Millis, limit: u32) -> Result<Vec<Id>>;
    /// Receipts naming any of the codes (an enterprise's customs code and
    /// USCC) with seq > `after`, in issue order.
    async fn receipts_for(&self, codes: &[String], after: i64, limit: u32) -> Result<Vec<ReceiptRow>>;
    /// The seq an enterprise has acknowledged (0 if none).
    async fn receipt_cursor(&self, enterprise: &Id) -> Result<i64>;
    /// Moves the acknowledgement forward (`InvalidState` backwards).
    async fn ack_receipts(&self, enterprise: &Id, seq: i64, actor: &Actor) -> Result<i64>;
    /// The quota ledger balance (fen) of a key.
    async fn quota_used(&self, key: &str) -> Result<i64>;
    async fn webhook(&self, enterprise: &Id) -> Result<Option<Webhook>>;
    async fn set_webhook(&self, enterprise: &Id, hook: Option<Webhook>, actor: &Actor) -> Result<()>;
    /// For each enterprise with a webhook, its oldest pending receipt if
    /// its next attempt is due.
    async fn due_pushes(&self, now: Millis, limit: u32) -> Result<Vec<DuePush>>;
    async fn record_push(&self, enterprise: &Id, seq: i64, result: PushResult) -> Result<()>;
    /// Queues again every receipt after `after` for the enterprise's
    /// webhook (delivered or dead ones too); how many.
    async fn repush(&self, enterprise: &Id, after: i64, actor: &Actor) -> Result<u64>;
    async fn pushes(&self, enterprise: &Id, after: i64, limit: u32) -> Result<Vec<PushRow>>;

    // ---- the kind of store ------------------------------------------------

    /// What the database holds. The first claim sets it (with an audit
    /// entry); later claims return what was set, so a caller that wanted the
    /// other mode can refuse to go on.
    async fn claim_mode(&self, mode: StoreMode, actor: &Actor) -> Result<StoreMode>;

    // ---- reference data (see [`refdata`]) ---------------------------------

    /// Stores a new version of a reference table (with an audit entry).
    async fn import_refdata(&self, new: NewRefdata, actor: &Actor) -> Result<RefdataVersion>;
    /// The versions of a kind (or of every kind), oldest first.
    async fn refdata_versions(&self, kind: Option<&str>) -> Result<Vec<RefdataVersion>>;
    /// The version of a kind in force on a date (`YYYY-MM-DD`).
    async fn refdata_active(&self, kind: &str, on: &str) -> Result<Option<RefdataVersion>>;
    /// The CSV of a version, as imported.
    async fn refdata_content(&self, id: &Id) -> Result<String>;

    // ---- risk rule sets and monitoring (see [`risk`]) ---------------------

    /// Stores an uploaded rule set as a draft (with an audit entry).
    /// `Conflict` if a rule set with the same `version` exists.
    async fn put_rule_set(&self, version: &str, rules: i64, content: &str, actor: &Actor) -> Result<RuleSetRow>;
    /// Every rule set, oldest upload first (without content).
    async fn rule_sets(&self) -> Result<Vec<RuleSetRow>>;
    /// A rule set with its content, as uploaded.
    async fn rule_set(&self, id: &Id) -> Result<(RuleSetRow, String)>;
    /// Approves (it becomes active, the one active until then retired) or
    /// rejects a draft, with audit entries. `InvalidState` if it is not a
    /// draft or the actor uploaded it (four eyes).
    async fn decide_rule_set(&self, id: &Id, approve: bool, note: &str, actor: &Actor) -> Result<RuleSetRow>;
    /// The rule set in force, with its content.
    async fn active_rule_set(&self) -> Result<Option<(RuleSetRow, String)>>;

    /// Inserts a monitoring record (`expected_version: None`; `Conflict` if
    /// the id exists) or replaces one whose stored version is
    /// `expected_version` (`Conflict` if another writer changed it first,
    /// `NotFound` if absent, `InvalidState` unless `row.version` is
    /// greater), with an audit entry `action` (e.g. `warning.lift`) on
    /// `("monitoring", id)` carrying `summary`, in the same transaction.
    async fn put_monitoring(
        &self,
        row: MonitoringRow,
        expected_version: Option<i64>,
        action: &str,
        summary: serde_json::Value,
        actor: &Actor,
    ) -> Result<MonitoringRow>;
    /// [`put_monitoring`](Store::put_monitoring) of a new version and, in
    /// the same transaction, a credit rating change with its history entry
    /// and audit entry (an approved downgrade proposal). `InvalidState` if
    /// the enterprise is no longer rated `rating.from`; nothing is written
    /// then, nor on any other failure.
    async fn put_monitoring_with_rating(
        &self,
        row: MonitoringRow,
        expected_version: i64,
        action: &str,
        summary: serde_json::Value,
        rating: RatingChange,
        actor: &Actor,
    ) -> Result<(MonitoringRow, Enterprise)>;
    /// Records matching the filter, oldest first (newest first with
    /// `newest_first`), at most `limit`.
    async fn monitoring_records(&self, filter: &MonitoringFilter) -> Result<Vec<MonitoringRow>>;
    async fn monitoring_record(&self, id: &Id) -> Result<MonitoringRow>;

    // ---- web accounts (see [`web`]) ----------------------------------------

    /// Sets (or replaces) the web password of an officer or enterprise
    /// (which must exist; `InvalidState` for a system principal), given as
    /// a PHC hash string, with an audit entry that holds no hash.
    async fn set_password(&self, principal: &Principal, phc_hash: &str, actor: &Actor) -> Result<()>;
    /// The PHC hash string of a principal's web password, if one is set.
    async fn password_hash(&self, principal: &Principal) -> Result<Option<String>>;
    /// Stores a session (audited as its principal, without the hash).
    async fn create_session(&self, new: NewSession) -> Result<SessionRow>;
    /// The session whose token has this SHA-256 hex, expired or not.
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>>;
    /// Deletes a session (audited as its principal); absent is no error.
    async fn delete_session(&self, token_hash: &str, at: Millis) -> Result<()>;
    /// Deletes every session expired at `actor.at` (one audit entry with
    /// the count, if any); how many.
    async fn delete_expired_sessions(&self, actor: &Actor) -> Result<u64>;

    // ---- the enterprise portal: newest first, keyset pages ------------------

    /// Receipts naming any of the codes with `seq < before` (every one if
    /// `None`), newest first, at most `limit`. Each code is read through its
    /// own index range, so a page costs `limit` rows per code.
    async fn recent_receipts_for(&self, codes: &[String], before: Option<i64>, limit: u32) -> Result<Vec<ReceiptRow>>;
    /// Documents sent by or naming any of the codes, of `kind` if given,
    /// with an id below `before` (every one if `None`), newest first by id
    /// (ids are time-ordered: creation order), at most `limit`.
    async fn recent_documents_for(
        &self,
        codes: &[String],
        kind: Option<&str>,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DocRow>>;
    // ---- the officers' workbench: indexed, bounded reads -------------------

    /// The hourly traffic aggregates (see [`traffic`]) of one enterprise
    /// (by id), or of every enterprise (`None`), with `from <= hour < to`,
    /// by hour.
    async fn traffic(&self, enterprise: Option<&Id>, from: Millis, to: Millis) -> Result<Vec<TrafficRow>>;
    /// How many documents are in a status, counting at most `cap` (one
    /// range of the status index, never the table).
    async fn count_documents(&self, status: &str, cap: u32) -> Result<u64>;
    /// Documents in a status, most recently updated first, strictly after
    /// the keyset cursor `(updated_at, id)` of the previous page's last row.
    async fn documents_in_status(&self, status: &str, before: Option<(Millis, Id)>, limit: u32) -> Result<Vec<DocRow>>;
    /// Documents holding any of the keys (as in [`DocRow::keys`]), newest
    /// first, at most `limit`.
    async fn documents_by_keys(&self, keys: &[String], limit: u32) -> Result<Vec<DocRow>>;
    /// Enterprises whose name starts with `prefix` (compared byte by byte),
    /// by name, at most `limit`.
    async fn enterprises_named(&self, prefix: &str, limit: u32) -> Result<Vec<Enterprise>>;
}

/// What a database holds: real traffic, or an integrators' sandbox whose
/// outcomes are forced by markers in the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreMode {
    Production,
    Sandbox,
}

impl StoreMode {
    pub fn name(self) -> &'static str {
        match self {
            StoreMode::Production => "production",
            StoreMode::Sandbox => "sandbox",
        }
    }

    pub fn parse(s: &str) -> Option<StoreMode> {
        match s {
            "production" => Some(StoreMode::Production),
            "sandbox" => Some(StoreMode::Sandbox),
            _ => None,
        }
    }
}

/// Opens (creating and migrating if needed) the store a URL names:
/// `sqlite://PATH` (relative paths allowed; parent directories are created)
/// or `postgres://…`.
pub async fn open(url: &str) -> Result<std::sync::Arc<dyn Store>> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        sqlite::open(path).await
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        postgres::open(url).await
    } else {
        Err(StoreError::BadUrl(url.to_string()))
    }
}

pub mod postgres;
pub mod sqlite;
