//! Server configuration: command-line values over an optional TOML file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::HubError;

/// Default listen address (loopback only: put a TLS proxy in front).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default data directory for the embedded SQLite database.
pub const DEFAULT_DATA_DIR: &str = "./crosswatch-data";
/// Default request body limit: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Everything `serve` needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HubConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Where the SQLite database lives when no URL is given.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; overrides `data_dir`.
    pub database_url: Option<String>,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// How often retention policies are applied, in seconds (0 = never).
    pub retention_sweep_seconds: u64,
}

impl Default for HubConfig {
    fn default() -> HubConfig {
        HubConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            database_url: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            retention_sweep_seconds: 3600,
        }
    }
}

impl HubConfig {
    /// Reads a TOML file with any of the fields above, e.g.
    /// `listen = "0.0.0.0:8443"` and `database_url = "postgres://…"`.
    pub fn from_toml_file(path: &Path) -> Result<HubConfig, HubError> {
        let text = std::fs::read_to_string(path).map_err(|source| HubError::Io {
            context: format!("cannot read config file {}", path.display()),
            source,
        })?;
        HubConfig::from_toml_str(&text)
            .map_err(|message| HubError::Config(format!("{}: {message}", path.display())))
    }

    /// Parses TOML text.
    pub fn from_toml_str(text: &str) -> Result<HubConfig, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The SQLite file used when no database URL is set.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("crosswatch.db")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_overrides_defaults_and_rejects_unknown_keys() {
        let config = HubConfig::from_toml_str(
            "listen = \"0.0.0.0:9000\"\ndatabase_url = \"postgres://db/hub\"\n",
        )
        .unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.database_url.as_deref(), Some("postgres://db/hub"));
        assert_eq!(config.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        assert!(
            HubConfig::from_toml_str("lisen = \"x\"")
                .unwrap_err()
                .contains("lisen")
        );
    }
}
