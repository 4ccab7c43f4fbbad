//! Storage for the Crosswatch exchange hub.
//!
//! One [`Store`] API over SQLite (embedded default, WAL mode) or
//! PostgreSQL. Objects are STIX 2.1 JSON kept in every version, keyed by
//! id and `modified`; every write appends to a change log whose sequence
//! number is the paging cursor, so a client pulling while others write
//! neither misses nor repeats a row. Who may see what is decided by
//! [`access::may_see`], mirrored in SQL on every read.
//!
//! Backend choice: both engines go through `sqlx::Any` with runtime
//! queries written once (`$N` placeholders work on both). What differs is
//! small and named: the DDL's auto-increment key and SQLite's `WITHOUT
//! ROWID` tables, how a write reserves its keys, and where new objects are
//! indexed for search ([`Backend`] says which). That keeps one code path to
//! test, at the cost of `Any`'s narrower type set (timestamps are
//! fixed-width UTC text, JSON is text).
//!
//! ```no_run
//! # async fn demo() -> Result<(), crosswatch_store::StoreError> {
//! use crosswatch_store::{Distribution, ObjectQuery, Role, Scope, Store};
//! let store = Store::open("sqlite://hub.db?mode=rwc").await?;
//! let org = store.create_org("Example Platform").await?;
//! let (_info, secret) = store.create_token(org.id, Role::Analyst, Some(time::Duration::days(90))).await?;
//! let caller = store.authenticate(&secret).await?.expect("fresh token");
//! let bundle: Vec<serde_json::Value> = Vec::new();
//! store.put_objects(&caller, &bundle, &Distribution::AllMembers).await?;
//! let page = store.query_objects(org.id, &ObjectQuery::new(Scope::AllMembers, 100)).await?;
//! # let _ = page; Ok(()) }
//! ```

pub mod access;
mod error;
mod put;
mod schema;
mod search;
pub mod stix_check;
mod store;
pub mod testing;
pub mod token;
mod types;
mod upkeep;

pub use access::{Distribution, GroupId, OrgId};
pub use error::StoreError;
pub use schema::Backend;
pub use search::{SearchField, SearchQuery};
pub use store::{MAX_PAGE, Store};
pub use types::*;
