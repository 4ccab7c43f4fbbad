//! Crosswatch reports: EU Code of Practice on Disinformation Commitment 16
//! (SLI 16.1.1 tables, QRE 16.1.1 text, the Transparency Centre JSON), DSA
//! Transparency Database statements of reasons, threat-report summaries, an
//! overview page with SVG charts and an ATT&CK Navigator layer of DISARM
//! techniques.
//!
//! The crate is pure: it takes model values and returns strings or JSON
//! values; callers do the IO.
//!
//! ```
//! use crosswatch_report::{Period, sli_16_1_1};
//!
//! let period: Period = "2025-07-01..2025-12-31".parse().unwrap();
//! let table = sli_16_1_1(&[], &period, None);
//! assert_eq!(table.rows.len(), 30);
//! assert_eq!(table.total.actions, 0);
//! assert!(table.to_csv().starts_with("Country,Actions"));
//! ```

pub mod cop;
mod doc;
pub mod dsa;
pub mod escape;
pub mod inputs;
pub mod navigator;
pub mod overview;
pub mod period;
pub mod qre;
pub mod sli;
pub mod summary;
pub mod svg;
pub use navigator::navigator_layer;
pub use overview::{OverviewInput, overview_charts, overview_html};
pub use summary::{SummaryFormat, incident_summary};

pub use cop::cop_json;
pub use dsa::{DsaExport, DsaOptions, Statement, Violation, statements_of_reasons, to_json_lines};
pub use inputs::{Exchange, Feedback, FeedbackKind, Forum, ForumKind};

pub use period::{Period, PeriodError};
pub use qre::{QreInput, qre_16_1_1_html, qre_16_1_1_markdown};
pub use sli::{Cell, CellError, Column, KindColumn, RowKey, SliTable, sli_16_1_1};
