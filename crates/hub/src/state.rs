//! Shared request state, passed explicitly to handlers.

use std::sync::Arc;

use crosswatch_store::Store;

use crate::metrics::Metrics;

/// What every handler needs.
#[derive(Clone)]
pub struct AppState {
    /// The storage.
    pub store: Store,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Largest accepted request body in bytes (advertised in the API root).
    pub max_body_bytes: usize,
}

impl AppState {
    /// State over `store`.
    pub fn new(store: Store, max_body_bytes: usize) -> AppState {
        AppState {
            store,
            metrics: Arc::new(Metrics::default()),
            max_body_bytes,
        }
    }
}
