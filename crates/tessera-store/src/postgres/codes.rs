//! One-time codes.

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::code::{CodeCheck, CodePurpose, CodeRecord};
use tessera_core::ids::UserPoolId;

use super::codec::{PgResult, execute, query_opt, user_row_id};

pub async fn put(c: &impl GenericClient, code: &CodeRecord) -> PgResult<()> {
    let user = user_row_id(c, code.pool_id.as_str(), &code.sub).await?;
    execute(
        c,
        "INSERT INTO codes (user_id, purpose, code_hash, expires, failed_attempts)
         VALUES ($1, $2, $3, $4, 0)
         ON CONFLICT (user_id, purpose) DO UPDATE
         SET code_hash = excluded.code_hash, expires = excluded.expires, failed_attempts = 0",
        &[
            &user,
            &code.purpose.key(),
            &code.code_hash,
            &code.expires.millis(),
        ],
    )
    .await?;
    Ok(())
}

/// The code's row is locked while it is judged, so two nodes checking the same
/// code at once cannot both use it, nor lose a failed attempt.
pub async fn check(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    purpose: &CodePurpose,
    code_hash: &[u8],
    now: Timestamp,
    max_failures: u32,
) -> PgResult<CodeCheck> {
    let user = user_row_id(c, pool.as_str(), sub).await?;
    let key = purpose.key();
    let Some(row) = query_opt(
        c,
        "SELECT code_hash, expires, failed_attempts FROM codes
         WHERE user_id = $1 AND purpose = $2 FOR UPDATE",
        &[&user, &key],
    )
    .await?
    else {
        return Ok(CodeCheck::Missing);
    };
    let hash: &[u8] = row.try_get(0)?;
    let expires: i64 = row.try_get(1)?;
    let failures = u32::try_from(row.try_get::<_, i32>(2)?).unwrap_or(0);
    let delete = async || {
        execute(
            c,
            "DELETE FROM codes WHERE user_id = $1 AND purpose = $2",
            &[&user, &key],
        )
        .await
    };
    if Timestamp(expires) <= now {
        delete().await?;
        return Ok(CodeCheck::Expired);
    }
    if tessera_crypto::random::ct_eq(hash, code_hash) {
        delete().await?;
        return Ok(CodeCheck::Valid);
    }
    if failures + 1 >= max_failures {
        delete().await?;
        return Ok(CodeCheck::TooManyFailures);
    }
    execute(
        c,
        "UPDATE codes SET failed_attempts = failed_attempts + 1 WHERE user_id = $1 AND purpose = $2",
        &[&user, &key],
    )
    .await?;
    Ok(CodeCheck::Mismatch)
}
