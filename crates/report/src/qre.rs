//! QRE 16.1.1: the fora used, what was shared and received (incidents,
//! indicators, by TTP and target), feedback received and learnings, as text
//! ready to paste into the Code of Practice reporting template.

use std::collections::{BTreeMap, BTreeSet};

use crosswatch_model::Incident;

use crate::doc::{self, Block};
use crate::inputs::{Exchange, Feedback, FeedbackKind, Forum, ForumKind};
use crate::period::Period;
use crate::sli::{country_label, html_page};

/// Everything QRE 16.1.1 draws on.
#[derive(Debug, Clone, Copy)]
pub struct QreInput<'a> {
    /// The period reported on.
    pub period: Period,
    /// The reporting organisation.
    pub reporter: &'a str,
    /// The fora the reporter takes part in.
    pub forums: &'a [Forum],
    /// Incidents the reporter shared.
    pub shared: &'a [Exchange],
    /// Incidents the reporter received.
    pub received: &'a [Exchange],
    /// Feedback the reporter received on what it shared.
    pub feedback: &'a [Feedback],
}

/// Counts describing a set of exchanged incidents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ExchangeSummary {
    pub incidents: usize,
    pub indicators: usize,
    pub by_technique: BTreeMap<String, usize>,
    pub by_target: BTreeMap<String, usize>,
    pub by_forum: BTreeMap<String, usize>,
}

fn summarise<'a>(exchanges: impl Iterator<Item = &'a Exchange>) -> ExchangeSummary {
    let mut summary = ExchangeSummary::default();
    let mut seen = BTreeSet::new();
    for exchange in exchanges {
        *summary.by_forum.entry(exchange.forum.clone()).or_insert(0) += 1;
        let incident = &exchange.incident;
        // An incident shared in two fora is one incident.
        if !seen.insert(incident.id) {
            continue;
        }
        summary.incidents += 1;
        summary.indicators += incident.indicators.len();
        for technique in &incident.techniques {
            *summary
                .by_technique
                .entry(technique.to_string())
                .or_insert(0) += 1;
        }
        for target in &incident.target_countries {
            *summary.by_target.entry(country_label(*target)).or_insert(0) += 1;
        }
    }
    summary
}

fn counted_list(map: &BTreeMap<String, usize>, noun: &str) -> Vec<String> {
    let mut entries: Vec<(&String, &usize)> = map.iter().collect();
    entries.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    entries
        .into_iter()
        .map(|(name, n)| format!("{name}: {n} {noun}{}", if *n == 1 { "" } else { "s" }))
        .collect()
}

fn forum_kind_label(kind: ForumKind) -> &'static str {
    match kind {
        ForumKind::Hub => "hub",
        ForumKind::SharingGroup => "sharing group",
        ForumKind::Other => "channel",
    }
}

fn exchange_blocks(title: &str, verb: &str, summary: &ExchangeSummary) -> Vec<Block> {
    vec![
        Block::Heading(3, title.to_string()),
        Block::Para(format!(
            "{} {} incident{} carrying {} indicator{}.",
            verb,
            summary.incidents,
            if summary.incidents == 1 { "" } else { "s" },
            summary.indicators,
            if summary.indicators == 1 { "" } else { "s" },
        )),
        Block::Para("By forum:".into()),
        Block::List(counted_list(&summary.by_forum, "exchange")),
        Block::Para("By tactic, technique or procedure (DISARM / kill chain):".into()),
        Block::List(counted_list(&summary.by_technique, "incident")),
        Block::Para("By targeted country:".into()),
        Block::List(counted_list(&summary.by_target, "incident")),
    ]
}

pub(crate) fn qre_blocks(input: &QreInput<'_>) -> Vec<Block> {
    let period = input.period;
    let shared: Vec<&Exchange> = input
        .shared
        .iter()
        .filter(|e| period.contains(e.at))
        .collect();
    let received: Vec<&Exchange> = input
        .received
        .iter()
        .filter(|e| period.contains(e.at))
        .collect();
    let feedback: Vec<&Feedback> = input
        .feedback
        .iter()
        .filter(|f| period.contains(f.received_at))
        .collect();

    let mut blocks = vec![
        Block::Heading(
            2,
            "QRE 16.1.1 — channels of exchange and what was learned".into(),
        ),
        Block::Para(format!(
            "{} took part in the following fora during {} to exchange information about cross-platform influence operations.",
            input.reporter, period
        )),
    ];

    // Fora: those configured, plus any that appear in the exchanges.
    let mut forum_lines = Vec::new();
    let mut listed = BTreeSet::new();
    for forum in input.forums {
        listed.insert(forum.name.clone());
        let mut line = format!("{} ({})", forum.name, forum_kind_label(forum.kind));
        if !forum.description.trim().is_empty() {
            line.push_str(&format!(": {}", forum.description.trim()));
        }
        if !forum.members.is_empty() {
            line.push_str(&format!(". Members: {}", forum.members.join(", ")));
        }
        forum_lines.push(line);
    }
    for exchange in shared.iter().chain(received.iter()) {
        if listed.insert(exchange.forum.clone()) {
            forum_lines.push(exchange.forum.clone());
        }
    }
    blocks.push(Block::Heading(3, "Fora used".into()));
    blocks.push(Block::List(forum_lines));

    blocks.extend(exchange_blocks(
        "Information shared",
        "Shared",
        &summarise(shared.iter().copied()),
    ));
    blocks.extend(exchange_blocks(
        "Information received",
        "Received",
        &summarise(received.iter().copied()),
    ));

    blocks.push(Block::Heading(3, "Feedback received".into()));
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let mut feedback_lines = Vec::new();
    for item in &feedback {
        let kind = match item.kind {
            FeedbackKind::Actioned => "took action",
            FeedbackKind::Confirmed => "confirmed related activity",
            FeedbackKind::NotFound => "found no related activity",
            FeedbackKind::Other => "other feedback",
        };
        *by_kind.entry(kind).or_insert(0) += 1;
        let incident = shared
            .iter()
            .chain(received.iter())
            .find(|e| e.incident.id == item.incident_id)
            .map(|e| e.incident.name.clone())
            .unwrap_or_else(|| item.incident_id.to_string());
        let mut line = format!("{} {} on “{}”", item.from_org, kind, incident);
        let assets = crate::summary::asset_phrase(&item.assets);
        if !assets.is_empty() {
            line.push_str(&format!(" ({assets})"));
        }
        if !item.note.trim().is_empty() {
            line.push_str(&format!(": {}", item.note.trim()));
        }
        feedback_lines.push(line);
    }
    blocks.push(Block::Para(format!(
        "{} feedback message{} received{}.",
        feedback.len(),
        if feedback.len() == 1 { "" } else { "s" },
        if by_kind.is_empty() {
            String::new()
        } else {
            format!(
                ": {}",
                by_kind
                    .iter()
                    .map(|(k, n)| format!("{n} {k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    )));
    blocks.push(Block::List(feedback_lines));

    blocks.push(Block::Heading(3, "Learnings".into()));
    let mut learnings = Vec::new();
    let mut seen = BTreeSet::new();
    let incidents: Vec<&Incident> = shared
        .iter()
        .chain(received.iter())
        .map(|e| &e.incident)
        .collect();
    for incident in incidents {
        for learning in &incident.learnings {
            let line = format!("{}: {}", incident.name, learning.trim());
            if !learning.trim().is_empty() && seen.insert(line.clone()) {
                learnings.push(line);
            }
        }
    }
    blocks.push(Block::List(learnings));
    blocks
}

/// QRE 16.1.1 as Markdown.
pub fn qre_16_1_1_markdown(input: &QreInput<'_>) -> String {
    doc::to_markdown(&qre_blocks(input))
}

/// QRE 16.1.1 as a standalone HTML page.
pub fn qre_16_1_1_html(input: &QreInput<'_>) -> String {
    html_page("QRE 16.1.1", &doc::to_html(&qre_blocks(input)))
}
