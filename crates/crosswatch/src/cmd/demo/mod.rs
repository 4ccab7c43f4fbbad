//! `crosswatch demo`: the whole flow on the embedded default, with the real
//! hub, store and node code. A hub starts on a free local port over a SQLite
//! file in the output directory; Platform A shares a takedown through the
//! REST API; the nodes of Platforms B and C sync it over TAXII, match their
//! own content, queue hits, record the reviewer's decisions with the
//! incident that prompted them, and send `actioned` feedback back; then the
//! reports are written and the SLI 16.1.1 table is printed.

mod scenario;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use crosswatch_hub::{HubConfig, Role, Store};
use crosswatch_model::{Action, CountryCode, Incident};
use crosswatch_node::run::{FloodGuard, load_engine, match_items};
use crosswatch_node::store::{AcceptRequest, HitStatus, NodeStore};
use crosswatch_node::sync::{HubClient, ShareOptions, sync_hub};
use crosswatch_report::dsa::{DsaOptions, statements_of_reasons, to_json_lines};
use crosswatch_report::{
    Feedback, FeedbackKind, OverviewInput, Period, SummaryFormat, incident_summary,
    overview_charts, overview_html, sli_16_1_1,
};
use time::OffsetDateTime;

/// `crosswatch demo`
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Where the demo's hub database, node databases and reports go. It is
    /// replaced if an earlier demo made it; any other non-empty directory
    /// is refused.
    #[arg(long, default_value = "./crosswatch-demo", value_name = "DIR")]
    pub out: PathBuf,
}

/// Marks a directory as the demo's own, so a rerun may replace it.
const MARKER: &str = ".crosswatch-demo";

/// Runs the demo.
pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    prepare(&args.out)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let now = OffsetDateTime::now_utc();

    step(started, "starting a hub on the embedded SQLite default");
    let hub_dir = args.out.join("hub");
    let config = HubConfig {
        data_dir: hub_dir.clone(),
        retention_sweep_seconds: 0,
        ..HubConfig::default()
    };
    let store = runtime.block_on(crosswatch_hub::open_store(&config))?;
    let tokens = runtime.block_on(enrol(&store))?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .context("cannot listen on a local port")?;
    let hub_url = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(async move {
        crosswatch_hub::serve_on(listener, store, &config, async {
            let _ = stopped.await;
        })
        .await
    });
    println!(
        "  hub at {hub_url}, database {}",
        hub_dir.join("crosswatch.db").display()
    );

    let result = play(started, &hub_url, &tokens, &args.out, now);
    let _ = stop.send(());
    runtime
        .block_on(server)
        .context("the hub task failed")?
        .context("the hub failed")?;
    let actions = result?;

    let period = Period::new(
        now.date().replace_ordinal(1).unwrap_or(now.date()),
        now.date(),
    )
    .context("building the reporting period")?;
    let incident = scenario::takedown(now);
    let reports = write_reports(&args.out, &period, &incident, &actions)?;
    step(
        started,
        "SLI 16.1.1: actions taken as a result of shared information",
    );
    let table = sli_16_1_1(&actions, &period, None);
    println!("\n{}", table.to_markdown());
    println!("Reports written to {}:", reports.display());
    for entry in std::fs::read_dir(&reports)?.flatten() {
        println!("  {}", entry.path().display());
    }
    println!(
        "\nEvery figure is traceable: crosswatch report sli --period {period} --node {} --explain FR:accounts",
        args.out.join("node-platform-b").display()
    );
    println!("Done in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

fn step(started: Instant, what: &str) {
    println!("[{:5.1} s] {what}", started.elapsed().as_secs_f64());
}

/// Creates (or replaces an earlier demo's) output directory.
fn prepare(out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        let ours = out.join(MARKER).is_file();
        let empty = std::fs::read_dir(out)
            .with_context(|| format!("cannot read {}", out.display()))?
            .next()
            .is_none();
        if !ours && !empty {
            bail!(
                "{} exists and was not made by `crosswatch demo`; pass --out with a new directory",
                out.display()
            );
        }
        std::fs::remove_dir_all(out)
            .with_context(|| format!("cannot clear the earlier demo in {}", out.display()))?;
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    std::fs::write(out.join(MARKER), "made by crosswatch demo\n")
        .with_context(|| format!("cannot write in {}", out.display()))?;
    Ok(())
}

/// Tokens of the three platforms, in the order sharer, receivers.
struct Tokens {
    sharer: String,
    receivers: Vec<String>,
}

/// Creates the three organisations, their tokens and the sharing group.
async fn enrol(store: &Store) -> anyhow::Result<Tokens> {
    let sharer = store.create_org(scenario::SHARER).await?;
    let (_, sharer_token) = store.create_token(sharer.id, Role::Analyst, None).await?;
    let mut members = vec![sharer.id];
    let mut receivers = Vec::new();
    for (name, _) in scenario::RECEIVERS {
        let org = store.create_org(name).await?;
        let (_, token) = store.create_token(org.id, Role::Sync, None).await?;
        members.push(org.id);
        receivers.push(token);
    }
    store
        .create_group(scenario::GROUP, &members, Some(365))
        .await?;
    Ok(Tokens {
        sharer: sharer_token,
        receivers,
    })
}

/// Shares the takedown, then runs each receiving platform's node.
fn play(
    started: Instant,
    hub: &str,
    tokens: &Tokens,
    out: &Path,
    now: OffsetDateTime,
) -> anyhow::Result<Vec<Action>> {
    let timeout = Duration::from_secs(30);
    step(
        started,
        &format!(
            "{} shares its takedown with `{}`",
            scenario::SHARER,
            scenario::GROUP
        ),
    );
    let incident = scenario::takedown(now);
    let body = serde_json::to_vec(&incident).context("encoding the incident")?;
    let answer = HubClient::new(hub, &tokens.sharer, timeout).share(
        &body,
        "application/json",
        &ShareOptions {
            share: format!("group:{}", scenario::GROUP),
            ..ShareOptions::default()
        },
    )?;
    println!(
        "  {} STIX objects stored: {} indicators, {} accounts, Facebook/Instagram asset counts, \
         origin BJ, target FR",
        answer["stored"],
        incident.indicators.len(),
        incident
            .indicators
            .iter()
            .filter(|i| i.kind == crosswatch_model::IndicatorKind::SocialAccount)
            .count()
    );

    let mut actions = Vec::new();
    for ((name, platform), token) in scenario::RECEIVERS.iter().zip(&tokens.receivers) {
        let dir = out.join(format!(
            "node-{}",
            name.split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join("-")
                .to_lowercase()
        ));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let mut node = NodeStore::open(&dir.join("node.db"))?;
        let client = HubClient::new(hub, token, timeout);
        let report = sync_hub(&mut node, &client, None, OffsetDateTime::now_utc())?;
        step(
            started,
            &format!(
                "{name}: node synced {} objects, {} active signals",
                report.stats.created, report.stats.active_signals
            ),
        );

        let loaded = load_engine(&node, Default::default())?;
        let content = scenario::content(platform);
        std::fs::write(dir.join("content.jsonl"), &content)?;
        let mut hits_out = Vec::new();
        let summary = match_items(
            &node,
            &loaded.engine,
            &loaded.quarantined,
            FloodGuard::default(),
            content.as_bytes(),
            &mut hits_out,
            OffsetDateTime::now_utc(),
        )?;
        std::fs::write(dir.join("hits.jsonl"), &hits_out)?;
        println!(
            "  matched {} items of its own content: {} hits queued for human review",
            summary.items, summary.pending
        );

        // The demo's reviewer accepts each hit; in production this is a
        // person using `crosswatch node review`.
        let france: CountryCode = "FR".parse().context("country code")?;
        for hit in node.hits(Some(HitStatus::Pending))? {
            let (kind, decision, facts) = scenario::decision_for(&hit.matcher);
            let request = AcceptRequest {
                platform: name.to_string(),
                kind,
                count: None,
                decision,
                member_states: vec![france],
                reviewer: "demo reviewer".to_string(),
                facts: facts.to_string(),
                anonymous: false,
                now: OffsetDateTime::now_utc(),
            };
            node.accept(&[hit.id], &request)?;
            println!(
                "  reviewer accepted hit {} ({} match on {}): {}, prompted by `{}`",
                hit.id,
                hit.matcher,
                hit.item_id,
                decision_words(decision),
                hit.incident_name.as_deref().unwrap_or("?")
            );
        }
        let report = sync_hub(&mut node, &client, None, OffsetDateTime::now_utc())?;
        println!(
            "  {} `actioned` feedback message(s) delivered to the hub",
            report.feedback_delivered
        );
        actions.extend(node.actions()?);
    }
    Ok(actions)
}

/// A decision as words: `account terminated`.
fn decision_words(decision: crosswatch_model::Decision) -> String {
    serde_json::to_value(decision)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('-', " ")))
        .unwrap_or_default()
}

/// Writes the reports into `out/reports` and returns that directory.
fn write_reports(
    out: &Path,
    period: &Period,
    incident: &Incident,
    actions: &[Action],
) -> anyhow::Result<PathBuf> {
    let dir = out.join("reports");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text)
            .with_context(|| format!("cannot write {}", dir.join(name).display()))
    };
    let table = sli_16_1_1(actions, period, None);
    write("sli-16-1-1.md", &table.to_markdown())?;
    write("sli-16-1-1.csv", &table.to_csv())?;
    write("sli-16-1-1.html", &table.to_html())?;
    let incidents = std::slice::from_ref(incident);
    let overview = OverviewInput {
        title: "Crosswatch demo overview",
        period: *period,
        incidents,
        actions,
    };
    write("overview.html", &overview_html(&overview))?;
    for (index, chart) in overview_charts(&overview).iter().enumerate() {
        write(&format!("chart-{}.svg", index + 1), chart)?;
    }
    let feedback: Vec<Feedback> = actions
        .iter()
        .filter(|a| a.prompted_by.is_some())
        .map(|a| Feedback {
            incident_id: incident.id,
            from_org: a.platform.clone(),
            received_at: a.taken_at,
            kind: FeedbackKind::Actioned,
            assets: Vec::new(),
            note: format!("{} {} ({:?})", a.count, a.kind.plural(), a.decision),
        })
        .collect();
    write(
        "incident.md",
        &incident_summary(incident, &feedback, SummaryFormat::Markdown),
    )?;
    write(
        "incident.html",
        &incident_summary(incident, &feedback, SummaryFormat::Html),
    )?;
    let statements = statements_of_reasons(actions, incidents, period, &DsaOptions::default());
    let lines: Vec<_> = statements
        .statements
        .iter()
        .map(|(_, s)| s.clone())
        .collect();
    write(
        "dsa-statements.jsonl",
        &to_json_lines(&lines).context("encoding statements")?,
    )?;
    Ok(dir)
}
