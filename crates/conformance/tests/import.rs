//! Meta's published indicator files import without error and give the
//! figures their reports state.

use crosswatch_import::{Format, import};
use crosswatch_model::{AssetKind, Incident, IndicatorKind, Platform};

fn load(name: &str) -> Option<crosswatch_import::Imported> {
    let dir = crosswatch_conformance::shared_data("meta-threat-research")?;
    let path = dir.join("meta-threat-research").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let imported = import(name, &bytes, None, time::OffsetDateTime::UNIX_EPOCH)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    Some(imported)
}

fn assets(incident: &Incident, platform: Platform, kind: AssetKind) -> u64 {
    incident
        .assets
        .iter()
        .filter(|a| a.platform == platform && a.kind == kind)
        .map(|a| a.count)
        .sum()
}

fn has_account(incident: &Incident, platform: &str, handle: &str) -> bool {
    incident.indicators.iter().any(|i| {
        i.kind == IndicatorKind::SocialAccount
            && i.platform.as_ref().map(|p| p.as_str()) == Some(platform)
            && i.handle.as_deref() == Some(handle)
    })
}

#[test]
fn every_shared_file_imports() {
    let Some(dir) = crosswatch_conformance::shared_data("meta-threat-research") else {
        return;
    };
    let mut seen = 0;
    for entry in std::fs::read_dir(dir.join("meta-threat-research")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !(name.ends_with(".csv") || name.ends_with(".md") || name.ends_with(".tsv")) {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let imported = import(&name, &bytes, None, time::OffsetDateTime::UNIX_EPOCH)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        if imported.format == Format::KillChainTaxonomy {
            let taxonomy = imported.taxonomy.unwrap();
            use crosswatch_model::taxonomy::TechniqueLevel::*;
            assert_eq!(
                (
                    taxonomy.count(Tactic),
                    taxonomy.count(Technique),
                    taxonomy.count(Procedure)
                ),
                (10, 54, 161),
                "{name}"
            );
        } else {
            assert!(!imported.incidents.is_empty(), "{name}");
            for incident in &imported.incidents {
                incident
                    .validate()
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        }
        seen += 1;
    }
    assert!(seen >= 8, "expected the shared indicator files, saw {seen}");
}

#[test]
fn moldova_q3_2024() {
    let Some(imported) = load("Q3_2024_MOLDOVA_BASED_CIB_NETWORK.csv") else {
        return;
    };
    assert_eq!(imported.format, Format::MetaCsv);
    let incident = &imported.incidents[0];
    assert_eq!(assets(incident, Platform::Facebook, AssetKind::Account), 7);
    assert_eq!(assets(incident, Platform::Facebook, AssetKind::Page), 23);
    assert_eq!(assets(incident, Platform::Facebook, AssetKind::Group), 1);
    assert_eq!(
        assets(incident, Platform::Instagram, AssetKind::Account),
        20
    );
    assert!(has_account(incident, "tiktok", "kishinev24"));
    assert!(has_account(incident, "telegram", "insider_md"));
    assert!(has_account(incident, "ok.ru", "group/70000005349948"));
    assert!(
        incident
            .indicators
            .iter()
            .any(|i| i.kind == IndicatorKind::Outlet && i.value == "Insider Moldova")
    );
    assert_eq!(incident.origin_countries, vec!["MD".parse().unwrap()]);
}

#[test]
fn benin_q4_2024() {
    let Some(imported) = load("Q4_2024_BENIN_BASED_CIB_NETWORK.csv") else {
        return;
    };
    let incident = &imported.incidents[0];
    assert_eq!(assets(incident, Platform::Facebook, AssetKind::Account), 16);
    assert_eq!(assets(incident, Platform::Facebook, AssetKind::Page), 6);
    assert!(
        incident
            .indicators
            .iter()
            .any(|i| i.kind == IndicatorKind::Domain && i.value == "newwayforward.us")
    );
    assert!(has_account(incident, "x", "newwayforwardus"));
    assert_eq!(incident.target_countries, vec!["FR".parse().unwrap()]);
    assert_eq!(incident.origin_countries, vec!["BJ".parse().unwrap()]);
    let spend = incident
        .indicators
        .iter()
        .find(|i| i.kind == IndicatorKind::AdSpend)
        .unwrap();
    assert_eq!(spend.quantity, Some(1300));
}

#[test]
fn moldova_h2_2025_markdown() {
    let Some(imported) = load("meta-h2-2025-moldova-based-cib-network.md") else {
        return;
    };
    assert_eq!(imported.format, Format::MetaMarkdown);
    let incident = &imported.incidents[0];
    assert_eq!(assets(incident, Platform::Facebook, AssetKind::Account), 15);
    assert_eq!(assets(incident, Platform::Facebook, AssetKind::Page), 6);
    assert_eq!(assets(incident, Platform::Facebook, AssetKind::Group), 7);
    assert_eq!(assets(incident, Platform::Instagram, AssetKind::Account), 4);
    assert!(
        incident
            .indicators
            .iter()
            .any(|i| i.kind == IndicatorKind::Domain && i.value == "gagauzia24.info")
    );
    assert!(has_account(incident, "youtube", "gagauzia_24"));
    assert!(has_account(incident, "vk", "id464508604"));
    assert_eq!(incident.target_countries, vec!["MD".parse().unwrap()]);
}

#[test]
fn legacy_2022_splits_operations() {
    let Some(imported) =
        load("2022_09_removing_coordinated_inauthentic_behavior_from_china_and_russia.csv")
    else {
        return;
    };
    assert_eq!(imported.format, Format::MetaLegacy);
    assert_eq!(imported.incidents.len(), 2);
    let russia = imported
        .incidents
        .iter()
        .find(|i| i.origin_countries == vec!["RU".parse().unwrap()])
        .unwrap();
    let china = imported
        .incidents
        .iter()
        .find(|i| i.origin_countries == vec!["CN".parse().unwrap()])
        .unwrap();
    assert_eq!(china.indicators.len(), 2);
    assert!(russia.indicators.iter().any(|i| i.value == "spiegel.ltd"));
    assert!(russia.target_countries.contains(&"DE".parse().unwrap()));
    let domains = russia
        .indicators
        .iter()
        .filter(|i| i.kind == IndicatorKind::Domain)
        .count();
    // 313 rows, two of them repeated: indicators are kept once.
    assert_eq!(domains, 311);
}
