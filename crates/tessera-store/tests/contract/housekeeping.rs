//! Purging what expired (`purge_expired`): each kind goes once past its cutoff
//! (`PurgeCutoffs`) and not before, still-needed records stay, and every
//! kind's batch is bounded by the limit, so a loop of purges empties it.

use tessera_core::clock::Timestamp;
use tessera_core::domain::code::{CodeCheck, CodePurpose};
use tessera_core::domain::housekeeping::PurgeReport;
use tessera_core::domain::lockout::FailureState;
use tessera_core::domain::oauth::AuthorizationCode;
use tessera_core::domain::user::User;
use tessera_core::ids::{ClientId, UserPoolId};
use tessera_core::store::{Store, UserKey};

use crate::support::*;

const DAY: i64 = 86_400;

struct Setting {
    pool: UserPoolId,
    client: ClientId,
    users: Vec<User>,
}

async fn setting(store: &dyn Store, suffix: &str, users: usize) -> Setting {
    let p = pool(suffix);
    store.create_pool(&p).await.expect("create_pool");
    let c = client(&p.id, client_id(1));
    store.create_client(&c).await.expect("create_client");
    let mut created = Vec::new();
    for n in 0..users {
        let u = user(&p.id, &format!("user{n}"));
        store.create_user(&u, &[], None).await.expect("create_user");
        created.push(u);
    }
    Setting {
        pool: p.id,
        client: c.id,
        users: created,
    }
}

async fn purge(store: &dyn Store, now: Timestamp, limit: u32) -> PurgeReport {
    store
        .purge_expired(now, limit)
        .await
        .expect("purge_expired")
        .expect("a single node is never skipped")
}

fn authorization_code(pool: &UserPoolId, hash: &[u8], expires: Timestamp) -> AuthorizationCode {
    AuthorizationCode {
        code_hash: hash.to_vec(),
        pool_id: pool.clone(),
        expires,
        grant: b"sealed grant".to_vec(),
    }
}

pub async fn codes_stay_until_they_expire_then_go(engine: &Engine) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "PurgeCodes", 1).await;
    let sub = &s.users[0].sub;
    let soon = code(
        &s.pool,
        sub,
        CodePurpose::ConfirmSignUp,
        hash_bytes(1),
        later(60),
    );
    let lasting = code(
        &s.pool,
        sub,
        CodePurpose::ResetPassword,
        hash_bytes(2),
        later(600),
    );
    store.put_code(&soon).await.expect("put soon");
    store.put_code(&lasting).await.expect("put lasting");

    assert_eq!(
        purge(store.as_ref(), later(59), 100).await,
        PurgeReport::default()
    );
    let at_expiry = purge(store.as_ref(), later(60), 100).await;
    assert_eq!(at_expiry.codes, 1, "the code expiring now goes");

    let check = |purpose: CodePurpose, hash: Vec<u8>| {
        let store = store.clone();
        let pool = s.pool.clone();
        let sub = sub.clone();
        async move {
            store
                .check_code(&pool, &sub, &purpose, &hash, later(61), 5)
                .await
                .expect("check_code")
        }
    };
    assert_eq!(
        check(CodePurpose::ConfirmSignUp, hash_bytes(1)).await,
        CodeCheck::Missing
    );
    assert_eq!(
        check(CodePurpose::ResetPassword, hash_bytes(2)).await,
        CodeCheck::Valid,
        "the unexpired code survived"
    );
}

pub async fn families_stay_a_day_past_expiry_revoked_or_not_then_go_with_their_refresh_tokens(
    engine: &Engine,
) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "PurgeFamilies", 1).await;
    let sub = &s.users[0].sub;
    let mut ending = token_family(&s.pool, sub, &s.client, "ending");
    ending.expires = later(3_600);
    let mut revoked = token_family(&s.pool, sub, &s.client, "revoked");
    revoked.expires = later(3_600);
    let live = token_family(&s.pool, sub, &s.client, "live");
    store
        .create_token_family(&ending, &refresh_token("ending", hash_bytes(1), T0))
        .await
        .expect("create ending");
    // Two rotations: the superseded tokens stay as long as the family, so a
    // reuse is still recognised as one.
    store
        .rotate_refresh_token(
            &hash_bytes(1),
            &refresh_token("ending", hash_bytes(2), later(10)),
            later(10),
        )
        .await
        .expect("rotate");
    store
        .rotate_refresh_token(
            &hash_bytes(2),
            &refresh_token("ending", hash_bytes(3), later(20)),
            later(20),
        )
        .await
        .expect("rotate again");
    store
        .create_token_family(&revoked, &refresh_token("revoked", hash_bytes(4), T0))
        .await
        .expect("create revoked");
    store.revoke_token_family("revoked").await.expect("revoke");
    store
        .create_token_family(&live, &refresh_token("live", hash_bytes(5), T0))
        .await
        .expect("create live");

    // Past expiry but within the day an access token issued at the last
    // refresh may still live: a revoked family must still be found revoked.
    let within = purge(store.as_ref(), later(3_600 + DAY - 1), 100).await;
    assert_eq!(within, PurgeReport::default());
    let (still, _) = store
        .get_token_family("revoked")
        .await
        .expect("revoked family kept");
    assert!(still.revoked, "revocation is still checked");
    store
        .find_refresh_token(&hash_bytes(1))
        .await
        .expect("superseded token kept");

    let after = purge(store.as_ref(), later(3_600 + DAY), 100).await;
    assert_eq!(after.token_families, 2);
    assert_eq!(
        after.refresh_tokens, 4,
        "three of `ending`, one of `revoked`"
    );
    for jti in ["ending", "revoked"] {
        assert_not_found(jti, store.get_token_family(jti).await);
    }
    for n in 1..=4 {
        assert_not_found(
            "a purged refresh token",
            store.find_refresh_token(&hash_bytes(n)).await,
        );
    }
    let (kept, _) = store
        .get_token_family("live")
        .await
        .expect("the live family stays");
    assert_eq!(kept, live);
    store
        .find_refresh_token(&hash_bytes(5))
        .await
        .expect("its refresh token stays");
}

pub async fn authorization_codes_stay_a_day_past_expiry_so_replays_are_still_caught(
    engine: &Engine,
) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "PurgeAuthCodes", 0).await;
    store
        .put_authorization_code(&authorization_code(&s.pool, b"redeemed", later(300)), T0)
        .await
        .expect("put");
    store
        .redeem_authorization_code(b"redeemed", "family-1", later(1))
        .await
        .expect("redeem");
    store
        .put_authorization_code(
            &authorization_code(&s.pool, b"fresh", later(300 + DAY)),
            later(1),
        )
        .await
        .expect("put fresh");

    let within = purge(store.as_ref(), later(300 + DAY), 100).await;
    assert_eq!(within.authorization_codes, 0);
    assert!(
        !store
            .authorization_code_replayed(b"redeemed")
            .await
            .expect("kept")
    );

    let after = purge(store.as_ref(), later(300 + DAY + 1), 100).await;
    assert_eq!(after.authorization_codes, 1);
    assert_not_found(
        "a purged code",
        store.authorization_code_replayed(b"redeemed").await,
    );
    assert!(
        !store
            .authorization_code_replayed(b"fresh")
            .await
            .expect("the fresh code stays")
    );
}

pub async fn lapsed_sign_in_failures_are_forgotten_and_recent_ones_kept(engine: &Engine) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "PurgeFailures", 2).await;
    let (old, recent) = (&s.users[0], &s.users[1]);
    for n in 0..5 {
        store
            .admit_sign_in_attempt(&s.pool, &old.sub, later(n))
            .await
            .expect("admit")
            .expect("admitted");
    }
    store
        .admit_sign_in_attempt(&s.pool, &recent.sub, later(600))
        .await
        .expect("admit")
        .expect("admitted");
    let failures = |sub: String| {
        let store = store.clone();
        let pool = s.pool.clone();
        async move {
            store
                .get_user(&pool, UserKey::Sub(&sub))
                .await
                .expect("get_user")
                .sign_in_failures
        }
    };

    assert_eq!(
        purge(store.as_ref(), later(4 + 899), 100)
            .await
            .sign_in_failures,
        0
    );
    assert_eq!(
        failures(old.sub.clone()).await.count,
        5,
        "kept until they stop counting"
    );

    let lapsed = purge(store.as_ref(), later(4 + 900), 100).await;
    assert_eq!(lapsed.sign_in_failures, 1);
    assert_eq!(failures(old.sub.clone()).await, FailureState::default());
    let kept = failures(recent.sub.clone()).await;
    assert_eq!(kept.count, 1);
    assert_eq!(kept.last_failure, Some(later(600)));
}

pub async fn each_kind_is_bounded_by_the_batch_limit_and_a_loop_empties_it(engine: &Engine) {
    let store = engine.open().await;
    let s = setting(store.as_ref(), "PurgeBatches", 5).await;
    for (n, u) in s.users.iter().enumerate() {
        let n = n as u8;
        store
            .put_code(&code(
                &s.pool,
                &u.sub,
                CodePurpose::ConfirmSignUp,
                hash_bytes(n),
                later(60),
            ))
            .await
            .expect("put_code");
        store
            .admit_sign_in_attempt(&s.pool, &u.sub, T0)
            .await
            .expect("admit")
            .expect("admitted");
        let jti = format!("family-{n}");
        let mut family = token_family(&s.pool, &u.sub, &s.client, &jti);
        family.expires = later(60);
        store
            .create_token_family(&family, &refresh_token(&jti, hash_bytes(10 + n), T0))
            .await
            .expect("create family");
        store
            .put_authorization_code(
                &authorization_code(&s.pool, &hash_bytes(100 + n), later(60)),
                T0,
            )
            .await
            .expect("put authorization code");
    }
    // One family rotated four more times: five refresh tokens of its own.
    for n in 0..4u8 {
        store
            .rotate_refresh_token(
                &hash_bytes(if n == 0 { 10 } else { 19 + n }),
                &refresh_token("family-0", hash_bytes(20 + n), later(1)),
                later(1),
            )
            .await
            .expect("rotate");
    }

    let now = later(60 + 2 * DAY);
    let mut total = PurgeReport::default();
    let mut rounds = 0;
    loop {
        let batch = purge(store.as_ref(), now, 2).await;
        for (kind, n) in [
            ("codes", batch.codes),
            ("refresh tokens", batch.refresh_tokens),
            ("token families", batch.token_families),
            ("authorization codes", batch.authorization_codes),
            ("sign-in failures", batch.sign_in_failures),
        ] {
            assert!(n <= 2, "a batch purged {n} {kind}, more than the limit 2");
        }
        if batch.total() == 0 {
            break;
        }
        total.add(&batch);
        rounds += 1;
        assert!(rounds < 20, "the loop did not empty the store");
    }
    assert_eq!(
        total,
        PurgeReport {
            codes: 5,
            refresh_tokens: 9,
            token_families: 5,
            authorization_codes: 5,
            sign_in_failures: 5,
            import_chunks: 0,
            passkey_registrations: 0,
        }
    );
    assert!(rounds >= 5, "nine refresh tokens take five batches of two");
}
