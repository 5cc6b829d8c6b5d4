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

const POOL_COLUMNS: &str = "seq, id, created, record, version";

fn pool_from_row(row: &Row) -> PgResult<(IdentityPool, i64)> {
    let mut pool: IdentityPool = from_json(row.try_get::<_, &str>(3)?)?;
    // The columns hold what an update never changes; they win over the record.
    pool.id = IdentityPoolId::new(row.try_get::<_, String>(1)?);
    pool.created = Timestamp(row.try_get(2)?);
    pool.version = u64::try_from(row.try_get::<_, i64>(4)?).map_err(|_| {
        Failure::Store(StoreError::Backend(
            "decoding a stored value: an identity pool's version is negative".into(),
        ))
    })?;
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

/// The pool starts at version 0 (the column's default), whatever `pool.version` says.
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

/// Replaces the record if it is still at the version the caller read,
/// counting the version up; Conflict(Changed) if another update came first.
/// An update waiting on another's lock of the row compares the version that
/// one committed.
pub async fn update_pool(c: &impl GenericClient, pool: &IdentityPool) -> PgResult<()> {
    // A version beyond the column's range was never stored: it matches no row.
    let version = i64::try_from(pool.version).unwrap_or(-1);
    let changed = execute(
        c,
        "UPDATE identity_pools SET record = $2, version = version + 1
         WHERE id = $1 AND version = $3",
        &[&pool.id.as_str(), &to_json(pool)?, &version],
    )
    .await?;
    if changed == 0 {
        // No row at that version: the pool is gone (NotFound) or moved on.
        pool_seq(c, &pool.id).await?;
        return Err(Failure::Store(StoreError::Conflict(Conflict::Changed)));
    }
    Ok(())
}

pub async fn delete_pool(c: &impl GenericClient, id: &IdentityPoolId) -> PgResult<()> {
    execute_some(
        c,
        "DELETE FROM identity_pools WHERE id = $1",
        &[&id.as_str()],
    )
    .await
}

/// The identity's columns, then its logins as two parallel arrays: one
/// statement reads one snapshot, so the logins are those of the identity as
/// its row was read (a second statement could see them after a concurrent
/// merge or unlink).
const IDENTITY_COLUMNS: &str = "i.seq, p.id, i.id, i.created, i.modified, \
     ARRAY(SELECT g.provider FROM identity_logins g WHERE g.identity = i.seq \
           ORDER BY g.provider, g.subject), \
     ARRAY(SELECT g.subject FROM identity_logins g WHERE g.identity = i.seq \
           ORDER BY g.provider, g.subject)";
const IDENTITY_JOINS: &str = "identities i JOIN identity_pools p ON p.seq = i.pool";

/// An identity with its logins, from [`IDENTITY_COLUMNS`], and its seq.
fn identity_from_row(row: &Row) -> PgResult<(Identity, i64)> {
    let providers: Vec<String> = row.try_get(5)?;
    let subjects: Vec<String> = row.try_get(6)?;
    Ok((
        Identity {
            pool_id: IdentityPoolId::new(row.try_get::<_, String>(1)?),
            id: IdentityId::new(row.try_get::<_, String>(2)?),
            created: Timestamp(row.try_get(3)?),
            modified: Timestamp(row.try_get(4)?),
            logins: providers
                .into_iter()
                .zip(subjects)
                .map(|(provider, subject)| IdentityLogin { provider, subject })
                .collect(),
        },
        row.try_get(0)?,
    ))
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
    Ok(identity_from_row(&row)?.0)
}

pub async fn find_by_login(
    c: &impl GenericClient,
    pool: &IdentityPoolId,
    login: &IdentityLogin,
) -> PgResult<Identity> {
    let row = query_found(
        c,
        &format!(
            "SELECT {IDENTITY_COLUMNS} FROM identity_logins l
               JOIN identity_pools p ON p.seq = l.pool JOIN identities i ON i.seq = l.identity
             WHERE p.id = $1 AND l.provider = $2 AND l.subject = $3"
        ),
        &[&pool.as_str(), &login.provider, &login.subject],
    )
    .await?;
    Ok(identity_from_row(&row)?.0)
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
    Ok(Listing {
        items: rows.into_iter().map(|(identity, _)| identity).collect(),
        next,
    })
}
