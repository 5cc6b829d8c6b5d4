//! A pool's configuration documents, domains and authorization codes.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::Value;
use tessera_core::clock::Timestamp;
use tessera_core::domain::housekeeping::AUTHORIZATION_CODE_RETENTION_SECONDS;
use tessera_core::domain::oauth::{
    AuthorizationCode, DocumentKind, DocumentWrite, PoolDomain, Redemption,
};
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError, StoreResult};

use super::codec::{
    CachedStatements, backend, found, from_json, is_unique_violation, pool_seq, to_json,
};
use crate::paging::{limit_plus_one, split_page};

pub fn put_document(
    conn: &Connection,
    pool: &UserPoolId,
    kind: DocumentKind,
    key: &str,
    document: &Value,
    write: DocumentWrite,
) -> StoreResult<()> {
    let seq = pool_seq(conn, pool.as_str())?;
    let text = to_json(document)?;
    let sql = match write {
        DocumentWrite::Create => {
            "INSERT INTO pool_documents (pool, kind, key, document) VALUES (?1, ?2, ?3, ?4)"
        }
        DocumentWrite::Replace => {
            "UPDATE pool_documents SET document = ?4 WHERE pool = ?1 AND kind = ?2 AND key = ?3"
        }
        DocumentWrite::Upsert => {
            "INSERT INTO pool_documents (pool, kind, key, document) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (pool, kind, key) DO UPDATE SET document = excluded.document"
        }
    };
    let changed = conn
        .execute_cached(sql, params![seq, kind.as_str(), key, text])
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict(Conflict::Document)
            } else {
                backend(e)
            }
        })?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn get_document(
    conn: &Connection,
    pool: &UserPoolId,
    kind: DocumentKind,
    key: &str,
) -> StoreResult<Value> {
    let seq = pool_seq(conn, pool.as_str())?;
    found(conn.prepare_cached_query_row(
        "SELECT document FROM pool_documents WHERE pool = ?1 AND kind = ?2 AND key = ?3",
        params![seq, kind.as_str(), key],
        |r| from_json(r.get_ref(0)?.as_str()?),
    ))
}

pub fn list_documents(
    conn: &Connection,
    pool: &UserPoolId,
    kind: DocumentKind,
    page: &PageRequest,
) -> StoreResult<Listing<(String, Value)>> {
    let seq = pool_seq(conn, pool.as_str())?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT key, document FROM pool_documents
             WHERE pool = ?1 AND kind = ?2 AND key > ?3 ORDER BY key LIMIT ?4",
        )
        .map_err(backend)?;
    let items = stmt
        .query_map(
            params![
                seq,
                kind.as_str(),
                page.after.as_deref().unwrap_or(""),
                limit_plus_one(page.limit)
            ],
            |r| Ok((r.get::<_, String>(0)?, from_json(r.get_ref(1)?.as_str()?)?)),
        )
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let (items, next) = split_page(items, page.limit, |(key, _)| key.clone());
    Ok(Listing { items, next })
}

pub fn delete_document(
    conn: &Connection,
    pool: &UserPoolId,
    kind: DocumentKind,
    key: &str,
) -> StoreResult<()> {
    let seq = pool_seq(conn, pool.as_str())?;
    let changed = conn
        .execute_cached(
            "DELETE FROM pool_documents WHERE pool = ?1 AND kind = ?2 AND key = ?3",
            params![seq, kind.as_str(), key],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

const DOMAIN_COLUMNS: &str = "d.domain, p.id, d.custom, d.settings";

fn domain_from_row(row: &Row<'_>) -> rusqlite::Result<PoolDomain> {
    Ok(PoolDomain {
        domain: row.get(0)?,
        pool_id: UserPoolId::new(row.get::<_, String>(1)?),
        custom: row.get(2)?,
        settings: from_json(row.get_ref(3)?.as_str()?)?,
    })
}

pub fn create_domain(conn: &Connection, domain: &PoolDomain) -> StoreResult<()> {
    let seq = pool_seq(conn, domain.pool_id.as_str())?;
    conn.execute_cached(
        "INSERT INTO domains (domain, pool, custom, settings) VALUES (?1, ?2, ?3, ?4)",
        params![
            domain.domain,
            seq,
            domain.custom,
            to_json(&domain.settings)?
        ],
    )
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(Conflict::Domain)
        } else {
            backend(e)
        }
    })?;
    Ok(())
}

pub fn get_domain(conn: &Connection, domain: &str) -> StoreResult<PoolDomain> {
    found(conn.prepare_cached_query_row(
        &format!(
            "SELECT {DOMAIN_COLUMNS} FROM domains d JOIN pools p ON p.seq = d.pool
             WHERE d.domain = ?1"
        ),
        params![domain],
        domain_from_row,
    ))
}

pub fn pool_domains(conn: &Connection, pool: &UserPoolId) -> StoreResult<Vec<PoolDomain>> {
    let seq = pool_seq(conn, pool.as_str())?;
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {DOMAIN_COLUMNS} FROM domains d JOIN pools p ON p.seq = d.pool
             WHERE d.pool = ?1 ORDER BY d.domain"
        ))
        .map_err(backend)?;
    stmt.query_map(params![seq], domain_from_row)
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)
}

pub fn update_domain(conn: &Connection, domain: &PoolDomain) -> StoreResult<()> {
    let seq = pool_seq(conn, domain.pool_id.as_str())?;
    let changed = conn
        .execute_cached(
            "UPDATE domains SET settings = ?3 WHERE domain = ?1 AND pool = ?2",
            params![domain.domain, seq, to_json(&domain.settings)?],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn delete_domain(conn: &Connection, pool: &UserPoolId, domain: &str) -> StoreResult<()> {
    let seq = pool_seq(conn, pool.as_str())?;
    let changed = conn
        .execute_cached(
            "DELETE FROM domains WHERE domain = ?1 AND pool = ?2",
            params![domain, seq],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn put_authorization_code(
    conn: &Connection,
    code: &AuthorizationCode,
    now: Timestamp,
) -> StoreResult<()> {
    let seq = pool_seq(conn, code.pool_id.as_str())?;
    conn.execute_cached(
        "DELETE FROM authorization_codes WHERE expires < ?1",
        params![
            now.plus_seconds(-AUTHORIZATION_CODE_RETENTION_SECONDS)
                .millis()
        ],
    )
    .map_err(backend)?;
    conn.execute_cached(
        "INSERT INTO authorization_codes (code_hash, pool, expires, grant_sealed)
         VALUES (?1, ?2, ?3, ?4)",
        params![code.code_hash, seq, code.expires.millis(), code.grant],
    )
    .map_err(backend)?;
    Ok(())
}

/// Runs on the writer, so the check and the claim are one step.
pub fn redeem_authorization_code(
    conn: &Connection,
    code_hash: &[u8],
    family: &str,
    now: Timestamp,
) -> StoreResult<Redemption> {
    let row = conn
        .prepare_cached(
            "SELECT p.id, c.expires, c.grant_sealed, c.family
             FROM authorization_codes c JOIN pools p ON p.seq = c.pool
             WHERE c.code_hash = ?1",
        )
        .map_err(backend)?
        .query_row(params![code_hash], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })
        .optional()
        .map_err(backend)?;
    let Some((pool, expires, grant, taken)) = row else {
        return Err(StoreError::NotFound);
    };
    if let Some(taken) = taken {
        conn.execute_cached(
            "UPDATE authorization_codes SET replayed = 1 WHERE code_hash = ?1",
            params![code_hash],
        )
        .map_err(backend)?;
        return Ok(Redemption::Replayed { family: taken });
    }
    if expires <= now.millis() {
        return Err(StoreError::NotFound);
    }
    conn.execute_cached(
        "UPDATE authorization_codes SET family = ?2 WHERE code_hash = ?1",
        params![code_hash, family],
    )
    .map_err(backend)?;
    Ok(Redemption::Granted(AuthorizationCode {
        code_hash: code_hash.to_vec(),
        pool_id: UserPoolId::new(pool),
        expires: Timestamp(expires),
        grant,
    }))
}

pub fn authorization_code_replayed(conn: &Connection, code_hash: &[u8]) -> StoreResult<bool> {
    found(conn.prepare_cached_query_row(
        "SELECT replayed FROM authorization_codes WHERE code_hash = ?1",
        params![code_hash],
        |r| r.get(0),
    ))
}
