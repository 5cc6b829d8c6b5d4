//! Access- and refresh-token lifetimes: an access token expires and
//! REFRESH_TOKEN_AUTH renews it; a refresh token expires after its validity.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::get_tokens_from_refresh_token::GetTokensFromRefreshTokenError;
use aws_sdk_cognitoidentityprovider::operation::get_user::GetUserError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError;

use super::fixture::{PASSWORD, access_token, fixture, minutes_everywhere, refresh_token, tokens};
use crate::common::Result;

#[tokio::test]
async fn access_token_expires_and_refresh_token_auth_renews_it() -> Result {
    let f = fixture(
        |p| p,
        |c| {
            c.access_token_validity(5)
                .id_token_validity(5)
                .token_validity_units(minutes_everywhere())
                .refresh_token_validity(60)
        },
    )
    .await?;
    f.confirmed_user("ada").await?;
    let first = f.sign_in("ada", PASSWORD).await?;
    assert_eq!(first.expires_in(), 300);
    assert_eq!(f.get_user(access_token(&first)).await?, "ada");

    f.app.clock.advance_seconds(299);
    assert_eq!(
        f.get_user(access_token(&first)).await?,
        "ada",
        "valid until its exp"
    );

    f.app.clock.advance_seconds(2); // 301 s after sign-in
    assert_refused!(
        f.get_user(access_token(&first)).await,
        GetUserError::NotAuthorizedException(_),
        "Access Token has expired",
    );

    let renewed = f.refresh(refresh_token(&first)).await?;
    let renewed = tokens(&renewed);
    assert_eq!(
        renewed.refresh_token(),
        None,
        "REFRESH_TOKEN_AUTH keeps the refresh token"
    );
    assert!(renewed.id_token().is_some());
    assert_eq!(renewed.expires_in(), 300);
    assert_eq!(f.get_user(access_token(renewed)).await?, "ada");
    assert_refused!(
        f.get_user(access_token(&first)).await,
        GetUserError::NotAuthorizedException(_),
        "Access Token has expired",
    );

    // The renewed token lives its own five minutes.
    f.app.clock.advance_seconds(301);
    assert_refused!(
        f.get_user(access_token(renewed)).await,
        GetUserError::NotAuthorizedException(_),
        "Access Token has expired",
    );
    f.app.shutdown().await
}

#[tokio::test]
async fn refresh_token_expires_after_its_validity() -> Result {
    let f = fixture(
        |p| p,
        |c| {
            c.access_token_validity(5)
                .id_token_validity(5)
                .token_validity_units(minutes_everywhere())
                .refresh_token_validity(60)
        },
    )
    .await?;
    f.confirmed_user("bea").await?;
    let signed_in = f.sign_in("bea", PASSWORD).await?;
    let refresh = refresh_token(&signed_in).to_owned();

    f.app.clock.advance_seconds(3599);
    let renewed = f.refresh(&refresh).await?;
    assert_eq!(f.get_user(access_token(tokens(&renewed))).await?, "bea");
    f.tokens_from_refresh_token(&refresh).await?;

    f.app.clock.advance_seconds(2); // 60 min + 1 s after sign-in
    assert_refused!(
        f.refresh(&refresh).await,
        InitiateAuthError::NotAuthorizedException(_),
        "Refresh Token has expired",
    );
    assert_refused!(
        f.tokens_from_refresh_token(&refresh).await,
        GetTokensFromRefreshTokenError::NotAuthorizedException(_),
        "Refresh Token has expired",
    );
    // A new sign-in starts a new refresh token.
    let again = f.sign_in("bea", PASSWORD).await?;
    f.refresh(refresh_token(&again)).await?;
    f.app.shutdown().await
}
