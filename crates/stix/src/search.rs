//! Search keys of a STIX object: what a hub indexes so analysts can find
//! incidents and indicators by value, kind, platform, technique or
//! country without scanning object text.
//!
//! Every key is normalised with [`normalise`], and a query value must go
//! through the same function, so `HXXPS://Example[.]com` finds
//! `https://example.com`. Relationships (and signals, which point at their
//! incident with `incident_ref`) become [`Link`]s, so a search for
//! incidents can follow one hop: an incident "has" technique `T0007` when
//! it `uses` an attack-pattern with that id, and a value when an indicator
//! with that value `indicates` it.
//!
//! ```
//! use crosswatch_stix::search::{Field, search_keys};
//! let indicator = serde_json::json!({
//!     "type": "indicator",
//!     "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
//!     "pattern": "[url:value = 'https://news-example.com/a?b=1']",
//! });
//! let keys = search_keys(&indicator);
//! assert!(keys.terms.contains(&(Field::Value, "https://news-example.com/a?b=1".to_string())));
//! assert!(keys.terms.contains(&(Field::Value, "news-example.com".to_string())));
//! assert!(keys.terms.contains(&(Field::Kind, "url".to_string())));
//! ```

use std::str::FromStr;

use crosswatch_model::{CountryCode, Platform, refang};
use serde_json::Value;

use crate::extension::{EXTENSION_ID, SIGNAL_TYPE};
use crate::pattern;

/// What a search key describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// An observable value: a domain, URL, host, address, account, hash.
    Value,
    /// The indicator kind (`domain`, `url`, `social-account`, …).
    Kind,
    /// A platform (`facebook`, `x`, `telegram`, …).
    Platform,
    /// A DISARM or kill-chain technique id.
    Technique,
    /// A targeted country (ISO 3166-1 alpha-2).
    Country,
}

impl Field {
    /// The name stored in the index and used as a query parameter.
    pub fn name(self) -> &'static str {
        match self {
            Field::Value => "value",
            Field::Kind => "kind",
            Field::Platform => "platform",
            Field::Technique => "technique",
            Field::Country => "country",
        }
    }

    /// The relationship types an incident search follows for this field:
    /// indicators `indicates` an incident; an incident `uses` techniques
    /// and `targets` locations.
    pub fn link_kinds(self) -> &'static [&'static str] {
        match self {
            Field::Value | Field::Kind | Field::Platform => &["indicates", "related-to"],
            Field::Technique => &["uses", "indicates"],
            Field::Country => &["targets"],
        }
    }
}

/// A directed link between two objects (a relationship or a reference).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Link {
    /// The relationship type, e.g. `indicates`.
    pub kind: String,
    /// Source object id.
    pub source: String,
    /// Target object id.
    pub target: String,
}

/// The search keys of one object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchKeys {
    /// Normalised `(field, value)` pairs, without duplicates.
    pub terms: Vec<(Field, String)>,
    /// Links to other objects.
    pub links: Vec<Link>,
}

impl SearchKeys {
    fn add(&mut self, field: Field, raw: &str) {
        if let Some(value) = normalise(field, raw) {
            let term = (field, value);
            if !self.terms.contains(&term) {
                self.terms.push(term);
            }
        }
    }
}

/// Normalises a key or query value for `field`; `None` when nothing is
/// left to search for.
pub fn normalise(field: Field, raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    let value = match field {
        Field::Value => refang(trimmed).to_lowercase(),
        Field::Kind => trimmed.to_lowercase().replace('_', "-"),
        Field::Platform => Platform::from_str(trimmed)
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|_| trimmed.to_lowercase()),
        Field::Technique => trimmed.to_uppercase(),
        Field::Country => CountryCode::from_str(trimmed)
            .map(|c| c.as_str().to_string())
            .unwrap_or_else(|_| trimmed.to_uppercase()),
    };
    Some(value)
}

/// Extracts the search keys of a STIX object. Unknown shapes give no keys
/// rather than an error: the index only ever narrows a search.
pub fn search_keys(object: &Value) -> SearchKeys {
    let mut keys = SearchKeys::default();
    let kind = object.get("type").and_then(Value::as_str).unwrap_or("");
    let id = object.get("id").and_then(Value::as_str).unwrap_or("");
    match kind {
        "indicator" => {
            if let Some(pattern) = object.get("pattern").and_then(Value::as_str) {
                pattern_keys(pattern, &mut keys);
            }
        }
        "attack-pattern" => {
            for reference in array(object, "external_references") {
                if let Some(external_id) = reference.get("external_id").and_then(Value::as_str) {
                    keys.add(Field::Technique, external_id);
                }
            }
        }
        "location" => {
            if let Some(country) = object.get("country").and_then(Value::as_str) {
                keys.add(Field::Country, country);
            }
        }
        "relationship" => {
            let text = |name| object.get(name).and_then(Value::as_str);
            if let (Some(kind), Some(source), Some(target)) = (
                text("relationship_type"),
                text("source_ref"),
                text("target_ref"),
            ) {
                keys.links.push(Link {
                    kind: kind.to_string(),
                    source: source.to_string(),
                    target: target.to_string(),
                });
            }
        }
        _ => {}
    }
    if kind == SIGNAL_TYPE {
        // A signal carries its properties at top level.
        crosswatch_properties(object, &mut keys);
        if let Some(incident) = object.get("incident_ref").and_then(Value::as_str) {
            keys.links.push(Link {
                kind: "indicates".into(),
                source: id.to_string(),
                target: incident.to_string(),
            });
        }
    }
    if let Some(properties) = object
        .get("extensions")
        .and_then(|e| e.get(EXTENSION_ID))
        .filter(|p| p.get("extension_type").and_then(Value::as_str) == Some("property-extension"))
    {
        crosswatch_properties(properties, &mut keys);
    }
    keys
}

fn array<'a>(object: &'a Value, name: &str) -> impl Iterator<Item = &'a Value> {
    object
        .get(name)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn strings<'a>(object: &'a Value, name: &str) -> impl Iterator<Item = &'a str> {
    array(object, name).filter_map(Value::as_str)
}

/// Keys from the Crosswatch properties (on an indicator, an incident or a
/// signal).
fn crosswatch_properties(properties: &Value, keys: &mut SearchKeys) {
    let text = |name| properties.get(name).and_then(Value::as_str);
    if let Some(kind) = text("kind") {
        keys.add(Field::Kind, kind);
    }
    for name in ["value", "handle"] {
        if let Some(value) = text(name) {
            keys.add(Field::Value, value);
        }
    }
    if let Some(platform) = text("platform") {
        keys.add(Field::Platform, platform);
    }
    for technique in array(properties, "techniques") {
        if let Some(id) = technique.get("id").and_then(Value::as_str) {
            keys.add(Field::Technique, id);
        }
    }
    for asset in array(properties, "assets") {
        if let Some(platform) = asset.get("platform").and_then(Value::as_str) {
            keys.add(Field::Platform, platform);
        }
    }
    for name in ["target_countries", "target_member_states"] {
        for country in strings(properties, name) {
            keys.add(Field::Country, country);
        }
    }
}

/// Keys from a simple STIX pattern: each compared value, the host of a
/// URL, and the observable kind.
fn pattern_keys(text: &str, keys: &mut SearchKeys) {
    let Some(comparisons) = pattern::parse_simple(text) else {
        return;
    };
    for comparison in &comparisons {
        keys.add(Field::Value, &comparison.value);
        let kind = match comparison.object_type.as_str() {
            "domain-name" => "domain",
            "ipv4-addr" | "ipv6-addr" => "ip",
            "email-addr" => "email",
            "file" | "artifact" => "hash",
            "user-account" => "social-account",
            other => other,
        };
        keys.add(Field::Kind, kind);
        if comparison.object_type == "url"
            && let Ok(url) = url::Url::parse(&comparison.value)
            && let Some(host) = url.host_str()
        {
            keys.add(Field::Value, host.trim_start_matches("www."));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{ExportOptions, export_incident};

    fn has(keys: &SearchKeys, field: Field, value: &str) -> bool {
        keys.terms.contains(&(field, value.to_string()))
    }

    #[test]
    fn normalises_queries_like_keys() {
        assert_eq!(
            normalise(Field::Value, " hxxps://Example[.]com ").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(normalise(Field::Country, "el").as_deref(), Some("GR"));
        assert_eq!(normalise(Field::Platform, "Twitter").as_deref(), Some("x"));
        assert_eq!(
            normalise(Field::Technique, "t0007").as_deref(),
            Some("T0007")
        );
        assert_eq!(normalise(Field::Value, "  "), None);
    }

    #[test]
    fn relationship_and_signal_become_links() {
        let relationship = json!({
            "type": "relationship", "id": "relationship--1",
            "relationship_type": "uses", "source_ref": "campaign--a", "target_ref": "attack-pattern--b"
        });
        let keys = search_keys(&relationship);
        assert_eq!(keys.links.len(), 1);
        assert_eq!(keys.links[0].kind, "uses");
        assert_eq!(keys.links[0].target, "attack-pattern--b");
        let signal = json!({
            "type": SIGNAL_TYPE, "id": "x-crosswatch-signal--1", "kind": "outlet",
            "value": "Le Journal Libre", "incident_ref": "campaign--a"
        });
        let keys = search_keys(&signal);
        assert!(has(&keys, Field::Kind, "outlet"));
        assert!(has(&keys, Field::Value, "le journal libre"));
        assert_eq!(keys.links[0].source, "x-crosswatch-signal--1");
    }

    #[test]
    fn exported_incident_is_findable_by_every_field() {
        use crosswatch_model::platform::parse_account;
        use crosswatch_model::{AssetKind, Incident, Indicator, Taxonomy, TechniqueRef, Tlp};
        let now = time::OffsetDateTime::UNIX_EPOCH;
        let mut incident = Incident::new("Benin network", Tlp::Green, now);
        incident.add_target("FR".parse().unwrap());
        incident.add_assets(Platform::Facebook, AssetKind::Account, 16);
        incident.add_technique(TechniqueRef::new(Taxonomy::Disarm, "T0007", None).unwrap());
        incident.add_indicator(Indicator::domain("newwayforward.us").unwrap());
        incident.add_indicator(Indicator::account(
            parse_account("https://x.com/newwayforwardus").unwrap(),
        ));
        let bundle = export_incident(&incident, &ExportOptions::default());
        let all: Vec<SearchKeys> = bundle
            .objects
            .iter()
            .map(|o| search_keys(o.as_value()))
            .collect();
        let any = |field, value| all.iter().any(|k| has(k, field, value));
        assert!(any(Field::Value, "newwayforward.us"));
        assert!(any(Field::Kind, "domain"));
        assert!(any(Field::Value, "newwayforwardus"));
        assert!(any(Field::Platform, "x"));
        assert!(any(Field::Platform, "facebook"));
        assert!(any(Field::Technique, "T0007"));
        assert!(any(Field::Country, "FR"));
        assert!(all.iter().any(|k| k.links.iter().any(|l| l.kind == "uses")));
        assert!(
            all.iter()
                .any(|k| k.links.iter().any(|l| l.kind == "targets"))
        );
        assert!(
            all.iter()
                .any(|k| k.links.iter().any(|l| l.kind == "indicates"))
        );
    }

    #[test]
    fn unknown_shapes_give_no_keys() {
        assert_eq!(search_keys(&json!({"type": "note"})), SearchKeys::default());
        assert_eq!(search_keys(&json!("text")), SearchKeys::default());
        let bad = json!({"type": "indicator", "pattern": "[a OR b"});
        assert!(search_keys(&bad).terms.is_empty());
    }
}
