use clap::Args;

#[derive(Args)]
pub struct DetectArgs {}

pub fn run(_args: DetectArgs) -> anyhow::Result<()> {
    anyhow::bail!("not yet available")
}
