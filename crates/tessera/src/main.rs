use std::io::{IsTerminal, Write};

use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use tessera::cli::{Cli, Command};
use tessera::{config, server};
use tessera_core::clock::SystemClock;
use tessera_core::ids::UserPoolId;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("TESSERA_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colour only for a person at a terminal; files and log shippers get plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(config::resolve(&args)?).await,
        Command::Migrate(args) => {
            let config = config::resolve_common(&args)?;
            let opened = server::open_store(&config).await?;
            println!("migrations applied to {}", opened.location);
            Ok(())
        }
        Command::RotateSigningKeys(args) => {
            let config = config::resolve_common(&args.common)?;
            let public_url = config.public_url_at(config.listen);
            let services = server::build_services(
                &config,
                Arc::new(SystemClock),
                tessera::delivery::build_mailer(&config, None)?,
                public_url,
            )
            .await?;
            let pool = UserPoolId::new(&args.pool_id);
            services
                .rotate_signing_keys(&pool)
                .await
                .map_err(|e| anyhow::anyhow!("rotating the signing keys of {pool}: {e}"))?;
            println!("rotated the signing keys of {pool}");
            Ok(())
        }
        Command::Health(args) => {
            println!("{}", tessera::health::check(&args).await?);
            Ok(())
        }
        Command::ConfigReference => {
            print!("{}", config::reference::markdown());
            Ok(())
        }
    }
}

async fn serve(config: config::Config) -> anyhow::Result<()> {
    let running = server::start(config).await?;
    // Scripts and tests wait for this line on stdout to learn the address.
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on {}", running.url())?;
    stdout.flush()?;
    tracing::info!(url = %running.url(), "serving");
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.shutdown().await.context("shutting down")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
