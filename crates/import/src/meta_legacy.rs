//! Meta's 2020–2023 indicator CSV: `indicator_type,indicator_value,comment,ds`.
//!
//! One file may cover several operations ("…from China and Russia"); rows
//! whose comment starts with a country (`China: CIB Petition`) form an
//! incident of their own for that origin. Comments such as
//! `Germany-targeting CIB domain` give target countries.

use crosswatch_model::country::countries_named_in;
use crosswatch_model::{CountryCode, HashAlgorithm, Incident, Indicator, IndicatorSet, Tlp};
use time::OffsetDateTime;

use crate::error::{ImportError, Problems};
use crate::prose::facts_from_name;
use crate::{Format, Imported, read_records, stable_id};

pub(crate) fn import(
    source_name: &str,
    text: &str,
    now: OffsetDateTime,
) -> Result<Imported, ImportError> {
    let mut problems = Problems::new(source_name);
    let records = read_records(text, &mut problems);
    let Some((_, header)) = records.first() else {
        problems.push(Some(1), None, "empty file");
        return problems.finish(Imported {
            format: Format::MetaLegacy,
            incidents: vec![],
            taxonomy: None,
            warnings: vec![],
        });
    };
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(type_col), Some(value_col)) = (column("indicator_type"), column("indicator_value"))
    else {
        problems.push(
            Some(1),
            None,
            "header must name indicator_type and indicator_value columns",
        );
        return problems.finish(Imported {
            format: Format::MetaLegacy,
            incidents: vec![],
            taxonomy: None,
            warnings: vec![],
        });
    };
    let comment_col = column("comment");
    let date_col = column("ds");
    let facts = facts_from_name(source_name);

    // Incidents by origin prefix; `None` is the file's main incident.
    let mut groups: Vec<(Option<CountryCode>, Incident)> = Vec::new();
    let mut sets: Vec<IndicatorSet> = Vec::new();
    for (line, cells) in records.iter().skip(1) {
        let get = |i: Option<usize>| i.and_then(|i| cells.get(i)).map(|c| c.trim()).unwrap_or("");
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let kind = get(Some(type_col)).to_lowercase();
        let value = get(Some(value_col));
        let comment = get(comment_col);
        let date = get(date_col);
        if value.is_empty() {
            problems.push(
                Some(*line),
                Some("indicator_value"),
                "empty indicator value",
            );
            continue;
        }
        if !date.is_empty() && !looks_like_date(date) {
            problems.push(
                Some(*line),
                Some("ds"),
                format!("`{date}` is not a date (use YYYY-MM-DD)"),
            );
        }
        let indicator = match indicator_for(&kind, value) {
            Ok(i) => i.with_note(Some(comment.to_string())),
            Err(e) => {
                problems.push(
                    Some(*line),
                    Some("indicator_value"),
                    format!("{e} (indicator_type `{kind}`)"),
                );
                continue;
            }
        };
        let origin = comment
            .split_once(':')
            .and_then(|(prefix, _)| countries_named_in(prefix).first().copied());
        let position = match groups.iter().position(|(o, _)| *o == origin) {
            Some(p) => p,
            None => {
                let base = if facts.name.is_empty() {
                    "Imported indicators".to_string()
                } else {
                    facts.name.clone()
                };
                let name = match origin {
                    Some(c) => format!("{base}: {}-origin network", c.name()),
                    None => base,
                };
                let mut incident =
                    Incident::with_id(stable_id(source_name, &name), name, Tlp::Clear, now);
                incident.source_org = Some("Meta".into());
                if let Some(c) = origin {
                    incident.add_origin(c);
                }
                groups.push((origin, incident));
                sets.push(IndicatorSet::default());
                groups.len() - 1
            }
        };
        let incident = &mut groups[position].1;
        if let Some(lower) = Some(comment.to_lowercase())
            && let Some(pos) = lower
                .find("-targeting")
                .or_else(|| lower.find(" targeting"))
        {
            for c in countries_named_in(&lower[..pos]) {
                incident.add_target(c);
            }
        }
        sets[position].insert(indicator);
    }
    for ((_, incident), set) in groups.iter_mut().zip(sets) {
        incident.indicators = set.into_vec();
    }
    // The main incident's origins are the countries the file name mentions
    // that no prefixed group took.
    let split_off: Vec<CountryCode> = groups.iter().filter_map(|(o, _)| *o).collect();
    for (origin, incident) in &mut groups {
        if origin.is_none() {
            for c in facts.mentioned.iter().filter(|c| !split_off.contains(c)) {
                incident.add_origin(*c);
            }
        }
    }
    if groups.is_empty() {
        problems.push(None, None, "no indicator rows found");
    }
    problems.finish(Imported {
        format: Format::MetaLegacy,
        incidents: groups.into_iter().map(|(_, i)| i).collect(),
        taxonomy: None,
        warnings: Vec::new(),
    })
}

fn indicator_for(kind: &str, value: &str) -> Result<Indicator, crosswatch_model::ModelError> {
    match kind {
        "domain_name" | "domain" => Indicator::domain(value),
        k if k.ends_with("_url") || k == "url" => Indicator::url(value),
        k if k.starts_with("ip") => Indicator::ip(value),
        k if k.contains("email") => Indicator::email(value),
        k => match HashAlgorithm::parse(k) {
            Some(algorithm) => Indicator::hash(algorithm, value),
            None => Indicator::from_observable(value),
        },
    }
}

fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}
