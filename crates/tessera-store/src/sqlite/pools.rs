//! Pools and the meta table.

use rusqlite::{Connection, Row, params};
use tessera_core::clock::Timestamp;
use tessera_core::domain::pool::UserPool;
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError, StoreResult};

use super::codec::{
    CachedStatements, backend, found, from_json, is_unique_violation, memoized, to_json,
};
use crate::decoded::{POOL_SCHEMA, POOL_SETTINGS};
use crate::paging::{limit_plus_one, split_page};

pub fn get_meta(conn: &Connection, key: &str) -> StoreResult<Option<Vec<u8>>> {
    match found(conn.prepare_cached_query_row(
        "SELECT value FROM meta WHERE key = ?1",
        [key],
        |r| r.get(0),
    )) {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

pub fn init_meta(conn: &Connection, key: &str, value: &[u8]) -> StoreResult<Vec<u8>> {
    conn.execute_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
        params![key, value],
    )
    .map_err(backend)?;
    found(
        conn.prepare_cached_query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)),
    )
}

const COLUMNS: &str = "id, name, arn, created, modified, settings, schema, tags";

fn from_row(row: &Row<'_>) -> rusqlite::Result<UserPool> {
    let id: String = row.get(0)?;
    Ok(UserPool {
        name: row.get(1)?,
        arn: row.get(2)?,
        created: Timestamp(row.get(3)?),
        modified: Timestamp(row.get(4)?),
        settings: memoized(&POOL_SETTINGS, &id, row, 5)?,
        schema: memoized(&POOL_SCHEMA, &id, row, 6)?,
        tags: from_json(row.get_ref(7)?.as_str()?)?,
        id: UserPoolId::new(id),
    })
}

pub fn create(conn: &Connection, pool: &UserPool) -> StoreResult<()> {
    conn.execute_cached(
        "INSERT INTO pools (id, name, arn, created, modified, settings, schema, tags)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            pool.id.as_str(),
            pool.name,
            pool.arn,
            pool.created.millis(),
            pool.modified.millis(),
            to_json(&pool.settings)?,
            to_json(&pool.schema)?,
            to_json(&pool.tags)?,
        ],
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

pub fn get(conn: &Connection, id: &UserPoolId) -> StoreResult<UserPool> {
    found(conn.prepare_cached_query_row(
        &format!("SELECT {COLUMNS} FROM pools WHERE id = ?1"),
        [id.as_str()],
        from_row,
    ))
}

pub fn list(conn: &Connection, page: &PageRequest) -> StoreResult<Listing<UserPool>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM pools WHERE id > ?1 ORDER BY id LIMIT ?2"
        ))
        .map_err(backend)?;
    let items = stmt
        .query_map(
            params![
                page.after.as_deref().unwrap_or(""),
                limit_plus_one(page.limit)
            ],
            from_row,
        )
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let (items, next) = split_page(items, page.limit, |p| p.id.as_str().to_owned());
    Ok(Listing { items, next })
}

pub fn update(conn: &Connection, pool: &UserPool) -> StoreResult<()> {
    let changed = conn
        .execute_cached(
            "UPDATE pools SET name = ?2, modified = ?3, settings = ?4, schema = ?5, tags = ?6
             WHERE id = ?1",
            params![
                pool.id.as_str(),
                pool.name,
                pool.modified.millis(),
                to_json(&pool.settings)?,
                to_json(&pool.schema)?,
                to_json(&pool.tags)?,
            ],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn delete(conn: &Connection, id: &UserPoolId) -> StoreResult<()> {
    let changed = conn
        .execute_cached("DELETE FROM pools WHERE id = ?1", [id.as_str()])
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
