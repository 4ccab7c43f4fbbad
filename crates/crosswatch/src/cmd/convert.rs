//! `crosswatch convert`: an indicator file or bundle to STIX 2.1 or
//! Crosswatch JSON.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use crosswatch_model::Tlp;

use super::source::{FormatChoice, load};

/// Convert an indicator file or STIX bundle.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  crosswatch convert Q4_2024_BENIN_BASED_CIB_NETWORK.csv --to stix -o benin.json\n  crosswatch convert bundle.json --to json"
)]
pub struct ConvertArgs {
    /// The file to read (`-` for standard input).
    pub file: PathBuf,
    /// What to write: a STIX 2.1 bundle or Crosswatch incident JSON.
    #[arg(long, value_enum)]
    pub to: Target,
    /// The input's format; `auto` detects it.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: FormatChoice,
    /// Mark every incident with this TLP 2.0 level (CLEAR, GREEN, AMBER, AMBER+STRICT, RED).
    #[arg(long)]
    pub tlp: Option<Tlp>,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// A STIX 2.1 bundle.
    Stix,
    /// Crosswatch incident JSON (a list of incidents).
    Json,
}

pub fn run(args: ConvertArgs) -> anyhow::Result<()> {
    let loaded = load(&args.file, args.format)?;
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    let mut incidents = loaded.incidents;
    if incidents.is_empty() {
        anyhow::bail!(
            "{}: nothing to convert (no incidents in the file)",
            args.file.display()
        );
    }
    if let Some(tlp) = args.tlp {
        for incident in &mut incidents {
            incident.tlp = tlp;
        }
    }
    let text = match args.to {
        Target::Stix => {
            let bundle = crosswatch_stix::export_incidents(
                &incidents,
                &crosswatch_stix::ExportOptions::default(),
            );
            crosswatch_stix::to_json_pretty(&bundle)
        }
        Target::Json => serde_json::to_string_pretty(&incidents)?,
    };
    match &args.output {
        Some(path) => std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{text}").context("cannot write to standard output")?;
        }
    }
    Ok(())
}
