use clap::Subcommand;

#[derive(Subcommand)]
pub enum TaxonomyCommand {}

pub fn run(command: TaxonomyCommand) -> anyhow::Result<()> {
    match command {}
}
