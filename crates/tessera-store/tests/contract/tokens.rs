//! Token families and refresh tokens: a family per sign-in, its refresh
//! tokens found by hash, rotated (the old one marked superseded once),
//! revoked per family or per user, owned by the user; listed as the user's
//! token sessions, their latest use recorded, evicted beyond a limit. Also
//! `find_client`, by which a refresh finds its client from the id alone.

use tessera_core::clock::Timestamp;
use tessera_core::domain::session::SessionActivity;
use tessera_core::domain::token::{RefreshTokenRecord, TokenFamily};
use tessera_core::domain::user::User;
use tessera_core::ids::{ClientId, UserPoolId};
use tessera_core::store::Store;

use crate::support::*;

/// A pool with a client and two users, the setting of every test here.
struct Setting {
    pool: UserPoolId,
    client: ClientId,
    alice: User,
    bob: User,
}

async fn setting(store: &dyn Store, suffix: &str) -> Setting {
    let p = pool(suffix);
    store.create_pool(&p).await.expect("create_pool");
    let c = client(&p.id, client_id(1));
    store.create_client(&c).await.expect("create_client");
    let alice = user(&p.id, "alice");
    let bob = user(&p.id, "bob");
    store
        .create_user(&alice, &[], None)
        .await
        .expect("create alice");
    store
        .create_user(&bob, &[], None)
        .await
        .expect("create bob");
    Setting {
        pool: p.id,
        client: c.id,
        alice,
        bob,
    }
}

pub async fn create_then_get_family_round_trips(engine: &Engine) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "Families").await;
    let mut family = token_family(&s.pool, &s.alice.sub, &s.client, "jti-ünï-1");
    family.auth_time = Timestamp(T0.0 - 1_234);
    family.expires = later(3_600);
    family.device_key = Some("us-east-1_7c9f0a52-3c1e-4c55-9d43-2b2f0a1e6d10".into());
    let refresh = refresh_token(&family.origin_jti, hash_bytes(1), T0);
    store
        .create_token_family(&family, &refresh)
        .await
        .expect("create_token_family");
    let (got, holder) = store
        .get_token_family(&family.origin_jti)
        .await
        .expect("get_token_family");
    assert_eq!(got, family);
    assert_eq!(
        holder, s.alice,
        "the family comes with the user it belongs to"
    );
    assert_eq!(got.pool_id, s.pool);
    assert_eq!(got.sub, s.alice.sub);
    assert_eq!(got.client_id, s.client);
    assert_eq!(got.auth_time, Timestamp(T0.0 - 1_234));
    assert_eq!(got.expires, later(3_600));
    assert!(!got.revoked);

    assert_not_found(
        "get_token_family of an unknown jti",
        store.get_token_family("jti-unknown").await,
    );
}

pub async fn find_refresh_token_returns_the_record_and_its_family(engine: &Engine) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "FindRefresh").await;
    let fa = token_family(&s.pool, &s.alice.sub, &s.client, "jti-find-a");
    let fb = token_family(&s.pool, &s.bob.sub, &s.client, "jti-find-b");
    let ra = refresh_token(&fa.origin_jti, hash_bytes(10), later(1));
    let rb = refresh_token(&fb.origin_jti, hash_bytes(11), later(2));
    store.create_token_family(&fa, &ra).await.expect("create a");
    store.create_token_family(&fb, &rb).await.expect("create b");

    assert_eq!(
        store
            .find_refresh_token(&ra.token_hash)
            .await
            .expect("find a"),
        (ra.clone(), fa.clone())
    );
    assert_eq!(
        store
            .find_refresh_token(&rb.token_hash)
            .await
            .expect("find b"),
        (rb.clone(), fb.clone())
    );

    assert_not_found(
        "an unknown hash",
        store.find_refresh_token(&hash_bytes(12)).await,
    );
    assert_not_found(
        "a prefix of a known hash",
        store.find_refresh_token(&ra.token_hash[..31]).await,
    );
    assert_not_found("an empty hash", store.find_refresh_token(&[]).await);
}

pub async fn rotate_supersedes_the_old_token_once_and_adds_the_new_one(engine: &Engine) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "Rotate").await;
    let family = token_family(&s.pool, &s.alice.sub, &s.client, "jti-rotate");
    let r1 = refresh_token(&family.origin_jti, hash_bytes(20), T0);
    store
        .create_token_family(&family, &r1)
        .await
        .expect("create_token_family");

    let r2 = refresh_token(&family.origin_jti, hash_bytes(21), later(10));
    store
        .rotate_refresh_token(&r1.token_hash, &r2, later(10))
        .await
        .expect("rotate r1 to r2");
    let (old, old_family) = store.find_refresh_token(&r1.token_hash).await.expect("r1");
    assert_eq!(old.superseded, Some(later(10)), "r1 superseded at now");
    assert_eq!(
        old,
        superseded(&r1, later(10)),
        "nothing else of r1 changed"
    );
    assert_eq!(old_family, family);
    assert_eq!(
        store.find_refresh_token(&r2.token_hash).await.expect("r2"),
        (r2.clone(), family.clone()),
        "r2 added, in the same family, not superseded"
    );

    // Rotating r1 again (a retry within the grace period) keeps the first time.
    let r3 = refresh_token(&family.origin_jti, hash_bytes(22), later(20));
    store
        .rotate_refresh_token(&r1.token_hash, &r3, later(20))
        .await
        .expect("rotate r1 again, to r3");
    assert_eq!(
        store
            .find_refresh_token(&r1.token_hash)
            .await
            .expect("r1")
            .0
            .superseded,
        Some(later(10)),
        "a second rotation moved r1's superseded time"
    );
    assert_eq!(
        store.find_refresh_token(&r3.token_hash).await.expect("r3"),
        (r3.clone(), family.clone())
    );
    assert_eq!(
        store
            .find_refresh_token(&r2.token_hash)
            .await
            .expect("r2")
            .0
            .superseded,
        None,
        "rotating r1 touched r2"
    );

    // The chain goes on from the newest token.
    let r4 = refresh_token(&family.origin_jti, hash_bytes(23), later(30));
    store
        .rotate_refresh_token(&r2.token_hash, &r4, later(30))
        .await
        .expect("rotate r2 to r4");
    assert_eq!(
        store
            .find_refresh_token(&r2.token_hash)
            .await
            .expect("r2")
            .0
            .superseded,
        Some(later(30))
    );
    assert_eq!(
        store.find_refresh_token(&r4.token_hash).await.expect("r4"),
        (r4, family.clone())
    );
    assert_eq!(
        store
            .get_token_family(&family.origin_jti)
            .await
            .expect("family")
            .0,
        family,
        "rotation does not change the family"
    );
}

pub async fn rotating_an_unknown_token_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "RotateUnknown").await;
    let family = token_family(&s.pool, &s.alice.sub, &s.client, "jti-rotate-unknown");
    let r1 = refresh_token(&family.origin_jti, hash_bytes(30), T0);
    store
        .create_token_family(&family, &r1)
        .await
        .expect("create_token_family");
    let new = refresh_token(&family.origin_jti, hash_bytes(31), later(1));
    assert_not_found(
        "rotating an unknown hash",
        store
            .rotate_refresh_token(&hash_bytes(32), &new, later(1))
            .await,
    );
    assert_not_found(
        "the new token of a failed rotation",
        store.find_refresh_token(&new.token_hash).await,
    );
    assert_eq!(
        store.find_refresh_token(&r1.token_hash).await.expect("r1"),
        (r1, family)
    );
}

pub async fn revoke_family_sets_revoked(engine: &Engine) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "RevokeFamily").await;
    let f1 = token_family(&s.pool, &s.alice.sub, &s.client, "jti-revoke-1");
    let f2 = token_family(&s.pool, &s.alice.sub, &s.client, "jti-revoke-2");
    let r1 = refresh_token(&f1.origin_jti, hash_bytes(40), T0);
    let r2 = refresh_token(&f2.origin_jti, hash_bytes(41), T0);
    store.create_token_family(&f1, &r1).await.expect("create 1");
    store.create_token_family(&f2, &r2).await.expect("create 2");

    store
        .revoke_token_family(&f1.origin_jti)
        .await
        .expect("revoke_token_family");
    let revoked_f1 = revoked(&f1);
    assert_eq!(
        store.get_token_family(&f1.origin_jti).await.expect("f1").0,
        revoked_f1
    );
    assert_eq!(
        store.find_refresh_token(&r1.token_hash).await.expect("r1"),
        (r1.clone(), revoked_f1.clone()),
        "the family's refresh token reports the revocation"
    );
    assert_eq!(
        store.get_token_family(&f2.origin_jti).await.expect("f2").0,
        f2,
        "another family of the same user was revoked"
    );

    // Revoking again is fine and changes nothing.
    store
        .revoke_token_family(&f1.origin_jti)
        .await
        .expect("revoke again");
    assert_eq!(
        store.get_token_family(&f1.origin_jti).await.expect("f1").0,
        revoked_f1
    );

    assert_not_found(
        "revoking an unknown family",
        store.revoke_token_family("jti-unknown").await,
    );
}

pub async fn revoke_user_tokens_revokes_only_that_users_families(engine: &Engine) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "RevokeUser").await;
    let a1 = token_family(&s.pool, &s.alice.sub, &s.client, "jti-user-a1");
    let a2 = token_family(&s.pool, &s.alice.sub, &s.client, "jti-user-a2");
    let b1 = token_family(&s.pool, &s.bob.sub, &s.client, "jti-user-b1");
    for (i, f) in [&a1, &a2, &b1].into_iter().enumerate() {
        store
            .create_token_family(
                f,
                &refresh_token(&f.origin_jti, hash_bytes(50 + i as u8), T0),
            )
            .await
            .expect("create_token_family");
    }
    store
        .revoke_token_family(&a2.origin_jti)
        .await
        .expect("revoke one of alice's families first");

    store
        .revoke_user_tokens(&s.pool, &s.alice.sub)
        .await
        .expect("revoke_user_tokens");
    for f in [&a1, &a2] {
        assert_eq!(
            store
                .get_token_family(&f.origin_jti)
                .await
                .expect("alice's")
                .0,
            revoked(f)
        );
    }
    assert_eq!(
        store
            .find_refresh_token(&hash_bytes(50))
            .await
            .expect("a1's token")
            .1,
        revoked(&a1)
    );
    assert_eq!(
        store.get_token_family(&b1.origin_jti).await.expect("bob's"),
        (b1, s.bob.clone()),
        "another user's family was revoked"
    );

    // A sign-in after the global sign-out starts a working family.
    let a3 = token_family(&s.pool, &s.alice.sub, &s.client, "jti-user-a3");
    store
        .create_token_family(
            &a3,
            &refresh_token(&a3.origin_jti, hash_bytes(53), later(1)),
        )
        .await
        .expect("create_token_family");
    assert_eq!(
        store.get_token_family(&a3.origin_jti).await.expect("a3"),
        (a3, s.alice.clone())
    );
}

pub async fn deleting_the_user_removes_its_families_and_refresh_tokens(engine: &Engine) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "TokensDelete").await;
    let fa = token_family(&s.pool, &s.alice.sub, &s.client, "jti-delete-a");
    let fb = token_family(&s.pool, &s.bob.sub, &s.client, "jti-delete-b");
    let ra1 = refresh_token(&fa.origin_jti, hash_bytes(60), T0);
    let ra2 = refresh_token(&fa.origin_jti, hash_bytes(61), later(1));
    let rb = refresh_token(&fb.origin_jti, hash_bytes(62), T0);
    store
        .create_token_family(&fa, &ra1)
        .await
        .expect("create a");
    store
        .rotate_refresh_token(&ra1.token_hash, &ra2, later(1))
        .await
        .expect("rotate a");
    store.create_token_family(&fb, &rb).await.expect("create b");

    store
        .delete_user(&s.pool, &s.alice.sub)
        .await
        .expect("delete_user");
    assert_not_found(
        "the deleted user's family",
        store.get_token_family(&fa.origin_jti).await,
    );
    assert_not_found(
        "the deleted user's first refresh token",
        store.find_refresh_token(&ra1.token_hash).await,
    );
    assert_not_found(
        "the deleted user's rotated refresh token",
        store.find_refresh_token(&ra2.token_hash).await,
    );

    // Creating the user again (same username and sub) brings nothing back.
    store
        .create_user(&s.alice, &[], None)
        .await
        .expect("create the user again");
    assert_not_found(
        "the family, after the user is created again",
        store.get_token_family(&fa.origin_jti).await,
    );
    assert_not_found(
        "the refresh token, after the user is created again",
        store.find_refresh_token(&ra2.token_hash).await,
    );
    // Its origin_jti is free again (the old family is gone, not hidden).
    let again = refresh_token(&fa.origin_jti, hash_bytes(63), later(2));
    store
        .create_token_family(&fa, &again)
        .await
        .expect("a family with the deleted family's origin_jti");
    assert_eq!(
        store
            .find_refresh_token(&again.token_hash)
            .await
            .expect("again"),
        (again, fa.clone())
    );

    assert_eq!(
        store
            .find_refresh_token(&rb.token_hash)
            .await
            .expect("bob's"),
        (rb, fb),
        "another user's tokens were removed"
    );
}

pub async fn find_client_by_id_alone_returns_the_client_with_its_pool(engine: &Engine) {
    let store = engine.open().await;
    let a = pool("FindClientA");
    let b = pool("FindClientB");
    store.create_pool(&a).await.expect("create a");
    store.create_pool(&b).await.expect("create b");
    let ca = client(&a.id, client_id(801));
    let mut cb = client(&b.id, client_id(802));
    cb.secrets.clear();
    store.create_client(&ca).await.expect("create ca");
    store.create_client(&cb).await.expect("create cb");

    let found_a = store.find_client(&ca.id).await.expect("find ca");
    assert_eq!(found_a, ca);
    assert_eq!(found_a.pool_id, a.id);
    let found_b = store.find_client(&cb.id).await.expect("find cb");
    assert_eq!(found_b, cb);
    assert_eq!(found_b.pool_id, b.id);

    // It follows updates.
    let mut renamed = ca.clone();
    renamed.name = "renamed ünïcode".into();
    renamed.modified = later(5);
    store.update_client(&renamed).await.expect("update_client");
    assert_eq!(store.find_client(&ca.id).await.expect("find"), renamed);
}

pub async fn find_missing_client_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("FindNoClient");
    store.create_pool(&p).await.expect("create_pool");
    assert_not_found(
        "an unknown client id",
        store.find_client(&client_id(901)).await,
    );

    let c = client(&p.id, client_id(902));
    store.create_client(&c).await.expect("create_client");
    store
        .delete_client(&p.id, &c.id)
        .await
        .expect("delete_client");
    assert_not_found("a deleted client", store.find_client(&c.id).await);

    let c = client(&p.id, client_id(903));
    store.create_client(&c).await.expect("create_client");
    store.delete_pool(&p.id).await.expect("delete_pool");
    assert_not_found("a client of a deleted pool", store.find_client(&c.id).await);
}

/// `record` as it reads back after being superseded at `at`.
fn superseded(record: &RefreshTokenRecord, at: Timestamp) -> RefreshTokenRecord {
    let mut r = record.clone();
    r.superseded = Some(at);
    r
}

/// `family` as it reads back after being revoked.
fn revoked(family: &TokenFamily) -> TokenFamily {
    let mut f = family.clone();
    f.revoked = true;
    f
}

/// A family of `sub` last used `seconds` after `T0`.
fn used_at(s: &Setting, sub: &str, origin_jti: &str, seconds: i64) -> TokenFamily {
    let mut family = token_family(&s.pool, sub, &s.client, origin_jti);
    family.activity.at = later(seconds);
    family
}

async fn create_all(store: &dyn Store, families: &[&TokenFamily]) {
    for (n, family) in families.iter().enumerate() {
        let hash = hash_bytes(100 + u8::try_from(n).expect("few families"));
        store
            .create_token_family(family, &refresh_token(&family.origin_jti, hash, T0))
            .await
            .expect("create_token_family");
    }
}

fn names(families: &[TokenFamily]) -> Vec<&str> {
    families.iter().map(|f| f.origin_jti.as_str()).collect()
}

pub async fn token_sessions_are_the_live_families_most_recently_active_first(engine: &Engine) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "Sessions").await;
    let old = used_at(&s, &s.alice.sub, "jti-s-old", 10);
    let new = used_at(&s, &s.alice.sub, "jti-s-new", 30);
    let middle = used_at(&s, &s.alice.sub, "jti-s-middle", 20);
    let mut revoked = used_at(&s, &s.alice.sub, "jti-s-revoked", 40);
    revoked.revoked = true;
    let mut expired = used_at(&s, &s.alice.sub, "jti-s-expired", 50);
    expired.expires = later(60);
    let bobs = used_at(&s, &s.bob.sub, "jti-s-bob", 70);
    create_all(
        store.as_ref(),
        &[&old, &new, &middle, &revoked, &expired, &bobs],
    )
    .await;

    let listed = store
        .list_token_sessions(&s.pool, &s.alice.sub, later(60), 125)
        .await
        .expect("list_token_sessions");
    assert_eq!(
        names(&listed),
        ["jti-s-new", "jti-s-middle", "jti-s-old"],
        "revoked, expired (expires == now) and other users' families are not sessions"
    );
    assert_eq!(listed[0], new, "each session is its whole family");
    let before_expiry = store
        .list_token_sessions(&s.pool, &s.alice.sub, later(59), 125)
        .await
        .expect("before the expiry");
    assert_eq!(before_expiry.len(), 4);
    let first_two = store
        .list_token_sessions(&s.pool, &s.alice.sub, later(60), 2)
        .await
        .expect("limited");
    assert_eq!(names(&first_two), ["jti-s-new", "jti-s-middle"]);
    assert!(
        store
            .list_token_sessions(&s.pool, "no-such-sub", later(60), 125)
            .await
            .expect("unknown user")
            .is_empty()
    );
    assert_not_found(
        "an unknown pool",
        store
            .list_token_sessions(&UserPoolId::new("us-east-1_gone"), &s.alice.sub, T0, 1)
            .await,
    );
}

pub async fn recording_activity_moves_the_time_and_keeps_an_unknown_address(engine: &Engine) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "Activity").await;
    let family = used_at(&s, &s.alice.sub, "jti-activity", 0);
    create_all(store.as_ref(), &[&family]).await;

    let seen = SessionActivity {
        at: later(100),
        ip: Some("2001:db8::1".into()),
        user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0".into()),
    };
    store
        .record_token_activity(&family.origin_jti, &seen)
        .await
        .expect("record_token_activity");
    let (got, _) = store
        .get_token_family(&family.origin_jti)
        .await
        .expect("get");
    assert_eq!(got.activity, seen);
    assert_eq!(got.auth_time, family.auth_time, "the sign-in's time stays");

    // A refresh whose address and agent are unknown moves only the time.
    let unknown = SessionActivity {
        at: later(200),
        ip: None,
        user_agent: None,
    };
    store
        .record_token_activity(&family.origin_jti, &unknown)
        .await
        .expect("record without address");
    let (got, _) = store
        .get_token_family(&family.origin_jti)
        .await
        .expect("get");
    assert_eq!(
        got.activity,
        SessionActivity {
            at: later(200),
            ..seen
        }
    );
    assert_not_found(
        "an unknown family",
        store.record_token_activity("jti-unknown", &unknown).await,
    );
}

pub async fn eviction_revokes_the_least_recently_active_beyond_the_limit(engine: &Engine) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "Evict").await;
    let families: Vec<TokenFamily> = (1..=4)
        .map(|n| used_at(&s, &s.alice.sub, &format!("jti-evict-{n}"), n * 10))
        .collect();
    let bobs = used_at(&s, &s.bob.sub, "jti-evict-bob", 0);
    let mut all: Vec<&TokenFamily> = families.iter().collect();
    all.push(&bobs);
    create_all(store.as_ref(), &all).await;
    // The oldest becomes the most recent: now the second and third are the least recently used.
    store
        .record_token_activity(
            "jti-evict-1",
            &SessionActivity {
                at: later(50),
                ip: None,
                user_agent: None,
            },
        )
        .await
        .expect("record");

    assert_eq!(
        store
            .evict_token_sessions(&s.pool, &s.alice.sub, 2, later(60))
            .await
            .expect("evict_token_sessions"),
        2
    );
    let left = store
        .list_token_sessions(&s.pool, &s.alice.sub, later(60), 125)
        .await
        .expect("list");
    assert_eq!(names(&left), ["jti-evict-1", "jti-evict-4"]);
    for evicted in ["jti-evict-2", "jti-evict-3"] {
        let (family, _) = store.get_token_family(evicted).await.expect("evicted");
        assert!(family.revoked, "{evicted} is revoked, not deleted");
    }
    let (bob, _) = store.get_token_family("jti-evict-bob").await.expect("bob");
    assert!(!bob.revoked, "another user's sessions are not counted");
    assert_eq!(
        store
            .evict_token_sessions(&s.pool, &s.alice.sub, 2, later(60))
            .await
            .expect("within the limit"),
        0
    );
    assert_eq!(
        store
            .evict_token_sessions(&s.pool, &s.alice.sub, 100, later(60))
            .await
            .expect("under the limit"),
        0
    );
}
