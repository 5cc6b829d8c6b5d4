//! One-time codes: a confirmation code lasts a day, a forgot-password code an
//! hour, and five wrong guesses use a code up.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::confirm_forgot_password::ConfirmForgotPasswordError;
use aws_sdk_cognitoidentityprovider::operation::confirm_sign_up::ConfirmSignUpError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError;
use aws_sdk_cognitoidentityprovider::types::UserStatusType;

use super::fixture::{EXPIRED_CODE, INCORRECT, MISMATCHED_CODE, PASSWORD, fixture, wrong_code};
use crate::common::Result;

#[tokio::test]
async fn confirmation_code_expires_after_a_day_and_a_resent_one_works() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.sign_up("early").await?;
    f.sign_up("late").await?;
    let early_code = f.code_for("early");
    let late_code = f.code_for("late");

    f.app.clock.advance_seconds(86_399);
    f.confirm_sign_up("early", &early_code).await?;
    assert_eq!(f.status("early").await?, UserStatusType::Confirmed);

    f.app.clock.advance_seconds(2); // 24 h + 1 s after sign-up
    assert_refused!(
        f.confirm_sign_up("late", &late_code).await,
        ConfirmSignUpError::ExpiredCodeException(_),
        EXPIRED_CODE,
    );
    assert_eq!(f.status("late").await?, UserStatusType::Unconfirmed);

    f.sdk()
        .resend_confirmation_code()
        .client_id(&f.client)
        .username("late")
        .send()
        .await?;
    let resent = f.code_for("late");
    f.confirm_sign_up("late", &resent).await?;
    assert_eq!(f.status("late").await?, UserStatusType::Confirmed);
    f.sign_in("late", PASSWORD).await?;
    f.app.shutdown().await
}

#[tokio::test]
async fn forgot_password_code_expires_after_an_hour() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.confirmed_user("cyd").await?;
    let new_password = "Brand-New-Pass-7";

    f.forgot_password("cyd").await?;
    let stale = f.code_for("cyd");
    f.app.clock.advance_seconds(3601);
    assert_refused!(
        f.confirm_forgot_password("cyd", &stale, new_password).await,
        ConfirmForgotPasswordError::ExpiredCodeException(_),
        EXPIRED_CODE,
    );
    f.sign_in("cyd", PASSWORD).await?; // the password did not change

    f.forgot_password("cyd").await?;
    let fresh = f.code_for("cyd");
    assert_ne!(fresh, stale);
    f.app.clock.advance_seconds(3599);
    f.confirm_forgot_password("cyd", &fresh, new_password)
        .await?;
    f.sign_in("cyd", new_password).await?;
    assert_refused!(
        f.password_auth("cyd", PASSWORD).await,
        InitiateAuthError::NotAuthorizedException(_),
        INCORRECT,
    );
    f.app.shutdown().await
}

#[tokio::test]
async fn five_wrong_confirmation_codes_use_up_the_code() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.sign_up("dee").await?;
    let right = f.code_for("dee");
    let wrong = wrong_code(&right);

    for attempt in 1..=4 {
        let err = f
            .confirm_sign_up("dee", &wrong)
            .await
            .expect_err("a wrong code is refused")
            .into_service_error();
        assert!(
            matches!(err, ConfirmSignUpError::CodeMismatchException(_)),
            "attempt {attempt}: {err:?}"
        );
        assert_eq!(err.message(), Some(MISMATCHED_CODE), "attempt {attempt}");
    }
    assert_refused!(
        f.confirm_sign_up("dee", &wrong).await,
        // LimitExceededException, as Cognito answers too many wrong codes
        // (aws-amplify/amplify-ui-android#180).
        ConfirmSignUpError::LimitExceededException(_),
        "Attempt limit exceeded, please try after some time.",
    );
    // The code is gone: even the right one no longer works.
    assert_refused!(
        f.confirm_sign_up("dee", &right).await,
        ConfirmSignUpError::ExpiredCodeException(_),
        EXPIRED_CODE,
    );
    assert_eq!(f.status("dee").await?, UserStatusType::Unconfirmed);

    f.sdk()
        .resend_confirmation_code()
        .client_id(&f.client)
        .username("dee")
        .send()
        .await?;
    let fresh = f.code_for("dee");
    f.confirm_sign_up("dee", &fresh).await?;
    assert_eq!(f.status("dee").await?, UserStatusType::Confirmed);
    f.app.shutdown().await
}
