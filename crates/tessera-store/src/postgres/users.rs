//! Users, their aliases and the ListUsers index. Uniqueness of usernames and
//! aliases is held by primary keys and unique constraints, never by a
//! read-then-write in application code.

use std::collections::BTreeMap;

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::filter::UserFilter;
use tessera_core::domain::lockout::FailureState;
use tessera_core::domain::user::{Alias, AliasKind, User, UserStatus, release_alias};
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Conflict, Listing, PageRequest, UserKey};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::codec::{
    PgResult, execute, execute_some, from_json, pool_seq, query, query_found, query_opt, to_json,
    unique_as, user_row_id,
};
use crate::list_plan::{UserScan, plan, position};
use crate::paging::{limit_plus_one, split_page};

/// The user's columns, then its aliases as two parallel arrays (one round trip).
pub const COLUMNS: &str = "u.id, p.id, u.sub, u.username, u.username_key, u.status, u.enabled, \
     u.created, u.modified, u.attributes, u.password, u.password_expires, \
     u.failed_sign_ins, u.last_failed_sign_in, u.locked_until, u.pending_attributes, u.mfa, \
     ARRAY(SELECT a.kind FROM user_aliases a WHERE a.user_id = u.id ORDER BY a.kind, a.value), \
     ARRAY(SELECT a.value FROM user_aliases a WHERE a.user_id = u.id ORDER BY a.kind, a.value)";

/// Index of the first column after [`COLUMNS`].
pub const NEXT_COLUMN: usize = 19;

pub struct Loaded {
    pub row_id: i64,
    pub user: User,
}

/// A user from the row's columns starting at `at`, in [`COLUMNS`] order.
pub fn from_row_at(row: &Row, at: usize) -> PgResult<Loaded> {
    let status: &str = row.try_get(at + 5)?;
    let kinds: Vec<&str> = row.try_get(at + 17)?;
    let values: Vec<String> = row.try_get(at + 18)?;
    let aliases = kinds
        .into_iter()
        .zip(values)
        .filter_map(|(kind, value)| {
            AliasKind::from_attribute(kind).map(|kind| Alias { kind, value })
        })
        .collect();
    Ok(Loaded {
        row_id: row.try_get(at)?,
        user: User {
            pool_id: UserPoolId::new(row.try_get::<_, String>(at + 1)?),
            sub: row.try_get(at + 2)?,
            username: row.try_get(at + 3)?,
            username_key: row.try_get(at + 4)?,
            status: UserStatus::parse(status).unwrap_or(UserStatus::Unknown),
            enabled: row.try_get(at + 6)?,
            created: Timestamp(row.try_get(at + 7)?),
            modified: Timestamp(row.try_get(at + 8)?),
            attributes: from_json(row.try_get::<_, &str>(at + 9)?)?,
            password: row.try_get(at + 10)?,
            password_expires: row.try_get::<_, Option<i64>>(at + 11)?.map(Timestamp),
            aliases,
            pending_attributes: from_json(row.try_get::<_, &str>(at + 15)?)?,
            mfa: from_json(row.try_get::<_, &str>(at + 16)?)?,
            sign_in_failures: FailureState {
                count: count_from(row.try_get(at + 12)?),
                last_failure: row.try_get::<_, Option<i64>>(at + 13)?.map(Timestamp),
                locked_until: row.try_get::<_, Option<i64>>(at + 14)?.map(Timestamp),
            },
        },
    })
}

pub fn from_row(row: &Row) -> PgResult<Loaded> {
    from_row_at(row, 0)
}

fn count_from(stored: i32) -> u32 {
    u32::try_from(stored).unwrap_or(0)
}

fn count_to(count: u32) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

/// Moves aliases away from whoever holds them, applying [`release_alias`] to
/// the previous holder.
async fn take_aliases(c: &impl GenericClient, pool: i64, take: &[Alias]) -> PgResult<()> {
    for alias in take {
        let holder = query_opt(
            c,
            "DELETE FROM user_aliases WHERE pool = $1 AND kind = $2 AND value = $3 RETURNING user_id",
            &[&pool, &alias.kind.attribute(), &alias.value],
        )
        .await?;
        let Some(holder) = holder else { continue };
        let holder: i64 = holder.try_get(0)?;
        let row = query_found(
            c,
            "SELECT attributes FROM users WHERE id = $1 FOR UPDATE",
            &[&holder],
        )
        .await?;
        let mut attributes: BTreeMap<String, String> = from_json(row.try_get::<_, &str>(0)?)?;
        if release_alias(&mut attributes, alias.kind) {
            execute(
                c,
                "UPDATE users SET attributes = $2 WHERE id = $1",
                &[&holder, &to_json(&attributes)?],
            )
            .await?;
        }
    }
    Ok(())
}

async fn insert_aliases_and_index(
    c: &impl GenericClient,
    pool: i64,
    row_id: i64,
    user: &User,
) -> PgResult<()> {
    for alias in &user.aliases {
        execute(
            c,
            "INSERT INTO user_aliases (pool, kind, value, user_id) VALUES ($1, $2, $3, $4)",
            &[&pool, &alias.kind.attribute(), &alias.value, &row_id],
        )
        .await
        .map_err(unique_as(Conflict::Alias(alias.clone())))?;
    }
    for (attr, value) in user.filter_values() {
        execute(
            c,
            "INSERT INTO user_index (pool, attr, value, user_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            &[&pool, &attr, &value.as_bytes(), &row_id],
        )
        .await?;
    }
    Ok(())
}

pub async fn create(c: &impl GenericClient, user: &User, take: &[Alias]) -> PgResult<()> {
    let pool = pool_seq(c, user.pool_id.as_str()).await?;
    take_aliases(c, pool, take).await?;
    let row = query_found(
        c,
        "INSERT INTO users (pool, sub, username, username_key, status, enabled, created, modified,
                            attributes, password, password_expires, pending_attributes, mfa)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         RETURNING id",
        &[
            &pool,
            &user.sub,
            &user.username,
            &user.username_key,
            &user.status.as_str(),
            &user.enabled,
            &user.created.millis(),
            &user.modified.millis(),
            &to_json(&user.attributes)?,
            &user.password,
            &user.password_expires.map(Timestamp::millis),
            &to_json(&user.pending_attributes)?,
            &to_json(&user.mfa)?,
        ],
    )
    .await
    .map_err(unique_as(Conflict::Username))?;
    insert_aliases_and_index(c, pool, row.try_get(0)?, user).await
}

pub async fn update(c: &impl GenericClient, user: &User, take: &[Alias]) -> PgResult<()> {
    let pool = pool_seq(c, user.pool_id.as_str()).await?;
    let row = query_found(
        c,
        "SELECT id FROM users WHERE pool = $1 AND sub = $2 FOR UPDATE",
        &[&pool, &user.sub],
    )
    .await?;
    let row_id: i64 = row.try_get(0)?;
    take_aliases(c, pool, take).await?;
    execute(
        c,
        "UPDATE users SET status = $2, enabled = $3, modified = $4, attributes = $5,
                          password = $6, password_expires = $7, pending_attributes = $8, mfa = $9
         WHERE id = $1",
        &[
            &row_id,
            &user.status.as_str(),
            &user.enabled,
            &user.modified.millis(),
            &to_json(&user.attributes)?,
            &user.password,
            &user.password_expires.map(Timestamp::millis),
            &to_json(&user.pending_attributes)?,
            &to_json(&user.mfa)?,
        ],
    )
    .await?;
    execute(c, "DELETE FROM user_aliases WHERE user_id = $1", &[&row_id]).await?;
    execute(c, "DELETE FROM user_index WHERE user_id = $1", &[&row_id]).await?;
    insert_aliases_and_index(c, pool, row_id, user).await
}

pub async fn delete(c: &impl GenericClient, pool: &UserPoolId, sub: &str) -> PgResult<()> {
    execute_some(
        c,
        "DELETE FROM users WHERE pool = (SELECT seq FROM pools WHERE id = $1) AND sub = $2",
        &[&pool.as_str(), &sub],
    )
    .await
}

pub async fn get(c: &impl GenericClient, pool: &UserPoolId, key: &UserKey<'_>) -> PgResult<User> {
    let base = format!("SELECT {COLUMNS} FROM users u JOIN pools p ON p.seq = u.pool");
    let row = match key {
        UserKey::Username(name) => {
            query_found(
                c,
                &format!("{base} WHERE p.id = $1 AND u.username_key = $2"),
                &[&pool.as_str(), name],
            )
            .await
        }
        UserKey::Sub(sub) => {
            query_found(
                c,
                &format!("{base} WHERE p.id = $1 AND u.sub = $2"),
                &[&pool.as_str(), sub],
            )
            .await
        }
        UserKey::Alias(alias) => {
            query_found(
                c,
                &format!(
                    "{base} JOIN user_aliases k ON k.user_id = u.id AND k.pool = u.pool
                     WHERE p.id = $1 AND k.kind = $2 AND k.value = $3"
                ),
                &[&pool.as_str(), &alias.kind.attribute(), &alias.value],
            )
            .await
        }
    }?;
    Ok(from_row(&row)?.user)
}

pub async fn count(c: &impl GenericClient, pool: &UserPoolId) -> PgResult<u64> {
    let seq = pool_seq(c, pool.as_str()).await?;
    let row = query_found(c, "SELECT count(*) FROM users WHERE pool = $1", &[&seq]).await?;
    Ok(u64::try_from(row.try_get::<_, i64>(0)?).unwrap_or(0))
}

/// Runs the ListUsers plan over the index (values as bytea, compared
/// byte-wise); see [`crate::list_plan`].
pub async fn list(
    c: &impl GenericClient,
    pool: &UserPoolId,
    filter: Option<&UserFilter>,
    page: &PageRequest,
) -> PgResult<Listing<User>> {
    let seq = pool_seq(c, pool.as_str()).await?;
    let limit = limit_plus_one(page.limit);
    let rows = match plan(filter, page.after.as_deref()) {
        UserScan::All { after_row } => {
            query(
                c,
                &format!(
                    "SELECT {COLUMNS}, NULL::bytea FROM users u JOIN pools p ON p.seq = u.pool
                     WHERE u.pool = $1 AND u.id > $2 ORDER BY u.id LIMIT $3"
                ),
                &[&seq, &after_row, &limit],
            )
            .await?
        }
        UserScan::Exact {
            attribute,
            value,
            after_row,
        } => {
            query(
                c,
                &format!(
                    "SELECT {COLUMNS}, NULL::bytea FROM user_index i
                       JOIN users u ON u.id = i.user_id JOIN pools p ON p.seq = u.pool
                     WHERE i.pool = $1 AND i.attr = $2 AND i.value = $3 AND i.user_id > $4
                     ORDER BY i.user_id LIMIT $5"
                ),
                &[&seq, &attribute, &value.as_bytes(), &after_row, &limit],
            )
            .await?
        }
        UserScan::Prefix {
            attribute,
            prefix,
            end,
            after_value,
            after_row,
        } => {
            let params: [&(dyn ToSql + Sync); 7] = [
                &seq,
                &attribute,
                &prefix.as_bytes(),
                &end,
                &after_value.as_bytes(),
                &after_row,
                &limit,
            ];
            query(
                c,
                &format!(
                    "SELECT {COLUMNS}, i.value FROM user_index i
                       JOIN users u ON u.id = i.user_id JOIN pools p ON p.seq = u.pool
                     WHERE i.pool = $1 AND i.attr = $2 AND i.value >= $3 AND i.value < $4
                       AND (i.value, i.user_id) > ($5, $6)
                     ORDER BY i.value, i.user_id LIMIT $7"
                ),
                &params,
            )
            .await?
        }
    };
    let rows = rows
        .iter()
        .map(|row| {
            let value: Option<Vec<u8>> = row.try_get(NEXT_COLUMN)?;
            Ok((value, from_row(row)?))
        })
        .collect::<PgResult<Vec<_>>>()?;
    let (rows, next) = split_page(rows, page.limit, |(value, loaded)| {
        position(
            loaded.row_id,
            value.as_deref().map(String::from_utf8_lossy).as_deref(),
        )
    });
    Ok(Listing {
        items: rows.into_iter().map(|(_, loaded)| loaded.user).collect(),
        next,
    })
}

/// The user's row id and failure state, the row locked for the update.
async fn locked_failure_state(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
) -> PgResult<(i64, FailureState)> {
    let row = query_found(
        c,
        "SELECT u.id, u.failed_sign_ins, u.last_failed_sign_in, u.locked_until
         FROM users u JOIN pools p ON p.seq = u.pool
         WHERE p.id = $1 AND u.sub = $2 FOR UPDATE OF u",
        &[&pool.as_str(), &sub],
    )
    .await?;
    Ok((
        row.try_get(0)?,
        FailureState {
            count: count_from(row.try_get(1)?),
            last_failure: row.try_get::<_, Option<i64>>(2)?.map(Timestamp),
            locked_until: row.try_get::<_, Option<i64>>(3)?.map(Timestamp),
        },
    ))
}

async fn write_failure_state(
    c: &impl GenericClient,
    row_id: i64,
    state: &FailureState,
) -> PgResult<()> {
    execute(
        c,
        "UPDATE users SET failed_sign_ins = $2, last_failed_sign_in = $3, locked_until = $4
         WHERE id = $1",
        &[
            &row_id,
            &count_to(state.count),
            &state.last_failure.map(Timestamp::millis),
            &state.locked_until.map(Timestamp::millis),
        ],
    )
    .await?;
    Ok(())
}

pub async fn admit_sign_in_attempt(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    now: Timestamp,
) -> PgResult<Option<FailureState>> {
    let (row_id, current) = locked_failure_state(c, pool, sub).await?;
    let Some(next) = current.admit(now) else {
        return Ok(None);
    };
    write_failure_state(c, row_id, &next).await?;
    Ok(Some(next))
}

pub async fn refund_sign_in_attempt(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
) -> PgResult<()> {
    let (row_id, current) = locked_failure_state(c, pool, sub).await?;
    write_failure_state(c, row_id, &current.refund()).await
}

pub async fn accept_totp_step(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    secret_id: &str,
    step: i64,
) -> PgResult<bool> {
    let row_id = user_row_id(c, pool.as_str(), sub).await?;
    let changed = execute(
        c,
        "UPDATE users SET totp_secret = $2, totp_last_step = $3
         WHERE id = $1
           AND (totp_secret IS DISTINCT FROM $2 OR totp_last_step IS NULL OR totp_last_step < $3)",
        &[&row_id, &secret_id, &step],
    )
    .await?;
    Ok(changed == 1)
}

pub async fn clear_sign_in_failures(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
) -> PgResult<()> {
    let row_id = user_row_id(c, pool.as_str(), sub).await?;
    execute(
        c,
        "UPDATE users SET failed_sign_ins = 0, last_failed_sign_in = NULL, locked_until = NULL
         WHERE id = $1 AND (failed_sign_ins <> 0 OR locked_until IS NOT NULL)",
        &[&row_id],
    )
    .await?;
    Ok(())
}
