//! Statement helpers, row ↔ domain conversions and PostgreSQL error mapping.

use deadpool_postgres::GenericClient;
use tessera_core::store::{Conflict, StoreError, StoreResult};
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

/// What the engine's functions fail with: a contract outcome, or a database
/// error kept whole so the transaction runner can tell whether to retry.
#[derive(Debug)]
pub enum Failure {
    Store(StoreError),
    Db(tokio_postgres::Error),
    /// No connection could be had (the database is down or the pool is exhausted).
    Unavailable(String),
}

pub type PgResult<T> = Result<T, Failure>;

pub type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

impl From<tokio_postgres::Error> for Failure {
    fn from(e: tokio_postgres::Error) -> Self {
        Failure::Db(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

impl From<deadpool_postgres::PoolError> for Failure {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Failure::Unavailable(with_causes(&e))
    }
}

/// The error and its causes, "outer: inner: …" (the drivers keep the useful
/// part, such as "Connection refused", in the causes).
pub fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        // Wrappers often repeat their cause in their own message.
        if !text.ends_with(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

impl Failure {
    /// A serialization failure or deadlock: the database rolled the
    /// transaction back and running it again may succeed. Distributed
    /// Postgres-compatible engines report contention this way too.
    pub fn retryable(&self) -> bool {
        matches!(self, Failure::Db(e) if matches!(
            e.code(),
            Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
        ))
    }

    pub fn into_store(self) -> StoreError {
        match self {
            Failure::Store(e) => e,
            // A referenced record (pool, user, group) was deleted meanwhile.
            Failure::Db(e) if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
                StoreError::NotFound
            }
            Failure::Db(e) => StoreError::Backend(describe(&e)),
            Failure::Unavailable(why) => {
                StoreError::Backend(format!("database unavailable: {why}"))
            }
        }
    }
}

/// The error with its database message (tokio-postgres puts it in the source).
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => with_causes(e),
    }
}

pub fn is_unique_violation(e: &Failure) -> bool {
    matches!(e, Failure::Db(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION))
}

/// Reads a uniqueness violation as the contract's `Conflict`.
pub fn unique_as(conflict: Conflict) -> impl FnOnce(Failure) -> Failure {
    move |e| {
        if is_unique_violation(&e) {
            Failure::Store(StoreError::Conflict(conflict))
        } else {
            e
        }
    }
}

pub fn to_json<T: serde::Serialize>(value: &T) -> PgResult<String> {
    serde_json::to_string(value)
        .map_err(|e| Failure::Store(StoreError::Backend(format!("encoding: {e}"))))
}

pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> PgResult<T> {
    serde_json::from_str(text)
        .map_err(|e| Failure::Store(StoreError::Backend(format!("decoding a stored value: {e}"))))
}

/// Column `index` decoded through `memo`, keyed by `id`.
pub fn memoized<T: serde::de::DeserializeOwned + Clone>(
    memo: &crate::decoded::Memo<T>,
    id: &str,
    row: &Row,
    index: usize,
) -> PgResult<T> {
    memo.decode(id, row.try_get::<_, &str>(index)?)
        .map_err(|e| Failure::Store(StoreError::Backend(format!("decoding a stored value: {e}"))))
}

pub async fn query(c: &impl GenericClient, sql: &str, params: Params<'_>) -> PgResult<Vec<Row>> {
    let stmt = c.prepare_cached(sql).await?;
    Ok(c.query(&stmt, params).await?)
}

pub async fn query_opt(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> PgResult<Option<Row>> {
    let stmt = c.prepare_cached(sql).await?;
    Ok(c.query_opt(&stmt, params).await?)
}

/// The one row the query returns, or NotFound.
pub async fn query_found(c: &impl GenericClient, sql: &str, params: Params<'_>) -> PgResult<Row> {
    query_opt(c, sql, params)
        .await?
        .ok_or(Failure::Store(StoreError::NotFound))
}

pub async fn execute(c: &impl GenericClient, sql: &str, params: Params<'_>) -> PgResult<u64> {
    let stmt = c.prepare_cached(sql).await?;
    Ok(c.execute(&stmt, params).await?)
}

/// NotFound unless the statement changed a row.
pub async fn execute_some(c: &impl GenericClient, sql: &str, params: Params<'_>) -> PgResult<()> {
    if execute(c, sql, params).await? == 0 {
        return Err(Failure::Store(StoreError::NotFound));
    }
    Ok(())
}

/// The pool's integer key, or NotFound.
pub async fn pool_seq(c: &impl GenericClient, id: &str) -> PgResult<i64> {
    let row = query_found(c, "SELECT seq FROM pools WHERE id = $1", &[&id]).await?;
    Ok(row.try_get(0)?)
}

/// The pool's integer key and the user's row id, in one lookup, or NotFound.
pub async fn pool_and_user_rows(
    c: &impl GenericClient,
    pool: &str,
    sub: &str,
) -> PgResult<(i64, i64)> {
    let row = query_found(
        c,
        "SELECT u.pool, u.id FROM users u JOIN pools p ON p.seq = u.pool
         WHERE p.id = $1 AND u.sub = $2",
        &[&pool, &sub],
    )
    .await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// The user's row id, or NotFound.
pub async fn user_row_id(c: &impl GenericClient, pool: &str, sub: &str) -> PgResult<i64> {
    Ok(pool_and_user_rows(c, pool, sub).await?.1)
}

/// StoreResult from the engine's own result.
pub fn finish<T>(result: PgResult<T>) -> StoreResult<T> {
    result.map_err(Failure::into_store)
}
