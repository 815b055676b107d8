//! Authentication and the rights of callers.
//!
//! Every API call but the health, metrics and document routes carries
//! `Authorization: Bearer TOKEN`. A token is 32 random bytes in base64url
//! (43 characters, no padding), shown once when it is made; the store keeps
//! only the SHA-256 of the token text ([`hash_token`]). The [`Caller`]
//! extractor turns the header into the principal: an officer with a
//! [`Role`], or an enterprise. A missing, unknown or revoked token is `401`;
//! a known caller without the right is `403` (the checks below).

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine as _;
use cbec_model::filing::Role;
use cbec_store::{Actor, Id, Millis, Officer, Principal};
use sha2::{Digest as _, Sha256};

use crate::AppState;
use crate::error::ApiError;

/// A new token: the secret to show once and the hash to store.
pub fn generate_token() -> Result<(String, [u8; 32]), getrandom::Error> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
    let hash = hash_token(&token);
    Ok((token, hash))
}

/// The SHA-256 of a token's text, as the store keeps it.
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Officer(Officer),
    /// An enterprise, by id.
    Enterprise(Id),
}

/// The token text of an `Authorization` header, if it is a bearer token.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        let found = state.store.token_by_hash(&hash_token(token)).await?.ok_or(ApiError::Unauthorized)?;
        if found.revoked_at.is_some() {
            return Err(ApiError::Unauthorized);
        }
        let caller = match found.owner {
            Principal::Officer(id) => match state.store.officer(&id).await {
                Ok(officer) => Caller::Officer(officer),
                Err(cbec_store::StoreError::NotFound { .. }) => return Err(ApiError::Unauthorized),
                Err(e) => return Err(e.into()),
            },
            Principal::Enterprise(id) => Caller::Enterprise(id),
            // System principals act through the CLI, never over HTTP.
            Principal::System(_) => return Err(ApiError::Unauthorized),
        };
        parts.extensions.insert(caller.principal());
        Ok(caller)
    }
}

impl Caller {
    pub fn principal(&self) -> Principal {
        match self {
            Caller::Officer(o) => Principal::Officer(o.id.clone()),
            Caller::Enterprise(id) => Principal::Enterprise(id.clone()),
        }
    }

    pub fn actor(&self, at: Millis) -> Actor {
        Actor { principal: self.principal(), at }
    }

    pub fn role(&self) -> Option<Role> {
        match self {
            Caller::Officer(o) => Some(o.role),
            Caller::Enterprise(_) => None,
        }
    }

    pub fn is_officer(&self) -> bool {
        matches!(self, Caller::Officer(_))
    }

    /// The enterprise id of an enterprise caller.
    pub fn enterprise(&self) -> Option<&Id> {
        match self {
            Caller::Enterprise(id) => Some(id),
            Caller::Officer(_) => None,
        }
    }

    pub fn has_role(&self, roles: &[Role]) -> bool {
        self.role().is_some_and(|r| roles.contains(&r))
    }

    /// An officer with one of `roles`, or `403` naming them.
    pub fn require_role(&self, roles: &[Role], what: &str) -> Result<(), ApiError> {
        if self.has_role(roles) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::forbidden(format!("only an officer with the role {} may {what}", names.join(" or "))))
        }
    }

    /// Any officer.
    pub fn require_officer(&self, what: &str) -> Result<(), ApiError> {
        if self.is_officer() { Ok(()) } else { Err(ApiError::forbidden(format!("only customs officers may {what}"))) }
    }

    /// Any officer, or the enterprise `id` itself.
    pub fn require_officer_or_self(&self, id: &str) -> Result<(), ApiError> {
        match self {
            Caller::Officer(_) => Ok(()),
            Caller::Enterprise(own) if own == id => Ok(()),
            Caller::Enterprise(_) => Err(ApiError::forbidden("an enterprise may only see its own data")),
        }
    }

    /// The enterprise `id` itself, or an officer with one of `roles`.
    pub fn require_self_or_role(&self, id: &str, roles: &[Role], what: &str) -> Result<(), ApiError> {
        match self {
            Caller::Enterprise(own) if own == id => Ok(()),
            Caller::Enterprise(_) => Err(ApiError::forbidden(format!("an enterprise may only {what} for itself"))),
            Caller::Officer(_) => self.require_role(roles, what),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_32_random_bytes_in_base64url() {
        let (a, ha) = generate_token().unwrap();
        let (b, _) = generate_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_eq!(ha, hash_token(&a));
    }

    #[test]
    fn bearer_header() {
        let parts = |v: &str| {
            let (p, _) = axum::http::Request::builder().header(AUTHORIZATION, v).body(()).unwrap().into_parts();
            p
        };
        assert_eq!(bearer(&parts("Bearer abc")), Some("abc"));
        assert_eq!(bearer(&parts("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(&parts("Basic abc")), None);
        assert_eq!(bearer(&parts("Bearer ")), None);
        assert_eq!(bearer(&parts("abc")), None);
    }
}
