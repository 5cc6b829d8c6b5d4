//! The PostgreSQL engine, for several Tessera nodes over one database.
//!
//! Reads are single statements on a pooled connection. Writes run in a READ
//! COMMITTED transaction; where a write reads before it writes, it locks the
//! rows it read (`FOR UPDATE`), so concurrent nodes cannot interleave inside
//! it. A transaction the database aborts as a serialization failure or
//! deadlock (distributed Postgres-compatible engines report contention this
//! way) runs again, a few times. A write is acknowledged only after COMMIT
//! returned, so nothing reported as done is lost.
//!
//! - [`migrations`]: embedded migrations, applied under an advisory lock.
//! - [`codec`]: statement helpers, row conversions and error mapping.
//! - [`pools`], [`clients`], [`users`], [`groups`], [`codes`], [`keys`], [`tokens`], [`devices`],
//!   [`import_jobs`], [`auth_events`], [`identity_pools`], [`webauthn`]: the SQL for each resource.
//! - [`housekeeping`]: purging what expired, one node at a time.

mod auth_events;
mod clients;
mod codec;
mod codes;
mod devices;
mod groups;
pub mod housekeeping;
mod identity_pools;
mod import_jobs;
mod keys;
pub mod migrations;
mod oauth;
mod pools;
mod tokens;
mod users;
mod webauthn;

use std::time::{Duration, Instant};

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tessera_core::clock::Timestamp;
use tessera_core::domain::auth_event::{AuditEntry, AuthEvent, EventFeedback};
use tessera_core::domain::client::{AppClient, ClientSecret};
use tessera_core::domain::code::{CodeCheck, CodePurpose, CodeRecord};
use tessera_core::domain::device::Device;
use tessera_core::domain::filter::UserFilter;
use tessera_core::domain::group::Group;
use tessera_core::domain::housekeeping::PurgeReport;
use tessera_core::domain::identity_pool::{Identity, IdentityLogin, IdentityPool};
use tessera_core::domain::import_job::{
    BatchOutcome, ImportBatch, ImportFailure, ImportJob, ImportJobStatus,
};
use tessera_core::domain::lockout::FailureState;
use tessera_core::domain::oauth::{
    AuthorizationCode, DocumentKind, DocumentWrite, PoolDomain, Redemption,
};
use tessera_core::domain::pool::UserPool;
use tessera_core::domain::session::SessionActivity;
use tessera_core::domain::signing_key::SigningKeyRecord;
use tessera_core::domain::token::{RefreshTokenRecord, TokenFamily};
use tessera_core::domain::user::{Alias, User};
use tessera_core::domain::webauthn::{Passkey, PasskeyRegistration};
use tessera_core::ids::{
    ClientId, ClientSecretId, GroupName, IdentityId, IdentityPoolId, UserPoolId,
};
use tessera_core::store::{Listing, PageRequest, Store, StoreError, StoreResult, UserKey};
use tokio_postgres::NoTls;

use crate::telemetry;
use codec::{PgResult, finish};

/// The engine label of this engine's store latency.
const ENGINE: &str = "postgres";

/// Times a transaction the database aborted for contention is tried again.
const MAX_RETRIES: u32 = 5;

/// How to reach the database and how many connections to keep.
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// `postgres://user:password@host:port/database?…` or libpq's `key=value` form.
    pub url: String,
    pub max_connections: usize,
    /// Bounds opening one connection (unless the URL sets `connect_timeout`).
    pub connect_timeout: Duration,
    /// Bounds waiting for a free connection when all are in use.
    pub acquire_timeout: Duration,
    /// Keep the tables in this schema (created if missing) instead of the
    /// connection's default, so several deployments can share one database.
    pub schema: Option<String>,
}

impl PostgresOptions {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 16,
            connect_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(5),
            schema: None,
        }
    }
}

#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    target: String,
}

/// Runs `$body` (an expression using `$tx`, evaluating to the result) in a
/// transaction and commits it; runs it again when the database aborted it as
/// a serialization failure or deadlock. `$op` names the Store method, for
/// the latency metric (which covers every attempt).
macro_rules! transaction {
    ($store:expr, $op:literal, |$tx:ident| $body:expr) => {{
        let started = Instant::now();
        let mut attempt = 0u32;
        let result = loop {
            let outcome: PgResult<_> = async {
                let mut client = $store.pool.get().await?;
                let $tx = client.transaction().await?;
                let value = $body;
                $tx.commit().await?;
                Ok(value)
            }
            .await;
            match outcome {
                Err(failure) if failure.retryable() && attempt < MAX_RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(5 << attempt)).await;
                }
                other => break finish(other),
            }
        };
        telemetry::record(ENGINE, $op, started);
        result
    }};
}

/// Runs `$body` (an expression using the pooled connection `$c`); `$op`
/// names the Store method, for the latency metric.
macro_rules! read {
    ($store:expr, $op:literal, |$c:ident| $body:expr) => {{
        let started = Instant::now();
        let outcome: PgResult<_> = async {
            let $c = $store.pool.get().await?;
            $body
        }
        .await;
        telemetry::record(ENGINE, $op, started);
        finish(outcome)
    }};
}

impl PostgresStore {
    /// Connects, and applies pending migrations.
    pub async fn open(options: &PostgresOptions) -> StoreResult<Self> {
        let mut config: tokio_postgres::Config = options.url.parse().map_err(|e| {
            StoreError::Backend(format!(
                "the PostgreSQL URL is not valid: {}",
                codec::with_causes(&e)
            ))
        })?;
        if config.get_ssl_mode() == tokio_postgres::config::SslMode::Require {
            return Err(StoreError::Backend(
                "sslmode=require: Tessera connects to PostgreSQL over plain TCP; \
                 terminate TLS in the network in front of the database"
                    .into(),
            ));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.connect_timeout);
        }
        if config.get_application_name().is_none() {
            config.application_name("tessera");
        }
        if let Some(schema) = &options.schema {
            use_schema(&mut config, schema).await?;
        }
        let target = describe_target(&config);
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.max_connections.max(1))
            .wait_timeout(Some(options.acquire_timeout))
            .create_timeout(Some(options.connect_timeout))
            .recycle_timeout(Some(options.connect_timeout))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Backend(format!("building the connection pool: {e}")))?;
        let store = Self { pool, target };
        finish(
            async {
                let mut client = store.pool.get().await?;
                migrations::apply(&mut client).await
            }
            .await,
        )?;
        Ok(store)
    }

    /// Where the store is, for messages: host, port and database, never credentials.
    pub fn target(&self) -> &str {
        &self.target
    }
}

/// Creates `schema` if missing and makes every connection use it.
async fn use_schema(config: &mut tokio_postgres::Config, schema: &str) -> StoreResult<()> {
    let valid = !schema.is_empty()
        && schema.len() <= 63
        && schema.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && schema
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(StoreError::Backend(format!(
            "the PostgreSQL schema name {schema:?} must be lowercase letters, digits and underscores"
        )));
    }
    let (client, connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| StoreError::Backend(format!("connecting to PostgreSQL: {e}")))?;
    let driver = tokio::spawn(connection);
    let created = client
        .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
        .await;
    drop(client);
    let _ = driver.await;
    match created {
        // Two nodes creating it at once: one of them sees the other's.
        Err(e) if e.code() != Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) => {
            return Err(StoreError::Backend(format!(
                "creating the PostgreSQL schema {schema}: {e}"
            )));
        }
        _ => {}
    }
    let options = match config.get_options() {
        Some(given) => format!("{given} -c search_path={schema}"),
        None => format!("-c search_path={schema}"),
    };
    config.options(options);
    Ok(())
}

fn describe_target(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("postgres://{host}:{port}/{db}")
}

#[async_trait]
impl Store for PostgresStore {
    async fn get_meta(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        read!(self, "get_meta", |c| pools::get_meta(&c, key).await)
    }

    async fn init_meta(&self, key: &str, value: &[u8]) -> StoreResult<Vec<u8>> {
        transaction!(self, "init_meta", |tx| pools::init_meta(&tx, key, value)
            .await?)
    }

    async fn create_pool(&self, pool: &UserPool) -> StoreResult<()> {
        transaction!(self, "create_pool", |tx| pools::create(&tx, pool).await?)
    }

    async fn get_pool(&self, id: &UserPoolId) -> StoreResult<UserPool> {
        read!(self, "get_pool", |c| pools::get(&c, id).await)
    }

    async fn list_pools(&self, page: &PageRequest) -> StoreResult<Listing<UserPool>> {
        read!(self, "list_pools", |c| pools::list(&c, page).await)
    }

    async fn update_pool(&self, pool: &UserPool) -> StoreResult<()> {
        transaction!(self, "update_pool", |tx| pools::update(&tx, pool).await?)
    }

    async fn delete_pool(&self, id: &UserPoolId) -> StoreResult<()> {
        transaction!(self, "delete_pool", |tx| pools::delete(&tx, id).await?)
    }

    async fn count_users(&self, pool: &UserPoolId) -> StoreResult<u64> {
        read!(self, "count_users", |c| users::count(&c, pool).await)
    }

    async fn create_client(&self, client: &AppClient) -> StoreResult<()> {
        transaction!(self, "create_client", |tx| clients::create(&tx, client)
            .await?)
    }

    async fn get_client(&self, pool: &UserPoolId, id: &ClientId) -> StoreResult<AppClient> {
        read!(self, "get_client", |c| clients::get(&c, pool, id).await)
    }

    async fn list_clients(
        &self,
        pool: &UserPoolId,
        page: &PageRequest,
    ) -> StoreResult<Listing<AppClient>> {
        read!(self, "list_clients", |c| clients::list(&c, pool, page)
            .await)
    }

    async fn find_client(&self, id: &ClientId) -> StoreResult<AppClient> {
        read!(self, "find_client", |c| clients::find(&c, id).await)
    }

    async fn update_client(&self, client: &AppClient) -> StoreResult<()> {
        transaction!(self, "update_client", |tx| clients::update(&tx, client)
            .await?)
    }

    async fn delete_client(&self, pool: &UserPoolId, id: &ClientId) -> StoreResult<()> {
        transaction!(self, "delete_client", |tx| clients::delete(&tx, pool, id)
            .await?)
    }

    async fn add_client_secret(
        &self,
        pool: &UserPoolId,
        client: &ClientId,
        secret: &ClientSecret,
        max: usize,
    ) -> StoreResult<()> {
        transaction!(self, "add_client_secret", |tx| clients::add_secret(
            &tx, pool, client, secret, max
        )
        .await?)
    }

    async fn delete_client_secret(
        &self,
        pool: &UserPoolId,
        client: &ClientId,
        secret: &ClientSecretId,
    ) -> StoreResult<()> {
        transaction!(self, "delete_client_secret", |tx| clients::delete_secret(
            &tx, pool, client, secret
        )
        .await?)
    }

    async fn create_user(
        &self,
        user: &User,
        take_aliases: &[Alias],
        code: Option<&CodeRecord>,
    ) -> StoreResult<()> {
        transaction!(self, "create_user", |tx| {
            users::create(&tx, user, take_aliases).await?;
            if let Some(code) = code {
                codes::put(&tx, code).await?;
            }
        })
    }

    async fn get_user(&self, pool: &UserPoolId, key: UserKey<'_>) -> StoreResult<User> {
        read!(self, "get_user", |c| users::get(&c, pool, &key).await)
    }

    async fn update_user(&self, user: &User, take_aliases: &[Alias]) -> StoreResult<()> {
        transaction!(self, "update_user", |tx| users::update(
            &tx,
            user,
            take_aliases
        )
        .await?)
    }

    async fn disable_user(&self, user: &User) -> StoreResult<()> {
        transaction!(self, "disable_user", |tx| {
            users::update(&tx, user, &[]).await?;
            tokens::revoke_user(&tx, &user.pool_id, &user.sub).await?;
        })
    }

    async fn complete_password_reset(&self, user: &User) -> StoreResult<()> {
        transaction!(self, "complete_password_reset", |tx| {
            users::update(&tx, user, &[]).await?;
            users::clear_sign_in_failures(&tx, &user.pool_id, &user.sub).await?;
        })
    }

    async fn delete_user(&self, pool: &UserPoolId, sub: &str) -> StoreResult<()> {
        transaction!(self, "delete_user", |tx| users::delete(&tx, pool, sub)
            .await?)
    }

    async fn list_users(
        &self,
        pool: &UserPoolId,
        filter: Option<&UserFilter>,
        page: &PageRequest,
    ) -> StoreResult<Listing<User>> {
        read!(self, "list_users", |c| users::list(&c, pool, filter, page)
            .await)
    }

    async fn put_code(&self, code: &CodeRecord) -> StoreResult<()> {
        transaction!(self, "put_code", |tx| codes::put(&tx, code).await?)
    }

    async fn check_code(
        &self,
        pool: &UserPoolId,
        sub: &str,
        purpose: &CodePurpose,
        code_hash: &[u8],
        now: Timestamp,
        max_failures: u32,
    ) -> StoreResult<CodeCheck> {
        transaction!(self, "check_code", |tx| codes::check(
            &tx,
            pool,
            sub,
            purpose,
            code_hash,
            now,
            max_failures
        )
        .await?)
    }

    async fn admit_sign_in_attempt(
        &self,
        pool: &UserPoolId,
        sub: &str,
        now: Timestamp,
    ) -> StoreResult<Option<FailureState>> {
        transaction!(self, "admit_sign_in_attempt", |tx| {
            users::admit_sign_in_attempt(&tx, pool, sub, now).await?
        })
    }

    async fn refund_sign_in_attempt(&self, pool: &UserPoolId, sub: &str) -> StoreResult<()> {
        transaction!(self, "refund_sign_in_attempt", |tx| {
            users::refund_sign_in_attempt(&tx, pool, sub).await?
        })
    }

    async fn accept_totp_step(
        &self,
        pool: &UserPoolId,
        sub: &str,
        secret_id: &str,
        step: i64,
    ) -> StoreResult<bool> {
        transaction!(self, "accept_totp_step", |tx| users::accept_totp_step(
            &tx, pool, sub, secret_id, step
        )
        .await?)
    }

    async fn clear_sign_in_failures(&self, pool: &UserPoolId, sub: &str) -> StoreResult<()> {
        transaction!(self, "clear_sign_in_failures", |tx| {
            users::clear_sign_in_failures(&tx, pool, sub).await?
        })
    }

    async fn signing_keys(&self, pool: &UserPoolId) -> StoreResult<Vec<SigningKeyRecord>> {
        read!(self, "signing_keys", |c| keys::list(&c, pool).await)
    }

    async fn init_signing_keys(
        &self,
        pool: &UserPoolId,
        keys: &[SigningKeyRecord],
    ) -> StoreResult<Vec<SigningKeyRecord>> {
        transaction!(self, "init_signing_keys", |tx| keys::init(&tx, pool, keys)
            .await?)
    }

    async fn rotate_signing_keys(
        &self,
        pool: &UserPoolId,
        keys: &[SigningKeyRecord],
        now: Timestamp,
    ) -> StoreResult<()> {
        transaction!(self, "rotate_signing_keys", |tx| keys::rotate(
            &tx, pool, keys, now
        )
        .await?)
    }

    async fn create_token_family(
        &self,
        family: &TokenFamily,
        refresh: &RefreshTokenRecord,
    ) -> StoreResult<()> {
        transaction!(self, "create_token_family", |tx| tokens::create_family(
            &tx, family, refresh
        )
        .await?)
    }

    async fn get_token_family(&self, origin_jti: &str) -> StoreResult<(TokenFamily, User)> {
        read!(self, "get_token_family", |c| tokens::get_family(
            &c, origin_jti
        )
        .await)
    }

    async fn find_refresh_token(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<(RefreshTokenRecord, TokenFamily)> {
        read!(self, "find_refresh_token", |c| tokens::find_refresh(
            &c, token_hash
        )
        .await)
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &[u8],
        new: &RefreshTokenRecord,
        now: Timestamp,
    ) -> StoreResult<()> {
        transaction!(self, "rotate_refresh_token", |tx| tokens::rotate_refresh(
            &tx, old_hash, new, now
        )
        .await?)
    }

    async fn revoke_token_family(&self, origin_jti: &str) -> StoreResult<()> {
        transaction!(self, "revoke_token_family", |tx| tokens::revoke_family(
            &tx, origin_jti
        )
        .await?)
    }

    async fn revoke_user_tokens(&self, pool: &UserPoolId, sub: &str) -> StoreResult<()> {
        transaction!(self, "revoke_user_tokens", |tx| tokens::revoke_user(
            &tx, pool, sub
        )
        .await?)
    }

    async fn list_token_sessions(
        &self,
        pool: &UserPoolId,
        sub: &str,
        now: Timestamp,
        limit: usize,
    ) -> StoreResult<Vec<TokenFamily>> {
        read!(self, "list_token_sessions", |c| tokens::list_sessions(
            &c, pool, sub, now, limit
        )
        .await)
    }

    async fn record_token_activity(
        &self,
        origin_jti: &str,
        activity: &SessionActivity,
    ) -> StoreResult<()> {
        transaction!(self, "record_token_activity", |tx| {
            tokens::record_activity(&tx, origin_jti, activity).await?
        })
    }

    async fn evict_token_sessions(
        &self,
        pool: &UserPoolId,
        sub: &str,
        keep: usize,
        now: Timestamp,
    ) -> StoreResult<u64> {
        transaction!(self, "evict_token_sessions", |tx| {
            tokens::evict_sessions(&tx, pool, sub, keep, now).await?
        })
    }

    async fn create_group(&self, group: &Group) -> StoreResult<()> {
        transaction!(self, "create_group", |tx| groups::create(&tx, group)
            .await?)
    }

    async fn get_group(&self, pool: &UserPoolId, name: &GroupName) -> StoreResult<Group> {
        read!(self, "get_group", |c| groups::get(&c, pool, name).await)
    }

    async fn list_groups(
        &self,
        pool: &UserPoolId,
        page: &PageRequest,
    ) -> StoreResult<Listing<Group>> {
        read!(self, "list_groups", |c| groups::list(&c, pool, page).await)
    }

    async fn update_group(&self, group: &Group) -> StoreResult<()> {
        transaction!(self, "update_group", |tx| groups::update(&tx, group)
            .await?)
    }

    async fn delete_group(&self, pool: &UserPoolId, name: &GroupName) -> StoreResult<()> {
        transaction!(self, "delete_group", |tx| groups::delete(&tx, pool, name)
            .await?)
    }

    async fn add_user_to_group(
        &self,
        pool: &UserPoolId,
        sub: &str,
        group: &GroupName,
    ) -> StoreResult<()> {
        transaction!(self, "add_user_to_group", |tx| groups::add_member(
            &tx, pool, sub, group
        )
        .await?)
    }

    async fn remove_user_from_group(
        &self,
        pool: &UserPoolId,
        sub: &str,
        group: &GroupName,
    ) -> StoreResult<()> {
        transaction!(self, "remove_user_from_group", |tx| groups::remove_member(
            &tx, pool, sub, group
        )
        .await?)
    }

    async fn list_groups_for_user(
        &self,
        pool: &UserPoolId,
        sub: &str,
        page: &PageRequest,
    ) -> StoreResult<Listing<Group>> {
        read!(self, "list_groups_for_user", |c| groups::list_for_user(
            &c, pool, sub, page
        )
        .await)
    }

    async fn list_users_in_group(
        &self,
        pool: &UserPoolId,
        group: &GroupName,
        page: &PageRequest,
    ) -> StoreResult<Listing<User>> {
        read!(self, "list_users_in_group", |c| groups::list_members(
            &c, pool, group, page
        )
        .await)
    }

    async fn create_device(&self, device: &Device) -> StoreResult<()> {
        transaction!(self, "create_device", |tx| devices::create(&tx, device)
            .await?)
    }

    async fn get_device(&self, pool: &UserPoolId, sub: &str, key: &str) -> StoreResult<Device> {
        read!(self, "get_device", |c| devices::get(&c, pool, sub, key)
            .await)
    }

    async fn list_devices(
        &self,
        pool: &UserPoolId,
        sub: &str,
        page: &PageRequest,
    ) -> StoreResult<Listing<Device>> {
        read!(self, "list_devices", |c| devices::list(&c, pool, sub, page)
            .await)
    }

    async fn update_device(&self, device: &Device) -> StoreResult<()> {
        transaction!(self, "update_device", |tx| devices::update(&tx, device)
            .await?)
    }

    async fn delete_device(&self, pool: &UserPoolId, sub: &str, key: &str) -> StoreResult<()> {
        transaction!(self, "delete_device", |tx| devices::delete(
            &tx, pool, sub, key
        )
        .await?)
    }

    async fn create_passkey(&self, passkey: &Passkey) -> StoreResult<()> {
        transaction!(self, "create_passkey", |tx| webauthn::create(&tx, passkey)
            .await?)
    }

    async fn list_passkeys(
        &self,
        pool: &UserPoolId,
        sub: &str,
        page: &PageRequest,
    ) -> StoreResult<Listing<Passkey>> {
        read!(self, "list_passkeys", |c| webauthn::list(
            &c, pool, sub, page
        )
        .await)
    }

    async fn record_passkey_use(&self, passkey: &Passkey, previous: &str) -> StoreResult<()> {
        transaction!(self, "record_passkey_use", |tx| webauthn::record_use(
            &tx, passkey, previous
        )
        .await?)
    }

    async fn delete_passkey(
        &self,
        pool: &UserPoolId,
        sub: &str,
        credential_id: &str,
    ) -> StoreResult<()> {
        transaction!(self, "delete_passkey", |tx| webauthn::delete(
            &tx,
            pool,
            sub,
            credential_id
        )
        .await?)
    }

    async fn put_passkey_registration(
        &self,
        registration: &PasskeyRegistration,
    ) -> StoreResult<()> {
        transaction!(self, "put_passkey_registration", |tx| {
            webauthn::put_registration(&tx, registration).await?
        })
    }

    async fn take_passkey_registration(
        &self,
        pool: &UserPoolId,
        sub: &str,
    ) -> StoreResult<PasskeyRegistration> {
        transaction!(self, "take_passkey_registration", |tx| {
            webauthn::take_registration(&tx, pool, sub).await?
        })
    }

    async fn put_document(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
        key: &str,
        document: &serde_json::Value,
        write: DocumentWrite,
    ) -> StoreResult<()> {
        transaction!(self, "put_document", |tx| oauth::put_document(
            &tx, pool, kind, key, document, write
        )
        .await?)
    }

    async fn get_document(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
        key: &str,
    ) -> StoreResult<serde_json::Value> {
        read!(self, "get_document", |c| oauth::get_document(
            &c, pool, kind, key
        )
        .await)
    }

    async fn list_documents(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
        page: &PageRequest,
    ) -> StoreResult<Listing<(String, serde_json::Value)>> {
        read!(self, "list_documents", |c| oauth::list_documents(
            &c, pool, kind, page
        )
        .await)
    }

    async fn delete_document(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
        key: &str,
    ) -> StoreResult<()> {
        transaction!(self, "delete_document", |tx| oauth::delete_document(
            &tx, pool, kind, key
        )
        .await?)
    }

    async fn create_domain(&self, domain: &PoolDomain) -> StoreResult<()> {
        transaction!(self, "create_domain", |tx| oauth::create_domain(
            &tx, domain
        )
        .await?)
    }

    async fn get_domain(&self, domain: &str) -> StoreResult<PoolDomain> {
        read!(self, "get_domain", |c| oauth::get_domain(&c, domain).await)
    }

    async fn pool_domains(&self, pool: &UserPoolId) -> StoreResult<Vec<PoolDomain>> {
        read!(self, "pool_domains", |c| oauth::pool_domains(&c, pool)
            .await)
    }

    async fn update_domain(&self, domain: &PoolDomain) -> StoreResult<()> {
        transaction!(self, "update_domain", |tx| oauth::update_domain(
            &tx, domain
        )
        .await?)
    }

    async fn delete_domain(&self, pool: &UserPoolId, domain: &str) -> StoreResult<()> {
        transaction!(self, "delete_domain", |tx| oauth::delete_domain(
            &tx, pool, domain
        )
        .await?)
    }

    async fn put_authorization_code(
        &self,
        code: &AuthorizationCode,
        now: Timestamp,
    ) -> StoreResult<()> {
        transaction!(self, "put_authorization_code", |tx| {
            oauth::put_authorization_code(&tx, code, now).await?
        })
    }

    async fn redeem_authorization_code(
        &self,
        code_hash: &[u8],
        family: &str,
        now: Timestamp,
    ) -> StoreResult<Redemption> {
        transaction!(self, "redeem_authorization_code", |tx| {
            oauth::redeem_authorization_code(&tx, code_hash, family, now).await?
        })
    }

    async fn authorization_code_replayed(&self, code_hash: &[u8]) -> StoreResult<bool> {
        read!(self, "authorization_code_replayed", |c| {
            oauth::authorization_code_replayed(&c, code_hash).await
        })
    }

    async fn purge_expired(
        &self,
        now: Timestamp,
        batch_limit: u32,
    ) -> StoreResult<Option<PurgeReport>> {
        transaction!(self, "purge_expired", |tx| housekeeping::purge(
            &tx,
            now,
            batch_limit
        )
        .await?)
    }

    async fn create_import_job(&self, job: &ImportJob) -> StoreResult<()> {
        transaction!(self, "create_import_job", |tx| import_jobs::create(
            &tx, job
        )
        .await?)
    }

    async fn get_import_job(&self, pool: &UserPoolId, job_id: &str) -> StoreResult<ImportJob> {
        read!(self, "get_import_job", |c| import_jobs::get(
            &c, pool, job_id
        )
        .await)
    }

    async fn list_import_jobs(
        &self,
        pool: &UserPoolId,
        page: &PageRequest,
    ) -> StoreResult<Listing<ImportJob>> {
        read!(self, "list_import_jobs", |c| import_jobs::list(
            &c, pool, page
        )
        .await)
    }

    async fn set_import_job_status(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        from: &[ImportJobStatus],
        to: ImportJobStatus,
        completed: Option<Timestamp>,
    ) -> StoreResult<Option<ImportJob>> {
        transaction!(self, "set_import_job_status", |tx| {
            import_jobs::set_status(&tx, pool, job_id, from, to, completed).await?
        })
    }

    async fn begin_import_upload(&self, pool: &UserPoolId, job_id: &str) -> StoreResult<bool> {
        transaction!(self, "begin_import_upload", |tx| import_jobs::begin_upload(
            &tx, pool, job_id
        )
        .await?)
    }

    async fn put_import_chunk(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        index: u64,
        bytes: &[u8],
    ) -> StoreResult<()> {
        transaction!(self, "put_import_chunk", |tx| {
            import_jobs::put_chunk(&tx, pool, job_id, index, bytes).await?
        })
    }

    async fn end_import_upload(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        bytes: Option<u64>,
    ) -> StoreResult<()> {
        transaction!(self, "end_import_upload", |tx| import_jobs::end_upload(
            &tx, pool, job_id, bytes
        )
        .await?)
    }

    async fn get_import_chunk(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        index: u64,
    ) -> StoreResult<Vec<u8>> {
        read!(self, "get_import_chunk", |c| import_jobs::get_chunk(
            &c, pool, job_id, index
        )
        .await)
    }

    async fn claim_import_job(
        &self,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<ImportJob>> {
        transaction!(self, "claim_import_job", |tx| import_jobs::claim(
            &tx,
            owner,
            now,
            lease_until
        )
        .await?)
    }

    async fn commit_import_batch(&self, batch: &ImportBatch) -> StoreResult<BatchOutcome> {
        transaction!(self, "commit_import_batch", |tx| import_jobs::commit_batch(
            &tx, batch
        )
        .await?)
    }

    async fn finish_import_job(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        owner: &str,
        status: ImportJobStatus,
        message: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        transaction!(self, "finish_import_job", |tx| {
            import_jobs::finish(&tx, pool, job_id, owner, status, message, now).await?
        })
    }

    async fn list_import_failures(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        after_row: u64,
        limit: usize,
    ) -> StoreResult<Vec<ImportFailure>> {
        read!(self, "list_import_failures", |c| {
            import_jobs::list_failures(&c, pool, job_id, after_row, limit).await
        })
    }

    async fn record_auth_event(&self, event: &AuthEvent) -> StoreResult<()> {
        transaction!(self, "record_auth_event", |tx| auth_events::record(
            &tx, event
        )
        .await?)
    }

    async fn list_auth_events(
        &self,
        pool: &UserPoolId,
        sub: &str,
        page: &PageRequest,
    ) -> StoreResult<Listing<AuthEvent>> {
        read!(self, "list_auth_events", |c| auth_events::list(
            &c, pool, sub, page
        )
        .await)
    }

    async fn set_auth_event_feedback(
        &self,
        pool: &UserPoolId,
        sub: &str,
        event_id: &str,
        feedback: &EventFeedback,
    ) -> StoreResult<()> {
        transaction!(self, "set_auth_event_feedback", |tx| {
            auth_events::set_feedback(&tx, pool, sub, event_id, feedback).await?
        })
    }

    async fn append_audit_entry(&self, entry: &AuditEntry) -> StoreResult<()> {
        transaction!(self, "append_audit_entry", |tx| auth_events::append_audit(
            &tx, entry
        )
        .await?)
    }

    async fn list_audit_entries(
        &self,
        pool: Option<&str>,
        page: &PageRequest,
    ) -> StoreResult<Listing<AuditEntry>> {
        read!(self, "list_audit_entries", |c| auth_events::list_audit(
            &c, pool, page
        )
        .await)
    }

    async fn create_identity_pool(&self, pool: &IdentityPool) -> StoreResult<()> {
        transaction!(self, "create_identity_pool", |tx| {
            identity_pools::create_pool(&tx, pool).await?
        })
    }

    async fn get_identity_pool(&self, id: &IdentityPoolId) -> StoreResult<IdentityPool> {
        read!(self, "get_identity_pool", |c| identity_pools::get_pool(
            &c, id
        )
        .await)
    }

    async fn list_identity_pools(&self, page: &PageRequest) -> StoreResult<Listing<IdentityPool>> {
        read!(self, "list_identity_pools", |c| {
            identity_pools::list_pools(&c, page).await
        })
    }

    async fn update_identity_pool(&self, pool: &IdentityPool) -> StoreResult<()> {
        transaction!(self, "update_identity_pool", |tx| {
            identity_pools::update_pool(&tx, pool).await?
        })
    }

    async fn delete_identity_pool(&self, id: &IdentityPoolId) -> StoreResult<()> {
        transaction!(self, "delete_identity_pool", |tx| {
            identity_pools::delete_pool(&tx, id).await?
        })
    }

    async fn create_identity(&self, identity: &Identity) -> StoreResult<()> {
        transaction!(self, "create_identity", |tx| {
            identity_pools::create_identity(&tx, identity).await?
        })
    }

    async fn get_identity(&self, id: &IdentityId) -> StoreResult<Identity> {
        read!(self, "get_identity", |c| identity_pools::get_identity(
            &c, id
        )
        .await)
    }

    async fn find_identity_by_login(
        &self,
        pool: &IdentityPoolId,
        login: &IdentityLogin,
    ) -> StoreResult<Identity> {
        read!(self, "find_identity_by_login", |c| {
            identity_pools::find_by_login(&c, pool, login).await
        })
    }

    async fn link_identity_logins(
        &self,
        id: &IdentityId,
        logins: &[IdentityLogin],
        now: Timestamp,
    ) -> StoreResult<()> {
        transaction!(self, "link_identity_logins", |tx| {
            identity_pools::link_logins(&tx, id, logins, now).await?
        })
    }

    async fn unlink_identity_logins(
        &self,
        id: &IdentityId,
        logins: &[IdentityLogin],
        now: Timestamp,
    ) -> StoreResult<()> {
        transaction!(self, "unlink_identity_logins", |tx| {
            identity_pools::unlink_logins(&tx, id, logins, now).await?
        })
    }

    async fn merge_identities(
        &self,
        source: &IdentityId,
        destination: &IdentityId,
        now: Timestamp,
    ) -> StoreResult<()> {
        transaction!(self, "merge_identities", |tx| {
            identity_pools::merge(&tx, source, destination, now).await?
        })
    }

    async fn delete_identities(&self, ids: &[IdentityId]) -> StoreResult<()> {
        transaction!(self, "delete_identities", |tx| {
            identity_pools::delete_identities(&tx, ids).await?
        })
    }

    async fn list_identities(
        &self,
        pool: &IdentityPoolId,
        page: &PageRequest,
    ) -> StoreResult<Listing<Identity>> {
        read!(self, "list_identities", |c| {
            identity_pools::list_identities(&c, pool, page).await
        })
    }

    async fn identity_signing_keys(&self) -> StoreResult<Vec<SigningKeyRecord>> {
        read!(self, "identity_signing_keys", |c| keys::list_identity(&c)
            .await)
    }

    async fn init_identity_signing_keys(
        &self,
        keys: &[SigningKeyRecord],
    ) -> StoreResult<Vec<SigningKeyRecord>> {
        transaction!(self, "init_identity_signing_keys", |tx| {
            keys::init_identity(&tx, keys).await?
        })
    }

    async fn rotate_identity_signing_keys(
        &self,
        keys: &[SigningKeyRecord],
        now: Timestamp,
    ) -> StoreResult<()> {
        transaction!(self, "rotate_identity_signing_keys", |tx| {
            keys::rotate_identity(&tx, keys, now).await?
        })
    }
}
