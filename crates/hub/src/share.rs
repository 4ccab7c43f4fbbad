//! The one write path for shared objects, used by TAXII POST and the REST
//! submission: store the envelope in one transaction (the store checks each
//! object and its marking against the distribution), report per object in
//! TAXII status shape, count, and wake live feed subscribers.

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

/// Stores `objects` from `caller`, shared as `distribution`. The store
/// checks each object and its marking against the distribution; one bad
/// object does not stop the others, and nothing is stored for it.
pub async fn share_objects(
    state: &AppState,
    caller: &Caller,
    objects: &[Value],
    distribution: &Distribution,
) -> Result<ShareReport, ApiError> {
    share_objects_with_status(state, caller, objects, distribution, |_| None).await
}

/// Like [`share_objects`], and stores the status resource `(id, body)` that
/// `status` makes of the report in the same transaction as the objects.
pub async fn share_objects_with_status(
    state: &AppState,
    caller: &Caller,
    objects: &[Value],
    distribution: &Distribution,
    status: impl FnOnce(&ShareReport) -> Option<(String, String)> + Send,
) -> Result<ShareReport, ApiError> {
    let mut built = None;
    let outcomes = state
        .store
        .put_objects_with_status(caller, objects, distribution, |outcomes| {
            let report = ShareReport::of(outcomes);
            let saved = status(&report);
            built = Some(report);
            saved
        })
        .await?;
    let report = built.unwrap_or_else(|| ShareReport::of(&outcomes));
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

impl ShareReport {
    /// The report of a write's outcomes.
    fn of(outcomes: &[PutOutcome]) -> ShareReport {
        let mut report = ShareReport::default();
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
                    .push(json!({"id": id.as_deref().unwrap_or_default(), "message": message})),
            }
        }
        report
    }
}
