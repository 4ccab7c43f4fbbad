//! Shingling: turning normalised text into a set of hashed n-grams.
//!
//! Character n-grams work for every script, including those written without
//! spaces (Chinese, Japanese, Thai); word n-grams are an optional addition
//! for languages that separate words.

use crate::error::MinHashError;
use crate::hash::hash_bytes;
use crate::normalize::{NormalizeOptions, normalize_into};

/// Mixed into the seed of word n-grams so they never collide with character
/// n-grams of the same bytes.
const WORD_DOMAIN: u64 = 0x5752_4453_4849_4E47;

/// How text is turned into shingles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShingleConfig {
    /// Character n-gram length (over the normalised text, spaces included);
    /// `None` disables character shingles. Default 5.
    pub char_ngram: Option<usize>,
    /// Word n-gram length; `None` (the default) disables word shingles.
    pub word_ngram: Option<usize>,
    /// Normalisation applied before shingling.
    pub normalize: NormalizeOptions,
    /// Seed of the shingle hash. Signatures are only comparable when they
    /// were made with the same seed.
    pub seed: u64,
}

impl Default for ShingleConfig {
    fn default() -> Self {
        Self {
            char_ngram: Some(5),
            word_ngram: None,
            normalize: NormalizeOptions::default(),
            seed: 0,
        }
    }
}

/// Validated shingling settings; produces shingle hashes from raw text.
#[derive(Debug, Clone)]
pub struct Shingler {
    config: ShingleConfig,
}

impl Shingler {
    /// Checks `config`: n-gram sizes must be at least 1 and at least one
    /// kind of shingle must be enabled.
    pub fn new(config: ShingleConfig) -> Result<Self, MinHashError> {
        if config.char_ngram == Some(0) {
            return Err(MinHashError::ZeroNgram { kind: "char_ngram" });
        }
        if config.word_ngram == Some(0) {
            return Err(MinHashError::ZeroNgram { kind: "word_ngram" });
        }
        if config.char_ngram.is_none() && config.word_ngram.is_none() {
            return Err(MinHashError::NoShingleKind);
        }
        Ok(Self { config })
    }

    /// The settings this shingler was built with.
    pub fn config(&self) -> &ShingleConfig {
        &self.config
    }

    /// Calls `emit` with the hash of every shingle of `text` (after
    /// normalisation). Repeated shingles are emitted repeatedly; MinHash does
    /// not care, and [`Shingler::shingle_set`] deduplicates.
    ///
    /// Text shorter than one n-gram yields a single shingle of all of it;
    /// text that normalises to nothing yields no shingles.
    pub fn for_each_shingle(&self, text: &str, emit: impl FnMut(u64)) {
        let mut normalized = String::new();
        self.for_each_shingle_with_buffer(text, &mut normalized, emit);
    }

    /// Like [`Shingler::for_each_shingle`], reusing `buffer` for the
    /// normalised text.
    pub fn for_each_shingle_with_buffer(
        &self,
        text: &str,
        buffer: &mut String,
        mut emit: impl FnMut(u64),
    ) {
        normalize_into(text, &self.config.normalize, buffer);
        self.for_each_shingle_of_normalized(buffer, &mut emit);
    }

    /// Shingles text that is already normalised (see [`crate::normalize`]).
    pub fn for_each_shingle_of_normalized(&self, normalized: &str, mut emit: impl FnMut(u64)) {
        if normalized.is_empty() {
            return;
        }
        let seed = self.config.seed;
        if let Some(n) = self.config.char_ngram {
            char_ngrams(normalized, n, |gram| {
                emit(hash_bytes(seed, gram.as_bytes()))
            });
        }
        if let Some(n) = self.config.word_ngram {
            let word_seed = seed ^ WORD_DOMAIN;
            word_ngrams(normalized, n, |gram| {
                emit(hash_bytes(word_seed, gram.as_bytes()));
            });
        }
    }

    /// The deduplicated set of shingle hashes of `text`, for exact Jaccard.
    pub fn shingle_set(&self, text: &str) -> ShingleSet {
        let mut hashes = Vec::new();
        self.for_each_shingle(text, |h| hashes.push(h));
        ShingleSet::from_hashes(hashes)
    }
}

/// Calls `emit` with every window of `n` characters of `text`, or with all
/// of `text` when it is shorter than `n` characters.
pub(crate) fn char_ngrams<'t>(text: &'t str, n: usize, mut emit: impl FnMut(&'t str)) {
    if text.is_ascii() {
        if text.len() <= n {
            emit(text);
        } else {
            for start in 0..=text.len() - n {
                emit(&text[start..start + n]);
            }
        }
        return;
    }
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(offset, _)| offset)
        .chain(std::iter::once(text.len()))
        .collect();
    let chars = boundaries.len() - 1;
    if chars <= n {
        emit(text);
        return;
    }
    for window in boundaries.windows(n + 1) {
        if let (Some(&start), Some(&end)) = (window.first(), window.last()) {
            emit(&text[start..end]);
        }
    }
}

/// Calls `emit` with every run of `n` consecutive words of single-spaced
/// `text` (as a slice, spaces included), or with all of `text` when it has
/// fewer than `n` words.
pub(crate) fn word_ngrams<'t>(text: &'t str, n: usize, mut emit: impl FnMut(&'t str)) {
    let mut starts = vec![0usize];
    let mut ends = Vec::new();
    for (offset, ch) in text.char_indices() {
        if ch == ' ' {
            ends.push(offset);
            starts.push(offset + 1);
        }
    }
    ends.push(text.len());
    if starts.len() <= n {
        emit(text);
        return;
    }
    for (first, &start) in starts.iter().enumerate() {
        if let Some(&end) = ends.get(first + n - 1) {
            emit(&text[start..end]);
        }
    }
}

/// A deduplicated, sorted set of shingle hashes; supports exact Jaccard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ShingleSet {
    hashes: Vec<u64>,
}

impl ShingleSet {
    /// Builds a set from hashes in any order, with repeats.
    pub fn from_hashes(hashes: impl Into<Vec<u64>>) -> Self {
        let mut hashes = hashes.into();
        hashes.sort_unstable();
        hashes.dedup();
        Self { hashes }
    }

    /// The hashes, sorted ascending and without repeats.
    pub fn as_slice(&self) -> &[u64] {
        &self.hashes
    }

    /// Number of distinct shingles.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// `true` when the text had no shingles (it normalised to nothing).
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Number of shingles present in both sets.
    pub fn intersection_len(&self, other: &ShingleSet) -> usize {
        let (mut a, mut b) = (
            self.hashes.iter().peekable(),
            other.hashes.iter().peekable(),
        );
        let mut shared = 0;
        while let (Some(&&x), Some(&&y)) = (a.peek(), b.peek()) {
            match x.cmp(&y) {
                std::cmp::Ordering::Less => {
                    a.next();
                }
                std::cmp::Ordering::Greater => {
                    b.next();
                }
                std::cmp::Ordering::Equal => {
                    shared += 1;
                    a.next();
                    b.next();
                }
            }
        }
        shared
    }

    /// Exact Jaccard similarity |A∩B| / |A∪B|. Two empty sets score 0: text
    /// with nothing left after normalisation (only links or emoji) is not
    /// evidence of copying.
    pub fn jaccard(&self, other: &ShingleSet) -> f64 {
        let shared = self.intersection_len(other);
        let union = self.len() + other.len() - shared;
        if union == 0 {
            0.0
        } else {
            shared as f64 / union as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect_chars(text: &str, n: usize) -> Vec<&str> {
        let mut grams = Vec::new();
        char_ngrams(text, n, |g| grams.push(g));
        grams
    }

    fn collect_words(text: &str, n: usize) -> Vec<&str> {
        let mut grams = Vec::new();
        word_ngrams(text, n, |g| grams.push(g));
        grams
    }

    #[test]
    fn char_ngrams_slide_over_characters_not_bytes() {
        assert_eq!(collect_chars("abcd", 3), ["abc", "bcd"]);
        assert_eq!(
            collect_chars("选举被操纵", 3),
            ["选举被", "举被操", "被操纵"]
        );
        assert_eq!(collect_chars("ab", 3), ["ab"]);
        assert_eq!(collect_chars("abc", 3), ["abc"]);
        assert_eq!(collect_chars("éa", 5), ["éa"]);
    }

    #[test]
    fn word_ngrams_cover_consecutive_words() {
        assert_eq!(collect_words("a bb ccc d", 2), ["a bb", "bb ccc", "ccc d"]);
        assert_eq!(collect_words("one two", 3), ["one two"]);
        assert_eq!(collect_words("solo", 1), ["solo"]);
    }

    #[test]
    fn config_is_validated() {
        let zero = ShingleConfig {
            char_ngram: Some(0),
            ..ShingleConfig::default()
        };
        assert!(matches!(
            Shingler::new(zero),
            Err(MinHashError::ZeroNgram { .. })
        ));
        let none = ShingleConfig {
            char_ngram: None,
            word_ngram: None,
            ..ShingleConfig::default()
        };
        assert_eq!(
            Shingler::new(none).unwrap_err(),
            MinHashError::NoShingleKind
        );
    }

    #[test]
    fn word_and_char_shingles_do_not_collide() {
        let both = Shingler::new(ShingleConfig {
            char_ngram: Some(3),
            word_ngram: Some(1),
            ..ShingleConfig::default()
        })
        .unwrap();
        // "abc" is both a 3-char gram and a 1-word gram: two distinct hashes.
        assert_eq!(both.shingle_set("abc").len(), 2);
    }

    #[test]
    fn shingle_set_is_normalisation_invariant_and_jaccard_is_exact() {
        let shingler = Shingler::new(ShingleConfig::default()).unwrap();
        let a = shingler.shingle_set("The Election WAS rigged!!!");
        let b = shingler.shingle_set("the election was rigged");
        assert_eq!(a, b);
        assert_eq!(a.jaccard(&b), 1.0);
        // "abcdef" → {abcde, bcdef}; "abcdeg" → {abcde, bcdeg}: 1 / 3.
        let c = shingler.shingle_set("abcdef");
        let d = shingler.shingle_set("abcdeg");
        assert!((c.jaccard(&d) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(ShingleSet::default().jaccard(&ShingleSet::default()), 0.0);
    }
}
