//! The Crosswatch domain model: influence-operation incidents and everything
//! platforms share about them.
//!
//! This crate is pure: no IO, no async. Every other crate speaks in these
//! types.
//!
//! ```
//! use crosswatch_model::{Incident, Indicator, Tlp};
//! use crosswatch_model::platform::{AssetKind, Platform};
//!
//! let now = time::OffsetDateTime::UNIX_EPOCH;
//! let mut incident = Incident::new("Moldova-based CIB network", Tlp::Green, now);
//! incident.add_assets(Platform::Facebook, AssetKind::Page, 23);
//! incident.add_indicator(Indicator::from_observable("https://t[.]me/insider_md").unwrap());
//! incident.add_target("MD".parse().unwrap());
//! assert_eq!(incident.indicators[0].handle.as_deref(), Some("insider_md"));
//! ```

pub mod action;
pub mod country;
pub mod incident;
pub mod indicator;
pub mod platform;
pub mod refang;
pub mod taxonomy;
pub mod tlp;

pub use action::{Action, Decision, Provenance};
pub use country::CountryCode;
pub use incident::{
    AssetCount, Attribution, ExternalReference, Incident, IncidentStatus, Narrative, ThreatActor,
};
pub use indicator::{HashAlgorithm, Indicator, IndicatorKind, IndicatorSet};
pub use platform::{AccountRef, AssetKind, Platform};
pub use refang::{defang, refang};
pub use taxonomy::{Taxonomy, TechniqueRef};
pub use tlp::Tlp;

/// Errors from building or validating model values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// A value that breaks an invariant; the message says which and how to fix it.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Country(#[from] country::InvalidCountry),
    #[error(transparent)]
    Tlp(#[from] tlp::InvalidTlp),
    #[error(transparent)]
    Technique(#[from] taxonomy::InvalidTechnique),
}
