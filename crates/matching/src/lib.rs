//! crosswatch-matching
