//! Meta's kill-chain indicator files (2023 onward):
//! `Tactic ,Technique,Procedure,Indicator[,Notes]`, one row per observation.
//!
//! Quirks handled: header names with trailing spaces or typos in the last
//! column, blank `,,,` separator rows, multi-line quoted cells, defanged
//! values, tab-separated variants, and counts written as free text
//! (`7 accounts `, `23 Pages`) under `0.9.x Acquiring … assets` procedures.

use crosswatch_model::indicator::IndicatorKind;
use crosswatch_model::taxonomy::{Taxonomy, TechniqueRef, split_kill_chain_label};
use crosswatch_model::{
    ExternalReference, Incident, Indicator, IndicatorSet, Narrative, Platform, Tlp,
};
use time::OffsetDateTime;

use crate::error::{ImportError, Problems};
use crate::prose::{
    asset_count_cell, facts_from_name, first_number_in, money_in, origins_and_targets_in_prose,
    platform_in,
};
use crate::{Format, Imported, read_records, stable_id};

const FIELDS: [&str; 5] = ["Tactic", "Technique", "Procedure", "Indicator", "Notes"];

pub(crate) fn import(
    source_name: &str,
    text: &str,
    now: OffsetDateTime,
) -> Result<Imported, ImportError> {
    let mut problems = Problems::new(source_name);
    let records = read_records(text, &mut problems);
    let facts = facts_from_name(source_name);
    let name = if facts.name.is_empty() {
        "Imported kill-chain file".to_string()
    } else {
        facts.name.clone()
    };
    let mut incident = Incident::with_id(stable_id(source_name, &name), name, Tlp::Clear, now);
    incident.source_org = Some("Meta".into());
    for c in &facts.origins {
        incident.add_origin(*c);
    }
    for c in &facts.targets {
        incident.add_target(*c);
    }
    if let Some(period) = &facts.period {
        incident.external_references.push(ExternalReference {
            source: format!("Meta Adversarial Threat Report {period}"),
            url: None,
            external_id: None,
        });
    }
    let mut evidence: Vec<String> = Vec::new();
    let mut indicators = IndicatorSet::default();

    for (line, cells) in records.into_iter().skip(1) {
        let cell = |i: usize| cells.get(i).map(|c| c.trim()).unwrap_or("");
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // The most specific label present names the technique.
        let mut technique: Option<TechniqueRef> = None;
        for i in (0..3).rev() {
            if cell(i).is_empty() {
                continue;
            }
            match split_kill_chain_label(cell(i)) {
                Some((id, label)) => {
                    if technique.is_none() {
                        technique = TechniqueRef::new(Taxonomy::KillChain, &id, Some(label)).ok();
                    }
                }
                None => problems.push(
                    Some(line),
                    Some(FIELDS[i]),
                    format!(
                        "`{}` does not start with a kill-chain id such as 0.9.1",
                        cell(i)
                    ),
                ),
            }
        }
        let Some(technique) = technique else {
            problems.push(
                Some(line),
                Some("Procedure"),
                "row has an indicator but no tactic, technique or procedure",
            );
            continue;
        };
        incident.add_technique(technique.clone());
        let value = cell(3);
        let notes = Some(cell(4).to_string()).filter(|n| !n.is_empty());
        if value.is_empty() {
            continue;
        }
        let label = technique.name.clone().unwrap_or_default();
        let lower = label.to_lowercase();

        if technique.id.starts_with("0.9")
            && let Some((count, kind)) = asset_count_cell(value)
        {
            let platform =
                platform_in(&label).unwrap_or_else(|| Platform::Other("unspecified".into()));
            incident.add_assets(platform, kind, count);
            continue;
        }
        if lower.contains("advertis") || lower.contains("running ads") {
            let (amount, currency) = money_in(value)
                .map(|(a, c)| (Some(a), Some(c)))
                .unwrap_or((None, None));
            let mut indicator = Indicator::quantity(IndicatorKind::AdSpend, value, amount);
            indicator.currency = currency.map(str::to_string);
            indicators.insert(indicator.with_technique(Some(technique)).with_note(notes));
            continue;
        }
        if lower.contains("follower") {
            let indicator =
                Indicator::quantity(IndicatorKind::Followers, value, first_number_in(value));
            indicators.insert(indicator.with_technique(Some(technique)).with_note(notes));
            continue;
        }
        if lower.contains("fictitious news outlet")
            || lower.contains("fictitious brand")
            || lower.contains("news outlet")
        {
            match Indicator::outlet(value) {
                Ok(indicator) => {
                    indicators.insert(indicator.with_technique(Some(technique)).with_note(notes))
                }
                Err(e) => problems.push(Some(line), Some("Indicator"), e.to_string()),
            }
            continue;
        }
        if !value.contains(char::is_whitespace) {
            match Indicator::from_observable(value) {
                Ok(indicator) => {
                    indicators.insert(indicator.with_technique(Some(technique)).with_note(notes))
                }
                Err(e) => problems.push(
                    Some(line),
                    Some("Indicator"),
                    format!("{e}; write one indicator per row"),
                ),
            }
            continue;
        }
        // Prose: evidence for the procedure, and sometimes places or narratives.
        let prose = value.split_whitespace().collect::<Vec<_>>().join(" ");
        let (origins, targets) = origins_and_targets_in_prose(&prose);
        for c in origins {
            incident.add_origin(c);
        }
        for c in targets {
            incident.add_target(c);
        }
        if technique.id.starts_with("7.6")
            || lower.contains("narrative")
            || lower.contains("posting")
        {
            incident.narratives.push(Narrative {
                text: prose.clone(),
                ..Narrative::default()
            });
        }
        evidence.push(format!("{technique}: {prose}"));
    }
    incident.summary = evidence.join("\n");
    incident.indicators = indicators.into_vec();
    if incident.assets.is_empty()
        && incident.indicators.is_empty()
        && incident.techniques.is_empty()
    {
        problems.push(
            None,
            None,
            "no rows with kill-chain procedures or indicators found",
        );
    }
    problems.finish(Imported {
        format: Format::MetaCsv,
        incidents: vec![incident],
        taxonomy: None,
        warnings: Vec::new(),
    })
}
