//! TAXII 2.1 media types and content negotiation.

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT, CONTENT_TYPE};

use crate::error::ApiError;

/// TAXII resources.
pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";
/// STIX content.
pub const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";

/// Splits `type/subtype; param=value` into the lower-cased essence and the
/// `version` parameter.
fn parse_media_type(text: &str) -> (String, Option<String>) {
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let version = parts.find_map(|param| {
        let (key, value) = param.split_once('=')?;
        (key.trim().eq_ignore_ascii_case("version"))
            .then(|| value.trim().trim_matches('"').to_string())
    });
    (essence, version)
}

/// Whether one media range accepts TAXII 2.1 JSON.
fn accepts_taxii(range: &str) -> bool {
    let (essence, version) = parse_media_type(range);
    match essence.as_str() {
        "*/*" | "application/*" => true,
        "application/taxii+json" => version.is_none_or(|v| v == "2.1"),
        _ => false,
    }
}

/// 406 unless the `Accept` header (if any) admits TAXII 2.1 JSON.
pub fn require_taxii_accept(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(accept) = headers.get(ACCEPT) else {
        return Ok(());
    };
    let accept = accept.to_str().unwrap_or_default();
    if accept.trim().is_empty() || accept.split(',').any(accepts_taxii) {
        Ok(())
    } else {
        Err(ApiError::new(
            axum::http::StatusCode::NOT_ACCEPTABLE,
            "Not acceptable",
            format!(
                "this endpoint answers `{TAXII_MEDIA_TYPE}`; the request accepts only `{accept}`"
            ),
        ))
    }
}

/// 415 unless the body is TAXII 2.1 JSON.
pub fn require_taxii_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (essence, version) = parse_media_type(content_type);
    if essence == "application/taxii+json" && version.is_none_or(|v| v == "2.1") {
        Ok(())
    } else {
        Err(ApiError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type",
            format!(
                "POST an envelope as `Content-Type: {TAXII_MEDIA_TYPE}` (got `{content_type}`)"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(name: axum::http::HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn accept_negotiation() {
        assert!(require_taxii_accept(&HeaderMap::new()).is_ok());
        assert!(require_taxii_accept(&with(ACCEPT, TAXII_MEDIA_TYPE)).is_ok());
        assert!(require_taxii_accept(&with(ACCEPT, "application/taxii+json")).is_ok());
        assert!(require_taxii_accept(&with(ACCEPT, "text/html, */*;q=0.1")).is_ok());
        assert!(require_taxii_accept(&with(ACCEPT, "application/taxii+json;version=2.0")).is_err());
        assert!(require_taxii_accept(&with(ACCEPT, "text/html")).is_err());
    }

    #[test]
    fn content_type_check() {
        assert!(require_taxii_content_type(&with(CONTENT_TYPE, TAXII_MEDIA_TYPE)).is_ok());
        assert!(
            require_taxii_content_type(&with(CONTENT_TYPE, "application/taxii+json; version=2.1"))
                .is_ok()
        );
        assert!(require_taxii_content_type(&with(CONTENT_TYPE, "application/json")).is_err());
        assert!(require_taxii_content_type(&HeaderMap::new()).is_err());
    }
}
