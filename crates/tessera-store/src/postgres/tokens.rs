//! Token families and refresh tokens.

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::token::{RefreshTokenRecord, TokenFamily};
use tessera_core::domain::user::User;
use tessera_core::ids::{ClientId, UserPoolId};
use tokio_postgres::Row;

use super::codec::{PgResult, execute, execute_some, pool_seq, query_found, user_row_id};
use super::users;

const FAMILY_COLUMNS: &str = "f.origin_jti, p.id, u.sub, f.client_id, f.auth_time, f.expires, f.revoked, f.device_key, f.scopes";
/// How many columns [`FAMILY_COLUMNS`] names.
const FAMILY_WIDTH: usize = 9;
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
        "INSERT INTO token_families (origin_jti, user_id, client_id, auth_time, expires, revoked, device_key, scopes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &family.origin_jti,
            &user,
            &family.client_id.as_str(),
            &family.auth_time.millis(),
            &family.expires.millis(),
            &family.revoked,
            &family.device_key,
            &family.scopes,
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
