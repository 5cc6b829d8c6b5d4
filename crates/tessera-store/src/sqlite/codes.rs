//! One-time codes.

use rusqlite::{Connection, params};
use tessera_core::clock::Timestamp;
use tessera_core::domain::code::{CodeCheck, CodePurpose, CodeRecord};
use tessera_core::ids::UserPoolId;
use tessera_core::store::{StoreError, StoreResult};

use super::codec::{CachedStatements, backend, found, user_row};

pub fn put(conn: &Connection, code: &CodeRecord) -> StoreResult<()> {
    let user = user_row(conn, code.pool_id.as_str(), &code.sub)?;
    conn.execute_cached(
        "INSERT INTO codes (user_id, purpose, code_hash, expires, failed_attempts)
         VALUES (?1, ?2, ?3, ?4, 0)
         ON CONFLICT (user_id, purpose) DO UPDATE
         SET code_hash = excluded.code_hash, expires = excluded.expires, failed_attempts = 0",
        params![
            user,
            code.purpose.key(),
            code.code_hash,
            code.expires.millis()
        ],
    )
    .map_err(backend)?;
    Ok(())
}

pub fn check(
    conn: &Connection,
    pool: &UserPoolId,
    sub: &str,
    purpose: &CodePurpose,
    code_hash: &[u8],
    now: Timestamp,
    max_failures: u32,
) -> StoreResult<CodeCheck> {
    let user = user_row(conn, pool.as_str(), sub)?;
    let key = purpose.key();
    let stored = found(conn.query_row(
        "SELECT code_hash, expires, failed_attempts FROM codes WHERE user_id = ?1 AND purpose = ?2",
        params![user, key],
        |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, u32>(2)?,
            ))
        },
    ));
    let (hash, expires, failures) = match stored {
        Ok(row) => row,
        Err(StoreError::NotFound) => return Ok(CodeCheck::Missing),
        Err(e) => return Err(e),
    };
    let delete = || {
        conn.execute_cached(
            "DELETE FROM codes WHERE user_id = ?1 AND purpose = ?2",
            params![user, key],
        )
        .map_err(backend)
    };
    if Timestamp(expires) <= now {
        delete()?;
        return Ok(CodeCheck::Expired);
    }
    if tessera_crypto::random::ct_eq(&hash, code_hash) {
        delete()?;
        return Ok(CodeCheck::Valid);
    }
    if failures + 1 >= max_failures {
        delete()?;
        return Ok(CodeCheck::TooManyFailures);
    }
    conn.execute_cached(
        "UPDATE codes SET failed_attempts = failed_attempts + 1 WHERE user_id = ?1 AND purpose = ?2",
        params![user, key],
    )
    .map_err(backend)?;
    Ok(CodeCheck::Mismatch)
}
