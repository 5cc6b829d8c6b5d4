//! App clients.

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::client::{AppClient, ClientSecret};
use tessera_core::ids::{ClientId, ClientSecretId, UserPoolId};
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError};
use tokio_postgres::Row;

use super::codec::{
    Failure, PgResult, execute, execute_some, memoized, pool_seq, query, query_found, to_json,
    unique_as,
};
use crate::decoded::CLIENT_SETTINGS;
use crate::paging::{limit_plus_one, split_page};

const COLUMNS: &str = "p.id, c.id, c.name, c.created, c.modified, c.settings";

fn from_row(row: &Row) -> PgResult<AppClient> {
    let id: String = row.try_get(1)?;
    Ok(AppClient {
        pool_id: UserPoolId::new(row.try_get::<_, String>(0)?),
        name: row.try_get(2)?,
        // Filled in by `with_secrets`.
        secrets: Vec::new(),
        created: Timestamp(row.try_get(3)?),
        modified: Timestamp(row.try_get(4)?),
        settings: memoized(&CLIENT_SETTINGS, &id, row, 5)?,
        id: ClientId::new(id),
    })
}

/// The client's secrets, oldest first.
async fn with_secrets(c: &impl GenericClient, mut client: AppClient) -> PgResult<AppClient> {
    let rows = query(
        c,
        "SELECT id, sealed, created, initial FROM client_secrets
         WHERE client = $1 ORDER BY created, id",
        &[&client.id.as_str()],
    )
    .await?;
    client.secrets = rows
        .iter()
        .map(|row| {
            Ok(ClientSecret {
                id: ClientSecretId::new(row.try_get::<_, String>(0)?),
                sealed: row.try_get(1)?,
                created: Timestamp(row.try_get(2)?),
                initial: row.try_get(3)?,
            })
        })
        .collect::<PgResult<_>>()?;
    Ok(client)
}

async fn insert_secret(
    c: &impl GenericClient,
    client: &ClientId,
    secret: &ClientSecret,
) -> PgResult<()> {
    execute(
        c,
        "INSERT INTO client_secrets (client, id, sealed, created, initial)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &client.as_str(),
            &secret.id.as_str(),
            &secret.sealed,
            &secret.created.millis(),
            &secret.initial,
        ],
    )
    .await
    .map_err(unique_as(Conflict::ClientSecretId))?;
    Ok(())
}

pub async fn create(c: &impl GenericClient, client: &AppClient) -> PgResult<()> {
    let pool = pool_seq(c, client.pool_id.as_str()).await?;
    execute(
        c,
        "INSERT INTO clients (id, pool, name, created, modified, settings)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &client.id.as_str(),
            &pool,
            &client.name,
            &client.created.millis(),
            &client.modified.millis(),
            &to_json(&client.settings)?,
        ],
    )
    .await
    .map_err(unique_as(Conflict::ClientId))?;
    for secret in &client.secrets {
        insert_secret(c, &client.id, secret).await?;
    }
    Ok(())
}

pub async fn get(c: &impl GenericClient, pool: &UserPoolId, id: &ClientId) -> PgResult<AppClient> {
    let row = query_found(
        c,
        &format!(
            "SELECT {COLUMNS} FROM clients c JOIN pools p ON p.seq = c.pool
             WHERE c.id = $1 AND p.id = $2"
        ),
        &[&id.as_str(), &pool.as_str()],
    )
    .await?;
    with_secrets(c, from_row(&row)?).await
}

pub async fn list(
    c: &impl GenericClient,
    pool: &UserPoolId,
    page: &PageRequest,
) -> PgResult<Listing<AppClient>> {
    let seq = pool_seq(c, pool.as_str()).await?;
    let rows = query(
        c,
        &format!(
            "SELECT {COLUMNS} FROM clients c JOIN pools p ON p.seq = c.pool
             WHERE c.pool = $1 AND c.id > $2 ORDER BY c.id LIMIT $3"
        ),
        &[
            &seq,
            &page.after.as_deref().unwrap_or(""),
            &limit_plus_one(page.limit),
        ],
    )
    .await?;
    let items = rows.iter().map(from_row).collect::<PgResult<Vec<_>>>()?;
    let (items, next) = split_page(items, page.limit, |c| c.id.as_str().to_owned());
    let mut with = Vec::with_capacity(items.len());
    for client in items {
        with.push(with_secrets(c, client).await?);
    }
    Ok(Listing { items: with, next })
}

pub async fn update(c: &impl GenericClient, client: &AppClient) -> PgResult<()> {
    execute_some(
        c,
        "UPDATE clients SET name = $3, modified = $4, settings = $5
         WHERE id = $1 AND pool = (SELECT seq FROM pools WHERE id = $2)",
        &[
            &client.id.as_str(),
            &client.pool_id.as_str(),
            &client.name,
            &client.modified.millis(),
            &to_json(&client.settings)?,
        ],
    )
    .await
}

pub async fn delete(c: &impl GenericClient, pool: &UserPoolId, id: &ClientId) -> PgResult<()> {
    execute_some(
        c,
        "DELETE FROM clients WHERE id = $1 AND pool = (SELECT seq FROM pools WHERE id = $2)",
        &[&id.as_str(), &pool.as_str()],
    )
    .await
}

pub async fn find(c: &impl GenericClient, id: &ClientId) -> PgResult<AppClient> {
    let row = query_found(
        c,
        &format!("SELECT {COLUMNS} FROM clients c JOIN pools p ON p.seq = c.pool WHERE c.id = $1"),
        &[&id.as_str()],
    )
    .await?;
    with_secrets(c, from_row(&row)?).await
}

/// How many secrets the client holds; NotFound without the client. Locks the
/// client's row, so concurrent additions and deletions of its secrets queue.
async fn lock_and_count_secrets(
    c: &impl GenericClient,
    pool: &UserPoolId,
    client: &ClientId,
) -> PgResult<usize> {
    query_found(
        c,
        "SELECT c.id FROM clients c JOIN pools p ON p.seq = c.pool
         WHERE c.id = $1 AND p.id = $2 FOR UPDATE OF c",
        &[&client.as_str(), &pool.as_str()],
    )
    .await?;
    let row = query_found(
        c,
        "SELECT COUNT(*) FROM client_secrets WHERE client = $1",
        &[&client.as_str()],
    )
    .await?;
    let count: i64 = row.try_get(0)?;
    // COUNT is never negative.
    Ok(usize::try_from(count).unwrap_or_default())
}

pub async fn add_secret(
    c: &impl GenericClient,
    pool: &UserPoolId,
    client: &ClientId,
    secret: &ClientSecret,
    max: usize,
) -> PgResult<()> {
    if lock_and_count_secrets(c, pool, client).await? >= max {
        return Err(Failure::Store(StoreError::Conflict(
            Conflict::ClientSecretLimit,
        )));
    }
    insert_secret(c, client, secret).await
}

pub async fn delete_secret(
    c: &impl GenericClient,
    pool: &UserPoolId,
    client: &ClientId,
    secret: &ClientSecretId,
) -> PgResult<()> {
    let count = lock_and_count_secrets(c, pool, client).await?;
    query_found(
        c,
        "SELECT 1 FROM client_secrets WHERE client = $1 AND id = $2",
        &[&client.as_str(), &secret.as_str()],
    )
    .await?;
    if count <= 1 {
        return Err(Failure::Store(StoreError::Conflict(
            Conflict::LastClientSecret,
        )));
    }
    execute_some(
        c,
        "DELETE FROM client_secrets WHERE client = $1 AND id = $2",
        &[&client.as_str(), &secret.as_str()],
    )
    .await
}
