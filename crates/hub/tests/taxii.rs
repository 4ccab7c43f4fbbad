//! The TAXII 2.1 server driven in-process, on SQLite and PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use common::*;
use crosswatch_model::Tlp;
use crosswatch_store::{Role, Store};
use serde_json::{Value, json};

crosswatch_store::both_backends!(
    authentication_and_media_types,
    group_sharing_paging_and_privacy,
    red_goes_to_named_inboxes_only,
    versions_manifest_and_delete,
    feed_feedback_health_and_metrics,
);

async fn authentication_and_media_types(store: &Store) {
    let hub = Hub::new(store.clone(), 1 << 20);
    let token = hub.token("Alpha", Role::Analyst).await;
    let anonymous = hub
        .send(Request::get("/taxii2/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.body["http_status"], "401");
    assert!(anonymous.headers.contains_key("www-authenticate"));
    assert_eq!(
        hub.get("cwt_bogus", "/taxii2/").await.status,
        StatusCode::UNAUTHORIZED
    );

    let discovery = hub.get(&token, "/taxii2/").await;
    assert_eq!(discovery.status, StatusCode::OK);
    assert_eq!(discovery.headers["content-type"], TAXII);
    assert_eq!(discovery.body["api_roots"][0], "/api1/");

    let basic = base64::engine::general_purpose::STANDARD.encode(format!("Alpha:{token}"));
    let with_basic = hub
        .send(
            Request::get("/api1/")
                .header("Authorization", format!("Basic {basic}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(with_basic.status, StatusCode::OK);
    assert_eq!(with_basic.body["versions"][0], TAXII);

    let html = hub
        .send(
            Request::get("/api1/collections/")
                .header("Authorization", format!("Bearer {token}"))
                .header("Accept", "text/html")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(html.status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(html.body["title"], "Not acceptable");

    let all = hub.collection_id(&token, "All members").await.unwrap();
    let wrong_type = hub
        .send(
            Request::post(format!("/api1/collections/{all}/objects/"))
                .header("Authorization", format!("Bearer {token}"))
                .header("Content-Type", "application/json")
                .body(Body::from(envelope(vec![]).to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = envelope(vec![json!({"padding": "x".repeat(2 << 20)})]);
    assert_eq!(
        hub.post(&token, &format!("/api1/collections/{all}/objects/"), &huge)
            .await
            .status,
        StatusCode::PAYLOAD_TOO_LARGE
    );

    let reader = hub.token("Alpha", Role::ReadOnly).await;
    let denied = hub
        .post(
            &reader,
            &format!("/api1/collections/{all}/objects/"),
            &envelope(vec![]),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

async fn group_sharing_paging_and_privacy(store: &Store) {
    let hub = Hub::new(store.clone(), 1 << 20);
    let alpha = hub.token("Alpha", Role::Analyst).await;
    let bravo = hub.token("Bravo", Role::Sync).await;
    let charlie = hub.token("Charlie", Role::Analyst).await;
    let a = store.org_by_name("Alpha").await.unwrap().unwrap();
    let b = store.org_by_name("Bravo").await.unwrap().unwrap();
    store
        .create_group("Elections 2026", &[a.id, b.id], None)
        .await
        .unwrap();

    let group = hub
        .collection_id(&alpha, "Group: Elections 2026")
        .await
        .unwrap();
    assert_eq!(
        hub.collection_id(&bravo, "Group: Elections 2026")
            .await
            .as_ref(),
        Some(&group)
    );
    assert_eq!(
        hub.collection_id(&charlie, "Group: Elections 2026").await,
        None
    );

    let objects: Vec<Value> = (0..7)
        .map(|n| indicator(n, "2024-01-01T00:00:00.000Z", Tlp::AmberStrict))
        .collect();
    let posted = hub
        .post(
            &alpha,
            &format!("/api1/collections/{group}/objects/"),
            &envelope(objects),
        )
        .await;
    assert_eq!(posted.status, StatusCode::ACCEPTED);
    assert_eq!(posted.body["success_count"], 7);
    assert_eq!(posted.body["status"], "complete");
    let status_id = posted.body["id"].as_str().unwrap();
    let status = hub.get(&alpha, &format!("/api1/status/{status_id}/")).await;
    assert_eq!(status.body["success_count"], 7);
    assert_eq!(
        hub.get(&bravo, &format!("/api1/status/{status_id}/"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Bravo pulls in pages of 3.
    let mut ids = Vec::new();
    let mut path = format!("/api1/collections/{group}/objects/?limit=3");
    let mut pages = 0;
    loop {
        let page = hub.get(&bravo, &path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.headers.contains_key("x-taxii-date-added-first"));
        assert!(page.headers.contains_key("x-taxii-date-added-last"));
        for object in page.body["objects"].as_array().unwrap() {
            ids.push(object["id"].as_str().unwrap().to_string());
        }
        pages += 1;
        if page.body["more"] == true {
            let next = page.body["next"].as_str().unwrap();
            path = format!("/api1/collections/{group}/objects/?limit=3&next={next}");
        } else {
            assert!(page.body.get("next").is_none());
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(ids, (0..7).map(id_of).collect::<Vec<_>>());

    // Charlie: the group does not exist for it, nor do its objects.
    let hidden = hub
        .get(&charlie, &format!("/api1/collections/{group}/objects/"))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let all = hub.collection_id(&charlie, "All members").await.unwrap();
    let by_id = hub
        .get(
            &charlie,
            &format!("/api1/collections/{all}/objects/{}/", id_of(0)),
        )
        .await;
    assert_eq!(by_id.status, StatusCode::NOT_FOUND);
    let everything = hub
        .get(&charlie, &format!("/api1/collections/{all}/objects/"))
        .await;
    assert_eq!(everything.body["objects"].as_array().unwrap().len(), 0);

    // AMBER+STRICT may not go to all members.
    let refused = hub
        .post(
            &alpha,
            &format!("/api1/collections/{all}/objects/"),
            &envelope(vec![indicator(
                50,
                "2024-01-01T00:00:00Z",
                Tlp::AmberStrict,
            )]),
        )
        .await;
    assert_eq!(refused.body["failure_count"], 1);
    assert!(
        refused.body["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("AMBER+STRICT")
    );

    // Filters.
    let filtered = hub
        .get(
            &bravo,
            &format!(
                "/api1/collections/{group}/objects/?match[id]={},{}",
                id_of(1),
                id_of(2)
            ),
        )
        .await;
    assert_eq!(filtered.body["objects"].as_array().unwrap().len(), 2);
    let by_type = hub
        .get(
            &bravo,
            &format!("/api1/collections/{group}/objects/?match[type]=malware"),
        )
        .await;
    assert_eq!(by_type.body["objects"].as_array().unwrap().len(), 0);
    let last = page_last_date(&hub, &bravo, &group).await;
    let after = hub
        .get(
            &bravo,
            &format!("/api1/collections/{group}/objects/?added_after={last}"),
        )
        .await;
    assert_eq!(after.body["objects"].as_array().unwrap().len(), 0);
    let bad = hub
        .get(
            &bravo,
            &format!("/api1/collections/{group}/objects/?limit=-1"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

async fn page_last_date(hub: &Hub, token: &str, group: &str) -> String {
    let page = hub
        .get(token, &format!("/api1/collections/{group}/objects/"))
        .await;
    page.headers["x-taxii-date-added-last"]
        .to_str()
        .unwrap()
        .to_string()
}

async fn red_goes_to_named_inboxes_only(store: &Store) {
    let hub = Hub::new(store.clone(), 1 << 20);
    let alpha = hub.token("Alpha", Role::Analyst).await;
    let bravo = hub.token("Bravo", Role::Analyst).await;
    let charlie = hub.token("Charlie", Role::Analyst).await;
    let a = store.org_by_name("Alpha").await.unwrap().unwrap();
    let b = store.org_by_name("Bravo").await.unwrap().unwrap();
    store.create_group("G", &[a.id, b.id], None).await.unwrap();
    let group = hub.collection_id(&alpha, "Group: G").await.unwrap();
    let red = indicator(1, "2024-01-01T00:00:00.000Z", Tlp::Red);
    let refused = hub
        .post(
            &alpha,
            &format!("/api1/collections/{group}/objects/"),
            &envelope(vec![red.clone()]),
        )
        .await;
    assert_eq!(refused.body["failure_count"], 1);
    assert!(
        refused.body["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("TLP:RED")
    );

    let charlie_inbox = hub.collection_id(&alpha, "Inbox: Charlie").await.unwrap();
    let sent = hub
        .post(
            &alpha,
            &format!("/api1/collections/{charlie_inbox}/objects/"),
            &envelope(vec![red]),
        )
        .await;
    assert_eq!(sent.body["success_count"], 1);
    // Alpha can post into Charlie's inbox but not read it.
    assert_eq!(
        hub.get(
            &alpha,
            &format!("/api1/collections/{charlie_inbox}/objects/")
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let received = hub
        .get(
            &charlie,
            &format!("/api1/collections/{charlie_inbox}/objects/"),
        )
        .await;
    assert_eq!(received.status, StatusCode::OK);
    assert_eq!(received.body["objects"][0]["id"], id_of(1));
    for reader in [&bravo] {
        let all = hub.collection_id(reader, "All members").await.unwrap();
        let page = hub
            .get(
                reader,
                &format!("/api1/collections/{all}/objects/{}/", id_of(1)),
            )
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        let feed = hub.get(reader, "/api/feed?after=0").await;
        assert_eq!(feed.body["changes"].as_array().unwrap().len(), 0);
    }
}

async fn versions_manifest_and_delete(store: &Store) {
    let hub = Hub::new(store.clone(), 1 << 20);
    let alpha = hub.token("Alpha", Role::Analyst).await;
    let bravo = hub.token("Bravo", Role::Analyst).await;
    let all = hub.collection_id(&alpha, "All members").await.unwrap();
    let objects = format!("/api1/collections/{all}/objects/");
    for modified in ["2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z"] {
        let r = hub
            .post(
                &alpha,
                &objects,
                &envelope(vec![indicator(1, modified, Tlp::Green)]),
            )
            .await;
        assert_eq!(r.body["success_count"], 1, "{:?}", r.body);
    }
    let versions = hub
        .get(&bravo, &format!("{objects}{}/versions/", id_of(1)))
        .await;
    assert_eq!(
        versions.body["versions"],
        json!(["2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z"])
    );
    let latest = hub.get(&bravo, &format!("{objects}{}/", id_of(1))).await;
    assert_eq!(latest.body["objects"].as_array().unwrap().len(), 1);
    assert_eq!(
        latest.body["objects"][0]["modified"],
        "2024-02-01T00:00:00.000Z"
    );
    let first = hub
        .get(
            &bravo,
            &format!("{objects}{}/?match[version]=first", id_of(1)),
        )
        .await;
    assert_eq!(
        first.body["objects"][0]["modified"],
        "2024-01-01T00:00:00.000Z"
    );
    let all_versions = hub
        .get(&bravo, &format!("{objects}?match[version]=all"))
        .await;
    assert_eq!(all_versions.body["objects"].as_array().unwrap().len(), 2);
    let manifest = hub
        .get(&bravo, &format!("/api1/collections/{all}/manifest/"))
        .await;
    assert_eq!(manifest.body["objects"][0]["id"], id_of(1));
    assert_eq!(
        manifest.body["objects"][0]["version"],
        "2024-02-01T00:00:00.000Z"
    );
    assert_eq!(
        manifest.body["objects"][0]["media_type"],
        "application/stix+json;version=2.1"
    );

    assert_eq!(
        hub.delete(&bravo, &format!("{objects}{}/", id_of(1)))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let one = hub
        .delete(
            &alpha,
            &format!(
                "{objects}{}/?match[version]=2024-02-01T00:00:00.000Z",
                id_of(1)
            ),
        )
        .await;
    assert_eq!(one.status, StatusCode::OK);
    let after = hub.get(&bravo, &format!("{objects}{}/", id_of(1))).await;
    assert_eq!(
        after.body["objects"][0]["modified"],
        "2024-01-01T00:00:00.000Z"
    );
    assert_eq!(
        hub.delete(&alpha, &format!("{objects}{}/", id_of(1)))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        hub.get(&bravo, &format!("{objects}{}/", id_of(1)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        hub.delete(&alpha, &format!("{objects}{}/", id_of(1)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn feed_feedback_health_and_metrics(store: &Store) {
    let hub = Hub::new(store.clone(), 1 << 20);
    let alpha = hub.token("Alpha", Role::Analyst).await;
    let bravo = hub.token("Bravo", Role::Analyst).await;
    let all = hub.collection_id(&alpha, "All members").await.unwrap();
    hub.post(
        &alpha,
        &format!("/api1/collections/{all}/objects/"),
        &envelope(vec![indicator(1, "2024-01-01T00:00:00.000Z", Tlp::Clear)]),
    )
    .await;
    let feed = hub.get(&bravo, "/api/feed?after=0").await;
    assert_eq!(feed.body["changes"][0]["kind"], "create");
    assert_eq!(feed.body["changes"][0]["object"]["id"], id_of(1));
    let next = feed.body["next"].as_i64().unwrap();
    assert_eq!(
        hub.get(&bravo, &format!("/api/feed?after={next}"))
            .await
            .body["changes"],
        json!([])
    );

    let feedback = json!({"stix_id": id_of(1), "kind": "actioned", "platform": "ExampleTube", "action_count": 3, "member_states": ["IT"]});
    let sent = hub
        .send(
            Request::post("/api/feedback")
                .header("Authorization", format!("Bearer {bravo}"))
                .header("Content-Type", "application/json")
                .body(Body::from(feedback.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED);
    let read = hub
        .get(&alpha, &format!("/api/feedback?id={}", id_of(1)))
        .await;
    assert_eq!(read.body["feedback"][0]["org"], "Bravo");
    assert_eq!(read.body["feedback"][0]["action_count"], 3);

    let health = hub
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(health.status, StatusCode::OK);
    let metrics = hub
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    let text = metrics.body.as_str().unwrap().to_string();
    assert!(text.contains("crosswatch_objects_stored_total 1"), "{text}");
    assert!(text.contains("crosswatch_http_responses_total{class=\"2xx\"}"));
}
