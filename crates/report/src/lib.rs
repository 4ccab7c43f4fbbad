//! crosswatch-report
