//! STIX 2.1 export and import of Crosswatch incidents.
//!
//! An [`Incident`](crosswatch_model::Incident) becomes a bundle of standard
//! objects (a `campaign` or `intrusion-set`, `indicator`s with STIX patterns,
//! `attack-pattern`s for DISARM and kill-chain techniques, `threat-actor`s,
//! `location`s, `note`s, a `report`) marked with the official TLP 2.0
//! marking definitions. What STIX has no place for (asset counts, account
//! details, status, version) travels in the Crosswatch property extension
//! ([`extension`]). Object ids are UUIDv5 values derived from the incident id
//! and the object's content, so exporting the same incident twice gives the
//! same bundle.
//!
//! Importing accepts our own bundles without loss and maps what it can from
//! other producers (OpenCTI, MISP), keeping what it cannot map.
//!
//! This crate is pure: bytes and values in, values out.
//!
//! ```
//! use crosswatch_model::{Incident, Indicator, Tlp};
//! use crosswatch_stix::{ExportOptions, export_incident, import_bundle, to_json_pretty};
//!
//! let mut incident = Incident::new("Example network", Tlp::Green, time::OffsetDateTime::UNIX_EPOCH);
//! incident.add_indicator(Indicator::domain("example-news.org").unwrap());
//! let bundle = export_incident(&incident, &ExportOptions::default());
//! let json = to_json_pretty(&bundle);
//! let imported = import_bundle(json.as_bytes()).unwrap();
//! assert_eq!(imported.incidents, vec![incident]);
//! ```

pub mod disarm;
pub mod export;
pub mod extension;
pub mod import;
pub mod object;
pub mod pattern;
pub mod search;
pub mod timestamp;
pub mod tlp;

pub use disarm::DisarmCatalogue;
pub use export::{ExportOptions, IncidentObjectType, export_incident, export_incidents};
pub use import::{CustomProperties, ImportedBundle, import_bundle, looks_like_stix_bundle};
pub use object::{Bundle, StixObject, to_json_pretty, validate_object};

/// Errors from reading STIX content. Each names the object and the field to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StixError {
    /// The input is not JSON at all.
    #[error("not valid JSON: {0}")]
    Json(String),
    /// The JSON is not a STIX bundle.
    #[error("not a STIX bundle: {0}")]
    NotABundle(String),
    /// An object breaks the STIX 2.1 rules or holds a value Crosswatch cannot accept.
    #[error("STIX object `{object_id}`, property `{field}`: {message}")]
    Invalid {
        /// The object's `id` (or its position when it has none).
        object_id: String,
        /// The property at fault.
        field: String,
        /// What is wrong and what a valid value looks like.
        message: String,
    },
}

impl StixError {
    pub(crate) fn invalid(
        object_id: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> StixError {
        StixError::Invalid {
            object_id: object_id.into(),
            field: field.into(),
            message: message.into(),
        }
    }
}
