//! Embedded migrations, one DDL text for both backends.
//!
//! The backend differences are the auto-increment key, substituted for
//! `{pk}`, and SQLite's `WITHOUT ROWID` tables (`{without_rowid}`); every
//! column is `TEXT` or `BIGINT`, which both SQLite and PostgreSQL store
//! and compare the same way (timestamps are fixed-width UTC strings, JSON
//! is text).

/// Database engines the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded, single file, WAL mode.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    fn primary_key(self) -> &'static str {
        match self {
            Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
            Backend::Postgres => "BIGSERIAL PRIMARY KEY",
        }
    }
    /// Whether a write indexes its own objects for search in its
    /// transaction. SQLite has one writer at a time, so an indexer beside
    /// the writes would only queue behind the next write; PostgreSQL
    /// indexes on a connection of its own while the next write runs.
    pub(crate) fn indexes_in_write(self) -> bool {
        self == Backend::Sqlite
    }

    /// Table option for tables whose primary key is all they are looked
    /// up by: SQLite then stores the rows in the key's B-tree alone.
    fn without_rowid(self) -> &'static str {
        match self {
            Backend::Sqlite => " WITHOUT ROWID",
            Backend::Postgres => "",
        }
    }
}

/// Migrations in order; each entry is one schema version.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE orgs (
    id {pk},
    name TEXT NOT NULL UNIQUE,
    collection_id TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL
);
CREATE TABLE tokens (
    id {pk},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    role TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    expires TEXT,
    revoked BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE sharing_groups (
    id {pk},
    name TEXT NOT NULL UNIQUE,
    collection_id TEXT NOT NULL UNIQUE,
    retention_days BIGINT,
    created TEXT NOT NULL
);
CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES sharing_groups(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (group_id, org_id)
);
CREATE INDEX group_members_by_org ON group_members (org_id, group_id);
CREATE TABLE change_log (
    seq {pk},
    kind TEXT NOT NULL,
    stix_id TEXT NOT NULL,
    version TEXT NOT NULL,
    actor_org BIGINT,
    at TEXT NOT NULL
);
CREATE TABLE objects (
    row_id {pk},
    seq BIGINT NOT NULL,
    stix_id TEXT NOT NULL,
    stix_type TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    created TEXT,
    modified TEXT,
    version TEXT NOT NULL,
    version_raw TEXT NOT NULL,
    owner_org BIGINT NOT NULL REFERENCES orgs(id),
    tlp TEXT NOT NULL,
    dist_kind TEXT NOT NULL,
    dist_group BIGINT,
    raw TEXT NOT NULL,
    date_added TEXT NOT NULL,
    deleted BIGINT NOT NULL DEFAULT 0,
    UNIQUE (stix_id, version)
);
CREATE INDEX objects_by_seq ON objects (seq);
CREATE INDEX objects_by_group ON objects (dist_group, date_added);
CREATE TABLE object_recipients (
    row_id BIGINT NOT NULL REFERENCES objects(row_id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (row_id, org_id)
);
CREATE INDEX object_recipients_by_org ON object_recipients (org_id, row_id);
CREATE TABLE feedback (
    id {pk},
    stix_id TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    platform TEXT,
    action_count BIGINT,
    member_states TEXT,
    anonymous BIGINT NOT NULL DEFAULT 0,
    note TEXT,
    created TEXT NOT NULL
);
CREATE INDEX feedback_by_object ON feedback (stix_id);
CREATE TABLE audit_log (
    id {pk},
    at TEXT NOT NULL,
    org_id BIGINT,
    token_id BIGINT,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE taxii_status (
    id TEXT PRIMARY KEY,
    org_id BIGINT NOT NULL,
    created TEXT NOT NULL,
    body TEXT NOT NULL
);
"#,
    r#"
ALTER TABLE objects ADD COLUMN time_start TEXT;
ALTER TABLE objects ADD COLUMN time_end TEXT;
CREATE TABLE search_terms (
    row_id BIGINT NOT NULL REFERENCES objects(row_id),
    field TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX search_terms_by_value ON search_terms (field, value, row_id);
CREATE INDEX search_terms_by_row ON search_terms (row_id);
CREATE TABLE search_links (
    row_id BIGINT NOT NULL REFERENCES objects(row_id),
    kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    target_id TEXT NOT NULL
);
CREATE INDEX search_links_by_source ON search_links (source_id, kind);
CREATE INDEX search_links_by_target ON search_links (target_id, kind)
"#,
    r#"
ALTER TABLE objects ADD COLUMN superseded BIGINT NOT NULL DEFAULT 0;
UPDATE objects SET superseded = 1 WHERE EXISTS
    (SELECT 1 FROM objects b WHERE b.stix_id = objects.stix_id AND b.version > objects.version)
"#,
    // The search index keyed by what it is searched by: on SQLite a term
    // or link is one B-tree entry instead of a table row and two index
    // entries, and neither backend runs a foreign-key check per term (the
    // store writes terms with their object in one transaction). Rebuilt
    // by `Store::reindex_search_locked` without a per-row index: it
    // clears the tables first.
    r#"
CREATE TABLE search_terms_keyed (
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    row_id BIGINT NOT NULL,
    PRIMARY KEY (field, value, row_id)
){without_rowid};
INSERT INTO search_terms_keyed (field, value, row_id)
    SELECT DISTINCT field, value, row_id FROM search_terms;
DROP TABLE search_terms;
ALTER TABLE search_terms_keyed RENAME TO search_terms;
CREATE TABLE search_links_keyed (
    source_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    row_id BIGINT NOT NULL,
    PRIMARY KEY (source_id, kind, target_id, row_id)
){without_rowid};
INSERT INTO search_links_keyed (source_id, kind, target_id, row_id)
    SELECT DISTINCT source_id, kind, target_id, row_id FROM search_links;
DROP TABLE search_links;
ALTER TABLE search_links_keyed RENAME TO search_links;
CREATE INDEX search_links_by_target ON search_links (target_id, kind)
"#,
    // How far the search index follows `objects`: every row up to
    // `indexed_upto` has its terms and links (see `Store::index_pending`).
    r#"
CREATE TABLE search_progress (indexed_upto BIGINT NOT NULL);
INSERT INTO search_progress (indexed_upto) SELECT COALESCE(MAX(row_id), 0) FROM objects
"#,
];

/// The first schema version with the search index; databases migrated
/// from an older version have their stored objects indexed once.
pub(crate) const SEARCH_INDEX_VERSION: i64 = 2;

/// The statements that bring a database from `current` to the latest
/// version, paired with the version each migration reaches.
pub(crate) fn pending(backend: Backend, current: i64) -> Vec<(i64, Vec<String>)> {
    MIGRATIONS
        .iter()
        .enumerate()
        .filter_map(|(index, text)| {
            let version = i64::try_from(index).ok()? + 1;
            (version > current).then(|| {
                let ddl = text
                    .replace("{pk}", backend.primary_key())
                    .replace("{without_rowid}", backend.without_rowid());
                let statements = ddl
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                (version, statements)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_pending_at_latest_version() {
        let latest = i64::try_from(MIGRATIONS.len()).unwrap();
        assert!(pending(Backend::Sqlite, latest).is_empty());
        let all = pending(Backend::Postgres, 0);
        assert_eq!(all.len(), MIGRATIONS.len());
        assert!(all[0].1.iter().any(|s| s.contains("BIGSERIAL")));
        assert!(!all[0].1.iter().any(|s| s.contains("{pk}")));
        for (backend, keyed) in [(Backend::Sqlite, true), (Backend::Postgres, false)] {
            let statements: Vec<String> = pending(backend, 0)
                .into_iter()
                .flat_map(|(_, s)| s)
                .collect();
            assert!(
                !statements.iter().any(|s| s.contains('{')),
                "{backend:?}: a placeholder left"
            );
            assert_eq!(
                statements.iter().any(|s| s.contains("WITHOUT ROWID")),
                keyed
            );
        }
    }
}
