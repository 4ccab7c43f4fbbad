//! QRE, Code of Practice JSON, summaries, overview charts and the Navigator
//! layer.

mod common;

use common::*;
use crosswatch_model::platform::{AssetKind, Platform};
use crosswatch_model::{Indicator, TechniqueRef};
use crosswatch_report::overview::overview_charts;
use crosswatch_report::svg::{bar_chart, line_chart};
use crosswatch_report::{
    Exchange, Feedback, FeedbackKind, Forum, ForumKind, OverviewInput, Period, QreInput,
    SummaryFormat, cop_json, incident_summary, navigator_layer, overview_html, qre_16_1_1_html,
    qre_16_1_1_markdown, sli_16_1_1,
};
use proptest::prelude::*;

const HOSTILE: &str = "<script>alert('x')</script> & \"quoted\" <img src=x onerror=alert(1)>";

fn period() -> Period {
    "2025-07-01..2025-12-31".parse().unwrap()
}

fn rich_incident(name: &str) -> crosswatch_model::Incident {
    let mut i = incident(name);
    i.add_assets(Platform::Facebook, AssetKind::Account, 7);
    i.add_assets(Platform::Facebook, AssetKind::Page, 23);
    i.add_assets(Platform::Facebook, AssetKind::Group, 1);
    i.add_assets(Platform::Instagram, AssetKind::Account, 20);
    i.add_origin(cc("RU"));
    i.add_target(cc("DE"));
    i.add_target(cc("FR"));
    i.add_technique(TechniqueRef::parse_any("T0007").unwrap());
    i.add_technique(TechniqueRef::parse_any("0.9").unwrap());
    i.add_indicator(Indicator::from_observable("https://fake-news.example/story").unwrap());
    i.learnings
        .push("Operators recycled Pages bought on marketplaces.".into());
    i.source_org = Some("ExampleNet".into());
    i
}

fn feedback(kind: FeedbackKind, from: &str) -> Feedback {
    Feedback {
        incident_id: uuid::Uuid::from_u128(7),
        from_org: from.into(),
        received_at: IN_PERIOD,
        kind,
        assets: vec![crosswatch_model::AssetCount {
            platform: Platform::X,
            kind: AssetKind::Account,
            count: 12,
            identifiers: Vec::new(),
        }],
        note: String::new(),
    }
}

/// A deliberately small well-formedness checker: balanced tags, quoted
/// attributes, known entities, no stray `<` or `&` in text.
fn assert_well_formed_xml(xml: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = xml;
    let check_text = |text: &str| {
        let mut t = text;
        while let Some(pos) = t.find('&') {
            let after = &t[pos + 1..];
            let end = after.find(';').expect("unterminated entity");
            let name = &after[..end];
            assert!(
                ["amp", "lt", "gt", "quot", "apos"].contains(&name) || name.starts_with('#'),
                "unknown entity &{name};"
            );
            t = &after[end + 1..];
        }
    };
    while let Some(open) = rest.find('<') {
        check_text(&rest[..open]);
        let close = rest[open..].find('>').expect("unterminated tag") + open;
        let tag = &rest[open + 1..close];
        assert!(!tag.contains('<'), "`<` inside tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mismatched </{name}>"
            );
        } else {
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name = body
                .split_whitespace()
                .next()
                .expect("empty tag")
                .to_string();
            // Attributes: name="value" pairs, values without `<` or raw quotes.
            let mut attrs = body[name.len()..].trim();
            while !attrs.is_empty() {
                let eq = attrs.find('=').expect("attribute without value");
                let after = &attrs[eq + 1..];
                assert!(after.starts_with('"'), "unquoted attribute in <{name}>");
                let end = after[1..].find('"').expect("unterminated attribute") + 1;
                check_text(&after[1..end]);
                attrs = after[end + 1..].trim();
            }
            if !self_closing {
                stack.push(name);
            }
        }
        rest = &rest[close + 1..];
    }
    check_text(rest);
    assert!(stack.is_empty(), "unclosed tags: {stack:?}");
}

#[test]
fn summary_reads_like_a_threat_report() {
    let md = incident_summary(
        &rich_incident("Doppelganger"),
        &[feedback(FeedbackKind::Actioned, "X Corp")],
        SummaryFormat::Markdown,
    );
    assert!(md.contains(
        "We removed 7 Facebook accounts, 23 Pages, one Group and 20 accounts on Instagram"
    ));
    assert!(md.contains("This network originated in Russia and targeted Germany and France."));
    assert!(
        md.contains(
            "hxxps://fake-news[.]example/story"
                .replace('[', "\\[")
                .replace(']', "\\]")
                .as_str()
        )
    );
    assert!(md.contains("T0007"));
    assert!(md.contains("X Corp took action: 12 X accounts removed."));
}

#[test]
fn summary_html_escapes_hostile_names() {
    let mut incident = rich_incident(HOSTILE);
    incident.learnings.push(HOSTILE.into());
    let mut fb = feedback(FeedbackKind::Confirmed, HOSTILE);
    fb.note = HOSTILE.into();
    let html = incident_summary(&incident, &[fb], SummaryFormat::Html);
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    let md = incident_summary(&incident, &[], SummaryFormat::Markdown);
    assert!(!md.contains("<script>"));
}

#[test]
fn qre_lists_fora_exchanges_feedback_and_learnings() {
    let forums = vec![Forum {
        name: "eu-hub / elections".into(),
        kind: ForumKind::SharingGroup,
        description: "Election integrity exchange".into(),
        members: vec!["ExampleNet".into(), "OtherNet".into()],
    }];
    let shared = vec![Exchange {
        incident: rich_incident("Doppelganger"),
        forum: "eu-hub / elections".into(),
        at: IN_PERIOD,
    }];
    let received = vec![Exchange {
        incident: rich_incident(HOSTILE),
        forum: "eu-hub".into(),
        at: BEFORE_PERIOD,
    }];
    let fb = vec![feedback(FeedbackKind::Actioned, "OtherNet")];
    let input = QreInput {
        period: period(),
        reporter: "ExampleNet",
        forums: &forums,
        shared: &shared,
        received: &received,
        feedback: &fb,
    };
    let md = qre_16_1_1_markdown(&input);
    assert!(md.contains("eu-hub / elections (sharing group): Election integrity exchange"));
    assert!(md.contains("Shared 1 incident carrying 1 indicator."));
    assert!(
        md.contains("Received 0 incidents"),
        "received before the period is left out"
    );
    assert!(md.contains("1 feedback message received: 1 took action."));
    assert!(md.contains("Operators recycled Pages"));
    assert!(md.contains("Germany: 1 incident"));
    let html = qre_16_1_1_html(&input);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script>"));
}

#[test]
fn cop_json_has_commitment_measure_qre_and_sli_table() {
    let actions = vec![action(
        1,
        IN_PERIOD,
        "ExampleNet",
        AssetKind::Account,
        4,
        &["FR", "DE"],
        Some(provenance("eu-hub", None, Some("Meta"))),
    )];
    let table = sli_16_1_1(&actions, &period(), None);
    let input = QreInput {
        period: period(),
        reporter: "ExampleNet",
        forums: &[],
        shared: &[],
        received: &[],
        feedback: &[],
    };
    let json = cop_json("ExampleNet", &table, &input);
    let measure = &json["commitments"][0]["measures"][0];
    assert_eq!(json["commitments"][0]["id"], "16");
    assert_eq!(measure["id"], "16.1");
    assert_eq!(measure["qre"][0]["id"], "QRE 16.1.1");
    let rows = measure["sli"][0]["table"].as_array().unwrap();
    assert_eq!(rows.len(), 32);
    assert_eq!(rows[0][0], "Country");
    assert_eq!(rows[0][1], "Actions");
    assert_eq!(rows[1][0], "Austria");
    assert_eq!(rows[10][0], "France");
    assert_eq!(rows[10][2], 4);
    assert_eq!(rows[31][0], "Total");
    assert_eq!(rows[31][2], 4);
    assert_eq!(json["reporting_period"]["start"], "2025-07-01");
}

#[test]
fn overview_charts_are_well_formed_svg_even_with_hostile_labels() {
    let incidents = vec![rich_incident(HOSTILE), rich_incident("plain")];
    let actions = vec![action(
        1,
        IN_PERIOD,
        "ExampleNet",
        AssetKind::Account,
        4,
        &["FR"],
        Some(provenance(HOSTILE, None, None)),
    )];
    let input = OverviewInput {
        title: HOSTILE,
        period: period(),
        incidents: &incidents,
        actions: &actions,
    };
    let charts = overview_charts(&input);
    assert_eq!(charts.len(), 4);
    for chart in &charts {
        assert_well_formed_xml(chart);
    }
    assert!(charts[0].contains(">Russia<"));
    assert!(charts[1].contains(">France<"));
    let html = overview_html(&input);
    assert!(!html.contains("<script>"));
    assert_eq!(html.matches("<svg").count(), 4);
    // Empty inputs still give valid charts.
    let empty = OverviewInput {
        title: "t",
        period: period(),
        incidents: &[],
        actions: &[],
    };
    for chart in overview_charts(&empty) {
        assert_well_formed_xml(&chart);
    }
}

#[test]
fn checker_rejects_broken_xml() {
    let broken = [
        "<svg><g></svg>",
        "<svg a=b></svg>",
        "<svg>&bogus;</svg>",
        "<svg>",
    ];
    for text in broken {
        assert!(
            std::panic::catch_unwind(|| assert_well_formed_xml(text)).is_err(),
            "{text} passed"
        );
    }
}

#[test]
fn navigator_layer_scores_disarm_techniques_only() {
    let a = rich_incident("A");
    let mut b = rich_incident("B");
    b.add_technique(TechniqueRef::parse_any("T0015.001").unwrap());
    let layer = navigator_layer("Crosswatch H2 2025", &[a, b]);
    assert_eq!(layer["domain"], "DISARM");
    assert_eq!(layer["versions"]["layer"], "4.5");
    let techniques = layer["techniques"].as_array().unwrap();
    let ids: Vec<&str> = techniques
        .iter()
        .map(|t| t["techniqueID"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["T0007", "T0015.001"]);
    assert_eq!(techniques[0]["score"], 2);
    assert!(techniques[0]["comment"].as_str().unwrap().contains("A; B"));
}

proptest! {
    #[test]
    fn charts_stay_well_formed_for_any_labels(
        labels in prop::collection::vec("\\PC{0,20}", 0..6),
        values in prop::collection::vec(0u64..1000, 6),
    ) {
        let bars: Vec<(String, u64)> = labels.iter().cloned().zip(values.iter().copied()).collect();
        assert_well_formed_xml(&bar_chart(&labels.concat(), &bars));
        let series = vec![(labels.concat(), values[..labels.len()].to_vec())];
        assert_well_formed_xml(&line_chart("t", &labels, &series));
    }
}
