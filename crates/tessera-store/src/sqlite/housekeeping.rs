//! Purging what expired: each kind in a batch of at most `limit` rows, all in
//! the one write transaction the writer gives this job.

use rusqlite::{Connection, params};
use tessera_core::clock::Timestamp;
use tessera_core::domain::housekeeping::{PurgeCutoffs, PurgeReport};
use tessera_core::store::StoreResult;

use super::codec::{CachedStatements, backend};

fn run(conn: &Connection, sql: &str, cutoff: Timestamp, limit: u32) -> StoreResult<u64> {
    let changed = conn
        .execute_cached(sql, params![cutoff.millis(), limit])
        .map_err(backend)?;
    Ok(changed as u64)
}

/// The chunks of files no job will read again: an ended job's, and one never
/// started past its window.
const IMPORT_CHUNKS: &str = "DELETE FROM user_import_chunks WHERE (job, idx) IN
   (SELECT c.job, c.idx FROM user_import_chunks c JOIN user_import_jobs j ON j.seq = c.job
    WHERE j.status IN ('Stopped', 'Failed', 'Succeeded', 'Expired')
       OR (j.status = 'Created' AND j.created < ?1)
    LIMIT ?2)";

pub fn purge(conn: &Connection, now: Timestamp, limit: u32) -> StoreResult<PurgeReport> {
    let cut = PurgeCutoffs::at(now);
    Ok(PurgeReport {
        codes: run(
            conn,
            "DELETE FROM codes WHERE (user_id, purpose) IN
               (SELECT user_id, purpose FROM codes WHERE expires <= ?1 LIMIT ?2)",
            cut.codes,
            limit,
        )?,
        // A family's refresh tokens go first, a batch at a time, so one
        // family rotated many times cannot make a batch unbounded.
        refresh_tokens: run(
            conn,
            "DELETE FROM refresh_tokens WHERE token_hash IN
               (SELECT r.token_hash FROM token_families f
                  JOIN refresh_tokens r ON r.origin_jti = f.origin_jti
                WHERE f.expires <= ?1 LIMIT ?2)",
            cut.token_families,
            limit,
        )?,
        token_families: run(
            conn,
            "DELETE FROM token_families WHERE origin_jti IN
               (SELECT f.origin_jti FROM token_families f
                WHERE f.expires <= ?1
                  AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.origin_jti = f.origin_jti)
                LIMIT ?2)",
            cut.token_families,
            limit,
        )?,
        authorization_codes: run(
            conn,
            "DELETE FROM authorization_codes WHERE code_hash IN
               (SELECT code_hash FROM authorization_codes WHERE expires < ?1 LIMIT ?2)",
            cut.authorization_codes,
            limit,
        )?,
        sign_in_failures: run(
            conn,
            "UPDATE users SET failed_sign_ins = 0, last_failed_sign_in = NULL, locked_until = NULL
             WHERE id IN (SELECT id FROM users WHERE last_failed_sign_in <= ?1 LIMIT ?2)",
            cut.sign_in_failures,
            limit,
        )?,
        import_chunks: run(conn, IMPORT_CHUNKS, cut.import_files, limit)?,
        passkey_registrations: run(
            conn,
            "DELETE FROM webauthn_registrations WHERE user_id IN
               (SELECT user_id FROM webauthn_registrations WHERE expires <= ?1 LIMIT ?2)",
            cut.passkey_registrations,
            limit,
        )?,
    })
}
