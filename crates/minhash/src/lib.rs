//! Language-independent near-duplicate text matching for Crosswatch:
//! normalisation, shingling, MinHash signatures and an LSH index.
//!
//! Influence operations re-post the same narrative across accounts and
//! platforms with cosmetic edits. This crate finds those copies: text is
//! normalised ([`normalize`]), cut into character (and optionally word)
//! n-grams hashed with a stable seeded hash ([`Shingler`]), sketched into a
//! fixed-size [`Signature`] ([`MinHasher`]) and indexed for sub-linear
//! lookup ([`LshIndex`]), with banding chosen for a Jaccard threshold
//! ([`LshParams::optimal`]). For a batch of posts,
//! [`for_each_candidate_pair`] yields every LSH candidate pair once and
//! [`verify_pairs_exact`] checks them against exact Jaccard.
//!
//! Everything is pure computation: no IO, no global state, and hashes that
//! are identical on every run and platform, so signatures can be stored and
//! shared.
//!
//! ```
//! use crosswatch_minhash::{LshIndex, LshParams, MinHashConfig, MinHasher, candidate_pairs, verify_pairs_exact};
//!
//! let hasher = MinHasher::new(MinHashConfig::default())?;
//! let posts = [
//!     "BREAKING: the vote count in district 9 was faked. Share before they delete it!",
//!     "breaking - the vote count in district 9 was faked, share before they delete it",
//!     "Photos from the harvest festival in our village this weekend",
//! ];
//! let (signatures, sets): (Vec<_>, Vec<_>) =
//!     posts.iter().map(|post| hasher.signature_and_shingles(post)).unzip();
//!
//! // Co-text pairs in a batch, verified by exact Jaccard.
//! let params = LshParams::optimal(0.8, hasher.num_perm(), 0.5, 0.5)?;
//! let pairs = verify_pairs_exact(&sets, candidate_pairs(&signatures, params)?, 0.8)?;
//! assert_eq!((pairs[0].left, pairs[0].right), (0, 1));
//!
//! // A standing index that snippets are matched against.
//! let mut index = LshIndex::new(hasher.num_perm(), params)?;
//! for (id, signature) in signatures.into_iter().enumerate() {
//!     index.insert(id, signature)?;
//! }
//! let snippet = hasher.signature("Breaking!! The vote count in District 9 was FAKED, share before they delete");
//! let hits = index.query_verified(&snippet, 0.8)?;
//! assert!(hits.iter().any(|hit| *hit.key == 0));
//! # Ok::<(), crosswatch_minhash::MinHashError>(())
//! ```

mod error;
mod hash;
mod index;
mod minhash;
mod normalize;
mod pairs;
mod params;
mod shingle;

pub use error::MinHashError;
pub use hash::{hash_bytes, splitmix64};
pub use index::{LshIndex, Match};
pub use minhash::{MinHashConfig, MinHasher, Signature, estimate_jaccard};
pub use normalize::{NormalizeOptions, normalize, normalize_into};
pub use pairs::{
    BandKeys, SimilarPair, candidate_pairs, for_each_candidate_pair, for_each_near_duplicate_pair,
    verify_pairs_exact,
};
pub use params::LshParams;
pub use shingle::{ShingleConfig, ShingleSet, Shingler};
