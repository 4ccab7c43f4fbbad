//! All-pairs candidate generation for a batch of documents.
//!
//! The co-text detector needs every pair of near-identical posts in a batch,
//! once. Sorting each band's keys groups colliding documents without a hash
//! table per band, and a pair is reported only in the first band where it
//! collides, so nothing has to remember which pairs were already seen.

use crate::error::MinHashError;
use crate::index::band_key;
use crate::minhash::Signature;
use crate::params::{LshParams, check_threshold};
use crate::shingle::ShingleSet;

/// Two documents of a batch (by position, `left < right`) and their exact
/// Jaccard similarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimilarPair {
    /// Position of the first document in the batch.
    pub left: usize,
    /// Position of the second document in the batch (greater than `left`).
    pub right: usize,
    /// Exact Jaccard similarity of their shingle sets.
    pub jaccard: f64,
}

/// Calls `emit(left, right)` once for every pair of documents (positions in
/// `signatures`, `left < right`) that share at least one LSH band.
/// Documents with no shingles never pair. Order is unspecified.
///
/// Memory is `signatures.len() × bands` band keys plus one band's sort
/// buffer; a group of `m` identical documents yields `m(m−1)/2` pairs.
pub fn for_each_candidate_pair(
    signatures: &[Signature],
    params: LshParams,
    mut emit: impl FnMut(usize, usize),
) -> Result<(), MinHashError> {
    let Some(first) = signatures.first() else {
        return Ok(());
    };
    let num_perm = first.len();
    params.check_fits(num_perm)?;
    if let Some(odd) = signatures.iter().find(|s| s.len() != num_perm) {
        return Err(MinHashError::SignatureLength {
            expected: num_perm,
            actual: odd.len(),
        });
    }
    let bands = params.bands();
    let active: Vec<usize> = signatures
        .iter()
        .enumerate()
        .filter(|(_, signature)| !signature.is_of_empty_document())
        .map(|(position, _)| position)
        .collect();
    let mut keys = vec![0u64; signatures.len() * bands];
    for (signature, row) in signatures.iter().zip(keys.chunks_exact_mut(bands)) {
        for (band, key) in row.iter_mut().enumerate() {
            *key = band_key(signature.values(), params, band);
        }
    }
    let band_keys_of = |doc: usize| &keys[doc * bands..(doc + 1) * bands];

    let mut column: Vec<(u64, usize)> = Vec::with_capacity(active.len());
    for band in 0..bands {
        column.clear();
        column.extend(active.iter().map(|&doc| (band_keys_of(doc)[band], doc)));
        column.sort_unstable();
        for group in column.chunk_by(|a, b| a.0 == b.0) {
            for (i, &(_, left)) in group.iter().enumerate() {
                let left_keys = &band_keys_of(left)[..band];
                for &(_, right) in &group[i + 1..] {
                    let right_keys = &band_keys_of(right)[..band];
                    let seen_in_earlier_band =
                        left_keys.iter().zip(right_keys).any(|(a, b)| a == b);
                    if !seen_in_earlier_band {
                        emit(left, right);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Every candidate pair of the batch (see [`for_each_candidate_pair`]),
/// sorted.
pub fn candidate_pairs(
    signatures: &[Signature],
    params: LshParams,
) -> Result<Vec<(usize, usize)>, MinHashError> {
    let mut pairs = Vec::new();
    for_each_candidate_pair(signatures, params, |left, right| pairs.push((left, right)))?;
    pairs.sort_unstable();
    Ok(pairs)
}

/// Keeps the pairs whose exact Jaccard similarity is at least `threshold`.
/// Pair positions refer to `shingle_sets`; each pair comes back with
/// `left < right`.
pub fn verify_pairs_exact(
    shingle_sets: &[ShingleSet],
    pairs: impl IntoIterator<Item = (usize, usize)>,
    threshold: f64,
) -> Result<Vec<SimilarPair>, MinHashError> {
    check_threshold(threshold)?;
    let mut verified = Vec::new();
    for (a, b) in pairs {
        let (left, right) = (a.min(b), a.max(b));
        let (Some(left_set), Some(right_set)) = (shingle_sets.get(left), shingle_sets.get(right))
        else {
            return Err(MinHashError::PairOutOfRange {
                left,
                right,
                len: shingle_sets.len(),
            });
        };
        let jaccard = left_set.jaccard(right_set);
        if jaccard >= threshold {
            verified.push(SimilarPair {
                left,
                right,
                jaccard,
            });
        }
    }
    Ok(verified)
}

/// Candidate generation plus exact verification in one pass: calls `emit`
/// for every pair of the batch whose exact Jaccard similarity is at least
/// `threshold` and which LSH proposes. `signatures` and `shingle_sets` must
/// describe the same documents in the same order.
pub fn for_each_near_duplicate_pair(
    signatures: &[Signature],
    shingle_sets: &[ShingleSet],
    params: LshParams,
    threshold: f64,
    mut emit: impl FnMut(SimilarPair),
) -> Result<(), MinHashError> {
    check_threshold(threshold)?;
    if signatures.len() != shingle_sets.len() {
        return Err(MinHashError::BatchLengthMismatch {
            signatures: signatures.len(),
            shingle_sets: shingle_sets.len(),
        });
    }
    for_each_candidate_pair(signatures, params, |left, right| {
        if let (Some(a), Some(b)) = (shingle_sets.get(left), shingle_sets.get(right)) {
            let jaccard = a.jaccard(b);
            if jaccard >= threshold {
                emit(SimilarPair {
                    left,
                    right,
                    jaccard,
                });
            }
        }
    })
}
