//! The native JSON API next to TAXII, described by [`openapi::document`]
//! at `/api/openapi.json`: incidents and indicators, the change feed and
//! its live stream, feedback, and the audit trail.

pub mod audit;
pub mod feed;
pub mod feedback;
pub mod incidents;
pub mod openapi;
pub mod submission;

pub use audit::audit;
pub use feed::{feed, feed_stream};
pub use feedback::{get_feedback, post_feedback};
pub use incidents::{search_incidents, search_indicators, submit};
