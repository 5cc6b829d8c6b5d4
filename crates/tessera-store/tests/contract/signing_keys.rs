//! A pool's signing keys: set once by the first use (concurrent first uses
//! agree), rotated by retiring the active keys, listed oldest first, owned by
//! the pool.

use std::sync::Arc;

use tessera_core::clock::Timestamp;
use tessera_core::domain::signing_key::{KeyPurpose, SigningKeyRecord};
use tessera_core::ids::UserPoolId;
use tessera_core::store::StoreError;

use crate::support::*;

/// An ID-token key and an access-token key, created `seconds` after `T0`
/// (the access key a millisecond later, so their order is defined).
fn key_pair(pool: &UserPoolId, tag: &str, seconds: i64) -> Vec<SigningKeyRecord> {
    let created = later(seconds);
    vec![
        signing_key(pool, &format!("{tag}-id"), KeyPurpose::IdToken, created),
        signing_key(
            pool,
            &format!("{tag}-access"),
            KeyPurpose::AccessToken,
            Timestamp(created.0 + 1),
        ),
    ]
}

fn kids(keys: &[SigningKeyRecord]) -> Vec<&str> {
    keys.iter().map(|k| k.kid.as_str()).collect()
}

pub async fn a_new_pool_has_no_keys(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("KeysEmpty");
    store.create_pool(&p).await.expect("create_pool");
    assert_eq!(
        store.signing_keys(&p.id).await.expect("signing_keys"),
        Vec::<SigningKeyRecord>::new()
    );
}

pub async fn init_stores_the_keys_and_returns_them(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("KeysInit");
    store.create_pool(&p).await.expect("create_pool");
    let keys = key_pair(&p.id, "first", 0);
    let returned = store
        .init_signing_keys(&p.id, &keys)
        .await
        .expect("init_signing_keys");
    assert_eq!(returned, keys, "init returns the keys it stored");
    assert_eq!(
        store.signing_keys(&p.id).await.expect("signing_keys"),
        keys,
        "the keys as listed"
    );
}

pub async fn a_second_init_keeps_the_first_keys(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("KeysInitTwice");
    store.create_pool(&p).await.expect("create_pool");
    let first = key_pair(&p.id, "first", 0);
    let second = key_pair(&p.id, "second", 10);
    store
        .init_signing_keys(&p.id, &first)
        .await
        .expect("first init");
    assert_eq!(
        store
            .init_signing_keys(&p.id, &second)
            .await
            .expect("second init"),
        first,
        "a second init returns the first set"
    );
    assert_eq!(
        store.signing_keys(&p.id).await.expect("signing_keys"),
        first,
        "a second init stores nothing"
    );

    // Nor does init add to a pool holding only retired keys.
    store
        .rotate_signing_keys(&p.id, &[], later(20))
        .await
        .expect("retire every key");
    let retired = store.signing_keys(&p.id).await.expect("signing_keys");
    assert!(retired.iter().all(|k| k.retired == Some(later(20))));
    assert_eq!(
        store
            .init_signing_keys(&p.id, &key_pair(&p.id, "third", 30))
            .await
            .expect("third init"),
        retired
    );
}

pub async fn concurrent_inits_agree_on_one_set(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("KeysRace");
    store.create_pool(&p).await.expect("create_pool");
    let n = 16;
    let proposals: Vec<Vec<SigningKeyRecord>> = (0..n)
        .map(|i| key_pair(&p.id, &format!("proposal{i}"), 0))
        .collect();
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = proposals
        .iter()
        .cloned()
        .map(|keys| {
            let store = store.clone();
            let barrier = barrier.clone();
            let pool = p.id.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                store.init_signing_keys(&pool, &keys).await
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.expect("task").expect("init_signing_keys"));
    }
    let kept = store.signing_keys(&p.id).await.expect("signing_keys");
    assert!(
        proposals.contains(&kept),
        "the stored keys are one whole proposal: {:?}",
        kids(&kept)
    );
    for (i, r) in results.iter().enumerate() {
        assert_eq!(
            kids(r),
            kids(&kept),
            "init {i} returned a set other than the one kept"
        );
        assert_eq!(r, &kept);
    }
}

pub async fn rotate_retires_the_active_keys_and_adds_the_new_ones(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("KeysRotate");
    store.create_pool(&p).await.expect("create_pool");
    let first = key_pair(&p.id, "first", 0);
    let second = key_pair(&p.id, "second", 100);
    let third = key_pair(&p.id, "third", 200);
    store
        .init_signing_keys(&p.id, &first)
        .await
        .expect("init_signing_keys");

    store
        .rotate_signing_keys(&p.id, &second, later(100))
        .await
        .expect("first rotation");
    let retired_at = |keys: &[SigningKeyRecord], at| -> Vec<SigningKeyRecord> {
        keys.iter()
            .cloned()
            .map(|mut k| {
                k.retired = Some(at);
                k
            })
            .collect()
    };
    let mut expected = retired_at(&first, later(100));
    expected.extend(second.iter().cloned());
    assert_eq!(
        store.signing_keys(&p.id).await.expect("signing_keys"),
        expected,
        "after the first rotation"
    );

    // A key already retired keeps the time it was retired at.
    store
        .rotate_signing_keys(&p.id, &third, later(200))
        .await
        .expect("second rotation");
    let mut expected = retired_at(&first, later(100));
    expected.extend(retired_at(&second, later(200)));
    expected.extend(third.iter().cloned());
    let listed = store.signing_keys(&p.id).await.expect("signing_keys");
    assert_eq!(listed, expected, "after the second rotation");
    assert_eq!(
        listed.iter().filter(|k| k.retired.is_none()).count(),
        2,
        "only the newest pair signs"
    );

    assert_not_found(
        "rotate in a missing pool",
        store
            .rotate_signing_keys(&pool_id("Absent"), &key_pair(&p.id, "x", 0), later(300))
            .await,
    );
}

pub async fn keys_are_listed_oldest_first(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("KeysOrder");
    store.create_pool(&p).await.expect("create_pool");
    // Handed over newest first, with kids sorting against their age.
    let keys = vec![
        signing_key(&p.id, "a-newest", KeyPurpose::AccessToken, later(30)),
        signing_key(&p.id, "b-middle", KeyPurpose::IdToken, later(20)),
        signing_key(&p.id, "c-oldest", KeyPurpose::IdToken, later(10)),
    ];
    let returned = store
        .init_signing_keys(&p.id, &keys)
        .await
        .expect("init_signing_keys");
    assert_eq!(kids(&returned), ["c-oldest", "b-middle", "a-newest"]);
    store
        .rotate_signing_keys(
            &p.id,
            &[
                signing_key(&p.id, "a-rotated-late", KeyPurpose::IdToken, later(50)),
                signing_key(&p.id, "z-rotated-early", KeyPurpose::AccessToken, later(40)),
            ],
            later(40),
        )
        .await
        .expect("rotate_signing_keys");
    assert_eq!(
        kids(&store.signing_keys(&p.id).await.expect("signing_keys")),
        [
            "c-oldest",
            "b-middle",
            "a-newest",
            "z-rotated-early",
            "a-rotated-late"
        ]
    );
}

pub async fn keys_are_per_pool(engine: &Engine) {
    let store = engine.open().await;
    let a = pool("KeysA");
    let b = pool("KeysB");
    store.create_pool(&a).await.expect("create a");
    store.create_pool(&b).await.expect("create b");
    let a_keys = key_pair(&a.id, "a", 0);
    store
        .init_signing_keys(&a.id, &a_keys)
        .await
        .expect("init a");
    assert_eq!(
        store.signing_keys(&b.id).await.expect("b's keys"),
        Vec::<SigningKeyRecord>::new(),
        "a's init gave b keys"
    );
    let b_keys = key_pair(&b.id, "b", 5);
    assert_eq!(
        store
            .init_signing_keys(&b.id, &b_keys)
            .await
            .expect("init b"),
        b_keys,
        "a's keys kept b's init from storing"
    );
    store
        .rotate_signing_keys(&b.id, &key_pair(&b.id, "b2", 10), later(10))
        .await
        .expect("rotate b");
    assert_eq!(
        store.signing_keys(&a.id).await.expect("a's keys"),
        a_keys,
        "b's rotation touched a"
    );
    for k in store.signing_keys(&b.id).await.expect("b's keys") {
        assert_eq!(k.pool_id, b.id);
    }
}

pub async fn deleting_the_pool_removes_its_keys(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("KeysDelete");
    let other = pool("KeysKept");
    store.create_pool(&p).await.expect("create_pool");
    store.create_pool(&other).await.expect("create_pool");
    store
        .init_signing_keys(&p.id, &key_pair(&p.id, "old", 0))
        .await
        .expect("init");
    let other_keys = key_pair(&other.id, "kept", 0);
    store
        .init_signing_keys(&other.id, &other_keys)
        .await
        .expect("init other");

    store.delete_pool(&p.id).await.expect("delete_pool");
    match store.signing_keys(&p.id).await {
        Err(StoreError::NotFound) => {}
        Ok(keys) if keys.is_empty() => {}
        other => panic!("keys of a deleted pool: expected NotFound or none, got {other:?}"),
    }

    // A pool created again with the same id starts without keys.
    store.create_pool(&p).await.expect("re-create the pool");
    assert_eq!(
        store.signing_keys(&p.id).await.expect("signing_keys"),
        Vec::<SigningKeyRecord>::new(),
        "keys survived delete_pool"
    );
    let fresh = key_pair(&p.id, "new", 50);
    assert_eq!(
        store.init_signing_keys(&p.id, &fresh).await.expect("init"),
        fresh,
        "the old keys kept init from storing"
    );
    assert_eq!(
        store.signing_keys(&other.id).await.expect("other's keys"),
        other_keys
    );
}
