//! Naive quadratic reference implementation and the tests that hold the
//! sharded data path to it.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use crate::canon::Canonicalisers;
use crate::edges::{EdgeOptions, build_edges};
use crate::input::{ActivityBuilder, ColumnMapping, Share, read_csv};
use crate::network::compute_pairs;
use crate::{DetectConfig, NetworkKind, analyse};

/// Directed weights straight from the definition: for every ordered pair
/// of shares on the same object within the window (different messages),
/// collect the distinct messages of the first account.
fn naive_directed(shares: &[Share], window: f64) -> BTreeMap<(u32, u32), u64> {
    naive_directed_by(shares, window, |x, y| x.object == y.object)
}

/// [`naive_directed`] with "the same object" replaced by `meet`.
fn naive_directed_by(
    shares: &[Share],
    window: f64,
    meet: impl Fn(&Share, &Share) -> bool,
) -> BTreeMap<(u32, u32), u64> {
    let mut messages: BTreeMap<(u32, u32), BTreeSet<u32>> = BTreeMap::new();
    for x in shares {
        for y in shares {
            if x.message != y.message && meet(x, y) && (x.time - y.time).abs() <= window {
                messages
                    .entry((x.account, y.account))
                    .or_default()
                    .insert(x.message);
            }
        }
    }
    messages
        .into_iter()
        .map(|(key, set)| (key, set.len() as u64))
        .collect()
}

/// Undirected co-share pair counts and distinct objects from the definition.
fn naive_undirected(shares: &[Share], window: f64) -> BTreeMap<(u32, u32), (u64, u32)> {
    naive_undirected_by(shares, window, |x, y| x.object == y.object, |x| x.object)
}

/// [`naive_undirected`] with "the same object" replaced by `meet`, and
/// distinct objects counted by `object_of`.
fn naive_undirected_by(
    shares: &[Share],
    window: f64,
    meet: impl Fn(&Share, &Share) -> bool,
    object_of: impl Fn(&Share) -> u32,
) -> BTreeMap<(u32, u32), (u64, u32)> {
    let mut pairs: BTreeMap<(u32, u32), (u64, BTreeSet<u32>)> = BTreeMap::new();
    for (i, x) in shares.iter().enumerate() {
        for y in &shares[i + 1..] {
            if x.message != y.message && meet(x, y) && (x.time - y.time).abs() <= window {
                let key = (x.account.min(y.account), x.account.max(y.account));
                let entry = pairs.entry(key).or_default();
                entry.0 += 1;
                entry.1.insert(object_of(x));
            }
        }
    }
    pairs
        .into_iter()
        .map(|(key, (count, objects))| (key, (count, objects.len() as u32)))
        .collect()
}

fn toolkit_fixture() -> String {
    // The 15-row co-retweet case of coordination-network-toolkit's tests,
    // rewritten here (same shape: two near co-retweets, a repeated self
    // repost, a pair too far apart).
    let rows = [
        (0, "uid0", "rtid0", 0),
        (1, "uid1", "rtid0", 59),
        (2, "uid2", "rtid1", 60),
        (3, "uid3", "rtid1", 70),
        (4, "uid2", "rtid2", 70),
        (5, "uid3", "rtid2", 131),
        (6, "uid4", "rtid3", 30),
        (7, "uid5", "rtid3", 89),
        (8, "uid4", "rtid4", 40),
        (9, "uid5", "rtid4", 41),
        (10, "uid10", "rtid5", 42),
        (11, "uid10", "rtid5", 52),
        (12, "uid11", "rtid6", 42),
        (13, "uid12", "rtid6", 300),
        (14, "uid0", "rtid0", 1),
    ];
    let mut csv = String::from("message_id,user_id,repost_id,timestamp\n");
    for (id, user, repost, time) in rows {
        csv.push_str(&format!("{id},{user},{repost},{time}\n"));
    }
    csv
}

fn node_count(window: f64, min_weight: u64, loops: bool) -> usize {
    let mapping = ColumnMapping {
        account: "user_id".into(),
        object: Some("repost_id".into()),
        time: "timestamp".into(),
    };
    let mut activity = read_csv(
        toolkit_fixture().as_bytes(),
        NetworkKind::CoShare,
        &mapping,
        Canonicalisers::default(),
    )
    .unwrap();
    let table = compute_pairs(&mut activity, window);
    let edges = build_edges(
        &table,
        &EdgeOptions {
            min_weight,
            keep_self_loops: loops,
            undirected: false,
        },
    );
    let nodes: BTreeSet<u32> = edges.iter().flat_map(|e| [e.source, e.target]).collect();
    nodes.len()
}

#[test]
fn toolkit_reference_node_counts() {
    assert_eq!(node_count(1.0, 1, false), 2);
    assert_eq!(node_count(1.0, 1, true), 3);
    assert_eq!(node_count(1.0, 2, false), 0);
    assert_eq!(node_count(1.0, 2, true), 1);
    assert_eq!(node_count(60.0, 1, false), 6);
    assert_eq!(node_count(60.0, 1, true), 7);
}

/// The activity of `kind` in `(account, object, time)` rows, read as lines
/// 2, 3, … of a file.
fn activity_of<A: AsRef<str>, O: AsRef<str>, T: ToString>(
    kind: NetworkKind,
    rows: impl IntoIterator<Item = (A, O, T)>,
) -> crate::input::Activity {
    let mut builder = ActivityBuilder::new(kind, Canonicalisers::default());
    for (line, (account, object, time)) in rows.into_iter().enumerate() {
        builder.push_row(
            line as u64 + 2,
            Some(account.as_ref()),
            Some(object.as_ref()),
            Some(&time.to_string()),
        );
    }
    builder.finish()
}

/// The activity of generated rows: account `n` is `acc{n}`, and times are
/// in quarter seconds (so that equal and near times both occur).
fn labelled_activity(kind: NetworkKind, rows: &[(u8, String, u16)]) -> crate::input::Activity {
    activity_of(
        kind,
        rows.iter().map(|(account, object, time)| {
            (format!("acc{account}"), object, f64::from(*time) / 4.0)
        }),
    )
}

fn build(rows: &[(u8, Vec<u8>, u16)]) -> crate::input::Activity {
    let rows: Vec<(u8, String, u16)> = rows
        .iter()
        .map(|(account, objects, time)| {
            let objects: Vec<String> = objects.iter().map(|o| format!("t{o}")).collect();
            (*account, objects.join(" "), *time)
        })
        .collect();
    labelled_activity(NetworkKind::CoHashtag, &rows)
}

fn rows_strategy() -> impl Strategy<Value = Vec<(u8, Vec<u8>, u16)>> {
    proptest::collection::vec(
        (0u8..8, proptest::collection::vec(0u8..5, 1..3), 0u16..200),
        0..60,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sharded_weights_match_naive(rows in rows_strategy(), window in 0u16..40, min_weight in 1u64..3, loops: bool) {
        let window = f64::from(window) / 2.0;
        let mut activity = build(&rows);
        let expected_directed = naive_directed(&activity.shares, window);
        let expected_undirected = naive_undirected(&activity.shares, window);
        let table = compute_pairs(&mut activity, window);

        let directed = build_edges(&table, &EdgeOptions { min_weight, keep_self_loops: loops, undirected: false });
        let got: BTreeMap<(u32, u32), u64> = directed.iter().map(|e| ((e.source, e.target), e.weight)).collect();
        let want: BTreeMap<(u32, u32), u64> = expected_directed
            .iter()
            .filter(|&(&(a, b), &w)| w >= min_weight && (loops || a != b))
            .map(|(&key, &w)| (key, w))
            .collect();
        prop_assert_eq!(got, want);

        let undirected = build_edges(&table, &EdgeOptions { min_weight, keep_self_loops: loops, undirected: true });
        let got: BTreeMap<(u32, u32), (u64, u32)> = undirected.iter().map(|e| ((e.source, e.target), (e.weight, e.objects))).collect();
        let want: BTreeMap<(u32, u32), (u64, u32)> = expected_undirected
            .iter()
            .filter(|&(&(a, b), &(w, _))| w >= min_weight && (loops || a != b))
            .map(|(&key, &value)| (key, value))
            .collect();
        prop_assert_eq!(got, want);
        for edge in &undirected {
            let forward = expected_directed.get(&(edge.source, edge.target)).copied().unwrap_or(0);
            let backward = expected_directed.get(&(edge.target, edge.source)).copied().unwrap_or(0);
            let symmetry = forward.min(backward) as f64 / forward.max(backward).max(1) as f64;
            prop_assert!((edge.symmetry.unwrap_or(-1.0) - symmetry).abs() < 1e-12);
        }
    }
}

#[test]
fn analysis_is_identical_across_thread_counts() {
    let mut rows = Vec::new();
    let mut state = 9u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as u16
    };
    for _ in 0..3000 {
        rows.push((
            (next() % 60) as u8,
            vec![(next() % 40) as u8],
            next() % 2000,
        ));
    }
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let config = DetectConfig {
                window: 5.0,
                edges: EdgeOptions {
                    min_weight: 2,
                    keep_self_loops: false,
                    undirected: false,
                },
                ..DetectConfig::default()
            };
            let analysis = analyse(vec![build(&rows)], config);
            let mut edges = Vec::new();
            crate::output::write_edges_csv(&mut edges, &analysis).unwrap();
            let mut summary = Vec::new();
            crate::output::write_summary_json(
                &mut summary,
                &crate::output::summary(&analysis, None),
            )
            .unwrap();
            (edges, summary)
        })
    };
    let reference = run(1);
    assert!(reference.0.len() > 100, "fixture should produce edges");
    assert!(String::from_utf8_lossy(&reference.1).contains("\"clusters\""));
    for threads in [2, 3, 4] {
        assert_eq!(run(threads), reference, "threads {threads}");
    }
}

#[test]
fn clusters_scores_seeds_and_incident() {
    // Group g0..g3 reposts 6 posts within 2 s; others post alone, late.
    let mut csv = String::from("user,rt,ts\n");
    for post in 0..6 {
        for member in 0..4 {
            csv.push_str(&format!("g{member},p{post},{}\n", post * 1000 + member));
        }
        csv.push_str(&format!("lone{post},p{post},{}\n", post * 1000 + 500));
        csv.push_str(&format!("late{post},p{post},{}\n", post * 1000 + 900));
    }
    let mapping = ColumnMapping {
        account: "user".into(),
        object: Some("rt".into()),
        time: "ts".into(),
    };
    let activity = read_csv(
        csv.as_bytes(),
        NetworkKind::CoShare,
        &mapping,
        Canonicalisers::default(),
    )
    .unwrap();
    let config = DetectConfig {
        window: 10.0,
        edges: EdgeOptions {
            min_weight: 2,
            keep_self_loops: false,
            undirected: false,
        },
        ..DetectConfig::default()
    };
    let analysis = analyse(vec![activity], config);
    assert_eq!(analysis.clusters.len(), 1);
    let cluster = &analysis.clusters[0];
    let mut members = cluster.accounts.clone();
    members.sort();
    assert_eq!(members, vec!["g0", "g1", "g2", "g3"]);
    assert_eq!(cluster.edges, 6);
    assert!((cluster.density - 1.0).abs() < 1e-12);
    assert_eq!(cluster.objects_co_shared, 6);
    assert_eq!(cluster.first_seen, Some(0.0));
    assert_eq!(cluster.last_seen, Some(5003.0));
    assert_eq!(cluster.kinds, vec![NetworkKind::CoShare]);
    // Members share 0-3 s after the first share; everyone else much later.
    assert!(cluster.speed_ratio.unwrap_or(0.0) > 1.0);
    assert!(cluster.score > 0.5 && cluster.score <= 1.0);

    let seeds = crate::expand_seeds(&analysis, &["@g0".to_owned(), "nobody".to_owned()]);
    assert_eq!(seeds.found, vec!["g0"]);
    assert_eq!(seeds.missing, vec!["nobody"]);
    assert_eq!(seeds.clusters, vec![0]);
    assert_eq!(seeds.ranked.len(), 3);
    assert!(
        seeds
            .ranked
            .iter()
            .all(|tie| tie.tie_weight == 12.0 && tie.seeds_tied == 1)
    );

    let draft =
        crate::output::draft_incident(&analysis, "example", None, &Canonicalisers::default());
    assert_eq!(draft.assets[0].count, 4);
    assert_eq!(draft.indicators.len(), 6);
    assert_eq!(draft.first_seen.as_deref(), Some("1970-01-01T00:00:00Z"));

    let mut graphml = Vec::new();
    crate::output::write_graphml(&mut graphml, &analysis).unwrap();
    let graphml = String::from_utf8(graphml).unwrap();
    assert_eq!(graphml.matches("<node ").count(), 4);
    assert_eq!(graphml.matches("<edge ").count(), 12);
}

#[test]
fn multi_object_messages_count_once() {
    // a and b both share the same two URLs in one message each: one
    // distinct message per direction, two co-share pairs, two objects.
    let mut builder = ActivityBuilder::new(NetworkKind::CoLink, Canonicalisers::default());
    builder.push_row(
        2,
        Some("a"),
        Some("http://x.com/1 http://x.com/2"),
        Some("0"),
    );
    builder.push_row(
        3,
        Some("b"),
        Some("http://x.com/2 https://www.x.com/1/"),
        Some("5"),
    );
    let mut activity = builder.finish();
    let table = compute_pairs(&mut activity, 10.0);
    assert_eq!(table.pairs.len(), 1);
    let stats = table.pairs[0].1;
    assert_eq!(
        (stats.forward, stats.backward, stats.pairs, stats.objects),
        (1, 1, 2, 2)
    );
    assert!((stats.delta_sum - 10.0).abs() < 1e-12);
}

/// Near matching against the definition: `meets(a, b)` says whether two raw
/// object values are near. Builds single-object rows of `kind`, groups them
/// with `similarity`, and compares every directed weight, undirected pair
/// count and distinct-group count with the quadratic reference (groups
/// computed naively as the components of `meets`).
fn check_near_against_naive(
    kind: NetworkKind,
    rows: &[(u8, String, u16)],
    window: f64,
    similarity: crate::Similarity,
    meets: impl Fn(&str, &str) -> bool,
) -> Result<(), TestCaseError> {
    let mut activity = labelled_activity(kind, rows);
    let raw: Vec<Share> = activity.shares.clone();
    let keys: Vec<String> = (0..activity.objects.len() as u32)
        .map(|id| activity.objects.get(id).to_owned())
        .collect();
    let meet = |x: &Share, y: &Share| {
        x.object == y.object || meets(&keys[x.object as usize], &keys[y.object as usize])
    };
    // Components of the relation, named by their smallest id.
    let mut group: Vec<u32> = (0..keys.len() as u32).collect();
    loop {
        let mut changed = false;
        for a in 0..keys.len() {
            for b in 0..keys.len() {
                if meets(&keys[a], &keys[b]) && group[b] < group[a] {
                    group[a] = group[b];
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let expected_directed = naive_directed_by(&raw, window, meet);
    let expected_undirected = naive_undirected_by(&raw, window, meet, |x| group[x.object as usize]);

    crate::group_near_duplicates(&mut activity, similarity)
        .map_err(|err| TestCaseError::fail(err.to_string()))?;
    let table = compute_pairs(&mut activity, window);
    let directed = build_edges(
        &table,
        &EdgeOptions {
            min_weight: 1,
            keep_self_loops: true,
            undirected: false,
        },
    );
    let got: BTreeMap<(u32, u32), u64> = directed
        .iter()
        .map(|e| ((e.source, e.target), e.weight))
        .collect();
    prop_assert_eq!(got, expected_directed);
    let undirected = build_edges(
        &table,
        &EdgeOptions {
            min_weight: 1,
            keep_self_loops: true,
            undirected: true,
        },
    );
    let got: BTreeMap<(u32, u32), (u64, u32)> = undirected
        .iter()
        .map(|e| ((e.source, e.target), (e.weight, e.objects)))
        .collect();
    prop_assert_eq!(got, expected_undirected);
    Ok(())
}

fn hex_of(bytes: &[u8; 32]) -> String {
    crosswatch_pdq::PdqHash(*bytes).to_hex()
}

/// PDQ-like hashes: a few bases, each varied by a few flipped bits, plus
/// values that are not PDQ hashes at all.
fn image_rows() -> impl Strategy<Value = Vec<(u8, String, u16)>> {
    let base = prop::sample::select(vec![[0x11u8; 32], [0x5au8; 32], [0xf0u8; 32]]);
    let hash = (base, prop::collection::vec(0u8..=255, 0..12), 0u8..10).prop_map(
        |(mut bytes, flips, odd)| {
            if odd == 0 {
                return format!("not-a-hash-{}", flips.len() % 2);
            }
            for bit in flips {
                bytes[usize::from(bit / 8)] ^= 1 << (bit % 8);
            }
            hex_of(&bytes)
        },
    );
    proptest::collection::vec((0u8..6, hash, 0u16..160), 0..40)
}

/// Short texts over a tiny vocabulary, so that near pairs are common.
fn text_rows() -> impl Strategy<Value = Vec<(u8, String, u16)>> {
    let words = prop::sample::select(vec![
        "vote", "now", "the", "poll", "is", "rigged", "!", "share", "@x",
    ]);
    let text = proptest::collection::vec(words, 1..7).prop_map(|words| words.join(" "));
    proptest::collection::vec((0u8..6, text, 0u16..160), 0..40)
}

fn token_set(text: &str) -> BTreeSet<String> {
    let normalised = crate::canon::normalise_text(text).unwrap_or_default();
    crate::canon::similarity_tokens(&normalised)
        .map(str::to_owned)
        .collect()
}

fn naive_jaccard(a: &str, b: &str) -> f64 {
    let (a, b) = (token_set(a), token_set(b));
    let union = a.union(&b).count();
    if a.is_empty() || b.is_empty() || union == 0 {
        return 0.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn near_grouping_matches_naive_for_any_relation(
        rows in proptest::collection::vec((0u8..6, 0u8..8, 0u16..120), 0..50),
        relation in proptest::collection::vec((0u8..8, 0u8..8), 0..10),
        window in 0u16..30,
    ) {
        // An arbitrary symmetric relation between object labels: the data
        // path must honour any relation, transitive or not.
        let rows: Vec<(u8, String, u16)> = rows.into_iter().map(|(a, o, t)| (a, format!("o{o}"), t)).collect();
        let related: BTreeSet<(String, String)> = relation
            .iter()
            .flat_map(|&(a, b)| [(format!("o{a}"), format!("o{b}")), (format!("o{b}"), format!("o{a}"))])
            .collect();
        let mut activity = labelled_activity(NetworkKind::CoShare, &rows);
        let raw = activity.shares.clone();
        let window = f64::from(window) / 2.0;
        let meets = |a: u32, b: u32| {
            a == b || related.contains(&(activity.objects.get(a).to_owned(), activity.objects.get(b).to_owned()))
        };
        let expected = naive_directed_by(&raw, window, |x, y| meets(x.object, y.object));
        let pairs: Vec<(u32, u32)> = relation
            .iter()
            .filter_map(|&(a, b)| Some((activity.objects.lookup(&format!("o{a}"))?, activity.objects.lookup(&format!("o{b}"))?)))
            .collect();
        crate::near::apply_near_pairs(&mut activity, pairs);
        let table = compute_pairs(&mut activity, window);
        let directed = build_edges(&table, &EdgeOptions { min_weight: 1, keep_self_loops: true, undirected: false });
        let got: BTreeMap<(u32, u32), u64> = directed.iter().map(|e| ((e.source, e.target), e.weight)).collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn co_image_within_hamming_distance_matches_naive(rows in image_rows(), window in 0u16..30, max_distance in 0u32..40) {
        let distance = |a: &str, b: &str| -> Option<u32> {
            let a = crosswatch_pdq::PdqHash::from_hex(a).ok()?;
            let b = crosswatch_pdq::PdqHash::from_hex(b).ok()?;
            Some(a.hamming_distance(&b))
        };
        check_near_against_naive(
            NetworkKind::CoImage,
            &rows,
            f64::from(window) / 2.0,
            crate::Similarity::Hamming { max_distance },
            |a, b| distance(a, b).is_some_and(|d| d <= max_distance),
        )?;
    }

    #[test]
    fn co_text_exhaustive_matches_naive_jaccard(rows in text_rows(), window in 0u16..30, threshold in 1u32..=10) {
        let threshold = f64::from(threshold) / 10.0;
        check_near_against_naive(
            NetworkKind::CoText,
            &rows,
            f64::from(window) / 2.0,
            crate::Similarity::Jaccard { threshold, candidates: crate::TextCandidates::Exhaustive },
            |a, b| naive_jaccard(a, b) >= threshold,
        )?;
    }

    #[test]
    fn co_text_minhash_never_exceeds_naive(rows in text_rows(), window in 0u16..30, threshold in 5u32..=10) {
        let threshold = f64::from(threshold) / 10.0;
        let build = || labelled_activity(NetworkKind::CoText, &rows);
        let weights = |candidates| -> BTreeMap<(u32, u32), u64> {
            let mut activity = build();
            crate::group_near_duplicates(&mut activity, crate::Similarity::Jaccard { threshold, candidates }).unwrap();
            let table = compute_pairs(&mut activity, f64::from(window) / 2.0);
            build_edges(&table, &EdgeOptions { min_weight: 1, keep_self_loops: true, undirected: false })
                .iter()
                .map(|e| ((e.source, e.target), e.weight))
                .collect()
        };
        let exact = weights(crate::TextCandidates::Exhaustive);
        for (edge, weight) in weights(crate::TextCandidates::MinHash) {
            prop_assert!(exact.get(&edge).is_some_and(|&w| w >= weight), "{:?}", edge);
        }
    }
}

#[test]
fn near_settings_must_fit_the_network() {
    let mut activity = build(&[(0, vec![1], 0)]);
    let error = crate::group_near_duplicates(
        &mut activity,
        crate::Similarity::Hamming { max_distance: 8 },
    );
    assert!(error.unwrap_err().to_string().contains("co-image"));
    let mut builder = ActivityBuilder::new(NetworkKind::CoText, Canonicalisers::default());
    builder.push_row(2, Some("a"), Some("some text"), Some("0"));
    let mut activity = builder.finish();
    let error = crate::group_near_duplicates(
        &mut activity,
        crate::Similarity::Jaccard {
            threshold: 1.5,
            candidates: crate::TextCandidates::MinHash,
        },
    );
    assert!(error.unwrap_err().to_string().contains("(0, 1]"));
}

#[test]
fn lightly_edited_copies_pair_and_report_their_group() {
    let texts = [
        (
            "a",
            "The vote in district 9 was rigged, share before they delete it",
            0,
        ),
        (
            "b",
            "the vote in district 9 was RIGGED! share before they delete it",
            5,
        ),
        (
            "c",
            "The vote in district 9 was rigged, share it before they delete it @x",
            9,
        ),
        ("d", "Lovely weather at the beach today", 10),
        (
            "e",
            "The vote in district 9 was rigged, share before they delete it",
            500,
        ),
    ];
    let mut activity = activity_of(NetworkKind::CoText, texts);
    crate::group_near_duplicates(
        &mut activity,
        crate::Similarity::Jaccard {
            threshold: 0.8,
            candidates: crate::TextCandidates::MinHash,
        },
    )
    .unwrap();
    let report = activity.near.as_ref().unwrap().report.clone();
    assert_eq!(report.distinct_objects, 4);
    assert!(report.verified_pairs >= 2 && report.candidate_pairs >= report.verified_pairs);
    assert_eq!((report.groups, report.largest_group), (1, 3));
    let table = compute_pairs(&mut activity, 60.0);
    let edges = build_edges(
        &table,
        &EdgeOptions {
            min_weight: 1,
            keep_self_loops: false,
            undirected: true,
        },
    );
    let names: Vec<(&str, &str)> = edges
        .iter()
        .map(|e| {
            (
                activity.accounts.get(e.source),
                activity.accounts.get(e.target),
            )
        })
        .collect();
    assert_eq!(names, vec![("a", "b"), ("a", "c"), ("b", "c")]);
}

#[test]
fn near_grouping_is_identical_across_thread_counts() {
    let words = [
        "vote", "now", "the", "poll", "is", "rigged", "share", "!", "fast", "today",
    ];
    let mut state = 17u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let mut rows = Vec::new();
    for _ in 0..600 {
        let text: Vec<&str> = (0..3 + next() % 5)
            .map(|_| words[next() % words.len()])
            .collect();
        rows.push((format!("acc{}", next() % 40), text.join(" "), next() % 900));
    }
    for candidates in [
        crate::TextCandidates::MinHash,
        crate::TextCandidates::Exhaustive,
    ] {
        let run = |threads: usize| {
            crate::with_threads(threads, || {
                let mut activity = activity_of(
                    NetworkKind::CoText,
                    rows.iter()
                        .map(|(account, text, time)| (account, text, time)),
                );
                crate::group_near_duplicates(
                    &mut activity,
                    crate::Similarity::Jaccard {
                        threshold: 0.6,
                        candidates,
                    },
                )
                .unwrap();
                let report = activity.near.as_ref().unwrap().report.clone();
                let table = compute_pairs(&mut activity, 30.0);
                (report, table)
            })
            .unwrap()
        };
        let reference = run(1);
        assert!(reference.0.groups > 0 && !reference.1.pairs.is_empty());
        for threads in [2, 4] {
            assert_eq!(run(threads), reference, "{candidates:?}, {threads} threads");
        }
    }
}
