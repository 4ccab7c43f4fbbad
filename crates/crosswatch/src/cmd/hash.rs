use clap::Subcommand;

#[derive(Subcommand)]
pub enum HashCommand {}

pub fn run(command: HashCommand) -> anyhow::Result<()> {
    match command {}
}
