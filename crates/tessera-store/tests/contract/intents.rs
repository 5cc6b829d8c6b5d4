//! Writes that must not half-happen, each one store call: a user with its
//! first code, disabling a user with ending its sign-ins, a password reset
//! with clearing the failure count.

use tessera_core::domain::code::{CodeCheck, CodePurpose};
use tessera_core::domain::lockout::FailureState;
use tessera_core::store::{Conflict, StoreError, UserKey};

use crate::support::*;

const MANY: u32 = 100;

pub async fn create_with_a_code_stores_both(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("IntentCode");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "alice");
    let c = code(
        &p.id,
        &u.sub,
        CodePurpose::ConfirmSignUp,
        hash_bytes(7),
        later(600),
    );
    store
        .create_user(&u, &[], Some(&c))
        .await
        .expect("create_user with a code");
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Sub(&u.sub))
            .await
            .map(normalized)
            .expect("the user"),
        normalized(u.clone())
    );
    assert_eq!(
        store
            .check_code(
                &p.id,
                &u.sub,
                &CodePurpose::ConfirmSignUp,
                &hash_bytes(7),
                T0,
                MANY
            )
            .await
            .expect("check_code"),
        CodeCheck::Valid,
        "the code was stored with the user"
    );
}

pub async fn a_refused_create_stores_no_code(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("IntentRefused");
    store.create_pool(&p).await.expect("create_pool");
    store
        .create_user(&user(&p.id, "alice"), &[], None)
        .await
        .expect("the first alice");
    let twin = user(&p.id, "alice");
    let c = code(
        &p.id,
        &twin.sub,
        CodePurpose::ConfirmSignUp,
        hash_bytes(8),
        later(600),
    );
    assert_conflict(
        "a second alice",
        store.create_user(&twin, &[], Some(&c)).await,
        Conflict::Username,
    );
    // The refused user's code would be keyed by its sub: nothing is there.
    assert!(
        matches!(
            store
                .check_code(
                    &p.id,
                    &twin.sub,
                    &CodePurpose::ConfirmSignUp,
                    &hash_bytes(8),
                    T0,
                    MANY
                )
                .await,
            Err(StoreError::NotFound)
        ),
        "no user, so no code"
    );
}

pub async fn disable_saves_the_user_and_revokes_its_families(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("IntentDisable");
    store.create_pool(&p).await.expect("create_pool");
    let c = client(&p.id, client_id(1));
    store.create_client(&c).await.expect("create_client");
    let mut alice = user(&p.id, "alice");
    let bob = user(&p.id, "bob");
    store.create_user(&alice, &[], None).await.expect("alice");
    store.create_user(&bob, &[], None).await.expect("bob");
    let hers = token_family(&p.id, &alice.sub, &c.id, "jti-disable-a");
    let his = token_family(&p.id, &bob.sub, &c.id, "jti-disable-b");
    for (i, f) in [&hers, &his].into_iter().enumerate() {
        store
            .create_token_family(
                f,
                &refresh_token(&f.origin_jti, hash_bytes(60 + i as u8), T0),
            )
            .await
            .expect("create_token_family");
    }

    alice.enabled = false;
    alice.modified = later(5);
    store.disable_user(&alice).await.expect("disable_user");
    let (family, stored) = store
        .get_token_family(&hers.origin_jti)
        .await
        .expect("her family");
    assert!(family.revoked, "her sign-ins ended");
    assert_eq!(normalized(stored), normalized(alice.clone()), "saved");
    assert!(
        !store
            .get_token_family(&his.origin_jti)
            .await
            .expect("his family")
            .0
            .revoked,
        "another user's sign-ins are untouched"
    );
    assert_not_found(
        "disabling a missing user",
        store.disable_user(&user(&p.id, "ghost")).await,
    );
}

pub async fn password_reset_saves_the_user_and_clears_its_failures(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("IntentReset");
    store.create_pool(&p).await.expect("create_pool");
    let mut u = user(&p.id, "alice");
    store.create_user(&u, &[], None).await.expect("create_user");
    for i in 0..6 {
        store
            .admit_sign_in_attempt(&p.id, &u.sub, later(i))
            .await
            .expect("admit_sign_in_attempt");
    }
    u.password = Some(b"new sealed verifier".to_vec());
    u.modified = later(10);
    store
        .complete_password_reset(&u)
        .await
        .expect("complete_password_reset");
    let stored = store
        .get_user(&p.id, UserKey::Sub(&u.sub))
        .await
        .expect("get_user");
    assert_eq!(stored.sign_in_failures, FailureState::default());
    assert_eq!(stored.password, u.password, "the new password was saved");
    assert_not_found(
        "resetting a missing user",
        store.complete_password_reset(&user(&p.id, "ghost")).await,
    );
}
