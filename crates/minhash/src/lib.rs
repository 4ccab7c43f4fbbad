//! crosswatch-minhash
