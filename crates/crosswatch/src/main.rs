//! The `crosswatch` command: a thin shell over the library crates.
//!
//! Each subcommand lives in its own module under `cmd/`; this file only
//! parses the command line and dispatches.

use clap::{Parser, Subcommand};

mod cmd;

#[derive(Parser)]
#[command(
    name = "crosswatch",
    version,
    about = "Share and act on cross-platform influence-operation intelligence",
    long_about = "Crosswatch imports the indicator files platforms publish about influence \
operations, exchanges them between platforms as STIX 2.1 over TAXII 2.1, matches shared \
signals against a platform's own content, detects coordinated networks and turns it all \
into EU Code of Practice reports.\n\nStart with `crosswatch inspect FILE` on an indicator file."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the exchange hub (TAXII 2.1 server) on the embedded SQLite default or PostgreSQL.
    Serve(cmd::serve::ServeArgs),
    /// Administer a hub: organisations, tokens, sharing groups, audit log.
    #[command(subcommand)]
    Admin(cmd::admin::AdminCommand),
    /// Summarise an indicator file or STIX bundle (auto-detects the format).
    Inspect(cmd::inspect::InspectArgs),
    /// Convert an indicator file or STIX bundle to STIX 2.1 or Crosswatch JSON.
    Convert(cmd::convert::ConvertArgs),
    /// Load and check taxonomies (DISARM).
    #[command(subcommand)]
    Taxonomy(cmd::taxonomy::TaxonomyCommand),
    /// Compute perceptual hashes of images.
    #[command(subcommand)]
    Hash(cmd::hash::HashCommand),
    /// Match observed values against shared signals or protected lists.
    #[command(subcommand)]
    Match(cmd::matching::MatchCommand),
    /// Find coordinated networks in activity logs.
    Detect(Box<cmd::detect::DetectArgs>),
    /// Run a platform node: sync shared signals, match content, review hits.
    #[command(subcommand)]
    Node(cmd::node::NodeCommand),
    /// EU Code of Practice (Commitment 16), DSA statements of reasons and threat reports.
    #[command(subcommand)]
    Report(cmd::report::ReportCommand),
    /// See the whole flow in under a minute: a hub, three platforms, a shared
    /// takedown, matching, review, action and the SLI 16.1.1 table.
    Demo(cmd::demo::DemoArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => cmd::serve::run(args),
        Command::Admin(command) => cmd::admin::run(command),
        Command::Inspect(args) => cmd::inspect::run(args),
        Command::Convert(args) => cmd::convert::run(args),
        Command::Taxonomy(command) => cmd::taxonomy::run(command),
        Command::Hash(command) => cmd::hash::run(command),
        Command::Match(command) => cmd::matching::run(command),
        Command::Detect(args) => cmd::detect::run(*args),
        Command::Node(command) => cmd::node::run(command),
        Command::Report(command) => cmd::report::run(command),
        Command::Demo(args) => cmd::demo::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
