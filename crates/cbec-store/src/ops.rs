//! The store's operations written once, over [`Db`]: the handful of row-level
//! primitives each backend implements in its own SQL dialect.
//!
//! Every rule of the store lives here, so SQLite and PostgreSQL cannot drift
//! apart: existence checks (`NotFound`), uniqueness with a message naming
//! the duplicate (`Conflict`), application transitions (`InvalidState`),
//! rule set decisions (draft only, four eyes, one active), monitoring record
//! versions (stale `Conflict`), applying an approval's [`Effect`], and
//! appending the audit entries of a change through [`append`]. A backend
//! runs one operation inside one transaction (SQLite: a savepoint of a group
//! commit; PostgreSQL: a transaction holding the audit chain head lock), so
//! a change and its audit entries commit together or not at all.
//!
//! The SQLite primitives never suspend, so the SQLite backend drives these
//! futures to completion with a single poll on its own threads ([`now`]).

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use cbec_model::filing::ApplicationState;
use serde_json::{Value, json};

use std::collections::BTreeMap;

use crate::audit::{AuditEntry, Link, entry_hash_of_json};
use crate::clearance::{
    Decider, DocFilter, DocRow, DuePush, MoveRow, NewMessage, NewReceipt, Outcome, Processed, PushResult, PushRow,
    QuotaRow, ReceiptRow, Snapshot, StoredMessage, StoredMove, Webhook, Work,
};
use crate::codec::{certificate_snapshot, from_json, snapshot};
use crate::risk::{MonitoringFilter, MonitoringRow, RuleSetRow};
use crate::web::{NewSession, SessionRow};
use crate::{
    Actor, ApiToken, Application, ApplicationFilter, Certificate, CreditChange, Effect, Enterprise, EnterpriseRecord,
    EnterpriseVersion, Id, Licence, Millis, NewApplication, NewCertificate, NewCreditChange, NewLicence, NewOfficer,
    NewToken, Officer, OverseasWarehouse, Page, Principal, Result, StoreError, new_id,
};

/// Row-level primitives of one backend, used inside one transaction.
///
/// Lists come back in a stable order: by their time column, then by id.
pub(crate) trait Db {
    async fn ping(&mut self) -> Result<()>;

    async fn insert_officer(&mut self, o: &Officer) -> Result<()>;
    async fn officer(&mut self, id: &str) -> Result<Option<Officer>>;
    async fn officer_by_name(&mut self, name: &str) -> Result<Option<Officer>>;
    async fn list_officers(&mut self) -> Result<Vec<Officer>>;

    async fn insert_token(&mut self, t: &ApiToken, hash: &[u8; 32]) -> Result<()>;
    async fn token(&mut self, id: &str) -> Result<Option<ApiToken>>;
    async fn set_token_revoked(&mut self, id: &str, at: Millis) -> Result<()>;
    /// Only unrevoked tokens.
    async fn token_by_hash(&mut self, hash: &[u8; 32]) -> Result<Option<ApiToken>>;
    async fn list_tokens(&mut self, owner: &Principal) -> Result<Vec<ApiToken>>;

    async fn insert_enterprise(&mut self, e: &Enterprise) -> Result<()>;
    /// Writes version, record, codes, credit and `updated_at`.
    async fn update_enterprise(&mut self, e: &Enterprise) -> Result<()>;
    async fn enterprise(&mut self, id: &str) -> Result<Option<Enterprise>>;
    /// By customs code or USCC (either column).
    async fn enterprise_by_code(&mut self, code: &str) -> Result<Option<Enterprise>>;
    async fn list_enterprises(&mut self, page: Page) -> Result<Vec<Enterprise>>;
    async fn insert_version(&mut self, v: &EnterpriseVersion) -> Result<()>;
    async fn versions(&mut self, enterprise: &str) -> Result<Vec<EnterpriseVersion>>;
    /// The highest version with `valid_from <= at`.
    async fn version_as_of(&mut self, enterprise: &str, at: Millis) -> Result<Option<EnterpriseVersion>>;

    async fn insert_credit_change(&mut self, enterprise: &str, c: &CreditChange) -> Result<()>;
    async fn credit_history(&mut self, enterprise: &str) -> Result<Vec<CreditChange>>;

    async fn insert_licence(&mut self, l: &Licence) -> Result<()>;
    async fn delete_licence(&mut self, id: &str) -> Result<()>;
    async fn licences(&mut self, enterprise: &str) -> Result<Vec<Licence>>;

    async fn insert_certificate(&mut self, c: &Certificate) -> Result<()>;
    async fn certificate(&mut self, id: &str) -> Result<Option<Certificate>>;
    async fn certificates(&mut self, enterprise: &str) -> Result<Vec<Certificate>>;
    /// The unrevoked binding of a fingerprint if any, else the most recently
    /// bound revoked one.
    async fn certificate_by_fingerprint(&mut self, fingerprint: &[u8; 32]) -> Result<Option<Certificate>>;
    async fn set_certificate_revoked(&mut self, id: &str, at: Millis, reason: &str) -> Result<()>;

    async fn insert_warehouse(&mut self, w: &OverseasWarehouse) -> Result<()>;
    async fn warehouses(&mut self, enterprise: &str) -> Result<Vec<OverseasWarehouse>>;

    async fn insert_application(&mut self, a: &Application) -> Result<()>;
    /// Writes state, enterprise id, decision and reason.
    async fn update_application(&mut self, a: &Application) -> Result<()>;
    async fn application(&mut self, id: &str) -> Result<Option<Application>>;
    async fn list_applications(&mut self, filter: &ApplicationFilter) -> Result<Vec<Application>>;

    /// The last entry's seq and hash, or `(0, GENESIS)`.
    async fn audit_head(&mut self) -> Result<(i64, String)>;
    async fn insert_audit(&mut self, row: &AuditRow<'_>) -> Result<()>;
    async fn audit_entries(&mut self, after: i64, limit: u32) -> Result<Vec<AuditEntry>>;

    // ---- clearance ----
    /// The message a sender sent with this guid: its id and stored answer.
    async fn message_by_guid(&mut self, sender: &str, guid: &str) -> Result<Option<(Id, Option<Vec<u8>>)>>;
    async fn insert_message(&mut self, m: &NewMessage, response: Option<&[u8]>) -> Result<()>;
    async fn message(&mut self, id: &str) -> Result<Option<StoredMessage>>;
    /// Documents holding any of the keys.
    async fn docs_by_keys(&mut self, keys: &[String]) -> Result<Vec<DocRow>>;
    async fn docs_by_ids(&mut self, ids: &[String]) -> Result<Vec<DocRow>>;
    /// Inserts a document with its keys and parties (`old` is `None`), or
    /// replaces it given its stored row: keys are rewritten only when they
    /// changed, parties are added.
    async fn upsert_doc(&mut self, d: &DocRow, parties: &[String], old: Option<&DocRow>) -> Result<()>;
    async fn list_docs(&mut self, f: &DocFilter) -> Result<Vec<DocRow>>;
    /// Ids of documents whose deadline is at or before `now`, oldest first.
    async fn due_docs(&mut self, now: Millis, limit: u32) -> Result<Vec<Id>>;
    async fn insert_moves(&mut self, moves: &[MoveRow], actor: &str, at: Millis) -> Result<()>;
    async fn moves(&mut self, doc: &str) -> Result<Vec<StoredMove>>;
    /// Stores receipts with their recipients, queues them for the
    /// recipients' webhooks, and returns them with their seq, in order.
    async fn insert_receipts(
        &mut self,
        rs: &[NewReceipt],
        message_id: Option<&str>,
        at: Millis,
    ) -> Result<Vec<ReceiptRow>>;
    /// Receipts naming any of the codes, seq > after, in seq order.
    async fn receipts_for(&mut self, codes: &[String], after: i64, limit: u32) -> Result<Vec<ReceiptRow>>;
    async fn receipts_of_doc(&mut self, doc: &str) -> Result<Vec<ReceiptRow>>;
    async fn quota_sums(&mut self, keys: &[String]) -> Result<BTreeMap<String, i64>>;
    async fn insert_quota(&mut self, q: &QuotaRow, at: Millis) -> Result<()>;
    async fn counters(&mut self, names: &[String]) -> Result<BTreeMap<String, i64>>;
    async fn set_counters(&mut self, values: &BTreeMap<String, i64>) -> Result<()>;
    async fn acked(&mut self, enterprise: &str) -> Result<i64>;
    async fn set_acked(&mut self, enterprise: &str, seq: i64, at: Millis) -> Result<()>;
    async fn webhook(&mut self, enterprise: &str) -> Result<Option<Webhook>>;
    /// Replaces the enterprise's webhook (and the codes it receives for);
    /// `None` removes it.
    async fn set_webhook(&mut self, enterprise: &str, hook: Option<&Webhook>, codes: &[String]) -> Result<()>;
    async fn store_mode(&mut self) -> Result<Option<String>>;
    async fn refdata_next_version(&mut self, kind: &str) -> Result<i64>;
    async fn insert_refdata(&mut self, v: &crate::RefdataVersion, content: &str) -> Result<()>;
    async fn refdata_versions(&mut self, kind: Option<&str>) -> Result<Vec<crate::RefdataVersion>>;
    async fn refdata_active(&mut self, kind: &str, on: &str) -> Result<Option<crate::RefdataVersion>>;
    async fn refdata_content(&mut self, id: &str) -> Result<Option<String>>;
    async fn set_store_mode(&mut self, mode: &str, at: Millis) -> Result<()>;

    // ---- risk rule sets and monitoring ----
    async fn insert_rule_set(&mut self, r: &RuleSetRow, content: &str) -> Result<()>;
    /// Writes status, decided_by, decided_at and note.
    async fn update_rule_set(&mut self, r: &RuleSetRow) -> Result<()>;
    async fn rule_set(&mut self, id: &str) -> Result<Option<RuleSetRow>>;
    async fn rule_set_by_version(&mut self, version: &str) -> Result<Option<RuleSetRow>>;
    async fn active_rule_set(&mut self) -> Result<Option<RuleSetRow>>;
    async fn rule_sets(&mut self) -> Result<Vec<RuleSetRow>>;
    async fn rule_set_content(&mut self, id: &str) -> Result<Option<String>>;
    async fn insert_monitoring(&mut self, m: &MonitoringRow) -> Result<()>;
    /// Writes enterprise, state, version, body and updated_at if the stored
    /// version is `expected`; how many rows changed (0 or 1).
    async fn update_monitoring(&mut self, m: &MonitoringRow, expected: i64) -> Result<u64>;
    async fn monitoring_record(&mut self, id: &str) -> Result<Option<MonitoringRow>>;
    async fn monitoring_records(&mut self, f: &MonitoringFilter) -> Result<Vec<MonitoringRow>>;
    /// Per enterprise with a webhook, its oldest pending push if due.
    async fn due_pushes(&mut self, now: Millis, limit: u32) -> Result<Vec<DuePush>>;
    async fn record_push(&mut self, enterprise: &str, seq: i64, result: &PushResult) -> Result<()>;
    /// Puts every push of the enterprise with seq > after back to pending.
    async fn repush(&mut self, enterprise: &str, after: i64, now: Millis) -> Result<u64>;
    async fn pushes(&mut self, enterprise: &str, after: i64, limit: u32) -> Result<Vec<PushRow>>;

    // ---- web accounts ----
    /// Inserts or replaces the password of a principal.
    async fn upsert_password(&mut self, principal: &Principal, hash: &str, at: Millis) -> Result<()>;
    async fn password_hash(&mut self, principal: &Principal) -> Result<Option<String>>;
    async fn insert_session(&mut self, s: &SessionRow) -> Result<()>;
    async fn session(&mut self, token_hash: &str) -> Result<Option<SessionRow>>;
    /// Deletes the sessions that expired at or before `at`; how many.
    async fn delete_expired_sessions(&mut self, at: Millis) -> Result<u64>;
    async fn delete_session(&mut self, token_hash: &str) -> Result<()>;

    // ---- traffic statistics ----
    /// Adds a processed message's rows to the hourly aggregates: SQLite
    /// keeps them for the end of the group commit, PostgreSQL writes them.
    async fn add_traffic(&mut self, batch: crate::traffic::Batch) -> Result<()>;
}

/// Drives a future that cannot suspend (the SQLite primitives) to its end
/// with one poll.
pub(crate) fn now<T>(fut: impl Future<Output = Result<T>>) -> Result<T> {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(r) => r,
        Poll::Pending => Err(StoreError::Backend("a SQLite operation suspended unexpectedly".into())),
    }
}

// ---- audit ---------------------------------------------------------------------

/// One audit entry to append: what changed, with snapshots.
pub(crate) struct Change {
    pub action: String,
    pub entity: &'static str,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    fn new(action: &str, entity: &'static str, entity_id: &str, before: Option<Value>, after: Option<Value>) -> Self {
        Change { action: action.to_string(), entity, entity_id: entity_id.to_string(), before, after }
    }
}

/// Appends one entry to the chain: `seq` and `prev_hash` from the head.
pub(crate) async fn append<D: Db>(db: &mut D, actor: &Actor, change: Change) -> Result<()> {
    let (seq, prev_hash) = db.audit_head().await?;
    let seq = seq + 1;
    let actor_text = actor.principal.to_string();
    let link = Link {
        seq,
        at: actor.at,
        actor: &actor_text,
        action: &change.action,
        entity: change.entity,
        entity_id: &change.entity_id,
        prev_hash: &prev_hash,
    };
    // Written as JSON once, for the hash and the row.
    let before = change.before.as_ref().map(Value::to_string);
    let after = change.after.as_ref().map(Value::to_string);
    let hash = entry_hash_of_json(&link, before.as_deref(), after.as_deref());
    db.insert_audit(&AuditRow { link, before, after, hash }).await
}

/// An audit entry as written: its fields, its snapshots as the JSON text
/// stored (and hashed) and its hash.
pub(crate) struct AuditRow<'a> {
    pub link: Link<'a>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub hash: String,
}

fn not_found(entity: &'static str, id: &str) -> StoreError {
    StoreError::NotFound { entity, id: id.to_string() }
}

// ---- principals ----------------------------------------------------------------

pub(crate) async fn create_officer<D: Db>(
    db: &mut D,
    new: NewOfficer,
    token: NewToken,
    actor: &Actor,
) -> Result<Officer> {
    if db.officer_by_name(&new.name).await?.is_some() {
        return Err(StoreError::Conflict(format!("duplicate: an officer named {:?} already exists", new.name)));
    }
    let officer = Officer { id: new_id(), name: new.name, role: new.role, created_at: actor.at };
    db.insert_officer(&officer).await?;
    append(db, actor, Change::new("officer.create", "officer", &officer.id, None, Some(snapshot(&officer)?))).await?;
    let owner = Principal::Officer(officer.id.clone());
    insert_token(db, NewToken { owner: Some(owner), ..token }, actor).await?;
    Ok(officer)
}

pub(crate) async fn officer<D: Db>(db: &mut D, id: &str) -> Result<Officer> {
    db.officer(id).await?.ok_or_else(|| not_found("officer", id))
}

pub(crate) async fn create_token<D: Db>(db: &mut D, token: NewToken, actor: &Actor) -> Result<ApiToken> {
    match &token.owner {
        None => return Err(StoreError::InvalidState("a token needs an owner".into())),
        Some(Principal::Officer(id)) => {
            officer(db, id).await?;
        }
        Some(Principal::Enterprise(id)) => {
            enterprise(db, id).await?;
        }
        Some(Principal::System(_)) => {}
    }
    insert_token(db, token, actor).await
}

async fn insert_token<D: Db>(db: &mut D, token: NewToken, actor: &Actor) -> Result<ApiToken> {
    let owner = token.owner.ok_or_else(|| StoreError::InvalidState("a token needs an owner".into()))?;
    let t = ApiToken { id: new_id(), owner, label: token.label, created_at: actor.at, revoked_at: None };
    db.insert_token(&t, &token.hash).await?;
    append(db, actor, Change::new("token.create", "token", &t.id, None, Some(snapshot(&t)?))).await?;
    Ok(t)
}

pub(crate) async fn revoke_token<D: Db>(db: &mut D, id: &str, actor: &Actor, at: Millis) -> Result<()> {
    let before = db.token(id).await?.ok_or_else(|| not_found("token", id))?;
    if before.revoked_at.is_some() {
        return Err(StoreError::InvalidState(format!("token {id} is already revoked")));
    }
    db.set_token_revoked(id, at).await?;
    let after = ApiToken { revoked_at: Some(at), ..before.clone() };
    append(db, actor, Change::new("token.revoke", "token", id, Some(snapshot(&before)?), Some(snapshot(&after)?))).await
}

// ---- enterprises ---------------------------------------------------------------

pub(crate) async fn enterprise<D: Db>(db: &mut D, id: &str) -> Result<Enterprise> {
    db.enterprise(id).await?.ok_or_else(|| not_found("enterprise", id))
}

pub(crate) async fn enterprise_versions<D: Db>(db: &mut D, id: &str) -> Result<Vec<EnterpriseVersion>> {
    enterprise(db, id).await?;
    db.versions(id).await
}

pub(crate) async fn enterprise_as_of<D: Db>(db: &mut D, id: &str, at: Millis) -> Result<Option<EnterpriseVersion>> {
    enterprise(db, id).await?;
    db.version_as_of(id, at).await
}

pub(crate) async fn licences<D: Db>(db: &mut D, id: &str) -> Result<Vec<Licence>> {
    enterprise(db, id).await?;
    db.licences(id).await
}

pub(crate) async fn certificates<D: Db>(db: &mut D, id: &str) -> Result<Vec<Certificate>> {
    enterprise(db, id).await?;
    db.certificates(id).await
}

pub(crate) async fn credit_history<D: Db>(db: &mut D, id: &str) -> Result<Vec<CreditChange>> {
    enterprise(db, id).await?;
    db.credit_history(id).await
}

pub(crate) async fn warehouses<D: Db>(db: &mut D, id: &str) -> Result<Vec<OverseasWarehouse>> {
    enterprise(db, id).await?;
    db.warehouses(id).await
}

pub(crate) async fn set_credit_rating<D: Db>(
    db: &mut D,
    id: &str,
    change: NewCreditChange,
    actor: &Actor,
) -> Result<Enterprise> {
    let before = enterprise(db, id).await?;
    let after = Enterprise { credit: change.rating, updated_at: actor.at, ..before.clone() };
    db.update_enterprise(&after).await?;
    let c = CreditChange {
        rating: change.rating,
        reason: change.reason,
        changed_by: actor.principal.clone(),
        at: actor.at,
    };
    db.insert_credit_change(id, &c).await?;
    append(
        db,
        actor,
        Change::new(
            "enterprise.set_credit_rating",
            "enterprise",
            id,
            Some(snapshot(&before)?),
            Some(json!({ "enterprise": snapshot(&after)?, "credit_change": snapshot(&c)? })),
        ),
    )
    .await?;
    Ok(after)
}

pub(crate) async fn revoke_certificate<D: Db>(
    db: &mut D,
    id: &str,
    reason: &str,
    actor: &Actor,
    at: Millis,
) -> Result<Certificate> {
    let before = db.certificate(id).await?.ok_or_else(|| not_found("certificate", id))?;
    if before.revoked_at.is_some() {
        return Err(StoreError::InvalidState(format!("certificate {id} is already revoked")));
    }
    db.set_certificate_revoked(id, at, reason).await?;
    let after = Certificate { revoked_at: Some(at), revoke_reason: Some(reason.to_string()), ..before.clone() };
    append(
        db,
        actor,
        Change::new(
            "certificate.revoke",
            "certificate",
            id,
            Some(certificate_snapshot(&before)?),
            Some(certificate_snapshot(&after)?),
        ),
    )
    .await?;
    Ok(after)
}

/// Conflict if a code of `record` belongs to an enterprise other than
/// `except` (either column: codes are looked up in both).
async fn check_codes<D: Db>(db: &mut D, record: &EnterpriseRecord, except: Option<&str>) -> Result<()> {
    for (what, code) in [("customs code", &record.customs_code), ("USCC", &record.uscc)] {
        if let Some(code) = code
            && let Some(other) = db.enterprise_by_code(code).await?
            && Some(other.id.as_str()) != except
        {
            return Err(StoreError::Conflict(format!(
                "duplicate: {what} {code} is already filed by enterprise {}",
                other.id
            )));
        }
    }
    Ok(())
}

async fn bind_certificate<D: Db>(
    db: &mut D,
    enterprise: &str,
    cert: NewCertificate,
    at: Millis,
) -> Result<Certificate> {
    if let Some(other) = db.certificate_by_fingerprint(&cert.fingerprint).await?
        && other.revoked_at.is_none()
    {
        return Err(StoreError::Conflict(format!(
            "duplicate: certificate {} is already bound to enterprise {}",
            crate::audit::hex(&cert.fingerprint),
            other.enterprise_id
        )));
    }
    let c = Certificate {
        id: new_id(),
        enterprise_id: enterprise.to_string(),
        cert,
        bound_at: at,
        revoked_at: None,
        revoke_reason: None,
    };
    db.insert_certificate(&c).await?;
    Ok(c)
}

/// Adds licences, replacing one of the same kind and number.
async fn put_licences<D: Db>(db: &mut D, enterprise: &str, licences: Vec<NewLicence>, at: Millis) -> Result<()> {
    for licence in licences {
        let existing = db.licences(enterprise).await?;
        if let Some(old) =
            existing.iter().find(|l| l.licence.kind == licence.kind && l.licence.number == licence.number)
        {
            db.delete_licence(&old.id).await?;
        }
        let l = Licence { id: new_id(), enterprise_id: enterprise.to_string(), licence, created_at: at };
        db.insert_licence(&l).await?;
    }
    Ok(())
}

fn certificate_snapshots(certs: &[Certificate]) -> Result<Value> {
    Ok(Value::Array(certs.iter().map(certificate_snapshot).collect::<Result<Vec<_>>>()?))
}

// ---- applications --------------------------------------------------------------

pub(crate) async fn application<D: Db>(db: &mut D, id: &str) -> Result<Application> {
    db.application(id).await?.ok_or_else(|| not_found("application", id))
}

pub(crate) async fn submit_application<D: Db>(db: &mut D, new: NewApplication, actor: &Actor) -> Result<Application> {
    if let Some(e) = &new.enterprise_id {
        enterprise(db, e).await?;
    }
    let a = Application {
        id: new_id(),
        kind: new.kind,
        enterprise_id: new.enterprise_id,
        payload: new.payload,
        state: ApplicationState::Submitted,
        submitted_by: actor.principal.clone(),
        submitted_at: actor.at,
        decided_by: None,
        decided_at: None,
        reason: None,
    };
    db.insert_application(&a).await?;
    append(db, actor, Change::new("application.submit", "application", &a.id, None, Some(snapshot(&a)?))).await?;
    Ok(a)
}

/// Loads a submitted application, or says why it cannot be decided.
async fn open_application<D: Db>(db: &mut D, id: &str, verb: &str) -> Result<Application> {
    let a = application(db, id).await?;
    if a.state != ApplicationState::Submitted {
        return Err(StoreError::InvalidState(format!(
            "application {id} is {}: only a submitted application can be {verb}",
            a.state
        )));
    }
    Ok(a)
}

/// Moves a submitted application to a final state and audits it.
async fn decide<D: Db>(
    db: &mut D,
    before: Application,
    state: ApplicationState,
    reason: Option<String>,
    enterprise_id: Option<Id>,
    actor: &Actor,
    at: Millis,
) -> Result<Application> {
    let after = Application {
        state,
        reason,
        enterprise_id,
        decided_by: Some(actor.principal.clone()),
        decided_at: Some(at),
        ..before.clone()
    };
    db.update_application(&after).await?;
    let action = match state {
        ApplicationState::Approved => "application.approve",
        ApplicationState::Rejected => "application.reject",
        ApplicationState::Withdrawn => "application.withdraw",
        ApplicationState::Submitted => "application.submit",
    };
    append(db, actor, Change::new(action, "application", &after.id, Some(snapshot(&before)?), Some(snapshot(&after)?)))
        .await?;
    Ok(after)
}

pub(crate) async fn withdraw_application<D: Db>(
    db: &mut D,
    id: &str,
    actor: &Actor,
    at: Millis,
) -> Result<Application> {
    let a = open_application(db, id, "withdrawn").await?;
    let enterprise_id = a.enterprise_id.clone();
    decide(db, a, ApplicationState::Withdrawn, None, enterprise_id, actor, at).await
}

pub(crate) async fn reject_application<D: Db>(
    db: &mut D,
    id: &str,
    reason: &str,
    actor: &Actor,
    at: Millis,
) -> Result<Application> {
    let a = open_application(db, id, "rejected").await?;
    let enterprise_id = a.enterprise_id.clone();
    decide(db, a, ApplicationState::Rejected, Some(reason.to_string()), enterprise_id, actor, at).await
}

pub(crate) async fn approve_application<D: Db>(
    db: &mut D,
    id: &str,
    effect: Effect,
    actor: &Actor,
    at: Millis,
) -> Result<Application> {
    let a = open_application(db, id, "approved").await?;
    let enterprise_id = match effect {
        Effect::CreateEnterprise { record, credit, licences, certificates } => {
            if let Some(e) = &a.enterprise_id {
                return Err(StoreError::InvalidState(format!(
                    "application {id} concerns enterprise {e}: it cannot create a new enterprise"
                )));
            }
            check_codes(db, &record, None).await?;
            let e = Enterprise { id: new_id(), version: 1, record, credit, filed_at: at, updated_at: at };
            db.insert_enterprise(&e).await?;
            db.insert_version(&EnterpriseVersion {
                enterprise_id: e.id.clone(),
                version: 1,
                record: e.record.clone(),
                valid_from: at,
                application_id: Some(a.id.clone()),
            })
            .await?;
            let c = CreditChange {
                rating: credit,
                reason: "initial filing".into(),
                changed_by: actor.principal.clone(),
                at,
            };
            db.insert_credit_change(&e.id, &c).await?;
            put_licences(db, &e.id, licences, at).await?;
            for cert in certificates {
                bind_certificate(db, &e.id, cert, at).await?;
            }
            let after = json!({
                "enterprise": snapshot(&e)?,
                "licences": snapshot(&db.licences(&e.id).await?)?,
                "certificates": certificate_snapshots(&db.certificates(&e.id).await?)?,
            });
            append(db, actor, Change::new("enterprise.create", "enterprise", &e.id, None, Some(after))).await?;
            e.id
        }
        Effect::UpdateRecord { record } => {
            let before = concerned(db, &a).await?;
            check_codes(db, &record, Some(&before.id)).await?;
            let after = Enterprise { version: before.version + 1, record, updated_at: at, ..before.clone() };
            db.update_enterprise(&after).await?;
            db.insert_version(&EnterpriseVersion {
                enterprise_id: after.id.clone(),
                version: after.version,
                record: after.record.clone(),
                valid_from: at,
                application_id: Some(a.id.clone()),
            })
            .await?;
            append(
                db,
                actor,
                Change::new(
                    "enterprise.update_record",
                    "enterprise",
                    &after.id,
                    Some(snapshot(&before)?),
                    Some(snapshot(&after)?),
                ),
            )
            .await?;
            after.id
        }
        Effect::BindCertificate { certificate } => {
            let e = concerned(db, &a).await?;
            let c = bind_certificate(db, &e.id, certificate, at).await?;
            append(
                db,
                actor,
                Change::new("certificate.bind", "certificate", &c.id, None, Some(certificate_snapshot(&c)?)),
            )
            .await?;
            e.id
        }
        Effect::UpdateLicences { licences } => {
            let e = concerned(db, &a).await?;
            let before = db.licences(&e.id).await?;
            put_licences(db, &e.id, licences, at).await?;
            let after = db.licences(&e.id).await?;
            append(
                db,
                actor,
                Change::new(
                    "enterprise.update_licences",
                    "enterprise",
                    &e.id,
                    Some(snapshot(&before)?),
                    Some(snapshot(&after)?),
                ),
            )
            .await?;
            e.id
        }
        Effect::AddWarehouse { warehouse } => {
            let e = concerned(db, &a).await?;
            let w = OverseasWarehouse {
                id: new_id(),
                enterprise_id: e.id.clone(),
                warehouse,
                approved_at: at,
                application_id: Some(a.id.clone()),
            };
            db.insert_warehouse(&w).await?;
            append(db, actor, Change::new("warehouse.add", "warehouse", &w.id, None, Some(snapshot(&w)?))).await?;
            e.id
        }
    };
    decide(db, a, ApplicationState::Approved, None, Some(enterprise_id), actor, at).await
}

/// The enterprise an application concerns (every kind but an initial
/// filing).
async fn concerned<D: Db>(db: &mut D, a: &Application) -> Result<Enterprise> {
    match &a.enterprise_id {
        Some(e) => enterprise(db, e).await,
        None => Err(StoreError::InvalidState(format!(
            "application {} names no enterprise: only an initial filing can be approved without one",
            a.id
        ))),
    }
}

// ---- clearance -----------------------------------------------------------------

/// The most rounds of [`Decider::needs`] before a decision is refused (a
/// decider that keeps asking is a bug).
const MAX_ROUNDS: usize = 8;

/// Hex SHA-256.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    crate::audit::hex(&Sha256::digest(bytes))
}

/// One unit of clearance work: the idempotency check, the reads the decider
/// asks for, its decision, and every write, with one audit entry. It may
/// run again on the same work and decider after its transaction was rolled
/// back (the SQLite writer's group commit does so): everything it changes
/// is in the store, and a decider starts over on a fresh snapshot.
pub(crate) async fn process<D: Db>(db: &mut D, work: &Work, decider: &mut dyn Decider) -> Result<Processed> {
    if let Some(m) = &work.message
        && let Some(guid) = &m.guid
        && let Some((message_id, response)) = db.message_by_guid(&m.sender, guid).await?
    {
        return Ok(Processed::Duplicate { message_id, response: response.unwrap_or_default() });
    }
    let mut snapshot = Snapshot::default();
    // What has been looked up already (found or not), so a key that names
    // no document is not asked for again.
    let mut asked = crate::clearance::Needs::default();
    let mut done = false;
    for _ in 0..MAX_ROUNDS {
        let mut needs = decider.needs(&snapshot);
        needs.keys.retain(|k| !asked.keys.contains(k));
        needs.ids.retain(|k| !asked.ids.contains(k));
        needs.quota.retain(|k| !asked.quota.contains(k));
        needs.counters.retain(|k| !asked.counters.contains(k));
        if needs.is_empty() {
            done = true;
            break;
        }
        let mut found = Vec::new();
        if !needs.keys.is_empty() {
            found.extend(db.docs_by_keys(&needs.keys.iter().cloned().collect::<Vec<_>>()).await?);
        }
        if !needs.ids.is_empty() {
            found.extend(db.docs_by_ids(&needs.ids.iter().cloned().collect::<Vec<_>>()).await?);
        }
        for d in found {
            if !snapshot.docs.iter().any(|x| x.id == d.id) {
                snapshot.docs.push(d);
            }
        }
        for id in &needs.ids {
            if !snapshot.docs.iter().any(|d| &d.id == id) {
                return Err(not_found("document", id));
            }
        }
        if !needs.quota.is_empty() {
            let keys: Vec<String> = needs.quota.iter().cloned().collect();
            let sums = db.quota_sums(&keys).await?;
            for k in keys {
                let v = sums.get(&k).copied().unwrap_or(0);
                snapshot.quota.insert(k, v);
            }
        }
        if !needs.counters.is_empty() {
            let names: Vec<String> = needs.counters.iter().cloned().collect();
            let values = db.counters(&names).await?;
            for n in names {
                let v = values.get(&n).copied().unwrap_or(0);
                snapshot.counters.insert(n, v);
            }
        }
        asked.keys.extend(needs.keys);
        asked.ids.extend(needs.ids);
        asked.quota.extend(needs.quota);
        asked.counters.extend(needs.counters);
    }
    if !done {
        return Err(StoreError::Backend("the clearance decision kept asking for more data".into()));
    }
    let outcome = decider.decide(&snapshot)?;
    write_outcome(db, work, &snapshot, outcome).await
}

async fn write_outcome<D: Db>(db: &mut D, work: &Work, snapshot: &Snapshot, out: Outcome) -> Result<Processed> {
    let at = work.actor.at;
    let actor = work.actor.principal.to_string();
    let message_id = work.message.as_ref().map(|m| m.id.clone());
    let mut summary = out.audit_summary.clone();
    let traffic = crate::traffic::of(work, &out);
    if let Some(m) = &work.message {
        db.insert_message(m, out.response.as_deref()).await?;
        if let Some(obj) = summary.as_object_mut() {
            obj.insert("sha256".into(), Value::String(m.sha256().to_string()));
            obj.insert("message_type".into(), Value::String(m.message_type.clone()));
        }
    }
    for d in &out.docs {
        let old = snapshot.docs.iter().find(|x| x.id == d.id);
        // A stored document keeps its parties unless its keys (its facts) changed.
        let parties = if old.is_none_or(|o| o.keys != d.keys) { parties_of(&out, &d.id) } else { Vec::new() };
        db.upsert_doc(d, &parties, old).await?;
    }
    if !out.moves.is_empty() {
        db.insert_moves(&out.moves, &actor, at).await?;
    }
    for q in &out.quota {
        db.insert_quota(q, at).await?;
    }
    if !out.counters.is_empty() {
        db.set_counters(&out.counters).await?;
    }
    let receipts = if out.receipts.is_empty() {
        Vec::new()
    } else {
        db.insert_receipts(&out.receipts, message_id.as_deref(), at).await?
    };
    if let Some(obj) = summary.as_object_mut() {
        obj.insert("receipts".into(), json!(receipts.iter().map(|r| r.id.clone()).collect::<Vec<_>>()));
    }
    append(db, &work.actor, Change::new(out.audit_action, work.entity.0, &work.entity.1, None, Some(summary))).await?;
    if !traffic.is_empty() {
        db.add_traffic(traffic).await?;
    }
    Ok(Processed::Done { response: out.response, receipts, docs: out.docs })
}

/// The enterprise codes a document's receipts go to, as the decision named
/// them (for the party index of document searches).
fn parties_of(out: &Outcome, doc_id: &str) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for r in out.receipts.iter().filter(|r| r.doc_id.as_deref() == Some(doc_id)) {
        for c in &r.recipients {
            if !codes.contains(c) {
                codes.push(c.clone());
            }
        }
    }
    if let Some(d) = out.docs.iter().find(|d| d.id == doc_id)
        && !codes.contains(&d.sender)
    {
        codes.push(d.sender.clone());
    }
    codes
}

pub(crate) async fn message<D: Db>(db: &mut D, id: &str) -> Result<StoredMessage> {
    db.message(id).await?.ok_or_else(|| not_found("message", id))
}

pub(crate) async fn document<D: Db>(db: &mut D, id: &str) -> Result<DocRow> {
    db.docs_by_ids(&[id.to_string()]).await?.into_iter().next().ok_or_else(|| not_found("document", id))
}

pub(crate) async fn ack_receipts<D: Db>(db: &mut D, enterprise: &str, seq: i64, actor: &Actor) -> Result<i64> {
    let current = db.acked(enterprise).await?;
    if seq < current {
        return Err(StoreError::InvalidState(format!(
            "receipts are already acknowledged up to {current}; a cursor cannot move back"
        )));
    }
    if seq > current {
        db.set_acked(enterprise, seq, actor.at).await?;
    }
    Ok(seq)
}

pub(crate) async fn set_webhook<D: Db>(
    db: &mut D,
    enterprise: &str,
    hook: Option<Webhook>,
    actor: &Actor,
) -> Result<()> {
    let e = crate::ops::enterprise(db, enterprise).await?;
    let codes: Vec<String> = [e.record.customs_code.clone(), e.record.uscc.clone()].into_iter().flatten().collect();
    let before = db.webhook(enterprise).await?.map(|h| json!({"url": h.url}));
    db.set_webhook(enterprise, hook.as_ref(), &codes).await?;
    let after = hook.as_ref().map(|h| json!({"url": h.url}));
    let action = if hook.is_some() { "webhook.set" } else { "webhook.remove" };
    append(db, actor, Change::new(action, "enterprise", enterprise, before, after)).await
}

pub(crate) async fn claim_mode<D: Db>(db: &mut D, mode: crate::StoreMode, actor: &Actor) -> Result<crate::StoreMode> {
    if let Some(set) = db.store_mode().await? {
        return crate::StoreMode::parse(&set)
            .ok_or_else(|| StoreError::Backend(format!("the store_mode table holds an unknown mode {set:?}")));
    }
    db.set_store_mode(mode.name(), actor.at).await?;
    append(db, actor, Change::new("store.mode", "store", "store", None, Some(json!({"mode": mode.name()})))).await?;
    Ok(mode)
}

pub(crate) async fn import_refdata<D: Db>(
    db: &mut D,
    new: crate::NewRefdata,
    actor: &Actor,
) -> Result<crate::RefdataVersion> {
    let v = crate::RefdataVersion {
        id: crate::new_id(),
        version: db.refdata_next_version(&new.kind).await?,
        kind: new.kind,
        effective_from: new.effective_from,
        imported_at: actor.at,
        imported_by: actor.principal.to_string(),
        sha256: sha256_hex(new.content.as_bytes()),
        rows: new.rows,
        source: new.source,
    };
    db.insert_refdata(&v, &new.content).await?;
    let summary = json!({"kind": v.kind, "version": v.version, "effective_from": v.effective_from, "rows": v.rows, "sha256": v.sha256});
    append(db, actor, Change::new("refdata.import", "refdata", &v.id, None, Some(summary))).await?;
    Ok(v)
}

pub(crate) async fn refdata_content<D: Db>(db: &mut D, id: &str) -> Result<String> {
    db.refdata_content(id).await?.ok_or_else(|| not_found("refdata", id))
}

// ---- risk rule sets -------------------------------------------------------------

pub(crate) async fn put_rule_set<D: Db>(
    db: &mut D,
    version: &str,
    rules: i64,
    content: &str,
    actor: &Actor,
) -> Result<RuleSetRow> {
    if version.trim().is_empty() {
        return Err(StoreError::InvalidState("a rule set needs a version".into()));
    }
    if rules < 0 {
        return Err(StoreError::InvalidState(format!("rule set {version}: a negative number of rules ({rules})")));
    }
    if db.rule_set_by_version(version).await?.is_some() {
        return Err(StoreError::Conflict(format!(
            "duplicate: a rule set with version {version:?} already exists; bump the version of the file"
        )));
    }
    let r = RuleSetRow {
        id: new_id(),
        version: version.to_string(),
        sha256: sha256_hex(content.as_bytes()),
        rules,
        status: RuleSetRow::DRAFT.into(),
        uploaded_by: actor.principal.to_string(),
        uploaded_at: actor.at,
        decided_by: None,
        decided_at: None,
        note: None,
    };
    db.insert_rule_set(&r, content).await?;
    append(db, actor, Change::new("rule_set.upload", "rule_set", &r.id, None, Some(snapshot(&r)?))).await?;
    Ok(r)
}

async fn rule_set_row<D: Db>(db: &mut D, id: &str) -> Result<RuleSetRow> {
    db.rule_set(id).await?.ok_or_else(|| not_found("rule_set", id))
}

async fn with_content<D: Db>(db: &mut D, r: RuleSetRow) -> Result<(RuleSetRow, String)> {
    let content = db.rule_set_content(&r.id).await?.ok_or_else(|| not_found("rule_set", &r.id))?;
    Ok((r, content))
}

pub(crate) async fn rule_set<D: Db>(db: &mut D, id: &str) -> Result<(RuleSetRow, String)> {
    let r = rule_set_row(db, id).await?;
    with_content(db, r).await
}

pub(crate) async fn active_rule_set<D: Db>(db: &mut D) -> Result<Option<(RuleSetRow, String)>> {
    match db.active_rule_set().await? {
        Some(r) => with_content(db, r).await.map(Some),
        None => Ok(None),
    }
}

/// Approves or rejects a draft (four eyes); approving retires the rule set
/// active until then.
pub(crate) async fn decide_rule_set<D: Db>(
    db: &mut D,
    id: &str,
    approve: bool,
    note: &str,
    actor: &Actor,
) -> Result<RuleSetRow> {
    let before = rule_set_row(db, id).await?;
    if before.status != RuleSetRow::DRAFT {
        return Err(StoreError::InvalidState(format!(
            "rule set {} is {}: only a draft can be approved or rejected",
            before.version, before.status
        )));
    }
    let decider = actor.principal.to_string();
    if decider == before.uploaded_by {
        return Err(StoreError::InvalidState(
            "the uploader may not approve their own rule set (nor reject it): another principal must decide".into(),
        ));
    }
    let status = if approve { RuleSetRow::ACTIVE } else { RuleSetRow::REJECTED };
    let after = RuleSetRow {
        status: status.into(),
        decided_by: Some(decider),
        decided_at: Some(actor.at),
        note: Some(note.trim()).filter(|n| !n.is_empty()).map(str::to_string),
        ..before.clone()
    };
    if approve && let Some(old) = db.active_rule_set().await? {
        let retired = RuleSetRow { status: RuleSetRow::RETIRED.into(), ..old.clone() };
        db.update_rule_set(&retired).await?;
        append(
            db,
            actor,
            Change::new("rule_set.retire", "rule_set", &old.id, Some(snapshot(&old)?), Some(snapshot(&retired)?)),
        )
        .await?;
    }
    db.update_rule_set(&after).await?;
    let action = if approve { "rule_set.activate" } else { "rule_set.reject" };
    append(db, actor, Change::new(action, "rule_set", id, Some(snapshot(&before)?), Some(snapshot(&after)?))).await?;
    Ok(after)
}

// ---- monitoring records --------------------------------------------------------

/// Inserts (`expected: None`) or replaces (the stored version must be
/// `expected`) a monitoring record, with its audit entry.
pub(crate) async fn put_monitoring<D: Db>(
    db: &mut D,
    row: MonitoringRow,
    expected: Option<i64>,
    action: &str,
    summary: Value,
    actor: &Actor,
) -> Result<MonitoringRow> {
    if action.trim().is_empty() {
        return Err(StoreError::InvalidState(format!("monitoring record {}: a change needs an audit action", row.id)));
    }
    if let Err(e) = from_json::<Value>(&row.body) {
        return Err(StoreError::InvalidState(format!("monitoring record {}: the body is not JSON ({e})", row.id)));
    }
    let (row, before) = match expected {
        None => {
            if db.monitoring_record(&row.id).await?.is_some() {
                return Err(StoreError::Conflict(format!("duplicate: a monitoring record {} already exists", row.id)));
            }
            db.insert_monitoring(&row).await?;
            (row, None)
        }
        Some(expected) => {
            if row.version <= expected {
                return Err(StoreError::InvalidState(format!(
                    "monitoring record {}: the new version {} must be greater than the expected version {expected}",
                    row.id, row.version
                )));
            }
            let stored = db.monitoring_record(&row.id).await?.ok_or_else(|| not_found("monitoring", &row.id))?;
            if stored.version != expected {
                return Err(stale(stored.version, expected));
            }
            if stored.kind != row.kind {
                return Err(StoreError::InvalidState(format!(
                    "monitoring record {} is a {}: its kind cannot change to {}",
                    row.id, stored.kind, row.kind
                )));
            }
            let row = MonitoringRow { created_at: stored.created_at, ..row };
            if db.update_monitoring(&row, expected).await? != 1 {
                return Err(stale(stored.version, expected));
            }
            (row, Some(json!({"state": stored.state, "version": stored.version})))
        }
    };
    let mut after = match summary {
        Value::Object(map) => map,
        Value::Null => serde_json::Map::new(),
        other => serde_json::Map::from_iter([("summary".to_string(), other)]),
    };
    after.insert("kind".into(), json!(row.kind));
    after.insert("enterprise".into(), json!(row.enterprise));
    after.insert("state".into(), json!(row.state));
    after.insert("version".into(), json!(row.version));
    append(db, actor, Change::new(action, "monitoring", &row.id, before, Some(Value::Object(after)))).await?;
    Ok(row)
}

/// A new version of a monitoring record and the rating change it decides,
/// together.
pub(crate) async fn put_monitoring_with_rating<D: Db>(
    db: &mut D,
    row: MonitoringRow,
    expected: i64,
    action: &str,
    summary: Value,
    rating: crate::RatingChange,
    actor: &Actor,
) -> Result<(MonitoringRow, Enterprise)> {
    let e = enterprise(db, &rating.enterprise).await?;
    if e.credit != rating.from {
        return Err(StoreError::InvalidState(format!(
            "enterprise {} is rated {} now, not {}: the change no longer fits its record",
            e.id, e.credit, rating.from
        )));
    }
    let row = put_monitoring(db, row, Some(expected), action, summary, actor).await?;
    let e = set_credit_rating(db, &rating.enterprise, rating.change, actor).await?;
    Ok((row, e))
}

fn stale(stored: i64, expected: i64) -> StoreError {
    StoreError::Conflict(format!("stale version: stored {stored}, expected {expected}; reload and retry"))
}

pub(crate) async fn monitoring_record<D: Db>(db: &mut D, id: &str) -> Result<MonitoringRow> {
    db.monitoring_record(id).await?.ok_or_else(|| not_found("monitoring", id))
}

pub(crate) async fn repush<D: Db>(db: &mut D, enterprise: &str, after: i64, actor: &Actor) -> Result<u64> {
    if db.webhook(enterprise).await?.is_none() {
        return Err(StoreError::InvalidState(format!("enterprise {enterprise} has no webhook")));
    }
    let n = db.repush(enterprise, after, actor.at).await?;
    append(
        db,
        actor,
        Change::new("webhook.repush", "enterprise", enterprise, None, Some(json!({"after": after, "queued": n}))),
    )
    .await?;
    Ok(n)
}

// ---- web accounts ----------------------------------------------------------------

pub(crate) async fn set_password<D: Db>(db: &mut D, principal: &Principal, hash: &str, actor: &Actor) -> Result<()> {
    match principal {
        Principal::Officer(id) => {
            officer(db, id).await?;
        }
        Principal::Enterprise(id) => {
            enterprise(db, id).await?;
        }
        Principal::System(_) => {
            return Err(StoreError::InvalidState(format!("{principal} cannot have a web password")));
        }
    }
    if !hash.starts_with('$') {
        return Err(StoreError::InvalidState("a password must be stored as a PHC hash string".into()));
    }
    let replaced = db.password_hash(principal).await?.is_some();
    db.upsert_password(principal, hash, actor.at).await?;
    let who = principal.to_string();
    let after = json!({"principal": who, "set_at": actor.at, "replaced": replaced});
    append(db, actor, Change::new("password.set", "web_password", &who, None, Some(after))).await
}

pub(crate) async fn create_session<D: Db>(db: &mut D, new: NewSession) -> Result<SessionRow> {
    if new.expires_at <= new.created_at {
        return Err(StoreError::InvalidState("a session must expire after it is created".into()));
    }
    let row = SessionRow {
        token_hash: new.token_hash,
        principal: new.principal,
        csrf: new.csrf,
        created_at: new.created_at,
        expires_at: new.expires_at,
        last_seen: new.created_at,
    };
    db.insert_session(&row).await?;
    let actor = Actor { principal: row.principal.clone(), at: row.created_at };
    let who = row.principal.to_string();
    let after = json!({"principal": who, "expires_at": row.expires_at});
    append(db, &actor, Change::new("session.create", "web_session", &who, None, Some(after))).await?;
    Ok(row)
}

/// Removes expired sessions, with one audit entry naming how many (none
/// when there were none).
pub(crate) async fn delete_expired_sessions<D: Db>(db: &mut D, actor: &Actor) -> Result<u64> {
    let removed = db.delete_expired_sessions(actor.at).await?;
    if removed > 0 {
        let after = json!({"removed": removed, "expired_by": actor.at});
        append(db, actor, Change::new("session.expire", "web_session", "expired", None, Some(after))).await?;
    }
    Ok(removed)
}

pub(crate) async fn delete_session<D: Db>(db: &mut D, token_hash: &str, at: Millis) -> Result<()> {
    let Some(row) = db.session(token_hash).await? else {
        return Ok(());
    };
    db.delete_session(token_hash).await?;
    let actor = Actor { principal: row.principal.clone(), at };
    let who = row.principal.to_string();
    let before = json!({"principal": who, "created_at": row.created_at, "expires_at": row.expires_at});
    append(db, &actor, Change::new("session.delete", "web_session", &who, Some(before), None)).await
}
