//! Straight SQL on the store's own tables through sqlx's native drivers:
//! the raw bulk INSERT / keyset SELECT reference, growing a hub's database
//! quickly for the page-time test, and checking that the hub stored exactly
//! the rows the reference writes.

use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use crosswatch_store::Store;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Executor, QueryBuilder, Row as _};

use crate::objects::Row;

/// A pool on either backend.
pub enum Db {
    /// SQLite with the store's settings (WAL, synchronous=NORMAL, foreign keys).
    Sqlite(SqlitePool),
    /// PostgreSQL, optionally inside one schema.
    Postgres(PgPool),
}

/// Runs the same code on whichever pool `db` holds (the query builders
/// and row types differ per driver, the SQL does not).
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}

const INSERT_OBJECTS: &str = "INSERT INTO objects (seq, stix_id, stix_type, spec_version, \
    created, modified, version, version_raw, owner_org, tlp, dist_kind, dist_group, raw, \
    date_added, time_start, time_end) ";
const INSERT_CHANGES: &str = "INSERT INTO change_log (seq, kind, stix_id, version, actor_org, at) ";
/// The columns and order `Store::query_objects` reads, keyed by sequence.
const SELECT_PAGE: &str = "SELECT seq, stix_id, stix_type, version_raw, date_added, raw, \
    owner_org, tlp, spec_version FROM objects WHERE seq > $1 ORDER BY seq LIMIT ";
const SELECT_STORED: &str = "SELECT stix_id, stix_type, spec_version, created, modified, version, \
    version_raw, tlp, raw, dist_kind, owner_org, time_start, time_end FROM objects ORDER BY seq";

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), inside `schema`
    /// on PostgreSQL when given.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Db> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await
                .with_context(|| format!("cannot open {url}"))?;
            Ok(Db::Sqlite(pool))
        } else {
            let mut options = PgConnectOptions::from_str(url)?;
            if let Some(schema) = schema {
                options = options.options([("search_path", schema)]);
            }
            let pool = PgPoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await
                .with_context(|| format!("cannot connect to {url}"))?;
            Ok(Db::Postgres(pool))
        }
    }

    /// Closes the pool.
    pub async fn close(self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// The id of organisation `name`.
    pub async fn org_id(&self, name: &str) -> Result<i64> {
        let sql = "SELECT id FROM orgs WHERE name = $1";
        let id: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(name)
            .fetch_optional(pool)
            .await?);
        id.with_context(|| format!("no organisation `{name}` in the database"))
    }

    /// The highest change-log sequence (0 when empty).
    pub async fn max_seq(&self) -> Result<i64> {
        let sql = "SELECT MAX(seq) FROM change_log";
        let seq: Option<i64> =
            on_pool!(self, pool => sqlx::query_scalar(sql).fetch_one(pool).await?);
        Ok(seq.unwrap_or(0))
    }

    /// Inserts `rows` as `objects` with sequences from `first_seq` on, in
    /// one transaction, `batch` rows per multi-row INSERT; with
    /// `with_changes` also their `create` change-log entries (enough for
    /// the TAXII read path; `put_one` also writes search-index and audit
    /// rows).
    pub async fn insert(
        &self,
        rows: &[Row],
        first_seq: i64,
        owner: i64,
        batch: usize,
        with_changes: bool,
    ) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut seq = first_seq;
            for chunk in rows.chunks(batch.max(1)) {
                if with_changes {
                    let mut insert = QueryBuilder::new(INSERT_CHANGES);
                    insert.push_values(chunk.iter().zip(seq..), |mut values, (row, seq)| {
                        values
                            .push_bind(seq)
                            .push_bind("create")
                            .push_bind(row.stix_id.clone())
                            .push_bind(row.version.clone())
                            .push_bind(owner)
                            .push_bind(row.date_added.clone());
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                let mut insert = QueryBuilder::new(INSERT_OBJECTS);
                insert.push_values(chunk.iter().zip(seq..), |mut values, (row, seq)| {
                    values
                        .push_bind(seq)
                        .push_bind(row.stix_id.clone())
                        .push_bind(row.stix_type.clone())
                        .push_bind(row.spec_version.clone())
                        .push_bind(row.created.clone())
                        .push_bind(row.modified.clone())
                        .push_bind(row.version.clone())
                        .push_bind(row.version_raw.clone())
                        .push_bind(owner)
                        .push_bind(row.tlp.clone())
                        .push_bind("all")
                        .push_bind(None::<i64>)
                        .push_bind(row.raw.clone())
                        .push_bind(row.date_added.clone())
                        .push_bind(row.time_start.clone())
                        .push_bind(row.time_end.clone());
                });
                insert.build().execute(&mut *tx).await?;
                seq += i64::try_from(chunk.len())?;
            }
            tx.commit().await?;
        });
        if let Db::Postgres(pool) = self {
            // Explicit sequences bypass the BIGSERIAL counter; move it on
            // so that the hub's next write does not collide.
            pool.execute(
                "SELECT setval(pg_get_serial_sequence('change_log', 'seq'), \
                 GREATEST((SELECT MAX(seq) FROM change_log), 1))",
            )
            .await?;
        }
        Ok(())
    }

    /// Moves the search index's mark past every object row.
    pub async fn mark_indexed(&self) -> Result<()> {
        let sql = "UPDATE search_progress SET indexed_upto = (SELECT COALESCE(MAX(row_id), 0) FROM objects)";
        on_pool!(self, pool => pool.execute(sql).await.map(drop)?);
        Ok(())
    }

    /// Settles the database after a bulk load so that the next timings
    /// measure reads, not the load's aftermath: on PostgreSQL refreshes
    /// planner statistics (what autovacuum does by default) and
    /// checkpoints; on SQLite folds the WAL into the database file.
    pub async fn settle(&self) -> Result<()> {
        match self {
            Db::Postgres(pool) => {
                pool.execute("ANALYZE").await?;
                pool.execute("CHECKPOINT").await?;
            }
            Db::Sqlite(pool) => {
                pool.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
            }
        }
        Ok(())
    }

    /// Reads every object in keyset pages of `limit` (`seq > last ORDER BY
    /// seq`), decoding the columns the store's read path returns. Returns
    /// the row count and each page's duration.
    pub async fn select_pages(&self, limit: u32) -> Result<(u64, Vec<Duration>)> {
        let sql = format!("{SELECT_PAGE}{limit}");
        let mut last = 0i64;
        let mut count = 0u64;
        let mut bytes = 0usize;
        let mut times = Vec::new();
        loop {
            let started = Instant::now();
            let page: Vec<(i64, usize)> = on_pool!(self, pool => {
                let rows = sqlx::query(AssertSqlSafe(sql.clone()))
                    .bind(last)
                    .fetch_all(pool)
                    .await?;
                let mut page = Vec::with_capacity(rows.len());
                for row in &rows {
                    let seq: i64 = row.try_get(0)?;
                    let mut size = 0;
                    for column in [1, 2, 3, 4, 5, 7, 8] {
                        let text: String = row.try_get(column)?;
                        size += text.len();
                    }
                    let owner: i64 = row.try_get(6)?;
                    page.push((seq, size + usize::from(owner > 0)));
                }
                page
            });
            times.push(started.elapsed());
            let Some(&(seq, _)) = page.last() else { break };
            last = seq;
            count += page.len() as u64;
            bytes += page.iter().map(|(_, size)| size).sum::<usize>();
            if page.len() < limit as usize {
                break;
            }
        }
        if bytes == 0 && count > 0 {
            bail!("the raw SELECT read empty rows");
        }
        Ok((count, times))
    }

    /// Compares the stored objects, in sequence order, with `expected`
    /// (every column but the sequence, row id and `date_added`). Returns
    /// the number of differing rows and a description of the first.
    pub async fn compare_stored(
        &self,
        expected: &[Row],
        owner: i64,
    ) -> Result<(usize, Option<String>)> {
        let stored: Vec<(Row, String, i64)> = on_pool!(self, pool => {
            let rows = sqlx::query(SELECT_STORED).fetch_all(pool).await?;
            let mut stored = Vec::with_capacity(rows.len());
            for row in &rows {
                stored.push((
                    Row {
                        stix_id: row.try_get(0)?,
                        stix_type: row.try_get(1)?,
                        spec_version: row.try_get(2)?,
                        created: row.try_get(3)?,
                        modified: row.try_get(4)?,
                        version: row.try_get(5)?,
                        version_raw: row.try_get(6)?,
                        tlp: row.try_get(7)?,
                        raw: row.try_get(8)?,
                        date_added: String::new(),
                        time_start: row.try_get(11)?,
                        time_end: row.try_get(12)?,
                    },
                    row.try_get::<String, _>(9)?,
                    row.try_get::<i64, _>(10)?,
                ));
            }
            stored
        });
        if stored.len() != expected.len() {
            return Ok((
                expected.len().abs_diff(stored.len()),
                Some(format!(
                    "{} rows stored, {} expected",
                    stored.len(),
                    expected.len()
                )),
            ));
        }
        let mut differing = 0;
        let mut first = None;
        for (index, ((got, dist_kind, got_owner), want)) in
            stored.into_iter().zip(expected).enumerate()
        {
            let want = Row {
                date_added: String::new(),
                ..want.clone()
            };
            if got != want || dist_kind != "all" || got_owner != owner {
                differing += 1;
                first.get_or_insert_with(|| {
                    format!("row {index}: stored {got:?} ({dist_kind}, owner {got_owner}), expected {want:?}")
                });
            }
        }
        Ok((differing, first))
    }
}

/// Makes an empty store at `url` (a new SQLite file, or `schema` dropped
/// and recreated on PostgreSQL) with the store's own migrations and one
/// organisation `owner`. Returns the owner's id.
pub async fn fresh_store(url: &str, schema: Option<&str>, owner: &str) -> Result<i64> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap_or(path);
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{path}{suffix}");
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("cannot remove {file}")),
            }
        }
    } else if let Some(schema) = schema {
        let db = Db::connect(url, None).await?;
        if let Db::Postgres(pool) = &db {
            pool.execute(AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE"
            )))
            .await
            .with_context(|| format!("cannot drop schema {schema}"))?;
        }
        db.close().await;
    }
    let store = Store::open_with_schema(url, schema)
        .await
        .with_context(|| format!("cannot create the store at {url}"))?;
    let org = store.create_org(owner).await?;
    store.close().await;
    Ok(org.id)
}
