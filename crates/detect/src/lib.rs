//! crosswatch-detect
