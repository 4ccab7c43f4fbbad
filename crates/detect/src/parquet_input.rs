//! Parquet activity logs (cargo feature `parquet`, on by default).
//!
//! Reads row group by row group through the `parquet` crate's row API,
//! projecting only the mapped columns, so memory stays at one row group's
//! pages whatever the file size. The column mapping, canonicalisation and
//! skip reporting are those of the CSV reader; skipped rows are reported by
//! their 1-based row number. Column names are top-level fields, matched
//! exactly, then case-insensitively. Values: strings as they are; integers
//! and floats printed (Unix seconds for the time); `TIMESTAMP` and `DATE`
//! columns converted to Unix seconds; lists joined with spaces (several URLs
//! or hashtags); structs by their `url`, `expanded_url`, `tag` or `id`
//! field. Compression: uncompressed and Snappy (the pyarrow and Spark
//! default); other codecs fail with a message saying so.

use std::sync::Arc;

use parquet::file::reader::{ChunkReader, FileReader, SerializedFileReader};
use parquet::record::Field;
use parquet::schema::types::Type;

use crate::canon::Canonicalisers;
use crate::input::{Activity, ActivityBuilder, ColumnMapping, locate_columns};
use crate::{DetectError, NetworkKind};

fn parquet_error(err: parquet::errors::ParquetError) -> DetectError {
    DetectError::Parquet(err.to_string())
}

/// A Parquet value as field text (see the module documentation); `None`
/// for null, and for bytes that are not UTF-8.
fn field_text(field: &Field) -> Option<String> {
    Some(match field {
        Field::Null => return None,
        Field::Str(text) => text.clone(),
        Field::Bytes(bytes) => std::str::from_utf8(bytes.data()).ok()?.to_owned(),
        Field::TimestampMillis(millis) => (*millis as f64 / 1e3).to_string(),
        Field::TimestampMicros(micros) => (*micros as f64 / 1e6).to_string(),
        Field::Date(days) => (i64::from(*days) * 86_400).to_string(),
        Field::ListInternal(list) => list
            .elements()
            .iter()
            .filter_map(field_text)
            .collect::<Vec<_>>()
            .join(" "),
        Field::Group(row) => {
            let inner = ["url", "expanded_url", "tag", "id"]
                .iter()
                .find_map(|wanted| {
                    row.get_column_iter()
                        .find(|(name, _)| name.as_str() == *wanted)
                        .map(|(_, value)| value)
                })?;
            return field_text(inner);
        }
        Field::MapInternal(_) => return None,
        other => other.to_string(),
    })
}

/// Reads a Parquet file from `reader` (a `File`, or `bytes::Bytes` in
/// memory), row group by row group.
pub fn read_parquet<R: ChunkReader + 'static>(
    reader: R,
    kind: NetworkKind,
    mapping: &ColumnMapping,
    rules: Canonicalisers,
) -> Result<Activity, DetectError> {
    let file = SerializedFileReader::new(reader).map_err(|err| {
        DetectError::Parquet(format!(
            "{err}; is this a Parquet file? (the file extension or --format picks the reader)"
        ))
    })?;
    let schema = file.metadata().file_metadata().schema();
    let fields = schema.get_fields();
    let names: Vec<String> = fields.iter().map(|field| field.name().to_owned()).collect();
    let (account_at, time_at, object_at) = locate_columns(&names, kind, mapping)?;
    let mut wanted = vec![account_at, time_at];
    wanted.extend(object_at);
    wanted.sort_unstable();
    wanted.dedup();
    let projection = Type::group_type_builder(schema.name())
        .with_fields(wanted.iter().map(|&at| Arc::clone(&fields[at])).collect())
        .build()
        .map_err(parquet_error)?;
    let name_of = |at: usize| names[at].as_str();

    let mut builder = ActivityBuilder::new(kind, rules);
    let mut row_number = 0u64;
    for group in 0..file.num_row_groups() {
        let row_group = file.get_row_group(group).map_err(parquet_error)?;
        let rows = row_group
            .get_row_iter(Some(projection.clone()))
            .map_err(parquet_error)?;
        for row in rows {
            row_number += 1;
            let row = row.map_err(parquet_error)?;
            let value = |at: usize| -> Option<String> {
                row.get_column_iter()
                    .find(|(name, _)| name.as_str() == name_of(at))
                    .and_then(|(_, field)| field_text(field))
            };
            let account = value(account_at);
            let time = value(time_at);
            let object = object_at.and_then(value);
            builder.push_row(
                row_number,
                account.as_deref(),
                object.as_deref(),
                time.as_deref(),
            );
        }
    }
    Ok(builder.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SkipReason;
    use parquet::basic::Compression;
    use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;

    /// Rows of (user, optional reposted id, time), written as two row groups.
    fn parquet_file(groups: &[&[(&str, Option<&str>, i64)]]) -> bytes::Bytes {
        let schema = Arc::new(
            parse_message_type(
                "message log { REQUIRED BINARY user (UTF8); OPTIONAL BINARY rt (UTF8); REQUIRED INT64 ts; }",
            )
            .unwrap(),
        );
        let properties = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .build(),
        );
        let mut buffer = Vec::new();
        let mut writer = SerializedFileWriter::new(&mut buffer, schema, properties).unwrap();
        for rows in groups {
            let mut group = writer.next_row_group().unwrap();
            let mut index = 0;
            while let Some(mut column) = group.next_column().unwrap() {
                match index {
                    0 => {
                        let users: Vec<ByteArray> =
                            rows.iter().map(|row| ByteArray::from(row.0)).collect();
                        column
                            .typed::<ByteArrayType>()
                            .write_batch(&users, None, None)
                            .unwrap();
                    }
                    1 => {
                        let present: Vec<ByteArray> = rows
                            .iter()
                            .filter_map(|row| row.1.map(ByteArray::from))
                            .collect();
                        let levels: Vec<i16> =
                            rows.iter().map(|row| i16::from(row.1.is_some())).collect();
                        column
                            .typed::<ByteArrayType>()
                            .write_batch(&present, Some(&levels), None)
                            .unwrap();
                    }
                    _ => {
                        let times: Vec<i64> = rows.iter().map(|row| row.2).collect();
                        column
                            .typed::<Int64Type>()
                            .write_batch(&times, None, None)
                            .unwrap();
                    }
                }
                column.close().unwrap();
                index += 1;
            }
            group.close().unwrap();
        }
        writer.close().unwrap();
        bytes::Bytes::from(buffer)
    }

    fn mapping(object: &str) -> ColumnMapping {
        ColumnMapping {
            account: "user".into(),
            object: Some(object.into()),
            time: "TS".into(),
        }
    }

    #[test]
    fn reads_every_row_group_and_reports_skips_by_row() {
        let file = parquet_file(&[
            &[("a", Some("p1"), 0), ("b", Some("p1"), 10)],
            &[("c", None, 20), ("", Some("p1"), 30), ("d", Some("p1"), 40)],
        ]);
        let activity = read_parquet(
            file,
            NetworkKind::CoShare,
            &mapping("rt"),
            Canonicalisers::default(),
        )
        .unwrap();
        assert_eq!(activity.rows_read, 5);
        assert_eq!(activity.shares.len(), 3);
        assert_eq!(
            activity.skipped.reasons[&SkipReason::MissingObject].first_lines,
            vec![3]
        );
        assert_eq!(
            activity.skipped.reasons[&SkipReason::MissingAccount].first_lines,
            vec![4]
        );
        let times: Vec<f64> = activity.shares.iter().map(|share| share.time).collect();
        assert_eq!(times, vec![0.0, 10.0, 40.0]);
    }

    #[test]
    fn wrong_column_lists_the_columns_present() {
        let file = parquet_file(&[&[("a", Some("p1"), 0)]]);
        let error = read_parquet(
            file,
            NetworkKind::CoShare,
            &mapping("repost_id"),
            Canonicalisers::default(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "column `repost_id` not found; the file has: user, rt, ts"
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let error = read_parquet(
            bytes::Bytes::from_static(b"not a parquet file at all"),
            NetworkKind::CoShare,
            &mapping("rt"),
            Canonicalisers::default(),
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("is this a Parquet file?"),
            "{error}"
        );
    }
}
