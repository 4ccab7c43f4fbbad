//! `crosswatch match`: look-alike domains of protected outlets and canonical
//! URL keys, one input value per line.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use crosswatch_matching::canon::canonical_url;
use crosswatch_matching::lookalike::{EXAMPLE_PROTECTED_NEWS_OUTLETS, LookalikeIndex};

/// Subcommands of `crosswatch match`.
#[derive(Subcommand)]
pub enum MatchCommand {
    /// Flag observed domains that imitate protected ones (e.g. `spiegel.ltd`,
    /// `t-onlinr.com`, `theguardian.co.com`).
    ///
    /// Reads one domain, host or URL per line (blank lines and lines starting
    /// with `#` are skipped) and prints one line per hit:
    /// `observed<TAB>protected<TAB>reason<TAB>score`. Lines that are not a
    /// domain are reported on stderr with their line number.
    #[command(
        after_help = "Example:\n  crosswatch match domains --example-outlets observed.txt\n  \
                      printf 'spiegel.ltd\\nfazz.lol\\n' | crosswatch match domains --protected outlets.txt -"
    )]
    Domains(DomainsArgs),
    /// Print the canonical key of each URL: refanged, lower-cased host,
    /// tracking parameters removed, query sorted, fragment dropped.
    ///
    /// Prints `key<TAB>registrable-domain<TAB>shortener` per line (`-` when a
    /// link has no registrable domain; `shortener` is `yes` or `no`). Lines
    /// that are not a web link are reported on stderr with their line number.
    Canon(CanonArgs),
}

/// Arguments of `crosswatch match domains`.
#[derive(Args)]
pub struct DomainsArgs {
    /// File of protected registrable domains, one per line, `#` comments.
    #[arg(long, value_name = "FILE", required_unless_present = "example_outlets")]
    pub protected: Option<PathBuf>,
    /// Use the example list of major EU, UK and US news outlets shipped with
    /// Crosswatch (in addition to --protected, if given).
    #[arg(long)]
    pub example_outlets: bool,
    /// Observed domains or URLs, one per line; `-` or nothing reads stdin.
    #[arg(value_name = "INPUT", default_value = "-")]
    pub input: PathBuf,
}

/// Arguments of `crosswatch match canon`.
#[derive(Args)]
pub struct CanonArgs {
    /// URLs, one per line; `-` or nothing reads stdin.
    #[arg(value_name = "INPUT", default_value = "-")]
    pub input: PathBuf,
}

/// Run a `crosswatch match` subcommand.
pub fn run(command: MatchCommand) -> anyhow::Result<()> {
    match command {
        MatchCommand::Domains(args) => run_domains(args),
        MatchCommand::Canon(args) => run_canon(args),
    }
}

fn open_input(path: &Path) -> anyhow::Result<Box<dyn BufRead>> {
    if path.as_os_str() == "-" {
        Ok(Box::new(BufReader::new(io::stdin().lock())))
    } else {
        let file = File::open(path)
            .with_context(|| format!("cannot open input file {}", path.display()))?;
        Ok(Box::new(BufReader::new(file)))
    }
}

fn input_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Calls `handle` with (line number, trimmed line) for every non-blank,
/// non-comment line; reports undecodable lines and counts problems.
fn for_each_line(
    path: &Path,
    mut handle: impl FnMut(usize, &str) -> anyhow::Result<Result<(), String>>,
) -> anyhow::Result<usize> {
    let mut reader = open_input(path)?;
    let name = input_name(path);
    let mut buffer = Vec::new();
    let mut number = 0;
    let mut bad_lines = 0;
    loop {
        buffer.clear();
        let read = reader
            .read_until(b'\n', &mut buffer)
            .with_context(|| format!("cannot read {name}"))?;
        if read == 0 {
            break;
        }
        number += 1;
        let Ok(line) = std::str::from_utf8(&buffer) else {
            eprintln!("{name}:{number}: not valid UTF-8, skipped");
            bad_lines += 1;
            continue;
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Err(problem) = handle(number, line)? {
            eprintln!("{name}:{number}: {problem}, skipped");
            bad_lines += 1;
        }
    }
    if bad_lines > 0 {
        eprintln!("{bad_lines} line(s) of {name} skipped");
    }
    Ok(bad_lines)
}

fn run_domains(args: DomainsArgs) -> anyhow::Result<()> {
    let mut index = LookalikeIndex::new();
    if args.example_outlets {
        index = LookalikeIndex::from_list(EXAMPLE_PROTECTED_NEWS_OUTLETS)
            .context("the built-in example outlet list is invalid")?;
    }
    if let Some(path) = &args.protected {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read protected list {}", path.display()))?;
        let domains = crosswatch_matching::lookalike::parse_protected_list(&text)
            .with_context(|| format!("protected list {}", path.display()))?;
        for domain in domains {
            index
                .insert(&domain)
                .with_context(|| format!("protected list {}: {domain}", path.display()))?;
        }
    }
    if index.is_empty() {
        anyhow::bail!("the protected list is empty: add one registrable domain per line");
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for_each_line(&args.input, |_, line| {
        let hits = match index.try_check(line) {
            Ok(hits) => hits,
            Err(err) => return Ok(Err(err.to_string())),
        };
        for hit in hits {
            writeln!(
                out,
                "{line}\t{}\t{}\t{:.2}",
                hit.protected, hit.reason, hit.score
            )
            .context("cannot write to stdout")?;
        }
        Ok(Ok(()))
    })?;
    out.flush().context("cannot write to stdout")?;
    Ok(())
}

fn run_canon(args: CanonArgs) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for_each_line(&args.input, |_, line| {
        let url = match canonical_url(line) {
            Ok(url) => url,
            Err(err) => return Ok(Err(err.to_string())),
        };
        writeln!(
            out,
            "{}\t{}\t{}",
            url.key(),
            url.registrable_domain().unwrap_or("-"),
            if url.is_shortener() { "yes" } else { "no" }
        )
        .context("cannot write to stdout")?;
        Ok(Ok(()))
    })?;
    out.flush().context("cannot write to stdout")?;
    Ok(())
}
