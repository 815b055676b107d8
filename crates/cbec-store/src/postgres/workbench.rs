//! PostgreSQL reads and writes of the officers' workbench: the hourly
//! traffic aggregates (one upsert per message's transaction), bounded
//! counts and keyset pages of documents by status, documents by key,
//! enterprises by name. Every query is one index range with a `LIMIT`.

use tokio_postgres::Row;

use super::{PgDb, doc_row, enterprise_row, get};
use crate::codec::cols::{DOCUMENT, ENTERPRISE};
use crate::codec::int;
use crate::traffic::{Batch, Key, Sums, TrafficRow, row};
use crate::{DocRow, Enterprise, Id, Millis, Result};

/// Adds a batch to `traffic_hourly` in one upsert over arrays.
pub(super) async fn flush_traffic(db: &PgDb<'_>, batch: &Batch) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let n = batch.0.len();
    let (mut enterprise, mut hour, mut kind, mut message_type, mut mode, mut direction, mut status) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut count, mut latency_n, mut latency_sum, mut latency_max) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for (k, s) in &batch.0 {
        enterprise.push(k.enterprise.as_str());
        hour.push(k.hour);
        kind.push(k.kind.as_str());
        message_type.push(k.message_type.as_str());
        mode.push(k.mode.as_str());
        direction.push(k.direction.as_str());
        status.push(k.return_status.as_str());
        count.push(s.count);
        latency_n.push(s.latency_n);
        latency_sum.push(s.latency_ms_sum);
        latency_max.push(s.latency_ms_max);
    }
    db.exec(
        "INSERT INTO traffic_hourly AS t (enterprise, hour, kind, message_type, mode, direction, return_status, count,
         latency_n, latency_ms_sum, latency_ms_max)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                              $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[])
         ON CONFLICT (enterprise, hour, kind, message_type, mode, direction, return_status) DO UPDATE SET
         count = t.count + excluded.count, latency_n = t.latency_n + excluded.latency_n,
         latency_ms_sum = t.latency_ms_sum + excluded.latency_ms_sum,
         latency_ms_max = GREATEST(t.latency_ms_max, excluded.latency_ms_max)",
        &[
            &enterprise,
            &hour,
            &kind,
            &message_type,
            &mode,
            &direction,
            &status,
            &count,
            &latency_n,
            &latency_sum,
            &latency_max,
        ],
    )
    .await
}

fn traffic_row(r: &Row) -> Result<TrafficRow> {
    let key = Key {
        enterprise: get(r, 0)?,
        hour: get(r, 1)?,
        kind: get(r, 2)?,
        message_type: get(r, 3)?,
        mode: get(r, 4)?,
        direction: get(r, 5)?,
        return_status: get(r, 6)?,
    };
    let sums =
        Sums { count: get(r, 7)?, latency_n: get(r, 8)?, latency_ms_sum: get(r, 9)?, latency_ms_max: get(r, 10)? };
    Ok(row(key, sums))
}

impl PgDb<'_> {
    /// The aggregates of one enterprise (or [`crate::traffic::ALL`]) with
    /// `from <= hour < to`: one range of the primary key.
    pub(super) async fn traffic_rows(&self, enterprise: &str, from: Millis, to: Millis) -> Result<Vec<TrafficRow>> {
        self.all(
            "SELECT enterprise, hour, kind, message_type, mode, direction, return_status, count, latency_n,
             latency_ms_sum, latency_ms_max FROM traffic_hourly WHERE enterprise = $1 AND hour >= $2 AND hour < $3
             ORDER BY hour, kind, message_type, mode, direction, return_status",
            &[&enterprise, &from.0, &to.0],
            traffic_row,
        )
        .await
    }

    /// Documents in a status, counted through the status index up to `cap`.
    pub(super) async fn count_status(&self, status: &str, cap: u32) -> Result<u64> {
        let n: Vec<i64> = self
            .all(
                "SELECT count(*) FROM (SELECT 1 FROM documents WHERE status = $1 LIMIT $2) AS s",
                &[&status, &int(cap)],
                |r| get(r, 0),
            )
            .await?;
        Ok(n.first().and_then(|n| u64::try_from(*n).ok()).unwrap_or(0))
    }

    /// A page of documents in a status, most recently updated first, after
    /// the keyset cursor `(updated_at, id)`.
    pub(super) async fn docs_in_status(
        &self,
        status: &str,
        before: Option<&(Millis, Id)>,
        limit: u32,
    ) -> Result<Vec<DocRow>> {
        match before {
            Some((at, id)) => {
                self.all(
                    &format!(
                        "SELECT {DOCUMENT} FROM documents WHERE status = $1 AND (updated_at, id) < ($2, $3)
                         ORDER BY updated_at DESC, id DESC LIMIT $4"
                    ),
                    &[&status, &at.0, &id, &int(limit)],
                    doc_row,
                )
                .await
            }
            None => {
                self.all(
                    &format!(
                        "SELECT {DOCUMENT} FROM documents WHERE status = $1 ORDER BY updated_at DESC, id DESC LIMIT $2"
                    ),
                    &[&status, &int(limit)],
                    doc_row,
                )
                .await
            }
        }
    }

    /// Documents holding any of the keys, newest first, at most `limit`.
    pub(super) async fn docs_by_keys_limited(&self, keys: &[String], limit: u32) -> Result<Vec<DocRow>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        self.all(
            &format!(
                "SELECT {DOCUMENT} FROM documents WHERE id IN
                 (SELECT doc_id FROM document_keys WHERE key = ANY($1) ORDER BY doc_id DESC LIMIT $2)
                 ORDER BY id DESC"
            ),
            &[&keys, &int(limit)],
            doc_row,
        )
        .await
    }

    /// Enterprises whose name starts with `prefix` (byte order), by name.
    pub(super) async fn enterprises_named(&self, prefix: &str, limit: u32) -> Result<Vec<Enterprise>> {
        let upper = format!("{prefix}\u{10FFFF}");
        self.all(
            &format!(
                "SELECT {ENTERPRISE} FROM enterprises WHERE name COLLATE \"C\" >= $1 AND name COLLATE \"C\" < $2
                 ORDER BY name COLLATE \"C\", id LIMIT $3"
            ),
            &[&prefix, &upper, &int(limit)],
            enterprise_row,
        )
        .await
    }
}
