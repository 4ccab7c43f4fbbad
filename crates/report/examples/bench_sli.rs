//! Benchmark driver: loads an actions JSON file and builds the SLI 16.1.1
//! table several times. Usage: bench_sli ACTIONS.json [RUNS]
//! Prints `median_s=… actions_per_s=…` for load + table together.

use std::time::Instant;

use crosswatch_model::Action;
use crosswatch_report::{Period, sli_16_1_1};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: bench_sli ACTIONS.json [RUNS]")?;
    let runs: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(5);
    let period: Period = "2025-07-01..2025-12-31".parse()?;
    let bytes = std::fs::read(&path)?;
    let mut times = Vec::new();
    let mut total = 0;
    let mut n = 0;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let actions: Vec<Action> = serde_json::from_slice(&bytes)?;
        let loaded = start.elapsed().as_secs_f64();
        let table = sli_16_1_1(&actions, &period, None);
        times.push(start.elapsed().as_secs_f64());
        eprintln!(
            "load {loaded:.3}s, total {:.3}s",
            start.elapsed().as_secs_f64()
        );
        total = table.total.items;
        n = actions.len();
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "crosswatch: actions={n} total_items={total} median_s={median:.3} actions_per_s={:.0}",
        n as f64 / median
    );
    Ok(())
}
