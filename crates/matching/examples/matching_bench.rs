//! Throughput and quality of URL canonicalisation and look-alike checks, for
//! `bench/matching/run.sh`.
//!
//! ```text
//! cargo run --release -p crosswatch-matching --example matching_bench -- \
//!     URLS DOMAINS DOPPELGANGER BENIGN [ROUNDS]
//! ```
//!
//! URLS and DOMAINS are one value per line (timed); DOPPELGANGER and BENIGN
//! are domain lists for recall and false positives against the example
//! protected news-outlet list. Prints `name value` lines.

use std::hint::black_box;
use std::time::Instant;

use crosswatch_matching::canon::{canonical_url, registrable_domain};
use crosswatch_matching::lookalike::LookalikeIndex;

fn read_lines(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| {
        eprintln!("cannot read {path}: {err}");
        std::process::exit(2);
    });
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// CPU time this thread has run, in seconds (Linux `schedstat`), so that
/// rates stay comparable on a machine shared with other work; falls back to
/// wall-clock time elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(nanos / 1e9)
}

/// Median items per CPU-second of `rounds` passes of `work` over `items`.
fn median_rate(items: &[String], rounds: usize, mut work: impl FnMut(&str) -> usize) -> f64 {
    let mut rates: Vec<f64> = (0..rounds)
        .map(|_| {
            let cpu_start = thread_cpu_seconds();
            let start = Instant::now();
            let mut sink = 0usize;
            for item in items {
                sink = sink.wrapping_add(work(item));
            }
            black_box(sink);
            let wall = start.elapsed().as_secs_f64();
            let seconds = match (cpu_start, thread_cpu_seconds()) {
                (Some(begin), Some(end)) if end > begin => end - begin,
                _ => wall,
            };
            items.len() as f64 / seconds
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: matching_bench URLS DOMAINS DOPPELGANGER BENIGN [ROUNDS]");
        std::process::exit(2);
    }
    let urls = read_lines(&args[0]);
    let domains = read_lines(&args[1]);
    let doppelganger = read_lines(&args[2]);
    let benign = read_lines(&args[3]);
    let rounds: usize = args.get(4).and_then(|r| r.parse().ok()).unwrap_or(5);
    let index = LookalikeIndex::example_news_outlets();

    let canon_rate = median_rate(&urls, rounds, |url| {
        canonical_url(url).map_or(0, |c| c.key().len())
    });
    println!("canon_urls_per_sec {canon_rate:.0}");
    let registrable_rate = median_rate(&domains, rounds, |domain| {
        registrable_domain(domain).map_or(0, |r| r.len())
    });
    println!("registrable_domains_per_sec {registrable_rate:.0}");
    let lookalike_rate = median_rate(&domains, rounds, |domain| index.check(domain).len());
    println!("lookalike_checks_per_sec {lookalike_rate:.0}");
    let sample: Vec<String> = domains.iter().take(20_000).cloned().collect();
    let exhaustive_rate = median_rate(&sample, 1, |domain| {
        index.check_exhaustive(domain).map_or(0, |hits| hits.len())
    });
    println!("lookalike_exhaustive_checks_per_sec {exhaustive_rate:.0}");
    let flagged_in_timed = domains
        .iter()
        .filter(|d| !index.check(d).is_empty())
        .count();
    println!("lookalike_flagged_in_timed_input {flagged_in_timed}");

    let recalled = doppelganger
        .iter()
        .filter(|d| !index.check(d).is_empty())
        .count();
    println!("doppelganger_flagged {recalled}/{}", doppelganger.len());
    let false_positives: Vec<String> = benign
        .iter()
        .filter_map(|domain| {
            let hit = index.check(domain).into_iter().next()?;
            Some(format!("{domain}->{}:{}", hit.protected, hit.reason))
        })
        .collect();
    println!("benign_flagged {}/{}", false_positives.len(), benign.len());
    println!("benign_flagged_list {}", false_positives.join(" "));
}
