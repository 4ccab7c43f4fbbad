//! The DISARM framework catalogue, loaded from the official DISARM STIX
//! bundle: technique and tactic names, a technique's tactics and parent, and
//! existence checks for [`TechniqueRef`]s.
//!
//! Crosswatch ships no DISARM text; the caller supplies the bundle
//! (DISARMFoundation/DISARMframeworks, `DISARM.json`).

use std::collections::HashMap;

use crosswatch_model::taxonomy::{TechniqueLevel, level_of};
use crosswatch_model::{Taxonomy, TechniqueRef};
use serde_json::Value;

use crate::StixError;

/// A DISARM tactic, e.g. `TA01 Plan Strategy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisarmTactic {
    /// `TA01`.
    pub id: String,
    /// `Plan Strategy`.
    pub name: String,
    /// The kill-chain phase name attack-patterns use, e.g. `plan-strategy`.
    pub shortname: String,
    /// The STIX id of the `x-mitre-tactic` object.
    pub stix_id: String,
}

/// A DISARM technique or sub-technique, e.g. `T0015.001`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisarmTechnique {
    /// `T0002` or `T0015.001`.
    pub id: String,
    /// The technique's name.
    pub name: String,
    /// Ids of the tactics it serves (`TA01`…).
    pub tactics: Vec<String>,
    /// For sub-techniques, the parent technique's id.
    pub parent: Option<String>,
    /// The STIX id of the `attack-pattern` object.
    pub stix_id: String,
}

impl DisarmTechnique {
    /// Whether this is a sub-technique (`T0015.001`).
    pub fn is_subtechnique(&self) -> bool {
        self.id.contains('.')
    }
}

/// A technique reference that the loaded DISARM catalogue does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisarmError {
    /// Not a DISARM reference at all.
    #[error("`{0}` is a {1} reference, not DISARM")]
    WrongTaxonomy(String, Taxonomy),
    /// Well formed but not in the catalogue.
    #[error("`{0}` is not a technique or tactic in the loaded DISARM framework")]
    Unknown(String),
}

/// The DISARM red framework: tactics and techniques by id.
#[derive(Debug, Clone, Default)]
pub struct DisarmCatalogue {
    tactics: Vec<DisarmTactic>,
    techniques: Vec<DisarmTechnique>,
    tactic_index: HashMap<String, usize>,
    technique_index: HashMap<String, usize>,
}

fn str_of<'a>(object: &'a Value, name: &str) -> Option<&'a str> {
    object.get(name).and_then(Value::as_str)
}

/// The DISARM id in an object's external references (`TA01`, `T0002`).
fn disarm_id(object: &Value) -> Option<&str> {
    object
        .get("external_references")?
        .as_array()?
        .iter()
        .filter_map(|r| str_of(r, "external_id"))
        .find(|id| level_of(Taxonomy::Disarm, id).is_some())
}

impl DisarmCatalogue {
    /// Loads the catalogue from the DISARM STIX bundle.
    pub fn from_bundle(bytes: &[u8]) -> Result<DisarmCatalogue, StixError> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| StixError::Json(e.to_string()))?;
        let objects = value
            .get("objects")
            .and_then(Value::as_array)
            .ok_or_else(|| StixError::NotABundle("no `objects` list".into()))?;
        let mut catalogue = DisarmCatalogue::default();
        let mut by_stix_id: HashMap<&str, String> = HashMap::new();
        let mut shortnames: HashMap<String, String> = HashMap::new();
        for object in objects {
            if object.get("revoked").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let stix_id = str_of(object, "id").unwrap_or_default();
            let kind = str_of(object, "type").unwrap_or_default();
            if kind != "x-mitre-tactic" && kind != "attack-pattern" {
                continue;
            }
            let Some(id) = disarm_id(object) else {
                return Err(StixError::invalid(
                    stix_id,
                    "external_references.external_id",
                    "no DISARM id (TA01, T0002 or T0015.001)",
                ));
            };
            let level = level_of(Taxonomy::Disarm, id);
            let name = str_of(object, "name")
                .ok_or_else(|| StixError::invalid(stix_id, "name", "required string is missing"))?
                .trim()
                .to_string();
            if kind == "x-mitre-tactic" {
                if level != Some(TechniqueLevel::Tactic) {
                    return Err(StixError::invalid(
                        stix_id,
                        "external_references.external_id",
                        format!("`{id}` is not a tactic id such as TA01"),
                    ));
                }
                let shortname = str_of(object, "x_mitre_shortname")
                    .map(str::to_string)
                    .unwrap_or_else(|| name.to_lowercase().replace(' ', "-"));
                shortnames.insert(shortname.clone(), id.to_string());
                catalogue
                    .tactic_index
                    .insert(id.to_string(), catalogue.tactics.len());
                catalogue.tactics.push(DisarmTactic {
                    id: id.to_string(),
                    name,
                    shortname,
                    stix_id: stix_id.to_string(),
                });
            } else {
                if !matches!(
                    level,
                    Some(TechniqueLevel::Technique | TechniqueLevel::SubTechnique)
                ) {
                    return Err(StixError::invalid(
                        stix_id,
                        "external_references.external_id",
                        format!("`{id}` is not a technique id such as T0002 or T0015.001"),
                    ));
                }
                by_stix_id.insert(stix_id, id.to_string());
                catalogue
                    .technique_index
                    .insert(id.to_string(), catalogue.techniques.len());
                catalogue.techniques.push(DisarmTechnique {
                    id: id.to_string(),
                    name,
                    tactics: Vec::new(),
                    parent: None,
                    stix_id: stix_id.to_string(),
                });
            }
        }
        // Tactics through kill-chain phases (phase_name = tactic shortname).
        for object in objects {
            if str_of(object, "type") != Some("attack-pattern") {
                continue;
            }
            let Some(technique_id) = by_stix_id.get(str_of(object, "id").unwrap_or_default())
            else {
                continue;
            };
            let phases = object
                .get("kill_chain_phases")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let tactics: Vec<String> = phases
                .iter()
                .filter_map(|p| str_of(p, "phase_name"))
                .filter_map(|phase| shortnames.get(phase).cloned())
                .collect();
            if let Some(&index) = catalogue.technique_index.get(technique_id)
                && let Some(technique) = catalogue.techniques.get_mut(index)
            {
                technique.tactics = tactics;
            }
        }
        // Parents through `subtechnique-of`, else from the id itself.
        let mut parents: HashMap<String, String> = HashMap::new();
        for object in objects {
            if str_of(object, "type") == Some("relationship")
                && str_of(object, "relationship_type") == Some("subtechnique-of")
                && let (Some(child), Some(parent)) = (
                    str_of(object, "source_ref").and_then(|s| by_stix_id.get(s)),
                    str_of(object, "target_ref").and_then(|t| by_stix_id.get(t)),
                )
            {
                parents.insert(child.clone(), parent.clone());
            }
        }
        for technique in &mut catalogue.techniques {
            technique.parent = parents.get(&technique.id).cloned().or_else(|| {
                technique
                    .id
                    .split_once('.')
                    .map(|(parent, _)| parent.to_string())
            });
        }
        Ok(catalogue)
    }

    /// All tactics, in bundle order.
    pub fn tactics(&self) -> &[DisarmTactic] {
        &self.tactics
    }

    /// All techniques and sub-techniques, in bundle order.
    pub fn techniques(&self) -> &[DisarmTechnique] {
        &self.techniques
    }

    /// How many top-level techniques there are (`T0002`).
    pub fn technique_count(&self) -> usize {
        self.techniques
            .iter()
            .filter(|t| !t.is_subtechnique())
            .count()
    }

    /// How many sub-techniques there are (`T0015.001`).
    pub fn subtechnique_count(&self) -> usize {
        self.techniques
            .iter()
            .filter(|t| t.is_subtechnique())
            .count()
    }

    /// A technique by id, e.g. `T0015.001` (case-insensitive).
    pub fn technique(&self, id: &str) -> Option<&DisarmTechnique> {
        let index = *self.technique_index.get(&id.trim().to_ascii_uppercase())?;
        self.techniques.get(index)
    }

    /// A tactic by id, e.g. `TA01` (case-insensitive).
    pub fn tactic(&self, id: &str) -> Option<&DisarmTactic> {
        let index = *self.tactic_index.get(&id.trim().to_ascii_uppercase())?;
        self.tactics.get(index)
    }

    /// The name of a tactic or technique.
    pub fn name(&self, id: &str) -> Option<&str> {
        self.technique(id)
            .map(|t| t.name.as_str())
            .or_else(|| self.tactic(id).map(|t| t.name.as_str()))
    }

    /// The tactics a technique serves.
    pub fn tactics_of(&self, id: &str) -> Vec<&DisarmTactic> {
        self.technique(id)
            .map(|t| t.tactics.iter().filter_map(|a| self.tactic(a)).collect())
            .unwrap_or_default()
    }

    /// A sub-technique's parent technique.
    pub fn parent(&self, id: &str) -> Option<&DisarmTechnique> {
        self.technique(self.technique(id)?.parent.as_deref()?)
    }

    /// Checks that a reference names a DISARM tactic or technique that exists.
    pub fn validate(&self, technique: &TechniqueRef) -> Result<(), DisarmError> {
        if technique.taxonomy != Taxonomy::Disarm {
            return Err(DisarmError::WrongTaxonomy(
                technique.id.clone(),
                technique.taxonomy,
            ));
        }
        if self.name(&technique.id).is_some() {
            Ok(())
        } else {
            Err(DisarmError::Unknown(technique.id.clone()))
        }
    }

    /// The reference with its name filled in from the catalogue when it has none.
    pub fn named(&self, technique: &TechniqueRef) -> TechniqueRef {
        let mut named = technique.clone();
        if named.name.is_none() && technique.taxonomy == Taxonomy::Disarm {
            named.name = self.name(&technique.id).map(str::to_string);
        }
        named
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny bundle in the shape of the official one (own text, not DISARM's).
    const FIXTURE: &str = r#"{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": [
      {"type": "x-mitre-tactic", "id": "x-mitre-tactic--00000000-0000-4000-8000-000000000001", "name": "Plan Things",
       "x_mitre_shortname": "plan-things", "external_references": [{"source_name": "DISARM", "external_id": "TA01"}]},
      {"type": "x-mitre-tactic", "id": "x-mitre-tactic--00000000-0000-4000-8000-000000000002", "name": "Make Assets",
       "x_mitre_shortname": "make-assets", "external_references": [{"source_name": "DISARM", "external_id": "TA15"}]},
      {"type": "attack-pattern", "id": "attack-pattern--00000000-0000-4000-8000-000000000003", "name": "Make Personas",
       "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "make-assets"}],
       "external_references": [{"source_name": "mitre-attack", "external_id": "T0097"}]},
      {"type": "attack-pattern", "id": "attack-pattern--00000000-0000-4000-8000-000000000004", "name": "Persona A",
       "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "make-assets"}, {"kill_chain_name": "mitre-attack", "phase_name": "plan-things"}],
       "external_references": [{"source_name": "mitre-attack", "external_id": "T0097.101"}]},
      {"type": "relationship", "id": "relationship--00000000-0000-4000-8000-000000000005", "relationship_type": "subtechnique-of",
       "source_ref": "attack-pattern--00000000-0000-4000-8000-000000000004", "target_ref": "attack-pattern--00000000-0000-4000-8000-000000000003"},
      {"type": "identity", "id": "identity--00000000-0000-4000-8000-000000000006", "name": "Someone"}
    ]}"#;

    #[test]
    fn loads_tactics_techniques_and_links() {
        let catalogue = DisarmCatalogue::from_bundle(FIXTURE.as_bytes()).unwrap();
        assert_eq!(catalogue.tactics().len(), 2);
        assert_eq!(catalogue.technique_count(), 1);
        assert_eq!(catalogue.subtechnique_count(), 1);
        assert_eq!(catalogue.name("t0097.101"), Some("Persona A"));
        assert_eq!(catalogue.name("TA15"), Some("Make Assets"));
        assert_eq!(catalogue.parent("T0097.101").unwrap().id, "T0097");
        assert!(catalogue.parent("T0097").is_none());
        let tactics: Vec<&str> = catalogue
            .tactics_of("T0097.101")
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(tactics, ["TA15", "TA01"]);
    }

    #[test]
    fn validates_and_names_references() {
        let catalogue = DisarmCatalogue::from_bundle(FIXTURE.as_bytes()).unwrap();
        let known = TechniqueRef::new(Taxonomy::Disarm, "T0097.101", None).unwrap();
        assert!(catalogue.validate(&known).is_ok());
        assert_eq!(catalogue.named(&known).name.as_deref(), Some("Persona A"));
        let unknown = TechniqueRef::new(Taxonomy::Disarm, "T0098", None).unwrap();
        assert_eq!(
            catalogue.validate(&unknown),
            Err(DisarmError::Unknown("T0098".into()))
        );
        let other = TechniqueRef::new(Taxonomy::KillChain, "0.9", None).unwrap();
        assert!(matches!(
            catalogue.validate(&other),
            Err(DisarmError::WrongTaxonomy(..))
        ));
    }

    #[test]
    fn rejects_bad_ids_naming_the_object() {
        let bad = FIXTURE.replace("T0097.101", "T97.1");
        match DisarmCatalogue::from_bundle(bad.as_bytes()) {
            Err(StixError::Invalid { object_id, .. }) => {
                assert_eq!(
                    object_id,
                    "attack-pattern--00000000-0000-4000-8000-000000000004"
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(DisarmCatalogue::from_bundle(b"not json").is_err());
        assert!(DisarmCatalogue::from_bundle(b"{}").is_err());
    }
}
