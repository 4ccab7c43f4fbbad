//! Near-duplicate objects: image hashes within a Hamming distance (co-image)
//! and texts whose word tokens overlap by a Jaccard threshold (co-text).
//!
//! # Definition
//!
//! Two messages *pair* when their exact object keys are equal or **near**
//! (PDQ Hamming distance `<= max_distance`, or token-set Jaccard
//! `>= threshold`) and their times are within the window. Nearness is
//! judged pairwise on the exact keys, never transitively: if `a` is near
//! `b` and `b` near `c`, messages on `a` and `c` pair only when `a` is
//! near `c` too.
//!
//! # Keeping the object partition
//!
//! The data path ([`crate::network`]) shards by object and counts per
//! object, which is exact because every share belongs to exactly one
//! object. With near matching, the unit that plays the object's part is the
//! **near-duplicate group**: a connected component of the graph whose nodes
//! are the distinct exact keys and whose edges are the near pairs found.
//! Every share still belongs to exactly one group, every pairing message
//! pair lies inside one group, so per-group counting followed by the keyed
//! sum stays exact and shardable. [`group_near_duplicates`] rewrites each
//! share's `object` to its group (named by the group's lowest, i.e.
//! first-seen, key id, so printed objects are real keys); inside a group the
//! window walk keeps only pairs whose exact keys are equal or near, judged
//! on the spot ([`NearGroups::related`]). A group holding a single key costs
//! nothing extra.
//!
//! Near pairs are not kept: a family of `m` lightly edited copies has up to
//! `m²/2` of them, while only the few posted within one window of each
//! other matter. Groups are built with a union-find (for text it skips
//! candidates already in one group), and nearness of two keys met in the
//! window is recomputed from their hashes or token sets.
//!
//! # Finding near pairs
//!
//! * **Images** — every pair of distinct keys that parse as 64-digit PDQ
//!   hashes within `max_distance` bits is found exactly by
//!   [`crosswatch_pdq::for_each_pair_within`] (the multi-index principle of
//!   `crosswatch_pdq::PdqIndex` run as a self-join, one chunk position per
//!   thread). Keys that are not PDQ hashes are compared exactly only and
//!   counted in [`NearReport::not_comparable`]. Groups are exactly the
//!   components of the near relation.
//! * **Texts** — each distinct normalised text becomes its set of word
//!   tokens ([`crate::canon::similarity_tokens`], coordination-network-
//!   toolkit's tokeniser), interned to exact ids. Candidate pairs come from
//!   MinHash signatures banded for LSH ([`TextCandidates::MinHash`], banding
//!   chosen so that a pair exactly at the threshold becomes a candidate with
//!   probability at least [`MINHASH_RECALL_AT_THRESHOLD`]) or from exact
//!   prefix filtering ([`TextCandidates::Exhaustive`], every pair at or
//!   above the threshold is a candidate). Candidates are verified by exact
//!   Jaccard before they join two groups, and pairs met in the window are
//!   verified again, so there are no false positives. With MinHash a near
//!   pair is missed only when no chain of verified candidates links its two
//!   keys into one group; with prefix filtering nothing is missed.
//!
//! All of it is deterministic: groups are components of a fixed relation,
//! named by their smallest key id, and nothing depends on the thread count.
//!
//! ```
//! use crosswatch_detect::canon::Canonicalisers;
//! use crosswatch_detect::input::ActivityBuilder;
//! use crosswatch_detect::network::compute_pairs;
//! use crosswatch_detect::{NetworkKind, Similarity, TextCandidates, group_near_duplicates};
//!
//! let mut builder = ActivityBuilder::new(NetworkKind::CoText, Canonicalisers::default());
//! builder.push_row(2, Some("a"), Some("The vote was rigged, share before they delete it"), Some("0"));
//! builder.push_row(3, Some("b"), Some("the vote was RIGGED! share before they delete it"), Some("5"));
//! builder.push_row(4, Some("c"), Some("Lovely weather at the beach"), Some("9"));
//! let mut activity = builder.finish();
//! let similarity = Similarity::Jaccard { threshold: 0.8, candidates: TextCandidates::MinHash };
//! group_near_duplicates(&mut activity, similarity)?;
//! let table = compute_pairs(&mut activity, 60.0);
//! // a and b posted near-identical texts 5 s apart: one pair, one message each way.
//! assert_eq!(table.pairs.len(), 1);
//! assert_eq!((table.pairs[0].1.forward, table.pairs[0].1.backward), (1, 1));
//! # Ok::<(), crosswatch_detect::DetectError>(())
//! ```

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use crosswatch_minhash::{BandKeys, LshParams, MinHashConfig, MinHashError, MinHasher};
use crosswatch_pdq::{JOIN_PARTS, PdqHash, for_each_pair_within};
use rayon::prelude::*;
use serde::Serialize;

use crate::canon::similarity_tokens;
use crate::input::Activity;
use crate::intern::{Interner, PremixedHasher, mix64};
use crate::network::pair_key;
use crate::{DetectError, NetworkKind};

/// MinHash signature length used for co-text candidates.
pub const MINHASH_PERMUTATIONS: usize = 128;

/// Seed of the co-text MinHash permutations (fixed: same input, same pairs).
const MINHASH_SEED: u64 = 1;

/// Probability that a pair of texts exactly at the Jaccard threshold
/// becomes a MinHash candidate; pairs above the threshold are likelier.
pub const MINHASH_RECALL_AT_THRESHOLD: f64 = 0.995;

/// How the objects of a network are compared.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Similarity {
    /// Objects meet only when their keys are identical.
    Exact,
    /// Image hashes (PDQ) meet within this many differing bits.
    Hamming {
        /// Largest Hamming distance, 0..=256.
        max_distance: u32,
    },
    /// Texts meet when the Jaccard similarity of their word-token sets is
    /// at least `threshold`.
    Jaccard {
        /// Threshold in `(0, 1]`.
        threshold: f64,
        /// How candidate pairs are found before exact verification.
        candidates: TextCandidates,
    },
}

/// How co-text candidate pairs are generated (always verified exactly).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextCandidates {
    /// MinHash + LSH banding: near-linear, may miss a few pairs close to
    /// the threshold.
    #[serde(rename = "minhash")]
    MinHash,
    /// Prefix filtering on token sets ordered rarest first (AllPairs):
    /// finds every pair; slower when many texts share only common words.
    Exhaustive,
}

/// What near matching found for one network.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NearReport {
    /// The comparison used.
    pub similarity: Option<Similarity>,
    /// Distinct exact object keys compared.
    pub distinct_objects: u64,
    /// Keys that could not be compared by similarity (not a PDQ hash, or a
    /// text without tokens); they still meet identical keys.
    pub not_comparable: u64,
    /// Candidate pairs proposed (PDQ: hits within the distance).
    pub candidate_pairs: u64,
    /// Candidates verified exactly (those not already in one group).
    pub verified_pairs: u64,
    /// Near-duplicate groups holding more than one key.
    pub groups: u64,
    /// Keys in the largest group.
    pub largest_group: u64,
}

type PairSet = HashSet<u64, BuildHasherDefault<PremixedHasher>>;

/// How two distinct exact keys are judged near, on the spot.
#[derive(Clone, Debug)]
enum Relation {
    /// An explicit list of near pairs (the reference tests' arbitrary
    /// relations).
    Pairs(PairSet),
    /// PDQ hashes by key id (`None`: not a hash) within a distance.
    Hamming {
        hashes: Vec<Option<PdqHash>>,
        max_distance: u32,
    },
    /// Token-id sets by key id at or above a Jaccard threshold.
    Jaccard { sets: TokenSets, threshold: f64 },
}

impl Default for Relation {
    fn default() -> Self {
        Relation::Pairs(PairSet::default())
    }
}

impl Relation {
    fn near(&self, a: u32, b: u32) -> bool {
        match self {
            Relation::Pairs(pairs) => pairs.contains(&pair_key(a, b)),
            Relation::Hamming {
                hashes,
                max_distance,
            } => match (hashes.get(a as usize), hashes.get(b as usize)) {
                (Some(Some(x)), Some(Some(y))) => x.hamming_distance(y) <= *max_distance,
                _ => false,
            },
            Relation::Jaccard { sets, threshold } => {
                jaccard(sets.get(a), sets.get(b)) >= *threshold
            }
        }
    }
}

/// Near-duplicate grouping of an activity (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct NearGroups {
    /// Exact object key of every message, by message number
    /// (`u32::MAX` for messages without a share).
    message_object: Vec<u32>,
    /// Whether two distinct keys are near.
    relation: Relation,
    /// What was found.
    pub report: NearReport,
}

impl NearGroups {
    /// The exact object key of `message`.
    #[inline]
    pub fn exact_object(&self, message: u32) -> u32 {
        self.message_object
            .get(message as usize)
            .copied()
            .unwrap_or(u32::MAX)
    }

    /// Whether two exact keys meet: equal, or near.
    #[inline]
    pub fn related(&self, a: u32, b: u32) -> bool {
        a == b || self.relation.near(a, b)
    }
}

/// Union-find over object ids whose roots are the smallest id of their set,
/// so group names do not depend on the order of unions.
struct Groups {
    parent: Vec<u32>,
}

impl Groups {
    fn new(objects: usize) -> Self {
        Groups {
            parent: (0..objects as u32).collect(),
        }
    }

    /// Root with path halving.
    fn find(&mut self, mut node: u32) -> u32 {
        while let Some(&up) = self.parent.get(node as usize) {
            if up == node {
                break;
            }
            let grand = self.parent.get(up as usize).copied().unwrap_or(up);
            if let Some(slot) = self.parent.get_mut(node as usize) {
                *slot = grand;
            }
            node = grand;
        }
        node
    }

    fn union(&mut self, a: u32, b: u32) {
        let (root_a, root_b) = (self.find(a), self.find(b));
        let (low, high) = (root_a.min(root_b), root_a.max(root_b));
        if let Some(slot) = self.parent.get_mut(high as usize) {
            *slot = low;
        }
    }

    /// Unites `a` and `b` when they are in different groups and `near`
    /// says so; returns whether `near` was asked.
    fn unite_if(&mut self, a: u32, b: u32, near: impl FnOnce() -> bool) -> bool {
        if self.find(a) == self.find(b) {
            return false;
        }
        if near() {
            self.union(a, b);
        }
        true
    }
}

/// Finds near-duplicate objects of `activity` under `similarity` and
/// regroups its shares (see the module documentation). [`Similarity::Exact`]
/// leaves the activity as it is. Fails when the comparison does not fit the
/// network (Hamming is for co-image, Jaccard for co-text) or a parameter is
/// out of range.
pub fn group_near_duplicates(
    activity: &mut Activity,
    similarity: Similarity,
) -> Result<(), DetectError> {
    let kind = activity.kind;
    let used = used_objects(activity);
    let mut groups = Groups::new(activity.objects.len());
    let (relation, mut report) = match similarity {
        Similarity::Exact => return Ok(()),
        Similarity::Hamming { max_distance } => {
            if kind != NetworkKind::CoImage {
                return Err(DetectError::Similarity(format!(
                    "a Hamming distance applies to co-image, not {kind}"
                )));
            }
            if max_distance > 256 {
                return Err(DetectError::Similarity(format!(
                    "a PDQ hash has 256 bits; the distance {max_distance} is out of range"
                )));
            }
            hamming_groups(&activity.objects, &used, max_distance, &mut groups)?
        }
        Similarity::Jaccard {
            threshold,
            candidates,
        } => {
            if kind != NetworkKind::CoText {
                return Err(DetectError::Similarity(format!(
                    "a Jaccard similarity applies to co-text, not {kind}"
                )));
            }
            if !(threshold > 0.0 && threshold <= 1.0) {
                return Err(DetectError::Similarity(format!(
                    "the similarity threshold must be in (0, 1], got {threshold}"
                )));
            }
            jaccard_groups(&activity.objects, &used, threshold, candidates, &mut groups)?
        }
    };
    report.similarity = Some(similarity);
    report.distinct_objects = used.len() as u64;
    regroup(activity, groups, relation, report);
    Ok(())
}

/// Distinct object ids that some share refers to, ascending.
fn used_objects(activity: &Activity) -> Vec<u32> {
    let mut seen = vec![false; activity.objects.len()];
    for share in &activity.shares {
        if let Some(slot) = seen.get_mut(share.object as usize) {
            *slot = true;
        }
    }
    (0..seen.len() as u32)
        .filter(|&id| seen[id as usize])
        .collect()
}

/// Regroups `activity` by an explicit list of near pairs of exact object
/// ids: the reference tests' entry point for arbitrary relations.
#[cfg(test)]
pub(crate) fn apply_near_pairs(activity: &mut Activity, pairs: Vec<(u32, u32)>) {
    let mut groups = Groups::new(activity.objects.len());
    for &(a, b) in &pairs {
        groups.union(a, b);
    }
    let near: PairSet = pairs
        .iter()
        .filter(|(a, b)| a != b)
        .map(|&(a, b)| pair_key(a, b))
        .collect();
    regroup(
        activity,
        groups,
        Relation::Pairs(near),
        NearReport::default(),
    );
}

/// Rewrites each share's object to its group and keeps the exact keys and
/// the relation for the window walk.
fn regroup(
    activity: &mut Activity,
    mut groups: Groups,
    relation: Relation,
    mut report: NearReport,
) {
    let objects = activity.objects.len();
    let group: Vec<u32> = (0..objects as u32).map(|id| groups.find(id)).collect();
    let messages = activity
        .shares
        .iter()
        .map(|share| share.message as usize + 1)
        .max()
        .unwrap_or(0);
    let mut message_object = vec![u32::MAX; messages];
    let mut sizes = vec![0u64; objects];
    let mut counted = vec![false; objects];
    for share in &mut activity.shares {
        if let Some(slot) = message_object.get_mut(share.message as usize) {
            *slot = share.object;
        }
        let root = group
            .get(share.object as usize)
            .copied()
            .unwrap_or(share.object);
        if let Some(seen) = counted.get_mut(share.object as usize)
            && !*seen
        {
            *seen = true;
            if let Some(size) = sizes.get_mut(root as usize) {
                *size += 1;
            }
        }
        share.object = root;
    }
    report.groups = sizes.iter().filter(|&&size| size > 1).count() as u64;
    report.largest_group = sizes.iter().copied().max().unwrap_or(0);
    activity.near = Some(NearGroups {
        message_object,
        relation,
        report,
    });
}

/// Keys handled per parallel batch, bounding the memory of collected
/// candidates.
const BATCH: usize = 1 << 16;

/// Groups PDQ hash keys within `max_distance` bits.
fn hamming_groups(
    objects: &Interner,
    used: &[u32],
    max_distance: u32,
    groups: &mut Groups,
) -> Result<(Relation, NearReport), DetectError> {
    let mut hashes: Vec<Option<PdqHash>> = vec![None; objects.len()];
    let mut ids: Vec<u32> = Vec::with_capacity(used.len());
    let mut batch: Vec<PdqHash> = Vec::with_capacity(used.len());
    for &id in used {
        if let Ok(hash) = PdqHash::from_hex(objects.get(id)) {
            hashes[id as usize] = Some(hash);
            ids.push(id);
            batch.push(hash);
        }
    }
    let mut report = NearReport {
        not_comparable: (used.len() - ids.len()) as u64,
        ..NearReport::default()
    };
    // The join's parts are independent: one per thread, in a fixed order.
    let parts: Vec<Vec<(u32, u32)>> = (0..JOIN_PARTS)
        .into_par_iter()
        .map(|part| {
            let mut pairs = Vec::new();
            for_each_pair_within(&batch, max_distance, part, |left, right, _| {
                pairs.push((left, right));
            });
            pairs
        })
        .collect();
    for pairs in parts {
        report.candidate_pairs += pairs.len() as u64;
        for (left, right) in pairs {
            // The join has verified the distance already.
            groups.union(ids[left as usize], ids[right as usize]);
        }
    }
    report.verified_pairs = report.candidate_pairs;
    Ok((
        Relation::Hamming {
            hashes,
            max_distance,
        },
        report,
    ))
}

/// Sorted token-id sets of text keys, stored flat and indexed by object id
/// (keys that are not in use have empty sets).
#[derive(Clone, Debug, Default)]
struct TokenSets {
    offsets: Vec<usize>,
    tokens: Vec<u32>,
}

impl TokenSets {
    /// Tokenises the `used` keys of `objects`; token ids are exact (interned).
    fn new(objects: &Interner, used: &[u32]) -> Self {
        let mut vocabulary = Interner::new();
        let mut offsets = vec![0usize; objects.len() + 1];
        let mut tokens = Vec::new();
        let mut next = 0usize;
        for &id in used {
            for slot in &mut offsets[next + 1..=id as usize] {
                *slot = tokens.len();
            }
            let start = tokens.len();
            tokens.extend(similarity_tokens(objects.get(id)).map(|token| vocabulary.intern(token)));
            let set = &mut tokens[start..];
            set.sort_unstable();
            let kept = dedup_sorted(set);
            tokens.truncate(start + kept);
            offsets[id as usize + 1] = tokens.len();
            next = id as usize + 1;
        }
        for slot in &mut offsets[next + 1..] {
            *slot = tokens.len();
        }
        TokenSets { offsets, tokens }
    }

    /// The set of object `id`.
    fn get(&self, id: u32) -> &[u32] {
        let start = self.offsets.get(id as usize).copied().unwrap_or(0);
        let end = self.offsets.get(id as usize + 1).copied().unwrap_or(start);
        self.tokens.get(start..end).unwrap_or(&[])
    }
}

/// Moves the distinct values of sorted `values` to its front; returns how
/// many there are.
fn dedup_sorted(values: &mut [u32]) -> usize {
    let mut kept = 0;
    for index in 0..values.len() {
        if kept == 0 || values[index] != values[kept - 1] {
            values[kept] = values[index];
            kept += 1;
        }
    }
    kept
}

/// Exact Jaccard of two sorted id sets, computed as the toolkit does
/// (`|A ∩ B| / |A ∪ B|` in floating point); empty sets never match.
fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared as f64 / (a.len() + b.len() - shared) as f64
}

/// Groups text keys whose token sets reach Jaccard `threshold`.
fn jaccard_groups(
    objects: &Interner,
    used: &[u32],
    threshold: f64,
    candidates: TextCandidates,
    groups: &mut Groups,
) -> Result<(Relation, NearReport), DetectError> {
    let sets = TokenSets::new(objects, used);
    let set_of = |position: u32| sets.get(used[position as usize]);
    let near = |left: u32, right: u32| jaccard(set_of(left), set_of(right)) >= threshold;
    let mut report = NearReport {
        not_comparable: used.iter().filter(|&&id| sets.get(id).is_empty()).count() as u64,
        ..NearReport::default()
    };
    match candidates {
        TextCandidates::MinHash => {
            minhash_candidates(&set_of, used.len(), threshold, &mut |left, right| {
                report.candidate_pairs += 1;
                let (a, b) = (used[left as usize], used[right as usize]);
                report.verified_pairs += u64::from(groups.unite_if(a, b, || near(left, right)));
            })?;
        }
        TextCandidates::Exhaustive => {
            // Most prefix-filter candidates are not near: verify them on
            // all threads, then unite the near ones.
            let counts =
                prefix_filter_pairs(&set_of, used.len(), threshold, &near, &mut |left, right| {
                    groups.union(used[left as usize], used[right as usize]);
                });
            report.candidate_pairs = counts;
            report.verified_pairs = counts;
        }
    }
    Ok((Relation::Jaccard { sets, threshold }, report))
}

/// Bands × rows for `threshold`: the most rows (fewest false candidates)
/// that still make a pair at the threshold a candidate with probability at
/// least [`MINHASH_RECALL_AT_THRESHOLD`]; one row per band otherwise.
pub fn minhash_params(threshold: f64, num_perm: usize) -> Result<LshParams, DetectError> {
    let mut best = LshParams::new(num_perm, 1).map_err(similarity_error)?;
    for rows in 1..=num_perm {
        let params = LshParams::new(num_perm / rows, rows).map_err(similarity_error)?;
        if params.candidate_probability(threshold) >= MINHASH_RECALL_AT_THRESHOLD {
            best = params;
        } else {
            break;
        }
    }
    Ok(best)
}

fn similarity_error(err: impl std::fmt::Display) -> DetectError {
    DetectError::Similarity(err.to_string())
}

/// Calls `emit` with every MinHash/LSH candidate pair among `count` sets
/// (positions, `left < right`), each once, in a fixed order. Signatures
/// are turned into band keys as they are made, so memory is `bands` keys
/// per set, not `num_perm` values.
fn minhash_candidates<'s>(
    set_of: &(impl Fn(u32) -> &'s [u32] + Sync),
    count: usize,
    threshold: f64,
    emit: &mut impl FnMut(u32, u32),
) -> Result<(), DetectError> {
    let hasher = MinHasher::new(MinHashConfig {
        num_perm: MINHASH_PERMUTATIONS,
        seed: MINHASH_SEED,
        ..MinHashConfig::default()
    })
    .map_err(similarity_error)?;
    let params = minhash_params(threshold, MINHASH_PERMUTATIONS)?;
    let positions: Vec<u32> = (0..count as u32).collect();
    let pieces: Vec<Result<BandKeys, MinHashError>> = positions
        .par_chunks(4096)
        .map(|chunk| {
            let mut keys = BandKeys::new(params);
            for &position in chunk {
                let hashes = set_of(position)
                    .iter()
                    .map(|&token| mix64(u64::from(token)));
                keys.push(&hasher.signature_of_hashes(hashes))?;
            }
            Ok(keys)
        })
        .collect();
    let mut keys = BandKeys::new(params);
    for piece in pieces {
        keys.append(piece.map_err(similarity_error)?)
            .map_err(similarity_error)?;
    }
    keys.for_each_candidate_pair(|left, right| emit(left as u32, right as u32));
    Ok(())
}

/// Smallest overlap two sets need for Jaccard `>= threshold` when one of
/// them has `len` tokens, rounded down a little so that floating-point
/// error can only lengthen prefixes (which keeps the filter exact).
fn min_overlap(len: usize, threshold: f64) -> usize {
    ((threshold * len as f64) - 1e-9).ceil().max(1.0) as usize
}

/// Exact candidate pairs by prefix filtering (Bayardo et al., AllPairs):
/// with tokens ordered rarest first, two sets with Jaccard `>= t` share a
/// token within their first `|x| - ⌈t·|x|⌉ + 1` tokens. Also applies the
/// size filter `min(|x|, |y|) >= t · max(|x|, |y|)`. Every candidate among
/// the `count` sets (positions, `left < right`) is checked with `keep` on
/// all threads; `emit` gets the kept ones, each once, in a fixed order.
/// Returns the number of candidates.
fn prefix_filter_pairs<'s>(
    set_of: &(impl Fn(u32) -> &'s [u32] + Sync),
    count: usize,
    threshold: f64,
    keep: &(impl Fn(u32, u32) -> bool + Sync),
    emit: &mut impl FnMut(u32, u32),
) -> u64 {
    let positions: Vec<u32> = (0..count as u32).collect();
    let tokens = positions
        .iter()
        .flat_map(|&position| set_of(position).iter())
        .map(|&token| token as usize + 1)
        .max()
        .unwrap_or(0);
    let mut frequency = vec![0u32; tokens];
    for &position in &positions {
        for &token in set_of(position) {
            frequency[token as usize] += 1;
        }
    }
    // Rank tokens rarest first (ties by id): prefixes hold rare tokens.
    let mut order: Vec<u32> = (0..tokens as u32).collect();
    order.sort_unstable_by_key(|&token| (frequency[token as usize], token));
    let mut rank = vec![0u32; tokens];
    for (place, &token) in order.iter().enumerate() {
        rank[token as usize] = place as u32;
    }
    let prefix_of = |position: u32| -> Vec<u32> {
        let set = set_of(position);
        if set.is_empty() {
            return Vec::new();
        }
        let mut ranks: Vec<u32> = set.iter().map(|&token| rank[token as usize]).collect();
        ranks.sort_unstable();
        ranks.truncate(set.len() - min_overlap(set.len(), threshold) + 1);
        ranks
    };
    let prefixes: Vec<Vec<u32>> = positions
        .par_iter()
        .map(|&position| prefix_of(position))
        .collect();
    let mut postings: Vec<Vec<u32>> = vec![Vec::new(); tokens];
    for (position, prefix) in prefixes.iter().enumerate() {
        for &token in prefix {
            postings[token as usize].push(position as u32);
        }
    }
    let mut candidates = 0u64;
    for batch in positions.chunks(BATCH) {
        let found: Vec<(u64, Vec<u32>)> = batch
            .par_iter()
            .map(|&position| {
                let len = set_of(position).len();
                let mut partners: Vec<u32> = Vec::new();
                for &token in &prefixes[position as usize] {
                    for &other in &postings[token as usize] {
                        if other <= position {
                            continue;
                        }
                        let other_len = set_of(other).len();
                        let (small, large) = (len.min(other_len), len.max(other_len));
                        if small >= min_overlap(large, threshold) {
                            partners.push(other);
                        }
                    }
                }
                partners.sort_unstable();
                partners.dedup();
                let proposed = partners.len() as u64;
                partners.retain(|&other| keep(position, other));
                (proposed, partners)
            })
            .collect();
        for (&position, (proposed, partners)) in batch.iter().zip(found) {
            candidates += proposed;
            for other in partners {
                emit(position, other);
            }
        }
    }
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute_force(sets: &[Vec<u32>], threshold: f64) -> Vec<(u32, u32)> {
        let mut pairs = Vec::new();
        for i in 0..sets.len() {
            for j in i + 1..sets.len() {
                if jaccard(&sets[i], &sets[j]) >= threshold {
                    pairs.push((i as u32, j as u32));
                }
            }
        }
        pairs
    }

    fn verified(
        sets: &[Vec<u32>],
        threshold: f64,
        generate: impl FnOnce(&mut dyn FnMut(u32, u32)),
    ) -> Vec<(u32, u32)> {
        let mut pairs = Vec::new();
        generate(&mut |a, b| {
            assert!(a < b);
            if jaccard(&sets[a as usize], &sets[b as usize]) >= threshold {
                pairs.push((a, b));
            }
        });
        let count = pairs.len();
        pairs.sort_unstable();
        pairs.dedup();
        assert_eq!(pairs.len(), count, "a candidate pair came twice");
        pairs
    }

    #[test]
    fn minhash_params_reach_the_recall_target() {
        for threshold in [0.3, 0.5, 0.7, 0.8, 0.9, 1.0] {
            let params = minhash_params(threshold, MINHASH_PERMUTATIONS).unwrap();
            assert!(params.candidate_probability(threshold) >= MINHASH_RECALL_AT_THRESHOLD);
            assert!(params.values_used() <= MINHASH_PERMUTATIONS);
        }
        let at_080 = minhash_params(0.8, 128).unwrap();
        assert_eq!((at_080.bands(), at_080.rows()), (21, 6));
    }

    #[test]
    fn token_sets_are_sorted_distinct_and_empty_for_unused_keys() {
        let mut objects = Interner::new();
        for text in ["a b", "x y x !", "unused", "y x", "q"] {
            objects.intern(text);
        }
        let sets = TokenSets::new(&objects, &[1, 3]);
        assert_eq!(sets.get(1).len(), 3);
        assert!(sets.get(1).windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(sets.get(3).len(), 2);
        assert!(sets.get(3).iter().all(|token| sets.get(1).contains(token)));
        for unused in [0, 2, 4, 99] {
            assert!(sets.get(unused).is_empty());
        }
        assert_eq!(jaccard(sets.get(1), sets.get(3)), 2.0 / 3.0);
    }

    #[test]
    fn jaccard_matches_the_definition() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[1], &[1]), 1.0);
        assert_eq!(jaccard(&[], &[]), 0.0);
    }

    proptest! {
        #[test]
        fn prefix_filter_finds_every_pair(
            sets in prop::collection::vec(prop::collection::btree_set(0u32..30, 0..12), 0..40),
            threshold_step in 1u32..=20,
        ) {
            let threshold = f64::from(threshold_step) / 20.0;
            let sets: Vec<Vec<u32>> = sets.into_iter().map(|set| set.into_iter().collect()).collect();
            let expected = brute_force(&sets, threshold);
            let got = verified(&sets, threshold, |emit| {
                prefix_filter_pairs(&|p| sets[p as usize].as_slice(), sets.len(), threshold, &|_, _| true, &mut |a, b| emit(a, b));
            });
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn minhash_candidates_verify_to_true_pairs_only(
            sets in prop::collection::vec(prop::collection::btree_set(0u32..30, 0..12), 0..40),
            threshold_step in 10u32..=20,
        ) {
            let threshold = f64::from(threshold_step) / 20.0;
            let sets: Vec<Vec<u32>> = sets.into_iter().map(|set| set.into_iter().collect()).collect();
            let expected = brute_force(&sets, threshold);
            let got = verified(&sets, threshold, |emit| {
                minhash_candidates(&|p| sets[p as usize].as_slice(), sets.len(), threshold, &mut |a, b| emit(a, b)).unwrap();
            });
            for pair in &got {
                prop_assert!(expected.contains(pair));
            }
            // Identical non-empty sets always share every band.
            for &(a, b) in &expected {
                if sets[a as usize] == sets[b as usize] {
                    prop_assert!(got.contains(&(a, b)));
                }
            }
        }
    }
}
