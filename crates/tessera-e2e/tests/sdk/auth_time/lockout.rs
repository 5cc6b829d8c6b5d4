//! Lockout: five failures lock a user, each further failure doubles the lock,
//! one counter spans every flow, and fifteen quiet minutes reset it.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::AdminInitiateAuthError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeError;

use super::fixture::{INCORRECT, LOCKED, PASSWORD, WRONG, access_token, fixture};
use crate::common::Result;

#[tokio::test]
async fn five_failures_lock_the_user_for_a_second() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.confirmed_user("ivy").await?;

    f.fail_password("ivy", 5).await;
    assert_refused!(
        f.password_auth("ivy", PASSWORD).await,
        InitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1);
    let result = f.sign_in("ivy", PASSWORD).await?;
    assert_eq!(f.get_user(access_token(&result)).await?, "ivy");
    f.app.shutdown().await
}

#[tokio::test]
async fn lockout_doubles_with_each_further_failure() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.confirmed_user("jo").await?;

    f.fail_password("jo", 5).await; // 5th failure: locked 1 s
    // Attempts during a lockout are refused without counting.
    assert_refused!(
        f.password_auth("jo", WRONG).await,
        InitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1);
    f.fail_password("jo", 1).await; // 6th failure: locked 2 s
    assert_refused!(
        f.password_auth("jo", PASSWORD).await,
        InitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1);
    assert_refused!(
        f.password_auth("jo", PASSWORD).await,
        InitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1); // 2 s after the 6th failure: open
    f.fail_password("jo", 1).await; // 7th failure: locked 4 s
    f.app.clock.advance_seconds(3);
    assert_refused!(
        f.password_auth("jo", PASSWORD).await,
        InitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1);
    f.sign_in("jo", PASSWORD).await?;
    f.app.shutdown().await
}

#[tokio::test]
async fn lockout_is_one_counter_across_every_flow() -> Result {
    let f = fixture(|p| p, |c| c).await?;

    // Failures with USER_PASSWORD_AUTH lock out SRP and ADMIN_USER_PASSWORD_AUTH.
    f.confirmed_user("kim").await?;
    f.fail_password("kim", 5).await;
    assert_refused!(
        f.srp_sign_in("kim", PASSWORD).await?,
        RespondToAuthChallengeError::NotAuthorizedException(_),
        LOCKED,
    );
    assert_refused!(
        f.admin_password_auth("kim", PASSWORD).await,
        AdminInitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1);
    let out = f.srp_sign_in("kim", PASSWORD).await??;
    assert!(out.authentication_result().is_some(), "{out:?}");

    // Failures in different flows add up.
    f.confirmed_user("lee").await?;
    f.fail_password("lee", 2).await;
    for _ in 0..2 {
        assert_refused!(
            f.srp_sign_in("lee", WRONG).await?,
            RespondToAuthChallengeError::NotAuthorizedException(_),
            INCORRECT,
        );
    }
    assert_refused!(
        f.admin_password_auth("lee", WRONG).await,
        AdminInitiateAuthError::NotAuthorizedException(_),
        INCORRECT,
    );
    assert_refused!(
        f.password_auth("lee", PASSWORD).await,
        InitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    assert_refused!(
        f.srp_sign_in("lee", PASSWORD).await?,
        RespondToAuthChallengeError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1);
    let out = f.admin_password_auth("lee", PASSWORD).await?;
    assert!(out.authentication_result().is_some(), "{out:?}");
    f.app.shutdown().await
}

#[tokio::test]
async fn failure_count_restarts_after_fifteen_quiet_minutes() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.confirmed_user("max").await?;
    f.confirmed_user("ned").await?;
    f.confirmed_user("oli").await?;

    // Four failures, 15 quiet minutes, four more: never locked.
    f.fail_password("max", 4).await;
    // Less than 15 minutes is not enough: the 5th failure still locks.
    f.fail_password("ned", 4).await;
    f.app.clock.advance_seconds(15 * 60 - 1);
    f.fail_password("ned", 1).await;
    assert_refused!(
        f.password_auth("ned", PASSWORD).await,
        InitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1); // 15 min after max's 4th failure
    f.fail_password("max", 4).await;
    f.sign_in("max", PASSWORD).await?;

    // After a lockout, too.
    f.fail_password("oli", 5).await;
    f.app.clock.advance_seconds(15 * 60);
    f.fail_password("oli", 4).await;
    f.sign_in("oli", PASSWORD).await?;
    f.app.shutdown().await
}
