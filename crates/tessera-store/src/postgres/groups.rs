//! Groups and memberships.

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::group::Group;
use tessera_core::domain::user::User;
use tessera_core::ids::{GroupName, UserPoolId};
use tessera_core::store::{Conflict, Listing, PageRequest};
use tokio_postgres::Row;

use super::codec::{
    Params, PgResult, execute, execute_some, pool_and_user_rows, pool_seq, query, query_found,
    unique_as, user_row_id,
};
use super::users;
use crate::paging::{limit_plus_one, split_page};

const COLUMNS: &str =
    "p.id, g.name, g.description, g.precedence, g.role_arn, g.created, g.modified";

fn from_row(row: &Row) -> PgResult<Group> {
    Ok(Group {
        pool_id: UserPoolId::new(row.try_get::<_, String>(0)?),
        name: GroupName::new(row.try_get::<_, String>(1)?),
        description: row.try_get(2)?,
        precedence: row.try_get(3)?,
        role_arn: row.try_get(4)?,
        created: Timestamp(row.try_get(5)?),
        modified: Timestamp(row.try_get(6)?),
    })
}

pub async fn create(c: &impl GenericClient, group: &Group) -> PgResult<()> {
    let pool = pool_seq(c, group.pool_id.as_str()).await?;
    execute(
        c,
        "INSERT INTO groups (pool, name, description, precedence, role_arn, created, modified)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &pool,
            &group.name.as_str(),
            &group.description,
            &group.precedence,
            &group.role_arn,
            &group.created.millis(),
            &group.modified.millis(),
        ],
    )
    .await
    .map_err(unique_as(Conflict::GroupName))?;
    Ok(())
}

pub async fn get(c: &impl GenericClient, pool: &UserPoolId, name: &GroupName) -> PgResult<Group> {
    let row = query_found(
        c,
        &format!(
            "SELECT {COLUMNS} FROM groups g JOIN pools p ON p.seq = g.pool
             WHERE p.id = $1 AND g.name = $2"
        ),
        &[&pool.as_str(), &name.as_str()],
    )
    .await?;
    from_row(&row)
}

async fn query_groups(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
    limit: usize,
) -> PgResult<Listing<Group>> {
    let rows = query(c, sql, params).await?;
    let items = rows.iter().map(from_row).collect::<PgResult<Vec<_>>>()?;
    let (items, next) = split_page(items, limit, |g| g.name.as_str().to_owned());
    Ok(Listing { items, next })
}

pub async fn list(
    c: &impl GenericClient,
    pool: &UserPoolId,
    page: &PageRequest,
) -> PgResult<Listing<Group>> {
    let seq = pool_seq(c, pool.as_str()).await?;
    query_groups(
        c,
        &format!(
            "SELECT {COLUMNS} FROM groups g JOIN pools p ON p.seq = g.pool
             WHERE g.pool = $1 AND g.name > $2 ORDER BY g.name LIMIT $3"
        ),
        &[
            &seq,
            &page.after.as_deref().unwrap_or(""),
            &limit_plus_one(page.limit),
        ],
        page.limit,
    )
    .await
}

pub async fn update(c: &impl GenericClient, group: &Group) -> PgResult<()> {
    execute_some(
        c,
        "UPDATE groups SET description = $3, precedence = $4, role_arn = $5, modified = $6
         WHERE pool = (SELECT seq FROM pools WHERE id = $1) AND name = $2",
        &[
            &group.pool_id.as_str(),
            &group.name.as_str(),
            &group.description,
            &group.precedence,
            &group.role_arn,
            &group.modified.millis(),
        ],
    )
    .await
}

pub async fn delete(c: &impl GenericClient, pool: &UserPoolId, name: &GroupName) -> PgResult<()> {
    execute_some(
        c,
        "DELETE FROM groups WHERE pool = (SELECT seq FROM pools WHERE id = $1) AND name = $2",
        &[&pool.as_str(), &name.as_str()],
    )
    .await
}

pub async fn add_member(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    group: &GroupName,
) -> PgResult<()> {
    let (seq, user) = pool_and_user_rows(c, pool.as_str(), sub).await?;
    // A group deleted meanwhile breaks the foreign key: NotFound.
    execute(
        c,
        "INSERT INTO memberships (pool, group_name, user_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        &[&seq, &group.as_str(), &user],
    )
    .await?;
    Ok(())
}

pub async fn remove_member(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    group: &GroupName,
) -> PgResult<()> {
    let (seq, user) = pool_and_user_rows(c, pool.as_str(), sub).await?;
    execute(
        c,
        "DELETE FROM memberships WHERE pool = $1 AND group_name = $2 AND user_id = $3",
        &[&seq, &group.as_str(), &user],
    )
    .await?;
    Ok(())
}

pub async fn list_for_user(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    page: &PageRequest,
) -> PgResult<Listing<Group>> {
    let user = user_row_id(c, pool.as_str(), sub).await?;
    query_groups(
        c,
        &format!(
            "SELECT {COLUMNS} FROM memberships m
               JOIN groups g ON g.pool = m.pool AND g.name = m.group_name
               JOIN pools p ON p.seq = g.pool
             WHERE m.user_id = $1 AND m.group_name > $2 ORDER BY m.group_name LIMIT $3"
        ),
        &[
            &user,
            &page.after.as_deref().unwrap_or(""),
            &limit_plus_one(page.limit),
        ],
        page.limit,
    )
    .await
}

pub async fn list_members(
    c: &impl GenericClient,
    pool: &UserPoolId,
    group: &GroupName,
    page: &PageRequest,
) -> PgResult<Listing<User>> {
    let seq = pool_seq(c, pool.as_str()).await?;
    let after: i64 = page
        .after
        .as_deref()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let rows = query(
        c,
        &format!(
            "SELECT {} FROM memberships m
               JOIN users u ON u.id = m.user_id JOIN pools p ON p.seq = u.pool
             WHERE m.pool = $1 AND m.group_name = $2 AND m.user_id > $3
             ORDER BY m.user_id LIMIT $4",
            users::COLUMNS
        ),
        &[&seq, &group.as_str(), &after, &limit_plus_one(page.limit)],
    )
    .await?;
    let loaded = rows
        .iter()
        .map(users::from_row)
        .collect::<PgResult<Vec<_>>>()?;
    let (loaded, next) = split_page(loaded, page.limit, |l| l.row_id.to_string());
    Ok(Listing {
        items: loaded.into_iter().map(|l| l.user).collect(),
        next,
    })
}
