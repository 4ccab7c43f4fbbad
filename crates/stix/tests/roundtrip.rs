//! Our own bundles come back without loss: random incidents → bundle → JSON →
//! incident, and exporting twice gives the same bytes.

mod common;

use crosswatch_model::platform::{AccountRef, AssetKind, Platform};
use crosswatch_model::{
    AssetCount, Attribution, CountryCode, ExternalReference, HashAlgorithm, Incident,
    IncidentStatus, Indicator, IndicatorKind, Narrative, Taxonomy, TechniqueRef, ThreatActor, Tlp,
};
use crosswatch_stix::{
    ExportOptions, IncidentObjectType, export_incident, export_incidents, import_bundle,
    to_json_pretty, validate_object,
};
use proptest::option;
use proptest::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

fn round_trip(incident: &Incident, options: &ExportOptions) -> Incident {
    let json = to_json_pretty(&export_incident(incident, options));
    let mut imported = import_bundle(json.as_bytes()).unwrap();
    assert_eq!(imported.incidents.len(), 1, "{json}");
    assert!(imported.preserved.is_empty(), "{:?}", imported.preserved);
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    imported.incidents.remove(0)
}

#[test]
fn rich_fixtures_round_trip_at_every_tlp_and_object_type() {
    for (n, tlp) in Tlp::ALL.into_iter().enumerate() {
        let incident = common::rich_incident(tlp, n as u128);
        assert_eq!(round_trip(&incident, &ExportOptions::default()), incident);
        let intrusion_set = ExportOptions {
            incident_object: IncidentObjectType::IntrusionSet,
            include_report: false,
            ..ExportOptions::default()
        };
        assert_eq!(round_trip(&incident, &intrusion_set), incident);
    }
    let minimal = common::minimal_incident(Tlp::Red);
    assert_eq!(round_trip(&minimal, &ExportOptions::default()), minimal);
}

#[test]
fn several_incidents_share_one_bundle_and_come_back_apart() {
    let incidents = vec![
        common::rich_incident(Tlp::Amber, 1),
        common::rich_incident(Tlp::Green, 2),
        common::minimal_incident(Tlp::Clear),
    ];
    let bundle = export_incidents(&incidents, &ExportOptions::default());
    let imported = import_bundle(to_json_pretty(&bundle).as_bytes()).unwrap();
    assert_eq!(imported.incidents, incidents);
    assert!(imported.preserved.is_empty(), "{:#?}", imported.preserved);
    // The source organisation's identity appears once.
    assert_eq!(
        bundle
            .objects_of_type("identity")
            .filter(|o| o.get("name").and_then(|n| n.as_str())
                == Some("Example Platform Trust & Safety"))
            .count(),
        1
    );
}

#[test]
fn export_is_deterministic_and_well_formed() {
    let incident = common::rich_incident(Tlp::AmberStrict, 7);
    let first = to_json_pretty(&export_incident(&incident, &ExportOptions::default()));
    let second = to_json_pretty(&export_incident(
        &incident.clone(),
        &ExportOptions::default(),
    ));
    assert_eq!(first, second);
    let bundle = export_incident(&incident, &ExportOptions::default());
    let campaign = bundle.objects_of_type("campaign").next().unwrap();
    assert_eq!(
        campaign.get("first_seen").unwrap(),
        "2024-03-01T00:00:00.000Z"
    );
    assert_eq!(
        campaign.get("modified").unwrap(),
        "2024-09-15T12:30:00.250Z"
    );
    for object in &bundle.objects {
        validate_object(object.as_value()).unwrap();
        if object.kind() != "marking-definition"
            && object.id() != crosswatch_stix::extension::CROSSWATCH_IDENTITY_ID
            && object.id() != crosswatch_stix::extension::EXTENSION_ID
        {
            assert_eq!(
                object.object_marking_refs(),
                vec![Tlp::AmberStrict.stix_marking_id()]
            );
        }
    }
    let patterns: Vec<&str> = bundle
        .objects_of_type("indicator")
        .filter_map(|o| o.get("pattern").and_then(|p| p.as_str()))
        .collect();
    for expected in [
        "[domain-name:value = 'newwayforward.us']",
        "[ipv4-addr:value = '10.0.0.0/8']",
        "[ipv6-addr:value = '2001:db8::/32']",
        "[email-addr:value = 'info@example.org']",
        "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
        "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
        "[file:hashes.PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22']",
        "[user-account:account_login = 'insider_md' AND user-account:account_type = 'telegram']",
        r"[user-account:account_login = 'o\'neil\\x' AND user-account:account_type = 'x']",
    ] {
        assert!(
            patterns.contains(&expected),
            "{expected} not in {patterns:#?}"
        );
    }
    // Text and other non-observables are signals, never patterns.
    assert_eq!(bundle.objects_of_type("x-crosswatch-signal").count(), 4);
    let report = bundle.objects_of_type("report").next().unwrap();
    let refs = report.get("object_refs").unwrap().as_array().unwrap();
    assert_eq!(refs.len(), bundle.objects.len() - 1 - 3 + 1);
}

fn any_time() -> impl Strategy<Value = OffsetDateTime> {
    (
        946_684_800i64..1_900_000_000,
        0u32..1_000_000_000,
        prop::bool::ANY,
    )
        .prop_map(|(secs, nanos, coarse)| {
            let nanos = if coarse {
                nanos / 1_000_000 * 1_000_000
            } else {
                nanos
            };
            OffsetDateTime::from_unix_timestamp(secs).unwrap()
                + time::Duration::nanoseconds(nanos.into())
        })
}

fn any_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 '\"\\\\é\u{1F600}.,]{0,12}[a-zA-Z]"
}

fn any_country() -> impl Strategy<Value = CountryCode> {
    prop::sample::select(vec![
        "FR", "DE", "MD", "RO", "RU", "GR", "US", "NO", "CN", "UA",
    ])
    .prop_map(|c| c.parse().unwrap())
}

fn countries() -> impl Strategy<Value = Vec<CountryCode>> {
    prop::collection::vec(any_country(), 0..4).prop_map(|mut v| {
        let mut seen = Vec::new();
        v.retain(|c| {
            let new = !seen.contains(c);
            seen.push(*c);
            new
        });
        v
    })
}

fn any_technique() -> impl Strategy<Value = TechniqueRef> {
    let id = prop_oneof![
        "TA[0-9]{2}".prop_map(|id| (Taxonomy::Disarm, id)),
        "T[0-9]{4}".prop_map(|id| (Taxonomy::Disarm, id)),
        "T[0-9]{4}\\.[0-9]{3}".prop_map(|id| (Taxonomy::Disarm, id)),
        "[0-9]{1,2}(\\.[0-9]{1,2}){0,2}".prop_map(|id| (Taxonomy::KillChain, id)),
    ];
    (id, option::of("[A-Z][a-z' ]{0,10}[a-z]"))
        .prop_map(|((taxonomy, id), name)| TechniqueRef::new(taxonomy, &id, name).unwrap())
}

fn any_platform() -> impl Strategy<Value = Platform> {
    prop::sample::select(vec![
        Platform::Facebook,
        Platform::X,
        Platform::Telegram,
        Platform::TikTok,
        Platform::OkRu,
        Platform::Other("zzforum".into()),
    ])
}

fn any_asset_kind() -> impl Strategy<Value = AssetKind> {
    prop::sample::select(vec![
        AssetKind::Account,
        AssetKind::Page,
        AssetKind::Group,
        AssetKind::Channel,
        AssetKind::AdAccount,
    ])
}

fn any_indicator() -> impl Strategy<Value = Indicator> {
    let base = prop_oneof![
        "[a-z]{1,8}\\.(com|org|md)".prop_map(|d| Indicator::domain(&d).unwrap()),
        "[a-z]{1,8}\\.example/[a-z'()~\\\\]{0,8}".prop_map(|u| Indicator::url(&u).unwrap()),
        any::<[u8; 4]>()
            .prop_map(|o| Indicator::ip(&std::net::Ipv4Addr::from(o).to_string()).unwrap()),
        any::<[u8; 16]>()
            .prop_map(|o| Indicator::ip(&std::net::Ipv6Addr::from(o).to_string()).unwrap()),
        "[a-z.']{1,8}@[a-z]{1,8}\\.org".prop_map(|e| Indicator::email(&e).unwrap()),
        (
            prop::sample::select(vec![
                HashAlgorithm::Md5,
                HashAlgorithm::Sha1,
                HashAlgorithm::Sha256,
                HashAlgorithm::Pdq
            ]),
            any::<[u8; 32]>()
        )
            .prop_map(|(a, bytes)| {
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                Indicator::hash(a, &hex[..a.hex_len()]).unwrap()
            }),
        (any_platform(), "[a-zA-Z0-9_'\\\\.]{1,10}", any_asset_kind())
            .prop_map(|(p, h, k)| Indicator::account(AccountRef::new(p, &h, k).unwrap())),
        any_text().prop_map(|t| Indicator::text(&t).unwrap()),
        any_text().prop_map(|t| Indicator::outlet(&t).unwrap()),
        (any_text(), option::of(any::<u64>()), option::of("[A-Z]{3}")).prop_map(|(w, q, c)| {
            let mut indicator = Indicator::quantity(IndicatorKind::AdSpend, &w, q);
            indicator.currency = c;
            indicator
        }),
        (any_text(), option::of(any::<u64>())).prop_map(|(w, q)| Indicator::quantity(
            IndicatorKind::Followers,
            &w,
            q
        )),
    ];
    (
        base,
        option::of(any_text()),
        prop::collection::vec(any_technique(), 0..3),
    )
        .prop_map(|(mut i, note, techniques)| {
            i = i.with_note(note);
            for t in techniques {
                i = i.with_technique(Some(t));
            }
            i
        })
}

fn any_actor() -> impl Strategy<Value = ThreatActor> {
    let attribution = (
        "[A-Za-z][A-Za-z ]{0,8}",
        option::of(0u8..=100),
        option::of("[A-Z][a-z]{1,6}"),
    )
        .prop_map(|(to, confidence, by)| Attribution { to, confidence, by });
    (
        any_text(),
        prop::collection::vec(any_text(), 0..3),
        prop::collection::vec(attribution, 0..3),
    )
        .prop_map(|(name, aliases, attributions)| ThreatActor {
            name,
            aliases,
            attributions,
        })
}

prop_compose! {
    fn any_incident()(
        id in any::<u128>(),
        name in any_text(),
        summary in prop_oneof![Just(String::new()), any_text()],
        first_seen in option::of(any_time()),
        last_seen in option::of(any_time()),
        status in prop::sample::select(vec![IncidentStatus::Investigating, IncidentStatus::Active, IncidentStatus::Disrupted, IncidentStatus::Resurgent, IncidentStatus::Closed]),
        confidence in option::of(0u8..=100),
        tlp in prop::sample::select(Tlp::ALL.to_vec()),
        source_org in option::of(any_text()),
        version in 1u32..1000,
        created in any_time(),
        later in 0i64..100_000_000,
        origin_countries in countries(),
        target_countries in countries(),
        target_languages in prop::collection::vec(prop::sample::select(vec!["en", "ro", "ru", "de-AT"]), 0..3),
        threat_actors in prop::collection::vec(any_actor(), 0..3),
        techniques in prop::collection::vec(any_technique(), 0..4),
        assets in prop::collection::vec((any_platform(), any_asset_kind(), any::<u64>(), prop::collection::vec("[a-z0-9_]{1,8}", 0..2)), 0..3),
        indicators in prop::collection::vec(any_indicator(), 0..8),
        narratives in prop::collection::vec((any_text(), option::of(prop::sample::select(vec!["en", "ro", "fr"])), countries()), 0..3),
        learnings in prop::collection::vec(any_text(), 0..3),
        references in prop::collection::vec((any_text(), option::of("https://[a-z]{1,8}\\.example/[a-z]{0,5}"), option::of("[A-Z]{2}-[0-9]{1,4}")), 0..3),
    ) -> Incident {
        let mut incident = Incident::with_id(Uuid::from_u128(id), name, tlp, created);
        incident.summary = summary;
        incident.first_seen = first_seen;
        incident.last_seen = last_seen;
        incident.status = status;
        incident.confidence = confidence;
        incident.source_org = source_org;
        incident.version = version;
        incident.modified = created + time::Duration::milliseconds(later);
        incident.origin_countries = origin_countries;
        incident.target_countries = target_countries;
        incident.target_languages = target_languages.into_iter().map(str::to_string).collect();
        incident.threat_actors = threat_actors;
        incident.techniques = techniques;
        incident.assets = assets.into_iter().map(|(platform, kind, count, identifiers)| AssetCount { platform, kind, count, identifiers }).collect();
        incident.indicators = indicators;
        incident.narratives = narratives.into_iter().map(|(text, language, targets)| Narrative { text, language: language.map(str::to_string), targets }).collect();
        incident.learnings = learnings;
        incident.external_references = references.into_iter().map(|(source, url, external_id)| ExternalReference { source, url, external_id }).collect();
        incident
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_incidents_round_trip(incident in any_incident(), intrusion_set in any::<bool>(), include_report in any::<bool>()) {
        let options = ExportOptions {
            incident_object: if intrusion_set { IncidentObjectType::IntrusionSet } else { IncidentObjectType::Campaign },
            include_report,
            ..ExportOptions::default()
        };
        let bundle = export_incident(&incident, &options);
        for object in &bundle.objects {
            prop_assert!(validate_object(object.as_value()).is_ok(), "{:?}", object);
        }
        let json = to_json_pretty(&bundle);
        let imported = import_bundle(json.as_bytes()).unwrap();
        prop_assert!(imported.preserved.is_empty(), "{:?}", imported.preserved);
        prop_assert_eq!(imported.incidents, vec![incident]);
    }
}
