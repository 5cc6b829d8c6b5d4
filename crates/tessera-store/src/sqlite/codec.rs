//! Conversions between rows and domain types, and SQLite error mapping.

use rusqlite::{Connection, ErrorCode, OptionalExtension, Params, Row};
use tessera_core::store::{StoreError, StoreResult};

pub fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// Whether the error is a uniqueness / primary-key violation.
pub fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation
    )
}

pub fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend(format!("encoding: {e}")))
}

pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Column `index` decoded through `memo`, keyed by `id`.
pub fn memoized<T: serde::de::DeserializeOwned + Clone>(
    memo: &crate::decoded::Memo<T>,
    id: &str,
    row: &Row<'_>,
    index: usize,
) -> rusqlite::Result<T> {
    memo.decode(id, row.get_ref(index)?.as_str()?).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Turns "no row" into NotFound and other errors into Backend.
pub fn found<T>(result: rusqlite::Result<T>) -> StoreResult<T> {
    result
        .optional()
        .map_err(backend)?
        .ok_or(StoreError::NotFound)
}

/// The pool's integer key, or NotFound.
pub fn pool_seq(conn: &rusqlite::Connection, id: &str) -> StoreResult<i64> {
    found(conn.prepare_cached_query_row("SELECT seq FROM pools WHERE id = ?1", [id], |r| r.get(0)))
}

/// The user's row id in the pool with integer key `pool`, or NotFound.
pub fn user_row_id(conn: &Connection, pool: i64, sub: &str) -> StoreResult<i64> {
    found(conn.prepare_cached_query_row(
        "SELECT id FROM users WHERE pool = ?1 AND sub = ?2",
        rusqlite::params![pool, sub],
        |r| r.get(0),
    ))
}

/// The user's row id, or NotFound when the pool or the user is missing.
pub fn user_row(conn: &Connection, pool: &str, sub: &str) -> StoreResult<i64> {
    user_row_id(conn, pool_seq(conn, pool)?, sub)
}

/// Statements through the connection's statement cache: the hot lookups and
/// writes run on every request, and parsing their SQL each time showed in
/// profiles.
pub trait CachedStatements {
    fn prepare_cached_query_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> rusqlite::Result<T>;

    /// `execute` through the statement cache; the number of rows changed.
    fn execute_cached<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
}

impl CachedStatements for Connection {
    fn prepare_cached_query_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    fn execute_cached<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }
}
