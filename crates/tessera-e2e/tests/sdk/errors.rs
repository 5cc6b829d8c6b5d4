//! Errors as an SDK user meets them: typed service errors with Cognito's
//! messages, and the error an operation not built yet answers.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::admin_create_user::AdminCreateUserError;
use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserError;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool::CreateUserPoolError;
use aws_sdk_cognitoidentityprovider::operation::describe_user_pool::DescribeUserPoolError;
use aws_sdk_cognitoidentityprovider::operation::list_users::ListUsersError;

use crate::common::fixtures::create_pool;
use crate::common::{Result, spawn_app};

#[tokio::test]
async fn errors_arrive_as_typed_sdk_errors() -> Result {
    let app = spawn_app().await?;
    let client = &app.client;
    let pool = create_pool(client, "errors").await?;

    let err = client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("nobody")
        .send()
        .await
        .expect_err("no such user")
        .into_service_error();
    assert!(
        matches!(err, AdminGetUserError::UserNotFoundException(_)),
        "{err:?}"
    );
    assert_eq!(err.message(), Some("User does not exist."));

    let err = client
        .describe_user_pool()
        .user_pool_id("us-east-1_doesNotEx")
        .send()
        .await
        .expect_err("no such pool")
        .into_service_error();
    assert!(
        matches!(err, DescribeUserPoolError::ResourceNotFoundException(_)),
        "{err:?}"
    );
    assert!(
        err.message()
            .is_some_and(|m| m.contains("us-east-1_doesNotEx")),
        "the message names the pool: {err:?}"
    );

    // A constraint of the model the SDK does not check itself: Limit is 0..=60.
    let err = client
        .list_users()
        .user_pool_id(&pool)
        .limit(61)
        .send()
        .await
        .expect_err("limit out of range")
        .into_service_error();
    assert!(
        matches!(err, ListUsersError::InvalidParameterException(_)),
        "{err:?}"
    );
    assert!(
        err.message().is_some_and(|m| m.contains("'limit'")),
        "the message names the member: {err:?}"
    );

    let err = client
        .create_user_pool()
        .pool_name("x".repeat(129))
        .send()
        .await
        .expect_err("pool name too long")
        .into_service_error();
    assert!(
        matches!(err, CreateUserPoolError::InvalidParameterException(_)),
        "{err:?}"
    );
    assert!(
        err.message().is_some_and(|m| m.contains("'poolName'")),
        "the message names the member: {err:?}"
    );

    let err = client
        .list_users()
        .user_pool_id(&pool)
        .filter(r#"custom:team = "blue""#)
        .send()
        .await
        .expect_err("not a filterable attribute")
        .into_service_error();
    assert!(
        matches!(err, ListUsersError::InvalidParameterException(_)),
        "{err:?}"
    );

    let err = client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("weak")
        .temporary_password("weakpass")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .expect_err("the temporary password breaks the policy")
        .into_service_error();
    assert!(
        matches!(err, AdminCreateUserError::InvalidPasswordException(_)),
        "{err:?}"
    );
    app.shutdown().await
}

#[tokio::test]
async fn an_operation_not_built_yet_says_so_by_name() -> Result {
    let app = spawn_app().await?;
    let pool = create_pool(&app.client, "unsupported").await?;
    let err = app
        .client
        .get_log_delivery_configuration()
        .user_pool_id(&pool)
        .send()
        .await
        .expect_err("not implemented yet");
    assert_eq!(err.code(), Some("UnsupportedOperationException"), "{err:?}");
    assert!(
        err.message()
            .is_some_and(|m| m.contains("GetLogDeliveryConfiguration")),
        "the message names the operation: {err:?}"
    );
    // The server is still serving.
    app.client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await?;
    app.shutdown().await
}
