//! Threat-report summaries in the style platforms publish: "We removed 7
//! Facebook accounts, 23 Pages, one Group and 20 accounts on Instagram …
//! This network originated in … and targeted …".

use crosswatch_model::{AssetCount, AssetKind, CountryCode, Incident, Platform, defang};

use crate::doc::{self, Block};
use crate::inputs::{Feedback, FeedbackKind};
use crate::sli::{country_label, html_page};

/// Output format of a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryFormat {
    /// Markdown.
    Markdown,
    /// A standalone HTML page.
    Html,
}

fn singular(kind: AssetKind) -> &'static str {
    match kind {
        AssetKind::Account => "account",
        AssetKind::Page => "Page",
        AssetKind::Group => "Group",
        AssetKind::Channel => "channel",
        AssetKind::Event => "event",
        AssetKind::AdAccount => "ad account",
        AssetKind::Content => "item of content",
    }
}

fn counted(n: u64, kind: AssetKind, platform_prefix: Option<&str>) -> String {
    let noun = if n == 1 {
        singular(kind)
    } else {
        kind.plural()
    };
    let number = if n == 1 {
        "one".to_string()
    } else {
        n.to_string()
    };
    match platform_prefix {
        Some(platform) => format!("{number} {platform} {noun}"),
        None => format!("{number} {noun}"),
    }
}

/// Joins phrases as prose: `a`, `a and b`, `a, b and c`.
pub(crate) fn join_prose(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

/// Describes removed assets: the first platform names itself before its
/// first kind ("7 Facebook accounts, 23 Pages"), later platforms follow their
/// counts ("20 accounts on Instagram").
pub fn asset_phrase(assets: &[AssetCount]) -> String {
    let mut platforms: Vec<&Platform> = Vec::new();
    for asset in assets {
        if asset.count > 0 && !platforms.contains(&&asset.platform) {
            platforms.push(&asset.platform);
        }
    }
    let mut parts = Vec::new();
    for (index, platform) in platforms.iter().enumerate() {
        let rows = assets
            .iter()
            .filter(|a| a.count > 0 && &a.platform == *platform);
        for (row_index, asset) in rows.enumerate() {
            if index == 0 {
                let prefix = (row_index == 0).then(|| platform.display_name());
                parts.push(counted(asset.count, asset.kind, prefix));
            } else {
                parts.push(format!(
                    "{} on {}",
                    counted(asset.count, asset.kind, None),
                    platform.display_name()
                ));
            }
        }
    }
    join_prose(&parts)
}

fn countries(codes: &[CountryCode]) -> String {
    let names: Vec<String> = codes.iter().map(|c| country_label(*c)).collect();
    join_prose(&names)
}

fn feedback_line(item: &Feedback) -> String {
    let verb = match item.kind {
        FeedbackKind::Actioned => "took action",
        FeedbackKind::Confirmed => "found related activity",
        FeedbackKind::NotFound => "found no related activity",
        FeedbackKind::Other => "sent feedback",
    };
    let assets = asset_phrase(&item.assets);
    let mut line = if assets.is_empty() {
        format!("{} {}", item.from_org, verb)
    } else {
        format!("{} {}: {} removed", item.from_org, verb, assets)
    };
    if !item.note.trim().is_empty() {
        line.push_str(&format!(" ({})", item.note.trim()));
    }
    line.push('.');
    line
}

pub(crate) fn summary_blocks(incident: &Incident, feedback: &[Feedback]) -> Vec<Block> {
    let mut blocks = vec![Block::Heading(2, incident.name.clone())];
    let assets = asset_phrase(&incident.assets);
    if !assets.is_empty() {
        blocks.push(Block::Para(format!(
            "We removed {assets} for violating our policy against coordinated inauthentic behaviour."
        )));
    }
    let origin = countries(&incident.origin_countries);
    let targets = countries(&incident.target_countries);
    let provenance = match (origin.is_empty(), targets.is_empty()) {
        (false, false) => Some(format!(
            "This network originated in {origin} and targeted {targets}."
        )),
        (false, true) => Some(format!("This network originated in {origin}.")),
        (true, false) => Some(format!("This network targeted {targets}.")),
        (true, true) => None,
    };
    if let Some(text) = provenance {
        blocks.push(Block::Para(text));
    }
    if !incident.summary.trim().is_empty() {
        blocks.push(Block::Para(incident.summary.trim().to_string()));
    }
    if !incident.narratives.is_empty() {
        blocks.push(Block::Heading(3, "Narratives".into()));
        blocks.push(Block::List(
            incident.narratives.iter().map(|n| n.text.clone()).collect(),
        ));
    }
    blocks.push(Block::Heading(
        3,
        "Tactics, techniques and procedures".into(),
    ));
    blocks.push(Block::List(
        incident
            .techniques
            .iter()
            .map(|t| format!("{} ({})", t, t.taxonomy))
            .collect(),
    ));
    blocks.push(Block::Heading(3, "Indicators (defanged)".into()));
    blocks.push(Block::List(
        incident
            .indicators
            .iter()
            .map(|i| format!("{}: {}", i.kind.as_str(), defang(&i.value)))
            .collect(),
    ));
    let related: Vec<&Feedback> = feedback
        .iter()
        .filter(|f| f.incident_id == incident.id)
        .collect();
    blocks.push(Block::Heading(3, "Across platforms".into()));
    if related.is_empty() {
        blocks.push(Block::Para(
            "No feedback from other platforms has been received yet.".into(),
        ));
    } else {
        let acted = related
            .iter()
            .filter(|f| f.kind == FeedbackKind::Actioned)
            .count();
        blocks.push(Block::Para(format!(
            "{} organisation{} reported back; {} took action.",
            related.len(),
            if related.len() == 1 { "" } else { "s" },
            acted
        )));
        blocks.push(Block::List(
            related.iter().map(|f| feedback_line(f)).collect(),
        ));
    }
    if !incident.learnings.is_empty() {
        blocks.push(Block::Heading(3, "What we learned".into()));
        blocks.push(Block::List(incident.learnings.clone()));
    }
    blocks
}

/// A publishable summary of one incident with its TTPs, defanged indicators
/// and the cross-platform picture from the feedback received.
pub fn incident_summary(
    incident: &Incident,
    feedback: &[Feedback],
    format: SummaryFormat,
) -> String {
    let blocks = summary_blocks(incident, feedback);
    match format {
        SummaryFormat::Markdown => doc::to_markdown(&blocks),
        SummaryFormat::Html => html_page(&incident.name, &doc::to_html(&blocks)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(platform: Platform, kind: AssetKind, count: u64) -> AssetCount {
        AssetCount {
            platform,
            kind,
            count,
            identifiers: Vec::new(),
        }
    }

    #[test]
    fn phrases_assets_like_a_threat_report() {
        let assets = vec![
            row(Platform::Facebook, AssetKind::Account, 7),
            row(Platform::Facebook, AssetKind::Page, 23),
            row(Platform::Facebook, AssetKind::Group, 1),
            row(Platform::Instagram, AssetKind::Account, 20),
        ];
        assert_eq!(
            asset_phrase(&assets),
            "7 Facebook accounts, 23 Pages, one Group and 20 accounts on Instagram"
        );
    }

    #[test]
    fn single_asset_uses_words() {
        assert_eq!(
            asset_phrase(&[row(Platform::X, AssetKind::Account, 1)]),
            "one X account"
        );
        assert_eq!(asset_phrase(&[]), "");
    }
}
