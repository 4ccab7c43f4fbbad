//! Rust side of `bench/minhash/run.sh`: times signature computation, LSH
//! index build and queries on a corpus file (one post per line), computes
//! brute-force exact-Jaccard ground truth for a query sample, and prints one
//! JSON object for the comparison script.
//!
//! ```text
//! cargo run --release -p crosswatch-minhash --example bench_minhash -- \
//!     CORPUS NUM_PERM THRESHOLD QUERIES REPEATS TRUTH_SAMPLE TRUTH_OUT
//! ```

use std::fmt::Write as _;
use std::time::Instant;

use crosswatch_minhash::{
    LshIndex, LshParams, MinHashConfig, MinHasher, ShingleSet, Signature, candidate_pairs,
    verify_pairs_exact,
};
use rayon::prelude::*;

struct Args {
    corpus: String,
    num_perm: usize,
    threshold: f64,
    queries: usize,
    repeats: usize,
    truth_sample: usize,
    truth_out: String,
}

fn parse_args() -> Result<Args, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [
        corpus,
        num_perm,
        threshold,
        queries,
        repeats,
        truth_sample,
        truth_out,
    ] = args.as_slice()
    else {
        return Err(
            "usage: bench_minhash CORPUS NUM_PERM THRESHOLD QUERIES REPEATS TRUTH_SAMPLE TRUTH_OUT"
                .into(),
        );
    };
    let number = |name: &str, value: &str| -> Result<usize, String> {
        value
            .parse()
            .map_err(|_| format!("{name} must be a whole number, got {value:?}"))
    };
    Ok(Args {
        corpus: corpus.clone(),
        num_perm: number("NUM_PERM", num_perm)?,
        threshold: threshold
            .parse()
            .map_err(|_| format!("THRESHOLD must be a number, got {threshold:?}"))?,
        queries: number("QUERIES", queries)?,
        repeats: number("REPEATS", repeats)?.max(1),
        truth_sample: number("TRUTH_SAMPLE", truth_sample)?,
        truth_out: truth_out.clone(),
    })
}

/// Runs `work` `repeats` times; returns every duration in seconds and the
/// last result.
fn time<T>(repeats: usize, mut work: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut seconds = Vec::with_capacity(repeats);
    let mut result = None;
    for _ in 0..repeats {
        let start = Instant::now();
        let value = work();
        seconds.push(start.elapsed().as_secs_f64());
        result = Some(value);
    }
    match result {
        Some(value) => (seconds, value),
        None => unreachable!("repeats is at least 1"),
    }
}

fn build_index(
    signatures: Vec<Signature>,
    num_perm: usize,
    params: LshParams,
) -> Result<LshIndex<u32>, String> {
    let mut index = LshIndex::new(num_perm, params).map_err(|e| e.to_string())?;
    for (id, signature) in (0u32..).zip(signatures) {
        index.insert(id, signature).map_err(|e| e.to_string())?;
    }
    Ok(index)
}

fn main() -> Result<(), String> {
    let args = parse_args()?;
    let text = std::fs::read_to_string(&args.corpus)
        .map_err(|e| format!("cannot read corpus {}: {e}", args.corpus))?;
    let posts: Vec<&str> = text.lines().collect();
    let hasher = MinHasher::new(MinHashConfig {
        num_perm: args.num_perm,
        ..MinHashConfig::default()
    })
    .map_err(|e| e.to_string())?;
    let params =
        LshParams::optimal(args.threshold, args.num_perm, 0.5, 0.5).map_err(|e| e.to_string())?;
    let step = (posts.len() / args.queries.max(1)).max(1);
    let query_ids: Vec<usize> = (0..posts.len()).step_by(step).take(args.queries).collect();

    let signatures_single = |posts: &[&str]| -> Vec<Signature> {
        let mut buffer = String::new();
        posts
            .iter()
            .map(|post| hasher.signature_with_buffer(post, &mut buffer))
            .collect()
    };
    let (signature_single_s, _) = time(args.repeats, || signatures_single(&posts));
    let (signature_parallel_s, _) = time(args.repeats, || hasher.signatures_parallel(&posts));
    let (build_single_s, _) = time(args.repeats, || {
        build_index(signatures_single(&posts), args.num_perm, params)
    });
    let (build_parallel_s, index) = time(args.repeats, || {
        build_index(hasher.signatures_parallel(&posts), args.num_perm, params)
    });
    let index = index?;

    let query_one = |id: &usize| -> usize {
        let signature = hasher.signature(posts.get(*id).copied().unwrap_or_default());
        index
            .query_verified(&signature, args.threshold)
            .map(|hits| hits.len())
            .unwrap_or(0)
    };
    let (query_single_s, hits_single) = time(args.repeats, || {
        query_ids.iter().map(query_one).sum::<usize>()
    });
    let (query_parallel_s, _) = time(args.repeats, || {
        query_ids.par_iter().map(query_one).sum::<usize>()
    });
    // Index lookups alone, with the query signatures computed beforehand.
    let query_signatures: Vec<Signature> = query_ids
        .iter()
        .map(|id| hasher.signature(posts.get(*id).copied().unwrap_or_default()))
        .collect();
    let (lookup_only_s, _) = time(args.repeats, || {
        query_signatures
            .iter()
            .map(|signature| {
                index
                    .query_verified(signature, args.threshold)
                    .map(|hits| hits.len())
                    .unwrap_or(0)
            })
            .sum::<usize>()
    });

    // Co-text batch: all candidate pairs of the corpus, verified exactly.
    let (signatures, sets): (Vec<Signature>, Vec<ShingleSet>) = posts
        .par_iter()
        .map(|post| hasher.signature_and_shingles(post))
        .unzip();
    let (pairs_s, (candidates, verified)) = time(args.repeats, || {
        let candidates = candidate_pairs(&signatures, params).unwrap_or_default();
        let verified = verify_pairs_exact(&sets, candidates.iter().copied(), args.threshold)
            .map(|v| v.len())
            .unwrap_or(0);
        (candidates.len(), verified)
    });

    // Ground truth by brute force over exact Jaccard, and Rust's recall.
    let truth: Vec<(usize, Vec<usize>)> = query_ids
        .iter()
        .take(args.truth_sample)
        .map(|&query| {
            let Some(query_set) = sets.get(query) else {
                return (query, Vec::new());
            };
            let similar = sets
                .iter()
                .enumerate()
                .filter(|&(other, set)| {
                    other != query
                        && (set.len().min(query_set.len()) as f64)
                            >= args.threshold * set.len().max(query_set.len()) as f64
                        && set.jaccard(query_set) >= args.threshold
                })
                .map(|(other, _)| other)
                .collect();
            (query, similar)
        })
        .collect::<Vec<_>>();
    let (mut relevant, mut found_raw, mut found_verified) = (0usize, 0usize, 0usize);
    let mut truth_text = String::new();
    for (query, similar) in &truth {
        let signature = &signatures[*query];
        let raw = index.query(signature).map_err(|e| e.to_string())?;
        let verified = index
            .query_verified(signature, args.threshold)
            .map_err(|e| e.to_string())?;
        relevant += similar.len();
        for id in similar {
            let id = *id as u32;
            found_raw += usize::from(raw.contains(&&id));
            found_verified += usize::from(verified.iter().any(|hit| *hit.key == id));
        }
        let ids: Vec<String> = similar.iter().map(usize::to_string).collect();
        let _ = writeln!(truth_text, "{query}\t{}", ids.join(","));
    }
    std::fs::write(&args.truth_out, truth_text)
        .map_err(|e| format!("cannot write {}: {e}", args.truth_out))?;
    let ratio = |found: usize| {
        if relevant == 0 {
            1.0
        } else {
            found as f64 / relevant as f64
        }
    };

    let list = |values: &[f64]| {
        values
            .iter()
            .map(|v| format!("{v:.6}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    println!(
        "{{\"posts\":{},\"queries\":{},\"bands\":{},\"rows\":{},\
         \"signature_single_s\":[{}],\"signature_parallel_s\":[{}],\
         \"build_single_s\":[{}],\"build_parallel_s\":[{}],\
         \"query_single_s\":[{}],\"query_parallel_s\":[{}],\"query_hits\":{},\"lookup_only_s\":[{}],\
         \"pairs_s\":[{}],\"candidate_pairs\":{},\"verified_pairs\":{},\
         \"truth_relevant\":{},\"recall_raw\":{:.4},\"recall_verified\":{:.4}}}",
        posts.len(),
        query_ids.len(),
        params.bands(),
        params.rows(),
        list(&signature_single_s),
        list(&signature_parallel_s),
        list(&build_single_s),
        list(&build_parallel_s),
        list(&query_single_s),
        list(&query_parallel_s),
        hits_single,
        list(&lookup_only_s),
        list(&pairs_s),
        candidates,
        verified,
        relevant,
        ratio(found_raw),
        ratio(found_verified),
    );
    Ok(())
}
