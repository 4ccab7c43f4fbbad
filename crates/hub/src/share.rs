//! The one write path for shared objects, used by TAXII POST and the REST
//! submission: check each object and its marking against the
//! distribution, store what passes in one transaction, count, and wake
//! live feed subscribers.

use crosswatch_store::access::check_distribution;
use crosswatch_store::stix_check::check_object;
use crosswatch_store::{Caller, Distribution, PutOutcome};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::AppState;

/// What happened to each object of a write, in TAXII status shape.
#[derive(Debug, Default)]
pub struct ShareReport {
    /// `{"id", "version"[, "message"]}` for stored (or already stored) objects.
    pub successes: Vec<Value>,
    /// `{"id", "message"}` for refused objects.
    pub failures: Vec<Value>,
    /// How many new objects or versions were stored.
    pub stored: usize,
}

/// Checks and stores `objects` from `caller`, shared as `distribution`.
/// One bad object does not stop the others; nothing is stored for it.
pub async fn share_objects(
    state: &AppState,
    caller: &Caller,
    objects: &[Value],
    distribution: &Distribution,
) -> Result<ShareReport, ApiError> {
    let mut report = ShareReport::default();
    let mut accepted = Vec::with_capacity(objects.len());
    for object in objects {
        let problem = match check_object(object) {
            Ok(checked) => check_distribution(checked.tlp, distribution)
                .err()
                .map(|message| (Some(checked.id), checked.version_raw, message)),
            Err(error) => Some((
                object.get("id").and_then(Value::as_str).map(str::to_string),
                None,
                error.0,
            )),
        };
        match problem {
            Some((id, version, message)) => report.failures.push(json!({
                "id": id.unwrap_or_default(),
                "version": version,
                "message": message,
            })),
            None => accepted.push(object.clone()),
        }
    }
    let outcomes = state
        .store
        .put_objects(caller, &accepted, distribution)
        .await?;
    for outcome in outcomes {
        match outcome {
            PutOutcome::Stored { id, version } => {
                report.stored += 1;
                report.successes.push(json!({"id": id, "version": version}));
            }
            PutOutcome::Duplicate { id, version } => report
                .successes
                .push(json!({"id": id, "version": version, "message": "already stored"})),
            PutOutcome::Refused { id, message } => report
                .failures
                .push(json!({"id": id.unwrap_or_default(), "message": message})),
        }
    }
    state
        .metrics
        .objects_stored
        .add(report.successes.len() as u64);
    state
        .metrics
        .objects_refused
        .add(report.failures.len() as u64);
    if report.stored > 0 {
        state.changed();
    }
    Ok(report)
}
