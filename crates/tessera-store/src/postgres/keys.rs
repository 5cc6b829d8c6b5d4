//! Signing keys.

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::signing_key::{KeyPurpose, SigningKeyRecord};
use tessera_core::ids::UserPoolId;
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
