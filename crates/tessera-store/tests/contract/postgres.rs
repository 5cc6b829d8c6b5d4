//! Opening the PostgreSQL engine for the contract: every test gets a schema of
//! its own in the database `TESSERA_TEST_POSTGRES_URL` names (by default the
//! local `test` database), so tests run in parallel without meeting.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

use tessera_store::{PostgresOptions, PostgresStore};
use tokio::sync::OnceCell;
use tokio_postgres::NoTls;

pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

const SCHEMA_PREFIX: &str = "tessera_contract_";

pub fn url() -> String {
    std::env::var("TESSERA_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_URL.to_owned())
}

/// One schema per test directory; opening again reaches the same schema.
pub fn schema_for(dir: &Path) -> String {
    let mut hasher = DefaultHasher::new();
    dir.hash(&mut hasher);
    format!("{SCHEMA_PREFIX}{:016x}", hasher.finish())
}

/// Schemas earlier runs left behind are dropped once, before the first test.
static CLEARED: OnceCell<()> = OnceCell::const_new();

pub async fn open(dir: &Path) -> PostgresStore {
    let url = url();
    let (client, connection) = tokio_postgres::connect(&url, NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!("connecting to PostgreSQL at {url} (set TESSERA_TEST_POSTGRES_URL): {e}")
        });
    tokio::spawn(connection);
    CLEARED
        .get_or_init(|| async {
            let stale = client
                .query(
                    "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)",
                    &[&SCHEMA_PREFIX],
                )
                .await
                .expect("listing schemas");
            for row in stale {
                let name: &str = row.get(0);
                client
                    .batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                    .await
                    .expect("dropping a stale schema");
            }
        })
        .await;
    let mut options = PostgresOptions::new(url);
    options.schema = Some(schema_for(dir));
    PostgresStore::open(&options)
        .await
        .expect("opening PostgreSQL")
}
