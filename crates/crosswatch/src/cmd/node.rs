//! `crosswatch node`: the platform side of sharing — sync signals from hubs,
//! match the platform's content, review hits and record actions.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use crosswatch_matching::lookalike::LookalikeIndex;
use crosswatch_model::{AssetKind, CountryCode, Decision};
use crosswatch_node::engine::EngineConfig;
use crosswatch_node::run::{FloodGuard, load_engine, match_items};
use crosswatch_node::store::{AcceptRequest, HitStatus, NodeStore};
use crosswatch_node::sync::{HubClient, ShareOptions, backoff, sync_hub};
use time::OffsetDateTime;

/// Run a platform node: keep shared signals, match content, review hits.
#[derive(Subcommand)]
pub enum NodeCommand {
    /// Pull signals from one or more hubs (TAXII 2.1) and send queued feedback.
    ///
    /// Creates, newer versions and revocations are applied; deletions and
    /// expiries come from the hub's change feed, so a withdrawn signal stops
    /// matching after one sync. A hub that is down or answers with garbage
    /// leaves the local copy and its cursor as they were.
    Sync(SyncArgs),
    /// Match the platform's items (JSON Lines) against the local signals.
    ///
    /// Each input line is one post or account: `{"id": "...", "account":
    /// "@name", "platform": "x", "urls": [...], "text": "...", "media":
    /// [{"pdq": "HEX", "quality": 90}, {"sha256": "HEX"}], "ips": [...],
    /// "timestamp": "...", "country": "FR"}`; only `id` is required. Each hit
    /// is printed as a JSON line and queued for review; malformed lines are
    /// reported with their line number and skipped.
    Match(MatchArgs),
    /// The review queue: list, accept, reject hits; release quarantined signals.
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Recorded enforcement actions (what the reports count).
    #[command(subcommand)]
    Actions(ActionsCommand),
    /// Share your own takedown with a hub: Crosswatch incident JSON, a STIX
    /// bundle or an indicator file (Meta's CSV/TSV/Markdown formats).
    Share(ShareArgs),
}

/// Arguments of `crosswatch node share`.
#[derive(Args)]
pub struct ShareArgs {
    /// The file to share, or `-` for stdin.
    file: PathBuf,
    /// Base URL of the hub.
    #[arg(long, value_name = "URL")]
    hub: String,
    /// Bearer token (analyst or admin role).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "CROSSWATCH_HUB_TOKEN",
        hide_env_values = true
    )]
    token: String,
    /// Who receives it: own, all, group:NAME or inbox:ORG.
    #[arg(long, default_value = "own")]
    share: String,
    /// Marking for incidents read from indicator files (clear, green,
    /// amber, amber+strict, red); JSON and STIX carry their own.
    #[arg(long)]
    tlp: Option<String>,
    /// Request timeout in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    timeout: u64,
}

/// Where the node keeps its database.
#[derive(Args, Clone)]
pub struct DataDir {
    /// Directory of the node's database (`node.db` inside it).
    #[arg(long, value_name = "DIR", default_value = "./crosswatch-node")]
    data_dir: PathBuf,
}

impl DataDir {
    fn open(&self) -> anyhow::Result<NodeStore> {
        let path = self.data_dir.join("node.db");
        NodeStore::open(&path)
            .with_context(|| format!("opening the node database {}", path.display()))
    }
}

/// Arguments of `crosswatch node sync`.
#[derive(Args)]
pub struct SyncArgs {
    #[command(flatten)]
    data: DataDir,
    /// Base URL of a hub (repeat for several hubs), e.g. https://hub.example.org.
    #[arg(long = "hub", value_name = "URL", required = true)]
    hubs: Vec<String>,
    /// Bearer token for the hub; repeat in the order of --hub, or give one for all.
    #[arg(
        long = "token",
        value_name = "TOKEN",
        env = "CROSSWATCH_HUB_TOKEN",
        hide_env_values = true
    )]
    tokens: Vec<String>,
    /// Only this collection (sharing group); default: every readable one.
    #[arg(long, value_name = "ID")]
    collection: Option<String>,
    /// Keep syncing: at once whenever a hub's live change stream announces
    /// a change (reconnecting with backoff when it drops), and every
    /// --interval seconds anyway; retry with exponential backoff when a hub
    /// is unreachable.
    #[arg(long)]
    follow: bool,
    /// Seconds between syncs with --follow when no change is announced.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    interval: u64,
    /// Longest wait between retries with --follow, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    max_backoff: u64,
    /// Request timeout in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    timeout: u64,
}

/// Arguments of `crosswatch node match`.
#[derive(Args)]
pub struct MatchArgs {
    #[command(flatten)]
    data: DataDir,
    /// JSON Lines file of items, or `-` for stdin.
    #[arg(long, value_name = "FILE|-")]
    input: PathBuf,
    /// File of protected outlet domains (one per line) whose look-alikes are flagged.
    #[arg(long, value_name = "FILE")]
    protected: Option<PathBuf>,
    /// Quarantine a signal that matches more distinct items than this in one run.
    #[arg(long, value_name = "N", default_value_t = FloodGuard::default().max_items_per_run)]
    flood_per_run: u64,
    /// Quarantine a signal that matches more distinct items than this within an hour.
    #[arg(long, value_name = "N", default_value_t = FloodGuard::default().max_items_per_hour)]
    flood_per_hour: u64,
    /// Minimum Jaccard similarity (0..1] for near-duplicate text.
    #[arg(long, value_name = "J", default_value_t = EngineConfig::default().text_threshold)]
    text_threshold: f64,
    /// Largest PDQ Hamming distance that matches.
    #[arg(long, value_name = "BITS", default_value_t = EngineConfig::default().pdq_max_distance)]
    pdq_distance: u32,
    /// Smallest PDQ quality of an item's image that is matched.
    #[arg(long, value_name = "Q", default_value_t = EngineConfig::default().pdq_min_quality)]
    pdq_quality: u32,
}

/// `crosswatch node review …`
#[derive(Subcommand)]
pub enum ReviewCommand {
    /// List hits (oldest first).
    List(ReviewListArgs),
    /// Accept hits: record an action per incident and queue `actioned` feedback.
    Accept(AcceptArgs),
    /// Reject hits; `--reason false-positive` also tells the sharing hub.
    Reject(RejectArgs),
    /// Release a quarantined signal (local id or STIX id) so it queues hits again.
    Release(ReleaseArgs),
}

/// Arguments of `crosswatch node review list`.
#[derive(Args)]
pub struct ReviewListArgs {
    #[command(flatten)]
    data: DataDir,
    /// Only hits with this status.
    #[arg(long, value_enum)]
    status: Option<StatusArg>,
    /// Print JSON Lines instead of a table.
    #[arg(long)]
    json: bool,
}

/// Review statuses.
#[derive(Clone, Copy, ValueEnum)]
pub enum StatusArg {
    /// Waiting for a reviewer.
    Pending,
    /// Acted on.
    Accepted,
    /// Found wrong.
    Rejected,
    /// Held back by the flood guard.
    Quarantined,
}

/// What was actioned.
#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// Accounts.
    Account,
    /// Pages.
    Page,
    /// Groups.
    Group,
    /// Channels.
    Channel,
    /// Content items.
    Content,
}

/// The decision taken.
#[derive(Clone, Copy, ValueEnum)]
pub enum DecisionArg {
    /// The account was terminated.
    AccountTerminated,
    /// The account was suspended.
    AccountSuspended,
    /// Content was removed.
    ContentRemoved,
    /// Content was disabled.
    ContentDisabled,
    /// Visibility was reduced.
    VisibilityReduced,
    /// Content was labelled.
    ContentLabelled,
}

/// Arguments of `crosswatch node review accept`.
#[derive(Args)]
pub struct AcceptArgs {
    #[command(flatten)]
    data: DataDir,
    /// Hit ids (from `review list`).
    #[arg(required = true, value_name = "HIT")]
    hits: Vec<i64>,
    /// What was actioned.
    #[arg(long, value_enum)]
    kind: KindArg,
    /// How many were actioned (default: the number of distinct items).
    #[arg(long, value_name = "N")]
    count: Option<u64>,
    /// EU/EEA Member State affected (repeatable), e.g. FR.
    #[arg(long = "member-state", value_name = "CC")]
    member_states: Vec<String>,
    /// The decision.
    #[arg(long, value_enum)]
    decision: DecisionArg,
    /// Who decided.
    #[arg(long, env = "USER", default_value = "reviewer")]
    reviewer: String,
    /// Facts and circumstances relied on.
    #[arg(long, default_value = "")]
    facts: String,
    /// The acting platform's name, as reported to the hub.
    #[arg(long, env = "CROSSWATCH_PLATFORM", default_value = "unnamed-platform")]
    platform: String,
    /// Do not tell the hub which platform acted.
    #[arg(long)]
    anonymous: bool,
}

/// Arguments of `crosswatch node review reject`.
#[derive(Args)]
pub struct RejectArgs {
    #[command(flatten)]
    data: DataDir,
    /// Hit ids (from `review list`).
    #[arg(required = true, value_name = "HIT")]
    hits: Vec<i64>,
    /// Why; `false-positive` is reported to the hub that shared the signal.
    #[arg(long, default_value = "false-positive")]
    reason: String,
    /// Who decided.
    #[arg(long, env = "USER", default_value = "reviewer")]
    reviewer: String,
    /// Do not tell the hub which platform reported it.
    #[arg(long)]
    anonymous: bool,
}

/// Arguments of `crosswatch node review release`.
#[derive(Args)]
pub struct ReleaseArgs {
    #[command(flatten)]
    data: DataDir,
    /// The signal's local id or STIX id (see `review list --status quarantined`).
    signal: String,
}

/// `crosswatch node actions …`
#[derive(Subcommand)]
pub enum ActionsCommand {
    /// List recorded actions.
    List(ActionsListArgs),
}

/// Arguments of `crosswatch node actions list`.
#[derive(Args)]
pub struct ActionsListArgs {
    #[command(flatten)]
    data: DataDir,
    /// Print one JSON action per line (the format the reports read).
    #[arg(long)]
    json: bool,
}

/// Runs a `crosswatch node` subcommand.
pub fn run(command: NodeCommand) -> anyhow::Result<()> {
    match command {
        NodeCommand::Sync(args) => run_sync(args),
        NodeCommand::Match(args) => run_match(args),
        NodeCommand::Review(ReviewCommand::List(args)) => run_review_list(args),
        NodeCommand::Review(ReviewCommand::Accept(args)) => run_accept(args),
        NodeCommand::Review(ReviewCommand::Reject(args)) => run_reject(args),
        NodeCommand::Review(ReviewCommand::Release(args)) => {
            let store = args.data.open()?;
            store.release_signal(&args.signal)?;
            eprintln!("released {}; it queues pending hits again", args.signal);
            Ok(())
        }
        NodeCommand::Actions(ActionsCommand::List(args)) => run_actions(args),
        NodeCommand::Share(args) => run_share(args),
    }
}

fn run_share(args: ShareArgs) -> anyhow::Result<()> {
    let (name, bytes) = super::source::read_input(&args.file)?;
    let content_type = if bytes.trim_ascii_start().starts_with(b"{")
        || bytes.trim_ascii_start().starts_with(b"[")
    {
        "application/json"
    } else {
        "text/plain"
    };
    let client = HubClient::new(
        &args.hub,
        &args.token,
        Duration::from_secs(args.timeout.max(1)),
    );
    let answer = client
        .share(
            &bytes,
            content_type,
            &ShareOptions {
                share: args.share.clone(),
                tlp: args.tlp.clone(),
                filename: args
                    .file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned()),
            },
        )
        .with_context(|| format!("sharing {name}"))?;
    eprintln!(
        "{name}: shared to {} as {}: {} object(s) stored, {} failure(s)",
        answer["shared_to"].as_str().unwrap_or("?"),
        answer["format"].as_str().unwrap_or("?"),
        answer["stored"],
        answer["failure_count"]
    );
    for failure in answer["failures"].as_array().into_iter().flatten() {
        eprintln!(
            "  {}: {}",
            failure["id"].as_str().unwrap_or("?"),
            failure["message"].as_str().unwrap_or("?")
        );
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&answer).unwrap_or_default()
    );
    Ok(())
}

fn run_sync(args: SyncArgs) -> anyhow::Result<()> {
    let clients = hub_clients(&args)?;
    let mut store = args.data.open()?;
    let base = Duration::from_secs(args.interval.max(1));
    let max = Duration::from_secs(args.max_backoff.max(args.interval.max(1)));
    let mut failures = vec![0u32; clients.len()];
    let (wake, woken) = std::sync::mpsc::channel::<()>();
    if args.follow {
        for client in &clients {
            let start = store.feed_cursor(client.hub())?.unwrap_or(0);
            let (client, wake) = (client.clone(), wake.clone());
            std::thread::spawn(move || follow_stream(&client, start, &wake, base, max));
        }
    }
    loop {
        let mut any_failed = false;
        for (index, client) in clients.iter().enumerate() {
            match sync_hub(
                &mut store,
                client,
                args.collection.as_deref(),
                OffsetDateTime::now_utc(),
            ) {
                Ok(report) => {
                    failures[index] = 0;
                    let s = report.stats;
                    eprintln!(
                        "{}: {} collection(s); {} new, {} updated, {} revoked, {} deleted, {} ignored; {} active signals; feedback {} sent, {} queued{}",
                        report.hub,
                        report.collections.len(),
                        s.created,
                        s.updated,
                        s.revoked,
                        s.deleted,
                        s.ignored,
                        s.active_signals,
                        report.feedback_delivered,
                        report.feedback_pending,
                        if report.has_feed {
                            ""
                        } else {
                            " (hub has no change feed: deletions are not seen)"
                        }
                    );
                    if let Some(problem) = report.feedback_problem {
                        eprintln!("  feedback: {problem}");
                    }
                }
                Err(e) => {
                    any_failed = true;
                    failures[index] = failures[index].saturating_add(1);
                    eprintln!("{}: sync failed, local copy unchanged: {e}", client.hub());
                    if !args.follow {
                        return Err(e).with_context(|| format!("syncing {}", client.hub()));
                    }
                }
            }
        }
        if !args.follow {
            return Ok(());
        }
        if any_failed {
            let worst = failures.iter().copied().max().unwrap_or(0);
            std::thread::sleep(backoff(worst.saturating_sub(1), base, max));
        } else if woken.recv_timeout(base).is_ok() {
            // Let a burst of changes (one shared bundle) land, then sync once.
            std::thread::sleep(Duration::from_millis(300));
            while woken.try_recv().is_ok() {}
        }
    }
}

/// Holds a hub's live change stream open and wakes the sync loop on every
/// change; reconnects with backoff. Ends when the hub has no stream (the
/// loop then syncs every --interval) or the loop is gone.
fn follow_stream(
    client: &HubClient,
    start: i64,
    wake: &std::sync::mpsc::Sender<()>,
    base: Duration,
    max: Duration,
) {
    let mut cursor = start;
    let mut failures = 0u32;
    loop {
        let mut loop_gone = false;
        let result = client.follow_changes(cursor, |seq| {
            cursor = cursor.max(seq);
            loop_gone |= wake.send(()).is_err();
        });
        if loop_gone {
            return;
        }
        match result {
            Ok(None) => {
                eprintln!(
                    "{}: no live change stream; syncing every {} s",
                    client.hub(),
                    base.as_secs()
                );
                return;
            }
            Ok(Some(_)) => {
                failures = 0;
                eprintln!("{}: live stream ended; reconnecting", client.hub());
                std::thread::sleep(Duration::from_secs(1));
            }
            Err(error) => {
                failures = failures.saturating_add(1);
                let wait = backoff(failures.saturating_sub(1), Duration::from_secs(1), max);
                eprintln!(
                    "{}: live stream failed ({error}); retrying in {} s",
                    client.hub(),
                    wait.as_secs()
                );
                std::thread::sleep(wait);
            }
        }
    }
}

fn hub_clients(args: &SyncArgs) -> anyhow::Result<Vec<HubClient>> {
    let timeout = Duration::from_secs(args.timeout.max(1));
    let tokens = &args.tokens;
    if tokens.is_empty() {
        bail!("no token: pass --token TOKEN or set CROSSWATCH_HUB_TOKEN");
    }
    if tokens.len() != 1 && tokens.len() != args.hubs.len() {
        bail!(
            "{} hubs but {} tokens: give one token for all hubs or one per --hub, in order",
            args.hubs.len(),
            tokens.len()
        );
    }
    Ok(args
        .hubs
        .iter()
        .enumerate()
        .map(|(i, hub)| {
            let token = tokens
                .get(i)
                .or_else(|| tokens.first())
                .map_or("", String::as_str);
            HubClient::new(hub, token, timeout)
        })
        .collect())
}

fn run_match(args: MatchArgs) -> anyhow::Result<()> {
    let store = args.data.open()?;
    let config = EngineConfig {
        pdq_max_distance: args.pdq_distance,
        pdq_min_quality: args.pdq_quality,
        text_threshold: args.text_threshold,
    };
    let mut loaded = load_engine(&store, config).context("loading signals")?;
    for skipped in &loaded.skipped {
        eprintln!("warning: {skipped}");
    }
    if let Some(path) = &args.protected {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the protected-outlet list {}", path.display()))?;
        let index = LookalikeIndex::from_list(&text)
            .with_context(|| format!("in the protected-outlet list {}", path.display()))?;
        loaded.engine.set_protected(index);
    }
    let guard = FloodGuard {
        max_items_per_run: args.flood_per_run,
        max_items_per_hour: args.flood_per_hour,
    };
    let input = open_input(&args.input)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let quarantined: HashSet<i64> = loaded.quarantined.clone();
    let summary = match_items(
        &store,
        &loaded.engine,
        &quarantined,
        guard,
        input,
        &mut out,
        OffsetDateTime::now_utc(),
    )?;
    out.flush().context("writing hits")?;
    for line in &summary.malformed {
        eprintln!(
            "{}:{}: skipped: {}",
            args.input.display(),
            line.line,
            line.message
        );
    }
    for (id, stix_id, items) in &summary.quarantined_signals {
        eprintln!(
            "quarantined signal {id} ({stix_id}): matched {items} items, more than plausible; \
             its hits are held back until `crosswatch node review release {id}`"
        );
    }
    eprintln!(
        "{} items, {} hits ({} queued for review, {} quarantined), {} malformed lines; {} signals loaded",
        summary.items,
        summary.hits,
        summary.pending,
        summary.quarantined_hits,
        summary.malformed.len(),
        loaded.engine.len()
    );
    Ok(())
}

fn open_input(path: &Path) -> anyhow::Result<Box<dyn BufRead>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(BufReader::new(std::io::stdin())));
    }
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    Ok(Box::new(BufReader::new(file)))
}

fn run_review_list(args: ReviewListArgs) -> anyhow::Result<()> {
    let store = args.data.open()?;
    let status = args.status.map(|s| match s {
        StatusArg::Pending => HitStatus::Pending,
        StatusArg::Accepted => HitStatus::Accepted,
        StatusArg::Rejected => HitStatus::Rejected,
        StatusArg::Quarantined => HitStatus::Quarantined,
    });
    let hits = store.hits(status)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        for hit in &hits {
            writeln!(out, "{}", serde_json::to_string(hit)?)?;
        }
    } else {
        writeln!(out, "HIT\tSTATUS\tITEM\tMATCHER\tINCIDENT\tOBSERVED")?;
        for hit in &hits {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}",
                hit.id,
                hit.status.as_str(),
                hit.item_id,
                hit.matcher,
                hit.incident_name.as_deref().unwrap_or("-"),
                hit.evidence
                    .get("observed")
                    .and_then(|v| v.as_str())
                    .unwrap_or("-")
            )?;
        }
    }
    if status == Some(HitStatus::Quarantined) {
        for (id, stix_id, value) in store.quarantined_signals()? {
            eprintln!("quarantined signal {id} ({stix_id}): {value}");
        }
    }
    out.flush()?;
    Ok(())
}

fn run_accept(args: AcceptArgs) -> anyhow::Result<()> {
    let mut store = args.data.open()?;
    let member_states = args
        .member_states
        .iter()
        .map(|code| {
            code.parse::<CountryCode>()
                .map_err(|e| anyhow::anyhow!("--member-state {code}: {e}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let request = AcceptRequest {
        platform: args.platform,
        kind: match args.kind {
            KindArg::Account => AssetKind::Account,
            KindArg::Page => AssetKind::Page,
            KindArg::Group => AssetKind::Group,
            KindArg::Channel => AssetKind::Channel,
            KindArg::Content => AssetKind::Content,
        },
        count: args.count,
        decision: match args.decision {
            DecisionArg::AccountTerminated => Decision::AccountTerminated,
            DecisionArg::AccountSuspended => Decision::AccountSuspended,
            DecisionArg::ContentRemoved => Decision::ContentRemoved,
            DecisionArg::ContentDisabled => Decision::ContentDisabled,
            DecisionArg::VisibilityReduced => Decision::VisibilityReduced,
            DecisionArg::ContentLabelled => Decision::ContentLabelled,
        },
        member_states,
        reviewer: args.reviewer,
        facts: args.facts,
        anonymous: args.anonymous,
        now: OffsetDateTime::now_utc(),
    };
    let actions = store.accept(&args.hits, &request)?;
    for action in &actions {
        match &action.prompted_by {
            Some(p) => eprintln!(
                "recorded action {} prompted by incident {} ({}) from {}; feedback queued for the next sync",
                action.id, p.incident_id, p.incident_name, p.hub
            ),
            None => eprintln!("recorded action {} (own detection)", action.id),
        }
    }
    Ok(())
}

fn run_reject(args: RejectArgs) -> anyhow::Result<()> {
    let mut store = args.data.open()?;
    let count = store.reject(
        &args.hits,
        &args.reason,
        &args.reviewer,
        args.anonymous,
        OffsetDateTime::now_utc(),
    )?;
    eprintln!("rejected {count} hit(s) ({})", args.reason);
    Ok(())
}

fn run_actions(args: ActionsListArgs) -> anyhow::Result<()> {
    let store = args.data.open()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let actions = store.actions()?;
    if args.json {
        for action in &actions {
            writeln!(out, "{}", serde_json::to_string(action)?)?;
        }
    } else {
        writeln!(
            out,
            "ACTION\tTAKEN\tKIND\tCOUNT\tDECISION\tMEMBER STATES\tINCIDENT"
        )?;
        for action in &actions {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                action.id,
                action.taken_at.date(),
                action.kind,
                action.count,
                serde_json::to_value(action.decision)?
                    .as_str()
                    .unwrap_or("-"),
                action
                    .member_states
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                action
                    .prompted_by
                    .as_ref()
                    .map_or("own detection".to_string(), |p| format!(
                        "{} ({})",
                        p.incident_name, p.incident_id
                    ))
            )?;
        }
    }
    out.flush()?;
    Ok(())
}
