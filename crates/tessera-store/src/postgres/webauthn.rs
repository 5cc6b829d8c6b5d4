//! Passkeys and pending passkey registrations.

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::webauthn::{Passkey, PasskeyRegistration};
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError};
use tokio_postgres::Row;

use super::codec::{
    Failure, PgResult, execute, execute_some, from_json, query, query_found, to_json, unique_as,
    user_row_id,
};
use crate::paging::{limit_plus_one, split_page};

const COLUMNS: &str = "p.id, u.sub, w.credential_id, w.name, w.relying_party_id, w.attachment, \
                       w.transports, w.credential, w.created, w.last_used, w.last_challenge, w.seq";
const JOINS: &str =
    "webauthn_credentials w JOIN users u ON u.id = w.user_id JOIN pools p ON p.seq = u.pool";

fn from_row(row: &Row) -> PgResult<(Passkey, i64)> {
    Ok((
        Passkey {
            pool_id: UserPoolId::new(row.try_get::<_, String>(0)?),
            sub: row.try_get(1)?,
            credential_id: row.try_get(2)?,
            name: row.try_get(3)?,
            relying_party_id: row.try_get(4)?,
            attachment: row.try_get(5)?,
            transports: from_json(row.try_get::<_, &str>(6)?)?,
            credential: row.try_get(7)?,
            created: Timestamp(row.try_get(8)?),
            last_used: row.try_get::<_, Option<i64>>(9)?.map(Timestamp),
            last_challenge: row.try_get(10)?,
        },
        row.try_get(11)?,
    ))
}

pub async fn create(c: &impl GenericClient, k: &Passkey) -> PgResult<()> {
    let user = user_row_id(c, k.pool_id.as_str(), &k.sub).await?;
    let transports = to_json(&k.transports)?;
    execute(
        c,
        "INSERT INTO webauthn_credentials (credential_id, user_id, name, relying_party_id,
                                           attachment, transports, credential, created,
                                           last_used, last_challenge)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &k.credential_id,
            &user,
            &k.name,
            &k.relying_party_id,
            &k.attachment,
            &transports,
            &k.credential,
            &k.created.millis(),
            &k.last_used.map(Timestamp::millis),
            &k.last_challenge,
        ],
    )
    .await
    .map_err(unique_as(Conflict::PasskeyId))?;
    Ok(())
}

pub async fn list(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    page: &PageRequest,
) -> PgResult<Listing<Passkey>> {
    let user = user_row_id(c, pool.as_str(), sub).await?;
    let after: i64 = page
        .after
        .as_deref()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let rows = query(
        c,
        &format!(
            "SELECT {COLUMNS} FROM {JOINS} WHERE w.user_id = $1 AND w.seq > $2
             ORDER BY w.seq LIMIT $3"
        ),
        &[&user, &after, &limit_plus_one(page.limit)],
    )
    .await?;
    let rows = rows.iter().map(from_row).collect::<PgResult<Vec<_>>>()?;
    let (rows, next) = split_page(rows, page.limit, |(_, seq)| seq.to_string());
    Ok(Listing {
        items: rows.into_iter().map(|(k, _)| k).collect(),
        next,
    })
}

pub async fn record_use(c: &impl GenericClient, k: &Passkey, previous: &str) -> PgResult<()> {
    let user = user_row_id(c, k.pool_id.as_str(), &k.sub).await?;
    // One statement: under READ COMMITTED a concurrent use re-checks the
    // conditions against the row it committed, so only one of two wins.
    let changed = execute(
        c,
        "UPDATE webauthn_credentials SET credential = $3, last_used = $4, last_challenge = $5
         WHERE user_id = $1 AND credential_id = $2 AND credential = $6
           AND last_challenge IS DISTINCT FROM $5",
        &[
            &user,
            &k.credential_id,
            &k.credential,
            &k.last_used.map(Timestamp::millis),
            &k.last_challenge,
            &previous,
        ],
    )
    .await?;
    if changed == 0 {
        return Err(Failure::Store(StoreError::Conflict(Conflict::Changed)));
    }
    Ok(())
}

pub async fn delete(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    id: &str,
) -> PgResult<()> {
    let user = user_row_id(c, pool.as_str(), sub).await?;
    execute_some(
        c,
        "DELETE FROM webauthn_credentials WHERE user_id = $1 AND credential_id = $2",
        &[&user, &id],
    )
    .await
}

pub async fn put_registration(c: &impl GenericClient, r: &PasskeyRegistration) -> PgResult<()> {
    let user = user_row_id(c, r.pool_id.as_str(), &r.sub).await?;
    execute(
        c,
        "INSERT INTO webauthn_registrations (user_id, client, state, expires)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO UPDATE
         SET client = excluded.client, state = excluded.state, expires = excluded.expires",
        &[&user, &r.client_id, &r.state, &r.expires.millis()],
    )
    .await?;
    Ok(())
}

pub async fn take_registration(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
) -> PgResult<PasskeyRegistration> {
    let user = user_row_id(c, pool.as_str(), sub).await?;
    let row = query_found(
        c,
        "DELETE FROM webauthn_registrations WHERE user_id = $1 RETURNING client, state, expires",
        &[&user],
    )
    .await?;
    Ok(PasskeyRegistration {
        pool_id: pool.clone(),
        sub: sub.to_owned(),
        client_id: row.try_get(0)?,
        state: row.try_get(1)?,
        expires: Timestamp(row.try_get(2)?),
    })
}
