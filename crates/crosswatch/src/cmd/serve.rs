//! `crosswatch serve`: run the exchange hub (TAXII 2.1 server).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use crosswatch_hub::HubConfig;

/// Options for `crosswatch serve`.
#[derive(Args, Debug)]
#[command(
    after_help = "First start: the SQLite database is created in --data-dir. Then create an \
organisation and a token with `crosswatch admin org create NAME` and `crosswatch admin token create \
--org NAME --role admin`. TAXII clients use https://HOST/taxii2/ with `Authorization: Bearer TOKEN` \
(or HTTP Basic with the token as password)."
)]
pub struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<SocketAddr>,
    /// Directory for the embedded SQLite database [default: ./crosswatch-data].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL (sqlite://… or postgres://…); overrides --data-dir.
    #[arg(long, value_name = "URL", env = "CROSSWATCH_DATABASE_URL")]
    pub database: Option<String>,
    /// TOML file with listen, data_dir, database_url, max_body_bytes,
    /// retention_sweep_seconds; command-line options win.
    #[arg(long, value_name = "FILE.toml")]
    pub config: Option<PathBuf>,
    /// Largest accepted request body in bytes [default: 16 MiB].
    #[arg(long, value_name = "BYTES")]
    pub max_body_bytes: Option<usize>,
}

impl ServeArgs {
    /// Merges the file (if any) with the command line.
    pub fn to_config(&self) -> anyhow::Result<HubConfig> {
        let mut config = match &self.config {
            Some(path) => HubConfig::from_toml_file(path)?,
            None => HubConfig::default(),
        };
        if let Some(listen) = self.listen {
            config.listen = listen;
        }
        if let Some(dir) = &self.data_dir {
            config.data_dir = dir.clone();
        }
        if let Some(url) = &self.database {
            config.database_url = Some(url.clone());
        }
        if let Some(limit) = self.max_body_bytes {
            config.max_body_bytes = limit;
        }
        Ok(config)
    }
}

/// Starts a tokio runtime and serves until SIGTERM or Ctrl-C.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let config = args.to_config()?;
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime
        .block_on(crosswatch_hub::serve(config))
        .context("the hub stopped with an error")
}

/// Logs to stderr; `RUST_LOG` selects levels (default `info`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
