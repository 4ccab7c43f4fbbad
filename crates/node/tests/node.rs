//! Sync against a canned TAXII hub, matching runs with the flood guard and
//! malformed input, and review → action provenance → feedback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crosswatch_model::{AssetKind, Decision, Incident, Indicator, Tlp};
use crosswatch_node::engine::EngineConfig;
use crosswatch_node::run::{FloodGuard, RunSummary, load_engine, match_items};
use crosswatch_node::store::{AcceptRequest, HitStatus, NodeStore};
use crosswatch_node::sync::{HubClient, sync_hub};
use crosswatch_stix::{ExportOptions, export_incident, to_json_pretty};
use serde_json::{Value, json};
use time::OffsetDateTime;

const COLLECTION: &str = "col-1";

#[derive(Default)]
struct Canned {
    /// (date added, object), in the order added.
    objects: Vec<(String, Value)>,
    /// Change-feed entries; `None` means the hub has no feed.
    feed: Option<Vec<Value>>,
    garbage: bool,
    feedback: Vec<Value>,
    requests: Vec<String>,
}

type Shared = Arc<Mutex<Canned>>;

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

fn decode(text: &str) -> String {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn respond(state: &Shared, method: &str, target: &str, body: &str) -> (u16, String, Vec<String>) {
    let mut state = state.lock().unwrap();
    state.requests.push(format!("{method} {target}"));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    match (method, path) {
        ("GET", "/taxii2/") => (200, json!({"title": "canned", "default": "/api1/", "api_roots": ["/api1/"]}).to_string(), vec![]),
        ("GET", "/api1/collections/") => (
            200,
            json!({"collections": [{"id": COLLECTION, "title": "Group: Moldova Elections", "can_read": true, "can_write": false}]}).to_string(),
            vec![],
        ),
        ("GET", p) if p == format!("/api1/collections/{COLLECTION}/objects/") => {
            if state.garbage {
                return (200, "<html>502 upstream</html>".into(), vec![]);
            }
            let after = query_param(query, "added_after").map(decode);
            let offset: usize = query_param(query, "next").map_or(0, |n| n.parse().unwrap());
            let visible: Vec<&(String, Value)> = state
                .objects
                .iter()
                .filter(|(added, _)| after.as_ref().is_none_or(|a| added > a))
                .collect();
            // Pages of two, to exercise `next`.
            let page: Vec<&(String, Value)> = visible.iter().skip(offset).take(2).copied().collect();
            let more = offset + page.len() < visible.len();
            let mut envelope = json!({"more": more, "objects": page.iter().map(|(_, o)| o.clone()).collect::<Vec<_>>()});
            if more {
                envelope["next"] = json!((offset + page.len()).to_string());
            }
            let headers = page
                .last()
                .map(|(added, _)| vec![format!("X-TAXII-Date-Added-Last: {added}")])
                .unwrap_or_default();
            (200, envelope.to_string(), headers)
        }
        ("GET", "/api/feed") => match &state.feed {
            None => (404, "{}".into(), vec![]),
            Some(feed) => {
                let after: i64 = query_param(query, "after").map_or(0, |a| a.parse().unwrap());
                let changes: Vec<&Value> = feed.iter().filter(|c| c["seq"].as_i64().unwrap() > after).collect();
                (200, json!({"changes": changes}).to_string(), vec![])
            }
        },
        // A hub without the native API has neither the feed nor feedback.
        ("POST", "/api/feedback") if state.feed.is_none() => (404, "{}".into(), vec![]),
        ("POST", "/api/feedback") => {
            state.feedback.push(serde_json::from_str(body).unwrap());
            (201, json!({"status": "recorded"}).to_string(), vec![])
        }
        _ => (404, "{}".into(), vec![]),
    }
}

/// Starts a canned hub on 127.0.0.1; returns its base URL.
fn serve(state: Shared) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut length = 0usize;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = header.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let mut parts = request_line.split_whitespace();
            let method = parts.next().unwrap_or("").to_string();
            let target = parts.next().unwrap_or("").to_string();
            let (status, body, headers) =
                respond(&state, &method, &target, &String::from_utf8_lossy(&body));
            let mut response = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/taxii+json;version=2.1\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for header in headers {
                response.push_str(&header);
                response.push_str("\r\n");
            }
            response.push_str("\r\n");
            response.push_str(&body);
            let _ = stream.write_all(response.as_bytes());
        }
    });
    format!("http://{address}")
}

fn incident() -> Incident {
    let now = OffsetDateTime::from_unix_timestamp(1_760_000_000).unwrap();
    let mut incident = Incident::new("Moldova-based CIB network", Tlp::Green, now);
    incident.source_org = Some("Org A".into());
    incident.add_indicator(Indicator::from_observable("https://t.me/insider_md").unwrap());
    incident.add_indicator(Indicator::domain("evil-news.example").unwrap());
    incident
}

fn bundle_objects(incident: &Incident) -> Vec<Value> {
    let bundle: Value = serde_json::from_str(&to_json_pretty(&export_incident(
        incident,
        &ExportOptions::default(),
    )))
    .unwrap();
    bundle["objects"].as_array().unwrap().clone()
}

fn object_of<'a>(objects: &'a [Value], kind: &str, contains: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["type"] == kind && o.to_string().contains(contains))
        .unwrap_or_else(|| panic!("no {kind} containing {contains}"))
}

fn hub_with(incident: &Incident, feed: bool) -> (Shared, String) {
    let state: Shared = Arc::default();
    {
        let mut s = state.lock().unwrap();
        s.objects = bundle_objects(incident)
            .into_iter()
            .enumerate()
            .map(|(i, o)| (format!("2026-01-01T00:00:{i:02}.000Z"), o))
            .collect();
        s.feed = feed.then(Vec::new);
    }
    let url = serve(state.clone());
    (state, url)
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn client(url: &str) -> HubClient {
    HubClient::new(url, "token-b", Duration::from_secs(5))
}

fn run(store: &NodeStore, lines: &str, guard: FloodGuard) -> (RunSummary, Vec<Value>) {
    let loaded = load_engine(store, EngineConfig::default()).unwrap();
    let mut out = Vec::new();
    let summary = match_items(
        store,
        &loaded.engine,
        &loaded.quarantined,
        guard,
        lines.as_bytes(),
        &mut out,
        now(),
    )
    .unwrap();
    let hits = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (summary, hits)
}

/// The incident, a fake hub holding it (with a change feed when `feed`),
/// its URL, and an empty node store.
fn setup(feed: bool) -> (Incident, Shared, String, NodeStore) {
    let incident = incident();
    let (state, url) = hub_with(&incident, feed);
    (incident, state, url, NodeStore::open_in_memory().unwrap())
}

/// How many hits `lines` make under the default flood guard.
fn hits(store: &NodeStore, lines: &str) -> usize {
    run(store, lines, FloodGuard::default()).0.hits
}

/// Publishes `object` on the fake hub, after everything it holds.
fn publish(state: &Shared, object: Value) {
    state
        .lock()
        .unwrap()
        .objects
        .push(("2026-02-01T00:00:00.000Z".into(), object));
}

/// A new version (`modified` 2030) of the incident's indicator whose
/// text contains `contains`.
fn newer_indicator(incident: &Incident, contains: &str) -> Value {
    let mut object = object_of(&bundle_objects(incident), "indicator", contains).clone();
    object["modified"] = json!("2030-01-01T00:00:00.000Z");
    object
}

const POST: &str =
    r#"{"id":"post-1","account":"@someone","platform":"x","urls":["https://t.me/insider_md/55"]}"#;

#[test]
fn sync_pulls_all_pages_and_signals_match() {
    let (incident, state, url, mut store) = setup(true);
    let report = sync_hub(&mut store, &client(&url), None, now()).unwrap();
    let total = state.lock().unwrap().objects.len();
    assert_eq!(report.stats.created, total);
    assert_eq!(report.stats.active_signals, 2);
    assert!(report.has_feed);
    assert!(
        state
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|r| r.contains("/objects/"))
            .count()
            >= 2
    );
    let cursor = store.cursor(&url, COLLECTION).unwrap().unwrap();
    assert_eq!(cursor, state.lock().unwrap().objects.last().unwrap().0);

    let (summary, hits) = run(&store, POST, FloodGuard::default());
    assert_eq!((summary.items, summary.hits, summary.pending), (1, 1, 1));
    assert_eq!(hits[0]["matcher"], "account");
    assert_eq!(hits[0]["incident"], incident.id.to_string());

    // A second sync asks only for what was added after the cursor.
    let again = sync_hub(&mut store, &client(&url), Some(COLLECTION), now()).unwrap();
    assert_eq!(again.stats.created + again.stats.updated, 0);
    assert!(state.lock().unwrap().requests.last().is_some());
    assert!(
        state
            .lock()
            .unwrap()
            .requests
            .iter()
            .any(|r| r.contains("added_after=2026-01-01T00%3A00%3A"))
    );
}

#[test]
fn unreachable_hub_leaves_copy_and_cursor_unchanged() {
    let (_, _, url, mut store) = setup(false);
    sync_hub(&mut store, &client(&url), None, now()).unwrap();
    let before = (
        store.counts(&url).unwrap(),
        store.cursor(&url, COLLECTION).unwrap(),
    );

    // Nothing listens on a port that was bound and released.
    let dead = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let error = sync_hub(&mut store, &client(&dead), None, now()).unwrap_err();
    assert!(error.to_string().contains(&dead), "{error}");
    assert_eq!(
        (
            store.counts(&url).unwrap(),
            store.cursor(&url, COLLECTION).unwrap()
        ),
        before
    );
    assert_eq!(store.counts(&dead).unwrap(), (0, 0));
}

#[test]
fn garbage_response_leaves_copy_and_cursor_unchanged() {
    let (incident, state, url, mut store) = setup(false);
    sync_hub(&mut store, &client(&url), None, now()).unwrap();
    let before = (
        store.counts(&url).unwrap(),
        store.cursor(&url, COLLECTION).unwrap(),
    );
    {
        let mut s = state.lock().unwrap();
        // A revocation is waiting, but the hub answers with HTML.
        let mut revoked = newer_indicator(&incident, "insider_md");
        revoked["revoked"] = json!(true);
        s.objects.push(("2026-02-01T00:00:00.000Z".into(), revoked));
        s.garbage = true;
    }
    let error = sync_hub(&mut store, &client(&url), None, now()).unwrap_err();
    assert!(error.to_string().contains("not JSON"), "{error}");
    assert_eq!(
        (
            store.counts(&url).unwrap(),
            store.cursor(&url, COLLECTION).unwrap()
        ),
        before
    );
    let (summary, _) = run(&store, POST, FloodGuard::default());
    assert_eq!(
        summary.hits, 1,
        "the signal still matches: the revocation was not applied"
    );
}

#[test]
fn revocation_stops_matching_within_one_sync() {
    let (incident, state, url, mut store) = setup(false);
    sync_hub(&mut store, &client(&url), None, now()).unwrap();
    assert_eq!(hits(&store, POST), 1);

    let mut revoked = newer_indicator(&incident, "insider_md");
    revoked["revoked"] = json!(true);
    publish(&state, revoked);
    let report = sync_hub(&mut store, &client(&url), None, now()).unwrap();
    assert_eq!(report.stats.revoked, 1);
    assert_eq!(report.stats.active_signals, 1);
    assert_eq!(
        hits(
            &store,
            r#"{"id":"post-2","urls":["https://t.me/insider_md"]}"#
        ),
        0
    );
}

#[test]
fn older_version_does_not_replace_newer() {
    let (incident, state, url, mut store) = setup(false);
    sync_hub(&mut store, &client(&url), None, now()).unwrap();
    let mut stale = object_of(&bundle_objects(&incident), "indicator", "insider_md").clone();
    stale["revoked"] = json!(true);
    stale["modified"] = json!("2000-01-01T00:00:00.000Z");
    publish(&state, stale);
    let report = sync_hub(&mut store, &client(&url), None, now()).unwrap();
    assert_eq!(report.stats.ignored, 1);
    assert_eq!(report.stats.active_signals, 2);
}

#[test]
fn deletion_in_feed_stops_matching_within_one_sync() {
    let (incident, state, url, mut store) = setup(true);
    sync_hub(&mut store, &client(&url), None, now()).unwrap();
    assert_eq!(hits(&store, POST), 1);

    let indicator = object_of(&bundle_objects(&incident), "indicator", "insider_md").clone();
    state.lock().unwrap().feed = Some(vec![json!({
        "seq": 9, "kind": "delete", "id": indicator["id"], "version": indicator["modified"], "at": "2026-02-01T00:00:00Z", "object": null
    })]);
    let report = sync_hub(&mut store, &client(&url), None, now()).unwrap();
    assert_eq!(report.stats.deleted, 1);
    assert_eq!(
        hits(
            &store,
            r#"{"id":"post-3","urls":["https://t.me/insider_md"]}"#
        ),
        0
    );
    // The domain signal of the same incident still matches.
    assert_eq!(
        hits(
            &store,
            r#"{"id":"post-4","urls":["https://evil-news.example/x"]}"#
        ),
        1
    );
}

#[test]
fn expired_signal_stops_matching() {
    let (incident, state, url, mut store) = setup(false);
    let mut expired = newer_indicator(&incident, "evil-news");
    expired["valid_until"] = json!("2026-01-02T00:00:00.000Z");
    publish(&state, expired);
    let report = sync_hub(&mut store, &client(&url), None, now()).unwrap();
    assert_eq!(report.stats.active_signals, 1);
    assert_eq!(
        hits(
            &store,
            r#"{"id":"p","urls":["https://evil-news.example/x"]}"#
        ),
        0
    );
}

#[test]
fn a_signal_lapses_at_valid_until_even_when_nothing_new_arrives() {
    let (incident, state, url, mut store) = setup(false);
    let soon = now() + time::Duration::hours(1);
    let mut lapsing = newer_indicator(&incident, "evil-news");
    lapsing["valid_until"] = json!(
        soon.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    );
    publish(&state, lapsing);
    let post = r#"{"id":"p","urls":["https://evil-news.example/x"]}"#;
    let first = sync_hub(&mut store, &client(&url), None, now()).unwrap();
    assert_eq!(hits(&store, post), 1);
    // A quiet sync before the end changes nothing…
    let quiet = sync_hub(&mut store, &client(&url), None, now()).unwrap();
    assert_eq!(quiet.stats.created, 0);
    assert_eq!(quiet.stats.active_signals, first.stats.active_signals);
    // …one after it retires the signal though no object arrived.
    let later = sync_hub(
        &mut store,
        &client(&url),
        None,
        soon + time::Duration::minutes(1),
    )
    .unwrap();
    assert_eq!(later.stats.created + later.stats.updated, 0);
    assert_eq!(later.stats.active_signals, first.stats.active_signals - 1);
    assert_eq!(hits(&store, post), 0);
}

#[test]
fn flood_guard_quarantines_a_signal_until_released() {
    let (_, _, url, mut store) = setup(false);
    sync_hub(&mut store, &client(&url), None, now()).unwrap();
    let guard = FloodGuard {
        max_items_per_run: 3,
        max_items_per_hour: 100,
    };
    let lines: String = (0..6)
        .map(|i| format!("{{\"id\":\"flood-{i}\",\"urls\":[\"https://evil-news.example/{i}\"]}}\n"))
        .collect::<String>()
        + POST;
    let (summary, hits) = run(&store, &lines, guard);
    assert_eq!(summary.hits, 7);
    assert_eq!(summary.quarantined_signals.len(), 1);
    assert_eq!(summary.quarantined_hits, 6);
    assert_eq!(
        summary.pending, 1,
        "only the unrelated account hit stays pending"
    );
    assert_eq!(
        hits.iter().filter(|h| h["status"] == "quarantined").count(),
        3
    );
    assert_eq!(store.hits(Some(HitStatus::Pending)).unwrap().len(), 1);
    assert_eq!(store.hits(Some(HitStatus::Quarantined)).unwrap().len(), 6);

    // Still quarantined in the next run.
    let (next, _) = run(
        &store,
        r#"{"id":"later","urls":["https://evil-news.example/z"]}"#,
        guard,
    );
    assert_eq!((next.pending, next.quarantined_hits), (0, 1));

    let (signal_id, _, _) = store.quarantined_signals().unwrap()[0].clone();
    store.release_signal(&signal_id.to_string()).unwrap();
    let (released, _) = run(
        &store,
        r#"{"id":"after-release","urls":["https://evil-news.example/q"]}"#,
        guard,
    );
    assert_eq!(released.pending, 1);
}

#[test]
fn hourly_flood_limit_counts_earlier_runs() {
    let (_, _, url, mut store) = setup(false);
    sync_hub(&mut store, &client(&url), None, now()).unwrap();
    let guard = FloodGuard {
        max_items_per_run: 100,
        max_items_per_hour: 3,
    };
    let batch = |from: usize| -> String {
        (from..from + 2)
            .map(|i| format!("{{\"id\":\"h-{i}\",\"urls\":[\"https://evil-news.example/{i}\"]}}\n"))
            .collect()
    };
    assert!(
        run(&store, &batch(0), guard)
            .0
            .quarantined_signals
            .is_empty()
    );
    assert_eq!(run(&store, &batch(2), guard).0.quarantined_signals.len(), 1);
}

#[test]
fn malformed_lines_are_reported_and_skipped() {
    let store = NodeStore::open_in_memory().unwrap();
    let input = "{\"id\":\"ok-1\"}\nnot json\n\n{\"urls\":[]}\n{\"id\":\"\"}\n\u{0}\u{1}\n{\"id\":\"ok-2\",\"urls\":\"x\"}\n{\"id\":\"ok-3\"}\n";
    let (summary, _) = run(&store, input, FloodGuard::default());
    assert_eq!(summary.items, 2);
    let lines: Vec<usize> = summary.malformed.iter().map(|m| m.line).collect();
    assert_eq!(lines, vec![2, 4, 5, 6, 7]);
    assert!(summary.malformed[1].message.contains("id"));
}

fn accept_request() -> AcceptRequest {
    AcceptRequest {
        platform: "Platform B".into(),
        kind: AssetKind::Channel,
        count: Some(3),
        decision: Decision::AccountTerminated,
        member_states: vec!["FR".parse().unwrap(), "DE".parse().unwrap()],
        reviewer: "reviewer-1".into(),
        facts: "Linked the shared Telegram channel".into(),
        anonymous: false,
        now: now(),
    }
}

#[test]
fn accepted_hit_becomes_action_with_provenance_and_feedback_is_delivered() {
    let (incident, state, url, mut store) = setup(true);
    sync_hub(&mut store, &client(&url), None, now()).unwrap();
    run(&store, POST, FloodGuard::default());
    let pending = store.hits(Some(HitStatus::Pending)).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        pending[0].incident_name.as_deref(),
        Some("Moldova-based CIB network")
    );

    let actions = store.accept(&[pending[0].id], &accept_request()).unwrap();
    assert_eq!(actions.len(), 1);
    let action = &actions[0];
    let provenance = action.prompted_by.as_ref().unwrap();
    assert_eq!(provenance.incident_id, incident.id);
    assert_eq!(provenance.hub, url);
    assert_eq!(
        provenance.sharing_group.as_deref(),
        Some("Moldova Elections")
    );
    assert_eq!(provenance.source_org.as_deref(), Some("Org A"));
    let indicator_id = object_of(&bundle_objects(&incident), "indicator", "insider_md")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(provenance.signal_ids, vec![indicator_id.clone()]);
    assert_eq!(action.item_ids, vec!["post-1".to_string()]);
    assert_eq!(store.actions().unwrap(), actions);
    assert!(
        store.accept(&[pending[0].id], &accept_request()).is_err(),
        "already accepted"
    );

    assert_eq!(store.outbox(&url).unwrap().len(), 1);
    let report = sync_hub(&mut store, &client(&url), None, now()).unwrap();
    assert_eq!(report.feedback_delivered, 1);
    assert!(store.outbox(&url).unwrap().is_empty());
    let feedback = state.lock().unwrap().feedback.clone();
    assert_eq!(feedback.len(), 1);
    assert_eq!(feedback[0]["object_id"], indicator_id);
    assert_eq!(feedback[0]["kind"], "actioned");
    assert_eq!(feedback[0]["count"], 3);
    assert_eq!(feedback[0]["platform"], "Platform B");
}

#[test]
fn rejected_hit_queues_false_positive_and_unknown_ids_fail() {
    let (_, _, url, mut store) = setup(false);
    sync_hub(&mut store, &client(&url), None, now()).unwrap();
    run(&store, POST, FloodGuard::default());
    let id = store.hits(Some(HitStatus::Pending)).unwrap()[0].id;
    assert!(
        store
            .reject(&[id + 100], "false-positive", "r", false, now())
            .is_err()
    );
    assert_eq!(
        store
            .reject(&[id], "false-positive", "r", false, now())
            .unwrap(),
        1
    );
    assert_eq!(store.hits(Some(HitStatus::Rejected)).unwrap().len(), 1);
    let outbox = store.outbox(&url).unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].body["kind"], "false-positive");
    // This hub has no feedback endpoint: the message stays queued.
    let report = sync_hub(&mut store, &client(&url), None, now()).unwrap();
    assert_eq!(report.feedback_pending, 1);
    assert_eq!(store.outbox(&url).unwrap().len(), 1);
}

#[test]
fn rerunning_the_same_items_does_not_duplicate_queue_entries() {
    let (_, _, url, mut store) = setup(false);
    sync_hub(&mut store, &client(&url), None, now()).unwrap();
    run(&store, POST, FloodGuard::default());
    let (again, _) = run(&store, POST, FloodGuard::default());
    assert_eq!((again.hits, again.pending), (1, 0));
    assert_eq!(store.hits(None).unwrap().len(), 1);
}

fn image(brighten: u8) -> Vec<u8> {
    let mut rgb = Vec::new();
    for y in 0..64u32 {
        for x in 0..64u32 {
            let v = (((x * 7) ^ (y * 13)) % 256) as u8;
            rgb.extend_from_slice(&[
                v.saturating_add(brighten),
                (v / 2).saturating_add(brighten),
                (255 - v).saturating_add(brighten),
            ]);
        }
    }
    rgb
}

/// Org A shares an incident; B's node syncs, matches B's content (a link to
/// the shared channel, a look-alike of a protected outlet, a near-copy of a
/// shared image, a reworded narrative), a reviewer accepts, the action
/// carries the incident's id, and A's hub receives B's `actioned` feedback.
#[test]
fn end_to_end_share_match_review_feedback() {
    let (shared_hash, quality) = crosswatch_pdq::hash_rgb(64, 64, &image(0)).unwrap();
    assert!(quality >= 50);
    let (copy_hash, _) = crosswatch_pdq::hash_rgb(64, 64, &image(6)).unwrap();
    assert!(shared_hash.hamming_distance(&copy_hash) <= 31);

    let mut incident = incident();
    incident.add_indicator(
        Indicator::hash(crosswatch_model::HashAlgorithm::Pdq, &shared_hash.to_hex()).unwrap(),
    );
    incident.narratives.push(crosswatch_model::Narrative {
        text: "The election commission secretly printed forty thousand extra ballots in Chisinau \
               and foreign observers were paid to stay silent about it"
            .into(),
        language: Some("en".into()),
        targets: Vec::new(),
    });
    let (state, url) = hub_with(&incident, true);
    let mut store = NodeStore::open_in_memory().unwrap();
    let report = sync_hub(&mut store, &client(&url), None, now()).unwrap();
    assert_eq!(report.stats.active_signals, 4);

    let mut loaded = load_engine(&store, EngineConfig::default()).unwrap();
    loaded.engine.set_protected(
        crosswatch_matching::lookalike::LookalikeIndex::from_list("spiegel.de\n").unwrap(),
    );
    let items = [
        json!({"id": "b-1", "account": "@fan", "platform": "x", "urls": ["https://t.me/insider_md"]}),
        json!({"id": "b-2", "urls": ["https://spiegel.ltd/politik/wahl"]}),
        json!({"id": "b-3", "media": [{"pdq": copy_hash.to_hex(), "quality": quality}]}),
        json!({"id": "b-4", "text": "BREAKING!! The election commission secretly printed forty thousand extra \
               ballots in Chisinau, and foreign observers were paid to stay silent about it"}),
        json!({"id": "b-5", "text": "Lovely weather at the seaside today"}),
    ];
    let input: String = items.iter().map(|i| format!("{i}\n")).collect();
    let mut out = Vec::new();
    let summary = match_items(
        &store,
        &loaded.engine,
        &loaded.quarantined,
        FloodGuard::default(),
        input.as_bytes(),
        &mut out,
        now(),
    )
    .unwrap();
    assert_eq!(summary.items, 5);
    let hits: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_item: Vec<(&str, &str)> = hits
        .iter()
        .map(|h| (h["item"].as_str().unwrap(), h["matcher"].as_str().unwrap()))
        .collect();
    assert_eq!(
        by_item,
        vec![
            ("b-1", "account"),
            ("b-2", "lookalike"),
            ("b-3", "pdq"),
            ("b-4", "text")
        ]
    );

    let pending = store.hits(Some(HitStatus::Pending)).unwrap();
    let shared_hits: Vec<i64> = pending
        .iter()
        .filter(|h| h.signal.is_some())
        .map(|h| h.id)
        .collect();
    assert_eq!(shared_hits.len(), 3);
    let actions = store.accept(&shared_hits, &accept_request()).unwrap();
    assert_eq!(actions.len(), 1, "all three signals belong to one incident");
    let provenance = actions[0].prompted_by.as_ref().unwrap();
    assert_eq!(provenance.incident_id, incident.id);
    assert_eq!(provenance.signal_ids.len(), 3);

    sync_hub(&mut store, &client(&url), None, now()).unwrap();
    let feedback = state.lock().unwrap().feedback.clone();
    assert_eq!(feedback.len(), 3);
    assert!(
        feedback
            .iter()
            .all(|f| f["kind"] == "actioned" && f["platform"] == "Platform B")
    );
    assert!(
        feedback
            .iter()
            .all(|f| f["member_states"] == json!(["FR", "DE"]))
    );
}

proptest::proptest! {
    #[test]
    fn item_reader_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
        let mut items = 0;
        let mut bad = 0;
        crosswatch_node::item::read_items(&bytes[..], |_, _| items += 1, |_| bad += 1).unwrap();
        proptest::prop_assert!(items + bad <= bytes.split(|b| *b == b'\n').count());
    }
}
