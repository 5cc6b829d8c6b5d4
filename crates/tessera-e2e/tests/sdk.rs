//! The real `aws-sdk-cognitoidentityprovider` client against a spawned
//! Tessera: what an SDK user does, and what they get back.

mod common;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::admin_create_user::AdminCreateUserError;
use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserError;
use aws_sdk_cognitoidentityprovider::operation::admin_set_user_password::AdminSetUserPasswordError;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool::CreateUserPoolError;
use aws_sdk_cognitoidentityprovider::operation::delete_group::DeleteGroupError;
use aws_sdk_cognitoidentityprovider::operation::describe_user_pool::DescribeUserPoolError;
use aws_sdk_cognitoidentityprovider::operation::describe_user_pool_client::DescribeUserPoolClientError;
use aws_sdk_cognitoidentityprovider::operation::get_group::GetGroupError;
use aws_sdk_cognitoidentityprovider::operation::list_users::ListUsersError;
use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, AttributeDataType, AttributeType, DeliveryMediumType,
    ExplicitAuthFlowsType, MessageTemplateType, PasswordPolicyType, SchemaAttributeType,
    StringAttributeConstraintsType, TimeUnitsType, TokenValidityUnitsType, UserPoolPolicyType,
    UserStatusType, UserType,
};
use common::{TestApp, spawn_app, spawn_app_with};
use tessera::secret::Secret;

type Result = anyhow::Result<()>;

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .expect("name is set")
}

fn attribute<'a>(attributes: &'a [AttributeType], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value())
}

fn user_attribute<'a>(user: &'a UserType, name: &str) -> Option<&'a str> {
    attribute(user.attributes(), name)
}

/// A pool with a password policy, a custom attribute, an invitation template and a tag.
async fn create_pool(client: &Client, name: &str) -> anyhow::Result<String> {
    let out = client
        .create_user_pool()
        .pool_name(name)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(10)
                        .require_uppercase(true)
                        .require_lowercase(true)
                        .require_numbers(true)
                        .require_symbols(false)
                        .temporary_password_validity_days(3)
                        .build(),
                )
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("team")
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .string_attribute_constraints(
                    StringAttributeConstraintsType::builder()
                        .min_length("1")
                        .max_length("32")
                        .build(),
                )
                .build(),
        )
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .invite_message_template(
                    MessageTemplateType::builder()
                        .email_subject("Welcome to Tessera")
                        .email_message("Hello {username}, your temporary password is {####}")
                        .sms_message("Hi {username}: {####}")
                        .build(),
                )
                .build(),
        )
        .user_pool_tags("project", "tessera")
        .send()
        .await?;
    Ok(out
        .user_pool()
        .and_then(|p| p.id())
        .expect("CreateUserPool returns the pool id")
        .to_owned())
}

async fn create_user(
    client: &Client,
    pool: &str,
    username: &str,
    email: &str,
) -> anyhow::Result<UserType> {
    let out = client
        .admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .user_attributes(attr("email", email))
        .user_attributes(attr("email_verified", "true"))
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await?;
    Ok(out
        .user()
        .expect("AdminCreateUser returns the user")
        .clone())
}

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
        .send()
        .await?;
    let c = updated.user_pool_client().expect("UserPoolClient");
    assert_eq!(c.client_name(), Some("backend-v2"));
    assert_eq!(
        c.explicit_auth_flows(),
        &[ExplicitAuthFlowsType::AllowUserSrpAuth]
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

#[tokio::test]
async fn admin_user_lifecycle() -> Result {
    let app = spawn_app().await?;
    let client = &app.client;
    let pool = create_pool(client, "users").await?;

    // AdminCreateUser with a generated password, invited by email.
    let created = client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("alice")
        .user_attributes(attr("email", "alice@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .user_attributes(attr("name", "Alice"))
        .user_attributes(attr("custom:team", "blue"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await?;
    let user = created.user().expect("User");
    assert_eq!(user.username(), Some("alice"));
    assert_eq!(
        user.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert!(user.enabled());
    assert_eq!(
        user.user_create_date().map(|d| d.secs()),
        Some(app.now_secs)
    );
    let sub = user_attribute(user, "sub").expect("sub").to_owned();
    assert_eq!(sub.len(), 36, "a UUID: {sub}");
    assert_eq!(sub.matches('-').count(), 4, "a UUID: {sub}");

    let invitations = app.outbox(&pool, "alice@example.com");
    assert_eq!(invitations.len(), 1, "{invitations:?}");
    let invitation = &invitations[0].message;
    assert_eq!(invitation.kind, "invitation");
    assert_eq!(invitation.subject.as_deref(), Some("Welcome to Tessera"));
    let password = invitation
        .body
        .strip_prefix("Hello alice, your temporary password is ")
        .expect("the pool's invitation template is used");
    assert!(
        password.chars().count() >= 10,
        "policy length: {password:?}"
    );
    assert!(
        password.chars().any(|c| c.is_ascii_uppercase()),
        "{password:?}"
    );
    assert!(
        password.chars().any(|c| c.is_ascii_lowercase()),
        "{password:?}"
    );
    assert!(password.chars().any(|c| c.is_ascii_digit()), "{password:?}");

    let got = client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await?;
    assert_eq!(got.username(), "alice");
    assert_eq!(
        attribute(got.user_attributes(), "email"),
        Some("alice@example.com")
    );
    assert_eq!(
        attribute(got.user_attributes(), "custom:team"),
        Some("blue")
    );
    assert_eq!(attribute(got.user_attributes(), "sub"), Some(sub.as_str()));
    assert_eq!(
        got.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );

    // The same username again.
    let err = client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("alice")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .expect_err("the username is taken")
        .into_service_error();
    assert!(
        matches!(err, AdminCreateUserError::UsernameExistsException(_)),
        "{err:?}"
    );

    // ListUsers with filters, across pages.
    create_user(client, &pool, "albert", "albert@example.com").await?;
    create_user(client, &pool, "bob", "bob@example.com").await?;
    for i in 0..5 {
        create_user(
            client,
            &pool,
            &format!("member{i}"),
            &format!("team-{i}@example.com"),
        )
        .await?;
    }
    let found = client
        .list_users()
        .user_pool_id(&pool)
        .filter(r#"email ^= "al""#)
        .send()
        .await?;
    let mut names: Vec<&str> = found.users().iter().filter_map(|u| u.username()).collect();
    names.sort();
    assert_eq!(names, ["albert", "alice"]);
    let found = client
        .list_users()
        .user_pool_id(&pool)
        .filter(r#"email = "bob@example.com""#)
        .attributes_to_get("email")
        .send()
        .await?;
    assert_eq!(found.users().len(), 1);
    assert_eq!(found.users()[0].username(), Some("bob"));
    assert_eq!(
        found.users()[0]
            .attributes()
            .iter()
            .map(|a| a.name())
            .collect::<Vec<_>>(),
        ["email"],
        "AttributesToGet limits the attributes returned"
    );
    let mut paged = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = client
            .list_users()
            .user_pool_id(&pool)
            .filter(r#"email ^= "team-""#)
            .limit(2)
            .set_pagination_token(token.clone())
            .send()
            .await?;
        pages += 1;
        paged.extend(
            out.users()
                .iter()
                .filter_map(|u| u.username())
                .map(str::to_owned),
        );
        token = out.pagination_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(pages, 3);
    paged.sort();
    assert_eq!(
        paged,
        ["member0", "member1", "member2", "member3", "member4"]
    );

    // Update and delete attributes.
    app.clock.advance_seconds(5);
    client
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("alice")
        .user_attributes(attr("name", "Alice Liddell"))
        .user_attributes(attr("custom:team", "red"))
        .send()
        .await?;
    let got = client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await?;
    assert_eq!(
        attribute(got.user_attributes(), "name"),
        Some("Alice Liddell")
    );
    assert_eq!(attribute(got.user_attributes(), "custom:team"), Some("red"));
    assert_eq!(
        got.user_last_modified_date().map(|d| d.secs()),
        Some(app.now_secs + 5)
    );
    client
        .admin_delete_user_attributes()
        .user_pool_id(&pool)
        .username("alice")
        .user_attribute_names("name")
        .send()
        .await?;
    let got = client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await?;
    assert_eq!(attribute(got.user_attributes(), "name"), None);
    assert_eq!(attribute(got.user_attributes(), "custom:team"), Some("red"));

    // Disable and enable.
    client
        .admin_disable_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await?;
    let got = client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await?;
    assert!(!got.enabled());
    let disabled = client
        .list_users()
        .user_pool_id(&pool)
        .filter(r#"status = "Disabled""#)
        .send()
        .await?;
    assert_eq!(
        disabled
            .users()
            .iter()
            .filter_map(|u| u.username())
            .collect::<Vec<_>>(),
        ["alice"]
    );
    client
        .admin_enable_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await?;
    let got = client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await?;
    assert!(got.enabled());

    // Passwords: the policy is enforced; a permanent password confirms the user.
    let err = client
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("alice")
        .password("short1A")
        .permanent(true)
        .send()
        .await
        .expect_err("too short for the policy")
        .into_service_error();
    assert!(
        matches!(err, AdminSetUserPasswordError::InvalidPasswordException(_)),
        "{err:?}"
    );
    assert!(
        err.message().is_some_and(|m| m.contains("not long enough")),
        "{err:?}"
    );
    client
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("alice")
        .password("Correct-Horse-42")
        .permanent(true)
        .send()
        .await?;
    let got = client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await?;
    assert_eq!(got.user_status(), Some(&UserStatusType::Confirmed));
    let confirmed = client
        .list_users()
        .user_pool_id(&pool)
        .filter(r#"cognito:user_status = "CONFIRMED""#)
        .send()
        .await?;
    assert_eq!(
        confirmed
            .users()
            .iter()
            .filter_map(|u| u.username())
            .collect::<Vec<_>>(),
        ["alice"]
    );

    // Delete.
    client
        .admin_delete_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await?;
    let err = client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .expect_err("the user is gone")
        .into_service_error();
    assert!(
        matches!(err, AdminGetUserError::UserNotFoundException(_)),
        "{err:?}"
    );
    let described = client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await?;
    assert_eq!(
        described.user_pool().map(|p| p.estimated_number_of_users()),
        Some(7),
        "albert, bob and five members remain"
    );
    app.shutdown().await
}

#[tokio::test]
async fn groups_and_memberships() -> Result {
    let app = spawn_app().await?;
    let client = &app.client;
    let pool = create_pool(client, "groups").await?;
    create_user(client, &pool, "dana", "dana@example.com").await?;
    create_user(client, &pool, "eli", "eli@example.com").await?;

    let created = client
        .create_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .description("Administrators")
        .precedence(1)
        .role_arn("arn:aws:iam::000000000000:role/admin")
        .send()
        .await?;
    let g = created.group().expect("Group");
    assert_eq!(g.group_name(), Some("admins"));
    assert_eq!(g.precedence(), Some(1));
    client
        .create_group()
        .user_pool_id(&pool)
        .group_name("readers")
        .send()
        .await?;

    let got = client
        .get_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await?;
    let g = got.group().expect("Group");
    assert_eq!(g.description(), Some("Administrators"));
    assert_eq!(g.role_arn(), Some("arn:aws:iam::000000000000:role/admin"));
    assert_eq!(g.user_pool_id(), Some(pool.as_str()));

    client
        .update_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .description("Admins")
        .precedence(5)
        .send()
        .await?;
    let got = client
        .get_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await?;
    assert_eq!(got.group().and_then(|g| g.description()), Some("Admins"));
    assert_eq!(got.group().and_then(|g| g.precedence()), Some(5));

    let listed = client
        .list_groups()
        .user_pool_id(&pool)
        .limit(1)
        .send()
        .await?;
    assert_eq!(listed.groups().len(), 1);
    let rest = client
        .list_groups()
        .user_pool_id(&pool)
        .limit(1)
        .set_next_token(listed.next_token().map(str::to_owned))
        .send()
        .await?;
    let mut names: Vec<&str> = listed
        .groups()
        .iter()
        .chain(rest.groups())
        .filter_map(|g| g.group_name())
        .collect();
    names.sort();
    assert_eq!(names, ["admins", "readers"]);
    assert!(rest.next_token().is_none());

    for (user, group) in [("dana", "admins"), ("dana", "readers"), ("eli", "admins")] {
        client
            .admin_add_user_to_group()
            .user_pool_id(&pool)
            .username(user)
            .group_name(group)
            .send()
            .await?;
    }
    // Adding again is not an error.
    client
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("dana")
        .group_name("admins")
        .send()
        .await?;

    let for_dana = client
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("dana")
        .send()
        .await?;
    let mut names: Vec<&str> = for_dana
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    names.sort();
    assert_eq!(names, ["admins", "readers"]);

    let in_admins = client
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await?;
    let mut names: Vec<&str> = in_admins
        .users()
        .iter()
        .filter_map(|u| u.username())
        .collect();
    names.sort();
    assert_eq!(names, ["dana", "eli"]);

    client
        .admin_remove_user_from_group()
        .user_pool_id(&pool)
        .username("dana")
        .group_name("admins")
        .send()
        .await?;
    let in_admins = client
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await?;
    assert_eq!(
        in_admins
            .users()
            .iter()
            .filter_map(|u| u.username())
            .collect::<Vec<_>>(),
        ["eli"]
    );

    client
        .delete_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await?;
    let err = client
        .get_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .expect_err("the group is gone")
        .into_service_error();
    assert!(
        matches!(err, GetGroupError::ResourceNotFoundException(_)),
        "{err:?}"
    );
    let err = client
        .delete_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .expect_err("already deleted")
        .into_service_error();
    assert!(
        matches!(err, DeleteGroupError::ResourceNotFoundException(_)),
        "{err:?}"
    );
    let for_eli = client
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("eli")
        .send()
        .await?;
    assert!(
        for_eli.groups().is_empty(),
        "deleting a group ends its memberships"
    );
    app.shutdown().await
}

#[tokio::test]
async fn tags_on_a_pool() -> Result {
    let app = spawn_app().await?;
    let client = &app.client;
    let pool = create_pool(client, "tags").await?;
    let arn = client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await?
        .user_pool()
        .and_then(|p| p.arn())
        .expect("Arn")
        .to_owned();

    client
        .tag_resource()
        .resource_arn(&arn)
        .tags("cost-center", "42")
        .tags("project", "renamed")
        .send()
        .await?;
    let tags = client
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await?;
    let tags = tags.tags().expect("Tags");
    assert_eq!(tags.get("cost-center").map(String::as_str), Some("42"));
    assert_eq!(
        tags.get("project").map(String::as_str),
        Some("renamed"),
        "tagging an existing key replaces its value"
    );

    client
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("project")
        .send()
        .await?;
    let tags = client
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await?;
    let tags = tags.tags().expect("Tags");
    assert_eq!(tags.len(), 1, "{tags:?}");
    assert!(tags.contains_key("cost-center"));

    let described = client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await?;
    assert_eq!(
        described.user_pool().and_then(|p| p.user_pool_tags()),
        Some(tags),
        "DescribeUserPool shows the same tags"
    );
    app.shutdown().await
}

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
async fn fifty_concurrent_creates_of_one_username_admit_exactly_one() -> Result {
    let app = spawn_app().await?;
    let pool = create_pool(&app.client, "race").await?;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let client = app.client.clone();
            let pool = pool.clone();
            tokio::spawn(async move {
                client
                    .admin_create_user()
                    .user_pool_id(pool)
                    .username("contested")
                    .message_action(
                        aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress,
                    )
                    .send()
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    let mut exists = 0;
    let mut other = Vec::new();
    for t in tasks {
        match t.await? {
            Ok(_) => ok += 1,
            Err(e) => match e.into_service_error() {
                AdminCreateUserError::UsernameExistsException(_) => exists += 1,
                e => other.push(format!("{e:?}")),
            },
        }
    }
    assert!(other.is_empty(), "unexpected errors: {other:?}");
    assert_eq!((ok, exists), (1, 49));
    let users = app.client.list_users().user_pool_id(&pool).send().await?;
    assert_eq!(users.users().len(), 1);
    app.shutdown().await
}

#[tokio::test]
async fn everything_written_is_read_back_after_a_restart() -> Result {
    let app = spawn_app().await?;
    let pool = create_pool(&app.client, "durable").await?;
    let created = app
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("confidential")
        .generate_secret(true)
        .send()
        .await?;
    let client_id = created
        .user_pool_client()
        .and_then(|c| c.client_id())
        .expect("ClientId")
        .to_owned();
    let secret = created
        .user_pool_client()
        .and_then(|c| c.client_secret())
        .expect("ClientSecret")
        .to_owned();
    let user = create_user(&app.client, &pool, "frida", "frida@example.com").await?;
    app.client
        .create_group()
        .user_pool_id(&pool)
        .group_name("staff")
        .precedence(2)
        .send()
        .await?;
    app.client
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("frida")
        .group_name("staff")
        .send()
        .await?;
    let pool_before = app
        .client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await?
        .user_pool()
        .cloned()
        .expect("UserPool");

    let app = app.restart().await?;
    let client = &app.client;

    let pool_after = client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await?
        .user_pool()
        .cloned()
        .expect("UserPool");
    assert_eq!(pool_after, pool_before, "the pool reads back identical");
    let described = client
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await?;
    assert_eq!(
        described.user_pool_client().and_then(|c| c.client_secret()),
        Some(secret.as_str()),
        "the sealed secret opens again after a restart"
    );
    let got = client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("frida")
        .send()
        .await?;
    assert_eq!(got.user_attributes(), user.attributes());
    assert_eq!(got.user_status(), user.user_status());
    let groups = client
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("frida")
        .send()
        .await?;
    assert_eq!(
        groups
            .groups()
            .iter()
            .map(|g| (g.group_name(), g.precedence()))
            .collect::<Vec<_>>(),
        [(Some("staff"), Some(2))]
    );
    app.shutdown().await
}

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

#[tokio::test]
async fn an_operation_not_built_yet_says_so_by_name() -> Result {
    let app = spawn_app().await?;
    let pool = create_pool(&app.client, "unsupported").await?;
    let err = app
        .client
        .describe_risk_configuration()
        .user_pool_id(&pool)
        .send()
        .await
        .expect_err("not implemented yet");
    assert_eq!(err.code(), Some("UnsupportedOperationException"), "{err:?}");
    assert!(
        err.message()
            .is_some_and(|m| m.contains("DescribeRiskConfiguration")),
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
