//! `crosswatch hash`: perceptual hashes of image files.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

/// Perceptual hashes of images, for matching shared hash lists.
#[derive(Subcommand)]
pub enum HashCommand {
    /// Print the PDQ hash and quality of PNG or JPEG files.
    ///
    /// One line per file: `HEX<TAB>QUALITY<TAB>PATH`. HEX is the 64-digit PDQ
    /// hash, identical to Meta's reference tools; QUALITY runs 0..=100, and
    /// hashes under 50 come from flat images and should not be matched or
    /// shared. Two hashes within Hamming distance 31 show the same image.
    /// Files that cannot be read or decoded are reported on stderr; the rest
    /// are still hashed and the command then exits with an error.
    Pdq(PdqArgs),
}

/// Arguments of `crosswatch hash pdq`.
#[derive(Args)]
pub struct PdqArgs {
    /// Image files (PNG or JPEG) to hash.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Runs a `crosswatch hash` subcommand.
pub fn run(command: HashCommand) -> anyhow::Result<()> {
    match command {
        HashCommand::Pdq(args) => run_pdq(args),
    }
}

fn run_pdq(args: PdqArgs) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    for path in &args.files {
        let result = std::fs::read(path)
            .with_context(|| format!("{}: cannot read the file", path.display()))
            .and_then(|bytes| {
                crosswatch_pdq::decode_and_hash(&bytes)
                    .with_context(|| format!("{}: cannot hash the image", path.display()))
            });
        match result {
            Ok((hash, quality)) => {
                writeln!(out, "{hash}\t{quality}\t{}", path.display())
                    .context("cannot write to standard output")?;
            }
            Err(err) => {
                // Keep the lines already hashed in order with the report.
                out.flush().context("cannot write to standard output")?;
                eprintln!("error: {err:#}");
                failed += 1;
            }
        }
    }
    out.flush().context("cannot write to standard output")?;
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} file(s) could not be hashed (see the messages above)",
            args.files.len()
        );
    }
    Ok(())
}
