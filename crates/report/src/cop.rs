//! The Commitment 16 section of a Code of Practice report as machine-readable
//! JSON: commitment → measures → QRE text and SLI tables whose first row is
//! `["Country", …metrics]`. `README.md` documents the field mapping.

use serde_json::{Value, json};

use crate::period::format_date;
use crate::qre::{QreInput, qre_16_1_1_markdown};
use crate::sli::SliTable;

/// The format tag written into every export, bumped on breaking changes.
pub const COP_FORMAT: &str = "crosswatch-cop-report/1";

/// Builds the Commitment 16 JSON from an SLI table and the QRE inputs for
/// the same period. The SLI rows carry numbers; the header row carries text.
pub fn cop_json(signatory: &str, table: &SliTable, qre: &QreInput<'_>) -> Value {
    let columns = table.columns();
    let mut sli_rows: Vec<Value> = vec![json!(table.header())];
    for row in table.rows.iter().chain(std::iter::once(&table.total)) {
        let mut line = vec![json!(row.label())];
        line.extend(columns.iter().map(|c| json!(row.value(c))));
        sli_rows.push(Value::Array(line));
    }
    json!({
        "format": COP_FORMAT,
        "signatory": signatory,
        "reporting_period": {
            "start": format_date(table.period.start()),
            "end": format_date(table.period.end()),
        },
        "commitments": [{
            "id": "16",
            "commitment": "Commitment 16",
            "title": "Relevant Signatories commit to operate channels of exchange between their relevant teams in order to proactively share information about cross-platform influence operations, foreign interference in information space and relevant incidents that emerge on their respective services, with the aim of preventing dissemination and resurgence on other services, in full compliance with privacy legislation and with due consideration for security and human rights risks.",
            "measures": [{
                "id": "16.1",
                "measure": "Measure 16.1",
                "qre": [{
                    "id": "QRE 16.1.1",
                    "format": "markdown",
                    "text": qre_16_1_1_markdown(qre),
                }],
                "sli": [{
                    "id": "SLI 16.1.1",
                    "title": "Number of actions taken as a result of the collaboration and information sharing between signatories, per Member State affected",
                    "unit": "items actioned (Actions column: distinct actions)",
                    "notes": crate::sli::COUNTING_RULE,
                    "table": sli_rows,
                    "not_counted": {
                        "own_detection": table.own_detection,
                        "outside_eea": table.outside_eea,
                    },
                }],
            }],
        }],
    })
}
