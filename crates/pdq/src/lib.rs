//! PDQ perceptual image hashing, bit-exact with Meta's C++ reference, and an
//! exact Hamming-distance index for matching shared hash banks.
//!
//! PDQ turns an image into 256 bits such that re-encoded, resized or lightly
//! edited copies land within a small Hamming distance of each other. Platforms
//! exchange these hashes instead of the images themselves.
//!
//! Compatibility: on the same decoded pixels, [`hash_rgb`], [`hash_luma`] and
//! [`hash_pixels`] give exactly the hash and quality of the reference hashing
//! routine (and of the hash lists made with it), at any image size. The
//! reference's command-line file hasher first shrinks images over 512 pixels
//! on a side; [`hash_pixels_prescaled`] reproduces that variant. JPEG
//! decoders differ in how they round some pixels, so hashes of the same JPEG
//! made with another decoder can differ by a few bits (well within
//! [`MATCH_DISTANCE_THRESHOLD`]).
//!
//! Matching: [`PdqIndex`] answers "which bank entries lie within distance d"
//! exactly, with inserts and removals in place, for banks of millions;
//! [`for_each_pair_within`] finds every pair of a batch within distance d
//! (a self-join on the same multi-index principle, split into parts that
//! can run on separate threads).
//!
//! ```
//! use crosswatch_pdq::{hash_rgb, PdqHash, PdqIndex, MATCH_DISTANCE_THRESHOLD};
//!
//! // A 32×32 diagonal gradient, packed RGB.
//! let mut rgb = Vec::new();
//! for y in 0..32u8 {
//!     for x in 0..32u8 {
//!         let v = x * 4 + y * 3;
//!         rgb.extend_from_slice(&[v, v / 2, 255 - v]);
//!     }
//! }
//! let (hash, quality) = hash_rgb(32, 32, &rgb)?;
//! assert!(quality <= 100);
//!
//! let mut bank = PdqIndex::new();
//! bank.insert("gradient", hash)?;
//! let hits = bank.query(&hash, MATCH_DISTANCE_THRESHOLD);
//! assert_eq!(hits, vec![("gradient", 0)]);
//! assert_eq!(PdqHash::from_hex(&hash.to_hex())?, hash);
//! # Ok::<(), crosswatch_pdq::PdqError>(())
//! ```

#![warn(missing_docs)]

mod dct;
mod decode;
mod downscale;
mod error;
mod hash;
mod hashing;
mod index;
mod join;
mod median;

pub use dct::Orientation;
pub use decode::{DecodedImage, MAX_DECODED_BYTES, decode_and_hash, decode_image};
pub use error::PdqError;
pub use hash::{PDQ_HEX_LEN, PdqHash};
pub use hashing::{
    DihedralHashes, MIN_HASHABLE_DIMENSION, PixelLayout, dihedral_hashes, hash_luma, hash_pixels,
    hash_pixels_prescaled, hash_rgb, quality_metric,
};
pub use index::PdqIndex;
pub use join::{JOIN_PARTS, for_each_pair_within};

/// Largest Hamming distance at which two PDQ hashes are taken to show the
/// same image (Meta's recommended threshold).
pub const MATCH_DISTANCE_THRESHOLD: u32 = 31;

/// Smallest quality at which a hash is worth matching or sharing (Meta's
/// recommendation); below it, images are too flat to hash reliably.
pub const MIN_USEFUL_QUALITY: u32 = 50;
