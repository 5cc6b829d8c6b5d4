//! User pools: create, describe, update, list across pages, delete.

use aws_sdk_cognitoidentityprovider::operation::describe_user_pool::DescribeUserPoolError;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, PasswordPolicyType, SchemaAttributeType, UserPoolPolicyType,
};

use crate::common::{Result, spawn_app};

#[tokio::test]
async fn user_pool_create_describe_update_list_delete() -> Result {
    let app = spawn_app().await?;
    let client = &app.client;

    let created = client
        .create_user_pool()
        .pool_name("main")
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(12)
                        .require_symbols(true)
                        .build(),
                )
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("tenant")
                .attribute_data_type(AttributeDataType::String)
                .mutable(false)
                .build(),
        )
        .alias_attributes(aws_sdk_cognitoidentityprovider::types::AliasAttributeType::Email)
        .user_pool_tags("env", "test")
        .user_pool_tags("owner", "e2e")
        .send()
        .await?;
    let pool = created.user_pool().expect("UserPool in the response");
    let id = pool.id().expect("Id").to_owned();
    let suffix = id
        .strip_prefix("us-east-1_")
        .expect("the id starts with the region");
    assert_eq!(suffix.len(), 9, "{id}");
    assert!(suffix.chars().all(|c| c.is_ascii_alphanumeric()), "{id}");
    assert_eq!(
        pool.arn(),
        Some(format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}").as_str())
    );
    assert_eq!(pool.name(), Some("main"));
    assert_eq!(pool.creation_date().map(|d| d.secs()), Some(app.now_secs));
    assert_eq!(
        pool.last_modified_date().map(|d| d.secs()),
        Some(app.now_secs)
    );

    let described = client.describe_user_pool().user_pool_id(&id).send().await?;
    let pool = described.user_pool().expect("UserPool");
    let policy = pool
        .policies()
        .and_then(|p| p.password_policy())
        .expect("the password policy is returned");
    assert_eq!(policy.minimum_length(), Some(12));
    assert!(policy.require_symbols());
    assert!(!policy.require_uppercase(), "members left unset are off");
    // The Rust SDK always sends TemporaryPasswordValidityDays, as 0 when unset;
    // Cognito documents 0 as "use the default", which is 7.
    assert_eq!(policy.temporary_password_validity_days(), 7);
    let tenant = pool
        .schema_attributes()
        .iter()
        .find(|a| a.name() == Some("custom:tenant"))
        .expect("the custom attribute is in the schema");
    assert_eq!(
        tenant.attribute_data_type(),
        Some(&AttributeDataType::String)
    );
    assert_eq!(tenant.mutable(), Some(false));
    assert!(
        pool.schema_attributes()
            .iter()
            .any(|a| a.name() == Some("email")),
        "standard attributes are listed too"
    );
    assert_eq!(
        pool.alias_attributes(),
        &[aws_sdk_cognitoidentityprovider::types::AliasAttributeType::Email]
    );
    let tags = pool.user_pool_tags().expect("tags");
    assert_eq!(tags.get("env").map(String::as_str), Some("test"));
    assert_eq!(tags.get("owner").map(String::as_str), Some("e2e"));
    assert_eq!(pool.estimated_number_of_users(), 0);

    app.clock.advance_seconds(60);
    client
        .update_user_pool()
        .user_pool_id(&id)
        .mfa_configuration(aws_sdk_cognitoidentityprovider::types::UserPoolMfaType::Off)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(PasswordPolicyType::builder().minimum_length(8).build())
                .build(),
        )
        .user_pool_tags("env", "staging")
        .send()
        .await?;
    let described = client.describe_user_pool().user_pool_id(&id).send().await?;
    let pool = described.user_pool().expect("UserPool");
    assert_eq!(
        pool.policies()
            .and_then(|p| p.password_policy())
            .and_then(|p| p.minimum_length()),
        Some(8)
    );
    assert_eq!(
        pool.user_pool_tags()
            .and_then(|t| t.get("env"))
            .map(String::as_str),
        Some("staging")
    );
    assert_eq!(pool.creation_date().map(|d| d.secs()), Some(app.now_secs));
    assert_eq!(
        pool.last_modified_date().map(|d| d.secs()),
        Some(app.now_secs + 60)
    );

    // Four more pools, listed two at a time.
    let mut ids = vec![id.clone()];
    for i in 0..4 {
        let out = client
            .create_user_pool()
            .pool_name(format!("extra-{i}"))
            .send()
            .await?;
        ids.push(out.user_pool().and_then(|p| p.id()).expect("id").to_owned());
    }
    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = client
            .list_user_pools()
            .max_results(2)
            .set_next_token(token.clone())
            .send()
            .await?;
        pages += 1;
        assert!(out.user_pools().len() <= 2);
        listed.extend(
            out.user_pools()
                .iter()
                .map(|p| p.id().expect("id").to_owned()),
        );
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(pages, 3, "five pools, two per page");
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        listed.len(),
        "no pool listed twice: {listed:?}"
    );
    ids.sort();
    assert_eq!(sorted, ids);

    client.delete_user_pool().user_pool_id(&id).send().await?;
    let err = client
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .expect_err("the pool is gone")
        .into_service_error();
    assert!(
        matches!(err, DescribeUserPoolError::ResourceNotFoundException(_)),
        "{err:?}"
    );
    app.shutdown().await
}
