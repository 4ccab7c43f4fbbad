//! Shared request state, passed explicitly to handlers.

use std::sync::Arc;

use crosswatch_store::Store;
use tokio::sync::watch;

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
    /// Bumped after every write, so live feed streams wake up at once
    /// instead of polling.
    pub changes: Arc<watch::Sender<u64>>,
    /// Set when the server shuts down, so that live streams end and
    /// graceful shutdown does not wait for them forever.
    pub stopping: Arc<watch::Sender<bool>>,
}

impl AppState {
    /// State over `store`.
    pub fn new(store: Store, max_body_bytes: usize) -> AppState {
        AppState {
            store,
            metrics: Arc::new(Metrics::default()),
            max_body_bytes,
            changes: Arc::new(watch::Sender::new(0)),
            stopping: Arc::new(watch::Sender::new(false)),
        }
    }

    /// Tells live feed subscribers that the change log grew.
    pub fn changed(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }
}
