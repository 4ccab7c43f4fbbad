//! Plain records the store hands out and takes in.

use std::fmt;
use std::str::FromStr;

use crosswatch_model::Tlp;
use serde::{Deserialize, Serialize};

use crate::access::{GroupId, OrgId};

/// A member organisation of the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    /// Database id.
    pub id: OrgId,
    /// Unique display name.
    pub name: String,
    /// UUID of the organisation's TAXII inbox collection.
    pub collection_id: String,
}

/// A sharing group and the TAXII collection it backs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// Database id.
    pub id: GroupId,
    /// Unique display name.
    pub name: String,
    /// UUID of the group's TAXII collection.
    pub collection_id: String,
    /// Objects shared to the group expire after this many days.
    pub retention_days: Option<i64>,
}

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Manages the hub; sees every group's membership.
    Admin,
    /// Reads, writes and gives feedback.
    Analyst,
    /// Reads only.
    ReadOnly,
    /// Machine-to-machine synchronisation: reads and writes.
    Sync,
}

impl Role {
    /// All roles.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Analyst, Role::ReadOnly, Role::Sync];

    /// The stored and command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::ReadOnly => "read-only",
            Role::Sync => "sync",
        }
    }

    /// Whether the role may add, version or delete objects.
    pub fn can_write(self) -> bool {
        !matches!(self, Role::ReadOnly)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(text: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|role| role.name() == text)
            .ok_or_else(|| {
                format!("`{text}` is not a role (use admin, analyst, read-only or sync)")
            })
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller's organisation.
    pub org: OrgId,
    /// Its name.
    pub org_name: String,
    /// The token's role.
    pub role: Role,
    /// The token's id (for the audit log).
    pub token_id: i64,
}

/// A token as listed (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// Database id, used to revoke.
    pub id: i64,
    /// Owning organisation.
    pub org: OrgId,
    /// Role.
    pub role: Role,
    /// Expiry (stored timestamp form), if any.
    pub expires: Option<String>,
}

/// Which collection a query reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Objects shared to one group.
    Group(GroupId),
    /// Objects shared to every member.
    AllMembers,
    /// An organisation's inbox: objects named to it and its private ones.
    Inbox(OrgId),
    /// Everything the viewer may see (feeds, search).
    Everything,
}

/// One `match[version]` term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionMatch {
    /// The newest version.
    Last,
    /// The oldest version.
    First,
    /// Every version.
    All,
    /// The version with this (normalised) timestamp.
    At(String),
}

/// A paged object query. Terms within a list are OR'ed; lists are AND'ed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectQuery {
    /// Collection scope.
    pub scope: Scope,
    /// Only objects added after this normalised timestamp.
    pub added_after: Option<String>,
    /// STIX types.
    pub types: Vec<String>,
    /// STIX ids.
    pub ids: Vec<String>,
    /// Versions (empty means `last`).
    pub versions: Vec<VersionMatch>,
    /// Spec versions.
    pub spec_versions: Vec<String>,
    /// Keyset cursor: only rows with a change-log sequence above this.
    pub after_seq: Option<i64>,
    /// Page size.
    pub limit: u32,
}

impl ObjectQuery {
    /// Everything in `scope`, latest versions, first page of `limit`.
    pub fn new(scope: Scope, limit: u32) -> ObjectQuery {
        ObjectQuery {
            scope,
            added_after: None,
            types: Vec::new(),
            ids: Vec::new(),
            versions: Vec::new(),
            spec_versions: Vec::new(),
            after_seq: None,
            limit,
        }
    }
}

/// One stored object version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    /// Change-log sequence of the write that added this version.
    pub seq: i64,
    /// STIX id.
    pub stix_id: String,
    /// STIX type.
    pub stix_type: String,
    /// Version as written in the object (or `date_added` for unversioned objects).
    pub version: String,
    /// When the hub stored it (stored timestamp form).
    pub date_added: String,
    /// The object's JSON text.
    pub raw: String,
    /// Owner organisation.
    pub owner: OrgId,
    /// Marking.
    pub tlp: Tlp,
    /// Spec version.
    pub spec_version: String,
}

/// One page of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectPage {
    /// Rows in change-log order.
    pub objects: Vec<StoredObject>,
    /// Whether more rows follow.
    pub more: bool,
}

impl ObjectPage {
    /// The cursor for the next page (the last row's sequence).
    pub fn next_cursor(&self) -> Option<i64> {
        if self.more {
            self.objects.last().map(|o| o.seq)
        } else {
            None
        }
    }
}

/// One page of a query with its objects as one JSON array text, in
/// change-log order: what a TAXII page sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPage {
    /// `[object, …]`, each object's stored text as it is.
    pub objects_json: String,
    /// How many objects the array holds.
    pub count: usize,
    /// Whether more rows follow.
    pub more: bool,
    /// The last row's sequence.
    pub last_seq: Option<i64>,
    /// The earliest and latest `date_added` on the page (stored form).
    pub date_added_range: Option<(String, String)>,
}

impl JsonPage {
    /// The cursor for the next page (the last row's sequence).
    pub fn next_cursor(&self) -> Option<i64> {
        self.last_seq.filter(|_| self.more)
    }
}

/// The result for one object of a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    /// Stored as a new object or version.
    Stored {
        /// STIX id.
        id: String,
        /// Version string.
        version: String,
    },
    /// That exact version was already stored; nothing changed.
    Duplicate {
        /// STIX id.
        id: String,
        /// Version string.
        version: String,
    },
    /// Refused, with the reason.
    Refused {
        /// STIX id, when it could be read.
        id: Option<String>,
        /// What to fix.
        message: String,
    },
}

/// One change-log entry as a viewer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Sequence number (the feed cursor).
    pub seq: i64,
    /// `create`, `version`, `revoke`, `delete` or `expire`.
    pub kind: String,
    /// STIX id.
    pub stix_id: String,
    /// Version (stored form).
    pub version: String,
    /// When (stored form).
    pub at: String,
    /// The object text for creates and versions still present.
    pub object: Option<String>,
}

/// Kinds of feedback on a shared object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeedbackKind {
    /// The recipient saw it.
    Seen,
    /// The recipient acted on it.
    Actioned,
    /// It was wrong.
    FalsePositive,
    /// The recipient disagrees.
    Disputed,
    /// No longer current.
    Outdated,
}

impl FeedbackKind {
    /// Stored name.
    pub fn name(self) -> &'static str {
        match self {
            FeedbackKind::Seen => "seen",
            FeedbackKind::Actioned => "actioned",
            FeedbackKind::FalsePositive => "false-positive",
            FeedbackKind::Disputed => "disputed",
            FeedbackKind::Outdated => "outdated",
        }
    }

    fn parse(text: &str) -> Option<FeedbackKind> {
        [
            FeedbackKind::Seen,
            FeedbackKind::Actioned,
            FeedbackKind::FalsePositive,
            FeedbackKind::Disputed,
            FeedbackKind::Outdated,
        ]
        .into_iter()
        .find(|k| k.name() == text)
    }
}

/// Feedback from one organisation on one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// The object.
    pub stix_id: String,
    /// What happened.
    pub kind: FeedbackKind,
    /// Platform that acted (for `actioned`).
    #[serde(default)]
    pub platform: Option<String>,
    /// How many items were actioned.
    #[serde(default)]
    pub action_count: Option<i64>,
    /// EU Member States concerned (ISO codes).
    #[serde(default)]
    pub member_states: Vec<String>,
    /// Hide the submitting organisation from other readers.
    #[serde(default)]
    pub anonymous: bool,
    /// Free text.
    #[serde(default)]
    pub note: Option<String>,
}

/// Feedback as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedbackEntry {
    /// The feedback.
    #[serde(flatten)]
    pub feedback: Feedback,
    /// Submitter, unless anonymous (the submitter itself always sees it).
    pub org: Option<String>,
    /// When (stored form).
    pub created: String,
}

pub(crate) fn parse_feedback_kind(text: &str) -> Option<FeedbackKind> {
    FeedbackKind::parse(text)
}

/// One audit-log line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Monotonic id (the export cursor).
    pub id: i64,
    /// When (stored form).
    pub at: String,
    /// Acting organisation.
    pub org: Option<OrgId>,
    /// Acting token.
    pub token: Option<i64>,
    /// `read`, `write`, `share`, `delete`, `expire`, `admin`.
    pub action: String,
    /// What was acted on.
    pub target: String,
    /// Details.
    pub detail: String,
}
