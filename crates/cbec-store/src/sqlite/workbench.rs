//! SQLite reads and writes of the officers' workbench: the hourly traffic
//! aggregates (written once per group commit), bounded counts and keyset
//! pages of documents by status, documents by key, enterprises by name.
//! Every query is one index range with a `LIMIT`.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params, params_from_iter};

use super::{SqliteDb, doc_row, enterprise_row, get, placeholders, query_all};
use crate::codec::cols::{DOCUMENT, ENTERPRISE};
use crate::codec::int;
use crate::traffic::{Batch, Key, Sums, TrafficRow, row};
use crate::{DocRow, Enterprise, Id, Millis, Result};

/// Rows per upsert statement (11 parameters each, well under SQLite's
/// limit of 32,766).
const CHUNK: usize = 500;

/// Adds a batch to `traffic_hourly`: one upsert per 500 rows (one for any
/// real group).
pub(super) fn flush_traffic(conn: &Connection, batch: &Batch) -> rusqlite::Result<()> {
    for chunk in batch.chunks(CHUNK) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 11;
                format!(
                    "(?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9,
                    b + 10,
                    b + 11
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO traffic_hourly (enterprise, hour, kind, message_type, mode, direction, return_status, count,
             latency_n, latency_ms_sum, latency_ms_max) VALUES {}
             ON CONFLICT (enterprise, hour, kind, message_type, mode, direction, return_status) DO UPDATE SET
             count = count + excluded.count, latency_n = latency_n + excluded.latency_n,
             latency_ms_sum = latency_ms_sum + excluded.latency_ms_sum,
             latency_ms_max = max(latency_ms_max, excluded.latency_ms_max)",
            values.join(", ")
        );
        let mut args: Vec<SqlValue> = Vec::with_capacity(chunk.len() * 11);
        for (k, s) in chunk {
            args.extend([
                SqlValue::Text(k.enterprise.clone()),
                SqlValue::Integer(k.hour),
                SqlValue::Text(k.kind.clone()),
                SqlValue::Text(k.message_type.clone()),
                SqlValue::Text(k.mode.clone()),
                SqlValue::Text(k.direction.clone()),
                SqlValue::Text(k.return_status.clone()),
                SqlValue::Integer(s.count),
                SqlValue::Integer(s.latency_n),
                SqlValue::Integer(s.latency_ms_sum),
                SqlValue::Integer(s.latency_ms_max),
            ]);
        }
        conn.prepare_cached(&sql)?.execute(params_from_iter(args.iter()))?;
    }
    Ok(())
}

impl SqliteDb<'_> {
    /// The aggregates of one enterprise (or [`crate::traffic::ALL`]) with
    /// `from <= hour < to`: one range of the primary key.
    pub(super) fn traffic_rows(&self, enterprise: &str, from: Millis, to: Millis) -> Result<Vec<TrafficRow>> {
        query_all(
            self.conn,
            "SELECT enterprise, hour, kind, message_type, mode, direction, return_status, count, latency_n,
             latency_ms_sum, latency_ms_max FROM traffic_hourly WHERE enterprise = ?1 AND hour >= ?2 AND hour < ?3
             ORDER BY hour, kind, message_type, mode, direction, return_status",
            params![enterprise, from.0, to.0],
            |r| {
                let key = Key {
                    enterprise: get(r, 0)?,
                    hour: get(r, 1)?,
                    kind: get(r, 2)?,
                    message_type: get(r, 3)?,
                    mode: get(r, 4)?,
                    direction: get(r, 5)?,
                    return_status: get(r, 6)?,
                };
                let sums = Sums {
                    count: get(r, 7)?,
                    latency_n: get(r, 8)?,
                    latency_ms_sum: get(r, 9)?,
                    latency_ms_max: get(r, 10)?,
                };
                Ok(row(key, sums))
            },
        )
    }

    /// Documents in a status, counted through the status index up to `cap`.
    pub(super) fn count_status(&self, status: &str, cap: u32) -> Result<u64> {
        let n: i64 = query_all(
            self.conn,
            "SELECT count(*) FROM (SELECT 1 FROM documents WHERE status = ?1 LIMIT ?2)",
            params![status, int(cap)],
            |r| get(r, 0),
        )?
        .into_iter()
        .next()
        .unwrap_or(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// A page of documents in a status, most recently updated first, after
    /// the keyset cursor `(updated_at, id)`.
    pub(super) fn docs_in_status(
        &self,
        status: &str,
        before: Option<&(Millis, Id)>,
        limit: u32,
    ) -> Result<Vec<DocRow>> {
        match before {
            Some((at, id)) => query_all(
                self.conn,
                &format!(
                    "SELECT {DOCUMENT} FROM documents WHERE status = ?1 AND (updated_at, id) < (?2, ?3)
                     ORDER BY updated_at DESC, id DESC LIMIT ?4"
                ),
                params![status, at.0, id, int(limit)],
                doc_row,
            ),
            None => query_all(
                self.conn,
                &format!(
                    "SELECT {DOCUMENT} FROM documents WHERE status = ?1 ORDER BY updated_at DESC, id DESC LIMIT ?2"
                ),
                params![status, int(limit)],
                doc_row,
            ),
        }
    }

    /// Documents holding any of the keys, newest first, at most `limit`.
    pub(super) fn docs_by_keys_limited(&self, keys: &[String], limit: u32) -> Result<Vec<DocRow>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {DOCUMENT} FROM documents WHERE id IN
             (SELECT doc_id FROM document_keys WHERE key IN ({}) ORDER BY doc_id DESC LIMIT ?1)
             ORDER BY id DESC",
            placeholders(keys.len(), 2)
        );
        let mut args: Vec<SqlValue> = vec![SqlValue::Integer(int(limit))];
        args.extend(keys.iter().map(|k| SqlValue::Text(k.clone())));
        query_all(self.conn, &sql, params_from_iter(args.iter()), doc_row)
    }

    /// Enterprises whose name starts with `prefix` (byte order), by name.
    pub(super) fn enterprises_named(&self, prefix: &str, limit: u32) -> Result<Vec<Enterprise>> {
        query_all(
            self.conn,
            &format!("SELECT {ENTERPRISE} FROM enterprises WHERE name >= ?1 AND name < ?2 ORDER BY name, id LIMIT ?3"),
            params![prefix, format!("{prefix}\u{10FFFF}"), int(limit)],
            enterprise_row,
        )
    }
}
