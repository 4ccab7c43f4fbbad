//! STIX timestamps: RFC 3339 in UTC with a `Z` and at least millisecond
//! precision (`2024-09-01T00:00:00.000Z`).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Formats a time the way STIX wants it: UTC, `Z`, milliseconds; finer
/// digits are kept when the time has them, so nothing is lost.
pub fn format(at: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    let nanos = utc.nanosecond();
    let fraction = if nanos.is_multiple_of(1_000_000) {
        format!("{:03}", nanos / 1_000_000)
    } else {
        format!("{nanos:09}").trim_end_matches('0').to_string()
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{fraction}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    )
}

/// Parses a STIX timestamp; `None` when it is not RFC 3339 in UTC with a `Z`.
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    if !text.ends_with('Z') || text.len() < 20 {
        return None;
    }
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_with_milliseconds_and_keeps_finer_digits() {
        assert_eq!(
            format(datetime!(2024-09-01 00:00:00 UTC)),
            "2024-09-01T00:00:00.000Z"
        );
        assert_eq!(
            format(datetime!(2024-09-01 02:00:00.5 +02:00)),
            "2024-09-01T00:00:00.500Z"
        );
        assert_eq!(
            format(datetime!(2024-09-01 00:00:00.000123 UTC)),
            "2024-09-01T00:00:00.000123Z"
        );
    }

    #[test]
    fn parses_only_utc_rfc3339() {
        let at = parse("2024-09-01T00:00:00.123Z").unwrap();
        assert_eq!(format(at), "2024-09-01T00:00:00.123Z");
        assert!(parse("2024-09-01T00:00:00Z").is_some());
        assert!(parse("2024-09-01T00:00:00+02:00").is_none());
        assert!(parse("2024-09-01").is_none());
        assert!(parse("").is_none());
    }
}
