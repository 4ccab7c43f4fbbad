//! Benchmark side of `bench/pdq/run.sh`: loads a bank and queries written by
//! `bench/pdq/faiss_side.py`, times `PdqIndex::query` per query, writes the
//! hits for comparison, and optionally times hashing of image files.
//!
//! Usage: `bench_index DIR [IMAGE_DIR]` where DIR holds `bank.bin` and
//! `queries.bin` (32 bytes per hash) and receives `rust_hits.tsv`.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use crosswatch_pdq::{MATCH_DISTANCE_THRESHOLD, PdqHash, PdqIndex, decode_and_hash};

fn read_hashes(path: &Path) -> Vec<PdqHash> {
    let bytes = std::fs::read(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    bytes
        .chunks_exact(32)
        .map(|chunk| {
            let mut hash = [0u8; 32];
            hash.copy_from_slice(chunk);
            PdqHash(hash)
        })
        .collect()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("usage: bench_index DIR [IMAGE_DIR]"));
    let image_dir = args.next();
    let bank = read_hashes(&dir.join("bank.bin"));
    let queries = read_hashes(&dir.join("queries.bin"));

    let started = Instant::now();
    let mut index =
        PdqIndex::from_entries(bank.iter().enumerate().map(|(id, hash)| (id as u32, *hash)))
            .expect("index capacity");
    let build_seconds = started.elapsed().as_secs_f64();
    println!(
        "rust: bulk-indexed {} hashes in {:.2} s, ~{} MiB",
        bank.len(),
        build_seconds,
        index.heap_bytes() >> 20
    );

    // Warm-up pass, then timed passes; the per-query time is the median of
    // three runs of that query.
    for query in &queries {
        std::hint::black_box(index.query(query, MATCH_DISTANCE_THRESHOLD));
    }
    let mut per_query_us = Vec::with_capacity(queries.len());
    let mut all_hits = Vec::with_capacity(queries.len());
    for query in &queries {
        let mut runs = [0.0f64; 3];
        let mut hits = Vec::new();
        for run in &mut runs {
            let started = Instant::now();
            hits = std::hint::black_box(index.query(query, MATCH_DISTANCE_THRESHOLD));
            *run = started.elapsed().as_secs_f64() * 1e6;
        }
        per_query_us.push(median(&mut runs));
        all_hits.push(hits);
    }
    let total_hits: usize = all_hits.iter().map(Vec::len).sum();
    println!(
        "rust: {} queries at distance <= {MATCH_DISTANCE_THRESHOLD}: median {:.1} us/query, {} hits",
        queries.len(),
        median(&mut per_query_us),
        total_hits
    );

    let mut out =
        std::io::BufWriter::new(std::fs::File::create(dir.join("rust_hits.tsv")).unwrap());
    for (query, hits) in all_hits.iter().enumerate() {
        for (id, distance) in hits {
            writeln!(out, "{query}\t{id}\t{distance}").unwrap();
        }
    }
    out.flush().unwrap();

    // Incremental maintenance on the full bank.
    let churn = 100_000.min(bank.len());
    let started = Instant::now();
    for (id, hash) in bank.iter().enumerate().take(churn) {
        assert!(index.remove(&(id as u32), hash));
    }
    let removed = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for (id, hash) in bank.iter().enumerate().take(churn) {
        index.insert(id as u32, *hash).expect("index capacity");
    }
    let inserted = started.elapsed().as_secs_f64();
    println!(
        "rust: on the full bank, {churn} removes at {:.0}/s, {churn} inserts at {:.0}/s",
        churn as f64 / removed,
        churn as f64 / inserted
    );

    if let Some(image_dir) = image_dir {
        let mut images = Vec::new();
        for entry in std::fs::read_dir(&image_dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            if decode_and_hash(&bytes).is_ok() {
                images.push(bytes);
            }
        }
        let rounds = 5;
        let started = Instant::now();
        for _ in 0..rounds {
            for bytes in &images {
                std::hint::black_box(decode_and_hash(bytes).unwrap());
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let pixels: usize = images
            .iter()
            .map(|bytes| {
                let image = crosswatch_pdq::decode_image(bytes).unwrap();
                image.width * image.height
            })
            .sum();
        println!(
            "rust: decode+hash of {} images x{rounds}: {:.1} images/s ({:.1} Mpixel/s)",
            images.len(),
            (images.len() * rounds) as f64 / seconds,
            (pixels * rounds) as f64 / seconds / 1e6
        );
    }
}
