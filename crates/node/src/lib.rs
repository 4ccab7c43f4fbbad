//! The Crosswatch platform node: the receiving side of sharing.
//!
//! A platform runs a node that keeps a local copy of the signals it may see
//! from one or more hubs ([`sync`]), matches them against its own content
//! ([`engine`], [`item`]), puts hits in front of a human reviewer and records
//! each action with the incident that prompted it ([`store`]). Nothing is
//! enforced automatically: a hit is only a candidate until a reviewer
//! accepts it.
//!
//! * [`store::NodeStore`] — the local SQLite file: hubs and cursors, the
//!   STIX objects pulled, derived incidents and signals, hits (the review
//!   queue), actions and the feedback outbox.
//! * [`sync`] — TAXII 2.1 pull (plus the hub's `/api/feed` tombstones) and
//!   feedback delivery, applied in one transaction per hub and collection.
//! * [`engine::Engine`] — pure matching of one item against every loaded
//!   signal, reporting into a [`engine::Sink`].
//! * [`run::match_items`] — a whole matching run with the flood guard.
//!
//! # Feedback sent to hubs
//!
//! Reviewer decisions go back to the hub that shared the signal, as
//! `POST {hub}/api/feedback` with a Bearer token and this JSON body (one per
//! signal):
//!
//! ```json
//! {"object_id": "indicator--…", "stix_id": "indicator--…",
//!  "kind": "actioned", "platform": "ExampleTube",
//!  "count": 3, "action_count": 3, "member_states": ["FR", "DE"],
//!  "anonymous": false, "note": null}
//! ```
//!
//! `kind` is `actioned` or `false-positive` (the latter with the reviewer's
//! reason in `note`). `stix_id`/`action_count` repeat `object_id`/`count`
//! under the names the Crosswatch hub's store uses. Undelivered feedback
//! stays in the outbox and is retried on every sync.
//!
//! # Example
//!
//! ```
//! use crosswatch_model::Indicator;
//! use crosswatch_node::engine::{Engine, EngineConfig, Hit, Signal};
//! use crosswatch_node::item::ContentItem;
//!
//! let mut engine = Engine::new(EngineConfig::default()).unwrap();
//! engine.add(Signal {
//!     id: 1,
//!     stix_id: "indicator--00000000-0000-4000-8000-000000000001".into(),
//!     incident_id: None,
//!     indicator: Indicator::from_observable("https://t.me/insider_md").unwrap(),
//! }).unwrap();
//! let item: ContentItem = serde_json::from_str(
//!     r#"{"id": "post-1", "urls": ["https://t.me/insider_md/123"]}"#).unwrap();
//! let mut hits: Vec<Hit> = Vec::new();
//! engine.match_item(&item, &mut |hit| hits.push(hit));
//! assert_eq!(hits[0].signal_id, Some(1));
//! assert_eq!(hits[0].matcher.as_str(), "account");
//! ```

pub mod engine;
pub mod item;
pub mod run;
pub mod store;
pub mod sync;

/// Errors of the node's storage and network edges.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The local SQLite file failed.
    #[error("local node database: {0}")]
    Db(#[from] rusqlite::Error),
    /// A file or directory failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The hub could not be reached or answered with an error status.
    #[error("hub {hub}: {message}")]
    Hub {
        /// The hub's base URL.
        hub: String,
        /// What went wrong.
        message: String,
    },
    /// The hub answered with something that is not what TAXII 2.1 promises.
    #[error("hub {hub} sent an invalid response from {url}: {message}")]
    BadResponse {
        /// The hub's base URL.
        hub: String,
        /// The URL requested.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// A request the user made cannot be carried out.
    #[error("{0}")]
    Invalid(String),
    /// A matching setting or signal is invalid.
    #[error(transparent)]
    Engine(#[from] engine::EngineError),
}
