//! Hourly traffic statistics of intake, for the officers' dashboard and the
//! enterprise view: how many messages and documents arrived per hour, by
//! message type, kind, mode (9610, 1210, 9710, 9810) and direction
//! (import, export), with the `returnStatus` they were answered with, and
//! the latency of intake.
//!
//! Pages must not count the documents or receipts tables (millions of
//! rows), so the writer keeps a small aggregate table, `traffic_hourly`,
//! one row per (enterprise, hour, kind, message type, mode, direction,
//! return status) with a count and latency sums. Each processed message
//! adds its rows to a [`Batch`] in memory ([`of`]): one `message` row, and
//! one row per document the message brought (by its kind, answered with
//! the first receipt the decision issued for it), each twice: under the
//! sending enterprise's id and under [`ALL`]. SQLite merges the batches of
//! the jobs of a group commit that succeeded and writes them with one
//! upsert at the end of the group; PostgreSQL, whose transactions are one
//! message each, upserts at the end of each. Officer actions and deadlines
//! are not intake and add nothing.
//!
//! The store reads no clock: the latency is measured by the caller (the
//! pipeline's decider, from the message's arrival to its decision) and
//! handed over in [`Outcome::traffic`](crate::Outcome); the mode and
//! direction of each document come from there too (the store does not read
//! a decision's documents).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::clearance::{Outcome, Work};
use crate::{Id, Millis};

/// The `enterprise` of the rows that count every enterprise.
pub const ALL: &str = "*";
/// The `kind` of the rows that count messages (the others count documents
/// by their kind: `list`, `order`, …).
pub const MESSAGE: &str = "message";
/// One hour in milliseconds.
pub const HOUR_MS: i64 = 3_600_000;

/// The start of the hour (UTC) a time falls in.
pub fn hour_of(at: Millis) -> Millis {
    Millis(at.0.div_euclid(HOUR_MS) * HOUR_MS)
}

/// Whether a `returnStatus` refuses what it answers: `100` (退单) or a
/// negative code (a refusal with its reason code, e.g. `-621018` for the
/// annual limit).
pub fn is_rejection(return_status: &str) -> bool {
    return_status == "100" || return_status.starts_with('-')
}

/// What a decision tells the statistics about the message it decided.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrafficNote {
    /// Mode and direction of the documents the message brought, by id.
    pub labels: BTreeMap<Id, TrafficLabel>,
    /// Milliseconds from the message's arrival to its decision, as the
    /// caller measured them (`None`: not measured).
    pub latency_ms: Option<i64>,
}

/// The mode and direction of a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrafficLabel {
    /// `9610`, `1210`, `9710`, `9810`, or empty where the kind has none.
    pub mode: String,
    /// `import` or `export`.
    pub direction: String,
}

/// One aggregate row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrafficRow {
    /// The start of the hour (UTC).
    pub hour: Millis,
    /// The sending enterprise's id, or [`ALL`].
    pub enterprise: String,
    /// [`MESSAGE`] or a document kind.
    pub kind: String,
    /// The root of the message received (`CEB621Message`, …, `Unknown`).
    pub message_type: String,
    pub mode: String,
    pub direction: String,
    /// The status or refusal code answered (empty if none was issued).
    pub return_status: String,
    pub count: i64,
    /// How many of `count` had a measured latency, their sum and maximum.
    pub latency_n: i64,
    pub latency_ms_sum: i64,
    pub latency_ms_max: i64,
}

/// The columns that identify a row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key {
    pub enterprise: String,
    pub hour: i64,
    pub kind: String,
    pub message_type: String,
    pub mode: String,
    pub direction: String,
    pub return_status: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Sums {
    pub count: i64,
    pub latency_n: i64,
    pub latency_ms_sum: i64,
    pub latency_ms_max: i64,
}

impl Sums {
    fn add(&mut self, o: Sums) {
        self.count = self.count.saturating_add(o.count);
        self.latency_n = self.latency_n.saturating_add(o.latency_n);
        self.latency_ms_sum = self.latency_ms_sum.saturating_add(o.latency_ms_sum);
        self.latency_ms_max = self.latency_ms_max.max(o.latency_ms_max);
    }
}

/// Rows to add, aggregated in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Batch(pub BTreeMap<Key, Sums>);

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn add(&mut self, key: Key, sums: Sums) {
        self.0.entry(key).or_default().add(sums);
    }

    /// Adds another batch (a job of the same group that succeeded).
    pub fn merge(&mut self, other: Batch) {
        for (k, s) in other.0 {
            self.add(k, s);
        }
    }

    /// The rows to upsert, at most `chunk` per statement.
    pub fn chunks(&self, chunk: usize) -> Vec<Vec<(&Key, &Sums)>> {
        let rows: Vec<(&Key, &Sums)> = self.0.iter().collect();
        rows.chunks(chunk.max(1)).map(<[_]>::to_vec).collect()
    }
}

/// The rows a processed unit of work adds: nothing unless it brought a
/// message.
pub(crate) fn of(work: &Work, out: &Outcome) -> Batch {
    let mut batch = Batch::default();
    let Some(m) = &work.message else {
        return batch;
    };
    let hour = hour_of(m.received_at).0;
    let latency = out.traffic.latency_ms.map(|l| l.max(0));
    let one = Sums {
        count: 1,
        latency_n: i64::from(latency.is_some()),
        latency_ms_sum: latency.unwrap_or(0),
        latency_ms_max: latency.unwrap_or(0),
    };
    let plain = Sums { count: 1, ..Sums::default() };
    // The first receipt the decision issued for each document.
    let first_status = |doc: Option<&str>| {
        out.receipts.iter().find(|r| r.doc_id.as_deref() == doc).map(|r| r.return_status.clone()).unwrap_or_default()
    };
    let mut rows: Vec<(Key, Sums)> = Vec::new();
    let mut message_status: Option<String> = None;
    let (mut message_mode, mut message_direction) = (String::new(), String::new());
    for d in out.docs.iter().filter(|d| d.message_id.as_deref() == Some(m.id.as_str())) {
        let status = first_status(Some(&d.id));
        let label = out.traffic.labels.get(&d.id).cloned().unwrap_or_default();
        if message_mode.is_empty() {
            message_mode.clone_from(&label.mode);
        }
        if message_direction.is_empty() {
            message_direction.clone_from(&label.direction);
        }
        // The message is answered as its worst document: a refusal if any.
        if message_status.is_none() || (is_rejection(&status) && !message_status.as_deref().is_some_and(is_rejection)) {
            message_status = Some(status.clone());
        }
        let key = Key {
            enterprise: String::new(),
            hour,
            kind: d.kind.clone(),
            message_type: m.message_type.clone(),
            mode: label.mode,
            direction: label.direction,
            return_status: status,
        };
        rows.push((key, plain));
    }
    // A message without documents of its own (refused before its documents
    // could be read) is answered by its receipt without a document.
    let message_status = message_status.unwrap_or_else(|| first_status(None));
    rows.push((
        Key {
            enterprise: String::new(),
            hour,
            kind: MESSAGE.into(),
            message_type: m.message_type.clone(),
            mode: message_mode,
            direction: message_direction,
            return_status: message_status,
        },
        one,
    ));
    for (key, sums) in rows {
        batch.add(Key { enterprise: m.sender.clone(), ..key.clone() }, sums);
        batch.add(Key { enterprise: ALL.into(), ..key }, sums);
    }
    batch
}

/// A stored row from its columns.
pub(crate) fn row(key: Key, sums: Sums) -> TrafficRow {
    TrafficRow {
        hour: Millis(key.hour),
        enterprise: key.enterprise,
        kind: key.kind,
        message_type: key.message_type,
        mode: key.mode,
        direction: key.direction,
        return_status: key.return_status,
        count: sums.count,
        latency_n: sums.latency_n,
        latency_ms_sum: sums.latency_ms_sum,
        latency_ms_max: sums.latency_ms_max,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::clearance::{DocRow, NewMessage, NewReceipt};
    use crate::{Actor, Principal};

    fn doc(id: &str, kind: &str, message: Option<&str>) -> DocRow {
        DocRow {
            id: id.into(),
            kind: kind.into(),
            status: "accepted".into(),
            sender: "C1".into(),
            business_key: id.into(),
            keys: vec![],
            deadline: None,
            created_at: Millis(0),
            updated_at: Millis(0),
            message_id: message.map(str::to_string),
            body: "{}".into(),
        }
    }

    fn receipt(doc: Option<&str>, status: &str) -> NewReceipt {
        NewReceipt {
            id: format!("r-{status}"),
            doc_id: doc.map(str::to_string),
            message_type: "CEB622Message".into(),
            return_status: status.into(),
            return_info: String::new(),
            business_key: String::new(),
            xml: String::new(),
            recipients: vec![],
        }
    }

    fn work(message: bool) -> Work {
        Work {
            actor: Actor { principal: Principal::Enterprise("E1".into()), at: Millis(7_200_123) },
            message: message.then(|| {
                NewMessage::new("M1".into(), "E1".into(), None, "CEB621Message".into(), Millis(7_200_123), vec![])
            }),
            entity: ("message", "M1".into()),
        }
    }

    #[test]
    fn a_message_counts_itself_and_its_documents_twice() {
        let mut out = Outcome {
            docs: vec![doc("L1", "list", Some("M1")), doc("L2", "list", Some("M1")), doc("O9", "order", None)],
            receipts: vec![receipt(Some("L1"), "120"), receipt(Some("L1"), "800"), receipt(Some("L2"), "-621018")],
            ..Outcome::default()
        };
        out.traffic.labels.insert("L1".into(), TrafficLabel { mode: "1210".into(), direction: "import".into() });
        out.traffic.latency_ms = Some(40);
        let b = of(&work(true), &out);
        let rows: Vec<TrafficRow> = b.0.into_iter().map(|(k, s)| row(k, s)).collect();
        // (message + 2 lists) × (E1 + *); the order matched by no message is not counted.
        assert_eq!(rows.len(), 6, "{rows:#?}");
        let all_msg = rows.iter().find(|r| r.enterprise == ALL && r.kind == MESSAGE).unwrap();
        assert_eq!((all_msg.hour, all_msg.count, all_msg.latency_ms_sum), (Millis(7_200_000), 1, 40));
        assert_eq!(all_msg.return_status, "-621018", "a message is answered as its worst document");
        assert_eq!(all_msg.mode, "1210");
        let accepted = rows.iter().find(|r| r.enterprise == "E1" && r.return_status == "120").unwrap();
        assert_eq!((accepted.kind.as_str(), accepted.mode.as_str(), accepted.latency_n), ("list", "1210", 0));
        assert!(of(&work(false), &out).is_empty(), "officer actions are not intake");
    }

    #[test]
    fn batches_merge_and_rejections_are_recognised() {
        let out = Outcome { receipts: vec![receipt(None, "-1")], ..Outcome::default() };
        let mut a = of(&work(true), &out);
        a.merge(of(&work(true), &out));
        assert_eq!(a.0.len(), 2);
        assert!(a.0.values().all(|s| s.count == 2));
        assert!(is_rejection("100") && is_rejection("-621005") && !is_rejection("120") && !is_rejection("2"));
        assert_eq!(hour_of(Millis(-1)), Millis(-HOUR_MS));
    }
}
