//! TAXII 2.1: discovery, one API root, collections, objects, manifest,
//! versions and status.

pub mod collections;
pub mod handlers;
pub mod params;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::media::TAXII_MEDIA_TYPE;

/// The only API root.
pub const API_ROOT: &str = "/api1/";

/// A JSON body served as TAXII 2.1.
pub fn taxii_json(status: axum::http::StatusCode, body: &serde_json::Value) -> Response {
    taxii_text(status, body.to_string())
}

/// JSON text already rendered, served as TAXII 2.1.
pub fn taxii_text(status: axum::http::StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(TAXII_MEDIA_TYPE),
    );
    response
}
