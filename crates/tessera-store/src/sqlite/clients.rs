//! App clients.

use rusqlite::{Connection, Row, params};
use tessera_core::clock::Timestamp;
use tessera_core::domain::client::AppClient;
use tessera_core::ids::{ClientId, UserPoolId};
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError, StoreResult};

use super::codec::{
    CachedStatements, backend, found, is_unique_violation, memoized, pool_seq, to_json,
};
use crate::decoded::CLIENT_SETTINGS;
use crate::paging::{limit_plus_one, split_page};

const COLUMNS: &str = "p.id, c.id, c.name, c.secret, c.created, c.modified, c.settings";

fn from_row(row: &Row<'_>) -> rusqlite::Result<AppClient> {
    let id: String = row.get(1)?;
    Ok(AppClient {
        pool_id: UserPoolId::new(row.get::<_, String>(0)?),
        name: row.get(2)?,
        secret: row.get(3)?,
        created: Timestamp(row.get(4)?),
        modified: Timestamp(row.get(5)?),
        settings: memoized(&CLIENT_SETTINGS, &id, row, 6)?,
        id: ClientId::new(id),
    })
}

pub fn create(conn: &Connection, client: &AppClient) -> StoreResult<()> {
    let pool = pool_seq(conn, client.pool_id.as_str())?;
    conn.execute_cached(
        "INSERT INTO clients (id, pool, name, secret, created, modified, settings)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            client.id.as_str(),
            pool,
            client.name,
            client.secret,
            client.created.millis(),
            client.modified.millis(),
            to_json(&client.settings)?,
        ],
    )
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(Conflict::ClientId)
        } else {
            backend(e)
        }
    })?;
    Ok(())
}

pub fn get(conn: &Connection, pool: &UserPoolId, id: &ClientId) -> StoreResult<AppClient> {
    found(conn.prepare_cached_query_row(
        &format!(
            "SELECT {COLUMNS} FROM clients c JOIN pools p ON p.seq = c.pool
             WHERE c.id = ?1 AND p.id = ?2"
        ),
        [id.as_str(), pool.as_str()],
        from_row,
    ))
}

pub fn list(
    conn: &Connection,
    pool: &UserPoolId,
    page: &PageRequest,
) -> StoreResult<Listing<AppClient>> {
    let seq = pool_seq(conn, pool.as_str())?;
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM clients c JOIN pools p ON p.seq = c.pool
             WHERE c.pool = ?1 AND c.id > ?2 ORDER BY c.id LIMIT ?3"
        ))
        .map_err(backend)?;
    let items = stmt
        .query_map(
            params![
                seq,
                page.after.as_deref().unwrap_or(""),
                limit_plus_one(page.limit)
            ],
            from_row,
        )
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let (items, next) = split_page(items, page.limit, |c| c.id.as_str().to_owned());
    Ok(Listing { items, next })
}

pub fn update(conn: &Connection, client: &AppClient) -> StoreResult<()> {
    let pool = pool_seq(conn, client.pool_id.as_str())?;
    let changed = conn
        .execute_cached(
            "UPDATE clients SET name = ?3, modified = ?4, settings = ?5
             WHERE id = ?1 AND pool = ?2",
            params![
                client.id.as_str(),
                pool,
                client.name,
                client.modified.millis(),
                to_json(&client.settings)?,
            ],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn delete(conn: &Connection, pool: &UserPoolId, id: &ClientId) -> StoreResult<()> {
    let seq = pool_seq(conn, pool.as_str())?;
    let changed = conn
        .execute_cached(
            "DELETE FROM clients WHERE id = ?1 AND pool = ?2",
            params![id.as_str(), seq],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn find(conn: &Connection, id: &ClientId) -> StoreResult<AppClient> {
    found(conn.prepare_cached_query_row(
        &format!("SELECT {COLUMNS} FROM clients c JOIN pools p ON p.seq = c.pool WHERE c.id = ?1"),
        [id.as_str()],
        from_row,
    ))
}
