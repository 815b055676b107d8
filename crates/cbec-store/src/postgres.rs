//! The postgres implementation of [`Store`](crate::Store). (Being written.)

use std::sync::Arc;

use crate::{Result, Store, StoreError};

/// Opens the postgres store.
pub async fn open(_url: &str) -> Result<Arc<dyn Store>> {
    Err(StoreError::Backend("the postgres store is not implemented yet".into()))
}
