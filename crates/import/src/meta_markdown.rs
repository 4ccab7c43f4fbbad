//! Meta's Markdown IOC files (H2 2025 onward): a title, a network summary in
//! prose, an `| Indicator Type | Indicator Value |` table with defanged
//! values in backticks, and cross-links.

use crosswatch_model::indicator::IndicatorKind;
use crosswatch_model::{ExternalReference, HashAlgorithm, Incident, Indicator, Tlp};
use time::OffsetDateTime;

use crate::error::{ImportError, Problems};
use crate::prose::{
    asset_counts_in_prose, facts_from_name, money_in, origins_and_targets_in_prose,
};
use crate::{Format, Imported, stable_id};

#[derive(PartialEq)]
enum Section {
    Preamble,
    Summary,
    Indicators,
    Links,
    Other,
}

pub(crate) fn import(
    source_name: &str,
    text: &str,
    now: OffsetDateTime,
) -> Result<Imported, ImportError> {
    let mut problems = Problems::new(source_name);
    let file_facts = facts_from_name(source_name);
    let mut title = String::new();
    let mut summary: Vec<String> = Vec::new();
    let mut rows: Vec<(u64, String, String)> = Vec::new();
    let mut links: Vec<ExternalReference> = Vec::new();
    let mut section = Section::Preamble;
    let mut period = file_facts.period.clone();

    for (index, raw_line) in text.lines().enumerate() {
        let line_no = index as u64 + 1;
        let line = raw_line.trim();
        if let Some(heading) = line.strip_prefix("# ") {
            title = heading.trim().to_string();
            continue;
        }
        if let Some(heading) = line.strip_prefix("## ") {
            let h = heading.to_lowercase();
            section = if h.contains("summary") {
                Section::Summary
            } else if h.contains("indicators") {
                Section::Indicators
            } else if h.contains("link") {
                Section::Links
            } else {
                Section::Other
            };
            continue;
        }
        if period.is_none()
            && let Some(pos) = line.find("Threat Report ")
        {
            let rest = &line[pos + "Threat Report ".len()..];
            let p: String = rest
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            let p = p.trim_end_matches(['.', ',']).to_string();
            if p.starts_with(['Q', 'H']) {
                period = Some(p);
            }
        }
        match section {
            Section::Summary if !line.is_empty() => summary.push(line.to_string()),
            Section::Indicators if line.starts_with('|') => {
                let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
                if cells.len() < 2 {
                    problems.push(
                        Some(line_no),
                        None,
                        "table row needs an indicator type and a value",
                    );
                    continue;
                }
                let is_header = cells[0].eq_ignore_ascii_case("indicator type");
                let is_rule = cells
                    .iter()
                    .all(|c| c.chars().all(|ch| matches!(ch, ':' | '-' | ' ')));
                if !is_header && !is_rule {
                    rows.push((
                        line_no,
                        cells[0].to_string(),
                        cells[1].trim_matches('`').trim().to_string(),
                    ));
                }
            }
            Section::Links if line.starts_with('-') || line.starts_with('*') => {
                if let Some(link) = parse_link(line) {
                    links.push(link);
                }
            }
            _ => {}
        }
    }

    let title_core = title
        .split_once(':')
        .map(|(_, rest)| rest.trim())
        .unwrap_or(title.as_str())
        .to_string();
    let title_facts = facts_from_name(&title_core);
    let mut name = if title_core.is_empty() {
        file_facts.name.clone()
    } else {
        title_core.clone()
    };
    if let Some(p) = &period
        && !name.contains(p.as_str())
    {
        name = format!("{name} ({p})");
    }
    let mut incident = Incident::with_id(stable_id(source_name, &name), name, Tlp::Clear, now);
    incident.source_org = Some("Meta".into());
    incident.summary = summary.join("\n\n");
    let (prose_origins, prose_targets) = origins_and_targets_in_prose(&incident.summary);
    for c in title_facts
        .origins
        .iter()
        .chain(&file_facts.origins)
        .chain(&prose_origins)
    {
        incident.add_origin(*c);
    }
    for c in title_facts
        .targets
        .iter()
        .chain(&file_facts.targets)
        .chain(&prose_targets)
    {
        incident.add_target(*c);
    }
    for (platform, kind, count) in asset_counts_in_prose(&incident.summary) {
        incident.add_assets(platform, kind, count);
    }
    if let Some((amount, currency)) = incident
        .summary
        .split(['.', '\n'])
        .find(|s| s.contains("ads"))
        .and_then(money_in)
    {
        let sentence = incident
            .summary
            .split(['.', '\n'])
            .find(|s| s.contains('$'))
            .unwrap_or_default()
            .trim()
            .to_string();
        let mut spend = Indicator::quantity(IndicatorKind::AdSpend, &sentence, Some(amount));
        spend.currency = Some(currency.to_string());
        incident.add_indicator(spend);
    }
    if let Some(p) = &period {
        incident.external_references.push(ExternalReference {
            source: format!("Meta Adversarial Threat Report {p}"),
            url: None,
            external_id: None,
        });
    }
    incident.external_references.extend(links);

    for (line, kind, value) in rows {
        match indicator_for(&kind, &value) {
            Ok(indicator) => incident.add_indicator(indicator),
            Err(message) => problems.push(Some(line), Some("Indicator Value"), message),
        }
    }
    if title.is_empty() {
        problems.push(
            Some(1),
            None,
            "missing the `# Indicators of Compromise: …` title line",
        );
    }
    problems.finish(Imported {
        format: Format::MetaMarkdown,
        incidents: vec![incident],
        taxonomy: None,
        warnings: Vec::new(),
    })
}

fn indicator_for(kind: &str, value: &str) -> Result<Indicator, String> {
    let kind_lower = kind.to_lowercase();
    let result = if kind_lower.contains("domain") {
        // Domains are often given as full URLs: keep the host.
        let live = crosswatch_model::refang(value);
        let host = live
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(&live)
            .split(['/', '?', '#'])
            .next()
            .unwrap_or("")
            .to_string();
        Indicator::domain(&host)
    } else if kind_lower.contains("social")
        || kind_lower.contains("account")
        || kind_lower.contains("url")
    {
        Indicator::url(value)
    } else if kind_lower.contains("ip") {
        Indicator::ip(value)
    } else if kind_lower.contains("email") {
        Indicator::email(value)
    } else if let Some(algorithm) = HashAlgorithm::parse(&kind_lower)
        .or_else(|| kind_lower.contains("hash").then_some(HashAlgorithm::Sha256))
    {
        Indicator::hash(algorithm, value)
    } else {
        Indicator::from_observable(value)
    };
    result.map_err(|e| format!("{e} (indicator type `{kind}`)"))
}

/// `- **Full ATR Report:** [Meta Adversarial Threat Report H2 2025](TBD)`
fn parse_link(line: &str) -> Option<ExternalReference> {
    let open = line.find('[')?;
    let mid = line[open..].find("](")? + open;
    let close = line[mid..].find(')')? + mid;
    let text = line[open + 1..mid].trim();
    let url = line[mid + 2..close].trim();
    let url = (url.starts_with("http://") || url.starts_with("https://")).then(|| url.to_string());
    Some(ExternalReference {
        source: text.to_string(),
        url,
        external_id: None,
    })
}
