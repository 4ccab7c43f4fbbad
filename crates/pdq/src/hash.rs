//! The 256-bit PDQ hash value: hex text form and Hamming distance.

use std::fmt;
use std::str::FromStr;

use crate::error::PdqError;

/// A 256-bit PDQ hash.
///
/// The bytes are in the order of the reference's hex text: byte 0 is the
/// first two hex digits. That keeps `to_hex`/`from_hex` a plain byte-wise
/// conversion while matching what every PDQ tool prints and exchanges.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct PdqHash(pub [u8; 32]);

/// Length of a PDQ hash in hex digits.
pub const PDQ_HEX_LEN: usize = 64;

impl PdqHash {
    /// Number of bits in a hash.
    pub const BITS: u32 = 256;

    /// Parses the 64-digit hex form (upper or lower case), as printed by the
    /// reference tools and shared in hash lists.
    pub fn from_hex(text: &str) -> Result<Self, PdqError> {
        let bytes = text.as_bytes();
        if bytes.len() != PDQ_HEX_LEN {
            return Err(PdqError::HexLength {
                found: text.chars().count(),
            });
        }
        let mut out = [0u8; 32];
        for (index, pair) in bytes.chunks_exact(2).enumerate() {
            let high = hex_digit(pair[0]).ok_or(PdqError::HexDigit {
                position: index * 2,
            })?;
            let low = hex_digit(pair[1]).ok_or(PdqError::HexDigit {
                position: index * 2 + 1,
            })?;
            out[index] = (high << 4) | low;
        }
        Ok(PdqHash(out))
    }

    /// The 64-digit lower-case hex form, identical to the reference's output.
    pub fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = String::with_capacity(PDQ_HEX_LEN);
        for byte in self.0 {
            text.push(char::from(DIGITS[usize::from(byte >> 4)]));
            text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
        }
        text
    }

    /// Number of differing bits (0..=256).
    pub fn hamming_distance(&self, other: &PdqHash) -> u32 {
        let a = self.to_words();
        let b = other.to_words();
        (a[0] ^ b[0]).count_ones()
            + (a[1] ^ b[1]).count_ones()
            + (a[2] ^ b[2]).count_ones()
            + (a[3] ^ b[3]).count_ones()
    }

    /// Number of set bits; a hash of a flat image has few.
    pub fn count_ones(&self) -> u32 {
        self.to_words().iter().map(|word| word.count_ones()).sum()
    }

    /// Whether bit `index` (0..256, the reference's numbering: row-major over
    /// the 16×16 DCT coefficients) is set. Out-of-range indices read as unset.
    pub fn bit(&self, index: usize) -> bool {
        match byte_and_mask(index) {
            Some((byte, mask)) => self.0[byte] & mask != 0,
            None => false,
        }
    }

    /// Sets bit `index` in the reference's numbering; out of range is ignored.
    pub(crate) fn set_bit(&mut self, index: usize) {
        if let Some((byte, mask)) = byte_and_mask(index) {
            self.0[byte] |= mask;
        }
    }

    /// The hash as four big-endian 64-bit words, the compact form the index
    /// stores and compares.
    pub fn to_words(&self) -> [u64; 4] {
        let mut words = [0u64; 4];
        for (word, chunk) in words.iter_mut().zip(self.0.chunks_exact(8)) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(chunk);
            *word = u64::from_be_bytes(bytes);
        }
        words
    }

    /// Inverse of [`PdqHash::to_words`].
    pub fn from_words(words: [u64; 4]) -> Self {
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_exact_mut(8).zip(words) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        PdqHash(out)
    }
}

/// Byte position and bit mask of reference bit `index`.
///
/// The reference keeps sixteen 16-bit words, bit `k` in word `k / 16`, and
/// prints word 15 first, each word as four hex digits (high byte first).
fn byte_and_mask(index: usize) -> Option<(usize, u8)> {
    if index >= 256 {
        return None;
    }
    let word = index / 16;
    let bit_in_word = index % 16;
    let byte = 2 * (15 - word) + usize::from(bit_in_word < 8);
    Some((byte, 1u8 << (bit_in_word % 8)))
}

fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PdqHash({})", self.to_hex())
    }
}

impl FromStr for PdqHash {
    type Err = PdqError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        PdqHash::from_hex(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hex_round_trip_keeps_reference_text() {
        let text = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
        let hash = PdqHash::from_hex(text).unwrap();
        assert_eq!(hash.to_hex(), text);
        assert_eq!(hash.to_string(), text);
        assert_eq!(text.to_uppercase().parse::<PdqHash>().unwrap(), hash);
    }

    #[test]
    fn bit_numbering_follows_reference_words() {
        // Bit 0 is the lowest bit of word 0, which is printed last.
        let mut hash = PdqHash::default();
        hash.set_bit(0);
        assert!(hash.to_hex().ends_with("0001"));
        let mut hash = PdqHash::default();
        hash.set_bit(255);
        assert!(hash.to_hex().starts_with("8000"));
        let mut hash = PdqHash::default();
        hash.set_bit(8);
        assert!(hash.to_hex().ends_with("0100"));
        assert!(hash.bit(8));
        assert!(!hash.bit(9));
        assert!(!hash.bit(1000));
    }

    #[test]
    fn rejects_malformed_hex() {
        assert_eq!(
            PdqHash::from_hex("abc"),
            Err(PdqError::HexLength { found: 3 })
        );
        let mut text = "0".repeat(63);
        text.push('g');
        assert_eq!(
            PdqHash::from_hex(&text),
            Err(PdqError::HexDigit { position: 63 })
        );
    }

    fn naive_distance(a: &PdqHash, b: &PdqHash) -> u32 {
        (0..256).filter(|&bit| a.bit(bit) != b.bit(bit)).count() as u32
    }

    proptest! {
        #[test]
        fn distance_matches_bitwise_count(a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
            let (a, b) = (PdqHash(a), PdqHash(b));
            prop_assert_eq!(a.hamming_distance(&b), naive_distance(&a, &b));
            prop_assert_eq!(PdqHash::from_words(a.to_words()), a);
            prop_assert_eq!(PdqHash::from_hex(&a.to_hex()).unwrap(), a);
        }

        #[test]
        fn from_hex_never_panics(text in ".{0,80}") {
            let _ = PdqHash::from_hex(&text);
        }
    }
}
