//! Storing an envelope of STIX objects in a handful of statements.
//!
//! A write decides every object's fate first (invalid, marking forbids the
//! distribution, another organisation's object, a version already held,
//! new), then writes all new rows with one multi-row `INSERT` per table and
//! chunk: change log, objects, recipients, search terms and links, audit.
//! Row-at-a-time writes cost five or more round trips per object.

use std::collections::HashMap;

use crosswatch_model::Tlp;
use serde_json::Value;
use sqlx::Row;

use crate::access::{Distribution, check_distribution};
use crate::error::StoreError;
use crate::schema::Backend;
use crate::search::{ActivePeriod, index_objects, mark_indexed};
use crate::stix_check::{self, display_timestamp, now_timestamp};
use crate::store::{Arg, Sql, Tx, audit_in};
use crate::types::{Caller, PutOutcome};

type Result<T> = std::result::Result<T, StoreError>;

/// Bound parameters per statement: below SQLite's limit of 32,766 (its
/// placeholders are positional, see [`Sql::bind_arg`]) and well within
/// PostgreSQL's 65,535; a 1,000-object TAXII envelope's rows then go in one
/// statement per table on either.
pub(crate) const PARAMS_PER_STATEMENT: usize = 32_000;

/// Bound parameters per `objects` row, the widest row a write inserts.
const OBJECT_COLUMNS: usize = 18;

/// A version about to be stored.
struct NewRow<'a> {
    checked: stix_check::CheckedObject,
    object: &'a Value,
    kind: &'static str,
    version: String,
    version_raw: String,
    superseded: bool,
}

/// What the store already holds of one id: (owner, version, deleted).
type Held = HashMap<String, Vec<(i64, String, bool)>>;

/// Stores `objects` from `caller` as `distribution` inside `tx`; one
/// outcome per object, in order.
pub(crate) async fn put_batch(
    tx: &mut Tx,
    backend: Backend,
    caller: &Caller,
    objects: &[Value],
    distribution: &Distribution,
) -> Result<Vec<PutOutcome>> {
    let date_added = now_timestamp();
    let mut outcomes: Vec<Option<PutOutcome>> = vec![None; objects.len()];
    let mut valid = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        let refused = |message: String, id: Option<String>| PutOutcome::Refused { id, message };
        match stix_check::check_object(object) {
            Err(error) => {
                let id = object.get("id").and_then(Value::as_str).map(str::to_string);
                outcomes[index] = Some(refused(error.0, id));
            }
            Ok(checked) => match check_distribution(checked.tlp, distribution) {
                Err(message) => outcomes[index] = Some(refused(message, Some(checked.id))),
                Ok(()) => valid.push((index, checked)),
            },
        }
    }
    let mut held = held_versions(tx, backend, valid.iter().map(|(_, c)| c.id.as_str())).await?;

    let mut new_rows = Vec::new();
    for (index, checked) in valid {
        let version = checked
            .modified
            .clone()
            .or_else(|| checked.created.clone())
            .unwrap_or_else(|| date_added.clone());
        let version_raw = checked
            .version_raw
            .clone()
            .unwrap_or_else(|| display_timestamp(&date_added));
        let rows = held.entry(checked.id.clone()).or_default();
        if let Some(outcome) = decide(caller, &checked, rows, &version, &version_raw) {
            outcomes[index] = Some(outcome);
            continue;
        }
        let kind = if checked.revoked {
            "revoke"
        } else if rows.is_empty() {
            "create"
        } else {
            "version"
        };
        let superseded = rows.iter().any(|(_, v, _)| *v > version);
        rows.push((caller.org, version.clone(), false));
        outcomes[index] = Some(PutOutcome::Stored {
            id: checked.id.clone(),
            version: version_raw.clone(),
        });
        new_rows.push(NewRow {
            checked,
            object: &objects[index],
            kind,
            version,
            version_raw,
            superseded,
        });
    }
    // Chunks take ascending sequence numbers: the write's range runs from
    // the first chunk's first to the last chunk's last.
    let mut seqs: Option<(i64, i64)> = None;
    for chunk in new_rows.chunks(PARAMS_PER_STATEMENT / OBJECT_COLUMNS) {
        let (first, last) =
            write_chunk(tx, backend, caller, chunk, distribution, &date_added).await?;
        seqs = Some((seqs.map_or(first, |(low, _)| low), last));
    }
    if let (Some((first, last)), Some(only)) = (seqs, new_rows.first()) {
        // One audit entry per write: the change log holds each object's
        // id, version and organisation under the sequence numbers named.
        let target = match new_rows.len() {
            1 => only.checked.id.clone(),
            count => format!("{count} objects"),
        };
        let detail = format!(
            "{}; change log seq {first}-{last}",
            distribution_detail(distribution)
        );
        audit_in(
            tx,
            Some(caller.org),
            Some(caller.token_id),
            "share",
            &target,
            &detail,
        )
        .await?;
    }
    outcomes
        .into_iter()
        .enumerate()
        .map(|(index, outcome)| {
            outcome.ok_or_else(|| StoreError::Corrupt(format!("object {index} got no outcome")))
        })
        .collect()
}

/// The versions already held of `ids`.
async fn held_versions(
    tx: &mut Tx,
    backend: Backend,
    ids: impl Iterator<Item = &str>,
) -> Result<Held> {
    let mut distinct: Vec<String> = ids.map(str::to_string).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let mut held = Held::new();
    for chunk in distinct.chunks(PARAMS_PER_STATEMENT) {
        let mut sql = Sql::new(
            backend,
            "SELECT stix_id, owner_org, version, deleted FROM objects WHERE stix_id IN ",
        );
        sql.bind_list(chunk);
        for row in sql.query().fetch_all(&mut **tx).await? {
            let deleted: i64 = row.try_get(3)?;
            held.entry(row.try_get(0)?).or_default().push((
                row.try_get(1)?,
                row.try_get(2)?,
                deleted != 0,
            ));
        }
    }
    Ok(held)
}

/// Refusal or duplicate when the held versions rule the object out.
fn decide(
    caller: &Caller,
    checked: &stix_check::CheckedObject,
    rows: &[(i64, String, bool)],
    version: &str,
    version_raw: &str,
) -> Option<PutOutcome> {
    let duplicate = || PutOutcome::Duplicate {
        id: checked.id.clone(),
        version: version_raw.to_string(),
    };
    for (owner, held_version, deleted) in rows {
        let same_version = held_version == version;
        if *owner != caller.org {
            // Shared well-known definitions (e.g. TLP markings) are not owned by anyone.
            if same_version && Tlp::from_stix_marking_id(&checked.id).is_some() {
                return Some(duplicate());
            }
            return Some(PutOutcome::Refused {
                id: Some(checked.id.clone()),
                message: format!(
                    "{} was shared by another organisation; only it may add versions",
                    checked.id
                ),
            });
        }
        if same_version {
            if *deleted {
                return Some(PutOutcome::Refused {
                    id: Some(checked.id.clone()),
                    message: format!(
                        "version {version_raw} of {} was deleted; share a newer `modified` version",
                        checked.id
                    ),
                });
            }
            return Some(duplicate());
        }
    }
    None
}

/// Writes one chunk of new versions with one statement per table; returns
/// the first and last change-log sequence numbers it took.
async fn write_chunk(
    tx: &mut Tx,
    backend: Backend,
    caller: &Caller,
    rows: &[NewRow<'_>],
    distribution: &Distribution,
    date_added: &str,
) -> Result<(i64, i64)> {
    let count = i64::try_from(rows.len()).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let (first_seq, first_row_id) = reserve_keys(tx, backend, count).await?;
    let keyed = || (first_seq..).zip(first_row_id..).zip(rows);

    let mut sql = Sql::new(
        backend,
        "INSERT INTO change_log (seq, kind, stix_id, version, actor_org, at) VALUES ",
    );
    sql.bind_rows(keyed().map(|((seq, _), r)| {
        vec![
            Arg::Int(seq),
            Arg::Text(r.kind.to_string()),
            Arg::Text(r.checked.id.clone()),
            Arg::Text(r.version.clone()),
            Arg::Int(caller.org),
            Arg::Text(date_added.to_string()),
        ]
    }));
    sql.query().execute(&mut **tx).await?;

    let group = match distribution {
        Distribution::Group(group) => Some(*group),
        _ => None,
    };
    let mut sql = Sql::new(
        backend,
        "INSERT INTO objects (row_id, seq, stix_id, stix_type, spec_version, created, modified, \
         version, version_raw, owner_org, tlp, dist_kind, dist_group, raw, date_added, \
         time_start, time_end, superseded) VALUES ",
    );
    let mut values = Vec::with_capacity(rows.len());
    for ((seq, row_id), r) in keyed() {
        let raw =
            serde_json::to_string(r.object).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let active = ActivePeriod::of(r.object, &r.version);
        values.push(vec![
            Arg::Int(row_id),
            Arg::Int(seq),
            Arg::Text(r.checked.id.clone()),
            Arg::Text(r.checked.stix_type.clone()),
            Arg::Text(r.checked.spec_version.clone()),
            Arg::OptText(r.checked.created.clone()),
            Arg::OptText(r.checked.modified.clone()),
            Arg::Text(r.version.clone()),
            Arg::Text(r.version_raw.clone()),
            Arg::Int(caller.org),
            Arg::Text(r.checked.tlp.name().to_string()),
            Arg::Text(distribution.kind().to_string()),
            Arg::OptInt(group),
            Arg::Text(raw),
            Arg::Text(date_added.to_string()),
            Arg::OptText(active.start),
            Arg::OptText(active.end),
            Arg::Int(i64::from(r.superseded)),
        ]);
    }
    debug_assert!(values.iter().all(|row| row.len() == OBJECT_COLUMNS));
    sql.bind_rows(values);
    sql.query().execute(&mut **tx).await?;

    // A new version marks the older ones of its id, so that reads of the
    // latest version can skip the per-row "is there a newer one" probe.
    let reversioned: Vec<&NewRow<'_>> = rows.iter().filter(|r| r.kind != "create").collect();
    for r in reversioned {
        sqlx::query(
            "UPDATE objects SET superseded = 1 WHERE stix_id = $1 AND version < $2 AND superseded = 0",
        )
        .bind(r.checked.id.clone())
        .bind(r.version.clone())
        .execute(&mut **tx)
        .await?;
    }

    if let Distribution::Named(recipients) = distribution {
        let mut recipients = recipients.clone();
        recipients.sort_unstable();
        recipients.dedup();
        let mut pairs = Vec::new();
        for ((_, row_id), _) in keyed() {
            pairs.extend(
                recipients
                    .iter()
                    .map(|org| vec![Arg::Int(row_id), Arg::Int(*org)]),
            );
        }
        for chunk in pairs.chunks(PARAMS_PER_STATEMENT / 2) {
            let mut sql = Sql::new(
                backend,
                "INSERT INTO object_recipients (row_id, org_id) VALUES ",
            );
            sql.bind_rows(chunk.iter().cloned());
            sql.query().execute(&mut **tx).await.map_err(|e| {
                StoreError::from_write(e, "a recipient organisation does not exist")
            })?;
        }
    }

    if backend.indexes_in_write() {
        index_objects(
            tx,
            backend,
            keyed().map(|((_, row_id), r)| (row_id, r.object)),
        )
        .await?;
        mark_indexed(tx, first_row_id + count - 1).await?;
    }

    Ok((first_seq, first_seq + count - 1))
}

/// Reserves `count` consecutive change-log sequence numbers and object row
/// ids and returns the first of each. The caller holds the store's write
/// lock (and on PostgreSQL the change-log table lock), so no other writer
/// takes numbers meanwhile. The inserts then name their keys, and need not
/// return a row per object to learn them.
async fn reserve_keys(tx: &mut Tx, backend: Backend, count: i64) -> Result<(i64, i64)> {
    let sql = match backend {
        // An AUTOINCREMENT key continues from the larger of its counter
        // and the largest key; inserting explicit keys moves the counter.
        Backend::Sqlite => {
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'change_log'), 0), \
                        COALESCE((SELECT MAX(seq) FROM change_log), 0)) + 1, \
                    MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'objects'), 0), \
                        COALESCE((SELECT MAX(row_id) FROM objects), 0)) + 1"
        }
        // Takes the first number and moves the sequence past the last.
        Backend::Postgres => {
            "SELECT setval(pg_get_serial_sequence('change_log', 'seq'), \
                    nextval(pg_get_serial_sequence('change_log', 'seq')) + $1 - 1) - $1 + 1, \
                    setval(pg_get_serial_sequence('objects', 'row_id'), \
                    nextval(pg_get_serial_sequence('objects', 'row_id')) + $1 - 1) - $1 + 1"
        }
    };
    let mut query = sqlx::query(sql);
    if backend == Backend::Postgres {
        query = query.bind(count);
    }
    let row = query.fetch_one(&mut **tx).await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// How a write was distributed, in words, for the audit log.
fn distribution_detail(distribution: &Distribution) -> String {
    match distribution {
        Distribution::OwnOrg => "own organisation".to_string(),
        Distribution::Group(group) => format!("group {group}"),
        Distribution::AllMembers => "all members".to_string(),
        Distribution::Named(recipients) => format!("named {recipients:?}"),
    }
}

/// Inserts `rows` into `table (columns)`, at most
/// [`PARAMS_PER_STATEMENT`] bound parameters per statement.
pub(crate) async fn insert_rows(
    tx: &mut Tx,
    backend: Backend,
    table: &str,
    rows: Vec<Vec<Arg>>,
) -> Result<()> {
    let width = rows.first().map_or(1, Vec::len).max(1);
    let per_statement = (PARAMS_PER_STATEMENT / width).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = Sql::new(backend, &format!("INSERT INTO {table} VALUES "));
        sql.bind_rows(rows.by_ref().take(per_statement));
        sql.query().execute(&mut **tx).await?;
    }
    Ok(())
}
