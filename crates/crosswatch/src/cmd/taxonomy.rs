//! `crosswatch taxonomy`: load the DISARM framework or Meta's kill-chain
//! taxonomy from the files their maintainers publish, and look entries up.
//!
//! Crosswatch ships no taxonomy text. `load` checks a file and keeps a copy
//! in the data directory; without one, technique ids are checked by shape.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use crosswatch_model::taxonomy::TechniqueLevel;

use super::source::read_input;

/// Load and look up taxonomies.
#[derive(Subcommand)]
pub enum TaxonomyCommand {
    /// Check a taxonomy file and keep a copy in the data directory.
    #[command(after_help = "Example:\n  crosswatch taxonomy load disarm DISARM.json")]
    Load {
        /// Which taxonomy the file holds.
        #[arg(value_enum)]
        taxonomy: TaxonomyName,
        /// The file: DISARM's STIX bundle, or Meta's Online_Operations_Killchain-TTPs.csv.
        path: PathBuf,
        /// Where Crosswatch keeps its data.
        #[arg(long, default_value = "crosswatch-data", env = "CROSSWATCH_DATA_DIR")]
        data_dir: PathBuf,
    },
    /// Show a technique, tactic or procedure from a loaded taxonomy.
    #[command(
        after_help = "Examples:\n  crosswatch taxonomy show T0015.001\n  crosswatch taxonomy show 0.9.1"
    )]
    Show {
        /// The id: DISARM `TA01`, `T0002`, `T0015.001`, or kill-chain `0.9.1`.
        id: String,
        /// Where Crosswatch keeps its data.
        #[arg(long, default_value = "crosswatch-data", env = "CROSSWATCH_DATA_DIR")]
        data_dir: PathBuf,
    },
}

/// A taxonomy Crosswatch understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TaxonomyName {
    /// The DISARM framework, as its official STIX 2.1 bundle.
    Disarm,
    /// Meta's Online Operations Kill Chain, as its CSV.
    KillChain,
}

impl TaxonomyName {
    fn stored_file(self, data_dir: &Path) -> PathBuf {
        let name = match self {
            TaxonomyName::Disarm => "disarm.json",
            TaxonomyName::KillChain => "kill-chain.csv",
        };
        data_dir.join("taxonomy").join(name)
    }
}

pub fn run(command: TaxonomyCommand) -> anyhow::Result<()> {
    match command {
        TaxonomyCommand::Load {
            taxonomy,
            path,
            data_dir,
        } => {
            let (name, bytes) = read_input(&path)?;
            println!("{}", describe(taxonomy, &name, &bytes)?);
            let stored = taxonomy.stored_file(&data_dir);
            if let Some(parent) = stored.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            std::fs::write(&stored, &bytes)
                .with_context(|| format!("cannot write {}", stored.display()))?;
            println!("stored in {}", stored.display());
            Ok(())
        }
        TaxonomyCommand::Show { id, data_dir } => show(&id, &data_dir),
    }
}

fn describe(taxonomy: TaxonomyName, name: &str, bytes: &[u8]) -> anyhow::Result<String> {
    Ok(match taxonomy {
        TaxonomyName::Disarm => {
            let catalogue = crosswatch_stix::DisarmCatalogue::from_bundle(bytes)
                .with_context(|| format!("{name} is not a DISARM STIX bundle"))?;
            format!(
                "DISARM: {} techniques ({} techniques + {} sub-techniques), {} tactics",
                catalogue.technique_count() + catalogue.subtechnique_count(),
                catalogue.technique_count(),
                catalogue.subtechnique_count(),
                catalogue.tactics().len()
            )
        }
        TaxonomyName::KillChain => {
            let text =
                std::str::from_utf8(bytes).with_context(|| format!("{name} is not UTF-8 text"))?;
            let (catalogue, _) = crosswatch_import::KillChainCatalogue::from_csv(name, text)?;
            format!(
                "Online Operations Kill Chain: {} tactics, {} techniques, {} procedures",
                catalogue.count(TechniqueLevel::Tactic),
                catalogue.count(TechniqueLevel::Technique),
                catalogue.count(TechniqueLevel::Procedure)
            )
        }
    })
}

fn show(id: &str, data_dir: &Path) -> anyhow::Result<()> {
    let technique = crosswatch_model::TechniqueRef::parse_any(id)?;
    let taxonomy = match technique.taxonomy {
        crosswatch_model::Taxonomy::Disarm => TaxonomyName::Disarm,
        crosswatch_model::Taxonomy::KillChain => TaxonomyName::KillChain,
    };
    let stored = taxonomy.stored_file(data_dir);
    let bytes = std::fs::read(&stored).with_context(|| {
        format!(
            "no {} taxonomy loaded (looked for {}); run `crosswatch taxonomy load {} FILE` first",
            technique.taxonomy,
            stored.display(),
            technique.taxonomy
        )
    })?;
    match taxonomy {
        TaxonomyName::Disarm => {
            let catalogue = crosswatch_stix::DisarmCatalogue::from_bundle(&bytes)?;
            if let Some(tactic) = catalogue.tactic(&technique.id) {
                println!("{}  {} (tactic)", tactic.id, tactic.name);
            } else if let Some(entry) = catalogue.technique(&technique.id) {
                println!("{}  {}", entry.id, entry.name);
                for tactic in catalogue.tactics_of(&entry.id) {
                    println!("  tactic: {} {}", tactic.id, tactic.name);
                }
                if let Some(parent) = catalogue.parent(&entry.id) {
                    println!("  sub-technique of: {} {}", parent.id, parent.name);
                }
            } else {
                bail!("{} is not in the loaded DISARM framework", technique.id);
            }
        }
        TaxonomyName::KillChain => {
            let text = String::from_utf8_lossy(&bytes);
            let (catalogue, _) =
                crosswatch_import::KillChainCatalogue::from_csv("kill-chain.csv", &text)?;
            match catalogue.get(&technique.id) {
                Some(entry) => println!("{}  {}", entry.id, entry.name),
                None => bail!("{} is not in the loaded kill chain", technique.id),
            }
        }
    }
    Ok(())
}
