//! Export and import throughput on a large generated incident set, for
//! `bench/stix/run.sh`. Writes the exported bundle to the given path so the
//! Python `stix2` anchor can parse the same bytes, and prints its timings as
//! one JSON line.
//!
//! Usage: stix_bench OUT.json [INCIDENTS] [REPETITIONS]

use std::time::Instant;

use crosswatch_model::platform::{AccountRef, AssetKind, Platform};
use crosswatch_model::{
    Attribution, HashAlgorithm, Incident, Indicator, IndicatorKind, Narrative, Taxonomy,
    TechniqueRef, ThreatActor, Tlp,
};
use crosswatch_stix::{ExportOptions, export_incidents, import_bundle};

fn incident(n: usize) -> Incident {
    let at = time::OffsetDateTime::from_unix_timestamp(1_700_000_000 + n as i64 * 3600)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let tlp = Tlp::ALL[n % Tlp::ALL.len()];
    let mut incident = Incident::with_id(
        uuid::Uuid::from_u128(n as u128 + 1),
        format!("Generated network {n}"),
        tlp,
        at,
    );
    incident.summary = format!("Generated incident number {n} for throughput measurement.");
    incident.first_seen = Some(at);
    incident.confidence = Some((n % 101) as u8);
    incident.source_org = Some(format!("Platform {}", n % 7));
    for code in ["FR", "DE", "MD", "RO"].iter().skip(n % 3) {
        if let Ok(country) = code.parse() {
            incident.add_target(country);
        }
    }
    if let Ok(country) = "RU".parse() {
        incident.add_origin(country);
    }
    incident.threat_actors.push(ThreatActor {
        name: format!("Actor {}", n % 13),
        aliases: vec![format!("Alias {n}")],
        attributions: vec![Attribution {
            to: format!("Sponsor {}", n % 5),
            confidence: Some(70),
            by: None,
        }],
    });
    for id in ["T0015.001", "T0097", "T0104.001"] {
        if let Ok(t) = TechniqueRef::new(Taxonomy::Disarm, id, None) {
            incident.add_technique(t);
        }
    }
    if let Ok(t) = TechniqueRef::new(
        Taxonomy::KillChain,
        "0.9.1",
        Some("Acquiring assets".into()),
    ) {
        incident.add_technique(t);
    }
    incident.add_assets(Platform::Facebook, AssetKind::Page, n as u64);
    for i in 0..10 {
        let candidates = [
            Indicator::domain(&format!("site{n}-{i}.example")),
            Indicator::url(&format!("https://news{n}.example/article/{i}?id='{i}'")),
            Indicator::ip(&format!("10.{}.{}.{i}", n % 256, i)),
            Indicator::hash(HashAlgorithm::Sha256, &format!("{:064x}", n * 100 + i)),
            Indicator::hash(HashAlgorithm::Md5, &format!("{:032x}", n * 100 + i)),
            Ok(Indicator::account(
                AccountRef::new(
                    Platform::Telegram,
                    &format!("channel_{n}_{i}"),
                    AssetKind::Channel,
                )
                .expect("valid handle"),
            )),
        ];
        for indicator in candidates.into_iter().flatten() {
            incident.add_indicator(indicator);
        }
    }
    if let Ok(text) = Indicator::text(&format!("Slogan number {n}")) {
        incident.add_indicator(text);
    }
    incident.add_indicator(Indicator::quantity(
        IndicatorKind::Followers,
        "about 1,000",
        Some(1000),
    ));
    incident.narratives.push(Narrative {
        text: format!("Narrative {n}"),
        language: Some("ro".into()),
        targets: Vec::new(),
    });
    incident.learnings.push(format!("Learning {n}"));
    incident
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "bench-bundle.json".into());
    let count: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(200);
    let repetitions: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(5);
    let incidents: Vec<Incident> = (0..count).map(incident).collect();
    let options = ExportOptions::default();

    let mut export_seconds = Vec::new();
    let mut json = String::new();
    let mut objects = 0;
    for _ in 0..repetitions {
        let start = Instant::now();
        let bundle = export_incidents(&incidents, &options);
        json = serde_json::to_string(&bundle).expect("serialise bundle");
        export_seconds.push(start.elapsed().as_secs_f64());
        objects = bundle.objects.len();
    }
    let mut import_seconds = Vec::new();
    for _ in 0..repetitions {
        let start = Instant::now();
        let imported = import_bundle(json.as_bytes()).expect("import own bundle");
        import_seconds.push(start.elapsed().as_secs_f64());
        assert_eq!(imported.incidents.len(), count);
    }
    std::fs::write(&out, &json).expect("write bundle");
    println!(
        "{{\"objects\": {objects}, \"bytes\": {}, \"export_median_s\": {}, \"import_median_s\": {}}}",
        json.len(),
        median(export_seconds),
        median(import_seconds)
    );
}
