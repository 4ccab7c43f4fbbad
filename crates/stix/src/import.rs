//! STIX 2.1 bundle → incidents.
//!
//! Our own bundles come back exactly as exported (the Crosswatch extension
//! carries what STIX lacks). Bundles from other producers (OpenCTI, MISP)
//! map where they can: `campaign`/`intrusion-set` (or, lacking those,
//! `report`) → incident; indicators with simple equality patterns →
//! indicators; attack-patterns with DISARM or kill-chain external ids →
//! techniques; `location`s → target and origin countries; TLP 1.0 and 2.0
//! markings → the incident's TLP (the most restrictive found). Objects that do
//! not map are kept in [`ImportedBundle::preserved`], and custom properties of
//! mapped objects in [`ImportedBundle::custom_properties`].

use std::collections::{HashMap, HashSet};

use crosswatch_model::{
    AccountRef, AssetKind, Attribution, CountryCode, ExternalReference, HashAlgorithm, Incident,
    IncidentStatus, Indicator, IndicatorKind, Narrative, Platform, Taxonomy, TechniqueRef,
    ThreatActor, Tlp,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::export::{DISARM_SOURCE, KILL_CHAIN_SOURCE};
use crate::extension::{self, SIGNAL_TYPE};
use crate::object::{StixObject, string_list, validate_object};
use crate::{StixError, pattern, timestamp, tlp};

/// What an import produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportedBundle {
    /// The bundle's id.
    pub bundle_id: String,
    /// One incident per `campaign`/`intrusion-set` (or per `report` when the
    /// bundle has neither), in bundle order.
    pub incidents: Vec<Incident>,
    /// Objects that did not map onto an incident, unchanged, so they can be
    /// stored or exported again.
    pub preserved: Vec<StixObject>,
    /// Custom properties (`x_…`, foreign `extensions`) of the objects that did map.
    pub custom_properties: Vec<CustomProperties>,
    /// Things that were kept aside rather than mapped, for the user to review.
    pub warnings: Vec<String>,
}

/// The custom properties of one mapped object.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomProperties {
    /// The object's STIX id.
    pub object_id: String,
    /// `x_…` properties, plus `extensions` holding extensions Crosswatch does not know.
    pub properties: Map<String, Value>,
}

/// Whether the bytes look like a STIX bundle (`"type": "bundle"` with an
/// `objects` list), for format auto-detection. Cheap on non-JSON input.
pub fn looks_like_stix_bundle(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    if start.and_then(|i| bytes.get(i)) != Some(&b'{') {
        return false;
    }
    match serde_json::from_slice::<Value>(strip_bom(bytes)) {
        Ok(value) => {
            value.get("type").and_then(Value::as_str) == Some("bundle")
                && value.get("objects").is_none_or(Value::is_array)
        }
        Err(_) => false,
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Reads a STIX 2.1 bundle.
pub fn import_bundle(bytes: &[u8]) -> Result<ImportedBundle, StixError> {
    let value: Value =
        serde_json::from_slice(strip_bom(bytes)).map_err(|e| StixError::Json(e.to_string()))?;
    import_value(&value)
}

/// Reads a STIX 2.1 bundle that is already parsed.
pub fn import_value(value: &Value) -> Result<ImportedBundle, StixError> {
    let Some(envelope) = value.as_object() else {
        return Err(StixError::NotABundle(
            "the top level is not a JSON object".into(),
        ));
    };
    if envelope.get("type").and_then(Value::as_str) != Some("bundle") {
        return Err(StixError::NotABundle("`type` is not \"bundle\"".into()));
    }
    let bundle_id = envelope
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    crate::object::check_identifier(bundle_id, "id", bundle_id, Some("bundle"))?;
    let objects: &[Value] = match envelope.get("objects") {
        None => &[],
        Some(Value::Array(objects)) => objects,
        Some(_) => {
            return Err(StixError::NotABundle("`objects` is not a list".into()));
        }
    };
    for object in objects {
        validate_object(object)?;
    }
    let mut importer = Importer::new(objects)?;
    let mut imported = ImportedBundle {
        bundle_id: bundle_id.to_string(),
        ..ImportedBundle::default()
    };
    let roots = importer.roots();
    if roots.is_empty() {
        if importer.has_mappable_content() {
            let incident = importer.map_root(None, bundle_id, true)?;
            imported.incidents.push(incident);
        }
    } else {
        let single = roots.len() == 1;
        for root in roots {
            let incident = importer.map_root(Some(root), bundle_id, single)?;
            imported.incidents.push(incident);
        }
    }
    importer.mark_structural();
    for object in objects {
        let id = str_of(object, "id").unwrap_or_default();
        if importer.consumed.contains(id) {
            let properties = custom_properties(object);
            if !properties.is_empty() {
                imported.custom_properties.push(CustomProperties {
                    object_id: id.to_string(),
                    properties,
                });
            }
        } else {
            imported
                .preserved
                .push(StixObject::from_trusted(object.clone()));
        }
    }
    imported.warnings = importer.warnings;
    Ok(imported)
}

fn custom_properties(object: &Value) -> Map<String, Value> {
    let mut properties: Map<String, Value> = object
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| k.starts_with("x_"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    if let Some(extensions) = object.get("extensions").and_then(Value::as_object) {
        let foreign: Map<String, Value> = extensions
            .iter()
            .filter(|(k, _)| {
                k.as_str() != extension::EXTENSION_ID && k.as_str() != tlp::TLP2_EXTENSION_ID
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !foreign.is_empty() {
            properties.insert("extensions".into(), Value::Object(foreign));
        }
    }
    properties
}

fn str_of<'a>(object: &'a Value, name: &str) -> Option<&'a str> {
    object.get(name).and_then(Value::as_str)
}

fn id_of(object: &Value) -> &str {
    str_of(object, "id").unwrap_or_default()
}

fn required_str<'a>(object: &'a Value, name: &str) -> Result<&'a str, StixError> {
    str_of(object, name)
        .ok_or_else(|| StixError::invalid(id_of(object), name, "required string is missing"))
}

fn time_of(object: &Value, name: &str) -> Result<Option<OffsetDateTime>, StixError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_str()
            .and_then(timestamp::parse)
            .map(Some)
            .ok_or_else(|| {
                StixError::invalid(
                    id_of(object),
                    name,
                    "not a STIX timestamp (use e.g. 2024-09-01T00:00:00.000Z)",
                )
            }),
    }
}

fn confidence_of(object: &Value, name: &str) -> Result<Option<u8>, StixError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .filter(|c| *c <= 100)
            .and_then(|c| u8::try_from(c).ok())
            .map(Some)
            .ok_or_else(|| {
                StixError::invalid(id_of(object), name, "must be an integer from 0 to 100")
            }),
    }
}

/// Reads an extension property with serde, naming the field on failure.
fn ext_field<T: DeserializeOwned>(
    object: &Value,
    properties: &Map<String, Value>,
    name: &str,
) -> Result<Option<T>, StixError> {
    match properties.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|e| {
                StixError::invalid(id_of(object), format!("extensions.{name}"), e.to_string())
            }),
    }
}

fn parse_country(object: &Value, field: &str, text: &str) -> Result<CountryCode, StixError> {
    text.parse::<CountryCode>()
        .map_err(|e| StixError::invalid(id_of(object), field, e.to_string()))
}

struct Importer<'a> {
    objects: &'a [Value],
    by_id: HashMap<&'a str, &'a Value>,
    /// Marking-definition id → TLP level, for TLP markings in the bundle.
    tlp_markings: HashMap<&'a str, Tlp>,
    /// Relationships by source or target id, in bundle order.
    touching: HashMap<&'a str, Vec<&'a Value>>,
    /// Relationships by source id, in bundle order.
    from_source: HashMap<&'a str, Vec<&'a Value>>,
    /// Reports by the ids they list.
    reports_containing: HashMap<&'a str, Vec<&'a Value>>,
    /// Signal objects by the incident they belong to.
    signals_of: HashMap<&'a str, Vec<&'a str>>,
    /// Position of each object in the bundle.
    position: HashMap<&'a str, usize>,
    /// Relationships by (source id, relationship type), in bundle order.
    relationships_by_source: HashMap<(&'a str, &'a str), Vec<&'a Value>>,
    consumed: HashSet<String>,
    warnings: Vec<String>,
}

impl<'a> Importer<'a> {
    fn new(objects: &'a [Value]) -> Result<Self, StixError> {
        let mut by_id = HashMap::new();
        let mut tlp_markings = HashMap::new();
        let mut relationships = Vec::new();
        for object in objects {
            let id = id_of(object);
            by_id.insert(id, object);
            match str_of(object, "type") {
                Some("marking-definition") => {
                    if let Some(level) = tlp::level_of_definition(object)? {
                        tlp_markings.insert(id, level);
                    }
                }
                Some("relationship") => {
                    required_str(object, "relationship_type")?;
                    required_str(object, "source_ref")?;
                    required_str(object, "target_ref")?;
                    relationships.push(object);
                }
                _ => {}
            }
        }
        let mut relationships_by_source: HashMap<(&str, &str), Vec<&Value>> = HashMap::new();
        for relationship in &relationships {
            let key = (
                str_of(relationship, "source_ref").unwrap_or_default(),
                str_of(relationship, "relationship_type").unwrap_or_default(),
            );
            relationships_by_source
                .entry(key)
                .or_default()
                .push(relationship);
        }
        let mut touching: HashMap<&str, Vec<&Value>> = HashMap::new();
        let mut from_source: HashMap<&str, Vec<&Value>> = HashMap::new();
        for relationship in &relationships {
            let source = str_of(relationship, "source_ref").unwrap_or_default();
            let target = str_of(relationship, "target_ref").unwrap_or_default();
            touching.entry(source).or_default().push(relationship);
            if target != source {
                touching.entry(target).or_default().push(relationship);
            }
            from_source.entry(source).or_default().push(relationship);
        }
        let mut reports_containing: HashMap<&str, Vec<&Value>> = HashMap::new();
        let mut signals_of: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut position = HashMap::new();
        for (index, object) in objects.iter().enumerate() {
            position.entry(id_of(object)).or_insert(index);
            if str_of(object, "type") == Some("report") {
                for reference in string_list(object, "object_refs") {
                    reports_containing
                        .entry(reference)
                        .or_default()
                        .push(object);
                }
            }
            if let Some(incident) = str_of(object, "incident_ref") {
                signals_of.entry(incident).or_default().push(id_of(object));
            }
        }
        Ok(Importer {
            objects,
            touching,
            from_source,
            reports_containing,
            signals_of,
            position,
            by_id,
            tlp_markings,
            relationships_by_source,
            consumed: HashSet::new(),
            warnings: Vec::new(),
        })
    }

    fn kind_of(&self, id: &str) -> Option<&'a str> {
        self.by_id.get(id).and_then(|o| str_of(o, "type"))
    }

    fn roots(&self) -> Vec<&'a Value> {
        let incident_like: Vec<&Value> = self
            .objects
            .iter()
            .filter(|o| matches!(str_of(o, "type"), Some("campaign" | "intrusion-set")))
            .collect();
        // An intrusion-set that a campaign is attributed to is an actor, not an incident.
        let campaigns: Vec<&Value> = incident_like
            .iter()
            .copied()
            .filter(|o| str_of(o, "type") == Some("campaign"))
            .collect();
        let roots: Vec<&Value> = if campaigns.is_empty() {
            incident_like
        } else {
            campaigns
        };
        if !roots.is_empty() {
            return roots;
        }
        self.objects
            .iter()
            .filter(|o| str_of(o, "type") == Some("report"))
            .collect()
    }

    fn has_mappable_content(&self) -> bool {
        self.objects.iter().any(|o| {
            matches!(
                str_of(o, "type"),
                Some("indicator" | "attack-pattern" | "threat-actor")
            ) || str_of(o, "type") == Some(SIGNAL_TYPE)
        })
    }

    /// The ids that belong to a root: what it links to, what links to it, and
    /// what a report holding it lists. With a single root, everything.
    fn members(&self, root: Option<&'a Value>, single: bool) -> HashSet<&'a str> {
        if single {
            return self.by_id.keys().copied().collect();
        }
        let mut members = HashSet::new();
        let Some(root) = root else {
            return members;
        };
        let root_id = id_of(root);
        members.insert(root_id);
        for relationship in self.touching.get(root_id).into_iter().flatten() {
            members.insert(str_of(relationship, "source_ref").unwrap_or_default());
            members.insert(str_of(relationship, "target_ref").unwrap_or_default());
            members.insert(id_of(relationship));
        }
        members.extend(string_list(root, "object_refs"));
        for report in self.reports_containing.get(root_id).into_iter().flatten() {
            members.extend(string_list(report, "object_refs"));
            members.insert(id_of(report));
        }
        members.extend(self.signals_of.get(root_id).into_iter().flatten().copied());
        // Relationships among members (attributions of member actors, indicator techniques).
        let snapshot: Vec<&str> = members.iter().copied().collect();
        for source in snapshot {
            for relationship in self.from_source.get(source).into_iter().flatten() {
                members.insert(id_of(relationship));
                members.insert(str_of(relationship, "target_ref").unwrap_or_default());
            }
        }
        members
    }

    fn relationships_from(&self, source: &str, kind: &str) -> Vec<&'a Value> {
        self.relationships_by_source
            .get(&(source, kind))
            .cloned()
            .unwrap_or_default()
    }

    fn tlp_of(&self, object: &Value) -> Option<Tlp> {
        string_list(object, "object_marking_refs")
            .into_iter()
            .filter_map(|id| {
                Tlp::from_stix_marking_id(id).or_else(|| self.tlp_markings.get(id).copied())
            })
            .max()
    }

    fn consume(&mut self, id: &str) {
        self.consumed.insert(id.to_string());
    }

    fn identity_name(&self, id: Option<&str>) -> Option<String> {
        let object = self.by_id.get(id?)?;
        str_of(object, "name").map(str::to_string)
    }

    fn map_root(
        &mut self,
        root: Option<&'a Value>,
        bundle_id: &str,
        single: bool,
    ) -> Result<Incident, StixError> {
        let members = self.members(root, single);
        let mut positions: Vec<usize> = members
            .iter()
            .filter_map(|id| self.position.get(id).copied())
            .collect();
        positions.sort_unstable();
        positions.dedup();
        let member_objects: Vec<&'a Value> = positions
            .into_iter()
            .filter_map(|index| self.objects.get(index))
            .collect();
        let properties = root.and_then(extension::properties_of);
        let own = properties.is_some_and(|p| p.contains_key("incident_id"));
        let root_kind = root.and_then(|r| str_of(r, "type")).unwrap_or_default();
        let root_id = root.map(id_of).unwrap_or_default().to_string();

        let mut incident = match root {
            Some(root) => self.base_incident(root, properties)?,
            None => {
                let created = member_objects
                    .iter()
                    .filter_map(|o| time_of(o, "created").ok().flatten())
                    .min()
                    .unwrap_or(OffsetDateTime::UNIX_EPOCH);
                let modified = member_objects
                    .iter()
                    .filter_map(|o| time_of(o, "modified").ok().flatten())
                    .max()
                    .unwrap_or(created);
                let id = Uuid::new_v5(&Uuid::NAMESPACE_URL, bundle_id.as_bytes());
                let mut incident =
                    Incident::with_id(id, format!("STIX bundle {bundle_id}"), Tlp::Amber, created);
                incident.modified = modified;
                incident
            }
        };
        if let Some(root) = root {
            self.consume(id_of(root));
            if let Some(creator) = str_of(root, "created_by_ref") {
                self.consume(creator);
            }
        }
        let report_like = root_kind == "report" || root.is_none();

        // Threat actors and their attributions.
        let mut actor_ids: Vec<&str> = Vec::new();
        if let Some(root) = root {
            for relationship in self.relationships_from(id_of(root), "attributed-to") {
                let target = str_of(relationship, "target_ref").unwrap_or_default();
                if matches!(self.kind_of(target), Some("threat-actor" | "intrusion-set")) {
                    actor_ids.push(target);
                    self.consume(id_of(relationship));
                }
            }
        }
        if report_like || !own {
            for object in &member_objects {
                if str_of(object, "type") == Some("threat-actor")
                    && !actor_ids.contains(&id_of(object))
                {
                    actor_ids.push(id_of(object));
                }
            }
        }
        for actor_id in actor_ids {
            let Some(actor) = self.by_id.get(actor_id).copied() else {
                continue;
            };
            incident.threat_actors.push(self.threat_actor(actor, root)?);
        }

        // Techniques: `uses` from the root, and for reports every mappable attack-pattern.
        let mut technique_ids: Vec<&str> = Vec::new();
        if let Some(root) = root {
            for relationship in self.relationships_from(id_of(root), "uses") {
                let target = str_of(relationship, "target_ref").unwrap_or_default();
                if self.kind_of(target) == Some("attack-pattern") {
                    technique_ids.push(target);
                    technique_ids.push(id_of(relationship));
                }
            }
        }
        if report_like {
            for object in &member_objects {
                if str_of(object, "type") == Some("attack-pattern") {
                    technique_ids.push(id_of(object));
                }
            }
        }
        for id in technique_ids {
            let Some(object) = self.by_id.get(id).copied() else {
                continue;
            };
            if str_of(object, "type") == Some("relationship") {
                continue;
            }
            if let Some(technique) = technique_of(object)? {
                self.consume(id);
                for relationship in self.relationships_from(&root_id, "uses") {
                    if str_of(relationship, "target_ref") == Some(id) {
                        self.consume(id_of(relationship));
                    }
                }
                if own || !incident.techniques.contains(&technique) {
                    incident.techniques.push(technique);
                }
            }
        }

        // Countries.
        if own {
            if let Some(properties) = properties
                && let Some(root) = root
            {
                incident.target_countries =
                    ext_field(root, properties, "target_countries")?.unwrap_or_default();
                incident.origin_countries =
                    ext_field(root, properties, "origin_countries")?.unwrap_or_default();
            }
            for kind in ["targets", "originates-from"] {
                for relationship in self.relationships_from(&root_id, kind) {
                    self.consume(id_of(relationship));
                    let target = str_of(relationship, "target_ref").unwrap_or_default();
                    self.consume(target);
                }
            }
        } else {
            for (kind, origin) in [("targets", false), ("originates-from", true)] {
                for relationship in self.relationships_from(&root_id, kind) {
                    let target = str_of(relationship, "target_ref").unwrap_or_default();
                    let Some(location) = self.by_id.get(target).copied() else {
                        continue;
                    };
                    if str_of(location, "type") != Some("location") {
                        continue;
                    }
                    if let Some(code) = str_of(location, "country") {
                        let country = parse_country(location, "country", code)?;
                        if origin {
                            incident.add_origin(country);
                        } else {
                            incident.add_target(country);
                        }
                        self.consume(target);
                        self.consume(id_of(relationship));
                    }
                }
            }
            if report_like {
                for object in &member_objects {
                    if str_of(object, "type") == Some("location")
                        && let Some(code) = str_of(object, "country")
                    {
                        incident.add_target(parse_country(object, "country", code)?);
                        self.consume(id_of(object));
                    }
                }
            }
        }

        // Indicators and signals, in bundle order.
        for object in &member_objects {
            match str_of(object, "type") {
                Some("indicator") => {
                    if let Some(indicator) = self.indicator(object)? {
                        self.consume(id_of(object));
                        for relationship in self.relationships_from(id_of(object), "indicates") {
                            let target = str_of(relationship, "target_ref").unwrap_or_default();
                            if target == root_id || self.consumed.contains(target) {
                                self.consume(id_of(relationship));
                            }
                        }
                        if own {
                            incident.indicators.push(indicator);
                        } else {
                            incident.add_indicator(indicator);
                        }
                    }
                }
                Some(SIGNAL_TYPE) => {
                    let indicator = signal(object)?;
                    self.consume(id_of(object));
                    incident.indicators.push(indicator);
                }
                Some("note") if self.note(object, &mut incident)? => {
                    self.consume(id_of(object));
                }
                _ => {}
            }
        }

        // The report that wraps the root.
        for object in &member_objects {
            if str_of(object, "type") == Some("report")
                && (id_of(object) == root_id
                    || string_list(object, "object_refs").contains(&root_id.as_str()))
            {
                self.consume(id_of(object));
            }
        }

        // The most restrictive marking of anything that went into the incident.
        // Identities and definitions may be shared between incidents, so they do not count.
        let marking = if own {
            root.and_then(|r| self.tlp_of(r))
        } else {
            member_objects
                .iter()
                .filter(|o| self.consumed.contains(id_of(o)))
                .filter(|o| {
                    !matches!(
                        str_of(o, "type"),
                        Some("identity" | "marking-definition" | "extension-definition")
                    )
                })
                .filter_map(|o| self.tlp_of(o))
                .max()
        };
        match marking {
            Some(tlp) => incident.tlp = tlp,
            None => {
                incident.tlp = Tlp::Amber;
                self.warnings.push(format!(
                    "incident `{}` carries no TLP marking; treated as TLP:AMBER",
                    incident.name
                ));
            }
        }
        Ok(incident)
    }

    fn base_incident(
        &mut self,
        root: &'a Value,
        properties: Option<&Map<String, Value>>,
    ) -> Result<Incident, StixError> {
        let name = required_str(root, "name")?;
        let created = time_of(root, "created")?.unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let id = match properties.and_then(|p| p.get("incident_id")) {
            Some(value) => value
                .as_str()
                .and_then(|s| Uuid::parse_str(s).ok())
                .ok_or_else(|| {
                    StixError::invalid(id_of(root), "extensions.incident_id", "must be a UUID")
                })?,
            None => Uuid::new_v5(&Uuid::NAMESPACE_URL, id_of(root).as_bytes()),
        };
        let mut incident = Incident::with_id(id, name, Tlp::Amber, created);
        incident.modified = time_of(root, "modified")?.unwrap_or(created);
        incident.summary = str_of(root, "description").unwrap_or_default().to_string();
        incident.first_seen = time_of(root, "first_seen")?;
        incident.last_seen = time_of(root, "last_seen")?;
        incident.confidence = confidence_of(root, "confidence")?;
        incident.source_org = self.identity_name(str_of(root, "created_by_ref"));
        if let Some(properties) = properties {
            incident.status =
                ext_field::<IncidentStatus>(root, properties, "status")?.unwrap_or_default();
            incident.version = ext_field(root, properties, "version")?.unwrap_or(1);
            incident.assets = ext_field(root, properties, "assets")?.unwrap_or_default();
            incident.target_languages =
                ext_field(root, properties, "target_languages")?.unwrap_or_default();
        }
        if let Some(references) = root.get("external_references").and_then(Value::as_array) {
            for reference in references {
                let Some(source) = str_of(reference, "source_name") else {
                    return Err(StixError::invalid(
                        id_of(root),
                        "external_references.source_name",
                        "every external reference needs a source_name",
                    ));
                };
                incident.external_references.push(ExternalReference {
                    source: source.to_string(),
                    url: str_of(reference, "url").map(str::to_string),
                    external_id: str_of(reference, "external_id").map(str::to_string),
                });
            }
        }
        Ok(incident)
    }

    fn threat_actor(
        &mut self,
        actor: &'a Value,
        root: Option<&Value>,
    ) -> Result<ThreatActor, StixError> {
        let actor_id = id_of(actor);
        self.consume(actor_id);
        let name = required_str(actor, "name")?.to_string();
        let aliases = string_list(actor, "aliases")
            .into_iter()
            .map(str::to_string)
            .collect();
        let root_creator = root.and_then(|r| str_of(r, "created_by_ref"));
        let mut attributions = Vec::new();
        for relationship in self.relationships_from(actor_id, "attributed-to") {
            let target = str_of(relationship, "target_ref").unwrap_or_default();
            let Some(sponsor) = self.by_id.get(target).copied() else {
                continue;
            };
            let Some(to) = str_of(sponsor, "name") else {
                continue;
            };
            let by = match extension::properties_of(relationship) {
                Some(properties) => ext_field::<String>(relationship, properties, "attributed_by")?,
                None => {
                    let creator = str_of(relationship, "created_by_ref");
                    if creator.is_some() && creator != root_creator {
                        self.identity_name(creator)
                    } else {
                        None
                    }
                }
            };
            attributions.push(Attribution {
                to: to.to_string(),
                confidence: confidence_of(relationship, "confidence")?,
                by,
            });
            self.consume(target);
            self.consume(id_of(relationship));
        }
        Ok(ThreatActor {
            name,
            aliases,
            attributions,
        })
    }

    /// An indicator object as a model indicator; `None` (with a warning) when
    /// its pattern is not one Crosswatch can represent.
    fn indicator(&mut self, object: &Value) -> Result<Option<Indicator>, StixError> {
        let id = id_of(object);
        let pattern_text = required_str(object, "pattern")?;
        if str_of(object, "pattern_type").unwrap_or("stix") != "stix" {
            self.warnings.push(format!(
                "indicator `{id}`: pattern type is not `stix`; kept unmapped"
            ));
            return Ok(None);
        }
        let Some(comparisons) = pattern::parse_simple(pattern_text) else {
            self.warnings.push(format!(
                "indicator `{id}`: pattern `{pattern_text}` is more than simple equalities; kept unmapped"
            ));
            return Ok(None);
        };
        let own = extension::properties_of(object).filter(|p| p.contains_key("kind"));
        let mut indicator = match own {
            Some(properties) => own_indicator(object, properties, &comparisons)?,
            None => match self.foreign_indicator(object, &comparisons) {
                Some(indicator) => indicator,
                None => return Ok(None),
            },
        };
        for relationship in self.relationships_from(id, "indicates") {
            let target = str_of(relationship, "target_ref").unwrap_or_default();
            if let Some(attack_pattern) = self.by_id.get(target).copied()
                && str_of(attack_pattern, "type") == Some("attack-pattern")
                && let Some(technique) = technique_of(attack_pattern)?
            {
                if own.is_none() {
                    indicator = indicator.with_technique(Some(technique));
                }
                self.consume(target);
            }
        }
        Ok(Some(indicator))
    }

    /// Another producer's indicator; `None` (with a warning) when it does not map.
    fn foreign_indicator(
        &mut self,
        object: &Value,
        comparisons: &[pattern::Comparison],
    ) -> Option<Indicator> {
        let id = id_of(object);
        let pattern_text = str_of(object, "pattern").unwrap_or_default();
        let indicator = match foreign_indicator(comparisons) {
            Some(Ok(indicator)) => indicator,
            Some(Err(message)) => {
                self.warnings
                    .push(format!("indicator `{id}`: {message}; kept unmapped"));
                return None;
            }
            None => {
                self.warnings.push(format!(
                    "indicator `{id}`: pattern `{pattern_text}` names no observable Crosswatch shares; kept unmapped"
                ));
                return None;
            }
        };
        Some(indicator.with_note(str_of(object, "description").map(str::to_string)))
    }

    /// Maps a note onto a narrative or learning; returns whether it did.
    fn note(&mut self, object: &Value, incident: &mut Incident) -> Result<bool, StixError> {
        let content = required_str(object, "content")?.to_string();
        let role = extension::properties_of(object)
            .map(|p| ext_field::<String>(object, p, "role"))
            .transpose()?
            .flatten();
        match role.as_deref() {
            Some("narrative") => {
                let targets = extension::properties_of(object)
                    .map(|p| ext_field::<Vec<CountryCode>>(object, p, "target_countries"))
                    .transpose()?
                    .flatten()
                    .unwrap_or_default();
                incident.narratives.push(Narrative {
                    text: content,
                    language: str_of(object, "lang").map(str::to_string),
                    targets,
                });
                Ok(true)
            }
            Some("learning") | None => {
                incident.learnings.push(content);
                Ok(true)
            }
            Some(_) => Ok(false),
        }
    }

    /// Marks the objects every bundle carries for structure (TLP definitions,
    /// the Crosswatch extension and identity) as consumed.
    fn mark_structural(&mut self) {
        let ids: Vec<String> = self.tlp_markings.keys().map(|s| s.to_string()).collect();
        self.consumed.extend(ids);
        self.consumed.insert(extension::EXTENSION_ID.to_string());
        self.consumed
            .insert(extension::CROSSWATCH_IDENTITY_ID.to_string());
    }
}

/// A DISARM or kill-chain technique named by an attack-pattern's external references.
fn technique_of(object: &Value) -> Result<Option<TechniqueRef>, StixError> {
    let Some(references) = object.get("external_references").and_then(Value::as_array) else {
        return Ok(None);
    };
    for reference in references {
        let source = str_of(reference, "source_name").unwrap_or_default();
        let url = str_of(reference, "url").unwrap_or_default();
        let taxonomy = if source.eq_ignore_ascii_case(DISARM_SOURCE)
            || source.to_ascii_lowercase().starts_with("disarm")
            || (source == "mitre-attack" && url.contains("DISARMframeworks"))
        {
            Taxonomy::Disarm
        } else if source == KILL_CHAIN_SOURCE {
            Taxonomy::KillChain
        } else {
            continue;
        };
        let Some(external_id) = str_of(reference, "external_id") else {
            return Err(StixError::invalid(
                id_of(object),
                "external_references.external_id",
                format!("a {taxonomy} reference needs an external_id such as T0015.001"),
            ));
        };
        let name = str_of(object, "name").filter(|n| n.trim() != external_id.trim());
        let technique = TechniqueRef::new(taxonomy, external_id, name.map(str::to_string))
            .map_err(|e| {
                StixError::invalid(
                    id_of(object),
                    "external_references.external_id",
                    e.to_string(),
                )
            })?;
        return Ok(Some(technique));
    }
    Ok(None)
}

/// An indicator exported by Crosswatch: the extension says what the pattern cannot.
fn own_indicator(
    object: &Value,
    properties: &Map<String, Value>,
    comparisons: &[pattern::Comparison],
) -> Result<Indicator, StixError> {
    let kind: IndicatorKind = ext_field(object, properties, "kind")?
        .ok_or_else(|| StixError::invalid(id_of(object), "extensions.kind", "missing"))?;
    let pattern_value = comparisons
        .first()
        .map(|c| c.value.clone())
        .unwrap_or_default();
    let hash_algorithm = match kind {
        IndicatorKind::Hash => comparisons
            .first()
            .and_then(|c| c.path.strip_prefix("hashes."))
            .and_then(HashAlgorithm::parse),
        _ => ext_field(object, properties, "hash_algorithm")?,
    };
    let indicator = Indicator {
        kind,
        value: ext_field(object, properties, "value")?.unwrap_or(pattern_value),
        platform: ext_field(object, properties, "platform")?,
        handle: ext_field(object, properties, "handle")?,
        account_kind: ext_field(object, properties, "account_kind")?,
        hash_algorithm,
        quantity: ext_field(object, properties, "quantity")?,
        currency: ext_field(object, properties, "currency")?,
        note: ext_field(object, properties, "note")?,
        techniques: ext_field(object, properties, "techniques")?.unwrap_or_default(),
    };
    indicator
        .validate()
        .map_err(|e| StixError::invalid(id_of(object), "pattern", e.to_string()))?;
    Ok(indicator)
}

/// An indicator from another producer's simple pattern; `None` when the
/// observable is not one Crosswatch shares, `Some(Err)` for a bad value.
fn foreign_indicator(comparisons: &[pattern::Comparison]) -> Option<Result<Indicator, String>> {
    let first = comparisons.first()?;
    let value = first.value.as_str();
    let result = match (first.object_type.as_str(), first.path.as_str()) {
        ("domain-name", "value") => Indicator::domain(value),
        ("url", "value") => Indicator::url(value),
        ("ipv4-addr" | "ipv6-addr", "value") => Indicator::ip(value),
        ("email-addr", "value") => Indicator::email(value),
        ("file", path) => {
            let (algorithm, hex) = comparisons.iter().find_map(|c| {
                let algorithm = HashAlgorithm::parse(c.path.strip_prefix("hashes.")?)?;
                Some((algorithm, c.value.as_str()))
            })?;
            let _ = path;
            Indicator::hash(algorithm, hex)
        }
        ("user-account", _) => {
            let field = |name: &str| {
                comparisons
                    .iter()
                    .find(|c| c.path == name)
                    .map(|c| c.value.as_str())
            };
            let login = field("account_login").or_else(|| field("user_id"))?;
            let platform: Platform = match field("account_type")?.parse() {
                Ok(platform) => platform,
                Err(never) => match never {},
            };
            return Some(
                AccountRef::new(platform, login, AssetKind::Account)
                    .map(Indicator::account)
                    .ok_or_else(|| format!("`{login}` is not an account name")),
            );
        }
        _ => return None,
    };
    Some(result.map_err(|e| e.to_string()))
}

/// A Crosswatch signal object (text snippet, outlet, ad spend, followers).
fn signal(object: &Value) -> Result<Indicator, StixError> {
    let properties = object.as_object().cloned().unwrap_or_default();
    let kind: IndicatorKind = ext_field(object, &properties, "kind")?
        .ok_or_else(|| StixError::invalid(id_of(object), "kind", "required property is missing"))?;
    let indicator = Indicator {
        kind,
        value: required_str(object, "value")?.to_string(),
        platform: ext_field(object, &properties, "platform")?,
        handle: ext_field(object, &properties, "handle")?,
        account_kind: ext_field(object, &properties, "account_kind")?,
        hash_algorithm: ext_field(object, &properties, "hash_algorithm")?,
        quantity: ext_field(object, &properties, "quantity")?,
        currency: ext_field(object, &properties, "currency")?,
        note: ext_field(object, &properties, "note")?,
        techniques: ext_field(object, &properties, "techniques")?.unwrap_or_default(),
    };
    indicator
        .validate()
        .map_err(|e| StixError::invalid(id_of(object), "value", e.to_string()))?;
    Ok(indicator)
}
