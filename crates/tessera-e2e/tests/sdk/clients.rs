//! App clients: create with a generated secret, describe, update, list
//! across pages, delete.

use aws_sdk_cognitoidentityprovider::operation::describe_user_pool_client::DescribeUserPoolClientError;
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, TimeUnitsType, TokenValidityUnitsType,
};

use crate::common::fixtures::create_pool;
use crate::common::{Result, spawn_app};

#[tokio::test]
async fn app_client_with_secret_create_describe_update_list_delete() -> Result {
    let app = spawn_app().await?;
    let client = &app.client;
    let pool = create_pool(client, "clients").await?;

    let created = client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("backend")
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .access_token_validity(2)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Hours)
                .build(),
        )
        .read_attributes("email")
        .send()
        .await?;
    let c = created.user_pool_client().expect("UserPoolClient");
    let client_id = c.client_id().expect("ClientId").to_owned();
    assert_eq!(client_id.len(), 26, "{client_id}");
    let secret = c
        .client_secret()
        .expect("a generated secret is shown")
        .to_owned();
    assert!(!secret.is_empty());
    assert_eq!(c.client_name(), Some("backend"));
    assert_eq!(c.user_pool_id(), Some(pool.as_str()));

    let described = client
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await?;
    let c = described.user_pool_client().expect("UserPoolClient");
    assert_eq!(
        c.client_secret(),
        Some(secret.as_str()),
        "describe shows the secret"
    );
    assert_eq!(
        c.explicit_auth_flows(),
        &[
            ExplicitAuthFlowsType::AllowUserPasswordAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth
        ]
    );
    assert_eq!(c.access_token_validity(), Some(2));
    assert_eq!(
        c.token_validity_units().and_then(|u| u.access_token()),
        Some(&TimeUnitsType::Hours)
    );
    assert_eq!(c.read_attributes(), &["email".to_owned()]);

    let updated = client
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .client_name("backend-v2")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await?;
    let c = updated.user_pool_client().expect("UserPoolClient");
    assert_eq!(c.client_name(), Some("backend-v2"));
    assert_eq!(
        c.explicit_auth_flows(),
        &[
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth
        ]
    );
    assert_eq!(
        c.client_secret(),
        Some(secret.as_str()),
        "the secret survives an update"
    );
    assert_eq!(
        c.access_token_validity(),
        Some(60),
        "an omitted setting returns to its default"
    );

    for name in ["web", "mobile"] {
        client
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name(name)
            .send()
            .await?;
    }
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = client
            .list_user_pool_clients()
            .user_pool_id(&pool)
            .max_results(2)
            .set_next_token(token.clone())
            .send()
            .await?;
        names.extend(
            out.user_pool_clients()
                .iter()
                .map(|c| c.client_name().expect("name").to_owned()),
        );
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    names.sort();
    assert_eq!(names, ["backend-v2", "mobile", "web"]);

    client
        .delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await?;
    let err = client
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await
        .expect_err("the client is gone")
        .into_service_error();
    assert!(
        matches!(
            err,
            DescribeUserPoolClientError::ResourceNotFoundException(_)
        ),
        "{err:?}"
    );
    app.shutdown().await
}
