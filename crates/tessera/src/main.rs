use std::io::Write;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use tessera::cli::{Cli, Command};
use tessera::{config, server, telemetry};
use tessera_core::clock::SystemClock;
use tessera_core::ids::UserPoolId;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Logging starts once the settings are read, since they choose its
    // format; a settings error is reported on stderr by the returned error.
    match cli.command {
        Command::Serve(args) => {
            let config = config::resolve(&args)?;
            telemetry::init_logging(config.log_format);
            serve(config).await
        }
        Command::Migrate(args) => {
            let config = config::resolve_common(&args)?;
            telemetry::init_logging(config.log_format);
            let opened = server::open_store(&config).await?;
            println!("migrations applied to {}", opened.location);
            Ok(())
        }
        Command::RotateSigningKeys(args) => {
            let config = config::resolve_common(&args.common)?;
            telemetry::init_logging(config.log_format);
            let public_url = config.public_url_at(config.listen);
            let services = server::build_services(
                &config,
                Arc::new(SystemClock),
                tessera::delivery::build_mailer(&config, None)?,
                public_url,
            )
            .await?;
            match args.pool_id {
                Some(pool) => {
                    let pool = UserPoolId::new(pool);
                    services
                        .rotate_signing_keys(&pool)
                        .await
                        .map_err(|e| anyhow::anyhow!("rotating the signing keys of {pool}: {e}"))?;
                    println!("rotated the signing keys of {pool}");
                }
                None => {
                    services.rotate_identity_signing_keys().await.map_err(|e| {
                        anyhow::anyhow!("rotating the identity service's signing keys: {e}")
                    })?;
                    println!("rotated the identity service's signing keys");
                }
            }
            Ok(())
        }
        Command::ImportFailures(args) => import_failures(args).await,
        Command::AuditLog(args) => {
            let config = config::resolve_common(&args.common)?;
            let store = server::open_store(&config).await?.store;
            print_audit_log(store.as_ref(), args.pool_id.as_deref()).await
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

/// Pages through the job's failed rows and prints them.
async fn import_failures(args: tessera::cli::ImportFailuresArgs) -> anyhow::Result<()> {
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
    let mut stdout = std::io::stdout().lock();
    let mut after = 0;
    loop {
        let page = services
            .user_import_failures(&pool, &args.job_id, after, 1000)
            .await
            .map_err(|e| anyhow::anyhow!("reading the failures of {}: {e}", args.job_id))?;
        let Some(last) = page.last() else { break };
        after = last.row;
        for failure in &page {
            writeln!(stdout, "{}\t{}", failure.row, failure.reason)?;
        }
    }
    Ok(())
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

/// Pages through the admin audit log and prints it, oldest first.
async fn print_audit_log(
    store: &dyn tessera_core::store::Store,
    pool: Option<&str>,
) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    let mut after = None;
    loop {
        let page = tessera_core::store::PageRequest { after, limit: 500 };
        let listing = store.list_audit_entries(pool, &page).await?;
        for e in &listing.items {
            let line = serde_json::json!({
                "at": e.at.epoch_seconds(),
                "accessKeyId": e.access_key_id,
                "operation": e.operation,
                "userPoolId": e.pool_id,
                "resourceType": e.resource_type,
                "resourceId": e.resource_id,
            });
            writeln!(stdout, "{line}")?;
        }
        match listing.next {
            Some(next) => after = Some(next),
            None => return Ok(()),
        }
    }
}
