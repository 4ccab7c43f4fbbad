//! Fresh, isolated stores for tests of this crate and its users.
//!
//! SQLite stores live in a new temporary directory; PostgreSQL stores get
//! a new schema in the database named by `CROSSWATCH_TEST_POSTGRES_URL`,
//! so tests run in parallel without seeing each other.

use std::path::PathBuf;

use crate::{Caller, Role, Store};

/// Environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "CROSSWATCH_TEST_POSTGRES_URL";

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// Creates a new empty directory under the system temporary directory.
    pub fn new() -> std::io::Result<TempDir> {
        let path = std::env::temp_dir().join(format!("crosswatch-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Indicator number `n`, a domain pattern for `d{n}.{domain}`, with a fixed
/// id per `n` (TLP unmarked, created 2024-01-01).
pub fn domain_indicator(n: usize, domain: &str) -> serde_json::Value {
    serde_json::json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--00000000-0000-4000-8000-{n:012}"),
        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
        "pattern": format!("[domain-name:value = 'd{n}.{domain}']"),
        "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z",
    })
}

/// A caller with a new `role` token of organisation `name` (created when
/// missing).
pub async fn caller(store: &Store, name: &str, role: Role) -> Result<Caller, String> {
    let org = match store.org_by_name(name).await.map_err(|e| e.to_string())? {
        Some(org) => org,
        None => store.create_org(name).await.map_err(|e| e.to_string())?,
    };
    let (_, secret) = store
        .create_token(org.id, role, None)
        .await
        .map_err(|e| e.to_string())?;
    store
        .authenticate(&secret)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "a fresh token did not authenticate".to_string())
}

/// A store on a fresh SQLite file; keep the directory alive while in use.
pub async fn sqlite_store() -> Result<(Store, TempDir), String> {
    let dir = TempDir::new().map_err(|e| e.to_string())?;
    let store = Store::open_sqlite(&dir.0.join("crosswatch.db"))
        .await
        .map_err(|e| e.to_string())?;
    Ok((store, dir))
}

/// A store in a fresh PostgreSQL schema, or `None` (after printing a
/// visible SKIPPED notice) when the variable is unset or the server is
/// unreachable.
pub async fn postgres_store(test: &str) -> Option<Store> {
    let Ok(url) = std::env::var(POSTGRES_URL_VAR) else {
        eprintln!("SKIPPED {test}: set {POSTGRES_URL_VAR} to run the PostgreSQL variant");
        return None;
    };
    let schema = format!("cw_test_{}", uuid::Uuid::new_v4().simple());
    match Store::open_with_schema(&url, Some(&schema)).await {
        Ok(store) => Some(store),
        Err(error) => {
            eprintln!("SKIPPED {test}: PostgreSQL at {POSTGRES_URL_VAR} unreachable: {error}");
            None
        }
    }
}

/// Runs each named async test function `async fn NAME(store: &Store)`,
/// found in the invoking module, once on a fresh SQLite store and once on a
/// fresh PostgreSQL schema (skipped visibly without a server): the same
/// suite on both backends.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (store, _dir) = $crate::testing::sqlite_store().await.unwrap();
                    super::$name(&store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(store) = $crate::testing::postgres_store(stringify!($name)).await else {
                        return;
                    };
                    super::$name(&store).await;
                }
            )*
        }
    };
}
