//! An ATT&CK Navigator layer of the DISARM techniques seen in incidents, in
//! the layer format the DISARM community loads into its Navigator.

use std::collections::BTreeMap;

use crosswatch_model::{Incident, Taxonomy};
use serde_json::{Value, json};

/// Builds a layer scoring each DISARM technique by the number of incidents
/// it was seen in; the comment names those incidents.
pub fn navigator_layer(name: &str, incidents: &[Incident]) -> Value {
    let mut seen: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for incident in incidents {
        let mut ids: Vec<&str> = incident
            .techniques
            .iter()
            .chain(incident.indicators.iter().flat_map(|i| i.techniques.iter()))
            .filter(|t| t.taxonomy == Taxonomy::Disarm)
            .map(|t| t.id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            seen.entry(id.to_string())
                .or_default()
                .push(incident.name.as_str());
        }
    }
    let max = seen.values().map(Vec::len).max().unwrap_or(0).max(1);
    let techniques: Vec<Value> = seen
        .iter()
        .map(|(id, names)| {
            json!({
                "techniqueID": id,
                "score": names.len(),
                "color": "",
                "comment": format!("Seen in {} incident(s): {}", names.len(), names.join("; ")),
                "enabled": true,
                "metadata": [],
                "links": [],
                "showSubtechniques": false,
            })
        })
        .collect();
    json!({
        "name": name,
        "versions": { "attack": "1", "navigator": "4.9.1", "layer": "4.5" },
        "domain": "DISARM",
        "description": "DISARM techniques seen in Crosswatch incidents; score = number of incidents.",
        "filters": { "platforms": [] },
        "sorting": 3,
        "layout": { "layout": "side", "aggregateFunction": "average", "showID": true, "showName": true, "showAggregateScores": false, "countUnscored": false },
        "hideDisabled": false,
        "techniques": techniques,
        "gradient": { "colors": ["#ffffff", "#ff6666"], "minValue": 0, "maxValue": max },
        "legendItems": [],
        "metadata": [],
        "links": [],
        "showTacticRowBackground": false,
        "tacticRowBackground": "#dddddd",
        "selectTechniquesAcrossTactics": true,
        "selectSubtechniquesWithParent": false,
        "selectVisibleTechniques": false,
    })
}
