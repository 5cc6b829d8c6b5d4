//! Purging what expired: each kind in a batch of at most `limit` rows, in one
//! transaction, by one node at a time. The node holding the transaction-level
//! advisory lock purges; another finds it taken and skips its round rather
//! than wait (the holder is doing the same work).

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::housekeeping::{PurgeCutoffs, PurgeReport};

use super::codec::{PgResult, execute, query_found};

/// The advisory lock's first key ("tess" in ASCII); the second is the hash of
/// the schema, so deployments sharing a database in separate schemas purge
/// independently.
pub const LOCK_CLASS: i32 = 0x7465_7373;

async fn run(c: &impl GenericClient, sql: &str, cutoff: Timestamp, limit: u32) -> PgResult<u64> {
    execute(c, sql, &[&cutoff.millis(), &i64::from(limit)]).await
}

/// `None` when another node holds the purge lock.
pub async fn purge(
    c: &impl GenericClient,
    now: Timestamp,
    limit: u32,
) -> PgResult<Option<PurgeReport>> {
    let locked: bool = query_found(
        c,
        "SELECT pg_try_advisory_xact_lock($1, hashtext(current_schema()))",
        &[&LOCK_CLASS],
    )
    .await?
    .try_get(0)?;
    if !locked {
        return Ok(None);
    }
    let cut = PurgeCutoffs::at(now);
    Ok(Some(PurgeReport {
        codes: run(
            c,
            "DELETE FROM codes WHERE (user_id, purpose) IN
               (SELECT user_id, purpose FROM codes WHERE expires <= $1 LIMIT $2)",
            cut.codes,
            limit,
        )
        .await?,
        // A family's refresh tokens go first, a batch at a time, so one
        // family rotated many times cannot make a batch unbounded.
        refresh_tokens: run(
            c,
            "DELETE FROM refresh_tokens WHERE token_hash IN
               (SELECT r.token_hash FROM token_families f
                  JOIN refresh_tokens r ON r.origin_jti = f.origin_jti
                WHERE f.expires <= $1 LIMIT $2)",
            cut.token_families,
            limit,
        )
        .await?,
        token_families: run(
            c,
            "DELETE FROM token_families WHERE origin_jti IN
               (SELECT f.origin_jti FROM token_families f
                WHERE f.expires <= $1
                  AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.origin_jti = f.origin_jti)
                LIMIT $2)",
            cut.token_families,
            limit,
        )
        .await?,
        authorization_codes: run(
            c,
            "DELETE FROM authorization_codes WHERE code_hash IN
               (SELECT code_hash FROM authorization_codes WHERE expires < $1 LIMIT $2)",
            cut.authorization_codes,
            limit,
        )
        .await?,
        sign_in_failures: run(
            c,
            "UPDATE users SET failed_sign_ins = 0, last_failed_sign_in = NULL, locked_until = NULL
             WHERE id IN (SELECT id FROM users WHERE last_failed_sign_in <= $1 LIMIT $2)",
            cut.sign_in_failures,
            limit,
        )
        .await?,
        // The chunks of files no job will read again: an ended job's, and
        // one never started past its window.
        import_chunks: run(
            c,
            "DELETE FROM user_import_chunks WHERE (job, idx) IN
               (SELECT c.job, c.idx FROM user_import_chunks c
                  JOIN user_import_jobs j ON j.seq = c.job
                WHERE j.status IN ('Stopped', 'Failed', 'Succeeded', 'Expired')
                   OR (j.status = 'Created' AND j.created < $1)
                LIMIT $2)",
            cut.import_files,
            limit,
        )
        .await?,
        passkey_registrations: run(
            c,
            "DELETE FROM webauthn_registrations WHERE user_id IN
               (SELECT user_id FROM webauthn_registrations WHERE expires <= $1 LIMIT $2)",
            cut.passkey_registrations,
            limit,
        )
        .await?,
    }))
}
