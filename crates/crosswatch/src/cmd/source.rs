//! Reading an input file (or stdin) in any format Crosswatch imports.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};
use crosswatch_import::{Format, KillChainCatalogue, import};
use crosswatch_model::Incident;

/// The `--format` choices: `auto` or one of the importers' formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatChoice {
    /// Detect the format from the content.
    Auto,
    /// Meta's kill-chain indicator CSV or TSV.
    MetaCsv,
    /// Meta's Markdown IOC table.
    MetaMd,
    /// Meta's `indicator_type,indicator_value,comment,ds` CSV.
    MetaLegacy,
    /// A STIX 2.1 bundle.
    Stix,
}

impl FormatChoice {
    fn format(self) -> Option<Format> {
        match self {
            FormatChoice::Auto => None,
            FormatChoice::MetaCsv => Some(Format::MetaCsv),
            FormatChoice::MetaMd => Some(Format::MetaMarkdown),
            FormatChoice::MetaLegacy => Some(Format::MetaLegacy),
            FormatChoice::Stix => Some(Format::Stix),
        }
    }
}

/// What a file held.
pub struct Loaded {
    /// The format that was read; `None` for Crosswatch's own incident JSON.
    pub format: Option<Format>,
    /// Its incidents.
    pub incidents: Vec<Incident>,
    /// For a kill-chain taxonomy file, the taxonomy.
    pub taxonomy: Option<KillChainCatalogue>,
    /// Notes from the importer worth showing the user.
    pub warnings: Vec<String>,
}

/// Reads `path` (`-` for stdin) whole.
pub fn read_input(path: &Path) -> anyhow::Result<(String, Vec<u8>)> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        return Ok(("<stdin>".to_string(), bytes));
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok((path.display().to_string(), bytes))
}

/// Reads and imports a file in the given (or detected) format.
pub fn load(path: &Path, choice: FormatChoice) -> anyhow::Result<Loaded> {
    let (name, bytes) = read_input(path)?;
    if choice == FormatChoice::Auto
        && let Some(incidents) = crosswatch_import::read_incident_json(&bytes)
    {
        let incidents =
            incidents.with_context(|| format!("{name}: not valid Crosswatch incident JSON"))?;
        for incident in &incidents {
            incident
                .validate()
                .with_context(|| format!("{name}: incident `{}`", incident.name))?;
        }
        return Ok(Loaded {
            format: None,
            incidents,
            taxonomy: None,
            warnings: Vec::new(),
        });
    }
    let format = choice
        .format()
        .or_else(|| crosswatch_import::detect_format(&bytes));
    if format == Some(Format::Stix) {
        let imported = crosswatch_stix::import_bundle(&bytes)
            .with_context(|| format!("{name}: cannot read the STIX bundle"))?;
        if imported.incidents.is_empty() {
            bail!(
                "{name}: the STIX bundle holds no campaign, intrusion-set or report to read as an incident"
            );
        }
        return Ok(Loaded {
            format: Some(Format::Stix),
            incidents: imported.incidents,
            taxonomy: None,
            warnings: imported.warnings,
        });
    }
    let imported = import(&name, &bytes, format, time::OffsetDateTime::now_utc())?;
    Ok(Loaded {
        format: Some(imported.format),
        incidents: imported.incidents,
        taxonomy: imported.taxonomy,
        warnings: imported.warnings.iter().map(ToString::to_string).collect(),
    })
}

/// The name of a loaded format for messages and JSON output.
pub fn format_name(format: Option<Format>) -> &'static str {
    format.map(Format::name).unwrap_or("crosswatch-json")
}
