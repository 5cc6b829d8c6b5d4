//! Starting the server: store, key, services, declared resources, listener.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use tessera_core::clock::{Clock, SystemClock};
use tessera_core::mailer::{DevOutbox, Mailer};
use tessera_core::services::triggers::TriggerSettings;
use tessera_core::services::webauthn::PasskeySettings;
use tessera_core::services::{Deployment, Services};
use tessera_core::store::Store;
use tessera_http::operator::ClockControl;
use tessera_http::{AdminAuth, AppState};
use tessera_store::{PostgresOptions, PostgresStore, SqliteStore};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::config::{Config, StoreChoice};
use crate::housekeeping::Housekeeper;
use crate::test_clock::{self, TestClock};
use crate::tls::listener::TlsListener;
use crate::{declared, kek, telemetry, tls};

const DATABASE_FILE: &str = "tessera.db";
const OUTBOX_CAPACITY: usize = 10_000;

/// A started server. Dropping it does not stop it; call `shutdown`.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub outbox: Option<Arc<DevOutbox>>,
    /// `https` with TLS on, else `http`.
    scheme: &'static str,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    /// Held for its drop, which stops the metrics upkeep with the server.
    _upkeep: telemetry::Upkeep,
    /// Tells the user import worker to leave its job at the next batch.
    imports_stop: watch::Sender<bool>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// Stops accepting, finishes requests in flight, and waits.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.imports_stop.send(true);
        let _ = self.stop.send(());
        self.task.await??;
        Ok(())
    }

    /// Waits until the server stops (on its own shutdown signal).
    pub async fn wait(self) -> anyhow::Result<()> {
        let stop = self.stop;
        let result = self.task.await;
        let _ = self.imports_stop.send(true);
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

/// Mode of a data directory Tessera creates: it holds the database and the
/// generated key-encryption key.
const DATA_DIR_MODE: u32 = 0o700;

/// Creates the data directory owner-only when it does not exist. One that
/// exists keeps the mode its operator gave it, with a warning when group or
/// others may read or write it.
fn prepare_data_dir(dir: &Path) -> anyhow::Result<()> {
    match std::fs::metadata(dir) {
        Ok(meta) => {
            if !meta.is_dir() {
                bail!("data directory {} is not a directory", dir.display());
            }
            let mode = meta.permissions().mode() & 0o7777;
            if mode & 0o066 != 0 {
                tracing::warn!(
                    data_dir = %dir.display(),
                    mode = %format!("{mode:04o}"),
                    "the data directory is readable or writable by other local users; \
                     it holds the database and the key-encryption key: consider chmod 700"
                );
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(DATA_DIR_MODE)
                .create(dir)
                .with_context(|| format!("creating data directory {}", dir.display()))?;
            // DirBuilder's mode passes through the umask; set it exactly.
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DATA_DIR_MODE))
                .with_context(|| format!("setting the mode of {}", dir.display()))
        }
        Err(e) => Err(e).with_context(|| format!("reading data directory {}", dir.display())),
    }
}

/// Opens the configured store, applying pending migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<OpenedStore> {
    // The data directory also holds a generated key-encryption key.
    prepare_data_dir(&config.data_dir)?;
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
/// against it, the configured trigger mappings and identity pools' sources.
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
    let credentials = crate::identity::build_credential_source(config, clock.clone())?;
    let oidc_keys = crate::identity::build_oidc_keys(config)?;
    let services = Services::new(
        store,
        clock,
        mailer,
        Arc::new(sealing),
        Deployment {
            region: config.region.clone(),
            account_id: config.account_id.clone(),
            public_url,
            oauth_base_domain: config.oauth_base_domain.clone(),
        },
    );
    let invoker = crate::triggers::build_invoker(config)?;
    let mut sender_keys = std::collections::BTreeMap::new();
    for (kms_key_id, key) in &config.custom_sender_keys {
        sender_keys.insert(kms_key_id.clone(), crate::config::sender_key(key)?);
    }
    let settings = TriggerSettings {
        strict: config.strict_triggers,
        sender_keys,
    };
    let breached = crate::config::risk::load_breached(config.breached_passwords_file.as_deref())?;
    if !breached.is_empty() {
        tracing::info!(entries = breached.len(), "breached-password list loaded");
    }
    Ok(services
        .with_triggers(invoker, settings)
        .with_rate_limits(config.rate_limits.clone())
        .with_user_import(config.user_import.clone())
        .with_breached_passwords(breached)
        .with_identity_sources(credentials, oidc_keys)
        .with_passkeys(PasskeySettings {
            extra_origins: config.passkey_origins.clone(),
        }))
}

/// Starts serving with the system clock.
pub async fn start(config: Config) -> anyhow::Result<RunningServer> {
    start_with_clock(config, Arc::new(SystemClock)).await
}

/// The clocks a server reads.
struct Clocks {
    /// What the services and the dev outbox read: every expiry, lifetime,
    /// lockout window and timestamp the server keeps or answers.
    services: Arc<dyn Clock>,
    /// What SigV4 compares a signature's date with (see `AppState::clock`).
    signatures: Arc<dyn Clock>,
    /// The test clock, when on.
    control: Option<Arc<dyn ClockControl>>,
}

impl Clocks {
    /// `clock` everywhere, or, with the test clock on (on loopback only), the
    /// test clock over `clock` for the services while signatures keep being
    /// checked against `clock` itself: the caller signs with its own, unmoved
    /// clock.
    fn new(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        if !config.test_clock {
            return Ok(Self {
                services: clock.clone(),
                signatures: clock,
                control: None,
            });
        }
        test_clock::check_listener(config.listen)?;
        tracing::warn!(
            "the test clock is on: POST /_tessera/clock moves the server's clock \
             (for tests only; never in production)"
        );
        let moved = Arc::new(TestClock::new(clock.clone()));
        Ok(Self {
            services: moved.clone(),
            signatures: clock,
            control: Some(moved),
        })
    }
}

/// Starts serving; tests pass a fixed clock. With `test_clock` set, the
/// services read a test clock over `clock`.
pub async fn start_with_clock(
    config: Config,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<RunningServer> {
    let admin_auth = admin_auth(&config)?;
    let exporter = telemetry::install()?;
    let clocks = Clocks::new(&config, clock)?;
    let clock = clocks.services.clone();
    // The SRP table of powers of g takes ~10 ms; build it before the first sign-in needs it.
    tokio::task::spawn_blocking(tessera_crypto::srp::warm_up);
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    let public_url = config.public_url_at(addr);
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
    let services =
        Arc::new(build_services(&config, clock.clone(), mailer, public_url.clone()).await?);
    // After the store: a self-signed certificate lives in the data directory
    // that opening the store prepares. Its dates follow the real clock, not
    // the test clock: clients check them against their own.
    let tls = match config.tls.source()? {
        Some(source) => Some(tls::server_config(
            &source,
            &config,
            &public_url,
            clocks.signatures.now(),
        )?),
        None => None,
    };
    declared::apply(&services, &config.region, &config.pools).await?;
    // Started once nothing below can fail, so a failed start leaves no task behind.
    let purging = services.clone();
    let housekeeper = || Housekeeper::spawn(purging, &config.housekeeping);
    let (imports_stop, imports_stopped) = watch::channel(false);
    if config.user_import.process_jobs {
        // Names this node's leases on import jobs; unique per start, so a
        // restarted node resumes its own jobs only once their lease expired.
        let owner = format!("node-{}", tessera_crypto::random::alphanumeric(12));
        tokio::spawn(tessera_core::services::user_import::worker::run(
            services.clone(),
            owner,
            imports_stopped,
        ));
    }

    let state = AppState {
        services,
        admin_auth,
        clock: clocks.signatures,
        outbox: outbox.clone(),
        clock_control: clocks.control,
        metrics: Arc::new(exporter.clone()),
        body_limit: config.body_limit,
        request_timeout: config.request_timeout,
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let app = tessera_http::router(state);
    let scheme = if tls.is_some() { "https" } else { "http" };
    let task = match tls {
        Some(tls) => {
            let listener = TlsListener::new(listener, tls)?;
            tokio::spawn(serve(listener, app, stopped, housekeeper()))
        }
        None => tokio::spawn(serve(listener, app, stopped, housekeeper())),
    };
    Ok(RunningServer {
        addr,
        outbox,
        scheme,
        stop,
        task,
        _upkeep: telemetry::upkeep(&exporter),
        imports_stop,
    })
}

/// Serves `app` from `listener` until `stopped`, then finishes the requests
/// in flight and stops the housekeeper. Handlers learn each connection's
/// peer address, over TCP and TLS alike (advanced security's IP checks and
/// auth events read it).
async fn serve<L>(
    listener: L,
    app: axum::Router,
    stopped: oneshot::Receiver<()>,
    housekeeper: Option<Housekeeper>,
) -> std::io::Result<()>
where
    L: tessera_http::peer::SocketListener,
{
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<tessera_http::peer::Peer>(),
    )
    .with_graceful_shutdown(async move {
        let _ = stopped.await;
    })
    .await;
    if let Some(housekeeper) = housekeeper {
        housekeeper.stop().await;
    }
    served
}
