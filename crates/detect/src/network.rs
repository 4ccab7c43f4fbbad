//! Windowed co-action pair statistics, computed shard by shard.
//!
//! Shares are grouped by object (with near matching: by near-duplicate group,
//! see [`crate::near`]); objects are hash-partitioned into a fixed
//! number of shards ([`SHARDS`], independent of the thread count). Each shard
//! walks its objects in id order, sorts each object's shares by time and
//! slides a window over them, accumulating per account pair:
//!
//! * `forward` / `backward`: distinct messages of the lower / higher account
//!   id that have a message of the other account on the same object within
//!   the window (coordination-network-toolkit's directed weight);
//! * `pairs`: co-share pairs (two messages, same object, within the window);
//! * `delta_sum`: summed time gaps of those pairs;
//! * `objects`: distinct objects on which the pair co-shared.
//!
//! Because a share belongs to exactly one object, per-object counts summed
//! over objects are exact. The one exception is a message with several
//! objects (several URLs): its distinct-message contribution is collected as
//! `(pair, direction, message)` triples and de-duplicated after the merge.
//! Shard results are merged by a stable sort on the pair key in shard order,
//! so floating-point sums and the output order never depend on threads.

use rayon::prelude::*;

use crate::input::{Activity, Share};
use crate::intern::{IntMap, mix64};
use crate::near::NearGroups;

/// Number of object shards. Fixed so that results do not depend on threads.
pub const SHARDS: usize = 256;

/// Accumulated statistics of one unordered account pair `(low, high)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PairStats {
    /// Distinct messages of `low` with a partner message of `high`.
    pub forward: u32,
    /// Distinct messages of `high` with a partner message of `low`.
    pub backward: u32,
    /// Co-share pairs of messages.
    pub pairs: u64,
    /// Distinct objects co-shared.
    pub objects: u32,
    /// Sum of the absolute time gaps of the co-share pairs.
    pub delta_sum: f64,
}

impl PairStats {
    fn add(&mut self, other: &PairStats) {
        self.forward += other.forward;
        self.backward += other.backward;
        self.pairs += other.pairs;
        self.objects += other.objects;
        self.delta_sum += other.delta_sum;
    }
}

/// All account pairs with at least one co-share, sorted by `(low, high)`.
/// Self-pairs `(a, a)` hold two different messages of the same account;
/// for them only `forward` is used.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PairTable {
    /// `((low, high), stats)`, sorted by key, `low <= high`.
    pub pairs: Vec<((u32, u32), PairStats)>,
}

/// An unordered pair of ids packed into one key, lower id first.
pub(crate) fn pair_key(a: u32, b: u32) -> u64 {
    (u64::from(a.min(b)) << 32) | u64::from(a.max(b))
}

fn unpack(key: u64) -> (u32, u32) {
    ((key >> 32) as u32, key as u32)
}

/// Which shard an object belongs to (deterministic hash partitioning).
pub fn shard_of(object: u32) -> usize {
    (mix64(u64::from(object)) % SHARDS as u64) as usize
}

/// Sorts shares by (object, time, account, message): a total order, so the
/// result is the same whatever the sort algorithm or thread count.
pub fn sort_by_object(shares: &mut [Share]) {
    shares.par_sort_unstable_by(|x, y| {
        x.object
            .cmp(&y.object)
            .then(x.time.total_cmp(&y.time))
            .then(x.account.cmp(&y.account))
            .then(x.message.cmp(&y.message))
    });
}

/// Start/end of each object's run in shares sorted by [`sort_by_object`].
pub fn object_runs(shares: &[Share]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = 0;
    for index in 1..=shares.len() {
        if index == shares.len() || shares[index].object != shares[start].object {
            if index > start {
                runs.push((start, index));
            }
            start = index;
        }
    }
    runs
}

/// Per-shard accumulation.
#[derive(Default)]
struct ShardResult {
    stats: IntMap<u64, PairStats>,
    /// `(pair key, direction is forward, message)` for multi-object messages.
    multi: Vec<(u64, bool, u32)>,
}

/// Accumulates one object's shares (sorted by time) into `result`. With
/// near matching the run is a near-duplicate group, and two of its shares
/// pair only when their exact keys are related.
fn accumulate_object(
    run: &[Share],
    window: f64,
    near: Option<&NearGroups>,
    result: &mut ShardResult,
    partners: &mut Vec<u32>,
    object_pairs: &mut Vec<u64>,
) {
    object_pairs.clear();
    // Groups with one exact key (the usual case) need no per-pair check.
    let near = near.filter(|groups| {
        let first = groups.exact_object(run[0].message);
        run.iter()
            .any(|share| groups.exact_object(share.message) != first)
    });
    let mut low = 0;
    let mut high = 0;
    for (i, share) in run.iter().enumerate() {
        while run[low].time < share.time && share.time - run[low].time > window {
            low += 1;
        }
        if high < i {
            high = i;
        }
        while high + 1 < run.len() && run[high + 1].time - share.time <= window {
            high += 1;
        }
        partners.clear();
        let exact = near.map(|groups| groups.exact_object(share.message));
        for (offset, other) in run[low..=high].iter().enumerate() {
            let j = low + offset;
            if j == i || other.message == share.message {
                continue;
            }
            if let (Some(groups), Some(exact)) = (near, exact)
                && !groups.related(exact, groups.exact_object(other.message))
            {
                continue;
            }
            partners.push(other.account);
            if j > i {
                let key = pair_key(share.account, other.account);
                let entry = result.stats.entry(key).or_default();
                entry.pairs += 1;
                entry.delta_sum += (other.time - share.time).abs();
                object_pairs.push(key);
            }
        }
        partners.sort_unstable();
        partners.dedup();
        for &partner in partners.iter() {
            let key = pair_key(share.account, partner);
            let forward = share.account <= partner;
            if share.multi_object {
                result.stats.entry(key).or_default();
                result.multi.push((key, forward, share.message));
            } else {
                let entry = result.stats.entry(key).or_default();
                if forward {
                    entry.forward += 1;
                } else {
                    entry.backward += 1;
                }
            }
        }
    }
    object_pairs.sort_unstable();
    object_pairs.dedup();
    for key in object_pairs.iter() {
        if let Some(entry) = result.stats.get_mut(key) {
            entry.objects += 1;
        }
    }
}

/// Computes the pair table of `activity` with the time `window` (seconds,
/// inclusive: `|t1 - t2| <= window`). Sorts `activity.shares` by object.
pub fn compute_pairs(activity: &mut Activity, window: f64) -> PairTable {
    sort_by_object(&mut activity.shares);
    let shares = &activity.shares;
    let near = activity.near.as_ref();
    let runs = object_runs(shares);
    let mut shard_runs: Vec<Vec<(usize, usize)>> = vec![Vec::new(); SHARDS];
    for &(start, end) in &runs {
        shard_runs[shard_of(shares[start].object)].push((start, end));
    }
    let shard_results: Vec<ShardResult> = shard_runs
        .par_iter()
        .map(|runs| {
            let mut result = ShardResult::default();
            let mut partners = Vec::new();
            let mut object_pairs = Vec::new();
            for &(start, end) in runs {
                accumulate_object(
                    &shares[start..end],
                    window,
                    near,
                    &mut result,
                    &mut partners,
                    &mut object_pairs,
                );
            }
            result
        })
        .collect();
    merge_shards(shard_results)
}

/// Merges shard results by pair key, in shard order.
fn merge_shards(shard_results: Vec<ShardResult>) -> PairTable {
    let mut multi: Vec<(u64, bool, u32)> = Vec::new();
    let mut sorted_shards: Vec<Vec<(u64, PairStats)>> = Vec::with_capacity(shard_results.len());
    for result in shard_results {
        multi.extend(result.multi);
        let mut entries: Vec<(u64, PairStats)> = result.stats.into_iter().collect();
        entries.sort_unstable_by_key(|(key, _)| *key);
        sorted_shards.push(entries);
    }
    // Stable sort keeps shard order among equal keys: deterministic sums.
    let mut all: Vec<(u64, PairStats)> = sorted_shards.into_iter().flatten().collect();
    all.par_sort_by_key(|(key, _)| *key);
    let mut merged: Vec<(u64, PairStats)> = Vec::new();
    for (key, stats) in all {
        match merged.last_mut() {
            Some((last, total)) if *last == key => total.add(&stats),
            _ => merged.push((key, stats)),
        }
    }
    multi.par_sort_unstable();
    multi.dedup();
    for (key, forward, _) in multi {
        if let Ok(at) = merged.binary_search_by_key(&key, |(k, _)| *k) {
            let stats = &mut merged[at].1;
            if forward {
                stats.forward += 1;
            } else {
                stats.backward += 1;
            }
        }
    }
    PairTable {
        pairs: merged
            .into_iter()
            .map(|(key, stats)| (unpack(key), stats))
            .collect(),
    }
}

/// Keeps only shares of accounts with at least `min_shares` distinct
/// messages (CooRnet's minimum participation).
pub fn filter_min_participation(activity: &mut Activity, min_shares: u32) {
    if min_shares <= 1 {
        return;
    }
    let mut messages_per_account = vec![0u32; activity.accounts.len()];
    let mut last_message = vec![u32::MAX; activity.accounts.len()];
    for share in &activity.shares {
        let account = share.account as usize;
        if last_message[account] != share.message {
            last_message[account] = share.message;
            messages_per_account[account] += 1;
        }
    }
    activity
        .shares
        .retain(|share| messages_per_account[share.account as usize] >= min_shares);
}

/// Estimates a coordination interval from the data as CooRnet does: for
/// every object shared at least twice, the time between its first and
/// second share; keep the fastest `q` quantile of those and return their
/// `p` quantile. `None` when no object was shared twice.
pub fn estimate_interval(activity: &Activity, q: f64, p: f64) -> Option<f64> {
    let mut shares = activity.shares.clone();
    sort_by_object(&mut shares);
    let mut deltas: Vec<f64> = object_runs(&shares)
        .into_iter()
        .filter(|(start, end)| end - start >= 2)
        .map(|(start, _)| shares[start + 1].time - shares[start].time)
        .collect();
    if deltas.is_empty() {
        return None;
    }
    deltas.sort_by(f64::total_cmp);
    let fastest = quantile_sorted(&deltas, q.clamp(0.0, 1.0))?;
    let kept: Vec<f64> = deltas
        .into_iter()
        .filter(|&delta| delta <= fastest)
        .collect();
    quantile_sorted(&kept, p.clamp(0.0, 1.0))
}

/// Quantile of sorted values (R type 7, linear interpolation).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = q * last as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(last);
    let fraction = position - below as f64;
    let low = *sorted.get(below)?;
    let high = *sorted.get(above)?;
    Some(low + (high - low) * fraction)
}
