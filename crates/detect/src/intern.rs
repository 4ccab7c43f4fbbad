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

/// 64-bit FNV-1a followed by a splitmix finaliser: deterministic across runs
/// and platforms (unlike the randomly seeded std hasher).
pub(crate) fn hash_str(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in text.as_bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut hasher = PremixedHasher::default();
    hasher.write_u64(hash);
    hasher.finish()
}

/// Interns strings into dense ids `0..len()` in first-seen order.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    arena: String,
    ends: Vec<usize>,
    by_hash: IntMap<u64, u32>,
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when nothing has been interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The string with id `id`, or `""` for an unknown id.
    pub fn get(&self, id: u32) -> &str {
        let index = id as usize;
        let end = self.ends.get(index).copied().unwrap_or(0);
        let start = if index == 0 {
            0
        } else {
            self.ends.get(index - 1).copied().unwrap_or(0)
        };
        self.arena.get(start..end).unwrap_or("")
    }

    /// The id of `text`, if it was interned.
    pub fn lookup(&self, text: &str) -> Option<u32> {
        let mut probe = hash_str(text);
        loop {
            match self.by_hash.get(&probe) {
                Some(&id) if self.get(id) == text => return Some(id),
                Some(_) => probe = probe.wrapping_add(0x9E37_79B9_7F4A_7C15),
                None => return None,
            }
        }
    }

    /// The id of `text`, interning it when new. Ids are assigned in
    /// first-seen order, so they depend only on the input order.
    pub fn intern(&mut self, text: &str) -> u32 {
        let mut probe = hash_str(text);
        loop {
            match self.by_hash.get(&probe) {
                Some(&id) if self.get(id) == text => return id,
                // A 64-bit collision between different strings: probe on.
                Some(_) => probe = probe.wrapping_add(0x9E37_79B9_7F4A_7C15),
                None => {
                    let id = u32::try_from(self.ends.len()).unwrap_or(u32::MAX);
                    self.arena.push_str(text);
                    self.ends.push(self.arena.len());
                    self.by_hash.insert(probe, id);
                    return id;
                }
            }
        }
    }

    /// Iterates `(id, text)` in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        (0..self.ends.len()).map(|index| (index as u32, self.get(index as u32)))
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
}
