//! Groups and memberships.

use rusqlite::{Connection, Row, params};
use tessera_core::clock::Timestamp;
use tessera_core::domain::group::Group;
use tessera_core::domain::user::User;
use tessera_core::ids::{GroupName, UserPoolId};
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError, StoreResult, UserKey};

use super::codec::{CachedStatements, backend, found, is_unique_violation, pool_seq, user_row_id};
use crate::paging::{limit_plus_one, split_page};

const COLUMNS: &str =
    "p.id, g.name, g.description, g.precedence, g.role_arn, g.created, g.modified";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Group> {
    Ok(Group {
        pool_id: UserPoolId::new(row.get::<_, String>(0)?),
        name: GroupName::new(row.get::<_, String>(1)?),
        description: row.get(2)?,
        precedence: row.get(3)?,
        role_arn: row.get(4)?,
        created: Timestamp(row.get(5)?),
        modified: Timestamp(row.get(6)?),
    })
}

pub fn create(conn: &Connection, group: &Group) -> StoreResult<()> {
    let pool = pool_seq(conn, group.pool_id.as_str())?;
    conn.execute_cached(
        "INSERT INTO groups (pool, name, description, precedence, role_arn, created, modified)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            pool,
            group.name.as_str(),
            group.description,
            group.precedence,
            group.role_arn,
            group.created.millis(),
            group.modified.millis(),
        ],
    )
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(Conflict::GroupName)
        } else {
            backend(e)
        }
    })?;
    Ok(())
}

pub fn get(conn: &Connection, pool: &UserPoolId, name: &GroupName) -> StoreResult<Group> {
    let seq = pool_seq(conn, pool.as_str())?;
    found(conn.prepare_cached_query_row(
        &format!(
            "SELECT {COLUMNS} FROM groups g JOIN pools p ON p.seq = g.pool
             WHERE g.pool = ?1 AND g.name = ?2"
        ),
        params![seq, name.as_str()],
        from_row,
    ))
}

fn query_groups(
    conn: &Connection,
    sql: &str,
    params: &[&dyn rusqlite::ToSql],
    limit: usize,
) -> StoreResult<Listing<Group>> {
    let mut stmt = conn.prepare_cached(sql).map_err(backend)?;
    let items = stmt
        .query_map(params, from_row)
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let (items, next) = split_page(items, limit, |g| g.name.as_str().to_owned());
    Ok(Listing { items, next })
}

pub fn list(
    conn: &Connection,
    pool: &UserPoolId,
    page: &PageRequest,
) -> StoreResult<Listing<Group>> {
    let seq = pool_seq(conn, pool.as_str())?;
    query_groups(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM groups g JOIN pools p ON p.seq = g.pool
             WHERE g.pool = ?1 AND g.name > ?2 ORDER BY g.name LIMIT ?3"
        ),
        &[
            &seq,
            &page.after.as_deref().unwrap_or(""),
            &limit_plus_one(page.limit),
        ],
        page.limit,
    )
}

pub fn update(conn: &Connection, group: &Group) -> StoreResult<()> {
    let seq = pool_seq(conn, group.pool_id.as_str())?;
    let changed = conn
        .execute_cached(
            "UPDATE groups SET description = ?3, precedence = ?4, role_arn = ?5, modified = ?6
             WHERE pool = ?1 AND name = ?2",
            params![
                seq,
                group.name.as_str(),
                group.description,
                group.precedence,
                group.role_arn,
                group.modified.millis(),
            ],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn delete(conn: &Connection, pool: &UserPoolId, name: &GroupName) -> StoreResult<()> {
    let seq = pool_seq(conn, pool.as_str())?;
    let changed = conn
        .execute_cached(
            "DELETE FROM groups WHERE pool = ?1 AND name = ?2",
            params![seq, name.as_str()],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn add_member(
    conn: &Connection,
    pool: &UserPoolId,
    sub: &str,
    group: &GroupName,
) -> StoreResult<()> {
    let seq = pool_seq(conn, pool.as_str())?;
    let user = user_row_id(conn, seq, sub)?;
    conn.execute_cached(
        "INSERT INTO memberships (pool, group_name, user_id) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
        params![seq, group.as_str(), user],
    )
    .map_err(|e| match e {
        // The group's foreign key: it was deleted meanwhile.
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::NotFound
        }
        other => backend(other),
    })?;
    Ok(())
}

pub fn remove_member(
    conn: &Connection,
    pool: &UserPoolId,
    sub: &str,
    group: &GroupName,
) -> StoreResult<()> {
    let seq = pool_seq(conn, pool.as_str())?;
    let user = user_row_id(conn, seq, sub)?;
    conn.execute_cached(
        "DELETE FROM memberships WHERE pool = ?1 AND group_name = ?2 AND user_id = ?3",
        params![seq, group.as_str(), user],
    )
    .map_err(backend)?;
    Ok(())
}

pub fn list_for_user(
    conn: &Connection,
    pool: &UserPoolId,
    sub: &str,
    page: &PageRequest,
) -> StoreResult<Listing<Group>> {
    let seq = pool_seq(conn, pool.as_str())?;
    let user = user_row_id(conn, seq, sub)?;
    query_groups(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM memberships m
               JOIN groups g ON g.pool = m.pool AND g.name = m.group_name
               JOIN pools p ON p.seq = g.pool
             WHERE m.user_id = ?1 AND m.group_name > ?2 ORDER BY m.group_name LIMIT ?3"
        ),
        &[
            &user,
            &page.after.as_deref().unwrap_or(""),
            &limit_plus_one(page.limit),
        ],
        page.limit,
    )
}

pub fn list_members(
    conn: &Connection,
    pool: &UserPoolId,
    group: &GroupName,
    page: &PageRequest,
) -> StoreResult<Listing<User>> {
    let seq = pool_seq(conn, pool.as_str())?;
    let after: i64 = page
        .after
        .as_deref()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let mut stmt = conn
        .prepare_cached(
            "SELECT u.sub, m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.pool = ?1 AND m.group_name = ?2 AND m.user_id > ?3
             ORDER BY m.user_id LIMIT ?4",
        )
        .map_err(backend)?;
    let rows = stmt
        .query_map(
            params![seq, group.as_str(), after, limit_plus_one(page.limit)],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let (rows, next) = split_page(rows, page.limit, |(_, id)| id.to_string());
    let items = rows
        .iter()
        .map(|(sub, _)| super::users::get(conn, pool, &UserKey::Sub(sub)))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Listing { items, next })
}
