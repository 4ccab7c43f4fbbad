//! Matching engine: one test per matcher, incremental add/remove, and a
//! property test of exact matches against a naive scan.

use crosswatch_matching::lookalike::LookalikeIndex;
use crosswatch_model::{HashAlgorithm, Indicator};
use crosswatch_node::engine::{Engine, EngineConfig, Hit, Matcher, Signal};
use crosswatch_node::item::ContentItem;
use crosswatch_pdq::PdqHash;
use proptest::prelude::*;
use uuid::Uuid;

fn signal(id: i64, indicator: Indicator) -> Signal {
    Signal {
        id,
        stix_id: format!("indicator--00000000-0000-4000-8000-{id:012}"),
        incident_id: Some(Uuid::from_u128(7)),
        indicator,
    }
}

fn item(json: &str) -> ContentItem {
    serde_json::from_str(json).unwrap()
}

fn hits(engine: &Engine, item: &ContentItem) -> Vec<Hit> {
    let mut out = Vec::new();
    engine.match_item(item, &mut |hit| out.push(hit));
    out
}

fn matched(engine: &Engine, json: &str) -> Vec<(Option<i64>, Matcher)> {
    hits(engine, &item(json))
        .into_iter()
        .map(|h| (h.signal_id, h.matcher))
        .collect()
}

fn engine_with(signals: Vec<Signal>) -> Engine {
    let mut engine = Engine::new(EngineConfig::default()).unwrap();
    for s in signals {
        assert!(engine.add(s).unwrap());
    }
    engine
}

#[test]
fn exact_url_matches_canonical_form_and_stops_after_removal() {
    let mut engine = engine_with(vec![signal(
        1,
        Indicator::url("https://news-example.org/story/42").unwrap(),
    )]);
    let post = r#"{"id":"p1","urls":["hxxps://www.news-example[.]org/story/42?utm_source=x"]}"#;
    assert_eq!(matched(&engine, post), vec![(Some(1), Matcher::Url)]);
    assert!(
        matched(
            &engine,
            r#"{"id":"p2","urls":["https://news-example.org/other"]}"#
        )
        .is_empty()
    );
    assert!(engine.remove(1));
    assert!(matched(&engine, post).is_empty());
}

#[test]
fn domain_matches_subdomains_but_not_lookalike_suffixes() {
    let mut engine = engine_with(vec![signal(2, Indicator::domain("bild.pics").unwrap())]);
    assert_eq!(
        matched(
            &engine,
            r#"{"id":"p","urls":["https://cdn.bild.pics/a.jpg"]}"#
        ),
        vec![(Some(2), Matcher::Domain)]
    );
    assert!(matched(&engine, r#"{"id":"p","urls":["https://notbild.pics/"]}"#).is_empty());
    engine.remove(2);
    assert!(matched(&engine, r#"{"id":"p","urls":["https://bild.pics/"]}"#).is_empty());
}

#[test]
fn account_matches_author_and_linked_profile() {
    let account = Indicator::from_observable("https://t.me/insider_md").unwrap();
    let mut engine = engine_with(vec![signal(3, account)]);
    assert_eq!(
        matched(
            &engine,
            r#"{"id":"p","account":"@Insider_MD","platform":"telegram"}"#
        ),
        vec![(Some(3), Matcher::Account)]
    );
    assert_eq!(
        matched(&engine, r#"{"id":"p","urls":["t[.]me/insider_md/991"]}"#),
        vec![(Some(3), Matcher::Account)]
    );
    assert!(
        matched(
            &engine,
            r#"{"id":"p","account":"insider_md","platform":"x"}"#
        )
        .is_empty()
    );
    engine.remove(3);
    assert!(matched(&engine, r#"{"id":"p","urls":["https://t.me/insider_md"]}"#).is_empty());
}

#[test]
fn ip_in_cidr_matches() {
    let mut engine = engine_with(vec![signal(4, Indicator::ip("192.0.2.0/24").unwrap())]);
    assert_eq!(
        matched(&engine, r#"{"id":"p","ips":["192.0.2.77"]}"#),
        vec![(Some(4), Matcher::Ip)]
    );
    assert!(matched(&engine, r#"{"id":"p","ips":["192.0.3.1"]}"#).is_empty());
    engine.remove(4);
    assert!(matched(&engine, r#"{"id":"p","ips":["192.0.2.77"]}"#).is_empty());
}

#[test]
fn email_and_crypto_hashes_match() {
    let md5 = "d41d8cd98f00b204e9800998ecf8427e";
    let sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let mut engine = engine_with(vec![
        signal(5, Indicator::email("press@fake-outlet.org").unwrap()),
        signal(6, Indicator::hash(HashAlgorithm::Md5, md5).unwrap()),
        signal(7, Indicator::hash(HashAlgorithm::Sha256, sha).unwrap()),
    ]);
    assert_eq!(
        matched(&engine, r#"{"id":"p","emails":["Press@Fake-Outlet.org"]}"#),
        vec![(Some(5), Matcher::Email)]
    );
    let media = format!(
        r#"{{"id":"p","media":["{}",{{"sha256":"{sha}"}}]}}"#,
        md5.to_uppercase()
    );
    assert_eq!(
        matched(&engine, &media),
        vec![(Some(6), Matcher::Hash), (Some(7), Matcher::Hash)]
    );
    engine.remove(6);
    assert_eq!(matched(&engine, &media), vec![(Some(7), Matcher::Hash)]);
}

#[test]
fn lookalike_of_protected_outlet_is_flagged_without_a_signal() {
    let mut engine = engine_with(vec![]);
    engine.set_protected(LookalikeIndex::from_list("spiegel.de\n").unwrap());
    let found = hits(
        &engine,
        &item(r#"{"id":"p","urls":["https://spiegel.ltd/politik"]}"#),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].matcher, Matcher::Lookalike);
    assert_eq!(found[0].signal_id, None);
    assert_eq!(found[0].evidence["protected"], "spiegel.de");
    assert!(matched(&engine, r#"{"id":"p","urls":["https://www.spiegel.de/"]}"#).is_empty());
}

#[test]
fn new_lookalike_of_an_outlet_a_shared_clone_imitated_is_attributed_to_it() {
    // The shared incident lists a cloned site of spiegel.de; the operation
    // comes back on another look-alike of the same outlet.
    let mut engine = engine_with(vec![
        signal(1, Indicator::domain("spiegel.ltd").unwrap()),
        signal(2, Indicator::domain("unrelated-example.org").unwrap()),
    ]);
    engine.set_protected(LookalikeIndex::from_list("spiegel.de\nlemonde.fr\n").unwrap());
    let found = hits(
        &engine,
        &item(r#"{"id":"p","urls":["https://spiegel.pm/politik/artikel"]}"#),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].matcher, Matcher::Lookalike);
    assert_eq!(found[0].signal_id, Some(1));
    assert_eq!(found[0].incident_id, Some(Uuid::from_u128(7)));
    assert_eq!(found[0].evidence["shared_clone_of"], "spiegel.de");
    assert_eq!(found[0].evidence["signal"], "spiegel.ltd");
    // The shared clone itself is an exact domain hit, not a second look-alike hit.
    assert_eq!(
        matched(&engine, r#"{"id":"q","urls":["https://spiegel.ltd/x"]}"#),
        vec![(Some(1), Matcher::Domain)]
    );
    // A look-alike of an outlet no shared signal imitated stays own detection.
    let own = hits(
        &engine,
        &item(r#"{"id":"r","urls":["https://lemonde.ltd/"]}"#),
    );
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].signal_id, None);
    // Withdrawing the shared clone withdraws the attribution.
    assert!(engine.remove(1));
    let after = hits(
        &engine,
        &item(r#"{"id":"p","urls":["https://spiegel.pm/politik/artikel"]}"#),
    );
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].signal_id, None);
}

fn flip_bits(hash: PdqHash, count: usize) -> PdqHash {
    let mut words = hash.to_words();
    for bit in 0..count {
        words[bit / 64] ^= 1 << (bit % 64);
    }
    PdqHash::from_words(words)
}

#[test]
fn pdq_matches_within_distance_and_quality() {
    let shared = PdqHash::from_words([0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210, 7, 99]);
    let mut engine = engine_with(vec![signal(
        8,
        Indicator::hash(HashAlgorithm::Pdq, &shared.to_hex()).unwrap(),
    )]);
    let near = flip_bits(shared, 31).to_hex();
    let far = flip_bits(shared, 32).to_hex();
    let found = hits(
        &engine,
        &item(&format!(
            r#"{{"id":"p","media":[{{"pdq":"{near}","quality":90}}]}}"#
        )),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].matcher, Matcher::Pdq);
    assert_eq!(found[0].evidence["distance"], 31);
    assert!(
        matched(
            &engine,
            &format!(r#"{{"id":"p","media":[{{"pdq":"{far}"}}]}}"#)
        )
        .is_empty()
    );
    // Below the quality floor the image is not matched.
    assert!(
        matched(
            &engine,
            &format!(r#"{{"id":"p","media":[{{"pdq":"{near}","quality":20}}]}}"#)
        )
        .is_empty()
    );
    engine.remove(8);
    assert!(
        matched(
            &engine,
            &format!(r#"{{"id":"p","media":[{{"pdq":"{near}"}}]}}"#)
        )
        .is_empty()
    );
}

#[test]
fn reworded_text_matches_and_unrelated_text_does_not() {
    let narrative = "The election commission secretly printed forty thousand extra ballots in Chisinau \
                     and foreign observers were paid to stay silent about it";
    let mut engine = engine_with(vec![signal(9, Indicator::text(narrative).unwrap())]);
    let reworded = "BREAKING: the election commission secretly printed forty thousand extra ballots in \
                    Chisinau, and foreign observers were paid to stay silent about it!!";
    let found = hits(
        &engine,
        &item(&serde_json::json!({"id": "p", "text": reworded}).to_string()),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].matcher, Matcher::Text);
    assert!(found[0].evidence["similarity"].as_f64().unwrap() >= 0.5);
    let unrelated = serde_json::json!({"id": "p", "text": "Photos from the harvest festival in our village this weekend"}).to_string();
    assert!(matched(&engine, &unrelated).is_empty());
    engine.remove(9);
    assert!(
        hits(
            &engine,
            &item(&serde_json::json!({"id": "p", "text": reworded}).to_string())
        )
        .is_empty()
    );
}

#[test]
fn one_signal_is_reported_once_per_item_and_readding_replaces() {
    let mut engine = engine_with(vec![signal(10, Indicator::domain("evil.example").unwrap())]);
    let post = r#"{"id":"p","urls":["https://evil.example/a","https://www.evil.example/b"]}"#;
    assert_eq!(matched(&engine, post), vec![(Some(10), Matcher::Domain)]);
    // Re-adding id 10 with another value drops the old one.
    engine
        .add(signal(10, Indicator::domain("other.example").unwrap()))
        .unwrap();
    assert!(matched(&engine, post).is_empty());
    assert_eq!(engine.len(), 1);
}

#[test]
fn quantities_are_not_matchable() {
    let mut engine = Engine::new(EngineConfig::default()).unwrap();
    let spend = Indicator::quantity(crosswatch_model::IndicatorKind::AdSpend, "$100", Some(100));
    assert!(!engine.add(signal(11, spend)).unwrap());
    assert!(engine.is_empty());
}

// Exact matchers against a naive scan: domains and IPv4 blocks.
fn naive_domain(signals: &[(i64, String)], host: &str) -> Vec<i64> {
    let mut out: Vec<i64> = signals
        .iter()
        .filter(|(_, d)| host == d || host.ends_with(&format!(".{d}")))
        .map(|(id, _)| *id)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn naive_ip(signals: &[(i64, [u8; 3])], ip: [u8; 4]) -> Vec<i64> {
    signals
        .iter()
        .filter(|(_, net)| net[..] == ip[..3])
        .map(|(id, _)| *id)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn exact_matches_equal_naive_scan(
        domains in proptest::collection::vec(("[a-c]{1,2}", "[a-c]{0,2}"), 0..8),
        nets in proptest::collection::vec((0u8..3, 0u8..3), 0..6),
        probe_label in "[a-c]{1,2}", probe_sub in "[a-c]{0,2}",
        probe_ip in (0u8..3, 0u8..3, any::<u8>()),
        remove in proptest::collection::vec(any::<bool>(), 14),
    ) {
        let mut engine = Engine::new(EngineConfig::default()).unwrap();
        let mut domain_signals = Vec::new();
        for (i, (label, sub)) in domains.iter().enumerate() {
            let domain = if sub.is_empty() { format!("{label}.com") } else { format!("{sub}.{label}.com") };
            let id = i as i64;
            engine.add(signal(id, Indicator::domain(&domain).unwrap())).unwrap();
            domain_signals.push((id, domain));
        }
        let mut ip_signals = Vec::new();
        for (i, (a, b)) in nets.iter().enumerate() {
            let id = 100 + i as i64;
            let net = [10, *a, *b];
            engine.add(signal(id, Indicator::ip(&format!("10.{a}.{b}.0/24")).unwrap())).unwrap();
            ip_signals.push((id, net));
        }
        // Remove some signals from both sides.
        domain_signals.retain(|(id, _)| !(remove.get(*id as usize).copied().unwrap_or(false) && engine.remove(*id)));
        ip_signals.retain(|(id, _)| !(remove.get(*id as usize - 100 + 8).copied().unwrap_or(false) && engine.remove(*id)));

        let host = if probe_sub.is_empty() { format!("{probe_label}.com") } else { format!("{probe_sub}.{probe_label}.com") };
        let ip = [10, probe_ip.0, probe_ip.1, probe_ip.2];
        let json = serde_json::json!({
            "id": "probe",
            "urls": [format!("https://{host}/x")],
            "ips": [format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])],
        }).to_string();
        let found = hits(&engine, &item(&json));
        let mut got_domains: Vec<i64> = found.iter().filter(|h| h.matcher == Matcher::Domain).filter_map(|h| h.signal_id).collect();
        got_domains.sort();
        let mut got_ips: Vec<i64> = found.iter().filter(|h| h.matcher == Matcher::Ip).filter_map(|h| h.signal_id).collect();
        got_ips.sort();
        prop_assert_eq!(got_domains, naive_domain(&domain_signals, &host));
        prop_assert_eq!(got_ips, naive_ip(&ip_signals, ip));
    }

    #[test]
    fn arbitrary_item_json_never_panics(text in ".{0,200}", urls in proptest::collection::vec(".{0,40}", 0..4)) {
        let engine = engine_with(vec![signal(1, Indicator::domain("evil.example").unwrap())]);
        let json = serde_json::json!({"id": "x", "text": text, "urls": urls, "ips": [text.clone()], "media": [text.clone()], "account": text, "platform": "x"}).to_string();
        let _ = hits(&engine, &item(&json));
    }
}
