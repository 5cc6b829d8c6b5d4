//! Passkeys and pending passkey registrations.

use rusqlite::{Connection, Row, params};
use tessera_core::clock::Timestamp;
use tessera_core::domain::webauthn::{Passkey, PasskeyRegistration};
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError, StoreResult};

use super::codec::{
    CachedStatements, backend, found, from_json, is_unique_violation, to_json, user_row,
};
use crate::paging::{limit_plus_one, split_page};

const COLUMNS: &str = "p.id, u.sub, w.credential_id, w.name, w.relying_party_id, w.attachment, \
                       w.transports, w.credential, w.created, w.last_used, w.last_challenge, w.seq";
const JOINS: &str =
    "webauthn_credentials w JOIN users u ON u.id = w.user_id JOIN pools p ON p.seq = u.pool";

fn from_row(row: &Row<'_>) -> rusqlite::Result<(Passkey, i64)> {
    Ok((
        Passkey {
            pool_id: UserPoolId::new(row.get::<_, String>(0)?),
            sub: row.get(1)?,
            credential_id: row.get(2)?,
            name: row.get(3)?,
            relying_party_id: row.get(4)?,
            attachment: row.get(5)?,
            transports: from_json(&row.get::<_, String>(6)?)?,
            credential: row.get(7)?,
            created: Timestamp(row.get(8)?),
            last_used: row.get::<_, Option<i64>>(9)?.map(Timestamp),
            last_challenge: row.get(10)?,
        },
        row.get(11)?,
    ))
}

pub fn create(conn: &Connection, k: &Passkey) -> StoreResult<()> {
    let user = user_row(conn, k.pool_id.as_str(), &k.sub)?;
    let transports = to_json(&k.transports)?;
    conn.execute_cached(
        "INSERT INTO webauthn_credentials (credential_id, user_id, name, relying_party_id,
                                           attachment, transports, credential, created,
                                           last_used, last_challenge)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            k.credential_id,
            user,
            k.name,
            k.relying_party_id,
            k.attachment,
            transports,
            k.credential,
            k.created.millis(),
            k.last_used.map(Timestamp::millis),
            k.last_challenge,
        ],
    )
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(Conflict::PasskeyId)
        } else {
            backend(e)
        }
    })?;
    Ok(())
}

pub fn list(
    conn: &Connection,
    pool: &UserPoolId,
    sub: &str,
    page: &PageRequest,
) -> StoreResult<Listing<Passkey>> {
    let user = user_row(conn, pool.as_str(), sub)?;
    let after: i64 = page
        .after
        .as_deref()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM {JOINS} WHERE w.user_id = ?1 AND w.seq > ?2
             ORDER BY w.seq LIMIT ?3"
        ))
        .map_err(backend)?;
    let rows = stmt
        .query_map(params![user, after, limit_plus_one(page.limit)], from_row)
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let (rows, next) = split_page(rows, page.limit, |(_, seq)| seq.to_string());
    Ok(Listing {
        items: rows.into_iter().map(|(k, _)| k).collect(),
        next,
    })
}

pub fn record_use(conn: &Connection, k: &Passkey, previous: &str) -> StoreResult<()> {
    let user = user_row(conn, k.pool_id.as_str(), &k.sub)?;
    let changed = conn
        .execute_cached(
            "UPDATE webauthn_credentials SET credential = ?3, last_used = ?4, last_challenge = ?5
             WHERE user_id = ?1 AND credential_id = ?2 AND credential = ?6
               AND last_challenge IS NOT ?5",
            params![
                user,
                k.credential_id,
                k.credential,
                k.last_used.map(Timestamp::millis),
                k.last_challenge,
                previous,
            ],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::Conflict(Conflict::Changed));
    }
    Ok(())
}

pub fn delete(conn: &Connection, pool: &UserPoolId, sub: &str, id: &str) -> StoreResult<()> {
    let user = user_row(conn, pool.as_str(), sub)?;
    let changed = conn
        .execute_cached(
            "DELETE FROM webauthn_credentials WHERE user_id = ?1 AND credential_id = ?2",
            params![user, id],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn put_registration(conn: &Connection, r: &PasskeyRegistration) -> StoreResult<()> {
    let user = user_row(conn, r.pool_id.as_str(), &r.sub)?;
    conn.execute_cached(
        "INSERT INTO webauthn_registrations (user_id, client, state, expires)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (user_id) DO UPDATE
         SET client = excluded.client, state = excluded.state, expires = excluded.expires",
        params![user, r.client_id, r.state, r.expires.millis()],
    )
    .map_err(backend)?;
    Ok(())
}

pub fn take_registration(
    conn: &Connection,
    pool: &UserPoolId,
    sub: &str,
) -> StoreResult<PasskeyRegistration> {
    let user = user_row(conn, pool.as_str(), sub)?;
    found(conn.prepare_cached_query_row(
        "DELETE FROM webauthn_registrations WHERE user_id = ?1 RETURNING client, state, expires",
        params![user],
        |r| {
            Ok(PasskeyRegistration {
                pool_id: pool.clone(),
                sub: sub.to_owned(),
                client_id: r.get(0)?,
                state: r.get(1)?,
                expires: Timestamp(r.get(2)?),
            })
        },
    ))
}
