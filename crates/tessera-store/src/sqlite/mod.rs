//! The SQLite engine. One writer thread owns the write connection and commits
//! concurrent writes together (group commit, see [`writer`]); reads use a small
//! pool of connections, which WAL lets run beside the writer.
//! `synchronous=FULL` makes an acknowledged write survive power loss.
//! A database file the store creates is readable by its owner only, and so
//! are its `-wal` and `-shm` files (SQLite gives them the database's mode).
//! Deleted content is overwritten (`secure_delete`), and deleting a user, a
//! pool, an identity pool or identities truncates the WAL before answering, so
//! what was deleted is gone from the files, not only from queries.
//!
//! - [`migrations`]: embedded migrations and their runner.
//! - [`writer`]: the writer thread and group commit.
//! - [`codec`]: row ↔ domain conversions and error mapping.
//! - [`pools`], [`clients`], [`users`], [`groups`], [`codes`], [`keys`], [`tokens`], [`devices`],
//!   [`import_jobs`], [`auth_events`], [`identity_pools`], [`webauthn`]: the SQL for each resource.
//! - [`housekeeping`]: purging what expired, in bounded batches.

mod auth_events;
mod clients;
mod codec;
mod codes;
mod devices;
mod groups;
mod housekeeping;
mod identity_pools;
mod import_jobs;
mod keys;
pub mod migrations;
mod oauth;
mod pools;
mod tokens;
mod users;
mod webauthn;
mod writer;

use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_trait::async_trait;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
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

use crate::telemetry;
use codec::backend;
use writer::Writer;

/// The engine label of this engine's store latency.
const ENGINE: &str = "sqlite";

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 64;

/// Read connections kept open beyond this many are closed after use.
const MAX_IDLE_READERS: usize = 8;

#[derive(Clone)]
pub struct SqliteStore {
    path: PathBuf,
    writer: Writer,
    readers: Arc<Mutex<Vec<Connection>>>,
}

fn configure(conn: &Connection) -> StoreResult<()> {
    // One plan per statement, whatever its parameters: without this, binding
    // new values re-prepares cached statements (the profile of a read showed
    // SQLite parsing SQL on every call).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map_err(backend)?;
    // Room for every statement the store prepares (rusqlite keeps 16 by
    // default; a mixed workload evicted and re-parsed statements).
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA busy_timeout = 5000;",
    )
    .map_err(backend)
}

fn open_connection(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(backend)?;
    configure(&conn)?;
    Ok(conn)
}

/// Mode of a database file the store creates: it holds sealed secrets, code
/// and token hashes and every user's attributes.
const DATABASE_FILE_MODE: u32 = 0o600;

/// Creates the database file, empty and owner-only, unless it exists. SQLite
/// would create it with the process umask (0644 under the usual 022); it gives
/// the `-wal` and `-shm` files it creates later the database file's mode (its
/// unix VFS copies it and `fchmod`s past the umask), so they follow this one.
/// An existing file keeps the mode its operator gave it.
fn create_private(path: &Path) -> StoreResult<()> {
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(DATABASE_FILE_MODE)
        .open(path);
    let file = match created {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => {
            return Err(StoreError::Backend(format!(
                "creating {}: {e}",
                path.display()
            )));
        }
    };
    // The umask may have taken bits off the mode asked for (0600 & !umask);
    // set it exactly.
    file.set_permissions(std::fs::Permissions::from_mode(DATABASE_FILE_MODE))
        .map_err(|e| StoreError::Backend(format!("setting the mode of {}: {e}", path.display())))
}

impl SqliteStore {
    /// Opens (creating if needed, owner-only) the database file and applies
    /// pending migrations.
    pub fn open(path: impl Into<PathBuf>) -> StoreResult<Self> {
        let path = path.into();
        create_private(&path)?;
        let mut writer = open_connection(&path)?;
        migrations::apply(&mut writer)?;
        Ok(Self {
            path,
            writer: Writer::start(writer)?,
            readers: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// Runs a read on a pooled connection, on the calling task: reads are
    /// short index lookups, and handing each to another thread cost more (two
    /// context switches) than the read itself.
    /// `op` names the Store method, for the latency metric.
    fn read<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let started = Instant::now();
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => open_connection(&self.path)?,
        };
        let result = f(&conn);
        let mut idle = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        drop(idle);
        telemetry::record(ENGINE, op, started);
        result
    }

    /// Runs `f` atomically on the writer connection; answers once committed.
    /// `op` names the Store method, for the latency metric. The time recorded includes the wait for the group commit: it is the
    /// write's latency as its caller sees it.
    async fn write<T, F>(&self, op: &'static str, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let started = Instant::now();
        let result = self.writer.write(f).await;
        telemetry::record(ENGINE, op, started);
        result
    }

    /// As [`write`](Self::write), for a write that erases someone's data: the
    /// WAL is truncated before it answers.
    async fn erase<T, F>(&self, op: &'static str, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let started = Instant::now();
        let result = self.writer.erase(f).await;
        telemetry::record(ENGINE, op, started);
        result
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn get_meta(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        self.read("get_meta", |c| pools::get_meta(c, key))
    }

    async fn init_meta(&self, key: &str, value: &[u8]) -> StoreResult<Vec<u8>> {
        let (key, value) = (key.to_owned(), value.to_vec());
        self.write("init_meta", move |c| pools::init_meta(c, &key, &value))
            .await
    }

    async fn create_pool(&self, pool: &UserPool) -> StoreResult<()> {
        let pool = pool.clone();
        self.write("create_pool", move |c| pools::create(c, &pool))
            .await
    }

    async fn get_pool(&self, id: &UserPoolId) -> StoreResult<UserPool> {
        self.read("get_pool", |c| pools::get(c, id))
    }

    async fn list_pools(&self, page: &PageRequest) -> StoreResult<Listing<UserPool>> {
        self.read("list_pools", |c| pools::list(c, page))
    }

    async fn update_pool(&self, pool: &UserPool) -> StoreResult<()> {
        let pool = pool.clone();
        self.write("update_pool", move |c| pools::update(c, &pool))
            .await
    }

    async fn delete_pool(&self, id: &UserPoolId) -> StoreResult<()> {
        let id = id.clone();
        self.erase("delete_pool", move |c| pools::delete(c, &id))
            .await
    }

    async fn count_users(&self, pool: &UserPoolId) -> StoreResult<u64> {
        self.read("count_users", |c| users::count(c, pool))
    }

    async fn create_client(&self, client: &AppClient) -> StoreResult<()> {
        let client = client.clone();
        self.write("create_client", move |c| clients::create(c, &client))
            .await
    }

    async fn get_client(&self, pool: &UserPoolId, id: &ClientId) -> StoreResult<AppClient> {
        self.read("get_client", |c| clients::get(c, pool, id))
    }

    async fn list_clients(
        &self,
        pool: &UserPoolId,
        page: &PageRequest,
    ) -> StoreResult<Listing<AppClient>> {
        self.read("list_clients", |c| clients::list(c, pool, page))
    }

    async fn find_client(&self, id: &ClientId) -> StoreResult<AppClient> {
        self.read("find_client", |c| clients::find(c, id))
    }

    async fn update_client(&self, client: &AppClient) -> StoreResult<()> {
        let client = client.clone();
        self.write("update_client", move |c| clients::update(c, &client))
            .await
    }

    async fn delete_client(&self, pool: &UserPoolId, id: &ClientId) -> StoreResult<()> {
        let (pool, id) = (pool.clone(), id.clone());
        self.write("delete_client", move |c| clients::delete(c, &pool, &id))
            .await
    }

    async fn add_client_secret(
        &self,
        pool: &UserPoolId,
        client: &ClientId,
        secret: &ClientSecret,
        max: usize,
    ) -> StoreResult<()> {
        let (pool, client, secret) = (pool.clone(), client.clone(), secret.clone());
        self.write("add_client_secret", move |c| {
            clients::add_secret(c, &pool, &client, &secret, max)
        })
        .await
    }

    async fn delete_client_secret(
        &self,
        pool: &UserPoolId,
        client: &ClientId,
        secret: &ClientSecretId,
    ) -> StoreResult<()> {
        let (pool, client, secret) = (pool.clone(), client.clone(), secret.clone());
        self.write("delete_client_secret", move |c| {
            clients::delete_secret(c, &pool, &client, &secret)
        })
        .await
    }

    async fn create_user(
        &self,
        user: &User,
        take_aliases: &[Alias],
        code: Option<&CodeRecord>,
    ) -> StoreResult<()> {
        let (user, take, code) = (user.clone(), take_aliases.to_vec(), code.cloned());
        self.write("create_user", move |c| {
            users::create(c, &user, &take)?;
            code.as_ref().map_or(Ok(()), |code| codes::put(c, code))
        })
        .await
    }

    async fn get_user(&self, pool: &UserPoolId, key: UserKey<'_>) -> StoreResult<User> {
        self.read("get_user", |c| users::get(c, pool, &key))
    }

    async fn update_user(&self, user: &User, take_aliases: &[Alias]) -> StoreResult<()> {
        let (user, take) = (user.clone(), take_aliases.to_vec());
        self.write("update_user", move |c| users::update(c, &user, &take))
            .await
    }

    async fn disable_user(&self, user: &User) -> StoreResult<()> {
        let user = user.clone();
        self.write("disable_user", move |c| {
            users::update(c, &user, &[])?;
            tokens::revoke_user(c, &user.pool_id, &user.sub)
        })
        .await
    }

    async fn complete_password_reset(&self, user: &User) -> StoreResult<()> {
        let user = user.clone();
        self.write("complete_password_reset", move |c| {
            users::update(c, &user, &[])?;
            users::clear_sign_in_failures(c, &user.pool_id, &user.sub)
        })
        .await
    }

    async fn delete_user(&self, pool: &UserPoolId, sub: &str) -> StoreResult<()> {
        let (pool, sub) = (pool.clone(), sub.to_owned());
        self.erase("delete_user", move |c| users::delete(c, &pool, &sub))
            .await
    }

    async fn list_users(
        &self,
        pool: &UserPoolId,
        filter: Option<&UserFilter>,
        page: &PageRequest,
    ) -> StoreResult<Listing<User>> {
        self.read("list_users", |c| users::list(c, pool, filter, page))
    }

    async fn put_code(&self, code: &CodeRecord) -> StoreResult<()> {
        let code = code.clone();
        self.write("put_code", move |c| codes::put(c, &code)).await
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
        let (pool, sub, purpose, hash) = (
            pool.clone(),
            sub.to_owned(),
            purpose.clone(),
            code_hash.to_vec(),
        );
        self.write("check_code", move |c| {
            codes::check(c, &pool, &sub, &purpose, &hash, now, max_failures)
        })
        .await
    }

    async fn admit_sign_in_attempt(
        &self,
        pool: &UserPoolId,
        sub: &str,
        now: Timestamp,
    ) -> StoreResult<Option<FailureState>> {
        let (pool, sub) = (pool.clone(), sub.to_owned());
        self.write("admit_sign_in_attempt", move |c| {
            users::admit_sign_in_attempt(c, &pool, &sub, now)
        })
        .await
    }

    async fn refund_sign_in_attempt(&self, pool: &UserPoolId, sub: &str) -> StoreResult<()> {
        let (pool, sub) = (pool.clone(), sub.to_owned());
        self.write("refund_sign_in_attempt", move |c| {
            users::refund_sign_in_attempt(c, &pool, &sub)
        })
        .await
    }

    async fn accept_totp_step(
        &self,
        pool: &UserPoolId,
        sub: &str,
        secret_id: &str,
        step: i64,
    ) -> StoreResult<bool> {
        let (pool, sub, secret_id) = (pool.clone(), sub.to_owned(), secret_id.to_owned());
        self.write("accept_totp_step", move |c| {
            users::accept_totp_step(c, &pool, &sub, &secret_id, step)
        })
        .await
    }

    async fn clear_sign_in_failures(&self, pool: &UserPoolId, sub: &str) -> StoreResult<()> {
        let (pool, sub) = (pool.clone(), sub.to_owned());
        self.write("clear_sign_in_failures", move |c| {
            users::clear_sign_in_failures(c, &pool, &sub)
        })
        .await
    }

    async fn signing_keys(&self, pool: &UserPoolId) -> StoreResult<Vec<SigningKeyRecord>> {
        self.read("signing_keys", |c| keys::list(c, pool))
    }

    async fn init_signing_keys(
        &self,
        pool: &UserPoolId,
        keys: &[SigningKeyRecord],
    ) -> StoreResult<Vec<SigningKeyRecord>> {
        let (pool, keys) = (pool.clone(), keys.to_vec());
        self.write("init_signing_keys", move |c| keys::init(c, &pool, &keys))
            .await
    }

    async fn rotate_signing_keys(
        &self,
        pool: &UserPoolId,
        keys: &[SigningKeyRecord],
        now: Timestamp,
    ) -> StoreResult<()> {
        let (pool, keys) = (pool.clone(), keys.to_vec());
        self.write("rotate_signing_keys", move |c| {
            keys::rotate(c, &pool, &keys, now)
        })
        .await
    }

    async fn create_token_family(
        &self,
        family: &TokenFamily,
        refresh: &RefreshTokenRecord,
    ) -> StoreResult<()> {
        let (family, refresh) = (family.clone(), refresh.clone());
        self.write("create_token_family", move |c| {
            tokens::create_family(c, &family, &refresh)
        })
        .await
    }

    async fn get_token_family(&self, origin_jti: &str) -> StoreResult<(TokenFamily, User)> {
        self.read("get_token_family", |c| tokens::get_family(c, origin_jti))
    }

    async fn find_refresh_token(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<(RefreshTokenRecord, TokenFamily)> {
        self.read("find_refresh_token", |c| {
            tokens::find_refresh(c, token_hash)
        })
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &[u8],
        new: &RefreshTokenRecord,
        now: Timestamp,
    ) -> StoreResult<()> {
        let (old, new) = (old_hash.to_vec(), new.clone());
        self.write("rotate_refresh_token", move |c| {
            tokens::rotate_refresh(c, &old, &new, now)
        })
        .await
    }

    async fn revoke_token_family(&self, origin_jti: &str) -> StoreResult<()> {
        let origin_jti = origin_jti.to_owned();
        self.write("revoke_token_family", move |c| {
            tokens::revoke_family(c, &origin_jti)
        })
        .await
    }

    async fn revoke_user_tokens(&self, pool: &UserPoolId, sub: &str) -> StoreResult<()> {
        let (pool, sub) = (pool.clone(), sub.to_owned());
        self.write("revoke_user_tokens", move |c| {
            tokens::revoke_user(c, &pool, &sub)
        })
        .await
    }

    async fn list_token_sessions(
        &self,
        pool: &UserPoolId,
        sub: &str,
        now: Timestamp,
        limit: usize,
    ) -> StoreResult<Vec<TokenFamily>> {
        self.read("list_token_sessions", |c| {
            tokens::list_sessions(c, pool, sub, now, limit)
        })
    }

    async fn record_token_activity(
        &self,
        origin_jti: &str,
        activity: &SessionActivity,
    ) -> StoreResult<()> {
        let (origin_jti, activity) = (origin_jti.to_owned(), activity.clone());
        self.write("record_token_activity", move |c| {
            tokens::record_activity(c, &origin_jti, &activity)
        })
        .await
    }

    async fn evict_token_sessions(
        &self,
        pool: &UserPoolId,
        sub: &str,
        keep: usize,
        now: Timestamp,
    ) -> StoreResult<u64> {
        let (pool, sub) = (pool.clone(), sub.to_owned());
        self.write("evict_token_sessions", move |c| {
            tokens::evict_sessions(c, &pool, &sub, keep, now)
        })
        .await
    }

    async fn create_group(&self, group: &Group) -> StoreResult<()> {
        let group = group.clone();
        self.write("create_group", move |c| groups::create(c, &group))
            .await
    }

    async fn get_group(&self, pool: &UserPoolId, name: &GroupName) -> StoreResult<Group> {
        self.read("get_group", |c| groups::get(c, pool, name))
    }

    async fn list_groups(
        &self,
        pool: &UserPoolId,
        page: &PageRequest,
    ) -> StoreResult<Listing<Group>> {
        self.read("list_groups", |c| groups::list(c, pool, page))
    }

    async fn update_group(&self, group: &Group) -> StoreResult<()> {
        let group = group.clone();
        self.write("update_group", move |c| groups::update(c, &group))
            .await
    }

    async fn delete_group(&self, pool: &UserPoolId, name: &GroupName) -> StoreResult<()> {
        let (pool, name) = (pool.clone(), name.clone());
        self.write("delete_group", move |c| groups::delete(c, &pool, &name))
            .await
    }

    async fn add_user_to_group(
        &self,
        pool: &UserPoolId,
        sub: &str,
        group: &GroupName,
    ) -> StoreResult<()> {
        let (pool, sub, group) = (pool.clone(), sub.to_owned(), group.clone());
        self.write("add_user_to_group", move |c| {
            groups::add_member(c, &pool, &sub, &group)
        })
        .await
    }

    async fn remove_user_from_group(
        &self,
        pool: &UserPoolId,
        sub: &str,
        group: &GroupName,
    ) -> StoreResult<()> {
        let (pool, sub, group) = (pool.clone(), sub.to_owned(), group.clone());
        self.write("remove_user_from_group", move |c| {
            groups::remove_member(c, &pool, &sub, &group)
        })
        .await
    }

    async fn list_groups_for_user(
        &self,
        pool: &UserPoolId,
        sub: &str,
        page: &PageRequest,
    ) -> StoreResult<Listing<Group>> {
        self.read("list_groups_for_user", |c| {
            groups::list_for_user(c, pool, sub, page)
        })
    }

    async fn list_users_in_group(
        &self,
        pool: &UserPoolId,
        group: &GroupName,
        page: &PageRequest,
    ) -> StoreResult<Listing<User>> {
        self.read("list_users_in_group", |c| {
            groups::list_members(c, pool, group, page)
        })
    }

    async fn create_device(&self, device: &Device) -> StoreResult<()> {
        let device = device.clone();
        self.write("create_device", move |c| devices::create(c, &device))
            .await
    }

    async fn get_device(&self, pool: &UserPoolId, sub: &str, key: &str) -> StoreResult<Device> {
        self.read("get_device", |c| devices::get(c, pool, sub, key))
    }

    async fn list_devices(
        &self,
        pool: &UserPoolId,
        sub: &str,
        page: &PageRequest,
    ) -> StoreResult<Listing<Device>> {
        self.read("list_devices", |c| devices::list(c, pool, sub, page))
    }

    async fn update_device(&self, device: &Device) -> StoreResult<()> {
        let device = device.clone();
        self.write("update_device", move |c| devices::update(c, &device))
            .await
    }

    async fn delete_device(&self, pool: &UserPoolId, sub: &str, key: &str) -> StoreResult<()> {
        let (pool, sub, key) = (pool.clone(), sub.to_owned(), key.to_owned());
        self.write("delete_device", move |c| {
            devices::delete(c, &pool, &sub, &key)
        })
        .await
    }

    async fn create_passkey(&self, passkey: &Passkey) -> StoreResult<()> {
        let passkey = passkey.clone();
        self.write("create_passkey", move |c| webauthn::create(c, &passkey))
            .await
    }

    async fn list_passkeys(
        &self,
        pool: &UserPoolId,
        sub: &str,
        page: &PageRequest,
    ) -> StoreResult<Listing<Passkey>> {
        self.read("list_passkeys", |c| webauthn::list(c, pool, sub, page))
    }

    async fn record_passkey_use(&self, passkey: &Passkey, previous: &str) -> StoreResult<()> {
        let (passkey, previous) = (passkey.clone(), previous.to_owned());
        self.write("record_passkey_use", move |c| {
            webauthn::record_use(c, &passkey, &previous)
        })
        .await
    }

    async fn delete_passkey(
        &self,
        pool: &UserPoolId,
        sub: &str,
        credential_id: &str,
    ) -> StoreResult<()> {
        let (pool, sub, id) = (pool.clone(), sub.to_owned(), credential_id.to_owned());
        self.write("delete_passkey", move |c| {
            webauthn::delete(c, &pool, &sub, &id)
        })
        .await
    }

    async fn put_passkey_registration(
        &self,
        registration: &PasskeyRegistration,
    ) -> StoreResult<()> {
        let registration = registration.clone();
        self.write("put_passkey_registration", move |c| {
            webauthn::put_registration(c, &registration)
        })
        .await
    }

    async fn take_passkey_registration(
        &self,
        pool: &UserPoolId,
        sub: &str,
    ) -> StoreResult<PasskeyRegistration> {
        let (pool, sub) = (pool.clone(), sub.to_owned());
        self.write("take_passkey_registration", move |c| {
            webauthn::take_registration(c, &pool, &sub)
        })
        .await
    }

    async fn put_document(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
        key: &str,
        document: &serde_json::Value,
        write: DocumentWrite,
    ) -> StoreResult<()> {
        let (pool, key, document) = (pool.clone(), key.to_owned(), document.clone());
        self.write("put_document", move |c| {
            oauth::put_document(c, &pool, kind, &key, &document, write)
        })
        .await
    }

    async fn get_document(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
        key: &str,
    ) -> StoreResult<serde_json::Value> {
        self.read("get_document", |c| oauth::get_document(c, pool, kind, key))
    }

    async fn list_documents(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
        page: &PageRequest,
    ) -> StoreResult<Listing<(String, serde_json::Value)>> {
        self.read("list_documents", |c| {
            oauth::list_documents(c, pool, kind, page)
        })
    }

    async fn delete_document(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
        key: &str,
    ) -> StoreResult<()> {
        let (pool, key) = (pool.clone(), key.to_owned());
        self.write("delete_document", move |c| {
            oauth::delete_document(c, &pool, kind, &key)
        })
        .await
    }

    async fn create_domain(&self, domain: &PoolDomain) -> StoreResult<()> {
        let domain = domain.clone();
        self.write("create_domain", move |c| oauth::create_domain(c, &domain))
            .await
    }

    async fn get_domain(&self, domain: &str) -> StoreResult<PoolDomain> {
        self.read("get_domain", |c| oauth::get_domain(c, domain))
    }

    async fn pool_domains(&self, pool: &UserPoolId) -> StoreResult<Vec<PoolDomain>> {
        self.read("pool_domains", |c| oauth::pool_domains(c, pool))
    }

    async fn update_domain(&self, domain: &PoolDomain) -> StoreResult<()> {
        let domain = domain.clone();
        self.write("update_domain", move |c| oauth::update_domain(c, &domain))
            .await
    }

    async fn delete_domain(&self, pool: &UserPoolId, domain: &str) -> StoreResult<()> {
        let (pool, domain) = (pool.clone(), domain.to_owned());
        self.write("delete_domain", move |c| {
            oauth::delete_domain(c, &pool, &domain)
        })
        .await
    }

    async fn put_authorization_code(
        &self,
        code: &AuthorizationCode,
        now: Timestamp,
    ) -> StoreResult<()> {
        let code = code.clone();
        self.write("put_authorization_code", move |c| {
            oauth::put_authorization_code(c, &code, now)
        })
        .await
    }

    async fn redeem_authorization_code(
        &self,
        code_hash: &[u8],
        family: &str,
        now: Timestamp,
    ) -> StoreResult<Redemption> {
        let (hash, family) = (code_hash.to_vec(), family.to_owned());
        self.write("redeem_authorization_code", move |c| {
            oauth::redeem_authorization_code(c, &hash, &family, now)
        })
        .await
    }

    async fn authorization_code_replayed(&self, code_hash: &[u8]) -> StoreResult<bool> {
        self.read("authorization_code_replayed", |c| {
            oauth::authorization_code_replayed(c, code_hash)
        })
    }

    // A single process owns the database: there is no other node to skip for.
    async fn purge_expired(
        &self,
        now: Timestamp,
        batch_limit: u32,
    ) -> StoreResult<Option<PurgeReport>> {
        self.write("purge_expired", move |c| {
            housekeeping::purge(c, now, batch_limit).map(Some)
        })
        .await
    }

    async fn create_import_job(&self, job: &ImportJob) -> StoreResult<()> {
        let job = job.clone();
        self.write("create_import_job", move |c| import_jobs::create(c, &job))
            .await
    }

    async fn get_import_job(&self, pool: &UserPoolId, job_id: &str) -> StoreResult<ImportJob> {
        self.read("get_import_job", |c| import_jobs::get(c, pool, job_id))
    }

    async fn list_import_jobs(
        &self,
        pool: &UserPoolId,
        page: &PageRequest,
    ) -> StoreResult<Listing<ImportJob>> {
        self.read("list_import_jobs", |c| import_jobs::list(c, pool, page))
    }

    async fn set_import_job_status(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        from: &[ImportJobStatus],
        to: ImportJobStatus,
        completed: Option<Timestamp>,
    ) -> StoreResult<Option<ImportJob>> {
        let (pool, job_id, from) = (pool.clone(), job_id.to_owned(), from.to_vec());
        self.write("set_import_job_status", move |c| {
            import_jobs::set_status(c, &pool, &job_id, &from, to, completed)
        })
        .await
    }

    async fn begin_import_upload(&self, pool: &UserPoolId, job_id: &str) -> StoreResult<bool> {
        let (pool, job_id) = (pool.clone(), job_id.to_owned());
        self.write("begin_import_upload", move |c| {
            import_jobs::begin_upload(c, &pool, &job_id)
        })
        .await
    }

    async fn put_import_chunk(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        index: u64,
        bytes: &[u8],
    ) -> StoreResult<()> {
        let (pool, job_id, bytes) = (pool.clone(), job_id.to_owned(), bytes.to_vec());
        self.write("put_import_chunk", move |c| {
            import_jobs::put_chunk(c, &pool, &job_id, index, &bytes)
        })
        .await
    }

    async fn end_import_upload(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        bytes: Option<u64>,
    ) -> StoreResult<()> {
        let (pool, job_id) = (pool.clone(), job_id.to_owned());
        self.write("end_import_upload", move |c| {
            import_jobs::end_upload(c, &pool, &job_id, bytes)
        })
        .await
    }

    async fn get_import_chunk(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        index: u64,
    ) -> StoreResult<Vec<u8>> {
        self.read("get_import_chunk", |c| {
            import_jobs::get_chunk(c, pool, job_id, index)
        })
    }

    async fn claim_import_job(
        &self,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<ImportJob>> {
        let owner = owner.to_owned();
        self.write("claim_import_job", move |c| {
            import_jobs::claim(c, &owner, now, lease_until)
        })
        .await
    }

    async fn commit_import_batch(&self, batch: &ImportBatch) -> StoreResult<BatchOutcome> {
        let batch = batch.clone();
        self.write("commit_import_batch", move |c| {
            import_jobs::commit_batch(c, &batch)
        })
        .await
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
        let (pool, job_id, owner, message) = (
            pool.clone(),
            job_id.to_owned(),
            owner.to_owned(),
            message.to_owned(),
        );
        self.write("finish_import_job", move |c| {
            import_jobs::finish(c, &pool, &job_id, &owner, status, &message, now)
        })
        .await
    }

    async fn list_import_failures(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        after_row: u64,
        limit: usize,
    ) -> StoreResult<Vec<ImportFailure>> {
        self.read("list_import_failures", |c| {
            import_jobs::list_failures(c, pool, job_id, after_row, limit)
        })
    }

    async fn record_auth_event(&self, event: &AuthEvent) -> StoreResult<()> {
        let event = event.clone();
        self.write("record_auth_event", move |c| auth_events::record(c, &event))
            .await
    }

    async fn list_auth_events(
        &self,
        pool: &UserPoolId,
        sub: &str,
        page: &PageRequest,
    ) -> StoreResult<Listing<AuthEvent>> {
        self.read("list_auth_events", |c| {
            auth_events::list(c, pool, sub, page)
        })
    }

    async fn set_auth_event_feedback(
        &self,
        pool: &UserPoolId,
        sub: &str,
        event_id: &str,
        feedback: &EventFeedback,
    ) -> StoreResult<()> {
        let (pool, sub, event_id, feedback) = (
            pool.clone(),
            sub.to_owned(),
            event_id.to_owned(),
            feedback.clone(),
        );
        self.write("set_auth_event_feedback", move |c| {
            auth_events::set_feedback(c, &pool, &sub, &event_id, &feedback)
        })
        .await
    }

    async fn append_audit_entry(&self, entry: &AuditEntry) -> StoreResult<()> {
        let entry = entry.clone();
        self.write("append_audit_entry", move |c| {
            auth_events::append_audit(c, &entry)
        })
        .await
    }

    async fn list_audit_entries(
        &self,
        pool: Option<&str>,
        page: &PageRequest,
    ) -> StoreResult<Listing<AuditEntry>> {
        self.read("list_audit_entries", |c| {
            auth_events::list_audit(c, pool, page)
        })
    }
    async fn create_identity_pool(&self, pool: &IdentityPool) -> StoreResult<()> {
        let pool = pool.clone();
        self.write("create_identity_pool", move |c| {
            identity_pools::create_pool(c, &pool)
        })
        .await
    }

    async fn get_identity_pool(&self, id: &IdentityPoolId) -> StoreResult<IdentityPool> {
        self.read("get_identity_pool", |c| identity_pools::get_pool(c, id))
    }

    async fn list_identity_pools(&self, page: &PageRequest) -> StoreResult<Listing<IdentityPool>> {
        self.read("list_identity_pools", |c| {
            identity_pools::list_pools(c, page)
        })
    }

    async fn update_identity_pool(&self, pool: &IdentityPool) -> StoreResult<()> {
        let pool = pool.clone();
        self.write("update_identity_pool", move |c| {
            identity_pools::update_pool(c, &pool)
        })
        .await
    }

    async fn delete_identity_pool(&self, id: &IdentityPoolId) -> StoreResult<()> {
        let id = id.clone();
        self.erase("delete_identity_pool", move |c| {
            identity_pools::delete_pool(c, &id)
        })
        .await
    }

    async fn create_identity(&self, identity: &Identity) -> StoreResult<()> {
        let identity = identity.clone();
        self.write("create_identity", move |c| {
            identity_pools::create_identity(c, &identity)
        })
        .await
    }

    async fn get_identity(&self, id: &IdentityId) -> StoreResult<Identity> {
        self.read("get_identity", |c| identity_pools::get_identity(c, id))
    }

    async fn find_identity_by_login(
        &self,
        pool: &IdentityPoolId,
        login: &IdentityLogin,
    ) -> StoreResult<Identity> {
        self.read("find_identity_by_login", |c| {
            identity_pools::find_by_login(c, pool, login)
        })
    }

    async fn link_identity_logins(
        &self,
        id: &IdentityId,
        logins: &[IdentityLogin],
        now: Timestamp,
    ) -> StoreResult<()> {
        let (id, logins) = (id.clone(), logins.to_vec());
        self.write("link_identity_logins", move |c| {
            identity_pools::link_logins(c, &id, &logins, now)
        })
        .await
    }

    async fn unlink_identity_logins(
        &self,
        id: &IdentityId,
        logins: &[IdentityLogin],
        now: Timestamp,
    ) -> StoreResult<()> {
        let (id, logins) = (id.clone(), logins.to_vec());
        self.write("unlink_identity_logins", move |c| {
            identity_pools::unlink_logins(c, &id, &logins, now)
        })
        .await
    }

    async fn merge_identities(
        &self,
        source: &IdentityId,
        destination: &IdentityId,
        now: Timestamp,
    ) -> StoreResult<()> {
        let (source, destination) = (source.clone(), destination.clone());
        self.write("merge_identities", move |c| {
            identity_pools::merge(c, &source, &destination, now)
        })
        .await
    }

    async fn delete_identities(&self, ids: &[IdentityId]) -> StoreResult<()> {
        let ids = ids.to_vec();
        self.erase("delete_identities", move |c| {
            identity_pools::delete_identities(c, &ids)
        })
        .await
    }

    async fn list_identities(
        &self,
        pool: &IdentityPoolId,
        page: &PageRequest,
    ) -> StoreResult<Listing<Identity>> {
        self.read("list_identities", |c| {
            identity_pools::list_identities(c, pool, page)
        })
    }

    async fn identity_signing_keys(&self) -> StoreResult<Vec<SigningKeyRecord>> {
        self.read("identity_signing_keys", keys::list_identity)
    }

    async fn init_identity_signing_keys(
        &self,
        keys: &[SigningKeyRecord],
    ) -> StoreResult<Vec<SigningKeyRecord>> {
        let keys = keys.to_vec();
        self.write("init_identity_signing_keys", move |c| {
            keys::init_identity(c, &keys)
        })
        .await
    }

    async fn rotate_identity_signing_keys(
        &self,
        keys: &[SigningKeyRecord],
        now: Timestamp,
    ) -> StoreResult<()> {
        let keys = keys.to_vec();
        self.write("rotate_identity_signing_keys", move |c| {
            keys::rotate_identity(c, &keys, now)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    use tessera_core::store::Store;

    use super::SqliteStore;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    }

    fn sibling(db: &Path, suffix: &str) -> std::path::PathBuf {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        name.into()
    }

    /// The modes of the database and the `-wal` and `-shm` files SQLite made
    /// beside it, after a committed write (the store still open).
    async fn modes_after_a_write(db: &Path) -> Vec<(String, u32)> {
        let store = SqliteStore::open(db).expect("opening the store");
        store.init_meta("probe", b"1").await.expect("a write");
        let modes = ["", "-wal", "-shm"]
            .iter()
            .map(|suffix| (suffix.to_string(), mode(&sibling(db, suffix))))
            .collect();
        drop(store);
        modes
    }

    #[tokio::test]
    async fn a_new_database_and_its_wal_and_shm_are_owner_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("tessera.db");
        let modes = modes_after_a_write(&db).await;
        for (suffix, mode) in modes {
            assert_eq!(mode, 0o600, "tessera.db{suffix} is {mode:o}");
        }
    }

    #[tokio::test]
    async fn an_existing_database_keeps_its_mode_and_the_wal_follows_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("tessera.db");
        std::fs::write(&db, b"").expect("an empty database file");
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let modes = modes_after_a_write(&db).await;
        for (suffix, mode) in modes {
            assert_eq!(mode, 0o640, "tessera.db{suffix} is {mode:o}");
        }
    }
}
