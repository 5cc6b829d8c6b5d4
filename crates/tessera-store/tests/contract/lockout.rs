//! Sign-in failure counting: the store applies `FailureState::after_failure`
//! atomically, and only its failure methods change the state (never
//! `update_user`).

use std::sync::Arc;

use tessera_core::domain::lockout::FailureState;
use tessera_core::store::UserKey;

use crate::support::*;

pub async fn record_failure_applies_after_failure_and_get_user_shows_it(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Lockout");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "alice");
    store.create_user(&u, &[], None).await.expect("create_user");
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Sub(&u.sub))
            .await
            .expect("get_user")
            .sign_in_failures,
        FailureState::default(),
        "a new user has no failures"
    );

    // Four free failures, a lockout that doubles, one failure after the
    // lockout ended, then a quiet quarter hour restarting the count.
    let times = [
        T0,
        later(1),
        later(2),
        later(3),
        later(4),
        later(5),
        later(10),
        later(10 + 15 * 60),
        later(10 + 15 * 60 + 1),
    ];
    let mut expected = FailureState::default();
    for (i, now) in times.into_iter().enumerate() {
        expected = expected.after_failure(now);
        let returned = store
            .record_sign_in_failure(&p.id, &u.sub, now)
            .await
            .expect("record_sign_in_failure");
        assert_eq!(
            returned,
            expected,
            "the state returned by failure {}",
            i + 1
        );
        let stored = store
            .get_user(&p.id, UserKey::Username("alice"))
            .await
            .expect("get_user")
            .sign_in_failures;
        assert_eq!(stored, expected, "the state stored by failure {}", i + 1);
    }
    // The sequence did exercise a lockout and a reset.
    let mut check = FailureState::default();
    for now in &times[..5] {
        check = check.after_failure(*now);
    }
    assert_eq!(check.count, 5);
    assert_eq!(check.locked_until, Some(later(4 + 1)));
    assert_eq!(
        expected.count, 2,
        "the count restarted after 15 quiet minutes"
    );
    assert_eq!(expected.last_failure, Some(later(10 + 15 * 60 + 1)));

    // The rest of the record is untouched.
    let mut stored = store
        .get_user(&p.id, UserKey::Sub(&u.sub))
        .await
        .expect("get_user");
    stored.sign_in_failures = FailureState::default();
    assert_eq!(normalized(stored), normalized(u.clone()));

    // Failures are the user's own.
    let other = user(&p.id, "bob");
    store
        .create_user(&other, &[], None)
        .await
        .expect("create_user");
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Sub(&other.sub))
            .await
            .expect("get_user")
            .sign_in_failures,
        FailureState::default()
    );
}

pub async fn clear_resets_to_the_default_state(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("LockClear");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "carol");
    let other = user(&p.id, "dave");
    store.create_user(&u, &[], None).await.expect("create_user");
    store
        .create_user(&other, &[], None)
        .await
        .expect("create_user");
    for i in 0..6 {
        store
            .record_sign_in_failure(&p.id, &u.sub, later(i))
            .await
            .expect("record");
    }
    let other_state = store
        .record_sign_in_failure(&p.id, &other.sub, T0)
        .await
        .expect("record");
    let locked = store
        .get_user(&p.id, UserKey::Sub(&u.sub))
        .await
        .expect("get_user")
        .sign_in_failures;
    assert!(locked.is_locked(later(5)), "six failures lock: {locked:?}");

    store
        .clear_sign_in_failures(&p.id, &u.sub)
        .await
        .expect("clear_sign_in_failures");
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Sub(&u.sub))
            .await
            .expect("get_user")
            .sign_in_failures,
        FailureState::default()
    );
    // Clearing a clear state is fine.
    store
        .clear_sign_in_failures(&p.id, &u.sub)
        .await
        .expect("clear again");
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Sub(&u.sub))
            .await
            .expect("get_user")
            .sign_in_failures,
        FailureState::default()
    );
    // The count starts from the beginning.
    assert_eq!(
        store
            .record_sign_in_failure(&p.id, &u.sub, later(6))
            .await
            .expect("record after clear"),
        FailureState::default().after_failure(later(6))
    );
    // The other user's failures are untouched.
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Sub(&other.sub))
            .await
            .expect("get_user")
            .sign_in_failures,
        other_state
    );
}

pub async fn update_user_does_not_overwrite_the_failure_state(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("LockUpdate");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "erin");
    store.create_user(&u, &[], None).await.expect("create_user");

    // Read before the failure, written after it (e.g. an admin update racing a sign-in).
    let mut stale = store
        .get_user(&p.id, UserKey::Sub(&u.sub))
        .await
        .expect("get_user");
    let failed = store
        .record_sign_in_failure(&p.id, &u.sub, later(1))
        .await
        .expect("record");
    stale = with_attr(stale, "name", "Erin");
    stale.modified = later(2);
    store.update_user(&stale, &[]).await.expect("update_user");
    let read = store
        .get_user(&p.id, UserKey::Sub(&u.sub))
        .await
        .expect("get_user");
    assert_eq!(read.attribute("name"), Some("Erin"), "the update applied");
    assert_eq!(
        read.sign_in_failures, failed,
        "update_user overwrote the failure state"
    );

    // Nor does an update write a failure state of its own.
    store
        .clear_sign_in_failures(&p.id, &u.sub)
        .await
        .expect("clear");
    let mut forged = read.clone();
    forged.sign_in_failures = FailureState {
        count: 7,
        last_failure: Some(later(3)),
        locked_until: Some(later(3 + 900)),
    };
    forged.modified = later(3);
    store.update_user(&forged, &[]).await.expect("update_user");
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Sub(&u.sub))
            .await
            .expect("get_user")
            .sign_in_failures,
        FailureState::default(),
        "update_user wrote the failure state it was given"
    );
}

pub async fn concurrent_failures_are_all_counted(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("LockRace");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "frank");
    store.create_user(&u, &[], None).await.expect("create_user");

    let n = 20;
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let store = store.clone();
            let barrier = barrier.clone();
            let (pool, sub) = (p.id.clone(), u.sub.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                store.record_sign_in_failure(&pool, &sub, later(1)).await
            })
        })
        .collect();
    let mut counts = Vec::new();
    for t in tasks {
        counts.push(
            t.await
                .expect("task")
                .expect("record_sign_in_failure")
                .count,
        );
    }
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=20).collect::<Vec<u32>>(),
        "each failure saw its own count"
    );
    let mut expected = FailureState::default();
    for _ in 0..n {
        expected = expected.after_failure(later(1));
    }
    assert_eq!(expected.count, 20);
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Sub(&u.sub))
            .await
            .expect("get_user")
            .sign_in_failures,
        expected
    );
}

pub async fn unknown_user_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("LockNoUser");
    store.create_pool(&p).await.expect("create_pool");
    let ghost = new_sub();
    assert_not_found(
        "record_sign_in_failure",
        store.record_sign_in_failure(&p.id, &ghost, T0).await,
    );
    assert_not_found(
        "clear_sign_in_failures",
        store.clear_sign_in_failures(&p.id, &ghost).await,
    );
    let u = user(&p.id, "gina");
    store.create_user(&u, &[], None).await.expect("create_user");
    assert_not_found(
        "record in a missing pool",
        store
            .record_sign_in_failure(&pool_id("Absent"), &u.sub, T0)
            .await,
    );
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Sub(&u.sub))
            .await
            .expect("get_user")
            .sign_in_failures,
        FailureState::default()
    );
}
