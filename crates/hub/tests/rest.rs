//! The native JSON API driven in-process, on SQLite and PostgreSQL:
//! submission in every format, search, bad input, audit, the OpenAPI
//! document and the live feed stream.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use crosswatch_model::{Incident, Indicator, Tlp};
use crosswatch_store::{Role, Store};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tower::ServiceExt;

crosswatch_store::both_backends!(
    submit_and_search_in_every_format,
    bad_submissions_change_nothing,
    audit_is_per_organisation_and_admin_only,
    feed_stream_is_live_resumable_and_stops,
);

/// A small kill-chain file in the shape of Meta's threat-report CSVs.
const META_CSV: &str = "Tactic,Technique,Procedure,Indicator\n\
0. Acquiring assets,0.9 Acquiring social media accounts,0.9.1 Acquiring Facebook assets,7 accounts\n\
0. Acquiring assets,0.9 Acquiring social media accounts,0.9.5 Acquiring Telegram assets,https://t.me/example_channel\n\
5. Establishing legitimacy,5.2 Creating fictitious news outlets,5.2.1 Fictitious news websites,https://moldova-news-example[.]md/\n";

fn private_incident() -> Incident {
    let mut incident = Incident::new("Private lead", Tlp::Amber, time::OffsetDateTime::UNIX_EPOCH);
    incident.add_indicator(Indicator::domain("private-lead.example").unwrap());
    incident.add_target("DE".parse().unwrap());
    incident
}

async fn submit(hub: &Hub, token: &str, query: &str, content_type: &str, body: &str) -> Response {
    hub.call(
        "POST",
        Some(token),
        &format!("/api/incidents{query}"),
        content_type,
        body.to_string(),
    )
    .await
}

async fn names(hub: &Hub, token: &str, path: &str) -> Vec<String> {
    let response = hub.call("GET", Some(token), path, "", Body::empty()).await;
    assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.body);
    response.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn submit_and_search_in_every_format(store: &Store) {
    let hub = Hub::new(store.clone(), 1 << 20);
    let alpha = hub.token("Alpha", Role::Analyst).await;
    let bravo = hub.token("Bravo", Role::Analyst).await;

    let csv = submit(&hub, &alpha, "?share=all&tlp=green", "text/csv", META_CSV).await;
    assert_eq!(csv.status, StatusCode::CREATED, "{}", csv.body);
    assert_eq!(csv.body["format"], "meta-csv");
    assert_eq!(csv.body["shared_to"], "All members");
    assert_eq!(csv.body["incidents"][0]["tlp"], "GREEN");
    assert!(csv.body["stored"].as_u64().unwrap() > 3);
    assert_eq!(csv.body["failure_count"], 0);

    let private = serde_json::to_string(&private_incident()).unwrap();
    let json = submit(&hub, &alpha, "", "application/json", &private).await;
    assert_eq!(json.status, StatusCode::CREATED, "{}", json.body);
    assert_eq!(json.body["format"], "crosswatch-json");
    assert_eq!(json.body["shared_to"], "Inbox: Alpha");

    // Re-sending the same bundle stores nothing new.
    let again = submit(&hub, &alpha, "", "application/json", &private).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body["stored"], 0);

    // Bravo finds the shared incident by an outlet's domain (defanged),
    // by its Telegram account, and by its indicator kind.
    let shared = names(
        &hub,
        &bravo,
        "/api/incidents?value=moldova-news-example%5B.%5Dmd",
    )
    .await;
    assert_eq!(shared.len(), 1, "{shared:?}");
    assert_eq!(
        names(&hub, &bravo, "/api/incidents?platform=telegram").await,
        shared
    );
    assert!(
        !names(&hub, &bravo, "/api/indicators?kind=url")
            .await
            .is_empty()
    );
    // …but not Alpha's private one, which Alpha finds.
    for path in [
        "/api/incidents?value=private-lead.example",
        "/api/incidents?country=DE",
        "/api/indicators?value=private-lead.example",
    ] {
        assert!(names(&hub, &bravo, path).await.is_empty(), "{path}");
        assert_eq!(names(&hub, &alpha, path).await.len(), 1, "{path}");
    }
    assert_eq!(
        names(&hub, &alpha, "/api/incidents?q=private%20LEAD").await,
        ["Private lead"]
    );

    // A STIX bundle is stored as sent, and paging follows `next`.
    let objects: Vec<Value> = (1..=5)
        .map(|n| indicator(n, "2024-01-01T00:00:00.000Z", Tlp::Green))
        .collect();
    let bundle = json!({"type": "bundle", "id": "bundle--6f0b8b0e-6d0c-4b8e-9a43-0b8d1b1f3c11", "objects": objects});
    let stix = submit(
        &hub,
        &alpha,
        "?share=all",
        "application/stix+json",
        &bundle.to_string(),
    )
    .await;
    assert_eq!(stix.status, StatusCode::CREATED, "{}", stix.body);
    assert_eq!(stix.body["stored"], 5);
    let mut seen = Vec::new();
    let mut path = "/api/indicators?kind=domain&limit=2".to_string();
    loop {
        let page = hub
            .call("GET", Some(&bravo), &path, "", Body::empty())
            .await;
        for object in page.body["objects"].as_array().unwrap() {
            seen.push(object["id"].as_str().unwrap().to_string());
        }
        match page.body["next"].as_i64() {
            Some(next) => path = format!("/api/indicators?kind=domain&limit=2&after={next}"),
            None => break,
        }
    }
    let mut expected: Vec<String> = (1..=5).map(id_of).collect();
    expected.sort();
    seen.sort();
    assert_eq!(seen, expected);

    let openapi = hub
        .call("GET", None, "/api/openapi.json", "", Body::empty())
        .await;
    assert_eq!(openapi.status, StatusCode::OK);
    assert_eq!(openapi.body["openapi"], "3.0.3");
}

async fn bad_submissions_change_nothing(store: &Store) {
    let hub = Hub::new(store.clone(), 4096);
    let alpha = hub.token("Alpha", Role::Analyst).await;
    let reader = hub.token("Alpha", Role::ReadOnly).await;
    let before = store.latest_seq().await.unwrap();
    let red = {
        let mut incident = private_incident();
        incident.tlp = Tlp::Red;
        serde_json::to_string(&incident).unwrap()
    };
    let cases: Vec<(Response, StatusCode, &str)> = vec![
        (
            submit(&hub, &alpha, "", "application/json", " ").await,
            StatusCode::BAD_REQUEST,
            "empty",
        ),
        (
            submit(&hub, &alpha, "", "application/json", "{\"name\": 1}").await,
            StatusCode::BAD_REQUEST,
            "neither",
        ),
        (
            submit(&hub, &alpha, "", "text/plain", "hello,world\n1,2\n").await,
            StatusCode::BAD_REQUEST,
            "format",
        ),
        (
            submit(&hub, &alpha, "?share=group:Nope", "text/csv", META_CSV).await,
            StatusCode::BAD_REQUEST,
            "group:NAME",
        ),
        (
            submit(&hub, &alpha, "?colour=red", "text/csv", META_CSV).await,
            StatusCode::BAD_REQUEST,
            "colour",
        ),
        (
            submit(&hub, &alpha, "?tlp=purple", "text/csv", META_CSV).await,
            StatusCode::BAD_REQUEST,
            "purple",
        ),
        (
            submit(&hub, &reader, "", "text/csv", META_CSV).await,
            StatusCode::FORBIDDEN,
            "read-only",
        ),
        (
            submit(&hub, "cwt_not_a_token", "", "text/csv", META_CSV).await,
            StatusCode::UNAUTHORIZED,
            "token",
        ),
        (
            submit(&hub, &alpha, "?share=all", "application/json", &red).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "TLP:RED",
        ),
        (
            submit(&hub, &alpha, "", "text/csv", &"x".repeat(8192)).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "",
        ),
        (
            hub.call(
                "GET",
                Some(&alpha),
                "/api/incidents?from=yesterday",
                "",
                Body::empty(),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "yesterday",
        ),
    ];
    for (n, (response, status, needle)) in cases.into_iter().enumerate() {
        assert_eq!(response.status, status, "case {n}: {}", response.body);
        assert!(
            response.body.to_string().contains(needle),
            "case {n}: {}",
            response.body
        );
    }
    assert_eq!(
        store.latest_seq().await.unwrap(),
        before,
        "a refused request changed data"
    );
}

async fn audit_is_per_organisation_and_admin_only(store: &Store) {
    let hub = Hub::new(store.clone(), 1 << 20);
    let alpha = hub.token("Alpha", Role::Analyst).await;
    let alpha_admin = hub.token("Alpha", Role::Admin).await;
    let bravo = hub.token("Bravo", Role::Analyst).await;
    let bravo_admin = hub.token("Bravo", Role::Admin).await;
    submit(&hub, &alpha, "?share=all", "text/csv", META_CSV).await;
    names(&hub, &bravo, "/api/incidents?platform=telegram").await;

    let denied = hub
        .call("GET", Some(&alpha), "/api/audit", "", Body::empty())
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let actions = |response: &Response| -> Vec<String> {
        response.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    };
    let alpha_trail = hub
        .call("GET", Some(&alpha_admin), "/api/audit", "", Body::empty())
        .await;
    let alpha_actions = actions(&alpha_trail);
    assert!(
        alpha_actions.iter().any(|a| a == "share"),
        "{alpha_actions:?}"
    );
    assert!(
        !alpha_actions.iter().any(|a| a == "search"),
        "{alpha_actions:?}"
    );
    let bravo_trail = hub
        .call("GET", Some(&bravo_admin), "/api/audit", "", Body::empty())
        .await;
    let bravo_actions = actions(&bravo_trail);
    assert!(
        bravo_actions.iter().any(|a| a == "search"),
        "{bravo_actions:?}"
    );
    assert!(
        !bravo_actions.iter().any(|a| a == "share"),
        "{bravo_actions:?}"
    );
    let next = bravo_trail.body["next"].as_i64().unwrap();
    let after = hub
        .call(
            "GET",
            Some(&bravo_admin),
            &format!("/api/audit?after={next}"),
            "",
            Body::empty(),
        )
        .await;
    assert!(actions(&after).is_empty());
}

/// Reads SSE frames until `count` events arrived, or panics after 3 s
/// (below the 5 s idle poll, so a pass proves the write woke the stream).
async fn read_events(
    stream: &mut (impl futures_util::Stream<Item = Result<axum::body::Bytes, axum::Error>> + Unpin),
    count: usize,
) -> Vec<(String, String, Value)> {
    let mut text = String::new();
    let mut events = Vec::new();
    while events.len() < count {
        let chunk = tokio::time::timeout(Duration::from_secs(3), stream.next())
            .await
            .expect("no event within 3 s")
            .expect("stream ended")
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let frame: String = text.drain(..end + 2).collect();
            let field = |name: &str| {
                frame
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}:")))
                    .map(|v| v.trim().to_string())
            };
            if let (Some(kind), Some(data)) = (field("event"), field("data")) {
                let id = field("id").unwrap_or_default();
                events.push((kind, id, serde_json::from_str(&data).unwrap()));
            }
        }
    }
    events
}

async fn feed_stream_is_live_resumable_and_stops(store: &Store) {
    let hub = Hub::new(store.clone(), 1 << 20);
    let alpha = hub.token("Alpha", Role::Analyst).await;
    let bravo = hub.token("Bravo", Role::Analyst).await;
    let all = hub.collection_id(&alpha, "All members").await.unwrap();
    let objects = format!("/api1/collections/{all}/objects/");
    hub.post(
        &alpha,
        &objects,
        &envelope(vec![indicator(1, "2024-01-01T00:00:00.000Z", Tlp::Green)]),
    )
    .await;
    // An object Bravo may not see never reaches its stream.
    submit(
        &hub,
        &alpha,
        "",
        "application/json",
        &serde_json::to_string(&private_incident()).unwrap(),
    )
    .await;

    let open = |after: Option<String>| {
        let mut request =
            Request::get("/api/feed/stream").header("Authorization", format!("Bearer {bravo}"));
        if let Some(after) = after {
            request = request.header("Last-Event-ID", after);
        }
        hub.app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
    };
    let response = open(None).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut stream = response.into_body().into_data_stream();
    let first = read_events(&mut stream, 1).await;
    assert_eq!(first[0].0, "create");
    assert_eq!(first[0].2["id"], id_of(1));

    hub.post(
        &alpha,
        &objects,
        &envelope(vec![indicator(2, "2024-01-01T00:00:00.000Z", Tlp::Green)]),
    )
    .await;
    let second = read_events(&mut stream, 1).await;
    assert_eq!(second[0].0, "create");
    assert_eq!(second[0].2["id"], id_of(2));
    hub.delete(&alpha, &format!("{objects}{}/", id_of(2))).await;
    let third = read_events(&mut stream, 1).await;
    assert_eq!(third[0].0, "delete");
    assert!(third[0].2["object"].is_null());

    // A reconnecting client resumes after its last event id.
    let resumed = open(Some(first[0].1.clone())).await.unwrap();
    let mut resumed = resumed.into_body().into_data_stream();
    let replay = read_events(&mut resumed, 2).await;
    assert_eq!(replay[0].2["id"], id_of(2));
    assert_eq!(replay[1].0, "delete");

    // Shutdown ends open streams, so graceful shutdown can finish.
    hub.state.stopping.send_replace(true);
    let ended = tokio::time::timeout(Duration::from_secs(3), async {
        while stream.next().await.is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the stream kept running after shutdown");
}
