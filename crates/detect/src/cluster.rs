//! Connected components and Louvain communities on a weighted undirected
//! graph. Both are sequential and seeded, so the same graph gives the same
//! partition whatever the thread count.

/// A small deterministic PRNG (splitmix64) for the Louvain node order.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        crosswatch_minhash::splitmix64(&mut self.0)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Component label of every node `0..nodes` (labels numbered by their
/// smallest node, in node order).
pub fn connected_components(nodes: usize, edges: &[(u32, u32, f64)]) -> Vec<u32> {
    let mut parent: Vec<usize> = (0..nodes).collect();
    fn find(parent: &mut [usize], mut node: usize) -> usize {
        while parent[node] != node {
            parent[node] = parent[parent[node]];
            node = parent[node];
        }
        node
    }
    for &(a, b, _) in edges {
        let (a, b) = (a as usize, b as usize);
        if a >= nodes || b >= nodes {
            continue;
        }
        let (root_a, root_b) = (find(&mut parent, a), find(&mut parent, b));
        if root_a != root_b {
            let (keep, merge) = if root_a < root_b {
                (root_a, root_b)
            } else {
                (root_b, root_a)
            };
            parent[merge] = keep;
        }
    }
    relabel(
        (0..nodes)
            .map(|node| find(&mut parent, node) as u32)
            .collect(),
    )
}

/// Renumbers labels 0.. in order of first appearance.
fn relabel(labels: Vec<u32>) -> Vec<u32> {
    let mut mapping = vec![u32::MAX; labels.len().max(1)];
    let mut next = 0;
    labels
        .into_iter()
        .map(|label| {
            let slot = &mut mapping[label as usize];
            if *slot == u32::MAX {
                *slot = next;
                next += 1;
            }
            *slot
        })
        .collect()
}

/// A weighted graph in adjacency form; self-loops kept separately.
struct Graph {
    neighbours: Vec<Vec<(usize, f64)>>,
    self_loops: Vec<f64>,
}

impl Graph {
    fn from_edges(nodes: usize, edges: &[(u32, u32, f64)]) -> Self {
        let mut neighbours = vec![Vec::new(); nodes];
        let mut self_loops = vec![0.0; nodes];
        for &(a, b, weight) in edges {
            let (a, b) = (a as usize, b as usize);
            if a >= nodes || b >= nodes || weight <= 0.0 {
                continue;
            }
            if a == b {
                self_loops[a] += weight;
            } else {
                neighbours[a].push((b, weight));
                neighbours[b].push((a, weight));
            }
        }
        Self {
            neighbours,
            self_loops,
        }
    }

    fn strength(&self, node: usize) -> f64 {
        self.neighbours[node]
            .iter()
            .map(|(_, weight)| weight)
            .sum::<f64>()
            + 2.0 * self.self_loops[node]
    }
}

/// One level of local moving; returns the community of each node and
/// whether anything moved.
fn local_moving(graph: &Graph, rng: &mut SplitMix) -> (Vec<usize>, bool) {
    let nodes = graph.neighbours.len();
    let strength: Vec<f64> = (0..nodes).map(|node| graph.strength(node)).collect();
    let total: f64 = strength.iter().sum();
    let mut community: Vec<usize> = (0..nodes).collect();
    let mut community_strength = strength.clone();
    if total <= 0.0 {
        return (community, false);
    }
    let mut order: Vec<usize> = (0..nodes).collect();
    rng.shuffle(&mut order);
    let mut link_weight = vec![0.0; nodes];
    let mut touched: Vec<usize> = Vec::new();
    let mut moved_any = false;
    for _round in 0..100 {
        let mut moved = false;
        for &node in &order {
            let current = community[node];
            for &(neighbour, weight) in &graph.neighbours[node] {
                let target = community[neighbour];
                if link_weight[target] == 0.0 {
                    touched.push(target);
                }
                link_weight[target] += weight;
            }
            community_strength[current] -= strength[node];
            let gain = |target: usize, links: f64| {
                links - community_strength[target] * strength[node] / total
            };
            let mut best = current;
            let mut best_gain = gain(current, link_weight[current]);
            for &target in &touched {
                let candidate = gain(target, link_weight[target]);
                if candidate > best_gain + 1e-12 {
                    best = target;
                    best_gain = candidate;
                }
            }
            community_strength[best] += strength[node];
            if best != current {
                community[node] = best;
                moved = true;
                moved_any = true;
            }
            for &target in &touched {
                link_weight[target] = 0.0;
            }
            touched.clear();
        }
        if !moved {
            break;
        }
    }
    (community, moved_any)
}

/// Louvain community of every node `0..nodes`, numbered by first
/// appearance in node order. `seed` fixes the node visiting order.
pub fn louvain(nodes: usize, edges: &[(u32, u32, f64)], seed: u64) -> Vec<u32> {
    let mut rng = SplitMix(seed);
    let mut membership: Vec<usize> = (0..nodes).collect();
    let mut graph = Graph::from_edges(nodes, edges);
    for _level in 0..32 {
        let (community, moved) = local_moving(&graph, &mut rng);
        if !moved {
            break;
        }
        let labels = relabel(community.iter().map(|&c| c as u32).collect());
        let count = labels
            .iter()
            .map(|&label| label as usize + 1)
            .max()
            .unwrap_or(0);
        for member in membership.iter_mut() {
            *member = labels[*member] as usize;
        }
        // Aggregate: one node per community, in community order.
        let mut aggregated: Vec<(u32, u32, f64)> = Vec::new();
        for (node, adjacency) in graph.neighbours.iter().enumerate() {
            let from = labels[node];
            aggregated.push((from, from, graph.self_loops[node]));
            for &(neighbour, weight) in adjacency {
                if node < neighbour {
                    aggregated.push((from, labels[neighbour], weight));
                }
            }
        }
        aggregated.sort_by_key(|x| (x.0.min(x.1), x.0.max(x.1)));
        let mut merged: Vec<(u32, u32, f64)> = Vec::new();
        for (a, b, weight) in aggregated {
            let (a, b) = (a.min(b), a.max(b));
            match merged.last_mut() {
                Some(last) if last.0 == a && last.1 == b => last.2 += weight,
                _ => merged.push((a, b, weight)),
            }
        }
        graph = Graph::from_edges(count, &merged);
    }
    relabel(membership.into_iter().map(|member| member as u32).collect())
}

/// Newman modularity of a partition (for tests and reporting).
pub fn modularity(nodes: usize, edges: &[(u32, u32, f64)], community: &[u32]) -> f64 {
    let graph = Graph::from_edges(nodes, edges);
    let strength: Vec<f64> = (0..nodes).map(|node| graph.strength(node)).collect();
    let total: f64 = strength.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let communities = community.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let mut inside = vec![0.0; communities];
    let mut degree = vec![0.0; communities];
    for node in 0..nodes {
        let own = community[node] as usize;
        degree[own] += strength[node];
        inside[own] += 2.0 * graph.self_loops[node];
        for &(neighbour, weight) in &graph.neighbours[node] {
            if community[neighbour] as usize == own {
                inside[own] += weight;
            }
        }
    }
    (0..communities)
        .map(|c| inside[c] / total - (degree[c] / total).powi(2))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two 4-cliques joined by one light edge.
    fn two_cliques() -> Vec<(u32, u32, f64)> {
        let mut edges = Vec::new();
        for group in [0u32, 4] {
            for a in 0..4 {
                for b in a + 1..4 {
                    edges.push((group + a, group + b, 3.0));
                }
            }
        }
        edges.push((3, 4, 1.0));
        edges
    }

    #[test]
    fn components_split_disconnected_parts() {
        let labels = connected_components(6, &[(0, 1, 1.0), (4, 5, 1.0)]);
        assert_eq!(labels, vec![0, 0, 1, 2, 3, 3]);
    }

    #[test]
    fn louvain_finds_the_two_cliques() {
        let edges = two_cliques();
        let labels = louvain(8, &edges, 7);
        assert_eq!(labels, vec![0, 0, 0, 0, 1, 1, 1, 1]);
        assert!(modularity(8, &edges, &labels) > 0.4);
        for seed in 0..20 {
            assert_eq!(louvain(8, &edges, seed), labels, "seed {seed}");
        }
    }

    #[test]
    fn louvain_is_reproducible_across_threads() {
        let mut edges = Vec::new();
        let mut rng = SplitMix(42);
        for _ in 0..400 {
            let a = (rng.next() % 120) as u32;
            let b = (rng.next() % 120) as u32;
            edges.push((a, b, (rng.next() % 5 + 1) as f64));
        }
        let reference = louvain(120, &edges, 1);
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let labels = pool.install(|| louvain(120, &edges, 1));
            assert_eq!(labels, reference);
        }
        let singletons: Vec<u32> = (0..120).collect();
        assert!(modularity(120, &edges, &reference) > modularity(120, &edges, &singletons));
    }
}
