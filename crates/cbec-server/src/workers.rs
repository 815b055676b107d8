//! The service's background work: pushing receipts to webhooks, applying
//! passed clearance deadlines, and every minute reloading the reference
//! data and the risk settings (rule set, warnings in force, violations) and
//! removing expired web sessions.
//! [`spawn`] runs them in a loop; [`push_once`] and [`sweep_once`] do one
//! round (tests call them).
//!
//! **Push.** Each enterprise with a webhook gets its receipts one at a
//! time, oldest first (so receipts of one document arrive in order): a JSON
//! POST of the receipt with headers `X-Cbec-Receipt-Id` (stable, for
//! deduplication) and `X-Cbec-Signature: sha256=<hex HMAC-SHA256 of the
//! body under the webhook secret>`. A 2xx answer delivers it; anything else
//! (or no answer within 10 s) is retried with exponential back-off
//! (1 s, 2 s, 4 s, … capped at 10 min) until `push_max_attempts`, then the
//! receipt is dead-lettered and the next one goes. `POST
//! /api/v1/webhook/redeliver` queues receipts again.

use std::time::Duration;

use cbec_store::{Actor, DuePush, Millis, Principal, PushResult};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;

use crate::AppState;

const ROUND: usize = 64;
const TIMEOUT: Duration = Duration::from_secs(10);
const MAX_BACKOFF_MS: i64 = 600_000;

/// HMAC-SHA256 (RFC 2104).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The back-off before attempt `attempts + 1`.
pub fn backoff_ms(attempts: i64) -> i64 {
    let shift = attempts.clamp(0, 20) as u32;
    (1000i64 << shift).min(MAX_BACKOFF_MS)
}

/// Splits `http://host:port/path`.
fn target(url: &str) -> Result<(String, String), String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url} is not an http:// URL"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr = if authority.contains(':') { authority.to_string() } else { format!("{authority}:80") };
    Ok((addr, path.to_string()))
}

/// One POST; `Ok` on a 2xx answer.
async fn post(url: &str, receipt_id: &str, signature: &str, body: Vec<u8>) -> Result<(), String> {
    let (addr, path) = target(url)?;
    let host = addr.clone();
    let attempt = async move {
        let stream = tokio::net::TcpStream::connect(&addr).await.map_err(|e| format!("connect {addr}: {e}"))?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let request = hyper::Request::post(path)
            .header("host", host)
            .header("content-type", "application/json")
            .header("x-cbec-receipt-id", receipt_id)
            .header("x-cbec-signature", signature)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
        let status = response.status();
        let _ = response.into_body().collect().await;
        if status.is_success() { Ok(()) } else { Err(format!("the webhook answered {status}")) }
    };
    tokio::time::timeout(TIMEOUT, attempt).await.map_err(|_| format!("no answer within {}s", TIMEOUT.as_secs()))?
}

async fn deliver(state: AppState, due: DuePush) {
    let r = &due.receipt;
    let body = serde_json::json!({
        "id": r.id,
        "seq": r.seq,
        "message_type": r.message_type,
        "return_status": r.return_status,
        "return_info": r.return_info,
        "business_key": r.business_key,
        "document_id": r.doc_id,
        "issued_at": r.issued_at,
        "xml": r.xml,
    })
    .to_string()
    .into_bytes();
    let signature = format!("sha256={}", hex(&hmac_sha256(due.secret.as_bytes(), &body)));
    let outcome = post(&due.url, &r.id, &signature, body).await;
    let now = state.now();
    let result = match outcome {
        Ok(()) => PushResult::Delivered { at: now },
        Err(error) if due.attempts + 1 >= i64::from(state.config.push_max_attempts) => {
            tracing::warn!(enterprise = %due.enterprise, receipt = %r.id, %error, "receipt dead-lettered");
            PushResult::Dead { at: now, error }
        }
        Err(error) => {
            tracing::info!(enterprise = %due.enterprise, receipt = %r.id, %error, attempts = due.attempts + 1, "push failed");
            PushResult::Retry { next_at: Millis(now.0 + backoff_ms(due.attempts)), error }
        }
    };
    state.metrics.count_push(matches!(result, PushResult::Delivered { .. }));
    if let Err(e) = state.store.record_push(&due.enterprise, r.seq, result).await {
        tracing::error!(error = %e, "cannot record a push attempt");
    }
}

/// One round of pushes (each enterprise's oldest due receipt, in
/// parallel); how many were attempted.
pub async fn push_once(state: &AppState) -> usize {
    let due = match state.store.due_pushes(state.now(), ROUND as u32).await {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the push queue");
            return 0;
        }
    };
    let n = due.len();
    let mut set = JoinSet::new();
    for d in due {
        set.spawn(deliver(state.clone(), d));
    }
    while set.join_next().await.is_some() {}
    n
}

/// Applies passed deadlines; how many documents were looked at.
pub async fn sweep_once(state: &AppState) -> usize {
    match state.pipeline.expire_due(state.now(), 500).await {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(error = %e, "cannot apply clearance deadlines");
            0
        }
    }
}

/// Loads the reference data in force today (a new import, or a version
/// whose effective date has come).
pub async fn load_reference_data(state: &AppState) {
    let d = cbec_clearance::decide::china_date(state.now().0);
    let today = format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]);
    match state.pipeline.load_reference_data(&today).await {
        Ok(b) => tracing::debug!(
            tariff = %b.tariff,
            positive_list = %b.positive_list,
            prohibited = %b.prohibited,
            "reference data in force"
        ),
        Err(e) => tracing::error!(error = %e, "cannot load the reference data"),
    }
}

/// Loads what risk control uses now: the active rule set, the risk
/// warnings in force and the violations on record (warnings expire and
/// start with time, so this runs every minute too).
pub async fn load_risk(state: &AppState) {
    match state.pipeline.load_risk(state.now()).await {
        Ok((version, warnings)) => tracing::debug!(%version, warnings, "risk settings in force"),
        Err(e) => tracing::error!(error = %e, "cannot load the risk settings"),
    }
}

/// Deletes the web sessions that have expired (a signed-out browser's
/// cookie is refused anyway; this keeps the table to live sessions).
pub async fn remove_expired_sessions(state: &AppState) {
    let actor = Actor { principal: Principal::System("workers".into()), at: state.now() };
    match state.store.delete_expired_sessions(&actor).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, "expired web sessions removed"),
        Err(e) => tracing::error!(error = %e, "cannot remove expired web sessions"),
    }
}

/// How often the reference data in force is looked up again.
const REFDATA_EVERY: Duration = Duration::from_secs(60);

/// Runs pushes and deadline sweeps until the runtime stops, and keeps the
/// reference data and the risk settings current.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut refdata_at = std::time::Instant::now();
        loop {
            if refdata_at.elapsed() >= REFDATA_EVERY {
                load_reference_data(&state).await;
                load_risk(&state).await;
                remove_expired_sessions(&state).await;
                refdata_at = std::time::Instant::now();
            }
            let pushed = push_once(&state).await;
            let swept = sweep_once(&state).await;
            if pushed < ROUND && swept == 0 {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex(&mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff_ms(0), 1000);
        assert_eq!(backoff_ms(3), 8000);
        assert_eq!(backoff_ms(40), MAX_BACKOFF_MS);
    }

    #[test]
    fn targets() {
        assert_eq!(target("http://127.0.0.1:9000/hook").ok(), Some(("127.0.0.1:9000".into(), "/hook".into())));
        assert_eq!(target("http://example.com").ok(), Some(("example.com:80".into(), "/".into())));
        assert!(target("https://x").is_err());
    }
}
