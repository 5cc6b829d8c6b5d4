//! Identity pools, their identities, and the logins that find an identity
//! again. A login belongs to one identity of its pool by the primary key of
//! `identity_logins`; a pool's row owns its identities and an identity's row
//! its logins, so deleting either takes what hangs off it along. A write to an
//! identity locks its row first, so concurrent changes to one identity's
//! logins on different nodes run one after the other.

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::identity_pool::{Identity, IdentityLogin, IdentityPool};
use tessera_core::ids::{IdentityId, IdentityPoolId};
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError};
use tokio_postgres::Row;

use super::codec::{
    Failure, PgResult, execute, execute_some, from_json, query, query_found, query_opt, to_json,
    unique_as,
};
use crate::paging::{limit_plus_one, split_page};

/// The position a listing continues after: a row's seq, in decimal.
fn after_seq(page: &PageRequest) -> i64 {
    page.after
        .as_deref()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0)
}

const POOL_COLUMNS: &str = "seq, id, created, record";

fn pool_from_row(row: &Row) -> PgResult<(IdentityPool, i64)> {
    let mut pool: IdentityPool = from_json(row.try_get::<_, &str>(3)?)?;
    // The columns hold what an update never changes; they win over the record.
    pool.id = IdentityPoolId::new(row.try_get::<_, String>(1)?);
    pool.created = Timestamp(row.try_get(2)?);
    Ok((pool, row.try_get(0)?))
}

/// The identity pool's integer key, or NotFound.
async fn pool_seq(c: &impl GenericClient, id: &IdentityPoolId) -> PgResult<i64> {
    let row = query_found(
        c,
        "SELECT seq FROM identity_pools WHERE id = $1",
        &[&id.as_str()],
    )
    .await?;
    Ok(row.try_get(0)?)
}

pub async fn create_pool(c: &impl GenericClient, pool: &IdentityPool) -> PgResult<()> {
    execute(
        c,
        "INSERT INTO identity_pools (id, created, record) VALUES ($1, $2, $3)",
        &[&pool.id.as_str(), &pool.created.millis(), &to_json(pool)?],
    )
    .await
    .map_err(unique_as(Conflict::PoolId))?;
    Ok(())
}

pub async fn get_pool(c: &impl GenericClient, id: &IdentityPoolId) -> PgResult<IdentityPool> {
    let row = query_found(
        c,
        &format!("SELECT {POOL_COLUMNS} FROM identity_pools WHERE id = $1"),
        &[&id.as_str()],
    )
    .await?;
    Ok(pool_from_row(&row)?.0)
}

pub async fn list_pools(
    c: &impl GenericClient,
    page: &PageRequest,
) -> PgResult<Listing<IdentityPool>> {
    let rows = query(
        c,
        &format!("SELECT {POOL_COLUMNS} FROM identity_pools WHERE seq > $1 ORDER BY seq LIMIT $2"),
        &[&after_seq(page), &limit_plus_one(page.limit)],
    )
    .await?;
    let rows = rows
        .iter()
        .map(pool_from_row)
        .collect::<PgResult<Vec<_>>>()?;
    let (rows, next) = split_page(rows, page.limit, |(_, seq)| seq.to_string());
    Ok(Listing {
        items: rows.into_iter().map(|(p, _)| p).collect(),
        next,
    })
}

pub async fn update_pool(c: &impl GenericClient, pool: &IdentityPool) -> PgResult<()> {
    execute_some(
        c,
        "UPDATE identity_pools SET record = $2 WHERE id = $1",
        &[&pool.id.as_str(), &to_json(pool)?],
    )
    .await
}

pub async fn delete_pool(c: &impl GenericClient, id: &IdentityPoolId) -> PgResult<()> {
    execute_some(
        c,
        "DELETE FROM identity_pools WHERE id = $1",
        &[&id.as_str()],
    )
    .await
}

const IDENTITY_COLUMNS: &str = "i.seq, p.id, i.id, i.created, i.modified";
const IDENTITY_JOINS: &str = "identities i JOIN identity_pools p ON p.seq = i.pool";

/// An identity without its logins (see [`with_logins`]), and its seq.
fn identity_from_row(row: &Row) -> PgResult<(Identity, i64)> {
    Ok((
        Identity {
            pool_id: IdentityPoolId::new(row.try_get::<_, String>(1)?),
            id: IdentityId::new(row.try_get::<_, String>(2)?),
            created: Timestamp(row.try_get(3)?),
            modified: Timestamp(row.try_get(4)?),
            logins: Vec::new(),
        },
        row.try_get(0)?,
    ))
}

async fn with_logins(
    c: &impl GenericClient,
    (mut identity, seq): (Identity, i64),
) -> PgResult<Identity> {
    let rows = query(
        c,
        "SELECT provider, subject FROM identity_logins WHERE identity = $1
         ORDER BY provider, subject",
        &[&seq],
    )
    .await?;
    identity.logins = rows
        .iter()
        .map(|r| {
            Ok(IdentityLogin {
                provider: r.try_get(0)?,
                subject: r.try_get(1)?,
            })
        })
        .collect::<PgResult<Vec<_>>>()?;
    Ok(identity)
}

/// Locks the identity's row; its seq and its pool's, or NotFound.
async fn lock_identity(c: &impl GenericClient, id: &IdentityId) -> PgResult<(i64, i64)> {
    let row = query_found(
        c,
        "SELECT seq, pool FROM identities WHERE id = $1 FOR UPDATE",
        &[&id.as_str()],
    )
    .await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// Links each of `logins` to the identity, keeping those it holds already;
/// Conflict(IdentityLogin) when another identity of the pool holds one. The
/// primary key refuses a login another node's identity took meanwhile.
async fn link(
    c: &impl GenericClient,
    pool: i64,
    identity: i64,
    logins: &[IdentityLogin],
) -> PgResult<()> {
    for login in logins {
        let holder = query_opt(
            c,
            "SELECT identity FROM identity_logins
             WHERE pool = $1 AND provider = $2 AND subject = $3",
            &[&pool, &login.provider, &login.subject],
        )
        .await?;
        match holder.map(|r| r.try_get::<_, i64>(0)).transpose()? {
            Some(holder) if holder == identity => continue,
            Some(_) => {
                return Err(Failure::Store(StoreError::Conflict(
                    Conflict::IdentityLogin,
                )));
            }
            None => {}
        }
        execute(
            c,
            "INSERT INTO identity_logins (pool, provider, subject, identity)
             VALUES ($1, $2, $3, $4)",
            &[&pool, &login.provider, &login.subject, &identity],
        )
        .await
        .map_err(unique_as(Conflict::IdentityLogin))?;
    }
    Ok(())
}

async fn touch(c: &impl GenericClient, identity: i64, now: Timestamp) -> PgResult<()> {
    execute(
        c,
        "UPDATE identities SET modified = $2 WHERE seq = $1",
        &[&identity, &now.millis()],
    )
    .await?;
    Ok(())
}

pub async fn create_identity(c: &impl GenericClient, identity: &Identity) -> PgResult<()> {
    // A pool deleted meanwhile breaks the foreign key: NotFound.
    let pool = pool_seq(c, &identity.pool_id).await?;
    let row = query_found(
        c,
        "INSERT INTO identities (id, pool, created, modified) VALUES ($1, $2, $3, $4)
         RETURNING seq",
        &[
            &identity.id.as_str(),
            &pool,
            &identity.created.millis(),
            &identity.modified.millis(),
        ],
    )
    .await?;
    link(c, pool, row.try_get(0)?, &identity.logins).await
}

pub async fn get_identity(c: &impl GenericClient, id: &IdentityId) -> PgResult<Identity> {
    let row = query_found(
        c,
        &format!("SELECT {IDENTITY_COLUMNS} FROM {IDENTITY_JOINS} WHERE i.id = $1"),
        &[&id.as_str()],
    )
    .await?;
    with_logins(c, identity_from_row(&row)?).await
}

pub async fn find_by_login(
    c: &impl GenericClient,
    pool: &IdentityPoolId,
    login: &IdentityLogin,
) -> PgResult<Identity> {
    let seq = pool_seq(c, pool).await?;
    let row = query_found(
        c,
        &format!(
            "SELECT {IDENTITY_COLUMNS} FROM identity_logins l
               JOIN identities i ON i.seq = l.identity JOIN identity_pools p ON p.seq = i.pool
             WHERE l.pool = $1 AND l.provider = $2 AND l.subject = $3"
        ),
        &[&seq, &login.provider, &login.subject],
    )
    .await?;
    with_logins(c, identity_from_row(&row)?).await
}

pub async fn link_logins(
    c: &impl GenericClient,
    id: &IdentityId,
    logins: &[IdentityLogin],
    now: Timestamp,
) -> PgResult<()> {
    let (identity, pool) = lock_identity(c, id).await?;
    link(c, pool, identity, logins).await?;
    touch(c, identity, now).await
}

pub async fn unlink_logins(
    c: &impl GenericClient,
    id: &IdentityId,
    logins: &[IdentityLogin],
    now: Timestamp,
) -> PgResult<()> {
    let (identity, pool) = lock_identity(c, id).await?;
    for login in logins {
        execute(
            c,
            "DELETE FROM identity_logins
             WHERE pool = $1 AND provider = $2 AND subject = $3 AND identity = $4",
            &[&pool, &login.provider, &login.subject, &identity],
        )
        .await?;
    }
    touch(c, identity, now).await
}

/// Both identities are locked, in one order whichever is the source, so
/// opposite merges on two nodes wait for each other instead of deadlocking.
/// An identity in another pool than the source's is not a destination the
/// source's logins can go to: NotFound, as for one that is gone. Merging an
/// identity into itself leaves it alone (deleting the source would delete it).
pub async fn merge(
    c: &impl GenericClient,
    source: &IdentityId,
    destination: &IdentityId,
    now: Timestamp,
) -> PgResult<()> {
    let rows = query(
        c,
        "SELECT id, seq, pool FROM identities WHERE id = $1 OR id = $2 ORDER BY seq FOR UPDATE",
        &[&source.as_str(), &destination.as_str()],
    )
    .await?;
    let row_of = |id: &IdentityId| -> PgResult<(i64, i64)> {
        for row in &rows {
            if row.try_get::<_, &str>(0)? == id.as_str() {
                return Ok((row.try_get(1)?, row.try_get(2)?));
            }
        }
        Err(Failure::Store(StoreError::NotFound))
    };
    let (from, from_pool) = row_of(source)?;
    let (to, to_pool) = row_of(destination)?;
    if from_pool != to_pool {
        return Err(Failure::Store(StoreError::NotFound));
    }
    if from == to {
        return Ok(());
    }
    execute(
        c,
        "UPDATE identity_logins SET identity = $2 WHERE identity = $1",
        &[&from, &to],
    )
    .await?;
    execute(c, "DELETE FROM identities WHERE seq = $1", &[&from]).await?;
    touch(c, to, now).await
}

pub async fn delete_identities(c: &impl GenericClient, ids: &[IdentityId]) -> PgResult<()> {
    let ids: Vec<&str> = ids.iter().map(IdentityId::as_str).collect();
    execute(c, "DELETE FROM identities WHERE id = ANY($1)", &[&ids]).await?;
    Ok(())
}

pub async fn list_identities(
    c: &impl GenericClient,
    pool: &IdentityPoolId,
    page: &PageRequest,
) -> PgResult<Listing<Identity>> {
    let seq = pool_seq(c, pool).await?;
    let rows = query(
        c,
        &format!(
            "SELECT {IDENTITY_COLUMNS} FROM {IDENTITY_JOINS} WHERE i.pool = $1 AND i.seq > $2
             ORDER BY i.seq LIMIT $3"
        ),
        &[&seq, &after_seq(page), &limit_plus_one(page.limit)],
    )
    .await?;
    let rows = rows
        .iter()
        .map(identity_from_row)
        .collect::<PgResult<Vec<_>>>()?;
    let (rows, next) = split_page(rows, page.limit, |(_, seq)| seq.to_string());
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(with_logins(c, row).await?);
    }
    Ok(Listing { items, next })
}
