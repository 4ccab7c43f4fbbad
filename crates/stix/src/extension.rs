//! The Crosswatch STIX extension: what influence-operation sharing needs and
//! STIX 2.1 has no property for.
//!
//! It is a property extension (on campaigns, intrusion-sets, indicators,
//! notes and relationships) and defines one new object type,
//! [`SIGNAL_TYPE`], for signals that are not STIX patterns (text snippets,
//! fictitious outlets, disclosed ad spend and follower counts).
//!
//! Properties on the incident object (`campaign`/`intrusion-set`):
//! `incident_id`, `status`, `version`, `assets` (`platform`, `kind`, `count`,
//! `identifiers`), `origin_countries`, `target_countries`,
//! `target_member_states` (derived, informative), `target_languages`.
//! On indicators: `kind`, `value`, `platform`, `handle`, `account_kind`,
//! `note`, `techniques`. On notes: `role` (`narrative` or `learning`),
//! `target_countries`. On attribution relationships: `attributed_by`.

use serde_json::{Value, json};

/// The stable id of the Crosswatch extension definition.
pub const EXTENSION_ID: &str = "extension-definition--3c1d5e0a-8f4b-4c7e-9a2d-6b5f0e1c2d3a";

/// The identity that publishes the extension definition (STIX requires a creator).
pub const CROSSWATCH_IDENTITY_ID: &str = "identity--7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";

/// Where the JSON schema of the extension's properties is published.
pub const SCHEMA_URL: &str = "https://example.invalid/crosswatch/stix/extension-v1.schema.json";

/// The version of the extension's properties.
pub const VERSION: &str = "1.0.0";

/// The new object type for signals that are not STIX patterns.
pub const SIGNAL_TYPE: &str = "x-crosswatch-signal";

const PUBLISHED: &str = "2024-09-01T00:00:00.000Z";

/// The identity object of the Crosswatch project.
pub fn crosswatch_identity(marking: &str) -> Value {
    json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": CROSSWATCH_IDENTITY_ID,
        "created": PUBLISHED,
        "modified": PUBLISHED,
        "name": "Crosswatch",
        "description": "Open-source software for sharing cross-platform influence-operation intelligence.",
        "identity_class": "system",
        "object_marking_refs": [marking],
    })
}

/// The extension-definition object.
pub fn extension_definition(marking: &str) -> Value {
    json!({
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": EXTENSION_ID,
        "created_by_ref": CROSSWATCH_IDENTITY_ID,
        "created": PUBLISHED,
        "modified": PUBLISHED,
        "name": "Crosswatch influence-operation properties",
        "description": "Asset counts per platform, targeted Member States, social-media account details, origin countries, incident status and version, narratives and learnings, and non-pattern signals (x-crosswatch-signal).",
        "schema": SCHEMA_URL,
        "version": VERSION,
        "extension_types": ["property-extension", "new-sdo"],
        "object_marking_refs": [marking],
    })
}

/// Wraps extension properties under `extensions` as a property extension.
pub fn property_extension(mut properties: serde_json::Map<String, Value>) -> Value {
    properties.insert("extension_type".into(), json!("property-extension"));
    json!({ EXTENSION_ID: Value::Object(properties) })
}

/// The `extensions` value marking an object of a type this extension defines.
pub fn new_sdo_extension() -> Value {
    json!({ EXTENSION_ID: { "extension_type": "new-sdo" } })
}

/// The Crosswatch extension properties of an object, if it carries them.
pub fn properties_of(object: &Value) -> Option<&serde_json::Map<String, Value>> {
    object.get("extensions")?.get(EXTENSION_ID)?.as_object()
}
