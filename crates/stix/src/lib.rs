//! crosswatch-stix
