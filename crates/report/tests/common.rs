//! Fixtures shared by the report tests.
#![allow(dead_code)]

use crosswatch_model::platform::AssetKind;
use crosswatch_model::{Action, CountryCode, Decision, Incident, Provenance, Tlp};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

pub fn cc(code: &str) -> CountryCode {
    code.parse().unwrap()
}

pub fn provenance(hub: &str, group: Option<&str>, source: Option<&str>) -> Provenance {
    Provenance {
        incident_id: Uuid::from_u128(7),
        incident_name: "Doppelganger-style network".into(),
        hub: hub.into(),
        sharing_group: group.map(str::to_string),
        source_org: source.map(str::to_string),
        signal_ids: Vec::new(),
    }
}

pub fn action(
    id: u128,
    at: OffsetDateTime,
    platform: &str,
    kind: AssetKind,
    count: u64,
    states: &[&str],
    prompted_by: Option<Provenance>,
) -> Action {
    Action {
        id: Uuid::from_u128(id),
        taken_at: at,
        platform: platform.into(),
        kind,
        count,
        decision: if kind == AssetKind::Content {
            Decision::ContentRemoved
        } else {
            Decision::AccountTerminated
        },
        member_states: states.iter().map(|s| cc(s)).collect(),
        prompted_by,
        item_ids: (0..count).map(|i| format!("item-{id}-{i}")).collect(),
        reviewer: "analyst-1".into(),
        automated_detection: true,
        facts: String::new(),
    }
}

pub const IN_PERIOD: OffsetDateTime = datetime!(2025-09-15 12:00 UTC);
pub const BEFORE_PERIOD: OffsetDateTime = datetime!(2025-06-30 23:59:59 UTC);

pub fn incident(name: &str) -> Incident {
    Incident::with_id(Uuid::from_u128(7), name, Tlp::Green, IN_PERIOD)
}
