//! crosswatch-pdq
