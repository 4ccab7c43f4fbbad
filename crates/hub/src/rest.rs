//! Native JSON endpoints next to TAXII: the change feed and feedback.

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

/// `?after=SEQ&limit=N`
#[derive(Debug, Deserialize)]
pub struct FeedParams {
    /// Cursor: the last sequence number already seen.
    #[serde(default)]
    pub after: i64,
    /// Page size.
    pub limit: Option<u32>,
}

/// `GET /api/feed?after=SEQ`: every visible change (creates, versions,
/// revocations, deletions and expiries) after the cursor.
pub async fn feed(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Query(params): Query<FeedParams>,
) -> Result<Response, ApiError> {
    let changes = state
        .store
        .changes_after(caller.org, params.after, params.limit.unwrap_or(1000))
        .await?;
    let next = changes.last().map_or(params.after, |c| c.seq);
    let changes: Vec<_> = changes
        .into_iter()
        .map(|c| {
            let object = c.object.as_deref().and_then(|raw| serde_json::from_str::<serde_json::Value>(raw).ok());
            json!({"seq": c.seq, "kind": c.kind, "id": c.stix_id, "version": c.version, "at": c.at, "object": object})
        })
        .collect();
    Ok(Json(json!({ "changes": changes, "next": next })).into_response())
}

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
