//! crosswatch-import
