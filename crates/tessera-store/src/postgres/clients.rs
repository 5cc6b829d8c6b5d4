//! App clients.

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::client::AppClient;
use tessera_core::ids::{ClientId, UserPoolId};
use tessera_core::store::{Conflict, Listing, PageRequest};
use tokio_postgres::Row;

use super::codec::{
    PgResult, execute_some, memoized, pool_seq, query, query_found, to_json, unique_as,
};
use crate::decoded::CLIENT_SETTINGS;
use crate::paging::{limit_plus_one, split_page};

const COLUMNS: &str = "p.id, c.id, c.name, c.secret, c.created, c.modified, c.settings";

fn from_row(row: &Row) -> PgResult<AppClient> {
    let id: String = row.try_get(1)?;
    Ok(AppClient {
        pool_id: UserPoolId::new(row.try_get::<_, String>(0)?),
        name: row.try_get(2)?,
        secret: row.try_get(3)?,
        created: Timestamp(row.try_get(4)?),
        modified: Timestamp(row.try_get(5)?),
        settings: memoized(&CLIENT_SETTINGS, &id, row, 6)?,
        id: ClientId::new(id),
    })
}

pub async fn create(c: &impl GenericClient, client: &AppClient) -> PgResult<()> {
    let pool = pool_seq(c, client.pool_id.as_str()).await?;
    super::codec::execute(
        c,
        "INSERT INTO clients (id, pool, name, secret, created, modified, settings)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &client.id.as_str(),
            &pool,
            &client.name,
            &client.secret,
            &client.created.millis(),
            &client.modified.millis(),
            &to_json(&client.settings)?,
        ],
    )
    .await
    .map_err(unique_as(Conflict::ClientId))?;
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
    from_row(&row)
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
    Ok(Listing { items, next })
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
    from_row(&row)
}
