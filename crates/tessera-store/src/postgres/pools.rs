//! Pools and the meta table.

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::pool::UserPool;
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Conflict, Listing, PageRequest};
use tokio_postgres::Row;

use super::codec::{
    PgResult, execute_some, from_json, memoized, query, query_found, query_opt, to_json, unique_as,
};
use crate::decoded::{POOL_SCHEMA, POOL_SETTINGS};
use crate::paging::{limit_plus_one, split_page};

pub async fn get_meta(c: &impl GenericClient, key: &str) -> PgResult<Option<Vec<u8>>> {
    let row = query_opt(c, "SELECT value FROM meta WHERE key = $1", &[&key]).await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

pub async fn init_meta(c: &impl GenericClient, key: &str, value: &[u8]) -> PgResult<Vec<u8>> {
    super::codec::execute(
        c,
        "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        &[&key, &value],
    )
    .await?;
    let row = query_found(c, "SELECT value FROM meta WHERE key = $1", &[&key]).await?;
    Ok(row.try_get(0)?)
}

const COLUMNS: &str = "id, name, arn, created, modified, settings, schema, tags";

fn from_row(row: &Row) -> PgResult<UserPool> {
    let id: String = row.try_get(0)?;
    Ok(UserPool {
        name: row.try_get(1)?,
        arn: row.try_get(2)?,
        created: Timestamp(row.try_get(3)?),
        modified: Timestamp(row.try_get(4)?),
        settings: memoized(&POOL_SETTINGS, &id, row, 5)?,
        schema: memoized(&POOL_SCHEMA, &id, row, 6)?,
        tags: from_json(row.try_get::<_, &str>(7)?)?,
        id: UserPoolId::new(id),
    })
}

pub async fn create(c: &impl GenericClient, pool: &UserPool) -> PgResult<()> {
    super::codec::execute(
        c,
        "INSERT INTO pools (id, name, arn, created, modified, settings, schema, tags)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &pool.id.as_str(),
            &pool.name,
            &pool.arn,
            &pool.created.millis(),
            &pool.modified.millis(),
            &to_json(&pool.settings)?,
            &to_json(&pool.schema)?,
            &to_json(&pool.tags)?,
        ],
    )
    .await
    .map_err(unique_as(Conflict::PoolId))?;
    Ok(())
}

pub async fn get(c: &impl GenericClient, id: &UserPoolId) -> PgResult<UserPool> {
    let row = query_found(
        c,
        &format!("SELECT {COLUMNS} FROM pools WHERE id = $1"),
        &[&id.as_str()],
    )
    .await?;
    from_row(&row)
}

pub async fn list(c: &impl GenericClient, page: &PageRequest) -> PgResult<Listing<UserPool>> {
    let rows = query(
        c,
        &format!("SELECT {COLUMNS} FROM pools WHERE id > $1 ORDER BY id LIMIT $2"),
        &[
            &page.after.as_deref().unwrap_or(""),
            &limit_plus_one(page.limit),
        ],
    )
    .await?;
    let items = rows.iter().map(from_row).collect::<PgResult<Vec<_>>>()?;
    let (items, next) = split_page(items, page.limit, |p| p.id.as_str().to_owned());
    Ok(Listing { items, next })
}

pub async fn update(c: &impl GenericClient, pool: &UserPool) -> PgResult<()> {
    execute_some(
        c,
        "UPDATE pools SET name = $2, modified = $3, settings = $4, schema = $5, tags = $6
         WHERE id = $1",
        &[
            &pool.id.as_str(),
            &pool.name,
            &pool.modified.millis(),
            &to_json(&pool.settings)?,
            &to_json(&pool.schema)?,
            &to_json(&pool.tags)?,
        ],
    )
    .await
}

pub async fn delete(c: &impl GenericClient, id: &UserPoolId) -> PgResult<()> {
    execute_some(c, "DELETE FROM pools WHERE id = $1", &[&id.as_str()]).await
}
