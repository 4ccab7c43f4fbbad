//! `crosswatch inspect`: what an indicator file or bundle says, for people
//! (a summary) or programs (`--json`, a stable document).

use std::path::PathBuf;

use clap::Args;
use crosswatch_model::{Incident, IndicatorKind};
use serde_json::{Value, json};

use super::source::{FormatChoice, load};

/// Summarise an indicator file or STIX bundle.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  crosswatch inspect Q3_2024_MOLDOVA_BASED_CIB_NETWORK.csv\n  crosswatch inspect --json bundle.json | jq '.incidents[0].assets'"
)]
pub struct InspectArgs {
    /// The file to read (`-` for standard input).
    pub file: PathBuf,
    /// The file's format; `auto` detects it from the content.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: FormatChoice,
    /// Print a stable JSON document instead of a summary.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: InspectArgs) -> anyhow::Result<()> {
    let loaded = load(&args.file, args.format)?;
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    if args.json {
        let document = json!({
            "format": super::source::format_name(loaded.format),
            "incidents": loaded.incidents.iter().map(incident_document).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&document)?);
        return Ok(());
    }
    if let Some(taxonomy) = &loaded.taxonomy {
        use crosswatch_model::taxonomy::TechniqueLevel::*;
        println!(
            "{}: Online Operations Kill Chain taxonomy: {} tactics, {} techniques, {} procedures",
            args.file.display(),
            taxonomy.count(Tactic),
            taxonomy.count(Technique),
            taxonomy.count(Procedure)
        );
        return Ok(());
    }
    println!(
        "{} ({} format, {} incident(s))",
        args.file.display(),
        super::source::format_name(loaded.format),
        loaded.incidents.len()
    );
    for incident in &loaded.incidents {
        print_summary(incident);
    }
    Ok(())
}

/// The `--json` shape of one incident. Field names are a stable interface.
pub fn incident_document(incident: &Incident) -> Value {
    let indicators: Vec<Value> = incident
        .indicators
        .iter()
        .map(|i| {
            let mut v = json!({ "type": i.kind.as_str(), "value": i.value });
            if let Some(p) = &i.platform {
                v["platform"] = json!(p.as_str());
            }
            if let Some(h) = &i.handle {
                v["handle"] = json!(h);
            }
            if let Some(a) = i.hash_algorithm {
                v["algorithm"] = json!(a.stix_name());
            }
            if let Some(q) = i.quantity {
                v["quantity"] = json!(q);
            }
            v
        })
        .collect();
    json!({
        "id": incident.id,
        "name": incident.name,
        "tlp": incident.tlp.name(),
        "source": incident.source_org,
        "assets": incident.assets.iter().map(|a| json!({
            "platform": a.platform.as_str(), "kind": a.kind.as_str(), "count": a.count,
        })).collect::<Vec<_>>(),
        "indicators": indicators,
        "techniques": incident.techniques.iter().map(|t| json!({
            "taxonomy": t.taxonomy.as_str(), "id": t.id, "name": t.name,
        })).collect::<Vec<_>>(),
        "origins": incident.origin_countries,
        "targets": incident.target_countries,
    })
}

fn print_summary(incident: &Incident) {
    println!();
    println!("{}  [{}]", incident.name, incident.tlp);
    if !incident.origin_countries.is_empty() {
        println!(
            "  origin:  {}",
            join(incident.origin_countries.iter().map(|c| c.to_string()))
        );
    }
    if !incident.target_countries.is_empty() {
        println!(
            "  targets: {}",
            join(incident.target_countries.iter().map(|c| c.to_string()))
        );
    }
    if !incident.assets.is_empty() {
        println!("  assets removed:");
        for a in &incident.assets {
            println!(
                "    {:>6}  {} {}",
                a.count,
                a.platform.display_name(),
                a.kind.plural()
            );
        }
    }
    let mut kinds: Vec<IndicatorKind> = incident.indicators.iter().map(|i| i.kind).collect();
    kinds.sort();
    kinds.dedup();
    if !kinds.is_empty() {
        println!("  indicators:");
        for kind in kinds {
            let of_kind: Vec<_> = incident
                .indicators
                .iter()
                .filter(|i| i.kind == kind)
                .collect();
            println!("    {} ({}):", kind, of_kind.len());
            for i in of_kind.iter().take(12) {
                let shown = match (&i.platform, &i.handle) {
                    (Some(p), Some(h)) => {
                        format!("{}:{h}  {}", p.as_str(), crosswatch_model::defang(&i.value))
                    }
                    _ if i.kind.is_live_link() => crosswatch_model::defang(&i.value),
                    _ => i.value.clone(),
                };
                println!("      {shown}");
            }
            if of_kind.len() > 12 {
                println!(
                    "      … and {} more (use --json for all)",
                    of_kind.len() - 12
                );
            }
        }
    }
    if !incident.techniques.is_empty() {
        println!("  techniques:");
        for t in &incident.techniques {
            println!("    [{}] {}", t.taxonomy, t);
        }
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}
