//! Storing the records of quality and safety monitoring (`cbec-monitoring`)
//! through the store's generic monitoring rows: the record as JSON, its
//! kind, state and the enterprise it concerns, written with its audit event
//! under the version it was read at.

use cbec_monitoring::{
    Applied, CreditProposal, Record, RectificationOrder, ReductionOrder, SamplingPlan, TestResult, WarningRecord,
};
use cbec_store::{Actor, Enterprise, MonitoringFilter, MonitoringRow, RatingChange, Store, StoreError};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A monitoring record as the store keeps it.
pub trait Stored: Record + Serialize + DeserializeOwned {
    /// The enterprise it concerns or is addressed to.
    fn enterprise(&self) -> Option<&str>;
}

impl Stored for SamplingPlan {
    fn enterprise(&self) -> Option<&str> {
        self.scope.enterprise.as_deref()
    }
}

impl Stored for TestResult {
    fn enterprise(&self) -> Option<&str> {
        Some(&self.product.enterprise)
    }
}

impl Stored for WarningRecord {
    fn enterprise(&self) -> Option<&str> {
        self.warning.scope.enterprise.as_deref()
    }
}

impl Stored for ReductionOrder {
    fn enterprise(&self) -> Option<&str> {
        Some(&self.enterprise)
    }
}

impl Stored for RectificationOrder {
    fn enterprise(&self) -> Option<&str> {
        Some(&self.enterprise)
    }
}

impl Stored for CreditProposal {
    fn enterprise(&self) -> Option<&str> {
        Some(&self.enterprise)
    }
}

/// The stored state of a record: the tag of its `state` field.
fn state_of(body: &serde_json::Value) -> String {
    match body.get("state") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Object(o)) => match o.get("state") {
            Some(serde_json::Value::String(s)) => s.clone(),
            _ => o.keys().next().cloned().unwrap_or_default(),
        },
        _ => String::new(),
    }
}

/// Writes an applied command (`expected`: the version read, `None` for a
/// new record) with its event as the audit entry; the stored row.
pub async fn save<R: Stored>(
    store: &dyn Store,
    applied: &Applied<R>,
    expected: Option<u32>,
    actor: &Actor,
) -> Result<MonitoringRow, StoreError> {
    let (row, action, summary) = stored(applied, actor)?;
    store.put_monitoring(row, expected.map(i64::from), action, summary, actor).await
}

/// [`save`] of a new version together with the rating change it decides,
/// in one transaction (nothing is written if either fails).
pub async fn save_with_rating<R: Stored>(
    store: &dyn Store,
    applied: &Applied<R>,
    expected: u32,
    rating: RatingChange,
    actor: &Actor,
) -> Result<(MonitoringRow, Enterprise), StoreError> {
    let (row, action, summary) = stored(applied, actor)?;
    store.put_monitoring_with_rating(row, i64::from(expected), action, summary, rating, actor).await
}

/// The row, audit action and audit summary of an applied change.
fn stored<R: Stored>(
    applied: &Applied<R>,
    actor: &Actor,
) -> Result<(MonitoringRow, &'static str, serde_json::Value), StoreError> {
    let r = &applied.record;
    let body = serde_json::to_value(r).map_err(|e| StoreError::Backend(format!("record does not serialise: {e}")))?;
    let row = MonitoringRow {
        id: r.id().to_string(),
        kind: R::KIND.as_str().to_string(),
        enterprise: r.enterprise().map(str::to_string),
        state: state_of(&body),
        version: i64::from(r.version()),
        body: body.to_string(),
        created_at: actor.at,
        updated_at: actor.at,
    };
    let e = &applied.event;
    let summary = serde_json::json!({"summary": e.summary, "version": e.version, "details": e.details});
    Ok((row, e.kind.as_str(), summary))
}

/// Every stored record of kind `R`, or those in `state` (the stored state
/// tag, e.g. `active`).
pub async fn load_all<R: Stored>(store: &dyn Store, state: Option<&str>) -> Result<Vec<R>, StoreError> {
    let filter =
        MonitoringFilter { kind: Some(R::KIND.as_str().into()), state: state.map(str::to_owned), ..Default::default() };
    let rows = store.monitoring_records(&filter).await?;
    rows.iter()
        .map(|row| {
            serde_json::from_str(&row.body)
                .map_err(|e| StoreError::Backend(format!("{} {} does not read: {e}", row.kind, row.id)))
        })
        .collect()
}

/// Reads a stored record of kind `R`.
pub async fn load<R: Stored>(store: &dyn Store, id: &str) -> Result<R, StoreError> {
    let row = store.monitoring_record(&id.to_string()).await?;
    if row.kind != R::KIND.as_str() {
        return Err(StoreError::NotFound { entity: "monitoring record", id: format!("{id} (a {})", row.kind) });
    }
    serde_json::from_str(&row.body).map_err(|e| StoreError::Backend(format!("{} {id} does not read: {e}", row.kind)))
}
