//! crosswatch-hub
