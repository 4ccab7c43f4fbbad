//! Enforcement actions a platform took, and what prompted them.
//!
//! Code of Practice reporting (SLI 16.1.1) counts the actions taken *as a
//! result of* shared information, per Member State; an action therefore
//! carries its provenance — the incident, hub and sharing group that
//! prompted it — or none when the platform found the network itself.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::country::CountryCode;
use crate::platform::AssetKind;

/// What was decided. Maps onto the DSA Transparency Database's decision fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// The account was terminated.
    AccountTerminated,
    /// The account was suspended.
    AccountSuspended,
    /// Content was removed.
    ContentRemoved,
    /// Content was disabled (geo-blocked, made unavailable).
    ContentDisabled,
    /// Content was demoted or otherwise reduced in visibility.
    VisibilityReduced,
    /// Content was labelled.
    ContentLabelled,
}

/// Why an action was taken: the shared information behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The incident whose signals matched.
    pub incident_id: Uuid,
    /// Its name when the action was recorded.
    pub incident_name: String,
    /// The hub it came from (its base URL or configured name).
    pub hub: String,
    /// The sharing group (forum) it was shared in, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing_group: Option<String>,
    /// The organisation that shared it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_org: Option<String>,
    /// The STIX ids of the signals that matched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signal_ids: Vec<String>,
}

/// One enforcement decision recorded by a reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// Stable id.
    pub id: Uuid,
    /// When the decision took effect.
    #[serde(with = "time::serde::rfc3339")]
    pub taken_at: OffsetDateTime,
    /// The acting platform (organisation) name.
    pub platform: String,
    /// What was actioned: accounts, pages, groups, channels or content.
    pub kind: AssetKind,
    /// How many of them.
    pub count: u64,
    /// The decision.
    pub decision: Decision,
    /// The Member States affected (EU/EEA reporting codes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member_states: Vec<CountryCode>,
    /// The shared information that prompted it; `None` for own detection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompted_by: Option<Provenance>,
    /// The platform's own ids of what was actioned (used as DSA `puid`s).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item_ids: Vec<String>,
    /// Who decided.
    pub reviewer: String,
    /// Whether the item was found by automated means (matching is automated).
    #[serde(default)]
    pub automated_detection: bool,
    /// The facts and circumstances relied on, in the reviewer's words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub facts: String,
}

impl Action {
    /// Whether shared information prompted this action (SLI 16.1.1 counts these).
    pub fn is_from_sharing(&self) -> bool {
        self.prompted_by.is_some()
    }
}
