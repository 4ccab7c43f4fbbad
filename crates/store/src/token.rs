//! API tokens: 256 random bits shown once, stored as a SHA-256 digest.

use sha2::{Digest, Sha256};

use crate::error::StoreError;

/// Prefix that makes leaked tokens easy to recognise in logs and scanners.
pub const TOKEN_PREFIX: &str = "cwt_";

/// A fresh token: prefix + 64 hex digits (256 bits from the OS).
pub fn generate() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(format!("{TOKEN_PREFIX}{}", to_hex(&bytes)))
}

/// The stored form of a token.
pub fn digest(token: &str) -> String {
    to_hex(&Sha256::digest(token.as_bytes()))
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_digested() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 64);
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), digest(&b));
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
