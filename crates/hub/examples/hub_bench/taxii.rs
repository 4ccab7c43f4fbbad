//! A minimal blocking TAXII 2.1 client: POST an envelope, GET one page.
//! The same client drives Crosswatch and medallion.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde::de::IgnoredAny;

const TAXII: &str = "application/taxii+json;version=2.1";

/// One collection's objects endpoint with its credentials.
pub struct Collection {
    agent: ureq::Agent,
    objects_url: String,
    authorization: String,
}

/// What a GET page held: counted, not kept (the client only walks).
pub struct Page {
    /// Objects in the page.
    pub count: usize,
    /// The server's `more`.
    pub more: bool,
    /// The server's `next` cursor, if any.
    pub next: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    more: bool,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    objects: Vec<IgnoredAny>,
}

#[derive(Deserialize)]
struct Status {
    success_count: u64,
    failure_count: u64,
    #[serde(default)]
    failures: Vec<serde_json::Value>,
}

impl Collection {
    /// `base` is the server's root URL, `api_root` its API root path
    /// segment (`api1`), `authorization` a full header value.
    pub fn new(base: &str, api_root: &str, collection: &str, authorization: &str) -> Collection {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(600)))
            .http_status_as_error(false)
            .build()
            .into();
        Collection {
            agent,
            objects_url: format!(
                "{}/{api_root}/collections/{collection}/objects/",
                base.trim_end_matches('/')
            ),
            authorization: authorization.to_string(),
        }
    }

    /// Reads a whole reply body; a status outside `expected` is an error
    /// that quotes the body (the server's explanation).
    fn read_reply(
        &self,
        response: &mut ureq::http::Response<ureq::Body>,
        method: &str,
        expected: &[u16],
    ) -> Result<Vec<u8>> {
        let status = response.status().as_u16();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .with_context(|| format!("reading the {method} reply"))?;
        if !expected.contains(&status) {
            bail!(
                "{method} {}: HTTP {status}: {}",
                self.objects_url,
                String::from_utf8_lossy(&bytes)
            );
        }
        Ok(bytes)
    }

    /// POSTs one serialised envelope; every object must be accepted.
    pub fn post(&self, body: &[u8], expected: u64) -> Result<()> {
        let mut response = self
            .agent
            .post(&self.objects_url)
            .header("Accept", TAXII)
            .header("Content-Type", TAXII)
            .header("Authorization", &self.authorization)
            .send(body)
            .with_context(|| format!("POST {}", self.objects_url))?;
        let bytes = self.read_reply(&mut response, "POST", &[200, 202])?;
        let reply: Status =
            serde_json::from_slice(&bytes).context("the POST reply is no status")?;
        if reply.success_count != expected || reply.failure_count != 0 {
            bail!(
                "POST stored {} of {expected} objects, {} failed (first: {:?})",
                reply.success_count,
                reply.failure_count,
                reply.failures.first()
            );
        }
        Ok(())
    }

    /// GETs one page of at most `limit` objects after `next`.
    pub fn get(&self, limit: u32, next: Option<&str>) -> Result<Page> {
        self.get_within(limit, next, None)?
            .with_context(|| format!("GET {} timed out", self.objects_url))
    }

    /// Like [`Collection::get`], but gives up after `timeout`: `None` then.
    pub fn get_within(
        &self,
        limit: u32,
        next: Option<&str>,
        timeout: Option<Duration>,
    ) -> Result<Option<Page>> {
        let mut request = self
            .agent
            .get(&self.objects_url)
            .query("limit", limit.to_string());
        if let Some(next) = next {
            request = request.query("next", next);
        }
        if let Some(timeout) = timeout {
            request = request.config().timeout_global(Some(timeout)).build();
        }
        let reply = request
            .header("Accept", TAXII)
            .header("Authorization", &self.authorization)
            .call();
        let mut response = match reply {
            Err(ureq::Error::Timeout(_)) => return Ok(None),
            other => other.with_context(|| format!("GET {}", self.objects_url))?,
        };
        let bytes = self.read_reply(&mut response, "GET", &[200])?;
        let envelope: Envelope =
            serde_json::from_slice(&bytes).context("the GET reply is no envelope")?;
        Ok(Some(Page {
            count: envelope.objects.len(),
            more: envelope.more,
            next: envelope.next,
        }))
    }
}
