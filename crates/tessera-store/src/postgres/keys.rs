//! Signing keys: each user pool's, and the identity service's one install-wide
//! set, kept in a table of its own since no user pool owns it.

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::signing_key::{KeyPurpose, SigningKeyRecord};
use tessera_core::ids::UserPoolId;
use tessera_core::store::IDENTITY_KEYS;
use tokio_postgres::Row;

use super::codec::{PgResult, execute, pool_seq, query, query_found};

fn from_row(pool: &UserPoolId, row: &Row) -> PgResult<SigningKeyRecord> {
    let purpose: &str = row.try_get(1)?;
    Ok(SigningKeyRecord {
        pool_id: pool.clone(),
        kid: row.try_get(0)?,
        purpose: KeyPurpose::parse(purpose).unwrap_or(KeyPurpose::AccessToken),
        private_key: row.try_get(2)?,
        public_jwk: row.try_get(3)?,
        created: Timestamp(row.try_get(4)?),
        retired: row.try_get::<_, Option<i64>>(5)?.map(Timestamp),
    })
}

pub async fn list(c: &impl GenericClient, pool: &UserPoolId) -> PgResult<Vec<SigningKeyRecord>> {
    let seq = pool_seq(c, pool.as_str()).await?;
    query(
        c,
        "SELECT kid, purpose, private_key, public_jwk, created, retired FROM signing_keys
         WHERE pool = $1 ORDER BY created, kid",
        &[&seq],
    )
    .await?
    .iter()
    .map(|row| from_row(pool, row))
    .collect()
}

/// Locks the pool's row against other key changes (not against its users'
/// writes, whose foreign keys take only a key-share lock), so concurrent first
/// uses and rotations on different nodes run one after the other.
async fn lock_pool(c: &impl GenericClient, pool: &UserPoolId) -> PgResult<i64> {
    let row = query_found(
        c,
        "SELECT seq FROM pools WHERE id = $1 FOR NO KEY UPDATE",
        &[&pool.as_str()],
    )
    .await?;
    Ok(row.try_get(0)?)
}

async fn insert(c: &impl GenericClient, seq: i64, keys: &[SigningKeyRecord]) -> PgResult<()> {
    for key in keys {
        execute(
            c,
            "INSERT INTO signing_keys (pool, kid, purpose, private_key, public_jwk, created, retired)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &seq,
                &key.kid,
                &key.purpose.as_str(),
                &key.private_key,
                &key.public_jwk,
                &key.created.millis(),
                &key.retired.map(Timestamp::millis),
            ],
        )
        .await?;
    }
    Ok(())
}

pub async fn init(
    c: &impl GenericClient,
    pool: &UserPoolId,
    keys: &[SigningKeyRecord],
) -> PgResult<Vec<SigningKeyRecord>> {
    let seq = lock_pool(c, pool).await?;
    let existing = query_found(
        c,
        "SELECT count(*) FROM signing_keys WHERE pool = $1",
        &[&seq],
    )
    .await?;
    if existing.try_get::<_, i64>(0)? == 0 {
        insert(c, seq, keys).await?;
    }
    list(c, pool).await
}

pub async fn rotate(
    c: &impl GenericClient,
    pool: &UserPoolId,
    keys: &[SigningKeyRecord],
    now: Timestamp,
) -> PgResult<()> {
    let seq = lock_pool(c, pool).await?;
    execute(
        c,
        "UPDATE signing_keys SET retired = $2 WHERE pool = $1 AND retired IS NULL",
        &[&seq, &now.millis()],
    )
    .await?;
    insert(c, seq, keys).await
}

const IDENTITY_COLUMNS: &str = "kid, purpose, private_key, public_jwk, created, retired";

/// The advisory lock that orders changes to the identity keys: no row owns
/// the set to lock instead. "idkeys" in ASCII.
const IDENTITY_KEYS_LOCK: i64 = 0x0000_6964_6b65_7973;

pub async fn list_identity(c: &impl GenericClient) -> PgResult<Vec<SigningKeyRecord>> {
    let pool = UserPoolId::new(IDENTITY_KEYS);
    query(
        c,
        &format!("SELECT {IDENTITY_COLUMNS} FROM identity_signing_keys ORDER BY created, kid"),
        &[],
    )
    .await?
    .iter()
    .map(|row| from_row(&pool, row))
    .collect()
}

/// Makes concurrent first uses and rotations on different nodes run one
/// after the other; held until the transaction ends.
async fn lock_identity_keys(c: &impl GenericClient) -> PgResult<()> {
    execute(
        c,
        "SELECT pg_advisory_xact_lock($1)",
        &[&IDENTITY_KEYS_LOCK],
    )
    .await?;
    Ok(())
}

async fn insert_identity(c: &impl GenericClient, keys: &[SigningKeyRecord]) -> PgResult<()> {
    for key in keys {
        execute(
            c,
            &format!(
                "INSERT INTO identity_signing_keys ({IDENTITY_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6)"
            ),
            &[
                &key.kid,
                &key.purpose.as_str(),
                &key.private_key,
                &key.public_jwk,
                &key.created.millis(),
                &key.retired.map(Timestamp::millis),
            ],
        )
        .await?;
    }
    Ok(())
}

pub async fn init_identity(
    c: &impl GenericClient,
    keys: &[SigningKeyRecord],
) -> PgResult<Vec<SigningKeyRecord>> {
    lock_identity_keys(c).await?;
    let existing = query_found(c, "SELECT count(*) FROM identity_signing_keys", &[]).await?;
    if existing.try_get::<_, i64>(0)? == 0 {
        insert_identity(c, keys).await?;
    }
    list_identity(c).await
}

pub async fn rotate_identity(
    c: &impl GenericClient,
    keys: &[SigningKeyRecord],
    now: Timestamp,
) -> PgResult<()> {
    lock_identity_keys(c).await?;
    execute(
        c,
        "UPDATE identity_signing_keys SET retired = $1 WHERE retired IS NULL",
        &[&now.millis()],
    )
    .await?;
    insert_identity(c, keys).await
}
