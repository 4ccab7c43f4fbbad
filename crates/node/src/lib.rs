//! crosswatch-node
