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

/// LSH band keys of a batch of documents, without their signatures: what
/// candidate generation needs, in `bands` keys per document instead of
/// `num_perm` values. Build it in pieces (for instance one per thread) and
/// join them with [`BandKeys::append`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandKeys {
    params: LshParams,
    /// Document × band, row-major.
    keys: Vec<u64>,
    /// Documents with no shingles; they never pair.
    empty: Vec<bool>,
}

impl BandKeys {
    /// Keys of no documents yet, for signatures banded per `params`.
    pub fn new(params: LshParams) -> Self {
        Self {
            params,
            keys: Vec::new(),
            empty: Vec::new(),
        }
    }

    /// Adds the next document. Fails when the signature has fewer values
    /// than the bands need.
    pub fn push(&mut self, signature: &Signature) -> Result<(), MinHashError> {
        self.params.check_fits(signature.len())?;
        let values = signature.values();
        self.keys
            .extend((0..self.params.bands()).map(|band| band_key(values, self.params, band)));
        self.empty.push(signature.is_of_empty_document());
        Ok(())
    }

    /// Moves the documents of `other` after those of `self`. Fails when the
    /// two were made for different banding.
    pub fn append(&mut self, mut other: BandKeys) -> Result<(), MinHashError> {
        if other.params != self.params {
            return Err(MinHashError::BandingMismatch {
                left_bands: self.params.bands(),
                left_rows: self.params.rows(),
                right_bands: other.params.bands(),
                right_rows: other.params.rows(),
            });
        }
        self.keys.append(&mut other.keys);
        self.empty.append(&mut other.empty);
        Ok(())
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.empty.len()
    }

    /// `true` when no document was added.
    pub fn is_empty(&self) -> bool {
        self.empty.is_empty()
    }

    /// Calls `emit(left, right)` once for every pair of documents (by
    /// position, `left < right`) that share at least one band. Documents
    /// with no shingles never pair. Order is unspecified but fixed.
    ///
    /// Memory is one band's sort buffer; a group of `m` identical
    /// documents yields `m(m−1)/2` pairs.
    pub fn for_each_candidate_pair(&self, mut emit: impl FnMut(usize, usize)) {
        let bands = self.params.bands();
        let active: Vec<usize> = (0..self.len()).filter(|&doc| !self.empty[doc]).collect();
        let band_keys_of = |doc: usize| &self.keys[doc * bands..(doc + 1) * bands];
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
    }
}

/// Calls `emit(left, right)` once for every pair of documents (positions in
/// `signatures`, `left < right`) that share at least one LSH band.
/// Documents with no shingles never pair. Order is unspecified.
///
/// Memory is `signatures.len() × bands` band keys plus one band's sort
/// buffer; a group of `m` identical documents yields `m(m−1)/2` pairs.
/// [`BandKeys`] does the same without holding every signature.
pub fn for_each_candidate_pair(
    signatures: &[Signature],
    params: LshParams,
    emit: impl FnMut(usize, usize),
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
    let mut keys = BandKeys::new(params);
    for signature in signatures {
        keys.push(signature)?;
    }
    keys.for_each_candidate_pair(emit);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MinHashConfig, MinHasher};

    #[test]
    fn band_keys_built_in_pieces_give_the_same_pairs() {
        let hasher = MinHasher::new(MinHashConfig::default()).unwrap();
        let texts = [
            "the vote in district nine was rigged, share it",
            "the vote in district nine was rigged! share it",
            "lovely weather at the beach today",
            "",
            "the vote in district nine was rigged, share it now",
        ];
        let signatures: Vec<Signature> = texts.iter().map(|t| hasher.signature(t)).collect();
        let params = LshParams::new(16, 8).unwrap();
        let whole = candidate_pairs(&signatures, params).unwrap();
        let mut first = BandKeys::new(params);
        let mut second = BandKeys::new(params);
        for (position, signature) in signatures.iter().enumerate() {
            let piece = if position < 2 {
                &mut first
            } else {
                &mut second
            };
            piece.push(signature).unwrap();
        }
        first.append(second).unwrap();
        assert_eq!(first.len(), 5);
        let mut pieces = Vec::new();
        first.for_each_candidate_pair(|l, r| pieces.push((l, r)));
        pieces.sort_unstable();
        assert_eq!(pieces, whole);
        assert!(whole.contains(&(0, 1)));
        let other = BandKeys::new(LshParams::new(8, 8).unwrap());
        assert!(matches!(
            first.append(other),
            Err(MinHashError::BandingMismatch { .. })
        ));
    }
}
