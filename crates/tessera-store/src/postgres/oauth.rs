//! A pool's configuration documents, domains and authorization codes.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use tessera_core::clock::Timestamp;
use tessera_core::domain::housekeeping::AUTHORIZATION_CODE_RETENTION_SECONDS;
use tessera_core::domain::oauth::{
    AuthorizationCode, DocumentKind, DocumentWrite, PoolDomain, Redemption,
};
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError};
use tokio_postgres::Row;

use super::codec::{
    Failure, PgResult, execute, execute_some, from_json, pool_seq, query, query_found, query_opt,
    to_json, unique_as,
};
use crate::paging::{limit_plus_one, split_page};

pub async fn put_document(
    c: &impl GenericClient,
    pool: &UserPoolId,
    kind: DocumentKind,
    key: &str,
    document: &Value,
    write: DocumentWrite,
) -> PgResult<()> {
    let seq = pool_seq(c, pool.as_str()).await?;
    let text = to_json(document)?;
    let sql = match write {
        DocumentWrite::Create => {
            "INSERT INTO pool_documents (pool, kind, key, document) VALUES ($1, $2, $3, $4)"
        }
        DocumentWrite::Replace => {
            "UPDATE pool_documents SET document = $4 WHERE pool = $1 AND kind = $2 AND key = $3"
        }
        DocumentWrite::Upsert => {
            "INSERT INTO pool_documents (pool, kind, key, document) VALUES ($1, $2, $3, $4)
             ON CONFLICT (pool, kind, key) DO UPDATE SET document = excluded.document"
        }
    };
    execute_some(c, sql, &[&seq, &kind.as_str(), &key, &text])
        .await
        .map_err(unique_as(Conflict::Document))
}

pub async fn get_document(
    c: &impl GenericClient,
    pool: &UserPoolId,
    kind: DocumentKind,
    key: &str,
) -> PgResult<Value> {
    let row = query_found(
        c,
        "SELECT d.document FROM pool_documents d JOIN pools p ON p.seq = d.pool
         WHERE p.id = $1 AND d.kind = $2 AND d.key = $3",
        &[&pool.as_str(), &kind.as_str(), &key],
    )
    .await?;
    from_json(row.try_get::<_, &str>(0)?)
}

pub async fn list_documents(
    c: &impl GenericClient,
    pool: &UserPoolId,
    kind: DocumentKind,
    page: &PageRequest,
) -> PgResult<Listing<(String, Value)>> {
    let seq = pool_seq(c, pool.as_str()).await?;
    let rows = query(
        c,
        "SELECT key, document FROM pool_documents
         WHERE pool = $1 AND kind = $2 AND key > $3 ORDER BY key LIMIT $4",
        &[
            &seq,
            &kind.as_str(),
            &page.after.as_deref().unwrap_or(""),
            &limit_plus_one(page.limit),
        ],
    )
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok((
                r.try_get::<_, String>(0)?,
                from_json(r.try_get::<_, &str>(1)?)?,
            ))
        })
        .collect::<PgResult<Vec<_>>>()?;
    let (items, next) = split_page(items, page.limit, |(key, _)| key.clone());
    Ok(Listing { items, next })
}

pub async fn delete_document(
    c: &impl GenericClient,
    pool: &UserPoolId,
    kind: DocumentKind,
    key: &str,
) -> PgResult<()> {
    let seq = pool_seq(c, pool.as_str()).await?;
    execute_some(
        c,
        "DELETE FROM pool_documents WHERE pool = $1 AND kind = $2 AND key = $3",
        &[&seq, &kind.as_str(), &key],
    )
    .await
}

const DOMAIN_COLUMNS: &str = "d.domain, p.id, d.custom, d.settings";

fn domain_from_row(row: &Row) -> PgResult<PoolDomain> {
    Ok(PoolDomain {
        domain: row.try_get(0)?,
        pool_id: UserPoolId::new(row.try_get::<_, String>(1)?),
        custom: row.try_get(2)?,
        settings: from_json(row.try_get::<_, &str>(3)?)?,
    })
}

pub async fn create_domain(c: &impl GenericClient, domain: &PoolDomain) -> PgResult<()> {
    let seq = pool_seq(c, domain.pool_id.as_str()).await?;
    execute(
        c,
        "INSERT INTO domains (domain, pool, custom, settings) VALUES ($1, $2, $3, $4)",
        &[
            &domain.domain,
            &seq,
            &domain.custom,
            &to_json(&domain.settings)?,
        ],
    )
    .await
    .map_err(unique_as(Conflict::Domain))?;
    Ok(())
}

pub async fn get_domain(c: &impl GenericClient, domain: &str) -> PgResult<PoolDomain> {
    let row = query_found(
        c,
        &format!(
            "SELECT {DOMAIN_COLUMNS} FROM domains d JOIN pools p ON p.seq = d.pool
             WHERE d.domain = $1"
        ),
        &[&domain],
    )
    .await?;
    domain_from_row(&row)
}

pub async fn pool_domains(c: &impl GenericClient, pool: &UserPoolId) -> PgResult<Vec<PoolDomain>> {
    let rows = query(
        c,
        &format!(
            "SELECT {DOMAIN_COLUMNS} FROM domains d JOIN pools p ON p.seq = d.pool
             WHERE p.id = $1 ORDER BY d.domain"
        ),
        &[&pool.as_str()],
    )
    .await?;
    if rows.is_empty() {
        // NotFound for a pool that does not exist, as the other engine answers.
        pool_seq(c, pool.as_str()).await?;
    }
    rows.iter().map(domain_from_row).collect()
}

pub async fn update_domain(c: &impl GenericClient, domain: &PoolDomain) -> PgResult<()> {
    let seq = pool_seq(c, domain.pool_id.as_str()).await?;
    execute_some(
        c,
        "UPDATE domains SET settings = $3 WHERE domain = $1 AND pool = $2",
        &[&domain.domain, &seq, &to_json(&domain.settings)?],
    )
    .await
}

pub async fn delete_domain(
    c: &impl GenericClient,
    pool: &UserPoolId,
    domain: &str,
) -> PgResult<()> {
    let seq = pool_seq(c, pool.as_str()).await?;
    execute_some(
        c,
        "DELETE FROM domains WHERE domain = $1 AND pool = $2",
        &[&domain, &seq],
    )
    .await
}

pub async fn put_authorization_code(
    c: &impl GenericClient,
    code: &AuthorizationCode,
    now: Timestamp,
) -> PgResult<()> {
    let seq = pool_seq(c, code.pool_id.as_str()).await?;
    execute(
        c,
        "DELETE FROM authorization_codes WHERE expires < $1",
        &[&(now
            .plus_seconds(-AUTHORIZATION_CODE_RETENTION_SECONDS)
            .millis())],
    )
    .await?;
    execute(
        c,
        "INSERT INTO authorization_codes (code_hash, pool, expires, grant_sealed)
         VALUES ($1, $2, $3, $4)",
        &[&code.code_hash, &seq, &code.expires.millis(), &code.grant],
    )
    .await?;
    Ok(())
}

/// In a transaction: the row is locked while it is read and claimed, so
/// concurrent redemptions on any node queue behind one another.
pub async fn redeem_authorization_code(
    c: &impl GenericClient,
    code_hash: &[u8],
    family: &str,
    now: Timestamp,
) -> PgResult<Redemption> {
    let Some(row) = query_opt(
        c,
        "SELECT p.id, c.expires, c.grant_sealed, c.family
         FROM authorization_codes c JOIN pools p ON p.seq = c.pool
         WHERE c.code_hash = $1 FOR UPDATE OF c",
        &[&code_hash],
    )
    .await?
    else {
        return Err(Failure::Store(StoreError::NotFound));
    };
    let (pool, expires, grant, taken): (String, i64, Vec<u8>, Option<String>) = (
        row.try_get(0)?,
        row.try_get(1)?,
        row.try_get(2)?,
        row.try_get(3)?,
    );
    if let Some(taken) = taken {
        execute(
            c,
            "UPDATE authorization_codes SET replayed = TRUE WHERE code_hash = $1",
            &[&code_hash],
        )
        .await?;
        return Ok(Redemption::Replayed { family: taken });
    }
    if expires <= now.millis() {
        return Err(Failure::Store(StoreError::NotFound));
    }
    execute(
        c,
        "UPDATE authorization_codes SET family = $2 WHERE code_hash = $1",
        &[&code_hash, &family],
    )
    .await?;
    Ok(Redemption::Granted(AuthorizationCode {
        code_hash: code_hash.to_vec(),
        pool_id: UserPoolId::new(pool),
        expires: Timestamp(expires),
        grant,
    }))
}

pub async fn authorization_code_replayed(
    c: &impl GenericClient,
    code_hash: &[u8],
) -> PgResult<bool> {
    let row = query_found(
        c,
        "SELECT replayed FROM authorization_codes WHERE code_hash = $1",
        &[&code_hash],
    )
    .await?;
    Ok(row.try_get(0)?)
}
