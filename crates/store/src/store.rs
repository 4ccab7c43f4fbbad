//! The [`Store`]: one API over SQLite or PostgreSQL.
//!
//! Both backends go through `sqlx::Any` with runtime queries written once
//! with `$N` placeholders (which SQLite accepts too); statements built by
//! [`Sql`] use bare `?` on SQLite, which binds by position. Writes are
//! serialised (a process-wide lock, plus a table lock on PostgreSQL for
//! several hub processes) so change-log sequence order equals commit order:
//! a reader paging by sequence can never skip a row that commits late.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, AssertSqlSafe, Executor, Row};
use tokio::sync::Mutex;

use crate::access::{Distribution, GroupId, OrgId, visible_sql};
use crate::error::StoreError;
use crate::schema::{self, Backend};
use crate::stix_check::{self, now_timestamp};
use crate::token;
use crate::types::*;
use crate::upkeep::Upkeep;

/// Objects returned per page at most, whatever the caller asks for.
pub const MAX_PAGE: u32 = 10_000;

/// The hub's storage.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    write_lock: Arc<Mutex<()>>,
    pub(crate) upkeep: Arc<Upkeep>,
}

type Result<T> = std::result::Result<T, StoreError>;

/// One bound argument.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

/// SQL with its bound arguments, in the order pushed.
pub(crate) struct Sql {
    text: String,
    args: Vec<Arg>,
    backend: Backend,
}

impl Sql {
    pub(crate) fn new(backend: Backend, text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
            backend,
        }
    }
    pub(crate) fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }
    /// Appends a placeholder bound to `arg`: `$N` on PostgreSQL, a bare
    /// `?` on SQLite. SQLite keeps numbered and named parameters in a list
    /// it searches by name when the statement is prepared and again for
    /// every bind, which makes a statement with thousands of them cost
    /// time quadratic in their number; bare `?` parameters are positional.
    pub(crate) fn bind_arg(&mut self, arg: Arg) {
        self.args.push(arg);
        match self.backend {
            Backend::Sqlite => self.text.push('?'),
            Backend::Postgres => {
                use std::fmt::Write;
                let _ = write!(self.text, "${}", self.args.len());
            }
        }
    }
    /// Appends a placeholder bound to a text value.
    pub(crate) fn bind(&mut self, value: &str) {
        self.bind_arg(Arg::Text(value.to_string()));
    }
    /// Appends a placeholder bound to an integer.
    pub(crate) fn bind_i64(&mut self, value: i64) {
        self.bind_arg(Arg::Int(value));
    }
    pub(crate) fn bind_list(&mut self, values: &[String]) {
        self.push("(");
        for (index, value) in values.iter().enumerate() {
            if index > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self.push(")");
    }
    /// Appends `(…), (…)` rows of placeholders for a multi-row INSERT.
    pub(crate) fn bind_rows(&mut self, rows: impl IntoIterator<Item = Vec<Arg>>) {
        for (index, row) in rows.into_iter().enumerate() {
            self.push(if index == 0 { "(" } else { ", (" });
            for (column, arg) in row.into_iter().enumerate() {
                if column > 0 {
                    self.push(", ");
                }
                self.bind_arg(arg);
            }
            self.push(")");
        }
    }
    /// The query, taking the text and arguments (no copies: an envelope's
    /// statements carry megabytes of JSON).
    pub(crate) fn query(self) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
        let mut query = sqlx::query(AssertSqlSafe(self.text));
        for arg in self.args {
            query = match arg {
                Arg::Text(v) => query.bind(v),
                Arg::OptText(v) => query.bind(v),
                Arg::Int(v) => query.bind(v),
                Arg::OptInt(v) => query.bind(v),
            };
        }
        query
    }
}

fn check_schema_name(schema: &str) -> Result<()> {
    let ok = !schema.is_empty()
        && schema.len() <= 63
        && schema
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "schema name `{schema}` must be 1-63 characters of a-z, 0-9 and _"
        )))
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` in WAL mode
    /// and runs pending migrations. The parent directory must exist.
    pub async fn open_sqlite(path: &Path) -> Result<Store> {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Store::open(&url).await
    }

    /// Opens a `sqlite://…` or `postgres://…` URL and runs migrations.
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_with_schema(url, None).await
    }

    /// Like [`Store::open`], but on PostgreSQL keeps every table in
    /// `schema` (created if missing): one database can host several
    /// independent hubs, and tests run in parallel, one schema each.
    pub async fn open_with_schema(url: &str, schema: Option<&str>) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Invalid(format!(
                "database URL `{url}` must start with sqlite:// or postgres://"
            )));
        };
        let mut options = AnyPoolOptions::new()
            .acquire_timeout(std::time::Duration::from_secs(10))
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 8,
            });
        if let (Backend::Postgres, Some(schema)) = (backend, schema) {
            check_schema_name(schema)?;
            let bootstrap = AnyPoolOptions::new()
                .acquire_timeout(std::time::Duration::from_secs(5))
                .max_connections(1)
                .connect(url)
                .await
                .map_err(|e| StoreError::connect(url, e))?;
            bootstrap
                .execute(AssertSqlSafe(format!(
                    "CREATE SCHEMA IF NOT EXISTS {schema}"
                )))
                .await?;
            bootstrap.close().await;
        }
        if backend == Backend::Postgres {
            let set_path = schema.map(|schema| format!("SET search_path TO {schema}"));
            options = options.after_connect(move |conn, _meta| {
                let set_path = set_path.clone();
                Box::pin(async move {
                    if let Some(set_path) = set_path {
                        conn.execute(AssertSqlSafe(set_path)).await?;
                    }
                    // Pages are small keyset scans; a parallel plan only
                    // adds start-up cost and makes page time uneven.
                    conn.execute("SET max_parallel_workers_per_gather = 0")
                        .await?;
                    Ok(())
                })
            });
        }
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA cache_size = -65536").await?;
                    // Checkpoints run beside the writes (see `upkeep`);
                    // a write checkpoints itself only past 40 MB of log.
                    conn.execute("PRAGMA wal_autocheckpoint = 10000").await?;
                    Ok(())
                })
            });
        }
        let pool = options
            .connect(url)
            .await
            .map_err(|e| StoreError::connect(url, e))?;
        if backend == Backend::Sqlite {
            // WAL is a property of the database file; set it once.
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        let store = Store {
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
            upkeep: Arc::new(Upkeep::default()),
        };
        store.migrate().await?;
        if !backend.indexes_in_write() {
            // Rows a stop left unindexed are indexed in the background: a
            // search catches up first anyway, and opening must not wait.
            store.request_upkeep();
        }
        Ok(store)
    }

    /// The engine in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Waits for running queries and closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn migrate(&self) -> Result<()> {
        let _guard = self.write_lock.lock().await;
        self.pool
            .execute("CREATE TABLE IF NOT EXISTS crosswatch_schema (version BIGINT NOT NULL)")
            .await?;
        let current: Option<i64> = sqlx::query("SELECT MAX(version) FROM crosswatch_schema")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        let current = current.unwrap_or(0);
        for (version, statements) in schema::pending(self.backend, current) {
            let mut tx = self.pool.begin().await?;
            for statement in statements {
                tx.execute(AssertSqlSafe(statement)).await?;
            }
            sqlx::query("INSERT INTO crosswatch_schema (version) VALUES ($1)")
                .bind(version)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::info!(version, "database migrated");
        }
        if current > 0 && current < schema::SEARCH_INDEX_VERSION {
            let indexed = self.reindex_search_locked().await?;
            tracing::info!(indexed, "search index built for stored objects");
        }
        Ok(())
    }

    /// Starts a serialised write transaction.
    async fn begin_write(
        &self,
    ) -> Result<(
        tokio::sync::MutexGuard<'_, ()>,
        sqlx::Transaction<'static, sqlx::Any>,
    )> {
        let guard = self.write_lock.lock().await;
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            tx.execute("LOCK TABLE change_log IN EXCLUSIVE MODE")
                .await?;
        }
        Ok((guard, tx))
    }

    // ----- organisations -------------------------------------------------

    /// Adds an organisation.
    pub async fn create_org(&self, name: &str) -> Result<Org> {
        let name = name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(StoreError::Invalid(
                "an organisation name must be 1-200 characters".into(),
            ));
        }
        if self.org_by_name(name).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "organisation `{name}` already exists"
            )));
        }
        let collection_id = uuid::Uuid::new_v4().to_string();
        let (_guard, mut tx) = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO orgs (name, collection_id, created) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(name.to_string())
        .bind(collection_id.clone())
        .bind(now_timestamp())
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        audit_in(&mut tx, None, None, "admin", name, "organisation created").await?;
        tx.commit().await?;
        Ok(Org {
            id,
            name: name.to_string(),
            collection_id,
        })
    }

    /// Finds an organisation by name.
    pub async fn org_by_name(&self, name: &str) -> Result<Option<Org>> {
        self.org_where("name", name).await
    }

    /// The organisation whose inbox collection is `collection_id`.
    pub async fn org_by_collection(&self, collection_id: &str) -> Result<Option<Org>> {
        self.org_where("collection_id", collection_id).await
    }

    /// The organisation whose unique `column` holds `value`.
    async fn org_where(&self, column: &'static str, value: &str) -> Result<Option<Org>> {
        let sql = format!("SELECT id, name, collection_id FROM orgs WHERE {column} = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(value.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| org_from_row(&r)).transpose()
    }

    /// Every organisation, by id.
    pub async fn list_orgs(&self) -> Result<Vec<Org>> {
        let rows = sqlx::query("SELECT id, name, collection_id FROM orgs ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(org_from_row).collect()
    }

    // ----- tokens --------------------------------------------------------

    /// Issues a token for `org`. Returns the record and the secret, which
    /// is shown once: only its SHA-256 digest is stored.
    pub async fn create_token(
        &self,
        org: OrgId,
        role: Role,
        expires_in: Option<time::Duration>,
    ) -> Result<(TokenInfo, String)> {
        let secret = token::generate()?;
        let expires = match expires_in {
            Some(span) if !span.is_positive() => {
                return Err(StoreError::Invalid(
                    "a token's lifetime must be positive (e.g. --expires-in-days 90)".into(),
                ));
            }
            Some(span) => stix_check::format_timestamp(time::OffsetDateTime::now_utc() + span),
            None => None,
        };
        let (_guard, mut tx) = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO tokens (org_id, role, digest, created, expires) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(org)
        .bind(role.name().to_string())
        .bind(token::digest(&secret))
        .bind(now_timestamp())
        .bind(expires.clone())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "organisation does not exist"))?
        .try_get(0)?;
        audit_in(
            &mut tx,
            Some(org),
            None,
            "admin",
            &format!("token:{id}"),
            &format!("token created with role {role}"),
        )
        .await?;
        tx.commit().await?;
        Ok((
            TokenInfo {
                id,
                org,
                role,
                expires,
            },
            secret,
        ))
    }

    /// Resolves a presented token; `None` when unknown, revoked or expired.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<Caller>> {
        let row = sqlx::query(
            "SELECT t.id, t.org_id, t.role, t.expires, t.revoked, o.name \
             FROM tokens t JOIN orgs o ON o.id = t.org_id WHERE t.digest = $1",
        )
        .bind(token::digest(secret))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires: Option<String> = row.try_get(3)?;
        let revoked: i64 = row.try_get(4)?;
        if revoked != 0 || expires.is_some_and(|at| at <= now_timestamp()) {
            return Ok(None);
        }
        let role: String = row.try_get(2)?;
        let role = role.parse().map_err(StoreError::Corrupt)?;
        Ok(Some(Caller {
            token_id: row.try_get(0)?,
            org: row.try_get(1)?,
            role,
            org_name: row.try_get(5)?,
        }))
    }

    /// Revokes a token; `false` when there was no such live token.
    pub async fn revoke_token(&self, token_id: i64) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let done = sqlx::query("UPDATE tokens SET revoked = 1 WHERE id = $1 AND revoked = 0")
            .bind(token_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        audit_in(
            &mut tx,
            None,
            None,
            "admin",
            &format!("token:{token_id}"),
            "token revoked",
        )
        .await?;
        tx.commit().await?;
        Ok(done > 0)
    }

    // ----- sharing groups ------------------------------------------------

    /// Creates a sharing group with its first members.
    pub async fn create_group(
        &self,
        name: &str,
        members: &[OrgId],
        retention_days: Option<i64>,
    ) -> Result<Group> {
        let name = name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(StoreError::Invalid(
                "a group name must be 1-200 characters".into(),
            ));
        }
        if retention_days.is_some_and(|d| d <= 0) {
            return Err(StoreError::Invalid(
                "retention must be at least 1 day".into(),
            ));
        }
        if self.group_by_name(name).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "group `{name}` already exists"
            )));
        }
        let collection_id = uuid::Uuid::new_v4().to_string();
        let (_guard, mut tx) = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO sharing_groups (name, collection_id, retention_days, created) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name.to_string())
        .bind(collection_id.clone())
        .bind(retention_days)
        .bind(now_timestamp())
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        for member in members {
            sqlx::query("INSERT INTO group_members (group_id, org_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*member)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::from_write(e, "a member organisation does not exist"))?;
        }
        audit_in(&mut tx, None, None, "admin", name, "sharing group created").await?;
        tx.commit().await?;
        Ok(Group {
            id,
            name: name.to_string(),
            collection_id,
            retention_days,
        })
    }

    /// Sets (or with `None` removes) a group's retention policy. Objects
    /// already older than the new limit expire at the next sweep.
    pub async fn set_group_retention(&self, group: GroupId, days: Option<i64>) -> Result<()> {
        if days.is_some_and(|d| d <= 0) {
            return Err(StoreError::Invalid(
                "retention must be at least 1 day".into(),
            ));
        }
        let (_guard, mut tx) = self.begin_write().await?;
        let done = sqlx::query("UPDATE sharing_groups SET retention_days = $1 WHERE id = $2")
            .bind(days)
            .bind(group)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done == 0 {
            return Err(StoreError::NotFound(format!("group {group}")));
        }
        let detail = days.map_or("retention removed".to_string(), |d| {
            format!("retention {d} days")
        });
        audit_in(
            &mut tx,
            None,
            None,
            "admin",
            &format!("group:{group}"),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds an organisation to a group (idempotent).
    pub async fn add_group_member(&self, group: GroupId, org: OrgId) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        let exists = sqlx::query("SELECT 1 FROM group_members WHERE group_id = $1 AND org_id = $2")
            .bind(group)
            .bind(org)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            sqlx::query("INSERT INTO group_members (group_id, org_id) VALUES ($1, $2)")
                .bind(group)
                .bind(org)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::from_write(e, "group or organisation does not exist"))?;
            audit_in(
                &mut tx,
                Some(org),
                None,
                "admin",
                &format!("group:{group}"),
                "member added",
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Finds a group by name (administration only: no visibility check).
    pub async fn group_by_name(&self, name: &str) -> Result<Option<Group>> {
        let row = sqlx::query(
            "SELECT id, name, collection_id, retention_days FROM sharing_groups WHERE name = $1",
        )
        .bind(name.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| group_from_row(&r)).transpose()
    }

    /// The groups `org` belongs to.
    pub async fn groups_of(&self, org: OrgId) -> Result<Vec<Group>> {
        let rows = sqlx::query(
            "SELECT g.id, g.name, g.collection_id, g.retention_days FROM sharing_groups g \
             JOIN group_members m ON m.group_id = g.id WHERE m.org_id = $1 ORDER BY g.id",
        )
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(group_from_row).collect()
    }

    /// A group's members, visible only to its members and hub admins;
    /// anyone else gets [`StoreError::NotFound`] (existence is not leaked).
    pub async fn group_members(&self, caller: &Caller, group: GroupId) -> Result<Vec<Org>> {
        let rows = sqlx::query(
            "SELECT o.id, o.name, o.collection_id FROM orgs o \
             JOIN group_members m ON m.org_id = o.id WHERE m.group_id = $1 ORDER BY o.id",
        )
        .bind(group)
        .fetch_all(&self.pool)
        .await?;
        let members = rows.iter().map(org_from_row).collect::<Result<Vec<_>>>()?;
        if caller.role == Role::Admin || members.iter().any(|m| m.id == caller.org) {
            Ok(members)
        } else {
            Err(StoreError::NotFound(format!("group {group}")))
        }
    }

    // ----- objects -------------------------------------------------------

    /// Stores STIX objects from `caller`'s organisation, shared as
    /// `distribution`, in one transaction. Each object gets its own
    /// outcome; an invalid object does not stop the others.
    pub async fn put_objects(
        &self,
        caller: &Caller,
        objects: &[Value],
        distribution: &Distribution,
    ) -> Result<Vec<PutOutcome>> {
        self.put_objects_with_status(caller, objects, distribution, |_| None)
            .await
    }

    /// Like [`Store::put_objects`], and saves the status resource that
    /// `status` makes of the outcomes (`(id, body)`, as
    /// [`Store::save_status`]) in the same transaction: a TAXII POST then
    /// costs one commit, and its status exists exactly when its objects do.
    pub async fn put_objects_with_status(
        &self,
        caller: &Caller,
        objects: &[Value],
        distribution: &Distribution,
        status: impl FnOnce(&[PutOutcome]) -> Option<(String, String)>,
    ) -> Result<Vec<PutOutcome>> {
        if !caller.role.can_write() {
            return Err(StoreError::Forbidden(format!(
                "role {} may not write objects",
                caller.role
            )));
        }
        let (_guard, mut tx) = self.begin_write().await?;
        let outcomes =
            crate::put::put_batch(&mut tx, self.backend, caller, objects, distribution).await?;
        if let Some((id, body)) = status(&outcomes) {
            insert_status(&mut tx, caller.org, id, body).await?;
        }
        tx.commit().await?;
        let stored = outcomes
            .iter()
            .filter(|o| matches!(o, PutOutcome::Stored { .. }))
            .count();
        self.after_object_write(stored);
        Ok(outcomes)
    }

    /// One page of objects visible to `viewer`.
    pub async fn query_objects(&self, viewer: OrgId, query: &ObjectQuery) -> Result<ObjectPage> {
        let limit = query.limit.clamp(1, MAX_PAGE);
        let mut sql = Sql::new(
            self.backend,
            "SELECT a.seq, a.stix_id, a.stix_type, a.version_raw, a.date_added, a.raw, \
             a.owner_org, a.tlp, a.spec_version FROM objects a WHERE ",
        );
        push_filters(&mut sql, viewer, query);
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

    /// Like [`Store::query_objects`], but the page's objects come back as
    /// one JSON array text that the database joins: a TAXII page is sent
    /// as stored, and fetching and converting its rows one by one took as
    /// long as the query. Whether more follow is asked only of a full page.
    pub async fn query_objects_json(&self, viewer: OrgId, query: &ObjectQuery) -> Result<JsonPage> {
        let limit = query.limit.clamp(1, MAX_PAGE);
        let mut sql = Sql::new(
            self.backend,
            "WITH page AS (SELECT a.seq, a.raw, a.date_added FROM objects a WHERE ",
        );
        push_filters(&mut sql, viewer, query);
        sql.push(&format!(
            " ORDER BY a.seq LIMIT {limit}) SELECT COUNT(*), MAX(seq), MIN(date_added), \
             MAX(date_added), COALESCE('[' || string_agg(raw, ',' ORDER BY seq) || ']', '[]') \
             FROM page"
        ));
        let row = sql.query().fetch_one(&self.pool).await?;
        let count: i64 = row.try_get(0)?;
        let last_seq: Option<i64> = row.try_get(1)?;
        let first_added: Option<String> = row.try_get(2)?;
        let last_added: Option<String> = row.try_get(3)?;
        let more = match last_seq {
            Some(last) if count >= i64::from(limit) => {
                let mut rest = query.clone();
                rest.after_seq = Some(last);
                let mut sql = Sql::new(self.backend, "SELECT a.seq FROM objects a WHERE ");
                push_filters(&mut sql, viewer, &rest);
                sql.push(" LIMIT 1");
                sql.query().fetch_optional(&self.pool).await?.is_some()
            }
            _ => false,
        };
        Ok(JsonPage {
            objects_json: row.try_get(4)?,
            count: usize::try_from(count).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            more,
            last_seq,
            date_added_range: first_added.zip(last_added),
        })
    }

    /// How many rows [`Store::query_objects`] would return without paging.
    pub async fn count_objects(&self, viewer: OrgId, query: &ObjectQuery) -> Result<i64> {
        let mut sql = Sql::new(self.backend, "SELECT COUNT(*) FROM objects a WHERE ");
        push_filters(&mut sql, viewer, query);
        Ok(sql.query().fetch_one(&self.pool).await?.try_get(0)?)
    }

    /// Deletes versions of `stix_id` (all when `version` is `None`; else
    /// the one with that normalised timestamp). Only the owner organisation
    /// may delete; each deleted version leaves a tombstone in the change
    /// log. Returns how many versions were deleted.
    pub async fn delete_object(
        &self,
        caller: &Caller,
        stix_id: &str,
        version: Option<&str>,
    ) -> Result<usize> {
        let (_guard, mut tx) = self.begin_write().await?;
        let mut sql = Sql::new(
            self.backend,
            "SELECT a.version, a.owner_org FROM objects a WHERE a.deleted = 0 AND a.stix_id = ",
        );
        sql.bind(stix_id);
        if let Some(version) = version {
            sql.push(" AND a.version = ");
            sql.bind(version);
        }
        sql.push(" AND ");
        sql.push(&visible_sql("a", caller.org));
        let rows = sql.query().fetch_all(&mut *tx).await?;
        if rows.is_empty() {
            return Err(StoreError::NotFound(format!("object {stix_id}")));
        }
        let mut deleted = 0;
        for row in &rows {
            let owner: i64 = row.try_get(1)?;
            if owner != caller.org || !caller.role.can_write() {
                return Err(StoreError::Forbidden(format!(
                    "only the organisation that shared {stix_id} may delete it"
                )));
            }
            let version: String = row.try_get(0)?;
            tombstone(&mut tx, "delete", stix_id, &version, Some(caller.org)).await?;
            deleted += 1;
        }
        audit_in(
            &mut tx,
            Some(caller.org),
            Some(caller.token_id),
            "delete",
            stix_id,
            &format!("{deleted} version(s)"),
        )
        .await?;
        tx.commit().await?;
        Ok(deleted)
    }

    /// Change-log entries after `after_seq` that concern objects `viewer`
    /// may see, including tombstones.
    pub async fn changes_after(
        &self,
        viewer: OrgId,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<Change>> {
        let limit = limit.clamp(1, MAX_PAGE);
        let sql = format!(
            "SELECT c.seq, c.kind, c.stix_id, c.version, c.at, a.raw, a.deleted \
             FROM change_log c JOIN objects a ON a.stix_id = c.stix_id AND a.version = c.version \
             WHERE c.seq > $1 AND {} ORDER BY c.seq LIMIT {}",
            visible_sql("a", viewer),
            limit
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(after_seq)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get(1)?;
                let deleted: i64 = row.try_get(6)?;
                let raw: String = row.try_get(5)?;
                let keeps_object =
                    deleted == 0 && matches!(kind.as_str(), "create" | "version" | "revoke");
                Ok(Change {
                    seq: row.try_get(0)?,
                    kind,
                    stix_id: row.try_get(2)?,
                    version: row.try_get(3)?,
                    at: row.try_get(4)?,
                    object: keeps_object.then_some(raw),
                })
            })
            .collect()
    }

    /// The highest change-log sequence so far (0 when empty).
    pub async fn latest_seq(&self) -> Result<i64> {
        let seq: Option<i64> = sqlx::query("SELECT MAX(seq) FROM change_log")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(seq.unwrap_or(0))
    }

    // ----- retention -----------------------------------------------------

    /// Expires objects shared to groups with a retention policy whose
    /// `date_added` is older than the policy allows, as of `now` (stored
    /// timestamp form). Each expiry is a tombstone. Returns how many.
    pub async fn sweep_retention(&self, now: time::OffsetDateTime) -> Result<usize> {
        let groups = sqlx::query(
            "SELECT id, retention_days FROM sharing_groups WHERE retention_days IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut expired = 0;
        for group in groups {
            let id: i64 = group.try_get(0)?;
            let days: i64 = group.try_get(1)?;
            let Some(cutoff) = stix_check::format_timestamp(now - time::Duration::days(days))
            else {
                continue;
            };
            let (_guard, mut tx) = self.begin_write().await?;
            let rows = sqlx::query(
                "SELECT stix_id, version FROM objects WHERE deleted = 0 AND dist_kind = 'group' \
                 AND dist_group = $1 AND date_added < $2",
            )
            .bind(id)
            .bind(cutoff)
            .fetch_all(&mut *tx)
            .await?;
            for row in &rows {
                let stix_id: String = row.try_get(0)?;
                let version: String = row.try_get(1)?;
                tombstone(&mut tx, "expire", &stix_id, &version, None).await?;
                audit_in(
                    &mut tx,
                    None,
                    None,
                    "expire",
                    &stix_id,
                    &format!("group {id} retention {days} days"),
                )
                .await?;
            }
            tx.commit().await?;
            expired += rows.len();
        }
        Ok(expired)
    }

    // ----- feedback ------------------------------------------------------

    /// Records feedback on an object the caller may see.
    pub async fn add_feedback(&self, caller: &Caller, feedback: &Feedback) -> Result<()> {
        let mut query = ObjectQuery::new(Scope::Everything, 1);
        query.ids = vec![feedback.stix_id.clone()];
        if self.count_objects(caller.org, &query).await? == 0 {
            return Err(StoreError::NotFound(format!("object {}", feedback.stix_id)));
        }
        let member_states = serde_json::to_string(&feedback.member_states)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO feedback (stix_id, org_id, kind, platform, action_count, member_states, \
             anonymous, note, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(feedback.stix_id.clone())
        .bind(caller.org)
        .bind(feedback.kind.name().to_string())
        .bind(feedback.platform.clone())
        .bind(feedback.action_count)
        .bind(member_states)
        .bind(i64::from(feedback.anonymous))
        .bind(feedback.note.clone())
        .bind(now_timestamp())
        .execute(&mut *tx)
        .await?;
        audit_in(
            &mut tx,
            Some(caller.org),
            Some(caller.token_id),
            "feedback",
            &feedback.stix_id,
            feedback.kind.name(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Feedback on an object the viewer may see; anonymous entries from
    /// other organisations come without the submitter.
    pub async fn feedback_for(&self, viewer: OrgId, stix_id: &str) -> Result<Vec<FeedbackEntry>> {
        let mut query = ObjectQuery::new(Scope::Everything, 1);
        query.ids = vec![stix_id.to_string()];
        query.versions = vec![VersionMatch::All];
        if self.count_objects(viewer, &query).await? == 0 {
            return Err(StoreError::NotFound(format!("object {stix_id}")));
        }
        let rows = sqlx::query(
            "SELECT f.kind, f.platform, f.action_count, f.member_states, f.anonymous, f.note, \
             f.created, f.org_id, o.name FROM feedback f JOIN orgs o ON o.id = f.org_id \
             WHERE f.stix_id = $1 ORDER BY f.id",
        )
        .bind(stix_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get(0)?;
                let member_states: Option<String> = row.try_get(3)?;
                let anonymous: i64 = row.try_get(4)?;
                let org_id: i64 = row.try_get(7)?;
                let org_name: String = row.try_get(8)?;
                Ok(FeedbackEntry {
                    feedback: Feedback {
                        stix_id: stix_id.to_string(),
                        kind: parse_feedback_kind(&kind)
                            .ok_or_else(|| StoreError::Corrupt(format!("feedback kind {kind}")))?,
                        platform: row.try_get(1)?,
                        action_count: row.try_get(2)?,
                        member_states: member_states
                            .and_then(|m| serde_json::from_str(&m).ok())
                            .unwrap_or_default(),
                        anonymous: anonymous != 0,
                        note: row.try_get(5)?,
                    },
                    org: (anonymous == 0 || org_id == viewer).then_some(org_name),
                    created: row.try_get(6)?,
                })
            })
            .collect()
    }

    // ----- audit ---------------------------------------------------------

    /// Appends an audit entry (reads are recorded by the server this way).
    /// Audit ids need no order shared with the change log, so on
    /// PostgreSQL this takes no table lock and reads do not queue behind
    /// writes; SQLite has one writer at a time, so it queues in-process
    /// rather than spinning on the file lock.
    pub async fn audit(
        &self,
        caller: &Caller,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<()> {
        let _guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().await),
            Backend::Postgres => None,
        };
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            // Reads are audited page by page; waiting for a WAL flush on
            // each would double a page's time. PostgreSQL flushes within a
            // fraction of a second, so only a server crash in that moment
            // can lose an entry; shared objects keep synchronous commits.
            // (SQLite in WAL mode with synchronous=NORMAL behaves alike.)
            tx.execute("SET LOCAL synchronous_commit = off").await?;
        }
        audit_in(
            &mut tx,
            Some(caller.org),
            Some(caller.token_id),
            action,
            target,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Audit entries with an id above `after_id`, oldest first.
    pub async fn audit_entries(&self, after_id: i64, limit: u32) -> Result<Vec<AuditEntry>> {
        self.audit_entries_of(None, after_id, limit).await
    }

    /// Like [`Store::audit_entries`], limited to what `org` did when given
    /// (an organisation's admin sees its own trail, the hub operator all).
    pub async fn audit_entries_of(
        &self,
        org: Option<OrgId>,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        let only_org = org.map_or(String::new(), |org| format!(" AND org_id = {org}"));
        let sql = format!(
            "SELECT id, at, org_id, token_id, action, target, detail FROM audit_log \
             WHERE id > $1{only_org} ORDER BY id LIMIT {}",
            limit.clamp(1, MAX_PAGE)
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(after_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.try_get(0)?,
                    at: row.try_get(1)?,
                    org: row.try_get(2)?,
                    token: row.try_get(3)?,
                    action: row.try_get(4)?,
                    target: row.try_get(5)?,
                    detail: row.try_get(6)?,
                })
            })
            .collect()
    }

    // ----- TAXII status --------------------------------------------------

    /// Saves a TAXII status resource (JSON text) for `org`.
    pub async fn save_status(&self, org: OrgId, id: &str, body: &str) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        insert_status(&mut tx, org, id.to_string(), body.to_string()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Loads a status resource if it belongs to `org`.
    pub async fn load_status(&self, org: OrgId, id: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT body FROM taxii_status WHERE id = $1 AND org_id = $2")
            .bind(id.to_string())
            .bind(org)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }
}

// ----- helpers -----------------------------------------------------------

pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Records a TAXII status resource inside `tx`.
async fn insert_status(tx: &mut Tx, org: OrgId, id: String, body: String) -> Result<()> {
    sqlx::query("INSERT INTO taxii_status (id, org_id, created, body) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(org)
        .bind(now_timestamp())
        .bind(body)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn audit_in(
    tx: &mut Tx,
    org: Option<OrgId>,
    token: Option<i64>,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, org_id, token_id, action, target, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now_timestamp())
    .bind(org)
    .bind(token)
    .bind(action.to_string())
    .bind(target.to_string())
    .bind(detail.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks one version deleted and logs a tombstone.
async fn tombstone(
    tx: &mut Tx,
    kind: &str,
    stix_id: &str,
    version: &str,
    actor: Option<OrgId>,
) -> Result<()> {
    sqlx::query("UPDATE objects SET deleted = 1 WHERE stix_id = $1 AND version = $2")
        .bind(stix_id.to_string())
        .bind(version.to_string())
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO change_log (kind, stix_id, version, actor_org, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(kind.to_string())
        .bind(stix_id.to_string())
        .bind(version.to_string())
        .bind(actor)
        .bind(now_timestamp())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) fn push_filters(sql: &mut Sql, viewer: OrgId, query: &ObjectQuery) {
    sql.push("a.deleted = 0 AND ");
    sql.push(&visible_sql("a", viewer));
    sql.push(" AND ");
    sql.push(&scope_sql("a", &query.scope));
    if let Some(after) = query.after_seq {
        // Bound, not inlined: one plan for every page of a pull.
        sql.push(" AND a.seq > ");
        sql.bind_i64(after);
    }
    if let Some(added_after) = &query.added_after {
        sql.push(" AND a.date_added > ");
        sql.bind(added_after);
    }
    for (column, values) in [
        ("a.stix_type", &query.types),
        ("a.stix_id", &query.ids),
        ("a.spec_version", &query.spec_versions),
    ] {
        if !values.is_empty() {
            sql.push(&format!(" AND {column} IN "));
            sql.bind_list(values);
        }
    }
    let versions: &[VersionMatch] = if query.versions.is_empty() {
        &[VersionMatch::Last]
    } else {
        &query.versions
    };
    if versions.contains(&VersionMatch::All) {
        return;
    }
    sql.push(" AND (");
    for (index, version) in versions.iter().enumerate() {
        if index > 0 {
            sql.push(" OR ");
        }
        match version {
            VersionMatch::Last | VersionMatch::First => {
                let op = if *version == VersionMatch::Last {
                    ">"
                } else {
                    "<"
                };
                // `superseded = 0` means no newer version exists at all,
                // which settles `last` without probing for one.
                let fast_path = if *version == VersionMatch::Last {
                    "a.superseded = 0 OR "
                } else {
                    ""
                };
                sql.push(&format!(
                    "({fast_path}NOT EXISTS (SELECT 1 FROM objects b WHERE b.stix_id = a.stix_id \
                     AND b.deleted = 0 AND b.version {op} a.version AND {} AND {}))",
                    visible_sql("b", viewer),
                    scope_sql("b", &query.scope)
                ));
            }
            VersionMatch::At(at) => {
                sql.push("a.version = ");
                sql.bind(at);
            }
            VersionMatch::All => sql.push("1 = 1"),
        }
    }
    sql.push(")");
}

fn scope_sql(alias: &str, scope: &Scope) -> String {
    match scope {
        Scope::Group(group) => {
            format!("({alias}.dist_kind = 'group' AND {alias}.dist_group = {group})")
        }
        Scope::AllMembers => format!("({alias}.dist_kind = 'all')"),
        Scope::Inbox(org) => format!(
            "(({alias}.dist_kind = 'named' AND {alias}.row_id IN \
             (SELECT r2.row_id FROM object_recipients r2 WHERE r2.org_id = {org})) \
             OR ({alias}.dist_kind = 'org' AND {alias}.owner_org = {org}))"
        ),
        Scope::Everything => "(1 = 1)".to_string(),
    }
}

fn org_from_row(row: &AnyRow) -> Result<Org> {
    Ok(Org {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        collection_id: row.try_get(2)?,
    })
}

fn group_from_row(row: &AnyRow) -> Result<Group> {
    Ok(Group {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        collection_id: row.try_get(2)?,
        retention_days: row.try_get(3)?,
    })
}

pub(crate) fn object_from_row(row: &AnyRow) -> Result<StoredObject> {
    let tlp: String = row.try_get(7)?;
    Ok(StoredObject {
        seq: row.try_get(0)?,
        stix_id: row.try_get(1)?,
        stix_type: row.try_get(2)?,
        version: row.try_get(3)?,
        date_added: row.try_get(4)?,
        raw: row.try_get(5)?,
        owner: row.try_get(6)?,
        tlp: tlp
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("TLP `{tlp}`")))?,
        spec_version: row.try_get(8)?,
    })
}
