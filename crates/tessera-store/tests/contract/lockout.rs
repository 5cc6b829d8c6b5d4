//! Sign-in failure counting: the store admits each password check with
//! `FailureState::admit` atomically — counted, or refused while locked — and
//! only its failure methods change the state (never `update_user`).

use std::sync::Arc;

use tessera_core::domain::lockout::FailureState;
use tessera_core::store::UserKey;

use crate::support::*;

pub async fn admission_counts_each_check_refuses_while_locked_and_get_user_shows_it(
    engine: &Engine,
) {
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

    // Four free failures, a lockout that doubles, a check refused during it,
    // one after the lockout ended, then a quiet quarter hour restarting the count.
    let times = [
        T0,
        later(1),
        later(2),
        later(3),
        later(4),
        later(5),
        later(6),
        later(10),
        later(10 + 15 * 60),
        later(10 + 15 * 60 + 1),
    ];
    let mut expected = FailureState::default();
    let mut refused = 0;
    for (i, now) in times.into_iter().enumerate() {
        let admitted = expected.admit(now);
        let returned = store
            .admit_sign_in_attempt(&p.id, &u.sub, now)
            .await
            .expect("admit_sign_in_attempt");
        assert_eq!(returned, admitted, "the answer to check {}", i + 1);
        match admitted {
            Some(next) => expected = next,
            None => refused += 1,
        }
        let stored = store
            .get_user(&p.id, UserKey::Username("alice"))
            .await
            .expect("get_user")
            .sign_in_failures;
        assert_eq!(stored, expected, "the state stored after check {}", i + 1);
    }
    assert_eq!(refused, 1, "the check during the lockout was refused");
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
            .admit_sign_in_attempt(&p.id, &u.sub, later(i))
            .await
            .expect("admit");
    }
    let other_state = store
        .admit_sign_in_attempt(&p.id, &other.sub, T0)
        .await
        .expect("admit")
        .expect("admitted");
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
            .admit_sign_in_attempt(&p.id, &u.sub, later(6))
            .await
            .expect("admit after clear"),
        Some(FailureState::default().after_failure(later(6)))
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
        .admit_sign_in_attempt(&p.id, &u.sub, later(1))
        .await
        .expect("admit")
        .expect("admitted");
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

pub async fn concurrent_checks_are_admitted_only_up_to_the_lockout(engine: &Engine) {
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
                store.admit_sign_in_attempt(&pool, &sub, later(1)).await
            })
        })
        .collect();
    let mut counts = Vec::new();
    for t in tasks {
        if let Some(state) = t.await.expect("task").expect("admit_sign_in_attempt") {
            counts.push(state.count);
        }
    }
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=5).collect::<Vec<u32>>(),
        "five checks admitted, each with its own count; the rest refused by the lockout"
    );
    let mut expected = FailureState::default();
    for _ in 0..5 {
        expected = expected.after_failure(later(1));
    }
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
        "admit_sign_in_attempt",
        store.admit_sign_in_attempt(&p.id, &ghost, T0).await,
    );
    assert_not_found(
        "clear_sign_in_failures",
        store.clear_sign_in_failures(&p.id, &ghost).await,
    );
    let u = user(&p.id, "gina");
    store.create_user(&u, &[], None).await.expect("create_user");
    assert_not_found(
        "admit in a missing pool",
        store
            .admit_sign_in_attempt(&pool_id("Absent"), &u.sub, T0)
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
