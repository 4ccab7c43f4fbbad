//! Inputs a platform node or a hub fills in besides actions and incidents:
//! the fora it takes part in, the incidents it exchanged and the feedback it
//! received.

use crosswatch_model::{AssetCount, Incident};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// What kind of forum a channel of exchange is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForumKind {
    /// A Crosswatch hub.
    #[default]
    Hub,
    /// A sharing group inside a hub.
    SharingGroup,
    /// Any other channel (a mailing list, a bilateral exchange).
    Other,
}

/// A forum used to exchange information (QRE 16.1.1 lists them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forum {
    /// The name used in provenance (`hub / group` for a sharing group).
    pub name: String,
    /// Hub, sharing group or other.
    #[serde(default)]
    pub kind: ForumKind,
    /// What the forum is for.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Member organisations visible to the reporter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// One incident shared or received through a forum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// The incident as exchanged.
    pub incident: Incident,
    /// The forum it went through.
    pub forum: String,
    /// When it was shared or received.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// What another organisation reported back about a shared incident.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeedbackKind {
    /// They took action on their service.
    Actioned,
    /// They found related activity but took no action (yet).
    Confirmed,
    /// They found nothing related.
    NotFound,
    /// Anything else.
    #[default]
    Other,
}

/// Feedback received about a shared incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// The incident it is about.
    pub incident_id: Uuid,
    /// The organisation that sent it.
    pub from_org: String,
    /// When it arrived.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// What it says.
    #[serde(default)]
    pub kind: FeedbackKind,
    /// Assets they actioned, per platform and kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<AssetCount>,
    /// Free text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}
