//! The search index and the search query.
//!
//! Every stored object version gets its keys from
//! [`crosswatch_stix::search::search_keys`] in the same transaction as the
//! write: `(field, value)` terms in `search_terms`, and relationships in
//! `search_links`. A search is a keyset-paged query over `objects` like a
//! TAXII read, so the visibility rule and the latest-version rule are the
//! ones every other read path uses; terms only narrow it.

use serde_json::Value;
use sqlx::{Executor, Row};

pub use crosswatch_stix::search::Field as SearchField;
use crosswatch_stix::search::{SearchKeys, search_keys};

use crate::access::{OrgId, visible_sql};
use crate::error::StoreError;
use crate::put::insert_rows;
use crate::schema::Backend;
use crate::stix_check::normalize_timestamp;
use crate::store::{Arg, MAX_PAGE, Sql, Store, Tx, object_from_row, push_filters};
use crate::types::{ObjectPage, ObjectQuery, Scope};

type Result<T> = std::result::Result<T, StoreError>;

/// What to search for. Lists are AND'ed: an object must carry every term.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// STIX types to return (empty: any).
    pub types: Vec<String>,
    /// Terms, each normalised with [`crosswatch_stix::search::normalise`].
    pub terms: Vec<(SearchField, String)>,
    /// Whether a term may also be carried by an object one relationship
    /// away (an indicator that `indicates` the object, an attack-pattern
    /// it `uses`, a location it `targets`): how incidents are found.
    pub follow_links: bool,
    /// Case-insensitive substring of the object's text.
    pub text: Option<String>,
    /// Only objects active at or after this time (stored timestamp form).
    pub active_from: Option<String>,
    /// Only objects active at or before this time (stored timestamp form).
    pub active_until: Option<String>,
    /// Keyset cursor (change-log sequence), as in TAXII paging.
    pub after_seq: Option<i64>,
    /// Page size.
    pub limit: u32,
}

/// When an object was active: `first_seen`/`last_seen` of an incident,
/// `valid_from`/`valid_until` of an indicator, else its version time and
/// no end.
pub(crate) struct ActivePeriod {
    pub start: Option<String>,
    pub end: Option<String>,
}

impl ActivePeriod {
    pub(crate) fn of(object: &Value, version: &str) -> ActivePeriod {
        let time = |name: &str| {
            object
                .get(name)
                .and_then(Value::as_str)
                .and_then(normalize_timestamp)
        };
        ActivePeriod {
            start: time("first_seen")
                .or_else(|| time("valid_from"))
                .or_else(|| Some(version.to_string())),
            end: time("last_seen").or_else(|| time("valid_until")),
        }
    }
}

/// Adds the search keys of stored versions `(row id, object)`, with one
/// multi-row `INSERT` per table (and statement-size chunk).
pub(crate) async fn index_objects(
    tx: &mut Tx,
    backend: Backend,
    stored: impl IntoIterator<Item = (i64, &Value)>,
) -> Result<()> {
    let mut terms = Vec::new();
    let mut links = Vec::new();
    for (row_id, object) in stored {
        let (object_terms, object_links) = search_rows(row_id, object);
        terms.extend(object_terms);
        links.extend(object_links);
    }
    insert_rows(tx, backend, "search_terms (row_id, field, value)", terms).await?;
    insert_rows(
        tx,
        backend,
        "search_links (row_id, kind, source_id, target_id)",
        links,
    )
    .await
}

/// The object stored as `raw` in row `row_id`.
fn stored_object(row_id: i64, raw: &str) -> Result<Value> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("object row {row_id}: {e}")))
}

/// Records that every object row up to `row_id` is indexed.
pub(crate) async fn mark_indexed(tx: &mut Tx, row_id: i64) -> Result<()> {
    sqlx::query("UPDATE search_progress SET indexed_upto = $1")
        .bind(row_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The `search_terms` and `search_links` rows of one stored version.
fn search_rows(row_id: i64, object: &Value) -> (Vec<Vec<Arg>>, Vec<Vec<Arg>>) {
    let SearchKeys { terms, links } = search_keys(object);
    let terms = terms
        .into_iter()
        .map(|(field, value)| {
            vec![
                Arg::Int(row_id),
                Arg::Text(field.name().to_string()),
                Arg::Text(value),
            ]
        })
        .collect();
    let mut links = links;
    // One entry per distinct link: the link table's key is the whole row.
    links.sort_unstable();
    links.dedup();
    let links = links
        .into_iter()
        .map(|link| {
            vec![
                Arg::Int(row_id),
                Arg::Text(link.kind),
                Arg::Text(link.source),
                Arg::Text(link.target),
            ]
        })
        .collect();
    (terms, links)
}

impl Store {
    /// One page of the latest visible versions matching `query`, in
    /// change-log order. Objects a write left for the indexer are indexed
    /// first, so a search sees every committed object.
    pub async fn search(&self, viewer: OrgId, query: &SearchQuery) -> Result<ObjectPage> {
        self.index_pending().await?;
        let limit = query.limit.clamp(1, MAX_PAGE);
        let mut base = ObjectQuery::new(Scope::Everything, limit);
        base.types = query.types.clone();
        base.after_seq = query.after_seq;
        let mut sql = Sql::new(
            self.backend(),
            "SELECT a.seq, a.stix_id, a.stix_type, a.version_raw, a.date_added, a.raw, \
             a.owner_org, a.tlp, a.spec_version FROM objects a WHERE ",
        );
        push_filters(&mut sql, viewer, &base);
        for (field, value) in &query.terms {
            push_term(&mut sql, viewer, *field, value, query.follow_links);
        }
        if let Some(text) = &query.text {
            let escaped = text
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            sql.push(" AND LOWER(a.raw) LIKE ");
            sql.bind(&format!("%{escaped}%"));
            sql.push(" ESCAPE '\\'");
        }
        if let Some(from) = &query.active_from {
            sql.push(" AND (a.time_end IS NULL OR a.time_end >= ");
            sql.bind(from);
            sql.push(")");
        }
        if let Some(until) = &query.active_until {
            sql.push(" AND (a.time_start IS NULL OR a.time_start <= ");
            sql.bind(until);
            sql.push(")");
        }
        sql.push(&format!(" ORDER BY a.seq LIMIT {}", u64::from(limit) + 1));
        let rows = sql.query().fetch_all(&self.pool).await?;
        let mut objects = rows
            .iter()
            .map(object_from_row)
            .collect::<Result<Vec<_>>>()?;
        let more = objects.len() > limit as usize;
        objects.truncate(limit as usize);
        Ok(ObjectPage { objects, more })
    }

    /// Indexes the object rows above the search index's mark, oldest
    /// first, a batch per transaction; returns how many. Indexers on
    /// several connections or hub processes take turns on the mark's row
    /// lock. Writes commit their rows in row-id order (they hold the write
    /// lock while they take ids), so no row commits below the mark later.
    pub(crate) async fn index_pending(&self) -> Result<usize> {
        if self.backend().indexes_in_write() {
            return Ok(0);
        }
        const BATCH: i64 = 2_000;
        let mut indexed = 0;
        loop {
            let mut tx = self.pool.begin().await?;
            let mark: i64 = sqlx::query("SELECT indexed_upto FROM search_progress FOR UPDATE")
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
            let rows = sqlx::query(
                "SELECT row_id, raw FROM objects WHERE row_id > $1 ORDER BY row_id LIMIT $2",
            )
            .bind(mark)
            .bind(BATCH)
            .fetch_all(&mut *tx)
            .await?;
            let Some(last) = rows.last() else {
                return Ok(indexed);
            };
            let last: i64 = last.try_get(0)?;
            let mut objects = Vec::with_capacity(rows.len());
            for row in &rows {
                let row_id: i64 = row.try_get(0)?;
                let raw: String = row.try_get(1)?;
                let object = stored_object(row_id, &raw)?;
                objects.push((row_id, object));
            }
            index_objects(
                &mut tx,
                self.backend(),
                objects.iter().map(|(id, o)| (*id, o)),
            )
            .await?;
            mark_indexed(&mut tx, last).await?;
            tx.commit().await?;
            indexed += rows.len();
            if (rows.len() as i64) < BATCH {
                return Ok(indexed);
            }
        }
    }

    /// Builds the search index of every stored version (after a migration
    /// from a schema without one). The caller holds the write lock.
    pub(crate) async fn reindex_search_locked(&self) -> Result<usize> {
        // The index is keyed by term, not by object: clear it whole.
        self.pool.execute("DELETE FROM search_terms").await?;
        self.pool.execute("DELETE FROM search_links").await?;
        self.pool
            .execute("UPDATE search_progress SET indexed_upto = 0")
            .await?;
        let mut after = 0_i64;
        let mut indexed = 0;
        loop {
            let rows = sqlx::query(
                "SELECT row_id, raw, version FROM objects WHERE row_id > $1 ORDER BY row_id LIMIT 500",
            )
            .bind(after)
            .fetch_all(&self.pool)
            .await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get(0)?;
            let mut tx = self.pool.begin().await?;
            for row in &rows {
                let row_id: i64 = row.try_get(0)?;
                let raw: String = row.try_get(1)?;
                let version: String = row.try_get(2)?;
                let object = stored_object(row_id, &raw)?;
                let active = ActivePeriod::of(&object, &version);
                sqlx::query("UPDATE objects SET time_start = $1, time_end = $2 WHERE row_id = $3")
                    .bind(active.start)
                    .bind(active.end)
                    .bind(row_id)
                    .execute(&mut *tx)
                    .await?;
                index_objects(&mut tx, self.backend(), [(row_id, &object)]).await?;
                indexed += 1;
            }
            mark_indexed(&mut tx, after).await?;
            tx.commit().await?;
        }
        Ok(indexed)
    }
}

/// `AND` the object carries the term, or (with `follow_links`) a visible
/// object linked to it by a visible relationship of a kind that field
/// follows does.
fn push_term(sql: &mut Sql, viewer: OrgId, field: SearchField, value: &str, follow_links: bool) {
    sql.push(" AND (a.row_id IN (SELECT t.row_id FROM search_terms t WHERE t.field = ");
    sql.bind(field.name());
    sql.push(" AND t.value = ");
    sql.bind(value);
    sql.push(")");
    if follow_links {
        let kinds: Vec<String> = field.link_kinds().iter().map(|k| k.to_string()).collect();
        for (this_end, other_end) in [("target_id", "source_id"), ("source_id", "target_id")] {
            sql.push(&format!(
                " OR a.stix_id IN (SELECT l.{this_end} FROM search_links l \
                 JOIN objects r ON r.row_id = l.row_id \
                 JOIN objects o ON o.stix_id = l.{other_end} \
                 JOIN search_terms x ON x.row_id = o.row_id \
                 WHERE r.deleted = 0 AND {} AND o.deleted = 0 AND {} AND l.kind IN ",
                visible_sql("r", viewer),
                visible_sql("o", viewer),
            ));
            sql.bind_list(&kinds);
            sql.push(" AND x.field = ");
            sql.bind(field.name());
            sql.push(" AND x.value = ");
            sql.bind(value);
            sql.push(")");
        }
    }
    sql.push(")");
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::access::Distribution;
    use sqlx::AssertSqlSafe;

    use crate::testing::{caller, domain_indicator, sqlite_store};
    use crate::types::Role;

    /// Every written object reaches the search index without a search:
    /// in its write on SQLite, beside the writes on PostgreSQL; and rows a
    /// crash left above the mark are indexed by the next search.
    async fn search_sees_every_written_object(store: &Store) {
        let caller = caller(store, "Indexed", Role::Analyst).await.unwrap();
        let objects: Vec<Value> = (0..300)
            .map(|n| domain_indicator(n, "indexed.example"))
            .collect();
        store
            .put_objects(&caller, &objects, &Distribution::OwnOrg)
            .await
            .unwrap();
        let last: i64 = sqlx::query_scalar("SELECT MAX(row_id) FROM objects")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        let state = || async {
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT (SELECT indexed_upto FROM search_progress), \
                        (SELECT COUNT(*) FROM search_terms)",
            )
            .fetch_one(&store.pool)
            .await
            .unwrap()
        };
        let mut seen = state().await;
        for _ in 0..100 {
            if seen == (last, 600) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            seen = state().await;
        }
        // `value` and `kind` of each indicator.
        assert_eq!(seen, (last, 600), "(mark, terms)");

        if store.backend().indexes_in_write() {
            return;
        }
        for statement in [
            format!("DELETE FROM search_terms WHERE row_id > {}", last - 100),
            format!("UPDATE search_progress SET indexed_upto = {}", last - 100),
        ] {
            store.pool.execute(AssertSqlSafe(statement)).await.unwrap();
        }
        let query = SearchQuery {
            terms: vec![(SearchField::Value, "d299.indexed.example".into())],
            limit: 10,
            ..SearchQuery::default()
        };
        let found = store.search(caller.org, &query).await.unwrap().objects;
        assert_eq!(found.len(), 1);
        assert_eq!(state().await, (last, 600));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_search_sees_every_written_object() {
        let (store, _dir) = sqlite_store().await.unwrap();
        search_sees_every_written_object(&store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_search_sees_every_written_object() {
        let test = "postgres_search_sees_every_written_object";
        if let Some(store) = crate::testing::postgres_store(test).await {
            search_sees_every_written_object(&store).await;
        }
    }

    /// A database whose search tables still have the row-per-entry shape
    /// of schema version 3 (with a duplicate term, as that shape allowed)
    /// is migrated to the keyed tables without losing a term or a link.
    #[tokio::test]
    async fn keyed_search_tables_keep_an_older_index() {
        let (store, dir) = sqlite_store().await.unwrap();
        let caller = caller(&store, "Alpha", Role::Analyst).await.unwrap();
        let indicator = "indicator--00000000-0000-4000-8000-000000000001";
        let campaign = "campaign--00000000-0000-4000-8000-000000000002";
        let objects = [
            json!({
                "type": "indicator", "spec_version": "2.1", "id": indicator,
                "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                "pattern": "[domain-name:value = 'kept.example']", "pattern_type": "stix",
                "valid_from": "2024-01-01T00:00:00Z",
            }),
            json!({
                "type": "campaign", "spec_version": "2.1", "id": campaign,
                "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                "name": "Kept",
            }),
            json!({
                "type": "relationship", "spec_version": "2.1",
                "id": "relationship--00000000-0000-4000-8000-000000000003",
                "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                "relationship_type": "indicates", "source_ref": indicator, "target_ref": campaign,
            }),
        ];
        store
            .put_objects(&caller, &objects, &Distribution::OwnOrg)
            .await
            .unwrap();
        // Back to version 3's tables, each entry a row (one term twice),
        // in one transaction on one connection.
        let mut downgrade = store.pool.begin().await.unwrap();
        for statement in [
            "CREATE TABLE old_terms AS SELECT row_id, field, value FROM search_terms",
            "INSERT INTO old_terms SELECT row_id, field, value FROM search_terms",
            "CREATE TABLE old_links AS SELECT row_id, kind, source_id, target_id FROM search_links",
            "DROP TABLE search_terms",
            "DROP TABLE search_links",
            "CREATE TABLE search_terms (row_id BIGINT NOT NULL REFERENCES objects(row_id), \
             field TEXT NOT NULL, value TEXT NOT NULL)",
            "CREATE INDEX search_terms_by_value ON search_terms (field, value, row_id)",
            "CREATE INDEX search_terms_by_row ON search_terms (row_id)",
            "CREATE TABLE search_links (row_id BIGINT NOT NULL REFERENCES objects(row_id), \
             kind TEXT NOT NULL, source_id TEXT NOT NULL, target_id TEXT NOT NULL)",
            "CREATE INDEX search_links_by_source ON search_links (source_id, kind)",
            "CREATE INDEX search_links_by_target ON search_links (target_id, kind)",
            "INSERT INTO search_terms SELECT * FROM old_terms",
            "INSERT INTO search_links SELECT * FROM old_links",
            "DROP TABLE old_terms",
            "DROP TABLE old_links",
            "DROP TABLE search_progress",
            "DELETE FROM crosswatch_schema WHERE version > 3",
        ] {
            downgrade.execute(statement).await.unwrap();
        }
        downgrade.commit().await.unwrap();
        store.close().await;

        let store = Store::open_sqlite(&dir.0.join("crosswatch.db"))
            .await
            .unwrap();
        let shape: String =
            sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = 'search_terms'")
                .fetch_one(&store.pool)
                .await
                .unwrap();
        assert!(shape.contains("WITHOUT ROWID"), "{shape}");
        let terms: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM search_terms")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        // `value` and `kind` of the indicator, once each.
        assert_eq!(terms, 2);
        let found = |follow_links| {
            let query = SearchQuery {
                terms: vec![(SearchField::Value, "kept.example".into())],
                types: vec!["campaign".into()],
                follow_links,
                limit: 10,
                ..SearchQuery::default()
            };
            let store = store.clone();
            async move {
                let page = store.search(caller.org, &query).await.unwrap();
                page.objects
                    .into_iter()
                    .map(|o| o.stix_id)
                    .collect::<Vec<_>>()
            }
        };
        // The campaign is found through the migrated link, not by itself.
        assert_eq!(found(true).await, vec![campaign.to_string()]);
        assert!(found(false).await.is_empty());
    }

    #[tokio::test]
    async fn reindex_rebuilds_a_lost_index() {
        let (store, _dir) = sqlite_store().await.unwrap();
        let caller = caller(&store, "Alpha", Role::Analyst).await.unwrap();
        let indicator = json!({
            "type": "indicator", "spec_version": "2.1",
            "id": "indicator--00000000-0000-4000-8000-000000000001",
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "pattern": "[domain-name:value = 'lost.example']", "pattern_type": "stix",
            "valid_from": "2024-01-01T00:00:00Z",
        });
        store
            .put_objects(&caller, &[indicator], &Distribution::OwnOrg)
            .await
            .unwrap();
        let query = SearchQuery {
            terms: vec![(SearchField::Value, "lost.example".into())],
            limit: 10,
            ..SearchQuery::default()
        };
        let found = || async {
            store
                .search(caller.org, &query)
                .await
                .unwrap()
                .objects
                .len()
        };
        assert_eq!(found().await, 1);
        store
            .pool
            .execute("DELETE FROM search_terms")
            .await
            .unwrap();
        assert_eq!(found().await, 0);
        assert_eq!(store.reindex_search_locked().await.unwrap(), 1);
        assert_eq!(found().await, 1);
    }
}
