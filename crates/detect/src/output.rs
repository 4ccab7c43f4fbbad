//! Writers for edges, nodes, GraphML, the JSON summary and the draft
//! incident. All take `impl Write`; the caller decides where bytes go.

use std::io::Write;

use serde::Serialize;

use crate::analysis::{Analysis, Cluster, SeedReport};
use crate::canon::Canonicalisers;
use crate::input::SkipReport;
use crate::near::NearReport;
use crate::{DetectError, NetworkKind};

fn io_error(err: impl std::fmt::Display) -> DetectError {
    DetectError::Io(err.to_string())
}

/// Writes `source,target,weight,co_shares,objects,mean_delta[,symmetry],network`.
pub fn write_edges_csv(mut out: impl Write, analysis: &Analysis) -> Result<(), DetectError> {
    let undirected = analysis.config.edges.undirected;
    let mut writer = csv::Writer::from_writer(&mut out);
    let mut header = vec![
        "source",
        "target",
        "weight",
        "co_shares",
        "objects",
        "mean_delta",
    ];
    if undirected {
        header.push("symmetry");
    }
    header.push("network");
    writer.write_record(&header).map_err(io_error)?;
    for kind_edge in &analysis.edges {
        let edge = &kind_edge.edge;
        let mut record = vec![
            analysis.accounts.get(edge.source).to_owned(),
            analysis.accounts.get(edge.target).to_owned(),
            edge.weight.to_string(),
            edge.co_shares.to_string(),
            edge.objects.to_string(),
            format!("{:.3}", edge.mean_delta),
        ];
        if undirected {
            record.push(format!("{:.4}", edge.symmetry.unwrap_or(0.0)));
        }
        record.push(kind_edge.kind.name().to_owned());
        writer.write_record(&record).map_err(io_error)?;
    }
    writer.flush().map_err(io_error)
}

/// Writes `id,messages,degree,weighted_degree,component,cluster` (Gephi's
/// node table: `id` matches the edge table's `source`/`target`).
pub fn write_nodes_csv(mut out: impl Write, analysis: &Analysis) -> Result<(), DetectError> {
    let mut writer = csv::Writer::from_writer(&mut out);
    writer
        .write_record([
            "id",
            "messages",
            "degree",
            "weighted_degree",
            "component",
            "cluster",
        ])
        .map_err(io_error)?;
    for node in &analysis.nodes {
        writer
            .write_record([
                node.account.clone(),
                node.messages.to_string(),
                node.degree.to_string(),
                node.weighted_degree.to_string(),
                node.component.to_string(),
                node.cluster
                    .map_or(String::new(), |cluster| cluster.to_string()),
            ])
            .map_err(io_error)?;
    }
    writer.flush().map_err(io_error)
}

fn xml_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// Writes GraphML (opens in Gephi, Cytoscape, networkx).
pub fn write_graphml(mut out: impl Write, analysis: &Analysis) -> Result<(), DetectError> {
    let direction = if analysis.config.edges.undirected {
        "undirected"
    } else {
        "directed"
    };
    let mut text = String::new();
    text.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    text.push_str("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
    for (id, target, name, kind) in [
        ("d0", "node", "messages", "long"),
        ("d1", "node", "component", "int"),
        ("d2", "node", "cluster", "int"),
        ("d3", "edge", "weight", "double"),
        ("d4", "edge", "co_shares", "long"),
        ("d5", "edge", "network", "string"),
        ("d6", "edge", "mean_delta", "double"),
    ] {
        text.push_str(&format!(
            "  <key id=\"{id}\" for=\"{target}\" attr.name=\"{name}\" attr.type=\"{kind}\"/>\n"
        ));
    }
    text.push_str(&format!("  <graph id=\"G\" edgedefault=\"{direction}\">\n"));
    out.write_all(text.as_bytes()).map_err(io_error)?;
    for node in &analysis.nodes {
        let cluster = node.cluster.map_or(-1, i64::from);
        writeln!(
            out,
            "    <node id=\"{}\"><data key=\"d0\">{}</data><data key=\"d1\">{}</data><data key=\"d2\">{}</data></node>",
            xml_escape(&node.account),
            node.messages,
            node.component,
            cluster
        )
        .map_err(io_error)?;
    }
    for kind_edge in &analysis.edges {
        let edge = &kind_edge.edge;
        writeln!(
            out,
            "    <edge source=\"{}\" target=\"{}\"><data key=\"d3\">{}</data><data key=\"d4\">{}</data><data key=\"d5\">{}</data><data key=\"d6\">{:.3}</data></edge>",
            xml_escape(analysis.accounts.get(edge.source)),
            xml_escape(analysis.accounts.get(edge.target)),
            edge.weight,
            edge.co_shares,
            kind_edge.kind.name(),
            edge.mean_delta
        )
        .map_err(io_error)?;
    }
    out.write_all(b"  </graph>\n</graphml>\n").map_err(io_error)
}

/// Per-network input and output counts in the summary.
#[derive(Clone, Debug, Serialize)]
pub struct NetworkSummary {
    /// Network kind.
    pub network: NetworkKind,
    /// Rows read.
    pub rows_read: u64,
    /// Shares kept.
    pub shares: u64,
    /// Distinct accounts.
    pub accounts: u64,
    /// Distinct objects.
    pub objects: u64,
    /// Rows skipped, by reason.
    pub skipped: SkipReport,
    /// Edges written.
    pub edges: u64,
    /// Near matching (co-image within a Hamming distance, co-text above a
    /// Jaccard threshold): what was compared and found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near: Option<NearReport>,
}

/// The JSON summary of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Summary<'a> {
    /// Window in seconds.
    pub window_seconds: f64,
    /// Minimum edge weight.
    pub min_weight: u64,
    /// Undirected edges?
    pub undirected: bool,
    /// Self-loops kept?
    pub self_loops: bool,
    /// Per network.
    pub networks: Vec<NetworkSummary>,
    /// Accounts with at least one edge.
    pub nodes: u64,
    /// Median delay after an object's first share, all shares (seconds).
    pub global_median_delay: Option<f64>,
    /// Clusters, largest first.
    pub clusters: &'a [Cluster],
    /// Seeded expansion, when seeds were given.
    pub seeds: Option<&'a SeedReport>,
}

/// Builds the summary.
pub fn summary<'a>(analysis: &'a Analysis, seeds: Option<&'a SeedReport>) -> Summary<'a> {
    let networks = analysis
        .networks
        .iter()
        .map(|network| NetworkSummary {
            network: network.kind,
            rows_read: network.activity.rows_read,
            shares: network.activity.shares.len() as u64,
            accounts: network.activity.accounts.len() as u64,
            objects: network.activity.objects.len() as u64,
            skipped: network.activity.skipped.clone(),
            edges: analysis
                .edges
                .iter()
                .filter(|e| e.kind == network.kind)
                .count() as u64,
            near: network
                .activity
                .near
                .as_ref()
                .map(|near| near.report.clone()),
        })
        .collect();
    Summary {
        window_seconds: analysis.config.window,
        min_weight: analysis.config.edges.min_weight,
        undirected: analysis.config.edges.undirected,
        self_loops: analysis.config.edges.keep_self_loops,
        networks,
        nodes: analysis.nodes.len() as u64,
        global_median_delay: analysis.global_median_delay,
        clusters: &analysis.clusters,
        seeds,
    }
}

/// Writes the summary as pretty JSON.
pub fn write_summary_json(mut out: impl Write, summary: &Summary<'_>) -> Result<(), DetectError> {
    serde_json::to_writer_pretty(&mut out, summary).map_err(io_error)?;
    out.write_all(b"\n").map_err(io_error)
}

/// Assets of a draft incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AssetCount {
    /// Platform the accounts are on.
    pub platform: String,
    /// Asset kind (`account`).
    pub kind: String,
    /// How many.
    pub count: u64,
}

/// An indicator of a draft incident.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Indicator {
    /// `url`, `domain`, `hashtag`, `post_id`, `image_hash`, `text`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The value.
    pub value: String,
}

/// A draft incident built from detected clusters, for an analyst to review
/// before sharing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IncidentDraft {
    /// Short name.
    pub name: String,
    /// What was detected, with the settings used.
    pub summary: String,
    /// First co-share (RFC 3339).
    pub first_seen: Option<String>,
    /// Last co-share (RFC 3339).
    pub last_seen: Option<String>,
    /// Asset counts per platform.
    pub assets: Vec<AssetCount>,
    /// Co-shared objects as indicators.
    pub indicators: Vec<Indicator>,
}

fn rfc3339(seconds: f64) -> Option<String> {
    let nanos = (seconds * 1e9).round() as i128;
    let moment = time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
    moment
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// Drafts an incident from `clusters` (all reported clusters when `None`),
/// with accounts counted on `platform`.
pub fn draft_incident(
    analysis: &Analysis,
    platform: &str,
    clusters: Option<&[u32]>,
    rules: &Canonicalisers,
) -> IncidentDraft {
    let chosen: Vec<&Cluster> = analysis
        .clusters
        .iter()
        .filter(|cluster| clusters.is_none_or(|ids| ids.contains(&cluster.id)))
        .collect();
    let accounts: u64 = chosen
        .iter()
        .map(|cluster| cluster.accounts.len() as u64)
        .sum();
    let mut indicators = std::collections::BTreeSet::new();
    for cluster in &chosen {
        for top in &cluster.top_objects {
            let object = &top.object;
            let indicator_type = match top.network {
                NetworkKind::CoLink => {
                    if let Some(domain) = (rules.domain)(object) {
                        indicators.insert(Indicator {
                            kind: "domain".into(),
                            value: domain,
                        });
                    }
                    "url"
                }
                NetworkKind::CoDomain => "domain",
                NetworkKind::CoHashtag => "hashtag",
                NetworkKind::CoShare | NetworkKind::CoReply => "post_id",
                NetworkKind::CoImage => "image_hash",
                NetworkKind::CoText => "text",
                NetworkKind::CoPost => continue,
            };
            indicators.insert(Indicator {
                kind: indicator_type.into(),
                value: object.clone(),
            });
        }
    }
    let first_seen = chosen
        .iter()
        .filter_map(|c| c.first_seen)
        .min_by(f64::total_cmp);
    let last_seen = chosen
        .iter()
        .filter_map(|c| c.last_seen)
        .max_by(f64::total_cmp);
    let kinds: Vec<&str> = analysis
        .networks
        .iter()
        .map(|network| network.kind.name())
        .collect();
    IncidentDraft {
        name: format!("Coordinated {} network on {platform}", kinds.join(" + ")),
        summary: format!(
            "{} cluster(s), {accounts} account(s) acting on the same objects within {} s (minimum edge weight {}). Draft generated by crosswatch detect; review before sharing.",
            chosen.len(),
            analysis.config.window,
            analysis.config.edges.min_weight
        ),
        first_seen: first_seen.and_then(rfc3339),
        last_seen: last_seen.and_then(rfc3339),
        assets: vec![AssetCount {
            platform: platform.to_owned(),
            kind: "account".into(),
            count: accounts,
        }],
        indicators: indicators.into_iter().collect(),
    }
}

/// Writes the draft incident as pretty JSON.
pub fn write_incident_json(mut out: impl Write, draft: &IncidentDraft) -> Result<(), DetectError> {
    serde_json::to_writer_pretty(&mut out, draft).map_err(io_error)?;
    out.write_all(b"\n").map_err(io_error)
}

impl IncidentDraft {
    /// The draft as a Crosswatch incident an analyst can edit and share
    /// (`crosswatch convert --to stix`). It is marked TLP:AMBER until the
    /// analyst decides otherwise; its id is derived from its content, so the
    /// same findings give the same id. Objects that are only meaningful on
    /// the detecting platform (post ids) stay out of the indicators.
    pub fn to_incident(&self, now: time::OffsetDateTime) -> crosswatch_model::Incident {
        use crosswatch_model::{
            AssetKind, HashAlgorithm, Incident, Indicator as Signal, Platform, Tlp,
        };
        let seed = serde_json::to_string(self).unwrap_or_default();
        let id = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            format!("crosswatch:detect:{seed}").as_bytes(),
        );
        let mut incident = Incident::with_id(id, self.name.clone(), Tlp::Amber, now);
        incident.status = crosswatch_model::IncidentStatus::Investigating;
        incident.summary = self.summary.clone();
        let parse = |t: &Option<String>| {
            t.as_deref().and_then(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            })
        };
        incident.first_seen = parse(&self.first_seen);
        incident.last_seen = parse(&self.last_seen);
        for asset in &self.assets {
            let platform: Platform = match asset.platform.parse() {
                Ok(p) => p,
                Err(never) => match never {},
            };
            let kind = AssetKind::from_noun(&asset.kind).unwrap_or(AssetKind::Account);
            incident.add_assets(platform, kind, asset.count);
        }
        let mut set = crosswatch_model::IndicatorSet::default();
        for indicator in &self.indicators {
            let signal = match indicator.kind.as_str() {
                "domain" => Signal::domain(&indicator.value).ok(),
                "url" => Signal::url(&indicator.value).ok(),
                "hashtag" | "text" => Signal::text(&indicator.value).ok(),
                "image_hash" => Signal::hash(HashAlgorithm::Pdq, &indicator.value).ok(),
                _ => None,
            };
            if let Some(signal) = signal {
                set.insert(signal);
            }
        }
        incident.indicators = set.into_vec();
        incident
    }
}

#[cfg(test)]
mod draft_tests {
    use super::*;

    #[test]
    fn draft_becomes_a_valid_incident() {
        let draft = IncidentDraft {
            name: "Coordinated co-link network on x".into(),
            summary: "2 clusters".into(),
            first_seen: Some("2024-05-01T10:00:00Z".into()),
            last_seen: Some("2024-05-02T10:00:00Z".into()),
            assets: vec![AssetCount {
                platform: "x".into(),
                kind: "account".into(),
                count: 12,
            }],
            indicators: vec![
                Indicator {
                    kind: "url".into(),
                    value: "https://news.example/story?id=1".into(),
                },
                Indicator {
                    kind: "domain".into(),
                    value: "news.example".into(),
                },
                Indicator {
                    kind: "post_id".into(),
                    value: "1234".into(),
                },
            ],
        };
        let incident = draft.to_incident(time::OffsetDateTime::UNIX_EPOCH);
        incident.validate().unwrap();
        assert_eq!(incident.tlp, crosswatch_model::Tlp::Amber);
        assert_eq!(incident.assets[0].count, 12);
        assert_eq!(
            incident.indicators.len(),
            2,
            "post ids stay on the detecting platform"
        );
        assert!(incident.first_seen < incident.last_seen);
        assert_eq!(
            incident.id,
            draft.to_incident(time::OffsetDateTime::UNIX_EPOCH).id
        );
    }
}
