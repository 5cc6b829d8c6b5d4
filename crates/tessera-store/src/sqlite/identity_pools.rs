//! Identity pools, their identities, and the logins that find an identity
//! again. A login belongs to one identity of its pool by the primary key of
//! `identity_logins`; a pool's row owns its identities and an identity's row
//! its logins, so deleting either takes what hangs off it along.

use rusqlite::{Connection, OptionalExtension, Row, params};
use tessera_core::clock::Timestamp;
use tessera_core::domain::identity_pool::{Identity, IdentityLogin, IdentityPool};
use tessera_core::ids::{IdentityId, IdentityPoolId};
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError, StoreResult};

use super::codec::{CachedStatements, backend, found, from_json, is_unique_violation, to_json};
use crate::paging::{limit_plus_one, split_page};

/// The position a listing continues after: a row's seq, in decimal.
fn after_seq(page: &PageRequest) -> i64 {
    page.after
        .as_deref()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0)
}

const POOL_COLUMNS: &str = "seq, id, created, record, version";

fn pool_from_row(row: &Row<'_>) -> rusqlite::Result<(IdentityPool, i64)> {
    let mut pool: IdentityPool = from_json(row.get_ref(3)?.as_str()?)?;
    // The columns hold what an update never changes; they win over the record.
    pool.id = IdentityPoolId::new(row.get::<_, String>(1)?);
    pool.created = Timestamp(row.get(2)?);
    let version: i64 = row.get(4)?;
    pool.version =
        u64::try_from(version).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(4, version))?;
    Ok((pool, row.get(0)?))
}

/// The identity pool's integer key, or NotFound.
fn pool_seq(conn: &Connection, id: &IdentityPoolId) -> StoreResult<i64> {
    found(conn.prepare_cached_query_row(
        "SELECT seq FROM identity_pools WHERE id = ?1",
        [id.as_str()],
        |r| r.get(0),
    ))
}

/// The pool starts at version 0 (the column's default), whatever `pool.version` says.
pub fn create_pool(conn: &Connection, pool: &IdentityPool) -> StoreResult<()> {
    conn.execute_cached(
        "INSERT INTO identity_pools (id, created, record) VALUES (?1, ?2, ?3)",
        params![pool.id.as_str(), pool.created.millis(), to_json(pool)?],
    )
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(Conflict::PoolId)
        } else {
            backend(e)
        }
    })?;
    Ok(())
}

pub fn get_pool(conn: &Connection, id: &IdentityPoolId) -> StoreResult<IdentityPool> {
    found(conn.prepare_cached_query_row(
        &format!("SELECT {POOL_COLUMNS} FROM identity_pools WHERE id = ?1"),
        [id.as_str()],
        pool_from_row,
    ))
    .map(|(pool, _)| pool)
}

pub fn list_pools(conn: &Connection, page: &PageRequest) -> StoreResult<Listing<IdentityPool>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {POOL_COLUMNS} FROM identity_pools WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))
        .map_err(backend)?;
    let rows = stmt
        .query_map(
            params![after_seq(page), limit_plus_one(page.limit)],
            pool_from_row,
        )
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let (rows, next) = split_page(rows, page.limit, |(_, seq)| seq.to_string());
    Ok(Listing {
        items: rows.into_iter().map(|(p, _)| p).collect(),
        next,
    })
}

/// Replaces the record if it is still at the version the caller read,
/// counting the version up; Conflict(Changed) if another update came first.
pub fn update_pool(conn: &Connection, pool: &IdentityPool) -> StoreResult<()> {
    // A version beyond the column's range was never stored: it matches no row.
    let version = i64::try_from(pool.version).unwrap_or(-1);
    let changed = conn
        .execute_cached(
            "UPDATE identity_pools SET record = ?2, version = version + 1
             WHERE id = ?1 AND version = ?3",
            params![pool.id.as_str(), to_json(pool)?, version],
        )
        .map_err(backend)?;
    if changed == 0 {
        // No row at that version: the pool is gone (NotFound) or moved on. In
        // the write's transaction, nothing comes between the two statements.
        pool_seq(conn, &pool.id)?;
        return Err(StoreError::Conflict(Conflict::Changed));
    }
    Ok(())
}

pub fn delete_pool(conn: &Connection, id: &IdentityPoolId) -> StoreResult<()> {
    let changed = conn
        .execute_cached("DELETE FROM identity_pools WHERE id = ?1", [id.as_str()])
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

const IDENTITY_COLUMNS: &str = "i.seq, p.id, i.id, i.created, i.modified";
const IDENTITY_JOINS: &str = "identities i JOIN identity_pools p ON p.seq = i.pool";

/// An identity without its logins (see [`with_logins`]), and its seq.
fn identity_from_row(row: &Row<'_>) -> rusqlite::Result<(Identity, i64)> {
    Ok((
        Identity {
            pool_id: IdentityPoolId::new(row.get::<_, String>(1)?),
            id: IdentityId::new(row.get::<_, String>(2)?),
            created: Timestamp(row.get(3)?),
            modified: Timestamp(row.get(4)?),
            logins: Vec::new(),
        },
        row.get(0)?,
    ))
}

/// Runs `f`'s reads in one transaction. Each statement outside one reads the
/// database as it is then, so an identity's row and its logins could come
/// from either side of a concurrent merge or unlink.
fn in_one_snapshot<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> StoreResult<T>,
) -> StoreResult<T> {
    let tx = conn.unchecked_transaction().map_err(backend)?;
    let value = f(&tx)?;
    tx.commit().map_err(backend)?;
    Ok(value)
}

fn with_logins(conn: &Connection, (mut identity, seq): (Identity, i64)) -> StoreResult<Identity> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT provider, subject FROM identity_logins WHERE identity = ?1
             ORDER BY provider, subject",
        )
        .map_err(backend)?;
    identity.logins = stmt
        .query_map([seq], |r| {
            Ok(IdentityLogin {
                provider: r.get(0)?,
                subject: r.get(1)?,
            })
        })
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    Ok(identity)
}

/// The identity's seq and its pool's, or NotFound.
fn identity_row(conn: &Connection, id: &IdentityId) -> StoreResult<(i64, i64)> {
    found(conn.prepare_cached_query_row(
        "SELECT seq, pool FROM identities WHERE id = ?1",
        [id.as_str()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ))
}

/// Links each of `logins` to the identity, keeping those it holds already;
/// Conflict(IdentityLogin) when another identity of the pool holds one.
fn link(conn: &Connection, pool: i64, identity: i64, logins: &[IdentityLogin]) -> StoreResult<()> {
    for login in logins {
        let holder: Option<i64> = conn
            .prepare_cached_query_row(
                "SELECT identity FROM identity_logins
                 WHERE pool = ?1 AND provider = ?2 AND subject = ?3",
                params![pool, login.provider, login.subject],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        match holder {
            Some(holder) if holder == identity => continue,
            Some(_) => return Err(StoreError::Conflict(Conflict::IdentityLogin)),
            None => {}
        }
        conn.execute_cached(
            "INSERT INTO identity_logins (pool, provider, subject, identity)
             VALUES (?1, ?2, ?3, ?4)",
            params![pool, login.provider, login.subject, identity],
        )
        .map_err(backend)?;
    }
    Ok(())
}

fn touch(conn: &Connection, identity: i64, now: Timestamp) -> StoreResult<()> {
    conn.execute_cached(
        "UPDATE identities SET modified = ?2 WHERE seq = ?1",
        params![identity, now.millis()],
    )
    .map_err(backend)?;
    Ok(())
}

pub fn create_identity(conn: &Connection, identity: &Identity) -> StoreResult<()> {
    let pool = pool_seq(conn, &identity.pool_id)?;
    conn.execute_cached(
        "INSERT INTO identities (id, pool, created, modified) VALUES (?1, ?2, ?3, ?4)",
        params![
            identity.id.as_str(),
            pool,
            identity.created.millis(),
            identity.modified.millis(),
        ],
    )
    .map_err(backend)?;
    link(conn, pool, conn.last_insert_rowid(), &identity.logins)
}

pub fn get_identity(conn: &Connection, id: &IdentityId) -> StoreResult<Identity> {
    in_one_snapshot(conn, |conn| {
        let row = found(conn.prepare_cached_query_row(
            &format!("SELECT {IDENTITY_COLUMNS} FROM {IDENTITY_JOINS} WHERE i.id = ?1"),
            [id.as_str()],
            identity_from_row,
        ))?;
        with_logins(conn, row)
    })
}

pub fn find_by_login(
    conn: &Connection,
    pool: &IdentityPoolId,
    login: &IdentityLogin,
) -> StoreResult<Identity> {
    in_one_snapshot(conn, |conn| {
        let row = found(conn.prepare_cached_query_row(
            &format!(
                "SELECT {IDENTITY_COLUMNS} FROM identity_logins l
                   JOIN identity_pools p ON p.seq = l.pool JOIN identities i ON i.seq = l.identity
                 WHERE p.id = ?1 AND l.provider = ?2 AND l.subject = ?3"
            ),
            params![pool.as_str(), login.provider, login.subject],
            identity_from_row,
        ))?;
        with_logins(conn, row)
    })
}

pub fn link_logins(
    conn: &Connection,
    id: &IdentityId,
    logins: &[IdentityLogin],
    now: Timestamp,
) -> StoreResult<()> {
    let (identity, pool) = identity_row(conn, id)?;
    link(conn, pool, identity, logins)?;
    touch(conn, identity, now)
}

pub fn unlink_logins(
    conn: &Connection,
    id: &IdentityId,
    logins: &[IdentityLogin],
    now: Timestamp,
) -> StoreResult<()> {
    let (identity, pool) = identity_row(conn, id)?;
    for login in logins {
        conn.execute_cached(
            "DELETE FROM identity_logins
             WHERE pool = ?1 AND provider = ?2 AND subject = ?3 AND identity = ?4",
            params![pool, login.provider, login.subject, identity],
        )
        .map_err(backend)?;
    }
    touch(conn, identity, now)
}

/// An identity in another pool than the source's is not a destination the
/// source's logins can go to: NotFound, as for one that is gone. Merging an
/// identity into itself leaves it alone (deleting the source would delete it).
pub fn merge(
    conn: &Connection,
    source: &IdentityId,
    destination: &IdentityId,
    now: Timestamp,
) -> StoreResult<()> {
    let (from, from_pool) = identity_row(conn, source)?;
    let (to, to_pool) = identity_row(conn, destination)?;
    if from_pool != to_pool {
        return Err(StoreError::NotFound);
    }
    if from == to {
        return Ok(());
    }
    conn.execute_cached(
        "UPDATE identity_logins SET identity = ?2 WHERE identity = ?1",
        params![from, to],
    )
    .map_err(backend)?;
    conn.execute_cached("DELETE FROM identities WHERE seq = ?1", [from])
        .map_err(backend)?;
    touch(conn, to, now)
}

pub fn delete_identities(conn: &Connection, ids: &[IdentityId]) -> StoreResult<()> {
    for id in ids {
        conn.execute_cached("DELETE FROM identities WHERE id = ?1", [id.as_str()])
            .map_err(backend)?;
    }
    Ok(())
}

pub fn list_identities(
    conn: &Connection,
    pool: &IdentityPoolId,
    page: &PageRequest,
) -> StoreResult<Listing<Identity>> {
    in_one_snapshot(conn, |conn| {
        let seq = pool_seq(conn, pool)?;
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {IDENTITY_COLUMNS} FROM {IDENTITY_JOINS} WHERE i.pool = ?1 AND i.seq > ?2
                 ORDER BY i.seq LIMIT ?3"
            ))
            .map_err(backend)?;
        let rows = stmt
            .query_map(
                params![seq, after_seq(page), limit_plus_one(page.limit)],
                identity_from_row,
            )
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)?;
        let (rows, next) = split_page(rows, page.limit, |(_, seq)| seq.to_string());
        let items = rows
            .into_iter()
            .map(|row| with_logins(conn, row))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Listing { items, next })
    })
}
