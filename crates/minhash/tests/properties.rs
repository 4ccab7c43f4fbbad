//! Property tests against naive reference implementations.

use std::collections::HashSet;

use crosswatch_minhash::{
    LshIndex, LshParams, MinHashConfig, MinHasher, NormalizeOptions, ShingleConfig, ShingleSet,
    Signature, candidate_pairs, estimate_jaccard, for_each_candidate_pair, normalize,
    verify_pairs_exact,
};
use proptest::prelude::*;

/// Deterministic generator for the statistical tests (no flakiness).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

fn naive_jaccard(a: &[u64], b: &[u64]) -> f64 {
    let a: HashSet<u64> = a.iter().copied().collect();
    let b: HashSet<u64> = b.iter().copied().collect();
    let union = a.union(&b).count();
    if union == 0 {
        0.0
    } else {
        a.intersection(&b).count() as f64 / union as f64
    }
}

fn hasher(num_perm: usize) -> MinHasher {
    MinHasher::new(MinHashConfig {
        num_perm,
        ..MinHashConfig::default()
    })
    .unwrap()
}

/// Two sets with `shared` common elements and `only` elements each of their own.
fn overlapping_sets(
    rng: &mut SplitMix,
    shared: usize,
    only_a: usize,
    only_b: usize,
) -> (Vec<u64>, Vec<u64>) {
    let common: Vec<u64> = (0..shared).map(|_| rng.next()).collect();
    let mut a = common.clone();
    let mut b = common;
    a.extend((0..only_a).map(|_| rng.next()));
    b.extend((0..only_b).map(|_| rng.next()));
    (a, b)
}

proptest! {
    // Each case hashes up to 600 elements 256 times; fewer cases keep the
    // suite fast while still covering the overlap range.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn estimate_is_close_to_exact_jaccard(
        seed in any::<u64>(),
        shared in 0usize..300,
        only_a in 0usize..300,
        only_b in 0usize..300,
    ) {
        prop_assume!(shared + only_a > 0 && shared + only_b > 0);
        let mut rng = SplitMix(seed);
        let (a, b) = overlapping_sets(&mut rng, shared, only_a, only_b);
        let exact = naive_jaccard(&a, &b);
        let minhash = hasher(256);
        let estimate = estimate_jaccard(
            &minhash.signature_of_hashes(a.iter().copied()),
            &minhash.signature_of_hashes(b.iter().copied()),
        ).unwrap();
        // Standard error is at most 0.5 / sqrt(256) = 0.031; allow 6 of them.
        prop_assert!((estimate - exact).abs() <= 0.19, "estimate {estimate} exact {exact}");
    }

}

proptest! {
    #[test]
    fn exact_jaccard_matches_naive_reference(
        a in proptest::collection::vec(0u64..64, 0..40),
        b in proptest::collection::vec(0u64..64, 0..40),
    ) {
        let sets = (ShingleSet::from_hashes(a.clone()), ShingleSet::from_hashes(b.clone()));
        prop_assert!((sets.0.jaccard(&sets.1) - naive_jaccard(&a, &b)).abs() < 1e-12);
        let distinct: HashSet<u64> = a.iter().copied().collect();
        prop_assert_eq!(sets.0.len(), distinct.len());
    }

    #[test]
    fn arbitrary_strings_never_panic_and_normalise_cleanly(text in any::<String>(), bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let lossy = String::from_utf8_lossy(&bytes).into_owned();
        let configs = [
            ShingleConfig::default(),
            ShingleConfig {
                char_ngram: Some(1),
                word_ngram: Some(2),
                normalize: NormalizeOptions { strip_urls: false, strip_marks: true },
                seed: 9,
            },
        ];
        for config in configs {
            let minhash = MinHasher::new(MinHashConfig { num_perm: 16, seed: 3, shingles: config }).unwrap();
            for input in [&text, &lossy] {
                let normalized = normalize(input, &config.normalize);
                prop_assert!(!normalized.starts_with(' ') && !normalized.ends_with(' '));
                prop_assert!(!normalized.contains("  "));
                prop_assert!(!normalized.chars().any(|c| c.is_ascii_uppercase() || c.is_ascii_punctuation()));
                let (signature, set) = minhash.signature_and_shingles(input);
                prop_assert_eq!(set.is_empty(), normalized.is_empty());
                prop_assert_eq!(signature.is_of_empty_document(), set.is_empty());
            }
        }
    }

    #[test]
    fn normalisation_is_idempotent_on_mixed_scripts(
        text in "[a-zA-ZéÉèçÇñßẞ\u{0301}\u{0308}ВЫБОРЫвыборы الانتخابات\u{0640}选举被操纵了東京タワーﾃｽﾄ การเลือกตั้ง ΟΔΟΣς.,!?;:—…«»()\u{200B}\u{00AD} \t\n0-9１２３ＡＢＣ]{0,60}"
    ) {
        for options in [NormalizeOptions::default(), NormalizeOptions { strip_urls: false, strip_marks: true }] {
            let once = normalize(&text, &options);
            prop_assert_eq!(normalize(&once, &options), once.clone());
        }
    }

    #[test]
    fn index_agrees_with_naive_list_under_inserts_and_removes(
        operations in proptest::collection::vec(
            (any::<bool>(), 0u8..12, proptest::collection::vec(0u32..3, 8)),
            1..80,
        )
    ) {
        // 8 values in 4 bands of 2 over a 3-letter alphabet: bands collide often.
        let params = LshParams::new(4, 2).unwrap();
        let mut index = LshIndex::new(8, params).unwrap();
        let mut naive: Vec<(u8, Vec<u32>)> = Vec::new();
        for (insert, key, values) in operations {
            if insert {
                let result = index.insert(key, Signature::from_values(values.clone()));
                if naive.iter().any(|(k, _)| *k == key) {
                    prop_assert!(result.is_err());
                } else {
                    prop_assert!(result.is_ok());
                    naive.push((key, values.clone()));
                }
            } else {
                let removed = index.remove(&key);
                let position = naive.iter().position(|(k, _)| *k == key);
                prop_assert_eq!(removed.is_some(), position.is_some());
                if let Some(position) = position {
                    let (_, values) = naive.swap_remove(position);
                    let removed = removed.unwrap();
                    prop_assert_eq!(removed.values(), &values[..]);
                }
            }
            prop_assert_eq!(index.len(), naive.len());
            // Query every stored signature plus the last operation's values.
            let probes = naive.iter().map(|(_, v)| v.clone()).chain(std::iter::once(values));
            for probe in probes {
                let mut got: Vec<u8> = index.query(&Signature::from_values(probe.clone())).unwrap().into_iter().copied().collect();
                got.sort_unstable();
                let mut expected: Vec<u8> = naive
                    .iter()
                    .filter(|(_, stored)| shares_band(stored, &probe, 4, 2))
                    .map(|(k, _)| *k)
                    .collect();
                expected.sort_unstable();
                prop_assert_eq!(got, expected);
            }
        }
    }

    #[test]
    fn batch_candidate_pairs_match_naive_all_pairs(
        batch in proptest::collection::vec(proptest::collection::vec(0u32..3, 6), 0..30)
    ) {
        let params = LshParams::new(3, 2).unwrap();
        let signatures: Vec<Signature> = batch.iter().map(|v| Signature::from_values(v.clone())).collect();
        let mut emitted = Vec::new();
        for_each_candidate_pair(&signatures, params, |l, r| emitted.push((l, r))).unwrap();
        let unique: HashSet<(usize, usize)> = emitted.iter().copied().collect();
        prop_assert_eq!(unique.len(), emitted.len(), "a pair was emitted twice");
        let mut expected = Vec::new();
        for i in 0..batch.len() {
            for j in i + 1..batch.len() {
                if shares_band(&batch[i], &batch[j], 3, 2) {
                    expected.push((i, j));
                }
            }
        }
        prop_assert_eq!(candidate_pairs(&signatures, params).unwrap(), expected);
    }
}

fn shares_band(a: &[u32], b: &[u32], bands: usize, rows: usize) -> bool {
    (0..bands).any(|band| a[band * rows..(band + 1) * rows] == b[band * rows..(band + 1) * rows])
}

#[test]
fn estimates_are_unbiased_with_the_expected_spread() {
    let minhash = hasher(128);
    let mut rng = SplitMix(7);
    let (mut sum_error, mut sum_squared, mut sum_variance) = (0.0, 0.0, 0.0);
    let trials = 400;
    for _ in 0..trials {
        let shared = rng.below(150) as usize + 1;
        let only_a = rng.below(150) as usize;
        let only_b = rng.below(150) as usize;
        let (a, b) = overlapping_sets(&mut rng, shared, only_a, only_b);
        let exact = naive_jaccard(&a, &b);
        let estimate = minhash
            .signature_of_hashes(a.iter().copied())
            .jaccard(&minhash.signature_of_hashes(b.iter().copied()))
            .unwrap();
        sum_error += estimate - exact;
        sum_squared += (estimate - exact).powi(2);
        sum_variance += exact * (1.0 - exact) / 128.0;
    }
    let bias = sum_error / f64::from(trials);
    let observed_rmse = (sum_squared / f64::from(trials)).sqrt();
    let theoretical_rmse = (sum_variance / f64::from(trials)).sqrt();
    assert!(bias.abs() < 0.01, "bias {bias}");
    assert!(
        observed_rmse < 1.2 * theoretical_rmse && observed_rmse > 0.8 * theoretical_rmse,
        "rmse {observed_rmse} vs theory {theoretical_rmse}"
    );
}

/// Recall of an index built for threshold 0.8 on pairs whose shared part
/// of 200 elements is drawn from `shared_range`.
fn recall_for(shared_range: std::ops::RangeInclusive<u64>, seed: u64) -> (f64, f64) {
    let minhash = hasher(128);
    let threshold = 0.8;
    let params = LshParams::optimal(threshold, 128, 0.5, 0.5).unwrap();
    let mut index = LshIndex::new(128, params).unwrap();
    let mut rng = SplitMix(seed);
    let mut queries = Vec::new();
    let mut expected_recall = 0.0;
    let pairs = 400;
    for id in 0..pairs {
        let span = shared_range.end() - shared_range.start() + 1;
        let shared = (shared_range.start() + rng.below(span)) as usize;
        let (a, b) = overlapping_sets(&mut rng, shared, 200 - shared, 200 - shared);
        let exact = naive_jaccard(&a, &b);
        assert!(exact >= threshold);
        expected_recall += params.candidate_probability(exact);
        index.insert(id, minhash.signature_of_hashes(a)).unwrap();
        queries.push((id, minhash.signature_of_hashes(b)));
    }
    let found = queries
        .iter()
        .filter(|(id, signature)| index.query(signature).unwrap().contains(&id))
        .count();
    (
        found as f64 / f64::from(pairs),
        expected_recall / f64::from(pairs),
    )
}

#[test]
fn lsh_recall_at_high_similarity_meets_the_s_curve() {
    // Exact Jaccard from 180/220 ≈ 0.82 to 190/210 ≈ 0.90, where the
    // datasketch-optimal banding for 0.8 is still climbing its S-curve.
    let (recall, expected) = recall_for(180..=190, 11);
    // Allow three binomial standard deviations below the expectation.
    let slack = 3.0 * (expected * (1.0 - expected) / 400.0).sqrt();
    assert!(
        recall >= expected - slack,
        "recall {recall}, expected {expected}"
    );
    // Exact Jaccard from 0.95 to 0.99: almost every copy must be found.
    let (recall, expected) = recall_for(195..=199, 13);
    assert!(expected > 0.99, "expected {expected}");
    assert!(recall >= 0.98, "recall {recall}, expected {expected}");
}

#[test]
fn unrelated_documents_are_rarely_candidates() {
    let minhash = hasher(128);
    let params = LshParams::optimal(0.8, 128, 0.5, 0.5).unwrap();
    let mut rng = SplitMix(5);
    let signatures: Vec<Signature> = (0..300)
        .map(|_| minhash.signature_of_hashes((0..100).map(|_| rng.next())))
        .collect();
    assert!(candidate_pairs(&signatures, params).unwrap().len() <= 2);
}

#[test]
fn co_text_pipeline_finds_planted_copies_across_scripts() {
    let minhash = hasher(128);
    let posts = [
        "Выборы в округе 9 были сфальсифицированы. Поделитесь, пока не удалили!",
        "ВЫБОРЫ в округе 9 были сфальсифицированы!!! поделитесь, пока не удалили 🔥 https://t.me/x",
        "الانتخابات في الدائرة 9 كانت مزورة. شارك قبل أن يحذفوها!",
        "الانتخابـــات في الدائرة 9 كانت مزورة!! شارك قبل أن يحذفوها",
        "第九选区的选举被操纵了，在被删除之前转发！",
        "第九选区的选举被操纵了!! 在被删除之前转发",
        "Le décompte des voix du district 9 a été truqué, partagez avant suppression",
        "Le DÉCOMPTE des voix du district 9 a été truqué — partagez avant suppression!",
        "An unrelated post about gardening tomatoes in spring",
    ];
    let (signatures, sets): (Vec<_>, Vec<_>) = posts
        .iter()
        .map(|post| minhash.signature_and_shingles(post))
        .unzip();
    let params = LshParams::optimal(0.7, 128, 0.5, 0.5).unwrap();
    let pairs =
        verify_pairs_exact(&sets, candidate_pairs(&signatures, params).unwrap(), 0.7).unwrap();
    let found: Vec<(usize, usize)> = pairs.iter().map(|p| (p.left, p.right)).collect();
    assert_eq!(found, [(0, 1), (2, 3), (4, 5), (6, 7)]);
    assert!(pairs.iter().all(|p| p.jaccard >= 0.7));
}
