//! Nodes starting together over one fresh PostgreSQL database: every one of
//! them opens the store, and each migration is applied exactly once.

use std::collections::BTreeSet;

use tessera_store::postgres::migrations::MIGRATIONS;
use tessera_store::{PostgresOptions, PostgresStore};
use tokio_postgres::NoTls;

const NODES: usize = 8;

fn url() -> String {
    std::env::var("TESSERA_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_starting_together_apply_each_migration_once() {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    let schema = format!("tessera_migrations_{nanos}");
    let opening: Vec<_> = (0..NODES)
        .map(|_| {
            let mut options = PostgresOptions::new(url());
            options.schema = Some(schema.clone());
            tokio::spawn(async move { PostgresStore::open(&options).await })
        })
        .collect();
    for opened in opening {
        opened
            .await
            .expect("task")
            .expect("every node opens the store");
    }

    let (client, connection) = tokio_postgres::connect(&url(), NoTls)
        .await
        .expect("connecting");
    tokio::spawn(connection);
    let rows = client
        .query(
            &format!("SELECT name FROM {schema}.schema_migrations ORDER BY name"),
            &[],
        )
        .await
        .expect("reading schema_migrations");
    let applied: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let expected: Vec<String> = MIGRATIONS.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(applied, expected, "each migration recorded exactly once");
    let distinct: BTreeSet<&String> = applied.iter().collect();
    assert_eq!(distinct.len(), applied.len());
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .expect("dropping the schema");
}

#[test]
fn both_engines_list_the_same_migration_names() {
    let names = |list: &[(&'static str, &str)]| list.iter().map(|(n, _)| *n).collect::<Vec<_>>();
    assert_eq!(
        names(tessera_store::sqlite::migrations::MIGRATIONS),
        names(MIGRATIONS)
    );
}
