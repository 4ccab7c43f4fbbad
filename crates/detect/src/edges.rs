//! From pair statistics to weighted edges, directed or undirected.

use crate::network::PairTable;

/// Edge construction options.
#[derive(Clone, Copy, Debug)]
pub struct EdgeOptions {
    /// Edges lighter than this are dropped.
    pub min_weight: u64,
    /// Keep `(a, a)` edges (two messages of one account on one object).
    pub keep_self_loops: bool,
    /// CooRTweet-style undirected edges instead of directed ones.
    pub undirected: bool,
}

/// One edge between accounts (ids of the activity's account interner).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    /// Source account (the lower id for undirected edges).
    pub source: u32,
    /// Target account.
    pub target: u32,
    /// Directed: distinct messages of `source` with a partner message of
    /// `target` within the window. Undirected: number of co-share pairs.
    pub weight: u64,
    /// Co-share pairs of messages (same for both directions).
    pub co_shares: u64,
    /// Distinct objects co-shared.
    pub objects: u32,
    /// Mean absolute time gap of the co-share pairs, in seconds.
    pub mean_delta: f64,
    /// Undirected only: `min(w(a→b), w(b→a)) / max(...)`, 1 when both
    /// accounts contribute equally, near 0 when one side only echoes.
    pub symmetry: Option<f64>,
}

/// Builds edges sorted by `(source, target)`.
pub fn build_edges(table: &PairTable, options: &EdgeOptions) -> Vec<Edge> {
    let mut edges = Vec::new();
    for &((low, high), stats) in &table.pairs {
        if low == high && !options.keep_self_loops {
            continue;
        }
        let mean_delta = if stats.pairs == 0 {
            0.0
        } else {
            stats.delta_sum / stats.pairs as f64
        };
        let base = Edge {
            source: low,
            target: high,
            weight: 0,
            co_shares: stats.pairs,
            objects: stats.objects,
            mean_delta,
            symmetry: None,
        };
        if options.undirected {
            let (forward, backward) = if low == high {
                (stats.forward, stats.forward)
            } else {
                (stats.forward, stats.backward)
            };
            let larger = forward.max(backward);
            let symmetry = if larger == 0 {
                0.0
            } else {
                f64::from(forward.min(backward)) / f64::from(larger)
            };
            if stats.pairs >= options.min_weight && stats.pairs > 0 {
                edges.push(Edge {
                    weight: stats.pairs,
                    symmetry: Some(symmetry),
                    ..base
                });
            }
        } else {
            if stats.forward > 0 && u64::from(stats.forward) >= options.min_weight {
                edges.push(Edge {
                    weight: u64::from(stats.forward),
                    ..base
                });
            }
            if low != high && stats.backward > 0 && u64::from(stats.backward) >= options.min_weight
            {
                edges.push(Edge {
                    source: high,
                    target: low,
                    weight: u64::from(stats.backward),
                    ..base
                });
            }
        }
    }
    edges.sort_by_key(|edge| (edge.source, edge.target));
    edges
}
