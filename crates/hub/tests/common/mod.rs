//! Helpers shared by the hub's integration tests: an in-process hub on a
//! given store, requests with a token, and the backend matrix.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use crosswatch_hub::{AppState, router};
use crosswatch_model::Tlp;
use crosswatch_store::{Role, Store};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const TAXII: &str = "application/taxii+json;version=2.1";

pub struct Hub {
    pub app: Router,
    pub store: Store,
    pub state: AppState,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl Hub {
    pub fn new(store: Store, max_body: usize) -> Hub {
        let state = AppState::new(store.clone(), max_body);
        Hub {
            app: router(state.clone()),
            store,
            state,
        }
    }

    pub async fn token(&self, org: &str, role: Role) -> String {
        let org = match self.store.org_by_name(org).await.unwrap() {
            Some(org) => org,
            None => self.store.create_org(org).await.unwrap(),
        };
        self.store.create_token(org.id, role, None).await.unwrap().1
    }

    pub async fn send(&self, request: Request<Body>) -> Response {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
            .await
            .unwrap();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
        Response {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.send(
            Request::get(path)
                .header("Authorization", format!("Bearer {token}"))
                .header("Accept", TAXII)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> Response {
        self.send(
            Request::post(path)
                .header("Authorization", format!("Bearer {token}"))
                .header("Accept", TAXII)
                .header("Content-Type", TAXII)
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// A request with any method, content type and body.
    pub async fn call(
        &self,
        method: &str,
        token: Option<&str>,
        path: &str,
        content_type: &str,
        body: impl Into<Body>,
    ) -> Response {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if !content_type.is_empty() {
            request = request.header("Content-Type", content_type);
        }
        self.send(request.body(body.into()).unwrap()).await
    }

    pub async fn delete(&self, token: &str, path: &str) -> Response {
        self.send(
            Request::delete(path)
                .header("Authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub async fn collection_id(&self, token: &str, title: &str) -> Option<String> {
        let listing = self.get(token, "/api1/collections/").await;
        assert_eq!(listing.status, StatusCode::OK);
        listing.body["collections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["title"] == title)
            .map(|c| c["id"].as_str().unwrap().to_string())
    }
}

pub fn indicator(n: u32, modified: &str, tlp: Tlp) -> Value {
    json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": format!("indicator--10000000-0000-4000-8000-{n:012}"),
        "created": "2024-01-01T00:00:00.000Z",
        "modified": modified,
        "name": format!("Inauthentic network domain {n}"),
        "pattern": format!("[domain-name:value = 'site{n}.example']"),
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
        "object_marking_refs": [tlp.stix_marking_id()],
    })
}

pub fn id_of(n: u32) -> String {
    format!("indicator--10000000-0000-4000-8000-{n:012}")
}

pub fn envelope(objects: Vec<Value>) -> Value {
    json!({ "objects": objects })
}
