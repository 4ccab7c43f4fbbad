//! The node's local SQLite file.
//!
//! Tables: `hubs` (sync cursors per hub and collection), `stix_objects`
//! (the latest version of every object pulled, with revoked/deleted flags),
//! `incidents` and `signals` (derived from the objects after every sync),
//! `hits` (the review queue), `actions` (serialized
//! [`crosswatch_model::Action`] plus reporting columns) and
//! `feedback_outbox`.
//!
//! The file is opened with a blocking connection: the node is a command-line
//! tool doing one step at a time, and every sync is applied in a single
//! transaction so a failed pull leaves the copy and the cursor untouched.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crosswatch_model::{Action, AssetKind, CountryCode, Decision, Indicator, Provenance};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::NodeError;
use crate::engine::{Hit, Signal};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS hubs (
    hub TEXT NOT NULL,
    collection TEXT NOT NULL,
    cursor TEXT,
    feed_cursor INTEGER,
    last_sync TEXT,
    PRIMARY KEY (hub, collection)
);
CREATE TABLE IF NOT EXISTS stix_objects (
    hub TEXT NOT NULL,
    stix_id TEXT NOT NULL,
    type TEXT NOT NULL,
    modified TEXT,
    revoked INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    collection TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (hub, stix_id)
);
CREATE TABLE IF NOT EXISTS incidents (
    hub TEXT NOT NULL,
    stix_id TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    name TEXT NOT NULL,
    source_org TEXT,
    tlp TEXT,
    sharing_group TEXT,
    active INTEGER NOT NULL,
    PRIMARY KEY (hub, stix_id)
);
CREATE TABLE IF NOT EXISTS signals (
    id INTEGER PRIMARY KEY,
    hub TEXT NOT NULL,
    stix_id TEXT NOT NULL,
    incident_stix_id TEXT,
    incident_id TEXT,
    sharing_group TEXT,
    tlp TEXT,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    indicator TEXT NOT NULL,
    active INTEGER NOT NULL,
    quarantined INTEGER NOT NULL DEFAULT 0,
    UNIQUE (hub, stix_id)
);
CREATE TABLE IF NOT EXISTS hits (
    id INTEGER PRIMARY KEY,
    item_id TEXT NOT NULL,
    signal_id INTEGER,
    incident_id TEXT,
    matcher TEXT NOT NULL,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL,
    created TEXT NOT NULL,
    decided TEXT,
    reviewer TEXT,
    reason TEXT,
    action_id TEXT,
    UNIQUE (item_id, signal_id, matcher, evidence)
);
CREATE INDEX IF NOT EXISTS hits_status ON hits (status);
CREATE INDEX IF NOT EXISTS hits_signal ON hits (signal_id, created);
CREATE TABLE IF NOT EXISTS actions (
    id TEXT PRIMARY KEY,
    taken_at TEXT NOT NULL,
    platform TEXT NOT NULL,
    kind TEXT NOT NULL,
    count INTEGER NOT NULL,
    decision TEXT NOT NULL,
    member_states TEXT NOT NULL,
    incident_id TEXT,
    hub TEXT,
    from_sharing INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback_outbox (
    id INTEGER PRIMARY KEY,
    hub TEXT NOT NULL,
    body TEXT NOT NULL,
    created TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    delivered TEXT
);
";

/// Review status of a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HitStatus {
    /// Waiting for a reviewer.
    Pending,
    /// A reviewer acted on it.
    Accepted,
    /// A reviewer found it wrong.
    Rejected,
    /// Held back by the flood guard.
    Quarantined,
}

impl HitStatus {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            HitStatus::Pending => "pending",
            HitStatus::Accepted => "accepted",
            HitStatus::Rejected => "rejected",
            HitStatus::Quarantined => "quarantined",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(text: &str) -> Option<HitStatus> {
        [
            HitStatus::Pending,
            HitStatus::Accepted,
            HitStatus::Rejected,
            HitStatus::Quarantined,
        ]
        .into_iter()
        .find(|s| s.as_str() == text.trim().to_ascii_lowercase())
    }
}

/// One hit in the review queue, with what a reviewer needs to decide.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HitRecord {
    /// Local hit id (what `review accept`/`reject` take).
    pub id: i64,
    /// The platform's item id.
    pub item_id: String,
    /// The signal's STIX id.
    pub signal: Option<String>,
    /// The incident id.
    pub incident_id: Option<String>,
    /// The incident's name.
    pub incident_name: Option<String>,
    /// The hub that shared the signal.
    pub hub: Option<String>,
    /// Which matcher fired.
    pub matcher: String,
    /// What matched what.
    pub evidence: Value,
    /// Review status.
    pub status: HitStatus,
    /// When it was found.
    pub created: String,
}

/// An incident the node received, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldIncident {
    /// The incident as shared.
    pub incident: crosswatch_model::Incident,
    /// The hub it came from.
    pub hub: String,
    /// The sharing group (collection title) it was shared in, when known.
    pub sharing_group: Option<String>,
}

/// Object counts of one applied sync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ApplyStats {
    /// Objects new to the node.
    pub created: usize,
    /// Objects replaced by a newer version.
    pub updated: usize,
    /// Objects that arrived revoked.
    pub revoked: usize,
    /// Objects deleted or expired by tombstones.
    pub deleted: usize,
    /// Objects ignored (older than the copy held, or not understood).
    pub ignored: usize,
    /// Matchable signals active after the sync.
    pub active_signals: usize,
}

/// A deletion or expiry the hub announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    /// The object's STIX id.
    pub stix_id: String,
    /// The version (`modified`) deleted; `None` deletes whatever is held.
    /// A tombstone for an older version than the one held is ignored.
    pub version: Option<String>,
}

/// What a sync pulled from one collection.
#[derive(Debug, Clone, Default)]
pub struct CollectionPull {
    /// The collection id.
    pub collection: String,
    /// Objects pulled, in order.
    pub objects: Vec<Value>,
    /// The TAXII `added_after` cursor to store (unchanged when `None`).
    pub cursor: Option<String>,
}

/// What a sync pulled from one hub, applied as one transaction.
#[derive(Debug, Clone, Default)]
pub struct SyncBatch {
    /// The hub's base URL.
    pub hub: String,
    /// One entry per collection pulled.
    pub collections: Vec<CollectionPull>,
    /// Deletions and expiries from the hub's change feed.
    pub tombstones: Vec<Tombstone>,
    /// The `/api/feed` cursor to store (unchanged when `None`).
    pub feed_cursor: Option<i64>,
    /// Collection titles by id, so that provenance (and the reports built
    /// on it) names the forum ("France elections 2027"), not a UUID.
    pub collection_titles: HashMap<String, String>,
}

/// The pseudo-collection under which a hub's change-feed cursor is kept.
const FEED_ROW: &str = "";

/// What a reviewer decided when accepting hits.
#[derive(Debug, Clone)]
pub struct AcceptRequest {
    /// The acting platform's name.
    pub platform: String,
    /// What was actioned.
    pub kind: AssetKind,
    /// How many; defaults to the number of distinct items.
    pub count: Option<u64>,
    /// The decision.
    pub decision: Decision,
    /// Member States affected.
    pub member_states: Vec<CountryCode>,
    /// Who decided.
    pub reviewer: String,
    /// Facts and circumstances.
    pub facts: String,
    /// Hide the platform's name in feedback to the hub.
    pub anonymous: bool,
    /// When.
    pub now: OffsetDateTime,
}

/// One undelivered feedback message.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// Local id.
    pub id: i64,
    /// The hub to send it to.
    pub hub: String,
    /// The JSON body.
    pub body: Value,
    /// Delivery attempts so far.
    pub attempts: i64,
}

/// The node's local store.
#[derive(Debug)]
pub struct NodeStore {
    conn: Connection,
}

fn now_text(now: OffsetDateTime) -> String {
    now.format(&Rfc3339).unwrap_or_default()
}

impl NodeStore {
    /// Opens (creating if needed) the database file and its directory.
    pub fn open(path: &Path) -> Result<NodeStore, NodeError> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|source| NodeError::Io {
                context: format!("creating {}", parent.display()),
                source,
            })?;
        }
        NodeStore::init(Connection::open(path)?)
    }

    /// A store in memory, for tests.
    pub fn open_in_memory() -> Result<NodeStore, NodeError> {
        NodeStore::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<NodeStore, NodeError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(NodeStore { conn })
    }

    /// The incidents held, rebuilt whole (techniques, targets, asset
    /// counts, indicators) from every live object of the hub they came
    /// from, with that hub and the sharing group they were shared in.
    pub fn incidents(&self) -> Result<Vec<HeldIncident>, NodeError> {
        let mut hubs = self.conn.prepare("SELECT DISTINCT hub FROM stix_objects")?;
        let hubs: Vec<String> = hubs
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let mut held = Vec::new();
        for hub in hubs {
            let mut statement = self.conn.prepare(
                "SELECT json FROM stix_objects WHERE hub = ?1 AND deleted = 0 AND revoked = 0",
            )?;
            let objects: Vec<Value> = statement
                .query_map([&hub], |row| row.get::<_, String>(0))?
                .filter_map(|json| json.ok().and_then(|j| serde_json::from_str(&j).ok()))
                .collect();
            let Some(imported) = import_objects(objects) else {
                continue;
            };
            for incident in imported.incidents {
                let sharing_group: Option<String> = self
                    .conn
                    .query_row(
                        "SELECT sharing_group FROM incidents WHERE hub = ?1 AND incident_id = ?2",
                        params![hub, incident.id.to_string()],
                        |row| row.get(0),
                    )
                    .optional()?
                    .flatten();
                held.push(HeldIncident {
                    incident,
                    hub: hub.clone(),
                    sharing_group,
                });
            }
        }
        Ok(held)
    }

    /// The stored TAXII `added_after` cursor of a hub collection.
    pub fn cursor(&self, hub: &str, collection: &str) -> Result<Option<String>, NodeError> {
        Ok(self
            .conn
            .query_row(
                "SELECT cursor FROM hubs WHERE hub = ?1 AND collection = ?2",
                params![hub, collection],
                |row| row.get(0),
            )
            .optional()?
            .flatten())
    }

    /// The stored `/api/feed` cursor of a hub.
    pub fn feed_cursor(&self, hub: &str) -> Result<Option<i64>, NodeError> {
        Ok(self
            .conn
            .query_row(
                "SELECT feed_cursor FROM hubs WHERE hub = ?1 AND collection = ?2",
                params![hub, FEED_ROW],
                |row| row.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Number of stored objects and of active signals of a hub (for status lines and tests).
    pub fn counts(&self, hub: &str) -> Result<(i64, i64), NodeError> {
        Ok(self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM stix_objects WHERE hub = ?1),
                    (SELECT COUNT(*) FROM signals WHERE hub = ?1 AND active = 1)",
            [hub],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    }

    /// Applies a pulled batch atomically: objects, tombstones, derived
    /// incidents and signals, and the new cursors.
    pub fn apply_sync(
        &mut self,
        batch: &SyncBatch,
        now: OffsetDateTime,
    ) -> Result<ApplyStats, NodeError> {
        let tx = self.conn.transaction()?;
        let mut stats = ApplyStats::default();
        for pull in &batch.collections {
            for object in &pull.objects {
                apply_object(&tx, &batch.hub, &pull.collection, object, &mut stats)?;
            }
        }
        for tombstone in &batch.tombstones {
            let held: Option<Option<String>> = tx
                .query_row(
                    "SELECT modified FROM stix_objects WHERE hub = ?1 AND stix_id = ?2 AND deleted = 0",
                    params![batch.hub, tombstone.stix_id],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(held) = held else { continue };
            let older = match (
                tombstone.version.as_deref().and_then(parse_time),
                held.as_deref().and_then(parse_time),
            ) {
                (Some(deleted), Some(held)) => deleted < held,
                _ => false,
            };
            if older {
                continue;
            }
            stats.deleted += tx.execute(
                "UPDATE stix_objects SET deleted = 1 WHERE hub = ?1 AND stix_id = ?2",
                params![batch.hub, tombstone.stix_id],
            )?;
        }
        let changed = stats.created + stats.updated + stats.revoked + stats.deleted > 0;
        // A signal can also lapse with time (`valid_until`), with nothing new
        // arriving. Timestamps compare to the second, as text.
        let lapsed: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM signals s JOIN stix_objects o
               ON o.hub = s.hub AND o.stix_id = s.stix_id
             WHERE s.hub = ?1 AND s.active = 1
               AND substr(json_extract(o.json, '$.valid_until'), 1, 19) <= substr(?2, 1, 19))",
            params![batch.hub, now_text(now)],
            |row| row.get(0),
        )?;
        stats.active_signals = if changed || lapsed {
            derive(&tx, &batch.hub, &batch.collection_titles, now)?
        } else {
            // Nothing arrived: the derived incidents and signals stand, so a
            // quiet sync stays cheap however much the node holds.
            let count: i64 = tx.query_row(
                "SELECT COUNT(*) FROM signals WHERE hub = ?1 AND active = 1",
                [&batch.hub],
                |row| row.get(0),
            )?;
            usize::try_from(count).unwrap_or(0)
        };
        let mut rows: Vec<(&str, Option<&str>, Option<i64>)> = batch
            .collections
            .iter()
            .map(|pull| (pull.collection.as_str(), pull.cursor.as_deref(), None))
            .collect();
        if batch.feed_cursor.is_some() {
            rows.push((FEED_ROW, None, batch.feed_cursor));
        }
        for (collection, cursor, feed_cursor) in rows {
            tx.execute(
                "INSERT INTO hubs (hub, collection, cursor, feed_cursor, last_sync) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (hub, collection) DO UPDATE SET
                   cursor = COALESCE(excluded.cursor, hubs.cursor),
                   feed_cursor = COALESCE(excluded.feed_cursor, hubs.feed_cursor),
                   last_sync = excluded.last_sync",
                params![batch.hub, collection, cursor, feed_cursor, now_text(now)],
            )?;
        }
        tx.commit()?;
        Ok(stats)
    }

    /// Every active signal, for loading the engine, with its quarantine flag.
    pub fn active_signals(&self) -> Result<Vec<(Signal, bool)>, NodeError> {
        let mut statement = self.conn.prepare(
            "SELECT id, stix_id, incident_id, indicator, quarantined FROM signals WHERE active = 1 ORDER BY id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, bool>(4)?,
            ))
        })?;
        let mut signals = Vec::new();
        for row in rows {
            let (id, stix_id, incident, indicator, quarantined) = row?;
            // A row that no longer parses (written by another version) is skipped.
            let Ok(indicator) = serde_json::from_str::<Indicator>(&indicator) else {
                continue;
            };
            signals.push((
                Signal {
                    id,
                    stix_id,
                    incident_id: incident.and_then(|i| Uuid::parse_str(&i).ok()),
                    indicator,
                },
                quarantined,
            ));
        }
        Ok(signals)
    }

    /// Distinct items each signal hit since `since`, for the flood guard.
    pub fn recent_hit_counts(&self, since: OffsetDateTime) -> Result<HashMap<i64, u64>, NodeError> {
        let mut statement = self.conn.prepare(
            "SELECT signal_id, COUNT(DISTINCT item_id) FROM hits
             WHERE signal_id IS NOT NULL AND created >= ?1 GROUP BY signal_id",
        )?;
        let rows = statement.query_map([now_text(since)], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
        })?;
        let mut counts = HashMap::new();
        for row in rows {
            let (id, count) = row?;
            counts.insert(id, u64::try_from(count).unwrap_or(0));
        }
        Ok(counts)
    }

    /// Records a hit; returns its id, or `None` when the same hit is already queued.
    pub fn record_hit(
        &self,
        hit: &Hit,
        status: HitStatus,
        now: OffsetDateTime,
    ) -> Result<Option<i64>, NodeError> {
        let inserted = self.conn.execute(
            "INSERT OR IGNORE INTO hits (item_id, signal_id, incident_id, matcher, evidence, status, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                hit.item_id,
                hit.signal_id,
                hit.incident_id.map(|i| i.to_string()),
                hit.matcher.as_str(),
                hit.evidence.to_string(),
                status.as_str(),
                now_text(now)
            ],
        )?;
        Ok((inserted == 1).then(|| self.conn.last_insert_rowid()))
    }

    /// Quarantines a signal and moves its pending hits into quarantine.
    /// Returns how many pending hits were moved.
    pub fn quarantine_signal(&self, signal_id: i64) -> Result<usize, NodeError> {
        self.conn.execute(
            "UPDATE signals SET quarantined = 1 WHERE id = ?1",
            [signal_id],
        )?;
        Ok(self.conn.execute(
            "UPDATE hits SET status = 'quarantined' WHERE signal_id = ?1 AND status = 'pending'",
            [signal_id],
        )?)
    }

    /// Releases a quarantined signal (by local id or STIX id): it produces
    /// pending hits again. Its quarantined hits stay where they are, for
    /// the reviewer to accept or reject one by one.
    pub fn release_signal(&self, signal: &str) -> Result<usize, NodeError> {
        let changed = match signal.parse::<i64>() {
            Ok(id) => self
                .conn
                .execute("UPDATE signals SET quarantined = 0 WHERE id = ?1", [id])?,
            Err(_) => self.conn.execute(
                "UPDATE signals SET quarantined = 0 WHERE stix_id = ?1",
                [signal],
            )?,
        };
        if changed == 0 {
            return Err(NodeError::Invalid(format!(
                "no signal `{signal}`; `crosswatch node review list --status quarantined` shows them"
            )));
        }
        Ok(changed)
    }

    /// STIX ids and local ids of quarantined signals.
    pub fn quarantined_signals(&self) -> Result<Vec<(i64, String, String)>, NodeError> {
        let mut statement = self
            .conn
            .prepare("SELECT id, stix_id, value FROM signals WHERE quarantined = 1 ORDER BY id")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Hits, optionally of one status, oldest first.
    pub fn hits(&self, status: Option<HitStatus>) -> Result<Vec<HitRecord>, NodeError> {
        let mut statement = self.conn.prepare(
            "SELECT h.id, h.item_id, s.stix_id, h.incident_id, i.name, s.hub, h.matcher, h.evidence, h.status, h.created
             FROM hits h
             LEFT JOIN signals s ON s.id = h.signal_id
             LEFT JOIN incidents i ON i.hub = s.hub AND i.stix_id = s.incident_stix_id
             WHERE ?1 IS NULL OR h.status = ?1
             ORDER BY h.id",
        )?;
        let rows = statement.query_map([status.map(HitStatus::as_str)], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, String>(7)?,
                row.get::<_, String>(8)?,
                row.get::<_, String>(9)?,
            ))
        })?;
        let mut hits = Vec::new();
        for row in rows {
            let (
                id,
                item_id,
                signal,
                incident_id,
                incident_name,
                hub,
                matcher,
                evidence,
                status,
                created,
            ) = row?;
            hits.push(HitRecord {
                id,
                item_id,
                signal,
                incident_id,
                incident_name,
                hub,
                matcher,
                evidence: serde_json::from_str(&evidence).unwrap_or(Value::String(evidence)),
                status: HitStatus::parse(&status).unwrap_or(HitStatus::Pending),
                created,
            });
        }
        Ok(hits)
    }

    /// Accepts hits: records one [`Action`] per incident they belong to (its
    /// provenance names the incident, hub, sharing group, source
    /// organisation and matching signals) and queues `actioned` feedback to
    /// the hub that shared each signal.
    pub fn accept(
        &mut self,
        hit_ids: &[i64],
        request: &AcceptRequest,
    ) -> Result<Vec<Action>, NodeError> {
        let tx = self.conn.transaction()?;
        let hits = load_open_hits(&tx, hit_ids)?;
        // Group by incident (and hub) so each action has one provenance.
        let mut groups: BTreeMap<(Option<String>, Option<String>), Vec<&OpenHit>> = BTreeMap::new();
        for hit in &hits {
            groups
                .entry((hit.hub.clone(), hit.incident_stix_id.clone()))
                .or_default()
                .push(hit);
        }
        let mut actions = Vec::new();
        for ((hub, incident_stix_id), group) in groups {
            let mut item_ids: Vec<String> = group.iter().map(|h| h.item_id.clone()).collect();
            item_ids.sort();
            item_ids.dedup();
            let mut signal_ids: Vec<String> = group
                .iter()
                .filter_map(|h| h.signal_stix_id.clone())
                .collect();
            signal_ids.sort();
            signal_ids.dedup();
            let prompted_by = match &hub {
                Some(hub) => Some(provenance(
                    &tx,
                    hub,
                    incident_stix_id.as_deref(),
                    signal_ids.clone(),
                )?),
                None => None,
            };
            let count = request.count.unwrap_or(item_ids.len() as u64);
            let action = Action {
                id: Uuid::new_v4(),
                taken_at: request.now,
                platform: request.platform.clone(),
                kind: request.kind,
                count,
                decision: request.decision,
                member_states: request.member_states.clone(),
                prompted_by,
                item_ids,
                reviewer: request.reviewer.clone(),
                automated_detection: true,
                facts: request.facts.clone(),
            };
            insert_action(&tx, &action)?;
            for hit in &group {
                tx.execute(
                    "UPDATE hits SET status = 'accepted', decided = ?2, reviewer = ?3, action_id = ?4 WHERE id = ?1",
                    params![hit.id, now_text(request.now), request.reviewer, action.id.to_string()],
                )?;
            }
            if let Some(hub) = &hub {
                for signal in &signal_ids {
                    let body = json!({
                        "object_id": signal,
                        "stix_id": signal,
                        "kind": "actioned",
                        "platform": (!request.anonymous).then_some(&request.platform),
                        "count": count,
                        "action_count": count,
                        "member_states": request.member_states.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                        "anonymous": request.anonymous,
                        "note": Value::Null,
                    });
                    queue_feedback(&tx, hub, &body, request.now)?;
                }
            }
            actions.push(action);
        }
        tx.commit()?;
        Ok(actions)
    }

    /// Rejects hits and queues `false-positive` feedback for their signals.
    pub fn reject(
        &mut self,
        hit_ids: &[i64],
        reason: &str,
        reviewer: &str,
        anonymous: bool,
        now: OffsetDateTime,
    ) -> Result<usize, NodeError> {
        let tx = self.conn.transaction()?;
        let hits = load_open_hits(&tx, hit_ids)?;
        let mut sent: HashSet<(String, String)> = HashSet::new();
        for hit in &hits {
            tx.execute(
                "UPDATE hits SET status = 'rejected', decided = ?2, reviewer = ?3, reason = ?4 WHERE id = ?1",
                params![hit.id, now_text(now), reviewer, reason],
            )?;
            if let (Some(hub), Some(signal)) = (&hit.hub, &hit.signal_stix_id)
                && reason == "false-positive"
                && sent.insert((hub.clone(), signal.clone()))
            {
                let body = json!({
                    "object_id": signal,
                    "stix_id": signal,
                    "kind": "false-positive",
                    "anonymous": anonymous,
                    "note": reason,
                });
                queue_feedback(&tx, hub, &body, now)?;
            }
        }
        tx.commit()?;
        Ok(hits.len())
    }

    /// Every recorded action, oldest first.
    pub fn actions(&self) -> Result<Vec<Action>, NodeError> {
        let mut statement = self
            .conn
            .prepare("SELECT id, json FROM actions ORDER BY taken_at, rowid")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut actions = Vec::new();
        for row in rows {
            let (id, text) = row?;
            let action = serde_json::from_str(&text).map_err(|e| {
                NodeError::Invalid(format!("stored action {id} does not parse: {e}"))
            })?;
            actions.push(action);
        }
        Ok(actions)
    }

    /// Undelivered feedback for a hub.
    pub fn outbox(&self, hub: &str) -> Result<Vec<OutboxEntry>, NodeError> {
        let mut statement = self.conn.prepare(
            "SELECT id, hub, body, attempts FROM feedback_outbox WHERE hub = ?1 AND delivered IS NULL ORDER BY id",
        )?;
        let rows = statement.query_map([hub], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)?,
            ))
        })?;
        let mut entries = Vec::new();
        for row in rows {
            let (id, hub, body, attempts) = row?;
            entries.push(OutboxEntry {
                id,
                hub,
                body: serde_json::from_str(&body).unwrap_or(Value::Null),
                attempts,
            });
        }
        Ok(entries)
    }

    /// Marks feedback delivered.
    pub fn mark_delivered(&self, id: i64, now: OffsetDateTime) -> Result<(), NodeError> {
        self.conn.execute(
            "UPDATE feedback_outbox SET delivered = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1",
            params![id, now_text(now)],
        )?;
        Ok(())
    }

    /// Records a failed delivery attempt; it is retried on the next sync.
    pub fn mark_failed(&self, id: i64, error: &str) -> Result<(), NodeError> {
        self.conn.execute(
            "UPDATE feedback_outbox SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
            params![id, error],
        )?;
        Ok(())
    }
}

struct OpenHit {
    id: i64,
    item_id: String,
    hub: Option<String>,
    signal_stix_id: Option<String>,
    incident_stix_id: Option<String>,
}

/// Hits still open for a decision (pending or quarantined); an unknown or
/// already decided id is an error naming it.
fn load_open_hits(tx: &Transaction<'_>, hit_ids: &[i64]) -> Result<Vec<OpenHit>, NodeError> {
    if hit_ids.is_empty() {
        return Err(NodeError::Invalid("name at least one hit id".into()));
    }
    let mut hits = Vec::new();
    for id in hit_ids {
        let row = tx
            .query_row(
                "SELECT h.id, h.item_id, s.hub, s.stix_id, s.incident_stix_id, h.status
                 FROM hits h LEFT JOIN signals s ON s.id = h.signal_id WHERE h.id = ?1",
                [id],
                |row| {
                    Ok((
                        OpenHit {
                            id: row.get(0)?,
                            item_id: row.get(1)?,
                            hub: row.get(2)?,
                            signal_stix_id: row.get(3)?,
                            incident_stix_id: row.get(4)?,
                        },
                        row.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()?;
        match row {
            None => {
                return Err(NodeError::Invalid(format!(
                    "no hit {id}; `crosswatch node review list` shows the queue"
                )));
            }
            Some((_, status)) if status == "accepted" || status == "rejected" => {
                return Err(NodeError::Invalid(format!("hit {id} was already {status}")));
            }
            Some((hit, _)) => {
                if !hits.iter().any(|h: &OpenHit| h.id == hit.id) {
                    hits.push(hit);
                }
            }
        }
    }
    Ok(hits)
}

fn provenance(
    tx: &Transaction<'_>,
    hub: &str,
    incident_stix_id: Option<&str>,
    signal_ids: Vec<String>,
) -> Result<Provenance, NodeError> {
    let incident = match incident_stix_id {
        Some(stix_id) => tx
            .query_row(
                "SELECT incident_id, name, source_org, sharing_group FROM incidents WHERE hub = ?1 AND stix_id = ?2",
                params![hub, stix_id],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Option<String>>(2)?,
                        row.get::<_, Option<String>>(3)?,
                    ))
                },
            )
            .optional()?,
        None => None,
    };
    let sharing_group: Option<String> = match &incident {
        Some((_, _, _, group)) => group.clone(),
        None => None,
    };
    let (incident_id, incident_name, source_org) = match incident {
        Some((id, name, org, _)) => (Uuid::parse_str(&id).unwrap_or(Uuid::nil()), name, org),
        // A signal shared without its incident: the nil id marks "unknown incident".
        None => (
            Uuid::nil(),
            "(signal shared without an incident)".to_string(),
            None,
        ),
    };
    Ok(Provenance {
        incident_id,
        incident_name,
        hub: hub.to_string(),
        sharing_group,
        source_org,
        signal_ids,
    })
}

fn insert_action(tx: &Transaction<'_>, action: &Action) -> Result<(), NodeError> {
    let json = serde_json::to_string(action)
        .map_err(|e| NodeError::Invalid(format!("action does not serialize: {e}")))?;
    let member_states: Vec<String> = action.member_states.iter().map(|c| c.to_string()).collect();
    tx.execute(
        "INSERT INTO actions (id, taken_at, platform, kind, count, decision, member_states, incident_id, hub, from_sharing, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            action.id.to_string(),
            now_text(action.taken_at),
            action.platform,
            action.kind.as_str(),
            i64::try_from(action.count).unwrap_or(i64::MAX),
            serde_json::to_value(action.decision)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            member_states.join(","),
            action.prompted_by.as_ref().map(|p| p.incident_id.to_string()),
            action.prompted_by.as_ref().map(|p| p.hub.clone()),
            action.is_from_sharing(),
            json
        ],
    )?;
    Ok(())
}

fn queue_feedback(
    tx: &Transaction<'_>,
    hub: &str,
    body: &Value,
    now: OffsetDateTime,
) -> Result<(), NodeError> {
    tx.execute(
        "INSERT INTO feedback_outbox (hub, body, created) VALUES (?1, ?2, ?3)",
        params![hub, body.to_string(), now_text(now)],
    )?;
    Ok(())
}

fn str_field<'a>(object: &'a Value, name: &str) -> Option<&'a str> {
    object.get(name).and_then(Value::as_str)
}

/// Stores one object if it is new or newer than the copy held.
fn apply_object(
    tx: &Transaction<'_>,
    hub: &str,
    collection: &str,
    object: &Value,
    stats: &mut ApplyStats,
) -> Result<(), NodeError> {
    let (Some(id), Some(kind)) = (str_field(object, "id"), str_field(object, "type")) else {
        stats.ignored += 1;
        return Ok(());
    };
    let modified = str_field(object, "modified").or_else(|| str_field(object, "created"));
    let revoked = object
        .get("revoked")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let held: Option<Option<String>> = tx
        .query_row(
            "SELECT modified FROM stix_objects WHERE hub = ?1 AND stix_id = ?2",
            params![hub, id],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(held_modified) = &held {
        let newer = match (
            modified.and_then(parse_time),
            held_modified.as_deref().and_then(parse_time),
        ) {
            (Some(new), Some(old)) => new > old || (new == old && revoked),
            (Some(_), None) => true,
            _ => false,
        };
        if !newer {
            stats.ignored += 1;
            return Ok(());
        }
    }
    tx.execute(
        "INSERT INTO stix_objects (hub, stix_id, type, modified, revoked, deleted, collection, json)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7)
         ON CONFLICT (hub, stix_id) DO UPDATE SET type = excluded.type, modified = excluded.modified,
           revoked = excluded.revoked, deleted = 0, collection = excluded.collection, json = excluded.json",
        params![hub, id, kind, modified, revoked, collection, object.to_string()],
    )?;
    if revoked {
        stats.revoked += 1;
    } else if held.is_some() {
        stats.updated += 1;
    } else {
        stats.created += 1;
    }
    Ok(())
}

fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// The name a collection is reported under: a sharing group's name, or
/// the collection's title, or (for a hub that lists no title) its id.
fn forum_name(titles: &HashMap<String, String>, collection: &str) -> String {
    match titles.get(collection) {
        Some(title) => title.strip_prefix("Group: ").unwrap_or(title).to_string(),
        None => collection.to_string(),
    }
}

struct StoredObject {
    value: Value,
    live: bool,
    collection: String,
}

/// Rebuilds the hub's incidents and signals from its stored objects.
/// Returns the number of active signals.
fn derive(
    tx: &Transaction<'_>,
    hub: &str,
    titles: &HashMap<String, String>,
    now: OffsetDateTime,
) -> Result<usize, NodeError> {
    let mut statement =
        tx.prepare("SELECT json, revoked, deleted, collection FROM stix_objects WHERE hub = ?1")?;
    let rows = statement.query_map([hub], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, bool>(1)?,
            row.get::<_, bool>(2)?,
            row.get::<_, String>(3)?,
        ))
    })?;
    let mut objects: Vec<StoredObject> = Vec::new();
    for row in rows {
        let (json, revoked, deleted, collection) = row?;
        if let Ok(value) = serde_json::from_str::<Value>(&json) {
            objects.push(StoredObject {
                value,
                live: !revoked && !deleted,
                collection,
            });
        }
    }
    drop(statement);

    let context: Vec<&Value> = objects
        .iter()
        .filter(|o| {
            o.live
                && matches!(
                    str_field(&o.value, "type"),
                    Some("identity" | "marking-definition" | "extension-definition")
                )
        })
        .map(|o| &o.value)
        .collect();

    // Incidents: campaigns and intrusion-sets.
    tx.execute("UPDATE incidents SET active = 0 WHERE hub = ?1", [hub])?;
    let mut incident_ids: HashSet<String> = HashSet::new();
    for object in &objects {
        let kind = str_field(&object.value, "type");
        if !matches!(kind, Some("campaign" | "intrusion-set")) {
            continue;
        }
        let Some(stix_id) = str_field(&object.value, "id") else {
            continue;
        };
        let mut bundle_objects: Vec<Value> = context.iter().map(|v| (*v).clone()).collect();
        bundle_objects.push(object.value.clone());
        let Some(incident) = import_single(bundle_objects) else {
            continue;
        };
        incident_ids.insert(stix_id.to_string());
        tx.execute(
            "INSERT INTO incidents (hub, stix_id, incident_id, name, source_org, tlp, sharing_group, active)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (hub, stix_id) DO UPDATE SET incident_id = excluded.incident_id, name = excluded.name,
               source_org = excluded.source_org, tlp = excluded.tlp, sharing_group = excluded.sharing_group,
               active = excluded.active",
            params![
                hub,
                stix_id,
                incident.id.to_string(),
                incident.name,
                incident.source_org,
                incident.tlp.name(),
                forum_name(titles, &object.collection),
                object.live
            ],
        )?;
    }

    // Which incident each signal object belongs to.
    let mut incident_of: HashMap<String, String> = HashMap::new();
    for object in objects.iter().filter(|o| o.live) {
        let value = &object.value;
        match str_field(value, "type") {
            Some("relationship") if str_field(value, "relationship_type") == Some("indicates") => {
                if let (Some(source), Some(target)) = (
                    str_field(value, "source_ref"),
                    str_field(value, "target_ref"),
                ) && incident_ids.contains(target)
                {
                    incident_of.insert(source.to_string(), target.to_string());
                }
            }
            Some(crosswatch_stix::extension::SIGNAL_TYPE) => {
                if let (Some(id), Some(target)) =
                    (str_field(value, "id"), str_field(value, "incident_ref"))
                {
                    incident_of.insert(id.to_string(), target.to_string());
                }
            }
            Some("note") => {
                if let (Some(id), Some(refs)) = (
                    str_field(value, "id"),
                    value.get("object_refs").and_then(Value::as_array),
                ) && let Some(target) = refs
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|r| incident_ids.contains(*r))
                {
                    incident_of.insert(id.to_string(), target.to_string());
                }
            }
            _ => {}
        }
    }

    tx.execute("UPDATE signals SET active = 0 WHERE hub = ?1", [hub])?;
    let mut active = 0;
    for object in &objects {
        let value = &object.value;
        let Some(stix_id) = str_field(value, "id") else {
            continue;
        };
        let Some(indicator) = signal_indicator(value) else {
            continue;
        };
        if !indicator.kind.is_matchable() {
            continue;
        }
        let expired = str_field(value, "valid_until")
            .and_then(parse_time)
            .is_some_and(|until| until <= now);
        let is_active = object.live && !expired;
        let incident_stix_id = incident_of.get(stix_id);
        let (incident_id, tlp): (Option<String>, Option<String>) = match incident_stix_id {
            Some(incident) => tx
                .query_row(
                    "SELECT incident_id, tlp FROM incidents WHERE hub = ?1 AND stix_id = ?2",
                    params![hub, incident],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?
                .unwrap_or((None, None)),
            None => (None, None),
        };
        let indicator_json = serde_json::to_string(&indicator)
            .map_err(|e| NodeError::Invalid(format!("indicator does not serialize: {e}")))?;
        tx.execute(
            "INSERT INTO signals (hub, stix_id, incident_stix_id, incident_id, sharing_group, tlp, kind, value, indicator, active)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (hub, stix_id) DO UPDATE SET incident_stix_id = excluded.incident_stix_id,
               incident_id = excluded.incident_id, sharing_group = excluded.sharing_group, tlp = excluded.tlp,
               kind = excluded.kind, value = excluded.value, indicator = excluded.indicator, active = excluded.active",
            params![
                hub,
                stix_id,
                incident_stix_id,
                incident_id,
                object.collection,
                tlp,
                indicator.kind.as_str(),
                indicator.value,
                indicator_json,
                is_active
            ],
        )?;
        if is_active {
            active += 1;
        }
    }
    Ok(active)
}

/// Imports loose objects as one bundle.
fn import_objects(objects: Vec<Value>) -> Option<crosswatch_stix::ImportedBundle> {
    let bundle = json!({
        "type": "bundle",
        "id": format!("bundle--{}", Uuid::new_v4()),
        "objects": objects,
    });
    crosswatch_stix::import::import_value(&bundle).ok()
}

/// Imports a one-incident bundle built from loose objects.
fn import_single(objects: Vec<Value>) -> Option<crosswatch_model::Incident> {
    import_objects(objects)?.incidents.into_iter().next()
}

/// The matchable indicator a signal object carries: an `indicator` with a
/// pattern Crosswatch understands, an `x-crosswatch-signal` (text
/// snippets) or a narrative `note` (matched as text).
pub fn signal_indicator(object: &Value) -> Option<Indicator> {
    match str_field(object, "type")? {
        "indicator" => import_single(vec![object.clone()])?
            .indicators
            .into_iter()
            .next(),
        crosswatch_stix::extension::SIGNAL_TYPE => {
            let mut bare = object.clone();
            if let Some(map) = bare.as_object_mut() {
                map.remove("incident_ref");
            }
            import_single(vec![bare])
                .and_then(|incident| incident.indicators.into_iter().next())
                .or_else(|| Indicator::text(str_field(object, "value")?).ok())
        }
        "note" if str_field(object, "abstract") == Some("Narrative") => {
            Indicator::text(str_field(object, "content")?).ok()
        }
        _ => None,
    }
}
