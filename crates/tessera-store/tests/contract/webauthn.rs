//! Passkeys: registered once per credential id, listed per owner oldest
//! first, a use recorded only against the credential it was checked with
//! and never twice for one challenge, deleted by id, and gone with their
//! owner; one pending registration per user, taken at most once.

use tessera_core::domain::webauthn::{Passkey, PasskeyRegistration};
use tessera_core::store::Conflict;

use crate::support::*;

fn passkey(pool: &tessera_core::ids::UserPoolId, sub: &str, n: u32) -> Passkey {
    Passkey {
        pool_id: pool.clone(),
        sub: sub.to_owned(),
        credential_id: format!("Y3JlZGVudGlhbC0{n:04}"),
        name: format!("Passkey ünï {n}"),
        relying_party_id: "auth.example.com".into(),
        attachment: n.is_multiple_of(2).then(|| "platform".to_owned()),
        transports: vec!["internal".into(), "hybrid".into()],
        credential: format!("{{\"counter\":{n}}}"),
        created: later(i64::from(n)),
        last_used: None,
        last_challenge: None,
    }
}

pub async fn passkeys_are_listed_per_user_and_a_taken_id_conflicts(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Passkeys");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "alice");
    let other = user(&p.id, "bob");
    store.create_user(&u, &[], None).await.expect("create_user");
    store
        .create_user(&other, &[], None)
        .await
        .expect("create_user");
    let keys: Vec<Passkey> = (1..=3).map(|n| passkey(&p.id, &u.sub, n)).collect();
    for k in &keys {
        store.create_passkey(k).await.expect("create_passkey");
    }
    store
        .create_passkey(&passkey(&p.id, &other.sub, 9))
        .await
        .expect("create_passkey");
    let mut stolen = keys[0].clone();
    stolen.sub = other.sub.clone();
    assert_conflict(
        "the same credential id for another user",
        store.create_passkey(&stolen).await,
        Conflict::PasskeyId,
    );
    assert_not_found(
        "a passkey of a missing user",
        store.create_passkey(&passkey(&p.id, &new_sub(), 4)).await,
    );
    let first = store
        .list_passkeys(&p.id, &u.sub, &page(None, 2))
        .await
        .expect("list_passkeys");
    assert_eq!(first.items, keys[..2]);
    let rest = store
        .list_passkeys(&p.id, &u.sub, &page(first.next.clone(), 2))
        .await
        .expect("list_passkeys");
    assert_eq!(rest.items, keys[2..]);
    assert_eq!(rest.next, None);
}

pub async fn a_use_is_recorded_once_against_the_credential_it_was_checked_with(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("PasskeyUse");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "carol");
    store.create_user(&u, &[], None).await.expect("create_user");
    let k = passkey(&p.id, &u.sub, 1);
    store.create_passkey(&k).await.expect("create_passkey");
    let used = Passkey {
        credential: "{\"counter\":2}".into(),
        last_used: Some(later(60)),
        last_challenge: Some("challenge-1".into()),
        ..k.clone()
    };
    store
        .record_passkey_use(&used, &k.credential)
        .await
        .expect("record_passkey_use");
    assert_conflict(
        "a use checked against the credential before",
        store.record_passkey_use(&used, &k.credential).await,
        Conflict::Changed,
    );
    // An authenticator without a counter leaves the credential as it was:
    // the same challenge is still refused.
    assert_conflict(
        "the same challenge again",
        store.record_passkey_use(&used, &used.credential).await,
        Conflict::Changed,
    );
    let next = Passkey {
        last_challenge: Some("challenge-2".into()),
        last_used: Some(later(120)),
        ..used.clone()
    };
    store
        .record_passkey_use(&next, &used.credential)
        .await
        .expect("record_passkey_use");
    let listed = store
        .list_passkeys(&p.id, &u.sub, &page(None, 10))
        .await
        .expect("list_passkeys");
    assert_eq!(listed.items, [next]);
}

pub async fn delete_removes_the_passkey_and_deleting_the_user_removes_all(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("PasskeyDelete");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "dave");
    let other = user(&p.id, "erin");
    store.create_user(&u, &[], None).await.expect("create_user");
    store
        .create_user(&other, &[], None)
        .await
        .expect("create_user");
    let (k1, k2) = (passkey(&p.id, &u.sub, 1), passkey(&p.id, &u.sub, 2));
    store.create_passkey(&k1).await.expect("create_passkey");
    store.create_passkey(&k2).await.expect("create_passkey");
    assert_not_found(
        "another user's passkey",
        store
            .delete_passkey(&p.id, &other.sub, &k1.credential_id)
            .await,
    );
    store
        .delete_passkey(&p.id, &u.sub, &k1.credential_id)
        .await
        .expect("delete_passkey");
    assert_not_found(
        "deleting it again",
        store.delete_passkey(&p.id, &u.sub, &k1.credential_id).await,
    );
    store
        .put_passkey_registration(&PasskeyRegistration {
            pool_id: p.id.clone(),
            sub: u.sub.clone(),
            client_id: "client".into(),
            state: "{}".into(),
            expires: later(300),
        })
        .await
        .expect("put_passkey_registration");
    store.delete_user(&p.id, &u.sub).await.expect("delete_user");
    // The credential id is free again: no row of the deleted user's remains.
    store
        .create_passkey(&passkey(&p.id, &other.sub, 2))
        .await
        .expect("create_passkey");
}

pub async fn a_pending_registration_is_replaced_and_taken_once(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("PasskeyRegistration");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "frank");
    store.create_user(&u, &[], None).await.expect("create_user");
    let first = PasskeyRegistration {
        pool_id: p.id.clone(),
        sub: u.sub.clone(),
        client_id: "client-a".into(),
        state: "{\"challenge\":\"one\"}".into(),
        expires: later(300),
    };
    store
        .put_passkey_registration(&first)
        .await
        .expect("put_passkey_registration");
    let second = PasskeyRegistration {
        client_id: "client-b".into(),
        state: "{\"challenge\":\"two\"}".into(),
        expires: later(400),
        ..first.clone()
    };
    store
        .put_passkey_registration(&second)
        .await
        .expect("put_passkey_registration");
    assert_eq!(
        store
            .take_passkey_registration(&p.id, &u.sub)
            .await
            .expect("take_passkey_registration"),
        second
    );
    assert_not_found(
        "taking it again",
        store.take_passkey_registration(&p.id, &u.sub).await,
    );
    assert_not_found(
        "a missing user's registration",
        store
            .put_passkey_registration(&PasskeyRegistration {
                sub: new_sub(),
                ..first
            })
            .await,
    );
}

pub async fn expired_registrations_are_purged_and_live_ones_kept(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("PasskeyPurge");
    store.create_pool(&p).await.expect("create_pool");
    let (old, live) = (user(&p.id, "gina"), user(&p.id, "hank"));
    for (u, expires) in [(&old, later(300)), (&live, later(600))] {
        store.create_user(u, &[], None).await.expect("create_user");
        store
            .put_passkey_registration(&PasskeyRegistration {
                pool_id: p.id.clone(),
                sub: u.sub.clone(),
                client_id: "client".into(),
                state: "{}".into(),
                expires,
            })
            .await
            .expect("put_passkey_registration");
    }
    let purged = store
        .purge_expired(later(300), 100)
        .await
        .expect("purge_expired")
        .expect("a single node is never skipped");
    assert_eq!(purged.passkey_registrations, 1);
    assert_not_found(
        "the expired registration",
        store.take_passkey_registration(&p.id, &old.sub).await,
    );
    assert_eq!(
        store
            .take_passkey_registration(&p.id, &live.sub)
            .await
            .expect("the live registration")
            .expires,
        later(600)
    );
}
