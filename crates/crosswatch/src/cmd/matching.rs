use clap::Subcommand;

#[derive(Subcommand)]
pub enum MatchCommand {}

pub fn run(command: MatchCommand) -> anyhow::Result<()> {
    match command {}
}
