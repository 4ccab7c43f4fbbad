//! An incident: one disclosed influence operation (a CIB network, a
//! campaign) with everything platforms share about it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::country::CountryCode;
use crate::indicator::Indicator;
use crate::platform::{AssetKind, Platform};
use crate::taxonomy::TechniqueRef;
use crate::tlp::Tlp;

/// Where an operation stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentStatus {
    /// Under investigation; not yet enforced against.
    Investigating,
    /// Active and spreading.
    Active,
    /// Taken down by the reporting organisation.
    #[default]
    Disrupted,
    /// Came back after enforcement.
    Resurgent,
    /// No longer active.
    Closed,
}

/// One actor behind an operation, with who attributed it and how sure they are.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ThreatActor {
    /// The name used by the attributing organisation, e.g. `Cotton Sandstorm`.
    pub name: String,
    /// Other names for the same actor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Links to sponsors or parent entities (e.g. `IRGC`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributions: Vec<Attribution>,
}

/// A claim that an actor is linked to an entity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Attribution {
    /// The entity the actor is linked to, e.g. `IRGC`.
    pub to: String,
    /// 0–100, the STIX confidence scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<u8>,
    /// The organisation that made the attribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// A count of assets removed on one platform, e.g. 23 Facebook Pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetCount {
    /// The platform the assets were on.
    pub platform: Platform,
    /// Accounts, Pages, Groups, channels…
    pub kind: AssetKind,
    /// How many were removed.
    pub count: u64,
    /// Identifiers, where the sharer chose to disclose them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<String>,
}

/// A narrative the operation pushed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Narrative {
    /// A short description or a representative snippet.
    pub text: String,
    /// BCP 47 language tag of `text`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Countries whose audiences it targeted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<CountryCode>,
}

/// A link to a public report or other source.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ExternalReference {
    /// Who published it, e.g. `Meta Adversarial Threat Report Q3 2024`.
    pub source: String,
    /// Where it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// An id in the source's own scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// One disclosed influence operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Stable id; STIX ids of the exported objects derive from it.
    pub id: Uuid,
    /// Short name, e.g. `Moldova-based CIB network (Q3 2024)`.
    pub name: String,
    /// What happened, in the sharer's words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// When the activity was first seen.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub first_seen: Option<OffsetDateTime>,
    /// When the activity was last seen.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_seen: Option<OffsetDateTime>,
    /// Where the operation stands.
    #[serde(default)]
    pub status: IncidentStatus,
    /// 0–100, the STIX confidence scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<u8>,
    /// How far the information may travel.
    pub tlp: Tlp,
    /// The organisation that disclosed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_org: Option<String>,
    /// Incremented on each change by the sharer.
    #[serde(default = "first_version")]
    pub version: u32,
    /// When this version was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// When this version was made.
    #[serde(with = "time::serde::rfc3339")]
    pub modified: OffsetDateTime,
    /// Where the operators are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origin_countries: Vec<CountryCode>,
    /// Whose audiences were targeted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_countries: Vec<CountryCode>,
    /// BCP 47 tags of the languages used to target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_languages: Vec<String>,
    /// Who is behind it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threat_actors: Vec<ThreatActor>,
    /// Tactics, techniques and procedures observed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub techniques: Vec<TechniqueRef>,
    /// Assets removed, per platform and kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<AssetCount>,
    /// Observable signals other services can match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<Indicator>,
    /// What the operation pushed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub narratives: Vec<Narrative>,
    /// Analysts' learnings, reported under QRE 16.1.1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub learnings: Vec<String>,
    /// Public reports about it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_references: Vec<ExternalReference>,
}

fn first_version() -> u32 {
    1
}

impl Incident {
    /// A new, empty incident with a random id, marked `tlp`, created `now`.
    pub fn new(name: impl Into<String>, tlp: Tlp, now: OffsetDateTime) -> Incident {
        Incident::with_id(Uuid::new_v4(), name, tlp, now)
    }

    /// A new, empty incident with a given id.
    pub fn with_id(id: Uuid, name: impl Into<String>, tlp: Tlp, now: OffsetDateTime) -> Incident {
        Incident {
            id,
            name: name.into(),
            summary: String::new(),
            first_seen: None,
            last_seen: None,
            status: IncidentStatus::default(),
            confidence: None,
            tlp,
            source_org: None,
            version: 1,
            created: now,
            modified: now,
            origin_countries: Vec::new(),
            target_countries: Vec::new(),
            target_languages: Vec::new(),
            threat_actors: Vec::new(),
            techniques: Vec::new(),
            assets: Vec::new(),
            indicators: Vec::new(),
            narratives: Vec::new(),
            learnings: Vec::new(),
            external_references: Vec::new(),
        }
    }

    /// Adds to the count of removed assets, merging with an existing row for
    /// the same platform and kind.
    pub fn add_assets(&mut self, platform: Platform, kind: AssetKind, count: u64) {
        match self
            .assets
            .iter_mut()
            .find(|a| a.platform == platform && a.kind == kind)
        {
            Some(row) => row.count = row.count.saturating_add(count),
            None => self.assets.push(AssetCount {
                platform,
                kind,
                count,
                identifiers: Vec::new(),
            }),
        }
    }

    /// Records a technique once.
    pub fn add_technique(&mut self, technique: TechniqueRef) {
        if !self
            .techniques
            .iter()
            .any(|t| t.taxonomy == technique.taxonomy && t.id == technique.id)
        {
            self.techniques.push(technique);
        }
    }

    /// Records an indicator once (same type and value).
    pub fn add_indicator(&mut self, indicator: Indicator) {
        match self
            .indicators
            .iter_mut()
            .find(|i| i.same_signal(&indicator))
        {
            Some(existing) => {
                for t in indicator.techniques {
                    if !existing.techniques.contains(&t) {
                        existing.techniques.push(t);
                    }
                }
            }
            None => self.indicators.push(indicator),
        }
    }

    /// Adds a target country once.
    pub fn add_target(&mut self, country: CountryCode) {
        if !self.target_countries.contains(&country) {
            self.target_countries.push(country);
        }
    }

    /// Adds an origin country once.
    pub fn add_origin(&mut self, country: CountryCode) {
        if !self.origin_countries.contains(&country) {
            self.origin_countries.push(country);
        }
    }

    /// The target countries that are EU Member States.
    pub fn target_member_states(&self) -> impl Iterator<Item = &CountryCode> {
        self.target_countries.iter().filter(|c| c.is_eu_member())
    }

    /// Checks the invariants that deserialisation alone cannot: confidence
    /// range, non-empty name, first seen not after last seen, indicator values.
    pub fn validate(&self) -> Result<(), crate::ModelError> {
        if self.name.trim().is_empty() {
            return Err(crate::ModelError::Invalid("incident name is empty".into()));
        }
        if let Some(c) = self.confidence.filter(|c| *c > 100) {
            return Err(crate::ModelError::Invalid(format!(
                "confidence {c} is outside 0–100"
            )));
        }
        if let (Some(first), Some(last)) = (self.first_seen, self.last_seen)
            && first > last
        {
            return Err(crate::ModelError::Invalid(
                "first_seen is after last_seen".into(),
            ));
        }
        for actor in &self.threat_actors {
            for attribution in &actor.attributions {
                if let Some(c) = attribution.confidence.filter(|c| *c > 100) {
                    return Err(crate::ModelError::Invalid(format!(
                        "attribution confidence {c} for `{}` is outside 0–100",
                        actor.name
                    )));
                }
            }
        }
        for indicator in &self.indicators {
            indicator.validate()?;
        }
        Ok(())
    }
}
