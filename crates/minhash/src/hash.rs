//! Stable, seeded 64-bit hashing for shingles and LSH band keys.
//!
//! Signatures are exchanged between platforms and stored on disk, so the
//! hash must give the same value on every run, build and CPU: it reads bytes
//! explicitly as little-endian and never uses a randomly seeded hasher.

const K0: u64 = 0x9E37_79B9_7F4A_7C15;
const K1: u64 = 0xC2B2_AE3D_27D4_EB4F;
const K2: u64 = 0x1656_67B1_9E37_79F9;

/// Folded 64×64→128 multiply: cheap and mixes every input bit into the output.
#[inline(always)]
fn folded_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

/// MurmurHash3 finaliser: spreads the last round evenly over all 64 bits.
#[inline(always)]
pub(crate) fn finalize(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^= h >> 33;
    h
}

/// Hashes `bytes` with `seed` to a well-mixed 64-bit value that is identical
/// on every platform and run.
///
/// ```
/// use crosswatch_minhash::hash_bytes;
/// assert_eq!(hash_bytes(7, b"hello"), hash_bytes(7, b"hello"));
/// assert_ne!(hash_bytes(7, b"hello"), hash_bytes(8, b"hello"));
/// ```
#[inline]
pub fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = seed ^ K0 ^ (bytes.len() as u64).wrapping_mul(K1);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = folded_multiply(h ^ u64::from_le_bytes(word), K1) ^ K2;
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut word = [0u8; 8];
        word[..tail.len()].copy_from_slice(tail);
        h = folded_multiply(h ^ u64::from_le_bytes(word), K1) ^ K2;
    }
    finalize(h)
}

/// Hashes a run of 32-bit values (one LSH band of a signature) to 64 bits.
#[inline]
pub(crate) fn hash_u32s(seed: u64, values: &[u32]) -> u64 {
    let mut h = seed ^ K0 ^ (values.len() as u64).wrapping_mul(K1);
    let mut pairs = values.chunks_exact(2);
    for pair in &mut pairs {
        let word = u64::from(pair[0]) | (u64::from(pair[1]) << 32);
        h = folded_multiply(h ^ word, K1) ^ K2;
    }
    if let [last] = pairs.remainder() {
        h = folded_multiply(h ^ u64::from(*last), K1) ^ K2;
    }
    finalize(h)
}

/// SplitMix64 step: a small deterministic generator (permutation
/// coefficients here, seeded node orders in the coordination detector).
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(K0);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_are_stable() {
        // Pinned so that a change to the hash (which would invalidate every
        // stored signature) is caught.
        let pinned = [
            hash_bytes(0, b""),
            hash_bytes(0, b"a"),
            hash_bytes(1, b"hello world"),
            hash_u32s(3, &[1, 2, 3]),
        ];
        assert_eq!(pinned, PINNED);
    }

    const PINNED: [u64; 4] = [
        11_286_133_854_226_296_554,
        11_435_936_964_588_993_679,
        11_054_696_818_654_536_567,
        2_395_998_986_164_883_803,
    ];

    #[test]
    fn tail_padding_does_not_collide() {
        assert_ne!(hash_bytes(0, b"ab"), hash_bytes(0, b"ab\0"));
        assert_ne!(hash_bytes(0, b""), hash_bytes(0, b"\0"));
        assert_ne!(hash_u32s(0, &[1]), hash_u32s(0, &[1, 0]));
    }

    #[test]
    fn single_bit_flips_change_about_half_the_output_bits() {
        let base = hash_bytes(42, b"crosswatch shingle");
        let mut total = 0u32;
        let input = b"crosswatch shingle".to_vec();
        for bit in 0..input.len() * 8 {
            let mut flipped = input.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            total += (hash_bytes(42, &flipped) ^ base).count_ones();
        }
        let mean = f64::from(total) / (input.len() * 8) as f64;
        assert!((mean - 32.0).abs() < 3.0, "mean flipped bits {mean}");
    }
}
