//! Accounts of the web interface: a password per officer or enterprise
//! (stored as the PHC string of a password KDF computed by the service; the
//! store never sees a password) and browser sessions, kept under the
//! SHA-256 (hex) of their random token so a copy of the database does not
//! hold a usable session. Neither hashes nor tokens go to the audit log:
//! its entries name the principal and the times only.

use crate::{Millis, Principal};

/// A session to store. `token_hash` is the SHA-256 hex of the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token_hash: String,
    pub principal: Principal,
    /// The form token bound to the session.
    pub csrf: String,
    pub created_at: Millis,
    pub expires_at: Millis,
}

/// A stored session. Expiry is the caller's check (`expires_at`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: String,
    pub principal: Principal,
    pub csrf: String,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub last_seen: Millis,
}
