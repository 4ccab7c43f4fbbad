//! Errors as TAXII 2.1 error resources.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use crosswatch_store::StoreError;
use serde_json::json;

use crate::media::TAXII_MEDIA_TYPE;

/// An HTTP error with a TAXII error body (`title`, `description`,
/// `http_status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Short title.
    pub title: String,
    /// What happened and what to do.
    pub description: String,
}

impl ApiError {
    /// Builds an error.
    pub fn new(status: StatusCode, title: &str, description: impl Into<String>) -> ApiError {
        ApiError {
            status,
            title: title.to_string(),
            description: description.into(),
        }
    }

    /// 400.
    pub fn bad_request(description: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "Bad request", description)
    }

    /// 404: unknown or not visible (never told apart).
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "Not found",
            format!("{what} does not exist or is not shared with your organisation"),
        )
    }

    /// 403.
    pub fn forbidden(description: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "Forbidden", description)
    }

    /// 401.
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "send `Authorization: Bearer <token>` (or HTTP Basic with the token as password) \
             with a valid, unexpired token",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error {
            StoreError::NotFound(what) => ApiError::not_found(&what),
            StoreError::Forbidden(why) => ApiError::forbidden(why),
            StoreError::Invalid(why) | StoreError::Conflict(why) => ApiError::bad_request(why),
            other => {
                tracing::error!(error = %other, "storage failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal error",
                    "the hub could not complete the request; try again later",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "title": self.title,
            "description": self.description,
            "http_status": self.status.as_u16().to_string(),
        });
        let mut response = (self.status, body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(TAXII_MEDIA_TYPE),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"crosswatch\", Basic realm=\"crosswatch\""),
            );
        }
        response
    }
}
