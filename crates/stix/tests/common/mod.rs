//! Fixture incidents shared by the integration tests.
#![allow(dead_code)]

use crosswatch_model::platform::{AccountRef, AssetKind, Platform};
use crosswatch_model::{
    Attribution, ExternalReference, HashAlgorithm, Incident, IncidentStatus, Indicator,
    IndicatorKind, Narrative, Taxonomy, TechniqueRef, ThreatActor, Tlp,
};
use time::macros::datetime;
use uuid::Uuid;

fn technique(taxonomy: Taxonomy, id: &str, name: Option<&str>) -> TechniqueRef {
    TechniqueRef::new(taxonomy, id, name.map(str::to_string)).unwrap()
}

/// An incident with every kind of content, marked `tlp`.
pub fn rich_incident(tlp: Tlp, n: u128) -> Incident {
    let mut incident = Incident::with_id(
        Uuid::from_u128(0x1000 + n),
        format!("Moldova-based CIB network {n} (\"Insider\" o'clock \\ test)"),
        tlp,
        datetime!(2024-09-01 00:00:00 UTC),
    );
    incident.modified = datetime!(2024-09-15 12:30:00.250 UTC);
    incident.summary =
        "A network of fake news Pages and channels targeting Moldova and Romania.".into();
    incident.first_seen = Some(datetime!(2024-03-01 00:00:00 UTC));
    incident.last_seen = Some(datetime!(2024-08-31 23:59:59.999 UTC));
    incident.status = IncidentStatus::Active;
    incident.confidence = Some(85);
    incident.source_org = Some("Example Platform Trust & Safety".into());
    incident.version = 3;
    incident.add_origin("RU".parse().unwrap());
    incident.add_origin("MD".parse().unwrap());
    incident.add_target("MD".parse().unwrap());
    incident.add_target("RO".parse().unwrap());
    incident.add_target("FR".parse().unwrap());
    incident.target_languages = vec!["ro".into(), "ru".into()];
    incident.threat_actors = vec![
        ThreatActor {
            name: "Storm-1099".into(),
            aliases: vec!["Doppelganger".into()],
            attributions: vec![
                Attribution {
                    to: "Social Design Agency".into(),
                    confidence: Some(90),
                    by: Some("Example Platform".into()),
                },
                Attribution {
                    to: "Structura".into(),
                    confidence: None,
                    by: None,
                },
            ],
        },
        ThreatActor {
            name: "Unnamed operators".into(),
            aliases: Vec::new(),
            attributions: Vec::new(),
        },
    ];
    incident.add_technique(technique(
        Taxonomy::Disarm,
        "T0015.001",
        Some("Use Copypasta"),
    ));
    incident.add_technique(technique(Taxonomy::Disarm, "T0097", None));
    incident.add_technique(technique(
        Taxonomy::Disarm,
        "TA15",
        Some("Establish Assets"),
    ));
    incident.add_technique(technique(
        Taxonomy::KillChain,
        "0.9.1",
        Some("Acquiring Facebook assets"),
    ));
    incident.add_technique(technique(Taxonomy::KillChain, "7.3", None));
    incident.add_assets(Platform::Facebook, AssetKind::Page, 23);
    incident.add_assets(Platform::Facebook, AssetKind::Account, 112);
    incident.add_assets(Platform::Telegram, AssetKind::Channel, 4);
    incident.assets[2].identifiers = vec!["insider_md".into()];
    let indicators = [
        Indicator::domain("newwayforward[.]us")
            .unwrap()
            .with_note(Some("Fake outlet's domain".into())),
        Indicator::url("https://www.petice[.]com/poadavek?x=1&q='a'\\b").unwrap(),
        Indicator::ip("10.0.0.0/8").unwrap(),
        Indicator::ip("192.0.2.7").unwrap(),
        Indicator::ip("2001:db8::/32").unwrap(),
        Indicator::email("Info[@]Example[.]ORG").unwrap(),
        Indicator::hash(HashAlgorithm::Md5, "d41d8cd98f00b204e9800998ecf8427e").unwrap(),
        Indicator::hash(
            HashAlgorithm::Sha1,
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        )
        .unwrap(),
        Indicator::hash(
            HashAlgorithm::Sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        )
        .unwrap(),
        Indicator::hash(
            HashAlgorithm::Pdq,
            "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
        )
        .unwrap(),
        Indicator::from_observable("https://t[.]me/insider_md")
            .unwrap()
            .with_technique(Some(technique(
                Taxonomy::KillChain,
                "0.9.1",
                Some("Acquiring Facebook assets"),
            ))),
        Indicator::account(AccountRef::new(Platform::X, "@O'Neil\\x", AssetKind::Account).unwrap()),
        Indicator::account(
            AccountRef::new(Platform::Facebook, "groups_abc", AssetKind::Group).unwrap(),
        )
        .with_technique(Some(technique(
            Taxonomy::Disarm,
            "T0104.001",
            Some("Mainstream Social Networks"),
        ))),
        Indicator::text("Moldova's \"future\" is with the East \\ not the West").unwrap(),
        Indicator::outlet("Insider Moldova").unwrap(),
        Indicator::quantity(
            IndicatorKind::AdSpend,
            "About $1,500 spent on ads",
            Some(1500),
        ),
        Indicator::quantity(
            IndicatorKind::Followers,
            "About 10,000 followers",
            Some(10_000),
        ),
    ];
    for mut indicator in indicators {
        if indicator.kind == IndicatorKind::AdSpend {
            indicator.currency = Some("USD".into());
        }
        incident.add_indicator(indicator);
    }
    incident.narratives = vec![
        Narrative {
            text: "Moldova's government is corrupt and pro-war.".into(),
            language: Some("ro".into()),
            targets: vec!["MD".parse().unwrap()],
        },
        Narrative {
            text: "Sanctions hurt Europeans.".into(),
            language: None,
            targets: Vec::new(),
        },
    ];
    incident.learnings = vec!["The operators reused Page admins across campaigns.".into()];
    incident.external_references = vec![
        ExternalReference {
            source: "Meta Adversarial Threat Report Q3 2024".into(),
            url: Some("https://transparency.meta.com/metasecurity/threat-reporting".into()),
            external_id: None,
        },
        ExternalReference {
            source: "Internal case".into(),
            url: None,
            external_id: Some("CASE-42".into()),
        },
        ExternalReference {
            source: "Analyst briefing".into(),
            url: None,
            external_id: None,
        },
    ];
    incident
}

/// A bare incident: only what is required.
pub fn minimal_incident(tlp: Tlp) -> Incident {
    Incident::with_id(
        Uuid::from_u128(0x2000),
        "Minimal incident",
        tlp,
        datetime!(2025-01-01 00:00:00 UTC),
    )
}
