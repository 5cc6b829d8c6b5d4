//! Token families and refresh tokens.

use rusqlite::{Connection, Row, params};
use tessera_core::clock::Timestamp;
use tessera_core::domain::session::SessionActivity;
use tessera_core::domain::token::{RefreshTokenRecord, TokenFamily};
use tessera_core::domain::user::User;
use tessera_core::ids::{ClientId, UserPoolId};
use tessera_core::store::{StoreError, StoreResult};

use super::codec::{CachedStatements, backend, found, pool_seq, user_row};
use super::users;

const FAMILY_COLUMNS: &str = "f.origin_jti, p.id, u.sub, f.client_id, f.auth_time, f.expires, f.revoked, f.device_key, f.scopes, f.last_active, f.last_ip, f.user_agent";
/// How many columns [`FAMILY_COLUMNS`] names.
const FAMILY_WIDTH: usize = 12;
const FAMILY_JOINS: &str =
    "token_families f JOIN users u ON u.id = f.user_id JOIN pools p ON p.seq = u.pool";

fn family_from(row: &Row<'_>, at: usize) -> rusqlite::Result<TokenFamily> {
    Ok(TokenFamily {
        origin_jti: row.get(at)?,
        pool_id: UserPoolId::new(row.get::<_, String>(at + 1)?),
        sub: row.get(at + 2)?,
        client_id: ClientId::new(row.get::<_, String>(at + 3)?),
        auth_time: Timestamp(row.get(at + 4)?),
        expires: Timestamp(row.get(at + 5)?),
        revoked: row.get(at + 6)?,
        device_key: row.get(at + 7)?,
        scopes: row.get(at + 8)?,
        activity: SessionActivity {
            at: Timestamp(row.get(at + 9)?),
            ip: row.get(at + 10)?,
            user_agent: row.get(at + 11)?,
        },
    })
}

fn insert_refresh(conn: &Connection, r: &RefreshTokenRecord) -> StoreResult<()> {
    conn.execute_cached(
        "INSERT INTO refresh_tokens (token_hash, origin_jti, created, superseded) VALUES (?1, ?2, ?3, ?4)",
        params![r.token_hash, r.origin_jti, r.created.millis(), r.superseded.map(Timestamp::millis)],
    )
    .map_err(backend)?;
    Ok(())
}

pub fn create_family(
    conn: &Connection,
    family: &TokenFamily,
    refresh: &RefreshTokenRecord,
) -> StoreResult<()> {
    let user = user_row(conn, family.pool_id.as_str(), &family.sub)?;
    conn.execute_cached(
        "INSERT INTO token_families (origin_jti, user_id, client_id, auth_time, expires, revoked, device_key, scopes,
                                     last_active, last_ip, user_agent)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            family.origin_jti,
            user,
            family.client_id.as_str(),
            family.auth_time.millis(),
            family.expires.millis(),
            family.revoked,
            family.device_key,
            family.scopes,
            family.activity.at.millis(),
            family.activity.ip,
            family.activity.user_agent,
        ],
    )
    .map_err(backend)?;
    insert_refresh(conn, refresh)
}

pub fn get_family(conn: &Connection, origin_jti: &str) -> StoreResult<(TokenFamily, User)> {
    let (family, loaded) = found(conn.prepare_cached_query_row(
        &format!(
            "SELECT {FAMILY_COLUMNS}, {} FROM {FAMILY_JOINS} WHERE f.origin_jti = ?1",
            users::COLUMNS
        ),
        [origin_jti],
        |r| Ok((family_from(r, 0)?, users::from_row_at(r, FAMILY_WIDTH)?)),
    ))?;
    Ok((family, users::with_aliases(conn, loaded)?))
}

pub fn find_refresh(
    conn: &Connection,
    token_hash: &[u8],
) -> StoreResult<(RefreshTokenRecord, TokenFamily)> {
    found(conn.prepare_cached_query_row(
        &format!(
            "SELECT r.token_hash, r.origin_jti, r.created, r.superseded, {FAMILY_COLUMNS}
             FROM refresh_tokens r
               JOIN token_families f ON f.origin_jti = r.origin_jti
               JOIN users u ON u.id = f.user_id
               JOIN pools p ON p.seq = u.pool
             WHERE r.token_hash = ?1"
        ),
        [token_hash],
        |r| {
            Ok((
                RefreshTokenRecord {
                    token_hash: r.get(0)?,
                    origin_jti: r.get(1)?,
                    created: Timestamp(r.get(2)?),
                    superseded: r.get::<_, Option<i64>>(3)?.map(Timestamp),
                },
                family_from(r, 4)?,
            ))
        },
    ))
}

pub fn rotate_refresh(
    conn: &Connection,
    old_hash: &[u8],
    new: &RefreshTokenRecord,
    now: Timestamp,
) -> StoreResult<()> {
    let changed = conn
        .execute_cached(
            "UPDATE refresh_tokens SET superseded = coalesce(superseded, ?2) WHERE token_hash = ?1",
            params![old_hash, now.millis()],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    insert_refresh(conn, new)
}

pub fn revoke_family(conn: &Connection, origin_jti: &str) -> StoreResult<()> {
    let changed = conn
        .execute_cached(
            "UPDATE token_families SET revoked = 1 WHERE origin_jti = ?1",
            [origin_jti],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn revoke_user(conn: &Connection, pool: &UserPoolId, sub: &str) -> StoreResult<()> {
    let seq = pool_seq(conn, pool.as_str())?;
    conn.execute_cached(
        "UPDATE token_families SET revoked = 1
         WHERE revoked = 0 AND user_id = (SELECT id FROM users WHERE pool = ?1 AND sub = ?2)",
        params![seq, sub],
    )
    .map_err(backend)?;
    Ok(())
}

/// The user's live families, most recently active first.
const LIVE_FAMILIES: &str =
    "FROM token_families f JOIN users u ON u.id = f.user_id JOIN pools p ON p.seq = u.pool
     WHERE u.pool = ?1 AND u.sub = ?2 AND f.revoked = 0 AND f.expires > ?3
     ORDER BY f.last_active DESC, f.origin_jti";

pub fn list_sessions(
    conn: &Connection,
    pool: &UserPoolId,
    sub: &str,
    now: Timestamp,
    limit: usize,
) -> StoreResult<Vec<TokenFamily>> {
    let seq = pool_seq(conn, pool.as_str())?;
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {FAMILY_COLUMNS} {LIVE_FAMILIES} LIMIT ?4"))
        .map_err(backend)?;
    let rows = stmt
        .query_map(
            params![
                seq,
                sub,
                now.millis(),
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            |r| family_from(r, 0),
        )
        .map_err(backend)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)
}

pub fn record_activity(
    conn: &Connection,
    origin_jti: &str,
    activity: &SessionActivity,
) -> StoreResult<()> {
    let changed = conn
        .execute_cached(
            "UPDATE token_families SET last_active = ?2, last_ip = coalesce(?3, last_ip),
                 user_agent = coalesce(?4, user_agent)
             WHERE origin_jti = ?1",
            params![
                origin_jti,
                activity.at.millis(),
                activity.ip,
                activity.user_agent
            ],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn evict_sessions(
    conn: &Connection,
    pool: &UserPoolId,
    sub: &str,
    keep: usize,
    now: Timestamp,
) -> StoreResult<u64> {
    let seq = pool_seq(conn, pool.as_str())?;
    let changed = conn
        .execute_cached(
            &format!(
                "UPDATE token_families SET revoked = 1 WHERE origin_jti IN (
                     SELECT f.origin_jti {LIVE_FAMILIES} LIMIT -1 OFFSET ?4)"
            ),
            params![
                seq,
                sub,
                now.millis(),
                i64::try_from(keep).unwrap_or(i64::MAX)
            ],
        )
        .map_err(backend)?;
    Ok(changed as u64)
}
