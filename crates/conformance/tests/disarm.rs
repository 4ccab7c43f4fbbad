//! The DISARM catalogue loader on the official DISARM STIX bundle.

use crosswatch_model::{Taxonomy, TechniqueRef};
use crosswatch_stix::DisarmCatalogue;

fn load() -> Option<DisarmCatalogue> {
    let dir = crosswatch_conformance::shared_data("DISARM STIX bundle")?;
    let bytes = std::fs::read(dir.join("disarm/DISARM.json")).expect("read DISARM.json");
    Some(DisarmCatalogue::from_bundle(&bytes).expect("load DISARM.json"))
}

#[test]
fn official_bundle_has_391_techniques_in_16_tactics() {
    let Some(catalogue) = load() else { return };
    assert_eq!(catalogue.techniques().len(), 391);
    assert_eq!(catalogue.technique_count(), 103);
    assert_eq!(catalogue.subtechnique_count(), 288);
    assert_eq!(catalogue.tactics().len(), 16);
    // Every technique serves at least one known tactic; every sub-technique has a known parent.
    for technique in catalogue.techniques() {
        assert!(
            !catalogue.tactics_of(&technique.id).is_empty(),
            "{} has no tactic",
            technique.id
        );
        if technique.is_subtechnique() {
            let parent = catalogue.parent(&technique.id).expect("parent");
            assert!(technique.id.starts_with(&parent.id), "{}", technique.id);
        }
    }
}

#[test]
fn looks_up_known_ids() {
    let Some(catalogue) = load() else { return };
    assert_eq!(catalogue.name("TA01"), Some("Plan Strategy"));
    assert_eq!(catalogue.name("T0002"), Some("Facilitate State Propaganda"));
    assert_eq!(
        catalogue.parent("T0014.001").map(|t| t.id.as_str()),
        Some("T0014")
    );
    let copypasta = TechniqueRef::new(Taxonomy::Disarm, "T0015.001", None).unwrap();
    assert!(catalogue.validate(&copypasta).is_ok());
    assert!(catalogue.named(&copypasta).name.is_some());
    let missing = TechniqueRef::new(Taxonomy::Disarm, "T0999.999", None).unwrap();
    assert!(catalogue.validate(&missing).is_err());
}
