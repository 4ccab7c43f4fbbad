//! PDQ conformance: hashes and qualities must equal those of Meta's C++
//! reference on the shared images, bit for bit.

use std::path::Path;

use crosswatch_pdq::{MATCH_DISTANCE_THRESHOLD, PdqHash, decode_and_hash};

struct Row {
    file: String,
    hex: String,
    quality: u32,
    decoded_png: Option<String>,
}

fn rows(dir: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(header, ["file", "pdq_hex", "quality", "decoded_png"]);
    lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            Row {
                file: fields[0].to_string(),
                hex: fields[1].to_string(),
                quality: fields[2].parse().unwrap(),
                decoded_png: fields
                    .get(3)
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            }
        })
        .collect()
}

#[test]
fn pdq_matches_reference_bit_for_bit() {
    let Some(data) = crosswatch_conformance::shared_data("pdq") else {
        return;
    };
    let dir = data.join("pdq");
    let rows = rows(&dir);
    assert!(rows.len() >= 19, "expected.tsv has {} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        // The lossless decoded pixels where given (JPEG decoders differ in
        // the last bit); otherwise the file itself.
        let source = row.decoded_png.as_deref().unwrap_or(&row.file);
        let bytes = std::fs::read(dir.join("images").join(source)).unwrap();
        let (hash, quality) = decode_and_hash(&bytes).unwrap();
        if hash.to_hex() != row.hex || quality != row.quality {
            failures.push(format!(
                "{source}: got {} q{quality}, expected {} q{}",
                hash.to_hex(),
                row.hex,
                row.quality
            ));
        }
        if row.decoded_png.is_some() {
            // Our JPEG decoder may round some pixels differently from the
            // one the reference data were made with; the original file must
            // still match its reference hash.
            let bytes = std::fs::read(dir.join("images").join(&row.file)).unwrap();
            let (hash, _) = decode_and_hash(&bytes).unwrap();
            let expected = PdqHash::from_hex(&row.hex).unwrap();
            let distance = hash.hamming_distance(&expected);
            if distance > MATCH_DISTANCE_THRESHOLD {
                failures.push(format!(
                    "{}: distance {distance} to the reference hash",
                    row.file
                ));
            }
        }
    }
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
}
