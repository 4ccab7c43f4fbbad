//! All pairs of a batch of hashes within a Hamming distance (a self-join),
//! for grouping near-duplicate images.
//!
//! Querying a [`crate::PdqIndex`] once per hash finds the same pairs, but
//! each query jumps to thousands of scattered entries. The join instead
//! uses the same pigeonhole as the index — two hashes within `d` bits have
//! a 16-bit chunk that differs in at most `⌊d / 16⌋` bits — one chunk
//! position at a time: it sorts the hashes by that chunk (with their words
//! copied alongside, so buckets are read in order) and compares each bucket
//! with itself and with the buckets of neighbouring chunk values. A pair is
//! reported only at the first chunk position where it is that close, so
//! the [`JOIN_PARTS`] parts never report the same pair and can run on
//! different threads.

use crate::hash::PdqHash;
use crate::index::{CHUNKS, chunk_value, distance, for_each_neighbour};

/// Number of independent parts of a join (one per 16-bit chunk position).
pub const JOIN_PARTS: usize = CHUNKS;

/// Per-chunk radius from which neighbouring buckets are too many to visit;
/// the join then compares every pair in part 0.
const LARGEST_CHUNK_RADIUS: u32 = 2;

/// Calls `emit(i, j, distance)` for every pair of positions `i < j` in
/// `hashes` whose Hamming distance is at most `max_distance`, among the
/// pairs that belong to part `part` (`0..JOIN_PARTS`). Over all parts every
/// such pair is emitted exactly once; a `part` out of range emits nothing.
///
/// Exact at every distance. Up to 47 bits the work is that of the
/// multi-index (buckets of equal or one-/two-bit-apart chunk values); from
/// 48 bits every pair is compared, which is quadratic.
///
/// ```
/// use crosswatch_pdq::{JOIN_PARTS, PdqHash, for_each_pair_within};
///
/// let a = PdqHash([0x11; 32]);
/// let mut b = a;
/// b.0[3] ^= 0b101; // two bits away
/// let far = PdqHash([0xee; 32]);
/// let mut pairs = Vec::new();
/// for part in 0..JOIN_PARTS {
///     for_each_pair_within(&[a, far, b], 31, part, |i, j, d| pairs.push((i, j, d)));
/// }
/// assert_eq!(pairs, vec![(0, 2, 2)]);
/// ```
pub fn for_each_pair_within(
    hashes: &[PdqHash],
    max_distance: u32,
    part: usize,
    mut emit: impl FnMut(u32, u32, u32),
) {
    if part >= JOIN_PARTS {
        return;
    }
    let words: Vec<[u64; 4]> = hashes.iter().map(PdqHash::to_words).collect();
    let radius = max_distance / CHUNKS as u32;
    if radius > LARGEST_CHUNK_RADIUS {
        if part == 0 {
            all_pairs(&words, max_distance, &mut emit);
        }
        return;
    }
    // Hashes sorted by this part's chunk, words alongside.
    let mut sorted: Vec<(u16, u32, [u64; 4])> = words
        .iter()
        .enumerate()
        .map(|(position, words)| (chunk_value(words, part), position as u32, *words))
        .collect();
    sorted.sort_unstable_by_key(|&(value, position, _)| (value, position));
    let mut starts = vec![0usize; (1 << 16) + 1];
    for &(value, _, _) in &sorted {
        starts[usize::from(value) + 1] += 1;
    }
    for value in 0..(1 << 16) {
        starts[value + 1] += starts[value];
    }
    let bucket = |value: u16| &sorted[starts[usize::from(value)]..starts[usize::from(value) + 1]];

    let mut check = |x: &(u16, u32, [u64; 4]), y: &(u16, u32, [u64; 4])| {
        let found = distance(&x.2, &y.2);
        if found > max_distance {
            return;
        }
        // Report the pair at the first chunk position where it is close.
        let seen_earlier = (0..part).any(|earlier| {
            (chunk_value(&x.2, earlier) ^ chunk_value(&y.2, earlier)).count_ones() <= radius
        });
        if !seen_earlier {
            emit(x.1.min(y.1), x.1.max(y.1), found);
        }
    };
    for value in 0..=u16::MAX {
        let own = bucket(value);
        if own.is_empty() {
            continue;
        }
        for (index, x) in own.iter().enumerate() {
            for y in &own[index + 1..] {
                check(x, y);
            }
        }
        // Each unordered pair of distinct buckets once: from the lower value.
        for_each_neighbour(value, radius, |other| {
            if other > value {
                for x in own {
                    for y in bucket(other) {
                        check(x, y);
                    }
                }
            }
        });
    }
}

/// Every pair compared (distances of 48 bits and more).
fn all_pairs(words: &[[u64; 4]], max_distance: u32, emit: &mut impl FnMut(u32, u32, u32)) {
    for (i, x) in words.iter().enumerate() {
        for (offset, y) in words[i + 1..].iter().enumerate() {
            let found = distance(x, y);
            if found <= max_distance {
                emit(i as u32, (i + 1 + offset) as u32, found);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn joined(hashes: &[PdqHash], max_distance: u32) -> Vec<(u32, u32, u32)> {
        let mut pairs = Vec::new();
        for part in 0..JOIN_PARTS {
            for_each_pair_within(hashes, max_distance, part, |i, j, d| pairs.push((i, j, d)));
        }
        let count = pairs.len();
        pairs.sort_unstable();
        pairs.dedup();
        assert_eq!(pairs.len(), count, "a pair was emitted twice");
        pairs
    }

    fn brute_force(hashes: &[PdqHash], max_distance: u32) -> Vec<(u32, u32, u32)> {
        let mut pairs = Vec::new();
        for i in 0..hashes.len() {
            for j in i + 1..hashes.len() {
                let d = hashes[i].hamming_distance(&hashes[j]);
                if d <= max_distance {
                    pairs.push((i as u32, j as u32, d));
                }
            }
        }
        pairs
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn join_matches_brute_force(
            bases in prop::collection::vec(any::<[u8; 32]>(), 1..5),
            variants in prop::collection::vec((0usize..5, prop::collection::vec(any::<u8>(), 0..40)), 0..60),
            max_distance in prop::sample::select(vec![0u32, 1, 5, 15, 16, 17, 31, 32, 40, 47, 48, 64, 256]),
        ) {
            let hashes: Vec<PdqHash> = variants
                .iter()
                .map(|(base, flips)| {
                    let mut bytes = bases[base % bases.len()];
                    for &bit in flips {
                        bytes[usize::from(bit / 8)] ^= 1 << (bit % 8);
                    }
                    PdqHash(bytes)
                })
                .collect();
            prop_assert_eq!(joined(&hashes, max_distance), brute_force(&hashes, max_distance));
        }
    }

    #[test]
    fn parts_out_of_range_and_empty_input_emit_nothing() {
        let hashes = [PdqHash([0; 32]), PdqHash([0; 32])];
        let mut count = 0;
        for_each_pair_within(&hashes, 0, JOIN_PARTS, |_, _, _| count += 1);
        for_each_pair_within(&[], 31, 0, |_, _, _| count += 1);
        assert_eq!(count, 0);
        assert_eq!(joined(&hashes, 0), vec![(0, 1, 0)]);
    }
}
