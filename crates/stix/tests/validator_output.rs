//! Writes exported bundles for the OASIS validator (`scripts/validate-stix.sh`)
//! into the directory named by `CROSSWATCH_STIX_OUT` (relative to the
//! workspace root), and checks them here with the crate's own validation
//! either way.

mod common;

use crosswatch_model::Tlp;
use crosswatch_stix::{
    ExportOptions, IncidentObjectType, export_incident, export_incidents, to_json_pretty,
    validate_object,
};

#[test]
fn exported_fixture_bundles_are_valid_and_written_for_the_validator() {
    let mut bundles = Vec::new();
    for (n, tlp) in Tlp::ALL.into_iter().enumerate() {
        let incident = common::rich_incident(tlp, n as u128);
        let name = format!("rich-{}", tlp.name().to_ascii_lowercase().replace('+', "-"));
        bundles.push((name, export_incident(&incident, &ExportOptions::default())));
    }
    let intrusion_set = ExportOptions {
        incident_object: IncidentObjectType::IntrusionSet,
        ..ExportOptions::default()
    };
    bundles.push((
        "rich-intrusion-set".into(),
        export_incident(&common::rich_incident(Tlp::Green, 9), &intrusion_set),
    ));
    bundles.push((
        "minimal".into(),
        export_incident(
            &common::minimal_incident(Tlp::Clear),
            &ExportOptions::default(),
        ),
    ));
    // Targets outside the EU only: no Member States to list.
    let mut outside_eu = common::minimal_incident(Tlp::Green);
    outside_eu.add_target("MD".parse().unwrap());
    bundles.push((
        "targets-outside-eu".into(),
        export_incident(&outside_eu, &ExportOptions::default()),
    ));
    let no_report = ExportOptions {
        include_report: false,
        ..ExportOptions::default()
    };
    bundles.push((
        "several".into(),
        export_incidents(
            &[
                common::rich_incident(Tlp::Amber, 20),
                common::rich_incident(Tlp::Red, 21),
                common::minimal_incident(Tlp::Green),
            ],
            &no_report,
        ),
    ));
    // Cargo runs tests in the package directory; a relative path means the
    // workspace root, where CI runs `CROSSWATCH_STIX_OUT=target/stix-out`.
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = std::env::var_os("CROSSWATCH_STIX_OUT").map(|dir| workspace.join(dir));
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir).unwrap();
    }
    for (name, bundle) in &bundles {
        let mut ids = std::collections::HashSet::new();
        for object in &bundle.objects {
            validate_object(object.as_value()).unwrap();
            assert!(
                ids.insert(object.id().to_string()),
                "{name}: duplicate id {}",
                object.id()
            );
            if object.kind() != "marking-definition" {
                assert!(
                    !object.object_marking_refs().is_empty(),
                    "{name}: {} unmarked",
                    object.id()
                );
            }
        }
        if let Some(dir) = &out {
            std::fs::write(dir.join(format!("{name}.json")), to_json_pretty(bundle)).unwrap();
        }
    }
}
