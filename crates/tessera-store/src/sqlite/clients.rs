//! App clients.

use rusqlite::{Connection, Row, params};
use tessera_core::clock::Timestamp;
use tessera_core::domain::client::{AppClient, ClientSecret};
use tessera_core::ids::{ClientId, ClientSecretId, UserPoolId};
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError, StoreResult};

use super::codec::{
    CachedStatements, backend, found, is_unique_violation, memoized, pool_seq, to_json,
};
use crate::decoded::CLIENT_SETTINGS;
use crate::paging::{limit_plus_one, split_page};

const COLUMNS: &str = "p.id, c.id, c.name, c.created, c.modified, c.settings";

fn from_row(row: &Row<'_>) -> rusqlite::Result<AppClient> {
    let id: String = row.get(1)?;
    Ok(AppClient {
        pool_id: UserPoolId::new(row.get::<_, String>(0)?),
        name: row.get(2)?,
        // Filled in by `with_secrets`.
        secrets: Vec::new(),
        created: Timestamp(row.get(3)?),
        modified: Timestamp(row.get(4)?),
        settings: memoized(&CLIENT_SETTINGS, &id, row, 5)?,
        id: ClientId::new(id),
    })
}

/// The client's secrets, oldest first.
fn with_secrets(conn: &Connection, mut client: AppClient) -> StoreResult<AppClient> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, sealed, created, initial FROM client_secrets
             WHERE client = ?1 ORDER BY created, id",
        )
        .map_err(backend)?;
    client.secrets = stmt
        .query_map([client.id.as_str()], |row| {
            Ok(ClientSecret {
                id: ClientSecretId::new(row.get::<_, String>(0)?),
                sealed: row.get(1)?,
                created: Timestamp(row.get(2)?),
                initial: row.get(3)?,
            })
        })
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    Ok(client)
}

fn insert_secret(conn: &Connection, client: &ClientId, secret: &ClientSecret) -> StoreResult<()> {
    conn.execute_cached(
        "INSERT INTO client_secrets (client, id, sealed, created, initial)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            client.as_str(),
            secret.id.as_str(),
            secret.sealed,
            secret.created.millis(),
            secret.initial,
        ],
    )
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(Conflict::ClientSecretId)
        } else {
            backend(e)
        }
    })?;
    Ok(())
}

pub fn create(conn: &Connection, client: &AppClient) -> StoreResult<()> {
    let pool = pool_seq(conn, client.pool_id.as_str())?;
    conn.execute_cached(
        "INSERT INTO clients (id, pool, name, created, modified, settings)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            client.id.as_str(),
            pool,
            client.name,
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
    for secret in &client.secrets {
        insert_secret(conn, &client.id, secret)?;
    }
    Ok(())
}

pub fn get(conn: &Connection, pool: &UserPoolId, id: &ClientId) -> StoreResult<AppClient> {
    let client = found(conn.prepare_cached_query_row(
        &format!(
            "SELECT {COLUMNS} FROM clients c JOIN pools p ON p.seq = c.pool
             WHERE c.id = ?1 AND p.id = ?2"
        ),
        [id.as_str(), pool.as_str()],
        from_row,
    ))?;
    with_secrets(conn, client)
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
    let items = items
        .into_iter()
        .map(|c| with_secrets(conn, c))
        .collect::<StoreResult<_>>()?;
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
    let client = found(conn.prepare_cached_query_row(
        &format!("SELECT {COLUMNS} FROM clients c JOIN pools p ON p.seq = c.pool WHERE c.id = ?1"),
        [id.as_str()],
        from_row,
    ))?;
    with_secrets(conn, client)
}

/// How many secrets the client holds; NotFound without the client. Runs in
/// the writer's transaction, so the count holds until it commits.
fn count_secrets(conn: &Connection, pool: &UserPoolId, client: &ClientId) -> StoreResult<usize> {
    let seq = pool_seq(conn, pool.as_str())?;
    let count: i64 = found(conn.prepare_cached_query_row(
        "SELECT (SELECT COUNT(*) FROM client_secrets s WHERE s.client = c.id)
         FROM clients c WHERE c.id = ?1 AND c.pool = ?2",
        params![client.as_str(), seq],
        |row| row.get(0),
    ))?;
    // COUNT is never negative.
    Ok(usize::try_from(count).unwrap_or_default())
}

pub fn add_secret(
    conn: &Connection,
    pool: &UserPoolId,
    client: &ClientId,
    secret: &ClientSecret,
    max: usize,
) -> StoreResult<()> {
    if count_secrets(conn, pool, client)? >= max {
        return Err(StoreError::Conflict(Conflict::ClientSecretLimit));
    }
    insert_secret(conn, client, secret)
}

pub fn delete_secret(
    conn: &Connection,
    pool: &UserPoolId,
    client: &ClientId,
    secret: &ClientSecretId,
) -> StoreResult<()> {
    let count = count_secrets(conn, pool, client)?;
    let exists = conn
        .prepare_cached("SELECT 1 FROM client_secrets WHERE client = ?1 AND id = ?2")
        .and_then(|mut s| s.exists(params![client.as_str(), secret.as_str()]))
        .map_err(backend)?;
    if !exists {
        return Err(StoreError::NotFound);
    }
    if count <= 1 {
        return Err(StoreError::Conflict(Conflict::LastClientSecret));
    }
    conn.execute_cached(
        "DELETE FROM client_secrets WHERE client = ?1 AND id = ?2",
        params![client.as_str(), secret.as_str()],
    )
    .map_err(backend)?;
    Ok(())
}
