//! One-time codes.

use rusqlite::{Connection, params};
use tessera_core::domain::code::CodeRecord;
use tessera_core::store::StoreResult;

use super::codec::{backend, found, pool_seq};

pub fn put(conn: &Connection, code: &CodeRecord) -> StoreResult<()> {
    let pool = pool_seq(conn, code.pool_id.as_str())?;
    let user: i64 = found(conn.query_row(
        "SELECT id FROM users WHERE pool = ?1 AND sub = ?2",
        params![pool, code.sub],
        |r| r.get(0),
    ))?;
    conn.execute(
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
