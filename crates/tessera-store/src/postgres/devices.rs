//! Confirmed devices.

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::device::Device;
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Conflict, Listing, PageRequest};
use tokio_postgres::Row;

use super::codec::{PgResult, execute, execute_some, query, query_found, unique_as, user_row_id};
use crate::paging::{limit_plus_one, split_page};

const COLUMNS: &str = "p.id, u.sub, d.device_key, d.name, d.verifier, d.remembered, d.created, \
                       d.modified, d.last_authenticated, d.pending_challenge, d.seq";
const JOINS: &str = "devices d JOIN users u ON u.id = d.user_id JOIN pools p ON p.seq = u.pool";

fn from_row(row: &Row) -> PgResult<(Device, i64)> {
    Ok((
        Device {
            pool_id: UserPoolId::new(row.try_get::<_, String>(0)?),
            sub: row.try_get(1)?,
            key: row.try_get(2)?,
            name: row.try_get(3)?,
            verifier: row.try_get(4)?,
            remembered: row.try_get(5)?,
            created: Timestamp(row.try_get(6)?),
            modified: Timestamp(row.try_get(7)?),
            last_authenticated: row.try_get::<_, Option<i64>>(8)?.map(Timestamp),
            pending_challenge: row.try_get(9)?,
        },
        row.try_get(10)?,
    ))
}

pub async fn create(c: &impl GenericClient, d: &Device) -> PgResult<()> {
    let user = user_row_id(c, d.pool_id.as_str(), &d.sub).await?;
    execute(
        c,
        "INSERT INTO devices (device_key, user_id, name, verifier, remembered, created, modified,
                              last_authenticated, pending_challenge)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &d.key,
            &user,
            &d.name,
            &d.verifier,
            &d.remembered,
            &d.created.millis(),
            &d.modified.millis(),
            &d.last_authenticated.map(Timestamp::millis),
            &d.pending_challenge,
        ],
    )
    .await
    .map_err(unique_as(Conflict::DeviceKey))?;
    Ok(())
}

pub async fn get(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    key: &str,
) -> PgResult<Device> {
    let user = user_row_id(c, pool.as_str(), sub).await?;
    let row = query_found(
        c,
        &format!("SELECT {COLUMNS} FROM {JOINS} WHERE d.user_id = $1 AND d.device_key = $2"),
        &[&user, &key],
    )
    .await?;
    Ok(from_row(&row)?.0)
}

pub async fn list(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    page: &PageRequest,
) -> PgResult<Listing<Device>> {
    let user = user_row_id(c, pool.as_str(), sub).await?;
    let after: i64 = page
        .after
        .as_deref()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let rows = query(
        c,
        &format!(
            "SELECT {COLUMNS} FROM {JOINS} WHERE d.user_id = $1 AND d.seq > $2
             ORDER BY d.seq LIMIT $3"
        ),
        &[&user, &after, &limit_plus_one(page.limit)],
    )
    .await?;
    let rows = rows.iter().map(from_row).collect::<PgResult<Vec<_>>>()?;
    let (rows, next) = split_page(rows, page.limit, |(_, seq)| seq.to_string());
    Ok(Listing {
        items: rows.into_iter().map(|(d, _)| d).collect(),
        next,
    })
}

pub async fn update(c: &impl GenericClient, d: &Device) -> PgResult<()> {
    let user = user_row_id(c, d.pool_id.as_str(), &d.sub).await?;
    execute_some(
        c,
        "UPDATE devices SET name = $3, remembered = $4, modified = $5,
                            last_authenticated = $6, pending_challenge = $7
         WHERE user_id = $1 AND device_key = $2",
        &[
            &user,
            &d.key,
            &d.name,
            &d.remembered,
            &d.modified.millis(),
            &d.last_authenticated.map(Timestamp::millis),
            &d.pending_challenge,
        ],
    )
    .await
}

pub async fn delete(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    key: &str,
) -> PgResult<()> {
    let user = user_row_id(c, pool.as_str(), sub).await?;
    execute_some(
        c,
        "DELETE FROM devices WHERE user_id = $1 AND device_key = $2",
        &[&user, &key],
    )
    .await
}
