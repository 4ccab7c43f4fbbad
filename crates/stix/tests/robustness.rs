//! `import_bundle` never panics, whatever it is given.

mod common;

use crosswatch_model::Tlp;
use crosswatch_stix::{ExportOptions, export_incident, import_bundle, validate_object};
use proptest::prelude::*;
use serde_json::Value;

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![
            "bundle",
            "campaign",
            "indicator",
            "report",
            "relationship",
            "2.1",
            "location",
            "attack-pattern",
            "marking-definition",
            "[domain-name:value = 'a.example']",
            "2024-01-01T00:00:00.000Z",
            "campaign--0c7b5e2a-1d3f-4a6b-9c8d-7e6f5a4b3c2d",
            "bundle--0c7b5e2a-1d3f-4a6b-9c8d-7e6f5a4b3c2d",
            "FR",
            "DISARM",
            "T0086",
        ])
        .prop_map(|s| Value::String(s.to_string())),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "type",
                    "id",
                    "objects",
                    "spec_version",
                    "created",
                    "modified",
                    "name",
                    "pattern",
                    "pattern_type",
                    "source_ref",
                    "target_ref",
                    "relationship_type",
                    "object_refs",
                    "object_marking_refs",
                    "country",
                    "external_references",
                    "source_name",
                    "external_id",
                    "extensions",
                    "content",
                ])
                .prop_map(str::to_string),
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = import_bundle(&bytes);
        let _ = crosswatch_stix::looks_like_stix_bundle(&bytes);
    }

    #[test]
    fn never_panics_on_arbitrary_json(value in any_json()) {
        let _ = import_bundle(&serde_json::to_vec(&value).unwrap());
        let _ = validate_object(&value);
        let bundle = serde_json::json!({"type": "bundle", "id": "bundle--0c7b5e2a-1d3f-4a6b-9c8d-7e6f5a4b3c2d", "objects": [value]});
        let _ = import_bundle(&serde_json::to_vec(&bundle).unwrap());
    }

    #[test]
    fn never_panics_on_damaged_exports(object_index in any::<prop::sample::Index>(), field_index in any::<prop::sample::Index>(), replacement in any_json()) {
        let bundle = export_incident(&common::rich_incident(Tlp::Green, 1), &ExportOptions::default());
        let mut value = serde_json::to_value(&bundle).unwrap();
        let objects = value["objects"].as_array_mut().unwrap();
        let object = object_index.get_mut(objects).as_object_mut().unwrap();
        let keys: Vec<String> = object.keys().cloned().collect();
        let key = field_index.get(&keys).clone();
        object.insert(key, replacement);
        let _ = import_bundle(&serde_json::to_vec(&value).unwrap());
    }
}
