//! `GET /api/audit`: an organisation's admins read their organisation's
//! audit trail (the hub operator exports the whole log with
//! `crosswatch admin audit`).

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use crosswatch_store::Role;
use serde::Deserialize;
use serde_json::json;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

/// `?after=ID&limit=N`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Cursor: the last entry id already seen.
    #[serde(default)]
    pub after: i64,
    /// Page size (default 1000).
    pub limit: Option<u32>,
}

/// `GET /api/audit?after=ID`
pub async fn audit(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Query(params): Query<AuditParams>,
) -> Result<Response, ApiError> {
    if caller.role != Role::Admin {
        return Err(ApiError::forbidden(
            "only an admin token may read the audit trail",
        ));
    }
    let entries = state
        .store
        .audit_entries_of(Some(caller.org), params.after, params.limit.unwrap_or(1000))
        .await?;
    let next = entries.last().map_or(params.after, |e| e.id);
    Ok(Json(json!({ "entries": entries, "next": next })).into_response())
}
