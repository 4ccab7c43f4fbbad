//! The importers on files written in each published format, with their quirks.

use crosswatch_import::{Format, ImportError, detect_format, import};
use crosswatch_model::{AssetKind, Incident, IndicatorKind, Platform};
use proptest::prelude::*;

const KILLCHAIN_CSV: &str = include_str!("fixtures/Q2_2026_EXAMPLESTAN_BASED_CIB_NETWORK.csv");
const KILLCHAIN_TSV: &str = include_str!("fixtures/Q2_2026_EXAMPLESTAN_BASED_CIB_NETWORK.tsv");
const MARKDOWN: &str = include_str!("fixtures/examplestan-h1-2026-cib-network.md");
const LEGACY: &str = include_str!("fixtures/2026_05_example_legacy_from_examplestan.csv");

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::UNIX_EPOCH
}

fn count(incident: &Incident, platform: Platform, kind: AssetKind) -> u64 {
    incident
        .assets
        .iter()
        .filter(|a| a.platform == platform && a.kind == kind)
        .map(|a| a.count)
        .sum()
}

fn values(incident: &Incident, kind: IndicatorKind) -> Vec<&str> {
    incident
        .indicators
        .iter()
        .filter(|i| i.kind == kind)
        .map(|i| i.value.as_str())
        .collect()
}

fn check_killchain(imported: crosswatch_import::Imported) {
    assert_eq!(imported.format, Format::MetaCsv);
    let incident = &imported.incidents[0];
    assert_eq!(incident.name, "Examplestan-based CIB network (Q2 2026)");
    assert_eq!(count(incident, Platform::Facebook, AssetKind::Account), 12);
    assert_eq!(count(incident, Platform::Facebook, AssetKind::Page), 4);
    assert_eq!(count(incident, Platform::Facebook, AssetKind::Group), 1);
    assert_eq!(count(incident, Platform::Instagram, AssetKind::Account), 9);
    let telegram = incident
        .indicators
        .iter()
        .find(|i| i.handle.as_deref() == Some("example_daily"))
        .unwrap();
    assert_eq!(telegram.platform, Some(Platform::Telegram));
    assert_eq!(telegram.note.as_deref(), Some("run by the same admins"));
    assert_eq!(telegram.techniques[0].id, "0.9.7");
    assert!(
        incident
            .indicators
            .iter()
            .any(|i| i.handle.as_deref() == Some("example.voice"))
    );
    assert_eq!(
        values(incident, IndicatorKind::Domain),
        vec!["example-news.info"]
    );
    assert_eq!(
        values(incident, IndicatorKind::Outlet),
        vec!["Example Daily News"]
    );
    let spend = incident
        .indicators
        .iter()
        .find(|i| i.kind == IndicatorKind::AdSpend)
        .unwrap();
    assert_eq!(spend.quantity, Some(2450));
    let followers = incident
        .indicators
        .iter()
        .find(|i| i.kind == IndicatorKind::Followers)
        .unwrap();
    assert_eq!(followers.quantity, Some(3100));
    let targets: Vec<&str> = incident
        .target_countries
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(targets, vec!["PT", "ES"]);
    assert!(
        incident.techniques.iter().any(|t| t.id == "7.3.4"
            && t.name.as_deref() == Some("Utilising Language-Specific Campaigns"))
    );
    assert_eq!(incident.narratives.len(), 1);
    assert!(
        incident
            .summary
            .contains("generated using artificial intelligence")
    );
    incident.validate().unwrap();
}

#[test]
fn killchain_csv_with_quirks() {
    check_killchain(
        import(
            "Q2_2026_EXAMPLESTAN_BASED_CIB_NETWORK.csv",
            KILLCHAIN_CSV.as_bytes(),
            None,
            now(),
        )
        .unwrap(),
    );
}

#[test]
fn killchain_tsv() {
    check_killchain(
        import(
            "Q2_2026_EXAMPLESTAN_BASED_CIB_NETWORK.tsv",
            KILLCHAIN_TSV.as_bytes(),
            None,
            now(),
        )
        .unwrap(),
    );
}

#[test]
fn markdown_ioc_table() {
    let imported = import(
        "examplestan-h1-2026-cib-network.md",
        MARKDOWN.as_bytes(),
        None,
        now(),
    )
    .unwrap();
    assert_eq!(imported.format, Format::MetaMarkdown);
    let incident = &imported.incidents[0];
    assert_eq!(count(incident, Platform::Facebook, AssetKind::Account), 21);
    assert_eq!(count(incident, Platform::Facebook, AssetKind::Page), 3);
    assert_eq!(count(incident, Platform::Facebook, AssetKind::Group), 1);
    assert_eq!(count(incident, Platform::Instagram, AssetKind::Account), 2);
    assert_eq!(
        values(incident, IndicatorKind::Domain),
        vec!["example-news.info"]
    );
    assert_eq!(values(incident, IndicatorKind::Ip), vec!["192.0.2.0/24"]);
    assert_eq!(
        values(incident, IndicatorKind::Email),
        vec!["press@example-news.info"]
    );
    assert!(incident.indicators.iter().any(|i| i.platform == Some(Platform::X) && i.handle.as_deref() == Some("examplevoice")));
    assert!(incident.indicators.iter().any(
        |i| i.platform == Some(Platform::YouTube) && i.handle.as_deref() == Some("example_tv")
    ));
    assert_eq!(incident.target_countries, vec!["PT".parse().unwrap()]);
    assert!(
        incident
            .external_references
            .iter()
            .any(|r| r.url.as_deref() == Some("https://example.org/report"))
    );
    assert!(incident.name.contains("(H1 2026)"), "{}", incident.name);
}

#[test]
fn legacy_csv_splits_by_origin_prefix() {
    let imported = import(
        "2026_05_example_legacy_from_examplestan.csv",
        LEGACY.as_bytes(),
        None,
        now(),
    )
    .unwrap();
    assert_eq!(imported.format, Format::MetaLegacy);
    assert_eq!(imported.incidents.len(), 2);
    let main = &imported.incidents[0];
    assert_eq!(
        values(main, IndicatorKind::Domain),
        vec!["example-news.info", "exemplo-noticias.pt"]
    );
    assert_eq!(main.target_countries, vec!["PT".parse().unwrap()]);
    assert_eq!(
        imported.incidents[1].origin_countries,
        vec!["ES".parse().unwrap()]
    );
}

#[test]
fn reimport_gives_the_same_ids() {
    let a = import(
        "x/Q2_2026_EXAMPLESTAN_BASED_CIB_NETWORK.csv",
        KILLCHAIN_CSV.as_bytes(),
        None,
        now(),
    )
    .unwrap();
    let b = import(
        "y/Q2_2026_EXAMPLESTAN_BASED_CIB_NETWORK.csv",
        KILLCHAIN_CSV.as_bytes(),
        None,
        now(),
    )
    .unwrap();
    assert_eq!(a.incidents[0].id, b.incidents[0].id);
}

#[test]
fn problems_name_file_line_and_field() {
    let bad = "Tactic ,Technique,Procedure,Indicator\n\
        0. Acquiring assets,0.9 Acquiring social media accounts,0.9.1 Acquiring Facebook assets,hxxp://[bad\n\
        ,,,\n\
        0. Acquiring assets,0.9 Acquiring social media accounts,Acquiring,x[.]com/fine\n\
        0. Acquiring assets,0.6 Acquiring domains,0.6.2 Acquiring domains,bad..domain\n";
    let err = import("bad.csv", bad.as_bytes(), None, now()).unwrap_err();
    let ImportError::Invalid { problems } = &err else {
        panic!("{err}")
    };
    let places: Vec<String> = problems.iter().map(|p| p.location.to_string()).collect();
    assert_eq!(
        places,
        vec![
            "bad.csv:2 (field `Indicator`)",
            "bad.csv:4 (field `Procedure`)",
            "bad.csv:5 (field `Indicator`)"
        ],
        "{err}"
    );
}

#[test]
fn unknown_files_list_the_formats_tried() {
    let err = import("notes.txt", b"hello world\n", None, now()).unwrap_err();
    let message = err.to_string();
    for name in ["stix", "meta-md", "meta-legacy", "meta-csv"] {
        assert!(message.contains(name), "{message}");
    }
    assert!(import("x.csv", &[0xff, 0xfe, 0x00], Some(Format::MetaCsv), now()).is_err());
}

#[test]
fn detection() {
    assert_eq!(
        detect_format(KILLCHAIN_CSV.as_bytes()),
        Some(Format::MetaCsv)
    );
    assert_eq!(
        detect_format(KILLCHAIN_TSV.as_bytes()),
        Some(Format::MetaCsv)
    );
    assert_eq!(
        detect_format(MARKDOWN.as_bytes()),
        Some(Format::MetaMarkdown)
    );
    assert_eq!(detect_format(LEGACY.as_bytes()), Some(Format::MetaLegacy));
    assert_eq!(
        detect_format(b"Tactic,Technique,Procedure\n0. A,0.1 B,0.1.1 C\n"),
        Some(Format::KillChainTaxonomy)
    );
    assert_eq!(
        detect_format(br#"{"type": "bundle", "id": "bundle--x"}"#),
        Some(Format::Stix)
    );
    assert_eq!(detect_format(b"{}"), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for format in [None, Some(Format::MetaCsv), Some(Format::MetaMarkdown), Some(Format::MetaLegacy), Some(Format::KillChainTaxonomy)] {
            let _ = import("fuzz", &bytes, format, now());
        }
    }

    #[test]
    fn never_panics_on_mutated_fixtures(cut in 0usize..2000, insert in "\\PC{0,12}", which in 0usize..4) {
        let base = [KILLCHAIN_CSV, KILLCHAIN_TSV, MARKDOWN, LEGACY][which];
        let mut cut = cut.min(base.len());
        while !base.is_char_boundary(cut) { cut -= 1; }
        let mutated = format!("{}{}{}", &base[..cut], insert, &base[cut..]);
        let _ = import("fuzz", mutated.as_bytes(), None, now());
    }
}
