//! Challenge sessions and temporary passwords: NEW_PASSWORD_REQUIRED and SRP's
//! PASSWORD_VERIFIER expire with the auth session, a temporary password with
//! its validity days.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::AdminInitiateAuthError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeError;
use aws_sdk_cognitoidentityprovider::types::UserStatusType;

use super::fixture::{PASSWORD, SESSION_EXPIRED, access_token, fixture, password_policy};
use crate::common::Result;

#[tokio::test]
async fn new_password_session_expires_after_auth_session_validity() -> Result {
    let f = fixture(|p| p, |c| c).await?; // AuthSessionValidity: 3 minutes by default
    let temporary = "Temp-Pass-123";
    f.invited_user("eve", temporary).await?;

    let stale = f.new_password_session("eve", temporary).await?;
    f.app.clock.advance_seconds(181);
    assert_refused!(
        f.respond_new_password("eve", &stale, "Final-Pass-456")
            .await,
        RespondToAuthChallengeError::NotAuthorizedException(_),
        SESSION_EXPIRED,
    );
    assert_eq!(f.status("eve").await?, UserStatusType::ForceChangePassword);

    let fresh = f.new_password_session("eve", temporary).await?;
    f.app.clock.advance_seconds(170);
    let out = f
        .respond_new_password("eve", &fresh, "Final-Pass-456")
        .await?;
    let result = out
        .authentication_result()
        .unwrap_or_else(|| panic!("tokens expected, got {out:?}"));
    assert_eq!(f.get_user(access_token(result)).await?, "eve");
    assert_eq!(f.status("eve").await?, UserStatusType::Confirmed);
    f.sign_in("eve", "Final-Pass-456").await?;
    f.app.shutdown().await
}

#[tokio::test]
async fn auth_session_validity_of_the_client_is_honoured() -> Result {
    let f = fixture(|p| p, |c| c.auth_session_validity(15)).await?;
    let temporary = "Temp-Pass-123";
    f.invited_user("fay", temporary).await?;

    let stale = f.new_password_session("fay", temporary).await?;
    f.app.clock.advance_seconds(15 * 60 + 1);
    assert_refused!(
        f.respond_new_password("fay", &stale, "Final-Pass-456")
            .await,
        RespondToAuthChallengeError::NotAuthorizedException(_),
        SESSION_EXPIRED,
    );

    let fresh = f.new_password_session("fay", temporary).await?;
    f.app.clock.advance_seconds(15 * 60 - 1);
    let out = f
        .respond_new_password("fay", &fresh, "Final-Pass-456")
        .await?;
    assert!(out.authentication_result().is_some(), "{out:?}");
    assert_eq!(f.status("fay").await?, UserStatusType::Confirmed);
    f.app.shutdown().await
}

#[tokio::test]
async fn srp_password_verifier_expires_with_the_auth_session() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.confirmed_user("gil").await?;

    let (session, parameters) = f.srp_start("gil").await?;
    f.app.clock.advance_seconds(181);
    assert_refused!(
        f.srp_answer(&session, &parameters, PASSWORD).await?,
        RespondToAuthChallengeError::NotAuthorizedException(_),
        SESSION_EXPIRED,
    );

    // Answered in time, without a Session: tokens.
    let (session, parameters) = f.srp_start("gil").await?;
    f.app.clock.advance_seconds(120);
    let out = f.srp_answer(&session, &parameters, PASSWORD).await??;
    let result = out
        .authentication_result()
        .unwrap_or_else(|| panic!("tokens expected, got {out:?}"));
    assert_eq!(f.get_user(access_token(result)).await?, "gil");
    f.app.shutdown().await
}

#[tokio::test]
async fn temporary_password_expires_after_its_validity_days() -> Result {
    let f = fixture(|p| p.policies(password_policy(1)), |c| c).await?;
    let temporary = "Temp-Pass-123";
    f.invited_user("hal", temporary).await?;

    f.app.clock.advance_seconds(86_399);
    f.new_password_session("hal", temporary).await?;

    f.app.clock.advance_seconds(2); // 1 day + 1 s after creation
    let expired = "Temporary password has expired and must be reset by an administrator.";
    assert_refused!(
        f.password_auth("hal", temporary).await,
        InitiateAuthError::NotAuthorizedException(_),
        expired,
    );
    assert_refused!(
        f.srp_sign_in("hal", temporary).await?,
        RespondToAuthChallengeError::NotAuthorizedException(_),
        expired,
    );
    assert_refused!(
        f.admin_password_auth("hal", temporary).await,
        AdminInitiateAuthError::NotAuthorizedException(_),
        expired,
    );

    // An administrator sets a new temporary password: the user can go on.
    let second = "Temp-Pass-456";
    f.sdk()
        .admin_set_user_password()
        .user_pool_id(&f.pool)
        .username("hal")
        .password(second)
        .permanent(false)
        .send()
        .await?;
    let session = f.new_password_session("hal", second).await?;
    f.respond_new_password("hal", &session, "Final-Pass-789")
        .await?;
    assert_eq!(f.status("hal").await?, UserStatusType::Confirmed);
    f.app.shutdown().await
}
