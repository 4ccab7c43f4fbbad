//! The benchmark's data: the same valid STIX 2.1 indicators for every
//! server, and the `objects` table row the store makes of each one.

use anyhow::{Context, Result, anyhow};
use crosswatch_model::Tlp;
use crosswatch_store::stix_check::{check_object, normalize_timestamp, now_timestamp};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Namespace of the indicators' v5 UUIDs, so that object `i` has the same
/// id in every run and on every server.
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6c2f_1a0e_8d3b_4e57_9b1c_5f0a_2d4e_7c91);

/// First `created` timestamp; object `i` is `i` seconds later.
const FIRST_CREATED: i64 = 1_714_521_600; // 2024-05-01T00:00:00Z

/// Indicator number `index`: a domain pattern, TLP:GREEN.
pub fn indicator(index: u64) -> Result<Value> {
    let id = uuid::Uuid::new_v5(&NAMESPACE, &index.to_be_bytes());
    let seconds = FIRST_CREATED + i64::try_from(index).context("object index too large")?;
    let created = OffsetDateTime::from_unix_timestamp(seconds)
        .context("object index too large for a timestamp")?
        .format(&Rfc3339)
        .context("cannot format a timestamp")?;
    Ok(json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": format!("indicator--{id}"),
        "created": created,
        "modified": created,
        "name": format!("Benchmark domain {index}"),
        "indicator_types": ["malicious-activity"],
        "pattern": format!("[domain-name:value = 'd{index}.bench.example']"),
        "pattern_type": "stix",
        "valid_from": created,
        "object_marking_refs": [Tlp::Green.stix_marking_id()],
    }))
}

/// A TAXII envelope with indicators `start..start + count`, serialised.
pub fn envelope(start: u64, count: u64) -> Result<Vec<u8>> {
    let objects = (start..start + count)
        .map(indicator)
        .collect::<Result<Vec<_>>>()?;
    Ok(serde_json::to_vec(&json!({ "objects": objects }))?)
}

/// One `objects` row, as `crosswatch-store` writes it for an object shared
/// with all members (`dist_kind = 'all'`, no group, not deleted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// `type--uuid`.
    pub stix_id: String,
    /// `indicator`.
    pub stix_type: String,
    /// `2.1`.
    pub spec_version: String,
    /// Normalised `created`.
    pub created: Option<String>,
    /// Normalised `modified`.
    pub modified: Option<String>,
    /// Normalised version (`modified`).
    pub version: String,
    /// The version as written in the object.
    pub version_raw: String,
    /// `GREEN`.
    pub tlp: String,
    /// The object's JSON text.
    pub raw: String,
    /// When it was added (store form).
    pub date_added: String,
    /// Start of the active period (`first_seen`, else `valid_from`, else
    /// the version), normalised.
    pub time_start: Option<String>,
    /// End of the active period (`last_seen`, else `valid_until`).
    pub time_end: Option<String>,
}

/// The row for indicator `index`, derived with the store's own checks so
/// that the raw reference writes exactly what the hub would.
pub fn row(index: u64) -> Result<Row> {
    let object = indicator(index)?;
    let checked = check_object(&object).map_err(|e| anyhow!("generated object {index}: {e}"))?;
    let version = checked
        .modified
        .clone()
        .or_else(|| checked.created.clone())
        .ok_or_else(|| anyhow!("generated object {index} has no timestamp"))?;
    let time = |name: &str| {
        object
            .get(name)
            .and_then(Value::as_str)
            .and_then(normalize_timestamp)
    };
    let time_start = time("first_seen")
        .or_else(|| time("valid_from"))
        .or_else(|| Some(version.clone()));
    let time_end = time("last_seen").or_else(|| time("valid_until"));
    Ok(Row {
        stix_id: checked.id,
        stix_type: checked.stix_type,
        spec_version: checked.spec_version,
        created: checked.created,
        modified: checked.modified,
        version,
        version_raw: checked
            .version_raw
            .ok_or_else(|| anyhow!("generated object {index} has no version"))?,
        tlp: checked.tlp.name().to_string(),
        raw: serde_json::to_string(&object)?,
        date_added: now_timestamp(),
        time_start,
        time_end,
    })
}

/// Rows for indicators `start..end`.
pub fn rows(start: u64, end: u64) -> Result<Vec<Row>> {
    (start..end).map(row).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicators_are_valid_distinct_and_stable() {
        let a = indicator(0).unwrap();
        let b = indicator(1).unwrap();
        assert_ne!(a["id"], b["id"]);
        assert_eq!(a, indicator(0).unwrap());
        let row = row(1).unwrap();
        assert_eq!(row.tlp, "GREEN");
        assert_eq!(row.version_raw, "2024-05-01T00:00:01Z");
        assert_eq!(row.version, "2024-05-01T00:00:01.000000000Z");
    }
}
