//! Users, their aliases and the ListUsers index. Uniqueness of usernames and
//! aliases is held by primary keys and unique constraints, never by a
//! read-then-write in application code.

use std::collections::BTreeMap;

use rusqlite::{Connection, Row, params};
use tessera_core::clock::Timestamp;
use tessera_core::domain::filter::UserFilter;
use tessera_core::domain::lockout::FailureState;
use tessera_core::domain::user::{Alias, AliasKind, User, UserStatus, release_alias};
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError, StoreResult, UserKey};

use super::codec::{
    CachedStatements, backend, found, from_json, is_unique_violation, pool_seq, to_json, user_row,
    user_row_id,
};
use crate::list_plan::{UserScan, plan, position};
use crate::paging::{limit_plus_one, split_page};

fn kind_name(kind: AliasKind) -> &'static str {
    kind.attribute()
}

pub const COLUMNS: &str = "u.id, p.id, u.sub, u.username, u.username_key, u.status, u.enabled, \
                       u.created, u.modified, u.attributes, u.password, u.password_expires, \
                       u.failed_sign_ins, u.last_failed_sign_in, u.locked_until, u.pending_attributes, \
                       u.mfa";

pub struct Loaded {
    row_id: i64,
    user: User,
}

/// A user from the row's columns starting at `at`, in [`COLUMNS`] order.
pub fn from_row_at(row: &Row<'_>, at: usize) -> rusqlite::Result<Loaded> {
    let status: String = row.get(at + 5)?;
    let attributes: BTreeMap<String, String> = from_json(&row.get::<_, String>(at + 9)?)?;
    Ok(Loaded {
        row_id: row.get(at)?,
        user: User {
            pool_id: UserPoolId::new(row.get::<_, String>(at + 1)?),
            sub: row.get(at + 2)?,
            username: row.get(at + 3)?,
            username_key: row.get(at + 4)?,
            status: UserStatus::parse(&status).unwrap_or(UserStatus::Unknown),
            enabled: row.get(at + 6)?,
            created: Timestamp(row.get(at + 7)?),
            modified: Timestamp(row.get(at + 8)?),
            attributes,
            password: row.get(at + 10)?,
            password_expires: row.get::<_, Option<i64>>(at + 11)?.map(Timestamp),
            aliases: Vec::new(),
            pending_attributes: from_json(&row.get::<_, String>(at + 15)?)?,
            mfa: from_json(&row.get::<_, String>(at + 16)?)?,
            sign_in_failures: FailureState {
                count: row.get(at + 12)?,
                last_failure: row.get::<_, Option<i64>>(at + 13)?.map(Timestamp),
                locked_until: row.get::<_, Option<i64>>(at + 14)?.map(Timestamp),
            },
        },
    })
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Loaded> {
    from_row_at(row, 0)
}

pub fn with_aliases(conn: &Connection, loaded: Loaded) -> StoreResult<User> {
    let mut user = loaded.user;
    let mut stmt = conn
        .prepare_cached("SELECT kind, value FROM user_aliases WHERE user_id = ?1")
        .map_err(backend)?;
    user.aliases = stmt
        .query_map([loaded.row_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(backend)?
        .filter_map(|r| match r {
            Ok((kind, value)) => {
                AliasKind::from_attribute(&kind).map(|kind| Ok(Alias { kind, value }))
            }
            Err(e) => Some(Err(backend(e))),
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(user)
}

/// Moves aliases away from whoever holds them, applying [`release_alias`] to
/// the previous holder.
fn take_aliases(conn: &Connection, pool: i64, take: &[Alias]) -> StoreResult<()> {
    for alias in take {
        let holder: StoreResult<i64> = found(conn.prepare_cached_query_row(
            "DELETE FROM user_aliases WHERE pool = ?1 AND kind = ?2 AND value = ?3 RETURNING user_id",
            params![pool, kind_name(alias.kind), alias.value],
            |r| r.get(0),
        ));
        let holder = match holder {
            Ok(id) => id,
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        let text: String = conn
            .query_row(
                "SELECT attributes FROM users WHERE id = ?1",
                [holder],
                |r| r.get(0),
            )
            .map_err(backend)?;
        let mut attributes: BTreeMap<String, String> = from_json(&text).map_err(backend)?;
        if release_alias(&mut attributes, alias.kind) {
            conn.execute_cached(
                "UPDATE users SET attributes = ?2 WHERE id = ?1",
                params![holder, to_json(&attributes)?],
            )
            .map_err(backend)?;
        }
    }
    Ok(())
}

fn insert_aliases_and_index(
    conn: &Connection,
    pool: i64,
    row_id: i64,
    user: &User,
) -> StoreResult<()> {
    let mut alias_stmt = conn
        .prepare_cached(
            "INSERT INTO user_aliases (pool, kind, value, user_id) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(backend)?;
    for alias in &user.aliases {
        alias_stmt
            .execute(params![pool, kind_name(alias.kind), alias.value, row_id])
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict(Conflict::Alias(alias.clone()))
                } else {
                    backend(e)
                }
            })?;
    }
    insert_index(conn, pool, row_id, user)
}

/// The user's rows of the attribute index that list filters read.
pub fn insert_index(conn: &Connection, pool: i64, row_id: i64, user: &User) -> StoreResult<()> {
    let mut index_stmt = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO user_index (pool, attr, value, user_id) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(backend)?;
    for (attr, value) in user.filter_values() {
        index_stmt
            .execute(params![pool, attr, value, row_id])
            .map_err(backend)?;
    }
    Ok(())
}

/// Inserts the user's row: its id, or `None` when the username is taken.
pub fn insert_row(conn: &Connection, pool: i64, user: &User) -> StoreResult<Option<i64>> {
    let inserted = conn
        .execute_cached(
            "INSERT INTO users (pool, sub, username, username_key, status, enabled, created,
                                modified, attributes, password, password_expires,
                                pending_attributes, mfa)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT DO NOTHING",
            params![
                pool,
                user.sub,
                user.username,
                user.username_key,
                user.status.as_str(),
                user.enabled,
                user.created.millis(),
                user.modified.millis(),
                to_json(&user.attributes)?,
                user.password,
                user.password_expires.map(Timestamp::millis),
                to_json(&user.pending_attributes)?,
                to_json(&user.mfa)?,
            ],
        )
        .map_err(backend)?;
    Ok((inserted > 0).then(|| conn.last_insert_rowid()))
}

pub fn create(conn: &Connection, user: &User, take: &[Alias]) -> StoreResult<()> {
    let pool = pool_seq(conn, user.pool_id.as_str())?;
    take_aliases(conn, pool, take)?;
    let row_id = insert_row(conn, pool, user)?.ok_or(StoreError::Conflict(Conflict::Username))?;
    insert_aliases_and_index(conn, pool, row_id, user)
}

pub fn update(conn: &Connection, user: &User, take: &[Alias]) -> StoreResult<()> {
    let pool = pool_seq(conn, user.pool_id.as_str())?;
    let row_id = user_row_id(conn, pool, &user.sub)?;
    take_aliases(conn, pool, take)?;
    conn.execute_cached(
        "UPDATE users SET status = ?2, enabled = ?3, modified = ?4, attributes = ?5,
                          password = ?6, password_expires = ?7, pending_attributes = ?8, mfa = ?9
         WHERE id = ?1",
        params![
            row_id,
            user.status.as_str(),
            user.enabled,
            user.modified.millis(),
            to_json(&user.attributes)?,
            user.password,
            user.password_expires.map(Timestamp::millis),
            to_json(&user.pending_attributes)?,
            to_json(&user.mfa)?,
        ],
    )
    .map_err(backend)?;
    conn.execute_cached("DELETE FROM user_aliases WHERE user_id = ?1", [row_id])
        .map_err(backend)?;
    conn.execute_cached("DELETE FROM user_index WHERE user_id = ?1", [row_id])
        .map_err(backend)?;
    insert_aliases_and_index(conn, pool, row_id, user)
}

pub fn delete(conn: &Connection, pool: &UserPoolId, sub: &str) -> StoreResult<()> {
    let seq = pool_seq(conn, pool.as_str())?;
    let changed = conn
        .execute_cached(
            "DELETE FROM users WHERE pool = ?1 AND sub = ?2",
            params![seq, sub],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn get(conn: &Connection, pool: &UserPoolId, key: &UserKey<'_>) -> StoreResult<User> {
    let seq = pool_seq(conn, pool.as_str())?;
    let base = format!("SELECT {COLUMNS} FROM users u JOIN pools p ON p.seq = u.pool");
    let loaded = match key {
        UserKey::Username(name) => found(conn.prepare_cached_query_row(
            &format!("{base} WHERE u.pool = ?1 AND u.username_key = ?2"),
            params![seq, name],
            from_row,
        )),
        UserKey::Sub(sub) => found(conn.prepare_cached_query_row(
            &format!("{base} WHERE u.pool = ?1 AND u.sub = ?2"),
            params![seq, sub],
            from_row,
        )),
        UserKey::Alias(alias) => found(conn.prepare_cached_query_row(
            &format!(
                "{base} JOIN user_aliases a ON a.user_id = u.id
                 WHERE a.pool = ?1 AND a.kind = ?2 AND a.value = ?3"
            ),
            params![seq, kind_name(alias.kind), alias.value],
            from_row,
        )),
    }?;
    with_aliases(conn, loaded)
}

pub fn count(conn: &Connection, pool: &UserPoolId) -> StoreResult<u64> {
    let seq = pool_seq(conn, pool.as_str())?;
    let n: i64 = conn
        .query_row("SELECT count(*) FROM users WHERE pool = ?1", [seq], |r| {
            r.get(0)
        })
        .map_err(backend)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Runs the ListUsers plan over the index; see [`crate::list_plan`].
pub fn list(
    conn: &Connection,
    pool: &UserPoolId,
    filter: Option<&UserFilter>,
    page: &PageRequest,
) -> StoreResult<Listing<User>> {
    let seq = pool_seq(conn, pool.as_str())?;
    let limit = limit_plus_one(page.limit);
    let (sql, params): (String, Vec<Box<dyn rusqlite::ToSql>>) =
        match plan(filter, page.after.as_deref()) {
            UserScan::All { after_row } => (
                format!(
                    "SELECT {COLUMNS}, NULL FROM users u JOIN pools p ON p.seq = u.pool
                     WHERE u.pool = ?1 AND u.id > ?2 ORDER BY u.id LIMIT ?3"
                ),
                vec![Box::new(seq), Box::new(after_row), Box::new(limit)],
            ),
            UserScan::Exact {
                attribute,
                value,
                after_row,
            } => (
                format!(
                    "SELECT {COLUMNS}, NULL FROM user_index i
                       JOIN users u ON u.id = i.user_id JOIN pools p ON p.seq = u.pool
                     WHERE i.pool = ?1 AND i.attr = ?2 AND i.value = ?3 AND i.user_id > ?4
                     ORDER BY i.user_id LIMIT ?5"
                ),
                vec![
                    Box::new(seq),
                    Box::new(attribute),
                    Box::new(value.to_owned()),
                    Box::new(after_row),
                    Box::new(limit),
                ],
            ),
            // The bound is bound as a blob and cast to text, so SQLite compares
            // it byte-wise with the text values.
            UserScan::Prefix {
                attribute,
                prefix,
                end,
                after_value,
                after_row,
            } => (
                format!(
                    "SELECT {COLUMNS}, i.value FROM user_index i
                       JOIN users u ON u.id = i.user_id JOIN pools p ON p.seq = u.pool
                     WHERE i.pool = ?1 AND i.attr = ?2 AND i.value >= ?3 AND i.value < CAST(?4 AS TEXT)
                       AND (i.value, i.user_id) > (?5, ?6)
                     ORDER BY i.value, i.user_id LIMIT ?7"
                ),
                vec![
                    Box::new(seq),
                    Box::new(attribute),
                    Box::new(prefix.to_owned()),
                    Box::new(end),
                    Box::new(after_value),
                    Box::new(after_row),
                    Box::new(limit),
                ],
            ),
        };
    let mut stmt = conn.prepare_cached(&sql).map_err(backend)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params.iter()), |row| {
            let value: Option<String> = row.get(17)?;
            Ok((value, from_row(row)?))
        })
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let (rows, next) = split_page(rows, page.limit, |(value, loaded)| {
        position(loaded.row_id, value.as_deref())
    });
    rows.into_iter()
        .map(|(_, loaded)| with_aliases(conn, loaded))
        .collect::<StoreResult<Vec<_>>>()
        .map(|items| Listing { items, next })
}

pub fn admit_sign_in_attempt(
    conn: &Connection,
    pool: &UserPoolId,
    sub: &str,
    now: Timestamp,
) -> StoreResult<Option<FailureState>> {
    let row = user_row(conn, pool.as_str(), sub)?;
    let Some(next) = failure_state(conn, row)?.admit(now) else {
        return Ok(None);
    };
    write_failure_state(conn, row, &next)?;
    Ok(Some(next))
}

fn failure_state(conn: &Connection, row: i64) -> StoreResult<FailureState> {
    conn.query_row(
        "SELECT failed_sign_ins, last_failed_sign_in, locked_until FROM users WHERE id = ?1",
        [row],
        |r| {
            Ok(FailureState {
                count: r.get(0)?,
                last_failure: r.get::<_, Option<i64>>(1)?.map(Timestamp),
                locked_until: r.get::<_, Option<i64>>(2)?.map(Timestamp),
            })
        },
    )
    .map_err(backend)
}

fn write_failure_state(conn: &Connection, row: i64, state: &FailureState) -> StoreResult<()> {
    conn.execute_cached(
        "UPDATE users SET failed_sign_ins = ?2, last_failed_sign_in = ?3, locked_until = ?4 WHERE id = ?1",
        params![
            row,
            state.count,
            state.last_failure.map(Timestamp::millis),
            state.locked_until.map(Timestamp::millis)
        ],
    )
    .map_err(backend)?;
    Ok(())
}

pub fn refund_sign_in_attempt(conn: &Connection, pool: &UserPoolId, sub: &str) -> StoreResult<()> {
    let row = user_row(conn, pool.as_str(), sub)?;
    let current = failure_state(conn, row)?;
    write_failure_state(conn, row, &current.refund())
}

pub fn accept_totp_step(
    conn: &Connection,
    pool: &UserPoolId,
    sub: &str,
    secret_id: &str,
    step: i64,
) -> StoreResult<bool> {
    let row = user_row(conn, pool.as_str(), sub)?;
    let changed = conn
        .execute_cached(
            "UPDATE users SET totp_secret = ?2, totp_last_step = ?3
             WHERE id = ?1
               AND (totp_secret IS NOT ?2 OR totp_last_step IS NULL OR totp_last_step < ?3)",
            params![row, secret_id, step],
        )
        .map_err(backend)?;
    Ok(changed == 1)
}

pub fn clear_sign_in_failures(conn: &Connection, pool: &UserPoolId, sub: &str) -> StoreResult<()> {
    let row = user_row(conn, pool.as_str(), sub)?;
    conn.execute_cached(
        "UPDATE users SET failed_sign_ins = 0, last_failed_sign_in = NULL, locked_until = NULL
         WHERE id = ?1 AND (failed_sign_ins != 0 OR locked_until IS NOT NULL)",
        [row],
    )
    .map_err(backend)?;
    Ok(())
}
