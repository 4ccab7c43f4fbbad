//! Importers for the indicator files platforms already publish about
//! influence operations, with format auto-detection.
//!
//! Meta publishes three formats with its Adversarial Threat Reports: the
//! Online Operations Kill Chain CSV/TSV (2023 onward), a Markdown IOC table
//! (H2 2025 onward) and the older `indicator_type,indicator_value,comment,ds`
//! CSV. Each is read into [`crosswatch_model::Incident`]s. The kill-chain
//! taxonomy file itself is recognised too, and loads as a
//! [`KillChainCatalogue`]. STIX bundles are detected here and read by the
//! `crosswatch-stix` crate.
//!
//! This crate is pure: it reads bytes the caller supplies and never panics
//! on bad input; every problem comes back with its file, line and field.
//!
//! ```
//! use crosswatch_import::{import, Format};
//! let csv = "Tactic ,Technique,Procedure,Indicator\n\
//!     0. Acquiring assets,0.9 Acquiring social media accounts,0.9.1 Acquiring Facebook assets,23 Pages \n";
//! let now = time::OffsetDateTime::UNIX_EPOCH;
//! let imported = import("Q3_2024_MOLDOVA_BASED_CIB_NETWORK.csv", csv.as_bytes(), None, now).unwrap();
//! assert_eq!(imported.format, Format::MetaCsv);
//! assert_eq!(imported.incidents[0].assets[0].count, 23);
//! ```

mod error;
mod killchain_taxonomy;
mod meta_killchain;
mod meta_legacy;
mod meta_markdown;
pub mod prose;

use std::fmt;
use std::str::FromStr;

use crosswatch_model::Incident;
use time::OffsetDateTime;

pub use error::{ImportError, Location, Problem};
pub use killchain_taxonomy::{KillChainCatalogue, KillChainEntry};

/// A file format we can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Meta's kill-chain indicator CSV or TSV (`Tactic,Technique,Procedure,Indicator[,Notes]`).
    MetaCsv,
    /// Meta's Markdown IOC file (`| Indicator Type | Indicator Value |`).
    MetaMarkdown,
    /// Meta's 2020–2023 `indicator_type,indicator_value,comment,ds` CSV.
    MetaLegacy,
    /// Meta's Online Operations Kill Chain taxonomy (`Tactic,Technique,Procedure`).
    KillChainTaxonomy,
    /// A STIX 2.1 bundle.
    Stix,
}

impl Format {
    /// All formats, in the order auto-detection tries them.
    pub const ALL: [Format; 5] = [
        Format::Stix,
        Format::MetaMarkdown,
        Format::MetaLegacy,
        Format::MetaCsv,
        Format::KillChainTaxonomy,
    ];

    /// The name used by `--format` and in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Format::MetaCsv => "meta-csv",
            Format::MetaMarkdown => "meta-md",
            Format::MetaLegacy => "meta-legacy",
            Format::KillChainTaxonomy => "kill-chain-taxonomy",
            Format::Stix => "stix",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown format `{s}`; use one of: auto, {}",
                    Format::ALL.map(Format::name).join(", ")
                )
            })
    }
}

/// What an import produced.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The format that was read.
    pub format: Format,
    /// The incidents in the file (none for a taxonomy file).
    pub incidents: Vec<Incident>,
    /// The kill-chain taxonomy, for [`Format::KillChainTaxonomy`].
    pub taxonomy: Option<KillChainCatalogue>,
    /// Things worth knowing that did not stop the import.
    pub warnings: Vec<Problem>,
}

/// Guesses the format from the first bytes of a file.
pub fn detect_format(bytes: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('{') {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .take(4096)
            .collect();
        if compact.contains("\"type\":\"bundle\"") {
            return Some(Format::Stix);
        }
        return None;
    }
    if text.starts_with('#') || text.contains("| Indicator Type") {
        return Some(Format::MetaMarkdown);
    }
    let header = text.lines().next().unwrap_or("").to_lowercase();
    let cells: Vec<String> = header
        .split([',', '\t', ';'])
        .map(|c| c.trim().trim_matches('"').trim().to_string())
        .collect();
    let has = |name: &str| cells.iter().any(|c| c == name);
    if has("indicator_type") && has("indicator_value") {
        return Some(Format::MetaLegacy);
    }
    if cells.first().is_some_and(|c| c == "tactic") && has("technique") && has("procedure") {
        let non_empty = cells.iter().filter(|c| !c.is_empty()).count();
        return Some(if non_empty >= 4 {
            Format::MetaCsv
        } else {
            Format::KillChainTaxonomy
        });
    }
    None
}

/// Reads Crosswatch's own incident JSON (what `convert --to json` and
/// `detect --to-incident` write): one incident object or a list of them.
/// `None` when the bytes are not shaped like that, so other formats get
/// their turn; `Some(Err)` when they are but a field is wrong.
pub fn read_incident_json(bytes: &[u8]) -> Option<Result<Vec<Incident>, serde_json::Error>> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let looks_like_incident = |v: &serde_json::Value| {
        v.get("name").is_some() && v.get("tlp").is_some() && v.get("id").is_some()
    };
    match &value {
        serde_json::Value::Array(items)
            if !items.is_empty() && items.iter().all(looks_like_incident) =>
        {
            Some(serde_json::from_value(value))
        }
        v if looks_like_incident(v) => Some(serde_json::from_value(value).map(|i| vec![i])),
        _ => None,
    }
}

/// Reads a file's bytes. `source_name` (usually the file name) appears in
/// error messages and, for Meta's files, supplies the period and the places
/// the file name states. `now` stamps the new incidents.
///
/// STIX bundles are detected but not read here: the result is an error
/// naming the `crosswatch-stix` crate, which the caller should use instead.
pub fn import(
    source_name: &str,
    bytes: &[u8],
    format: Option<Format>,
    now: OffsetDateTime,
) -> Result<Imported, ImportError> {
    let format = match format.or_else(|| detect_format(bytes)) {
        Some(format) => format,
        None => {
            return Err(ImportError::NotRecognised {
                file: source_name.to_string(),
                tried: Format::ALL.to_vec(),
            });
        }
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.trim_start_matches('\u{feff}'),
        Err(e) => {
            let mut problems = error::Problems::new(source_name);
            problems.push(
                None,
                None,
                format!(
                    "the file is not UTF-8 text (invalid byte at offset {}); re-save it as UTF-8",
                    e.valid_up_to()
                ),
            );
            return problems.finish(Imported::empty(format));
        }
    };
    match format {
        Format::MetaCsv => meta_killchain::import(source_name, text, now),
        Format::MetaMarkdown => meta_markdown::import(source_name, text, now),
        Format::MetaLegacy => meta_legacy::import(source_name, text, now),
        Format::KillChainTaxonomy => {
            let (catalogue, warnings) = KillChainCatalogue::from_csv(source_name, text)?;
            Ok(Imported {
                format,
                incidents: Vec::new(),
                taxonomy: Some(catalogue),
                warnings,
            })
        }
        Format::Stix => Err(ImportError::NotRecognised {
            file: source_name.to_string(),
            tried: vec![Format::Stix],
        }),
    }
}

impl Imported {
    fn empty(format: Format) -> Imported {
        Imported {
            format,
            incidents: Vec::new(),
            taxonomy: None,
            warnings: Vec::new(),
        }
    }
}

/// A stable incident id for an imported file, so importing the same file
/// twice yields the same incident (and the same STIX ids).
pub(crate) fn stable_id(source_name: &str, incident_name: &str) -> uuid::Uuid {
    let file = source_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(source_name);
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("crosswatch:import:{file}:{incident_name}").as_bytes(),
    )
}

/// Splits a delimited text into records, with the 1-based line each starts on.
pub(crate) fn read_records(text: &str, problems: &mut error::Problems) -> Vec<(u64, Vec<String>)> {
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.contains('\t') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map(|p| p.line()).unwrap_or(0);
                out.push((line, record.iter().map(str::to_string).collect()));
            }
            Err(e) => {
                let line = e.position().map(|p| p.line());
                problems.push(line, None, format!("cannot read this row: {e}"));
            }
        }
    }
    out
}
