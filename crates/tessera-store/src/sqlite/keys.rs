//! Signing keys: each user pool's, and the identity service's one install-wide
//! set, kept in a table of its own since no user pool owns it.

use rusqlite::{Connection, Row, params};
use tessera_core::clock::Timestamp;
use tessera_core::domain::signing_key::{KeyPurpose, SigningKeyRecord};
use tessera_core::ids::UserPoolId;
use tessera_core::store::{IDENTITY_KEYS, StoreResult};

use super::codec::{CachedStatements, backend, pool_seq};

fn from_row(pool: &UserPoolId) -> impl Fn(&Row<'_>) -> rusqlite::Result<SigningKeyRecord> + '_ {
    move |row| {
        let purpose: String = row.get(1)?;
        Ok(SigningKeyRecord {
            pool_id: pool.clone(),
            kid: row.get(0)?,
            purpose: KeyPurpose::parse(&purpose).unwrap_or(KeyPurpose::AccessToken),
            private_key: row.get(2)?,
            public_jwk: row.get(3)?,
            created: Timestamp(row.get(4)?),
            retired: row.get::<_, Option<i64>>(5)?.map(Timestamp),
        })
    }
}

pub fn list(conn: &Connection, pool: &UserPoolId) -> StoreResult<Vec<SigningKeyRecord>> {
    let seq = pool_seq(conn, pool.as_str())?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT kid, purpose, private_key, public_jwk, created, retired FROM signing_keys
             WHERE pool = ?1 ORDER BY created, kid",
        )
        .map_err(backend)?;
    stmt.query_map([seq], from_row(pool))
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)
}

fn insert(conn: &Connection, seq: i64, keys: &[SigningKeyRecord]) -> StoreResult<()> {
    for key in keys {
        conn.execute_cached(
            "INSERT INTO signing_keys (pool, kid, purpose, private_key, public_jwk, created, retired)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                seq,
                key.kid,
                key.purpose.as_str(),
                key.private_key,
                key.public_jwk,
                key.created.millis(),
                key.retired.map(Timestamp::millis),
            ],
        )
        .map_err(backend)?;
    }
    Ok(())
}

pub fn init(
    conn: &Connection,
    pool: &UserPoolId,
    keys: &[SigningKeyRecord],
) -> StoreResult<Vec<SigningKeyRecord>> {
    let seq = pool_seq(conn, pool.as_str())?;
    let existing: i64 = conn
        .query_row(
            "SELECT count(*) FROM signing_keys WHERE pool = ?1",
            [seq],
            |r| r.get(0),
        )
        .map_err(backend)?;
    if existing == 0 {
        insert(conn, seq, keys)?;
    }
    list(conn, pool)
}

pub fn rotate(
    conn: &Connection,
    pool: &UserPoolId,
    keys: &[SigningKeyRecord],
    now: Timestamp,
) -> StoreResult<()> {
    let seq = pool_seq(conn, pool.as_str())?;
    conn.execute_cached(
        "UPDATE signing_keys SET retired = ?2 WHERE pool = ?1 AND retired IS NULL",
        params![seq, now.millis()],
    )
    .map_err(backend)?;
    insert(conn, seq, keys)
}

const IDENTITY_COLUMNS: &str = "kid, purpose, private_key, public_jwk, created, retired";

pub fn list_identity(conn: &Connection) -> StoreResult<Vec<SigningKeyRecord>> {
    let pool = UserPoolId::new(IDENTITY_KEYS);
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {IDENTITY_COLUMNS} FROM identity_signing_keys ORDER BY created, kid"
        ))
        .map_err(backend)?;
    stmt.query_map([], from_row(&pool))
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)
}

fn insert_identity(conn: &Connection, keys: &[SigningKeyRecord]) -> StoreResult<()> {
    for key in keys {
        conn.execute_cached(
            &format!(
                "INSERT INTO identity_signing_keys ({IDENTITY_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            ),
            params![
                key.kid,
                key.purpose.as_str(),
                key.private_key,
                key.public_jwk,
                key.created.millis(),
                key.retired.map(Timestamp::millis),
            ],
        )
        .map_err(backend)?;
    }
    Ok(())
}

pub fn init_identity(
    conn: &Connection,
    keys: &[SigningKeyRecord],
) -> StoreResult<Vec<SigningKeyRecord>> {
    let existing: i64 = conn
        .query_row("SELECT count(*) FROM identity_signing_keys", [], |r| {
            r.get(0)
        })
        .map_err(backend)?;
    if existing == 0 {
        insert_identity(conn, keys)?;
    }
    list_identity(conn)
}

pub fn rotate_identity(
    conn: &Connection,
    keys: &[SigningKeyRecord],
    now: Timestamp,
) -> StoreResult<()> {
    conn.execute_cached(
        "UPDATE identity_signing_keys SET retired = ?1 WHERE retired IS NULL",
        [now.millis()],
    )
    .map_err(backend)?;
    insert_identity(conn, keys)
}
