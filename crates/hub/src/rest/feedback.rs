//! Feedback on shared objects: `seen`, `actioned`, `false-positive`,
//! `disputed`, `outdated`; visible to the sharer, optionally anonymous to
//! everyone else.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crosswatch_store::Feedback;
use serde::Deserialize;
use serde_json::json;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

/// `POST /api/feedback` with a [`Feedback`] body.
pub async fn post_feedback(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Json(feedback): Json<Feedback>,
) -> Result<Response, ApiError> {
    if !caller.role.can_write() {
        return Err(ApiError::forbidden("read-only tokens cannot give feedback"));
    }
    state.store.add_feedback(&caller, &feedback).await?;
    Ok((StatusCode::CREATED, Json(json!({"status": "recorded"}))).into_response())
}

/// `?id=STIX_ID`
#[derive(Debug, Deserialize)]
pub struct FeedbackParams {
    /// The object.
    pub id: String,
}

/// `GET /api/feedback?id=…`
pub async fn get_feedback(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Query(params): Query<FeedbackParams>,
) -> Result<Response, ApiError> {
    let entries = state.store.feedback_for(caller.org, &params.id).await?;
    Ok(Json(json!({ "feedback": entries })).into_response())
}
