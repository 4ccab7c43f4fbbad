//! Coordination detection: who acts on the same objects within seconds of
//! each other, again and again.
//!
//! Input is an activity log (account, object, time) read from CSV, JSON
//! Lines ([`input`]) or Parquet (`parquet_input`, cargo feature `parquet`).
//! Objects are canonicalised per [`NetworkKind`]
//! ([`canon`]): the same URL, domain, reposted post, replied-to post,
//! hashtag, image hash or normalised text. Accounts become nodes; the
//! weight of the directed edge `(u1, u2)` is, exactly as in
//! coordination-network-toolkit, the number of distinct messages of `u1`
//! that have a message of `u2` on the same object with `|t1 - t2| <= window`.
//! A message never pairs with itself; two messages of one account form a
//! self-loop (dropped unless asked for). (The toolkit's SQL join also pairs
//! a message with itself, which gives every account a self-loop; non-loop
//! edges are unaffected, and those are checked identical in
//! `bench/detect`.) Undirected edges (CooRTweet style)
//! carry the number of co-shares, the mean time gap and a symmetry score.
//!
//! # Near duplicates
//!
//! Co-image and co-text can also pair messages whose objects are merely
//! close ([`near`]): PDQ hashes within a Hamming distance (found exactly by
//! `crosswatch_pdq`'s multi-index self-join), or texts whose word-token sets (the toolkit's
//! tokens: words, punctuation marks, emoji) reach a Jaccard threshold, as in
//! the toolkit's `co_similar_tweet` network. Text candidates come from
//! MinHash/LSH (`crosswatch_minhash`) or exact prefix filtering, and every
//! candidate is verified by exact Jaccard, so no pair below the threshold is
//! ever reported. Nearness is pairwise, never transitive: two messages pair
//! when their own keys are near and their times within the window.
//!
//! # Data path
//!
//! Shares are partitioned by object key into [`network::SHARDS`] hash
//! shards. Each shard sorts each object's shares by time and slides the
//! window independently; shard results are merged by summation keyed by the
//! account pair, in shard order. Because every share belongs to exactly one
//! object, per-object counting followed by summing is exact; messages with
//! several objects (several URLs) are de-duplicated after the merge. With
//! near matching the object is the near-duplicate *group* (a connected
//! component of the near relation over exact keys): every share is still in
//! exactly one group and every pairing lies inside one, so the same holds,
//! and inside a group only pairs of related keys count. The
//! same per-shard function can therefore run shard by shard on a
//! distributed engine, with a keyed sum as the reduce step. Shards run on
//! rayon; the output never depends on the thread count.
//!
//! Combined (multiplex) graphs are clustered with connected components and
//! a seeded Louvain ([`cluster`]); each cluster gets density, co-shared
//! objects, time span, speed relative to everyone else and a combined
//! score ([`analysis`]). [`output`] writes edges, nodes, GraphML, a JSON
//! summary and a draft incident.
//!
//! ```
//! use crosswatch_detect::{ColumnMapping, DetectConfig, NetworkKind, analyse, canon::Canonicalisers, input::read_csv};
//!
//! let log = "user,rt,ts\na,p1,0\nb,p1,10\nc,p1,500\na,p2,100\nb,p2,130\n";
//! let mapping = ColumnMapping { account: "user".into(), object: Some("rt".into()), time: "ts".into() };
//! let activity = read_csv(log.as_bytes(), NetworkKind::CoShare, &mapping, Canonicalisers::default()).unwrap();
//! let analysis = analyse(vec![activity], DetectConfig { window: 60.0, ..DetectConfig::default() });
//! let weights: Vec<(&str, &str, u64)> = analysis
//!     .edges
//!     .iter()
//!     .map(|e| (analysis.accounts.get(e.edge.source), analysis.accounts.get(e.edge.target), e.edge.weight))
//!     .collect();
//! assert_eq!(weights, vec![("a", "b", 2), ("b", "a", 2)]);
//! assert_eq!(analysis.clusters.len(), 1);
//! ```

pub mod analysis;
pub mod canon;
pub mod cluster;
pub mod edges;
pub mod input;
pub mod intern;
pub mod near;
pub mod network;
pub mod output;
#[cfg(feature = "parquet")]
pub mod parquet_input;

#[cfg(test)]
mod reference;

pub use analysis::{Analysis, Cluster, DetectConfig, SeedReport, analyse, expand_seeds};
pub use edges::{Edge, EdgeOptions};
pub use input::{Activity, ColumnMapping, InputFormat, SkipReason, SkipReport};
pub use near::{NearReport, Similarity, TextCandidates, group_near_duplicates};

use serde::Serialize;

/// What "acting on the same object" means for a network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkKind {
    /// Same canonical URL.
    CoLink,
    /// Same registrable domain.
    CoDomain,
    /// Same reposted post id (co-retweet / co-repost).
    CoShare,
    /// Replies to the same post id.
    CoReply,
    /// Same hashtag, case-folded.
    CoHashtag,
    /// Same image hash (case-insensitive hex), or PDQ hashes within a
    /// Hamming distance ([`near`]).
    CoImage,
    /// Identical text after normalisation, or word-token sets above a
    /// Jaccard threshold ([`near`]).
    CoText,
    /// Any activity at all (a null model: maximum possible co-activity).
    CoPost,
}

impl NetworkKind {
    /// Every kind.
    pub const ALL: [NetworkKind; 8] = [
        NetworkKind::CoLink,
        NetworkKind::CoDomain,
        NetworkKind::CoShare,
        NetworkKind::CoReply,
        NetworkKind::CoHashtag,
        NetworkKind::CoImage,
        NetworkKind::CoText,
        NetworkKind::CoPost,
    ];

    /// The name used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            NetworkKind::CoLink => "co-link",
            NetworkKind::CoDomain => "co-domain",
            NetworkKind::CoShare => "co-share",
            NetworkKind::CoReply => "co-reply",
            NetworkKind::CoHashtag => "co-hashtag",
            NetworkKind::CoImage => "co-image",
            NetworkKind::CoText => "co-text",
            NetworkKind::CoPost => "co-post",
        }
    }

    /// The column this kind reads by default (coordination-network-toolkit
    /// names where they exist).
    pub fn default_object_column(self) -> Option<&'static str> {
        match self {
            NetworkKind::CoLink | NetworkKind::CoDomain => Some("urls"),
            NetworkKind::CoShare => Some("repost_id"),
            NetworkKind::CoReply => Some("reply_id"),
            NetworkKind::CoHashtag => Some("hashtags"),
            NetworkKind::CoImage => Some("image_hash"),
            NetworkKind::CoText => Some("message"),
            NetworkKind::CoPost => None,
        }
    }
}

impl std::fmt::Display for NetworkKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for NetworkKind {
    type Err = DetectError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_ascii_lowercase().replace('_', "-");
        let kind = match wanted.as_str() {
            "co-repost" | "co-retweet" | "co-reshare" => NetworkKind::CoShare,
            "co-url" => NetworkKind::CoLink,
            "co-tweet" => NetworkKind::CoText,
            other => match NetworkKind::ALL
                .into_iter()
                .find(|kind| kind.name() == other)
            {
                Some(kind) => kind,
                None => return Err(DetectError::UnknownNetwork(text.to_owned())),
            },
        };
        Ok(kind)
    }
}

/// Errors of the detector.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// A mapped column is not in the file.
    #[error("column `{column}` not found; the file has: {}", available.join(", "))]
    UnknownColumn {
        /// The column asked for.
        column: String,
        /// The columns the file has.
        available: Vec<String>,
    },
    /// The network needs an object column and none was given.
    #[error("network {kind} needs an object column (--object)")]
    MissingObjectColumn {
        /// The network kind.
        kind: NetworkKind,
    },
    /// Unknown network name.
    #[error(
        "unknown network `{0}`; use one of co-link, co-domain, co-share (co-repost), co-reply, co-hashtag, co-image, co-text, co-post"
    )]
    UnknownNetwork(String),
    /// The input could not be read at all (e.g. no header row).
    #[error("line {line}: {message}")]
    Malformed {
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// Reading or writing failed.
    #[error("input/output: {0}")]
    Io(String),
    /// A Parquet file could not be read.
    #[error("{0}")]
    Parquet(String),
    /// A near-matching setting does not fit the network or is out of range.
    #[error("{0}")]
    Similarity(String),
}

/// Runs `job` on a dedicated rayon pool of `threads` threads (0 = one per
/// core). Results do not depend on the count; only the speed does.
pub fn with_threads<T: Send>(
    threads: usize,
    job: impl FnOnce() -> T + Send,
) -> Result<T, DetectError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|err| DetectError::Io(format!("cannot start {threads} worker threads: {err}")))?;
    Ok(pool.install(job))
}
