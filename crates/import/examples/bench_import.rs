//! Import throughput: reads a kill-chain CSV (written by `bench/import/run.sh`)
//! several times and prints the median rows per second.
//!
//! Usage: `cargo run --release -p crosswatch-import --example bench_import -- FILE [RUNS]`

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: bench_import FILE [RUNS]")?;
    let runs: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(5);
    let bytes = std::fs::read(&path)?;
    // Records, as the anchor counts them (a multi-line cell is one record).
    let rows = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(bytes.as_slice())
        .records()
        .count();
    let mut times = Vec::new();
    let mut indicators = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let imported =
            crosswatch_import::import(&path, &bytes, None, time::OffsetDateTime::UNIX_EPOCH)?;
        times.push(start.elapsed().as_secs_f64());
        indicators = imported.incidents.iter().map(|i| i.indicators.len()).sum();
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "crosswatch rows={rows} indicators={indicators} median_s={median:.4} rows_per_s={:.0}",
        rows as f64 / median
    );
    Ok(())
}
