//! An exact Hamming-distance index over PDQ hashes (multi-index hashing).
//!
//! Each hash is cut into 16 chunks of 16 bits, and each chunk position has
//! its own table from chunk value to the entries holding that value. If two
//! hashes are within distance `r`, then by pigeonhole at least one of their
//! 16 chunks differs in at most `⌊r / 16⌋` bits; a query therefore visits,
//! for every chunk, the buckets of all values that close to its own chunk
//! and verifies each candidate with a full 256-bit popcount. Nothing within
//! the radius can be missed. At the recommended distance 31 that is 17
//! buckets per chunk, a tiny fraction of a bank of millions.
//!
//! Storage per entry: the hash as four `u64` (32 bytes), the id, and one
//! `u32` entry number in each of the 16 tables (64 bytes). Inserts and
//! removals touch only the 16 buckets of the entry concerned.

use crate::error::PdqError;
use crate::hash::PdqHash;

pub(crate) const CHUNKS: usize = 16;
const CHUNK_BITS: u32 = 16;
const BUCKETS_PER_CHUNK: usize = 1 << CHUNK_BITS;

/// Per-chunk radius from which scanning every entry is cheaper than
/// enumerating neighbouring buckets (C(16, ≤3) = 697 buckets per chunk).
const LINEAR_SCAN_CHUNK_RADIUS: u32 = 3;

/// Below this many entries a plain scan beats any bucket walk.
const LINEAR_SCAN_MAX_ENTRIES: usize = 1024;

/// An exact, incrementally updatable index for Hamming-radius queries.
///
/// `Id` is whatever names an entry for the caller (a row number, a content
/// id); the same id may be inserted several times, each with its own hash.
#[derive(Debug, Clone)]
pub struct PdqIndex<Id> {
    /// Entry number → hash words.
    words: Vec<[u64; 4]>,
    /// Entry number → caller's id.
    ids: Vec<Id>,
    /// `chunk * 65536 + chunk value` → entry numbers; empty (not built)
    /// while the index is small enough that a scan is faster.
    buckets: Vec<Vec<u32>>,
}

impl<Id> Default for PdqIndex<Id> {
    fn default() -> Self {
        Self::new()
    }
}

/// The 16-bit chunk `chunk` (0..16) of a hash in word form.
#[inline]
pub(crate) fn chunk_value(words: &[u64; 4], chunk: usize) -> u16 {
    (words[chunk / 4] >> (48 - 16 * (chunk % 4))) as u16
}

#[inline]
pub(crate) fn distance(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    (a[0] ^ b[0]).count_ones()
        + (a[1] ^ b[1]).count_ones()
        + (a[2] ^ b[2]).count_ones()
        + (a[3] ^ b[3]).count_ones()
}

/// Calls `visit` with every 16-bit value within `radius` bits of `centre`
/// (radius 0..=2 in practice), each once.
pub(crate) fn for_each_neighbour(centre: u16, radius: u32, mut visit: impl FnMut(u16)) {
    visit(centre);
    if radius == 0 {
        return;
    }
    for first in 0..CHUNK_BITS {
        let once = centre ^ (1 << first);
        visit(once);
        if radius >= 2 {
            for second in (first + 1)..CHUNK_BITS {
                visit(once ^ (1 << second));
            }
        }
    }
}

impl<Id> PdqIndex<Id> {
    /// An empty index.
    pub fn new() -> Self {
        PdqIndex {
            words: Vec::new(),
            ids: Vec::new(),
            buckets: Vec::new(),
        }
    }

    /// An empty index with room for `entries` hashes before reallocating.
    pub fn with_capacity(entries: usize) -> Self {
        PdqIndex {
            words: Vec::with_capacity(entries),
            ids: Vec::with_capacity(entries),
            buckets: Vec::new(),
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the index holds no entry.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// All entries, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&Id, PdqHash)> + '_ {
        self.ids
            .iter()
            .zip(&self.words)
            .map(|(id, words)| (id, PdqHash::from_words(*words)))
    }

    /// Adds an entry. Fails only past 4,294,967,295 entries.
    pub fn insert(&mut self, id: Id, hash: PdqHash) -> Result<(), PdqError> {
        let entry = u32::try_from(self.words.len()).map_err(|_| PdqError::IndexFull)?;
        if entry == u32::MAX {
            return Err(PdqError::IndexFull);
        }
        let words = hash.to_words();
        self.words.push(words);
        self.ids.push(id);
        if !self.buckets.is_empty() {
            for chunk in 0..CHUNKS {
                self.bucket_mut(chunk, &words).push(entry);
            }
        } else if self.words.len() > LINEAR_SCAN_MAX_ENTRIES {
            self.build_tables();
        }
        Ok(())
    }

    /// Builds an index from many entries at once: faster than inserting
    /// them one by one, and every bucket gets exactly the room it needs.
    pub fn from_entries(
        entries: impl IntoIterator<Item = (Id, PdqHash)>,
    ) -> Result<Self, PdqError> {
        let mut index = PdqIndex::new();
        for (id, hash) in entries {
            if index.words.len() >= u32::MAX as usize {
                return Err(PdqError::IndexFull);
            }
            index.words.push(hash.to_words());
            index.ids.push(id);
        }
        if index.words.len() > LINEAR_SCAN_MAX_ENTRIES {
            index.build_tables();
        }
        Ok(index)
    }

    /// Fills the chunk tables from all entries; small indexes go without
    /// them (a scan is faster there) and build them when they grow.
    fn build_tables(&mut self) {
        let mut counts = vec![0u32; CHUNKS * BUCKETS_PER_CHUNK];
        for words in &self.words {
            for chunk in 0..CHUNKS {
                counts[chunk * BUCKETS_PER_CHUNK + usize::from(chunk_value(words, chunk))] += 1;
            }
        }
        let mut buckets: Vec<Vec<u32>> = counts
            .iter()
            .map(|&count| Vec::with_capacity(count as usize))
            .collect();
        for (entry, words) in self.words.iter().enumerate() {
            for chunk in 0..CHUNKS {
                let position = chunk * BUCKETS_PER_CHUNK + usize::from(chunk_value(words, chunk));
                buckets[position].push(entry as u32);
            }
        }
        self.buckets = buckets;
    }

    fn bucket_mut(&mut self, chunk: usize, words: &[u64; 4]) -> &mut Vec<u32> {
        let position = chunk * BUCKETS_PER_CHUNK + usize::from(chunk_value(words, chunk));
        // Only called when the tables are built, so `buckets` holds
        // CHUNKS * BUCKETS_PER_CHUNK lists and the position is in range.
        &mut self.buckets[position]
    }

    fn bucket(&self, chunk: usize, value: u16) -> &[u32] {
        self.buckets
            .get(chunk * BUCKETS_PER_CHUNK + usize::from(value))
            .map_or(&[], Vec::as_slice)
    }

    /// Entries within `max_distance` bits of `hash`, as (id, distance),
    /// closest first and ties by id. Exact: nothing within the radius is
    /// left out.
    pub fn query(&self, hash: &PdqHash, max_distance: u32) -> Vec<(Id, u32)>
    where
        Id: Clone + Ord,
    {
        let found = if self.uses_linear_scan(max_distance) {
            self.candidates_linear(hash, max_distance)
        } else {
            self.candidates_multi_index(hash, max_distance)
        };
        self.finish(found)
    }

    fn uses_linear_scan(&self, max_distance: u32) -> bool {
        self.buckets.is_empty() || max_distance / CHUNKS as u32 >= LINEAR_SCAN_CHUNK_RADIUS
    }

    fn finish(&self, found: Vec<(u32, u32)>) -> Vec<(Id, u32)>
    where
        Id: Clone + Ord,
    {
        let mut hits: Vec<(Id, u32)> = found
            .into_iter()
            .filter_map(|(entry, distance)| {
                self.ids
                    .get(entry as usize)
                    .map(|id| (id.clone(), distance))
            })
            .collect();
        hits.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        hits
    }

    fn candidates_linear(&self, hash: &PdqHash, max_distance: u32) -> Vec<(u32, u32)> {
        let query = hash.to_words();
        self.words
            .iter()
            .enumerate()
            .filter_map(|(entry, words)| {
                let distance = distance(words, &query);
                (distance <= max_distance).then_some((entry as u32, distance))
            })
            .collect()
    }

    fn candidates_multi_index(&self, hash: &PdqHash, max_distance: u32) -> Vec<(u32, u32)> {
        let query = hash.to_words();
        let chunk_radius = max_distance / CHUNKS as u32;
        let query_chunks: [u16; CHUNKS] = std::array::from_fn(|chunk| chunk_value(&query, chunk));
        let mut found = Vec::new();
        for (chunk, &centre) in query_chunks.iter().enumerate() {
            for_each_neighbour(centre, chunk_radius, |value| {
                for &entry in self.bucket(chunk, value) {
                    let Some(words) = self.words.get(entry as usize) else {
                        continue;
                    };
                    let distance = distance(words, &query);
                    if distance > max_distance {
                        continue;
                    }
                    // Report each entry once: from the first chunk that is
                    // close enough to be visited.
                    let seen_earlier =
                        query_chunks[..chunk]
                            .iter()
                            .enumerate()
                            .any(|(earlier, &q)| {
                                (chunk_value(words, earlier) ^ q).count_ones() <= chunk_radius
                            });
                    if !seen_earlier {
                        found.push((entry, distance));
                    }
                }
            });
        }
        found
    }

    /// Removes one entry with this id and hash; returns whether one was
    /// found. The last entry moves into the freed place, so removal costs
    /// 32 bucket edits however large the index.
    pub fn remove(&mut self, id: &Id, hash: &PdqHash) -> bool
    where
        Id: PartialEq,
    {
        let words = hash.to_words();
        let matches = |entry: u32| {
            self.words.get(entry as usize) == Some(&words)
                && self.ids.get(entry as usize) == Some(id)
        };
        let found = if self.buckets.is_empty() {
            (0..self.words.len() as u32).find(|&entry| matches(entry))
        } else {
            self.bucket(0, chunk_value(&words, 0))
                .iter()
                .copied()
                .find(|&entry| matches(entry))
        };
        let Some(entry) = found else {
            return false;
        };
        if self.buckets.is_empty() {
            self.words.swap_remove(entry as usize);
            self.ids.swap_remove(entry as usize);
            return true;
        }
        for chunk in 0..CHUNKS {
            let bucket = self.bucket_mut(chunk, &words);
            if let Some(position) = bucket.iter().position(|&e| e == entry) {
                bucket.swap_remove(position);
            }
        }
        let last = (self.words.len() - 1) as u32;
        self.words.swap_remove(entry as usize);
        self.ids.swap_remove(entry as usize);
        if entry != last {
            let moved = self.words[entry as usize];
            for chunk in 0..CHUNKS {
                let bucket = self.bucket_mut(chunk, &moved);
                if let Some(slot) = bucket.iter_mut().find(|e| **e == last) {
                    *slot = entry;
                }
            }
        }
        true
    }

    /// Approximate heap bytes in use, for capacity planning.
    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * std::mem::size_of::<[u64; 4]>()
            + self.ids.capacity() * std::mem::size_of::<Id>()
            + self.buckets.capacity() * std::mem::size_of::<Vec<u32>>()
            + self
                .buckets
                .iter()
                .map(|bucket| bucket.capacity() * std::mem::size_of::<u32>())
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute_force(entries: &[(u32, PdqHash)], query: &PdqHash, radius: u32) -> Vec<(u32, u32)> {
        let mut hits: Vec<(u32, u32)> = entries
            .iter()
            .map(|(id, hash)| (*id, hash.hamming_distance(query)))
            .filter(|(_, distance)| *distance <= radius)
            .collect();
        hits.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        hits
    }

    /// A hash `flips` bits away from `base`, flipping the bits at the given
    /// positions (duplicates cancel, so the distance is at most `flips`).
    fn perturb(base: &PdqHash, positions: &[u8]) -> PdqHash {
        let mut bytes = base.0;
        for &position in positions {
            bytes[usize::from(position / 8)] ^= 1 << (position % 8);
        }
        PdqHash(bytes)
    }

    fn multi_index_hits(
        index: &mut PdqIndex<u32>,
        query: &PdqHash,
        radius: u32,
    ) -> Vec<(u32, u32)> {
        if index.buckets.is_empty() {
            index.build_tables();
        }
        index.finish(index.candidates_multi_index(query, radius))
    }

    #[test]
    fn neighbour_enumeration_counts() {
        for (radius, expected) in [(0u32, 1usize), (1, 17), (2, 137)] {
            let mut seen = std::collections::HashSet::new();
            for_each_neighbour(0xa5a5, radius, |value| {
                assert!((value ^ 0xa5a5).count_ones() <= radius);
                assert!(seen.insert(value), "visited {value:#x} twice");
            });
            assert_eq!(seen.len(), expected);
        }
    }

    #[test]
    fn insert_query_remove() {
        let mut index = PdqIndex::new();
        let a = PdqHash([0x11; 32]);
        let b = perturb(&a, &[0, 9, 200]);
        index.insert("a", a).unwrap();
        index.insert("b", b).unwrap();
        index.insert("far", PdqHash([0xee; 32])).unwrap();
        assert_eq!(index.query(&a, 31), vec![("a", 0), ("b", 3)]);
        assert_eq!(multi_index_hits_str(&mut index, &a, 2), vec![("a", 0)]);
        assert!(!index.remove(&"b", &a));
        assert!(index.remove(&"a", &a));
        assert_eq!(index.query(&a, 31), vec![("b", 3)]);
        assert_eq!(index.len(), 2);
        assert!(index.remove(&"far", &PdqHash([0xee; 32])));
        assert!(index.remove(&"b", &b));
        assert!(index.is_empty());
        assert!(index.query(&a, 256).is_empty());
    }

    #[test]
    fn bulk_and_incremental_builds_agree_past_the_scan_threshold() {
        let base = PdqHash([0x5a; 32]);
        let entries: Vec<(u32, PdqHash)> = (0..3000u32)
            .map(|id| {
                let positions: Vec<u8> = (0..(id % 40))
                    .map(|k| ((id * 31 + k * 97) % 256) as u8)
                    .collect();
                (id, perturb(&base, &positions))
            })
            .collect();
        let bulk = PdqIndex::from_entries(entries.iter().copied()).unwrap();
        let mut incremental = PdqIndex::new();
        for (id, hash) in &entries {
            incremental.insert(*id, *hash).unwrap();
        }
        assert!(!bulk.buckets.is_empty() && !incremental.buckets.is_empty());
        for radius in [0, 5, 16, 31, 40] {
            let expected = brute_force(&entries, &base, radius);
            assert!(!expected.is_empty());
            assert_eq!(bulk.query(&base, radius), expected);
            assert_eq!(incremental.query(&base, radius), expected);
        }
        let mut remaining = entries.clone();
        for (id, hash) in entries.iter().filter(|(id, _)| id % 3 == 0) {
            assert!(incremental.remove(id, hash));
            remaining.retain(|(other, _)| other != id);
        }
        assert_eq!(
            incremental.query(&base, 31),
            brute_force(&remaining, &base, 31)
        );
    }

    fn multi_index_hits_str(
        index: &mut PdqIndex<&'static str>,
        query: &PdqHash,
        radius: u32,
    ) -> Vec<(&'static str, u32)> {
        if index.buckets.is_empty() {
            index.build_tables();
        }
        index.finish(index.candidates_multi_index(query, radius))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn matches_brute_force_under_inserts_and_removes(
            bases in prop::collection::vec(any::<[u8; 32]>(), 1..6),
            variants in prop::collection::vec((0usize..6, prop::collection::vec(any::<u8>(), 0..48)), 1..80),
            removals in prop::collection::vec(any::<prop::sample::Index>(), 0..30),
            query_base in 0usize..6,
            query_flips in prop::collection::vec(any::<u8>(), 0..40),
            radius in 0u32..64,
            tables_before_removals in any::<bool>(),
        ) {
            // Clusters of near neighbours around a few bases, so that every
            // radius has hits near its edge.
            let bases: Vec<PdqHash> = bases.into_iter().map(PdqHash).collect();
            let mut entries: Vec<(u32, PdqHash)> = variants
                .iter()
                .enumerate()
                .map(|(id, (base, flips))| (id as u32, perturb(&bases[base % bases.len()], flips)))
                .collect();
            let mut index = PdqIndex::new();
            for (id, hash) in &entries {
                index.insert(*id, *hash).unwrap();
            }
            if tables_before_removals {
                // Exercise removal through the chunk tables too.
                index.build_tables();
            }
            for removal in removals {
                if entries.is_empty() {
                    break;
                }
                let (id, hash) = entries.remove(removal.index(entries.len()));
                prop_assert!(index.remove(&id, &hash));
            }
            prop_assert_eq!(index.len(), entries.len());
            let query = perturb(&bases[query_base % bases.len()], &query_flips);
            let expected = brute_force(&entries, &query, radius);
            prop_assert_eq!(&index.query(&query, radius), &expected);
            if radius / 16 < LINEAR_SCAN_CHUNK_RADIUS {
                prop_assert_eq!(&multi_index_hits(&mut index, &query, radius), &expected);
            }
        }
    }
}
