//! Streaming readers for activity logs (CSV and JSON Lines; Parquet is in
//! `parquet_input`).
//!
//! Every row becomes zero or more [`Share`]s (one per object value, e.g. one
//! per URL in a message). Rows with missing or unparsable fields are skipped
//! and counted by reason in a [`SkipReport`]; a column mapping that names a
//! column the file does not have fails at once, listing the columns present.

use std::collections::BTreeMap;
use std::io::{BufRead, Read};

use serde::Serialize;

use crate::canon::{Canonicalisers, object_key, split_values};
use crate::intern::Interner;
use crate::near::NearGroups;
use crate::{DetectError, NetworkKind};

/// How many line numbers are kept per skip reason.
const KEPT_LINES: usize = 5;

/// Input file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    JsonLines,
    /// Apache Parquet, read row group by row group (needs a seekable file:
    /// see `parquet_input::read_parquet`, behind the `parquet` feature).
    Parquet,
}

/// Which input columns (CSV header names, or JSON field names / dotted
/// paths) hold the account, the object and the time.
#[derive(Clone, Debug)]
pub struct ColumnMapping {
    /// Account id column.
    pub account: String,
    /// Object column (URL, reposted id, hashtags, ...); unused for co-post.
    pub object: Option<String>,
    /// Time column: Unix seconds (integer or float) or RFC 3339.
    pub time: String,
}

/// One share: an account acting on an object at a time, as part of a message.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Share {
    /// Interned account id.
    pub account: u32,
    /// Interned object key.
    pub object: u32,
    /// Message (input row) number; a message with several objects yields
    /// several shares with the same message number.
    pub message: u32,
    /// Whether the message has more than one object (needs cross-object
    /// de-duplication when counting distinct messages).
    pub multi_object: bool,
    /// Unix seconds.
    pub time: f64,
}

/// Why a row was skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The account field is empty or absent.
    MissingAccount,
    /// The object field is empty, absent or not canonicalisable.
    MissingObject,
    /// The time field is empty or absent.
    MissingTime,
    /// The time field is neither Unix seconds nor RFC 3339.
    BadTime,
    /// The row is not valid CSV / JSON / UTF-8.
    MalformedRow,
}

/// Count and first line numbers for one skip reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SkipCount {
    /// Rows skipped for this reason.
    pub count: u64,
    /// The first few (1-based) line numbers.
    pub first_lines: Vec<u64>,
}

/// Rows skipped, by reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SkipReport {
    /// Per reason.
    pub reasons: BTreeMap<SkipReason, SkipCount>,
}

impl SkipReport {
    /// Records one skipped row.
    pub fn record(&mut self, reason: SkipReason, line: u64) {
        let entry = self.reasons.entry(reason).or_default();
        entry.count += 1;
        if entry.first_lines.len() < KEPT_LINES {
            entry.first_lines.push(line);
        }
    }

    /// Total rows skipped.
    pub fn total(&self) -> u64 {
        self.reasons.values().map(|count| count.count).sum()
    }

    /// Rows skipped for `reason`.
    pub fn count(&self, reason: SkipReason) -> u64 {
        self.reasons.get(&reason).map_or(0, |count| count.count)
    }
}

/// Interned activity of one network kind, ready for pair computation.
#[derive(Clone, Debug)]
pub struct Activity {
    /// The network kind the objects were extracted for.
    pub kind: NetworkKind,
    /// Account ids.
    pub accounts: Interner,
    /// Canonical object keys.
    pub objects: Interner,
    /// All shares, in input order.
    pub shares: Vec<Share>,
    /// Rows read (including skipped ones).
    pub rows_read: u64,
    /// Rows skipped, by reason.
    pub skipped: SkipReport,
    /// Near-duplicate grouping, when objects are compared by similarity
    /// ([`crate::near::group_near_duplicates`]); shares' `object` is then
    /// their group.
    pub near: Option<NearGroups>,
}

/// Rows whose fields are checked, timed and canonicalised but not yet
/// interned. Preparing needs no shared state, so a reader can prepare one
/// batch while another thread interns the previous one; interning batches in
/// input order keeps ids in first-seen order.
#[derive(Debug, Default)]
pub(crate) struct PreparedBatch {
    /// Account and key texts, end to end.
    text: String,
    /// Spans of `text` holding object keys, row by row.
    keys: Vec<(usize, usize)>,
    rows: Vec<PreparedRow>,
}

#[derive(Debug)]
enum PreparedRow {
    Skipped {
        line: u64,
        reason: SkipReason,
    },
    Kept {
        /// Span of the account in the batch's text.
        account: (usize, usize),
        time: f64,
        /// Range of the batch's `keys`: sorted, distinct, never empty.
        keys: (usize, usize),
    },
}

impl PreparedBatch {
    fn len(&self) -> usize {
        self.rows.len()
    }

    fn clear(&mut self) {
        self.text.clear();
        self.keys.clear();
        self.rows.clear();
    }

    fn push_text(&mut self, text: &str) -> (usize, usize) {
        let start = self.text.len();
        self.text.push_str(text);
        (start, self.text.len())
    }

    fn span(&self, (start, end): (usize, usize)) -> &str {
        self.text.get(start..end).unwrap_or("")
    }

    fn skip(&mut self, line: u64, reason: SkipReason) {
        self.rows.push(PreparedRow::Skipped { line, reason });
    }

    /// Checks and canonicalises one row (`line` is its 1-based line number,
    /// for the skip report; `object` is ignored for co-post).
    fn prepare(
        &mut self,
        kind: NetworkKind,
        rules: &Canonicalisers,
        line: u64,
        account: Option<&str>,
        object: Option<&str>,
        time: Option<&str>,
    ) {
        let account = match account.map(str::trim).filter(|a| !a.is_empty()) {
            Some(account) => account,
            None => return self.skip(line, SkipReason::MissingAccount),
        };
        let time = match time.map(str::trim).filter(|t| !t.is_empty()) {
            Some(raw) => match parse_time(raw) {
                Some(time) => time,
                None => return self.skip(line, SkipReason::BadTime),
            },
            None => return self.skip(line, SkipReason::MissingTime),
        };
        let first_key = self.keys.len();
        if kind == NetworkKind::CoPost {
            self.keys.push((self.text.len(), self.text.len()));
        } else {
            for value in split_values(kind, object.unwrap_or("")) {
                if let Some(key) = object_key(kind, value, rules) {
                    let span = self.push_text(&key);
                    self.keys.push(span);
                }
            }
        }
        // Sort and de-duplicate this row's keys by their text.
        let mut row_keys = self.keys.split_off(first_key);
        row_keys.sort_unstable_by(|x, y| self.span(*x).cmp(self.span(*y)));
        row_keys.dedup_by(|x, y| self.span(*x) == self.span(*y));
        self.keys.append(&mut row_keys);
        if self.keys.len() == first_key {
            return self.skip(line, SkipReason::MissingObject);
        }
        let account = self.push_text(account);
        self.rows.push(PreparedRow::Kept {
            account,
            time,
            keys: (first_key, self.keys.len()),
        });
    }
}

/// Builds an [`Activity`] row by row; readers and tests feed it.
#[derive(Debug)]
pub struct ActivityBuilder {
    activity: Activity,
    rules: Canonicalisers,
    next_message: u32,
    /// Reused for rows pushed one at a time.
    scratch: PreparedBatch,
}

impl ActivityBuilder {
    /// A builder for `kind` with canonicalisation `rules`.
    pub fn new(kind: NetworkKind, rules: Canonicalisers) -> Self {
        Self {
            activity: Activity {
                kind,
                accounts: Interner::new(),
                objects: Interner::new(),
                shares: Vec::new(),
                rows_read: 0,
                skipped: SkipReport::default(),
                near: None,
            },
            rules,
            next_message: 0,
            scratch: PreparedBatch::default(),
        }
    }

    /// Adds one row (`line` is its 1-based line number, for the skip report).
    /// `object` is the raw object field (ignored for co-post).
    pub fn push_row(
        &mut self,
        line: u64,
        account: Option<&str>,
        object: Option<&str>,
        time: Option<&str>,
    ) {
        let mut batch = std::mem::take(&mut self.scratch);
        batch.clear();
        batch.prepare(self.activity.kind, &self.rules, line, account, object, time);
        self.push_batch(&batch);
        self.scratch = batch;
    }

    /// Interns a prepared batch, in row order.
    fn push_batch(&mut self, batch: &PreparedBatch) {
        for row in &batch.rows {
            self.activity.rows_read += 1;
            let (account, time, keys) = match *row {
                PreparedRow::Skipped { line, reason } => {
                    self.activity.skipped.record(reason, line);
                    continue;
                }
                PreparedRow::Kept {
                    account,
                    time,
                    keys,
                } => (account, time, keys),
            };
            let account = self.activity.accounts.intern(batch.span(account));
            let message = self.next_message;
            self.next_message = self.next_message.saturating_add(1);
            let keys = batch.keys.get(keys.0..keys.1).unwrap_or(&[]);
            let multi_object = keys.len() > 1;
            for &key in keys {
                let object = self.activity.objects.intern(batch.span(key));
                self.activity.shares.push(Share {
                    account,
                    object,
                    message,
                    multi_object,
                    time,
                });
            }
        }
    }

    /// Records a row that could not be read at all.
    pub fn push_malformed(&mut self, line: u64) {
        self.activity.rows_read += 1;
        self.activity.skipped.record(SkipReason::MalformedRow, line);
    }

    /// The finished activity.
    pub fn finish(self) -> Activity {
        self.activity
    }
}

/// Parses Unix seconds (integer or float) or an RFC 3339 timestamp.
pub fn parse_time(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    if let Ok(seconds) = raw.parse::<f64>() {
        return seconds.is_finite().then_some(seconds);
    }
    let parsed =
        time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339).ok()?;
    Some(parsed.unix_timestamp() as f64 + f64::from(parsed.nanosecond()) / 1e9)
}

/// Positions of the account, time and object columns among `names`
/// (exact name first, then ignoring ASCII case); the object is `None` for
/// co-post. Fails naming the columns present.
pub(crate) fn locate_columns(
    names: &[String],
    kind: NetworkKind,
    mapping: &ColumnMapping,
) -> Result<(usize, usize, Option<usize>), DetectError> {
    let find = |column: &str| -> Result<usize, DetectError> {
        names
            .iter()
            .position(|name| name == column)
            .or_else(|| {
                names
                    .iter()
                    .position(|name| name.eq_ignore_ascii_case(column))
            })
            .ok_or_else(|| missing_column_error(column, names.to_vec()))
    };
    let account_at = find(&mapping.account)?;
    let time_at = find(&mapping.time)?;
    let object_at = match (&mapping.object, kind) {
        (_, NetworkKind::CoPost) => None,
        (Some(object), _) => Some(find(object)?),
        (None, _) => return Err(DetectError::MissingObjectColumn { kind }),
    };
    Ok((account_at, time_at, object_at))
}

fn missing_column_error(column: &str, available: Vec<String>) -> DetectError {
    DetectError::UnknownColumn {
        column: column.to_owned(),
        available,
    }
}

/// Rows per prepared batch: large enough that handing a batch between
/// threads costs nothing, small enough to stay in cache.
const BATCH_ROWS: usize = 4096;

/// Reads CSV (with a header row) from `reader`, streaming. A second thread
/// parses and canonicalises rows in batches while this one interns them,
/// so reading takes about the time of the slower half.
pub fn read_csv(
    reader: impl Read + Send,
    kind: NetworkKind,
    mapping: &ColumnMapping,
    rules: Canonicalisers,
) -> Result<Activity, DetectError> {
    read_csv_in_batches(reader, kind, mapping, rules, BATCH_ROWS)
}

fn read_csv_in_batches(
    reader: impl Read + Send,
    kind: NetworkKind,
    mapping: &ColumnMapping,
    rules: Canonicalisers,
    batch_rows: usize,
) -> Result<Activity, DetectError> {
    let mut csv_reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(reader);
    let headers: Vec<String> = csv_reader
        .byte_headers()
        .map_err(|err| DetectError::Malformed {
            line: 1,
            message: err.to_string(),
        })?
        .iter()
        .map(|field| {
            String::from_utf8_lossy(field)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_owned()
        })
        .collect();
    let (account_at, time_at, object_at) = locate_columns(&headers, kind, mapping)?;
    std::thread::scope(|scope| {
        // Full batches come to this (interning) thread; emptied ones go back
        // for reuse, so a long read allocates a handful of batches. The
        // growing tables stay on the caller's thread, and so in its memory
        // arena.
        let (full_sender, full_receiver) = std::sync::mpsc::sync_channel::<PreparedBatch>(2);
        let (empty_sender, empty_receiver) = std::sync::mpsc::channel::<PreparedBatch>();
        let reading = scope.spawn(move || -> Option<DetectError> {
            let mut batch = PreparedBatch::default();
            let mut record = csv::ByteRecord::new();
            loop {
                let line = csv_reader.position().line() + 1;
                match csv_reader.read_byte_record(&mut record) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(err) => match err.kind() {
                        csv::ErrorKind::Io(_) => return Some(DetectError::Io(err.to_string())),
                        _ => {
                            batch.skip(line, SkipReason::MalformedRow);
                            continue;
                        }
                    },
                }
                let line = record.position().map_or(line, |position| position.line());
                let field = |at: usize| record.get(at).map(std::str::from_utf8);
                let (account, time) = (field(account_at), field(time_at));
                let object = object_at.and_then(field);
                if matches!(account, Some(Err(_)))
                    || matches!(time, Some(Err(_)))
                    || matches!(object, Some(Err(_)))
                {
                    batch.skip(line, SkipReason::MalformedRow);
                } else {
                    batch.prepare(
                        kind,
                        &rules,
                        line,
                        account.and_then(Result::ok),
                        object.and_then(Result::ok),
                        time.and_then(Result::ok),
                    );
                }
                if batch.len() >= batch_rows {
                    let next = empty_receiver.try_recv().unwrap_or_default();
                    if full_sender
                        .send(std::mem::replace(&mut batch, next))
                        .is_err()
                    {
                        return None; // the interning side stopped
                    }
                }
            }
            if batch.len() > 0 {
                let _ = full_sender.send(batch);
            }
            None
        });
        let mut builder = ActivityBuilder::new(kind, rules);
        for mut batch in full_receiver {
            builder.push_batch(&batch);
            batch.clear();
            // The reader may have finished already; the batch is then dropped.
            let _ = empty_sender.send(batch);
        }
        let failure = match reading.join() {
            Ok(failure) => failure,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        match failure {
            Some(err) => Err(err),
            None => Ok(builder.finish()),
        }
    })
}

/// Looks up a field by exact name, then by dotted path (`user.id`).
fn json_field<'a>(
    object: &'a serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Option<&'a serde_json::Value> {
    if let Some(value) = object.get(name) {
        return Some(value);
    }
    let mut parts = name.split('.');
    let mut current = object.get(parts.next()?)?;
    for part in parts {
        current = match current {
            serde_json::Value::Object(map) => map.get(part)?,
            serde_json::Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// A JSON value as field text: strings as-is, numbers printed, arrays
/// joined by spaces (several URLs or hashtags), null/absent as `None`.
fn json_text(value: Option<&serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|item| json_text(Some(item)))
                .collect();
            Some(parts.join(" "))
        }
        serde_json::Value::Object(map) => map
            .get("url")
            .or_else(|| map.get("expanded_url"))
            .or_else(|| map.get("tag"))
            .or_else(|| map.get("id"))
            .and_then(|inner| json_text(Some(inner))),
        other => Some(other.to_string()),
    }
}

/// Reads JSON Lines from `reader`, streaming. The first object must have
/// every mapped field (else the mapping is reported as wrong, listing the
/// fields it has); later objects lacking a field are skipped and counted.
pub fn read_json_lines(
    reader: impl BufRead,
    kind: NetworkKind,
    mapping: &ColumnMapping,
    rules: Canonicalisers,
) -> Result<Activity, DetectError> {
    let object_column = match (&mapping.object, kind) {
        (_, NetworkKind::CoPost) => None,
        (Some(object), _) => Some(object.as_str()),
        (None, _) => return Err(DetectError::MissingObjectColumn { kind }),
    };
    let mut builder = ActivityBuilder::new(kind, rules);
    let mut checked_mapping = false;
    for (index, line) in reader.lines().enumerate() {
        let line_number = index as u64 + 1;
        let line = match line {
            Ok(line) => line,
            Err(err) if err.kind() == std::io::ErrorKind::InvalidData => {
                builder.push_malformed(line_number);
                continue;
            }
            Err(err) => return Err(DetectError::Io(err.to_string())),
        };
        if line.trim().is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(serde_json::Value::Object(object)) => object,
            _ => {
                builder.push_malformed(line_number);
                continue;
            }
        };
        if !checked_mapping {
            checked_mapping = true;
            let wanted = [
                Some(mapping.account.as_str()),
                Some(mapping.time.as_str()),
                object_column,
            ];
            for column in wanted.into_iter().flatten() {
                if json_field(&object, column).is_none() {
                    return Err(missing_column_error(
                        column,
                        object.keys().cloned().collect(),
                    ));
                }
            }
        }
        let account = json_text(json_field(&object, &mapping.account));
        let time = json_text(json_field(&object, &mapping.time));
        let value = object_column.and_then(|column| json_text(json_field(&object, column)));
        builder.push_row(
            line_number,
            account.as_deref(),
            value.as_deref(),
            time.as_deref(),
        );
    }
    Ok(builder.finish())
}

/// Reads `reader` in `format`.
pub fn read_activity(
    reader: impl BufRead + Send,
    format: InputFormat,
    kind: NetworkKind,
    mapping: &ColumnMapping,
    rules: Canonicalisers,
) -> Result<Activity, DetectError> {
    match format {
        InputFormat::Csv => read_csv(reader, kind, mapping, rules),
        InputFormat::JsonLines => read_json_lines(reader, kind, mapping, rules),
        InputFormat::Parquet => Err(DetectError::Parquet(
            "Parquet needs a seekable file, not a stream; open the file and call \
             parquet_input::read_parquet"
                .to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn mapping(object: &str) -> ColumnMapping {
        ColumnMapping {
            account: "user".into(),
            object: Some(object.into()),
            time: "ts".into(),
        }
    }

    #[test]
    fn times_in_seconds_and_rfc3339() {
        assert_eq!(parse_time("60"), Some(60.0));
        assert_eq!(parse_time("1.5"), Some(1.5));
        assert_eq!(parse_time("1970-01-01T00:01:00Z"), Some(60.0));
        assert_eq!(parse_time("1970-01-01T01:01:00.5+01:00"), Some(60.5));
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("NaN"), None);
    }

    #[test]
    fn csv_rows_are_counted_and_bad_ones_skipped() {
        let data = "user,url,ts\n\
                    a,http://x.com/1,10\n\
                    ,http://x.com/1,11\n\
                    b,,12\n\
                    c,http://x.com/1,soon\n\
                    d,http://x.com/1 http://y.com/2,13\n\
                    e,http://x.com/1\n";
        let activity = read_csv(
            data.as_bytes(),
            NetworkKind::CoLink,
            &mapping("url"),
            Canonicalisers::default(),
        )
        .unwrap();
        assert_eq!(activity.rows_read, 6);
        assert_eq!(activity.skipped.count(SkipReason::MissingAccount), 1);
        assert_eq!(activity.skipped.count(SkipReason::MissingObject), 1);
        assert_eq!(activity.skipped.count(SkipReason::BadTime), 1);
        assert_eq!(activity.skipped.count(SkipReason::MissingTime), 1);
        assert_eq!(
            activity.skipped.reasons[&SkipReason::MissingAccount].first_lines,
            vec![3]
        );
        assert_eq!(
            activity.skipped.reasons[&SkipReason::BadTime].first_lines,
            vec![5]
        );
        // a: one share; d: two shares of one message.
        assert_eq!(activity.shares.len(), 3);
        assert!(activity.shares[1].multi_object && activity.shares[2].multi_object);
        assert_eq!(activity.shares[1].message, activity.shares[2].message);
    }

    #[test]
    fn wrong_mapping_lists_available_columns() {
        let data = "user,url,ts\na,http://x.com,1\n";
        let err = read_csv(
            data.as_bytes(),
            NetworkKind::CoLink,
            &mapping("link"),
            Canonicalisers::default(),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("link") && text.contains("user, url, ts"),
            "{text}"
        );
        let jsonl = "{\"user\":\"a\",\"ts\":1,\"url\":\"http://x.com\"}\n";
        let err = read_json_lines(
            jsonl.as_bytes(),
            NetworkKind::CoLink,
            &mapping("link"),
            Canonicalisers::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("url"), "{err}");
    }

    #[test]
    fn json_lines_with_arrays_and_paths() {
        let data = "{\"user\":{\"id\":\"a\"},\"ts\":\"1970-01-01T00:00:05Z\",\"tags\":[\"#X\",\"y\"]}\n\
                    not json\n\
                    \n\
                    {\"user\":{\"id\":\"b\"},\"ts\":7,\"tags\":null}\n";
        let map = ColumnMapping {
            account: "user.id".into(),
            object: Some("tags".into()),
            time: "ts".into(),
        };
        let activity = read_json_lines(
            data.as_bytes(),
            NetworkKind::CoHashtag,
            &map,
            Canonicalisers::default(),
        )
        .unwrap();
        assert_eq!(activity.shares.len(), 2);
        assert_eq!(activity.objects.get(activity.shares[0].object), "x");
        assert_eq!(activity.shares[0].time, 5.0);
        assert_eq!(activity.skipped.count(SkipReason::MalformedRow), 1);
        assert_eq!(activity.skipped.count(SkipReason::MissingObject), 1);
    }

    /// Everything an activity holds, comparable.
    fn digest(activity: &Activity) -> (Vec<Share>, Vec<String>, Vec<String>, u64, SkipReport) {
        let texts =
            |interner: &Interner| interner.iter().map(|(_, text)| text.to_owned()).collect();
        (
            activity.shares.clone(),
            texts(&activity.accounts),
            texts(&activity.objects),
            activity.rows_read,
            activity.skipped.clone(),
        )
    }

    proptest! {
        /// Reading in batches on two threads gives what pushing the rows
        /// one by one gives, whatever the batch size.
        #[test]
        fn batched_csv_reading_equals_row_by_row(
            rows in proptest::collection::vec(
                (0u8..6, proptest::option::of(0u8..5), proptest::option::of(0u8..5), 0u8..4),
                0..60,
            ),
            batch_rows in 1usize..7,
        ) {
            let mut data = String::from("user,url,ts\n");
            let mut builder = ActivityBuilder::new(NetworkKind::CoLink, Canonicalisers::default());
            for (index, (account, first, second, time)) in rows.iter().enumerate() {
                let account = if *account == 0 { String::new() } else { format!("a{account}") };
                let urls: Vec<String> = [first, second]
                    .into_iter()
                    .flatten()
                    .map(|n| format!("http://x{n}.com/p"))
                    .collect();
                let urls = urls.join(" ");
                let time = match time { 0 => String::new(), 1 => "soon".to_owned(), t => format!("{t}") };
                data.push_str(&format!("{account},{urls},{time}\n"));
                builder.push_row(index as u64 + 2, Some(&account), Some(&urls), Some(&time));
            }
            let batched = read_csv_in_batches(
                data.as_bytes(), NetworkKind::CoLink, &mapping("url"), Canonicalisers::default(), batch_rows,
            ).unwrap();
            prop_assert_eq!(digest(&batched), digest(&builder.finish()));
        }

        #[test]
        fn csv_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut data = b"user,url,ts\n".to_vec();
            data.extend(bytes);
            let _ = read_csv(&data[..], NetworkKind::CoLink, &mapping("url"), Canonicalisers::default());
        }

        #[test]
        fn json_reader_never_panics(text in any::<String>()) {
            let _ = read_json_lines(text.as_bytes(), NetworkKind::CoShare, &mapping("rt"), Canonicalisers::default());
        }
    }
}
