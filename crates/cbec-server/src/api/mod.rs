//! The handlers, one module per resource. Each handler checks the caller's
//! right first (so a caller without it learns nothing about the records),
//! then reads the clock once and talks to the store.

pub(crate) mod applications;
pub(crate) mod audit;
pub(crate) mod clearance;
pub(crate) mod enterprises;
pub(crate) mod monitoring;
pub(crate) mod officers;
pub(crate) mod risk;
pub(crate) mod system;

use cbec_store::Page;
use serde::Deserialize;

use crate::error::ApiError;

/// The default and the largest page of a list.
pub(crate) const DEFAULT_LIMIT: u32 = 100;
pub(crate) const MAX_LIMIT: u32 = 1000;

/// `?offset&limit` of the list routes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageQuery {
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

pub(crate) fn page(offset: Option<u32>, limit: Option<u32>) -> Result<Page, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(format!("limit must be 1 to {MAX_LIMIT}")));
    }
    Ok(Page { offset: offset.unwrap_or(0), limit })
}

/// A required free-text field (a reason, a name): trimmed, not empty.
pub(crate) fn required_text(value: &str, field: &str) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::bad_request(format!("{field} must not be empty")));
    }
    if v.chars().count() > 2000 {
        return Err(ApiError::bad_request(format!("{field} is longer than 2000 characters")));
    }
    Ok(v.to_owned())
}
