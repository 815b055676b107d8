//! The sqlite implementation of [`Store`](crate::Store). (Being written.)

use std::sync::Arc;

use crate::{Result, Store, StoreError};

/// Opens the sqlite store.
pub async fn open(_url: &str) -> Result<Arc<dyn Store>> {
    Err(StoreError::Backend("the sqlite store is not implemented yet".into()))
}
