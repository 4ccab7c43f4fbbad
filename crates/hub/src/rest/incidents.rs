//! Incidents and indicators over plain JSON: submit in any format
//! Crosswatch reads, and search what the caller may see.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crosswatch_import::Format;
use crosswatch_model::Tlp;
use crosswatch_stix::extension::SIGNAL_TYPE;
use crosswatch_stix::search::normalise;
use crosswatch_store::access::check_distribution;
use crosswatch_store::stix_check::normalize_timestamp;
use crosswatch_store::{Caller, Distribution, ObjectPage, SearchField, SearchQuery};
use serde::Deserialize;
use serde_json::{Value, json};

use super::submission::{SubmitOptions, decode};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::page::objects_json;
use crate::share::share_objects;
use crate::state::AppState;
use crate::taxii::collections::{ALL_MEMBERS_COLLECTION, Collection, collections_for};

/// `POST /api/incidents` query parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitParams {
    /// `own` (default), `all`, `group:NAME`, `inbox:ORG` or a TAXII
    /// collection id.
    pub share: Option<String>,
    /// Marking for incidents read from indicator files.
    pub tlp: Option<String>,
    /// Importer format instead of detection (`meta-csv`, `meta-md`, …).
    pub format: Option<String>,
    /// The file's name, from which Meta's importers read the period,
    /// places and network name.
    pub filename: Option<String>,
}

/// `POST /api/incidents`: Crosswatch incident JSON (one or a list), a
/// STIX bundle, or an indicator file; stored as STIX and shared as asked.
pub async fn submit(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Query(params): Query<SubmitParams>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !caller.role.can_write() {
        return Err(ApiError::forbidden(format!(
            "a {} token may not share incidents",
            caller.role
        )));
    }
    let share = params.share.as_deref().unwrap_or("own");
    let destination = destination(&state, &caller, share).await?;
    let options = SubmitOptions {
        format: params
            .format
            .as_deref()
            .map(str::parse::<Format>)
            .transpose()
            .map_err(ApiError::bad_request)?,
        tlp: params
            .tlp
            .as_deref()
            .map(str::parse::<Tlp>)
            .transpose()
            .map_err(|e| ApiError::bad_request(e.to_string()))?,
        source_org: caller.org_name.clone(),
        filename: params
            .filename
            .as_deref()
            .map(|name| name.rsplit(['/', '\\']).next().unwrap_or(name).to_string()),
    };
    let submission = decode(&body, &options).map_err(ApiError::bad_request)?;
    // An incident goes whole or not at all: refuse before storing the
    // public definitions that would otherwise pass on their own.
    for incident in &submission.incidents {
        check_distribution(incident.tlp, &destination.distribution).map_err(|why| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Marking forbids this distribution",
                format!("incident `{}`: {why}", incident.name),
            )
        })?;
    }
    let report = share_objects(
        &state,
        &caller,
        &submission.objects,
        &destination.distribution,
    )
    .await?;
    let incidents: Vec<Value> = submission
        .incidents
        .iter()
        .map(|i| json!({"id": i.id, "name": i.name, "tlp": i.tlp}))
        .collect();
    let status = if report.successes.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::CREATED
    };
    let body = json!({
        "format": submission.format,
        "shared_to": destination.title,
        "incidents": incidents,
        "stored": report.stored,
        "success_count": report.successes.len(),
        "successes": report.successes,
        "failure_count": report.failures.len(),
        "failures": report.failures,
        "warnings": submission.warnings,
    });
    Ok((status, Json(body)).into_response())
}

/// The collection a `share=` value names.
async fn destination(
    state: &AppState,
    caller: &Caller,
    share: &str,
) -> Result<Collection, ApiError> {
    let collections = collections_for(&state.store, caller).await?;
    let share = share.trim();
    let found = collections.into_iter().find(|c| match share {
        "own" => c.distribution == Distribution::OwnOrg,
        "all" => c.id == ALL_MEMBERS_COLLECTION,
        _ => match share.split_once(':') {
            Some(("group", name)) => c.title == format!("Group: {}", name.trim()),
            Some(("inbox", org)) => c.title == format!("Inbox: {}", org.trim()),
            _ => c.id == share,
        },
    });
    found.ok_or_else(|| {
        ApiError::bad_request(format!(
            "cannot share to `{share}`: use own, all, group:NAME (a group your organisation \
             belongs to), inbox:ORG or a collection id from /api1/collections/"
        ))
    })
}

/// Search parameters for `GET /api/incidents` and `GET /api/indicators`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// An observable value (domain, URL, host, account, hash…); defanged
    /// values are accepted.
    pub value: Option<String>,
    /// Indicator kind (`domain`, `url`, `social-account`, …).
    pub kind: Option<String>,
    /// Platform (`facebook`, `x`, `telegram`, …).
    pub platform: Option<String>,
    /// DISARM or kill-chain technique id.
    pub technique: Option<String>,
    /// Targeted country (ISO 3166-1 alpha-2; `EL` is read as `GR`).
    pub country: Option<String>,
    /// Case-insensitive text in the object.
    pub q: Option<String>,
    /// Active at or after (RFC 3339 or `YYYY-MM-DD`).
    pub from: Option<String>,
    /// Active at or before (RFC 3339 or `YYYY-MM-DD`).
    pub until: Option<String>,
    /// Paging cursor from the previous page's `next`.
    pub after: Option<i64>,
    /// Page size (default 100, at most 10 000).
    pub limit: Option<u32>,
}

impl SearchParams {
    fn to_query(&self, types: &[&str], follow_links: bool) -> Result<SearchQuery, ApiError> {
        let mut terms = Vec::new();
        for (field, value) in [
            (SearchField::Value, &self.value),
            (SearchField::Kind, &self.kind),
            (SearchField::Platform, &self.platform),
            (SearchField::Technique, &self.technique),
            (SearchField::Country, &self.country),
        ] {
            if let Some(value) = value {
                let normalised = normalise(field, value)
                    .ok_or_else(|| ApiError::bad_request(format!("`{}` is empty", field.name())))?;
                terms.push((field, normalised));
            }
        }
        Ok(SearchQuery {
            types: types.iter().map(|t| t.to_string()).collect(),
            terms,
            follow_links,
            text: self.q.clone().filter(|q| !q.trim().is_empty()),
            active_from: self
                .from
                .as_deref()
                .map(|t| time_bound(t, "from", false))
                .transpose()?,
            active_until: self
                .until
                .as_deref()
                .map(|t| time_bound(t, "until", true))
                .transpose()?,
            after_seq: self.after,
            limit: self.limit.unwrap_or(100),
        })
    }
}

/// Reads a bound as an RFC 3339 time or a whole day.
fn time_bound(text: &str, name: &str, end_of_day: bool) -> Result<String, ApiError> {
    let text = text.trim();
    let full = if text.len() == 10 {
        format!(
            "{text}T{}Z",
            if end_of_day {
                "23:59:59.999999999"
            } else {
                "00:00:00"
            }
        )
    } else {
        text.to_string()
    };
    normalize_timestamp(&full).ok_or_else(|| {
        ApiError::bad_request(format!(
            "`{name}` = `{text}` is not a date (2024-05-01) or an RFC 3339 time"
        ))
    })
}

/// STIX types that are incidents.
const INCIDENT_TYPES: &[&str] = &["campaign", "intrusion-set", "incident"];
/// STIX types that are signals.
const INDICATOR_TYPES: &[&str] = &["indicator", SIGNAL_TYPE];

/// `GET /api/incidents`: incidents that carry every given term themselves
/// or through a related object (an indicator that indicates them, a
/// technique they use, a country they target).
pub async fn search_incidents(
    state: State<AppState>,
    auth: Auth,
    query: RawQuery,
) -> Result<Response, ApiError> {
    search(state, auth, query, INCIDENT_TYPES, true, "incidents").await
}

/// `GET /api/indicators`: indicators and signals carrying every term.
pub async fn search_indicators(
    state: State<AppState>,
    auth: Auth,
    query: RawQuery,
) -> Result<Response, ApiError> {
    search(state, auth, query, INDICATOR_TYPES, false, "indicators").await
}

async fn search(
    State(state): State<AppState>,
    Auth(caller): Auth,
    RawQuery(raw): RawQuery,
    types: &[&str],
    follow_links: bool,
    what: &str,
) -> Result<Response, ApiError> {
    let params: SearchParams = serde_urlencoded_params(raw.as_deref())?;
    let query = params.to_query(types, follow_links)?;
    let page = state.store.search(caller.org, &query).await?;
    state
        .store
        .audit(
            &caller,
            "search",
            what,
            &format!(
                "{} ({} result(s))",
                raw.as_deref().unwrap_or(""),
                page.objects.len()
            ),
        )
        .await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        page_json(&page),
    )
        .into_response())
}

/// Parses a query string into `T`, with a message naming the problem.
fn serde_urlencoded_params<T: serde::de::DeserializeOwned>(
    raw: Option<&str>,
) -> Result<T, ApiError> {
    let query = axum::extract::Query::<T>::try_from_uri(
        &format!("/?{}", raw.unwrap_or(""))
            .parse()
            .map_err(|_| ApiError::bad_request("the query string is malformed"))?,
    )
    .map_err(|e| ApiError::bad_request(format!("bad search parameters: {}", e.body_text())))?;
    Ok(query.0)
}

/// `{"objects": [...], "more": …, "next": …}` with the stored objects spliced in.
fn page_json(page: &ObjectPage) -> String {
    let next = page
        .next_cursor()
        .map_or("null".to_string(), |next| next.to_string());
    format!(
        "{{\"objects\":{},\"more\":{},\"next\":{next}}}",
        objects_json(page),
        page.more
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_bounds_accept_days_and_rfc3339() {
        assert_eq!(
            time_bound("2024-05-01", "from", false).unwrap(),
            "2024-05-01T00:00:00.000000000Z"
        );
        assert_eq!(
            time_bound("2024-05-01", "until", true).unwrap(),
            "2024-05-01T23:59:59.999999999Z"
        );
        assert!(time_bound("2024-05-01T10:00:00+02:00", "from", false).is_ok());
        assert!(
            time_bound("May 1st", "from", false)
                .unwrap_err()
                .description
                .contains("May 1st")
        );
    }

    #[test]
    fn unknown_or_empty_parameters_are_refused() {
        assert!(serde_urlencoded_params::<SearchParams>(Some("colour=red")).is_err());
        let params: SearchParams =
            serde_urlencoded_params(Some("value=a.example&country=fr")).unwrap();
        let query = params.to_query(INCIDENT_TYPES, true).unwrap();
        assert_eq!(query.terms.len(), 2);
        let empty: SearchParams = serde_urlencoded_params(Some("technique=")).unwrap();
        assert!(empty.to_query(INCIDENT_TYPES, true).is_err());
    }
}
