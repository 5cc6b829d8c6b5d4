//! The harness every end-to-end test stands on. `spawn_app()`: the real
//! Tessera, in-process on `127.0.0.1:0`, over a temporary data directory,
//! with a fixed clock and the dev outbox; and an
//! `aws-sdk-cognitoidentityprovider` client pointed at it.
//!
//! - [`fixtures`]: attribute helpers and the pool and user most tests start from.

pub mod fixtures;

use std::sync::Arc;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::{Credentials, Region};
use tessera::config::{Config, StoreChoice};
use tessera::secret::Secret;
use tessera::server::{RunningServer, start_with_clock};
use tessera_core::clock::{FixedClock, Timestamp};
use tessera_core::mailer::StoredMessage;

/// What a test returns: `?` on any SDK call fails the test with its error.
pub type Result = anyhow::Result<()>;

pub struct TestApp {
    pub server: RunningServer,
    /// An SDK client signing with `test` / `test`.
    pub client: Client,
    pub clock: Arc<FixedClock>,
    /// The fixed clock's reading, in whole seconds since the epoch.
    pub now_secs: i64,
    config: Config,
    _data_dir: tempfile::TempDir,
}

/// Starts the app with the embedded defaults (no access keys: any well-formed
/// signature is accepted on loopback).
pub async fn spawn_app() -> anyhow::Result<TestApp> {
    spawn_app_with(|_| {}).await
}

/// Starts the app after `adjust` has changed its configuration. With
/// `TESSERA_E2E_STORE` set to a postgres:// URL the app runs on PostgreSQL, in
/// a schema of its own; unset, on its embedded SQLite store.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> anyhow::Result<TestApp> {
    let data_dir = tempfile::tempdir()?;
    let mut config = Config {
        listen: "127.0.0.1:0".parse()?,
        ..Config::defaults(data_dir.path().to_path_buf())
    };
    if let Some(url) = std::env::var("TESSERA_E2E_STORE")
        .ok()
        .filter(|u| !u.is_empty())
    {
        config.store = StoreChoice::parse(&Secret::new(url))?;
        static STARTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_nanos();
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        config.postgres.schema = Some(format!("e2e_rs_{nanos}_{n}"));
    }
    adjust(&mut config);
    // The SDK signs with the system time and, when access keys are configured,
    // the server checks the signature's date against its clock: so the fixed
    // clock stands at the moment the test starts (in whole seconds, so the
    // dates the API returns compare exactly).
    let now_secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let now_secs = i64::try_from(now_secs)?;
    let clock = Arc::new(FixedClock::new(Timestamp(now_secs * 1000)));
    let server = start_with_clock(config.clone(), clock.clone()).await?;
    let client = sdk_client(&server.url(), "test", "test").await;
    Ok(TestApp {
        server,
        client,
        clock,
        now_secs,
        config,
        _data_dir: data_dir,
    })
}

/// An SDK client for `url` with static credentials, region us-east-1, and no
/// retries (so an error reaches the test as the server sent it).
pub async fn sdk_client(url: &str, access_key: &str, secret: &str) -> Client {
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(access_key, secret, None, None, "static"))
        .endpoint_url(url)
        .retry_config(RetryConfig::disabled())
        .load()
        .await;
    Client::new(&config)
}

impl TestApp {
    /// Another client for this server, signing with other credentials.
    pub async fn client_with_credentials(&self, access_key: &str, secret: &str) -> Client {
        sdk_client(&self.server.url(), access_key, secret).await
    }

    /// The messages the server would have sent to `recipient` from `pool_id`.
    pub fn outbox(&self, pool_id: &str, recipient: &str) -> Vec<StoredMessage> {
        self.server
            .outbox
            .as_ref()
            .expect("the dev outbox is on for a loopback listener")
            .messages(Some(pool_id), Some(recipient))
    }

    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.server.shutdown().await
    }

    /// Stops the server and starts it again over the same data directory
    /// (and so the same store and key-encryption key), on a new port.
    pub async fn restart(self) -> anyhow::Result<TestApp> {
        let TestApp {
            server,
            clock,
            now_secs,
            config,
            _data_dir,
            ..
        } = self;
        server.shutdown().await?;
        let server = start_with_clock(config.clone(), clock.clone()).await?;
        let client = sdk_client(&server.url(), "test", "test").await;
        Ok(TestApp {
            server,
            client,
            clock,
            now_secs,
            config,
            _data_dir,
        })
    }
}

impl TestApp {
    /// Rotates a pool's signing keys the way `tessera rotate-signing-keys`
    /// does: through a second `Services` over the same store (as another node
    /// or the CLI would), reading this app's clock.
    pub async fn rotate_signing_keys(&self, pool_id: &str) -> anyhow::Result<()> {
        let services = tessera::server::build_services(
            &self.config,
            self.clock.clone(),
            tessera::delivery::build_mailer(&self.config, None)?,
            self.server.url(),
        )
        .await?;
        services
            .rotate_signing_keys(&tessera_core::ids::UserPoolId::new(pool_id))
            .await
            .map_err(|e| anyhow::anyhow!("rotating the signing keys of {pool_id}: {e:?}"))
    }

    /// The newest one-time code (six digits) the dev outbox holds for `recipient`.
    pub fn latest_code(&self, pool_id: &str, recipient: &str) -> Option<String> {
        let message = self.outbox(pool_id, recipient).into_iter().next_back()?;
        message
            .message
            .body
            .split(|c: char| !c.is_ascii_digit())
            .rfind(|run| run.len() == 6)
            .map(str::to_owned)
    }
}
