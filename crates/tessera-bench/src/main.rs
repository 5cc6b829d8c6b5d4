//! `tessera-bench`: see the library's documentation and `docs/performance.md`.

use clap::Parser;
use tessera_bench::{Options, run};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    let report = run(&options).await?;
    print!("{}", report.to_table());
    Ok(())
}
