//! Rotation: refresh-token rotation with its grace period (and without
//! rotation, the token stays), and signing-key rotation in the JWKS.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::get_tokens_from_refresh_token::GetTokensFromRefreshTokenError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError;
use aws_sdk_cognitoidentityprovider::types::{FeatureType, RefreshTokenRotationType};

use super::fixture::{PASSWORD, access_token, fixture, kid, refresh_token, tokens};
use crate::common::Result;

#[tokio::test]
async fn refresh_token_rotation_with_a_grace_period() -> Result {
    let f = fixture(
        |p| p,
        |c| {
            c.refresh_token_rotation(
                RefreshTokenRotationType::builder()
                    .feature(FeatureType::Enabled)
                    .retry_grace_period_seconds(10)
                    .build()
                    .expect("feature is set"),
            )
        },
    )
    .await?;
    f.confirmed_user("pam").await?;
    let signed_in = f.sign_in("pam", PASSWORD).await?;
    let original = refresh_token(&signed_in).to_owned();

    let rotated = f.tokens_from_refresh_token(&original).await?;
    let next = refresh_token(&rotated).to_owned();
    assert_ne!(next, original, "rotation hands out a new refresh token");
    assert!(rotated.id_token().is_some());
    assert_eq!(f.get_user(access_token(&rotated)).await?, "pam");

    // The old one is still good within the grace period.
    f.app.clock.advance_seconds(10 - 1);
    let retried = f.tokens_from_refresh_token(&original).await?;
    assert_eq!(f.get_user(access_token(&retried)).await?, "pam");

    f.app.clock.advance_seconds(2); // 11 s after the rotation
    assert_refused!(
        f.tokens_from_refresh_token(&original).await,
        GetTokensFromRefreshTokenError::RefreshTokenReuseException(_),
        "The refresh token has already been used.",
    );
    assert_refused!(
        f.refresh(&original).await,
        InitiateAuthError::NotAuthorizedException(_),
        // With its period, as a wire dump in aws/aws-sdk-cpp#1789 shows.
        "Invalid Refresh Token.",
    );

    let again = f.tokens_from_refresh_token(&next).await?;
    assert_ne!(refresh_token(&again), next);
    assert_eq!(f.get_user(access_token(&again)).await?, "pam");
    f.app.shutdown().await
}

#[tokio::test]
async fn without_rotation_the_refresh_token_stays() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.confirmed_user("quin").await?;
    let signed_in = f.sign_in("quin", PASSWORD).await?;
    let token = refresh_token(&signed_in).to_owned();

    let refreshed = f.tokens_from_refresh_token(&token).await?;
    assert_eq!(refreshed.refresh_token(), None, "{refreshed:?}");
    assert_eq!(f.get_user(access_token(&refreshed)).await?, "quin");

    f.app.clock.advance_seconds(11);
    let again = f.tokens_from_refresh_token(&token).await?;
    assert_eq!(again.refresh_token(), None);
    let via_initiate = f.refresh(&token).await?;
    assert_eq!(
        f.get_user(access_token(tokens(&via_initiate))).await?,
        "quin"
    );
    f.app.shutdown().await
}

#[tokio::test]
async fn signing_key_rotation_shows_in_the_jwks() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.confirmed_user("rae").await?;
    let before = f.sign_in("rae", PASSWORD).await?;
    let old_id_kid = kid(before.id_token().expect("an ID token"));
    let old_access_kid = kid(access_token(&before));
    assert_ne!(
        old_id_kid, old_access_kid,
        "ID and access tokens use different keys"
    );
    let mut published = f.jwks_kids().await?;
    published.sort();
    let mut expected = vec![old_id_kid.clone(), old_access_kid.clone()];
    expected.sort();
    assert_eq!(published, expected);

    f.app.rotate_signing_keys(&f.pool).await?;

    // Old and new keys are published; tokens signed with the old ones still work.
    let published = f.jwks_kids().await?;
    assert_eq!(published.len(), 4, "{published:?}");
    assert!(published.contains(&old_id_kid) && published.contains(&old_access_kid));
    assert_eq!(f.get_user(access_token(&before)).await?, "rae");

    // Once the server has reloaded its keys (it caches them for 30 s), new
    // tokens are signed with the new keys.
    f.app.clock.advance_seconds(31);
    let after = f.sign_in("rae", PASSWORD).await?;
    let new_id_kid = kid(after.id_token().expect("an ID token"));
    let new_access_kid = kid(access_token(&after));
    assert!(!expected.contains(&new_id_kid) && !expected.contains(&new_access_kid));
    assert!(published.contains(&new_id_kid) && published.contains(&new_access_kid));
    assert_eq!(f.get_user(access_token(&after)).await?, "rae");

    // A day after the rotation no token signed by the old keys can be alive:
    // they leave the JWKS.
    f.app.clock.advance_seconds(86_400 - 31 + 1);
    let mut published = f.jwks_kids().await?;
    published.sort();
    let mut expected = vec![new_id_kid, new_access_kid];
    expected.sort();
    assert_eq!(published, expected);
    f.app.shutdown().await
}
