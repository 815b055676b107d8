//! The PostgreSQL implementation of [`Store`]: [`PgStore`], for scale-out
//! (`postgres://USER@HOST:PORT/DB`).
//!
//! Connections come from a `deadpool-postgres` pool ([`POOL_SIZE`]), with
//! prepared statements cached per connection.
//!
//! **Writes** run in one `READ COMMITTED` transaction each, whose first
//! statement locks the single row of `audit_head` (`SELECT … FOR UPDATE`).
//! That lock serialises every writer on every server: each transaction
//! appends to the audit chain from the head it locked (`seq + 1`,
//! `prev_hash` = head hash) and moves the head before committing, so the
//! chain can neither fork nor leave a gap, and the uniqueness checks made
//! after the lock see every earlier commit (READ COMMITTED takes a fresh
//! snapshot per statement; a stricter level would instead fail the waiting
//! writer with a serialisation error once the head moved). The unique
//! constraints stay as the last line of defence and map to `Conflict`.
//!
//! **Reads** run in a `READ ONLY, REPEATABLE READ` transaction, so an
//! operation that reads several rows sees one snapshot.
//!
//! **Migrations** (`migrations/postgres/NNNN_verb_noun.sql`) are embedded
//! and applied on open in one transaction under an advisory lock (servers
//! starting together migrate once), recorded with their checksum in
//! `schema_migrations`.
//!
//! The operations themselves are shared with SQLite (`ops`); this module
//! only has the SQL of the row-level primitives.

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Transaction};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{IsolationLevel, NoTls, Row};

use crate::audit::AuditEntry;
use crate::clearance::{
    Decider, DocFilter, DocRow, DuePush, MoveRow, NewMessage, NewReceipt, Processed, PushResult, PushRow, QuotaRow,
    ReceiptRow, StoredMessage, StoredMove, Webhook, Work,
};
use crate::codec::cols::*;
use crate::codec::{
    Migration, check_applied, conflict_message, fingerprint, from_json, int, join_keys, parse_name, parse_principal,
    principal_text, push_columns, same_identity, split_keys, to_json,
};
use crate::ops::{self, Db};
use crate::{
    Actor, ApiToken, Application, ApplicationFilter, Certificate, CreditChange, Effect, Enterprise, EnterpriseVersion,
    Id, Licence, Millis, MonitoringFilter, MonitoringRow, NewApplication, NewCertificate, NewCreditChange, NewLicence,
    NewOfficer, NewRefdata, NewToken, NewWarehouse, Officer, OverseasWarehouse, Page, Principal, RatingChange,
    RefdataVersion, Result, RuleSetRow, Store, StoreError, StoreMode, audit,
};
use std::collections::BTreeMap;

/// The most connections the pool opens.
pub const POOL_SIZE: usize = 16;
/// Key of the advisory lock held while migrating ("cbec" in ASCII).
const MIGRATION_LOCK: i64 = 0x6362_6563;

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_create_principals",
        sql: include_str!("../migrations/postgres/0001_create_principals.sql"),
    },
    Migration {
        version: 2,
        name: "0002_create_filing",
        sql: include_str!("../migrations/postgres/0002_create_filing.sql"),
    },
    Migration {
        version: 3,
        name: "0003_create_audit_log",
        sql: include_str!("../migrations/postgres/0003_create_audit_log.sql"),
    },
    Migration {
        version: 4,
        name: "0004_create_clearance",
        sql: include_str!("../migrations/postgres/0004_create_clearance.sql"),
    },
    Migration {
        version: 5,
        name: "0005_create_store_mode",
        sql: include_str!("../migrations/postgres/0005_create_store_mode.sql"),
    },
    Migration {
        version: 6,
        name: "0006_create_refdata",
        sql: include_str!("../migrations/postgres/0006_create_refdata.sql"),
    },
    Migration {
        version: 7,
        name: "0007_create_risk",
        sql: include_str!("../migrations/postgres/0007_create_risk.sql"),
    },
    Migration {
        version: 8,
        name: "0008_create_web_accounts",
        sql: include_str!("../migrations/postgres/0008_create_web_accounts.sql"),
    },
    Migration {
        version: 9,
        name: "0009_create_workbench",
        sql: include_str!("../migrations/postgres/0009_create_workbench.sql"),
    },
    Migration {
        version: 10,
        name: "0010_index_documents_kind",
        sql: include_str!("../migrations/postgres/0010_index_documents_kind.sql"),
    },
];

/// Opens (migrating) the PostgreSQL store at `url`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(PgStore::open(url).await?))
}

/// The PostgreSQL store: a connection pool.
pub struct PgStore {
    pool: Pool,
}

impl PgStore {
    /// Connects and migrates. The database must exist.
    pub async fn open(url: &str) -> Result<PgStore> {
        let config: tokio_postgres::Config =
            url.parse().map_err(|e| StoreError::BadUrl(format!("{} ({e})", redact(url))))?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(30)))
            .create_timeout(Some(Duration::from_secs(10)))
            .build()
            .map_err(|e| StoreError::Backend(format!("cannot build the PostgreSQL pool: {e}")))?;
        let store = PgStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(|e| StoreError::Backend(format!("no PostgreSQL connection: {e}")))
    }

    async fn migrate(&self) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(pg_err)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version    BIGINT PRIMARY KEY,
                name       TEXT NOT NULL,
                checksum   TEXT NOT NULL,
                applied_at BIGINT NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT
            )",
        )
        .await
        .map_err(pg_err)?;
        let rows = tx
            .query("SELECT version, name, checksum FROM schema_migrations ORDER BY version", &[])
            .await
            .map_err(pg_err)?;
        let applied = rows
            .iter()
            .map(|r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?)))
            .collect::<Result<Vec<(i64, String, String)>>>()?;
        let done = check_applied(MIGRATIONS, &applied)?;
        for m in MIGRATIONS.iter().skip(done) {
            tx.batch_execute(m.sql)
                .await
                .map_err(|e| StoreError::Backend(format!("migration {} failed: {}", m.name, pg_err(e))))?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                &[&m.version, &m.name, &m.checksum()],
            )
            .await
            .map_err(pg_err)?;
        }
        tx.commit().await.map_err(pg_err)
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Unique violations become `Conflict` naming the constraint's meaning;
/// everything else is `Backend`.
fn pg_err(e: tokio_postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        if *db.code() == SqlState::UNIQUE_VIOLATION {
            return StoreError::Conflict(conflict_message(db.constraint().unwrap_or_default()));
        }
        return StoreError::Backend(format!("{}: {}", db.code().code(), db.message()));
    }
    StoreError::Backend(e.to_string())
}

fn get<'r, T: tokio_postgres::types::FromSql<'r>>(r: &'r Row, i: usize) -> Result<T> {
    r.try_get(i).map_err(pg_err)
}

fn limit(page: Page) -> Option<i64> {
    if page.limit == 0 { None } else { Some(int(page.limit)) }
}

// ---- rows ----------------------------------------------------------------------------

fn officer_row(r: &Row) -> Result<Officer> {
    Ok(Officer {
        id: get(r, 0)?,
        name: get(r, 1)?,
        role: parse_name(get::<&str>(r, 2)?)?,
        created_at: Millis(get(r, 3)?),
    })
}

fn token_row(r: &Row) -> Result<ApiToken> {
    Ok(ApiToken {
        id: get(r, 0)?,
        owner: parse_principal(get::<&str>(r, 1)?)?,
        label: get(r, 2)?,
        created_at: Millis(get(r, 3)?),
        revoked_at: get::<Option<i64>>(r, 4)?.map(Millis),
    })
}

fn enterprise_row(r: &Row) -> Result<Enterprise> {
    Ok(Enterprise {
        id: get(r, 0)?,
        version: get(r, 1)?,
        record: from_json(get::<&str>(r, 2)?)?,
        credit: parse_name(get::<&str>(r, 3)?)?,
        filed_at: Millis(get(r, 4)?),
        updated_at: Millis(get(r, 5)?),
    })
}

fn version_row(r: &Row) -> Result<EnterpriseVersion> {
    Ok(EnterpriseVersion {
        enterprise_id: get(r, 0)?,
        version: get(r, 1)?,
        record: from_json(get::<&str>(r, 2)?)?,
        valid_from: Millis(get(r, 3)?),
        application_id: get(r, 4)?,
    })
}

fn credit_row(r: &Row) -> Result<CreditChange> {
    Ok(CreditChange {
        rating: parse_name(get::<&str>(r, 0)?)?,
        reason: get(r, 1)?,
        changed_by: parse_principal(get::<&str>(r, 2)?)?,
        at: Millis(get(r, 3)?),
    })
}

fn licence_row(r: &Row) -> Result<Licence> {
    Ok(Licence {
        id: get(r, 0)?,
        enterprise_id: get(r, 1)?,
        licence: NewLicence {
            kind: parse_name(get::<&str>(r, 2)?)?,
            number: get(r, 3)?,
            issuer: get(r, 4)?,
            scope: get(r, 5)?,
            valid_from: get(r, 6)?,
            valid_to: get(r, 7)?,
        },
        created_at: Millis(get(r, 8)?),
    })
}

fn certificate_row(r: &Row) -> Result<Certificate> {
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

fn warehouse_row(r: &Row) -> Result<OverseasWarehouse> {
    Ok(OverseasWarehouse {
        id: get(r, 0)?,
        enterprise_id: get(r, 1)?,
        warehouse: NewWarehouse {
            name: get(r, 2)?,
            country: get(r, 3)?,
            address: get(r, 4)?,
            area_m2: get(r, 5)?,
            nature: parse_name(get::<&str>(r, 6)?)?,
            document: get(r, 7)?,
            operator: get(r, 8)?,
        },
        approved_at: Millis(get(r, 9)?),
        application_id: get(r, 10)?,
    })
}

fn application_row(r: &Row) -> Result<Application> {
    Ok(Application {
        id: get(r, 0)?,
        kind: parse_name(get::<&str>(r, 1)?)?,
        enterprise_id: get(r, 2)?,
        payload: from_json(get::<&str>(r, 3)?)?,
        state: parse_name(get::<&str>(r, 4)?)?,
        submitted_by: parse_principal(get::<&str>(r, 5)?)?,
        submitted_at: Millis(get(r, 6)?),
        decided_by: get::<Option<&str>>(r, 7)?.map(parse_principal).transpose()?,
        decided_at: get::<Option<i64>>(r, 8)?.map(Millis),
        reason: get(r, 9)?,
    })
}

fn audit_row(r: &Row) -> Result<AuditEntry> {
    let json = |i| -> Result<Option<serde_json::Value>> { get::<Option<&str>>(r, i)?.map(from_json).transpose() };
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

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

/// [`Db`] over one PostgreSQL transaction. In a write transaction it holds
/// the locked chain head, moved by every appended entry.
pub(crate) struct PgDb<'a> {
    tx: &'a Transaction<'a>,
    head: Option<(i64, String)>,
    moved: bool,
}

impl PgDb<'_> {
    async fn all<T>(&self, sql: &str, params: Params<'_>, map: fn(&Row) -> Result<T>) -> Result<Vec<T>> {
        let stmt = self.tx.prepare_cached(sql).await.map_err(pg_err)?;
        let rows = self.tx.query(&stmt, params).await.map_err(pg_err)?;
        rows.iter().map(map).collect()
    }

    async fn opt<T>(&self, sql: &str, params: Params<'_>, map: fn(&Row) -> Result<T>) -> Result<Option<T>> {
        let stmt = self.tx.prepare_cached(sql).await.map_err(pg_err)?;
        let row = self.tx.query_opt(&stmt, params).await.map_err(pg_err)?;
        row.as_ref().map(map).transpose()
    }

    async fn insert_move(&mut self, m: &MoveRow, actor: &str, at: Millis) -> Result<()> {
        self.exec(
            "INSERT INTO document_moves (doc_id, from_status, to_status, event, reason, actor, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&m.doc_id, &m.from, &m.to, &m.event, &m.reason, &actor, &at.0],
        )
        .await
    }

    async fn insert_receipt(&mut self, r: &NewReceipt, message_id: Option<&str>, at: Millis) -> Result<ReceiptRow> {
        let stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO receipts (id, doc_id, message_id, message_type, return_status, return_info, business_key,
                 xml, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq",
            )
            .await
            .map_err(pg_err)?;
        let row = self
            .tx
            .query_one(
                &stmt,
                &[
                    &r.id,
                    &r.doc_id,
                    &message_id,
                    &r.message_type,
                    &r.return_status,
                    &r.return_info,
                    &r.business_key,
                    &r.xml,
                    &at.0,
                ],
            )
            .await
            .map_err(pg_err)?;
        let seq: i64 = get(&row, 0)?;
        if !r.recipients.is_empty() {
            self.exec(
                "INSERT INTO receipt_recipients (code, seq) SELECT c, $2 FROM unnest($1::text[]) AS c ON CONFLICT DO NOTHING",
                &[&r.recipients, &seq],
            )
            .await?;
            self.exec(
                "INSERT INTO push_outbox (enterprise, seq, state, attempts, next_at)
                 SELECT DISTINCT enterprise, $1::bigint, 'pending', 0, $2::bigint FROM webhook_codes WHERE code = ANY($3)
                 ON CONFLICT DO NOTHING",
                &[&seq, &at.0, &r.recipients],
            )
            .await?;
        }
        Ok(ReceiptRow {
            seq,
            id: r.id.clone(),
            doc_id: r.doc_id.clone(),
            message_type: r.message_type.clone(),
            return_status: r.return_status.clone(),
            return_info: r.return_info.clone(),
            business_key: r.business_key.clone(),
            xml: r.xml.clone(),
            issued_at: at,
        })
    }

    async fn set_counter(&mut self, name: &str, value: i64) -> Result<()> {
        self.exec(
            "INSERT INTO counters (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            &[&name, &value],
        )
        .await
    }

    async fn exec(&self, sql: &str, params: Params<'_>) -> Result<()> {
        let stmt = self.tx.prepare_cached(sql).await.map_err(pg_err)?;
        self.tx.execute(&stmt, params).await.map_err(pg_err).map(drop)
    }
}

fn doc_row(r: &Row) -> Result<DocRow> {
    Ok(DocRow {
        id: get(r, 0)?,
        kind: get(r, 1)?,
        status: get(r, 2)?,
        sender: get(r, 3)?,
        business_key: get(r, 4)?,
        keys: split_keys(get::<&str>(r, 5)?),
        deadline: get::<Option<i64>>(r, 6)?.map(Millis),
        created_at: Millis(get(r, 7)?),
        updated_at: Millis(get(r, 8)?),
        message_id: get(r, 9)?,
        body: get(r, 10)?,
    })
}

fn receipt_row(r: &Row) -> Result<ReceiptRow> {
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

fn message_row(r: &Row) -> Result<StoredMessage> {
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

fn move_row(r: &Row) -> Result<StoredMove> {
    Ok(StoredMove {
        seq: get(r, 0)?,
        row: MoveRow { doc_id: get(r, 1)?, from: get(r, 2)?, to: get(r, 3)?, event: get(r, 4)?, reason: get(r, 5)? },
        actor: get(r, 6)?,
        at: Millis(get(r, 7)?),
    })
}

fn push_row(r: &Row) -> Result<PushRow> {
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

fn pair_row(r: &Row) -> Result<(String, i64)> {
    Ok((get(r, 0)?, get(r, 1)?))
}

fn id_row(r: &Row) -> Result<String> {
    get(r, 0)
}

impl Db for PgDb<'_> {
    async fn ping(&mut self) -> Result<()> {
        self.tx.query_one("SELECT 1", &[]).await.map_err(pg_err).map(drop)
    }

    async fn insert_officer(&mut self, o: &Officer) -> Result<()> {
        self.exec(
            "INSERT INTO officers (id, name, role, created_at) VALUES ($1, $2, $3, $4)",
            &[&o.id, &o.name, &o.role.as_str(), &o.created_at.0],
        )
        .await
    }

    async fn officer(&mut self, id: &str) -> Result<Option<Officer>> {
        self.opt(&format!("SELECT {OFFICER} FROM officers WHERE id = $1"), &[&id], officer_row).await
    }

    async fn officer_by_name(&mut self, name: &str) -> Result<Option<Officer>> {
        self.opt(&format!("SELECT {OFFICER} FROM officers WHERE name = $1"), &[&name], officer_row).await
    }

    async fn list_officers(&mut self) -> Result<Vec<Officer>> {
        self.all(&format!("SELECT {OFFICER} FROM officers ORDER BY created_at, id"), &[], officer_row).await
    }

    async fn insert_token(&mut self, t: &ApiToken, hash: &[u8; 32]) -> Result<()> {
        self.exec(
            "INSERT INTO api_tokens (id, owner, hash, label, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&t.id, &principal_text(&t.owner), &&hash[..], &t.label, &t.created_at.0, &t.revoked_at.map(|m| m.0)],
        )
        .await
    }

    async fn token(&mut self, id: &str) -> Result<Option<ApiToken>> {
        self.opt(&format!("SELECT {TOKEN} FROM api_tokens WHERE id = $1"), &[&id], token_row).await
    }

    async fn set_token_revoked(&mut self, id: &str, at: Millis) -> Result<()> {
        self.exec("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1", &[&id, &at.0]).await
    }

    async fn token_by_hash(&mut self, hash: &[u8; 32]) -> Result<Option<ApiToken>> {
        self.opt(
            &format!("SELECT {TOKEN} FROM api_tokens WHERE hash = $1 AND revoked_at IS NULL"),
            &[&&hash[..]],
            token_row,
        )
        .await
    }

    async fn list_tokens(&mut self, owner: &Principal) -> Result<Vec<ApiToken>> {
        self.all(
            &format!("SELECT {TOKEN} FROM api_tokens WHERE owner = $1 ORDER BY created_at, id"),
            &[&principal_text(owner)],
            token_row,
        )
        .await
    }

    async fn insert_enterprise(&mut self, e: &Enterprise) -> Result<()> {
        self.exec(
            "INSERT INTO enterprises (id, version, customs_code, uscc, name, record, credit, filed_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &e.id,
                &e.version,
                &e.record.customs_code,
                &e.record.uscc,
                &e.record.name,
                &to_json(&e.record)?,
                &e.credit.as_str(),
                &e.filed_at.0,
                &e.updated_at.0,
            ],
        )
        .await
    }

    async fn update_enterprise(&mut self, e: &Enterprise) -> Result<()> {
        self.exec(
            "UPDATE enterprises SET version = $2, customs_code = $3, uscc = $4, name = $5, record = $6, credit = $7,
             updated_at = $8 WHERE id = $1",
            &[
                &e.id,
                &e.version,
                &e.record.customs_code,
                &e.record.uscc,
                &e.record.name,
                &to_json(&e.record)?,
                &e.credit.as_str(),
                &e.updated_at.0,
            ],
        )
        .await
    }

    async fn enterprise(&mut self, id: &str) -> Result<Option<Enterprise>> {
        self.opt(&format!("SELECT {ENTERPRISE} FROM enterprises WHERE id = $1"), &[&id], enterprise_row).await
    }

    async fn enterprise_by_code(&mut self, code: &str) -> Result<Option<Enterprise>> {
        self.opt(
            &format!(
                "SELECT {ENTERPRISE} FROM enterprises WHERE customs_code = $1 OR uscc = $1 ORDER BY filed_at, id LIMIT 1"
            ),
            &[&code],
            enterprise_row,
        )
        .await
    }

    async fn list_enterprises(&mut self, page: Page) -> Result<Vec<Enterprise>> {
        self.all(
            &format!("SELECT {ENTERPRISE} FROM enterprises ORDER BY filed_at, id LIMIT $1 OFFSET $2"),
            &[&limit(page), &int(page.offset)],
            enterprise_row,
        )
        .await
    }

    async fn insert_version(&mut self, v: &EnterpriseVersion) -> Result<()> {
        self.exec(
            "INSERT INTO enterprise_versions (enterprise_id, version, record, valid_from, application_id)
             VALUES ($1, $2, $3, $4, $5)",
            &[&v.enterprise_id, &v.version, &to_json(&v.record)?, &v.valid_from.0, &v.application_id],
        )
        .await
    }

    async fn versions(&mut self, enterprise: &str) -> Result<Vec<EnterpriseVersion>> {
        self.all(
            &format!("SELECT {VERSION} FROM enterprise_versions WHERE enterprise_id = $1 ORDER BY version"),
            &[&enterprise],
            version_row,
        )
        .await
    }

    async fn version_as_of(&mut self, enterprise: &str, at: Millis) -> Result<Option<EnterpriseVersion>> {
        self.opt(
            &format!(
                "SELECT {VERSION} FROM enterprise_versions WHERE enterprise_id = $1 AND valid_from <= $2
                 ORDER BY version DESC LIMIT 1"
            ),
            &[&enterprise, &at.0],
            version_row,
        )
        .await
    }

    async fn insert_credit_change(&mut self, enterprise: &str, c: &CreditChange) -> Result<()> {
        self.exec(
            "INSERT INTO credit_changes (id, enterprise_id, rating, reason, changed_by, at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&crate::new_id(), &enterprise, &c.rating.as_str(), &c.reason, &principal_text(&c.changed_by), &c.at.0],
        )
        .await
    }

    async fn credit_history(&mut self, enterprise: &str) -> Result<Vec<CreditChange>> {
        self.all(
            &format!("SELECT {CREDIT} FROM credit_changes WHERE enterprise_id = $1 ORDER BY at, id"),
            &[&enterprise],
            credit_row,
        )
        .await
    }

    async fn insert_licence(&mut self, l: &Licence) -> Result<()> {
        let n = &l.licence;
        self.exec(
            "INSERT INTO licences (id, enterprise_id, kind, number, issuer, scope, valid_from, valid_to, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &l.id,
                &l.enterprise_id,
                &n.kind.as_str(),
                &n.number,
                &n.issuer,
                &n.scope,
                &n.valid_from,
                &n.valid_to,
                &l.created_at.0,
            ],
        )
        .await
    }

    async fn delete_licence(&mut self, id: &str) -> Result<()> {
        self.exec("DELETE FROM licences WHERE id = $1", &[&id]).await
    }

    async fn licences(&mut self, enterprise: &str) -> Result<Vec<Licence>> {
        self.all(
            &format!("SELECT {LICENCE} FROM licences WHERE enterprise_id = $1 ORDER BY created_at, id"),
            &[&enterprise],
            licence_row,
        )
        .await
    }

    async fn insert_certificate(&mut self, c: &Certificate) -> Result<()> {
        let n = &c.cert;
        self.exec(
            "INSERT INTO certificates (id, enterprise_id, serial, subject, issuer, not_before, not_after, fingerprint,
             der, bound_at, revoked_at, revoke_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &c.id,
                &c.enterprise_id,
                &n.serial,
                &n.subject,
                &n.issuer,
                &n.not_before.0,
                &n.not_after.0,
                &&n.fingerprint[..],
                &n.der,
                &c.bound_at.0,
                &c.revoked_at.map(|m| m.0),
                &c.revoke_reason,
            ],
        )
        .await
    }

    async fn certificate(&mut self, id: &str) -> Result<Option<Certificate>> {
        self.opt(&format!("SELECT {CERTIFICATE} FROM certificates WHERE id = $1"), &[&id], certificate_row).await
    }

    async fn certificates(&mut self, enterprise: &str) -> Result<Vec<Certificate>> {
        self.all(
            &format!("SELECT {CERTIFICATE} FROM certificates WHERE enterprise_id = $1 ORDER BY bound_at, id"),
            &[&enterprise],
            certificate_row,
        )
        .await
    }

    async fn certificate_by_fingerprint(&mut self, fingerprint: &[u8; 32]) -> Result<Option<Certificate>> {
        self.opt(
            &format!(
                "SELECT {CERTIFICATE} FROM certificates WHERE fingerprint = $1
                 ORDER BY (revoked_at IS NULL) DESC, bound_at DESC, id DESC LIMIT 1"
            ),
            &[&&fingerprint[..]],
            certificate_row,
        )
        .await
    }

    async fn set_certificate_revoked(&mut self, id: &str, at: Millis, reason: &str) -> Result<()> {
        self.exec("UPDATE certificates SET revoked_at = $2, revoke_reason = $3 WHERE id = $1", &[&id, &at.0, &reason])
            .await
    }

    async fn insert_warehouse(&mut self, w: &OverseasWarehouse) -> Result<()> {
        let n = &w.warehouse;
        self.exec(
            "INSERT INTO overseas_warehouses (id, enterprise_id, name, country, address, area_m2, nature, document,
             operator, approved_at, application_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                &w.id,
                &w.enterprise_id,
                &n.name,
                &n.country,
                &n.address,
                &n.area_m2,
                &n.nature.as_str(),
                &n.document,
                &n.operator,
                &w.approved_at.0,
                &w.application_id,
            ],
        )
        .await
    }

    async fn warehouses(&mut self, enterprise: &str) -> Result<Vec<OverseasWarehouse>> {
        self.all(
            &format!("SELECT {WAREHOUSE} FROM overseas_warehouses WHERE enterprise_id = $1 ORDER BY approved_at, id"),
            &[&enterprise],
            warehouse_row,
        )
        .await
    }

    async fn insert_application(&mut self, a: &Application) -> Result<()> {
        self.exec(
            "INSERT INTO applications (id, kind, enterprise_id, payload, state, submitted_by, submitted_at, decided_by,
             decided_at, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &a.id,
                &a.kind.as_str(),
                &a.enterprise_id,
                &to_json(&a.payload)?,
                &a.state.as_str(),
                &principal_text(&a.submitted_by),
                &a.submitted_at.0,
                &a.decided_by.as_ref().map(principal_text),
                &a.decided_at.map(|m| m.0),
                &a.reason,
            ],
        )
        .await
    }

    async fn update_application(&mut self, a: &Application) -> Result<()> {
        self.exec(
            "UPDATE applications SET state = $2, enterprise_id = $3, decided_by = $4, decided_at = $5, reason = $6
             WHERE id = $1",
            &[
                &a.id,
                &a.state.as_str(),
                &a.enterprise_id,
                &a.decided_by.as_ref().map(principal_text),
                &a.decided_at.map(|m| m.0),
                &a.reason,
            ],
        )
        .await
    }

    async fn application(&mut self, id: &str) -> Result<Option<Application>> {
        self.opt(&format!("SELECT {APPLICATION} FROM applications WHERE id = $1"), &[&id], application_row).await
    }

    async fn list_applications(&mut self, filter: &ApplicationFilter) -> Result<Vec<Application>> {
        let state = filter.state.map(|s| s.as_str());
        let kind = filter.kind.map(|k| k.as_str());
        let mut conds = Vec::new();
        let mut params: Vec<&(dyn ToSql + Sync)> = Vec::new();
        if let Some(state) = &state {
            params.push(state);
            conds.push(format!("state = ${}", params.len()));
        }
        if let Some(kind) = &kind {
            params.push(kind);
            conds.push(format!("kind = ${}", params.len()));
        }
        if let Some(e) = &filter.enterprise_id {
            params.push(e);
            conds.push(format!("enterprise_id = ${}", params.len()));
        }
        let wh = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
        let (lim, off) = (limit(filter.page), int(filter.page.offset));
        params.push(&lim);
        params.push(&off);
        let n = params.len();
        let sql = format!(
            "SELECT {APPLICATION} FROM applications {wh} ORDER BY submitted_at, id LIMIT ${} OFFSET ${n}",
            n - 1
        );
        self.all(&sql, &params, application_row).await
    }

    async fn audit_head(&mut self) -> Result<(i64, String)> {
        self.head.clone().ok_or_else(|| StoreError::Backend("audit head read outside a write transaction".into()))
    }

    async fn insert_audit(&mut self, row: &ops::AuditRow<'_>) -> Result<()> {
        let e = &row.link;
        self.exec(
            "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &e.seq,
                &e.at.0,
                &e.actor,
                &e.action,
                &e.entity,
                &e.entity_id,
                &row.before,
                &row.after,
                &e.prev_hash,
                &row.hash,
            ],
        )
        .await?;
        self.head = Some((e.seq, row.hash.clone()));
        self.moved = true;
        Ok(())
    }

    async fn audit_entries(&mut self, after: i64, limit: u32) -> Result<Vec<AuditEntry>> {
        self.all(
            &format!("SELECT {AUDIT} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"),
            &[&after, &int(limit)],
            audit_row,
        )
        .await
    }

    async fn message_by_guid(&mut self, sender: &str, guid: &str) -> Result<Option<(Id, Option<Vec<u8>>)>> {
        let stmt = self
            .tx
            .prepare_cached("SELECT id, response FROM messages WHERE sender = $1 AND guid = $2")
            .await
            .map_err(pg_err)?;
        let row = self.tx.query_opt(&stmt, &[&sender, &guid]).await.map_err(pg_err)?;
        row.map(|r| Ok((get(&r, 0)?, get(&r, 1)?))).transpose()
    }

    async fn insert_message(&mut self, m: &NewMessage, response: Option<&[u8]>) -> Result<()> {
        self.exec(
            "INSERT INTO messages (id, sender, guid, message_type, received_at, sha256, raw, response)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&m.id, &m.sender, &m.guid, &m.message_type, &m.received_at.0, &m.sha256(), &m.raw(), &response],
        )
        .await
    }

    async fn message(&mut self, id: &str) -> Result<Option<StoredMessage>> {
        self.opt(&format!("SELECT {MESSAGE} FROM messages WHERE id = $1"), &[&id], message_row).await
    }

    async fn docs_by_keys(&mut self, keys: &[String]) -> Result<Vec<DocRow>> {
        self.all(
            &format!(
                "SELECT {DOCUMENT} FROM documents WHERE id IN (SELECT doc_id FROM document_keys WHERE key = ANY($1))"
            ),
            &[&keys],
            doc_row,
        )
        .await
        .map(|mut docs| {
            docs.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
            docs
        })
    }

    async fn docs_by_ids(&mut self, ids: &[String]) -> Result<Vec<DocRow>> {
        self.all(
            &format!("SELECT {DOCUMENT} FROM documents WHERE id = ANY($1) ORDER BY created_at, id"),
            &[&ids],
            doc_row,
        )
        .await
    }

    async fn upsert_doc(&mut self, d: &DocRow, parties: &[String], old: Option<&DocRow>) -> Result<()> {
        let keys = join_keys(&d.keys);
        let deadline = d.deadline.map(|m| m.0);
        let new_keys: Vec<String> = match old {
            Some(old) => {
                // The identity columns are set only when they changed, so that
                // their indexes are not rewritten with the same entries.
                if same_identity(old, d) {
                    self.exec(
                        "UPDATE documents SET status = $2, keys = $3, deadline = $4, updated_at = $5, body = $6
                         WHERE id = $1",
                        &[&d.id, &d.status, &keys, &deadline, &d.updated_at.0, &d.body],
                    )
                    .await?;
                } else {
                    self.exec(
                        "UPDATE documents SET kind = $2, status = $3, sender = $4, business_key = $5, keys = $6,
                         deadline = $7, updated_at = $8, body = $9 WHERE id = $1",
                        &[
                            &d.id,
                            &d.kind,
                            &d.status,
                            &d.sender,
                            &d.business_key,
                            &keys,
                            &deadline,
                            &d.updated_at.0,
                            &d.body,
                        ],
                    )
                    .await?;
                }
                let gone: Vec<String> = old.keys.iter().filter(|k| !d.keys.contains(k)).cloned().collect();
                if !gone.is_empty() {
                    // By primary key (key, doc_id): never a scan.
                    self.exec("DELETE FROM document_keys WHERE key = ANY($1) AND doc_id = $2", &[&gone, &d.id]).await?;
                }
                d.keys.iter().filter(|k| !old.keys.contains(k)).cloned().collect()
            }
            None => {
                self.exec(
                    "INSERT INTO documents (id, kind, status, sender, business_key, keys, deadline, created_at,
                     updated_at, message_id, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    &[
                        &d.id,
                        &d.kind,
                        &d.status,
                        &d.sender,
                        &d.business_key,
                        &keys,
                        &deadline,
                        &d.created_at.0,
                        &d.updated_at.0,
                        &d.message_id,
                        &d.body,
                    ],
                )
                .await?;
                d.keys.clone()
            }
        };
        if !new_keys.is_empty() {
            self.exec(
                "INSERT INTO document_keys (key, doc_id) SELECT k, $2 FROM unnest($1::text[]) AS k ON CONFLICT DO NOTHING",
                &[&new_keys, &d.id],
            )
            .await?;
        }
        if !parties.is_empty() {
            self.exec(
                "INSERT INTO document_parties (code, doc_id) SELECT c, $2 FROM unnest($1::text[]) AS c
                 ON CONFLICT DO NOTHING",
                &[&parties, &d.id],
            )
            .await?;
        }
        Ok(())
    }

    async fn list_docs(&mut self, f: &DocFilter) -> Result<Vec<DocRow>> {
        let limit = if f.limit == 0 { 100 } else { int(f.limit) };
        self.all(
            &format!(
                "SELECT {DOCUMENT} FROM documents WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR status = $2)
                 AND ($3::text IS NULL OR business_key = $3)
                 AND ($4::text[] IS NULL OR id IN (SELECT doc_id FROM document_parties WHERE code = ANY($4)))
                 ORDER BY updated_at DESC, id DESC LIMIT $5"
            ),
            &[&f.kind, &f.status, &f.business_key, &f.party, &limit],
            doc_row,
        )
        .await
    }

    async fn due_docs(&mut self, now: Millis, limit: u32) -> Result<Vec<Id>> {
        self.all(
            "SELECT id FROM documents WHERE deadline IS NOT NULL AND deadline <= $1 ORDER BY deadline, id LIMIT $2",
            &[&now.0, &int(limit)],
            id_row,
        )
        .await
    }

    async fn insert_moves(&mut self, moves: &[MoveRow], actor: &str, at: Millis) -> Result<()> {
        for m in moves {
            self.insert_move(m, actor, at).await?;
        }
        Ok(())
    }

    async fn insert_receipts(
        &mut self,
        rs: &[NewReceipt],
        message_id: Option<&str>,
        at: Millis,
    ) -> Result<Vec<ReceiptRow>> {
        let mut out = Vec::with_capacity(rs.len());
        for r in rs {
            out.push(self.insert_receipt(r, message_id, at).await?);
        }
        Ok(out)
    }

    async fn set_counters(&mut self, values: &BTreeMap<String, i64>) -> Result<()> {
        for (name, value) in values {
            self.set_counter(name, *value).await?;
        }
        Ok(())
    }

    async fn moves(&mut self, doc: &str) -> Result<Vec<StoredMove>> {
        self.all(&format!("SELECT {MOVE} FROM document_moves WHERE doc_id = $1 ORDER BY seq"), &[&doc], move_row).await
    }

    async fn receipts_for(&mut self, codes: &[String], after: i64, limit: u32) -> Result<Vec<ReceiptRow>> {
        self.all(
            &format!(
                "SELECT {RECEIPT} FROM receipts WHERE seq IN (
                     SELECT DISTINCT seq FROM receipt_recipients WHERE code = ANY($1) AND seq > $2 ORDER BY seq LIMIT $3)
                 ORDER BY seq"
            ),
            &[&codes, &after, &int(limit)],
            receipt_row,
        )
        .await
    }

    async fn receipts_of_doc(&mut self, doc: &str) -> Result<Vec<ReceiptRow>> {
        self.all(&format!("SELECT {RECEIPT} FROM receipts WHERE doc_id = $1 ORDER BY seq"), &[&doc], receipt_row).await
    }

    async fn quota_sums(&mut self, keys: &[String]) -> Result<BTreeMap<String, i64>> {
        Ok(self
            .all("SELECT key, SUM(fen)::bigint FROM quota_ledger WHERE key = ANY($1) GROUP BY key", &[&keys], pair_row)
            .await?
            .into_iter()
            .collect())
    }

    async fn insert_quota(&mut self, q: &QuotaRow, at: Millis) -> Result<()> {
        self.exec(
            "INSERT INTO quota_ledger (doc_id, key, fen, reason, at) VALUES ($1, $2, $3, $4, $5)",
            &[&q.doc_id, &q.key, &q.fen, &q.reason, &at.0],
        )
        .await
    }

    async fn counters(&mut self, names: &[String]) -> Result<BTreeMap<String, i64>> {
        Ok(self
            .all("SELECT name, value FROM counters WHERE name = ANY($1)", &[&names], pair_row)
            .await?
            .into_iter()
            .collect())
    }

    async fn acked(&mut self, enterprise: &str) -> Result<i64> {
        let stmt =
            self.tx.prepare_cached("SELECT seq FROM receipt_acks WHERE enterprise = $1").await.map_err(pg_err)?;
        let row = self.tx.query_opt(&stmt, &[&enterprise]).await.map_err(pg_err)?;
        Ok(match row {
            Some(r) => get(&r, 0)?,
            None => 0,
        })
    }

    async fn set_acked(&mut self, enterprise: &str, seq: i64, at: Millis) -> Result<()> {
        self.exec(
            "INSERT INTO receipt_acks (enterprise, seq, at) VALUES ($1, $2, $3)
             ON CONFLICT (enterprise) DO UPDATE SET seq = excluded.seq, at = excluded.at",
            &[&enterprise, &seq, &at.0],
        )
        .await
    }

    async fn webhook(&mut self, enterprise: &str) -> Result<Option<Webhook>> {
        self.opt(
            "SELECT enterprise, url, secret, created_at FROM webhooks WHERE enterprise = $1",
            &[&enterprise],
            |r| {
                Ok(Webhook {
                    enterprise: get(r, 0)?,
                    url: get(r, 1)?,
                    secret: get(r, 2)?,
                    created_at: Millis(get(r, 3)?),
                })
            },
        )
        .await
    }

    async fn store_mode(&mut self) -> Result<Option<String>> {
        self.opt("SELECT mode FROM store_mode WHERE id = 1", &[], |r| get(r, 0)).await
    }

    async fn refdata_next_version(&mut self, kind: &str) -> Result<i64> {
        let n: Option<Option<i64>> =
            self.opt("SELECT MAX(version) FROM refdata_versions WHERE kind = $1", &[&kind], |r| get(r, 0)).await?;
        Ok(n.flatten().unwrap_or(0) + 1)
    }

    async fn insert_refdata(&mut self, v: &RefdataVersion, content: &str) -> Result<()> {
        self.exec(
            "INSERT INTO refdata_versions (id, kind, version, effective_from, imported_at, imported_by, sha256, rows, source, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[&v.id, &v.kind, &v.version, &v.effective_from, &v.imported_at.0, &v.imported_by, &v.sha256, &v.rows, &v.source, &content],
        )
        .await?;
        Ok(())
    }

    async fn refdata_versions(&mut self, kind: Option<&str>) -> Result<Vec<RefdataVersion>> {
        self.all(
            "SELECT id, kind, version, effective_from, imported_at, imported_by, sha256, rows, source FROM refdata_versions WHERE $1::TEXT IS NULL OR kind = $1 ORDER BY kind, version",
            &[&kind],
            refdata_row,
        )
        .await
    }

    async fn refdata_active(&mut self, kind: &str, on: &str) -> Result<Option<RefdataVersion>> {
        self.opt(
            "SELECT id, kind, version, effective_from, imported_at, imported_by, sha256, rows, source FROM refdata_versions WHERE kind = $1 AND effective_from <= $2 \
             ORDER BY effective_from DESC, version DESC LIMIT 1",
            &[&kind, &on],
            refdata_row,
        )
        .await
    }

    async fn refdata_content(&mut self, id: &str) -> Result<Option<String>> {
        self.opt("SELECT content FROM refdata_versions WHERE id = $1", &[&id], |r| get(r, 0)).await
    }

    async fn set_store_mode(&mut self, mode: &str, at: Millis) -> Result<()> {
        self.exec("INSERT INTO store_mode (id, mode, set_at) VALUES (1, $1, $2)", &[&mode, &at.0]).await?;
        Ok(())
    }

    async fn insert_rule_set(&mut self, r: &RuleSetRow, content: &str) -> Result<()> {
        self.exec(
            &format!(
                "INSERT INTO rule_sets ({RULE_SET}, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            ),
            &[
                &r.id,
                &r.version,
                &r.sha256,
                &r.rules,
                &r.status,
                &r.uploaded_by,
                &r.uploaded_at.0,
                &r.decided_by,
                &r.decided_at.map(|m| m.0),
                &r.note,
                &content,
            ],
        )
        .await
    }

    async fn update_rule_set(&mut self, r: &RuleSetRow) -> Result<()> {
        self.exec(
            "UPDATE rule_sets SET status = $2, decided_by = $3, decided_at = $4, note = $5 WHERE id = $1",
            &[&r.id, &r.status, &r.decided_by, &r.decided_at.map(|m| m.0), &r.note],
        )
        .await
    }

    async fn rule_set(&mut self, id: &str) -> Result<Option<RuleSetRow>> {
        self.opt(&format!("SELECT {RULE_SET} FROM rule_sets WHERE id = $1"), &[&id], rule_set_row).await
    }

    async fn rule_set_by_version(&mut self, version: &str) -> Result<Option<RuleSetRow>> {
        self.opt(&format!("SELECT {RULE_SET} FROM rule_sets WHERE version = $1"), &[&version], rule_set_row).await
    }

    async fn active_rule_set(&mut self) -> Result<Option<RuleSetRow>> {
        self.opt(&format!("SELECT {RULE_SET} FROM rule_sets WHERE status = 'active'"), &[], rule_set_row).await
    }

    async fn rule_sets(&mut self) -> Result<Vec<RuleSetRow>> {
        self.all(&format!("SELECT {RULE_SET} FROM rule_sets ORDER BY uploaded_at, id"), &[], rule_set_row).await
    }

    async fn rule_set_content(&mut self, id: &str) -> Result<Option<String>> {
        self.opt("SELECT content FROM rule_sets WHERE id = $1", &[&id], |r| get(r, 0)).await
    }

    async fn insert_monitoring(&mut self, m: &MonitoringRow) -> Result<()> {
        self.exec(
            &format!("INSERT INTO monitoring_records ({MONITORING}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"),
            &[&m.id, &m.kind, &m.enterprise, &m.state, &m.version, &m.body, &m.created_at.0, &m.updated_at.0],
        )
        .await
    }

    async fn update_monitoring(&mut self, m: &MonitoringRow, expected: i64) -> Result<u64> {
        let stmt = self
            .tx
            .prepare_cached(
                "UPDATE monitoring_records SET enterprise = $2, state = $3, version = $4, body = $5, updated_at = $6
                 WHERE id = $1 AND version = $7",
            )
            .await
            .map_err(pg_err)?;
        self.tx
            .execute(&stmt, &[&m.id, &m.enterprise, &m.state, &m.version, &m.body, &m.updated_at.0, &expected])
            .await
            .map_err(pg_err)
    }

    async fn monitoring_record(&mut self, id: &str) -> Result<Option<MonitoringRow>> {
        self.opt(&format!("SELECT {MONITORING} FROM monitoring_records WHERE id = $1"), &[&id], monitoring_row).await
    }

    async fn monitoring_records(&mut self, f: &MonitoringFilter) -> Result<Vec<MonitoringRow>> {
        let limit = if f.limit == 0 { None } else { Some(int(f.limit)) };
        self.all(
            &format!(
                "SELECT {MONITORING} FROM monitoring_records
                 WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR enterprise = $2)
                 AND ($3::text IS NULL OR state = $3)
                 ORDER BY {} LIMIT $4",
                if f.newest_first { "created_at DESC, id DESC" } else { "created_at, id" }
            ),
            &[&f.kind, &f.enterprise, &f.state, &limit],
            monitoring_row,
        )
        .await
    }

    async fn set_webhook(&mut self, enterprise: &str, hook: Option<&Webhook>, codes: &[String]) -> Result<()> {
        self.exec("DELETE FROM webhooks WHERE enterprise = $1", &[&enterprise]).await?;
        self.exec("DELETE FROM webhook_codes WHERE enterprise = $1", &[&enterprise]).await?;
        if let Some(h) = hook {
            self.exec(
                "INSERT INTO webhooks (enterprise, url, secret, created_at) VALUES ($1, $2, $3, $4)",
                &[&enterprise, &h.url, &h.secret, &h.created_at.0],
            )
            .await?;
            self.exec(
                "INSERT INTO webhook_codes (code, enterprise) SELECT c, $2 FROM unnest($1::text[]) AS c ON CONFLICT DO NOTHING",
                &[&codes, &enterprise],
            )
            .await?;
        }
        Ok(())
    }

    async fn due_pushes(&mut self, now: Millis, limit: u32) -> Result<Vec<DuePush>> {
        let stmt = self
            .tx
            .prepare_cached(&format!(
                "SELECT o.enterprise, o.attempts, w.url, w.secret, {RECEIPT_R}
                 FROM (SELECT enterprise, MIN(seq) AS seq FROM push_outbox WHERE state = 'pending' GROUP BY enterprise) h
                 JOIN push_outbox o ON o.enterprise = h.enterprise AND o.seq = h.seq
                 JOIN webhooks w ON w.enterprise = o.enterprise
                 JOIN receipts r ON r.seq = o.seq
                 WHERE o.next_at <= $1 ORDER BY o.next_at LIMIT $2"
            ))
            .await
            .map_err(pg_err)?;
        let rows = self.tx.query(&stmt, &[&now.0, &int(limit)]).await.map_err(pg_err)?;
        rows.iter()
            .map(|r| {
                Ok(DuePush {
                    enterprise: get(r, 0)?,
                    attempts: get(r, 1)?,
                    url: get(r, 2)?,
                    secret: get(r, 3)?,
                    receipt: ReceiptRow {
                        seq: get(r, 4)?,
                        id: get(r, 5)?,
                        doc_id: get(r, 6)?,
                        message_type: get(r, 7)?,
                        return_status: get(r, 8)?,
                        return_info: get(r, 9)?,
                        business_key: get(r, 10)?,
                        xml: get(r, 11)?,
                        issued_at: Millis(get(r, 12)?),
                    },
                })
            })
            .collect()
    }

    async fn record_push(&mut self, enterprise: &str, seq: i64, result: &PushResult) -> Result<()> {
        let (state, next_at, error, delivered_at) = push_columns(result);
        self.exec(
            "UPDATE push_outbox SET state = $3, attempts = attempts + 1, next_at = COALESCE($4, next_at),
             last_error = $5, delivered_at = $6 WHERE enterprise = $1 AND seq = $2",
            &[&enterprise, &seq, &state, &next_at, &error, &delivered_at],
        )
        .await
    }

    async fn repush(&mut self, enterprise: &str, after: i64, now: Millis) -> Result<u64> {
        self.exec(
            "INSERT INTO push_outbox (enterprise, seq, state, attempts, next_at)
             SELECT DISTINCT w.enterprise, rr.seq, 'pending', 0, $3::bigint FROM webhook_codes w
             JOIN receipt_recipients rr ON rr.code = w.code WHERE w.enterprise = $1 AND rr.seq > $2
             ON CONFLICT DO NOTHING",
            &[&enterprise, &after, &now.0],
        )
        .await?;
        let stmt = self
            .tx
            .prepare_cached(
                "UPDATE push_outbox SET state = 'pending', attempts = 0, next_at = $3, last_error = NULL,
                 delivered_at = NULL WHERE enterprise = $1 AND seq > $2",
            )
            .await
            .map_err(pg_err)?;
        self.tx.execute(&stmt, &[&enterprise, &after, &now.0]).await.map_err(pg_err)
    }

    async fn pushes(&mut self, enterprise: &str, after: i64, limit: u32) -> Result<Vec<PushRow>> {
        self.all(
            &format!(
                "SELECT {PUSH} FROM push_outbox o JOIN receipts r ON r.seq = o.seq
                 WHERE o.enterprise = $1 AND o.seq > $2 ORDER BY o.seq LIMIT $3"
            ),
            &[&enterprise, &after, &int(limit)],
            push_row,
        )
        .await
    }

    async fn upsert_password(&mut self, principal: &Principal, hash: &str, at: Millis) -> Result<()> {
        self.exec(
            "INSERT INTO web_passwords (principal, hash, set_at) VALUES ($1, $2, $3)
             ON CONFLICT (principal) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at",
            &[&principal_text(principal), &hash, &at.0],
        )
        .await
    }

    async fn password_hash(&mut self, principal: &Principal) -> Result<Option<String>> {
        self.opt("SELECT hash FROM web_passwords WHERE principal = $1", &[&principal_text(principal)], |r| get(r, 0))
            .await
    }

    async fn insert_session(&mut self, s: &crate::SessionRow) -> Result<()> {
        self.exec(
            "INSERT INTO web_sessions (id, principal, csrf, created_at, expires_at, last_seen)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&s.token_hash, &principal_text(&s.principal), &s.csrf, &s.created_at.0, &s.expires_at.0, &s.last_seen.0],
        )
        .await
    }

    async fn session(&mut self, token_hash: &str) -> Result<Option<crate::SessionRow>> {
        self.opt(
            "SELECT id, principal, csrf, created_at, expires_at, last_seen FROM web_sessions WHERE id = $1",
            &[&token_hash],
            |r| {
                Ok(crate::SessionRow {
                    token_hash: get(r, 0)?,
                    principal: parse_principal(get::<&str>(r, 1)?)?,
                    csrf: get(r, 2)?,
                    created_at: Millis(get(r, 3)?),
                    expires_at: Millis(get(r, 4)?),
                    last_seen: Millis(get(r, 5)?),
                })
            },
        )
        .await
    }

    async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        self.exec("DELETE FROM web_sessions WHERE id = $1", &[&token_hash]).await
    }

    async fn delete_expired_sessions(&mut self, at: Millis) -> Result<u64> {
        self.tx.execute("DELETE FROM web_sessions WHERE expires_at <= $1", &[&at.0]).await.map_err(pg_err)
    }

    async fn add_traffic(&mut self, batch: crate::traffic::Batch) -> Result<()> {
        // One message per transaction: its rows in one upsert.
        workbench::flush_traffic(self, &batch).await
    }
}

// ---- transactions ------------------------------------------------------------------------

/// Runs `$op` (an expression using `$db: &mut PgDb`) in a read-only
/// snapshot transaction.
macro_rules! read {
    ($self:ident, |$db:ident| $op:expr) => {{
        let mut client = $self.client().await?;
        let tx = client
            .build_transaction()
            .read_only(true)
            .isolation_level(IsolationLevel::RepeatableRead)
            .start()
            .await
            .map_err(pg_err)?;
        let out = {
            let mut db = PgDb { tx: &tx, head: None, moved: false };
            let $db = &mut db;
            $op.await
        };
        tx.commit().await.map_err(pg_err)?;
        out
    }};
}

/// Runs `$op` in a write transaction holding the chain head lock, moving
/// the head and committing if it succeeds, rolling back otherwise.
macro_rules! write {
    ($self:ident, |$db:ident| $op:expr) => {{
        let mut client = $self.client().await?;
        let tx =
            client.build_transaction().isolation_level(IsolationLevel::ReadCommitted).start().await.map_err(pg_err)?;
        let head = tx.query_one("SELECT seq, hash FROM audit_head WHERE id FOR UPDATE", &[]).await.map_err(pg_err)?;
        let head: (i64, String) = (get(&head, 0)?, get(&head, 1)?);
        let (out, moved) = {
            let mut db = PgDb { tx: &tx, head: Some(head), moved: false };
            let $db = &mut db;
            let out = $op.await;
            (out, db.moved.then(|| db.head.clone()).flatten())
        };
        match out {
            Ok(value) => {
                if let Some((seq, hash)) = moved {
                    tx.execute("UPDATE audit_head SET seq = $1, hash = $2 WHERE id", &[&seq, &hash])
                        .await
                        .map_err(pg_err)?;
                }
                tx.commit().await.map_err(pg_err)?;
                Ok(value)
            }
            Err(e) => {
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }};
}

/// Runs `$op` in a write transaction without the chain head lock, for
/// bookkeeping that appends no audit entry (push attempts).
macro_rules! unlocked_write {
    ($self:ident, |$db:ident| $op:expr) => {{
        let mut client = $self.client().await?;
        let tx =
            client.build_transaction().isolation_level(IsolationLevel::ReadCommitted).start().await.map_err(pg_err)?;
        let out = {
            let mut db = PgDb { tx: &tx, head: None, moved: false };
            let $db = &mut db;
            $op.await
        };
        match out {
            Ok(v) => {
                tx.commit().await.map_err(pg_err)?;
                Ok(v)
            }
            Err(e) => {
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }};
}

// ---- the trait ---------------------------------------------------------------------------

#[async_trait::async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<()> {
        let client = self.client().await?;
        client.query_one("SELECT 1", &[]).await.map_err(pg_err).map(drop)
    }

    async fn create_officer(&self, new: NewOfficer, token: NewToken, actor: &Actor) -> Result<Officer> {
        write!(self, |db| ops::create_officer(db, new, token, actor))
    }

    async fn officer(&self, id: &Id) -> Result<Officer> {
        read!(self, |db| ops::officer(db, id))
    }

    async fn officer_by_name(&self, name: &str) -> Result<Option<Officer>> {
        read!(self, |db| db.officer_by_name(name))
    }

    async fn list_officers(&self) -> Result<Vec<Officer>> {
        read!(self, |db| db.list_officers())
    }

    async fn create_token(&self, token: NewToken, actor: &Actor) -> Result<ApiToken> {
        write!(self, |db| ops::create_token(db, token, actor))
    }

    async fn revoke_token(&self, token_id: &Id, actor: &Actor, at: Millis) -> Result<()> {
        write!(self, |db| ops::revoke_token(db, token_id, actor, at))
    }

    async fn token_by_hash(&self, hash: &[u8; 32]) -> Result<Option<ApiToken>> {
        read!(self, |db| db.token_by_hash(hash))
    }

    async fn list_tokens(&self, owner: &Principal) -> Result<Vec<ApiToken>> {
        read!(self, |db| db.list_tokens(owner))
    }

    async fn enterprise(&self, id: &Id) -> Result<Enterprise> {
        read!(self, |db| ops::enterprise(db, id))
    }

    async fn enterprise_by_code(&self, code: &str) -> Result<Option<Enterprise>> {
        read!(self, |db| db.enterprise_by_code(code))
    }

    async fn list_enterprises(&self, page: Page) -> Result<Vec<Enterprise>> {
        read!(self, |db| db.list_enterprises(page))
    }

    async fn enterprise_versions(&self, id: &Id) -> Result<Vec<EnterpriseVersion>> {
        read!(self, |db| ops::enterprise_versions(db, id))
    }

    async fn enterprise_as_of(&self, id: &Id, at: Millis) -> Result<Option<EnterpriseVersion>> {
        read!(self, |db| ops::enterprise_as_of(db, id, at))
    }

    async fn licences(&self, enterprise: &Id) -> Result<Vec<Licence>> {
        read!(self, |db| ops::licences(db, enterprise))
    }

    async fn certificates(&self, enterprise: &Id) -> Result<Vec<Certificate>> {
        read!(self, |db| ops::certificates(db, enterprise))
    }

    async fn certificate_by_fingerprint(&self, sha256: &[u8; 32]) -> Result<Option<Certificate>> {
        read!(self, |db| db.certificate_by_fingerprint(sha256))
    }

    async fn credit_history(&self, enterprise: &Id) -> Result<Vec<CreditChange>> {
        read!(self, |db| ops::credit_history(db, enterprise))
    }

    async fn warehouses(&self, enterprise: &Id) -> Result<Vec<OverseasWarehouse>> {
        read!(self, |db| ops::warehouses(db, enterprise))
    }

    async fn set_credit_rating(&self, enterprise: &Id, change: NewCreditChange, actor: &Actor) -> Result<Enterprise> {
        write!(self, |db| ops::set_credit_rating(db, enterprise, change, actor))
    }

    async fn revoke_certificate(
        &self,
        certificate: &Id,
        reason: &str,
        actor: &Actor,
        at: Millis,
    ) -> Result<Certificate> {
        write!(self, |db| ops::revoke_certificate(db, certificate, reason, actor, at))
    }

    async fn submit_application(&self, new: NewApplication, actor: &Actor) -> Result<Application> {
        write!(self, |db| ops::submit_application(db, new, actor))
    }

    async fn application(&self, id: &Id) -> Result<Application> {
        read!(self, |db| ops::application(db, id))
    }

    async fn list_applications(&self, filter: ApplicationFilter) -> Result<Vec<Application>> {
        read!(self, |db| db.list_applications(&filter))
    }

    async fn withdraw_application(&self, id: &Id, actor: &Actor, at: Millis) -> Result<Application> {
        write!(self, |db| ops::withdraw_application(db, id, actor, at))
    }

    async fn reject_application(&self, id: &Id, reason: &str, actor: &Actor, at: Millis) -> Result<Application> {
        write!(self, |db| ops::reject_application(db, id, reason, actor, at))
    }

    async fn approve_application(&self, id: &Id, effect: Effect, actor: &Actor, at: Millis) -> Result<Application> {
        write!(self, |db| ops::approve_application(db, id, effect, actor, at))
    }

    async fn audit_entries(&self, after: i64, limit: u32) -> Result<Vec<audit::AuditEntry>> {
        read!(self, |db| db.audit_entries(after, limit))
    }

    async fn process(&self, work: Work, mut decider: Box<dyn Decider>) -> Result<Processed> {
        write!(self, |db| ops::process(db, &work, &mut *decider))
    }

    async fn message(&self, id: &Id) -> Result<StoredMessage> {
        read!(self, |db| ops::message(db, id))
    }

    async fn document(&self, id: &Id) -> Result<DocRow> {
        read!(self, |db| ops::document(db, id))
    }

    async fn documents(&self, filter: DocFilter) -> Result<Vec<DocRow>> {
        read!(self, |db| db.list_docs(&filter))
    }

    async fn document_moves(&self, id: &Id) -> Result<Vec<StoredMove>> {
        read!(self, |db| db.moves(id))
    }

    async fn document_receipts(&self, id: &Id) -> Result<Vec<ReceiptRow>> {
        read!(self, |db| db.receipts_of_doc(id))
    }

    async fn due_documents(&self, at: Millis, limit: u32) -> Result<Vec<Id>> {
        read!(self, |db| db.due_docs(at, limit))
    }

    async fn receipts_for(&self, codes: &[String], after: i64, limit: u32) -> Result<Vec<ReceiptRow>> {
        read!(self, |db| db.receipts_for(codes, after, limit))
    }

    async fn receipt_cursor(&self, enterprise: &Id) -> Result<i64> {
        read!(self, |db| db.acked(enterprise))
    }

    async fn ack_receipts(&self, enterprise: &Id, seq: i64, actor: &Actor) -> Result<i64> {
        write!(self, |db| ops::ack_receipts(db, enterprise, seq, actor))
    }

    async fn quota_used(&self, key: &str) -> Result<i64> {
        let keys = [key.to_string()];
        let sums = read!(self, |db| db.quota_sums(&keys))?;
        Ok(sums.get(key).copied().unwrap_or(0))
    }

    async fn webhook(&self, enterprise: &Id) -> Result<Option<Webhook>> {
        read!(self, |db| db.webhook(enterprise))
    }

    async fn import_refdata(&self, new: NewRefdata, actor: &Actor) -> Result<RefdataVersion> {
        write!(self, |db| ops::import_refdata(db, new, actor))
    }

    async fn refdata_versions(&self, kind: Option<&str>) -> Result<Vec<RefdataVersion>> {
        read!(self, |db| db.refdata_versions(kind))
    }

    async fn refdata_active(&self, kind: &str, on: &str) -> Result<Option<RefdataVersion>> {
        read!(self, |db| db.refdata_active(kind, on))
    }

    async fn refdata_content(&self, id: &Id) -> Result<String> {
        read!(self, |db| ops::refdata_content(db, id))
    }

    async fn put_rule_set(&self, version: &str, rules: i64, content: &str, actor: &Actor) -> Result<RuleSetRow> {
        write!(self, |db| ops::put_rule_set(db, version, rules, content, actor))
    }

    async fn rule_sets(&self) -> Result<Vec<RuleSetRow>> {
        read!(self, |db| db.rule_sets())
    }

    async fn rule_set(&self, id: &Id) -> Result<(RuleSetRow, String)> {
        read!(self, |db| ops::rule_set(db, id))
    }

    async fn decide_rule_set(&self, id: &Id, approve: bool, note: &str, actor: &Actor) -> Result<RuleSetRow> {
        write!(self, |db| ops::decide_rule_set(db, id, approve, note, actor))
    }

    async fn active_rule_set(&self) -> Result<Option<(RuleSetRow, String)>> {
        read!(self, |db| ops::active_rule_set(db))
    }

    async fn put_monitoring(
        &self,
        row: MonitoringRow,
        expected_version: Option<i64>,
        action: &str,
        summary: serde_json::Value,
        actor: &Actor,
    ) -> Result<MonitoringRow> {
        write!(self, |db| ops::put_monitoring(db, row, expected_version, action, summary, actor))
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
        write!(self, |db| ops::put_monitoring_with_rating(db, row, expected_version, action, summary, rating, actor))
    }

    async fn monitoring_records(&self, filter: &MonitoringFilter) -> Result<Vec<MonitoringRow>> {
        read!(self, |db| db.monitoring_records(filter))
    }

    async fn monitoring_record(&self, id: &Id) -> Result<MonitoringRow> {
        read!(self, |db| ops::monitoring_record(db, id))
    }

    async fn claim_mode(&self, mode: StoreMode, actor: &Actor) -> Result<StoreMode> {
        write!(self, |db| ops::claim_mode(db, mode, actor))
    }

    async fn set_webhook(&self, enterprise: &Id, hook: Option<Webhook>, actor: &Actor) -> Result<()> {
        write!(self, |db| ops::set_webhook(db, enterprise, hook, actor))
    }

    async fn due_pushes(&self, at: Millis, limit: u32) -> Result<Vec<DuePush>> {
        read!(self, |db| db.due_pushes(at, limit))
    }

    async fn record_push(&self, enterprise: &Id, seq: i64, result: PushResult) -> Result<()> {
        unlocked_write!(self, |db| db.record_push(enterprise, seq, &result))
    }

    async fn repush(&self, enterprise: &Id, after: i64, actor: &Actor) -> Result<u64> {
        write!(self, |db| ops::repush(db, enterprise, after, actor))
    }

    async fn pushes(&self, enterprise: &Id, after: i64, limit: u32) -> Result<Vec<PushRow>> {
        read!(self, |db| db.pushes(enterprise, after, limit))
    }

    async fn set_password(&self, principal: &Principal, phc_hash: &str, actor: &Actor) -> Result<()> {
        write!(self, |db| ops::set_password(db, principal, phc_hash, actor))
    }

    async fn password_hash(&self, principal: &Principal) -> Result<Option<String>> {
        read!(self, |db| db.password_hash(principal))
    }

    async fn create_session(&self, new: crate::NewSession) -> Result<crate::SessionRow> {
        write!(self, |db| ops::create_session(db, new))
    }

    async fn session(&self, token_hash: &str) -> Result<Option<crate::SessionRow>> {
        read!(self, |db| db.session(token_hash))
    }

    async fn delete_session(&self, token_hash: &str, at: Millis) -> Result<()> {
        write!(self, |db| ops::delete_session(db, token_hash, at))
    }

    async fn delete_expired_sessions(&self, actor: &Actor) -> Result<u64> {
        write!(self, |db| ops::delete_expired_sessions(db, actor))
    }

    async fn recent_receipts_for(&self, codes: &[String], before: Option<i64>, limit: u32) -> Result<Vec<ReceiptRow>> {
        read!(self, |db| db.recent_receipts(codes, before, limit))
    }

    async fn recent_documents_for(
        &self,
        codes: &[String],
        kind: Option<&str>,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DocRow>> {
        read!(self, |db| db.recent_documents(codes, kind, before, limit))
    }
    async fn traffic(&self, enterprise: Option<&Id>, from: Millis, to: Millis) -> Result<Vec<crate::TrafficRow>> {
        let enterprise = enterprise.map_or(crate::traffic::ALL, String::as_str);
        read!(self, |db| db.traffic_rows(enterprise, from, to))
    }

    async fn count_documents(&self, status: &str, cap: u32) -> Result<u64> {
        read!(self, |db| db.count_status(status, cap))
    }

    async fn documents_in_status(&self, status: &str, before: Option<(Millis, Id)>, limit: u32) -> Result<Vec<DocRow>> {
        read!(self, |db| db.docs_in_status(status, before.as_ref(), limit))
    }

    async fn documents_by_keys(&self, keys: &[String], limit: u32) -> Result<Vec<DocRow>> {
        read!(self, |db| db.docs_by_keys_limited(keys, limit))
    }

    async fn enterprises_named(&self, prefix: &str, limit: u32) -> Result<Vec<Enterprise>> {
        read!(self, |db| db.enterprises_named(prefix, limit))
    }
}

// ---- the enterprise portal's pages (newest first, one index range per code) -------------

impl PgDb<'_> {
    async fn recent_receipts(&self, codes: &[String], before: Option<i64>, limit: u32) -> Result<Vec<ReceiptRow>> {
        let mut seqs: Vec<i64> = Vec::new();
        for code in codes {
            seqs.extend(
                self.all(
                    "SELECT seq FROM receipt_recipients WHERE code = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
                    &[code, &before.unwrap_or(i64::MAX), &int(limit)],
                    |r| get::<i64>(r, 0),
                )
                .await?,
            );
        }
        seqs.sort_unstable_by(|a, b| b.cmp(a));
        seqs.dedup();
        seqs.truncate(limit as usize);
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        self.all(
            &format!("SELECT {RECEIPT} FROM receipts WHERE seq = ANY($1) ORDER BY seq DESC"),
            &[&seqs],
            receipt_row,
        )
        .await
    }

    async fn recent_documents(
        &self,
        codes: &[String],
        kind: Option<&str>,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DocRow>> {
        // Walks the (code, doc_id) primary key of the party index downwards,
        // so the newest documents come first without a sort.
        let sql = format!(
            "SELECT p.doc_id FROM document_parties p JOIN documents d ON d.id = p.doc_id
             WHERE p.code = $1 {} AND ($3::text IS NULL OR d.kind = $3) ORDER BY p.doc_id DESC LIMIT $4",
            if before.is_some() { "AND p.doc_id < $2" } else { "AND $2::text IS NULL" },
        );
        let mut ids: Vec<String> = Vec::new();
        for code in codes {
            ids.extend(self.all(&sql, &[code, &before, &kind, &int(limit)], |r| get::<String>(r, 0)).await?);
        }
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.dedup();
        ids.truncate(limit as usize);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.all(&format!("SELECT {DOCUMENT} FROM documents WHERE id = ANY($1) ORDER BY id DESC"), &[&ids], doc_row)
            .await
    }
}

fn refdata_row(r: &Row) -> Result<RefdataVersion> {
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

fn rule_set_row(r: &Row) -> Result<RuleSetRow> {
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

fn monitoring_row(r: &Row) -> Result<MonitoringRow> {
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

mod workbench;

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_not_repeated_in_messages() {
        assert_eq!(redact("postgres://cbec:secret@db:5432/cbec"), "postgres://cbec:***@db:5432/cbec");
        assert_eq!(redact("postgres://cbec@db/cbec"), "postgres://cbec@db/cbec");
    }
}
