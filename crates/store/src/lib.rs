//! crosswatch-store
