//! crosswatch-model
