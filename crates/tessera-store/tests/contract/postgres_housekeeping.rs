//! PostgreSQL only: nodes sharing a database purge one at a time. A node
//! whose purge finds another holding the lock skips its round (`None`)
//! rather than wait, and deployments in separate schemas do not meet.

use tessera_core::store::Store;
use tessera_store::postgres::housekeeping::LOCK_CLASS;
use tokio_postgres::NoTls;

use crate::postgres::{open, schema_for, url};
use crate::support::T0;

/// Another node in the middle of a purge: a transaction of the schema's
/// deployment holding the purge lock.
async fn node_purging(schema: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&url(), NoTls)
        .await
        .expect("connecting");
    tokio::spawn(connection);
    client
        .batch_execute(&format!("SET search_path TO {schema}; BEGIN"))
        .await
        .expect("begin");
    let took: bool = client
        .query_one(
            "SELECT pg_try_advisory_xact_lock($1, hashtext(current_schema()))",
            &[&LOCK_CLASS],
        )
        .await
        .expect("locking")
        .get(0);
    assert!(took, "nothing else holds the lock");
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_skips_while_another_node_purges_and_runs_once_it_is_done() {
    let dir = tempfile::tempdir().expect("dir");
    let store = open(dir.path()).await;
    let other = node_purging(&schema_for(dir.path())).await;
    assert_eq!(
        store.purge_expired(T0, 10).await.expect("purge"),
        None,
        "skipped while the other node purges"
    );
    other.batch_execute("COMMIT").await.expect("commit");
    assert!(
        store.purge_expired(T0, 10).await.expect("purge").is_some(),
        "runs once the other node is done"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_concurrent_purges_at_most_one_runs_at_a_time() {
    let dir = tempfile::tempdir().expect("dir");
    let a = open(dir.path()).await;
    let b = open(dir.path()).await;
    // Each purge is one short transaction; while one holds the lock the other
    // is skipped, never both at once: over many pairs, every pair has a purge
    // that ran and the skips are counted.
    let mut skipped = 0;
    for _ in 0..50 {
        let (x, y) = tokio::join!(a.purge_expired(T0, 10), b.purge_expired(T0, 10));
        let (x, y) = (x.expect("purge a"), y.expect("purge b"));
        assert!(x.is_some() || y.is_some(), "one of the two ran");
        skipped += usize::from(x.is_none()) + usize::from(y.is_none());
    }
    let held = node_purging(&schema_for(dir.path())).await;
    let (x, y) = tokio::join!(a.purge_expired(T0, 10), b.purge_expired(T0, 10));
    assert_eq!(
        (x.expect("a"), y.expect("b")),
        (None, None),
        "both skip while a third purges"
    );
    drop(held);
    eprintln!("{skipped} of 100 concurrent purges were skipped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_in_another_schema_purges_meanwhile() {
    let (one, two) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let store = open(one.path()).await;
    let _other_store = open(two.path()).await;
    let _other = node_purging(&schema_for(two.path())).await;
    assert!(store.purge_expired(T0, 10).await.expect("purge").is_some());
}
