//! The `Store` trait: coarse, intent-named, each method atomic. Engines own
//! their SQL and transactions; nothing here assumes a single process, so
//! several nodes may share one database.
//!
//! Contract every engine keeps (checked by tessera-store's contract suite):
//! updating or deleting a missing record is `NotFound`; client ids are unique
//! across pools; a page before the last is full, and a page that ends on the
//! last item has no `next`; aliases taken with `take_aliases` leave their
//! previous holder as [`release_alias`](crate::domain::user::release_alias) says.

use async_trait::async_trait;

use crate::clock::Timestamp;
use crate::domain::auth_event::{AuditEntry, AuthEvent, EventFeedback};
use crate::domain::client::{AppClient, ClientSecret};
use crate::domain::code::{CodeCheck, CodePurpose, CodeRecord};
use crate::domain::device::Device;
use crate::domain::filter::UserFilter;
use crate::domain::group::Group;
use crate::domain::housekeeping::PurgeReport;
use crate::domain::identity_pool::{Identity, IdentityLogin, IdentityPool};
use crate::domain::import_job::{
    BatchOutcome, ImportBatch, ImportFailure, ImportJob, ImportJobStatus,
};
use crate::domain::lockout::FailureState;
use crate::domain::oauth::{
    AuthorizationCode, DocumentKind, DocumentWrite, PoolDomain, Redemption,
};
use crate::domain::pool::UserPool;
use crate::domain::session::SessionActivity;
use crate::domain::signing_key::SigningKeyRecord;
use crate::domain::token::{RefreshTokenRecord, TokenFamily};
use crate::domain::user::{Alias, User};
use crate::domain::webauthn::{Passkey, PasskeyRegistration};
use crate::ids::{ClientId, ClientSecretId, GroupName, IdentityId, IdentityPoolId, UserPoolId};

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule held by the database refused the write.
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    #[error("storage backend: {0}")]
    Backend(String),
}

/// Which uniqueness rule a write broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    PoolId,
    ClientId,
    /// The client already holds a secret with that id.
    ClientSecretId,
    /// The client holds as many secrets as it may.
    ClientSecretLimit,
    /// The secret is the client's last.
    LastClientSecret,
    Username,
    Alias(Alias),
    GroupName,
    DeviceKey,
    /// A passkey with that credential id is registered.
    PasskeyId,
    /// A pool's configuration document with that kind and key exists.
    Document,
    /// Another pool (or this one) has the domain.
    Domain,
    /// The pool has an import job with that id.
    ImportJob,
    /// Another identity of the identity pool holds that login.
    IdentityLogin,
    /// The record was replaced since it was read (its version moved on).
    Changed,
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Where a listing starts and how many items it returns.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// The opaque position returned with the previous page.
    pub after: Option<String>,
    pub limit: usize,
}

/// A page of items and the position to continue from, if more remain.
#[derive(Debug)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// How a user is looked up: by the key the pool compares usernames with, or by alias.
#[derive(Debug, Clone)]
pub enum UserKey<'a> {
    Username(&'a str),
    Alias(&'a Alias),
    Sub(&'a str),
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A small named value kept with the data (e.g. the key-check value).
    async fn get_meta(&self, key: &str) -> StoreResult<Option<Vec<u8>>>;
    /// Stores `value` under `key` unless a value is already there; returns the one kept.
    async fn init_meta(&self, key: &str, value: &[u8]) -> StoreResult<Vec<u8>>;

    async fn create_pool(&self, pool: &UserPool) -> StoreResult<()>;
    async fn get_pool(&self, id: &UserPoolId) -> StoreResult<UserPool>;
    async fn list_pools(&self, page: &PageRequest) -> StoreResult<Listing<UserPool>>;
    /// Replaces the pool's record; NotFound if it was deleted meanwhile.
    async fn update_pool(&self, pool: &UserPool) -> StoreResult<()>;
    /// Deletes the pool with all its clients, users and groups.
    async fn delete_pool(&self, id: &UserPoolId) -> StoreResult<()>;
    async fn count_users(&self, pool: &UserPoolId) -> StoreResult<u64>;

    async fn create_client(&self, client: &AppClient) -> StoreResult<()>;
    async fn get_client(&self, pool: &UserPoolId, id: &ClientId) -> StoreResult<AppClient>;
    async fn list_clients(
        &self,
        pool: &UserPoolId,
        page: &PageRequest,
    ) -> StoreResult<Listing<AppClient>>;
    /// A client by id alone (ids are unique across pools).
    async fn find_client(&self, id: &ClientId) -> StoreResult<AppClient>;
    async fn update_client(&self, client: &AppClient) -> StoreResult<()>;
    async fn delete_client(&self, pool: &UserPoolId, id: &ClientId) -> StoreResult<()>;
    /// Adds a secret to the client unless it holds `max` already
    /// (`Conflict::ClientSecretLimit`) or one with that id (`Conflict::ClientSecretId`);
    /// NotFound without the client.
    async fn add_client_secret(
        &self,
        pool: &UserPoolId,
        client: &ClientId,
        secret: &ClientSecret,
        max: usize,
    ) -> StoreResult<()>;
    /// Removes one of the client's secrets, never its last
    /// (`Conflict::LastClientSecret`); NotFound without the client or the secret.
    async fn delete_client_secret(
        &self,
        pool: &UserPoolId,
        client: &ClientId,
        secret: &ClientSecretId,
    ) -> StoreResult<()>;

    /// Creates the user, and its first one-time code when given, in one
    /// transaction. Conflict(Username) or Conflict(Alias) when either is taken.
    /// `take_aliases` are first removed from whichever user holds them
    /// (ForceAliasCreation), which then loses their verification
    /// ([`release_alias`](crate::domain::user::release_alias)).
    async fn create_user(
        &self,
        user: &User,
        take_aliases: &[Alias],
        code: Option<&CodeRecord>,
    ) -> StoreResult<()>;
    async fn get_user(&self, pool: &UserPoolId, key: UserKey<'_>) -> StoreResult<User>;
    /// Replaces the user's record and aliases; `take_aliases` as in `create_user`.
    async fn update_user(&self, user: &User, take_aliases: &[Alias]) -> StoreResult<()>;
    /// Replaces the record of a user being disabled and revokes every token
    /// family of the user, in one transaction.
    async fn disable_user(&self, user: &User) -> StoreResult<()>;
    /// Replaces the record of a user whose password was reset and clears its
    /// failed sign-ins, in one transaction.
    async fn complete_password_reset(&self, user: &User) -> StoreResult<()>;
    async fn delete_user(&self, pool: &UserPoolId, sub: &str) -> StoreResult<()>;
    async fn list_users(
        &self,
        pool: &UserPoolId,
        filter: Option<&UserFilter>,
        page: &PageRequest,
    ) -> StoreResult<Listing<User>>;

    /// Stores a code, replacing the user's previous code for the same purpose.
    async fn put_code(&self, code: &CodeRecord) -> StoreResult<()>;
    /// Checks a code's hash atomically: a match uses the code up; a mismatch
    /// counts, and the `max_failures`-th one deletes the code.
    async fn check_code(
        &self,
        pool: &UserPoolId,
        sub: &str,
        purpose: &CodePurpose,
        code_hash: &[u8],
        now: Timestamp,
        max_failures: u32,
    ) -> StoreResult<CodeCheck>;

    /// Admits one password check atomically (`FailureState::admit`): counts it
    /// as a failure and returns the new state, or `None` while the user is
    /// locked, changing nothing.
    async fn admit_sign_in_attempt(
        &self,
        pool: &UserPoolId,
        sub: &str,
        now: Timestamp,
    ) -> StoreResult<Option<FailureState>>;
    async fn clear_sign_in_failures(&self, pool: &UserPoolId, sub: &str) -> StoreResult<()>;
    /// Takes back one admitted check atomically (`FailureState::refund`).
    async fn refund_sign_in_attempt(&self, pool: &UserPoolId, sub: &str) -> StoreResult<()>;
    /// Takes TOTP `step` of the secret `secret_id` for the user if no code of
    /// that secret at this or a later step was taken before; `false` means
    /// the code is a replay. Atomic, so of concurrent answers with one code
    /// exactly one succeeds. A new secret starts afresh.
    async fn accept_totp_step(
        &self,
        pool: &UserPoolId,
        sub: &str,
        secret_id: &str,
        step: i64,
    ) -> StoreResult<bool>;

    /// Every signing key of the pool, retired ones included, oldest first.
    async fn signing_keys(&self, pool: &UserPoolId) -> StoreResult<Vec<SigningKeyRecord>>;
    /// Stores `keys` only if the pool has none yet; returns the pool's keys
    /// either way, so concurrent first uses agree on one set.
    async fn init_signing_keys(
        &self,
        pool: &UserPoolId,
        keys: &[SigningKeyRecord],
    ) -> StoreResult<Vec<SigningKeyRecord>>;
    /// Retires the pool's active keys at `now` and stores `keys` in their place.
    async fn rotate_signing_keys(
        &self,
        pool: &UserPoolId,
        keys: &[SigningKeyRecord],
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Starts a token family with its first refresh token.
    async fn create_token_family(
        &self,
        family: &TokenFamily,
        refresh: &RefreshTokenRecord,
    ) -> StoreResult<()>;
    /// A token family and the user it belongs to, in one lookup: every
    /// access-token operation needs both.
    async fn get_token_family(&self, origin_jti: &str) -> StoreResult<(TokenFamily, User)>;
    async fn find_refresh_token(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<(RefreshTokenRecord, TokenFamily)>;
    /// Marks `old_hash` superseded at `now` (unless it already is) and adds `new`.
    async fn rotate_refresh_token(
        &self,
        old_hash: &[u8],
        new: &RefreshTokenRecord,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn revoke_token_family(&self, origin_jti: &str) -> StoreResult<()>;
    /// Revokes every token family of the user (global sign-out, disable).
    async fn revoke_user_tokens(&self, pool: &UserPoolId, sub: &str) -> StoreResult<()>;

    /// The user's token sessions: families unrevoked and unexpired at `now`,
    /// most recently active first, at most `limit`.
    async fn list_token_sessions(
        &self,
        pool: &UserPoolId,
        sub: &str,
        now: Timestamp,
        limit: usize,
    ) -> StoreResult<Vec<TokenFamily>>;
    /// Records a use (a refresh) of the family: its time always, the address
    /// and User-Agent when known. NotFound if there is no such family.
    async fn record_token_activity(
        &self,
        origin_jti: &str,
        activity: &SessionActivity,
    ) -> StoreResult<()>;
    /// Revokes the user's token sessions beyond the `keep` most recently
    /// active (`MaxPerUser`); returns how many it revoked.
    async fn evict_token_sessions(
        &self,
        pool: &UserPoolId,
        sub: &str,
        keep: usize,
        now: Timestamp,
    ) -> StoreResult<u64>;

    async fn create_group(&self, group: &Group) -> StoreResult<()>;
    async fn get_group(&self, pool: &UserPoolId, name: &GroupName) -> StoreResult<Group>;
    async fn list_groups(
        &self,
        pool: &UserPoolId,
        page: &PageRequest,
    ) -> StoreResult<Listing<Group>>;
    async fn update_group(&self, group: &Group) -> StoreResult<()>;
    /// Deletes the group and its memberships.
    async fn delete_group(&self, pool: &UserPoolId, name: &GroupName) -> StoreResult<()>;
    /// Idempotent; NotFound if the user or the group is gone.
    async fn add_user_to_group(
        &self,
        pool: &UserPoolId,
        sub: &str,
        group: &GroupName,
    ) -> StoreResult<()>;
    async fn remove_user_from_group(
        &self,
        pool: &UserPoolId,
        sub: &str,
        group: &GroupName,
    ) -> StoreResult<()>;
    async fn list_groups_for_user(
        &self,
        pool: &UserPoolId,
        sub: &str,
        page: &PageRequest,
    ) -> StoreResult<Listing<Group>>;
    async fn list_users_in_group(
        &self,
        pool: &UserPoolId,
        group: &GroupName,
        page: &PageRequest,
    ) -> StoreResult<Listing<User>>;

    /// Adds a confirmed device; `Conflict(DeviceKey)` if the key is taken,
    /// `NotFound` if the user is gone.
    async fn create_device(&self, device: &Device) -> StoreResult<()>;
    /// The user's device with `key` (another user's is `NotFound`).
    async fn get_device(&self, pool: &UserPoolId, sub: &str, key: &str) -> StoreResult<Device>;
    /// The user's devices, oldest first.
    async fn list_devices(
        &self,
        pool: &UserPoolId,
        sub: &str,
        page: &PageRequest,
    ) -> StoreResult<Listing<Device>>;
    /// Replaces the device's name, status, dates and pending challenge (the
    /// key, owner and verifier never change).
    async fn update_device(&self, device: &Device) -> StoreResult<()>;
    async fn delete_device(&self, pool: &UserPoolId, sub: &str, key: &str) -> StoreResult<()>;

    /// Registers a passkey; `Conflict(PasskeyId)` if its credential id is
    /// registered already, `NotFound` if the user is gone.
    async fn create_passkey(&self, passkey: &Passkey) -> StoreResult<()>;
    /// The user's passkeys, oldest first.
    async fn list_passkeys(
        &self,
        pool: &UserPoolId,
        sub: &str,
        page: &PageRequest,
    ) -> StoreResult<Listing<Passkey>>;
    /// Records a sign-in with the passkey: its new credential (counter),
    /// last use and challenge, only if the stored credential is still
    /// `previous` and `passkey.last_challenge` is not the one stored
    /// (`Conflict(Changed)` otherwise: a concurrent or replayed assertion).
    async fn record_passkey_use(&self, passkey: &Passkey, previous: &str) -> StoreResult<()>;
    async fn delete_passkey(
        &self,
        pool: &UserPoolId,
        sub: &str,
        credential_id: &str,
    ) -> StoreResult<()>;
    /// Keeps the user's pending registration, replacing any earlier one.
    async fn put_passkey_registration(&self, registration: &PasskeyRegistration)
    -> StoreResult<()>;
    /// Removes and returns the user's pending registration (`NotFound` if
    /// none), so a registration challenge is answered at most once.
    async fn take_passkey_registration(
        &self,
        pool: &UserPoolId,
        sub: &str,
    ) -> StoreResult<PasskeyRegistration>;

    async fn put_document(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
        key: &str,
        document: &serde_json::Value,
        write: DocumentWrite,
    ) -> StoreResult<()>;
    async fn get_document(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
        key: &str,
    ) -> StoreResult<serde_json::Value>;
    /// The pool's documents of `kind`, by key.
    async fn list_documents(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
        page: &PageRequest,
    ) -> StoreResult<Listing<(String, serde_json::Value)>>;
    async fn delete_document(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
        key: &str,
    ) -> StoreResult<()>;

    /// `Conflict::Domain` when any pool has the domain.
    async fn create_domain(&self, domain: &PoolDomain) -> StoreResult<()>;
    async fn get_domain(&self, domain: &str) -> StoreResult<PoolDomain>;
    /// The pool's domains (a prefix and a custom domain at most).
    async fn pool_domains(&self, pool: &UserPoolId) -> StoreResult<Vec<PoolDomain>>;
    /// Replaces the domain's settings (its name, pool and kind never change).
    async fn update_domain(&self, domain: &PoolDomain) -> StoreResult<()>;
    async fn delete_domain(&self, pool: &UserPoolId, domain: &str) -> StoreResult<()>;

    /// Keeps a new authorization code (and drops codes a day past expiry at `now`).
    async fn put_authorization_code(
        &self,
        code: &AuthorizationCode,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Redeems the code with this hash, unexpired at `now`, binding it to
    /// the token family `family`; exactly one of any number of concurrent
    /// redemptions is `Granted`. `NotFound` for an unknown or expired code.
    async fn redeem_authorization_code(
        &self,
        code_hash: &[u8],
        family: &str,
        now: Timestamp,
    ) -> StoreResult<Redemption>;
    /// Whether the code was replayed after its first redemption.
    async fn authorization_code_replayed(&self, code_hash: &[u8]) -> StoreResult<bool>;

    // ---- Housekeeping ----

    /// Deletes, as of `now`, records nothing needs any more
    /// ([`PurgeCutoffs`](crate::domain::housekeeping::PurgeCutoffs)): at most
    /// `batch_limit` of each kind, in one transaction. `None` when another
    /// node is purging this database at the moment (the round is skipped).
    async fn purge_expired(
        &self,
        now: Timestamp,
        batch_limit: u32,
    ) -> StoreResult<Option<PurgeReport>>;

    // ---- User import jobs (issue 17) ----

    /// `Conflict::ImportJob` if the pool has a job with that id.
    async fn create_import_job(&self, job: &ImportJob) -> StoreResult<()>;
    async fn get_import_job(&self, pool: &UserPoolId, job_id: &str) -> StoreResult<ImportJob>;
    /// The pool's jobs, oldest first.
    async fn list_import_jobs(
        &self,
        pool: &UserPoolId,
        page: &PageRequest,
    ) -> StoreResult<Listing<ImportJob>>;
    /// Moves the job to `to` if its status is one of `from` (setting
    /// `completed` when given); `None` when its status is not, changing nothing.
    async fn set_import_job_status(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        from: &[ImportJobStatus],
        to: ImportJobStatus,
        completed: Option<Timestamp>,
    ) -> StoreResult<Option<ImportJob>>;
    /// Starts the job's one upload: `false` if its file was uploaded, is
    /// being uploaded, or the job has left Created.
    async fn begin_import_upload(&self, pool: &UserPoolId, job_id: &str) -> StoreResult<bool>;
    /// Stores chunk `index` (0-based, `CHUNK_BYTES` long but the last) of an upload begun.
    async fn put_import_chunk(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        index: u64,
        bytes: &[u8],
    ) -> StoreResult<()>;
    /// Ends the upload: `Some(bytes)` keeps the file; `None` (the upload
    /// broke off) drops its chunks and lets the URL be used again.
    async fn end_import_upload(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        bytes: Option<u64>,
    ) -> StoreResult<()>;
    /// Chunk `index` of the job's file; NotFound past its end.
    async fn get_import_chunk(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        index: u64,
    ) -> StoreResult<Vec<u8>>;
    /// Takes the lease of one job to process (Pending, InProgress or
    /// Stopping) whose lease is free or expired at `now`, making a Pending
    /// job InProgress with its start date; on several nodes, one node gets it.
    async fn claim_import_job(
        &self,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<ImportJob>>;
    /// Creates the batch's users, records its failures and advances the
    /// job's position and counters, in one transaction, if `owner` still
    /// holds the lease (renewing it). A user the database refuses fails its row.
    async fn commit_import_batch(&self, batch: &ImportBatch) -> StoreResult<BatchOutcome>;
    /// Ends the job (Succeeded, Failed or Stopped) if `owner` holds its
    /// lease, releasing it and dropping the file's chunks; `false` otherwise.
    async fn finish_import_job(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        owner: &str,
        status: ImportJobStatus,
        message: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The job's failed rows after row `after_row`, by row, at most `limit`.
    async fn list_import_failures(
        &self,
        pool: &UserPoolId,
        job_id: &str,
        after_row: u64,
        limit: usize,
    ) -> StoreResult<Vec<ImportFailure>>;

    // ---- Advanced security: users' auth events and the admin audit log ----

    /// Keeps a new auth event of the user; `NotFound` if the user is gone.
    async fn record_auth_event(&self, event: &AuthEvent) -> StoreResult<()>;
    /// The user's auth events, newest first; `NotFound` if the user is gone.
    async fn list_auth_events(
        &self,
        pool: &UserPoolId,
        sub: &str,
        page: &PageRequest,
    ) -> StoreResult<Listing<AuthEvent>>;
    /// Replaces the event's feedback; `NotFound` if the event is not the user's.
    async fn set_auth_event_feedback(
        &self,
        pool: &UserPoolId,
        sub: &str,
        event_id: &str,
        feedback: &EventFeedback,
    ) -> StoreResult<()>;
    /// Appends to the admin audit log. Entries outlive what they name and are
    /// never changed or removed: the trait has no method that would.
    async fn append_audit_entry(&self, entry: &AuditEntry) -> StoreResult<()>;
    /// The audit log, oldest first; only the pool's entries when `pool` is given.
    async fn list_audit_entries(
        &self,
        pool: Option<&str>,
        page: &PageRequest,
    ) -> StoreResult<Listing<AuditEntry>>;

    // ---- Identity pools (issue 16) ----

    async fn create_identity_pool(&self, pool: &IdentityPool) -> StoreResult<()>;
    async fn get_identity_pool(&self, id: &IdentityPoolId) -> StoreResult<IdentityPool>;
    /// Every identity pool, oldest first.
    async fn list_identity_pools(&self, page: &PageRequest) -> StoreResult<Listing<IdentityPool>>;
    /// Replaces the pool's record (its id and creation date never change) if
    /// its stored version is still `pool.version`, counting it up;
    /// `Conflict(Changed)` when another update came first, `NotFound` when
    /// the pool is gone. Reads return the stored version; a new pool's is 0.
    async fn update_identity_pool(&self, pool: &IdentityPool) -> StoreResult<()>;
    /// Deletes the pool with all its identities and their logins.
    async fn delete_identity_pool(&self, id: &IdentityPoolId) -> StoreResult<()>;

    /// Creates the identity with its logins, in one transaction;
    /// `Conflict(IdentityLogin)` when another identity of the pool holds one
    /// of them, `NotFound` when the pool is gone.
    async fn create_identity(&self, identity: &Identity) -> StoreResult<()>;
    async fn get_identity(&self, id: &IdentityId) -> StoreResult<Identity>;
    /// The identity of `pool` that holds `login`.
    async fn find_identity_by_login(
        &self,
        pool: &IdentityPoolId,
        login: &IdentityLogin,
    ) -> StoreResult<Identity>;
    /// Links `logins` to the identity and sets its modified date to `now`, in
    /// one transaction. A login the identity already holds stays;
    /// `Conflict(IdentityLogin)` when another identity holds one (nothing
    /// changes), `NotFound` when the identity is gone.
    async fn link_identity_logins(
        &self,
        id: &IdentityId,
        logins: &[IdentityLogin],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Removes those of `logins` the identity holds and sets its modified
    /// date; `NotFound` when the identity is gone.
    async fn unlink_identity_logins(
        &self,
        id: &IdentityId,
        logins: &[IdentityLogin],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Moves every login of `source` to `destination` (same pool) and deletes
    /// `source`, in one transaction; `NotFound` when either is gone.
    async fn merge_identities(
        &self,
        source: &IdentityId,
        destination: &IdentityId,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Deletes those of the identities that exist, with their logins.
    async fn delete_identities(&self, ids: &[IdentityId]) -> StoreResult<()>;
    /// The pool's identities, oldest first; `NotFound` when the pool is gone.
    async fn list_identities(
        &self,
        pool: &IdentityPoolId,
        page: &PageRequest,
    ) -> StoreResult<Listing<Identity>>;

    /// The identity service's OpenID-token signing keys (one install-wide
    /// set, not a pool's: records carry [`IDENTITY_KEYS`] as their pool id),
    /// retired ones included, oldest first.
    async fn identity_signing_keys(&self) -> StoreResult<Vec<SigningKeyRecord>>;
    /// Stores `keys` only if there are none yet; returns the keys kept.
    async fn init_identity_signing_keys(
        &self,
        keys: &[SigningKeyRecord],
    ) -> StoreResult<Vec<SigningKeyRecord>>;
    /// Retires the active identity keys at `now` and stores `keys` in their place.
    async fn rotate_identity_signing_keys(
        &self,
        keys: &[SigningKeyRecord],
        now: Timestamp,
    ) -> StoreResult<()>;
}

/// The pool id of the identity service's signing-key records.
pub const IDENTITY_KEYS: &str = "cognito-identity";
