//! `crosswatch detect`: find coordinated account networks in an activity log.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use crosswatch_detect::canon::Canonicalisers;
use crosswatch_detect::input::read_activity;
use crosswatch_detect::network::{estimate_interval, filter_min_participation};
use crosswatch_detect::output::{
    draft_incident, summary, write_edges_csv, write_graphml, write_nodes_csv, write_summary_json,
};
use crosswatch_detect::parquet_input::read_parquet;
use crosswatch_detect::{
    ColumnMapping, DetectConfig, EdgeOptions, InputFormat, NetworkKind, Similarity, TextCandidates,
    analyse, expand_seeds, group_near_duplicates, with_threads,
};

/// Find accounts that act on the same objects (links, reposts, hashtags,
/// images, texts) within seconds of each other, repeatedly.
///
/// Example (coordination-network-toolkit CSV layout):
///
///   crosswatch detect --network co-share --input tweets.csv --account user_id
///   --object repost_id --time timestamp --window 60 --min-weight 2 --output edges.csv
///   --summary summary.json
///
/// Near duplicates: `--network co-text --similarity 0.8` pairs texts whose
/// word tokens overlap by Jaccard >= 0.8 (coordination-network-toolkit's
/// co_similar_tweet); co-image pairs PDQ hashes within --max-distance bits.
#[derive(Args, Debug)]
pub struct DetectArgs {
    /// Network kind(s): co-link, co-domain, co-share (alias co-repost,
    /// co-retweet), co-reply, co-hashtag, co-image, co-text, co-post. Give
    /// several (comma-separated or repeated) for a multiplex analysis.
    #[arg(long = "network", value_delimiter = ',', required = true)]
    pub networks: Vec<String>,

    /// Activity log: CSV with a header row, JSON Lines (.jsonl/.ndjson), or
    /// Parquet (.parquet; uncompressed or Snappy, read row group by row group).
    #[arg(long)]
    pub input: PathBuf,

    /// Input format; guessed from the file extension when omitted.
    #[arg(long, value_parser = ["csv", "jsonl", "parquet"])]
    pub format: Option<String>,

    /// Column (or JSON field, dotted path allowed) with the account id.
    #[arg(long, default_value = "user_id")]
    pub account: String,

    /// Column with the object (URLs, reposted id, hashtags, image hash,
    /// text). Defaults per network: urls, repost_id, reply_id, hashtags,
    /// image_hash, message. Several URLs/hashtags per cell are split on spaces.
    #[arg(long)]
    pub object: Option<String>,

    /// Object column for one network in a multiplex run, as KIND=COLUMN
    /// (e.g. `--column co-hashtag=tags`). Overrides --object for that kind.
    #[arg(long = "column", value_name = "KIND=COLUMN")]
    pub columns: Vec<String>,

    /// Column with the time: Unix seconds (integer or decimal) or RFC 3339.
    #[arg(long, default_value = "timestamp")]
    pub time: String,

    /// Time window in seconds (two actions count together when
    /// |t1 - t2| <= window), or `auto` to estimate it from the data as
    /// CooRnet does (median of the fastest 10% of first-to-second share gaps).
    #[arg(long, default_value = "60")]
    pub window: String,

    /// Drop edges with a weight below N.
    #[arg(long, default_value_t = 1)]
    pub min_weight: u64,

    /// Ignore accounts with fewer than N messages (minimum participation).
    #[arg(long, default_value_t = 1)]
    pub min_participation: u32,

    /// Undirected edges (CooRTweet style): weight = co-shares, with mean
    /// time gap and symmetry score.
    #[arg(long)]
    pub undirected: bool,

    /// Keep self-loops (two messages of one account on the same object).
    #[arg(long)]
    pub self_loops: bool,

    /// Compare URLs exactly as written instead of canonicalising them.
    #[arg(long)]
    pub verbatim_urls: bool,

    /// co-image: two images count as the same when their PDQ hashes differ
    /// in at most D of 256 bits (0 = identical hashes only). The default, 31,
    /// is Meta's recommended PDQ match threshold: re-encoded, resized and
    /// lightly edited copies fall well within it, unrelated images almost
    /// never do. Values that are not 64-digit hex PDQ hashes are compared
    /// exactly.
    #[arg(
        long,
        value_name = "D",
        default_value_t = crosswatch_pdq::MATCH_DISTANCE_THRESHOLD,
        value_parser = clap::value_parser!(u32).range(0..=256)
    )]
    pub max_distance: u32,

    /// co-text: two texts count as the same when the Jaccard similarity of
    /// their word-token sets is at least J (0 < J <= 1; 0.8 is the
    /// coordination-network-toolkit default for co_similar_tweet). Tokens as
    /// in the toolkit: lower-cased words, each punctuation mark and emoji,
    /// mentions removed. Without this option texts must be identical after
    /// normalisation (lower-case, mentions removed, whitespace collapsed).
    #[arg(long, value_name = "J")]
    pub similarity: Option<f64>,

    /// co-text with --similarity: how candidate pairs are found before each
    /// is verified by exact Jaccard: `minhash` (MinHash + LSH, fast; a pair
    /// exactly at the threshold becomes a candidate with probability >= 0.995,
    /// and copies linked through other copies are found anyway) or
    /// `exhaustive` (prefix filtering: finds every pair; slower on texts made
    /// of common words).
    #[arg(long, value_parser = ["minhash", "exhaustive"], default_value = "minhash")]
    pub text_candidates: String,

    /// Edge list CSV to write (`source,target,weight,...`); `-` for stdout.
    #[arg(long)]
    pub output: PathBuf,

    /// Node table CSV (for Gephi) to write.
    #[arg(long)]
    pub nodes: Option<PathBuf>,

    /// GraphML file to write (opens in Gephi).
    #[arg(long)]
    pub graphml: Option<PathBuf>,

    /// JSON summary to write: inputs, skipped rows, clusters and scores.
    #[arg(long)]
    pub summary: Option<PathBuf>,

    /// File of seed account ids or @handles, one per line: report their
    /// clusters and the accounts most strongly tied to them.
    #[arg(long)]
    pub seeds: Option<PathBuf>,

    /// Write a draft incident JSON (accounts, co-shared URLs/domains as
    /// indicators, time span) for review before sharing.
    #[arg(long)]
    pub to_incident: Option<PathBuf>,

    /// Platform name used for the accounts in the draft incident.
    #[arg(long, default_value = "unknown")]
    pub platform: String,

    /// Worker threads (0 = one per core). Results are identical for any count.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,

    /// Seed of the community detection (same seed, same clusters).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Co-link key: Crosswatch's shared URL canonicalisation (refanging,
/// tracking parameters, `www.`/`m.` hosts), so detection and matching agree.
fn canonical_url_key(value: &str) -> Option<String> {
    crosswatch_matching::canon::canonical_url(value)
        .ok()
        .map(|url| url.key().to_owned())
}

/// Co-domain key: the registrable domain under the Public Suffix List.
fn registrable_domain_key(value: &str) -> Option<String> {
    let url = crosswatch_matching::canon::canonical_url(value).ok()?;
    url.registrable_domain().map(str::to_owned)
}

/// Stage messages on stderr, only when a person is watching.
struct Progress {
    enabled: bool,
    started: Instant,
}

impl Progress {
    fn new() -> Self {
        Self {
            enabled: std::io::stderr().is_terminal(),
            started: Instant::now(),
        }
    }

    fn stage(&self, message: &str) {
        if self.enabled {
            eprintln!("[{:>7.1}s] {message}", self.started.elapsed().as_secs_f64());
        }
    }
}

/// Counts bytes read and reports the percentage on a terminal.
struct ProgressReader<R> {
    inner: R,
    read: u64,
    total: u64,
    next_report: u64,
    enabled: bool,
}

impl<R: Read> Read for ProgressReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let count = self.inner.read(buf)?;
        self.read += count as u64;
        if self.enabled && self.total > 0 && self.read >= self.next_report {
            eprint!("\r  read {:>3}%", self.read * 100 / self.total);
            self.next_report = self.read + self.total / 20;
            if count == 0 || self.read >= self.total {
                eprintln!();
            }
        }
        Ok(count)
    }
}

fn open_input(path: &Path, enabled: bool) -> anyhow::Result<impl BufRead> {
    let file = File::open(path).with_context(|| format!("cannot open input {}", path.display()))?;
    let total = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    let reader = ProgressReader {
        inner: file,
        read: 0,
        total,
        next_report: 0,
        enabled,
    };
    Ok(BufReader::with_capacity(1 << 20, reader))
}

fn create(path: &Path) -> anyhow::Result<Box<dyn Write>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(BufWriter::new(std::io::stdout().lock())));
    }
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(Box::new(BufWriter::new(file)))
}

fn input_format(args: &DetectArgs) -> InputFormat {
    match args.format.as_deref() {
        Some("jsonl") => InputFormat::JsonLines,
        Some("parquet") => InputFormat::Parquet,
        Some(_) => InputFormat::Csv,
        None => {
            let extension = args
                .input
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if matches!(extension.as_str(), "jsonl" | "ndjson" | "json") {
                InputFormat::JsonLines
            } else if matches!(extension.as_str(), "parquet" | "pq") {
                InputFormat::Parquet
            } else {
                InputFormat::Csv
            }
        }
    }
}

fn object_column(args: &DetectArgs, kind: NetworkKind) -> anyhow::Result<Option<String>> {
    for spec in &args.columns {
        let (name, column) = spec.split_once('=').with_context(|| {
            format!("--column `{spec}` must look like KIND=COLUMN, e.g. co-hashtag=tags")
        })?;
        if name.parse::<NetworkKind>()? == kind {
            return Ok(Some(column.to_owned()));
        }
    }
    if kind == NetworkKind::CoPost {
        return Ok(None);
    }
    Ok(args
        .object
        .clone()
        .or_else(|| kind.default_object_column().map(str::to_owned)))
}

/// How objects of `kind` are compared, from the command line.
fn similarity_for(args: &DetectArgs, kind: NetworkKind) -> Similarity {
    match kind {
        NetworkKind::CoImage if args.max_distance > 0 => Similarity::Hamming {
            max_distance: args.max_distance,
        },
        NetworkKind::CoText => match args.similarity {
            Some(threshold) => Similarity::Jaccard {
                threshold,
                candidates: if args.text_candidates == "exhaustive" {
                    TextCandidates::Exhaustive
                } else {
                    TextCandidates::MinHash
                },
            },
            None => Similarity::Exact,
        },
        _ => Similarity::Exact,
    }
}

/// Runs `crosswatch detect`.
pub fn run(args: DetectArgs) -> anyhow::Result<()> {
    let threads = args.threads;
    with_threads(threads, move || run_inner(args))?
}

fn run_inner(args: DetectArgs) -> anyhow::Result<()> {
    let progress = Progress::new();
    let mut kinds = Vec::new();
    for name in &args.networks {
        let kind: NetworkKind = name.parse()?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        bail!("give at least one --network");
    }
    if let Some(threshold) = args.similarity {
        if !kinds.contains(&NetworkKind::CoText) {
            bail!("--similarity compares texts: add --network co-text");
        }
        if !(threshold > 0.0 && threshold <= 1.0) {
            bail!("--similarity must be greater than 0 and at most 1 (e.g. 0.8), got {threshold}");
        }
    }
    let rules = if args.verbatim_urls {
        Canonicalisers {
            url: Canonicalisers::verbatim().url,
            domain: registrable_domain_key,
        }
    } else {
        Canonicalisers {
            url: canonical_url_key,
            domain: registrable_domain_key,
        }
    };
    let format = input_format(&args);

    let mut activities = Vec::new();
    for &kind in &kinds {
        progress.stage(&format!("reading {} for {kind}", args.input.display()));
        let mapping = ColumnMapping {
            account: args.account.clone(),
            object: object_column(&args, kind)?,
            time: args.time.clone(),
        };
        let mut activity = if format == InputFormat::Parquet {
            let file = File::open(&args.input)
                .with_context(|| format!("cannot open input {}", args.input.display()))?;
            read_parquet(file, kind, &mapping, rules)
        } else {
            let reader = open_input(&args.input, progress.enabled)?;
            read_activity(reader, format, kind, &mapping, rules)
        }
        .with_context(|| format!("reading {} for {kind}", args.input.display()))?;
        filter_min_participation(&mut activity, args.min_participation);
        let similarity = similarity_for(&args, kind);
        if similarity != Similarity::Exact {
            progress.stage(&format!("grouping near-duplicate objects for {kind}"));
            group_near_duplicates(&mut activity, similarity)
                .with_context(|| format!("near matching for {kind}"))?;
            if let Some(near) = &activity.near {
                let report = &near.report;
                eprintln!(
                    "note: {kind}: {} distinct object(s) in {} near-duplicate group(s) of 2 or more, largest {} ({} candidate pair(s), {} verified){}",
                    report.distinct_objects,
                    report.groups,
                    report.largest_group,
                    report.candidate_pairs,
                    report.verified_pairs,
                    if report.not_comparable > 0 {
                        format!("; {} compared exactly only", report.not_comparable)
                    } else {
                        String::new()
                    }
                );
            }
        }
        let skipped = activity.skipped.total();
        if skipped > 0 {
            eprintln!(
                "note: {kind}: skipped {skipped} of {} rows ({}); see --summary for line numbers",
                activity.rows_read,
                activity
                    .skipped
                    .reasons
                    .iter()
                    .map(|(reason, count)| format!("{reason:?}: {}", count.count))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        activities.push(activity);
    }

    let window = if args.window.trim().eq_ignore_ascii_case("auto") {
        let estimate = activities
            .iter()
            .filter_map(|activity| estimate_interval(activity, 0.1, 0.5))
            .min_by(f64::total_cmp)
            .context(
                "cannot estimate a window: no object was shared twice; give --window SECONDS",
            )?;
        eprintln!("estimated coordination interval: {estimate:.3} s");
        estimate
    } else {
        let window: f64 = args.window.trim().parse().with_context(|| {
            format!(
                "--window `{}` is neither a number of seconds nor `auto`",
                args.window
            )
        })?;
        if !window.is_finite() || window < 0.0 {
            bail!("--window must be a non-negative number of seconds, got {window}");
        }
        window
    };

    progress.stage("computing co-action pairs and clusters");
    let config = DetectConfig {
        window,
        edges: EdgeOptions {
            min_weight: args.min_weight,
            keep_self_loops: args.self_loops,
            undirected: args.undirected,
        },
        seed: args.seed,
        ..DetectConfig::default()
    };
    let analysis = analyse(activities, config);

    let seed_report = match &args.seeds {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read seeds {}", path.display()))?;
            let seeds: Vec<String> = text
                .lines()
                .map(|line| line.split(',').next().unwrap_or("").trim().to_owned())
                .filter(|line| !line.is_empty() && !line.starts_with('#'))
                .collect();
            let report = expand_seeds(&analysis, &seeds);
            eprintln!(
                "seeds: {} found, {} not in the graph, {} cluster(s), {} tied account(s)",
                report.found.len(),
                report.missing.len(),
                report.clusters.len(),
                report.ranked.len()
            );
            Some(report)
        }
        None => None,
    };

    progress.stage("writing outputs");
    let mut out = create(&args.output)?;
    write_edges_csv(&mut out, &analysis)
        .with_context(|| format!("writing {}", args.output.display()))?;
    out.flush()?;
    if let Some(path) = &args.nodes {
        let mut out = create(path)?;
        write_nodes_csv(&mut out, &analysis)
            .with_context(|| format!("writing {}", path.display()))?;
        out.flush()?;
    }
    if let Some(path) = &args.graphml {
        let mut out = create(path)?;
        write_graphml(&mut out, &analysis)
            .with_context(|| format!("writing {}", path.display()))?;
        out.flush()?;
    }
    if let Some(path) = &args.summary {
        let mut out = create(path)?;
        write_summary_json(&mut out, &summary(&analysis, seed_report.as_ref()))
            .with_context(|| format!("writing {}", path.display()))?;
        out.flush()?;
    }
    if let Some(path) = &args.to_incident {
        let clusters = seed_report
            .as_ref()
            .map(|report| report.clusters.as_slice());
        let draft = draft_incident(&analysis, &args.platform, clusters, &rules);
        let incident = draft.to_incident(time::OffsetDateTime::now_utc());
        let mut out = create(path)?;
        serde_json::to_writer_pretty(&mut out, &incident)
            .with_context(|| format!("writing {}", path.display()))?;
        writeln!(out)?;
        out.flush()?;
    }
    eprintln!(
        "{} edge(s) among {} account(s), {} cluster(s)",
        analysis.edges.len(),
        analysis.nodes.len(),
        analysis.clusters.len()
    );
    progress.stage("done");
    Ok(())
}
