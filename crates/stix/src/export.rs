//! Incident → STIX 2.1 bundle.
//!
//! Every object carries the incident's TLP marking; ids are UUIDv5 values
//! derived from the incident id and the object's content, so re-exporting an
//! unchanged incident yields byte-identical JSON.

use std::collections::HashSet;

use crosswatch_model::{
    HashAlgorithm, Incident, Indicator, IndicatorKind, Taxonomy, TechniqueRef, Tlp,
};
use serde_json::{Map, Value, json};

use crate::extension::{self, SIGNAL_TYPE};
use crate::object::{Bundle, StixObject, deterministic_id};
use crate::{pattern, timestamp, tlp};

/// The STIX object type an incident becomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IncidentObjectType {
    /// A `campaign`: one operation in time (the usual case).
    #[default]
    Campaign,
    /// An `intrusion-set`: a long-running grouping of activity.
    IntrusionSet,
}

impl IncidentObjectType {
    fn stix_type(self) -> &'static str {
        match self {
            IncidentObjectType::Campaign => "campaign",
            IncidentObjectType::IntrusionSet => "intrusion-set",
        }
    }
}

/// How to export.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// Whether the incident becomes a `campaign` or an `intrusion-set`.
    pub incident_object: IncidentObjectType,
    /// Whether to add a `report` whose `object_refs` list everything exported.
    pub include_report: bool,
    /// Objects to add unchanged, e.g. objects kept from an earlier import.
    pub extra_objects: Vec<StixObject>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            incident_object: IncidentObjectType::Campaign,
            include_report: true,
            extra_objects: Vec::new(),
        }
    }
}

/// The source name DISARM techniques are referenced by.
pub const DISARM_SOURCE: &str = "DISARM";

/// The source and kill-chain name of Meta's Online Operations Kill Chain.
pub const KILL_CHAIN_SOURCE: &str = "meta-online-operations-kill-chain";

/// Exports one incident as a bundle.
pub fn export_incident(incident: &Incident, options: &ExportOptions) -> Bundle {
    export_incidents(std::slice::from_ref(incident), options)
}

/// Exports several incidents into one bundle; objects they share (markings,
/// the source organisation) appear once.
pub fn export_incidents(incidents: &[Incident], options: &ExportOptions) -> Bundle {
    let mut seen = HashSet::new();
    let mut objects = Vec::new();
    let mut push = |value: Value, objects: &mut Vec<StixObject>| {
        let id = value
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if seen.insert(id) {
            objects.push(StixObject::from_trusted(value));
        }
    };
    let clear = Tlp::Clear.stix_marking_id();
    push(tlp::marking_definition(Tlp::Clear), &mut objects);
    push(extension::crosswatch_identity(clear), &mut objects);
    push(extension::extension_definition(clear), &mut objects);
    for incident in incidents {
        for value in IncidentExporter::new(incident, options).run() {
            push(value, &mut objects);
        }
    }
    for extra in &options.extra_objects {
        push(extra.as_value().clone(), &mut objects);
    }
    let seed = incidents
        .iter()
        .map(|i| format!("{}@{}", i.id, timestamp::format(i.modified)))
        .collect::<Vec<_>>()
        .join(",");
    Bundle::new(deterministic_id("bundle", &seed), objects)
}

struct IncidentExporter<'a> {
    incident: &'a Incident,
    options: &'a ExportOptions,
    marking: &'static str,
    created: String,
    modified: String,
    creator: Option<String>,
    root_id: String,
    used_ids: HashSet<String>,
    objects: Vec<Value>,
    /// Attack-pattern ids of the incident's techniques, for indicators to point at.
    technique_ids: Vec<(TechniqueRef, String)>,
}

impl<'a> IncidentExporter<'a> {
    fn new(incident: &'a Incident, options: &'a ExportOptions) -> Self {
        let modified = incident.modified.max(incident.created);
        let root_id = deterministic_id(
            options.incident_object.stix_type(),
            &format!("{}/incident", incident.id),
        );
        IncidentExporter {
            incident,
            options,
            marking: incident.tlp.stix_marking_id(),
            created: timestamp::format(incident.created),
            modified: timestamp::format(modified),
            creator: incident
                .source_org
                .as_ref()
                .map(|org| deterministic_id("identity", &format!("organisation/{org}"))),
            root_id: root_id.clone(),
            used_ids: HashSet::from([root_id]),
            objects: Vec::new(),
            technique_ids: Vec::new(),
        }
    }

    /// A fresh id for an object of this incident; a counter separates
    /// objects with identical content.
    fn unique_id(&mut self, kind: &str, seed: &str) -> String {
        let base = format!("{}/{kind}/{seed}", self.incident.id);
        let mut n = 0u32;
        loop {
            let seed = if n == 0 {
                base.clone()
            } else {
                format!("{base}#{n}")
            };
            let id = deterministic_id(kind, &seed);
            if self.used_ids.insert(id.clone()) {
                return id;
            }
            n += 1;
        }
    }

    /// The id of an object shared by all uses of the same content.
    fn shared_id(&self, kind: &str, seed: &str) -> String {
        deterministic_id(kind, &format!("{}/{kind}/{seed}", self.incident.id))
    }

    fn common(&self, kind: &str, id: &str) -> Map<String, Value> {
        let mut object = Map::new();
        object.insert("type".into(), json!(kind));
        object.insert("spec_version".into(), json!("2.1"));
        object.insert("id".into(), json!(id));
        if let Some(creator) = &self.creator {
            object.insert("created_by_ref".into(), json!(creator));
        }
        object.insert("created".into(), json!(self.created));
        object.insert("modified".into(), json!(self.modified));
        object.insert("object_marking_refs".into(), json!([self.marking]));
        object
    }

    fn emit(&mut self, object: Map<String, Value>) {
        self.objects.push(Value::Object(object));
    }

    fn relationship(&mut self, source: &str, kind: &str, target: &str) -> Map<String, Value> {
        let id = self.unique_id("relationship", &format!("{source}/{kind}/{target}"));
        let mut object = self.common("relationship", &id);
        object.insert("relationship_type".into(), json!(kind));
        object.insert("source_ref".into(), json!(source));
        object.insert("target_ref".into(), json!(target));
        object
    }

    fn relate(&mut self, source: &str, kind: &str, target: &str) {
        let object = self.relationship(source, kind, target);
        self.emit(object);
    }

    fn run(mut self) -> Vec<Value> {
        let mut header = vec![tlp::marking_definition(self.incident.tlp)];
        if let (Some(org), Some(id)) = (&self.incident.source_org, &self.creator) {
            let mut identity = self.common("identity", id);
            identity.remove("created_by_ref");
            identity.insert("name".into(), json!(org));
            identity.insert(
                "description".into(),
                json!("The organisation that disclosed the incident."),
            );
            identity.insert("identity_class".into(), json!("organization"));
            header.push(Value::Object(identity));
        }
        self.root();
        self.threat_actors();
        self.techniques();
        self.locations();
        self.indicators();
        self.notes();
        if self.options.include_report {
            self.report(&header);
        }
        header.append(&mut self.objects);
        header
    }

    fn root(&mut self) {
        let incident = self.incident;
        let kind = self.options.incident_object.stix_type();
        let root_id = self.root_id.clone();
        let mut object = self.common(kind, &root_id);
        object.insert("name".into(), json!(incident.name));
        if !incident.summary.is_empty() {
            object.insert("description".into(), json!(incident.summary));
        }
        if let Some(at) = incident.first_seen {
            object.insert("first_seen".into(), json!(timestamp::format(at)));
        }
        if let Some(at) = incident.last_seen {
            object.insert("last_seen".into(), json!(timestamp::format(at)));
        }
        if let Some(confidence) = incident.confidence {
            object.insert("confidence".into(), json!(confidence.min(100)));
        }
        if !incident.external_references.is_empty() {
            let references: Vec<Value> = incident
                .external_references
                .iter()
                .map(|r| {
                    let mut reference = Map::new();
                    reference.insert("source_name".into(), json!(r.source));
                    if let Some(url) = &r.url {
                        reference.insert("url".into(), json!(url));
                    }
                    if let Some(id) = &r.external_id {
                        reference.insert("external_id".into(), json!(id));
                    }
                    if r.url.is_none() && r.external_id.is_none() {
                        // STIX wants one of description, url or external_id.
                        reference.insert("description".into(), json!(r.source));
                    }
                    Value::Object(reference)
                })
                .collect();
            object.insert("external_references".into(), json!(references));
        }
        let mut properties = Map::new();
        properties.insert("incident_id".into(), json!(incident.id.to_string()));
        properties.insert("status".into(), json!(incident.status));
        properties.insert("version".into(), json!(incident.version));
        if !incident.assets.is_empty() {
            properties.insert("assets".into(), json!(incident.assets));
        }
        if !incident.origin_countries.is_empty() {
            properties.insert("origin_countries".into(), json!(incident.origin_countries));
        }
        if !incident.target_countries.is_empty() {
            properties.insert("target_countries".into(), json!(incident.target_countries));
            let member_states: Vec<_> = incident.target_member_states().collect();
            // STIX forbids empty lists: a network targeting only non-EU
            // countries (Moldova, say) has no Member States to list.
            if !member_states.is_empty() {
                properties.insert("target_member_states".into(), json!(member_states));
            }
        }
        if !incident.target_languages.is_empty() {
            properties.insert("target_languages".into(), json!(incident.target_languages));
        }
        object.insert(
            "extensions".into(),
            extension::property_extension(properties),
        );
        self.emit(object);
    }

    fn threat_actors(&mut self) {
        let root_id = self.root_id.clone();
        let mut emitted_sponsors = HashSet::new();
        for actor in &self.incident.threat_actors {
            let actor_id = self.unique_id("threat-actor", &actor.name);
            let mut object = self.common("threat-actor", &actor_id);
            object.insert("name".into(), json!(actor.name));
            object.insert(
                "description".into(),
                json!(format!("Actor behind {}.", self.incident.name)),
            );
            if !actor.aliases.is_empty() {
                object.insert("aliases".into(), json!(actor.aliases));
            }
            self.emit(object);
            self.relate(&root_id, "attributed-to", &actor_id);
            for attribution in &actor.attributions {
                let sponsor_id = self.shared_id("identity", &format!("sponsor/{}", attribution.to));
                if emitted_sponsors.insert(sponsor_id.clone()) {
                    self.used_ids.insert(sponsor_id.clone());
                    let mut sponsor = self.common("identity", &sponsor_id);
                    sponsor.insert("name".into(), json!(attribution.to));
                    sponsor.insert(
                        "description".into(),
                        json!("An entity a threat actor is attributed to."),
                    );
                    sponsor.insert("identity_class".into(), json!("organization"));
                    self.emit(sponsor);
                }
                let mut relationship = self.relationship(&actor_id, "attributed-to", &sponsor_id);
                if let Some(confidence) = attribution.confidence {
                    relationship.insert("confidence".into(), json!(confidence.min(100)));
                }
                if let Some(by) = &attribution.by {
                    let mut properties = Map::new();
                    properties.insert("attributed_by".into(), json!(by));
                    relationship.insert(
                        "extensions".into(),
                        extension::property_extension(properties),
                    );
                }
                self.emit(relationship);
            }
        }
    }

    fn attack_pattern(&mut self, technique: &TechniqueRef) -> String {
        let seed = format!(
            "{}/{}/{}",
            technique.taxonomy,
            technique.id,
            technique.name.as_deref().unwrap_or_default()
        );
        let id = self.unique_id("attack-pattern", &seed);
        let mut object = self.common("attack-pattern", &id);
        object.insert(
            "name".into(),
            json!(
                technique
                    .name
                    .clone()
                    .unwrap_or_else(|| technique.id.clone())
            ),
        );
        let (source, reference) = match technique.taxonomy {
            Taxonomy::Disarm => (
                DISARM_SOURCE,
                json!({"source_name": DISARM_SOURCE, "external_id": technique.id}),
            ),
            Taxonomy::KillChain => {
                let tactic = technique.id.split('.').next().unwrap_or_default();
                object.insert(
                    "kill_chain_phases".into(),
                    json!([{"kill_chain_name": KILL_CHAIN_SOURCE, "phase_name": format!("tactic-{tactic}")}]),
                );
                (
                    KILL_CHAIN_SOURCE,
                    json!({"source_name": KILL_CHAIN_SOURCE, "external_id": technique.id}),
                )
            }
        };
        object.insert(
            "description".into(),
            json!(format!("{source} {}", technique.id)),
        );
        object.insert("external_references".into(), json!([reference]));
        self.emit(object);
        id
    }

    fn techniques(&mut self) {
        let root_id = self.root_id.clone();
        for technique in &self.incident.techniques {
            let id = self.attack_pattern(technique);
            self.relate(&root_id, "uses", &id);
            self.technique_ids.push((technique.clone(), id));
        }
    }

    fn locations(&mut self) {
        let root_id = self.root_id.clone();
        let mut emitted = HashSet::new();
        let incident = self.incident;
        let targets = incident.target_countries.iter().map(|c| (c, "targets"));
        let origins = incident
            .origin_countries
            .iter()
            .map(|c| (c, "originates-from"));
        for (country, relationship) in targets.chain(origins) {
            let id = self.shared_id("location", country.as_str());
            if emitted.insert(id.clone()) {
                self.used_ids.insert(id.clone());
                let mut object = self.common("location", &id);
                let name = if country.name().is_empty() {
                    country.as_str()
                } else {
                    country.name()
                };
                object.insert("name".into(), json!(name));
                object.insert("country".into(), json!(country.as_str()));
                self.emit(object);
            }
            self.relate(&root_id, relationship, &id);
        }
    }

    fn indicators(&mut self) {
        let root_id = self.root_id.clone();
        let valid_from =
            timestamp::format(self.incident.first_seen.unwrap_or(self.incident.created));
        for indicator in &self.incident.indicators {
            match stix_pattern(indicator) {
                Some((pattern, indicator_type)) => {
                    let technique_targets: Vec<String> = indicator
                        .techniques
                        .iter()
                        .map(|t| self.attack_pattern_for(t))
                        .collect();
                    let id = self.unique_id("indicator", &indicator.key());
                    let mut object = self.common("indicator", &id);
                    object.insert(
                        "name".into(),
                        json!(format!("{}: {}", indicator.kind, indicator.value)),
                    );
                    let description = indicator.note.clone().unwrap_or_else(|| {
                        format!("A {} signal of {}.", indicator.kind, self.incident.name)
                    });
                    object.insert("description".into(), json!(description));
                    object.insert("indicator_types".into(), json!([indicator_type]));
                    object.insert("pattern".into(), json!(pattern));
                    object.insert("pattern_type".into(), json!("stix"));
                    object.insert("pattern_version".into(), json!("2.1"));
                    object.insert("valid_from".into(), json!(valid_from));
                    object.insert(
                        "extensions".into(),
                        extension::property_extension(indicator_properties(indicator)),
                    );
                    self.emit(object);
                    self.relate(&id, "indicates", &root_id);
                    for target in technique_targets {
                        self.relate(&id, "indicates", &target);
                    }
                }
                None => {
                    let id = self.unique_id(SIGNAL_TYPE, &indicator.key());
                    let mut object = self.common(SIGNAL_TYPE, &id);
                    object.insert("name".into(), json!(indicator.value));
                    let mut properties = indicator_properties(indicator);
                    properties.insert("value".into(), json!(indicator.value));
                    object.append(&mut properties);
                    object.insert("incident_ref".into(), json!(root_id));
                    object.insert("extensions".into(), extension::new_sdo_extension());
                    self.emit(object);
                }
            }
        }
    }

    /// The attack-pattern of a technique: the incident's own, or a new one.
    fn attack_pattern_for(&mut self, technique: &TechniqueRef) -> String {
        if let Some((_, id)) = self
            .technique_ids
            .iter()
            .find(|(known, _)| known.taxonomy == technique.taxonomy && known.id == technique.id)
        {
            return id.clone();
        }
        let id = self.attack_pattern(technique);
        self.technique_ids.push((technique.clone(), id.clone()));
        id
    }

    fn notes(&mut self) {
        let root_id = self.root_id.clone();
        for narrative in &self.incident.narratives {
            let id = self.unique_id("note", &format!("narrative/{}", narrative.text));
            let mut object = self.common("note", &id);
            object.insert("abstract".into(), json!("Narrative"));
            object.insert("content".into(), json!(narrative.text));
            if let Some(language) = &narrative.language {
                object.insert("lang".into(), json!(language));
            }
            object.insert("object_refs".into(), json!([root_id]));
            let mut properties = Map::new();
            properties.insert("role".into(), json!("narrative"));
            if !narrative.targets.is_empty() {
                properties.insert("target_countries".into(), json!(narrative.targets));
            }
            object.insert(
                "extensions".into(),
                extension::property_extension(properties),
            );
            self.emit(object);
        }
        for learning in &self.incident.learnings {
            let id = self.unique_id("note", &format!("learning/{learning}"));
            let mut object = self.common("note", &id);
            object.insert("abstract".into(), json!("Learning"));
            object.insert("content".into(), json!(learning));
            object.insert("object_refs".into(), json!([root_id]));
            let mut properties = Map::new();
            properties.insert("role".into(), json!("learning"));
            object.insert(
                "extensions".into(),
                extension::property_extension(properties),
            );
            self.emit(object);
        }
    }

    fn report(&mut self, header: &[Value]) {
        let id = self.unique_id("report", "report");
        let mut refs: Vec<Value> = header
            .iter()
            .chain(self.objects.iter())
            .filter_map(|o| o.get("id").cloned())
            .collect();
        refs.push(json!(extension::EXTENSION_ID));
        let mut object = self.common("report", &id);
        object.insert("name".into(), json!(self.incident.name));
        object.insert(
            "description".into(),
            json!(if self.incident.summary.is_empty() {
                format!("Crosswatch incident {}.", self.incident.name)
            } else {
                self.incident.summary.clone()
            }),
        );
        object.insert("report_types".into(), json!(["campaign"]));
        object.insert("published".into(), json!(self.modified));
        object.insert("object_refs".into(), json!(refs));
        self.emit(object);
    }
}

/// The Crosswatch extension properties of an indicator: what the pattern
/// cannot say.
fn indicator_properties(indicator: &Indicator) -> Map<String, Value> {
    let mut properties = Map::new();
    properties.insert("kind".into(), json!(indicator.kind));
    if indicator.kind == IndicatorKind::SocialAccount {
        properties.insert("value".into(), json!(indicator.value));
    }
    if let Some(platform) = &indicator.platform {
        properties.insert("platform".into(), json!(platform));
    }
    if let Some(handle) = &indicator.handle {
        properties.insert("handle".into(), json!(handle));
    }
    if let Some(kind) = indicator.account_kind {
        properties.insert("account_kind".into(), json!(kind));
    }
    if let Some(algorithm) = indicator.hash_algorithm
        && indicator.kind != IndicatorKind::Hash
    {
        properties.insert("hash_algorithm".into(), json!(algorithm));
    }
    if let Some(quantity) = indicator.quantity {
        properties.insert("quantity".into(), json!(quantity));
    }
    if let Some(currency) = &indicator.currency {
        properties.insert("currency".into(), json!(currency));
    }
    if let Some(note) = &indicator.note {
        properties.insert("note".into(), json!(note));
    }
    if !indicator.techniques.is_empty() {
        properties.insert("techniques".into(), json!(indicator.techniques));
    }
    properties
}

/// The STIX pattern and indicator type for an indicator, or `None` for kinds
/// that have no STIX Cyber-observable (text, outlets, quantities).
pub fn stix_pattern(indicator: &Indicator) -> Option<(String, &'static str)> {
    let value = indicator.value.as_str();
    let pattern = match indicator.kind {
        IndicatorKind::Domain => pattern::equalities(&[("domain-name:value", value)]),
        IndicatorKind::Url => pattern::equalities(&[("url:value", value)]),
        IndicatorKind::Ip if value.contains(':') => {
            pattern::equalities(&[("ipv6-addr:value", value)])
        }
        IndicatorKind::Ip => pattern::equalities(&[("ipv4-addr:value", value)]),
        IndicatorKind::Email => pattern::equalities(&[("email-addr:value", value)]),
        IndicatorKind::Hash => {
            let path = hash_path(indicator.hash_algorithm?);
            pattern::equalities(&[(&path, value)])
        }
        IndicatorKind::SocialAccount => {
            let handle = indicator.handle.as_deref()?;
            let platform = indicator.platform.as_ref()?;
            return Some((
                pattern::equalities(&[
                    ("user-account:account_login", handle),
                    ("user-account:account_type", platform.as_str()),
                ]),
                "attribution",
            ));
        }
        IndicatorKind::Text
        | IndicatorKind::Outlet
        | IndicatorKind::AdSpend
        | IndicatorKind::Followers => return None,
    };
    Some((pattern, "malicious-activity"))
}

/// `file:hashes.MD5`, `file:hashes.'SHA-256'`, `file:hashes.PDQ`.
fn hash_path(algorithm: HashAlgorithm) -> String {
    let name = algorithm.stix_name();
    if name.contains('-') {
        format!("file:hashes.'{name}'")
    } else {
        format!("file:hashes.{name}")
    }
}
