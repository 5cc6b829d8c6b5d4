//! Embedded migrations, applied in name order, each once, each in a transaction.
//! Every engine lists the same migration names.

use rusqlite::{Connection, TransactionBehavior, params};
use tessera_core::store::StoreResult;

use super::codec::backend;

pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_initial", include_str!("migrations/0001_initial.sql")),
    ("0002_mfa", include_str!("migrations/0002_mfa.sql")),
    ("0003_devices", include_str!("migrations/0003_devices.sql")),
    ("0004_oauth", include_str!("migrations/0004_oauth.sql")),
    (
        "0005_auth_events",
        include_str!("migrations/0005_auth_events.sql"),
    ),
    (
        "0006_user_import",
        include_str!("migrations/0006_user_import.sql"),
    ),
    (
        "0007_housekeeping",
        include_str!("migrations/0007_housekeeping.sql"),
    ),
    (
        "0008_identity_pools",
        include_str!("migrations/0008_identity_pools.sql"),
    ),
    (
        "0009_client_secrets",
        include_str!("migrations/0009_client_secrets.sql"),
    ),
    (
        "0010_user_sessions",
        include_str!("migrations/0010_user_sessions.sql"),
    ),
    (
        "0011_webauthn",
        include_str!("migrations/0011_webauthn.sql"),
    ),
];

/// Applies what is pending; returns the names applied now.
pub fn apply(conn: &mut Connection) -> StoreResult<Vec<&'static str>> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             name TEXT PRIMARY KEY,
             applied_at INTEGER NOT NULL
         )",
    )
    .map_err(backend)?;
    let mut applied = Vec::new();
    for (name, sql) in MIGRATIONS {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let done: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = ?1)",
                [name],
                |r| r.get(0),
            )
            .map_err(backend)?;
        if !done {
            tx.execute_batch(sql).map_err(backend)?;
            tx.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?1, strftime('%s','now'))",
                params![name],
            )
            .map_err(backend)?;
            applied.push(*name);
        }
        tx.commit().map_err(backend)?;
    }
    Ok(applied)
}
