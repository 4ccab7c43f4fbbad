//! The Crosswatch exchange hub: a multi-tenant TAXII 2.1 server where
//! platforms, fact-checkers and researchers share influence-operation
//! incidents and indicators as STIX 2.1.
//!
//! Handlers are thin: they parse, authenticate ([`auth::Auth`]), resolve
//! the caller's collection and call [`crosswatch_store::Store`], whose SQL
//! applies the sharing rules on every read.
//!
//! ```no_run
//! # async fn demo() -> Result<(), crosswatch_hub::HubError> {
//! let config = crosswatch_hub::HubConfig::default();
//! crosswatch_hub::serve(config).await?; // until SIGTERM / Ctrl-C
//! # Ok(()) }
//! ```

pub mod admin;
pub mod auth;
pub mod config;
pub mod error;
pub mod media;
pub mod metrics;
pub mod page;
pub mod rest;
mod server;
pub mod share;
pub mod state;
pub mod taxii;

pub use config::HubConfig;
pub use crosswatch_store::{Role, Store};
pub use server::{open_store, router, serve, serve_on, shutdown_signal};
pub use state::AppState;

/// Why the hub could not start or an administration step failed.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crosswatch_store::StoreError),
    /// A file or socket failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Bad configuration or arguments.
    #[error("{0}")]
    Config(String),
}
