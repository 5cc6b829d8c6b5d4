//! Uniqueness under concurrent writers is the database's job, not a
//! read-then-write in application code.

use std::sync::Arc;

use tessera_core::domain::user::User;
use tessera_core::store::{Conflict, Store, StoreError, StoreResult, UserKey};

use crate::support::*;

/// Starts every create at once (behind a barrier) and returns the results.
async fn race(store: &Arc<dyn Store>, users: Vec<User>) -> Vec<StoreResult<()>> {
    let barrier = Arc::new(tokio::sync::Barrier::new(users.len()));
    let tasks: Vec<_> = users
        .into_iter()
        .map(|u| {
            let store = store.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                store.create_user(&u, &[], None).await
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.expect("task"));
    }
    results
}

pub async fn fifty_concurrent_creates_of_one_username_admit_exactly_one(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Race");
    store.create_pool(&p).await.expect("create_pool");
    let users: Vec<User> = (0..50).map(|_| user(&p.id, "contested")).collect();
    let subs: Vec<String> = users.iter().map(|u| u.sub.clone()).collect();

    let results = race(&store, users).await;

    let ok: Vec<usize> = (0..results.len()).filter(|&i| results[i].is_ok()).collect();
    let conflicts = results
        .iter()
        .filter(|r| matches!(r, Err(StoreError::Conflict(Conflict::Username))))
        .count();
    let others: Vec<String> = results
        .iter()
        .filter(|r| !matches!(r, Ok(()) | Err(StoreError::Conflict(Conflict::Username))))
        .map(|r| format!("{r:?}"))
        .collect();
    assert_eq!(ok.len(), 1, "exactly one create succeeds: {others:?}");
    assert_eq!(conflicts, 49, "the rest are Conflict(Username): {others:?}");
    assert_eq!(store.count_users(&p.id).await.expect("count"), 1);
    let winner = store
        .get_user(&p.id, UserKey::Username("contested"))
        .await
        .expect("the winner");
    assert_eq!(
        winner.sub, subs[ok[0]],
        "the stored user is the one told Ok"
    );
}

pub async fn fifty_concurrent_creates_of_one_alias_admit_exactly_one(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("RaceAlias");
    store.create_pool(&p).await.expect("create_pool");
    let users: Vec<User> = (0..50)
        .map(|i| user_with_email(&p.id, &format!("racer{i}"), "race@example.com"))
        .collect();

    let results = race(&store, users).await;

    let ok = results.iter().filter(|r| r.is_ok()).count();
    let conflicts = results
        .iter()
        .filter(|r| {
            matches!(r, Err(StoreError::Conflict(Conflict::Alias(a))) if *a == email_alias("race@example.com"))
        })
        .count();
    assert_eq!((ok, conflicts), (1, 49), "{results:?}");
    assert_eq!(
        store.count_users(&p.id).await.expect("count"),
        1,
        "a create refused for its alias leaves no user behind"
    );
}
