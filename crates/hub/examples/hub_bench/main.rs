//! Benchmark driver for the exchange hub (`bench/hub/run.sh` runs it).
//!
//! Each subcommand measures one thing and prints one JSON line:
//!
//! * `post` / `get`: TAXII 2.1 POST of N indicators in batches, then paging
//!   through them, against any TAXII server (Crosswatch or medallion);
//! * `raw`: the reference — a bulk multi-row INSERT of the same `objects`
//!   rows in one transaction into a fresh store, then keyset SELECT pages;
//! * `check-rows`: the hub's stored rows equal the reference's rows;
//! * `grow` + `page-time`: load a hub's database to a size quickly and time
//!   single GET pages at its start, middle and newest end.

mod objects;
mod raw;
mod taxii;

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use serde_json::json;

#[derive(Parser)]
#[command(about = "Crosswatch hub benchmark driver (prints one JSON line per run)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where a TAXII collection is and how to authenticate.
#[derive(clap::Args)]
struct Target {
    /// Server root URL, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    url: String,
    /// API root path segment.
    #[arg(long, default_value = "api1")]
    api_root: String,
    /// Collection id.
    #[arg(long)]
    collection: String,
    /// Bearer token (Crosswatch).
    #[arg(long, conflicts_with = "basic")]
    token: Option<String>,
    /// USER:PASSWORD for HTTP Basic (medallion).
    #[arg(long)]
    basic: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// POST indicators START..START+COUNT in envelopes of BATCH.
    Post {
        #[command(flatten)]
        target: Target,
        /// Label for the result line (e.g. ours-sqlite).
        #[arg(long)]
        label: String,
        #[arg(long, default_value_t = 0)]
        start: u64,
        #[arg(long)]
        count: u64,
        #[arg(long, default_value_t = 1000)]
        batch: u64,
        /// Stop after the batch that passes this many seconds.
        #[arg(long)]
        budget_secs: Option<f64>,
    },
    /// Page through the collection with `limit`, following `next`.
    Get {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        label: String,
        #[arg(long, default_value_t = 1000)]
        limit: u32,
        /// Objects the collection holds (checked when paging completes).
        #[arg(long)]
        expect: u64,
        #[arg(long)]
        budget_secs: Option<f64>,
    },
    /// Raw bulk INSERT and keyset SELECT of the same rows into a fresh store.
    Raw {
        #[arg(long)]
        label: String,
        /// sqlite://FILE?mode=rwc (recreated) or postgres://… (with --schema).
        #[arg(long)]
        database: String,
        /// PostgreSQL schema, dropped and recreated.
        #[arg(long)]
        schema: Option<String>,
        #[arg(long)]
        count: u64,
        /// Rows per multi-row INSERT statement.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        #[arg(long, default_value_t = 1000)]
        limit: u32,
        /// Runs, each on a fresh store; medians are reported.
        #[arg(long, default_value_t = 3)]
        reps: usize,
    },
    /// Checks that the hub's database holds exactly the reference rows.
    CheckRows {
        #[arg(long)]
        database: String,
        #[arg(long)]
        count: u64,
        /// Organisation that posted the objects.
        #[arg(long)]
        owner: String,
    },
    /// Adds indicators straight into a hub's database until it holds TO.
    Grow {
        #[arg(long)]
        database: String,
        #[arg(long)]
        owner: String,
        #[arg(long)]
        to: u64,
    },
    /// Median time of one GET page at the start, middle and newest end of
    /// collections holding different numbers of objects (sequences
    /// 1..=SIZE), one hub per size, measured in interleaved rounds so that
    /// load from elsewhere on the machine spreads over every size alike.
    PageTime {
        /// SIZE,URL,TOKEN of one hub's all-members collection; repeat.
        #[arg(long = "hub", required = true)]
        hubs: Vec<String>,
        #[arg(long)]
        collection: String,
        #[arg(long)]
        label: String,
        #[arg(long, default_value_t = 1000)]
        limit: u32,
        #[arg(long, default_value_t = 21)]
        reps: usize,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Post {
            target,
            label,
            start,
            count,
            batch,
            budget_secs,
        } => post(&target, &label, start..start + count, batch, budget_secs),
        Command::Get {
            target,
            label,
            limit,
            expect,
            budget_secs,
        } => get(&target, &label, limit, expect, budget_secs),
        Command::Raw {
            label,
            database,
            schema,
            count,
            batch,
            limit,
            reps,
        } => runtime()?.block_on(raw_reference(
            &label,
            &database,
            schema.as_deref(),
            count,
            batch,
            limit,
            reps,
        )),
        Command::CheckRows {
            database,
            count,
            owner,
        } => runtime()?.block_on(check_rows(&database, count, &owner)),
        Command::Grow {
            database,
            owner,
            to,
        } => runtime()?.block_on(grow(&database, &owner, to)),
        Command::PageTime {
            hubs,
            collection,
            label,
            limit,
            reps,
        } => page_time(&hubs, &collection, &label, limit, reps),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn collection(target: &Target) -> Result<taxii::Collection> {
    let authorization = match (&target.token, &target.basic) {
        (Some(token), None) => format!("Bearer {token}"),
        (None, Some(basic)) => {
            use base64::Engine as _;
            let encoded = base64::engine::general_purpose::STANDARD.encode(basic);
            format!("Basic {encoded}")
        }
        _ => bail!("give either --token or --basic"),
    };
    Ok(taxii::Collection::new(
        &target.url,
        &target.api_root,
        &target.collection,
        &authorization,
    ))
}

fn per_second(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}

fn median_ms(times: &[Duration]) -> f64 {
    let mut sorted: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1e3).collect();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn emit(value: serde_json::Value) {
    println!("{value}");
}

fn post(
    target: &Target,
    label: &str,
    indices: std::ops::Range<u64>,
    batch: u64,
    budget: Option<f64>,
) -> Result<()> {
    let client = collection(target)?;
    let batch = batch.max(1);
    let count = indices.end - indices.start;
    // Bodies are built before the clock starts: only the server is timed.
    let bodies = indices
        .clone()
        .step_by(batch as usize)
        .map(|start| {
            let size = batch.min(indices.end - start);
            objects::envelope(start, size).map(|body| (body, size))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut posted = 0u64;
    let mut batch_rates = Vec::new();
    let mut batch_times = Vec::new();
    let started = Instant::now();
    for (body, size) in &bodies {
        let batch_started = Instant::now();
        client.post(body, *size)?;
        let elapsed = batch_started.elapsed();
        batch_rates.push(per_second(*size, elapsed));
        batch_times.push(elapsed);
        posted += size;
        if budget.is_some_and(|limit| started.elapsed().as_secs_f64() > limit) {
            break;
        }
    }
    let elapsed = started.elapsed();
    emit(json!({
        "phase": "post",
        "label": label,
        "count": posted,
        "target": count,
        "complete": posted == count,
        "seconds": elapsed.as_secs_f64(),
        "rate": per_second(posted, elapsed),
        "first_batch_rate": batch_rates.first(),
        "last_batch_rate": batch_rates.last(),
        "batch": batch,
        "batches": batch_times.len(),
        "median_batch_ms": median_ms(&batch_times),
        "max_batch_ms": batch_times.iter().max().map(|t| t.as_secs_f64() * 1e3),
    }));
    Ok(())
}

fn get(target: &Target, label: &str, limit: u32, expect: u64, budget: Option<f64>) -> Result<()> {
    let client = collection(target)?;
    let mut next: Option<String> = None;
    let mut count = 0u64;
    let mut times = Vec::new();
    let mut complete = false;
    let mut timed_out = false;
    let started = Instant::now();
    loop {
        let page_started = Instant::now();
        // Under a budget, a page that does not come in time ends the run.
        let remaining = budget.map(|limit| {
            Duration::from_secs_f64((limit - started.elapsed().as_secs_f64()).max(1.0))
        });
        let Some(page) = client.get_within(limit, next.as_deref(), remaining)? else {
            timed_out = true;
            break;
        };
        times.push(page_started.elapsed());
        count += page.count as u64;
        if !page.more {
            complete = true;
            break;
        }
        let Some(cursor) = page.next else {
            bail!("the server said more=true without a next cursor");
        };
        next = Some(cursor);
        if budget.is_some_and(|limit| started.elapsed().as_secs_f64() > limit) {
            break;
        }
    }
    let elapsed = started.elapsed();
    if complete && count != expect {
        bail!("paging returned {count} objects, {expect} expected");
    }
    emit(json!({
        "phase": "get",
        "label": label,
        "count": count,
        "target": expect,
        "complete": complete,
        "timed_out": timed_out,
        "seconds": elapsed.as_secs_f64(),
        "rate": per_second(count, elapsed),
        "pages": times.len(),
        "median_page_ms": median_ms(&times),
    }));
    Ok(())
}

async fn raw_reference(
    label: &str,
    url: &str,
    schema: Option<&str>,
    count: u64,
    batch: usize,
    limit: u32,
    reps: usize,
) -> Result<()> {
    let mut inserts = Vec::new();
    let mut selects = Vec::new();
    let mut page_medians = Vec::new();
    for _ in 0..reps.max(1) {
        let owner = raw::fresh_store(url, schema, "Bench Writer").await?;
        let rows = objects::rows(0, count)?;
        let db = raw::Db::connect(url, schema).await?;
        let started = Instant::now();
        db.insert(&rows, 1, owner, batch, false).await?;
        inserts.push(started.elapsed());
        drop(rows);
        let started = Instant::now();
        let (read, page_times) = db.select_pages(limit).await?;
        selects.push(started.elapsed());
        page_medians.push(Duration::from_secs_f64(median_ms(&page_times) / 1e3));
        db.close().await;
        if read != count {
            bail!("the raw SELECT read {read} rows, {count} inserted");
        }
    }
    let insert_seconds = median_ms(&inserts) / 1e3;
    let select_seconds = median_ms(&selects) / 1e3;
    emit(json!({
        "phase": "raw",
        "label": label,
        "count": count,
        "reps": inserts.len(),
        "insert_seconds": insert_seconds,
        "insert_rate": count as f64 / insert_seconds,
        "select_seconds": select_seconds,
        "select_rate": count as f64 / select_seconds,
        "median_page_ms": median_ms(&page_medians),
    }));
    Ok(())
}

async fn check_rows(url: &str, count: u64, owner: &str) -> Result<()> {
    let db = raw::Db::connect(url, None).await?;
    let owner = db.org_id(owner).await?;
    let expected = objects::rows(0, count)?;
    let (differing, first) = db.compare_stored(&expected, owner).await?;
    db.close().await;
    if let Some(first) = first {
        bail!("{differing} stored rows differ from the reference rows; first: {first}");
    }
    eprintln!("check-rows: the hub stored the {count} reference rows exactly");
    Ok(())
}

async fn grow(url: &str, owner: &str, to: u64) -> Result<()> {
    let db = raw::Db::connect(url, None).await?;
    let owner = db.org_id(owner).await?;
    let have = u64::try_from(db.max_seq().await?)?;
    let started = Instant::now();
    // Chunks of 100k keep memory flat on the way to a million.
    let mut at = have;
    while at < to {
        let end = to.min(at + 100_000);
        let rows = objects::rows(at, end)?;
        db.insert(&rows, i64::try_from(at)? + 1, owner, 1000, true)
            .await?;
        at = end;
    }
    // The page-time test reads pages and never searches: the grown rows
    // get no search terms, and are marked as indexed so that the hub does
    // not spend the timing indexing them beside the reads.
    db.mark_indexed().await?;
    db.settle().await?;
    db.close().await;
    eprintln!(
        "grow: {} -> {to} objects in {:.1} s",
        have,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// One hub of the page-time test.
struct SizedHub {
    size: u64,
    client: taxii::Collection,
}

fn page_time(
    hubs: &[String],
    collection_id: &str,
    label: &str,
    limit: u32,
    reps: usize,
) -> Result<()> {
    let hubs = hubs
        .iter()
        .map(|spec| {
            let mut parts = spec.splitn(3, ',');
            let (Some(size), Some(url), Some(token)) = (parts.next(), parts.next(), parts.next())
            else {
                bail!("--hub `{spec}` is not SIZE,URL,TOKEN");
            };
            let target = Target {
                url: url.to_string(),
                api_root: "api1".to_string(),
                collection: collection_id.to_string(),
                token: Some(token.to_string()),
                basic: None,
            };
            Ok(SizedHub {
                size: size
                    .parse()
                    .with_context(|| format!("--hub `{spec}`: bad size"))?,
                client: collection(&target)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let page = u64::from(limit);
    // Cursors are change-log sequences: the one the hub hands out after
    // the object before the page. Each position returns a full page.
    let positions = |size: u64| {
        [
            ("first", 0),
            ("middle", (size / 2).saturating_sub(page / 2)),
            ("newest", size.saturating_sub(page)),
        ]
    };
    let mut times = vec![[const { Vec::new() }; 3]; hubs.len()];
    // The first three rounds are warm-up.
    for round in 0..reps + 3 {
        for (hub, hub_times) in hubs.iter().zip(times.iter_mut()) {
            for ((name, cursor), position_times) in
                positions(hub.size).into_iter().zip(hub_times.iter_mut())
            {
                let started = Instant::now();
                let got = hub.client.get(limit, Some(&cursor.to_string()))?;
                let elapsed = started.elapsed();
                if got.count as u64 != page.min(hub.size) {
                    bail!("{name} page at {} objects held {}", hub.size, got.count);
                }
                if round >= 3 {
                    position_times.push(elapsed);
                }
            }
        }
    }
    for (hub, hub_times) in hubs.iter().zip(&times) {
        let mut result = json!({
            "phase": "page-time",
            "label": label,
            "size": hub.size,
            "limit": limit,
            "reps": reps,
        });
        for ((name, _), position_times) in positions(hub.size).into_iter().zip(hub_times) {
            result[format!("{name}_ms")] = json!(median_ms(position_times));
        }
        emit(result);
    }
    Ok(())
}
