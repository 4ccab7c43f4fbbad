//! An LSH index over MinHash signatures with incremental insert and remove.
//!
//! Each band of `rows` signature values is hashed to a 64-bit key; documents
//! sharing a key in any band are candidates. Removal recomputes the band
//! keys from the stored signature, so nothing is ever rebuilt.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use crate::error::MinHashError;
use crate::hash::hash_u32s;
use crate::minhash::{Signature, agreement};
use crate::params::{LshParams, check_threshold};
use crate::shingle::ShingleSet;

/// Seed of band-key hashing; the band number is added so that equal values
/// in different bands do not share a key.
const BAND_SEED: u64 = 0x4C53_485F_4241_4E44;

/// Band keys are already uniformly mixed hashes; rehashing them with SipHash
/// would only cost time.
#[derive(Default)]
struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type BandTable = HashMap<u64, Vec<u32>, BuildHasherDefault<PassThroughHasher>>;

/// The key of band `band` (0-based) of a signature.
#[inline]
pub(crate) fn band_key(values: &[u32], params: LshParams, band: usize) -> u64 {
    let start = band * params.rows();
    let rows = values.get(start..start + params.rows()).unwrap_or(&[]);
    hash_u32s(BAND_SEED.wrapping_add(band as u64), rows)
}

/// A candidate returned by a verified query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match<'a, K> {
    /// The key the document was inserted with.
    pub key: &'a K,
    /// Estimated or exact Jaccard similarity to the query.
    pub similarity: f64,
}

/// One stored document.
#[derive(Debug, Clone)]
struct Entry<K> {
    key: K,
    signature: Signature,
}

/// LSH index over MinHash signatures, keyed by `K` (a post id, say).
///
/// ```
/// use crosswatch_minhash::{LshIndex, MinHashConfig, MinHasher};
/// let hasher = MinHasher::new(MinHashConfig::default()).unwrap();
/// let mut index = LshIndex::with_threshold(hasher.num_perm(), 0.7).unwrap();
/// index.insert(1u64, hasher.signature("The election was rigged, share before they delete this!")).unwrap();
/// index.insert(2u64, hasher.signature("Lovely weather at the beach today")).unwrap();
/// let query = hasher.signature("the ELECTION was rigged - share before they delete this");
/// let hits = index.query_verified(&query, 0.7).unwrap();
/// assert_eq!(hits.len(), 1);
/// assert_eq!(*hits[0].key, 1);
/// index.remove(&1);
/// assert!(index.query(&query).unwrap().is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct LshIndex<K> {
    params: LshParams,
    num_perm: usize,
    tables: Vec<BandTable>,
    slots: Vec<Option<Entry<K>>>,
    free_slots: Vec<u32>,
    slot_of_key: HashMap<K, u32>,
}

impl<K: Eq + Hash + Clone> LshIndex<K> {
    /// An empty index for signatures of `num_perm` values, banded per
    /// `params`.
    pub fn new(num_perm: usize, params: LshParams) -> Result<Self, MinHashError> {
        if num_perm == 0 {
            return Err(MinHashError::ZeroPermutations);
        }
        params.check_fits(num_perm)?;
        Ok(Self {
            params,
            num_perm,
            tables: (0..params.bands()).map(|_| BandTable::default()).collect(),
            slots: Vec::new(),
            free_slots: Vec::new(),
            slot_of_key: HashMap::new(),
        })
    }

    /// An empty index with bands × rows chosen for `threshold` with equal
    /// false-positive and false-negative weights (datasketch's default).
    pub fn with_threshold(num_perm: usize, threshold: f64) -> Result<Self, MinHashError> {
        Self::new(num_perm, LshParams::optimal(threshold, num_perm, 0.5, 0.5)?)
    }

    /// The banding in use.
    pub fn params(&self) -> LshParams {
        self.params
    }

    /// Number of documents stored.
    pub fn len(&self) -> usize {
        self.slot_of_key.len()
    }

    /// `true` when no document is stored.
    pub fn is_empty(&self) -> bool {
        self.slot_of_key.is_empty()
    }

    /// `true` when `key` is stored.
    pub fn contains(&self, key: &K) -> bool {
        self.slot_of_key.contains_key(key)
    }

    /// The stored signature of `key`.
    pub fn signature(&self, key: &K) -> Option<&Signature> {
        let slot = *self.slot_of_key.get(key)?;
        self.entry(slot).map(|entry| &entry.signature)
    }

    /// Adds a document. Fails if `key` is already present or the signature
    /// has the wrong length. Signatures of empty documents are stored but
    /// never become candidates.
    pub fn insert(&mut self, key: K, signature: Signature) -> Result<(), MinHashError> {
        self.check_length(&signature)?;
        if self.slot_of_key.contains_key(&key) {
            return Err(MinHashError::DuplicateKey);
        }
        let slot = match self.free_slots.pop() {
            Some(slot) => slot,
            None => {
                let slot = u32::try_from(self.slots.len()).map_err(|_| MinHashError::IndexFull)?;
                self.slots.push(None);
                slot
            }
        };
        if !signature.is_of_empty_document() {
            for (band, table) in self.tables.iter_mut().enumerate() {
                let key = band_key(signature.values(), self.params, band);
                table.entry(key).or_default().push(slot);
            }
        }
        self.slot_of_key.insert(key.clone(), slot);
        if let Some(place) = self.slots.get_mut(slot as usize) {
            *place = Some(Entry { key, signature });
        }
        Ok(())
    }

    /// Removes a document, returning its signature, or `None` if absent.
    pub fn remove(&mut self, key: &K) -> Option<Signature> {
        let slot = self.slot_of_key.remove(key)?;
        let entry = self.slots.get_mut(slot as usize)?.take()?;
        if !entry.signature.is_of_empty_document() {
            for (band, table) in self.tables.iter_mut().enumerate() {
                let band_key = band_key(entry.signature.values(), self.params, band);
                if let Some(bucket) = table.get_mut(&band_key) {
                    if let Some(position) = bucket.iter().position(|&s| s == slot) {
                        bucket.swap_remove(position);
                    }
                    if bucket.is_empty() {
                        table.remove(&band_key);
                    }
                }
            }
        }
        self.free_slots.push(slot);
        Some(entry.signature)
    }

    /// Keys of all documents sharing at least one band with `signature`,
    /// each once, in no particular order. Unverified: some may be below the
    /// threshold and, rarely, some above it are missed.
    pub fn query(&self, signature: &Signature) -> Result<Vec<&K>, MinHashError> {
        let slots = self.candidate_slots(signature)?;
        Ok(slots
            .into_iter()
            .filter_map(|slot| self.entry(slot).map(|entry| &entry.key))
            .collect())
    }

    /// Candidates whose estimated Jaccard similarity (from the stored
    /// signatures) is at least `threshold`, most similar first.
    pub fn query_verified(
        &self,
        signature: &Signature,
        threshold: f64,
    ) -> Result<Vec<Match<'_, K>>, MinHashError> {
        self.query_verified_by(signature, threshold, |_, stored| {
            Some(agreement(signature.values(), stored.values()) as f64 / self.num_perm as f64)
        })
    }

    /// Candidates whose exact Jaccard similarity to `shingles` is at least
    /// `threshold`, most similar first. `shingles_of` looks up the shingle
    /// set of a stored key; candidates it has no set for are dropped.
    pub fn query_verified_exact<'s>(
        &self,
        signature: &Signature,
        shingles: &ShingleSet,
        threshold: f64,
        mut shingles_of: impl FnMut(&K) -> Option<&'s ShingleSet>,
    ) -> Result<Vec<Match<'_, K>>, MinHashError> {
        self.query_verified_by(signature, threshold, |key, _| {
            shingles_of(key).map(|stored| shingles.jaccard(stored))
        })
    }

    /// Candidates scored by `similarity(key, stored_signature)` (return
    /// `None` to drop one) and kept when the score is at least `threshold`,
    /// most similar first.
    pub fn query_verified_by(
        &self,
        signature: &Signature,
        threshold: f64,
        mut similarity: impl FnMut(&K, &Signature) -> Option<f64>,
    ) -> Result<Vec<Match<'_, K>>, MinHashError> {
        check_threshold(threshold)?;
        let mut matches: Vec<Match<'_, K>> = self
            .candidate_slots(signature)?
            .into_iter()
            .filter_map(|slot| {
                let entry = self.entry(slot)?;
                let score = similarity(&entry.key, &entry.signature)?;
                (score >= threshold).then_some(Match {
                    key: &entry.key,
                    similarity: score,
                })
            })
            .collect();
        matches.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        Ok(matches)
    }

    /// Iterates over stored keys and signatures, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &Signature)> {
        self.slots
            .iter()
            .flatten()
            .map(|entry| (&entry.key, &entry.signature))
    }

    fn entry(&self, slot: u32) -> Option<&Entry<K>> {
        self.slots.get(slot as usize)?.as_ref()
    }

    fn check_length(&self, signature: &Signature) -> Result<(), MinHashError> {
        if signature.len() == self.num_perm {
            Ok(())
        } else {
            Err(MinHashError::SignatureLength {
                expected: self.num_perm,
                actual: signature.len(),
            })
        }
    }

    /// Distinct slots sharing a band with `signature`, ascending.
    fn candidate_slots(&self, signature: &Signature) -> Result<Vec<u32>, MinHashError> {
        self.check_length(signature)?;
        let mut slots = Vec::new();
        if signature.is_of_empty_document() {
            return Ok(slots);
        }
        for (band, table) in self.tables.iter().enumerate() {
            if let Some(bucket) = table.get(&band_key(signature.values(), self.params, band)) {
                slots.extend_from_slice(bucket);
            }
        }
        slots.sort_unstable();
        slots.dedup();
        Ok(slots)
    }
}
