//! Turning a submitted body into STIX objects: Crosswatch incident JSON,
//! a STIX bundle, or any file format the importers read (Meta's CSV,
//! TSV and Markdown indicator files).

use crosswatch_import::{Format, read_incident_json};
use crosswatch_model::{Incident, Tlp};
use crosswatch_stix::{ExportOptions, export_incidents};
use serde_json::Value;

/// What a body held, ready to store.
#[derive(Debug)]
pub struct Submission {
    /// `crosswatch-json`, `stix` or an importer format name.
    pub format: &'static str,
    /// The incidents read (empty for a STIX bundle, which is stored as sent).
    pub incidents: Vec<Incident>,
    /// The STIX objects to store.
    pub objects: Vec<Value>,
    /// Importer notes worth showing the sender.
    pub warnings: Vec<String>,
}

/// How to read a body.
#[derive(Debug, Clone, Default)]
pub struct SubmitOptions {
    /// Force an importer format instead of detecting it.
    pub format: Option<Format>,
    /// Marking for incidents read from files that carry none (Meta's
    /// files are public, so their importers mark CLEAR); overrides it.
    pub tlp: Option<Tlp>,
    /// The sending organisation, recorded as the incident's source when
    /// the body names none.
    pub source_org: String,
    /// The submitted file's name: Meta's importers read the period, places
    /// and network name from it.
    pub filename: Option<String>,
}

/// Decodes `body`. Errors are messages for a 400 response.
pub fn decode(body: &[u8], options: &SubmitOptions) -> Result<Submission, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(
            "the body is empty: send an incident as JSON, a STIX bundle or an indicator file"
                .into(),
        );
    }
    if options.format.is_none()
        && let Some(incidents) = read_incident_json(body)
    {
        let incidents =
            incidents.map_err(|e| format!("not valid Crosswatch incident JSON: {e}"))?;
        return from_incidents("crosswatch-json", incidents, Vec::new(), options);
    }
    let format = options
        .format
        .or_else(|| crosswatch_import::detect_format(body));
    if format == Some(Format::Stix) {
        let bundle: Value =
            serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
        let objects = bundle
            .get("objects")
            .and_then(Value::as_array)
            .cloned()
            .ok_or("the STIX bundle has no `objects` array")?;
        return Ok(Submission {
            format: "stix",
            incidents: Vec::new(),
            objects,
            warnings: Vec::new(),
        });
    }
    if format.is_none() && serde_json::from_slice::<Value>(body).is_ok() {
        return Err(
            "JSON body is neither a Crosswatch incident (needs `id`, `name` and `tlp`) nor a \
             STIX bundle (`\"type\": \"bundle\"`)"
                .into(),
        );
    }
    let source_name = options.filename.as_deref().unwrap_or("submission");
    let imported =
        crosswatch_import::import(source_name, body, format, time::OffsetDateTime::now_utc())
            .map_err(|e| e.to_string())?;
    if imported.incidents.is_empty() {
        return Err(format!(
            "the {} file holds no incident to share",
            imported.format
        ));
    }
    let warnings = imported.warnings.iter().map(ToString::to_string).collect();
    from_incidents(
        imported.format.name(),
        imported.incidents,
        warnings,
        options,
    )
}

fn from_incidents(
    format: &'static str,
    mut incidents: Vec<Incident>,
    warnings: Vec<String>,
    options: &SubmitOptions,
) -> Result<Submission, String> {
    for incident in &mut incidents {
        if let Some(tlp) = options.tlp {
            incident.tlp = tlp;
        }
        if incident.source_org.is_none() {
            incident.source_org = Some(options.source_org.clone());
        }
        incident
            .validate()
            .map_err(|e| format!("incident `{}`: {e}", incident.name))?;
    }
    let objects = export_incidents(&incidents, &ExportOptions::default())
        .objects
        .into_iter()
        .map(|o| o.into_value())
        .collect();
    Ok(Submission {
        format,
        incidents,
        objects,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> SubmitOptions {
        SubmitOptions {
            source_org: "Example Platform".into(),
            ..SubmitOptions::default()
        }
    }

    #[test]
    fn reads_meta_csv_and_marks_it() {
        let csv = "Tactic,Technique,Procedure,Indicator\n\
0. Acquiring assets,0.9 Acquiring social media accounts,0.9.1 Acquiring Facebook assets,7 accounts\n\
0. Acquiring assets,0.9 Acquiring social media accounts,0.9.5 Acquiring Telegram assets,https://t.me/example_channel\n\
5. Establishing legitimacy,5.2 Creating fictitious news outlets,5.2.1 Fictitious news websites,https://moldova-news-example[.]md/\n";
        let mut opts = options();
        opts.tlp = Some(Tlp::Amber);
        let submission = decode(csv.as_bytes(), &opts).unwrap();
        assert_eq!(submission.format, "meta-csv");
        assert_eq!(submission.incidents.len(), 1);
        assert_eq!(submission.incidents[0].tlp, Tlp::Amber);
        assert_eq!(submission.incidents[0].name, "Submission");
        opts.filename = Some("Q3_2024_MOLDOVA_BASED_CIB_NETWORK.csv".into());
        let named = decode(csv.as_bytes(), &opts).unwrap();
        assert_eq!(
            named.incidents[0].name,
            "Moldova-based CIB network (Q3 2024)"
        );
        // The importer names the report's publisher; it is kept.
        assert_eq!(submission.incidents[0].source_org.as_deref(), Some("Meta"));
        assert!(submission.objects.iter().any(|o| o["type"] == "campaign"));
    }

    #[test]
    fn round_trips_crosswatch_json() {
        let incident = Incident::new("Test", Tlp::Green, time::OffsetDateTime::UNIX_EPOCH);
        let body = serde_json::to_vec(&incident).unwrap();
        let submission = decode(&body, &options()).unwrap();
        assert_eq!(submission.format, "crosswatch-json");
        assert_eq!(submission.incidents[0].id, incident.id);
        assert_eq!(
            submission.incidents[0].source_org.as_deref(),
            Some("Example Platform")
        );
    }

    #[test]
    fn keeps_stix_bundles_as_sent() {
        let body = br#"{"type": "bundle", "id": "bundle--1", "objects": [{"type": "x-thing", "id": "x-thing--1"}]}"#;
        let submission = decode(body, &options()).unwrap();
        assert_eq!(submission.format, "stix");
        assert_eq!(submission.objects[0]["type"], "x-thing");
    }

    #[test]
    fn explains_what_it_cannot_read() {
        assert!(decode(b"  ", &options()).unwrap_err().contains("empty"));
        assert!(
            decode(br#"{"name": 1}"#, &options())
                .unwrap_err()
                .contains("neither")
        );
        assert!(decode(b"hello,world\n1,2\n", &options()).is_err());
        let bad_incident = br#"{"id": "nope", "name": "x", "tlp": "green"}"#;
        assert!(
            decode(bad_incident, &options())
                .unwrap_err()
                .contains("Crosswatch incident JSON")
        );
    }
}
