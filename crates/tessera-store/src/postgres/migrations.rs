//! Embedded migrations, the same names as SQLite's, applied in name order,
//! all in one transaction under an advisory lock, so nodes starting together
//! apply each exactly once and none serves before the schema is complete.

use deadpool_postgres::Client;

use super::codec::PgResult;

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

/// The advisory lock's key: "tessera" in ASCII.
const LOCK_KEY: i64 = 0x0074_6573_7365_7261;

/// Applies what is pending; returns the names applied now.
pub async fn apply(client: &mut Client) -> PgResult<Vec<&'static str>> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             name TEXT PRIMARY KEY,
             applied_at BIGINT NOT NULL
         )",
    )
    .await?;
    let mut applied = Vec::new();
    for (name, sql) in MIGRATIONS {
        let done = tx
            .query_opt("SELECT 1 FROM schema_migrations WHERE name = $1", &[name])
            .await?
            .is_some();
        if !done {
            tx.batch_execute(sql).await?;
            tx.execute(
                "INSERT INTO schema_migrations (name, applied_at)
                 VALUES ($1, extract(epoch FROM now())::bigint)",
                &[name],
            )
            .await?;
            applied.push(*name);
        }
    }
    tx.commit().await?;
    Ok(applied)
}
