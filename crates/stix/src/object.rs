//! Generic STIX objects: the bundle envelope, a thin typed view over any
//! object, and the basic STIX 2.1 checks objects arriving over TAXII get.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{StixError, timestamp};

/// A STIX 2.1 bundle: an envelope with an id and any objects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// Always `bundle`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `bundle--<uuid>`.
    pub id: String,
    /// The objects, in the order they were produced.
    pub objects: Vec<StixObject>,
}

impl Bundle {
    /// A bundle with the given id and objects.
    pub fn new(id: String, objects: Vec<StixObject>) -> Bundle {
        Bundle {
            kind: "bundle".to_string(),
            id,
            objects,
        }
    }

    /// The objects of one STIX type, in bundle order.
    pub fn objects_of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a StixObject> {
        self.objects.iter().filter(move |o| o.kind() == kind)
    }

    /// The object with this id.
    pub fn get(&self, id: &str) -> Option<&StixObject> {
        self.objects.iter().find(|o| o.id() == id)
    }
}

/// Serialises a bundle as indented JSON.
pub fn to_json_pretty(bundle: &Bundle) -> String {
    // A bundle holds only strings, numbers, arrays and maps with string keys,
    // which always serialise.
    serde_json::to_string_pretty(bundle).unwrap_or_default()
}

/// Any STIX object, kept as JSON, with typed access to the common properties.
///
/// Stores objects of any type without loss, including custom properties and
/// types Crosswatch does not know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StixObject(Value);

impl StixObject {
    /// Wraps a JSON value after checking it with [`validate_object`].
    pub fn new(value: Value) -> Result<StixObject, StixError> {
        validate_object(&value)?;
        Ok(StixObject(value))
    }

    /// Wraps a value built by this crate, which is valid by construction.
    pub(crate) fn from_trusted(value: Value) -> StixObject {
        StixObject(value)
    }

    fn str_prop(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    /// The `id`, or an empty string when absent.
    pub fn id(&self) -> &str {
        self.str_prop("id").unwrap_or_default()
    }

    /// The `type`, or an empty string when absent.
    pub fn kind(&self) -> &str {
        self.str_prop("type").unwrap_or_default()
    }

    /// The `spec_version`, when present.
    pub fn spec_version(&self) -> Option<&str> {
        self.str_prop("spec_version")
    }

    /// The `created` time, when present and well formed.
    pub fn created(&self) -> Option<OffsetDateTime> {
        self.str_prop("created").and_then(timestamp::parse)
    }

    /// The `modified` time, when present and well formed.
    pub fn modified(&self) -> Option<OffsetDateTime> {
        self.str_prop("modified").and_then(timestamp::parse)
    }

    /// Whether the object has been revoked by its creator.
    pub fn revoked(&self) -> bool {
        self.0
            .get("revoked")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The ids in `object_marking_refs`.
    pub fn object_marking_refs(&self) -> Vec<&str> {
        string_list(&self.0, "object_marking_refs")
    }

    /// A property by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The JSON value.
    pub fn as_value(&self) -> &Value {
        &self.0
    }

    /// The JSON value, by move.
    pub fn into_value(self) -> Value {
        self.0
    }

    /// Custom top-level properties (`x_…`), which STIX 2.0-style producers use.
    pub fn custom_properties(&self) -> Map<String, Value> {
        match &self.0 {
            Value::Object(map) => map
                .iter()
                .filter(|(k, _)| k.starts_with("x_"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            _ => Map::new(),
        }
    }
}

pub(crate) fn string_list<'a>(value: &'a Value, name: &str) -> Vec<&'a str> {
    value
        .get(name)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The STIX Cyber-observable types, which need no `created`/`modified`.
const OBSERVABLE_TYPES: &[&str] = &[
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
];

/// Whether `kind` is a well-formed STIX type name: 3–250 characters of
/// lower-case ASCII letters, digits and single hyphens, not starting or
/// ending with a hyphen.
pub fn is_valid_type_name(kind: &str) -> bool {
    (3..=250).contains(&kind.len())
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !kind.starts_with('-')
        && !kind.ends_with('-')
        && !kind.contains("--")
}

/// Checks an identifier of the form `type--uuid`; `expected_type` pins the type.
pub fn check_identifier(
    object_id: &str,
    field: &str,
    id: &str,
    expected_type: Option<&str>,
) -> Result<(), StixError> {
    let Some((kind, uuid)) = id.split_once("--") else {
        return Err(StixError::invalid(
            object_id,
            field,
            format!("`{id}` is not a STIX identifier (expected `type--<uuid>`)"),
        ));
    };
    if !is_valid_type_name(kind) {
        return Err(StixError::invalid(
            object_id,
            field,
            format!("`{kind}` in `{id}` is not a valid STIX type name"),
        ));
    }
    if let Some(expected) = expected_type
        && kind != expected
    {
        return Err(StixError::invalid(
            object_id,
            field,
            format!("`{id}` should be a `{expected}--<uuid>` identifier"),
        ));
    }
    if uuid.len() != 36 || Uuid::parse_str(uuid).is_err() {
        return Err(StixError::invalid(
            object_id,
            field,
            format!("`{uuid}` in `{id}` is not an RFC 4122 UUID"),
        ));
    }
    Ok(())
}

fn check_timestamp(
    object_id: &str,
    object: &Map<String, Value>,
    field: &str,
    required: bool,
) -> Result<Option<OffsetDateTime>, StixError> {
    match object.get(field) {
        None if required => Err(StixError::invalid(
            object_id,
            field,
            "required property is missing",
        )),
        None => Ok(None),
        Some(value) => {
            let text = value.as_str().ok_or_else(|| {
                StixError::invalid(object_id, field, "must be a timestamp string")
            })?;
            timestamp::parse(text).map(Some).ok_or_else(|| {
                StixError::invalid(
                    object_id,
                    field,
                    format!("`{text}` is not a STIX timestamp (use e.g. 2024-09-01T00:00:00.000Z)"),
                )
            })
        }
    }
}

/// Basic STIX 2.1 checks for one object: the common properties a receiver
/// relies on (type, id, spec_version, created, modified, references,
/// markings). Deeper per-type checks are left to the type's own mapping.
pub fn validate_object(value: &Value) -> Result<(), StixError> {
    let Some(object) = value.as_object() else {
        return Err(StixError::invalid(
            "(unknown)",
            "(object)",
            "a STIX object must be a JSON object",
        ));
    };
    let raw_id = object.get("id").and_then(Value::as_str);
    let object_id = raw_id.unwrap_or("(no id)");
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| StixError::invalid(object_id, "type", "required string is missing"))?;
    if !is_valid_type_name(kind) {
        return Err(StixError::invalid(
            object_id,
            "type",
            format!("`{kind}` is not a valid STIX type name"),
        ));
    }
    if kind == "bundle" {
        return Err(StixError::invalid(
            object_id,
            "type",
            "a bundle is an envelope, not an object; send its objects",
        ));
    }
    let id =
        raw_id.ok_or_else(|| StixError::invalid("(no id)", "id", "required string is missing"))?;
    check_identifier(id, "id", id, Some(kind))?;
    let observable = OBSERVABLE_TYPES.contains(&kind);
    match object.get("spec_version").map(Value::as_str) {
        Some(Some("2.1")) => {}
        None if observable => {}
        None => {
            return Err(StixError::invalid(
                id,
                "spec_version",
                "required property is missing (must be \"2.1\")",
            ));
        }
        Some(other) => {
            return Err(StixError::invalid(
                id,
                "spec_version",
                format!("must be \"2.1\", found {}", other.unwrap_or("a non-string")),
            ));
        }
    }
    if !observable {
        let created = check_timestamp(id, object, "created", true)?;
        let modified = check_timestamp(id, object, "modified", kind != "marking-definition")?;
        if let (Some(created), Some(modified)) = (created, modified)
            && modified < created
        {
            return Err(StixError::invalid(
                id,
                "modified",
                "must not be earlier than `created`",
            ));
        }
    }
    if let Some(revoked) = object.get("revoked")
        && !revoked.is_boolean()
    {
        return Err(StixError::invalid(id, "revoked", "must be true or false"));
    }
    if let Some(confidence) = object.get("confidence")
        && confidence.as_u64().is_none_or(|c| c > 100)
    {
        return Err(StixError::invalid(
            id,
            "confidence",
            "must be an integer from 0 to 100",
        ));
    }
    if let Some(creator) = object.get("created_by_ref") {
        let creator = creator
            .as_str()
            .ok_or_else(|| StixError::invalid(id, "created_by_ref", "must be a string"))?;
        check_identifier(id, "created_by_ref", creator, Some("identity"))?;
    }
    if let Some(markings) = object.get("object_marking_refs") {
        let markings = markings.as_array().ok_or_else(|| {
            StixError::invalid(id, "object_marking_refs", "must be a list of identifiers")
        })?;
        for marking in markings {
            let marking = marking.as_str().ok_or_else(|| {
                StixError::invalid(id, "object_marking_refs", "must hold strings")
            })?;
            check_identifier(
                id,
                "object_marking_refs",
                marking,
                Some("marking-definition"),
            )?;
        }
    }
    for (field, value) in object {
        if field.ends_with("_ref")
            && field != "created_by_ref"
            && let Some(reference) = value.as_str()
        {
            check_identifier(id, field, reference, None)?;
        }
        if field.ends_with("_refs")
            && field != "object_marking_refs"
            && let Some(references) = value.as_array()
        {
            for reference in references {
                let reference = reference
                    .as_str()
                    .ok_or_else(|| StixError::invalid(id, field, "must hold identifier strings"))?;
                check_identifier(id, field, reference, None)?;
            }
        }
    }
    Ok(())
}

/// The Crosswatch UUID namespace for deterministic ids.
const NAMESPACE: Uuid = Uuid::from_u128(0x5c1e_2a4b_7d3f_4e6a_9b1c_8d0e_f2a3_b4c5);

/// A deterministic `type--<uuid v5>` identifier for `seed`.
pub fn deterministic_id(kind: &str, seed: &str) -> String {
    format!("{kind}--{}", Uuid::new_v5(&NAMESPACE, seed.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn campaign() -> Value {
        json!({
            "type": "campaign",
            "spec_version": "2.1",
            "id": "campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2024-09-01T00:00:00.000Z",
            "modified": "2024-09-02T00:00:00.000Z",
            "name": "x",
            "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]
        })
    }

    #[test]
    fn accepts_valid_objects_and_reads_common_properties() {
        let object = StixObject::new(campaign()).unwrap();
        assert_eq!(object.kind(), "campaign");
        assert_eq!(
            object.id(),
            "campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
        );
        assert_eq!(object.spec_version(), Some("2.1"));
        assert!(object.modified() > object.created());
        assert!(!object.revoked());
        assert_eq!(object.object_marking_refs().len(), 1);
        validate_object(&json!({"type": "domain-name", "id": "domain-name--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "value": "a.example"})).unwrap();
    }

    #[test]
    fn rejects_broken_common_properties_naming_the_field() {
        let cases: [(&str, Value, &str); 7] = [
            ("spec_version", json!("2.0"), "spec_version"),
            ("id", json!("campaign--not-a-uuid"), "id"),
            (
                "id",
                json!("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
                "id",
            ),
            ("created", json!("yesterday"), "created"),
            ("modified", json!("2020-01-01T00:00:00Z"), "modified"),
            (
                "object_marking_refs",
                json!(["identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]),
                "object_marking_refs",
            ),
            ("confidence", json!(101), "confidence"),
        ];
        for (field, value, expected_field) in cases {
            let mut object = campaign();
            object[field] = value;
            match validate_object(&object) {
                Err(StixError::Invalid { field, .. }) => assert_eq!(field, expected_field),
                other => panic!("{field}: {other:?}"),
            }
        }
        let mut missing = campaign();
        missing.as_object_mut().unwrap().remove("modified");
        assert!(validate_object(&missing).is_err());
        assert!(validate_object(&json!([])).is_err());
    }

    #[test]
    fn deterministic_ids_are_stable_and_distinct() {
        assert_eq!(
            deterministic_id("campaign", "a"),
            deterministic_id("campaign", "a")
        );
        assert_ne!(
            deterministic_id("campaign", "a"),
            deterministic_id("campaign", "b")
        );
        check_identifier(
            "x",
            "id",
            &deterministic_id("campaign", "a"),
            Some("campaign"),
        )
        .unwrap();
    }
}
