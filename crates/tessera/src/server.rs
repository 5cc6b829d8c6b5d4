//! Starting the server: store, key, services, declared resources, listener.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use tessera_core::clock::{Clock, SystemClock};
use tessera_core::mailer::{DevOutbox, Mailer};
use tessera_core::services::{Deployment, Services};
use tessera_core::store::Store;
use tessera_http::{AdminAuth, AppState};
use tessera_store::{PostgresOptions, PostgresStore, SqliteStore};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{Config, StoreChoice};
use crate::{declared, kek};

const DATABASE_FILE: &str = "tessera.db";
const OUTBOX_CAPACITY: usize = 10_000;

/// A started server. Dropping it does not stop it; call `shutdown`.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub outbox: Option<Arc<DevOutbox>>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, finishes requests in flight, and waits.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await??;
        Ok(())
    }

    /// Waits until the server stops (on its own shutdown signal).
    pub async fn wait(self) -> anyhow::Result<()> {
        let stop = self.stop;
        let result = self.task.await;
        drop(stop);
        result??;
        Ok(())
    }
}

/// An opened store and where it is, for messages (never with credentials).
pub struct OpenedStore {
    pub store: Arc<dyn Store>,
    pub location: String,
}

/// Opens the configured store, applying pending migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<OpenedStore> {
    // The data directory also holds a generated key-encryption key.
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    match &config.store {
        StoreChoice::Sqlite => {
            let path = config.data_dir.join(DATABASE_FILE);
            let store =
                SqliteStore::open(&path).map_err(|e| anyhow::anyhow!("opening the store: {e}"))?;
            Ok(OpenedStore {
                store: Arc::new(store),
                location: path.display().to_string(),
            })
        }
        StoreChoice::Postgres(url) => {
            let mut options = PostgresOptions::new(url.expose());
            let pool = &config.postgres;
            if let Some(n) = pool.max_connections {
                options.max_connections = n;
            }
            if let Some(s) = pool.connect_timeout_seconds {
                options.connect_timeout = Duration::from_secs(s);
            }
            if let Some(s) = pool.acquire_timeout_seconds {
                options.acquire_timeout = Duration::from_secs(s);
            }
            options.schema.clone_from(&pool.schema);
            let store = PostgresStore::open(&options)
                .await
                .map_err(|e| anyhow::anyhow!("opening the PostgreSQL store: {e}"))?;
            let location = store.target().to_owned();
            Ok(OpenedStore {
                store: Arc::new(store),
                location,
            })
        }
    }
}

fn admin_auth(config: &Config) -> anyhow::Result<AdminAuth> {
    if !config.access_keys.is_empty() {
        let keys: HashMap<String, String> = config
            .access_keys
            .iter()
            .map(|(id, secret)| (id.clone(), secret.expose().to_owned()))
            .collect();
        return Ok(AdminAuth::Keys(Arc::new(keys)));
    }
    if config.listen.ip().is_loopback() {
        tracing::warn!(
            "no access keys configured: accepting any well-formed SigV4 signature (loopback only, for local development)"
        );
        return Ok(AdminAuth::AnyWellFormedSignature);
    }
    if config.insecure_accept_any_signature {
        tracing::warn!(
            listen = %config.listen,
            "INSECURE: accepting any well-formed SigV4 signature on a non-loopback address"
        );
        return Ok(AdminAuth::AnyWellFormedSignature);
    }
    bail!(
        "refusing to listen on {} without access keys: configure access keys \
         (TESSERA_ACCESS_KEY_ID / TESSERA_SECRET_ACCESS_KEY or [[access_keys]]) \
         or pass --insecure-accept-any-signature",
        config.listen
    )
}

/// Services over the configured store, with the key-encryption key checked
/// against it.
pub async fn build_services(
    config: &Config,
    clock: Arc<dyn Clock>,
    mailer: Arc<dyn Mailer>,
    public_url: String,
) -> anyhow::Result<Services> {
    let opened = open_store(config).await?;
    tracing::info!(store = %opened.location, "store opened");
    let store = opened.store;
    let sealing = kek::load_or_create(config)?;
    kek::check_against_store(&sealing, store.as_ref()).await?;
    Ok(Services::new(
        store,
        clock,
        mailer,
        Arc::new(sealing),
        Deployment {
            region: config.region.clone(),
            account_id: config.account_id.clone(),
            public_url,
        },
    ))
}

/// Starts serving with the system clock.
pub async fn start(config: Config) -> anyhow::Result<RunningServer> {
    start_with_clock(config, Arc::new(SystemClock)).await
}

/// Starts serving; tests pass a fixed clock.
pub async fn start_with_clock(
    config: Config,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<RunningServer> {
    let admin_auth = admin_auth(&config)?;
    // The SRP table of powers of g takes ~10 ms; build it before the first sign-in needs it.
    tokio::task::spawn_blocking(tessera_crypto::srp::warm_up);
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    if matches!(config.store, StoreChoice::Postgres(_)) && config.public_url.is_none() {
        tracing::warn!(
            %public_url,
            "no public URL configured: tokens name this node's address as their issuer, \
             so other nodes will refuse them; give every node the same --public-url"
        );
    }
    let outbox = config.dev_outbox_enabled().then(|| {
        Arc::new(DevOutbox::new(
            OUTBOX_CAPACITY,
            config.listen.ip().is_loopback(),
            clock.clone(),
        ))
    });
    let mailer = crate::delivery::build_mailer(&config, outbox.clone())?;
    let services = Arc::new(build_services(&config, clock.clone(), mailer, public_url).await?);
    declared::apply(&services, &config.region, &config.pools).await?;

    let state = AppState {
        services,
        admin_auth,
        clock,
        outbox: outbox.clone(),
        body_limit: config.body_limit,
        request_timeout: config.request_timeout,
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let app = tessera_http::router(state);
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(RunningServer {
        addr,
        outbox,
        stop,
        task,
    })
}
