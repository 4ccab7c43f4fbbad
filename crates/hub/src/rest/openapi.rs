//! The OpenAPI 3.0 description of the native API, served at
//! `/api/openapi.json`. It is a checked-in document rather than generated,
//! so it reads as documentation; a test keeps it in step with the router.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// The document's JSON text.
pub const DOCUMENT: &str = include_str!("openapi.json");

/// `GET /api/openapi.json`
pub async fn document() -> Response {
    let mut response = DOCUMENT.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_every_native_route() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).unwrap();
        let documented: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut routed: Vec<&str> = crate::server::NATIVE_ROUTES.to_vec();
        let mut documented_sorted = documented.clone();
        routed.sort_unstable();
        documented_sorted.sort_unstable();
        assert_eq!(documented_sorted, routed);
    }
}
