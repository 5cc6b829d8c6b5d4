//! Configured access keys: requests signed with a configured key and secret
//! are served; a wrong secret or an unknown key is refused.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use tessera::secret::Secret;

use crate::common::fixtures::create_pool;
use crate::common::{Result, TestApp, spawn_app_with};

#[tokio::test]
async fn configured_access_keys_are_verified() -> Result {
    let app: TestApp = spawn_app_with(|config| {
        config.access_keys = vec![("AKIDTEST".into(), Secret::new("secret"))];
    })
    .await?;

    let right = app.client_with_credentials("AKIDTEST", "secret").await;
    let pool = create_pool(&right, "signed").await?;
    let described = right
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await?;
    assert_eq!(described.user_pool().and_then(|p| p.name()), Some("signed"));

    let wrong_secret = app
        .client_with_credentials("AKIDTEST", "not-the-secret")
        .await;
    let err = wrong_secret
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .expect_err("a signature made with the wrong secret is refused");
    assert_eq!(err.code(), Some("InvalidSignatureException"), "{err:?}");

    let unknown_key = app.client_with_credentials("AKIDUNKNOWN", "secret").await;
    let err = unknown_key
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect_err("an unknown access key is refused");
    assert_eq!(err.code(), Some("UnrecognizedClientException"), "{err:?}");

    // The default client of the harness signs with `test`, which is not configured.
    let err = app
        .client
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect_err("keys are required once configured");
    assert_eq!(err.code(), Some("UnrecognizedClientException"), "{err:?}");
    app.shutdown().await
}
