//! One-time codes: at most one live code per user and purpose, checked
//! atomically (a match uses it up, mismatches count, expiry deletes it), owned
//! by the user. Also the user's pending attributes, the values such a code
//! verifies before they replace the current ones.

use std::collections::BTreeMap;

use tessera_core::clock::Timestamp;
use tessera_core::domain::code::{CodeCheck, CodePurpose};
use tessera_core::store::UserKey;

use crate::support::*;

/// Generous enough that no check in a test reaches it unless it means to.
const MANY: u32 = 100;

pub async fn right_hash_is_valid_once_then_missing(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("CodeValid");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "alice");
    store.create_user(&u, &[], None).await.expect("create_user");

    let purpose = CodePurpose::ConfirmSignUp;
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &hash_bytes(1), T0, MANY)
            .await
            .expect("check before any put"),
        CodeCheck::Missing,
        "no code was issued yet"
    );

    store
        .put_code(&code(
            &p.id,
            &u.sub,
            purpose.clone(),
            hash_bytes(1),
            later(600),
        ))
        .await
        .expect("put_code");
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &hash_bytes(1), later(60), MANY)
            .await
            .expect("check"),
        CodeCheck::Valid
    );
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &hash_bytes(1), later(61), MANY)
            .await
            .expect("check again"),
        CodeCheck::Missing,
        "a matching code is used up"
    );
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &hash_bytes(2), later(62), MANY)
            .await
            .expect("a wrong hash after use"),
        CodeCheck::Missing,
        "a used-up code does not count mismatches either"
    );
}

pub async fn wrong_hash_is_a_mismatch_until_max_failures_then_the_code_is_gone(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("CodeWrong");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "bob");
    store.create_user(&u, &[], None).await.expect("create_user");
    let purpose = CodePurpose::ResetPassword;
    let right = hash_bytes(10);
    let wrong = hash_bytes(11);

    // Mismatches below the limit leave the code usable.
    store
        .put_code(&code(
            &p.id,
            &u.sub,
            purpose.clone(),
            right.clone(),
            later(600),
        ))
        .await
        .expect("put_code");
    for attempt in 1..=2 {
        assert_eq!(
            store
                .check_code(&p.id, &u.sub, &purpose, &wrong, later(attempt), 3)
                .await
                .expect("wrong check"),
            CodeCheck::Mismatch,
            "wrong try {attempt} of 3"
        );
    }
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &right, later(3), 3)
            .await
            .expect("right check after two mismatches"),
        CodeCheck::Valid
    );

    // The max_failures-th mismatch deletes the code.
    store
        .put_code(&code(
            &p.id,
            &u.sub,
            purpose.clone(),
            right.clone(),
            later(600),
        ))
        .await
        .expect("put_code again");
    for attempt in 1..=2 {
        assert_eq!(
            store
                .check_code(&p.id, &u.sub, &purpose, &wrong, later(attempt), 3)
                .await
                .expect("wrong check"),
            CodeCheck::Mismatch,
            "wrong try {attempt} of 3"
        );
    }
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &wrong, later(3), 3)
            .await
            .expect("third wrong check"),
        CodeCheck::TooManyFailures,
        "the third wrong try of three"
    );
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &right, later(4), 3)
            .await
            .expect("right check after too many failures"),
        CodeCheck::Missing,
        "the code is gone after too many failures"
    );

    // With a limit of one, the first mismatch is already too many.
    store
        .put_code(&code(
            &p.id,
            &u.sub,
            purpose.clone(),
            right.clone(),
            later(600),
        ))
        .await
        .expect("put_code a third time");
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &wrong, later(5), 1)
            .await
            .expect("wrong check with a limit of one"),
        CodeCheck::TooManyFailures
    );
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &right, later(6), 1)
            .await
            .expect("right check"),
        CodeCheck::Missing
    );
}

pub async fn expired_code_is_expired_and_gone(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("CodeExpired");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "carol");
    store.create_user(&u, &[], None).await.expect("create_user");
    let purpose = CodePurpose::ConfirmSignUp;
    let right = hash_bytes(20);
    let expires = later(600);

    // One millisecond before expiry the code still works.
    store
        .put_code(&code(
            &p.id,
            &u.sub,
            purpose.clone(),
            right.clone(),
            expires,
        ))
        .await
        .expect("put_code");
    assert_eq!(
        store
            .check_code(
                &p.id,
                &u.sub,
                &purpose,
                &right,
                Timestamp(expires.0 - 1),
                MANY
            )
            .await
            .expect("check just before expiry"),
        CodeCheck::Valid
    );

    // At the expiry instant it is expired, and deleted.
    store
        .put_code(&code(
            &p.id,
            &u.sub,
            purpose.clone(),
            right.clone(),
            expires,
        ))
        .await
        .expect("put_code");
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &right, expires, MANY)
            .await
            .expect("check at expiry"),
        CodeCheck::Expired,
        "now == expires is expired"
    );
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &right, later(1), MANY)
            .await
            .expect("check again, at a time before expiry"),
        CodeCheck::Missing,
        "an expired code is deleted when found expired"
    );

    // Well after expiry, likewise.
    store
        .put_code(&code(
            &p.id,
            &u.sub,
            purpose.clone(),
            right.clone(),
            expires,
        ))
        .await
        .expect("put_code");
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &right, later(86_400), MANY)
            .await
            .expect("check a day later"),
        CodeCheck::Expired
    );
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &right, later(1), MANY)
            .await
            .expect("check again"),
        CodeCheck::Missing
    );
}

pub async fn put_replaces_the_code_of_the_same_purpose_and_resets_failures(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("CodeReplace");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "dave");
    store.create_user(&u, &[], None).await.expect("create_user");
    let purpose = CodePurpose::VerifyAttribute("email".into());
    let first = hash_bytes(30);
    let second = hash_bytes(31);
    let wrong = hash_bytes(32);

    store
        .put_code(&code(
            &p.id,
            &u.sub,
            purpose.clone(),
            first.clone(),
            later(60),
        ))
        .await
        .expect("put the first code");
    for attempt in 1..=2 {
        assert_eq!(
            store
                .check_code(&p.id, &u.sub, &purpose, &wrong, later(attempt), 3)
                .await
                .expect("wrong check"),
            CodeCheck::Mismatch
        );
    }
    // The replacement has a later expiry than the first code had.
    store
        .put_code(&code(
            &p.id,
            &u.sub,
            purpose.clone(),
            second.clone(),
            later(600),
        ))
        .await
        .expect("put the second code");

    // Had the two failures survived, this would be the third of three.
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &first, later(3), 3)
            .await
            .expect("the replaced code's hash"),
        CodeCheck::Mismatch,
        "the replaced code no longer matches, and the failure count restarted"
    );
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &wrong, later(4), 3)
            .await
            .expect("another wrong check"),
        CodeCheck::Mismatch,
        "second failure since the replacement"
    );
    // Past the first code's expiry, within the second's.
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &purpose, &second, later(120), 3)
            .await
            .expect("the new code"),
        CodeCheck::Valid,
        "the replacement carries its own expiry"
    );
}

pub async fn purposes_are_independent(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("CodePurposes");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "erin");
    store.create_user(&u, &[], None).await.expect("create_user");
    let confirm = CodePurpose::ConfirmSignUp;
    let reset = CodePurpose::ResetPassword;
    let email = CodePurpose::VerifyAttribute("email".into());
    let phone = CodePurpose::VerifyAttribute("phone_number".into());
    let purposes = [
        (confirm.clone(), hash_bytes(40)),
        (reset.clone(), hash_bytes(41)),
        (email.clone(), hash_bytes(42)),
        (phone.clone(), hash_bytes(43)),
    ];
    for (purpose, hash) in &purposes {
        store
            .put_code(&code(
                &p.id,
                &u.sub,
                purpose.clone(),
                hash.clone(),
                later(600),
            ))
            .await
            .expect("put_code");
    }

    // Each code matches only under its own purpose; these mismatches count
    // toward the code of the purpose asked about.
    for (purpose, _) in &purposes {
        for (other, other_hash) in &purposes {
            if purpose != other {
                assert_eq!(
                    store
                        .check_code(&p.id, &u.sub, purpose, other_hash, later(1), MANY)
                        .await
                        .expect("cross check"),
                    CodeCheck::Mismatch,
                    "{other:?}'s code checked as {purpose:?}"
                );
            }
        }
    }

    // Using up, failing out and replacing one purpose leaves the others alone.
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &confirm, &hash_bytes(40), later(2), MANY)
            .await
            .expect("confirm"),
        CodeCheck::Valid
    );
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &email, &hash_bytes(99), later(3), 1)
            .await
            .expect("email, wrong with a limit of one"),
        CodeCheck::TooManyFailures
    );
    store
        .put_code(&code(
            &p.id,
            &u.sub,
            reset.clone(),
            hash_bytes(44),
            later(600),
        ))
        .await
        .expect("replace the reset code");

    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &phone, &hash_bytes(43), later(4), MANY)
            .await
            .expect("phone"),
        CodeCheck::Valid,
        "phone_number's code survives email's failing out"
    );
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &reset, &hash_bytes(44), later(5), MANY)
            .await
            .expect("reset"),
        CodeCheck::Valid
    );
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &email, &hash_bytes(42), later(6), MANY)
            .await
            .expect("email after failing out"),
        CodeCheck::Missing
    );
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &confirm, &hash_bytes(40), later(7), MANY)
            .await
            .expect("confirm after use"),
        CodeCheck::Missing
    );

    // Codes are the user's own: another user with the same purposes has none.
    let other = user(&p.id, "frank");
    store
        .create_user(&other, &[], None)
        .await
        .expect("create_user");
    store
        .put_code(&code(
            &p.id,
            &u.sub,
            confirm.clone(),
            hash_bytes(45),
            later(600),
        ))
        .await
        .expect("put_code");
    assert_eq!(
        store
            .check_code(&p.id, &other.sub, &confirm, &hash_bytes(45), later(8), MANY)
            .await
            .expect("another user's check"),
        CodeCheck::Missing
    );
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &confirm, &hash_bytes(45), later(9), MANY)
            .await
            .expect("the owner's check"),
        CodeCheck::Valid
    );
}

pub async fn unknown_user_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("CodeNoUser");
    store.create_pool(&p).await.expect("create_pool");
    let ghost = new_sub();
    let purpose = CodePurpose::ConfirmSignUp;
    assert_not_found(
        "put_code for an unknown user",
        store
            .put_code(&code(
                &p.id,
                &ghost,
                purpose.clone(),
                hash_bytes(50),
                later(600),
            ))
            .await,
    );
    assert_not_found(
        "check_code for an unknown user",
        store
            .check_code(&p.id, &ghost, &purpose, &hash_bytes(50), T0, MANY)
            .await,
    );

    // A user of another pool is unknown here too.
    let u = user(&p.id, "gina");
    store.create_user(&u, &[], None).await.expect("create_user");
    let elsewhere = pool("CodeElsewhere");
    store.create_pool(&elsewhere).await.expect("create_pool");
    assert_not_found(
        "put_code through another pool",
        store
            .put_code(&code(
                &elsewhere.id,
                &u.sub,
                purpose.clone(),
                hash_bytes(51),
                later(600),
            ))
            .await,
    );
    assert_not_found(
        "check_code through another pool",
        store
            .check_code(&elsewhere.id, &u.sub, &purpose, &hash_bytes(51), T0, MANY)
            .await,
    );
    assert_not_found(
        "check_code in a missing pool",
        store
            .check_code(
                &pool_id("Absent"),
                &u.sub,
                &purpose,
                &hash_bytes(51),
                T0,
                MANY,
            )
            .await,
    );
}

pub async fn deleting_the_user_removes_its_codes(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("CodeDelete");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "hank");
    store.create_user(&u, &[], None).await.expect("create_user");
    let email = CodePurpose::VerifyAttribute("email".into());
    store
        .put_code(&code(
            &p.id,
            &u.sub,
            CodePurpose::ConfirmSignUp,
            hash_bytes(60),
            later(600),
        ))
        .await
        .expect("put confirm");
    store
        .put_code(&code(
            &p.id,
            &u.sub,
            email.clone(),
            hash_bytes(61),
            later(600),
        ))
        .await
        .expect("put email");

    store.delete_user(&p.id, &u.sub).await.expect("delete_user");
    assert_not_found(
        "check_code after delete_user",
        store
            .check_code(
                &p.id,
                &u.sub,
                &CodePurpose::ConfirmSignUp,
                &hash_bytes(60),
                later(1),
                MANY,
            )
            .await,
    );

    // A user created again with the same username and sub starts without codes.
    store
        .create_user(&u, &[], None)
        .await
        .expect("create the user again");
    assert_eq!(
        store
            .check_code(
                &p.id,
                &u.sub,
                &CodePurpose::ConfirmSignUp,
                &hash_bytes(60),
                later(2),
                MANY
            )
            .await
            .expect("check confirm"),
        CodeCheck::Missing,
        "the deleted user's confirmation code survived"
    );
    assert_eq!(
        store
            .check_code(&p.id, &u.sub, &email, &hash_bytes(61), later(3), MANY)
            .await
            .expect("check email"),
        CodeCheck::Missing,
        "the deleted user's verification code survived"
    );
}

pub async fn pending_attributes_round_trip_through_create_and_update(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Pending");
    store.create_pool(&p).await.expect("create_pool");
    let mut u = user_with_email(&p.id, "ivy", "ivy@example.com");
    let mut pending = BTreeMap::new();
    pending.insert("email".to_owned(), "ivy.new@example.com".to_owned());
    pending.insert("phone_number".to_owned(), "+15555550199".to_owned());
    u.pending_attributes = pending;
    store.create_user(&u, &[], None).await.expect("create_user");
    assert_eq!(
        normalized(
            store
                .get_user(&p.id, UserKey::Sub(&u.sub))
                .await
                .expect("get_user")
        ),
        normalized(u.clone()),
        "pending attributes written by create_user"
    );

    // The current email stays the alias while the new one waits.
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Alias(&email_alias("ivy@example.com")))
            .await
            .expect("by the current email")
            .pending_attributes
            .get("email")
            .map(String::as_str),
        Some("ivy.new@example.com")
    );

    u.pending_attributes.remove("phone_number");
    u.pending_attributes
        .insert("email".to_owned(), "ïvy+ünïcode@example.com".to_owned());
    u.modified = later(10);
    store.update_user(&u, &[]).await.expect("update_user");
    assert_eq!(
        normalized(
            store
                .get_user(&p.id, UserKey::Sub(&u.sub))
                .await
                .expect("get_user")
        ),
        normalized(u.clone()),
        "pending attributes replaced by update_user"
    );

    u.pending_attributes.clear();
    u.modified = later(20);
    store.update_user(&u, &[]).await.expect("update_user");
    assert!(
        store
            .get_user(&p.id, UserKey::Sub(&u.sub))
            .await
            .expect("get_user")
            .pending_attributes
            .is_empty(),
        "pending attributes cleared by update_user"
    );

    // Users without pending attributes read back with none.
    let plain = user(&p.id, "jack");
    store
        .create_user(&plain, &[], None)
        .await
        .expect("create_user");
    assert!(
        store
            .get_user(&p.id, UserKey::Username("jack"))
            .await
            .expect("get_user")
            .pending_attributes
            .is_empty()
    );
}
