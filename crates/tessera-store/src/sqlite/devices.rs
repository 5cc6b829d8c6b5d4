//! Confirmed devices.

use rusqlite::{Connection, Row, params};
use tessera_core::clock::Timestamp;
use tessera_core::domain::device::Device;
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError, StoreResult};

use super::codec::{CachedStatements, backend, found, is_unique_violation, user_row};
use crate::paging::{limit_plus_one, split_page};

const COLUMNS: &str = "p.id, u.sub, d.device_key, d.name, d.verifier, d.remembered, d.created, \
                       d.modified, d.last_authenticated, d.pending_challenge, d.seq";
const JOINS: &str = "devices d JOIN users u ON u.id = d.user_id JOIN pools p ON p.seq = u.pool";

fn from_row(row: &Row<'_>) -> rusqlite::Result<(Device, i64)> {
    Ok((
        Device {
            pool_id: UserPoolId::new(row.get::<_, String>(0)?),
            sub: row.get(1)?,
            key: row.get(2)?,
            name: row.get(3)?,
            verifier: row.get(4)?,
            remembered: row.get(5)?,
            created: Timestamp(row.get(6)?),
            modified: Timestamp(row.get(7)?),
            last_authenticated: row.get::<_, Option<i64>>(8)?.map(Timestamp),
            pending_challenge: row.get(9)?,
        },
        row.get(10)?,
    ))
}

pub fn create(conn: &Connection, d: &Device) -> StoreResult<()> {
    let user = user_row(conn, d.pool_id.as_str(), &d.sub)?;
    conn.execute_cached(
        "INSERT INTO devices (device_key, user_id, name, verifier, remembered, created, modified,
                              last_authenticated, pending_challenge)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            d.key,
            user,
            d.name,
            d.verifier,
            d.remembered,
            d.created.millis(),
            d.modified.millis(),
            d.last_authenticated.map(Timestamp::millis),
            d.pending_challenge,
        ],
    )
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(Conflict::DeviceKey)
        } else {
            backend(e)
        }
    })?;
    Ok(())
}

pub fn get(conn: &Connection, pool: &UserPoolId, sub: &str, key: &str) -> StoreResult<Device> {
    let user = user_row(conn, pool.as_str(), sub)?;
    found(conn.prepare_cached_query_row(
        &format!("SELECT {COLUMNS} FROM {JOINS} WHERE d.user_id = ?1 AND d.device_key = ?2"),
        params![user, key],
        |r| from_row(r).map(|(d, _)| d),
    ))
}

pub fn list(
    conn: &Connection,
    pool: &UserPoolId,
    sub: &str,
    page: &PageRequest,
) -> StoreResult<Listing<Device>> {
    let user = user_row(conn, pool.as_str(), sub)?;
    let after: i64 = page
        .after
        .as_deref()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM {JOINS} WHERE d.user_id = ?1 AND d.seq > ?2
             ORDER BY d.seq LIMIT ?3"
        ))
        .map_err(backend)?;
    let rows = stmt
        .query_map(params![user, after, limit_plus_one(page.limit)], from_row)
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let (rows, next) = split_page(rows, page.limit, |(_, seq)| seq.to_string());
    Ok(Listing {
        items: rows.into_iter().map(|(d, _)| d).collect(),
        next,
    })
}

pub fn update(conn: &Connection, d: &Device) -> StoreResult<()> {
    let user = user_row(conn, d.pool_id.as_str(), &d.sub)?;
    let changed = conn
        .execute_cached(
            "UPDATE devices SET name = ?3, remembered = ?4, modified = ?5,
                                last_authenticated = ?6, pending_challenge = ?7
             WHERE user_id = ?1 AND device_key = ?2",
            params![
                user,
                d.key,
                d.name,
                d.remembered,
                d.modified.millis(),
                d.last_authenticated.map(Timestamp::millis),
                d.pending_challenge,
            ],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn delete(conn: &Connection, pool: &UserPoolId, sub: &str, key: &str) -> StoreResult<()> {
    let user = user_row(conn, pool.as_str(), sub)?;
    let changed = conn
        .execute_cached(
            "DELETE FROM devices WHERE user_id = ?1 AND device_key = ?2",
            params![user, key],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
