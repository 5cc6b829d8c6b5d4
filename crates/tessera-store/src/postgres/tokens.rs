//! Token families and refresh tokens.

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::session::SessionActivity;
use tessera_core::domain::token::{RefreshTokenRecord, TokenFamily};
use tessera_core::domain::user::User;
use tessera_core::ids::{ClientId, UserPoolId};
use tokio_postgres::Row;

use super::codec::{PgResult, execute, execute_some, pool_seq, query, query_found, user_row_id};
use super::users;

const FAMILY_COLUMNS: &str = "f.origin_jti, p.id, u.sub, f.client_id, f.auth_time, f.expires, f.revoked, f.device_key, f.scopes, f.last_active, f.last_ip, f.user_agent";
/// How many columns [`FAMILY_COLUMNS`] names.
const FAMILY_WIDTH: usize = 12;
const FAMILY_JOINS: &str =
    "token_families f JOIN users u ON u.id = f.user_id JOIN pools p ON p.seq = u.pool";

fn family_from(row: &Row, at: usize) -> PgResult<TokenFamily> {
    Ok(TokenFamily {
        origin_jti: row.try_get(at)?,
        pool_id: UserPoolId::new(row.try_get::<_, String>(at + 1)?),
        sub: row.try_get(at + 2)?,
        client_id: ClientId::new(row.try_get::<_, String>(at + 3)?),
        auth_time: Timestamp(row.try_get(at + 4)?),
        expires: Timestamp(row.try_get(at + 5)?),
        revoked: row.try_get(at + 6)?,
        device_key: row.try_get(at + 7)?,
        scopes: row.try_get(at + 8)?,
        activity: SessionActivity {
            at: Timestamp(row.try_get(at + 9)?),
            ip: row.try_get(at + 10)?,
            user_agent: row.try_get(at + 11)?,
        },
    })
}

async fn insert_refresh(c: &impl GenericClient, r: &RefreshTokenRecord) -> PgResult<()> {
    execute(
        c,
        "INSERT INTO refresh_tokens (token_hash, origin_jti, created, superseded)
         VALUES ($1, $2, $3, $4)",
        &[
            &r.token_hash,
            &r.origin_jti,
            &r.created.millis(),
            &r.superseded.map(Timestamp::millis),
        ],
    )
    .await?;
    Ok(())
}

pub async fn create_family(
    c: &impl GenericClient,
    family: &TokenFamily,
    refresh: &RefreshTokenRecord,
) -> PgResult<()> {
    let user = user_row_id(c, family.pool_id.as_str(), &family.sub).await?;
    execute(
        c,
        "INSERT INTO token_families (origin_jti, user_id, client_id, auth_time, expires, revoked, device_key, scopes,
                                     last_active, last_ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &family.origin_jti,
            &user,
            &family.client_id.as_str(),
            &family.auth_time.millis(),
            &family.expires.millis(),
            &family.revoked,
            &family.device_key,
            &family.scopes,
            &family.activity.at.millis(),
            &family.activity.ip,
            &family.activity.user_agent,
        ],
    )
    .await?;
    insert_refresh(c, refresh).await
}

pub async fn get_family(c: &impl GenericClient, origin_jti: &str) -> PgResult<(TokenFamily, User)> {
    let row = query_found(
        c,
        &format!(
            "SELECT {FAMILY_COLUMNS}, {} FROM {FAMILY_JOINS} WHERE f.origin_jti = $1",
            users::COLUMNS
        ),
        &[&origin_jti],
    )
    .await?;
    Ok((
        family_from(&row, 0)?,
        users::from_row_at(&row, FAMILY_WIDTH)?.user,
    ))
}

pub async fn find_refresh(
    c: &impl GenericClient,
    token_hash: &[u8],
) -> PgResult<(RefreshTokenRecord, TokenFamily)> {
    let row = query_found(
        c,
        &format!(
            "SELECT r.token_hash, r.origin_jti, r.created, r.superseded, {FAMILY_COLUMNS}
             FROM refresh_tokens r JOIN {FAMILY_JOINS} ON f.origin_jti = r.origin_jti
             WHERE r.token_hash = $1"
        ),
        &[&token_hash],
    )
    .await?;
    Ok((
        RefreshTokenRecord {
            token_hash: row.try_get(0)?,
            origin_jti: row.try_get(1)?,
            created: Timestamp(row.try_get(2)?),
            superseded: row.try_get::<_, Option<i64>>(3)?.map(Timestamp),
        },
        family_from(&row, 4)?,
    ))
}

pub async fn rotate_refresh(
    c: &impl GenericClient,
    old_hash: &[u8],
    new: &RefreshTokenRecord,
    now: Timestamp,
) -> PgResult<()> {
    execute_some(
        c,
        "UPDATE refresh_tokens SET superseded = coalesce(superseded, $2) WHERE token_hash = $1",
        &[&old_hash, &now.millis()],
    )
    .await?;
    insert_refresh(c, new).await
}

pub async fn revoke_family(c: &impl GenericClient, origin_jti: &str) -> PgResult<()> {
    execute_some(
        c,
        "UPDATE token_families SET revoked = TRUE WHERE origin_jti = $1",
        &[&origin_jti],
    )
    .await
}

pub async fn revoke_user(c: &impl GenericClient, pool: &UserPoolId, sub: &str) -> PgResult<()> {
    let seq = pool_seq(c, pool.as_str()).await?;
    execute(
        c,
        "UPDATE token_families SET revoked = TRUE
         WHERE revoked = FALSE AND user_id = (SELECT id FROM users WHERE pool = $1 AND sub = $2)",
        &[&seq, &sub],
    )
    .await?;
    Ok(())
}

/// The user's live families, most recently active first (ties by name,
/// byte-wise as in SQLite).
const LIVE_FAMILIES: &str =
    "FROM token_families f JOIN users u ON u.id = f.user_id JOIN pools p ON p.seq = u.pool
     WHERE u.pool = $1 AND u.sub = $2 AND f.revoked = FALSE AND f.expires > $3
     ORDER BY f.last_active DESC, f.origin_jti COLLATE \"C\"";

pub async fn list_sessions(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    now: Timestamp,
    limit: usize,
) -> PgResult<Vec<TokenFamily>> {
    let seq = pool_seq(c, pool.as_str()).await?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    query(
        c,
        &format!("SELECT {FAMILY_COLUMNS} {LIVE_FAMILIES} LIMIT $4"),
        &[&seq, &sub, &now.millis(), &limit],
    )
    .await?
    .iter()
    .map(|row| family_from(row, 0))
    .collect()
}

pub async fn record_activity(
    c: &impl GenericClient,
    origin_jti: &str,
    activity: &SessionActivity,
) -> PgResult<()> {
    execute_some(
        c,
        "UPDATE token_families SET last_active = $2, last_ip = coalesce($3, last_ip),
             user_agent = coalesce($4, user_agent)
         WHERE origin_jti = $1",
        &[
            &origin_jti,
            &activity.at.millis(),
            &activity.ip,
            &activity.user_agent,
        ],
    )
    .await
}

pub async fn evict_sessions(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    keep: usize,
    now: Timestamp,
) -> PgResult<u64> {
    let seq = pool_seq(c, pool.as_str()).await?;
    let keep = i64::try_from(keep).unwrap_or(i64::MAX);
    execute(
        c,
        &format!(
            "UPDATE token_families SET revoked = TRUE WHERE origin_jti IN (
                 SELECT f.origin_jti {LIVE_FAMILIES} OFFSET $4)"
        ),
        &[&seq, &sub, &now.millis(), &keep],
    )
    .await
}
