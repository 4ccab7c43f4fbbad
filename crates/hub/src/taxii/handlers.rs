//! Thin TAXII 2.1 handlers: parse, authorise, call the store, render.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use crosswatch_store::stix_check::display_timestamp;
use crosswatch_store::{JsonPage, StoredObject, VersionMatch};
use serde_json::{Value, json};

use super::collections::{Collection, collections_for, find_collection};
use super::params::Filters;
use super::{API_ROOT, taxii_json, taxii_text};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::media::{STIX_MEDIA_TYPE, require_taxii_accept, require_taxii_content_type};
use crate::share::{ShareReport, share_objects_with_status};
use crate::state::AppState;

type Reply = Result<Response, ApiError>;

/// `GET /taxii2/`
pub async fn discovery(headers: HeaderMap, Auth(_caller): Auth) -> Reply {
    require_taxii_accept(&headers)?;
    Ok(taxii_json(
        StatusCode::OK,
        &json!({
            "title": "Crosswatch exchange hub",
            "description": "Influence-operation incidents and indicators shared between \
                            platforms, fact-checkers and researchers.",
            "default": API_ROOT,
            "api_roots": [API_ROOT],
        }),
    ))
}

/// `GET /api1/`
pub async fn api_root(
    State(state): State<AppState>,
    headers: HeaderMap,
    Auth(_caller): Auth,
) -> Reply {
    require_taxii_accept(&headers)?;
    Ok(taxii_json(
        StatusCode::OK,
        &json!({
            "title": "Crosswatch",
            "description": "The hub's only API root.",
            "versions": [crate::media::TAXII_MEDIA_TYPE],
            "max_content_length": state.max_body_bytes,
        }),
    ))
}

/// `GET /api1/collections/`
pub async fn list_collections(
    State(state): State<AppState>,
    headers: HeaderMap,
    Auth(caller): Auth,
) -> Reply {
    require_taxii_accept(&headers)?;
    let collections: Vec<Value> = collections_for(&state.store, &caller)
        .await?
        .iter()
        .map(Collection::to_json)
        .collect();
    Ok(taxii_json(
        StatusCode::OK,
        &json!({ "collections": collections }),
    ))
}

async fn collection(
    state: &AppState,
    caller: &crosswatch_store::Caller,
    id: &str,
) -> Result<Collection, ApiError> {
    find_collection(&state.store, caller, id)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("collection {id}")))
}

fn readable(collection: Collection) -> Result<Collection, ApiError> {
    if collection.can_read {
        Ok(collection)
    } else {
        Err(ApiError::forbidden(format!(
            "your organisation may post to `{}` but not read it",
            collection.title
        )))
    }
}

/// `GET /api1/collections/{id}/`
pub async fn get_collection(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Auth(caller): Auth,
) -> Reply {
    require_taxii_accept(&headers)?;
    let collection = collection(&state, &caller, &id).await?;
    Ok(taxii_json(StatusCode::OK, &collection.to_json()))
}

/// Adds the TAXII paging headers: the earliest and latest `date_added`
/// of the page's objects (stored form).
fn with_date_headers(mut response: Response, range: Option<(&str, &str)>) -> Response {
    if let Some((first, last)) = range {
        for (name, value) in [
            ("X-TAXII-Date-Added-First", first),
            ("X-TAXII-Date-Added-Last", last),
        ] {
            if let Ok(value) = HeaderValue::from_str(&display_timestamp(value)) {
                response.headers_mut().insert(name, value);
            }
        }
    }
    response
}

/// The earliest and latest `date_added` of `objects`.
fn date_added_range(objects: &[StoredObject]) -> Option<(&str, &str)> {
    let added = objects.iter().map(|o| o.date_added.as_str());
    added.clone().min().zip(added.max())
}

/// A TAXII envelope page: the envelope and its paging headers.
fn envelope_reply(page: &JsonPage) -> Response {
    let next = page
        .next_cursor()
        .map(|next| format!("\"next\":\"{next}\","))
        .unwrap_or_default();
    let body = format!(
        "{{\"more\":{},{next}\"objects\":{}}}",
        page.more, page.objects_json
    );
    let range = page
        .date_added_range
        .as_ref()
        .map(|(first, last)| (first.as_str(), last.as_str()));
    with_date_headers(taxii_text(StatusCode::OK, body), range)
}

/// The page of collection `id` that `filters` select (latest versions
/// unless they ask otherwise), counted as served.
async fn objects_page(
    state: &AppState,
    caller: &crosswatch_store::Caller,
    id: &str,
    filters: &Filters,
) -> Result<JsonPage, ApiError> {
    let collection = readable(collection(state, caller, id).await?)?;
    let query = filters.to_query(collection.scope, vec![VersionMatch::Last]);
    let page = state.store.query_objects_json(caller.org, &query).await?;
    state.metrics.objects_served.add(page.count as u64);
    Ok(page)
}

/// `GET /api1/collections/{id}/objects/`
pub async fn get_objects(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Auth(caller): Auth,
) -> Reply {
    require_taxii_accept(&headers)?;
    let filters = Filters::parse(query.as_deref())?;
    let page = objects_page(&state, &caller, &id, &filters).await?;
    state
        .store
        .audit(
            &caller,
            "read",
            &format!("collection:{id}"),
            &format!("{} object(s)", page.count),
        )
        .await?;
    Ok(envelope_reply(&page))
}

/// `GET /api1/collections/{id}/objects/{object_id}/`
pub async fn get_object(
    State(state): State<AppState>,
    Path((id, object_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Auth(caller): Auth,
) -> Reply {
    require_taxii_accept(&headers)?;
    let mut filters = Filters::parse(query.as_deref())?;
    filters.ids = vec![object_id.clone()];
    let page = objects_page(&state, &caller, &id, &filters).await?;
    if page.count == 0 && filters.next.is_none() {
        return Err(ApiError::not_found(&format!("object {object_id}")));
    }
    state
        .store
        .audit(&caller, "read", &object_id, &format!("collection {id}"))
        .await?;
    Ok(envelope_reply(&page))
}

/// `DELETE /api1/collections/{id}/objects/{object_id}/`
pub async fn delete_object(
    State(state): State<AppState>,
    Path((id, object_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Auth(caller): Auth,
) -> Reply {
    require_taxii_accept(&headers)?;
    let filters = Filters::parse(query.as_deref())?;
    let collection = readable(collection(&state, &caller, &id).await?)?;
    if !collection.can_write {
        return Err(ApiError::forbidden("your token may not delete objects"));
    }
    // Only versions visible in this collection may be deleted through it.
    let mut lookup = filters.to_query(collection.scope, vec![VersionMatch::All]);
    lookup.ids = vec![object_id.clone()];
    if state.store.count_objects(caller.org, &lookup).await? == 0 {
        return Err(ApiError::not_found(&format!("object {object_id}")));
    }
    let version = match filters.versions.as_deref() {
        None | Some([VersionMatch::All]) => None,
        Some([VersionMatch::At(at)]) => Some(at.clone()),
        Some(_) => {
            return Err(ApiError::bad_request(
                "DELETE accepts match[version]=all or one exact version timestamp",
            ));
        }
    };
    state
        .store
        .delete_object(&caller, &object_id, version.as_deref())
        .await?;
    state.changed();
    Ok(taxii_json(StatusCode::OK, &json!({})))
}

/// `GET /api1/collections/{id}/objects/{object_id}/versions/`
pub async fn get_versions(
    State(state): State<AppState>,
    Path((id, object_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Auth(caller): Auth,
) -> Reply {
    require_taxii_accept(&headers)?;
    let mut filters = Filters::parse(query.as_deref())?;
    filters.ids = vec![object_id.clone()];
    filters.versions = Some(vec![VersionMatch::All]);
    let collection = readable(collection(&state, &caller, &id).await?)?;
    let page = state
        .store
        .query_objects(
            caller.org,
            &filters.to_query(collection.scope, vec![VersionMatch::All]),
        )
        .await?;
    if page.objects.is_empty() && filters.next.is_none() {
        return Err(ApiError::not_found(&format!("object {object_id}")));
    }
    let versions: Vec<&str> = page.objects.iter().map(|o| o.version.as_str()).collect();
    let mut body = json!({ "more": page.more, "versions": versions });
    if let Some(next) = page.next_cursor() {
        body["next"] = json!(next.to_string());
    }
    Ok(with_date_headers(
        taxii_json(StatusCode::OK, &body),
        date_added_range(&page.objects),
    ))
}

/// `GET /api1/collections/{id}/manifest/`
pub async fn get_manifest(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Auth(caller): Auth,
) -> Reply {
    require_taxii_accept(&headers)?;
    let filters = Filters::parse(query.as_deref())?;
    let collection = readable(collection(&state, &caller, &id).await?)?;
    let page = state
        .store
        .query_objects(
            caller.org,
            &filters.to_query(collection.scope, vec![VersionMatch::Last]),
        )
        .await?;
    let objects: Vec<Value> = page
        .objects
        .iter()
        .map(|o| {
            json!({
                "id": o.stix_id,
                "date_added": display_timestamp(&o.date_added),
                "version": o.version,
                "media_type": STIX_MEDIA_TYPE,
            })
        })
        .collect();
    let mut body = json!({ "more": page.more, "objects": objects });
    if let Some(next) = page.next_cursor() {
        body["next"] = json!(next.to_string());
    }
    Ok(with_date_headers(
        taxii_json(StatusCode::OK, &body),
        date_added_range(&page.objects),
    ))
}

/// `POST /api1/collections/{id}/objects/`: stores the envelope's objects
/// and answers `202` with a (complete) status resource.
pub async fn post_objects(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Auth(caller): Auth,
    body: Bytes,
) -> Reply {
    require_taxii_accept(&headers)?;
    require_taxii_content_type(&headers)?;
    let collection = collection(&state, &caller, &id).await?;
    if !collection.can_write {
        return Err(ApiError::forbidden(format!(
            "your token ({} role) may not post to `{}`",
            caller.role, collection.title
        )));
    }
    let envelope: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
    let objects = envelope
        .get("objects")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("the envelope has no `objects` array"))?;

    let request_timestamp = crosswatch_store::stix_check::now_timestamp();
    let status_id = uuid::Uuid::new_v4().to_string();
    let mut status = None;
    share_objects_with_status(
        &state,
        &caller,
        objects,
        &collection.distribution,
        |report| {
            let text = status_resource(&status_id, &request_timestamp, report);
            status = Some(text.clone());
            Some((status_id.clone(), text))
        },
    )
    .await?;
    let status = status.ok_or_else(|| {
        ApiError::from(crosswatch_store::StoreError::Corrupt(
            "the write made no status resource".into(),
        ))
    })?;
    Ok(taxii_text(StatusCode::ACCEPTED, status))
}

/// The (complete) TAXII status resource of a write, rendered once: it is
/// both stored and sent, and lists every object of the envelope.
fn status_resource(id: &str, request_timestamp: &str, report: &ShareReport) -> String {
    #[derive(serde::Serialize)]
    struct StatusResource<'a> {
        id: &'a str,
        status: &'static str,
        request_timestamp: String,
        total_count: usize,
        success_count: usize,
        successes: &'a [Value],
        failure_count: usize,
        failures: &'a [Value],
        pending_count: usize,
        pendings: &'a [Value],
    }
    let resource = StatusResource {
        id,
        status: "complete",
        request_timestamp: display_timestamp(request_timestamp),
        total_count: report.successes.len() + report.failures.len(),
        success_count: report.successes.len(),
        successes: &report.successes,
        failure_count: report.failures.len(),
        failures: &report.failures,
        pending_count: 0,
        pendings: &[],
    };
    // Strings, numbers and JSON values only: serialising cannot fail.
    serde_json::to_string(&resource).unwrap_or_default()
}

/// `GET /api1/status/{status_id}/`
pub async fn get_status(
    State(state): State<AppState>,
    Path(status_id): Path<String>,
    headers: HeaderMap,
    Auth(caller): Auth,
) -> Reply {
    require_taxii_accept(&headers)?;
    let body = state
        .store
        .load_status(caller.org, &status_id)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("status {status_id}")))?;
    let value: Value = serde_json::from_str(&body)
        .map_err(|e| ApiError::from(crosswatch_store::StoreError::Corrupt(e.to_string())))?;
    Ok(taxii_json(StatusCode::OK, &value))
}
