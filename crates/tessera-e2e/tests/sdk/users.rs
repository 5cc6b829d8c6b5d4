//! Admin users: create with an invitation, get, ListUsers with filters and
//! pages, update and delete attributes, disable and enable, passwords, delete.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::admin_create_user::AdminCreateUserError;
use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserError;
use aws_sdk_cognitoidentityprovider::operation::admin_set_user_password::AdminSetUserPasswordError;
use aws_sdk_cognitoidentityprovider::types::{DeliveryMediumType, UserStatusType};

use crate::common::fixtures::{attr, attribute, create_pool, create_user, user_attribute};
use crate::common::{Result, spawn_app};

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
