//! Compact string interning: every account and object key is stored once in
//! one byte arena and referred to by a dense `u32` id, so the hot data path
//! works on small integers and the memory cost is about the text itself.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for keys that are already well-mixed 64-bit hashes.
#[derive(Default, Clone, Copy)]
pub(crate) struct PremixedHasher(u64);

impl Hasher for PremixedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = mix64(value);
    }
    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }
}

/// splitmix64 finaliser: cheap, and spreads sequential ids over all bits.
#[inline]
pub(crate) fn mix64(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `HashMap` keyed by integers, with a fast deterministic hasher.
pub(crate) type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<PremixedHasher>>;

/// A string hash that reads eight bytes at a step, then a splitmix
/// finaliser: deterministic across runs and platforms (unlike the randomly
/// seeded std hasher). It only spreads strings over the table; equality is
/// always checked on the text.
pub(crate) fn hash_str(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut hash = 0xcbf2_9ce4_8422_2325_u64 ^ bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut buffer = [0u8; 8];
        buffer.copy_from_slice(word);
        hash = (hash ^ u64::from_le_bytes(buffer))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
    }
    let rest = words.remainder();
    let mut buffer = [0u8; 8];
    buffer[..rest.len()].copy_from_slice(rest);
    mix64(hash ^ u64::from_le_bytes(buffer))
}

/// Bytes of the header stored before each string in the arena: its length
/// (u64) and its id (u32), little-endian.
const HEADER: usize = 12;

/// One slot of the open-addressing table: the string's hash and where its
/// header starts in the arena (`EMPTY` when free).
#[derive(Clone, Copy, Debug)]
struct Slot {
    hash: u64,
    at: u64,
}

const EMPTY: u64 = u64::MAX;

/// Interns strings into dense ids `0..len()` in first-seen order.
///
/// Interning is the hot loop of reading millions of rows, and on large
/// inputs its cost is cache misses, so a hit touches two places only: the
/// table slot (hash and arena position together) and the arena, where each
/// string's length and id sit just before its bytes.
#[derive(Debug, Clone)]
pub struct Interner {
    /// Header and bytes of every string, in id order.
    arena: Vec<u8>,
    /// Arena position of each id's header.
    starts: Vec<u64>,
    /// Linear-probing table, a power of two long, at most three quarters
    /// full (four slots share a cache line, so probes rarely cost a miss).
    slots: Vec<Slot>,
}

impl Default for Interner {
    fn default() -> Self {
        Self::new()
    }
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Self {
        Self {
            arena: Vec::new(),
            starts: Vec::new(),
            slots: vec![Slot { hash: 0, at: EMPTY }; 16],
        }
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when nothing has been interned.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The string whose header starts at arena position `at`, and its id.
    fn entry(&self, at: u64) -> (&[u8], u32) {
        let at = at as usize;
        let header = self.arena.get(at..at + HEADER).unwrap_or(&[0; HEADER]);
        let mut length = [0u8; 8];
        length.copy_from_slice(&header[..8]);
        let mut id = [0u8; 4];
        id.copy_from_slice(&header[8..]);
        let start = at + HEADER;
        let end = start.saturating_add(u64::from_le_bytes(length) as usize);
        (
            self.arena.get(start..end).unwrap_or(&[]),
            u32::from_le_bytes(id),
        )
    }

    /// The string with id `id`, or `""` for an unknown id.
    pub fn get(&self, id: u32) -> &str {
        match self.starts.get(id as usize) {
            Some(&at) => std::str::from_utf8(self.entry(at).0).unwrap_or(""),
            None => "",
        }
    }

    /// The slot holding `text`, or the free slot where it belongs.
    fn find(&self, text: &str, hash: u64) -> (usize, Option<u32>) {
        let mask = self.slots.len() - 1;
        let mut index = hash as usize & mask;
        loop {
            let slot = self.slots[index];
            if slot.at == EMPTY {
                return (index, None);
            }
            if slot.hash == hash {
                let (bytes, id) = self.entry(slot.at);
                if bytes == text.as_bytes() {
                    return (index, Some(id));
                }
            }
            index = (index + 1) & mask;
        }
    }

    /// The id of `text`, if it was interned.
    pub fn lookup(&self, text: &str) -> Option<u32> {
        self.find(text, hash_str(text)).1
    }

    /// The id of `text`, interning it when new. Ids are assigned in
    /// first-seen order, so they depend only on the input order.
    pub fn intern(&mut self, text: &str) -> u32 {
        let hash = hash_str(text);
        let (index, found) = self.find(text, hash);
        if let Some(id) = found {
            return id;
        }
        let id = u32::try_from(self.starts.len()).unwrap_or(u32::MAX);
        let at = self.arena.len() as u64;
        self.arena
            .extend_from_slice(&(text.len() as u64).to_le_bytes());
        self.arena.extend_from_slice(&id.to_le_bytes());
        self.arena.extend_from_slice(text.as_bytes());
        self.starts.push(at);
        self.slots[index] = Slot { hash, at };
        if self.starts.len() * 4 > self.slots.len() * 3 {
            self.grow();
        }
        id
    }

    /// Doubles the table, re-placing every string by its stored hash.
    fn grow(&mut self) {
        let capacity = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![Slot { hash: 0, at: EMPTY }; capacity]);
        let mask = capacity - 1;
        for slot in old.into_iter().filter(|slot| slot.at != EMPTY) {
            let mut index = slot.hash as usize & mask;
            while self.slots[index].at != EMPTY {
                index = (index + 1) & mask;
            }
            self.slots[index] = slot;
        }
    }

    /// Iterates `(id, text)` in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        (0..self.starts.len()).map(|index| (index as u32, self.get(index as u32)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_stable_and_dense() {
        let mut interner = Interner::new();
        assert_eq!(interner.intern("a"), 0);
        assert_eq!(interner.intern("bb"), 1);
        assert_eq!(interner.intern("a"), 0);
        assert_eq!(interner.intern(""), 2);
        assert_eq!(interner.get(1), "bb");
        assert_eq!(interner.get(2), "");
        assert_eq!(interner.lookup("bb"), Some(1));
        assert_eq!(interner.lookup("zz"), None);
        assert_eq!(interner.len(), 3);
    }

    proptest::proptest! {
        /// Against a naive reference: ids are first-seen positions, and
        /// every string reads back, across table growth and hash collisions
        /// of short, similar strings.
        #[test]
        fn interning_matches_a_naive_list(
            texts in proptest::collection::vec("[ab\u{e9}]{0,10}", 0..400),
        ) {
            let mut interner = Interner::new();
            let mut seen: Vec<String> = Vec::new();
            for text in &texts {
                let expected = match seen.iter().position(|known| known == text) {
                    Some(at) => at,
                    None => {
                        seen.push(text.clone());
                        seen.len() - 1
                    }
                };
                proptest::prop_assert_eq!(interner.intern(text) as usize, expected);
            }
            proptest::prop_assert_eq!(interner.len(), seen.len());
            for (id, text) in seen.iter().enumerate() {
                proptest::prop_assert_eq!(interner.get(id as u32), text.as_str());
                proptest::prop_assert_eq!(interner.lookup(text), Some(id as u32));
            }
            proptest::prop_assert_eq!(interner.lookup("zzz"), None);
        }
    }
}
