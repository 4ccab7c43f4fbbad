//! One matching run: items in, hits out and queued for review, with the
//! flood guard.
//!
//! The flood guard exists because a signal that matches far more items than
//! an operation plausibly produced (a shared link to a major news site, a
//! common IP block) would bury reviewers. Such a signal is quarantined: its
//! hits are kept with status `quarantined`, out of the pending queue, until a
//! reviewer releases it.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};

use serde_json::json;
use time::OffsetDateTime;

use crate::NodeError;
use crate::engine::{Engine, Hit};
use crate::item::{MalformedLine, read_items};
use crate::store::{HitStatus, NodeStore};

/// Limits on how many distinct items one signal may plausibly match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloodGuard {
    /// Distinct items per run above which the signal is quarantined.
    pub max_items_per_run: u64,
    /// Distinct items within the last hour (this run included).
    pub max_items_per_hour: u64,
}

impl Default for FloodGuard {
    fn default() -> Self {
        FloodGuard {
            max_items_per_run: 200,
            max_items_per_hour: 1000,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Items read.
    pub items: usize,
    /// Hits found (including quarantined ones).
    pub hits: usize,
    /// Hits newly queued as pending.
    pub pending: usize,
    /// Hits held back by the flood guard.
    pub quarantined_hits: usize,
    /// Lines that were not items.
    pub malformed: Vec<MalformedLine>,
    /// Signals quarantined during this run: (local id, STIX id, distinct items).
    pub quarantined_signals: Vec<(i64, String, u64)>,
}

/// Matches every item of `input` (JSON Lines), writes each hit as a JSON
/// line to `out` and records it in the review queue.
/// `quarantined` holds the signals already in quarantine.
pub fn match_items(
    store: &NodeStore,
    engine: &Engine,
    quarantined: &HashSet<i64>,
    guard: FloodGuard,
    input: impl BufRead,
    out: &mut impl Write,
    now: OffsetDateTime,
) -> Result<RunSummary, NodeError> {
    let earlier = store.recent_hit_counts(now - time::Duration::hours(1))?;
    let mut quarantined = quarantined.clone();
    let mut items_per_signal: HashMap<i64, HashSet<String>> = HashMap::new();
    let mut summary = RunSummary::default();
    let mut failure: Option<NodeError> = None;
    let mut malformed = Vec::new();

    read_items(
        input,
        |_, item| {
            if failure.is_some() {
                return;
            }
            summary.items += 1;
            let mut hits: Vec<Hit> = Vec::new();
            engine.match_item(&item, &mut |hit| hits.push(hit));
            for hit in hits {
                if let Err(e) = handle_hit(
                    store,
                    &hit,
                    guard,
                    &earlier,
                    &mut quarantined,
                    &mut items_per_signal,
                    &mut summary,
                    out,
                    now,
                ) {
                    failure = Some(e);
                    return;
                }
            }
        },
        |line| malformed.push(line),
    )
    .map_err(|source| NodeError::Io {
        context: "reading items".into(),
        source,
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    summary.malformed = malformed;
    Ok(summary)
}

#[allow(clippy::too_many_arguments)]
fn handle_hit(
    store: &NodeStore,
    hit: &Hit,
    guard: FloodGuard,
    earlier: &HashMap<i64, u64>,
    quarantined: &mut HashSet<i64>,
    items_per_signal: &mut HashMap<i64, HashSet<String>>,
    summary: &mut RunSummary,
    out: &mut impl Write,
    now: OffsetDateTime,
) -> Result<(), NodeError> {
    summary.hits += 1;
    if let Some(signal) = hit.signal_id
        && !quarantined.contains(&signal)
    {
        let items = items_per_signal.entry(signal).or_default();
        items.insert(hit.item_id.clone());
        let in_run = items.len() as u64;
        let in_hour = in_run + earlier.get(&signal).copied().unwrap_or(0);
        if in_run > guard.max_items_per_run || in_hour > guard.max_items_per_hour {
            let moved = store.quarantine_signal(signal)?;
            summary.pending = summary.pending.saturating_sub(moved);
            summary.quarantined_hits += moved;
            quarantined.insert(signal);
            summary.quarantined_signals.push((
                signal,
                hit.signal_stix_id.clone().unwrap_or_default(),
                in_run.max(in_hour),
            ));
        }
    }
    let status = match hit.signal_id {
        Some(signal) if quarantined.contains(&signal) => HitStatus::Quarantined,
        _ => HitStatus::Pending,
    };
    let recorded = store.record_hit(hit, status, now)?;
    if recorded.is_some() {
        match status {
            HitStatus::Quarantined => summary.quarantined_hits += 1,
            _ => summary.pending += 1,
        }
    }
    let line = json!({
        "hit": recorded,
        "item": hit.item_id,
        "signal": hit.signal_stix_id,
        "incident": hit.incident_id,
        "matcher": hit.matcher.as_str(),
        "evidence": hit.evidence,
        "status": status.as_str(),
    });
    writeln!(out, "{line}").map_err(|source| NodeError::Io {
        context: "writing hits".into(),
        source,
    })
}

/// A loaded engine, the signals in quarantine and the signals that could
/// not be loaded (with why).
pub struct LoadedEngine {
    /// The engine with every active signal.
    pub engine: Engine,
    /// Quarantined signals' local ids.
    pub quarantined: HashSet<i64>,
    /// Signals skipped because their value cannot be matched.
    pub skipped: Vec<crate::engine::EngineError>,
}

/// Builds an engine from the store's active signals.
pub fn load_engine(
    store: &NodeStore,
    config: crate::engine::EngineConfig,
) -> Result<LoadedEngine, NodeError> {
    let mut engine = Engine::new(config)?;
    let mut quarantined = HashSet::new();
    let mut skipped = Vec::new();
    for (signal, in_quarantine) in store.active_signals()? {
        let id = signal.id;
        match engine.add(signal) {
            Ok(_) => {
                if in_quarantine {
                    quarantined.insert(id);
                }
            }
            Err(e) => skipped.push(e),
        }
    }
    Ok(LoadedEngine {
        engine,
        quarantined,
        skipped,
    })
}
