//! Clusters, their scores and seeded expansion over one or several
//! (multiplex) networks.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::NetworkKind;
use crate::cluster::{connected_components, louvain};
use crate::edges::{Edge, EdgeOptions, build_edges};
use crate::input::Activity;
use crate::intern::Interner;
use crate::network::{PairTable, compute_pairs, object_runs, quantile_sorted};

/// Settings of a detection run.
#[derive(Clone, Copy, Debug)]
pub struct DetectConfig {
    /// Time window in seconds (inclusive).
    pub window: f64,
    /// Edge construction (minimum weight, self-loops, direction).
    pub edges: EdgeOptions,
    /// Louvain seed.
    pub seed: u64,
    /// How many top co-shared objects to keep per cluster.
    pub top_objects: usize,
}

impl Default for DetectConfig {
    fn default() -> Self {
        Self {
            window: 60.0,
            edges: EdgeOptions {
                min_weight: 1,
                keep_self_loops: false,
                undirected: false,
            },
            seed: 1,
            top_objects: 20,
        }
    }
}

/// An edge of one network kind, with accounts in the analysis' namespace.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KindEdge {
    /// Network the edge comes from.
    pub kind: NetworkKind,
    /// The edge.
    pub edge: Edge,
}

/// One computed network (kept for per-object statistics).
#[derive(Debug)]
pub struct Network {
    /// Kind.
    pub kind: NetworkKind,
    /// Activity, shares sorted by object.
    pub activity: Activity,
    /// Pair statistics.
    pub pairs: PairTable,
    /// Account id in this network → account id in the analysis.
    account_map: Vec<u32>,
}

/// Score components of a cluster, each in `[0, 1]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct ScoreComponents {
    /// Edge density.
    pub density: f64,
    /// `w / (w + 1)` of the mean edge weight: repeated co-sharing.
    pub intensity: f64,
    /// `r / (r + 1)` of the speed ratio (global median delay / cluster median).
    pub speed: f64,
}

/// A detected cluster (Louvain community with at least two accounts).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cluster {
    /// Cluster number (0 = largest).
    pub id: u32,
    /// Connected component it lies in.
    pub component: u32,
    /// Member accounts, strongest (weighted degree) first.
    pub accounts: Vec<String>,
    /// Distinct account pairs tied inside the cluster.
    pub edges: u64,
    /// `2 E / (n (n - 1))`.
    pub density: f64,
    /// Summed weight of the intra-cluster ties.
    pub total_weight: f64,
    /// Distinct objects shared by at least two members.
    pub objects_co_shared: u64,
    /// The most shared of those, most members first.
    pub top_objects: Vec<TopObject>,
    /// First and last member share on a co-shared object (Unix seconds).
    pub first_seen: Option<f64>,
    /// See `first_seen`.
    pub last_seen: Option<f64>,
    /// Median delay of member shares after each object's first share.
    pub median_delay: Option<f64>,
    /// Global median delay divided by the cluster's (higher = faster).
    pub speed_ratio: Option<f64>,
    /// Network kinds with at least one intra-cluster tie.
    pub kinds: Vec<NetworkKind>,
    /// Combined coordination score: geometric mean of the components.
    pub score: f64,
    /// The components.
    pub components: ScoreComponents,
}

/// An object shared by several members of a cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopObject {
    /// Network the object belongs to.
    pub network: NetworkKind,
    /// Canonical object key (URL, post id, hashtag, ...).
    pub object: String,
    /// Cluster members who shared it.
    pub members: u32,
}

/// A node of the combined graph.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Node {
    /// Account id.
    pub account: String,
    /// Messages by the account (summed over networks).
    pub messages: u64,
    /// Distinct neighbours (self excluded).
    pub degree: u64,
    /// Summed weight of its ties (both directions).
    pub weighted_degree: f64,
    /// Connected component.
    pub component: u32,
    /// Cluster id, if the account is in a reported cluster.
    pub cluster: Option<u32>,
}

/// An account ranked by its ties to the seeds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeedTie {
    /// Account.
    pub account: String,
    /// Summed weight of its ties to seeds.
    pub tie_weight: f64,
    /// How many seeds it is tied to.
    pub seeds_tied: u64,
    /// Its cluster.
    pub cluster: Option<u32>,
}

/// Result of seeded expansion.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SeedReport {
    /// Seeds present in the graph.
    pub found: Vec<String>,
    /// Seeds absent from the graph.
    pub missing: Vec<String>,
    /// Clusters containing a seed.
    pub clusters: Vec<u32>,
    /// Non-seed accounts tied to seeds, strongest first.
    pub ranked: Vec<SeedTie>,
}

/// Everything computed by [`analyse`].
#[derive(Debug)]
pub struct Analysis {
    /// Account ids of the combined graph.
    pub accounts: Interner,
    /// Edges of every network, sorted by (kind, source, target).
    pub edges: Vec<KindEdge>,
    /// Nodes that have at least one edge, in account order.
    pub nodes: Vec<Node>,
    /// Clusters, largest first.
    pub clusters: Vec<Cluster>,
    /// Median delay after first share over all shares (seconds).
    pub global_median_delay: Option<f64>,
    /// The computed networks.
    pub networks: Vec<Network>,
    /// Settings used.
    pub config: DetectConfig,
}

/// Computes the network of every activity and clusters the combined graph.
pub fn analyse(activities: Vec<Activity>, config: DetectConfig) -> Analysis {
    let mut accounts = Interner::new();
    let mut networks = Vec::new();
    let mut edges = Vec::new();
    for mut activity in activities {
        let pairs = compute_pairs(&mut activity, config.window);
        let account_map: Vec<u32> = activity
            .accounts
            .iter()
            .map(|(_, name)| accounts.intern(name))
            .collect();
        for edge in build_edges(&pairs, &config.edges) {
            let edge = Edge {
                source: account_map[edge.source as usize],
                target: account_map[edge.target as usize],
                ..edge
            };
            edges.push(KindEdge {
                kind: activity.kind,
                edge,
            });
        }
        networks.push(Network {
            kind: activity.kind,
            activity,
            pairs,
            account_map,
        });
    }
    edges.sort_by_key(|e| (e.kind, e.edge.source, e.edge.target));
    let node_count = accounts.len();

    // Combined undirected weights, self-loops excluded.
    let mut combined: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    for kind_edge in &edges {
        let Edge {
            source,
            target,
            weight,
            ..
        } = kind_edge.edge;
        if source != target {
            *combined
                .entry((source.min(target), source.max(target)))
                .or_default() += weight as f64;
        }
    }
    let graph: Vec<(u32, u32, f64)> = combined.iter().map(|(&(a, b), &w)| (a, b, w)).collect();
    let component = connected_components(node_count, &graph);
    let community = louvain(node_count, &graph, config.seed);

    let mut degree = vec![0u64; node_count];
    let mut weighted_degree = vec![0.0f64; node_count];
    for &(a, b, weight) in &graph {
        for node in [a, b] {
            degree[node as usize] += 1;
            weighted_degree[node as usize] += weight;
        }
    }
    let mut in_graph = vec![false; node_count];
    for kind_edge in &edges {
        in_graph[kind_edge.edge.source as usize] = true;
        in_graph[kind_edge.edge.target as usize] = true;
    }

    // Communities with >= 2 connected members, largest first.
    let mut members: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for node in 0..node_count {
        if degree[node] > 0 {
            members
                .entry(community[node])
                .or_default()
                .push(node as u32);
        }
    }
    let mut groups: Vec<Vec<u32>> = members
        .into_values()
        .filter(|group| group.len() >= 2)
        .collect();
    groups.sort_by(|x, y| y.len().cmp(&x.len()).then(x[0].cmp(&y[0])));
    let mut cluster_of = vec![u32::MAX; node_count];
    for (id, group) in groups.iter().enumerate() {
        for &node in group {
            cluster_of[node as usize] = id as u32;
        }
    }

    let per_object = object_statistics(&networks, &cluster_of, groups.len(), config.top_objects);
    let global_median_delay = per_object.global_median;

    let mut clusters = Vec::with_capacity(groups.len());
    for (id, group) in groups.iter().enumerate() {
        let member_set: BTreeSet<u32> = group.iter().copied().collect();
        let mut intra_edges = 0u64;
        let mut total_weight = 0.0;
        for &(a, b, weight) in &graph {
            if member_set.contains(&a) && member_set.contains(&b) {
                intra_edges += 1;
                total_weight += weight;
            }
        }
        let mut kinds: Vec<NetworkKind> = edges
            .iter()
            .filter(|e| {
                e.edge.source != e.edge.target
                    && member_set.contains(&e.edge.source)
                    && member_set.contains(&e.edge.target)
            })
            .map(|e| e.kind)
            .collect();
        kinds.dedup();
        let n = group.len() as f64;
        let density = if group.len() < 2 {
            0.0
        } else {
            2.0 * intra_edges as f64 / (n * (n - 1.0))
        };
        let mean_weight = if intra_edges == 0 {
            0.0
        } else {
            total_weight / intra_edges as f64
        };
        let stats = &per_object.clusters[id];
        let median_delay = stats.median_delay;
        let speed_ratio = match (global_median_delay, median_delay) {
            (Some(global), Some(local)) if local > 0.0 => Some(global / local),
            (Some(global), Some(_)) => Some(if global > 0.0 { f64::INFINITY } else { 1.0 }),
            _ => None,
        };
        let speed = match speed_ratio {
            Some(ratio) if ratio.is_infinite() => 1.0,
            Some(ratio) => ratio / (ratio + 1.0),
            None => 0.0,
        };
        let components = ScoreComponents {
            density,
            intensity: mean_weight / (mean_weight + 1.0),
            speed,
        };
        let score = (components.density * components.intensity * components.speed).cbrt();
        let mut accounts_sorted = group.clone();
        accounts_sorted.sort_by(|&x, &y| {
            weighted_degree[y as usize]
                .total_cmp(&weighted_degree[x as usize])
                .then(x.cmp(&y))
        });
        clusters.push(Cluster {
            id: id as u32,
            component: component[group[0] as usize],
            accounts: accounts_sorted
                .iter()
                .map(|&node| accounts.get(node).to_owned())
                .collect(),
            edges: intra_edges,
            density,
            total_weight,
            objects_co_shared: stats.objects,
            top_objects: stats.top_objects.clone(),
            first_seen: stats.first_seen,
            last_seen: stats.last_seen,
            median_delay,
            speed_ratio: speed_ratio.filter(|ratio| ratio.is_finite()),
            kinds,
            score,
            components,
        });
    }

    let mut messages = vec![0u64; node_count];
    for network in &networks {
        let mut seen: BTreeSet<(u32, u32)> = BTreeSet::new();
        for share in &network.activity.shares {
            if share.multi_object && !seen.insert((share.account, share.message)) {
                continue;
            }
            messages[network.account_map[share.account as usize] as usize] += 1;
        }
    }
    let nodes = (0..node_count)
        .filter(|&node| in_graph[node])
        .map(|node| Node {
            account: accounts.get(node as u32).to_owned(),
            messages: messages[node],
            degree: degree[node],
            weighted_degree: weighted_degree[node],
            component: component[node],
            cluster: (cluster_of[node] != u32::MAX).then_some(cluster_of[node]),
        })
        .collect();

    Analysis {
        accounts,
        edges,
        nodes,
        clusters,
        global_median_delay,
        networks,
        config,
    }
}

#[derive(Default, Clone)]
struct ClusterObjects {
    objects: u64,
    top_objects: Vec<TopObject>,
    first_seen: Option<f64>,
    last_seen: Option<f64>,
    median_delay: Option<f64>,
}

struct ObjectStatistics {
    global_median: Option<f64>,
    clusters: Vec<ClusterObjects>,
}

fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_unstable_by(f64::total_cmp);
    quantile_sorted(values, 0.5)
}

/// Per-object pass: co-shared objects, time spans and delays per cluster.
fn object_statistics(
    networks: &[Network],
    cluster_of: &[u32],
    cluster_count: usize,
    top: usize,
) -> ObjectStatistics {
    let mut global_delays: Vec<f64> = Vec::new();
    let mut delays: Vec<Vec<f64>> = vec![Vec::new(); cluster_count];
    let mut stats = vec![ClusterObjects::default(); cluster_count];
    let mut candidates: Vec<Vec<(u32, NetworkKind, u32)>> = vec![Vec::new(); cluster_count];
    let mut present: Vec<(u32, u32, f64)> = Vec::new();
    for network in networks {
        let shares = &network.activity.shares;
        for (start, end) in object_runs(shares) {
            if end - start < 2 {
                continue;
            }
            let first = shares[start].time;
            present.clear();
            for share in &shares[start..end] {
                let delay = share.time - first;
                global_delays.push(delay);
                let account = network.account_map[share.account as usize];
                let cluster = cluster_of
                    .get(account as usize)
                    .copied()
                    .unwrap_or(u32::MAX);
                if cluster != u32::MAX {
                    present.push((cluster, account, share.time));
                }
            }
            present.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.total_cmp(&y.2)));
            let mut index = 0;
            while index < present.len() {
                let cluster = present[index].0;
                let mut next = index;
                let mut distinct = 0u32;
                let mut last_account = u32::MAX;
                while next < present.len() && present[next].0 == cluster {
                    if present[next].1 != last_account {
                        distinct += 1;
                        last_account = present[next].1;
                    }
                    next += 1;
                }
                if distinct >= 2 {
                    let entry = &mut stats[cluster as usize];
                    entry.objects += 1;
                    for &(_, _, time) in &present[index..next] {
                        entry.first_seen =
                            Some(entry.first_seen.map_or(time, |seen: f64| seen.min(time)));
                        entry.last_seen =
                            Some(entry.last_seen.map_or(time, |seen: f64| seen.max(time)));
                        delays[cluster as usize].push(time - first);
                    }
                    candidates[cluster as usize].push((
                        distinct,
                        network.kind,
                        shares[start].object,
                    ));
                }
                index = next;
            }
        }
    }
    for (cluster, entry) in stats.iter_mut().enumerate() {
        entry.median_delay = median(&mut delays[cluster]);
        let list = &mut candidates[cluster];
        list.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
        list.truncate(top);
        entry.top_objects = list
            .iter()
            .map(|&(count, kind, object)| {
                let network = networks.iter().find(|n| n.kind == kind);
                let key = network
                    .map_or("", |n| n.activity.objects.get(object))
                    .to_owned();
                TopObject {
                    network: kind,
                    object: key,
                    members: count,
                }
            })
            .collect();
    }
    ObjectStatistics {
        global_median: median(&mut global_delays),
        clusters: stats,
    }
}

/// Clusters containing seeds and the accounts most strongly tied to seeds.
pub fn expand_seeds(analysis: &Analysis, seeds: &[String]) -> SeedReport {
    let mut report = SeedReport::default();
    let mut seed_ids = BTreeSet::new();
    for seed in seeds {
        let handle = seed.trim().trim_start_matches('@');
        if handle.is_empty() {
            continue;
        }
        let id = analysis.accounts.lookup(handle).or_else(|| {
            analysis
                .accounts
                .iter()
                .find(|(_, name)| name.eq_ignore_ascii_case(handle))
                .map(|(id, _)| id)
        });
        let in_graph = id.is_some_and(|id| {
            analysis
                .nodes
                .iter()
                .any(|node| node.account == analysis.accounts.get(id))
        });
        match id {
            Some(id) if in_graph => {
                seed_ids.insert(id);
                report.found.push(analysis.accounts.get(id).to_owned());
            }
            _ => report.missing.push(handle.to_owned()),
        }
    }
    let cluster_by_name: BTreeMap<&str, Option<u32>> = analysis
        .nodes
        .iter()
        .map(|node| (node.account.as_str(), node.cluster))
        .collect();
    let mut clusters: BTreeSet<u32> = BTreeSet::new();
    for &seed in &seed_ids {
        if let Some(Some(cluster)) = cluster_by_name.get(analysis.accounts.get(seed)) {
            clusters.insert(*cluster);
        }
    }
    report.clusters = clusters.into_iter().collect();
    let mut ties: BTreeMap<u32, (f64, BTreeSet<u32>)> = BTreeMap::new();
    for kind_edge in &analysis.edges {
        let Edge {
            source,
            target,
            weight,
            ..
        } = kind_edge.edge;
        if source == target {
            continue;
        }
        for (seed, other) in [(source, target), (target, source)] {
            if seed_ids.contains(&seed) && !seed_ids.contains(&other) {
                let entry = ties.entry(other).or_default();
                entry.0 += weight as f64;
                entry.1.insert(seed);
            }
        }
    }
    let mut ranked: Vec<SeedTie> = ties
        .into_iter()
        .map(|(account, (tie_weight, tied))| {
            let name = analysis.accounts.get(account);
            SeedTie {
                account: name.to_owned(),
                tie_weight,
                seeds_tied: tied.len() as u64,
                cluster: cluster_by_name.get(name).copied().flatten(),
            }
        })
        .collect();
    ranked.sort_by(|x, y| {
        y.tie_weight
            .total_cmp(&x.tie_weight)
            .then(y.seeds_tied.cmp(&x.seeds_tied))
            .then(x.account.cmp(&y.account))
    });
    report.ranked = ranked;
    report
}
