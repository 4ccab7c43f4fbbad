//! The STIX 2.1 checks the store makes before it accepts an object.
//!
//! Everything goes through [`check_object`], so a fuller validator can
//! replace the body without touching callers.

use crosswatch_model::Tlp;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// The facts about an object that the store indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedObject {
    /// `type--uuid`.
    pub id: String,
    /// The STIX type, e.g. `indicator`.
    pub stix_type: String,
    /// Always `2.1` today.
    pub spec_version: String,
    /// Normalised `created`, if present.
    pub created: Option<String>,
    /// Normalised `modified`, if present.
    pub modified: Option<String>,
    /// The version as written in the object (`modified`, else `created`).
    pub version_raw: Option<String>,
    /// Most restrictive TLP in `object_marking_refs`; AMBER when unmarked.
    pub tlp: Tlp,
    /// `revoked: true`.
    pub revoked: bool,
}

/// Why an object was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidObject(pub String);

/// Checks the object against the STIX 2.1 rules of `crosswatch-stix`, then
/// reads `id` (`type--uuid` matching `type`), `spec_version` (`2.1`), the
/// `created`/`modified` timestamps and the TLP marking.
pub fn check_object(value: &Value) -> Result<CheckedObject, InvalidObject> {
    // The full STIX 2.1 rules first (common properties, references,
    // timestamps, confidence), then what the store indexes.
    crosswatch_stix::validate_object(value).map_err(|e| InvalidObject(e.to_string()))?;
    let object = value
        .as_object()
        .ok_or_else(|| InvalidObject("a STIX object must be a JSON object".into()))?;
    let stix_type = object
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| InvalidObject("field `type` is missing or not a string".into()))?;
    if stix_type.len() < 3
        || stix_type.len() > 250
        || !stix_type
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(InvalidObject(format!(
            "field `type` = `{stix_type}` is not a STIX type name (3-250 of a-z, 0-9, -)"
        )));
    }
    let id = object
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| InvalidObject("field `id` is missing or not a string".into()))?;
    let Some((id_type, id_uuid)) = id.split_once("--") else {
        return Err(InvalidObject(format!(
            "field `id` = `{id}` is not `type--uuid`"
        )));
    };
    if id_type != stix_type {
        return Err(InvalidObject(format!(
            "field `id` = `{id}` does not start with the object's type `{stix_type}--`"
        )));
    }
    if uuid::Uuid::parse_str(id_uuid).is_err() {
        return Err(InvalidObject(format!(
            "field `id` = `{id}`: `{id_uuid}` is not a UUID"
        )));
    }
    let created = timestamp_field(object.get("created"), "created", id)?;
    let modified = timestamp_field(object.get("modified"), "modified", id)?;
    let spec_version = match object.get("spec_version") {
        Some(Value::String(v)) if v == "2.1" => v.clone(),
        Some(other) => {
            return Err(InvalidObject(format!(
                "{id}: field `spec_version` = {other} is not \"2.1\""
            )));
        }
        None if created.is_some() => {
            return Err(InvalidObject(format!(
                "{id}: field `spec_version` is missing (STIX 2.1 objects need \"2.1\")"
            )));
        }
        None => "2.1".to_string(),
    };
    let version_raw = object
        .get("modified")
        .or_else(|| object.get("created"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let tlp = object
        .get("object_marking_refs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(Tlp::from_stix_marking_id)
        .max()
        .unwrap_or(Tlp::Amber);
    let revoked = object.get("revoked").and_then(Value::as_bool) == Some(true);
    Ok(CheckedObject {
        id: id.to_string(),
        stix_type: stix_type.to_string(),
        spec_version,
        created,
        modified,
        version_raw,
        tlp,
        revoked,
    })
}

fn timestamp_field(
    value: Option<&Value>,
    field: &str,
    id: &str,
) -> Result<Option<String>, InvalidObject> {
    match value {
        None => Ok(None),
        Some(Value::String(text)) => normalize_timestamp(text).map(Some).ok_or_else(|| {
            InvalidObject(format!(
                "{id}: field `{field}` = `{text}` is not an RFC 3339 timestamp \
                 (e.g. 2024-05-01T12:00:00.000Z)"
            ))
        }),
        Some(other) => Err(InvalidObject(format!(
            "{id}: field `{field}` = {other} is not a timestamp string"
        ))),
    }
}

/// Parses an RFC 3339 timestamp and renders it in one fixed-width UTC form
/// (nanosecond precision) so that stored timestamps compare as strings.
pub fn normalize_timestamp(text: &str) -> Option<String> {
    let parsed = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    format_timestamp(parsed)
}

/// Renders a time in the store's fixed-width UTC form.
pub fn format_timestamp(at: OffsetDateTime) -> Option<String> {
    let utc = at.to_offset(time::UtcOffset::UTC);
    utc.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z"
    ))
    .ok()
}

/// Renders a stored timestamp for clients: microsecond precision, which
/// every TAXII client parses and which loses nothing for `date_added`.
pub fn display_timestamp(stored: &str) -> String {
    // Stored form is `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (30 chars).
    match stored.get(..26) {
        Some(head) if stored.len() == 30 => format!("{head}Z"),
        _ => stored.to_string(),
    }
}

/// The current time in the store's form, truncated to microseconds.
pub fn now_timestamp() -> String {
    let now = OffsetDateTime::now_utc();
    let micros = now.nanosecond() / 1000 * 1000;
    let truncated = now.replace_nanosecond(micros).unwrap_or(now);
    format_timestamp(truncated).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn indicator() -> Value {
        json!({
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2024-05-01T12:00:00.000Z",
            "modified": "2024-05-02T12:00:00Z",
            "object_marking_refs": [Tlp::Green.stix_marking_id()],
        })
    }

    #[test]
    fn accepts_a_valid_indicator() {
        let checked = check_object(&indicator()).unwrap();
        assert_eq!(checked.stix_type, "indicator");
        assert_eq!(checked.tlp, Tlp::Green);
        assert_eq!(
            checked.modified.as_deref(),
            Some("2024-05-02T12:00:00.000000000Z")
        );
        assert_eq!(checked.version_raw.as_deref(), Some("2024-05-02T12:00:00Z"));
    }

    #[test]
    fn rejects_bad_fields_with_the_field_name() {
        let mut bad = indicator();
        bad["id"] = json!("malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
        assert!(check_object(&bad).unwrap_err().0.contains("`id`"));
        let mut bad = indicator();
        bad["spec_version"] = json!("2.0");
        assert!(check_object(&bad).unwrap_err().0.contains("spec_version"));
        let mut bad = indicator();
        bad["modified"] = json!("yesterday");
        assert!(check_object(&bad).unwrap_err().0.contains("`modified`"));
        let mut bad = indicator();
        bad["id"] = json!("indicator--not-a-uuid");
        assert!(check_object(&bad).is_err());
    }

    #[test]
    fn most_restrictive_marking_wins_and_unmarked_is_amber() {
        let mut obj = indicator();
        obj["object_marking_refs"] =
            json!([Tlp::Green.stix_marking_id(), Tlp::Red.stix_marking_id()]);
        assert_eq!(check_object(&obj).unwrap().tlp, Tlp::Red);
        obj.as_object_mut().unwrap().remove("object_marking_refs");
        assert_eq!(check_object(&obj).unwrap().tlp, Tlp::Amber);
    }

    #[test]
    fn normalised_timestamps_sort_like_instants() {
        let a = normalize_timestamp("2024-05-01T12:00:00.5Z").unwrap();
        let b = normalize_timestamp("2024-05-01T14:00:00.25+02:00").unwrap();
        assert!(b < a, "{b} should sort before {a}");
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_strings(id in ".{0,60}", ty in ".{0,20}", ts in ".{0,40}") {
            let value = json!({"id": id, "type": ty, "created": ts, "spec_version": "2.1"});
            let _ = check_object(&value);
            let _ = normalize_timestamp(&ts);
        }
    }
}
