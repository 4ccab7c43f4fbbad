//! Coordination detector on the shared real data: the coordination-network-
//! toolkit reference cases and stability on CooRTweet's Russian data set.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufReader;

use crosswatch_detect::canon::Canonicalisers;
use crosswatch_detect::input::read_csv;
use crosswatch_detect::output::{summary, write_edges_csv, write_nodes_csv, write_summary_json};
use crosswatch_detect::{
    ColumnMapping, DetectConfig, EdgeOptions, NetworkKind, Similarity, analyse,
    group_near_duplicates, with_threads,
};

/// `(window, min_weight, loops, nodes)` rows of the EXPECTED.md table.
fn expected_rows(text: &str) -> Vec<(f64, u64, bool, usize)> {
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            if cells.len() != 4 {
                return None;
            }
            let loops = match cells[2] {
                "yes" => true,
                "no" => false,
                _ => return None,
            };
            Some((
                cells[0].parse().ok()?,
                cells[1].parse().ok()?,
                loops,
                cells[3].parse().ok()?,
            ))
        })
        .collect()
}

#[test]
fn toolkit_co_retweet_node_counts() {
    let Some(data) = crosswatch_conformance::shared_data("detect toolkit reference") else {
        return;
    };
    let dir = data.join("coordination-toolkit");
    let expected = expected_rows(&std::fs::read_to_string(dir.join("EXPECTED.md")).unwrap());
    assert_eq!(expected.len(), 6, "EXPECTED.md table should have six cases");
    let mapping = ColumnMapping {
        account: "user_id".into(),
        object: Some("repost_id".into()),
        time: "timestamp".into(),
    };
    for (window, min_weight, loops, nodes) in expected {
        let file = File::open(dir.join("coretweet_test_input.csv")).unwrap();
        let activity = read_csv(
            BufReader::new(file),
            NetworkKind::CoShare,
            &mapping,
            Canonicalisers::default(),
        )
        .unwrap();
        assert_eq!(activity.rows_read, 15);
        assert_eq!(activity.skipped.total(), 0);
        let config = DetectConfig {
            window,
            edges: EdgeOptions {
                min_weight,
                keep_self_loops: loops,
                undirected: false,
            },
            ..DetectConfig::default()
        };
        let analysis = analyse(vec![activity], config);
        let got: BTreeSet<u32> = analysis
            .edges
            .iter()
            .flat_map(|e| [e.edge.source, e.edge.target])
            .collect();
        assert_eq!(
            got.len(),
            nodes,
            "window {window}, min weight {min_weight}, loops {loops}"
        );
    }
}

fn run_russian(
    path: &std::path::Path,
    threads: usize,
    undirected: bool,
) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    with_threads(threads, || {
        let mapping = ColumnMapping {
            account: "account_id".into(),
            object: Some("object_id".into()),
            time: "timestamp_share".into(),
        };
        let file = File::open(path).unwrap();
        let activity = read_csv(
            BufReader::new(file),
            NetworkKind::CoShare,
            &mapping,
            Canonicalisers::default(),
        )
        .unwrap();
        assert_eq!(activity.rows_read, 35_125);
        let config = DetectConfig {
            window: 60.0,
            edges: EdgeOptions {
                min_weight: 2,
                keep_self_loops: false,
                undirected,
            },
            ..DetectConfig::default()
        };
        let analysis = analyse(vec![activity], config);
        let (mut edges, mut nodes, mut json) = (Vec::new(), Vec::new(), Vec::new());
        write_edges_csv(&mut edges, &analysis).unwrap();
        write_nodes_csv(&mut nodes, &analysis).unwrap();
        write_summary_json(&mut json, &summary(&analysis, None)).unwrap();
        (edges, nodes, json)
    })
    .unwrap()
}

#[test]
fn russian_coord_tweets_stable_across_runs_and_threads() {
    let Some(data) = crosswatch_conformance::shared_data("detect russian_coord_tweets") else {
        return;
    };
    let path = data.join("coortweet/russian_coord_tweets.csv");
    for undirected in [false, true] {
        let reference = run_russian(&path, 1, undirected);
        let edge_lines = reference.0.iter().filter(|&&b| b == b'\n').count();
        assert!(
            edge_lines > 10,
            "expected coordinated edges, got {edge_lines} lines"
        );
        let summary: serde_json::Value = serde_json::from_slice(&reference.2).unwrap();
        assert!(!summary["clusters"].as_array().unwrap().is_empty());
        assert_eq!(
            run_russian(&path, 1, undirected),
            reference,
            "second run differs"
        );
        for threads in [2, 4] {
            assert_eq!(
                run_russian(&path, threads, undirected),
                reference,
                "{threads} threads differ"
            );
        }
    }
}

/// Co-image on Meta's PDQ test images: twelve edits of one photo (blur,
/// contrast, crop, shrink, ...) posted by twelve accounts within a minute
/// pair with each other at PDQ's match distance and not exactly; unrelated
/// images posted at the same moments never pair.
#[test]
fn co_image_pairs_edited_copies_of_real_images() {
    let Some(data) = crosswatch_conformance::shared_data("detect co-image on PDQ vectors") else {
        return;
    };
    let expected = std::fs::read_to_string(data.join("pdq/expected.tsv")).unwrap();
    let mut csv = String::from("user,image,ts\n");
    let mut edited = BTreeSet::new();
    for (row, line) in expected.lines().skip(1).enumerate() {
        let cells: Vec<&str> = line.split('\t').collect();
        let (file, hash) = (cells[0], cells[1]);
        let account = format!("acc{row}");
        if file.starts_with("bridge-mods__") {
            edited.insert(account.clone());
        }
        csv.push_str(&format!("{account},{hash},{}\n", 1000 + row));
    }
    assert_eq!(edited.len(), 12);
    let mapping = ColumnMapping {
        account: "user".into(),
        object: Some("image".into()),
        time: "ts".into(),
    };
    let edges = |similarity: Similarity| -> BTreeSet<(String, String)> {
        let mut activity = read_csv(
            csv.as_bytes(),
            NetworkKind::CoImage,
            &mapping,
            Canonicalisers::default(),
        )
        .unwrap();
        group_near_duplicates(&mut activity, similarity).unwrap();
        let analysis = analyse(vec![activity], DetectConfig::default());
        analysis
            .edges
            .iter()
            .map(|e| {
                (
                    analysis.accounts.get(e.edge.source).to_owned(),
                    analysis.accounts.get(e.edge.target).to_owned(),
                )
            })
            .collect()
    };
    let near = edges(Similarity::Hamming {
        max_distance: crosswatch_pdq::MATCH_DISTANCE_THRESHOLD,
    });
    let mut expected_pairs = BTreeSet::new();
    for a in &edited {
        for b in &edited {
            if a != b {
                expected_pairs.insert((a.clone(), b.clone()));
            }
        }
    }
    assert_eq!(near, expected_pairs);
    let exact = edges(Similarity::Exact);
    assert!(
        exact.len() < near.len() / 4,
        "exact hashes should miss most edited copies ({} of {})",
        exact.len(),
        near.len()
    );
}
