//! Bundles from other producers, written in the style of OpenCTI and MISP
//! exports: what maps becomes an incident, everything else is kept.

use crosswatch_model::{HashAlgorithm, IndicatorKind, Platform, Taxonomy, Tlp};
use crosswatch_stix::{StixError, import_bundle, looks_like_stix_bundle};
use serde_json::{Value, json};

const OPENCTI: &str = include_str!("fixtures/opencti.json");
const MISP: &str = include_str!("fixtures/misp.json");

fn preserved_ids(imported: &crosswatch_stix::ImportedBundle) -> Vec<&str> {
    imported.preserved.iter().map(|o| o.id()).collect()
}

#[test]
fn opencti_campaign_maps_and_keeps_the_rest() {
    let imported = import_bundle(OPENCTI.as_bytes()).unwrap();
    assert_eq!(imported.incidents.len(), 1);
    let incident = &imported.incidents[0];
    assert_eq!(incident.name, "Operation Mirror Sites");
    assert_eq!(
        incident.summary,
        "Cloned news sites spreading fabricated articles."
    );
    assert_eq!(incident.tlp, Tlp::Amber);
    assert_eq!(incident.confidence, Some(75));
    assert_eq!(incident.source_org.as_deref(), Some("Example CERT"));
    assert_eq!(incident.first_seen.unwrap().year(), 2024);
    assert_eq!(incident.created.millisecond(), 123);
    assert_eq!(incident.target_countries, vec!["FR".parse().unwrap()]);
    assert_eq!(incident.origin_countries, vec!["RU".parse().unwrap()]);
    assert_eq!(incident.threat_actors.len(), 1);
    assert_eq!(incident.threat_actors[0].name, "Mirror Operators");
    assert_eq!(
        incident.threat_actors[0].aliases,
        vec!["MirrorOps".to_string()]
    );
    assert_eq!(incident.techniques.len(), 1);
    assert_eq!(incident.techniques[0].taxonomy, Taxonomy::Disarm);
    assert_eq!(incident.techniques[0].id, "T0086");
    assert_eq!(
        incident.external_references[0].url.as_deref(),
        Some("https://cert.example/mirror-sites")
    );
    let values: Vec<&str> = incident
        .indicators
        .iter()
        .map(|i| i.value.as_str())
        .collect();
    assert_eq!(
        values,
        [
            "mirror-news.example",
            "https://mirror-news.example/2024/05/story?id=1"
        ]
    );
    assert_eq!(
        incident.indicators[0].note.as_deref(),
        Some("Cloned outlet")
    );
    assert_eq!(incident.indicators[0].techniques[0].id, "T0086");

    let preserved = preserved_ids(&imported);
    for kept in [
        "location--c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f",
        "attack-pattern--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e",
        "indicator--6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9e",
        "indicator--7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0f",
        "malware--0e1f2a3b-4c5d-4e6f-8a7b-8c9d0e1f2a3c",
        "x-opencti-case--1f2a3b4c-5d6e-4f7a-9b8c-9d0e1f2a3b4d",
    ] {
        assert!(
            preserved.contains(&kept),
            "{kept} not preserved: {preserved:?}"
        );
    }
    for mapped in [
        "campaign--0c7b5e2a-1d3f-4a6b-9c8d-7e6f5a4b3c2d",
        "indicator--4e5f6a7b-8c9d-4e0f-8a1b-2c3d4e5f6a7b",
        "intrusion-set--3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7",
        "location--a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    ] {
        assert!(!preserved.contains(&mapped), "{mapped} should have mapped");
    }
    // Two indicators kept aside, each with a warning naming it.
    assert_eq!(imported.warnings.len(), 2, "{:?}", imported.warnings);
    assert!(imported.warnings[0].contains("indicator--6a7b8c9d"));
    let custom = imported
        .custom_properties
        .iter()
        .find(|c| c.object_id == "indicator--4e5f6a7b-8c9d-4e0f-8a1b-2c3d4e5f6a7b")
        .unwrap();
    assert_eq!(custom.properties["x_opencti_score"], 90);
    assert!(
        imported
            .custom_properties
            .iter()
            .any(|c| c.object_id.starts_with("campaign--")
                && c.properties.contains_key("x_opencti_stix_ids"))
    );
}

#[test]
fn misp_event_report_maps_and_keeps_the_rest() {
    let imported = import_bundle(MISP.as_bytes()).unwrap();
    assert_eq!(imported.incidents.len(), 1);
    let incident = &imported.incidents[0];
    assert_eq!(
        incident.name,
        "Fake ministry statements circulated on messaging apps"
    );
    assert_eq!(incident.tlp, Tlp::Clear, "TLP 1.0 WHITE becomes CLEAR");
    assert_eq!(incident.source_org.as_deref(), Some("EXAMPLE-ISAC"));
    assert_eq!(incident.target_countries, vec!["LV".parse().unwrap()]);
    assert_eq!(incident.techniques.len(), 1);
    assert_eq!(incident.techniques[0].id, "T0085.004");
    assert_eq!(
        incident.techniques[0].name.as_deref(),
        Some("T0085.004 - Develop Document")
    );
    let kinds: Vec<IndicatorKind> = incident.indicators.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            IndicatorKind::Hash,
            IndicatorKind::Email,
            IndicatorKind::Ip,
            IndicatorKind::SocialAccount
        ]
    );
    assert_eq!(
        incident.indicators[0].hash_algorithm,
        Some(HashAlgorithm::Md5)
    );
    assert_eq!(
        incident.indicators[0].value,
        "d41d8cd98f00b204e9800998ecf8427e"
    );
    assert_eq!(
        incident.indicators[1].note.as_deref(),
        Some("Sender of the lure")
    );
    assert_eq!(incident.indicators[3].platform, Some(Platform::Telegram));
    assert_eq!(
        incident.indicators[3].handle.as_deref(),
        Some("ministrynews_official")
    );
    assert_eq!(
        incident.learnings,
        vec!["Statements reused the ministry's letterhead.".to_string()]
    );
    let preserved = preserved_ids(&imported);
    assert_eq!(
        preserved,
        [
            "observed-data--1b6c0a5e-8f7d-4a9b-9c0d-4e5f6a7b8c9d",
            "domain-name--6a1b5f0d-3e2c-4f4a-8b5c-9d0e1f2a3b4c",
            "x-misp-object--2c7d1b6f-9a8e-4b0c-8d1e-5f6a7b8c9d0e",
        ]
    );
    let custom = imported
        .custom_properties
        .iter()
        .find(|c| c.object_id == "indicator--7d2e6c1a-4b3f-4c5d-9e6f-0a1b2c3d4e5f")
        .unwrap();
    assert_eq!(
        custom.properties["x_misp_comment"],
        "Attachment of the fake statement"
    );
}

fn with_object_changed(fixture: &str, id: &str, field: &str, value: Value) -> Vec<u8> {
    let mut bundle: Value = serde_json::from_str(fixture).unwrap();
    for object in bundle["objects"].as_array_mut().unwrap() {
        if object["id"] == id {
            object[field] = value.clone();
        }
    }
    serde_json::to_vec(&bundle).unwrap()
}

fn expect_invalid(bytes: &[u8], expected_id: &str, expected_field: &str) {
    match import_bundle(bytes) {
        Err(StixError::Invalid {
            object_id,
            field,
            message,
        }) => {
            assert_eq!(object_id, expected_id, "{message}");
            assert_eq!(field, expected_field, "{message}");
        }
        other => panic!("expected an error on {expected_id}.{expected_field}, got {other:?}"),
    }
}

#[test]
fn invalid_countries_tlp_and_techniques_are_errors_naming_object_and_field() {
    let location = "location--a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    expect_invalid(
        &with_object_changed(OPENCTI, location, "country", json!("XX")),
        location,
        "country",
    );

    let marking = "marking-definition--7c5a0a34-5a4e-4f6a-9c1d-2e9b0f3a8d21";
    expect_invalid(
        &with_object_changed(OPENCTI, marking, "definition", json!({"TLP": "TLP:PURPLE"})),
        marking,
        "definition.tlp",
    );
    let v2 = with_object_changed(
        OPENCTI,
        marking,
        "extensions",
        json!({"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {"extension_type": "property-extension", "tlp_2_0": "blue"}}),
    );
    let v2 = String::from_utf8(v2)
        .unwrap()
        .replace("\"definition_type\":\"TLP\"", "\"definition_type\":\"x\"");
    expect_invalid(v2.as_bytes(), marking, "extensions.tlp_2_0");

    let technique = "attack-pattern--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
    expect_invalid(
        &with_object_changed(
            OPENCTI,
            technique,
            "external_references",
            json!([{"source_name": "DISARM", "external_id": "T86"}]),
        ),
        technique,
        "external_references.external_id",
    );

    let campaign = "campaign--0c7b5e2a-1d3f-4a6b-9c8d-7e6f5a4b3c2d";
    expect_invalid(
        &with_object_changed(OPENCTI, campaign, "spec_version", json!("2.0")),
        campaign,
        "spec_version",
    );
    expect_invalid(
        &with_object_changed(OPENCTI, campaign, "first_seen", json!("June 2024")),
        campaign,
        "first_seen",
    );
}

#[test]
fn tlp_2_marking_with_a_custom_id_is_read_from_its_definition() {
    let mut bundle: Value = serde_json::from_str(OPENCTI).unwrap();
    bundle["objects"][0] = json!({
        "type": "marking-definition", "spec_version": "2.1",
        "id": "marking-definition--7c5a0a34-5a4e-4f6a-9c1d-2e9b0f3a8d21",
        "created": "2022-10-01T00:00:00.000Z", "name": "TLP:AMBER+STRICT",
        "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {"extension_type": "property-extension", "tlp_2_0": "amber+strict"}}
    });
    let imported = import_bundle(&serde_json::to_vec(&bundle).unwrap()).unwrap();
    assert_eq!(imported.incidents[0].tlp, Tlp::AmberStrict);
}

#[test]
fn detects_bundles_and_rejects_other_input() {
    assert!(looks_like_stix_bundle(OPENCTI.as_bytes()));
    assert!(looks_like_stix_bundle(
        b"\xEF\xBB\xBF {\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": []}"
    ));
    assert!(!looks_like_stix_bundle(
        b"indicator_type,indicator_value\ndomain,x.example\n"
    ));
    assert!(!looks_like_stix_bundle(b"{\"type\": \"campaign\"}"));
    assert!(!looks_like_stix_bundle(b""));
    assert!(matches!(
        import_bundle(b"[1, 2]"),
        Err(StixError::NotABundle(_))
    ));
    assert!(matches!(
        import_bundle(b"{\"type\": "),
        Err(StixError::Json(_))
    ));
    let empty = import_bundle(b"{\"type\": \"bundle\", \"id\": \"bundle--9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\", \"objects\": []}").unwrap();
    assert!(empty.incidents.is_empty() && empty.preserved.is_empty());
}

#[test]
fn loose_indicators_without_a_campaign_become_one_incident() {
    let bundle = json!({"type": "bundle", "id": "bundle--9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6e", "objects": [
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--8e3f7d2b-5c4a-4d6e-8f7a-1b2c3d4e5f6b",
         "created": "2024-02-01T10:02:00.000Z", "modified": "2024-02-01T10:02:00.000Z",
         "pattern": "[domain-name:value = 'loose.example']", "pattern_type": "stix", "valid_from": "2024-02-01T10:02:00Z",
         "object_marking_refs": ["marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"]}
    ]});
    let imported = import_bundle(&serde_json::to_vec(&bundle).unwrap()).unwrap();
    assert_eq!(imported.incidents.len(), 1);
    assert_eq!(imported.incidents[0].tlp, Tlp::Red);
    assert_eq!(imported.incidents[0].indicators[0].value, "loose.example");
}
