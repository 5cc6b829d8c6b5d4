//! What every contract function is given (an [`Engine`] that opens the store
//! under test) and builders for the records they write.

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, json};
use tessera_core::clock::Timestamp;
use tessera_core::domain::client::{
    AppClient, ClientSecret, apply_setting_defaults as client_defaults,
};
use tessera_core::domain::group::Group;
use tessera_core::domain::pool::{UserPool, apply_setting_defaults as pool_defaults};
use tessera_core::domain::schema::build_schema;
use tessera_core::domain::user::{Alias, AliasKind, User, UserStatus};
use tessera_core::ids::{ClientId, GroupName, UserPoolId};
use tessera_core::store::{Listing, PageRequest, Store, StoreError, StoreResult};

/// A store being opened.
pub type Opened = Pin<Box<dyn Future<Output = Arc<dyn Store>> + Send>>;

/// Opens a store over the database that belongs to one directory.
pub type Opener = Arc<dyn Fn(PathBuf) -> Opened + Send + Sync>;

/// One test's database. `open` may be called again after the previous store
/// was dropped, and must reach the same data (the durability contract).
pub struct Engine {
    dir: tempfile::TempDir,
    opener: Opener,
}

impl Engine {
    pub fn new(opener: Opener) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        Self { dir, opener }
    }

    pub async fn open(&self) -> Arc<dyn Store> {
        (self.opener)(self.dir.path().to_path_buf()).await
    }
}

/// The instant every fixture is stamped with (2025-01-02T03:04:05.678Z).
pub const T0: Timestamp = Timestamp(1_735_787_045_678);

pub fn later(seconds: i64) -> Timestamp {
    T0.plus_seconds(seconds)
}

static SEQUENCE: AtomicU64 = AtomicU64::new(1);

/// A fresh UUID-shaped `sub`, unique within the test binary.
pub fn new_sub() -> String {
    let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    format!("00000000-0000-4000-8000-{n:012x}")
}

pub fn pool_id(suffix: &str) -> UserPoolId {
    UserPoolId::new(format!("us-east-1_{suffix}"))
}

pub fn pool(suffix: &str) -> UserPool {
    let id = pool_id(suffix);
    let mut settings = Map::new();
    settings.insert(
        "Policies".into(),
        json!({"PasswordPolicy": {"MinimumLength": 10, "RequireNumbers": true}}),
    );
    settings.insert("AliasAttributes".into(), json!(["email", "phone_number"]));
    settings.insert(
        "AdminCreateUserConfig".into(),
        json!({"InviteMessageTemplate": {"EmailMessage": "Hi {username}: {####} — ünïcödé"}}),
    );
    pool_defaults(&mut settings);
    let mut tags = BTreeMap::new();
    tags.insert("team".to_owned(), "identity".to_owned());
    tags.insert("env".to_owned(), "test".to_owned());
    UserPool {
        arn: format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}"),
        id,
        name: format!("pool {suffix}"),
        created: T0,
        modified: T0,
        settings,
        schema: build_schema(&[]).expect("standard schema"),
        tags,
    }
}

pub fn client_id(n: usize) -> ClientId {
    ClientId::new(format!("{n:0>26}"))
}

/// A sealed-looking secret of `client` made at `created`.
pub fn client_secret(client: &ClientId, created: Timestamp, initial: bool) -> ClientSecret {
    ClientSecret {
        id: ClientSecret::id_for(client, created),
        sealed: vec![0, 1, 2, 254, 255, 7, 42, created.millis().to_le_bytes()[0]],
        created,
        initial,
    }
}

pub fn client(pool: &UserPoolId, id: ClientId) -> AppClient {
    let mut settings = Map::new();
    settings.insert(
        "ExplicitAuthFlows".into(),
        json!(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]),
    );
    settings.insert("CallbackURLs".into(), json!(["https://example.com/cb"]));
    client_defaults(&mut settings);
    AppClient {
        pool_id: pool.clone(),
        name: format!("client {}", id.as_str()),
        secrets: vec![client_secret(&id, T0, true)],
        id,
        created: T0,
        modified: T0,
        settings,
    }
}

/// A confirmed user with no aliases, `username_key` equal to `username`.
pub fn user(pool: &UserPoolId, username: &str) -> User {
    let sub = new_sub();
    let mut attributes = BTreeMap::new();
    attributes.insert("sub".to_owned(), sub.clone());
    User {
        pool_id: pool.clone(),
        sub,
        username: username.to_owned(),
        username_key: username.to_owned(),
        status: UserStatus::Confirmed,
        enabled: true,
        created: T0,
        modified: T0,
        attributes,
        password: Some(vec![9, 8, 7, 0, 255]),
        password_expires: None,
        aliases: Vec::new(),
        sign_in_failures: Default::default(),
        mfa: Default::default(),
        pending_attributes: Default::default(),
    }
}

pub fn with_attr(mut user: User, name: &str, value: &str) -> User {
    user.attributes.insert(name.to_owned(), value.to_owned());
    user
}

/// A user whose verified email is an alias.
pub fn user_with_email(pool: &UserPoolId, username: &str, email: &str) -> User {
    let mut u = with_attr(user(pool, username), "email", email);
    u = with_attr(u, "email_verified", "true");
    u.aliases.push(email_alias(email));
    u
}

pub fn email_alias(value: &str) -> Alias {
    Alias {
        kind: AliasKind::Email,
        value: value.to_owned(),
    }
}

pub fn phone_alias(value: &str) -> Alias {
    Alias {
        kind: AliasKind::PhoneNumber,
        value: value.to_owned(),
    }
}

pub fn group(pool: &UserPoolId, name: &str) -> Group {
    Group {
        pool_id: pool.clone(),
        name: GroupName::new(name),
        description: Some(format!("the {name} group")),
        precedence: Some(3),
        role_arn: Some("arn:aws:iam::000000000000:role/r".into()),
        created: T0,
        modified: T0,
    }
}

pub fn page(after: Option<String>, limit: usize) -> PageRequest {
    PageRequest { after, limit }
}

/// Aliases in a stable order, so records compare regardless of row order.
pub fn normalized(mut user: User) -> User {
    user.aliases.sort();
    user
}

/// Follows `next` from the first page to the last, checking every page's
/// size: full pages before the last, and no `next` after it.
pub async fn collect_pages<T, F, Fut>(limit: usize, mut fetch: F) -> Vec<T>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = StoreResult<Listing<T>>>,
{
    let mut all = Vec::new();
    let mut after = None;
    for _ in 0..10_000 {
        let listing = fetch(page(after.clone(), limit))
            .await
            .expect("listing a page");
        assert!(
            listing.items.len() <= limit,
            "a page holds {} items, more than the limit {limit}",
            listing.items.len()
        );
        let got = listing.items.len();
        all.extend(listing.items);
        match listing.next {
            Some(next) => {
                assert_eq!(
                    got, limit,
                    "a page with a continuation must be full (limit {limit})"
                );
                assert_ne!(Some(&next), after.as_ref(), "the continuation did not move");
                after = Some(next);
            }
            None => return all,
        }
    }
    panic!("pagination did not end after 10000 pages");
}

/// Asserts `got` holds exactly `expected`, each once.
pub fn assert_same_set<K>(what: &str, got: Vec<K>, expected: Vec<K>)
where
    K: std::hash::Hash + Eq + Ord + Clone + std::fmt::Debug,
{
    let mut seen = HashSet::new();
    let duplicates: Vec<&K> = got.iter().filter(|k| !seen.insert(*k)).collect();
    assert!(duplicates.is_empty(), "{what}: duplicates {duplicates:?}");
    let mut got_sorted = got.clone();
    got_sorted.sort();
    let mut expected_sorted = expected;
    expected_sorted.sort();
    let missing: Vec<&K> = expected_sorted
        .iter()
        .filter(|k| !got_sorted.contains(k))
        .collect();
    let extra: Vec<&K> = got_sorted
        .iter()
        .filter(|k| !expected_sorted.contains(k))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: missing {missing:?}, unexpected {extra:?}"
    );
}

#[track_caller]
pub fn assert_not_found<T: std::fmt::Debug>(what: &str, result: StoreResult<T>) {
    match result {
        Err(StoreError::NotFound) => {}
        other => panic!("{what}: expected NotFound, got {other:?}"),
    }
}

#[track_caller]
pub fn assert_conflict<T: std::fmt::Debug>(
    what: &str,
    result: StoreResult<T>,
    expected: tessera_core::store::Conflict,
) {
    match result {
        Err(StoreError::Conflict(c)) if c == expected => {}
        other => panic!("{what}: expected Conflict({expected:?}), got {other:?}"),
    }
}

// Builders for one-time codes, signing keys and tokens.

use tessera_core::domain::code::{CodePurpose, CodeRecord};
use tessera_core::domain::session::SessionActivity;
use tessera_core::domain::signing_key::{KeyPurpose, SigningKeyRecord};
use tessera_core::domain::token::{RefreshTokenRecord, TokenFamily};

/// A 32-byte hash-shaped value, distinct for each `n`, with bytes 0 and 255 in it.
pub fn hash_bytes(n: u8) -> Vec<u8> {
    let mut bytes = vec![0u8, 255, n];
    bytes.extend((0..29u8).map(|i| i.wrapping_mul(31).wrapping_add(n)));
    bytes
}

pub fn code(
    pool: &UserPoolId,
    sub: &str,
    purpose: CodePurpose,
    code_hash: Vec<u8>,
    expires: Timestamp,
) -> CodeRecord {
    CodeRecord {
        pool_id: pool.clone(),
        sub: sub.to_owned(),
        purpose,
        code_hash,
        expires,
    }
}

/// An active signing key named `kid`, created at `created`.
pub fn signing_key(
    pool: &UserPoolId,
    kid: &str,
    purpose: KeyPurpose,
    created: Timestamp,
) -> SigningKeyRecord {
    SigningKeyRecord {
        pool_id: pool.clone(),
        kid: kid.to_owned(),
        purpose,
        private_key: format!("sealed {kid}")
            .into_bytes()
            .into_iter()
            .chain([0, 255])
            .collect(),
        public_jwk: format!(r#"{{"kty":"RSA","kid":"{kid}","use":"sig","n":"ünï","e":"AQAB"}}"#),
        created,
        retired: None,
    }
}

/// An unrevoked family started at `T0`, its refresh tokens working for 30 days.
pub fn token_family(
    pool: &UserPoolId,
    sub: &str,
    client: &ClientId,
    origin_jti: &str,
) -> TokenFamily {
    TokenFamily {
        origin_jti: origin_jti.to_owned(),
        pool_id: pool.clone(),
        sub: sub.to_owned(),
        client_id: client.clone(),
        auth_time: T0,
        expires: later(30 * 86_400),
        revoked: false,
        device_key: None,
        scopes: None,
        activity: SessionActivity {
            at: T0,
            ip: Some("203.0.113.7".into()),
            user_agent: Some("Boto3/1.44.8 md/Botocore#1.44.8 os/linux#6.1".into()),
        },
    }
}

/// A refresh token of the family `origin_jti`, not superseded.
pub fn refresh_token(
    origin_jti: &str,
    token_hash: Vec<u8>,
    created: Timestamp,
) -> RefreshTokenRecord {
    RefreshTokenRecord {
        token_hash,
        origin_jti: origin_jti.to_owned(),
        created,
        superseded: None,
    }
}
