//! The change feed: every visible create, version, revocation, deletion
//! and expiry after a cursor, as a page (`GET /api/feed`) or as a live
//! Server-Sent-Events stream (`GET /api/feed/stream`).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use crosswatch_store::{Caller, Change, Store};
use futures_util::Stream;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::auth::{Auth, presented_token};
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

/// One change as the feed shows it.
pub fn change_json(change: &Change) -> Value {
    let object = change
        .object
        .as_deref()
        .and_then(|raw| serde_json::from_str::<Value>(raw).ok());
    json!({
        "seq": change.seq,
        "kind": change.kind,
        "id": change.stix_id,
        "version": change.version,
        "at": change.at,
        "object": object,
    })
}

/// `GET /api/feed?after=SEQ`: one page of changes after the cursor.
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
    let changes: Vec<Value> = changes.iter().map(change_json).collect();
    Ok(Json(json!({ "changes": changes, "next": next })).into_response())
}

/// `?after=SEQ`
#[derive(Debug, Deserialize)]
pub struct StreamParams {
    /// Cursor; `Last-Event-ID` (sent by reconnecting clients) wins.
    pub after: Option<i64>,
}

/// How often a stream re-checks the token, so that revoking or expiring
/// it also ends open streams.
const REAUTHENTICATE_EVERY: Duration = Duration::from_secs(30);
/// How often an idle stream looks at the database anyway, for writes made
/// by another hub process on the same PostgreSQL.
const POLL_EVERY: Duration = Duration::from_secs(5);

/// `GET /api/feed/stream?after=SEQ`: the feed as Server-Sent Events. Each
/// event has the change kind as its `event`, the sequence number as its
/// `id` (so a reconnecting client resumes where it stopped) and the change
/// as JSON `data`.
pub async fn feed_stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    Auth(caller): Auth,
    Query(params): Query<StreamParams>,
) -> Result<Response, ApiError> {
    let last_event = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request("Last-Event-ID must be a sequence number"))
        })
        .transpose()?;
    let secret = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(presented_token)
        .unwrap_or_default();
    let follower = Follower {
        store: state.store.clone(),
        caller,
        secret,
        cursor: last_event.or(params.after).unwrap_or(0),
        buffer: VecDeque::new(),
        changes: state.changes.subscribe(),
        stopping: state.stopping.subscribe(),
        authenticated_at: Instant::now(),
        ended: false,
    };
    Ok(Sse::new(follower.into_stream())
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// The state of one live stream.
struct Follower {
    store: Store,
    caller: Caller,
    secret: String,
    cursor: i64,
    buffer: VecDeque<Change>,
    changes: watch::Receiver<u64>,
    stopping: watch::Receiver<bool>,
    authenticated_at: Instant,
    ended: bool,
}

impl Follower {
    fn into_stream(self) -> impl Stream<Item = Result<Event, Infallible>> {
        futures_util::stream::unfold(self, |mut follower| async move {
            let event = follower.next_event().await?;
            Some((Ok(event), follower))
        })
    }

    /// The next event, waiting for one if needed; `None` ends the stream.
    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if self.ended || *self.stopping.borrow() {
                return None;
            }
            if let Some(change) = self.buffer.pop_front() {
                self.cursor = change.seq;
                let data = change_json(&change).to_string();
                return Some(
                    Event::default()
                        .id(change.seq.to_string())
                        .event(change.kind.clone())
                        .data(data),
                );
            }
            if self.authenticated_at.elapsed() >= REAUTHENTICATE_EVERY {
                match self.store.authenticate(&self.secret).await {
                    Ok(Some(_)) => self.authenticated_at = Instant::now(),
                    Ok(None) => return Some(self.end("the token was revoked or has expired")),
                    Err(error) => {
                        tracing::warn!(%error, "feed stream cannot re-check its token");
                        return None;
                    }
                }
            }
            // Mark the current change count seen before querying, so a
            // write that lands after the query still wakes the wait below.
            self.changes.borrow_and_update();
            match self
                .store
                .changes_after(self.caller.org, self.cursor, 500)
                .await
            {
                Ok(changes) if !changes.is_empty() => self.buffer.extend(changes),
                Ok(_) => {
                    tokio::select! {
                        _ = self.changes.changed() => {}
                        _ = self.stopping.changed() => {}
                        () = tokio::time::sleep(POLL_EVERY) => {}
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "feed stream query failed");
                    return Some(self.end("the hub could not read its change log; reconnect"));
                }
            }
        }
    }
}

impl Follower {
    /// A last event that says why the stream ends; the next poll ends it.
    fn end(&mut self, reason: &str) -> Event {
        self.ended = true;
        Event::default()
            .event("end")
            .data(json!({ "reason": reason }).to_string())
    }
}
