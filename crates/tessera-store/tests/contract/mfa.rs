//! Second factors: a user's MFA record round-trips through create and
//! update, each TOTP step of a secret is taken once (atomically, so a code
//! is good for one sign-in however many answers race), and an admitted check
//! can be taken back when the password was right but the sign-in continues.

use std::sync::Arc;

use tessera_core::domain::lockout::FailureState;
use tessera_core::domain::mfa::{FactorChoice, MfaFactor, UserMfa};
use tessera_core::store::UserKey;

use crate::support::*;

pub async fn the_mfa_record_round_trips_through_create_and_update(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("MfaRecord");
    store.create_pool(&p).await.expect("create_pool");
    let mut u = user(&p.id, "hana");
    u.mfa = UserMfa {
        pending_software_token: Some(vec![1, 2, 3]),
        ..Default::default()
    };
    store.create_user(&u, &[], None).await.expect("create_user");
    let read = store
        .get_user(&p.id, UserKey::Sub(&u.sub))
        .await
        .expect("get_user");
    assert_eq!(read.mfa, u.mfa, "the record written by create_user");

    let mut updated = read.clone();
    updated.mfa.software_token = updated.mfa.pending_software_token.take();
    *updated.mfa.preferences.choice_mut(MfaFactor::SoftwareToken) = FactorChoice {
        enabled: true,
        preferred: true,
    };
    updated.mfa.preferences.token_name = Some("phone".into());
    updated.modified = later(1);
    store.update_user(&updated, &[]).await.expect("update_user");
    let read = store
        .get_user(&p.id, UserKey::Username("hana"))
        .await
        .expect("get_user");
    assert_eq!(read.mfa, updated.mfa, "the record written by update_user");
    assert_eq!(
        read.mfa.preferences.preferred(),
        Some(MfaFactor::SoftwareToken)
    );
}

pub async fn each_totp_step_is_taken_once_and_never_an_earlier_one(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("MfaSteps");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "ivan");
    let other = user(&p.id, "jade");
    store.create_user(&u, &[], None).await.expect("create_user");
    store
        .create_user(&other, &[], None)
        .await
        .expect("create_user");

    let step = 58_000_000;
    let take_of = |sub: String, secret: &'static str, step: i64| {
        let store = store.clone();
        let pool = p.id.clone();
        async move {
            store
                .accept_totp_step(&pool, &sub, secret, step)
                .await
                .expect("accept_totp_step")
        }
    };
    let take = |sub: String, step: i64| take_of(sub, "secret-1", step);
    assert!(take(u.sub.clone(), step).await, "a first code is taken");
    assert!(
        !take(u.sub.clone(), step).await,
        "the same step again is a replay"
    );
    assert!(
        !take(u.sub.clone(), step - 1).await,
        "an earlier step (still inside the skew window) is refused"
    );
    assert!(take(u.sub.clone(), step + 1).await, "the next step is fine");
    assert!(
        take(other.sub.clone(), step).await,
        "steps are the user's own"
    );

    // Concurrent answers with one code: exactly one is taken.
    let n = 20;
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let barrier = barrier.clone();
            let attempt = take(u.sub.clone(), step + 2);
            tokio::spawn(async move {
                barrier.wait().await;
                attempt.await
            })
        })
        .collect();
    let mut taken = 0;
    for t in tasks {
        if t.await.expect("task") {
            taken += 1;
        }
    }
    assert_eq!(taken, 1, "of {n} concurrent answers with one code");

    // A new secret (a new authenticator) starts afresh; the old one's
    // steps are not taken again after it.
    assert!(
        take_of(u.sub.clone(), "secret-2", step).await,
        "a new secret's code at a step the old one used"
    );
    assert!(
        !take_of(u.sub.clone(), "secret-2", step).await,
        "and only once"
    );

    assert_not_found(
        "accept_totp_step",
        store
            .accept_totp_step(&p.id, &new_sub(), "secret-1", step)
            .await,
    );
}

pub async fn a_refund_takes_back_one_admitted_check(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("MfaRefund");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "kira");
    store.create_user(&u, &[], None).await.expect("create_user");
    let state = |store: Arc<dyn tessera_core::store::Store>| {
        let (pool, sub) = (p.id.clone(), u.sub.clone());
        async move {
            store
                .get_user(&pool, UserKey::Sub(&sub))
                .await
                .expect("get_user")
                .sign_in_failures
        }
    };

    let mut expected = FailureState::default();
    for i in 0..3 {
        expected = store
            .admit_sign_in_attempt(&p.id, &u.sub, later(i))
            .await
            .expect("admit")
            .expect("admitted");
    }
    store
        .refund_sign_in_attempt(&p.id, &u.sub)
        .await
        .expect("refund_sign_in_attempt");
    assert_eq!(state(store.clone()).await, expected.refund());
    assert_eq!(state(store.clone()).await.count, 2);

    // Refunding the check that locked the user lifts the lockout.
    for i in 3..6 {
        store
            .admit_sign_in_attempt(&p.id, &u.sub, later(i))
            .await
            .expect("admit")
            .expect("admitted");
    }
    let locked = state(store.clone()).await;
    assert_eq!(locked.count, 5);
    assert!(locked.is_locked(later(5)), "five failures lock: {locked:?}");
    store
        .refund_sign_in_attempt(&p.id, &u.sub)
        .await
        .expect("refund_sign_in_attempt");
    let refunded = state(store.clone()).await;
    assert_eq!(refunded, locked.refund());
    assert!(
        !refunded.is_locked(later(5)),
        "the refund unlocked: {refunded:?}"
    );

    // A refund of nothing stays at nothing.
    store
        .clear_sign_in_failures(&p.id, &u.sub)
        .await
        .expect("clear");
    store
        .refund_sign_in_attempt(&p.id, &u.sub)
        .await
        .expect("refund_sign_in_attempt");
    assert_eq!(state(store.clone()).await, FailureState::default());
    assert_not_found(
        "refund_sign_in_attempt",
        store.refund_sign_in_attempt(&p.id, &new_sub()).await,
    );
}
