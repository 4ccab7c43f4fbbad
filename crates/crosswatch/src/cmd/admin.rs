//! `crosswatch admin`: organisations, tokens, sharing groups and the audit
//! log of a hub, working directly on its database.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use crosswatch_hub::{HubConfig, Role};

/// Where the hub's database is (same options as `crosswatch serve`).
#[derive(Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// Directory of the embedded SQLite database.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "./crosswatch-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Database URL (sqlite://… or postgres://…); overrides --data-dir.
    #[arg(
        long,
        value_name = "URL",
        env = "CROSSWATCH_DATABASE_URL",
        global = true
    )]
    pub database: Option<String>,
}

/// `crosswatch admin …`
#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Manage member organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Issue or revoke API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage sharing groups.
    #[command(subcommand)]
    Group(GroupCommand),
    /// Print the audit log as JSON Lines (one entry per line).
    Audit {
        /// Only entries after this id (the `id` of the last line of a
        /// previous export), for incremental exports.
        #[arg(long, value_name = "ID", default_value_t = 0)]
        after: i64,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Apply retention policies.
    #[command(subcommand)]
    Retention(RetentionCommand),
}

/// `crosswatch admin retention …`
#[derive(Subcommand, Debug)]
pub enum RetentionCommand {
    /// Expire every object older than its group's retention policy now;
    /// each expiry is a tombstone in the change feed, so subscribers purge
    /// their copies too. (`crosswatch serve` also sweeps periodically.)
    Sweep {
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

/// `crosswatch admin org …`
#[derive(Subcommand, Debug)]
pub enum OrgCommand {
    /// Add an organisation (a platform, fact-checker or researcher).
    Create {
        /// Display name, unique on the hub.
        name: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// List organisations.
    List {
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

/// `crosswatch admin token …`
#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Issue a token; it is printed once and only its digest is kept.
    Create {
        /// Organisation the token acts for.
        #[arg(long)]
        org: String,
        /// admin, analyst, read-only or sync.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Expire after this many days (default: never).
        #[arg(long, value_name = "N")]
        expires_in_days: Option<i64>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Revoke a token by the id printed when it was created.
    Revoke {
        /// Token id.
        id: i64,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

/// `crosswatch admin group …`
#[derive(Subcommand, Debug)]
pub enum GroupCommand {
    /// Create a sharing group (one TAXII collection).
    Create {
        /// Group name, unique on the hub.
        name: String,
        /// Member organisations (repeat the option or list several).
        #[arg(long = "member", value_name = "ORG", num_args = 1..)]
        members: Vec<String>,
        /// Objects shared to the group expire after N days.
        #[arg(long, value_name = "N")]
        retention_days: Option<i64>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Set how many days objects shared to a group are kept (or remove
    /// the limit with --keep-forever).
    Retention {
        /// Group name.
        group: String,
        /// Keep objects this many days after they were shared.
        #[arg(
            long,
            value_name = "N",
            conflicts_with = "keep_forever",
            required_unless_present = "keep_forever"
        )]
        days: Option<i64>,
        /// Remove the group's retention limit.
        #[arg(long)]
        keep_forever: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Add an organisation to a group.
    AddMember {
        /// Group name.
        group: String,
        /// Organisation name.
        org: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
}

/// Runs one admin command on its own tokio runtime.
pub fn run(command: AdminCommand) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run_async(command))
}

async fn open(db: &DatabaseArgs) -> anyhow::Result<crosswatch_hub::Store> {
    let config = HubConfig {
        data_dir: db.data_dir.clone(),
        database_url: db.database.clone(),
        ..HubConfig::default()
    };
    crosswatch_hub::open_store(&config)
        .await
        .context("cannot open the hub database")
}

async fn run_async(command: AdminCommand) -> anyhow::Result<()> {
    use crosswatch_hub::admin;
    match command {
        AdminCommand::Org(OrgCommand::Create { name, db }) => {
            let store = open(&db).await?;
            let org = admin::create_org(&store, &name).await?;
            println!("created organisation `{}` (id {})", org.name, org.id);
            store.close().await;
        }
        AdminCommand::Org(OrgCommand::List { db }) => {
            let store = open(&db).await?;
            for org in store.list_orgs().await? {
                println!(
                    "{}\t{}\tinbox collection {}",
                    org.id, org.name, org.collection_id
                );
            }
            store.close().await;
        }
        AdminCommand::Token(TokenCommand::Create {
            org,
            role,
            expires_in_days,
            db,
        }) => {
            let store = open(&db).await?;
            let (info, secret) = admin::create_token(&store, &org, role, expires_in_days).await?;
            eprintln!(
                "token id {} for `{org}` with role {role}{}. It is shown only this once:",
                info.id,
                info.expires
                    .as_deref()
                    .map(|at| format!(", expires {at}"))
                    .unwrap_or_default()
            );
            println!("{secret}");
            store.close().await;
        }
        AdminCommand::Token(TokenCommand::Revoke { id, db }) => {
            let store = open(&db).await?;
            if admin::revoke_token(&store, id).await? {
                println!("token {id} revoked");
            } else {
                anyhow::bail!("no live token with id {id}");
            }
            store.close().await;
        }
        AdminCommand::Group(GroupCommand::Create {
            name,
            members,
            retention_days,
            db,
        }) => {
            let store = open(&db).await?;
            let group = admin::create_group(&store, &name, &members, retention_days).await?;
            println!(
                "created sharing group `{}` with {} member(s); TAXII collection {}",
                group.name,
                members.len(),
                group.collection_id
            );
            store.close().await;
        }
        AdminCommand::Group(GroupCommand::AddMember { group, org, db }) => {
            let store = open(&db).await?;
            admin::add_member(&store, &group, &org).await?;
            println!("`{org}` is a member of `{group}`");
            store.close().await;
        }
        AdminCommand::Group(GroupCommand::Retention {
            group,
            days,
            keep_forever: _,
            db,
        }) => {
            let store = open(&db).await?;
            admin::set_retention(&store, &group, days).await?;
            match days {
                Some(days) => println!("objects shared to `{group}` now expire after {days} days"),
                None => println!("objects shared to `{group}` are now kept until deleted"),
            }
            store.close().await;
        }
        AdminCommand::Retention(RetentionCommand::Sweep { db }) => {
            let store = open(&db).await?;
            let expired = admin::sweep_retention(&store).await?;
            println!("{expired} object version(s) expired");
            store.close().await;
        }
        AdminCommand::Audit { after, db } => {
            let store = open(&db).await?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let count = admin::export_audit(&store, after, &mut out).await?;
            drop(out);
            eprintln!("{count} audit entries");
            store.close().await;
        }
    }
    Ok(())
}
