//! TLP markings in STIX: the official TLP 2.0 marking definitions published
//! by OASIS (with the TLP 2.0 extension) and the STIX 2.1 built-in TLP 1.0
//! definitions on import.

use crosswatch_model::Tlp;
use serde_json::{Value, json};

use crate::StixError;

/// The id of the OASIS extension that carries the TLP 2.0 level.
pub const TLP2_EXTENSION_ID: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// The official TLP 2.0 marking-definition object for a level.
pub fn marking_definition(tlp: Tlp) -> Value {
    json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": tlp.stix_marking_id(),
        "created": "2022-10-01T00:00:00.000Z",
        "name": tlp.label(),
        "extensions": {
            TLP2_EXTENSION_ID: {
                "extension_type": "property-extension",
                "tlp_2_0": tlp.name().to_ascii_lowercase(),
            }
        }
    })
}

/// The TLP level a marking-definition object states, if it is a TLP marking:
/// TLP 2.0 (`extensions[…].tlp_2_0`) or TLP 1.0 (`definition_type: "tlp"`).
/// A TLP marking with a level that does not exist is an error.
pub fn level_of_definition(object: &Value) -> Result<Option<Tlp>, StixError> {
    let id = object
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("(no id)");
    if let Some(tlp) = Tlp::from_stix_marking_id(id) {
        return Ok(Some(tlp));
    }
    let v2 = object
        .get("extensions")
        .and_then(Value::as_object)
        .and_then(|extensions| {
            extensions
                .values()
                .find_map(|e| e.get("tlp_2_0").map(|level| (level, "extensions.tlp_2_0")))
        });
    // TLP 1.0: `definition_type: "tlp"`; OpenCTI writes `"TLP"` and `{"TLP": "TLP:AMBER"}`.
    let is_v1 = object
        .get("definition_type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("tlp"));
    let v1 = is_v1
        .then(|| {
            let definition = object.get("definition");
            definition
                .and_then(|d| d.get("tlp").or_else(|| d.get("TLP")))
                .map(|level| (level, "definition.tlp"))
                .or_else(|| object.get("name").map(|name| (name, "name")))
        })
        .flatten();
    match v2.or(v1) {
        None => Ok(None),
        Some((level, field)) => {
            let text = level.as_str().unwrap_or_default();
            text.parse::<Tlp>()
                .map(Some)
                .map_err(|e| StixError::invalid(id, field, e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_definitions_read_back() {
        for tlp in Tlp::ALL {
            let definition = marking_definition(tlp);
            assert_eq!(level_of_definition(&definition).unwrap(), Some(tlp));
            assert_eq!(definition["name"], tlp.label());
        }
        assert_eq!(
            marking_definition(Tlp::AmberStrict)["extensions"][TLP2_EXTENSION_ID]["tlp_2_0"],
            "amber+strict"
        );
    }

    #[test]
    fn reads_custom_ids_and_rejects_unknown_levels() {
        let v1 = json!({"id": "marking-definition--11111111-1111-4111-8111-111111111111",
            "definition_type": "tlp", "definition": {"tlp": "white"}});
        assert_eq!(level_of_definition(&v1).unwrap(), Some(Tlp::Clear));
        let v2 = json!({"id": "marking-definition--11111111-1111-4111-8111-111111111112",
            "extensions": {TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": "purple"}}});
        assert!(
            matches!(level_of_definition(&v2), Err(StixError::Invalid { field, .. }) if field == "extensions.tlp_2_0")
        );
        let statement = json!({"id": "marking-definition--11111111-1111-4111-8111-111111111113",
            "definition_type": "statement", "definition": {"statement": "CC-BY"}});
        assert_eq!(level_of_definition(&statement).unwrap(), None);
    }
}
