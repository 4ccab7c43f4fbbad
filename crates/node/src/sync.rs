//! Pulling shared signals from hubs, and pushing feedback back.
//!
//! Objects come over TAXII 2.1 (`GET {api_root}/collections/{id}/objects/`
//! with `added_after` and `next` paging). Deletions and expiries, which
//! TAXII cannot express, come from the hub's change feed
//! (`GET {hub}/api/feed?after=SEQ`) when the hub offers one. Everything
//! pulled from one hub is applied in one transaction: a hub that is
//! unreachable or sends garbage leaves the local copy and the cursors as
//! they were.

use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use crate::NodeError;
use crate::store::{ApplyStats, CollectionPull, NodeStore, SyncBatch, Tombstone};

/// The TAXII 2.1 media type.
pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";

/// Largest response body accepted.
const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

/// Objects asked for per page.
const PAGE_LIMIT: usize = 500;

/// Pages followed per collection in one sync (guards against a hub that
/// always says `more`).
const MAX_PAGES: usize = 10_000;

/// A connection to one hub.
#[derive(Debug, Clone)]
pub struct HubClient {
    agent: ureq::Agent,
    hub: String,
    token: String,
    connect_timeout: Duration,
}

/// The outcome of sending one feedback message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The hub recorded it.
    Delivered,
    /// The hub has no feedback endpoint; the message stays queued.
    Unsupported,
    /// It failed; it is retried next time.
    Failed(String),
}

struct Fetched {
    status: u16,
    body: Vec<u8>,
    date_added_last: Option<String>,
}

impl HubClient {
    /// A client for the hub at `hub` (its base URL) with a Bearer token.
    pub fn new(hub: &str, token: &str, timeout: Duration) -> HubClient {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        HubClient {
            agent,
            hub: hub.trim_end_matches('/').to_string(),
            token: token.to_string(),
            connect_timeout: timeout,
        }
    }

    /// The hub's base URL as given (without a trailing `/`).
    pub fn hub(&self) -> &str {
        &self.hub
    }

    fn unreachable(&self, message: String) -> NodeError {
        NodeError::Hub {
            hub: self.hub.clone(),
            message,
        }
    }

    fn bad(&self, url: &str, message: impl Into<String>) -> NodeError {
        NodeError::BadResponse {
            hub: self.hub.clone(),
            url: url.to_string(),
            message: message.into(),
        }
    }

    fn get(&self, url: &str, accept: &str) -> Result<Fetched, NodeError> {
        let mut response = self
            .agent
            .get(url)
            .header("Accept", accept)
            .header("Authorization", &format!("Bearer {}", self.token))
            .call()
            .map_err(|e| self.unreachable(format!("GET {url}: {e}")))?;
        let status = response.status().as_u16();
        let date_added_last = response
            .headers()
            .get("X-TAXII-Date-Added-Last")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(|e| self.unreachable(format!("reading {url}: {e}")))?;
        Ok(Fetched {
            status,
            body,
            date_added_last,
        })
    }

    fn get_json(&self, url: &str, accept: &str) -> Result<(Value, Option<String>), NodeError> {
        let fetched = self.get(url, accept)?;
        match fetched.status {
            200..=299 => {}
            401 | 403 => {
                return Err(self.unreachable(format!(
                    "GET {url}: HTTP {} — check the token (--token or CROSSWATCH_HUB_TOKEN)",
                    fetched.status
                )));
            }
            status => {
                return Err(self.unreachable(format!("GET {url}: HTTP {status}")));
            }
        }
        let value = serde_json::from_slice::<Value>(&fetched.body)
            .map_err(|e| self.bad(url, format!("not JSON: {e}")))?;
        Ok((value, fetched.date_added_last))
    }

    /// The API root to use: the discovery document's `default`, else its
    /// first `api_roots` entry.
    pub fn api_root(&self) -> Result<String, NodeError> {
        let url = format!("{}/taxii2/", self.hub);
        let (discovery, _) = self.get_json(&url, TAXII_MEDIA_TYPE)?;
        let root = discovery
            .get("default")
            .and_then(Value::as_str)
            .or_else(|| {
                discovery
                    .get("api_roots")
                    .and_then(Value::as_array)
                    .and_then(|roots| roots.first())
                    .and_then(Value::as_str)
            })
            .ok_or_else(|| self.bad(&url, "discovery names no API root"))?;
        Ok(self.absolute(root))
    }

    /// Resolves a URL the hub returned against the hub's base URL.
    fn absolute(&self, url: &str) -> String {
        let trimmed = url.trim_end_matches('/');
        if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
            trimmed.to_string()
        } else {
            format!("{}/{}", self.hub, trimmed.trim_start_matches('/'))
        }
    }

    /// The ids and titles of the collections the token may read.
    pub fn collection_titles(&self, api_root: &str) -> Result<Vec<(String, String)>, NodeError> {
        let url = format!("{api_root}/collections/");
        let (listing, _) = self.get_json(&url, TAXII_MEDIA_TYPE)?;
        let Some(collections) = listing.get("collections") else {
            return Ok(Vec::new());
        };
        let collections = collections
            .as_array()
            .ok_or_else(|| self.bad(&url, "`collections` is not a list"))?;
        Ok(collections
            .iter()
            .filter(|c| c.get("can_read").and_then(Value::as_bool).unwrap_or(true))
            .filter_map(|c| {
                let id = c.get("id").and_then(Value::as_str)?;
                let title = c.get("title").and_then(Value::as_str).unwrap_or(id);
                Some((id.to_string(), title.to_string()))
            })
            .collect())
    }

    /// Every object added to a collection after `added_after`, following
    /// `next` paging, and the cursor to resume from.
    pub fn pull_collection(
        &self,
        api_root: &str,
        collection: &str,
        added_after: Option<&str>,
    ) -> Result<CollectionPull, NodeError> {
        let mut objects = Vec::new();
        let mut cursor: Option<String> = None;
        let mut next: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = format!(
                "{api_root}/collections/{}/objects/?limit={PAGE_LIMIT}",
                encode(collection)
            );
            if let Some(after) = added_after {
                url.push_str(&format!("&added_after={}", encode(after)));
            }
            if let Some(next) = &next {
                url.push_str(&format!("&next={}", encode(next)));
            }
            let (envelope, date_added_last) = self.get_json(&url, TAXII_MEDIA_TYPE)?;
            if !envelope.is_object() {
                return Err(self.bad(&url, "the envelope is not a JSON object"));
            }
            match envelope.get("objects") {
                None | Some(Value::Null) => {}
                Some(Value::Array(page)) => {
                    for object in page {
                        if object.get("id").and_then(Value::as_str).is_none()
                            || object.get("type").and_then(Value::as_str).is_none()
                        {
                            return Err(self.bad(&url, "an object has no `id` or `type`"));
                        }
                        objects.push(object.clone());
                    }
                }
                Some(_) => return Err(self.bad(&url, "`objects` is not a list")),
            }
            if date_added_last.is_some() {
                cursor = date_added_last;
            }
            let more = envelope
                .get("more")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            next = envelope
                .get("next")
                .and_then(Value::as_str)
                .map(str::to_string);
            if !more || next.is_none() {
                break;
            }
        }
        if cursor.is_none() {
            // No X-TAXII-Date-Added-Last header: resume after the newest version seen.
            cursor = objects
                .iter()
                .filter_map(|o| o.get("modified").and_then(Value::as_str))
                .max()
                .map(str::to_string);
        }
        Ok(CollectionPull {
            collection: collection.to_string(),
            objects,
            cursor,
        })
    }

    /// Deletions and expiries after `after` from `/api/feed`, and the new
    /// cursor; `None` when the hub has no change feed.
    pub fn tombstones(&self, after: i64) -> Result<Option<(Vec<Tombstone>, i64)>, NodeError> {
        let mut tombstones = Vec::new();
        let mut cursor = after;
        for _ in 0..MAX_PAGES {
            let url = format!("{}/api/feed?after={cursor}&limit=1000", self.hub);
            let fetched = self.get(&url, "application/json")?;
            if fetched.status == 404 || fetched.status == 405 {
                return Ok(None);
            }
            if !(200..=299).contains(&fetched.status) {
                return Err(self.unreachable(format!("GET {url}: HTTP {}", fetched.status)));
            }
            let feed: Value = serde_json::from_slice(&fetched.body)
                .map_err(|e| self.bad(&url, format!("not JSON: {e}")))?;
            let changes = feed
                .get("changes")
                .and_then(Value::as_array)
                .ok_or_else(|| self.bad(&url, "no `changes` list"))?;
            if changes.is_empty() {
                break;
            }
            for change in changes {
                let seq = change
                    .get("seq")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| self.bad(&url, "a change has no numeric `seq`"))?;
                cursor = cursor.max(seq);
                let kind = change.get("kind").and_then(Value::as_str);
                if matches!(kind, Some("delete" | "expire"))
                    && let Some(id) = change.get("id").and_then(Value::as_str)
                {
                    tombstones.push(Tombstone {
                        stix_id: id.to_string(),
                        version: change
                            .get("version")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                    });
                }
            }
            if changes.len() < 1000 {
                break;
            }
        }
        Ok(Some((tombstones, cursor)))
    }

    /// Follows the hub's live change stream (`/api/feed/stream`, Server-Sent
    /// Events) from sequence `after`, calling `on_change` with each change's
    /// sequence number as it arrives. Blocks until the stream ends (the hub
    /// stopped, or the token was revoked) and returns the last sequence
    /// seen; `Ok(None)` when the hub has no live stream.
    pub fn follow_changes(
        &self,
        after: i64,
        mut on_change: impl FnMut(i64),
    ) -> Result<Option<i64>, NodeError> {
        use std::io::BufRead;
        let url = format!("{}/api/feed/stream?after={after}", self.hub);
        // A stream is idle for as long as nothing is shared: no overall
        // timeout, only for connecting; the hub's keep-alives show liveness.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(self.connect_timeout))
            .timeout_recv_response(Some(self.connect_timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let response = agent
            .get(&url)
            .header("Accept", "text/event-stream")
            .header("Authorization", &format!("Bearer {}", self.token))
            .call()
            .map_err(|e| self.unreachable(format!("GET {url}: {e}")))?;
        match response.status().as_u16() {
            200 => {}
            404 | 405 => return Ok(None),
            401 | 403 => {
                return Err(self.unreachable(format!(
                    "GET {url}: HTTP {} — check the token",
                    response.status().as_u16()
                )));
            }
            status => return Err(self.unreachable(format!("GET {url}: HTTP {status}"))),
        }
        let reader = std::io::BufReader::new(response.into_body().into_reader());
        let mut last = after;
        let mut event_id: Option<i64> = None;
        for line in reader.lines() {
            let line = line.map_err(|e| self.unreachable(format!("reading {url}: {e}")))?;
            if let Some(id) = line.strip_prefix("id:") {
                event_id = id.trim().parse().ok();
            } else if line.is_empty() {
                // End of an event: report it once, if it carried an id.
                if let Some(seq) = event_id.take() {
                    last = last.max(seq);
                    on_change(seq);
                }
            }
        }
        Ok(Some(last))
    }

    /// Shares an incident through `{hub}/api/incidents`: `body` is
    /// Crosswatch incident JSON, a STIX bundle or an indicator file the
    /// hub's importers read. Returns the hub's answer (stored objects,
    /// failures).
    pub fn share(
        &self,
        body: &[u8],
        content_type: &str,
        options: &ShareOptions,
    ) -> Result<Value, NodeError> {
        let mut url = format!(
            "{}/api/incidents?share={}",
            self.hub,
            encode(&options.share)
        );
        if let Some(tlp) = &options.tlp {
            url.push_str(&format!("&tlp={}", encode(tlp)));
        }
        if let Some(filename) = &options.filename {
            url.push_str(&format!("&filename={}", encode(filename)));
        }
        let mut response = self
            .agent
            .post(&url)
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Content-Type", content_type)
            .send(body)
            .map_err(|e| self.unreachable(format!("POST {url}: {e}")))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_string()
            .map_err(|e| self.unreachable(format!("reading {url}: {e}")))?;
        let value: Value =
            serde_json::from_str(&text).map_err(|e| self.bad(&url, format!("not JSON: {e}")))?;
        match status {
            200..=299 => Ok(value),
            _ => {
                let reason = value
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or(&text)
                    .to_string();
                Err(self.unreachable(format!("POST {url}: HTTP {status}: {reason}")))
            }
        }
    }

    /// Sends one feedback message to `{hub}/api/feedback`.
    pub fn send_feedback(&self, body: &Value) -> Delivery {
        let url = format!("{}/api/feedback", self.hub);
        let response = self
            .agent
            .post(&url)
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Content-Type", "application/json")
            .send(body.to_string().as_bytes());
        match response {
            Ok(response) => match response.status().as_u16() {
                200..=299 => Delivery::Delivered,
                404 | 405 => Delivery::Unsupported,
                status => Delivery::Failed(format!("POST {url}: HTTP {status}")),
            },
            Err(e) => Delivery::Failed(format!("POST {url}: {e}")),
        }
    }
}

/// Where and how [`HubClient::share`] shares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShareOptions {
    /// `own`, `all`, `group:NAME` or `inbox:ORG`.
    pub share: String,
    /// Marking for incidents read from indicator files.
    pub tlp: Option<String>,
    /// The file's name: Meta's importers read the period, places and
    /// network name from it.
    pub filename: Option<String>,
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What one sync of one hub did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// The hub.
    pub hub: String,
    /// Collections pulled.
    pub collections: Vec<String>,
    /// Object counts.
    pub stats: ApplyStats,
    /// Whether the hub offers the change feed (deletions, expiries).
    pub has_feed: bool,
    /// Feedback messages delivered.
    pub feedback_delivered: usize,
    /// Feedback messages still queued (hub without the endpoint, or failures).
    pub feedback_pending: usize,
    /// Why feedback is still queued, when it is.
    pub feedback_problem: Option<String>,
}

/// Syncs one hub: pulls the named collection (or every readable one),
/// applies the change feed's tombstones, then sends queued feedback.
pub fn sync_hub(
    store: &mut NodeStore,
    client: &HubClient,
    collection: Option<&str>,
    now: OffsetDateTime,
) -> Result<SyncReport, NodeError> {
    let hub = client.hub().to_string();
    let api_root = client.api_root()?;
    let listed = client.collection_titles(&api_root)?;
    let collections = match collection {
        Some(id) => vec![id.to_string()],
        None => listed.iter().map(|(id, _)| id.clone()).collect(),
    };
    let mut batch = SyncBatch {
        hub: hub.clone(),
        collection_titles: listed.into_iter().collect(),
        ..SyncBatch::default()
    };
    for id in &collections {
        let after = store.cursor(&hub, id)?;
        batch
            .collections
            .push(client.pull_collection(&api_root, id, after.as_deref())?);
    }
    let feed_after = store.feed_cursor(&hub)?.unwrap_or(0);
    let has_feed = match client.tombstones(feed_after)? {
        Some((tombstones, cursor)) => {
            batch.tombstones = tombstones;
            batch.feed_cursor = Some(cursor);
            true
        }
        None => false,
    };
    let stats = store.apply_sync(&batch, now)?;
    let mut report = SyncReport {
        hub: hub.clone(),
        collections,
        stats,
        has_feed,
        ..SyncReport::default()
    };
    for entry in store.outbox(&hub)? {
        match client.send_feedback(&entry.body) {
            Delivery::Delivered => {
                store.mark_delivered(entry.id, now)?;
                report.feedback_delivered += 1;
            }
            Delivery::Unsupported => {
                report.feedback_pending += 1;
                report.feedback_problem = Some(format!(
                    "{hub} has no /api/feedback endpoint; feedback stays queued"
                ));
            }
            Delivery::Failed(error) => {
                store.mark_failed(entry.id, &error)?;
                report.feedback_pending += 1;
                report.feedback_problem = Some(error);
            }
        }
    }
    Ok(report)
}

/// Delays between retries of `--follow`: doubling from `base`, capped at `max`.
pub fn backoff(failures: u32, base: Duration, max: Duration) -> Duration {
    let factor = 2u32.saturating_pow(failures.min(16));
    base.saturating_mul(factor).min(max)
}
