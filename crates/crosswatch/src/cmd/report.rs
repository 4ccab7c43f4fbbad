//! `crosswatch report`: EU Code of Practice Commitment 16 reports (SLI 16.1.1,
//! QRE 16.1.1, the Transparency Centre JSON), DSA Transparency Database
//! statements of reasons, incident summaries, an overview page and a DISARM
//! Navigator layer.
//!
//! Inputs are a platform node's store (`--node`: actions, received
//! incidents, fora) and JSON files (arrays of Crosswatch model values) for
//! what a node does not hold: the reporter's own incidents and the
//! feedback it received.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use crosswatch_model::{Action, Incident};
use crosswatch_report::dsa::{DsaOptions, statements_of_reasons, to_json_lines};
use crosswatch_report::sli::forum_label;
use crosswatch_report::{
    Cell, Exchange, Feedback, Forum, ForumKind, OverviewInput, Period, QreInput, SummaryFormat,
    cop_json, incident_summary, navigator_layer, overview_html, qre_16_1_1_html,
    qre_16_1_1_markdown, sli_16_1_1,
};
use serde::de::DeserializeOwned;

/// Where the report's inputs come from and where it goes.
#[derive(Args, Debug, Clone)]
pub struct ReportInputs {
    /// Enforcement actions: a JSON array of Crosswatch actions.
    #[arg(long, value_name = "FILE")]
    actions: Option<PathBuf>,
    /// Also read what a platform node holds (the directory given to
    /// `crosswatch node --data-dir`, holding `node.db`): its recorded
    /// actions, the incidents it received and the fora they came through.
    #[arg(long, value_name = "DIR")]
    node: Option<PathBuf>,
    /// Incidents: a JSON array of Crosswatch incidents.
    #[arg(long, value_name = "FILE")]
    incidents: Option<PathBuf>,
    /// Feedback received on shared incidents: a JSON array.
    #[arg(long, value_name = "FILE")]
    feedback: Option<PathBuf>,
    /// The fora (hubs, sharing groups) you take part in: a JSON array.
    #[arg(long, value_name = "FILE")]
    forums: Option<PathBuf>,
    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Output formats of the SLI table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SliFormat {
    /// JSON with the counting rule and the uncounted actions.
    Json,
    /// CSV: a header row, the 30 EEA countries and a total row.
    Csv,
    /// A Markdown table.
    Md,
    /// A standalone HTML page.
    Html,
}

/// Output formats of prose reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextFormat {
    /// Markdown, ready to paste into the reporting template.
    Md,
    /// A standalone HTML page.
    Html,
}

/// Produce reports from recorded actions and incidents.
#[derive(Subcommand)]
pub enum ReportCommand {
    /// SLI 16.1.1: actions taken because of shared information, per Member State.
    #[command(
        after_help = "Examples:\n  crosswatch report sli --period 2025-07-01..2025-12-31 --actions actions.json --format csv\n  crosswatch report sli --period 2025-07-01..2025-12-31 --actions actions.json --explain FR:pages\n\nCells are ROW:COLUMN: ROW is an EEA code (FR, GR, NO…) or `total`; COLUMN is actions, items,\naccounts, pages, groups, channels, content, other, forum:NAME or source:ORG."
    )]
    Sli {
        /// The period, first and last day included: 2025-07-01..2025-12-31.
        #[arg(long)]
        period: Period,
        /// Only actions taken by this organisation (the acting platform).
        #[arg(long)]
        org: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: SliFormat,
        /// List the actions behind one cell (as JSON) instead of the table.
        #[arg(long, value_name = "CELL")]
        explain: Option<Cell>,
        #[command(flatten)]
        inputs: ReportInputs,
    },
    /// QRE 16.1.1: fora used, what was shared and received, feedback and learnings.
    #[command(
        after_help = "Incidents whose source_org is --reporter count as shared; all others as received."
    )]
    Qre {
        /// The period, first and last day included.
        #[arg(long)]
        period: Period,
        /// Your organisation's name, as used in incidents' source_org.
        #[arg(long)]
        reporter: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: TextFormat,
        #[command(flatten)]
        inputs: ReportInputs,
    },
    /// The Commitment 16 section as Code of Practice Transparency Centre JSON.
    CopJson {
        /// The period, first and last day included.
        #[arg(long)]
        period: Period,
        /// Your organisation's name (signatory and reporter).
        #[arg(long)]
        signatory: String,
        #[command(flatten)]
        inputs: ReportInputs,
    },
    /// DSA Transparency Database statements of reasons, as bulk-API JSON Lines.
    #[command(
        after_help = "Each output line is one request body {\"statements\": [...]} of at most 100\nstatements. Actions that cannot become a valid statement are listed on standard error."
    )]
    Dsa {
        /// The period, first and last day included.
        #[arg(long)]
        period: Period,
        /// Only actions taken by this organisation.
        #[arg(long)]
        org: Option<String>,
        /// The terms-of-service clause relied on (incompatible_content_ground).
        #[arg(long)]
        ground: Option<String>,
        /// A public link to that clause (decision_ground_reference_url).
        #[arg(long)]
        ground_url: Option<String>,
        /// Write the rejected actions with their reasons to this JSON file.
        #[arg(long, value_name = "FILE")]
        rejected: Option<PathBuf>,
        #[command(flatten)]
        inputs: ReportInputs,
    },
    /// A publishable summary of one incident.
    Incident {
        /// The incident's id (UUID).
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: TextFormat,
        #[command(flatten)]
        inputs: ReportInputs,
    },
    /// One HTML page of charts: origins, Member States, TTPs, activity over time.
    Overview {
        /// The period, first and last day included.
        #[arg(long)]
        period: Period,
        /// Page title.
        #[arg(long, default_value = "Crosswatch overview")]
        title: String,
        #[command(flatten)]
        inputs: ReportInputs,
    },
    /// An ATT&CK Navigator layer of the DISARM techniques seen in incidents.
    Navigator {
        /// Layer name.
        #[arg(long, default_value = "Crosswatch DISARM techniques")]
        name: String,
        #[command(flatten)]
        inputs: ReportInputs,
    },
}

fn read_array<T: DeserializeOwned>(path: Option<&Path>, what: &str) -> anyhow::Result<Vec<T>> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the {what} file {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a JSON array of {what} in Crosswatch's format",
            path.display()
        )
    })
}

struct Loaded {
    actions: Vec<Action>,
    incidents: Vec<Incident>,
    feedback: Vec<Feedback>,
    forums: Vec<Forum>,
}

fn load(inputs: &ReportInputs) -> anyhow::Result<Loaded> {
    let mut actions: Vec<crosswatch_model::Action> =
        read_array(inputs.actions.as_deref(), "actions")?;
    let mut incidents: Vec<Incident> = read_array(inputs.incidents.as_deref(), "incidents")?;
    let mut forums: Vec<Forum> = read_array(inputs.forums.as_deref(), "forums")?;
    if let Some(dir) = &inputs.node {
        let path = dir.join("node.db");
        if !path.is_file() {
            anyhow::bail!(
                "no node database at {}; pass the directory given to `crosswatch node --data-dir`",
                path.display()
            );
        }
        let store = crosswatch_node::store::NodeStore::open(&path)
            .with_context(|| format!("cannot open the node database {}", path.display()))?;
        let recorded = store
            .actions()
            .with_context(|| format!("cannot read actions from {}", path.display()))?;
        for action in recorded {
            if !actions.iter().any(|a| a.id == action.id) {
                actions.push(action);
            }
        }
        for held in store
            .incidents()
            .with_context(|| format!("cannot read incidents from {}", path.display()))?
        {
            let name = forum_label(&held.hub, held.sharing_group.as_deref());
            if !forums.iter().any(|f: &Forum| f.name == name) {
                forums.push(Forum {
                    name,
                    kind: if held.sharing_group.is_some() {
                        ForumKind::SharingGroup
                    } else {
                        ForumKind::Hub
                    },
                    description: String::new(),
                    members: Vec::new(),
                });
            }
            if !incidents
                .iter()
                .any(|i: &Incident| i.id == held.incident.id)
            {
                incidents.push(held.incident);
            }
        }
    }
    Ok(Loaded {
        actions,
        incidents,
        feedback: read_array(inputs.feedback.as_deref(), "feedback")?,
        forums,
    })
}

fn emit(inputs: &ReportInputs, text: &str) -> anyhow::Result<()> {
    match &inputs.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write the report to {}", path.display())),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

fn pretty(value: &impl serde::Serialize) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(value).context("cannot encode JSON")?;
    text.push('\n');
    Ok(text)
}

/// Splits incidents into shared (by `reporter`) and received, naming the
/// forum from the provenance of any action they prompted.
fn exchanges(loaded: &Loaded, reporter: &str) -> (Vec<Exchange>, Vec<Exchange>) {
    let mut shared = Vec::new();
    let mut received = Vec::new();
    for incident in &loaded.incidents {
        let forum = loaded
            .actions
            .iter()
            .filter_map(|a| a.prompted_by.as_ref())
            .find(|p| p.incident_id == incident.id)
            .map(|p| forum_label(&p.hub, p.sharing_group.as_deref()))
            .unwrap_or_else(|| "(forum not recorded)".to_string());
        let exchange = Exchange {
            incident: incident.clone(),
            forum,
            at: incident.modified,
        };
        if incident.source_org.as_deref() == Some(reporter) {
            shared.push(exchange);
        } else {
            received.push(exchange);
        }
    }
    (shared, received)
}

/// Refuses an `--org` that took none of the loaded actions (a typo would
/// otherwise give a report of zeros), naming the organisations that did.
fn check_org(actions: &[Action], org: Option<&str>) -> anyhow::Result<()> {
    let Some(org) = org else { return Ok(()) };
    if actions.is_empty() || actions.iter().any(|a| a.platform == org) {
        return Ok(());
    }
    let mut known: Vec<&str> = actions.iter().map(|a| a.platform.as_str()).collect();
    known.sort_unstable();
    known.dedup();
    bail!(
        "no action in the data was taken by `{org}`; the acting organisations are: {}",
        known.join(", ")
    )
}

pub fn run(command: ReportCommand) -> anyhow::Result<()> {
    match command {
        ReportCommand::Sli {
            period,
            org,
            format,
            explain,
            inputs,
        } => {
            let loaded = load(&inputs)?;
            check_org(&loaded.actions, org.as_deref())?;
            let table = sli_16_1_1(&loaded.actions, &period, org.as_deref());
            if let Some(cell) = explain {
                return emit(&inputs, &pretty(&table.explain(&cell))?);
            }
            let text = match format {
                SliFormat::Json => pretty(&table.to_json())?,
                SliFormat::Csv => table.to_csv(),
                SliFormat::Md => table.to_markdown(),
                SliFormat::Html => table.to_html(),
            };
            emit(&inputs, &text)
        }
        ReportCommand::Qre {
            period,
            reporter,
            format,
            inputs,
        } => {
            let loaded = load(&inputs)?;
            let (shared, received) = exchanges(&loaded, &reporter);
            let input = QreInput {
                period,
                reporter: &reporter,
                forums: &loaded.forums,
                shared: &shared,
                received: &received,
                feedback: &loaded.feedback,
            };
            let text = match format {
                TextFormat::Md => qre_16_1_1_markdown(&input),
                TextFormat::Html => qre_16_1_1_html(&input),
            };
            emit(&inputs, &text)
        }
        ReportCommand::CopJson {
            period,
            signatory,
            inputs,
        } => {
            let loaded = load(&inputs)?;
            let (shared, received) = exchanges(&loaded, &signatory);
            let table = sli_16_1_1(&loaded.actions, &period, Some(&signatory));
            let input = QreInput {
                period,
                reporter: &signatory,
                forums: &loaded.forums,
                shared: &shared,
                received: &received,
                feedback: &loaded.feedback,
            };
            emit(&inputs, &pretty(&cop_json(&signatory, &table, &input))?)
        }
        ReportCommand::Dsa {
            period,
            org,
            ground,
            ground_url,
            rejected,
            inputs,
        } => {
            let loaded = load(&inputs)?;
            check_org(&loaded.actions, org.as_deref())?;
            let mut options = DsaOptions {
                org,
                ground_reference_url: ground_url,
                ..DsaOptions::default()
            };
            if let Some(ground) = ground {
                options.contractual_ground = ground;
            }
            let export =
                statements_of_reasons(&loaded.actions, &loaded.incidents, &period, &options);
            let statements: Vec<_> = export.statements.iter().map(|(_, s)| s.clone()).collect();
            emit(
                &inputs,
                &to_json_lines(&statements).context("cannot encode statements")?,
            )?;
            eprintln!(
                "{} statements written; {} actions need none (no EEA Member State affected); {} problems",
                statements.len(),
                export.skipped.len(),
                export.rejected.len()
            );
            for problem in &export.rejected {
                eprintln!(
                    "  action {}{}: {}",
                    problem.action_id,
                    problem
                        .item_id
                        .as_deref()
                        .map(|i| format!(" item {i}"))
                        .unwrap_or_default(),
                    problem.reason
                );
            }
            if let Some(path) = rejected {
                std::fs::write(&path, pretty(&export.rejected)?)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            Ok(())
        }
        ReportCommand::Incident { id, format, inputs } => {
            let loaded = load(&inputs)?;
            let wanted = id.trim().to_ascii_lowercase();
            let Some(incident) = loaded.incidents.iter().find(|i| i.id.to_string() == wanted)
            else {
                bail!("no incident with id {id} in the incidents file (pass it with --incidents)");
            };
            let format = match format {
                TextFormat::Md => SummaryFormat::Markdown,
                TextFormat::Html => SummaryFormat::Html,
            };
            emit(
                &inputs,
                &incident_summary(incident, &loaded.feedback, format),
            )
        }
        ReportCommand::Overview {
            period,
            title,
            inputs,
        } => {
            let loaded = load(&inputs)?;
            let page = overview_html(&OverviewInput {
                title: &title,
                period,
                incidents: &loaded.incidents,
                actions: &loaded.actions,
            });
            emit(&inputs, &page)
        }
        ReportCommand::Navigator { name, inputs } => {
            let loaded = load(&inputs)?;
            emit(
                &inputs,
                &pretty(&navigator_layer(&name, &loaded.incidents))?,
            )
        }
    }
}
