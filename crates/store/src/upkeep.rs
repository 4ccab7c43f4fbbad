//! Upkeep that follows the writes on a connection of its own, never inside
//! a request:
//!
//! * on SQLite, folding the write-ahead log back into the database file (a
//!   checkpoint). SQLite by default checkpoints inside the commit that
//!   fills the log past 1,000 pages, so that one write pays for copying
//!   and syncing everything written since the last one. Here a passive
//!   checkpoint runs on another connection after each object write, while
//!   the next request is read and checked; the store raises SQLite's own
//!   threshold to 10,000 pages, a backstop for when writes outrun it.
//! * on PostgreSQL, indexing the new objects for search
//!   ([`Store::index_pending`]) in a transaction of its own, beside the
//!   next write, and refreshing the planner statistics after the stored
//!   rows grew by half since the last refresh (and at least 1,000), so
//!   that page queries keep an index plan on a growing table even where
//!   autovacuum is off or slow. An `ANALYZE` of a large store takes a
//!   second.
//!
//! One task runs at a time; requests made while it runs become one more
//! round.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sqlx::Executor;

use crate::error::StoreError;
use crate::schema::Backend;
use crate::store::Store;

const CHECKPOINT: &str = "PRAGMA wal_checkpoint(PASSIVE)";
const ANALYZE: &str = "ANALYZE objects, change_log, search_terms, search_links, object_recipients";

/// The upkeep state of one store.
#[derive(Default)]
pub(crate) struct Upkeep {
    /// A run is in progress.
    running: AtomicBool,
    /// Another round was asked for since the current one started.
    requested: AtomicBool,
    /// The next round refreshes PostgreSQL's planner statistics.
    analyze: AtomicBool,
    /// Object versions stored since the last statistics refresh.
    written: AtomicU64,
    /// Object versions stored up to the last statistics refresh.
    at_last_refresh: AtomicU64,
}

impl Store {
    /// Notes a committed write that stored `rows` object versions and
    /// asks for upkeep.
    pub(crate) fn after_object_write(&self, rows: usize) {
        if rows == 0 {
            return;
        }
        let upkeep = &self.upkeep;
        if self.backend() == Backend::Postgres && upkeep.statistics_due(rows as u64) {
            upkeep.analyze.store(true, Ordering::Release);
        }
        self.request_upkeep();
    }

    /// Starts the upkeep task unless one runs (it then does another
    /// round), if a Tokio runtime is at hand.
    pub(crate) fn request_upkeep(&self) {
        let upkeep = &self.upkeep;
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        upkeep.requested.store(true, Ordering::Release);
        if upkeep.running.swap(true, Ordering::AcqRel) {
            return; // the running task sees the request
        }
        let store = self.clone();
        runtime.spawn(async move {
            while store.upkeep.requested.swap(false, Ordering::AcqRel) {
                if let Err(error) = store.upkeep_round().await {
                    tracing::warn!(%error, "database upkeep failed");
                    break;
                }
            }
            // A request that lands between the last check and this store
            // waits for the next write; SQLite's own checkpoint,
            // PostgreSQL's autovacuum and the catch-up before each search
            // cover the gap.
            store.upkeep.running.store(false, Ordering::Release);
        });
    }

    /// One round of upkeep: whatever the backend needs after writes.
    async fn upkeep_round(&self) -> Result<(), StoreError> {
        match self.backend() {
            Backend::Sqlite => {
                self.pool.execute(CHECKPOINT).await?;
            }
            Backend::Postgres => {
                self.index_pending().await?;
                if self.upkeep.analyze.swap(false, Ordering::AcqRel) {
                    self.pool.execute(ANALYZE).await?;
                }
            }
        }
        Ok(())
    }
}

impl Upkeep {
    /// Whether the rows stored since the last statistics refresh, with
    /// `rows` more, make a refresh due; if so, counts from here.
    fn statistics_due(&self, rows: u64) -> bool {
        let written = self.written.fetch_add(rows, Ordering::Relaxed) + rows;
        let base = self.at_last_refresh.load(Ordering::Relaxed);
        if written < (base / 2).max(1_000) {
            return false;
        }
        self.written.store(0, Ordering::Relaxed);
        self.at_last_refresh
            .store(base + written, Ordering::Relaxed);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{caller, domain_indicator, sqlite_store};
    use crate::{Distribution, Role};

    /// A write far below SQLite's own checkpoint threshold still reaches
    /// the database file: the upkeep checkpointed it.
    #[tokio::test]
    async fn object_writes_are_checkpointed_beside_the_writes() {
        let (store, dir) = sqlite_store().await.unwrap();
        let file = dir.0.join("crosswatch.db");
        let caller = caller(&store, "Alpha", Role::Analyst).await.unwrap();
        store
            .pool
            .execute("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .unwrap();
        let before = std::fs::metadata(&file).unwrap().len();
        let objects: Vec<_> = (0..200).map(|n| domain_indicator(n, "example")).collect();
        store
            .put_objects(&caller, &objects, &Distribution::OwnOrg)
            .await
            .unwrap();
        let mut grown = false;
        for _ in 0..100 {
            if std::fs::metadata(&file).unwrap().len() > before {
                grown = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(grown, "the database file stayed at {before} bytes");
    }

    /// Each write is visible to the very next read on any connection,
    /// with checkpoints running beside the writes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_see_every_write_while_checkpoints_run() {
        let (store, _dir) = sqlite_store().await.unwrap();
        let caller = caller(&store, "Alpha", Role::Analyst).await.unwrap();
        let query = crate::ObjectQuery::new(crate::Scope::Everything, 10);
        for n in 0..300 {
            let object = domain_indicator(n, "example");
            store
                .put_objects(&caller, &[object], &Distribution::OwnOrg)
                .await
                .unwrap();
            let count = store.count_objects(caller.org, &query).await.unwrap();
            assert_eq!(usize::try_from(count).unwrap(), n + 1);
        }
    }

    #[test]
    fn statistics_are_refreshed_when_the_rows_grew_by_half() {
        let upkeep = Upkeep::default();
        assert!(!upkeep.statistics_due(999));
        assert!(upkeep.statistics_due(1)); // 1,000 rows, the floor
        assert!(!upkeep.statistics_due(999));
        assert!(upkeep.statistics_due(1)); // 2,000 = 1,000 + 1,000
        assert!(!upkeep.statistics_due(999)); // half of 2,000 is 1,000
        assert!(upkeep.statistics_due(1));
        assert!(!upkeep.statistics_due(1_499)); // half of 3,000 is 1,500
        assert!(upkeep.statistics_due(1));
    }
}
